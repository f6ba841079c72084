//! Apps as code: a connection's apps written to a manifest (YAML or JSON, format
//! `registrar.manifest/1`, see `MANIFEST.md`), and the plan that brings a connection to what a
//! manifest says. A manifest never holds a secret, and holds the server's App IDs only when
//! asked, so that one file describes the same apps on every tenant.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::draft::{AppDraft, Held, ValidDraft};
use crate::edit::{AppChanges, AppEdit};
use crate::error::{Error, Result};
use crate::model::{AppType, CatalogResource, ExternalApp, Scope, ScopeType};

pub const FORMAT: &str = "registrar.manifest/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    #[serde(default)]
    pub apps: Vec<ManifestApp>,
}

/// One app as the manifest wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManifestApp {
    /// The server's App ID: matched by it when given, else by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(rename = "type")]
    pub app_type: AppType,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirect_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_scopes: Vec<String>,
    /// How long the secret of an app created from the manifest lives, in days; left out, it
    /// never expires (or, on a server that sets expiries itself, as the server says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_lifetime_days: Option<u32>,
}

impl ManifestApp {
    /// `app` as a manifest names it: scopes sorted, the newest secret's lifetime as the policy.
    pub fn of(app: &ExternalApp, with_id: bool) -> Self {
        let scopes = |scope_type: ScopeType| {
            let mut names: Vec<String> = app
                .scopes
                .iter()
                .filter(|s| s.scope_type == scope_type)
                .map(|s| s.name.clone())
                .collect();
            names.sort();
            names
        };
        let newest = app.secrets.iter().max_by_key(|s| s.created);
        // Whole days: a secret that works to the end of its last day lives a part day more.
        let lifetime = newest.and_then(|s| {
            let days = (s.expires? - s.created).whole_days();
            u32::try_from(days).ok().filter(|d| *d > 0)
        });
        Self {
            id: with_id.then(|| app.id.clone()),
            name: app.name.clone(),
            app_type: app.app_type,
            redirect_uris: app.redirect_uris.clone(),
            user_scopes: scopes(ScopeType::User),
            application_scopes: scopes(ScopeType::Application),
            secret_lifetime_days: lifetime,
        }
    }

    /// Its user and application scopes.
    pub fn scopes(&self) -> Vec<Scope> {
        self.draft().scopes
    }

    fn draft(&self) -> AppDraft {
        let scopes = self
            .user_scopes
            .iter()
            .map(|n| Scope::new(n, ScopeType::User))
            .chain(
                self.application_scopes
                    .iter()
                    .map(|n| Scope::new(n, ScopeType::Application)),
            )
            .collect();
        AppDraft {
            name: self.name.clone(),
            app_type: self.app_type,
            redirect_uris: self.redirect_uris.clone(),
            scopes,
        }
    }

    pub fn edit(&self) -> AppEdit {
        let draft = self.draft();
        AppEdit {
            name: draft.name,
            redirect_uris: draft.redirect_uris,
            scopes: draft.scopes,
        }
    }

    /// Its scopes that `catalog` does not offer (as the type it has them): a copy to that
    /// server cannot have them.
    pub fn not_offered(&self, catalog: &[CatalogResource]) -> Vec<Scope> {
        let offered = |scope: &Scope| {
            catalog
                .iter()
                .flat_map(|r| &r.scopes)
                .any(|c| c.name == scope.name && c.offers(scope.scope_type))
        };
        self.draft()
            .scopes
            .into_iter()
            .filter(|s| !offered(s))
            .collect()
    }

    /// The same app without `scopes`.
    pub fn without(mut self, scopes: &[Scope]) -> Self {
        let kept = |names: &mut Vec<String>, scope_type: ScopeType| {
            names.retain(|n| !scopes.contains(&Scope::new(n.as_str(), scope_type)));
        };
        kept(&mut self.user_scopes, ScopeType::User);
        kept(&mut self.application_scopes, ScopeType::Application);
        self
    }

    /// The change that creates it on a server with `catalog`, checked against the rules.
    pub fn create(&self, catalog: &[CatalogResource]) -> Result<Change> {
        let valid = self
            .draft()
            .validate(Some(catalog))
            .map_err(|e| self.about(e))?;
        Ok(Change::Create {
            wanted: self.clone(),
            valid,
        })
    }

    /// Says which app of the manifest an error is about.
    fn about(&self, error: Error) -> Error {
        let prefix = format!("In the manifest, \u{201c}{}\u{201d}: ", self.name);
        match error {
            Error::InvalidInput { message, .. } => Error::InvalidInput {
                field: None,
                message: format!("{prefix}{message}"),
            },
            other => other,
        }
    }
}

