//! Secrets on the clipboard. They are marked as sensitive where the platform has a marker
//! (Windows: no history, no cloud sync; macOS: the concealed type; Linux: KDE's password-manager
//! hint), and cleared after the admin's delay if the clipboard still holds them, so a value the
//! admin copied since is left alone.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use arboard::Clipboard;
use registrar_core::Secret;
use zeroize::Zeroizing;

use crate::error::{ErrorCode, IpcError};

/// One clipboard handle for the app's lifetime: on X11 the content lives only as long as the
/// process that owns it serves it.
#[derive(Default)]
pub struct SecretClipboard {
    handle: Arc<Mutex<Option<Clipboard>>>,
}

impl std::fmt::Debug for SecretClipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretClipboard")
    }
}

impl SecretClipboard {
    pub async fn copy(&self, value: Secret, clear_after: Duration) -> Result<(), IpcError> {
        let handle = self.handle.clone();
        let text = value.duplicate();
        run(move || with_clipboard(&handle, |clipboard| set_sensitive(clipboard, text.expose())))
            .await?;
        let handle = self.handle.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(clear_after).await;
            let cleared = run(move || {
                with_clipboard(&handle, |clipboard| {
                    let current = Zeroizing::new(clipboard.get_text().unwrap_or_default());
                    if current.as_str() == value.expose() {
                        clipboard.clear()?;
                    }
                    Ok(())
                })
            })
            .await;
            if let Err(error) = cleared {
                tracing::warn!(
                    "could not clear a copied secret from the clipboard: {}",
                    error.message
                );
            }
        });
        Ok(())
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

fn with_clipboard(
    handle: &Mutex<Option<Clipboard>>,
    act: impl FnOnce(&mut Clipboard) -> Result<(), arboard::Error>,
) -> Result<(), IpcError> {
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
async fn run(f: impl FnOnce() -> Result<(), IpcError> + Send + 'static) -> Result<(), IpcError> {
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
