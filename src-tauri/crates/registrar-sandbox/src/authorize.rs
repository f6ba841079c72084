//! The authorization endpoint (authorization code, PKCE S256): a sign-in page for the sandbox's
//! user, exact redirect matching, and codes that live a minute and work once.

use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION, X_FRAME_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use registrar_shared::html::escape as escape_html;
use time::{Duration, OffsetDateTime};
use url::Url;

use crate::catalog::Grant;
use crate::server::AppState;
use crate::store::{self, UserGrant, UserGrantKind};
use crate::{secrets, validate, SANDBOX_USER};

/// OpenID scopes a user flow may add to the app's own user scopes.
pub(crate) const OPENID_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];
const CODE_LIFETIME: Duration = Duration::seconds(60);

type Params = HashMap<String, String>;

/// A request that passed every check: who asks, where the answer goes, for what.
struct Checked {
    client_id: String,
    /// As the request named it (the code is bound to this exact text).
    redirect_uri: String,
    /// The same, parsed, to send the browser back to.
    back: Url,
    scope: String,
    state: Option<String>,
    code_challenge: Option<String>,
}

/// Why a request is refused: on the page when the redirect URL cannot be trusted, else by
/// redirecting back with an RFC 6749 §4.1.2.1 error.
enum Refusal {
    Page(StatusCode, String),
    Redirect(Url),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Page(status, message) => {
                (status, Html(page(&message, None, None))).into_response()
            }
            Refusal::Redirect(url) => redirect(&url),
        }
    }
}

/// Every answer of the endpoint: the page is never shown in a frame, where another site could
/// lay itself over the password form, and no answer is kept in a cache, since they carry the
/// request and, in a redirect, the code.
pub(crate) async fn protect_page(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn redirect(url: &Url) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, url.to_string())]).into_response()
}

/// The parameters, each given once: RFC 6749 §3.1 forbids repeating one, and a repeat could slip
/// a second redirect URL or scope past the checks.
fn unique(raw: &[u8]) -> Result<Params, Refusal> {
    let mut params = Params::new();
    for (name, value) in url::form_urlencoded::parse(raw) {
        if params
            .insert(name.clone().into_owned(), value.into_owned())
            .is_some()
        {
            return Err(Refusal::Page(
                StatusCode::BAD_REQUEST,
                format!("The {name} parameter is given more than once."),
            ));
        }
    }
    Ok(params)
}

pub(crate) async fn show(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let params = match unique(query.unwrap_or_default().as_bytes()) {
        Ok(params) => params,
        Err(refusal) => return refusal.into_response(),
    };
    match check(&state, &params).await {
        Ok(_) => Html(page(
            "Sign in to the Registrar sandbox",
            Some(&params),
            None,
        ))
        .into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

pub(crate) async fn sign_in(State(state): State<AppState>, body: Bytes) -> Response {
    let params = match unique(&body) {
        Ok(params) => params,
        Err(refusal) => return refusal.into_response(),
    };
    let checked = match check(&state, &params).await {
        Ok(checked) => checked,
        Err(refusal) => return refusal.into_response(),
    };
    let username = params.get("username").cloned().unwrap_or_default();
    let presented = secrets::hash(params.get("password").map_or("", String::as_str));
    let user = state.db.run(move |conn| store::user(conn, &username)).await;
    let user_id = match user {
        Ok(Some((id, hash))) if secrets::matches_any([hash.as_slice()], &presented) => id,
        Ok(_) => {
            let again = page(
                "Sign in to the Registrar sandbox",
                Some(&params),
                Some("Wrong user name or password."),
            );
            return (StatusCode::UNAUTHORIZED, Html(again)).into_response();
        }
        Err(error) => return database_error(error),
    };
    let Ok(code) = secrets::generate() else {
        return Refusal::Page(StatusCode::INTERNAL_SERVER_ERROR, "No randomness.".into())
            .into_response();
    };
    let grant = UserGrant {
        client_id: checked.client_id.clone(),
        user_id,
        scope: checked.scope.clone(),
        redirect_uri: Some(checked.redirect_uri.clone()),
        code_challenge: checked.code_challenge.clone(),
        expires: OffsetDateTime::now_utc() + CODE_LIFETIME,
        family: uuid::Uuid::new_v4().to_string(),
    };
    let hash = secrets::hash(code.expose());
    if let Err(error) = state
        .db
        .run(move |conn| store::insert_user_grant(conn, &hash, UserGrantKind::Code, &grant))
        .await
    {
        return database_error(error);
    }
    tracing::info!(client_id = %checked.client_id, "issued an authorization code");
    let mut back = checked.back;
    back.query_pairs_mut().append_pair("code", code.expose());
    if let Some(state) = &checked.state {
        back.query_pairs_mut().append_pair("state", state);
    }
    redirect(&back)
}

fn database_error(error: rusqlite::Error) -> Response {
    tracing::error!(%error, "sandbox database error");
    Refusal::Page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The sandbox could not read its database.".into(),
    )
    .into_response()
}

async fn check(state: &AppState, params: &Params) -> Result<Checked, Refusal> {
    let get = |name: &str| params.get(name).filter(|v| !v.is_empty()).cloned();
    let page = |message: &str| Refusal::Page(StatusCode::BAD_REQUEST, message.to_owned());
    let client_id = get("client_id").ok_or_else(|| page("The client_id parameter is missing."))?;
    let id = client_id.clone();
    let client = state
        .db
        .run(move |conn| store::get_client(conn, &id))
        .await
        .map_err(|error| {
            tracing::error!(%error, "sandbox database error");
            page("The sandbox could not read its database.")
        })?
        .ok_or_else(|| page("No application has this client_id."))?;
    let redirect_uri =
        get("redirect_uri").ok_or_else(|| page("The redirect_uri parameter is missing."))?;
    let registered = client.fields.redirect_uri.as_deref().unwrap_or_default();
    if !registered
        .split(',')
        .map(str::trim)
        .any(|uri| redirect_matches(uri, &redirect_uri, state.loopback_any_port))
    {
        return Err(page(
            "redirect_uri_mismatch: the redirect URL is not one of the application's, character for \
             character (a trailing slash counts).",
        ));
    }
    let back = Url::parse(&redirect_uri).map_err(|_| page("The redirect URL is not a URL."))?;
    // Registered before the sandbox checked schemes: never send a code there.
    if !validate::redirect_allowed(&back) {
        return Err(page(&format!(
            "{} Change the application's redirect URLs.",
            validate::refused_redirect(&redirect_uri, &back)
        )));
    }
    let state_param = get("state");
    let refuse = |error: &str, description: &str| {
        let mut refused = back.clone();
        refused
            .query_pairs_mut()
            .append_pair("error", error)
            .append_pair("error_description", description);
        if let Some(state) = &state_param {
            refused.query_pairs_mut().append_pair("state", state);
        }
        Refusal::Redirect(refused)
    };
    if get("response_type").as_deref() != Some("code") {
        return Err(refuse(
            "unsupported_response_type",
            "Only response_type=code is supported.",
        ));
    }
    let code_challenge = get("code_challenge");
    match (get("code_challenge_method").as_deref(), &code_challenge) {
        (Some("S256"), Some(_)) => {}
        (_, None) if client.is_confidential => {}
        (_, None) => {
            return Err(refuse(
                "invalid_request",
                "A non-confidential application must send a PKCE code_challenge (S256).",
            ))
        }
        _ => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method must be S256: the plain method is not accepted.",
            ))
        }
    }
    let user_scopes: Vec<&str> = client
        .fields
        .scopes
        .iter()
        .filter(|s| s.grant == Grant::User)
        .map(|s| s.name.as_str())
        .collect();
    let allowed: HashSet<&str> = user_scopes.iter().copied().chain(OPENID_SCOPES).collect();
    let sent_scope = get("scope").unwrap_or_default();
    let requested =
        validate::scope_parameter(&sent_scope).map_err(|why| refuse("invalid_scope", &why))?;
    let unknown: Vec<&str> = requested
        .iter()
        .copied()
        .filter(|s| !allowed.contains(s))
        .collect();
    if !unknown.is_empty() {
        return Err(refuse(
            "invalid_scope",
            &format!(
                "The application does not hold these user scopes: {}.",
                unknown.join(" ")
            ),
        ));
    }
    let scope = if requested.is_empty() {
        user_scopes.join(" ")
    } else {
        requested.join(" ")
    };
    if scope.is_empty() {
        return Err(refuse(
            "invalid_scope",
            "The application holds no user scopes.",
        ));
    }
    Ok(Checked {
        client_id,
        redirect_uri,
        back,
        scope,
        state: state_param,
        code_challenge,
    })
}

