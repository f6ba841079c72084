//! Rotations in progress: an app's new secret generated while the old ones still work, until
//! every consumer has switched and the admin retires the old ones. Kept in one file beside the
//! connection list, so a rotation outlives the window or the command line that started it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::Subject;
use crate::error::{Error, Result};
use crate::files::JsonFile;
use crate::model::ExternalApp;

/// One app's rotation, from the new secret to the old ones' retirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rotation {
    pub connection_id: String,
    pub app: Subject,
    /// The secret the consumers switch to.
    pub new_secret_id: i64,
    /// The secrets the app had when the rotation started: retired when it finishes.
    pub old_secret_ids: Vec<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When a token was last issued for the new secret.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub verified_at: Option<OffsetDateTime>,
    /// When a handoff sheet holding the new secret was last written.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub sheet_exported_at: Option<OffsetDateTime>,
}

/// A step of a rotation that is remembered when done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Verified,
    SheetExported,
}

impl Rotation {
    /// A rotation of `app`, whose secrets before `new_secret_id` was added retire at the end.
    pub fn new(
        connection_id: &str,
        app: &ExternalApp,
        new_secret_id: i64,
        started_at: OffsetDateTime,
    ) -> Self {
        Self {
            connection_id: connection_id.to_owned(),
            app: Subject::app(app),
            new_secret_id,
            old_secret_ids: app
                .secrets
                .iter()
                .map(|s| s.id)
                .filter(|id| *id != new_secret_id)
                .collect(),
            started_at,
            verified_at: None,
            sheet_exported_at: None,
        }
    }

    fn is(&self, connection_id: &str, app_id: &str) -> bool {
        self.connection_id == connection_id && self.app.id == app_id
    }

