//! The work behind the window: one thread owns the profiles and the open workspace and runs
//! the window's commands in the order they were given; a push runs beside it on its own
//! connection to the workspace, so edits made meanwhile are kept as drafts. Both run on a
//! tokio runtime the app owns. Results go back as events, each stamped with the generation
//! of the profile it belongs to, so the window drops what a profile it left sends late.

mod files;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::api::{ApiKey, Client, ClientConfig, KeyKind};
use crate::app::files::{ImportRead, SharedDialogs};
use crate::emulator::BackgroundEmulator;
use crate::export::Format;
use crate::import::{ApplyMode, Mapping, Report, Source};
use crate::model::bulk::{BulkChange, SelectionSummary};
use crate::model::{Location, Store};
use crate::profiles::{
    DraftsOnDelete, Profile, ProfileError, ProfileId, ProfileSettings, ProfileStore,
    SANDBOX_PRIVATE_KEY, Secret,
};
use crate::sync::{self, PlanOptions, PushOptions, PushProgress, PushReport};
use crate::validate::{Code, Context, Finding, Fix, fixes_for, may_fix, validate_store};
use crate::workspace::{
    ChangeKind, Facets, FieldChange, FieldChoice, Origin, PullReport, Resolution, Summary,
    Workspace, WorkspaceError, field_choices,
};

/// At most this many changes are sent to the queue panel with their diffs; the count is
/// always whole.
pub const QUEUE_SHOWN: usize = 1_000;

/// What the window asks for.
#[derive(Debug)]
pub enum Command {
    /// Open the current profile (creating the sandbox on a first run).
    OpenCurrent,
    /// Make this profile current and open it.
    Open(ProfileId),
    /// Move a store (a map drag).
    Move {
        id: String,
        lat: f64,
        lng: f64,
    },
    /// Replace a store with this one (the details form).
    Update(Box<Store>),
    /// Create this store.
    Create(Box<Store>),
    /// Mark these stores for deletion.
    Delete(Vec<String>),
    /// Give a store that is not on the server yet another id.
    Rename {
        from: String,
        to: String,
    },
    /// One change to each of these stores, as one undoable step.
    BulkEdit {
        ids: Vec<String>,
        change: BulkChange,
    },
    /// Give these stores the opening hours of `from`.
    CopyHours {
        from: String,
        to: Vec<String>,
    },
    /// Read what the selected stores share, for the bulk-edit panel.
    LoadSelection(Vec<String>),
    /// Validate every store, for the problems panel.
    LoadFindings,
    /// Apply the safe fix offered for each of these findings (store id, code, field), as
    /// one undoable step.
    ApplyFixes(Vec<FindingKey>),
    /// Ignore (or stop ignoring) a warning or a notice.
    IgnoreFinding {
        key: FindingKey,
        ignore: bool,
    },
    /// Read a store in conflict field by field, for the conflict dialog.
    LoadConflict(String),
    ResolveConflict {
        id: String,
        resolution: Resolution,
    },
    Undo,
    Redo,
    /// Drop the drafts of these stores.
    Discard(Vec<String>),
    DiscardAll,
    /// Read a store whole, with its validation findings, for the details panel.
    LoadDetails(String),
    Pull,
    /// Plan a push and show it without sending anything.
    Preview,
    Push,
    /// Erase the sandbox's changes and start it again from the sample stores.
    ResetSandbox,
    AddProfile {
        settings: ProfileSettings,
        key: Option<Secret>,
    },
    EditProfile {
        id: ProfileId,
        settings: ProfileSettings,
        key: Option<Secret>,
    },
    DeleteProfile {
        id: ProfileId,
        drafts: DraftsOnDelete,
    },
    /// Read the stores, their facets and the queue again.
    Refresh,
    /// The window is closing: stop.
    Shutdown,
    /// Ask the user for a file to import (the dialog runs on a thread of its own), then read it.
    PickImport,
    /// Read this file for the import wizard: a spreadsheet's `sheet` (the first when `None`).
    ReadImport {
        path: PathBuf,
        sheet: Option<String>,
    },
    /// Convert the read file again with this mapping, for the wizard's report.
    ConvertImport {
        source: Arc<Source>,
        mapping: Mapping,
        revision: u64,
    },
    /// Write the file's stores to the workspace as drafts, in one undoable step.
    ApplyImport {
        path: PathBuf,
        source: Arc<Source>,
        mapping: Option<Mapping>,
        mode: ApplyMode,
    },
    /// Ask the user where to write an export (the dialog runs on a thread of its own), then
    /// write it.
    PickExport {
        format: Format,
        /// The stores to write; all when `None`.
        ids: Option<Vec<String>>,
    },
    /// Write these stores (all when `None`) to `path`.
    WriteExport {
        path: PathBuf,
        format: Format,
        ids: Option<Vec<String>>,
    },
}

