//! The sandbox over real HTTP: every endpoint, rule and error, tokens against the JWKS, restarts.

// The helpers are test code too (clippy.toml allows unwrap only inside #[test] functions).
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use registrar_sandbox::{Sandbox, SandboxConfig, SandboxError, ScopeTypes};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

const ADMIN_SCOPES: &str = "PM.OAuthApp PM.OAuthApp.Read PM.OAuthApp.Write PM.OAuthAppSecret.Write";

struct Env {
    dir: TempDir,
    sandbox: Sandbox,
    http: reqwest::Client,
    admin_token: String,
}

async fn env() -> Env {
    env_writing(ScopeTypes::Numbers).await
}

async fn env_writing(scope_types: ScopeTypes) -> Env {
    env_with(|config| SandboxConfig {
        scope_types,
        ..config
    })
    .await
}

/// A sandbox started with the default configuration as `configure` changes it.
async fn env_with(configure: impl FnOnce(SandboxConfig) -> SandboxConfig) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(configure(SandboxConfig::new(
        dir.path().join("sandbox.sqlite3"),
    )))
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let secret = sandbox.issue_admin_secret().unwrap();
    let mut env = Env {
        dir,
        sandbox,
        http,
        admin_token: String::new(),
    };
    let admin = env.sandbox.admin_client_id().to_owned();
    env.admin_token = env.token_ok(&admin, secret.expose(), None).await;
    env
}

/// What a created app hands back: its id and, for a confidential app, its secret.
struct App {
    id: String,
    secret: Option<String>,
}

impl Env {
    /// Under the organization mount.
    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.sandbox.identity_url())
    }

    /// Under the mount without organization.
    fn bare_url(&self, path: &str) -> String {
        format!("{}/identity_/{path}", self.sandbox.base_url())
    }

    fn partition(&self) -> Uuid {
        self.sandbox.partition_global_id()
    }

    async fn call(
        &self,
        token: Option<&str>,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.http.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }

    async fn get(&self, path: &str) -> Response {
        self.call(Some(&self.admin_token), Method::GET, &self.url(path), None)
            .await
    }

    async fn token(&self, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.bare_url("connect/token"))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn token_ok(&self, client_id: &str, secret: &str, scope: Option<&str>) -> String {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ];
        form.extend(scope.map(|scope| ("scope", scope)));
        let response = self.token(&form).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn create(&self, body: &Value) -> Response {
        self.call(
            Some(&self.admin_token),
            Method::POST,
            &self.url("api/ExternalClient"),
            Some(body),
        )
        .await
    }

    async fn create_app(
        &self,
        confidential: bool,
        scopes: &[(&str, &str)],
        redirect: Option<&str>,
    ) -> App {
        let scopes: Vec<Value> = scopes
            .iter()
            .map(|(name, kind)| json!({"name": name, "type": kind}))
            .collect();
        let body = json!({
            "partitionGlobalId": self.partition(),
            "name": "Test app",
            "isConfidential": confidential,
            "redirectUri": redirect,
            "scopes": scopes,
        });
        let response = self.create(&body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let dto: Value = response.json().await.unwrap();
        App {
            id: dto["id"].as_str().unwrap().to_owned(),
            secret: dto["secret"].as_str().map(str::to_owned),
        }
    }

    /// A token for a fresh confidential app holding `scopes` as application scopes.
    async fn token_with(&self, scopes: &[&str]) -> String {
        let scopes: Vec<(&str, &str)> = scopes.iter().map(|name| (*name, "application")).collect();
        let app = self.create_app(true, &scopes, None).await;
        self.token_ok(&app.id, app.secret.as_deref().unwrap(), None)
            .await
    }

    async fn generate_secret(&self, body: &Value) -> Response {
        self.call(
            Some(&self.admin_token),
            Method::POST,
            &self.url("api/ExternalClient/GenerateSecret"),
            Some(body),
        )
        .await
    }
}

