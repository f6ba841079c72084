//! The External Client API's apps: create, read, update, delete, the rules they must meet, and
//! the partition and organization they live in.

use registrar_sandbox::{ListedApps, SandboxConfig, ScopeTypes};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::common::{
    claims, env, env_with, env_writing, field_errors, json_of, oauth_error, problem,
};

#[tokio::test]
async fn scope_types_are_written_as_names_when_asked_and_read_in_both_forms() {
    let env = env_writing(ScopeTypes::Names).await;
    let catalog = env.get_json("api/ExternalApiResource").await;
    let types: Vec<&Value> = catalog
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["scopes"].as_array().unwrap())
        .map(|s| &s["type"])
        .collect();
    assert!(types.contains(&&json!("userAndApplication")), "{types:?}");
    assert!(types.iter().all(|t| t.is_string()), "{types:?}");

    let body = json!({
        "partitionGlobalId": env.partition(),
        "name": "Mixed",
        "isConfidential": true,
        "redirectUri": "https://mixed.example/cb",
        "scopes": [{"name": "OR.Jobs", "type": 0}, {"name": "OR.Queues", "type": "Application"}],
    });
    let response = env.create(&body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json_of(response).await;
    let held: Vec<(&Value, &Value)> = created["resources"][0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (&s["name"], &s["type"]))
        .collect();
    assert_eq!(
        held,
        [
            (&json!("OR.Jobs"), &json!("user")),
            (&json!("OR.Queues"), &json!("application"))
        ]
    );
}

