//! Changing an existing app. The identity server replaces the whole scope and redirect lists on an
//! update, so a save starts from a fresh read: if the app is no longer what the admin opened, the
//! save stops and says so rather than overwriting someone else's change.

use std::collections::BTreeSet;

use crate::draft::{AppDraft, Held, ValidDraft};
use crate::error::{Error, Result};
use crate::lockout::Guard;
use crate::model::{CatalogResource, ExternalApp, Scope};
use crate::provider::Provider;

/// The editable part of an app: what the admin opened (the base) or wants (the edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppEdit {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<Scope>,
}

impl From<&ExternalApp> for AppEdit {
    fn from(app: &ExternalApp) -> Self {
        Self {
            name: app.name.clone(),
            redirect_uris: app.redirect_uris.clone(),
            scopes: app.scopes.clone(),
        }
    }
}

impl AppEdit {
    /// Same content, whatever the order of the lists.
    fn same_as(&self, other: &AppEdit) -> bool {
        let uris = |e: &AppEdit| e.redirect_uris.iter().cloned().collect::<BTreeSet<_>>();
        let scopes = |e: &AppEdit| e.scopes.iter().cloned().collect::<BTreeSet<_>>();
        self.name == other.name && uris(self) == uris(other) && scopes(self) == scopes(other)
    }
}

/// What a save will change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppChanges {
    pub name: Option<(String, String)>,
    pub scopes_added: Vec<Scope>,
    pub scopes_removed: Vec<Scope>,
    pub redirect_uris_added: Vec<String>,
    pub redirect_uris_removed: Vec<String>,
    /// What the app keeps that Registrar's rules or the catalog would refuse now (it was made
    /// elsewhere, or before the catalog changed): kept as it is, said so before saving.
    pub kept_as_held: Vec<String>,
}

impl AppChanges {
    pub fn between(from: &AppEdit, to: &ValidDraft) -> Self {
        let added = |new: &[Scope], old: &[Scope]| -> Vec<Scope> {
            new.iter().filter(|s| !old.contains(s)).cloned().collect()
        };
        let added_uris = |new: &[String], old: &[String]| -> Vec<String> {
            new.iter().filter(|u| !old.contains(u)).cloned().collect()
        };
        Self {
            name: (from.name != to.name).then(|| (from.name.clone(), to.name.clone())),
            scopes_added: added(&to.scopes, &from.scopes),
            scopes_removed: added(&from.scopes, &to.scopes),
            redirect_uris_added: added_uris(&to.redirect_uris, &from.redirect_uris),
            redirect_uris_removed: added_uris(&from.redirect_uris, &to.redirect_uris),
            kept_as_held: Vec::new(),
        }
    }

    /// Nothing would change (what is merely kept does not count).
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.scopes_added.is_empty()
            && self.scopes_removed.is_empty()
            && self.redirect_uris_added.is_empty()
            && self.redirect_uris_removed.is_empty()
    }
}

/// A checked edit against the app as the server has it now.
#[derive(Debug)]
pub struct UpdatePlan {
    /// The app as the server has it now.
    pub current: ExternalApp,
    pub changes: AppChanges,
    pub valid: ValidDraft,
}

/// Re-reads the app, refuses if it changed since `base` was read, checks `edit` against the seed's
/// rules for the app's (unchangeable) type, and works out the diff.
pub async fn plan_update(
    client: &Provider,
    app_id: &str,
    base: &AppEdit,
    edit: &AppEdit,
    catalog: &[CatalogResource],
) -> Result<UpdatePlan> {
    let fresh = client.get_app(app_id).await?;
    let current = AppEdit::from(&fresh);
    if !current.same_as(base) {
        return Err(Error::Conflict(format!(
            "\"{}\" was changed on the server since you opened it. Its current state is shown; your \
             edit was not saved.",
            fresh.name
        )));
    }
    let held = Held {
        name: &fresh.name,
        scopes: &fresh.scopes,
        redirect_uris: &fresh.redirect_uris,
    };
    let valid = AppDraft {
        name: edit.name.clone(),
        app_type: fresh.app_type,
        redirect_uris: edit.redirect_uris.clone(),
        scopes: edit.scopes.clone(),
    }
    .validate_keeping(Some(catalog), &held)?;
    // Of what the app holds, what the save keeps although the rules would refuse it now.
    let kept = Held {
        name: if valid.name == fresh.name {
            &fresh.name
        } else {
            ""
        },
        scopes: &valid
            .scopes
            .iter()
            .filter(|s| fresh.scopes.contains(s))
            .cloned()
            .collect::<Vec<_>>(),
        redirect_uris: &valid
            .redirect_uris
            .iter()
            .filter(|u| fresh.redirect_uris.contains(u))
            .cloned()
            .collect::<Vec<_>>(),
    }
    .oddities(catalog);
    Ok(UpdatePlan {
        changes: AppChanges {
            kept_as_held: kept,
            ..AppChanges::between(&current, &valid)
        },
        current: fresh,
        valid,
    })
}

