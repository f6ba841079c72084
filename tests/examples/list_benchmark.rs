//! How the apps list copes with 5,000 apps, in the real window: the time from the list's data
//! arriving in the web UI to the list being painted, and from a keystroke in the search box to the
//! filtered list being painted. The UI marks those moments with `performance.mark` (see
//! `ui/src/lib/perf.ts`); this harness reads the marks. Run it as `benches/README.md` says.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use registrar_sandbox::{Sandbox, SandboxConfig};
use registrar_tests::{seed_apps, wait_for, Desktop};

const APPS: usize = 5_000;
const LOADS: usize = 5;
const QUERY: &str = "billing sync 01";

/// Fills the sandbox database the app will open with `APPS` apps.
async fn seed(desktop: &Desktop) {
    let db_path = desktop
        .dir
        .path()
        .join("data/dev.registrar.desktop/sandbox.sqlite3");
    let sandbox = Sandbox::start(SandboxConfig::new(db_path)).await.unwrap();
    seed_apps(&sandbox, APPS).await;
    sandbox.shutdown().await;
}

/// Milliseconds between the latest marks named `from` and `to`, once `to` has been set `count` times.
async fn between_marks(client: &Client, from: &str, to: &str, count: usize) -> f64 {
    let script = "const [from, to, count] = arguments; \
        const a = performance.getEntriesByName(from, 'mark'); const b = performance.getEntriesByName(to, 'mark'); \
        return b.length >= count ? b[b.length - 1].startTime - a[a.length - 1].startTime : null;";
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let value = client
            .execute(script, vec![from.into(), to.into(), count.into()])
            .await
            .unwrap();
        if let Some(ms) = value.as_f64() {
            return ms;
        }
        assert!(Instant::now() < deadline, "the mark {to} never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn summary(label: &str, samples: Vec<f64>, goal: f64) {
    let each: Vec<String> = samples.iter().map(|ms| format!("{ms:.0}")).collect();
    println!("{label}, each run in order (ms): {}", each.join(" "));
    let mut samples = samples;
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    let max = samples[samples.len() - 1];
    println!(
        "{label}: median {median:.1} ms, max {max:.1} ms over {} runs (goal {goal:.0} ms)",
        samples.len()
    );
}

#[tokio::main]
async fn main() {
    let desktop = Desktop::start();
    seed(&desktop).await;
    let client = desktop.launch().await;

    let mut loads = Vec::new();
    for load in 0..LOADS {
        if load > 0 {
            client.refresh().await.unwrap();
        }
        loads.push(between_marks(&client, "apps:data", "apps:painted", 1).await);
    }
    let rows = client
        .execute(
            "return document.querySelector('[role=table]').getAttribute('aria-rowcount');",
            vec![],
        )
        .await
        .unwrap();
    println!("list of {APPS} apps (+ the admin app), aria-rowcount {rows}");
    summary("data arrival → painted list", loads, 300.0);

    let search = wait_for(&client, "[data-testid=app-search]").await;
    let mut keystrokes = Vec::new();
    for (typed, key) in QUERY.chars().enumerate() {
        search.send_keys(&key.to_string()).await.unwrap();
        keystrokes.push(
            between_marks(
                &client,
                "apps:filter-input",
                "apps:filter-painted",
                typed + 1,
            )
            .await,
        );
    }
    let shown = client
        .find_all(Locator::Css("[data-testid=app-row]"))
        .await
        .unwrap()
        .len();
    println!("typed {QUERY:?}: {shown} rows rendered (the list is windowed)");
    summary("keystroke → repainted filter", keystrokes, 16.0);
    client.close().await.unwrap();
}
