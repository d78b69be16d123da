//! Planning a push, without touching the network: which requests, in which order, with which
//! stores, and which stores wait and why.
//!
//! One layout serves two kinds of input: [`Pending`] changes with parsed stores ([`plan`], for
//! previews and tests), and [`Outgoing`] changes read from the workspace without parsing
//! ([`plan_outgoing`], what a push sends: sizes, errors and hashes were kept when each draft
//! was written).

use std::collections::VecDeque;
use std::time::Duration;

use serde::Serialize;

use crate::api::delete_query;
use crate::model::MAX_REQUEST_BYTES;
use crate::validate::{Context, Finding, Severity, validate_store};
use crate::workspace::{
    ChangeKind, Conflict, NewStores, Outgoing, Pending, SentItem, WorkspaceError,
};

/// The default size of one write request: a third of the API's limit, so a batch stays well
/// inside the 30 s the API gives a request.
pub const DEFAULT_BYTE_BUDGET: usize = 5 * 1024 * 1024;

/// The default number of stores in one write request.
pub const DEFAULT_COUNT_BUDGET: usize = 50_000;

/// The default length of a delete's `query` value (ids and separators), so URLs stay short.
pub const DEFAULT_QUERY_BUDGET: usize = 2_000;

/// `{"stores":[` and `]}`.
const BODY_OVERHEAD: usize = 13;

/// Limits a plan respects.
#[derive(Clone, Copy, Debug)]
pub struct PlanOptions {
    /// Bytes of one POST or PUT body; clamped to the API's 15 MB.
    pub byte_budget: usize,
    /// Stores in one POST or PUT.
    pub count_budget: usize,
    /// Characters of one delete query.
    pub query_budget: usize,
    /// Validation's idea of today.
    pub validation: Context,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions {
            byte_budget: DEFAULT_BYTE_BUDGET,
            count_budget: DEFAULT_COUNT_BUDGET,
            query_budget: DEFAULT_QUERY_BUDGET,
            validation: Context::today(),
        }
    }
}

/// One write request of a plan: its stores as [`SentItem`]s (parsed) or as [`Outgoing`]
/// changes (their JSON as stored).
#[derive(Clone, Debug, PartialEq)]
pub struct Batch<T = SentItem> {
    pub kind: ChangeKind,
    pub items: Vec<T>,
    /// The body size (POST, PUT) or the query length (DELETE).
    pub bytes: usize,
}

impl<T> Batch<T> {
    /// `DELETE`, `PUT` or `POST`.
    pub fn method(&self) -> &'static str {
        method_of(self.kind)
    }
}

impl Batch<SentItem> {
    pub fn ids(&self) -> Vec<String> {
        self.items.iter().map(|i| i.id.clone()).collect()
    }
}

impl Batch<Outgoing> {
    pub fn ids(&self) -> Vec<String> {
        self.items.iter().map(|i| i.id.clone()).collect()
    }
}

pub(crate) fn method_of(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Delete => "DELETE",
        ChangeKind::Update => "PUT",
        ChangeKind::Create => "POST",
    }
}

/// Why a change is not in the plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum HoldReason {
    /// Validation found errors; they must be fixed first.
    Errors { findings: Vec<Finding> },
    /// The store changed on the server; the user must choose what to keep.
    Conflict { detail: String },
    /// The id has characters a delete query cannot carry.
    InvalidId,
}

impl HoldReason {
    pub fn describe(&self) -> String {
        match self {
            HoldReason::Errors { findings } => {
                let first = findings.first().map_or("", |f| f.message.as_str());
                if findings.len() > 1 {
                    format!("{first} (and {} more errors)", findings.len() - 1)
                } else {
                    first.to_owned()
                }
            }
            HoldReason::Conflict { detail } => {
                format!("In conflict: {detail}; choose mine, theirs or a merge first.")
            }
            HoldReason::InvalidId => {
                "Its id has characters the API cannot delete by; only letters, digits and underscores work.".into()
            }
        }
    }
}

