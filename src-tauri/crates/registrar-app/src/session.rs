//! One connection at work, from the window or the command line: its API client, its scope
//! catalog (read once), the secrets generated while it is open, and the operations both front
//! ends offer, each with the rules that go with it.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};

use registrar_core::alerts::Notified;
use registrar_core::audit::{self, Action, AuditLog, Subject};
use registrar_core::connections::{Connection, ConnectionStore};
use registrar_core::draft::AppDraft;
use registrar_core::edit::{self, AppEdit, Updated};
use registrar_core::handoff::{IncludedSecret, Sheet, SheetConnection, SheetInput};
use registrar_core::lint::{self, Dismissal, Dismissals, Finding};
use registrar_core::lockout::Guard;
use registrar_core::manifest::{self, Change, Manifest, Plan};
use registrar_core::model::{CatalogResource, ExternalApp, SecretInfo};
use registrar_core::provider::Provider;
use registrar_core::requests::{random_state, Pkce};
use registrar_core::rotation::{Rotation, Rotations, Step};
use registrar_core::uipath::CreatedApp;
use registrar_core::verify::{self, Verification};
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
/// trail, the findings the admin dismissed, the rotations in progress and the expiries notified.
#[derive(Debug, Clone)]
pub struct Records {
    pub audit: AuditLog,
    pub dismissals: Dismissals,
    pub rotations: Rotations,
    pub notified: Notified,
}

