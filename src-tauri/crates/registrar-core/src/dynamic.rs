//! An OAuth 2.0 server with dynamic client registration as a place to keep external apps: the
//! [`RegistrationClient`] plus what the protocols leave to the client. RFC 7591 has no listing, so
//! Registrar lists the clients it registered itself (a file per connection, no secrets in it);
//! each client's registration access token is in the keychain, and the newest one the server
//! gives replaces it at once. The server keeps one secret per client, without description or
//! expiry of Registrar's choosing: a new secret replaces it.

use std::collections::HashMap;
use std::path::PathBuf;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;

use crate::connections::Connection;
use crate::draft::ValidDraft;
use crate::error::{Error, Result};
use crate::files::FileLock;
use crate::keychain::Keychain;
use crate::model::{
    AppType, CatalogResource, CatalogScope, ExternalApp, Scope, ScopeType, SecretInfo, TokenAuth,
};
use crate::registration::{
    scope_value, ClientMetadata, Management, RegisteredClient, RegistrationClient, ServerMetadata,
};
use crate::uipath::CreatedApp;
use crate::Secret;

/// How many clients a listing reads from the server at once: enough that a distant server's
/// round trips overlap, few enough not to look like an attack.
const CONCURRENT_READS: usize = 16;

/// The id a client's one secret is shown with.
const SECRET_ID: i64 = 1;

/// OpenID Connect scopes: they ask for a user's identity, so no client_credentials token has them.
const USER_ONLY: [&str; 6] = [
    "openid",
    "offline_access",
    "profile",
    "email",
    "address",
    "phone",
];

/// A client as Registrar last saw it: what the list shows, and the scope types the server does
/// not keep (RFC 7591 has one `scope` list for both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    client_id: String,
    /// Where the server manages it (RFC 7592); none on a server without management, where
    /// Registrar can neither read, change nor delete it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_uri: Option<Url>,
    name: String,
    confidential: bool,
    redirect_uris: Vec<String>,
    application_scopes: Vec<String>,
    user_scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    secret_issued: OffsetDateTime,
    /// Seconds since the epoch; none: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_expires_at: Option<i64>,
    /// The `token_endpoint_auth_method` the server recorded.
    #[serde(default = "registered_before_basic")]
    auth_method: String,
    /// A fingerprint of the last secret the admin was given ([`fingerprint`]; never the
    /// secret), to notice a read that shows another: the server replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_seen: Option<String>,
}

/// A short fingerprint of a client's secret: enough to tell that a server now shows another one,
/// too short (48 bits, salted with the client id) to confirm a guess of a strong secret.
fn fingerprint(client_id: &str, secret: &Secret) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(client_id.as_bytes())
        .chain_update([0])
        .chain_update(secret.expose().as_bytes())
        .finalize();
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// Registrar registered confidential clients with `client_secret_post` until it learnt that
/// some servers take only Basic: lists written then name no method.
fn registered_before_basic() -> String {
    TokenAuth::SecretPost.method().to_owned()
}

#[derive(Default, Serialize, Deserialize)]
struct RegistryFile {
    version: u32,
    clients: Vec<Record>,
}

const REGISTRY_VERSION: u32 = 1;

impl Record {
    /// The scopes as one `scope` value, for a request that must not leave them out.
    fn scope(&self) -> Option<String> {
        scope_value(
            self.application_scopes
                .iter()
                .chain(&self.user_scopes)
                .map(String::as_str),
        )
    }

    fn app(&self) -> ExternalApp {
        let typed = |names: &[String], scope_type| {
            names
                .iter()
                .map(move |name| Scope::new(name.clone(), scope_type))
                .collect::<Vec<_>>()
        };
        let mut scopes = typed(&self.application_scopes, ScopeType::Application);
        scopes.extend(typed(&self.user_scopes, ScopeType::User));
        let secrets = if self.confidential {
            vec![SecretInfo {
                id: SECRET_ID,
                description: None,
                created: self.secret_issued,
                expires: self
                    .secret_expires_at
                    .filter(|at| *at > 0)
                    .and_then(|at| OffsetDateTime::from_unix_timestamp(at).ok()),
            }]
        } else {
            Vec::new()
        };
        ExternalApp {
            id: self.client_id.clone(),
            name: self.name.clone(),
            app_type: if self.confidential {
                AppType::Confidential
            } else {
                AppType::NonConfidential
            },
            redirect_uris: self.redirect_uris.clone(),
            scopes,
            secrets,
            token_auth: TokenAuth::from_method(&self.auth_method).unwrap_or_default(),
            listed_only: false,
        }
    }

