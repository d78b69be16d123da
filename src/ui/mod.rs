//! Views: each panel shows state. No business rule is written here.

pub mod basemap;
pub mod map;

use crate::app::StoreDeskApp;

/// The whole window: the top bar, the store list on the left, the map in the centre.
pub fn main_window(ui: &mut egui::Ui, app: &mut StoreDeskApp) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("storedesk");
            if let Some((name, sandbox)) = &app.profile {
                ui.separator();
                ui.label(name);
                if *sandbox {
                    ui.label(
                        egui::RichText::new(" sandbox ")
                            .color(egui::Color32::WHITE)
                            .background_color(egui::Color32::from_rgb(200, 120, 20)),
                    )
                    .on_hover_text(
                        "A local project on this computer, for trying the app: nothing reaches Woosmap.",
                    );
                }
            }
            ui.separator();
            ui.label(&app.status);
        });
        if let Some(error) = &app.error {
            ui.colored_label(egui::Color32::from_rgb(200, 40, 40), error);
        }
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
    ui.label(format!("{} stores", app.stores.len()));
    let row_height = ui.text_style_height(&egui::TextStyle::Body);
    egui::ScrollArea::vertical().show_rows(ui, row_height, app.stores.len(), |ui, rows| {
        for store in &app.stores[rows] {
            ui.horizontal(|ui| {
                let (dot, _) =
                    ui.allocate_exact_size(egui::vec2(10.0, row_height), egui::Sense::hover());
                ui.painter()
                    .circle_filled(dot.center(), 4.0, map::marker_colour(store.state));
                ui.label(format!("{}  {}", store.id, store.name));
            });
        }
    });
}
