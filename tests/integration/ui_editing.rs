//! Editing in the window, driven by accessible labels against the sandbox's emulator on
//! loopback: the store form's address and contact pushed, several stores given a time zone at
//! once, and a conflict made on the server resolved field by field.

use std::sync::Arc;

use egui_kittest::kittest::Queryable;
use storedesk::profiles::{MemoryStore, SANDBOX_PRIVATE_KEY};

use crate::window;
use window::{
    change_remote, push_and_read_back, remote, retype, select_in_list, step_until, wait_for_drafts,
    window, window_sized,
};

fn sandbox(dir: &std::path::Path) -> egui_kittest::Harness<'static, storedesk::app::StoreDeskApp> {
    let mut h = window(dir, Arc::new(MemoryStore::new()));
    step_until(&mut h, "the sandbox's stores", |a| {
        a.state.stores.len() >= 60 && a.state.profile.as_ref().is_some_and(|p| p.sandbox)
    });
    h
}

#[test]
fn an_address_and_contact_edited_in_the_form_are_pushed() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = sandbox(dir.path());
    let id = "FR_PAR_003";
    select_in_list(&mut h, id);

    retype(&mut h, "City", "Paris 4e");
    retype(&mut h, "Zip code", "75004");
    h.get_by_label("Add address line").click();
    h.run_steps(2);
    retype(&mut h, "Address line 2", "Cour du fond");
    // An email that cannot be right is pointed out next to its field as it is typed.
    retype(&mut h, "Email", "archives@example");
    h.run_steps(2);
    // Next to the field, and in the list of problems.
    assert_eq!(
        h.query_all_by_label_contains("Email \"archives@example\" cannot be right")
            .count(),
        2
    );
    retype(&mut h, "Email", "archives@example.com");
    retype(&mut h, "Phone", "+33 1 99 00 99 03");
    wait_for_drafts(&mut h, 1);

    // The queue is read again after each save, on its own: it shows every field once the
    // last save has been read back.
    let wanted = [
        "address.lines",
        "address.city",
        "contact.phone",
        "contact.email",
    ];
    step_until(&mut h, "every changed field in the queue", |a| {
        a.state.queue.items.first().is_some_and(|item| {
            item.id == id
                && wanted
                    .iter()
                    .all(|w| item.changes.iter().any(|c| c.path == *w))
        })
    });
    // A burst of typing in one field is one undo step, not one per key.
    assert!(
        h.state()
            .state
            .queue
            .undo
            .as_deref()
            .is_some_and(|u| u.contains(id)),
        "{:?}",
        h.state().state.queue.undo
    );

    h.get_by_label("Preview").click();
    step_until(&mut h, "the preview", |a| a.state.preview.is_some());
    h.get_by_label_contains("PUT update: 1 stores in 1 request");
    let pushed = push_and_read_back(&mut h, 1, id);
    let address = pushed.address.expect("address");
    assert_eq!(address.city.as_deref(), Some("Paris 4e"));
    assert_eq!(
        address.lines,
        Some(vec![
            "38 Rue des Archives".to_owned(),
            "Cour du fond".to_owned()
        ])
    );
    let contact = pushed.contact.expect("contact");
    assert_eq!(contact.email.as_deref(), Some("archives@example.com"));
    assert_eq!(contact.phone.as_deref(), Some("+33 1 99 00 99 03"));
    h.check_accessibility();
}

