//! The generic RFC 7591 / 7592 client against a real third-party server: oidc-provider 9.x (panva),
//! started on loopback from `tests/oidc-provider/` (its config is there; `scripts/test` runs
//! `npm ci` for it). Register with the initial access token, get a token with the secret, see a
//! wrong secret refused, update scopes and redirect URLs, rotate the secret through the
//! registration policy, and delete.

use registrar_core::draft::AppDraft;
use registrar_core::model::{AppType, Scope, ScopeType, TokenAuth};
use registrar_core::oauth::{self, ClientCredentials};
use registrar_core::registration::{
    discover, ClientMetadata, Management, RegisteredClient, RegistrationClient,
};
use registrar_core::{Error, Secret};

use registrar_tests::proxy::{Fault, FaultProxy};
use url::Url;

pub(crate) use registrar_tests::OidcProvider;

/// A client_credentials token from oidc-provider, or its refusal: with HTTP Basic, the method
/// Registrar registers confidential clients with there (oidc-provider holds a client to it).
pub(crate) async fn oidc_token(
    server: &OidcProvider,
    client_id: &str,
    secret: &str,
    scope: &str,
) -> registrar_core::Result<Vec<String>> {
    let http = registrar_core::http::client().unwrap();
    let server_metadata = registrar_core::registration::discover(&http, &server.issuer)
        .await
        .unwrap();
    let credentials = ClientCredentials {
        client_id: client_id.to_owned(),
        client_secret: Secret::new(secret.to_owned()),
    };
    oauth::client_credentials_as(
        &http,
        &server_metadata.token_endpoint,
        &credentials,
        &[scope],
        TokenAuth::SecretBasic,
    )
    .await
    .map(|granted| granted.scopes)
}

fn draft(
    name: &str,
    app_type: AppType,
    redirects: &[&str],
    scopes: &[(&str, ScopeType)],
) -> ClientMetadata {
    let draft = AppDraft {
        name: name.into(),
        app_type,
        redirect_uris: redirects.iter().map(|r| (*r).to_owned()).collect(),
        scopes: scopes.iter().map(|(n, t)| Scope::new(*n, *t)).collect(),
    };
    ClientMetadata::from_draft(&draft.validate(None).unwrap(), TokenAuth::SecretBasic)
}

async fn token(
    provider: &RegistrationClient,
    client_id: &str,
    secret: &Secret,
    scope: &[&str],
) -> registrar_core::Result<Vec<String>> {
    let credentials = ClientCredentials {
        client_id: client_id.to_owned(),
        client_secret: secret.duplicate(),
    };
    let http = registrar_core::http::client().unwrap();
    let granted = oauth::client_credentials_as(
        &http,
        &provider.server().token_endpoint,
        &credentials,
        scope,
        TokenAuth::SecretBasic,
    )
    .await?;
    Ok(granted.scopes)
}

async fn registration_client(server: &OidcProvider) -> RegistrationClient {
    let http = registrar_core::http::client().unwrap();
    let metadata = discover(&http, &server.issuer).await.unwrap();
    RegistrationClient::new(http, metadata)
}

fn management(client: &RegisteredClient) -> Management {
    let kept = client
        .management
        .as_ref()
        .expect("a registration access token");
    Management {
        client_uri: kept.client_uri.clone(),
        access_token: kept.access_token.duplicate(),
    }
}

#[tokio::test]
async fn discovery_offers_the_servers_scopes_and_its_registration_endpoint() {
    let server = OidcProvider::start();
    let http = registrar_core::http::client().unwrap();
    let metadata = discover(&http, &server.issuer).await.unwrap();
    assert_eq!(metadata.issuer, server.issuer);
    assert!(metadata.registration_endpoint.is_some());
    for scope in ["orders.read", "orders.write", "reports.read"] {
        assert!(
            metadata.scopes_supported.iter().any(|s| s == scope),
            "{scope} not in {:?}",
            metadata.scopes_supported
        );
    }

    let nowhere: Url = format!("{}/tenant", server.issuer).parse().unwrap();
    let err = discover(&http, &nowhere).await.unwrap_err();
    assert!(err.to_string().contains("check the issuer URL"), "{err}");
}

