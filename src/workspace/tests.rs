use super::*;
use crate::model::{Location, RemoteMeta};
use rusqlite::Connection;

fn store(id: &str, name: &str) -> Store {
    Store {
        store_id: Some(id.into()),
        name: Some(name.into()),
        location: Some(Location::new(48.0, 2.0)),
        ..Store::default()
    }
}

fn remote(stores: &[Store]) -> Vec<(Store, RemoteMeta)> {
    stores
        .iter()
        .map(|s| {
            (
                s.remote_view(),
                RemoteMeta {
                    last_updated: Some("2026-01-01T00:00:00Z".into()),
                    ..RemoteMeta::default()
                },
            )
        })
        .collect()
}

fn open() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = Workspace::open_dir(dir.path()).expect("opens");
    (dir, ws)
}

/// The kind of every pending change, after checking that each store finds its JSON and no
/// JSON is left over (every test that lists kinds checks that too).
fn kinds(ws: &Workspace) -> Vec<(String, ChangeKind)> {
    ws.check_documents().expect("every store has its JSON");
    ws.pending()
        .expect("pending")
        .into_iter()
        .map(|p| (p.id, p.kind))
        .collect()
}

#[test]
fn an_edit_is_on_disk_when_the_call_returns() {
    let (dir, mut ws) = open();
    ws.create(store("A", "Shop"), &Origin::Form)
        .expect("create");
    drop(ws);
    let ws = Workspace::open_dir(dir.path()).expect("reopens");
    assert_eq!(kinds(&ws), [("A".to_owned(), ChangeKind::Create)]);
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "Shop")));
    let p = &ws.pending().expect("pending")[0];
    assert_eq!(p.origin, "form");
}

#[test]
fn a_draft_that_returns_to_the_base_leaves_the_queue() {
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[store("A", "Shop")])).expect("pull");
    assert_eq!(ws.pending_count().expect("count"), 0);
    ws.update(store("A", "Renamed"), &Origin::Form)
        .expect("update");
    assert_eq!(kinds(&ws), [("A".to_owned(), ChangeKind::Update)]);
    let diff = ws.pending().expect("pending")[0].diff();
    assert_eq!(diff.len(), 1);
    assert_eq!(diff[0].describe(), "name: \"Shop\" → \"Renamed\"");
    ws.update(store("A", "Shop"), &Origin::Form)
        .expect("update back");
    assert_eq!(ws.pending_count().expect("count"), 0);
}

#[test]
fn a_move_is_one_undoable_draft_with_a_coordinate_diff() {
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[store("A", "Shop")])).expect("pull");
    ws.move_store("A", 48.5, 2.0).expect("move");
    let p = &ws.pending().expect("pending")[0];
    assert_eq!(p.origin, "map drag");
    assert_eq!(p.diff()[0].describe(), "location.lat: 48.0 → 48.5");
    assert_eq!(ws.undo_label().expect("label").as_deref(), Some("Move A"));
    ws.undo().expect("undo");
    assert_eq!(ws.pending_count().expect("count"), 0);
    ws.redo().expect("redo");
    assert_eq!(
        ws.store("A")
            .expect("reads")
            .and_then(|s| s.lat_lng())
            .map(|l| l.lat),
        Some(48.5)
    );
}

#[test]
fn undo_and_redo_walk_many_steps_and_survive_a_restart() {
    let (dir, mut ws) = open();
    ws.create(store("A", "v1"), &Origin::Form).expect("create");
    ws.update(store("A", "v2"), &Origin::Form).expect("v2");
    ws.update(store("A", "v3"), &Origin::Form).expect("v3");
    ws.delete(&["A".into()], &Origin::Form).expect("delete");
    drop(ws);
    let mut ws = Workspace::open_dir(dir.path()).expect("reopens");
    assert_eq!(ws.store("A").expect("reads"), None);
    ws.undo().expect("undo delete");
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "v3")));
    ws.undo().expect("undo v3");
    ws.undo().expect("undo v2");
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "v1")));
    ws.undo().expect("undo create");
    assert_eq!(ws.store("A").expect("reads"), None);
    assert_eq!(ws.pending_count().expect("count"), 0);
    assert!(matches!(ws.undo(), Err(WorkspaceError::NothingToUndo)));
    drop(ws);
    let mut ws = Workspace::open_dir(dir.path()).expect("reopens");
    ws.redo().expect("redo create");
    ws.redo().expect("redo v2");
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "v2")));
    // A new edit forgets what could be redone.
    ws.update(store("A", "other"), &Origin::Form).expect("edit");
    assert!(matches!(ws.redo(), Err(WorkspaceError::NothingToRedo)));
}

#[test]
fn a_rename_is_a_delete_and_a_create_in_one_step() {
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[store("OLD", "Shop")]))
        .expect("pull");
    ws.rename("OLD", "NEW", &Origin::Form).expect("rename");
    assert_eq!(
        kinds(&ws),
        [
            ("NEW".to_owned(), ChangeKind::Create),
            ("OLD".to_owned(), ChangeKind::Delete)
        ]
    );
    ws.undo().expect("undo");
    assert_eq!(ws.pending_count().expect("count"), 0);
    assert!(matches!(
        ws.create(store("OLD", "x"), &Origin::Form),
        Err(WorkspaceError::IdTaken(_))
    ));
}

#[test]
fn a_pull_keeps_drafts_and_marks_remote_changes_under_them_as_conflicts() {
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[
        store("A", "a"),
        store("B", "b"),
        store("C", "c"),
        store("D", "d"),
    ]))
    .expect("pull");
    ws.update(store("A", "mine"), &Origin::Form)
        .expect("edit A");
    ws.update(store("B", "mine"), &Origin::Form)
        .expect("edit B");
    ws.update(store("C", "mine"), &Origin::Form)
        .expect("edit C");
    // The server: A changed by someone, B unchanged, C deleted, D changed, E new.
    let report = ws
        .apply_pull(remote(&[
            store("A", "theirs"),
            store("B", "b"),
            store("D", "d2"),
            store("E", "e"),
        ]))
        .expect("pull");
    assert_eq!(report.conflicts, ["A", "C"]);
    assert_eq!((report.added, report.changed, report.unchanged), (1, 1, 1));
    let pending = ws.pending().expect("pending");
    assert!(
        matches!(&pending[0].conflict, Some(Conflict::ChangedRemotely { theirs, .. }) if theirs.name.as_deref() == Some("theirs"))
    );
    assert_eq!(pending[1].conflict, None);
    assert_eq!(pending[2].conflict, Some(Conflict::DeletedRemotely));
    assert_eq!(ws.store("D").expect("reads"), Some(store("D", "d2")));

    ws.resolve_conflict("A", Resolution::Mine).expect("mine");
    let a = &ws.pending_of(&["A".into()]).expect("pending")[0];
    assert_eq!(a.conflict, None);
    assert_eq!(
        a.base
            .as_ref()
            .and_then(|b| b.store.name.clone())
            .as_deref(),
        Some("theirs")
    );
    ws.resolve_conflict("C", Resolution::Theirs)
        .expect("theirs");
    assert_eq!(ws.store("C").expect("reads"), None);
    assert_eq!(
        kinds(&ws),
        [
            ("A".to_owned(), ChangeKind::Update),
            ("B".to_owned(), ChangeKind::Update)
        ]
    );
}