#[test]
fn three_stores_get_one_time_zone_in_one_undoable_step() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = sandbox(dir.path());
    h.get_by_label("Filter").click();
    h.get_by_label("Filter").type_text("FR_PAR_00");
    step_until(&mut h, "the filter", |a| a.state.visible.len() >= 3);
    h.get_by_label("FR_PAR_001").click();
    h.run_steps(2);
    for id in ["FR_PAR_002", "FR_PAR_004"] {
        h.get_by_label(id).click_modifiers(egui::Modifiers::COMMAND);
        h.run_steps(2);
    }
    step_until(&mut h, "what the three share", |a| {
        a.state.selection.len() == 3 && a.state.bulk.is_some()
    });
    h.get_by_label("3 stores selected");
    h.get_by_label_contains("Now: Europe/Paris");
    h.get_by_label("The same opening hours for all").click();
    h.run_steps(3);
    h.get_by_label("Apply these hours to the 3 selected stores");
    h.check_accessibility();
    h.get_by_label("The same opening hours for all").click();
    h.run_steps(3);

    h.get_by_label("Search time zones").click();
    h.get_by_label("Search time zones").type_text("Lisbon");
    h.run_steps(2);
    h.get_by_label("Europe/Lisbon").click();
    h.run_steps(2);
    h.get_by_label("Set time zone").click();
    step_until(&mut h, "three drafts", |a| a.state.queue.total == 3);
    for item in &h.state().state.queue.items {
        let change = item
            .changes
            .iter()
            .find(|c| c.path == "openingHours.timezone")
            .expect("the time zone changed");
        assert_eq!(change.after, Some(serde_json::json!("Europe/Lisbon")));
    }
    step_until(&mut h, "the summary again", |a| {
        a.state.bulk.as_ref().is_some_and(|(_, s)| {
            s.timezone == storedesk::model::bulk::Shared::Same(Some("Europe/Lisbon".into()))
        })
    });
    // One step: one undo takes the three back.
    h.get_by_label("Undo").click();
    step_until(&mut h, "the undo", |a| a.state.queue.total == 0);
}

#[test]
fn a_conflict_made_on_the_server_is_resolved_field_by_field() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = sandbox(dir.path());
    let id = "FR_PAR_005";
    select_in_list(&mut h, id);
    retype(&mut h, "Store name", "Larder & Loaf, my name");
    retype(&mut h, "City", "Paris (mine)");
    wait_for_drafts(&mut h, 1);

    // Someone else changes the name and the phone on the server.
    let base_url = h.state().state.base_url.clone().expect("address");
    let mut theirs = remote(&base_url, SANDBOX_PRIVATE_KEY, id).expect("on the server");
    theirs.name = Some("Larder & Loaf, their name".into());
    theirs.contact.get_or_insert_with(Default::default).phone = Some("+33 1 11 11 11 11".into());
    change_remote(&base_url, SANDBOX_PRIVATE_KEY, theirs);

    h.get_by_label("Pull").click();
    step_until(&mut h, "the conflict", |a| {
        a.state.queue.items.iter().any(|i| i.conflict.is_some())
    });
    if !h.state().state.show_queue {
        h.get_by_label_contains("Changes (1 pending)").click();
        h.run_steps(2);
    }
    h.get_by_label_contains(&format!("{id} (changed")).click();
    h.run_steps(2);
    h.get_by_label(&format!("Resolve {id}")).click();
    step_until(&mut h, "the conflict dialog", |a| {
        a.state.conflict.is_some()
    });
    h.run_steps(3);
    h.get_by_label(&format!("Conflict on {id}"));
    // Both changed the name: mine is proposed; take theirs instead. The city is only mine,
    // the phone only theirs: the proposals stand.
    h.get_by_label("Take theirs for name").click();
    h.run_steps(2);
    h.check_accessibility();
    h.get_by_label("Keep the result").click();
    step_until(&mut h, "the resolution", |a| {
        a.state.conflict.is_none()
            && a.state.queue.total == 1
            && a.state.queue.items.iter().all(|i| i.conflict.is_none())
    });
    h.get_by_label("Push (1 pending)").click();
    step_until(&mut h, "the push", |a| {
        !a.state.pushing && a.state.queue.total == 0 && a.state.last_push.is_some()
    });
    let pushed = remote(&base_url, SANDBOX_PRIVATE_KEY, id).expect("on the server");
    assert_eq!(pushed.name.as_deref(), Some("Larder & Loaf, their name"));
    assert_eq!(
        pushed.address.and_then(|a| a.city).as_deref(),
        Some("Paris (mine)")
    );
    assert_eq!(
        pushed.contact.and_then(|c| c.phone).as_deref(),
        Some("+33 1 11 11 11 11")
    );
}

