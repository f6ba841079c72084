//! SQLite persistence: the schema and its migrations, and every query the server makes.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::hooks::Action;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, ToSql};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::catalog::{Grant, GrantedScope};
use crate::{secrets, SandboxError};

/// Each entry moves the schema one version up; `PRAGMA user_version` says how many have run.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        partition_global_id TEXT NOT NULL,
        signing_key_seed BLOB NOT NULL,
        admin_client_id TEXT NOT NULL
    ) STRICT;
    CREATE TABLE clients (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        is_confidential INTEGER NOT NULL,
        redirect_uri TEXT
    ) STRICT;
    CREATE TABLE client_scopes (
        client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'application')),
        PRIMARY KEY (client_id, name, kind)
    ) STRICT;
    -- AUTOINCREMENT: a deleted secret's id is never handed out again.
    CREATE TABLE client_secrets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
        description TEXT,
        sha256 BLOB NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER
    ) STRICT;
    CREATE INDEX client_secrets_by_client ON client_secrets (client_id);
",
    "
    -- The people who sign in at the authorization endpoint; passwords are random and hashed.
    CREATE TABLE users (
        id TEXT PRIMARY KEY NOT NULL,
        username TEXT NOT NULL UNIQUE,
        password_sha256 BLOB NOT NULL
    ) STRICT;
    -- Authorization codes and refresh tokens, by the hash of their value; each is usable once.
    CREATE TABLE user_grants (
        sha256 BLOB PRIMARY KEY NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('code', 'refresh')),
        client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        scope TEXT NOT NULL,
        redirect_uri TEXT,
        code_challenge TEXT,
        expires_ms INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
    ) STRICT;
",
    "
    -- A code and the refresh tokens that descend from it share a family: presenting any of them a
    -- second time revokes the whole family (RFC 6749 4.1.2, RFC 9700 4.14).
    ALTER TABLE user_grants ADD COLUMN family TEXT NOT NULL DEFAULT '';
",
];

pub(crate) const ADMIN_CLIENT_NAME: &str = "Registrar admin";
pub(crate) const ADMIN_SCOPES: [&str; 4] = [
    "PM.OAuthApp",
    "PM.OAuthApp.Read",
    "PM.OAuthApp.Write",
    "PM.OAuthAppSecret.Write",
];

/// The sandbox's own identity, made once when the database is created.
#[derive(Debug)]
pub(crate) struct Meta {
    pub partition: Uuid,
    pub signing_key_seed: [u8; 32],
    pub admin_client_id: String,
}

#[derive(Debug)]
pub(crate) struct Opened {
    pub conn: Connection,
    pub meta: Meta,
    /// This open made the sandbox's identity: the database was new.
    pub created: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct ClientFields {
    pub name: String,
    pub redirect_uri: Option<String>,
    pub scopes: Vec<GrantedScope>,
}

#[derive(Debug, Clone)]
pub(crate) struct ClientRecord {
    pub id: String,
    pub is_confidential: bool,
    pub fields: ClientFields,
    pub secrets: Vec<SecretRecord>,
}

#[derive(Debug, Clone)]
pub(crate) struct SecretRecord {
    pub id: i64,
    pub description: Option<String>,
    pub created: OffsetDateTime,
    pub expires: Option<OffsetDateTime>,
}

/// What the token endpoint needs to know about a client.
#[derive(Debug)]
pub(crate) struct TokenClient {
    pub is_confidential: bool,
    /// Each secret's hash, and when it expires.
    pub secrets: Vec<(Vec<u8>, Option<OffsetDateTime>)>,
    /// Sorted by name.
    pub application_scopes: Vec<String>,
}

impl TokenClient {
    /// The hashes of the secrets that work at `now`.
    pub fn live_secret_hashes(&self, now: OffsetDateTime) -> impl Iterator<Item = &[u8]> {
        self.secrets
            .iter()
            .filter(move |(_, expires)| expires.is_none_or(|at| at > now))
            .map(|(hash, _)| hash.as_slice())
    }
}

/// The tables whose rows say what a client is and holds.
const CLIENT_TABLES: [&str; 3] = ["clients", "client_scopes", "client_secrets"];

/// The one connection, shared. SQLite calls block, so request handlers go through [`Db::run`],
/// which takes the lock on the blocking pool: a slow disk then stalls no async worker. Every
/// locked section is one short statement or transaction on a small local database.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
    /// Counts the row changes to [`CLIENT_TABLES`], whoever makes them: what was read about a
    /// client before the count moved may be out of date.
    client_changes: Arc<AtomicU64>,
}