#[tokio::test]
async fn a_client_is_registered_used_updated_rotated_and_deleted() {
    let server = OidcProvider::start();
    let provider = registration_client(&server).await;
    let mut metadata = draft(
        "Billing sync",
        AppType::Confidential,
        &[],
        &[("orders.read", ScopeType::Application)],
    );
    metadata
        .extra
        .insert("contacts".into(), serde_json::json!(["ops@example.com"]));

    // Without the initial access token the server refuses, and says which token to check.
    let err = provider.register(None, &metadata).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("initial access token"), "{err}");

    let registered = provider
        .register(Some(&server.initial_access_token), &metadata)
        .await
        .unwrap();
    assert_eq!(registered.metadata.client_name, "Billing sync");
    assert_eq!(registered.metadata.grant_types, ["client_credentials"]);
    let secret = registered.client_secret.as_ref().unwrap().duplicate();
    let id = registered.client_id.clone();
    assert_eq!(
        token(&provider, &id, &secret, &["orders.read"])
            .await
            .unwrap(),
        ["orders.read"]
    );
    let wrong = token(
        &provider,
        &id,
        &Secret::new("not-the-secret"),
        &["orders.read"],
    )
    .await
    .unwrap_err();
    assert!(matches!(wrong, Error::Unauthorized(_)), "{wrong:?}");
    let read = provider.read(&management(&registered)).await.unwrap();
    assert_eq!(read.metadata, registered.metadata);

    // A full update: another scope, a user flow with a redirect URL. The server hands out a
    // new registration access token and refuses the old one.
    let changed = draft(
        "Billing sync",
        AppType::Confidential,
        &["https://billing.example.com/callback"],
        &[
            ("orders.read", ScopeType::Application),
            ("orders.write", ScopeType::Application),
            ("reports.read", ScopeType::User),
        ],
    );
    let changed = ClientMetadata {
        extra: read.metadata.extra.clone(),
        ..changed
    };
    let updated = provider
        .update(&management(&registered), &id, &changed)
        .await
        .unwrap();
    assert_eq!(
        updated.metadata.extra["contacts"],
        serde_json::json!(["ops@example.com"]),
        "an update keeps the fields Registrar does not edit"
    );
    assert_eq!(
        updated.metadata.redirect_uris,
        ["https://billing.example.com/callback"]
    );
    assert_eq!(
        updated.metadata.grant_types,
        ["client_credentials", "authorization_code", "refresh_token"]
    );
    let stale = provider.read(&management(&registered)).await.unwrap_err();
    assert!(matches!(stale, Error::Unauthorized(_)), "{stale:?}");
    assert_eq!(
        token(&provider, &id, &secret, &["orders.write"])
            .await
            .unwrap(),
        ["orders.write"]
    );

    // Rotation through the registration policy: a new secret, the old one refused at once.
    let rotation = provider
        .rotate_secret(&management(&updated), &id, &changed, Some(&secret))
        .await
        .unwrap();
    assert!(rotation.rotated);
    let rotated = rotation.client;
    let new_secret = rotated.client_secret.as_ref().unwrap().duplicate();
    assert_ne!(new_secret.expose(), secret.expose());
    assert!(token(&provider, &id, &secret, &["orders.read"])
        .await
        .is_err());
    token(&provider, &id, &new_secret, &["orders.read"])
        .await
        .unwrap();

    provider.delete(&management(&rotated)).await.unwrap();
    let gone = provider.read(&management(&rotated)).await.unwrap_err();
    assert!(matches!(gone, Error::Unauthorized(_)), "{gone:?}");
    let refused = token(&provider, &id, &new_secret, &["orders.read"])
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Unauthorized(_)), "{refused:?}");
}

