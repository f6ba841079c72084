//! A saved connection's admin credential: checked before it is kept, kept only in the keychain,
//! and turned into an API client when the connection is opened. The window and the command line
//! both go through here.

use std::time::Duration;

use url::Url;
use uuid::Uuid;

use crate::connections::{Connection, ConnectionKind, ConnectionStore};
use crate::dynamic::{self, DynamicClient};
use crate::error::{Error, Result};
use crate::keychain::Keychain;
use crate::model::Field;
use crate::oauth::{self, ClientCredentials};
use crate::probe::organization_in_token;
use crate::provider::Provider;
use crate::registration::{self, RegistrationClient, ServerMetadata};
use crate::signin;
use crate::uipath::{Endpoint, RefreshTokenStore, UiPathClient, ADMIN_SCOPES};
use crate::Secret;

/// How long a sign-in waits for the admin to finish in the browser.
pub const SIGN_IN_WAIT: Duration = Duration::from_secs(300);

/// What the keychain keeps for a connection.
#[derive(Debug)]
pub enum AdminCredential {
    /// The admin app's client secret (client_credentials).
    ClientSecret(Secret),
    /// A signed-in admin's refresh token.
    RefreshToken(Secret),
    /// An OAuth server's initial access token, to register clients (RFC 7591 §3).
    InitialAccessToken(Secret),
}

impl AdminCredential {
    /// Stores the credential under the connection's account for its kind.
    pub async fn keep(&self, keychain: &Keychain, connection: &Connection) -> Result<()> {
        let (AdminCredential::ClientSecret(value)
        | AdminCredential::RefreshToken(value)
        | AdminCredential::InitialAccessToken(value)) = self;
        keychain.write(&self.account(connection), value).await
    }

    /// The keychain account this kind of credential is kept under.
    fn account(&self, connection: &Connection) -> String {
        match self {
            AdminCredential::ClientSecret(_) => connection.secret_account(),
            AdminCredential::RefreshToken(_) => connection.refresh_token_account(),
            AdminCredential::InitialAccessToken(_) => connection.initial_access_token_account(),
        }
    }

    /// Removes the other kind's entry, so a connection keeps no credential it no longer uses.
    /// Call it once the connection is saved with this credential: until then the old entry may
    /// still be the one the saved connection needs.
    pub async fn discard_unused(&self, keychain: &Keychain, connection: &Connection) -> Result<()> {
        let used = self.account(connection);
        for account in credential_accounts(connection) {
            if account != used {
                keychain.delete(&account).await?;
            }
        }
        Ok(())
    }
}

/// Every account an admin credential of `connection` may be kept under.
fn credential_accounts(connection: &Connection) -> [String; 3] {
    [
        connection.secret_account(),
        connection.refresh_token_account(),
        connection.initial_access_token_account(),
    ]
}

/// Removes every keychain entry of `connection`, and the list of clients registered through it
/// with their registration access tokens (the clients stay on the server).
pub async fn forget(
    keychain: &Keychain,
    store: &ConnectionStore,
    connection: &Connection,
) -> Result<()> {
    for account in credential_accounts(connection) {
        keychain.delete(&account).await?;
    }
    dynamic::forget(keychain, connection, &store.clients_path(&connection.id)).await
}

/// Reads an OAuth server's metadata from its issuer URL, and checks that it takes registrations.
pub async fn check_server(http: &reqwest::Client, issuer: &Url) -> Result<ServerMetadata> {
    let server = registration::discover(http, issuer).await?;
    if server.registration_endpoint.is_none() {
        return Err(Error::invalid(
            Field::Issuer,
            format!(
                "{issuer} takes no registrations: its metadata names no registration endpoint \
                 (RFC 7591). Check the issuer URL."
            ),
        ));
    }
    Ok(server)
}