/// Redirect URLs match character for character, port included, as UiPath's servers match
/// them; with `any_loopback_port`, a native app's loopback URL (`http://127.0.0.1` or
/// `http://[::1]`) may name any port (RFC 8252 §7.3).
fn redirect_matches(registered: &str, presented: &str, any_loopback_port: bool) -> bool {
    if registered == presented {
        return true;
    }
    if !any_loopback_port {
        return false;
    }
    let (Ok(registered), Ok(presented)) = (Url::parse(registered), Url::parse(presented)) else {
        return false;
    };
    let loopback = |url: &Url| {
        url.scheme() == "http" && matches!(url.host_str(), Some("127.0.0.1") | Some("[::1]"))
    };
    loopback(&registered)
        && loopback(&presented)
        && registered.host_str() == presented.host_str()
        && registered.path() == presented.path()
        && registered.query() == presented.query()
}

/// The sign-in page: the request's parameters carried through as hidden fields.
fn page(heading: &str, params: Option<&Params>, problem: Option<&str>) -> String {
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Registrar sandbox</title></head>\
         <body><h1>{}</h1>",
        escape_html(heading)
    );
    if let Some(problem) = problem {
        html.push_str(&format!("<p role=\"alert\">{}</p>", escape_html(problem)));
    }
    if let Some(params) = params {
        html.push_str("<form method=\"post\">");
        for (name, value) in params {
            if name != "username" && name != "password" {
                html.push_str(&format!(
                    "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                    escape_html(name),
                    escape_html(value)
                ));
            }
        }
        html.push_str(&format!(
            "<label>User name <input name=\"username\" value=\"{SANDBOX_USER}\"></label>\
             <label>Password <input name=\"password\" type=\"password\"></label>\
             <button type=\"submit\">Sign in</button></form>"
        ));
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::redirect_matches;

    #[test]
    fn redirects_match_exactly_and_loopback_ports_differ_only_when_allowed() {
        let native = "http://127.0.0.1/callback";
        let other_port = "http://127.0.0.1:53121/callback";
        assert!(
            !redirect_matches(native, other_port, false),
            "port included"
        );
        assert!(redirect_matches(other_port, other_port, false));
        assert!(redirect_matches(native, other_port, true));
        assert!(!redirect_matches(
            native,
            "http://127.0.0.1:53121/callback/",
            true
        ));
        assert!(!redirect_matches(
            native,
            "http://localhost:53121/callback",
            true
        ));
        let web = "https://app.example.com/signin";
        assert!(redirect_matches(web, web, true));
        assert!(!redirect_matches(
            web,
            "https://app.example.com:8443/signin",
            true
        ));
        assert!(!redirect_matches(
            web,
            "https://app.example.com/signin/",
            true
        ));
    }
}
