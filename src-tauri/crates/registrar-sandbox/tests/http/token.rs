//! The token endpoint as RFC 6749 describes it: client authentication, grant types, scopes and
//! error answers.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{authorize_params, env, json_of, oauth_error, sign_in, REDIRECT, VERIFIER};

#[tokio::test]
async fn the_token_endpoint_follows_rfc_6749() {
    let env = env().await;
    let app = env
        .create_app(
            true,
            &[
                ("OR.Jobs", "application"),
                ("OR.Queues.Read", "application"),
                ("OR.Assets", "user"),
            ],
            Some("https://a.example/cb"),
        )
        .await;
    let secret = app.secret.unwrap();
    let id = app.id.as_str();
    let url = env.bare_url("connect/token");
    let post = |scope: &'static str| {
        let (env, secret) = (&env, secret.as_str());
        async move {
            env.token(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", scope),
            ])
            .await
        }
    };

    // client_secret_basic, on the organization mount too.
    for url in [url.clone(), env.url("connect/token")] {
        let response = env
            .http
            .post(&url)
            .basic_auth(id, Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(json_of(response).await["scope"], "OR.Jobs OR.Queues.Read");
    }
    assert_eq!(
        json_of(post("OR.Queues.Read").await).await["scope"],
        "OR.Queues.Read"
    );

    let both = env
        .http
        .post(&url)
        .basic_auth(id, Some(&secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    oauth_error(both, StatusCode::BAD_REQUEST, "invalid_request").await;

    let json_body = env
        .http
        .post(&url)
        .json(
            &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
        )
        .send()
        .await
        .unwrap();
    let description = oauth_error(json_body, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(description.contains("form-urlencoded"), "{description}");

    let missing_grant = env
        .token(&[("client_id", id), ("client_secret", &secret)])
        .await;
    oauth_error(missing_grant, StatusCode::BAD_REQUEST, "invalid_request").await;
    for grant in ["password", "urn:ietf:params:oauth:grant-type:device_code"] {
        let other = env
            .token(&[
                ("grant_type", grant),
                ("client_id", id),
                ("client_secret", &secret),
            ])
            .await;
        oauth_error(other, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    }

    let wrong = env.client_credentials(id, "wrong").await;
    assert!(wrong.headers().get("www-authenticate").is_none());
    oauth_error(wrong, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let wrong_basic = env
        .http
        .post(&url)
        .basic_auth(id, Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert!(wrong_basic.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    oauth_error(wrong_basic, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let unknown = env.client_credentials("nobody", &secret).await;
    oauth_error(unknown, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let anonymous = env.token(&[("grant_type", "client_credentials")]).await;
    oauth_error(anonymous, StatusCode::UNAUTHORIZED, "invalid_client").await;

    let description = oauth_error(
        post("OR.Jobs offline_access").await,
        StatusCode::BAD_REQUEST,
        "invalid_scope",
    )
    .await;
    assert!(description.contains("refresh"), "{description}");
    // A user scope, a variant not granted, a scope the app lacks.
    for scope in ["OR.Assets", "OR.Jobs.Read", "OR.Jobs PM.OAuthApp"] {
        oauth_error(post(scope).await, StatusCode::BAD_REQUEST, "invalid_scope").await;
    }

    let user_only = env
        .create_app(true, &[("OR.Assets", "user")], Some("https://a.example/cb"))
        .await;
    let refused = env
        .client_credentials(&user_only.id, user_only.secret.as_deref().unwrap())
        .await;
    oauth_error(refused, StatusCode::BAD_REQUEST, "invalid_scope").await;
}

#[tokio::test]
async fn a_code_asked_for_without_pkce_is_not_redeemed_with_a_verifier() {
    let env = env().await;
    let password = env.sandbox.issue_user_password().unwrap();
    let app = env
        .create_app(true, &[("OR.Users.Read", "user")], Some(REDIRECT))
        .await;
    let secret = app.secret.as_deref().unwrap();
    let without_pkce: Vec<_> = authorize_params(&app.id, "OR.Users.Read")
        .into_iter()
        .filter(|(name, _)| !name.starts_with("code_challenge"))
        .collect();
    let exchange = |code: String, verifier: Option<&'static str>| {
        let (env, id) = (&env, app.id.clone());
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
                ("client_id", &id),
                ("client_secret", secret),
            ];
            form.extend(verifier.map(|verifier| ("code_verifier", verifier)));
            env.token(&form).await
        }
    };

    let code = sign_in(&env, &without_pkce, password.expose()).await;
    let said = oauth_error(
        exchange(code, Some(VERIFIER)).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
    assert!(said.contains("without a code_challenge"), "{said}");

    let code = sign_in(&env, &without_pkce, password.expose()).await;
    let tokens = exchange(code, None).await;
    assert_eq!(tokens.status(), StatusCode::OK);
}

/// The token endpoint keeps what it knows of a client between requests, yet a change to the
/// client counts from the very next request: scopes taken away or given, a secret deleted.
#[tokio::test]
async fn a_change_to_a_client_counts_from_the_next_token_request() {
    let env = env().await;
    let app = env
        .create_app(true, &[("OR.Jobs.Read", "application")], None)
        .await;
    let secret = app.secret.as_deref().unwrap();
    env.token_ok(&app.id, secret, Some("OR.Jobs.Read")).await;

    let update =
        json!({"name": "Test app", "scopes": [{"name": "OR.Queues.Read", "type": "application"}]});
    let updated = env
        .admin(Method::PUT, &env.client_url(&app.id), Some(&update))
        .await;
    assert_eq!(updated.status(), StatusCode::OK);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app.id.as_str()),
        ("client_secret", secret),
        ("scope", "OR.Jobs.Read"),
    ];
    oauth_error(
        env.token(&form).await,
        StatusCode::BAD_REQUEST,
        "invalid_scope",
    )
    .await;
    env.token_ok(&app.id, secret, Some("OR.Queues.Read")).await;

    let generated = json!({"clientId": app.id, "description": "second", "partitionGlobalId": env.partition(), "expiryTime": null});
    let generated = json_of(env.generate_secret(&generated).await).await;
    let second = generated["secret"].as_str().unwrap();
    env.token_ok(&app.id, second, None).await;
    let secret_url = env.url(&format!(
        "api/ExternalClient/{}/secrets/{}",
        env.partition(),
        generated["id"]
    ));
    env.admin(Method::DELETE, &secret_url, None).await;
    oauth_error(
        env.client_credentials(&app.id, second).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;
    env.token_ok(&app.id, secret, None).await;
}
