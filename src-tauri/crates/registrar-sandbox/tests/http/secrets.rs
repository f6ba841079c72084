//! Client secrets: generated (in both API forms), listed without their values, deleted, expiring;
//! and the bootstrap admin client's secrets, issued in-process.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::common::{
    claims, env, field_errors, in_seconds, json_of, oauth_error, problem, ADMIN_SCOPES,
};

#[tokio::test]
async fn secrets_are_generated_listed_deleted_and_expire() {
    let env = env().await;
    let app = env
        .create_app(true, &[("OR.Jobs", "application")], None)
        .await;
    let initial = app.secret.unwrap();
    let p = env.partition();

    let expiry = in_seconds(86_400);
    let response = env
        .generate_secret(&json!({"clientId": app.id, "description": "rotation", "partitionGlobalId": p, "expiryTime": expiry}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let generated = json_of(response).await;
    let rotation_id = generated["id"].as_i64().unwrap();
    let rotation = generated["secret"].as_str().unwrap().to_owned();
    assert_eq!(generated["description"], "rotation");
    let expires =
        OffsetDateTime::parse(generated["expiryTime"].as_str().unwrap(), &Rfc3339).unwrap();
    let asked = OffsetDateTime::parse(&expiry, &Rfc3339).unwrap();
    assert!(
        (expires - asked).abs() < time::Duration::milliseconds(1),
        "{expires} vs {asked}"
    );
    assert!(OffsetDateTime::parse(generated["creationTime"].as_str().unwrap(), &Rfc3339).is_ok());

    let legacy = env
        .get_json(&format!("api/ExternalClient/{p}/{}/GenerateSecret", app.id))
        .await;
    let legacy = legacy.as_str().unwrap().to_owned();
    assert_eq!(legacy.len(), 43);

    let fetched = env
        .get_json(&format!("api/ExternalClient/{p}/{}", app.id))
        .await;
    let listed = fetched["secrets"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|secret| secret["secret"].is_null()));
    assert_eq!(listed[1]["id"], rotation_id);
    assert_eq!(listed[1]["description"], "rotation");

    // Every secret works at once.
    for secret in [&initial, &rotation, &legacy] {
        env.token_ok(&app.id, secret, None).await;
    }

    let url = env.url(&format!("api/ExternalClient/{p}/secrets/{rotation_id}"));
    let deleted = env.admin(Method::DELETE, &url, None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    oauth_error(
        env.client_credentials(&app.id, &rotation).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;
    env.token_ok(&app.id, &initial, None).await;
    problem(
        env.admin(Method::DELETE, &url, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let not_a_number = env.url(&format!("api/ExternalClient/{p}/secrets/abc"));
    problem(
        env.admin(Method::DELETE, &not_a_number, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let past = json!({"clientId": app.id, "description": null, "partitionGlobalId": p, "expiryTime": in_seconds(-60)});
    assert_eq!(
        field_errors(env.generate_secret(&past).await, "expiryTime").await,
        ["The expiry time must be in the future."]
    );
    let unknown = json!({"clientId": "no-such-app", "description": null, "partitionGlobalId": p, "expiryTime": null});
    problem(env.generate_secret(&unknown).await, StatusCode::NOT_FOUND).await;
    let unknown_legacy = env
        .get(&format!(
            "api/ExternalClient/{p}/no-such-app/GenerateSecret"
        ))
        .await;
    problem(unknown_legacy, StatusCode::NOT_FOUND).await;
    let missing = json!({"description": null, "partitionGlobalId": p});
    field_errors(env.generate_secret(&missing).await, "clientId").await;

    let short = json!({"clientId": app.id, "description": "short", "partitionGlobalId": p, "expiryTime": in_seconds(2)});
    let short = json_of(env.generate_secret(&short).await).await;
    let short = short["secret"].as_str().unwrap().to_owned();
    env.token_ok(&app.id, &short, None).await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    oauth_error(
        env.client_credentials(&app.id, &short).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;
    env.token_ok(&app.id, &initial, None).await;
}

#[tokio::test]
async fn the_admin_client_can_be_given_new_secrets_and_recreated() {
    let env = env().await;
    let admin = env.sandbox.admin_client_id().to_owned();
    let first = env.sandbox.issue_admin_secret().unwrap();
    let second = env.sandbox.issue_admin_secret().unwrap();
    assert_ne!(first, second);
    env.token_ok(&admin, first.expose(), None).await;
    env.token_ok(&admin, second.expose(), None).await;

    let url = env.client_url(&admin);
    assert_eq!(
        env.admin(Method::DELETE, &url, None).await.status(),
        StatusCode::NO_CONTENT
    );
    oauth_error(
        env.client_credentials(&admin, first.expose()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;

    let fresh = env.sandbox.issue_admin_secret().unwrap();
    assert_eq!(env.sandbox.admin_client_id(), admin);
    let token = env.token_ok(&admin, fresh.expose(), None).await;
    assert_eq!(claims(&token)["scope"], ADMIN_SCOPES);
    let recreated = json_of(env.call(Some(&token), Method::GET, &url, None).await).await;
    assert_eq!(recreated["name"], "Registrar admin");
    assert_eq!(
        recreated["secrets"].as_array().unwrap().len(),
        1,
        "old secrets went with the deleted client"
    );
    oauth_error(
        env.client_credentials(&admin, second.expose()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;
}
