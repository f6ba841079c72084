//! RFC 7591/7592 servers as they really behave, through a loopback proxy in front of
//! oidc-provider that rewrites its answers the way other servers write them: the client
//! authentication method as an array, numbers as strings, reads without `scope`, null members
//! (and a refusal of any request that sends one back), a new secret on every update, 200 where
//! RFC 7591 says 201, and a wrong secret refused with 403 and no body. Each test goes through the
//! provider the window and the command line use, and fails without the tolerance it names.

use std::sync::{Arc, Mutex};

use registrar_core::model::{AppType, Scope, ScopeType, TokenAuth};
use registrar_core::{Error, Secret};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use crate::generic::{
    machine_draft, machine_draft_with, oidc_token, open_connection_at, OidcProvider, Opened,
};
use registrar_tests::proxy::{read_request, response};
use registrar_tests::says_part;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quirk {
    /// `token_endpoint_auth_method` as an array of one.
    AuthMethodArray,
    /// `client_id_issued_at`, `client_secret_expires_at` and a token's `expires_in` as strings
    /// (the lifetime then 1234 s).
    NumbersAsStrings,
    /// A read (GET) of a client leaves `scope` out.
    NoScopeOnRead,
    /// Answers carry members set to null (an empty `response_types` too), and a request body
    /// with a null member is refused.
    NullMembers,
    /// Every update (PUT) issues a new client secret.
    NewSecretOnPut,
    /// A registration is answered 200 instead of 201.
    OkForCreated,
    /// A refused client at the token endpoint gets 403 with an empty body.
    EmptyForbidden,
    /// The token endpoint refuses a secret sent in the form (Basic only), though the metadata
    /// lists `client_secret_post`.
    BasicOnlyAtTokenEndpoint,
    /// The metadata lists `client_secret_post` as the only way to authenticate, and the token
    /// endpoint refuses HTTP Basic.
    ListsOnlyPost,
    /// Each read (GET) of a client takes a while, so reads made at once overlap.
    SlowReads,
    /// Every answer about a client carries a client secret, a different one each time, public
    /// clients' too.
    SecretsForAll,
}

/// The proxy; its base URL stands in for oidc-provider's everywhere, the issuer included.
struct QuirkProxy {
    issuer: Url,
    refused_nulls: Arc<Mutex<u32>>,
    /// Client reads under way now, and the most there were at once.
    reads: Arc<Mutex<(u32, u32)>>,
}

impl QuirkProxy {
    async fn start(upstream: &Url, quirks: &[Quirk]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.as_str().trim_end_matches('/').to_owned();
        let refused_nulls = Arc::new(Mutex::new(0));
        let reads = Arc::new(Mutex::new((0, 0)));
        let shared = Shared {
            upstream,
            base: base.clone(),
            quirks: quirks.to_vec(),
            http: reqwest::Client::new(),
            refused_nulls: refused_nulls.clone(),
            reads: reads.clone(),
        };
        let shared = Arc::new(shared);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Self {
            issuer: base.parse().unwrap(),
            refused_nulls,
            reads,
        }
    }
}

struct Shared {
    upstream: String,
    base: String,
    quirks: Vec<Quirk>,
    http: reqwest::Client,
    refused_nulls: Arc<Mutex<u32>>,
    reads: Arc<Mutex<(u32, u32)>>,
}

fn has_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(has_null),
        Value::Object(members) => members.values().any(has_null),
        _ => false,
    }
}

