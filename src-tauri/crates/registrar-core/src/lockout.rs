//! The lockout guard. A connection acts through an app on the server it manages: its admin app
//! (application scope `PM.OAuthApp`, a secret) or the app its admin signs in with (user scope
//! `PM.OAuthApp`). Taking that scope away from it, deleting it, or deleting its last working
//! secret leaves the connection unable to do anything, including undoing the change; so each is
//! refused until the admin confirms a warning that says so. The window and the command line
//! check through the same guard.

use crate::connections::{Connection, ConnectionKind};
use crate::draft::ValidDraft;
use crate::error::{Error, Result};
use crate::model::{ExternalApp, Scope, ScopeType, SecretStatus};
use crate::uipath::ADMIN_SCOPES;

/// What a connection must not lose, and whether the admin accepted losing it.
#[derive(Debug, Clone)]
pub struct Guard {
    /// The app the connection acts through and the type of its `PM.OAuthApp`; none for a
    /// server where Registrar acts with no app of its own (an initial access token).
    admin_app: Option<(String, ScopeType)>,
    connection: String,
    accepted: bool,
}

impl Guard {
    /// The guard of `connection`; `accepted`: the admin confirmed the warning.
    pub fn for_connection(connection: &Connection, accepted: bool) -> Self {
        let admin_app = (connection.kind != ConnectionKind::OauthServer).then(|| {
            let scope_type = match connection.signed_in {
                true => ScopeType::User,
                false => ScopeType::Application,
            };
            (connection.admin_client_id.clone(), scope_type)
        });
        Self {
            admin_app,
            connection: connection.name.clone(),
            accepted,
        }
    }

    /// The guard of credentials that act through the admin app `client_id` (the command line's
    /// from the environment).
    pub fn for_admin_app(client_id: &str, connection: &str, accepted: bool) -> Self {
        Self {
            admin_app: Some((client_id.to_owned(), ScopeType::Application)),
            connection: connection.to_owned(),
            accepted,
        }
    }

    /// This guard with the admin's answer to its warning.
    pub fn accepting(self, accepted: bool) -> Self {
        Self { accepted, ..self }
    }

    /// Whether `app_id` is the app the connection acts through: only then is there anything to
    /// check (and to read first).
    pub fn concerns(&self, app_id: &str) -> bool {
        self.admin_app.as_ref().is_some_and(|(id, _)| id == app_id)
    }

    /// Saving `draft` over `app`.
    pub fn check_update(&self, app: &ExternalApp, draft: &ValidDraft) -> Result<()> {
        let Some((_, scope_type)) = self.admin_app.as_ref().filter(|_| self.concerns(&app.id))
        else {
            return Ok(());
        };
        let needed = Scope::new(ADMIN_SCOPES[0], *scope_type);
        if app.scopes.contains(&needed) && !draft.scopes.contains(&needed) {
            return self.refuse(format!(
                "\u{201c}{}\u{201d} is the app this connection acts through: without {} as {} \
                 scope, \u{201c}{}\u{201d} can no longer manage apps, nor give the scope back.",
                app.name,
                ADMIN_SCOPES[0],
                match scope_type {
                    ScopeType::User => "a user",
                    ScopeType::Application => "an application",
                },
                self.connection
            ));
        }
        Ok(())
    }

    /// Deleting `app`.
    pub fn check_delete_app(&self, app: &ExternalApp) -> Result<()> {
        if !self.concerns(&app.id) {
            return Ok(());
        }
        self.refuse(format!(
            "\u{201c}{}\u{201d} is the app this connection acts through: once it is deleted, \
             \u{201c}{}\u{201d} stops working.",
            app.name, self.connection
        ))
    }

    /// Deleting the secret `secret_id` of `app`.
    pub fn check_delete_secret(&self, app: &ExternalApp, secret_id: i64) -> Result<()> {
        let by_secret = matches!(self.admin_app, Some((_, ScopeType::Application)));
        if !by_secret || !self.concerns(&app.id) {
            return Ok(());
        }
        let now = time::OffsetDateTime::now_utc();
        let left = app
            .secrets
            .iter()
            .filter(|s| s.id != secret_id && s.status(now) != SecretStatus::Expired)
            .count();
        if left > 0 {
            return Ok(());
        }
        self.refuse(format!(
            "This is the last working secret of \u{201c}{}\u{201d}, the app this connection acts \
             through: without it, \u{201c}{}\u{201d} stops working.",
            app.name, self.connection
        ))
    }