/// The form a manifest is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Manifest {
    /// The manifest of `apps`, in a stable order (by name, then App ID).
    pub fn of(apps: &[ExternalApp], with_ids: bool) -> Self {
        let mut sorted: Vec<&ExternalApp> = apps.iter().collect();
        sorted.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Self {
            format: FORMAT.to_owned(),
            apps: sorted
                .into_iter()
                .map(|app| ManifestApp::of(app, with_ids))
                .collect(),
        }
    }

    /// Reads a manifest, as JSON when it starts with `{`, else as YAML.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |message: String| Error::InvalidInput {
            field: None,
            message,
        };
        let manifest: Manifest = if text.trim_start().starts_with('{') {
            serde_json::from_str(text)
                .map_err(|e| invalid(format!("The manifest is not valid JSON: {e}.")))?
        } else {
            serde_norway::from_str(text)
                .map_err(|e| invalid(format!("The manifest is not valid YAML: {e}.")))?
        };
        if manifest.format != FORMAT {
            return Err(invalid(format!(
                "The manifest's format is \"{}\"; this Registrar reads \"{FORMAT}\".",
                manifest.format
            )));
        }
        Ok(manifest)
    }

    pub fn render(&self, format: Format) -> Result<String> {
        let failed = |e: String| Error::Storage(format!("Could not write the manifest: {e}."));
        match format {
            Format::Yaml => serde_norway::to_string(self).map_err(|e| failed(e.to_string())),
            Format::Json => serde_json::to_string_pretty(self)
                .map(|text| text + "\n")
                .map_err(|e| failed(e.to_string())),
        }
    }
}

/// One change a plan makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Create {
        wanted: ManifestApp,
        valid: ValidDraft,
    },
    /// `app` as the server has it, changed to `wanted`.
    Update {
        app: Box<ExternalApp>,
        wanted: Box<ManifestApp>,
        changes: AppChanges,
    },
    /// An app on the server the manifest does not name (with `prune` only).
    Delete { app: Box<ExternalApp> },
}

/// What applying a manifest to a connection would do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// The names of the apps already as the manifest says.
    pub unchanged: Vec<String>,
}

/// What it takes to bring `apps` (a connection's, read whole) to `manifest`, every app checked
/// against the rules and `catalog` first; with `prune`, the apps it does not name are deleted.
pub fn plan(
    manifest: &Manifest,
    apps: &[ExternalApp],
    catalog: &[CatalogResource],
    prune: bool,
) -> Result<Plan> {
    let matched = match_apps(manifest, apps)?;
    let mut plan = Plan::default();
    for (wanted, found) in manifest.apps.iter().zip(&matched) {
        let Some(app) = found else {
            plan.changes.push(wanted.create(catalog)?);
            continue;
        };
        if app.app_type != wanted.app_type {
            return Err(wanted.about(Error::InvalidInput {
                field: None,
                message: format!(
                    "it is {} on the server, and an app's type cannot change: delete it there, \
                     or give the manifest's app another name.",
                    match app.app_type {
                        AppType::Confidential => "confidential",
                        AppType::NonConfidential => "non-confidential",
                    }
                ),
            }));
        }
        let held = Held {
            name: &app.name,
            scopes: &app.scopes,
            redirect_uris: &app.redirect_uris,
        };
        let valid = wanted
            .draft()
            .validate_keeping(Some(catalog), &held)
            .map_err(|e| wanted.about(e))?;
        let changes = AppChanges::between(&AppEdit::from(*app), &valid);
        if changes.is_empty() {
            plan.unchanged.push(app.name.clone());
        } else {
            plan.changes.push(Change::Update {
                app: Box::new((*app).clone()),
                wanted: Box::new(wanted.clone()),
                changes,
            });
        }
    }
    if prune {
        let kept: Vec<&str> = matched.iter().flatten().map(|a| a.id.as_str()).collect();
        plan.changes.extend(
            apps.iter()
                .filter(|a| !kept.contains(&a.id.as_str()))
                .map(|app| Change::Delete {
                    app: Box::new(app.clone()),
                }),
        );
    }
    Ok(plan)
}

