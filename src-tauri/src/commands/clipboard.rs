use std::time::Duration;

use tauri::State;

use crate::error::IpcError;
use crate::ipc::Copied;
use crate::state::AppState;

/// Copies the app's newest secret (held since it was generated) as sensitive content; it is
/// cleared after the admin's delay if the clipboard still holds it.
#[tauri::command]
pub async fn copy_secret(state: State<'_, AppState>, app_id: String) -> Result<Copied, IpcError> {
    let session = state.session().await?;
    let secret = session.require_held_secret(&app_id).await?;
    let seconds = state.settings.load()?.clipboard_clear_seconds;
    state
        .clipboard
        .copy(secret, Duration::from_secs(u64::from(seconds)))
        .await?;
    Ok(Copied {
        clears_in_seconds: seconds,
    })
}

/// Copies the client-credentials curl request, as plain text: it holds no secret (it reads
/// `$CLIENT_SECRET`, on curl's standard input).
#[tauri::command]
pub async fn copy_curl(state: State<'_, AppState>, app_id: String) -> Result<(), IpcError> {
    let session = state.session().await?;
    let app = session.get_app(&app_id).await?;
    let token_url = session.client.endpoints().token;
    let curl = registrar_core::requests::client_credentials_curl(&token_url, &app);
    state.clipboard.copy_plain(curl).await
}
