//! The audit trail: every change Registrar makes, appended to a local JSON Lines file, one entry a
//! line, owner-only, each line synced to disk before the change is reported done. Each entry
//! carries the hash of the one before it and its own, so an entry changed or taken out is found
//! by [`AuditLog::verify`]. What an entry holds is metadata only: never a secret's value or a
//! token (an app's secrets appear as their ids, descriptions and dates).

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::connections::Connection;
use crate::error::{Error, Result};
use crate::files::FileLock;
use crate::model::{AppType, ExternalApp, ScopeType, SecretInfo};

/// The hash the first entry follows.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    ConnectionAdded,
    ConnectionEdited,
    ConnectionRemoved,
    AppCreated,
    AppUpdated,
    AppDeleted,
    SecretGenerated,
    SecretDeleted,
    SheetExported,
    SheetExportedWithSecret,
    FindingDismissed,
    RotationStarted,
    RotationVerified,
    RotationFinished,
    RotationCancelled,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::ConnectionAdded,
        Action::ConnectionEdited,
        Action::ConnectionRemoved,
        Action::AppCreated,
        Action::AppUpdated,
        Action::AppDeleted,
        Action::SecretGenerated,
        Action::SecretDeleted,
        Action::SheetExported,
        Action::SheetExportedWithSecret,
        Action::FindingDismissed,
        Action::RotationStarted,
        Action::RotationVerified,
        Action::RotationFinished,
        Action::RotationCancelled,
    ];

    /// The name entries and filters use: `appCreated`.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// Something an entry is about: its id and the name it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub id: String,
    pub name: String,
}

/// A change as the code that made it reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub connection: Subject,
    /// Who acted on the server: the admin app or the signed-in user.
    pub admin: String,
    pub app: Option<Subject>,
    pub action: Action,
    /// The metadata before and after; none where there was none (a creation, a deletion).
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// One line of the trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// 1 for the first entry, one more for each.
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The operating system's user that ran Registrar.
    pub user: String,
    #[serde(flatten)]
    pub change: Change,
    /// The hash of the entry before (zeros for the first).
    pub prev: String,
    /// SHA-256 of this entry written with `hash` empty, hex.
    pub hash: String,
}

impl Entry {
    fn digest(&self) -> String {
        let unhashed = Entry {
            hash: String::new(),
            ..self.clone()
        };
        // An entry always serializes: its members are strings, numbers and JSON values.
        let bytes = serde_json::to_vec(&unhashed).unwrap_or_default();
        hex(&Sha256::digest(bytes))
    }
}

/// What [`AuditLog::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry is as written, none is missing in between: `entries` of them.
    Intact { entries: u64 },
    /// The first entry that is not as written, or after which one is missing, and why.
    Broken { line: u64, why: String },
}

