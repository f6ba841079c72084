//! "Test connection": what works on a connection, step by step (discovery, the admin token and
//! the scopes it carries, listing apps), and the organization's GUID when the token names it.

use reqwest::Method;
use url::Url;
use uuid::Uuid;

use crate::error::Error;
use crate::http::{read_json, send_with_retries, Repeat, RETRIES};
use crate::oauth::{self, ClientCredentials};
use crate::uipath::{Endpoint, UiPathClient, ADMIN_SCOPES};
use crate::verify::jwt_claims;

/// One step's outcome, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Passed(String),
    Failed(String),
    /// Not tried, because an earlier step failed.
    Skipped(String),
}

impl Check {
    pub fn passed(&self) -> bool {
        matches!(self, Check::Passed(_))
    }
}

#[derive(Debug, Clone)]
pub struct ConnectionReport {
    pub discovery: Check,
    pub token: Check,
    /// The scopes the admin token carries.
    pub admin_scopes: Vec<String>,
    /// The organization's GUID from the token's `prt_id` claim, when the server puts it there.
    pub organization_id: Option<Uuid>,
    pub listing: Check,
}

impl ConnectionReport {
    pub fn all_passed(&self) -> bool {
        self.discovery.passed() && self.token.passed() && self.listing.passed()
    }
}

/// Tries each step in turn. `organization_id` is the GUID the admin gave, if any; the token's is
/// used otherwise.
pub async fn test_connection(
    http: &reqwest::Client,
    identity_url: &Url,
    organization_id: Option<Uuid>,
    credentials: &ClientCredentials,
) -> ConnectionReport {
    let endpoint = |partition_global_id| Endpoint {
        identity_url: identity_url.clone(),
        partition_global_id,
    };
    let discovery = discover(http, &endpoint(Uuid::nil()).discovery_url()).await;
    let token_url = endpoint(Uuid::nil()).token_url();
    let (token, admin_scopes, from_token) =
        match oauth::client_credentials(http, &token_url, credentials, ADMIN_SCOPES).await {
            Ok(granted) => {
                let from_token = organization_in_token(granted.access_token.expose());
                let carried = if granted.scopes.is_empty() {
                    "no scopes".to_owned()
                } else {
                    granted.scopes.join(" ")
                };
                (
                    Check::Passed(format!("The admin token was issued, carrying {carried}.")),
                    granted.scopes,
                    from_token,
                )
            }
            Err(error) => (Check::Failed(error.to_string()), Vec::new(), None),
        };
    let listing = match (token.passed(), organization_id.or(from_token)) {
        (false, _) => Check::Skipped("Needs the admin token.".to_owned()),
        (true, None) => Check::Failed(
            "The token does not name the organization: give the organization's GUID.".to_owned(),
        ),
        (true, Some(partition)) => {
            let credentials = ClientCredentials {
                client_id: credentials.client_id.clone(),
                client_secret: credentials.client_secret.duplicate(),
            };
            let client = UiPathClient::new(http.clone(), endpoint(partition), credentials);
            match client.list_apps().await {
                Ok(apps) => Check::Passed(format!("Listed {} external applications.", apps.len())),
                Err(error) => Check::Failed(error.to_string()),
            }
        }
    };
    ConnectionReport {
        discovery,
        token,
        admin_scopes,
        organization_id: organization_id.or(from_token),
        listing,
    }
}

/// The organization's GUID from a JWT's `prt_id` claim (UiPath's partition), if it has one.
pub fn organization_in_token(token: &str) -> Option<Uuid> {
    jwt_claims(token)?.get("prt_id")?.as_str()?.parse().ok()
}

async fn discover(http: &reqwest::Client, url: &Url) -> Check {
    #[derive(serde::Deserialize)]
    struct Discovery {
        issuer: String,
        token_endpoint: String,
    }
    let what = "reading the discovery document";
    let answer = async {
        let sent = send_with_retries(RETRIES, Repeat::Idempotent, what, || {
            http.request(Method::GET, url.clone()).send()
        })
        .await?;
        if !sent.response.status().is_success() {
            return Err(Error::Server(format!(
                "{url} answered HTTP {}. Check the host and organization.",
                sent.response.status().as_u16()
            )));
        }
        read_json::<Discovery>(sent.response, what).await
    };
    match answer.await {
        Ok(found) => Check::Passed(format!(
            "Discovery names the issuer {} and the token endpoint {}.",
            found.issuer, found.token_endpoint
        )),
        Err(error) => Check::Failed(error.to_string()),
    }
}
