//! The External Client API (`/api/ExternalClient...`) and the resource catalog.

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::Json;
use registrar_shared::Secret;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::{Authorized, Read, SecretWrite, Write};
use crate::catalog::{catalog, Resource};
use crate::problem::{FieldErrors, Problem};
use crate::secrets;
use crate::server::{media_type, AppState, Shared};
use crate::store::{self, ClientRecord, SecretRecord};
use crate::validate::{self, AppInput, ScopeInput};
use crate::{ListedApps, ScopeTypes};

const INITIAL_SECRET_DESCRIPTION: &str = "Created with the app";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalClientDto {
    name: String,
    id: String,
    #[serde(serialize_with = "expose")]
    secret: Option<Secret>,
    is_confidential: bool,
    redirect_uri: Option<String>,
    /// None in a bare list.
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<Vec<Resource>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secrets: Option<Vec<SecretDto>>,
}

impl ExternalClientDto {
    fn new(record: ClientRecord, secret: Option<Secret>) -> Self {
        Self {
            resources: Some(catalog().group(&record.fields.scopes)),
            name: record.fields.name,
            id: record.id,
            secret,
            is_confidential: record.is_confidential,
            redirect_uri: record.fields.redirect_uri,
            secrets: Some(
                record
                    .secrets
                    .into_iter()
                    .map(|s| SecretDto::new(s, None))
                    .collect(),
            ),
        }
    }