#[test]
fn a_pull_that_finds_the_draft_already_on_the_server_drops_it() {
    let (_dir, mut ws) = open();
    ws.create(store("N", "new"), &Origin::Form).expect("create");
    let report = ws.apply_pull(remote(&[store("N", "new")])).expect("pull");
    assert_eq!(report.already_applied, 1);
    assert!(report.conflicts.is_empty());
    assert_eq!(ws.pending_count().expect("count"), 0);
}

#[test]
fn summaries_give_the_state_of_each_store() {
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[store("A", "a"), store("B", "b"), store("C", "c")]))
        .expect("pull");
    ws.update(store("B", "b2"), &Origin::Form).expect("edit");
    ws.delete(&["C".into()], &Origin::Form).expect("delete");
    ws.create(store("D", "d"), &Origin::Form).expect("create");
    let states: Vec<(String, String, SyncState)> = ws
        .summaries()
        .expect("summaries")
        .into_iter()
        .map(|s| (s.id, s.name, s.state))
        .collect();
    assert_eq!(
        states,
        [
            ("A".to_owned(), "a".to_owned(), SyncState::Synced),
            ("B".to_owned(), "b2".to_owned(), SyncState::Modified),
            ("C".to_owned(), "c".to_owned(), SyncState::Deleted),
            ("D".to_owned(), "d".to_owned(), SyncState::New),
        ]
    );
    let s = &ws.summaries().expect("summaries")[0];
    assert_eq!((s.lat, s.lng), (Some(48.0), Some(2.0)));
    assert_eq!(ws.stores().expect("stores").len(), 3);
}

#[test]
fn a_confirmed_write_keeps_an_edit_made_while_it_was_in_flight() {
    let (_dir, mut ws) = open();
    ws.create(store("A", "v1"), &Origin::Form).expect("create");
    let sent = SentItem {
        id: "A".into(),
        store: Some(store("A", "v1")),
        version: ws.pending().expect("pending")[0].version,
    };
    let push = ws.begin_push().expect("push");
    let seq = ws
        .record_sending(push, "POST", std::slice::from_ref(&sent), 100)
        .expect("sending");
    assert_eq!(ws.inflight().expect("inflight").len(), 1);
    ws.update(store("A", "v2"), &Origin::Form)
        .expect("edit during push");
    ws.record_outcome(seq, "ok", "1 stores", std::slice::from_ref(&sent), &[])
        .expect("outcome");
    assert!(ws.inflight().expect("inflight").is_empty());
    assert_eq!(kinds(&ws), [("A".to_owned(), ChangeKind::Update)]);
    assert_eq!(
        ws.base("A").expect("base").map(|b| b.store),
        Some(store("A", "v1"))
    );
    assert_eq!(
        ws.push_log(10).expect("log")[0].outcome.as_deref(),
        Some("ok")
    );
}

#[test]
fn discard_returns_stores_to_the_base_and_can_be_undone() {
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[store("A", "a")])).expect("pull");
    ws.update(store("A", "mine"), &Origin::Form).expect("edit");
    ws.create(store("B", "b"), &Origin::Form).expect("create");
    assert_eq!(ws.discard_all().expect("discard"), 2);
    assert_eq!(ws.pending_count().expect("count"), 0);
    ws.undo().expect("undo");
    assert_eq!(ws.pending_count().expect("count"), 2);
}

