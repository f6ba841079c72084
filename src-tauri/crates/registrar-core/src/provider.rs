//! The server a connection registers apps on, whichever kind it is: UiPath's External Client API
//! (Automation Cloud, Suite, standalone, the sandbox) or an OAuth 2.0 server with dynamic client
//! registration. The window and the command line work through this, and learn from
//! [`Provider::features`] what the server cannot do.

use crate::connections::ConnectionKind;
use crate::draft::ValidDraft;
use crate::dynamic::DynamicClient;
use crate::error::{Error, Result};
use crate::handoff::Endpoints;
use crate::model::{CatalogResource, ExternalApp, SecretInfo};
use crate::secrets::NewSecret;
use crate::uipath::{CreatedApp, UiPathClient};
use crate::Secret;

#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per open connection, made once and never moved about"
)]
pub enum Provider {
    UiPath(UiPathClient),
    Dynamic(DynamicClient),
}

/// What a server cannot do, each with the reason to show beside the disabled control; `None`:
/// it can.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// Registering apps.
    pub register: Option<Unavailable>,
    /// Deleting one secret of an app.
    pub delete_secret: Option<Unavailable>,
    /// A description and an expiry of the admin's choosing for a new secret (and several
    /// secrets at once).
    pub secret_details: Option<Unavailable>,
}

/// Why a server cannot do something: shown in English by its `Display` (the command line, and
/// errors), and by the window in the admin's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    NoRegistrationEndpoint {
        issuer: String,
    },
    NoScopesListed {
        issuer: String,
    },
    /// It names neither the authorization code nor the client credentials grant.
    NoUsableGrant {
        issuer: String,
    },
    /// One secret per app, which a new one replaces.
    OneSecretPerApp,
    /// One secret per app, with no description, its expiry set by the server.
    ServerSetsSecret,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::NoRegistrationEndpoint { issuer } => write!(
                f,
                "{issuer} takes no registrations: its metadata names no registration endpoint."
            ),
            Unavailable::NoScopesListed { issuer } => write!(
                f,
                "{issuer} does not list its scopes (scopes_supported), so there are none to \
                 choose from."
            ),
            Unavailable::NoUsableGrant { issuer } => write!(
                f,
                "{issuer} names neither the authorization code nor the client credentials grant, \
                 so no scope can be given to an app there."
            ),
            Unavailable::OneSecretPerApp => f.write_str(
                "This server keeps one secret per app: replace it with a new one instead.",
            ),
            Unavailable::ServerSetsSecret => f.write_str(
                "This server keeps one secret per app, with no description, and sets its expiry \
                 itself.",
            ),
        }
    }
}

impl Features {
    /// What every server of a kind cannot do; whether it takes registrations is known once it
    /// is opened ([`Provider::features`]).
    pub fn of_kind(kind: ConnectionKind) -> Self {
        match kind {
            ConnectionKind::OauthServer => Features {
                register: None,
                delete_secret: Some(Unavailable::OneSecretPerApp),
                secret_details: Some(Unavailable::ServerSetsSecret),
            },
            _ => Features::default(),
        }
    }
}

impl Provider {
    pub fn http(&self) -> &reqwest::Client {
        match self {
            Provider::UiPath(client) => client.http(),
            Provider::Dynamic(client) => client.http(),
        }
    }

    /// The URLs a developer configures a token library with.
    pub fn endpoints(&self) -> Endpoints {
        match self {
            Provider::UiPath(client) => Endpoints::from(client.endpoint()),
            Provider::Dynamic(client) => {
                let server = client.server();
                Endpoints {
                    authority: server.published_issuer.clone(),
                    token: server.token_endpoint.clone(),
                    authorize: server.authorization_endpoint.clone(),
                    discovery: server
                        .metadata_url
                        .clone()
                        .unwrap_or_else(|| server.issuer.clone()),
                }
            }
        }
    }

    pub fn features(&self) -> Features {
        match self {
            Provider::UiPath(_) => Features::default(),
            Provider::Dynamic(client) => {
                let server = client.server();
                let issuer = server.issuer.to_string();
                let register = if server.registration_endpoint.is_none() {
                    Some(Unavailable::NoRegistrationEndpoint { issuer })
                } else if server.scopes_supported.is_empty() {
                    Some(Unavailable::NoScopesListed { issuer })
                } else if client.catalog()[0]
                    .scopes
                    .iter()
                    .all(|s| !s.user && !s.application)
                {
                    Some(Unavailable::NoUsableGrant { issuer })
                } else {
                    None
                };
                Features {
                    register,
                    ..Features::of_kind(ConnectionKind::OauthServer)
                }
            }
        }
    }

