//! A step written chunk by chunk: a large import goes to the workspace a part at a time, in
//! one transaction and as one undoable step, so that it never holds every store at once.
//! Nothing is visible to anyone else, nor kept, until [`StepWriter::commit`]; a writer
//! dropped before that (an error midway, a refusal at the end) leaves the workspace as it was.

use rusqlite::{Transaction, TransactionBehavior};

use super::edit::{self, Change, Step, Written};
use super::log_sync::LogSyncer;
use super::{Edit, Origin, Result, Workspace, WorkspaceError, effective, now_text};
use crate::model::Store;
use crate::validate::Context;

/// Page cache of the connection while a step is written chunk by chunk (negative: KiB):
/// small, so that the memory of a large step stays bounded; the pages it fills are written
/// to the log as it goes, and synced there while the step goes on (`log_sync`), so what
/// the commit writes and syncs is at most this much. 2 MB against 8 MB: the same
/// instructions and time for a 100,000-row import, 7 MB less memory.
const STEP_CACHE_KIB: i64 = 2 * 1024;

/// An edit already serialised and hashed, with its validation errors counted by whoever
/// validated it, so that a store is validated once on its way into the workspace.
pub(crate) struct Prepared(Change);

impl Prepared {
    /// `store` (which has an id) becomes a draft; `errors` is the number of findings of
    /// severity error that validation gave it.
    pub(crate) fn put(store: &Store, errors: usize, origin: &Origin) -> Prepared {
        Prepared(Change::prepared(
            store.id().to_owned(),
            Some(Written::counted(store, errors)),
            origin.describe(),
        ))
    }
}

/// A step being written; see the module's documentation.
pub struct StepWriter<'w> {
    tx: Option<Transaction<'w>>,
    step: Option<Step>,
    context: Context,
    /// The cache size to restore when the step ends.
    cache_kib: i64,
    /// Syncs the pages the step spills into the log as it goes, so that the commit does not
    /// wait for all of them at once.
    log_sync: Option<LogSyncer>,
}

impl Workspace {
    /// Starts a step named `label`, to which edits are added chunk by chunk. The workspace is
    /// locked for other writers until the step is committed or dropped.
    pub fn begin_step(&mut self, label: &str) -> Result<StepWriter<'_>> {
        let cache_kib: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        let log_sync = LogSyncer::start(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.pragma_update(None, "cache_size", -STEP_CACHE_KIB)?;
        let now = now_text();
        let mut writer = StepWriter {
            tx: Some(tx),
            step: None,
            context: Context::today(),
            cache_kib,
            log_sync,
        };
        let step = match &writer.tx {
            Some(tx) => Step::begin(tx, &now, Some(label))?,
            None => {
                return Err(WorkspaceError::Damaged(
                    "the step has no transaction".into(),
                ));
            }
        };
        writer.step = Some(step);
        Ok(writer)
    }
}

impl StepWriter<'_> {
    fn parts(&mut self) -> Result<(&Transaction<'_>, &mut Step)> {
        match (&self.tx, &mut self.step) {
            (Some(tx), Some(step)) => Ok((tx, step)),
            _ => Err(WorkspaceError::Damaged("the step has already ended".into())),
        }
    }

    /// Adds edits to the step, each after the ones added before, as
    /// [`Workspace::apply_batch`] would write them.
    pub fn add(&mut self, edits: Vec<(Edit, Origin)>) -> Result<()> {
        let edits: Vec<(Edit, String)> =
            edits.into_iter().map(|(e, o)| (e, o.describe())).collect();
        edit::check_ids(&edits)?;
        let context = self.context;
        let (tx, step) = self.parts()?;
        edit::prepare(tx, step, edits, &context)
    }

    /// Adds edits prepared beforehand (on other threads), in order.
    pub(crate) fn add_prepared(&mut self, edits: Vec<Prepared>) -> Result<()> {
        if edits.iter().any(|p| p.0.id().is_empty()) {
            return Err(WorkspaceError::MissingId);
        }
        let (tx, step) = self.parts()?;
        step.add(tx, edits.into_iter().map(|p| p.0).collect())
    }

    /// Makes room at once for `additional` more stores in what the step remembers of each
    /// store it touches, when their number is known beforehand (a large import), rather
    /// than growing it, and briefly holding it twice, as they come.
    pub fn reserve(&mut self, additional: usize) -> Result<()> {
        let (_, step) = self.parts()?;
        step.reserve(additional);
        Ok(())
    }

    /// The store as the user sees it within the step (its edits so far included).
    pub fn store(&mut self, id: &str) -> Result<Option<Store>> {
        let (tx, _) = self.parts()?;
        effective(tx, id)
    }

    /// Every id the user sees within the step (deleted stores left out).
    pub fn ids(&mut self) -> Result<std::collections::HashSet<String>> {
        let (tx, _) = self.parts()?;
        super::lookup::ids_of(tx)
    }

    /// Ends the step and keeps it; returns the number of stores whose content changed. A step
    /// that changed nothing is not kept (0).
    pub fn commit(mut self) -> Result<usize> {
        let (Some(tx), Some(step)) = (self.tx.take(), self.step.take()) else {
            return Err(WorkspaceError::Damaged("the step has already ended".into()));
        };
        let count = step.finish(&tx)?;
        // No sync of the log is under way while the commit syncs it.
        if let Some(log_sync) = self.log_sync.take() {
            log_sync.stop();
        }
        let _ = tx.pragma_update(None, "cache_size", self.cache_kib);
        if count > 0 {
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok(count)
    }
}

impl Drop for StepWriter<'_> {
    fn drop(&mut self) {
        self.step.take();
        self.log_sync.take();
        // A step not committed is rolled back: nothing of it stays.
        if let Some(tx) = self.tx.take() {
            let _ = tx.pragma_update(None, "cache_size", self.cache_kib);
            let _ = tx.rollback();
        }
    }
}
