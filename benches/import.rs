//! Imports a 15 MB Woosmap JSON file and a 100,000-row CSV file into new workspaces, each
//! read, then mapped, validated and applied as drafts chunk by chunk in one step, and prints
//! the time of each (three imports of each file, and their median) and the peak memory
//! against the file's size. Run with `cargo bench --bench import`.

mod common;

use std::time::Instant;

use storedesk::import::{self, ApplyMode, ReadOptions};
use storedesk::validate::Context;
use storedesk::workspace::Workspace;

/// A line of /proc/self/status, in kB.
fn status_kb(field: &str) -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{what}: {e}");
    std::process::exit(1);
}

fn main() {
    // Each import runs in its own process, so that its peak memory is its own.
    let args: Vec<String> = std::env::args().collect();
    if let [_, case, label, path, ws] = args.as_slice()
        && case == "case"
    {
        run(label, std::path::Path::new(path), ws.into());
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", e));

    // A Woosmap JSON file of 15 MB.
    let json_path = dir.path().join("stores.json");
    let mut n = 0;
    let mut stores = Vec::new();
    let mut size = 0;
    while size < 15 * 1024 * 1024 {
        let s = common::store(n);
        size += s.to_json().len() + 2;
        stores.push(s);
        n += 1;
    }
    std::fs::write(&json_path, storedesk::export::to_json(&stores))
        .unwrap_or_else(|e| fail("write", e));
    drop(stores);
    child("Woosmap JSON", &json_path, &dir.path().join("ws-json"));

    // A CSV file of 100,000 rows, as this product exports them.
    let csv_path = dir.path().join("stores.csv");
    let stores = common::stores(100_000);
    std::fs::write(&csv_path, storedesk::export::to_csv(&stores))
        .unwrap_or_else(|e| fail("write", e));
    drop(stores);
    child("CSV", &csv_path, &dir.path().join("ws-csv"));
}

/// Imports run for each file, each into a new workspace: one import's time swings with
/// whatever else the machine runs, so the median is given too.
const REPEATS: usize = 3;

fn child(label: &str, path: &std::path::Path, ws: &std::path::Path) {
    let exe = std::env::current_exe().unwrap_or_else(|e| fail("exe", e));
    let mut times = Vec::with_capacity(REPEATS);
    for run in 0..REPEATS {
        let ws = ws.with_extension(run.to_string());
        let output = std::process::Command::new(&exe)
            .arg("case")
            .arg(label)
            .arg(path)
            .arg(&ws)
            .output()
            .unwrap_or_else(|e| fail("run", e));
        if !output.status.success() {
            fail(label, "the import failed");
        }
        let text = String::from_utf8_lossy(&output.stdout);
        for line in text.lines() {
            // Every figure of the first import; the times of the others.
            if run == 0 || line.contains(" s, using ") {
                println!("{line}");
            }
            if let Some(total) = line
                .split(" = ")
                .nth(1)
                .and_then(|rest| rest.split(" s,").next())
                .and_then(|t| t.parse::<f64>().ok())
            {
                times.push(total);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "import {label}: median of {} imports {:.3} s",
        times.len(),
        common::quantile(&times, 0.5)
    );
}

fn run(label: &str, path: &std::path::Path, ws_dir: std::path::PathBuf) {
    let file_size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as usize;
    let mut ws = Workspace::open_dir(&ws_dir).unwrap_or_else(|e| fail("open", e));
    let ctx = Context::today();
    let base = status_kb("VmRSS:");
    let cpu = common::process_cpu();

    let t = Instant::now();
    let source =
        import::read_path(path, &ReadOptions::default()).unwrap_or_else(|e| fail("read", e));
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    // Mapped, validated and applied chunk by chunk, in one step.
    let imported = import::import_into(
        &mut ws,
        name.as_deref().unwrap_or(""),
        &source,
        None,
        &ctx,
        ApplyMode::Merge,
    )
    .unwrap_or_else(|e| fail("convert", e));
    let summary = imported.applied.unwrap_or_else(|e| fail("apply", e));
    let counts = imported.report.counts();
    let applied = t.elapsed().as_secs_f64();
    let cpu = common::process_cpu() - cpu;
    let peak = status_kb("VmHWM:").saturating_sub(base) * 1024;
    println!(
        "import {label}: {:.1} MB, {} rows ({} ok, {} warnings, {} errors), {} stores created",
        file_size as f64 / 1e6,
        counts.rows,
        counts.ok,
        counts.warnings,
        counts.errors,
        summary.created
    );
    println!(
        "import {label}: read {read:.3} s + map, validate and apply {applied:.3} s = {:.3} s, using {cpu:.2} CPU seconds",
        read + applied
    );
    // Drafts and the step's journal, in the database and its write-ahead log.
    let on_disk: u64 = std::fs::read_dir(&ws_dir)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    println!(
        "import {label}: workspace files {:.1} MB after the import",
        on_disk as f64 / 1e6
    );
    println!(
        "import {label}: peak memory (resident, above the process at start) {:.1} MB = {:.2} x the file",
        peak as f64 / 1e6,
        peak as f64 / file_size.max(1) as f64
    );
}
