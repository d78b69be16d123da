//! The sync engine against the emulator over real HTTP on 127.0.0.1: pushes that converge,
//! conflicts, a refused store isolated, lost answers resolved by reading back, a wrong key,
//! and replace all.

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use storedesk::api::{ApiKey, Client, ClientConfig, KeyKind};
use storedesk::emulator::{Emulator, EmulatorConfig, Faults};
use storedesk::model::Store;
use storedesk::sync::{self, PushOptions, PushReport};
use storedesk::workspace::{ChangeKind, Origin, Resolution, Workspace};

use crate::common;

use common::{assert_no_delete_without_query, store};

const KEY: &str = "sync-test-private-key";

async fn emulator(faults: Faults) -> Emulator {
    Emulator::start(
        EmulatorConfig {
            private_key: KEY.into(),
            qps: 0,
            faults,
            ..EmulatorConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("emulator starts")
}

fn client(emu: &Emulator, secret: &str) -> Client {
    let mut config = ClientConfig::new(emu.base_url(), ApiKey::new(KeyKind::Private, secret));
    config.qps = 0;
    config.max_retries = 3;
    config.backoff_base = Duration::from_millis(5);
    config.max_backoff = Duration::from_millis(50);
    config.timeout = Duration::from_secs(5);
    Client::new(config).expect("client")
}

fn options() -> PushOptions {
    PushOptions {
        retry_base: Duration::from_millis(5),
        max_attempts: 20,
        ..PushOptions::default()
    }
}

async fn push(ws: &mut Workspace, client: &Client) -> PushReport {
    sync::push(ws, client, &options(), &|_| {}, &AtomicBool::new(false))
        .await
        .expect("push runs")
}

/// The emulator's stores and the workspace's, compared as a GET would show them.
fn assert_converged(emu: &Emulator, ws: &Workspace) {
    let mut remote: Vec<Store> = emu.stores().iter().map(Store::remote_view).collect();
    let mut local: Vec<Store> = ws
        .stores()
        .expect("stores")
        .iter()
        .map(Store::remote_view)
        .collect();
    remote.sort_by(|a, b| a.id().cmp(b.id()));
    local.sort_by(|a, b| a.id().cmp(b.id()));
    assert_eq!(remote, local);
    assert_eq!(ws.pending_count().expect("count"), 0);
}

fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = Workspace::open_dir(dir.path()).expect("workspace");
    (dir, ws)
}

#[tokio::test]
async fn a_push_sends_deletes_updates_and_creates_and_then_nothing() {
    let emu = emulator(Faults::default()).await;
    emu.set_stores(vec![store("A", "a"), store("B", "b"), store("C", "c")]);
    let c = client(&emu, KEY);
    let (_dir, mut ws) = workspace();
    let pulled = sync::pull(&mut ws, &c, |_, _| {}).await.expect("pull");
    assert_eq!(pulled.added, 3);
    ws.update(store("A", "a2"), &Origin::Form).expect("edit");
    ws.delete(&["B".into()], &Origin::Form).expect("delete");
    ws.create(store("D", "d"), &Origin::Form).expect("create");
    ws.rename("C", "C2", &Origin::Form).expect("rename");
    let before = emu.requests().len();
    let report = push(&mut ws, &c).await;
    assert!(report.is_complete(), "{report:?}");
    assert_eq!((report.created, report.updated, report.deleted), (2, 1, 2));
    assert_eq!(report.write_requests, 3, "one DELETE, one PUT, one POST");
    let methods: Vec<String> = emu.requests()[before..]
        .iter()
        .map(|r| r.method.clone())
        .filter(|m| m != "GET")
        .collect();
    assert_eq!(methods, ["DELETE", "PUT", "POST"]);
    assert_converged(&emu, &ws);
    let again = push(&mut ws, &c).await;
    assert_eq!(again.write_requests + again.read_requests, 0);
    assert_no_delete_without_query(&emu.requests());
}

#[tokio::test]
async fn a_store_changed_on_the_server_is_held_back_until_the_user_chooses() {
    let emu = emulator(Faults::default()).await;
    emu.set_stores(vec![store("A", "a"), store("B", "b")]);
    let c = client(&emu, KEY);
    let (_dir, mut ws) = workspace();
    sync::pull(&mut ws, &c, |_, _| {}).await.expect("pull");
    ws.update(store("A", "mine"), &Origin::Form)
        .expect("edit A");
    ws.update(store("B", "mine"), &Origin::Form)
        .expect("edit B");
    emu.put_store(store("A", "theirs"));
    let report = push(&mut ws, &c).await;
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    assert_eq!(report.conflicts[0].0, "A");
    assert_eq!(report.updated, 1);
    let a = emu.stores().into_iter().find(|s| s.id() == "A").expect("A");
    assert_eq!(
        a.name.as_deref(),
        Some("theirs"),
        "theirs was not overwritten"
    );
    ws.resolve_conflict("A", Resolution::Mine).expect("mine");
    let report = push(&mut ws, &c).await;
    assert!(report.is_complete(), "{report:?}");
    assert_converged(&emu, &ws);
    let a = emu.stores().into_iter().find(|s| s.id() == "A").expect("A");
    assert_eq!(a.name.as_deref(), Some("mine"));
}

#[tokio::test]
async fn a_store_deleted_on_the_server_under_an_update_is_a_conflict() {
    let emu = emulator(Faults::default()).await;
    emu.set_stores(vec![store("A", "a")]);
    let c = client(&emu, KEY);
    let (_dir, mut ws) = workspace();
    sync::pull(&mut ws, &c, |_, _| {}).await.expect("pull");
    ws.update(store("A", "mine"), &Origin::Form).expect("edit");
    emu.set_stores(vec![]);
    let report = push(&mut ws, &c).await;
    assert_eq!(
        report.conflicts,
        [(
            "A".to_owned(),
            "deleted on the server since your last pull".to_owned()
        )]
    );
    assert!(emu.stores().is_empty());
    ws.resolve_conflict("A", Resolution::Mine).expect("mine");
    assert_eq!(ws.pending().expect("pending")[0].kind, ChangeKind::Create);
    assert!(push(&mut ws, &c).await.is_complete());
    assert_converged(&emu, &ws);
}

#[tokio::test]
async fn a_refused_store_is_isolated_and_the_rest_of_its_batch_goes_through() {
    let emu = emulator(Faults {
        refused_ids: vec!["BAD".into()],
        ..Faults::default()
    })
    .await;
    // Another user created S07 with other content: the POST of it is refused too.
    emu.set_stores(vec![store("S07", "theirs")]);
    let c = client(&emu, KEY);
    let (_dir, mut ws) = workspace();
    for i in 0..16 {
        let id = if i == 11 {
            "BAD".to_owned()
        } else {
            format!("S{i:02}")
        };
        ws.create(store(&id, "new"), &Origin::Form).expect("create");
    }
    let report = push(&mut ws, &c).await;
    assert_eq!(report.created, 14, "{report:?}");
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, "BAD");
    assert!(
        report.failed[0].1.contains("BAD"),
        "the server's message: {}",
        report.failed[0].1
    );
    assert_eq!(report.conflicts.len(), 1);
    assert_eq!(report.conflicts[0].0, "S07");
    assert!(
        report.write_requests <= 1 + 2 * 2 * 4,
        "bisection stays logarithmic: {}",
        report.write_requests
    );
    let pending: Vec<String> = ws
        .pending()
        .expect("pending")
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(pending, ["BAD", "S07"]);
    let bad = &ws.pending_of(&["BAD".into()]).expect("pending")[0];
    assert!(
        bad.failure
            .as_deref()
            .is_some_and(|f| f.contains("refused"))
    );
    assert_eq!(emu.stores().len(), 15);
}

