//! The types the web UI sends and receives. They are kept apart from the domain types and
//! converted with `From`; ts-rs writes their TypeScript twins to `ui/src/ipc/bindings.ts`.

use registrar_app::session::FindingCounter;
use registrar_app::workspace::CopyPlan;
use registrar_core::audit;
use registrar_core::connections::{Connection, ConnectionKind as CoreConnectionKind};
use registrar_core::draft::AppDraft as CoreDraft;
use registrar_core::edit;
use registrar_core::expiry;
use registrar_core::handoff;
use registrar_core::lint;
use registrar_core::manifest;
use registrar_core::model::{self, rfc3339, ExternalApp, SecretInfo};
use registrar_core::provider;
use registrar_core::rotation::Rotation;
use registrar_core::settings;
use registrar_core::{Error, Secret};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ts_rs::TS;
use zeroize::Zeroize;

/// A secret value (an app's secret, an access token) on its way to the UI for its one showing:
/// sent as a string, never in a `Debug` output, and wiped from memory once sent.
#[derive(Serialize, TS)]
pub struct ShownOnce(String);

impl ShownOnce {
    pub fn new(secret: &Secret) -> Self {
        Self(secret.expose().to_owned())
    }
}

impl std::fmt::Debug for ShownOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShownOnce(<redacted>)")
    }
}

impl Drop for ShownOnce {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AppType {
    Confidential,
    NonConfidential,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ScopeType {
    User,
    Application,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    Sandbox,
    AutomationCloud,
    AutomationSuite,
    Standalone,
    OauthServer,
}

/// How the admin proves who they are on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum CredentialKind {
    /// An admin app's client id and secret.
    ClientSecret,
    /// Sign-in in the browser; a refresh token is kept.
    SignIn,
    /// An OAuth server's initial access token, to register clients (RFC 7591).
    InitialAccessToken,
}

/// What the connection's server cannot do, each with the reason to show; null: it can.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Features {
    pub register: Option<Unavailable>,
    pub delete_secret: Option<Unavailable>,
    /// No description or expiry for a new secret: it replaces the one the app has.
    pub secret_details: Option<Unavailable>,
}

/// Why a server cannot do something, by what it names: the window says it in the admin's
/// language.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Unavailable {
    NoRegistrationEndpoint { issuer: String },
    NoScopesListed { issuer: String },
    NoUsableGrant { issuer: String },
    OneSecretPerApp,
    ServerSetsSecret,
}

impl From<provider::Unavailable> for Unavailable {
    fn from(why: provider::Unavailable) -> Self {
        match why {
            provider::Unavailable::NoRegistrationEndpoint { issuer } => {
                Unavailable::NoRegistrationEndpoint { issuer }
            }
            provider::Unavailable::NoScopesListed { issuer } => {
                Unavailable::NoScopesListed { issuer }
            }
            provider::Unavailable::NoUsableGrant { issuer } => {
                Unavailable::NoUsableGrant { issuer }
            }
            provider::Unavailable::OneSecretPerApp => Unavailable::OneSecretPerApp,
            provider::Unavailable::ServerSetsSecret => Unavailable::ServerSetsSecret,
        }
    }
}

impl From<provider::Features> for Features {
    fn from(features: provider::Features) -> Self {
        Self {
            register: features.register.map(Into::into),
            delete_secret: features.delete_secret.map(Into::into),
            secret_details: features.secret_details.map(Into::into),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    /// Empty when the saved host cannot make a URL (the connection needs an edit).
    pub identity_url: String,
    pub organization: String,
    pub host: Option<String>,
    pub organization_id: String,
    pub client_id: String,
    pub credential: CredentialKind,
    /// The issuer URL of an OAuth server.
    pub issuer: Option<String>,
    /// An OAuth server that takes registrations without an initial access token.
    pub open_registration: bool,
    /// The loopback port a sign-in listens on, when not the default.
    pub sign_in_port: Option<u16>,
    pub features: Features,
}

/// The saved connections, and the one the window works on.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionList {
    pub connections: Vec<ConnectionView>,
    pub current_id: String,
    /// Why the window did not open on the connection chosen last time, if it did not.
    pub notice: Option<String>,
}

/// A new connection (`id` null) or an edit of a saved one. Its `Debug` leaves the secret out.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionForm {
    pub id: Option<String>,
    pub name: String,
    pub kind: ConnectionKind,
    pub host: Option<String>,
    pub organization: String,
    /// The organization's GUID, when the admin token does not name it.
    pub organization_id: Option<String>,
    pub client_id: String,
    pub credential: CredentialKind,
    /// For `oauthServer`: its issuer URL.
    pub issuer: Option<String>,
    /// For `clientSecret`: the admin app's secret; for `initialAccessToken`, the token. Null
    /// keeps the saved one when editing.
    pub client_secret: Option<String>,
    /// For `signIn`: sign in again even though a sign-in is kept for this server and app.
    pub sign_in_again: bool,
    /// For `oauthServer`: it takes registrations without an initial access token.
    pub open_registration: bool,
    /// For `signIn`: the loopback port the sign-in listens on; none for the default.
    pub sign_in_port: Option<u16>,
}