impl Db {
    pub fn new(conn: Connection) -> Self {
        let client_changes = Arc::new(AtomicU64::new(0));
        let counter = client_changes.clone();
        conn.update_hook(Some(move |_: Action, _: &str, table: &str, _: i64| {
            if CLIENT_TABLES.contains(&table) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }));
        Self {
            conn: Arc::new(Mutex::new(conn)),
            client_changes,
        }
    }

    /// How many rows of the client tables have changed since the database was opened.
    pub fn client_changes(&self) -> u64 {
        self.client_changes.load(Ordering::SeqCst)
    }

    /// Runs `f` on the calling thread under the lock.
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        // A panic inside a section cannot leave a half-done write behind (an unfinished
        // transaction rolls back on drop), so a poisoned lock is still safe to use.
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut conn)
    }

    pub async fn run<T, F>(&self, f: F) -> T
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> T + Send + 'static,
    {
        let db = self.clone();
        match tokio::task::spawn_blocking(move || db.with(f)).await {
            Ok(value) => value,
            Err(failed) => std::panic::resume_unwind(failed.into_panic()),
        }
    }

    /// Closes the connection if this is the last handle; otherwise the last one to drop closes it.
    pub fn close(self) {
        if let Ok(mutex) = Arc::try_unwrap(self.conn) {
            let conn = mutex.into_inner().unwrap_or_else(PoisonError::into_inner);
            if let Err((_, error)) = conn.close() {
                tracing::warn!(%error, "closing the sandbox database failed");
            }
        }
    }
}

/// Opens (creating the file and its folder when missing), migrates, and on first use makes the
/// partition, signing key and bootstrap admin client.
pub(crate) fn open(path: &Path) -> Result<Opened, SandboxError> {
    let db_error = |source| SandboxError::Database {
        path: path.to_owned(),
        source,
    };
    if let Some(folder) = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        create_private_folder(folder).map_err(|source| SandboxError::CreateDir {
            path: folder.to_owned(),
            source,
        })?;
    }
    make_private(path).map_err(|source| SandboxError::Permissions {
        path: path.to_owned(),
        source,
    })?;
    let mut conn = Connection::open(path).map_err(db_error)?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(db_error)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(db_error)?;
    migrate(&mut conn, path)?;

    let tx = conn.transaction().map_err(db_error)?;
    let stored = tx
        .query_row(
            "SELECT partition_global_id, signing_key_seed, admin_client_id FROM meta",
            [],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Vec<u8>>(1)?,
                    row.get::<_, String>(2)?,
                ))
            },
        )
        .optional()
        .map_err(db_error)?;
    let corrupt = |what| SandboxError::Corrupt {
        path: path.to_owned(),
        what,
    };
    let (meta, created) = match stored {
        Some((partition, seed, admin_client_id)) => {
            let meta = Meta {
                partition: partition.parse().map_err(|_| corrupt("partition id"))?,
                signing_key_seed: seed.try_into().map_err(|_| corrupt("signing key"))?,
                admin_client_id,
            };
            (meta, false)
        }
        None => {
            let meta = Meta {
                partition: Uuid::new_v4(),
                signing_key_seed: secrets::random_bytes()?,
                admin_client_id: Uuid::new_v4().to_string(),
            };
            tx.execute(
                "INSERT INTO meta (id, partition_global_id, signing_key_seed, admin_client_id)
                 VALUES (1, ?1, ?2, ?3)",
                params![
                    meta.partition.to_string(),
                    meta.signing_key_seed,
                    meta.admin_client_id
                ],
            )
            .map_err(db_error)?;
            ensure_admin_client(&tx, &meta.admin_client_id).map_err(db_error)?;
            (meta, true)
        }
    };
    tx.commit().map_err(db_error)?;
    Ok(Opened {
        conn,
        meta,
        created,
    })
}

/// The database holds the key that signs every token, so the folders made for it are the user's
/// alone (0700), as the database is (0600).
#[cfg(unix)]
fn create_private_folder(folder: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
}

#[cfg(not(unix))]
fn create_private_folder(folder: &Path) -> io::Result<()> {
    fs::create_dir_all(folder)
}

