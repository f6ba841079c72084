//! API errors in ASP.NET Core's ProblemDetails form, as UiPath's Identity Server answers them.

use std::collections::BTreeMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug)]
pub(crate) struct Problem {
    status: StatusCode,
    detail: Option<String>,
    errors: Option<BTreeMap<String, Vec<String>>>,
    challenge: Option<HeaderValue>,
}

#[derive(Serialize)]
struct Body<'a> {
    r#type: &'static str,
    title: &'static str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a BTreeMap<String, Vec<String>>>,
}

impl Problem {
    fn new(status: StatusCode, detail: Option<String>) -> Self {
        Self {
            status,
            detail,
            errors: None,
            challenge: None,
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, Some(detail.into()))
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, Some(detail.into()))
    }

    /// 401 with the RFC 6750 challenge: no token was sent.
    pub fn token_required() -> Self {
        Self {
            challenge: Some(HeaderValue::from_static("Bearer")),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                Some("A Bearer access token is required.".into()),
            )
        }
    }

    /// 401 with the RFC 6750 challenge: a token was sent and refused, for the reason `detail`
    /// gives.
    pub fn invalid_token(detail: impl Into<String>) -> Self {
        Self {
            challenge: Some(HeaderValue::from_static(
                r#"Bearer error="invalid_token", error_description="The access token is invalid or expired""#,
            )),
            ..Self::new(StatusCode::UNAUTHORIZED, Some(detail.into()))
        }
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, Some(detail.into()))
    }

    pub fn with_status(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::new(status, Some(detail.into()))
    }

    /// A 400 naming one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors.into_problem()
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, None)
    }
}

fn type_and_title(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            "One or more validation errors occurred.",
        ),
        StatusCode::UNAUTHORIZED => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            "Unauthorized",
        ),
        StatusCode::FORBIDDEN => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.4",
            "Forbidden",
        ),
        StatusCode::NOT_FOUND => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.5",
            "Not Found",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.9",
            "Request Timeout",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.14",
            "Content Too Large",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "https://tools.ietf.org/html/rfc9110#section-15.5.16",
            "Unsupported Media Type",
        ),
        _ => (
            "https://tools.ietf.org/html/rfc9110#section-15.6.1",
            "An error occurred while processing your request.",
        ),
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let (r#type, title) = type_and_title(self.status);
        let body = Body {
            r#type,
            title,
            status: self.status.as_u16(),
            detail: self.detail.as_deref(),
            errors: self.errors.as_ref(),
        };
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(challenge) = self.challenge {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

/// Database and randomness failures are the server's fault: logged here, answered with a bare 500.
impl From<rusqlite::Error> for Problem {
    fn from(error: rusqlite::Error) -> Self {
        tracing::error!(%error, "sandbox database error");
        Self::internal()
    }
}

impl From<getrandom::Error> for Problem {
    fn from(error: getrandom::Error) -> Self {
        tracing::error!(%error, "random number generator failed");
        Self::internal()
    }
}

/// Validation messages by field, as ASP.NET's model validation reports them. The keys are the
/// JSON members' names, camelCase as live servers write them (`redirectUri`); the messages keep
/// ASP.NET's wording (`The Name field is required.`).
#[derive(Debug, Default)]
pub(crate) struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let mut key = field.to_owned();
        if let Some(first) = key.get_mut(..1) {
            first.make_ascii_lowercase();
        }
        self.0.entry(key).or_default().push(message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_problem(self) -> Problem {
        Problem {
            errors: Some(self.0),
            ..Problem::new(StatusCode::BAD_REQUEST, None)
        }
    }
}