impl std::fmt::Debug for ConnectionForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionForm")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppSummary {
    pub id: String,
    pub name: String,
    pub app_type: AppType,
    pub scopes: Vec<ScopeChoice>,
    pub redirect_uris: Vec<String>,
    pub secret_count: u32,
    /// RFC 3339, UTC.
    pub nearest_expiry: Option<String>,
    /// As the server's list gave it: `scopes`, `secretCount`, `nearestExpiry` and `findings`
    /// are not known yet, and `read_apps` reads them.
    pub listed_only: bool,
    /// How many least-privilege findings it has that were not dismissed; null while not known.
    pub findings: Option<u32>,
}

#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SecretStatus {
    Active,
    ExpiringSoon,
    Expired,
}

/// A secret's metadata; never its value.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretView {
    #[ts(type = "number")]
    pub id: i64,
    pub description: Option<String>,
    /// RFC 3339, UTC.
    pub created: String,
    pub expires: Option<String>,
    pub status: SecretStatus,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppDetails {
    pub id: String,
    pub name: String,
    pub app_type: AppType,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<ScopeChoice>,
    pub secrets: Vec<SecretView>,
    /// Whether this session holds the value of the app's newest secret (it generated it), so it
    /// can be verified, copied or put in a handoff sheet.
    pub holds_secret: bool,
    /// Which of `secrets` the held secret is, when the server said which (or it is the only one).
    #[ts(type = "number | null")]
    pub held_secret_id: Option<i64>,
    /// Why Registrar can neither change, replace the secret of, nor delete this app (it was
    /// registered on a server without RFC 7592 management), if it cannot.
    pub unmanaged: Option<String>,
    /// The secret the server now shows in place of the one last given (it was replaced on the
    /// server): its value leaves Rust here, once, for the UI to show. Only `get_app` sends one.
    pub replaced_secret: Option<GeneratedSecret>,
    /// The rotation of its secret in progress, if there is one.
    pub rotation: Option<RotationView>,
}

/// What copying an app to another connection would register there, and what stands in its way.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CopyPreview {
    pub target_id: String,
    pub target_name: String,
    pub name: String,
    pub app_type: AppType,
    /// The scopes the copy gets: all the app's, but those the target does not offer.
    pub scopes: Vec<ScopeChoice>,
    pub redirect_uris: Vec<String>,
    /// How long the copy's secret lives, in days, as the app's newest secret did; null: never.
    pub secret_lifetime_days: Option<u32>,
    /// The app's scopes the target does not offer: copied only without them, when asked.
    pub not_offered: Vec<ScopeChoice>,
    /// The target's app of the same name, if there is one: nothing is copied then.
    pub existing_app_id: Option<String>,
}

impl From<&CopyPlan> for CopyPreview {
    fn from(plan: &CopyPlan) -> Self {
        let kept = plan.wanted.clone().without(&plan.not_offered);
        Self {
            target_id: plan.target.id.clone(),
            target_name: plan.target.name.clone(),
            name: kept.name.clone(),
            app_type: kept.app_type.into(),
            scopes: choices(&kept.scopes()),
            redirect_uris: kept.redirect_uris.clone(),
            secret_lifetime_days: kept.secret_lifetime_days,
            not_offered: choices(&plan.not_offered),
            existing_app_id: plan.existing.clone(),
        }
    }
}

/// A manifest compared with the connection's apps: what applying it would do.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ManifestComparison {
    /// The manifest file compared.
    pub path: String,
    /// The apps only the manifest has, which applying it would create.
    pub only_in_manifest: Vec<String>,
    /// The apps that differ, and how applying the manifest would change them.
    pub differ: Vec<AppDrift>,
    /// The apps the manifest does not name.
    pub only_on_server: Vec<AppRef>,
    /// The apps as the manifest says.
    pub same: Vec<String>,
}

/// An app on the server, by ID and name.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppRef {
    pub id: String,
    pub name: String,
}

/// How applying a manifest would change one app.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppDrift {
    pub id: String,
    pub name: String,
    pub rename: Option<String>,
    pub scopes_added: Vec<ScopeChoice>,
    pub scopes_removed: Vec<ScopeChoice>,
    pub redirect_uris_added: Vec<String>,
    pub redirect_uris_removed: Vec<String>,
}

