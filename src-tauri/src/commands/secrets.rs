use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::ipc::{
    AppDetails, AuditEntry, ExpiringOverview, GeneratedSecret, NewSecret, SecretView, ShownOnce,
};
use crate::state::AppState;

/// The audit trail, newest first.
#[tauri::command]
pub async fn audit_trail(state: State<'_, AppState>) -> Result<Vec<AuditEntry>, IpcError> {
    let entries = state.workspace().await?.records().audit.entries()?;
    Ok(entries.into_iter().rev().map(AuditEntry::from).collect())
}

/// What expires across every saved connection, and the connections that could not be read.
#[tauri::command]
pub async fn expiring_secrets(state: State<'_, AppState>) -> Result<ExpiringOverview, IpcError> {
    let workspace = state.workspace().await?;
    let found = workspace.expiring(OffsetDateTime::now_utc()).await?;
    Ok(ExpiringOverview::new(found))
}

/// Adds a secret; its value leaves Rust here, once, for the UI to show.
#[tauri::command]
pub async fn generate_secret(
    state: State<'_, AppState>,
    app_id: String,
    request: NewSecret,
) -> Result<GeneratedSecret, IpcError> {
    let now = OffsetDateTime::now_utc();
    let session = state.session().await?;
    let (info, value) = session
        .generate_secret(&app_id, &request.into_request()?, now)
        .await?;
    Ok(GeneratedSecret {
        secret: SecretView::new(&info, now),
        value: ShownOnce::new(&value),
    })
}

#[tauri::command]
pub async fn delete_secret(
    state: State<'_, AppState>,
    app_id: String,
    secret_id: i64,
    accept_lockout: bool,
) -> Result<AppDetails, IpcError> {
    let session = state.session().await?;
    let app = session
        .delete_secret(&app_id, secret_id, accept_lockout)
        .await?;
    Ok(AppDetails::new(&app, session.holds_secret(&app.id).await))
}
