//! The core's one error type. Every message is a sentence a user can act on; none ever holds a
//! secret, a token or a response body that might echo one.

use std::time::Duration;

use crate::model::Field;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input cannot be sent as it is; `field` names what to fix.
    #[error("{message}")]
    InvalidInput {
        field: Option<Field>,
        message: String,
    },
    /// The identity server did not accept the admin credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// The admin credentials are valid but lack a permission.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The server's state is not what the admin saw: the app changed since it was opened (and
    /// nothing was written), or a create whose answer was lost happened all the same.
    #[error("{0}")]
    Conflict(String),
    #[error("The identity server is rate limiting requests; try again{}.", retry_hint(.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    /// The server could not be reached, or the connection broke.
    #[error("{0}")]
    Network(String),
    /// The server answered with a failure, or with something that is not what the API returns.
    #[error("{0}")]
    Server(String),
    /// The change would leave the connection unable to reach its server (see
    /// [`crate::lockout`]): done only once the admin confirms.
    #[error("{0}")]
    Lockout(String),
    #[error("{0}")]
    Keychain(String),
    #[error("{0}")]
    Storage(String),
}

fn retry_hint(after: &Option<Duration>) -> String {
    match after {
        Some(after) => format!(" in {} seconds", after.as_secs().max(1)),
        None => " in a moment".to_owned(),
    }
}

impl Error {
    pub fn invalid(field: Field, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: Some(field),
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
