//! Views: each panel shows the state and gives commands. No business rule is written here.

pub mod basemap;
pub mod bulk_edit;
pub mod conflicts;
pub mod export_dialog;
pub mod hours_editor;
pub mod import_dialog;
pub mod map;
pub mod profiles;
pub mod queue;
pub mod store_form;
pub mod store_list;
pub mod toasts;
pub mod top_bar;
pub mod validator;

use crate::app::{AppState, Command};
use crate::ui::map::{MapAction, MapView};

/// Colour of an error sentence.
pub const ERROR_COLOUR: egui::Color32 = egui::Color32::from_rgb(200, 40, 40);

/// The whole window: the top bar, the store list on the left, the selected store on the
/// right, the queue of changes at the bottom and the map in the centre. Returns whether the
/// user asked to stop the running push.
pub fn main_window(ui: &mut egui::Ui, state: &mut AppState, map: &mut MapView) -> bool {
    egui::Panel::top("top_bar").show(ui, |ui| top_bar::show(ui, state, map));
    let mut cancel = false;
    egui::Panel::bottom("queue")
        .resizable(true)
        .default_size(240.0)
        .min_size(32.0)
        .show(ui, |ui| cancel = queue::show(ui, state));
    egui::Panel::left("store_list")
        .resizable(true)
        .default_size(300.0)
        .show(ui, |ui| {
            if let Some(index) = store_list::show(ui, state) {
                let store = &state.stores[index];
                if let (Some(lat), Some(lng)) = (store.lat, store.lng) {
                    map.centre_on(lat, lng, 15.0);
                }
            }
        });
    if !state.selection.is_empty() {
        egui::Panel::right("details")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| {
                if state.selection.len() > 1 {
                    bulk_edit::show(ui, state);
                } else {
                    store_form::show(ui, state, map);
                }
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        let editable = state.can_write();
        let placing = state.placing.is_some();
        let actions = map.show(ui, &state.stores, &state.selection, editable, placing);
        if let Some(id) = state.placing.clone() {
            egui::Area::new(egui::Id::unique("placing"))
                .fixed_pos(ui.max_rect().center_top() + egui::vec2(-160.0, 48.0))
                .show(ui.ctx(), |ui| {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.horizontal(|ui| {
                            ui.label(format!("Click the map where {id} is."));
                            if ui.button("Stop placing").clicked() {
                                state.placing = None;
                            }
                        });
                    });
                });
        }
        let rect = ui.max_rect();
        map::legend(ui, rect);
        map_buttons(ui, rect, state, map);
        for action in actions {
            if matches!(action, MapAction::Move { .. } | MapAction::PlaceAt { .. }) {
                map.invalidate();
            }
            apply_map_action(state, action);
        }
    });
    profiles::show(ui.ctx(), state);
    conflicts::show(ui.ctx(), state);
    validator::show(ui.ctx(), state, map);
    import_dialog::show(ui.ctx(), state);
    export_dialog::show(ui.ctx(), state);
    import_dialog::input(ui.ctx(), state);
    toasts::show(ui.ctx(), state);
    cancel
}

fn apply_map_action(state: &mut AppState, action: MapAction) {
    match action {
        MapAction::Select { ids, add } => {
            if !add {
                state.selection.clear();
            }
            state.selection.extend(ids);
            if state.selection.len() == 1
                && let Some(id) = state.selection.first().cloned()
            {
                state.scroll_to = state.index.get(&id).copied();
                state.commands.push(Command::LoadDetails(id));
            } else {
                state.details = None;
            }
        }
        MapAction::ClearSelection => {
            state.selection.clear();
            state.details = None;
        }
        MapAction::Move { id, lat, lng } => {
            // Shown at once; the workspace's answer follows.
            if let Some(&i) = state.index.get(&id) {
                let store = &mut state.stores[i];
                store.lat = Some(lat);
                store.lng = Some(lng);
            }
            state.commands.push(Command::Move { id, lat, lng });
        }
        MapAction::PlaceAt { lat, lng } => {
            if let Some(id) = state.placing.take() {
                if let Some(&i) = state.index.get(&id) {
                    let store = &mut state.stores[i];
                    store.lat = Some(lat);
                    store.lng = Some(lng);
                }
                state.commands.push(Command::Move { id, lat, lng });
            }
        }
        MapAction::NewStoreAt { lat, lng } => {
            let index = &state.index;
            let store = crate::app::backend::new_store_at(lat, lng, &|id| index.contains_key(id));
            let id = store.id().to_owned();
            state.selection.clear();
            state.selection.insert(id);
            state.commands.push(Command::Create(Box::new(store)));
        }
    }
}

/// The map's own buttons: fit to all, fit to the selection, the basemap and its attribution.
fn map_buttons(ui: &mut egui::Ui, rect: egui::Rect, state: &AppState, map: &mut MapView) {
    egui::Area::new(egui::Id::unique("map_buttons"))
        .fixed_pos(rect.left_top() + egui::vec2(8.0, 8.0))
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    if ui
                        .button("Fit to all")
                        .on_hover_text("Show every store")
                        .clicked()
                    {
                        map.fit_to(state.stores.iter());
                    }
                    let has_selection = !state.selection.is_empty();
                    if ui
                        .add_enabled(has_selection, egui::Button::new("Fit to selection"))
                        .on_disabled_hover_text("Select stores first")
                        .clicked()
                    {
                        map.fit_to(
                            state
                                .selection
                                .iter()
                                .filter_map(|id| state.index.get(id))
                                .map(|&i| &state.stores[i]),
                        );
                    }
                    egui::ComboBox::new("basemap", "Basemap")
                        .selected_text(match map.basemap {
                            map::Basemap::Offline => "Offline map",
                            map::Basemap::OpenStreetMap => "OpenStreetMap",
                        })
                        .show_ui(ui, |ui| {
                            ui.selectable_value(
                                &mut map.basemap,
                                map::Basemap::Offline,
                                "Offline map",
                            );
                            ui.selectable_value(
                                &mut map.basemap,
                                map::Basemap::OpenStreetMap,
                                "OpenStreetMap",
                            )
                            .on_hover_text(
                                "Tiles from openstreetmap.org, kept on disk; needs a network. If they do not load, go back to the offline map.",
                            );
                        });
                });
            });
        });
    if let Some((text, url)) = map::attribution(map.basemap) {
        egui::Area::new(egui::Id::unique("attribution"))
            .fixed_pos(rect.right_bottom() - egui::vec2(8.0, 8.0))
            .pivot(egui::Align2::RIGHT_BOTTOM)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.hyperlink_to(egui::RichText::new(text).small(), url);
                });
            });
    }
}