impl ManifestComparison {
    /// `plan` made with `prune`, so that the apps the manifest does not name are listed.
    pub fn new(path: String, plan: &manifest::Plan) -> Self {
        let mut comparison = Self {
            path,
            only_in_manifest: Vec::new(),
            differ: Vec::new(),
            only_on_server: Vec::new(),
            same: plan.unchanged.clone(),
        };
        for change in &plan.changes {
            match change {
                manifest::Change::Create { wanted, .. } => {
                    comparison.only_in_manifest.push(wanted.name.clone());
                }
                manifest::Change::Update { app, changes, .. } => {
                    comparison.differ.push(AppDrift {
                        id: app.id.clone(),
                        name: app.name.clone(),
                        rename: changes.name.as_ref().map(|(_, to)| to.clone()),
                        scopes_added: choices(&changes.scopes_added),
                        scopes_removed: choices(&changes.scopes_removed),
                        redirect_uris_added: changes.redirect_uris_added.clone(),
                        redirect_uris_removed: changes.redirect_uris_removed.clone(),
                    });
                }
                manifest::Change::Delete { app } => comparison.only_on_server.push(AppRef {
                    id: app.id.clone(),
                    name: app.name.clone(),
                }),
            }
        }
        comparison
    }
}

/// A copy registered on another connection: where, its App ID, and its secret, shown once.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CopiedApp {
    pub connection_id: String,
    pub app_id: String,
    pub secret: Option<GeneratedSecret>,
}

/// A rotation in progress: the new secret, the old ones it retires, and the steps done.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RotationView {
    #[ts(type = "number")]
    pub new_secret_id: i64,
    #[ts(type = "number[]")]
    pub old_secret_ids: Vec<i64>,
    /// RFC 3339, UTC, as the dates below.
    pub started_at: String,
    pub verified_at: Option<String>,
    pub sheet_exported_at: Option<String>,
}

impl From<&Rotation> for RotationView {
    fn from(rotation: &Rotation) -> Self {
        Self {
            new_secret_id: rotation.new_secret_id,
            old_secret_ids: rotation.old_secret_ids.clone(),
            started_at: rfc3339(rotation.started_at),
            verified_at: rotation.verified_at.map(rfc3339),
            sheet_exported_at: rotation.sheet_exported_at.map(rfc3339),
        }
    }
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

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
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

/// The editable part of an app: as opened (`base`) or as wanted (`edit`).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppEdit {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<ScopeChoice>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct NameChange {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppChanges {
    pub name: Option<NameChange>,
    pub scopes_added: Vec<ScopeChoice>,
    pub scopes_removed: Vec<ScopeChoice>,
    pub redirect_uris_added: Vec<String>,
    pub redirect_uris_removed: Vec<String>,
    /// What the app keeps although Registrar's rules or the catalog would refuse it now, each
    /// in words (the app was made elsewhere, or before the catalog changed).
    pub kept_as_held: Vec<String>,
}

/// A secret to generate: its description, and the day it expires on (YYYY-MM-DD: it works until
/// the last second of that day, local time); `null` for a secret that never expires. A server
/// that keeps one secret per app takes neither.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewSecret {
    pub description: String,
    pub expires_on: Option<String>,
}

/// A generated secret: its metadata, and its value for the one showing.
#[derive(Debug, Serialize, TS)]
pub struct GeneratedSecret {
    pub secret: SecretView,
    pub value: ShownOnce,
}

impl GeneratedSecret {
    pub fn new(info: &SecretInfo, value: &Secret, now: OffsetDateTime) -> Self {
        Self {
            secret: SecretView::new(info, now),
            value: ShownOnce::new(value),
        }
    }
}

/// A saved edit: the app as read back, and the secret the server issued with the update when it
/// replaced the app's secret (some RFC 7591 servers do on every update): its value leaves Rust
/// here, once, for the UI to show, since the old one no longer works.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedApp {
    pub details: AppDetails,
    pub replaced_secret: Option<GeneratedSecret>,
}

/// What the token endpoint granted to the app's own credentials.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub requested_scopes: Vec<String>,
    pub granted_scopes: Vec<String>,
    pub lifetime_seconds: u32,
    /// The access token's claims, each value as JSON text.
    pub claims: Vec<Claim>,
    /// The access token itself, only when the admin asked to see it.
    pub token: Option<ShownOnce>,
}

#[derive(Debug, Serialize, TS)]
pub struct Claim {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// A copied secret is cleared from the clipboard after this many seconds (5 to 600).
    pub clipboard_clear_seconds: u32,
    /// The longest a secret should live before the lint names it, in days (30 to 3650).
    pub max_secret_age_days: u32,
    /// Whether the window notifies before secrets expire.
    pub expiry_alerts: bool,
    /// How many days before an expiry it notifies, besides at expiry (each 1 to 365, at most 5).
    pub alert_days: Vec<u32>,
    pub theme: Theme,
    pub language: Language,
}

/// How the window looks: as the system does, or always light or dark.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl From<settings::Theme> for Theme {
    fn from(value: settings::Theme) -> Self {
        match value {
            settings::Theme::System => Theme::System,
            settings::Theme::Light => Theme::Light,
            settings::Theme::Dark => Theme::Dark,
        }
    }
}

impl From<Theme> for settings::Theme {
    fn from(value: Theme) -> Self {
        match value {
            Theme::System => settings::Theme::System,
            Theme::Light => settings::Theme::Light,
            Theme::Dark => settings::Theme::Dark,
        }
    }
}

