//! The export dialog: the format and which stores, then the save dialog.

use crate::app::files::{ExportDialog, ExportScope, format_label};
use crate::app::{AppState, Command};
use crate::export::Format;

/// Opens the dialog.
pub fn open(state: &mut AppState) {
    if state.export.is_none() {
        state.export = Some(ExportDialog::default());
    }
}

/// The ids of the stores `scope` covers; `None` for all of them.
pub fn ids_of(state: &AppState, scope: ExportScope) -> Option<Vec<String>> {
    match scope {
        ExportScope::All => None,
        ExportScope::Selection => Some(state.selected_ids()),
        ExportScope::Filtered => Some(
            state
                .visible
                .iter()
                .filter_map(|&i| state.stores.get(i))
                .map(|s| s.id.clone())
                .collect(),
        ),
    }
}

/// The dialog's window, while it is open.
pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let Some(mut dialog) = state.export.take() else {
        return;
    };
    let mut open = true;
    let mut close = false;
    let selected = state.selection.len();
    let filtered = state.visible.len();
    let all = state.stores.len();
    egui::Window::new("Export stores")
        .open(&mut open)
        .resizable(false)
        .collapsible(false)
        .show(ctx, |ui| {
            ui.heading("Format");
            for (format, hint) in [
                (
                    Format::Json,
                    "The write format, ready for the API or the Woosmap Console",
                ),
                (Format::Geojson, "The API's read format, for map tools"),
                (
                    Format::Csv,
                    "One row per store, for spreadsheets; hours as readable text",
                ),
            ] {
                ui.radio_value(&mut dialog.format, format, format_label(format))
                    .on_hover_text(hint);
            }
            ui.heading("Stores");
            ui.radio_value(
                &mut dialog.scope,
                ExportScope::All,
                format!("All stores ({all})"),
            );
            ui.add_enabled_ui(selected > 0, |ui| {
                ui.radio_value(
                    &mut dialog.scope,
                    ExportScope::Selection,
                    format!("The selection ({selected})"),
                )
                .on_disabled_hover_text("Select stores in the list or on the map first.");
            });
            ui.radio_value(
                &mut dialog.scope,
                ExportScope::Filtered,
                format!("The stores the list shows ({filtered})"),
            );
            ui.label("Stores marked for deletion are not written.");
            ui.separator();
            ui.horizontal(|ui| {
                let has_profile = state.profile.is_some();
                let save = ui
                    .add_enabled(has_profile, egui::Button::new("Choose file and export"))
                    .on_hover_text("Pick where to write the file")
                    .on_disabled_hover_text("No project is open; pick a profile first.");
                if save.clicked() {
                    let ids = ids_of(state, dialog.scope);
                    state.commands.push(Command::PickExport {
                        format: dialog.format,
                        ids,
                    });
                    close = true;
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
    if open && !close {
        state.export = Some(dialog);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{Summary, SyncState};

    fn summary(id: &str) -> Summary {
        Summary {
            id: id.into(),
            name: id.into(),
            lat: None,
            lng: None,
            state: SyncState::Synced,
        }
    }

    #[test]
    fn each_scope_names_its_stores() {
        let mut state = AppState::default();
        state.set_stores(vec![summary("a"), summary("b"), summary("c")]);
        state.filter.text = "b".into();
        state.refresh_visible();
        state.selection.insert("c".into());
        state.selection.insert("a".into());
        assert_eq!(ids_of(&state, ExportScope::All), None);
        assert_eq!(
            ids_of(&state, ExportScope::Selection),
            Some(vec!["a".to_owned(), "c".to_owned()])
        );
        assert_eq!(
            ids_of(&state, ExportScope::Filtered),
            Some(vec!["b".to_owned()])
        );
    }
}
