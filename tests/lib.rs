//! This crate holds only tests: see `suite/`.
