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

/// The languages the system prefers, the first the most, as BCP 47 tags (`ja-JP`). The webview's
/// `navigator.languages` does not follow the system everywhere (WebKitGTK says `en-US`).
#[tauri::command]
pub fn system_languages() -> Vec<String> {
    sys_locale::get_locales().collect()
}
