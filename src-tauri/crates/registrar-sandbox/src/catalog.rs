//! The resource catalog: which APIs exist, their scopes, and the types each scope may be granted as.
//! The data lives in `catalog.json` so it can change without touching code.
//!
//! Its resource and scope names are those public code that calls live tenants shows: the
//! resource `UiPath.Orchestrator` and the scope types (every Orchestrator scope either type, AI
//! Center and IXP scopes application only) from the PowerShell module `UiPath-Services/UiPathOrch`
//! (`OrchEntities.cs`, `ExternalScopeCompleters.cs`, its tests); `PlatformManagement`,
//! `TestManager`, `UiPath.DocumentUnderstanding` (`Du.*.Api`), `UiPath.AICenter` (`.Read` and
//! `.Write` only), `DataFabricOpenApi` (`DataFabric.*`) and `Ixp.ExternalService` from public
//! notes that list a tenant's catalog. Integration Service has no external-app resource there.
//! Descriptions are ours.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// Serialized exactly as the server's ExternalResourceDto, so the catalog is served as it is parsed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Resource {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub scopes: Vec<ScopeInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScopeInfo {
    pub name: String,
    pub display_name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: ScopeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ScopeKind {
    User,
    Application,
    UserAndApplication,
}

impl ScopeKind {
    fn allows(self, grant: Grant) -> bool {
        matches!(
            (self, grant),
            (Self::UserAndApplication, _)
                | (Self::User, Grant::User)
                | (Self::Application, Grant::Application)
        )
    }
}

/// How an app holds a scope: as a signed-in user, or as itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Grant {
    User,
    Application,
}

impl Grant {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Application => "application",
        }
    }

    /// A scope type as ASP.NET binds an enum: its number, or its name in any case (so "User"
    /// is accepted like "user" and 0).
    pub fn read(value: &serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::Number(n) => match n.as_u64()? {
                0 => Some(Self::User),
                1 => Some(Self::Application),
                _ => None,
            },
            serde_json::Value::String(text) => Self::parse(text),
            _ => None,
        }
    }

    /// The name as stored, in any case.
    pub fn parse(value: &str) -> Option<Self> {
        if value.eq_ignore_ascii_case("user") {
            Some(Self::User)
        } else if value.eq_ignore_ascii_case("application") {
            Some(Self::Application)
        } else {
            None
        }
    }
}

impl From<Grant> for ScopeKind {
    fn from(grant: Grant) -> Self {
        match grant {
            Grant::User => Self::User,
            Grant::Application => Self::Application,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct GrantedScope {
    pub name: String,
    pub grant: Grant,
}

#[derive(Debug)]
pub(crate) struct Catalog {
    resources: Vec<Resource>,
    /// Scope name to (resource index, scope index).
    index: HashMap<String, (usize, usize)>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let resources: Vec<Resource> = serde_json::from_str(include_str!("catalog.json"))
        .expect("catalog.json is valid: a unit test parses it");
    Catalog::new(resources)
});

pub(crate) fn catalog() -> &'static Catalog {
    &CATALOG
}

impl Catalog {
    fn new(resources: Vec<Resource>) -> Self {
        let index = resources
            .iter()
            .enumerate()
            .flat_map(|(r, resource)| {
                resource
                    .scopes
                    .iter()
                    .enumerate()
                    .map(move |(s, scope)| (scope.name.clone(), (r, s)))
            })
            .collect();
        Self { resources, index }
    }

    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    pub fn scope_names(&self) -> impl Iterator<Item = &str> {
        self.resources
            .iter()
            .flat_map(|r| r.scopes.iter().map(|s| s.name.as_str()))
    }

    /// The resources that hold any of `scopes`, in catalog order: a token's audience.
    pub fn audience<'a>(&self, scopes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut held = vec![false; self.resources.len()];
        for scope in scopes {
            if let Some(&(r, _)) = self.index.get(scope) {
                held[r] = true;
            }
        }
        self.resources
            .iter()
            .zip(held)
            .filter(|(_, held)| *held)
            .map(|(resource, _)| resource.name.clone())
            .collect()
    }

    pub fn allows(&self, name: &str, grant: Grant) -> bool {
        self.index
            .get(name)
            .is_some_and(|&(r, s)| self.resources[r].scopes[s].kind.allows(grant))
    }

