//! The developer handoff sheet: everything a developer needs to build against an app, as one
//! model ([`Sheet`]) rendered to PDF, HTML, Markdown and JSON. The three documents for people are
//! drawn from one intermediate [`document::Document`], the JSON from the model itself, so the
//! four never disagree.

mod document;
mod fonts;
mod html;
mod json;
mod markdown;
mod pdf;

use time::OffsetDateTime;
use url::Url;
use zeroize::Zeroizing;

use crate::connections::Connection;
use crate::model::{CatalogResource, ExternalApp, Grant, ScopeType, SecretInfo};
use crate::requests::{self, Pkce};
use crate::uipath::Endpoint;
use crate::Secret;

pub use document::{document, Block, Document, Section, Value};

/// The version of the JSON format; see `SCHEMA.md` beside this crate.
pub const JSON_SCHEMA: &str = "registrar.handoff/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
    Markdown,
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Pdf, Format::Html, Format::Markdown, Format::Json];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Markdown => "md",
            Format::Json => "json",
        }
    }

    /// The name a save dialog shows for the file type.
    pub fn label(self) -> &'static str {
        match self {
            Format::Pdf => "PDF document",
            Format::Html => "HTML page",
            Format::Markdown => "Markdown",
            Format::Json => "JSON",
        }
    }
}

/// The connection the app was registered on, as the developer needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetConnection {
    pub name: String,
    /// What kind of server it is, for people ("Sandbox", "Automation Cloud", ...).
    pub kind: String,
    pub organization: String,
}

impl From<&Connection> for SheetConnection {
    fn from(connection: &Connection) -> Self {
        Self {
            name: connection.name.clone(),
            kind: connection.kind.label().to_owned(),
            organization: connection.organization.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The identity server's base: the issuer a token library is configured with.
    /// The issuer as the server publishes it.
    pub authority: String,
    pub token: Url,
    /// None when the server has no authorization endpoint (and so no user flows).
    pub authorize: Option<Url>,
    pub discovery: Url,
}

impl From<&Endpoint> for Endpoints {
    fn from(endpoint: &Endpoint) -> Self {
        Self {
            authority: endpoint.identity_url.to_string(),
            token: endpoint.token_url(),
            authorize: Some(endpoint.authorize_url()),
            discovery: endpoint.discovery_url(),
        }
    }
}

/// The app's scopes of one type, grouped by the resource (API) that offers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeGroup {
    pub scope_type: ScopeType,
    pub resources: Vec<ResourceScopes>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceScopes {
    /// The resource's display name, as the portal labels it.
    pub resource: String,
    pub scopes: Vec<String>,
}

/// A request the developer can run as it is. `Debug` leaves out the commands, which may hold the
/// client secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Request {
    ClientCredentials {
        curl: String,
    },
    /// A user flow: the URL to sign in at and the token exchange for the code it returns.
    AuthorizationCode {
        grant: Grant,
        redirect_uri: String,
        state: String,
        pkce: Pkce,
        authorization_url: Url,
        token_exchange: String,
    },
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Request::ClientCredentials { .. } => {
                f.debug_struct("ClientCredentials").finish_non_exhaustive()
            }
            Request::AuthorizationCode {
                grant,
                redirect_uri,
                ..
            } => f
                .debug_struct("AuthorizationCode")
                .field("grant", grant)
                .field("redirect_uri", redirect_uri)
                .finish_non_exhaustive(),
        }
    }
}

/// A secret's value going into a sheet, and which of the app's secrets it is.
#[derive(Debug)]
pub struct IncludedSecret {
    pub value: Secret,
    /// Its id in the app's secrets; `None` when the server did not say.
    pub id: Option<i64>,
}

/// Whether and how the developer gets the client secret.
#[derive(Debug)]
pub enum SecretDelivery {
    /// In the sheet: possible only while Registrar holds the value, right after generating it.
    Included(IncludedSecret),
    /// Through another channel, chosen by the admin.
    Separately,
    /// A non-confidential app has none.
    NotApplicable,
}

/// Everything that goes in a sheet.
#[derive(Debug)]
pub struct Sheet {
    pub app: ExternalApp,
    pub connection: SheetConnection,
    /// The connection's admin identity, which produced the sheet.
    pub produced_by: String,
    pub produced_at: OffsetDateTime,
    pub scopes: Vec<ScopeGroup>,
    pub grants: Vec<Grant>,
    pub endpoints: Endpoints,
    pub requests: Vec<Request>,
    pub secret: SecretDelivery,
}

/// What a sheet is made from. `pkce` and `state` are inputs so that a sheet can be reproduced.
#[derive(Debug)]
pub struct SheetInput<'a> {
    pub app: ExternalApp,
    pub catalog: &'a [CatalogResource],
    pub connection: SheetConnection,
    pub endpoints: Endpoints,
    pub produced_by: String,
    pub produced_at: OffsetDateTime,
    /// The held secret, when the admin chose to include it.
    pub secret: Option<IncludedSecret>,
    pub pkce: Pkce,
    pub state: String,
}

