//! The `registrar` command line (its own binary; the window's binary hands command words over to
//! it) against a sandbox: apps, secrets and handoff sheets with credentials from the environment,
//! saved connections with the secret in the real keychain, JSON for scripts, and exit codes that
//! tell failures apart.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use registrar_core::oauth::{self, ClientCredentials};
use registrar_core::Secret;
use registrar_tests::cli_binary;
use serde_json::Value;

use crate::core_client::{sandbox, Running};
use crate::generic::oidc_token;

/// Runs `registrar args…` with `env` (and nothing inherited that could name another server),
/// feeding `stdin`; off the test's runtime, which serves the sandbox. Without a config folder in
/// `env`, it gets a throwaway one, so that no run writes to the user's own (the audit trail).
pub(crate) async fn registrar(args: &[&str], env: &[(&str, String)], stdin: &str) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let mut env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let throwaway = tempfile::tempdir().unwrap();
    if !env.iter().any(|(k, _)| k == "REGISTRAR_CONFIG_DIR") {
        let dir = throwaway.path().display().to_string();
        env.push(("REGISTRAR_CONFIG_DIR".to_owned(), dir));
    }
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(cli_binary());
        command
            .args(&args)
            .env_remove("REGISTRAR_IDENTITY_URL")
            .env_remove("REGISTRAR_CLIENT_SECRET")
            .envs(env);
        let output = output_with_stdin(command, &stdin);
        drop(throwaway);
        output
    })
    .await
    .unwrap()
}

/// Runs `command` with `stdin` on its standard input, and returns what it printed.
pub(crate) fn output_with_stdin(mut command: Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `connections add` of an Automation Suite server at `host`, with `extra` flags.
async fn add_suite(
    env: &[(&str, String)],
    name: &str,
    host: &str,
    org: &str,
    client_id: &str,
    extra: &[&str],
    stdin: &str,
) -> Output {
    let mut args = vec![
        "connections",
        "add",
        "--name",
        name,
        "--kind",
        "suite",
        "--host",
        host,
        "--org",
        org,
        "--client-id",
        client_id,
    ];
    args.extend_from_slice(extra);
    registrar(&args, env, stdin).await
}

/// Saves `running` as the Automation Suite connection `name`, with a new admin secret, which it
/// returns.
pub(crate) async fn save_running(env: &[(&str, String)], name: &str, running: &Running) -> Secret {
    let admin = running.sandbox.issue_admin_secret().unwrap();
    let host = format!("http://{}", running.sandbox.addr());
    let (org, admin_id) = (
        running.sandbox.organization(),
        running.sandbox.admin_client_id(),
    );
    let secret = format!("{}\n", admin.expose());
    stdout(&add_suite(env, name, &host, org, admin_id, &[], &secret).await);
    admin
}

/// `apps create` of a confidential app with one application scope, as JSON.
pub(crate) async fn create(env: &[(&str, String)], name: &str, scope: &str) -> Output {
    let args = [
        "apps",
        "create",
        "--name",
        name,
        "--type",
        "confidential",
        "--app-scope",
        scope,
        "--json",
    ];
    registrar(&args, env, "").await
}

/// `handoff export` of the app's Markdown sheet into `dir`.
async fn export_markdown(
    env: &[(&str, String)],
    id: &str,
    dir: &std::path::Path,
    json: bool,
) -> Output {
    let dir = dir.to_str().unwrap();
    let mut args = vec![
        "handoff", "export", id, "--format", "markdown", "--out", dir,
    ];
    args.extend(json.then_some("--json"));
    registrar(&args, env, "").await
}

async fn create_confidential(env: &[(&str, String)], name: &str) -> String {
    let created = ok_json(&create(env, name, "OR.Jobs.Read").await);
    created["id"].as_str().unwrap().to_owned()
}

fn environment(running: &Running, secret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("REGISTRAR_IDENTITY_URL", running.sandbox.identity_url()),
        (
            "REGISTRAR_CLIENT_ID",
            running.sandbox.admin_client_id().to_owned(),
        ),
        ("REGISTRAR_CLIENT_SECRET", secret.to_owned()),
    ]
}

/// Where saved connections go: a config folder and a keychain namespace of the test's own.
pub(crate) struct Home {
    pub(crate) config: tempfile::TempDir,
    namespace: String,
}

impl Home {
    pub(crate) fn new() -> Self {
        Self {
            config: tempfile::tempdir().unwrap(),
            namespace: format!("registrar-cli-{}", uuid::Uuid::new_v4()),
        }
    }

    pub(crate) fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "REGISTRAR_CONFIG_DIR",
                self.config.path().display().to_string(),
            ),
            ("REGISTRAR_KEYCHAIN_NAMESPACE", self.namespace.clone()),
        ]
    }

    /// Every value kept in the test's keychain namespace.
    fn keychain_values(&self) -> Vec<String> {
        registrar_tests::keychain_values(&self.namespace)
    }

    fn keychain_is_empty(&self) -> bool {
        self.keychain_values().is_empty()
    }
}

pub(crate) fn ok_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The actions of the audit trail's entries, as `audit list --json` gives them.
fn actions(entries: &Value) -> Vec<&str> {
    let entries = entries.as_array().unwrap().iter();
    entries.map(|e| e["action"].as_str().unwrap()).collect()
}

