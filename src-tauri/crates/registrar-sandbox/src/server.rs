//! The HTTP surface: one identity router mounted at `/identity_` and at `/{organization}/identity_`.

use std::sync::Arc;

use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::routing::{delete, get, post};
use axum::Router;
use uuid::Uuid;

use crate::jwt::TokenKey;
use crate::problem::Problem;
use crate::store::Db;
use crate::{api, authorize, token};

pub(crate) type AppState = Arc<Shared>;

pub(crate) struct Shared {
    pub db: Db,
    pub key: TokenKey,
    pub partition: Uuid,
    /// `{base_url}/identity_`, the same under both mounts (as on Automation Cloud).
    pub issuer: String,
    pub scope_types: crate::ScopeTypes,
    /// A loopback redirect URL may name any port (RFC 8252 §7.3) instead of matching exactly.
    pub loopback_any_port: bool,
    /// Longer `scope` parameters are refused at the token endpoint, as some versions do.
    pub scope_length_limit: Option<usize>,
}

pub(crate) fn router(state: AppState, organization: &str) -> Router {
    let identity = Router::new()
        .route("/api/ExternalApiResource", get(api::resources))
        .route("/api/ExternalClient", post(api::create))
        .route(
            "/api/ExternalClient/GenerateSecret",
            post(api::generate_secret),
        )
        .route("/api/ExternalClient/{partition}", get(api::list))
        .route(
            "/api/ExternalClient/{partition}/{client_id}",
            get(api::get_one).put(api::update).delete(api::delete),
        )
        .route(
            "/api/ExternalClient/{partition}/{client_id}/GenerateSecret",
            get(api::generate_secret_legacy),
        )
        .route(
            "/api/ExternalClient/{partition}/secrets/{secret_id}",
            delete(api::delete_secret),
        )
        .route("/connect/token", post(token::token))
        .route(
            "/connect/authorize",
            get(authorize::show).post(authorize::sign_in),
        )
        .route("/.well-known/openid-configuration", get(token::discovery))
        .route("/.well-known/openid-configuration/jwks", get(token::jwks));
    let hint = format!(
        "No such endpoint: the identity endpoints are under /identity_ and /{organization}/identity_."
    );
    Router::new()
        .nest("/identity_", identity.clone())
        .nest(&format!("/{organization}/identity_"), identity)
        .fallback(move || {
            let hint = hint.clone();
            async move { Problem::not_found(hint) }
        })
        .with_state(state)
}

/// A request's media type without parameters, lower-cased: `application/json; charset=utf-8`
/// gives `application/json`.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|mime| mime.trim().to_ascii_lowercase())
}
