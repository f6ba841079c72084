//! The one HTTP client and the translation of transport and status failures into [`Error`]s.

use std::future::Future;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an idle connection is kept for the next request: below the few seconds after which
/// servers (the sandbox among them, at 10 s) close idle keep-alive connections, so a request is
/// not sent on a connection the server is closing.
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// The client every identity-server call goes through. Redirects are off: a token or API call
/// that is redirected is a misconfigured URL, and following it could send credentials elsewhere.
pub fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Registrar/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Network(format!("Could not set up HTTPS: {e}")))
}

/// A transport failure, in words. The URL is named without its query (there is never a secret
/// in one, but a server's redirect could add one).
pub fn transport_error(err: &reqwest::Error, what: &str) -> Error {
    let host = err
        .url()
        .map(|u| format!("{}://{}", u.scheme(), u.authority()))
        .unwrap_or_else(|| "the identity server".to_owned());
    if err.is_connect() {
        Error::Network(format!(
            "Could not connect to {host} for {what}. Check the address and that the server is running."
        ))
    } else if err.is_timeout() {
        Error::Network(format!(
            "{host} did not answer {what} in time. Check the network and try again."
        ))
    } else {
        Error::Network(format!(
            "The connection to {host} broke during {what}. Try again."
        ))
    }
}

/// How a failed request is tried again.
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The wait before the second try, doubled before each further one.
    pub backoff: Duration,
    /// The longest `Retry-After` waited out; a longer one is reported, not waited for.
    pub max_wait: Duration,
}

pub const RETRIES: Retries = Retries {
    attempts: 3,
    backoff: Duration::from_millis(400),
    max_wait: Duration::from_secs(10),
};

/// Whether a request may be sent again when it is not known whether the server carried it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, full replacements, deletes and token requests: doing them twice does no harm.
    Idempotent,
    /// Creates: sent again only when the server certainly did not act (no connection, or 429).
    Once,
}

/// The answers worth waiting out: the server or a proxy in front of it is busy or restarting.
const PASSING: [StatusCode; 4] = [
    StatusCode::INTERNAL_SERVER_ERROR,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
    StatusCode::GATEWAY_TIMEOUT,
];

/// The last answer, and whether an earlier try may have been carried out (its answer was lost).
#[derive(Debug)]
pub struct Sent {
    pub response: Response,
    pub repeated_after_loss: bool,
}

/// A request that got no answer, and whether the server may have carried it out all the same.
#[derive(Debug)]
pub struct Unanswered {
    pub error: Error,
    pub maybe_done: bool,
}

impl From<Unanswered> for Error {
    fn from(failed: Unanswered) -> Self {
        failed.error
    }
}

/// Sends with `send`, reading each answer whole, until an answer worth keeping: 429 is waited out (its `Retry-After`, when
/// short enough), and for [`Repeat::Idempotent`] requests 5xx, timeouts and broken connections too,
/// with backoff. Any answer that is not retried, success or not, is returned to be read.
pub async fn send_with_retries<F, Fut>(
    retries: Retries,
    repeat: Repeat,
    what: &str,
    mut send: F,
) -> std::result::Result<Sent, Unanswered>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = reqwest::Result<Response>>,
{
    let mut attempt = 1;
    let mut repeated_after_loss = false;
    loop {
        let outcome = match send().await {
            Ok(response) => buffered(response).await,
            Err(e) => Err(e),
        };
        let backoff = retries.backoff * 2u32.pow(attempt - 1);
        let wait = match &outcome {
            Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS => match retry_after(r) {
                Some(wait) if wait > retries.max_wait => None,
                Some(wait) => Some(wait),
                None => Some(backoff),
            },
            Ok(r) if repeat == Repeat::Idempotent && PASSING.contains(&r.status()) => Some(backoff),
            Ok(_) => None,
            Err(e) if e.is_connect() => Some(backoff),
            Err(_) if repeat == Repeat::Idempotent => Some(backoff),
            Err(_) => None,
        };
        match (wait, outcome) {
            (Some(wait), outcome) if attempt < retries.attempts => {
                let failure = match &outcome {
                    Ok(r) => format!("HTTP {}", r.status().as_u16()),
                    Err(e) => e.to_string(),
                };
                tracing::warn!(%failure, attempt, ?wait, "{what}: trying again");
                repeated_after_loss |= match &outcome {
                    Ok(r) => r.status().is_server_error(),
                    Err(e) => !e.is_connect(),
                };
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            (_, Ok(response)) => {
                return Ok(Sent {
                    response,
                    repeated_after_loss,
                })
            }
            (_, Err(e)) => {
                return Err(Unanswered {
                    maybe_done: !e.is_connect(),
                    error: transport_error(&e, what),
                })
            }
        }
    }
}

/// The answer with its whole body read, so that an answer broken off mid-body is a failed try
/// like any other, not a surprise for whoever reads it later.
async fn buffered(response: Response) -> reqwest::Result<Response> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(Response::from(rebuilt))
}

/// Seconds from a `Retry-After` header (the HTTP-date form is rare on APIs and read as absent).
pub fn retry_after(response: &Response) -> Option<Duration> {
    response
        .headers()
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Whether the body is a web page: the usual sign of a wrong base URL (`/identity` against
/// `/identity_`, or a portal page).
pub fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"))
}

pub fn html_error(what: &str) -> Error {
    Error::Server(format!(
        "The server answered {what} with a web page instead of API data. Check the identity URL \
         (Automation Cloud and Suite use …/identity_, standalone Orchestrator …/identity)."
    ))
}

/// Reads a successful body as `T`, or says plainly that the server's answer was not what the API
/// returns, naming the member that could not be read (never its value: it may be a secret).
pub async fn read_json<T: DeserializeOwned>(response: Response, what: &str) -> Result<T> {
    if is_html(&response) {
        return Err(html_error(what));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| transport_error(&e, what))?;
    parse_json(&bytes, what)
}

/// Parses an answer's body as `T`; see [`read_json`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    let mut json = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let said = inner.to_string();
        let missing = said
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let problem = match missing {
            _ if inner.is_syntax() || inner.is_eof() => "is not JSON".to_owned(),
            Some(member) if path == "." => format!("lacks the member `{member}`"),
            Some(member) => format!("lacks the member `{member}` in `{path}`"),
            None if path == "." => "is not of the shape Registrar reads".to_owned(),
            None => format!("has a member Registrar cannot read: `{path}`"),
        };
        Error::Server(format!(
            "The server's answer to {what} {problem}, so it is not the JSON the API describes. \
             Check the identity URL."
        ))
    })
}
