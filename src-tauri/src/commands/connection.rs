use registrar_app::connections::{Change, GivenCredential, SignInWith};
use registrar_core::connections::Connection;
use registrar_core::model::Field;
use registrar_core::{Error, Secret};
use tauri::{AppHandle, Emitter, Runtime, State};
use tauri_plugin_opener::OpenerExt;
use url::Url;
use uuid::Uuid;
use zeroize::Zeroize;

use crate::error::IpcError;
use crate::ipc::{ConnectionForm, ConnectionList, ConnectionTest, ConnectionView, CredentialKind};
use crate::state::AppState;

/// The event that carries a sign-in's address to the window (`ui/src/ipc/events.ts`).
const SIGN_IN_URL_EVENT: &str = "sign-in-url";

#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> Result<ConnectionList, IpcError> {
    connection_list(&state).await
}

/// Works on another saved connection; the UI reads the apps list again.
#[tauri::command]
pub async fn select_connection(
    state: State<'_, AppState>,
    id: String,
) -> Result<ConnectionView, IpcError> {
    let session = state.workspace().await?.select(&id).await?;
    Ok(ConnectionView::new(
        &session.connection,
        session.client.features(),
    ))
}

/// Gives the sandbox's admin app a fresh secret (re-creating the app if it was deleted) and
/// opens the sandbox anew with it: the way back from a lockout.
#[tauri::command]
pub async fn renew_sandbox_credentials(
    state: State<'_, AppState>,
) -> Result<ConnectionView, IpcError> {
    let session = state.workspace().await?.renew_sandbox_admin().await?;
    Ok(ConnectionView::new(
        &session.connection,
        session.client.features(),
    ))
}

/// Saves a new or edited connection once its credential works, and switches to it. A sign-in
/// opens the system browser (the `BROWSER` program when that variable is set) and waits for the
/// admin, until `cancel_sign_in`.
#[tauri::command]
pub async fn save_connection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    mut form: ConnectionForm,
) -> Result<ConnectionView, IpcError> {
    let workspace = state.workspace().await?;
    let organization_id = match form.organization_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(id.parse::<Uuid>().map_err(|_| {
            Error::invalid(
                Field::OrganizationId,
                "The organization ID is a GUID, like 3f2a9c1e-0000-4000-8000-000000000000.",
            )
        })?),
    };
    let typed = form
        .client_secret
        .take()
        .filter(|s| !s.trim().is_empty())
        .map(|mut typed| {
            let secret = Secret::new(typed.trim().to_owned());
            typed.zeroize();
            secret
        });
    let given = match form.credential {
        CredentialKind::ClientSecret => GivenCredential::ClientSecret(typed),
        CredentialKind::InitialAccessToken => GivenCredential::InitialAccessToken(typed),
        CredentialKind::SignIn => GivenCredential::SignIn {
            again: form.sign_in_again,
        },
    };
    let draft = Connection {
        id: String::new(),
        name: form.name,
        kind: form.kind.into(),
        organization: form.organization,
        partition_global_id: Uuid::nil(),
        admin_client_id: form.client_id,
        sandbox_port: None,
        host: form.host,
        signed_in: form.credential == CredentialKind::SignIn,
        issuer: form.issuer,
        open_registration: form.open_registration,
        sign_in_port: form
            .sign_in_port
            .filter(|_| form.credential == CredentialKind::SignIn),
    };
    let open_browser = move |url: &Url| {
        // The window shows the address too, in case no browser opens.
        if let Err(e) = app.emit(SIGN_IN_URL_EVENT, url.as_str()) {
            tracing::warn!("could not show the sign-in address in the window: {e}");
        }
        let browser = std::env::var("BROWSER").ok().filter(|b| !b.is_empty());
        if let Err(e) = app.opener().open_url(url.as_str(), browser) {
            tracing::warn!("could not open the browser for the sign-in: {e}");
        }
    };
    let (cancel, cancelled) = tokio::sync::oneshot::channel();
    if let Some(earlier) = state
        .sign_in
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .replace(cancel)
    {
        let _ = earlier.send(());
    }
    let cancel = async move {
        // A sign-in replaced by a newer one drops its sender without cancelling: it waits on.
        if cancelled.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let change = Change {
        id: form.id.clone(),
        draft,
        given,
        organization_id,
    };
    let sign_in = SignInWith {
        open_browser,
        cancel,
    };
    let saved = workspace.save_connection(change, sign_in).await?;
    Ok(ConnectionView::new(
        &saved.connection,
        saved.client.features(),
    ))
}

/// Ends the wait for the browser of the sign-in under way; its `save_connection` returns
/// without saving. Once the sign-in is back, the save runs to its end.
#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    if let Some(cancel) = state
        .sign_in
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    {
        let _ = cancel.send(());
    }
}

/// Forgets a saved connection and its keychain entries.
#[tauri::command]
pub async fn remove_connection(
    state: State<'_, AppState>,
    id: String,
) -> Result<ConnectionList, IpcError> {
    state.workspace().await?.remove(&id).await?;
    connection_list(&state).await
}

/// Reports what works on the connection: discovery, the admin token and its scopes, listing.
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>) -> Result<ConnectionTest, IpcError> {
    let session = state.session().await?;
    Ok(registrar_core::probe::probe(&session.client).await.into())
}

async fn connection_list(state: &AppState) -> Result<ConnectionList, IpcError> {
    let workspace = state.workspace().await?;
    let saved = workspace.saved()?;
    let mut connections = Vec::with_capacity(saved.connections.len());
    for connection in &saved.connections {
        connections.push(ConnectionView::new(
            connection,
            workspace.features(connection).await,
        ));
    }
    Ok(ConnectionList {
        connections,
        current_id: workspace.current().connection.id.clone(),
        notice: workspace.notice(),
    })
}
