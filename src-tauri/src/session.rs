//! What the commands work with once the app has started: the connection, its API client and,
//! for the sandbox connection, the embedded server. Plain Rust, no Tauri types.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use registrar_core::connections::{Connection, ConnectionKind, ConnectionStore};
use registrar_core::keychain::Keychain;
use registrar_core::model::CatalogResource;
use registrar_core::oauth::ClientCredentials;
use registrar_core::uipath::{Endpoint, UiPathClient};
use registrar_core::{Error, Result, Secret};
use registrar_sandbox::{Sandbox, SandboxConfig, SandboxError};
use tokio::sync::Mutex;

/// Where the app keeps its files.
#[derive(Debug, Clone)]
pub struct Folders {
    pub config: PathBuf,
    pub data: PathBuf,
}

#[derive(Debug)]
pub struct Session {
    pub connection: Connection,
    pub client: UiPathClient,
    sandbox: Mutex<Option<Sandbox>>,
    catalog: Mutex<Option<Arc<Vec<CatalogResource>>>>,
    held: Mutex<HashMap<String, HeldSecret>>,
}

/// The value of an app's newest secret, kept in memory only (never on disk) from the moment it was
/// generated until the app closes, so it can go into a handoff sheet, be verified or be copied.
#[derive(Debug)]
struct HeldSecret {
    secret_id: Option<i64>,
    value: Secret,
}

impl Session {
    /// Opens the saved connection, creating the Sandbox connection on first start, and makes sure
    /// its admin credentials are in the keychain.
    pub async fn open(folders: &Folders, keychain: &Keychain) -> Result<Self> {
        let store = ConnectionStore::new(folders.config.join("connections.json"));
        let mut saved = store.load()?;
        // The window works on the sandbox; other connections (added with the command line) are
        // kept as they are.
        let previous = saved.iter().find(|c| c.kind == ConnectionKind::Sandbox);
        let sandbox = start_sandbox(folders, previous.and_then(|c| c.sandbox_port)).await?;

        let connection = Connection {
            id: previous.map_or_else(Connection::new_id, |c| c.id.clone()),
            name: previous.map_or_else(|| "Sandbox".to_owned(), |c| c.name.clone()),
            kind: ConnectionKind::Sandbox,
            organization: sandbox.organization().to_owned(),
            partition_global_id: sandbox.partition_global_id(),
            admin_client_id: sandbox.admin_client_id().to_owned(),
            sandbox_port: Some(sandbox.addr().port()),
            host: None,
            signed_in: false,
        };
        if previous != Some(&connection) {
            match saved.iter_mut().find(|c| c.id == connection.id) {
                Some(entry) => *entry = connection.clone(),
                None => saved.insert(0, connection.clone()),
            }
            store.save(&saved)?;
        }

        let account = connection.secret_account();
        let secret = match keychain.read(&account).await? {
            Some(secret) => secret,
            None => {
                let secret = sandbox.issue_admin_secret().map_err(sandbox_error)?;
                keychain.write(&account, &secret).await?;
                tracing::info!(connection = %connection.id, "stored new sandbox admin credentials in the keychain");
                secret
            }
        };

        let endpoint = Endpoint {
            identity_url: sandbox
                .identity_url()
                .parse()
                .map_err(|_| Error::Server("The sandbox reported an unusable URL.".into()))?,
            partition_global_id: connection.partition_global_id,
        };
        let credentials = ClientCredentials {
            client_id: connection.admin_client_id.clone(),
            client_secret: secret,
        };
        Ok(Self {
            client: UiPathClient::new(registrar_core::http::client()?, endpoint, credentials),
            connection,
            sandbox: Mutex::new(Some(sandbox)),
            catalog: Mutex::new(None),
            held: Mutex::new(HashMap::new()),
        })
    }

    /// The server's scope catalog, read once per session.
    pub async fn catalog(&self) -> Result<Arc<Vec<CatalogResource>>> {
        let mut cached = self.catalog.lock().await;
        if let Some(catalog) = cached.as_ref() {
            return Ok(catalog.clone());
        }
        let catalog = Arc::new(self.client.catalog().await?);
        *cached = Some(catalog.clone());
        Ok(catalog)
    }

    /// Keeps `value` as the app's newest secret (replacing an older one).
    pub async fn hold_secret(&self, app_id: &str, secret_id: Option<i64>, value: &Secret) {
        let held = HeldSecret {
            secret_id,
            value: value.duplicate(),
        };
        self.held.lock().await.insert(app_id.to_owned(), held);
    }

    /// The app's newest secret, if this session generated it.
    pub async fn held_secret(&self, app_id: &str) -> Option<Secret> {
        self.held
            .lock()
            .await
            .get(app_id)
            .map(|h| h.value.duplicate())
    }

    pub async fn holds_secret(&self, app_id: &str) -> bool {
        self.held.lock().await.contains_key(app_id)
    }

    /// Drops the held value once its secret (or the whole app, `None`) is deleted.
    pub async fn forget_secret(&self, app_id: &str, secret_id: Option<i64>) {
        let mut held = self.held.lock().await;
        if secret_id.is_none() || held.get(app_id).is_some_and(|h| h.secret_id == secret_id) {
            held.remove(app_id);
        }
    }

    /// Stops the embedded server, letting it close its database cleanly.
    pub async fn close(&self) {
        if let Some(sandbox) = self.sandbox.lock().await.take() {
            sandbox.shutdown().await;
        }
    }
}

/// Starts the sandbox on the port it had, so its URLs stay stable; if that port is taken now, on
/// any free one.
async fn start_sandbox(folders: &Folders, port: Option<u16>) -> Result<Sandbox> {
    let config = |port: u16| SandboxConfig {
        db_path: folders.data.join("sandbox.sqlite3"),
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        organization: "sandbox".to_owned(),
    };
    if let Some(port) = port {
        match Sandbox::start(config(port)).await {
            Ok(sandbox) => return Ok(sandbox),
            Err(e) => {
                tracing::warn!("the sandbox could not reuse port {port} ({e}); taking a free one")
            }
        }
    }
    Sandbox::start(config(0)).await.map_err(sandbox_error)
}

fn sandbox_error(error: SandboxError) -> Error {
    Error::Storage(format!("The embedded sandbox could not start: {error}"))
}