/// A change left out of the plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeldBack {
    pub id: String,
    pub kind: ChangeKind,
    #[serde(flatten)]
    pub reason: HoldReason,
}

impl HeldBack {
    fn conflict(id: &str, kind: ChangeKind, conflict: &Conflict) -> HeldBack {
        HeldBack {
            id: id.to_owned(),
            kind,
            reason: HoldReason::Conflict {
                detail: conflict.describe().to_owned(),
            },
        }
    }

    fn errors(id: &str, kind: ChangeKind, findings: Vec<Finding>) -> HeldBack {
        HeldBack {
            id: id.to_owned(),
            kind,
            reason: HoldReason::Errors { findings },
        }
    }
}

/// What a push will send, in order: deletes, then updates, then creates.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan<T = SentItem> {
    pub batches: Vec<Batch<T>>,
    pub held_back: Vec<HeldBack>,
    /// Updates of stores whose base came from a pull and that have no `localizedNames`: the
    /// server may hold names that the PUT will erase (GET never returns them).
    pub names_at_risk: Vec<String>,
    /// Updates and deletes not in conflict: read from the server before sending, to find
    /// conflicts ([`check_ids`]).
    pub check_ids: Vec<String>,
}

impl<T> Default for Plan<T> {
    fn default() -> Plan<T> {
        Plan {
            batches: Vec::new(),
            held_back: Vec::new(),
            names_at_risk: Vec::new(),
            check_ids: Vec::new(),
        }
    }
}

impl<T> Plan<T> {
    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    /// Requests of this kind.
    pub fn requests(&self, kind: ChangeKind) -> usize {
        self.batches.iter().filter(|b| b.kind == kind).count()
    }

    /// Stores sent by requests of this kind.
    pub fn stores(&self, kind: ChangeKind) -> usize {
        self.batches
            .iter()
            .filter(|b| b.kind == kind)
            .map(|b| b.items.len())
            .sum()
    }

    /// Bytes of all write bodies.
    pub fn body_bytes(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| b.kind != ChangeKind::Delete)
            .map(|b| b.bytes)
            .sum()
    }

    /// How long the requests take at `qps` requests a second, counting the reads that look
    /// for conflicts (`check_reads`).
    pub fn estimated_time(&self, qps: u32, check_reads: usize) -> Duration {
        let requests = self.batches.len() + check_reads;
        Duration::from_secs_f64(requests as f64 / f64::from(qps.max(1)))
    }

    /// The reads a conflict check needs: one GET per store, or a full listing when that is
    /// fewer requests (`page_size` stores a page, `known_stores` in the project).
    pub fn check_reads(&self, known_stores: usize, page_size: usize) -> usize {
        let listing = known_stores.div_ceil(page_size.max(1)).max(1);
        if self.check_ids.is_empty() {
            0
        } else {
            self.check_ids.len().min(listing)
        }
    }

    /// The preview, as lines a person reads.
    pub fn describe(&self, qps: u32, check_reads: usize) -> Vec<String> {
        let mut lines = Vec::new();
        if self.is_empty() {
            lines.push("Nothing to push.".to_owned());
        }
        for kind in [ChangeKind::Delete, ChangeKind::Update, ChangeKind::Create] {
            let n = self.requests(kind);
            if n == 0 {
                continue;
            }
            let verb = match kind {
                ChangeKind::Delete => "delete",
                ChangeKind::Update => "update",
                ChangeKind::Create => "create",
            };
            lines.push(format!(
                "{} {verb}: {} stores in {n} request{}",
                method_of(kind),
                self.stores(kind),
                if n == 1 { "" } else { "s" }
            ));
        }
        if !self.is_empty() {
            lines.push(format!(
                "{:.1} MB to send, {} read{} to check for conflicts first, about {:.0} s at {qps} requests a second.",
                self.body_bytes() as f64 / 1_048_576.0,
                check_reads,
                if check_reads == 1 { "" } else { "s" },
                self.estimated_time(qps, check_reads).as_secs_f64().ceil()
            ));
        }
        for id in &self.names_at_risk {
            lines.push(format!(
                "Warning: {id} was pulled, and the API never returns localized names, so this update erases any the server holds; add them in the form to keep them."
            ));
        }
        for held in &self.held_back {
            lines.push(format!(
                "Held back: {}: {}",
                held.id,
                held.reason.describe()
            ));
        }
        lines
    }
}

