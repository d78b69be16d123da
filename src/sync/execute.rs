//! Running a push: settle writes left in flight, look for conflicts, then send the plan's
//! batches within the rate limit, isolating refused stores and resolving lost answers by
//! reading back before anything is sent again.
//!
//! Stores travel as the workspace holds them: each batch's JSON is read just before it is
//! recorded as sent and joined into the request body as it is. While requests are out, the
//! next batch is read, recorded and built, so it leaves as soon as a request slot frees; the
//! answers are recorded meanwhile on a thread of their own (see `recorder`), and all of them
//! before the push returns.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use tokio::task::JoinSet;

use super::plan::{
    Batch, HeldBack, NewStoreBatches, PlanOptions, check_ids_outgoing, method_of, outgoing_body,
    outgoing_body_size, plan_outgoing,
};
use super::recorder::Recorder;
use crate::api::{ApiError, Client, backoff};
use crate::model::{RemoteMeta, Store};
use crate::workspace::{Answer, ChangeKind, Conflict, Outgoing, Workspace, WorkspaceError};

/// How a push runs.
#[derive(Clone, Debug)]
pub struct PushOptions {
    pub plan: PlanOptions,
    /// Write requests in flight at once (the rate limiter still spaces them).
    pub concurrency: usize,
    /// Sends of one batch whose outcome stays unknown before its stores are marked failed.
    pub max_attempts: u32,
    /// Above this many stores to read back, one full listing replaces single reads.
    pub read_back_listing_above: usize,
    /// Wait before sending again a batch that was not applied.
    pub retry_base: Duration,
}

impl Default for PushOptions {
    fn default() -> PushOptions {
        PushOptions {
            plan: PlanOptions::default(),
            concurrency: 2,
            max_attempts: 5,
            read_back_listing_above: 100,
            retry_base: Duration::from_millis(500),
        }
    }
}

/// Where a push is, for a progress bar.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PushProgress {
    /// `checking`, `deleting`, `updating`, `creating`, `done`.
    pub phase: &'static str,
    pub stores_done: usize,
    pub stores_total: usize,
    pub requests_sent: usize,
}

/// What a push did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PushReport {
    pub push: i64,
    /// Write requests sent (retries and bisection included).
    pub write_requests: usize,
    /// Reads made to check for conflicts and to resolve lost answers.
    pub read_requests: usize,
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    /// Drafts the server already held (from an earlier push whose answer was lost).
    pub already_applied: usize,
    /// Stores that changed on the server: `(id, what happened)`.
    pub conflicts: Vec<(String, String)>,
    /// Stores the server refused: `(id, its message)`.
    pub failed: Vec<(String, String)>,
    pub held_back: Vec<HeldBack>,
    pub names_at_risk: Vec<String>,
    /// The user asked to stop; the requests in flight were finished and recorded.
    pub cancelled: bool,
    /// Why the push stopped early, if it did (a wrong key, no network): a sentence.
    pub stopped: Option<String>,
}

impl PushReport {
    /// Whether every change that was planned reached the server.
    pub fn is_complete(&self) -> bool {
        self.conflicts.is_empty()
            && self.failed.is_empty()
            && !self.cancelled
            && self.stopped.is_none()
    }
}

/// Why a push could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Api(#[from] ApiError),
}

struct Job {
    kind: ChangeKind,
    items: Vec<Outgoing>,
    attempt: u32,
}

/// The jobs of one phase: those planned, and those to send again, first; then, when the new
/// stores are read as the push goes, the requests still to be planned from them.
#[derive(Default)]
struct Jobs {
    queue: VecDeque<Job>,
    more: Option<NewStoreBatches>,
    /// New stores held back that the progress has already left out.
    held_counted: usize,
}

impl Jobs {
    fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.more.as_ref().is_none_or(|m| m.stores() == 0)
    }

    fn next(&mut self) -> Result<Option<Job>, SyncError> {
        if let Some(job) = self.queue.pop_front() {
            return Ok(Some(job));
        }
        let Some(more) = &mut self.more else {
            return Ok(None);
        };
        Ok(more.next_batch()?.map(|b| Job {
            kind: b.kind,
            items: b.items,
            attempt: 0,
        }))
    }

    /// New stores held back since the last call.
    fn newly_held_back(&mut self) -> usize {
        let held = self.more.as_ref().map_or(0, |m| m.held_back.len());
        let new = held.saturating_sub(self.held_counted);
        self.held_counted = held;
        new
    }

    fn push_front(&mut self, job: Job) {
        self.queue.push_front(job);
    }

    fn push_back(&mut self, job: Job) {
        self.queue.push_back(job);
    }
}

