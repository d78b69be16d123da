//! The local draft queue: one SQLite database per profile holding the **base** (the project as
//! last pulled or pushed), the **drafts** (what the user changed since), an **edit journal** for
//! undo and redo, and a **push log** with the writes in flight.
//!
//! Every edit is one committed transaction before the call returns, so a process killed at any
//! instant loses at most the edit it was making. The database runs in WAL mode with
//! `synchronous=FULL`: a commit is on disk, not only in the page cache.
//!
//! A draft holds the store as the user wants it (`NULL` for "delete"); whether it is a create,
//! an update or a delete follows from the base. Edits go through [`Workspace::apply`], which
//! drops a draft that came back to the base's content, so the queue only lists real changes.

mod checkpoint;
pub mod diff;
mod edit;
mod facets;
mod ignore;
mod log_sync;
mod lookup;
mod outgoing;
mod parallel;
mod queue_file;
mod schema;
mod step;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::model::{RemoteMeta, Store};
pub use diff::{FieldChange, FieldChoice, Side, compose, field_choices, field_diff};
pub use facets::Facets;
pub use ignore::{IgnoredFinding, StoreFinding};
pub use outgoing::{Answer, NewStores, Outgoing, Sent, SentRecord, SentStore};
pub use queue_file::{QUEUE_FILE_FORMAT, QueueFileError};
pub(crate) use step::Prepared;
pub use step::StepWriter;

/// The database file inside a workspace directory.
pub const DATABASE_FILE: &str = "workspace.sqlite";

/// Undo steps kept; older ones are forgotten.
pub const UNDO_DEPTH: i64 = 1000;

/// What went wrong with the workspace. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error(
        "The workspace {} could not be opened ({detail}); check that the folder exists and that you can write to it.", path.display()
    )]
    Open { path: PathBuf, detail: String },
    #[error(
        "The workspace {} was written by a newer storedesk (schema {found}); update storedesk to open it.", path.display()
    )]
    NewerSchema { path: PathBuf, found: i64 },
    #[error(
        "The workspace database could not be updated ({0}); nothing was changed. If the disk is full, free some space and try again."
    )]
    Database(String),
    #[error("A store read from the workspace is damaged ({0}); export the drafts and report it.")]
    Damaged(String),
    #[error("No store has the id \"{0}\".")]
    UnknownStore(String),
    #[error("A store with the id \"{0}\" already exists; choose another id.")]
    IdTaken(String),
    #[error("A store needs an id (storeId) before it can be added.")]
    MissingId,
    #[error("Store \"{0}\" is not in conflict.")]
    NoConflict(String),
    #[error(
        "An error ({0}) cannot be ignored: it holds the store back from a push until it is fixed. Only warnings and notices can be ignored."
    )]
    ErrorNotIgnorable(String),
    #[error("There is nothing to undo.")]
    NothingToUndo,
    #[error("There is nothing to redo.")]
    NothingToRedo,
    #[error(transparent)]
    QueueFile(#[from] QueueFileError),
}

impl From<rusqlite::Error> for WorkspaceError {
    fn from(e: rusqlite::Error) -> WorkspaceError {
        WorkspaceError::Database(e.to_string())
    }
}

type Result<T> = std::result::Result<T, WorkspaceError>;

/// Where a change came from, shown in the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Form,
    MapDrag,
    Import {
        file: String,
        row: Option<usize>,
    },
    BulkEdit,
    /// A safe fix offered by the problems panel.
    Fix,
    Discard,
    Conflict,
    QueueFile,
    CommandLine,
    Undo,
    Redo,
}

impl Origin {
    pub fn describe(&self) -> String {
        match self {
            Origin::Form => "form".into(),
            Origin::MapDrag => "map drag".into(),
            Origin::Import { file, row: Some(r) } => format!("import of {file}, row {r}"),
            Origin::Import { file, row: None } => format!("import of {file}"),
            Origin::BulkEdit => "bulk edit".into(),
            Origin::Fix => "safe fix".into(),
            Origin::Discard => "discard".into(),
            Origin::Conflict => "conflict resolution".into(),
            Origin::QueueFile => "drafts file".into(),
            Origin::CommandLine => "command line".into(),
            Origin::Undo => "undo".into(),
            Origin::Redo => "redo".into(),
        }
    }
}

/// One change in an edit step.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// The store becomes this (created if it did not exist).
    Put(Box<Store>),
    /// The store is to be deleted.
    Delete(String),
}

/// The project's state of a store as last pulled or pushed.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseRecord {
    pub store: Store,
    /// [`Store::remote_hash`] of `store`: what a read-back must match.
    pub remote_hash: u64,
    pub last_updated: Option<String>,
    /// Whether `store` holds what was pushed (so its `localizedNames` are known), rather than
    /// what a GET returned (which never has them).
    pub names_known: bool,
}

/// What a draft does to the project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Create,
    Update,
    Delete,
}