pub(crate) fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub(crate) fn failure(output: &Output) -> (i32, String) {
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn apps_secrets_and_sheets_from_the_command_line_with_credentials_from_the_environment() {
    let running = sandbox().await;
    let admin = running.sandbox.issue_admin_secret().unwrap();
    let env = environment(&running, admin.expose());

    let created = ok_json(&create(&env, "CLI app", "OR.Jobs.Read").await);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["type"], "confidential");
    assert!(created["secret"].is_string());

    let table = stdout(&registrar(&["apps", "list"], &env, "").await);
    let header = table.lines().next().unwrap();
    assert!(
        header.starts_with("APP ID") && header.contains("NAME"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with(&id) && l.contains("CLI app")),
        "{table}"
    );

    let updated = ok_json(
        &registrar(
            &[
                "apps",
                "update",
                &id,
                "--name",
                "CLI app v2",
                "--app-scope",
                "OR.Jobs",
                "--app-scope",
                "OR.Queues.Read",
                "--json",
            ],
            &env,
            "",
        )
        .await,
    );
    assert_eq!(updated["name"], "CLI app v2");
    assert_eq!(updated["scopes"].as_array().unwrap().len(), 2);

    let generated = ok_json(
        &registrar(
            &[
                "secrets",
                "generate",
                &id,
                "--description",
                "CI",
                "--expires",
                "2099-01-01",
                "--json",
            ],
            &[env.as_slice(), &[("TZ", "JST-9".to_owned())]].concat(),
            "",
        )
        .await,
    );
    // The end of that day in the computer's time zone (Japan, 9 hours ahead of UTC).
    assert_eq!(generated["expires"], "2099-01-01T14:59:59Z");
    let granted = oauth::client_credentials(
        &registrar_core::http::client().unwrap(),
        &format!("{}/connect/token", running.sandbox.identity_url())
            .parse()
            .unwrap(),
        &ClientCredentials {
            client_id: id.clone(),
            client_secret: Secret::new(generated["value"].as_str().unwrap().to_owned()),
        },
        &["OR.Jobs", "OR.Queues.Read"],
    )
    .await
    .unwrap();
    assert_eq!(granted.scopes, ["OR.Jobs", "OR.Queues.Read"]);

    let first_secret = ok_json(&registrar(&["apps", "get", &id, "--json"], &env, "").await)
        ["secrets"][0]["id"]
        .as_i64()
        .unwrap();
    stdout(
        &registrar(
            &["secrets", "delete", &id, &first_secret.to_string()],
            &env,
            "",
        )
        .await,
    );
    let after = ok_json(&registrar(&["apps", "get", &id, "--json"], &env, "").await);
    assert_eq!(after["secrets"].as_array().unwrap().len(), 1);

    let dir = tempfile::tempdir().unwrap();
    let exported = ok_json(&export_markdown(&env, &id, dir.path(), true).await);
    let sheet = std::fs::read_to_string(exported["path"].as_str().unwrap()).unwrap();
    assert!(
        sheet.contains(&id) && sheet.contains("OR.Queues.Read"),
        "{sheet}"
    );
    assert!(sheet.contains("delivered separately"));

    let (code, said) =
        failure(&registrar(&["apps", "delete", &id, "--confirm", "CLI app"], &env, "").await);
    assert_eq!(code, 2);
    assert!(
        said.contains("Type the app's name exactly (\"CLI app v2\") to delete it"),
        "{said}"
    );
    stdout(
        &registrar(
            &["apps", "delete", &id, "--confirm", "CLI app v2"],
            &env,
            "",
        )
        .await,
    );
    let listed = ok_json(&registrar(&["apps", "list", "--json"], &env, "").await);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["id"] != id.as_str()));
}

#[tokio::test]
async fn exit_codes_tell_bad_input_refused_credentials_and_server_failures_apart() {
    let running = sandbox().await;
    let admin = running.sandbox.issue_admin_secret().unwrap();
    let env = environment(&running, admin.expose());

    let (code, said) = failure(
        &registrar(
            &[
                "apps",
                "create",
                "--name",
                "Bad",
                "--type",
                "non-confidential",
                "--app-scope",
                "OR.Jobs",
            ],
            &env,
            "",
        )
        .await,
    );
    assert_eq!(code, 2, "{said}");
    assert!(said.starts_with("registrar: "), "{said}");

    let (code, _) = failure(&registrar(&["apps", "get", "no-such-app"], &env, "").await);
    assert_eq!(code, 2);

    let (code, _) = failure(&registrar(&["apps", "frobnicate"], &env, "").await);
    assert_eq!(code, 2);

    let wrong = environment(&running, "not-the-secret");
    let (code, said) = failure(&registrar(&["apps", "list"], &wrong, "").await);
    assert_eq!(code, 3, "{said}");
    assert!(!said.contains("not-the-secret"));

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let mut unreachable = env.clone();
    unreachable[0].1 = format!("http://127.0.0.1:{port}/acme/identity_");
    unreachable.push((
        "REGISTRAR_ORG_ID",
        running.sandbox.partition_global_id().to_string(),
    ));
    let (code, said) = failure(&registrar(&["apps", "list"], &unreachable, "").await);
    assert_eq!(code, 4, "{said}");
    assert!(said.contains("Could not connect"), "{said}");

    let config = tempfile::tempdir().unwrap();
    let none = [("REGISTRAR_CONFIG_DIR", config.path().display().to_string())];
    let (code, said) = failure(&registrar(&["apps", "list"], &none, "").await);
    assert_eq!(code, 2);
    assert!(said.contains("registrar connections add"), "{said}");
}