#[tokio::test]
async fn lost_answers_and_server_errors_end_with_every_edit_applied_once() {
    let emu = emulator(Faults {
        lost_response_rate: 0.4,
        server_error_rate: 0.2,
        ..Faults::default()
    })
    .await;
    let c = client(&emu, KEY);
    let (_dir, mut ws) = workspace();
    for i in 0..40 {
        ws.create(store(&format!("S{i:02}"), "v1"), &Origin::Form)
            .expect("create");
    }
    let options = PushOptions {
        plan: storedesk::sync::PlanOptions {
            count_budget: 5,
            ..Default::default()
        },
        ..options()
    };
    let report = sync::push(&mut ws, &c, &options, &|_| {}, &AtomicBool::new(false))
        .await
        .expect("push");
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.created + report.already_applied, 40);
    assert_converged(&emu, &ws);
    // Updates and deletes through the same faults.
    for i in 0..20 {
        ws.update(store(&format!("S{i:02}"), "v2"), &Origin::Form)
            .expect("update");
    }
    let ids: Vec<String> = (20..40).map(|i| format!("S{i:02}")).collect();
    ws.delete(&ids, &Origin::Form).expect("delete");
    let report = sync::push(&mut ws, &c, &options, &|_| {}, &AtomicBool::new(false))
        .await
        .expect("push");
    assert!(report.is_complete(), "{report:?}");
    assert_converged(&emu, &ws);
    assert_no_delete_without_query(&emu.requests());
}

