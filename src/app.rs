//! The application: what the window shows ([`AppState`]), the commands its views give, and
//! the events the work behind it sends back. The work (profiles, keyring, workspace, network)
//! runs in [`backend`] on a runtime the app owns; the window's thread only reads events once a
//! frame and never waits.

pub mod backend;
pub mod files;
pub mod sandbox;

use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc::Receiver;

use crate::model::bulk::SelectionSummary;
use crate::profiles::{Profile, ProfileId, ProfileStore};
use crate::sync::{PushProgress, PushReport};
use crate::ui;
use crate::ui::basemap::OfflineBasemap;
use crate::ui::store_form::StoreForm;
use crate::workspace::{Facets, Summary, SyncState};
pub use backend::{
    Backend, Command, ConflictView, Details, Envelope, Event, FindingKey, FindingRow, Preview,
    Queue, QueueItem,
};

/// The key under which the window's own settings are kept between runs.
pub const SETTINGS_KEY: &str = "storedesk";

/// What is kept between runs in eframe's storage: never a key, never store data.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Latitude, longitude and zoom of the map.
    pub map_view: Option<(f64, f64, f64)>,
    pub basemap: Option<ui::map::Basemap>,
    pub show_queue: bool,
}

/// Filters of the store list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub text: String,
    pub tag: Option<String>,
    pub store_type: Option<String>,
    pub state: Option<SyncState>,
    /// `Some(true)`: only stores with errors; `Some(false)`: only stores without.
    pub errors: Option<bool>,
    /// Only stores without a location (an import can bring them).
    pub needs_location: bool,
}

/// A short message in the corner, with its detail one click away.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub text: String,
    pub detail: Option<String>,
    pub error: bool,
    /// When it appeared (egui time, seconds).
    pub since: f64,
    pub open: bool,
}

/// How long a toast stays, in seconds.
pub const TOAST_SECONDS: f64 = 8.0;

/// The profile form (add or edit).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileForm {
    /// `None` when adding.
    pub editing: Option<ProfileId>,
    pub name: String,
    pub base_url: String,
    pub public_key: bool,
    /// Where the key is kept: `keyring`, `environment` or `file`.
    pub key_place: String,
    pub env_variable: String,
    pub file_opt_in: bool,
    /// The key as typed; sent to the work thread and cleared, never kept elsewhere.
    pub key: String,
}

/// Everything the window shows, and the commands its views gave this frame.
#[derive(Default)]
pub struct AppState {
    pub profiles: Vec<Profile>,
    pub current: Option<ProfileId>,
    pub keyring_note: Option<String>,
    /// The open profile and the address it talks to.
    pub profile: Option<Profile>,
    pub base_url: Option<String>,
    pub stores: Vec<Summary>,
    /// Index in `stores` by id.
    pub index: HashMap<String, usize>,
    pub facets: HashMap<String, Facets>,
    /// Every tag and type in use, sorted, for the filters.
    pub all_tags: Vec<String>,
    pub all_types: Vec<String>,
    pub filter: Filter,
    /// Indices in `stores` that pass the filter.
    pub visible: Vec<usize>,
    pub visible_dirty: bool,
    pub focus_filter: bool,
    /// Scroll the list to this index on the next frame.
    pub scroll_to: Option<usize>,
    pub selection: BTreeSet<String>,
    pub details: Option<Box<Details>>,
    pub form: StoreForm,
    /// What the selected stores share (read for these ids), for the bulk-edit panel.
    pub bulk: Option<(Vec<String>, SelectionSummary)>,
    /// The bulk-edit panel's own fields.
    pub bulk_form: ui::bulk_edit::BulkForm,
    /// The conflict dialog: the store being resolved and the choices made so far.
    pub conflict: Option<ConflictView>,
    /// The problems panel: every finding across the project, when read.
    pub show_problems: bool,
    pub problems: ui::validator::ProblemsView,
    pub queue: Queue,
    pub preview: Option<Preview>,
    pub pushing: bool,
    pub push_progress: Option<PushProgress>,
    pub last_push: Option<PushReport>,
    pub pulling: Option<(u32, u32)>,
    pub status: String,
    pub error: Option<String>,
    pub toasts: Vec<Toast>,
    pub show_queue: bool,
    pub show_profiles: bool,
    pub profile_form: Option<ProfileForm>,
    /// A profile asked to be deleted: waiting for the user to confirm, or (with the count of
    /// its changes not pushed) to choose what becomes of them.
    pub deleting: Option<(ProfileId, Option<usize>)>,
    pub confirm_reset: bool,
    /// The store that the next click on the map places.
    pub placing: Option<String>,
    /// How many stores have no location.
    pub unplaced: usize,
    pub commands: Vec<Command>,
    /// The import wizard, while open.
    pub import: Option<files::ImportWizard>,
    /// The export dialog, while open.
    pub export: Option<files::ExportDialog>,
}

