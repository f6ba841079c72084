//! One connection at work, from the window or the command line: its API client, its scope
//! catalog (read once), the secrets generated while it is open, and the operations both front
//! ends offer, each with the rules that go with it.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};

use registrar_core::audit::{self, Action, AuditLog, Subject};
use registrar_core::connections::{Connection, ConnectionStore};
use registrar_core::draft::AppDraft;
use registrar_core::edit::{self, AppEdit, Updated};
use registrar_core::handoff::{Sheet, SheetConnection, SheetInput};
use registrar_core::lint::{self, Dismissal, Dismissals, Finding};
use registrar_core::lockout::Guard;
use registrar_core::model::{CatalogResource, ExternalApp, SecretInfo};
use registrar_core::provider::Provider;
use registrar_core::requests::{random_state, Pkce};
use registrar_core::uipath::CreatedApp;
use registrar_core::{Error, Result, Secret};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::rules::{self, SecretRequest};

/// How the server worked on is named to people, and what it must not lose.
#[derive(Debug, Clone)]
pub struct About {
    /// The connection as the audit trail names it.
    pub connection: Subject,
    /// The connection as a handoff sheet names it.
    pub sheet: SheetConnection,
    /// Who acts through it, as a handoff sheet names its producer.
    pub admin_identity: String,
    /// What it must not lose (its own admin app), not yet accepted.
    pub lockout: Guard,
}

impl From<&Connection> for About {
    fn from(connection: &Connection) -> Self {
        Self {
            connection: Subject::connection(connection),
            sheet: SheetConnection::from(connection),
            admin_identity: connection.admin_identity(),
            lockout: Guard::for_connection(connection, false),
        }
    }
}

/// What Registrar keeps on this computer about its work, beside the connection list: the audit
/// trail and the findings the admin dismissed.
#[derive(Debug, Clone)]
pub struct Records {
    pub audit: AuditLog,
    pub dismissals: Dismissals,
}

impl Records {
    pub fn beside(store: &ConnectionStore) -> Self {
        Self {
            audit: AuditLog::new(store.audit_path()),
            dismissals: Dismissals::new(store.dismissals_path()),
        }
    }
}

/// An app's findings: those that stand, and those the admin dismissed, with why.
#[derive(Debug, Clone)]
pub struct Linted {
    pub app: ExternalApp,
    pub findings: Vec<Finding>,
    pub dismissed: Vec<(Finding, Dismissal)>,
}

impl Linted {
    fn new(
        app: ExternalApp,
        policy: &lint::Policy,
        now: OffsetDateTime,
        dismissed: &[Dismissal],
    ) -> Self {
        let (mut findings, mut set_apart) = (Vec::new(), Vec::new());
        for finding in lint::check(&app, policy, now) {
            let dismissal = dismissed
                .iter()
                .find(|d| d.app_id == app.id && d.code == finding.code);
            match dismissal {
                Some(d) => set_apart.push((finding, d.clone())),
                None => findings.push(finding),
            }
        }
        Self {
            app,
            findings,
            dismissed: set_apart,
        }
    }
}

#[derive(Debug)]
pub struct Session {
    pub client: Provider,
    pub about: About,
    records: Records,
    catalog: Mutex<Option<Arc<Vec<CatalogResource>>>>,
    held: Mutex<HashMap<String, HeldSecret>>,
    /// Apps as this session last read them one by one, for a server whose list leaves out
    /// scopes and secrets: a list shows them at once. An app Registrar changes is dropped.
    read: Mutex<HashMap<String, ExternalApp>>,
}

/// How many apps are read at once to complete a list: enough that a distant server's round
/// trips overlap (500 apps 100 ms away in about 3 s), few enough not to look like an attack.
const CONCURRENT_READS: usize = 16;

/// The value of an app's newest secret, kept in memory only (never on disk) from the moment it was
/// generated until the session ends, so it can go into a handoff sheet, be verified or be copied.
#[derive(Debug)]
struct HeldSecret {
    secret_id: Option<i64>,
    value: Secret,
}

impl Session {
    pub fn new(client: Provider, about: About, records: Records) -> Self {
        Self {
            client,
            about,
            records,
            catalog: Mutex::new(None),
            held: Mutex::new(HashMap::new()),
            read: Mutex::new(HashMap::new()),
        }
    }

    /// The lockout guard, with the admin's answer to its warning.
    pub fn guard(&self, accepted: bool) -> Guard {
        self.about.lockout.clone().accepting(accepted)
    }