/// A job recorded as sent, with its body built, waiting for a request slot.
struct Ready {
    job: Job,
    seq: i64,
    body: Bytes,
}

/// What a request task gives back.
type Sent = (Job, i64, Result<String, ApiError>);

/// A store as read back: `None` when the server does not have it.
type Remote = Option<(Store, RemoteMeta)>;

/// Rounds of single reads for stores whose read failed with an error that may pass (a server
/// error, a timeout, the network), beyond the client's own retries.
const READ_ROUNDS: u32 = 3;

/// About how long the first of those rounds waits (each one waits twice as long).
const READ_ROUND_WAIT: Duration = Duration::from_millis(100);

/// Reads these stores from the server: one GET each, or one listing when there are many.
/// Returns the stores and the number of reads made.
pub async fn read_back(
    client: &Client,
    ids: &[String],
    listing_above: usize,
) -> Result<(HashMap<String, Remote>, usize), ApiError> {
    let mut out: HashMap<String, Remote> = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok((out, 0));
    }
    if ids.len() > listing_above {
        let pages = std::sync::atomic::AtomicUsize::new(0);
        let all = client
            .list_all(|_, count| pages.store(count as usize, Ordering::Relaxed))
            .await?;
        let mut by_id: HashMap<String, (Store, RemoteMeta)> = all
            .into_iter()
            .map(|(s, m)| (s.id().to_owned(), (s, m)))
            .collect();
        for id in ids {
            out.insert(id.clone(), by_id.remove(id));
        }
        return Ok((out, pages.load(Ordering::Relaxed).max(1)));
    }
    // Stores whose read failed with an error that may pass are read again, a few rounds
    // apart, so one unlucky read does not stop a push.
    let mut left: Vec<String> = ids.to_vec();
    let mut reads = 0;
    let mut round = 0;
    loop {
        reads += left.len();
        let mut set = JoinSet::new();
        for id in left.drain(..) {
            let client = client.clone();
            set.spawn(async move {
                let r = client.get(&id).await;
                (id, r)
            });
        }
        let mut failure: Option<ApiError> = None;
        let mut passing = true;
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((id, Ok(remote))) => {
                    out.insert(id, remote);
                }
                Ok((id, Err(e))) => {
                    passing &= matches!(
                        e,
                        ApiError::Server { .. } | ApiError::Timeout(_) | ApiError::Network { .. }
                    );
                    left.push(id);
                    failure.get_or_insert(e);
                }
                Err(e) => {
                    passing = false;
                    failure.get_or_insert(ApiError::InvalidResponse {
                        detail: format!("a read stopped: {e}"),
                    });
                }
            }
        }
        let Some(e) = failure else {
            return Ok((out, reads));
        };
        round += 1;
        if !passing || round >= READ_ROUNDS {
            return Err(e);
        }
        left.sort();
        tokio::time::sleep(backoff(round, READ_ROUND_WAIT, Duration::from_secs(2))).await;
    }
}

/// How a sent store compares with what the server holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Landing {
    Applied,
    NotApplied,
    /// Neither what was sent nor what was there before: someone else changed it.
    Other,
}

fn landing(kind: ChangeKind, item: &Outgoing, base_hash: Option<u64>, remote: &Remote) -> Landing {
    let remote_hash = remote.as_ref().map(|(s, _)| s.remote_hash());
    let sent_hash = item.remote_hash;
    match kind {
        ChangeKind::Delete => match remote {
            None => Landing::Applied,
            Some(_) => Landing::NotApplied,
        },
        ChangeKind::Create => match remote_hash {
            None => Landing::NotApplied,
            Some(h) if Some(h) == sent_hash => Landing::Applied,
            Some(_) => Landing::Other,
        },
        ChangeKind::Update => match remote_hash {
            // Sending an update again is harmless: when the read cannot tell, send again.
            Some(h) if Some(h) == base_hash => Landing::NotApplied,
            Some(h) if Some(h) == sent_hash => Landing::Applied,
            _ => Landing::Other,
        },
    }
}

