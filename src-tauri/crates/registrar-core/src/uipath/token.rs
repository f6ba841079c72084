//! The admin token: how the client gets it (client credentials or a signed-in admin's refresh
//! token), caches and renews it, and reports its claims.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use uuid::Uuid;

use super::UiPathClient;
use crate::error::{Error, Result};
use crate::oauth::{self, ClientCredentials};
use crate::Secret;

/// The scope the admin token is asked for: full management of external apps and their secrets.
pub const ADMIN_SCOPES: &[&str] = &["PM.OAuthApp"];

#[derive(Debug)]
pub(super) struct CachedToken {
    token: Secret,
    refresh_after: Instant,
}

/// Tokens are renewed this long before the server would reject them.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Where a signed-in admin's refresh token is kept (the keychain). Each one works once, so the
/// one a renewal returns must replace the one it used; and another Registrar process (the
/// command line beside the window) may have renewed it since, so the kept one is read again
/// before each renewal.
pub struct RefreshTokenStore {
    /// The kept refresh token, if any.
    pub load: Box<dyn Fn() -> BoxFuture<Result<Option<Secret>>> + Send + Sync>,
    /// Keeps a new refresh token in place of the used one.
    pub save: Box<dyn Fn(Secret) -> BoxFuture<Result<()>> + Send + Sync>,
}

impl std::fmt::Debug for RefreshTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshTokenStore")
    }
}

/// How the client gets its admin token.
pub(super) enum AdminAuth {
    /// An admin app's client id and secret, through client_credentials.
    ClientSecret(ClientCredentials),
    /// A signed-in admin: the sign-in app's client id and the current refresh token.
    SignedIn {
        client_id: String,
        refresh_token: Mutex<Secret>,
        store: RefreshTokenStore,
    },
}

impl std::fmt::Debug for AdminAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminAuth::ClientSecret(credentials) => f
                .debug_tuple("ClientSecret")
                .field(&credentials.client_id)
                .finish(),
            AdminAuth::SignedIn { client_id, .. } => f
                .debug_struct("SignedIn")
                .field("client_id", client_id)
                .finish_non_exhaustive(),
        }
    }
}

impl UiPathClient {
    /// The admin token, from the cache while it is fresh.
    pub(super) async fn token(&self, renew: bool) -> Result<Secret> {
        let mut cached = self.token.lock().await;
        if let Some(current) = cached
            .as_ref()
            .filter(|c| !renew && Instant::now() < c.refresh_after)
        {
            return Ok(current.token.duplicate());
        }
        Ok(self.renew_token(&mut cached).await?.0)
    }

    /// A new admin token, cached, and the scopes it was granted with.
    async fn renew_token(&self, cached: &mut Option<CachedToken>) -> Result<(Secret, Vec<String>)> {
        let token_url = self.endpoint.token_url();
        let (granted, kept) = match &self.auth {
            AdminAuth::ClientSecret(credentials) => {
                let granted =
                    oauth::client_credentials(&self.http, &token_url, credentials, ADMIN_SCOPES)
                        .await
                        .map_err(admin_token_error)?;
                (granted, None)
            }
            AdminAuth::SignedIn {
                client_id,
                refresh_token,
                store,
            } => {
                let mut current = refresh_token.lock().await;
                if let Some(kept) = (store.load)().await? {
                    *current = kept;
                }
                let mut granted =
                    crate::signin::refresh(&self.http, &token_url, client_id, &current).await?;
                // The old refresh token is used up: the new one replaces it in memory before
                // anything else can fail, then goes to the keychain.
                let kept = granted.refresh_token.take().map(|next| {
                    let stored = (store.save)(next.duplicate());
                    *current = next;
                    stored
                });
                (granted, kept)
            }
        };
        let answer = (granted.access_token.duplicate(), granted.scopes);
        *cached = Some(CachedToken {
            token: granted.access_token,
            refresh_after: Instant::now() + granted.expires_in.saturating_sub(TOKEN_MARGIN),
        });
        if let Some(stored) = kept {
            stored.await?;
        }
        Ok(answer)
    }

    /// A fresh admin token's scopes, and the organization's GUID when the token names it: what
    /// "Test connection" reports.
    pub async fn admin_token_facts(&self) -> Result<(Vec<String>, Option<Uuid>)> {
        let (token, scopes) = self.renew_token(&mut *self.token.lock().await).await?;
        Ok((scopes, crate::probe::organization_in_token(token.expose())))
    }
}

/// The admin app's own token failures are about the connection, not the app being worked on.
fn admin_token_error(error: Error) -> Error {
    match error {
        Error::Unauthorized(detail) => Error::Unauthorized(format!(
            "The connection's admin credentials were refused. {detail}"
        )),
        Error::Forbidden(detail) => Error::Forbidden(format!(
            "The connection's admin app may not manage external applications: it needs the \
             application scope PM.OAuthApp. {detail}"
        )),
        other => other,
    }
}
