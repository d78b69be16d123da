//! The tables of a workspace, and bringing a database written by an earlier storedesk up to
//! date when it is opened.
//!
//! Schema 2 keeps with each draft what a push and the list need without parsing the store:
//! its content and remote hashes, its validation errors, whether it has localized names, and
//! its name and coordinates (the base keeps name and coordinates too). An in-flight store
//! whose JSON is `NULL` is the draft of that id at the version sent: the JSON is copied into
//! `inflight` only when that draft is about to change. `inflight`, whose rows are small, is
//! kept in the order of its ids alone (`WITHOUT ROWID`).
//!
//! Schema 3 adds `ignored`, the findings the user chose to ignore (store id, code, path). A
//! workspace of schema 1 or 2 gets the table, empty, when it is opened.
//!
//! `drafts_deleted` indexes the deleted drafts alone, so that a push lists the deletes and
//! updates without reading every draft; a workspace without it gets it when it is opened.
//!
//! Schema 4 keeps each store's JSON once, in `docs`, which the base and the drafts point to
//! (`doc`; a draft without one deletes its store); a draft also keeps the length of its JSON
//! (`bytes`), which a push plans with. A store pushed as its draft then becomes the base by
//! pointing the base at the draft's document and dropping the small draft row, rather than by
//! copying its JSON from one table to the other and freeing the pages it filled: a recorded
//! answer writes a fifth of what it did. A document goes with the last row that points at it:
//! a trigger drops it when its base row is deleted, and a draft deleted or a row pointed at
//! another document drops its own first (a base and the draft of the same id share one for as
//! long as a push takes to record the draft as the base). A workspace of schema 1 to 3 is
//! rewritten when it is opened, its JSON moved into `docs`.
//!
//! Schema 5 hashes stores with XXH3 rather than FNV-1a (see `Store::content_hash`): the hashes
//! of a workspace of schema 4 and before are found again from its JSON when it is opened, for
//! the base, the drafts and the stores in flight.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::edit::Written;
use super::parallel::map_on_threads;
use super::{Result, hash_to_sql, parse_store};
use crate::validate::Context;

/// The schema this code reads and writes.
pub(super) const SCHEMA_VERSION: i64 = 5;

/// The validation rules the cached error counts were found with: counts written by another
/// version of storedesk are found again when the workspace is opened.
const RULES: &str = env!("CARGO_PKG_VERSION");

/// The page size of a new workspace: rows of a few hundred bytes fill fewer, larger pages,
/// which a large step writes faster.
const PAGE_SIZE: i64 = 16 * 1024;

