//! A client for UiPath Identity Server's External Client API (and the sandbox, which speaks it).
//! The wire types are private to this module; callers see the domain types of [`crate::model`].

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::Mutex;
use url::Url;
use uuid::Uuid;

use crate::draft::ValidDraft;
use crate::error::{Error, Result};
use crate::http::{read_json, retry_after, send_with_retries, Repeat, Unanswered, RETRIES};
use crate::model::{
    AppType, CatalogResource, CatalogScope, ExternalApp, Field, Scope, ScopeType, SecretInfo,
    TokenAuth,
};
use crate::oauth::{self, ClientCredentials};
use crate::secrets::NewSecret;
use crate::Secret;

/// The scope the admin token is asked for: full management of external apps and their secrets.
pub const ADMIN_SCOPES: &[&str] = &["PM.OAuthApp"];

/// Where an organization's identity server is, and which partition (organization GUID) to manage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The identity base, e.g. `https://cloud.uipath.com/acme/identity_`, without a trailing slash.
    pub identity_url: Url,
    pub partition_global_id: Uuid,
    /// Automation Cloud's organization name, for user sign-in: see [`Endpoint::authorize_url`].
    pub cloud_organization: Option<String>,
}

impl Endpoint {
    pub fn token_url(&self) -> Url {
        join(&self.identity_url, &["connect", "token"])
    }

    /// The organization an Automation Cloud identity URL (`https://cloud.uipath.com/{org}/identity_`)
    /// names, for an endpoint known only by its URL.
    pub fn cloud_organization_in(identity_url: &Url) -> Option<String> {
        if identity_url.host_str() != Some(crate::connections::CLOUD_HOST) {
            return None;
        }
        match identity_url.path_segments()?.collect::<Vec<_>>()[..] {
            [organization, "identity_"] if !organization.is_empty() => {
                Some(organization.to_owned())
            }
            _ => None,
        }
    }

    /// Where a user signs in. Automation Cloud's is the host-level `/identity_/connect/authorize`
    /// with the organization named in `acr_values=tenantName:{organization}`: the
    /// organization-scoped form fails for federated organizations (UiPath's own PowerShell
    /// module moved to this form for that reason). Elsewhere it is under the identity base.
    pub fn authorize_url(&self) -> Url {
        match &self.cloud_organization {
            Some(organization) => {
                let mut url = self.identity_url.clone();
                url.set_path("/identity_/connect/authorize");
                url.query_pairs_mut()
                    .append_pair("acr_values", &format!("tenantName:{organization}"));
                url
            }
            None => join(&self.identity_url, &["connect", "authorize"]),
        }
    }

    /// The OpenID discovery document.
    pub fn discovery_url(&self) -> Url {
        join(&self.identity_url, &[".well-known", "openid-configuration"])
    }
}

/// A newly created app and, for a confidential one, its first secret (the one time it is seen).
#[derive(Debug)]
pub struct CreatedApp {
    pub app: ExternalApp,
    pub secret: Option<Secret>,
}

#[derive(Debug)]
struct CachedToken {
    token: Secret,
    refresh_after: Instant,
}

/// Tokens are renewed this long before the server would reject them.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Where a signed-in admin's refresh token is kept (the keychain). Each one works once, so the
/// one a renewal returns must replace the one it used; and another Registrar process (the
/// command line beside the window) may have renewed it since, so the kept one is read again
/// before each renewal.
pub struct RefreshTokenStore {
    /// The kept refresh token, if any.
    pub load: Box<dyn Fn() -> BoxFuture<Result<Option<Secret>>> + Send + Sync>,
    /// Keeps a new refresh token in place of the used one.
    pub save: Box<dyn Fn(Secret) -> BoxFuture<Result<()>> + Send + Sync>,
}

impl std::fmt::Debug for RefreshTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshTokenStore")
    }
}

/// How the client gets its admin token.
enum AdminAuth {
    /// An admin app's client id and secret, through client_credentials.
    ClientSecret(ClientCredentials),
    /// A signed-in admin: the sign-in app's client id and the current refresh token.
    SignedIn {
        client_id: String,
        refresh_token: Mutex<Secret>,
        store: RefreshTokenStore,
    },
}

impl std::fmt::Debug for AdminAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminAuth::ClientSecret(credentials) => f
                .debug_tuple("ClientSecret")
                .field(&credentials.client_id)
                .finish(),
            AdminAuth::SignedIn { client_id, .. } => f
                .debug_struct("SignedIn")
                .field("client_id", client_id)
                .finish_non_exhaustive(),
        }
    }
}

#[derive(Debug)]
pub struct UiPathClient {
    http: reqwest::Client,
    endpoint: Endpoint,
    auth: AdminAuth,
    token: Mutex<Option<CachedToken>>,
}

