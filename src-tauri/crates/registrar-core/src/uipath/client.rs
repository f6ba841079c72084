//! [`UiPathClient`] and its operations: listing, reading, registering, saving and deleting apps
//! and their secrets, and reading the scope catalog.

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Serialize;
use tokio::sync::Mutex;
use url::Url;

use super::endpoint::{join, Endpoint};
use super::token::{AdminAuth, CachedToken, RefreshTokenStore};
use super::wire::{
    api_error, join_redirects, CreateCommand, CreateSecretCommand, ExternalClientDto, ResourceDto,
    ScopeRef, SecretDto, UpdateCommand,
};
use crate::draft::ValidDraft;
use crate::error::{Error, Result};
use crate::http::{read_json, send_with_retries, Repeat, Unanswered, RETRIES};
use crate::model::{AppType, CatalogResource, ExternalApp, SecretInfo};
use crate::oauth::ClientCredentials;
use crate::secrets::NewSecret;
use crate::Secret;

/// A newly created app and, for a confidential one, its first secret (the one time it is seen).
#[derive(Debug)]
pub struct CreatedApp {
    pub app: ExternalApp,
    pub secret: Option<Secret>,
}

#[derive(Debug)]
pub struct UiPathClient {
    pub(super) http: reqwest::Client,
    pub(super) endpoint: Endpoint,
    pub(super) auth: AdminAuth,
    pub(super) token: Mutex<Option<CachedToken>>,
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
        let app = read_json::<ExternalClientDto>(response, "reading the application")
            .await?
            .into_app()?;
        // Read by itself, an app without scopes or secrets has none.
        Ok(ExternalApp {
            listed_only: false,
            ..app
        })
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
}

/// `error` with `note` added to its message, keeping its kind.
fn with_note(error: Error, note: &str) -> Error {
    match error {
        Error::Network(message) => Error::Network(format!("{message} {note}")),
        Error::Server(message) => Error::Server(format!("{message} {note}")),
        other => Error::Server(format!("{other} {note}")),
    }
}