/// The window's language: the system's, when Registrar speaks it, or English or Japanese.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Language {
    System,
    En,
    Ja,
}

impl From<settings::Language> for Language {
    fn from(value: settings::Language) -> Self {
        match value {
            settings::Language::System => Language::System,
            settings::Language::En => Language::En,
            settings::Language::Ja => Language::Ja,
        }
    }
}

impl From<Language> for settings::Language {
    fn from(value: Language) -> Self {
        match value {
            Language::System => settings::Language::System,
            Language::En => settings::Language::En,
            Language::Ja => settings::Language::Ja,
        }
    }
}

/// The answer to copying a secret: when it will be cleared from the clipboard, and the copy's
/// number, which the `secret-cleared` event names.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Copied {
    pub clears_in_seconds: u32,
    #[ts(type = "number")]
    pub copy: u64,
}

/// The `secret-cleared` event: what became of a copied secret once its delay was over.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretCleared {
    #[ts(type = "number")]
    pub copy: u64,
    pub outcome: ClearOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ClearOutcome {
    /// It was still on the clipboard, and is gone.
    Cleared,
    /// Something else was copied since (another secret too): the clipboard was left as it is.
    CopiedOver,
    /// The clipboard could not be read or cleared.
    Failed,
}

/// How one step of a connection test went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StepOutcome {
    Passed,
    Failed,
    /// Not tried, because an earlier step failed.
    Skipped,
    /// Not checkable without changing the server (an initial access token).
    Unchecked,
}

#[derive(Debug, Serialize, TS)]
pub struct ConnectionStep {
    /// `discovery`, `token` or `listing`.
    pub name: String,
    pub outcome: StepOutcome,
    pub said: StepSaid,
}

/// What a step found, by what it names: the window says it in the admin's language.
#[derive(Debug, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StepSaid {
    /// `differsFrom`: the connection's URL, when the issuer is not it.
    #[serde(rename_all = "camelCase")]
    Discovery {
        issuer: String,
        token_endpoint: String,
        differs_from: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
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
    /// What went wrong, as the error says it (in English).
    Error {
        message: String,
    },
}

impl From<registrar_core::probe::Said> for StepSaid {
    fn from(said: registrar_core::probe::Said) -> Self {
        use registrar_core::probe::Said;
        match said {
            Said::Discovery {
                issuer,
                token_endpoint,
                differs_from,
            } => StepSaid::Discovery {
                issuer,
                token_endpoint,
                differs_from,
            },
            Said::Metadata {
                issuer,
                token_endpoint,
                registration_endpoint,
            } => StepSaid::Metadata {
                issuer,
                token_endpoint,
                registration_endpoint,
            },
            Said::NoRegistrationEndpoint { issuer } => StepSaid::NoRegistrationEndpoint { issuer },
            Said::OpenRegistration => StepSaid::OpenRegistration,
            Said::InitialAccessTokenKept => StepSaid::InitialAccessTokenKept,
            Said::ClientsRead { count } => StepSaid::ClientsRead { count },
            Said::AdminTokenIssued { scopes } => StepSaid::AdminTokenIssued { scopes },
            Said::AppsListed { count } => StepSaid::AppsListed { count },
            Said::NeedsAdminToken => StepSaid::NeedsAdminToken,
            Said::Error(message) => StepSaid::Error { message },
        }
    }
}

/// What works on the connection, step by step.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTest {
    pub steps: Vec<ConnectionStep>,
    /// The scopes the admin token carries.
    pub admin_scopes: Vec<String>,
    /// The organization's GUID, when the token names it.
    pub organization_id: Option<String>,
}

impl From<registrar_core::probe::ConnectionReport> for ConnectionTest {
    fn from(report: registrar_core::probe::ConnectionReport) -> Self {
        use registrar_core::probe::Check;
        let steps = report
            .steps()
            .into_iter()
            .map(|(name, check)| ConnectionStep {
                name: name.to_owned(),
                outcome: match check {
                    Check::Passed(_) => StepOutcome::Passed,
                    Check::Failed(_) => StepOutcome::Failed,
                    Check::Skipped(_) => StepOutcome::Skipped,
                    Check::Unchecked(_) => StepOutcome::Unchecked,
                },
                said: check.said().clone().into(),
            })
            .collect();
        Self {
            steps,
            admin_scopes: report.admin_scopes,
            organization_id: report.organization_id.map(|id| id.to_string()),
        }
    }
}

/// A handoff sheet's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum HandoffFormat {
    Pdf,
    Html,
    Markdown,
    Json,
}

/// A least-privilege finding on an app, by what it names: the window says what, why it matters
/// and what to change in the admin's language.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    /// Its name, as `registrar lint` and dismissals give it: `plainHttpRedirect`.
    pub code: String,
    pub facts: FindingFacts,
}

