//! LemonLDAP::NG (Debian's lemonldap-ng), a second, independently written OpenID provider with
//! dynamic client registration, started per test on loopback by `tests/lemonldap-ng/start.sh`
//! (`scripts/test` installs it). It differs from oidc-provider where real servers do: open
//! registration (no initial access token), no RFC 7592 management (no registration client URI),
//! client ids and secrets holding '/' and '.', Basic credentials it does not form-decode, answers
//! without `scope`, grants, or auth method and with `client_id_issued_at` as a string, and changes
//! that reach its token endpoint only after a second or two.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use registrar_core::draft::{AppDraft, ValidDraft};
use registrar_core::model::{AppType, Scope, ScopeType, TokenAuth};
use registrar_core::oauth::{self, ClientCredentials};
use registrar_core::{Error, Secret};
use serde_json::{json, Value};
use url::Url;

use crate::generic::{open_connection_at, Opened};

/// A running LemonLDAP::NG portal and its Manager API, stopped when dropped.
pub(crate) struct Lemonldap {
    pub(crate) issuer: Url,
    manager: String,
    pids: Vec<String>,
    _dir: tempfile::TempDir,
}

impl Lemonldap {
    pub(crate) fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (portal, manager) = (registrar_tests::free_port(), registrar_tests::free_port());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("lemonldap-ng/start.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg(dir.path())
            .arg(portal.to_string())
            .arg(manager.to_string())
            .output()
            .expect("bash runs the LemonLDAP::NG start script");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "LemonLDAP::NG did not start (scripts/test installs lemonldap-ng): {said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pids = said
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_default()
            .split(' ')
            .map(str::to_owned)
            .collect();
        Self {
            issuer: format!("http://localhost:{portal}").parse().unwrap(),
            manager: format!("http://127.0.0.1:{manager}/api/v1"),
            pids,
            _dir: dir,
        }
    }