#[test]
fn the_drafts_file_moves_unpushed_work_to_another_workspace() {
    let (_d1, mut a) = open();
    a.apply_pull(remote(&[store("A", "a"), store("B", "b")]))
        .expect("pull");
    a.update(store("A", "mine"), &Origin::Form).expect("edit");
    a.delete(&["B".into()], &Origin::Form).expect("delete");
    a.create(store("C", "c"), &Origin::Form).expect("create");
    let file = a.export_queue().expect("export");

    let (_d2, mut b) = open();
    b.apply_pull(remote(&[store("A", "a"), store("B", "b")]))
        .expect("pull");
    assert_eq!(b.import_queue(&file).expect("import"), 3);
    assert_eq!(kinds(&a), kinds(&b));
    assert_eq!(b.stores().expect("stores"), a.stores().expect("stores"));

    let (_d3, mut c) = open();
    let truncated = &file[..file.len() / 2];
    assert!(matches!(
        c.import_queue(truncated),
        Err(WorkspaceError::QueueFile(QueueFileError::NotJson { .. }))
    ));
    assert!(matches!(
        c.import_queue(r#"{"stores": []}"#),
        Err(WorkspaceError::QueueFile(QueueFileError::WrongFormat))
    ));
    let bad = file.replacen("\"storeId\": \"C\"", "\"storeId\": \"Z\"", 1);
    assert!(c.import_queue(&bad).is_err());
    assert_eq!(
        c.pending_count().expect("count"),
        0,
        "a bad file changes nothing"
    );
}

#[test]
fn a_newer_schema_is_refused_with_a_sentence() {
    let (dir, ws) = open();
    ws.conn
        .execute("UPDATE meta SET value = '99' WHERE key = 'schema'", [])
        .expect("bump");
    drop(ws);
    let err = Workspace::open_dir(dir.path()).expect_err("refused");
    assert!(err.to_string().contains("newer storedesk"), "{err}");
}

fn outgoing_of(ws: &Workspace, id: &str) -> Outgoing {
    ws.outgoing()
        .expect("outgoing")
        .into_iter()
        .find(|o| o.id == id)
        .expect("pending")
}

#[test]
fn a_batch_gives_each_store_its_own_origin_in_one_undoable_step() {
    let (_dir, mut ws) = open();
    let origin = |row| Origin::Import {
        file: "stores.csv".into(),
        row: Some(row),
    };
    let edits = vec![
        (Edit::put(store("A", "a")), origin(2)),
        (Edit::put(store("B", "b")), origin(3)),
        (Edit::Delete("nothing".into()), origin(4)),
    ];
    assert_eq!(
        ws.apply_batch("Import stores.csv", edits).expect("apply"),
        2
    );
    let origins: Vec<(String, String)> = ws
        .pending()
        .expect("pending")
        .into_iter()
        .map(|p| (p.id, p.origin))
        .collect();
    assert_eq!(
        origins,
        [
            ("A".to_owned(), "import of stores.csv, row 2".to_owned()),
            ("B".to_owned(), "import of stores.csv, row 3".to_owned())
        ]
    );
    assert_eq!(
        ws.undo_label().expect("label").as_deref(),
        Some("Import stores.csv")
    );
    ws.undo().expect("undo");
    assert_eq!(ws.pending_count().expect("count"), 0);
    ws.redo().expect("redo");
    assert_eq!(ws.pending_count().expect("count"), 2);
}

#[test]
fn several_changes_of_one_store_in_a_step_undo_to_the_first_before_and_redo_to_the_last_after() {
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[store("A", "a")])).expect("pull");
    let edits = vec![
        Edit::put(store("A", "x")),
        Edit::put(store("B", "new")),
        Edit::put(store("A", "y")),
        Edit::Delete("B".into()),
    ];
    // A changes, B comes and goes: both are in the step, B ends where it started.
    assert_eq!(ws.apply("Several", &Origin::Form, edits).expect("apply"), 2);
    assert_eq!(kinds(&ws), [("A".to_owned(), ChangeKind::Update)]);
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "y")));
    // Back to the base within a step: no draft is left.
    ws.apply(
        "Back",
        &Origin::Form,
        vec![Edit::put(store("A", "z")), Edit::put(store("A", "a"))],
    )
    .expect("apply");
    assert_eq!(ws.pending_count().expect("count"), 0);
    ws.undo().expect("undo back");
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "y")));
    ws.undo().expect("undo several");
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "a")));
    assert_eq!(ws.pending_count().expect("count"), 0);
    ws.redo().expect("redo several");
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "y")));
    assert_eq!(ws.store("B").expect("reads"), None);
    ws.redo().expect("redo back");
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "a")));
    assert_eq!(ws.pending_count().expect("count"), 0);
}

#[test]
fn the_journal_copies_what_a_step_left_only_when_the_step_is_undone() {
    let (dir, mut ws) = open();
    ws.apply_pull(remote(&[store("A", "a")])).expect("pull");
    let edits: Vec<Edit> = (0..5)
        .map(|i| Edit::put(store(&format!("N{i}"), "new")))
        .chain([Edit::put(store("A", "mine"))])
        .collect();
    ws.apply("Six", &Origin::Form, edits).expect("apply");
    let afters = |dir: &std::path::Path| -> i64 {
        let conn = rusqlite::Connection::open(dir.join(super::DATABASE_FILE)).expect("opens");
        conn.query_row(
            "SELECT count(*) FROM journal WHERE after IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .expect("counts")
    };
    // What the step left is in the drafts alone.
    assert_eq!(afters(dir.path()), 0);
    ws.undo().expect("undo");
    assert_eq!(afters(dir.path()), 6);
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "a")));
    assert_eq!(ws.store("N3").expect("reads"), None);
    drop(ws);
    let mut ws = Workspace::open_dir(dir.path()).expect("reopens");
    ws.redo().expect("redo");
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "mine")));
    assert_eq!(ws.store("N3").expect("reads"), Some(store("N3", "new")));
    assert_eq!(ws.pending_count().expect("count"), 6);
}

#[test]
fn a_large_step_is_prepared_on_several_threads_in_order() {
    let (_dir, mut ws) = open();
    let n = edit::PARALLEL_FROM * 3 + 7;
    let mut edits: Vec<(Edit, Origin)> = (0..n)
        .map(|i| {
            (
                Edit::put(store(&format!("S{i:05}"), &format!("v{i}"))),
                Origin::Import {
                    file: "f".into(),
                    row: Some(i),
                },
            )
        })
        .collect();
    // The same id at both ends of the step: the last one wins.
    edits.push((Edit::put(store("S00000", "last")), Origin::Form));
    assert_eq!(ws.apply_batch("Big", edits).expect("apply"), n);
    let pending = ws.pending().expect("pending");
    assert_eq!(pending.len(), n);
    assert_eq!(pending[0].origin, "form");
    assert_eq!(pending[0].local, Some(store("S00000", "last")));
    assert_eq!(pending[n - 1].origin, format!("import of f, row {}", n - 1));
    let mut versions: Vec<i64> = pending.iter().map(|p| p.version).collect();
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(versions.len(), n, "every draft has its own version");
    let summaries = ws.summaries().expect("summaries");
    assert_eq!(summaries[1].name, "v1");
    assert_eq!(summaries[1].state, SyncState::New);
}

#[test]
fn a_store_without_an_id_in_a_batch_is_refused_before_anything_is_written() {
    let (_dir, mut ws) = open();
    let mut nameless = store("", "x");
    nameless.store_id = None;
    let result = ws.apply(
        "Bad",
        &Origin::Form,
        vec![Edit::put(store("A", "a")), Edit::put(nameless)],
    );
    assert!(matches!(result, Err(WorkspaceError::MissingId)));
    assert_eq!(ws.pending_count().expect("count"), 0);
}

#[test]
fn the_kept_error_count_follows_each_edit_of_a_draft() {
    let (_dir, mut ws) = open();
    let mut broken = store("A", "a");
    broken.location = None;
    ws.create(broken, &Origin::Form).expect("create");
    let o = outgoing_of(&ws, "A");
    assert_eq!(o.kind, ChangeKind::Create);
    assert!(!o.errors.is_empty(), "no location is an error");
    assert!(o.errors.iter().any(|f| f.path == "location"));
    ws.update(store("A", "a"), &Origin::Form).expect("fix");
    let o = outgoing_of(&ws, "A");
    assert!(o.errors.is_empty());
    assert_eq!(o.content_hash, Some(store("A", "a").content_hash()));
    assert_eq!(o.remote_hash, Some(store("A", "a").remote_hash()));
    assert_eq!(o.bytes, store("A", "a").to_json().len());
    let mut unnamed = store("A", "a");
    unnamed.name = Some(" ".into());
    ws.update(unnamed, &Origin::Form).expect("break");
    assert!(!outgoing_of(&ws, "A").errors.is_empty());
    ws.undo().expect("undo");
    assert!(
        outgoing_of(&ws, "A").errors.is_empty(),
        "undo keeps it true"
    );
}

