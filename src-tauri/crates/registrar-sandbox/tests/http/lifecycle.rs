//! Starting, stopping and restarting: what survives a restart, what a failed start says, another
//! organization's name, and the binary run from a terminal.

use std::net::SocketAddr;

use registrar_sandbox::{Sandbox, SandboxConfig, SandboxError};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::common::{env, Env};

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
    assert!(env
        .list()
        .await
        .iter()
        .any(|client| client["id"] == app.id.as_str()));
    env.token_ok(&app.id, &secret, None).await;
    env.sandbox.shutdown().await;
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
    let no_connections = SandboxConfig {
        max_connections: 0,
        ..SandboxConfig::new(env.dir.path().join("none.sqlite3"))
    };
    let error = Sandbox::start(no_connections).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("connection limit must be more than zero"),
        "{error}"
    );
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
