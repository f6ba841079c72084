//! The admin's connections to identity servers, kept in a small JSON file in the app's config
//! folder. The file never holds a credential: those live in the keychain, under
//! [`Connection::secret_account`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::Field;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    /// The embedded sandbox identity server, started with the app.
    Sandbox,
    /// UiPath Automation Cloud: `https://{host}/{organization}/identity_`, the host
    /// `cloud.uipath.com` unless a Public Sector or Dedicated one is given.
    AutomationCloud,
    /// UiPath Automation Suite: `https://{host}/{organization}/identity_`.
    AutomationSuite,
    /// Standalone (MSI) Orchestrator: `https://{host}/identity`, no organization in the path.
    Standalone,
    /// Any OAuth 2.0 server with dynamic client registration (RFC 7591/7592), named by its issuer
    /// URL; the keychain holds its initial access token.
    OauthServer,
}

/// Automation Cloud's host when none is given.
pub const CLOUD_HOST: &str = "cloud.uipath.com";

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
    /// The server's host (and port), for every kind but the sandbox. `https` is assumed; an
    /// explicit `http://` is accepted for the loopback host only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The admin signs in in the browser: `admin_client_id` is then the sign-in app's, and the
    /// keychain holds a refresh token (under [`Connection::refresh_token_account`]), no secret.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signed_in: bool,
    /// An OAuth server's issuer URL (for [`ConnectionKind::OauthServer`] only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// An OAuth server that takes registrations without an initial access token (RFC 7591's
    /// open registration): the keychain holds none for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open_registration: bool,
    /// The loopback port a signed-in admin's sign-in listens on, when not
    /// [`crate::signin::DEFAULT_PORT`]: the sign-in app's redirect URL names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_port: Option<u16>,
}

impl ConnectionKind {
    /// What the kind is called, for people.
    pub fn label(self) -> &'static str {
        match self {
            ConnectionKind::Sandbox => "Sandbox",
            ConnectionKind::AutomationCloud => "Automation Cloud",
            ConnectionKind::AutomationSuite => "Automation Suite",
            ConnectionKind::Standalone => "Standalone Orchestrator",
            ConnectionKind::OauthServer => "OAuth 2.0 server (RFC 7591)",
        }
    }
}

impl Connection {
    /// Who acts on the server through this connection, as a handoff sheet names its producer.
    pub fn admin_identity(&self) -> String {
        match self.kind {
            ConnectionKind::OauthServer if self.open_registration => {
                format!("open registration through {}", self.name)
            }
            ConnectionKind::OauthServer => {
                format!("the initial access token saved for {}", self.name)
            }
            _ => format!("admin app {} on {}", self.admin_client_id, self.name),
        }
    }

    /// The keychain account of this connection's admin client secret.
    pub fn secret_account(&self) -> String {
        format!("connection/{}/admin-client-secret", self.id)
    }

    /// The keychain account of a signed-in admin's refresh token.
    pub fn refresh_token_account(&self) -> String {
        format!("connection/{}/refresh-token", self.id)
    }

    /// The keychain account of an OAuth server's initial access token (RFC 7591 §3).
    pub fn initial_access_token_account(&self) -> String {
        format!("connection/{}/initial-access-token", self.id)
    }

    /// The keychain account of the registration access token (RFC 7592) of a client registered
    /// on this connection's server.
    pub fn registration_token_account(&self, client_id: &str) -> String {
        format!(
            "connection/{}/client/{client_id}/registration-access-token",
            self.id
        )
    }

    /// A connection to an OAuth server: its issuer, and none of UiPath's fields.
    pub fn oauth_server(id: String, name: String, issuer: String) -> Self {
        Self {
            id,
            name,
            kind: ConnectionKind::OauthServer,
            organization: String::new(),
            partition_global_id: Uuid::nil(),
            admin_client_id: String::new(),
            sandbox_port: None,
            host: None,
            signed_in: false,
            issuer: Some(issuer),
            open_registration: false,
            sign_in_port: None,
        }
    }

    pub fn new_id() -> String {
        Uuid::new_v4().to_string()
    }

