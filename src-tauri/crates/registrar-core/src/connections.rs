//! The admin's connections to identity servers, kept in a small JSON file in the app's config
//! folder. The file never holds a credential: those live in the keychain, under
//! [`Connection::secret_account`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    /// The embedded sandbox identity server, started with the app.
    Sandbox,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    pub organization: String,
    pub partition_global_id: Uuid,
    /// The admin app's client id; its secret is in the keychain.
    pub admin_client_id: String,
    /// The sandbox's port, kept so its URLs stay the same from one start to the next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_port: Option<u16>,
}

impl ConnectionKind {
    /// What the kind is called, for people.
    pub fn label(self) -> &'static str {
        match self {
            ConnectionKind::Sandbox => "Sandbox",
        }
    }
}

impl Connection {
    /// Who acts on the server through this connection, as a handoff sheet names its producer.
    pub fn admin_identity(&self) -> String {
        format!("admin app {} on {}", self.admin_client_id, self.name)
    }

    /// The keychain account of this connection's admin client secret.
    pub fn secret_account(&self) -> String {
        format!("connection/{}/admin-client-secret", self.id)
    }

    pub fn new_id() -> String {
        Uuid::new_v4().to_string()
    }
}

#[derive(Serialize, Deserialize)]
struct ConnectionsFile {
    version: u32,
    connections: Vec<Connection>,
}

const FILE_VERSION: u32 = 1;

#[derive(Debug, Clone)]
pub struct ConnectionStore {
    path: PathBuf,
}

impl ConnectionStore {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// The saved connections; none when the file does not exist yet.
    pub fn load(&self) -> Result<Vec<Connection>> {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.storage_error("read", &e)),
        };
        let file: ConnectionsFile = serde_json::from_slice(&text).map_err(|e| {
            Error::Storage(format!(
                "{} is damaged ({e}). Move it aside to start over; your apps on the servers are not affected.",
                self.path.display()
            ))
        })?;
        if file.version != FILE_VERSION {
            return Err(Error::Storage(format!(
                "{} was written by a newer Registrar (format {}); update Registrar to open it.",
                self.path.display(),
                file.version
            )));
        }
        Ok(file.connections)
    }

    /// Saves atomically: a crash mid-write leaves the previous file, never half of one.
    pub fn save(&self, connections: &[Connection]) -> Result<()> {
        let file = ConnectionsFile {
            version: FILE_VERSION,
            connections: connections.to_vec(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| Error::Storage(e.to_string()))?;
        crate::files::write_atomically(&self.path, &json)
    }

    fn storage_error(&self, action: &str, error: &std::io::Error) -> Error {
        Error::Storage(format!(
            "Could not {action} {}: {error}.",
            self.path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Connection {
        Connection {
            id: Connection::new_id(),
            name: "Sandbox".into(),
            kind: ConnectionKind::Sandbox,
            organization: "sandbox".into(),
            partition_global_id: Uuid::new_v4(),
            admin_client_id: "admin".into(),
            sandbox_port: Some(45123),
        }
    }

    #[test]
    fn connections_round_trip_and_a_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = ConnectionStore::new(dir.path().join("nested/connections.json"));
        assert!(store.load().unwrap().is_empty());
        let saved = vec![sample()];
        store.save(&saved).unwrap();
        assert_eq!(store.load().unwrap(), saved);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("nested"))
            .unwrap()
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_damaged_file_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connections.json");
        std::fs::write(&path, "{not json").unwrap();
        let err = ConnectionStore::new(path.clone()).load().unwrap_err();
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}
