//! What the commands work with once the app has started: the saved connections, the one chosen
//! with its API client, and the embedded sandbox server. Plain Rust, no Tauri types.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use std::sync::RwLock;

use registrar_core::admin::{self, AdminCredential};
use registrar_core::connections::{Connection, ConnectionKind, ConnectionStore, Saved};
use registrar_core::dynamic;
use registrar_core::keychain::Keychain;
use registrar_core::model::{CatalogResource, Field};
use registrar_core::provider::{Features, Provider};
use registrar_core::{Error, Result, Secret};
use registrar_sandbox::{Sandbox, SandboxConfig, SandboxError};
use tokio::sync::{oneshot, Mutex};
use url::Url;
use uuid::Uuid;

/// Where the app keeps its files.
#[derive(Debug, Clone)]
pub struct Folders {
    pub config: PathBuf,
    pub data: PathBuf,
}

/// One connection at work: its API client, its scope catalog (read once) and the secrets this
/// run generated for its apps.
#[derive(Debug)]
pub struct Session {
    pub connection: Connection,
    pub client: Provider,
    catalog: Mutex<Option<Arc<Vec<CatalogResource>>>>,
    held: Mutex<HashMap<String, HeldSecret>>,
}

/// The admin credential given with a new or edited connection.
#[derive(Debug)]
pub enum GivenCredential {
    /// The admin app's client secret; `None` keeps the saved one (when editing).
    ClientSecret(Option<Secret>),
    /// Sign in through the browser; `again` even while a sign-in is kept for the same server.
    SignIn { again: bool },
    /// An OAuth server's initial access token; `None` keeps the saved one (when editing).
    InitialAccessToken(Option<Secret>),
}

/// The value of an app's newest secret, kept in memory only (never on disk) from the moment it was
/// generated until the app closes, so it can go into a handoff sheet, be verified or be copied.
#[derive(Debug)]
struct HeldSecret {
    secret_id: Option<i64>,
    value: Secret,
}

/// Every connection the window can work on: the saved list, the embedded sandbox, and the one
/// chosen now. A connection once opened stays open (with the secrets it holds) until the app
/// closes or the connection is edited, so switching back and forth loses nothing.
#[derive(Debug)]
pub struct Workspace {
    store: ConnectionStore,
    keychain: Keychain,
    http: reqwest::Client,
    sandbox: Mutex<Option<Sandbox>>,
    sandbox_id: String,
    /// Serializes changes to the saved list: each one reads, changes and writes the whole file.
    edits: Mutex<()>,
    opened: Mutex<HashMap<String, Arc<Session>>>,
    current: RwLock<Arc<Session>>,
    /// Why the window did not open on the connection chosen last time, if it did not.
    notice: Option<String>,
}

impl Workspace {
    /// Starts the sandbox (creating its connection and admin credentials on first start) and
    /// opens the connection chosen last time. If that one cannot be opened, the window opens on
    /// the sandbox and [`Workspace::notice`] says why.
    pub async fn open(folders: &Folders, keychain: Keychain) -> Result<Self> {
        let store = ConnectionStore::new(folders.config.join("connections.json"));
        let lock = store.lock().await?;
        let mut saved = store.load()?;
        let previous = saved
            .connections
            .iter()
            .find(|c| c.kind == ConnectionKind::Sandbox);
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
            issuer: None,
            open_registration: false,
            sign_in_port: None,
        };
        if previous != Some(&connection) {
            match saved.connections.iter_mut().find(|c| c.id == connection.id) {
                Some(entry) => *entry = connection.clone(),
                None => saved.connections.insert(0, connection.clone()),
            }
            store.save(&saved)?;
        }
        drop(lock);

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

        let http = registrar_core::http::client()?;
        let sandbox_session = Arc::new(Session::new(
            Provider::UiPath(admin::with_secret(http.clone(), &connection, secret)?),
            connection.clone(),
        ));
        let mut opened = HashMap::from([(connection.id.clone(), sandbox_session.clone())]);
        let mut notice = None;
        let current = match saved.chosen() {
            Some(chosen) if chosen.id != connection.id => {
                match admin::open(http.clone(), &keychain, &store, chosen).await {
                    Ok(client) => {
                        let session = Arc::new(Session::new(client, chosen.clone()));
                        opened.insert(chosen.id.clone(), session.clone());
                        session
                    }
                    Err(e) => {
                        tracing::warn!(connection = %chosen.id, "could not open the chosen connection: {e}");
                        notice = Some(format!(
                            "\u{201c}{}\u{201d} could not be opened, so the sandbox is shown. {e}",
                            chosen.name
                        ));
                        sandbox_session
                    }
                }
            }
            _ => sandbox_session,
        };