    /// The identity server's base URL, built as each kind of server lays out its paths.
    pub fn identity_url(&self) -> Result<Url> {
        let organization = || -> Result<&str> {
            let org = self.organization.trim();
            if org.is_empty() || org.contains(['/', '?', '#', ' ']) {
                return Err(field_error(
                    Field::Organization,
                    "Give the organization's name as it appears in its URLs (no slashes or spaces).",
                ));
            }
            Ok(org)
        };
        let host = || -> Result<String> {
            let host = self.host.as_deref().map(str::trim).unwrap_or_default();
            if host.is_empty() {
                return Err(field_error(
                    Field::Host,
                    &format!(
                        "A {} connection needs the server's host name.",
                        self.kind.label()
                    ),
                ));
            }
            origin(host)
        };
        let url = match self.kind {
            ConnectionKind::Sandbox => {
                let port = self.sandbox_port.ok_or_else(|| {
                    invalid("The sandbox connection has no port: start the sandbox first.")
                })?;
                format!("http://127.0.0.1:{port}/{}/identity_", organization()?)
            }
            ConnectionKind::AutomationCloud => {
                let host = match self.host.as_deref().map(str::trim) {
                    Some(host) if !host.is_empty() => origin(host)?,
                    _ => format!("https://{CLOUD_HOST}"),
                };
                format!("{host}/{}/identity_", organization()?)
            }
            ConnectionKind::AutomationSuite => format!("{}/{}/identity_", host()?, organization()?),
            ConnectionKind::Standalone => format!("{}/identity", host()?),
            ConnectionKind::OauthServer => return self.issuer_url(),
        };
        url.parse().map_err(|e| {
            field_error(
                Field::Host,
                &format!("{url} is not a usable URL ({e}). Check the host name."),
            )
        })
    }
}

impl Connection {
    /// The issuer URL as given: https (plain http only on the loopback host), no query or
    /// fragment, no trailing slash.
    fn issuer_url(&self) -> Result<Url> {
        let given = self.issuer.as_deref().map(str::trim).unwrap_or_default();
        if given.is_empty() {
            return Err(field_error(
                Field::Issuer,
                "Give the server's issuer URL (for example https://login.example.com).",
            ));
        }
        let url = Url::parse(given.trim_end_matches('/')).map_err(|e| {
            field_error(
                Field::Issuer,
                &format!("\"{given}\" is not a URL ({e}): give the issuer with https://."),
            )
        })?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(field_error(
                Field::Issuer,
                "An issuer URL has no query or fragment (RFC 8414 §2): give it without ? or #.",
            ));
        }
        let loopback = crate::draft::is_loopback(&url);
        match url.scheme() {
            "https" => Ok(url),
            "http" if loopback => Ok(url),
            _ => Err(field_error(
                Field::Issuer,
                "The issuer URL must start with https:// (plain http is for a server on this \
                 computer only).",
            )),
        }
    }
}

fn invalid(message: &str) -> Error {
    Error::InvalidInput {
        field: None,
        message: message.to_owned(),
    }
}

/// `host` as an origin: `https://host`, or the `http://` origin given for the loopback host. A
/// path, query or fragment is refused whatever the scheme: each kind adds its own path.
fn origin(host: &str) -> Result<String> {
    let with_scheme = if host.contains("://") {
        host.to_owned()
    } else {
        format!("https://{host}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| {
        field_error(
            Field::Host,
            &format!("\"{host}\" is not a host name ({e})."),
        )
    })?;
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(field_error(
            Field::Host,
            "Give the host name only (for example cloud.uipath.com), without a path.",
        ));
    }
    let loopback = crate::draft::is_loopback(&url);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(field_error(
                Field::Host,
                "Identity servers are reached over https: give the host without http:// (plain \
                 http is for a server on this computer only).",
            ))
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The saved connections and the one the window works on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub connections: Vec<Connection>,
    /// The chosen connection's id; the first connection when none is chosen (or it is gone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected: Option<String>,
}

impl Saved {
    /// The chosen connection, else the first.
    pub fn chosen(&self) -> Option<&Connection> {
        self.selected
            .as_deref()
            .and_then(|id| self.get(id))
            .or_else(|| self.connections.first())
    }

