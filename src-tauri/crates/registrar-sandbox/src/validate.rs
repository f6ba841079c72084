//! The rules an app must meet on create and update, reported by field like ASP.NET does.

use serde::Deserialize;
use url::Url;

use crate::catalog::{catalog, Grant, GrantedScope};
use crate::problem::{FieldErrors, Problem};
use crate::store::ClientFields;

pub(crate) const MAX_NAME_CHARS: usize = 200;

/// A scope as sent: `type` is checked here rather than by serde so that a bad value is reported
/// against `Scopes` instead of as unreadable JSON.
#[derive(Debug, Deserialize)]
pub(crate) struct ScopeInput {
    name: Option<String>,
    /// A number (0 user, 1 application) as live tenants take it, or the published spec's name.
    #[serde(rename = "type")]
    kind: Option<serde_json::Value>,
}

#[derive(Debug)]
pub(crate) struct AppInput<'a> {
    pub name: Option<&'a str>,
    /// None on a create body that left it out: reported, and the rules that depend on it skipped.
    pub is_confidential: Option<bool>,
    pub redirect_uri: Option<&'a str>,
    pub scopes: Option<&'a [ScopeInput]>,
}

pub(crate) fn app(input: &AppInput<'_>, errors: &mut FieldErrors) -> Option<ClientFields> {
    let name = input.name.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        errors.add("Name", "The Name field is required.");
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add(
            "Name",
            format!("The field Name must be a string with a maximum length of {MAX_NAME_CHARS}."),
        );
    }
    let redirect_uri = redirect_uri(input.redirect_uri, errors);
    let scopes = scopes(
        input.scopes.unwrap_or_default(),
        input.is_confidential,
        errors,
    );
    if scopes.iter().any(|scope| scope.grant == Grant::User) && redirect_uri.is_none() {
        errors.add(
            "RedirectUri",
            "A redirect URI is required when user scopes are selected.",
        );
    }
    errors.is_empty().then(|| ClientFields {
        name: name.to_owned(),
        redirect_uri,
        scopes,
    })
}

/// Several URLs travel comma-separated in the one string; the string is kept as sent, trimmed.
fn redirect_uri(raw: Option<&str>, errors: &mut FieldErrors) -> Option<String> {
    let value = raw.map(str::trim).filter(|value| !value.is_empty())?;
    for entry in value.split(',').map(str::trim) {
        if entry.is_empty() {
            errors.add(
                "RedirectUri",
                "The list of redirect URIs has an empty entry.",
            );
            continue;
        }
        match Url::parse(entry) {
            Ok(url) if url.fragment().is_some() => {
                errors.add(
                    "RedirectUri",
                    format!("The redirect URI '{entry}' must not have a fragment (#)."),
                );
            }
            Ok(_) => {}
            Err(_) => {
                errors.add(
                    "RedirectUri",
                    format!("The redirect URI '{entry}' is not an absolute URL."),
                );
            }
        }
    }
    Some(value.to_owned())
}

fn scopes(
    input: &[ScopeInput],
    is_confidential: Option<bool>,
    errors: &mut FieldErrors,
) -> Vec<GrantedScope> {
    if input.is_empty() {
        errors.add("Scopes", "At least one scope is required.");
    }
    let mut granted: Vec<GrantedScope> = Vec::new();
    let mut not_in_catalog: Vec<&str> = Vec::new();
    for scope in input {
        let Some(name) = scope.name.as_deref().filter(|name| !name.trim().is_empty()) else {
            errors.add("Scopes", "Every scope needs a name.");
            continue;
        };
        let Some(grant) = scope.kind.as_ref().and_then(Grant::read) else {
            errors.add(
                "Scopes",
                format!("The scope {name} needs a type: 0 (user) or 1 (application)."),
            );
            continue;
        };
        if !catalog().allows(name, grant) && !not_in_catalog.contains(&name) {
            not_in_catalog.push(name);
        }
        granted.push(GrantedScope {
            name: name.to_owned(),
            grant,
        });
    }
    if !not_in_catalog.is_empty() {
        // UiPath's wording, kept so that tools matching on it behave the same here.
        errors.add(
            "Scopes",
            format!(
                "Not all scopes={} are present in database",
                not_in_catalog.join(",")
            ),
        );
    }
    let application: Vec<&str> = granted
        .iter()
        .filter(|scope| scope.grant == Grant::Application)
        .map(|scope| scope.name.as_str())
        .collect();
    if is_confidential == Some(false) && !application.is_empty() {
        errors.add(
            "Scopes",
            format!(
                "A non-confidential application cannot have application scopes: {}.",
                application.join(", ")
            ),
        );
    }
    granted.sort_unstable();
    granted.dedup();
    granted
}

