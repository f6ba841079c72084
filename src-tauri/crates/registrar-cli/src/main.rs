//! `registrar`: the command line, built without the window's libraries.

use std::process::ExitCode;

fn main() -> ExitCode {
    registrar_cli::main(std::env::args_os().collect())
}
