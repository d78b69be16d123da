//! The selected store: its details, its findings, and its name and location to edit.

use crate::app::{AppState, Command};
use crate::import::cells::{Axis, parse_coordinate};
use crate::model::Location;
use crate::ui::map::MapView;
use crate::validate::Severity;

pub fn show(ui: &mut egui::Ui, state: &mut AppState, map: &mut MapView) {
    if state.selection.len() > 1 {
        ui.heading(format!("{} stores selected", state.selection.len()));
        let writable = state.can_write();
        let b = ui.add_enabled(writable, egui::Button::new("Delete the selected stores"));
        let b = match state.read_only_reason() {
            Some(r) => b.on_disabled_hover_text(r),
            None => b.on_hover_text("Marks them for deletion; nothing is sent until you push."),
        };
        if b.clicked() {
            let ids = state.selected_ids();
            state.commands.push(Command::Delete(ids));
        }
        return;
    }
    let Some(details) = state.details.clone() else {
        ui.spinner();
        return;
    };
    let store = &details.store;
    ui.heading(if store.display_name().is_empty() {
        store.id()
    } else {
        store.display_name()
    });
    ui.label(format!("Id: {}", store.id()));
    if let Some(&i) = state.index.get(store.id()) {
        let s = &state.stores[i];
        ui.label(format!("Status: {}", super::map::state_label(s.state)));
    }
    ui.separator();

    let writable = state.can_write();
    let mut save = false;
    egui::Grid::new("details_form")
        .num_columns(2)
        .show(ui, |ui| {
            save |= row(ui, "Store name", &mut state.form.name, writable);
            save |= row(ui, "Latitude", &mut state.form.lat, writable);
            save |= row(ui, "Longitude", &mut state.form.lng, writable);
        });
    // The reader an import uses for coordinate cells: decimal commas, degrees and minutes,
    // hemisphere letters, and the range of each axis.
    let read = |text: &str, axis| {
        (!text.trim().is_empty()).then(|| parse_coordinate(text, axis).map_err(|e| e.message))
    };
    let (lat, lng, location_problem) = match (
        read(&state.form.lat, Axis::Latitude),
        read(&state.form.lng, Axis::Longitude),
    ) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => (None, None, Some(e)),
        (lat, lng) => (lat.and_then(Result::ok), lng.and_then(Result::ok), None),
    };
    if let Some(problem) = &location_problem {
        ui.colored_label(super::ERROR_COLOUR, problem.as_str());
    }
    ui.horizontal(|ui| {
        let b = ui.add_enabled(
            writable && location_problem.is_none(),
            egui::Button::new("Save"),
        );
        let b = match state.read_only_reason() {
            Some(r) => b.on_disabled_hover_text(r),
            None => b.on_hover_text("Keeps the change as a draft (Enter)"),
        };
        save |= b.clicked();
        if let Some(l) = &store.location {
            if ui.button("Show on map").clicked() {
                map.centre_on(l.lat, l.lng, 15.0);
            }
        } else {
            let placing = state.placing.as_deref() == Some(store.id());
            let b = ui.add_enabled(writable && !placing, egui::Button::new("Place on map"));
            let b = match state.read_only_reason() {
                Some(r) => b.on_disabled_hover_text(r),
                None => b.on_hover_text("Then click the map where the store is"),
            };
            if b.clicked() {
                state.placing = Some(store.id().to_owned());
            }
        }
    });
    if save && writable && location_problem.is_none() {
        let mut edited = store.clone();
        let name = state.form.name.trim();
        edited.name = (!name.is_empty()).then(|| name.to_owned());
        if let (Some(lat), Some(lng)) = (lat, lng) {
            let mut location = edited
                .location
                .take()
                .unwrap_or_else(|| Location::new(lat, lng));
            location.lat = lat;
            location.lng = lng;
            edited.location = Some(location);
        }
        if edited != *store {
            state.commands.push(Command::Update(Box::new(edited)));
        }
    }
    let b = ui.add_enabled(writable, egui::Button::new("Delete this store"));
    let b = match state.read_only_reason() {
        Some(r) => b.on_disabled_hover_text(r),
        None => b.on_hover_text("Marks it for deletion; nothing is sent until you push (Delete)."),
    };
    if b.clicked() {
        state
            .commands
            .push(Command::Delete(vec![store.id().to_owned()]));
    }

    ui.separator();
    if details.findings.is_empty() {
        ui.label("No problems found.");
    } else {
        ui.strong("Problems");
        for f in &details.findings {
            let colour = match f.severity {
                Severity::Error => super::ERROR_COLOUR,
                _ => egui::Color32::from_rgb(190, 130, 0),
            };
            ui.colored_label(colour, format!("{}: {}", f.path, f.message));
        }
    }
    ui.separator();
    egui::CollapsingHeader::new("Address and contact")
        .default_open(true)
        .show(ui, |ui| {
            if let Some(a) = &store.address {
                for line in a.lines.iter().flatten() {
                    ui.label(line);
                }
                ui.label(format!(
                    "{} {} {}",
                    a.zipcode.as_deref().unwrap_or(""),
                    a.city.as_deref().unwrap_or(""),
                    a.country_code.as_deref().unwrap_or("")
                ));
            }
            if let Some(c) = &store.contact {
                for v in [&c.phone, &c.email, &c.website].into_iter().flatten() {
                    ui.label(v);
                }
            }
        });
    if !details.on_server {
        ui.label("Not on the server yet.");
    }
}

/// One labelled field of the form; true when Enter was pressed in it (Enter saves).
fn row(ui: &mut egui::Ui, label: &str, text: &mut String, writable: bool) -> bool {
    let l = ui.label(label);
    let saved = ui
        .add_enabled(
            writable,
            egui::TextEdit::singleline(text).desired_width(160.0),
        )
        .labelled_by(l.id)
        .lost_focus()
        && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.end_row();
    saved
}