/// Creates the database file owner-only before SQLite opens it, or makes an existing one so,
/// along with any journal left beside it. SQLite gives the journal, WAL and shared-memory files it
/// creates the database file's mode, so they are owner-only too.
#[cfg(unix)]
fn make_private(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let owner_only = || fs::Permissions::from_mode(0o600);
    fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?
        .set_permissions(owner_only())?;
    for suffix in SIDE_FILES {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        match fs::set_permissions(&side, owner_only()) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_private(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// The files SQLite keeps beside a database: the rollback journal, the write-ahead log and its
/// shared-memory index.
#[cfg(unix)]
const SIDE_FILES: [&str; 3] = ["-journal", "-wal", "-shm"];

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), SandboxError> {
    let db_error = |source| SandboxError::Database {
        path: path.to_owned(),
        source,
    };
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(db_error)?;
    if found > known {
        return Err(SandboxError::NewerSchema {
            path: path.to_owned(),
            found,
            known,
        });
    }
    for (version, sql) in (1..)
        .zip(MIGRATIONS)
        .skip_while(|(version, _)| *version <= found)
    {
        let tx = conn.transaction().map_err(db_error)?;
        tx.execute_batch(sql).map_err(db_error)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(db_error)?;
        tx.commit().map_err(db_error)?;
    }
    Ok(())
}

/// Adds a secret to the bootstrap admin client, first re-creating that client (same id, admin
/// scopes) if it was deleted.
pub(crate) fn add_admin_secret(
    conn: &mut Connection,
    admin_client_id: &str,
    sha256: &[u8; 32],
    now: OffsetDateTime,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    ensure_admin_client(&tx, admin_client_id)?;
    insert_secret(
        &tx,
        admin_client_id,
        Some("Issued for Registrar"),
        sha256,
        now,
        None,
    )?;
    tx.commit()
}

fn ensure_admin_client(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    if is_confidential(conn, id)?.is_none() {
        let fields = ClientFields {
            name: ADMIN_CLIENT_NAME.into(),
            redirect_uri: None,
            scopes: ADMIN_SCOPES
                .iter()
                .map(|name| GrantedScope {
                    name: (*name).into(),
                    grant: Grant::Application,
                })
                .collect(),
        };
        insert_client(conn, id, true, &fields)?;
    }
    Ok(())
}

pub(crate) fn insert_client(
    conn: &Connection,
    id: &str,
    is_confidential: bool,
    fields: &ClientFields,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO clients (id, name, is_confidential, redirect_uri) VALUES (?1, ?2, ?3, ?4)",
        params![id, fields.name, is_confidential, fields.redirect_uri],
    )?;
    insert_scopes(conn, id, &fields.scopes)
}

/// Replaces name, redirect URIs and the whole scope list; false when there is no such client.
pub(crate) fn update_client(
    conn: &mut Connection,
    id: &str,
    fields: &ClientFields,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    let changed = tx.execute(
        "UPDATE clients SET name = ?2, redirect_uri = ?3 WHERE id = ?1",
        params![id, fields.name, fields.redirect_uri],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM client_scopes WHERE client_id = ?1", [id])?;
    insert_scopes(&tx, id, &fields.scopes)?;
    tx.commit()?;
    Ok(true)
}

fn insert_scopes(conn: &Connection, id: &str, scopes: &[GrantedScope]) -> rusqlite::Result<()> {
    let mut insert = conn
        .prepare_cached("INSERT INTO client_scopes (client_id, name, kind) VALUES (?1, ?2, ?3)")?;
    for scope in scopes {
        insert.execute(params![id, scope.name, scope.grant])?;
    }
    Ok(())
}

/// Its scopes and secrets go with it (ON DELETE CASCADE).
pub(crate) fn delete_client(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM clients WHERE id = ?1", [id])? > 0)
}

pub(crate) fn is_confidential(conn: &Connection, id: &str) -> rusqlite::Result<Option<bool>> {
    conn.query_row(
        "SELECT is_confidential FROM clients WHERE id = ?1",
        [id],
        |row| row.get(0),
    )
    .optional()
}

pub(crate) fn insert_secret(
    conn: &Connection,
    client_id: &str,
    description: Option<&str>,
    sha256: &[u8; 32],
    created: OffsetDateTime,
    expires: Option<OffsetDateTime>,
) -> rusqlite::Result<SecretRecord> {
    let created_ms = millis(created);
    let expires_ms = expires.map(millis);
    conn.execute(
        "INSERT INTO client_secrets (client_id, description, sha256, created_ms, expires_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![client_id, description, &sha256[..], created_ms, expires_ms],
    )?;
    Ok(SecretRecord {
        id: conn.last_insert_rowid(),
        description: description.map(str::to_owned),
        created: from_millis(created_ms)?,
        expires: expires_ms.map(from_millis).transpose()?,
    })
}

pub(crate) fn delete_secret(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM client_secrets WHERE id = ?1", [id])? > 0)
}

pub(crate) fn list_clients(conn: &Connection) -> rusqlite::Result<Vec<ClientRecord>> {
    load_clients(conn, None)
}

pub(crate) fn get_client(conn: &Connection, id: &str) -> rusqlite::Result<Option<ClientRecord>> {
    Ok(load_clients(conn, Some(id))?.pop())
}

/// All clients, or the one named, in creation order, with their scopes and secret metadata.
fn load_clients(conn: &Connection, only: Option<&str>) -> rusqlite::Result<Vec<ClientRecord>> {
    let mut clients = conn
        .prepare_cached(
            "SELECT id, name, is_confidential, redirect_uri FROM clients
             WHERE ?1 IS NULL OR id = ?1 ORDER BY rowid",
        )?
        .query_map([only], |row| {
            Ok(ClientRecord {
                id: row.get(0)?,
                is_confidential: row.get(2)?,
                fields: ClientFields {
                    name: row.get(1)?,
                    redirect_uri: row.get(3)?,
                    scopes: Vec::new(),
                },
                secrets: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let position: HashMap<String, usize> = clients
        .iter()
        .enumerate()
        .map(|(i, client)| (client.id.clone(), i))
        .collect();

    let mut scopes = conn.prepare_cached(
        "SELECT client_id, name, kind FROM client_scopes
         WHERE ?1 IS NULL OR client_id = ?1 ORDER BY name, kind",
    )?;
    let mut rows = scopes.query([only])?;
    while let Some(row) = rows.next()? {
        if let Some(&i) = position.get(&row.get::<_, String>(0)?) {
            clients[i].fields.scopes.push(GrantedScope {
                name: row.get(1)?,
                grant: row.get(2)?,
            });
        }
    }

    let mut secrets = conn.prepare_cached(
        "SELECT client_id, id, description, created_ms, expires_ms FROM client_secrets
         WHERE ?1 IS NULL OR client_id = ?1 ORDER BY id",
    )?;
    let mut rows = secrets.query([only])?;
    while let Some(row) = rows.next()? {
        if let Some(&i) = position.get(&row.get::<_, String>(0)?) {
            clients[i].secrets.push(SecretRecord {
                id: row.get(1)?,
                description: row.get(2)?,
                created: from_millis(row.get(3)?)?,
                expires: row.get::<_, Option<i64>>(4)?.map(from_millis).transpose()?,
            });
        }
    }
    Ok(clients)
}

/// What the token endpoint needs to know about client `id`, or `None` if there is no such client.
pub(crate) fn token_client(conn: &Connection, id: &str) -> rusqlite::Result<Option<TokenClient>> {
    let Some(is_confidential) = is_confidential(conn, id)? else {
        return Ok(None);
    };
    let secrets = conn
        .prepare_cached("SELECT sha256, expires_ms FROM client_secrets WHERE client_id = ?1")?
        .query_map(params![id], |row| {
            let expires: Option<i64> = row.get(1)?;
            Ok((row.get(0)?, expires.map(from_millis).transpose()?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(TokenClient {
        is_confidential,
        secrets,
        application_scopes: scope_names(conn, id, Grant::Application)?,
    }))
}

/// The names of the scopes `id` holds as `grant`, or `None` if there is no such client.
pub(crate) fn held_scopes(
    conn: &Connection,
    id: &str,
    grant: Grant,
) -> rusqlite::Result<Option<Vec<String>>> {
    if is_confidential(conn, id)?.is_none() {
        return Ok(None);
    }
    scope_names(conn, id, grant).map(Some)
}

/// Sorted by name.
fn scope_names(conn: &Connection, id: &str, grant: Grant) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT name FROM client_scopes WHERE client_id = ?1 AND kind = ?2 ORDER BY name",
    )?
    .query_map(params![id, grant], |row| row.get(0))?
    .collect()
}

/// Sets `username`'s password hash, adding the user if it is new.
pub(crate) fn set_user_password(
    conn: &Connection,
    username: &str,
    sha256: &[u8; 32],
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO users (id, username, password_sha256) VALUES (?1, ?2, ?3)
         ON CONFLICT (username) DO UPDATE SET password_sha256 = excluded.password_sha256",
        params![Uuid::new_v4().to_string(), username, sha256],
    )?;
    Ok(())
}

/// A user's id and password hash.
pub(crate) fn user(
    conn: &Connection,
    username: &str,
) -> rusqlite::Result<Option<(String, Vec<u8>)>> {
    conn.query_row(
        "SELECT id, password_sha256 FROM users WHERE username = ?1",
        [username],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserGrantKind {
    Code,
    Refresh,
}

impl UserGrantKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Refresh => "refresh",
        }
    }
}

/// An authorization code or refresh token: what it allows, never its value.
#[derive(Debug, Clone)]
pub(crate) struct UserGrant {
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub redirect_uri: Option<String>,
    pub code_challenge: Option<String>,
    pub expires: OffsetDateTime,
    /// Shared by a code and every refresh token that descends from it.
    pub family: String,
}

pub(crate) fn insert_user_grant(
    conn: &Connection,
    sha256: &[u8; 32],
    kind: UserGrantKind,
    grant: &UserGrant,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO user_grants
             (sha256, kind, client_id, user_id, scope, redirect_uri, code_challenge, expires_ms,
              family)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            sha256,
            kind.as_str(),
            grant.client_id,
            grant.user_id,
            grant.scope,
            grant.redirect_uri,
            grant.code_challenge,
            millis(grant.expires),
            grant.family
        ],
    )?;
    Ok(())
}

/// What presenting a code or refresh token found.
#[derive(Debug)]
pub(crate) enum Taken {
    /// Valid, and now used up.
    Fresh(UserGrant),
    /// It was used before; its family is revoked now.
    Reused,
    /// Unknown or expired.
    Missing,
}

/// Uses up the grant with this hash, in one transaction so two presentations cannot both win. A
/// grant presented again revokes its family: whoever replays it, and whoever got tokens from it,
/// must sign in again.
pub(crate) fn take_user_grant(
    conn: &mut Connection,
    sha256: &[u8; 32],
    kind: UserGrantKind,
    now: OffsetDateTime,
) -> rusqlite::Result<Taken> {
    let tx = conn.transaction()?;
    let found = tx
        .query_row(
            "SELECT client_id, user_id, scope, redirect_uri, code_challenge, expires_ms, family,
                    used
             FROM user_grants WHERE sha256 = ?1 AND kind = ?2",
            params![sha256, kind.as_str()],
            |row| {
                Ok((
                    UserGrant {
                        client_id: row.get(0)?,
                        user_id: row.get(1)?,
                        scope: row.get(2)?,
                        redirect_uri: row.get(3)?,
                        code_challenge: row.get(4)?,
                        expires: from_millis(row.get(5)?)?,
                        family: row.get(6)?,
                    },
                    row.get::<_, bool>(7)?,
                ))
            },
        )
        .optional()?;
    let taken = match found {
        None => Taken::Missing,
        Some((grant, true)) => {
            if !grant.family.is_empty() {
                tx.execute(
                    "UPDATE user_grants SET used = 1 WHERE family = ?1",
                    params![grant.family],
                )?;
            }
            Taken::Reused
        }
        Some((grant, false)) if grant.expires <= now => Taken::Missing,
        Some((grant, false)) => {
            tx.execute(
                "UPDATE user_grants SET used = 1 WHERE sha256 = ?1",
                params![sha256],
            )?;
            Taken::Fresh(grant)
        }
    };
    tx.commit()?;
    Ok(taken)
}

/// Times are stored as Unix milliseconds: exact enough for expiry and easy to compare in SQL.
fn millis(time: OffsetDateTime) -> i64 {
    i64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn from_millis(ms: i64) -> rusqlite::Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            Box::new(error),
        )
    })
}