impl Records {
    pub fn beside(store: &ConnectionStore) -> Self {
        Self {
            audit: AuditLog::new(store.audit_path()),
            dismissals: Dismissals::new(store.dismissals_path()),
            rotations: Rotations::new(store.rotations_path()),
            notified: Notified::new(store.notified_path()),
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

/// The dismissal of finding `code` on `app`, among those of its connection.
fn dismissal<'a>(
    dismissed: &'a [Dismissal],
    app: &ExternalApp,
    code: lint::Code,
) -> Option<&'a Dismissal> {
    dismissed
        .iter()
        .find(|d| d.app_id == app.id && d.code == code)
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
            match dismissal(dismissed, &app, finding.code) {
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

/// What one change of a manifest's plan did: the app as it is now, and for an app created, its
/// secret (held too), to be shown once or written to its sheet.
#[derive(Debug)]
pub struct Applied {
    pub app: ExternalApp,
    pub secret: Option<Secret>,
}

/// Counts apps' standing findings under one policy, for a list: the connection's dismissals
/// are read once for all of them.
#[derive(Debug)]
pub struct FindingCounter {
    policy: lint::Policy,
    now: OffsetDateTime,
    dismissed: Vec<Dismissal>,
}

impl FindingCounter {
    /// The app's findings not dismissed; none known for an app the list gave bare.
    pub fn count(&self, app: &ExternalApp) -> Option<u32> {
        if app.listed_only {
            return None;
        }
        let findings = lint::check(app, &self.policy, self.now);
        let standing = findings
            .iter()
            .filter(|f| dismissal(&self.dismissed, app, f.code).is_none())
            .count();
        Some(u32::try_from(standing).unwrap_or(u32::MAX))
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

    /// Counts findings under `policy` at `now`, for a list of this connection's apps.
    pub fn finding_counter(
        &self,
        policy: lint::Policy,
        now: OffsetDateTime,
    ) -> Result<FindingCounter> {
        Ok(FindingCounter {
            policy,
            now,
            dismissed: self.dismissed()?,
        })
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

    /// What applying `manifest` would change here: every app read whole, the manifest checked
    /// against the rules and the catalog; with `prune`, the apps it does not name are deleted.
    pub async fn plan_manifest(&self, manifest: &Manifest, prune: bool) -> Result<Plan> {
        let catalog = self.catalog().await?;
        let apps = self.list_whole_apps().await?;
        manifest::plan(manifest, &apps, &catalog, prune)
    }

    /// Makes one change of a plan, as the window's own actions would (audited, the lockout
    /// guarded, an update refused when the app changed since the plan read it). An app created
    /// with a secret lifetime, on a server that takes one, gets a secret with that expiry in place
    /// of the one it was created with.
    pub async fn apply(&self, change: &Change, now: OffsetDateTime) -> Result<Applied> {
        match change {
            Change::Create { wanted, valid } => {
                let draft = AppDraft {
                    name: valid.name.clone(),
                    app_type: valid.app_type,
                    redirect_uris: valid.redirect_uris.clone(),
                    scopes: valid.scopes.clone(),
                };
                let first_secret = wanted.secret_lifetime_days.map(|days| SecretRequest {
                    description: Some(format!("Expires after {days} days, as the manifest says")),
                    expires_on: Some(rules::days_from_today(days)),
                });
                self.register_with_secret(draft, first_secret, now).await
            }
            Change::Update { app, wanted, .. } => {
                let base = edit::AppEdit::from(&**app);
                let updated = self.update(&app.id, &base, &wanted.edit(), false).await?;
                Ok(Applied {
                    app: updated.app,
                    secret: updated.replaced_secret,
                })
            }
            Change::Delete { app } => {
                self.delete_app(&app.id, &app.name, false).await?;
                Ok(Applied {
                    app: (**app).clone(),
                    secret: None,
                })
            }
        }
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

    /// Registers `draft` as [`Session::register`] does. When `first_secret` asks for an expiry, on
    /// a server that takes one, the secret the server created the app with (which never expires)
    /// is replaced by one with that expiry, held in its place.
    pub async fn register_with_secret(
        &self,
        draft: AppDraft,
        first_secret: Option<SecretRequest>,
        now: OffsetDateTime,
    ) -> Result<Applied> {
        let created = self.register(draft).await?;
        let (Some(request), true, None) = (
            first_secret.filter(|r| r.expires_on.is_some()),
            created.secret.is_some(),
            self.client.features().secret_details,
        ) else {
            return Ok(Applied {
                app: created.app,
                secret: created.secret,
            });
        };
        let (info, value) = self.generate_secret(&created.app.id, &request, now).await?;
        let mut app = created.app;
        let first: Vec<i64> = app.secrets.iter().map(|s| s.id).collect();
        app.secrets.push(info);
        // Each deletion answers with the app as the server has it now.
        for secret_id in first {
            app = self.delete_secret(&app.id, secret_id, false).await?;
        }
        Ok(Applied {
            app,
            secret: Some(value),
        })
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
        let app = Subject {
            id: app_id.to_owned(),
            name: self.client.name_of(app_id).await.unwrap_or_default(),
        };
        self.generated(app, &info, &value).await;
        Ok((info, value))
    }

    /// Records and holds a secret just added to `app`.
    async fn generated(&self, app: Subject, info: &SecretInfo, value: &Secret) {
        tracing::info!(app_id = %app.id, secret_id = info.id, "generated a secret");
        let after = audit::secret_metadata(info);
        let app_id = app.id.clone();
        self.record(Action::SecretGenerated, app, None, Some(after))
            .await;
        self.hold_secret(&app_id, Some(info.id), value).await;
    }

    /// The app's rotation in progress, if there is one.
    pub fn rotation(&self, app_id: &str) -> Result<Option<Rotation>> {
        let connection = &self.about.connection.id;
        self.records.rotations.of(connection, app_id)
    }

    /// Starts rotating the app's secret: adds the new one as `request` asks (held) and keeps
    /// the old ones working until [`Session::finish_rotation`]. Only on a server that holds
    /// several secrets per app; on one that holds a single secret, a new one replaces the old
    /// at once and there is nothing to wait through.
    pub async fn start_rotation(
        &self,
        app_id: &str,
        request: &SecretRequest,
        now: OffsetDateTime,
    ) -> Result<(Rotation, SecretInfo, Secret)> {
        if let Some(why) = self.client.features().delete_secret {
            return Err(Error::InvalidInput {
                field: None,
                message: format!(
                    "{why} A new secret takes the old one's place at once, so there is no \
                     rotation to wait through: hand the sheet over first, then generate the new \
                     secret when the consumers are ready."
                ),
            });
        }
        if let Some(rotation) = self.rotation(app_id)? {
            return Err(rotation.in_progress_error());
        }
        let request = request.for_server(&self.client.features(), now)?;
        let app = self.get_app(app_id).await?;
        self.forget_read(app_id).await;
        let (info, value) = self
            .client
            .generate_secret(app_id, request.as_ref())
            .await?;
        self.generated(Subject::app(&app), &info, &value).await;
        let rotation = Rotation::new(&self.about.connection.id, &app, info.id, now);
        self.records.rotations.start(rotation.clone()).await?;
        let after = serde_json::json!({
            "newSecret": audit::secret_metadata(&info),
            "oldSecretIds": rotation.old_secret_ids,
        });
        self.record(
            Action::RotationStarted,
            Subject::app(&app),
            None,
            Some(after),
        )
        .await;
        Ok((rotation, info, value))
    }

    /// Asks the token endpoint for a token with the app's held secret and its application
    /// scopes; a rotation whose new secret that is remembers it was verified.
    pub async fn verify(&self, app_id: &str) -> Result<Verification> {
        let (secret_id, secret) = {
            let held = self.held.lock().await;
            let held = held.get(app_id).ok_or_else(not_held)?;
            (held.secret_id, held.value.duplicate())
        };
        let app = self.get_app(app_id).await?;
        let token_url = &self.client.endpoints().token;
        let verified = verify::verify(self.client.http(), token_url, &app, &secret).await?;
        if let Some(secret_id) = secret_id {
            self.rotation_step(&app, secret_id, Step::Verified).await;
        }
        Ok(verified)
    }

    /// Remembers a step of the app's rotation, if `secret_id` is its new secret, in the trail
    /// too; a step that cannot be remembered is logged, the step itself is done.
    async fn rotation_step(&self, app: &ExternalApp, secret_id: i64, step: Step) {
        let connection = &self.about.connection.id;
        let now = OffsetDateTime::now_utc();
        let rotations = &self.records.rotations;
        match rotations
            .done(connection, &app.id, secret_id, step, now)
            .await
        {
            Ok(Some(_)) if step == Step::Verified => {
                let after = serde_json::json!({ "secretId": secret_id });
                self.record(
                    Action::RotationVerified,
                    Subject::app(app),
                    None,
                    Some(after),
                )
                .await;
            }
            Ok(_) => {}
            Err(e) => tracing::error!("a rotation step was not remembered: {e}"),
        }
    }

    /// Ends the app's rotation: the secrets it had before are deleted, the new one stays.
    /// Refused when the new secret is gone, or when that locks the admin out and the warning
    /// was not accepted. A deletion that fails leaves the rotation in progress, to finish again.
    pub async fn finish_rotation(&self, app_id: &str, accept_lockout: bool) -> Result<ExternalApp> {
        let rotation = self.rotation(app_id)?.ok_or_else(|| no_rotation(app_id))?;
        let mut app = self.get_app(app_id).await?;
        let Some(new) = app.secrets.iter().find(|s| s.id == rotation.new_secret_id) else {
            return Err(Error::InvalidInput {
                field: None,
                message: format!(
                    "The rotation's new secret (ID {}) is gone from \u{201c}{}\u{201d}: cancel \
                     this rotation and start another.",
                    rotation.new_secret_id, app.name
                ),
            });
        };
        let after = audit::secret_metadata(new);
        let retiring: Vec<SecretInfo> = app
            .secrets
            .iter()
            .filter(|s| rotation.old_secret_ids.contains(&s.id))
            .cloned()
            .collect();
        let guard = self.guard(accept_lockout);
        for secret in &retiring {
            guard.check_delete_secret(&app, secret.id)?;
        }
        self.forget_read(app_id).await;
        for secret in &retiring {
            self.retire(&mut app, secret).await?;
        }
        self.records
            .rotations
            .end(&self.about.connection.id, app_id)
            .await?;
        tracing::info!(%app_id, retired = retiring.len(), "finished a rotation");
        let before = serde_json::json!({
            "secrets": retiring.iter().map(audit::secret_metadata).collect::<Vec<_>>(),
        });
        self.record(
            Action::RotationFinished,
            Subject::app(&app),
            Some(before),
            Some(after),
        )
        .await;
        Ok(app)
    }

    /// Deletes one of a rotation's secrets from `app` (one deleted meanwhile is gone all the
    /// same), in the trail too.
    async fn retire(&self, app: &mut ExternalApp, secret: &SecretInfo) -> Result<()> {
        match self.client.delete_secret(secret.id).await {
            Ok(()) | Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
        self.forget_secret(&app.id, Some(secret.id)).await;
        let before = Some(audit::secret_metadata(secret));
        self.record(Action::SecretDeleted, Subject::app(app), before, None)
            .await;
        app.secrets.retain(|s| s.id != secret.id);
        Ok(())
    }

    /// Gives up the app's rotation: the old secrets stay, and the new one is deleted unless
    /// `keep_new` (its consumers may have it already).
    pub async fn cancel_rotation(&self, app_id: &str, keep_new: bool) -> Result<ExternalApp> {
        let rotation = self.rotation(app_id)?.ok_or_else(|| no_rotation(app_id))?;
        let mut app = self.get_app(app_id).await?;
        let new = app
            .secrets
            .iter()
            .find(|s| s.id == rotation.new_secret_id)
            .cloned();
        if let (Some(new), false) = (new, keep_new) {
            self.forget_read(app_id).await;
            self.retire(&mut app, &new).await?;
        }
        self.records
            .rotations
            .end(&self.about.connection.id, app_id)
            .await?;
        let after = serde_json::json!({ "newSecretKept": keep_new });
        self.record(
            Action::RotationCancelled,
            Subject::app(&app),
            None,
            Some(after),
        )
        .await;
        Ok(app)
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
        let connection = &self.about.connection.id;
        if let Err(e) = self.records.rotations.end(connection, app_id).await {
            tracing::error!("the deleted app's rotation stays listed: {e}");
        }
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
            true => Some(self.require_held(app_id).await?),
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
        let held = self
            .held
            .lock()
            .await
            .get(&sheet.app.id)
            .map(|h| h.secret_id);
        if let (true, Some(Some(secret_id))) = (sheet.holds_secret(), held) {
            self.rotation_step(&sheet.app, secret_id, Step::SheetExported)
                .await;
        }
    }

    /// Keeps `value` as the app's newest secret (replacing an older one).
    async fn hold_secret(&self, app_id: &str, secret_id: Option<i64>, value: &Secret) {
        let held = HeldSecret {
            secret_id,
            value: value.duplicate(),
        };
        self.held.lock().await.insert(app_id.to_owned(), held);
    }

    /// The held secret, or an error that says how to get one.
    pub async fn require_held_secret(&self, app_id: &str) -> Result<Secret> {
        self.require_held(app_id).await.map(|held| held.value)
    }

    /// The held secret with which of the app's secrets it is, or an error that says how to get
    /// one.
    async fn require_held(&self, app_id: &str) -> Result<IncludedSecret> {
        let held = self.held.lock().await;
        let held = held.get(app_id).ok_or_else(not_held)?;
        Ok(IncludedSecret {
            value: held.value.duplicate(),
            id: held.secret_id,
        })
    }

    /// Whether this session holds a secret of the app (`Some`), and which one of the app's
    /// secrets it is, when the server said.
    pub async fn held_secret_id(&self, app_id: &str) -> Option<Option<i64>> {
        self.held.lock().await.get(app_id).map(|h| h.secret_id)
    }

    /// Drops the held value once its secret (or the whole app, `None`) is deleted.
    async fn forget_secret(&self, app_id: &str, secret_id: Option<i64>) {
        let mut held = self.held.lock().await;
        if secret_id.is_none() || held.get(app_id).is_some_and(|h| h.secret_id == secret_id) {
            held.remove(app_id);
        }
    }
}

fn no_rotation(app_id: &str) -> Error {
    Error::NotFound(format!(
        "No rotation of the app {app_id} is in progress: start one first."
    ))
}

fn not_held() -> Error {
    Error::InvalidInput {
        field: None,
        message: "Registrar holds an app's secret only right after generating it, until it \
                  closes. Generate a new secret to verify, copy or hand it over."
            .into(),
    }
}
