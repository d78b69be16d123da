//! Files in and out of the window, driven by its accessible labels (egui_kittest) against the
//! sandbox's emulator on loopback: the import wizard (from the Import button, Ctrl+O and a
//! dropped file), a column mapping changed and its report, a bad file, and an export read back
//! into another sandbox. The open and save dialogs answer with paths the test gives.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use storedesk::api::KeyKind;
use storedesk::app::files::FileDialogs;
use storedesk::app::{Settings, StoreDeskApp};
use storedesk::export::Format;
use storedesk::import::Target;
use storedesk::profiles::{KeySource, MemoryStore, ProfileSettings, ProfileStore, Secret};
use storedesk::workspace::SyncState;

use crate::window;
use window::step_until;

/// Dialogs that answer with the paths they are given, and remember what was asked.
#[derive(Default)]
struct Answers {
    import: Mutex<Option<PathBuf>>,
    export: Mutex<Option<PathBuf>>,
    asked: Mutex<Vec<String>>,
}

impl Answers {
    fn import(&self, path: &Path) {
        *self.import.lock().expect("lock") = Some(path.to_owned());
    }
    fn export(&self, path: &Path) {
        *self.export.lock().expect("lock") = Some(path.to_owned());
    }
    fn asked(&self) -> Vec<String> {
        self.asked.lock().expect("lock").clone()
    }
}

impl FileDialogs for Answers {
    fn pick_import(&self) -> Option<PathBuf> {
        self.asked.lock().expect("lock").push("import".into());
        self.import.lock().expect("lock").clone()
    }
    fn pick_export(&self, suggested_name: &str, format: Format) -> Option<PathBuf> {
        self.asked
            .lock()
            .expect("lock")
            .push(format!("export {suggested_name} {format:?}"));
        self.export.lock().expect("lock").clone()
    }
}

/// A window on the profiles kept in `dir`, its dialogs answered by `answers`.
fn window_on(
    dir: &Path,
    keys: Arc<MemoryStore>,
    answers: Arc<Answers>,
) -> Harness<'static, StoreDeskApp> {
    let profiles = ProfileStore::at(dir.join("config"), dir.join("data"))
        .expect("profiles")
        .with_keyring(keys);
    let ctx = egui::Context::default();
    let app =
        StoreDeskApp::start_with(&ctx, profiles, Settings::default()).with_file_dialogs(answers);
    Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_ui_state(|ui, app: &mut StoreDeskApp| app.frame(ui), app)
}

/// A window on the sandbox of a first run in `dir`, its dialogs answered by `answers`.
fn window(dir: &Path, answers: Arc<Answers>) -> Harness<'static, StoreDeskApp> {
    let mut h = window_on(dir, Arc::new(MemoryStore::new()), answers);
    step_until(&mut h, "the sandbox's stores", |a| {
        a.state.stores.len() >= 60
            && a.state.profile.as_ref().is_some_and(|p| p.sandbox)
            && a.state.pulling.is_none()
    });
    h
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// The wizard's report counts: (rows, ok, warnings, errors).
fn counts(app: &StoreDeskApp) -> Option<(usize, usize, usize, usize)> {
    let w = app.state.import.as_ref()?;
    if w.reading || w.converting {
        return None;
    }
    let c = w.report.as_ref()?.as_ref().ok()?.counts();
    Some((c.rows, c.ok, c.warnings, c.errors))
}

fn wizard_ready(app: &StoreDeskApp) -> bool {
    app.state
        .import
        .as_ref()
        .is_some_and(|w| !w.reading && (w.report.is_some() || w.error.is_some()))
}

fn toast_with(app: &StoreDeskApp, text: &str) -> bool {
    app.state.toasts.iter().any(|t| t.text.contains(text))
}

/// Imports `file` through the Import button and the wizard's Apply; returns the drafts added.
fn import_through_wizard(
    h: &mut Harness<'_, StoreDeskApp>,
    answers: &Answers,
    file: &Path,
) -> usize {
    let before = h.state().state.queue.total;
    answers.import(file);
    h.get_by_label("Import...").click();
    step_until(h, "the wizard on the file", wizard_ready);
    h.run_steps(3);
    assert_eq!(
        h.state()
            .state
            .import
            .as_ref()
            .and_then(|w| w.error.clone()),
        None
    );
    h.get_by_label("Apply").click_accesskit();
    step_until(h, "the import applied", |a| a.state.import.is_none());
    let name = file
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    step_until(h, "the queue with the drafts", |a| {
        a.state.queue.total > before && toast_with(a, &name)
    });
    h.state().state.queue.total - before
}

