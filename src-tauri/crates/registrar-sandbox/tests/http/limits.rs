//! What keeps slow and idle clients from starving the sandbox: a header-read timeout, a request
//! timeout and a cap on connections, each over raw TCP where a client library would hide it.

use std::time::{Duration, Instant};

use registrar_sandbox::SandboxConfig;
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;

use crate::common::{connect, env_with, until_closed, PATIENCE};

#[tokio::test]
async fn idle_connections_beyond_the_cap_are_closed_and_a_request_is_still_answered() {
    let header_read_timeout = Duration::from_secs(1);
    let env = env_with(|config| SandboxConfig {
        header_read_timeout,
        max_connections: 2,
        ..config
    })
    .await;
    let started = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(connect(&env).await);
    }
    let answer = tokio::time::timeout(
        PATIENCE,
        reqwest::Client::new()
            .get(env.url(".well-known/openid-configuration"))
            .send(),
    )
    .await
    .expect("answered once the idle connections were closed")
    .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= header_read_timeout,
        "answered after {:?}: the request did not wait for a free connection",
        started.elapsed()
    );
    for stream in &mut idle {
        assert_eq!(until_closed(stream).await.as_deref(), Some(""));
    }
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_cut_off() {
    let env = env_with(|config| SandboxConfig {
        header_read_timeout: Duration::from_secs(1),
        ..config
    })
    .await;
    let mut stream = connect(&env).await;
    let head = format!(
        "GET /identity_/.well-known/openid-configuration HTTP/1.1\r\nHost: {}\r\n",
        env.sandbox.addr()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let said = until_closed(&mut stream).await;
    assert!(
        said.is_some_and(|said| !said.contains("200 OK")),
        "the connection must close without an answer"
    );
}

#[tokio::test]
async fn a_request_whose_body_never_arrives_is_answered_408() {
    let env = env_with(|config| SandboxConfig {
        request_timeout: Duration::from_secs(1),
        ..config
    })
    .await;
    let mut stream = connect(&env).await;
    let request = format!(
        "POST /identity_/connect/token HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n\
         grant_type=",
        env.sandbox.addr()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let said = until_closed(&mut stream)
        .await
        .expect("the sandbox closes the connection after answering");
    assert!(said.starts_with("HTTP/1.1 408 "), "{said}");
    assert!(
        said.to_ascii_lowercase().contains("connection: close"),
        "{said}"
    );
    assert!(said.contains("send it again"), "{said}");
}
