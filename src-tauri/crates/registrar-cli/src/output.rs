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
/// [`say!`], so that the columns stay aligned).
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| registrar_core::text::shown(cell).into_owned())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        say!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
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