fn conflict_of(kind: ChangeKind, remote: Remote) -> Conflict {
    match (kind, remote) {
        (_, None) => Conflict::DeletedRemotely,
        (ChangeKind::Create, Some((theirs, meta))) => Conflict::ExistsRemotely {
            theirs,
            last_updated: meta.last_updated,
        },
        (_, Some((theirs, meta))) => Conflict::ChangedRemotely {
            theirs,
            last_updated: meta.last_updated,
        },
    }
}

struct Push<'a> {
    ws: &'a mut Workspace,
    client: &'a Client,
    options: &'a PushOptions,
    report: PushReport,
    base_hashes: HashMap<String, u64>,
    progress: &'a (dyn Fn(&PushProgress) + Sync),
    state: PushProgress,
    /// Records the answers of write requests while the next ones are read and sent.
    recorder: Recorder,
}

/// Pushes the workspace's pending changes. Errors that stop the push midway (a refused key,
/// no network) come back in `PushReport::stopped`, with everything done so far recorded; an
/// `Err` means the workspace itself failed.
pub async fn push(
    ws: &mut Workspace,
    client: &Client,
    options: &PushOptions,
    progress: &(dyn Fn(&PushProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<PushReport, SyncError> {
    if !client.can_write() {
        return Err(ApiError::ReadOnly.into());
    }
    let push_id = ws.begin_push()?;
    let recorder = Recorder::start(ws);
    let mut run = Push {
        ws,
        client,
        options,
        report: PushReport {
            push: push_id,
            ..PushReport::default()
        },
        base_hashes: HashMap::new(),
        progress,
        state: PushProgress {
            phase: "checking",
            ..PushProgress::default()
        },
        recorder,
    };
    (run.progress)(&run.state);
    let outcome = run.run(cancel).await;
    // Every answer is recorded before the push returns.
    let recorded = run.recorder.finish();
    match outcome {
        Ok(()) => {}
        Err(SyncError::Api(e)) => run.report.stopped = Some(e.to_string()),
        Err(e) => return Err(e),
    }
    recorded?;
    run.state.phase = "done";
    (run.progress)(&run.state);
    Ok(run.report)
}

impl Push<'_> {
    async fn run(&mut self, cancel: &AtomicBool) -> Result<(), SyncError> {
        self.settle_inflight().await?;
        // When most drafts are new stores, the first request leaves while the rest are read.
        let new_as_it_goes = self.ws.reads_new_stores_as_it_goes()?;
        let read = |ws: &Workspace| {
            if new_as_it_goes {
                ws.outgoing_except_new()
            } else {
                ws.outgoing()
            }
        };
        let changes = match self.check_conflicts(&read).await? {
            Some(unchanged) => unchanged,
            None => read(self.ws)?,
        };
        let new_stores = if new_as_it_goes {
            Some(NewStoreBatches::new(
                self.ws.read_new_stores()?,
                &self.options.plan,
            ))
        } else {
            None
        };
        self.base_hashes = changes
            .iter()
            .filter_map(|c| c.base_remote_hash.map(|h| (c.id.clone(), h)))
            .collect();
        let plan = plan_outgoing(changes, &self.options.plan);
        self.report.held_back = plan.held_back;
        self.report.names_at_risk = plan.names_at_risk;
        self.state.stores_total = plan.batches.iter().map(|b| b.items.len()).sum::<usize>()
            + new_stores.as_ref().map_or(0, NewStoreBatches::stores);
        let mut phases: Vec<(ChangeKind, Jobs)> = vec![
            (ChangeKind::Delete, Jobs::default()),
            (ChangeKind::Update, Jobs::default()),
            (
                ChangeKind::Create,
                Jobs {
                    more: new_stores,
                    ..Jobs::default()
                },
            ),
        ];
        for Batch { kind, items, .. } in plan.batches {
            if let Some((_, jobs)) = phases.iter_mut().find(|(k, _)| *k == kind) {
                jobs.push_back(Job {
                    kind,
                    items,
                    attempt: 0,
                });
            }
        }
        let mut outcome = Ok(());
        for (kind, jobs) in &mut phases {
            if jobs.is_empty() || self.report.cancelled {
                continue;
            }
            self.state.phase = match kind {
                ChangeKind::Delete => "deleting",
                ChangeKind::Update => "updating",
                ChangeKind::Create => "creating",
            };
            (self.progress)(&self.state);
            outcome = self.run_phase(jobs, cancel).await;
            if outcome.is_err() {
                break;
            }
            if cancel.load(Ordering::Relaxed) {
                self.report.cancelled = true;
            }
        }
        // New stores held back, those of a push that stopped early included, are reported in
        // id order with the others, as a plan lists them.
        for (_, jobs) in &mut phases {
            if let Some(mut more) = jobs.more.take() {
                while more.next_batch()?.is_some() {}
                self.report.held_back.append(&mut more.held_back);
                self.report.held_back.sort_by(|a, b| a.id.cmp(&b.id));
            }
        }
        outcome
    }

    /// Writes a previous run sent without recording an answer: read them back, keep what
    /// landed, forget the rest (it is still a draft and is planned again).
    async fn settle_inflight(&mut self) -> Result<(), SyncError> {
        let inflight = self.ws.inflight()?;
        if inflight.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = inflight.iter().map(|i| i.item.id.clone()).collect();
        let (remote, reads) =
            read_back(self.client, &ids, self.options.read_back_listing_above).await?;
        self.report.read_requests += reads;
        let mut landed = Vec::new();
        let mut dropped = Vec::new();
        for i in inflight {
            let r = remote.get(&i.item.id).and_then(|r| r.as_ref());
            let hit = match (r, i.remote_hash) {
                (Some((s, _)), Some(h)) => s.remote_hash() == h,
                (None, None) => true,
                _ => false,
            };
            if hit {
                landed.push(i.item);
            } else {
                dropped.push(i.item.id);
            }
        }
        self.report.already_applied += landed.len();
        self.ws.confirm_inflight(&landed, &dropped)?;
        Ok(())
    }

    /// Reads the stores the plan updates or deletes and compares them with the base. Returns
    /// the pending changes (as `read` lists them) when the check changed nothing, so they
    /// need not be read again.
    async fn check_conflicts(
        &mut self,
        read: &impl Fn(&Workspace) -> Result<Vec<Outgoing>, WorkspaceError>,
    ) -> Result<Option<Vec<Outgoing>>, SyncError> {
        let changes = read(self.ws)?;
        let check_ids = check_ids_outgoing(&changes);
        if check_ids.is_empty() {
            return Ok(Some(changes));
        }
        let (remote, reads) = read_back(
            self.client,
            &check_ids,
            self.options.read_back_listing_above,
        )
        .await?;
        self.report.read_requests += reads;
        let by_id: HashMap<&str, &Outgoing> = changes.iter().map(|c| (c.id.as_str(), c)).collect();
        for id in &check_ids {
            let Some(c) = by_id.get(id.as_str()) else {
                continue;
            };
            let r = remote.get(id).cloned().flatten();
            let remote_hash = r.as_ref().map(|(s, _)| s.remote_hash());
            let local_hash = c.remote_hash;
            let base_hash = c.base_remote_hash;
            if remote_hash == local_hash && local_hash != base_hash {
                // An earlier push landed without its answer.
                self.ws.mark_already_applied(*c)?;
                self.report.already_applied += 1;
            } else if remote_hash.is_some() && remote_hash == base_hash {
                let updated = r.as_ref().and_then(|(_, m)| m.last_updated.as_deref());
                self.ws.refresh_last_updated(id, updated)?;
            } else {
                let conflict = conflict_of(c.kind, r);
                self.report
                    .conflicts
                    .push((id.clone(), conflict.describe().to_owned()));
                self.ws.mark_conflict(id, &conflict)?;
            }
        }
        Ok(None)
    }

    /// Reads the next job's JSON, records it as sent and builds its body. A store whose draft
    /// changed since the plan stays a draft for the next push; a job left with nothing is
    /// skipped.
    fn next_ready(&mut self, queue: &mut Jobs) -> Result<Option<Ready>, SyncError> {
        while let Some(mut job) = queue.next()? {
            let held = queue.newly_held_back();
            self.state.stores_total = self.state.stores_total.saturating_sub(held);
            let push = self.report.push;
            let kind = job.kind;
            let (seq, changed) = self.write(|ws| {
                ws.record_sending_drafts(push, method_of(kind), &mut job.items, |items| {
                    if kind == ChangeKind::Delete {
                        0
                    } else {
                        outgoing_body_size(items)
                    }
                })
            })?;
            self.state.stores_total = self.state.stores_total.saturating_sub(changed.len());
            let Some(seq) = seq else {
                continue;
            };
            let body = if job.kind == ChangeKind::Delete {
                Bytes::new()
            } else {
                Bytes::from(outgoing_body(&job.items))
            };
            return Ok(Some(Ready { job, seq, body }));
        }
        Ok(None)
    }

    /// Sends a ready job on its own task (the rate limiter decides when it leaves).
    fn start(&mut self, running: &mut JoinSet<Sent>, ready: Ready) {
        self.report.write_requests += 1;
        self.state.requests_sent += 1;
        (self.progress)(&self.state);
        let client = self.client.clone();
        let wait = if ready.job.attempt > 0 {
            backoff(
                ready.job.attempt,
                self.options.retry_base,
                Duration::from_secs(30),
            )
        } else {
            Duration::ZERO
        };
        running.spawn(async move {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            let Ready { job, seq, body } = ready;
            let result = send(&client, job.kind, &job.items, body).await;
            (job, seq, result)
        });
    }

    async fn run_phase(&mut self, queue: &mut Jobs, cancel: &AtomicBool) -> Result<(), SyncError> {
        let mut running: JoinSet<Sent> = JoinSet::new();
        let mut ready: Option<Ready> = None;
        let mut stop: Option<ApiError> = None;
        let concurrency = self.options.concurrency.max(1);
        let outcome = 'run: loop {
            let open = |stop: &Option<ApiError>| stop.is_none() && !cancel.load(Ordering::Relaxed);
            while open(&stop) && running.len() < concurrency {
                let next = match ready.take() {
                    Some(r) => Some(r),
                    None => match self.next_ready(queue) {
                        Ok(r) => r,
                        Err(e) => break 'run Err(e),
                    },
                };
                let Some(next) = next else {
                    break;
                };
                self.start(&mut running, next);
            }
            // While the requests are out, the next one gets ready.
            if open(&stop) && ready.is_none() && !running.is_empty() {
                match self.next_ready(queue) {
                    Ok(r) => ready = r,
                    Err(e) => break Err(e),
                }
            }
            let Some(joined) = running.join_next().await else {
                break Ok(());
            };
            let (job, seq, result) = match joined {
                Ok(sent) => sent,
                Err(e) => {
                    break Err(SyncError::Api(ApiError::InvalidResponse {
                        detail: format!("a request task stopped: {e}"),
                    }));
                }
            };
            // The slot this request held goes to the one ready before its answer is recorded.
            if open(&stop)
                && running.len() < concurrency
                && let Some(next) = ready.take()
            {
                self.start(&mut running, next);
            }
            if let Err(e) = self.handle(job, seq, result, queue).await {
                match e {
                    SyncError::Api(api) => {
                        stop.get_or_insert(api);
                    }
                    other => break Err(other),
                }
            }
            (self.progress)(&self.state);
        };
        // A job made ready but never sent is no longer in flight.
        if let Some(r) = ready.take() {
            self.record(
                r.seq,
                "not sent",
                String::new(),
                Vec::new(),
                ids_of(&r.job.items),
            )?;
        }
        outcome?;
        match stop {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// Writes to the workspace from this thread, while the recorder waits.
    fn write<R>(
        &mut self,
        f: impl FnOnce(&mut Workspace) -> Result<R, WorkspaceError>,
    ) -> Result<R, SyncError> {
        let _writing = self.recorder.lock();
        Ok(f(self.ws)?)
    }

    /// Hands the answer to the request `seq` to the recorder: `applied` now on the server as
    /// sent, `not_applied` no longer in flight.
    fn record(
        &mut self,
        seq: i64,
        outcome: &str,
        message: String,
        applied: Vec<Outgoing>,
        not_applied: Vec<String>,
    ) -> Result<(), SyncError> {
        let answer = Answer {
            seq,
            outcome: outcome.to_owned(),
            message,
            applied,
            not_applied,
        };
        Ok(self.recorder.record(self.ws, answer)?)
    }

    fn applied(&mut self, kind: ChangeKind, n: usize) {
        match kind {
            ChangeKind::Create => self.report.created += n,
            ChangeKind::Update => self.report.updated += n,
            ChangeKind::Delete => self.report.deleted += n,
        }
        self.state.stores_done += n;
    }

    async fn handle(
        &mut self,
        job: Job,
        seq: i64,
        result: Result<String, ApiError>,
        queue: &mut Jobs,
    ) -> Result<(), SyncError> {
        match result {
            Ok(message) => {
                let (kind, n) = (job.kind, job.items.len());
                self.record(seq, "ok", message, job.items, Vec::new())?;
                self.applied(kind, n);
                Ok(())
            }
            Err(e @ (ApiError::BatchRejected { .. } | ApiError::TooLarge { .. })) => {
                let message = match &e {
                    ApiError::BatchRejected { message } => message.clone(),
                    other => other.to_string(),
                };
                self.record(
                    seq,
                    "refused",
                    message.clone(),
                    Vec::new(),
                    ids_of(&job.items),
                )?;
                if job.items.len() > 1 {
                    let mut items = job.items;
                    let second = items.split_off(items.len() / 2);
                    queue.push_front(Job {
                        kind: job.kind,
                        items: second,
                        attempt: 0,
                    });
                    queue.push_front(Job {
                        kind: job.kind,
                        items,
                        attempt: 0,
                    });
                    return Ok(());
                }
                self.refused_alone(job, message).await
            }
            Err(e @ ApiError::RateLimited { .. }) => {
                // Certainly not applied.
                self.record(
                    seq,
                    "not sent",
                    e.to_string(),
                    Vec::new(),
                    ids_of(&job.items),
                )?;
                self.again(job, queue, &e)
            }
            Err(
                e @ (ApiError::OutcomeUnknown { .. }
                | ApiError::Server { .. }
                | ApiError::Timeout(_)),
            ) => self.unknown_outcome(job, seq, &e, queue).await,
            Err(e) => {
                self.record(seq, "error", e.to_string(), Vec::new(), ids_of(&job.items))?;
                Err(e.into())
            }
        }
    }

    /// Sends a batch that was not applied again, or gives up on it after too many tries.
    fn again(&mut self, job: Job, queue: &mut Jobs, e: &ApiError) -> Result<(), SyncError> {
        if job.attempt + 1 >= self.options.max_attempts {
            let failures: Vec<(String, String)> = job
                .items
                .iter()
                .map(|i| {
                    (
                        i.id.clone(),
                        format!("Not confirmed after {} tries: {e}", job.attempt + 1),
                    )
                })
                .collect();
            self.write(|ws| ws.mark_failed(&failures))?;
            self.report.failed.extend(failures);
            return Ok(());
        }
        queue.push_back(Job {
            attempt: job.attempt + 1,
            ..job
        });
        Ok(())
    }

    /// One store the server refused on its own.
    async fn refused_alone(&mut self, job: Job, message: String) -> Result<(), SyncError> {
        let Some(item) = job.items.into_iter().next() else {
            return Ok(());
        };
        if job.kind != ChangeKind::Delete {
            // A create refused because the id exists, or an update because it does not: read
            // it to tell a conflict (or our own earlier write) from a store the API rejects.
            let (remote, reads) =
                read_back(self.client, std::slice::from_ref(&item.id), usize::MAX).await?;
            self.report.read_requests += reads;
            let r = remote.get(&item.id).cloned().flatten();
            let base_hash = self.base_hashes.get(&item.id).copied();
            match (job.kind, landing(job.kind, &item, base_hash, &r)) {
                (_, Landing::Applied) => {
                    self.write(|ws| ws.mark_already_applied(&item))?;
                    self.report.already_applied += 1;
                    self.state.stores_done += 1;
                    return Ok(());
                }
                (ChangeKind::Create, Landing::Other) | (ChangeKind::Update, Landing::Other) => {
                    let conflict = conflict_of(job.kind, r);
                    self.report
                        .conflicts
                        .push((item.id.clone(), conflict.describe().to_owned()));
                    self.write(|ws| ws.mark_conflict(&item.id, &conflict))?;
                    return Ok(());
                }
                _ => {}
            }
        }
        let failure = (item.id.clone(), message);
        self.write(|ws| ws.mark_failed(std::slice::from_ref(&failure)))?;
        self.report.failed.push(failure);
        Ok(())
    }

    /// The answer was lost (or was a server error after the body was sent): read back before
    /// sending anything again.
    async fn unknown_outcome(
        &mut self,
        job: Job,
        seq: i64,
        e: &ApiError,
        queue: &mut Jobs,
    ) -> Result<(), SyncError> {
        // A batch is atomic: its first and last stores tell for all, unless they disagree.
        let mut sample: Vec<String> = Vec::new();
        if let Some(first) = job.items.first() {
            sample.push(first.id.clone());
        }
        if let Some(last) = job.items.last()
            && job.items.len() > 1
        {
            sample.push(last.id.clone());
        }
        let (remote, reads) =
            read_back(self.client, &sample, self.options.read_back_listing_above).await?;
        self.report.read_requests += reads;
        let landings: Vec<Landing> = job
            .items
            .iter()
            .filter(|i| sample.contains(&i.id))
            .map(|i| {
                let r = remote.get(&i.id).cloned().flatten();
                landing(job.kind, i, self.base_hashes.get(&i.id).copied(), &r)
            })
            .collect();
        let ids = ids_of(&job.items);
        if landings.iter().all(|l| *l == Landing::Applied) {
            let (kind, n) = (job.kind, job.items.len());
            self.record(seq, "ok (read back)", e.to_string(), job.items, Vec::new())?;
            self.applied(kind, n);
            return Ok(());
        }
        if landings.iter().all(|l| *l == Landing::NotApplied) {
            self.record(
                seq,
                "not applied (read back)",
                e.to_string(),
                Vec::new(),
                ids,
            )?;
            return self.again(job, queue, e);
        }
        // Mixed: look at every store.
        let (remote, reads) =
            read_back(self.client, &ids, self.options.read_back_listing_above).await?;
        self.report.read_requests += reads;
        let mut applied = Vec::new();
        let mut retry = Vec::new();
        let mut others = Vec::new();
        for item in job.items {
            let r = remote.get(&item.id).cloned().flatten();
            match landing(job.kind, &item, self.base_hashes.get(&item.id).copied(), &r) {
                Landing::Applied => applied.push(item),
                Landing::NotApplied => retry.push(item),
                Landing::Other => others.push((item.id, r)),
            }
        }
        let retry_ids: Vec<String> = retry.iter().map(|i| i.id.clone()).collect();
        let mut not_applied = retry_ids.clone();
        not_applied.extend(others.iter().map(|(id, _)| id.clone()));
        let applied_count = applied.len();
        self.record(
            seq,
            "partly applied (read back)",
            e.to_string(),
            applied,
            not_applied,
        )?;
        self.applied(job.kind, applied_count);
        for (id, r) in others {
            let conflict = conflict_of(job.kind, r);
            self.report
                .conflicts
                .push((id.clone(), conflict.describe().to_owned()));
            self.write(|ws| ws.mark_conflict(&id, &conflict))?;
        }
        if !retry.is_empty() {
            self.again(
                Job {
                    kind: job.kind,
                    items: retry,
                    attempt: job.attempt,
                },
                queue,
                e,
            )?;
        }
        Ok(())
    }
}

fn ids_of(items: &[Outgoing]) -> Vec<String> {
    items.iter().map(|i| i.id.clone()).collect()
}

async fn send(
    client: &Client,
    kind: ChangeKind,
    items: &[Outgoing],
    body: Bytes,
) -> Result<String, ApiError> {
    match kind {
        ChangeKind::Delete => {
            let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
            client.delete(&ids).await.map(|n| format!("{n} deleted"))
        }
        ChangeKind::Update => client.update_body(body).await.map(|o| o.message),
        ChangeKind::Create => client.add_body(body).await.map(|o| o.message),
    }
}
