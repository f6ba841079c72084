use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the sandbox could not start or do what was asked, worded for the person who must fix it.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the sandbox listens only on a loopback address (127.0.0.1 or ::1), not on {0}")]
    NotLoopback(SocketAddr),

    #[error(
        "the organization name {0:?} cannot be used: it must be 1 to 100 letters, digits, '-' or '_'"
    )]
    InvalidOrganization(String),

    #[error("the sandbox's {0} must be more than zero: with zero it would refuse every request")]
    ZeroLimit(&'static str),

    #[error(
        "{0} is already in use by another program: choose another port, or port 0 for any free one"
    )]
    AddrInUse(SocketAddr),

    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },

    #[error("cannot create the folder {path} for the sandbox database: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "cannot make the sandbox database {path} readable by its owner only: {source}. It holds \
         the key that signs tokens; check that this user owns the file"
    )]
    Permissions {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "cannot use the sandbox database {path}: {source}. If it is not a sandbox database or is \
         damaged, move it aside and the sandbox starts afresh"
    )]
    Database {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "the sandbox database {path} was written by a newer Registrar (schema {found}, this one \
         knows up to {known}): use that Registrar, or another database file"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error(
        "the sandbox database {path} holds an invalid {what}: move it aside and the sandbox starts \
         afresh"
    )]
    Corrupt { path: PathBuf, what: &'static str },

    #[error("the operating system's random number generator failed: {0}")]
    Random(#[from] getrandom::Error),
}
