//! The core's UiPath client through a loopback proxy that misbehaves on cue: refused connections,
//! answers cut off, requests that hang, 500, 503, 429 with Retry-After, broken JSON, a web page
//! instead of JSON, an expired admin token. Each test checks what the admin is told and, for
//! creates, that the app exists at most once.

use std::time::Duration;

use registrar_core::model::ScopeType;
use registrar_core::oauth::ClientCredentials;
use registrar_core::secrets::NewSecret;
use registrar_core::uipath::{Endpoint, UiPathClient};
use registrar_core::Error;
use registrar_tests::proxy::{Fault, FaultProxy};

use crate::core_client::{confidential, sandbox, Running};

struct Setup {
    running: Running,
    proxy: FaultProxy,
    client: UiPathClient,
}

/// A sandbox, the proxy in front of it, and an admin client that goes through the proxy with a
/// short timeout (the app's is 30 s).
async fn setup() -> Setup {
    let running = sandbox().await;
    let identity = running.sandbox.identity_url();
    let origin = format!("http://{}", running.sandbox.addr());
    let proxy = FaultProxy::start(origin.clone()).await;
    let client = client_at(&running, &identity.replace(&origin, &proxy.base));
    Setup {
        running,
        proxy,
        client,
    }
}

fn client_at(running: &Running, identity_url: &str) -> UiPathClient {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    UiPathClient::new(
        http,
        Endpoint {
            identity_url: identity_url.parse().unwrap(),
            partition_global_id: running.sandbox.partition_global_id(),
            cloud_organization: None,
        },
        ClientCredentials {
            client_id: running.sandbox.admin_client_id().to_owned(),
            client_secret: running.sandbox.issue_admin_secret().unwrap(),
        },
    )
}

pub(crate) const APPS: &str = "/ExternalClient";

fn named(apps: &[registrar_core::model::ExternalApp], name: &str) -> usize {
    apps.iter().filter(|a| a.name == name).count()
}

#[tokio::test]
async fn reads_wait_out_server_errors_and_a_short_retry_after() {
    let s = setup().await;
    let listing = format!("{APPS}/{}", s.running.sandbox.partition_global_id());
    s.proxy.on("GET", &listing, Fault::Status(503), 1);
    s.proxy.on("GET", &listing, Fault::Status(500), 1);
    s.client.list_apps().await.unwrap();
    assert_eq!(s.proxy.seen("GET", &listing).len(), 3);

    s.proxy.on("GET", &listing, Fault::RateLimited(1), 1);
    s.client.list_apps().await.unwrap();
    let seen = s.proxy.seen("GET", &listing);
    let waited = seen[4].at - seen[3].at;
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 not honoured ({waited:?})"
    );
}

#[tokio::test]
async fn a_long_retry_after_is_reported_not_waited_for() {
    let s = setup().await;
    s.proxy
        .on("GET", "/ExternalApiResource", Fault::RateLimited(120), 5);
    let error = s.client.catalog().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(120)),
        "{error:?}"
    );
    assert_eq!(s.proxy.seen("GET", "/ExternalApiResource").len(), 1);
}

#[tokio::test]
async fn a_read_that_never_answers_is_tried_three_times_then_reported() {
    let s = setup().await;
    s.proxy.on("GET", "/ExternalApiResource", Fault::Hang, 3);
    let error = s.client.catalog().await.unwrap_err().to_string();
    assert!(
        error.contains("did not answer reading the scope catalog in time"),
        "{error}"
    );
    assert_eq!(s.proxy.seen("GET", "/ExternalApiResource").len(), 3);
}

#[tokio::test]
async fn an_answer_cut_off_mid_read_is_read_again() {
    let s = setup().await;
    s.proxy.on("GET", "/ExternalApiResource", Fault::CutOff, 1);
    assert!(!s.client.catalog().await.unwrap().is_empty());
    assert_eq!(s.proxy.seen("GET", "/ExternalApiResource").len(), 2);
}

#[tokio::test]
async fn a_refused_connection_says_to_check_the_address() {
    let running = sandbox().await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let client = client_at(&running, &format!("http://127.0.0.1:{port}/acme/identity_"));
    let error = client.list_apps().await.unwrap_err();
    assert!(matches!(error, Error::Network(_)), "{error:?}");
    assert!(
        error.to_string().contains(&format!(
            "Could not connect to http://127.0.0.1:{port} for the token request. Check the address"
        )),
        "{error}"
    );
}

#[tokio::test]
async fn a_web_page_or_broken_json_is_reported_as_a_wrong_url() {
    let s = setup().await;
    s.proxy.on("GET", "/ExternalApiResource", Fault::WebPage, 1);
    let error = s.client.catalog().await.unwrap_err().to_string();
    assert!(
        error.contains("with a web page instead of API data. Check the identity URL"),
        "{error}"
    );

    s.proxy
        .on("GET", "/ExternalApiResource", Fault::BrokenJson, 1);
    let error = s.client.catalog().await.unwrap_err().to_string();
    assert!(
        error.contains("is not the JSON the API describes"),
        "{error}"
    );
}

