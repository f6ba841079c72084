//! The window's workspace: every connection it can work on (the saved list and the embedded
//! sandbox), the ones opened so far and the one chosen now.

use std::collections::HashMap;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::ops::Deref;
use std::sync::{Arc, PoisonError, RwLock};

use registrar_core::admin;
use registrar_core::alerts::{self, Alert};
use registrar_core::connections::{Connection, ConnectionKind, ConnectionStore, Saved};
use registrar_core::expiry::{self, Row};
use registrar_core::keychain::Keychain;
use registrar_core::manifest::ManifestApp;
use registrar_core::model::Scope;
use registrar_core::provider::{Features, Provider};
use registrar_core::{Error, Result};
use registrar_sandbox::{Sandbox, SandboxConfig, SandboxError};
use time::OffsetDateTime;
use tokio::sync::Mutex;
use url::Url;

use crate::connections::{gone, Change, Connections, SignInWith};
use crate::folders::Folders;
use crate::session::{About, Applied, Records, Session};

/// What copying an app to another connection would register there.
#[derive(Debug, Clone)]
pub struct CopyPlan {
    pub target: Connection,
    /// The app as it would be registered (its secret policy included).
    pub wanted: ManifestApp,
    /// Its scopes the target does not offer: left out only when the admin says so.
    pub not_offered: Vec<Scope>,
    /// The App ID of the target's app of the same name, which a copy does not overwrite.
    pub existing: Option<String>,
}

/// A saved connection with its session.
#[derive(Debug)]
pub struct Opened {
    pub connection: Connection,
    session: Session,
}

