//! Admin credentials in the operating system's keychain (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows), through keyring-core.
//!
//! Every entry lives under one *service* name, the namespace: release builds use `registrar`,
//! debug builds `registrar-dev`, and tests a name of their own, so a test or a dev run never reads
//! or overwrites a user's real credentials.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use crate::error::{Error, Result};
use crate::Secret;

/// Overrides the namespace; it must start with `registrar-` so it can never be the release one.
pub const NAMESPACE_ENV: &str = "REGISTRAR_KEYCHAIN_NAMESPACE";

/// The namespace this build uses unless [`NAMESPACE_ENV`] says otherwise.
pub fn namespace() -> Result<String> {
    match std::env::var(NAMESPACE_ENV) {
        Ok(name) if name.starts_with("registrar-") && name.len() > "registrar-".len() => Ok(name),
        Ok(name) => Err(Error::Keychain(format!(
            "{NAMESPACE_ENV} is \"{name}\": it must start with \"registrar-\", so that it never \
             touches the entries of a release build."
        ))),
        Err(_) if cfg!(debug_assertions) => Ok("registrar-dev".to_owned()),
        Err(_) => Ok("registrar".to_owned()),
    }
}

#[derive(Debug, Clone)]
pub struct Keychain {
    store: Arc<CredentialStore>,
    namespace: String,
}

impl Keychain {
    /// The operating system's keychain.
    pub fn platform(namespace: String) -> Result<Self> {
        Ok(Self::with_store(platform_store()?, namespace))
    }

    /// Any keyring-core store, e.g. `keyring_core::mock::Store` in tests.
    pub fn with_store(store: Arc<CredentialStore>, namespace: String) -> Self {
        Self { store, namespace }
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The secret stored for `account`, or `None` when there is none.
    pub async fn read(&self, account: &str) -> Result<Option<Secret>> {
        let entry = self.entry(account)?;
        blocking(move || match entry.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(&e, "read from")),
        })
        .await
    }

    /// Stores `secret` for `account`, replacing any value it had.
    pub async fn write(&self, account: &str, secret: &Secret) -> Result<()> {
        let entry = self.entry(account)?;
        let value = secret.duplicate();
        blocking(move || {
            entry
                .set_password(value.expose())
                .map_err(|e| keychain_error(&e, "write to"))
        })
        .await
    }

    /// Removes `account`'s entry; an entry that is already gone is fine.
    pub async fn delete(&self, account: &str) -> Result<()> {
        let entry = self.entry(account)?;
        blocking(move || match entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(&e, "delete from")),
        })
        .await
    }

    fn entry(&self, account: &str) -> Result<Entry> {
        Entry::new_in_store(&self.store, &self.namespace, account)
            .map_err(|e| keychain_error(&e, "address"))
    }
}

/// Keychain calls block (D-Bus round trips, possibly an unlock prompt): keep them off the runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| Error::Keychain("The keychain call was interrupted.".into()))?
}

fn keychain_error(error: &keyring_core::Error, action: &str) -> Error {
    use keyring_core::Error as K;
    let why = match error {
        K::NoStorageAccess(_) => {
            "it is locked or access was denied; unlock it and try again".to_owned()
        }
        K::NoDefaultStore => "no keychain is available".to_owned(),
        K::PlatformFailure(e) => format!("the system keychain failed ({e})"),
        other => other.to_string(),
    };
    Error::Keychain(format!("Could not {action} the system keychain: {why}."))
}

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
fn platform_store() -> Result<Arc<CredentialStore>> {
    let store = zbus_secret_service_keyring_store::Store::new().map_err(|e| {
        Error::Keychain(format!(
            "No system keychain was found ({e}). On Linux, Registrar keeps credentials in a Secret \
             Service keyring (GNOME Keyring or KWallet) reached over the D-Bus session bus: start \
             one, unlock it, and open Registrar again."
        ))
    })?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<CredentialStore>> {
    let store = apple_native_keyring_store::keychain::Store::new()
        .map_err(|e| Error::Keychain(format!("The macOS Keychain is not available ({e}).")))?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>> {
    let store = windows_native_keyring_store::Store::new().map_err(|e| {
        Error::Keychain(format!(
            "The Windows Credential Manager is not available ({e})."
        ))
    })?;
    Ok(store)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A keychain in memory, for unit tests.
    pub(crate) fn mock() -> Keychain {
        Keychain::with_store(
            keyring_core::mock::Store::new().unwrap(),
            "registrar-unit".into(),
        )
    }

    #[tokio::test]
    async fn a_missing_entry_reads_as_none_and_deletes_quietly() {
        let keychain = mock();
        assert!(keychain.read("nobody").await.unwrap().is_none());
        keychain.delete("nobody").await.unwrap();
    }

    #[tokio::test]
    async fn entries_are_stored_replaced_and_deleted() {
        let keychain = mock();
        keychain.write("a", &Secret::new("one")).await.unwrap();
        keychain.write("a", &Secret::new("two")).await.unwrap();
        assert_eq!(keychain.read("a").await.unwrap(), Some(Secret::new("two")));
        keychain.delete("a").await.unwrap();
        assert!(keychain.read("a").await.unwrap().is_none());
    }
}
