//! The map: the stores as markers on the built-in offline basemap.

use walkers::{Map, MapMemory, Position, lon_lat};

use crate::ui::basemap::OfflineBasemap;
use crate::workspace::{Summary, SyncState};

pub struct MapView {
    pub memory: MapMemory,
    /// Stores to fit in view on the next frame (the first stores shown).
    fit: Option<(Position, f64)>,
    fitted_once: bool,
}

impl Default for MapView {
    fn default() -> MapView {
        let mut memory = MapMemory::default();
        // A view of Europe until there are stores to fit.
        let _ = memory.set_zoom(4.0);
        MapView {
            memory,
            fit: None,
            fitted_once: false,
        }
    }
}

/// The colour of a marker for its store's state.
pub fn marker_colour(state: SyncState) -> egui::Color32 {
    match state {
        SyncState::Synced => egui::Color32::from_rgb(30, 110, 200),
        SyncState::New => egui::Color32::from_rgb(40, 160, 70),
        SyncState::Modified => egui::Color32::from_rgb(230, 150, 20),
        SyncState::Deleted => egui::Color32::from_rgb(120, 120, 120),
        SyncState::Conflict => egui::Color32::from_rgb(200, 40, 160),
        SyncState::Failed => egui::Color32::from_rgb(210, 40, 40),
    }
}

impl MapView {
    /// Fits the view to `stores` on the next frame, the first time there are stores.
    pub fn fit_next(&mut self, stores: &[Summary]) {
        if self.fitted_once {
            return;
        }
        let points: Vec<(f64, f64)> = stores
            .iter()
            .filter_map(|s| Some((s.lat?, s.lng?)))
            .collect();
        if points.is_empty() {
            return;
        }
        let (mut lat0, mut lat1, mut lng0, mut lng1) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
        for (lat, lng) in &points {
            lat0 = lat0.min(*lat);
            lat1 = lat1.max(*lat);
            lng0 = lng0.min(*lng);
            lng1 = lng1.max(*lng);
        }
        // The zoom at which the larger extent spans about 1,000 pixels of 256-pixel tiles.
        let span = (lng1 - lng0).max((lat1 - lat0) * 1.5).max(0.01);
        let zoom = (360.0 * 1000.0 / (256.0 * span)).log2().clamp(1.0, 16.0);
        self.fit = Some((lon_lat((lng0 + lng1) / 2.0, (lat0 + lat1) / 2.0), zoom));
        self.fitted_once = true;
    }

    pub fn show(&mut self, ui: &mut egui::Ui, stores: &[Summary]) {
        if let Some((centre, zoom)) = self.fit.take() {
            self.memory.center_at(centre);
            let _ = self.memory.set_zoom(zoom);
        }
        let home = lon_lat(10.0, 50.0);
        let mut map = Map::new(None, &mut self.memory, home);
        if let Some(basemap) = OfflineBasemap::ready() {
            map = map.with_plugin(basemap.plugin());
        }
        map.show(ui, |ui, _response, projector, _memory| {
            let painter = ui.painter();
            let clip = painter.clip_rect();
            for store in stores {
                let (Some(lat), Some(lng)) = (store.lat, store.lng) else {
                    continue;
                };
                let at = projector.project(lon_lat(lng, lat)).to_pos2();
                if clip.contains(at) {
                    painter.circle(
                        at,
                        5.0,
                        marker_colour(store.state),
                        egui::Stroke::new(1.0, egui::Color32::WHITE),
                    );
                }
            }
        });
    }
}