#[test]
fn opening_hours_built_in_the_editor_are_pushed_exactly() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = window_sized(
        dir.path(),
        Arc::new(MemoryStore::new()),
        egui::vec2(1600.0, 3200.0),
    );
    step_until(&mut h, "the sandbox's stores", |a| {
        a.state.stores.len() >= 60
    });
    // Open every day (all day, by default) in Paris.
    let id = "FR_PAR_010";
    select_in_list(&mut h, id);
    h.get_by_label("Edit opening hours").click();
    h.run_steps(3);
    h.get_by_label(&format!("Opening hours of {id}"));

    let click = |h: &mut egui_kittest::Harness<'_, storedesk::app::StoreDeskApp>, label: &str| {
        h.get_by_label(label).click();
        h.run_steps(2);
    };
    let enter = |h: &mut egui_kittest::Harness<'_, storedesk::app::StoreDeskApp>| {
        h.key_press(egui::Key::Enter);
        h.run_steps(2);
    };
    // Closed unless said otherwise; Monday 9 to 12 and 2 to 6, copied to the weekdays.
    click(&mut h, "Default closed");
    click(&mut h, "Monday open at set times");
    retype(&mut h, "Monday period 1 closes", "12:00");
    enter(&mut h);
    retype(&mut h, "Monday new period opens", "14:00");
    retype(&mut h, "Monday new period closes", "18:00");
    enter(&mut h);
    click(&mut h, "Copy Monday to weekdays");
    // Friday night until two in the morning: split over two days, and said so.
    retype(&mut h, "Friday new period opens", "22:00");
    retype(&mut h, "Friday new period closes", "02:00");
    click(&mut h, "Add period to Friday");
    step_until(&mut h, "the note on the split", |a| {
        a.state
            .toasts
            .iter()
            .any(|t| t.text.contains("crosses midnight"))
    });
    // Christmas closed, and a closure in August.
    retype(&mut h, "New special day", "2026-12-25");
    click(&mut h, "Add special day");
    retype(&mut h, "New closure from", "2027-08-03");
    retype(&mut h, "New closure to", "2027-08-09");
    click(&mut h, "Add closure");
    // The preview of a date, computed locally.
    retype(&mut h, "Preview date", "2026-12-25");
    enter(&mut h);
    h.get_by_label_contains("25 Dec 2026");
    h.check_accessibility();

    wait_for_drafts(&mut h, 1);
    let split = serde_json::json!([
        {"start": "09:00", "end": "12:00"},
        {"start": "14:00", "end": "18:00"}
    ]);
    let mut friday = split.as_array().cloned().expect("periods");
    friday.push(serde_json::json!({"start": "22:00", "end": "23:59"}));
    let intended = serde_json::json!({
        "timezone": "Europe/Paris",
        "usual": {
            "default": [],
            "1": split, "2": split, "3": split, "4": split,
            "5": friday,
            "6": [{"start": "00:00", "end": "02:00"}]
        },
        "special": {"2026-12-25": []},
        "temporary_closure": [{"start": "2027-08-03", "end": "2027-08-09"}]
    });
    let form_hours = serde_json::to_value(&h.state().state.form.store.opening_hours).expect("json");
    assert_eq!(form_hours, intended);

    let pushed = push_and_read_back(&mut h, 1, id);
    assert_eq!(
        serde_json::to_value(&pushed.opening_hours).expect("json"),
        intended
    );
}

