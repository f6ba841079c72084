//! Registrar's start-up time and idle memory against a bare Tauri 2 app (`benches/bare-app`), built
//! from the same lockfile with the same Tauri, WebKitGTK and release profile. Each app is started
//! directly (no WebDriver) with a fresh home, XDG folders and keychain namespace, so Registrar
//! starts its embedded sandbox for the first time, as a new user's first start does. Both log
//! "interactive N ms after start" once their page is painted (Registrar: its first apps list);
//! ten seconds after the start the memory of the app and all its descendants (WebKit's web and
//! network processes) is read from `/proc`. The apps take turns, after one run each to warm the
//! page cache. Run it under `scripts/lib/headless.sh` as `benches/README.md` says.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use registrar_tests::{clear_keychain, target_dir};

const ROUNDS: usize = 5;
/// How long after the start the memory is read: the app is idle by then.
const IDLE_AFTER: Duration = Duration::from_secs(10);
const START_LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
enum App {
    Bare,
    Registrar,
}

impl App {
    fn binary(self) -> PathBuf {
        let name = match self {
            App::Bare => "bare-app",
            App::Registrar => "registrar-desktop",
        };
        let path = target_dir().join("release").join(name);
        assert!(
            path.exists(),
            "{} is missing: cargo build --release -p registrar-desktop -p bare-app",
            path.display()
        );
        path
    }
}

/// One process of an app's tree and its memory, in kB.
#[derive(Debug)]
struct Process {
    name: String,
    rss: u64,
    pss: u64,
}

#[derive(Debug)]
struct Run {
    /// From the spawn to the app's "interactive" line, as this harness saw it.
    interactive: Duration,
    /// The same moment as the app measured it, from its own start (after the dynamic loader).
    said_ms: u64,
    tree: Vec<Process>,
    /// Web processes of others running when the memory was read.
    others: usize,
}

impl Run {
    /// The whole tree's, in kB.
    fn rss(&self) -> f64 {
        self.tree.iter().map(|p| p.rss as f64).sum()
    }

    /// The whole tree's, in kB.
    fn pss(&self) -> f64 {
        self.tree.iter().map(|p| p.pss as f64).sum()
    }
}

/// Every process's pid.
fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect()
}

/// The pids of `root` and all its descendants, `root` first.
fn process_tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for pid in all_pids() {
        // The parent is the second field after the command name, which may hold spaces.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(ppid) = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok())
        else {
            continue;
        };
        children.entry(ppid).or_default().push(pid);
    }
    let mut tree = vec![root];
    let mut next = 0;
    while next < tree.len() {
        tree.extend(children.get(&tree[next]).into_iter().flatten());
        next += 1;
    }
    tree
}

/// The file name of the program `pid` runs (`comm` cuts WebKit's names short), if it still runs.
fn program(pid: u32) -> Option<String> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let path = cmdline.split(|b| *b == 0).next()?;
    Some(String::from_utf8_lossy(path).rsplit('/').next()?.to_owned())
}

/// How many web processes outside `tree` run: other webviews on this machine (the end-to-end
/// tests, say) share library pages with the apps measured, which lowers their PSS, and take CPU.
fn other_web_processes(tree: &[u32]) -> usize {
    all_pids()
        .into_iter()
        .filter(|pid| !tree.contains(pid))
        .filter(|pid| program(*pid).is_some_and(|name| name == "WebKitWebProcess"))
        .count()
}