    /// As live tenants list it: without its scopes and secrets.
    fn bare(self) -> Self {
        Self {
            resources: None,
            secrets: None,
            ..self
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretDto {
    id: i64,
    description: Option<String>,
    /// The value: present only in the answer that created it.
    #[serde(serialize_with = "expose")]
    secret: Option<Secret>,
    #[serde(with = "time::serde::rfc3339")]
    creation_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    expiry_time: Option<OffsetDateTime>,
}

impl SecretDto {
    fn new(record: SecretRecord, secret: Option<Secret>) -> Self {
        Self {
            id: record.id,
            description: record.description,
            secret,
            creation_time: record.created,
            expiry_time: record.expires,
        }
    }
}

/// The one place a secret value enters a response body.
fn expose<S: Serializer>(secret: &Option<Secret>, serializer: S) -> Result<S::Ok, S::Error> {
    secret.as_ref().map(Secret::expose).serialize(serializer)
}

/// A JSON body whose every failure is answered as ProblemDetails, not as axum's plain text.
pub(crate) struct JsonBody<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        // The media types ASP.NET's JSON input formatter accepts.
        let is_json = media_type(request.headers()).is_some_and(|mime| {
            mime == "application/json"
                || mime == "text/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        });
        if !is_json {
            return Err(Problem::unsupported_media_type(
                "Send the body as JSON, with Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| Problem::with_status(rejection.status(), rejection.body_text()))?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|error| {
                Problem::field(
                    "$",
                    format!("The body is not valid JSON for this request: {error}"),
                )
            })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateCommand {
    partition_global_id: Option<Uuid>,
    name: Option<String>,
    is_confidential: Option<bool>,
    redirect_uri: Option<String>,
    scopes: Option<Vec<ScopeInput>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateCommand {
    name: Option<String>,
    redirect_uri: Option<String>,
    scopes: Option<Vec<ScopeInput>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretCommand {
    client_id: Option<String>,
    description: Option<String>,
    partition_global_id: Option<Uuid>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    expiry_time: Option<OffsetDateTime>,
}

fn check_partition(state: &Shared, given: Uuid) -> Result<(), Problem> {
    if given == state.partition {
        Ok(())
    } else {
        Err(Problem::not_found(format!(
            "No organization with partitionGlobalId {given} here: this sandbox's is {}.",
            state.partition
        )))
    }
}

/// A path segment that is not a GUID names no partition either: 404 like any other.
fn check_partition_path(state: &Shared, given: &str) -> Result<(), Problem> {
    check_partition(state, given.parse().unwrap_or(Uuid::nil()))
}

fn unknown_client(id: &str) -> Problem {
    Problem::not_found(format!("No external application with id {id}."))
}

pub(crate) async fn resources(
    State(state): State<AppState>,
    _: Authorized<Read>,
) -> Result<Json<Value>, Problem> {
    wire(&state, catalog().resources())
}

/// A body with its scope types in the form this sandbox answers with: numbers, as live tenants
/// send them (in the catalog 0 user only, 1 application only, 2 either; in an app's scopes 0 user,
/// 1 application), or the published spec's names ([`ScopeTypes::Names`]).
fn wire<T: Serialize + ?Sized>(state: &Shared, body: &T) -> Result<Json<Value>, Problem> {
    let mut value = serde_json::to_value(body).map_err(|_| Problem::internal())?;
    if state.scope_types == ScopeTypes::Numbers {
        number_scope_types(&mut value);
    }
    Ok(Json(value))
}

fn number_scope_types(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(number_scope_types),
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                let number = match (key.as_str(), &*member) {
                    ("type", Value::String(name)) => match name.as_str() {
                        "user" => Some(0),
                        "application" => Some(1),
                        "userAndApplication" => Some(2),
                        _ => None,
                    },
                    _ => None,
                };
                match number {
                    Some(number) => *member = Value::from(number),
                    None => number_scope_types(member),
                }
            }
        }
        _ => {}
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    _: Authorized<Read>,
    Path(partition): Path<String>,
) -> Result<Json<Value>, Problem> {
    check_partition_path(&state, &partition)?;
    let clients = state.db.run(|conn| store::list_clients(conn)).await?;
    let clients: Vec<ExternalClientDto> = clients
        .into_iter()
        .map(|client| ExternalClientDto::new(client, None))
        .map(|dto| match state.listed_apps {
            ListedApps::Bare => dto.bare(),
            ListedApps::Whole => dto,
        })
        .collect();
    wire(&state, &clients)
}

pub(crate) async fn get_one(
    State(state): State<AppState>,
    _: Authorized<Read>,
    Path((partition, client_id)): Path<(String, String)>,
) -> Result<Json<Value>, Problem> {
    check_partition_path(&state, &partition)?;
    let id = client_id.clone();
    let client = state
        .db
        .run(move |conn| store::get_client(conn, &id))
        .await?;
    let client = client.ok_or_else(|| unknown_client(&client_id))?;
    wire(&state, &ExternalClientDto::new(client, None))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    JsonBody(command): JsonBody<CreateCommand>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let mut errors = FieldErrors::default();
    if command.partition_global_id.is_none() {
        errors.add(
            "PartitionGlobalId",
            "The PartitionGlobalId field is required.",
        );
    }
    if command.is_confidential.is_none() {
        errors.add("IsConfidential", "The IsConfidential field is required.");
    }
    let input = AppInput {
        name: command.name.as_deref(),
        is_confidential: command.is_confidential,
        redirect_uri: command.redirect_uri.as_deref(),
        held_name: None,
        held_redirect_uris: &[],
        scopes: command.scopes.as_deref(),
    };
    let fields = validate::app(&input, &mut errors);
    let (Some(fields), Some(partition), Some(is_confidential)) =
        (fields, command.partition_global_id, command.is_confidential)
    else {
        return Err(errors.into_problem());
    };
    check_partition(&state, partition)?;

    let id = Uuid::new_v4().to_string();
    let secret = if is_confidential {
        Some(secrets::generate()?)
    } else {
        None
    };
    let hash = secret.as_ref().map(|secret| secrets::hash(secret.expose()));
    let now = OffsetDateTime::now_utc();
    let record = state
        .db
        .run(move |conn| -> rusqlite::Result<ClientRecord> {
            let tx = conn.transaction()?;
            store::insert_client(&tx, &id, is_confidential, &fields)?;
            let initial = match hash {
                Some(hash) => {
                    vec![store::insert_secret(
                        &tx,
                        &id,
                        Some(INITIAL_SECRET_DESCRIPTION),
                        &hash,
                        now,
                        None,
                    )?]
                }
                None => Vec::new(),
            };
            tx.commit()?;
            Ok(ClientRecord {
                id,
                is_confidential,
                fields,
                secrets: initial,
            })
        })
        .await?;
    tracing::info!(client_id = %record.id, by = %caller.client_id, "created an external application");
    Ok((
        StatusCode::CREATED,
        wire(&state, &ExternalClientDto::new(record, secret))?,
    ))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    Path((partition, client_id)): Path<(String, String)>,
    JsonBody(command): JsonBody<UpdateCommand>,
) -> Result<Json<Value>, Problem> {
    check_partition_path(&state, &partition)?;
    let id = client_id.clone();
    let current = state
        .db
        .run(move |conn| store::get_client(conn, &id))
        .await?;
    let current = current.ok_or_else(|| unknown_client(&client_id))?;
    let held: Vec<&str> = current
        .fields
        .redirect_uri
        .as_deref()
        .map(|uris| uris.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let fields = validate::app_or_problem(&AppInput {
        name: command.name.as_deref(),
        is_confidential: Some(current.is_confidential),
        redirect_uri: command.redirect_uri.as_deref(),
        held_name: Some(&current.fields.name),
        held_redirect_uris: &held,
        scopes: command.scopes.as_deref(),
    })?;
    let id = client_id.clone();
    let updated = state
        .db
        .run(move |conn| {
            if store::update_client(conn, &id, &fields)? {
                store::get_client(conn, &id)
            } else {
                Ok(None)
            }
        })
        .await?;
    let updated = updated.ok_or_else(|| unknown_client(&client_id))?;
    tracing::info!(client_id = %client_id, by = %caller.client_id, "updated an external application");
    wire(&state, &ExternalClientDto::new(updated, None))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    Path((partition, client_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    check_partition_path(&state, &partition)?;
    let id = client_id.clone();
    if !state
        .db
        .run(move |conn| store::delete_client(conn, &id))
        .await?
    {
        return Err(unknown_client(&client_id));
    }
    tracing::info!(client_id = %client_id, by = %caller.client_id, "deleted an external application");
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn generate_secret(
    State(state): State<AppState>,
    caller: Authorized<SecretWrite>,
    JsonBody(command): JsonBody<SecretCommand>,
) -> Result<Json<SecretDto>, Problem> {
    let mut errors = FieldErrors::default();
    let client_id = command.client_id.filter(|id| !id.trim().is_empty());
    if client_id.is_none() {
        errors.add("ClientId", "The ClientId field is required.");
    }
    if command.partition_global_id.is_none() {
        errors.add(
            "PartitionGlobalId",
            "The PartitionGlobalId field is required.",
        );
    }
    if command
        .expiry_time
        .is_some_and(|expiry| expiry <= OffsetDateTime::now_utc())
    {
        errors.add("ExpiryTime", "The expiry time must be in the future.");
    }
    validate::description(command.description.as_deref(), &mut errors);
    let (client_id, partition) = match (client_id, command.partition_global_id) {
        (Some(client_id), Some(partition)) if errors.is_empty() => (client_id, partition),
        _ => return Err(errors.into_problem()),
    };
    check_partition(&state, partition)?;
    let (record, secret) = add_secret(
        &state,
        &caller,
        client_id,
        command.description,
        command.expiry_time,
    )
    .await?;
    Ok(Json(SecretDto::new(record, Some(secret))))
}

/// The older form: the new secret as a bare JSON string.
pub(crate) async fn generate_secret_legacy(
    State(state): State<AppState>,
    caller: Authorized<SecretWrite>,
    Path((partition, client_id)): Path<(String, String)>,
) -> Result<Json<String>, Problem> {
    check_partition_path(&state, &partition)?;
    let (_, secret) = add_secret(&state, &caller, client_id, None, None).await?;
    Ok(Json(secret.expose().to_owned()))
}

async fn add_secret(
    state: &Shared,
    caller: &Authorized<SecretWrite>,
    client_id: String,
    description: Option<String>,
    expires: Option<OffsetDateTime>,
) -> Result<(SecretRecord, Secret), Problem> {
    let secret = secrets::generate()?;
    let hash = secrets::hash(secret.expose());
    let now = OffsetDateTime::now_utc();
    enum Outcome {
        Added(SecretRecord),
        NotConfidential,
        UnknownClient,
    }
    let id = client_id.clone();
    let outcome = state
        .db
        .run(move |conn| -> rusqlite::Result<Outcome> {
            let tx = conn.transaction()?;
            let outcome = match store::is_confidential(&tx, &id)? {
                Some(true) => Outcome::Added(store::insert_secret(
                    &tx,
                    &id,
                    description.as_deref(),
                    &hash,
                    now,
                    expires,
                )?),
                Some(false) => Outcome::NotConfidential,
                None => Outcome::UnknownClient,
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await?;
    let record = match outcome {
        Outcome::Added(record) => record,
        Outcome::NotConfidential => {
            return Err(Problem::field(
                "ClientId",
                "A non-confidential application has no secrets.",
            ))
        }
        Outcome::UnknownClient => return Err(unknown_client(&client_id)),
    };
    tracing::info!(
        client_id = %client_id, secret_id = record.id, by = %caller.client_id, "generated a client secret"
    );
    Ok((record, secret))
}

pub(crate) async fn delete_secret(
    State(state): State<AppState>,
    caller: Authorized<SecretWrite>,
    Path((partition, secret_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    check_partition_path(&state, &partition)?;
    let unknown = || Problem::not_found(format!("No secret with id {secret_id}."));
    let id: i64 = secret_id.parse().map_err(|_| unknown())?;
    if !state
        .db
        .run(move |conn| store::delete_secret(conn, id))
        .await?
    {
        return Err(unknown());
    }
    tracing::info!(secret_id = id, by = %caller.client_id, "deleted a client secret");
    Ok(StatusCode::NO_CONTENT)
}
