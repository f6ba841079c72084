//! The rules an app must meet on create and update, reported by field like ASP.NET does, and the
//! bounds on what any request may name: every check here takes time in proportion to its input.

use std::collections::HashSet;

use registrar_shared::text::is_hidden;
use serde::Deserialize;
use url::{Host, Url};

use crate::catalog::{catalog, Grant, GrantedScope};
use crate::problem::{FieldErrors, Problem};
use crate::store::ClientFields;

pub(crate) const MAX_NAME_CHARS: usize = 200;
/// What the identity server keeps of a secret's description.
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 200;
/// More than an app can hold (each catalog scope as user and as application), in an app or in a
/// request's `scope` parameter.
pub(crate) const MAX_SCOPES: usize = 500;
/// The scope names together, in an app or in a request's `scope` parameter.
pub(crate) const MAX_SCOPE_CHARS: usize = 16_000;
pub(crate) const MAX_REDIRECT_URIS: usize = 20;
pub(crate) const MAX_REDIRECT_URI_CHARS: usize = 2_000;

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
    /// The name and redirect URIs the app holds already (on an update): kept as they are, like
    /// an app made before today's rules, which must stay editable.
    pub held_name: Option<&'a str>,
    pub held_redirect_uris: &'a [&'a str],
    pub scopes: Option<&'a [ScopeInput]>,
}

