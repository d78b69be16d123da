//! Draws the opening-hours editor with a store's week and saves it as a PNG:
//! `cargo run --example hours_editor_picture -- assets/screenshots/hours-editor.png`.
//! Renders with wgpu, on a software rasterizer (Mesa lavapipe) where there is no GPU.

use chrono::NaiveDate;
use egui_kittest::Harness;
use storedesk::hours::OpeningHours;
use storedesk::ui::hours_editor::{HoursContext, HoursEditor};

fn main() -> Result<(), String> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "assets/screenshots/hours-editor.png".to_owned());
    let hours: OpeningHours = serde_json::from_str(
        r#"{"timezone": "Europe/Paris",
            "usual": {"default": [{"start": "09:00", "end": "12:30"}, {"start": "14:00", "end": "19:00"}],
                      "5": [{"start": "09:00", "end": "12:30"}, {"start": "14:00", "end": "19:00"}, {"start": "22:00", "end": "23:59"}],
                      "6": [{"start": "00:00", "end": "02:00"}, {"start": "09:00", "end": "19:00"}],
                      "7": []},
            "special": {"2026-12-24": [{"start": "09:00", "end": "16:00"}], "2026-12-25": []},
            "temporary_closure": [{"start": "2027-01-04", "end": "2027-01-08"}]}"#,
    )
    .map_err(|e| format!("the example hours do not read: {e}"))?;
    let today = NaiveDate::from_ymd_opt(2026, 12, 22).ok_or("not a date")?;
    let ctx = HoursContext {
        suggested_timezone: Some("Europe/Paris".into()),
        other_stores: vec![("FR_PAR_002".into(), "Paris Bastille".into())],
        selection_len: 1,
        ..HoursContext::new(today)
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(760.0, 1180.0))
        .wgpu()
        .build_ui_state(
            move |ui, state: &mut (HoursEditor, Option<OpeningHours>)| {
                state.0.show(ui, &mut state.1, &ctx);
            },
            (HoursEditor::default(), Some(hours)),
        );
    harness.run();
    let image = harness.render()?;
    image
        .save(&out)
        .map_err(|e| format!("could not write {out}: {e}"))?;
    println!("wrote {out}");
    Ok(())
}
