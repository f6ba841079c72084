//! A client for UiPath Identity Server's External Client API (and the sandbox, which speaks it).
//! The wire types are private to this module; callers see the domain types of [`crate::model`].

mod client;
mod endpoint;
mod token;
mod wire;

pub use client::{CreatedApp, UiPathClient};
pub use endpoint::Endpoint;
pub use token::{RefreshTokenStore, ADMIN_SCOPES};
