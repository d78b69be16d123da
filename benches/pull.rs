//! Pulls 30,000 stores (100 pages of 300) from the emulator at 10 requests/second and prints the
//! wall time next to the bound the rate limit sets (pages / 10 s). Run with
//! `cargo bench --bench pull`.

use std::net::SocketAddr;
use std::time::Instant;

use storedesk::api::{ApiKey, Client, ClientConfig, KeyKind};
use storedesk::emulator::{Emulator, EmulatorConfig};
use storedesk::model::{Location, Store};

const STORES: usize = 30_000;
const PAGE: usize = 300;
const QPS: u32 = 10;

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("no runtime: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(run());
}

async fn run() {
    let config = EmulatorConfig {
        private_key: "bench-key".into(),
        page_size: PAGE,
        qps: QPS,
        ..Default::default()
    };
    let emu = match Emulator::start(config, SocketAddr::from(([127, 0, 0, 1], 0))).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("emulator did not start: {e}");
            std::process::exit(1);
        }
    };
    let stores: Vec<Store> = (0..STORES)
        .map(|i| Store {
            store_id: Some(format!("store_{i:06}")),
            name: Some(format!("Store {i}")),
            location: Some(Location::new(
                40.0 + (i % 1000) as f64 / 100.0,
                (i / 1000) as f64 / 10.0,
            )),
            tags: Some(vec!["wifi".into(), "parking".into()]),
            ..Store::default()
        })
        .collect();
    emu.set_stores(stores);
    let mut cfg = ClientConfig::new(emu.base_url(), ApiKey::new(KeyKind::Private, "bench-key"));
    cfg.qps = QPS;
    let client = match Client::new(cfg) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    // Let the emulator's one-second window empty after start-up.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let start = Instant::now();
    let pulled = match client.list_all(|_, _| {}).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pull failed: {e}");
            std::process::exit(1);
        }
    };
    let wall = start.elapsed().as_secs_f64();
    let pages = STORES.div_ceil(PAGE);
    let bound = pages as f64 / f64::from(QPS);
    let throttled = emu.requests().iter().filter(|r| r.status == 429).count();
    println!(
        "pull: {} stores in {pages} pages of {PAGE} at {QPS} requests/s",
        pulled.len()
    );
    println!(
        "  wall time {wall:.2} s, bound {bound:.1} s, {:+.1} % (target within 10 %), {throttled} answers of 429",
        (wall / bound - 1.0) * 100.0
    );
    assert_eq!(pulled.len(), STORES);
}