/// What the layout needs of one change, whatever holds its store.
struct Entry<'a> {
    id: &'a str,
    kind: ChangeKind,
    conflict: Option<&'a Conflict>,
    /// Bytes of the store's write-format JSON; unused for a delete.
    bytes: usize,
    /// An update of a store whose base came from a pull, without localized names.
    names_at_risk: bool,
}

/// Where each change goes, by index into the entries.
struct Layout {
    batches: Vec<(ChangeKind, Vec<usize>, usize)>,
    held_back: Vec<HeldBack>,
    names_at_risk: Vec<String>,
    check_ids: Vec<String>,
}

/// Fills write requests with stores in the order they come: a store goes into the current
/// request unless it would take it past the byte or the count budget.
struct Packer<T> {
    byte_budget: usize,
    count_budget: usize,
    items: Vec<T>,
    /// The body size of `items`.
    bytes: usize,
}

impl<T> Packer<T> {
    fn new(options: &PlanOptions) -> Packer<T> {
        Packer {
            byte_budget: options
                .byte_budget
                .clamp(BODY_OVERHEAD + 1, MAX_REQUEST_BYTES),
            count_budget: options.count_budget.max(1),
            items: Vec::new(),
            bytes: BODY_OVERHEAD,
        }
    }

    /// Adds a store whose JSON is `size` bytes; returns the request it closed, with its body
    /// size, when the store did not fit in it.
    fn add(&mut self, item: T, size: usize) -> Option<(Vec<T>, usize)> {
        // A comma before every store but the first.
        let closed = if !self.items.is_empty()
            && (self.bytes + 1 + size > self.byte_budget || self.items.len() >= self.count_budget)
        {
            self.finish()
        } else {
            None
        };
        self.bytes += size + usize::from(!self.items.is_empty());
        self.items.push(item);
        closed
    }

    /// The request being filled, if it has stores.
    fn finish(&mut self) -> Option<(Vec<T>, usize)> {
        if self.items.is_empty() {
            return None;
        }
        let bytes = std::mem::replace(&mut self.bytes, BODY_OVERHEAD);
        Some((std::mem::take(&mut self.items), bytes))
    }
}

/// The requests that create new stores, planned as the stores are read
/// ([`crate::workspace::Workspace::read_new_stores`]), so that the first leaves before the last store is read:
/// the same requests, and the same stores held back, as [`plan_outgoing`] plans for them.
pub struct NewStoreBatches {
    stores: NewStores,
    packer: Packer<Outgoing>,
    ready: VecDeque<Batch<Outgoing>>,
    /// The new stores left out so far (in conflict, or with validation errors).
    pub held_back: Vec<HeldBack>,
    read_all: bool,
}

impl NewStoreBatches {
    pub fn new(stores: NewStores, options: &PlanOptions) -> NewStoreBatches {
        NewStoreBatches {
            stores,
            packer: Packer::new(options),
            ready: VecDeque::new(),
            held_back: Vec::new(),
            read_all: false,
        }
    }

    /// How many new stores there are, held back or not.
    pub fn stores(&self) -> usize {
        self.stores.count
    }

    /// The next request, in order; `None` once every new store is planned.
    pub fn next_batch(&mut self) -> Result<Option<Batch<Outgoing>>, WorkspaceError> {
        loop {
            if let Some(batch) = self.ready.pop_front() {
                return Ok(Some(batch));
            }
            if self.read_all {
                return Ok(None);
            }
            match self.stores.next_chunk()? {
                Some(chunk) => {
                    for item in chunk {
                        self.take(item);
                    }
                }
                None => {
                    self.read_all = true;
                    let last = self.packer.finish();
                    self.close(last);
                }
            }
        }
    }