impl AppState {
    /// Whether the open profile may write (a private key); the reason when it may not.
    pub fn read_only_reason(&self) -> Option<&'static str> {
        self.profile.as_ref().and_then(|p| p.read_only_reason())
    }

    pub fn can_write(&self) -> bool {
        self.profile.is_some() && self.read_only_reason().is_none()
    }

    /// Sets the stores shown, keeping the selection of those still there.
    pub fn set_stores(&mut self, stores: Vec<Summary>) {
        self.index = stores
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        self.selection.retain(|id| self.index.contains_key(id));
        self.unplaced = stores
            .iter()
            .filter(|s| s.lat.is_none() || s.lng.is_none())
            .count();
        self.stores = stores;
        self.visible_dirty = true;
        self.form.other_stores = None;
    }

    pub fn set_facets(&mut self, facets: Vec<Facets>) {
        let mut tags = BTreeSet::new();
        let mut types = BTreeSet::new();
        for f in &facets {
            tags.extend(f.tags.iter().cloned());
            types.extend(f.types.iter().cloned());
        }
        self.all_tags = tags.into_iter().collect();
        self.all_types = types.into_iter().collect();
        self.facets = facets.into_iter().map(|f| (f.id.clone(), f)).collect();
        self.visible_dirty = true;
    }

    /// Recomputes the visible rows when the stores or the filter changed.
    pub fn refresh_visible(&mut self) {
        if !self.visible_dirty {
            return;
        }
        self.visible_dirty = false;
        let text = self.filter.text.trim().to_lowercase();
        let filter = &self.filter;
        let facets = &self.facets;
        self.visible = self
            .stores
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                let f = facets.get(&s.id);
                let city = f.map_or("", |f| f.city.as_str());
                (text.is_empty()
                    || s.id.to_lowercase().contains(&text)
                    || s.name.to_lowercase().contains(&text)
                    || city.to_lowercase().contains(&text))
                    && filter.state.is_none_or(|st| st == s.state)
                    && filter
                        .tag
                        .as_ref()
                        .is_none_or(|t| f.is_some_and(|f| f.tags.contains(t)))
                    && filter
                        .store_type
                        .as_ref()
                        .is_none_or(|t| f.is_some_and(|f| f.types.contains(t)))
                    && filter
                        .errors
                        .is_none_or(|e| f.is_some_and(|f| f.has_errors) == e)
                    && (!filter.needs_location || s.lat.is_none() || s.lng.is_none())
            })
            .map(|(i, _)| i)
            .collect();
    }

    /// Selects one store (from the list or the map) and asks for its details.
    pub fn select_only(&mut self, id: &str) {
        self.selection.clear();
        self.selection.insert(id.to_owned());
        self.commands.push(Command::LoadDetails(id.to_owned()));
    }

    /// The selected stores, by id.
    pub fn selected_ids(&self) -> Vec<String> {
        self.selection.iter().cloned().collect()
    }

    /// Shows a toast.
    pub fn toast(&mut self, text: impl Into<String>, detail: Option<String>, error: bool) {
        self.toasts.push(Toast {
            text: text.into(),
            detail,
            error,
            since: f64::NAN,
            open: false,
        });
    }
}

/// The application.
pub struct StoreDeskApp {
    pub state: AppState,
    pub map: ui::map::MapView,
    backend: Option<Backend>,
    events: Option<Receiver<Envelope>>,
    /// Bumped each time another profile is opened; older events are dropped.
    generation: u64,
    /// A picture of the window to save, asked for on the command line.
    pub screenshot: Option<Screenshot>,
}

/// A picture of the window to take once the stores are shown.
pub struct Screenshot {
    path: std::path::PathBuf,
    /// A store to select before the picture, so that its form shows.
    pub select: Option<String>,
    /// Open the selected store's opening-hours editor.
    pub open_hours: bool,
    /// Frames drawn since the stores and the basemap were ready.
    settled_frames: u32,
    requested: bool,
    started: std::time::Instant,
    /// Where the picture arrives.
    picture: std::sync::Arc<std::sync::Mutex<Option<std::sync::Arc<egui::ColorImage>>>>,
}

