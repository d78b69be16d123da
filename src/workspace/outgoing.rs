//! What a push reads and records. The pending changes come with what planning needs, read
//! from columns kept beside each draft, and their JSON as stored, which goes into the request
//! body as it is: a push never parses or serialises a store on its way out. An acknowledged
//! request moves its stores from drafts to base in a few set-based statements.

use std::borrow::Cow;
use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    BaseRow, ChangeKind, Conflict, Result, SentItem, Workspace, WorkspaceError, decode_conflict,
    delete_draft, hash_from_sql, hash_to_sql, now_text, parse_store, write_base,
};
use crate::validate::{Context, Finding, Severity, validate_store};

/// A pending change as a push sends it.
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    pub id: String,
    pub kind: ChangeKind,
    /// The draft's version: a push acknowledges only the version it sent.
    pub version: i64,
    /// The store's write-format JSON as the draft holds it, once read by
    /// [`Workspace::load_json`] (drafts with errors come with it); `None` for a delete.
    pub json: Option<String>,
    /// The length of that JSON in bytes; 0 for a delete.
    pub bytes: usize,
    /// [`crate::model::Store::content_hash`] of the store; `None` for a delete.
    pub content_hash: Option<u64>,
    /// [`crate::model::Store::remote_hash`] of the store; `None` for a delete.
    pub remote_hash: Option<u64>,
    /// The validation errors that hold the store back (empty for most drafts).
    pub errors: Vec<Finding>,
    /// Whether the store has localized names.
    pub has_names: bool,
    /// The base's remote hash, for an update or a delete.
    pub base_remote_hash: Option<u64>,
    /// Whether the base holds what was pushed (its localized names are known).
    pub base_names_known: bool,
    /// Boxed: most changes have none, and a listing moves many changes around.
    pub conflict: Option<Box<Conflict>>,
    pub failure: Option<String>,
}

/// A store of a write request, as the workspace records it: [`SentItem`] (a parsed store) or
/// [`Outgoing`] (the draft's JSON as stored).
pub trait Sent {
    fn sent(&self) -> SentRecord<'_>;
}

/// What the workspace records of one store of a write request.
#[derive(Clone, Debug, PartialEq)]
pub struct SentRecord<'a> {
    pub id: &'a str,
    /// The draft version sent.
    pub version: i64,
    /// What was sent; `None` for a delete.
    pub store: Option<SentStore<'a>>,
}

/// A store as sent.
#[derive(Clone, Debug, PartialEq)]
pub struct SentStore<'a> {
    /// Its JSON; `None` when it was not read, which stands for the draft at the version sent.
    pub json: Option<Cow<'a, str>>,
    pub content_hash: u64,
    pub remote_hash: u64,
    /// Whether the JSON is the draft's at the version sent, so the in-flight record can point
    /// at the draft rather than hold a copy.
    pub is_draft: bool,
}

/// The answer to one write request, as [`Workspace::record_answers`] records it.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer<T> {
    /// The request's number, from [`Workspace::record_sending_drafts`].
    pub seq: i64,
    /// How it ended, for the push log (`ok`, `refused`, ...).
    pub outcome: String,
    /// The server's message or the error, for the push log.
    pub message: String,
    /// The stores the server now holds as sent.
    pub applied: Vec<T>,
    /// The stores of the request that are no longer in flight without being applied.
    pub not_applied: Vec<String>,
}

impl Sent for SentItem {
    fn sent(&self) -> SentRecord<'_> {
        SentRecord {
            id: &self.id,
            version: self.version,
            store: self.store.as_ref().map(|s| {
                let (json, content_hash, remote_hash) = s.json_and_hashes();
                SentStore {
                    json: Some(Cow::Owned(json)),
                    content_hash,
                    remote_hash,
                    is_draft: false,
                }
            }),
        }
    }
}

