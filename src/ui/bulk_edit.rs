//! Several stores selected: what they share ("mixed" where they differ), and changes applied
//! to all of them as one undoable step: time zone, special days, closures, tags and types.

use crate::app::{AppState, Command};
use crate::hours::{OpeningHours, read_closure, read_date};
use crate::model::bulk::{BulkChange, SelectionSummary, Shared};
use crate::ui::hours_editor::{HoursContext, HoursEditor};
use crate::validate::Context;

/// The panel's own fields.
#[derive(Clone, Debug, Default)]
pub struct BulkForm {
    /// Opening hours to give every selected store, starting from what they share.
    pub hours: Option<OpeningHours>,
    pub hours_editor: HoursEditor,
    /// The selection `hours` was started for.
    pub hours_for: Vec<String>,
    /// The selection the summary was asked for.
    pub asked_for: Vec<String>,
    pub timezone_search: String,
    pub timezone: Option<String>,
    pub special_date: String,
    pub closure_start: String,
    pub closure_end: String,
    pub tag: String,
    pub store_type: String,
    pub problem: Option<String>,
}

pub fn show(ui: &mut egui::Ui, state: &mut AppState) {
    let ids = state.selected_ids();
    ui.heading(format!("{} stores selected", ids.len()));
    if state.bulk_form.asked_for != ids {
        state.bulk_form.asked_for = ids.clone();
        state.bulk = None;
        state.commands.push(Command::LoadSelection(ids.clone()));
    }
    let writable = state.can_write();
    let read_only = state.read_only_reason();
    if let Some(reason) = read_only {
        ui.label(reason);
    }
    let Some((_, summary)) = state.bulk.clone() else {
        ui.spinner();
        return;
    };
    let mut change: Option<BulkChange> = None;
    let form = &mut state.bulk_form;
    if form.hours_for != ids {
        form.hours_for = ids.clone();
        form.hours = shared_hours(&summary);
        form.hours_editor.forget_typing();
    }
    egui::ScrollArea::vertical()
        .id_salt("bulk_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.add_enabled_ui(writable, |ui| {
                ui.label(
                    "Each change applies to every selected store, as one step Undo takes back.",
                );
                egui::CollapsingHeader::new("Time zone")
                    .default_open(true)
                    .show(ui, |ui| {
                        ui.label(format!("Now: {}", summary.timezone.describe(|t| t.clone())));
                        timezone_picker(ui, &mut form.timezone_search, &mut form.timezone);
                        ui.horizontal(|ui| {
                            let chosen = form.timezone.clone();
                            if ui
                                .add_enabled(chosen.is_some(), egui::Button::new("Set time zone"))
                                .clicked()
                            {
                                change = Some(BulkChange::SetTimezone(chosen));
                            }
                            if ui.button("Clear time zone").clicked() {
                                change = Some(BulkChange::SetTimezone(None));
                            }
                        });
                    });
                egui::CollapsingHeader::new("Opening hours")
                    .default_open(true)
                    .show(ui, |ui| {
                        ui.label(format!("Weekly hours: {}", describe_same(&summary.week)));
                        if ui.button("Clear weekly hours").clicked() {
                            change = Some(BulkChange::SetWeek(None));
                        }
                        ui.separator();
                        ui.label(format!(
                            "Special days: {}",
                            match &summary.special_days {
                                Shared::Same(Some(d)) =>
                                    d.keys().cloned().collect::<Vec<_>>().join(", "),
                                Shared::Same(None) => "none".into(),
                                Shared::Mixed => "mixed".into(),
                            }
                        ));
                        ui.horizontal(|ui| {
                            let l = ui.label("Closed on (YYYY-MM-DD)");
                            ui.add(
                                egui::TextEdit::singleline(&mut form.special_date)
                                    .desired_width(90.0),
                            )
                            .labelled_by(l.id);
                            if ui.button("Add closed day").clicked() {
                                match read_date(&form.special_date) {
                                    Ok(date) => {
                                        form.problem = None;
                                        change = Some(BulkChange::SetSpecialDay {
                                            date,
                                            periods: Vec::new(),
                                        });
                                    }
                                    Err(e) => form.problem = Some(e.to_string()),
                                }
                            }
                        });
                        if ui.button("Clear special days").clicked() {
                            change = Some(BulkChange::ClearSpecialDays);
                        }
                        ui.separator();
                        ui.label(format!(
                            "Temporary closures: {}",
                            match &summary.closures {
                                Shared::Same(Some(c)) => c
                                    .iter()
                                    .map(|c| format!("{} to {}", c.start, c.end))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                Shared::Same(None) => "none".into(),
                                Shared::Mixed => "mixed".into(),
                            }
                        ));
                        egui::Grid::new("bulk_closure")
                            .num_columns(2)
                            .show(ui, |ui| {
                                let l = ui.label("Closed from");
                                ui.add(
                                    egui::TextEdit::singleline(&mut form.closure_start)
                                        .desired_width(90.0),
                                )
                                .labelled_by(l.id);
                                ui.end_row();
                                let l = ui.label("Closed until");
                                ui.add(
                                    egui::TextEdit::singleline(&mut form.closure_end)
                                        .desired_width(90.0),
                                )
                                .labelled_by(l.id);
                                ui.end_row();
                            });
                        ui.horizontal(|ui| {
                            if ui.button("Add closure").clicked() {
                                match read_closure(&form.closure_start, &form.closure_end) {
                                    Ok(c) => {
                                        form.problem = None;
                                        change = Some(BulkChange::AddClosure(c));
                                    }
                                    Err(e) => form.problem = Some(e.to_string()),
                                }
                            }
                            if ui.button("Clear closures").clicked() {
                                change = Some(BulkChange::ClearClosures);
                            }
                        });
                    });
                egui::CollapsingHeader::new("The same opening hours for all")
                    .default_open(false)
                    .show(ui, |ui| {
                        ui.label(
                            "Starts from what the stores share; Apply gives these hours, \
                             time zone included, to every selected store.",
                        );
                        let context = HoursContext {
                            selection_len: ids.len(),
                            ..HoursContext::new(Context::today().today)
                        };
                        let response = form.hours_editor.show(ui, &mut form.hours, &context);
                        if response.apply_to_selection {
                            change = Some(BulkChange::SetHours(form.hours.clone()));
                        }
                    });
                egui::CollapsingHeader::new("Tags and types")
                    .default_open(true)
                    .show(ui, |ui| {
                        for (what, counts, text, add, remove) in [
                            (
                                "tag",
                                &summary.tags,
                                &mut form.tag,
                                BulkChange::AddTag as fn(String) -> BulkChange,
                                BulkChange::RemoveTag as fn(String) -> BulkChange,
                            ),
                            (
                                "type",
                                &summary.types,
                                &mut form.store_type,
                                BulkChange::AddType,
                                BulkChange::RemoveType,
                            ),
                        ] {
                            for (value, n) in counts {
                                ui.horizontal(|ui| {
                                    ui.label(format!("{value} ({n} of {})", summary.count));
                                    if ui
                                        .small_button(format!("Remove {what} {value} from all"))
                                        .clicked()
                                    {
                                        change = Some(remove(value.clone()));
                                    }
                                });
                            }
                            ui.horizontal(|ui| {
                                let l = ui.label(format!(
                                    "{} to add",
                                    super::store_form::capitalised(what)
                                ));
                                ui.add(egui::TextEdit::singleline(text).desired_width(110.0))
                                    .labelled_by(l.id);
                                if ui.button(format!("Add {what} to all")).clicked()
                                    && !text.trim().is_empty()
                                {
                                    change = Some(add(text.trim().to_owned()));
                                    text.clear();
                                }
                            });
                        }
                    });
                if let Some(p) = &form.problem {
                    ui.colored_label(super::ERROR_COLOUR, p);
                }
                ui.separator();
                let b = ui.add(egui::Button::new("Delete the selected stores"));
                let b = match read_only {
                    Some(r) => b.on_disabled_hover_text(r),
                    None => {
                        b.on_hover_text("Marks them for deletion; nothing is sent until you push.")
                    }
                };
                if b.clicked() {
                    state.commands.push(Command::Delete(ids.clone()));
                }
            });
        });
    if let Some(change) = change {
        state.commands.push(Command::BulkEdit { ids, change });
    }
}

