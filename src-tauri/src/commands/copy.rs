//! Copying an app to another saved connection: what it would register there, then the copy.

use tauri::State;
use time::OffsetDateTime;

use crate::commands::apps::show_once;
use crate::error::IpcError;
use crate::ipc::{CopiedApp, CopyPreview};
use crate::state::AppState;

/// What copying the app to connection `target_id` would register there.
#[tauri::command]
pub async fn plan_copy(
    state: State<'_, AppState>,
    app_id: String,
    target_id: String,
) -> Result<CopyPreview, IpcError> {
    let workspace = state.workspace().await?;
    let plan = workspace.plan_copy(&app_id, &target_id).await?;
    Ok(CopyPreview::from(&plan))
}

/// Registers the copy on connection `target_id`; its secret is held by that connection's session
/// for Verify, Copy and the sheet, and leaves Rust here, once, for the UI to show, if `reveal`
/// (a copy of several apps shows none: each is taken from its page).
#[tauri::command]
pub async fn copy_app(
    state: State<'_, AppState>,
    app_id: String,
    target_id: String,
    leave_out_not_offered: bool,
    reveal: bool,
) -> Result<CopiedApp, IpcError> {
    let workspace = state.workspace().await?;
    let now = OffsetDateTime::now_utc();
    let (target, applied) = workspace
        .copy_app(&app_id, &target_id, leave_out_not_offered, now)
        .await?;
    Ok(CopiedApp {
        connection_id: target.id,
        secret: applied
            .secret
            .as_ref()
            .filter(|_| reveal)
            .map(|value| show_once(&applied.app, value)),
        app_id: applied.app.id,
    })
}
