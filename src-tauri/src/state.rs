//! The one managed state. The session opens once, on the first command that needs it (or the
//! start-up task, whichever comes first); if opening fails, every command reports that failure.

use std::sync::Arc;

use registrar_core::keychain::{self, Keychain};
use registrar_core::settings::SettingsStore;
use tokio::sync::OnceCell;

use crate::clipboard::SecretClipboard;
use crate::error::IpcError;
use crate::session::{Folders, Session};

#[derive(Debug)]
pub struct AppState {
    folders: Folders,
    session: OnceCell<Result<Arc<Session>, IpcError>>,
    pub settings: SettingsStore,
    pub clipboard: SecretClipboard,
}

impl AppState {
    pub fn new(folders: Folders) -> Self {
        Self {
            settings: SettingsStore::new(folders.config.join("settings.json")),
            clipboard: SecretClipboard::default(),
            folders,
            session: OnceCell::new(),
        }
    }

    pub async fn session(&self) -> Result<Arc<Session>, IpcError> {
        self.session
            .get_or_init(|| async {
                let opened = async {
                    let keychain = Keychain::platform(keychain::namespace()?)?;
                    Session::open(&self.folders, &keychain).await
                }
                .await;
                opened.map(Arc::new).map_err(|e| {
                    tracing::error!("could not open the session: {e}");
                    IpcError::from(e)
                })
            })
            .await
            .clone()
    }

    /// The open session, if any, without opening one.
    pub fn opened(&self) -> Option<Arc<Session>> {
        self.session.get().and_then(|s| s.as_ref().ok()).cloned()
    }
}
