//! The saved connections and their credentials, for the window and the command line alike:
//! which credential is kept or checked again, that an issuer cannot change while clients are
//! registered through it, the order of keychain and file writes, choosing and removing.

use std::future::Future;

use registrar_core::admin::{self, AdminCredential};
use registrar_core::audit::{self, Action, AuditLog, Subject};
use registrar_core::connections::{Connection, ConnectionKind, ConnectionStore, Saved};
use registrar_core::dynamic;
use registrar_core::keychain::Keychain;
use registrar_core::model::Field;
use registrar_core::{Error, Result, Secret};
use tokio::sync::Mutex;
use url::Url;
use uuid::Uuid;

use crate::rules;
use crate::session::{About, Records, Session};

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

/// A new (`id` none) or edited connection as the admin gave it, with its credential and, when
/// the admin token may not name it, the organization's GUID.
#[derive(Debug)]
pub struct Change {
    pub id: Option<String>,
    pub draft: Connection,
    pub given: GivenCredential,
    pub organization_id: Option<Uuid>,
}

/// How a sign-in reaches the admin: `open_browser` is given the address to sign in at, and the
/// sign-in ends without saving when `cancel` completes first.
#[derive(Debug)]
pub struct SignInWith<Open, Cancel> {
    pub open_browser: Open,
    pub cancel: Cancel,
}

impl SignInWith<fn(&Url), std::future::Pending<()>> {
    /// For a save that never signs in (a secret or token given): nothing to open or cancel.
    pub fn none() -> Self {
        SignInWith {
            open_browser: |_| {},
            cancel: std::future::pending(),
        }
    }
}

#[derive(Debug)]
pub struct Connections {
    store: ConnectionStore,
    audit: AuditLog,
    keychain: Keychain,
    http: reqwest::Client,
    /// Serializes changes to the saved list made through this value: each one reads, changes
    /// and writes the whole file (the file lock keeps other processes out).
    edits: Mutex<()>,
}

impl Connections {
    pub fn new(store: ConnectionStore, keychain: Keychain, http: reqwest::Client) -> Self {
        Self {
            audit: AuditLog::new(store.audit_path()),
            store,
            keychain,
            http,
            edits: Mutex::new(()),
        }
    }

    /// The audit trail and the dismissed findings, kept beside the connection list.
    pub fn records(&self) -> Records {
        Records::beside(&self.store)
    }

    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    pub fn saved(&self) -> Result<Saved> {
        self.store.load()
    }

    /// A session on the saved `connection`, with its credential from the keychain.
    pub async fn open(&self, connection: &Connection) -> Result<Session> {
        let client =
            admin::open(self.http.clone(), &self.keychain, &self.store, connection).await?;
        let records = Records::beside(&self.store);
        Ok(Session::new(client, About::from(connection), records))
    }

    /// Checks a new connection as typed against the rules and the saved ones, before its
    /// credential is asked for: a clash or a missing field is said before the admin pastes a
    /// secret. [`Connections::save`] checks again.
    pub fn check_new(&self, draft: &Connection) -> Result<()> {
        self.saved()?.check(&rules::tidy(draft.clone())).map(|_| ())
    }

    /// Records `connection` as the one to work on when none is named, if it is still saved as
    /// it is.
    pub async fn choose(&self, connection: &Connection) -> Result<()> {
        let _edit = self.edits.lock().await;
        let _lock = self.store.lock().await?;
        let mut saved = self.store.load()?;
        if saved.get(&connection.id) != Some(connection) {
            return Err(Error::Conflict(format!(
                "\u{201c}{}\u{201d} was changed or removed meanwhile (perhaps from another \
                 window or the command line). Read the connections again.",
                connection.name
            )));
        }
        saved.selected = Some(connection.id.clone());
        self.store.save(&saved)
    }

    /// Saves a new or edited connection once its credential is proven, and returns it as saved.
    /// The fields are read as [`rules::tidy`] says. A given secret gets a token; an edit without
    /// a secret re-checks the kept one, only while the server and admin app stay the same (a
    /// kept secret never goes to a newly typed host); a sign-in goes through `sign_in`, unless
    /// the admin is still signed in to the same server and app. The organization's GUID is the
    /// given one, else the token's, else the one saved for the same server. Nothing is saved
    /// unless all of this works. `choose` records it as the chosen connection in the same write
    /// (the window works on what it saves; the command line leaves the choice alone).
    pub async fn save<Open, Cancel>(
        &self,
        change: Change,
        sign_in: SignInWith<Open, Cancel>,
        choose: bool,
    ) -> Result<Connection>
    where
        Open: FnOnce(&Url),
        Cancel: Future<Output = ()>,
    {
        let before = match &change.id {
            Some(id) => self.saved()?.get(id).cloned(),
            None => None,
        };
        let saved = self.save_checked(change, sign_in, choose).await?;
        let action = match before {
            Some(_) => Action::ConnectionEdited,
            None => Action::ConnectionAdded,
        };
        let before = before.as_ref().map(audit::connection_metadata);
        let after = Some(audit::connection_metadata(&saved));
        self.record(&saved, action, before, after).await;
        Ok(saved)
    }

    /// Appends a change to the saved connections to the audit trail; a trail that cannot be
    /// written is logged, as the change is done.
    async fn record(
        &self,
        connection: &Connection,
        action: Action,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) {
        let change = audit::Change {
            connection: Subject::connection(connection),
            admin: connection.admin_identity(),
            app: None,
            action,
            before,
            after,
        };
        let at = time::OffsetDateTime::now_utc();
        if let Err(e) = self.audit.append(change, at).await {
            tracing::error!("the audit trail missed a change: {e}");
        }
    }