    fn take(&mut self, mut item: Outgoing) {
        if let Some(conflict) = &item.conflict {
            self.held_back
                .push(HeldBack::conflict(&item.id, item.kind, conflict));
        } else if !item.errors.is_empty() {
            let findings = std::mem::take(&mut item.errors);
            self.held_back
                .push(HeldBack::errors(&item.id, item.kind, findings));
        } else {
            let size = item.bytes;
            let closed = self.packer.add(item, size);
            self.close(closed);
        }
    }

    fn close(&mut self, closed: Option<(Vec<Outgoing>, usize)>) {
        if let Some((items, bytes)) = closed {
            self.ready.push_back(Batch {
                kind: ChangeKind::Create,
                items,
                bytes,
            });
        }
    }
}

/// Lays changes out in requests. `errors(i)` gives the validation errors of entry `i`.
fn layout(
    entries: &[Entry<'_>],
    mut errors: impl FnMut(usize) -> Vec<Finding>,
    options: &PlanOptions,
) -> Layout {
    let mut out = Layout {
        batches: Vec::new(),
        held_back: Vec::new(),
        names_at_risk: Vec::new(),
        check_ids: Vec::new(),
    };
    let mut deletes: Vec<usize> = Vec::new();
    let mut updates: Vec<usize> = Vec::new();
    let mut creates: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(conflict) = e.conflict {
            out.held_back
                .push(HeldBack::conflict(e.id, e.kind, conflict));
            continue;
        }
        if e.kind == ChangeKind::Delete {
            if delete_query(&[e.id.to_owned()]).is_err() {
                out.held_back.push(HeldBack {
                    id: e.id.to_owned(),
                    kind: e.kind,
                    reason: HoldReason::InvalidId,
                });
            } else {
                deletes.push(i);
            }
            continue;
        }
        let findings = errors(i);
        if !findings.is_empty() {
            out.held_back.push(HeldBack::errors(e.id, e.kind, findings));
        } else if e.kind == ChangeKind::Update {
            updates.push(i);
        } else {
            creates.push(i);
        }
    }

    // Deletes: ids joined in a query, chunked by length.
    let mut chunk: Vec<usize> = Vec::new();
    let mut chunk_len = 0;
    for &i in &deletes {
        let id = entries[i].id;
        // `,` is sent as `%2C`: count 3 per separator.
        if !chunk.is_empty() && chunk_len + 3 + id.len() > options.query_budget {
            out.batches
                .push((ChangeKind::Delete, std::mem::take(&mut chunk), chunk_len));
            chunk_len = 0;
        }
        chunk_len += id.len() + if chunk.is_empty() { 0 } else { 3 };
        chunk.push(i);
    }
    if !chunk.is_empty() {
        out.batches.push((ChangeKind::Delete, chunk, chunk_len));
    }

    for (kind, list) in [
        (ChangeKind::Update, &updates),
        (ChangeKind::Create, &creates),
    ] {
        let mut packer = Packer::new(options);
        for &i in list {
            if let Some((items, bytes)) = packer.add(i, entries[i].bytes) {
                out.batches.push((kind, items, bytes));
            }
        }
        if let Some((items, bytes)) = packer.finish() {
            out.batches.push((kind, items, bytes));
        }
    }

    for &i in &updates {
        if entries[i].names_at_risk {
            out.names_at_risk.push(entries[i].id.to_owned());
        }
    }
    let mut check: Vec<String> = entries
        .iter()
        .filter(|e| e.conflict.is_none() && e.kind != ChangeKind::Create)
        .map(|e| e.id.to_owned())
        .collect();
    check.sort();
    out.check_ids = check;
    out
}