    pub fn get(&self, id: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    /// Checks a new or edited connection against the rules and the other saved connections:
    /// a name of its own, an admin client id, and an identity URL that can be built.
    pub fn check(&self, connection: &Connection) -> Result<Url> {
        let name = connection.name.trim();
        if name.is_empty() {
            return Err(field_error(Field::Name, "Give the connection a name."));
        }
        if name.chars().count() > 80 {
            return Err(field_error(
                Field::Name,
                "Keep the name to 80 characters or fewer.",
            ));
        }
        crate::text::check_visible(Some(Field::Name), "The name", name)?;
        if self
            .connections
            .iter()
            .any(|c| c.id != connection.id && c.name.trim().eq_ignore_ascii_case(name))
        {
            return Err(field_error(
                Field::Name,
                &format!("A connection is already named \"{name}\": choose another name."),
            ));
        }
        if connection.kind != ConnectionKind::OauthServer
            && connection.admin_client_id.trim().is_empty()
        {
            return Err(field_error(
                Field::ClientId,
                "Give the client ID of the admin app (or, to sign in, of the sign-in app).",
            ));
        }
        connection.identity_url()
    }
}

fn field_error(field: Field, message: &str) -> Error {
    Error::invalid(field, message)
}

#[derive(Serialize, Deserialize)]
struct ConnectionsFile {
    version: u32,
    #[serde(flatten)]
    saved: Saved,
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
    pub fn load(&self) -> Result<Saved> {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Saved::default()),
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
        Ok(file.saved)
    }

    /// Holds the list for one change (read, change, write): the window and the command line
    /// may both change it.
    pub async fn lock(&self) -> Result<crate::files::FileLock> {
        crate::files::FileLock::acquire(&self.path.with_extension("lock")).await
    }

    /// Where the clients Registrar registered on an OAuth server are listed (RFC 7591 has no
    /// listing of its own), one file per connection beside this one.
    pub fn clients_path(&self, connection_id: &str) -> PathBuf {
        self.path
            .with_file_name(format!("clients-{connection_id}.json"))
    }

    /// Where the audit trail of every change is kept, beside this file: the window and the
    /// command line both append to it.
    pub fn audit_path(&self) -> PathBuf {
        self.path.with_file_name("audit.jsonl")
    }

    /// Where the findings the admin dismissed are kept, beside this file.
    pub fn dismissals_path(&self) -> PathBuf {
        self.path.with_file_name("lint-dismissed.json")
    }

    /// Where the expiries already notified are kept, beside this file.
    pub fn notified_path(&self) -> PathBuf {
        self.path.with_file_name("notified.json")
    }

    /// Where the rotations in progress are kept, beside this file.
    pub fn rotations_path(&self) -> PathBuf {
        self.path.with_file_name("rotations.json")
    }

    /// Saves atomically: a crash mid-write leaves the previous file, never half of one.
    pub fn save(&self, saved: &Saved) -> Result<()> {
        let file = ConnectionsFile {
            version: FILE_VERSION,
            saved: saved.clone(),
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
            host: None,
            signed_in: false,
            issuer: None,
            open_registration: false,
            sign_in_port: None,
        }
    }

