//! The workspace commands, run as a user runs them, against the emulator on 127.0.0.1.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};

use storedesk::emulator::{BackgroundEmulator, EmulatorConfig, start_in_background};

use crate::common;

use common::store;

const KEY: &str = "cli-workspace-private-key";

fn run(args: &[&str], dir: &Path, emu: &BackgroundEmulator) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_storedesk"));
    cmd.args(args).arg("--workspace").arg(dir);
    if matches!(args.first(), Some(&"push") | Some(&"pull")) && !args.contains(&"--dry-run") {
        cmd.args([
            "--base-url",
            &emu.base_url(),
            "--key-env",
            "STOREDESK_CLI_KEY",
        ]);
    }
    cmd.env("STOREDESK_CLI_KEY", KEY)
        .output()
        .expect("storedesk runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn pull_delete_status_preview_undo_and_push_from_the_command_line() {
    let emu = start_in_background(
        EmulatorConfig {
            private_key: KEY.into(),
            qps: 0,
            ..EmulatorConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .expect("emulator");
    emu.set_stores(vec![store("A", "Alpha"), store("B", "Beta")]);
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path().join("ws");

    let pulled = run(&["pull"], &ws, &emu);
    assert!(pulled.status.success(), "{pulled:?}");
    assert!(
        stdout(&pulled).starts_with("2 stores on the server: 2 new"),
        "{}",
        stdout(&pulled)
    );

    assert!(run(&["delete", "B"], &ws, &emu).status.success());
    let status = stdout(&run(&["status"], &ws, &emu));
    assert!(status.contains("deleted B (command line"), "{status}");
    let preview = stdout(&run(&["push", "--dry-run"], &ws, &emu));
    assert!(
        preview.contains("DELETE delete: 1 stores in 1 request"),
        "{preview}"
    );
    assert_eq!(emu.stores().len(), 2, "a dry run sends nothing");

    let undone = run(&["undo"], &ws, &emu);
    assert!(stdout(&undone).contains("Undone: Delete B"), "{undone:?}");
    assert_eq!(
        stdout(&run(&["status"], &ws, &emu)).trim(),
        "No pending changes."
    );
    assert!(run(&["redo"], &ws, &emu).status.success());

    let file = dir.path().join("new.json");
    std::fs::write(&file, storedesk::model::write_body(&[store("C", "Gamma")])).expect("write");
    let imported = run(&["import", file.to_str().expect("utf-8")], &ws, &emu);
    assert!(imported.status.success(), "{imported:?}");
    let drafts = dir.path().join("drafts.json");
    let exported = run(
        &["drafts", "export", drafts.to_str().expect("utf-8")],
        &ws,
        &emu,
    );
    assert!(
        stdout(&exported).starts_with("2 pending changes written"),
        "{exported:?}"
    );

    let pushed = run(&["push"], &ws, &emu);
    assert!(pushed.status.success(), "{pushed:?}");
    assert!(
        stdout(&pushed).starts_with("1 created, 0 updated, 1 deleted"),
        "{}",
        stdout(&pushed)
    );
    let mut ids: Vec<String> = emu.stores().iter().map(|s| s.id().to_owned()).collect();
    ids.sort();
    assert_eq!(ids, ["A", "C"]);
    assert!(!String::from_utf8_lossy(&pushed.stderr).contains(KEY));
}

#[test]
fn a_push_without_a_key_says_which_variable_to_set_and_keeps_the_drafts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("new.json");
    std::fs::write(&file, storedesk::model::write_body(&[store("C", "Gamma")])).expect("write");
    let ws = dir.path().join("ws");
    let imported = Command::new(env!("CARGO_BIN_EXE_storedesk"))
        .args(["import", file.to_str().expect("utf-8"), "--workspace"])
        .arg(&ws)
        .output()
        .expect("runs");
    assert!(imported.status.success());
    let pushed = Command::new(env!("CARGO_BIN_EXE_storedesk"))
        .args([
            "push",
            "--base-url",
            "http://127.0.0.1:9",
            "--key-env",
            "STOREDESK_UNSET_KEY",
            "--workspace",
        ])
        .arg(&ws)
        .env_remove("STOREDESK_UNSET_KEY")
        .output()
        .expect("runs");
    assert!(!pushed.status.success());
    let err = String::from_utf8_lossy(&pushed.stderr);
    assert!(err.contains("STOREDESK_UNSET_KEY is not set"), "{err}");
    let status = Command::new(env!("CARGO_BIN_EXE_storedesk"))
        .args(["status", "--workspace"])
        .arg(&ws)
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&status.stdout).contains("new C"));
}
