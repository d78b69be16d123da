//! A local server that answers like the Woosmap Data Management API for one project: the store
//! endpoints (`POST`, `PUT`, `DELETE /stores`, `POST /stores/replace`, `GET /stores/{id}`,
//! `GET /stores?page=N`), the private and public keys, the rate limit, the 15 MB body limit,
//! and faults on demand (server errors, slow answers, lost responses), so the client and the
//! sync engine can be exercised without touching a real project.
//!
//! [`Emulator`] runs inside a caller's tokio runtime; [`start_in_background`] gives it a thread
//! and a runtime of its own; [`run_cli`] is `storedesk emulator`.

mod http;
mod state;

use std::collections::HashSet;
use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use indexmap::IndexMap;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

use crate::model::{DocumentError, Store, parse_document};
use state::State;

/// How long open connections get to finish their request once the emulator stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Failures the emulator produces on purpose. Each rate is a probability from 0 to 1, drawn per
/// request on the `/stores` routes.
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    /// Answer 502 or 503 `{"detail": "Service unavailable"}` without applying anything.
    pub server_error_rate: f64,
    /// Apply the request, then wait `slow_delay` before answering.
    pub slow_rate: f64,
    /// How long a slow answer waits.
    pub slow_delay: Duration,
    /// For writes: apply the write, then close the connection without answering.
    pub lost_response_rate: f64,
    /// Store ids the server refuses: a write batch holding one is answered 400 and nothing in
    /// it is applied, as the API does with an asset it finds invalid.
    pub refused_ids: Vec<String>,
}

impl Default for Faults {
    /// No faults; a slow answer, if enabled, takes 35 s (past the API's 30 s timeout).
    fn default() -> Faults {
        Faults {
            server_error_rate: 0.0,
            slow_rate: 0.0,
            slow_delay: Duration::from_secs(35),
            lost_response_rate: 0.0,
            refused_ids: Vec::new(),
        }
    }
}

/// How the emulator behaves.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// The key that reads and writes (`private_key=`).
    pub private_key: String,
    /// The key that only reads (`key=`).
    pub public_key: String,
    /// Stores per page of `GET /stores`.
    pub page_size: usize,
    /// Requests admitted in any one-second window; 0 for no limit.
    pub qps: u32,
    /// Added before every answer.
    pub latency: Duration,
    /// Failures produced on purpose.
    pub faults: Faults,
    /// Seed of the draws that decide faults, so a run can be repeated.
    pub seed: u64,
    /// Where the project is saved after each write and read from at start, if set.
    pub state_file: Option<PathBuf>,
    /// Print `METHOD PATH STATUS` to stderr for each request (keys redacted).
    pub log_to_stderr: bool,
}

impl Default for EmulatorConfig {
    /// Keys `private-key` and `public-key`, 300 stores a page, 10 requests a second, no latency,
    /// no faults, no state file, no logging.
    fn default() -> EmulatorConfig {
        EmulatorConfig {
            private_key: "private-key".to_owned(),
            public_key: "public-key".to_owned(),
            page_size: 300,
            qps: 10,
            latency: Duration::ZERO,
            faults: Faults::default(),
            seed: 0,
            state_file: None,
            log_to_stderr: false,
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("private_key", &"***")
            .field("public_key", &"***")
            .field("page_size", &self.page_size)
            .field("qps", &self.qps)
            .field("latency", &self.latency)
            .field("faults", &self.faults)
            .field("seed", &self.seed)
            .field("state_file", &self.state_file)
            .field("log_to_stderr", &self.log_to_stderr)
            .finish()
    }
}

/// One request the emulator received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestLog {
    /// `GET`, `POST`, `PUT`, `DELETE`, ...
    pub method: String,
    /// Path and query, with the values of `private_key` and `key` replaced by `***`.
    pub path: String,
    /// The status answered; 0 when the response was dropped on purpose.
    pub status: u16,
}

/// Why `storedesk emulator` could not run.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The address could not be bound, or the state file could not be read.
    #[error("could not start the emulator on {addr}: {source}")]
    Start { addr: SocketAddr, source: io::Error },
    /// The tokio runtime could not be built.
    #[error("could not start the emulator's async runtime: {0}")]
    Runtime(io::Error),
    /// The data file could not be read.
    #[error("could not read {}: {source}", path.display())]
    ReadData { path: PathBuf, source: io::Error },
    /// The data file is not Woosmap JSON or GeoJSON.
    #[error("{} is not a file of stores: {source}", path.display())]
    Document {
        path: PathBuf,
        source: DocumentError,
    },
    /// A store of the data file is unreadable, invalid or repeated.
    #[error("{}: {message}", path.display())]
    InvalidData { path: PathBuf, message: String },
    /// Ctrl-C could not be listened for.
    #[error("could not wait for Ctrl-C: {0}")]
    Signal(io::Error),
}

/// The settings that do not change while the emulator runs.
#[derive(Debug)]
struct Settings {
    private_key: String,
    public_key: String,
    page_size: usize,
    qps: u32,
    latency: Duration,
    state_file: Option<PathBuf>,
    log_to_stderr: bool,
}