/// Applies the safe fix of each finding named, store by store, as one undoable step; the
/// number of findings fixed. A finding whose store changed since is left alone.
fn apply_fixes(ws: &mut Workspace, keys: &[FindingKey]) -> Result<usize, WorkspaceError> {
    let mut by_store: std::collections::BTreeMap<&str, Vec<&FindingKey>> = Default::default();
    for k in keys {
        by_store.entry(k.id.as_str()).or_default().push(k);
    }
    let context = Context::today();
    let mut edits = Vec::new();
    let mut fixed = 0;
    for (id, keys) in by_store {
        let Some(mut store) = ws.store(id)? else {
            continue;
        };
        let findings = validate_store(&store, &context);
        let fixes: Vec<Fix> = fixes_for(&store, &findings)
            .into_iter()
            .filter(|f| {
                keys.iter()
                    .any(|k| k.code == f.code() && k.path == f.path())
            })
            .collect();
        let n = crate::validate::apply_fixes(&mut store, &fixes);
        if n > 0 {
            fixed += n;
            edits.push(crate::workspace::Edit::put(store));
        }
    }
    if edits.is_empty() {
        return Ok(0);
    }
    let label = if fixed == 1 {
        "Fix 1 problem".to_owned()
    } else {
        format!("Fix {fixed} problems")
    };
    ws.apply(&label, &Origin::Fix, edits)?;
    Ok(fixed)
}

/// A profile's name as part of a file name: letters, digits and `-`, anything else `_`.
pub fn file_name_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Where the drafts of a deleted profile are written when the user asks to keep them: the
/// documents folder (or the home folder), named after the profile and the time.
pub fn drafts_export_path(profile_name: &str) -> std::path::PathBuf {
    let dir = directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(|d| d.to_path_buf()))
        .or_else(|| directories::UserDirs::new().map(|u| u.home_dir().to_path_buf()))
        .unwrap_or_else(std::env::temp_dir);
    let safe = file_name_part(profile_name);
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    dir.join(format!("storedesk-drafts-{safe}-{stamp}.json"))
}

/// One change of the queue, as the panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueItem {
    pub id: String,
    pub kind: ChangeKind,
    pub origin: String,
    pub changed_at: String,
    /// The changed fields, against the base.
    pub changes: Vec<FieldChange>,
    pub conflict: Option<String>,
    pub failure: Option<String>,
}

/// The queue panel's content.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Queue {
    /// The first [`QUEUE_SHOWN`] changes, by id.
    pub items: Vec<QueueItem>,
    pub total: usize,
    pub undo: Option<String>,
    pub redo: Option<String>,
}

/// A push planned but not sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    /// The plan as sentences: requests of each kind, bytes, estimated time, warnings.
    pub lines: Vec<String>,
    /// Stores left out, and why.
    pub held_back: Vec<(String, String)>,
    pub requests: usize,
}

/// A store read whole for the store form (which validates it as it is edited).
#[derive(Clone, Debug, PartialEq)]
pub struct Details {
    pub store: Store,
    /// Whether the server has it (its id is then fixed).
    pub on_server: bool,
}

/// Names one finding of one store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingKey {
    pub id: String,
    pub code: Code,
    pub path: String,
}

/// A finding as the problems panel lists it, with the safe fix it offers.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingRow {
    pub id: String,
    pub finding: Finding,
    pub ignored: bool,
    /// What the safe fix does, when there is one.
    pub fix: Option<String>,
}

impl FindingRow {
    pub fn key(&self) -> FindingKey {
        FindingKey {
            id: self.id.clone(),
            code: self.finding.code,
            path: self.finding.path.clone(),
        }
    }
}

/// A store in conflict, field by field.
#[derive(Clone, Debug, PartialEq)]
pub struct ConflictView {
    pub id: String,
    /// What happened on the server.
    pub what: String,
    /// The server's version; `None` when it deleted the store.
    pub theirs: Option<Store>,
    /// The draft; `None` when the draft deletes the store.
    pub mine: Option<Store>,
    /// The fields on which they differ, each with a proposed side.
    pub choices: Vec<FieldChoice>,
}