    /// This record brought up to date with the server's answer. Scope types come from `typed`
    /// (the draft just sent) when given, else from what was recorded; a scope added elsewhere is
    /// an application scope when the client may use client_credentials only, else a user scope.
    fn updated(&self, answer: &RegisteredClient, typed: Option<&ValidDraft>) -> Record {
        let (application_scopes, user_scopes) = scope_types(&answer.metadata, typed, Some(self));
        Record {
            client_id: answer.client_id.clone(),
            client_uri: answer
                .management
                .as_ref()
                .map_or_else(|| self.client_uri.clone(), |m| Some(m.client_uri.clone())),
            name: answer.metadata.client_name.clone(),
            // An app's type cannot change.
            confidential: self.confidential,
            redirect_uris: answer.metadata.redirect_uris.clone(),
            application_scopes,
            user_scopes,
            secret_issued: self.secret_issued,
            secret_expires_at: answer.client_secret_expires_at.or(self.secret_expires_at),
            auth_method: answer
                .metadata
                .token_endpoint_auth_method
                .clone()
                .unwrap_or_else(|| self.auth_method.clone()),
            // Kept until the admin has been given another (the first one seen is the baseline).
            secret_seen: self.secret_seen.clone().or_else(|| {
                answer
                    .client_secret
                    .as_ref()
                    .filter(|_| self.confidential)
                    .map(|s| fingerprint(&answer.client_id, s))
            }),
        }
    }
}

fn scope_types(
    metadata: &ClientMetadata,
    typed: Option<&ValidDraft>,
    recorded: Option<&Record>,
) -> (Vec<String>, Vec<String>) {
    let Some(scope) = &metadata.scope else {
        // The answer left the scopes out: they are as just sent, or as recorded.
        return match (typed, recorded) {
            (Some(draft), _) => {
                let named = |scope_type| {
                    draft
                        .scopes
                        .iter()
                        .filter(|s| s.scope_type == scope_type)
                        .map(|s| s.name.clone())
                        .collect()
                };
                (named(ScopeType::Application), named(ScopeType::User))
            }
            (None, Some(record)) => (
                record.application_scopes.clone(),
                record.user_scopes.clone(),
            ),
            (None, None) => (Vec::new(), Vec::new()),
        };
    };
    let grants = &metadata.grant_types;
    let machine_only = grants.iter().any(|g| g == "client_credentials")
        && !grants.iter().any(|g| g == "authorization_code");
    let (mut application, mut user) = (Vec::new(), Vec::new());
    for name in scope.split_whitespace() {
        let has = |scope_type| match (typed, recorded) {
            (Some(draft), _) => draft
                .scopes
                .iter()
                .any(|s| s.name == name && s.scope_type == scope_type),
            (None, Some(record)) => match scope_type {
                ScopeType::Application => record.application_scopes.iter().any(|s| s == name),
                ScopeType::User => record.user_scopes.iter().any(|s| s == name),
            },
            (None, None) => false,
        };
        let (as_app, as_user) = match (has(ScopeType::Application), has(ScopeType::User)) {
            (false, false) => (machine_only, !machine_only),
            known => known,
        };
        if as_app {
            application.push(name.to_owned());
        }
        if as_user {
            user.push(name.to_owned());
        }
    }
    (application, user)
}

/// What listing found of one client.
enum Seen {
    Read(Record),
    /// The server refused it with this token: gone, unless the token was replaced meanwhile.
    Gone(Record, Secret),
}

/// A connection's OAuth server, with the clients Registrar registered there.
#[derive(Debug)]
pub struct DynamicClient {
    registration: RegistrationClient,
    /// None for a server with open registration.
    initial_access_token: Option<Secret>,
    keychain: Keychain,
    connection: Connection,
    registry: PathBuf,
    /// Secrets reads showed in place of the one the admin was last given, until shown.
    replaced: std::sync::Mutex<HashMap<String, Secret>>,
    /// Registration access tokens as last read from or written to the keychain, so that a
    /// listing reads each from the keychain once per session. Only listings use them: another
    /// Registrar may have replaced a token since, so a change, or a refusal, reads the keychain.
    tokens: std::sync::Mutex<HashMap<String, Secret>>,
}

/// Where a registration access token is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// The keychain, now.
    Kept,
    /// This session's copy when it has one.
    Remembered,
}

impl DynamicClient {
    pub fn new(
        registration: RegistrationClient,
        initial_access_token: Option<Secret>,
        keychain: Keychain,
        connection: Connection,
        registry: PathBuf,
    ) -> Self {
        Self {
            registration,
            initial_access_token,
            keychain,
            connection,
            registry,
            replaced: std::sync::Mutex::default(),
            tokens: std::sync::Mutex::default(),
        }
    }

