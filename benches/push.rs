//! Pushes 100,000 new stores to the emulator at the API's 10 requests a second and prints the
//! requests sent against the minimum the byte budget allows, and the wall time against
//! requests / rate. Run with `cargo bench --bench push`.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use storedesk::api::{ApiKey, Client, ClientConfig, KeyKind};
use storedesk::emulator::{EmulatorConfig, start_in_background};
use storedesk::sync::{self, PushOptions};
use storedesk::workspace::{Edit, Origin, Workspace};

const STORES: usize = 100_000;
const QPS: u32 = 10;

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{what}: {e}");
    std::process::exit(1);
}

fn main() {
    // The case the issue names: 100,000 stores with the default 5 MB budget, where local work
    // per store weighs more than the 13 requests' rate-limited time.
    case(STORES, sync::plan::DEFAULT_BYTE_BUDGET, true);
    // A case where the rate limit dominates: does the pipeline keep it saturated?
    case(20_000, 100 * 1024, false);
}

fn case(count: usize, byte_budget: usize, details: bool) {
    let emu = start_in_background(
        EmulatorConfig {
            private_key: "bench-key".into(),
            qps: QPS,
            ..EmulatorConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .unwrap_or_else(|e| fail("emulator", e));
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", e));
    let mut ws = Workspace::open_dir(dir.path()).unwrap_or_else(|e| fail("open", e));
    let stores = common::stores(count);
    let t = Instant::now();
    let edits = stores.into_iter().map(Edit::put).collect();
    ws.apply("Import", &Origin::CommandLine, edits)
        .unwrap_or_else(|e| fail("import", e));
    println!(
        "push: {count} new stores added as drafts in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let mut options = PushOptions::default();
    options.plan.byte_budget = byte_budget;
    let t = Instant::now();
    let pending = ws.pending().unwrap_or_else(|e| fail("pending", e));
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let plan = sync::plan(&pending, &options.plan);
    println!(
        "push: reading the {} drafts {read:.2} s, planning (validation included) {:.2} s",
        pending.len(),
        t.elapsed().as_secs_f64()
    );
    let budget = options.plan.byte_budget - 13;
    let payload: usize = pending
        .iter()
        .filter_map(|p| p.local.as_ref())
        .map(|s| s.to_json().len() + 1)
        .sum();
    let minimum = payload.div_ceil(budget);

    if details {
        bookkeeping(&plan);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail("runtime", e));
    let mut config = ClientConfig::new(emu.base_url(), ApiKey::new(KeyKind::Private, "bench-key"));
    config.qps = QPS;
    let client = Client::new(config).unwrap_or_else(|e| fail("client", e));
    // Let the emulator's one-second window empty after start-up.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let start = Instant::now();
    let report = runtime
        .block_on(sync::push(
            &mut ws,
            &client,
            &options,
            &|_| {},
            &AtomicBool::new(false),
        ))
        .unwrap_or_else(|e| fail("push", e));
    let wall = start.elapsed().as_secs_f64();
    if !report.is_complete() || report.created != count {
        fail("push", format!("incomplete: {report:?}"));
    }
    let requests = report.write_requests + report.read_requests;
    let bound = requests as f64 / f64::from(QPS);
    let throttled = emu.requests().iter().filter(|r| r.status == 429).count();
    println!(
        "push: {count} stores, {:.1} MB: {} write requests (planned {}, minimum for a {} KB budget: {minimum}, {:+.1} %), {} reads",
        payload as f64 / 1e6,
        report.write_requests,
        plan.batches.len(),
        options.plan.byte_budget / 1024,
        (report.write_requests as f64 / minimum as f64 - 1.0) * 100.0,
        report.read_requests
    );
    println!(
        "push: wall {wall:.2} s against requests / rate {bound:.2} s ({:+.1} %), {throttled} answers 429",
        (wall / bound - 1.0) * 100.0
    );
    if emu.stores().len() != count {
        fail("push", "the emulator does not hold every store");
    }
}

/// The workspace's own cost of one batch: recording it as sent, then as applied.
fn bookkeeping(plan: &sync::Plan) {
    let Some(batch) = plan.batches.first() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", e));
    let mut ws = Workspace::open_dir(dir.path()).unwrap_or_else(|e| fail("open", e));
    let edits = batch
        .items
        .iter()
        .filter_map(|i| i.store.clone())
        .map(Edit::put)
        .collect();
    let t = Instant::now();
    ws.apply("Import", &Origin::CommandLine, edits)
        .unwrap_or_else(|e| fail("import", e));
    let applied = t.elapsed().as_secs_f64();
    let items = ws.pending().unwrap_or_else(|e| fail("pending", e));
    let items: Vec<_> = items
        .into_iter()
        .map(|p| storedesk::workspace::SentItem {
            id: p.id,
            store: p.local,
            version: p.version,
        })
        .collect();
    let t = Instant::now();
    let mut x = 0u64;
    for i in &items {
        if let Some(s) = &i.store {
            x ^= s.content_hash();
        }
    }
    let content = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for i in &items {
        if let Some(s) = &i.store {
            x ^= s.remote_hash();
        }
    }
    let remote = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for i in &items {
        if let Some(s) = &i.store {
            x ^= s.to_json().len() as u64;
        }
    }
    println!(
        "push: {} stores: content hashes {content:.3} s, remote hashes {remote:.3} s, JSON {:.3} s ({x})",
        items.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let seq = ws
        .record_sending(1, "POST", &items, batch.bytes)
        .unwrap_or_else(|e| fail("sending", e));
    let sending = t.elapsed().as_secs_f64();
    let t = Instant::now();
    ws.record_outcome(seq, "ok", "", &items, &[])
        .unwrap_or_else(|e| fail("outcome", e));
    println!(
        "push: one batch of {} stores: added as drafts {applied:.2} s, recorded as sent {sending:.2} s, recorded as applied {:.2} s",
        items.len(),
        t.elapsed().as_secs_f64()
    );
}
