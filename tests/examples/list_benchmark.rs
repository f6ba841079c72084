//! How the apps list copes with 5,000 apps, in the real window: the time from the list's data
//! arriving in the web UI to the list being painted, and from a keystroke in the search box to the
//! filtered list being painted. The UI marks those moments with `performance.mark` (see
//! `ui/src/lib/perf.ts`); this harness reads the marks. Run it as `benches/README.md` says.

#![allow(clippy::unwrap_used)]

use fantoccini::Locator;
use registrar_sandbox::{Sandbox, SandboxConfig};
use registrar_tests::{marks_apart, search_timed, seed_apps, Desktop};

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

/// Prints the samples, and the slowest as a row of `scripts/bench`'s table against the goal.
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
    println!(
        "BENCH|{APPS}-app list in the window: {label}, slowest of {} vs the goal|{goal:.0} ms|{max:.0} ms|{:.2}×|≤ {goal:.0} ms",
        samples.len(),
        max / goal,
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
        loads.push(marks_apart(&client, "apps:data", "apps:painted", 1).await);
        if load == 0 {
            // The sandbox lists apps bare, as live tenants do, and the window reads each once
            // a session: the loads that follow, and the typing, find them all known
            // (`live_list_benchmark` measures typing while they are read).
            let read = marks_apart(&client, "apps:data", "apps:read-painted", 1).await;
            println!("each of the {APPS} apps read in {read:.0} ms after the list arrived");
        }
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

    let keystrokes = search_timed(&client, QUERY).await;
    let shown = client
        .find_all(Locator::Css("[data-testid=app-row]"))
        .await
        .unwrap()
        .len();
    println!("typed {QUERY:?}: {shown} rows rendered (the list is windowed)");
    summary("keystroke → repainted filter", keystrokes, 16.0);
    client.close().await.unwrap();
}