/// What a finding names, by its kind.
#[derive(Debug, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FindingFacts {
    UserScopesWithoutRedirect {
        scopes: Vec<String>,
    },
    #[serde(rename_all = "camelCase")]
    BroadAndNarrowScope {
        broad: String,
        narrower: Vec<String>,
        scope_type: ScopeType,
    },
    PlainHttpRedirect {
        uri: String,
    },
    /// `other` is `uri` when it is listed twice, else it differs by a trailing slash.
    DuplicateRedirect {
        uri: String,
        other: String,
    },
    OnlyExpiredSecrets,
    /// `livesDays` is null for a secret that never expires.
    #[serde(rename_all = "camelCase")]
    SecretLivesTooLong {
        #[ts(type = "number")]
        secret_id: i64,
        description: Option<String>,
        #[ts(type = "number | null")]
        lives_days: Option<i64>,
        #[ts(type = "number")]
        max_days: i64,
    },
    #[serde(rename_all = "camelCase")]
    AllSecretsTooOld {
        #[ts(type = "number")]
        max_days: i64,
    },
}

impl From<&lint::Finding> for FindingView {
    fn from(finding: &lint::Finding) -> Self {
        let facts = match finding.facts.clone() {
            lint::Facts::UserScopesWithoutRedirect { scopes } => {
                FindingFacts::UserScopesWithoutRedirect { scopes }
            }
            lint::Facts::BroadAndNarrowScope {
                broad,
                narrower,
                scope_type,
            } => FindingFacts::BroadAndNarrowScope {
                broad,
                narrower,
                scope_type: scope_type.into(),
            },
            lint::Facts::PlainHttpRedirect { uri } => FindingFacts::PlainHttpRedirect { uri },
            lint::Facts::DuplicateRedirect { uri, other } => {
                FindingFacts::DuplicateRedirect { uri, other }
            }
            lint::Facts::OnlyExpiredSecrets => FindingFacts::OnlyExpiredSecrets,
            lint::Facts::SecretLivesTooLong {
                secret_id,
                description,
                lives_days,
                max_days,
            } => FindingFacts::SecretLivesTooLong {
                secret_id,
                description,
                lives_days,
                max_days,
            },
            lint::Facts::AllSecretsTooOld { max_days } => {
                FindingFacts::AllSecretsTooOld { max_days }
            }
        };
        Self {
            code: finding.code.name(),
            facts,
        }
    }
}

/// A finding the admin set aside for the app, and why.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DismissedFinding {
    pub finding: FindingView,
    pub reason: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// An app's findings: those that stand, and those dismissed.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppFindings {
    pub findings: Vec<FindingView>,
    pub dismissed: Vec<DismissedFinding>,
}

impl From<&registrar_app::session::Linted> for AppFindings {
    fn from(linted: &registrar_app::session::Linted) -> Self {
        Self {
            findings: linted.findings.iter().map(FindingView::from).collect(),
            dismissed: linted
                .dismissed
                .iter()
                .map(|(finding, dismissal)| DismissedFinding {
                    finding: FindingView::from(finding),
                    reason: dismissal.reason.clone(),
                    at: rfc3339(dismissal.at),
                })
                .collect(),
        }
    }
}

/// One entry of the audit trail, as the window lists it.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: u64,
    /// RFC 3339, UTC.
    pub at: String,
    pub user: String,
    pub connection_name: String,
    pub admin: String,
    pub app_id: Option<String>,
    pub app_name: Option<String>,
    /// As the trail names it: `appCreated`.
    pub action: String,
    /// The metadata before and after, as indented JSON.
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<audit::Entry> for AuditEntry {
    fn from(entry: audit::Entry) -> Self {
        let change = entry.change;
        let json = |value: Option<serde_json::Value>| {
            value.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
        };
        Self {
            seq: entry.seq,
            at: rfc3339(entry.at),
            user: entry.user,
            connection_name: change.connection.name,
            admin: change.admin,
            app_id: change.app.as_ref().map(|a| a.id.clone()),
            app_name: change.app.map(|a| a.name),
            action: change.action.name(),
            before: json(change.before),
            after: json(change.after),
        }
    }
}

/// How soon an expiring row needs the admin, most urgent first.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Urgency {
    NoActiveSecret,
    Expired,
    Within7Days,
    Within30Days,
    Within90Days,
    Later,
    NoExpiry,
}

impl From<expiry::Urgency> for Urgency {
    fn from(urgency: expiry::Urgency) -> Self {
        use expiry::Urgency as U;
        match urgency {
            U::NoActiveSecret => Self::NoActiveSecret,
            U::Expired => Self::Expired,
            U::Within7Days => Self::Within7Days,
            U::Within30Days => Self::Within30Days,
            U::Within90Days => Self::Within90Days,
            U::Later => Self::Later,
            U::NoExpiry => Self::NoExpiry,
        }
    }
}

/// One secret of one app of one connection, or an app with no working secret.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringRow {
    pub connection_id: String,
    pub connection_name: String,
    pub app_id: String,
    pub app_name: String,
    pub urgency: Urgency,
    #[ts(type = "number | null")]
    pub secret_id: Option<i64>,
    pub description: Option<String>,
    /// RFC 3339, UTC.
    pub expires: Option<String>,
}