#[tokio::test]
async fn a_saved_connection_keeps_its_secret_in_the_keychain_and_reports_what_works() {
    let running = sandbox().await;
    let admin = running.sandbox.issue_admin_secret().unwrap();
    let home = Home::new();
    let env = home.env();
    let config = &home.config;
    let host = format!("http://{}", running.sandbox.addr());

    let (org, admin_id) = (
        running.sandbox.organization(),
        running.sandbox.admin_client_id(),
    );
    let secret = format!("{}\n", admin.expose());
    let added = ok_json(
        &add_suite(
            &env,
            "Local suite",
            &host,
            org,
            admin_id,
            &["--json"],
            &secret,
        )
        .await,
    );
    assert_eq!(added["identity_url"], running.sandbox.identity_url());
    assert_eq!(
        added["organization_id"],
        running.sandbox.partition_global_id().to_string()
    );
    let on_disk = std::fs::read_to_string(config.path().join("connections.json")).unwrap();
    assert!(
        !on_disk.contains(admin.expose()),
        "the secret was written to a file"
    );

    let listed = stdout(&registrar(&["connections", "list"], &env, "").await);
    assert!(
        listed.contains("Local suite") && listed.contains("Automation Suite"),
        "{listed}"
    );
    // A name in use (blanks and case aside) is refused before any secret is read.
    let (code, said) =
        failure(&add_suite(&env, " local SUITE ", &host, org, admin_id, &[], "").await);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("already named \"local SUITE\""), "{said}");
    let listed = ok_json(&registrar(&["connections", "list", "--json"], &env, "").await);
    assert_eq!(
        listed[0]["chosen"], true,
        "with nothing chosen in the window, the first is used: {listed}"
    );

    let report = ok_json(&registrar(&["connections", "test", "--json"], &env, "").await);
    for step in ["discovery", "token", "listing"] {
        assert_eq!(report[step]["outcome"], "passed", "{report}");
    }
    assert_eq!(report["admin_scopes"], serde_json::json!(["PM.OAuthApp"]));

    let apps = ok_json(
        &registrar(
            &["apps", "list", "--connection", "Local suite", "--json"],
            &env,
            "",
        )
        .await,
    );
    assert!(apps.is_array());

    stdout(&registrar(&["connections", "remove", "Local suite"], &env, "").await);
    let (code, said) =
        failure(&registrar(&["apps", "list", "--connection", "Local suite"], &env, "").await);
    assert_eq!(code, 2, "{said}");
    assert!(home.keychain_is_empty(), "the keychain entry stayed");
}

/// Every change, from adding the connection to removing it, is in the audit trail with who,
/// where and what, never a secret; an entry changed afterwards is found.
#[tokio::test]
async fn every_change_is_in_the_audit_trail_and_tampering_is_found() {
    let running = sandbox().await;
    let home = Home::new();
    let env = home.env();
    let admin = save_running(&env, "Audited", &running).await;
    let created = ok_json(&create(&env, "Audited app", "OR.Jobs.Read").await);
    let id = created["id"].as_str().unwrap().to_owned();
    let generate = ["secrets", "generate", &id, "--description", "CI", "--json"];
    let generated = ok_json(&registrar(&generate, &env, "").await);
    let dir = tempfile::tempdir().unwrap();
    stdout(&export_markdown(&env, &id, dir.path(), false).await);
    let first = created["secrets"][0]["id"].as_i64().unwrap().to_string();
    stdout(&registrar(&["secrets", "delete", &id, &first], &env, "").await);
    let delete = ["apps", "delete", &id, "--confirm", "Audited app"];
    stdout(&registrar(&delete, &env, "").await);
    stdout(&registrar(&["connections", "remove", "Audited"], &env, "").await);

    let entries = ok_json(&registrar(&["audit", "list", "--json"], &env, "").await);
    assert_eq!(
        actions(&entries),
        [
            "connectionAdded",
            "appCreated",
            "secretGenerated",
            "sheetExported",
            "secretDeleted",
            "appDeleted",
            "connectionRemoved"
        ]
    );
    for entry in entries.as_array().unwrap() {
        assert_eq!(entry["connection"]["name"], "Audited", "{entry}");
        assert!(entry["user"].as_str().is_some_and(|u| !u.is_empty()));
        assert!(
            entry["admin"]
                .as_str()
                .unwrap()
                .contains(running.sandbox.admin_client_id()),
            "{entry}"
        );
    }
    assert_eq!(entries[1]["app"]["id"], id.as_str());
    assert_eq!(entries[1]["after"]["applicationScopes"][0], "OR.Jobs.Read");
    assert_eq!(entries[2]["after"]["description"], "CI");
    assert_eq!(entries[5]["before"]["name"], "Audited app");

    let trail = std::fs::read_to_string(home.config.path().join("audit.jsonl")).unwrap();
    for value in [
        admin.expose(),
        created["secret"].as_str().unwrap(),
        generated["value"].as_str().unwrap(),
    ] {
        assert!(!trail.contains(value), "a secret is in the audit trail");
    }
    let said = stdout(&registrar(&["audit", "verify"], &env, "").await);
    assert!(said.contains("intact: 7 entries"), "{said}");
    let filtered = [
        "audit",
        "list",
        "--app",
        &id,
        "--action",
        "secretGenerated",
        "--json",
    ];
    let filtered = ok_json(&registrar(&filtered, &env, "").await);
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let csv = dir.path().join("audit.csv");
    let export = [
        "audit",
        "export",
        "--format",
        "csv",
        "--out",
        csv.to_str().unwrap(),
    ];
    stdout(&registrar(&export, &env, "").await);
    let csv = std::fs::read_to_string(csv).unwrap();
    assert_eq!(csv.lines().count(), 8);
    assert!(csv.starts_with("seq,at,user,"), "{csv}");

    // Someone edits an entry: the trail says where.
    let path = home.config.path().join("audit.jsonl");
    let edited = trail.replacen("\"CI\"", "\"Nightly\"", 1);
    std::fs::write(&path, edited).unwrap();
    let (code, said) = failure(&registrar(&["audit", "verify"], &env, "").await);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("line 3: it was changed"), "{said}");
}