    fn refuse(&self, why: String) -> Result<()> {
        match self.accepted {
            true => Ok(()),
            false => Err(Error::Lockout(why)),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::{Duration, OffsetDateTime};

    use super::*;
    use crate::model::{AppType, SecretInfo};

    fn admin_app(scopes: &[Scope], secrets: &[(i64, Option<Duration>)]) -> ExternalApp {
        let now = OffsetDateTime::now_utc();
        ExternalApp {
            id: "admin-app".into(),
            name: "Registrar admin".into(),
            app_type: AppType::Confidential,
            redirect_uris: vec![],
            scopes: scopes.to_vec(),
            secrets: secrets
                .iter()
                .map(|(id, expires_in)| SecretInfo {
                    id: *id,
                    description: None,
                    created: now - Duration::days(1),
                    expires: expires_in.map(|d| now + d),
                })
                .collect(),
            token_auth: Default::default(),
            listed_only: false,
        }
    }

    fn draft(scopes: &[Scope]) -> ValidDraft {
        ValidDraft {
            name: "Registrar admin".into(),
            app_type: AppType::Confidential,
            redirect_uris: vec![],
            scopes: scopes.to_vec(),
        }
    }

    #[test]
    fn taking_pm_oauthapp_from_the_admin_app_is_refused_until_accepted() {
        let admin = Scope::new("PM.OAuthApp", ScopeType::Application);
        let jobs = Scope::new("OR.Jobs.Read", ScopeType::Application);
        let app = admin_app(std::slice::from_ref(&admin), &[(1, None)]);
        let guard = Guard::for_admin_app("admin-app", "Acme", false);
        match guard.check_update(&app, &draft(std::slice::from_ref(&jobs))) {
            Err(Error::Lockout(why)) => assert!(why.contains("Acme"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert!(guard
            .check_update(&app, &draft(&[admin, jobs.clone()]))
            .is_ok());
        let accepted = Guard::for_admin_app("admin-app", "Acme", true);
        assert!(accepted
            .check_update(&app, &draft(std::slice::from_ref(&jobs)))
            .is_ok());
        let other = ExternalApp {
            id: "other".into(),
            ..app
        };
        assert!(guard.check_update(&other, &draft(&[jobs])).is_ok());
    }

    #[test]
    fn deleting_the_admin_app_or_its_last_working_secret_is_refused_until_accepted() {
        let admin = Scope::new("PM.OAuthApp", ScopeType::Application);
        let guard = Guard::for_admin_app("admin-app", "Acme", false);
        let two = admin_app(
            std::slice::from_ref(&admin),
            &[(1, None), (2, Some(Duration::days(30)))],
        );
        assert!(matches!(
            guard.check_delete_app(&two),
            Err(Error::Lockout(_))
        ));
        assert!(
            guard.check_delete_secret(&two, 1).is_ok(),
            "another still works"
        );
        let expired_other = admin_app(&[admin], &[(1, None), (2, Some(-Duration::days(1)))]);
        assert!(matches!(
            guard.check_delete_secret(&expired_other, 1),
            Err(Error::Lockout(_))
        ));
        let accepted = Guard::for_admin_app("admin-app", "Acme", true);
        assert!(accepted.check_delete_secret(&expired_other, 1).is_ok());
        assert!(accepted.check_delete_app(&two).is_ok());
    }

    #[test]
    fn a_signed_in_connection_guards_the_user_scope_of_its_sign_in_app() {
        let mut connection = Connection::oauth_server("c".into(), "Acme".into(), "x".into());
        assert!(!Guard::for_connection(&connection, false).concerns(""));
        connection.kind = ConnectionKind::AutomationCloud;
        connection.admin_client_id = "admin-app".into();
        connection.signed_in = true;
        let guard = Guard::for_connection(&connection, false);
        let user = Scope::new("PM.OAuthApp", ScopeType::User);
        let app = admin_app(&[user], &[]);
        assert!(matches!(
            guard.check_update(&app, &draft(&[Scope::new("OR.Jobs", ScopeType::User)])),
            Err(Error::Lockout(_))
        ));
        assert!(
            guard.check_delete_secret(&app, 1).is_ok(),
            "a sign-in app has no secret to lose"
        );
    }
}
