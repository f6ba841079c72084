//! Where the sandbox says it is, its catalog, discovery, and tokens checked against its JWKS.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use reqwest::StatusCode;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::common::{decode_part, env, json_of, ADMIN_SCOPES};

#[tokio::test]
async fn urls_and_identity_are_reported() {
    let env = env().await;
    let sandbox = &env.sandbox;
    assert!(sandbox.is_new());
    assert!(sandbox.addr().ip().is_loopback());
    assert_ne!(sandbox.addr().port(), 0);
    assert_eq!(
        sandbox.base_url(),
        format!("http://127.0.0.1:{}", sandbox.addr().port())
    );
    assert_eq!(
        sandbox.identity_url(),
        format!("{}/sandbox/identity_", sandbox.base_url())
    );
    assert_eq!(sandbox.organization(), "sandbox");
    assert!(!sandbox.partition_global_id().is_nil());
    assert!(Uuid::parse_str(sandbox.admin_client_id()).is_ok());
}

#[tokio::test]
async fn catalog_and_discovery_are_served() {
    let env = env().await;
    let catalog = env.get_json("api/ExternalApiResource").await;
    let orchestrator = catalog
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "UiPath.Orchestrator")
        .unwrap();
    assert_eq!(orchestrator["displayName"], "Orchestrator API Access");
    let jobs_read = orchestrator["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "OR.Jobs.Read")
        .unwrap();
    assert_eq!(jobs_read["type"], 2, "either type, as a number");
    assert!(jobs_read["description"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));

    for url in [
        env.url(".well-known/openid-configuration"),
        env.bare_url(".well-known/openid-configuration"),
    ] {
        let discovery = env.fetch_json(&url).await;
        let issuer = format!("{}/identity_", env.sandbox.base_url());
        assert_eq!(discovery["issuer"], issuer.as_str());
        assert_eq!(
            discovery["token_endpoint"],
            format!("{issuer}/connect/token")
        );
        assert_eq!(
            discovery["jwks_uri"],
            format!("{issuer}/.well-known/openid-configuration/jwks")
        );
        assert_eq!(
            discovery["authorization_endpoint"],
            format!("{issuer}/connect/authorize")
        );
        assert_eq!(
            discovery["grant_types_supported"],
            json!(["client_credentials", "authorization_code", "refresh_token"])
        );
        assert_eq!(
            discovery["token_endpoint_auth_methods_supported"],
            json!(["client_secret_basic", "client_secret_post", "none"])
        );
        assert_eq!(discovery["response_types_supported"], json!(["code"]));
        assert_eq!(
            discovery["code_challenge_methods_supported"],
            json!(["S256"])
        );
        let scopes = discovery["scopes_supported"].as_array().unwrap();
        assert!(
            scopes.contains(&json!("PM.OAuthApp"))
                && scopes.contains(&json!("DataFabric.Data.Read"))
        );
    }
    for url in [
        env.url(".well-known/openid-configuration/jwks"),
        env.bare_url(".well-known/openid-configuration/jwks"),
    ] {
        let jwks = env.fetch_json(&url).await;
        let key = &jwks["keys"][0];
        assert_eq!(
            (&key["kty"], &key["crv"], &key["use"], &key["alg"]),
            (
                &json!("OKP"),
                &json!("Ed25519"),
                &json!("sig"),
                &json!("EdDSA")
            )
        );
        assert!(key["kid"].is_string() && key["x"].is_string());
    }
}

#[tokio::test]
async fn tokens_verify_against_the_jwks() {
    let env = env().await;
    let secret = env.sandbox.issue_admin_secret().unwrap();
    let response = env
        .client_credentials(env.sandbox.admin_client_id(), secret.expose())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = json_of(response).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], ADMIN_SCOPES);
    let token = body["access_token"].as_str().unwrap();

    let discovery = env
        .fetch_json(&env.bare_url(".well-known/openid-configuration"))
        .await;
    let jwks = env
        .fetch_json(discovery["jwks_uri"].as_str().unwrap())
        .await;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header = decode_part(parts[0]);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["typ"], "at+jwt");
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == header["kid"])
        .unwrap();
    let x: [u8; 32] = URL_SAFE_NO_PAD
        .decode(jwk["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(parts[2])
        .unwrap()
        .try_into()
        .unwrap();
    let signed = format!("{}.{}", parts[0], parts[1]);
    VerifyingKey::from_bytes(&x)
        .unwrap()
        .verify_strict(signed.as_bytes(), &Signature::from_bytes(&signature))
        .expect("the token verifies with the published key");

    let claims = decode_part(parts[1]);
    assert_eq!(claims["iss"], discovery["issuer"]);
    assert_eq!(claims["aud"], json!(["PlatformManagement"]));
    assert_eq!(claims["sub"], env.sandbox.admin_client_id());
    assert_eq!(claims["client_id"], env.sandbox.admin_client_id());
    assert_eq!(claims["scope"], ADMIN_SCOPES);
    assert_eq!(claims["sub_type"], "service.external");
    assert_eq!(claims["prt_id"], env.partition().to_string());
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 3600);
    assert_eq!(claims["nbf"].as_i64().unwrap(), iat);
    assert!((iat - OffsetDateTime::now_utc().unix_timestamp()).abs() < 60);
    assert!(Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok());
}
