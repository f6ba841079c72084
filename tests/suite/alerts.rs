//! Desktop notifications before a secret expires, in the real app with the real notification
//! daemon (dunst, started by D-Bus activation on the test's session): shown once per secret and
//! threshold, and not again after a restart.

use std::process::Command;

use registrar_core::model::ScopeType;
use registrar_tests::{poll, Desktop};
use serde_json::Value;

use crate::workflow::{admin, create};

/// The summary and body of each notification the daemon has shown. Those still on screen are
/// closed first, which puts them in its history.
fn shown() -> Vec<(String, String)> {
    let closed = Command::new("dunstctl").arg("close-all").status();
    assert!(closed.is_ok(), "dunst is installed by scripts/test");
    let history = Command::new("dunstctl").arg("history").output().unwrap();
    let history: Value = serde_json::from_slice(&history.stdout).unwrap_or_default();
    let text = |n: &Value, field: &str| n[field]["data"].as_str().unwrap_or_default().to_owned();
    history["data"][0]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| (text(n, "summary"), text(n, "body")))
        .collect()
}

/// How many expiry checks the app has logged so far.
fn checks(desktop: &Desktop) -> usize {
    let log = std::fs::read_to_string(desktop.dir.path().join("driver.log")).unwrap_or_default();
    log.matches("checked for expiring secrets").count()
}

#[tokio::test]
async fn a_secret_about_to_expire_is_notified_once_even_across_restarts() {
    let every = ("REGISTRAR_ALERT_INTERVAL_SECONDS", "1".to_owned());
    let desktop = Desktop::start_with(&[every]);
    let client = desktop.launch().await;
    registrar_tests::text_of(&client, "[data-testid=connection-url]").await;
    let admin = admin(&desktop).await;
    let name = format!("Alerted {}", uuid::Uuid::new_v4());
    let (app, _) = create(&admin, &name, &[("OR.Jobs.Read", ScopeType::Application)]).await;
    let now = time::OffsetDateTime::now_utc();
    let soon = now + time::Duration::days(5) - time::Duration::hours(1);
    let request = registrar_core::secrets::NewSecret::validate("Nightly", Some(soon), now).unwrap();
    admin.generate_secret(&app.id, &request).await.unwrap();

    let ours = |shown: &Vec<(String, String)>| -> Vec<(String, String)> {
        shown
            .iter()
            .filter(|(_, body)| body.contains(&name))
            .cloned()
            .collect()
    };
    let seen = poll(
        "the daemon to show the notification",
        || async { shown() },
        |s| !ours(s).is_empty(),
    )
    .await;
    let (summary, body) = ours(&seen).remove(0);
    // In the language the window speaks, the system's here.
    let (title, line) = match registrar_tests::language().as_str() {
        "ja" => (
            "シークレットの有効期限が 5 日後に切れます".to_owned(),
            format!("「{name}」（Sandbox）：「Nightly」の有効期限が 5 日後に切れます"),
        ),
        _ => (
            "A secret expires in 5 days".to_owned(),
            format!("\u{201c}{name}\u{201d} (Sandbox): \u{201c}Nightly\u{201d} expires in 5 days"),
        ),
    };
    assert_eq!(summary, title, "{body}");
    assert!(body.contains(&line), "{body}");

    // Checked again while it runs, and after a restart: not notified again.
    let before = checks(&desktop);
    poll(
        "two more checks",
        || async { checks(&desktop) },
        |n| *n >= before + 2,
    )
    .await;
    client.close().await.unwrap();
    let after_close = checks(&desktop);
    let client = desktop.launch().await;
    poll(
        "a check after the restart",
        || async { checks(&desktop) },
        |n| *n > after_close,
    )
    .await;
    assert_eq!(ours(&shown()).len(), 1, "notified once");
    client.close().await.unwrap();
}
