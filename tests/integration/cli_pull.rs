//! `storedesk pull` writes every store of a project as Woosmap JSON.

use std::net::SocketAddr;
use std::process::Command;

use storedesk::emulator::{EmulatorConfig, start_in_background};
use storedesk::model::{Location, Store, parse_document};

/// `storedesk pull` against `base_url`, reading the key from `key_env`, writing `out`.
fn pull(base_url: &str, key_env: &str, out: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_storedesk"));
    command
        .args([
            "pull",
            "--base-url",
            base_url,
            "--key-env",
            key_env,
            "--out",
        ])
        .arg(out);
    command
}

#[test]
fn pull_writes_every_store_in_write_format() {
    let emu = start_in_background(
        EmulatorConfig {
            private_key: "PULL-KEY-123".into(),
            page_size: 7,
            qps: 0,
            ..Default::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .expect("emulator");
    let stores: Vec<Store> = (0..50)
        .map(|i| Store {
            store_id: Some(format!("p{i}")),
            name: Some(format!("Pulled {i}")),
            location: Some(Location::new(45.0 + f64::from(i) / 100.0, 5.0)),
            localized_names: None,
            ..Store::default()
        })
        .collect();
    emu.set_stores(stores.clone());
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("pulled.json");
    let run = pull(&emu.base_url(), "STOREDESK_TEST_KEY", &out)
        .env("STOREDESK_TEST_KEY", "PULL-KEY-123")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("page 8 of 8") && stderr.contains("pulled 50 stores"),
        "{stderr}"
    );
    assert!(!stderr.contains("PULL-KEY-123"));
    let text = std::fs::read_to_string(&out).expect("file");
    let doc = parse_document(&text).expect("parses");
    let got: Vec<Store> = doc.stores().map(Store::normalised).collect();
    let want: Vec<Store> = stores.iter().map(Store::normalised).collect();
    assert_eq!(got, want);

    // A missing key variable is one sentence, and nothing is written.
    let run = pull(
        &emu.base_url(),
        "STOREDESK_UNSET_VAR",
        &dir.path().join("none.json"),
    )
    .output()
    .expect("runs");
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("STOREDESK_UNSET_VAR is not set"));
    assert!(!dir.path().join("none.json").exists());
}
