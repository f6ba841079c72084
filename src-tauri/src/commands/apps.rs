use registrar_core::draft::AppDraft as CoreDraft;
use tauri::State;

use crate::error::IpcError;
use crate::ipc::{AppDraft, AppSummary, CatalogResource, RegisteredApp};
use crate::state::AppState;

#[tauri::command]
pub async fn list_apps(state: State<'_, AppState>) -> Result<Vec<AppSummary>, IpcError> {
    let apps = state.session().await?.client.list_apps().await?;
    Ok(apps.iter().map(AppSummary::from).collect())
}

#[tauri::command]
pub async fn get_catalog(state: State<'_, AppState>) -> Result<Vec<CatalogResource>, IpcError> {
    let catalog = state.session().await?.catalog().await?;
    Ok(catalog.iter().map(CatalogResource::from).collect())
}

/// Checks the draft against the seed's rules and the catalog, then registers it. The secret of a
/// confidential app leaves Rust here, once, for the UI to show.
#[tauri::command]
pub async fn register_app(
    state: State<'_, AppState>,
    draft: AppDraft,
) -> Result<RegisteredApp, IpcError> {
    let session = state.session().await?;
    let catalog = session.catalog().await?;
    let valid = CoreDraft::from(draft).validate(Some(&catalog))?;
    let created = session.client.create_app(&valid).await?;
    tracing::info!(app_id = %created.app.id, "registered an application");
    Ok(RegisteredApp {
        app: AppSummary::from(&created.app),
        secret: created.secret.map(|s| s.expose().to_owned()),
    })
}
