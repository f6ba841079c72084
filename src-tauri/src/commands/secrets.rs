use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::ipc::{AppDetails, AuditEntry, ExpiringOverview, GeneratedSecret, NewSecret};
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
    let rotations = workspace.records().rotations.all()?;
    Ok(ExpiringOverview::new(found, &rotations))
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
    Ok(GeneratedSecret::new(&info, &value, now))
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
    super::details(&session, &app).await
}

/// Starts rotating the app's secret: the new one is added beside the old ones, and its value
/// leaves Rust here, once, for the UI to show.
#[tauri::command]
pub async fn start_rotation(
    state: State<'_, AppState>,
    app_id: String,
    request: NewSecret,
) -> Result<GeneratedSecret, IpcError> {
    let now = OffsetDateTime::now_utc();
    let session = state.session().await?;
    let (_, info, value) = session
        .start_rotation(&app_id, &request.into_request()?, now)
        .await?;
    Ok(GeneratedSecret::new(&info, &value, now))
}

/// Ends the app's rotation: its old secrets are deleted.
#[tauri::command]
pub async fn finish_rotation(
    state: State<'_, AppState>,
    app_id: String,
    accept_lockout: bool,
) -> Result<AppDetails, IpcError> {
    let session = state.session().await?;
    let app = session.finish_rotation(&app_id, accept_lockout).await?;
    super::details(&session, &app).await
}

/// Gives the app's rotation up: its new secret is deleted unless `keep_new`.
#[tauri::command]
pub async fn cancel_rotation(
    state: State<'_, AppState>,
    app_id: String,
    keep_new: bool,
) -> Result<AppDetails, IpcError> {
    let session = state.session().await?;
    let app = session.cancel_rotation(&app_id, keep_new).await?;
    super::details(&session, &app).await
}