    pub fn server(&self) -> &ServerMetadata {
        self.registration.server()
    }

    /// The server registers clients without an initial access token.
    pub fn open_registration(&self) -> bool {
        self.initial_access_token.is_none()
    }

    pub fn http(&self) -> &reqwest::Client {
        self.registration.http()
    }

    /// The scopes to offer: the server's `scopes_supported`, as one resource; as user scopes
    /// where the server has the authorization code grant, as application scopes where it has
    /// client_credentials (OpenID Connect's identity scopes as user scopes only).
    pub fn catalog(&self) -> Vec<CatalogResource> {
        let server = self.server();
        // A grant the server does not name, or has no endpoint for, cannot be offered. RFC 8414
        // §2: a server that names none has authorization_code and implicit.
        let grants = &server.grant_types_supported;
        let supports = |grant: &str| match grants.is_empty() {
            true => grant == "authorization_code",
            false => grants.iter().any(|g| g == grant),
        };
        let user = server.authorization_endpoint.is_some() && supports("authorization_code");
        let application = supports("client_credentials");
        let scopes = server
            .scopes_supported
            .iter()
            .map(|name| CatalogScope {
                name: name.clone(),
                display_name: name.clone(),
                description: None,
                user,
                application: application && !USER_ONLY.contains(&name.as_str()),
            })
            .collect();
        vec![CatalogResource {
            name: server.issuer.host_str().unwrap_or("server").to_owned(),
            display_name: format!("Scopes of {}", server.issuer),
            description: Some(
                "The scopes the server lists in its metadata (scopes_supported).".into(),
            ),
            scopes,
        }]
    }

    /// Every client Registrar registered on this server, each read from the server (a few at
    /// once, in list order). A client
    /// the server no longer knows (deleted there, or its token revoked) is taken off the list
    /// with its token; one whose token is gone from the keychain is listed as last seen. The
    /// reads run without the lock, which is taken only to merge what they found.
    pub async fn list_apps(&self) -> Result<Vec<ExternalApp>> {
        let seen: Vec<Option<Seen>> = stream::iter(self.load()?)
            .map(|record| self.look_up(record))
            .buffered(CONCURRENT_READS)
            .try_collect()
            .await?;
        let _lock = self.lock().await?;
        let mut records = self.load()?;
        let before = records.clone();
        for outcome in seen.into_iter().flatten() {
            match outcome {
                Seen::Read(updated) => {
                    if let Some(record) = records
                        .iter_mut()
                        .find(|r| r.client_id == updated.client_id)
                    {
                        // What the admin was given may have changed since the read (a
                        // rotation by this or another process): that stays as on disk.
                        *record = Record {
                            secret_seen: record.secret_seen.clone().or(updated.secret_seen.clone()),
                            secret_issued: record.secret_issued,
                            ..updated
                        };
                    }
                }
                // Refused with the token kept now: gone. Refused with one another process
                // has replaced meanwhile (an update): not evidence of anything.
                Seen::Gone(record, refused) => {
                    let account = self
                        .connection
                        .registration_token_account(&record.client_id);
                    let kept = self.keychain.read(&account).await?;
                    if kept.is_some_and(|kept| kept.expose() == refused.expose()) {
                        self.drop_client(&mut records, &record).await?;
                    }
                }
            }
        }
        if records != before {
            self.save(&records)?;
        }
        Ok(records.iter().map(Record::app).collect())
    }

    /// What reading one listed client found; none when it is out of reach (listed as last
    /// seen: no token, or a server without management).
    async fn look_up(&self, record: Record) -> Result<Option<Seen>> {
        let Some(mut management) = self.listing_management(&record, Token::Remembered).await?
        else {
            return Ok(None);
        };
        let refused = match self.read(&record, &mut management).await {
            Ok(answer) => return Ok(Some(Seen::Read(record.updated(&answer, None)))),
            Err(Error::NotFound(_)) => management.access_token,
            Err(e) => return Err(e),
        };
        // Another Registrar may have replaced the token this session remembers: only a refusal
        // of the keychain's own token says anything.
        let Some(mut kept) = self.listing_management(&record, Token::Kept).await? else {
            return Ok(None);
        };
        if kept.access_token.expose() == refused.expose() {
            return Ok(Some(Seen::Gone(record, refused)));
        }
        Ok(Some(match self.read(&record, &mut kept).await {
            Ok(answer) => Seen::Read(record.updated(&answer, None)),
            Err(Error::NotFound(_)) => Seen::Gone(record, kept.access_token),
            Err(e) => return Err(e),
        }))
    }