impl Sent for Outgoing {
    fn sent(&self) -> SentRecord<'_> {
        let store = match (self.kind, self.content_hash, self.remote_hash) {
            (ChangeKind::Delete, _, _) | (_, None, _) | (_, _, None) => None,
            (_, Some(content_hash), Some(remote_hash)) => Some(SentStore {
                json: self.json.as_deref().map(Cow::Borrowed),
                content_hash,
                remote_hash,
                is_draft: true,
            }),
        };
        SentRecord {
            id: &self.id,
            version: self.version,
            store,
        }
    }
}

/// The columns [`read_outgoing`] reads of a draft `d`, before the base's remote hash and
/// whether its names are known. A delete has no JSON length; the JSON itself is read only
/// for drafts with errors or without their hashes.
const COLUMNS: &str = "d.id, d.version, CASE WHEN d.doc IS NOT NULL THEN d.bytes END,
    d.content_hash, d.remote_hash, d.errors, d.has_names,
    CASE WHEN d.errors > 0 OR d.content_hash IS NULL
        THEN (SELECT x.json FROM docs x WHERE x.id = d.doc) END,
    d.conflict, d.failure";

/// New stores handed over at once by [`Workspace::read_new_stores`].
const NEW_STORES_CHUNK: usize = 1024;

/// The page cache of the connection that reads the new stores (KiB).
const NEW_STORES_CACHE_KIB: i64 = 2 * 1024;

/// Reads the pending changes `sql` selects ([`COLUMNS`], then the base's remote hash and
/// names flag), handing each to `each` until it returns `false`. A conflict's other side is
/// read only for drafts in conflict.
fn read_outgoing(
    conn: &Connection,
    sql: &str,
    mut each: impl FnMut(Outgoing) -> bool,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut theirs =
        conn.prepare_cached("SELECT theirs, theirs_updated FROM drafts WHERE id = ?1")?;
    let mut rows = stmt.query([])?;
    let context = Context::today();
    while let Some(r) = rows.next()? {
        let bytes: Option<i64> = r.get(2)?;
        let base_remote_hash = r.get::<_, Option<i64>>(10)?.map(hash_from_sql);
        let kind = match (bytes, base_remote_hash) {
            (None, _) => ChangeKind::Delete,
            (Some(_), Some(_)) => ChangeKind::Update,
            (Some(_), None) => ChangeKind::Create,
        };
        let id: String = r.get(0)?;
        let conflict = match r.get::<_, i64>(8)? {
            0 => None,
            kind => {
                let (other, updated) =
                    theirs.query_row(params![id], |t| Ok((t.get(0)?, t.get(1)?)))?;
                decode_conflict(kind, other, updated)?.map(Box::new)
            }
        };
        let mut item = Outgoing {
            id,
            kind,
            version: r.get(1)?,
            json: None,
            bytes: bytes.map_or(0, |n| n.max(0) as usize),
            content_hash: r.get::<_, Option<i64>>(3)?.map(hash_from_sql),
            remote_hash: r.get::<_, Option<i64>>(4)?.map(hash_from_sql),
            errors: Vec::new(),
            has_names: r.get(6)?,
            base_remote_hash,
            base_names_known: r.get::<_, Option<bool>>(11)?.unwrap_or(false),
            conflict,
            failure: r.get(9)?,
        };
        // Drafts with errors, and any written without the columns: found from the store.
        if let Some(json) = r.get::<_, Option<String>>(7)? {
            let store = parse_store(&json)?;
            let (_, content, remote) = store.json_and_hashes();
            item.content_hash = Some(content);
            item.remote_hash = Some(remote);
            item.has_names = store
                .localized_names
                .as_ref()
                .is_some_and(|m| !m.is_empty());
            item.errors = validate_store(&store, &context)
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            item.json = Some(json);
        }
        if !each(item) {
            break;
        }
    }
    Ok(())
}

