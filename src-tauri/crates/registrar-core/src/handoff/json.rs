//! The sheet as JSON for scripts, in the versioned format `registrar.handoff/1` described in
//! `SCHEMA.md`. Client fields use RFC 7591 client-metadata names, endpoints RFC 8414 names.

use serde::Serialize;

use super::{Request, SecretDelivery, Sheet, JSON_SCHEMA};
use crate::model::{rfc3339, AppType, Grant, ScopeType};

#[derive(Serialize)]
struct HandoffJson<'a> {
    schema: &'static str,
    produced_at: String,
    produced_by: &'a str,
    connection: ConnectionJson<'a>,
    client: ClientJson<'a>,
    scopes: ScopesJson<'a>,
    /// "included", "separately" or "not_applicable".
    secret_delivery: &'static str,
    secrets: Vec<SecretJson<'a>>,
    endpoints: EndpointsJson<'a>,
    requests: Vec<RequestJson<'a>>,
}

#[derive(Serialize)]
struct ConnectionJson<'a> {
    name: &'a str,
    kind: &'a str,
    organization: &'a str,
}

#[derive(Serialize)]
struct ClientJson<'a> {
    client_id: &'a str,
    client_name: &'a str,
    /// Registrar's: "confidential" or "non_confidential".
    app_type: &'static str,
    token_endpoint_auth_method: &'static str,
    grant_types: Vec<&'static str>,
    response_types: Vec<&'static str>,
    redirect_uris: &'a [String],
    /// Every scope the app holds, of either type, space-separated.
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
}

#[derive(Serialize)]
struct ScopesJson<'a> {
    user: Vec<ResourceJson<'a>>,
    application: Vec<ResourceJson<'a>>,
}

#[derive(Serialize)]
struct ResourceJson<'a> {
    resource: &'a str,
    scopes: &'a [String],
}

#[derive(Serialize)]
struct SecretJson<'a> {
    description: Option<&'a str>,
    created_at: String,
    expires_at: Option<String>,
    /// Whether this is the secret whose value is `client.client_secret`.
    in_this_sheet: bool,
}

#[derive(Serialize)]
struct EndpointsJson<'a> {
    issuer: &'a str,
    token_endpoint: &'a str,
    /// Empty when the server has none (a string still, as in `registrar.handoff/1`).
    authorization_endpoint: &'a str,
    discovery_url: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
enum RequestJson<'a> {
    ClientCredentials {
        curl: &'a str,
    },
    AuthorizationCode {
        pkce_only: bool,
        redirect_uri: &'a str,
        state: &'a str,
        code_verifier: &'a str,
        code_challenge: &'a str,
        code_challenge_method: &'static str,
        authorization_url: &'a str,
        token_exchange_curl: &'a str,
    },
}

pub fn render(sheet: &Sheet) -> String {
    let app = &sheet.app;
    let mut scope: Vec<&str> = app.scopes.iter().map(|s| s.name.as_str()).collect();
    scope.sort_unstable();
    scope.dedup();
    let resources = |scope_type: ScopeType| -> Vec<ResourceJson<'_>> {
        sheet
            .scopes
            .iter()
            .filter(|g| g.scope_type == scope_type)
            .flat_map(|g| &g.resources)
            .map(|r| ResourceJson {
                resource: &r.resource,
                scopes: &r.scopes,
            })
            .collect()
    };
    let grant_types = {
        let mut types: Vec<&'static str> = sheet.grants.iter().map(|g| g.grant_type()).collect();
        types.dedup();
        types
    };
    let user_flow = sheet.grants.iter().any(|g| *g != Grant::ClientCredentials);
    let json = HandoffJson {
        schema: JSON_SCHEMA,
        produced_at: rfc3339(sheet.produced_at),
        produced_by: &sheet.produced_by,
        connection: ConnectionJson {
            name: &sheet.connection.name,
            kind: &sheet.connection.kind,
            organization: &sheet.connection.organization,
        },
        client: ClientJson {
            client_id: &app.id,
            client_name: &app.name,
            app_type: match app.app_type {
                AppType::Confidential => "confidential",
                AppType::NonConfidential => "non_confidential",
            },
            token_endpoint_auth_method: match app.app_type {
                AppType::Confidential => app.token_auth.method(),
                AppType::NonConfidential => "none",
            },
            grant_types,
            response_types: if user_flow { vec!["code"] } else { vec![] },
            redirect_uris: &app.redirect_uris,
            scope: scope.join(" "),
            client_secret: match &sheet.secret {
                SecretDelivery::Included(secret) => Some(secret.value.expose()),
                _ => None,
            },
        },
        scopes: ScopesJson {
            user: resources(ScopeType::User),
            application: resources(ScopeType::Application),
        },
        secret_delivery: match sheet.secret {
            SecretDelivery::Included(_) => "included",
            SecretDelivery::Separately => "separately",
            SecretDelivery::NotApplicable => "not_applicable",
        },
        secrets: app
            .secrets
            .iter()
            .map(|s| SecretJson {
                description: s.description.as_deref(),
                created_at: rfc3339(s.created),
                expires_at: s.expires.map(rfc3339),
                in_this_sheet: sheet.included_secret().is_some_and(|i| i.id == s.id),
            })
            .collect(),
        endpoints: EndpointsJson {
            issuer: sheet.endpoints.authority.as_str(),
            token_endpoint: sheet.endpoints.token.as_str(),
            authorization_endpoint: sheet
                .endpoints
                .authorize
                .as_ref()
                .map_or("", url::Url::as_str),
            discovery_url: sheet.endpoints.discovery.as_str(),
        },
        requests: sheet
            .requests
            .iter()
            .map(|request| match request {
                Request::ClientCredentials { curl } => RequestJson::ClientCredentials { curl },
                Request::AuthorizationCode {
                    grant,
                    redirect_uri,
                    state,
                    pkce,
                    authorization_url,
                    token_exchange,
                } => RequestJson::AuthorizationCode {
                    pkce_only: *grant == Grant::AuthorizationCodePkce,
                    redirect_uri,
                    state,
                    code_verifier: &pkce.verifier,
                    code_challenge: &pkce.challenge,
                    code_challenge_method: "S256",
                    authorization_url: authorization_url.as_str(),
                    token_exchange_curl: token_exchange,
                },
            })
            .collect(),
    };
    let mut text =
        serde_json::to_string_pretty(&json).expect("a sheet of strings always serializes");
    text.push('\n');
    text
}