/// What the work tells the window.
#[derive(Debug)]
pub enum Event {
    /// The profiles and which is current.
    Profiles {
        list: Vec<Profile>,
        current: Option<ProfileId>,
        /// Why the system keyring cannot be used, when it cannot.
        keyring: Option<String>,
    },
    /// The profile now open, and the address it talks to.
    Opened {
        profile: Profile,
        base_url: String,
    },
    Stores(Vec<Summary>),
    Facets(Vec<Facets>),
    Queue(Queue),
    Details(Option<Box<Details>>),
    /// What the selected stores share (the ids it was read for, and the summary).
    Selection(Vec<String>, Box<SelectionSummary>),
    /// Every finding across the project.
    Findings(Vec<FindingRow>),
    /// A store in conflict, or `None` when it is no longer in conflict.
    Conflict(String, Option<Box<ConflictView>>),
    Preview(Preview),
    PullProgress {
        pages: u32,
        of: u32,
    },
    Pulled(PullReport),
    PushProgress(PushProgress),
    Pushed(PushReport),
    /// A sentence for the status line.
    Status(String),
    /// A short outcome shown as a toast.
    Notice(String),
    /// Something went wrong: a sentence that says what to do.
    Error(String),
    /// A long task ended (successfully or not): the busy indicator goes.
    Idle,
    /// The profile to delete has changes not pushed: the user chooses what becomes of them.
    DeleteNeedsChoice {
        id: ProfileId,
        count: usize,
    },
    /// A file is being read for the import wizard.
    ImportReading(PathBuf),
    /// The file read for the import wizard, or why it cannot be imported.
    ImportRead(Result<Box<ImportRead>, String>),
    /// The report of the wizard's mapping number `revision`.
    ImportConverted {
        revision: u64,
        report: Result<Report, String>,
    },
    /// Rows of the file applied so far.
    ImportProgress {
        done: usize,
        of: usize,
    },
    /// The import was written as drafts.
    Imported {
        file: String,
        /// Stores created or changed.
        stores: usize,
        /// What the step did, in a sentence.
        summary: String,
    },
    /// The import was not applied: why, in a sentence; nothing changed.
    ImportFailed(String),
    /// An export was written.
    Exported {
        path: PathBuf,
        count: usize,
        format: &'static str,
    },
}

/// An event of a given generation.
#[derive(Debug)]
pub struct Envelope {
    pub generation: u64,
    pub event: Event,
}

/// The handle the window keeps on the work.
pub struct Backend {
    commands: Sender<(u64, Command)>,
    cancel: Arc<AtomicBool>,
    dialogs: SharedDialogs,
    worker: Option<std::thread::JoinHandle<()>>,
}

/// How long closing the window waits for the command under way (an edit being written).
const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Drop for Backend {
    /// Stops the work once the command under way is done; a running push is asked to stop
    /// after its requests in flight (each is recorded, so the next push settles it).
    /// The commands already queued (the form's last change among them) are run first, and
    /// the window waits a few seconds for them, so that closing it loses no edit.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::SeqCst);
        let _ = self.commands.send((u64::MAX, Command::Shutdown));
        let Some(worker) = self.worker.take() else {
            return;
        };
        let deadline = std::time::Instant::now() + SHUTDOWN_WAIT;
        while !worker.is_finished() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        if worker.is_finished() {
            let _ = worker.join();
        }
    }
}

/// The runtime that drives the network work: its own threads run the connections and
/// timers, while the work thread and a push wait on it. It lives as long as the last of them.
fn runtime() -> std::io::Result<Arc<tokio::runtime::Runtime>> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("storedesk-net")
        .enable_all()
        .build()
        .map(Arc::new)
}