#[test]
fn a_semicolon_file_is_imported_through_the_wizard_as_drafts() {
    let dir = tempfile::tempdir().expect("dir");
    let answers = Arc::new(Answers::default());
    let mut h = window(dir.path(), answers.clone());
    let before = h.state().state.queue.total;
    answers.import(&fixture("markets_semicolon.csv"));

    h.get_by_label("Import...").click();
    step_until(&mut h, "the wizard", wizard_ready);
    h.run_steps(3);
    assert_eq!(answers.asked(), vec!["import".to_owned()]);
    // What was found, the first rows as read, the guessed columns, the report.
    h.get_by_label_contains("semicolon-separated text, UTF-8; 5 rows, 11 columns");
    h.get_by_label("Marché de Talensac");
    h.get_by_label("Column \"Courriel\"");
    assert_eq!(counts(h.state()), Some((5, 0, 5, 0)));
    h.get_by_label_contains("Rows: 5. Ok: 0. Warnings: 5. Errors: 0.");
    h.get_by_label_contains("Email \"talensac@example\" cannot be right");
    h.check_accessibility();

    h.get_by_label("Apply").click_accesskit();
    step_until(&mut h, "the wizard closed", |a| a.state.import.is_none());
    step_until(&mut h, "the five drafts", |a| {
        a.state.queue.total == before + 5
    });
    assert!(toast_with(
        h.state(),
        "Imported 5 stores from markets_semicolon.csv as drafts; nothing is sent until you push."
    ));
    let s = &h.state().state;
    let lyon = &s.stores[s.index["MKT_LYON"]];
    assert_eq!(lyon.name, "Marché de la Croix-Rousse");
    assert_eq!(lyon.state, SyncState::New);
    assert!(
        (lyon.lat.expect("lat") - 45.7745).abs() < 1e-9,
        "decimal comma read"
    );
    // One undoable step.
    assert!(
        s.queue
            .undo
            .as_deref()
            .is_some_and(|u| u.contains("markets_semicolon.csv")),
        "{:?}",
        s.queue.undo
    );
}

