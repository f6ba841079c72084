//! The JSON shapes the External Client API sends and takes, with their lenient readers into the
//! domain types and into [`Error`]s for its refusals.

use std::collections::BTreeMap;

use reqwest::{Response, StatusCode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::http::retry_after;
use crate::model::{
    AppType, CatalogResource, CatalogScope, ExternalApp, Field, Scope, ScopeType, SecretInfo,
    TokenAuth,
};
use crate::Secret;

pub(super) fn join_redirects(uris: &[String]) -> Option<String> {
    (!uris.is_empty()).then(|| uris.join(","))
}

fn split_redirects(joined: Option<String>) -> Vec<String> {
    joined
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// ASP.NET ProblemDetails, which the identity server answers failures with.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ProblemDetails {
    title: Option<String>,
    detail: Option<String>,
    message: Option<String>,
    #[serde(default)]
    errors: BTreeMap<String, Vec<String>>,
}

pub(super) async fn api_error(response: Response, what: &str) -> Error {
    let status = response.status();
    let wait = retry_after(&response);
    if crate::http::is_html(&response) {
        return crate::http::html_error(what);
    }
    let problem: ProblemDetails = response
        .bytes()
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let said = problem
        .detail
        .or(problem.message)
        .or(problem.title)
        .map(|m| format!(" The server said: {m}"))
        .unwrap_or_default();
    match status {
        StatusCode::BAD_REQUEST if !problem.errors.is_empty() => Error::InvalidInput {
            field: problem.errors.keys().find_map(|key| field_of(key)),
            message: format!(
                "The identity server refused {what}: {}",
                field_messages(&problem.errors)
            ),
        },
        StatusCode::BAD_REQUEST => Error::InvalidInput {
            field: None,
            message: format!("The identity server refused {what}.{said}"),
        },
        StatusCode::UNAUTHORIZED => Error::Unauthorized(format!(
            "The identity server did not accept the admin token while {what}. Check the connection's credentials."
        )),
        StatusCode::FORBIDDEN => Error::Forbidden(format!(
            "The admin app is not allowed to do this ({what}): it needs PM.OAuthApp (or the matching \
             .Read, .Write or PM.OAuthAppSecret.Write scope)."
        )),
        StatusCode::NOT_FOUND => Error::NotFound(format!(
            "Not found while {what}: the application may have been deleted, or the organization ID is wrong.{said}"
        )),
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited { retry_after: wait },
        status if status.is_server_error() => Error::Server(format!(
            "The identity server failed while {what} (HTTP {}). Try again later.",
            status.as_u16()
        )),
        status => Error::Server(format!(
            "The identity server answered {what} with HTTP {}.{said}",
            status.as_u16()
        )),
    }
}

/// Each field's messages, named as the admin knows the field: "Redirect URLs: must be https."
fn field_messages(errors: &BTreeMap<String, Vec<String>>) -> String {
    errors
        .iter()
        .map(|(key, messages)| {
            let text = messages.join(" ");
            match field_of(key) {
                Some(field) => format!("{}: {text}", field.label()),
                None if key.is_empty() || key == "$" => text,
                None => format!("{key}: {text}"),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The draft field an ASP.NET model-state key names: `name`, `Name`, `$.redirectUri`,
/// `scopes[0].name` and `command.Scopes` are all seen.
fn field_of(key: &str) -> Option<Field> {
    let key = key.to_ascii_lowercase();
    let key = key.trim_start_matches("$.");
    let key = key.strip_prefix("command.").unwrap_or(key);
    match key.split(['.', '[']).next().unwrap_or(key) {
        "name" => Some(Field::Name),
        "redirecturi" => Some(Field::RedirectUris),
        "scopes" => Some(Field::Scopes),
        "isconfidential" => Some(Field::AppType),
        _ => None,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreateCommand<'a> {
    pub(super) partition_global_id: Uuid,
    pub(super) name: &'a str,
    pub(super) is_confidential: bool,
    /// Left out when there is none, as the tools used against live tenants do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) redirect_uri: Option<String>,
    pub(super) scopes: Vec<ScopeRef<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UpdateCommand<'a> {
    pub(super) name: &'a str,
    pub(super) redirect_uri: Option<String>,
    pub(super) scopes: Vec<ScopeRef<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreateSecretCommand<'a> {
    pub(super) client_id: &'a str,
    pub(super) description: &'a str,
    pub(super) partition_global_id: Uuid,
    #[serde(with = "time::serde::rfc3339::option")]
    pub(super) expiry_time: Option<OffsetDateTime>,
}

#[derive(Serialize)]
pub(super) struct ScopeRef<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    scope_type: WireScopeType,
}

impl<'a> From<&'a Scope> for ScopeRef<'a> {
    fn from(scope: &'a Scope) -> Self {
        let scope_type = match scope.scope_type {
            ScopeType::User => WireScopeType::User,
            ScopeType::Application => WireScopeType::Application,
        };
        Self {
            name: &scope.name,
            scope_type,
        }
    }
}

/// A scope's type on the wire. Live tenants send and take numbers (in the catalog 0 user only,
/// 1 application only, 2 either; in an app's scopes 0 user, 1 application); the published spec
/// names strings (`user`, `application`, `userAndApplication`). Both are read; numbers are sent,
/// as the tools used against live tenants send them (fixtures in `tests/fixtures/uipath/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WireScopeType {
    User,
    Application,
    UserAndApplication,
}

impl Serialize for WireScopeType {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_u8(match self {
            WireScopeType::User => 0,
            WireScopeType::Application => 1,
            WireScopeType::UserAndApplication => 2,
        })
    }
}

impl<'de> Deserialize<'de> for WireScopeType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(u64),
            Text(String),
        }
        let read = match Either::deserialize(d)? {
            Either::Number(0) => Some(WireScopeType::User),
            Either::Number(1) => Some(WireScopeType::Application),
            Either::Number(2) => Some(WireScopeType::UserAndApplication),
            Either::Number(_) => None,
            // ASP.NET writes enums by name in either case.
            Either::Text(text) => match text.to_ascii_lowercase().as_str() {
                "user" | "0" => Some(WireScopeType::User),
                "application" | "1" => Some(WireScopeType::Application),
                "userandapplication" | "2" => Some(WireScopeType::UserAndApplication),
                _ => None,
            },
        };
        read.ok_or_else(|| {
            serde::de::Error::custom(
                "a scope type is 0, 1, 2 or user, application, userAndApplication",
            )
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ExternalClientDto {
    name: Option<String>,
    id: Option<String>,
    pub(super) secret: Option<Secret>,
    is_confidential: bool,
    redirect_uri: Option<String>,
    resources: Option<Vec<ResourceDto>>,
    secrets: Option<Vec<SecretDto>>,
}

impl ExternalClientDto {
    pub(super) fn into_app(self) -> Result<ExternalApp> {
        let id = self.id.ok_or_else(|| {
            Error::Server("The identity server listed an application without an App ID.".into())
        })?;
        let listed_only = self.resources.is_none() || self.secrets.is_none();
        let mut scopes = Vec::new();
        for resource in self.resources.unwrap_or_default() {
            for scope in resource.scopes.unwrap_or_default() {
                let Some(name) = scope.name else { continue };
                let types: &[ScopeType] = match scope.scope_type {
                    Some(WireScopeType::User) => &[ScopeType::User],
                    Some(WireScopeType::Application) => &[ScopeType::Application],
                    Some(WireScopeType::UserAndApplication) => {
                        &[ScopeType::User, ScopeType::Application]
                    }
                    None => &[],
                };
                scopes.extend(types.iter().map(|t| Scope::new(name.clone(), *t)));
            }
        }
        scopes.sort();
        scopes.dedup();
        Ok(ExternalApp {
            name: self.name.unwrap_or_default(),
            app_type: if self.is_confidential {
                AppType::Confidential
            } else {
                AppType::NonConfidential
            },
            redirect_uris: split_redirects(self.redirect_uri),
            scopes,
            secrets: self
                .secrets
                .unwrap_or_default()
                .into_iter()
                .map(SecretDto::into_info)
                .collect(),
            id,
            token_auth: TokenAuth::SecretPost,
            listed_only,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResourceDto {
    name: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    scopes: Option<Vec<ScopeDto>>,
}

impl ResourceDto {
    pub(super) fn into_catalog(self) -> CatalogResource {
        let name = self.name.unwrap_or_default();
        CatalogResource {
            display_name: self.display_name.unwrap_or_else(|| name.clone()),
            name,
            description: self.description,
            scopes: self
                .scopes
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| {
                    let name = s.name?;
                    let (user, application) = match s.scope_type {
                        Some(WireScopeType::User) => (true, false),
                        Some(WireScopeType::Application) => (false, true),
                        Some(WireScopeType::UserAndApplication) | None => (true, true),
                    };
                    Some(CatalogScope {
                        display_name: s.display_name.unwrap_or_else(|| name.clone()),
                        name,
                        description: s.description,
                        user,
                        application,
                    })
                })
                .collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeDto {
    name: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    #[serde(rename = "type")]
    scope_type: Option<WireScopeType>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SecretDto {
    id: i64,
    description: Option<String>,
    /// Only in the answer to GenerateSecret.
    #[serde(default)]
    pub(super) secret: Option<Secret>,
    #[serde(with = "lenient_time")]
    creation_time: OffsetDateTime,
    #[serde(default, with = "lenient_time::option")]
    expiry_time: Option<OffsetDateTime>,
}

impl SecretDto {
    pub(super) fn into_info(self) -> SecretInfo {
        SecretInfo {
            id: self.id,
            description: self.description,
            created: self.creation_time,
            expires: self.expiry_time,
        }
    }
}

/// .NET writes `DateTime`s with or without an offset; one without is UTC on these servers.
mod lenient_time {
    use serde::{de::Error as _, Deserialize, Deserializer};
    use time::format_description::well_known::Rfc3339;
    use time::{OffsetDateTime, PrimitiveDateTime};

    fn parse(text: &str) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
            let format = time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
            );
            PrimitiveDateTime::parse(text, format)
                .ok()
                .map(PrimitiveDateTime::assume_utc)
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).ok_or_else(|| D::Error::custom(format!("not a date-time: {text}")))
    }

    pub mod option {
        use super::*;

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(text) => super::parse(&text)
                    .map(Some)
                    .ok_or_else(|| D::Error::custom(format!("not a date-time: {text}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shapes live tenants send and take (`tests/fixtures/uipath/README.md` names the sources).
    mod fixtures {
        pub const APP: &str = include_str!("../../tests/fixtures/uipath/external-client.json");
        pub const LIST: &str =
            include_str!("../../tests/fixtures/uipath/external-client-list.json");
        pub const CATALOG: &str =
            include_str!("../../tests/fixtures/uipath/external-api-resource.json");
        pub const CREATE: &str =
            include_str!("../../tests/fixtures/uipath/create-external-client-command.json");
        pub const PROBLEM: &str =
            include_str!("../../tests/fixtures/uipath/validation-problem.json");
    }

    #[test]
    fn a_live_tenants_app_reads_with_numeric_scope_types_and_secrets() {
        let app = crate::http::parse_json::<ExternalClientDto>(fixtures::APP.as_bytes(), "x")
            .unwrap()
            .into_app()
            .unwrap();
        assert_eq!(
            app.scopes,
            [
                Scope::new("OR.Assets", ScopeType::Application),
                Scope::new("OR.Jobs", ScopeType::Application),
                Scope::new("OR.Users.Read", ScopeType::User),
            ]
        );
        assert_eq!(
            app.secrets.iter().map(|s| s.id).collect::<Vec<_>>(),
            [48213, 48377]
        );
        assert_eq!(app.secrets[1].expires.map(|e| e.year()), Some(2027));
        assert!(app.redirect_uris.is_empty());
        assert!(!app.listed_only);
    }

    #[test]
    fn a_live_tenants_list_reads_without_scopes_or_secrets() {
        let apps: Vec<ExternalApp> =
            crate::http::parse_json::<Vec<ExternalClientDto>>(fixtures::LIST.as_bytes(), "x")
                .unwrap()
                .into_iter()
                .map(|dto| dto.into_app().unwrap())
                .collect();
        assert_eq!(apps[1].app_type, AppType::NonConfidential);
        assert_eq!(
            apps[1].redirect_uris,
            ["http://localhost:8085/Temporary_Listen_Addresses"]
        );
        // Not known to have none: the list leaves them out.
        assert!(apps
            .iter()
            .all(|a| a.scopes.is_empty() && a.secrets.is_empty() && a.listed_only));
    }

    #[test]
    fn a_live_tenants_catalog_reads_each_scope_type() {
        let catalog: Vec<CatalogResource> =
            crate::http::parse_json::<Vec<ResourceDto>>(fixtures::CATALOG.as_bytes(), "x")
                .unwrap()
                .into_iter()
                .map(ResourceDto::into_catalog)
                .collect();
        let types: Vec<(&str, bool, bool)> = catalog
            .iter()
            .flat_map(|r| &r.scopes)
            .map(|s| (s.name.as_str(), s.user, s.application))
            .collect();
        assert_eq!(
            types,
            [
                ("OR.Jobs", true, true),
                ("OR.Jobs.Read", true, true),
                ("AI.Deployer.Read", false, true),
                ("DataFabric.Data.Read", true, false),
            ]
        );
        assert_eq!(catalog[1].description, None);
    }

    #[test]
    fn a_create_is_sent_in_the_shape_live_tenants_take() {
        let scopes = [
            Scope::new("OR.Jobs", ScopeType::Application),
            Scope::new("OR.Users", ScopeType::User),
        ];
        let body = CreateCommand {
            partition_global_id: "6a0b4f6e-2c59-4d3e-9b1a-7f8e9d0c1b2a".parse().unwrap(),
            name: "Billing sync",
            is_confidential: true,
            redirect_uri: Some("https://billing.example.com/callback".into()),
            scopes: scopes.iter().map(ScopeRef::from).collect(),
        };
        let expected: serde_json::Value = serde_json::from_str(fixtures::CREATE).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), expected);
        let without = CreateCommand {
            redirect_uri: None,
            ..body
        };
        assert!(
            serde_json::to_value(&without)
                .unwrap()
                .get("redirectUri")
                .is_none(),
            "no null members"
        );
    }

    #[test]
    fn a_live_tenants_refusal_names_each_field() {
        let problem: ProblemDetails = serde_json::from_str(fixtures::PROBLEM).unwrap();
        assert_eq!(
            field_messages(&problem.errors),
            "Redirect URLs: The redirect URI must be an absolute URI. \
             Scopes: Not all scopes=OR.Nope are present in database"
        );
        assert_eq!(
            problem.errors.keys().find_map(|key| field_of(key)),
            Some(Field::RedirectUris)
        );
    }

    #[test]
    fn scope_types_are_sent_as_numbers() {
        let scopes = [
            Scope::new("OR.Jobs", ScopeType::User),
            Scope::new("OR.Jobs", ScopeType::Application),
        ];
        let body = UpdateCommand {
            name: "Sync",
            redirect_uri: None,
            scopes: scopes.iter().map(ScopeRef::from).collect(),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap()["scopes"],
            serde_json::json!([{"name": "OR.Jobs", "type": 0}, {"name": "OR.Jobs", "type": 1}])
        );
    }

    #[test]
    fn catalog_scope_types_are_read_as_numbers_or_names() {
        let json = r#"[{"name":"UiPath.Orchestrator","scopes":[
            {"name":"OR.Jobs","type":2},{"name":"OR.Users","type":0},{"name":"OR.Ml","type":1},
            {"name":"OR.A","type":"userAndApplication"},{"name":"OR.B","type":"User"},
            {"name":"OR.C","type":"application"}]}]"#;
        let catalog: Vec<ResourceDto> = crate::http::parse_json(json.as_bytes(), "x").unwrap();
        let read: Vec<(String, bool, bool)> = catalog
            .into_iter()
            .flat_map(|r| r.into_catalog().scopes)
            .map(|s| (s.name, s.user, s.application))
            .collect();
        let expected = [
            ("OR.Jobs", true, true),
            ("OR.Users", true, false),
            ("OR.Ml", false, true),
            ("OR.A", true, true),
            ("OR.B", true, false),
            ("OR.C", false, true),
        ]
        .map(|(n, u, a)| (n.to_owned(), u, a));
        assert_eq!(read, expected);
    }

    #[test]
    fn an_unreadable_answer_names_the_member_and_never_its_value() {
        let json = r#"{"name":"Sync","id":"abc","isConfidential":true,
            "resources":[{"name":"UiPath.Orchestrator","scopes":[{"name":"OR.Jobs","type":7}]}]}"#;
        let error =
            crate::http::parse_json::<ExternalClientDto>(json.as_bytes(), "reading the app")
                .err()
                .expect("7 is no scope type");
        let said = error.to_string();
        assert!(said.contains("`resources[0].scopes[0].type`"), "{said}");

        // serde's own message would quote the value: invalid type: string "s3cr3t-value".
        let json = r#"{"id":"abc","isConfidential":"s3cr3t-value"}"#;
        let error =
            crate::http::parse_json::<ExternalClientDto>(json.as_bytes(), "reading the app")
                .err()
                .expect("isConfidential is a boolean");
        let said = error.to_string();
        assert!(said.contains("`isConfidential`"), "{said}");
        assert!(!said.contains("s3cr3t"), "{said}");

        let error =
            crate::http::parse_json::<ExternalClientDto>(br#"{"id":"abc"}"#, "reading the app")
                .err()
                .expect("isConfidential is needed");
        assert!(
            error
                .to_string()
                .contains("lacks the member `isConfidential`"),
            "{error}"
        );
    }

    #[test]
    fn each_refused_field_is_named_with_its_message() {
        let errors = BTreeMap::from([
            (
                "redirectUri".to_owned(),
                vec!["Must be absolute.".to_owned()],
            ),
            ("scopes[0].name".to_owned(), vec!["Unknown.".to_owned()]),
            ("partitionGlobalId".to_owned(), vec!["Required.".to_owned()]),
        ]);
        assert_eq!(
            field_messages(&errors),
            "partitionGlobalId: Required. Redirect URLs: Must be absolute. Scopes: Unknown."
        );
        assert_eq!(field_of("$.redirectUri"), Some(Field::RedirectUris));
        assert_eq!(field_of("Name"), Some(Field::Name));
        assert_eq!(field_of("command.Scopes"), Some(Field::Scopes));
    }

    #[test]
    fn a_client_reads_into_the_domain_with_both_scope_types() {
        let json = r#"{"name":"Sync","id":"abc","secret":null,"isConfidential":true,
            "redirectUri":"https://a.example/cb, https://b.example/cb",
            "resources":[{"name":"OR","displayName":"Orchestrator","scopes":[
                {"name":"OR.Jobs","type":"application"},{"name":"OR.Jobs","type":"user"}]}],
            "secrets":[{"id":7,"description":"first","secret":null,
                "creationTime":"2026-01-02T03:04:05.123","expiryTime":"2027-01-01T00:00:00Z"}]}"#;
        let app = serde_json::from_str::<ExternalClientDto>(json)
            .unwrap()
            .into_app()
            .unwrap();
        assert_eq!(
            app.redirect_uris,
            ["https://a.example/cb", "https://b.example/cb"]
        );
        assert_eq!(
            app.scopes,
            [
                Scope::new("OR.Jobs", ScopeType::User),
                Scope::new("OR.Jobs", ScopeType::Application)
            ]
        );
        assert_eq!(app.secrets[0].created.year(), 2026);
        assert_eq!(app.secrets[0].expires.map(|e| e.year()), Some(2027));
    }
}
