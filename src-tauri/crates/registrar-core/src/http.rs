//! The one HTTP client and the translation of transport and status failures into [`Error`]s.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::Response;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The client every identity-server call goes through. Redirects are off: a token or API call
/// that is redirected is a misconfigured URL, and following it could send credentials elsewhere.
pub fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
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
    if err.is_timeout() {
        Error::Network(format!(
            "{host} did not answer {what} within {} seconds. Check the network and try again.",
            REQUEST_TIMEOUT.as_secs()
        ))
    } else if err.is_connect() {
        Error::Network(format!(
            "Could not connect to {host} for {what}. Check the address and that the server is running."
        ))
    } else {
        Error::Network(format!(
            "The connection to {host} broke during {what}. Try again."
        ))
    }
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

/// Reads a successful body as `T`, or says plainly that the server's answer was not what the API returns.
pub async fn read_json<T: DeserializeOwned>(response: Response, what: &str) -> Result<T> {
    if is_html(&response) {
        return Err(html_error(what));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| transport_error(&e, what))?;
    serde_json::from_slice(&bytes).map_err(|_| {
        Error::Server(format!(
            "The server's answer to {what} is not the JSON the API describes. Check the identity URL."
        ))
    })
}