impl Backend {
    /// Starts the work on `profiles`; events arrive on the receiver and wake `ctx`.
    pub fn start(
        profiles: ProfileStore,
        ctx: egui::Context,
    ) -> std::io::Result<(Backend, Receiver<Envelope>)> {
        let runtime = runtime()?;
        let (command_tx, command_rx) = channel();
        let (event_tx, event_rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let dialogs = crate::app::files::system_dialogs();
        let worker = Worker {
            profiles,
            session: None,
            generation: 0,
            out: Outbox {
                events: event_tx,
                ctx,
            },
            runtime,
            cancel: cancel.clone(),
            pushing: Arc::new(AtomicBool::new(false)),
            commands: command_tx.clone(),
            dialogs: dialogs.clone(),
        };
        let worker = std::thread::Builder::new()
            .name("storedesk-work".into())
            .spawn(move || worker.run(command_rx))?;
        Ok((
            Backend {
                commands: command_tx,
                cancel,
                dialogs,
                worker: Some(worker),
            },
            event_rx,
        ))
    }

    /// Queues a command; `generation` is the profile it is meant for.
    pub fn send(&self, generation: u64, command: Command) {
        let _ = self.commands.send((generation, command));
    }

    /// Asks the running push to stop after the requests in flight.
    pub fn cancel_push(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// The open and save dialogs used from now on (the system's by default).
    pub fn set_file_dialogs(&self, dialogs: Arc<dyn crate::app::files::FileDialogs>) {
        match self.dialogs.write() {
            Ok(mut d) => *d = dialogs,
            Err(poisoned) => *poisoned.into_inner() = dialogs,
        }
    }
}

/// Sends events and wakes the window.
#[derive(Clone)]
struct Outbox {
    events: Sender<Envelope>,
    ctx: egui::Context,
}

impl Outbox {
    fn send(&self, generation: u64, event: Event) {
        let _ = self.events.send(Envelope { generation, event });
        self.ctx.request_repaint();
    }
}

/// The open profile.
struct Session {
    profile: Profile,
    ws: Workspace,
    /// `None` when the profile has no key yet.
    client: Option<Client>,
    /// The sandbox's emulator, running while the sandbox is open.
    _emulator: Option<BackgroundEmulator>,
}

struct Worker {
    profiles: ProfileStore,
    session: Option<Session>,
    generation: u64,
    out: Outbox,
    runtime: Arc<tokio::runtime::Runtime>,
    cancel: Arc<AtomicBool>,
    pushing: Arc<AtomicBool>,
    commands: Sender<(u64, Command)>,
    dialogs: SharedDialogs,
}

impl Worker {
    fn run(mut self, commands: Receiver<(u64, Command)>) {
        while let Ok((generation, command)) = commands.recv() {
            if matches!(command, Command::Shutdown) {
                break;
            }
            if generation < self.generation {
                // Meant for a profile that was left since.
                continue;
            }
            self.generation = generation;
            self.handle(command);
        }
    }

    fn send(&self, event: Event) {
        self.out.send(self.generation, event);
    }

    fn error(&self, message: impl std::fmt::Display) {
        self.send(Event::Error(message.to_string()));
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::OpenCurrent => self.open_current(),
            Command::Open(id) => {
                if let Err(e) = self.profiles.set_current(&id) {
                    return self.error(e);
                }
                self.open_current();
            }
            Command::Move { id, lat, lng } => {
                let result = self.ws().map(|ws| ws.move_store(&id, lat, lng));
                self.after_edit(result);
            }
            Command::Update(store) => {
                let result = self.ws().map(|ws| ws.update(*store, &Origin::Form));
                self.after_edit(result);
            }
            Command::Create(store) => {
                let id = store.id().to_owned();
                let result = self.ws().map(|ws| ws.create(*store, &Origin::Form));
                self.after_edit(result);
                self.load_details(&id);
            }
            Command::Delete(ids) => {
                let result = self.ws().map(|ws| ws.delete(&ids, &Origin::Form));
                self.after_edit(result);
            }
            Command::Rename { from, to } => {
                let result = self.ws().map(|ws| ws.rename(&from, &to, &Origin::Form));
                let ok = matches!(result, Some(Ok(_)));
                self.after_edit(result);
                if ok {
                    self.load_details(&to);
                }
            }
            Command::BulkEdit { ids, change } => {
                let label = change.label(ids.len());
                let result = self
                    .ws()
                    .map(|ws| ws.bulk_edit(&ids, &label, |s| change.apply(s)));
                if let Some(Ok(n)) = &result {
                    self.send(Event::Notice(format!("{label}: {n} changed.")));
                }
                self.after_edit(result);
                if ids.len() > 1 {
                    self.load_selection(&ids);
                }
            }
            Command::CopyHours { from, to } => {
                let result = self.ws().map(|ws| {
                    let source = ws.store(&from)?.ok_or_else(|| {
                        crate::workspace::WorkspaceError::UnknownStore(from.clone())
                    })?;
                    let change = BulkChange::SetHours(source.opening_hours);
                    let label = format!(
                        "Copy the opening hours of {from} to {}",
                        match to.as_slice() {
                            [one] => one.clone(),
                            many => format!("{} stores", many.len()),
                        }
                    );
                    ws.bulk_edit(&to, &label, |s| change.apply(s))
                });
                self.after_edit(result);
            }
            Command::LoadSelection(ids) => self.load_selection(&ids),
            Command::LoadFindings => self.load_findings(),
            Command::ApplyFixes(keys) => {
                let result = self.ws().map(|ws| apply_fixes(ws, &keys));
                match &result {
                    Some(Ok(0)) => self.send(Event::Notice(
                        "Nothing was fixed: the stores changed since; refresh the problems.".into(),
                    )),
                    Some(Ok(n)) => self.send(Event::Notice(format!(
                        "Fixed {n} problem{}; Undo takes the fix back.",
                        if *n == 1 { "" } else { "s" }
                    ))),
                    _ => {}
                }
                self.after_edit(result);
                self.load_findings();
            }
            Command::IgnoreFinding { key, ignore } => {
                let result = self.ws().map(|ws| {
                    if ignore {
                        ws.ignore_finding(&key.id, key.code, &key.path)
                    } else {
                        ws.unignore_finding(&key.id, key.code, &key.path)
                            .map(|_| ())
                    }
                });
                if let Some(Err(e)) = result {
                    self.error(e);
                }
                self.load_findings();
            }
            Command::LoadConflict(id) => self.load_conflict(&id),
            Command::ResolveConflict { id, resolution } => {
                let result = self.ws().map(|ws| ws.resolve_conflict(&id, resolution));
                if let Some(Ok(_)) = &result {
                    self.send(Event::Notice(format!(
                        "The conflict on {id} is resolved; the result is a draft to push."
                    )));
                    self.send(Event::Conflict(id.clone(), None));
                }
                self.after_edit(result);
            }
            Command::Undo | Command::Redo => {
                let undo = matches!(command, Command::Undo);
                let result = self.ws().map(|ws| if undo { ws.undo() } else { ws.redo() });
                match result {
                    Some(Ok(step)) => self.send(Event::Notice(format!(
                        "{} {}.",
                        if undo { "Undone:" } else { "Redone:" },
                        step.label
                    ))),
                    Some(Err(e)) => self.send(Event::Status(e.to_string())),
                    None => {}
                }
                self.refresh();
            }
            Command::Discard(ids) => {
                let result = self.ws().map(|ws| ws.discard(&ids));
                self.after_edit(result);
            }
            Command::DiscardAll => {
                let result = self.ws().map(|ws| ws.discard_all());
                self.after_edit(result);
            }
            Command::LoadDetails(id) => self.load_details(&id),
            Command::Pull => self.pull(),
            Command::Preview => self.preview(),
            Command::Push => self.push(),
            Command::ResetSandbox => self.reset_sandbox(),
            Command::AddProfile { settings, key } => {
                let added = self.profiles.add(settings).and_then(|id| {
                    if let Some(key) = &key {
                        self.profiles.set_key(&id, key)?;
                    }
                    self.profiles.set_current(&id)?;
                    Ok(id)
                });
                match added {
                    Ok(_) => self.open_current(),
                    Err(e) => {
                        self.error(e);
                        self.send_profiles();
                    }
                }
            }
            Command::EditProfile { id, settings, key } => {
                let edited = self.profiles.edit(&id, settings).and_then(|()| match &key {
                    Some(key) => self.profiles.set_key(&id, key),
                    None => Ok(()),
                });
                match edited {
                    Ok(()) if self.session.as_ref().is_some_and(|s| s.profile.id == id) => {
                        self.open_current();
                    }
                    Ok(()) => self.send_profiles(),
                    Err(e) => {
                        self.error(e);
                        self.send_profiles();
                    }
                }
            }
            Command::DeleteProfile { id, drafts } => {
                if self.session.as_ref().is_some_and(|s| s.profile.id == id) {
                    if self.pushing.load(Ordering::SeqCst) {
                        return self.error(
                            "This profile is pushing; wait for the push to end, then delete it.",
                        );
                    }
                    self.session = None;
                }
                let exported = match &drafts {
                    DraftsOnDelete::ExportTo(path) => Some(path.clone()),
                    _ => None,
                };
                match self.profiles.delete(&id, drafts) {
                    Ok(()) => {
                        self.send(Event::Notice(match exported {
                            Some(path) => format!(
                                "The profile was deleted; its changes are in {}.",
                                path.display()
                            ),
                            None => "The profile was deleted.".into(),
                        }));
                        self.open_current();
                    }
                    Err(ProfileError::UnpushedDrafts { count }) => {
                        self.send(Event::DeleteNeedsChoice { id, count });
                        if self.session.is_none() {
                            self.open_current();
                        }
                    }
                    Err(e) => {
                        self.error(e);
                        if self.session.is_none() {
                            self.open_current();
                        }
                    }
                }
            }
            Command::Refresh => self.refresh(),
            Command::Shutdown => {}
            Command::PickImport => self.pick_import(),
            Command::ReadImport { path, sheet } => self.read_import(path, sheet),
            Command::ConvertImport {
                source,
                mapping,
                revision,
            } => self.convert_import(&source, &mapping, revision),
            Command::ApplyImport {
                path,
                source,
                mapping,
                mode,
            } => self.apply_import(&path, &source, mapping.as_ref(), mode),
            Command::PickExport { format, ids } => self.pick_export(format, ids),
            Command::WriteExport { path, format, ids } => {
                self.write_export(&path, format, ids.as_deref())
            }
        }
    }

    fn ws(&mut self) -> Option<&mut Workspace> {
        if self.session.is_none() {
            self.error("No project is open; pick a profile first.");
        }
        self.session.as_mut().map(|s| &mut s.ws)
    }

    fn after_edit<T, E: std::fmt::Display>(&mut self, result: Option<Result<T, E>>) {
        if let Some(Err(e)) = result {
            self.error(e);
        }
        self.refresh();
    }

    fn send_profiles(&self) {
        self.send(Event::Profiles {
            list: self.profiles.profiles().to_vec(),
            current: self.profiles.current().map(|p| p.id.clone()),
            keyring: self.profiles.keyring_unavailable_reason(),
        });
    }

    /// Sends the stores, their facets and the queue.
    fn refresh(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        let ws = &session.ws;
        match ws.summaries() {
            Ok(s) => self.send(Event::Stores(s)),
            Err(e) => return self.error(e),
        }
        match ws.facets() {
            Ok(f) => self.send(Event::Facets(f)),
            Err(e) => return self.error(e),
        }
        match queue(ws) {
            Ok(q) => self.send(Event::Queue(q)),
            Err(e) => self.error(e),
        }
    }

    fn load_details(&mut self, id: &str) {
        let Some(session) = &self.session else {
            return;
        };
        let details = session.ws.store(id).and_then(|store| {
            let on_server = session.ws.base(id)?.is_some();
            Ok(store.map(|store| Box::new(Details { store, on_server })))
        });
        match details {
            Ok(d) => self.send(Event::Details(d)),
            Err(e) => self.error(e),
        }
    }

    fn load_findings(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        let ws = &session.ws;
        let context = Context::today();
        let found = match ws.findings(&context) {
            Ok(f) => f,
            Err(e) => return self.error(e),
        };
        // The fixes on offer, read from the stores that have a finding a fix answers.
        let mut rows = Vec::with_capacity(found.len());
        let mut i = 0;
        while i < found.len() {
            let id = found[i].id.clone();
            let end = found[i..]
                .iter()
                .position(|f| f.id != id)
                .map_or(found.len(), |n| i + n);
            let of_store = &found[i..end];
            let fixes: Vec<Fix> = if of_store.iter().any(|f| may_fix(f.finding.code)) {
                match ws.store(&id) {
                    Ok(Some(store)) => {
                        let findings: Vec<Finding> =
                            of_store.iter().map(|f| f.finding.clone()).collect();
                        fixes_for(&store, &findings)
                    }
                    _ => Vec::new(),
                }
            } else {
                Vec::new()
            };
            for f in of_store {
                let fix = fixes
                    .iter()
                    .find(|x| x.code() == f.finding.code && x.path() == f.finding.path)
                    .map(Fix::describe);
                rows.push(FindingRow {
                    id: f.id.clone(),
                    finding: f.finding.clone(),
                    ignored: f.ignored,
                    fix,
                });
            }
            i = end;
        }
        self.send(Event::Findings(rows));
    }

    fn load_selection(&mut self, ids: &[String]) {
        let Some(session) = &self.session else {
            return;
        };
        let mut stores = Vec::with_capacity(ids.len());
        for id in ids {
            match session.ws.store(id) {
                Ok(Some(s)) => stores.push(s),
                Ok(None) => {}
                Err(e) => return self.error(e),
            }
        }
        let summary = SelectionSummary::of(&stores);
        self.send(Event::Selection(ids.to_vec(), Box::new(summary)));
    }

    fn load_conflict(&mut self, id: &str) {
        let Some(session) = &self.session else {
            return;
        };
        let pending = match session.ws.pending_of(&[id.to_owned()]) {
            Ok(p) => p.into_iter().next(),
            Err(e) => return self.error(e),
        };
        let view = pending.and_then(|p| {
            let conflict = p.conflict.as_ref()?;
            let base = p.base.as_ref().map(|b| &b.store);
            let theirs = conflict.theirs().cloned();
            Some(Box::new(ConflictView {
                id: p.id.clone(),
                what: conflict.describe().to_owned(),
                choices: field_choices(base, theirs.as_ref(), p.local.as_ref()),
                theirs,
                mine: p.local.clone(),
            }))
        });
        self.send(Event::Conflict(id.to_owned(), view));
    }

    fn open_current(&mut self) {
        self.session = None;
        // The country and time-zone boundaries are read once, here rather than on the
        // window's thread when a form first asks for a time zone.
        crate::geo::warm_up();
        if let Err(e) = self.profiles.ensure_sandbox() {
            return self.error(e);
        }
        self.send_profiles();
        let Some(profile) = self.profiles.current().cloned() else {
            return self.send(Event::Status(
                "No project is set up; add a profile with its API key.".into(),
            ));
        };
        let (emulator, base_url, key) = if profile.sandbox {
            let state = self.profiles.emulator_state_path(&profile.id);
            match super::sandbox::start(&state) {
                Ok(emulator) => {
                    let url = emulator.base_url();
                    let key = ApiKey::new(KeyKind::Private, SANDBOX_PRIVATE_KEY);
                    (Some(emulator), url, Some(key))
                }
                Err(e) => {
                    return self.error(format!(
                        "The sandbox could not start ({e}); check that {} can be written.",
                        state.display()
                    ));
                }
            }
        } else {
            let url = profile
                .base_url
                .clone()
                .unwrap_or_else(|| crate::api::DEFAULT_BASE_URL.to_owned());
            match self.profiles.key(&profile.id) {
                Ok(Some(key)) => (None, url, Some(key)),
                Ok(None) => {
                    self.error(format!(
                        "No API key is kept for \"{}\"; add the project's key in Profiles.",
                        profile.name
                    ));
                    (None, url, None)
                }
                Err(e) => {
                    self.error(e);
                    (None, url, None)
                }
            }
        };
        let client = match key.map(|key| Client::new(ClientConfig::new(base_url.clone(), key))) {
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                self.error(e);
                None
            }
            None => None,
        };
        let ws = match self.profiles.open_workspace(&profile.id) {
            Ok(ws) => ws,
            Err(e) => return self.error(e),
        };
        let never_pulled = matches!(ws.last_pull(), Ok(None));
        self.send(Event::Opened {
            profile: profile.clone(),
            base_url,
        });
        self.session = Some(Session {
            profile,
            ws,
            client,
            _emulator: emulator,
        });
        self.refresh();
        if never_pulled && self.session.as_ref().is_some_and(|s| s.client.is_some()) {
            self.pull();
        } else {
            self.send(Event::Status(String::new()));
        }
    }

