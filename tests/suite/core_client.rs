//! The core's UiPath client against a running sandbox: the same HTTP path the app takes.

use registrar_core::draft::{AppDraft, ValidDraft};
use registrar_core::model::{AppType, Field, Scope, ScopeType};
use registrar_core::oauth::{self, ClientCredentials};
use registrar_core::provider::Provider;
use registrar_core::uipath::{Endpoint, UiPathClient};
use registrar_core::{Error, Secret};
use registrar_sandbox::{Sandbox, SandboxConfig, ScopeTypes};

pub(crate) struct Running {
    pub(crate) sandbox: Sandbox,
    dir: tempfile::TempDir,
}

/// A sandbox that writes scope types as numbers, as live tenants do.
pub(crate) async fn sandbox() -> Running {
    sandbox_writing(ScopeTypes::Numbers).await
}

pub(crate) async fn sandbox_writing(scope_types: ScopeTypes) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        organization: "acme".into(),
        scope_types,
        ..SandboxConfig::new(dir.path().join("sandbox.sqlite3"))
    })
    .await
    .unwrap();
    Running { sandbox, dir }
}

impl Running {
    /// The sandbox's database, for a test to put there what an older server or another tool
    /// left behind.
    pub(crate) fn database(&self) -> rusqlite::Connection {
        let db = rusqlite::Connection::open(self.dir.path().join("sandbox.sqlite3")).unwrap();
        db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        db
    }
}

fn endpoint(sandbox: &Sandbox) -> Endpoint {
    Endpoint {
        identity_url: sandbox.identity_url().parse().unwrap(),
        partition_global_id: sandbox.partition_global_id(),
        cloud_organization: None,
    }
}

pub(crate) fn admin_client(sandbox: &Sandbox, secret: Secret) -> UiPathClient {
    UiPathClient::new(
        registrar_core::http::client().unwrap(),
        endpoint(sandbox),
        ClientCredentials {
            client_id: sandbox.admin_client_id().to_owned(),
            client_secret: secret,
        },
    )
}

/// Registers the app an admin signs in with: non-confidential, user scope PM.OAuthApp, and the
/// loopback redirect URL of a sign-in on `port` (matched exactly, port included).
pub(crate) async fn sign_in_app(
    admin: &UiPathClient,
    name: &str,
    port: u16,
) -> registrar_core::model::ExternalApp {
    let draft = AppDraft {
        name: name.into(),
        app_type: AppType::NonConfidential,
        redirect_uris: vec![registrar_core::signin::redirect_uri(port)],
        scopes: vec![Scope::new("PM.OAuthApp", ScopeType::User)],
    };
    admin
        .create_app(&draft.validate(None).unwrap())
        .await
        .unwrap()
        .app
}

pub(crate) fn confidential(name: &str, scopes: &[(&str, ScopeType)]) -> AppDraft {
    AppDraft {
        name: name.into(),
        app_type: AppType::Confidential,
        redirect_uris: vec![],
        scopes: scopes.iter().map(|(n, t)| Scope::new(*n, *t)).collect(),
    }
}

#[tokio::test]
async fn registers_lists_and_reads_an_app_whose_secret_gets_a_token() {
    register_list_read_and_get_a_token(ScopeTypes::Numbers).await;
}

/// The same against a server that writes scope types as the published spec names them.
#[tokio::test]
async fn scope_types_written_as_names_are_read_as_well() {
    register_list_read_and_get_a_token(ScopeTypes::Names).await;
}

