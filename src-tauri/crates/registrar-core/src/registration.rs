//! Generic OAuth 2.0 servers: their metadata (RFC 8414, or OpenID Connect discovery), dynamic
//! client registration (RFC 7591) with an initial access token, and the management of each
//! registered client (RFC 7592) with its registration access token.
//!
//! A registered client's registration access token and client URI are what let Registrar read,
//! change or delete it later: the caller keeps them in the keychain ([`Management`]), and keeps the
//! new token whenever an answer carries one (servers may rotate it on each update).

use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::draft::ValidDraft;
use crate::error::{Error, Result};
use crate::http::{
    is_html, parse_json, read_json, retry_after, send_with_retries, Repeat, Sent, RETRIES,
};
use crate::lenient;
use crate::model::{AppType, Field, Grant, TokenAuth};
use crate::Secret;

/// What a server says about itself, as far as Registrar needs it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerMetadata {
    pub issuer: Url,
    /// The issuer exactly as the server writes it: token libraries compare it byte for byte,
    /// and parsing adds a '/' to an issuer without a path.
    #[serde(skip)]
    pub published_issuer: String,
    pub token_endpoint: Url,
    #[serde(default)]
    pub authorization_endpoint: Option<Url>,
    /// Absent when the server does not take registrations: nothing can be registered there.
    #[serde(default)]
    pub registration_endpoint: Option<Url>,
    /// The scopes to offer; empty when the server does not list them.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
    /// How clients may authenticate at the token endpoint; RFC 8414's default when empty.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// Where this was read from.
    #[serde(skip)]
    pub metadata_url: Option<Url>,
}

impl ServerMetadata {
    /// How a confidential client registered here authenticates: HTTP Basic (RFC 7591's default,
    /// and the one method RFC 6749 has every server accept) unless the server names methods
    /// without it and with `client_secret_post`. Servers exist that list `client_secret_post`
    /// but take only Basic at the token endpoint.
    pub fn secret_auth(&self) -> TokenAuth {
        let names = |auth: TokenAuth| {
            self.token_endpoint_auth_methods_supported
                .iter()
                .any(|m| m == auth.method())
        };
        if !names(TokenAuth::SecretBasic) && names(TokenAuth::SecretPost) {
            TokenAuth::SecretPost
        } else {
            TokenAuth::SecretBasic
        }
    }
}

/// Reads the server's metadata from its issuer URL: RFC 8414's
/// `/.well-known/oauth-authorization-server` first, then OpenID Connect's
/// `/.well-known/openid-configuration`. The issuer in the document must be the one asked for.
pub async fn discover(http: &reqwest::Client, issuer: &Url) -> Result<ServerMetadata> {
    let what = "reading the server's metadata";
    let base = issuer.as_str().trim_end_matches('/');
    let candidates = [
        // RFC 8414 §3: the well-known part goes between the host and the issuer's path.
        well_known(issuer, "oauth-authorization-server"),
        format!("{base}/.well-known/openid-configuration"),
    ];
    // What each address answered that was not metadata, to say if none was.
    let mut answered = Vec::new();
    for url in candidates {
        let response = send_with_retries(RETRIES, Repeat::Idempotent, what, || {
            http.get(url.as_str()).send()
        })
        .await?
        .response;
        let status = response.status();
        if status.is_server_error() {
            return Err(Error::Server(format!(
                "{url} answered HTTP {}: the server failed; try again later.",
                status.as_u16()
            )));
        }
        // Servers answer an address they do not serve in many ways: 404, another refusal, or
        // (LemonLDAP::NG for RFC 8414's) 200 with their sign-in page. The next address is tried.
        if !status.is_success() {
            answered.push(format!("{url} answered HTTP {}", status.as_u16()));
            continue;
        }
        if is_html(&response) {
            answered.push(format!("{url} answered with a web page"));
            continue;
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| crate::http::transport_error(&e, what))?;
        let mut metadata: ServerMetadata = match parse_json(&bytes, what) {
            Ok(metadata) => metadata,
            Err(unreadable) => {
                answered.push(format!("{url} answered with something else ({unreadable})"));
                continue;
            }
        };
        metadata.published_issuer = parse_json::<Published>(&bytes, what)?.issuer;
        metadata.metadata_url = url.parse().ok();
        if metadata.issuer.as_str().trim_end_matches('/') != base {
            return Err(Error::Server(format!(
                "The metadata at {url} names the issuer {}, not {base}: check the issuer URL.",
                metadata.issuer
            )));
        }
        secure(&metadata.token_endpoint, "token endpoint")?;
        if let Some(endpoint) = &metadata.registration_endpoint {
            secure(endpoint, "registration endpoint")?;
        }
        return Ok(metadata);
    }
    Err(Error::NotFound(format!(
        "{base} publishes no OAuth metadata ({}): check the issuer URL.",
        answered.join("; ")
    )))
}