/// The trail in one file.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `change`, chained to the last entry, and syncs it to disk. One writer at a time,
    /// across processes too (the window and the command line).
    pub async fn append(&self, change: Change, at: OffsetDateTime) -> Result<Entry> {
        let _lock = FileLock::acquire(&self.path.with_extension("lock")).await?;
        let last = self.entries()?.pop();
        let mut entry = Entry {
            seq: last.as_ref().map_or(1, |e| e.seq + 1),
            at,
            user: os_user(),
            change,
            prev: last.map_or_else(|| GENESIS.to_owned(), |e| e.hash),
            hash: String::new(),
        };
        entry.hash = entry.digest();
        let mut line = serde_json::to_vec(&entry)
            .map_err(|e| Error::Storage(format!("Could not write the audit entry: {e}.")))?;
        line.push(b'\n');
        let fail = |e: std::io::Error| {
            Error::Storage(format!(
                "Could not append to the audit trail {}: {e}.",
                self.path.display()
            ))
        };
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.path).map_err(fail)?;
        file.write_all(&line).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        Ok(entry)
    }

    /// Every entry, oldest first; none when there is no trail yet.
    pub fn entries(&self) -> Result<Vec<Entry>> {
        self.lines()?
            .into_iter()
            .enumerate()
            .map(|(n, line)| {
                serde_json::from_str(&line).map_err(|e| {
                    Error::Storage(format!(
                        "Line {} of the audit trail {} is not an entry ({e}): run `registrar \
                         audit verify`.",
                        n + 1,
                        self.path.display()
                    ))
                })
            })
            .collect()
    }

    /// Checks every entry's hash and its link to the one before.
    pub fn verify(&self) -> Result<Verdict> {
        let mut prev = GENESIS.to_owned();
        let mut count = 0;
        for (n, line) in self.lines()?.into_iter().enumerate() {
            let line_no = n as u64 + 1;
            let broken = |why: String| Ok(Verdict::Broken { line: line_no, why });
            let Ok(entry) = serde_json::from_str::<Entry>(&line) else {
                return broken("it is not an entry of the trail".into());
            };
            if entry.seq != line_no {
                return broken(format!(
                    "it is entry {} where entry {line_no} belongs: entries before it were taken \
                     out or moved",
                    entry.seq
                ));
            }
            if entry.prev != prev {
                return broken("it does not follow the entry before it".into());
            }
            if entry.digest() != entry.hash {
                return broken("it was changed after it was written".into());
            }
            prev = entry.hash;
            count = line_no;
        }
        Ok(Verdict::Intact { entries: count })
    }

    fn lines(&self) -> Result<Vec<String>> {
        let file = match std::fs::File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(Error::Storage(format!(
                    "Could not read the audit trail {}: {e}.",
                    self.path.display()
                )))
            }
        };
        BufReader::new(file)
            .lines()
            .filter(|line| !line.as_ref().is_ok_and(|l| l.trim().is_empty()))
            .collect::<std::io::Result<_>>()
            .map_err(|e| {
                Error::Storage(format!(
                    "Could not read the audit trail {}: {e}.",
                    self.path.display()
                ))
            })
    }
}

impl Subject {
    pub fn app(app: &ExternalApp) -> Self {
        Self {
            id: app.id.clone(),
            name: app.name.clone(),
        }
    }

    pub fn connection(connection: &Connection) -> Self {
        Self {
            id: connection.id.clone(),
            name: connection.name.clone(),
        }
    }
}

/// An app as the trail records it: its settings and its secrets' metadata, never a value.
pub fn app_metadata(app: &ExternalApp) -> Value {
    let scopes = |of: ScopeType| {
        app.scopes
            .iter()
            .filter(|s| s.scope_type == of)
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    };
    serde_json::json!({
        "name": app.name,
        "type": match app.app_type {
            AppType::Confidential => "confidential",
            AppType::NonConfidential => "nonConfidential",
        },
        "redirectUris": app.redirect_uris,
        "userScopes": scopes(ScopeType::User),
        "applicationScopes": scopes(ScopeType::Application),
        "secrets": app.secrets.iter().map(secret_metadata).collect::<Vec<_>>(),
    })
}

/// A secret as the trail records it: which one, never its value.
pub fn secret_metadata(secret: &SecretInfo) -> Value {
    let rfc3339 = |at: OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    serde_json::json!({
        "id": secret.id,
        "description": secret.description,
        "created": rfc3339(secret.created),
        "expires": secret.expires.map(rfc3339),
    })
}

/// A connection as the trail records it: what the connections file holds (no credential).
pub fn connection_metadata(connection: &Connection) -> Value {
    serde_json::to_value(connection).unwrap_or(Value::Null)
}

