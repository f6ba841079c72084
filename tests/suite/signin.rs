//! Interactive sign-in (RFC 8252) against the sandbox: the authorization URL opened by a stand-in
//! browser that signs in over HTTP, the code received on the loopback listener, exchanged with
//! PKCE, the token used to list apps, and the single-use refresh token rotated.

use std::process::Command;
use std::time::Duration;

use registrar_core::connections::ConnectionStore;
use registrar_core::signin;
use registrar_core::Error;

use crate::core_client::{admin_client, sandbox, sign_in_app};

#[tokio::test]
async fn an_admin_signs_in_through_the_browser_and_lists_apps_with_the_token() {
    let running = sandbox().await;
    let admin = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let password = running.sandbox.issue_user_password().unwrap();
    let port = registrar_tests::free_port();
    let desktop = sign_in_app(&admin, "Registrar desktop", port).await;
    let endpoint = admin.endpoint();

    let pending = signin::begin(
        &endpoint.authorize_url(),
        &endpoint.token_url(),
        &desktop.id,
        &["PM.OAuthApp", "offline_access"],
        port,
    )
    .await
    .unwrap();
    let redirect: url::Url = pending
        .url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let http = registrar_core::http::client().unwrap();

    let browser = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/sign-in.sh");
    let url = pending.url.to_string();
    let knock_then_sign_in = async {
        // Something else knocking on the listener is turned away without ending the wait.
        let stranger = http
            .get(format!("{redirect}?code=forged&state=not-ours"))
            .send()
            .await
            .unwrap();
        assert_eq!(stranger.status(), 400);
        tokio::task::spawn_blocking(move || {
            Command::new(browser)
                .arg(url)
                .env("SANDBOX_PASSWORD", password.expose())
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    let (granted, browser_ran) = tokio::join!(
        pending.finish(&http, Duration::from_secs(30)),
        knock_then_sign_in
    );
    assert!(
        browser_ran.status.success(),
        "{}",
        String::from_utf8_lossy(&browser_ran.stderr)
    );
    let granted = granted.unwrap();
    assert_eq!(granted.scopes, ["PM.OAuthApp", "offline_access"]);

    let list = |token: String| {
        let http = http.clone();
        let url = format!(
            "{}/api/ExternalClient/{}",
            running.sandbox.identity_url(),
            running.sandbox.partition_global_id()
        );
        async move { http.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let listed = list(granted.access_token.expose().to_owned()).await;
    assert_eq!(listed.status(), 200);
    let apps: serde_json::Value = listed.json().await.unwrap();
    assert!(apps
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == desktop.id.as_str()));

    let first = granted.refresh_token.unwrap();
    let token_url = endpoint.token_url();
    let renewed = signin::refresh(&http, &token_url, &desktop.id, &first)
        .await
        .unwrap();
    let second = renewed.refresh_token.unwrap();
    assert_ne!(first.expose(), second.expose());
    assert_eq!(
        list(renewed.access_token.expose().to_owned())
            .await
            .status(),
        200
    );
    let reused = signin::refresh(&http, &token_url, &desktop.id, &first)
        .await
        .unwrap_err();
    assert!(
        matches!(&reused, Error::Unauthorized(m) if m.contains("invalid_grant")),
        "{reused:?}"
    );
}

/// The window and the command line each open a signed-in connection: each renewal must start
/// from the refresh token the keychain holds now, since the other may have used the one it read
/// at start (and a replayed refresh token revokes the whole sign-in).
#[tokio::test]
async fn two_processes_on_one_sign_in_each_renew_from_the_kept_refresh_token() {
    use registrar_core::admin::{self, AdminCredential};
    use registrar_core::connections::{Connection, ConnectionKind};
    use registrar_core::keychain::Keychain;

    let running = sandbox().await;
    let admin = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let password = running.sandbox.issue_user_password().unwrap();
    let port = registrar_tests::free_port();
    let desktop = sign_in_app(&admin, "Registrar desktop", port).await;
    let connection = Connection {
        id: Connection::new_id(),
        name: "Signed in".into(),
        kind: ConnectionKind::AutomationSuite,
        organization: running.sandbox.organization().to_owned(),
        partition_global_id: running.sandbox.partition_global_id(),
        admin_client_id: desktop.id.clone(),
        sandbox_port: None,
        host: Some(format!("http://{}", running.sandbox.addr())),
        signed_in: true,
        issuer: None,
        open_registration: false,
        sign_in_port: Some(port),
    };
    let folder = tempfile::tempdir().unwrap();
    let store = ConnectionStore::new(folder.path().join("connections.json"));
    let http = registrar_core::http::client().unwrap();
    let browser = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/sign-in.sh");
    let open_browser = |url: &url::Url| {
        let output = Command::new(browser)
            .arg(url.as_str())
            .env("SANDBOX_PASSWORD", password.expose())
            .spawn()
            .unwrap();
        drop(output);
    };
    let (credential, _) = admin::sign_in(&http, &connection, open_browser, Duration::from_secs(30))
        .await
        .unwrap();
    let namespace = registrar_tests::TestNamespace::default();
    let keychain = Keychain::platform(namespace.0.clone()).unwrap();
    credential.keep(&keychain, &connection).await.unwrap();
    assert!(matches!(credential, AdminCredential::RefreshToken(_)));

    let window = admin::open(http.clone(), &keychain, &store, &connection)
        .await
        .unwrap();
    let command_line = admin::open(http.clone(), &keychain, &store, &connection)
        .await
        .unwrap();
    window.list_apps().await.unwrap();
    command_line.list_apps().await.unwrap();
}
