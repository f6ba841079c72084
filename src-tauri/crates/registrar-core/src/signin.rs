//! Interactive sign-in for a native app (RFC 8252): the authorization code flow with PKCE S256,
//! the browser sent to the authorization endpoint, the code received on a loopback listener on
//! 127.0.0.1, then exchanged for tokens. The listener's port is fixed (configurable per
//! connection): UiPath's servers match a loopback redirect URL exactly, port included, so the
//! sign-in app must have registered `http://127.0.0.1:{port}/callback`.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use crate::error::{Error, Result};
use crate::http::Repeat;
use crate::model::Field;
use crate::oauth::{token_request, GrantedToken};
use crate::requests::{random_state, Pkce};
use crate::Secret;

/// The path the loopback listener answers on.
pub const CALLBACK_PATH: &str = "/callback";

/// The port the loopback listener takes unless a connection names another.
pub const DEFAULT_PORT: u16 = 52370;

/// The redirect URL a sign-in app registers for a sign-in on `port`.
pub fn redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}{CALLBACK_PATH}")
}

/// How long one loopback connection may take to send its request line.
const REQUEST_READ: Duration = Duration::from_secs(5);

/// A sign-in under way: open [`Pending::url`] in the browser, then [`Pending::finish`]. `Debug`
/// shows only the URL: the PKCE verifier proves the sign-in.
pub struct Pending {
    listener: TcpListener,
    redirect_uri: String,
    pkce: Pkce,
    state: String,
    client_id: String,
    token_url: Url,
    scope: String,
    /// Where the browser goes to sign in.
    pub url: Url,
}

/// Listens on 127.0.0.1:`port` and builds the authorization URL for `client_id` (a
/// non-confidential app holding `scopes` as user scopes, with the redirect URL
/// [`redirect_uri`]`(port)`).
pub async fn begin(
    authorize_url: &Url,
    token_url: &Url,
    client_id: &str,
    scopes: &[&str],
    port: u16,
) -> Result<Pending> {
    if port == 0 {
        return Err(Error::invalid(
            Field::SignInPort,
            "Give the sign-in port the sign-in app's redirect URL names, from 1 to 65535.",
        ));
    }
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => Error::invalid(
                Field::SignInPort,
                format!(
                    "Port {port} on 127.0.0.1 is in use (another program, or a sign-in still \
                     waiting): close it, or choose another sign-in port and register \
                     {} as the sign-in app's redirect URL.",
                    redirect_uri(port)
                ),
            ),
            _ => Error::Network(format!(
                "Could not listen on 127.0.0.1:{port} for the sign-in: {e}."
            )),
        })?;
    let redirect_uri = redirect_uri(port);
    let pkce = Pkce::generate()?;
    let state = random_state()?;
    let scope = scopes.join(" ");
    let mut url = authorize_url.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", &scope)
        .append_pair("state", &state)
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(Pending {
        listener,
        redirect_uri,
        pkce,
        state,
        client_id: client_id.to_owned(),
        token_url: token_url.clone(),
        scope,
        url,
    })
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

impl Pending {
    /// Waits (up to `wait`) for the browser to come back with a code, tells the browser how it
    /// went, and exchanges the code for tokens.
    pub async fn finish(self, http: &reqwest::Client, wait: Duration) -> Result<GrantedToken> {
        let code = tokio::time::timeout(wait, self.receive())
            .await
            .map_err(|_| {
                Error::Network(format!(
                    "The sign-in did not come back within {} seconds. Try again.",
                    wait.as_secs()
                ))
            })??;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("client_id", self.client_id.as_str()),
            ("code_verifier", self.pkce.verifier.as_str()),
        ];
        token_request(
            http,
            &self.token_url,
            &form,
            None,
            Repeat::Once,
            &self.scope,
        )
        .await
    }

    /// Answers loopback requests until one carries this sign-in's state.
    async fn receive(&self) -> Result<Secret> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| Error::Network(format!("The sign-in listener failed: {e}.")))?;
            // A browser may open a connection ahead and send nothing on it: it must not hold up
            // the one that brings the code.
            let read = tokio::time::timeout(REQUEST_READ, request_target(&mut stream)).await;
            let Ok(Some(target)) = read else {
                continue;
            };
            let Ok(url) = Url::parse(&format!("http://127.0.0.1{target}")) else {
                continue;
            };
            let get = |name: &str| {
                url.query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            if url.path() != CALLBACK_PATH || get("state").as_deref() != Some(self.state.as_str()) {
                respond(
                    &mut stream,
                    400,
                    "This is not the sign-in Registrar is waiting for.",
                )
                .await;
                continue;
            }
            if let Some(error) = get("error") {
                respond(
                    &mut stream,
                    200,
                    "The sign-in was refused. Return to Registrar.",
                )
                .await;
                let detail = get("error_description")
                    .map(|d| format!(" The server said: {d}"))
                    .unwrap_or_default();
                return Err(Error::Unauthorized(format!(
                    "The identity server refused the sign-in ({error}).{detail}"
                )));
            }
            if let Some(code) = get("code") {
                respond(
                    &mut stream,
                    200,
                    "Signed in. You can close this tab and return to Registrar.",
                )
                .await;
                return Ok(Secret::new(code));
            }
            respond(&mut stream, 400, "The sign-in came back without a code.").await;
        }
    }
}

/// Renews a user's tokens. Refresh tokens are single-use: keep the new one the answer carries.
pub async fn refresh(
    http: &reqwest::Client,
    token_url: &Url,
    client_id: &str,
    refresh_token: &Secret,
) -> Result<GrantedToken> {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
        ("client_id", client_id),
    ];
    token_request(http, token_url, &form, None, Repeat::Once, "").await
}

/// The target of a request's first line (`GET /callback?code=… HTTP/1.1`).
async fn request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split(' ');
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_owned)
}

async fn respond(stream: &mut TcpStream, status: u16, message: &str) {
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Registrar</title><p>{message}</p></html>"
    );
    let answer = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        if status == 200 { "OK" } else { "Bad Request" },
        body.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_taken_port_is_named_with_the_redirect_url_to_register_instead() {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = taken.local_addr().unwrap().port();
        let url = |path: &str| Url::parse(&format!("https://login.example.com/{path}")).unwrap();
        match begin(
            &url("authorize"),
            &url("token"),
            "app",
            &["PM.OAuthApp"],
            port,
        )
        .await
        {
            Err(Error::InvalidInput { field, message }) => {
                assert_eq!(field, Some(Field::SignInPort));
                assert!(message.contains(&format!("Port {port}")), "{message}");
            }
            other => panic!("{:?}", other.map(|pending| pending.url)),
        }
        drop(taken);
        assert!(matches!(
            begin(&url("authorize"), &url("token"), "app", &["PM.OAuthApp"], 0).await,
            Err(Error::InvalidInput {
                field: Some(Field::SignInPort),
                ..
            })
        ));
        let pending = begin(
            &url("authorize"),
            &url("token"),
            "app",
            &["PM.OAuthApp"],
            port,
        )
        .await
        .unwrap();
        let redirect = pending
            .url
            .query_pairs()
            .find(|(name, _)| name == "redirect_uri")
            .map(|(_, value)| value.into_owned());
        assert_eq!(redirect, Some(redirect_uri(port)));
    }
}
