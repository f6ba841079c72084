//! What the token endpoint knows of each client, kept in memory between requests: a token request
//! then takes no database lock and no blocking thread. An entry is used only while no row of the
//! client tables has changed since it was read (the database counts every change, whoever makes
//! it), so a deleted client, a removed scope or a new secret counts from the next request on.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use crate::store::{self, Db, TokenClient};

/// Entries kept at most: clients are few; requests naming made-up client ids are not kept.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct ClientCache {
    entries: RwLock<HashMap<String, Entry>>,
}

#[derive(Debug)]
struct Entry {
    /// [`Db::client_changes`] before the client was read.
    read_at: u64,
    client: Arc<TokenClient>,
}

impl ClientCache {
    /// Client `id` as the database has it now, or `None` if there is no such client.
    pub async fn get(&self, db: &Db, id: &str) -> rusqlite::Result<Option<Arc<TokenClient>>> {
        // Taken before reading: a change that lands meanwhile makes the entry stale at once.
        let changes = db.client_changes();
        let kept = self
            .entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .filter(|entry| entry.read_at == changes)
            .map(|entry| entry.client.clone());
        if kept.is_some() {
            return Ok(kept);
        }
        let owned = id.to_owned();
        let Some(client) = db
            .run(move |conn| store::token_client(conn, &owned))
            .await?
        else {
            return Ok(None);
        };
        let client = Arc::new(client);
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            id.to_owned(),
            Entry {
                read_at: changes,
                client: client.clone(),
            },
        );
        Ok(Some(client))
    }
}