#[test]
fn a_store_sent_as_its_draft_keeps_what_was_sent_when_edited_in_flight() {
    let (_dir, mut ws) = open();
    ws.create(store("A", "v1"), &Origin::Form).expect("create");
    ws.create(store("B", "b"), &Origin::Form).expect("create");
    let mut items = ws.outgoing().expect("outgoing");
    assert!(ws.load_json(&mut items).expect("json").is_empty());
    assert_eq!(
        items[0].json.as_deref(),
        Some(store("A", "v1").to_json().as_str())
    );
    let push = ws.begin_push().expect("push");
    let seq = ws
        .record_sending(push, "POST", &items, 100)
        .expect("sending");
    // The in-flight record points at the draft until the draft changes.
    ws.update(store("A", "v2"), &Origin::Form)
        .expect("edit during push");
    let inflight = ws.inflight().expect("inflight");
    assert_eq!(inflight[0].item.store, Some(store("A", "v1")));
    assert_eq!(
        inflight[0].remote_hash,
        Some(store("A", "v1").remote_hash())
    );
    ws.record_outcome(seq, "ok", "2 stores", &items, &[])
        .expect("outcome");
    assert!(ws.inflight().expect("inflight").is_empty());
    assert_eq!(kinds(&ws), [("A".to_owned(), ChangeKind::Update)]);
    let base = ws.base("A").expect("base").expect("exists");
    assert_eq!(base.store, store("A", "v1"));
    assert_eq!(base.remote_hash, store("A", "v1").remote_hash());
    assert!(base.names_known);
    let states: Vec<(String, String, SyncState)> = ws
        .summaries()
        .expect("summaries")
        .into_iter()
        .map(|s| (s.id, s.name, s.state))
        .collect();
    assert_eq!(
        states,
        [
            ("A".to_owned(), "v2".to_owned(), SyncState::Modified),
            ("B".to_owned(), "b".to_owned(), SyncState::Synced)
        ]
    );
    // A draft edited after its JSON was listed is left for the next push.
    let mut items = ws.outgoing().expect("outgoing");
    ws.update(store("A", "v3"), &Origin::Form).expect("edit");
    let changed = ws.load_json(&mut items).expect("json");
    assert_eq!(changed.len(), 1);
    assert!(items.is_empty());
}

#[test]
fn a_request_confirmed_in_part_moves_only_the_stores_that_landed() {
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[store("D", "d")])).expect("pull");
    ws.create(store("A", "a"), &Origin::Form).expect("create");
    ws.create(store("B", "b"), &Origin::Form).expect("create");
    ws.delete(&["D".into()], &Origin::Form).expect("delete");
    let mut items = ws.outgoing().expect("outgoing");
    ws.load_json(&mut items).expect("json");
    let push = ws.begin_push().expect("push");
    let seq = ws.record_sending(push, "POST", &items, 0).expect("sending");
    let landed: Vec<Outgoing> = items.iter().filter(|o| o.id != "B").cloned().collect();
    ws.record_outcome(seq, "partly applied", "", &landed, &["B".to_owned()])
        .expect("outcome");
    assert!(ws.inflight().expect("inflight").is_empty());
    assert_eq!(kinds(&ws), [("B".to_owned(), ChangeKind::Create)]);
    assert!(ws.base("D").expect("base").is_none());
    assert_eq!(
        ws.base("A").expect("base").map(|b| b.store),
        Some(store("A", "a"))
    );
}

/// The schema a workspace is at, as it records it.
fn schema_of(ws: &Workspace) -> String {
    ws.conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .expect("schema")
}

