//! The one managed state. The workspace opens once, on the first command that needs it (or the
//! start-up task, whichever comes first); if opening fails, every command reports that failure.

use std::sync::Arc;

use registrar_core::keychain::{self, Keychain};
use registrar_core::settings::SettingsStore;
use tokio::sync::OnceCell;

use crate::clipboard::SecretClipboard;
use crate::error::IpcError;
use registrar_app::folders::Folders;
use registrar_app::workspace::{Opened, Workspace};

#[derive(Debug)]
pub struct AppState {
    folders: Folders,
    workspace: OnceCell<Result<Arc<Workspace>, IpcError>>,
    /// Ends the sign-in under way, if any, when the admin cancels it.
    pub sign_in: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    pub settings: SettingsStore,
    pub clipboard: SecretClipboard,
}

impl AppState {
    pub fn new(folders: Folders) -> Self {
        Self {
            settings: SettingsStore::new(folders.config.join("settings.json")),
            clipboard: SecretClipboard::default(),
            folders,
            workspace: OnceCell::new(),
            sign_in: std::sync::Mutex::new(None),
        }
    }

    pub async fn workspace(&self) -> Result<Arc<Workspace>, IpcError> {
        self.workspace
            .get_or_init(|| async {
                let opened = async {
                    let keychain = Keychain::platform(keychain::namespace()?)?;
                    Workspace::open(&self.folders, keychain).await
                }
                .await;
                opened.map(Arc::new).map_err(|e| {
                    tracing::error!("could not open the workspace: {e}");
                    IpcError::from(e)
                })
            })
            .await
            .clone()
    }

    /// The connection the window works on now.
    pub async fn session(&self) -> Result<Arc<Opened>, IpcError> {
        Ok(self.workspace().await?.current())
    }

    /// The open workspace, if any, without opening one.
    pub fn opened(&self) -> Option<Arc<Workspace>> {
        self.workspace.get().and_then(|s| s.as_ref().ok()).cloned()
    }
}
