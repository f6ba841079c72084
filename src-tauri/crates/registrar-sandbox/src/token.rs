//! The OAuth 2.0 token endpoint (client_credentials; authorization_code with PKCE; refresh_token
//! with rotation), discovery and the JWKS.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, PRAGMA, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use registrar_shared::pkce::s256_challenge;
use registrar_shared::Secret;
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::catalog::catalog;
use crate::jwt::{Claims, LIFETIME_SECS};
use crate::server::{media_type, AppState};
use crate::store::{Taken, UserGrantKind};
use crate::validate::scope_parameter;
use crate::{secrets, store};

const CLIENT_CREDENTIALS: &str = "client_credentials";
const AUTHORIZATION_CODE: &str = "authorization_code";
const REFRESH_TOKEN: &str = "refresh_token";
/// Refresh tokens live 60 days, as UiPath's do.
const REFRESH_LIFETIME: time::Duration = time::Duration::days(60);
const OFFLINE_ACCESS: &str = "offline_access";
/// `sub_type` of a token issued to a signed-in user; an app's own tokens are `service.external`.
pub(crate) const USER_SUBJECT: &str = "user";
const APP_SUBJECT: &str = "service.external";

/// An RFC 6749 §5.2 error answer.
#[derive(Debug)]
pub(crate) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    /// The client authenticated with HTTP Basic, so a 401 carries a Basic challenge.
    basic: bool,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            basic: false,
        }
    }

    fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn invalid_client(description: impl Into<String>, basic: bool) -> Self {
        Self {
            basic,
            ..Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
        }
    }

    fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
    }

    fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response();
        no_store(response.headers_mut());
        if self.basic && self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="registrar-sandbox""#),
            );
        }
        response
    }
}

impl From<rusqlite::Error> for OAuthError {
    fn from(error: rusqlite::Error) -> Self {
        tracing::error!(%error, "sandbox database error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The sandbox could not read its database.",
        )
    }
}

fn no_store(headers: &mut HeaderMap) {
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
}

pub(crate) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, OAuthError> {
    if media_type(&headers).as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(OAuthError::invalid_request(
            "The request body must be application/x-www-form-urlencoded: token requests are never JSON.",
        ));
    }
    let body = body.map_err(|rejection| {
        OAuthError::invalid_request(format!(
            "The request body could not be read: {}",
            rejection.body_text()
        ))
    })?;
    let mut form = parse_form(&body)?;
    // Some identity server versions refuse a long scope string outright, in these words.
    if let (Some(limit), Some(scope)) = (state.scope_length_limit, form.get("scope")) {
        if scope.len() > limit {
            return Err(OAuthError::invalid_request("Invalid scope"));
        }
    }
    let grant_type = form
        .remove("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("The grant_type parameter is missing."))?;
    match grant_type.as_str() {
        CLIENT_CREDENTIALS => client_credentials_grant(&state, &headers, form).await,
        AUTHORIZATION_CODE => code_grant(&state, &headers, form).await,
        REFRESH_TOKEN => refresh_grant(&state, &headers, form).await,
        other => Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!(
                "This sandbox issues tokens through client_credentials, authorization_code and \
                 refresh_token, not {other}."
            ),
        )),
    }
}

/// A client that proved who it is: with its secret, or, for a non-confidential app in a user
/// flow, by its client_id alone (PKCE then proves the rest).
struct Authenticated {
    client_id: String,
    client: Arc<store::TokenClient>,
}

async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    form: &mut HashMap<String, String>,
    public_allowed: bool,
) -> Result<Authenticated, OAuthError> {
    let presented = client_credentials(headers, form)?;
    let (client_id, basic) = match &presented {
        Presented::Secret(credentials) => (credentials.client_id.clone(), credentials.basic),
        Presented::Public(Some(client_id)) if public_allowed => (client_id.clone(), false),
        Presented::Public(_) => {
            return Err(OAuthError::invalid_client(
                "Client authentication is required: client_id and client_secret in the body, or HTTP Basic.",
                false,
            ))
        }
    };
    let client = state.clients.get(&state.db, &client_id).await?;
    let failed = || {
        OAuthError::invalid_client(
            "Client authentication failed: unknown client, wrong secret, or an expired secret.",
            basic,
        )
    };
    let client = client.ok_or_else(failed)?;
    match presented {
        Presented::Secret(credentials) => {
            let presented = secrets::hash(credentials.secret.expose());
            if !client.is_confidential
                || !secrets::matches_any(
                    client.live_secret_hashes(OffsetDateTime::now_utc()),
                    &presented,
                )
            {
                return Err(failed());
            }
        }
        Presented::Public(_) if client.is_confidential => {
            return Err(OAuthError::invalid_client(
                "A confidential application must authenticate with its client secret.",
                false,
            ))
        }
        Presented::Public(_) => {}
    }
    Ok(Authenticated { client_id, client })
}