    fn pull(&mut self) {
        let Some(session) = &mut self.session else {
            return self.error("No project is open; pick a profile first.");
        };
        let Some(client) = session.client.clone() else {
            return self.error("This profile has no API key; add it in Profiles, then pull.");
        };
        self.out.send(
            self.generation,
            Event::Status("Reading the project's stores…".into()),
        );
        let out = self.out.clone();
        let generation = self.generation;
        let progress = move |pages: u32, of: u32| {
            out.send(generation, Event::PullProgress { pages, of });
        };
        let result = self
            .runtime
            .block_on(sync::pull(&mut session.ws, &client, progress));
        match result {
            Ok(report) => {
                self.send(Event::Status(format!(
                    "{} stores read from the project.",
                    report.remote_stores
                )));
                self.send(Event::Pulled(report));
            }
            Err(e) => self.error(format!(
                "{e} Your changes are kept; pull again when this is fixed."
            )),
        }
        self.send(Event::Idle);
        self.refresh();
    }

    fn preview(&mut self) {
        let Some(session) = &self.session else {
            return self.error("No project is open; pick a profile first.");
        };
        // The API's rate limit, which every profile's client keeps to.
        let preview =
            sync::preview(&session.ws, &PlanOptions::default(), 10).map(|(plan, mut lines)| {
                if let Some(reason) = session.profile.read_only_reason() {
                    lines.push(reason.to_owned());
                }
                Preview {
                    held_back: plan
                        .held_back
                        .iter()
                        .map(|h| (h.id.clone(), h.reason.describe()))
                        .collect(),
                    requests: plan.batches.len(),
                    lines,
                }
            });
        match preview {
            Ok(p) => self.send(Event::Preview(p)),
            Err(e) => self.error(e),
        }
    }

