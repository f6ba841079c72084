//! What `registrar-core` and `registrar-sandbox` both need, kept apart so the sandbox does not
//! depend on the whole core (its HTTP client, keychain and handoff renderers): the [`Secret`]
//! type, the PKCE S256 transform and HTML escaping. Nothing here does I/O.

pub mod html;
pub mod pkce;
mod secret;

pub use secret::Secret;