        Ok(Self {
            store,
            keychain,
            http,
            sandbox: Mutex::new(Some(sandbox)),
            sandbox_id: connection.id,
            edits: Mutex::new(()),
            opened: Mutex::new(opened),
            current: RwLock::new(current),
            notice,
        })
    }

    /// Why the window opened on the sandbox instead of the connection chosen last time, while it
    /// still works on the sandbox.
    pub fn notice(&self) -> Option<String> {
        let on_sandbox = self.current().connection.id == self.sandbox_id;
        self.notice.clone().filter(|_| on_sandbox)
    }

    /// The connection the window works on now.
    pub fn current(&self) -> Arc<Session> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn saved(&self) -> Result<Saved> {
        self.store.load()
    }

    /// Works on connection `id` from now on, and remembers the choice for the next start.
    pub async fn select(&self, id: &str) -> Result<Arc<Session>> {
        let _edit = self.edits.lock().await;
        let connection = self
            .store
            .load()?
            .get(id)
            .cloned()
            .ok_or_else(|| gone(id))?;
        // Opening may wait on the network: the file is locked only to record the choice.
        let session = self.session_for(&connection).await?;
        let lock = self.store.lock().await?;
        let mut saved = self.store.load()?;
        if saved.get(id) != Some(&connection) {
            return Err(Error::Conflict(format!(
                "\u{201c}{}\u{201d} was changed or removed meanwhile (perhaps from the command \
                 line). Open the connections again.",
                connection.name
            )));
        }
        saved.selected = Some(connection.id.clone());
        self.store.save(&saved)?;
        drop(lock);
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = session.clone();
        Ok(session)
    }

    /// Saves `connection` (its credential already proven) and works on it from now on. An edit
    /// is saved only if the connection is still what it was when the edit began (`previous`),
    /// and a new one only if its id is new. The credential is written to the keychain before the
    /// file, and the other kind's entry removed only after it, so a failure at any step leaves a
    /// saved connection with the credential it names.
    async fn save(
        &self,
        connection: Connection,
        previous: Option<&Connection>,
        credential: Option<AdminCredential>,
    ) -> Result<Arc<Session>> {
        let _edit = self.edits.lock().await;
        let lock = self.store.lock().await?;
        let mut saved = self.store.load()?;
        if saved.get(&connection.id) != previous {
            return Err(Error::Conflict(format!(
                "\u{201c}{}\u{201d} was changed or removed meanwhile (perhaps from the command \
                 line); nothing was saved. Open the connections again.",
                connection.name
            )));
        }
        saved.check(&connection)?;
        if let Some(credential) = &credential {
            credential.keep(&self.keychain, &connection).await?;
        }
        match saved.connections.iter_mut().find(|c| c.id == connection.id) {
            Some(entry) => *entry = connection.clone(),
            None => saved.connections.push(connection.clone()),
        }
        saved.selected = Some(connection.id.clone());
        self.store.save(&saved)?;
        drop(lock);
        if let Some(credential) = &credential {
            if let Err(e) = credential.discard_unused(&self.keychain, &connection).await {
                tracing::warn!(connection = %connection.id, "could not remove an unused keychain entry: {e}");
            }
        }
        self.opened.lock().await.remove(&connection.id);
        let session = self.session_for(&connection).await?;
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = session.clone();
        Ok(session)
    }

    /// Saves a new (`id` none) or edited connection once its credential is proven: a given
    /// secret gets a token; an edit without a secret re-checks the kept one, only while the
    /// server and admin app stay the same (a kept secret never goes to a newly typed host); a
    /// sign-in goes through `open_browser`, unless the admin is still signed in to the same server
    /// and app, and ends without saving when `cancel` fires while the browser is awaited. The
    /// organization's GUID is the given one, else the token's, else the one saved for the same
    /// server. Nothing is saved unless all of this works.
    pub async fn save_connection(
        &self,
        id: Option<String>,
        mut draft: Connection,
        given: GivenCredential,
        organization_id: Option<Uuid>,
        open_browser: impl FnOnce(&Url),
        cancel: oneshot::Receiver<()>,
    ) -> Result<Arc<Session>> {
        let saved = self.store.load()?;
        let previous = match &id {
            Some(id) => Some(saved.get(id).cloned().ok_or_else(|| gone(id))?),
            None => None,
        };
        draft.id = id.unwrap_or_else(Connection::new_id);
        if draft.kind == ConnectionKind::Sandbox
            || previous
                .as_ref()
                .is_some_and(|p| p.kind == ConnectionKind::Sandbox)
        {
            return Err(Error::InvalidInput {
                field: None,
                message: "The sandbox connection is set up by Registrar and cannot be edited."
                    .into(),
            });
        }
        let url = saved.check(&draft)?;
        if let Some(previous) = previous
            .as_ref()
            .filter(|p| p.kind == ConnectionKind::OauthServer)
        {
            let moved = draft.kind != ConnectionKind::OauthServer
                || previous.identity_url().ok().as_ref() != Some(&url);
            let registered = match moved {
                true => dynamic::registered_count(&self.store.clients_path(&previous.id))?,
                false => 0,
            };
            if registered > 0 {
                return Err(Error::invalid(
                    Field::Issuer,
                    format!(
                        "{registered} clients were registered through this connection at {}, \
                         and it holds what manages them there. Keep that issuer, and add a new \
                         connection for another server.",
                        previous.issuer.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
        if draft.kind == ConnectionKind::OauthServer {
            return self.save_oauth_server(draft, previous, given, &url).await;
        }
        let same_server = previous.as_ref().filter(|p| {
            p.admin_client_id == draft.admin_client_id && p.identity_url().ok() == Some(url.clone())
        });
        let (credential, named, signed_in) = match given {
            GivenCredential::ClientSecret(Some(secret)) => {
                let named =
                    admin::check_secret(&self.http, &url, &draft.admin_client_id, &secret).await?;
                (Some(AdminCredential::ClientSecret(secret)), named, false)
            }
            GivenCredential::ClientSecret(None) => {
                let kept = match same_server.filter(|p| !p.signed_in) {
                    Some(p) => self.keychain.read(&p.secret_account()).await?,
                    None => None,
                };
                let kept = kept.ok_or_else(|| {
                    Error::invalid(Field::ClientSecret, "Give the admin app's client secret.")
                })?;
                let named =
                    admin::check_secret(&self.http, &url, &draft.admin_client_id, &kept).await?;
                (None, named, false)
            }
            GivenCredential::InitialAccessToken(_) => {
                return Err(Error::invalid(
                    Field::ClientSecret,
                    "An initial access token is for an OAuth 2.0 server (RFC 7591): give the \
                     admin app's secret, or sign in.",
                ))
            }
            GivenCredential::SignIn { again } => match same_server.filter(|p| p.signed_in) {
                Some(_) if !again => (None, None, true),
                _ => {
                    draft.partition_global_id = organization_id.unwrap_or_default();
                    let signed = tokio::select! {
                        signed = admin::sign_in(&self.http, &draft, open_browser, admin::SIGN_IN_WAIT) => signed?,
                        Ok(()) = cancel => {
                            return Err(Error::InvalidInput {
                                field: None,
                                message: "The sign-in was cancelled; nothing was saved.".into(),
                            });
                        }
                    };
                    (Some(signed.0), signed.1, true)
                }
            },
        };
        draft.issuer = None;
        let known = same_server.map(|p| p.partition_global_id);
        draft.partition_global_id = admin::organization(organization_id, named.or(known))?;
        draft.signed_in = signed_in;
        draft.sandbox_port = None;
        self.save(draft, previous.as_ref(), credential).await
    }

    /// Saves an OAuth server's connection once its metadata shows it takes registrations. Its
    /// credential is the initial access token given, or the one kept while the issuer stays
    /// the same (the server can check a token only by registering a client), or none for open
    /// registration. A new token replaces the kept one and keeps the clients registered.
    async fn save_oauth_server(
        &self,
        draft: Connection,
        previous: Option<Connection>,
        given: GivenCredential,
        issuer: &Url,
    ) -> Result<Arc<Session>> {
        let same_server = previous.as_ref().filter(|p| {
            p.kind == ConnectionKind::OauthServer && p.identity_url().ok().as_ref() == Some(issuer)
        });
        let credential =
            match given {
                _ if draft.open_registration => None,
                GivenCredential::InitialAccessToken(Some(token))
                    if !token.expose().trim().is_empty() =>
                {
                    Some(AdminCredential::InitialAccessToken(token))
                }
                GivenCredential::InitialAccessToken(_) => {
                    let kept = match same_server {
                        Some(p) => {
                            self.keychain
                                .read(&p.initial_access_token_account())
                                .await?
                        }
                        None => None,
                    };
                    if kept.is_none() {
                        return Err(Error::invalid(
                            Field::InitialAccessToken,
                            "Give the initial access token the server's administrator issued for \
                         registering clients.",
                        ));
                    }
                    None
                }
                _ => return Err(Error::invalid(
                    Field::InitialAccessToken,
                    "An OAuth 2.0 server registers clients with an initial access token: give it.",
                )),
            };
        admin::check_server(&self.http, issuer).await?;
        let server = Connection {
            open_registration: draft.open_registration,
            ..Connection::oauth_server(draft.id, draft.name, issuer.to_string())
        };
        let session = self.save(server, previous.as_ref(), credential).await?;
        if session.connection.open_registration {
            // A token kept from before would only linger: open registration sends none.
            let account = session.connection.initial_access_token_account();
            if let Err(e) = self.keychain.delete(&account).await {
                tracing::warn!("could not remove an unused initial access token: {e}");
            }
        }
        Ok(session)
    }

    /// Forgets connection `id` and its keychain entries; the sandbox cannot be removed. When it
    /// was the current connection, the window goes back to the sandbox.
    pub async fn remove(&self, id: &str) -> Result<()> {
        let _edit = self.edits.lock().await;
        if id == self.sandbox_id {
            return Err(Error::InvalidInput {
                field: None,
                message: "The sandbox is built in and cannot be removed.".into(),
            });
        }
        let lock = self.store.lock().await?;
        let mut saved = self.store.load()?;
        let connection = saved.get(id).cloned().ok_or_else(|| gone(id))?;
        saved.connections.retain(|c| c.id != id);
        if saved.selected.as_deref() == Some(id) {
            saved.selected = Some(self.sandbox_id.clone());
        }
        self.store.save(&saved)?;
        drop(lock);
        self.opened.lock().await.remove(id);
        if self.current().connection.id == id {
            let sandbox = self.opened.lock().await.get(&self.sandbox_id).cloned();
            if let Some(sandbox) = sandbox {
                *self
                    .current
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = sandbox;
            }
        }
        // The connection is gone from the file and the window; its entries go last.
        admin::forget(&self.keychain, &self.store, &connection).await
    }

    /// The open session of `connection`, opening it if need be.
    async fn session_for(&self, connection: &Connection) -> Result<Arc<Session>> {
        if let Some(session) = self.opened.lock().await.get(&connection.id) {
            return Ok(session.clone());
        }
        // Opened without holding the map: opening may wait on the network (an OAuth server's
        // metadata), and the connection list reads the map meanwhile.
        let client =
            admin::open(self.http.clone(), &self.keychain, &self.store, connection).await?;
        let session = Arc::new(Session::new(client, connection.clone()));
        Ok(self
            .opened
            .lock()
            .await
            .entry(connection.id.clone())
            .or_insert(session)
            .clone())
    }

    /// What `connection`'s server cannot do: as its open session knows it, else as its kind
    /// says.
    pub async fn features(&self, connection: &Connection) -> Features {
        match self.opened.lock().await.get(&connection.id) {
            Some(session) => session.client.features(),
            None => Features::of_kind(connection.kind),
        }
    }

    /// Stops the embedded server, letting it close its database cleanly.
    pub async fn close(&self) {
        if let Some(sandbox) = self.sandbox.lock().await.take() {
            sandbox.shutdown().await;
        }
    }
}

fn gone(id: &str) -> Error {
    Error::NotFound(format!(
        "The connection {id} is no longer saved; it may have been removed from the command line."
    ))
}

impl Session {
    fn new(client: Provider, connection: Connection) -> Self {
        Self {
            connection,
            client,
            catalog: Mutex::new(None),
            held: Mutex::new(HashMap::new()),
        }
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
}

/// Starts the sandbox on the port it had, so its URLs stay stable; if that port is taken now, on
/// any free one.
async fn start_sandbox(folders: &Folders, port: Option<u16>) -> Result<Sandbox> {
    let config = |port: u16| SandboxConfig {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        organization: "sandbox".to_owned(),
        ..SandboxConfig::new(folders.data.join("sandbox.sqlite3"))
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