    fn push(&mut self) {
        let Some(session) = &self.session else {
            return self.error("No project is open; pick a profile first.");
        };
        if let Some(reason) = session.profile.read_only_reason() {
            return self.error(reason);
        }
        let Some(client) = session.client.clone() else {
            return self.error("This profile has no API key; add it in Profiles, then push.");
        };
        if self.pushing.swap(true, Ordering::SeqCst) {
            return self.send(Event::Status("A push is already running.".into()));
        }
        self.cancel.store(false, Ordering::SeqCst);
        let path = session.ws.path().to_owned();
        let out = self.out.clone();
        let generation = self.generation;
        let cancel = self.cancel.clone();
        let pushing = self.pushing.clone();
        let commands = self.commands.clone();
        let runtime = self.runtime.clone();
        self.send(Event::Status("Pushing…".into()));
        let spawned = std::thread::Builder::new()
            .name("storedesk-push".into())
            .spawn(move || {
                let progress =
                    |p: &PushProgress| out.send(generation, Event::PushProgress(p.clone()));
                let result = Workspace::open(&path)
                    .map_err(sync::SyncError::from)
                    .and_then(|mut ws| {
                        runtime.block_on(sync::push(
                            &mut ws,
                            &client,
                            &PushOptions::default(),
                            &progress,
                            &cancel,
                        ))
                    });
                match result {
                    Ok(report) => {
                        out.send(generation, Event::Status(push_sentence(&report)));
                        out.send(generation, Event::Pushed(report));
                    }
                    Err(e) => out.send(
                        generation,
                        Event::Error(format!(
                            "The push could not run: {e} Your changes are kept."
                        )),
                    ),
                }
                pushing.store(false, Ordering::SeqCst);
                out.send(generation, Event::Idle);
                let _ = commands.send((generation, Command::Refresh));
            });
        if let Err(e) = spawned {
            self.pushing.store(false, Ordering::SeqCst);
            self.error(format!(
                "The push could not start ({e}); close other programs and try again. Your changes are kept."
            ));
            self.send(Event::Idle);
        }
    }