/// `secrets expiring` for cron: exit 10 with what expires within the span, 0 with nothing, and 4
/// when a saved connection cannot be read, after printing what the others gave.
#[tokio::test]
async fn expiring_secrets_are_found_across_connections_with_exit_codes_for_cron() {
    let home = Home::new();
    let env = home.env();
    let mut servers = Vec::new();
    for name in ["Production", "Staging"] {
        let running = sandbox().await;
        save_running(&env, name, &running).await;
        servers.push(running);
    }
    let created = ok_json(
        &registrar(
            &[
                "apps",
                "create",
                "--name",
                "Billing sync",
                "--type",
                "confidential",
                "--app-scope",
                "OR.Jobs.Read",
                "--connection",
                "Production",
                "--json",
            ],
            &env,
            "",
        )
        .await,
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::days(5)).date();
    let generate = [
        "secrets",
        "generate",
        &id,
        "--description",
        "Nightly",
        "--expires",
        &soon.to_string(),
        "--connection",
        "Production",
    ];
    stdout(&registrar(&generate, &env, "").await);

    let expiring = [
        "secrets",
        "expiring",
        "--within",
        "30d",
        "--all-connections",
        "--json",
    ];
    let output = registrar(&expiring, &env, "").await;
    assert_eq!(
        output.status.code(),
        Some(10),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = found["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{found}");
    assert_eq!(rows[0]["connection"], "Production");
    assert_eq!(rows[0]["appId"], id.as_str());
    assert_eq!(rows[0]["description"], "Nightly");
    assert_eq!(rows[0]["urgency"], "within7Days");

    let table = registrar(
        &["secrets", "expiring", "--within", "30d", "-c", "Production"],
        &env,
        "",
    )
    .await;
    assert_eq!(table.status.code(), Some(10));
    assert!(String::from_utf8_lossy(&table.stdout).contains("within 7 days"));
    let later = registrar(
        &["secrets", "expiring", "--within", "2d", "--all-connections"],
        &env,
        "",
    )
    .await;
    assert_eq!(
        later.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&later.stderr)
    );
    assert!(String::from_utf8_lossy(&later.stdout).contains("Nothing expires within 2d"));
    let (code, said) =
        failure(&registrar(&["secrets", "expiring", "--within", "soon"], &env, "").await);
    assert_eq!(code, 2);
    assert!(said.contains("30d, 2w or 12h"), "{said}");

    // Staging goes away: Production's findings are still printed, and the exit says a server
    // could not be read.
    servers.pop().unwrap().sandbox.shutdown().await;
    let output = registrar(&expiring, &env, "").await;
    assert_eq!(output.status.code(), Some(4));
    let found: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(found["rows"].as_array().unwrap().len(), 1);
    assert_eq!(found["unreachable"][0]["connection"], "Staging");
    assert!(String::from_utf8_lossy(&output.stderr).contains("\"Staging\""));
}

/// What `registrar lint --json` says of the app `id`.
/// Whether the sandbox issues a token to the app `id` with `secret`.
pub(crate) async fn works(running: &Running, id: &str, secret: &str) -> bool {
    oauth::client_credentials(
        &registrar_core::http::client().unwrap(),
        &format!("{}/connect/token", running.sandbox.identity_url())
            .parse()
            .unwrap(),
        &ClientCredentials {
            client_id: id.to_owned(),
            client_secret: Secret::new(secret.to_owned()),
        },
        &[],
    )
    .await
    .is_ok()
}