/// What the server tasks and the handles share.
#[derive(Debug)]
pub(crate) struct Shared {
    settings: Settings,
    state: Mutex<State>,
    /// The generation of the state last written to the state file.
    saved: Mutex<u64>,
}

impl Shared {
    fn new(config: &EmulatorConfig, stores: IndexMap<String, state::Entry>) -> Shared {
        Shared {
            settings: Settings {
                private_key: config.private_key.clone(),
                public_key: config.public_key.clone(),
                page_size: config.page_size,
                qps: config.qps,
                latency: config.latency,
                state_file: config.state_file.clone(),
                log_to_stderr: config.log_to_stderr,
            },
            state: Mutex::new(State::new(stores, config.faults.clone(), config.seed)),
            saved: Mutex::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the state file, if there is one, unless a newer state was written already.
    fn save(&self) {
        let Some(path) = &self.settings.state_file else {
            return;
        };
        let (generation, bytes) = {
            let state = self.lock();
            (state.generation, state.snapshot())
        };
        let mut saved = self.saved.lock().unwrap_or_else(PoisonError::into_inner);
        if *saved >= generation {
            return;
        }
        match crate::files::write_atomically(path, &bytes) {
            Ok(()) => *saved = generation,
            Err(e) => eprintln!(
                "emulator: could not save its state to {}: {e}",
                path.display()
            ),
        }
    }

    fn log(&self, entry: RequestLog) {
        if self.settings.log_to_stderr {
            eprintln!("{} {} {}", entry.method, entry.path, entry.status);
        }
        self.lock().log(entry);
    }

    fn stores(&self) -> Vec<Store> {
        self.lock()
            .stores
            .values()
            .map(|e| e.store().clone())
            .collect()
    }

    fn set_stores(&self, stores: Vec<Store>) {
        let now = state::timestamp(chrono::Utc::now());
        self.lock().set_all(stores, &now);
        self.save();
    }

    fn put_store(&self, store: Store) {
        let now = state::timestamp(chrono::Utc::now());
        self.lock().insert(store, &now);
        self.save();
    }

    fn requests(&self) -> Vec<RequestLog> {
        self.lock().requests.iter().cloned().collect()
    }

    fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }
}

/// A running emulator, serving on the caller's tokio runtime. Dropping it stops the server too;
/// [`Emulator::shutdown`] also waits for it.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl Emulator {
    /// Binds `addr` (port 0 picks a free port), loads the state file if it exists, and serves.
    /// Must be called inside a tokio runtime.
    pub async fn start(config: EmulatorConfig, addr: SocketAddr) -> io::Result<Emulator> {
        let stores = match &config.state_file {
            Some(path) if path.exists() => {
                state::load(path, &state::timestamp(chrono::Utc::now()))?
            }
            _ => IndexMap::new(),
        };
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(&config, stores));
        let (stop, stopped) = watch::channel(false);
        let server = tokio::spawn(serve(listener, Arc::clone(&shared), stopped));
        Ok(Emulator {
            addr,
            shared,
            stop,
            server,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to give a client: `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        base_url(self.addr)
    }

    /// The stores, in the order they were created.
    pub fn stores(&self) -> Vec<Store> {
        self.shared.stores()
    }

    /// Replaces the whole project without going through HTTP; every store is stamped now.
    /// A later store with the same id replaces an earlier one.
    pub fn set_stores(&self, stores: Vec<Store>) {
        self.shared.set_stores(stores);
    }

    /// Inserts or replaces one store without going through HTTP.
    pub fn put_store(&self, store: Store) {
        self.shared.put_store(store);
    }

    /// The requests received so far (the last 10,000), oldest first.
    pub fn requests(&self) -> Vec<RequestLog> {
        self.shared.requests()
    }

    /// Changes the faults for the requests that follow.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// Stops accepting connections, gives open ones a second to finish, and waits for the
    /// server to stop.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
    }
}

fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// The accept loop: one task per connection, until `stopped` changes or its sender goes.
async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or similar: let it pass rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let shared = Arc::clone(&shared);
                let mut stop = stopped.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| http::handle(Arc::clone(&shared), request));
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => return,
                        _ = stop.changed() => {}
                    }
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// An emulator on a thread of its own with its own tokio runtime, for callers that have no
/// runtime. Dropping it stops the server and joins the thread.
#[derive(Debug)]
pub struct BackgroundEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundEmulator {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to give a client: `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        base_url(self.addr)
    }

    /// The stores, in the order they were created.
    pub fn stores(&self) -> Vec<Store> {
        self.shared.stores()
    }

    /// The requests received so far (the last 10,000), oldest first.
    pub fn requests(&self) -> Vec<RequestLog> {
        self.shared.requests()
    }

    /// Replaces every store underneath the API, as a reset does.
    pub fn set_stores(&self, stores: Vec<Store>) {
        self.shared.set_stores(stores);
    }
}

impl Drop for BackgroundEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the emulator on its own thread with its own tokio runtime; for callers without a
/// runtime (the desktop app). Returns once it listens.
pub fn start_in_background(
    config: EmulatorConfig,
    addr: SocketAddr,
) -> io::Result<BackgroundEmulator> {
    type Ready = io::Result<(SocketAddr, Arc<Shared>)>;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Ready>();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("storedesk-emulator".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("storedesk-emulator-worker")
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            runtime.block_on(async move {
                match Emulator::start(config, addr).await {
                    Ok(emulator) => {
                        let _ = ready_tx.send(Ok((emulator.addr(), Arc::clone(&emulator.shared))));
                        let _ = stop_rx.await;
                        emulator.shutdown().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })?;
    match ready_rx.recv() {
        Ok(Ok((addr, shared))) => Ok(BackgroundEmulator {
            addr,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            let _ = thread.join();
            Err(io::Error::other(
                "the emulator thread stopped before it started listening",
            ))
        }
    }
}

/// `storedesk emulator` runs this until Ctrl-C; prints "emulator listening on http://ADDR" to
/// stdout first. `data`, a Woosmap JSON or GeoJSON file of stores, fills the project when there
/// is no state file to load; its stores must pass the checks a write would.
pub fn run_cli(
    config: EmulatorConfig,
    addr: SocketAddr,
    data: Option<PathBuf>,
) -> Result<(), EmulatorError> {
    let state_exists = config.state_file.as_ref().is_some_and(|p| p.exists());
    let initial = match &data {
        Some(path) if !state_exists => Some(load_data(path)?),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(EmulatorError::Runtime)?;
    runtime.block_on(async move {
        let emulator = Emulator::start(config, addr)
            .await
            .map_err(|source| EmulatorError::Start { addr, source })?;
        let loaded = initial.as_ref().map(Vec::len);
        if let Some(stores) = initial {
            emulator.set_stores(stores);
        }
        println!("emulator listening on http://{}", emulator.addr());
        let _ = io::stdout().flush();
        match (loaded, &data) {
            (Some(n), Some(path)) => eprintln!("loaded {n} stores from {}", path.display()),
            _ => eprintln!("{} stores in the project", emulator.stores().len()),
        }
        eprintln!("press Ctrl-C to stop");
        let signal = tokio::signal::ctrl_c().await;
        emulator.shutdown().await;
        signal.map_err(EmulatorError::Signal)
    })
}

/// Reads a file of stores for [`run_cli`]: every store readable, valid, and with its own id.
fn load_data(path: &std::path::Path) -> Result<Vec<Store>, EmulatorError> {
    let text = std::fs::read_to_string(path).map_err(|source| EmulatorError::ReadData {
        path: path.to_owned(),
        source,
    })?;
    let document = parse_document(&text).map_err(|source| EmulatorError::Document {
        path: path.to_owned(),
        source,
    })?;
    let invalid = |message: String| EmulatorError::InvalidData {
        path: path.to_owned(),
        message,
    };
    let mut stores = Vec::with_capacity(document.entries.len());
    let mut seen = HashSet::new();
    for entry in document.entries {
        let store = entry
            .result
            .map_err(|e| invalid(format!("store #{} at {e}", entry.index + 1)))?;
        state::check_store(entry.index, &store).map_err(invalid)?;
        if !seen.insert(store.id().to_owned()) {
            return Err(invalid(format!(
                "store \"{}\" appears more than once",
                store.id()
            )));
        }
        stores.push(store);
    }
    Ok(stores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_debug_form_of_a_config_hides_the_keys() {
        let config = EmulatorConfig {
            private_key: "s3cret-private".into(),
            public_key: "s3cret-public".into(),
            ..EmulatorConfig::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn base_urls_point_at_a_reachable_address() {
        let url = |a: &str| base_url(a.parse().expect("addr"));
        assert_eq!(url("127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(url("0.0.0.0:80"), "http://127.0.0.1:80");
        assert_eq!(url("[::]:81"), "http://[::1]:81");
    }

    #[test]
    fn data_files_must_hold_valid_distinct_stores() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("writes");
            path
        };
        let good = r#"{"storeId":"A","name":"N","location":{"lat":1,"lng":2}}"#;
        let ok = write("ok.json", &format!("{{\"stores\":[{good}]}}"));
        assert_eq!(load_data(&ok).map(|s| s.len()).ok(), Some(1));
        let twice = write("twice.json", &format!("[{good},{good}]"));
        assert!(matches!(
            load_data(&twice),
            Err(EmulatorError::InvalidData { .. })
        ));
        let bad = write("bad.json", r#"[{"storeId":"A","name":"N"}]"#);
        let message = load_data(&bad)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("no location"), "{message}");
        let broken = write("broken.json", "{\"stores\": [");
        assert!(matches!(
            load_data(&broken),
            Err(EmulatorError::Document { .. })
        ));
        let missing = dir.path().join("missing.json");
        assert!(matches!(
            load_data(&missing),
            Err(EmulatorError::ReadData { .. })
        ));
    }
}
