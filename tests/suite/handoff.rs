//! Handing an app over, in the real window: Verify, the clipboard (a copied secret is cleared
//! after the delay unless the user copied something else since), and the handoff sheet exported
//! in each format, with the curl request it contains run against the sandbox.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::Client;
use registrar_core::model::ScopeType;
use registrar_tests::{
    click, generate_secret, says, says_part, text_of, texts, type_into, wait_for, Desktop,
};

use crate::workflow::{create, open, open_app};

/// The X display's clipboard is one for all tests: those that use it take turns.
static CLIPBOARD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What the X11 clipboard holds, read from outside the app as any other program would.
fn clipboard() -> Option<String> {
    let output = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .expect("xclip is installed by scripts/test");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Copies text the way another program does; xclip stays behind as the selection's owner.
fn copy_elsewhere(text: &str) {
    let mut xclip = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    xclip
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    xclip.wait().unwrap();
}

/// What the copy button last told screen readers (it is visually hidden, so read as text content).
async fn copy_status(client: &Client) -> String {
    wait_for(client, "[data-testid=copy-secret-status]")
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn set_clear_delay(client: &Client, seconds: u32) {
    click(client, "[data-testid=settings-open]").await;
    type_into(
        client,
        "[data-testid=settings-clear-seconds]",
        &seconds.to_string(),
    )
    .await;
    click(client, "[data-testid=settings-save]").await;
}

#[tokio::test]
async fn verify_shows_what_the_token_endpoint_granted() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let (app, _) = create(
        &admin,
        "Nightly sync",
        &[("OR.Jobs.Read", ScopeType::Application)],
    )
    .await;
    open_app(&client, &app.id).await;
    generate_secret(&client, "For verification", "90").await;

    click(&client, "[data-testid=verify-run]").await;
    wait_for(&client, "[data-testid=verify-result]").await;
    assert_eq!(
        texts(&client, "[data-testid=verify-scope]").await,
        ["OR.Jobs.Read"]
    );
    assert!(text_of(&client, "[data-testid=verify-lifetime]")
        .await
        .contains(&says("details_hours", &[("count", "1")])));
    let sub = text_of(&client, "[data-testid=verify-claim][data-claim=sub]").await;
    assert!(sub.contains(&app.id), "{sub}");
    let when = text_of(&client, "[data-testid=verify-when]").await;
    // Checked … with the held secret, named by its description, creation and expiry.
    let held = says_part("secrets_held_described_expires");
    assert!(
        when.contains(&says_part("details_checked"))
            && when.contains("For verification")
            && when.contains(&held),
        "{when}"
    );
    assert!(client
        .find_all(fantoccini::Locator::Css("[data-testid=verify-token]"))
        .await
        .unwrap()
        .is_empty());
    client.close().await.unwrap();
}

/// The window on the page of a new app `name`, with a secret it holds (returned), and a copied
/// secret cleared after 5 s.
async fn on_a_page_with_a_held_secret(desktop: &Desktop, name: &str) -> (Client, String) {
    let (client, admin) = open(desktop).await;
    let (app, _) = create(&admin, name, &[("OR.Jobs", ScopeType::Application)]).await;
    set_clear_delay(&client, 5).await;
    open_app(&client, &app.id).await;
    let secret = generate_secret(&client, "For the clipboard", "30").await;
    (client, secret)
}

#[tokio::test]
async fn a_copied_secret_is_cleared_unless_something_else_was_copied_since() {
    let _turn = CLIPBOARD.lock().await;
    let desktop = Desktop::start();
    let (client, secret) = on_a_page_with_a_held_secret(&desktop, "Clipboard check").await;

    click(&client, "[data-testid=copy-secret]").await;
    crate::workflow::eventually("the secret reaches the clipboard", || async {
        clipboard().as_deref() == Some(secret.as_str())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_ne!(
        clipboard().as_deref(),
        Some(secret.as_str()),
        "the secret was not cleared"
    );
    assert_eq!(copy_status(&client).await, says("lib_secret_cleared", &[]));

    click(&client, "[data-testid=copy-secret]").await;
    crate::workflow::eventually("the secret reaches the clipboard again", || async {
        clipboard().as_deref() == Some(secret.as_str())
    })
    .await;
    copy_elsewhere("the user's own text");
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_eq!(clipboard().as_deref(), Some("the user's own text"));
    assert_eq!(
        copy_status(&client).await,
        says("lib_secret_copied_over", &[])
    );
    client.close().await.unwrap();
}

/// A secret copied again before its delay is over is cleared that long after the second copy, not
/// by the first copy's timer.
#[tokio::test]
async fn a_secret_copied_again_is_cleared_after_the_last_copy() {
    let _turn = CLIPBOARD.lock().await;
    let desktop = Desktop::start();
    let (client, secret) = on_a_page_with_a_held_secret(&desktop, "Copied twice").await;

    click(&client, "[data-testid=copy-secret]").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    click(&client, "[data-testid=copy-secret]").await;
    // The first copy's 5 s are over, the second's are not.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(clipboard().as_deref(), Some(secret.as_str()));
    assert!(copy_status(&client)
        .await
        .contains(&says_part("lib_secret_copied")));

    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_ne!(clipboard().as_deref(), Some(secret.as_str()));
    assert_eq!(copy_status(&client).await, says("lib_secret_cleared", &[]));
    client.close().await.unwrap();
}

#[tokio::test]
async fn the_copied_curl_request_gets_a_token_with_the_apps_scopes() {
    let _turn = CLIPBOARD.lock().await;
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let scopes = [
        ("OR.Jobs.Read", ScopeType::Application),
        ("OR.Queues", ScopeType::Application),
    ];
    let (app, _) = create(&admin, "Curl check", &scopes).await;
    open_app(&client, &app.id).await;
    let secret = generate_secret(&client, "For the developer", "90").await;

    click(&client, "[data-testid=copy-curl]").await;
    let copied = "return document.querySelector('[data-testid=copy-curl] .shown').textContent;";
    let says_copied = serde_json::json!(says("lib_copied", &[]));
    crate::workflow::eventually("the button says the curl request was copied", || async {
        client.execute(copied, vec![]).await.unwrap() == says_copied
    })
    .await;
    crate::workflow::eventually("the curl request reaches the clipboard", || async {
        clipboard().is_some_and(|text| text.contains("| curl "))
    })
    .await;
    let curl = clipboard().unwrap();
    assert!(
        !curl.contains(&secret),
        "the copied request holds the secret: {curl}"
    );
    let output = Command::new("bash")
        .args(["-c", &curl])
        .env("CLIENT_SECRET", &secret)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["scope"], "OR.Jobs.Read OR.Queues", "{answer}");
    assert_eq!(answer["token_type"], "Bearer");
    client.close().await.unwrap();
}

/// The sheet's text: the PDF's as pdftotext extracts it, the others' as they are.
fn sheet_text(path: &Path) -> String {
    if path.extension().is_some_and(|e| e == "pdf") {
        let out = Command::new("pdftotext")
            .args(["-layout", path.to_str().unwrap(), "-"])
            .output()
            .expect("pdftotext is installed by scripts/test");
        assert!(
            out.status.success(),
            "pdftotext failed on {}",
            path.display()
        );
        String::from_utf8(out.stdout).unwrap()
    } else {
        std::fs::read_to_string(path).unwrap()
    }
}

/// Exports the sheet in `format` from the app's page and returns the path the page reports.
pub(crate) async fn export(client: &Client, format: &str, extension: &str) -> String {
    wait_for(client, "[data-testid=handoff-format]")
        .await
        .select_by_value(format)
        .await
        .unwrap();
    click(client, "[data-testid=handoff-export]").await;
    let saved = format!(
        "const el = document.querySelector('[data-testid=handoff-exported]');\
         return el !== null && el.textContent.includes('handoff.{extension}');"
    );
    crate::workflow::eventually("the page says where the sheet was saved", || async {
        client.execute(&saved, vec![]).await.unwrap() == serde_json::json!(true)
    })
    .await;
    text_of(client, "[data-testid=handoff-path]").await
}

#[tokio::test]
async fn the_handoff_sheet_is_exported_in_each_format_and_holds_the_secret_only_when_asked() {
    let desktop = Desktop::start();
    let (client, admin) = open(&desktop).await;
    let (app, _) = create(
        &admin,
        "Sheet export",
        &[
            ("OR.Jobs.Read", ScopeType::Application),
            ("OR.Queues", ScopeType::Application),
        ],
    )
    .await;
    open_app(&client, &app.id).await;
    let secret = generate_secret(&client, "For the developer", "90").await;

    wait_for(&client, "[data-testid=handoff-include-secret]")
        .await
        .send_keys(" ")
        .await
        .unwrap();
    for (format, extension) in [
        ("pdf", "pdf"),
        ("html", "html"),
        ("markdown", "md"),
        ("json", "json"),
    ] {
        let shown = export(&client, format, extension).await;
        let path = desktop
            .exports
            .path()
            .join(format!("Sheet export handoff.{extension}"));
        assert_eq!(Path::new(&shown), path);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} holds the secret", path.display());
        let text = sheet_text(&path);
        for needed in [app.id.as_str(), secret.as_str(), "OR.Jobs.Read OR.Queues"] {
            assert!(text.contains(needed), "{} lacks {needed:?}", path.display());
        }
        assert!(text_of(&client, "[data-testid=handoff-exported]")
            .await
            .contains(&says("details_saved_owner_only", &[])));
    }
    let json: serde_json::Value = serde_json::from_str(&sheet_text(
        &desktop.exports.path().join("Sheet export handoff.json"),
    ))
    .unwrap();
    assert_eq!(json["client"]["client_id"], app.id.as_str());
    assert_eq!(json["client"]["client_secret"], secret.as_str());

    wait_for(&client, "[data-testid=handoff-include-secret]")
        .await
        .send_keys(" ")
        .await
        .unwrap();
    let shown = export(&client, "markdown", "md").await;
    let text = std::fs::read_to_string(&shown).unwrap();
    assert!(
        !text.contains(&secret),
        "the secret went in without being asked for"
    );
    assert!(text.contains("delivered separately"));
    let mode = std::fs::metadata(&shown).unwrap().permissions().mode() & 0o777;
    assert_ne!(
        mode, 0o600,
        "a sheet without the secret is an ordinary file"
    );
    assert!(text_of(&client, "[data-testid=handoff-exported]")
        .await
        .contains(&says("details_saved_without_secret", &[])));
    client.close().await.unwrap();
}