async fn client_credentials_grant(
    state: &AppState,
    headers: &HeaderMap,
    mut form: HashMap<String, String>,
) -> Result<Response, OAuthError> {
    let who = authenticate(state, headers, &mut form, false).await?;
    let granted = grant_scopes(
        form.get("scope").map(String::as_str),
        &who.client.application_scopes,
    )?;
    Ok(issue(
        state,
        &who.client_id,
        &who.client_id,
        APP_SUBJECT,
        &granted.join(" "),
        None,
    ))
}

async fn code_grant(
    state: &AppState,
    headers: &HeaderMap,
    mut form: HashMap<String, String>,
) -> Result<Response, OAuthError> {
    let who = authenticate(state, headers, &mut form, true).await?;
    let code = form
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("The code parameter is missing."))?;
    let grant = take(state, code, UserGrantKind::Code, &who.client_id).await?;
    if form.get("redirect_uri") != grant.redirect_uri.as_ref() {
        return Err(OAuthError::invalid_grant(
            "redirect_uri must be the one the code was asked for, exactly.",
        ));
    }
    match (&grant.code_challenge, form.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if s256_challenge(verifier) != *challenge => {
            return Err(OAuthError::invalid_grant(
                "The code_verifier does not match the code_challenge (S256).",
            ))
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_grant(
                "The code was asked for with PKCE: send its code_verifier.",
            ))
        }
        // RFC 9700 §2.1.1: accepting a verifier here would let whoever injects a code stolen from
        // a flow without PKCE pass it off as protected.
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "The code was asked for without a code_challenge, so it cannot be redeemed with a \
                 code_verifier: sign in again sending the code_challenge, or leave the \
                 code_verifier out.",
            ))
        }
        _ => {}
    }
    user_tokens(state, &who.client_id, &grant).await
}

async fn refresh_grant(
    state: &AppState,
    headers: &HeaderMap,
    mut form: HashMap<String, String>,
) -> Result<Response, OAuthError> {
    let who = authenticate(state, headers, &mut form, true).await?;
    let token = form
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("The refresh_token parameter is missing."))?;
    let grant = take(state, token, UserGrantKind::Refresh, &who.client_id).await?;
    user_tokens(state, &who.client_id, &grant).await
}

/// Uses up a code or refresh token issued to `client_id`, or says why it cannot be used.
async fn take(
    state: &AppState,
    value: &str,
    kind: UserGrantKind,
    client_id: &str,
) -> Result<store::UserGrant, OAuthError> {
    let what = match kind {
        UserGrantKind::Code => "authorization code",
        UserGrantKind::Refresh => "refresh token",
    };
    let hash = secrets::hash(value);
    let now = OffsetDateTime::now_utc();
    match state
        .db
        .run(move |conn| store::take_user_grant(conn, &hash, kind, now))
        .await?
    {
        Taken::Fresh(grant) if grant.client_id == client_id => Ok(grant),
        Taken::Fresh(_) => Err(OAuthError::invalid_grant(format!(
            "This {what} was issued to another application."
        ))),
        Taken::Reused => Err(OAuthError::invalid_grant(format!(
            "This {what} was used already: each works once. The refresh tokens issued from it \
             are revoked: sign in again."
        ))),
        Taken::Missing => Err(OAuthError::invalid_grant(format!(
            "This {what} is unknown or expired."
        ))),
    }
}

/// An access token for the user, and a new refresh token when `offline_access` was granted.
/// The refresh token joins the family of the grant it comes from.
async fn user_tokens(
    state: &AppState,
    client_id: &str,
    from: &store::UserGrant,
) -> Result<Response, OAuthError> {
    let (user_id, scope) = (from.user_id.as_str(), from.scope.as_str());
    let refresh = if scope.split(' ').any(|s| s == OFFLINE_ACCESS) {
        let value = secrets::generate().map_err(|_| {
            OAuthError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "The sandbox has no randomness.",
            )
        })?;
        let grant = store::UserGrant {
            client_id: client_id.to_owned(),
            user_id: user_id.to_owned(),
            scope: scope.to_owned(),
            redirect_uri: None,
            code_challenge: None,
            expires: OffsetDateTime::now_utc() + REFRESH_LIFETIME,
            family: from.family.clone(),
        };
        let hash = secrets::hash(value.expose());
        state
            .db
            .run(move |conn| store::insert_user_grant(conn, &hash, UserGrantKind::Refresh, &grant))
            .await?;
        Some(value)
    } else {
        None
    };
    Ok(issue(
        state,
        user_id,
        client_id,
        USER_SUBJECT,
        scope,
        refresh,
    ))
}

