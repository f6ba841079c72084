//! Asking for a new secret: what the admin chose, checked before it is sent.

use time::OffsetDateTime;

use crate::error::{Error, Result};

/// Longest description the identity server keeps.
pub const MAX_DESCRIPTION_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSecret {
    pub description: String,
    /// `None`: the secret never expires.
    pub expires: Option<OffsetDateTime>,
}

impl NewSecret {
    /// A description says who or what the secret is for, so a rotation can tell secrets apart; an
    /// expiry, when given, must lie ahead.
    pub fn validate(
        description: &str,
        expires: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<Self> {
        let description = description.trim();
        if description.is_empty() {
            return Err(Error::InvalidInput {
                field: None,
                message: "Describe the secret (for example who receives it), so it can be told apart later.".into(),
            });
        }
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(Error::InvalidInput {
                field: None,
                message: format!(
                    "The description is too long: use at most {MAX_DESCRIPTION_CHARS} characters."
                ),
            });
        }
        crate::text::check_visible(None, "The description", description)?;
        if expires.is_some_and(|at| at <= now) {
            return Err(Error::InvalidInput {
                field: None,
                message: "The expiry is in the past: choose a later date, or no expiry.".into(),
            });
        }
        Ok(Self {
            description: description.to_owned(),
            expires,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn a_description_is_required_and_an_expiry_must_lie_ahead() {
        let now = OffsetDateTime::now_utc();
        assert!(NewSecret::validate("  ", None, now).is_err());
        assert!(NewSecret::validate("CI", Some(now - Duration::days(1)), now).is_err());
        assert!(NewSecret::validate("CI\u{202e}", None, now).is_err());
        let ok = NewSecret::validate(
            " For the billing team ",
            Some(now + Duration::days(90)),
            now,
        )
        .unwrap();
        assert_eq!(ok.description, "For the billing team");
    }
}
