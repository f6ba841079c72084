//! Apps as code from the command line: a manifest exported from one sandbox tenant, planned
//! and applied to a second, a second apply changing nothing, a change on the server showing as
//! drift, and `--prune` deleting only once confirmed. Secrets go to owner-only sheets, never
//! into the manifest or the audit trail.

use std::os::unix::fs::PermissionsExt;

use time::format_description::well_known::Rfc3339;

use crate::cli::{add_login, failure, ok_json, registrar, save_running, stdout, works, Home};
use crate::core_client::sandbox;

#[tokio::test]
async fn a_manifest_from_one_tenant_is_applied_to_another_and_then_shows_drift() {
    let (dev, prod) = (sandbox().await, sandbox().await);
    let home = Home::new();
    let env = home.env();
    save_running(&env, "Dev", &dev).await;
    save_running(&env, "Prod", &prod).await;
    let on = |connection: &'static str, args: &[&str]| {
        let mut all = vec!["-c", connection];
        all.extend_from_slice(args);
        all.into_iter().map(str::to_owned).collect::<Vec<String>>()
    };
    let run = |args: Vec<String>, stdin: &'static str| {
        let env = env.clone();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            registrar(&args, &env, stdin).await
        }
    };

    let create = [
        "apps",
        "create",
        "--name",
        "Billing sync",
        "--type",
        "confidential",
        "--app-scope",
        "OR.Jobs.Read",
        "--app-scope",
        "OR.Queues",
        "--json",
    ];
    let billing = ok_json(&run(on("Dev", &create), "").await);
    let portal = [
        "apps",
        "create",
        "--name",
        "Partner portal",
        "--type",
        "non-confidential",
        "--user-scope",
        "OR.Jobs.Read",
        "--redirect",
        "http://127.0.0.1:8400/callback",
        "--json",
    ];
    stdout(&run(on("Dev", &portal), "").await);

    // Its newest secret lives a year: the manifest's policy for the copies.
    let id_dev = billing["id"].as_str().unwrap();
    let year = (time::OffsetDateTime::now_utc() + time::Duration::days(365)).date();
    let year = year.to_string();
    let generate = [
        "secrets",
        "generate",
        id_dev,
        "--description",
        "Yearly",
        "--expires",
        &year,
    ];
    stdout(&run(on("Dev", &generate), "").await);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apps.yaml");
    let path = file.to_str().unwrap();
    stdout(&run(on("Dev", &["manifest", "export", "--out", path]), "").await);
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.starts_with("format: registrar.manifest/1\n"),
        "{written}"
    );
    assert!(
        written.find("Billing sync") < written.find("Partner portal"),
        "{written}"
    );
    // A year, give or take the hours between this computer's day and UTC's.
    assert!(written.contains("secretLifetimeDays: 36"), "{written}");
    let first = billing["secret"].as_str().unwrap();
    assert!(!written.contains(first), "a secret went into the manifest");
    assert!(
        !written.contains(billing["id"].as_str().unwrap()),
        "an App ID went in unasked"
    );

    // The plan on the second tenant: both created; exit 10 with --detailed-exitcode.
    let plan = ["plan", "-f", path, "--detailed-exitcode"];
    let planned = run(on("Prod", &plan), "").await;
    assert_eq!(planned.status.code(), Some(10));
    let said = String::from_utf8_lossy(&planned.stdout);
    assert!(
        said.contains("+ create \"Billing sync\"") && said.contains("2 to create"),
        "{said}"
    );

    let sheets = dir.path().join("sheets");
    let sheets_arg = sheets.to_str().unwrap();
    let applied = ok_json(
        &run(
            on(
                "Prod",
                &["apply", "-f", path, "--sheets", sheets_arg, "--json"],
            ),
            "",
        )
        .await,
    );
    let created = applied.as_array().unwrap();
    assert_eq!(created.len(), 2, "{applied}");
    let billing_prod = created
        .iter()
        .find(|a| a["name"] == "Billing sync")
        .unwrap();
    let sheet = std::path::PathBuf::from(billing_prod["sheet"].as_str().unwrap());
    let mode = std::fs::metadata(&sheet).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a sheet with a secret is owner-only");
    let secret = std::fs::read_to_string(&sheet).unwrap();
    let id = billing_prod["id"].as_str().unwrap();
    let mut value = None;
    for word in candidates(&secret) {
        if works(&prod, id, &word).await {
            value = Some(word);
            break;
        }
    }
    assert!(value.is_some(), "the sheet holds a secret that works");
    let got = ok_json(&run(on("Prod", &["apps", "get", id, "--json"]), "").await);
    let secrets = got["secrets"].as_array().unwrap();
    assert_eq!(
        secrets.len(),
        1,
        "only the secret the policy asks for: {got}"
    );
    let expires = secrets[0]["expires"].as_str().unwrap();
    let expires = time::OffsetDateTime::parse(expires, &Rfc3339).unwrap();
    let left = expires - time::OffsetDateTime::now_utc();
    assert!((363..=366).contains(&left.whole_days()), "{got}");

    // A second apply and plan change nothing.
    let again = stdout(&run(on("Prod", &["apply", "-f", path]), "").await);
    assert!(again.contains("No changes"), "{again}");
    let same = run(on("Prod", &plan), "").await;
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );

    // A change made on the server is drift, field by field.
    let update = [
        "apps",
        "update",
        id,
        "--app-scope",
        "OR.Jobs.Read",
        "--json",
    ];
    stdout(&run(on("Prod", &update), "").await);
    let drift = run(on("Prod", &plan), "").await;
    assert_eq!(drift.status.code(), Some(10));
    let said = String::from_utf8_lossy(&drift.stdout);
    assert!(said.contains("~ update \"Billing sync\""), "{said}");
    assert!(said.contains("+ scope OR.Queues (application)"), "{said}");

    // --prune deletes what the manifest does not name, only once confirmed.
    let extra = [
        "apps",
        "create",
        "--name",
        "Stray",
        "--type",
        "confidential",
        "--app-scope",
        "OR.Jobs.Read",
        "--json",
    ];
    let stray = ok_json(&run(on("Prod", &extra), "").await);
    let (code, said) = failure(&run(on("Prod", &["apply", "-f", path, "--prune"]), "no\n").await);
    assert_eq!(code, 2);
    assert!(said.contains("Nothing was changed"), "{said}");
    let listed = stdout(&run(on("Prod", &["apps", "list"]), "").await);
    assert!(listed.contains("Stray"), "{listed}");
    let pruned = stdout(&run(on("Prod", &["apply", "-f", path, "--prune"]), "yes\n").await);
    assert!(pruned.contains("deleted \"Stray\""), "{pruned}");
    assert!(pruned.contains("updated \"Billing sync\""), "{pruned}");
    let listed = stdout(&run(on("Prod", &["apps", "list"]), "").await);
    assert!(!listed.contains(stray["id"].as_str().unwrap()), "{listed}");

    let trail = std::fs::read_to_string(home.config.path().join("audit.jsonl")).unwrap();
    assert!(
        !trail.contains(value.unwrap().as_str()),
        "a secret went into the trail"
    );
}