    /// An app's scopes grouped by resource in catalog order, each typed as it was granted.
    pub fn group(&self, granted: &[GrantedScope]) -> Vec<Resource> {
        let mut grouped: Vec<Vec<(usize, Grant)>> = vec![Vec::new(); self.resources.len()];
        for scope in granted {
            if let Some(&(r, s)) = self.index.get(&scope.name) {
                grouped[r].push((s, scope.grant));
            }
        }
        self.resources
            .iter()
            .zip(grouped)
            .filter(|(_, held)| !held.is_empty())
            .map(|(resource, mut held)| {
                held.sort_unstable();
                Resource {
                    name: resource.name.clone(),
                    display_name: resource.display_name.clone(),
                    description: resource.description.clone(),
                    scopes: held
                        .into_iter()
                        .map(|(s, grant)| ScopeInfo {
                            kind: grant.into(),
                            ..resource.scopes[s].clone()
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn kind_of(name: &str) -> ScopeKind {
        let (r, s) = catalog().index[name];
        catalog().resources[r].scopes[s].kind
    }

    #[test]
    fn the_data_file_parses_and_is_complete() {
        let catalog = catalog();
        assert_eq!(catalog.resources().len(), 7);
        let resources: Vec<&str> = catalog
            .resources()
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(
            resources,
            [
                "UiPath.Orchestrator",
                "PlatformManagement",
                "DataFabricOpenApi",
                "TestManager",
                "UiPath.DocumentUnderstanding",
                "UiPath.AICenter",
                "Ixp.ExternalService"
            ]
        );
        let names: Vec<&str> = catalog.scope_names().collect();
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(
            names.len(),
            unique.len(),
            "a scope name appears in two resources"
        );
        for resource in catalog.resources() {
            assert!(!resource.display_name.is_empty() && !resource.description.is_empty());
            for scope in &resource.scopes {
                assert!(!scope.display_name.is_empty(), "{}", scope.name);
                assert!(!scope.description.is_empty(), "{}", scope.name);
            }
        }
        assert_eq!(kind_of("OR.Jobs.Read"), ScopeKind::UserAndApplication);
        assert_eq!(kind_of("OR.Default"), ScopeKind::UserAndApplication);
        assert_eq!(
            kind_of("PM.OAuthAppSecret.Write"),
            ScopeKind::UserAndApplication
        );
        assert_eq!(kind_of("DataFabric.Data.Write"), ScopeKind::User);
        assert_eq!(kind_of("Du.Extraction.Api"), ScopeKind::Application);
        assert_eq!(kind_of("AI.Trainer.Write"), ScopeKind::Application);
        assert_eq!(kind_of("Ixp.ApiAccess"), ScopeKind::Application);
        assert_eq!(
            kind_of("TM.CustomFieldDefinitions.Read"),
            ScopeKind::UserAndApplication
        );
        // 25 Orchestrator resources in three variants plus OR.Default.
        assert_eq!(names.iter().filter(|n| n.starts_with("OR.")).count(), 76);
    }

    #[test]
    fn the_audience_is_the_resources_of_the_scopes_in_catalog_order() {
        assert_eq!(
            catalog().audience(["PM.OAuthApp", "OR.Jobs", "openid", "PM.OAuthApp.Read"]),
            ["UiPath.Orchestrator", "PlatformManagement"]
        );
        assert!(catalog().audience(["openid", "offline_access"]).is_empty());
    }

    #[test]
    fn allows_follows_the_scope_type() {
        let catalog = catalog();
        assert!(catalog.allows("OR.Jobs", Grant::User));
        assert!(catalog.allows("OR.Jobs", Grant::Application));
        assert!(catalog.allows("DataFabric.Data.Read", Grant::User));
        assert!(!catalog.allows("DataFabric.Data.Read", Grant::Application));
        assert!(!catalog.allows("AI.Trainer.Read", Grant::User));
        assert!(!catalog.allows("OR.Nope", Grant::User));
    }

    #[test]
    fn group_keeps_catalog_order_and_both_types_of_a_name() {
        let granted = [
            GrantedScope {
                name: "DataFabric.Data.Read".into(),
                grant: Grant::User,
            },
            GrantedScope {
                name: "OR.Jobs".into(),
                grant: Grant::Application,
            },
            GrantedScope {
                name: "OR.Assets".into(),
                grant: Grant::User,
            },
            GrantedScope {
                name: "OR.Jobs".into(),
                grant: Grant::User,
            },
        ];
        let grouped = catalog().group(&granted);
        let summary: Vec<(&str, Vec<(&str, ScopeKind)>)> = grouped
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.scopes.iter().map(|s| (s.name.as_str(), s.kind)).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "UiPath.Orchestrator",
                    vec![
                        ("OR.Assets", ScopeKind::User),
                        ("OR.Jobs", ScopeKind::User),
                        ("OR.Jobs", ScopeKind::Application)
                    ]
                ),
                (
                    "DataFabricOpenApi",
                    vec![("DataFabric.Data.Read", ScopeKind::User)]
                ),
            ]
        );
    }

    #[test]
    fn grant_read_takes_numbers_and_names_in_any_case_and_refuses_other_types() {
        let read = |v: serde_json::Value| Grant::read(&v);
        assert_eq!(read(serde_json::json!(0)), Some(Grant::User));
        assert_eq!(read(serde_json::json!(1)), Some(Grant::Application));
        assert_eq!(read(serde_json::json!("User")), Some(Grant::User));
        assert_eq!(
            read(serde_json::json!("application")),
            Some(Grant::Application)
        );
        assert_eq!(
            read(serde_json::json!(2)),
            None,
            "an app holds a scope as one type"
        );
        assert_eq!(read(serde_json::json!("userAndApplication")), None);
        assert_eq!(read(serde_json::json!(true)), None);
    }
}