impl UiPathClient {
    pub fn new(http: reqwest::Client, endpoint: Endpoint, credentials: ClientCredentials) -> Self {
        Self {
            http,
            endpoint,
            auth: AdminAuth::ClientSecret(credentials),
            token: Mutex::new(None),
        }
    }

    /// A client for a signed-in admin, renewing its token with the refresh token `store` keeps
    /// (`refresh_token` until it keeps one) and keeping each new one there.
    pub fn signed_in(
        http: reqwest::Client,
        endpoint: Endpoint,
        client_id: String,
        refresh_token: Secret,
        store: RefreshTokenStore,
    ) -> Self {
        Self {
            http,
            endpoint,
            auth: AdminAuth::SignedIn {
                client_id,
                refresh_token: Mutex::new(refresh_token),
                store,
            },
            token: Mutex::new(None),
        }
    }

    /// The HTTP client this connection uses, for calls made with other credentials (Verify).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub async fn list_apps(&self) -> Result<Vec<ExternalApp>> {
        let url = self.api(&["ExternalClient", &self.partition()]);
        let response = self
            .send(Method::GET, url, None::<&()>, "listing the applications")
            .await?;
        let body: Vec<ExternalClientDto> = read_json(response, "listing the applications").await?;
        body.into_iter().map(ExternalClientDto::into_app).collect()
    }

    pub async fn get_app(&self, app_id: &str) -> Result<ExternalApp> {
        let url = self.api(&["ExternalClient", &self.partition(), app_id]);
        let response = self
            .send(Method::GET, url, None::<&()>, "reading the application")
            .await?;
        read_json::<ExternalClientDto>(response, "reading the application")
            .await?
            .into_app()
    }

    pub async fn catalog(&self) -> Result<Vec<CatalogResource>> {
        let url = self.api(&["ExternalApiResource"]);
        let response = self
            .send(Method::GET, url, None::<&()>, "reading the scope catalog")
            .await?;
        let body: Vec<ResourceDto> = read_json(response, "reading the scope catalog").await?;
        Ok(body.into_iter().map(ResourceDto::into_catalog).collect())
    }

    /// Registers the app. A create is never sent twice: when its answer is lost, the list is
    /// read again to tell whether the app was registered.
    pub async fn create_app(&self, draft: &ValidDraft) -> Result<CreatedApp> {
        let named_before: Vec<String> = self
            .list_apps()
            .await?
            .into_iter()
            .filter(|app| app.name == draft.name)
            .map(|app| app.id)
            .collect();
        match self.send_create(draft).await {
            Err(Unanswered {
                error,
                maybe_done: true,
            }) => Err(self
                .after_lost_create(&draft.name, &named_before, error)
                .await),
            answered => Ok(answered?),
        }
    }

    async fn send_create(&self, draft: &ValidDraft) -> std::result::Result<CreatedApp, Unanswered> {
        let body = CreateCommand {
            partition_global_id: self.endpoint.partition_global_id,
            name: &draft.name,
            is_confidential: draft.app_type == AppType::Confidential,
            redirect_uri: join_redirects(&draft.redirect_uris),
            scopes: draft.scopes.iter().map(ScopeRef::from).collect(),
        };
        let url = self.api(&["ExternalClient"]);
        let what = "registering the application";
        let response = self.send(Method::POST, url, Some(&body), what).await?;
        let created = async {
            let mut dto: ExternalClientDto = read_json(response, what).await?;
            let secret = dto.secret.take();
            Ok(CreatedApp {
                app: dto.into_app()?,
                secret,
            })
        };
        created.await.map_err(|error| Unanswered {
            error,
            maybe_done: true,
        })
    }

    /// What the admin needs to know after a create whose answer was lost: whether the app exists.
    async fn after_lost_create(&self, name: &str, named_before: &[String], cause: Error) -> Error {
        match self.list_apps().await {
            Ok(apps) => match apps
                .iter()
                .find(|app| app.name == name && !named_before.contains(&app.id))
            {
                Some(app) => Error::Conflict(format!(
                    "{cause} Registrar read the list again: \"{name}\" was registered all the \
                     same (App ID {}). Its first secret was in the lost answer: open the app and \
                     generate a new secret. Do not register it again.",
                    app.id
                )),
                None => with_note(
                    cause,
                    &format!(
                        "Registrar read the list again: \"{name}\" was not registered, so nothing \
                         was created. Register it again once the server answers."
                    ),
                ),
            },
            Err(reread) => with_note(
                cause,
                &format!(
                    "Registrar could not read the list to see whether \"{name}\" was registered \
                     ({reread}). Refresh the list before registering it again, so it is not \
                     registered twice."
                ),
            ),
        }
    }

    /// Replaces the app's name, redirect URLs and scopes with `draft`'s (its type is fixed).
    pub async fn update_app(&self, app_id: &str, draft: &ValidDraft) -> Result<()> {
        let body = UpdateCommand {
            name: &draft.name,
            redirect_uri: join_redirects(&draft.redirect_uris),
            scopes: draft.scopes.iter().map(ScopeRef::from).collect(),
        };
        let url = self.api(&["ExternalClient", &self.partition(), app_id]);
        self.send(Method::PUT, url, Some(&body), "saving the application")
            .await?;
        Ok(())
    }

    pub async fn delete_app(&self, app_id: &str) -> Result<()> {
        let url = self.api(&["ExternalClient", &self.partition(), app_id]);
        self.send(Method::DELETE, url, None::<&()>, "deleting the application")
            .await?;
        Ok(())
    }

    /// Adds a secret to the app; the value is in the answer this once. Never sent twice: when
    /// the answer is lost, the app is read again to tell whether a secret was added.
    pub async fn generate_secret(
        &self,
        app_id: &str,
        request: &NewSecret,
    ) -> Result<(SecretInfo, Secret)> {
        let before: Vec<i64> = self
            .get_app(app_id)
            .await?
            .secrets
            .iter()
            .map(|s| s.id)
            .collect();
        match self.send_generate_secret(app_id, request).await {
            Err(Unanswered {
                error,
                maybe_done: true,
            }) => Err(self.after_lost_secret(app_id, &before, error).await),
            answered => Ok(answered?),
        }
    }

    async fn send_generate_secret(
        &self,
        app_id: &str,
        request: &NewSecret,
    ) -> std::result::Result<(SecretInfo, Secret), Unanswered> {
        let body = CreateSecretCommand {
            client_id: app_id,
            description: &request.description,
            partition_global_id: self.endpoint.partition_global_id,
            expiry_time: request.expires,
        };
        let url = self.api(&["ExternalClient", "GenerateSecret"]);
        let what = "generating a secret";
        let response = self.send(Method::POST, url, Some(&body), what).await?;
        let generated = async {
            let mut dto: SecretDto = read_json(response, what).await?;
            let value = dto.secret.take().ok_or_else(|| {
                Error::Server(
                    "The identity server generated a secret but did not return its value.".into(),
                )
            })?;
            Ok((dto.into_info(), value))
        };
        generated.await.map_err(|error| Unanswered {
            error,
            maybe_done: true,
        })
    }

    /// What the admin needs to know after a secret request whose answer was lost.
    async fn after_lost_secret(&self, app_id: &str, before: &[i64], cause: Error) -> Error {
        match self.get_app(app_id).await {
            Ok(app) => match app.secrets.iter().find(|s| !before.contains(&s.id)) {
                Some(added) => Error::Conflict(format!(
                    "{cause} Registrar read the app again: a secret was added all the same \
                     (created {}), but its value was in the lost answer. Delete that secret and \
                     generate another.",
                    added.created
                )),
                None => with_note(
                    cause,
                    "Registrar read the app again: no secret was added. Generate one again once \
                     the server answers.",
                ),
            },
            Err(reread) => with_note(
                cause,
                &format!(
                    "Registrar could not read the app to see whether a secret was added ({reread}). \
                     Refresh the app before generating another."
                ),
            ),
        }
    }

    pub async fn delete_secret(&self, secret_id: i64) -> Result<()> {
        let url = self.api(&[
            "ExternalClient",
            &self.partition(),
            "secrets",
            &secret_id.to_string(),
        ]);
        self.send(Method::DELETE, url, None::<&()>, "deleting the secret")
            .await?;
        Ok(())
    }

    fn partition(&self) -> String {
        self.endpoint.partition_global_id.to_string()
    }

    fn api(&self, segments: &[&str]) -> Url {
        let mut all = vec!["api"];
        all.extend_from_slice(segments);
        join(&self.endpoint.identity_url, &all)
    }

    /// Sends an authorized request, trying again as [`send_with_retries`] allows (POST creates
    /// only when the server certainly did not act). A 401 is answered once by a fresh token (the
    /// cached one may have expired or been revoked); everything else that is not a success becomes
    /// an [`Error`], marked as possibly carried out when it was a server error.
    async fn send<B: Serialize>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        what: &str,
    ) -> std::result::Result<Response, Unanswered> {
        let repeat = match method {
            Method::POST => Repeat::Once,
            _ => Repeat::Idempotent,
        };
        let build = |token: &Secret| -> RequestBuilder {
            let request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose());
            match body {
                Some(body) => request.json(body),
                None => request,
            }
        };
        let not_sent = |error| Unanswered {
            error,
            maybe_done: false,
        };
        let token = self.token(false).await.map_err(not_sent)?;
        let mut sent = send_with_retries(RETRIES, repeat, what, || build(&token).send()).await?;
        if sent.response.status() == StatusCode::UNAUTHORIZED {
            let token = self.token(true).await.map_err(not_sent)?;
            let lost_before = sent.repeated_after_loss;
            sent = send_with_retries(RETRIES, repeat, what, || build(&token).send()).await?;
            sent.repeated_after_loss |= lost_before;
        }
        let status = sent.response.status();
        // A delete whose first answer was lost may have been carried out: then it is done.
        let deleted_before =
            method == Method::DELETE && sent.repeated_after_loss && status == StatusCode::NOT_FOUND;
        if status.is_success() || deleted_before {
            Ok(sent.response)
        } else {
            Err(Unanswered {
                error: api_error(sent.response, what).await,
                maybe_done: status.is_server_error(),
            })
        }
    }

    /// The admin token, from the cache while it is fresh.
    async fn token(&self, renew: bool) -> Result<Secret> {
        let mut cached = self.token.lock().await;
        if let Some(current) = cached
            .as_ref()
            .filter(|c| !renew && Instant::now() < c.refresh_after)
        {
            return Ok(current.token.duplicate());
        }
        Ok(self.renew_token(&mut cached).await?.0)
    }

    /// A new admin token, cached, and the scopes it was granted with.
    async fn renew_token(&self, cached: &mut Option<CachedToken>) -> Result<(Secret, Vec<String>)> {
        let token_url = self.endpoint.token_url();
        let (granted, kept) = match &self.auth {
            AdminAuth::ClientSecret(credentials) => {
                let granted =
                    oauth::client_credentials(&self.http, &token_url, credentials, ADMIN_SCOPES)
                        .await
                        .map_err(admin_token_error)?;
                (granted, None)
            }
            AdminAuth::SignedIn {
                client_id,
                refresh_token,
                store,
            } => {
                let mut current = refresh_token.lock().await;
                if let Some(kept) = (store.load)().await? {
                    *current = kept;
                }
                let mut granted =
                    crate::signin::refresh(&self.http, &token_url, client_id, &current).await?;
                // The old refresh token is used up: the new one replaces it in memory before
                // anything else can fail, then goes to the keychain.
                let kept = granted.refresh_token.take().map(|next| {
                    let stored = (store.save)(next.duplicate());
                    *current = next;
                    stored
                });
                (granted, kept)
            }
        };
        let answer = (granted.access_token.duplicate(), granted.scopes);
        *cached = Some(CachedToken {
            token: granted.access_token,
            refresh_after: Instant::now() + granted.expires_in.saturating_sub(TOKEN_MARGIN),
        });
        if let Some(stored) = kept {
            stored.await?;
        }
        Ok(answer)
    }

    /// A fresh admin token's scopes, and the organization's GUID when the token names it: what
    /// "Test connection" reports.
    pub async fn admin_token_facts(&self) -> Result<(Vec<String>, Option<Uuid>)> {
        let (token, scopes) = self.renew_token(&mut *self.token.lock().await).await?;
        Ok((scopes, crate::probe::organization_in_token(token.expose())))
    }
}