/// A store changed on the server since the base, under a draft.
#[derive(Clone, Debug, PartialEq)]
pub enum Conflict {
    /// Someone changed the store on the server.
    ChangedRemotely {
        theirs: Store,
        last_updated: Option<String>,
    },
    /// Someone deleted the store on the server.
    DeletedRemotely,
    /// A store with this id was created on the server.
    ExistsRemotely {
        theirs: Store,
        last_updated: Option<String>,
    },
}

impl Conflict {
    pub fn theirs(&self) -> Option<&Store> {
        match self {
            Conflict::ChangedRemotely { theirs, .. } | Conflict::ExistsRemotely { theirs, .. } => {
                Some(theirs)
            }
            Conflict::DeletedRemotely => None,
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Conflict::ChangedRemotely { .. } => "changed on the server since your last pull",
            Conflict::DeletedRemotely => "deleted on the server since your last pull",
            Conflict::ExistsRemotely { .. } => "a store with this id was created on the server",
        }
    }
}

impl Edit {
    pub fn put(store: Store) -> Edit {
        Edit::Put(Box::new(store))
    }
}

/// How the user settles a conflict.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// Keep the draft; pushing overwrites the server's version.
    Mine,
    /// Drop the draft and take the server's version.
    Theirs,
    /// This store, built field by field from both.
    Merged(Box<Store>),
}

/// A change waiting to be pushed.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub id: String,
    pub kind: ChangeKind,
    /// The store as the user wants it; `None` for a delete.
    pub local: Option<Store>,
    pub base: Option<BaseRecord>,
    pub origin: String,
    pub changed_at: String,
    /// Bumped by every edit of this draft, so a push acknowledges only what it sent.
    pub version: i64,
    pub conflict: Option<Conflict>,
    /// The server's refusal of the last push, if it refused this store.
    pub failure: Option<String>,
}

impl Pending {
    /// Field-by-field changes against the base.
    pub fn diff(&self) -> Vec<FieldChange> {
        field_diff(self.base.as_ref().map(|b| &b.store), self.local.as_ref())
    }
}

/// A store's place in the sync cycle, for the list and the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncState {
    Synced,
    New,
    Modified,
    Deleted,
    Conflict,
    Failed,
}

/// What the list and the map need of a store, read without parsing whole stores.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub id: String,
    pub name: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub state: SyncState,
}

/// What a pull changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PullReport {
    pub remote_stores: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Ids whose draft now conflicts with the server.
    pub conflicts: Vec<String>,
    /// Drafts the server already matched, dropped.
    pub already_applied: usize,
}

/// What an undo or redo did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepOutcome {
    pub label: String,
    pub stores: usize,
}

/// One store in a write request.
#[derive(Clone, Debug, PartialEq)]
pub struct SentItem {
    pub id: String,
    /// What was sent; `None` for a delete.
    pub store: Option<Store>,
    /// The draft version sent.
    pub version: i64,
}

/// A write that was sent but whose outcome was never recorded (the process stopped, or the
/// answer was lost).
#[derive(Clone, Debug, PartialEq)]
pub struct Inflight {
    pub seq: i64,
    pub method: String,
    pub item: SentItem,
    /// The remote hash of what was sent; `None` for a delete.
    pub remote_hash: Option<u64>,
}

/// One request of the push log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PushLogEntry {
    pub seq: i64,
    pub push: i64,
    pub at: String,
    pub method: String,
    pub stores: i64,
    pub bytes: i64,
    pub outcome: Option<String>,
    pub message: Option<String>,
}

/// One profile's workspace.
pub struct Workspace {
    conn: Connection,
    path: PathBuf,
    /// Copies the write-ahead log into the database file while writes pause.
    _checkpointer: Option<checkpoint::Checkpointer>,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("path", &self.path)
            .finish()
    }
}

fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn hash_to_sql(h: u64) -> i64 {
    i64::from_ne_bytes(h.to_ne_bytes())
}

fn hash_from_sql(h: i64) -> u64 {
    u64::from_ne_bytes(h.to_ne_bytes())
}

fn parse_store(json: &str) -> Result<Store> {
    serde_json::from_str(json).map_err(|e| WorkspaceError::Damaged(e.to_string()))
}

fn parse_opt(json: Option<String>) -> Result<Option<Store>> {
    json.as_deref().map(parse_store).transpose()
}

impl Workspace {
    /// Opens (creating if needed) the workspace in `dir`.
    pub fn open_dir(dir: &Path) -> Result<Workspace> {
        std::fs::create_dir_all(dir).map_err(|e| WorkspaceError::Open {
            path: dir.to_owned(),
            detail: e.to_string(),
        })?;
        Workspace::open(&dir.join(DATABASE_FILE))
    }

