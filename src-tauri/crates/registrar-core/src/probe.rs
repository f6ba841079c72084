//! "Test connection": what works on a connection, step by step (discovery, the admin token and
//! the scopes it carries, listing apps), and the organization's GUID when the token names it.

use reqwest::Method;
use url::Url;
use uuid::Uuid;

use crate::dynamic::DynamicClient;
use crate::error::Error;
use crate::http::{read_json, send_with_retries, Repeat, RETRIES};
use crate::provider::{Provider, Unavailable};
use crate::registration;
use crate::uipath::{Endpoint, UiPathClient};
use crate::verify::jwt_claims;

/// One step's outcome, with what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Passed(Said),
    Failed(Said),
    /// Not tried, because an earlier step failed.
    Skipped(Said),
    /// Cannot be checked without changing something on the server (an initial access token is
    /// proven only by registering a client).
    Unchecked(Said),
}

/// What a step found, by what it names: the command line says it in English ([`Said::english`]),
/// the window in the admin's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// UiPath's discovery document; `differs_from` is the connection's URL when the issuer is
    /// not it (one issuer for every organization).
    Discovery {
        issuer: String,
        token_endpoint: String,
        differs_from: Option<String>,
    },
    /// An OAuth server's metadata, with its registration endpoint.
    Metadata {
        issuer: String,
        token_endpoint: String,
        registration_endpoint: String,
    },
    NoRegistrationEndpoint {
        issuer: String,
    },
    OpenRegistration,
    InitialAccessTokenKept,
    ClientsRead {
        count: usize,
    },
    AdminTokenIssued {
        scopes: Vec<String>,
    },
    AppsListed {
        count: usize,
    },
    NeedsAdminToken,
    /// What went wrong, as the error says it.
    Error(String),
}

impl Said {
    pub fn english(&self) -> String {
        match self {
            Said::Discovery {
                issuer,
                token_endpoint,
                differs_from,
            } => {
                let note = differs_from
                    .as_ref()
                    .map_or_else(String::new, |connection| {
                        format!(
                            " It differs from the connection's URL {connection}, as expected: the \
                         identity server has one issuer for every organization, without the \
                         organization in its path; tokens carry that issuer, and Registrar calls \
                         the organization's URL."
                        )
                    });
                format!(
                    "Discovery names the issuer {issuer} and the token endpoint {token_endpoint}.\
                     {note}"
                )
            }
            Said::Metadata {
                issuer,
                token_endpoint,
                registration_endpoint,
            } => format!(
                "The metadata names the issuer {issuer}, the token endpoint {token_endpoint} and \
                 the registration endpoint {registration_endpoint}."
            ),
            Said::NoRegistrationEndpoint { issuer } => Unavailable::NoRegistrationEndpoint {
                issuer: issuer.clone(),
            }
            .to_string(),
            Said::OpenRegistration => "Open registration: the server registers clients without \
                                       an initial access token, and none is kept."
                .to_owned(),
            Said::InitialAccessTokenKept => "An initial access token is kept in the keychain. \
                                             RFC 7591 has no way to check it short of \
                                             registering a client, so the first registration \
                                             will."
                .to_owned(),
            Said::ClientsRead { count } => format!(
                "Read the {count} clients registered from Registrar (the server lists none \
                 itself)."
            ),
            Said::AdminTokenIssued { scopes } if scopes.is_empty() => {
                "The admin token was issued, carrying no scopes.".to_owned()
            }
            Said::AdminTokenIssued { scopes } => {
                format!("The admin token was issued, carrying {}.", scopes.join(" "))
            }
            Said::AppsListed { count } => format!("Listed {count} external applications."),
            Said::NeedsAdminToken => "Needs the admin token.".to_owned(),
            Said::Error(message) => message.clone(),
        }
    }
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
    /// The organization's GUID as the token's `prt_id` claim names it, when the server puts it
    /// there.
    pub organization_id: Option<Uuid>,
    pub listing: Check,
}

impl Check {
    /// What the step found, whatever its outcome.
    pub fn said(&self) -> &Said {
        match self {
            Check::Passed(said)
            | Check::Failed(said)
            | Check::Skipped(said)
            | Check::Unchecked(said) => said,
        }
    }

    /// What the step found, in English.
    pub fn detail(&self) -> String {
        self.said().english()
    }
}

