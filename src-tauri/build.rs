// Each command listed here gets an `allow-<name>` permission, granted by name in capabilities/.
const COMMANDS: &[&str] = &[
    "list_connections",
    "select_connection",
    "renew_sandbox_credentials",
    "save_connection",
    "cancel_sign_in",
    "remove_connection",
    "test_connection",
    "list_apps",
    "read_apps",
    "lint_app",
    "dismiss_finding",
    "expiring_secrets",
    "audit_trail",
    "get_app",
    "get_catalog",
    "register_app",
    "plan_update",
    "update_app",
    "delete_app",
    "generate_secret",
    "delete_secret",
    "plan_copy",
    "copy_app",
    "compare_manifest",
    "start_rotation",
    "finish_rotation",
    "cancel_rotation",
    "verify_app",
    "export_handoff",
    "copy_secret",
    "copy_curl",
    "get_settings",
    "system_languages",
    "save_settings",
    "report_startup",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("the Tauri build script failed");
}