#[tokio::test]
async fn the_list_gives_whole_apps_when_asked() {
    let env = env_with(|config| SandboxConfig {
        listed_apps: ListedApps::Whole,
        ..config
    })
    .await;
    let app = env
        .create_app(true, &[("OR.Jobs", "application")], None)
        .await;
    let listed = env.list().await;
    let listed = listed.iter().find(|a| a["id"] == app.id.as_str()).unwrap();
    assert_eq!(listed["resources"][0]["scopes"][0]["name"], "OR.Jobs");
    assert_eq!(listed["secrets"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn external_clients_are_created_read_updated_and_deleted() {
    let env = env().await;
    let body = json!({
        "partitionGlobalId": env.partition(),
        "name": "Billing sync",
        "isConfidential": true,
        "redirectUri": " https://billing.example/cb, http://localhost:5000/cb ",
        "scopes": [
            {"name": "OR.Jobs", "type": "user"},
            {"name": "OR.Jobs", "type": "application"},
            {"name": "DataFabric.Data.Read", "type": "user"},
        ],
    });
    let response = env.create(&body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json_of(response).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["name"], "Billing sync");
    assert_eq!(created["isConfidential"], true);
    assert_eq!(
        created["redirectUri"],
        "https://billing.example/cb, http://localhost:5000/cb"
    );
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 43);
    let secrets = created["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0]["description"], "Created with the app");
    assert_eq!(secrets[0]["secret"], Value::Null);
    assert_eq!(secrets[0]["expiryTime"], Value::Null);
    assert!(OffsetDateTime::parse(secrets[0]["creationTime"].as_str().unwrap(), &Rfc3339).is_ok());
    let resources = created["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 2);
    assert_eq!(resources[0]["name"], "UiPath.Orchestrator");
    assert_eq!(resources[0]["displayName"], "Orchestrator API Access");
    let jobs: Vec<(&Value, &Value)> = resources[0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (&s["name"], &s["type"]))
        .collect();
    assert_eq!(
        jobs,
        [
            (&json!("OR.Jobs"), &json!(0)),
            (&json!("OR.Jobs"), &json!(1))
        ],
        "0 user, 1 application"
    );
    assert_eq!(resources[1]["scopes"][0]["name"], "DataFabric.Data.Read");
    assert_eq!(resources[1]["scopes"][0]["type"], 0);
    assert!(resources[1]["scopes"][0]["displayName"].is_string());

    let path = format!("api/ExternalClient/{}/{id}", env.partition());
    let fetched = env.get_json(&path).await;
    let mut expected = created.clone();
    expected["secret"] = Value::Null;
    assert_eq!(fetched, expected);

    // The mount without organization serves the same data.
    let listed = env
        .admin(
            Method::GET,
            &env.bare_url(&format!("api/ExternalClient/{}", env.partition())),
            None,
        )
        .await;
    assert_eq!(listed.status(), StatusCode::OK);
    let listed = json_of(listed).await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Registrar admin", "Billing sync"]);
    let admin = &listed[0];
    assert_eq!(admin["id"], env.sandbox.admin_client_id());
    assert_eq!(admin["isConfidential"], true);
    // As live tenants list apps: without their scopes and secrets.
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|app| app.get("resources").is_none() && app.get("secrets").is_none()));

    let update = json!({
        "name": "Billing sync v2",
        "redirectUri": null,
        "scopes": [{"name": "OR.Queues.Read", "type": "application"}],
    });
    let url = env.client_url(&id);
    let response = env.admin(Method::PUT, &url, Some(&update)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let updated = json_of(response).await;
    assert_eq!(updated["name"], "Billing sync v2");
    assert_eq!(updated["redirectUri"], Value::Null);
    assert_eq!(updated["secret"], Value::Null);
    assert_eq!(updated["isConfidential"], true);
    assert_eq!(updated["secrets"].as_array().unwrap().len(), 1);
    assert_eq!(
        updated["resources"],
        json!([{
            "name": "UiPath.Orchestrator",
            "displayName": "Orchestrator API Access",
            "description": resources[0]["description"],
            "scopes": [{
                "name": "OR.Queues.Read",
                "displayName": "Queues (read)",
                "description": "Read access to Orchestrator queues and queue items.",
                "type": 1,
            }],
        }])
    );
    assert_eq!(env.get_json(&path).await, updated);
    // The scope list was replaced: the old application scope is gone from tokens.
    let refused = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("scope", "OR.Jobs"),
        ])
        .await;
    oauth_error(refused, StatusCode::BAD_REQUEST, "invalid_scope").await;
    let token = env.token_ok(&id, &secret, None).await;
    assert_eq!(claims(&token)["scope"], "OR.Queues.Read");

    let response = env.admin(Method::DELETE, &url, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let gone = problem(env.get(&path).await, StatusCode::NOT_FOUND).await;
    assert_eq!(gone["title"], "Not Found");
    problem(
        env.admin(Method::DELETE, &url, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        env.admin(Method::PUT, &url, Some(&update)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(env.list().await.len(), 1);
    // A deleted app's secret stops working at once.
    oauth_error(
        env.client_credentials(&id, &secret).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;
}

#[tokio::test]
async fn non_confidential_apps_have_no_secrets_and_no_application_scopes() {
    let env = env().await;
    let response = env
        .create(&json!({
            "partitionGlobalId": env.partition(),
            "name": "Desktop tool",
            "isConfidential": false,
            "redirectUri": "http://localhost:8080/",
            "scopes": [{"name": "OR.Jobs.Read", "type": "user"}],
        }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json_of(response).await;
    assert_eq!(created["secret"], Value::Null);
    assert_eq!(created["secrets"], json!([]));
    assert_eq!(created["isConfidential"], false);
    let id = created["id"].as_str().unwrap();

    let with_application_scope = json!({
        "partitionGlobalId": env.partition(),
        "name": "Desktop tool",
        "isConfidential": false,
        "scopes": [{"name": "OR.Jobs.Read", "type": "application"}],
    });
    let messages = field_errors(env.create(&with_application_scope).await, "scopes").await;
    assert!(messages[0].contains("non-confidential"), "{messages:?}");

    // The stored type rules on update.
    let update = json!({"name": "Desktop tool", "scopes": [{"name": "OR.Jobs.Read", "type": "application"}]});
    let response = env
        .admin(Method::PUT, &env.client_url(id), Some(&update))
        .await;
    assert!(field_errors(response, "scopes").await[0].contains("non-confidential"));

    let body = json!({"clientId": id, "partitionGlobalId": env.partition(), "description": "x", "expiryTime": null});
    let messages = field_errors(env.generate_secret(&body).await, "clientId").await;
    assert!(messages[0].contains("non-confidential"), "{messages:?}");
    let legacy = env
        .get(&format!(
            "api/ExternalClient/{}/{id}/GenerateSecret",
            env.partition()
        ))
        .await;
    field_errors(legacy, "clientId").await;

    oauth_error(
        env.client_credentials(id, "guess").await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;
    let refused = env
        .token(&[("grant_type", "client_credentials"), ("client_id", id)])
        .await;
    oauth_error(refused, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let env = env().await;
    let valid = json!({
        "partitionGlobalId": env.partition(),
        "name": "Valid",
        "isConfidential": true,
        "redirectUri": "https://app.example/cb",
        "scopes": [{"name": "OR.Jobs", "type": "user"}],
    });
    let with = |changes: Value| {
        let mut body = valid.clone();
        for (key, value) in changes.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    let cases = [
        (
            with(json!({"name": "  "})),
            "name",
            Some("The Name field is required."),
        ),
        (
            with(json!({"name": null})),
            "name",
            Some("The Name field is required."),
        ),
        (with(json!({"name": "n".repeat(201)})), "name", None),
        (with(json!({"scopes": []})), "scopes", None),
        (with(json!({"scopes": null})), "scopes", None),
        (
            with(
                json!({"scopes": [{"name": "OR.Nope", "type": "user"}, {"name": "OR.Jobs", "type": "user"}, {"name": "OR.Nah", "type": "user"}]}),
            ),
            "scopes",
            Some("Not all scopes=OR.Nope,OR.Nah are present in database"),
        ),
        (
            with(json!({"scopes": [{"name": "DataFabric.Data.Read", "type": "application"}]})),
            "scopes",
            Some("Not all scopes=DataFabric.Data.Read are present in database"),
        ),
        (
            with(json!({"scopes": [{"name": "OR.Jobs", "type": "userAndApplication"}]})),
            "scopes",
            None,
        ),
        (
            with(json!({"redirectUri": null})),
            "redirectUri",
            Some("A redirect URI is required when user scopes are selected."),
        ),
        (
            with(json!({"redirectUri": ""})),
            "redirectUri",
            Some("A redirect URI is required when user scopes are selected."),
        ),
        (
            with(json!({"redirectUri": "/callback"})),
            "redirectUri",
            None,
        ),
        (
            with(json!({"redirectUri": "https://app.example/cb,not a url"})),
            "redirectUri",
            None,
        ),
        (
            with(json!({"redirectUri": "https://app.example/cb#done"})),
            "redirectUri",
            None,
        ),
        (
            with(json!({"isConfidential": null})),
            "isConfidential",
            None,
        ),
        (
            with(json!({"partitionGlobalId": null})),
            "partitionGlobalId",
            None,
        ),
        (with(json!({"name": 42})), "$", None),
        (with(json!({"partitionGlobalId": "not-a-guid"})), "$", None),
    ];
    for (body, field, message) in cases {
        let messages = field_errors(env.create(&body).await, field).await;
        if let Some(message) = message {
            assert_eq!(messages, [message], "{body}");
        }
    }
    // Nothing of the above was stored.
    assert_eq!(env.list().await.len(), 1);

    // Application scopes alone need no redirect URI, and an empty one is stored as null.
    let response = env
        .create(&with(
            json!({"redirectUri": "", "scopes": [{"name": "OR.Jobs", "type": "application"}]}),
        ))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json_of(response).await;
    assert_eq!(created["redirectUri"], Value::Null);

    let url = env.client_url(created["id"].as_str().unwrap());
    for (body, field) in [
        (
            json!({"name": "", "scopes": [{"name": "OR.Jobs", "type": "application"}]}),
            "name",
        ),
        (json!({"name": "x", "scopes": []}), "scopes"),
        (
            json!({"name": "x", "scopes": [{"name": "OR.Jobs", "type": "user"}]}),
            "redirectUri",
        ),
        (
            json!({"name": "x", "scopes": [{"name": "OR.Nope", "type": "application"}]}),
            "scopes",
        ),
    ] {
        field_errors(env.admin(Method::PUT, &url, Some(&body)).await, field).await;
    }

    let raw = |content_type: &'static str, body: String| {
        env.http
            .post(env.url("api/ExternalClient"))
            .bearer_auth(&env.admin_token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let malformed = raw("application/json", "{\"name\": ".into()).await.unwrap();
    field_errors(malformed, "$").await;
    let not_json = raw("text/plain", valid.to_string()).await.unwrap();
    problem(not_json, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let charset = raw("application/json; charset=utf-8", valid.to_string())
        .await
        .unwrap();
    assert_eq!(charset.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn other_partitions_and_organizations_are_not_found() {
    let env = env().await;
    let app = env
        .create_app(true, &[("OR.Jobs", "application")], None)
        .await;
    let id = &app.id;
    let other = Uuid::new_v4();
    let update = json!({"name": "x", "scopes": [{"name": "OR.Jobs", "type": "application"}]});
    for partition in [other.to_string(), "not-a-guid".to_owned()] {
        for (method, path, body) in [
            (Method::GET, format!("api/ExternalClient/{partition}"), None),
            (
                Method::GET,
                format!("api/ExternalClient/{partition}/{id}"),
                None,
            ),
            (
                Method::PUT,
                format!("api/ExternalClient/{partition}/{id}"),
                Some(&update),
            ),
            (
                Method::DELETE,
                format!("api/ExternalClient/{partition}/{id}"),
                None,
            ),
            (
                Method::GET,
                format!("api/ExternalClient/{partition}/{id}/GenerateSecret"),
                None,
            ),
            (
                Method::DELETE,
                format!("api/ExternalClient/{partition}/secrets/1"),
                None,
            ),
        ] {
            let response = env.admin(method, &env.url(&path), body).await;
            problem(response, StatusCode::NOT_FOUND).await;
        }
    }
    let create = json!({"partitionGlobalId": other, "name": "x", "isConfidential": true, "scopes": [{"name": "OR.Jobs", "type": "application"}]});
    problem(env.create(&create).await, StatusCode::NOT_FOUND).await;
    let secret = json!({"clientId": id, "partitionGlobalId": other, "description": null, "expiryTime": null});
    problem(env.generate_secret(&secret).await, StatusCode::NOT_FOUND).await;
    // The app is untouched.
    let fetched = env
        .get_json(&format!("api/ExternalClient/{}/{id}", env.partition()))
        .await;
    assert_eq!(fetched["secrets"].as_array().unwrap().len(), 1);

    let base = env.sandbox.base_url();
    for url in [
        format!("{base}/other/identity_/api/ExternalApiResource"),
        format!("{base}/other/identity_/connect/token"),
        format!("{base}/identity/api/ExternalApiResource"),
        format!("{base}/nowhere"),
    ] {
        let response = env.admin(Method::GET, &url, None).await;
        let body = problem(response, StatusCode::NOT_FOUND).await;
        assert_eq!(body["title"], "Not Found");
    }
}
