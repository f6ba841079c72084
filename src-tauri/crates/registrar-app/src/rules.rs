//! How what the admin typed is read, the same in the window and on the command line: a
//! connection's fields, the day a secret expires on, the details a new secret gets, and the name
//! typed to confirm a deletion.

use chrono::{LocalResult, NaiveDate, TimeZone};
use registrar_core::connections::Connection;
use registrar_core::model::Field;
use registrar_core::provider::Features;
use registrar_core::secrets::NewSecret;
use registrar_core::{Error, Result};
use time::OffsetDateTime;

/// A connection as typed, with the blanks around each field dropped (a field left blank is no
/// field), so " Prod " and "Prod" are the same name everywhere.
pub fn tidy(mut connection: Connection) -> Connection {
    let trim = |text: &mut String| *text = text.trim().to_owned();
    trim(&mut connection.name);
    trim(&mut connection.organization);
    trim(&mut connection.admin_client_id);
    let optional =
        |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    connection.host = optional(connection.host);
    connection.issuer = optional(connection.issuer);
    connection
}

/// A day as YYYY-MM-DD, the form a date field and `--expires` give it in.
pub fn day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| Error::InvalidInput {
        field: None,
        message: format!("\"{text}\" is not a day: give it as YYYY-MM-DD, like 2027-01-31."),
    })
}

/// When a secret that "expires on `day`" stops working: at the last second of that day in the
/// admin's own time zone, so it works through the whole day the admin chose.
/// The day `days` after today, in this computer's time zone.
pub fn days_from_today(days: u32) -> NaiveDate {
    let today = chrono::Local::now().date_naive();
    today + chrono::Days::new(u64::from(days))
}

pub fn end_of_day(day: NaiveDate) -> Result<OffsetDateTime> {
    end_of_day_in(day, &chrono::Local)
}

fn end_of_day_in<Zone: TimeZone>(day: NaiveDate, zone: &Zone) -> Result<OffsetDateTime> {
    let unreadable = || Error::InvalidInput {
        field: None,
        message: format!("{day} has no end in this time zone: choose another day."),
    };
    let last = day.and_hms_opt(23, 59, 59).ok_or_else(unreadable)?;
    let moment = match zone.from_local_datetime(&last) {
        LocalResult::Single(moment) => moment,
        // A clock set back over midnight repeats the last second: the later one counts.
        LocalResult::Ambiguous(_, later) => later,
        LocalResult::None => return Err(unreadable()),
    };
    OffsetDateTime::from_unix_timestamp(moment.timestamp()).map_err(|_| unreadable())
}

/// What the admin asked for with a new secret: a description and the day it expires on
/// (`None`: never), both left out for a server that keeps one secret per app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretRequest {
    pub description: Option<String>,
    pub expires_on: Option<NaiveDate>,
}

impl SecretRequest {
    /// The request the server is sent: a server that keeps several secrets needs a description
    /// (and takes an expiry ahead of `now`); one that keeps a single secret per app takes
    /// neither, and giving them is an error rather than lost silently.
    pub fn for_server(
        &self,
        features: &Features,
        now: OffsetDateTime,
    ) -> Result<Option<NewSecret>> {
        let description = self.description.as_deref().filter(|d| !d.trim().is_empty());
        match &features.secret_details {
            None => {
                let expires = self.expires_on.map(end_of_day).transpose()?;
                NewSecret::validate(description.unwrap_or_default(), expires, now).map(Some)
            }
            Some(reason) if description.is_some() || self.expires_on.is_some() => {
                Err(Error::InvalidInput {
                    field: None,
                    message: format!("{reason} Leave out the description and the expiry."),
                })
            }
            Some(_) => Ok(None),
        }
    }
}

