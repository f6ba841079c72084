//! A new app as the admin typed it, and the seed's rules it must meet before anything is sent.

use std::collections::BTreeSet;

use url::{Host, Url};

use crate::error::{Error, Result};
use crate::model::{AppType, CatalogResource, Field, Scope, ScopeType};

/// What the register form produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDraft {
    pub name: String,
    pub app_type: AppType,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<Scope>,
}

/// A draft that passed [`AppDraft::validate`]: trimmed, de-duplicated, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDraft {
    pub name: String,
    pub app_type: AppType,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<Scope>,
}

/// Longest name the identity server keeps.
pub const MAX_NAME_CHARS: usize = 200;

/// What an app already holds on the server. An edit keeps it without checking it again: an app
/// made in the portal, or before the catalog changed, may hold a scope the catalog no longer
/// offers or a redirect URL Registrar's rules refuse, and must still be editable (a rename above
/// all). Only what the admin adds is checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Held<'a> {
    /// Its name, which may hold characters Registrar refuses in a new one.
    pub name: &'a str,
    pub scopes: &'a [Scope],
    pub redirect_uris: &'a [String],
}

impl Held<'_> {
    /// What the app holds that the rules or `catalog` would refuse now, each in words, for the
    /// admin to see before saving.
    pub fn oddities(&self, catalog: &[CatalogResource]) -> Vec<String> {
        let scopes = self.scopes.iter().filter_map(|scope| {
            check_against_catalog(&BTreeSet::from([scope.clone()]), catalog)
                .err()
                .map(|refused| format!("{} It is kept as the app holds it.", message_of(refused)))
        });
        let uris = self.redirect_uris.iter().filter_map(|uri| {
            validate_redirect_uris(std::slice::from_ref(uri), &Held::default())
                .err()
                .map(|refused| {
                    format!(
                        "{} It is kept as the app holds it.",
                        message_of(refused).replacen("Redirect URL 1 ", "The redirect URL ", 1)
                    )
                })
        });
        let name = crate::text::check_visible(None, "The name", self.name)
            .err()
            .map(|refused| format!("{} It is kept as the app holds it.", message_of(refused)));
        name.into_iter().chain(scopes).chain(uris).collect()
    }
}

fn message_of(error: Error) -> String {
    match error {
        Error::InvalidInput { message, .. } => message,
        other => other.to_string(),
    }
}

impl AppDraft {
    /// Checks the draft against the seed's rules and, when given, the server's catalog. The first
    /// broken rule is reported with the field to fix.
    pub fn validate(&self, catalog: Option<&[CatalogResource]>) -> Result<ValidDraft> {
        self.validate_keeping(catalog, &Held::default())
    }

    /// [`AppDraft::validate`] for an edit of an app that holds `held`: what it already holds is
    /// kept unchecked.
    pub fn validate_keeping(
        &self,
        catalog: Option<&[CatalogResource]>,
        held: &Held<'_>,
    ) -> Result<ValidDraft> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(Error::invalid(Field::Name, "Give the application a name."));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Error::invalid(
                Field::Name,
                format!("The name is too long: use at most {MAX_NAME_CHARS} characters."),
            ));
        }
        if name != held.name.trim() {
            crate::text::check_visible(Some(Field::Name), "The name", name)?;
        }

        let scopes: BTreeSet<Scope> = self
            .scopes
            .iter()
            .map(|s| Scope::new(s.name.trim(), s.scope_type))
            .collect();
        if scopes.is_empty() {
            return Err(Error::invalid(Field::Scopes, "Choose at least one scope."));
        }
        if self.app_type == AppType::NonConfidential {
            let app_scopes: Vec<&str> = scopes
                .iter()
                .filter(|s| s.scope_type == ScopeType::Application && !held.scopes.contains(s))
                .map(|s| s.name.as_str())
                .collect();
            if !app_scopes.is_empty() {
                return Err(Error::invalid(
                    Field::Scopes,
                    format!(
                        "A non-confidential app cannot hold application scopes ({}): make it \
                         confidential or choose them as user scopes.",
                        app_scopes.join(", ")
                    ),
                ));
            }
        }
        if let Some(catalog) = catalog {
            let added: BTreeSet<Scope> = scopes
                .iter()
                .filter(|s| !held.scopes.contains(s))
                .cloned()
                .collect();
            check_against_catalog(&added, catalog)?;
        }

        let redirect_uris = validate_redirect_uris(&self.redirect_uris, held)?;
        let has_user_scope = |scope: &Scope| scope.scope_type == ScopeType::User;
        // An app that already signs users in without a redirect URL may stay so.
        let held_without = held.redirect_uris.is_empty() && held.scopes.iter().any(has_user_scope);
        if redirect_uris.is_empty() && scopes.iter().any(has_user_scope) && !held_without {
            return Err(Error::invalid(
                Field::RedirectUris,
                "User scopes need a redirect URL: add the URL the app receives the sign-in at.",
            ));
        }

        Ok(ValidDraft {
            name: name.to_owned(),
            app_type: self.app_type,
            redirect_uris,
            scopes: scopes.into_iter().collect(),
        })
    }
}

