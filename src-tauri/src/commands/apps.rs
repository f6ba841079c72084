use registrar_core::draft::AppDraft as CoreDraft;
use registrar_core::edit::{self, AppEdit as CoreEdit};
use registrar_core::lockout::Guard;
use registrar_core::model::{ExternalApp, SecretInfo};
use registrar_core::Secret;
use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::ipc::{
    AppChanges, AppDetails, AppDraft, AppEdit, AppSummary, CatalogResource, GeneratedSecret,
    RegisteredApp, SavedApp, SecretView,
};
use crate::session::Session;
use crate::state::AppState;

#[tauri::command]
pub async fn list_apps(state: State<'_, AppState>) -> Result<Vec<AppSummary>, IpcError> {
    let apps = state.session().await?.client.list_apps().await?;
    Ok(apps.iter().map(AppSummary::from).collect())
}

#[tauri::command]
pub async fn get_app(state: State<'_, AppState>, app_id: String) -> Result<AppDetails, IpcError> {
    let session = state.session().await?;
    let app = session.client.get_app(&app_id).await?;
    let unmanaged = session.client.unmanaged_reason(&app.id)?;
    // Taken last: once taken, it must reach the UI.
    let replaced_secret = match session.client.take_replaced_secret(&app.id).await? {
        Some(value) => Some(show_once(&session, &app, &value).await),
        None => None,
    };
    Ok(AppDetails {
        unmanaged,
        replaced_secret,
        ..AppDetails::new(&app, session.holds_secret(&app.id).await)
    })
}

/// A secret the server issued by itself (with an update, or out of Registrar's sight), held for
/// Verify, Copy and the sheet, and sent to the UI for its one showing.
async fn show_once(session: &Session, app: &ExternalApp, value: &Secret) -> GeneratedSecret {
    let now = OffsetDateTime::now_utc();
    let info = app.secrets.first().cloned().unwrap_or(SecretInfo {
        id: 0,
        description: None,
        created: now,
        expires: None,
    });
    tracing::warn!(app_id = %app.id, "the server replaced the app's secret");
    session.hold_secret(&app.id, Some(info.id), value).await;
    GeneratedSecret {
        secret: SecretView::new(&info, now),
        value: value.expose().to_owned(),
    }
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
    if let Some(secret) = &created.secret {
        let secret_id = created.app.secrets.first().map(|s| s.id);
        session
            .hold_secret(&created.app.id, secret_id, secret)
            .await;
    }
    Ok(RegisteredApp {
        app: AppSummary::from(&created.app),
        secret: created.secret.map(|s| s.expose().to_owned()),
    })
}

/// What saving `edit` would change, checked against a fresh read of the app.
#[tauri::command]
pub async fn plan_update(
    state: State<'_, AppState>,
    app_id: String,
    base: AppEdit,
    edit: AppEdit,
) -> Result<AppChanges, IpcError> {
    let session = state.session().await?;
    let catalog = session.catalog().await?;
    let plan = edit::plan_update(
        &session.client,
        &app_id,
        &base.into(),
        &CoreEdit::from(edit),
        &catalog,
    )
    .await?;
    Ok(AppChanges::from(&plan.changes))
}

#[tauri::command]
pub async fn update_app(
    state: State<'_, AppState>,
    app_id: String,
    base: AppEdit,
    edit: AppEdit,
    accept_lockout: bool,
) -> Result<SavedApp, IpcError> {
    let session = state.session().await?;
    let catalog = session.catalog().await?;
    let guard = Guard::for_connection(&session.connection, accept_lockout);
    let updated = edit::apply_update(
        &session.client,
        &app_id,
        &base.into(),
        &CoreEdit::from(edit),
        &catalog,
        &guard,
    )
    .await?;
    let app = updated.app;
    tracing::info!(app_id = %app.id, "updated an application");
    let replaced_secret = match &updated.replaced_secret {
        Some(value) => Some(show_once(&session, &app, value).await),
        None => None,
    };
    Ok(SavedApp {
        details: AppDetails::new(&app, session.holds_secret(&app.id).await),
        replaced_secret,
    })
}

/// Deletes the app once `confirm_name` is exactly its current name on the server.
#[tauri::command]
pub async fn delete_app(
    state: State<'_, AppState>,
    app_id: String,
    confirm_name: String,
    accept_lockout: bool,
) -> Result<(), IpcError> {
    let session = state.session().await?;
    let name = session.client.name_of(&app_id).await?;
    if name != confirm_name {
        return Err(registrar_core::Error::invalid(
            registrar_core::model::Field::Name,
            format!("Type the app's name exactly (\"{name}\") to delete it."),
        )
        .into());
    }
    let guard = Guard::for_connection(&session.connection, accept_lockout);
    if guard.concerns(&app_id) {
        guard.check_delete_app(&session.client.get_app(&app_id).await?)?;
    }
    let deleted = session.client.delete_app(&app_id).await;
    // Gone from the server (or from the list, when the server had lost it already).
    if matches!(deleted, Ok(()) | Err(registrar_core::Error::NotFound(_))) {
        session.forget_secret(&app_id, None).await;
    }
    deleted?;
    tracing::info!(%app_id, "deleted an application");
    Ok(())
}
