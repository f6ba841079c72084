//! Writing the app's own files: atomically, so a crash mid-write leaves the previous file and never
//! half of one, and owner-only where a file may hold a secret.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};

/// Who may read the written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The platform's default for new files.
    Default,
    /// Only the owner (mode 0600 on Unix). For anything that may hold a secret.
    OwnerOnly,
}

/// How long a change waits for another Registrar process to finish its own.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// An exclusive lock on a file, held until dropped. The window and the command line each read,
/// change and write the same files; holding this around the whole change keeps one from
/// overwriting the other's. Every holder opens the file anew, so two tasks of one process
/// exclude each other too.
#[derive(Debug)]
#[must_use = "the lock is released when dropped"]
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Waits (without blocking the runtime) until `path` is locked by no one else, then locks it.
    pub async fn acquire(path: &Path) -> Result<Self> {
        let fail = |error: std::io::Error| {
            Error::Storage(format!("Could not lock {}: {error}.", path.display()))
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(fail)?;
        let deadline = tokio::time::Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file }),
                Err(std::fs::TryLockError::WouldBlock)
                    if tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(25)).await;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::Storage(format!(
                        "Another Registrar (the window or the command line) has held {} for two \
                         minutes; try again once it is done.",
                        path.display()
                    )))
                }
                Err(std::fs::TryLockError::Error(error)) => return Err(fail(error)),
            }
        }
    }
}

/// A small JSON document that the window and the command line both read and change: read
/// whole, changed under a [`FileLock`], written atomically. A missing file is the empty
/// document.
#[derive(Debug, Clone)]
pub struct JsonFile {
    path: PathBuf,
    /// What the document is, for errors: "a list of dismissed findings".
    what: &'static str,
}

impl JsonFile {
    pub fn new(path: PathBuf, what: &'static str) -> Self {
        Self { path, what }
    }

    pub fn read<T: DeserializeOwned + Default>(&self) -> Result<T> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::Storage(format!(
                    "{} is not {} ({e}): move it away to start a new one.",
                    self.path.display(),
                    self.what
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
            Err(e) => Err(Error::Storage(format!(
                "Could not read {}: {e}.",
                self.path.display()
            ))),
        }
    }

    /// Reads the document, lets `change` change it, and writes it back unless `change` failed;
    /// no other Registrar changes it meanwhile.
    pub async fn change<T, R>(&self, change: impl FnOnce(&mut T) -> Result<R>) -> Result<R>
    where
        T: Serialize + DeserializeOwned + Default,
    {
        let _lock = FileLock::acquire(&self.path.with_extension("lock")).await?;
        let mut document = self.read()?;
        let answer = change(&mut document)?;
        let bytes = serde_json::to_vec_pretty(&document).map_err(|e| {
            Error::Storage(format!("Could not write {}: {e}.", self.path.display()))
        })?;
        write_atomically(&self.path, &bytes)?;
        Ok(answer)
    }
}

pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, bytes, Access::Default)
}

/// Writes through a temporary file in the same folder and renames it over `path`.
pub fn write_with(path: &Path, bytes: &[u8], access: Access) -> Result<()> {
    let fail = |action: &str, error: std::io::Error| {
        Error::Storage(format!("Could not {action} {}: {error}.", path.display()))
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| fail("create the folder of", e))?;
    let (tmp_path, mut file) = temporary(dir, access).map_err(|e| fail("write", e))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(error) = written.and_then(|()| std::fs::rename(&tmp_path, path)) {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(fail("write", error));
    }
    sync_folder(dir).map_err(|e| fail("write", e))
}

/// Makes a rename in `dir` durable: until the folder itself reaches the disk, a crash can leave
/// the old file (or none) under the name. Windows has no handle on a folder to sync; its renames
/// are journaled by NTFS.
fn sync_folder(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn temporary(dir: &Path, access: Access) -> std::io::Result<(PathBuf, File)> {
    let path = dir.join(format!(".registrar-{}.tmp", Uuid::new_v4()));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if access == Access::OwnerOnly {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = access;
    let file = options.open(&path)?;
    Ok((path, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/file.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[tokio::test]
    async fn a_lock_waits_for_its_holder_to_let_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clients.lock");
        let held = FileLock::acquire(&path).await.unwrap();
        let waiter = tokio::spawn({
            let path = path.clone();
            async move { FileLock::acquire(&path).await.map(drop) }
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(!waiter.is_finished(), "locked twice at once");
        drop(held);
        waiter.await.unwrap().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn owner_only_files_are_mode_600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sheet.md");
        write_with(&path, b"secret", Access::OwnerOnly).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
