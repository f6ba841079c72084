//! Ready-to-run requests a developer gets with an app: shell commands that work as pasted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use registrar_shared::pkce::s256_challenge;
use url::Url;

use crate::error::{Error, Result};
use crate::model::{AppType, ExternalApp, TokenAuth};
use crate::oauth::basic_part;

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
        let challenge = s256_challenge(&verifier);
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
/// confidential app its secret (from `$CLIENT_SECRET`), sent as the server recorded for the app.
pub fn authorization_code_curl(
    token_url: &Url,
    app: &ExternalApp,
    redirect_uri: &str,
    pkce: &Pkce,
) -> String {
    let fields = vec![
        "grant_type=authorization_code".to_owned(),
        "\"code=$CODE\"".to_owned(),
        quoted(&format!("redirect_uri={redirect_uri}")),
        quoted(&format!("code_verifier={}", pkce.verifier)),
    ];
    match app.app_type {
        AppType::Confidential => authenticated_curl(token_url, app, fields),
        AppType::NonConfidential => {
            let mut fields = fields;
            fields.push(quoted(&format!("client_id={}", app.id)));
            curl(token_url, None, &fields)
        }
    }
}

/// A client-credentials token request as a `curl` command: form-urlencoded (a JSON body is a
/// classic cause of `invalid_client`), with the app's application scopes and the secret from
/// `$CLIENT_SECRET`.
pub fn client_credentials_curl(token_url: &Url, app: &ExternalApp) -> String {
    let fields = vec![
        "grant_type=client_credentials".to_owned(),
        quoted(&format!("scope={}", app.application_scopes().join(" "))),
    ];
    authenticated_curl(token_url, app, fields)
}

/// `fields` and the app's credentials, sent as the server recorded for the app: as form fields,
/// or as HTTP Basic (the client id as [`crate::oauth::basic_part`] writes it, the secret as
/// given). The secret goes from `$CLIENT_SECRET` to curl's standard input through the shell's
/// own `printf`, never onto a command line, where every local user could read it in
/// `/proc/<pid>/cmdline`; nor does a value typed into the command stay in the shell's history.
fn authenticated_curl(token_url: &Url, app: &ExternalApp, mut fields: Vec<String>) -> String {
    match app.token_auth {
        TokenAuth::SecretPost => {
            fields.push(quoted(&format!("client_id={}", app.id)));
            // `name@-`: the value is standard input, URL-encoded by curl.
            fields.push("'client_secret@-'".to_owned());
            format!(
                "printf %s \"$CLIENT_SECRET\" \\\n  | {}",
                curl(token_url, None, &fields)
            )
        }
        TokenAuth::SecretBasic => {
            let id = quoted(&basic_part(&app.id, true));
            format!(
                "printf 'Authorization: Basic %s\\n' \\\n  \"$(printf '%s:%s' {id} \"$CLIENT_SECRET\" | base64 | tr -d '\\n')\" \\\n  | {}",
                curl(token_url, Some("@-"), &fields)
            )
        }
    }
}

/// A form POST, one field per line, with headers from `headers` (`@-`: standard input) when
/// given.
fn curl(url: &Url, headers: Option<&str>, fields: &[String]) -> String {
    let mut command = format!("curl -s -X POST {}", quoted(url.as_str()));
    if let Some(headers) = headers {
        command.push_str(" \\\n  -H ");
        command.push_str(headers);
    }
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
            token_auth: Default::default(),
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
            listed_only: false,
        }
    }

    #[test]
    fn a_basic_app_sends_its_credentials_in_a_header_read_from_standard_input() {
        let url = Url::parse("https://login.example.com/token").unwrap();
        let app = ExternalApp {
            id: "lHwF/94N.D".into(),
            token_auth: TokenAuth::SecretBasic,
            ..app()
        };
        let curl = client_credentials_curl(&url, &app);
        assert!(
            curl.contains("\"$(printf '%s:%s' 'lHwF/94N.D' \"$CLIENT_SECRET\" | base64"),
            "{curl}"
        );
        assert!(
            curl.contains("| curl -s -X POST 'https://login.example.com/token' \\\n  -H @-"),
            "{curl}"
        );
        assert!(!curl.contains("client_secret"), "{curl}");
        assert!(!curl.contains("client_id="), "{curl}");
    }

    #[test]
    fn basic_credentials_are_encoded_only_where_decoding_would_change_them() {
        use crate::oauth::basic_part;
        assert_eq!(basic_part("lHwFq/94Nb.D", true), "lHwFq/94Nb.D");
        assert_eq!(basic_part("a+b%c", false), "a%2Bb%25c");
        assert_eq!(basic_part("urn:app", true), "urn%3Aapp");
        assert_eq!(basic_part("pa:ss", false), "pa:ss", "a secret may hold ':'");
        assert_eq!(basic_part("two words", false), "two+words");
    }

    #[test]
    fn the_curl_asks_for_the_application_scopes_and_reads_the_secret_from_standard_input() {
        let url = Url::parse("https://cloud.uipath.com/acme/identity_/connect/token").unwrap();
        let curl = client_credentials_curl(&url, &app());
        assert!(curl.contains("'scope=OR.Jobs.Read OR.Queues'"), "{curl}");
        assert!(curl.starts_with("printf %s \"$CLIENT_SECRET\" \\\n  | curl -s -X POST 'https://cloud.uipath.com/acme/identity_/connect/token'"), "{curl}");
        assert!(
            curl.contains("--data-urlencode 'client_secret@-'"),
            "{curl}"
        );
    }

    #[test]
    fn a_fresh_pkce_pair_is_a_43_character_verifier_and_its_s256_challenge() {
        let fresh = Pkce::generate().unwrap();
        assert_eq!(fresh.verifier.len(), 43);
        assert_eq!(fresh.challenge, s256_challenge(&fresh.verifier));
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
        let curl = authorization_code_curl(&token, &app(), "http://127.0.0.1:8400/cb", &pkce);
        assert!(
            curl.contains(&format!("'code_verifier={}'", pkce.verifier)),
            "{curl}"
        );
        assert!(curl.contains("'client_secret@-'"), "{curl}");
        let public = ExternalApp {
            token_auth: Default::default(),
            app_type: AppType::NonConfidential,
            ..app()
        };
        let curl = authorization_code_curl(&token, &public, "http://127.0.0.1:8400/cb", &pkce);
        assert!(!curl.contains("client_secret"), "{curl}");
    }
}
