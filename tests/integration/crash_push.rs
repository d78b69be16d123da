//! Kill tests: a child `storedesk push` (and a child `storedesk import`) is killed with SIGKILL
//! at random instants, while this process keeps editing the same workspace. After each kill a
//! push that runs to the end must leave the emulator equal to the user's intent: no edit lost,
//! none applied twice, no conflict and no refusal shown.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use storedesk::emulator::{BackgroundEmulator, EmulatorConfig, Faults, start_in_background};
use storedesk::model::{Location, Store};
use storedesk::workspace::{Origin, Workspace};

use crate::common;

const KEY: &str = "crash-test-private-key";
const TRIALS: usize = 100;

fn emulator() -> BackgroundEmulator {
    start_in_background(
        EmulatorConfig {
            private_key: KEY.into(),
            qps: 0,
            latency: Duration::from_millis(8),
            faults: Faults {
                lost_response_rate: 0.1,
                ..Faults::default()
            },
            seed: 7,
            ..EmulatorConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .expect("emulator starts")
}

fn storedesk(args: &[&str], emu: &BackgroundEmulator, dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_storedesk"));
    cmd.args(args)
        .arg("--workspace")
        .arg(dir)
        .env("STOREDESK_TEST_KEY", KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if args.first() == Some(&"push") {
        cmd.args([
            "--base-url",
            &emu.base_url(),
            "--key-env",
            "STOREDESK_TEST_KEY",
            "--qps",
            "0",
        ]);
        cmd.args(["--count-budget", "2"]);
    }
    cmd
}

/// Kills the child with SIGKILL after `delay` unless it ended first; whether it was killed.
fn kill_after(mut child: Child, delay: Duration) -> bool {
    let deadline = Instant::now() + delay;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let killed = child.kill().is_ok();
    let _ = child.wait();
    killed
}

fn store(id: &str, name: &str, lat: f64) -> Store {
    Store {
        store_id: Some(id.into()),
        name: Some(name.into()),
        location: Some(Location::new(lat, 5.0)),
        ..Store::default()
    }
}

/// What the user meant: every store by id.
type Intent = BTreeMap<String, Store>;

fn local(ws: &Workspace) -> Intent {
    ws.stores()
        .expect("stores")
        .into_iter()
        .map(|s| (s.id().to_owned(), s))
        .collect()
}

fn remote(emu: &BackgroundEmulator) -> Vec<Store> {
    let mut v: Vec<Store> = emu.stores().iter().map(Store::remote_view).collect();
    v.sort_by(|a, b| a.id().cmp(b.id()));
    v
}

#[test]
fn pushes_killed_at_random_instants_converge_without_losing_or_repeating_an_edit() {
    let emu = emulator();
    let dir = tempfile::tempdir().expect("temp dir");
    let files = tempfile::tempdir().expect("temp dir");
    let mut rng = fastrand::Rng::with_seed(2026);
    let mut intent = Intent::new();
    let mut counter = 0u32;
    let mut kills_mid_push = 0;
    for trial in 0..TRIALS {
        // The user's edits, each durable when the call returns.
        {
            let mut ws = Workspace::open_dir(dir.path()).expect("workspace");
            for _ in 0..rng.usize(3..9) {
                counter += 1;
                let ids: Vec<String> = intent.keys().cloned().collect();
                match rng.u8(0..10) {
                    0..=3 => {
                        let id = format!("S{counter:05}");
                        let s = store(&id, &format!("new {counter}"), 40.0 + rng.f64());
                        ws.create(s.clone(), &Origin::Form).expect("create");
                        intent.insert(id, s);
                    }
                    4..=7 if !ids.is_empty() => {
                        let id = &ids[rng.usize(..ids.len())];
                        let s = store(id, &format!("edit {counter}"), 40.0 + rng.f64());
                        ws.update(s.clone(), &Origin::Form).expect("update");
                        intent.insert(id.clone(), s);
                    }
                    _ if !ids.is_empty() => {
                        let id = ids[rng.usize(..ids.len())].clone();
                        ws.delete(std::slice::from_ref(&id), &Origin::Form)
                            .expect("delete");
                        intent.remove(&id);
                    }
                    _ => {}
                }
            }
            assert_eq!(local(&ws), intent, "trial {trial}: the edits are all there");
        }

        // An import in a child process, killed at a random instant: all of it or none.
        if trial % 3 == 0 {
            let batch: Vec<Store> = (0..20)
                .map(|i| {
                    store(
                        &format!("I{trial:03}_{i:02}"),
                        &format!("imported {trial}"),
                        41.0,
                    )
                })
                .collect();
            let path = files.path().join(format!("import{trial}.json"));
            let body = storedesk::model::write_body(&batch);
            std::fs::write(&path, body).expect("write import file");
            let child = storedesk(
                &["import", path.to_str().expect("utf-8 path")],
                &emu,
                dir.path(),
            )
            .spawn()
            .expect("spawn import");
            let _ = kill_after(child, Duration::from_millis(rng.u64(0..60)));
            let ws = Workspace::open_dir(dir.path()).expect("workspace");
            let now = local(&ws);
            let present = batch.iter().filter(|s| now.get(s.id()) == Some(*s)).count();
            assert!(
                present == 0 || present == batch.len(),
                "trial {trial}: an import is one step, {present} of 20 landed"
            );
            if present > 0 {
                for s in batch {
                    intent.insert(s.id().to_owned(), s);
                }
            }
        }

        // A push killed at a random instant, with an edit made while it runs.
        let before = emu.requests().len();
        let child = storedesk(&["push"], &emu, dir.path())
            .spawn()
            .expect("spawn push");
        std::thread::sleep(Duration::from_millis(rng.u64(0..40)));
        {
            let mut ws = Workspace::open_dir(dir.path()).expect("workspace");
            if let Some(id) = intent.keys().next().cloned() {
                counter += 1;
                let s = store(&id, &format!("during push {counter}"), 42.0);
                ws.update(s.clone(), &Origin::Form)
                    .expect("edit during the push");
                intent.insert(id, s);
            }
        }
        // Most kills wait for the push's first request, then land a random time later; the
        // rest land at any instant, start-up included.
        if trial % 4 != 0 {
            let deadline = Instant::now() + Duration::from_secs(3);
            while emu.requests().len() == before && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let killed = kill_after(child, Duration::from_millis(rng.u64(0..60)));
        if killed && emu.requests().len() > before {
            kills_mid_push += 1;
        }

        // Nothing the user meant is lost locally.
        let ws = Workspace::open_dir(dir.path()).expect("workspace");
        assert_eq!(local(&ws), intent, "trial {trial}: the kill lost nothing");
        ws.check_documents()
            .expect("every store has its JSON, no JSON is left over");
        drop(ws);

        // A push to the end converges.
        let out = storedesk(&["push", "--json"], &emu, dir.path())
            .stdout(Stdio::piped())
            .output()
            .expect("push runs");
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("push prints its report");
        assert!(out.status.success(), "trial {trial}: {report:#}");
        assert_eq!(report["conflicts"], serde_json::json!([]), "trial {trial}");
        assert_eq!(report["failed"], serde_json::json!([]), "trial {trial}");
        let ws = Workspace::open_dir(dir.path()).expect("workspace");
        assert_eq!(ws.pending_count().expect("count"), 0, "trial {trial}");
        let expected: Vec<Store> = intent.values().map(Store::remote_view).collect();
        assert_eq!(
            remote(&emu),
            expected,
            "trial {trial}: the server holds the intent"
        );
        assert_eq!(local(&ws), intent);
        ws.check_documents().expect("after the push");
    }
    common::assert_no_delete_without_query(&emu.requests());
    println!("{TRIALS} trials, {kills_mid_push} pushes killed after their first request");
    assert!(
        kills_mid_push >= 50,
        "at least 50 kills must land during pushes: {kills_mid_push}"
    );
}