#[tokio::test]
async fn an_expired_admin_token_is_renewed_once() {
    let s = setup().await;
    s.client.catalog().await.unwrap();
    s.proxy
        .on("GET", "/ExternalApiResource", Fault::Status(401), 1);
    s.client.catalog().await.unwrap();
    assert_eq!(s.proxy.seen("POST", "/connect/token").len(), 2);
}

async fn draft(s: &Setup, name: &str) -> registrar_core::draft::ValidDraft {
    let catalog = s.client.catalog().await.unwrap();
    confidential(name, &[("OR.Jobs.Read", ScopeType::Application)])
        .validate(Some(&catalog))
        .unwrap()
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_not_sent_again_and_is_found_in_the_list() {
    for (fault, name) in [
        (Fault::LoseAnswer, "Lost answer"),
        (Fault::ActThen500, "Done then 500"),
    ] {
        let s = setup().await;
        let draft = draft(&s, name).await;
        s.proxy.on("POST", APPS, fault, 1);
        let error = s.client.create_app(&draft).await.unwrap_err();
        let apps = s.client.list_apps().await.unwrap();
        let app = apps.iter().find(|a| a.name == name).unwrap();
        assert!(matches!(error, Error::Conflict(_)), "{error:?}");
        let said = error.to_string();
        assert!(
            said.contains(&format!(
                "\"{name}\" was registered all the same (App ID {})",
                app.id
            )),
            "{said}"
        );
        assert!(
            said.contains("generate a new secret. Do not register it again."),
            "{said}"
        );
        assert_eq!(s.proxy.seen("POST", APPS).len(), 1, "{name}: sent twice");
        assert_eq!(named(&apps, name), 1);
    }
}

#[tokio::test]
async fn a_create_the_server_did_not_act_on_is_reported_as_not_registered() {
    for (fault, name) in [
        (Fault::Status(503), "Refused with 503"),
        (Fault::CutOff, "Cut off before the server"),
    ] {
        let s = setup().await;
        let draft = draft(&s, name).await;
        s.proxy.on("POST", APPS, fault, 1);
        let said = s.client.create_app(&draft).await.unwrap_err().to_string();
        assert!(
            said.contains(&format!(
                "\"{name}\" was not registered, so nothing was created"
            )),
            "{said}"
        );
        assert_eq!(s.proxy.seen("POST", APPS).len(), 1, "{name}: sent twice");
        assert_eq!(named(&s.client.list_apps().await.unwrap(), name), 0);
    }
}

#[tokio::test]
async fn a_rate_limited_create_is_sent_again_after_the_wait_and_registers_once() {
    let s = setup().await;
    let draft = draft(&s, "Rate limited").await;
    s.proxy.on("POST", APPS, Fault::RateLimited(1), 1);
    let created = s.client.create_app(&draft).await.unwrap();
    assert!(created.secret.is_some());
    assert_eq!(s.proxy.seen("POST", APPS).len(), 2);
    assert_eq!(
        named(&s.client.list_apps().await.unwrap(), "Rate limited"),
        1
    );
}

#[tokio::test]
async fn a_secret_whose_answer_is_lost_is_not_requested_again() {
    let s = setup().await;
    let created = s
        .client
        .create_app(&draft(&s, "Secret lost").await)
        .await
        .unwrap();
    s.proxy.on("POST", "/GenerateSecret", Fault::LoseAnswer, 1);
    let request = NewSecret::validate("Rotation", None, time::OffsetDateTime::now_utc()).unwrap();
    let error = s
        .client
        .generate_secret(&created.app.id, &request)
        .await
        .unwrap_err();
    let said = error.to_string();
    assert!(said.contains("a secret was added all the same"), "{said}");
    assert!(
        said.contains("Delete that secret and generate another."),
        "{said}"
    );
    assert_eq!(s.proxy.seen("POST", "/GenerateSecret").len(), 1);
    assert_eq!(
        s.client
            .get_app(&created.app.id)
            .await
            .unwrap()
            .secrets
            .len(),
        2
    );
}

#[tokio::test]
async fn updates_and_deletes_are_repeated_safely() {
    let s = setup().await;
    let created = s
        .client
        .create_app(&draft(&s, "Repeatable").await)
        .await
        .unwrap();
    let app_path = format!("/{}", created.app.id);

    s.proxy.on("PUT", &app_path, Fault::Status(500), 1);
    s.client
        .update_app(&created.app.id, &draft(&s, "Repeatable v2").await)
        .await
        .unwrap();
    assert_eq!(
        s.client.get_app(&created.app.id).await.unwrap().name,
        "Repeatable v2"
    );

    s.proxy.on("DELETE", &app_path, Fault::LoseAnswer, 1);
    s.client.delete_app(&created.app.id).await.unwrap();
    assert_eq!(s.proxy.seen("DELETE", &app_path).len(), 2);
    assert_eq!(
        named(&s.client.list_apps().await.unwrap(), "Repeatable v2"),
        0
    );
}