async fn register_list_read_and_get_a_token(scope_types: ScopeTypes) {
    let running = sandbox_writing(scope_types).await;
    let client = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );

    let catalog = client.catalog().await.unwrap();
    let offered = |name: &str| {
        catalog
            .iter()
            .flat_map(|r| &r.scopes)
            .find(|s| s.name == name)
            .map(|s| (s.user, s.application))
    };
    assert_eq!(offered("OR.Jobs.Read"), Some((true, true)), "either type");
    assert_eq!(
        offered("DataFabric.Data.Read"),
        Some((true, false)),
        "user only"
    );
    assert_eq!(
        offered("Du.Extraction.Api"),
        Some((false, true)),
        "application only"
    );
    let draft = confidential(
        "Billing sync",
        &[
            ("OR.Jobs.Read", ScopeType::Application),
            ("OR.Jobs.Read", ScopeType::User),
        ],
    );
    let draft = AppDraft {
        redirect_uris: vec!["https://billing.example.com/cb".into()],
        ..draft
    }
    .validate(Some(&catalog))
    .unwrap();
    let created = client.create_app(&draft).await.unwrap();
    let secret = created
        .secret
        .expect("a confidential app gets its first secret");
    assert_eq!(created.app.name, "Billing sync");
    let both = [
        Scope::new("OR.Jobs.Read", ScopeType::User),
        Scope::new("OR.Jobs.Read", ScopeType::Application),
    ];
    assert_eq!(created.app.scopes, both);

    let listed = client.list_apps().await.unwrap();
    assert!(listed
        .iter()
        .any(|a| a.id == created.app.id && a.app_type == AppType::Confidential));
    let read = client.get_app(&created.app.id).await.unwrap();
    assert_eq!(read.secrets.len(), 1);
    assert_eq!(read.scopes, both);

    let http = registrar_core::http::client().unwrap();
    let credentials = ClientCredentials {
        client_id: created.app.id.clone(),
        client_secret: secret,
    };
    let token = oauth::client_credentials(
        &http,
        &endpoint(&running.sandbox).token_url(),
        &credentials,
        &["OR.Jobs.Read"],
    )
    .await
    .unwrap();
    assert_eq!(token.scopes, ["OR.Jobs.Read"]);
    assert_eq!(token.expires_in.as_secs(), 3600);
}

#[tokio::test]
async fn a_non_confidential_app_gets_no_secret_and_keeps_its_redirect_urls() {
    let running = sandbox().await;
    let client = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let draft = AppDraft {
        name: "Desktop tool".into(),
        app_type: AppType::NonConfidential,
        redirect_uris: vec![
            "http://127.0.0.1:8400/cb".into(),
            "com.example.tool:/cb".into(),
        ],
        scopes: vec![Scope::new("OR.Folders.Read", ScopeType::User)],
    };
    let created = client
        .create_app(&draft.validate(None).unwrap())
        .await
        .unwrap();
    assert!(created.secret.is_none());
    let read = client.get_app(&created.app.id).await.unwrap();
    assert_eq!(read.redirect_uris, draft.redirect_uris);
    assert_eq!(read.app_type, AppType::NonConfidential);
}

#[tokio::test]
async fn the_servers_refusal_names_the_field() {
    let running = sandbox().await;
    let client = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    // Unchecked on purpose: what the server says when a draft skips the client-side rules.
    let draft = ValidDraft {
        name: "Unknown scope".into(),
        app_type: AppType::Confidential,
        redirect_uris: vec![],
        scopes: vec![Scope::new("OR.Nope", ScopeType::Application)],
    };
    match client.create_app(&draft).await {
        Err(Error::InvalidInput { field, message }) => {
            assert_eq!(field, Some(Field::Scopes));
            assert!(message.contains("OR.Nope"), "{message}");
        }
        other => panic!("expected the server to refuse the scope, got {other:?}"),
    }
}

