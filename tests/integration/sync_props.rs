//! Property: any sequence of edits, undos, pulls and pushes against the emulator, with server
//! errors, rate limiting, timeouts and lost answers, ends (after one push without faults) with
//! the emulator's stores equal to the user's intent, and no push ever shows a refusal.

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use proptest::prelude::*;
use storedesk::api::{ApiKey, Client, ClientConfig, KeyKind};
use storedesk::emulator::{Emulator, EmulatorConfig, Faults};
use storedesk::model::{Location, Store};
use storedesk::sync::{self, PlanOptions, PushOptions};
use storedesk::workspace::{Origin, Workspace};

use crate::common;

const KEY: &str = "prop-private-key";

#[derive(Clone, Debug)]
enum Op {
    Create(u8),
    Update(u8),
    Move(u8),
    Delete(u8),
    Undo,
    Redo,
    Pull,
    Push(FaultKind),
}

#[derive(Clone, Copy, Debug)]
enum FaultKind {
    None,
    ServerErrors,
    LostAnswers,
    Timeouts,
    RateLimited,
    Everything,
}

fn op() -> impl Strategy<Value = Op> {
    let fault = prop_oneof![
        Just(FaultKind::None),
        Just(FaultKind::ServerErrors),
        Just(FaultKind::LostAnswers),
        Just(FaultKind::Timeouts),
        Just(FaultKind::RateLimited),
        Just(FaultKind::Everything),
    ];
    prop_oneof![
        4 => (0u8..12).prop_map(Op::Create),
        3 => (0u8..12).prop_map(Op::Update),
        1 => (0u8..12).prop_map(Op::Move),
        2 => (0u8..12).prop_map(Op::Delete),
        1 => Just(Op::Undo),
        1 => Just(Op::Redo),
        1 => Just(Op::Pull),
        3 => fault.prop_map(Op::Push),
    ]
}

fn faults(kind: FaultKind) -> Faults {
    let mut f = Faults {
        slow_delay: Duration::from_millis(400),
        ..Faults::default()
    };
    match kind {
        FaultKind::None => {}
        FaultKind::ServerErrors => f.server_error_rate = 0.3,
        FaultKind::LostAnswers => f.lost_response_rate = 0.4,
        FaultKind::Timeouts => f.slow_rate = 0.3,
        // The emulator admits 25 requests a second; bursts of reads and writes pass that.
        FaultKind::RateLimited => f.slow_rate = 0.0,
        FaultKind::Everything => {
            f.server_error_rate = 0.15;
            f.lost_response_rate = 0.2;
            f.slow_rate = 0.1;
        }
    }
    f
}

fn store(i: u8, n: u32) -> Store {
    Store {
        store_id: Some(format!("P{i:02}")),
        name: Some(format!("Store {i} version {n}")),
        location: Some(Location::new(40.0 + f64::from(n % 90) / 10.0, 2.0)),
        ..Store::default()
    }
}

/// The intent: the stores by id after each step, with an undo pointer, as the user sees it.
struct Model {
    states: Vec<std::collections::BTreeMap<String, Store>>,
    at: usize,
}

