//! Secrets on the clipboard. They are marked as sensitive where the platform has a marker
//! (Windows: no history, no cloud sync; macOS: the concealed type; Linux: KDE's password-manager
//! hint), and cleared after the admin's delay if the clipboard still holds them, so a value the
//! admin copied since is left alone. Each copy is numbered, and what became of it is reported.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arboard::Clipboard;
use registrar_core::Secret;
use zeroize::Zeroizing;

use crate::error::{ErrorCode, IpcError};
use crate::ipc::ClearOutcome;

/// One clipboard handle for the app's lifetime: on X11 the content lives only as long as the
/// process that owns it serves it.
#[derive(Default)]
pub struct SecretClipboard {
    handle: Arc<Mutex<Option<Clipboard>>>,
    /// The number of the last secret copied.
    copies: Arc<AtomicU64>,
}

impl std::fmt::Debug for SecretClipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretClipboard")
    }
}

impl SecretClipboard {
    /// Copies `value`, and clears it after `clear_after` unless something else was copied since;
    /// `report` is then told the copy's number and what became of it. Returns the copy's number.
    pub async fn copy(
        &self,
        value: Secret,
        clear_after: Duration,
        report: impl FnOnce(u64, ClearOutcome) + Send + 'static,
    ) -> Result<u64, IpcError> {
        let handle = self.handle.clone();
        let text = value.duplicate();
        run(move || with_clipboard(&handle, |clipboard| set_sensitive(clipboard, text.expose())))
            .await?;
        let copy = self.copies.fetch_add(1, Ordering::SeqCst) + 1;
        let copies = self.copies.clone();
        let handle = self.handle.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(clear_after).await;
            // A secret copied since clears in its own time, even if it is this same value.
            if copies.load(Ordering::SeqCst) != copy {
                report(copy, ClearOutcome::CopiedOver);
                return;
            }
            let cleared = run(move || {
                with_clipboard(&handle, |clipboard| {
                    let current = Zeroizing::new(clipboard.get_text().unwrap_or_default());
                    if current.as_str() != value.expose() {
                        return Ok(ClearOutcome::CopiedOver);
                    }
                    clipboard.clear()?;
                    Ok(ClearOutcome::Cleared)
                })
            })
            .await;
            report(
                copy,
                cleared.unwrap_or_else(|error| {
                    tracing::warn!(
                        "could not clear a copied secret from the clipboard: {}",
                        error.message
                    );
                    ClearOutcome::Failed
                }),
            );
        });
        Ok(copy)
    }
}

impl SecretClipboard {
    /// Text with nothing secret in it: copied as it is and left on the clipboard.
    pub async fn copy_plain(&self, text: String) -> Result<(), IpcError> {
        let handle = self.handle.clone();
        run(move || with_clipboard(&handle, |clipboard| clipboard.set_text(text))).await
    }
}

fn set_sensitive(clipboard: &mut Clipboard, text: &str) -> Result<(), arboard::Error> {
    let set = clipboard.set();
    #[cfg(any(target_os = "linux", target_os = "freebsd"))]
    let set = arboard::SetExtLinux::exclude_from_history(set);
    #[cfg(target_os = "windows")]
    let set = arboard::SetExtWindows::exclude_from_cloud(
        arboard::SetExtWindows::exclude_from_history(set),
    );
    #[cfg(target_os = "macos")]
    let set = arboard::SetExtApple::exclude_from_history(set);
    set.text(text)
}

fn with_clipboard<T>(
    handle: &Mutex<Option<Clipboard>>,
    act: impl FnOnce(&mut Clipboard) -> Result<T, arboard::Error>,
) -> Result<T, IpcError> {
    let mut guard = handle
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let clipboard = match guard.as_mut() {
        Some(clipboard) => clipboard,
        None => guard.insert(Clipboard::new().map_err(clipboard_error)?),
    };
    act(clipboard).map_err(clipboard_error)
}

/// Clipboard calls block (X11 round trips): keep them off the async workers.
async fn run<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| clipboard_error(arboard::Error::ClipboardNotSupported))?
}

fn clipboard_error(error: arboard::Error) -> IpcError {
    IpcError {
        code: ErrorCode::Clipboard,
        message: format!(
            "The clipboard is not available ({error}). Select the value and copy it by hand."
        ),
        field: None,
    }
}