/// The operating system's user running Registrar, as its environment names it.
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The entries as CSV (RFC 4180): one header line, then one line per entry; `before` and
/// `after` as their JSON.
pub fn to_csv(entries: &[Entry]) -> String {
    let field = |text: &str| match text.contains([',', '"', '\n', '\r']) {
        true => format!("\"{}\"", text.replace('"', "\"\"")),
        false => text.to_owned(),
    };
    let json = |value: &Option<Value>| value.as_ref().map(Value::to_string).unwrap_or_default();
    let mut out = String::from(
        "seq,at,user,connection_id,connection,admin,app_id,app,action,before,after,hash\r\n",
    );
    for e in entries {
        let at =
            e.at.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
        let c = &e.change;
        let app = c.app.as_ref();
        let cells = [
            e.seq.to_string(),
            at,
            e.user.clone(),
            c.connection.id.clone(),
            c.connection.name.clone(),
            c.admin.clone(),
            app.map(|a| a.id.clone()).unwrap_or_default(),
            app.map(|a| a.name.clone()).unwrap_or_default(),
            c.action.name(),
            json(&c.before),
            json(&c.after),
            e.hash.clone(),
        ];
        let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn change(action: Action, app: &str) -> Change {
        Change {
            connection: Subject {
                id: "c1".into(),
                name: "Sandbox".into(),
            },
            admin: "admin app 1234".into(),
            app: Some(Subject {
                id: app.into(),
                name: format!("App {app}"),
            }),
            action,
            before: None,
            after: Some(json!({"name": format!("App {app}"), "scopes": ["OR.Jobs"]})),
        }
    }

    async fn trail_of(count: usize) -> (tempfile::TempDir, AuditLog) {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        for n in 0..count {
            let at = OffsetDateTime::UNIX_EPOCH + time::Duration::days(n as i64);
            log.append(change(Action::AppCreated, &n.to_string()), at)
                .await
                .unwrap();
        }
        (dir, log)
    }

    fn rewrite(log: &AuditLog, edit: impl FnOnce(&mut Vec<String>)) {
        let mut lines = log.lines().unwrap();
        edit(&mut lines);
        std::fs::write(log.path(), lines.join("\n") + "\n").unwrap();
    }

    #[tokio::test]
    async fn entries_are_chained_owner_only_and_verified() {
        let (_dir, log) = trail_of(3).await;
        let entries = log.entries().unwrap();
        assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(entries[0].prev, GENESIS);
        assert_eq!(entries[1].prev, entries[0].hash);
        assert_eq!(entries[2].change.app.as_ref().unwrap().name, "App 2");
        assert_eq!(log.verify().unwrap(), Verdict::Intact { entries: 3 });
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(log.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[tokio::test]
    async fn an_edited_entry_is_found() {
        let (_dir, log) = trail_of(3).await;
        rewrite(&log, |lines| lines[1] = lines[1].replace("App 1", "App X"));
        assert_eq!(
            log.verify().unwrap(),
            Verdict::Broken {
                line: 2,
                why: "it was changed after it was written".into()
            }
        );
    }

    #[tokio::test]
    async fn a_deleted_entry_is_found() {
        let (_dir, log) = trail_of(3).await;
        rewrite(&log, |lines| {
            lines.remove(1);
        });
        let Verdict::Broken { line, why } = log.verify().unwrap() else {
            panic!("a deletion went unnoticed");
        };
        assert_eq!(line, 2);
        assert!(why.contains("taken out"), "{why}");
    }

    #[tokio::test]
    async fn a_renumbered_and_rehashed_entry_still_breaks_the_chain() {
        let (_dir, log) = trail_of(3).await;
        let mut entries = log.entries().unwrap();
        entries.remove(1);
        entries[1].seq = 2;
        entries[1].hash = entries[1].digest();
        rewrite(&log, |lines| {
            *lines = entries
                .iter()
                .map(|e| serde_json::to_string(e).unwrap())
                .collect();
        });
        assert_eq!(
            log.verify().unwrap(),
            Verdict::Broken {
                line: 2,
                why: "it does not follow the entry before it".into()
            }
        );
    }

    #[tokio::test]
    async fn csv_quotes_what_needs_it() {
        let (_dir, log) = trail_of(1).await;
        let csv = to_csv(&log.entries().unwrap());
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert!(lines[0].starts_with("seq,at,user,"));
        assert!(
            lines[1].starts_with("1,1970-01-01T00:00:00Z,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains(r#","{""name"":""App 0"",""scopes"":[""OR.Jobs""]}","#),
            "{}",
            lines[1]
        );
    }
}