/// The tables of schema 3, as storedesk wrote them before schema 4 (schema 2 had no `ignored`).
const SCHEMA_3: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE base (
    id TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    content_hash INTEGER NOT NULL,
    remote_hash INTEGER NOT NULL,
    last_updated TEXT,
    names_known INTEGER NOT NULL,
    name TEXT,
    lat REAL,
    lng REAL
);
CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    json TEXT,
    origin TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    conflict INTEGER NOT NULL DEFAULT 0,
    theirs TEXT,
    theirs_updated TEXT,
    failure TEXT,
    content_hash INTEGER,
    remote_hash INTEGER,
    errors INTEGER NOT NULL DEFAULT 0,
    has_names INTEGER NOT NULL DEFAULT 0,
    name TEXT,
    lat REAL,
    lng REAL
);
-- The deleted drafts, so that a push finds them without reading every draft.
CREATE INDEX drafts_deleted ON drafts (id) WHERE json IS NULL;
CREATE TABLE steps (
    step INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    at TEXT NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE journal (
    step INTEGER NOT NULL,
    id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    PRIMARY KEY (step, id)
);
CREATE TABLE push_log (
    seq INTEGER PRIMARY KEY,
    push INTEGER NOT NULL,
    at TEXT NOT NULL,
    method TEXT NOT NULL,
    stores INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    ids TEXT NOT NULL,
    outcome TEXT,
    message TEXT
);
CREATE TABLE inflight (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    method TEXT NOT NULL,
    json TEXT,
    version INTEGER NOT NULL,
    content_hash INTEGER,
    remote_hash INTEGER
) WITHOUT ROWID;
CREATE TABLE ignored (
    id TEXT NOT NULL,
    code TEXT NOT NULL,
    path TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (id, code, path)
) WITHOUT ROWID;
";

/// The tables of schema 1, as storedesk wrote them before schema 2.
const SCHEMA_1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE base (id TEXT PRIMARY KEY, json TEXT NOT NULL, content_hash INTEGER NOT NULL,
    remote_hash INTEGER NOT NULL, last_updated TEXT, names_known INTEGER NOT NULL);
CREATE TABLE drafts (id TEXT PRIMARY KEY, json TEXT, origin TEXT NOT NULL,
    changed_at TEXT NOT NULL, version INTEGER NOT NULL, conflict INTEGER NOT NULL DEFAULT 0,
    theirs TEXT, theirs_updated TEXT, failure TEXT);
CREATE TABLE steps (step INTEGER PRIMARY KEY, label TEXT NOT NULL, at TEXT NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0);
CREATE TABLE journal (step INTEGER NOT NULL, id TEXT NOT NULL, before TEXT, after TEXT,
    PRIMARY KEY (step, id));
CREATE TABLE push_log (seq INTEGER PRIMARY KEY, push INTEGER NOT NULL, at TEXT NOT NULL,
    method TEXT NOT NULL, stores INTEGER NOT NULL, bytes INTEGER NOT NULL, ids TEXT NOT NULL,
    outcome TEXT, message TEXT);
CREATE TABLE inflight (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, method TEXT NOT NULL,
    json TEXT, version INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('schema', '1'), ('version', '3'), ('push', '1');
";

#[test]
fn a_workspace_of_schema_3_keeps_every_store_when_its_json_moves_to_documents() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(DATABASE_FILE);
    let [a, b, c] = ["A", "B", "C"].map(|id| store(id, "pulled"));
    let c_sent = store("C", "sent");
    let c_now = store("C", "edited while in flight");
    let d_new = store("D", "new");
    let e_new = store("E", "mine");
    let e_theirs = store("E", "theirs");
    {
        let conn = Connection::open(&path).expect("opens");
        conn.execute_batch(SCHEMA_3).expect("schema 3");
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema', '3'), ('version', '9'), ('push', '1');
             INSERT INTO steps (step, label, at) VALUES (1, 'Edit C', 't');",
        )
        .expect("meta");
        for s in [&a, &b, &c] {
            conn.execute(
                "INSERT INTO base (id, json, content_hash, remote_hash, names_known, name, lat, lng)
                 VALUES (?1, ?2, ?3, ?4, 1, 'pulled', 48.0, 2.0)",
                params![
                    s.id(),
                    s.to_json(),
                    hash_to_sql(s.content_hash()),
                    hash_to_sql(s.remote_hash())
                ],
            )
            .expect("base");
        }
        conn.execute(
            "INSERT INTO drafts (id, json, origin, changed_at, version, conflict, theirs)
             VALUES ('B', NULL, 'form', 't', 5, 0, NULL), ('C', ?1, 'form', 't', 7, 0, NULL),
                    ('D', ?2, 'import', 't', 8, 0, NULL), ('E', ?3, 'form', 't', 9, 3, ?4)",
            params![
                c_now.to_json(),
                d_new.to_json(),
                e_new.to_json(),
                e_theirs.to_json()
            ],
        )
        .expect("drafts");
        conn.execute(
            "INSERT INTO inflight (id, seq, method, json, version, content_hash, remote_hash)
             VALUES ('C', 1, 'PUT', ?1, 6, ?2, ?3), ('D', 1, 'POST', NULL, 8, ?4, ?5)",
            params![
                c_sent.to_json(),
                hash_to_sql(c_sent.content_hash()),
                hash_to_sql(c_sent.remote_hash()),
                hash_to_sql(d_new.content_hash()),
                hash_to_sql(d_new.remote_hash())
            ],
        )
        .expect("inflight");
        conn.execute(
            "INSERT INTO journal (step, id, before) VALUES (1, 'C', ?1)",
            params![c.to_json()],
        )
        .expect("journal");
    }
    let mut ws = Workspace::open(&path).expect("opens and updates");
    assert_eq!(schema_of(&ws), schema::SCHEMA_VERSION.to_string());
    ws.check_documents().expect("every store has its JSON");
    let documents: i64 = ws
        .conn
        .query_row("SELECT count(*) FROM docs", [], |r| r.get(0))
        .expect("count");
    assert_eq!(
        documents, 6,
        "three bases and three drafts that keep a store"
    );
    assert_eq!(
        ws.stores().expect("stores"),
        [a.clone(), c_now.clone(), d_new.clone(), e_new.clone()]
    );
    assert_eq!(
        ws.base("C").expect("base").map(|r| r.store),
        Some(c.clone())
    );
    assert_eq!(ws.base("D").expect("base"), None);
    assert_eq!(
        kinds(&ws),
        [
            ("B".to_owned(), ChangeKind::Delete),
            ("C".to_owned(), ChangeKind::Update),
            ("D".to_owned(), ChangeKind::Create),
            ("E".to_owned(), ChangeKind::Create)
        ]
    );
    assert_eq!(outgoing_of(&ws, "D").bytes, d_new.to_json().len());
    assert_eq!(outgoing_of(&ws, "B").kind, ChangeKind::Delete);
    let pending = ws.pending_of(&["E".to_owned()]).expect("pending");
    assert!(matches!(
        &pending[0].conflict,
        Some(Conflict::ExistsRemotely { theirs, .. }) if *theirs == e_theirs
    ));
    // What was in flight is known as it was sent, and lands as the base.
    let inflight = ws.inflight().expect("inflight");
    let sent: Vec<(String, Option<Store>)> = inflight
        .iter()
        .map(|i| (i.item.id.clone(), i.item.store.clone()))
        .collect();
    assert_eq!(
        sent,
        [
            ("C".to_owned(), Some(c_sent.clone())),
            ("D".to_owned(), Some(d_new.clone()))
        ]
    );
    let items: Vec<SentItem> = inflight.into_iter().map(|i| i.item).collect();
    ws.confirm_inflight(&items, &[]).expect("confirm");
    assert_eq!(ws.base("C").expect("base").map(|r| r.store), Some(c_sent));
    assert_eq!(
        ws.base("D").expect("base").map(|r| r.store),
        Some(d_new.clone())
    );
    assert_eq!(ws.store("C").expect("store"), Some(c_now));
    assert_eq!(
        kinds(&ws),
        [
            ("B".to_owned(), ChangeKind::Delete),
            ("C".to_owned(), ChangeKind::Update),
            ("E".to_owned(), ChangeKind::Create)
        ]
    );
    ws.check_documents().expect("after the confirmation");
    // The journal of schema 3 still undoes.
    ws.undo().expect("undo");
    assert_eq!(ws.store("C").expect("store"), Some(c));
    ws.check_documents().expect("after the undo");
    drop(ws);
    let ws = Workspace::open(&path).expect("opens again");
    assert_eq!(ws.stores().expect("stores").len(), 4);
}

