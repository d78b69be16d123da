//! The workspace with 100,000 stores: how long an edit takes to be committed (durable), how
//! long opening the workspace and reading what the list and map need takes, and how long one
//! step adding 23,000 (a 15 MB file) or 100,000 new stores takes (and undoing and redoing it),
//! and how long listing every finding of the 100,000 stores takes.
//! Run with `cargo bench --bench workspace`.

mod common;

use std::time::Instant;

use storedesk::model::RemoteMeta;
use storedesk::validate::Context;
use storedesk::workspace::{Edit, Origin, Workspace};

const STORES: usize = 100_000;
const EDITS: usize = 2_000;

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{what}: {e}");
    std::process::exit(1);
}

fn main() {
    apply_new_stores(23_000);
    apply_new_stores(STORES);

    let dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", e));
    let t = Instant::now();
    let mut ws = Workspace::open_dir(dir.path()).unwrap_or_else(|e| fail("open", e));
    let remote: Vec<_> = common::stores(STORES)
        .into_iter()
        .map(|s| (s, RemoteMeta::default()))
        .collect();
    ws.apply_pull(remote).unwrap_or_else(|e| fail("pull", e));
    // The database and its write-ahead log (checkpointed while writes pause).
    let wal = ws.path().with_extension("sqlite-wal");
    let size: u64 = [ws.path(), wal.as_path()]
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "workspace: {STORES} stores pulled into a new workspace in {:.2} s ({:.0} MB on disk)",
        t.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );

    // Edit latency: each call returns once its transaction is committed.
    let mut samples = Vec::with_capacity(EDITS);
    let mut rng = fastrand::Rng::with_seed(1);
    for n in 0..EDITS {
        let i = rng.usize(..STORES);
        let mut store = common::store(i);
        store.name = Some(format!("Edited {n}"));
        let start = Instant::now();
        ws.update(store, &Origin::Form)
            .unwrap_or_else(|e| fail("edit", e));
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "edit commit ({EDITS} edits, synchronous=FULL): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target: p99 under 5 ms)",
        common::quantile(&samples, 0.5),
        common::quantile(&samples, 0.99),
        common::quantile(&samples, 1.0)
    );
    drop(ws);

    // Opening: the database, then the list and map summaries; then every store parsed.
    let mut open = Vec::new();
    let mut full = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let ws = Workspace::open_dir(dir.path()).unwrap_or_else(|e| fail("open", e));
        let summaries = ws.summaries().unwrap_or_else(|e| fail("summaries", e));
        open.push(start.elapsed().as_secs_f64());
        assert_eq!(summaries.len(), STORES);
        let start = Instant::now();
        let stores = ws.stores().unwrap_or_else(|e| fail("stores", e));
        full.push(start.elapsed().as_secs_f64());
        assert_eq!(stores.len(), STORES);
    }
    open.sort_by(f64::total_cmp);
    full.sort_by(f64::total_cmp);
    println!(
        "open {STORES} stores with their summaries: median {:.0} ms (target: under 500 ms); every store parsed as well: median {:.0} ms more",
        common::quantile(&open, 0.5) * 1000.0,
        common::quantile(&full, 0.5) * 1000.0
    );

    // Every finding of the project, for the findings panel: each store parsed and validated
    // (several threads), the rules across stores, the ignored ones marked.
    let ws = Workspace::open_dir(dir.path()).unwrap_or_else(|e| fail("open", e));
    let context = Context::today();
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..3 {
        let start = Instant::now();
        count = ws
            .findings(&context)
            .unwrap_or_else(|e| fail("findings", e))
            .len();
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "findings of {STORES} stores ({count} findings): median {:.0} ms",
        common::quantile(&times, 0.5) * 1000.0
    );
}

/// One undoable step adding `count` new stores (as an import does), in a new workspace.
fn apply_new_stores(count: usize) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", e));
    let mut ws = Workspace::open_dir(dir.path()).unwrap_or_else(|e| fail("open", e));
    let edits: Vec<(Edit, Origin)> = common::stores(count)
        .into_iter()
        .enumerate()
        .map(|(row, store)| {
            (
                Edit::put(store),
                Origin::Import {
                    file: "stores.json".into(),
                    row: Some(row + 1),
                },
            )
        })
        .collect();
    let bytes: usize = edits
        .iter()
        .map(|(edit, _)| match edit {
            Edit::Put(store) => store.to_json().len() + 1,
            Edit::Delete(_) => 0,
        })
        .sum();
    let start = Instant::now();
    let changed = ws
        .apply_batch("Import stores.json", edits)
        .unwrap_or_else(|e| fail("apply", e));
    println!(
        "apply: {changed} new stores ({:.1} MB) in one step: {:.3} s",
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    // Undoing the step keeps what it left in the journal, for the redo.
    let start = Instant::now();
    ws.undo().unwrap_or_else(|e| fail("undo", e));
    let undo = start.elapsed().as_secs_f64();
    let start = Instant::now();
    ws.redo().unwrap_or_else(|e| fail("redo", e));
    println!(
        "apply: the step of {changed} new stores undone in {undo:.3} s, redone in {:.3} s",
        start.elapsed().as_secs_f64()
    );
}