fn issue(
    state: &AppState,
    sub: &str,
    client_id: &str,
    sub_type: &str,
    scope: &str,
    refresh: Option<Secret>,
) -> Response {
    let issued_at = OffsetDateTime::now_utc().unix_timestamp();
    let claims = Claims {
        iss: state.issuer.clone(),
        aud: catalog().audience(scope.split(' ')),
        sub: sub.to_owned(),
        client_id: client_id.to_owned(),
        scope: scope.to_owned(),
        iat: issued_at,
        nbf: issued_at,
        exp: issued_at + LIFETIME_SECS,
        jti: Uuid::new_v4().to_string(),
        sub_type: sub_type.to_owned(),
        prt_id: state.partition.to_string(),
    };
    let access_token = state.key.sign(&claims);
    tracing::info!(client_id = %claims.client_id, scope = %claims.scope, sub_type, "issued an access token");
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": LIFETIME_SECS,
        "scope": claims.scope,
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh.expose());
    }
    let mut response = Json(body).into_response();
    no_store(response.headers_mut());
    response
}

fn parse_form(body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let mut form = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        let name = name.into_owned();
        if form.contains_key(&name) {
            return Err(OAuthError::invalid_request(format!(
                "The parameter {name} was sent more than once."
            )));
        }
        form.insert(name, value.into_owned());
    }
    Ok(form)
}

struct Credentials {
    client_id: String,
    secret: Secret,
    basic: bool,
}

/// What the client presented: a secret (client_secret_basic or client_secret_post, never both:
/// RFC 6749 §2.3), or no secret, with the client_id the body names.
enum Presented {
    Secret(Credentials),
    Public(Option<String>),
}

fn client_credentials(
    headers: &HeaderMap,
    form: &mut HashMap<String, String>,
) -> Result<Presented, OAuthError> {
    let form_id = form.remove("client_id");
    let form_secret = form.remove("client_secret").map(Secret::new);
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, encoded)| encoded);
    let Some(encoded) = basic else {
        return Ok(match (form_id, form_secret) {
            (Some(client_id), Some(secret)) => Presented::Secret(Credentials {
                client_id,
                secret,
                basic: false,
            }),
            (client_id, _) => Presented::Public(client_id),
        });
    };
    if form_secret.is_some() {
        return Err(OAuthError::invalid_request(
            "Send the client credentials once: in the Authorization header (client_secret_basic) or \
             in the body (client_secret_post), not both.",
        ));
    }
    let (client_id, secret) = decode_basic(encoded).ok_or_else(|| {
        OAuthError::invalid_client("The Basic Authorization header is malformed.", true)
    })?;
    if form_id.is_some_and(|form_id| form_id != client_id) {
        return Err(OAuthError::invalid_request(
            "The client_id in the body differs from the one in the Authorization header.",
        ));
    }
    Ok(Presented::Secret(Credentials {
        client_id,
        secret,
        basic: true,
    }))
}

/// RFC 6749 §2.3.1: base64 of `id:secret`, each form-urlencoded first.
fn decode_basic(encoded: &str) -> Option<(String, Secret)> {
    let decoded = Secret::new(String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?);
    let (id, secret) = decoded.expose().split_once(':')?;
    Some((form_decode(id)?, Secret::new(form_decode(secret)?)))
}

fn form_decode(encoded: &str) -> Option<String> {
    let hex = |digit: u8| {
        char::from(digit)
            .to_digit(16)
            .and_then(|value| u8::try_from(value).ok())
    };
    let mut decoded = Vec::with_capacity(encoded.len());
    let mut bytes = encoded.bytes();
    while let Some(byte) = bytes.next() {
        decoded.push(match byte {
            b'+' => b' ',
            b'%' => hex(bytes.next()?)? << 4 | hex(bytes.next()?)?,
            other => other,
        });
    }
    String::from_utf8(decoded).ok()
}

