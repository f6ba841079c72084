//! The sheet as CommonMark: text escaped, identifiers in code spans, requests in fenced blocks.

use super::document::{Block, Document, Value};

pub fn render(doc: &Document) -> String {
    let mut out = format!("# {}\n\n_{}_\n", escape(&doc.title), escape(&doc.subtitle));
    for section in &doc.sections {
        out.push_str(&format!("\n## {}\n", escape(&section.heading)));
        for block in &section.blocks {
            out.push('\n');
            match block {
                Block::SubHeading(text) => out.push_str(&format!("### {}\n", escape(text))),
                Block::Text(text) => out.push_str(&format!("{}\n", escape(text))),
                Block::Note(text) => out.push_str(&format!("> **{}**\n", escape(text))),
                Block::Fields(fields) => {
                    for (label, value) in fields {
                        out.push_str(&format!("- **{}:** {}\n", escape(label), inline(value)));
                    }
                }
                Block::List(items) => {
                    for item in items {
                        out.push_str(&format!("- {}\n", inline(item)));
                    }
                }
                Block::Code { caption, code } => {
                    let fence = fence_for(code);
                    out.push_str(&format!(
                        "{}:\n\n{fence}{}\n{code}\n{fence}\n",
                        escape(caption),
                        if code.starts_with("curl ") || code.starts_with("printf ") {
                            "sh"
                        } else {
                            "text"
                        },
                    ));
                }
            }
        }
    }
    out
}

fn inline(value: &Value) -> String {
    match value {
        Value::Text(text) => escape(text),
        Value::Code(code) => code_span(code),
    }
}

/// Backslash-escapes every ASCII punctuation character that could start markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A code span whose backtick run is longer than any inside the code (CommonMark 6.1).
fn code_span(code: &str) -> String {
    let ticks = "`".repeat(longest_run(code, '`') + 1);
    let pad = if code.starts_with('`') || code.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{code}{pad}{ticks}")
}

fn fence_for(code: &str) -> String {
    "`".repeat((longest_run(code, '`') + 1).max(3))
}

fn longest_run(text: &str, of: char) -> usize {
    text.split(|c| c != of).map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_stays_text() {
        assert_eq!(escape("A_b *c* [d]"), "A\\_b \\*c\\* \\[d\\]");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(fence_for("x ```` y"), "`````");
    }
}
