//! The command line as its own program (`registrar`) against the window's binary
//! (`registrar-desktop`), which hands command words over to the same code: start to exit and peak
//! memory of `--version`, and of `apps list` on a sandbox in this harness with credentials from
//! the environment. Release builds; run it as `benches/README.md` says.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use registrar_sandbox::{Sandbox, SandboxConfig};
use registrar_tests::{seed_apps, target_dir};

const RUNS: usize = 40;
const PEAK_RUNS: usize = 7;

fn release_binary(name: &str) -> PathBuf {
    let path = target_dir().join("release").join(name);
    assert!(
        path.exists(),
        "{} is missing: cargo build --release -p registrar-cli -p registrar-desktop",
        path.display()
    );
    path
}

fn median<T: PartialOrd + Copy>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

/// Runs `command` once and prints its peak resident memory in KiB. It runs in a process of its
/// own (this harness started again with `--peak`), so that the children's usage is its alone.
fn print_peak(command: &[String]) {
    let status = Command::new(&command[0])
        .args(&command[1..])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{command:?}: {status}");
    println!("{}", children_peak_kib());
}

#[cfg(unix)]
fn children_peak_kib() -> i64 {
    use nix::sys::resource::{getrusage, UsageWho};
    getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss()
}

/// Measured on Linux; elsewhere the harness builds (with the other examples) and says nothing.
#[cfg(not(unix))]
fn children_peak_kib() -> i64 {
    0
}

fn peak_mib(binary: &Path, args: &[&str], env: &[(String, String)]) -> f64 {
    let runs = (0..PEAK_RUNS).map(|_| {
        let out = Command::new(std::env::current_exe().unwrap())
            .arg("--peak")
            .arg(binary)
            .args(args)
            .envs(env.iter().cloned())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse::<f64>()
            .unwrap()
            / 1024.0
    });
    median(runs.collect())
}

fn start_to_exit_ms(binary: &Path, args: &[&str], env: &[(String, String)]) -> f64 {
    let runs = (0..RUNS).map(|_| {
        let start = Instant::now();
        let status = Command::new(binary)
            .args(args)
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .status()
            .unwrap();
        let took = start.elapsed();
        assert!(status.success(), "{binary:?} {args:?}: {status}");
        took
    });
    median(runs.collect::<Vec<Duration>>()).as_secs_f64() * 1000.0
}

fn row(measure: &str, window: f64, cli: f64, unit: &str, goal: &str) {
    println!(
        "BENCH|{measure}: the window's binary vs the command line's|{window:.1} {unit}|{cli:.1} {unit}|{:.2}×|{goal}",
        cli / window
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--peak") {
        print_peak(&args[2..]);
        return;
    }
    let (cli, window) = (
        release_binary("registrar"),
        release_binary("registrar-desktop"),
    );
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path().join("sandbox.sqlite3")))
        .await
        .unwrap();
    seed_apps(&sandbox, 20).await;
    let env = vec![
        ("REGISTRAR_IDENTITY_URL".to_owned(), sandbox.identity_url()),
        (
            "REGISTRAR_CLIENT_ID".to_owned(),
            sandbox.admin_client_id().to_owned(),
        ),
        (
            "REGISTRAR_CLIENT_SECRET".to_owned(),
            sandbox.issue_admin_secret().unwrap().expose().to_owned(),
        ),
        (
            "REGISTRAR_CONFIG_DIR".to_owned(),
            dir.path().join("config").display().to_string(),
        ),
    ];
    // The sandbox answers on this runtime's workers while the commands run.
    let rows = tokio::task::spawn_blocking(move || {
        let version = ["--version"];
        let list = ["apps", "list", "--json"];
        let time = |binary: &Path, args: &[&str]| start_to_exit_ms(binary, args, &env);
        let peak = |binary: &Path, args: &[&str]| peak_mib(binary, args, &env);
        [
            (
                "`--version`, start to exit",
                time(&window, &version),
                time(&cli, &version),
                "ms",
                "≤ 20 ms",
            ),
            (
                "`--version`, peak memory",
                peak(&window, &version),
                peak(&cli, &version),
                "MiB",
                "≤ 15 MiB",
            ),
            (
                "`apps list` (21 apps), start to exit",
                time(&window, &list),
                time(&cli, &list),
                "ms",
                "—",
            ),
            (
                "`apps list` (21 apps), peak memory",
                peak(&window, &list),
                peak(&cli, &list),
                "MiB",
                "—",
            ),
        ]
    })
    .await
    .unwrap();
    for (measure, window, cli, unit, goal) in rows {
        row(measure, window, cli, unit, goal);
    }
    sandbox.shutdown().await;
}