/// The issuer as written in the metadata.
#[derive(Deserialize)]
struct Published {
    issuer: String,
}

/// Tokens and secrets go over https only; plain http only to a server on this computer.
fn secure(url: &Url, what: &str) -> Result<()> {
    if url.scheme() == "https" || (url.scheme() == "http" && crate::draft::is_loopback(url)) {
        return Ok(());
    }
    Err(Error::Server(format!(
        "The server names {url} as its {what}: Registrar sends tokens and secrets only over https \
         (plain http only to a server on this computer)."
    )))
}

fn well_known(issuer: &Url, name: &str) -> String {
    let path = issuer.path().trim_end_matches('/');
    let mut url = issuer.clone();
    url.set_path(&format!("/.well-known/{name}{path}"));
    url.set_query(None);
    url.to_string()
}

/// A client's metadata as RFC 7591 names it. An update sends all of it (RFC 7592 §2.2), the
/// fields Registrar does not edit (`extra`: contacts, logo, keys…) included, since the server
/// deletes what an update leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientMetadata {
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub client_name: String,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub redirect_uris: Vec<String>,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub grant_types: Vec<String>,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub response_types: Vec<String>,
    /// Space-separated, as on the wire. None when an answer left it out: some servers do in
    /// reads, and that says nothing about which scopes the client holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// How the client authenticates at the token endpoint; None when an answer left it out
    /// (RFC 7591 §2 would then mean `client_secret_basic`, but servers that leave it out may
    /// well have kept what was sent). Some servers write it as an array of one.
    #[serde(
        default,
        deserialize_with = "lenient::one_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub token_endpoint_auth_method: Option<String>,
    /// Every other field the server keeps for the client, sent back unchanged.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Fields the server sets, which RFC 7592 §2.2 forbids in an update.
const SERVER_SET: [&str; 5] = [
    "client_id_issued_at",
    "client_secret_expires_at",
    "registration_access_token",
    "registration_client_uri",
    "client_secret",
];

impl ClientMetadata {
    /// The metadata for a checked draft, its grant types derived from its type and scopes as for
    /// UiPath: application scopes need client credentials, user scopes the authorization code
    /// (with a refresh token); a non-confidential client has no secret.
    pub fn from_draft(draft: &ValidDraft, auth: TokenAuth) -> Self {
        let app = crate::model::ExternalApp {
            id: String::new(),
            name: draft.name.clone(),
            app_type: draft.app_type,
            redirect_uris: draft.redirect_uris.clone(),
            scopes: draft.scopes.clone(),
            secrets: Vec::new(),
            token_auth: auth,
            listed_only: false,
        };
        let grants = app.grants();
        let mut grant_types = Vec::new();
        let mut response_types = Vec::new();
        if grants.contains(&Grant::ClientCredentials) {
            grant_types.push("client_credentials".to_owned());
        }
        if grants
            .iter()
            .any(|g| matches!(g, Grant::AuthorizationCode | Grant::AuthorizationCodePkce))
        {
            grant_types.push("authorization_code".to_owned());
            grant_types.push("refresh_token".to_owned());
            response_types.push("code".to_owned());
        }
        Self {
            client_name: draft.name.clone(),
            redirect_uris: draft.redirect_uris.clone(),
            grant_types,
            response_types,
            scope: scope_value(draft.scopes.iter().map(|s| s.name.as_str())),
            token_endpoint_auth_method: Some(
                match draft.app_type {
                    AppType::Confidential => auth.method(),
                    AppType::NonConfidential => "none",
                }
                .to_owned(),
            ),
            extra: serde_json::Map::new(),
        }
    }

