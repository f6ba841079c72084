//! What a command prints: a table or lines for people, JSON for scripts. Lines for people go
//! through [`say!`]: names, descriptions and URLs come from servers and may hold terminal escapes
//! or text-direction overrides, which are written out rather than obeyed. JSON keeps each value
//! exact, with control characters escaped as JSON does.

/// `println!` for people, with hidden characters written out (see [`registrar_core::text::shown`]).
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", registrar_core::text::shown(&format!($($arg)*)))
    };
}
pub(crate) use say;

/// `eprintln!` for people, as [`say!`].
macro_rules! say_err {
    ($($arg:tt)*) => {
        eprintln!("{}", registrar_core::text::shown(&format!($($arg)*)))
    };
}
pub(crate) use say_err;

use registrar_core::model::{rfc3339, AppType, ExternalApp, ScopeType, SecretInfo};
use serde_json::{json, Value};

/// Prints rows under a header, each column as wide as its widest cell (as written out by
/// [`say!`]), measured in the terminal's columns so that wide (CJK) and combining characters
/// keep the columns aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    for line in table_lines(header, rows) {
        println!("{line}");
    }
}

fn table_lines(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::NOTHING);
    table.set_header(header.iter().copied());
    table.add_rows(rows.iter().map(|row| {
        row.iter()
            .map(|cell| registrar_core::text::shown(cell).into_owned())
    }));
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    table
        .lines()
        .map(|line| line.trim_end().to_owned())
        .collect()
}

pub fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

pub fn app_type(app_type: AppType) -> &'static str {
    match app_type {
        AppType::Confidential => "confidential",
        AppType::NonConfidential => "non-confidential",
    }
}

pub fn scope_type(scope_type: ScopeType) -> &'static str {
    match scope_type {
        ScopeType::User => "user",
        ScopeType::Application => "application",
    }
}

pub fn secret_json(secret: &SecretInfo) -> Value {
    json!({
        "id": secret.id,
        "description": secret.description,
        "created": rfc3339(secret.created),
        "expires": secret.expires.map(rfc3339),
    })
}

pub fn app_json(app: &ExternalApp) -> Value {
    json!({
        "id": app.id,
        "name": app.name,
        "type": app_type(app.app_type),
        "redirect_uris": app.redirect_uris,
        "scopes": app.scopes.iter().map(|s| json!({"name": s.name, "type": scope_type(s.scope_type)})).collect::<Vec<_>>(),
        "secrets": app.secrets.iter().map(secret_json).collect::<Vec<_>>(),
    })
}

pub fn print_app(app: &ExternalApp) {
    let scopes = |t| {
        let names: Vec<&str> = app
            .scopes
            .iter()
            .filter(|s| s.scope_type == t)
            .map(|s| s.name.as_str())
            .collect();
        if names.is_empty() {
            "-".to_owned()
        } else {
            names.join(" ")
        }
    };
    say!("App ID:             {}", app.id);
    say!("Name:               {}", app.name);
    say!("Type:               {}", app_type(app.app_type));
    say!("Application scopes: {}", scopes(ScopeType::Application));
    say!("User scopes:        {}", scopes(ScopeType::User));
    say!(
        "Redirect URLs:      {}",
        if app.redirect_uris.is_empty() {
            "-".to_owned()
        } else {
            app.redirect_uris.join(" ")
        }
    );
    if app.secrets.is_empty() {
        say!("Secrets:            none");
    }
    for secret in &app.secrets {
        say!(
            "Secret {:<12} {} (created {}, {})",
            format!("{}:", secret.id),
            secret.description.as_deref().unwrap_or("no description"),
            rfc3339(secret.created),
            secret
                .expires
                .map_or("never expires".to_owned(), |at| format!(
                    "expires {}",
                    rfc3339(at)
                ))
        );
    }
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    use super::table_lines;

    /// Where each column after the first begins, in terminal columns, for every line.
    fn second_column_starts(lines: &[String]) -> Vec<usize> {
        lines
            .iter()
            .map(|line| {
                let name_end = line.find("  ").expect("two columns");
                let rest = &line[name_end..];
                let gap = rest.len() - rest.trim_start().len();
                line[..name_end].width() + gap
            })
            .collect()
    }

    #[test]
    fn wide_and_combining_characters_keep_the_columns_aligned() {
        let rows = [
            vec!["請求書の同期".to_owned(), "confidential".to_owned()],
            // "Café" with a combining acute accent: five chars, four columns.
            vec!["Cafe\u{301}".to_owned(), "non-confidential".to_owned()],
            vec!["Plain".to_owned(), "confidential".to_owned()],
        ];
        let lines = table_lines(&["NAME", "TYPE"], &rows);
        assert_eq!(lines.len(), 4, "{lines:#?}");
        let starts = second_column_starts(&lines);
        assert!(
            starts.iter().all(|s| *s == starts[0]),
            "the TYPE column starts at columns {starts:?}:\n{}",
            lines.join("\n")
        );
        assert_eq!(starts[0], "請求書の同期".width() + 2);
    }

    #[test]
    fn hidden_characters_are_written_out_in_cells() {
        let lines = table_lines(&["NAME"], &[vec!["evil\u{202e}txt".to_owned()]]);
        assert_eq!(lines[1], "evil<U+202E>txt");
    }
}