    /// The apps as the server lists them, each with the scopes and secrets this session last
    /// read where the list leaves them out (still [`ExternalApp::listed_only`] where it has none).
    pub async fn list_apps(&self) -> Result<Vec<ExternalApp>> {
        let mut apps = self.client.list_apps().await?;
        let read = self.read.lock().await;
        for app in apps.iter_mut().filter(|app| app.listed_only) {
            if let Some(known) = read.get(&app.id) {
                app.scopes.clone_from(&known.scopes);
                app.secrets.clone_from(&known.secrets);
                app.listed_only = false;
            }
        }
        Ok(apps)
    }

    /// The apps with everything each has: the list, completed by reading each app it leaves
    /// incomplete. An app deleted meanwhile is left out.
    pub async fn list_whole_apps(&self) -> Result<Vec<ExternalApp>> {
        let apps = self.list_apps().await?;
        let incomplete = apps
            .iter()
            .filter(|app| app.listed_only)
            .map(|app| app.id.clone())
            .collect();
        let mut read: HashMap<String, ExternalApp> = self
            .read_apps(incomplete)
            .map_ok(|app| (app.id.clone(), app))
            .try_collect()
            .await?;
        Ok(apps
            .into_iter()
            .filter_map(|app| match app.listed_only {
                true => read.remove(&app.id),
                false => Some(app),
            })
            .collect())
    }