/// The API client for a saved connection, with its credential from the keychain. A signed-in
/// admin's rotated refresh tokens are written back to the keychain as they come.
pub async fn open(
    http: reqwest::Client,
    keychain: &Keychain,
    store: &ConnectionStore,
    connection: &Connection,
) -> Result<Provider> {
    let missing = |what: &str| {
        Error::Keychain(format!(
            "The keychain has no {what} for \"{}\": edit the connection and give it again.",
            connection.name
        ))
    };
    if connection.kind == ConnectionKind::OauthServer {
        let token = match connection.open_registration {
            true => None,
            false => Some(
                keychain
                    .read(&connection.initial_access_token_account())
                    .await?
                    .ok_or_else(|| missing("initial access token"))?,
            ),
        };
        // Not `check_server`: a server that stopped taking registrations still manages the
        // clients registered there, and `Features` says why nothing can be registered.
        let server = registration::discover(&http, &connection.identity_url()?).await?;
        return Ok(Provider::Dynamic(DynamicClient::new(
            RegistrationClient::new(http, server),
            token,
            keychain.clone(),
            connection.clone(),
            store.clients_path(&connection.id),
        )));
    }
    if connection.signed_in {
        let account = connection.refresh_token_account();
        let refresh_token = keychain
            .read(&account)
            .await?
            .ok_or_else(|| missing("sign-in"))?;
        let tokens = {
            let (load_from, save_to) = (keychain.clone(), keychain.clone());
            let (load_account, save_account) = (account.clone(), account);
            RefreshTokenStore {
                load: Box::new(move || {
                    let (keychain, account) = (load_from.clone(), load_account.clone());
                    Box::pin(async move { keychain.read(&account).await })
                }),
                save: Box::new(move |next| {
                    let (keychain, account) = (save_to.clone(), save_account.clone());
                    Box::pin(async move { keychain.write(&account, &next).await })
                }),
            }
        };
        let endpoint = endpoint_of(connection)?;
        Ok(Provider::UiPath(UiPathClient::signed_in(
            http,
            endpoint,
            connection.admin_client_id.clone(),
            refresh_token,
            tokens,
        )))
    } else {
        let client_secret = keychain
            .read(&connection.secret_account())
            .await?
            .ok_or_else(|| missing("admin secret"))?;
        with_secret(http, connection, client_secret).map(Provider::UiPath)
    }
}

/// The API client for `connection` with its admin app's secret in hand.
pub fn with_secret(
    http: reqwest::Client,
    connection: &Connection,
    client_secret: Secret,
) -> Result<UiPathClient> {
    let endpoint = endpoint_of(connection)?;
    let credentials = ClientCredentials {
        client_id: connection.admin_client_id.clone(),
        client_secret,
    };
    Ok(UiPathClient::new(http, endpoint, credentials))
}

/// Where `connection`'s UiPath identity server is.
fn endpoint_of(connection: &Connection) -> Result<Endpoint> {
    Ok(Endpoint {
        identity_url: connection.identity_url()?,
        partition_global_id: connection.partition_global_id,
        cloud_organization: (connection.kind == ConnectionKind::AutomationCloud)
            .then(|| connection.organization.trim().to_owned()),
    })
}

/// Checks an admin app's secret by getting a token with it, and returns the organization's GUID
/// the token names (when it names one).
pub async fn check_secret(
    http: &reqwest::Client,
    identity_url: &Url,
    client_id: &str,
    secret: &Secret,
) -> Result<Option<Uuid>> {
    let credentials = ClientCredentials {
        client_id: client_id.to_owned(),
        client_secret: secret.duplicate(),
    };
    let token_url = Endpoint {
        identity_url: identity_url.clone(),
        partition_global_id: Uuid::nil(),
        cloud_organization: None,
    }
    .token_url();
    let granted = oauth::client_credentials(http, &token_url, &credentials, ADMIN_SCOPES).await?;
    Ok(organization_in_token(granted.access_token.expose()))
}

/// Signs the admin in through the browser: `open_browser` is given the authorization URL, and
/// the refresh token to keep comes back with the organization's GUID the token names.
pub async fn sign_in(
    http: &reqwest::Client,
    connection: &Connection,
    open_browser: impl FnOnce(&Url),
    wait: Duration,
) -> Result<(AdminCredential, Option<Uuid>)> {
    let endpoint = endpoint_of(connection)?;
    let pending = signin::begin(
        &endpoint.authorize_url(),
        &endpoint.token_url(),
        &connection.admin_client_id,
        &[ADMIN_SCOPES[0], "offline_access"],
        connection.sign_in_port.unwrap_or(signin::DEFAULT_PORT),
    )
    .await?;
    open_browser(&pending.url);
    let granted = pending.finish(http, wait).await?;
    let organization = organization_in_token(granted.access_token.expose());
    let refresh_token = granted.refresh_token.ok_or_else(|| {
        Error::Server(
            "The server signed you in but gave no refresh token (offline_access), so the sign-in \
             cannot be kept. Check that the sign-in app may use offline_access."
                .into(),
        )
    })?;
    Ok((AdminCredential::RefreshToken(refresh_token), organization))
}