#[test]
fn the_problems_panel_fixes_ignores_and_points_at_stores() {
    let dir = tempfile::tempdir().expect("dir");
    let mut h = sandbox(dir.path());
    let id = "FR_PAR_007";
    select_in_list(&mut h, id);
    // Spaces around the city, and no name: a warning with a safe fix, and an error.
    retype(&mut h, "City", " Paris ");
    retype(&mut h, "Store name", "");
    wait_for_drafts(&mut h, 1);

    h.get_by_label("Problems").click();
    step_until(&mut h, "the findings", |a| a.state.problems.rows.is_some());
    h.run_steps(3);
    let path = "address.city";
    let fix = format!("Fix {path} of {id}");
    h.get_by_label(&fix).click();
    step_until(&mut h, "the fix", |a| {
        a.state
            .form
            .store
            .address
            .as_ref()
            .and_then(|a| a.city.as_deref())
            == Some("Paris")
            && a.state
                .problems
                .rows
                .as_ref()
                .is_some_and(|rows| !rows.iter().any(|r| r.id == id && r.finding.path == path))
    });
    assert!(
        h.state()
            .state
            .queue
            .undo
            .as_deref()
            .is_some_and(|u| u.starts_with("Fix 1 problem")),
        "{:?}",
        h.state().state.queue.undo
    );

    // The missing name is an error: it cannot be ignored, and the push holds the store back.
    assert!(h.query_by_label(&format!("Ignore name of {id}")).is_none());
    h.get_by_label("Preview").click();
    step_until(&mut h, "the preview", |a| a.state.preview.is_some());
    let held = h.state().state.preview.clone().expect("preview").held_back;
    assert!(held.iter().any(|(i, _)| i == id), "{held:?}");

    // A warning ignored leaves the list (and comes back with Show ignored).
    let warning = h
        .state()
        .state
        .problems
        .rows
        .iter()
        .flatten()
        .find(|r| r.finding.severity != storedesk::validate::Severity::Error && !r.ignored)
        .cloned();
    if let Some(w) = warning {
        let label = format!("Ignore {} of {}", w.finding.path, w.id);
        h.get_by_label("Store").click();
        h.get_by_label("Store").type_text(&w.id);
        h.run_steps(2);
        h.get_by_label(&label).click();
        step_until(&mut h, "the ignore", |a| {
            a.state
                .problems
                .rows
                .as_ref()
                .is_some_and(|rows| rows.iter().any(|r| r.key() == w.key() && r.ignored))
        });
        h.run_steps(2);
        assert!(h.query_by_label(&label).is_none());
        h.get_by_label("Show ignored").click();
        h.run_steps(2);
        h.get_by_label(&format!("Stop ignoring {} of {}", w.finding.path, w.id));
    }

    // A click on a store selects it.
    h.get_by_label("Store").click();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Store").type_text(id);
    h.run_steps(2);
    h.get_by_label(&format!("Show {id} (name)")).click();
    step_until(&mut h, "the selection", |a| {
        a.state.selection.len() == 1 && a.state.selection.contains(id)
    });
    h.check_accessibility();
}

#[test]
fn a_change_still_being_typed_when_the_window_closes_is_kept() {
    let dir = tempfile::tempdir().expect("dir");
    let keys = Arc::new(MemoryStore::new());
    let mut h = window(dir.path(), keys.clone());
    step_until(&mut h, "the sandbox's stores", |a| {
        a.state.stores.len() >= 60
    });
    let id = "FR_PAR_008";
    select_in_list(&mut h, id);
    retype(&mut h, "City", "Paris 8e");
    assert!(h.state().state.form.is_dirty(), "still typing");
    drop(h);

    let mut h = window(dir.path(), keys);
    step_until(&mut h, "the change kept", |a| a.state.queue.total == 1);
    select_in_list(&mut h, id);
    assert_eq!(
        h.state()
            .state
            .form
            .store
            .address
            .as_ref()
            .and_then(|a| a.city.as_deref()),
        Some("Paris 8e")
    );
}