async fn serve(mut stream: TcpStream, proxy: Arc<Shared>) {
    let Some((method, path, headers, body)) = read_request(&mut stream).await else {
        return;
    };
    let has = |quirk| proxy.quirks.contains(&quirk);
    let mut body_json: Option<Value> = serde_json::from_slice(&body).ok();
    if has(Quirk::NullMembers) && body_json.as_ref().is_some_and(has_null) {
        *proxy.refused_nulls.lock().unwrap() += 1;
        let refusal = json!({"error": "invalid_client_metadata", "error_description": "null is not a valid value"});
        let answer = response(400, "application/json", &[], refusal.to_string().as_bytes());
        let _ = stream.write_all(&answer).await;
        return;
    }
    if method == "PUT" && has(Quirk::NewSecretOnPut) {
        if let Some(Value::Object(members)) = &mut body_json {
            // oidc-provider's test config issues a new secret when asked this way.
            members.insert("rotate_client_secret".into(), Value::Bool(true));
        }
    }
    let form_secret = String::from_utf8_lossy(&body).contains("client_secret=");
    let basic = headers
        .iter()
        .any(|(name, value)| name == "authorization" && value.starts_with("Basic "));
    let refused = (form_secret && has(Quirk::BasicOnlyAtTokenEndpoint))
        || (basic && has(Quirk::ListsOnlyPost));
    if path.ends_with("/token") && refused {
        let refusal = json!({"error": "invalid_client"}).to_string();
        let answer = response(401, "application/json", &[], refusal.as_bytes());
        let _ = stream.write_all(&answer).await;
        return;
    }
    let sent_body = match &body_json {
        Some(value) => serde_json::to_vec(value).unwrap(),
        None => body,
    };
    let client_read = method == "GET" && path.starts_with("/reg/");
    if client_read && has(Quirk::SlowReads) {
        {
            let mut reads = proxy.reads.lock().unwrap();
            reads.0 += 1;
            reads.1 = reads.1.max(reads.0);
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        proxy.reads.lock().unwrap().0 -= 1;
    }
    let mut request = proxy
        .http
        .request(method.parse().unwrap(), format!("{}{path}", proxy.upstream));
    for (name, value) in &headers {
        if !["host", "content-length", "connection"].contains(&name.as_str()) {
            request = request.header(name, value);
        }
    }
    let answer = request.body(sent_body).send().await.unwrap();
    let mut status = answer.status().as_u16();
    let kind = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = answer
        .text()
        .await
        .unwrap()
        .replace(&proxy.upstream, &proxy.base);
    let mut out = text.into_bytes();
    if path.ends_with("/token") && status == 401 && has(Quirk::EmptyForbidden) {
        status = 403;
        out.clear();
    }
    if let Ok(Value::Object(mut client)) = serde_json::from_slice::<Value>(&out) {
        if has(Quirk::ListsOnlyPost) {
            if let Some(methods) = client.get_mut("token_endpoint_auth_methods_supported") {
                *methods = json!(["client_secret_post"]);
            }
        }
        if has(Quirk::NumbersAsStrings) {
            // A lifetime of its own, so that reading it is told apart from the default.
            if let Some(lifetime) = client.get_mut("expires_in") {
                *lifetime = Value::String("1234".into());
            }
        }
        if client.contains_key("client_id") {
            if has(Quirk::AuthMethodArray) {
                if let Some(method) = client.get_mut("token_endpoint_auth_method") {
                    *method = json!([method.take()]);
                }
            }
            if has(Quirk::NumbersAsStrings) {
                for name in ["client_id_issued_at", "client_secret_expires_at"] {
                    if let Some(number) = client.get_mut(name) {
                        *number = Value::String(number.to_string());
                    }
                }
            }
            if method == "GET" && has(Quirk::NoScopeOnRead) {
                client.remove("scope");
            }
            if has(Quirk::NullMembers) {
                client.insert("logo_uri".into(), Value::Null);
                client.insert("contacts".into(), Value::Null);
                if client["response_types"] == json!([]) {
                    client.insert("response_types".into(), Value::Null);
                }
            }
            if has(Quirk::SecretsForAll) {
                let made_up = format!("made-up-{}", uuid::Uuid::new_v4());
                client.insert("client_secret".into(), Value::String(made_up));
            }
            if method == "POST" && status == 201 && has(Quirk::OkForCreated) {
                status = 200;
            }
        }
        out = serde_json::to_vec(&client).unwrap();
    }
    let _ = stream.write_all(&response(status, &kind, &[], &out)).await;
    let _ = stream.shutdown().await;
}

/// oidc-provider behind a proxy with `quirks`, and a connection to it through the proxy.
async fn behind(quirks: &[Quirk]) -> (OidcProvider, QuirkProxy, Opened) {
    let server = OidcProvider::start();
    let proxy = QuirkProxy::start(&server.issuer, quirks).await;
    let opened = open_connection_at(&proxy.issuer, Some(&server.initial_access_token)).await;
    (server, proxy, opened)
}

fn both_scopes_draft(name: &str) -> registrar_core::draft::ValidDraft {
    machine_draft_with(name, &["orders.read", "orders.write"])
}

#[tokio::test]
async fn an_auth_method_array_and_numbers_written_as_strings_are_read() {
    let (server, _proxy, opened) = behind(&[Quirk::AuthMethodArray, Quirk::NumbersAsStrings]).await;
    let created = opened
        .provider
        .create_app(&machine_draft("Orders sync"))
        .await
        .unwrap();
    let secret = created.secret.unwrap();
    let read = opened.provider.get_app(&created.app.id).await.unwrap();
    assert_eq!(
        read.scopes,
        [Scope::new("orders.read", ScopeType::Application)]
    );
    assert_eq!(read.app_type, AppType::Confidential);
    let listed = opened.provider.list_apps().await.unwrap();
    assert_eq!(listed.len(), 1);
    oidc_token(&server, &created.app.id, secret.expose(), "orders.read")
        .await
        .unwrap();
    let endpoints = opened.provider.endpoints();
    let verified =
        registrar_core::verify::verify(opened.provider.http(), &endpoints.token, &read, &secret)
            .await
            .unwrap();
    assert_eq!(
        verified.lifetime.as_secs(),
        1234,
        "expires_in read from a string"
    );
}

#[tokio::test]
async fn a_read_without_scopes_keeps_the_recorded_ones_and_a_new_secret_keeps_them_on_the_server() {
    let (server, _proxy, opened) = behind(&[Quirk::NoScopeOnRead]).await;
    let created = opened
        .provider
        .create_app(&both_scopes_draft("Orders sync"))
        .await
        .unwrap();
    let expected = [
        Scope::new("orders.read", ScopeType::Application),
        Scope::new("orders.write", ScopeType::Application),
    ];
    let read = opened.provider.get_app(&created.app.id).await.unwrap();
    assert_eq!(
        read.scopes, expected,
        "not wiped by a read that left them out"
    );
    let listed = opened.provider.list_apps().await.unwrap();
    assert_eq!(listed[0].scopes, expected);

    // Replacing the secret is an update of the whole metadata: the scopes must go with it.
    let (_, secret) = opened
        .provider
        .generate_secret(&created.app.id, None)
        .await
        .unwrap();
    for scope in ["orders.read", "orders.write"] {
        oidc_token(&server, &created.app.id, secret.expose(), scope)
            .await
            .unwrap_or_else(|e| panic!("{scope} was dropped on the server: {e}"));
    }
}

#[tokio::test]
async fn members_a_server_sends_as_null_are_never_sent_back() {
    let (_server, proxy, opened) = behind(&[Quirk::NullMembers]).await;
    let created = opened
        .provider
        .create_app(&machine_draft("Orders sync"))
        .await
        .unwrap();
    opened
        .provider
        .update_app(&created.app.id, &both_scopes_draft("Orders sync v2"))
        .await
        .unwrap();
    let read = opened.provider.get_app(&created.app.id).await.unwrap();
    assert_eq!(read.name, "Orders sync v2");
    assert_eq!(read.scopes.len(), 2);
    assert_eq!(
        *proxy.refused_nulls.lock().unwrap(),
        0,
        "no request carried a null"
    );
}

#[tokio::test]
async fn a_secret_the_server_replaces_on_an_update_is_handed_back_once() {
    let (server, _proxy, opened) = behind(&[Quirk::NewSecretOnPut]).await;
    let created = opened
        .provider
        .create_app(&machine_draft("Orders sync"))
        .await
        .unwrap();
    let old = created.secret.unwrap();
    let replaced = opened
        .provider
        .update_app(&created.app.id, &both_scopes_draft("Orders sync"))
        .await
        .unwrap()
        .expect("the server replaced the secret, and the admin must get the new one");
    assert_ne!(replaced.expose(), old.expose());
    oidc_token(&server, &created.app.id, replaced.expose(), "orders.write")
        .await
        .unwrap();
    assert!(
        oidc_token(&server, &created.app.id, old.expose(), "orders.read")
            .await
            .is_err(),
        "the old secret was ended by the update"
    );
}

#[tokio::test]
async fn a_registration_answered_200_is_a_registration() {
    let (server, _proxy, opened) = behind(&[Quirk::OkForCreated]).await;
    let created = opened
        .provider
        .create_app(&machine_draft("Orders sync"))
        .await
        .unwrap();
    oidc_token(
        &server,
        &created.app.id,
        created.secret.unwrap().expose(),
        "orders.read",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_wrong_secret_refused_with_403_and_no_body_is_named_as_a_refused_secret() {
    let (_server, _proxy, opened) = behind(&[Quirk::EmptyForbidden]).await;
    let created = opened
        .provider
        .create_app(&machine_draft("Orders sync"))
        .await
        .unwrap();
    let wrong = registrar_core::Secret::new("not-the-secret");
    let endpoints = opened.provider.endpoints();
    match registrar_core::verify::verify(
        opened.provider.http(),
        &endpoints.token,
        &created.app,
        &wrong,
    )
    .await
    {
        Err(Error::Unauthorized(message)) => {
            assert!(message.contains("invalid_client"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_listing_reads_many_clients_at_once_and_no_more_than_sixteen() {
    let (_server, proxy, opened) = behind(&[Quirk::SlowReads]).await;
    for n in 0..20 {
        opened
            .provider
            .create_app(&machine_draft(&format!("Sync {n}")))
            .await
            .unwrap();
    }
    let listed = opened.provider.list_apps().await.unwrap();
    assert_eq!(listed.len(), 20);
    let most = proxy.reads.lock().unwrap().1;
    assert!((5..=16).contains(&most), "{most} reads at once");
}

/// The sheet's client-credentials request, run with curl, and Verify: both must get a token.
async fn verify_and_run_the_sheets_request(opened: &Opened, app_id: &str, secret: &Secret) {
    let app = opened.provider.get_app(app_id).await.unwrap();
    let endpoints = opened.provider.endpoints();
    registrar_core::verify::verify(opened.provider.http(), &endpoints.token, &app, secret)
        .await
        .unwrap();
    let curl = registrar_core::requests::client_credentials_curl(&endpoints.token, &app);
    let answer = crate::sheet::run_curl(curl.clone(), None, Some(secret)).await;
    assert!(answer["access_token"].is_string(), "{curl}: {answer}");
}

#[tokio::test]
async fn a_server_that_takes_only_basic_gets_basic_from_verify_and_the_sheet() {
    let (_server, _proxy, opened) = behind(&[Quirk::BasicOnlyAtTokenEndpoint]).await;
    let created = opened
        .provider
        .create_app(&machine_draft("Orders sync"))
        .await
        .unwrap();
    assert_eq!(created.app.token_auth, TokenAuth::SecretBasic);
    verify_and_run_the_sheets_request(&opened, &created.app.id, &created.secret.unwrap()).await;
}

#[tokio::test]
async fn a_server_that_lists_only_post_gets_post_from_verify_and_the_sheet() {
    let (_server, _proxy, opened) = behind(&[Quirk::ListsOnlyPost]).await;
    let created = opened
        .provider
        .create_app(&machine_draft("Orders sync"))
        .await
        .unwrap();
    assert_eq!(created.app.token_auth, TokenAuth::SecretPost);
    verify_and_run_the_sheets_request(&opened, &created.app.id, &created.secret.unwrap()).await;
}

/// In the window: a server that issues a new secret with every update. Saving an edit shows the
/// new secret once, says the old one no longer works, and Verify then uses the new one.
#[tokio::test]
async fn the_window_shows_a_secret_the_server_replaced_with_an_edit() {
    use crate::connections::{add_oauth_server, register_machine_app};
    use registrar_tests::{
        click, store_and_close, text_of, type_into, wait_for, wait_settled, Desktop,
    };
    let server = OidcProvider::start();
    let proxy = QuirkProxy::start(&server.issuer, &[Quirk::NewSecretOnPut]).await;
    let desktop = Desktop::start();
    let client = desktop.launch().await;
    text_of(&client, "[data-testid=connection-url]").await;
    let token = server.initial_access_token.expose().to_owned();
    add_oauth_server(&client, "Login server", proxy.issuer.as_str(), &token).await;
    let (app_id, first) = register_machine_app(&client, "Orders sync", "orders.read").await;
    click(
        &client,
        &format!("[data-testid=app-row][data-app-id='{app_id}']"),
    )
    .await;
    wait_for(&client, "[data-testid=app-page]").await;

    click(&client, "[data-testid=app-edit]").await;
    type_into(&client, "#app-name", "Orders sync v2").await;
    click(&client, "[data-testid=edit-review]").await;
    wait_for(&client, "[data-testid=edit-diff]").await;
    click(&client, "[data-testid=edit-save]").await;
    let said = text_of(&client, "[data-testid=secret-replaced]").await;
    assert!(said.contains(&says_part("secrets_replaced_note")), "{said}");
    let replaced = text_of(&client, "[data-testid=new-secret-value]").await;
    assert_ne!(replaced, first);
    oidc_token(&server, &app_id, &replaced, "orders.read")
        .await
        .unwrap();
    assert!(oidc_token(&server, &app_id, &first, "orders.read")
        .await
        .is_err());
    store_and_close(&client).await;
    wait_settled(&client).await;

    // Verify uses the secret Registrar now holds: the new one.
    click(&client, "[data-testid=verify-run]").await;
    assert_eq!(
        text_of(&client, "[data-testid=verify-scope]").await,
        "orders.read"
    );
    client.close().await.unwrap();
    for (path, bytes) in desktop.written_files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&replaced) && !text.contains(&first),
            "a secret reached {}",
            path.display()
        );
    }
}

#[tokio::test]
async fn a_public_app_is_never_handed_a_secret_a_server_gives_every_client() {
    let (_server, _proxy, opened) = behind(&[Quirk::SecretsForAll]).await;
    let desktop = |name: &str| {
        registrar_core::draft::AppDraft {
            name: name.into(),
            app_type: AppType::NonConfidential,
            redirect_uris: vec!["http://127.0.0.1:8400/callback".into()],
            scopes: vec![Scope::new("orders.read", ScopeType::User)],
        }
        .validate(None)
        .unwrap()
    };
    let created = opened
        .provider
        .create_app(&desktop("Desktop"))
        .await
        .unwrap();
    assert!(created.secret.is_none());
    let id = created.app.id;
    for _ in 0..2 {
        opened.provider.get_app(&id).await.unwrap();
        assert!(opened
            .provider
            .take_replaced_secret(&id)
            .await
            .unwrap()
            .is_none());
    }
    let renamed = desktop("Desktop v2");
    assert!(opened
        .provider
        .update_app(&id, &renamed)
        .await
        .unwrap()
        .is_none());
}