/// `error` with `note` added to its message, keeping its kind.
fn with_note(error: Error, note: &str) -> Error {
    match error {
        Error::Network(message) => Error::Network(format!("{message} {note}")),
        Error::Server(message) => Error::Server(format!("{message} {note}")),
        other => Error::Server(format!("{other} {note}")),
    }
}

/// The admin app's own token failures are about the connection, not the app being worked on.
fn admin_token_error(error: Error) -> Error {
    match error {
        Error::Unauthorized(detail) => Error::Unauthorized(format!(
            "The connection's admin credentials were refused. {detail}"
        )),
        Error::Forbidden(detail) => Error::Forbidden(format!(
            "The connection's admin app may not manage external applications: it needs the \
             application scope PM.OAuthApp. {detail}"
        )),
        other => other,
    }
}

fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.path_segments_mut()
        .expect("identity URLs are http(s) URLs, which have a path")
        .pop_if_empty()
        .extend(segments);
    url
}

fn join_redirects(uris: &[String]) -> Option<String> {
    (!uris.is_empty()).then(|| uris.join(","))
}

fn split_redirects(joined: Option<String>) -> Vec<String> {
    joined
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// ASP.NET ProblemDetails, which the identity server answers failures with.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ProblemDetails {
    title: Option<String>,
    detail: Option<String>,
    message: Option<String>,
    #[serde(default)]
    errors: BTreeMap<String, Vec<String>>,
}