    fn reset_sandbox(&mut self) {
        if self.pushing.load(Ordering::SeqCst) {
            return self.error("The sandbox is pushing; wait for the push to end, then reset it.");
        }
        let current_is_sandbox = self.session.as_ref().is_some_and(|s| s.profile.sandbox);
        if current_is_sandbox {
            // Closes the workspace and stops the emulator before their files go.
            self.session = None;
        }
        match self.profiles.reset_sandbox() {
            Ok(()) => self.send(Event::Notice(
                "The sandbox starts again from the sample stores.".into(),
            )),
            Err(e) => self.error(e),
        }
        self.open_current();
    }
}

/// The queue as the panel shows it.
fn queue(ws: &Workspace) -> Result<Queue, crate::workspace::WorkspaceError> {
    let pending = ws.pending()?;
    let total = pending.len();
    let items = pending
        .iter()
        .take(QUEUE_SHOWN)
        .map(|p| QueueItem {
            id: p.id.clone(),
            kind: p.kind,
            origin: p.origin.clone(),
            changed_at: p.changed_at.clone(),
            changes: p.diff(),
            conflict: p.conflict.as_ref().map(|c| c.describe().to_owned()),
            failure: p.failure.clone(),
        })
        .collect();
    Ok(Queue {
        items,
        total,
        undo: ws.undo_label()?,
        redo: ws.redo_label()?,
    })
}