#[tokio::test]
async fn wrong_admin_credentials_are_reported_as_such() {
    let running = sandbox().await;
    let client = admin_client(&running.sandbox, Secret::new("not-the-secret"));
    match client.list_apps().await {
        Err(Error::Unauthorized(message)) => {
            assert!(message.contains("admin credentials"), "{message}")
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn an_app_without_admin_scopes_is_forbidden() {
    let running = sandbox().await;
    let admin = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let draft = confidential("Not an admin", &[("OR.Jobs", ScopeType::Application)])
        .validate(None)
        .unwrap();
    let created = admin.create_app(&draft).await.unwrap();
    let not_admin = UiPathClient::new(
        registrar_core::http::client().unwrap(),
        endpoint(&running.sandbox),
        ClientCredentials {
            client_id: created.app.id,
            client_secret: created.secret.unwrap(),
        },
    );
    match not_admin.list_apps().await {
        Err(Error::Forbidden(message)) => assert!(message.contains("PM.OAuthApp"), "{message}"),
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_network_error_in_words() {
    let running = sandbox().await;
    let secret = running.sandbox.issue_admin_secret().unwrap();
    let endpoint = endpoint(&running.sandbox);
    running.sandbox.shutdown().await;
    let client = UiPathClient::new(
        registrar_core::http::client().unwrap(),
        endpoint,
        ClientCredentials {
            client_id: "admin".into(),
            client_secret: secret,
        },
    );
    match client.list_apps().await {
        Err(Error::Network(message)) => assert!(
            message.starts_with("Could not connect to http://127.0.0.1:"),
            "{message}"
        ),
        other => panic!("expected a network error, got {other:?}"),
    }
}

async fn token_for(
    sandbox: &Sandbox,
    client_id: &str,
    secret: &Secret,
) -> Result<oauth::GrantedToken, Error> {
    let credentials = ClientCredentials {
        client_id: client_id.to_owned(),
        client_secret: secret.duplicate(),
    };
    oauth::client_credentials(
        &registrar_core::http::client().unwrap(),
        &endpoint(sandbox).token_url(),
        &credentials,
        &[],
    )
    .await
}

#[tokio::test]
async fn an_edit_is_planned_against_a_fresh_read_saved_whole_and_read_back() {
    use registrar_core::edit::{apply_update, plan_update, AppEdit};
    let running = sandbox().await;
    let provider = Provider::UiPath(admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    ));
    let client = &provider;
    let catalog = client.catalog().await.unwrap();
    let draft = confidential(
        "Sync",
        &[
            ("OR.Jobs", ScopeType::Application),
            ("OR.Queues.Read", ScopeType::Application),
        ],
    );
    let app = client
        .create_app(&draft.validate(None).unwrap())
        .await
        .unwrap()
        .app;
    let base = AppEdit::from(&app);

    let edit = AppEdit {
        name: "Sync v2".into(),
        redirect_uris: vec!["https://sync.example.com/cb".into()],
        scopes: vec![
            Scope::new("OR.Queues.Read", ScopeType::Application),
            Scope::new("OR.Folders.Read", ScopeType::User),
        ],
    };
    let plan = plan_update(&provider, &app.id, &base, &edit, &catalog)
        .await
        .unwrap();
    assert_eq!(plan.changes.name, Some(("Sync".into(), "Sync v2".into())));
    assert_eq!(
        plan.changes.scopes_added,
        [Scope::new("OR.Folders.Read", ScopeType::User)]
    );
    assert_eq!(
        plan.changes.scopes_removed,
        [Scope::new("OR.Jobs", ScopeType::Application)]
    );
    assert_eq!(
        plan.changes.redirect_uris_added,
        ["https://sync.example.com/cb"]
    );

    let saved = apply_update(&provider, &app.id, &base, &edit, &catalog, &no_guard())
        .await
        .unwrap();
    assert!(
        saved.replaced_secret.is_none(),
        "UiPath keeps secrets across updates"
    );
    let saved = saved.app;
    assert_eq!(saved.name, "Sync v2");
    assert_eq!(saved.redirect_uris, ["https://sync.example.com/cb"]);
    assert_eq!(
        saved.scopes,
        [
            Scope::new("OR.Folders.Read", ScopeType::User),
            Scope::new("OR.Queues.Read", ScopeType::Application)
        ]
    );

    // The edit was opened on the old state: saving it again must not overwrite what is there now.
    let stale = AppEdit {
        name: "Stale".into(),
        ..edit
    };
    match apply_update(&provider, &app.id, &base, &stale, &catalog, &no_guard()).await {
        Err(Error::Conflict(message)) => {
            assert!(message.contains("changed on the server"), "{message}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(client.get_app(&app.id).await.unwrap().name, "Sync v2");
}

#[tokio::test]
async fn an_edit_that_breaks_a_rule_is_refused_before_it_is_sent() {
    use registrar_core::edit::{plan_update, AppEdit};
    let running = sandbox().await;
    let provider = Provider::UiPath(admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    ));
    let client = &provider;
    let catalog = client.catalog().await.unwrap();
    let app = client
        .create_app(
            &confidential("Sync", &[("OR.Jobs", ScopeType::Application)])
                .validate(None)
                .unwrap(),
        )
        .await
        .unwrap()
        .app;
    let base = AppEdit::from(&app);
    let edit = AppEdit {
        scopes: vec![Scope::new("OR.Jobs", ScopeType::User)],
        ..base.clone()
    };
    match plan_update(&provider, &app.id, &base, &edit, &catalog).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, Some(Field::RedirectUris)),
        other => panic!("expected the redirect rule, got {other:?}"),
    }
}

#[tokio::test]
async fn several_secrets_work_at_once_and_a_deleted_one_is_refused() {
    use registrar_core::secrets::NewSecret;
    let running = sandbox().await;
    let client = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let app = client
        .create_app(
            &confidential("Rotating", &[("OR.Jobs.Read", ScopeType::Application)])
                .validate(None)
                .unwrap(),
        )
        .await
        .unwrap()
        .app;
    let now = time::OffsetDateTime::now_utc();
    let first = NewSecret::validate("For CI", Some(now + time::Duration::days(90)), now).unwrap();
    let (info, value_one) = client.generate_secret(&app.id, &first).await.unwrap();
    assert_eq!(info.description.as_deref(), Some("For CI"));
    let second = NewSecret::validate("For the new deployment", None, now).unwrap();
    let (_, value_two) = client.generate_secret(&app.id, &second).await.unwrap();

    assert_eq!(
        token_for(&running.sandbox, &app.id, &value_one)
            .await
            .unwrap()
            .scopes,
        ["OR.Jobs.Read"]
    );
    assert_eq!(
        token_for(&running.sandbox, &app.id, &value_two)
            .await
            .unwrap()
            .scopes,
        ["OR.Jobs.Read"]
    );

    client.delete_secret(info.id).await.unwrap();
    assert!(matches!(
        token_for(&running.sandbox, &app.id, &value_one).await,
        Err(Error::Unauthorized(_))
    ));
    assert!(token_for(&running.sandbox, &app.id, &value_two)
        .await
        .is_ok());
    let secrets = client.get_app(&app.id).await.unwrap().secrets;
    assert!(secrets.iter().all(|s| s.id != info.id));
}

#[tokio::test]
async fn a_deleted_app_is_gone_and_gets_no_more_tokens() {
    let running = sandbox().await;
    let client = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let created = client
        .create_app(
            &confidential("Short-lived", &[("OR.Jobs", ScopeType::Application)])
                .validate(None)
                .unwrap(),
        )
        .await
        .unwrap();
    let secret = created.secret.unwrap();
    client.delete_app(&created.app.id).await.unwrap();
    assert!(client
        .list_apps()
        .await
        .unwrap()
        .iter()
        .all(|a| a.id != created.app.id));
    assert!(matches!(
        client.get_app(&created.app.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        token_for(&running.sandbox, &created.app.id, &secret).await,
        Err(Error::Unauthorized(_))
    ));
}

/// An app made in the portal under other rules (here a plain-http redirect URL, which the server
/// takes and Registrar would refuse for a new app) is renamed all the same; what it keeps is said,
/// and only what the admin adds is checked.
#[tokio::test]
async fn an_app_made_elsewhere_is_renamed_and_keeps_what_registrar_would_refuse_now() {
    use registrar_core::edit::{apply_update, plan_update, AppEdit};
    let running = sandbox().await;
    let admin = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    // Made as an older portal would, with a plain-http redirect URL that neither Registrar nor
    // today's server takes for a new app.
    let portal_made = ValidDraft {
        name: "Portal app".into(),
        app_type: AppType::Confidential,
        redirect_uris: vec!["https://portal.example.com/cb".into()],
        scopes: vec![Scope::new("OR.Users.Read", ScopeType::User)],
    };
    let id = admin.create_app(&portal_made).await.unwrap().app.id;
    running
        .database()
        .execute(
            "UPDATE clients SET redirect_uri = 'http://portal.example.com/cb' WHERE id = ?1",
            [&id],
        )
        .unwrap();
    let app = admin.get_app(&id).await.unwrap();
    let provider = Provider::UiPath(admin);
    let catalog = provider.catalog().await.unwrap();
    let base = AppEdit::from(&app);
    let renamed = AppEdit {
        name: "Portal app v2".into(),
        ..base.clone()
    };

    let plan = plan_update(&provider, &app.id, &base, &renamed, &catalog)
        .await
        .unwrap();
    assert_eq!(plan.changes.kept_as_held.len(), 1, "{:?}", plan.changes);
    assert!(plan.changes.kept_as_held[0].contains("http://portal.example.com/cb"));
    let saved = apply_update(&provider, &app.id, &base, &renamed, &catalog, &no_guard())
        .await
        .unwrap()
        .app;
    assert_eq!(saved.name, "Portal app v2");
    assert_eq!(saved.redirect_uris, ["http://portal.example.com/cb"]);

    let base = AppEdit::from(&saved);
    let added = AppEdit {
        redirect_uris: vec![
            "http://portal.example.com/cb".into(),
            "http://other.example.com/cb".into(),
        ],
        ..base.clone()
    };
    match plan_update(&provider, &app.id, &base, &added, &catalog).await {
        Err(Error::InvalidInput { field, message }) => {
            assert_eq!(field, Some(Field::RedirectUris));
            assert!(message.contains("other.example.com"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// A guard for apps that are not the connection's own.
fn no_guard() -> registrar_core::lockout::Guard {
    registrar_core::lockout::Guard::for_admin_app("", "Sandbox", false)
}

/// The connection's own admin app keeps PM.OAuthApp unless the admin accepts losing it: the
/// sandbox's admin app, edited through the sandbox's own credentials.
#[tokio::test]
async fn taking_pm_oauthapp_from_the_own_admin_app_is_refused_until_accepted() {
    use registrar_core::edit::{apply_update, AppEdit};
    use registrar_core::lockout::Guard;
    let running = sandbox().await;
    let admin_id = running.sandbox.admin_client_id().to_owned();
    let provider = Provider::UiPath(admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    ));
    let catalog = provider.catalog().await.unwrap();
    let own = provider.get_app(&admin_id).await.unwrap();
    let base = AppEdit::from(&own);
    let without = AppEdit {
        scopes: vec![Scope::new("OR.Jobs.Read", ScopeType::Application)],
        ..base.clone()
    };
    let guard = Guard::for_admin_app(&admin_id, "Sandbox", false);
    match apply_update(&provider, &admin_id, &base, &without, &catalog, &guard).await {
        Err(Error::Lockout(why)) => assert!(why.contains("PM.OAuthApp"), "{why}"),
        other => panic!("{other:?}"),
    }
    let still = provider.get_app(&admin_id).await.unwrap();
    assert!(
        still.scopes.iter().any(|s| s.name == "PM.OAuthApp"),
        "nothing was changed"
    );

    let saved = apply_update(
        &provider,
        &admin_id,
        &base,
        &without,
        &catalog,
        &guard.accepting(true),
    )
    .await
    .unwrap();
    assert!(!saved.app.scopes.iter().any(|s| s.name == "PM.OAuthApp"));
    let renewed = admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    assert!(
        renewed.list_apps().await.is_err(),
        "what the warning said: the connection has lost its scope"
    );
}

/// A server that refuses scope strings over 300 characters: Verify asks for an app's many scopes
/// in parts and gets them all; one request with all of them is refused, and the message names
/// the cause.
#[tokio::test]
async fn verify_asks_in_parts_under_a_servers_scope_length_limit() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        scope_length_limit: Some(300),
        ..SandboxConfig::new(dir.path().join("sandbox.sqlite3"))
    })
    .await
    .unwrap();
    let admin = admin_client(&sandbox, sandbox.issue_admin_secret().unwrap());
    let catalog = admin.catalog().await.unwrap();
    let reads: Vec<(&str, ScopeType)> = catalog
        .iter()
        .flat_map(|r| &r.scopes)
        .filter(|s| s.name.starts_with("OR.") && s.name.ends_with(".Read"))
        .map(|s| (s.name.as_str(), ScopeType::Application))
        .collect();
    let created = admin
        .create_app(&confidential("Reporting", &reads).validate(None).unwrap())
        .await
        .unwrap();
    let secret = created.secret.unwrap();
    let all: Vec<&str> = reads.iter().map(|(name, _)| *name).collect();
    assert!(
        all.join(" ").len() > 300,
        "the test needs a long scope string"
    );

    let http = registrar_core::http::client().unwrap();
    let token_url = endpoint(&sandbox).token_url();
    let verified = registrar_core::verify::verify(&http, &token_url, &created.app, &secret)
        .await
        .unwrap();
    let mut granted = verified.granted_scopes.clone();
    granted.sort();
    let mut expected: Vec<String> = all.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(granted, expected);

    let credentials = ClientCredentials {
        client_id: created.app.id.clone(),
        client_secret: secret,
    };
    match oauth::client_credentials(&http, &token_url, &credentials, &all).await {
        Err(Error::Forbidden(message)) => {
            assert!(message.contains("300 to 1,250 characters"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