/// A saved connection the overview could not read, and why.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Unreachable {
    pub connection_id: String,
    pub connection_name: String,
    pub reason: String,
}

/// What expires across every saved connection: rows soonest first, and the connections that
/// could not be read.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringOverview {
    pub rows: Vec<ExpiringRow>,
    pub unreachable: Vec<Unreachable>,
    /// The rotations in progress, oldest first.
    pub rotations: Vec<RotationRow>,
}

/// A rotation in progress, with the app and connection it is of.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RotationRow {
    pub connection_id: String,
    pub connection_name: String,
    pub app_id: String,
    pub app_name: String,
    pub rotation: RotationView,
}

impl ExpiringOverview {
    pub fn new(
        found: Vec<(Connection, registrar_core::Result<Vec<expiry::Row>>)>,
        rotations: &[Rotation],
    ) -> Self {
        let rotations = rotations
            .iter()
            .filter_map(|r| {
                let (connection, _) = found.iter().find(|(c, _)| c.id == r.connection_id)?;
                Some(RotationRow {
                    connection_id: connection.id.clone(),
                    connection_name: connection.name.clone(),
                    app_id: r.app.id.clone(),
                    app_name: r.app.name.clone(),
                    rotation: RotationView::from(r),
                })
            })
            .collect();
        let mut rows = Vec::new();
        let mut unreachable = Vec::new();
        for (connection, read) in found {
            match read {
                Ok(found) => rows.extend(found.into_iter().map(|row| ExpiringRow {
                    connection_id: connection.id.clone(),
                    connection_name: connection.name.clone(),
                    app_id: row.app_id,
                    app_name: row.app_name,
                    urgency: row.urgency.into(),
                    secret_id: row.secret_id,
                    description: row.description,
                    expires: row.expires.map(rfc3339),
                })),
                Err(e) => unreachable.push(Unreachable {
                    connection_id: connection.id,
                    connection_name: connection.name,
                    reason: e.to_string(),
                }),
            }
        }
        // Across connections too: the most urgent first, then the soonest.
        rows.sort_by(|a, b| {
            (a.urgency as u8, &a.expires, &a.app_name).cmp(&(
                b.urgency as u8,
                &b.expires,
                &b.app_name,
            ))
        });
        Self {
            rows,
            unreachable,
            rotations,
        }
    }
}

/// Where a handoff sheet was written, and whether it holds the secret (and so was written
/// readable by its owner only).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportedSheet {
    pub path: String,
    pub secret_included: bool,
    pub owner_only: bool,
}

/// The answer to a registration. `secret` carries a confidential app's first secret to the UI for
/// its one showing; nothing keeps it afterwards.
#[derive(Debug, Serialize, TS)]
pub struct RegisteredApp {
    pub app: AppSummary,
    pub secret: Option<ShownOnce>,
}