/// The words of a sheet that could be a secret, longest first.
fn candidates(sheet: &str) -> Vec<String> {
    let mut words: Vec<String> = sheet
        .split(|c: char| !(c.is_ascii_alphanumeric() || "-_.~".contains(c)))
        .filter(|w| w.len() >= 20)
        .map(str::to_owned)
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words
}

#[tokio::test]
async fn a_manifest_applies_to_an_rfc_7591_server_as_far_as_its_features_go() {
    let server = crate::generic::OidcProvider::start();
    let home = Home::new();
    let env = home.env();
    let token = format!("{}\n", server.initial_access_token.expose());
    stdout(&add_login(&server, &env, &[], &token).await);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apps.yaml");
    let path = file.to_str().unwrap();

    // A scope the server does not offer stops the whole manifest before anything is sent.
    let unknown = "format: registrar.manifest/1\napps:\n\
        - name: Orders sync\n  type: confidential\n  applicationScopes: [orders.read]\n\
        - name: Robots\n  type: confidential\n  applicationScopes: [OR.Robots]\n";
    std::fs::write(&file, unknown).unwrap();
    let (code, said) = failure(&registrar(&["apply", "-f", path], &env, "").await);
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("\u{201c}Robots\u{201d}") && said.contains("OR.Robots"),
        "{said}"
    );
    let listed = stdout(&registrar(&["apps", "list"], &env, "").await);
    assert!(!listed.contains("Orders sync"), "{listed}");

    let wanted = "format: registrar.manifest/1\napps:\n\
        - name: Orders sync\n  type: confidential\n  applicationScopes: [orders.read]\n  secretLifetimeDays: 90\n";
    std::fs::write(&file, wanted).unwrap();
    let planned = registrar(&["plan", "-f", path, "--detailed-exitcode"], &env, "").await;
    assert_eq!(planned.status.code(), Some(10));
    let sheets = dir.path().join("sheets");
    let apply = [
        "apply",
        "-f",
        path,
        "--sheets",
        sheets.to_str().unwrap(),
        "--json",
    ];
    let applied = ok_json(&registrar(&apply, &env, "").await);
    let id = applied[0]["id"].as_str().unwrap().to_owned();
    let sheet = std::fs::read_to_string(applied[0]["sheet"].as_str().unwrap()).unwrap();
    let mut works = false;
    for word in candidates(&sheet) {
        if crate::generic::oidc_token(&server, &id, &word, "orders.read")
            .await
            .is_ok()
        {
            works = true;
            break;
        }
    }
    assert!(works, "the sheet holds the new app's working secret");

    let again = stdout(&registrar(&["apply", "-f", path], &env, "").await);
    assert!(again.contains("No changes"), "{again}");

    // The server's own manifest, exported, plans no change there.
    let exported = dir.path().join("exported.json");
    let export = [
        "manifest",
        "export",
        "--format",
        "json",
        "--out",
        exported.to_str().unwrap(),
    ];
    stdout(&registrar(&export, &env, "").await);
    let round = std::fs::read_to_string(&exported).unwrap();
    assert!(
        round.contains("\"applicationScopes\": [\n        \"orders.read\""),
        "{round}"
    );
    let plan = [
        "plan",
        "-f",
        exported.to_str().unwrap(),
        "--detailed-exitcode",
    ];
    let same = registrar(&plan, &env, "").await;
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
}
