//! The map: the stores as markers on a slippy map.

use walkers::{Map, MapMemory, lon_lat};

use crate::model::Store;

pub struct MapView {
    pub memory: MapMemory,
}

impl Default for MapView {
    fn default() -> MapView {
        let mut memory = MapMemory::default();
        // A view of Europe until there are stores to fit.
        let _ = memory.set_zoom(4.0);
        MapView { memory }
    }
}

impl MapView {
    pub fn show(&mut self, ui: &mut egui::Ui, stores: &[Store]) {
        let home = lon_lat(10.0, 50.0);
        Map::new(None, &mut self.memory, home).show(ui, |ui, _response, projector, _memory| {
            let painter = ui.painter();
            for store in stores {
                if let Some(p) = store.lat_lng() {
                    let at = projector.project(lon_lat(p.lng, p.lat)).to_pos2();
                    painter.circle_filled(at, 5.0, egui::Color32::from_rgb(30, 110, 200));
                }
            }
        });
    }
}