impl ToSql for Grant {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Grant {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        Grant::parse(value.as_str()?).ok_or(FromSqlError::InvalidType)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_temp() -> (tempfile::TempDir, Opened) {
        let dir = tempfile::tempdir().unwrap();
        let opened = open(&dir.path().join("nested/sandbox.sqlite3")).unwrap();
        (dir, opened)
    }

    #[test]
    fn first_open_creates_identity_and_admin_client_and_reopen_keeps_them() {
        let (dir, first) = open_temp();
        assert!(first.created);
        let admin = get_client(&first.conn, &first.meta.admin_client_id)
            .unwrap()
            .unwrap();
        assert!(admin.is_confidential);
        assert_eq!(admin.fields.name, ADMIN_CLIENT_NAME);
        let mut names: Vec<&str> = admin
            .fields
            .scopes
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        names.sort_unstable();
        assert_eq!(names, ADMIN_SCOPES);
        assert!(admin
            .fields
            .scopes
            .iter()
            .all(|s| s.grant == Grant::Application));
        drop(first.conn);

        let again = open(&dir.path().join("nested/sandbox.sqlite3")).unwrap();
        assert!(!again.created);
        assert_eq!(again.meta.partition, first.meta.partition);
        assert_eq!(again.meta.signing_key_seed, first.meta.signing_key_seed);
        assert_eq!(again.meta.admin_client_id, first.meta.admin_client_id);
    }

