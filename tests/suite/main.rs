//! Cross-crate and end-to-end tests. The keychain and window tests need what `scripts/test`
//! provides: a D-Bus session with an unlocked Secret Service, an X display, tauri-driver, and the
//! app built (`cargo build -p registrar-desktop`).

// Helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod alerts;
mod cli;
mod cli_binary;
mod connections;
mod copy;
mod core_client;
mod e2e;
mod faults;
mod generic;
// These check Unix file modes of what Registrar writes.
#[cfg(unix)]
mod handoff;
mod keychain;
mod lemonldap;
#[cfg(unix)]
mod manifest;
mod quirks;
mod rotation;
mod sheet;
mod signin;
mod workflow;
