//! The window's frame time on the CPU with 100,000 stores: the whole UI (list, map with its
//! clusters and the offline basemap, panels) laid out and tessellated, as eframe does before
//! handing triangles to the GPU. Three cases: a still view of all the stores (clustered), the
//! same view while the map is dragged (every frame places every store again), and a city view
//! where stores are drawn one by one. Run with `cargo bench --bench frame`.

use std::time::{Duration, Instant};

use egui::{Pos2, RawInput, Rect, vec2};
use storedesk::app::StoreDeskApp;
use storedesk::ui::basemap::OfflineBasemap;
use storedesk::workspace::{Summary, SyncState};

const FRAMES: usize = 200;
const STORES: usize = 100_000;

/// 100,000 stores spread over Europe, a tenth of them with a draft of some kind.
fn stores() -> Vec<Summary> {
    let mut rng = fastrand::Rng::with_seed(7);
    (0..STORES)
        .map(|i| Summary {
            id: format!("store_{i:06}"),
            name: format!("Store {i}"),
            lat: Some(36.0 + rng.f64() * 24.0),
            lng: Some(-9.0 + rng.f64() * 33.0),
            state: match i % 40 {
                0 => SyncState::New,
                1 => SyncState::Modified,
                2 => SyncState::Deleted,
                3 => SyncState::Conflict,
                _ => SyncState::Synced,
            },
        })
        .collect()
}

fn input(t: f64, events: Vec<egui::Event>) -> RawInput {
    RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
        time: Some(t),
        events,
        ..RawInput::default()
    }
}

fn median_and_p95(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100]),
    )
}

fn main() {
    let ctx = egui::Context::default();
    if std::env::var_os("NO_BASEMAP").is_none() {
        OfflineBasemap::preload(&ctx);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::env::var_os("NO_BASEMAP").is_none()
        && OfflineBasemap::ready().is_none()
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut app = StoreDeskApp::new(stores());
    let mut t = 0.0;
    let mut frame = |app: &mut StoreDeskApp, events: Vec<egui::Event>| {
        t += 1.0 / 60.0;
        let start = Instant::now();
        let out = ctx.run_ui(input(t, events), |ui| app.frame(ui));
        let shapes = out.shapes.len();
        let primitives = ctx.tessellate(out.shapes, out.pixels_per_point);
        if std::env::var_os("FRAME_STATS").is_some() {
            let vertices: usize = primitives
                .iter()
                .map(|p| match &p.primitive {
                    egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                    egui::epaint::Primitive::Callback(_) => 0,
                })
                .sum();
            eprintln!("shapes {shapes}, vertices {vertices}");
        }
        std::hint::black_box(primitives);
        start.elapsed()
    };
    // Warm up: fit the view, lay out fonts.
    for _ in 0..20 {
        frame(&mut app, Vec::new());
    }
    let clusters = app.map.marks().len();

    let still: Vec<Duration> = (0..FRAMES).map(|_| frame(&mut app, Vec::new())).collect();
    let (still_median, still_p95) = median_and_p95(still);
    println!(
        "frame: {STORES} stores in view, still, {clusters} marks drawn: median {still_median:.2} ms, p95 {still_p95:.2} ms (target: median under 8 ms)"
    );

    // Dragging the map: a press in the middle of the map, then moves.
    let centre = Pos2::new(800.0, 400.0);
    frame(
        &mut app,
        vec![
            egui::Event::PointerMoved(centre),
            egui::Event::PointerButton {
                pos: centre,
                button: egui::PointerButton::Primary,
                pressed: true,
                modifiers: egui::Modifiers::NONE,
            },
        ],
    );
    let dragging: Vec<Duration> = (0..FRAMES)
        .map(|i| {
            let x = 800.0 + 60.0 * ((i as f32) / 20.0).sin();
            frame(
                &mut app,
                vec![egui::Event::PointerMoved(Pos2::new(x, 400.0))],
            )
        })
        .collect();
    frame(
        &mut app,
        vec![egui::Event::PointerButton {
            pos: centre,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: egui::Modifiers::NONE,
        }],
    );
    let (drag_median, drag_p95) = median_and_p95(dragging);
    println!(
        "frame: {STORES} stores, map being dragged: median {drag_median:.2} ms, p95 {drag_p95:.2} ms"
    );

    // A region: fewer stores in view, smaller clusters.
    app.map.centre_on(48.0, 7.5, 10.0);
    for _ in 0..5 {
        frame(&mut app, Vec::new());
    }
    let singles = app.map.marks().len();
    let city: Vec<Duration> = (0..FRAMES).map(|_| frame(&mut app, Vec::new())).collect();
    let (city_median, city_p95) = median_and_p95(city);
    println!(
        "frame: {STORES} stores, a region at zoom 10 ({singles} marks): median {city_median:.2} ms, p95 {city_p95:.2} ms"
    );
}
