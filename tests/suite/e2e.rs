//! End to end in the real window: the app built by `cargo build -p registrar-desktop`, driven through
//! tauri-driver and WebKitWebDriver, with its own data folders and keychain namespace.

use std::process::Command;

use registrar_tests::{choose_type, poll, text_of, toggle_scope, wait_for, Desktop};

async fn token_request(
    identity_url: &str,
    client_id: &str,
    secret: &str,
) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{identity_url}/connect/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "OR.Jobs.Read"),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn register_a_confidential_app_in_the_window_and_use_its_secret() {
    let desktop = Desktop::start();
    let client = desktop.launch().await;

    let identity_url = text_of(&client, "[data-testid=connection-url]").await;
    assert!(
        identity_url.starts_with("http://127.0.0.1:"),
        "{identity_url}"
    );

    wait_for(&client, "[data-testid=register-open]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&client, "#app-name")
        .await
        .send_keys("Billing sync")
        .await
        .unwrap();
    choose_type(&client, "confidential").await;
    toggle_scope(&client, "OR.Jobs.Read", "application").await;
    let checkbox = wait_for(
        &client,
        "input[data-scope='OR.Jobs.Read'][data-scope-type=application]",
    )
    .await;
    assert_eq!(
        checkbox.prop("checked").await.unwrap().as_deref(),
        Some("true")
    );
    wait_for(&client, "[data-testid=register-submit]")
        .await
        .click()
        .await
        .unwrap();

    wait_for(&client, "[data-testid=secret-dialog]").await;
    let app_id = text_of(&client, "[data-testid=result-app-id]").await;
    let secret = text_of(&client, "[data-testid=result-secret]").await;
    assert!(
        !app_id.is_empty() && secret.len() >= 43,
        "App ID {app_id:?}, secret of {} chars",
        secret.len()
    );

    let (status, body) = token_request(&identity_url, &app_id, &secret).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "OR.Jobs.Read");
    assert_eq!(body["token_type"], "Bearer");
    let (status, body) = token_request(&identity_url, &app_id, "not-the-secret").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    registrar_tests::close_registered(&client).await;
    let row = format!("[data-testid=app-row][data-app-id='{app_id}']");
    wait_for(&client, &row).await;
    client.close().await.unwrap();

    let client = desktop.launch().await;
    // The row's content rather than WebDriver's visible text: WebKitWebDriver leaves out cells
    // whose text it judges clipped, although they are painted.
    let listed = wait_for(&client, &row)
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(listed.contains("Billing sync"), "{listed}");
    // The sandbox lists apps bare, as live tenants do: the scope count and the expiry come from
    // reading the app, after the names.
    let script = "return [...document.querySelectorAll(arguments[0] + ' [role=cell]')]\
        .map((cell) => cell.textContent.trim());";
    let cells = poll(
        "the row's scope count and expiry",
        || async {
            let cells = client.execute(script, vec![row.clone().into()]).await;
            serde_json::from_value::<Vec<String>>(cells.unwrap()).unwrap()
        },
        |cells| cells.get(3).is_some_and(|count| count != "…"),
    )
    .await;
    // Its one secret expires as the registration chose by default: in 90 days.
    let year = (time::OffsetDateTime::now_utc() + time::Duration::days(90)).year();
    assert_eq!(cells[3], "1");
    assert!(cells[5].contains(&year.to_string()), "{cells:?}");
    client.close().await.unwrap();

    // The sandbox's admin credentials went to the real keychain, under the test's namespace.
    let search = Command::new("secret-tool")
        .args(["search", "--all", "service", &desktop.namespace])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&search.stdout);
    assert!(
        listing.contains("admin-client-secret"),
        "keychain entries: {listing}"
    );

    for (path, bytes) in desktop.written_files() {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the app's secret was written to {}",
            path.display()
        );
    }
}

#[tokio::test]
async fn the_window_reopens_where_and_as_large_as_it_was() {
    let desktop = Desktop::start();
    let client = desktop.launch().await;
    text_of(&client, "[data-testid=connection-url]").await;
    client.set_window_rect(70, 50, 940, 660).await.unwrap();
    let moved = client.get_window_rect().await.unwrap();
    assert_eq!(
        moved,
        (70, 50, 940, 660),
        "the window took the new place and size"
    );
    // The app saves them once the window has settled, so even a killed app keeps them.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    client.close().await.unwrap();

    let client = desktop.launch().await;
    text_of(&client, "[data-testid=connection-url]").await;
    assert_eq!(client.get_window_rect().await.unwrap(), moved);
    client.close().await.unwrap();
}

#[tokio::test]
async fn test_connection_shows_each_step_and_the_admin_tokens_scopes() {
    let desktop = Desktop::start();
    let client = desktop.launch().await;
    text_of(&client, "[data-testid=connection-url]").await;

    registrar_tests::click(&client, "[data-testid=connection-test-open]").await;
    wait_for(&client, "[data-testid=connection-step][data-step=listing]").await;
    let outcomes: Vec<String> = client
        .execute(
            "return [...document.querySelectorAll('[data-testid=connection-step]')]\
             .map((li) => li.dataset.step + ':' + li.dataset.outcome);",
            vec![],
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        outcomes,
        ["discovery:passed", "token:passed", "listing:passed"]
    );
    let scopes = text_of(&client, "[data-testid=connection-scopes]").await;
    assert!(scopes.contains("PM.OAuthApp"), "{scopes}");
    registrar_tests::click(&client, "[data-testid=connection-test-close]").await;
    client.close().await.unwrap();
}
