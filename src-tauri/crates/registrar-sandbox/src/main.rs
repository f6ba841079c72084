//! Runs the sandbox identity server from a terminal until Ctrl-C.

use std::process::ExitCode;

use clap::Parser;
use registrar_sandbox::cli::{run, Args};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("registrar-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}
