use futures_util::StreamExt;
use registrar_app::session::{FindingCounter, Session};
use registrar_core::draft::AppDraft as CoreDraft;
use registrar_core::edit::{self, AppEdit as CoreEdit};
use registrar_core::lint;
use registrar_core::model::{ExternalApp, SecretInfo};
use registrar_core::Secret;
use tauri::ipc::Channel;
use tauri::State;
use time::OffsetDateTime;

use crate::error::IpcError;
use crate::ipc::{
    AppChanges, AppDetails, AppDraft, AppEdit, AppFindings, AppSummary, CatalogResource,
    GeneratedSecret, NewSecret, RegisteredApp, SavedApp, ShownOnce,
};
use crate::state::AppState;

/// The apps; `fresh` forgets what the session read of each, as the admin's Refresh asks.
#[tauri::command]
pub async fn list_apps(
    state: State<'_, AppState>,
    fresh: bool,
) -> Result<Vec<AppSummary>, IpcError> {
    let session = state.session().await?;
    if fresh {
        session.forget_reads().await;
    }
    let apps = session.list_apps().await?;
    let counter = finding_counter(&state, &session)?;
    Ok(apps
        .iter()
        .map(|app| AppSummary::new(app, &counter))
        .collect())
}

/// Counts each listed app's findings under the admin's settings.
fn finding_counter(state: &AppState, session: &Session) -> Result<FindingCounter, IpcError> {
    let policy = state.settings.load()?.lint_policy();
    Ok(session.finding_counter(policy, OffsetDateTime::now_utc())?)
}

/// Reads the apps a list gave without their scopes and secrets, a few at once, and sends each to
/// `on_app` as it arrives; an app deleted meanwhile is left out. Returns how many were sent, as
/// the last of them may reach the page after the answer.
#[tauri::command]
pub async fn read_apps(
    state: State<'_, AppState>,
    app_ids: Vec<String>,
    on_app: Channel<AppSummary>,
) -> Result<u32, IpcError> {
    let session = state.session().await?;
    let counter = finding_counter(&state, &session)?;
    let mut reads = std::pin::pin!(session.read_apps(app_ids));
    let mut sent = 0;
    while let Some(app) = reads.next().await {
        if on_app.send(AppSummary::new(&app?, &counter)).is_err() {
            // The page that asked is gone: nobody to tell.
            break;
        }
        sent += 1;
    }
    Ok(sent)
}

#[tauri::command]
pub async fn get_app(state: State<'_, AppState>, app_id: String) -> Result<AppDetails, IpcError> {
    let session = state.session().await?;
    let app = session.get_app(&app_id).await?;
    let unmanaged = session.client.unmanaged_reason(&app.id)?;
    // Taken last: once taken, it must reach the UI.
    let replaced_secret = session
        .take_replaced_secret(&app)
        .await?
        .map(|value| show_once(&app, &value));
    Ok(AppDetails {
        unmanaged,
        replaced_secret,
        ..super::details(&session, &app).await?
    })
}

/// A secret the server issued by itself (with an update, or out of Registrar's sight), held for
/// Verify, Copy and the sheet, as the UI shows it once.
pub(crate) fn show_once(app: &ExternalApp, value: &Secret) -> GeneratedSecret {
    let now = OffsetDateTime::now_utc();
    let info = app.secrets.first().cloned().unwrap_or(SecretInfo {
        id: 0,
        description: None,
        created: now,
        expires: None,
    });
    GeneratedSecret::new(&info, value, now)
}

/// The app's least-privilege findings, and those dismissed.
#[tauri::command]
pub async fn lint_app(state: State<'_, AppState>, app_id: String) -> Result<AppFindings, IpcError> {
    let session = state.session().await?;
    findings(&state, &session, &app_id).await
}

/// The app's findings under the admin's settings.
async fn findings(
    state: &AppState,
    session: &Session,
    app_id: &str,
) -> Result<AppFindings, IpcError> {
    let policy = state.settings.load()?.lint_policy();
    let linted = session
        .lint_app(app_id, &policy, OffsetDateTime::now_utc())
        .await?;
    Ok(AppFindings::from(&linted))
}

/// Sets finding `code` aside for the app, for `reason` (kept in the audit trail), and returns
/// the app's findings as they are now.
#[tauri::command]
pub async fn dismiss_finding(
    state: State<'_, AppState>,
    app_id: String,
    code: String,
    reason: String,
) -> Result<AppFindings, IpcError> {
    let session = state.session().await?;
    let code = lint::Code::named(&code)?;
    session.dismiss_finding(&app_id, code, &reason).await?;
    findings(&state, &session, &app_id).await
}

#[tauri::command]
pub async fn get_catalog(state: State<'_, AppState>) -> Result<Vec<CatalogResource>, IpcError> {
    let catalog = state.session().await?.catalog().await?;
    Ok(catalog.iter().map(CatalogResource::from).collect())
}

/// Checks the draft against the seed's rules and the catalog, then registers it, its first secret
/// expiring as `first_secret` asks where the server takes an expiry. The secret of a
/// confidential app leaves Rust here, once, for the UI to show.
#[tauri::command]
pub async fn register_app(
    state: State<'_, AppState>,
    draft: AppDraft,
    first_secret: Option<NewSecret>,
) -> Result<RegisteredApp, IpcError> {
    let first_secret = first_secret.map(NewSecret::into_request).transpose()?;
    let session = state.session().await?;
    let registered = session
        .register_with_secret(
            CoreDraft::from(draft),
            first_secret,
            OffsetDateTime::now_utc(),
        )
        .await?;
    Ok(RegisteredApp {
        app: AppSummary::new(&registered.app, &finding_counter(&state, &session)?),
        secret: registered.secret.as_ref().map(ShownOnce::new),
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
    let updated = session
        .update(&app_id, &base.into(), &CoreEdit::from(edit), accept_lockout)
        .await?;
    let app = updated.app;
    Ok(SavedApp {
        replaced_secret: updated
            .replaced_secret
            .as_ref()
            .map(|value| show_once(&app, value)),
        details: super::details(&session, &app).await?,
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
    state
        .session()
        .await?
        .delete_app(&app_id, &confirm_name, accept_lockout)
        .await?;
    Ok(())
}
