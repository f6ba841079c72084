//! Where Registrar keeps its files: the same folders for the window and the command line.

use std::path::PathBuf;

use registrar_core::{Error, Result};

/// The Tauri app's identifier, which names its folders.
pub const APP_IDENTIFIER: &str = "dev.registrar.desktop";

/// Overrides the folder `connections.json` is kept in (tests, portable set-ups).
const CONFIG_DIR_ENV: &str = "REGISTRAR_CONFIG_DIR";

#[derive(Debug, Clone)]
pub struct Folders {
    /// `connections.json` and `settings.json`.
    pub config: PathBuf,
    /// The embedded sandbox's database.
    pub data: PathBuf,
}

/// The folder `REGISTRAR_CONFIG_DIR` names, which both front ends use when it is set.
pub fn config_dir_override() -> Option<PathBuf> {
    std::env::var_os(CONFIG_DIR_ENV).map(PathBuf::from)
}

/// The folder the window keeps `connections.json` in, as the command line finds it without
/// Tauri's path resolver (which uses the same `dirs` crate): the platform's configuration folder
/// (`$XDG_CONFIG_HOME` or `~/.config` on Linux, `~/Library/Application Support` on macOS, the
/// roaming `AppData` on Windows) with the app's identifier, or `REGISTRAR_CONFIG_DIR`.
pub fn config_dir() -> Result<PathBuf> {
    if let Some(dir) = config_dir_override() {
        return Ok(dir);
    }
    dirs::config_dir()
        .map(|base| base.join(APP_IDENTIFIER))
        .ok_or_else(|| {
            Error::Storage(format!(
                "No home folder: set {CONFIG_DIR_ENV} to keep connections in."
            ))
        })
}
