// Each command listed here gets an `allow-<name>` permission, granted by name in capabilities/.
const COMMANDS: &[&str] = &[
    "current_connection",
    "list_apps",
    "get_catalog",
    "register_app",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("the Tauri build script failed");
}
