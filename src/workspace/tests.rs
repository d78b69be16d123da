use super::*;
use crate::model::{Location, RemoteMeta};

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

fn kinds(ws: &Workspace) -> Vec<(String, ChangeKind)> {
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
