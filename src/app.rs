//! The application state and the window. For now it shows the map and the store list, which
//! says so when there are no stores yet.

use crate::model::Store;
use crate::ui;

/// What the window shows.
pub struct StoreDeskApp {
    pub stores: Vec<Store>,
    pub map: ui::map::MapView,
}

impl StoreDeskApp {
    pub fn new(stores: Vec<Store>) -> StoreDeskApp {
        StoreDeskApp {
            stores,
            map: ui::map::MapView::default(),
        }
    }
}

impl eframe::App for StoreDeskApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        ui::main_window(ui, self);
    }
}

/// Opens the window and runs until it is closed.
pub fn run() -> Result<(), eframe::Error> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("storedesk")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    eframe::run_native(
        "storedesk",
        options,
        Box::new(|_cc| Ok(Box::new(StoreDeskApp::new(Vec::new())))),
    )
}
