//! The top bar: the profile, Pull, Push (N pending), Preview, Undo / Redo, and the status of
//! the last sync.

use crate::app::{AppState, Command};
use crate::ui::map::MapView;

/// The sandbox badge's colour.
const SANDBOX_COLOUR: egui::Color32 = egui::Color32::from_rgb(200, 120, 20);

pub fn show(ui: &mut egui::Ui, state: &mut AppState, _map: &mut MapView) {
    ui.horizontal_wrapped(|ui| {
        ui.heading("storedesk");
        ui.separator();
        profile_picker(ui, state);
        if state.profile.as_ref().is_some_and(|p| p.sandbox) {
            ui.label(
                egui::RichText::new("sandbox")
                    .color(egui::Color32::WHITE)
                    .background_color(SANDBOX_COLOUR),
            )
            .on_hover_text(
                "A local project on this computer, for trying the app: nothing reaches Woosmap.",
            );
        }
        ui.separator();
        files_buttons(ui, state);
        ui.separator();

        let has_profile = state.profile.is_some();
        let busy = state.pushing || state.pulling.is_some();
        if ui
            .add_enabled(has_profile && !busy, egui::Button::new("Pull"))
            .on_hover_text("Read the project's stores from the server; your changes stay.")
            .clicked()
        {
            state.commands.push(Command::Pull);
        }

        let pending = state.queue.total;
        let write_reason = state.read_only_reason();
        let push_label = format!("Push ({pending} pending)");
        let push = ui.add_enabled(
            has_profile && write_reason.is_none() && pending > 0 && !busy,
            egui::Button::new(push_label),
        );
        let push = match write_reason {
            Some(reason) => push.on_disabled_hover_text(reason),
            None if pending == 0 => push.on_disabled_hover_text("Nothing to push."),
            None => push.on_hover_text("Send the changes to the project."),
        };
        if push.clicked() {
            state.commands.push(Command::Push);
        }
        if ui
            .add_enabled(has_profile, egui::Button::new("Preview"))
            .on_hover_text("What a push would send, without sending it (Ctrl+Enter)")
            .clicked()
        {
            state.commands.push(Command::Preview);
        }
        let with_errors = state.facets.values().filter(|f| f.has_errors).count();
        let b = ui
            .add_enabled(has_profile, egui::Button::new("Problems"))
            .on_hover_text(if with_errors == 0 {
                "Every finding across the project, with safe fixes".to_owned()
            } else {
                format!(
                    "{with_errors} stores have errors and cannot be pushed; see every finding, with safe fixes"
                )
            });
        if b.clicked() {
            state.show_problems = !state.show_problems;
        }
        ui.separator();

        let undo = state.queue.undo.clone();
        let redo = state.queue.redo.clone();
        let writable = write_reason.is_none() && has_profile;
        let b = ui.add_enabled(writable && undo.is_some(), egui::Button::new("Undo"));
        let b = match &undo {
            Some(label) => b.on_hover_text(format!("Undo {label} (Ctrl+Z)")),
            None => b.on_disabled_hover_text("Nothing to undo."),
        };
        if b.clicked() {
            state.commands.push(Command::Undo);
        }
        let b = ui.add_enabled(writable && redo.is_some(), egui::Button::new("Redo"));
        let b = match &redo {
            Some(label) => b.on_hover_text(format!("Redo {label} (Ctrl+Shift+Z)")),
            None => b.on_disabled_hover_text("Nothing to redo."),
        };
        if b.clicked() {
            state.commands.push(Command::Redo);
        }
        ui.separator();
        if let Some((pages, of)) = state.pulling {
            ui.spinner();
            ui.label(format!("Reading page {pages} of {of}…"));
        } else if state.pushing {
            ui.spinner();
        }
        ui.label(&state.status);
    });
    if let Some(error) = state.error.clone() {
        ui.horizontal(|ui| {
            ui.colored_label(super::ERROR_COLOUR, &error);
            if ui.small_button("Dismiss").clicked() {
                state.error = None;
            }
        });
    }
}

/// Import and Export, with their shortcuts in the tooltips.
fn files_buttons(ui: &mut egui::Ui, state: &mut AppState) {
    let has_profile = state.profile.is_some();
    if ui
        .add_enabled(has_profile, egui::Button::new("Import..."))
        .on_hover_text("Add stores from a JSON, GeoJSON, CSV or spreadsheet file as drafts (Ctrl+O); you can also drop a file onto the window")
        .on_disabled_hover_text("No project is open; pick a profile first.")
        .clicked()
    {
        super::import_dialog::start(state);
    }
    if ui
        .add_enabled(has_profile, egui::Button::new("Export..."))
        .on_hover_text("Write stores to a Woosmap JSON, GeoJSON or CSV file (Ctrl+E)")
        .on_disabled_hover_text("No project is open; pick a profile first.")
        .clicked()
    {
        super::export_dialog::open(state);
    }
}

fn profile_picker(ui: &mut egui::Ui, state: &mut AppState) {
    let current_name = state
        .profile
        .as_ref()
        .map_or("No profile".to_owned(), |p| p.name.clone());
    let mut chosen = None;
    egui::ComboBox::from_label("Profile")
        .selected_text(current_name)
        .show_ui(ui, |ui| {
            for p in &state.profiles {
                let is_current = state.current.as_ref() == Some(&p.id);
                if ui.selectable_label(is_current, &p.name).clicked() && !is_current {
                    chosen = Some(p.id.clone());
                }
            }
        });
    if let Some(id) = chosen {
        state.commands.push(Command::Open(id));
    }
    if ui
        .button("Profiles…")
        .on_hover_text("Add, edit or delete the projects you work on")
        .clicked()
    {
        state.show_profiles = true;
    }
}
