// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    if wants_cli(&args) {
        return hand_over(&args[1..]);
    }
    registrar_lib::run();
    ExitCode::SUCCESS
}

/// Whether the arguments ask for the command line rather than the window: any command word
/// (`registrar-desktop --json apps list`), or a request for help or the version. Options alone
/// are the window's (macOS passes `-psn_…`; WebDriver sessions pass their own flags).
fn wants_cli(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .any(|a| !a.starts_with('-') || ["-h", "--help", "-V", "--version"].contains(&a))
}

/// Runs the command line, `registrar`, which every bundle installs beside this program, with
/// these arguments, and ends as it ends: the window's binary does not carry its code.
fn hand_over(args: &[OsString]) -> ExitCode {
    let cli = match beside_this_program() {
        Some(cli) => cli,
        None => {
            eprintln!("registrar-desktop: the command line, registrar, is not installed beside this program.");
            return ExitCode::from(1);
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = Command::new(&cli).args(args).exec();
        eprintln!(
            "registrar-desktop: could not start {}: {error}",
            cli.display()
        );
        ExitCode::from(1)
    }
    #[cfg(not(unix))]
    match Command::new(&cli).args(args).status() {
        Ok(status) => ExitCode::from(
            status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1),
        ),
        Err(error) => {
            eprintln!(
                "registrar-desktop: could not start {}: {error}",
                cli.display()
            );
            ExitCode::from(1)
        }
    }
}

fn beside_this_program() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let cli = exe.with_file_name(format!("registrar{}", std::env::consts::EXE_SUFFIX));
    cli.is_file().then_some(cli)
}
