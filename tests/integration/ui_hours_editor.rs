//! The opening-hours editor on its own, driven by its accessible labels (egui_kittest): split
//! shifts typed on Monday and copied to the weekdays, an overnight Friday split over two days,
//! a special day, a closure, the time zone, the preview, copying from another store, and a
//! read-only editor.

use chrono::NaiveDate;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use serde_json::json;
use storedesk::hours::OpeningHours;
use storedesk::ui::hours_editor::{HoursContext, HoursEditor, HoursResponse};

/// The editor, the hours it edits, and every response that said something.
type State = (HoursEditor, Option<OpeningHours>, Vec<HoursResponse>);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date")
}

fn editor(ctx: HoursContext, hours: Option<OpeningHours>) -> Harness<'static, State> {
    Harness::builder()
        .with_size(egui::vec2(900.0, 2000.0))
        .build_ui_state(
            move |ui, state: &mut State| {
                let response = state.0.show(ui, &mut state.1, &ctx);
                if response != HoursResponse::default() {
                    state.2.push(response);
                }
            },
            (HoursEditor::default(), hours, Vec::new()),
        )
}

/// Clicks the field named `label`, selects what it holds and types `text` over it.
fn type_into(h: &mut Harness<'_, State>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(text);
    h.run();
}

fn enter(h: &mut Harness<'_, State>) {
    h.key_press(egui::Key::Enter);
    h.run();
}

fn click(h: &mut Harness<'_, State>, label: &str) {
    h.get_by_label(label).click();
    h.run();
}

fn hours_json(h: &Harness<'_, State>) -> serde_json::Value {
    serde_json::to_value(&h.state().1).expect("serialises")
}

fn notes(h: &Harness<'_, State>) -> Vec<String> {
    h.state().2.iter().flat_map(|r| r.notes.clone()).collect()
}