    /// [`Connections::save`] but for the trail.
    async fn save_checked<Open, Cancel>(
        &self,
        change: Change,
        sign_in: SignInWith<Open, Cancel>,
        choose: bool,
    ) -> Result<Connection>
    where
        Open: FnOnce(&Url),
        Cancel: Future<Output = ()>,
    {
        let Change {
            id,
            draft,
            given,
            organization_id,
        } = change;
        let mut draft = rules::tidy(draft);
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
        self.keep_registered_clients(previous.as_ref(), &draft, &url)?;
        if draft.kind == ConnectionKind::OauthServer {
            return self
                .save_oauth_server(draft, previous, given, &url, choose)
                .await;
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
                        signed = admin::sign_in(&self.http, &draft, sign_in.open_browser, admin::SIGN_IN_WAIT) => signed?,
                        () = sign_in.cancel => {
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
        draft.open_registration = false;
        let known = same_server.map(|p| p.partition_global_id);
        draft.partition_global_id = admin::organization(organization_id, named.or(known))?;
        draft.signed_in = signed_in;
        draft.sandbox_port = None;
        if !signed_in {
            draft.sign_in_port = None;
        }
        self.write(draft, previous.as_ref(), credential, choose)
            .await
    }

    /// An OAuth server's connection holds what manages the clients registered through it:
    /// while there are any, it keeps its issuer.
    fn keep_registered_clients(
        &self,
        previous: Option<&Connection>,
        draft: &Connection,
        url: &Url,
    ) -> Result<()> {
        let Some(previous) = previous.filter(|p| p.kind == ConnectionKind::OauthServer) else {
            return Ok(());
        };
        let moved = draft.kind != ConnectionKind::OauthServer
            || previous.identity_url().ok().as_ref() != Some(url);
        if !moved {
            return Ok(());
        }
        let registered = dynamic::registered_count(&self.store.clients_path(&previous.id))?;
        if registered == 0 {
            return Ok(());
        }
        Err(Error::invalid(
            Field::Issuer,
            format!(
                "{registered} clients were registered through this connection at {}, and it \
                 holds what manages them there. Keep that issuer, and add a new connection for \
                 another server.",
                previous.issuer.as_deref().unwrap_or_default()
            ),
        ))
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
        choose: bool,
    ) -> Result<Connection> {
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
        let saved = self
            .write(server, previous.as_ref(), credential, choose)
            .await?;
        if saved.open_registration {
            // A token kept from before would only linger: open registration sends none.
            let account = saved.initial_access_token_account();
            if let Err(e) = self.keychain.delete(&account).await {
                tracing::warn!("could not remove an unused initial access token: {e}");
            }
        }
        Ok(saved)
    }

    /// Writes `connection` (its credential already proven). An edit is saved only if the
    /// connection is still what it was when the edit began (`previous`), and a new one only if
    /// its id is new. The credential is written to the keychain before the file, and the other
    /// kind's entry removed only after it, so a failure at any step leaves a saved connection
    /// with the credential it names. `choose` records it as the chosen one in the same write.
    async fn write(
        &self,
        connection: Connection,
        previous: Option<&Connection>,
        credential: Option<AdminCredential>,
        choose: bool,
    ) -> Result<Connection> {
        let _edit = self.edits.lock().await;
        let lock = self.store.lock().await?;
        let mut saved = self.store.load()?;
        if saved.get(&connection.id) != previous {
            return Err(Error::Conflict(format!(
                "\u{201c}{}\u{201d} was changed or removed meanwhile (perhaps from another \
                 window or the command line); nothing was saved. Read the connections again.",
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
        if choose {
            saved.selected = Some(connection.id.clone());
        }
        self.store.save(&saved)?;
        drop(lock);
        if let Some(credential) = &credential {
            if let Err(e) = credential.discard_unused(&self.keychain, &connection).await {
                tracing::warn!(connection = %connection.id, "could not remove an unused keychain entry: {e}");
            }
        }
        Ok(connection)
    }

    /// Forgets connection `id` and its keychain entries, and returns it; the sandbox cannot be
    /// removed. When it was the chosen one, the sandbox is chosen instead (or, with no sandbox
    /// saved, the first connection).
    pub async fn remove(&self, id: &str) -> Result<Connection> {
        let _edit = self.edits.lock().await;
        let lock = self.store.lock().await?;
        let mut saved = self.store.load()?;
        let connection = saved.get(id).cloned().ok_or_else(|| gone(id))?;
        if connection.kind == ConnectionKind::Sandbox {
            return Err(Error::InvalidInput {
                field: None,
                message: "The sandbox is built in and cannot be removed.".into(),
            });
        }
        saved.connections.retain(|c| c.id != id);
        if saved.selected.as_deref() == Some(id) {
            saved.selected = saved
                .connections
                .iter()
                .find(|c| c.kind == ConnectionKind::Sandbox)
                .map(|c| c.id.clone());
        }
        self.store.save(&saved)?;
        drop(lock);
        // The connection is gone from the file; its entries go last.
        let forgotten = admin::forget(&self.keychain, &self.store, &connection).await;
        let before = Some(audit::connection_metadata(&connection));
        self.record(&connection, Action::ConnectionRemoved, before, None)
            .await;
        forgotten.map(|()| connection)
    }
}

pub(crate) fn gone(id: &str) -> Error {
    Error::NotFound(format!(
        "The connection {id} is no longer saved; it may have been removed from another window or \
         the command line."
    ))
}