pub(crate) fn app(input: &AppInput<'_>, errors: &mut FieldErrors) -> Option<ClientFields> {
    let sent = input.name.unwrap_or_default();
    let name = sent.trim();
    if name.is_empty() {
        errors.add("Name", "The Name field is required.");
    } else if input.held_name != Some(name) {
        text("Name", sent, MAX_NAME_CHARS, errors);
    }
    let redirect_uri = redirect_uri(input.redirect_uri, input.held_redirect_uris, errors);
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

/// A secret's description, when one is sent.
pub(crate) fn description(sent: Option<&str>, errors: &mut FieldErrors) {
    if let Some(description) = sent {
        text("Description", description, MAX_DESCRIPTION_CHARS, errors);
    }
}

/// Text shown to people: at most `max` characters, and none that hides or reorders what is shown.
fn text(field: &str, sent: &str, max: usize, errors: &mut FieldErrors) {
    if sent.chars().count() > max {
        errors.add(
            field,
            format!("The field {field} must be a string with a maximum length of {max}."),
        );
    } else if let Some((position, found)) = sent.chars().enumerate().find(|(_, c)| is_hidden(*c)) {
        errors.add(
            field,
            format!(
                "The field {field} contains the character U+{:04X} at position {}, which hides \
                 or reorders text: remove control characters (such as line breaks) and \
                 bidirectional formatting characters.",
                u32::from(found),
                position + 1
            ),
        );
    }
}

/// Several URLs travel comma-separated in the one string; the string is kept as sent, trimmed.
fn redirect_uri(raw: Option<&str>, held: &[&str], errors: &mut FieldErrors) -> Option<String> {
    let value = raw.map(str::trim).filter(|value| !value.is_empty())?;
    let count = value.split(',').count();
    if count > MAX_REDIRECT_URIS {
        errors.add(
            "RedirectUri",
            format!("The list has {count} redirect URIs: register at most {MAX_REDIRECT_URIS}."),
        );
        return Some(value.to_owned());
    }
    for entry in value.split(',').map(str::trim) {
        if held.contains(&entry) {
            continue;
        }
        if entry.is_empty() {
            errors.add(
                "RedirectUri",
                "The list of redirect URIs has an empty entry.",
            );
            continue;
        }
        let length = entry.chars().count();
        if length > MAX_REDIRECT_URI_CHARS {
            let start: String = entry.chars().take(40).collect();
            errors.add(
                "RedirectUri",
                format!(
                    "The redirect URI starting '{start}' is {length} characters long: use at \
                     most {MAX_REDIRECT_URI_CHARS}."
                ),
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
            Ok(url) if !redirect_allowed(&url) => {
                errors.add("RedirectUri", refused_redirect(entry, &url));
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

/// Where a code may be sent (RFC 8252): https; http only to this machine (§7.3); or a
/// private-use scheme, which must be in reverse domain form (§7.1, `com.example.app`), so never
/// `javascript:`, `data:` or `file:`.
pub(crate) fn redirect_allowed(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        },
        scheme => scheme.contains('.'),
    }
}

/// Why [`redirect_allowed`] refused `url`, and what to register instead.
pub(crate) fn refused_redirect(entry: &str, url: &Url) -> String {
    let instead = "use https, http on 127.0.0.1, [::1] or localhost, or a private-use scheme in \
                   reverse domain form such as com.example.app:/callback";
    if url.scheme() == "http" {
        format!(
            "The redirect URI '{entry}' uses http on a host other than this machine: {instead}."
        )
    } else {
        format!(
            "The redirect URI '{entry}' uses the scheme {}:, which is not for redirects: {instead}.",
            url.scheme()
        )
    }
}

fn scopes(
    input: &[ScopeInput],
    is_confidential: Option<bool>,
    errors: &mut FieldErrors,
) -> Vec<GrantedScope> {
    if input.is_empty() {
        errors.add("Scopes", "At least one scope is required.");
    }
    if input.len() > MAX_SCOPES {
        errors.add(
            "Scopes",
            format!(
                "The request names {} scopes: an application holds at most {MAX_SCOPES}.",
                input.len()
            ),
        );
        return Vec::new();
    }
    let chars: usize = input
        .iter()
        .filter_map(|scope| scope.name.as_deref())
        .map(|name| name.chars().count())
        .sum();
    if chars > MAX_SCOPE_CHARS {
        errors.add(
            "Scopes",
            format!(
                "The scope names come to {chars} characters: at most {MAX_SCOPE_CHARS} are taken."
            ),
        );
        return Vec::new();
    }
    let mut granted: Vec<GrantedScope> = Vec::new();
    let mut not_in_catalog: Vec<&str> = Vec::new();
    let mut reported: HashSet<&str> = HashSet::new();
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
        if !catalog().allows(name, grant) && reported.insert(name) {
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

/// A `scope` parameter's scopes, each once, in the order given; or why there are too many.
pub(crate) fn scope_parameter(sent: &str) -> Result<Vec<&str>, String> {
    let chars = sent.chars().count();
    if chars > MAX_SCOPE_CHARS {
        return Err(format!(
            "The scope parameter is {chars} characters long: ask for at most {MAX_SCOPE_CHARS}."
        ));
    }
    let mut seen = HashSet::new();
    let scopes: Vec<&str> = sent
        .split(' ')
        .filter(|scope| !scope.is_empty() && seen.insert(*scope))
        .collect();
    if scopes.len() > MAX_SCOPES {
        return Err(format!(
            "The scope parameter names {} scopes: ask for at most {MAX_SCOPES}.",
            scopes.len()
        ));
    }
    Ok(scopes)
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
            held_name: None,
            held_redirect_uris: &[],
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
            held_name: None,
            held_redirect_uris: &[],
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
            held_name: None,
            held_redirect_uris: &[],
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
            held_name: None,
            held_redirect_uris: &[],
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
            held_name: None,
            held_redirect_uris: &[],
            scopes: Some(&scopes),
        });
        assert!(text.contains("maximum length of 200"), "{text}");
    }

    #[test]
    fn an_update_keeps_what_the_app_holds_and_checks_what_it_adds() {
        let held = ["http://portal.example.com/cb"];
        let scopes = [scope("OR.Users.Read", "user")];
        let held_name = "Portal\u{202e}app";
        let input = |name, uris| AppInput {
            name: Some(name),
            is_confidential: Some(true),
            redirect_uri: Some(uris),
            held_name: Some(held_name),
            held_redirect_uris: &held,
            scopes: Some(&scopes),
        };
        let mut errors = FieldErrors::default();
        assert!(app(
            &input(held_name, "http://portal.example.com/cb"),
            &mut errors
        )
        .is_some());
        let text = messages(&input(
            held_name,
            "http://portal.example.com/cb, http://other.example.com/cb",
        ));
        assert!(
            text.contains("other.example.com") && !text.contains("portal"),
            "{text}"
        );
        let text = messages(&input(
            "Portal\u{202e}app 2",
            "http://portal.example.com/cb",
        ));
        assert!(text.contains("U+202E"), "{text}");
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
                held_name: None,
                held_redirect_uris: &[],
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
            held_name: None,
            held_redirect_uris: &[],
            scopes: Some(&scopes),
        });
        assert!(
            text.contains("A redirect URI is required when user scopes are selected."),
            "{text}"
        );
    }

    fn app_named(name: &str) -> String {
        let scopes = [scope("OR.Jobs", "application")];
        messages(&AppInput {
            name: Some(name),
            is_confidential: Some(true),
            redirect_uri: None,
            held_name: None,
            held_redirect_uris: &[],
            scopes: Some(&scopes),
        })
    }

    #[test]
    fn names_with_characters_that_hide_or_reorder_text_are_refused() {
        for (name, said) in [
            ("Bill\u{0}ing", "U+0000 at position 5"),
            ("\u{1b}[31mRed", "U+001B at position 1"),
            ("Line\r\nbreak", "U+000D at position 5"),
            ("Trailing\n", "U+000A at position 9"),
            ("invoice\u{202E}fdp.exe", "U+202E at position 8"),
            ("a\u{202A}b", "U+202A"),
            ("a\u{2066}b", "U+2066"),
            ("a\u{2069}b", "U+2069"),
            ("a\u{200E}b", "U+200E"),
            ("a\u{200F}b", "U+200F"),
        ] {
            let text = app_named(name);
            assert!(
                text.contains(said) && text.contains("bidirectional formatting"),
                "{name:?}: {text}"
            );
        }
        let fine = [scope("OR.Jobs", "application")];
        for name in ["Billing — sync", "請求", "Ünïcödé ✓"] {
            let input = AppInput {
                name: Some(name),
                is_confidential: Some(true),
                redirect_uri: None,
                held_name: None,
                held_redirect_uris: &[],
                scopes: Some(&fine),
            };
            assert!(app_or_problem(&input).is_ok(), "{name}");
        }
    }

    #[test]
    fn descriptions_are_bounded_and_plain() {
        let mut errors = FieldErrors::default();
        description(Some(&"d".repeat(MAX_DESCRIPTION_CHARS)), &mut errors);
        description(Some("Rotated for CI ✓"), &mut errors);
        description(None, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        description(Some(&"d".repeat(MAX_DESCRIPTION_CHARS + 1)), &mut errors);
        description(Some("two\nlines"), &mut errors);
        let text = format!("{errors:?}");
        assert!(text.contains("maximum length of 200"), "{text}");
        assert!(text.contains("U+000A at position 4"), "{text}");
    }

    fn redirect_messages(redirect_uri: &str) -> String {
        let scopes = [scope("OR.Jobs", "user")];
        let mut errors = FieldErrors::default();
        app(
            &AppInput {
                name: Some("x"),
                is_confidential: Some(true),
                redirect_uri: Some(redirect_uri),
                held_name: None,
                held_redirect_uris: &[],
                scopes: Some(&scopes),
            },
            &mut errors,
        );
        format!("{errors:?}")
    }

    #[test]
    fn redirects_go_only_where_a_code_is_safe() {
        for good in [
            "https://app.example/cb",
            "http://127.0.0.1:8400/cb",
            "http://[::1]/cb",
            "http://localhost/cb",
            "com.example.app:/callback",
        ] {
            assert_eq!(redirect_messages(good), "FieldErrors({})", "{good}");
        }
        for (bad, said) in [
            (
                "javascript:alert(document.cookie)",
                "the scheme javascript:",
            ),
            ("data:text/html,<script>x</script>", "the scheme data:"),
            ("file:///etc/passwd", "the scheme file:"),
            ("myapp:/callback", "the scheme myapp:"),
            (
                "http://app.example/cb",
                "http on a host other than this machine",
            ),
        ] {
            let text = redirect_messages(bad);
            assert!(
                text.contains(said) && text.contains("com.example.app:/callback"),
                "{bad}: {text}"
            );
        }
    }

    #[test]
    fn redirect_lists_are_bounded() {
        let long = format!("https://app.example/{}", "a".repeat(MAX_REDIRECT_URI_CHARS));
        let text = redirect_messages(&long);
        assert!(
            text.contains("starting 'https://app.example/aaaaaaaaaaaaaaaaaaaa' is 2020 characters long: use at most 2000"),
            "{text}"
        );
        let many: Vec<String> = (0..=MAX_REDIRECT_URIS)
            .map(|i| format!("https://app.example/{i}"))
            .collect();
        let text = redirect_messages(&many.join(","));
        assert!(
            text.contains("The list has 21 redirect URIs: register at most 20."),
            "{text}"
        );
    }

    #[test]
    fn scope_lists_are_bounded() {
        let many: Vec<ScopeInput> = (0..40_000).map(|_| scope("OR.Nope", "user")).collect();
        let text = messages(&AppInput {
            name: Some("x"),
            is_confidential: Some(true),
            redirect_uri: Some("https://app.example/cb"),
            held_name: None,
            held_redirect_uris: &[],
            scopes: Some(&many),
        });
        assert!(
            text.contains("names 40000 scopes: an application holds at most 500"),
            "{text}"
        );
        let long = [scope(&"S".repeat(MAX_SCOPE_CHARS + 1), "user")];
        let text = messages(&AppInput {
            name: Some("x"),
            is_confidential: Some(true),
            redirect_uri: Some("https://app.example/cb"),
            held_name: None,
            held_redirect_uris: &[],
            scopes: Some(&long),
        });
        assert!(text.contains("come to 16001 characters"), "{text}");
        assert_eq!(
            scope_parameter(" a b  a c ").unwrap(),
            ["a", "b", "c"],
            "each once, in order"
        );
    }
}