    #[test]
    fn an_oauth_server_is_its_issuer_over_https_and_needs_no_admin_client() {
        let server = |issuer: &str| {
            Connection::oauth_server(Connection::new_id(), "Login".into(), issuer.into())
        };
        let saved = Saved::default();
        assert_eq!(
            saved
                .check(&server("https://login.example.com/realms/acme/"))
                .unwrap()
                .as_str(),
            "https://login.example.com/realms/acme"
        );
        assert_eq!(
            saved
                .check(&server("http://127.0.0.1:9000"))
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9000/"
        );
        for (bad, says) in [
            ("", "issuer URL"),
            ("login.example.com", "not a URL"),
            ("http://login.example.com", "https://"),
            ("https://login.example.com/?tenant=a", "no query"),
        ] {
            match saved.check(&server(bad)) {
                Err(Error::InvalidInput {
                    field: Some(Field::Issuer),
                    message,
                }) => assert!(message.contains(says), "{bad}: {message}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn each_kind_lays_out_its_identity_url() {
        let with = |kind, host: Option<&str>| Connection {
            kind,
            host: host.map(str::to_owned),
            organization: "acme".into(),
            ..sample()
        };
        let url = |c: Connection| c.identity_url().map(|u| u.to_string());
        assert_eq!(
            url(with(ConnectionKind::AutomationCloud, None)).unwrap(),
            "https://cloud.uipath.com/acme/identity_"
        );
        assert_eq!(
            url(with(
                ConnectionKind::AutomationCloud,
                Some("govcloud.uipath.us")
            ))
            .unwrap(),
            "https://govcloud.uipath.us/acme/identity_"
        );
        assert_eq!(
            url(with(
                ConnectionKind::AutomationSuite,
                Some("suite.example.com:8443")
            ))
            .unwrap(),
            "https://suite.example.com:8443/acme/identity_"
        );
        assert_eq!(
            url(with(
                ConnectionKind::Standalone,
                Some("https://orch.example.com/")
            ))
            .unwrap(),
            "https://orch.example.com/identity"
        );
        assert_eq!(
            url(with(ConnectionKind::Sandbox, None)).unwrap(),
            "http://127.0.0.1:45123/acme/identity_"
        );
        assert_eq!(
            url(with(
                ConnectionKind::Standalone,
                Some("http://127.0.0.1:9000")
            ))
            .unwrap(),
            "http://127.0.0.1:9000/identity"
        );
        assert_eq!(
            url(with(ConnectionKind::Standalone, Some("http://[::1]"))).unwrap(),
            "http://[::1]/identity"
        );
    }

    #[test]
    fn unusable_hosts_and_organizations_say_what_to_fix() {
        let bad = |kind, host: Option<&str>, org: &str| {
            Connection {
                kind,
                host: host.map(str::to_owned),
                organization: org.into(),
                ..sample()
            }
            .identity_url()
            .unwrap_err()
            .to_string()
        };
        assert!(bad(ConnectionKind::AutomationSuite, None, "acme")
            .contains("needs the server's host name"));
        assert!(bad(
            ConnectionKind::Standalone,
            Some("http://orch.example.com"),
            ""
        )
        .contains("over https"));
        for with_path in [
            "suite.example.com/identity_",
            "https://suite.example.com/identity_",
        ] {
            assert!(
                bad(ConnectionKind::AutomationSuite, Some(with_path), "acme")
                    .contains("without a path")
            );
        }
        assert!(
            bad(ConnectionKind::AutomationCloud, None, "acme corp").contains("organization's name")
        );
    }

    #[test]
    fn connections_round_trip_and_a_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = ConnectionStore::new(dir.path().join("nested/connections.json"));
        assert_eq!(store.load().unwrap(), Saved::default());
        let saved = Saved {
            connections: vec![sample()],
            selected: None,
        };
        store.save(&saved).unwrap();
        assert_eq!(store.load().unwrap(), saved);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("nested"))
            .unwrap()
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_file_from_before_the_choice_was_kept_still_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connections.json");
        let old = sample();
        let json = serde_json::json!({ "version": 1, "connections": [old] });
        std::fs::write(&path, json.to_string()).unwrap();
        let saved = ConnectionStore::new(path).load().unwrap();
        assert_eq!(saved.selected, None);
        assert_eq!(saved.chosen(), Some(&old));
    }

    #[test]
    fn the_chosen_connection_is_the_selected_one_else_the_first() {
        let first = sample();
        let second = Connection {
            id: Connection::new_id(),
            name: "Acme".into(),
            ..sample()
        };
        let mut saved = Saved {
            connections: vec![first.clone(), second.clone()],
            selected: Some(second.id.clone()),
        };
        assert_eq!(saved.chosen(), Some(&second));
        saved.selected = Some("gone".into());
        assert_eq!(saved.chosen(), Some(&first));
    }

    #[test]
    fn a_connection_needs_a_name_of_its_own_and_a_client_id() {
        let saved = Saved {
            connections: vec![sample()],
            selected: None,
        };
        let field = |c: &Connection| match saved.check(c).unwrap_err() {
            Error::InvalidInput { field, .. } => field,
            other => panic!("{other:?}"),
        };
        let new = |name: &str| Connection {
            id: Connection::new_id(),
            name: name.into(),
            ..sample()
        };
        assert_eq!(field(&new("  ")), Some(Field::Name));
        assert_eq!(field(&new("sandbox")), Some(Field::Name));
        assert_eq!(field(&new("Prod\u{1b}[2J")), Some(Field::Name));
        let no_client = Connection {
            admin_client_id: " ".into(),
            ..new("Other")
        };
        assert_eq!(field(&no_client), Some(Field::ClientId));
        assert!(saved.check(&new("Other")).is_ok());
        assert!(
            saved.check(&saved.connections[0]).is_ok(),
            "a connection keeps its own name"
        );
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