/// A deletion goes ahead only when the app's name on the server was typed exactly.
pub fn confirm_deletion(name: &str, typed: &str) -> Result<()> {
    match name == typed {
        true => Ok(()),
        false => Err(Error::invalid(
            Field::Name,
            format!("Type the app's name exactly (\"{name}\") to delete it; nothing was deleted."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;
    use registrar_core::connections::ConnectionKind;

    use super::*;

    #[test]
    fn blanks_around_fields_are_dropped_and_blank_fields_are_none() {
        let typed = Connection {
            name: "  Production \t".into(),
            organization: " acme ".into(),
            admin_client_id: " 1234 ".into(),
            host: Some("   ".into()),
            issuer: Some(" https://id.example/ ".into()),
            ..Connection::oauth_server(String::new(), String::new(), String::new())
        };
        let tidy = tidy(typed);
        assert_eq!(tidy.name, "Production");
        assert_eq!(tidy.organization, "acme");
        assert_eq!(tidy.admin_client_id, "1234");
        assert_eq!(tidy.host, None);
        assert_eq!(tidy.issuer.as_deref(), Some("https://id.example/"));
        assert_eq!(tidy.kind, ConnectionKind::OauthServer);
    }

    #[test]
    fn a_day_is_read_as_year_month_day_only() {
        assert_eq!(
            day(" 2027-01-31 ").unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()
        );
        for wrong in ["31.01.2027", "2027-02-30", "tomorrow", ""] {
            let message = day(wrong).unwrap_err().to_string();
            assert!(message.contains("YYYY-MM-DD"), "{wrong}: {message}");
        }
    }

    #[test]
    fn a_secret_expiring_on_a_day_works_until_that_days_last_local_second() {
        let day = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        let new_york = FixedOffset::west_opt(5 * 3600).unwrap();
        let at = |text| {
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
        };
        assert_eq!(
            end_of_day_in(day, &tokyo).unwrap(),
            at("2027-01-31T14:59:59Z")
        );
        assert_eq!(
            end_of_day_in(day, &new_york).unwrap(),
            at("2027-02-01T04:59:59Z")
        );
        assert_eq!(
            end_of_day_in(day, &chrono::Utc).unwrap(),
            at("2027-01-31T23:59:59Z")
        );
    }

    fn several_secrets() -> Features {
        Features::of_kind(ConnectionKind::Sandbox)
    }

    fn one_secret() -> Features {
        Features::of_kind(ConnectionKind::OauthServer)
    }

    #[test]
    fn a_server_with_several_secrets_needs_a_description_and_a_day_ahead() {
        let now = OffsetDateTime::now_utc();
        // The admin's own today: the day's end is taken in the local time zone too.
        let today = chrono::Local::now().date_naive();
        let asked = |description: Option<&str>, expires_on| SecretRequest {
            description: description.map(str::to_owned),
            expires_on,
        };
        let missing = asked(Some("  "), None).for_server(&several_secrets(), now);
        assert!(missing
            .unwrap_err()
            .to_string()
            .contains("Describe the secret"));
        let past = asked(Some("CI"), today.pred_opt()).for_server(&several_secrets(), now);
        assert!(past.unwrap_err().to_string().contains("in the past"));
        let ok = asked(Some(" CI "), today.succ_opt().and_then(|d| d.succ_opt()))
            .for_server(&several_secrets(), now)
            .unwrap()
            .unwrap();
        assert_eq!(ok.description, "CI");
        assert!(ok.expires.is_some_and(|at| at > now));
    }

    #[test]
    fn a_server_with_one_secret_takes_no_details_and_says_so_when_given() {
        let now = OffsetDateTime::now_utc();
        assert_eq!(
            SecretRequest::default()
                .for_server(&one_secret(), now)
                .unwrap(),
            None
        );
        let blank = SecretRequest {
            description: Some(String::new()),
            expires_on: None,
        };
        assert_eq!(blank.for_server(&one_secret(), now).unwrap(), None);
        let given = SecretRequest {
            description: Some("CI".into()),
            expires_on: None,
        };
        assert!(given
            .for_server(&one_secret(), now)
            .unwrap_err()
            .to_string()
            .contains("Leave out the description and the expiry"));
    }

    #[test]
    fn only_the_exact_name_confirms_a_deletion() {
        assert!(confirm_deletion("Billing sync", "Billing sync").is_ok());
        for typed in ["billing sync", "Billing sync ", "Billing", ""] {
            let refused = confirm_deletion("Billing sync", typed).unwrap_err();
            assert!(refused.to_string().contains("\"Billing sync\""), "{typed}");
        }
    }
}
