//! What is about to stop working: each confidential app's secrets by when they expire, and the
//! apps left without a working secret. Secrets expire silently, and an integration fails with a
//! 401 one morning; this is what the Expiring view and `registrar secrets expiring` show.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::model::{AppType, ExternalApp, SecretInfo};

/// How soon a row needs the admin, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Urgency {
    /// A confidential app none of whose secrets works (all expired, or none at all).
    NoActiveSecret,
    Expired,
    Within7Days,
    Within30Days,
    Within90Days,
    Later,
    /// A secret that never expires: nothing will stop it, nor end a leaked copy of it.
    NoExpiry,
}

impl Urgency {
    fn of(secret: &SecretInfo, now: OffsetDateTime) -> Self {
        let Some(expires) = secret.expires else {
            return Urgency::NoExpiry;
        };
        match expires - now {
            left if left <= Duration::ZERO => Urgency::Expired,
            left if left <= Duration::days(7) => Urgency::Within7Days,
            left if left <= Duration::days(30) => Urgency::Within30Days,
            left if left <= Duration::days(90) => Urgency::Within90Days,
            _ => Urgency::Later,
        }
    }
}

/// One secret, or one app without a working secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub app_id: String,
    pub app_name: String,
    pub urgency: Urgency,
    /// None for an app without any secret.
    pub secret_id: Option<i64>,
    pub description: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires: Option<OffsetDateTime>,
}

/// Every secret of the confidential `apps` and every such app without a working secret, the
/// soonest first (apps without a working secret before all, secrets without expiry last).
pub fn rows(apps: &[ExternalApp], now: OffsetDateTime) -> Vec<Row> {
    let mut rows = Vec::new();
    for app in apps.iter().filter(|a| a.app_type == AppType::Confidential) {
        let row = |urgency, secret: Option<&SecretInfo>| Row {
            app_id: app.id.clone(),
            app_name: app.name.clone(),
            urgency,
            secret_id: secret.map(|s| s.id),
            description: secret.and_then(|s| s.description.clone()),
            expires: secret.and_then(|s| s.expires),
        };
        let works = |s: &&SecretInfo| s.expires.is_none_or(|e| e > now);
        if !app.secrets.iter().any(|s| works(&s)) {
            rows.push(row(Urgency::NoActiveSecret, None));
        }
        rows.extend(
            app.secrets
                .iter()
                .map(|s| row(Urgency::of(s, now), Some(s))),
        );
    }
    rows.sort_by(|a, b| {
        (a.urgency, a.expires, &a.app_name, a.secret_id).cmp(&(
            b.urgency,
            b.expires,
            &b.app_name,
            b.secret_id,
        ))
    });
    rows
}

/// The rows that need the admin within `window` from `now`: apps without a working secret and
/// secrets expired or expiring by then.
pub fn within(rows: &[Row], window: Duration, now: OffsetDateTime) -> Vec<Row> {
    rows.iter()
        .filter(|r| {
            r.urgency == Urgency::NoActiveSecret || r.expires.is_some_and(|e| e <= now + window)
        })
        .cloned()
        .collect()
}

/// A span as `30d`, `2w` or `12h`.
pub fn parse_window(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().checked_sub(1)?);
    let number: i64 = number.parse().ok().filter(|n| *n >= 0)?;
    match unit {
        "d" => Some(Duration::days(number)),
        "w" => Some(Duration::weeks(number)),
        "h" => Some(Duration::hours(number)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TokenAuth;

    fn app(name: &str, app_type: AppType, expiries: &[Option<i64>]) -> ExternalApp {
        let now = OffsetDateTime::UNIX_EPOCH;
        ExternalApp {
            id: format!("id-{name}"),
            name: name.into(),
            app_type,
            redirect_uris: vec![],
            scopes: vec![],
            secrets: expiries
                .iter()
                .enumerate()
                .map(|(n, days)| SecretInfo {
                    id: n as i64 + 1,
                    description: Some(format!("secret {n}")),
                    created: now - Duration::days(400),
                    expires: days.map(|d| now + Duration::days(d)),
                })
                .collect(),
            token_auth: TokenAuth::SecretPost,
            listed_only: false,
        }
    }

    #[test]
    fn rows_come_soonest_first_with_broken_apps_before_all_and_no_expiry_last() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let apps = [
            app("Billing", AppType::Confidential, &[Some(45), None]),
            app("Reports", AppType::Confidential, &[Some(-3)]),
            app("Sync", AppType::Confidential, &[Some(5), Some(200)]),
            app("Empty", AppType::Confidential, &[]),
            app("Desktop", AppType::NonConfidential, &[]),
        ];
        let rows = rows(&apps, now);
        let seen: Vec<(&str, Urgency)> = rows
            .iter()
            .map(|r| (r.app_name.as_str(), r.urgency))
            .collect();
        assert_eq!(
            seen,
            [
                ("Empty", Urgency::NoActiveSecret),
                ("Reports", Urgency::NoActiveSecret),
                ("Reports", Urgency::Expired),
                ("Sync", Urgency::Within7Days),
                ("Billing", Urgency::Within90Days),
                ("Sync", Urgency::Later),
                ("Billing", Urgency::NoExpiry),
            ]
        );

        let soon = within(&rows, Duration::days(30), now);
        let names: Vec<&str> = soon.iter().map(|r| r.app_name.as_str()).collect();
        assert_eq!(names, ["Empty", "Reports", "Reports", "Sync"]);
        assert!(within(&rows[5..], Duration::days(30), now).is_empty());
    }

    #[test]
    fn windows_are_days_weeks_or_hours() {
        assert_eq!(parse_window("30d"), Some(Duration::days(30)));
        assert_eq!(parse_window(" 2w "), Some(Duration::weeks(2)));
        assert_eq!(parse_window("12h"), Some(Duration::hours(12)));
        for bad in ["", "d", "30", "-1d", "3m", "1.5d"] {
            assert_eq!(parse_window(bad), None, "{bad:?}");
        }
    }
}