impl Screenshot {
    pub fn new(path: std::path::PathBuf) -> Screenshot {
        Screenshot {
            path,
            select: None,
            open_hours: false,
            settled_frames: 0,
            requested: false,
            started: std::time::Instant::now(),
            picture: Default::default(),
        }
    }
}

/// Saves an egui image as PNG.
pub fn save_png(image: &egui::ColorImage, path: &std::path::Path) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    image::save_buffer(
        path,
        &bytes,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| format!("{} could not be written ({e})", path.display()))
}

impl StoreDeskApp {
    /// A window showing `stores`, with no work behind it (benchmarks, screenshots of a state).
    pub fn new(stores: Vec<Summary>) -> StoreDeskApp {
        let mut state = AppState::default();
        state.set_stores(stores);
        let mut map = ui::map::MapView::default();
        map.fit_next(&state.stores);
        StoreDeskApp {
            state,
            map,
            backend: None,
            events: None,
            generation: 0,
            screenshot: None,
        }
    }

    /// A window on the user's own profiles.
    pub fn start(ctx: &egui::Context, settings: Settings) -> StoreDeskApp {
        match ProfileStore::default_location() {
            Ok(profiles) => {
                let mut app = StoreDeskApp::start_with(ctx, profiles, settings);
                // Map tiles belong in the user's cache folder, which may be emptied at will.
                if let Some(dirs) = directories::ProjectDirs::from("com", "storedesk", "storedesk")
                {
                    app.map
                        .set_cache_dir(Some(dirs.cache_dir().join("map-tiles")));
                }
                app
            }
            Err(e) => {
                let mut app = StoreDeskApp::new(Vec::new());
                app.state.error = Some(e.to_string());
                app
            }
        }
    }

    /// A window on these profiles: opens the current one (the sandbox on a first run).
    pub fn start_with(
        ctx: &egui::Context,
        profiles: ProfileStore,
        settings: Settings,
    ) -> StoreDeskApp {
        OfflineBasemap::preload(ctx);
        let mut app = StoreDeskApp::new(Vec::new());
        app.map
            .set_cache_dir(Some(profiles.data_dir().join("map-tiles")));
        if let Some((lat, lng, zoom)) = settings.map_view {
            app.map.restore(lat, lng, zoom);
        }
        if let Some(basemap) = settings.basemap {
            app.map.basemap = basemap;
        }
        app.state.show_queue = settings.show_queue;
        match Backend::start(profiles, ctx.clone()) {
            Ok((backend, events)) => {
                app.backend = Some(backend);
                app.events = Some(events);
                app.state.status = "Opening the project…".into();
                app.generation = 1;
                app.send(Command::OpenCurrent);
            }
            Err(e) => {
                app.state.error = Some(format!(
                    "storedesk could not start its background work ({e}); close other programs and start it again."
                ))
            }
        }
        app
    }

    /// Uses these open and save dialogs instead of the system's (tests answer them with a
    /// path).
    pub fn with_file_dialogs(self, dialogs: std::sync::Arc<dyn files::FileDialogs>) -> Self {
        if let Some(b) = &self.backend {
            b.set_file_dialogs(dialogs);
        }
        self
    }

    /// What to keep between runs.
    pub fn settings(&self) -> Settings {
        Settings {
            map_view: self.map.view(),
            basemap: Some(self.map.basemap),
            show_queue: self.state.show_queue,
        }
    }

    fn send(&mut self, command: Command) {
        let opens = matches!(
            command,
            Command::OpenCurrent
                | Command::Open(_)
                | Command::AddProfile { .. }
                | Command::DeleteProfile { .. }
                | Command::ResetSandbox
        );
        if opens {
            self.generation += 1;
            self.state.pushing = false;
            self.state.push_progress = None;
            self.state.preview = None;
            self.state.details = None;
            self.state.selection.clear();
            // The wizard's file belongs to the profile left.
            self.state.import = None;
        }
        match &self.backend {
            Some(b) => b.send(self.generation, command),
            None => {
                self.state.error = Some("This window has no project behind it.".into());
            }
        }
    }

    /// Sends the commands the views gave this frame. A change waiting in the store form goes
    /// first, so that an undo, a push or another selection never leaves it behind.
    pub fn flush_commands(&mut self) {
        if !self.state.commands.is_empty()
            && let Some(update) = self.state.form.take_update()
        {
            self.state.commands.insert(0, update);
        }
        for command in std::mem::take(&mut self.state.commands) {
            match command {
                Command::Push => {
                    self.state.pushing = true;
                    self.state.push_progress = None;
                    self.state.last_push = None;
                    self.send(Command::Push);
                }
                other => self.send(other),
            }
        }
    }

