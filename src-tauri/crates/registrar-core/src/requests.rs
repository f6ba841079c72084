//! Ready-to-run requests a developer gets with an app: shell commands that work as pasted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{Error, Result};
use crate::model::{AppType, ExternalApp};
use crate::Secret;

/// A PKCE pair (RFC 7636): the verifier stays with the app, its S256 challenge goes in the
/// authorization URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    /// A fresh pair from 32 random bytes: a 43-character verifier.
    pub fn generate() -> Result<Self> {
        Ok(Self::from_verifier(URL_SAFE_NO_PAD.encode(random::<32>()?)))
    }

    pub fn from_verifier(verifier: String) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }
}

/// An unguessable `state` for an authorization request.
pub fn random_state() -> Result<String> {
    Ok(URL_SAFE_NO_PAD.encode(random::<16>()?))
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Storage(format!("The system's random number source failed: {e}.")))?;
    Ok(bytes)
}

/// Where a user is sent to sign in and consent: authorization code with a PKCE S256 challenge,
/// for the app's user scopes.
pub fn authorization_url(
    authorize_url: &Url,
    app: &ExternalApp,
    redirect_uri: &str,
    state: &str,
    pkce: &Pkce,
) -> Url {
    let mut url = authorize_url.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &app.user_scopes().join(" "))
        .append_pair("state", state)
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256");
    url
}

/// Redeems the code from the redirect (read from `$CODE`) with the PKCE verifier, and for a
/// confidential app its secret (or `$CLIENT_SECRET`).
pub fn authorization_code_curl(
    token_url: &Url,
    app: &ExternalApp,
    redirect_uri: &str,
    pkce: &Pkce,
    secret: Option<&Secret>,
) -> String {
    let mut fields = vec![
        "grant_type=authorization_code".to_owned(),
        "\"code=$CODE\"".to_owned(),
        quoted(&format!("redirect_uri={redirect_uri}")),
        quoted(&format!("client_id={}", app.id)),
        quoted(&format!("code_verifier={}", pkce.verifier)),
    ];
    if app.app_type == AppType::Confidential {
        fields.push(secret_field(secret));
    }
    curl(token_url, &fields)
}

/// A client-credentials token request as a `curl` command: form-urlencoded (a JSON body is a
/// classic cause of `invalid_client`), with the app's application scopes. Without the secret it
/// reads `$CLIENT_SECRET` from the environment.
pub fn client_credentials_curl(
    token_url: &Url,
    app: &ExternalApp,
    secret: Option<&Secret>,
) -> String {
    let fields = [
        "grant_type=client_credentials".to_owned(),
        quoted(&format!("client_id={}", app.id)),
        secret_field(secret),
        quoted(&format!("scope={}", app.application_scopes().join(" "))),
    ];
    curl(token_url, &fields)
}

fn secret_field(secret: Option<&Secret>) -> String {
    match secret {
        Some(secret) => quoted(&format!("client_secret={}", secret.expose())),
        None => "\"client_secret=$CLIENT_SECRET\"".to_owned(),
    }
}

/// A form POST, one field per line.
fn curl(url: &Url, fields: &[String]) -> String {
    let mut command = format!("curl -s -X POST {}", quoted(url.as_str()));
    for field in fields {
        command.push_str(" \\\n  --data-urlencode ");
        command.push_str(field);
    }
    command
}

/// Single-quoted for POSIX shells.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Scope, ScopeType};

    fn app() -> ExternalApp {
        ExternalApp {
            id: "app-1".into(),
            name: "Sync".into(),
            app_type: AppType::Confidential,
            redirect_uris: vec![],
            scopes: vec![
                Scope::new("OR.Folders.Read", ScopeType::User),
                Scope::new("OR.Jobs.Read", ScopeType::Application),
                Scope::new("OR.Queues", ScopeType::Application),
            ],
            secrets: vec![],
        }
    }

    #[test]
    fn the_curl_asks_for_the_application_scopes_with_or_without_the_secret() {
        let url = Url::parse("https://cloud.uipath.com/acme/identity_/connect/token").unwrap();
        let with = client_credentials_curl(&url, &app(), Some(&Secret::new("s3cr'et")));
        assert!(with.contains("'scope=OR.Jobs.Read OR.Queues'"), "{with}");
        assert!(with.contains("'client_secret=s3cr'\\''et'"), "{with}");
        let without = client_credentials_curl(&url, &app(), None);
        assert!(
            without.contains("\"client_secret=$CLIENT_SECRET\""),
            "{without}"
        );
        assert!(without.starts_with(
            "curl -s -X POST 'https://cloud.uipath.com/acme/identity_/connect/token'"
        ));
    }

    #[test]
    fn the_pkce_challenge_is_the_rfc_7636_s256_of_the_verifier() {
        // RFC 7636, appendix B.
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(
            pkce.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let fresh = Pkce::generate().unwrap();
        assert_eq!(fresh.verifier.len(), 43);
        assert_ne!(fresh, Pkce::generate().unwrap());
    }

    #[test]
    fn a_user_flow_asks_for_the_user_scopes_and_redeems_the_code_with_the_verifier() {
        let authorize =
            Url::parse("https://cloud.uipath.com/acme/identity_/connect/authorize").unwrap();
        let pkce = Pkce::from_verifier("v".repeat(43));
        let url = authorization_url(&authorize, &app(), "http://127.0.0.1:8400/cb", "st", &pkce);
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |key: &str| {
            query
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("scope"), Some("OR.Folders.Read"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:8400/cb"));
        assert_eq!(get("code_challenge"), Some(pkce.challenge.as_str()));
        assert_eq!(get("code_challenge_method"), Some("S256"));

        let token = Url::parse("https://cloud.uipath.com/acme/identity_/connect/token").unwrap();
        let curl = authorization_code_curl(&token, &app(), "http://127.0.0.1:8400/cb", &pkce, None);
        assert!(
            curl.contains(&format!("'code_verifier={}'", pkce.verifier)),
            "{curl}"
        );
        assert!(curl.contains("\"client_secret=$CLIENT_SECRET\""), "{curl}");
        let public = ExternalApp {
            app_type: AppType::NonConfidential,
            ..app()
        };
        let curl =
            authorization_code_curl(&token, &public, "http://127.0.0.1:8400/cb", &pkce, None);
        assert!(!curl.contains("client_secret"), "{curl}");
    }
}