/// Builds the plan for `pending`. Pure: the same changes always give the same plan.
pub fn plan(pending: &[Pending], options: &PlanOptions) -> Plan {
    let entries: Vec<Entry<'_>> = pending
        .iter()
        .map(|p| {
            let local = p.local.as_ref();
            Entry {
                id: &p.id,
                kind: if local.is_none() {
                    ChangeKind::Delete
                } else {
                    p.kind
                },
                conflict: p.conflict.as_ref(),
                bytes: local.map_or(0, |s| s.to_json().len()),
                names_at_risk: p.base.as_ref().is_some_and(|b| !b.names_known)
                    && local
                        .is_some_and(|s| s.localized_names.as_ref().is_none_or(|m| m.is_empty())),
            }
        })
        .collect();
    let errors = |i: usize| -> Vec<Finding> {
        pending[i]
            .local
            .as_ref()
            .map(|s| {
                validate_store(s, &options.validation)
                    .into_iter()
                    .filter(|f| f.severity == Severity::Error)
                    .collect()
            })
            .unwrap_or_default()
    };
    let layout = layout(&entries, errors, options);
    Plan {
        batches: layout
            .batches
            .into_iter()
            .map(|(kind, indices, bytes)| Batch {
                kind,
                items: indices
                    .into_iter()
                    .map(|i| SentItem {
                        id: pending[i].id.clone(),
                        store: pending[i].local.clone(),
                        version: pending[i].version,
                    })
                    .collect(),
                bytes,
            })
            .collect(),
        held_back: layout.held_back,
        names_at_risk: layout.names_at_risk,
        check_ids: layout.check_ids,
    }
}

/// Builds the plan a push sends from changes read by [`crate::workspace::Workspace::outgoing`]:
/// sizes, hashes and errors come from the workspace, so no store is parsed or validated here.
/// The batches' stores get their JSON when they are about to be sent.
pub fn plan_outgoing(changes: Vec<Outgoing>, options: &PlanOptions) -> Plan<Outgoing> {
    let layout = {
        let entries: Vec<Entry<'_>> = changes
            .iter()
            .map(|c| Entry {
                id: &c.id,
                kind: c.kind,
                conflict: c.conflict.as_deref(),
                bytes: c.bytes,
                names_at_risk: c.kind == ChangeKind::Update && !c.base_names_known && !c.has_names,
            })
            .collect();
        layout(&entries, |i| changes[i].errors.clone(), options)
    };
    let mut slots: Vec<Option<Outgoing>> = changes.into_iter().map(Some).collect();
    Plan {
        batches: layout
            .batches
            .into_iter()
            .map(|(kind, indices, bytes)| Batch {
                kind,
                items: indices
                    .into_iter()
                    .filter_map(|i| slots.get_mut(i).and_then(Option::take))
                    .collect(),
                bytes,
            })
            .collect(),
        held_back: layout.held_back,
        names_at_risk: layout.names_at_risk,
        check_ids: layout.check_ids,
    }
}

/// The updates and deletes a push reads first to find conflicts: every one not already in
/// conflict, in id order.
pub fn check_ids(pending: &[Pending]) -> Vec<String> {
    let mut ids: Vec<String> = pending
        .iter()
        .filter(|p| p.conflict.is_none() && p.kind != ChangeKind::Create)
        .map(|p| p.id.clone())
        .collect();
    ids.sort();
    ids
}

/// [`check_ids`] of changes read by [`crate::workspace::Workspace::outgoing`].
pub fn check_ids_outgoing(changes: &[Outgoing]) -> Vec<String> {
    let mut ids: Vec<String> = changes
        .iter()
        .filter(|c| c.conflict.is_none() && c.kind != ChangeKind::Create)
        .map(|c| c.id.clone())
        .collect();
    ids.sort();
    ids
}

/// The body size of a POST or PUT of these stores, as [`crate::model::write_body`] writes it.
pub fn body_size(items: &[SentItem]) -> usize {
    let stores: usize = items
        .iter()
        .filter_map(|i| i.store.as_ref())
        .map(|s| s.to_json().len())
        .sum();
    BODY_OVERHEAD + stores + items.len().saturating_sub(1)
}

/// The size of [`outgoing_body`] of these changes.
pub fn outgoing_body_size(items: &[Outgoing]) -> usize {
    let stores: usize = items
        .iter()
        .map(|i| i.json.as_ref().map_or(0, String::len))
        .sum();
    BODY_OVERHEAD + stores + items.len().saturating_sub(1)
}