#[tokio::test]
async fn a_rotation_keeps_the_old_secret_working_until_it_is_finished_and_outlives_the_process() {
    let running = sandbox().await;
    let home = Home::new();
    let env = home.env();
    save_running(&env, "Rotating", &running).await;
    let created = ok_json(&create(&env, "Nightly export", "OR.Jobs.Read").await);
    let id = created["id"].as_str().unwrap().to_owned();
    let old = created["secret"].as_str().unwrap().to_owned();
    let sheets = tempfile::tempdir().unwrap();

    let start = |description: &'static str| {
        let (id, dir) = (id.clone(), sheets.path().display().to_string());
        let env = env.clone();
        async move {
            let args = [
                "secrets",
                "rotate",
                "start",
                &id,
                "--description",
                description,
                "--sheet",
                &dir,
                "--format",
                "markdown",
                "--json",
            ];
            registrar(&args, &env, "").await
        }
    };
    let started = ok_json(&start("Q3 rotation").await);
    let new = started["secret"]["value"].as_str().unwrap().to_owned();
    assert_eq!(started["verified"], true, "{started}");
    let sheet = std::path::PathBuf::from(started["sheet"].as_str().unwrap());
    assert!(std::fs::read_to_string(&sheet).unwrap().contains(&new));
    assert!(works(&running, &id, &old).await && works(&running, &id, &new).await);

    // Another process sees it, and a second one cannot start.
    let (code, said) = failure(&start("again").await);
    assert_eq!(code, 2);
    assert!(said.contains("in progress since"), "{said}");
    let listed = ok_json(&registrar(&["secrets", "rotations", "--json"], &env, "").await);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["connection"], "Rotating");
    assert_eq!(listed[0]["app"]["id"], id.as_str());
    assert_eq!(listed[0]["oldSecretIds"].as_array().unwrap().len(), 1);
    assert!(listed[0]["verifiedAt"].is_string() && listed[0]["sheetExportedAt"].is_string());
    let table = stdout(&registrar(&["secrets", "rotations"], &env, "").await);
    assert!(
        table.contains("Nightly export") && table.contains("NEW SECRET"),
        "{table}"
    );

    let finished =
        ok_json(&registrar(&["secrets", "rotate", "finish", &id, "--json"], &env, "").await);
    assert_eq!(finished["app"]["secrets"].as_array().unwrap().len(), 1);
    assert!(
        !works(&running, &id, &old).await,
        "the old secret is retired"
    );
    assert!(works(&running, &id, &new).await);
    let listed = stdout(&registrar(&["secrets", "rotations"], &env, "").await);
    assert!(listed.contains("No rotation is in progress"), "{listed}");
    let (code, said) = failure(&registrar(&["secrets", "rotate", "finish", &id], &env, "").await);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("start one first"), "{said}");

    // Cancelled: the new secret goes, the one before stays.
    let cancelled = ok_json(&start("Abandoned").await);
    let abandoned = cancelled["secret"]["value"].as_str().unwrap().to_owned();
    stdout(&registrar(&["secrets", "rotate", "cancel", &id], &env, "").await);
    assert!(!works(&running, &id, &abandoned).await);
    assert!(works(&running, &id, &new).await);

    let trail = ok_json(&registrar(&["audit", "list", "--app", &id, "--json"], &env, "").await);
    assert_eq!(
        actions(&trail),
        [
            "appCreated",
            "secretGenerated",
            "rotationStarted",
            "rotationVerified",
            "sheetExportedWithSecret",
            "secretDeleted",
            "rotationFinished",
            "secretGenerated",
            "rotationStarted",
            "rotationVerified",
            "sheetExportedWithSecret",
            "secretDeleted",
            "rotationCancelled",
        ]
    );
    let written = std::fs::read_to_string(home.config.path().join("audit.jsonl")).unwrap();
    for value in [&old, &new, &abandoned] {
        assert!(
            !written.contains(value.as_str()),
            "a secret went into the trail"
        );
    }
}

async fn linted(env: &[(&str, String)], id: &str) -> Value {
    let apps = ok_json(&registrar(&["lint", "--json"], env, "").await);
    let app = apps.as_array().unwrap().iter().find(|a| a["appId"] == id);
    app.unwrap().clone()
}

