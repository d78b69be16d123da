//! The window driven by its accessible labels (egui_kittest), against the emulator on
//! loopback: the sandbox on a first run, a marker dragged and pushed, undo and redo, a
//! read-only profile, a wrong key, and the key kept out of every file the app writes.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use egui_kittest::kittest::{NodeT, Queryable};
use storedesk::api::KeyKind;
use storedesk::app::StoreDeskApp;
use storedesk::emulator::BackgroundEmulator;
use storedesk::model::{Location, Store};
use storedesk::profiles::{KeySource, MemoryStore, ProfileSettings, ProfileStore, Secret};
use storedesk::workspace::{Origin, SyncState};

use crate::window;
use window::{emulator, push_and_read_back, step_until, window};

fn location_of(app: &StoreDeskApp, id: &str) -> (f64, f64) {
    let i = app.state.index[id];
    let s = &app.state.stores[i];
    (s.lat.expect("lat"), s.lng.expect("lng"))
}

#[test]
fn a_store_picked_in_the_list_is_dragged_on_the_map_previewed_pushed_undone_and_redone() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = window(dir.path(), Arc::new(MemoryStore::new()));
    step_until(&mut h, "the sandbox's stores", |a| {
        a.state.stores.len() >= 60 && a.state.profile.as_ref().is_some_and(|p| p.sandbox)
    });
    h.get_by_label("sandbox");
    let id = "BE_GNT_001";
    let before = location_of(h.state(), id);

    // Select it from the list, through the filter.
    h.get_by_label("Filter").click();
    h.get_by_label("Filter").type_text("GNT");
    step_until(&mut h, "the filter", |a| a.state.visible.len() == 1);
    h.get_by_label(id).click();
    step_until(&mut h, "the details of the store", |a| {
        a.state.details.as_ref().is_some_and(|d| d.store.id() == id)
    });
    assert!(h.state().state.selection.contains(id));

    // Its marker is drawn on its own once the map is centred on it: drag it 60 points right.
    step_until(&mut h, "the marker", |a| {
        a.map.marker_at(a.state.index[id]).is_some() && a.map.memory.zoom() >= 15.0
    });
    for _ in 0..3 {
        h.step();
    }
    let index = h.state().state.index[id];
    let from = h.state().map.marker_at(index).expect("marker");
    let to = from + egui::vec2(60.0, 0.0);
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for k in 1..=6 {
        h.hover_at(from + egui::vec2(10.0 * k as f32, 0.0));
        h.step();
    }
    h.drop_at(to);
    h.step();
    step_until(&mut h, "the drag's draft", |a| a.state.queue.total == 1);
    let after = location_of(h.state(), id);
    assert!(
        (after.0 - before.0).abs() < 1e-3,
        "a drag to the right keeps the latitude"
    );
    assert!(after.1 > before.1, "a drag to the right moves east");
    assert_eq!(h.state().state.stores[index].state, SyncState::Modified);

    // The queue shows the coordinate diff.
    h.get_by_label_contains("Changes (1 pending)").click();
    step_until(&mut h, "the queue", |a| a.state.show_queue);
    h.get_by_label_contains(&format!("{id} (changed, map drag)"))
        .click();
    h.step();
    h.get_by_label_contains("location.lng");

    // Preview, then push.
    h.get_by_label("Preview").click();
    step_until(&mut h, "the preview", |a| a.state.preview.is_some());
    h.get_by_label_contains("PUT update: 1 stores in 1 request");
    let pushed = push_and_read_back(&mut h, 1, id);
    let l = pushed.location.expect("location");
    assert!((l.lat - after.0).abs() < 1e-9 && (l.lng - after.1).abs() < 1e-9);

    // Undo brings the old place back as a draft; redo takes the pushed place again.
    h.get_by_label("Undo").click();
    step_until(&mut h, "the undo", |a| a.state.queue.total == 1);
    let undone = location_of(h.state(), id);
    assert!((undone.1 - before.1).abs() < 1e-9);
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    step_until(&mut h, "the redo", |a| a.state.queue.total == 0);
    let redone = location_of(h.state(), id);
    assert!((redone.1 - after.1).abs() < 1e-9);
    h.check_accessibility();
}

/// An emulator with a store, for the profiles of the next tests.
fn project() -> BackgroundEmulator {
    let emu = emulator("private-good", "public-good");
    emu.set_stores(vec![Store {
        store_id: Some("shop_1".into()),
        name: Some("Shop one".into()),
        location: Some(Location::new(48.85, 2.35)),
        ..Store::default()
    }]);
    emu
}

/// Adds a profile on `emu` with `key` and a draft already waiting in its workspace.
fn profile_with_draft(
    dir: &Path,
    keys: &Arc<MemoryStore>,
    kind: KeyKind,
    key: &str,
    emu: &BackgroundEmulator,
) {
    let mut profiles = ProfileStore::at(dir.join("config"), dir.join("data"))
        .expect("profiles")
        .with_keyring(keys.clone());
    let id = profiles
        .add(ProfileSettings {
            name: "Shops".into(),
            base_url: emu.base_url(),
            key_kind: kind,
            key_source: KeySource::Keyring,
        })
        .expect("add");
    profiles.set_key(&id, &Secret::new(key)).expect("key");
    profiles.set_current(&id).expect("current");
    let mut ws = profiles.open_workspace(&id).expect("workspace");
    ws.create(
        Store {
            store_id: Some("shop_2".into()),
            name: Some("Shop two".into()),
            location: Some(Location::new(45.76, 4.83)),
            ..Store::default()
        },
        &Origin::Form,
    )
    .expect("draft");
}

