use std::time::Duration;

use tauri::{AppHandle, Emitter, Runtime, State};

use crate::error::IpcError;
use crate::ipc::{Copied, SecretCleared};
use crate::state::AppState;

/// The event that says what became of a copied secret once its delay was over.
const SECRET_CLEARED_EVENT: &str = "secret-cleared";

/// Copies the app's newest secret (held since it was generated) as sensitive content; it is
/// cleared after the admin's delay if the clipboard still holds it, and the window told.
#[tauri::command]
pub async fn copy_secret<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    app_id: String,
) -> Result<Copied, IpcError> {
    let session = state.session().await?;
    let secret = session.require_held_secret(&app_id).await?;
    let seconds = state.settings.load()?.clipboard_clear_seconds;
    let report = move |copy, outcome| {
        if let Err(e) = app.emit(SECRET_CLEARED_EVENT, SecretCleared { copy, outcome }) {
            tracing::warn!("could not tell the window the clipboard was cleared: {e}");
        }
    };
    let copy = state
        .clipboard
        .copy(secret, Duration::from_secs(u64::from(seconds)), report)
        .await?;
    Ok(Copied {
        clears_in_seconds: seconds,
        copy,
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
