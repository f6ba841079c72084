//! The admin's preferences, a small versioned JSON file beside the connection list.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How long a copied secret may stay on the clipboard, in seconds.
pub const CLIPBOARD_CLEAR_RANGE: std::ops::RangeInclusive<u32> = 5..=600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub clipboard_clear_seconds: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clipboard_clear_seconds: 30,
        }
    }
}

impl Settings {
    pub fn validate(self) -> Result<Self> {
        if !CLIPBOARD_CLEAR_RANGE.contains(&self.clipboard_clear_seconds) {
            return Err(Error::InvalidInput {
                field: None,
                message: format!(
                    "Clear copied secrets after {} to {} seconds.",
                    CLIPBOARD_CLEAR_RANGE.start(),
                    CLIPBOARD_CLEAR_RANGE.end()
                ),
            });
        }
        Ok(self)
    }
}

#[derive(Serialize, Deserialize)]
struct SettingsFile {
    version: u32,
    settings: Settings,
}

#[derive(Debug, Clone)]
pub struct SettingsStore {
    path: PathBuf,
}

impl SettingsStore {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// The saved settings, or the defaults when there is no file yet.
    pub fn load(&self) -> Result<Settings> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice::<SettingsFile>(&bytes)
                .map(|file| file.settings)
                .map_err(|e| {
                    Error::Storage(format!(
                        "{} is damaged ({e}); delete it to go back to the defaults.",
                        self.path.display()
                    ))
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(Error::Storage(format!(
                "Could not read {}: {e}.",
                self.path.display()
            ))),
        }
    }

    pub fn save(&self, settings: Settings) -> Result<()> {
        let json = serde_json::to_vec_pretty(&SettingsFile {
            version: 1,
            settings,
        })
        .map_err(|e| Error::Storage(e.to_string()))?;
        crate::files::write_atomically(&self.path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_until_saved_then_what_was_saved() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::new(dir.path().join("settings.json"));
        assert_eq!(store.load().unwrap(), Settings::default());
        store
            .save(Settings {
                clipboard_clear_seconds: 12,
            })
            .unwrap();
        assert_eq!(store.load().unwrap().clipboard_clear_seconds, 12);
    }

    #[test]
    fn the_clear_delay_stays_in_range() {
        assert!(Settings {
            clipboard_clear_seconds: 4
        }
        .validate()
        .is_err());
        assert!(Settings {
            clipboard_clear_seconds: 601
        }
        .validate()
        .is_err());
        assert!(Settings {
            clipboard_clear_seconds: 30
        }
        .validate()
        .is_ok());
    }
}
