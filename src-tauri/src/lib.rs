//! The Tauri shell: it builds the window, manages the one [`AppState`] and routes the UI's
//! commands to the application layer (`registrar-app`), as the command line does. Nothing here
//! knows how an identity server works.

mod alerts;
mod clipboard;
mod commands;
mod error;
mod ipc;
mod state;
mod window;

use std::io::IsTerminal;

use tauri::{Manager, RunEvent, Runtime};

use crate::state::AppState;
use registrar_app::folders::Folders;

/// Everything but the context and the run loop, so the whole app can be assembled in tests.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .manage(commands::startup::Startup::now())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![
            commands::connection::list_connections,
            commands::connection::select_connection,
            commands::connection::renew_sandbox_credentials,
            commands::connection::save_connection,
            commands::connection::cancel_sign_in,
            commands::connection::remove_connection,
            commands::connection::test_connection,
            commands::apps::list_apps,
            commands::apps::read_apps,
            commands::apps::lint_app,
            commands::apps::dismiss_finding,
            commands::secrets::expiring_secrets,
            commands::secrets::audit_trail,
            commands::apps::get_app,
            commands::apps::get_catalog,
            commands::apps::register_app,
            commands::apps::plan_update,
            commands::apps::update_app,
            commands::apps::delete_app,
            commands::copy::plan_copy,
            commands::copy::copy_app,
            commands::manifest::compare_manifest,
            commands::secrets::generate_secret,
            commands::secrets::delete_secret,
            commands::secrets::start_rotation,
            commands::secrets::finish_rotation,
            commands::secrets::cancel_rotation,
            commands::handoff::verify_app,
            commands::handoff::export_handoff,
            commands::clipboard::copy_secret,
            commands::clipboard::copy_curl,
            commands::settings::get_settings,
            commands::settings::system_languages,
            commands::settings::save_settings,
            commands::startup::report_startup,
        ])
        .setup(|app| {
            // REGISTRAR_CONFIG_DIR moves the connections for the window as for the command line.
            let config = match registrar_app::folders::config_dir_override() {
                Some(dir) => dir,
                None => app.path().app_config_dir()?,
            };
            let folders = Folders {
                config,
                data: app.path().app_data_dir()?,
            };
            app.manage(AppState::new(folders));
            if let Some(main) = app.get_webview_window("main") {
                window::save_state_when_it_settles(&main);
            }
            let handle = app.handle().clone();
            // Open the session (and start the sandbox) while the window loads.
            tauri::async_runtime::spawn(async move {
                let _ = handle.state::<AppState>().session().await;
            });
            alerts::watch(app.handle().clone());
            Ok(())
        })
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let app = build_app(tauri::Builder::default())
        .build(tauri::generate_context!())
        .expect("the Registrar window could not be created");
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            if let Some(session) = handle.state::<AppState>().opened() {
                tauri::async_runtime::block_on(session.close());
            }
        }
    });
}
