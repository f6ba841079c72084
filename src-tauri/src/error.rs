//! The one error that crosses into the web UI, `{code, message, field}`. Its JSON is pinned by a
//! test: the UI branches on `code` and shows `message` as it is.

use registrar_core::model::Field;
use registrar_core::Error;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    InvalidInput,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    /// The change would cut the connection off from its server: ask the admin, then send again
    /// accepting it.
    Lockout,
    RateLimited,
    Network,
    Server,
    Keychain,
    Storage,
    Clipboard,
    /// Never sent by Rust: the UI's code for a rejection that did not come from a command (Tauri's
    /// own, e.g. a missing permission). Declared here so the generated union includes it.
    #[allow(dead_code)]
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// For `invalidInput`: the draft field to fix (`name`, `appType`, `redirectUris`, `scopes`).
    pub field: Option<String>,
}

impl From<Error> for IpcError {
    fn from(error: Error) -> Self {
        let message = error.to_string();
        let (code, field) = match error {
            Error::InvalidInput { field, .. } => (ErrorCode::InvalidInput, field.map(field_name)),
            Error::Unauthorized(_) => (ErrorCode::Unauthorized, None),
            Error::Forbidden(_) => (ErrorCode::Forbidden, None),
            Error::NotFound(_) => (ErrorCode::NotFound, None),
            Error::Conflict(_) => (ErrorCode::Conflict, None),
            Error::Lockout(_) => (ErrorCode::Lockout, None),
            Error::RateLimited { .. } => (ErrorCode::RateLimited, None),
            Error::Network(_) => (ErrorCode::Network, None),
            Error::Server(_) => (ErrorCode::Server, None),
            Error::Keychain(_) => (ErrorCode::Keychain, None),
            Error::Storage(_) => (ErrorCode::Storage, None),
        };
        Self {
            code,
            message,
            field,
        }
    }
}

fn field_name(field: Field) -> String {
    match field {
        Field::Name => "name",
        Field::AppType => "appType",
        Field::RedirectUris => "redirectUris",
        Field::Scopes => "scopes",
        Field::Host => "host",
        Field::Organization => "organization",
        Field::OrganizationId => "organizationId",
        Field::ClientId => "clientId",
        Field::ClientSecret => "clientSecret",
        Field::Issuer => "issuer",
        Field::InitialAccessToken => "initialAccessToken",
        Field::SignInPort => "signInPort",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_wire_format_is_pinned() {
        let error = IpcError::from(Error::invalid(Field::RedirectUris, "Add a redirect URL."));
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"code": "invalidInput", "message": "Add a redirect URL.", "field": "redirectUris"})
        );
        let error = IpcError::from(Error::RateLimited {
            retry_after: Some(std::time::Duration::from_secs(30)),
        });
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"code": "rateLimited", "message": "The identity server is rate limiting requests; try again in 30 seconds.", "field": null})
        );
    }
}
