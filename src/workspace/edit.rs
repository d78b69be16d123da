//! Writing a step of edits. Each store is serialised, hashed and validated once; in a large
//! step that happens on other threads, chunk by chunk, while the transaction writes the chunks
//! already done, in order. What each touched id holds is read once; drafts and journal
//! entries are written with statements prepared once, and versions are taken a chunk at a
//! time.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, PoisonError, mpsc};

use rusqlite::{Connection, OptionalExtension, params};

use super::{
    Edit, Result, UNDO_DEPTH, WorkspaceError, effective_json, hash_from_sql, hash_to_sql, schema,
};
use crate::model::Store;
use crate::model::id_hash::IdMap;
use crate::validate::{Context, Severity, validate_store};

/// Below this many edits a step is prepared on the calling thread alone.
pub(super) const PARALLEL_FROM: usize = 512;

/// Edits prepared together by one thread and written together.
const CHUNK: usize = 2048;

/// At most this many threads prepare a step.
const MAX_THREADS: usize = 4;

/// A store as the drafts table keeps it: its write-format JSON, and what is read from it
/// without parsing it again.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Written {
    pub json: String,
    pub content_hash: u64,
    pub remote_hash: u64,
    /// Validation errors (findings that block a push). Rules that depend on the date only
    /// give warnings, so the count stays true as days pass.
    pub errors: i64,
    pub has_names: bool,
    pub name: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}

impl Written {
    pub fn of(store: &Store, context: &Context) -> Written {
        let errors = validate_store(store, context)
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        Written::counted(store, errors)
    }

    /// A store whose validation errors the caller has counted already (validation errors do
    /// not depend on the date, so any day's findings give the same count).
    pub fn counted(store: &Store, errors: usize) -> Written {
        let (json, content_hash, remote_hash) = store.json_and_hashes();
        Written {
            json,
            content_hash,
            remote_hash,
            errors: i64::try_from(errors).unwrap_or(i64::MAX),
            has_names: store
                .localized_names
                .as_ref()
                .is_some_and(|m| !m.is_empty()),
            name: store.name.clone(),
            lat: store.location.as_ref().map(|l| l.lat),
            lng: store.location.as_ref().map(|l| l.lng),
        }
    }
}

/// One change of a step: the store `id` becomes `after` (`None`: deleted).
pub(super) struct Change {
    id: String,
    after: Option<Written>,
    origin: String,
}

impl Change {
    pub(super) fn prepared(id: String, after: Option<Written>, origin: String) -> Change {
        Change { id, after, origin }
    }

    pub(super) fn id(&self) -> &str {
        &self.id
    }

    fn of(edit: Edit, origin: String, context: &Context) -> Change {
        match edit {
            Edit::Put(store) => Change {
                id: store.id().to_owned(),
                after: Some(Written::of(&store, context)),
                origin,
            },
            Edit::Delete(id) => Change {
                id,
                after: None,
                origin,
            },
        }
    }

    fn json(&self) -> Option<&str> {
        self.after.as_ref().map(|w| w.json.as_str())
    }
}

/// Refuses a step with a store that has no id, before anything is prepared or written.
pub(super) fn check_ids(edits: &[(Edit, String)]) -> Result<()> {
    if edits
        .iter()
        .any(|(e, _)| matches!(e, Edit::Put(s) if s.id().is_empty()))
    {
        return Err(WorkspaceError::MissingId);
    }
    Ok(())
}

/// Writes `edits` in the open transaction `tx`, as the step `label` of the journal when there
/// is one (an undo or redo replays a step without writing a new one). Returns the number of
/// stores whose content changed; when it is 0 with a label, the caller rolls back.
pub(super) fn write(
    tx: &Connection,
    edits: Vec<(Edit, String)>,
    now: &str,
    label: Option<&str>,
) -> Result<usize> {
    check_ids(&edits)?;
    let context = Context::today();
    let mut step = Step::begin(tx, now, label)?;
    prepare(tx, &mut step, edits, &context)?;
    step.finish(tx)
}

