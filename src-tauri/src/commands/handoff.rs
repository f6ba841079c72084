use tauri::State;

use crate::error::IpcError;
use crate::ipc::Verification;
use crate::state::AppState;

/// Asks the token endpoint for a token with the app's newest secret (held since it was
/// generated) and its application scopes. The token itself is returned only when asked for.
#[tauri::command]
pub async fn verify_app(
    state: State<'_, AppState>,
    app_id: String,
    show_token: bool,
) -> Result<Verification, IpcError> {
    let session = state.session().await?;
    let secret = session.held_secret(&app_id).await.ok_or_else(not_held)?;
    let app = session.client.get_app(&app_id).await?;
    let verified = registrar_core::verify::verify(
        session.client.http(),
        session.client.endpoint(),
        &app,
        &secret,
    )
    .await?;
    let token = show_token.then(|| verified.token.expose().to_owned());
    Ok(Verification {
        token,
        ..Verification::from(verified)
    })
}

pub fn not_held() -> IpcError {
    registrar_core::Error::InvalidInput {
        field: None,
        message:
            "Registrar holds an app's secret only right after generating it, until it closes. \
                  Generate a new secret to verify, copy or hand it over."
                .into(),
    }
    .into()
}