#[tokio::test]
async fn a_push_cut_after_sending_is_settled_by_the_next_one_without_conflicts() {
    let emu = emulator(Faults::default()).await;
    emu.set_stores(vec![store("A", "a")]);
    let c = client(&emu, KEY);
    let (_dir, mut ws) = workspace();
    sync::pull(&mut ws, &c, |_, _| {}).await.expect("pull");
    ws.update(store("A", "v1"), &Origin::Form).expect("edit");
    ws.create(store("N", "new"), &Origin::Form).expect("create");
    // A run that sent its requests and stopped before recording the answers.
    let pending = ws.pending().expect("pending");
    let items: Vec<storedesk::workspace::SentItem> = pending
        .iter()
        .map(|p| storedesk::workspace::SentItem {
            id: p.id.clone(),
            store: p.local.clone(),
            version: p.version,
        })
        .collect();
    let run = ws.begin_push().expect("push id");
    ws.record_sending(run, "PUT", &items, 0).expect("sending");
    c.update(&[store("A", "v1")]).await.expect("applied");
    c.add(&[store("N", "new")]).await.expect("applied");
    // The user edits A again before pushing again.
    ws.update(store("A", "v2"), &Origin::Form)
        .expect("edit again");
    let report = push(&mut ws, &c).await;
    assert!(report.is_complete(), "{report:?}");
    assert!(report.conflicts.is_empty());
    assert_eq!(report.already_applied, 2);
    assert_converged(&emu, &ws);
    let a = emu.stores().into_iter().find(|s| s.id() == "A").expect("A");
    assert_eq!(a.name.as_deref(), Some("v2"));
}

#[tokio::test]
async fn a_wrong_key_stops_the_push_with_a_sentence_and_keeps_the_drafts() {
    let emu = emulator(Faults::default()).await;
    let c = client(&emu, "not-the-key");
    let (_dir, mut ws) = workspace();
    ws.create(store("A", "a"), &Origin::Form).expect("create");
    let report = push(&mut ws, &c).await;
    let stopped = report.stopped.expect("stopped");
    assert!(stopped.contains("key was refused"), "{stopped}");
    assert!(!stopped.contains("not-the-key"));
    assert_eq!(ws.pending_count().expect("count"), 1);
    assert!(ws.inflight().expect("inflight").is_empty());
    assert!(emu.stores().is_empty());
}

#[tokio::test]
async fn replace_all_says_what_it_will_do_and_makes_the_project_the_local_dataset() {
    let emu = emulator(Faults::default()).await;
    emu.set_stores(vec![store("A", "a"), store("B", "b"), store("C", "c")]);
    let c = client(&emu, KEY);
    let (_dir, mut ws) = workspace();
    sync::pull(&mut ws, &c, |_, _| {}).await.expect("pull");
    ws.delete(&["A".into()], &Origin::Form).expect("delete");
    ws.update(store("B", "b2"), &Origin::Form).expect("edit");
    ws.create(store("D", "d"), &Origin::Form).expect("create");
    let remote = c.list_all(|_, _| {}).await.expect("list");
    let plan = sync::plan_replace(&ws, &remote, &Default::default()).expect("plan");
    assert!(
        plan.describe()
            .starts_with("1 stores will be deleted, 1 created, 1 updated (1 unchanged)"),
        "{}",
        plan.describe()
    );
    sync::replace(&mut ws, &c, &plan).await.expect("replace");
    assert_converged(&emu, &ws);
}
