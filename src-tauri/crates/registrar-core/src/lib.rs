//! Registrar's core: the domain, the identity-server clients and the keychain. It has no Tauri
//! dependency, so everything here is tested without a window.

pub mod admin;
pub mod alerts;
pub mod audit;
pub mod connections;
pub mod draft;
pub mod dynamic;
pub mod edit;
pub mod error;
pub mod expiry;
pub mod files;
pub mod handoff;
pub mod http;
pub mod keychain;
mod lenient;
pub mod lint;
pub mod lockout;
pub mod manifest;
pub mod model;
pub mod oauth;
pub mod probe;
pub mod provider;
pub mod registration;
pub mod requests;
pub mod rotation;
pub mod secret;
pub mod secrets;
pub mod settings;
pub mod signin;
pub mod text;
pub mod uipath;
pub mod verify;

pub use error::{Error, Result};
pub use secret::Secret;
