//! How long the core takes over a UiPath list answer of 5,000 apps: `list_apps` (the request, the
//! typed read of every member and the conversion to the domain's apps) against the same request
//! with its body read as plain JSON. The answer is the sandbox's own, for three apps, repeated to
//! 5,000 with other ids and names, and served ready-made on loopback, so the server's time does not
//! count. Run it as `benches/README.md` says.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::Router;
use registrar_core::oauth::{self, ClientCredentials};
use registrar_core::uipath::{Endpoint, UiPathClient};
use registrar_sandbox::{ListedApps, Sandbox, SandboxConfig};
use registrar_tests::seed_apps;
use serde_json::{json, Value};

const APPS: usize = 5_000;
const ROUNDS: usize = 25;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The sandbox's list answer for a few apps, repeated to `APPS` apps with ids and names of their
/// own: the bytes a tenant with that many apps sends.
async fn list_answer() -> (Vec<u8>, uuid::Uuid) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        listed_apps: ListedApps::Whole,
        ..SandboxConfig::new(dir.path().join("sandbox.sqlite3"))
    })
    .await
    .unwrap();
    seed_apps(&sandbox, 3).await;
    let partition = sandbox.partition_global_id();
    let http = registrar_core::http::client().unwrap();
    let admin = ClientCredentials {
        client_id: sandbox.admin_client_id().to_owned(),
        client_secret: sandbox.issue_admin_secret().unwrap(),
    };
    let token_url = format!("{}/connect/token", sandbox.identity_url());
    let token =
        oauth::client_credentials(&http, &token_url.parse().unwrap(), &admin, &["PM.OAuthApp"])
            .await
            .unwrap()
            .access_token;
    let url = format!("{}/api/ExternalClient/{partition}", sandbox.identity_url());
    let answer = http.get(url).bearer_auth(token.expose()).send().await;
    let few: Vec<Value> = answer.unwrap().json().await.unwrap();
    sandbox.shutdown().await;
    let many: Vec<Value> = (0..APPS)
        .map(|n| {
            let mut app = few[n % few.len()].clone();
            app["id"] = json!(uuid::Uuid::new_v4().to_string());
            app["name"] = json!(format!("App {n:04}"));
            app
        })
        .collect();
    (serde_json::to_vec(&many).unwrap(), partition)
}

#[tokio::main]
async fn main() {
    let (body, partition) = list_answer().await;
    let token = json!({"access_token": "a.b.c", "token_type": "Bearer", "expires_in": 3600, "scope": "PM.OAuthApp"});
    let served = body.clone();
    let router = Router::new()
        .route(
            "/identity_/connect/token",
            post(move || async move { axum::Json(token.clone()) }),
        )
        .route(
            "/identity_/api/ExternalClient/{partition}",
            get(move || async move {
                (
                    [("content-type", "application/json; charset=utf-8")],
                    served.clone(),
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let http = registrar_core::http::client().unwrap();
    let client = UiPathClient::new(
        http.clone(),
        Endpoint {
            identity_url: format!("{base}/identity_").parse().unwrap(),
            partition_global_id: partition,
            cloud_organization: None,
        },
        ClientCredentials {
            client_id: "bench".into(),
            client_secret: registrar_core::Secret::new("bench".to_owned()),
        },
    );
    let list_url = format!("{base}/identity_/api/ExternalClient/{partition}");

    // Warm both paths: the admin token, the connection pool.
    assert_eq!(client.list_apps().await.unwrap().len(), APPS);
    let (mut ours, mut reference) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let bytes = http
            .get(&list_url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let plain: Value = serde_json::from_slice(&bytes).unwrap();
        reference.push(started.elapsed());
        assert_eq!(plain.as_array().unwrap().len(), APPS);

        let started = Instant::now();
        let apps = client.list_apps().await.unwrap();
        ours.push(started.elapsed());
        assert_eq!(apps.len(), APPS);
    }
    let (ours, reference) = (median(ours), median(reference));
    eprintln!(
        "list of {APPS} apps ({} bytes): core {:.1} ms, plain JSON {:.1} ms (medians of {ROUNDS})",
        body.len(),
        ms(ours),
        ms(reference)
    );
    println!(
        "BENCH|UiPath list of {APPS} apps: core read vs the body as plain JSON|{:.1} ms|{:.1} ms|{:.2}×|≤ 50 ms",
        ms(reference),
        ms(ours),
        ours.as_secs_f64() / reference.as_secs_f64()
    );
}
