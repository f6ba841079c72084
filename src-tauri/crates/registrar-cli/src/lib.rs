//! `registrar` on a command line: the same core as the window, for scripts and CI. The app's
//! binary runs this when it is given a command (`registrar apps list`), the window otherwise.
//!
//! Exit codes: 0 done; 1 a local failure (keychain, files, an audit trail found tampered with); 2
//! bad input (including a name or ID that does not exist); 3 authentication or permission
//! refused; 4 the server or network failed; 10 `secrets expiring` found something, or `plan
//! --detailed-exitcode` has changes.

mod args;
mod commands;
mod manifest;
mod output;
mod target;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use registrar_core::Error;

pub use args::Cli;

/// Runs the command line and says how it ended.
pub fn main(args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(usage) => {
            let _ = usage.print();
            return ExitCode::from(if usage.use_stderr() { 2 } else { 0 });
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("registrar: could not start: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(commands::Outcome::Done) => ExitCode::SUCCESS,
        Ok(commands::Outcome::Found) => ExitCode::from(10),
        Err(error) => {
            eprintln!(
                "registrar: {}",
                registrar_core::text::shown(&error.to_string())
            );
            ExitCode::from(exit_code(&error))
        }
    }
}

fn exit_code(error: &Error) -> u8 {
    match error {
        Error::InvalidInput { .. } | Error::NotFound(_) | Error::Lockout(_) => 2,
        Error::Unauthorized(_) | Error::Forbidden(_) => 3,
        Error::Network(_) | Error::Server(_) | Error::RateLimited { .. } | Error::Conflict(_) => 4,
        Error::Keychain(_) | Error::Storage(_) => 1,
    }
}
