//! The HTTP surface: one identity router mounted at `/identity_` and at `/{organization}/identity_`,
//! and the accept loop that serves it within [`Limits`].

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, CONTENT_TYPE, HOST};
use axum::http::uri::Authority;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::clients::ClientCache;
use crate::jwt::TokenKey;
use crate::problem::Problem;
use crate::store::Db;
use crate::{api, authorize, token};

/// How long to wait before accepting again when accepting failed (out of file descriptors, say).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What keeps slow or idle clients from starving the server: any web page can open connections
/// to it, since it listens on loopback.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// For a request's line and headers, from the moment the connection is accepted or its last
    /// answer was sent: a connection that sends none in time is closed.
    pub header_read_timeout: Duration,
    /// From a request's headers to its answer, its body included.
    pub request_timeout: Duration,
    /// Connections served at once; others wait in the listen queue until one closes.
    pub max_connections: usize,
}

pub(crate) type AppState = Arc<Shared>;

pub(crate) struct Shared {
    pub db: Db,
    pub clients: ClientCache,
    pub key: TokenKey,
    pub partition: Uuid,
    /// `{base_url}/identity_`, the same under both mounts (as on Automation Cloud).
    pub issuer: String,
    pub scope_types: crate::ScopeTypes,
    pub listed_apps: crate::ListedApps,
    /// A loopback redirect URL may name any port (RFC 8252 §7.3) instead of matching exactly.
    pub loopback_any_port: bool,
    /// Longer `scope` parameters are refused at the token endpoint, as some versions do.
    pub scope_length_limit: Option<usize>,
}

/// The identity routes, answering only requests addressed to `127.0.0.1`, `[::1]` or `localhost`
/// on `port`, each within `limits.request_timeout`.
pub(crate) fn router(state: AppState, organization: &str, port: u16, limits: &Limits) -> Router {
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
            get(authorize::show)
                .post(authorize::sign_in)
                .layer(middleware::map_response(authorize::protect_page)),
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
        .layer(middleware::from_fn_with_state(
            limits.request_timeout,
            time_limit,
        ))
        .layer(middleware::from_fn_with_state(port, addressed_here))
}

/// Passes on only requests whose `Host` (and target, when it names one) is this sandbox by a
/// loopback name. A web page can have its own domain resolve to 127.0.0.1 (DNS rebinding); its
/// requests then reach the sandbox as same-origin ones, but with that domain in `Host`.
async fn addressed_here(State(port): State<u16>, request: Request, next: Next) -> Response {
    let named = |authority: &Authority| {
        let loopback = ["127.0.0.1", "[::1]", "localhost"]
            .iter()
            .any(|name| authority.host().eq_ignore_ascii_case(name));
        loopback && !authority.as_str().contains('@') && authority.port_u16().unwrap_or(80) == port
    };
    let host = request
        .headers()
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<Authority>().ok());
    let refusal = match host {
        None => (
            StatusCode::BAD_REQUEST,
            "The request has no valid Host header: HTTP/1.1 requires one.",
        ),
        Some(host) if named(&host) && request.uri().authority().is_none_or(named) => {
            return next.run(request).await
        }
        Some(_) => (
            StatusCode::MISDIRECTED_REQUEST,
            "This sandbox answers only requests addressed to it as 127.0.0.1, [::1] or localhost, \
             on its own port.",
        ),
    };
    (
        refusal.0,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        refusal.1,
    )
        .into_response()
}

/// Answers 408, and closes the connection, when a request is not read and answered in time: a
/// client trickling its body in would otherwise hold a connection for as long as it likes.
async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = Problem::with_status(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "The request was not received and answered within {} seconds: send it again, \
                     all at once.",
                    limit.as_secs_f32()
                ),
            )
            .into_response();
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// Serves `router` over HTTP/1.1 until `stop` completes, then stops accepting and waits for the
/// open connections to finish their requests. Dropping the future cuts them off.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    // Owned here, so that aborting this future aborts every connection too.
    let mut connections = JoinSet::new();
    let mut stop = pin!(stop);
    loop {
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            () = &mut stop => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "a connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
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