    pub async fn list_apps(&self) -> Result<Vec<ExternalApp>> {
        match self {
            Provider::UiPath(client) => client.list_apps().await,
            Provider::Dynamic(client) => client.list_apps().await,
        }
    }

    pub async fn get_app(&self, app_id: &str) -> Result<ExternalApp> {
        match self {
            Provider::UiPath(client) => client.get_app(app_id).await,
            Provider::Dynamic(client) => client.get_app(app_id).await,
        }
    }

    pub async fn catalog(&self) -> Result<Vec<CatalogResource>> {
        match self {
            Provider::UiPath(client) => client.catalog().await,
            Provider::Dynamic(client) => Ok(client.catalog()),
        }
    }

    pub async fn create_app(&self, draft: &ValidDraft) -> Result<CreatedApp> {
        if let Some(reason) = self.features().register {
            return Err(Error::Forbidden(reason.to_string()));
        }
        match self {
            Provider::UiPath(client) => client.create_app(draft).await,
            Provider::Dynamic(client) => client.create_app(draft).await,
        }
    }

    /// Saves the draft. The secret, when the server replaced the app's secret with the update
    /// (some RFC 7591 servers do on every update), which ended the old one.
    pub async fn update_app(&self, app_id: &str, draft: &ValidDraft) -> Result<Option<Secret>> {
        match self {
            Provider::UiPath(client) => client.update_app(app_id, draft).await.map(|()| None),
            Provider::Dynamic(client) => client.update_app(app_id, draft).await,
        }
    }

    /// The secret the server now shows for the app in place of the one the admin was last
    /// given (replaced on the server), taken to be shown once.
    pub async fn take_replaced_secret(&self, app_id: &str) -> Result<Option<Secret>> {
        match self {
            Provider::UiPath(_) => Ok(None),
            Provider::Dynamic(client) => client.take_replaced_secret(app_id).await,
        }
    }

    /// The apps whose secret the server replaced since the admin was last given one.
    pub fn replaced_secrets(&self) -> Vec<String> {
        match self {
            Provider::UiPath(_) => Vec::new(),
            Provider::Dynamic(client) => client.replaced_secrets(),
        }
    }

    /// Why the app cannot be read, changed or deleted from Registrar (it was registered on a
    /// server without RFC 7592 management), if it cannot.
    pub fn unmanaged_reason(&self, app_id: &str) -> Result<Option<String>> {
        match self {
            Provider::UiPath(_) => Ok(None),
            Provider::Dynamic(client) => client.unmanaged_reason(app_id),
        }
    }

    /// The app's name, to confirm a deletion by: as the server has it, or for a dynamic
    /// registration server as Registrar listed it, since that server may have lost it.
    pub async fn name_of(&self, app_id: &str) -> Result<String> {
        match self {
            Provider::UiPath(client) => Ok(client.get_app(app_id).await?.name),
            Provider::Dynamic(client) => client.name_of(app_id),
        }
    }

    pub async fn delete_app(&self, app_id: &str) -> Result<()> {
        match self {
            Provider::UiPath(client) => client.delete_app(app_id).await,
            Provider::Dynamic(client) => client.delete_app(app_id).await,
        }
    }

    /// A new secret for the app. UiPath adds one with the request's description and expiry;
    /// a dynamic registration server replaces the app's one secret, and takes no request.
    pub async fn generate_secret(
        &self,
        app_id: &str,
        request: Option<&NewSecret>,
    ) -> Result<(SecretInfo, Secret)> {
        match (self, request) {
            (Provider::UiPath(client), Some(request)) => {
                client.generate_secret(app_id, request).await
            }
            (Provider::UiPath(_), None) => Err(Error::InvalidInput {
                field: None,
                message: "Describe the new secret and choose its expiry.".into(),
            }),
            (Provider::Dynamic(client), None) => client.rotate_secret(app_id).await,
            (Provider::Dynamic(_), Some(_)) => Err(Error::InvalidInput {
                field: None,
                message: Unavailable::ServerSetsSecret.to_string(),
            }),
        }
    }

    pub async fn delete_secret(&self, secret_id: i64) -> Result<()> {
        match self {
            Provider::UiPath(client) => client.delete_secret(secret_id).await,
            Provider::Dynamic(_) => Err(Error::Forbidden(Unavailable::OneSecretPerApp.to_string())),
        }
    }
}
