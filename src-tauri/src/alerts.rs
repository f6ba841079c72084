//! Desktop notifications before secrets expire: a check shortly after start and once a day
//! while the window runs, across every saved connection, as Settings ask.

use std::time::Duration;

use registrar_core::alerts;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use time::OffsetDateTime;

use crate::error::{ErrorCode, IpcError};
use crate::state::AppState;

/// The first check waits for the window's own first reads.
const FIRST_CHECK: Duration = Duration::from_secs(20);
const EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Debug builds only: seconds that take the place of both waits, so tests see a check at once
/// and the next one soon.
#[cfg(debug_assertions)]
const INTERVAL_ENV: &str = "REGISTRAR_ALERT_INTERVAL_SECONDS";

fn schedule() -> (Duration, Duration) {
    #[cfg(debug_assertions)]
    if let Some(seconds) = std::env::var(INTERVAL_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return (Duration::from_secs(seconds), Duration::from_secs(seconds));
    }
    (FIRST_CHECK, EVERY)
}

/// Checks for expiring secrets from now on, for as long as the app runs.
pub fn watch<R: Runtime>(handle: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let (first, every) = schedule();
        tokio::time::sleep(first).await;
        loop {
            if let Err(e) = check(&handle).await {
                tracing::warn!("could not check for expiring secrets: {}", e.message);
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// Notifies, in one notification, of the expiries that reached a threshold since last told.
async fn check<R: Runtime>(handle: &AppHandle<R>) -> Result<(), IpcError> {
    let state = handle.state::<AppState>();
    let settings = state.settings.load()?;
    if !settings.expiry_alerts {
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    let workspace = state.workspace().await?;
    let new = workspace.new_alerts(&settings.alert_days, now).await?;
    tracing::info!(new = new.len(), "checked for expiring secrets");
    if new.is_empty() {
        return Ok(());
    }
    let system: Vec<String> = sys_locale::get_locales().collect();
    let (title, body) = alerts::message(&new, now, settings.language.locale(&system));
    handle
        .notification()
        .builder()
        .title(title)
        .body(body)
        .show()
        .map_err(|e| IpcError {
            code: ErrorCode::Internal,
            message: format!("The notification could not be shown: {e}."),
            field: None,
        })
}