#[test]
fn a_workspace_of_schema_1_is_brought_up_to_date_when_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(DATABASE_FILE);
    let a = store("A", "a");
    let mut a2 = store("A", "mine");
    a2.location = None;
    let c = store("C", "new");
    {
        let conn = Connection::open(&path).expect("opens");
        conn.execute_batch(SCHEMA_1).expect("schema 1");
        conn.execute(
            "INSERT INTO base VALUES ('A', ?1, ?2, ?3, NULL, 0)",
            params![
                a.to_json(),
                hash_to_sql(a.content_hash()),
                hash_to_sql(a.remote_hash())
            ],
        )
        .expect("base");
        conn.execute(
            "INSERT INTO drafts (id, json, origin, changed_at, version)
             VALUES ('A', ?1, 'form', 't', 2), ('C', ?2, 'form', 't', 3)",
            params![a2.to_json(), c.to_json()],
        )
        .expect("drafts");
        conn.execute(
            "INSERT INTO inflight VALUES ('C', 1, 'POST', ?1, 3)",
            params![c.to_json()],
        )
        .expect("inflight");
    }
    let mut ws = Workspace::open(&path).expect("opens and updates");
    assert_eq!(schema_of(&ws), schema::SCHEMA_VERSION.to_string());
    ws.check_documents().expect("every store has its JSON");
    let states: Vec<(String, String, Option<f64>, SyncState)> = ws
        .summaries()
        .expect("summaries")
        .into_iter()
        .map(|s| (s.id, s.name, s.lat, s.state))
        .collect();
    assert_eq!(
        states,
        [
            ("A".to_owned(), "mine".to_owned(), None, SyncState::Modified),
            ("C".to_owned(), "new".to_owned(), Some(48.0), SyncState::New)
        ]
    );
    let o = outgoing_of(&ws, "A");
    assert!(
        !o.errors.is_empty(),
        "the draft without a location has errors"
    );
    assert_eq!(o.base_remote_hash, Some(a.remote_hash()));
    let o = outgoing_of(&ws, "C");
    assert_eq!(o.content_hash, Some(c.content_hash()));
    assert_eq!(o.remote_hash, Some(c.remote_hash()));
    assert!(o.errors.is_empty());
    let inflight = ws.inflight().expect("inflight");
    assert_eq!(inflight[0].remote_hash, Some(c.remote_hash()));
    // Edits and version numbers carry on.
    ws.update(store("A", "fixed"), &Origin::Form).expect("edit");
    assert!(outgoing_of(&ws, "A").version > 3);
    drop(ws);
    Workspace::open(&path).expect("opens again");
}

#[test]
fn a_store_another_request_took_over_is_still_confirmed_by_its_first_request() {
    let (_dir, mut ws) = open();
    ws.create(store("A", "a"), &Origin::Form).expect("create");
    ws.create(store("B", "b"), &Origin::Form).expect("create");
    let mut first = ws.outgoing().expect("outgoing");
    let (seq1, _) = ws
        .record_sending_drafts(1, "POST", &mut first, |_| 0)
        .expect("sending");
    let mut second: Vec<Outgoing> = first.iter().filter(|o| o.id == "A").cloned().collect();
    let (seq2, changed) = ws
        .record_sending_drafts(1, "POST", &mut second, |_| 0)
        .expect("sending again");
    assert!(changed.is_empty());
    ws.record_outcome(seq1.expect("sent"), "ok", "", &first, &[])
        .expect("outcome");
    assert_eq!(ws.pending_count().expect("count"), 0);
    assert!(ws.inflight().expect("inflight").is_empty());
    assert_eq!(
        ws.base("A").expect("base").map(|b| b.store),
        Some(store("A", "a"))
    );
    ws.record_outcome(seq2.expect("sent"), "ok", "", &second, &[])
        .expect("outcome again");
    assert!(ws.inflight().expect("inflight").is_empty());
    assert_eq!(ws.stores().expect("stores").len(), 2);
}

#[test]
fn answers_recorded_together_by_another_connection_move_what_landed_to_the_base() {
    let (_dir, mut ws) = open();
    for id in ["A", "B", "C", "D"] {
        ws.create(store(id, "sent"), &Origin::Form).expect("create");
    }
    let listed = ws.outgoing().expect("outgoing");
    let mut first: Vec<Outgoing> = listed[..2].to_vec();
    let mut second: Vec<Outgoing> = listed[2..].to_vec();
    let (seq1, _) = ws
        .record_sending_drafts(1, "POST", &mut first, |_| 0)
        .expect("sending");
    let (seq2, _) = ws
        .record_sending_drafts(1, "POST", &mut second, |_| 0)
        .expect("sending");
    // B is edited while its request is out: the edit stays a draft.
    ws.update(store("B", "edited"), &Origin::Form)
        .expect("edit");
    let mut recorder = ws.connect_again().expect("second connection");
    recorder
        .record_answers(&[
            Answer {
                seq: seq1.expect("sent"),
                outcome: "ok".into(),
                message: "2 stores".into(),
                applied: first,
                not_applied: Vec::new(),
            },
            Answer {
                seq: seq2.expect("sent"),
                outcome: "partly applied (read back)".into(),
                message: String::new(),
                applied: second[..1].to_vec(),
                not_applied: vec!["D".to_owned()],
            },
        ])
        .expect("answers");
    assert!(ws.inflight().expect("inflight").is_empty());
    for id in ["A", "B", "C"] {
        assert_eq!(
            ws.base(id).expect("base").map(|b| b.store),
            Some(store(id, "sent")),
            "{id}"
        );
    }
    assert_eq!(ws.base("D").expect("base"), None);
    assert_eq!(
        kinds(&ws),
        vec![
            ("B".to_owned(), ChangeKind::Update),
            ("D".to_owned(), ChangeKind::Create)
        ]
    );
    assert_eq!(ws.store("B").expect("store"), Some(store("B", "edited")));
}

fn import_origin(row: usize) -> Origin {
    Origin::Import {
        file: "f.csv".into(),
        row: Some(row),
    }
}