/// Runs [`app`] and turns its errors, if any, into the 400 answer.
pub(crate) fn app_or_problem(input: &AppInput<'_>) -> Result<ClientFields, Problem> {
    let mut errors = FieldErrors::default();
    app(input, &mut errors).ok_or_else(|| errors.into_problem())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(name: &str, kind: &str) -> ScopeInput {
        ScopeInput {
            name: Some(name.into()),
            kind: Some(kind.into()),
        }
    }

    fn messages(input: &AppInput<'_>) -> String {
        let mut errors = FieldErrors::default();
        assert!(app(input, &mut errors).is_none());
        format!("{errors:?}")
    }

    #[test]
    fn a_valid_app_is_normalized() {
        let scopes = [
            scope("OR.Jobs", "User"),
            scope("OR.Jobs", "application"),
            scope("OR.Jobs", "user"),
        ];
        let input = AppInput {
            name: Some("  Billing  "),
            is_confidential: Some(true),
            redirect_uri: Some(" https://a.example/cb, http://localhost:8080/cb "),
            scopes: Some(&scopes),
        };
        let fields = app_or_problem(&input).unwrap();
        assert_eq!(fields.name, "Billing");
        assert_eq!(
            fields.redirect_uri.as_deref(),
            Some("https://a.example/cb, http://localhost:8080/cb")
        );
        assert_eq!(
            fields.scopes,
            [
                GrantedScope {
                    name: "OR.Jobs".into(),
                    grant: Grant::User
                },
                GrantedScope {
                    name: "OR.Jobs".into(),
                    grant: Grant::Application
                },
            ]
        );
    }

    #[test]
    fn each_rule_reports_its_field() {
        let none: [ScopeInput; 0] = [];
        let text = messages(&AppInput {
            name: Some(" "),
            is_confidential: Some(true),
            redirect_uri: None,
            scopes: Some(&none),
        });
        assert!(text.contains("The Name field is required."), "{text}");
        assert!(text.contains("At least one scope is required."), "{text}");

        let scopes = [
            scope("OR.Nope", "user"),
            scope("DataFabric.Data.Read", "application"),
            scope("OR.Jobs", "both"),
        ];
        let text = messages(&AppInput {
            name: Some("x"),
            is_confidential: Some(true),
            redirect_uri: None,
            scopes: Some(&scopes),
        });
        assert!(
            text.contains("Not all scopes=OR.Nope,DataFabric.Data.Read are present in database"),
            "{text}"
        );
        assert!(text.contains("The scope OR.Jobs needs a type"), "{text}");
        assert!(
            text.contains("redirectUri"),
            "OR.Nope as a user scope needs a redirect URI: {text}"
        );

        let scopes = [scope("OR.Jobs", "application")];
        let text = messages(&AppInput {
            name: Some("x"),
            is_confidential: Some(false),
            redirect_uri: None,
            scopes: Some(&scopes),
        });
        assert!(
            text.contains("cannot have application scopes: OR.Jobs"),
            "{text}"
        );

        let long = "n".repeat(MAX_NAME_CHARS + 1);
        let text = messages(&AppInput {
            name: Some(&long),
            is_confidential: None,
            redirect_uri: None,
            scopes: Some(&scopes),
        });
        assert!(text.contains("maximum length of 200"), "{text}");
    }

    #[test]
    fn redirect_uris_must_be_absolute_without_fragment() {
        let scopes = [scope("OR.Jobs", "user")];
        for (bad, expected) in [
            ("/relative", "is not an absolute URL"),
            ("https://a.example/cb#frag", "must not have a fragment"),
            ("https://a.example/cb,,https://b.example", "empty entry"),
        ] {
            let text = messages(&AppInput {
                name: Some("x"),
                is_confidential: Some(true),
                redirect_uri: Some(bad),
                scopes: Some(&scopes),
            });
            assert!(
                text.contains("redirectUri") && text.contains(expected),
                "{bad}: {text}"
            );
        }
        let text = messages(&AppInput {
            name: Some("x"),
            is_confidential: Some(true),
            redirect_uri: Some("  "),
            scopes: Some(&scopes),
        });
        assert!(
            text.contains("A redirect URI is required when user scopes are selected."),
            "{text}"
        );
    }
}
