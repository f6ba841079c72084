//! Desktop notifications before a secret expires: at each of the admin's thresholds (30, 7 and
//! 1 days before, by default) and at expiry, once per secret and threshold. What was notified is
//! kept in a file beside the connection list, so a restart does not notify again.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::error::Result;
use crate::expiry::Row;
use crate::files::JsonFile;
use crate::settings::Locale;

/// A secret that has reached a threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub connection_id: String,
    pub connection_name: String,
    pub app_name: String,
    pub app_id: String,
    pub secret_id: i64,
    pub description: Option<String>,
    pub expires: OffsetDateTime,
    /// The threshold reached, in days before the expiry; 0 once expired.
    pub stage: u32,
}

impl Alert {
    fn key(&self) -> String {
        format!("{}/{}/{}", self.connection_id, self.app_id, self.secret_id)
    }

    /// When it expires, from `now` (days begun count).
    fn when(&self, now: OffsetDateTime) -> When {
        let left = self.expires - now;
        if left <= Duration::ZERO {
            return When::Expired;
        }
        // Positive here, so the unsigned ceiling applies.
        let seconds = left.whole_seconds().unsigned_abs();
        match seconds.div_ceil(Duration::DAY.whole_seconds().unsigned_abs()) {
            1 => When::WithinADay,
            days => When::InDays(days),
        }
    }

    fn line(&self, now: OffsetDateTime, locale: Locale) -> String {
        let described = self
            .description
            .as_deref()
            .filter(|description| !description.trim().is_empty());
        let (app, connection, id) = (&self.app_name, &self.connection_name, self.secret_id);
        match locale {
            Locale::En => {
                let secret = described.map_or_else(
                    || format!("secret {id}"),
                    |d| format!("\u{201c}{d}\u{201d}"),
                );
                let fate = self.when(now).fate(locale);
                format!("\u{201c}{app}\u{201d} ({connection}): {secret} {fate}")
            }
            Locale::Ja => {
                let secret =
                    described.map_or_else(|| format!("シークレット {id}"), |d| format!("「{d}」"));
                let fate = self.when(now).fate(locale);
                format!("「{app}」（{connection}）：{secret}{fate}")
            }
        }
    }
}

/// When a secret expires, seen from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Expired,
    WithinADay,
    InDays(u64),
}

impl When {
    /// What becomes of the secret, said after it: "has expired", "expires in 5 days".
    fn fate(self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::En, When::Expired) => "has expired".into(),
            (Locale::En, When::WithinADay) => "expires within a day".into(),
            (Locale::En, When::InDays(days)) => format!("expires in {days} days"),
            (Locale::Ja, When::Expired) => "の有効期限が切れました".into(),
            (Locale::Ja, When::WithinADay) => "の有効期限が 1 日以内に切れます".into(),
            (Locale::Ja, When::InDays(days)) => format!("の有効期限が {days} 日後に切れます"),
        }
    }
}

/// The threshold a secret expiring at `expires` has reached at `now`: 0 once expired, else the
/// smallest of `days` it is within; none while it is further off than all of them.
pub fn stage(expires: OffsetDateTime, now: OffsetDateTime, days: &[u32]) -> Option<u32> {
    let left = expires - now;
    if left <= Duration::ZERO {
        return Some(0);
    }
    days.iter()
        .copied()
        .filter(|d| left <= Duration::days(i64::from(*d)))
        .min()
}

/// The secrets among one connection's `rows` that have reached a threshold.
pub fn reached(
    connection: (&str, &str),
    rows: &[Row],
    now: OffsetDateTime,
    days: &[u32],
) -> Vec<Alert> {
    rows.iter()
        .filter_map(|row| {
            let (secret_id, expires) = (row.secret_id?, row.expires?);
            Some(Alert {
                connection_id: connection.0.to_owned(),
                connection_name: connection.1.to_owned(),
                app_name: row.app_name.clone(),
                app_id: row.app_id.clone(),
                secret_id,
                description: row.description.clone(),
                expires,
                stage: stage(expires, now, days)?,
            })
        })
        .collect()
}

/// The notification for `alerts` (at least one), in `locale`: its title and body.
pub fn message(alerts: &[Alert], now: OffsetDateTime, locale: Locale) -> (String, String) {
    /// The lines a notification shows before it says how many more there are.
    const SHOWN: usize = 4;
    let more = alerts.len().saturating_sub(SHOWN);
    let (title, last) = match locale {
        Locale::En => (
            match alerts {
                [one] => format!("A secret {}", one.when(now).fate(locale)),
                many => format!("{} secrets need rotating", many.len()),
            },
            match more {
                0 => "Rotate it in Registrar before the integration fails.".to_owned(),
                more => format!("and {more} more: see Expiring in Registrar."),
            },
        ),
        Locale::Ja => (
            match alerts {
                [one] => format!("シークレット{}", one.when(now).fate(locale)),
                many => format!("{} 件のシークレットのローテーションが必要です", many.len()),
            },
            match more {
                0 => "連携が失敗する前に Registrar でローテーションしてください。".to_owned(),
                more => format!("ほか {more} 件：Registrar の「期限切れ間近」を確認してください。"),
            },
        ),
    };
    let mut lines: Vec<String> = alerts
        .iter()
        .take(SHOWN)
        .map(|a| a.line(now, locale))
        .collect();
    lines.push(last);
    (title, lines.join("\n"))
}

#[derive(Debug, Serialize, Deserialize)]
struct NotifiedFile {
    version: u32,
    /// The lowest threshold notified, by connection, app and secret.
    notified: BTreeMap<String, u32>,
}