/// Pages of cache (negative: KiB), so a large step is written without spilling to the WAL
/// before it commits.
const CACHE_KIB: i64 = 64 * 1024;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS base (
    id TEXT PRIMARY KEY,
    doc INTEGER NOT NULL,
    content_hash INTEGER NOT NULL,
    remote_hash INTEGER NOT NULL,
    last_updated TEXT,
    names_known INTEGER NOT NULL,
    name TEXT,
    lat REAL,
    lng REAL
);
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    doc INTEGER,
    bytes INTEGER,
    origin TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    conflict INTEGER NOT NULL DEFAULT 0,
    theirs TEXT,
    theirs_updated TEXT,
    failure TEXT,
    content_hash INTEGER,
    remote_hash INTEGER,
    errors INTEGER NOT NULL DEFAULT 0,
    has_names INTEGER NOT NULL DEFAULT 0,
    name TEXT,
    lat REAL,
    lng REAL
);
CREATE TABLE IF NOT EXISTS steps (
    step INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    at TEXT NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS journal (
    step INTEGER NOT NULL,
    id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    PRIMARY KEY (step, id)
);
CREATE TABLE IF NOT EXISTS push_log (
    seq INTEGER PRIMARY KEY,
    push INTEGER NOT NULL,
    at TEXT NOT NULL,
    method TEXT NOT NULL,
    stores INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    ids TEXT NOT NULL,
    outcome TEXT,
    message TEXT
);
CREATE TABLE IF NOT EXISTS inflight (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    method TEXT NOT NULL,
    json TEXT,
    version INTEGER NOT NULL,
    content_hash INTEGER,
    remote_hash INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ignored (
    id TEXT NOT NULL,
    code TEXT NOT NULL,
    path TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (id, code, path)
) WITHOUT ROWID;
";

/// What schema 4 keeps beside its tables, made once they have their columns of schema 4.
const LINKS: &str = "
-- The deleted drafts, so that a push finds them without reading every draft.
CREATE INDEX IF NOT EXISTS drafts_deleted ON drafts (id) WHERE doc IS NULL;
-- A document goes with the last row pointing at it: the base and the draft of one id may
-- share one, no other rows do. A base row deleted drops its document here; a row pointed
-- at another document, and a draft deleted, drop theirs first (`DROP_BASE_DOC`,
-- `DROP_DRAFT_DOC`): a trigger on updates would make SQLite keep a statement journal for
-- every row an import writes, and one on the drafts would run for every store a push
-- records.
CREATE TRIGGER IF NOT EXISTS base_deleted AFTER DELETE ON base
BEGIN
    DELETE FROM docs WHERE id = old.doc
        AND NOT EXISTS (SELECT 1 FROM drafts WHERE id = old.id AND doc = old.doc);
END;
";

/// Drops the document of the base of `?1` before the base is pointed at another one, unless
/// the draft of `?1` shares it.
pub(super) const DROP_BASE_DOC: &str = "DELETE FROM docs
    WHERE id = (SELECT doc FROM base WHERE id = ?1)
        AND id IS NOT (SELECT doc FROM drafts WHERE id = ?1)";

/// Drops the document of the draft of `?1` before the draft is deleted or pointed at another
/// one, unless the base of `?1` shares it.
pub(super) const DROP_DRAFT_DOC: &str = "DELETE FROM docs
    WHERE id = (SELECT doc FROM drafts WHERE id = ?1)
        AND id IS NOT (SELECT doc FROM base WHERE id = ?1)";

/// Schema 4's tables from those of schema 3 (or of schema 1 with the columns of schema 2):
/// the JSON of the base and of the drafts moved into `docs`, the base's documents numbered as
/// its rows, the drafts' after them. The tables of schema 4 are made by [`TABLES`] between
/// [`OLD_TABLES_SET_ASIDE`] and this.
const JSON_INTO_DOCS: &str = "
INSERT INTO docs (id, json) SELECT rowid, json FROM base_3;
INSERT INTO docs (id, json)
    SELECT rowid + (SELECT COALESCE(MAX(rowid), 0) FROM base_3), json FROM drafts_3
    WHERE json IS NOT NULL;
INSERT INTO base (id, doc, content_hash, remote_hash, last_updated, names_known, name, lat, lng)
    SELECT id, rowid, content_hash, remote_hash, last_updated, names_known, name, lat, lng
    FROM base_3;
INSERT INTO drafts (id, doc, bytes, origin, changed_at, version, conflict, theirs,
        theirs_updated, failure, content_hash, remote_hash, errors, has_names, name, lat, lng)
    SELECT id,
        CASE WHEN json IS NOT NULL THEN rowid + (SELECT COALESCE(MAX(rowid), 0) FROM base_3) END,
        octet_length(json), origin, changed_at, version, conflict, theirs, theirs_updated,
        failure, content_hash, remote_hash, errors, has_names, name, lat, lng
    FROM drafts_3;
DROP TABLE base_3;
DROP TABLE drafts_3;
";

/// The base and drafts of schema 3 and before, set aside for [`JSON_INTO_DOCS`].
const OLD_TABLES_SET_ASIDE: &str = "
DROP INDEX IF EXISTS drafts_deleted;
ALTER TABLE base RENAME TO base_3;
ALTER TABLE drafts RENAME TO drafts_3;
";

/// The columns schema 2 added to the tables of schema 1.
const ADDED_COLUMNS: &str = "
ALTER TABLE base ADD COLUMN name TEXT;
ALTER TABLE base ADD COLUMN lat REAL;
ALTER TABLE base ADD COLUMN lng REAL;
ALTER TABLE drafts ADD COLUMN content_hash INTEGER;
ALTER TABLE drafts ADD COLUMN remote_hash INTEGER;
ALTER TABLE drafts ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE drafts ADD COLUMN has_names INTEGER NOT NULL DEFAULT 0;
ALTER TABLE drafts ADD COLUMN name TEXT;
ALTER TABLE drafts ADD COLUMN lat REAL;
ALTER TABLE drafts ADD COLUMN lng REAL;
CREATE TABLE inflight_2 (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    method TEXT NOT NULL,
    json TEXT,
    version INTEGER NOT NULL,
    content_hash INTEGER,
    remote_hash INTEGER
) WITHOUT ROWID;
INSERT INTO inflight_2 (id, seq, method, json, version)
    SELECT id, seq, method, json, version FROM inflight;
DROP TABLE inflight;
ALTER TABLE inflight_2 RENAME TO inflight;
UPDATE base SET name = json_extract(json, '$.name'), lat = json_extract(json, '$.location.lat'),
    lng = json_extract(json, '$.location.lng');
";

/// What opening found.
pub(super) enum Opened {
    Ready,
    /// Written by a newer storedesk, with this schema: left untouched.
    Newer(i64),
}

/// Sets the connection up, creates the tables of a new workspace and updates an older one.
pub(super) fn prepare(conn: &mut Connection) -> Result<Opened> {
    configure(conn)?;
    // Only a database not yet written takes it; the WAL mode comes after.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.execute_batch(TABLES)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: Option<i64> = meta_number(&tx, "schema")?;
    match found {
        Some(v) if v > SCHEMA_VERSION => return Ok(Opened::Newer(v)),
        Some(v) => {
            if v < 2 {
                tx.execute_batch(ADDED_COLUMNS)?;
            }
            if v < 4 {
                tx.execute_batch(OLD_TABLES_SET_ASIDE)?;
                tx.execute_batch(TABLES)?;
                tx.execute_batch(JSON_INTO_DOCS)?;
            }
            let rules: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = 'rules'", [], |r| {
                    r.get(0)
                })
                .optional()?;
            if v < 5 || rules.as_deref() != Some(RULES) {
                fill_drafts(&tx)?;
            }
            if v < 5 {
                fill_base_hashes(&tx)?;
                fill_inflight(&tx)?;
            }
        }
        None => {
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('version', '0'), ('push', '0')",
                [],
            )?;
        }
    }
    tx.execute_batch(LINKS)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema', ?1), ('rules', ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![SCHEMA_VERSION.to_string(), RULES],
    )?;
    tx.commit()?;
    Ok(Opened::Ready)
}