/// The process's name and memory, or `None` if it has ended meanwhile.
fn process(pid: u32) -> Option<Process> {
    let name = program(pid)?;
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let kb = |field: &str| -> Option<u64> {
        rollup
            .lines()
            .find_map(|line| line.strip_prefix(field))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some(Process {
        name,
        rss: kb("Rss:")?,
        pss: kb("Pss:")?,
    })
}

/// The number in the app's "interactive N ms after start" line, if `line` is that line.
fn interactive_ms(line: &str) -> Option<u64> {
    let (_, rest) = line.split_once("interactive ")?;
    let (ms, _) = rest.split_once(" ms after start")?;
    ms.parse().ok()
}

fn start(app: App) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let folder = |name: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir(&path).unwrap();
        path
    };
    // A release build would otherwise use the admin's own keychain entries.
    let namespace = format!("registrar-bench-{}", uuid::Uuid::new_v4());
    let began = Instant::now();
    let mut child = Command::new(app.binary())
        .env("HOME", folder("home"))
        .env("XDG_DATA_HOME", folder("data"))
        .env("XDG_CONFIG_HOME", folder("config"))
        .env("XDG_CACHE_HOME", folder("cache"))
        .env_remove("REGISTRAR_CONFIG_DIR")
        .env("REGISTRAR_KEYCHAIN_NAMESPACE", &namespace)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A thread reads the app's log as it comes, and keeps draining it so the app never blocks.
    let (lines, said) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send((Instant::now(), line));
        }
    });
    let mut log = Vec::new();
    let (interactive, said_ms) = loop {
        match said.recv_timeout(START_LIMIT.saturating_sub(began.elapsed())) {
            Ok((at, line)) => {
                if let Some(ms) = interactive_ms(&line) {
                    break (at - began, ms);
                }
                log.push(line);
            }
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "{app:?} did not report being interactive within {START_LIMIT:?}; it said:\n{}",
                    log.join("\n")
                );
            }
        }
    };
    std::thread::sleep(IDLE_AFTER.saturating_sub(began.elapsed()));
    let pids = process_tree(child.id());
    let tree = pids.iter().filter_map(|pid| process(*pid)).collect();
    let others = other_web_processes(&pids);
    child.kill().unwrap();
    child.wait().unwrap();
    // WebKit's processes end when their app does; the next run starts once they have.
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids
        .iter()
        .any(|pid| PathBuf::from(format!("/proc/{pid}")).exists())
    {
        assert!(Instant::now() < deadline, "{app:?}'s processes outlived it");
        std::thread::sleep(Duration::from_millis(50));
    }
    clear_keychain(&namespace);
    Run {
        interactive,
        said_ms,
        tree,
        others,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn mb(kb: f64) -> String {
    format!("{:.0} MB", kb / 1024.0)
}

/// One line for `scripts/bench`'s table (measure, reference, ours, ratio, goal): the median of
/// `figure` over the bare app's runs and over Registrar's.
fn row(
    measure: &str,
    (bare, ours): (&[Run], &[Run]),
    figure: fn(&Run) -> f64,
    shown: fn(f64) -> String,
    goal: &str,
) {
    let of = |runs: &[Run]| median(runs.iter().map(figure).collect());
    let (reference, value) = (of(bare), of(ours));
    println!(
        "BENCH|{measure}|{}|{}|{:.2}×|{goal}",
        shown(reference),
        shown(value),
        value / reference
    );
}

/// The median RSS and PSS of each kind of process over `runs`, the app's own process named
/// "app" so both apps' rows line up.
fn by_process(runs: &[Run]) -> BTreeMap<String, (f64, f64)> {
    let mut seen: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for run in runs {
        let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for (i, p) in run.tree.iter().enumerate() {
            let name = if i == 0 { "app" } else { p.name.as_str() };
            let sum = sums.entry(name.to_owned()).or_default();
            sum.0 += p.rss as f64;
            sum.1 += p.pss as f64;
        }
        for (name, sum) in sums {
            seen.entry(name).or_default().push(sum);
        }
    }
    seen.into_iter()
        .map(|(name, sums)| {
            let rss = median(sums.iter().map(|s| s.0).collect());
            let pss = median(sums.iter().map(|s| s.1).collect());
            (name, (rss, pss))
        })
        .collect()
}

fn main() {
    for app in [App::Bare, App::Registrar] {
        start(app);
    }
    let (mut bare, mut ours) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        for app in [App::Bare, App::Registrar] {
            let run = start(app);
            eprintln!(
                "round {round}, {app:?}: interactive after {} ms (the app says {} ms); \
                 tree RSS {}, PSS {} over {} processes{}",
                run.interactive.as_millis(),
                run.said_ms,
                mb(run.rss()),
                mb(run.pss()),
                run.tree.len(),
                match run.others {
                    0 => String::new(),
                    n => format!(
                        "; {n} other web processes ran (shared pages lower PSS, times suffer)"
                    ),
                }
            );
            match app {
                App::Bare => bare.push(run),
                App::Registrar => ours.push(run),
            }
        }
    }

    let (bare_by, ours_by) = (by_process(&bare), by_process(&ours));
    println!("Idle memory 10 s after start, median of {ROUNDS} runs (RSS / PSS):");
    let mut names: Vec<&String> = bare_by.keys().chain(ours_by.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let shown = |figures: Option<&(f64, f64)>| {
            figures.map_or("-".to_owned(), |(rss, pss)| {
                format!("{} / {}", mb(*rss), mb(*pss))
            })
        };
        println!(
            "  {name:<22} bare app {:<17} Registrar {}",
            shown(bare_by.get(name)),
            shown(ours_by.get(name))
        );
    }

    row(
        "start to interactive: apps list vs a bare Tauri app's page",
        (&bare, &ours),
        |run| run.interactive.as_secs_f64() * 1e3,
        |ms| format!("{ms:.0} ms"),
        "≤ 1.15×",
    );
    row(
        "idle PSS of the process tree vs a bare Tauri app's",
        (&bare, &ours),
        Run::pss,
        mb,
        "≤ 1.10×",
    );
    row(
        "idle RSS of the process tree vs a bare Tauri app's",
        (&bare, &ours),
        Run::rss,
        mb,
        "-",
    );
}