/// Prepares `edits` (on several threads for many) and writes them to `step`, in order.
pub(super) fn prepare(
    tx: &Connection,
    step: &mut Step,
    edits: Vec<(Edit, String)>,
    context: &Context,
) -> Result<()> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_THREADS);
    if edits.len() < PARALLEL_FROM || threads == 1 {
        return step.add(
            tx,
            edits
                .into_iter()
                .map(|(e, o)| Change::of(e, o, context))
                .collect(),
        );
    }

    let mut parts: VecDeque<(usize, Vec<(Edit, String)>)> = VecDeque::new();
    let mut rest = edits;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(CHUNK));
        parts.push_back((parts.len(), rest));
        rest = tail;
    }
    let total = parts.len();
    let work = Mutex::new(parts);
    let (done, arrived) = mpsc::channel::<(usize, Vec<Change>)>();
    let written = std::thread::scope(|scope| -> Result<usize> {
        for _ in 0..threads {
            let done = done.clone();
            let work = &work;
            scope.spawn(move || {
                loop {
                    let next = work
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .pop_front();
                    let Some((index, part)) = next else {
                        return;
                    };
                    let changes = part
                        .into_iter()
                        .map(|(e, o)| Change::of(e, o, context))
                        .collect();
                    if done.send((index, changes)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done);
        // Chunks arrive in any order and are written in order.
        let mut waiting: BTreeMap<usize, Vec<Change>> = BTreeMap::new();
        let mut next = 0;
        for (index, changes) in arrived {
            waiting.insert(index, changes);
            while let Some(changes) = waiting.remove(&next) {
                step.add(tx, changes)?;
                next += 1;
            }
        }
        Ok(next)
    })?;
    if written != total {
        return Err(WorkspaceError::Damaged(
            "a part of the step could not be prepared".into(),
        ));
    }
    Ok(())
}

/// What the user sees of an id during the step.
#[derive(Clone, Copy)]
enum Visible {
    /// As the workspace holds it now: the step has not changed it, or has written its change
    /// (a journaled step keeps no store: its drafts are read back).
    Written,
    /// As change `.1` of chunk `.0` left it (in a step without a journal).
    Changed(usize, usize),
}

/// Drops, on a thread of its own, what a step no longer needs: the changes of a chunk once
/// written, and at the end what the step remembered. Much of it was made on other threads
/// (the converting threads of an import, the preparing ones of a large batch), and glibc's
/// `free` of such memory waits for the lock of the thread that made it, which is busy making
/// more: the writing thread would wait there, at times thousands of times a step.
struct Freer(mpsc::Sender<Box<dyn Send>>);

impl Freer {
    /// `None` when no thread can be started: things are then dropped where they are.
    fn start() -> Option<Freer> {
        let (to, from) = mpsc::channel::<Box<dyn Send>>();
        std::thread::Builder::new()
            .name("storedesk-free".into())
            .spawn(move || from.into_iter().for_each(drop))
            .ok()
            .map(|_| Freer(to))
    }

    /// Drops `garbage` on the freeing thread (here, if that thread has ended).
    fn free(&self, garbage: Box<dyn Send>) {
        if let Err(mpsc::SendError(garbage)) = self.0.send(garbage) {
            drop(garbage);
        }
    }
}

/// Chunks of at least this many changes are dropped by the step's [`Freer`]; a step of a few
/// edits frees them itself rather than start a thread.
const FREE_ASIDE_FROM: usize = 256;

/// One id touched by the step.
struct Touched {
    base_hash: Option<u64>,
    in_conflict: bool,
    /// The version of the draft the step found, if there was one.
    draft_version: Option<i64>,
    /// Whether the id has a draft now.
    has_draft: bool,
    visible: Visible,
    /// Whether the step changed what the user sees (it then has its journal entry).
    changed: bool,
}

/// A step being written. A journaled step keeps no store once its chunk is written: what a
/// later change of the same id compares with is read back from the drafts, so a step of any
/// size is written in bounded memory. Its journal keeps what each id was before the step;
/// what the step left is the workspace itself until the step is undone (see
/// [`capture_after`]).
pub(super) struct Step {
    now: String,
    /// The journal's step number, when the step is journaled.
    journal: Option<i64>,
    has_base: bool,
    has_drafts: bool,
    /// Whether some store in flight is recorded as its draft (not copied).
    inflight_drafts: bool,
    ids: IdMap<Touched>,
    /// The chunks written so far, kept only by a step without a journal.
    chunks: Vec<Vec<Change>>,
    count: usize,
    /// Started with the first large chunk.
    freer: Option<Freer>,
}

impl Step {
    pub(super) fn begin(tx: &Connection, now: &str, label: Option<&str>) -> Result<Step> {
        let any = |sql: &str| -> Result<bool> {
            Ok(tx
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .optional()?
                .is_some())
        };
        let journal = match label {
            Some(label) => {
                // A new step forgets what could be redone.
                tx.prepare_cached(
                    "DELETE FROM journal WHERE step IN (SELECT step FROM steps WHERE undone = 1)",
                )?
                .execute([])?;
                tx.prepare_cached("DELETE FROM steps WHERE undone = 1")?
                    .execute([])?;
                tx.prepare_cached("INSERT INTO steps (label, at) VALUES (?1, ?2)")?
                    .execute(params![label, now])?;
                Some(tx.last_insert_rowid())
            }
            None => None,
        };
        Ok(Step {
            now: now.to_owned(),
            journal,
            has_base: any("SELECT 1 FROM base LIMIT 1")?,
            has_drafts: any("SELECT 1 FROM drafts LIMIT 1")?,
            inflight_drafts: any(
                "SELECT 1 FROM inflight WHERE json IS NULL AND remote_hash IS NOT NULL LIMIT 1",
            )?,
            ids: IdMap::default(),
            chunks: Vec::new(),
            count: 0,
            freer: None,
        })
    }

    /// What the user sees of a touched id now, as JSON (`None`: absent or deleted).
    fn visible(
        &self,
        tx: &Connection,
        id: &str,
        visible: &Visible,
        current: &[Change],
    ) -> Result<Option<String>> {
        Ok(match visible {
            Visible::Written => effective_json(tx, id)?,
            Visible::Changed(c, i) => {
                let chunk = if *c == self.chunks.len() {
                    current
                } else {
                    self.chunks.get(*c).map_or(&[][..], Vec::as_slice)
                };
                chunk.get(*i).and_then(Change::json).map(str::to_owned)
            }
        })
    }

    /// Makes room for `additional` more ids touched by the step.
    pub(super) fn reserve(&mut self, additional: usize) {
        self.ids.reserve(additional);
    }

    /// Writes the next chunk of changes, in order, each as the user would have made it alone.
    pub(super) fn add(&mut self, tx: &Connection, changes: Vec<Change>) -> Result<()> {
        let c = self.chunks.len();
        let journal = self.journal;
        let mut read_base = tx.prepare_cached(
            "SELECT b.content_hash, x.json FROM base b JOIN docs x ON x.id = b.doc WHERE b.id = ?1",
        )?;
        let mut read_draft = tx.prepare_cached(
            "SELECT x.json, d.conflict, d.version FROM drafts d LEFT JOIN docs x ON x.id = d.doc
             WHERE d.id = ?1",
        )?;
        let mut new_doc = tx.prepare_cached("INSERT INTO docs (json) VALUES (?1)")?;
        let mut drop_doc = tx.prepare_cached(schema::DROP_DRAFT_DOC)?;
        let mut keep = tx.prepare_cached(
            "UPDATE inflight SET json = ?2
             WHERE id = ?1 AND json IS NULL AND remote_hash IS NOT NULL AND version = ?3",
        )?;
        let mut upsert = tx.prepare_cached(
            "INSERT INTO drafts (id, doc, bytes, origin, changed_at, version, content_hash,
                remote_hash, errors, has_names, name, lat, lng)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, bytes = excluded.bytes,
                origin = excluded.origin,
                changed_at = excluded.changed_at, version = excluded.version, failure = NULL,
                content_hash = excluded.content_hash, remote_hash = excluded.remote_hash,
                errors = excluded.errors, has_names = excluded.has_names, name = excluded.name,
                lat = excluded.lat, lng = excluded.lng",
        )?;
        let mut remove = tx.prepare_cached("DELETE FROM drafts WHERE id = ?1")?;
        let mut journal_insert =
            tx.prepare_cached("INSERT INTO journal (step, id, before) VALUES (?1, ?2, ?3)")?;
        // Versions for this chunk, taken at once: each write gets a new one.
        let mut version: i64 = tx
            .prepare_cached(
                "UPDATE meta SET value = CAST(value AS INTEGER) + ?1 WHERE key = 'version'
                 RETURNING CAST(value AS INTEGER)",
            )?
            .query_row(params![changes.len() as i64], |r| r.get::<_, i64>(0))?
            - changes.len() as i64;

        for (i, change) in changes.iter().enumerate() {
            let after = change.json();
            // What the user sees before this change.
            // One lookup of the id for a new one (most of an import's).
            let (visible, touched) = match self.ids.entry(change.id.clone()) {
                Entry::Occupied(seen) => {
                    let was = seen.get().visible;
                    let visible = self.visible(tx, &change.id, &was, &changes)?;
                    let Some(touched) = self.ids.get_mut(&change.id) else {
                        continue;
                    };
                    (visible, touched)
                }
                Entry::Vacant(new) => {
                    let base: Option<(u64, String)> = if self.has_base {
                        read_base
                            .query_row(params![change.id], |r| {
                                Ok((hash_from_sql(r.get(0)?), r.get(1)?))
                            })
                            .optional()?
                    } else {
                        None
                    };
                    let draft: Option<(Option<String>, bool, i64)> = if self.has_drafts {
                        read_draft
                            .query_row(params![change.id], |r| {
                                Ok((r.get(0)?, r.get::<_, i64>(1)? != 0, r.get(2)?))
                            })
                            .optional()?
                    } else {
                        None
                    };
                    let base_hash = base.as_ref().map(|(h, _)| *h);
                    let has_draft = draft.is_some();
                    let (in_conflict, draft_version, found) = match (draft, base) {
                        (Some((json, conflict, v)), _) => (conflict, Some(v), json),
                        (None, base) => (false, None, base.map(|(_, json)| json)),
                    };
                    let touched = new.insert(Touched {
                        base_hash,
                        in_conflict,
                        draft_version,
                        has_draft,
                        visible: Visible::Written,
                        changed: false,
                    });
                    (found, touched)
                }
            };
            if visible.as_deref() == after {
                continue;
            }
            if !touched.changed {
                // A draft a push sent as it was keeps what was sent before it changes.
                if self.inflight_drafts
                    && let (Some(v), Some(json)) = (touched.draft_version, visible.as_deref())
                {
                    keep.execute(params![change.id, json, v])?;
                }
                if let Some(step) = journal {
                    journal_insert.execute(params![step, change.id, visible])?;
                }
                touched.changed = true;
                self.count += 1;
            }
            let back_to_base = match &change.after {
                Some(w) => Some(w.content_hash) == touched.base_hash,
                None => touched.base_hash.is_none(),
            } && !touched.in_conflict;
            // The draft's document goes either way: with the draft, or for a new one.
            if touched.has_draft {
                drop_doc.execute(params![change.id])?;
            }
            touched.has_draft = !back_to_base;
            if back_to_base {
                remove.execute(params![change.id])?;
            } else {
                version += 1;
                let w = change.after.as_ref();
                let doc = match after {
                    Some(json) => {
                        new_doc.execute(params![json])?;
                        Some(tx.last_insert_rowid())
                    }
                    None => None,
                };
                upsert.execute(params![
                    change.id,
                    doc,
                    after.map(|json| json.len() as i64),
                    change.origin,
                    self.now,
                    version,
                    w.map(|w| hash_to_sql(w.content_hash)),
                    w.map(|w| hash_to_sql(w.remote_hash)),
                    w.map_or(0, |w| w.errors),
                    w.is_some_and(|w| w.has_names),
                    w.and_then(|w| w.name.as_deref()),
                    w.and_then(|w| w.lat),
                    w.and_then(|w| w.lng),
                ])?;
            }
            touched.visible = if journal.is_some() {
                Visible::Written
            } else {
                Visible::Changed(c, i)
            };
        }
        if journal.is_none() {
            self.chunks.push(changes);
        } else if self.freer.is_some() || changes.len() >= FREE_ASIDE_FROM {
            self.free(Box::new(changes));
        }
        Ok(())
    }

    /// Drops `garbage` on the step's freeing thread, started the first time.
    fn free(&mut self, garbage: Box<dyn Send>) {
        if self.freer.is_none() {
            self.freer = Freer::start();
        }
        match &self.freer {
            Some(freer) => freer.free(garbage),
            None => drop(garbage),
        }
    }

    /// Trims the journal to its depth; returns the number of stores whose content changed.
    pub(super) fn finish(mut self, tx: &Connection) -> Result<usize> {
        if let Some(step) = self.journal {
            tx.prepare_cached("DELETE FROM journal WHERE step <= ?1")?
                .execute(params![step - UNDO_DEPTH])?;
            tx.prepare_cached("DELETE FROM steps WHERE step <= ?1")?
                .execute(params![step - UNDO_DEPTH])?;
        }
        let count = self.count;
        // A large step's stores are freed on the side rather than before the commit.
        let chunks = std::mem::take(&mut self.chunks);
        let ids = std::mem::take(&mut self.ids);
        if chunks.len() > 1 || ids.len() > CHUNK || self.freer.is_some() {
            self.free(Box::new((chunks, ids)));
        }
        Ok(count)
    }
}

/// Keeps in the journal what the workspace holds now of every id of `step`, as what a redo
/// of the step brings back, before the step is undone. The journal does not copy what a step
/// leaves when it is written (a large import would be written twice): when a step is undone,
/// every step after it has been undone already, so what the workspace holds of its ids is
/// what the step left, and a redo brings back exactly what the undo took away. What the
/// workspace holds of an id is read by the rule of `effective_json` (the draft, a deleted one
/// included, else the base), here for every id of the step in one statement: a change to
/// that rule is made in both.
pub(super) fn capture_after(tx: &Connection, step: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE journal SET after = CASE
             WHEN EXISTS (SELECT 1 FROM drafts d WHERE d.id = journal.id)
                 THEN (SELECT x.json FROM drafts d JOIN docs x ON x.id = d.doc
                       WHERE d.id = journal.id)
             ELSE (SELECT x.json FROM base b JOIN docs x ON x.id = b.doc WHERE b.id = journal.id)
         END
         WHERE step = ?1",
    )?
    .execute(params![step])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Says, when dropped, the name of the thread that dropped it.
    struct Tells(mpsc::Sender<Option<String>>);

    impl Drop for Tells {
        fn drop(&mut self) {
            let name = std::thread::current().name().map(str::to_owned);
            let _ = self.0.send(name);
        }
    }

    #[test]
    fn what_a_step_no_longer_needs_is_dropped_on_the_freeing_thread_in_order() {
        let (told, heard) = mpsc::channel();
        let freer = Freer::start().expect("a thread");
        freer.free(Box::new(Tells(told.clone())));
        freer.free(Box::new(vec![Tells(told.clone()), Tells(told)]));
        drop(freer);
        let names: Vec<Option<String>> = heard.iter().collect();
        assert_eq!(names, vec![Some("storedesk-free".to_owned()); 3]);
    }
}