impl Model {
    fn now(&self) -> &std::collections::BTreeMap<String, Store> {
        &self.states[self.at]
    }
    fn step(&mut self, next: std::collections::BTreeMap<String, Store>) {
        self.states.truncate(self.at + 1);
        self.states.push(next);
        self.at += 1;
    }
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let emu = Emulator::start(
        EmulatorConfig {
            private_key: KEY.into(),
            qps: 25,
            ..EmulatorConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut config = ClientConfig::new(emu.base_url(), ApiKey::new(KeyKind::Private, KEY));
    config.qps = 0;
    config.max_retries = 3;
    config.backoff_base = Duration::from_millis(5);
    config.max_backoff = Duration::from_millis(40);
    config.timeout = Duration::from_millis(200);
    let client = Client::new(config).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut ws = Workspace::open_dir(dir.path()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let options = PushOptions {
        plan: PlanOptions {
            count_budget: 3,
            ..PlanOptions::default()
        },
        retry_base: Duration::from_millis(5),
        max_attempts: 30,
        ..PushOptions::default()
    };
    let mut model = Model {
        states: vec![Default::default()],
        at: 0,
    };
    let mut n = 0u32;
    for op in ops {
        n += 1;
        let mut next = model.now().clone();
        match op {
            Op::Create(i) | Op::Update(i) | Op::Move(i) => {
                let id = format!("P{i:02}");
                let exists = next.contains_key(&id);
                let s = store(i, n);
                let result = match op {
                    Op::Create(_) if !exists => ws.create(s.clone(), &Origin::Form),
                    Op::Update(_) if exists => ws.update(s.clone(), &Origin::Form),
                    Op::Move(_) if exists => {
                        let mut moved = next[&id].clone();
                        moved.location = Some(Location::new(10.0 + f64::from(n), 3.0));
                        next.insert(id.clone(), moved);
                        ws.move_store(&id, 10.0 + f64::from(n), 3.0)
                    }
                    _ => continue,
                };
                prop_assert_eq!(result.map_err(|e| TestCaseError::fail(e.to_string()))?, 1);
                if !matches!(op, Op::Move(_)) {
                    next.insert(id, s);
                }
                model.step(next);
            }
            Op::Delete(i) => {
                let id = format!("P{i:02}");
                if !next.contains_key(&id) {
                    continue;
                }
                ws.delete(std::slice::from_ref(&id), &Origin::Form)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                next.remove(&id);
                model.step(next);
            }
            Op::Undo => {
                let r = ws.undo();
                prop_assert_eq!(r.is_ok(), model.at > 0);
                if model.at > 0 {
                    model.at -= 1;
                }
            }
            Op::Redo => {
                let r = ws.redo();
                prop_assert_eq!(r.is_ok(), model.at + 1 < model.states.len());
                if model.at + 1 < model.states.len() {
                    model.at += 1;
                }
            }
            Op::Pull => {
                emu.set_faults(Faults::default());
                // A pull may fail under faults; drafts stay whatever happens.
                let _ = sync::pull(&mut ws, &client, |_, _| {}).await;
            }
            Op::Push(kind) => {
                emu.set_faults(faults(kind));
                let report =
                    sync::push(&mut ws, &client, &options, &|_| {}, &AtomicBool::new(false))
                        .await
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(
                    report.failed.is_empty(),
                    "a refusal was shown: {:?}",
                    report.failed
                );
                prop_assert!(
                    report.conflicts.is_empty(),
                    "a spurious conflict: {:?}",
                    report.conflicts
                );
            }
        }
        let local: std::collections::BTreeMap<String, Store> = ws
            .stores()
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .into_iter()
            .map(|s| (s.id().to_owned(), s))
            .collect();
        prop_assert_eq!(&local, model.now(), "the workspace is the intent");
        ws.check_documents()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    emu.set_faults(Faults::default());
    // The bursts of the last pushes may still fill the emulator's one-second window (this
    // client has no rate of its own): a push stopped by the rate limit is pushed again once
    // the window has passed, as the user told to wait would.
    let mut tries = 0;
    let report = loop {
        tries += 1;
        let report = sync::push(&mut ws, &client, &options, &|_| {}, &AtomicBool::new(false))
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let limited = report
            .stopped
            .as_deref()
            .is_some_and(|why| why.contains("limiting the request rate"));
        if !limited || tries == 3 {
            break report;
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
    };
    prop_assert!(report.is_complete(), "{:?}", report);
    let mut remote: Vec<Store> = emu.stores().iter().map(Store::remote_view).collect();
    remote.sort_by(|a, b| a.id().cmp(b.id()));
    let intent: Vec<Store> = model.now().values().map(Store::remote_view).collect();
    prop_assert_eq!(remote, intent);
    prop_assert_eq!(
        ws.pending_count()
            .map_err(|e| TestCaseError::fail(e.to_string()))?,
        0
    );
    common::assert_no_delete_without_query(&emu.requests());
    emu.shutdown().await;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_history_of_edits_and_faulty_pushes_converges(ops in prop::collection::vec(op(), 1..30)) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        runtime.block_on(run(ops))?;
    }
}