impl Sheet {
    pub fn new(input: SheetInput<'_>) -> Self {
        let SheetInput {
            app,
            catalog,
            connection,
            endpoints,
            produced_by,
            produced_at,
            secret,
            pkce,
            state,
        } = input;
        let grants = app.grants();
        let secret = match (app.app_type, secret) {
            (crate::model::AppType::NonConfidential, _) => SecretDelivery::NotApplicable,
            (_, Some(secret)) => SecretDelivery::Included(secret),
            (_, None) => SecretDelivery::Separately,
        };
        let requests = grants
            .iter()
            .filter_map(|grant| match grant {
                Grant::ClientCredentials => Some(Request::ClientCredentials {
                    curl: requests::client_credentials_curl(&endpoints.token, &app),
                }),
                Grant::AuthorizationCode | Grant::AuthorizationCodePkce => {
                    let redirect_uri = app.redirect_uris.first()?.clone();
                    let authorize = endpoints.authorize.as_ref()?;
                    Some(Request::AuthorizationCode {
                        grant: *grant,
                        authorization_url: requests::authorization_url(
                            authorize,
                            &app,
                            &redirect_uri,
                            &state,
                            &pkce,
                        ),
                        token_exchange: requests::authorization_code_curl(
                            &endpoints.token,
                            &app,
                            &redirect_uri,
                            &pkce,
                        ),
                        redirect_uri,
                        state: state.clone(),
                        pkce: pkce.clone(),
                    })
                }
            })
            .collect();
        Self {
            scopes: group_scopes(&app, catalog),
            grants,
            requests,
            app,
            connection,
            endpoints,
            produced_by,
            produced_at,
            secret,
        }
    }

    /// Whether the rendered sheet holds the secret, and so must be kept private.
    pub fn holds_secret(&self) -> bool {
        matches!(self.secret, SecretDelivery::Included(_))
    }

    /// Which of the app's secrets the sheet holds the value of, when it holds one and the app's
    /// list says which (by its id, or by being the only one).
    pub fn included_secret(&self) -> Option<&SecretInfo> {
        let SecretDelivery::Included(included) = &self.secret else {
            return None;
        };
        match (included.id, self.app.secrets.as_slice()) {
            (Some(id), secrets) => secrets.iter().find(|s| s.id == id),
            (None, [only]) => Some(only),
            (None, _) => None,
        }
    }

    /// The sheet in `format`. The buffer is wiped when dropped, since it may hold the secret.
    /// Only a PDF can fail: when no font on the computer has a character of the sheet.
    pub fn render(&self, format: Format) -> crate::Result<Zeroizing<Vec<u8>>> {
        Ok(match format {
            Format::Pdf => Zeroizing::new(pdf::render(&document(self))?),
            Format::Html => Zeroizing::new(html::render(&document(self)).into_bytes()),
            Format::Markdown => Zeroizing::new(markdown::render(&document(self)).into_bytes()),
            Format::Json => Zeroizing::new(json::render(self).into_bytes()),
        })
    }

    /// A file name for the sheet: the app's name, safe on every platform.
    pub fn file_name(&self, format: Format) -> String {
        let name: String = self
            .app
            .name
            .chars()
            .map(|c| match c {
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
                c if crate::text::is_hidden(c) => '-',
                c => c,
            })
            .collect();
        let name = name.trim().trim_matches('.');
        let name = if name.is_empty() { "app" } else { name };
        format!("{name} handoff.{}", format.extension())
    }
}

/// User scopes first, then application scopes; within each, resources in catalog order and
/// scopes the catalog does not know under "Other".
fn group_scopes(app: &ExternalApp, catalog: &[CatalogResource]) -> Vec<ScopeGroup> {
    [ScopeType::User, ScopeType::Application]
        .into_iter()
        .map(|scope_type| {
            let mut chosen: Vec<&str> = app
                .scopes
                .iter()
                .filter(|s| s.scope_type == scope_type)
                .map(|s| s.name.as_str())
                .collect();
            let mut resources = Vec::new();
            for resource in catalog {
                let scopes: Vec<String> = resource
                    .scopes
                    .iter()
                    .filter(|s| chosen.contains(&s.name.as_str()))
                    .map(|s| s.name.clone())
                    .collect();
                if !scopes.is_empty() {
                    chosen.retain(|name| !scopes.iter().any(|s| s == name));
                    resources.push(ResourceScopes {
                        resource: resource.display_name.clone(),
                        scopes,
                    });
                }
            }
            if !chosen.is_empty() {
                resources.push(ResourceScopes {
                    resource: "Other".to_owned(),
                    scopes: chosen.into_iter().map(str::to_owned).collect(),
                });
            }
            ScopeGroup {
                scope_type,
                resources,
            }
        })
        .collect()
}
