//! Least-privilege findings on an app: what it holds or allows beyond what it needs, and secrets
//! that live too long. Each finding says why it matters and what to change; the admin may
//! dismiss one for an app, with a reason.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use url::Url;

use crate::error::{Error, Result};
use crate::files::JsonFile;
use crate::model::{AppType, ExternalApp, ScopeType};

/// The longest a secret should live unless the admin sets another: two years.
pub const DEFAULT_MAX_SECRET_AGE: Duration = Duration::days(730);

/// What a finding is about; the name dismissals keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Code {
    /// A scope held together with its narrower `.Read` or `.Write` form.
    BroadAndNarrowScope,
    /// A redirect URL over plain http to a host that is not this computer.
    PlainHttpRedirect,
    /// The same redirect URL twice, or two that differ only by a trailing slash.
    DuplicateRedirect,
    /// A confidential app with user scopes and no redirect URL to sign users in with.
    UserScopesWithoutRedirect,
    /// A confidential app whose every secret has expired.
    OnlyExpiredSecrets,
    /// A secret that never expires, or expires beyond the longest life allowed.
    SecretLivesTooLong,
    /// A confidential app whose every secret is older than the longest life allowed.
    AllSecretsTooOld,
}

impl Code {
    pub const ALL: [Code; 7] = [
        Code::BroadAndNarrowScope,
        Code::PlainHttpRedirect,
        Code::DuplicateRedirect,
        Code::UserScopesWithoutRedirect,
        Code::OnlyExpiredSecrets,
        Code::SecretLivesTooLong,
        Code::AllSecretsTooOld,
    ];

    /// The code named `name`, or an error that lists them.
    pub fn named(name: &str) -> Result<Code> {
        Code::ALL
            .into_iter()
            .find(|code| code.name() == name)
            .ok_or_else(|| Error::InvalidInput {
                field: None,
                message: format!(
                    "\"{name}\" is no finding: give one of {}.",
                    Code::ALL.map(Code::name).join(", ")
                ),
            })
    }

    /// The name findings and dismissals use: `plainHttpRedirect`.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// One thing to look at on one app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: Code,
    /// What was found, naming the scope, URL or secret.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// What to change.
    pub fix: String,
    /// What it names, for a front end that says it in its own words (the window, in the
    /// admin's language); the command line says `what`, `why` and `fix`.
    #[serde(skip)]
    pub facts: Facts,
}

/// What a finding names, each kind with its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facts {
    UserScopesWithoutRedirect {
        scopes: Vec<String>,
    },
    BroadAndNarrowScope {
        broad: String,
        narrower: Vec<String>,
        scope_type: ScopeType,
    },
    PlainHttpRedirect {
        uri: String,
    },
    /// `other` is `uri` when it is listed twice, else it differs by a trailing slash.
    DuplicateRedirect {
        uri: String,
        other: String,
    },
    OnlyExpiredSecrets,
    /// `lives_days` is none for a secret that never expires.
    SecretLivesTooLong {
        secret_id: i64,
        description: Option<String>,
        lives_days: Option<i64>,
        max_days: i64,
    },
    AllSecretsTooOld {
        max_days: i64,
    },
}

/// What the checks allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The longest a secret should live, from its creation.
    pub max_secret_age: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_secret_age: DEFAULT_MAX_SECRET_AGE,
        }
    }
}

/// Every finding on `app` at `now`, in the order of [`Code`].
pub fn check(app: &ExternalApp, policy: &Policy, now: OffsetDateTime) -> Vec<Finding> {
    let mut findings = Vec::new();
    broad_and_narrow(app, &mut findings);
    redirects(app, &mut findings);
    let confidential = app.app_type == AppType::Confidential;
    if confidential && !app.user_scopes().is_empty() && app.redirect_uris.is_empty() {
        findings.push(Finding {
            code: Code::UserScopesWithoutRedirect,
            what: format!(
                "It holds user scopes ({}) but no redirect URL.",
                app.user_scopes().join(", ")
            ),
            why: "User scopes act for a signed-in user, and a user signs in through a redirect \
                  URL: without one they cannot be used, yet they stay granted."
                .into(),
            fix: "Add the integration's redirect URL, or remove the user scopes if it only acts \
                  as itself."
                .into(),
            facts: Facts::UserScopesWithoutRedirect {
                scopes: app.user_scopes().iter().map(ToString::to_string).collect(),
            },
        });
    }
    if confidential {
        secrets(app, policy, now, &mut findings);
    }
    findings
}