/// `registrar lint` names what an app holds beyond its needs and why; a finding dismissed with a
/// reason is set apart, and the dismissal is in the audit trail.
#[tokio::test]
async fn lint_finds_too_much_and_a_dismissal_needs_a_reason_and_is_audited() {
    let running = sandbox().await;
    let home = Home::new();
    let env = home.env();
    save_running(&env, "Linted", &running).await;
    let create = [
        "apps",
        "create",
        "--name",
        "Too much",
        "--type",
        "confidential",
        "--app-scope",
        "OR.Jobs",
        "--app-scope",
        "OR.Jobs.Read",
        "--json",
    ];
    let id = ok_json(&registrar(&create, &env, "").await)["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let app = linted(&env, &id).await;
    let codes: Vec<&str> = app["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // Its first secret never expires.
    assert_eq!(codes, ["broadAndNarrowScope", "secretLivesTooLong"]);
    assert!(app["findings"][0]["fix"]
        .as_str()
        .unwrap()
        .contains("Remove OR.Jobs"));
    let table = stdout(&registrar(&["lint"], &env, "").await);
    assert!(table.contains("broadAndNarrowScope"), "{table}");

    let (code, said) = failure(
        &registrar(
            &[
                "lint",
                "dismiss",
                &id,
                "secretLivesTooLong",
                "--reason",
                " ",
            ],
            &env,
            "",
        )
        .await,
    );
    assert_eq!(code, 2);
    assert!(said.contains("Say why"), "{said}");
    let (code, said) = failure(
        &registrar(
            &["lint", "dismiss", &id, "tooMuch", "--reason", "x"],
            &env,
            "",
        )
        .await,
    );
    assert_eq!(code, 2);
    assert!(said.contains("plainHttpRedirect"), "{said}");
    let dismiss = [
        "lint",
        "dismiss",
        &id,
        "secretLivesTooLong",
        "--reason",
        "Rotated by the vault",
    ];
    stdout(&registrar(&dismiss, &env, "").await);

    let app = linted(&env, &id).await;
    assert_eq!(app["findings"].as_array().unwrap().len(), 1);
    assert_eq!(app["dismissed"][0]["reason"], "Rotated by the vault");
    let audited = ["audit", "list", "--action", "findingDismissed", "--json"];
    let audited = ok_json(&registrar(&audited, &env, "").await);
    assert_eq!(audited[0]["after"]["reason"], "Rotated by the vault");
    assert_eq!(audited[0]["app"]["id"], id.as_str());
}

#[tokio::test]
async fn an_admin_signs_in_through_the_browser_and_the_rotating_refresh_token_is_kept() {
    let running = sandbox().await;
    let admin = crate::core_client::admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let password = running.sandbox.issue_user_password().unwrap();
    let port = registrar_tests::free_port();
    let port_given = port.to_string();
    let sign_in_app = crate::core_client::sign_in_app(&admin, "Registrar sign-in", port).await;
    let home = Home::new();
    let browser = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/sign-in.sh");
    let mut env = home.env();
    env.push(("BROWSER", browser.display().to_string()));
    env.push(("SANDBOX_PASSWORD", password.expose().to_owned()));
    let config = &home.config;
    let host = format!("http://{}", running.sandbox.addr());

    let added = ok_json(
        &add_suite(
            &env,
            "Signed in",
            &host,
            running.sandbox.organization(),
            &sign_in_app.id,
            &["--sign-in", "--sign-in-port", &port_given, "--json"],
            "",
        )
        .await,
    );
    assert_eq!(
        added["organization_id"],
        running.sandbox.partition_global_id().to_string()
    );

    // Each command renews the token with the kept refresh token, which works once: the second
    // and third succeed only if the rotated one was kept.
    for _ in 0..3 {
        let apps = ok_json(&registrar(&["apps", "list", "--json"], &env, "").await);
        assert!(apps
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == sign_in_app.id.as_str()));
    }
    let report = ok_json(&registrar(&["connections", "test", "--json"], &env, "").await);
    assert_eq!(report["listing"]["outcome"], "passed", "{report}");
    let on_disk = std::fs::read_to_string(config.path().join("connections.json")).unwrap();
    assert!(on_disk.contains("\"signedIn\": true"), "{on_disk}");
    assert!(
        on_disk.contains(&format!("\"signInPort\": {port}")),
        "{on_disk}"
    );

    stdout(&registrar(&["connections", "remove", "Signed in"], &env, "").await);
    assert!(home.keychain_is_empty(), "the refresh token stayed");
}

/// `connections add` of oidc-provider as "Login", with `extra` arguments and `stdin`.
pub(crate) async fn add_login(
    server: &crate::generic::OidcProvider,
    env: &[(&str, String)],
    extra: &[&str],
    stdin: &str,
) -> Output {
    let issuer = server.issuer.to_string();
    let mut args = vec![
        "connections",
        "add",
        "--name",
        "Login",
        "--kind",
        "oauth-server",
        "--issuer",
        &issuer,
    ];
    args.extend_from_slice(extra);
    registrar(&args, env, stdin).await
}

#[tokio::test]
async fn an_oauth_server_is_worked_from_the_command_line_through_dynamic_registration() {
    let server = crate::generic::OidcProvider::start();
    let home = Home::new();
    let env = home.env();
    let issuer = server.issuer.to_string();

    // UiPath's flags have no place here, and saying so saves nothing.
    let (code, said) =
        failure(&add_login(&server, &env, &["--client-id", "admin"], "token\n").await);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("leave out --client-id"), "{said}");

    // The initial access token comes from the environment, or from standard input.
    let added = ok_json(
        &add_login(
            &server,
            &env,
            &["--json"],
            &format!("{}\n", server.initial_access_token.expose()),
        )
        .await,
    );
    assert_eq!(added["identity_url"], issuer);
    assert_eq!(added["organization_id"], Value::Null);

    let report = ok_json(&registrar(&["connections", "test", "--json"], &env, "").await);
    for step in ["discovery", "listing"] {
        assert_eq!(report[step]["outcome"], "passed", "{report}");
    }
    assert_eq!(report["token"]["outcome"], "unchecked", "{report}");

    // Scopes are checked against the server's scopes_supported before anything is sent.
    let (code, said) = failure(
        &registrar(
            &[
                "apps",
                "create",
                "--name",
                "Bad",
                "--type",
                "confidential",
                "--app-scope",
                "OR.Jobs",
            ],
            &env,
            "",
        )
        .await,
    );
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("OR.Jobs"), "{said}");

    let created = ok_json(
        &registrar(
            &[
                "apps",
                "create",
                "--name",
                "Orders sync",
                "--type",
                "confidential",
                "--app-scope",
                "orders.read",
                "--json",
            ],
            &env,
            "",
        )
        .await,
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let first = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(
        oidc_token(&server, &id, &first, "orders.read")
            .await
            .unwrap(),
        ["orders.read"]
    );

    // RFC 7591 has no listing: Registrar lists what it registered, read back from the server.
    let apps = ok_json(&registrar(&["apps", "list", "--json"], &env, "").await);
    assert_eq!(apps.as_array().unwrap().len(), 1, "{apps}");
    assert_eq!(apps[0]["id"], id.as_str());
    assert_eq!(
        apps[0]["scopes"],
        serde_json::json!([{"name": "orders.read", "type": "application"}])
    );

    let updated = ok_json(
        &registrar(
            &[
                "apps",
                "update",
                &id,
                "--app-scope",
                "orders.write",
                "--json",
            ],
            &env,
            "",
        )
        .await,
    );
    assert_eq!(
        updated["scopes"],
        serde_json::json!([{"name": "orders.write", "type": "application"}])
    );

    // The server keeps one secret: a new one replaces it, with no description or expiry.
    let (code, said) = failure(
        &registrar(
            &["secrets", "generate", &id, "--description", "CI"],
            &env,
            "",
        )
        .await,
    );
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("Leave out the description and the expiry"),
        "{said}"
    );
    let rotated = ok_json(&registrar(&["secrets", "generate", &id, "--json"], &env, "").await);
    let second = rotated["value"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert!(oidc_token(&server, &id, &first, "orders.write")
        .await
        .is_err());
    assert_eq!(
        oidc_token(&server, &id, &second, "orders.write")
            .await
            .unwrap(),
        ["orders.write"]
    );
    let (code, said) = failure(&registrar(&["secrets", "delete", &id, "1"], &env, "").await);
    assert_eq!(code, 3, "{said}");
    assert!(said.contains("one secret per app"), "{said}");
    let start = ["secrets", "rotate", "start", &id, "--description", "Q3"];
    let (code, said) = failure(&registrar(&start, &env, "").await);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("no rotation to wait through"), "{said}");

    // No file holds a secret or a token, the registration access token included.
    let kept = home.keychain_values();
    assert_eq!(
        kept.len(),
        2,
        "the initial and the registration access token"
    );
    for entry in std::fs::read_dir(home.config.path()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for value in [first.as_str(), second.as_str()]
            .into_iter()
            .chain(kept.iter().map(String::as_str))
        {
            assert!(!text.contains(value), "a secret went into a file");
        }
    }

    stdout(
        &registrar(
            &["apps", "delete", &id, "--confirm", "Orders sync"],
            &env,
            "",
        )
        .await,
    );
    assert!(oidc_token(&server, &id, &second, "orders.write")
        .await
        .is_err());
    let apps = ok_json(&registrar(&["apps", "list", "--json"], &env, "").await);
    assert_eq!(apps, serde_json::json!([]));

    stdout(&registrar(&["connections", "remove", "Login"], &env, "").await);
    assert!(home.keychain_is_empty(), "a keychain entry stayed");
}

