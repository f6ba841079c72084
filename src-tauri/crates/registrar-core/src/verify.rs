//! "Verify" before handoff: ask the token endpoint for a token with the app's own credentials and
//! show what was granted, so a sheet never goes out with credentials that do not work.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::ExternalApp;
use crate::oauth::{self, ClientCredentials};
use crate::Secret;

#[derive(Debug)]
pub struct Verification {
    pub requested_scopes: Vec<String>,
    pub granted_scopes: Vec<String>,
    pub lifetime: Duration,
    /// The access token's claims when it is a JWT; empty for an opaque token.
    pub claims: Map<String, Value>,
    /// Shown only when the admin asks for it.
    pub token: Secret,
}

/// Requests a client_credentials token for all of the app's application scopes, authenticating
/// as the server recorded for the app.
pub async fn verify(
    http: &reqwest::Client,
    token_url: &url::Url,
    app: &ExternalApp,
    secret: &Secret,
) -> Result<Verification> {
    let scopes = app.application_scopes();
    if scopes.is_empty() {
        return Err(Error::InvalidInput {
            field: None,
            message: format!(
                "\"{}\" has no application scopes, so there is no client-credentials token to ask \
                 for: its user scopes need a user's sign-in.",
                app.name
            ),
        });
    }
    let credentials = ClientCredentials {
        client_id: app.id.clone(),
        client_secret: secret.duplicate(),
    };
    // Some servers refuse a long scope string: an app with many scopes is asked for in parts,
    // and what the parts were granted is added up. The first part's token is the one shown.
    let mut parts = in_parts(&scopes, MAX_SCOPE_CHARS).into_iter();
    let first = parts.next().unwrap_or_default();
    let mut granted =
        oauth::client_credentials_as(http, token_url, &credentials, &first, app.token_auth).await?;
    for part in parts {
        let more =
            oauth::client_credentials_as(http, token_url, &credentials, &part, app.token_auth)
                .await?;
        granted.scopes.extend(more.scopes);
    }
    Ok(Verification {
        requested_scopes: scopes.iter().map(|s| s.to_string()).collect(),
        claims: jwt_claims(granted.access_token.expose()).unwrap_or_default(),
        granted_scopes: granted.scopes,
        lifetime: granted.expires_in,
        token: granted.access_token,
    })
}

/// The longest scope string Verify sends in one request: the shortest limit seen on identity
/// server versions (300; others took 500, 750 and 1,250).
pub const MAX_SCOPE_CHARS: usize = 300;

/// `scopes` in order, in parts whose space-separated length is at most `limit` (a scope longer
/// than that goes alone).
fn in_parts<'a>(scopes: &[&'a str], limit: usize) -> Vec<Vec<&'a str>> {
    let mut parts: Vec<Vec<&str>> = Vec::new();
    let mut length = 0;
    for scope in scopes {
        match parts.last_mut() {
            Some(part) if length + 1 + scope.len() <= limit => {
                part.push(scope);
                length += 1 + scope.len();
            }
            _ => {
                parts.push(vec![scope]);
                length = scope.len();
            }
        }
    }
    parts
}

/// The payload of a JWT, read without checking the signature: it is shown, not trusted.
pub(crate) fn jwt_claims(token: &str) -> Option<Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_go_in_parts_under_the_limit_in_order() {
        let scopes = ["aaaa", "bbb", "cc", "dddddddd", "e"];
        assert_eq!(
            in_parts(&scopes, 8),
            [vec!["aaaa", "bbb"], vec!["cc"], vec!["dddddddd"], vec!["e"]]
        );
        assert_eq!(in_parts(&scopes, 300), [scopes.to_vec()]);
        assert!(in_parts(&[], 300).is_empty());
    }

    #[test]
    fn claims_are_read_from_a_jwt_and_absent_from_an_opaque_token() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"app","scope":"OR.Jobs"}"#);
        let claims = jwt_claims(&format!("e30.{payload}.sig")).unwrap();
        assert_eq!(claims["sub"], "app");
        assert!(jwt_claims("opaque-token").is_none());
    }
}
