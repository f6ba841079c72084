//! How fast the sandbox's token endpoint answers under load, against two references measured in
//! the same run: oidc-provider (a real OAuth server, `tests/oidc-provider`) with the same request,
//! and the sandbox's own discovery endpoint, this machine's ceiling for an HTTP answer from this
//! server. Each gets one confidential client, `client_credentials` with one scope, 64
//! connections from `wrk` on the same machine. Run it as `benches/README.md` says.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use registrar_core::draft::AppDraft;
use registrar_core::model::{AppType, Scope, ScopeType};
use registrar_sandbox::{Sandbox, SandboxConfig};
use registrar_tests::{sandbox_admin, OidcProvider};

const CONNECTIONS: &str = "64";
const SECONDS: &str = "8s";
const ROUNDS: usize = 3;

/// What one `wrk` run measured.
#[derive(Debug, Clone, Copy)]
struct Load {
    per_second: f64,
    p99_ms: f64,
}

/// Runs `wrk` against `url`, posting `form` when given, and reads its figures. Answers other than
/// 2xx make the run worthless, so they stop the harness.
fn wrk(url: &str, form: Option<&str>, dir: &Path) -> Load {
    let mut args = vec![
        "-t2".to_owned(),
        format!("-c{CONNECTIONS}"),
        format!("-d{SECONDS}"),
        "--latency".to_owned(),
    ];
    if let Some(form) = form {
        let script = dir.join("post.lua");
        std::fs::write(
            &script,
            format!(
                "wrk.method = \"POST\"\nwrk.body = \"{form}\"\n\
                 wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n"
            ),
        )
        .unwrap();
        args.extend(["-s".to_owned(), script.display().to_string()]);
    }
    args.push(url.to_owned());
    let out = Command::new("wrk")
        .args(&args)
        .output()
        .expect("wrk is installed by scripts/bench");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "wrk failed: {said}");
    assert!(
        !said.contains("Non-2xx"),
        "{url} refused requests under load:\n{said}"
    );
    let number_after = |label: &str| -> &str {
        said.lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .unwrap_or_else(|| panic!("no {label} in wrk's output:\n{said}"))
            .trim()
    };
    let per_second = number_after("Requests/sec:").parse().unwrap();
    let p99 = number_after("99%");
    let p99_ms = match p99 {
        us if us.ends_with("us") => us.trim_end_matches("us").parse::<f64>().unwrap() / 1000.0,
        ms if ms.ends_with("ms") => ms.trim_end_matches("ms").parse().unwrap(),
        s => s.trim_end_matches('s').parse::<f64>().unwrap() * 1000.0,
    };
    Load { per_second, p99_ms }
}

fn form(client_id: &str, secret: &str, scope: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("scope", scope)
        .append_pair("client_id", client_id)
        .append_pair("client_secret", secret)
        .finish()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One line for `scripts/bench`'s table: measure, reference, ours, ratio, goal.
fn row(measure: &str, reference: String, ours: String, ratio: f64, goal: &str) {
    println!("BENCH|{measure}|{reference}|{ours}|{ratio:.2}×|{goal}");
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path().join("sandbox.sqlite3")))
        .await
        .unwrap();
    let admin = sandbox_admin(&sandbox);
    let draft = AppDraft {
        name: "Load".into(),
        app_type: AppType::Confidential,
        redirect_uris: Vec::new(),
        scopes: vec![Scope::new("OR.Jobs.Read", ScopeType::Application)],
    }
    .validate(None)
    .unwrap();
    let created = admin.create_app(&draft).await.unwrap();
    let sandbox_form = form(
        &created.app.id,
        created.secret.unwrap().expose(),
        "OR.Jobs.Read",
    );
    let sandbox_token = format!("{}/connect/token", sandbox.identity_url());
    let discovery = format!(
        "{}/.well-known/openid-configuration",
        sandbox.identity_url()
    );

    let oidc = OidcProvider::start();
    let http = reqwest::Client::new();
    let registered: serde_json::Value = http
        .post(oidc.issuer.join("reg").unwrap())
        .bearer_auth(oidc.initial_access_token.expose())
        .json(&serde_json::json!({
            "grant_types": ["client_credentials"],
            "response_types": [],
            "redirect_uris": [],
            "token_endpoint_auth_method": "client_secret_post",
            "scope": "orders.read",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let oidc_form = form(
        registered["client_id"].as_str().unwrap(),
        registered["client_secret"].as_str().unwrap(),
        "orders.read",
    );
    let oidc_token = oidc.issuer.join("token").unwrap().to_string();

    // Alternating, so that a slower moment of the machine falls on all three alike.
    let (mut ours, mut theirs, mut ceiling) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let run = |url: String, form: Option<String>| {
            let dir = dir.path().to_owned();
            tokio::task::spawn_blocking(move || wrk(&url, form.as_deref(), &dir))
        };
        ours.push(
            run(sandbox_token.clone(), Some(sandbox_form.clone()))
                .await
                .unwrap(),
        );
        theirs.push(
            run(oidc_token.clone(), Some(oidc_form.clone()))
                .await
                .unwrap(),
        );
        ceiling.push(run(discovery.clone(), None).await.unwrap());
        eprintln!(
            "round {round}: sandbox {:.0}/s p99 {:.1} ms; oidc-provider {:.0}/s p99 {:.1} ms; discovery {:.0}/s",
            ours[round - 1].per_second,
            ours[round - 1].p99_ms,
            theirs[round - 1].per_second,
            theirs[round - 1].p99_ms,
            ceiling[round - 1].per_second
        );
    }
    let rate = |loads: &[Load]| median(loads.iter().map(|l| l.per_second).collect());
    let p99 = |loads: &[Load]| median(loads.iter().map(|l| l.p99_ms).collect());
    let (ours_rate, ceiling_rate, theirs_rate) = (rate(&ours), rate(&ceiling), rate(&theirs));
    row(
        "sandbox tokens/s (64 conn.) vs its discovery answers/s",
        format!("{ceiling_rate:.0}/s"),
        format!("{ours_rate:.0}/s"),
        ours_rate / ceiling_rate,
        "≥ 0.60×",
    );
    row(
        "sandbox tokens/s (64 conn.) vs oidc-provider tokens/s",
        format!("{theirs_rate:.0}/s"),
        format!("{ours_rate:.0}/s"),
        ours_rate / theirs_rate,
        "(≈ 10× follows)",
    );
    row(
        "sandbox token p99 (64 conn.) vs oidc-provider p99",
        format!("{:.1} ms", p99(&theirs)),
        format!("{:.1} ms", p99(&ours)),
        p99(&ours) / p99(&theirs),
        "≤ 5 ms",
    );
    sandbox.shutdown().await;
}