    /// This client's metadata changed to `draft`, keeping the fields Registrar does not edit
    /// and how the client authenticates (its type cannot change): as the server has it, else as
    /// recorded (`auth`), so an update never leaves it to the server's default.
    pub fn edited(&self, draft: &ValidDraft, auth: TokenAuth) -> Self {
        let sent = Self::from_draft(draft, auth);
        Self {
            extra: self.extra.clone(),
            token_endpoint_auth_method: self
                .token_endpoint_auth_method
                .clone()
                .or(sent.token_endpoint_auth_method.clone()),
            ..sent
        }
    }
}

/// Scope names as one `scope` value: each once, in order; none when there are none.
pub(crate) fn scope_value<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names.dedup();
    (!names.is_empty()).then(|| names.join(" "))
}

/// How to reach a registered client again: kept in the keychain, never in a file.
#[derive(Debug)]
pub struct Management {
    pub client_uri: Url,
    pub access_token: Secret,
}

/// A client as the server describes it after a registration, a read or an update.
#[derive(Debug)]
pub struct RegisteredClient {
    pub client_id: String,
    /// The secret, when the answer carries one: servers differ, some send it in every answer,
    /// some only when they issue it.
    pub client_secret: Option<Secret>,
    /// When the secret expires (seconds since the epoch); 0 or absent: never.
    pub client_secret_expires_at: Option<i64>,
    pub metadata: ClientMetadata,
    /// Present when the server manages registrations (RFC 7592); a newer token replaces the one
    /// kept.
    pub management: Option<Management>,
}

#[derive(Deserialize)]
struct ClientResponse {
    client_id: String,
    #[serde(default)]
    client_secret: Option<Secret>,
    /// Some servers write it as a string.
    #[serde(default, deserialize_with = "lenient::number")]
    client_secret_expires_at: Option<i64>,
    #[serde(default)]
    registration_access_token: Option<Secret>,
    #[serde(default)]
    registration_client_uri: Option<Url>,
    #[serde(flatten)]
    metadata: ClientMetadata,
}

#[derive(Deserialize)]
struct RegistrationError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// The full metadata an update sends: RFC 7592 wants the client id with it.
#[derive(Serialize)]
struct UpdateBody<'a> {
    client_id: &'a str,
    #[serde(flatten)]
    metadata: &'a ClientMetadata,
    /// Asks for a new secret. Not in RFC 7592: servers that know it (by a registration policy)
    /// issue a new secret; others ignore it, as RFC 7591 §2 has them do with unknown metadata.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    rotate_client_secret: bool,
}

/// What asking for a new secret gave.
#[derive(Debug)]
pub struct Rotation {
    /// The client as the answer describes it; keep its registration access token either way.
    pub client: RegisteredClient,
    /// False when the server answered with the same secret (or none): it does not rotate
    /// secrets this way, and the client must be registered again for a new one.
    pub rotated: bool,
}

/// Registers, reads, updates and deletes clients on one server.
#[derive(Debug, Clone)]
pub struct RegistrationClient {
    http: reqwest::Client,
    server: ServerMetadata,
}

impl RegistrationClient {
    pub fn new(http: reqwest::Client, server: ServerMetadata) -> Self {
        Self { http, server }
    }

