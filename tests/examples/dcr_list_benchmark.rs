//! How long Registrar takes to list 200 clients it registered on an RFC 7592 server that is far
//! away: oidc-provider (`tests/oidc-provider`) behind the loopback proxy, which adds 50 ms to every
//! request. RFC 7591 has no listing, so each client is read from the server with its registration
//! access token, which is in the keychain (the real Secret Service: run it under
//! `scripts/lib/headless.sh`). Reported: the first listing of a session (every token read from the
//! keychain) and the next one, against one client read through the same proxy. Run it as
//! `benches/README.md` says.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use registrar_core::admin::{self, AdminCredential};
use registrar_core::connections::{Connection, ConnectionStore};
use registrar_core::draft::AppDraft;
use registrar_core::keychain::Keychain;
use registrar_core::model::{AppType, Scope, ScopeType};
use registrar_core::provider::Provider;
use registrar_tests::proxy::FaultProxy;
use registrar_tests::{OidcProvider, TestNamespace};

const CLIENTS: usize = 200;
const DELAY: Duration = Duration::from_millis(50);
const SESSIONS: usize = 3;

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

async fn open(keychain: &Keychain, store: &ConnectionStore, connection: &Connection) -> Provider {
    let http = registrar_core::http::client().unwrap();
    admin::open(http, keychain, store, connection)
        .await
        .unwrap()
}

#[tokio::main]
async fn main() {
    let server = OidcProvider::start();
    let proxy = FaultProxy::start(server.issuer.as_str().trim_end_matches('/').to_owned()).await;
    proxy.answer_as_itself();

    let folder = tempfile::tempdir().unwrap();
    let store = ConnectionStore::new(folder.path().join("connections.json"));
    let connection = Connection::oauth_server(
        Connection::new_id(),
        "Far away".into(),
        format!("{}/", proxy.base),
    );
    let namespace = TestNamespace::default();
    let keychain = Keychain::platform(namespace.0.clone()).unwrap();
    AdminCredential::InitialAccessToken(server.initial_access_token.duplicate())
        .keep(&keychain, &connection)
        .await
        .unwrap();

    let provider = open(&keychain, &store, &connection).await;
    let mut ids = Vec::new();
    for n in 0..CLIENTS {
        let draft = AppDraft {
            name: format!("Client {n:03}"),
            app_type: AppType::Confidential,
            redirect_uris: vec![],
            scopes: vec![Scope::new("orders.read", ScopeType::Application)],
        };
        let created = provider
            .create_app(&draft.validate(None).unwrap())
            .await
            .unwrap();
        ids.push(created.app.id);
    }
    eprintln!("registered {CLIENTS} clients; every request now waits {DELAY:?}");
    proxy.delay_each(DELAY);

    let mut one_read = Vec::new();
    let mut first = Vec::new();
    let mut next = Vec::new();
    for _ in 0..SESSIONS {
        let provider = open(&keychain, &store, &connection).await;
        let started = Instant::now();
        provider.get_app(&ids[0]).await.unwrap();
        one_read.push(started.elapsed());

        let provider = open(&keychain, &store, &connection).await;
        let started = Instant::now();
        let listed = provider.list_apps().await.unwrap();
        first.push(started.elapsed());
        assert_eq!(listed.len(), CLIENTS);

        let started = Instant::now();
        provider.list_apps().await.unwrap();
        next.push(started.elapsed());
    }
    let (one_read, first, next) = (median(one_read), median(first), median(next));
    eprintln!(
        "one client read {:.0} ms; the list's first listing of a session {:.0} ms, the next {:.0} ms \
         (medians of {SESSIONS} sessions)",
        ms(one_read),
        ms(first),
        ms(next)
    );
    for (which, took) in [
        ("first listing of a session", first),
        ("next listing", next),
    ] {
        println!(
            "BENCH|RFC 7592 list of {CLIENTS} clients, +{} ms a request: {which} vs one client read|{:.0} ms|{:.0} ms|{:.1}×|≤ 2000 ms",
            DELAY.as_millis(),
            ms(one_read),
            ms(took),
            took.as_secs_f64() / one_read.as_secs_f64(),
        );
    }
}
