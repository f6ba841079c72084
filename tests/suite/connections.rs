//! The connection manager in the real window. A second sandbox, started by the test on loopback,
//! stands in for an organization's Automation Suite: the window adds a connection to it (refused
//! with a wrong secret, saved with the right one), lists its apps, switches back and forth,
//! reopens on the one chosen last, signs in through the "browser", and removes connections with
//! their keychain entries. Through a loopback fault proxy, it shows what the admin reads when
//! that server misbehaves, that the window stays usable, and that no app is registered twice.

use fantoccini::{Client, Locator};
use registrar_core::model::ScopeType;
use registrar_tests::proxy::{Fault, FaultProxy};
use registrar_tests::{
    add_suite_with_secret, choose_type, click, click_button, click_xpath, close_registered,
    fill_suite_form, filled, keychain_lookup, poll, says, says_part, store_and_close, text_of,
    toggle_scope, type_into, wait_for, wait_settled, Desktop, SuiteAdmin,
};
use serde_json::json;

use crate::core_client::{admin_client, confidential, sandbox, Running};
use crate::faults::APPS;

/// Waits until the window lists every app in `present` and none in `absent`.
async fn wait_listed(client: &Client, present: &[&str], absent: &[&str]) {
    let script = "return [...document.querySelectorAll('[data-testid=app-row]')]\
        .map((row) => row.querySelector('[data-testid=app-name]').textContent.trim());";
    poll(
        &format!("a list with {present:?} and without {absent:?}"),
        || async {
            serde_json::from_value::<Vec<String>>(client.execute(script, vec![]).await.unwrap())
                .unwrap()
        },
        |names| {
            let listed = |name: &&str| names.iter().any(|n| n == name);
            present.iter().all(listed) && !absent.iter().any(listed)
        },
    )
    .await;
}

/// The text of the element `css` once it contains `part`.
pub(crate) async fn wait_for_text(client: &Client, css: &str, part: &str) -> String {
    poll(
        &format!("{css} to say {part:?}"),
        || async {
            match client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            }
        },
        |text| text.contains(part),
    )
    .await
}

/// Adds an Automation Suite connection that signs in through the browser with the sign-in app
/// `client_id` (its redirect URL on `port`), and starts the sign-in.
async fn sign_in_with(
    client: &Client,
    name: &str,
    host: &str,
    running: &Running,
    client_id: &str,
    port: u16,
) {
    fill_suite_form(client, name, host, running.sandbox.organization()).await;
    click_xpath(
        client,
        "//label[.//input[@data-testid='credential-sign-in']]",
    )
    .await;
    type_into(client, "[data-testid=connection-clientId]", client_id).await;
    type_into(
        client,
        "[data-testid=connection-signInPort]",
        &port.to_string(),
    )
    .await;
    click(client, "[data-testid=connection-save]").await;
}

/// The sandbox's organization and admin app, as an Automation Suite form asks for them.
fn admin_of(running: &Running) -> SuiteAdmin {
    SuiteAdmin {
        organization: running.sandbox.organization().to_owned(),
        client_id: running.sandbox.admin_client_id().to_owned(),
    }
}

