//! Ready-to-run requests a developer gets with an app: shell commands that work as pasted.

use url::Url;

use crate::model::ExternalApp;
use crate::Secret;

/// A client-credentials token request as a `curl` command: form-urlencoded (a JSON body is a
/// classic cause of `invalid_client`), with the app's application scopes. Without the secret it
/// reads `$CLIENT_SECRET` from the environment.
pub fn client_credentials_curl(
    token_url: &Url,
    app: &ExternalApp,
    secret: Option<&Secret>,
) -> String {
    let scopes = app.application_scopes();
    let secret = match secret {
        Some(secret) => quoted(&format!("client_secret={}", secret.expose())),
        None => "\"client_secret=$CLIENT_SECRET\"".to_owned(),
    };
    format!(
        "curl -s -X POST {} \\\n  --data-urlencode grant_type=client_credentials \\\n  --data-urlencode {} \\\n  --data-urlencode {} \\\n  --data-urlencode {}",
        quoted(token_url.as_str()),
        quoted(&format!("client_id={}", app.id)),
        secret,
        quoted(&format!("scope={}", scopes.join(" "))),
    )
}

/// Single-quoted for POSIX shells.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppType, Scope, ScopeType};

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
}
