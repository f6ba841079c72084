//! A manifest (apps as code) compared with the current connection's apps, in the window.

use std::path::PathBuf;

use registrar_core::manifest::Manifest;
use registrar_core::Error;
use tauri::{Runtime, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::oneshot;

use crate::error::IpcError;
use crate::ipc::ManifestComparison;
use crate::state::AppState;

/// Debug builds only: a manifest file that takes the place of the open dialog, so tests can
/// compare through the whole command without a person to answer the dialog.
#[cfg(debug_assertions)]
const MANIFEST_FILE_ENV: &str = "REGISTRAR_MANIFEST_FILE";

/// Asks for a manifest file and compares it with the connection's apps, as `registrar plan
/// --prune` does; `None` when the dialog was cancelled.
#[tauri::command]
pub async fn compare_manifest<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
) -> Result<Option<ManifestComparison>, IpcError> {
    let Some(path) = manifest_path(&window).await? else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        IpcError::from(Error::InvalidInput {
            field: None,
            message: format!("Could not read the manifest {}: {e}.", path.display()),
        })
    })?;
    let manifest = Manifest::parse(&text)?;
    let session = state.session().await?;
    let plan = session.plan_manifest(&manifest, true).await?;
    Ok(Some(ManifestComparison::new(
        path.display().to_string(),
        &plan,
    )))
}

async fn manifest_path<R: Runtime>(window: &WebviewWindow<R>) -> Result<Option<PathBuf>, IpcError> {
    #[cfg(debug_assertions)]
    if let Some(file) = std::env::var_os(MANIFEST_FILE_ENV) {
        return Ok(Some(PathBuf::from(file)));
    }
    let (tx, rx) = oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_title("Open a manifest")
        .add_filter("Manifest", &["yaml", "yml", "json"])
        .pick_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|e| {
        IpcError::from(Error::InvalidInput {
            field: None,
            message: format!("The chosen file cannot be read as a file on this computer ({e})."),
        })
    })?;
    Ok(Some(path))
}