impl From<HandoffFormat> for handoff::Format {
    fn from(value: HandoffFormat) -> Self {
        match value {
            HandoffFormat::Pdf => Self::Pdf,
            HandoffFormat::Html => Self::Html,
            HandoffFormat::Markdown => Self::Markdown,
            HandoffFormat::Json => Self::Json,
        }
    }
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

impl From<model::ScopeType> for ScopeType {
    fn from(value: model::ScopeType) -> Self {
        match value {
            model::ScopeType::User => Self::User,
            model::ScopeType::Application => Self::Application,
        }
    }
}

impl From<&model::Scope> for ScopeChoice {
    fn from(scope: &model::Scope) -> Self {
        Self {
            name: scope.name.clone(),
            scope_type: scope.scope_type.into(),
        }
    }
}

impl From<ScopeChoice> for model::Scope {
    fn from(choice: ScopeChoice) -> Self {
        Self::new(choice.name, choice.scope_type.into())
    }
}

fn choices(scopes: &[model::Scope]) -> Vec<ScopeChoice> {
    scopes.iter().map(ScopeChoice::from).collect()
}

impl AppSummary {
    pub fn new(app: &ExternalApp, counter: &FindingCounter) -> Self {
        Self {
            id: app.id.clone(),
            name: app.name.clone(),
            app_type: app.app_type.into(),
            scopes: choices(&app.scopes),
            redirect_uris: app.redirect_uris.clone(),
            secret_count: u32::try_from(app.secrets.len()).unwrap_or(u32::MAX),
            nearest_expiry: app.nearest_expiry().map(rfc3339),
            listed_only: app.listed_only,
            findings: counter.count(app),
        }
    }
}

impl SecretView {
    pub fn new(secret: &SecretInfo, now: OffsetDateTime) -> Self {
        Self {
            id: secret.id,
            description: secret.description.clone(),
            created: rfc3339(secret.created),
            expires: secret.expires.map(rfc3339),
            status: match secret.status(now) {
                model::SecretStatus::Active => SecretStatus::Active,
                model::SecretStatus::ExpiringSoon => SecretStatus::ExpiringSoon,
                model::SecretStatus::Expired => SecretStatus::Expired,
            },
        }
    }
}

impl AppDetails {
    /// `held`: whether this session holds a secret of the app, and which one, if known.
    pub fn new(app: &ExternalApp, held: Option<Option<i64>>, rotation: Option<&Rotation>) -> Self {
        let now = OffsetDateTime::now_utc();
        Self {
            id: app.id.clone(),
            name: app.name.clone(),
            app_type: app.app_type.into(),
            redirect_uris: app.redirect_uris.clone(),
            scopes: choices(&app.scopes),
            secrets: app
                .secrets
                .iter()
                .map(|s| SecretView::new(s, now))
                .collect(),
            holds_secret: held.is_some(),
            held_secret_id: match (held, app.secrets.as_slice()) {
                (Some(Some(id)), _) => Some(id),
                (Some(None), [only]) => Some(only.id),
                _ => None,
            },
            unmanaged: None,
            replaced_secret: None,
            rotation: rotation.map(RotationView::from),
        }
    }
}

impl From<AppEdit> for edit::AppEdit {
    fn from(value: AppEdit) -> Self {
        Self {
            name: value.name,
            redirect_uris: value.redirect_uris,
            scopes: value.scopes.into_iter().map(model::Scope::from).collect(),
        }
    }
}

impl From<&edit::AppChanges> for AppChanges {
    fn from(changes: &edit::AppChanges) -> Self {
        Self {
            name: changes.name.as_ref().map(|(from, to)| NameChange {
                from: from.clone(),
                to: to.clone(),
            }),
            scopes_added: choices(&changes.scopes_added),
            scopes_removed: choices(&changes.scopes_removed),
            redirect_uris_added: changes.redirect_uris_added.clone(),
            redirect_uris_removed: changes.redirect_uris_removed.clone(),
            kept_as_held: changes.kept_as_held.clone(),
        }
    }
}

impl From<registrar_core::verify::Verification> for Verification {
    fn from(value: registrar_core::verify::Verification) -> Self {
        Self {
            requested_scopes: value.requested_scopes,
            granted_scopes: value.granted_scopes,
            lifetime_seconds: u32::try_from(value.lifetime.as_secs()).unwrap_or(u32::MAX),
            claims: value
                .claims
                .iter()
                .map(|(name, value)| Claim {
                    name: name.clone(),
                    value: value.to_string(),
                })
                .collect(),
            token: None,
        }
    }
}

impl From<registrar_core::settings::Settings> for Settings {
    fn from(value: registrar_core::settings::Settings) -> Self {
        Self {
            clipboard_clear_seconds: value.clipboard_clear_seconds,
            max_secret_age_days: value.max_secret_age_days,
            expiry_alerts: value.expiry_alerts,
            alert_days: value.alert_days,
            theme: value.theme.into(),
            language: value.language.into(),
        }
    }
}

impl From<Settings> for registrar_core::settings::Settings {
    fn from(value: Settings) -> Self {
        Self {
            clipboard_clear_seconds: value.clipboard_clear_seconds,
            max_secret_age_days: value.max_secret_age_days,
            expiry_alerts: value.expiry_alerts,
            alert_days: value.alert_days,
            theme: value.theme.into(),
            language: value.language.into(),
        }
    }
}

impl NewSecret {
    /// The request as both front ends give it to the application layer.
    pub fn into_request(self) -> Result<registrar_app::rules::SecretRequest, Error> {
        Ok(registrar_app::rules::SecretRequest {
            description: Some(self.description),
            expires_on: self
                .expires_on
                .as_deref()
                .map(registrar_app::rules::day)
                .transpose()?,
        })
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
            scopes: draft.scopes.into_iter().map(model::Scope::from).collect(),
        }
    }
}

impl ConnectionView {
    pub fn new(connection: &Connection, features: registrar_core::provider::Features) -> Self {
        Self {
            id: connection.id.clone(),
            name: connection.name.clone(),
            kind: match connection.kind {
                CoreConnectionKind::Sandbox => ConnectionKind::Sandbox,
                CoreConnectionKind::AutomationCloud => ConnectionKind::AutomationCloud,
                CoreConnectionKind::AutomationSuite => ConnectionKind::AutomationSuite,
                CoreConnectionKind::Standalone => ConnectionKind::Standalone,
                CoreConnectionKind::OauthServer => ConnectionKind::OauthServer,
            },
            identity_url: connection
                .identity_url()
                .map(|u| u.to_string())
                .unwrap_or_default(),
            organization: connection.organization.clone(),
            host: connection.host.clone(),
            organization_id: connection.partition_global_id.to_string(),
            client_id: connection.admin_client_id.clone(),
            credential: if connection.kind == CoreConnectionKind::OauthServer {
                CredentialKind::InitialAccessToken
            } else if connection.signed_in {
                CredentialKind::SignIn
            } else {
                CredentialKind::ClientSecret
            },
            issuer: connection.issuer.clone(),
            open_registration: connection.open_registration,
            sign_in_port: connection.sign_in_port,
            features: features.into(),
        }
    }
}

