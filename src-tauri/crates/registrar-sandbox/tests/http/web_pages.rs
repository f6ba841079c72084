//! What a web page could do to a server on loopback: show its sign-in page in a frame, or reach it
//! under its own domain resolved to 127.0.0.1 (DNS rebinding).

use reqwest::StatusCode;

use crate::common::{authorize_params, env, raw_get, REDIRECT};

#[tokio::test]
async fn the_sign_in_page_is_never_framed_nor_cached() {
    let env = env().await;
    let password = env.sandbox.issue_user_password().unwrap();
    let app = env
        .create_app(false, &[("OR.Users.Read", "user")], Some(REDIRECT))
        .await;
    let params = authorize_params(&app.id, "OR.Users.Read");
    let page = env.authorize_page(&params).await;
    let refused = env.authorize_page(&[]).await;
    let mut form = params.clone();
    form.extend([
        ("username", "admin".into()),
        ("password", password.expose().into()),
    ]);
    let signed_in = env.authorize_post(&form).await;
    for (answer, status) in [
        (&page, StatusCode::OK),
        (&refused, StatusCode::BAD_REQUEST),
        (&signed_in, StatusCode::SEE_OTHER),
    ] {
        assert_eq!(answer.status(), status);
        let headers = answer.headers();
        assert_eq!(headers["x-frame-options"], "DENY", "{status}");
        assert_eq!(
            headers["content-security-policy"], "frame-ancestors 'none'",
            "{status}"
        );
        assert_eq!(headers["cache-control"], "no-store", "{status}");
    }
}

#[tokio::test]
async fn only_requests_addressed_to_the_sandbox_by_a_loopback_name_are_answered() {
    let env = env().await;
    let port = env.sandbox.addr().port();
    let discovery = "/identity_/.well-known/openid-configuration";
    for host in [
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
    ] {
        let answer = raw_get(&env, discovery, &[&format!("Host: {host}")]).await;
        assert!(answer.starts_with("HTTP/1.1 200 "), "{host}: {answer}");
    }

    let api = format!("/sandbox/identity_/api/ExternalClient/{}", env.partition());
    let bearer = format!("Authorization: Bearer {}", env.admin_token);
    for (path, host) in [
        (discovery, format!("rebound.example:{port}")),
        (discovery, format!("127.0.0.1:{}", port.wrapping_add(1))),
        (discovery, "127.0.0.1".to_owned()),
        (discovery, format!("user@127.0.0.1:{port}")),
        (api.as_str(), format!("rebound.example:{port}")),
        (
            "/identity_/connect/authorize",
            format!("rebound.example:{port}"),
        ),
    ] {
        let answer = raw_get(&env, path, &[&format!("Host: {host}"), &bearer]).await;
        assert!(answer.starts_with("HTTP/1.1 421 "), "{host}: {answer}");
        assert!(
            answer.contains("text/plain") && answer.contains("127.0.0.1, [::1] or localhost"),
            "{answer}"
        );
    }
    let absolute = format!("http://rebound.example:{port}{discovery}");
    let answer = raw_get(&env, &absolute, &[&format!("Host: 127.0.0.1:{port}")]).await;
    assert!(answer.starts_with("HTTP/1.1 421 "), "{answer}");

    let answer = raw_get(&env, discovery, &[]).await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(answer.contains("no valid Host header"), "{answer}");
}