/// For each app of the manifest, the server's app it names: by App ID when it gives one, else
/// by name. A name given twice, or held by two apps on the server, is an error that says which.
fn match_apps<'a>(
    manifest: &Manifest,
    apps: &'a [ExternalApp],
) -> Result<Vec<Option<&'a ExternalApp>>> {
    let invalid = |message: String| Error::InvalidInput {
        field: None,
        message,
    };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for wanted in manifest.apps.iter().filter(|a| a.id.is_none()) {
        *seen.entry(wanted.name.as_str()).or_default() += 1;
    }
    if let Some((name, _)) = seen.iter().find(|(_, n)| **n > 1) {
        return Err(invalid(format!(
            "The manifest names \u{201c}{name}\u{201d} more than once: give each its App ID \
             (id), or another name."
        )));
    }
    manifest
        .apps
        .iter()
        .map(|wanted| match &wanted.id {
            Some(id) => apps.iter().find(|a| &a.id == id).map(Some).ok_or_else(|| {
                invalid(format!(
                    "In the manifest, \u{201c}{}\u{201d} has the App ID {id}, which no app on \
                         this server has: leave the id out to create it here.",
                    wanted.name
                ))
            }),
            None => {
                let named: Vec<&ExternalApp> =
                    apps.iter().filter(|a| a.name == wanted.name).collect();
                match named.as_slice() {
                    [] => Ok(None),
                    [one] => Ok(Some(*one)),
                    several => Err(invalid(format!(
                        "{} apps are named \u{201c}{}\u{201d} on this server (App IDs {}): give \
                         the manifest's app the id of the one it means.",
                        several.len(),
                        wanted.name,
                        several
                            .iter()
                            .map(|a| a.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))),
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::{Duration, OffsetDateTime};

    use super::*;
    use crate::model::{CatalogScope, SecretInfo, TokenAuth};

    fn catalog() -> Vec<CatalogResource> {
        let scope = |name: &str| CatalogScope {
            name: name.into(),
            display_name: name.into(),
            description: None,
            user: true,
            application: true,
        };
        vec![CatalogResource {
            name: "Orchestrator".into(),
            display_name: "Orchestrator".into(),
            description: None,
            scopes: vec![scope("OR.Jobs"), scope("OR.Jobs.Read"), scope("OR.Queues")],
        }]
    }

    fn app(id: &str, name: &str, scopes: &[&str]) -> ExternalApp {
        let created = OffsetDateTime::UNIX_EPOCH;
        ExternalApp {
            id: id.into(),
            name: name.into(),
            app_type: AppType::Confidential,
            redirect_uris: vec![],
            scopes: scopes
                .iter()
                .map(|s| Scope::new(*s, ScopeType::Application))
                .collect(),
            secrets: vec![SecretInfo {
                id: 1,
                description: None,
                created,
                expires: Some(created + Duration::days(365)),
            }],
            token_auth: TokenAuth::SecretPost,
            listed_only: false,
        }
    }

    #[test]
    fn a_manifest_is_sorted_holds_no_ids_unless_asked_and_reads_back_from_yaml_and_json() {
        let apps = [
            app("b-id", "Nightly", &["OR.Queues", "OR.Jobs"]),
            app("a-id", "Billing", &[]),
        ];
        let manifest = Manifest::of(&apps, false);
        assert_eq!(manifest.apps[0].name, "Billing");
        assert_eq!(
            manifest.apps[1].application_scopes,
            ["OR.Jobs", "OR.Queues"]
        );
        assert_eq!(manifest.apps[1].secret_lifetime_days, Some(365));
        let yaml = manifest.render(Format::Yaml).unwrap();
        assert!(!yaml.contains("b-id"), "{yaml}");
        assert!(yaml.starts_with("format: registrar.manifest/1\n"), "{yaml}");
        assert_eq!(Manifest::parse(&yaml).unwrap(), manifest);
        let json = manifest.render(Format::Json).unwrap();
        assert_eq!(Manifest::parse(&json).unwrap(), manifest);
        assert!(Manifest::of(&apps, true)
            .render(Format::Yaml)
            .unwrap()
            .contains("id: b-id"));
    }

    #[test]
    fn a_copy_names_the_scopes_the_target_does_not_offer_and_can_leave_them_out() {
        let mut wanted = ManifestApp::of(&app("x", "Billing", &["OR.Jobs", "OR.Robots"]), false);
        wanted.user_scopes = vec!["OR.Queues".into()];
        wanted.redirect_uris = vec!["https://billing.example.com/cb".into()];
        let missing = wanted.not_offered(&catalog());
        assert_eq!(missing, [Scope::new("OR.Robots", ScopeType::Application)]);
        assert!(wanted.create(&catalog()).is_err());
        let kept = wanted.without(&missing);
        assert_eq!(kept.application_scopes, ["OR.Jobs"]);
        assert_eq!(kept.user_scopes, ["OR.Queues"]);
        assert!(matches!(kept.create(&catalog()), Ok(Change::Create { .. })));
    }

    /// The JSON Schema beside MANIFEST.md names exactly the fields a manifest has.
    #[test]
    fn the_json_schema_names_every_field() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../manifest.schema.json")).unwrap();
        let keys = |value: &serde_json::Value| -> Vec<String> {
            let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            keys
        };
        let mut full = ManifestApp::of(&app("x", "A", &["OR.Jobs"]), true);
        full.user_scopes = vec!["OR.Jobs".into()];
        full.redirect_uris = vec!["https://a.example/cb".into()];
        let manifest = Manifest {
            format: FORMAT.into(),
            apps: vec![full],
        };
        let written = serde_json::to_value(&manifest).unwrap();
        assert_eq!(keys(&schema["properties"]), keys(&written));
        assert_eq!(schema["properties"]["format"]["const"], FORMAT);
        let app_schema = &schema["properties"]["apps"]["items"]["properties"];
        assert_eq!(keys(app_schema), keys(&written["apps"][0]));
    }

    #[test]
    fn a_manifest_that_is_not_one_says_why() {
        let wrong = Manifest::parse("format: registrar.manifest/9\napps: []\n").unwrap_err();
        assert!(
            wrong.to_string().contains("this Registrar reads"),
            "{wrong}"
        );
        let unknown =
            "format: registrar.manifest/1\napps:\n- name: A\n  type: confidential\n  colour: red\n";
        let said = Manifest::parse(unknown).unwrap_err().to_string();
        assert!(said.contains("colour"), "{said}");
    }

    #[test]
    fn the_plan_creates_updates_field_by_field_and_prunes_only_when_asked() {
        let server = [
            app("1", "Billing", &["OR.Jobs"]),
            app("2", "Extra", &[]),
            app("3", "Same", &["OR.Jobs"]),
        ];
        let wanted = Manifest {
            format: FORMAT.into(),
            apps: vec![
                ManifestApp::of(&app("x", "Billing", &["OR.Jobs.Read"]), false),
                ManifestApp::of(&app("y", "New", &["OR.Queues"]), false),
                ManifestApp::of(&server[2], false),
            ],
        };
        let planned = plan(&wanted, &server, &catalog(), false).unwrap();
        assert_eq!(planned.unchanged, ["Same"]);
        let [Change::Update { changes, .. }, Change::Create { valid, .. }] =
            planned.changes.as_slice()
        else {
            panic!("{planned:?}");
        };
        assert_eq!(
            changes.scopes_added,
            [Scope::new("OR.Jobs.Read", ScopeType::Application)]
        );
        assert_eq!(
            changes.scopes_removed,
            [Scope::new("OR.Jobs", ScopeType::Application)]
        );
        assert_eq!(valid.name, "New");

        let pruned = plan(&wanted, &server, &catalog(), true).unwrap();
        let deleted: Vec<&str> = pruned
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::Delete { app } => Some(app.name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(deleted, ["Extra"]);
    }

    #[test]
    fn names_that_do_not_say_which_app_and_changes_the_server_cannot_make_are_refused() {
        let twice = [app("1", "Billing", &[]), app("2", "Billing", &[])];
        let one = Manifest::of(&[app("x", "Billing", &[])], false);
        let said = plan(&one, &twice, &catalog(), false)
            .unwrap_err()
            .to_string();
        assert!(said.contains("App IDs 1, 2"), "{said}");

        let doubled = Manifest::of(&[app("x", "A", &[]), app("y", "A", &[])], false);
        let said = plan(&doubled, &[], &catalog(), false)
            .unwrap_err()
            .to_string();
        assert!(said.contains("more than once"), "{said}");

        let mut public = Manifest::of(&[app("x", "Billing", &[])], false);
        public.apps[0].app_type = AppType::NonConfidential;
        let said = plan(&public, &twice[..1], &catalog(), false)
            .unwrap_err()
            .to_string();
        assert!(said.contains("type cannot change"), "{said}");

        let unknown = Manifest::of(&[app("x", "New", &["OR.Robots"])], false);
        let said = plan(&unknown, &[], &catalog(), false)
            .unwrap_err()
            .to_string();
        assert!(
            said.starts_with("In the manifest, \u{201c}New\u{201d}: "),
            "{said}"
        );
    }
}