    /// Opens (creating if needed) the workspace database at `path`; a workspace written by an
    /// earlier storedesk is brought up to date.
    pub fn open(path: &Path) -> Result<Workspace> {
        let open_err = |e: WorkspaceError| match e {
            WorkspaceError::Database(detail) => WorkspaceError::Open {
                path: path.to_owned(),
                detail,
            },
            other => other,
        };
        let mut conn = Connection::open(path).map_err(|e| WorkspaceError::Open {
            path: path.to_owned(),
            detail: e.to_string(),
        })?;
        match schema::prepare(&mut conn).map_err(open_err)? {
            schema::Opened::Ready => {}
            schema::Opened::Newer(found) => {
                return Err(WorkspaceError::NewerSchema {
                    path: path.to_owned(),
                    found,
                });
            }
        }
        let checkpointer = checkpoint::Checkpointer::start(path);
        if checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(|e| WorkspaceError::Open {
                    path: path.to_owned(),
                    detail: e.to_string(),
                })?;
        }
        Ok(Workspace {
            conn,
            path: path.to_owned(),
            _checkpointer: checkpointer,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Another connection to this workspace, for a thread of its own: SQLite lets one of the
    /// two write at a time (the other waits), and checkpoints stay with this one's thread.
    pub fn connect_again(&self) -> Result<Workspace> {
        let opened = |e: rusqlite::Error| WorkspaceError::Open {
            path: self.path.clone(),
            detail: e.to_string(),
        };
        let conn = Connection::open(&self.path).map_err(opened)?;
        schema::configure(&conn)?;
        if self._checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(opened)?;
        }
        Ok(Workspace {
            conn,
            path: self.path.clone(),
            _checkpointer: None,
        })
    }

    // ----- reading -----

    /// The store as the user sees it: its draft if it has one, else its base.
    pub fn store(&self, id: &str) -> Result<Option<Store>> {
        effective(&self.conn, id)
    }

    /// Every store as the user sees it, ordered by id; deleted ones left out.
    pub fn stores(&self) -> Result<Vec<Store>> {
        let mut out = self
            .store_texts()?
            .iter()
            .map(|json| parse_store(json))
            .collect::<Result<Vec<Store>>>()?;
        out.sort_by(|a, b| a.id().cmp(b.id()));
        Ok(out)
    }

    /// Id, name, coordinates and sync state of every store, deleted ones included (shown as
    /// such), ordered by id. Reads the fields in SQLite without parsing whole stores.
    pub fn summaries(&self) -> Result<Vec<Summary>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, lat, lng, has_base, has_draft, deleted, conflict, failed
             FROM (
                SELECT b.id AS id,
                       CASE WHEN d.doc IS NULL THEN b.name ELSE d.name END AS name,
                       CASE WHEN d.doc IS NULL THEN b.lat ELSE d.lat END AS lat,
                       CASE WHEN d.doc IS NULL THEN b.lng ELSE d.lng END AS lng,
                       1 AS has_base, d.id IS NOT NULL AS has_draft,
                       d.id IS NOT NULL AND d.doc IS NULL AS deleted,
                       COALESCE(d.conflict, 0) AS conflict, d.failure IS NOT NULL AS failed
                FROM base b LEFT JOIN drafts d ON d.id = b.id
                UNION ALL
                SELECT d.id, d.name, d.lat, d.lng, 0, 1, d.doc IS NULL, d.conflict,
                       d.failure IS NOT NULL
                FROM drafts d WHERE d.id NOT IN (SELECT id FROM base)
             ) ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let has_base: bool = r.get(4)?;
            let has_draft: bool = r.get(5)?;
            let deleted: bool = r.get(6)?;
            let conflict: i64 = r.get(7)?;
            let failed: bool = r.get(8)?;
            let state = if conflict != 0 {
                SyncState::Conflict
            } else if failed {
                SyncState::Failed
            } else if !has_draft {
                SyncState::Synced
            } else if deleted {
                SyncState::Deleted
            } else if has_base {
                SyncState::Modified
            } else {
                SyncState::New
            };
            Ok(Summary {
                id: r.get(0)?,
                name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                lat: r.get(2)?,
                lng: r.get(3)?,
                state,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    pub fn base(&self, id: &str) -> Result<Option<BaseRecord>> {
        load_base(&self.conn, id)
    }

    /// How many changes wait to be pushed.
    pub fn pending_count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM drafts", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Every change waiting to be pushed, ordered by id.
    pub fn pending(&self) -> Result<Vec<Pending>> {
        self.pending_rows(None)
    }

    /// The changes of these ids that exist, in id order.
    pub fn pending_of(&self, ids: &[String]) -> Result<Vec<Pending>> {
        let mut wanted: Vec<&String> = ids.iter().collect();
        wanted.sort();
        wanted.dedup();
        let mut out = Vec::new();
        for id in wanted {
            out.extend(self.pending_rows(Some(id))?);
        }
        Ok(out)
    }

    /// The changes of every store, or of the store `only`.
    fn pending_rows(&self, only: Option<&str>) -> Result<Vec<Pending>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, dx.json, d.origin, d.changed_at, d.version, d.conflict, d.theirs,
                    d.theirs_updated, d.failure, bx.json, b.remote_hash, b.last_updated, b.names_known
             FROM drafts d LEFT JOIN docs dx ON dx.id = d.doc
                LEFT JOIN base b ON b.id = d.id LEFT JOIN docs bx ON bx.id = b.doc
             WHERE ?1 IS NULL OR d.id = ?1 ORDER BY d.id",
        )?;
        type Row = (
            String,
            Option<String>,
            String,
            String,
            i64,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<bool>,
        );
        let rows = stmt.query_map(params![only], |r| {
            Ok::<Row, rusqlite::Error>((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                json,
                origin,
                changed_at,
                version,
                conflict,
                theirs,
                theirs_updated,
                failure,
                base_json,
                base_hash,
                last_updated,
                names_known,
            ) = row?;
            let local = parse_opt(json)?;
            let base = match base_json {
                Some(j) => Some(BaseRecord {
                    store: parse_store(&j)?,
                    remote_hash: hash_from_sql(base_hash.unwrap_or(0)),
                    last_updated,
                    names_known: names_known.unwrap_or(false),
                }),
                None => None,
            };
            let kind = match (&local, &base) {
                (None, _) => ChangeKind::Delete,
                (Some(_), Some(_)) => ChangeKind::Update,
                (Some(_), None) => ChangeKind::Create,
            };
            let conflict = decode_conflict(conflict, theirs, theirs_updated)?;
            out.push(Pending {
                id,
                kind,
                local,
                base,
                origin,
                changed_at,
                version,
                conflict,
                failure,
            });
        }
        Ok(out)
    }

    /// The label of the step an undo would take back, if any.
    pub fn undo_label(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT label FROM steps WHERE undone = 0 ORDER BY step DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The label of the step a redo would apply again, if any.
    pub fn redo_label(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT label FROM steps WHERE undone = 1 ORDER BY step ASC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    // ----- editing -----

    /// Applies `edits` as one undoable step named `label`. Returns the number of stores whose
    /// content changed (0 writes no step).
    pub fn apply(&mut self, label: &str, origin: &Origin, edits: Vec<Edit>) -> Result<usize> {
        let origin = origin.describe();
        self.apply_described(
            label,
            edits.into_iter().map(|e| (e, origin.clone())).collect(),
        )
    }

    /// Applies `edits` as one undoable step named `label`, each change with its own origin (an
    /// import gives each store its file and row). Returns the number of stores whose content
    /// changed (0 writes no step). The stores are serialised, hashed and validated once, on
    /// several threads for a large step, before the transaction starts.
    pub fn apply_batch(&mut self, label: &str, edits: Vec<(Edit, Origin)>) -> Result<usize> {
        self.apply_described(
            label,
            edits.into_iter().map(|(e, o)| (e, o.describe())).collect(),
        )
    }

    fn apply_described(&mut self, label: &str, edits: Vec<(Edit, String)>) -> Result<usize> {
        edit::check_ids(&edits)?;
        let now = now_text();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let count = edit::write(&tx, edits, &now, Some(label))?;
        // A step that changed nothing is not kept.
        if count > 0 {
            tx.commit()?;
        }
        Ok(count)
    }

    /// Adds a new store; its id must be free.
    pub fn create(&mut self, store: Store, origin: &Origin) -> Result<usize> {
        if store.id().is_empty() {
            return Err(WorkspaceError::MissingId);
        }
        if self.store(store.id())?.is_some() {
            return Err(WorkspaceError::IdTaken(store.id().to_owned()));
        }
        let label = format!("Add {}", store.id());
        self.apply(&label, origin, vec![Edit::put(store)])
    }

    /// Replaces an existing store with `store` (same id).
    pub fn update(&mut self, store: Store, origin: &Origin) -> Result<usize> {
        if self.store(store.id())?.is_none() {
            return Err(WorkspaceError::UnknownStore(store.id().to_owned()));
        }
        let label = format!("Edit {}", store.id());
        self.apply(&label, origin, vec![Edit::put(store)])
    }

    /// Marks these stores for deletion.
    pub fn delete(&mut self, ids: &[String], origin: &Origin) -> Result<usize> {
        for id in ids {
            if self.store(id)?.is_none() {
                return Err(WorkspaceError::UnknownStore(id.clone()));
            }
        }
        let label = match ids {
            [one] => format!("Delete {one}"),
            many => format!("Delete {} stores", many.len()),
        };
        self.apply(
            &label,
            origin,
            ids.iter().cloned().map(Edit::Delete).collect(),
        )
    }

    /// Moves a store to a new location (a map drag).
    pub fn move_store(&mut self, id: &str, lat: f64, lng: f64) -> Result<usize> {
        let mut store = self
            .store(id)?
            .ok_or_else(|| WorkspaceError::UnknownStore(id.to_owned()))?;
        match &mut store.location {
            Some(l) => {
                l.lat = lat;
                l.lng = lng;
            }
            None => store.location = Some(crate::model::Location::new(lat, lng)),
        }
        self.apply(
            &format!("Move {id}"),
            &Origin::MapDrag,
            vec![Edit::put(store)],
        )
    }

    /// Gives a store a new id: the API cannot rename, so this is a delete and a create, in one
    /// undoable step.
    pub fn rename(&mut self, id: &str, new_id: &str, origin: &Origin) -> Result<usize> {
        let mut store = self
            .store(id)?
            .ok_or_else(|| WorkspaceError::UnknownStore(id.to_owned()))?;
        if self.store(new_id)?.is_some() {
            return Err(WorkspaceError::IdTaken(new_id.to_owned()));
        }
        store.store_id = Some(new_id.to_owned());
        self.apply(
            &format!("Rename {id} to {new_id}"),
            origin,
            vec![Edit::Delete(id.to_owned()), Edit::put(store)],
        )
    }

    /// Applies `change` to each of these stores, as one undoable step.
    pub fn bulk_edit(
        &mut self,
        ids: &[String],
        label: &str,
        mut change: impl FnMut(&mut Store),
    ) -> Result<usize> {
        let mut edits = Vec::with_capacity(ids.len());
        for id in ids {
            let mut store = self
                .store(id)?
                .ok_or_else(|| WorkspaceError::UnknownStore(id.clone()))?;
            change(&mut store);
            if store.id() != id {
                store.store_id = Some(id.clone());
            }
            edits.push(Edit::put(store));
        }
        self.apply(label, &Origin::BulkEdit, edits)
    }

    /// Drops the drafts of these stores: they return to the base (or, for a store in
    /// conflict, to the server's version). One undoable step.
    pub fn discard(&mut self, ids: &[String]) -> Result<usize> {
        let pending = self.pending_of(ids)?;
        let mut edits = Vec::new();
        for p in pending {
            if p.conflict.is_some() {
                self.adopt_theirs(&p)?;
            }
            let target = self.base(&p.id)?.map(|b| b.store);
            edits.push(match target {
                Some(s) => Edit::put(s),
                None => Edit::Delete(p.id.clone()),
            });
        }
        let label = match ids {
            [one] => format!("Discard the change to {one}"),
            many => format!("Discard {} changes", many.len()),
        };
        self.apply(&label, &Origin::Discard, edits)
    }

    /// Drops every draft (one undoable step).
    pub fn discard_all(&mut self) -> Result<usize> {
        let ids: Vec<String> = self.pending()?.into_iter().map(|p| p.id).collect();
        self.discard(&ids)
    }

    /// Takes back the latest step.
    pub fn undo(&mut self) -> Result<StepOutcome> {
        self.replay(true)
    }

    /// Applies again the step last taken back.
    pub fn redo(&mut self) -> Result<StepOutcome> {
        self.replay(false)
    }

    fn replay(&mut self, undo: bool) -> Result<StepOutcome> {
        let now = now_text();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sql = if undo {
            "SELECT step, label FROM steps WHERE undone = 0 ORDER BY step DESC LIMIT 1"
        } else {
            "SELECT step, label FROM steps WHERE undone = 1 ORDER BY step ASC LIMIT 1"
        };
        let found: Option<(i64, String)> = tx
            .query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((step, label)) = found else {
            return Err(if undo {
                WorkspaceError::NothingToUndo
            } else {
                WorkspaceError::NothingToRedo
            });
        };
        if undo {
            edit::capture_after(&tx, step)?;
        }
        let rows: Vec<(String, Option<String>)> = {
            let column = if undo { "before" } else { "after" };
            let mut stmt = tx.prepare(&format!(
                "SELECT id, {column} FROM journal WHERE step = ?1 ORDER BY rowid"
            ))?;
            let mapped = stmt.query_map(params![step], |r| Ok((r.get(0)?, r.get(1)?)))?;
            mapped.collect::<std::result::Result<_, _>>()?
        };
        let origin = if undo { Origin::Undo } else { Origin::Redo }.describe();
        let stores = rows.len();
        let mut edits = Vec::with_capacity(rows.len());
        for (id, json) in rows {
            let edit = match parse_opt(json)? {
                Some(store) => Edit::put(store),
                None => Edit::Delete(id),
            };
            edits.push((edit, origin.clone()));
        }
        edit::write(&tx, edits, &now, None)?;
        tx.prepare_cached("UPDATE steps SET undone = ?1 WHERE step = ?2")?
            .execute(params![undo, step])?;
        tx.commit()?;
        Ok(StepOutcome { label, stores })
    }

    /// Settles a conflict. The server's version becomes the base; the draft becomes what the
    /// resolution says. One undoable step.
    pub fn resolve_conflict(&mut self, id: &str, resolution: Resolution) -> Result<usize> {
        let pending = self
            .pending_of(&[id.to_owned()])?
            .into_iter()
            .next()
            .filter(|p| p.conflict.is_some())
            .ok_or_else(|| WorkspaceError::NoConflict(id.to_owned()))?;
        let mine = pending.local.clone();
        self.adopt_theirs(&pending)?;
        let target = match resolution {
            Resolution::Mine => mine,
            Resolution::Theirs => self.base(id)?.map(|b| b.store),
            Resolution::Merged(s) => Some(*s),
        };
        let edit = match target {
            Some(s) => Edit::put(s),
            None => Edit::Delete(id.to_owned()),
        };
        let changed = self.apply(
            &format!("Resolve the conflict on {id}"),
            &Origin::Conflict,
            vec![edit],
        )?;
        Ok(changed)
    }

    /// Makes the server's version of a conflicting store the base and clears the conflict; the
    /// draft is kept as it is.
    fn adopt_theirs(&mut self, p: &Pending) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        match &p.conflict {
            Some(Conflict::ChangedRemotely {
                theirs,
                last_updated,
            })
            | Some(Conflict::ExistsRemotely {
                theirs,
                last_updated,
            }) => put_base(&tx, theirs, last_updated.as_deref(), false)?,
            Some(Conflict::DeletedRemotely) => {
                tx.prepare_cached("DELETE FROM base WHERE id = ?1")?
                    .execute(params![p.id])?;
            }
            None => {}
        }
        tx.prepare_cached(
            "UPDATE drafts SET conflict = 0, theirs = NULL, theirs_updated = NULL WHERE id = ?1",
        )?
        .execute(params![p.id])?;
        tx.commit()?;
        Ok(())
    }

    // ----- pull -----

    /// Makes `remote` (every store of the project, as just listed) the base. Drafts stay; a
    /// draft whose store changed on the server since the base becomes a conflict.
    pub fn apply_pull(&mut self, remote: Vec<(Store, RemoteMeta)>) -> Result<PullReport> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut report = PullReport {
            remote_stores: remote.len(),
            ..PullReport::default()
        };
        let remote_hashes: Vec<u64> = remote.iter().map(|(s, _)| s.remote_hash()).collect();
        let by_id: HashMap<&str, usize> = remote
            .iter()
            .enumerate()
            .map(|(i, (s, _))| (s.id(), i))
            .collect();

        // Writes whose answer never came: what the server shows tells whether they landed.
        for inflight in inflight_rows(&tx)? {
            let landed = match (by_id.get(inflight.item.id.as_str()), inflight.remote_hash) {
                (Some(&i), Some(h)) => remote_hashes[i] == h,
                (None, None) => true,
                _ => false,
            };
            if landed {
                outgoing::confirm_one(&tx, &inflight.item.sent())?;
            }
        }
        tx.prepare_cached("DELETE FROM inflight")?.execute([])?;

        let bases: HashMap<String, i64> = {
            let mut stmt = tx.prepare("SELECT id, remote_hash FROM base")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        let drafts: HashMap<String, Option<String>> = {
            let mut stmt =
                tx.prepare("SELECT d.id, x.json FROM drafts d LEFT JOIN docs x ON x.id = d.doc")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        {
            let mut touch = tx.prepare("UPDATE base SET last_updated = ?2 WHERE id = ?1")?;
            for ((store, meta), &hash) in remote.iter().zip(&remote_hashes) {
                let id = store.id();
                let base_hash = bases.get(id).map(|h| hash_from_sql(*h));
                if base_hash == Some(hash) {
                    touch.execute(params![id, meta.last_updated])?;
                    report.unchanged += 1;
                    continue;
                }
                match drafts.get(id) {
                    None => {
                        put_base(&tx, store, meta.last_updated.as_deref(), false)?;
                        if base_hash.is_some() {
                            report.changed += 1;
                        } else {
                            report.added += 1;
                        }
                    }
                    Some(local) => {
                        let mine = parse_opt(local.clone())?;
                        if mine.as_ref().map(Store::remote_hash) == Some(hash) {
                            // The server already holds this draft (pushed by an earlier run).
                            let base = match &mine {
                                Some(m) => m,
                                None => store,
                            };
                            put_base(&tx, base, meta.last_updated.as_deref(), mine.is_some())?;
                            delete_draft(&tx, id)?;
                            report.already_applied += 1;
                        } else {
                            let kind = if base_hash.is_some() { 1 } else { 3 };
                            tx.prepare_cached("UPDATE drafts SET conflict = ?2, theirs = ?3, theirs_updated = ?4 WHERE id = ?1")?.execute(params![id, kind, store.to_json(), meta.last_updated],
                            )?;
                            report.conflicts.push(id.to_owned());
                        }
                    }
                }
            }
        }
        for id in bases.keys() {
            if by_id.contains_key(id.as_str()) {
                continue;
            }
            match drafts.get(id) {
                None => {
                    tx.prepare_cached("DELETE FROM base WHERE id = ?1")?
                        .execute(params![id])?;
                    report.removed += 1;
                }
                Some(None) => {
                    tx.prepare_cached("DELETE FROM base WHERE id = ?1")?
                        .execute(params![id])?;
                    delete_draft(&tx, id)?;
                    report.already_applied += 1;
                }
                Some(Some(_)) => {
                    tx.prepare_cached("UPDATE drafts SET conflict = 2, theirs = NULL, theirs_updated = NULL WHERE id = ?1")?.execute(params![id],
                    )?;
                    report.conflicts.push(id.clone());
                }
            }
        }
        tx.prepare_cached(
            "INSERT INTO meta (key, value) VALUES ('last_pull', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![now_text()])?;
        tx.commit()?;
        report.conflicts.sort();
        Ok(report)
    }

    /// When the last pull finished, if one did.
    pub fn last_pull(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'last_pull'", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    // ----- push bookkeeping -----

    /// A new push number for the log.
    pub fn begin_push(&mut self) -> Result<i64> {
        Ok(self.conn.prepare_cached("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'push' RETURNING CAST(value AS INTEGER)")?.query_row([],
            |r| r.get(0),
        )?)
    }

    /// Writes whose outcome was never recorded.
    pub fn inflight(&self) -> Result<Vec<Inflight>> {
        inflight_rows(&self.conn)
    }

    /// The server's version of `id` (read just now) did not change since the base; only its
    /// `last_updated` is refreshed.
    pub fn refresh_last_updated(&mut self, id: &str, last_updated: Option<&str>) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE base SET last_updated = ?2 WHERE id = ?1")?
            .execute(params![id, last_updated])?;
        Ok(())
    }

    /// The draft of `id` conflicts with the server.
    pub fn mark_conflict(&mut self, id: &str, conflict: &Conflict) -> Result<()> {
        let (kind, theirs, updated) = match conflict {
            Conflict::ChangedRemotely {
                theirs,
                last_updated,
            } => (1, Some(theirs.to_json()), last_updated.clone()),
            Conflict::DeletedRemotely => (2, None, None),
            Conflict::ExistsRemotely {
                theirs,
                last_updated,
            } => (3, Some(theirs.to_json()), last_updated.clone()),
        };
        self.conn
            .prepare_cached(
                "UPDATE drafts SET conflict = ?2, theirs = ?3, theirs_updated = ?4 WHERE id = ?1",
            )?
            .execute(params![id, kind, theirs, updated])?;
        Ok(())
    }

    /// The server refused these stores: each keeps its draft with the server's message.
    pub fn mark_failed(&mut self, failures: &[(String, String)]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (id, message) in failures {
            tx.prepare_cached("UPDATE drafts SET failure = ?2 WHERE id = ?1")?
                .execute(params![id, message])?;
            tx.prepare_cached("DELETE FROM inflight WHERE id = ?1")?
                .execute(params![id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The project was replaced by `stores` (all of them, as sent): the base becomes exactly
    /// them; drafts that were sent are dropped.
    pub fn record_replaced(&mut self, sent: &[SentItem]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached("DELETE FROM base")?.execute([])?;
        for item in sent {
            if let Some(store) = &item.store {
                put_base(&tx, store, None, true)?;
            }
        }
        let sent_ids: HashMap<&str, i64> =
            sent.iter().map(|i| (i.id.as_str(), i.version)).collect();
        let drafts: Vec<(String, i64, bool)> = {
            let mut stmt = tx.prepare("SELECT id, version, doc IS NULL FROM drafts")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        for (id, version, deleted) in drafts {
            let sent_version = sent_ids.get(id.as_str()).copied();
            if sent_version == Some(version) || (deleted && sent_version.is_none()) {
                delete_draft(&tx, &id)?;
            }
        }
        tx.prepare_cached("DELETE FROM inflight")?.execute([])?;
        tx.commit()?;
        Ok(())
    }

    /// The latest `limit` requests of the push log, newest first.
    pub fn push_log(&self, limit: usize) -> Result<Vec<PushLogEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, push, at, method, stores, bytes, outcome, message FROM push_log ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit as i64], |r| {
            Ok(PushLogEntry {
                seq: r.get(0)?,
                push: r.get(1)?,
                at: r.get(2)?,
                method: r.get(3)?,
                stores: r.get(4)?,
                bytes: r.get(5)?,
                outcome: r.get(6)?,
                message: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Checks that every row of the base and every draft finds its JSON, and that no JSON is
    /// kept that no row points at; a damaged workspace gets an error naming how many.
    pub fn check_documents(&self) -> Result<()> {
        let (missing, unowned): (i64, i64) = self.conn.query_row(
            "SELECT
                (SELECT count(*) FROM base WHERE doc NOT IN (SELECT id FROM docs))
                    + (SELECT count(*) FROM drafts
                       WHERE doc IS NOT NULL AND doc NOT IN (SELECT id FROM docs)),
                (SELECT count(*) FROM docs
                 WHERE id NOT IN (SELECT doc FROM base)
                    AND id NOT IN (SELECT doc FROM drafts WHERE doc IS NOT NULL))",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if missing > 0 || unowned > 0 {
            return Err(WorkspaceError::Damaged(format!(
                "{missing} stores point at JSON that is not there, {unowned} JSON texts belong to no store"
            )));
        }
        Ok(())
    }

    /// The versions of the drafts, for a push to tell what it sends.
    pub fn draft_versions(&self) -> Result<HashMap<String, i64>> {
        let mut stmt = self.conn.prepare("SELECT id, version FROM drafts")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

fn decode_conflict(
    kind: i64,
    theirs: Option<String>,
    updated: Option<String>,
) -> Result<Option<Conflict>> {
    Ok(match kind {
        1 => Some(Conflict::ChangedRemotely {
            theirs: parse_store(theirs.as_deref().unwrap_or("{}"))?,
            last_updated: updated,
        }),
        2 => Some(Conflict::DeletedRemotely),
        3 => Some(Conflict::ExistsRemotely {
            theirs: parse_store(theirs.as_deref().unwrap_or("{}"))?,
            last_updated: updated,
        }),
        _ => None,
    })
}

fn inflight_rows(conn: &Connection) -> Result<Vec<Inflight>> {
    // A store recorded without its JSON is the draft at the version sent.
    let mut stmt = conn.prepare(
        "SELECT i.seq, i.method, i.id, COALESCE(i.json, x.json), i.version, i.remote_hash
         FROM inflight i LEFT JOIN drafts d ON d.id = i.id AND d.version = i.version
            LEFT JOIN docs x ON x.id = d.doc
         ORDER BY i.seq, i.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<i64>>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, method, id, json, version, remote_hash) = row?;
        let store = match (json, remote_hash) {
            (_, None) => None,
            (Some(json), Some(_)) => Some(parse_store(&json)?),
            (None, Some(_)) => {
                return Err(WorkspaceError::Damaged(format!(
                    "what was sent of \"{id}\" is no longer known"
                )));
            }
        };
        out.push(Inflight {
            seq,
            method,
            remote_hash: remote_hash.map(hash_from_sql),
            item: SentItem { id, store, version },
        });
    }
    Ok(out)
}

fn load_base(conn: &Connection, id: &str) -> Result<Option<BaseRecord>> {
    let row: Option<(String, i64, Option<String>, bool)> = conn
        .query_row(
            "SELECT x.json, b.remote_hash, b.last_updated, b.names_known
             FROM base b JOIN docs x ON x.id = b.doc WHERE b.id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    row.map(|(json, hash, last_updated, names_known)| {
        Ok(BaseRecord {
            store: parse_store(&json)?,
            remote_hash: hash_from_sql(hash),
            last_updated,
            names_known,
        })
    })
    .transpose()
}

/// The JSON of the store as the user sees it; `None` when it does not exist or is deleted.
fn effective_json(conn: &Connection, id: &str) -> Result<Option<String>> {
    let draft: Option<Option<String>> = conn
        .prepare_cached(
            "SELECT x.json FROM drafts d LEFT JOIN docs x ON x.id = d.doc WHERE d.id = ?1",
        )?
        .query_row(params![id], |r| r.get(0))
        .optional()?;
    if let Some(d) = draft {
        return Ok(d);
    }
    Ok(conn
        .prepare_cached("SELECT x.json FROM base b JOIN docs x ON x.id = b.doc WHERE b.id = ?1")?
        .query_row(params![id], |r| r.get(0))
        .optional()?)
}

fn effective(conn: &Connection, id: &str) -> Result<Option<Store>> {
    parse_opt(effective_json(conn, id)?)
}

fn put_base(
    conn: &Connection,
    store: &Store,
    last_updated: Option<&str>,
    names_known: bool,
) -> Result<()> {
    let (json, content_hash, remote_hash) = store.json_and_hashes();
    let location = store.location.as_ref();
    write_base(
        conn,
        &BaseRow {
            id: store.id(),
            json: &json,
            content_hash,
            remote_hash,
            last_updated,
            names_known,
            name: store.name.as_deref(),
            lat: location.map(|l| l.lat),
            lng: location.map(|l| l.lng),
        },
    )
}

/// A row of the base, with the JSON it points at.
struct BaseRow<'a> {
    id: &'a str,
    json: &'a str,
    content_hash: u64,
    remote_hash: u64,
    last_updated: Option<&'a str>,
    names_known: bool,
    name: Option<&'a str>,
    lat: Option<f64>,
    lng: Option<f64>,
}

/// Makes `row` the base of its id, its JSON in a document of its own; the document the base
/// pointed at goes unless the draft shares it.
fn write_base(conn: &Connection, row: &BaseRow<'_>) -> Result<()> {
    conn.prepare_cached(schema::DROP_BASE_DOC)?
        .execute(params![row.id])?;
    let doc = insert_doc(conn, row.json)?;
    conn.prepare_cached(
        "INSERT INTO base (id, doc, content_hash, remote_hash, last_updated, names_known,
            name, lat, lng)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, content_hash = excluded.content_hash,
            remote_hash = excluded.remote_hash, last_updated = excluded.last_updated,
            names_known = excluded.names_known, name = excluded.name, lat = excluded.lat,
            lng = excluded.lng",
    )?
    .execute(params![
        row.id,
        doc,
        hash_to_sql(row.content_hash),
        hash_to_sql(row.remote_hash),
        row.last_updated,
        row.names_known,
        row.name,
        row.lat,
        row.lng
    ])?;
    Ok(())
}

/// Deletes the draft of `id`, and its document unless the base shares it.
fn delete_draft(conn: &Connection, id: &str) -> Result<()> {
    conn.prepare_cached(schema::DROP_DRAFT_DOC)?
        .execute(params![id])?;
    conn.prepare_cached("DELETE FROM drafts WHERE id = ?1")?
        .execute(params![id])?;
    Ok(())
}

/// Keeps `json` as a new document, for one row of the base or the drafts to point at; its id.
fn insert_doc(conn: &Connection, json: &str) -> Result<i64> {
    conn.prepare_cached("INSERT INTO docs (json) VALUES (?1)")?
        .execute(params![json])?;
    Ok(conn.last_insert_rowid())
}

#[cfg(test)]
mod tests;