/// The opening hours every selected store shares, part by part.
fn shared_hours(summary: &SelectionSummary) -> Option<OpeningHours> {
    fn same<T: Clone>(s: &Shared<Option<T>>) -> Option<T> {
        match s {
            Shared::Same(v) => v.clone(),
            Shared::Mixed => None,
        }
    }
    let hours = OpeningHours {
        timezone: same(&summary.timezone),
        usual: same(&summary.week),
        special: same(&summary.special_days),
        temporary_closure: same(&summary.closures),
        ..OpeningHours::default()
    };
    (hours != OpeningHours::default()).then_some(hours)
}

fn describe_same<T>(shared: &Shared<Option<T>>) -> &'static str {
    match shared {
        Shared::Same(Some(_)) => "the same in every store",
        Shared::Same(None) => "none",
        Shared::Mixed => "mixed",
    }
}

/// A searchable list of IANA time zones; `chosen` is set when one is clicked.
pub fn timezone_picker(ui: &mut egui::Ui, search: &mut String, chosen: &mut Option<String>) {
    let l = ui.label("Search time zones");
    ui.add(egui::TextEdit::singleline(search).hint_text("e.g. Paris"))
        .labelled_by(l.id);
    let needle = search.trim().to_lowercase();
    if needle.is_empty() {
        if let Some(c) = chosen {
            ui.label(format!("Chosen: {c}"));
        }
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("timezone_matches")
        .max_height(140.0)
        .show(ui, |ui| {
            for tz in crate::hours::search_timezones(&needle).into_iter().take(50) {
                if ui
                    .selectable_label(chosen.as_deref() == Some(tz), tz)
                    .clicked()
                {
                    *chosen = Some(tz.to_owned());
                }
            }
        });
}
