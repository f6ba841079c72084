// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    if registrar_cli::wants_cli(&args) {
        return registrar_cli::main(args);
    }
    registrar_lib::run();
    ExitCode::SUCCESS
}