async fn problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["title"]
            .as_str()
            .is_some_and(|title| !title.is_empty()),
        "{body}"
    );
    assert!(body["type"]
        .as_str()
        .unwrap()
        .starts_with("https://tools.ietf.org/html/rfc9110#section-15."));
    body
}

/// The messages a 400 gives for one field.
async fn field_errors(response: Response, field: &str) -> Vec<String> {
    let body = problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["title"], "One or more validation errors occurred.");
    assert_eq!(
        body["type"],
        "https://tools.ietf.org/html/rfc9110#section-15.5.1"
    );
    let messages = body["errors"][field]
        .as_array()
        .unwrap_or_else(|| panic!("no {field} in {body}"));
    messages
        .iter()
        .map(|message| message.as_str().unwrap().to_owned())
        .collect()
}

async fn oauth_error(response: Response, status: StatusCode, error: &str) -> String {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    body["error_description"].as_str().unwrap().to_owned()
}

fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn in_seconds(seconds: i64) -> String {
    (OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
        .format(&Rfc3339)
        .unwrap()
}

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
    let response = env.get("api/ExternalApiResource").await;
    assert_eq!(response.status(), StatusCode::OK);
    let catalog: Value = response.json().await.unwrap();
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
        let discovery: Value = env
            .http
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
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
        let jwks: Value = env
            .http
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
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
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", env.sandbox.admin_client_id()),
            ("client_secret", secret.expose()),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], ADMIN_SCOPES);
    let token = body["access_token"].as_str().unwrap();

    let discovery: Value = env
        .http
        .get(env.bare_url(".well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwks: Value = env
        .http
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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

#[tokio::test]
async fn scope_types_are_written_as_names_when_asked_and_read_in_both_forms() {
    let env = env_writing(ScopeTypes::Names).await;
    let catalog: Value = env
        .get("api/ExternalApiResource")
        .await
        .json()
        .await
        .unwrap();
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
    let created: Value = response.json().await.unwrap();
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
    let created: Value = response.json().await.unwrap();
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

    let fetched: Value = env
        .get(&format!("api/ExternalClient/{}/{id}", env.partition()))
        .await
        .json()
        .await
        .unwrap();
    let mut expected = created.clone();
    expected["secret"] = Value::Null;
    assert_eq!(fetched, expected);

    // The mount without organization serves the same data.
    let listed = env
        .call(
            Some(&env.admin_token),
            Method::GET,
            &env.bare_url(&format!("api/ExternalClient/{}", env.partition())),
            None,
        )
        .await;
    assert_eq!(listed.status(), StatusCode::OK);
    let listed: Value = listed.json().await.unwrap();
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

    let update = json!({
        "name": "Billing sync v2",
        "redirectUri": null,
        "scopes": [{"name": "OR.Queues.Read", "type": "application"}],
    });
    let url = env.url(&format!("api/ExternalClient/{}/{id}", env.partition()));
    let response = env
        .call(Some(&env.admin_token), Method::PUT, &url, Some(&update))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let updated: Value = response.json().await.unwrap();
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
    let fetched: Value = env
        .get(&format!("api/ExternalClient/{}/{id}", env.partition()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, updated);
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
    assert_eq!(
        decode_part(token.split('.').nth(1).unwrap())["scope"],
        "OR.Queues.Read"
    );

    let response = env
        .call(Some(&env.admin_token), Method::DELETE, &url, None)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let gone = problem(
        env.get(&format!("api/ExternalClient/{}/{id}", env.partition()))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(gone["title"], "Not Found");
    problem(
        env.call(Some(&env.admin_token), Method::DELETE, &url, None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        env.call(Some(&env.admin_token), Method::PUT, &url, Some(&update))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let listed: Value = env
        .get(&format!("api/ExternalClient/{}", env.partition()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // A deleted app's secret stops working at once.
    let refused = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
        ])
        .await;
    oauth_error(refused, StatusCode::UNAUTHORIZED, "invalid_client").await;
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
    let created: Value = response.json().await.unwrap();
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
    let url = env.url(&format!("api/ExternalClient/{}/{id}", env.partition()));
    let update = json!({"name": "Desktop tool", "scopes": [{"name": "OR.Jobs.Read", "type": "application"}]});
    let response = env
        .call(Some(&env.admin_token), Method::PUT, &url, Some(&update))
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

    let refused = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", "guess"),
        ])
        .await;
    oauth_error(refused, StatusCode::UNAUTHORIZED, "invalid_client").await;
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
    let listed: Value = env
        .get(&format!("api/ExternalClient/{}", env.partition()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Application scopes alone need no redirect URI, and an empty one is stored as null.
    let response = env
        .create(&with(
            json!({"redirectUri": "", "scopes": [{"name": "OR.Jobs", "type": "application"}]}),
        ))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["redirectUri"], Value::Null);

    let url = env.url(&format!(
        "api/ExternalClient/{}/{}",
        env.partition(),
        created["id"].as_str().unwrap()
    ));
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
        field_errors(
            env.call(Some(&env.admin_token), Method::PUT, &url, Some(&body))
                .await,
            field,
        )
        .await;
    }

    let malformed = env
        .http
        .post(env.url("api/ExternalClient"))
        .bearer_auth(&env.admin_token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    field_errors(malformed, "$").await;
    let not_json = env
        .http
        .post(env.url("api/ExternalClient"))
        .bearer_auth(&env.admin_token)
        .header("content-type", "text/plain")
        .body(valid.to_string())
        .send()
        .await
        .unwrap();
    problem(not_json, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let charset = env
        .http
        .post(env.url("api/ExternalClient"))
        .bearer_auth(&env.admin_token)
        .header("content-type", "application/json; charset=utf-8")
        .body(valid.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(charset.status(), StatusCode::CREATED);
}

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
    let foreign: Value = env
        .http
        .post(format!("{}/identity_/connect/token", other.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", other.admin_client_id()),
            ("client_secret", other_secret.expose()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let foreign = foreign["access_token"].as_str().unwrap().to_owned();
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
            let response = env
                .call(Some(&env.admin_token), method, &env.url(&path), body)
                .await;
            problem(response, StatusCode::NOT_FOUND).await;
        }
    }
    let create = json!({"partitionGlobalId": other, "name": "x", "isConfidential": true, "scopes": [{"name": "OR.Jobs", "type": "application"}]});
    problem(env.create(&create).await, StatusCode::NOT_FOUND).await;
    let secret = json!({"clientId": id, "partitionGlobalId": other, "description": null, "expiryTime": null});
    problem(env.generate_secret(&secret).await, StatusCode::NOT_FOUND).await;
    // The app is untouched.
    let fetched = env
        .get(&format!("api/ExternalClient/{}/{id}", env.partition()))
        .await;
    let fetched: Value = fetched.json().await.unwrap();
    assert_eq!(fetched["secrets"].as_array().unwrap().len(), 1);

    let base = env.sandbox.base_url();
    for url in [
        format!("{base}/other/identity_/api/ExternalApiResource"),
        format!("{base}/other/identity_/connect/token"),
        format!("{base}/identity/api/ExternalApiResource"),
        format!("{base}/nowhere"),
    ] {
        let response = env
            .call(Some(&env.admin_token), Method::GET, &url, None)
            .await;
        let body = problem(response, StatusCode::NOT_FOUND).await;
        assert_eq!(body["title"], "Not Found");
    }
}

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
    let generated: Value = response.json().await.unwrap();
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
        .get(&format!("api/ExternalClient/{p}/{}/GenerateSecret", app.id))
        .await;
    assert_eq!(legacy.status(), StatusCode::OK);
    let legacy: Value = legacy.json().await.unwrap();
    let legacy = legacy.as_str().unwrap().to_owned();
    assert_eq!(legacy.len(), 43);

    let fetched: Value = env
        .get(&format!("api/ExternalClient/{p}/{}", app.id))
        .await
        .json()
        .await
        .unwrap();
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
    let deleted = env
        .call(Some(&env.admin_token), Method::DELETE, &url, None)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let refused = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &app.id),
            ("client_secret", &rotation),
        ])
        .await;
    oauth_error(refused, StatusCode::UNAUTHORIZED, "invalid_client").await;
    env.token_ok(&app.id, &initial, None).await;
    problem(
        env.call(Some(&env.admin_token), Method::DELETE, &url, None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let not_a_number = env.url(&format!("api/ExternalClient/{p}/secrets/abc"));
    problem(
        env.call(Some(&env.admin_token), Method::DELETE, &not_a_number, None)
            .await,
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
    let short: Value = env.generate_secret(&short).await.json().await.unwrap();
    let short = short["secret"].as_str().unwrap().to_owned();
    env.token_ok(&app.id, &short, None).await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let refused = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &app.id),
            ("client_secret", &short),
        ])
        .await;
    oauth_error(refused, StatusCode::UNAUTHORIZED, "invalid_client").await;
    env.token_ok(&app.id, &initial, None).await;
}

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
        let form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret.as_str()),
            ("scope", scope),
        ];
        let http = env.http.clone();
        let url = url.clone();
        async move { http.post(&url).form(&form).send().await.unwrap() }
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
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["scope"], "OR.Jobs OR.Queues.Read");
    }
    let body: Value = post("OR.Queues.Read").await.json().await.unwrap();
    assert_eq!(body["scope"], "OR.Queues.Read");

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

    let wrong = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", "wrong"),
        ])
        .await;
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
    let unknown = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", &secret),
        ])
        .await;
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
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &user_only.id),
            ("client_secret", user_only.secret.as_deref().unwrap()),
        ])
        .await;
    oauth_error(refused, StatusCode::BAD_REQUEST, "invalid_scope").await;
}