    #[test]
    fn a_database_from_before_sign_in_gains_users_and_keeps_its_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO meta VALUES (1, ?1, zeroblob(32), 'admin-id')",
                [Uuid::nil().to_string()],
            )
            .unwrap();
        }
        let opened = open(&path).unwrap();
        assert!(!opened.created);
        assert_eq!(opened.meta.admin_client_id, "admin-id");
        set_user_password(&opened.conn, "admin", &[7; 32]).unwrap();
        assert!(user(&opened.conn, "admin").unwrap().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_the_database_and_its_side_files_are_the_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| {
            format!(
                "{:o}",
                fs::metadata(path).unwrap().permissions().mode() & 0o777
            )
        };
        let side = |path: &Path, suffix: &str| {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            std::path::PathBuf::from(side)
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/nested/sandbox.sqlite3");
        let mut opened = open(&path).unwrap();
        assert_eq!(mode(&dir.path().join("data")), "700");
        assert_eq!(mode(&dir.path().join("data/nested")), "700");
        assert_eq!(mode(&path), "600");

        // A write transaction keeps its rollback journal until it ends.
        let tx = opened.conn.transaction().unwrap();
        set_user_password(&tx, "someone", &[1; 32]).unwrap();
        assert_eq!(mode(&side(&path, "-journal")), "600");
        tx.rollback().unwrap();

        let wal: String = opened
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .unwrap();
        assert_eq!(wal, "wal");
        set_user_password(&opened.conn, "someone", &[1; 32]).unwrap();
        assert_eq!(mode(&side(&path, "-wal")), "600");
        assert_eq!(mode(&side(&path, "-shm")), "600");
    }

    #[cfg(unix)]
    #[test]
    fn a_database_readable_by_others_is_made_the_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, opened) = open_temp();
        let path = dir.path().join("nested/sandbox.sqlite3");
        drop(opened.conn);
        let journal = dir.path().join("nested/sandbox.sqlite3-journal");
        fs::write(&journal, b"").unwrap();
        for file in [&path, &journal] {
            fs::set_permissions(file, fs::Permissions::from_mode(0o644)).unwrap();
        }
        let again = open(&path).unwrap();
        assert!(!again.created);
        for file in [&path, &journal] {
            let mode = fs::metadata(file).unwrap().permissions().mode() & 0o777;
            assert_eq!(format!("{mode:o}"), "600", "{}", file.display());
        }
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("newer.sqlite3");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(matches!(
            open(&path),
            Err(SandboxError::NewerSchema {
                found: 99,
                known: 3,
                ..
            })
        ));
    }

    #[test]
    fn deleting_a_client_takes_its_scopes_and_secrets() {
        let (_dir, mut opened) = open_temp();
        let id = opened.meta.admin_client_id.clone();
        add_admin_secret(&mut opened.conn, &id, &[1; 32], OffsetDateTime::now_utc()).unwrap();
        assert!(delete_client(&opened.conn, &id).unwrap());
        for table in ["client_scopes", "client_secrets"] {
            let left: i64 = opened
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                    row.get(0)
                })
                .unwrap();
            assert_eq!(left, 0, "{table}");
        }
    }

    #[test]
    fn expired_secrets_are_not_live() {
        let (_dir, mut opened) = open_temp();
        let id = opened.meta.admin_client_id.clone();
        let now = OffsetDateTime::now_utc();
        add_admin_secret(&mut opened.conn, &id, &[1; 32], now).unwrap();
        insert_secret(
            &opened.conn,
            &id,
            None,
            &[2; 32],
            now,
            Some(now + time::Duration::seconds(5)),
        )
        .unwrap();
        let client = token_client(&opened.conn, &id).unwrap().unwrap();
        let later: Vec<&[u8]> = client
            .live_secret_hashes(now + time::Duration::seconds(10))
            .collect();
        assert_eq!(later, [[1; 32]]);
        assert_eq!(client.live_secret_hashes(now).count(), 2);
    }
}
