use tauri::State;

use crate::error::IpcError;
use crate::ipc::Settings;
use crate::state::AppState;

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, IpcError> {
    Ok(state.settings.load()?.into())
}

#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings, IpcError> {
    let settings = registrar_core::settings::Settings::from(settings).validate()?;
    state.settings.save(&settings)?;
    Ok(settings.into())
}
