//! The sandbox over real HTTP: every endpoint, rule and error, tokens against the JWKS, restarts.
//! One test binary; a file per area, with the helpers that send a request and read its answer in
//! `common`.

// The helpers are test code too (clippy.toml allows unwrap only inside #[test] functions).
#![allow(clippy::unwrap_used)]

mod access;
mod apps;
mod authorize;
mod bad_input;
mod common;
mod discovery;
mod lifecycle;
mod limits;
mod secrets;
mod token;
mod web_pages;
