//! The commands the web UI calls. Each is a thin wrapper over the session and the core.

pub mod apps;
pub mod connection;
pub mod secrets;
