//! What `registrar-core` and `registrar-sandbox` both need, kept apart so the sandbox does not
//! depend on the whole core (its HTTP client, keychain and handoff renderers): the [`Secret`]
//! type, the PKCE S256 transform, HTML escaping and which characters a name may not hold. Nothing
//! here does I/O.

pub mod html;
pub mod pkce;
mod secret;
pub mod text;

pub use secret::Secret;