#[tokio::test]
async fn a_restart_keeps_partition_apps_secrets_and_signing_key() {
    let env = env().await;
    let app = env
        .create_app(true, &[("OR.Jobs", "application")], None)
        .await;
    let secret = app.secret.unwrap();
    let old_token = env.admin_token.clone();
    let Env {
        dir, sandbox, http, ..
    } = env;
    let (addr, partition, admin) = (
        sandbox.addr(),
        sandbox.partition_global_id(),
        sandbox.admin_client_id().to_owned(),
    );
    sandbox.shutdown().await;
    assert!(http
        .get(format!(
            "http://{addr}/identity_/.well-known/openid-configuration"
        ))
        .send()
        .await
        .is_err());

    // The issuer names the port, so a token survives a restart on the same address.
    let config = SandboxConfig {
        addr,
        ..SandboxConfig::new(dir.path().join("sandbox.sqlite3"))
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    assert!(!sandbox.is_new());
    assert_eq!(sandbox.partition_global_id(), partition);
    assert_eq!(sandbox.admin_client_id(), admin);
    let env = Env {
        dir,
        sandbox,
        http,
        admin_token: old_token,
    };
    let listed = env.get(&format!("api/ExternalClient/{partition}")).await;
    assert_eq!(
        listed.status(),
        StatusCode::OK,
        "the token from before the restart is accepted"
    );
    let listed: Value = listed.json().await.unwrap();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|client| client["id"] == app.id.as_str()));
    env.token_ok(&app.id, &secret, None).await;
    env.sandbox.shutdown().await;
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

    let url = env.url(&format!("api/ExternalClient/{}/{admin}", env.partition()));
    assert_eq!(
        env.call(Some(&env.admin_token), Method::DELETE, &url, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let refused = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &admin),
            ("client_secret", first.expose()),
        ])
        .await;
    oauth_error(refused, StatusCode::UNAUTHORIZED, "invalid_client").await;

    let fresh = env.sandbox.issue_admin_secret().unwrap();
    assert_eq!(env.sandbox.admin_client_id(), admin);
    let token = env.token_ok(&admin, fresh.expose(), None).await;
    assert_eq!(
        decode_part(token.split('.').nth(1).unwrap())["scope"],
        ADMIN_SCOPES
    );
    let recreated: Value = env
        .call(Some(&token), Method::GET, &url, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(recreated["name"], "Registrar admin");
    assert_eq!(
        recreated["secrets"].as_array().unwrap().len(),
        1,
        "old secrets went with the deleted client"
    );
    let refused = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &admin),
            ("client_secret", second.expose()),
        ])
        .await;
    oauth_error(refused, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn start_errors_say_what_to_fix() {
    let env = env().await;
    let taken = SandboxConfig {
        addr: env.sandbox.addr(),
        ..SandboxConfig::new(env.dir.path().join("second.sqlite3"))
    };
    let error = Sandbox::start(taken).await.unwrap_err();
    assert!(
        matches!(error, SandboxError::AddrInUse(addr) if addr == env.sandbox.addr()),
        "{error:?}"
    );
    assert!(error.to_string().contains(&env.sandbox.addr().to_string()));

    let garbage = env.dir.path().join("garbage.sqlite3");
    std::fs::write(&garbage, vec![b'x'; 4096]).unwrap();
    let error = Sandbox::start(SandboxConfig::new(&garbage))
        .await
        .unwrap_err();
    assert!(matches!(error, SandboxError::Database { .. }), "{error:?}");
    assert!(
        error.to_string().contains(&garbage.display().to_string()),
        "{error}"
    );

    let public = SandboxConfig {
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        ..SandboxConfig::new(env.dir.path().join("public.sqlite3"))
    };
    assert!(matches!(
        Sandbox::start(public).await.unwrap_err(),
        SandboxError::NotLoopback(_)
    ));
    let bad_org = SandboxConfig {
        organization: "a/b".into(),
        ..SandboxConfig::new(env.dir.path().join("org.sqlite3"))
    };
    assert!(matches!(
        Sandbox::start(bad_org).await.unwrap_err(),
        SandboxError::InvalidOrganization(_)
    ));
}

#[tokio::test]
async fn another_organization_name_is_served_under_its_own_path() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        organization: "acme-corp".into(),
        ..SandboxConfig::new(dir.path().join("acme.sqlite3"))
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    assert!(sandbox.identity_url().ends_with("/acme-corp/identity_"));
    let http = reqwest::Client::new();
    let ok = http
        .get(format!(
            "{}/.well-known/openid-configuration",
            sandbox.identity_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let default = http
        .get(format!(
            "{}/sandbox/identity_/.well-known/openid-configuration",
            sandbox.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(default.status(), StatusCode::NOT_FOUND);
    sandbox.shutdown().await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_binary_prints_its_credentials_and_stops_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_registrar-sandbox"))
        .args(["--port", "0", "--org", "demo", "--db"])
        .arg(dir.path().join("bin.sqlite3"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Serving");
        printed.push(line);
        if done {
            break;
        }
    }
    let value = |label: &str| {
        printed
            .iter()
            .find_map(|line| line.strip_prefix(label))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {label} in {printed:?}"))
            .to_owned()
    };
    let identity = value("Identity URL:");
    assert!(identity.ends_with("/demo/identity_"), "{identity}");
    let token_endpoint = value("Token endpoint:");
    assert!(Uuid::parse_str(&value("Partition GUID:")).is_ok());
    let client_id = value("Admin client id:");
    let secret = value("Admin secret:");
    assert_eq!(value("Sign-in user:"), "admin");
    assert_eq!(value("User password:").len(), 43);
    assert!(
        printed.iter().any(|line| line.contains("shown once")),
        "{printed:?}"
    );

    let response = reqwest::Client::new()
        .post(&token_endpoint)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    assert!(child.wait().unwrap().success());
}

// The authorization endpoint: sign-in, PKCE, exact redirects, single-use codes, rotating refresh
// tokens. The RFC 7636 appendix B pair stands in for a client's PKCE.
const REDIRECT: &str = "http://127.0.0.1:8400/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A client that shows redirects instead of following them, as a browser's address bar would.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn authorize_params(client_id: &str, scope: &str) -> Vec<(&'static str, String)> {
    [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", "af0ifjsldkj"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// `params` with `name` set to `value`.
fn replaced(
    params: Vec<(&'static str, String)>,
    name: &str,
    value: &str,
) -> Vec<(&'static str, String)> {
    params
        .into_iter()
        .map(|(k, v)| (k, if k == name { value.to_owned() } else { v }))
        .collect()
}

/// Where the answer sends the browser, as its query pairs; `None` without a redirect.
fn sent_back(response: &Response) -> Option<std::collections::HashMap<String, String>> {
    let location = response.headers().get("location")?.to_str().unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    let url = url::Url::parse(location).unwrap();
    Some(url.query_pairs().into_owned().collect())
}

/// Signs in with `password` and returns the code the browser is sent back with.
async fn sign_in(env: &Env, params: &[(&'static str, String)], password: &str) -> String {
    let mut form = params.to_vec();
    form.extend([("username", "admin".into()), ("password", password.into())]);
    let response = browser()
        .post(env.url("connect/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = sent_back(&response).unwrap();
    assert_eq!(back["state"], "af0ifjsldkj");
    back["code"].clone()
}

/// An RFC 6749 error answer as "error: description".
async fn token_refusal(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    format!(
        "{}: {}",
        body["error"].as_str().unwrap(),
        body["error_description"]
    )
}

#[tokio::test]
async fn a_user_signs_in_with_pkce_codes_work_once_and_refresh_tokens_rotate() {
    let env = env().await;
    let password = env.sandbox.issue_user_password().unwrap();
    let app = env
        .create_app(false, &[("OR.Users.Read", "user")], Some(REDIRECT))
        .await;
    let params = authorize_params(&app.id, "OR.Users.Read offline_access");

    let page = browser()
        .get(env.url("connect/authorize"))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form method=\"post\">") && html.contains("type=\"password\""),
        "{html}"
    );

    let mut wrong = params.clone();
    wrong.extend([("username", "admin".into()), ("password", "guess".into())]);
    let refused = browser()
        .post(env.url("connect/authorize"))
        .form(&wrong)
        .send()
        .await
        .unwrap();
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
    let tokens: Value = exchange(code.clone(), VERIFIER).await.json().await.unwrap();
    let payload = tokens["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    let claims = decode_part(payload);
    assert_eq!(claims["sub_type"], "user");
    assert_eq!(claims["client_id"], app.id.as_str());
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
    let tokens: Value = exchange(code, VERIFIER).await.json().await.unwrap();
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();
    let renewed: Value = refresh(first.clone()).await.json().await.unwrap();
    let second = renewed["refresh_token"].as_str().unwrap().to_owned();
    assert!(renewed["access_token"].is_string());
    assert_ne!(first, second);
    let third: Value = refresh(second.clone()).await.json().await.unwrap();
    let third = third["refresh_token"].as_str().unwrap().to_owned();

    // Replaying a used refresh token revokes its whole family, the newest one included.
    let said = token_refusal(refresh(first).await, StatusCode::BAD_REQUEST).await;
    assert!(said.contains("refresh token was used already"), "{said}");
    let said = token_refusal(refresh(third).await, StatusCode::BAD_REQUEST).await;
    assert!(said.contains("used already"), "{said}");

    // Another sign-in is another family, untouched by the revocation.
    let code = sign_in(&env, &params, password.expose()).await;
    let tokens: Value = exchange(code, VERIFIER).await.json().await.unwrap();
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

    let page = browser()
        .get(env.url("connect/authorize"))
        .query(&params)
        .send()
        .await
        .unwrap();
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
    let posted = browser()
        .post(env.url("connect/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
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
    let shown = browser()
        .get(env.url("connect/authorize"))
        .query(&params)
        .send()
        .await
        .unwrap();
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
        let url = env.url("connect/authorize");
        async move { browser().get(url).query(&params).send().await.unwrap() }
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
    let tokens: Value = with.json().await.unwrap();
    assert_eq!(tokens["scope"], "OR.Users.Read");
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
}
