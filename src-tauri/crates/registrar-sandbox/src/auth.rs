//! Bearer-token checks for the External Client API, done while extracting the request so a caller
//! without rights hears 401 or 403 before anything about its body.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use time::OffsetDateTime;

use crate::catalog::Grant;
use crate::problem::Problem;
use crate::server::AppState;
use crate::store;
use crate::token::USER_SUBJECT;

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

/// The audience the External Client API accepts: the resource its scopes belong to.
pub(crate) const API_AUDIENCE: &str = "PlatformManagement";

/// A caller whose token this sandbox issued for this API, whose app still exists, and which holds
/// one of `R`'s scopes both in the token and, still, in the app.
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
            .ok_or_else(Problem::token_required)?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = state
            .key
            .verify(token, &state.issuer, now)
            .map_err(|reason| {
                tracing::debug!(%reason, "refused a bearer token");
                Problem::invalid_token("The access token is invalid or expired.")
            })?;
        if !claims.aud.iter().any(|aud| aud == API_AUDIENCE) {
            return Err(Problem::invalid_token(format!(
                "The access token is for another API: its audience must include {API_AUDIENCE}, \
                 as that of a token for PM.OAuthApp scopes does."
            )));
        }
        let needed = || R::ANY_OF.join(" or ");
        let granted: Vec<&str> = claims
            .scope
            .split(' ')
            .filter(|scope| R::ANY_OF.contains(scope))
            .collect();
        if granted.is_empty() {
            return Err(Problem::forbidden(format!(
                "The access token lacks a scope for this operation: it needs {}.",
                needed()
            )));
        }
        // A token outlives changes to its app: it opens the API only as far as the app still
        // holds what the token was granted.
        let grant = if claims.sub_type == USER_SUBJECT {
            Grant::User
        } else {
            Grant::Application
        };
        let id = claims.client_id.clone();
        let held = state
            .db
            .run(move |conn| store::held_scopes(conn, &id, grant))
            .await?
            .ok_or_else(|| {
                Problem::invalid_token(
                    "The application this access token was issued to no longer exists.",
                )
            })?;
        if !granted
            .iter()
            .any(|scope| held.iter().any(|own| own == scope))
        {
            return Err(Problem::forbidden(format!(
                "The application this access token was issued to no longer holds the scope it \
                 granted for this operation: the application needs {} again.",
                needed()
            )));
        }
        Ok(Self {
            client_id: claims.client_id,
            requirement: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn every_scope_that_opens_the_api_gives_its_audience() {
        for scopes in [Read::ANY_OF, Write::ANY_OF, SecretWrite::ANY_OF] {
            for scope in scopes {
                assert_eq!(catalog().audience([*scope]), [API_AUDIENCE], "{scope}");
            }
        }
    }
}