/// Every requested scope must be an application scope the app holds; none requested means all of
/// them.
fn grant_scopes(requested: Option<&str>, held: &[String]) -> Result<Vec<String>, OAuthError> {
    let wanted =
        scope_parameter(requested.unwrap_or_default()).map_err(OAuthError::invalid_scope)?;
    if wanted.contains(&OFFLINE_ACCESS) {
        return Err(OAuthError::invalid_scope(
            "offline_access asks for a refresh token, and client_credentials gives no refresh tokens: \
             leave it out.",
        ));
    }
    if wanted.is_empty() {
        if held.is_empty() {
            return Err(OAuthError::invalid_scope(
                "The application holds no application scopes, so client_credentials has nothing to grant.",
            ));
        }
        return Ok(held.to_vec());
    }
    let held: HashSet<&str> = held.iter().map(String::as_str).collect();
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|scope| !held.contains(scope))
        .collect();
    if !missing.is_empty() {
        return Err(OAuthError::invalid_scope(format!(
            "The application does not hold these application scopes: {}. Scopes match exactly, and user \
             scopes cannot be used with client_credentials.",
            missing.join(" ")
        )));
    }
    Ok(wanted.into_iter().map(str::to_owned).collect())
}

pub(crate) async fn discovery(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "issuer": state.issuer,
        "token_endpoint": format!("{}/connect/token", state.issuer),
        "authorization_endpoint": format!("{}/connect/authorize", state.issuer),
        "jwks_uri": format!("{}/.well-known/openid-configuration/jwks", state.issuer),
        "grant_types_supported": [CLIENT_CREDENTIALS, AUTHORIZATION_CODE, REFRESH_TOKEN],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "scopes_supported": catalog().scope_names().collect::<Vec<_>>(),
        "response_types_supported": ["code"],
    }))
}

pub(crate) async fn jwks(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "keys": [state.key.public_jwk()] }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held() -> Vec<String> {
        vec!["OR.Jobs".into(), "OR.Queues.Read".into()]
    }

    #[test]
    fn form_decoding_follows_rfc_6749() {
        assert_eq!(form_decode("a+b%2Fc%3a").as_deref(), Some("a b/c:"));
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%4"), None);
        assert_eq!(form_decode("%FF"), None, "not UTF-8");
    }

    #[test]
    fn basic_credentials_are_decoded_and_malformed_ones_refused() {
        let (id, secret) = decode_basic(&STANDARD.encode("my%3Aapp:s%2Bcr+t")).unwrap();
        assert_eq!(id, "my:app");
        assert_eq!(secret.expose(), "s+cr t");
        assert!(decode_basic("not base64!").is_none());
        assert!(decode_basic(&STANDARD.encode("no-colon")).is_none());
    }

    #[test]
    fn scopes_are_granted_exactly() {
        assert_eq!(grant_scopes(None, &held()).unwrap(), held());
        assert_eq!(grant_scopes(Some("  "), &held()).unwrap(), held());
        assert_eq!(
            grant_scopes(Some("OR.Jobs OR.Jobs"), &held()).unwrap(),
            ["OR.Jobs"]
        );
        let error = grant_scopes(Some("OR.Queues"), &held()).unwrap_err();
        assert_eq!(error.error, "invalid_scope");
        assert!(
            error.description.contains("OR.Queues."),
            "{}",
            error.description
        );
        let error = grant_scopes(Some("OR.Jobs offline_access"), &held()).unwrap_err();
        assert!(
            error.description.contains("refresh"),
            "{}",
            error.description
        );
        assert_eq!(grant_scopes(None, &[]).unwrap_err().error, "invalid_scope");
    }

    #[test]
    fn a_scope_parameter_with_too_many_scopes_is_refused_at_once() {
        let many: Vec<String> = (0..40_000).map(|i| format!("S{i}")).collect();
        let error = grant_scopes(Some(&many.join(" ")), &held()).unwrap_err();
        assert_eq!(error.error, "invalid_scope");
        assert!(
            error.description.contains("at most 16000"),
            "{}",
            error.description
        );
        let error = grant_scopes(Some(&many[..501].join(" ")), &held()).unwrap_err();
        assert!(
            error
                .description
                .contains("names 501 scopes: ask for at most 500"),
            "{}",
            error.description
        );
    }

    #[test]
    fn repeated_parameters_are_refused() {
        assert_eq!(parse_form(b"a=1&b=2").unwrap().len(), 2);
        assert_eq!(parse_form(b"a=1&a=2").unwrap_err().error, "invalid_request");
    }
}
