//! Apps across connections in the real window. Copying an app to another connection: the target chosen, what would be
//! registered there shown, the copy registered on a second sandbox tenant, its secret shown
//! once, and the window then on the copy's page, where Verify uses that secret. And a manifest
//! compared with a connection's apps.

use fantoccini::Locator;
use registrar_core::model::ScopeType;
use registrar_tests::{
    click, click_button, poll, says, store_and_close, text_of, texts, wait_for, wait_settled,
    Desktop,
};

use crate::cli::{ok_json, registrar, save_running, stdout, works};
use crate::connections::wait_for_text;
use crate::core_client::{sandbox, Running};
use crate::workflow::{create, open, open_app};

/// What the command line needs to work on the window's connections and keychain.
fn command_line(desktop: &Desktop) -> [(&'static str, String); 2] {
    let config = desktop.dir.path().join("config/dev.registrar.desktop");
    [
        ("REGISTRAR_CONFIG_DIR", config.display().to_string()),
        ("REGISTRAR_KEYCHAIN_NAMESPACE", desktop.namespace.clone()),
    ]
}

/// A second sandbox tenant, saved as "Prod" beside the window's sandbox as the command line
/// saves one.
async fn second_tenant(desktop: &Desktop) -> (Running, [(&'static str, String); 2]) {
    let prod = sandbox().await;
    let env = command_line(desktop);
    save_running(&env, "Prod", &prod).await;
    (prod, env)
}

/// Chooses the option labelled `label` of the select `css`.
async fn choose(client: &fantoccini::Client, css: &str, label: &str) {
    let option = format!(".//option[normalize-space()='{label}']");
    let select = wait_for(client, css).await;
    let option = select.find(Locator::XPath(&option)).await.unwrap();
    option.click().await.unwrap();
}

#[tokio::test]
async fn an_app_is_copied_to_another_tenant_from_its_page() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    // A second tenant, saved beside the window's sandbox as the command line saves one.
    let (prod, env) = second_tenant(&desktop).await;
    let (app, _) = create(
        &admin,
        "Payroll export",
        &[("OR.Jobs.Read", ScopeType::Application)],
    )
    .await;
    open_app(&client, &app.id).await;

    click(&client, "[data-testid=app-copy]").await;
    choose(&client, "[data-testid=copy-target]", "Prod").await;
    let preview = wait_for_text(&client, "[data-testid=copy-preview]", "Prod").await;
    assert!(preview.contains("OR.Jobs.Read"), "{preview}");
    click(&client, "[data-testid=copy-submit]").await;
    let value = text_of(&client, "[data-testid=new-secret-value]").await;
    store_and_close(&client).await;

    // The window works on Prod now, on the copy's page.
    wait_for_text(
        &client,
        "[data-testid=connection-url]",
        &prod.sandbox.addr().to_string(),
    )
    .await;
    wait_for_text(&client, "[data-testid=app-page] h2", "Payroll export").await;
    let copy_id = text_of(&client, "[data-testid=app-page-id]").await;
    assert_ne!(copy_id, app.id);
    assert!(
        works(&prod, &copy_id, &value).await,
        "the copy's secret works on Prod"
    );
    click(&client, "[data-testid=verify-run]").await;
    wait_for(&client, "[data-testid=verify-result]").await;

    let listed =
        ok_json(&registrar(&["apps", "get", &copy_id, "-c", "Prod", "--json"], &env, "").await);
    assert_eq!(listed["scopes"][0]["name"], "OR.Jobs.Read");
    client.close().await.unwrap();
}

/// A manifest exported from the window's connection, then drifted from on both sides, opened
/// in the window: what applying it would create, change and find only on the server.
#[tokio::test]
async fn the_window_compares_a_manifest_with_the_connections_apps() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apps.yaml");
    let desktop = Desktop::start_with(&[("REGISTRAR_MANIFEST_FILE", file.display().to_string())]);
    let (client, admin) = open(&desktop).await;
    let env = command_line(&desktop);
    let (ledger, _) = create(
        &admin,
        "Ledger",
        &[("OR.Jobs.Read", ScopeType::Application)],
    )
    .await;
    let out = file.to_str().unwrap();
    stdout(&registrar(&["manifest", "export", "--out", out], &env, "").await);

    // The server drifts: a scope added, an app made elsewhere; the manifest plans a new app.
    let args = [
        "apps",
        "update",
        &ledger.id,
        "--app-scope",
        "OR.Jobs.Read",
        "--app-scope",
        "OR.Queues",
    ];
    stdout(&registrar(&args, &env, "").await);
    create(&admin, "Stray", &[("OR.Jobs.Read", ScopeType::Application)]).await;
    let planned = "- name: Planned\n  type: confidential\n  applicationScopes:\n  - OR.Jobs.Read\n";
    let manifest = std::fs::read_to_string(&file).unwrap() + planned;
    std::fs::write(&file, manifest).unwrap();

    click(&client, "[data-testid=manifest-open]").await;
    let only_here = text_of(&client, "[data-testid=manifest-only-in-manifest]").await;
    assert_eq!(only_here, "Planned");
    let differ = text_of(&client, "[data-testid=manifest-differ]").await;
    let application = says("lib_scope_type_application_in_sentence", &[]);
    let queues = [("name", "OR.Queues"), ("type", application.as_str())];
    let queues_removed = says("manifest_scope_removed", &queues);
    assert!(
        differ.contains("Ledger") && differ.contains(&queues_removed),
        "{differ}"
    );
    let only_there = text_of(&client, "[data-testid=manifest-only-on-server]").await;
    assert_eq!(only_there, "Stray");
    client.close().await.unwrap();
}

#[tokio::test]
async fn several_apps_are_copied_from_the_list_and_each_copy_holds_its_secret() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let (prod, _) = second_tenant(&desktop).await;
    let scopes = [("OR.Jobs.Read", ScopeType::Application)];
    let (first, _) = create(&admin, "Nightly export", &scopes).await;
    let (second, _) = create(&admin, "Invoice sync", &scopes).await;
    click_button(&client, &says("header_refresh", &[])).await;
    wait_settled(&client).await;

    click(&client, "[data-testid=apps-copy-many]").await;
    for app in [&first, &second] {
        let tick = format!("[data-testid=copy-many-app][value='{}']", app.id);
        wait_for(&client, &tick).await.send_keys(" ").await.unwrap();
    }
    choose(&client, "[data-testid=copy-many-target]", "Prod").await;
    let copy_two = says("copy_many_submit", &[("count", "2")]);
    wait_for_text(&client, "[data-testid=copy-many-submit]", &copy_two).await;
    click(&client, "[data-testid=copy-many-submit]").await;
    let outcomes = poll(
        "both apps to be copied",
        || async { texts(&client, "[data-testid=copy-many-outcome]").await },
        |shown| {
            let copied = says("copy_copied", &[]);
            shown.len() == 2 && shown.iter().all(|s| s.starts_with(&copied))
        },
    )
    .await;

    // The first one opens on Prod, its secret held there for Verify.
    let name = ["Nightly export", "Invoice sync"]
        .into_iter()
        .find(|name| outcomes[0].contains(name))
        .unwrap();
    click(&client, "[data-testid=copy-many-outcome] button").await;
    wait_for_text(
        &client,
        "[data-testid=connection-url]",
        &prod.sandbox.addr().to_string(),
    )
    .await;
    wait_for_text(&client, "[data-testid=app-page] h2", name).await;
    click(&client, "[data-testid=verify-run]").await;
    wait_for(&client, "[data-testid=verify-result]").await;
    client.close().await.unwrap();
}
