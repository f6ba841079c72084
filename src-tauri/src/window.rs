//! The main window's size and position, kept across starts by tauri-plugin-window-state. The plugin
//! saves only at a clean exit; saving also once the window has settled after a change keeps them
//! when the app is killed or crashes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tauri::{Manager, Runtime, WebviewWindow, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// How long the window must stay put before its state is written.
const SETTLE: Duration = Duration::from_millis(500);

pub fn save_state_when_it_settles<R: Runtime>(window: &WebviewWindow<R>) {
    let app = window.app_handle().clone();
    let changes = Arc::new(AtomicU64::new(0));
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
            return;
        }
        let this_change = changes.fetch_add(1, Ordering::SeqCst) + 1;
        let (changes, app) = (changes.clone(), app.clone());
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            if changes.load(Ordering::SeqCst) != this_change {
                return;
            }
            // On the main thread: the plugin reads the window while holding its cache's lock,
            // which the main thread's own window events take too. From another thread the two
            // waited on each other, and the window froze.
            let save = app.clone();
            let saved = app.run_on_main_thread(move || {
                if let Err(error) = save.save_window_state(StateFlags::all()) {
                    tracing::warn!(%error, "could not save the window's size and position");
                }
            });
            if let Err(error) = saved {
                tracing::warn!(%error, "could not save the window's size and position");
            }
        });
    });
}
