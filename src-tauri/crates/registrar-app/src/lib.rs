//! Registrar's application layer, between the two front ends (the Tauri shell's commands and
//! the command line) and the core's clients. What an admin does with a connection is decided
//! here once: saving, choosing and removing connections with their credentials
//! ([`connections`]), working on one ([`session`]), the window's set of open connections with
//! the embedded sandbox ([`workspace`]), and the shared readings of what the admin typed
//! ([`rules`]). No Tauri, no webview: every rule tests without a window.

pub mod connections;
pub mod folders;
pub mod rules;
pub mod session;
pub mod workspace;
