//! The core's UiPath client through a loopback proxy that misbehaves on cue: refused connections,
//! answers cut off, requests that hang, 500, 503, 429 with Retry-After, broken JSON, a web page
//! instead of JSON, an expired admin token. Each test checks what the admin is told and, for
//! creates, that the app exists at most once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use registrar_core::model::ScopeType;
use registrar_core::oauth::ClientCredentials;
use registrar_core::secrets::NewSecret;
use registrar_core::uipath::{Endpoint, UiPathClient};
use registrar_core::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::core_client::{confidential, sandbox, Running};

/// What the proxy does to a request instead of passing it on and back.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fault {
    /// Answers with this status and an empty body, without passing the request on.
    Status(u16),
    /// 429 with `Retry-After` in seconds, without passing the request on.
    RateLimited(u64),
    /// Never answers.
    Hang,
    /// Starts an answer and breaks the connection, without passing the request on.
    CutOff,
    /// Passes the request on, so the server acts, and closes the connection without an answer.
    LoseAnswer,
    /// Passes the request on, then answers 500 as a failing proxy in front of a server would.
    ActThen500,
    /// 200 with a body that is not JSON.
    BrokenJson,
    /// 200 with a web page, as a wrong base URL gives.
    WebPage,
}

#[derive(Debug)]
struct Rule {
    method: &'static str,
    path_ends: String,
    fault: Fault,
    times: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Seen {
    method: String,
    path: String,
    at: Instant,
}

#[derive(Debug, Default)]
struct Script {
    rules: Vec<Rule>,
    seen: Vec<Seen>,
}

/// The misbehaving proxy in front of a sandbox.
pub(crate) struct FaultProxy {
    pub(crate) base: String,
    script: Arc<Mutex<Script>>,
}

impl FaultProxy {
    pub(crate) async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let script = Arc::new(Mutex::new(Script::default()));
        let shared = script.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(
                    stream,
                    upstream.clone(),
                    http.clone(),
                    shared.clone(),
                ));
            }
        });
        Self { base, script }
    }

    /// The next `times` requests of `method` to a path ending in `path_ends` meet `fault`.
    pub(crate) fn on(&self, method: &'static str, path_ends: &str, fault: Fault, times: u32) {
        self.script.lock().unwrap().rules.push(Rule {
            method,
            path_ends: path_ends.to_owned(),
            fault,
            times,
        });
    }

    pub(crate) fn seen(&self, method: &str, path_ends: &str) -> Vec<Seen> {
        let script = self.script.lock().unwrap();
        script
            .seen
            .iter()
            .filter(|s| s.method == method && s.path.ends_with(path_ends))
            .cloned()
            .collect()
    }
}

/// One request per connection: read it, then pass it on or misbehave.
async fn serve(
    mut stream: TcpStream,
    upstream: String,
    http: reqwest::Client,
    script: Arc<Mutex<Script>>,
) {
    let Some((method, path, headers, body)) = read_request(&mut stream).await else {
        return;
    };
    let fault = {
        let mut script = script.lock().unwrap();
        script.seen.push(Seen {
            method: method.clone(),
            path: path.clone(),
            at: Instant::now(),
        });
        let rule = script.rules.iter_mut().find(|r| {
            r.times > 0
                && r.method == method
                && path.split('?').next().unwrap().ends_with(&r.path_ends)
        });
        rule.map(|r| {
            r.times -= 1;
            r.fault
        })
    };
    let pass_on = || async {
        let mut request = http.request(method.parse().unwrap(), format!("{upstream}{path}"));
        for (name, value) in &headers {
            if !["host", "content-length", "connection"].contains(&name.as_str()) {
                request = request.header(name, value);
            }
        }
        let response = request.body(body.clone()).send().await.unwrap();
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_else(|| "application/json".into());
        (status, kind, response.bytes().await.unwrap().to_vec())
    };
    let answer = match fault {
        None => {
            let (status, kind, body) = pass_on().await;
            response(status, &kind, &[], &body)
        }
        Some(Fault::Status(status)) => response(status, "application/json", &[], b""),
        Some(Fault::RateLimited(seconds)) => response(
            429,
            "application/json",
            &[("Retry-After", seconds.to_string())],
            b"",
        ),
        Some(Fault::Hang) => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            return;
        }
        Some(Fault::CutOff) => cut_off(),
        Some(Fault::LoseAnswer) => {
            pass_on().await;
            return;
        }
        Some(Fault::ActThen500) => {
            pass_on().await;
            response(500, "text/plain", &[], b"upstream failed")
        }
        Some(Fault::BrokenJson) => response(200, "application/json", &[], b"{\"id\": \"7c1f"),
        Some(Fault::WebPage) => response(
            200,
            "text/html; charset=utf-8",
            &[],
            b"<!doctype html><html><body>Sign in</body></html>",
        ),
    };
    let _ = stream.write_all(&answer).await;
    let _ = stream.shutdown().await;
}

type Request = (String, String, Vec<(String, String)>, Vec<u8>);

pub(crate) async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let (method, path) = (start.next()?.to_owned(), start.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((method, path, headers, body))
}

pub(crate) fn response(status: u16, kind: &str, extra: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// An answer that promises a body and stops early: the connection breaks mid-answer.
fn cut_off() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n{\"id\": \"".to_vec()
}

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
