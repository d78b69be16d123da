//! The workspace with 100,000 stores: how long an edit takes to be committed (durable), and how
//! long opening the workspace and reading what the list and map need takes.
//! Run with `cargo bench --bench workspace`.

mod common;

use std::time::Instant;

use storedesk::model::RemoteMeta;
use storedesk::workspace::{Origin, Workspace};

const STORES: usize = 100_000;
const EDITS: usize = 2_000;

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{what}: {e}");
    std::process::exit(1);
}

fn main() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", e));
    let t = Instant::now();
    let mut ws = Workspace::open_dir(dir.path()).unwrap_or_else(|e| fail("open", e));
    let remote: Vec<_> = common::stores(STORES)
        .into_iter()
        .map(|s| (s, RemoteMeta::default()))
        .collect();
    ws.apply_pull(remote).unwrap_or_else(|e| fail("pull", e));
    let size = std::fs::metadata(ws.path()).map(|m| m.len()).unwrap_or(0);
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
}