impl ConnectionReport {
    /// The steps by name, in the order they run.
    pub fn steps(&self) -> [(&'static str, &Check); 3] {
        [
            ("discovery", &self.discovery),
            ("token", &self.token),
            ("listing", &self.listing),
        ]
    }

    pub fn all_passed(&self) -> bool {
        let token = self.token.passed() || matches!(self.token, Check::Unchecked(_));
        self.discovery.passed() && token && self.listing.passed()
    }
}

/// Tries each step in turn with a connection's client, whatever its admin credential.
pub async fn probe(provider: &Provider) -> ConnectionReport {
    match provider {
        Provider::UiPath(client) => probe_uipath(client).await,
        Provider::Dynamic(client) => probe_dynamic(client).await,
    }
}

/// An OAuth server: its metadata read again, the initial access token (which only a
/// registration can check), and the clients registered from Registrar read back.
async fn probe_dynamic(client: &DynamicClient) -> ConnectionReport {
    let issuer = &client.server().issuer;
    let discovery = match registration::discover(client.http(), issuer).await {
        Ok(server) => match &server.registration_endpoint {
            Some(endpoint) => Check::Passed(Said::Metadata {
                issuer: server.issuer.to_string(),
                token_endpoint: server.token_endpoint.to_string(),
                registration_endpoint: endpoint.to_string(),
            }),
            None => Check::Failed(Said::NoRegistrationEndpoint {
                issuer: server.issuer.to_string(),
            }),
        },
        Err(error) => Check::Failed(Said::Error(error.to_string())),
    };
    let token = Check::Unchecked(match client.open_registration() {
        true => Said::OpenRegistration,
        false => Said::InitialAccessTokenKept,
    });
    let listing = match client.list_apps().await {
        Ok(apps) => Check::Passed(Said::ClientsRead { count: apps.len() }),
        Err(error) => Check::Failed(Said::Error(error.to_string())),
    };
    ConnectionReport {
        discovery,
        token,
        admin_scopes: Vec::new(),
        organization_id: None,
        listing,
    }
}

async fn probe_uipath(client: &UiPathClient) -> ConnectionReport {
    let discovery = discover(client.http(), client.endpoint()).await;
    let (token, admin_scopes, organization_id) = match client.admin_token_facts().await {
        Ok((scopes, from_token)) => (
            Check::Passed(Said::AdminTokenIssued {
                scopes: scopes.clone(),
            }),
            scopes,
            from_token,
        ),
        Err(error) => (
            Check::Failed(Said::Error(error.to_string())),
            Vec::new(),
            None,
        ),
    };
    let listing = if token.passed() {
        match client.list_apps().await {
            Ok(apps) => Check::Passed(Said::AppsListed { count: apps.len() }),
            Err(error) => Check::Failed(Said::Error(error.to_string())),
        }
    } else {
        Check::Skipped(Said::NeedsAdminToken)
    };
    ConnectionReport {
        discovery,
        token,
        admin_scopes,
        organization_id,
        listing,
    }
}

/// The organization's GUID from a JWT's `prt_id` claim (UiPath's partition), if it has one.
pub fn organization_in_token(token: &str) -> Option<Uuid> {
    jwt_claims(token)?.get("prt_id")?.as_str()?.parse().ok()
}

async fn discover(http: &reqwest::Client, endpoint: &Endpoint) -> Check {
    let url = &endpoint.discovery_url();
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
        Ok(found) => Check::Passed(Said::Discovery {
            differs_from: differs_from(&found.issuer, &endpoint.identity_url),
            issuer: found.issuer,
            token_endpoint: found.token_endpoint,
        }),
        Err(error) => Check::Failed(Said::Error(error.to_string())),
    }
}

/// The connection's URL, when the issuer is not it.
fn differs_from(issuer: &str, identity_url: &Url) -> Option<String> {
    let connection = identity_url.as_str().trim_end_matches('/');
    (issuer.trim_end_matches('/') != connection).then(|| connection.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issuer_other_than_the_connections_url_is_explained() {
        let organization: Url = "https://cloud.uipath.com/acme/identity_".parse().unwrap();
        let issuer = "https://cloud.uipath.com/identity_";
        let said = Said::Discovery {
            issuer: issuer.into(),
            token_endpoint: format!("{issuer}/connect/token"),
            differs_from: differs_from(issuer, &organization),
        };
        let note = said.english();
        assert!(
            note.contains("URL https://cloud.uipath.com/acme/identity_,"),
            "{note}"
        );
        assert!(note.contains("one issuer for every organization"), "{note}");
        assert_eq!(
            differs_from("https://cloud.uipath.com/acme/identity_/", &organization),
            None
        );
    }
}
