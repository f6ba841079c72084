//! Which server a command works on, and with which admin credentials: a saved connection (secret
//! in the keychain) or, for CI, the environment.

use registrar_app::connections::Connections;
use registrar_app::folders::config_dir;
use registrar_app::session::{About, Records, Session};
use registrar_core::admin;
use registrar_core::audit::Subject;
use registrar_core::connections::{Connection, ConnectionStore, Saved};
use registrar_core::handoff::SheetConnection;
use registrar_core::keychain::{self, Keychain};
use registrar_core::lockout::Guard;
use registrar_core::oauth::ClientCredentials;
use registrar_core::provider::Provider;
use registrar_core::settings::SettingsStore;
use registrar_core::uipath::{Endpoint, UiPathClient};
use registrar_core::{Error, Result, Secret};
use url::Url;
use uuid::Uuid;

pub const ENV_URL: &str = "REGISTRAR_IDENTITY_URL";
pub const ENV_CLIENT_ID: &str = "REGISTRAR_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "REGISTRAR_CLIENT_SECRET";
pub const ENV_ORG_ID: &str = "REGISTRAR_ORG_ID";
/// An OAuth server's initial access token, read by `connections add --kind oauth-server`.
pub const ENV_INITIAL_ACCESS_TOKEN: &str = "REGISTRAR_INITIAL_ACCESS_TOKEN";

/// The saved connections, with the keychain and an HTTP client to check credentials with.
pub fn connections() -> Result<Connections> {
    Ok(Connections::new(
        ConnectionStore::new(config_dir()?.join("connections.json")),
        Keychain::platform(keychain::namespace()?)?,
        registrar_core::http::client()?,
    ))
}

/// The window's settings, which the command line reads too.
pub fn settings() -> Result<SettingsStore> {
    Ok(SettingsStore::new(config_dir()?.join("settings.json")))
}

/// The audit trail and the dismissed findings, which the window and the command line share.
pub fn records() -> Result<Records> {
    let store = ConnectionStore::new(config_dir()?.join("connections.json"));
    Ok(Records::beside(&store))
}

/// The environment's credentials when `REGISTRAR_IDENTITY_URL` is set, else the named (or first)
/// saved connection with its secret from the keychain.
pub async fn open(name: Option<&str>) -> Result<Session> {
    if let Ok(url) = std::env::var(ENV_URL) {
        return from_environment(&url).await;
    }
    let connections = connections()?;
    let saved = connections.saved()?;
    connections.open(find(&saved, name)?).await
}

/// The named connection, else the one chosen in the window (or the first).
pub fn find<'a>(saved: &'a Saved, name: Option<&str>) -> Result<&'a Connection> {
    match name {
        Some(name) => saved
            .connections
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "No saved connection is named \"{name}\"; `registrar connections list` shows them."
                ))
            }),
        None => saved.chosen().ok_or_else(|| Error::InvalidInput {
            field: None,
            message: format!(
                "No connection is saved: add one with `registrar connections add`, or set {ENV_URL}, \
                 {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}."
            ),
        }),
    }
}

fn required(name: &str) -> Result<String> {
    std::env::var(name).map_err(|_| Error::InvalidInput {
        field: None,
        message: format!("{ENV_URL} is set, so {name} must be too."),
    })
}

async fn from_environment(url: &str) -> Result<Session> {
    let identity_url: Url = url
        .trim_end_matches('/')
        .parse()
        .map_err(|e| Error::InvalidInput {
            field: None,
            message: format!("{ENV_URL} is not a URL ({e})."),
        })?;
    let client_id = required(ENV_CLIENT_ID)?;
    let secret = || required(ENV_CLIENT_SECRET).map(Secret::new);
    let given = match std::env::var(ENV_ORG_ID) {
        Ok(id) => Some(id.parse::<Uuid>().map_err(|_| Error::InvalidInput {
            field: None,
            message: format!("{ENV_ORG_ID} must be the organization's GUID."),
        })?),
        Err(_) => None,
    };
    let http = registrar_core::http::client()?;
    let partition = match given {
        Some(id) => id,
        None => admin::check_secret(&http, &identity_url, &client_id, &secret()?)
            .await?
            .ok_or_else(|| Error::InvalidInput {
                field: None,
                message: format!(
                    "The admin token does not name the organization: set {ENV_ORG_ID} to its GUID."
                ),
            })?,
    };
    let sheet = SheetConnection {
        name: format!("{ENV_URL} ({identity_url})"),
        kind: "Identity server".into(),
        organization: partition.to_string(),
    };
    let admin_identity = format!("admin app {client_id} from the environment");
    let endpoint = Endpoint {
        cloud_organization: Endpoint::cloud_organization_in(&identity_url),
        identity_url,
        partition_global_id: partition,
    };
    let credentials = ClientCredentials {
        client_id,
        client_secret: secret()?,
    };
    let about = About {
        connection: Subject {
            id: "environment".into(),
            name: sheet.name.clone(),
        },
        lockout: Guard::for_admin_app(&credentials.client_id, ENV_URL, false),
        sheet,
        admin_identity,
    };
    Ok(Session::new(
        Provider::UiPath(UiPathClient::new(http, endpoint, credentials)),
        about,
        records()?,
    ))
}