    /// What manages a listed client; none when it is out of reach, and it is then listed as
    /// last seen.
    async fn listing_management(&self, record: &Record, from: Token) -> Result<Option<Management>> {
        match self.management(record, from).await {
            Ok(management) => Ok(Some(management)),
            // No token kept for it: something was lost.
            Err(Error::Keychain(e)) => {
                tracing::warn!(client_id = %record.client_id, "listed as last seen: {e}");
                Ok(None)
            }
            // A server without management: nothing to read it with, as expected.
            Err(Error::Forbidden(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One client, read from the server; one the server no longer knows is taken off the list.
    pub async fn get_app(&self, client_id: &str) -> Result<ExternalApp> {
        let _lock = self.lock().await?;
        let mut records = self.load()?;
        let record = find(&mut records, client_id)?.clone();
        if record.client_uri.is_none() {
            // Nothing to read it with: as registered here.
            return Ok(record.app());
        }
        let mut management = self.management(&record, Token::Kept).await?;
        match self.read(&record, &mut management).await {
            Ok(answer) => {
                let updated = record.updated(&answer, None);
                let app = updated.app();
                if updated != record {
                    *find(&mut records, client_id)? = updated;
                    self.save(&records)?;
                }
                Ok(app)
            }
            Err(gone @ Error::NotFound(_)) => {
                self.drop_client(&mut records, &record).await?;
                self.save(&records)?;
                Err(gone)
            }
            Err(e) => Err(e),
        }
    }

    /// Takes a client the server no longer knows off the list, with its token.
    async fn drop_client(&self, records: &mut Vec<Record>, record: &Record) -> Result<()> {
        tracing::warn!(client_id = %record.client_id, "the server no longer knows this client; taken off the list");
        records.retain(|r| r.client_id != record.client_id);
        self.delete_token(&record.client_id).await
    }

    /// Registers a client for `draft` with the initial access token (none for open
    /// registration), and keeps what manages it:
    /// its registration access token in the keychain, its entry in the list.
    pub async fn create_app(&self, draft: &ValidDraft) -> Result<CreatedApp> {
        let _lock = self.lock().await?;
        let mut records = self.load()?;
        let metadata = ClientMetadata::from_draft(draft, self.server().secret_auth());
        let answer = self
            .registration
            .register(self.initial_access_token.as_ref(), &metadata)
            .await?;
        let (application_scopes, user_scopes) = scope_types(&answer.metadata, Some(draft), None);
        // What the answer leaves out is as sent.
        let sent = |given: &[String], fallback: &[String]| match given.is_empty() {
            true => fallback.to_vec(),
            false => given.to_vec(),
        };
        let record = Record {
            client_id: answer.client_id.clone(),
            client_uri: answer.management.as_ref().map(|m| m.client_uri.clone()),
            name: match answer.metadata.client_name.is_empty() {
                true => draft.name.clone(),
                false => answer.metadata.client_name.clone(),
            },
            confidential: draft.app_type == AppType::Confidential,
            redirect_uris: sent(&answer.metadata.redirect_uris, &draft.redirect_uris),
            application_scopes,
            user_scopes,
            secret_issued: OffsetDateTime::now_utc(),
            secret_expires_at: answer.client_secret_expires_at,
            secret_seen: answer
                .client_secret
                .as_ref()
                .filter(|_| draft.app_type == AppType::Confidential)
                .map(|s| fingerprint(&answer.client_id, s)),
            auth_method: answer
                .metadata
                .token_endpoint_auth_method
                .clone()
                .or(metadata.token_endpoint_auth_method)
                .unwrap_or_else(registered_before_basic),
        };
        // Without RFC 7592 there is nothing to keep but the entry: the client stays listed as
        // registered here, and the server alone can change or delete it.
        let Some(management) = &answer.management else {
            let app = record.app();
            records.push(record);
            if let Err(failure) = self.save(&records) {
                return Err(Error::Conflict(format!(
                    "\"{}\" was registered as {}, but Registrar could not list it ({failure}), \
                     and this server offers no way to delete it: do that on the server.",
                    draft.name, answer.client_id
                )));
            }
            return Ok(CreatedApp {
                app,
                secret: confidential_secret(draft, answer.client_secret),
            });
        };
        // The server has registered the client. If Registrar cannot keep what manages it, the
        // client is deleted again while its token is still at hand; only if that fails too is
        // it left on the server, named, as a conflict (so no second registration is offered).
        let app = record.app();
        records.push(record);
        let kept = match self.keep_token(&answer.client_id, management).await {
            Ok(()) => self.save(&records),
            Err(e) => Err(e),
        };
        if let Err(failure) = kept {
            let _ = self.delete_token(&answer.client_id).await;
            return Err(match self.registration.delete(management).await {
                Ok(()) => Error::Storage(format!(
                    "Registrar could not keep what manages \"{}\" ({failure}), so it deleted \
                     it again: nothing is registered. Fix that and register it again.",
                    draft.name
                )),
                Err(_) => Error::Conflict(format!(
                    "\"{}\" was registered as {}, but Registrar could not keep what manages it \
                     ({failure}) nor delete it again: delete {} on the server.",
                    draft.name, answer.client_id, answer.client_id
                )),
            });
        }
        Ok(CreatedApp {
            app,
            secret: confidential_secret(draft, answer.client_secret),
        })
    }

    /// Replaces a client's name, redirect URLs and scopes, keeping the metadata Registrar does
    /// not edit as the server has it now. Some servers issue a new secret with every update,
    /// which ends the old one: that new secret is returned, to be shown to the admin at once.
    pub async fn update_app(&self, client_id: &str, draft: &ValidDraft) -> Result<Option<Secret>> {
        let _lock = self.lock().await?;
        let mut records = self.load()?;
        let record = find(&mut records, client_id)?;
        let mut management = self.management(record, Token::Kept).await?;
        let current = self.read(record, &mut management).await?;
        let answer = self
            .registration
            .update(
                &management,
                client_id,
                &current.metadata.edited(draft, record.app().token_auth),
            )
            .await?;
        // Only a secret that differs from the one the read showed is known to be new: a server
        // that leaves the secret out of reads may still repeat the same one in this answer.
        let replaced = match (&current.client_secret, &answer.client_secret) {
            _ if !record.confidential => None,
            (Some(old), Some(new)) if old.expose() != new.expose() => Some(new.duplicate()),
            // Reads that leave the secret out: new if it is not the one last given.
            (None, Some(new)) => record
                .secret_seen
                .as_deref()
                .filter(|seen| *seen != fingerprint(client_id, new))
                .map(|_| new.duplicate()),
            _ => None,
        };
        let kept = self.keep_newer(client_id, &mut management, &answer).await;
        *record = record.updated(&answer, Some(draft));
        if replaced.is_some() {
            record.secret_issued = OffsetDateTime::now_utc();
            record.secret_seen = answer
                .client_secret
                .as_ref()
                .map(|s| fingerprint(client_id, s));
            self.forget_replaced(client_id);
        }
        let saved = self.save(&records);
        let Some(replaced) = replaced else {
            kept.map_err(|e| {
                Error::Conflict(format!(
                    "{client_id} was changed, but the new registration access token the server \
                     gave could not be kept ({e}): Registrar can no longer change or delete it."
                ))
            })?;
            return saved.map(|()| None);
        };
        // The old secret is over: the new one must reach the admin whatever else failed.
        tracing::warn!(%client_id, "the server replaced the client's secret with the update");
        if let Err(e) = kept.and(saved) {
            tracing::warn!(%client_id, "after the update, Registrar could not keep its records: {e}");
        }
        Ok(Some(replaced))
    }

    /// Deletes the client on the server, then its token and its entry here. One the server cannot
    /// be asked to delete (no token, or no RFC 7592) is taken off the list, and the error says
    /// to delete it on the server.
    pub async fn delete_app(&self, client_id: &str) -> Result<()> {
        let _lock = self.lock().await?;
        let mut records = self.load()?;
        let record = find(&mut records, client_id)?;
        let outcome = match self.management(record, Token::Kept).await {
            Ok(management) => match self.registration.delete(&management).await {
                // Already gone from the server: what was asked for is done.
                Ok(()) | Err(Error::NotFound(_)) => Ok(()),
                Err(other) => return Err(other),
            },
            // Without its token Registrar cannot reach it: the entry goes, and the admin is
            // told to delete the client on the server.
            Err(Error::Keychain(missing)) => Err(Error::Keychain(format!(
                "{missing} It is taken off the list: delete {client_id} on the server."
            ))),
            // A server without management: the same, since only the server can delete it.
            Err(Error::Forbidden(unmanaged)) => Err(Error::Forbidden(format!(
                "{unmanaged} It is taken off Registrar's list."
            ))),
            Err(other) => return Err(other),
        };
        records.retain(|r| r.client_id != client_id);
        self.save(&records)?;
        self.delete_token(client_id).await?;
        outcome
    }

    /// The name Registrar knows a client by, without asking the server (which may no longer
    /// know it).
    pub fn name_of(&self, client_id: &str) -> Result<String> {
        let mut records = self.load()?;
        Ok(find(&mut records, client_id)?.name.clone())
    }

    /// Asks the server for a new secret, which replaces the old one. A server that does not
    /// rotate secrets this way is reported, with what to do instead.
    pub async fn rotate_secret(&self, client_id: &str) -> Result<(SecretInfo, Secret)> {
        let _lock = self.lock().await?;
        let mut records = self.load()?;
        let record = find(&mut records, client_id)?;
        if !record.confidential {
            return Err(Error::InvalidInput {
                field: None,
                message: format!(
                    "\"{}\" is not confidential, so it has no secret to replace.",
                    record.name
                ),
            });
        }
        let mut management = self.management(record, Token::Kept).await?;
        let current = self.read(record, &mut management).await?;
        let mut metadata = current.metadata;
        // A read that left the scopes out must not lead to an update that drops them.
        if metadata.scope.is_none() {
            metadata.scope = record.scope();
        }
        let rotation = self
            .registration
            .rotate_secret(
                &management,
                client_id,
                &metadata,
                current.client_secret.as_ref(),
            )
            .await?;
        // The old secret is gone now: the new one must reach the admin even if keeping the
        // token or the list fails, so those failures are logged, not returned.
        if let Err(e) = self
            .keep_newer(client_id, &mut management, &rotation.client)
            .await
        {
            tracing::warn!(%client_id, "the new registration access token was not kept: {e}");
        }
        *record = record.updated(&rotation.client, None);
        let secret = match rotation.client.client_secret {
            Some(secret) if rotation.rotated => secret,
            _ => {
                self.save(&records)?;
                return Err(Error::Forbidden(format!(
                    "{} did not issue a new secret: it does not rotate secrets on request. The \
                     current secret still works; for a new one, register the app again.",
                    self.server().issuer
                )));
            }
        };
        record.secret_issued = OffsetDateTime::now_utc();
        record.secret_seen = Some(fingerprint(client_id, &secret));
        self.forget_replaced(client_id);
        let info = record.app().secrets.remove(0);
        if let Err(e) = self.save(&records) {
            tracing::warn!(%client_id, "the list of registered clients was not updated: {e}");
        }
        Ok((info, secret))
    }

    /// Reads a client with `management`, which then holds the newest token (kept in the
    /// keychain when the answer brings a new one).
    async fn read(&self, record: &Record, management: &mut Management) -> Result<RegisteredClient> {
        let answer = self
            .registration
            .read(management)
            .await
            .map_err(|e| match e {
                Error::Unauthorized(_) | Error::NotFound(_) => gone(record),
                other => other,
            })?;
        self.keep_newer(&record.client_id, management, &answer)
            .await?;
        let seen = record.secret_seen.as_deref();
        if let Some(shown) = answer
            .client_secret
            .as_ref()
            .filter(|_| record.confidential)
        {
            if seen.is_some_and(|seen| seen != fingerprint(&record.client_id, shown)) {
                tracing::warn!(client_id = %record.client_id, "the server shows another secret than the one last given");
                self.replaced
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(record.client_id.clone(), shown.duplicate());
            }
        }
        Ok(answer)
    }

    /// The secret the server shows for `client_id` in place of the one the admin was last given
    /// (it was replaced on the server, and the old one is likely over), to be shown once: it is
    /// taken, and from then on it is the one known.
    pub async fn take_replaced_secret(&self, client_id: &str) -> Result<Option<Secret>> {
        let taken = self
            .replaced
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(client_id);
        let Some(secret) = taken else {
            return Ok(None);
        };
        let _lock = self.lock().await?;
        let mut records = self.load()?;
        if let Ok(record) = find(&mut records, client_id) {
            record.secret_seen = Some(fingerprint(client_id, &secret));
            record.secret_issued = OffsetDateTime::now_utc();
            self.save(&records)?;
        }
        Ok(Some(secret))
    }

    /// The admin has just been given a newer secret than any a read showed.
    fn forget_replaced(&self, client_id: &str) {
        self.replaced
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(client_id);
    }

    /// The clients whose secret the server replaced since the admin was last given one.
    pub fn replaced_secrets(&self) -> Vec<String> {
        self.replaced
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .keys()
            .cloned()
            .collect()
    }

    async fn management(&self, record: &Record, from: Token) -> Result<Management> {
        let client_uri = record
            .client_uri
            .clone()
            .ok_or_else(|| Error::Forbidden(self.unmanaged(record)))?;
        let remembered = match from {
            Token::Remembered => self.tokens().get(&record.client_id).map(Secret::duplicate),
            Token::Kept => None,
        };
        let access_token = match remembered {
            Some(token) => token,
            None => {
                let account = self
                    .connection
                    .registration_token_account(&record.client_id);
                let kept = self.keychain.read(&account).await?.ok_or_else(|| {
                    Error::Keychain(format!(
                        "The keychain has no registration access token for \"{}\" ({}), so \
                         Registrar cannot reach it on the server.",
                        record.name, record.client_id
                    ))
                })?;
                self.remember(&record.client_id, &kept);
                kept
            }
        };
        Ok(Management {
            client_uri,
            access_token,
        })
    }

    /// Why a client registered on a server without RFC 7592 is out of Registrar's reach.
    fn unmanaged(&self, record: &Record) -> String {
        format!(
            "{} offers no management of registered clients (RFC 7592), so Registrar cannot read, \
             change or delete \"{}\" there: do that with the server's own administration.",
            self.server().issuer,
            record.name
        )
    }

    /// Why `client_id` cannot be read, changed or deleted from Registrar, if it cannot.
    pub fn unmanaged_reason(&self, client_id: &str) -> Result<Option<String>> {
        let mut records = self.load()?;
        let record = find(&mut records, client_id)?;
        Ok(record.client_uri.is_none().then(|| self.unmanaged(record)))
    }

    /// Keeps the token `answer` carries when it differs from the one `management` holds, and
    /// makes it the one `management` holds.
    async fn keep_newer(
        &self,
        client_id: &str,
        management: &mut Management,
        answer: &RegisteredClient,
    ) -> Result<()> {
        let Some(newer) = &answer.management else {
            return Ok(());
        };
        if newer.access_token.expose() != management.access_token.expose() {
            self.keep_token(client_id, newer).await?;
            management.access_token = newer.access_token.duplicate();
        }
        management.client_uri = newer.client_uri.clone();
        Ok(())
    }

    async fn keep_token(&self, client_id: &str, management: &Management) -> Result<()> {
        let account = self.connection.registration_token_account(client_id);
        self.keychain
            .write(&account, &management.access_token)
            .await?;
        self.remember(client_id, &management.access_token);
        Ok(())
    }

    /// Deletes `client_id`'s token from the keychain and this session.
    async fn delete_token(&self, client_id: &str) -> Result<()> {
        self.tokens().remove(client_id);
        let account = self.connection.registration_token_account(client_id);
        self.keychain.delete(&account).await
    }

    fn remember(&self, client_id: &str, token: &Secret) {
        self.tokens()
            .insert(client_id.to_owned(), token.duplicate());
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// One change at a time, in this process and any other Registrar (the window and the
    /// command line): each reads and writes the list, and may replace a client's registration
    /// access token, which a second request with the old one would then lack.
    async fn lock(&self) -> Result<FileLock> {
        FileLock::acquire(&self.registry.with_extension("lock")).await
    }

    fn load(&self) -> Result<Vec<Record>> {
        load_registry(&self.registry)
    }

    fn save(&self, records: &[Record]) -> Result<()> {
        let file = RegistryFile {
            version: REGISTRY_VERSION,
            clients: records.to_vec(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| Error::Storage(e.to_string()))?;
        crate::files::write_atomically(&self.registry, &json)
    }
}

fn load_registry(path: &std::path::Path) -> Result<Vec<Record>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::Storage(format!(
                "Could not read {}: {e}.",
                path.display()
            )))
        }
    };
    let file: RegistryFile = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Storage(format!(
            "{} is damaged ({e}); it lists the clients registered from Registrar.",
            path.display()
        ))
    })?;
    if file.version != REGISTRY_VERSION {
        return Err(Error::Storage(format!(
            "{} was written by a newer Registrar (format {}); update Registrar to open it.",
            path.display(),
            file.version
        )));
    }
    Ok(file.clients)
}

