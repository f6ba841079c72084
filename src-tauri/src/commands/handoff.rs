use std::path::PathBuf;

use registrar_core::files::{self, Access};
use registrar_core::handoff;
use registrar_core::Error;
use tauri::{Runtime, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use time::OffsetDateTime;
use tokio::sync::oneshot;

use crate::error::IpcError;
use crate::ipc::{ExportedSheet, HandoffFormat, ShownOnce, Verification};
use crate::state::AppState;

/// Asks the token endpoint for a token with the app's newest secret (held since it was
/// generated) and its application scopes, a step of its rotation if it has one. The token
/// itself is returned only when asked for.
#[tauri::command]
pub async fn verify_app(
    state: State<'_, AppState>,
    app_id: String,
    show_token: bool,
) -> Result<Verification, IpcError> {
    let session = state.session().await?;
    let verified = session.verify(&app_id).await?;
    let token = show_token.then(|| ShownOnce::new(&verified.token));
    Ok(Verification {
        token,
        ..Verification::from(verified)
    })
}

/// Writes the app's handoff sheet in `format` where the admin chooses in the save dialog;
/// `None` when the dialog was cancelled. The secret goes in only when asked for and held, and a
/// file holding it is written readable by its owner only.
#[tauri::command]
pub async fn export_handoff<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    app_id: String,
    format: HandoffFormat,
    include_secret: bool,
) -> Result<Option<ExportedSheet>, IpcError> {
    let session = state.session().await?;
    let sheet = session
        .sheet(&app_id, include_secret, OffsetDateTime::now_utc())
        .await?;
    let chosen = handoff::Format::from(format);
    let Some(path) = save_path(&window, &sheet.file_name(chosen), chosen).await? else {
        return Ok(None);
    };
    let access = match sheet.holds_secret() {
        true => Access::OwnerOnly,
        false => Access::Default,
    };
    // A PDF may read the system's fonts: rendered off the async workers.
    let (sheet, rendered) = tauri::async_runtime::spawn_blocking(move || {
        let rendered = sheet.render(chosen);
        (sheet, rendered)
    })
    .await
    .map_err(|e| Error::Storage(format!("Could not render the sheet: {e}")))?;
    files::write_with(&path, &rendered?, access)?;
    session.exported(&sheet).await;
    tracing::info!(app = %app_id, format = chosen.extension(), secret = sheet.holds_secret(), "exported a handoff sheet");
    Ok(Some(ExportedSheet {
        path: path.display().to_string(),
        secret_included: sheet.holds_secret(),
        // Only Unix file modes are set; elsewhere the file takes its folder's permissions.
        owner_only: access == Access::OwnerOnly && cfg!(unix),
    }))
}

/// Debug builds only: a folder that takes the place of the save dialog, so tests can export
/// through the whole command without a person to answer the dialog.
#[cfg(debug_assertions)]
const EXPORT_DIR_ENV: &str = "REGISTRAR_EXPORT_DIR";

/// Asks where to save `file_name`, giving it the format's extension if the admin left it off.
async fn save_path<R: Runtime>(
    window: &WebviewWindow<R>,
    file_name: &str,
    format: handoff::Format,
) -> Result<Option<PathBuf>, IpcError> {
    #[cfg(debug_assertions)]
    if let Some(dir) = std::env::var_os(EXPORT_DIR_ENV) {
        return Ok(Some(PathBuf::from(dir).join(file_name)));
    }
    let (tx, rx) = oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_title("Save the handoff sheet")
        .set_file_name(file_name)
        .add_filter(format.label(), &[format.extension()])
        .save_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let mut path = chosen.into_path().map_err(|e| {
        IpcError::from(Error::Storage(format!(
            "The chosen location cannot be written to as a file ({e}). Choose a folder on this computer."
        )))
    })?;
    if path.extension().is_none() {
        path.set_extension(format.extension());
    }
    Ok(Some(path))
}
