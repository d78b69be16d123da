//! Views: each panel shows state. No business rule is written here.

pub mod basemap;
pub mod map;

use crate::app::StoreDeskApp;

/// The whole window: the top bar, the store list on the left, the map in the centre.
pub fn main_window(ui: &mut egui::Ui, app: &mut StoreDeskApp) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("storedesk");
        });
    });
    egui::Panel::left("store_list")
        .resizable(true)
        .default_size(280.0)
        .show(ui, |ui| store_list(ui, app));
    egui::CentralPanel::default().show(ui, |ui| {
        app.map.show(ui, &app.stores);
    });
}

fn store_list(ui: &mut egui::Ui, app: &StoreDeskApp) {
    ui.heading("Stores");
    if app.stores.is_empty() {
        ui.add_space(12.0);
        ui.label("No stores yet.");
        return;
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        for store in &app.stores {
            ui.label(format!("{}  {}", store.id(), store.display_name()));
        }
    });
}