fn broad_and_narrow(app: &ExternalApp, findings: &mut Vec<Finding>) {
    for scope_type in [ScopeType::Application, ScopeType::User] {
        let held: BTreeSet<&str> = app
            .scopes
            .iter()
            .filter(|s| s.scope_type == scope_type)
            .map(|s| s.name.as_str())
            .collect();
        for broad in &held {
            let narrower: Vec<String> = [".Read", ".Write"]
                .iter()
                .map(|suffix| format!("{broad}{suffix}"))
                .filter(|narrow| held.contains(narrow.as_str()))
                .collect();
            if narrower.is_empty() {
                continue;
            }
            let kind = match scope_type {
                ScopeType::Application => "application",
                ScopeType::User => "user",
            };
            findings.push(Finding {
                code: Code::BroadAndNarrowScope,
                what: format!(
                    "It holds {broad} and {} as {kind} scopes.",
                    narrower.join(" and ")
                ),
                why: format!(
                    "{broad} already covers {}: holding the narrower form too suggests the \
                     integration needs less than it holds.",
                    narrower.join(" and ")
                ),
                fix: format!("Remove {broad} and keep only the narrower scopes it needs."),
                facts: Facts::BroadAndNarrowScope {
                    broad: (*broad).to_owned(),
                    narrower: narrower.clone(),
                    scope_type,
                },
            });
        }
    }
}