#[tokio::test]
async fn registrations_from_processes_at_once_are_all_kept() {
    let server = crate::generic::OidcProvider::start();
    let home = Home::new();
    let env = home.env();
    stdout(
        &add_login(
            &server,
            &env,
            &[],
            &format!("{}\n", server.initial_access_token.expose()),
        )
        .await,
    );

    // Each process reads the list of registered clients, registers, and writes the list back:
    // without a lock between them, the last to write drops the others' clients.
    let (one, two, three, four) = tokio::join!(
        create(&env, "One", "orders.read"),
        create(&env, "Two", "orders.read"),
        create(&env, "Three", "orders.read"),
        create(&env, "Four", "orders.read")
    );
    for output in [one, two, three, four] {
        stdout(&output);
    }
    let listed = ok_json(&registrar(&["apps", "list", "--json"], &env, "").await);
    let mut listed: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|app| app["name"].as_str().unwrap())
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, ["Four", "One", "Three", "Two"]);
    stdout(&registrar(&["connections", "remove", "Login"], &env, "").await);
}

/// LemonLDAP::NG from the command line: open registration, a client it cannot manage, and a
/// token that replaces open registration without losing the clients registered.
#[tokio::test]
async fn an_open_registration_server_without_management_is_worked_from_the_command_line() {
    let server = crate::lemonldap::Lemonldap::start();
    let home = Home::new();
    let env = home.env();
    let issuer = server.issuer.to_string();
    let add = [
        "connections",
        "add",
        "--name",
        "Lemon",
        "--kind",
        "oauth-server",
        "--issuer",
        &issuer,
        "--open-registration",
        "--json",
    ];
    ok_json(&registrar(&add, &env, "").await);
    let report = ok_json(&registrar(&["connections", "test", "--json"], &env, "").await);
    assert_eq!(report["discovery"]["outcome"], "passed", "{report}");
    assert_eq!(report["token"]["outcome"], "unchecked", "{report}");
    assert!(
        report["token"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Open registration")),
        "{report}"
    );

    let created = ok_json(
        &registrar(
            &[
                "apps",
                "create",
                "--name",
                "Portal",
                "--type",
                "confidential",
                "--user-scope",
                "openid",
                "--user-scope",
                "profile",
                "--redirect",
                "https://portal.example.com/signin-oidc",
                "--json",
            ],
            &env,
            "",
        )
        .await,
    );
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(created["secret"].is_string(), "{created}");
    let listed = ok_json(&registrar(&["apps", "list", "--json"], &env, "").await);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == id.as_str()));

    let (code, said) =
        failure(&registrar(&["apps", "update", &id, "--name", "Renamed"], &env, "").await);
    assert_eq!(code, 3, "{said}");
    assert!(said.contains("RFC 7592"), "{said}");

    // A token in place of open registration keeps the clients registered through it.
    let set = ["connections", "set-token", "Lemon"];
    stdout(&registrar(&set, &env, "a-token\n").await);
    let listed = ok_json(&registrar(&["apps", "list", "--json"], &env, "").await);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == id.as_str()));
    let report = ok_json(&registrar(&["connections", "test", "--json"], &env, "").await);
    assert!(
        report["token"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("kept in the keychain")),
        "{report}"
    );
}

