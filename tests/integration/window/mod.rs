//! What the window tests share: a window on profiles in a folder with keys in memory,
//! stepping until a condition holds, and reading a store back from the emulator.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use storedesk::api::{ApiKey, Client, ClientConfig, KeyKind};
use storedesk::app::{Settings, StoreDeskApp};
use storedesk::model::Store;
use storedesk::profiles::{MemoryStore, ProfileStore};

/// A window on profiles kept in `dir`, keys in memory.
pub fn window(dir: &Path, keys: Arc<MemoryStore>) -> Harness<'static, StoreDeskApp> {
    window_sized(dir, keys, egui::vec2(1280.0, 800.0))
}

/// A window of the given size (a tall one shows a long form without scrolling).
pub fn window_sized(
    dir: &Path,
    keys: Arc<MemoryStore>,
    size: egui::Vec2,
) -> Harness<'static, StoreDeskApp> {
    let profiles = ProfileStore::at(dir.join("config"), dir.join("data"))
        .expect("profiles")
        .with_keyring(keys);
    let ctx = egui::Context::default();
    let app = StoreDeskApp::start_with(&ctx, profiles, Settings::default());
    Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut StoreDeskApp| app.frame(ui), app)
}

/// Steps the window until `done` holds, for at most 30 s.
pub fn step_until(
    h: &mut Harness<'_, StoreDeskApp>,
    what: &str,
    done: impl Fn(&StoreDeskApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(h.state()) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; status: {:?}, error: {:?}, import: {:?}",
            h.state().state.status,
            h.state().state.error,
            h.state()
                .state
                .import
                .as_ref()
                .map(|w| (&w.error, w.reading))
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.step();
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// The store as the emulator at `base_url` holds it.
pub fn remote(base_url: &str, key: &str, id: &str) -> Option<Store> {
    let client = Client::new(ClientConfig::new(
        base_url.to_owned(),
        ApiKey::new(KeyKind::Private, key),
    ))
    .expect("client");
    runtime()
        .block_on(client.get(id))
        .expect("read")
        .map(|(s, _)| s)
}

/// Changes a store on the emulator at `base_url`, as another user would.
pub fn change_remote(base_url: &str, key: &str, store: Store) {
    let client = Client::new(ClientConfig::new(
        base_url.to_owned(),
        ApiKey::new(KeyKind::Private, key),
    ))
    .expect("client");
    runtime().block_on(client.update(&[store])).expect("update");
}

/// Selects one store of the list through its filter, and waits for its form.
pub fn select_in_list(h: &mut Harness<'_, StoreDeskApp>, id: &str) {
    h.get_by_label("Filter").click();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Filter").type_text(id);
    step_until(h, "the filter", |a| a.state.visible.len() == 1);
    h.get_by_label(id).click();
    step_until(h, "the store's form", |a| {
        a.state.details.as_ref().is_some_and(|d| d.store.id() == id) && a.state.form.id == id
    });
}

/// Replaces the text of the field labelled `label`.
pub fn retype(h: &mut Harness<'_, StoreDeskApp>, label: &str, text: &str) {
    fn field<'a>(h: &'a Harness<'_, StoreDeskApp>, label: &'a str) -> egui_kittest::Node<'a> {
        h.query_all_by_label(label)
            .find(|n| n.accesskit_node().role() == egui::accesskit::Role::TextInput)
            .unwrap_or_else(|| panic!("no text field labelled {label:?}"))
    }
    field(h, label).click();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    if text.is_empty() {
        h.key_press(egui::Key::Backspace);
    }
    field(h, label).type_text(text);
    h.step();
}

/// Waits for the form's changes to become drafts (typing pauses) and the queue to hold
/// `count` changes.
pub fn wait_for_drafts(h: &mut Harness<'_, StoreDeskApp>, count: usize) {
    // The form's last change is in the workspace once the store read back equals it.
    step_until(h, "the drafts", |a| {
        !a.state.form.is_dirty()
            && a.state
                .details
                .as_ref()
                .is_some_and(|d| d.store == a.state.form.store)
            && a.state.queue.total == count
    });
}

/// Pushes the `pending` changes with the top bar's button and waits for the push to end with
/// nothing left; the store `id` as the emulator then holds it.
pub fn push_and_read_back(h: &mut Harness<'_, StoreDeskApp>, pending: usize, id: &str) -> Store {
    h.get_by_label(&format!("Push ({pending} pending)")).click();
    step_until(h, "the push", |a| {
        !a.state.pushing && a.state.queue.total == 0 && a.state.last_push.is_some()
    });
    let base_url = h.state().state.base_url.clone().expect("address");
    remote(&base_url, storedesk::profiles::SANDBOX_PRIVATE_KEY, id).expect("on the server")
}

/// An emulator on loopback with the given keys and no rate limit.
pub fn emulator(private_key: &str, public_key: &str) -> storedesk::emulator::BackgroundEmulator {
    storedesk::emulator::start_in_background(
        storedesk::emulator::EmulatorConfig {
            private_key: private_key.into(),
            public_key: public_key.into(),
            qps: 0,
            ..storedesk::emulator::EmulatorConfig::default()
        },
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .expect("emulator")
}