fn redirects(app: &ExternalApp, findings: &mut Vec<Finding>) {
    for uri in &app.redirect_uris {
        let Ok(url) = Url::parse(uri) else { continue };
        let loopback = match url.host() {
            Some(url::Host::Domain(host)) => host.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        if url.scheme() == "http" && !loopback {
            findings.push(Finding {
                code: Code::PlainHttpRedirect,
                what: format!("The redirect URL {uri} is plain http to another computer."),
                why: "The authorization code travels to it unencrypted, where anyone on the way \
                      can read it and exchange it."
                    .into(),
                fix: format!("Use https for {uri}, or a loopback address for a desktop app."),
                facts: Facts::PlainHttpRedirect { uri: uri.clone() },
            });
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for uri in &app.redirect_uris {
        let bare = uri.trim_end_matches('/');
        match seen
            .iter()
            .find(|other| other.trim_end_matches('/') == bare)
        {
            Some(other) => findings.push(Finding {
                code: Code::DuplicateRedirect,
                what: match *other == uri {
                    true => format!("The redirect URL {uri} is listed twice."),
                    false => format!(
                        "The redirect URLs {other} and {uri} differ only by a trailing slash."
                    ),
                },
                why: "Each redirect URL is a place the server will send codes to: one more than \
                      the integration uses is one more to guard, and a near-duplicate is often \
                      a typo for the one meant."
                    .into(),
                fix: format!("Keep the one the integration sends, and remove {uri}."),
                facts: Facts::DuplicateRedirect {
                    uri: uri.clone(),
                    other: (*other).to_owned(),
                },
            }),
            None => seen.push(uri),
        }
    }
}

fn secrets(app: &ExternalApp, policy: &Policy, now: OffsetDateTime, findings: &mut Vec<Finding>) {
    let days = |d: Duration| d.whole_days();
    if !app.secrets.is_empty()
        && app
            .secrets
            .iter()
            .all(|s| s.expires.is_some_and(|e| e <= now))
    {
        findings.push(Finding {
            code: Code::OnlyExpiredSecrets,
            what: "Every secret it has has expired.".into(),
            why: "No integration can get a token with it: it fails, or the app is no longer used \
                  and still holds its scopes."
                .into(),
            fix: "Generate a new secret and hand it over, or delete the app if nothing uses it."
                .into(),
            facts: Facts::OnlyExpiredSecrets,
        });
    }
    // An expired secret no longer works, however long it lived.
    for secret in app
        .secrets
        .iter()
        .filter(|s| s.expires.is_none_or(|e| e > now))
    {
        let name = secret.description.as_deref().map_or_else(
            || format!("Secret {}", secret.id),
            |d| format!("Secret {} (\u{201c}{d}\u{201d})", secret.id),
        );
        let (what, lives_days) = match secret.expires {
            None => (format!("{name} never expires."), None),
            Some(expires) if expires - secret.created > policy.max_secret_age => {
                let lives = days(expires - secret.created);
                let what = format!(
                    "{name} lives {lives} days, longer than the {} allowed.",
                    days(policy.max_secret_age)
                );
                (what, Some(lives))
            }
            Some(_) => continue,
        };
        findings.push(Finding {
            code: Code::SecretLivesTooLong,
            what,
            why: "A secret that lives long is more likely to leak in that time, and a leaked \
                  copy keeps working until it expires."
                .into(),
            fix: format!(
                "Rotate it: generate a secret that expires within {} days, switch the \
                 integration to it, then delete this one.",
                days(policy.max_secret_age)
            ),
            facts: Facts::SecretLivesTooLong {
                secret_id: secret.id,
                description: secret.description.clone(),
                lives_days,
                max_days: days(policy.max_secret_age),
            },
        });
    }
    if !app.secrets.is_empty()
        && app
            .secrets
            .iter()
            .all(|s| now - s.created > policy.max_secret_age)
    {
        findings.push(Finding {
            code: Code::AllSecretsTooOld,
            what: format!(
                "Every secret it has was made more than {} days ago.",
                days(policy.max_secret_age)
            ),
            why: "The same credential has been in use, and in copies, for longer than allowed."
                .into(),
            fix: "Rotate: generate a new secret, hand it over, and delete the old ones once the \
                  integration uses it."
                .into(),
            facts: Facts::AllSecretsTooOld {
                max_days: days(policy.max_secret_age),
            },
        });
    }
}

/// A finding the admin decided to live with, for one app, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dismissal {
    pub connection_id: String,
    pub app_id: String,
    pub code: Code,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Serialize, Deserialize)]
struct DismissalsFile {
    version: u32,
    dismissed: Vec<Dismissal>,
}

impl Default for DismissalsFile {
    fn default() -> Self {
        Self {
            version: 1,
            dismissed: Vec::new(),
        }
    }
}

/// The dismissed findings, in one file beside the connection list, shared by the window and the
/// command line.
#[derive(Debug, Clone)]
pub struct Dismissals {
    file: JsonFile,
}

impl Dismissals {
    pub fn new(path: PathBuf) -> Self {
        Self {
            file: JsonFile::new(path, "a list of dismissed findings"),
        }
    }

    /// Every dismissal, of every connection.
    pub fn all(&self) -> Result<Vec<Dismissal>> {
        Ok(self.file.read::<DismissalsFile>()?.dismissed)
    }

    /// Records that `code` on the app is dismissed for `reason`, which must say something.
    pub async fn dismiss(&self, dismissal: Dismissal) -> Result<Dismissal> {
        let reason = dismissal.reason.trim().to_owned();
        if reason.is_empty() {
            return Err(Error::InvalidInput {
                field: None,
                message: "Say why the finding does not apply, so whoever reads the audit trail \
                          knows."
                    .into(),
            });
        }
        let dismissal = Dismissal {
            reason,
            ..dismissal
        };
        self.file
            .change(|file: &mut DismissalsFile| {
                file.dismissed.retain(|d| {
                    (&d.connection_id, &d.app_id, d.code)
                        != (&dismissal.connection_id, &dismissal.app_id, dismissal.code)
                });
                file.dismissed.push(dismissal.clone());
                Ok(())
            })
            .await?;
        Ok(dismissal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Scope, SecretInfo, TokenAuth};

    fn now() -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::days(3650)
    }

    fn app(
        scopes: &[(&str, ScopeType)],
        redirects: &[&str],
        secrets: &[(i64, Option<i64>)],
    ) -> ExternalApp {
        ExternalApp {
            id: "id".into(),
            name: "Billing".into(),
            app_type: AppType::Confidential,
            redirect_uris: redirects.iter().map(|r| (*r).to_owned()).collect(),
            scopes: scopes.iter().map(|(n, t)| Scope::new(*n, *t)).collect(),
            secrets: secrets
                .iter()
                .enumerate()
                .map(|(n, (age, expires_in))| SecretInfo {
                    id: n as i64 + 1,
                    description: None,
                    created: now() - Duration::days(*age),
                    expires: expires_in.map(|d| now() + Duration::days(d)),
                })
                .collect(),
            token_auth: TokenAuth::SecretPost,
            listed_only: false,
        }
    }

    fn codes(app: &ExternalApp) -> Vec<Code> {
        check(app, &Policy::default(), now())
            .iter()
            .map(|f| f.code)
            .collect()
    }

    #[test]
    fn a_tidy_app_has_no_finding() {
        let tidy = app(
            &[
                ("OR.Jobs.Read", ScopeType::Application),
                ("OR.Users.Read", ScopeType::User),
            ],
            &[
                "https://billing.example/callback",
                "http://127.0.0.1:8400/cb",
                "http://localhost/cb",
            ],
            &[(10, Some(300))],
        );
        assert_eq!(codes(&tidy), []);
    }

    #[test]
    fn broad_scopes_beside_their_narrow_forms_of_the_same_type_are_found() {
        let both = app(
            &[
                ("OR.Jobs", ScopeType::Application),
                ("OR.Jobs.Read", ScopeType::Application),
                ("OR.Jobs.Write", ScopeType::Application),
                ("OR.Queues", ScopeType::Application),
                ("OR.Queues.Read", ScopeType::User),
            ],
            &["https://billing.example/cb"],
            &[(10, Some(300))],
        );
        let findings = check(&both, &Policy::default(), now());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0]
            .what
            .contains("OR.Jobs and OR.Jobs.Read and OR.Jobs.Write"));
        assert!(findings[0].fix.contains("Remove OR.Jobs"));
        assert_eq!(
            findings[0].facts,
            Facts::BroadAndNarrowScope {
                broad: "OR.Jobs".into(),
                narrower: vec!["OR.Jobs.Read".into(), "OR.Jobs.Write".into()],
                scope_type: ScopeType::Application,
            }
        );
    }

    #[test]
    fn redirects_over_plain_http_elsewhere_and_near_duplicates_are_found() {
        let sloppy = app(
            &[],
            &[
                "http://billing.example/cb",
                "https://billing.example/cb",
                "https://billing.example/cb/",
                "http://[::1]:8080/cb",
            ],
            &[(10, Some(300))],
        );
        let findings = check(&sloppy, &Policy::default(), now());
        let codes: Vec<Code> = findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, [Code::PlainHttpRedirect, Code::DuplicateRedirect]);
        assert!(findings[1].what.contains("differ only by a trailing slash"));
        assert_eq!(
            findings.iter().map(|f| f.facts.clone()).collect::<Vec<_>>(),
            [
                Facts::PlainHttpRedirect {
                    uri: "http://billing.example/cb".into()
                },
                Facts::DuplicateRedirect {
                    uri: "https://billing.example/cb/".into(),
                    other: "https://billing.example/cb".into()
                }
            ]
        );
    }

    #[test]
    fn user_scopes_without_a_redirect_are_found_on_confidential_apps() {
        let machine = app(
            &[("OR.Users.Read", ScopeType::User)],
            &[],
            &[(10, Some(300))],
        );
        assert_eq!(codes(&machine), [Code::UserScopesWithoutRedirect]);
        assert_eq!(
            check(&machine, &Policy::default(), now())[0].facts,
            Facts::UserScopesWithoutRedirect {
                scopes: vec!["OR.Users.Read".into()]
            }
        );
    }

    #[test]
    fn secrets_expired_endless_too_long_or_all_old_are_found() {
        assert_eq!(
            codes(&app(&[], &[], &[(100, Some(-1))])),
            [Code::OnlyExpiredSecrets]
        );
        assert_eq!(
            codes(&app(&[], &[], &[(10, None)])),
            [Code::SecretLivesTooLong]
        );
        assert_eq!(
            codes(&app(&[], &[], &[(10, Some(800))])),
            [Code::SecretLivesTooLong]
        );
        assert_eq!(
            codes(&app(&[], &[], &[(800, Some(-60)), (900, Some(60))])),
            [Code::SecretLivesTooLong, Code::AllSecretsTooOld]
        );
        let short = Policy {
            max_secret_age: Duration::days(90),
        };
        let found = check(&app(&[], &[], &[(10, Some(300))]), &short, now());
        assert_eq!(found[0].code, Code::SecretLivesTooLong);
        assert!(
            found[0]
                .what
                .contains("310 days, longer than the 90 allowed"),
            "{}",
            found[0].what
        );
        assert_eq!(
            found[0].facts,
            Facts::SecretLivesTooLong {
                secret_id: 1,
                description: None,
                lives_days: Some(310),
                max_days: 90
            }
        );
        let old = check(&app(&[], &[], &[(800, None)]), &short, now());
        assert_eq!(
            old.iter().map(|f| f.facts.clone()).collect::<Vec<_>>(),
            [
                Facts::SecretLivesTooLong {
                    secret_id: 1,
                    description: None,
                    lives_days: None,
                    max_days: 90
                },
                Facts::AllSecretsTooOld { max_days: 90 }
            ]
        );
    }
}