#[test]
fn a_step_written_in_chunks_is_one_step_that_undo_takes_back_whole() {
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[store("A", "base")])).expect("pull");
    ws.create(store("Z", "before"), &Origin::Form)
        .expect("create");
    let mut step = ws.begin_step("Import f.csv").expect("begins");
    step.add(vec![
        (Edit::put(store("A", "first")), import_origin(1)),
        (Edit::put(store("B", "new")), import_origin(2)),
    ])
    .expect("first chunk");
    step.add_prepared(vec![Prepared::put(
        &store("C", "prepared"),
        0,
        &import_origin(3),
    )])
    .expect("prepared chunk");
    assert_eq!(
        step.store("A").expect("reads").and_then(|s| s.name),
        Some("first".into()),
        "the step sees its own edits"
    );
    // The same id again in a later chunk: one journal entry, from before the step to the last.
    step.add(vec![(Edit::put(store("A", "last")), import_origin(4))])
        .expect("last chunk");
    assert_eq!(step.commit().expect("commits"), 3);
    assert_eq!(ws.undo_label().expect("label"), Some("Import f.csv".into()));
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "last")));
    assert_eq!(ws.store("C").expect("reads"), Some(store("C", "prepared")));
    let pending = ws.pending().expect("pending");
    let origin_of = |id: &str| {
        pending
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.origin.clone())
            .unwrap_or_default()
    };
    assert_eq!(origin_of("C"), "import of f.csv, row 3");
    assert_eq!(origin_of("A"), "import of f.csv, row 4");

    let undone = ws.undo().expect("undo");
    assert_eq!(undone.stores, 3);
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "base")));
    assert_eq!(ws.store("B").expect("reads"), None);
    assert_eq!(ws.store("C").expect("reads"), None);
    assert_eq!(ws.store("Z").expect("reads"), Some(store("Z", "before")));
    assert_eq!(kinds(&ws), [("Z".to_owned(), ChangeKind::Create)]);
    ws.redo().expect("redo");
    assert_eq!(ws.store("A").expect("reads"), Some(store("A", "last")));
    assert_eq!(ws.store("C").expect("reads"), Some(store("C", "prepared")));
}

#[test]
fn a_step_stopped_midway_leaves_the_workspace_as_it_was() {
    let (dir, mut ws) = open();
    ws.create(store("Z", "before"), &Origin::Form)
        .expect("create");
    {
        let mut step = ws.begin_step("Import f.csv").expect("begins");
        let many: Vec<(Edit, Origin)> = (0..edit::PARALLEL_FROM + 3)
            .map(|i| (Edit::put(store(&format!("S{i:04}"), "n")), import_origin(i)))
            .collect();
        step.add(many).expect("a chunk");
        step.add(vec![(Edit::put(store("Z", "changed")), import_origin(9))])
            .expect("another");
        let mut nameless = store("", "x");
        nameless.store_id = None;
        assert!(matches!(
            step.add(vec![(Edit::put(nameless), import_origin(10))]),
            Err(WorkspaceError::MissingId)
        ));
        // Dropped without a commit.
    }
    let check = |ws: &Workspace| {
        assert_eq!(kinds(ws), [("Z".to_owned(), ChangeKind::Create)]);
        assert_eq!(ws.store("Z").expect("reads"), Some(store("Z", "before")));
        assert_eq!(ws.undo_label().expect("label"), Some("Add Z".into()));
    };
    check(&ws);
    drop(ws);
    let ws = Workspace::open_dir(dir.path()).expect("reopens");
    check(&ws);
}

#[test]
fn a_chunked_step_that_changes_nothing_is_not_kept() {
    let (_dir, mut ws) = open();
    ws.create(store("A", "same"), &Origin::Form)
        .expect("create");
    let mut step = ws.begin_step("Import f.csv").expect("begins");
    step.add(vec![(Edit::put(store("A", "same")), import_origin(1))])
        .expect("adds");
    assert_eq!(step.commit().expect("commits"), 0);
    assert_eq!(ws.undo_label().expect("label"), Some("Add A".into()));
}

/// A store with a warning (a time written loosely) and a notice-free, error-free rest.
fn store_with_warning(id: &str, lat: f64) -> Store {
    let mut s = store(id, " spaced name");
    s.location = Some(Location::new(lat, 2.35));
    s
}

#[test]
fn warnings_can_be_ignored_and_errors_cannot() {
    use crate::validate::Code;
    let (dir, mut ws) = open();
    ws.create(store_with_warning("A", 48.85), &Origin::Form)
        .expect("create");
    ws.ignore_finding("A", Code::TextWhitespace, "name")
        .expect("a warning can be ignored");
    // Twice is the same as once.
    ws.ignore_finding("A", Code::TextWhitespace, "name")
        .expect("again");
    let e = ws
        .ignore_finding("A", Code::LocationMissing, "location")
        .expect_err("an error cannot be ignored");
    assert!(matches!(e, WorkspaceError::ErrorNotIgnorable(_)));
    assert!(e.to_string().contains("location.missing"), "{e}");
    assert!(matches!(
        ws.ignore_finding("B", Code::TextWhitespace, "name"),
        Err(WorkspaceError::UnknownStore(_))
    ));
    drop(ws);
    // Kept across a restart.
    let mut ws = Workspace::open_dir(dir.path()).expect("reopens");
    let ignored = ws.ignored().expect("ignored");
    assert_eq!(ignored.len(), 1);
    assert_eq!(
        (
            ignored[0].id.as_str(),
            ignored[0].code,
            ignored[0].path.as_str()
        ),
        ("A", Code::TextWhitespace, "name")
    );
    assert!(!ignored[0].at.is_empty());
    assert!(
        ws.unignore_finding("A", Code::TextWhitespace, "name")
            .expect("unignore")
    );
    assert!(
        !ws.unignore_finding("A", Code::TextWhitespace, "name")
            .expect("again")
    );
    assert_eq!(ws.ignored().expect("ignored"), vec![]);
}

#[test]
fn the_findings_of_the_project_mark_the_ignored_ones() {
    use crate::validate::{Code, Context, Severity};
    let (_dir, mut ws) = open();
    ws.apply_pull(remote(&[store_with_warning("A", 48.85)]))
        .expect("pull");
    // B is at the same place as A (a rule across stores); C has no location (an error) and is
    // deleted, so it is not in the list.
    ws.create(store_with_warning("B", 48.85), &Origin::Form)
        .expect("create");
    let mut c = store("C", "c");
    c.location = None;
    ws.create(c, &Origin::Form).expect("create");
    ws.delete(&["C".to_owned()], &Origin::Form).expect("delete");
    ws.ignore_finding("A", Code::TextWhitespace, "name")
        .expect("ignore");
    let ctx = Context::today();
    let found: Vec<(String, Code, bool)> = ws
        .findings(&ctx)
        .expect("findings")
        .into_iter()
        .map(|f| (f.id, f.finding.code, f.ignored))
        .collect();
    assert_eq!(
        found,
        [
            ("A".to_owned(), Code::TextWhitespace, true),
            ("A".to_owned(), Code::SamePlace, false),
            ("B".to_owned(), Code::TextWhitespace, false),
            ("B".to_owned(), Code::SamePlace, false),
        ]
    );
    // The error of a store the user sees is listed, never marked ignored.
    let mut d = store("D", "d");
    d.location = None;
    ws.create(d, &Origin::Form).expect("create");
    let errors: Vec<StoreFinding> = ws
        .findings(&ctx)
        .expect("findings")
        .into_iter()
        .filter(|f| f.finding.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].id.as_str(), errors[0].ignored), ("D", false));
}