#[test]
fn a_week_with_split_shifts_an_overnight_friday_a_holiday_and_a_closure_is_written_as_woosmap_json()
{
    let mut h = editor(HoursContext::new(today()), None);

    // Monday: open at set times starts at 09:00-18:00; the first period is cut at noon and a
    // second one added from two to six.
    click(&mut h, "Monday open at set times");
    assert_eq!(
        hours_json(&h),
        json!({"usual": {"1": [{"start": "09:00", "end": "18:00"}]}})
    );
    type_into(&mut h, "Monday period 1 closes", "12:00");
    // Nothing is taken while typing.
    assert_eq!(
        hours_json(&h),
        json!({"usual": {"1": [{"start": "09:00", "end": "18:00"}]}})
    );
    enter(&mut h);
    type_into(&mut h, "Monday new period opens", "14:00");
    type_into(&mut h, "Monday new period closes", "18:00");
    enter(&mut h);
    let split = json!([{"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}]);
    assert_eq!(hours_json(&h), json!({"usual": {"1": split.clone()}}));

    // A time that cannot be read is said in red and changes nothing.
    type_into(&mut h, "Monday period 2 opens", "25:00");
    enter(&mut h);
    h.get_by_label("\"25:00\" is not a time: write it as HH:MM, for example 09:30.");
    assert_eq!(hours_json(&h), json!({"usual": {"1": split.clone()}}));
    type_into(&mut h, "Monday period 2 opens", "14:00");
    enter(&mut h);
    assert!(
        h.query_by_label_contains("is not a time").is_none(),
        "the refusal goes once the time is right"
    );

    click(&mut h, "Copy Monday to weekdays");
    let usual = hours_json(&h)["usual"].clone();
    for day in ["1", "2", "3", "4", "5"] {
        assert_eq!(usual[day], split, "day {day}");
    }
    assert!(usual.get("6").is_none() && usual.get("7").is_none());

    // Friday night until two: kept as two periods on two days, and said so.
    type_into(&mut h, "Friday new period opens", "22:00");
    type_into(&mut h, "Friday new period closes", "02:00");
    click(&mut h, "Add period to Friday");
    assert_eq!(
        notes(&h),
        [
            "22:00 to 02:00 crosses midnight: kept as 22:00-23:59 on Friday and 00:00-02:00 on Saturday."
        ]
    );
    h.get_by_label("Friday period 3 opens");
    assert_eq!(
        h.get_by_label("Saturday period 1 closes")
            .value()
            .as_deref(),
        Some("02:00")
    );

    // Christmas closed, and a closure typed the wrong way round first.
    type_into(&mut h, "New special day", "2026-12-25");
    click(&mut h, "Add special day");
    h.get_by_label("Remove special day 2026-12-25");
    type_into(&mut h, "New closure from", "2026-08-09");
    type_into(&mut h, "New closure to", "2026-08-03");
    click(&mut h, "Add closure");
    h.get_by_label(
        "The closure would end on 2026-08-03, before it starts on 2026-08-09: make it end on its first day or later.",
    );
    assert!(hours_json(&h).get("temporary_closure").is_none());
    type_into(&mut h, "New closure from", "2026-08-03");
    type_into(&mut h, "New closure to", "2026-08-09");
    enter(&mut h);
    h.get_by_label("Closed from 2026-08-03 to 2026-08-09");

    // The time zone, found by searching.
    type_into(&mut h, "Find a time zone", "paris");
    click(&mut h, "Europe/Paris");
    h.get_by_label("Time zone: Europe/Paris");

    let friday = json!([
        {"start": "09:00", "end": "12:00"},
        {"start": "14:00", "end": "18:00"},
        {"start": "22:00", "end": "23:59"}
    ]);
    assert_eq!(
        hours_json(&h),
        json!({
            "timezone": "Europe/Paris",
            "usual": {
                "1": split.clone(), "2": split.clone(), "3": split.clone(), "4": split.clone(),
                "5": friday,
                "6": [{"start": "00:00", "end": "02:00"}]
            },
            "special": {"2026-12-25": []},
            "temporary_closure": [{"start": "2026-08-03", "end": "2026-08-09"}]
        })
    );
    assert!(
        h.state()
            .2
            .iter()
            .all(|r| r.copy_from.is_none() && !r.apply_to_selection)
    );

    // The picture of the week and the preview say the same in words.
    h.get_by_label("Tuesday 24 Nov: 09:00-12:00, 14:00-18:00 (usual Tuesday hours) (today)");
    h.get_by_label("Saturday 28 Nov: 00:00-02:00 (usual Saturday hours)");
    type_into(&mut h, "Preview date", "2026-11-27");
    type_into(&mut h, "Preview time", "23:00");
    h.get_by_label(
        "On Fri 27 Nov 2026: 09:00-12:00, 14:00-18:00, 22:00-23:59 (usual Friday hours)",
    );
    h.get_by_label("Open at 2026-11-27 23:00: yes, until 23:59");
    h.get_by_label("Friday 27 Nov: 09:00-12:00, 14:00-18:00, 22:00-23:59 (usual Friday hours)");
    type_into(&mut h, "Preview date", "2026-12-24");
    type_into(&mut h, "Preview time", "19:30");
    h.get_by_label("Open at 2026-12-24 19:30: no, next opening Sat 00:00");
    h.get_by_label("Friday 25 Dec: closed (special day)");

    h.check_accessibility();
}

#[test]
fn the_location_suggests_the_time_zone_and_another_store_or_the_selection_can_be_used() {
    let ctx = HoursContext {
        suggested_timezone: Some("Europe/Paris".into()),
        timezone_warning: Some("Europe/Berlin does not contain the store's location.".into()),
        other_stores: vec![
            ("shop_2".into(), "Shop two".into()),
            ("shop_3".into(), "Shop three".into()),
        ],
        selection_len: 3,
        ..HoursContext::new(today())
    };
    let hours: OpeningHours =
        serde_json::from_value(json!({"timezone": "Europe/Berlin"})).expect("hours");
    let mut h = editor(ctx, Some(hours));
    h.get_by_label("Europe/Berlin does not contain the store's location.");
    click(&mut h, "Use Europe/Paris (from the location)");
    assert_eq!(hours_json(&h), json!({"timezone": "Europe/Paris"}));
    assert!(
        h.query_by_label("Use Europe/Paris (from the location)")
            .is_none()
    );

    click(&mut h, "Copy hours from store");
    type_into(&mut h, "Find a store", "three");
    assert!(h.query_by_label("Shop two (shop_2)").is_none());
    click(&mut h, "Shop three (shop_3)");
    assert_eq!(
        h.state()
            .2
            .last()
            .and_then(|r| r.copy_from.clone())
            .as_deref(),
        Some("shop_3")
    );

    click(&mut h, "Apply these hours to the 3 selected stores");
    assert!(h.state().2.last().is_some_and(|r| r.apply_to_selection));
    // Neither asks for a change of these hours by itself.
    assert!(h.state().2.iter().filter(|r| r.changed).count() == 1);
    h.check_accessibility();
}

#[test]
fn a_read_only_editor_shows_the_hours_and_the_preview_but_changes_nothing() {
    let reason = "This profile has a public key: it can read stores but not change them.";
    let ctx = HoursContext {
        writable: false,
        read_only_reason: Some(reason.into()),
        other_stores: vec![("shop_2".into(), "Shop two".into())],
        selection_len: 2,
        ..HoursContext::new(today())
    };
    let hours: OpeningHours = serde_json::from_value(json!({
        "timezone": "Europe/Paris",
        "usual": {"default": [{"start": "08:30", "end": "19:30"}], "7": []}
    }))
    .expect("hours");
    let mut h = editor(ctx, Some(hours.clone()));
    h.get_by_label(reason);
    for label in [
        "Monday closed",
        "Default open at set times",
        "Default period 1 opens",
        "Remove Default period 1",
        "Add period to Default",
        "Copy Sunday to all days",
        "Find a time zone",
        "New special day",
        "Add closure",
        "Copy hours from store",
        "Apply these hours to the 2 selected stores",
    ] {
        assert!(
            h.get_by_label(label).accesskit_node().is_disabled(),
            "{label} is disabled"
        );
    }
    click(&mut h, "Monday closed");
    click(&mut h, "Clear time zone");
    assert_eq!(h.state().1.as_ref(), Some(&hours));
    assert!(h.state().2.is_empty());

    // The preview still works.
    assert!(
        !h.get_by_label("Preview date")
            .accesskit_node()
            .is_disabled()
    );
    type_into(&mut h, "Preview date", "2026-11-29");
    h.get_by_label("On Sun 29 Nov 2026: closed (usual Sunday hours)");
    h.check_accessibility();
}

#[test]
fn a_date_picked_in_the_calendar_fills_the_date_field() {
    let mut h = editor(HoursContext::new(today()), None);
    type_into(&mut h, "New special day", "2026-12-20");
    click(&mut h, "Pick the new special day");
    // One day on: the calendar's ">" button, then Save.
    click(&mut h, ">");
    click(&mut h, "Save");
    assert_eq!(
        h.get_by_label("New special day").value().as_deref(),
        Some("2026-12-21")
    );
    click(&mut h, "Add special day");
    assert_eq!(hours_json(&h), json!({"special": {"2026-12-21": []}}));
}
