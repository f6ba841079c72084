//! A saved connection's admin credential: checked before it is kept, kept only in the keychain,
//! and turned into an API client when the connection is opened. The window and the command line
//! both go through here.

use std::time::Duration;

use url::Url;
use uuid::Uuid;

use crate::connections::Connection;
use crate::error::{Error, Result};
use crate::keychain::Keychain;
use crate::model::Field;
use crate::oauth::{self, ClientCredentials};
use crate::probe::organization_in_token;
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
}

impl AdminCredential {
    /// Stores the credential under the connection's account for its kind.
    pub async fn keep(&self, keychain: &Keychain, connection: &Connection) -> Result<()> {
        let (value, account) = match self {
            AdminCredential::ClientSecret(secret) => (secret, connection.secret_account()),
            AdminCredential::RefreshToken(token) => (token, connection.refresh_token_account()),
        };
        keychain.write(&account, value).await
    }

    /// Removes the other kind's entry, so a connection keeps no credential it no longer uses.
    /// Call it once the connection is saved with this credential: until then the old entry may
    /// still be the one the saved connection needs.
    pub async fn discard_unused(&self, keychain: &Keychain, connection: &Connection) -> Result<()> {
        let unused = match self {
            AdminCredential::ClientSecret(_) => connection.refresh_token_account(),
            AdminCredential::RefreshToken(_) => connection.secret_account(),
        };
        keychain.delete(&unused).await
    }
}

/// Removes every keychain entry of `connection`.
pub async fn forget(keychain: &Keychain, connection: &Connection) -> Result<()> {
    keychain.delete(&connection.secret_account()).await?;
    keychain.delete(&connection.refresh_token_account()).await
}

/// The API client for a saved connection, with its credential from the keychain. A signed-in
/// admin's rotated refresh tokens are written back to the keychain as they come.
pub async fn open(
    http: reqwest::Client,
    keychain: &Keychain,
    connection: &Connection,
) -> Result<UiPathClient> {
    let missing = |what: &str| {
        Error::Keychain(format!(
            "The keychain has no {what} for \"{}\": edit the connection and give it again.",
            connection.name
        ))
    };
    if connection.signed_in {
        let account = connection.refresh_token_account();
        let refresh_token = keychain
            .read(&account)
            .await?
            .ok_or_else(|| missing("sign-in"))?;
        let store = {
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
        let endpoint = Endpoint {
            identity_url: connection.identity_url()?,
            partition_global_id: connection.partition_global_id,
        };
        Ok(UiPathClient::signed_in(
            http,
            endpoint,
            connection.admin_client_id.clone(),
            refresh_token,
            store,
        ))
    } else {
        let client_secret = keychain
            .read(&connection.secret_account())
            .await?
            .ok_or_else(|| missing("admin secret"))?;
        with_secret(http, connection, client_secret)
    }
}

/// The API client for `connection` with its admin app's secret in hand.
pub fn with_secret(
    http: reqwest::Client,
    connection: &Connection,
    client_secret: Secret,
) -> Result<UiPathClient> {
    let endpoint = Endpoint {
        identity_url: connection.identity_url()?,
        partition_global_id: connection.partition_global_id,
    };
    let credentials = ClientCredentials {
        client_id: connection.admin_client_id.clone(),
        client_secret,
    };
    Ok(UiPathClient::new(http, endpoint, credentials))
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
    let endpoint = Endpoint {
        identity_url: connection.identity_url()?,
        partition_global_id: connection.partition_global_id,
    };
    let pending = signin::begin(
        &endpoint.authorize_url(),
        &endpoint.token_url(),
        &connection.admin_client_id,
        &[ADMIN_SCOPES[0], "offline_access"],
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
        }
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

        let token = AdminCredential::RefreshToken(Secret::new("rt"));
        token.keep(&keychain, &connection).await.unwrap();
        assert!(
            holds(&keychain, &secret).await,
            "kept until the switch is saved"
        );
        token.discard_unused(&keychain, &connection).await.unwrap();
        assert!(!holds(&keychain, &secret).await);
        let kept = keychain.read(&refresh).await.unwrap().unwrap();
        assert_eq!(kept.expose(), "rt");

        forget(&keychain, &connection).await.unwrap();
        assert!(!holds(&keychain, &refresh).await);
    }

    #[tokio::test]
    async fn opening_without_a_kept_credential_says_what_to_do() {
        let keychain = keychain();
        let http = crate::http::client().unwrap();
        let err = open(http, &keychain, &connection()).await.unwrap_err();
        assert!(matches!(err, Error::Keychain(_)), "{err:?}");
        assert!(err.to_string().contains("edit the connection"), "{err}");
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