/// A saved edit: the app as read back, and the new secret when the server replaced the app's
/// secret with the update (the old one no longer works; show this one at once).
#[derive(Debug)]
pub struct Updated {
    pub app: ExternalApp,
    pub replaced_secret: Option<crate::Secret>,
}

/// Plans, then sends the full merged state (the server replaces lists) and reads the app back.
/// `guard` refuses an edit that would cut the connection off from its server, unless accepted.
pub async fn apply_update(
    client: &Provider,
    app_id: &str,
    base: &AppEdit,
    edit: &AppEdit,
    catalog: &[CatalogResource],
    guard: &Guard,
) -> Result<Updated> {
    let plan = plan_update(client, app_id, base, edit, catalog).await?;
    guard.check_update(&plan.current, &plan.valid)?;
    if plan.changes.is_empty() {
        return Ok(Updated {
            app: plan.current,
            replaced_secret: None,
        });
    }
    let replaced_secret = client.update_app(&plan.current.id, &plan.valid).await?;
    let app = match client.get_app(&plan.current.id).await {
        Ok(app) => app,
        // The server ended the old secret: its successor must reach the admin even when the
        // app cannot be read back now.
        Err(e) if replaced_secret.is_some() => {
            tracing::warn!(app_id, "the saved app could not be read back: {e}");
            plan.current
        }
        // The connection's own admin app gave up its access with this save, as the admin
        // accepted: the server refuses to show it now, and it is as it was sent.
        Err(e @ (Error::Unauthorized(_) | Error::Forbidden(_))) if guard.concerns(app_id) => {
            tracing::warn!(
                app_id,
                "the admin app cannot read itself back after the save: {e}"
            );
            ExternalApp {
                name: plan.valid.name,
                redirect_uris: plan.valid.redirect_uris,
                scopes: plan.valid.scopes,
                ..plan.current
            }
        }
        Err(e) => return Err(e),
    };
    Ok(Updated {
        app,
        replaced_secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppType, ScopeType};

    fn edit(name: &str, uris: &[&str], scopes: &[(&str, ScopeType)]) -> AppEdit {
        AppEdit {
            name: name.into(),
            redirect_uris: uris.iter().map(|u| u.to_string()).collect(),
            scopes: scopes.iter().map(|(n, t)| Scope::new(*n, *t)).collect(),
        }
    }

    #[test]
    fn the_diff_lists_what_was_added_removed_and_renamed() {
        use ScopeType::{Application as A, User as U};
        let base = edit(
            "Sync",
            &["https://a.example/cb"],
            &[("OR.Jobs", A), ("OR.Jobs", U)],
        );
        let to = AppDraft {
            name: "Sync v2".into(),
            app_type: AppType::Confidential,
            redirect_uris: vec!["https://b.example/cb".into()],
            scopes: vec![Scope::new("OR.Jobs", U), Scope::new("OR.Queues.Read", A)],
        }
        .validate(None)
        .unwrap();
        let changes = AppChanges::between(&base, &to);
        assert_eq!(changes.name, Some(("Sync".into(), "Sync v2".into())));
        assert_eq!(changes.scopes_added, [Scope::new("OR.Queues.Read", A)]);
        assert_eq!(changes.scopes_removed, [Scope::new("OR.Jobs", A)]);
        assert_eq!(changes.redirect_uris_added, ["https://b.example/cb"]);
        assert_eq!(changes.redirect_uris_removed, ["https://a.example/cb"]);
        assert!(!changes.is_empty());
    }

    #[test]
    fn list_order_is_not_a_change_on_the_server() {
        use ScopeType::Application as A;
        let a = edit(
            "X",
            &["https://a.example", "https://b.example"],
            &[("OR.Jobs", A), ("OR.Queues", A)],
        );
        let b = edit(
            "X",
            &["https://b.example", "https://a.example"],
            &[("OR.Queues", A), ("OR.Jobs", A)],
        );
        assert!(a.same_as(&b));
        assert!(!a.same_as(&edit(
            "X",
            &["https://a.example"],
            &[("OR.Jobs", A), ("OR.Queues", A)]
        )));
    }
}
