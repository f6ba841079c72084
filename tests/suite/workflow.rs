//! The admin workflow in the real window: the scope editor and its rules, edit with a diff, a
//! concurrent change, several secrets, and deleting an app. What the window did is checked on the
//! server through the core's client, with the admin credentials the app put in the keychain.

use fantoccini::{Client, Locator};
use registrar_core::connections::{Connection, ConnectionStore};
use registrar_core::draft::AppDraft;
use registrar_core::keychain::Keychain;
use registrar_core::model::{AppType, ExternalApp, Scope, ScopeType};
use registrar_core::oauth::{self, ClientCredentials};
use registrar_core::provider::Provider;
use registrar_core::uipath::UiPathClient;
use registrar_core::{Error, Secret};
use registrar_tests::{
    choose_type, click, click_button, close_registered, generate_secret, poll, says, says_in,
    says_part, text_of, texts, toggle_scope, type_into, wait_for, wait_settled, Desktop,
};
use serde_json::json;

/// The app's own admin client, as it stored it: connection file plus keychain entry.
pub(crate) async fn admin(desktop: &Desktop) -> UiPathClient {
    let (store, connection) = sandbox_connection(desktop);
    let keychain = Keychain::platform(desktop.namespace.clone()).unwrap();
    let opened = registrar_core::admin::open(
        registrar_core::http::client().unwrap(),
        &keychain,
        &store,
        &connection,
    )
    .await
    .unwrap();
    let Provider::UiPath(client) = opened else {
        panic!("the sandbox is a UiPath server");
    };
    client
}

/// Starts the app and waits until it has opened its connection (and so stored its credentials).
pub(crate) async fn open(desktop: &Desktop) -> (Client, UiPathClient) {
    let client = desktop.launch().await;
    text_of(&client, "[data-testid=connection-url]").await;
    let admin = admin(desktop).await;
    (client, admin)
}

pub(crate) async fn create(
    admin: &UiPathClient,
    name: &str,
    scopes: &[(&str, ScopeType)],
) -> (ExternalApp, Secret) {
    let draft = AppDraft {
        name: name.into(),
        app_type: AppType::Confidential,
        redirect_uris: vec![],
        scopes: scopes.iter().map(|(n, t)| Scope::new(*n, *t)).collect(),
    };
    let created = admin
        .create_app(&draft.validate(None).unwrap())
        .await
        .unwrap();
    (created.app, created.secret.unwrap())
}

pub(crate) async fn open_app(client: &Client, app_id: &str) {
    click_button(client, &says("header_refresh", &[])).await;
    // The refreshed list may bring other apps to the row's place.
    wait_settled(client).await;
    click(
        client,
        &format!("[data-testid=app-row][data-app-id='{app_id}']"),
    )
    .await;
    wait_for(client, "[data-testid=app-page]").await;
}

/// Waits until the list's Findings cell of the app row `row` says `count`.
async fn findings_in_list(client: &Client, row: &str, count: &str) {
    let script = "const row = document.querySelector(arguments[0]);\
                  return row === null ? null : row.lastElementChild.textContent.trim();";
    poll(
        &format!("the list to count {count} findings"),
        || async { client.execute(script, vec![json!(row)]).await.unwrap() },
        |seen| *seen == json!(count),
    )
    .await;
}

/// Waits for `check` to hold: what the window does reaches the server and the list a moment
/// after the click.
pub(crate) async fn eventually<F, Fut>(what: &str, check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    poll(what, check, |held| *held).await;
}

pub(crate) async fn token(
    admin: &UiPathClient,
    app_id: &str,
    secret: &str,
) -> Result<oauth::GrantedToken, Error> {
    let credentials = ClientCredentials {
        client_id: app_id.to_owned(),
        client_secret: Secret::new(secret),
    };
    oauth::client_credentials(
        &registrar_core::http::client().unwrap(),
        &admin.endpoint().token_url(),
        &credentials,
        &[],
    )
    .await
}

