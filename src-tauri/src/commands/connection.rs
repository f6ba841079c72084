use tauri::State;

use crate::error::IpcError;
use crate::ipc::ConnectionView;
use crate::state::AppState;

#[tauri::command]
pub async fn current_connection(state: State<'_, AppState>) -> Result<ConnectionView, IpcError> {
    let session = state.session().await?;
    Ok(ConnectionView::new(
        &session.connection,
        session.client.endpoint().identity_url.to_string(),
    ))
}