/// The push's outcome in one sentence.
pub fn push_sentence(report: &PushReport) -> String {
    let mut s = format!(
        "Pushed: {} created, {} updated, {} deleted",
        report.created, report.updated, report.deleted
    );
    if report.already_applied > 0 {
        s.push_str(&format!(
            ", {} already on the server",
            report.already_applied
        ));
    }
    s.push('.');
    if !report.conflicts.is_empty() {
        s.push_str(&format!(
            " {} in conflict: resolve them, then push again.",
            report.conflicts.len()
        ));
    }
    if !report.failed.is_empty() {
        s.push_str(&format!(
            " {} refused by the server: see the queue.",
            report.failed.len()
        ));
    }
    if !report.held_back.is_empty() {
        s.push_str(&format!(
            " {} held back: fix them, then push again.",
            report.held_back.len()
        ));
    }
    if report.cancelled {
        s.push_str(" Stopped as asked; the rest stays in the queue.");
    }
    if let Some(reason) = &report.stopped {
        s = format!(
            "The push stopped: {reason} Your changes are kept; push again when this is fixed."
        );
    }
    s
}

/// A new store at a point, with an id not yet used among `taken`.
pub fn new_store_at(lat: f64, lng: f64, taken: &dyn Fn(&str) -> bool) -> Store {
    let mut n = 1;
    let id = loop {
        let id = format!("new_store_{n}");
        if !taken(&id) {
            break id;
        }
        n += 1;
    };
    Store {
        store_id: Some(id),
        name: Some("New store".into()),
        location: Some(Location::new(lat, lng)),
        ..Store::default()
    }
}