#[test]
fn the_foodmarkets_sample_gives_eighteen_new_drafts() {
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/woosmap/samples/foodmarkets.csv");
    if !sample.exists() {
        println!(
            "skipped: {} is missing, so the foodmarkets sample is not imported",
            sample.display()
        );
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let answers = Arc::new(Answers::default());
    let mut h = window(dir.path(), answers.clone());
    let before = h.state().state.queue.total;
    answers.import(&sample);
    // Ctrl+O opens the file dialog too.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    step_until(&mut h, "the wizard", wizard_ready);
    h.run_steps(3);
    h.get_by_label_contains("comma-separated text, UTF-8; 18 rows, 10 columns");
    h.get_by_label("Column \"Contact Email\"");
    assert_eq!(counts(h.state()).map(|c| c.0), Some(18));
    h.get_by_label("Apply").click_accesskit();
    step_until(&mut h, "the drafts", |a| {
        a.state.import.is_none() && a.state.queue.total == before + 18
    });
    let new = h
        .state()
        .state
        .stores
        .iter()
        .filter(|s| s.state == SyncState::New)
        .count();
    assert_eq!(new, 18);
    assert!(toast_with(
        h.state(),
        "Imported 18 stores from foodmarkets.csv"
    ));
}

#[test]
fn a_column_left_out_changes_the_report_and_the_mapping_is_kept_for_the_next_file() {
    let dir = tempfile::tempdir().expect("dir");
    let answers = Arc::new(Answers::default());
    let mut h = window(dir.path(), answers.clone());
    answers.import(&fixture("markets_semicolon.csv"));
    h.get_by_label("Import...").click();
    step_until(&mut h, "the wizard", wizard_ready);
    h.run_steps(3);
    assert_eq!(counts(h.state()), Some((5, 0, 5, 0)));

    // The hours have no time zone (a warning on every row): leave the column out.
    h.get_by_label("Column \"Horaires\"").click_accesskit();
    h.run_steps(2);
    h.get_by_label("not imported").click();
    h.step();
    step_until(&mut h, "the new report", |a| counts(a).is_some());
    assert_eq!(
        counts(h.state()),
        Some((5, 4, 1, 0)),
        "only the bad email is left"
    );
    h.get_by_label_contains("Rows: 5. Ok: 4. Warnings: 1. Errors: 0.");

    // Two columns for one field cannot work: the report says so, and Apply waits.
    h.get_by_label("Column \"Ville\"").click_accesskit();
    h.run_steps(2);
    h.get_by_label("name").click();
    h.step();
    step_until(&mut h, "the refused mapping", |a| {
        a.state
            .import
            .as_ref()
            .is_some_and(|w| !w.converting && matches!(w.report, Some(Err(_))))
    });
    h.get_by_label_contains("two columns fill the name");
    assert!(h.get_by_label("Apply").accesskit_node().is_disabled());
    h.get_by_label("Column \"Ville\"").click_accesskit();
    h.run_steps(2);
    h.get_by_label("city").click();
    h.step();
    step_until(&mut h, "the report again", |a| counts(a).is_some());
    assert_eq!(counts(h.state()), Some((5, 4, 1, 0)));

    h.get_by_label("Apply").click_accesskit();
    step_until(&mut h, "the import", |a| a.state.import.is_none());

    // The same columns again: the mapping applied last time is proposed.
    h.get_by_label("Import...").click();
    step_until(&mut h, "the wizard again", wizard_ready);
    let w = h.state().state.import.as_ref().expect("wizard");
    let hours = w
        .mapping
        .as_ref()
        .and_then(|m| m.columns.iter().find(|c| c.header == "Horaires"))
        .map(|c| c.target.clone());
    assert_eq!(hours, Some(Target::Ignore));
    h.get_by_label("Cancel").click_accesskit();
    h.step();
    assert!(h.state().state.import.is_none(), "Cancel closes the wizard");
}

#[test]
fn bad_files_show_their_sentence_and_change_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let answers = Arc::new(Answers::default());
    let mut h = window(dir.path(), answers.clone());
    let before = h.state().state.queue.total;
    let stores = h.state().state.stores.len();
    for (file, sentence) in [
        ("binary.xyz", "it has binary content"),
        ("empty.csv", "the file is empty"),
        ("no_such_file.csv", "cannot be read"),
    ] {
        answers.import(&fixture(file));
        h.get_by_label("Import...").click();
        step_until(&mut h, "the wizard", |a| {
            a.state
                .import
                .as_ref()
                .is_some_and(|w| w.path.ends_with(file) && !w.reading)
        });
        h.run_steps(2);
        let error = h
            .state()
            .state
            .import
            .as_ref()
            .and_then(|w| w.error.clone())
            .unwrap_or_default();
        assert!(error.contains(sentence), "{file}: {error}");
        assert!(error.contains(file), "the sentence names the file: {error}");
        h.get_by_label_contains(sentence);
        let apply = h.get_by_label("Apply");
        assert!(apply.accesskit_node().is_disabled());
        h.get_by_label("Cancel").click_accesskit();
        h.step();
        assert!(h.state().state.import.is_none());
    }
    assert_eq!(h.state().state.queue.total, before, "no draft");
    assert_eq!(h.state().state.stores.len(), stores);
}

/// Files dropped onto a window, as a desktop gives them.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_file_dropped_on_the_window_opens_the_wizard_and_the_others_are_named_ignored() {
    let dir = tempfile::tempdir().expect("dir");
    let answers = Arc::new(Answers::default());
    let mut h = window(dir.path(), answers.clone());
    h.input_mut().hovered_files.push(egui::HoveredFile {
        path: Some(fixture("markets_semicolon.csv")),
        mime: String::new(),
    });
    h.step();
    h.input_mut().dropped_files = vec![
        Arc::new(Dropped(fixture("markets_semicolon.csv"))),
        Arc::new(Dropped(fixture("stores_bom.csv"))),
    ];
    h.step();
    step_until(&mut h, "the wizard", wizard_ready);
    h.run_steps(3);
    let w = h.state().state.import.as_ref().expect("wizard");
    assert!(w.path.ends_with("markets_semicolon.csv"));
    assert!(answers.asked().is_empty(), "no dialog for a dropped file");
    assert!(toast_with(
        h.state(),
        "Only markets_semicolon.csv is imported; 1 other dropped files were ignored."
    ));
    h.get_by_label("Column \"Courriel\"");
    h.check_accessibility();
    h.get_by_label("Apply").click_accesskit();
    step_until(&mut h, "the drafts", |a| {
        a.state.import.is_none() && a.state.index.contains_key("MKT_DIJON")
    });
}