async fn api_error(response: Response, what: &str) -> Error {
    let status = response.status();
    let wait = retry_after(&response);
    if crate::http::is_html(&response) {
        return crate::http::html_error(what);
    }
    let problem: ProblemDetails = response
        .bytes()
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let said = problem
        .detail
        .or(problem.message)
        .or(problem.title)
        .map(|m| format!(" The server said: {m}"))
        .unwrap_or_default();
    match status {
        StatusCode::BAD_REQUEST if !problem.errors.is_empty() => Error::InvalidInput {
            field: problem.errors.keys().find_map(|key| field_of(key)),
            message: format!(
                "The identity server refused {what}: {}",
                field_messages(&problem.errors)
            ),
        },
        StatusCode::BAD_REQUEST => Error::InvalidInput {
            field: None,
            message: format!("The identity server refused {what}.{said}"),
        },
        StatusCode::UNAUTHORIZED => Error::Unauthorized(format!(
            "The identity server did not accept the admin token while {what}. Check the connection's credentials."
        )),
        StatusCode::FORBIDDEN => Error::Forbidden(format!(
            "The admin app is not allowed to do this ({what}): it needs PM.OAuthApp (or the matching \
             .Read, .Write or PM.OAuthAppSecret.Write scope)."
        )),
        StatusCode::NOT_FOUND => Error::NotFound(format!(
            "Not found while {what}: the application may have been deleted, or the organization ID is wrong.{said}"
        )),
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited { retry_after: wait },
        status if status.is_server_error() => Error::Server(format!(
            "The identity server failed while {what} (HTTP {}). Try again later.",
            status.as_u16()
        )),
        status => Error::Server(format!(
            "The identity server answered {what} with HTTP {}.{said}",
            status.as_u16()
        )),
    }
}

