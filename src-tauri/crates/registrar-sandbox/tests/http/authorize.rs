//! The authorization endpoint and the user flows behind it: sign-in, PKCE, exact redirects,
//! single-use codes, rotating refresh tokens.

use registrar_sandbox::SandboxConfig;
use reqwest::StatusCode;

use crate::common::{
    authorize_params, claims, env, env_with, json_of, replaced, sent_back, sign_in, token_refusal,
    REDIRECT, VERIFIER,
};

#[tokio::test]
async fn a_user_signs_in_with_pkce_codes_work_once_and_refresh_tokens_rotate() {
    let env = env().await;
    let password = env.sandbox.issue_user_password().unwrap();
    let app = env
        .create_app(false, &[("OR.Users.Read", "user")], Some(REDIRECT))
        .await;
    let params = authorize_params(&app.id, "OR.Users.Read offline_access");

    let page = env.authorize_page(&params).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form method=\"post\">") && html.contains("type=\"password\""),
        "{html}"
    );

    let mut wrong = params.clone();
    wrong.extend([("username", "admin".into()), ("password", "guess".into())]);
    let refused = env.authorize_post(&wrong).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Wrong user name or password."));

    let exchange = |code: String, verifier: &'static str| {
        let env = &env;
        let id = app.id.clone();
        async move {
            env.token(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", &id),
                ("code_verifier", verifier),
            ])
            .await
        }
    };
    let code = sign_in(&env, &params, password.expose()).await;
    let said = token_refusal(
        exchange(code.clone(), "not-the-verifier-0123456789012345678901234").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        said.starts_with("invalid_grant") && said.contains("code_verifier"),
        "{said}"
    );
    let said = token_refusal(exchange(code, VERIFIER).await, StatusCode::BAD_REQUEST).await;
    assert!(
        said.contains("used already"),
        "a failed exchange must use up the code: {said}"
    );

    let code = sign_in(&env, &params, password.expose()).await;
    let tokens = json_of(exchange(code.clone(), VERIFIER).await).await;
    let access = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["sub_type"], "user");
    assert_eq!(access["aud"], serde_json::json!(["UiPath.Orchestrator"]));
    assert_eq!(access["client_id"], app.id.as_str());
    assert_eq!(tokens["scope"], "OR.Users.Read offline_access");
    let refresh = |token: String| {
        let env = &env;
        let id = app.id.clone();
        async move {
            env.token(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &token),
                ("client_id", &id),
            ])
            .await
        }
    };
    // A code presented again is refused, and the refresh token issued from it is revoked: the
    // replay may be an attacker's, so whoever got tokens from that code must sign in again.
    let said = token_refusal(exchange(code, VERIFIER).await, StatusCode::BAD_REQUEST).await;
    assert!(said.contains("used already"), "{said}");
    let from_replayed_code = tokens["refresh_token"].as_str().unwrap().to_owned();
    let said = token_refusal(refresh(from_replayed_code).await, StatusCode::BAD_REQUEST).await;
    assert!(said.starts_with("invalid_grant"), "{said}");

    let code = sign_in(&env, &params, password.expose()).await;
    let tokens = json_of(exchange(code, VERIFIER).await).await;
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();
    let renewed = json_of(refresh(first.clone()).await).await;
    let second = renewed["refresh_token"].as_str().unwrap().to_owned();
    assert!(renewed["access_token"].is_string());
    assert_ne!(first, second);
    let third = json_of(refresh(second.clone()).await).await;
    let third = third["refresh_token"].as_str().unwrap().to_owned();

    // Replaying a used refresh token revokes its whole family, the newest one included.
    let said = token_refusal(refresh(first).await, StatusCode::BAD_REQUEST).await;
    assert!(said.contains("refresh token was used already"), "{said}");
    let said = token_refusal(refresh(third).await, StatusCode::BAD_REQUEST).await;
    assert!(said.contains("used already"), "{said}");

    // Another sign-in is another family, untouched by the revocation.
    let code = sign_in(&env, &params, password.expose()).await;
    let tokens = json_of(exchange(code, VERIFIER).await).await;
    let other = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(refresh(other).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_parameter_given_twice_is_refused_at_the_authorization_endpoint() {
    let env = env().await;
    let password = env.sandbox.issue_user_password().unwrap();
    let app = env
        .create_app(false, &[("OR.Users.Read", "user")], Some(REDIRECT))
        .await;
    let mut params = authorize_params(&app.id, "OR.Users.Read");
    params.push(("redirect_uri", "http://127.0.0.1:1/elsewhere".into()));

    let page = env.authorize_page(&params).await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("The redirect_uri parameter is given more than once."));

    let mut form = params.clone();
    form.extend([
        ("username", "admin".into()),
        ("password", password.expose().into()),
    ]);
    let posted = env.authorize_post(&form).await;
    assert_eq!(posted.status(), StatusCode::BAD_REQUEST);
    assert!(
        posted.headers().get("location").is_none(),
        "no code was sent anywhere"
    );
}