    /// Reads the apps `app_ids` from the server, a few at once, each as soon as it arrives;
    /// an app deleted meanwhile is left out.
    pub fn read_apps(
        &self,
        app_ids: Vec<String>,
    ) -> impl Stream<Item = Result<ExternalApp>> + Send + '_ {
        stream::iter(app_ids)
            .map(move |app_id| async move { self.get_app(&app_id).await })
            .buffer_unordered(CONCURRENT_READS)
            .filter_map(|read| async move {
                match read {
                    Err(Error::NotFound(_)) => None,
                    other => Some(other),
                }
            })
    }

    /// The app as the server has it now, kept for the lists that follow.
    pub async fn get_app(&self, app_id: &str) -> Result<ExternalApp> {
        let app = self.client.get_app(app_id).await?;
        self.read.lock().await.insert(app.id.clone(), app.clone());
        Ok(app)
    }

    /// Appends what this session changed to the audit trail. The change is done by then, on
    /// the server: a trail that cannot be written is logged, and does not undo or hide it.
    async fn record(
        &self,
        action: Action,
        app: Subject,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) {
        let change = audit::Change {
            connection: self.about.connection.clone(),
            admin: self.about.admin_identity.clone(),
            app: Some(app),
            action,
            before,
            after,
        };
        let appended = self.records.audit.append(change, OffsetDateTime::now_utc());
        if let Err(e) = appended.await {
            tracing::error!("the audit trail missed a change: {e}");
        }
    }

    /// Every app's findings under `policy`, read whole, with those dismissed for this
    /// connection set apart.
    pub async fn lint(&self, policy: &lint::Policy, now: OffsetDateTime) -> Result<Vec<Linted>> {
        let dismissed = self.dismissed()?;
        let apps = self.list_whole_apps().await?;
        Ok(apps
            .into_iter()
            .map(|app| Linted::new(app, policy, now, &dismissed))
            .collect())
    }

    /// One app's findings under `policy`, as the server has the app now.
    pub async fn lint_app(
        &self,
        app_id: &str,
        policy: &lint::Policy,
        now: OffsetDateTime,
    ) -> Result<Linted> {
        let dismissed = self.dismissed()?;
        let app = self.get_app(app_id).await?;
        Ok(Linted::new(app, policy, now, &dismissed))
    }

    /// The findings dismissed on this connection.
    fn dismissed(&self) -> Result<Vec<Dismissal>> {
        let all = self.records.dismissals.all()?;
        let ours = |d: &Dismissal| d.connection_id == self.about.connection.id;
        Ok(all.into_iter().filter(ours).collect())
    }

    /// Dismisses finding `code` on the app for `reason`, in the audit trail too.
    pub async fn dismiss_finding(
        &self,
        app_id: &str,
        code: lint::Code,
        reason: &str,
    ) -> Result<Dismissal> {
        let app = self.get_app(app_id).await?;
        let dismissal = self
            .records
            .dismissals
            .dismiss(Dismissal {
                connection_id: self.about.connection.id.clone(),
                app_id: app.id.clone(),
                code,
                reason: reason.to_owned(),
                at: OffsetDateTime::now_utc(),
            })
            .await?;
        let after = serde_json::json!({ "code": code, "reason": dismissal.reason });
        self.record(
            Action::FindingDismissed,
            Subject::app(&app),
            None,
            Some(after),
        )
        .await;
        Ok(dismissal)
    }

    /// Forgets every app this session read, so that the next list completes with fresh reads:
    /// the admin asked for the server's state now, changes made elsewhere included.
    pub async fn forget_reads(&self) {
        self.read.lock().await.clear();
    }

    /// Forgets what this session read of an app it changes.
    async fn forget_read(&self, app_id: &str) {
        self.read.lock().await.remove(app_id);
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

    /// Checks the draft against the rules and the catalog, then registers it; the new app's
    /// secret is held.
    pub async fn register(&self, draft: AppDraft) -> Result<CreatedApp> {
        let catalog = self.catalog().await?;
        let valid = draft.validate(Some(&catalog))?;
        let created = self.client.create_app(&valid).await?;
        tracing::info!(app_id = %created.app.id, "registered an application");
        let after = audit::app_metadata(&created.app);
        self.record(
            Action::AppCreated,
            Subject::app(&created.app),
            None,
            Some(after),
        )
        .await;
        if let Some(secret) = &created.secret {
            let secret_id = created.app.secrets.first().map(|s| s.id);
            self.hold_secret(&created.app.id, secret_id, secret).await;
        }
        Ok(created)
    }

    /// Saves `edit` over `base` when the app on the server is still `base`; a secret the server
    /// issued with the update is held.
    pub async fn update(
        &self,
        app_id: &str,
        base: &AppEdit,
        edit: &AppEdit,
        accept_lockout: bool,
    ) -> Result<Updated> {
        let catalog = self.catalog().await?;
        let guard = self.guard(accept_lockout);
        self.forget_read(app_id).await;
        let updated =
            edit::apply_update(&self.client, app_id, base, edit, &catalog, &guard).await?;
        tracing::info!(%app_id, "updated an application");
        // The server still had `base` (the update checks that), with the same secrets.
        let before = audit::app_metadata(&ExternalApp {
            name: base.name.clone(),
            redirect_uris: base.redirect_uris.clone(),
            scopes: base.scopes.clone(),
            ..updated.app.clone()
        });
        let after = audit::app_metadata(&updated.app);
        let app = Subject::app(&updated.app);
        self.record(Action::AppUpdated, app, Some(before), Some(after))
            .await;
        if let Some(value) = &updated.replaced_secret {
            self.hold_replaced(&updated.app, value).await;
        }
        Ok(updated)
    }

    /// A secret the server issued by itself for `app`, out of Registrar's sight, once: it is
    /// held from now on.
    pub async fn take_replaced_secret(&self, app: &ExternalApp) -> Result<Option<Secret>> {
        let replaced = self.client.take_replaced_secret(&app.id).await?;
        if let Some(value) = &replaced {
            self.hold_replaced(app, value).await;
        }
        Ok(replaced)
    }

    async fn hold_replaced(&self, app: &ExternalApp, value: &Secret) {
        tracing::warn!(app_id = %app.id, "the server replaced the app's secret");
        self.hold_secret(&app.id, app.secrets.first().map(|s| s.id), value)
            .await;
    }

    /// Adds a secret as `request` asks, and holds it.
    pub async fn generate_secret(
        &self,
        app_id: &str,
        request: &SecretRequest,
        now: OffsetDateTime,
    ) -> Result<(SecretInfo, Secret)> {
        let request = request.for_server(&self.client.features(), now)?;
        self.forget_read(app_id).await;
        let (info, value) = self
            .client
            .generate_secret(app_id, request.as_ref())
            .await?;
        tracing::info!(%app_id, secret_id = info.id, "generated a secret");
        let app = Subject {
            id: app_id.to_owned(),
            name: self.client.name_of(app_id).await.unwrap_or_default(),
        };
        let after = audit::secret_metadata(&info);
        self.record(Action::SecretGenerated, app, None, Some(after))
            .await;
        self.hold_secret(app_id, Some(info.id), &value).await;
        Ok((info, value))
    }

    /// Deletes one of the app's secrets, unless that locks the admin out and the warning was not
    /// accepted; the app is returned without it.
    pub async fn delete_secret(
        &self,
        app_id: &str,
        secret_id: i64,
        accept_lockout: bool,
    ) -> Result<ExternalApp> {
        let mut app = self.get_app(app_id).await?;
        if !app.secrets.iter().any(|s| s.id == secret_id) {
            return Err(Error::NotFound(format!(
                "\u{201c}{}\u{201d} has no secret {secret_id} (any more): read the app again.",
                app.name
            )));
        }
        self.guard(accept_lockout)
            .check_delete_secret(&app, secret_id)?;
        self.forget_read(app_id).await;
        self.client.delete_secret(secret_id).await?;
        self.forget_secret(app_id, Some(secret_id)).await;
        tracing::info!(%app_id, secret_id, "deleted a secret");
        let before = app.secrets.iter().find(|s| s.id == secret_id);
        let before = before.map(audit::secret_metadata);
        self.record(Action::SecretDeleted, Subject::app(&app), before, None)
            .await;
        app.secrets.retain(|s| s.id != secret_id);
        Ok(app)
    }

    /// Deletes the app once `typed` is exactly its name on the server, unless that locks the
    /// admin out and the warning was not accepted. Returns the name it had.
    pub async fn delete_app(
        &self,
        app_id: &str,
        typed: &str,
        accept_lockout: bool,
    ) -> Result<String> {
        let name = self.client.name_of(app_id).await?;
        rules::confirm_deletion(&name, typed)?;
        // What it was, for the guard and the trail; one Registrar cannot read (the server lost
        // it, or its token is gone) is recorded by name.
        let read = self.get_app(app_id).await;
        let guard = self.guard(accept_lockout);
        let before = match read {
            Ok(app) => {
                guard.check_delete_app(&app)?;
                Some(app)
            }
            Err(e) if guard.concerns(app_id) => return Err(e),
            Err(_) => None,
        };
        self.forget_read(app_id).await;
        let deleted = self.client.delete_app(app_id).await;
        // Gone from the server (or from the list, when the server had lost it already).
        if matches!(deleted, Ok(()) | Err(Error::NotFound(_))) {
            self.forget_secret(app_id, None).await;
        }
        deleted?;
        tracing::info!(%app_id, "deleted an application");
        let subject = Subject {
            id: app_id.to_owned(),
            name: name.clone(),
        };
        let before = before.map_or_else(
            || serde_json::json!({ "name": name }),
            |app| audit::app_metadata(&app),
        );
        self.record(Action::AppDeleted, subject, Some(before), None)
            .await;
        Ok(name)
    }

    /// The app's handoff sheet as the server has the app now, with the held secret when asked
    /// for (and an error that says how to get one when none is held).
    pub async fn sheet(
        &self,
        app_id: &str,
        include_secret: bool,
        now: OffsetDateTime,
    ) -> Result<Sheet> {
        let secret = match include_secret {
            true => Some(self.require_held_secret(app_id).await?),
            false => None,
        };
        let app = self.get_app(app_id).await?;
        let catalog = self.catalog().await?;
        Ok(Sheet::new(SheetInput {
            app,
            catalog: &catalog,
            connection: self.about.sheet.clone(),
            endpoints: self.client.endpoints(),
            produced_by: self.about.admin_identity.clone(),
            produced_at: now,
            secret,
            pkce: Pkce::generate()?,
            state: random_state()?,
        }))
    }

    /// Records in the trail that `sheet` was written to a file, and whether with the secret.
    pub async fn exported(&self, sheet: &Sheet) {
        let action = match sheet.holds_secret() {
            true => Action::SheetExportedWithSecret,
            false => Action::SheetExported,
        };
        self.record(action, Subject::app(&sheet.app), None, None)
            .await;
    }

    /// Keeps `value` as the app's newest secret (replacing an older one).
    async fn hold_secret(&self, app_id: &str, secret_id: Option<i64>, value: &Secret) {
        let held = HeldSecret {
            secret_id,
            value: value.duplicate(),
        };
        self.held.lock().await.insert(app_id.to_owned(), held);
    }

    /// The app's newest secret, if this session generated it.
    async fn held_secret(&self, app_id: &str) -> Option<Secret> {
        self.held
            .lock()
            .await
            .get(app_id)
            .map(|h| h.value.duplicate())
    }

    /// The held secret, or an error that says how to get one.
    pub async fn require_held_secret(&self, app_id: &str) -> Result<Secret> {
        self.held_secret(app_id).await.ok_or_else(not_held)
    }

    pub async fn holds_secret(&self, app_id: &str) -> bool {
        self.held.lock().await.contains_key(app_id)
    }

    /// Drops the held value once its secret (or the whole app, `None`) is deleted.
    async fn forget_secret(&self, app_id: &str, secret_id: Option<i64>) {
        let mut held = self.held.lock().await;
        if secret_id.is_none() || held.get(app_id).is_some_and(|h| h.secret_id == secret_id) {
            held.remove(app_id);
        }
    }
}

fn not_held() -> Error {
    Error::InvalidInput {
        field: None,
        message: "Registrar holds an app's secret only right after generating it, until it \
                  closes. Generate a new secret to verify, copy or hand it over."
            .into(),
    }
}