/// Each field's messages, named as the admin knows the field: "Redirect URLs: must be https."
fn field_messages(errors: &BTreeMap<String, Vec<String>>) -> String {
    errors
        .iter()
        .map(|(key, messages)| {
            let text = messages.join(" ");
            match field_of(key) {
                Some(field) => format!("{}: {text}", field.label()),
                None if key.is_empty() || key == "$" => text,
                None => format!("{key}: {text}"),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The draft field an ASP.NET model-state key names: `name`, `Name`, `$.redirectUri`,
/// `scopes[0].name` and `command.Scopes` are all seen.
fn field_of(key: &str) -> Option<Field> {
    let key = key.to_ascii_lowercase();
    let key = key.trim_start_matches("$.");
    let key = key.strip_prefix("command.").unwrap_or(key);
    match key.split(['.', '[']).next().unwrap_or(key) {
        "name" => Some(Field::Name),
        "redirecturi" => Some(Field::RedirectUris),
        "scopes" => Some(Field::Scopes),
        "isconfidential" => Some(Field::AppType),
        _ => None,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateCommand<'a> {
    partition_global_id: Uuid,
    name: &'a str,
    is_confidential: bool,
    /// Left out when there is none, as the tools used against live tenants do.
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_uri: Option<String>,
    scopes: Vec<ScopeRef<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateCommand<'a> {
    name: &'a str,
    redirect_uri: Option<String>,
    scopes: Vec<ScopeRef<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateSecretCommand<'a> {
    client_id: &'a str,
    description: &'a str,
    partition_global_id: Uuid,
    #[serde(with = "time::serde::rfc3339::option")]
    expiry_time: Option<OffsetDateTime>,
}

#[derive(Serialize)]
struct ScopeRef<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    scope_type: WireScopeType,
}

impl<'a> From<&'a Scope> for ScopeRef<'a> {
    fn from(scope: &'a Scope) -> Self {
        let scope_type = match scope.scope_type {
            ScopeType::User => WireScopeType::User,
            ScopeType::Application => WireScopeType::Application,
        };
        Self {
            name: &scope.name,
            scope_type,
        }
    }
}

/// A scope's type on the wire. Live tenants send and take numbers (in the catalog 0 user only,
/// 1 application only, 2 either; in an app's scopes 0 user, 1 application); the published spec
/// names strings (`user`, `application`, `userAndApplication`). Both are read; numbers are sent,
/// as the tools used against live tenants send them (fixtures in `tests/fixtures/uipath/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WireScopeType {
    User,
    Application,
    UserAndApplication,
}

impl Serialize for WireScopeType {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_u8(match self {
            WireScopeType::User => 0,
            WireScopeType::Application => 1,
            WireScopeType::UserAndApplication => 2,
        })
    }
}

impl<'de> Deserialize<'de> for WireScopeType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(u64),
            Text(String),
        }
        let read = match Either::deserialize(d)? {
            Either::Number(0) => Some(WireScopeType::User),
            Either::Number(1) => Some(WireScopeType::Application),
            Either::Number(2) => Some(WireScopeType::UserAndApplication),
            Either::Number(_) => None,
            // ASP.NET writes enums by name in either case.
            Either::Text(text) => match text.to_ascii_lowercase().as_str() {
                "user" | "0" => Some(WireScopeType::User),
                "application" | "1" => Some(WireScopeType::Application),
                "userandapplication" | "2" => Some(WireScopeType::UserAndApplication),
                _ => None,
            },
        };
        read.ok_or_else(|| {
            serde::de::Error::custom(
                "a scope type is 0, 1, 2 or user, application, userAndApplication",
            )
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExternalClientDto {
    name: Option<String>,
    id: Option<String>,
    secret: Option<Secret>,
    is_confidential: bool,
    redirect_uri: Option<String>,
    resources: Option<Vec<ResourceDto>>,
    secrets: Option<Vec<SecretDto>>,
}

impl ExternalClientDto {
    fn into_app(self) -> Result<ExternalApp> {
        let id = self.id.ok_or_else(|| {
            Error::Server("The identity server listed an application without an App ID.".into())
        })?;
        let mut scopes = Vec::new();
        for resource in self.resources.unwrap_or_default() {
            for scope in resource.scopes.unwrap_or_default() {
                let Some(name) = scope.name else { continue };
                let types: &[ScopeType] = match scope.scope_type {
                    Some(WireScopeType::User) => &[ScopeType::User],
                    Some(WireScopeType::Application) => &[ScopeType::Application],
                    Some(WireScopeType::UserAndApplication) => {
                        &[ScopeType::User, ScopeType::Application]
                    }
                    None => &[],
                };
                scopes.extend(types.iter().map(|t| Scope::new(name.clone(), *t)));
            }
        }
        scopes.sort();
        scopes.dedup();
        Ok(ExternalApp {
            name: self.name.unwrap_or_default(),
            app_type: if self.is_confidential {
                AppType::Confidential
            } else {
                AppType::NonConfidential
            },
            redirect_uris: split_redirects(self.redirect_uri),
            scopes,
            secrets: self
                .secrets
                .unwrap_or_default()
                .into_iter()
                .map(SecretDto::into_info)
                .collect(),
            id,
            token_auth: TokenAuth::SecretPost,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceDto {
    name: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    scopes: Option<Vec<ScopeDto>>,
}

impl ResourceDto {
    fn into_catalog(self) -> CatalogResource {
        let name = self.name.unwrap_or_default();
        CatalogResource {
            display_name: self.display_name.unwrap_or_else(|| name.clone()),
            name,
            description: self.description,
            scopes: self
                .scopes
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| {
                    let name = s.name?;
                    let (user, application) = match s.scope_type {
                        Some(WireScopeType::User) => (true, false),
                        Some(WireScopeType::Application) => (false, true),
                        Some(WireScopeType::UserAndApplication) | None => (true, true),
                    };
                    Some(CatalogScope {
                        display_name: s.display_name.unwrap_or_else(|| name.clone()),
                        name,
                        description: s.description,
                        user,
                        application,
                    })
                })
                .collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeDto {
    name: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    #[serde(rename = "type")]
    scope_type: Option<WireScopeType>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretDto {
    id: i64,
    description: Option<String>,
    /// Only in the answer to GenerateSecret.
    #[serde(default)]
    secret: Option<Secret>,
    #[serde(with = "lenient_time")]
    creation_time: OffsetDateTime,
    #[serde(default, with = "lenient_time::option")]
    expiry_time: Option<OffsetDateTime>,
}

impl SecretDto {
    fn into_info(self) -> SecretInfo {
        SecretInfo {
            id: self.id,
            description: self.description,
            created: self.creation_time,
            expires: self.expiry_time,
        }
    }
}

/// .NET writes `DateTime`s with or without an offset; one without is UTC on these servers.
mod lenient_time {
    use serde::{de::Error as _, Deserialize, Deserializer};
    use time::format_description::well_known::Rfc3339;
    use time::{OffsetDateTime, PrimitiveDateTime};

    fn parse(text: &str) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
            let format = time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
            );
            PrimitiveDateTime::parse(text, format)
                .ok()
                .map(PrimitiveDateTime::assume_utc)
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).ok_or_else(|| D::Error::custom(format!("not a date-time: {text}")))
    }

    pub mod option {
        use super::*;

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(text) => super::parse(&text)
                    .map(Some)
                    .ok_or_else(|| D::Error::custom(format!("not a date-time: {text}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_under_the_identity_base() {
        let endpoint = Endpoint {
            identity_url: Url::parse("https://cloud.uipath.com/acme/identity_").unwrap(),
            partition_global_id: Uuid::nil(),
            cloud_organization: None,
        };
        assert_eq!(
            endpoint.token_url().as_str(),
            "https://cloud.uipath.com/acme/identity_/connect/token"
        );
        assert_eq!(
            endpoint.authorize_url().as_str(),
            "https://cloud.uipath.com/acme/identity_/connect/authorize"
        );
        let cloud = Endpoint {
            cloud_organization: Some("acme".into()),
            ..endpoint
        };
        assert_eq!(
            cloud.authorize_url().as_str(),
            "https://cloud.uipath.com/identity_/connect/authorize?acr_values=tenantName%3Aacme",
            "Automation Cloud signs users in at the host level, naming the organization"
        );
        assert_eq!(
            cloud.token_url().as_str(),
            "https://cloud.uipath.com/acme/identity_/connect/token"
        );
        let of = |url: &str| Endpoint::cloud_organization_in(&Url::parse(url).unwrap());
        assert_eq!(
            of("https://cloud.uipath.com/acme/identity_"),
            Some("acme".into())
        );
        assert_eq!(of("https://suite.example.com/acme/identity_"), None);
        assert_eq!(of("https://cloud.uipath.com/identity_"), None);
        let trailing = Url::parse("https://host.example/identity/").unwrap();
        assert_eq!(
            join(&trailing, &["api", "ExternalClient"]).as_str(),
            "https://host.example/identity/api/ExternalClient"
        );
    }

    /// The shapes live tenants send and take (`tests/fixtures/uipath/README.md` names the sources).
    mod fixtures {
        pub const APP: &str = include_str!("../tests/fixtures/uipath/external-client.json");
        pub const LIST: &str = include_str!("../tests/fixtures/uipath/external-client-list.json");
        pub const CATALOG: &str =
            include_str!("../tests/fixtures/uipath/external-api-resource.json");
        pub const CREATE: &str =
            include_str!("../tests/fixtures/uipath/create-external-client-command.json");
        pub const PROBLEM: &str = include_str!("../tests/fixtures/uipath/validation-problem.json");
    }

    #[test]
    fn a_live_tenants_app_reads_with_numeric_scope_types_and_secrets() {
        let app = crate::http::parse_json::<ExternalClientDto>(fixtures::APP.as_bytes(), "x")
            .unwrap()
            .into_app()
            .unwrap();
        assert_eq!(
            app.scopes,
            [
                Scope::new("OR.Assets", ScopeType::Application),
                Scope::new("OR.Jobs", ScopeType::Application),
                Scope::new("OR.Users.Read", ScopeType::User),
            ]
        );
        assert_eq!(
            app.secrets.iter().map(|s| s.id).collect::<Vec<_>>(),
            [48213, 48377]
        );
        assert_eq!(app.secrets[1].expires.map(|e| e.year()), Some(2027));
        assert!(app.redirect_uris.is_empty());
    }

    #[test]
    fn a_live_tenants_list_reads_without_scopes_or_secrets() {
        let apps: Vec<ExternalApp> =
            crate::http::parse_json::<Vec<ExternalClientDto>>(fixtures::LIST.as_bytes(), "x")
                .unwrap()
                .into_iter()
                .map(|dto| dto.into_app().unwrap())
                .collect();
        assert_eq!(apps[1].app_type, AppType::NonConfidential);
        assert_eq!(
            apps[1].redirect_uris,
            ["http://localhost:8085/Temporary_Listen_Addresses"]
        );
        assert!(apps
            .iter()
            .all(|a| a.scopes.is_empty() && a.secrets.is_empty()));
    }

    #[test]
    fn a_live_tenants_catalog_reads_each_scope_type() {
        let catalog: Vec<CatalogResource> =
            crate::http::parse_json::<Vec<ResourceDto>>(fixtures::CATALOG.as_bytes(), "x")
                .unwrap()
                .into_iter()
                .map(ResourceDto::into_catalog)
                .collect();
        let types: Vec<(&str, bool, bool)> = catalog
            .iter()
            .flat_map(|r| &r.scopes)
            .map(|s| (s.name.as_str(), s.user, s.application))
            .collect();
        assert_eq!(
            types,
            [
                ("OR.Jobs", true, true),
                ("OR.Jobs.Read", true, true),
                ("AI.Deployer.Read", false, true),
                ("DataFabric.Data.Read", true, false),
            ]
        );
        assert_eq!(catalog[1].description, None);
    }

    #[test]
    fn a_create_is_sent_in_the_shape_live_tenants_take() {
        let scopes = [
            Scope::new("OR.Jobs", ScopeType::Application),
            Scope::new("OR.Users", ScopeType::User),
        ];
        let body = CreateCommand {
            partition_global_id: "6a0b4f6e-2c59-4d3e-9b1a-7f8e9d0c1b2a".parse().unwrap(),
            name: "Billing sync",
            is_confidential: true,
            redirect_uri: Some("https://billing.example.com/callback".into()),
            scopes: scopes.iter().map(ScopeRef::from).collect(),
        };
        let expected: serde_json::Value = serde_json::from_str(fixtures::CREATE).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), expected);
        let without = CreateCommand {
            redirect_uri: None,
            ..body
        };
        assert!(
            serde_json::to_value(&without)
                .unwrap()
                .get("redirectUri")
                .is_none(),
            "no null members"
        );
    }

    #[test]
    fn a_live_tenants_refusal_names_each_field() {
        let problem: ProblemDetails = serde_json::from_str(fixtures::PROBLEM).unwrap();
        assert_eq!(
            field_messages(&problem.errors),
            "Redirect URLs: The redirect URI must be an absolute URI. \
             Scopes: Not all scopes=OR.Nope are present in database"
        );
        assert_eq!(
            problem.errors.keys().find_map(|key| field_of(key)),
            Some(Field::RedirectUris)
        );
    }

    #[test]
    fn scope_types_are_sent_as_numbers() {
        let scopes = [
            Scope::new("OR.Jobs", ScopeType::User),
            Scope::new("OR.Jobs", ScopeType::Application),
        ];
        let body = UpdateCommand {
            name: "Sync",
            redirect_uri: None,
            scopes: scopes.iter().map(ScopeRef::from).collect(),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap()["scopes"],
            serde_json::json!([{"name": "OR.Jobs", "type": 0}, {"name": "OR.Jobs", "type": 1}])
        );
    }

    #[test]
    fn catalog_scope_types_are_read_as_numbers_or_names() {
        let json = r#"[{"name":"UiPath.Orchestrator","scopes":[
            {"name":"OR.Jobs","type":2},{"name":"OR.Users","type":0},{"name":"OR.Ml","type":1},
            {"name":"OR.A","type":"userAndApplication"},{"name":"OR.B","type":"User"},
            {"name":"OR.C","type":"application"}]}]"#;
        let catalog: Vec<ResourceDto> = crate::http::parse_json(json.as_bytes(), "x").unwrap();
        let read: Vec<(String, bool, bool)> = catalog
            .into_iter()
            .flat_map(|r| r.into_catalog().scopes)
            .map(|s| (s.name, s.user, s.application))
            .collect();
        let expected = [
            ("OR.Jobs", true, true),
            ("OR.Users", true, false),
            ("OR.Ml", false, true),
            ("OR.A", true, true),
            ("OR.B", true, false),
            ("OR.C", false, true),
        ]
        .map(|(n, u, a)| (n.to_owned(), u, a));
        assert_eq!(read, expected);
    }

    #[test]
    fn an_unreadable_answer_names_the_member_and_never_its_value() {
        let json = r#"{"name":"Sync","id":"abc","isConfidential":true,
            "resources":[{"name":"UiPath.Orchestrator","scopes":[{"name":"OR.Jobs","type":7}]}]}"#;
        let error =
            crate::http::parse_json::<ExternalClientDto>(json.as_bytes(), "reading the app")
                .err()
                .expect("7 is no scope type");
        let said = error.to_string();
        assert!(said.contains("`resources[0].scopes[0].type`"), "{said}");

        // serde's own message would quote the value: invalid type: string "s3cr3t-value".
        let json = r#"{"id":"abc","isConfidential":"s3cr3t-value"}"#;
        let error =
            crate::http::parse_json::<ExternalClientDto>(json.as_bytes(), "reading the app")
                .err()
                .expect("isConfidential is a boolean");
        let said = error.to_string();
        assert!(said.contains("`isConfidential`"), "{said}");
        assert!(!said.contains("s3cr3t"), "{said}");

        let error =
            crate::http::parse_json::<ExternalClientDto>(br#"{"id":"abc"}"#, "reading the app")
                .err()
                .expect("isConfidential is needed");
        assert!(
            error
                .to_string()
                .contains("lacks the member `isConfidential`"),
            "{error}"
        );
    }

    #[test]
    fn each_refused_field_is_named_with_its_message() {
        let errors = BTreeMap::from([
            (
                "redirectUri".to_owned(),
                vec!["Must be absolute.".to_owned()],
            ),
            ("scopes[0].name".to_owned(), vec!["Unknown.".to_owned()]),
            ("partitionGlobalId".to_owned(), vec!["Required.".to_owned()]),
        ]);
        assert_eq!(
            field_messages(&errors),
            "partitionGlobalId: Required. Redirect URLs: Must be absolute. Scopes: Unknown."
        );
        assert_eq!(field_of("$.redirectUri"), Some(Field::RedirectUris));
        assert_eq!(field_of("Name"), Some(Field::Name));
        assert_eq!(field_of("command.Scopes"), Some(Field::Scopes));
    }

    #[test]
    fn a_client_reads_into_the_domain_with_both_scope_types() {
        let json = r#"{"name":"Sync","id":"abc","secret":null,"isConfidential":true,
            "redirectUri":"https://a.example/cb, https://b.example/cb",
            "resources":[{"name":"OR","displayName":"Orchestrator","scopes":[
                {"name":"OR.Jobs","type":"application"},{"name":"OR.Jobs","type":"user"}]}],
            "secrets":[{"id":7,"description":"first","secret":null,
                "creationTime":"2026-01-02T03:04:05.123","expiryTime":"2027-01-01T00:00:00Z"}]}"#;
        let app = serde_json::from_str::<ExternalClientDto>(json)
            .unwrap()
            .into_app()
            .unwrap();
        assert_eq!(
            app.redirect_uris,
            ["https://a.example/cb", "https://b.example/cb"]
        );
        assert_eq!(
            app.scopes,
            [
                Scope::new("OR.Jobs", ScopeType::User),
                Scope::new("OR.Jobs", ScopeType::Application)
            ]
        );
        assert_eq!(app.secrets[0].created.year(), 2026);
        assert_eq!(app.secrets[0].expires.map(|e| e.year()), Some(2027));
    }
}