fn saved_connections(desktop: &Desktop) -> serde_json::Value {
    let path = desktop
        .dir
        .path()
        .join("config/dev.registrar.desktop/connections.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn keychain_has(desktop: &Desktop, account: &str) -> bool {
    keychain_lookup(&desktop.namespace, account).is_some()
}

async fn switch_in_header(client: &Client, name: &str) {
    let select = wait_for(client, "[data-testid=connection-switch]").await;
    select
        .find(Locator::XPath(&format!(
            ".//option[normalize-space()='{name}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn add_a_connection_in_the_window_switch_to_it_and_back_and_remove_it() {
    let running = sandbox().await;
    let secret = running.sandbox.issue_admin_secret().unwrap();
    let admin = admin_client(&running.sandbox, secret.duplicate());
    let draft = confidential("Acme billing", &[("OR.Jobs.Read", ScopeType::Application)]);
    admin
        .create_app(&draft.validate(None).unwrap())
        .await
        .unwrap();
    let host = format!("http://{}", running.sandbox.addr());

    let desktop = Desktop::start();
    let client = desktop.launch().await;
    let own_sandbox = text_of(&client, "[data-testid=connection-url]").await;
    let own = crate::workflow::admin(&desktop).await;
    let own_app = confidential(
        "Own sandbox app",
        &[("OR.Jobs.Read", ScopeType::Application)],
    );
    own.create_app(&own_app.validate(None).unwrap())
        .await
        .unwrap();

    // A wrong secret: the token is refused, the form says so and keeps what was typed, and
    // nothing is saved.
    add_suite_with_secret(
        &client,
        "Acme suite",
        &host,
        &admin_of(&running),
        "not-the-secret",
    )
    .await;
    let said = wait_for_text(
        &client,
        "[data-testid=connections-dialog] [role=alert]",
        &says_part("connections_save_failed"),
    )
    .await;
    assert!(said.contains("refused"), "{said}");
    let typed = wait_for(&client, "[data-testid=connection-name]").await;
    assert_eq!(
        typed.prop("value").await.unwrap().as_deref(),
        Some("Acme suite")
    );
    assert_eq!(
        saved_connections(&desktop)["connections"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    type_into(
        &client,
        "[data-testid=connection-clientSecret]",
        secret.expose(),
    )
    .await;
    // The secret's field is drawn as the client ID's is, not squashed: same size and padding.
    let size = |css: &'static str| {
        let client = &client;
        async move {
            let (_, _, width, height) = wait_for(client, css).await.rectangle().await.unwrap();
            (width.round(), height.round())
        }
    };
    let secret_size = size("[data-testid=connection-clientSecret]").await;
    let id_size = size("[data-testid=connection-clientId]").await;
    assert_eq!(secret_size, id_size);
    click(&client, "[data-testid=connection-save]").await;
    wait_listed(&client, &["Acme billing"], &[]).await;
    let url = text_of(&client, "[data-testid=connection-url]").await;
    assert_eq!(url, running.sandbox.identity_url());

    let saved = saved_connections(&desktop);
    let acme = saved["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Acme suite")
        .unwrap()
        .clone();
    assert_eq!(saved["selected"], acme["id"]);
    assert_eq!(
        acme["partitionGlobalId"],
        running.sandbox.partition_global_id().to_string(),
        "the organization's GUID comes from the admin token"
    );
    for (path, bytes) in desktop.written_files() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret.expose()),
            "the admin secret reached {}",
            path.display()
        );
    }
    let account = format!(
        "connection/{}/admin-client-secret",
        acme["id"].as_str().unwrap()
    );
    assert!(
        keychain_has(&desktop, &account),
        "the secret is not in the keychain"
    );

    // Back to the window's own sandbox, and to Acme again.
    switch_in_header(&client, "Sandbox").await;
    wait_listed(&client, &["Own sandbox app"], &["Acme billing"]).await;
    assert_eq!(
        text_of(&client, "[data-testid=connection-url]").await,
        own_sandbox
    );
    switch_in_header(&client, "Acme suite").await;
    wait_listed(&client, &["Acme billing"], &[]).await;

    // The window reopens on the connection chosen last, its secret read from the keychain.
    client.close().await.unwrap();
    let client = desktop.launch().await;
    wait_listed(&client, &["Acme billing"], &[]).await;

    // A rename keeps the secret in the keychain: the field is left empty, and the saved secret
    // is checked again against the same server.
    click(&client, "[data-testid=connections-open]").await;
    click(
        &client,
        "[data-testid=connection-row][data-name='Acme suite'] [data-testid=connection-edit]",
    )
    .await;
    type_into(&client, "[data-testid=connection-name]", "Acme production").await;
    click(&client, "[data-testid=connection-save]").await;
    poll(
        "the rename in connections.json",
        || async { saved_connections(&desktop) },
        |saved| {
            saved["connections"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == acme["id"] && c["name"] == "Acme production")
        },
    )
    .await;
    let switcher = wait_for(&client, "[data-testid=connection-switch]").await;
    assert_eq!(
        switcher.prop("value").await.unwrap().as_deref(),
        acme["id"].as_str()
    );
    assert!(keychain_has(&desktop, &account), "the kept secret was lost");
    // The kept secret still opens the renamed connection after a restart.
    client.close().await.unwrap();
    let client = desktop.launch().await;
    wait_listed(&client, &["Acme billing"], &[]).await;

    // Without its secret the chosen connection cannot be opened: the window opens on the
    // sandbox and says why, and the secret given again brings it back.
    let keychain = registrar_core::keychain::Keychain::platform(desktop.namespace.clone()).unwrap();
    keychain.delete(&account).await.unwrap();
    client.close().await.unwrap();
    let client = desktop.launch().await;
    let said = wait_for_text(&client, "main .notice", "could not be opened").await;
    assert!(said.contains("Acme production"), "{said}");
    wait_listed(&client, &["Own sandbox app"], &["Acme billing"]).await;
    keychain.write(&account, &secret).await.unwrap();
    switch_in_header(&client, "Acme production").await;
    wait_listed(&client, &["Acme billing"], &[]).await;

    // Removing the connection in use goes back to the sandbox and clears the keychain entry.
    click(&client, "[data-testid=connections-open]").await;
    click(
        &client,
        "[data-testid=connection-row][data-name='Acme production'] [data-testid=connection-remove]",
    )
    .await;
    click(&client, "[data-testid=connection-remove-confirm]").await;
    wait_for(
        &client,
        "[data-testid=connection-row][data-name='Sandbox'][data-current=true]",
    )
    .await;
    let rows = client
        .find_all(Locator::Css("[data-testid=connection-row]"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(
        !keychain_has(&desktop, &account),
        "the keychain entry stayed"
    );
    click(&client, "[data-testid=connections-dialog] button.primary").await;
    wait_listed(&client, &["Own sandbox app"], &["Acme billing"]).await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn sign_in_from_the_window_through_the_browser_and_stay_signed_in() {
    let running = sandbox().await;
    let admin = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let password = running.sandbox.issue_user_password().unwrap();
    let port = registrar_tests::free_port();
    let sign_in_app = crate::core_client::sign_in_app(&admin, "Registrar sign-in", port).await;
    let browser = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/sign-in.sh");
    let desktop = Desktop::start_with(&[
        ("BROWSER", browser.display().to_string()),
        ("SANDBOX_PASSWORD", password.expose().to_owned()),
    ]);
    let client = desktop.launch().await;
    wait_for(&client, "[data-testid=connection-url]").await;

    let host = format!("http://{}", running.sandbox.addr());
    sign_in_with(
        &client,
        "Acme signed in",
        &host,
        &running,
        &sign_in_app.id,
        port,
    )
    .await;

    wait_listed(&client, &["Registrar sign-in"], &[]).await;
    let saved = saved_connections(&desktop);
    let signed_in = saved["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Acme signed in")
        .unwrap()
        .clone();
    assert_eq!(signed_in["signedIn"], json!(true));
    let id = signed_in["id"].as_str().unwrap();
    let refresh_token = keychain_lookup(
        &desktop.namespace,
        &format!("connection/{id}/refresh-token"),
    )
    .unwrap_or_default();
    assert!(refresh_token.len() > 20, "no refresh token in the keychain");
    for (path, bytes) in desktop.written_files() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(refresh_token.trim()),
            "the refresh token reached {}",
            path.display()
        );
    }
    assert!(!keychain_has(
        &desktop,
        &format!("connection/{id}/admin-client-secret")
    ));

    // Each start renews the token with the kept refresh token, which works once: the second
    // start lists apps only if the rotated one was written back to the keychain.
    client.close().await.unwrap();
    for _ in 0..2 {
        let again = desktop.launch().await;
        wait_listed(&again, &["Registrar sign-in"], &[]).await;
        again.close().await.unwrap();
    }
}

/// Whether the apps list shows its failure message now.
async fn list_alert(client: &Client) -> Option<String> {
    let script = "const alert = [...document.querySelectorAll('main [role=alert]')]\
        .find((a) => a.textContent.includes(arguments[0]));\
        return alert ? alert.textContent : null;";
    client
        .execute(script, vec![json!(says_part("apps_load_failed"))])
        .await
        .unwrap()
        .as_str()
        .map(str::to_owned)
}

async fn wait_for_list_alert(client: &Client, part: &str) -> String {
    poll(
        &format!("the list to say {part:?}"),
        || list_alert(client),
        |said| said.as_deref().is_some_and(|s| s.contains(part)),
    )
    .await
    .unwrap_or_default()
}

/// Waits until the list has sent `method path` to the proxy more than `before` times and
/// shown what came back, then returns its failure message, if any.
async fn list_after(
    client: &Client,
    proxy: &FaultProxy,
    (method, path): (&str, &str),
    before: usize,
) -> Option<String> {
    poll(
        &format!("{method} {path} to be sent again"),
        || async { proxy.seen(method, path).len() },
        |sent| *sent > before,
    )
    .await;
    wait_settled(client).await;
    list_alert(client).await
}

/// Fills the register form for a confidential app named `name` and submits it.
async fn register(client: &Client, name: &str) {
    click(client, "[data-testid=register-open]").await;
    type_into(client, "#app-name", name).await;
    choose_type(client, "confidential").await;
    toggle_scope(client, "OR.Jobs.Read", "application").await;
    click(client, "[data-testid=register-submit]").await;
}

#[tokio::test]
async fn the_window_says_what_went_wrong_stays_usable_and_never_registers_twice() {
    let running = sandbox().await;
    let secret = running.sandbox.issue_admin_secret().unwrap();
    let admin = admin_client(&running.sandbox, secret.duplicate());
    let proxy = FaultProxy::start(format!("http://{}", running.sandbox.addr())).await;
    let listing = format!("{APPS}/{}", running.sandbox.partition_global_id());

    let desktop = Desktop::start();
    let client = desktop.launch().await;
    wait_for(&client, "[data-testid=connection-url]").await;

    // Connection refused: nothing listens there, so the connection is not saved.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    add_suite_with_secret(
        &client,
        "Nobody home",
        &nobody,
        &admin_of(&running),
        secret.expose(),
    )
    .await;
    let said = wait_for_text(
        &client,
        "[data-testid=connections-dialog] [role=alert]",
        &says_part("connections_save_failed"),
    )
    .await;
    assert!(said.contains("Could not connect to"), "{said}");
    click_button(&client, &says("connections_back", &[])).await;
    click(&client, "[data-testid=connections-dialog] button.primary").await;

    add_suite_with_secret(
        &client,
        "Flaky suite",
        &proxy.base,
        &admin_of(&running),
        secret.expose(),
    )
    .await;
    wait_for_text(&client, "[data-testid=connection-url]", &proxy.base).await;
    wait_listed(&client, &["Registrar admin"], &[]).await;

    // Each fault on reading the list: the message the admin reads, then Retry works.
    for (fault, times, expected) in [
        (
            Fault::Status(503),
            3,
            "failed while listing the applications (HTTP 503)",
        ),
        (Fault::Status(500), 3, "(HTTP 500). Try again later."),
        (Fault::CutOff, 3, "broke during"),
        (Fault::RateLimited(120), 1, "try again in 120 seconds"),
        (
            Fault::WebPage,
            1,
            "with a web page instead of API data. Check the identity URL",
        ),
        (Fault::BrokenJson, 1, "is not the JSON the API describes"),
    ] {
        proxy.on("GET", &listing, fault, times);
        click_button(&client, &says("header_refresh", &[])).await;
        let said = wait_for_list_alert(&client, expected).await;
        assert!(!said.contains(secret.expose()), "{said}");
        let before = proxy.seen("GET", &listing).len();
        click_button(&client, &says("apps_retry", &[])).await;
        let still = list_after(&client, &proxy, ("GET", &listing), before).await;
        assert_eq!(still, None, "{fault:?}: still failing");
        wait_listed(&client, &["Registrar admin"], &[]).await;
    }

    // An expired admin token is renewed without a word to the admin.
    let tokens = proxy.seen("POST", "/connect/token").len();
    proxy.on("GET", &listing, Fault::Status(401), 1);
    click_button(&client, &says("header_refresh", &[])).await;
    let said = list_after(&client, &proxy, ("POST", "/connect/token"), tokens).await;
    assert_eq!(said, None);
    assert_eq!(proxy.seen("POST", "/connect/token").len(), tokens + 1);
    wait_listed(&client, &["Registrar admin"], &[]).await;

    // A create whose answer is lost: the form says it was registered all the same and offers
    // only Close; the server holds the app once.
    proxy.on("POST", APPS, Fault::LoseAnswer, 1);
    register(&client, "Lost answer").await;
    let said = wait_for_text(
        &client,
        "[data-testid=register-form] [role=alert]",
        "registered all the same",
    )
    .await;
    assert!(said.contains("Do not register it again"), "{said}");
    let submit = wait_for(&client, "[data-testid=register-submit]").await;
    assert_eq!(
        submit.prop("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    click_button(&client, &says("register_close", &[])).await;
    wait_listed(&client, &["Lost answer"], &[]).await;

    // A create that hangs: the window stays usable while Registrar waits out its timeout, then
    // it reads the list again and says nothing was registered.
    proxy.on("POST", APPS, Fault::Hang, 1);
    register(&client, "Hung up").await;
    wait_for_text(
        &client,
        "[data-testid=register-submit]",
        &says_part("register_registering"),
    )
    .await;
    let name = wait_for(&client, "#app-name").await;
    name.send_keys(" (typed while waiting)").await.unwrap();
    assert_eq!(
        name.prop("value").await.unwrap().as_deref(),
        Some("Hung up (typed while waiting)"),
        "the window did not take input while the request hung"
    );
    let said = wait_for_text(
        &client,
        "[data-testid=register-form] [role=alert]",
        "was not registered, so nothing was created",
    )
    .await;
    assert!(said.contains("did not answer"), "{said}");

    let apps = admin.list_apps().await.unwrap();
    let count = |name: &str| apps.iter().filter(|a| a.name == name).count();
    assert_eq!(count("Lost answer"), 1);
    assert_eq!(count("Hung up"), 0);
    assert_eq!(proxy.seen("POST", APPS).len(), 2, "a create was sent twice");
    client.close().await.unwrap();
}

/// Opens the Connections dialog on a new OAuth server connection named `name`, its initial
/// access token typed in, its issuer not yet.
async fn start_oauth_server_form(client: &Client, name: &str, token: &str) {
    click(client, "[data-testid=connections-open]").await;
    click(client, "[data-testid=connection-add]").await;
    wait_for(client, "[data-testid=connection-kind]")
        .await
        .select_by_value("oauthServer")
        .await
        .unwrap();
    type_into(client, "[data-testid=connection-name]", name).await;
    type_into(client, "[data-testid=connection-initialAccessToken]", token).await;
}

/// Adds an OAuth server connection by its issuer and waits until the window uses it.
pub(crate) async fn add_oauth_server(client: &Client, name: &str, issuer: &str, token: &str) {
    start_oauth_server_form(client, name, token).await;
    type_into(client, "[data-testid=connection-issuer]", issuer).await;
    click(client, "[data-testid=connection-save]").await;
    wait_for_text(client, "[data-testid=connection-url]", issuer).await;
}

/// Registers a confidential app with the application scope `scope` and closes the shown-once
/// dialog: its App ID and first secret.
pub(crate) async fn register_machine_app(
    client: &Client,
    name: &str,
    scope: &str,
) -> (String, String) {
    click(client, "[data-testid=register-open]").await;
    type_into(client, "#app-name", name).await;
    choose_type(client, "confidential").await;
    toggle_scope(client, scope, "application").await;
    click(client, "[data-testid=register-submit]").await;
    let app_id = text_of(client, "[data-testid=result-app-id]").await;
    let secret = text_of(client, "[data-testid=result-secret]").await;
    close_registered(client).await;
    (app_id, secret)
}

#[tokio::test]
async fn an_oauth_server_is_added_by_its_issuer_and_the_window_works_on_it() {
    let server = crate::generic::OidcProvider::start();
    let token = server.initial_access_token.expose().to_owned();
    let desktop = Desktop::start();
    let client = desktop.launch().await;
    text_of(&client, "[data-testid=connection-url]").await;

    start_oauth_server_form(&client, "Login server", &token).await;
    // Plain http to another computer is refused beside the field, and nothing is saved.
    type_into(
        &client,
        "[data-testid=connection-issuer]",
        "http://login.example.com",
    )
    .await;
    click(&client, "[data-testid=connection-save]").await;
    let said = wait_for_text(&client, "[data-testid=connection-issuer-error]", "https").await;
    assert!(said.contains("https://"), "{said}");
    type_into(
        &client,
        "[data-testid=connection-issuer]",
        server.issuer.as_str(),
    )
    .await;
    click(&client, "[data-testid=connection-save]").await;
    wait_for_text(
        &client,
        "[data-testid=connection-url]",
        server.issuer.as_str(),
    )
    .await;
    assert_eq!(
        saved_connections(&desktop)["connections"][1]["kind"],
        "oauthServer"
    );

    // Register from the server's scopes_supported; the secret is shown once and works.
    let (app_id, first) = register_machine_app(&client, "Orders sync", "orders.read").await;
    let granted = crate::generic::oidc_token(&server, &app_id, &first, "orders.read").await;
    assert_eq!(granted.unwrap(), ["orders.read"]);
    wait_listed(&client, &["Orders sync"], &[]).await;

    // One secret per app: no delete, and a new secret replaces the old one.
    // Listed already: opened without a Refresh, whose reload could swallow the click.
    click(
        &client,
        &format!("[data-testid=app-row][data-app-id='{app_id}']"),
    )
    .await;
    wait_for(&client, "[data-testid=app-page]").await;
    let delete = wait_for(&client, "[data-testid=secret-delete]").await;
    assert_eq!(
        delete.attr("aria-disabled").await.unwrap().as_deref(),
        Some("true")
    );
    let why = text_of(&client, "[data-testid=secret-delete-unavailable]").await;
    assert_eq!(why, says("connections_unavailable_one_secret", &[]));
    // No rotation to wait through: Replace says the old secret stops at once, and offers the
    // sheet (without a secret) first.
    let rotate = client
        .find(Locator::Css("[data-testid=rotation-start]"))
        .await;
    assert!(rotate.is_err(), "a one-secret server offers no rotation");
    click(&client, "[data-testid=secret-generate]").await;
    let says = text_of(&client, "[data-testid=secret-replace]").await;
    assert!(says.contains(&says_part("secrets_replace_intro")), "{says}");
    click(&client, "[data-testid=replace-sheet-first]").await;
    let saved = wait_for_text(
        &client,
        "[data-testid=secret-replace] [role=status]",
        &says_part("secrets_saved_to"),
    )
    .await;
    let sheet = filled("secrets_saved_to", &saved);
    assert!(
        std::path::Path::new(&sheet).starts_with(desktop.exports.path()),
        "{sheet}"
    );
    let written = std::fs::read(&sheet).unwrap();
    assert!(!written.windows(first.len()).any(|w| w == first.as_bytes()));
    click(&client, "[data-testid=secret-generate-submit]").await;
    let second = text_of(&client, "[data-testid=new-secret-value]").await;
    assert_ne!(second, first);
    assert!(
        crate::generic::oidc_token(&server, &app_id, &first, "orders.read")
            .await
            .is_err(),
        "the replaced secret still works"
    );
    assert!(
        crate::generic::oidc_token(&server, &app_id, &second, "orders.read")
            .await
            .is_ok()
    );
    store_and_close(&client).await;
    // Closing reloads the page: Verify is clicked on the page that stays.
    wait_settled(&client).await;

    // Verify asks the server's token endpoint with the new secret, held since it was shown.
    click(&client, "[data-testid=verify-run]").await;
    let granted = text_of(&client, "[data-testid=verify-scope]").await;
    assert_eq!(granted, "orders.read");

    // Edit: the server gets the new scopes (a PUT of the whole metadata).
    click(&client, "[data-testid=app-edit]").await;
    type_into(&client, "#app-name", "Orders sync v2").await;
    toggle_scope(&client, "orders.write", "application").await;
    toggle_scope(&client, "orders.read", "application").await;
    click(&client, "[data-testid=edit-review]").await;
    wait_for(&client, "[data-testid=edit-diff]").await;
    click(&client, "[data-testid=edit-save]").await;
    crate::workflow::eventually("the edit reaches the server", || async {
        crate::generic::oidc_token(&server, &app_id, &second, "orders.write")
            .await
            .is_ok()
    })
    .await;
    assert!(
        crate::generic::oidc_token(&server, &app_id, &second, "orders.read")
            .await
            .is_err(),
        "the removed scope is still granted"
    );
    wait_for_text(&client, "[data-testid=app-page]", "Orders sync v2").await;

    // Test connection says what works, and that the initial access token cannot be checked.
    click(&client, "[data-testid=connection-test-open]").await;
    let token_step = "[data-testid=connection-step][data-step=token]";
    let outcome = wait_for(&client, token_step)
        .await
        .attr("data-outcome")
        .await
        .unwrap();
    assert_eq!(outcome.as_deref(), Some("unchecked"));
    let listing = "[data-testid=connection-step][data-step=listing]";
    let outcome = wait_for(&client, listing)
        .await
        .attr("data-outcome")
        .await
        .unwrap();
    assert_eq!(outcome.as_deref(), Some("passed"));
    click(&client, "[data-testid=connection-test-close]").await;

    // The connection holds what manages its clients at this issuer: it cannot move elsewhere.
    click(&client, "[data-testid=connections-open]").await;
    click(
        &client,
        "[data-testid=connection-row][data-name='Login server'] [data-testid=connection-edit]",
    )
    .await;
    type_into(
        &client,
        "[data-testid=connection-issuer]",
        "https://login.example.com",
    )
    .await;
    type_into(
        &client,
        "[data-testid=connection-initialAccessToken]",
        "another-token",
    )
    .await;
    click(&client, "[data-testid=connection-save]").await;
    let said = wait_for_text(
        &client,
        "[data-testid=connection-issuer-error]",
        "clients were registered",
    )
    .await;
    assert!(said.contains("add a new connection"), "{said}");
    assert_eq!(
        saved_connections(&desktop)["connections"][1]["issuer"],
        server.issuer.to_string()
    );
    client.close().await.unwrap();

    let values = [first.as_str(), second.as_str(), token.as_str()];
    for (path, bytes) in desktop.written_files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !values.iter().any(|v| text.contains(v)),
            "a secret or token reached {}",
            path.display()
        );
    }
}

#[tokio::test]
async fn a_sign_in_shows_its_address_and_cancelling_it_saves_nothing() {
    let running = sandbox().await;
    let admin = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let port = registrar_tests::free_port();
    let sign_in_app = crate::core_client::sign_in_app(&admin, "Registrar sign-in", port).await;
    // A "browser" that opens nothing: the admin has only the address the dialog shows.
    let desktop = Desktop::start_with(&[("BROWSER", "true".to_owned())]);
    let client = desktop.launch().await;
    wait_for(&client, "[data-testid=connection-url]").await;

    let host = format!("http://{}", running.sandbox.addr());
    sign_in_with(
        &client,
        "Never signed in",
        &host,
        &running,
        &sign_in_app.id,
        port,
    )
    .await;

    let address = wait_for_text(
        &client,
        "[data-testid=connection-sign-in-url]",
        "code_challenge",
    )
    .await;
    let address = url::Url::parse(&address).unwrap();
    assert_eq!(address.host_str(), Some("127.0.0.1"));
    let asked = |name: &str| {
        address
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(asked("client_id").as_deref(), Some(sign_in_app.id.as_str()));
    assert_eq!(asked("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(
        asked("redirect_uri"),
        Some(registrar_core::signin::redirect_uri(port)),
        "the port the sign-in app registered"
    );

    click(&client, "[data-testid=connection-cancel-sign-in]").await;
    let said = wait_for_text(&client, "[role=alert]", "cancelled").await;
    assert!(said.contains("nothing was saved"), "{said}");
    // The form is usable again, with what was typed.
    let save = wait_for(&client, "[data-testid=connection-save]").await;
    assert!(save.is_enabled().await.unwrap());
    let name = wait_for(&client, "[data-testid=connection-name]").await;
    assert_eq!(
        name.prop("value").await.unwrap().as_deref(),
        Some("Never signed in")
    );
    let saved = saved_connections(&desktop);
    assert!(
        !saved["connections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Never signed in"),
        "{saved}"
    );
    client.close().await.unwrap();
}
