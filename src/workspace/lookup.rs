//! Reading which stores exist, for callers that touch many at once (an import).

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::{Result, Workspace, effective};
use crate::model::Store;

/// The ids of every store the user sees; deleted ones left out.
pub(super) fn ids_of(conn: &Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare(
        "SELECT b.id FROM base b LEFT JOIN drafts d ON d.id = b.id
             WHERE d.id IS NULL OR d.doc IS NOT NULL
         UNION ALL
         SELECT d.id FROM drafts d WHERE d.doc IS NOT NULL AND d.id NOT IN (SELECT id FROM base)",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = HashSet::new();
    for id in rows {
        out.insert(id?);
    }
    Ok(out)
}

impl Workspace {
    /// The ids of every store the user sees; deleted ones left out.
    pub fn ids(&self) -> Result<HashSet<String>> {
        ids_of(&self.conn)
    }

    /// The stores among `ids` that exist, as the user sees them.
    pub fn stores_of<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<HashMap<String, Store>> {
        let mut out = HashMap::new();
        for id in ids {
            if let Some(store) = effective(&self.conn, id)? {
                out.insert(id.to_owned(), store);
            }
        }
        Ok(out)
    }
}
