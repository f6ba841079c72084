//! A bare Tauri 2 app: one static page and the one command it calls once painted. It is a
//! workspace member so that it builds from the same lockfile, with the same Tauri and release
//! profile, as Registrar; `tests/examples/startup_benchmark.rs` measures Registrar against it.

use std::time::Instant;

/// When the app began to start.
struct Started(Instant);

/// Says when the page was first painted, in the words Registrar's `report_startup` uses, which
/// the benchmark waits for.
#[tauri::command]
fn report_startup(started: tauri::State<'_, Started>) {
    eprintln!(
        "interactive {} ms after start: the page is on screen",
        started.0.elapsed().as_millis()
    );
}

fn main() {
    tauri::Builder::default()
        .manage(Started(Instant::now()))
        .invoke_handler(tauri::generate_handler![report_startup])
        .run(tauri::generate_context!())
        .expect("the bare app could not start");
}