impl Deref for Opened {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

/// A connection once opened stays open (with the secrets it holds) until the app closes or the
/// connection is edited, so switching back and forth loses nothing.
#[derive(Debug)]
pub struct Workspace {
    connections: Connections,
    sandbox: Mutex<Option<Sandbox>>,
    sandbox_id: String,
    opened: Mutex<HashMap<String, Arc<Opened>>>,
    current: RwLock<Arc<Opened>>,
    /// Why the window did not open on the connection chosen last time, if it did not.
    notice: Option<String>,
}

impl Workspace {
    /// Starts the sandbox (creating its connection and admin credentials on first start) and
    /// opens the connection chosen last time. If that one cannot be opened, the workspace opens
    /// on the sandbox and [`Workspace::notice`] says why.
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
        let sandbox_session = Arc::new(Opened {
            session: Session::new(
                Provider::UiPath(admin::with_secret(http.clone(), &connection, secret)?),
                About::from(&connection),
                Records::beside(&store),
            ),
            connection: connection.clone(),
        });
        let connections = Connections::new(store, keychain, http);
        let mut opened = HashMap::from([(connection.id.clone(), sandbox_session.clone())]);
        let mut notice = None;
        let current = match saved.chosen() {
            Some(chosen) if chosen.id != connection.id => match connections.open(chosen).await {
                Ok(session) => {
                    let session = Arc::new(Opened {
                        connection: chosen.clone(),
                        session,
                    });
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
            },
            _ => sandbox_session,
        };

        Ok(Self {
            connections,
            sandbox: Mutex::new(Some(sandbox)),
            sandbox_id: connection.id,
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
    pub fn current(&self) -> Arc<Opened> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn make_current(&self, session: Arc<Opened>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = session;
    }

    /// The audit trail and the dismissed findings, kept beside the connection list.
    pub fn records(&self) -> Records {
        self.connections.records()
    }

    pub fn saved(&self) -> Result<Saved> {
        self.connections.saved()
    }

    /// Works on connection `id` from now on, and remembers the choice for the next start.
    pub async fn select(&self, id: &str) -> Result<Arc<Opened>> {
        let saved = self.connections.saved()?;
        let connection = saved.get(id).ok_or_else(|| gone(id))?;
        // Opening may wait on the network: the file is locked only to record the choice.
        let session = self.session_for(connection).await?;
        self.connections.choose(connection).await?;
        self.make_current(session.clone());
        Ok(session)
    }

    /// Saves a new or edited connection as [`Connections::save`] does, chosen in the same write,
    /// and works on it from now on.
    pub async fn save_connection<Open, Cancel>(
        &self,
        change: Change,
        sign_in: SignInWith<Open, Cancel>,
    ) -> Result<Arc<Opened>>
    where
        Open: FnOnce(&Url),
        Cancel: Future<Output = ()>,
    {
        let saved = self.connections.save(change, sign_in, true).await?;
        self.opened.lock().await.remove(&saved.id);
        let session = self.session_for(&saved).await?;
        self.make_current(session.clone());
        Ok(session)
    }

    /// Forgets connection `id` and its keychain entries, as [`Connections::remove`] does. When
    /// it was the current connection, the window goes back to the sandbox.
    pub async fn remove(&self, id: &str) -> Result<()> {
        self.connections.remove(id).await?;
        self.opened.lock().await.remove(id);
        if self.current().connection.id == id {
            let sandbox = self.opened.lock().await.get(&self.sandbox_id).cloned();
            if let Some(sandbox) = sandbox {
                self.make_current(sandbox);
            }
        }
        Ok(())
    }

    /// What expires, across every saved connection, soonest first within each: each
    /// connection's apps read whole, or why that connection could not be read.
    pub async fn expiring(
        &self,
        now: OffsetDateTime,
    ) -> Result<Vec<(Connection, Result<Vec<Row>>)>> {
        let mut found = Vec::new();
        for connection in self.saved()?.connections {
            let rows = match self.session_for(&connection).await {
                Ok(opened) => opened
                    .list_whole_apps()
                    .await
                    .map(|apps| expiry::rows(&apps, now)),
                Err(e) => Err(e),
            };
            found.push((connection, rows));
        }
        Ok(found)
    }

    /// The expiries, across every saved connection that could be read, that reached one of
    /// `days` before (or passed) since they were last notified; remembered as notified now.
    pub async fn new_alerts(&self, days: &[u32], now: OffsetDateTime) -> Result<Vec<Alert>> {
        let mut reached = Vec::new();
        for (connection, rows) in self.expiring(now).await? {
            match rows {
                Ok(rows) => {
                    let named = (connection.id.as_str(), connection.name.as_str());
                    reached.extend(alerts::reached(named, &rows, now, days));
                }
                Err(e) => tracing::warn!(
                    connection = %connection.name,
                    "could not check for expiring secrets: {e}"
                ),
            }
        }
        self.records().notified.take_new(reached).await
    }

    /// What copying the current connection's app `app_id` to connection `target_id` would
    /// register there, and what stands in its way.
    pub async fn plan_copy(&self, app_id: &str, target_id: &str) -> Result<CopyPlan> {
        let source = self.current();
        let saved = self.connections.saved()?;
        let target = saved.get(target_id).ok_or_else(|| gone(target_id))?;
        if target.id == source.connection.id {
            return Err(Error::InvalidInput {
                field: None,
                message: "Choose another connection than the one the app is on.".into(),
            });
        }
        let app = source.get_app(app_id).await?;
        let opened = self.session_for(target).await?;
        let catalog = opened.catalog().await?;
        let wanted = ManifestApp::of(&app, false);
        let not_offered = wanted.not_offered(&catalog);
        let listed = opened.list_apps().await?;
        let existing = listed
            .into_iter()
            .find(|a| a.name == app.name)
            .map(|a| a.id);
        Ok(CopyPlan {
            target: target.clone(),
            wanted,
            not_offered,
            existing,
        })
    }

    /// Registers a copy of the current connection's app `app_id` on connection `target_id`, its
    /// new secret held there; refused while an app of that name is there, or while the target
    /// does not offer some of its scopes, unless `leave_out_not_offered`.
    pub async fn copy_app(
        &self,
        app_id: &str,
        target_id: &str,
        leave_out_not_offered: bool,
        now: OffsetDateTime,
    ) -> Result<(Connection, Applied)> {
        let plan = self.plan_copy(app_id, target_id).await?;
        let target_name = &plan.target.name;
        if let Some(id) = &plan.existing {
            return Err(Error::Conflict(format!(
                "\u{201c}{target_name}\u{201d} has an app named \u{201c}{}\u{201d} already (App ID \
                 {id}): nothing was copied. Rename one of them first.",
                plan.wanted.name
            )));
        }
        if !plan.not_offered.is_empty() && !leave_out_not_offered {
            let names: Vec<&str> = plan.not_offered.iter().map(|s| s.name.as_str()).collect();
            return Err(Error::InvalidInput {
                field: None,
                message: format!(
                    "\u{201c}{target_name}\u{201d} does not offer {}: nothing was copied. Copy \
                     without them, or register the app there by hand.",
                    names.join(", ")
                ),
            });
        }
        let opened = self.session_for(&plan.target).await?;
        let catalog = opened.catalog().await?;
        let change = plan.wanted.without(&plan.not_offered).create(&catalog)?;
        let applied = opened.apply(&change, now).await?;
        Ok((plan.target, applied))
    }

    /// The open session of `connection`, opening it if need be.
    async fn session_for(&self, connection: &Connection) -> Result<Arc<Opened>> {
        if let Some(session) = self.opened.lock().await.get(&connection.id) {
            return Ok(session.clone());
        }
        // Opened without holding the map: opening may wait on the network (an OAuth server's
        // metadata), and the connection list reads the map meanwhile.
        let session = Arc::new(Opened {
            session: self.connections.open(connection).await?,
            connection: connection.clone(),
        });
        Ok(self
            .opened
            .lock()
            .await
            .entry(connection.id.clone())
            .or_insert(session)
            .clone())
    }

    /// The way back after the admin deleted the sandbox's admin app or its last secret: gives
    /// that app a fresh secret (re-creating it, same App ID, if it is gone), keeps the secret in
    /// the keychain in place of the old one, and opens the sandbox connection anew with it.
    pub async fn renew_sandbox_admin(&self) -> Result<Arc<Opened>> {
        let saved = self.connections.saved()?;
        let connection = saved
            .get(&self.sandbox_id)
            .ok_or_else(|| gone(&self.sandbox_id))?
            .clone();
        let secret = match self.sandbox.lock().await.as_ref() {
            Some(sandbox) => sandbox.issue_admin_secret().map_err(sandbox_error)?,
            None => return Err(Error::Storage("The embedded sandbox has stopped.".into())),
        };
        self.connections
            .keychain()
            .write(&connection.secret_account(), &secret)
            .await?;
        let session = Arc::new(Opened {
            session: self.connections.open(&connection).await?,
            connection,
        });
        self.opened
            .lock()
            .await
            .insert(self.sandbox_id.clone(), session.clone());
        if self.current().connection.id == self.sandbox_id {
            self.make_current(session.clone());
        }
        tracing::info!("renewed the sandbox's admin credentials");
        Ok(session)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use registrar_core::connections::{Connection, ConnectionKind};
    use registrar_core::keychain::Keychain;
    use uuid::Uuid;

    use super::*;
    use crate::connections::GivenCredential;

    fn keychain() -> Keychain {
        Keychain::with_store(
            keyring_core::mock::Store::new().unwrap(),
            "registrar-unit".into(),
        )
    }

    /// The embedded sandbox as an Automation Suite server, typed with blanks around each field.
    fn suite_draft(workspace: &Workspace, name: &str) -> Connection {
        let saved = workspace.saved().unwrap();
        let sandbox = saved
            .connections
            .iter()
            .find(|c| c.kind == ConnectionKind::Sandbox)
            .unwrap();
        Connection {
            id: String::new(),
            name: format!("  {name} "),
            kind: ConnectionKind::AutomationSuite,
            organization: format!(" {} ", sandbox.organization),
            partition_global_id: Uuid::nil(),
            admin_client_id: format!(" {} ", sandbox.admin_client_id),
            sandbox_port: None,
            host: Some(format!(" {} ", sandbox_origin(workspace))),
            signed_in: false,
            issuer: None,
            open_registration: false,
            sign_in_port: None,
        }
    }

    fn sandbox_origin(workspace: &Workspace) -> String {
        let saved = workspace.saved().unwrap();
        let sandbox = saved.connections.first().unwrap();
        format!("http://127.0.0.1:{}", sandbox.sandbox_port.unwrap())
    }

    /// Saves the sandbox as a Suite connection named `name`, with the sandbox's admin secret
    /// given, or kept when `given` is false.
    async fn save_suite(workspace: &Workspace, name: &str, given: bool) -> Result<Arc<Opened>> {
        let saved = workspace.saved().unwrap();
        let account = saved.connections.first().unwrap().secret_account();
        let keychain = workspace.connections.keychain();
        let secret = keychain.read(&account).await.unwrap().filter(|_| given);
        let change = Change {
            id: None,
            draft: suite_draft(workspace, name),
            given: GivenCredential::ClientSecret(secret),
            organization_id: None,
        };
        workspace.save_connection(change, SignInWith::none()).await
    }

    async fn open(dir: &tempfile::TempDir, keychain: Keychain) -> Workspace {
        let folders = Folders {
            config: dir.path().join("config"),
            data: dir.path().join("data"),
        };
        Workspace::open(&folders, keychain).await.unwrap()
    }

    #[tokio::test]
    async fn a_saved_connection_is_tidied_chosen_and_still_chosen_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let keychain = keychain();
        let workspace = open(&dir, keychain.clone()).await;
        assert_eq!(workspace.current().connection.kind, ConnectionKind::Sandbox);
        let saved = save_suite(&workspace, "Staging", true).await.unwrap();
        assert_eq!(saved.connection.name, "Staging");
        assert_eq!(saved.connection.host, Some(sandbox_origin(&workspace)));
        assert!(!saved.connection.admin_client_id.starts_with(' '));
        assert!(!saved.connection.organization.starts_with(' '));
        assert!(Arc::ptr_eq(&workspace.current(), &saved));
        assert!(!saved.client.list_apps().await.unwrap().is_empty());

        let duplicate = save_suite(&workspace, "staging", false).await.unwrap_err();
        assert!(
            duplicate.to_string().contains("already named"),
            "{duplicate}"
        );

        workspace.close().await;
        drop(workspace);
        let again = open(&dir, keychain).await;
        assert_eq!(again.current().connection, saved.connection);
        again.close().await;
    }

    #[tokio::test]
    async fn removing_the_chosen_connection_goes_back_to_the_sandbox_and_forgets_its_secret() {
        let dir = tempfile::tempdir().unwrap();
        let keychain = keychain();
        let workspace = open(&dir, keychain.clone()).await;
        let sandbox_id = workspace.current().connection.id.clone();
        let saved = save_suite(&workspace, "Staging", true).await.unwrap();
        let account = saved.connection.secret_account();
        assert!(keychain.read(&account).await.unwrap().is_some());

        workspace.remove(&saved.connection.id).await.unwrap();
        assert_eq!(workspace.current().connection.id, sandbox_id);
        let file = workspace.saved().unwrap();
        assert_eq!(file.selected.as_deref(), Some(sandbox_id.as_str()));
        assert!(file.get(&saved.connection.id).is_none());
        assert!(keychain.read(&account).await.unwrap().is_none());

        let refused = workspace.remove(&sandbox_id).await.unwrap_err();
        assert!(
            refused.to_string().contains("cannot be removed"),
            "{refused}"
        );
        workspace.close().await;
    }

    /// Deleting the sandbox's own admin app locks the window out; renewing its credentials
    /// brings the app back (same App ID) with a secret the keychain keeps, and the window works.
    #[tokio::test]
    async fn the_sandbox_admin_credentials_are_renewed_after_a_lockout() {
        let dir = tempfile::tempdir().unwrap();
        let keychain = keychain();
        let workspace = open(&dir, keychain.clone()).await;
        let sandbox = workspace.current();
        let admin_id = sandbox.connection.admin_client_id.clone();
        let account = sandbox.connection.secret_account();
        let before = keychain.read(&account).await.unwrap().unwrap();
        let name = sandbox.get_app(&admin_id).await.unwrap().name;
        sandbox.delete_app(&admin_id, &name, true).await.unwrap();
        let locked_out = workspace
            .connections
            .open(&sandbox.connection)
            .await
            .unwrap()
            .list_apps()
            .await
            .unwrap_err();
        assert!(
            matches!(locked_out, Error::Unauthorized(_)),
            "{locked_out:?}"
        );

        let renewed = workspace.renew_sandbox_admin().await.unwrap();

        assert!(Arc::ptr_eq(&renewed, &workspace.current()));
        let apps = renewed.list_apps().await.unwrap();
        assert!(apps.iter().any(|app| app.id == admin_id), "{apps:?}");
        let after = keychain.read(&account).await.unwrap().unwrap();
        assert_ne!(after.expose(), before.expose());
        workspace.close().await;
    }

    /// An app registered with an expiry for its first secret holds only a secret with that
    /// expiry, and that is the one held; without one, it keeps the server's.
    #[tokio::test]
    async fn the_first_secret_expires_as_asked_at_registration() {
        use registrar_core::draft::AppDraft;
        use registrar_core::model::{AppType, Scope, ScopeType};

        use crate::rules::{self, SecretRequest};

        let dir = tempfile::tempdir().unwrap();
        let workspace = open(&dir, keychain()).await;
        let session = workspace.current();
        let draft = |name: &str| AppDraft {
            name: name.into(),
            app_type: AppType::Confidential,
            redirect_uris: Vec::new(),
            scopes: vec![Scope::new("OR.Jobs.Read", ScopeType::Application)],
        };
        let now = time::OffsetDateTime::now_utc();
        let on = rules::days_from_today(30);
        let request = SecretRequest {
            description: Some("Created with the app".into()),
            expires_on: Some(on),
        };
        let expiring = session
            .register_with_secret(draft("Expiring"), Some(request), now)
            .await
            .unwrap();
        let on_server = session.client.get_app(&expiring.app.id).await.unwrap();
        let [first] = on_server.secrets.as_slice() else {
            panic!("one secret: {:?}", on_server.secrets);
        };
        assert_eq!(first.expires, Some(rules::end_of_day(on).unwrap()));
        assert_eq!(
            session.held_secret_id(&expiring.app.id).await,
            Some(Some(first.id))
        );
        let held = session.require_held_secret(&expiring.app.id).await.unwrap();
        assert_eq!(held.expose(), expiring.secret.unwrap().expose());

        let never = session
            .register_with_secret(draft("Never"), None, now)
            .await
            .unwrap();
        let on_server = session.client.get_app(&never.app.id).await.unwrap();
        assert_eq!(on_server.secrets.len(), 1);
        assert_eq!(on_server.secrets[0].expires, None);
        workspace.close().await;
    }

    #[tokio::test]
    async fn a_session_holds_new_secrets_and_deletes_an_app_only_by_its_exact_name() {
        use registrar_core::draft::AppDraft;
        use registrar_core::model::{AppType, Scope, ScopeType};

        use crate::rules::SecretRequest;

        let dir = tempfile::tempdir().unwrap();
        let workspace = open(&dir, keychain()).await;
        let session = workspace.current();
        let draft = AppDraft {
            name: "Billing sync".into(),
            app_type: AppType::Confidential,
            redirect_uris: Vec::new(),
            scopes: vec![Scope::new("OR.Jobs.Read", ScopeType::Application)],
        };
        let id = session.register(draft).await.unwrap().app.id;
        assert!(session.held_secret_id(&id).await.is_some());

        let now = time::OffsetDateTime::now_utc();
        let undescribed = session
            .generate_secret(&id, &SecretRequest::default(), now)
            .await
            .unwrap_err();
        assert!(
            undescribed.to_string().contains("Describe the secret"),
            "{undescribed}"
        );
        let request = SecretRequest {
            description: Some(" For CI ".into()),
            expires_on: None,
        };
        let (info, value) = session.generate_secret(&id, &request, now).await.unwrap();
        assert_eq!(info.description.as_deref(), Some("For CI"));
        let held = session.require_held_secret(&id).await.unwrap();
        assert_eq!(held.expose(), value.expose());

        let refused = session
            .delete_app(&id, "billing sync", false)
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("nothing was deleted"),
            "{refused}"
        );
        assert!(session.client.get_app(&id).await.is_ok());
        assert_eq!(
            session
                .delete_app(&id, "Billing sync", false)
                .await
                .unwrap(),
            "Billing sync"
        );
        assert!(session.held_secret_id(&id).await.is_none());
        workspace.close().await;
    }

    /// The sandbox lists apps bare, as live tenants do: a session completes them by reading each,
    /// keeps what it read for the lists that follow, and reads again an app it changed.
    #[tokio::test]
    async fn a_session_completes_bare_lists_and_reads_a_changed_app_again() {
        use futures_util::TryStreamExt;

        use crate::rules::SecretRequest;

        let dir = tempfile::tempdir().unwrap();
        let workspace = open(&dir, keychain()).await;
        let session = workspace.current();
        let listed = session.list_apps().await.unwrap();
        assert!(listed
            .iter()
            .all(|app| app.listed_only && app.secrets.is_empty()));
        let ids: Vec<String> = listed.iter().map(|app| app.id.clone()).collect();

        let read: Vec<registrar_core::model::ExternalApp> =
            session.read_apps(ids.clone()).try_collect().await.unwrap();
        assert_eq!(read.len(), ids.len());
        assert!(read
            .iter()
            .all(|app| !app.listed_only && !app.secrets.is_empty()));
        let whole = session.list_apps().await.unwrap();
        assert!(whole
            .iter()
            .all(|app| !app.listed_only && !app.secrets.is_empty()));
        assert_eq!(session.list_whole_apps().await.unwrap(), whole);

        // A secret generated for the admin app: the list no longer has the old read of it.
        let request = SecretRequest {
            description: Some("Second".into()),
            expires_on: None,
        };
        let now = time::OffsetDateTime::now_utc();
        session
            .generate_secret(&ids[0], &request, now)
            .await
            .unwrap();
        let relisted = session.list_apps().await.unwrap();
        assert!(relisted[0].listed_only);
        let completed = session.list_whole_apps().await.unwrap();
        assert_eq!(completed[0].secrets.len(), whole[0].secrets.len() + 1);
        assert!(!session.list_apps().await.unwrap()[0].listed_only);

        // Refresh: every app is read anew.
        session.forget_reads().await;
        let fresh = session.list_apps().await.unwrap();
        assert!(fresh.iter().all(|app| app.listed_only));
        workspace.close().await;
    }
}