    /// Asks the running push to stop.
    pub fn cancel_push(&self) {
        if let Some(b) = &self.backend {
            b.cancel_push();
        }
    }

    /// Applies the events that arrived since the last frame.
    pub fn drain_events(&mut self) {
        let Some(rx) = &self.events else {
            return;
        };
        let events: Vec<Envelope> = rx.try_iter().collect();
        for envelope in events {
            if envelope.generation < self.generation {
                continue;
            }
            self.apply(envelope.event);
        }
    }

    fn apply(&mut self, event: Event) {
        let s = &mut self.state;
        match event {
            Event::Profiles {
                list,
                current,
                keyring,
            } => {
                s.profiles = list;
                s.current = current;
                s.keyring_note = keyring;
            }
            Event::Opened { profile, base_url } => {
                s.profile = Some(profile);
                s.base_url = Some(base_url);
                s.error = None;
                s.queue = Queue::default();
            }
            Event::Stores(stores) => {
                self.map.fit_next(&stores);
                self.map.invalidate();
                s.set_stores(stores);
            }
            Event::Facets(f) => {
                s.set_facets(f);
                s.problems.stale = s.problems.rows.is_some();
            }
            Event::Queue(q) => {
                s.queue = q;
                // The details of the selected store follow its edits, undos and pushes.
                if s.selection.len() == 1
                    && let Some(id) = s.selection.first()
                {
                    let id = id.clone();
                    s.commands.push(Command::LoadDetails(id));
                }
            }
            Event::Details(d) => {
                match &d {
                    Some(d) => s.form.follow(d),
                    None => s.form = StoreForm::default(),
                }
                s.details = d;
            }
            Event::Selection(ids, summary) => {
                if ids.iter().eq(s.selection.iter()) {
                    s.bulk = Some((ids, *summary));
                }
            }
            Event::Findings(rows) => s.problems.set(rows),
            Event::Conflict(id, view) => match view {
                Some(v) => s.conflict = Some(*v),
                None => {
                    if s.conflict.as_ref().is_some_and(|c| c.id == id) {
                        s.conflict = None;
                    }
                }
            },
            Event::Preview(p) => {
                s.preview = Some(p);
                s.show_queue = true;
            }
            Event::PullProgress { pages, of } => s.pulling = Some((pages, of)),
            Event::Pulled(report) => {
                s.pulling = None;
                let mut text = format!(
                    "Pulled {} stores: {} added, {} changed, {} removed.",
                    report.remote_stores, report.added, report.changed, report.removed
                );
                if !report.conflicts.is_empty() {
                    text.push_str(&format!(
                        " {} of your changes now conflict with the server.",
                        report.conflicts.len()
                    ));
                }
                s.toast(text, None, false);
            }
            Event::PushProgress(p) => s.push_progress = Some(p),
            Event::Pushed(report) => {
                let sentence = backend::push_sentence(&report);
                let detail = push_detail(&report);
                let bad = !report.is_complete() || !report.held_back.is_empty();
                if report.stopped.is_some() {
                    s.error = Some(sentence.clone());
                }
                s.toast(sentence, detail, bad);
                s.last_push = Some(report);
                s.preview = None;
            }
            Event::Status(text) => s.status = text,
            Event::Notice(text) => s.toast(text, None, false),
            Event::Error(text) => {
                s.toast(text.clone(), None, true);
                s.error = Some(text);
            }
            Event::DeleteNeedsChoice { id, count } => {
                s.deleting = Some((id, Some(count)));
                s.show_profiles = true;
            }
            Event::Idle => {
                s.pushing = false;
                s.pulling = None;
            }
            event @ (Event::ImportReading(_)
            | Event::ImportRead(_)
            | Event::ImportConverted { .. }
            | Event::ImportProgress { .. }
            | Event::Imported { .. }
            | Event::ImportFailed(_)
            | Event::Exported { .. }) => files::on_event(s, event),
        }
    }

