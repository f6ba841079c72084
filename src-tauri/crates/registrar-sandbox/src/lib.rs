//! Registrar's sandbox identity server: the External Client API, a token endpoint
//! (client_credentials, authorization_code with its sign-in page, refresh_token) and discovery,
//! as UiPath's Identity Server offers them, served on loopback from a SQLite file. The desktop
//! app starts it so people can try Registrar without an account; the tests run against it.

mod api;
mod auth;
mod authorize;
mod catalog;
pub mod cli;
mod clients;
mod error;
mod jwt;
mod problem;
mod secrets;
mod server;
mod store;
mod token;
mod validate;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use registrar_shared::Secret;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use error::SandboxError;

use crate::clients::ClientCache;
use crate::jwt::TokenKey;
use crate::server::{Limits, Shared};
use crate::store::Db;

pub const DEFAULT_ORGANIZATION: &str = "sandbox";

/// The user who signs in at the sandbox's authorization endpoint.
pub const SANDBOX_USER: &str = "admin";

/// How long a stop waits for open requests before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// [`SandboxConfig::header_read_timeout`]'s default.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// [`SandboxConfig::request_timeout`]'s default.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// [`SandboxConfig::max_connections`]'s default: well under the usual limit of 1,024 open files.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub db_path: PathBuf,
    /// Must be loopback; port 0 picks a free port.
    pub addr: SocketAddr,
    pub organization: String,
    pub scope_types: ScopeTypes,
    pub listed_apps: ListedApps,
    /// Let a loopback redirect URL name any port (RFC 8252 §7.3); by default redirect URLs
    /// match exactly, port included, as on UiPath's servers.
    pub loopback_any_port: bool,
    /// Refuse a token request whose `scope` is longer, with `invalid_request` "Invalid scope",
    /// as identity server versions do (300 to 1,250 characters have been seen); none: no limit.
    pub scope_length_limit: Option<usize>,
    /// How long a client has to send a request's line and headers, counted from the moment its
    /// connection is accepted or its last answer was sent: an idle connection closes after it.
    pub header_read_timeout: Duration,
    /// How long a request may take from its headers to its answer, its body included; a slower
    /// one is answered 408.
    pub request_timeout: Duration,
    /// How many connections are served at once; more wait to be accepted until one closes.
    pub max_connections: usize,
}

/// How the External Client API writes a scope's type in its answers. It reads both forms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeTypes {
    /// As live tenants answer: in the catalog 0 user only, 1 application only, 2 either; in an
    /// app's scopes 0 user, 1 application.
    #[default]
    Numbers,
    /// As the published API description names them: `user`, `application`, `userAndApplication`.
    Names,
}

/// What the External Client API's list gives of each app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ListedApps {
    /// As live tenants answer: no scopes and no secrets, which a client reads app by app.
    #[default]
    Bare,
    /// Everything a read of the app gives, as the published API description has it.
    Whole,
}

impl SandboxConfig {
    /// 127.0.0.1 on a free port, organization [`DEFAULT_ORGANIZATION`], scope types as numbers,
    /// apps listed bare, and the default limits ([`DEFAULT_HEADER_READ_TIMEOUT`], [`DEFAULT_REQUEST_TIMEOUT`],
    /// [`DEFAULT_MAX_CONNECTIONS`]).
    pub fn new(db_path: impl Into<PathBuf>) -> Self {
        Self {
            db_path: db_path.into(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            organization: DEFAULT_ORGANIZATION.into(),
            scope_types: ScopeTypes::Numbers,
            listed_apps: ListedApps::Bare,
            loopback_any_port: false,
            scope_length_limit: None,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }

    /// The limits, unless one of them is zero, which would refuse every request.
    fn limits(&self) -> Result<Limits, SandboxError> {
        for (zero, setting) in [
            (self.header_read_timeout.is_zero(), "header read timeout"),
            (self.request_timeout.is_zero(), "request timeout"),
            (self.max_connections == 0, "connection limit"),
        ] {
            if zero {
                return Err(SandboxError::ZeroLimit(setting));
            }
        }
        Ok(Limits {
            header_read_timeout: self.header_read_timeout,
            request_timeout: self.request_timeout,
            max_connections: self.max_connections,
        })
    }
}

/// A running sandbox. Dropping it stops the server too; [`Sandbox::shutdown`] also waits for that.
pub struct Sandbox {
    addr: SocketAddr,
    organization: String,
    partition: Uuid,
    admin_client_id: String,
    is_new: bool,
    db_path: PathBuf,
    db: Db,
    stop: oneshot::Sender<()>,
    server: JoinHandle<()>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .field("organization", &self.organization)
            .field("partition", &self.partition)
            .field("admin_client_id", &self.admin_client_id)
            .field("db_path", &self.db_path)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Opens the database (creating and migrating it as needed; on first use it makes the
    /// partition, the signing key and the bootstrap admin client), binds, and serves in a task.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        if !config.addr.ip().is_loopback() {
            return Err(SandboxError::NotLoopback(config.addr));
        }
        let limits = config.limits()?;
        let organization = config.organization;
        let valid_name = (1..=100).contains(&organization.len())
            && organization
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if !valid_name {
            return Err(SandboxError::InvalidOrganization(organization));
        }
        let path = config.db_path.clone();
        let opened = match tokio::task::spawn_blocking(move || store::open(&path)).await {
            Ok(opened) => opened?,
            Err(failed) => std::panic::resume_unwind(failed.into_panic()),
        };

        let bind_error = |source: std::io::Error| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                SandboxError::AddrInUse(config.addr)
            } else {
                SandboxError::Bind {
                    addr: config.addr,
                    source,
                }
            }
        };
        let listener = TcpListener::bind(config.addr).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;