/// The organization's GUID: the one given, else the one the token names, else an error that
/// asks for it.
pub fn organization(given: Option<Uuid>, from_token: Option<Uuid>) -> Result<Uuid> {
    given.or(from_token).ok_or_else(|| {
        Error::invalid(
            Field::OrganizationId,
            "The admin token does not name the organization: give its GUID (the organization ID \
             in the admin portal).",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::ConnectionKind;

    fn connection() -> Connection {
        Connection {
            id: Connection::new_id(),
            name: "Acme".into(),
            kind: ConnectionKind::AutomationCloud,
            organization: "acme".into(),
            partition_global_id: Uuid::new_v4(),
            admin_client_id: "admin-app".into(),
            sandbox_port: None,
            host: None,
            signed_in: false,
            issuer: None,
            open_registration: false,
            sign_in_port: None,
        }
    }

    fn store() -> (tempfile::TempDir, ConnectionStore) {
        let folder = tempfile::tempdir().unwrap();
        let store = ConnectionStore::new(folder.path().join("connections.json"));
        (folder, store)
    }

    fn keychain() -> Keychain {
        crate::keychain::tests::mock()
    }

    async fn holds(keychain: &Keychain, account: &str) -> bool {
        keychain.read(account).await.unwrap().is_some()
    }

    #[tokio::test]
    async fn keeping_one_kind_of_credential_removes_the_other() {
        let keychain = keychain();
        let connection = connection();
        let (secret, refresh) = (
            connection.secret_account(),
            connection.refresh_token_account(),
        );
        AdminCredential::ClientSecret(Secret::new("s3cret"))
            .keep(&keychain, &connection)
            .await
            .unwrap();
        assert!(holds(&keychain, &secret).await);

        let initial = AdminCredential::InitialAccessToken(Secret::new("iat"));
        initial.keep(&keychain, &connection).await.unwrap();
        let token = AdminCredential::RefreshToken(Secret::new("rt"));
        token.keep(&keychain, &connection).await.unwrap();
        assert!(
            holds(&keychain, &secret).await,
            "kept until the switch is saved"
        );
        token.discard_unused(&keychain, &connection).await.unwrap();
        assert!(!holds(&keychain, &secret).await);
        assert!(
            !holds(&keychain, &connection.initial_access_token_account()).await,
            "every other kind goes"
        );
        let kept = keychain.read(&refresh).await.unwrap().unwrap();
        assert_eq!(kept.expose(), "rt");

        let (_folder, store) = store();
        forget(&keychain, &store, &connection).await.unwrap();
        assert!(!holds(&keychain, &refresh).await);
    }

    #[tokio::test]
    async fn opening_without_a_kept_credential_says_what_to_do() {
        let keychain = keychain();
        let http = crate::http::client().unwrap();
        let (_folder, store) = store();
        let err = open(http.clone(), &keychain, &store, &connection())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Keychain(_)), "{err:?}");
        assert!(err.to_string().contains("edit the connection"), "{err}");

        let server = Connection {
            kind: ConnectionKind::OauthServer,
            issuer: Some("https://login.example.com".into()),
            ..connection()
        };
        let err = open(http, &keychain, &store, &server).await.unwrap_err();
        assert!(err.to_string().contains("no initial access token"), "{err}");
    }

    #[test]
    fn the_given_organization_wins_and_none_at_all_asks_for_it() {
        let given = Uuid::new_v4();
        let named = Uuid::new_v4();
        assert_eq!(organization(Some(given), Some(named)).unwrap(), given);
        assert_eq!(organization(None, Some(named)).unwrap(), named);
        let err = organization(None, None).unwrap_err();
        assert!(err.to_string().contains("give its GUID"), "{err}");
    }
}
