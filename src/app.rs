//! The application state and the window. On start it opens the current profile (the sandbox
//! on a first run, with its emulator and sample stores), pulls when the workspace has never
//! been pulled, and shows the stores on the map and in the list. The work runs away from the
//! window's thread; its results arrive as events read once a frame.

pub mod sandbox;

use std::sync::mpsc::{Receiver, Sender, channel};

use crate::api::{ApiKey, Client, ClientConfig, KeyKind};
use crate::emulator::BackgroundEmulator;
use crate::profiles::{ProfileStore, SANDBOX_PRIVATE_KEY};
use crate::ui;
use crate::ui::basemap::OfflineBasemap;
use crate::workspace::Summary;

/// What the background work tells the window.
pub enum Event {
    /// The profile shown: its name and whether it is the sandbox.
    Profile { name: String, sandbox: bool },
    /// The sandbox's emulator, kept running as long as the window.
    Emulator(BackgroundEmulator),
    /// The stores to show.
    Stores(Vec<Summary>),
    /// A sentence for the status line.
    Status(String),
    /// Something went wrong: a sentence that says what to do.
    Error(String),
}

/// What the window shows.
pub struct StoreDeskApp {
    pub stores: Vec<Summary>,
    pub map: ui::map::MapView,
    pub profile: Option<(String, bool)>,
    pub status: String,
    pub error: Option<String>,
    events: Option<Receiver<Event>>,
    emulator: Option<BackgroundEmulator>,
}

impl StoreDeskApp {
    /// A window showing `stores`, with no background work (tests, screenshots).
    pub fn new(stores: Vec<Summary>) -> StoreDeskApp {
        StoreDeskApp {
            stores,
            map: ui::map::MapView::default(),
            profile: None,
            status: String::new(),
            error: None,
            events: None,
            emulator: None,
        }
    }

    /// A window that opens the current profile in the background.
    pub fn start(ctx: &egui::Context) -> StoreDeskApp {
        OfflineBasemap::preload(ctx);
        let (tx, rx) = channel();
        let repaint = ctx.clone();
        std::thread::spawn(move || {
            open_current_profile(&tx, &repaint);
            repaint.request_repaint();
        });
        let mut app = StoreDeskApp::new(Vec::new());
        app.status = "Opening the project…".into();
        app.events = Some(rx);
        app
    }

    /// Applies the events that arrived since the last frame.
    pub fn drain_events(&mut self) {
        let Some(rx) = &self.events else {
            return;
        };
        while let Ok(event) = rx.try_recv() {
            match event {
                Event::Profile { name, sandbox } => self.profile = Some((name, sandbox)),
                Event::Emulator(emulator) => self.emulator = Some(emulator),
                Event::Stores(stores) => {
                    self.map.fit_next(&stores);
                    self.stores = stores;
                }
                Event::Status(s) => self.status = s,
                Event::Error(e) => self.error = Some(e),
            }
        }
    }

    /// Whether the sandbox's emulator is running in this window.
    pub fn has_sandbox_emulator(&self) -> bool {
        self.emulator.is_some()
    }
}

/// Opens the current profile (creating the sandbox on a first run), pulls if the workspace
/// was never pulled, and sends the stores.
fn open_current_profile(tx: &Sender<Event>, ctx: &egui::Context) {
    let send = |e: Event| {
        let _ = tx.send(e);
        ctx.request_repaint();
    };
    let mut profiles = match ProfileStore::default_location() {
        Ok(p) => p,
        Err(e) => return send(Event::Error(e.to_string())),
    };
    if let Err(e) = profiles.ensure_sandbox() {
        return send(Event::Error(e.to_string()));
    }
    let Some(profile) = profiles.current().cloned() else {
        return send(Event::Error(
            "No project is set up; add a profile with its API key.".into(),
        ));
    };
    send(Event::Profile {
        name: profile.name.clone(),
        sandbox: profile.sandbox,
    });
    let (base_url, key) = if profile.sandbox {
        let state = profiles.emulator_state_path(&profile.id);
        match sandbox::start(&state) {
            Ok(emulator) => {
                let url = emulator.base_url();
                send(Event::Emulator(emulator));
                (url, ApiKey::new(KeyKind::Private, SANDBOX_PRIVATE_KEY))
            }
            Err(e) => {
                return send(Event::Error(format!(
                    "The sandbox could not start ({e}); check that {} can be written.",
                    state.display()
                )));
            }
        }
    } else {
        let url = profile
            .base_url
            .clone()
            .unwrap_or_else(|| crate::api::DEFAULT_BASE_URL.to_owned());
        match profiles.key(&profile.id) {
            Ok(Some(key)) => (url, key),
            Ok(None) => {
                return send(Event::Error(format!(
                    "No API key is kept for \"{}\"; add the project's key in the profile settings.",
                    profile.name
                )));
            }
            Err(e) => return send(Event::Error(e.to_string())),
        }
    };
    let mut ws = match profiles.open_workspace(&profile.id) {
        Ok(ws) => ws,
        Err(e) => return send(Event::Error(e.to_string())),
    };
    if let Ok(stores) = ws.summaries()
        && !stores.is_empty()
    {
        send(Event::Stores(stores));
    }
    if matches!(ws.last_pull(), Ok(None)) {
        send(Event::Status("Reading the project's stores…".into()));
        let pulled = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|rt| {
                let client =
                    Client::new(ClientConfig::new(base_url, key)).map_err(|e| e.to_string())?;
                rt.block_on(crate::sync::pull(&mut ws, &client, |_, _| {}))
                    .map_err(|e| e.to_string())
            });
        match pulled {
            Ok(report) => send(Event::Status(format!(
                "{} stores read from the project.",
                report.remote_stores
            ))),
            Err(e) => send(Event::Error(e)),
        }
    } else {
        send(Event::Status(String::new()));
    }
    match ws.summaries() {
        Ok(stores) => send(Event::Stores(stores)),
        Err(e) => send(Event::Error(e.to_string())),
    }
}

impl eframe::App for StoreDeskApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.drain_events();
        ui::main_window(ui, self);
    }
}

/// Opens the window and runs until it is closed.
pub fn run() -> Result<(), eframe::Error> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("storedesk")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    eframe::run_native(
        "storedesk",
        options,
        Box::new(|cc| Ok(Box::new(StoreDeskApp::start(&cc.egui_ctx)))),
    )
}
