//! The commands the web UI calls. Each is a thin wrapper over the session and the core.

pub mod apps;
pub mod clipboard;
pub mod connection;
pub mod copy;
pub mod handoff;
pub mod manifest;
pub mod secrets;
pub mod settings;
pub mod startup;

use registrar_app::session::Session;
use registrar_core::model::ExternalApp;

use crate::error::IpcError;
use crate::ipc::AppDetails;

/// The app as its page shows it: whether this session holds its newest secret, and the
/// rotation in progress.
async fn details(session: &Session, app: &ExternalApp) -> Result<AppDetails, IpcError> {
    let held = session.held_secret_id(&app.id).await;
    let rotation = session.rotation(&app.id)?;
    Ok(AppDetails::new(app, held, rotation.as_ref()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn read(path: &str) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(root.join(path)).unwrap()
    }

    /// The quoted names between `start` and the next `end` in `text`.
    fn quoted_between(text: &str, start: &str, end: &str) -> BTreeSet<String> {
        let from = text.find(start).unwrap() + start.len();
        let to = from + text[from..].find(end).unwrap();
        text[from..to]
            .split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    /// The commands `lib.rs` hands to the invoke handler, by name.
    fn handled() -> BTreeSet<String> {
        let lib = read("src/lib.rs");
        let from = lib.find("generate_handler![").unwrap();
        let to = from + lib[from..].find(']').unwrap();
        lib[from..to]
            .split(',')
            .filter_map(|path| path.trim().rsplit("::").next())
            .filter(|name| !name.is_empty() && !name.contains('['))
            .map(str::to_owned)
            .collect()
    }

    /// Every command is handled, has a permission, is granted to the window and is called by the
    /// UI: a command missing from any of the four lists fails only at run time, in the window.
    #[test]
    fn the_command_lists_agree() {
        let handled = handled();
        assert!(handled.len() > 10, "{handled:?}");

        let permitted = quoted_between(&read("build.rs"), "COMMANDS: &[&str] = &[", "];");
        assert_eq!(permitted, handled, "build.rs COMMANDS against lib.rs");

        let capability: serde_json::Value =
            serde_json::from_str(&read("capabilities/default.json")).unwrap();
        let granted: BTreeSet<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        assert_eq!(granted, handled, "capabilities/default.json against lib.rs");

        let ui = read("../ui/src/ipc/commands.ts");
        let called: BTreeSet<String> = ui
            .split("call(")
            .skip(1)
            .filter_map(|rest| rest.strip_prefix('\'')?.split('\'').next())
            .map(str::to_owned)
            .collect();
        assert_eq!(called, handled, "ui/src/ipc/commands.ts against lib.rs");
    }

    /// The window gets exactly what its UI uses of Tauri itself: listening for events (and
    /// stopping) and writing the clipboard; `core:default` would add windows, menus, the tray and
    /// more.
    #[test]
    fn the_window_is_granted_only_what_its_ui_uses() {
        let capability: serde_json::Value =
            serde_json::from_str(&read("capabilities/default.json")).unwrap();
        let beyond_commands: BTreeSet<&str> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(serde_json::Value::as_str)
            .filter(|p| !p.starts_with("allow-"))
            .collect();
        let used = BTreeSet::from([
            "core:event:allow-listen",
            "core:event:allow-unlisten",
            "clipboard-manager:allow-write-text",
        ]);
        assert_eq!(beyond_commands, used);
    }
}