#[test]
fn the_findings_of_a_large_project_are_validated_in_order() {
    use crate::validate::{Context, validate_set};
    let (_dir, mut ws) = open();
    let stores: Vec<Store> = (0..5000)
        .map(|i| store_with_warning(&format!("S{i:05}"), 40.0 + f64::from(i) / 1000.0))
        .collect();
    ws.apply_batch(
        "Import",
        stores
            .iter()
            .cloned()
            .map(|s| (Edit::put(s), Origin::Form))
            .collect(),
    )
    .expect("apply");
    let ctx = Context::today();
    let expected: Vec<(String, crate::validate::Finding)> = stores
        .iter()
        .zip(validate_set(&stores, &ctx))
        .flat_map(|(s, fs)| fs.into_iter().map(move |f| (s.id().to_owned(), f)))
        .collect();
    let found: Vec<(String, crate::validate::Finding)> = ws
        .findings(&ctx)
        .expect("findings")
        .into_iter()
        .map(|f| (f.id, f.finding))
        .collect();
    assert_eq!(found.len(), 5000);
    assert_eq!(found, expected);
}

#[test]
fn a_workspace_of_schema_2_gets_the_ignore_list_when_opened() {
    use crate::validate::Code;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(DATABASE_FILE);
    {
        // A schema 2 workspace: the tables of schema 3 without `ignored`, and a new store.
        let conn = Connection::open(&path).expect("opens");
        conn.execute_batch(SCHEMA_3).expect("schema 3");
        conn.execute_batch(
            "DROP TABLE ignored;
             INSERT INTO meta (key, value) VALUES ('schema', '2'), ('version', '1'), ('push', '0');",
        )
        .expect("schema 2");
        conn.execute(
            "INSERT INTO drafts (id, json, origin, changed_at, version) VALUES ('A', ?1, 'form', 't', 1)",
            params![store_with_warning("A", 48.85).to_json()],
        )
        .expect("draft");
    }
    {
        let conn = Connection::open(&path).expect("opens");
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ignored'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(tables, 0);
    }
    let mut ws = Workspace::open(&path).expect("opens and updates");
    assert_eq!(schema_of(&ws), schema::SCHEMA_VERSION.to_string());
    assert_eq!(ws.ignored().expect("ignored"), vec![]);
    assert_eq!(kinds(&ws), [("A".to_owned(), ChangeKind::Create)]);
    ws.ignore_finding("A", Code::TextWhitespace, "name")
        .expect("ignore");
    drop(ws);
    let ws = Workspace::open(&path).expect("opens again");
    assert_eq!(ws.ignored().expect("ignored").len(), 1);
}

/// The hashes a workspace keeps, row by row: `(table, id, content, remote)`.
fn stored_hashes(conn: &Connection) -> Vec<(String, String, Option<i64>, Option<i64>)> {
    let mut stmt = conn
        .prepare(
            "SELECT 'base', id, content_hash, remote_hash FROM base
             UNION ALL SELECT 'drafts', id, content_hash, remote_hash FROM drafts
             UNION ALL SELECT 'inflight', id, content_hash, remote_hash FROM inflight
             ORDER BY 1, 2",
        )
        .expect("select");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("rows");
    rows.collect::<std::result::Result<_, _>>().expect("hashes")
}

#[test]
fn a_workspace_of_schema_4_finds_its_hashes_again_when_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(DATABASE_FILE);
    let (a, b, c, d) = (
        store("A", "pulled"),
        store("B", "pulled"),
        store("C", "pulled"),
        store("D", "new"),
    );
    let expected = {
        let mut ws = Workspace::open(&path).expect("opens");
        ws.apply_pull(remote(&[a.clone(), b.clone(), c.clone()]))
            .expect("pull");
        ws.update(store("A", "edited"), &Origin::Form)
            .expect("edit");
        ws.update(store("B", "sent"), &Origin::Form).expect("edit");
        ws.create(d.clone(), &Origin::Form).expect("create");
        ws.delete(&["C".into()], &Origin::Form).expect("delete");
        // B goes in flight as its draft, C as a delete, D with a copy of what was sent
        // (edited since).
        let push = ws.begin_push().expect("push");
        let mut items: Vec<Outgoing> = ws
            .outgoing()
            .expect("outgoing")
            .into_iter()
            .filter(|o| o.id == "B" || o.id == "C")
            .collect();
        let (seq, changed) = ws
            .record_sending_drafts(push, "PUT", &mut items, |_| 0)
            .expect("sending");
        assert!(seq.is_some() && changed.is_empty());
        let mut new = ws.outgoing().expect("outgoing");
        new.retain(|o| o.id == "D");
        ws.load_json(&mut new).expect("json");
        ws.record_sending(push, "POST", &new, 0).expect("sending");
        ws.update(store("D", "edited in flight"), &Origin::Form)
            .expect("edit");
        ws.create(store("C", "made again in flight"), &Origin::Form)
            .expect("create");
        let expected = stored_hashes(&ws.conn);
        // Hashes of another function, as schema 4 kept them.
        ws.conn
            .execute_batch(
                "UPDATE base SET content_hash = content_hash + 1, remote_hash = remote_hash + 1;
                 UPDATE drafts SET content_hash = content_hash + 1, remote_hash = remote_hash + 1;
                 UPDATE inflight SET content_hash = content_hash + 1,
                     remote_hash = remote_hash + 1;
                 UPDATE meta SET value = '4' WHERE key = 'schema';",
            )
            .expect("schema 4");
        assert_ne!(stored_hashes(&ws.conn), expected);
        expected
    };
    assert!(
        expected
            .iter()
            .any(|(t, id, h, _)| t == "inflight" && id == "C" && h.is_none()),
        "a delete in flight has no hash: {expected:?}"
    );
    let mut ws = Workspace::open(&path).expect("opens and updates");
    assert_eq!(schema_of(&ws), schema::SCHEMA_VERSION.to_string());
    assert_eq!(stored_hashes(&ws.conn), expected);
    // Edited back to what was pulled, A has nothing left to push.
    ws.update(a, &Origin::Form).expect("edit back");
    assert_eq!(
        kinds(&ws),
        [
            ("B".to_owned(), ChangeKind::Update),
            ("C".to_owned(), ChangeKind::Update),
            ("D".to_owned(), ChangeKind::Create)
        ]
    );
}