impl Default for NotifiedFile {
    fn default() -> Self {
        Self {
            version: 1,
            notified: BTreeMap::new(),
        }
    }
}

/// What was notified, across restarts.
#[derive(Debug, Clone)]
pub struct Notified {
    file: JsonFile,
}

impl Notified {
    pub fn new(path: PathBuf) -> Self {
        Self {
            file: JsonFile::new(path, "a list of notified expiries"),
        }
    }

    /// Of the `reached` alerts, those not notified yet at their threshold, and remembers them as
    /// notified: a failure to show one is not retried, as a notification shown twice would be.
    pub async fn take_new(&self, reached: Vec<Alert>) -> Result<Vec<Alert>> {
        self.file
            .change(|file: &mut NotifiedFile| {
                let fresh: Vec<Alert> = reached
                    .into_iter()
                    .filter(|a| file.notified.get(&a.key()).is_none_or(|s| a.stage < *s))
                    .collect();
                for alert in &fresh {
                    file.notified.insert(alert.key(), alert.stage);
                }
                Ok(fresh)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expiry::Urgency;

    fn now() -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::days(20_000)
    }

    fn row(secret_id: i64, expires_in: Duration) -> Row {
        Row {
            app_id: "app".into(),
            app_name: "Billing".into(),
            urgency: Urgency::Later,
            secret_id: Some(secret_id),
            description: Some("CI".into()),
            expires: Some(now() + expires_in),
        }
    }

    #[test]
    fn the_stage_is_the_nearest_threshold_reached() {
        let days = [30, 7, 1];
        let at = |left| stage(now() + left, now(), &days);
        assert_eq!(at(Duration::days(31)), None);
        assert_eq!(at(Duration::days(30)), Some(30));
        assert_eq!(at(Duration::days(5)), Some(7));
        assert_eq!(at(Duration::hours(20)), Some(1));
        assert_eq!(at(Duration::ZERO), Some(0));
        assert_eq!(at(-Duration::days(3)), Some(0));
        assert_eq!(stage(now() + Duration::days(5), now(), &[]), None);
    }

    #[test]
    fn only_secrets_with_an_expiry_within_a_threshold_are_reached() {
        let mut endless = row(3, Duration::ZERO);
        endless.expires = None;
        let rows = [
            row(1, Duration::days(5)),
            row(2, Duration::days(90)),
            endless,
        ];
        let alerts = reached(("c", "Production"), &rows, now(), &[30, 7, 1]);
        assert_eq!(alerts.len(), 1);
        assert_eq!((alerts[0].secret_id, alerts[0].stage), (1, 7));
    }

    #[test]
    fn one_alert_says_what_and_when_and_many_are_counted() {
        let alerts = reached(
            ("c", "Production"),
            &[row(1, Duration::days(5) - Duration::hours(1))],
            now(),
            &[7],
        );
        let (title, body) = message(&alerts, now(), Locale::En);
        assert_eq!(title, "A secret expires in 5 days");
        assert!(
            body.starts_with(
                "\u{201c}Billing\u{201d} (Production): \u{201c}CI\u{201d} expires in 5 days"
            ),
            "{body}"
        );

        let expired = reached(("c", "Production"), &[row(1, -Duration::HOUR)], now(), &[7]);
        assert_eq!(
            message(&expired, now(), Locale::En).0,
            "A secret has expired"
        );

        let rows: Vec<Row> = (1..=6).map(|n| row(n, Duration::days(2))).collect();
        let many = reached(("c", "Production"), &rows, now(), &[7]);
        let (title, body) = message(&many, now(), Locale::En);
        assert_eq!(title, "6 secrets need rotating");
        assert_eq!(body.lines().count(), 5);
        assert!(
            body.ends_with("and 2 more: see Expiring in Registrar."),
            "{body}"
        );
    }

    #[test]
    fn a_notification_speaks_japanese_when_the_window_does() {
        let alerts = reached(
            ("c", "Production"),
            &[row(1, Duration::days(5) - Duration::hours(1))],
            now(),
            &[7],
        );
        let (title, body) = message(&alerts, now(), Locale::Ja);
        assert_eq!(title, "シークレットの有効期限が 5 日後に切れます");
        assert_eq!(
            body,
            "「Billing」（Production）：「CI」の有効期限が 5 日後に切れます\n\
             連携が失敗する前に Registrar でローテーションしてください。"
        );
        let rows: Vec<Row> = (1..=6).map(|n| row(n, -Duration::HOUR)).collect();
        let many = reached(("c", "Production"), &rows, now(), &[7]);
        let (title, body) = message(&many, now(), Locale::Ja);
        assert_eq!(title, "6 件のシークレットのローテーションが必要です");
        assert!(
            body.starts_with("「Billing」（Production）：「CI」の有効期限が切れました"),
            "{body}"
        );
        assert!(
            body.ends_with("ほか 2 件：Registrar の「期限切れ間近」を確認してください。"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn each_threshold_is_notified_once_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notified.json");
        let at = |left| reached(("c", "Production"), &[row(1, left)], now(), &[30, 7, 1]);

        let first = Notified::new(path.clone())
            .take_new(at(Duration::days(20)))
            .await;
        assert_eq!(first.unwrap().len(), 1);
        let reopened = Notified::new(path.clone());
        assert!(reopened
            .take_new(at(Duration::days(19)))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            reopened.take_new(at(Duration::days(6))).await.unwrap()[0].stage,
            7
        );
        assert!(reopened
            .take_new(at(Duration::days(8)))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            reopened.take_new(at(-Duration::HOUR)).await.unwrap()[0].stage,
            0
        );
        assert!(reopened
            .take_new(at(-Duration::DAY))
            .await
            .unwrap()
            .is_empty());
    }
}
