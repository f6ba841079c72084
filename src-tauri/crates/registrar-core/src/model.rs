//! Domain types: what an external application is, independent of any server's wire format.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

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

/// An OAuth grant an app may use; which ones follow from its type and its scope types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grant {
    /// The app as itself, with its secret: application scopes.
    ClientCredentials,
    /// A signed-in user, the code redeemed with the app's secret: a confidential app's user scopes.
    AuthorizationCode,
    /// A signed-in user, the code redeemed with a PKCE (S256) verifier: a non-confidential app.
    AuthorizationCodePkce,
}

impl Grant {
    /// The `grant_type` a token request names.
    pub fn grant_type(self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client_credentials",
            Grant::AuthorizationCode | Grant::AuthorizationCodePkce => "authorization_code",
        }
    }
}

/// A field of an app draft or a connection, named so a UI can put a message beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    Name,
    AppType,
    RedirectUris,
    Scopes,
    Host,
    Organization,
    OrganizationId,
    ClientId,
    ClientSecret,
    Issuer,
    InitialAccessToken,
    SignInPort,
}

impl Field {
    /// The field as the forms label it, for messages that name it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::AppType => "Type",
            Field::RedirectUris => "Redirect URLs",
            Field::Scopes => "Scopes",
            Field::Host => "Host",
            Field::Organization => "Organization",
            Field::OrganizationId => "Organization ID",
            Field::ClientId => "Client ID",
            Field::ClientSecret => "Client secret",
            Field::Issuer => "Issuer",
            Field::InitialAccessToken => "Initial access token",
            Field::SignInPort => "Sign-in port",
        }
    }
}

/// A moment as RFC 3339 text (`2027-06-30T23:59:59Z`), the form every output of Registrar uses.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

/// Metadata of one secret of an app. The value is never part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretInfo {
    pub id: i64,
    pub description: Option<String>,
    pub created: OffsetDateTime,
    pub expires: Option<OffsetDateTime>,
}

/// Secrets expiring within this window are flagged so they can be rotated in time.
pub const EXPIRING_SOON: Duration = Duration::days(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretStatus {
    Active,
    ExpiringSoon,
    Expired,
}

impl SecretInfo {
    pub fn status(&self, now: OffsetDateTime) -> SecretStatus {
        match self.expires {
            Some(expires) if expires <= now => SecretStatus::Expired,
            Some(expires) if expires - now <= EXPIRING_SOON => SecretStatus::ExpiringSoon,
            _ => SecretStatus::Active,
        }
    }
}

/// How a confidential app proves itself at the token endpoint (RFC 6749 §2.3.1): what the server
/// recorded for it, which Verify and the handoff sheet's requests then use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenAuth {
    /// `client_id` and `client_secret` in the form body: what UiPath's servers take.
    #[default]
    SecretPost,
    /// HTTP Basic: RFC 7591's default, and the method RFC 6749 has every server accept.
    SecretBasic,
}

impl TokenAuth {
    /// From RFC 7591's `token_endpoint_auth_method`; none for a method Registrar does not send
    /// a secret with (`none`, key-based ones).
    pub fn from_method(method: &str) -> Option<Self> {
        match method {
            "client_secret_post" => Some(Self::SecretPost),
            "client_secret_basic" => Some(Self::SecretBasic),
            _ => None,
        }
    }

    pub fn method(self) -> &'static str {
        match self {
            Self::SecretPost => "client_secret_post",
            Self::SecretBasic => "client_secret_basic",
        }
    }
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
    /// How it authenticates with its secret (a confidential app only).
    pub token_auth: TokenAuth,
    /// As a list gave it, without its scopes and secrets (live UiPath tenants list apps so):
    /// `scopes` and `secrets` are then empty, not known, until the app itself is read.
    pub listed_only: bool,
}

impl ExternalApp {
    /// The names of the scopes the app holds as itself: what a client_credentials token carries.
    pub fn application_scopes(&self) -> Vec<&str> {
        self.scopes
            .iter()
            .filter(|s| s.scope_type == ScopeType::Application)
            .map(|s| s.name.as_str())
            .collect()
    }

    pub fn user_scopes(&self) -> Vec<&str> {
        self.scopes
            .iter()
            .filter(|s| s.scope_type == ScopeType::User)
            .map(|s| s.name.as_str())
            .collect()
    }

    /// The grants the server allows the app. A non-confidential app cannot hold application
    /// scopes, so they give it no grant.
    pub fn grants(&self) -> Vec<Grant> {
        let has = |t: ScopeType| self.scopes.iter().any(|s| s.scope_type == t);
        match self.app_type {
            AppType::NonConfidential if has(ScopeType::User) => vec![Grant::AuthorizationCodePkce],
            AppType::NonConfidential => vec![],
            AppType::Confidential => [
                has(ScopeType::Application).then_some(Grant::ClientCredentials),
                has(ScopeType::User).then_some(Grant::AuthorizationCode),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }

    /// The soonest expiry among the app's secrets, expired ones included (they want attention too).
    pub fn nearest_expiry(&self) -> Option<OffsetDateTime> {
        self.secrets.iter().filter_map(|s| s.expires).min()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(expires: Option<OffsetDateTime>) -> SecretInfo {
        SecretInfo {
            id: 1,
            description: None,
            created: OffsetDateTime::UNIX_EPOCH,
            expires,
        }
    }

    #[test]
    fn a_secret_is_expiring_soon_within_thirty_days_and_expired_from_its_expiry_on() {
        let now = OffsetDateTime::now_utc();
        assert_eq!(secret(None).status(now), SecretStatus::Active);
        assert_eq!(
            secret(Some(now + Duration::days(31))).status(now),
            SecretStatus::Active
        );
        assert_eq!(
            secret(Some(now + Duration::days(30))).status(now),
            SecretStatus::ExpiringSoon
        );
        assert_eq!(secret(Some(now)).status(now), SecretStatus::Expired);
    }

    #[test]
    fn grants_follow_from_the_type_and_the_scope_types() {
        let app = |app_type, scopes: &[ScopeType]| ExternalApp {
            token_auth: Default::default(),
            id: "a".into(),
            name: "A".into(),
            app_type,
            redirect_uris: vec![],
            scopes: scopes.iter().map(|t| Scope::new("OR.Jobs", *t)).collect(),
            secrets: vec![],
            listed_only: false,
        };
        use ScopeType::{Application, User};
        assert_eq!(
            app(AppType::Confidential, &[Application, User]).grants(),
            [Grant::ClientCredentials, Grant::AuthorizationCode]
        );
        assert_eq!(
            app(AppType::Confidential, &[Application]).grants(),
            [Grant::ClientCredentials]
        );
        assert_eq!(
            app(AppType::NonConfidential, &[User]).grants(),
            [Grant::AuthorizationCodePkce]
        );
        assert_eq!(app(AppType::NonConfidential, &[]).grants(), []);
    }

    #[test]
    fn the_nearest_expiry_is_the_soonest_one() {
        let now = OffsetDateTime::now_utc();
        let app = ExternalApp {
            token_auth: Default::default(),
            id: "a".into(),
            name: "A".into(),
            app_type: AppType::Confidential,
            redirect_uris: vec![],
            scopes: vec![],
            secrets: vec![
                secret(None),
                secret(Some(now + Duration::days(9))),
                secret(Some(now + Duration::days(3))),
            ],
            listed_only: false,
        };
        assert_eq!(app.nearest_expiry(), Some(now + Duration::days(3)));
    }
}