#[tokio::test]
async fn register_with_scopes_from_two_resources_and_both_tabs() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;

    click(&client, "[data-testid=register-open]").await;
    type_into(&client, "#app-name", "Billing portal").await;
    choose_type(&client, "confidential").await;
    toggle_scope(&client, "OR.Jobs.Read", "application").await;
    toggle_scope(&client, "OR.Folders.Read", "user").await;
    toggle_scope(&client, "DataFabric.Data.Read", "user").await;
    click(&client, "[data-testid=redirect-add]").await;
    type_into(
        &client,
        "[data-testid=redirect-input]",
        "https://billing.example.com/callback",
    )
    .await;
    let grants = text_of(&client, "[data-testid=grants]").await;
    assert!(
        grants.contains(&says("editor_grant_client_credentials", &[]))
            && grants.contains(&says("editor_grant_authorization_code", &[])),
        "{grants}"
    );
    click(&client, "[data-testid=register-submit]").await;

    let app_id = text_of(&client, "[data-testid=result-app-id]").await;
    let secret = text_of(&client, "[data-testid=result-secret]").await;
    close_registered(&client).await;

    let app = admin.get_app(&app_id).await.unwrap();
    assert_eq!(app.name, "Billing portal");
    // Its one secret expires as a generated one does by default, at the end of the 90th day.
    let [secret_info] = app.secrets.as_slice() else {
        panic!("one secret: {:?}", app.secrets);
    };
    let days =
        (secret_info.expires.expect("an expiry") - time::OffsetDateTime::now_utc()).whole_days();
    assert!((89..=91).contains(&days), "{days} days");
    assert_eq!(app.redirect_uris, ["https://billing.example.com/callback"]);
    assert_eq!(
        app.scopes,
        [
            Scope::new("DataFabric.Data.Read", ScopeType::User),
            Scope::new("OR.Folders.Read", ScopeType::User),
            Scope::new("OR.Jobs.Read", ScopeType::Application),
        ]
    );
    assert_eq!(
        token(&admin, &app_id, &secret).await.unwrap().scopes,
        ["OR.Jobs.Read"]
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn the_rules_refuse_bad_drafts_with_a_visible_message() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;

    click(&client, "[data-testid=register-open]").await;
    type_into(&client, "#app-name", "Desktop tool").await;
    choose_type(&client, "nonConfidential").await;
    let application_boxes = client
        .find_all(Locator::Css("input[data-scope-type=application]"))
        .await
        .unwrap();
    assert!(
        application_boxes.is_empty(),
        "a non-confidential app offers no application scopes"
    );
    toggle_scope(&client, "OR.Folders.Read", "user").await;

    // A user scope with no redirect URL: the form says what is missing and sends nothing.
    click(&client, "[data-testid=register-submit]").await;
    let alert = text_of(&client, "[data-testid=redirect-error]").await;
    assert_eq!(alert, says("editor_redirect_missing", &[]));

    click(&client, "[data-testid=redirect-add]").await;
    type_into(
        &client,
        "[data-testid=redirect-input]",
        "http://tool.example.com/cb",
    )
    .await;
    let alert = text_of(&client, "[data-testid=redirect-error]").await;
    assert!(
        alert.contains("https") || alert.contains("loopback"),
        "{alert}"
    );
    click(&client, "[data-testid=register-submit]").await;
    assert!(
        admin
            .list_apps()
            .await
            .unwrap()
            .iter()
            .all(|a| a.name != "Desktop tool"),
        "nothing was sent"
    );

    type_into(
        &client,
        "[data-testid=redirect-input]",
        "http://127.0.0.1:8400/cb",
    )
    .await;
    click(&client, "[data-testid=register-submit]").await;
    let app_id = text_of(&client, "[data-testid=result-app-id]").await;
    assert!(client
        .find_all(Locator::Css("[data-testid=result-secret]"))
        .await
        .unwrap()
        .is_empty());
    let app = admin.get_app(&app_id).await.unwrap();
    assert_eq!(
        (app.app_type, app.redirect_uris),
        (
            AppType::NonConfidential,
            vec!["http://127.0.0.1:8400/cb".to_owned()]
        )
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn edit_shows_the_diff_and_the_server_has_the_result() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let (app, _) = create(&admin, "Sync", &[("OR.Jobs", ScopeType::Application)]).await;

    open_app(&client, &app.id).await;
    click(&client, "[data-testid=app-edit]").await;
    type_into(&client, "#app-name", "Sync v2").await;
    toggle_scope(&client, "OR.Queues.Read", "application").await;
    toggle_scope(&client, "OR.Jobs", "application").await;
    click(&client, "[data-testid=edit-review]").await;

    wait_for(&client, "[data-testid=edit-diff]").await;
    assert!(text_of(&client, "[data-testid=diff-name]")
        .await
        .contains("Sync v2"));
    let added = texts(&client, "[data-testid=diff-scope-added]").await;
    let removed = texts(&client, "[data-testid=diff-scope-removed]").await;
    assert!(
        added.len() == 1 && added[0].contains("OR.Queues.Read"),
        "{added:?}"
    );
    assert!(
        removed.len() == 1 && removed[0].contains("OR.Jobs"),
        "{removed:?}"
    );
    click(&client, "[data-testid=edit-save]").await;

    eventually("the edit reaches the server", || async {
        admin.get_app(&app.id).await.unwrap().name == "Sync v2"
    })
    .await;
    let saved = admin.get_app(&app.id).await.unwrap();
    assert_eq!(
        saved.scopes,
        [Scope::new("OR.Queues.Read", ScopeType::Application)]
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_change_made_elsewhere_while_editing_is_not_overwritten() {
    use registrar_core::draft::ValidDraft;
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let (app, _) = create(&admin, "Shared", &[("OR.Jobs", ScopeType::Application)]).await;

    open_app(&client, &app.id).await;
    click(&client, "[data-testid=app-edit]").await;
    type_into(&client, "#app-name", "Mine").await;

    let theirs = ValidDraft {
        name: "Theirs".into(),
        app_type: AppType::Confidential,
        redirect_uris: vec![],
        scopes: vec![Scope::new("OR.Jobs", ScopeType::Application)],
    };
    admin.update_app(&app.id, &theirs).await.unwrap();

    click(&client, "[data-testid=edit-review]").await;
    let conflict = text_of(&client, "[data-testid=edit-conflict]").await;
    assert!(conflict.contains(&says_part("edit_conflict")), "{conflict}");
    assert_eq!(admin.get_app(&app.id).await.unwrap().name, "Theirs");
    client.close().await.unwrap();
}

/// "Nightly export", with a second secret, "Old CI", that expires in five days.
async fn create_expiring_soon(admin: &UiPathClient) -> ExternalApp {
    let (app, _) = create(
        admin,
        "Nightly export",
        &[("OR.Jobs.Read", ScopeType::Application)],
    )
    .await;
    let now = time::OffsetDateTime::now_utc();
    let soon = now + time::Duration::days(5);
    let request = registrar_core::secrets::NewSecret::validate("Old CI", Some(soon), now).unwrap();
    admin.generate_secret(&app.id, &request).await.unwrap();
    app
}

/// The Expiring view lists a secret that expires in five days with the most urgent, and opens
/// its app.
#[tokio::test]
async fn the_expiring_view_lists_what_expires_soon_and_opens_its_app() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let app = create_expiring_soon(&admin).await;

    click(&client, "[data-testid=expiring-open]").await;
    let row = format!(
        "[data-testid=expiring-row][data-app-id='{}'].within7Days",
        app.id
    );
    let text = wait_for(&client, &row)
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        text.contains(&says("expiring_within_7_days", &[])) && text.contains("Old CI"),
        "{text}"
    );
    assert!(text.contains("Sandbox"), "{text}");

    click(&client, &format!("{row} button")).await;
    crate::connections::wait_for_text(&client, "[data-testid=app-page] h2", "Nightly export").await;
    client.close().await.unwrap();
}

/// An app's page lists its least-privilege findings; one dismissed with a reason is set apart,
/// and the dismissal is in the audit trail.
#[tokio::test]
async fn an_apps_findings_are_shown_and_one_is_dismissed_with_a_reason() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let (app, _) = create(
        &admin,
        "Broad",
        &[
            ("OR.Jobs", ScopeType::Application),
            ("OR.Jobs.Read", ScopeType::Application),
        ],
    )
    .await;
    // The list counts them: a broad scope beside its narrow form, a secret that never expires.
    let row = format!("[data-testid=app-row][data-app-id='{}']", app.id);
    click_button(&client, &says("header_refresh", &[])).await;
    findings_in_list(&client, &row, "2").await;
    open_app(&client, &app.id).await;
    let broad = "[data-testid=finding][data-code=broadAndNarrowScope]";
    let text = text_of(&client, broad).await;
    let fix = says("details_finding_broad_fix", &[("broad", "OR.Jobs")]);
    assert!(text.contains(&fix), "{text}");

    let secret = "[data-testid=finding][data-code=secretLivesTooLong]";
    click(&client, &format!("{secret} [data-testid=finding-dismiss]")).await;
    type_into(
        &client,
        "[data-testid=finding-reason]",
        "Rotated by the vault",
    )
    .await;
    click(&client, "[data-testid=finding-dismiss-confirm]").await;
    let dismissed = says("details_dismissed_count", &[("count", "1")]);
    crate::connections::wait_for_text(&client, "[data-testid=findings-dismissed]", &dismissed)
        .await;
    assert!(client.find(Locator::Css(secret)).await.is_err());
    click(&client, "[data-testid=app-back]").await;
    findings_in_list(&client, &row, "1").await;

    // The audit trail in the window has it, newest first.
    click(&client, "[data-testid=audit-open]").await;
    let newest = text_of(&client, "[data-testid=audit-entry]").await;
    assert!(
        newest.contains(&says("audit_action_finding_dismissed", &[])) && newest.contains("Broad"),
        "{newest}"
    );
    client.close().await.unwrap();

    let trail = desktop
        .written_files()
        .into_iter()
        .find(|(path, _)| path.ends_with("audit.jsonl"))
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .unwrap();
    assert!(
        trail.contains("findingDismissed") && trail.contains("Rotated by the vault"),
        "{trail}"
    );
}

