//! The keychain against the platform's real one: the Secret Service (gnome-keyring in the test
//! session) on Linux, the Keychain on macOS, the Credential Manager on Windows.

use registrar_core::keychain::Keychain;
use registrar_core::Secret;

fn real_keychain() -> Keychain {
    let namespace = format!("registrar-test-{}", uuid::Uuid::new_v4());
    Keychain::platform(namespace)
        .expect("the test session provides a keychain (on Linux, run scripts/test)")
}

/// What another client of the keychain finds for the entry: libsecret's secret-tool on Linux.
/// Elsewhere the round trip through Registrar is the whole check: macOS's `security` would ask
/// to be let in to an item another program made, and Windows has no command that reads one.
fn assert_others_see(keychain: &Keychain, account: &str, expected: Option<&str>) {
    #[cfg(target_os = "linux")]
    assert_eq!(
        registrar_tests::keychain_lookup(keychain.namespace(), account).as_deref(),
        expected,
        "{account}"
    );
    #[cfg(not(target_os = "linux"))]
    let _ = (keychain, account, expected);
}

#[tokio::test]
async fn stores_reads_replaces_and_deletes_in_the_platforms_keychain() {
    let keychain = real_keychain();
    let account = "connection/test/admin-client-secret";
    assert!(keychain.read(account).await.unwrap().is_none());

    keychain
        .write(account, &Secret::new("first-value"))
        .await
        .unwrap();
    assert_eq!(
        keychain.read(account).await.unwrap(),
        Some(Secret::new("first-value"))
    );
    assert_others_see(&keychain, account, Some("first-value"));

    keychain
        .write(account, &Secret::new("second-value"))
        .await
        .unwrap();
    assert_eq!(
        keychain.read(account).await.unwrap(),
        Some(Secret::new("second-value"))
    );
    assert_others_see(&keychain, account, Some("second-value"));

    keychain.delete(account).await.unwrap();
    assert!(keychain.read(account).await.unwrap().is_none());
    assert_others_see(&keychain, account, None);
    keychain.delete(account).await.unwrap();
}

#[tokio::test]
async fn namespaces_keep_entries_apart() {
    let (a, b) = (real_keychain(), real_keychain());
    a.write("shared-account", &Secret::new("from-a"))
        .await
        .unwrap();
    assert!(b.read("shared-account").await.unwrap().is_none());
    a.delete("shared-account").await.unwrap();
}