#[tokio::test]
async fn a_public_client_for_a_user_flow_is_registered_without_a_secret() {
    let server = OidcProvider::start();
    let provider = registration_client(&server).await;
    let metadata = draft(
        "Desk app",
        AppType::NonConfidential,
        &["http://127.0.0.1:8765/callback"],
        &[("orders.read", ScopeType::User)],
    );
    let registered = provider
        .register(Some(&server.initial_access_token), &metadata)
        .await
        .unwrap();
    assert_eq!(
        registered.metadata.token_endpoint_auth_method.as_deref(),
        Some("none")
    );
    assert_eq!(registered.metadata.response_types, ["code"]);
    assert!(registered.client_secret.is_none());

    let err = provider
        .rotate_secret(
            &management(&registered),
            &registered.client_id,
            &metadata,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no client_secret to rotate"),
        "{err}"
    );
}

#[tokio::test]
async fn the_servers_refusals_name_what_to_fix() {
    let server = OidcProvider::start();
    let provider = registration_client(&server).await;
    let unknown = draft(
        "Unknown scope",
        AppType::Confidential,
        &[],
        &[("payroll.read", ScopeType::Application)],
    );
    let err = provider
        .register(Some(&server.initial_access_token), &unknown)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidInput {
                field: Some(registrar_core::model::Field::Scopes),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("invalid_client_metadata"), "{err}");
}

/// A registration or update whose answer is lost is not sent again, and the admin is told it may
/// have happened: dynamic registration has no way to look a client up, and an update may have
/// replaced the registration access token.
#[tokio::test]
async fn a_lost_answer_is_never_followed_by_a_second_registration_or_update() {
    let server = OidcProvider::start();
    let direct = registration_client(&server).await;
    let proxy = FaultProxy::start(server.issuer.as_str().trim_end_matches('/').to_owned()).await;
    let through_proxy = |url: &Url| -> Url {
        url.as_str()
            .replacen(server.issuer.as_str().trim_end_matches('/'), &proxy.base, 1)
            .parse()
            .unwrap()
    };
    let mut metadata = direct.server().clone();
    metadata.registration_endpoint = metadata.registration_endpoint.as_ref().map(through_proxy);
    let provider = RegistrationClient::new(registrar_core::http::client().unwrap(), metadata);
    let client = draft(
        "Lost answer",
        AppType::Confidential,
        &[],
        &[("orders.read", ScopeType::Application)],
    );

    for fault in [Fault::LoseAnswer, Fault::ActThen500] {
        let before = proxy.seen("POST", "/reg").len();
        proxy.on("POST", "/reg", fault, 1);
        let err = provider
            .register(Some(&server.initial_access_token), &client)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{fault:?}: {err:?}");
        assert!(
            err.to_string()
                .contains("may have registered \"Lost answer\" all the same"),
            "{err}"
        );
        assert_eq!(
            proxy.seen("POST", "/reg").len(),
            before + 1,
            "{fault:?}: sent twice"
        );
    }

    let registered = provider
        .register(Some(&server.initial_access_token), &client)
        .await
        .unwrap();
    let kept = management(&registered);
    let managed = Management {
        client_uri: through_proxy(&kept.client_uri),
        access_token: kept.access_token.duplicate(),
    };
    let client_path = format!("/reg/{}", registered.client_id);
    proxy.on("PUT", &client_path, Fault::LoseAnswer, 1);
    let err = provider
        .update(&managed, &registered.client_id, &registered.metadata)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("replaced the client's registration access token"),
        "{err}"
    );
    assert_eq!(
        proxy.seen("PUT", &client_path).len(),
        1,
        "the update was sent twice"
    );
}

/// An OAuth server connection as the window and the command line open it: saved, with the
/// initial access token in a keychain namespace of the test's own.
pub(crate) struct Opened {
    pub(crate) provider: registrar_core::provider::Provider,
    pub(crate) keychain: registrar_core::keychain::Keychain,
    pub(crate) connection: registrar_core::connections::Connection,
    _folder: tempfile::TempDir,
    _namespace: registrar_tests::TestNamespace,
}

impl Opened {
    /// Registers a confidential app that holds `orders.read`.
    async fn register(&self, name: &str) -> registrar_core::model::ExternalApp {
        let created = self.provider.create_app(&machine_draft(name)).await;
        created.unwrap().app
    }
}

async fn open_connection(server: &OidcProvider) -> Opened {
    open_connection_at(&server.issuer, Some(&server.initial_access_token)).await
}

