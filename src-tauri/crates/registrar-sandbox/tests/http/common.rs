//! A sandbox per test on a free port with an admin token, and the helpers that send requests to it
//! and check the shape of its answers.

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use registrar_sandbox::{Sandbox, SandboxConfig, ScopeTypes};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

pub const ADMIN_SCOPES: &str =
    "PM.OAuthApp PM.OAuthApp.Read PM.OAuthApp.Write PM.OAuthAppSecret.Write";

pub struct Env {
    pub dir: TempDir,
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub admin_token: String,
}

pub async fn env() -> Env {
    env_writing(ScopeTypes::Numbers).await
}

pub async fn env_writing(scope_types: ScopeTypes) -> Env {
    env_with(|config| SandboxConfig {
        scope_types,
        ..config
    })
    .await
}

/// A sandbox started with the default configuration as `configure` changes it.
pub async fn env_with(configure: impl FnOnce(SandboxConfig) -> SandboxConfig) -> Env {
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
pub struct App {
    pub id: String,
    pub secret: Option<String>,
}

impl Env {
    /// Under the organization mount.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.sandbox.identity_url())
    }

    /// Under the mount without organization.
    pub fn bare_url(&self, path: &str) -> String {
        format!("{}/identity_/{path}", self.sandbox.base_url())
    }

    pub fn partition(&self) -> Uuid {
        self.sandbox.partition_global_id()
    }

    /// `api/ExternalClient/{partition}/{id}`, under the organization mount.
    pub fn client_url(&self, id: &str) -> String {
        self.url(&format!("api/ExternalClient/{}/{id}", self.partition()))
    }

    pub async fn call(
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

    /// A call with the admin token.
    pub async fn admin(&self, method: Method, url: &str, body: Option<&Value>) -> Response {
        self.call(Some(&self.admin_token), method, url, body).await
    }

    /// A GET under the organization mount with the admin token.
    pub async fn get(&self, path: &str) -> Response {
        self.admin(Method::GET, &self.url(path), None).await
    }

    /// The JSON of a GET with the admin token that must succeed.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        json_of(response).await
    }

    /// The JSON of a GET without a token, as for discovery.
    pub async fn fetch_json(&self, url: &str) -> Value {
        json_of(self.http.get(url).send().await.unwrap()).await
    }

    /// The apps the sandbox lists.
    pub async fn list(&self) -> Vec<Value> {
        let listed = self
            .get_json(&format!("api/ExternalClient/{}", self.partition()))
            .await;
        listed.as_array().unwrap().clone()
    }

    pub async fn token(&self, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.bare_url("connect/token"))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// A client_credentials request with the secret in the body.
    pub async fn client_credentials(&self, client_id: &str, secret: &str) -> Response {
        self.token(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .await
    }

    pub async fn token_ok(&self, client_id: &str, secret: &str, scope: Option<&str>) -> String {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ];
        form.extend(scope.map(|scope| ("scope", scope)));
        let response = self.token(&form).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = json_of(response).await;
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn create(&self, body: &Value) -> Response {
        self.admin(Method::POST, &self.url("api/ExternalClient"), Some(body))
            .await
    }

    pub async fn create_app(
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
        let dto = json_of(response).await;
        App {
            id: dto["id"].as_str().unwrap().to_owned(),
            secret: dto["secret"].as_str().map(str::to_owned),
        }
    }

    /// A token for a fresh confidential app holding `scopes` as application scopes.
    pub async fn token_with(&self, scopes: &[&str]) -> String {
        let scopes: Vec<(&str, &str)> = scopes.iter().map(|name| (*name, "application")).collect();
        let app = self.create_app(true, &scopes, None).await;
        self.token_ok(&app.id, app.secret.as_deref().unwrap(), None)
            .await
    }

    /// The sign-in page, as a browser opens it with `params` (redirects not followed).
    pub async fn authorize_page(&self, params: &[(&str, String)]) -> Response {
        let url = self.url("connect/authorize");
        browser().get(url).query(params).send().await.unwrap()
    }

    /// The sign-in form sent back with `form` (redirects not followed).
    pub async fn authorize_post(&self, form: &[(&str, String)]) -> Response {
        let url = self.url("connect/authorize");
        browser().post(url).form(form).send().await.unwrap()
    }

    pub async fn generate_secret(&self, body: &Value) -> Response {
        self.admin(
            Method::POST,
            &self.url("api/ExternalClient/GenerateSecret"),
            Some(body),
        )
        .await
    }
}

pub async fn json_of(response: Response) -> Value {
    response.json().await.unwrap()
}

pub async fn problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body = json_of(response).await;
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
pub async fn field_errors(response: Response, field: &str) -> Vec<String> {
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

/// An RFC 6749 error answer's description, after checking its status, error code and caching.
pub async fn oauth_error(response: Response, status: StatusCode, error: &str) -> String {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = json_of(response).await;
    assert_eq!(body["error"], error, "{body}");
    body["error_description"].as_str().unwrap().to_owned()
}

/// An RFC 6749 error answer as "error: description".
pub async fn token_refusal(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let body = json_of(response).await;
    format!(
        "{}: {}",
        body["error"].as_str().unwrap(),
        body["error_description"]
    )
}

pub fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// The claims of a JWT, unverified.
pub fn claims(token: &str) -> Value {
    decode_part(token.split('.').nth(1).unwrap())
}

pub fn in_seconds(seconds: i64) -> String {
    (OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
        .format(&Rfc3339)
        .unwrap()
}

// The authorization endpoint's helpers. The RFC 7636 appendix B pair stands in for a client's
// PKCE.
pub const REDIRECT: &str = "http://127.0.0.1:8400/callback";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A client that shows redirects instead of following them, as a browser's address bar would.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn authorize_params(client_id: &str, scope: &str) -> Vec<(&'static str, String)> {
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
pub fn replaced(
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
pub fn sent_back(response: &Response) -> Option<HashMap<String, String>> {
    let location = response.headers().get("location")?.to_str().unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    let url = url::Url::parse(location).unwrap();
    Some(url.query_pairs().into_owned().collect())
}

/// Signs in with `password` and returns the code the browser is sent back with.
pub async fn sign_in(env: &Env, params: &[(&'static str, String)], password: &str) -> String {
    let mut form = params.to_vec();
    form.extend([("username", "admin".into()), ("password", password.into())]);
    let response = env.authorize_post(&form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = sent_back(&response).unwrap();
    assert_eq!(back["state"], "af0ifjsldkj");
    back["code"].clone()
}

// Raw HTTP/1.1 over TCP, for what a client library would not send or would hide.

/// Long enough for any answer here, on a busy machine too.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub async fn connect(env: &Env) -> TcpStream {
    TcpStream::connect(env.sandbox.addr()).await.unwrap()
}

/// Everything the server sends until it closes the connection, or `None` if it keeps it open
/// past [`PATIENCE`].
pub async fn until_closed(stream: &mut TcpStream) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&received).into_owned())
}

/// The whole answer to a GET of `path` sent with these `headers` (each a `Name: value` line) on a
/// connection of its own.
pub async fn raw_get(env: &Env, path: &str, headers: &[&str]) -> String {
    let mut request = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let mut stream = connect(env).await;
    stream.write_all(request.as_bytes()).await.unwrap();
    until_closed(&mut stream).await.unwrap()
}
