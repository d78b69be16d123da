//! Checkpoints of the write-ahead log on a thread of their own, once writes pause, so that no
//! commit waits for the log to be copied into the database file. The log stays durable either
//! way: a checkpoint only moves committed pages, and one cut short is finished by the next.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How often the thread looks for new commits.
const POLL: Duration = Duration::from_millis(100);

/// Commits must pause this long before a checkpoint runs.
const QUIET: Duration = Duration::from_millis(300);

/// A checkpoint runs at the latest this long after the first commit it would copy, even while
/// commits go on, so the log does not grow without end.
const MAX_DELAY: Duration = Duration::from_secs(5);

/// The checkpoint thread of one workspace connection; it stops when this is dropped.
pub(super) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread with a connection of its own; `None` if either cannot be had (the
    /// workspace then checkpoints as it commits, as SQLite does by default).
    pub fn start(path: &Path) -> Option<Checkpointer> {
        let conn = Connection::open(path).ok()?;
        conn.busy_timeout(Duration::from_secs(1)).ok()?;
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("storedesk-checkpoint".into())
            .spawn(move || run(&conn, &stopped))
            .ok()?;
        Some(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(conn: &Connection, stopped: &mpsc::Receiver<()>) {
    let version =
        || -> Option<i64> { conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok() };
    let mut seen = version();
    // When the first commit not yet copied was seen, and the last one.
    let mut pending: Option<(Instant, Instant)> = None;
    loop {
        match stopped.recv_timeout(POLL) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        let now = Instant::now();
        let current = version();
        if current != seen {
            seen = current;
            pending = Some(pending.map_or((now, now), |(first, _)| (first, now)));
        }
        if let Some((first, last)) = pending
            && (now - last >= QUIET || now - first >= MAX_DELAY)
        {
            let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            pending = None;
        }
    }
}