/// A saved connection to the server at `issuer`, opened as the window and the command line open it.
/// With no initial access token, the connection is to a server with open registration.
pub(crate) async fn open_connection_at(
    issuer: &Url,
    initial_access_token: Option<&Secret>,
) -> Opened {
    use registrar_core::admin::{self, AdminCredential};
    use registrar_core::connections::{Connection, ConnectionStore};
    let folder = tempfile::tempdir().unwrap();
    let store = ConnectionStore::new(folder.path().join("connections.json"));
    let connection = Connection {
        open_registration: initial_access_token.is_none(),
        ..Connection::oauth_server(Connection::new_id(), "Login".into(), issuer.to_string())
    };
    let namespace = registrar_tests::TestNamespace::default();
    let keychain = registrar_core::keychain::Keychain::platform(namespace.0.clone()).unwrap();
    if let Some(token) = initial_access_token {
        AdminCredential::InitialAccessToken(token.duplicate())
            .keep(&keychain, &connection)
            .await
            .unwrap();
    }
    let http = registrar_core::http::client().unwrap();
    let provider = admin::open(http, &keychain, &store, &connection)
        .await
        .unwrap();
    Opened {
        provider,
        keychain,
        connection,
        _folder: folder,
        _namespace: namespace,
    }
}

pub(crate) fn machine_draft(name: &str) -> registrar_core::draft::ValidDraft {
    machine_draft_with(name, &["orders.read"])
}

/// A confidential app with `scopes` as application scopes.
pub(crate) fn machine_draft_with(name: &str, scopes: &[&str]) -> registrar_core::draft::ValidDraft {
    AppDraft {
        name: name.into(),
        app_type: AppType::Confidential,
        redirect_uris: vec![],
        scopes: scopes
            .iter()
            .map(|s| Scope::new(*s, ScopeType::Application))
            .collect(),
    }
    .validate(None)
    .unwrap()
}