    /// Why a second rotation of the same app cannot start.
    pub fn in_progress_error(&self) -> Error {
        Error::InvalidInput {
            field: None,
            message: format!(
                "A rotation of \u{201c}{}\u{201d} is in progress since {}: finish it once every \
                 consumer uses the new secret, or cancel it.",
                self.app.name,
                self.started_at.date()
            ),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct RotationsFile {
    version: u32,
    rotations: Vec<Rotation>,
}

impl Default for RotationsFile {
    fn default() -> Self {
        Self {
            version: 1,
            rotations: Vec::new(),
        }
    }
}

/// The rotations in progress, of every connection.
#[derive(Debug, Clone)]
pub struct Rotations {
    file: JsonFile,
}

impl Rotations {
    pub fn new(path: PathBuf) -> Self {
        Self {
            file: JsonFile::new(path, "a list of rotations in progress"),
        }
    }

    /// Every rotation in progress, oldest first.
    pub fn all(&self) -> Result<Vec<Rotation>> {
        Ok(self.file.read::<RotationsFile>()?.rotations)
    }

    /// The app's rotation in progress, if there is one.
    pub fn of(&self, connection_id: &str, app_id: &str) -> Result<Option<Rotation>> {
        Ok(self
            .all()?
            .into_iter()
            .find(|r| r.is(connection_id, app_id)))
    }

    /// Saves `rotation`, unless the app has one in progress already.
    pub async fn start(&self, rotation: Rotation) -> Result<()> {
        self.file
            .change(|file: &mut RotationsFile| {
                let app = (&rotation.connection_id, &rotation.app.id);
                if let Some(other) = file.rotations.iter().find(|r| r.is(app.0, app.1)) {
                    return Err(other.in_progress_error());
                }
                file.rotations.push(rotation);
                Ok(())
            })
            .await
    }

    /// Remembers that `step` of the app's rotation was done `at`, if its new secret is
    /// `secret_id`; the rotation as it is now.
    pub async fn done(
        &self,
        connection_id: &str,
        app_id: &str,
        secret_id: i64,
        step: Step,
        at: OffsetDateTime,
    ) -> Result<Option<Rotation>> {
        self.file
            .change(|file: &mut RotationsFile| {
                let rotation = file
                    .rotations
                    .iter_mut()
                    .find(|r| r.is(connection_id, app_id) && r.new_secret_id == secret_id);
                Ok(rotation.map(|rotation| {
                    match step {
                        Step::Verified => rotation.verified_at = Some(at),
                        Step::SheetExported => rotation.sheet_exported_at = Some(at),
                    }
                    rotation.clone()
                }))
            })
            .await
    }

    /// Ends the app's rotation (finished or cancelled), returning it.
    pub async fn end(&self, connection_id: &str, app_id: &str) -> Result<Option<Rotation>> {
        self.file
            .change(|file: &mut RotationsFile| {
                let at = file
                    .rotations
                    .iter()
                    .position(|r| r.is(connection_id, app_id));
                Ok(at.map(|at| file.rotations.remove(at)))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppType, SecretInfo, TokenAuth};

    fn app(secrets: &[i64]) -> ExternalApp {
        ExternalApp {
            id: "app-1".into(),
            name: "Billing".into(),
            app_type: AppType::Confidential,
            redirect_uris: vec![],
            scopes: vec![],
            secrets: secrets
                .iter()
                .map(|id| SecretInfo {
                    id: *id,
                    description: None,
                    created: OffsetDateTime::UNIX_EPOCH,
                    expires: None,
                })
                .collect(),
            token_auth: TokenAuth::SecretPost,
            listed_only: false,
        }
    }

    #[test]
    fn the_old_secrets_are_those_the_app_had_beside_the_new_one() {
        let rotation = Rotation::new("c", &app(&[1, 2, 3]), 3, OffsetDateTime::UNIX_EPOCH);
        assert_eq!(rotation.old_secret_ids, vec![1, 2]);
        assert_eq!(rotation.app.name, "Billing");
    }

    #[tokio::test]
    async fn a_rotation_is_kept_on_disk_until_it_ends_and_one_app_has_one_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rotations.json");
        let start = OffsetDateTime::UNIX_EPOCH;
        let rotation = Rotation::new("c", &app(&[1, 2]), 2, start);
        Rotations::new(path.clone())
            .start(rotation.clone())
            .await
            .unwrap();

        let reopened = Rotations::new(path.clone());
        assert_eq!(reopened.of("c", "app-1").unwrap(), Some(rotation.clone()));
        assert_eq!(reopened.of("other", "app-1").unwrap(), None);
        let again = reopened.start(Rotation::new("c", &app(&[1, 2, 5]), 5, start));
        let refused = again.await.unwrap_err().to_string();
        assert!(
            refused.contains("in progress since 1970-01-01"),
            "{refused}"
        );

        let later = start + time::Duration::hours(1);
        let not_ours = reopened.done("c", "app-1", 1, Step::Verified, later);
        assert_eq!(
            not_ours.await.unwrap(),
            None,
            "only the new secret's steps count"
        );
        let verified = reopened.done("c", "app-1", 2, Step::Verified, later);
        assert_eq!(verified.await.unwrap().unwrap().verified_at, Some(later));
        let kept = reopened.of("c", "app-1").unwrap().unwrap();
        assert_eq!(
            (kept.verified_at, kept.sheet_exported_at),
            (Some(later), None)
        );

        let ended = reopened.end("c", "app-1").await.unwrap().unwrap();
        assert_eq!(ended.verified_at, Some(later));
        assert!(reopened.all().unwrap().is_empty());
        assert_eq!(reopened.end("c", "app-1").await.unwrap(), None);
    }

    #[test]
    fn a_file_that_is_not_a_list_of_rotations_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rotations.json");
        std::fs::write(&path, "[").unwrap();
        let error = Rotations::new(path).all().unwrap_err().to_string();
        assert!(
            error.contains("not a list of rotations in progress"),
            "{error}"
        );
        assert!(error.contains("move it away"), "{error}");
    }
}
