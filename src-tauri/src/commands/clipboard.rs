use std::time::Duration;

use registrar_core::Secret;
use tauri::State;

use crate::commands::handoff::not_held;
use crate::error::IpcError;
use crate::ipc::Copied;
use crate::state::AppState;

/// Copies the app's newest secret (held since it was generated) as sensitive content; it is
/// cleared after the admin's delay if the clipboard still holds it.
#[tauri::command]
pub async fn copy_secret(state: State<'_, AppState>, app_id: String) -> Result<Copied, IpcError> {
    let session = state.session().await?;
    let secret = session.held_secret(&app_id).await.ok_or_else(not_held)?;
    let seconds = state.settings.load()?.clipboard_clear_seconds;
    state
        .clipboard
        .copy(secret, Duration::from_secs(u64::from(seconds)))
        .await?;
    Ok(Copied {
        clears_in_seconds: Some(seconds),
    })
}

/// Copies the client-credentials curl request. With the held secret in it, it is copied and
/// cleared like the secret; without, it reads `$CLIENT_SECRET` and is copied as plain text.
#[tauri::command]
pub async fn copy_curl(state: State<'_, AppState>, app_id: String) -> Result<Copied, IpcError> {
    let session = state.session().await?;
    let app = session.client.get_app(&app_id).await?;
    let secret = session.held_secret(&app.id).await;
    let token_url = session.client.endpoints().token;
    let curl = registrar_core::requests::client_credentials_curl(&token_url, &app, secret.as_ref());
    let clears_in_seconds = match secret {
        Some(_) => {
            let seconds = state.settings.load()?.clipboard_clear_seconds;
            state
                .clipboard
                .copy(Secret::new(curl), Duration::from_secs(u64::from(seconds)))
                .await?;
            Some(seconds)
        }
        None => {
            state.clipboard.copy_plain(curl).await?;
            None
        }
    };
    Ok(Copied { clears_in_seconds })
}