    /// Handles the keyboard shortcuts.
    fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, KeyboardShortcut, Modifiers};
        let redo = KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
        let undo = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
        let find = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
        let preview = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);
        let text_focus = ctx.memory(|m| m.focused().is_some());
        let (redo, undo, find, preview, delete) = ctx.input_mut(|i| {
            (
                i.consume_shortcut(&redo),
                i.consume_shortcut(&undo),
                i.consume_shortcut(&find),
                i.consume_shortcut(&preview),
                !text_focus && i.consume_key(Modifiers::NONE, Key::Delete),
            )
        });
        let s = &mut self.state;
        if redo && s.can_write() {
            s.commands.push(Command::Redo);
        } else if undo && s.can_write() {
            s.commands.push(Command::Undo);
        }
        if find {
            s.focus_filter = true;
        }
        if preview {
            s.commands.push(Command::Preview);
        }
        if delete && s.can_write() && !s.selection.is_empty() {
            let ids = s.selected_ids();
            s.commands.push(Command::Delete(ids));
        }
    }

    /// One frame: events in, views, commands out.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        self.drain_events();
        self.shortcuts(ui.ctx());
        self.state.refresh_visible();
        let cancel = ui::main_window(ui, &mut self.state, &mut self.map);
        if cancel {
            self.cancel_push();
        }
        self.flush_commands();
    }
}

impl StoreDeskApp {
    /// Waits for the stores and the basemap, lets the map settle, asks for a picture, saves it
    /// and closes the window. Gives up after a minute with a sentence.
    fn take_screenshot(&mut self, ctx: &egui::Context) {
        let Some(shot) = &mut self.screenshot else {
            return;
        };
        let picture = shot.picture.lock().ok().and_then(|mut p| p.take());
        if let Some(image) = picture {
            match save_png(&image, &shot.path) {
                Ok(()) => println!("saved {}", shot.path.display()),
                Err(e) => eprintln!("storedesk: the picture {e}"),
            }
            self.screenshot = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if shot.started.elapsed() > std::time::Duration::from_secs(60) {
            eprintln!("storedesk: the stores did not show within a minute; no picture was taken.");
            self.screenshot = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        // Toasts are let go first: they would cover the form.
        let mut ready = !self.state.stores.is_empty()
            && self.state.toasts.is_empty()
            && OfflineBasemap::ready().is_some()
            && !self.map.marks().is_empty();
        if ready && let Some(id) = shot.select.clone() {
            if !self.state.index.contains_key(&id) {
                eprintln!("storedesk: there is no store {id} to select; no picture was taken.");
                self.screenshot = None;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                return;
            }
            if !self.state.selection.contains(&id) {
                let i = self.state.index[&id];
                if let (Some(lat), Some(lng)) = (self.state.stores[i].lat, self.state.stores[i].lng)
                {
                    self.map.centre_on(lat, lng, 15.0);
                }
                self.state.scroll_to = Some(i);
                self.state.select_only(&id);
                shot.settled_frames = 0;
            }
            ready = self.state.form.id == id;
            if ready && shot.open_hours {
                self.state.form.hours_open = true;
            }
        }
        if ready {
            shot.settled_frames += 1;
        }
        if shot.settled_frames > 10 && !shot.requested {
            shot.requested = true;
            let slot = shot.picture.clone();
            let repaint = ctx.clone();
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(
                egui::ScreenshotCallback::new(move |image| {
                    if let Ok(mut p) = slot.lock() {
                        *p = Some(image);
                    }
                    repaint.request_repaint();
                }),
            ));
        }
        ctx.request_repaint();
    }
}

impl Drop for StoreDeskApp {
    /// A change still waiting in the store form is sent before the work stops.
    fn drop(&mut self) {
        if let (Some(update), Some(backend)) = (self.state.form.take_update(), &self.backend) {
            backend.send(self.generation, update);
        }
    }
}

/// The lines behind a push's toast: what failed and why.
fn push_detail(report: &PushReport) -> Option<String> {
    let mut lines = Vec::new();
    for (id, what) in &report.conflicts {
        lines.push(format!("{id}: in conflict: {what}"));
    }
    for (id, message) in &report.failed {
        lines.push(format!("{id}: refused: {message}"));
    }
    for held in &report.held_back {
        lines.push(format!(
            "{}: held back: {}",
            held.id,
            held.reason.describe()
        ));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

impl eframe::App for StoreDeskApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
        if self.screenshot.is_some() {
            self.take_screenshot(ui.ctx());
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings());
    }
}

/// Opens the window and runs until it is closed; with `screenshot`, saves a picture of the
/// window there once the stores are on the map, and closes.
pub fn run(screenshot: Option<Screenshot>) -> Result<(), eframe::Error> {
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
        Box::new(|cc| {
            let settings = cc
                .storage
                .and_then(|s| eframe::get_value::<Settings>(s, SETTINGS_KEY))
                .unwrap_or_default();
            let mut app = StoreDeskApp::start(&cc.egui_ctx, settings);
            app.screenshot = screenshot;
            Ok(Box::new(app))
        }),
    )
}
