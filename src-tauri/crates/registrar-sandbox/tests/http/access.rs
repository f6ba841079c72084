//! Who may call the External Client API: a bearer token this sandbox issued, holding a scope that
//! opens the operation.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey};
use registrar_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::{decode_part, env, json_of, problem, Env};

#[tokio::test]
async fn the_api_needs_a_valid_token_with_the_right_scope() {
    let env = env().await;
    let p = env.partition();
    let unknown = Uuid::new_v4();
    let update = json!({"name": "x", "scopes": [{"name": "OR.Jobs", "type": "application"}]});
    let create = json!({"partitionGlobalId": p, "name": "x", "isConfidential": true, "scopes": [{"name": "OR.Jobs", "type": "application"}]});
    let secret = json!({"clientId": unknown.to_string(), "partitionGlobalId": p, "description": null, "expiryTime": null});
    // (method, path, body, scopes that open it); unknown ids so that allowed calls answer 404.
    let endpoints = [
        (
            Method::GET,
            "api/ExternalApiResource".to_owned(),
            None,
            "read",
        ),
        (Method::GET, format!("api/ExternalClient/{p}"), None, "read"),
        (
            Method::GET,
            format!("api/ExternalClient/{p}/{unknown}"),
            None,
            "read",
        ),
        (
            Method::POST,
            "api/ExternalClient".to_owned(),
            Some(&create),
            "write",
        ),
        (
            Method::PUT,
            format!("api/ExternalClient/{p}/{unknown}"),
            Some(&update),
            "write",
        ),
        (
            Method::DELETE,
            format!("api/ExternalClient/{p}/{unknown}"),
            None,
            "write",
        ),
        (
            Method::POST,
            "api/ExternalClient/GenerateSecret".to_owned(),
            Some(&secret),
            "secret",
        ),
        (
            Method::GET,
            format!("api/ExternalClient/{p}/{unknown}/GenerateSecret"),
            None,
            "secret",
        ),
        (
            Method::DELETE,
            format!("api/ExternalClient/{p}/secrets/999999"),
            None,
            "secret",
        ),
    ];

    let other_dir = tempfile::tempdir().unwrap();
    let other = Sandbox::start(SandboxConfig::new(other_dir.path().join("other.sqlite3")))
        .await
        .unwrap();
    let other_secret = other.issue_admin_secret().unwrap();
    let foreign = env
        .http
        .post(format!("{}/identity_/connect/token", other.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", other.admin_client_id()),
            ("client_secret", other_secret.expose()),
        ])
        .send()
        .await
        .unwrap();
    let foreign = json_of(foreign).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let parts: Vec<&str> = env.admin_token.split('.').collect();
    let mut claims = decode_part(parts[1]);
    claims["scope"] = json!("PM.OAuthApp");
    claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 86_400);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );

    for (method, path, body, _) in &endpoints {
        let url = env.url(path);
        let response = env.call(None, method.clone(), &url, *body).await;
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        problem(response, StatusCode::UNAUTHORIZED).await;
        for token in ["garbage", foreign.as_str(), tampered.as_str()] {
            let response = env.call(Some(token), method.clone(), &url, *body).await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            assert!(response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"));
        }
        let basic = env
            .http
            .request(method.clone(), &url)
            .basic_auth("a", Some("b"))
            .send()
            .await
            .unwrap();
        assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    }
    other.shutdown().await;

    let tokens = [
        ("read", env.token_with(&["PM.OAuthApp.Read"]).await),
        ("write", env.token_with(&["PM.OAuthApp.Write"]).await),
        ("secret", env.token_with(&["PM.OAuthAppSecret.Write"]).await),
        ("none", env.token_with(&["OR.Jobs", "PM.User"]).await),
        ("all", env.token_with(&["PM.OAuthApp"]).await),
    ];
    for (holds, token) in &tokens {
        for (method, path, body, needs) in &endpoints {
            let response = env
                .call(Some(token), method.clone(), &env.url(path), *body)
                .await;
            if holds == needs || *holds == "all" {
                assert!(
                    matches!(
                        response.status(),
                        StatusCode::OK | StatusCode::CREATED | StatusCode::NOT_FOUND
                    ),
                    "{holds}: {method} {path} gave {}",
                    response.status()
                );
            } else {
                let body = problem(response, StatusCode::FORBIDDEN).await;
                assert!(
                    body["detail"].as_str().unwrap().contains("PM.OAuthApp"),
                    "{body}"
                );
            }
        }
    }
}