/// The command line refuses what would cut its own connection off, and says how to do it anyway.
#[tokio::test]
async fn the_own_admin_app_keeps_its_scope_and_its_last_secret_unless_forced() {
    let running = sandbox().await;
    let secret = running.sandbox.issue_admin_secret().unwrap();
    let env = environment(&running, secret.expose());
    let admin = running.sandbox.admin_client_id().to_owned();

    let update = ["apps", "update", &admin, "--app-scope", "OR.Jobs.Read"];
    let (code, said) = failure(&registrar(&update, &env, "").await);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("--force"), "{said}");
    let app = ok_json(&registrar(&["apps", "get", &admin, "--json"], &env, "").await);
    assert!(app.to_string().contains("PM.OAuthApp"), "{app}");

    let secrets = app["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 1, "{app}");
    let only = secrets[0]["id"].to_string();
    let delete = ["secrets", "delete", &admin, &only];
    let (code, said) = failure(&registrar(&delete, &env, "").await);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("last working secret"), "{said}");

    let deleted = ["apps", "delete", &admin, "--confirm", "Registrar admin"];
    let (code, said) = failure(&registrar(&deleted, &env, "").await);
    assert_eq!(code, 2, "{said}");
    assert!(
        ok_json(&registrar(&["apps", "list", "--json"], &env, "").await)
            .to_string()
            .contains(&admin),
        "nothing was deleted"
    );

    // --force does it: the next command is refused, as the warning said.
    stdout(&registrar(&[&update[..], &["--force"]].concat(), &env, "").await);
    let (code, _) = failure(&registrar(&["apps", "list"], &env, "").await);
    assert_eq!(code, 3);
}

/// An app made elsewhere (by an older server or another tool) whose name holds a terminal colour
/// escape, a line break and a text-direction override: the command line and the sheet write
/// them out instead of obeying them, the sheet's file name holds none, and JSON keeps the name
/// exact.
#[tokio::test]
async fn hidden_characters_in_a_name_are_written_out_not_obeyed() {
    let running = sandbox().await;
    let admin = running.sandbox.issue_admin_secret().unwrap();
    let env = environment(&running, admin.expose());
    let id = create_confidential(&env, "Plain").await;
    let name = "Evil\u{1b}[31m\r\n# name\u{202e}txt.exe";
    running
        .database()
        .execute("UPDATE clients SET name = ?1 WHERE id = ?2", (name, &id))
        .unwrap();
    let written = "Evil<U+001B>[31m<U+000D><U+000A># name<U+202E>txt.exe";

    for args in [vec!["apps", "list"], vec!["apps", "get", &id]] {
        let out = stdout(&registrar(&args, &env, "").await);
        assert!(out.contains(written), "{out}");
        assert!(!out.contains(['\u{1b}', '\r', '\u{202e}']), "{out:?}");
    }
    let listed = ok_json(&registrar(&["apps", "list", "--json"], &env, "").await);
    assert!(listed.as_array().unwrap().iter().any(|a| a["name"] == name));

    let dir = tempfile::tempdir().unwrap();
    stdout(&export_markdown(&env, &id, dir.path(), false).await);
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let file_name = file.file_name().into_string().unwrap();
    assert!(
        !file_name.contains(|c: char| c.is_control() || c == '\u{202e}'),
        "{file_name:?}"
    );
    let sheet = std::fs::read_to_string(file.path()).unwrap();
    // The heading stays one line, with the characters written out (and Markdown-escaped).
    let heading = sheet.lines().next().unwrap();
    assert!(
        heading.starts_with("# Evil") && heading.ends_with("txt.exe"),
        "{sheet}"
    );
    assert!(
        heading.contains("U+001B") && heading.contains("U+202E"),
        "{heading}"
    );
    assert!(!sheet.contains(['\u{1b}', '\r', '\u{202e}']), "{sheet:?}");
}

/// An exported sheet reaches the disk under its name: the file is synced before the rename, and
/// its folder after it (else a crash can leave the old file, or none, under the name). Watched
/// with strace, from the command line's own system calls.
#[tokio::test]
async fn a_written_file_and_then_its_folder_are_synced_after_the_rename() {
    let running = sandbox().await;
    let admin = running.sandbox.issue_admin_secret().unwrap();
    let env = environment(&running, admin.expose());
    let id = create_confidential(&env, "Synced").await;
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace");
    let out = dir.path().join("sheets");
    std::fs::create_dir(&out).unwrap();
    let out_dir = out.to_str().unwrap().to_owned();
    let mut args: Vec<String> = [
        "-f",
        "-e",
        "trace=fsync,rename,renameat,renameat2",
        "-y",
        "-o",
    ]
    .map(str::to_owned)
    .into();
    args.push(trace.to_str().unwrap().to_owned());
    args.push(cli_binary().to_str().unwrap().to_owned());
    args.extend(
        [
            "handoff", "export", &id, "--format", "json", "--out", &out_dir,
        ]
        .map(str::to_owned),
    );
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    // The sandbox answers on this runtime: the command waits off it.
    let output = tokio::task::spawn_blocking(move || {
        Command::new("strace")
            .args(&args)
            .env_remove("REGISTRAR_CONFIG_DIR")
            .envs(env)
            .output()
            .expect("strace is installed by scripts/test")
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out_dir = out_dir.as_str();

    let trace = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<&str> = trace.lines().collect();
    let renamed = lines
        .iter()
        .position(|l| l.contains("rename") && l.contains(".registrar-") && l.contains(out_dir))
        .unwrap_or_else(|| panic!("no rename into {out_dir}:\n{trace}"));
    // `-y` names each descriptor's file: `fsync(7</tmp/…/sheets>)`, even on a call strace shows
    // in two parts because another thread ran in between.
    let folder_synced = format!("<{out_dir}>)");
    assert!(
        lines[renamed..]
            .iter()
            .any(|l| l.contains("fsync(") && l.contains(&folder_synced)),
        "the folder is not synced after the rename:\n{trace}"
    );
}