fn check_against_catalog(scopes: &BTreeSet<Scope>, catalog: &[CatalogResource]) -> Result<()> {
    for scope in scopes {
        let offered = catalog
            .iter()
            .flat_map(|r| &r.scopes)
            .filter(|c| c.name == scope.name)
            .collect::<Vec<_>>();
        if offered.is_empty() {
            return Err(Error::invalid(
                Field::Scopes,
                format!("The server offers no scope named {}.", scope.name),
            ));
        }
        if !offered.iter().any(|c| c.offers(scope.scope_type)) {
            let kind = match scope.scope_type {
                ScopeType::User => "a user scope",
                ScopeType::Application => "an application scope",
            };
            return Err(Error::invalid(
                Field::Scopes,
                format!("{} is not offered as {kind}.", scope.name),
            ));
        }
    }
    Ok(())
}

/// Redirect URLs are matched exactly by the server and travel comma-separated, so each must be
/// one absolute URL without a fragment or a comma, on https, on http only for loopback
/// (RFC 8252 §7.3), or on a private-use scheme for native apps (RFC 8252 §7.1).
fn validate_redirect_uris(uris: &[String], held: &Held<'_>) -> Result<Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut valid = Vec::with_capacity(uris.len());
    for (index, raw) in uris.iter().enumerate() {
        let uri = raw.trim();
        let at = format!("Redirect URL {}", index + 1);
        let fail = |why: String| Err(Error::invalid(Field::RedirectUris, format!("{at} {why}")));
        if uri.is_empty() {
            return fail("is empty: fill it in or remove it.".to_owned());
        }
        if held.redirect_uris.iter().any(|kept| kept == uri) {
            if !seen.insert(uri.to_owned()) {
                return fail(format!("({uri}) is listed twice."));
            }
            valid.push(uri.to_owned());
            continue;
        }
        if uri.contains(',') {
            return fail(format!(
                "({uri}) contains a comma, which the server uses to separate URLs."
            ));
        }
        let url = match Url::parse(uri) {
            Ok(url) => url,
            Err(_) => {
                return fail(format!(
                    "({uri}) is not an absolute URL such as https://app.example.com/callback."
                ))
            }
        };
        if url.fragment().is_some() {
            return fail(format!(
                "({uri}) has a fragment (#...); redirect URLs cannot have one."
            ));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return fail(format!(
                    "({uri}) uses http on a non-loopback host: use https, or http://127.0.0.1 for a native app."
                ))
            }
            scheme if scheme.contains('.') => {}
            scheme => {
                return fail(format!(
                    "({uri}) uses the scheme \"{scheme}\": use https, loopback http, or a reverse-domain scheme such as com.example.app:/callback."
                ))
            }
        }
        if !seen.insert(uri.to_owned()) {
            return fail(format!("({uri}) is listed twice."));
        }
        valid.push(uri.to_owned());
    }
    Ok(valid)
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CatalogScope;

    fn draft(app_type: AppType, redirects: &[&str], scopes: &[(&str, ScopeType)]) -> AppDraft {
        AppDraft {
            name: "Billing sync".into(),
            app_type,
            redirect_uris: redirects.iter().map(|s| s.to_string()).collect(),
            scopes: scopes.iter().map(|(n, t)| Scope::new(*n, *t)).collect(),
        }
    }

    fn field_of(result: Result<ValidDraft>) -> Field {
        match result {
            Err(Error::InvalidInput {
                field: Some(field), ..
            }) => field,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    const APP: ScopeType = ScopeType::Application;
    const USER: ScopeType = ScopeType::User;

    #[test]
    fn a_confidential_app_with_application_scopes_needs_no_redirect() {
        let valid = draft(AppType::Confidential, &[], &[("OR.Jobs.Read", APP)])
            .validate(None)
            .unwrap();
        assert_eq!(valid.scopes, vec![Scope::new("OR.Jobs.Read", APP)]);
        assert!(valid.redirect_uris.is_empty());
    }

    #[test]
    fn an_edit_keeps_what_the_app_holds_and_checks_only_what_is_added() {
        let catalog = vec![CatalogResource {
            name: "UiPath.Orchestrator".into(),
            display_name: "Orchestrator".into(),
            description: None,
            scopes: vec![CatalogScope {
                name: "OR.Jobs".into(),
                display_name: "Jobs".into(),
                description: None,
                user: true,
                application: true,
            }],
        }];
        // Made in the portal: a scope the catalog no longer offers, an http redirect URL.
        let scopes = [Scope::new("OR.Retired", USER)];
        let uris = ["http://portal.example.com/cb".to_owned()];
        let held = Held {
            name: "Portal app",
            scopes: &scopes,
            redirect_uris: &uris,
        };
        let renamed = draft(
            AppType::NonConfidential,
            &["http://portal.example.com/cb"],
            &[("OR.Retired", USER)],
        );
        assert!(
            renamed.validate(Some(&catalog)).is_err(),
            "refused for a new app"
        );
        let kept = renamed.validate_keeping(Some(&catalog), &held).unwrap();
        assert_eq!(kept.redirect_uris, uris);

        let mut added = renamed.clone();
        added
            .redirect_uris
            .push("http://other.example.com/cb".into());
        assert_eq!(
            field_of(added.validate_keeping(Some(&catalog), &held)),
            Field::RedirectUris,
            "what is added is checked"
        );
        let mut added = renamed;
        added.scopes.push(Scope::new("OR.Nope", USER));
        assert_eq!(
            field_of(added.validate_keeping(Some(&catalog), &held)),
            Field::Scopes
        );

        let said = held.oddities(&catalog);
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(
            said[0].contains("OR.Retired") && said[0].contains("kept"),
            "{said:?}"
        );
        assert!(
            said[1].starts_with("The redirect URL (http://portal.example.com/cb)"),
            "{said:?}"
        );
    }

    #[test]
    fn a_name_made_elsewhere_with_hidden_characters_is_kept_until_it_is_changed() {
        let held_name = "Sync\u{202e}exe.txt";
        let held = Held {
            name: held_name,
            ..Held::default()
        };
        let mut d = draft(AppType::Confidential, &[], &[("OR.Jobs", APP)]);
        d.name = held_name.into();
        assert!(d.validate_keeping(None, &held).is_ok());
        assert!(
            held.oddities(&[])[0].contains("U+202E"),
            "{:?}",
            held.oddities(&[])
        );
        d.name = "Sync\u{202e}exe.txt v2".into();
        assert_eq!(field_of(d.validate_keeping(None, &held)), Field::Name);
    }

    #[test]
    fn name_is_required_and_trimmed() {
        let mut d = draft(AppType::Confidential, &[], &[("OR.Jobs", APP)]);
        d.name = "   ".into();
        assert_eq!(field_of(d.validate(None)), Field::Name);
        d.name = "  Sync  ".into();
        assert_eq!(d.validate(None).unwrap().name, "Sync");
        d.name = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(field_of(d.validate(None)), Field::Name);
        for hidden in ["Sync\u{1b}[31m", "Sync\r\nInjected", "Sync\u{202e}exe.txt"] {
            d.name = hidden.into();
            assert_eq!(field_of(d.validate(None)), Field::Name, "{hidden:?}");
        }
    }

    #[test]
    fn scopes_are_required() {
        assert_eq!(
            field_of(draft(AppType::Confidential, &[], &[]).validate(None)),
            Field::Scopes
        );
    }

    #[test]
    fn non_confidential_apps_hold_no_application_scopes() {
        let d = draft(
            AppType::NonConfidential,
            &["http://127.0.0.1/cb"],
            &[("OR.Jobs", APP)],
        );
        assert_eq!(field_of(d.validate(None)), Field::Scopes);
    }

    #[test]
    fn user_scopes_need_a_redirect_url() {
        let d = draft(AppType::NonConfidential, &[], &[("OR.Jobs", USER)]);
        assert_eq!(field_of(d.validate(None)), Field::RedirectUris);
    }

    #[test]
    fn redirect_urls_follow_rfc_8252() {
        let ok = [
            "https://app.example.com/callback",
            "http://127.0.0.1:8400/cb",
            "http://[::1]/cb",
            "http://localhost/cb",
            "com.example.app:/oauth2redirect",
        ];
        let valid = draft(AppType::NonConfidential, &ok, &[("OR.Jobs", USER)])
            .validate(None)
            .unwrap();
        assert_eq!(valid.redirect_uris, ok);

        for bad in [
            "",
            "/relative",
            "http://app.example.com/cb",
            "https://app.example.com/cb#frag",
            "https://a.example.com/cb,https://b.example.com",
            "myapp:/cb",
        ] {
            let d = draft(AppType::NonConfidential, &[bad], &[("OR.Jobs", USER)]);
            assert_eq!(field_of(d.validate(None)), Field::RedirectUris, "{bad}");
        }
        let twice = ["https://a.example.com/cb", " https://a.example.com/cb "];
        let d = draft(AppType::NonConfidential, &twice, &[("OR.Jobs", USER)]);
        assert_eq!(field_of(d.validate(None)), Field::RedirectUris);
    }

    #[test]
    fn the_catalog_decides_which_types_a_scope_has() {
        let catalog = vec![CatalogResource {
            name: "DataService".into(),
            display_name: "Data Service API Access".into(),
            description: None,
            scopes: vec![CatalogScope {
                name: "DataService.Data.Read".into(),
                display_name: "Read data".into(),
                description: None,
                user: true,
                application: false,
            }],
        }];
        let user = draft(
            AppType::Confidential,
            &["https://a.example.com/cb"],
            &[("DataService.Data.Read", USER)],
        );
        assert!(user.validate(Some(&catalog)).is_ok());
        let app = draft(
            AppType::Confidential,
            &[],
            &[("DataService.Data.Read", APP)],
        );
        assert_eq!(field_of(app.validate(Some(&catalog))), Field::Scopes);
        let unknown = draft(AppType::Confidential, &[], &[("OR.Nope", APP)]);
        assert_eq!(field_of(unknown.validate(Some(&catalog))), Field::Scopes);
    }
}