/// The admin token with `change` made to its claims, signed with the sandbox's own key as read
/// from its database: what only the sandbox could issue.
fn signed_as_the_sandbox(env: &Env, change: impl FnOnce(&mut Value)) -> String {
    let db = rusqlite::Connection::open(env.dir.path().join("sandbox.sqlite3")).unwrap();
    let seed: Vec<u8> = db
        .query_row("SELECT signing_key_seed FROM meta", [], |row| row.get(0))
        .unwrap();
    let key = SigningKey::from_bytes(&seed.try_into().unwrap());
    let parts: Vec<&str> = env.admin_token.split('.').collect();
    let mut claims = decode_part(parts[1]);
    change(&mut claims);
    let signed = format!(
        "{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// The `detail` of a 401 that refused a token, after checking its challenge.
async fn token_refused(response: Response) -> String {
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with(r#"Bearer error="invalid_token""#),
        "{:?}",
        response.headers()
    );
    let body = problem(response, StatusCode::UNAUTHORIZED).await;
    body["detail"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let env = env().await;
    let list = env.url(&format!("api/ExternalClient/{}", env.partition()));
    let call = |token: String| {
        let (env, list) = (&env, &list);
        async move { env.call(Some(&token), Method::GET, list, None).await }
    };
    assert_eq!(
        decode_part(env.admin_token.split('.').nth(1).unwrap())["aud"],
        json!(["PlatformManagement"])
    );
    let unchanged = signed_as_the_sandbox(&env, |_| {});
    assert_eq!(call(unchanged).await.status(), StatusCode::OK);

    for audience in [json!(["UiPath.Orchestrator"]), json!([])] {
        let token = signed_as_the_sandbox(&env, |claims| claims["aud"] = audience.clone());
        let said = token_refused(call(token).await).await;
        assert!(
            said.contains("audience must include PlatformManagement"),
            "{said}"
        );
    }
    let without = signed_as_the_sandbox(&env, |claims| {
        claims.as_object_mut().unwrap().remove("aud");
    });
    token_refused(call(without).await).await;
}

#[tokio::test]
async fn a_token_stops_working_when_its_app_loses_the_scope_or_is_deleted() {
    let env = env().await;
    let app = env
        .create_app(true, &[("PM.OAuthApp", "application")], None)
        .await;
    let token = env
        .token_ok(&app.id, app.secret.as_deref().unwrap(), None)
        .await;
    let list = env.url(&format!("api/ExternalClient/{}", env.partition()));
    let listed = env.call(Some(&token), Method::GET, &list, None).await;
    assert_eq!(listed.status(), StatusCode::OK);

    let fewer = json!({"name": "Test app", "scopes": [{"name": "OR.Jobs", "type": "application"}]});
    let updated = env
        .admin(Method::PUT, &env.client_url(&app.id), Some(&fewer))
        .await;
    assert_eq!(updated.status(), StatusCode::OK);
    let refused = env.call(Some(&token), Method::GET, &list, None).await;
    let body = problem(refused, StatusCode::FORBIDDEN).await;
    assert!(
        body["detail"].as_str().unwrap().contains("no longer holds"),
        "{body}"
    );

    let deleted = env
        .admin(Method::DELETE, &env.client_url(&app.id), None)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let said = token_refused(env.call(Some(&token), Method::GET, &list, None).await).await;
    assert!(said.contains("no longer exists"), "{said}");
}