    /// Lets a client use client_credentials, as the server's administrator does in its Manager:
    /// dynamic registration never grants it.
    pub(crate) async fn allow_client_credentials(&self, client_id: &str) {
        let http = reqwest::Client::new();
        let found: Value = http
            .get(format!("{}/providers/oidc/rp/findByClientId", self.manager))
            .query(&[("clientId", client_id)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let key = found["confKey"].as_str().expect("the client is known");
        let patched = http
            .patch(format!("{}/providers/oidc/rp/{key}", self.manager))
            .json(&json!({"options": {"allowClientCredentialsGrant": 1}}))
            .send()
            .await
            .unwrap();
        assert!(patched.status().is_success(), "{}", patched.status());
    }
}

impl Drop for Lemonldap {
    fn drop(&mut self) {
        for pid in &self.pids {
            let _ = Command::new("kill").arg(pid).status();
        }
    }
}

/// A confidential web app signing users in with `openid profile`: what LemonLDAP::NG offers.
fn web_app(name: &str) -> ValidDraft {
    AppDraft {
        name: name.into(),
        app_type: AppType::Confidential,
        redirect_uris: vec!["https://portal.example.com/signin-oidc".into()],
        scopes: vec![
            Scope::new("openid", ScopeType::User),
            Scope::new("profile", ScopeType::User),
        ],
    }
    .validate(None)
    .unwrap()
}

/// A client_credentials token with HTTP Basic, polled while a change reaches the token endpoint.
async fn token_eventually(server: &Lemonldap, client_id: &str, secret: &Secret) -> Vec<String> {
    let http = registrar_core::http::client().unwrap();
    let token_url = server.issuer.join("/oauth2/token").unwrap();
    let credentials = ClientCredentials {
        client_id: client_id.to_owned(),
        client_secret: secret.duplicate(),
    };
    let mut last = None;
    for _ in 0..100 {
        let granted = oauth::client_credentials_as(
            &http,
            &token_url,
            &credentials,
            &["openid"],
            TokenAuth::SecretBasic,
        )
        .await;
        match granted {
            Ok(granted) => return granted.scopes,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no token within 10 s: {last:?}");
}

#[tokio::test]
async fn open_registration_without_management_registers_lists_and_refuses_changes_with_the_reason()
{
    let server = Lemonldap::start();
    let opened: Opened = open_connection_at(&server.issuer, None).await;
    let provider = &opened.provider;

    // Its metadata names only the authorization code: its scopes are offered for user sign-in.
    let catalog = provider.catalog().await.unwrap();
    let offered: Vec<(&str, bool, bool)> = catalog[0]
        .scopes
        .iter()
        .map(|s| (s.name.as_str(), s.user, s.application))
        .collect();
    assert!(offered.contains(&("profile", true, false)), "{offered:?}");
    assert_eq!(provider.features().register, None);

    // Registered without a token; its ids and secrets hold '/' and '.', so register until one does.
    let mut registered = None;
    for n in 0..12 {
        let created = provider
            .create_app(&web_app(&format!("Portal {n}")))
            .await
            .unwrap();
        let secret = created.secret.expect("a confidential client gets a secret");
        if format!("{}{}", created.app.id, secret.expose()).contains('/') {
            registered = Some((created.app, secret));
            break;
        }
    }
    let (app, secret) = registered.expect("one of twelve ids or secrets holds a '/'");
    assert_eq!(app.token_auth, TokenAuth::SecretBasic);
    assert_eq!(
        app.scopes,
        [
            Scope::new("openid", ScopeType::User),
            Scope::new("profile", ScopeType::User)
        ],
        "kept as sent: the answer names no scope"
    );

    // Listed and read as registered here; nothing to change it with.
    let listed = provider.list_apps().await.unwrap();
    assert!(listed.iter().any(|a| a.id == app.id && a.name == app.name));
    assert_eq!(provider.get_app(&app.id).await.unwrap(), app);
    let reason = provider.unmanaged_reason(&app.id).unwrap().unwrap();
    assert!(reason.contains("RFC 7592"), "{reason}");
    match provider.update_app(&app.id, &web_app("Renamed")).await {
        Err(Error::Forbidden(said)) => assert_eq!(said, reason),
        other => panic!("{other:?}"),
    }
    match provider.generate_secret(&app.id, None).await {
        Err(Error::Forbidden(said)) => assert_eq!(said, reason),
        other => panic!("{other:?}"),
    }

    // Once its administrator allows client_credentials, the secret gets a token through Basic
    // credentials sent as they are: this server does not form-decode them.
    server.allow_client_credentials(&app.id).await;
    assert_eq!(
        token_eventually(&server, &app.id, &secret).await,
        Vec::<String>::new()
    );

    // The sheet names the issuer exactly as the server publishes it, with no '/' added.
    assert_eq!(
        provider.endpoints().authority,
        server.issuer.as_str().trim_end_matches('/')
    );

    // A non-confidential app is handed no secret, whatever the server gave it.
    let desktop = AppDraft {
        name: "Desktop".into(),
        app_type: AppType::NonConfidential,
        redirect_uris: vec!["http://127.0.0.1:8085/callback".into()],
        scopes: vec![Scope::new("openid", ScopeType::User)],
    }
    .validate(None)
    .unwrap();
    assert!(provider
        .create_app(&desktop)
        .await
        .unwrap()
        .secret
        .is_none());

    // Deleting takes it off Registrar's list and says to delete it on the server.
    match provider.delete_app(&app.id).await {
        Err(Error::Forbidden(said)) => {
            assert!(said.contains("taken off Registrar's list"), "{said}")
        }
        other => panic!("{other:?}"),
    }
    assert!(!provider
        .list_apps()
        .await
        .unwrap()
        .iter()
        .any(|a| a.id == app.id));
}

/// The handoff sheet of an app registered there carries a sign-in that works against it: the
/// sheet's authorization URL, signed in to and consented by a demo user, gives a code, and the
/// sheet's token exchange, run with curl, turns it into tokens (HTTP Basic, PKCE S256).
#[tokio::test]
async fn the_sheets_sign_in_requests_work_against_lemonldap() {
    use registrar_core::handoff::{IncludedSecret, Request, Sheet, SheetConnection, SheetInput};
    use registrar_core::requests::{random_state, Pkce};
    let server = Lemonldap::start();
    let opened = open_connection_at(&server.issuer, None).await;
    let created = opened
        .provider
        .create_app(&web_app("Portal"))
        .await
        .unwrap();
    let secret = created
        .secret
        .as_ref()
        .map(registrar_core::Secret::duplicate);
    let catalog = opened.provider.catalog().await.unwrap();
    let sheet = Sheet::new(SheetInput {
        app: created.app,
        catalog: &catalog,
        connection: SheetConnection {
            name: "Lemon".into(),
            kind: "OAuth 2.0 server".into(),
            organization: String::new(),
        },
        endpoints: opened.provider.endpoints(),
        produced_by: "admin".into(),
        produced_at: time::OffsetDateTime::now_utc(),
        // The server keeps one secret per client, and says nothing of its id.
        secret: created
            .secret
            .map(|value| IncludedSecret { value, id: None }),
        pkce: Pkce::generate().unwrap(),
        state: random_state().unwrap(),
    });
    let Some(Request::AuthorizationCode {
        authorization_url,
        token_exchange,
        state,
        ..
    }) = sheet.requests.first()
    else {
        panic!("a sign-in request: {:?}", sheet.requests);
    };

    // The registration reaches the portal after a second or two: sign in until it knows it.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("lemonldap-ng/sign-in.sh");
    let mut back = None;
    for _ in 0..50 {
        let out = Command::new("bash")
            .arg(&script)
            .arg(authorization_url.as_str())
            .args(["dwho", "dwho"])
            .output()
            .unwrap();
        let location = String::from_utf8_lossy(&out.stdout).into_owned();
        if location.starts_with("https://portal.example.com/signin-oidc") {
            back = Some(location);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let back: Url = back
        .expect("the portal sent the browser back")
        .parse()
        .unwrap();
    let param = |name: &str| {
        back.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some(state.as_str()));
    let tokens = crate::sheet::run_curl(
        token_exchange.clone(),
        Some(param("code").unwrap()),
        secret.as_ref(),
    )
    .await;
    assert!(tokens["access_token"].is_string(), "{tokens}");
    assert!(tokens["id_token"].is_string(), "{tokens}");
}

/// In the window: a connection with open registration, an app registered there with its secret
/// shown once, and its page saying why it cannot be edited, given a new secret or deleted.
#[tokio::test]
async fn the_window_registers_with_open_registration_and_says_why_it_cannot_manage_the_app() {
    use registrar_tests::{
        choose_type, click, close_registered, text_of, toggle_scope, type_into, wait_for,
        wait_settled, Desktop,
    };
    let server = Lemonldap::start();
    let desktop = Desktop::start();
    let client = desktop.launch().await;
    text_of(&client, "[data-testid=connection-url]").await;

    click(&client, "[data-testid=connections-open]").await;
    click(&client, "[data-testid=connection-add]").await;
    wait_for(&client, "[data-testid=connection-kind]")
        .await
        .select_by_value("oauthServer")
        .await
        .unwrap();
    type_into(&client, "[data-testid=connection-name]", "Lemon").await;
    type_into(
        &client,
        "[data-testid=connection-issuer]",
        server.issuer.as_str(),
    )
    .await;
    click(&client, "[data-testid=connection-open-registration]").await;
    click(&client, "[data-testid=connection-save]").await;
    crate::connections::wait_for_text(
        &client,
        "[data-testid=connection-url]",
        server.issuer.as_str(),
    )
    .await;

    click(&client, "[data-testid=register-open]").await;
    type_into(&client, "#app-name", "Portal").await;
    choose_type(&client, "confidential").await;
    toggle_scope(&client, "openid", "user").await;
    toggle_scope(&client, "profile", "user").await;
    click(&client, "[data-testid=redirect-add]").await;
    type_into(
        &client,
        "[data-testid=redirect-input]",
        "https://portal.example.com/signin-oidc",
    )
    .await;
    click(&client, "[data-testid=register-submit]").await;
    let app_id = text_of(&client, "[data-testid=result-app-id]").await;
    assert!(!text_of(&client, "[data-testid=result-secret]")
        .await
        .is_empty());
    close_registered(&client).await;
    wait_settled(&client).await;
    click(
        &client,
        &format!("[data-testid=app-row][data-app-id='{app_id}']"),
    )
    .await;

    let why = text_of(&client, "[data-testid=app-unmanaged]").await;
    assert!(why.contains("RFC 7592"), "{why}");
    for control in ["app-edit", "app-delete", "secret-generate"] {
        let button = wait_for(&client, &format!("[data-testid={control}]")).await;
        assert_eq!(
            button.attr("aria-disabled").await.unwrap().as_deref(),
            Some("true"),
            "{control}"
        );
    }
    client.close().await.unwrap();
    let saved = std::fs::read_to_string(
        desktop
            .dir
            .path()
            .join("config/dev.registrar.desktop/connections.json"),
    )
    .unwrap();
    assert!(saved.contains("\"openRegistration\": true"), "{saved}");
}
