use registrar_core::lockout::Guard;
use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::ipc::{AppDetails, GeneratedSecret, NewSecret, SecretView};
use crate::state::AppState;

/// Adds a secret; its value leaves Rust here, once, for the UI to show.
#[tauri::command]
pub async fn generate_secret(
    state: State<'_, AppState>,
    app_id: String,
    request: NewSecret,
) -> Result<GeneratedSecret, IpcError> {
    let now = OffsetDateTime::now_utc();
    let session = state.session().await?;
    // A server that keeps one secret per app takes no description or expiry.
    let request = match session.client.features().secret_details {
        None => Some(request.into_core(now)?),
        Some(_) => None,
    };
    let (info, value) = session
        .client
        .generate_secret(&app_id, request.as_ref())
        .await?;
    tracing::info!(%app_id, secret_id = info.id, "generated a secret");
    session.hold_secret(&app_id, Some(info.id), &value).await;
    Ok(GeneratedSecret {
        secret: SecretView::new(&info, now),
        value: value.expose().to_owned(),
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
    let guard = Guard::for_connection(&session.connection, accept_lockout);
    if guard.concerns(&app_id) {
        guard.check_delete_secret(&session.client.get_app(&app_id).await?, secret_id)?;
    }
    session.client.delete_secret(secret_id).await?;
    session.forget_secret(&app_id, Some(secret_id)).await;
    tracing::info!(%app_id, secret_id, "deleted a secret");
    let app = session.client.get_app(&app_id).await?;
    Ok(AppDetails::new(&app, session.holds_secret(&app.id).await))
}
