use tauri::State;

use crate::error::IpcError;
use crate::ipc::{ConnectionTest, ConnectionView};
use crate::state::AppState;

#[tauri::command]
pub async fn current_connection(state: State<'_, AppState>) -> Result<ConnectionView, IpcError> {
    let session = state.session().await?;
    Ok(ConnectionView::new(
        &session.connection,
        session.client.endpoint().identity_url.to_string(),
    ))
}

/// Reports what works on the connection: discovery, the admin token and its scopes, listing.
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>) -> Result<ConnectionTest, IpcError> {
    let session = state.session().await?;
    Ok(registrar_core::probe::probe(&session.client).await.into())
}