/// How many clients Registrar registered through a connection (the list at `registry`).
pub fn registered_count(registry: &std::path::Path) -> Result<usize> {
    Ok(load_registry(registry)?.len())
}

/// The secret to show for a new client: none for a non-confidential app, whatever the server
/// answered (some give every client a secret, which such an app must not be handed).
fn confidential_secret(draft: &ValidDraft, secret: Option<Secret>) -> Option<Secret> {
    secret.filter(|_| draft.app_type == AppType::Confidential)
}

/// What a server that refuses a client's registration access token most likely means.
fn gone(record: &Record) -> Error {
    Error::NotFound(format!(
        "The server no longer knows \"{}\" ({}), or no longer accepts its registration access \
         token: it was probably deleted on the server, so it is taken off the list.",
        record.name, record.client_id
    ))
}

fn find<'a>(records: &'a mut [Record], client_id: &str) -> Result<&'a mut Record> {
    records
        .iter_mut()
        .find(|r| r.client_id == client_id)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "{client_id} is not among the clients Registrar registered on this server, so it \
                 holds no registration access token for it."
            ))
        })
}

/// Forgets every client registered on `connection`'s server: their registration access tokens
/// and the list (the clients stay on the server).
pub async fn forget(
    keychain: &Keychain,
    connection: &Connection,
    registry: &std::path::Path,
) -> Result<()> {
    // The lock file stays: a process waiting on it must not find a new one to lock meanwhile.
    let _lock = FileLock::acquire(&registry.with_extension("lock")).await?;
    for record in load_registry(registry)? {
        keychain
            .delete(&connection.registration_token_account(&record.client_id))
            .await?;
    }
    match std::fs::remove_file(registry) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::Storage(format!(
            "Could not remove {}: {e}.",
            registry.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(authorize: bool, grants: &[&str]) -> DynamicClient {
        let issuer: Url = "https://login.example.com".parse().unwrap();
        let server = ServerMetadata {
            token_endpoint: issuer.join("/token").unwrap(),
            authorization_endpoint: authorize.then(|| issuer.join("/authorize").unwrap()),
            registration_endpoint: Some(issuer.join("/reg").unwrap()),
            scopes_supported: vec!["openid".into(), "orders.read".into()],
            grant_types_supported: grants.iter().map(|g| (*g).to_owned()).collect(),
            token_endpoint_auth_methods_supported: Vec::new(),
            metadata_url: None,
            published_issuer: issuer.to_string(),
            issuer,
        };
        DynamicClient::new(
            RegistrationClient::new(crate::http::client().unwrap(), server),
            Some(Secret::new("iat")),
            crate::keychain::tests::mock(),
            Connection::oauth_server(
                Connection::new_id(),
                "Login".into(),
                "https://login.example.com".into(),
            ),
            PathBuf::from("clients-test.json"),
        )
    }

    /// (name, user, application) of each scope offered.
    fn offered(client: &DynamicClient) -> Vec<(String, bool, bool)> {
        client.catalog()[0]
            .scopes
            .iter()
            .map(|s| (s.name.clone(), s.user, s.application))
            .collect()
    }

    #[test]
    fn scopes_are_offered_only_for_the_grants_the_server_has() {
        let both = |name: &str, user, application| (name.to_owned(), user, application);
        let all = ["authorization_code", "client_credentials"];
        assert_eq!(
            offered(&client(true, &all)),
            [both("openid", true, false), both("orders.read", true, true)],
        );
        assert_eq!(
            offered(&client(true, &[])),
            [
                both("openid", true, false),
                both("orders.read", true, false)
            ],
            "naming no grants means authorization_code and implicit (RFC 8414)"
        );
        assert_eq!(
            offered(&client(false, &all)),
            [
                both("openid", false, false),
                both("orders.read", false, true)
            ],
            "no authorization endpoint: no user sign-in"
        );
        assert_eq!(
            offered(&client(true, &["authorization_code", "refresh_token"])),
            [
                both("openid", true, false),
                both("orders.read", true, false)
            ],
            "no client_credentials: no application scopes"
        );
    }

    #[test]
    fn scope_types_come_from_the_draft_then_the_record_then_the_grants() {
        let metadata = |grants: &[&str]| ClientMetadata {
            client_name: "Sync".into(),
            redirect_uris: vec![],
            grant_types: grants.iter().map(|g| (*g).to_owned()).collect(),
            response_types: vec![],
            scope: Some("orders.read orders.write".into()),
            token_endpoint_auth_method: Some("client_secret_post".into()),
            extra: serde_json::Map::new(),
        };
        let machine = metadata(&["client_credentials"]);
        assert_eq!(
            scope_types(&machine, None, None),
            (vec!["orders.read".into(), "orders.write".into()], vec![]),
            "client_credentials alone: application scopes"
        );
        let both = metadata(&["client_credentials", "authorization_code"]);
        assert_eq!(
            scope_types(&both, None, None),
            (vec![], vec!["orders.read".into(), "orders.write".into()]),
            "unknown and a user flow: user scopes"
        );
        let record = Record {
            client_id: "c".into(),
            client_uri: Some("https://login.example.com/reg/c".parse().unwrap()),
            name: "Sync".into(),
            confidential: true,
            redirect_uris: vec![],
            application_scopes: vec!["orders.write".into()],
            user_scopes: vec!["orders.read".into()],
            secret_issued: OffsetDateTime::UNIX_EPOCH,
            secret_expires_at: None,
            auth_method: TokenAuth::SecretBasic.method().into(),
            secret_seen: None,
        };
        assert_eq!(
            scope_types(&both, None, Some(&record)),
            (vec!["orders.write".into()], vec!["orders.read".into()]),
            "as recorded"
        );
    }
}
