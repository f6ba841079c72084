//! Which characters change how the text around them is shown rather than showing themselves.

/// Control characters (NUL, ESC and its colour codes, CR, LF, tab…) and the marks, embeddings,
/// overrides, isolates and separators that reorder or break bidirectional text (U+202E turns
/// "exe.txt" around). A name or description holding one can inject into a terminal, split a
/// document's heading or disguise a file name.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_direction_marks_are_hidden_letters_are_not() {
        let hidden = [
            '\0', '\u{1b}', '\r', '\n', '\t', '\u{7f}', '\u{85}', '\u{202e}', '\u{2066}',
            '\u{200f}', '\u{2028}',
        ];
        for c in hidden {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in ['a', 'é', '日', 'ع', ' ', '-', '\u{200d}'] {
            assert!(!is_hidden(c), "{c:?}");
        }
    }
}
