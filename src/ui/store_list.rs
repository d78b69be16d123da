//! The store list: a virtualised table of id, name, city and status, with a text filter and
//! filters by tag, type, sync state and validation.

use egui_extras::{Column, TableBuilder};

use crate::app::AppState;
use crate::ui::map::{STATES, marker_colour, state_label};

/// Shows the list; returns the index of a store the user picked (to show it on the map).
pub fn show(ui: &mut egui::Ui, state: &mut AppState) -> Option<usize> {
    ui.heading("Stores");
    let filter = ui
        .horizontal(|ui| {
            let label = ui.label("Filter");
            ui.add(
                egui::TextEdit::singleline(&mut state.filter.text)
                    .hint_text("id, name or city (Ctrl+F)")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id)
        })
        .inner;
    if state.focus_filter {
        filter.request_focus();
        state.focus_filter = false;
    }
    if filter.changed() {
        state.visible_dirty = true;
    }
    if state.unplaced > 0 {
        let text = format!("{} stores need a location: show them", state.unplaced);
        if ui
            .link(text)
            .on_hover_text(
                "Stores without coordinates, from an import: select one, then Place on map",
            )
            .clicked()
        {
            state.filter.needs_location = true;
            state.visible_dirty = true;
        }
    }
    egui::CollapsingHeader::new("More filters")
        .id_salt("more_filters")
        .show(ui, |ui| more_filters(ui, state));
    state.refresh_visible();
    ui.label(format!(
        "{} of {} stores",
        state.visible.len(),
        state.stores.len()
    ));
    if state.stores.is_empty() {
        ui.add_space(12.0);
        ui.label("No stores yet.");
        return None;
    }
    let mut picked = None;
    let scroll_to = state
        .scroll_to
        .take()
        .and_then(|i| state.visible.iter().position(|&v| v == i));
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    let mut table = TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .column(Column::exact(14.0))
        .column(Column::initial(90.0).at_least(40.0).clip(true))
        .column(Column::initial(120.0).at_least(40.0).clip(true))
        .column(Column::remainder().at_least(40.0).clip(true));
    if let Some(row) = scroll_to {
        table = table.scroll_to_row(row, Some(egui::Align::Center));
    }
    table
        .header(row_height, |mut header| {
            header.col(|ui| {
                ui.label("");
            });
            header.col(|ui| {
                ui.strong("Id");
            });
            header.col(|ui| {
                ui.strong("Name");
            });
            header.col(|ui| {
                ui.strong("City");
            });
        })
        .body(|body| {
            body.rows(row_height, state.visible.len(), |mut row| {
                let index = state.visible[row.index()];
                let store = &state.stores[index];
                let selected = state.selection.contains(&store.id);
                row.set_selected(selected);
                row.col(|ui| {
                    let (dot, _) =
                        ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                    ui.painter()
                        .circle_filled(dot.center(), 4.0, marker_colour(store.state));
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(&store.id).selectable(false).truncate())
                        .on_hover_text(state_label(store.state));
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(&store.name).selectable(false).truncate());
                });
                row.col(|ui| {
                    let city = state.facets.get(&store.id).map_or("", |f| f.city.as_str());
                    ui.add(egui::Label::new(city).selectable(false).truncate());
                });
                if row.response().clicked() {
                    picked = Some(index);
                }
            });
        });
    if let Some(index) = picked {
        let id = state.stores[index].id.clone();
        let add = ui.input(|i| i.modifiers.command);
        if add {
            if !state.selection.remove(&id) {
                state.selection.insert(id);
            }
            state.details = None;
            if state.selection.len() == 1
                && let Some(only) = state.selection.first().cloned()
            {
                state.select_only(&only);
            }
        } else {
            state.select_only(&id);
        }
    }
    picked
}

fn more_filters(ui: &mut egui::Ui, state: &mut AppState) {
    let before = state.filter.clone();
    egui::Grid::new("filters").num_columns(1).show(ui, |ui| {
        egui::ComboBox::new("filter_state", "Status")
            .selected_text(state.filter.state.map_or("any", state_label))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.filter.state, None, "any");
                for s in STATES {
                    ui.selectable_value(&mut state.filter.state, Some(s), state_label(s));
                }
            });
        ui.end_row();
        egui::ComboBox::new("filter_errors", "Validation")
            .selected_text(match state.filter.errors {
                None => "any",
                Some(true) => "with errors",
                Some(false) => "without errors",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.filter.errors, None, "any");
                ui.selectable_value(&mut state.filter.errors, Some(true), "with errors");
                ui.selectable_value(&mut state.filter.errors, Some(false), "without errors");
            });
        ui.end_row();
        choice(ui, "Tag", &mut state.filter.tag, &state.all_tags);
        ui.end_row();
        choice(ui, "Type", &mut state.filter.store_type, &state.all_types);
        ui.end_row();
        ui.checkbox(
            &mut state.filter.needs_location,
            "Only stores that need a location",
        );
        ui.end_row();
    });
    if ui.small_button("Clear filters").clicked() {
        state.filter = Default::default();
    }
    if state.filter != before {
        state.visible_dirty = true;
    }
}

fn choice(ui: &mut egui::Ui, label: &str, value: &mut Option<String>, options: &[String]) {
    egui::ComboBox::new(("filter", label), label)
        .selected_text(value.as_deref().unwrap_or("any"))
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "any");
            for o in options {
                ui.selectable_value(value, Some(o.clone()), o);
            }
        });
}