impl From<ConnectionKind> for CoreConnectionKind {
    fn from(kind: ConnectionKind) -> Self {
        match kind {
            ConnectionKind::Sandbox => CoreConnectionKind::Sandbox,
            ConnectionKind::AutomationCloud => CoreConnectionKind::AutomationCloud,
            ConnectionKind::AutomationSuite => CoreConnectionKind::AutomationSuite,
            ConnectionKind::Standalone => CoreConnectionKind::Standalone,
            ConnectionKind::OauthServer => CoreConnectionKind::OauthServer,
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
            CredentialKind::decl(&cfg),
            Features::decl(&cfg),
            Unavailable::decl(&cfg),
            ConnectionView::decl(&cfg),
            ConnectionList::decl(&cfg),
            ConnectionForm::decl(&cfg),
            ScopeChoice::decl(&cfg),
            SecretStatus::decl(&cfg),
            SecretView::decl(&cfg),
            AppSummary::decl(&cfg),
            AppDetails::decl(&cfg),
            CatalogScope::decl(&cfg),
            CatalogResource::decl(&cfg),
            AppDraft::decl(&cfg),
            AppEdit::decl(&cfg),
            NameChange::decl(&cfg),
            AppChanges::decl(&cfg),
            ShownOnce::decl(&cfg),
            RegisteredApp::decl(&cfg),
            NewSecret::decl(&cfg),
            GeneratedSecret::decl(&cfg),
            SavedApp::decl(&cfg),
            Claim::decl(&cfg),
            Verification::decl(&cfg),
            Settings::decl(&cfg),
            Theme::decl(&cfg),
            Language::decl(&cfg),
            Copied::decl(&cfg),
            SecretCleared::decl(&cfg),
            ClearOutcome::decl(&cfg),
            StepOutcome::decl(&cfg),
            ConnectionStep::decl(&cfg),
            StepSaid::decl(&cfg),
            ConnectionTest::decl(&cfg),
            HandoffFormat::decl(&cfg),
            ExportedSheet::decl(&cfg),
            AuditEntry::decl(&cfg),
            FindingView::decl(&cfg),
            FindingFacts::decl(&cfg),
            DismissedFinding::decl(&cfg),
            AppFindings::decl(&cfg),
            Urgency::decl(&cfg),
            ExpiringRow::decl(&cfg),
            Unreachable::decl(&cfg),
            RotationView::decl(&cfg),
            CopyPreview::decl(&cfg),
            CopiedApp::decl(&cfg),
            ManifestComparison::decl(&cfg),
            AppRef::decl(&cfg),
            AppDrift::decl(&cfg),
            RotationRow::decl(&cfg),
            ExpiringOverview::decl(&cfg),
            ErrorCode::decl(&cfg),
            IpcError::decl(&cfg),
        ];
        let mut out = String::from("// Generated by ts-rs from the Rust IPC types. Do not edit.\n");
        out.push_str(
            "// Regenerate: UPDATE_BINDINGS=1 cargo test -p registrar-desktop bindings\n\n",
        );
        for decl in decls {
            out.push_str("export ");
            out.push_str(&decl);
            out.push('\n');
        }
        out
    }

    /// A secret on its way to the UI is in the JSON the UI receives, and in no `Debug` output
    /// (a log line, a panic message).
    #[test]
    fn secrets_for_the_ui_are_sent_but_never_debug_printed() {
        const VALUE: &str = "s3cr3t-Value-9";
        let secret = Secret::new(VALUE.to_owned());
        let now = OffsetDateTime::now_utc();
        let info = SecretInfo {
            id: 1,
            description: None,
            created: now,
            expires: None,
        };
        let generated = GeneratedSecret {
            secret: SecretView::new(&info, now),
            value: ShownOnce::new(&secret),
        };
        let registered = RegisteredApp {
            app: AppSummary {
                id: "app".into(),
                name: "App".into(),
                app_type: AppType::Confidential,
                scopes: Vec::new(),
                redirect_uris: Vec::new(),
                secret_count: 1,
                nearest_expiry: None,
                listed_only: false,
                findings: Some(0),
            },
            secret: Some(ShownOnce::new(&secret)),
        };
        let verification = Verification {
            requested_scopes: Vec::new(),
            granted_scopes: Vec::new(),
            lifetime_seconds: 3600,
            claims: Vec::new(),
            token: Some(ShownOnce::new(&secret)),
        };
        let debug = format!("{generated:?} {registered:?} {verification:?}");
        assert!(!debug.contains(VALUE), "{debug}");
        for json in [
            serde_json::to_string(&generated).unwrap(),
            serde_json::to_string(&registered).unwrap(),
            serde_json::to_string(&verification).unwrap(),
        ] {
            assert!(json.contains(&format!("\"{VALUE}\"")), "{json}");
        }
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
            "ui/src/ipc/bindings.ts is stale: run UPDATE_BINDINGS=1 cargo test -p registrar-desktop bindings"
        );
    }
}