#[test]
fn a_public_key_profile_reads_but_cannot_push() {
    let dir = tempfile::tempdir().expect("dir");
    let emu = project();
    let keys = Arc::new(MemoryStore::new());
    profile_with_draft(dir.path(), &keys, KeyKind::Public, "public-good", &emu);
    let mut h = window(dir.path(), keys);
    step_until(&mut h, "the pulled store and the draft", |a| {
        a.state.stores.len() == 2 && a.state.queue.total == 1
    });
    assert!(
        h.get_by_label("Push (1 pending)")
            .accesskit_node()
            .is_disabled()
    );
    assert!(h.get_by_label("Undo").accesskit_node().is_disabled());
    // Even asked directly (Ctrl+Enter previews; a push command is refused with a sentence).
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    step_until(&mut h, "the preview", |a| a.state.preview.is_some());
    h.get_by_label_contains("public key, which can read stores but not change them");
    assert!(h.get_by_label("Push now").accesskit_node().is_disabled());
    assert_eq!(emu.stores().len(), 1, "nothing was written");
}

#[test]
fn a_wrong_key_gives_a_sentence_and_keeps_the_drafts() {
    let dir = tempfile::tempdir().expect("dir");
    let emu = project();
    let keys = Arc::new(MemoryStore::new());
    profile_with_draft(dir.path(), &keys, KeyKind::Private, "private-WRONG", &emu);
    let mut h = window(dir.path(), keys);
    step_until(&mut h, "the refused pull", |a| a.state.error.is_some());
    let error = h.state().state.error.clone().unwrap_or_default();
    assert!(error.contains("key"), "the sentence names the key: {error}");
    assert!(error.contains("changes are kept"), "{error}");
    step_until(&mut h, "the draft", |a| a.state.queue.total == 1);
    h.get_by_label("Dismiss").click();
    h.step();
    h.get_by_label("Push (1 pending)").click();
    for _ in 0..50 {
        h.step();
        std::thread::sleep(Duration::from_millis(100));
    }
    for r in emu.requests() {
        eprintln!("REQ {:?}", r);
    }
    step_until(&mut h, "the refused push", |a| {
        !a.state.pushing && a.state.error.is_some()
    });
    let error = h.state().state.error.clone().unwrap_or_default();
    assert!(error.contains("key"), "{error}");
    step_until(&mut h, "the queue after the push", |a| {
        a.state.queue.total == 1
    });
    assert_eq!(emu.stores().len(), 1, "nothing was written");
}

/// Every file under `dir`, read as bytes.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).expect("read")));
            }
        }
    }
    out
}

/// eframe's storage, in memory.
#[derive(Default)]
struct Storage(std::collections::HashMap<String, String>);

impl eframe::Storage for Storage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn a_key_typed_in_the_profile_form_reaches_the_keyring_and_nothing_else() {
    let secret = "private-good";
    let dir = tempfile::tempdir().expect("dir");
    let emu = project();
    let keys = Arc::new(MemoryStore::new());
    let mut h = window(dir.path(), keys.clone());
    step_until(&mut h, "the sandbox", |a| a.state.stores.len() >= 60);

    h.get_by_label("Profiles…").click();
    h.run_steps(3);
    h.get_by_label("Add a profile").click();
    h.run_steps(3);
    assert!(h.state().state.profile_form.is_some(), "the form opens");

    h.get_by_label("Profile name").click();
    h.get_by_label("Profile name").type_text("Shops");
    h.step();
    // Replace the default address with the emulator's.
    h.get_by_label("API address").click();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("API address").type_text(&emu.base_url());
    h.step();
    assert_eq!(
        h.state()
            .state
            .profile_form
            .as_ref()
            .map(|f| f.base_url.clone()),
        Some(emu.base_url())
    );
    h.get_by_label("API key").click();
    h.get_by_label("API key").type_text(secret);
    h.step();
    h.get_by_label("Save profile").click();
    step_until(&mut h, "the new profile, pulled", |a| {
        a.state.profile.as_ref().is_some_and(|p| p.name == "Shops") && a.state.stores.len() == 1
    });
    assert_eq!(keys.len(), 1, "the key went to the keyring");

    // Nothing the app keeps holds the key: eframe's storage (with egui's memory), the
    // profiles, the workspace and every other file under the profile folders.
    let mut storage = Storage::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let memory = h.ctx.memory(|m| ron::to_string(m).expect("memory"));
    storage.0.insert("egui".into(), memory);
    for (k, v) in &storage.0 {
        assert!(!v.contains(secret), "eframe storage {k} holds the key");
    }
    let files = files_under(dir.path());
    assert!(files.iter().any(|(p, _)| p.ends_with("workspace.sqlite")));
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(secret), "{} holds the key", path.display());
    }
    assert!(
        h.state().state.profile_form.is_none(),
        "the form is gone, and its key with it"
    );
}