#[tokio::test]
async fn a_loopback_redirect_may_name_any_port_only_when_the_sandbox_is_told_so() {
    let env = env_with(|config| SandboxConfig {
        loopback_any_port: true,
        ..config
    })
    .await;
    let app = env
        .create_app(
            false,
            &[("OR.Users.Read", "user")],
            Some("http://127.0.0.1/callback"),
        )
        .await;
    let params = replaced(
        authorize_params(&app.id, "OR.Users.Read"),
        "redirect_uri",
        "http://127.0.0.1:8401/callback",
    );
    let shown = env.authorize_page(&params).await;
    assert_eq!(
        shown.status(),
        StatusCode::OK,
        "the sign-in page, not a mismatch"
    );
}

#[tokio::test]
async fn the_authorization_endpoint_matches_redirects_exactly_and_requires_s256_for_public_apps() {
    let env = env().await;
    let app = env
        .create_app(false, &[("OR.Users.Read", "user")], Some(REDIRECT))
        .await;
    let ask = |params: Vec<(&'static str, String)>| {
        let env = &env;
        async move { env.authorize_page(&params).await }
    };
    let base = |redirect: &str| {
        replaced(
            authorize_params(&app.id, "OR.Users.Read"),
            "redirect_uri",
            redirect,
        )
    };

    let slash = ask(base(&format!("{REDIRECT}/"))).await;
    assert_eq!(slash.status(), StatusCode::BAD_REQUEST);
    assert!(
        sent_back(&slash).is_none(),
        "an unregistered redirect URL must not be followed"
    );
    assert!(slash
        .text()
        .await
        .unwrap()
        .contains("redirect_uri_mismatch"));

    // Port included, as on UiPath's servers.
    let other_port = ask(base("http://127.0.0.1:8401/callback")).await;
    assert_eq!(other_port.status(), StatusCode::BAD_REQUEST);
    assert!(sent_back(&other_port).is_none());

    let without_pkce: Vec<_> = base(REDIRECT)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("code_challenge"))
        .collect();
    let back = sent_back(&ask(without_pkce).await).unwrap();
    assert_eq!(back["error"], "invalid_request");
    assert_eq!(back["state"], "af0ifjsldkj");

    let plain = replaced(base(REDIRECT), "code_challenge_method", "plain");
    assert_eq!(
        sent_back(&ask(plain).await).unwrap()["error"],
        "invalid_request"
    );

    let foreign = replaced(base(REDIRECT), "scope", "OR.Jobs");
    assert_eq!(
        sent_back(&ask(foreign).await).unwrap()["error"],
        "invalid_scope"
    );
}

#[tokio::test]
async fn a_confidential_app_exchanges_its_code_only_with_its_secret() {
    let env = env().await;
    let password = env.sandbox.issue_user_password().unwrap();
    let app = env
        .create_app(true, &[("OR.Users.Read", "user")], Some(REDIRECT))
        .await;
    let params = authorize_params(&app.id, "OR.Users.Read");
    let code = sign_in(&env, &params, password.expose()).await;
    let without = env
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &app.id),
            ("code_verifier", VERIFIER),
        ])
        .await;
    let said = token_refusal(without, StatusCode::UNAUTHORIZED).await;
    assert!(
        said.contains("must authenticate with its client secret"),
        "{said}"
    );

    let code = sign_in(&env, &params, password.expose()).await;
    let with = env
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &app.id),
            ("client_secret", app.secret.as_deref().unwrap()),
            ("code_verifier", VERIFIER),
        ])
        .await;
    let tokens = json_of(with).await;
    assert_eq!(tokens["scope"], "OR.Users.Read");
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
}