/// Every pending change `sql` selects (as [`read_outgoing`] reads them), ordered by id:
/// sorted here, which is cheaper than reading the table in the order of its id index.
fn read_sorted(conn: &Connection, sql: &str) -> Result<Vec<Outgoing>> {
    let mut out = Vec::new();
    read_outgoing(conn, sql, |item| {
        out.push(item);
        true
    })?;
    out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The new stores of a push, read by [`Workspace::read_new_stores`] on a thread of its own.
pub struct NewStores {
    /// How many there are, in the snapshot they are read from.
    pub count: usize,
    chunks: Option<std::sync::mpsc::Receiver<Result<Vec<Outgoing>>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl NewStores {
    /// The next stores, in id order; `None` when every one has been handed over.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<Outgoing>>> {
        let Some(chunks) = &self.chunks else {
            return Ok(None);
        };
        match chunks.recv() {
            Ok(chunk) => chunk.map(Some),
            Err(_) => {
                self.chunks = None;
                Ok(None)
            }
        }
    }
}

impl std::fmt::Debug for NewStores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewStores")
            .field("count", &self.count)
            .finish()
    }
}

impl Drop for NewStores {
    fn drop(&mut self) {
        // Without a receiver, the reading stops at its next chunk.
        self.chunks = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Workspace {
    /// Every change waiting to be pushed, ordered by id, read without parsing the stores
    /// (their JSON is read by [`Workspace::load_json`], batch by batch).
    pub fn outgoing(&self) -> Result<Vec<Outgoing>> {
        // One consistent reading; with no base (a new project), no look-up in it per draft.
        let tx = self.conn.unchecked_transaction()?;
        let has_base = tx
            .query_row("SELECT 1 FROM base LIMIT 1", [], |_| Ok(()))
            .optional()?
            .is_some();
        let sql = if has_base {
            format!(
                "SELECT {COLUMNS}, b.remote_hash, b.names_known FROM drafts d LEFT JOIN base b ON b.id = d.id"
            )
        } else {
            format!("SELECT {COLUMNS}, NULL, NULL FROM drafts d")
        };
        let out = read_sorted(&tx, &sql)?;
        tx.commit()?;
        Ok(out)
    }

    /// Whether a push reads the new stores as it goes ([`Workspace::outgoing_except_new`],
    /// then [`Workspace::read_new_stores`]) rather than every change first
    /// ([`Workspace::outgoing`]): when the drafts outnumber the base, most of them are new
    /// stores, and the other changes are found from the base.
    pub fn reads_new_stores_as_it_goes(&self) -> Result<bool> {
        let (drafts, base): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM drafts), (SELECT count(*) FROM base)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(drafts > base)
    }

    /// The deletes and updates waiting to be pushed, ordered by id: [`Workspace::outgoing`]
    /// without the new stores, found from the deleted drafts and the base rather than by
    /// reading every draft.
    pub fn outgoing_except_new(&self) -> Result<Vec<Outgoing>> {
        let tx = self.conn.unchecked_transaction()?;
        // Deletes through their own index; updates from the base (`CROSS JOIN` keeps the base
        // as the outer loop).
        let sql = format!(
            "SELECT {COLUMNS}, b.remote_hash, b.names_known
             FROM drafts d LEFT JOIN base b ON b.id = d.id WHERE d.doc IS NULL
             UNION ALL
             SELECT {COLUMNS}, b.remote_hash, b.names_known
             FROM base b CROSS JOIN drafts d ON d.id = b.id WHERE d.doc IS NOT NULL"
        );
        let out = read_sorted(&tx, &sql)?;
        tx.commit()?;
        Ok(out)
    }

    /// Starts reading the new stores waiting to be pushed (the changes
    /// [`Workspace::outgoing_except_new`] leaves out), in id order, on a thread of its own
    /// and from one snapshot of the workspace taken before this returns, so that a push can
    /// send the first of them while the rest are read. Writes made meanwhile (a store sent,
    /// then recorded as applied) are not seen by the reading.
    pub fn read_new_stores(&self) -> Result<NewStores> {
        let reader = self.connect_again()?;
        // Each page is read once: a small cache will do.
        reader
            .conn
            .pragma_update(None, "cache_size", -NEW_STORES_CACHE_KIB)?;
        // The snapshot is taken by the first read of the transaction.
        reader.conn.execute_batch("BEGIN")?;
        let (all, deleted, updated): (i64, i64, i64) = reader.conn.query_row(
            "SELECT (SELECT count(*) FROM drafts),
                    (SELECT count(*) FROM drafts WHERE doc IS NULL),
                    (SELECT count(*) FROM base b CROSS JOIN drafts d ON d.id = b.id
                     WHERE d.doc IS NOT NULL)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let count = (all - deleted - updated).max(0) as usize;
        let (send, chunks) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("storedesk-new-stores".into())
            .spawn(move || {
                let sql = format!(
                    "SELECT {COLUMNS}, NULL, NULL FROM drafts d
                     WHERE d.doc IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM base b WHERE b.id = d.id)
                     ORDER BY d.id"
                );
                let mut chunk = Vec::with_capacity(NEW_STORES_CHUNK);
                let mut listening = true;
                let read = read_outgoing(&reader.conn, &sql, |item| {
                    chunk.push(item);
                    if chunk.len() >= NEW_STORES_CHUNK {
                        let full =
                            std::mem::replace(&mut chunk, Vec::with_capacity(NEW_STORES_CHUNK));
                        // A push that stopped listening stops the reading.
                        listening = send.send(Ok(full)).is_ok();
                    }
                    listening
                });
                let _ = reader.conn.execute_batch("COMMIT");
                let last = match read {
                    Ok(()) if chunk.is_empty() || !listening => return,
                    Ok(()) => Ok(chunk),
                    Err(e) => Err(e),
                };
                let _ = send.send(last);
            })
            .map_err(|e| {
                WorkspaceError::Damaged(format!("could not start reading the new stores: {e}"))
            })?;
        Ok(NewStores {
            count,
            chunks: Some(chunks),
            thread: Some(thread),
        })
    }

    /// Reads the JSON of these changes. A store whose draft changed since it was listed is
    /// taken out of `items` and returned: it stays a draft, for the next push.
    pub fn load_json(&self, items: &mut Vec<Outgoing>) -> Result<Vec<Outgoing>> {
        // One read transaction for all the reads, rather than one each.
        let tx = self.conn.unchecked_transaction()?;
        let changed = read_drafts_json(&tx, items, |item| item.json.is_some())?;
        tx.commit()?;
        Ok(changed)
    }

    /// Records a write about to be sent: its log line and its stores in flight. Committed
    /// before the request leaves, so a crash leaves a trace to check.
    pub fn record_sending<T: Sent>(
        &mut self,
        push: i64,
        method: &str,
        items: &[T],
        bytes: usize,
    ) -> Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let records: Vec<SentRecord<'_>> = items.iter().map(Sent::sent).collect();
        let ids: Vec<&str> = records.iter().map(|r| r.id).collect();
        tx.prepare_cached(
            "INSERT INTO push_log (push, at, method, stores, bytes, ids)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            push,
            now_text(),
            method,
            items.len() as i64,
            bytes as i64,
            serde_json::to_string(&ids).unwrap_or_default()
        ])?;
        let seq = tx.last_insert_rowid();
        for record in &records {
            insert_inflight(&tx, seq, method, record)?;
        }
        tx.commit()?;
        Ok(seq)
    }

    /// Reads the JSON of these changes and records them as sent, in one transaction, so each
    /// in-flight record can point at its draft rather than hold a copy. A store whose draft
    /// changed since it was listed is taken out of `items` and returned: it stays a draft, for
    /// the next push. `bytes` gives the size of the request for the log once the JSON is read.
    /// The request number is `None` when no store is left to send (nothing is recorded).
    pub fn record_sending_drafts(
        &mut self,
        push: i64,
        method: &str,
        items: &mut Vec<Outgoing>,
        bytes: impl FnOnce(&[Outgoing]) -> usize,
    ) -> Result<(Option<i64>, Vec<Outgoing>)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read again even when already read: the in-flight records point at these versions.
        let changed = read_drafts_json(&tx, items, |_| false)?;
        if items.is_empty() {
            return Ok((None, changed));
        }
        let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        tx.prepare_cached(
            "INSERT INTO push_log (push, at, method, stores, bytes, ids)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            push,
            now_text(),
            method,
            items.len() as i64,
            bytes(items) as i64,
            serde_json::to_string(&ids).unwrap_or_default()
        ])?;
        let seq = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO inflight (id, seq, method, json, version, content_hash, remote_hash)
                 VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6)
                 ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, method = excluded.method,
                    json = NULL, version = excluded.version,
                    content_hash = excluded.content_hash, remote_hash = excluded.remote_hash",
            )?;
            for item in items.iter() {
                let store = item.kind != ChangeKind::Delete;
                insert.execute(params![
                    item.id,
                    seq,
                    method,
                    item.version,
                    item.content_hash.filter(|_| store).map(hash_to_sql),
                    item.remote_hash.filter(|_| store).map(hash_to_sql)
                ])?;
            }
        }
        tx.commit()?;
        Ok((Some(seq), changed))
    }

    /// The request `seq` ended with `outcome`; the stores in `applied` are now on the server
    /// as sent; the others are no longer in flight.
    pub fn record_outcome<T: Sent>(
        &mut self,
        seq: i64,
        outcome: &str,
        message: &str,
        applied: &[T],
        not_applied: &[String],
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        record_answer(&tx, seq, outcome, message, applied, not_applied)?;
        tx.commit()?;
        Ok(())
    }

    /// Records several answers, in order, in one transaction.
    pub fn record_answers<T: Sent>(&mut self, answers: &[Answer<T>]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for a in answers {
            record_answer(
                &tx,
                a.seq,
                &a.outcome,
                &a.message,
                &a.applied,
                &a.not_applied,
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Confirms in-flight writes the server turned out to hold, and forgets `dropped`.
    pub fn confirm_inflight<T: Sent>(&mut self, landed: &[T], dropped: &[String]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for item in landed {
            confirm_one(&tx, &item.sent())?;
        }
        for id in dropped {
            tx.prepare_cached("DELETE FROM inflight WHERE id = ?1")?
                .execute(params![id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The server already holds what the draft of this store says (read back before a push):
    /// the draft becomes the base without a request.
    pub fn mark_already_applied<T: Sent>(&mut self, item: &T) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        confirm_one(&tx, &item.sent())?;
        tx.commit()?;
        Ok(())
    }
}

/// Reads into `items` the JSON of their drafts at the versions listed, but for the deletes and
/// the items `read_already` says to leave as they are. The items whose draft is no longer at
/// that version are taken out of `items` and returned.
fn read_drafts_json(
    conn: &Connection,
    items: &mut Vec<Outgoing>,
    read_already: impl Fn(&Outgoing) -> bool,
) -> Result<Vec<Outgoing>> {
    let mut read = conn.prepare_cached(
        "SELECT x.json FROM drafts d JOIN docs x ON x.id = d.doc WHERE d.id = ?1 AND d.version = ?2",
    )?;
    let mut kept = Vec::with_capacity(items.len());
    let mut changed = Vec::new();
    for mut item in items.drain(..) {
        if item.kind == ChangeKind::Delete || read_already(&item) {
            kept.push(item);
            continue;
        }
        let json: Option<String> = read
            .query_row(params![item.id, item.version], |r| r.get(0))
            .optional()?;
        match json {
            Some(json) => {
                item.json = Some(json);
                kept.push(item);
            }
            None => changed.push(item),
        }
    }
    *items = kept;
    Ok(changed)
}

fn record_answer<T: Sent>(
    conn: &Connection,
    seq: i64,
    outcome: &str,
    message: &str,
    applied: &[T],
    not_applied: &[String],
) -> Result<()> {
    if !applied.is_empty() {
        let records: Vec<SentRecord<'_>> = applied.iter().map(Sent::sent).collect();
        confirm_request(conn, seq, &records)?;
    }
    {
        let mut forget = conn.prepare_cached("DELETE FROM inflight WHERE id = ?1 AND seq = ?2")?;
        for id in not_applied {
            forget.execute(params![id, seq])?;
        }
    }
    conn.prepare_cached("UPDATE push_log SET outcome = ?2, message = ?3 WHERE seq = ?1")?
        .execute(params![seq, outcome, message])?;
    Ok(())
}

/// Records one store in flight under the request `seq`. A store sent as its draft holds it
/// points at the draft (`json` NULL) while the draft stays at that version; an edit copies the
/// JSON in before changing the draft.
fn insert_inflight(
    conn: &Connection,
    seq: i64,
    method: &str,
    record: &SentRecord<'_>,
) -> Result<()> {
    let store = record.store.as_ref();
    let json = store.and_then(|s| s.json.as_deref());
    let is_draft = store.is_some_and(|s| s.is_draft);
    if store.is_some() && json.is_none() && !draft_at(conn, record.id, record.version)? {
        return Err(WorkspaceError::Damaged(format!(
            "the draft of \"{}\" changed before its JSON was read",
            record.id
        )));
    }
    conn.prepare_cached(
        "INSERT INTO inflight (id, seq, method, json, version, content_hash, remote_hash)
         VALUES (?1, ?2, ?3,
                 CASE WHEN ?8 AND EXISTS (SELECT 1 FROM drafts WHERE id = ?1 AND version = ?5)
                      THEN NULL ELSE ?4 END,
                 ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, method = excluded.method,
            json = excluded.json, version = excluded.version,
            content_hash = excluded.content_hash, remote_hash = excluded.remote_hash",
    )?
    .execute(params![
        record.id,
        seq,
        method,
        json,
        record.version,
        store.map(|s| hash_to_sql(s.content_hash)),
        store.map(|s| hash_to_sql(s.remote_hash)),
        is_draft
    ])?;
    Ok(())
}

fn draft_at(conn: &Connection, id: &str, version: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM drafts WHERE id = ?1 AND version = ?2")?
        .query_row(params![id, version], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The server holds the stores of the request `seq` as sent: they become the base; a draft
/// still as sent goes, one edited meanwhile stays (its conflict and failure cleared).
fn confirm_request(conn: &Connection, seq: i64, records: &[SentRecord<'_>]) -> Result<()> {
    let stores = records.iter().filter(|r| r.store.is_some()).count();
    // Most often every store of the request is confirmed and still in flight under it: the
    // request's number then finds them all, without looking each one up.
    let sent: Option<i64> = conn
        .prepare_cached("SELECT stores FROM push_log WHERE seq = ?1")?
        .query_row(params![seq], |r| r.get(0))
        .optional()?;
    if sent == Some(records.len() as i64) {
        let in_flight: i64 = conn
            .prepare_cached("SELECT count(*) FROM inflight WHERE seq = ?1")?
            .query_row(params![seq], |r| r.get(0))?;
        if in_flight == records.len() as i64 {
            confirm_in_flight(conn, seq, None, stores, records.len())?;
            return Ok(());
        }
    }
    let ids: Vec<&str> = records.iter().map(|r| r.id).collect();
    let ids_json = serde_json::to_string(&ids).unwrap_or_default();
    // Stores another request took over since they were sent under this one: recorded under
    // this one again, then confirmed with the others.
    let missing: HashSet<String> = conn
        .prepare_cached(
            "SELECT j.value FROM json_each(?2) j
             WHERE NOT EXISTS (SELECT 1 FROM inflight i WHERE i.id = j.value AND i.seq = ?1)",
        )?
        .query_map(params![seq, ids_json], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    if !missing.is_empty() {
        let method: String = conn
            .prepare_cached("SELECT method FROM push_log WHERE seq = ?1")?
            .query_row(params![seq], |r| r.get(0))
            .optional()?
            .unwrap_or_default();
        for record in records.iter().filter(|r| missing.contains(r.id)) {
            insert_inflight(conn, seq, &method, record)?;
        }
    }
    confirm_in_flight(conn, seq, Some(&ids_json), stores, records.len())
}

/// Confirms the stores in flight under the request `seq`, all of them or those of `ids` (a
/// JSON array), in a few set-based statements. `stores` of the `count` are creates or updates.
fn confirm_in_flight(
    conn: &Connection,
    seq: i64,
    ids: Option<&str>,
    stores: usize,
    count: usize,
) -> Result<()> {
    // Which in-flight rows: the listed ids under the request, or every row of the request.
    let (rows, draft_rows) = match ids {
        Some(_) => (
            "i.id IN (SELECT value FROM json_each(?2)) AND i.seq = ?1",
            "id IN (SELECT value FROM json_each(?2))",
        ),
        None => (
            "i.seq = ?1 AND ?2 IS NULL",
            "id IN (SELECT id FROM inflight WHERE seq = ?1) AND ?2 IS NULL",
        ),
    };
    if stores > 0 {
        // Sent as its draft: the base takes the draft's document, and drops its own.
        conn.prepare_cached(&format!(
            "DELETE FROM docs WHERE id IN (
                SELECT b.doc FROM inflight i JOIN base b ON b.id = i.id
                LEFT JOIN drafts d ON d.id = i.id
                WHERE {rows} AND i.remote_hash IS NOT NULL AND i.json IS NULL
                    AND b.doc IS NOT d.doc)"
        ))?
        .execute(params![seq, ids])?;
        conn.prepare_cached(&format!(
            "INSERT INTO base (id, doc, content_hash, remote_hash, last_updated, names_known,
                name, lat, lng)
             SELECT i.id, d.doc, i.content_hash, i.remote_hash, NULL, 1, d.name, d.lat, d.lng
             FROM inflight i LEFT JOIN drafts d ON d.id = i.id AND d.version = i.version
             WHERE {rows} AND i.remote_hash IS NOT NULL AND i.json IS NULL
             ON CONFLICT(id) DO UPDATE SET doc = excluded.doc,
                content_hash = excluded.content_hash, remote_hash = excluded.remote_hash,
                last_updated = excluded.last_updated, names_known = excluded.names_known,
                name = excluded.name, lat = excluded.lat, lng = excluded.lng"
        ))?
        .execute(params![seq, ids])?;
        // Drafts edited while in flight kept what was sent: it becomes a document of its own.
        let copied: Vec<(String, String, i64, i64)> = conn
            .prepare_cached(&format!(
                "SELECT i.id, i.json, i.content_hash, i.remote_hash FROM inflight i
                 WHERE {rows} AND i.remote_hash IS NOT NULL AND i.json IS NOT NULL"
            ))?
            .query_map(params![seq, ids], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<std::result::Result<_, _>>()?;
        for (id, json, content_hash, remote_hash) in copied {
            put_sent_base(
                conn,
                &id,
                &json,
                hash_from_sql(content_hash),
                hash_from_sql(remote_hash),
            )?;
        }
    }
    if stores < count {
        conn.prepare_cached(&format!(
            "DELETE FROM base WHERE id IN (
                SELECT i.id FROM inflight i WHERE {rows} AND i.remote_hash IS NULL)"
        ))?
        .execute(params![seq, ids])?;
    }
    // The drafts the server now holds as they are: sent at their version, or edited back to
    // what was sent. Those not sent at their version have a document of their own.
    let settled = "EXISTS (SELECT 1 FROM inflight i WHERE i.id = drafts.id AND i.seq = ?1
        AND (drafts.version = i.version
             OR (drafts.doc IS NULL AND i.remote_hash IS NULL)
             OR (drafts.doc IS NOT NULL AND drafts.content_hash = i.content_hash)))";
    conn.prepare_cached(&format!(
        "DELETE FROM docs WHERE id IN (
            SELECT drafts.doc FROM drafts WHERE {draft_rows} AND {settled}
                AND drafts.doc IS NOT (SELECT b.doc FROM base b WHERE b.id = drafts.id))"
    ))?
    .execute(params![seq, ids])?;
    let gone = conn
        .prepare_cached(&format!(
            "DELETE FROM drafts WHERE {draft_rows} AND {settled}"
        ))?
        .execute(params![seq, ids])?;
    if gone < count {
        // What is left of these drafts was edited while in flight.
        conn.prepare_cached(&format!(
            "UPDATE drafts SET conflict = 0, theirs = NULL, theirs_updated = NULL, failure = NULL
             WHERE {draft_rows}
                AND EXISTS (SELECT 1 FROM inflight i WHERE i.id = drafts.id AND i.seq = ?1)"
        ))?
        .execute(params![seq, ids])?;
    }
    conn.prepare_cached(&format!("DELETE FROM inflight AS i WHERE {rows}"))?
        .execute(params![seq, ids])?;
    Ok(())
}

/// The server holds one store as sent: it becomes the base; the draft goes if it is still
/// what was sent (an edit made during the push stays a draft).
pub(super) fn confirm_one(conn: &Connection, record: &SentRecord<'_>) -> Result<()> {
    match &record.store {
        Some(store) => {
            let json: Cow<'_, str> = match &store.json {
                Some(json) => Cow::Borrowed(json.as_ref()),
                None => Cow::Owned(sent_json(conn, record.id, record.version)?),
            };
            put_sent_base(
                conn,
                record.id,
                &json,
                store.content_hash,
                store.remote_hash,
            )?;
        }
        None => {
            conn.prepare_cached("DELETE FROM base WHERE id = ?1")?
                .execute(params![record.id])?;
        }
    }
    conn.prepare_cached("DELETE FROM inflight WHERE id = ?1")?
        .execute(params![record.id])?;
    let draft: Option<(Option<String>, i64, Option<i64>)> = conn
        .prepare_cached(
            "SELECT x.json, d.version, d.content_hash FROM drafts d
             LEFT JOIN docs x ON x.id = d.doc WHERE d.id = ?1",
        )?
        .query_row(params![record.id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    if let Some((json, version, content_hash)) = draft {
        let same_content = version == record.version
            || match (&json, &record.store) {
                (None, None) => true,
                (Some(j), Some(s)) => {
                    let hash = match content_hash {
                        Some(h) => hash_from_sql(h),
                        None => parse_store(j)?.content_hash(),
                    };
                    hash == s.content_hash
                }
                _ => false,
            };
        if same_content {
            delete_draft(conn, record.id)?;
        } else {
            conn.prepare_cached(
                "UPDATE drafts SET conflict = 0, theirs = NULL, theirs_updated = NULL,
                    failure = NULL WHERE id = ?1",
            )?
            .execute(params![record.id])?;
        }
    }
    Ok(())
}

/// Makes `json`, as sent and now held by the server, the base of `id`, in a document of its
/// own.
fn put_sent_base(
    conn: &Connection,
    id: &str,
    json: &str,
    content_hash: u64,
    remote_hash: u64,
) -> Result<()> {
    let (name, lat, lng): (Option<String>, Option<f64>, Option<f64>) = conn
        .prepare_cached(
            "SELECT json_extract(?1, '$.name'), json_extract(?1, '$.location.lat'),
                json_extract(?1, '$.location.lng')",
        )?
        .query_row(params![json], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    write_base(
        conn,
        &BaseRow {
            id,
            json,
            content_hash,
            remote_hash,
            last_updated: None,
            names_known: true,
            name: name.as_deref(),
            lat,
            lng,
        },
    )
}

/// The JSON sent for a store recorded without it: in flight, else the draft at that version.
fn sent_json(conn: &Connection, id: &str, version: i64) -> Result<String> {
    let found: Option<String> = conn
        .prepare_cached(
            "SELECT COALESCE(i.json, x.json) FROM (SELECT ?1 AS id, ?2 AS version) w
             LEFT JOIN inflight i ON i.id = w.id AND i.version = w.version
             LEFT JOIN drafts d ON d.id = w.id AND d.version = w.version
             LEFT JOIN docs x ON x.id = d.doc",
        )?
        .query_row(params![id, version], |r| r.get(0))
        .optional()?
        .flatten();
    found.ok_or_else(|| {
        WorkspaceError::Damaged(format!(
            "what was sent of \"{id}\" (version {version}) is no longer known"
        ))
    })
}