#[tokio::test]
async fn two_secrets_both_work_and_a_deleted_one_is_refused() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let (app, _) = create(
        &admin,
        "Rotating",
        &[("OR.Jobs.Read", ScopeType::Application)],
    )
    .await;

    open_app(&client, &app.id).await;
    let first = generate_secret(&client, "For CI", "90").await;
    let second = generate_secret(&client, "For the new deployment", "none").await;
    assert_ne!(first, second);
    assert!(token(&admin, &app.id, &first).await.is_ok());
    assert!(token(&admin, &app.id, &second).await.is_ok());

    let listed = admin.get_app(&app.id).await.unwrap().secrets;
    let ci = listed
        .iter()
        .find(|s| s.description.as_deref() == Some("For CI"))
        .unwrap();
    let row = format!("[data-testid=secret-row][data-secret-id='{}']", ci.id);
    let row_text = text_of(&client, &row).await;
    assert!(
        row_text.contains("For CI") && !row_text.contains(&first),
        "{row_text}"
    );
    wait_for(&client, &row)
        .await
        .find(Locator::Css("[data-testid=secret-delete]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&client, "[data-testid=confirm-delete-secret]").await;

    eventually("the deleted secret stops getting tokens", || async {
        token(&admin, &app.id, &first).await.is_err()
    })
    .await;
    assert!(matches!(
        token(&admin, &app.id, &first).await,
        Err(Error::Unauthorized(_))
    ));
    assert!(token(&admin, &app.id, &second).await.is_ok());
    client.close().await.unwrap();

    for (path, bytes) in desktop.written_files() {
        for value in [&first, &second] {
            assert!(
                !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
                "a secret was written to {}",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn delete_an_app_by_typing_its_name() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let (app, secret) = create(
        &admin,
        "Retired integration",
        &[("OR.Jobs", ScopeType::Application)],
    )
    .await;

    open_app(&client, &app.id).await;
    click(&client, "[data-testid=app-delete]").await;
    let confirm = wait_for(&client, "[data-testid=confirm-delete-app]").await;
    type_into(&client, "[data-testid=delete-confirm-name]", "Retired").await;
    assert!(
        confirm.attr("disabled").await.unwrap().is_some(),
        "a partial name does not delete"
    );
    type_into(
        &client,
        "[data-testid=delete-confirm-name]",
        "Retired integration",
    )
    .await;
    confirm.click().await.unwrap();

    wait_for(&client, "[data-testid=register-open]").await;
    let row = format!("[data-testid=app-row][data-app-id='{}']", app.id);
    eventually("the deleted app leaves the list", || async {
        client
            .find_all(Locator::Css(&row))
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    assert!(matches!(
        admin.get_app(&app.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(token(&admin, &app.id, secret.expose()).await.is_err());
    client.close().await.unwrap();
}

/// In the window, the sandbox connection's own admin app: deleting it is held back with a
/// warning that names the connection, and goes ahead only once the admin accepts it.
#[tokio::test]
async fn the_window_warns_before_deleting_the_connections_own_admin_app() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let own = admin
        .get_app(&sandbox_connection(&desktop).1.admin_client_id)
        .await
        .unwrap();
    // Listed from the start: opened once the list has settled, without a Refresh whose reload
    // could swallow the click.
    wait_settled(&client).await;
    let row = format!("[data-testid=app-row][data-app-id='{}']", own.id);
    // Marked in the list and on its page, before anyone tries to delete it.
    assert_eq!(
        text_of(&client, &format!("{row} [data-testid=app-admin-mark]")).await,
        says("lib_admin_app_mark", &[])
    );
    assert_eq!(
        client
            .find_all(Locator::Css("[data-testid=app-admin-mark]"))
            .await
            .unwrap()
            .len(),
        1,
        "only the connection's own app is marked"
    );
    click(&client, &row).await;
    wait_for(&client, "[data-testid=app-page]").await;
    let note = text_of(&client, "[data-testid=app-admin-note]").await;
    assert_eq!(note, says("lib_admin_app_note", &[]));

    click(&client, "[data-testid=app-delete]").await;
    let confirm = wait_for(&client, "[data-testid=confirm-delete-app]").await;
    type_into(&client, "[data-testid=delete-confirm-name]", &own.name).await;
    confirm.click().await.unwrap();
    let warning = text_of(&client, "[data-testid=lockout-warning]").await;
    assert!(warning.contains("stops working"), "{warning}");
    assert!(
        !confirm.is_enabled().await.unwrap(),
        "not without accepting"
    );
    assert!(
        admin.get_app(&own.id).await.is_ok(),
        "nothing was deleted before the warning was accepted"
    );
    client.close().await.unwrap();
}

/// The window's saved connections, and its sandbox connection.
fn sandbox_connection(desktop: &Desktop) -> (ConnectionStore, Connection) {
    let store = ConnectionStore::new(
        desktop
            .dir
            .path()
            .join("config/dev.registrar.desktop/connections.json"),
    );
    let connection = store.load().unwrap().connections.remove(0);
    (store, connection)
}

/// What the page's body is painted with.
async fn body_colour(client: &Client) -> serde_json::Value {
    let script = "return getComputedStyle(document.body).backgroundColor;";
    client.execute(script, vec![]).await.unwrap()
}

/// Dark chosen in Settings paints the window dark at once, and again at the next start.
#[tokio::test]
async fn the_theme_chosen_in_settings_paints_the_window_and_stays() {
    let desktop = Desktop::start();
    let (client, _) = open(&desktop).await;
    // The test display has no dark preference: the window starts light.
    let light = json!("rgb(245, 246, 248)");
    let dark = json!("rgb(20, 23, 27)");
    assert_eq!(body_colour(&client).await, light);

    click(&client, "[data-testid=settings-open]").await;
    let theme = wait_for(&client, "[data-testid=settings-theme]").await;
    theme.select_by_value("dark").await.unwrap();
    click(&client, "[data-testid=settings-save]").await;
    poll(
        "the window to turn dark",
        || body_colour(&client),
        |c| *c == dark,
    )
    .await;
    client.close().await.unwrap();

    let client = desktop.launch().await;
    text_of(&client, "[data-testid=connection-url]").await;
    poll(
        "the window to start dark",
        || body_colour(&client),
        |c| *c == dark,
    )
    .await;
    client.close().await.unwrap();
}

/// The language the document is marked with, which the window speaks.
async fn document_language(client: &Client) -> serde_json::Value {
    let script = "return document.documentElement.lang;";
    client.execute(script, vec![]).await.unwrap()
}

/// The window speaks the system's language, Japanese here, until Settings choose another, which
/// it speaks at once and again at the next start.
#[tokio::test]
async fn the_window_speaks_the_systems_language_until_settings_choose_one() {
    let desktop = Desktop::start_with(&[("LANG", "ja_JP.UTF-8".into())]);
    let (client, _) = open(&desktop).await;
    assert_eq!(document_language(&client).await, json!("ja"));
    click(&client, "[data-testid=settings-open]").await;
    let title = text_of(&client, "[data-testid=settings-dialog] h2").await;
    assert_eq!(title, says_in("ja", "settings_title", &[]));

    let language = wait_for(&client, "[data-testid=settings-language]").await;
    language.select_by_value("en").await.unwrap();
    click(&client, "[data-testid=settings-save]").await;
    poll(
        "the window to speak English",
        || document_language(&client),
        |l| *l == json!("en"),
    )
    .await;
    client.close().await.unwrap();

    let client = desktop.launch().await;
    text_of(&client, "[data-testid=connection-url]").await;
    assert_eq!(document_language(&client).await, json!("en"));
    click(&client, "[data-testid=settings-open]").await;
    let title = text_of(&client, "[data-testid=settings-dialog] h2").await;
    assert_eq!(title, says_in("en", "settings_title", &[]));
    client.close().await.unwrap();
}

/// What the list's visible columns are, which of their cells cut their value short (Name and
/// Redirect URLs are free text, cut with an ellipsis and titled in full), and whether the list
/// scrolls sideways.
async fn list_layout(client: &Client) -> serde_json::Value {
    client
        .execute(
            "const shown = (e) => getComputedStyle(e).display !== 'none';
             const table = document.querySelector('[role=table]');
             const cells = [...table.querySelectorAll('[role=row] > *')].filter(shown);
             return {
               columns: [...table.querySelectorAll('[role=columnheader]')].filter(shown)
                 .map((h) => h.textContent.trim()),
               cut: cells
                 .filter((c) => !c.classList.contains('name') && !c.classList.contains('redirects'))
                 .filter((c) => c.scrollWidth > c.clientWidth + 1)
                 .map((c) => c.textContent.trim()),
               sideways: table.scrollWidth > table.clientWidth,
             };",
            vec![],
        )
        .await
        .unwrap()
}

/// The list shows every value whole, and where the window is narrower, the App ID and then the
/// Redirect URLs columns give way instead of the others being cut short or scrolled out of
/// sight.
#[tokio::test]
async fn the_lists_columns_show_their_values_whole_and_give_way_in_order() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let mobile = AppDraft {
        name: "Field service mobile".into(),
        app_type: AppType::NonConfidential,
        redirect_uris: vec!["com.example.fieldservice:/oauth/callback".into()],
        scopes: vec![Scope::new("OR.Jobs.Read", ScopeType::User)],
    };
    admin
        .create_app(&mobile.validate(None).unwrap())
        .await
        .unwrap();
    create_expiring_soon(&admin).await;
    click_button(&client, &says("header_refresh", &[])).await;
    wait_for(&client, "[data-testid=app-row] .status.expiringSoon").await;

    let all = [
        "name",
        "type",
        "id",
        "scopes",
        "redirects",
        "expiry",
        "findings",
    ];
    let without = |gone: &[&str]| -> Vec<String> {
        let shown = all.iter().filter(|c| !gone.contains(c));
        shown
            .map(|c| says(&format!("apps_column_{c}"), &[]))
            .collect()
    };
    for ((width, height), columns) in [
        ((1400, 800), without(&[])),
        ((1100, 720), without(&["id"])),
        ((820, 620), without(&["id", "redirects"])),
    ] {
        client.set_window_rect(0, 0, width, height).await.unwrap();
        let layout = poll(
            &format!("the list laid out at {width} × {height}"),
            || list_layout(&client),
            |now| now["columns"] == json!(columns),
        )
        .await;
        assert_eq!(layout["cut"], json!([]), "at {width} × {height}: {layout}");
        assert_eq!(layout["sideways"], json!(false), "at {width} × {height}");
    }
    client.close().await.unwrap();
}

/// An app's page scrolls inside the window's content area: the window itself never scrolls, so
/// the header stays whole, at 820 × 620 with a held secret and a Verify result on the page.
#[tokio::test]
async fn an_apps_page_scrolls_inside_the_window_and_never_moves_the_header() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    client.set_window_rect(0, 0, 820, 620).await.unwrap();
    let (app, _) = create(
        &admin,
        "Long page",
        &[("OR.Jobs.Read", ScopeType::Application)],
    )
    .await;
    open_app(&client, &app.id).await;
    generate_secret(&client, "For the page", "90").await;
    click(&client, "[data-testid=verify-run]").await;
    wait_for(&client, "[data-testid=verify-result]").await;
    click(&client, "[data-testid=copy-secret]").await;

    let document: serde_json::Value = client
        .execute(
            "const page = document.scrollingElement;
             return { top: page.scrollTop, overflow: page.scrollHeight - page.clientHeight };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(document, json!({ "top": 0, "overflow": 0 }));
    client.close().await.unwrap();
}

/// The registration's result leads on to Verify: the new app's page opens and checks the
/// credentials just issued, without another click.
#[tokio::test]
async fn verify_now_opens_the_new_app_and_checks_its_credentials() {
    let desktop = Desktop::start();
    let (client, _admin) = open(&desktop).await;
    click(&client, "[data-testid=register-open]").await;
    type_into(&client, "#app-name", "Verified at once").await;
    toggle_scope(&client, "OR.Jobs.Read", "application").await;
    click(&client, "[data-testid=register-submit]").await;
    wait_for(&client, "[data-testid=result-stored]")
        .await
        .send_keys(" ")
        .await
        .unwrap();
    click(&client, "[data-testid=result-verify]").await;

    wait_for(&client, "[data-testid=verify-result]").await;
    assert_eq!(
        texts(&client, "[data-testid=verify-scope]").await,
        ["OR.Jobs.Read"]
    );
    crate::connections::wait_for_text(&client, "[data-testid=app-page] h2", "Verified at once")
        .await;
    client.close().await.unwrap();
}

/// The way back from a lockout: with the sandbox's own admin app deleted elsewhere, the window
/// says its credentials were refused and leads to Connections, where renewing them brings the app
/// back and the list with it.
#[tokio::test]
async fn a_refused_sandbox_credential_is_renewed_from_the_header() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let own = sandbox_connection(&desktop).1.admin_client_id;
    admin.delete_app(&own).await.unwrap();

    click_button(&client, &says("header_refresh", &[])).await;
    let refused = text_of(&client, "[data-testid=credentials-refused]").await;
    let says_refused = says("app_credentials_refused", &[("name", "Sandbox")]);
    assert!(refused.contains(&says_refused), "{refused}");
    click(&client, "[data-testid=credentials-fix]").await;
    click(&client, "[data-testid=connection-renew]").await;

    // The failed list kept its rows, the admin app's among them: wait for the bar to go first.
    eventually("the refusal to be gone", || async {
        client
            .find_all(Locator::Css("[data-testid=credentials-refused]"))
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    wait_settled(&client).await;
    let listed = format!("[data-testid=app-row][data-app-id='{own}']");
    wait_for(&client, &listed).await;
    assert!(client
        .find_all(Locator::Css("[role=alert]"))
        .await
        .unwrap()
        .is_empty());
    // The renewed secret is the one kept: a new start opens the sandbox with it.
    client.close().await.unwrap();
    let (client, admin) = open(&desktop).await;
    assert!(admin.get_app(&own).await.is_ok());
    wait_for(
        &client,
        &format!("[data-testid=app-row][data-app-id='{own}']"),
    )
    .await;
    client.close().await.unwrap();
}
