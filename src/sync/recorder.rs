//! Recording the answers of a push's write requests on a thread of its own, with a connection
//! of its own to the workspace, so the thread that reads, records and starts the next requests
//! is not held up by them. The two threads' writes are serialised by one lock (SQLite takes one
//! writer at a time); answers that arrive while one is being recorded are recorded together, in
//! one transaction.
//!
//! An answer not yet recorded when the process stops leaves its stores in flight, where the
//! next push reads them back, as it does for a request whose answer never came.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use crate::workspace::{Answer, Outgoing, Workspace, WorkspaceError};

/// The recording thread: where answers go, and what it ends with.
type Thread = (
    Sender<Answer<Outgoing>>,
    JoinHandle<Result<(), WorkspaceError>>,
);

pub(super) struct Recorder {
    /// Held by whichever thread writes to the workspace.
    gate: Arc<Mutex<()>>,
    /// `None` when answers are recorded by the caller's own connection.
    thread: Option<Thread>,
}

impl Recorder {
    /// Starts the recording thread with a second connection to `ws`; if that connection cannot
    /// be had, answers are recorded on `ws` as they come.
    pub fn start(ws: &Workspace) -> Recorder {
        let gate = Arc::new(Mutex::new(()));
        let thread = ws.connect_again().ok().and_then(|own| {
            let (sender, answers) = mpsc::channel();
            let shared = Arc::clone(&gate);
            std::thread::Builder::new()
                .name("storedesk-push-recorder".into())
                .spawn(move || record_all(own, &answers, &shared))
                .ok()
                .map(|handle| (sender, handle))
        });
        Recorder { gate, thread }
    }

    /// Holds the workspace's writes for the caller while the guard lives.
    pub fn lock(&self) -> MutexGuard<'_, ()> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `answer`, on the recording thread when there is one.
    pub fn record(
        &mut self,
        ws: &mut Workspace,
        answer: Answer<Outgoing>,
    ) -> Result<(), WorkspaceError> {
        match &self.thread {
            Some((sender, _)) => match sender.send(answer) {
                Ok(()) => Ok(()),
                // The thread stopped on an error: that error is the answer.
                Err(_) => self.finish(),
            },
            None => {
                let _writing = self.lock();
                ws.record_answers(std::slice::from_ref(&answer))
            }
        }
    }

    /// Waits until every answer given is recorded.
    pub fn finish(&mut self) -> Result<(), WorkspaceError> {
        let Some((sender, handle)) = self.thread.take() else {
            return Ok(());
        };
        drop(sender);
        match handle.join() {
            Ok(result) => result,
            Err(_) => Err(WorkspaceError::Database(
                "the thread recording the push's answers stopped unexpectedly; push again to confirm what was sent".into(),
            )),
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Records answers until the sending side is gone; stops at the first error.
fn record_all(
    mut ws: Workspace,
    answers: &Receiver<Answer<Outgoing>>,
    gate: &Mutex<()>,
) -> Result<(), WorkspaceError> {
    while let Ok(first) = answers.recv() {
        let mut batch = vec![first];
        batch.extend(answers.try_iter());
        let _writing = gate.lock().unwrap_or_else(PoisonError::into_inner);
        ws.record_answers(&batch)?;
    }
    Ok(())
}
