//! Domain types: what an external application is, independent of any server's wire format.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AppType {
    /// Can keep a secret (a server); gets client secrets and may hold application scopes.
    Confidential,
    /// Desktop, mobile and single-page apps: no secret, user scopes only, PKCE.
    NonConfidential,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScopeType {
    /// Acts as a signed-in user.
    User,
    /// Acts as the application itself, with no user.
    Application,
}

/// A scope as chosen for an app: the same name can be held once per type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    pub name: String,
    pub scope_type: ScopeType,
}

impl Scope {
    pub fn new(name: impl Into<String>, scope_type: ScopeType) -> Self {
        Self {
            name: name.into(),
            scope_type,
        }
    }
}

/// A field of an app draft, named so a UI can put a message beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    Name,
    AppType,
    RedirectUris,
    Scopes,
}

/// Metadata of one secret of an app. The value is never part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretInfo {
    pub id: i64,
    pub description: Option<String>,
    pub created: OffsetDateTime,
    pub expires: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalApp {
    /// The App ID (OAuth client id).
    pub id: String,
    pub name: String,
    pub app_type: AppType,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<Scope>,
    pub secrets: Vec<SecretInfo>,
}

/// One API of the server's catalog with the scopes it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogResource {
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub scopes: Vec<CatalogScope>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogScope {
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub user: bool,
    pub application: bool,
}

impl CatalogScope {
    pub fn offers(&self, scope_type: ScopeType) -> bool {
        match scope_type {
            ScopeType::User => self.user,
            ScopeType::Application => self.application,
        }
    }
}
