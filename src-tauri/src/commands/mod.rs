//! The commands the web UI calls. Each is a thin wrapper over the session and the core.

pub mod apps;
pub mod clipboard;
pub mod connection;
pub mod handoff;
pub mod secrets;
pub mod settings;
