//! The types the web UI sends and receives. They are kept apart from the domain types and
//! converted with `From`; ts-rs writes their TypeScript twins to `ui/src/ipc/bindings.ts`.

use registrar_core::connections::{Connection, ConnectionKind as CoreConnectionKind};
use registrar_core::draft::AppDraft as CoreDraft;
use registrar_core::model::{self, ExternalApp};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AppType {
    Confidential,
    NonConfidential,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ScopeType {
    User,
    Application,
}

#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    Sandbox,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    pub identity_url: String,
    pub organization: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppSummary {
    pub id: String,
    pub name: String,
    pub app_type: AppType,
    pub scope_count: u32,
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogScope {
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub user: bool,
    pub application: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogResource {
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub scopes: Vec<CatalogScope>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ScopeChoice {
    pub name: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub scope_type: ScopeType,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppDraft {
    pub name: String,
    pub app_type: AppType,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<ScopeChoice>,
}

/// The answer to a registration. `secret` carries a confidential app's first secret to the UI for
/// its one showing; nothing keeps it afterwards.
#[derive(Debug, Serialize, TS)]
pub struct RegisteredApp {
    pub app: AppSummary,
    pub secret: Option<String>,
}

impl From<model::AppType> for AppType {
    fn from(value: model::AppType) -> Self {
        match value {
            model::AppType::Confidential => Self::Confidential,
            model::AppType::NonConfidential => Self::NonConfidential,
        }
    }
}

impl From<AppType> for model::AppType {
    fn from(value: AppType) -> Self {
        match value {
            AppType::Confidential => Self::Confidential,
            AppType::NonConfidential => Self::NonConfidential,
        }
    }
}

impl From<ScopeType> for model::ScopeType {
    fn from(value: ScopeType) -> Self {
        match value {
            ScopeType::User => Self::User,
            ScopeType::Application => Self::Application,
        }
    }
}

impl From<&ExternalApp> for AppSummary {
    fn from(app: &ExternalApp) -> Self {
        Self {
            id: app.id.clone(),
            name: app.name.clone(),
            app_type: app.app_type.into(),
            scope_count: u32::try_from(app.scopes.len()).unwrap_or(u32::MAX),
            redirect_uris: app.redirect_uris.clone(),
        }
    }
}

impl From<&model::CatalogResource> for CatalogResource {
    fn from(resource: &model::CatalogResource) -> Self {
        Self {
            name: resource.name.clone(),
            display_name: resource.display_name.clone(),
            description: resource.description.clone(),
            scopes: resource
                .scopes
                .iter()
                .map(|s| CatalogScope {
                    name: s.name.clone(),
                    display_name: s.display_name.clone(),
                    description: s.description.clone(),
                    user: s.user,
                    application: s.application,
                })
                .collect(),
        }
    }
}

impl From<AppDraft> for CoreDraft {
    fn from(draft: AppDraft) -> Self {
        Self {
            name: draft.name,
            app_type: draft.app_type.into(),
            redirect_uris: draft.redirect_uris,
            scopes: draft
                .scopes
                .into_iter()
                .map(|s| model::Scope::new(s.name, s.scope_type.into()))
                .collect(),
        }
    }
}

impl ConnectionView {
    pub fn new(connection: &Connection, identity_url: String) -> Self {
        Self {
            id: connection.id.clone(),
            name: connection.name.clone(),
            kind: match connection.kind {
                CoreConnectionKind::Sandbox => ConnectionKind::Sandbox,
            },
            identity_url,
            organization: connection.organization.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, IpcError};

    /// The TypeScript of every IPC type, in the order the UI file lists them.
    fn typescript_bindings() -> String {
        let cfg = ts_rs::Config::new();
        let decls = [
            AppType::decl(&cfg),
            ScopeType::decl(&cfg),
            ConnectionKind::decl(&cfg),
            ConnectionView::decl(&cfg),
            AppSummary::decl(&cfg),
            CatalogScope::decl(&cfg),
            CatalogResource::decl(&cfg),
            ScopeChoice::decl(&cfg),
            AppDraft::decl(&cfg),
            RegisteredApp::decl(&cfg),
            ErrorCode::decl(&cfg),
            IpcError::decl(&cfg),
        ];
        let mut out = String::from("// Generated by ts-rs from the Rust IPC types. Do not edit.\n");
        out.push_str("// Regenerate: UPDATE_BINDINGS=1 cargo test -p registrar bindings\n\n");
        for decl in decls {
            out.push_str("export ");
            out.push_str(&decl);
            out.push('\n');
        }
        out
    }

    /// The committed bindings must be what the Rust types generate; `UPDATE_BINDINGS=1` rewrites them.
    #[test]
    fn bindings_are_up_to_date() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/ipc/bindings.ts");
        let generated = typescript_bindings();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/ipc/bindings.ts is stale: run UPDATE_BINDINGS=1 cargo test -p registrar bindings"
        );
    }
}