        let db = Db::new(opened.conn);
        let shared = Arc::new(Shared {
            db: db.clone(),
            clients: ClientCache::default(),
            key: TokenKey::from_seed(&opened.meta.signing_key_seed),
            partition: opened.meta.partition,
            issuer: format!("http://{addr}/identity_"),
            scope_types: config.scope_types,
            listed_apps: config.listed_apps,
            loopback_any_port: config.loopback_any_port,
            scope_length_limit: config.scope_length_limit,
        });
        let router = server::router(shared, &organization, addr.port(), &limits);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(server::serve(listener, router, limits, async {
            // A dropped sender stops the server just as a sent signal does.
            stopped.await.ok();
        }));
        tracing::info!(%addr, organization, partition = %opened.meta.partition, "sandbox started");
        Ok(Sandbox {
            addr,
            organization,
            partition: opened.meta.partition,
            admin_client_id: opened.meta.admin_client_id,
            is_new: opened.created,
            db_path: config.db_path,
            db,
            stop,
            server,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/{organization}/identity_`
    pub fn identity_url(&self) -> String {
        format!("{}/{}/identity_", self.base_url(), self.organization)
    }

    pub fn organization(&self) -> &str {
        &self.organization
    }

    pub fn partition_global_id(&self) -> Uuid {
        self.partition
    }

    pub fn admin_client_id(&self) -> &str {
        &self.admin_client_id
    }

    /// This start created the database.
    pub fn is_new(&self) -> bool {
        self.is_new
    }

    /// Adds a fresh secret to the bootstrap admin client, re-creating that client (same id) if it
    /// was deleted, and returns the value: the only time it is ever seen. Runs on the calling
    /// thread: one short transaction, meant for the shell at start-up or on demand.
    pub fn issue_admin_secret(&self) -> Result<Secret, SandboxError> {
        let secret = secrets::generate()?;
        let hash = secrets::hash(secret.expose());
        let now = OffsetDateTime::now_utc();
        self.db
            .with(|conn| store::add_admin_secret(conn, &self.admin_client_id, &hash, now))
            .map_err(|source| SandboxError::Database {
                path: self.db_path.clone(),
                source,
            })?;
        tracing::info!(client_id = %self.admin_client_id, "issued a secret to the admin client");
        Ok(secret)
    }

    /// Gives [`SANDBOX_USER`] a fresh password for the sign-in page and returns it: the only
    /// time it is seen.
    pub fn issue_user_password(&self) -> Result<Secret, SandboxError> {
        let password = secrets::generate()?;
        let hash = secrets::hash(password.expose());
        self.db
            .with(|conn| store::set_user_password(conn, SANDBOX_USER, &hash))
            .map_err(|source| SandboxError::Database {
                path: self.db_path.clone(),
                source,
            })?;
        Ok(password)
    }

    /// Stops accepting, lets open requests finish (for a few seconds at most), then closes the
    /// database.
    pub async fn shutdown(self) {
        let Sandbox {
            stop,
            mut server,
            db,
            addr,
            ..
        } = self;
        stop.send(()).ok();
        let finished = match tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await {
            Ok(finished) => finished,
            Err(_) => {
                tracing::warn!(%addr, "requests still open after the grace period: cutting them off");
                server.abort();
                server.await
            }
        };
        if let Err(failed) = finished {
            if failed.is_panic() {
                std::panic::resume_unwind(failed.into_panic());
            }
        }
        db.close();
        tracing::info!(%addr, "sandbox stopped");
    }
}