#[tokio::test]
async fn a_server_that_ignores_the_request_for_a_new_secret_is_reported_and_the_secret_kept() {
    let server = OidcProvider::start_without_rotation();
    let opened = open_connection(&server).await;
    let created = opened
        .provider
        .create_app(&machine_draft("Orders sync"))
        .await
        .unwrap();
    let secret = created.secret.unwrap();

    match opened.provider.generate_secret(&created.app.id, None).await {
        Err(Error::Forbidden(message)) => {
            assert!(message.contains("does not rotate secrets"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        oidc_token(&server, &created.app.id, secret.expose(), "orders.read")
            .await
            .is_ok(),
        "the current secret still works"
    );
    // The update it took still replaced the registration access token, and that was kept.
    assert_eq!(
        opened.provider.get_app(&created.app.id).await.unwrap().name,
        "Orders sync"
    );
}

#[tokio::test]
async fn clients_registrar_can_no_longer_reach_leave_the_list_and_the_admin_is_told() {
    let server = OidcProvider::start();
    let opened = open_connection(&server).await;
    let kept = opened.register("Kept").await;
    let gone = opened.register("Deleted elsewhere").await;

    // Someone else deletes it with its registration access token.
    let token = opened
        .keychain
        .read(&opened.connection.registration_token_account(&gone.id))
        .await
        .unwrap()
        .unwrap();
    let http = registrar_core::http::client().unwrap();
    let client_uri = format!(
        "{}/reg/{}",
        server.issuer.as_str().trim_end_matches('/'),
        gone.id
    );
    let deleted = http
        .delete(client_uri)
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());

    // The server no longer knows it: reading it says so, and it leaves the list with its token.
    match opened.provider.get_app(&gone.id).await {
        Err(Error::NotFound(message)) => {
            assert!(
                message.contains("probably deleted on the server"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    let account = opened.connection.registration_token_account(&gone.id);
    assert!(opened.keychain.read(&account).await.unwrap().is_none());
    assert_eq!(
        opened.provider.list_apps().await.unwrap(),
        std::slice::from_ref(&kept)
    );

    // A client whose token is gone from the keychain stays listed as last seen; deleting it
    // takes it off the list and says to delete it on the server.
    let account = opened.connection.registration_token_account(&kept.id);
    opened.keychain.delete(&account).await.unwrap();
    assert_eq!(
        opened.provider.list_apps().await.unwrap(),
        std::slice::from_ref(&kept)
    );
    match opened.provider.delete_app(&kept.id).await {
        Err(Error::Keychain(message)) => assert!(
            message.contains(&format!("delete {} on the server", kept.id)),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(opened.provider.list_apps().await.unwrap(), []);
}

/// A listing reads each registration access token from the keychain once per session, and reads
/// the keychain anew only for a token another Registrar has replaced since.
#[tokio::test]
async fn a_listing_reads_tokens_from_the_keychain_once_and_anew_when_replaced() {
    let server = OidcProvider::start();
    let opened = open_connection(&server).await;
    let renamed = opened.register("Renamed elsewhere").await;
    let kept = opened.register("Kept").await;

    // Another Registrar on the same connection renames one, which replaces its token (the
    // server rotates it with every update) in the keychain.
    let store = registrar_core::connections::ConnectionStore::new(
        opened._folder.path().join("connections.json"),
    );
    let http = registrar_core::http::client().unwrap();
    let other = registrar_core::admin::open(http, &opened.keychain, &store, &opened.connection)
        .await
        .unwrap();
    other
        .update_app(&renamed.id, &machine_draft("Renamed"))
        .await
        .unwrap();
    // And the keychain entry of the other client now holds something that is no token: this
    // session still has the token, so it need not read it again.
    let account = opened.connection.registration_token_account(&kept.id);
    opened
        .keychain
        .write(&account, &Secret::new(String::from("not-a-token")))
        .await
        .unwrap();

    let mut names: Vec<String> = opened
        .provider
        .list_apps()
        .await
        .unwrap()
        .into_iter()
        .map(|app| app.name)
        .collect();
    names.sort();
    assert_eq!(names, ["Kept", "Renamed"]);
}

/// A secret replaced on the server out of Registrar's sight (here by a rotation through the
/// management API, the way another tool would) is noticed at the next read and handed over once.
#[tokio::test]
async fn a_secret_replaced_on_the_server_is_noticed_at_the_next_read_and_handed_over_once() {
    let server = OidcProvider::start();
    let opened = open_connection(&server).await;
    let created = opened
        .provider
        .create_app(&machine_draft("Orders sync"))
        .await
        .unwrap();
    let id = created.app.id.clone();
    assert!(opened
        .provider
        .take_replaced_secret(&id)
        .await
        .unwrap()
        .is_none());

    // Elsewhere: a new secret through the client's own registration access token.
    let account = opened.connection.registration_token_account(&id);
    let kept = opened.keychain.read(&account).await.unwrap().unwrap();
    let registration = registration_client(&server).await;
    let management = Management {
        client_uri: server.issuer.join(&format!("reg/{id}")).unwrap(),
        access_token: kept,
    };
    let current = registration.read(&management).await.unwrap();
    let rotated = registration
        .rotate_secret(
            &management,
            &id,
            &current.metadata,
            current.client_secret.as_ref(),
        )
        .await
        .unwrap();
    assert!(rotated.rotated);
    let replaced = rotated.client.client_secret.unwrap();
    // The server gave that tool a new registration access token; Registrar's is kept current.
    let newer = rotated.client.management.unwrap().access_token;
    opened.keychain.write(&account, &newer).await.unwrap();

    opened.provider.list_apps().await.unwrap();
    assert_eq!(
        opened.provider.replaced_secrets(),
        std::slice::from_ref(&id)
    );
    let handed = opened
        .provider
        .take_replaced_secret(&id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(handed.expose(), replaced.expose());
    assert!(
        opened
            .provider
            .take_replaced_secret(&id)
            .await
            .unwrap()
            .is_none(),
        "once"
    );
    oidc_token(&server, &id, handed.expose(), "orders.read")
        .await
        .unwrap();

    // Handed over is known: the next read (here, as another process would) says nothing.
    opened.provider.get_app(&id).await.unwrap();
    assert!(opened
        .provider
        .take_replaced_secret(&id)
        .await
        .unwrap()
        .is_none());
}
