//! Syncs the write-ahead log to the disk while a large step is still being written.
//!
//! SQLite appends a step's pages to the log as its page cache fills, but the system keeps
//! them in memory until the commit's fsync, which then waits for every one of them at once:
//! about 0.2 s for the 100 MB a 100,000-store import writes, with nothing else to do
//! meanwhile. Syncing the log as it changes, on a thread of its own, does most of that
//! writing while the stores are still being converted, and the commit's fsync finds little
//! left. Durability is unchanged: the commit still syncs the log, and the pages of a step
//! rolled back are frames that no commit covers, ignored when the log is read, as they would
//! be anyway.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

/// How often the thread looks at the log.
const POLL: Duration = Duration::from_millis(25);

/// The log of a step being written, synced by a thread until this is stopped or dropped.
pub(super) struct LogSyncer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    /// Syncs done so far.
    syncs: Arc<AtomicUsize>,
}

impl LogSyncer {
    /// Starts syncing the write-ahead log of the database at `database`; `None` if no thread
    /// can be had (the commit then syncs it all, as it does for a small step).
    pub fn start(database: &Path) -> Option<LogSyncer> {
        let mut log = database.as_os_str().to_owned();
        log.push("-wal");
        let log = PathBuf::from(log);
        let (stop, stopped) = mpsc::channel();
        let syncs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&syncs);
        let thread = std::thread::Builder::new()
            .name("storedesk-log-sync".into())
            .spawn(move || run(&log, &stopped, &counted))
            .ok()?;
        Some(LogSyncer {
            stop: Some(stop),
            thread: Some(thread),
            syncs,
        })
    }

    /// How many times the log was synced so far.
    pub fn syncs(&self) -> usize {
        self.syncs.load(Ordering::Relaxed)
    }

    /// Stops the thread, once a sync under way has finished; returns how many times it
    /// synced the log.
    pub fn stop(mut self) -> usize {
        self.end();
        self.syncs()
    }

    fn end(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for LogSyncer {
    fn drop(&mut self) {
        self.end();
    }
}

/// Syncs the log whenever it was written since the last look (its length or modification
/// time moved), until `stopped` says to stop, counting the syncs in `syncs`.
fn run(log: &Path, stopped: &mpsc::Receiver<()>, syncs: &AtomicUsize) {
    // Opened at the first look: a new workspace's log may not exist yet.
    let mut file: Option<File> = None;
    let mut synced: Option<(u64, Option<SystemTime>)> = None;
    loop {
        match stopped.recv_timeout(POLL) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        if file.is_none() {
            file = File::open(log).ok();
        }
        let Some(f) = &file else { continue };
        let Ok(meta) = f.metadata() else { continue };
        let now = (meta.len(), meta.modified().ok());
        if synced == Some(now) {
            continue;
        }
        // A log that cannot be synced here (a system that wants it open for writing) is
        // synced by the commit, as it would be without this thread, which stops trying.
        if f.sync_data().is_err() {
            return;
        }
        syncs.fetch_add(1, Ordering::Relaxed);
        synced = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::time::Instant;

    /// Waits, a bounded time, until the syncer has synced more than `than` times.
    fn wait_for_sync(syncer: &LogSyncer, than: usize) -> usize {
        let start = Instant::now();
        while syncer.syncs() <= than && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(5));
        }
        syncer.syncs()
    }

    #[test]
    fn a_log_is_synced_each_time_it_is_written_and_the_thread_stops_when_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let syncer = LogSyncer::start(&dir.path().join("w.sqlite")).expect("thread");
        let mut log = File::create(dir.path().join("w.sqlite-wal")).expect("log");
        let mut seen = 0;
        for round in 1..=3 {
            log.write_all(&[7u8; 64 * 1024]).expect("write");
            seen = wait_for_sync(&syncer, seen);
            assert!(seen >= round, "{seen} syncs after {round} writes");
        }
        let t = Instant::now();
        let syncs = syncer.stop();
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "stopping waited {:?}",
            t.elapsed()
        );
        assert!((3..=4).contains(&syncs), "{syncs} syncs for three writes");
    }

    #[test]
    fn a_log_left_as_it_is_is_synced_once_and_no_log_is_no_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let absent = LogSyncer::start(&dir.path().join("none.sqlite")).expect("thread");
        std::fs::write(dir.path().join("w.sqlite-wal"), b"frames").expect("log");
        let still = LogSyncer::start(&dir.path().join("w.sqlite")).expect("thread");
        assert_eq!(wait_for_sync(&still, 0), 1);
        std::thread::sleep(POLL * 8);
        assert_eq!(still.stop(), 1, "a log left as it was is not synced again");
        assert_eq!(absent.stop(), 0, "no log, nothing synced");
    }
}
