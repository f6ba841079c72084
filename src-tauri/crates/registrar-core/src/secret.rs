//! [`Secret`] lives in `registrar-shared`, which the sandbox uses too; it is named here as well so
//! the core's code and its users keep writing `registrar_core::Secret`.

pub use registrar_shared::Secret;
