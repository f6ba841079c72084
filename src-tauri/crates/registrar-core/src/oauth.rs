//! The OAuth 2.0 token endpoint, as a client: client_credentials with the secret in the form body.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};
use crate::http::{is_html, read_json, retry_after, send_with_retries, Repeat, RETRIES};
use crate::model::TokenAuth;
use crate::Secret;

/// A client id and secret: an admin app's, or an app being checked.
#[derive(Debug)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: Secret,
}

/// What the token endpoint granted. The token itself stays a [`Secret`].
#[derive(Debug)]
pub struct GrantedToken {
    pub access_token: Secret,
    /// Only from user flows that asked for `offline_access`; single-use.
    pub refresh_token: Option<Secret>,
    pub expires_in: Duration,
    /// The scopes granted, as the server listed them (space-separated in the answer).
    pub scopes: Vec<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Secret,
    refresh_token: Option<Secret>,
    /// Some servers write it as a string.
    #[serde(default, deserialize_with = "crate::lenient::number")]
    expires_in: Option<u64>,
    scope: Option<String>,
}

#[derive(Deserialize)]
struct TokenError {
    error: String,
    error_description: Option<String>,
}

/// Access tokens whose lifetime the server does not state are taken to live as long as UiPath's.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// Asks `token_url` for a token with client_credentials, the secret in the form body (as
/// UiPath's servers take it). The body is form-urlencoded, never JSON (a JSON body is a classic
/// cause of `invalid_client`).
pub async fn client_credentials(
    http: &reqwest::Client,
    token_url: &Url,
    credentials: &ClientCredentials,
    scopes: &[&str],
) -> Result<GrantedToken> {
    client_credentials_as(http, token_url, credentials, scopes, TokenAuth::SecretPost).await
}

/// [`client_credentials`], authenticating the way `auth` says.
pub async fn client_credentials_as(
    http: &reqwest::Client,
    token_url: &Url,
    credentials: &ClientCredentials,
    scopes: &[&str],
    auth: TokenAuth,
) -> Result<GrantedToken> {
    let scope = scopes.join(" ");
    let mut form = vec![("grant_type", "client_credentials")];
    let basic = match auth {
        TokenAuth::SecretPost => {
            form.push(("client_id", credentials.client_id.as_str()));
            form.push(("client_secret", credentials.client_secret.expose()));
            None
        }
        TokenAuth::SecretBasic => Some(credentials),
    };
    if !scope.is_empty() {
        form.push(("scope", scope.as_str()));
    }
    // Asking for a client_credentials token twice does no harm, so a lost answer is asked again.
    token_request(http, token_url, &form, basic, Repeat::Idempotent, &scope).await
}

/// A client id or secret as it goes into HTTP Basic credentials. RFC 6749 §2.3.1 has both
/// form-urlencoded first, but servers exist that do not decode them (LemonLDAP::NG, whose ids
/// hold '/' and '.'), so a value is sent as it is whenever decoding would leave it unchanged
/// (printable ASCII without '%' and '+', and a client id without ':'), and encoded otherwise.
pub fn basic_part(text: &str, is_client_id: bool) -> std::borrow::Cow<'_, str> {
    let unchanged_by_decoding = text
        .chars()
        .all(|c| c.is_ascii_graphic() && c != '%' && c != '+' && !(is_client_id && c == ':'));
    if unchanged_by_decoding {
        text.into()
    } else {
        url::form_urlencoded::byte_serialize(text.as_bytes())
            .collect::<String>()
            .into()
    }
}

/// Sends a token request (form-urlencoded, with the client's HTTP Basic credentials when given)
/// and reads the answer. Exchanging a code or a refresh token is [`Repeat::Once`]: each works
/// once, so a lost answer cannot be asked again.
pub async fn token_request(
    http: &reqwest::Client,
    token_url: &Url,
    form: &[(&str, &str)],
    basic: Option<&ClientCredentials>,
    repeat: Repeat,
    scope: &str,
) -> Result<GrantedToken> {
    let what = "the token request";
    let response = send_with_retries(RETRIES, repeat, what, || {
        let request = http.post(token_url.clone()).form(form);
        match basic {
            Some(client) => request.basic_auth(
                basic_part(&client.client_id, true),
                Some(basic_part(client.client_secret.expose(), false)),
            ),
            None => request,
        }
        .send()
    })
    .await?
    .response;
    let status = response.status();
    if status.is_success() {
        let body: TokenResponse = read_json(response, what).await?;
        return Ok(GrantedToken {
            access_token: body.access_token,
            refresh_token: body.refresh_token,
            expires_in: body
                .expires_in
                .map(Duration::from_secs)
                .unwrap_or(DEFAULT_LIFETIME),
            scopes: body
                .scope
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        });
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(Error::RateLimited {
            retry_after: retry_after(&response),
        });
    }
    if is_html(&response) {
        return Err(crate::http::html_error(what));
    }
    if status.is_server_error() {
        return Err(Error::Server(format!(
            "The token endpoint failed (HTTP {}). Try again later.",
            status.as_u16()
        )));
    }
    let body: TokenError = match read_json(response, what).await {
        Ok(body) => body,
        // Some servers refuse a wrong client or secret with 401 or 403 and nothing to read.
        Err(_) if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
            TokenError {
                error: "invalid_client".into(),
                error_description: None,
            }
        }
        Err(unreadable) => return Err(unreadable),
    };
    Err(explain_token_error(
        &body.error,
        body.error_description.as_deref(),
        scope,
    ))
}

/// RFC 6749 §5.2 errors, with the likely cause from what admins trip over.
fn explain_token_error(code: &str, description: Option<&str>, scope: &str) -> Error {
    let detail = description
        .map(|d| format!(" The server said: {d}"))
        .unwrap_or_default();
    match code {
        "invalid_client" => Error::Unauthorized(format!(
            "The identity server refused the client id or secret (invalid_client): the secret may be \
             wrong, expired or deleted.{detail}"
        )),
        "invalid_scope" => Error::Forbidden(format!(
            "The identity server refused the scopes \"{scope}\" (invalid_scope): each must be an \
             application scope the app holds, spelled exactly, and offline_access is never granted \
             with client credentials.{detail}"
        )),
        "unauthorized_client" => Error::Forbidden(format!(
            "This app may not use client credentials (unauthorized_client): it needs application scopes.{detail}"
        )),
        // UiPath's answer to a scope string over its version's length limit (300 to 1,250).
        "invalid_request" if description.is_some_and(|d| d.eq_ignore_ascii_case("invalid scope")) => {
            Error::Forbidden(format!(
                "The identity server refused the scopes as invalid (invalid_request \"Invalid \
                 scope\"). Some server versions refuse a scope string over 300 to 1,250 \
                 characters, and this one has {}: ask for fewer scopes per request.",
                scope.len()
            ))
        }
        "invalid_grant" => Error::Unauthorized(format!(
            "The sign-in was refused (invalid_grant): its code or refresh token was used already or \
             has expired. Sign in again.{detail}"
        )),
        other => Error::Server(format!("The token endpoint refused the request ({other}).{detail}")),
    }
}