/// The body of a POST or PUT of these changes, `{"stores":[...]}`, from their JSON as stored
/// (read by [`crate::workspace::Workspace::load_json`]).
pub fn outgoing_body(items: &[Outgoing]) -> Vec<u8> {
    let size: usize = items
        .iter()
        .map(|i| i.json.as_ref().map_or(0, String::len))
        .sum();
    let mut body = Vec::with_capacity(BODY_OVERHEAD + size + items.len());
    body.extend_from_slice(b"{\"stores\":[");
    for (n, json) in items.iter().filter_map(|i| i.json.as_deref()).enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(json.as_bytes());
    }
    body.extend_from_slice(b"]}");
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Location, Store};
    use crate::workspace::{BaseRecord, Conflict};

    fn store(id: &str, filler: usize) -> Store {
        Store {
            store_id: Some(id.into()),
            name: Some(format!("Store {id} {}", "x".repeat(filler))),
            location: Some(Location::new(45.0, 5.0)),
            ..Store::default()
        }
    }

    fn base(s: &Store, names_known: bool) -> BaseRecord {
        BaseRecord {
            store: s.clone(),
            remote_hash: s.remote_hash(),
            last_updated: None,
            names_known,
        }
    }

    fn pending(
        id: &str,
        kind: ChangeKind,
        local: Option<Store>,
        base: Option<BaseRecord>,
    ) -> Pending {
        Pending {
            id: id.into(),
            kind,
            local,
            base,
            origin: "form".into(),
            changed_at: String::new(),
            version: 1,
            conflict: None,
            failure: None,
        }
    }

    fn create(id: &str, filler: usize) -> Pending {
        pending(id, ChangeKind::Create, Some(store(id, filler)), None)
    }

    #[test]
    fn batches_fill_the_byte_budget_and_never_pass_it() {
        let changes: Vec<Pending> = (0..100).map(|i| create(&format!("S{i:03}"), 900)).collect();
        let options = PlanOptions {
            byte_budget: 10_000,
            ..PlanOptions::default()
        };
        let plan = plan(&changes, &options);
        let sizes: Vec<usize> = plan.batches.iter().map(|b| b.bytes).collect();
        assert!(sizes.iter().all(|&b| b <= 10_000), "{sizes:?}");
        let total: usize = changes
            .iter()
            .map(|p| p.local.as_ref().map_or(0, |s| s.to_json().len() + 1))
            .sum();
        assert_eq!(plan.batches.len(), total.div_ceil(10_000 - BODY_OVERHEAD));
        for b in &plan.batches {
            assert_eq!(b.bytes, body_size(&b.items));
            assert_eq!(
                b.bytes,
                crate::model::write_body(
                    &b.items
                        .iter()
                        .filter_map(|i| i.store.clone())
                        .collect::<Vec<_>>()
                )
                .len()
            );
        }
        assert_eq!(plan.stores(ChangeKind::Create), 100);
    }

    #[test]
    fn new_stores_read_as_the_push_goes_are_planned_as_the_whole_list_plans_them() {
        use crate::model::RemoteMeta;
        use crate::workspace::{Edit, Origin, Workspace};
        let dir = tempfile::tempdir().expect("temp dir");
        let mut ws = Workspace::open_dir(dir.path()).expect("opens");
        let pulled: Vec<(Store, RemoteMeta)> = ["U1", "U2", "D1"]
            .iter()
            .map(|id| (store(id, 3).remote_view(), RemoteMeta::default()))
            .collect();
        ws.apply_pull(pulled).expect("pull");
        // New stores of many sizes (a run of small ones fills requests by count), written out
        // of id order; every 97th has no location, an error that holds it back.
        let mut edits = vec![Edit::put(store("U1", 40)), Edit::Delete("D1".into())];
        for i in (0..3000).rev() {
            let filler = if (1000..1600).contains(&i) {
                i % 7
            } else {
                (i * 37) % 500
            };
            let mut s = store(&format!("N{i:04}"), filler);
            if i % 97 == 0 {
                s.location = None;
            }
            edits.push(Edit::put(s));
        }
        ws.apply("Test", &Origin::Form, edits).expect("edits");
        let options = PlanOptions {
            byte_budget: 15_000,
            count_budget: 60,
            ..PlanOptions::default()
        };
        assert!(ws.reads_new_stores_as_it_goes().expect("counts"));
        let whole = plan_outgoing(ws.outgoing().expect("outgoing"), &options);

        let mut stream = NewStoreBatches::new(ws.read_new_stores().expect("reads"), &options);
        // Written after the reading began: not part of it.
        ws.apply("Late", &Origin::Form, vec![Edit::put(store("N9999", 1))])
            .expect("late edit");
        assert_eq!(stream.stores(), 3000);
        let mut streamed = Vec::new();
        while let Some(batch) = stream.next_batch().expect("next batch") {
            streamed.push(batch);
        }
        let creates: Vec<Batch<Outgoing>> = whole
            .batches
            .iter()
            .filter(|b| b.kind == ChangeKind::Create)
            .cloned()
            .collect();
        assert!(creates.len() > 40, "{} requests", creates.len());
        assert!(creates.iter().any(|b| b.items.len() == 60));
        assert!(
            creates
                .iter()
                .any(|b| b.items.len() < 60 && b.bytes > 14_000)
        );
        assert_eq!(streamed, creates);
        let held: Vec<&HeldBack> = whole
            .held_back
            .iter()
            .filter(|h| h.kind == ChangeKind::Create)
            .collect();
        assert_eq!(held.len(), 31);
        assert_eq!(stream.held_back.iter().collect::<Vec<_>>(), held);

        // The other changes, found from the base and the deleted drafts.
        let others: Vec<Outgoing> = ws
            .outgoing()
            .expect("outgoing")
            .into_iter()
            .filter(|c| c.kind != ChangeKind::Create)
            .collect();
        assert_eq!(
            others.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["D1", "U1"]
        );
        assert_eq!(ws.outgoing_except_new().expect("the rest"), others);
    }

    #[test]
    fn new_stores_come_in_id_order_and_each_reading_sees_the_drafts_as_it_began() {
        use crate::workspace::{Edit, Origin, Workspace};
        let dir = tempfile::tempdir().expect("temp dir");
        let mut ws = Workspace::open_dir(dir.path()).expect("opens");
        let edits = (0..5000)
            .rev()
            .map(|i| Edit::put(store(&format!("N{i:04}"), 10)))
            .collect();
        ws.apply("Test", &Origin::Form, edits).expect("edits");
        let first_ids = |ws: &Workspace| {
            let mut stream = NewStoreBatches::new(
                ws.read_new_stores().expect("reads"),
                &PlanOptions::default(),
            );
            let batch = stream.next_batch().expect("first batch").expect("a batch");
            // Dropped midway: the rest is not read.
            batch.ids().into_iter().take(3).collect::<Vec<_>>()
        };
        assert_eq!(first_ids(&ws), ["N0000", "N0001", "N0002"]);
        ws.apply("Delete", &Origin::Form, vec![Edit::Delete("N0001".into())])
            .expect("edit after");
        assert_eq!(first_ids(&ws), ["N0000", "N0002", "N0003"]);
    }

    #[test]
    fn the_count_budget_and_the_15_mb_ceiling_hold() {
        let changes: Vec<Pending> = (0..10).map(|i| create(&format!("S{i}"), 10)).collect();
        let options = PlanOptions {
            count_budget: 3,
            byte_budget: usize::MAX,
            ..PlanOptions::default()
        };
        let p = plan(&changes, &options);
        assert_eq!(
            p.batches.iter().map(|b| b.items.len()).collect::<Vec<_>>(),
            [3, 3, 3, 1]
        );
    }

    #[test]
    fn deletes_come_first_then_updates_then_creates() {
        let a = store("A", 1);
        let b = store("B", 1);
        let mut b2 = b.clone();
        b2.name = Some("B2".into());
        let changes = vec![
            pending("A", ChangeKind::Delete, None, Some(base(&a, true))),
            pending("B", ChangeKind::Update, Some(b2), Some(base(&b, true))),
            create("C", 1),
        ];
        let p = plan(&changes, &PlanOptions::default());
        let methods: Vec<&str> = p.batches.iter().map(Batch::method).collect();
        assert_eq!(methods, ["DELETE", "PUT", "POST"]);
        assert_eq!(p.check_ids, ["A", "B"]);
        assert!(p.names_at_risk.is_empty());
    }

    #[test]
    fn delete_queries_are_chunked_to_stay_short() {
        let changes: Vec<Pending> = (0..1000)
            .map(|i| {
                let s = store(&format!("store_{i:05}"), 1);
                pending(s.id(), ChangeKind::Delete, None, Some(base(&s, true)))
            })
            .collect();
        let p = plan(&changes, &PlanOptions::default());
        assert!(p.batches.len() > 1);
        for b in &p.batches {
            let query = delete_query(&b.ids()).expect("valid").expect("some");
            let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
            assert!(
                encoded.len() <= DEFAULT_QUERY_BUDGET + 30,
                "{}",
                encoded.len()
            );
        }
        assert_eq!(p.stores(ChangeKind::Delete), 1000);
    }

    #[test]
    fn stores_with_errors_or_conflicts_are_held_back_with_a_reason() {
        let mut no_location = store("L", 1);
        no_location.location = None;
        let mut conflicted = create("K", 1);
        conflicted.conflict = Some(Conflict::DeletedRemotely);
        let changes = vec![
            pending("L", ChangeKind::Create, Some(no_location), None),
            conflicted,
            create("OK", 1),
        ];
        let p = plan(&changes, &PlanOptions::default());
        assert_eq!(p.stores(ChangeKind::Create), 1);
        let held: Vec<&str> = p.held_back.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(held, ["L", "K"]);
        assert!(p.held_back[0].reason.describe().contains("no location"));
        assert!(
            p.held_back[1]
                .reason
                .describe()
                .contains("deleted on the server")
        );
        let text = p.describe(10, 0).join("\n");
        assert!(
            text.contains("POST create: 1 stores in 1 request"),
            "{text}"
        );
        assert!(text.contains("Held back: L"), "{text}");
    }

    #[test]
    fn an_update_of_a_pulled_store_without_names_warns_that_they_will_be_erased() {
        let s = store("A", 1);
        let mut changed = s.clone();
        changed.name = Some("Changed".into());
        let mut named = changed.clone();
        let mut names = serde_json::Map::new();
        names.insert("fr".into(), serde_json::Value::String("Magasin".into()));
        named.localized_names = Some(names);
        let changes = vec![pending(
            "A",
            ChangeKind::Update,
            Some(changed.clone()),
            Some(base(&s, false)),
        )];
        assert_eq!(plan(&changes, &PlanOptions::default()).names_at_risk, ["A"]);
        let changes = vec![pending(
            "A",
            ChangeKind::Update,
            Some(named),
            Some(base(&s, false)),
        )];
        assert!(
            plan(&changes, &PlanOptions::default())
                .names_at_risk
                .is_empty()
        );
        let changes = vec![pending(
            "A",
            ChangeKind::Update,
            Some(changed),
            Some(base(&s, true)),
        )];
        assert!(
            plan(&changes, &PlanOptions::default())
                .names_at_risk
                .is_empty()
        );
    }

    #[test]
    fn the_estimate_counts_requests_at_the_rate_limit() {
        let changes: Vec<Pending> = (0..30).map(|i| create(&format!("S{i}"), 1)).collect();
        let p = plan(
            &changes,
            &PlanOptions {
                count_budget: 1,
                ..PlanOptions::default()
            },
        );
        assert_eq!(p.estimated_time(10, 0), Duration::from_secs(3));
        assert_eq!(p.check_reads(100_000, 300), 0);
    }
}