    pub fn server(&self) -> &ServerMetadata {
        &self.server
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Registers a client (RFC 7591 §3). It is sent once: the protocol has no way to look a
    /// client up, so an answer that is lost cannot be checked, and the admin is told so.
    pub async fn register(
        &self,
        initial_access_token: Option<&Secret>,
        metadata: &ClientMetadata,
    ) -> Result<RegisteredClient> {
        let what = "registering the client";
        let endpoint = self.server.registration_endpoint.clone().ok_or_else(|| {
            Error::Forbidden(format!(
                "{} takes no registrations: its metadata names no registration_endpoint.",
                self.server.issuer
            ))
        })?;
        let sent = send_with_retries(RETRIES, Repeat::Once, what, || {
            let request = self.http.post(endpoint.clone()).json(metadata);
            match initial_access_token {
                Some(token) => request.bearer_auth(token.expose()),
                None => request,
            }
            .send()
        })
        .await;
        let unsure = |cause: Error| {
            Error::Conflict(format!(
                "{cause} The server may have registered \"{}\" all the same, and dynamic \
                 registration offers no way to look it up: check the server's list of clients \
                 before registering it again.",
                metadata.client_name
            ))
        };
        let response = match sent {
            Ok(sent) => sent.response,
            Err(failed) if failed.maybe_done => return Err(unsure(failed.error)),
            Err(failed) => return Err(failed.error),
        };
        once_answered(client_answer(response, what).await, unsure)
    }

    /// Reads a registered client (RFC 7592 §2.1).
    pub async fn read(&self, management: &Management) -> Result<RegisteredClient> {
        let what = "reading the client";
        let response = self.managed(Method::GET, management, what).await?.response;
        client_answer(response, what).await
    }

    /// Replaces a client's metadata with `metadata` (RFC 7592 §2.2, a PUT of all of it). Keep the
    /// registration access token the answer carries: servers may replace it on each update.
    pub async fn update(
        &self,
        management: &Management,
        client_id: &str,
        metadata: &ClientMetadata,
    ) -> Result<RegisteredClient> {
        self.put(
            management,
            client_id,
            metadata,
            false,
            "updating the client",
        )
        .await
    }

    /// Asks for a new client secret through an update. The answer says whether the server
    /// rotated it ([`Rotation::rotated`]); its registration access token must be kept either way.
    pub async fn rotate_secret(
        &self,
        management: &Management,
        client_id: &str,
        metadata: &ClientMetadata,
        current: Option<&Secret>,
    ) -> Result<Rotation> {
        let client = self
            .put(
                management,
                client_id,
                metadata,
                true,
                "asking for a new secret",
            )
            .await?;
        let rotated = client
            .client_secret
            .as_ref()
            .is_some_and(|s| current.is_none_or(|c| c.expose() != s.expose()));
        Ok(Rotation { client, rotated })
    }

    async fn put(
        &self,
        management: &Management,
        client_id: &str,
        metadata: &ClientMetadata,
        rotate_client_secret: bool,
        what: &str,
    ) -> Result<RegisteredClient> {
        let mut metadata = metadata.clone();
        for field in SERVER_SET {
            metadata.extra.remove(field);
        }
        // A member without a value is not sent: servers differ on whether null deletes it or
        // is refused, and leaving it out means "none" to all of them.
        metadata.extra.retain(|_, value| !value.is_null());
        let body = serde_json::to_value(UpdateBody {
            client_id,
            metadata: &metadata,
            rotate_client_secret,
        })
        .map_err(|e| Error::Server(format!("Could not write the client's metadata: {e}")))?;
        // Sent once: a server that replaces the registration access token on each update would
        // refuse a second try with the old one.
        let sent = send_with_retries(RETRIES, Repeat::Once, what, || {
            self.http
                .put(management.client_uri.clone())
                .bearer_auth(management.access_token.expose())
                .json(&body)
                .send()
        })
        .await;
        let unsure = |cause: Error| {
            Error::Conflict(format!(
                "{cause} The server may have made the change all the same and replaced the \
                 client's registration access token with one Registrar never received; if the \
                 client can no longer be read, register it again."
            ))
        };
        let response = match sent {
            Ok(sent) => sent.response,
            Err(failed) if failed.maybe_done => return Err(unsure(failed.error)),
            Err(failed) => return Err(failed.error),
        };
        once_answered(client_answer(response, what).await, unsure)
    }

    /// Deletes a client (RFC 7592 §2.3). When the answer to a first try was lost and the next
    /// try finds the client gone, it was the first that deleted it.
    pub async fn delete(&self, management: &Management) -> Result<()> {
        let what = "deleting the client";
        let sent = self.managed(Method::DELETE, management, what).await?;
        let response = sent.response;
        match response.status() {
            status if status.is_success() => Ok(()),
            StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND if sent.repeated_after_loss => Ok(()),
            StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND => Err(Error::NotFound(
                "The server no longer knows this client, or no longer accepts its registration \
                 access token: it may have been deleted already."
                    .into(),
            )),
            _ => Err(failure(response, what).await),
        }
    }

    /// A read or a delete: doing either twice does no harm.
    async fn managed(&self, method: Method, management: &Management, what: &str) -> Result<Sent> {
        Ok(send_with_retries(RETRIES, Repeat::Idempotent, what, || {
            self.http
                .request(method.clone(), management.client_uri.clone())
                .bearer_auth(management.access_token.expose())
                .send()
        })
        .await?)
    }
}

/// A client as an answer describes it, or the refusal in words.
async fn client_answer(response: reqwest::Response, what: &str) -> Result<RegisteredClient> {
    let status = response.status();
    if !status.is_success() {
        return Err(failure(response, what).await);
    }
    let body: ClientResponse = read_json(response, what).await?;
    let management = match (body.registration_client_uri, body.registration_access_token) {
        (Some(client_uri), Some(access_token)) => {
            secure(&client_uri, "registration client URI")?;
            Some(Management {
                client_uri,
                access_token,
            })
        }
        _ => None,
    };
    Ok(RegisteredClient {
        client_id: body.client_id,
        client_secret: body.client_secret,
        client_secret_expires_at: body.client_secret_expires_at,
        metadata: body.metadata,
        management,
    })
}

/// The outcome of a request sent once: a server failure (5xx) or an answer that cannot be read
/// leaves open whether the server acted, which `unsure` says in words.
fn once_answered(
    answer: Result<RegisteredClient>,
    unsure: impl FnOnce(Error) -> Error,
) -> Result<RegisteredClient> {
    match answer {
        Err(cause @ Error::Server(_)) => Err(unsure(cause)),
        answer => answer,
    }
}

/// A refusal in words: RFC 7591 §3.2.2 errors name the field to fix.
async fn failure(response: reqwest::Response, what: &str) -> Error {
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Error::RateLimited {
            retry_after: retry_after(&response),
        };
    }
    if is_html(&response) {
        return crate::http::html_error(what);
    }
    if status.is_server_error() {
        return Error::Server(format!(
            "The server failed while {what} (HTTP {}). Try again later.",
            status.as_u16()
        ));
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return Error::Unauthorized(format!(
            "The server refused the token for {what}: the initial access token (to register) or \
             the client's registration access token (to manage it) is wrong or has expired."
        ));
    }
    let Ok(problem) = read_json::<RegistrationError>(response, what).await else {
        return Error::Server(format!(
            "The server answered {what} with HTTP {}.",
            status.as_u16()
        ));
    };
    let said = problem
        .error_description
        .map(|d| format!(" The server said: {d}"))
        .unwrap_or_default();
    // Some servers refuse a missing or wrong initial access token with 400 access_denied.
    if problem.error == "access_denied" {
        return Error::Unauthorized(format!(
            "The server refused {what} (access_denied): the initial access token (to register) \
             or the client's registration access token (to manage it) is wrong, has expired, or \
             is needed.{said}"
        ));
    }
    let field = match problem.error.as_str() {
        "invalid_redirect_uri" => Some(Field::RedirectUris),
        "invalid_client_metadata" if said.contains("scope") => Some(Field::Scopes),
        _ => None,
    };
    Error::InvalidInput {
        field,
        message: format!("The server refused {what} ({}).{said}", problem.error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::AppDraft;
    use crate::model::{Scope, ScopeType};

    fn metadata(
        app_type: AppType,
        redirects: &[&str],
        scopes: &[(&str, ScopeType)],
    ) -> ClientMetadata {
        let draft = AppDraft {
            name: "Billing".into(),
            app_type,
            redirect_uris: redirects.iter().map(|r| (*r).to_owned()).collect(),
            scopes: scopes.iter().map(|(n, t)| Scope::new(*n, *t)).collect(),
        };
        ClientMetadata::from_draft(&draft.validate(None).unwrap(), TokenAuth::SecretBasic)
    }

    #[test]
    fn grant_types_follow_from_the_type_and_the_scopes_as_for_uipath() {
        let machine = metadata(
            AppType::Confidential,
            &[],
            &[("orders.read", ScopeType::Application)],
        );
        assert_eq!(machine.grant_types, ["client_credentials"]);
        assert!(
            machine.response_types.is_empty(),
            "no code flow, so no redirect URL needed"
        );
        assert_eq!(
            machine.token_endpoint_auth_method.as_deref(),
            Some("client_secret_basic")
        );

        let both = metadata(
            AppType::Confidential,
            &["https://app.example.com/cb"],
            &[
                ("orders.read", ScopeType::Application),
                ("orders.read", ScopeType::User),
                ("a.b", ScopeType::User),
            ],
        );
        assert_eq!(
            both.grant_types,
            ["client_credentials", "authorization_code", "refresh_token"]
        );
        assert_eq!(both.response_types, ["code"]);
        assert_eq!(
            both.scope.as_deref(),
            Some("a.b orders.read"),
            "each scope once"
        );

        let public = metadata(
            AppType::NonConfidential,
            &["http://127.0.0.1/cb"],
            &[("orders.read", ScopeType::User)],
        );
        assert_eq!(public.token_endpoint_auth_method.as_deref(), Some("none"));
        assert_eq!(public.grant_types, ["authorization_code", "refresh_token"]);
    }

    #[test]
    fn confidential_clients_use_basic_unless_the_server_names_only_post() {
        let server = |methods: &[&str]| ServerMetadata {
            issuer: "https://login.example.com".parse().unwrap(),
            published_issuer: "https://login.example.com".into(),
            token_endpoint: "https://login.example.com/token".parse().unwrap(),
            authorization_endpoint: None,
            registration_endpoint: None,
            scopes_supported: vec![],
            grant_types_supported: vec![],
            token_endpoint_auth_methods_supported: methods.iter().map(|m| (*m).into()).collect(),
            metadata_url: None,
        };
        assert_eq!(
            server(&[]).secret_auth(),
            TokenAuth::SecretBasic,
            "RFC 8414's default"
        );
        assert_eq!(
            server(&["client_secret_post", "client_secret_basic"]).secret_auth(),
            TokenAuth::SecretBasic
        );
        assert_eq!(
            server(&["client_secret_post", "private_key_jwt"]).secret_auth(),
            TokenAuth::SecretPost
        );
        assert_eq!(
            server(&["private_key_jwt"]).secret_auth(),
            TokenAuth::SecretBasic
        );
    }

    fn answer(status: u16, body: &str) -> reqwest::Response {
        reqwest::Response::from(
            http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body.to_owned())
                .unwrap(),
        )
    }

    #[tokio::test]
    async fn a_registration_refused_as_access_denied_is_a_refused_token() {
        let refused = failure(
            answer(
                400,
                r#"{"error":"access_denied","error_description":"no token"}"#,
            ),
            "registering the client",
        )
        .await;
        assert!(matches!(refused, Error::Unauthorized(_)), "{refused:?}");
        let metadata = failure(
            answer(400, r#"{"error":"invalid_redirect_uri"}"#),
            "registering the client",
        )
        .await;
        assert!(
            matches!(
                metadata,
                Error::InvalidInput {
                    field: Some(Field::RedirectUris),
                    ..
                }
            ),
            "{metadata:?}"
        );
    }

    #[test]
    fn tokens_go_over_https_or_to_this_computer_only() {
        let url = |u: &str| u.parse::<Url>().unwrap();
        assert!(secure(&url("https://login.example.com/token"), "token endpoint").is_ok());
        assert!(secure(&url("http://127.0.0.1:8080/token"), "token endpoint").is_ok());
        let err = secure(&url("http://login.example.com/token"), "token endpoint").unwrap_err();
        assert!(err.to_string().contains("only over https"), "{err}");
    }

    #[test]
    fn an_edit_keeps_the_fields_registrar_does_not_edit() {
        let mut current = metadata(
            AppType::Confidential,
            &[],
            &[("orders.read", ScopeType::Application)],
        );
        current
            .extra
            .insert("contacts".into(), serde_json::json!(["ops@example.com"]));
        let draft = AppDraft {
            name: "Billing v2".into(),
            app_type: AppType::Confidential,
            redirect_uris: vec![],
            scopes: vec![Scope::new("orders.write", ScopeType::Application)],
        };
        let edited = current.edited(&draft.validate(None).unwrap(), TokenAuth::SecretBasic);
        assert_eq!(edited.client_name, "Billing v2");
        assert_eq!(edited.scope.as_deref(), Some("orders.write"));
        assert_eq!(
            edited.extra["contacts"],
            serde_json::json!(["ops@example.com"])
        );
    }

    #[test]
    fn the_rfc_8414_address_puts_the_well_known_part_before_the_issuers_path() {
        let issuer: Url = "https://login.example.com/tenant/".parse().unwrap();
        assert_eq!(
            well_known(&issuer, "oauth-authorization-server"),
            "https://login.example.com/.well-known/oauth-authorization-server/tenant"
        );
    }
}
