//! The admin's preferences, a small versioned JSON file beside the connection list.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lint;

/// How long a copied secret may stay on the clipboard, in seconds.
pub const CLIPBOARD_CLEAR_RANGE: std::ops::RangeInclusive<u32> = 5..=600;

/// The longest life the lint allows a secret, in days: a month to ten years.
pub const MAX_SECRET_AGE_RANGE: std::ops::RangeInclusive<u32> = 30..=3650;

/// How many days before an expiry a notification may come: a day to a year.
pub const ALERT_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=365;

/// How many notifications before an expiry at most (the one at expiry besides).
pub const MAX_ALERT_DAYS: usize = 5;

/// How the window looks: as the system does, or always light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// The language of the window: the system's, when Registrar speaks it, or one chosen here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Language {
    #[default]
    System,
    En,
    Ja,
}

/// A language Registrar speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Ja,
}

impl Language {
    /// The language to speak: the one chosen, or else the first of the system's languages
    /// (BCP 47 or POSIX tags, the most preferred first) that Registrar speaks, or English. The
    /// window decides the same way.
    pub fn locale<S: AsRef<str>>(self, system: &[S]) -> Locale {
        match self {
            Language::En => Locale::En,
            Language::Ja => Locale::Ja,
            Language::System => system
                .iter()
                .find_map(|tag| {
                    let primary = tag.as_ref().split(['-', '_', '.']).next()?;
                    match primary.to_ascii_lowercase().as_str() {
                        "en" => Some(Locale::En),
                        "ja" => Some(Locale::Ja),
                        _ => None,
                    }
                })
                .unwrap_or(Locale::En),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub clipboard_clear_seconds: u32,
    /// The longest a secret should live, in days, before the lint names it; files saved before
    /// there was such a setting take the default.
    #[serde(default = "default_max_secret_age_days")]
    pub max_secret_age_days: u32,
    /// Whether the window notifies before secrets expire.
    #[serde(default = "default_expiry_alerts")]
    pub expiry_alerts: bool,
    /// How many days before an expiry it notifies (and at expiry too), the largest first.
    #[serde(default = "default_alert_days")]
    pub alert_days: Vec<u32>,
    #[serde(default)]
    pub theme: Theme,
    #[serde(default)]
    pub language: Language,
}

fn default_expiry_alerts() -> bool {
    true
}

fn default_alert_days() -> Vec<u32> {
    vec![30, 7, 1]
}

fn default_max_secret_age_days() -> u32 {
    u32::try_from(lint::DEFAULT_MAX_SECRET_AGE.whole_days()).unwrap_or(730)
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clipboard_clear_seconds: 30,
            max_secret_age_days: default_max_secret_age_days(),
            expiry_alerts: default_expiry_alerts(),
            alert_days: default_alert_days(),
            theme: Theme::System,
            language: Language::System,
        }
    }
}

impl Settings {
    /// What the lint allows, as set here.
    pub fn lint_policy(&self) -> lint::Policy {
        lint::Policy {
            max_secret_age: time::Duration::days(i64::from(self.max_secret_age_days)),
        }
    }

    /// Checks each value, and puts the alert days in order (largest first, each once).
    pub fn validate(mut self) -> Result<Self> {
        self.alert_days.sort_unstable_by(|a, b| b.cmp(a));
        self.alert_days.dedup();
        if self.alert_days.len() > MAX_ALERT_DAYS
            || !self.alert_days.iter().all(|d| ALERT_DAYS_RANGE.contains(d))
        {
            return Err(Error::InvalidInput {
                field: None,
                message: format!(
                    "Give at most {MAX_ALERT_DAYS} numbers of days before an expiry to be \
                     notified, each from {} to {}, as 30, 7, 1.",
                    ALERT_DAYS_RANGE.start(),
                    ALERT_DAYS_RANGE.end()
                ),
            });
        }
        if !MAX_SECRET_AGE_RANGE.contains(&self.max_secret_age_days) {
            return Err(Error::InvalidInput {
                field: None,
                message: format!(
                    "Let a secret live from {} to {} days.",
                    MAX_SECRET_AGE_RANGE.start(),
                    MAX_SECRET_AGE_RANGE.end()
                ),
            });
        }
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

    pub fn save(&self, settings: &Settings) -> Result<()> {
        let json = serde_json::to_vec_pretty(&SettingsFile {
            version: 1,
            settings: settings.clone(),
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
            .save(&Settings {
                clipboard_clear_seconds: 12,
                max_secret_age_days: 90,
                ..Settings::default()
            })
            .unwrap();
        assert_eq!(store.load().unwrap().clipboard_clear_seconds, 12);
        assert_eq!(
            store.load().unwrap().lint_policy().max_secret_age,
            time::Duration::days(90)
        );
    }

    #[test]
    fn a_file_from_before_the_secret_age_setting_takes_its_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let old = r#"{"version":1,"settings":{"clipboardClearSeconds":20}}"#;
        std::fs::write(&path, old).unwrap();
        let loaded = SettingsStore::new(path).load().unwrap();
        assert_eq!(
            (loaded.clipboard_clear_seconds, loaded.max_secret_age_days),
            (20, 730)
        );
        assert!(loaded.expiry_alerts);
        assert_eq!(loaded.theme, Theme::System);
        assert_eq!(loaded.language, Language::System);
        assert_eq!(loaded.alert_days, [30, 7, 1]);
    }

    #[test]
    fn alert_days_are_put_in_order_and_stay_in_range() {
        let with = |days: &[u32]| Settings {
            alert_days: days.to_vec(),
            ..Settings::default()
        };
        assert_eq!(
            with(&[7, 30, 7, 1]).validate().unwrap().alert_days,
            [30, 7, 1]
        );
        assert!(with(&[]).validate().is_ok(), "only at expiry");
        assert!(with(&[0]).validate().is_err());
        assert!(with(&[366]).validate().is_err());
        assert!(with(&[1, 2, 3, 4, 5, 6]).validate().is_err());
    }

    #[test]
    fn the_secret_age_stays_in_range() {
        let with = |days| Settings {
            max_secret_age_days: days,
            ..Settings::default()
        };
        assert!(with(29).validate().is_err());
        assert!(with(3651).validate().is_err());
        assert!(with(365).validate().is_ok());
    }

    #[test]
    fn the_clear_delay_stays_in_range() {
        assert!(Settings {
            clipboard_clear_seconds: 4,
            ..Settings::default()
        }
        .validate()
        .is_err());
        assert!(Settings {
            clipboard_clear_seconds: 601,
            ..Settings::default()
        }
        .validate()
        .is_err());
        assert!(Settings {
            clipboard_clear_seconds: 30,
            ..Settings::default()
        }
        .validate()
        .is_ok());
    }

    #[test]
    fn the_language_is_the_one_chosen_or_the_first_the_system_prefers_that_registrar_speaks() {
        assert_eq!(Language::Ja.locale(&["en-US"]), Locale::Ja);
        assert_eq!(Language::En.locale(&["ja-JP"]), Locale::En);
        assert_eq!(
            Language::System.locale(&["de-DE", "ja_JP.UTF-8", "en"]),
            Locale::Ja
        );
        assert_eq!(Language::System.locale(&["EN-gb", "ja"]), Locale::En);
        assert_eq!(Language::System.locale(&["fr"]), Locale::En);
        assert_eq!(Language::System.locale::<&str>(&[]), Locale::En);
    }
}
