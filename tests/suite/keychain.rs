//! The keychain against the real Secret Service (gnome-keyring in the test session).

use registrar_core::keychain::Keychain;
use registrar_core::Secret;

fn real_keychain() -> Keychain {
    let namespace = format!("registrar-test-{}", uuid::Uuid::new_v4());
    Keychain::platform(namespace)
        .expect("the test session provides a Secret Service (run scripts/test)")
}

/// What another Secret Service client (libsecret's secret-tool) finds for the entry.
fn secret_tool_lookup(keychain: &Keychain, account: &str) -> Option<String> {
    registrar_tests::keychain_lookup(keychain.namespace(), account)
}

#[tokio::test]
async fn stores_reads_replaces_and_deletes_in_the_secret_service() {
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
    assert_eq!(
        secret_tool_lookup(&keychain, account).as_deref(),
        Some("first-value")
    );

    keychain
        .write(account, &Secret::new("second-value"))
        .await
        .unwrap();
    assert_eq!(
        keychain.read(account).await.unwrap(),
        Some(Secret::new("second-value"))
    );
    assert_eq!(
        secret_tool_lookup(&keychain, account).as_deref(),
        Some("second-value")
    );

    keychain.delete(account).await.unwrap();
    assert!(keychain.read(account).await.unwrap().is_none());
    assert_eq!(secret_tool_lookup(&keychain, account), None);
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