/// What every connection to a workspace sets, the first one and any other (the WAL mode is
/// kept by the database itself).
pub(super) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    // A statement that changes many rows inside a larger transaction keeps the pages it
    // changes in a statement journal, to undo that statement alone: in memory rather than in
    // a temporary file, which is written and thrown away at each such statement.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

fn meta_number(conn: &Connection, key: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?)
}

/// Finds again, for every draft, what schema 2 keeps beside its JSON.
fn fill_drafts(conn: &Connection) -> Result<()> {
    let drafts = ids_and_json(
        conn,
        "SELECT d.id, x.json FROM drafts d JOIN docs x ON x.id = d.doc",
    )?;
    let context = Context::today();
    let written = map_on_threads(&drafts, ALONE_UP_TO, |(_, json)| {
        Ok(Written::of(&parse_store(json)?, &context))
    })?;
    let mut update = conn.prepare(
        "UPDATE drafts SET content_hash = ?2, remote_hash = ?3, errors = ?4, has_names = ?5,
            name = ?6, lat = ?7, lng = ?8 WHERE id = ?1",
    )?;
    for ((id, _), w) in drafts.iter().zip(written) {
        update.execute(params![
            id,
            hash_to_sql(w.content_hash),
            hash_to_sql(w.remote_hash),
            w.errors,
            w.has_names,
            w.name,
            w.lat,
            w.lng
        ])?;
    }
    Ok(())
}

/// Stores of an earlier schema worked on the opening thread alone, up to this many.
const ALONE_UP_TO: usize = 1024;

/// The `(id, JSON)` rows `select` gives.
fn ids_and_json(conn: &Connection, select: &str) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(select)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Finds again the hashes of the stores whose `(id, JSON)` `select` gives, and writes them
/// with `update` (`?1` the id, `?2` the content hash, `?3` the remote hash).
fn rehash(conn: &Connection, select: &str, update: &str) -> Result<()> {
    let rows = ids_and_json(conn, select)?;
    let hashed = map_on_threads(&rows, ALONE_UP_TO, |(_, json)| {
        let (_, content, remote) = parse_store(json)?.json_and_hashes();
        Ok((content, remote))
    })?;
    let mut update = conn.prepare(update)?;
    for ((id, _), (content, remote)) in rows.iter().zip(hashed) {
        update.execute(params![id, hash_to_sql(content), hash_to_sql(remote)])?;
    }
    Ok(())
}

/// Finds again the hashes of every store of the base, from its JSON.
fn fill_base_hashes(conn: &Connection) -> Result<()> {
    rehash(
        conn,
        "SELECT b.id, x.json FROM base b JOIN docs x ON x.id = b.doc",
        "UPDATE base SET content_hash = ?2, remote_hash = ?3 WHERE id = ?1",
    )
}

/// Finds again the hashes of the stores in flight: from the JSON that was sent, or, for a
/// store recorded as its draft (no JSON of its own, but hashes), the draft's, which
/// [`fill_drafts`] has found again before. A delete in flight has neither.
fn fill_inflight(conn: &Connection) -> Result<()> {
    conn.execute(
        "UPDATE inflight SET
            content_hash = (SELECT d.content_hash FROM drafts d WHERE d.id = inflight.id),
            remote_hash = (SELECT d.remote_hash FROM drafts d WHERE d.id = inflight.id)
         WHERE json IS NULL AND remote_hash IS NOT NULL",
        [],
    )?;
    rehash(
        conn,
        "SELECT id, json FROM inflight WHERE json IS NOT NULL",
        "UPDATE inflight SET content_hash = ?2, remote_hash = ?3 WHERE id = ?1",
    )
}
