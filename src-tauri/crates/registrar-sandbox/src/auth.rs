//! Bearer-token checks for the External Client API, done while extracting the request so a caller
//! without rights hears 401 or 403 before anything about its body.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use time::OffsetDateTime;

use crate::problem::Problem;
use crate::server::AppState;

/// Which scopes open an operation: any one of them is enough.
pub(crate) trait Requirement {
    const ANY_OF: &'static [&'static str];
}

pub(crate) struct Read;
pub(crate) struct Write;
pub(crate) struct SecretWrite;

impl Requirement for Read {
    const ANY_OF: &'static [&'static str] = &["PM.OAuthApp", "PM.OAuthApp.Read"];
}

impl Requirement for Write {
    const ANY_OF: &'static [&'static str] = &["PM.OAuthApp", "PM.OAuthApp.Write"];
}

impl Requirement for SecretWrite {
    const ANY_OF: &'static [&'static str] = &["PM.OAuthApp", "PM.OAuthAppSecret.Write"];
}

/// A caller whose token this sandbox issued and which holds one of `R`'s scopes.
pub(crate) struct Authorized<R> {
    pub client_id: String,
    requirement: PhantomData<R>,
}

impl<R: Requirement> FromRequestParts<AppState> for Authorized<R> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or_else(|| Problem::unauthorized(false))?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = state
            .key
            .verify(token, &state.issuer, now)
            .map_err(|reason| {
                tracing::debug!(%reason, "refused a bearer token");
                Problem::unauthorized(true)
            })?;
        if !claims
            .scope
            .split(' ')
            .any(|scope| R::ANY_OF.contains(&scope))
        {
            return Err(Problem::forbidden(format!(
                "The access token lacks a scope for this operation: it needs {}.",
                R::ANY_OF.join(" or ")
            )));
        }
        Ok(Self {
            client_id: claims.client_id,
            requirement: PhantomData,
        })
    }
}
