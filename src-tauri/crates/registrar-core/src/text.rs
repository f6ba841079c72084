//! Text that people type and servers send, on its way to terminals, documents and file names:
//! which characters it may not hold, and how it is shown when it holds them anyway.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::model::Field;

pub use registrar_shared::text::is_hidden;

/// Refuses `text` (the `what` of `field`) when it holds a hidden character, naming the first.
pub fn check_visible(field: Option<Field>, what: &str, text: &str) -> Result<()> {
    match text.chars().find(|c| is_hidden(*c)) {
        None => Ok(()),
        Some(c) => Err(Error::InvalidInput {
            field,
            message: format!(
                "{what} holds an invisible control or text-direction character (U+{:04X}): \
                 remove it, and type the text again if it was pasted.",
                u32::from(c)
            ),
        }),
    }
}

/// `text` with each hidden character written out as `<U+202E>`, for a terminal, a document or
/// a file to show what is there without obeying it.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match is_hidden(c) {
                true => format!("<U+{:04X}>", u32::from(c)),
                false => c.to_string(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_character_is_refused_by_its_code() {
        assert!(check_visible(Some(Field::Name), "The name", "Billing sync").is_ok());
        let refused = check_visible(Some(Field::Name), "The name", "Bill\u{202e}cod.exe")
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("The name holds") && refused.contains("U+202E"),
            "{refused}"
        );
    }

    #[test]
    fn hidden_characters_are_written_out() {
        assert!(matches!(shown("plain"), Cow::Borrowed("plain")));
        assert_eq!(
            shown("a\u{1b}[31mred\r\nx\u{202e}y"),
            "a<U+001B>[31mred<U+000D><U+000A>x<U+202E>y"
        );
    }
}