#[test]
fn stores_exported_as_csv_read_back_into_another_sandbox_as_the_same_stores() {
    let dir = tempfile::tempdir().expect("dir");
    let answers = Arc::new(Answers::default());
    let mut h = window(&dir.path().join("first"), answers.clone());
    // Stores of our own beside the sandbox's, so that the export is not the sample alone.
    assert_eq!(
        import_through_wizard(&mut h, &answers, &fixture("markets_semicolon.csv")),
        5
    );

    let out = dir.path().join("exported").join("all.csv");
    std::fs::create_dir_all(out.parent().expect("folder")).expect("folder");
    answers.export(&out);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(2);
    assert!(h.state().state.export.is_some(), "Ctrl+E opens the dialog");
    h.get_by_label("CSV").click();
    h.step();
    h.get_by_label_contains("All stores").click();
    h.step();
    h.get_by_label("Choose file and export").click();
    step_until(&mut h, "the export", |a| toast_with(a, "stores written to"));
    let count = h.state().state.stores.len();
    assert!(toast_with(
        h.state(),
        &format!("{count} stores written to {} (CSV).", out.display())
    ));
    assert!(
        answers
            .asked()
            .iter()
            .any(|a| a.ends_with("-stores.csv Csv")),
        "{:?}",
        answers.asked()
    );
    let first: Vec<_> = h.state().state.stores.clone();

    // Another sandbox, which has the sample stores only: the file adds our five, and every
    // store reads back with its id, name and place.
    let mut other = window(&dir.path().join("second"), answers.clone());
    assert!(!other.state().state.index.contains_key("MKT_LYON"));
    import_through_wizard(&mut other, &answers, &out);
    let second = &other.state().state.stores;
    let new: Vec<&str> = second
        .iter()
        .filter(|s| s.state == SyncState::New)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        new,
        [
            "MKT_BORDEAUX",
            "MKT_DIJON",
            "MKT_LILLE",
            "MKT_LYON",
            "MKT_NANTES"
        ]
    );
    // The sample's stores read back as they are: none becomes a change.
    let changed: Vec<&str> = second
        .iter()
        .filter(|s| s.state == SyncState::Modified)
        .map(|s| s.id.as_str())
        .collect();
    assert!(changed.is_empty(), "changed by the round trip: {changed:?}");
    assert_eq!(second.len(), first.len());
    for (a, b) in first.iter().zip(second) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.name, b.name);
        assert_eq!(a.lat, b.lat, "{}", a.id);
        assert_eq!(a.lng, b.lng, "{}", a.id);
    }
}

#[test]
fn an_export_to_a_folder_that_cannot_be_written_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let answers = Arc::new(Answers::default());
    let mut h = window(dir.path(), answers.clone());
    // A file where the folder should be.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").expect("file");
    answers.export(&blocker.join("stores.json"));
    h.get_by_label("Export...").click();
    h.run_steps(2);
    h.get_by_label("Choose file and export").click();
    step_until(&mut h, "the error", |a| a.state.error.is_some());
    let error = h.state().state.error.clone().unwrap_or_default();
    assert!(error.contains("could not be written"), "{error}");
    assert!(error.contains("pick a folder you may write to"), "{error}");
}

#[test]
fn a_read_only_profile_shows_the_report_but_cannot_apply() {
    let emu = window::emulator("private-good", "public-good");
    let dir = tempfile::tempdir().expect("dir");
    let keys = Arc::new(MemoryStore::new());
    let mut profiles = ProfileStore::at(dir.path().join("config"), dir.path().join("data"))
        .expect("profiles")
        .with_keyring(keys.clone());
    let id = profiles
        .add(ProfileSettings {
            name: "Shops".into(),
            base_url: emu.base_url(),
            key_kind: KeyKind::Public,
            key_source: KeySource::Keyring,
        })
        .expect("add");
    profiles
        .set_key(&id, &Secret::new("public-good"))
        .expect("key");
    profiles.set_current(&id).expect("current");
    drop(profiles);

    let answers = Arc::new(Answers::default());
    let mut h = window_on(dir.path(), keys, answers.clone());
    step_until(&mut h, "the profile", |a| {
        a.state.profile.as_ref().is_some_and(|p| p.name == "Shops") && a.state.pulling.is_none()
    });
    answers.import(&fixture("markets_semicolon.csv"));
    h.get_by_label("Import...").click();
    step_until(&mut h, "the wizard", wizard_ready);
    h.run_steps(2);
    assert_eq!(counts(h.state()), Some((5, 0, 5, 0)), "the report is shown");
    let apply = h.get_by_label("Apply");
    assert!(apply.accesskit_node().is_disabled());
    h.get_by_label_contains("public key, which can read stores but not change them");
    assert_eq!(h.state().state.queue.total, 0);
}
