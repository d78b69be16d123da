//! The offline basemap: how long reading and preparing it takes, and how long a frame's mesh
//! takes to build at the zooms a store manager uses (the whole world, a region, a country, a
//! city) in a 1280 × 800 map. Run with `cargo bench --bench basemap`.

use std::time::Instant;

use egui::{Pos2, Rect, vec2};
use storedesk::ui::basemap::{BasemapStyle, MercatorView, OfflineBasemap};
use walkers::lon_lat;

const FRAMES: u32 = 200;

fn main() {
    let t = Instant::now();
    let basemap = match OfflineBasemap::new() {
        Ok(basemap) => basemap,
        Err(e) => {
            eprintln!("the basemap does not load: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "basemap: read and prepared in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    let screen = Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0));
    let style = BasemapStyle::light();
    for (what, center, zoom) in [
        ("world", lon_lat(0.0, 20.0), 2.0),
        ("Europe", lon_lat(10.0, 50.0), 4.5),
        ("France", lon_lat(2.5, 46.5), 6.0),
        ("Paris", lon_lat(2.35, 48.86), 12.0),
    ] {
        let mut samples = Vec::with_capacity(FRAMES as usize);
        let mut size = (0, 0);
        for frame in 0..FRAMES {
            // A map being dragged: a new view every frame.
            let center = lon_lat(center.x() + f64::from(frame) * 1e-3, center.y());
            let view = MercatorView::new(center, zoom, screen.center());
            let t = Instant::now();
            let mesh = basemap.mesh(&view, screen, &style);
            samples.push(t.elapsed().as_secs_f64() * 1e3);
            size = (mesh.vertices.len(), mesh.indices.len() / 3);
        }
        samples.sort_by(f64::total_cmp);
        let median = samples[samples.len() / 2];
        let p95 = samples[samples.len() * 95 / 100];
        println!(
            "basemap: {what} (zoom {zoom}): mesh in {median:.3} ms median, {p95:.3} ms p95; \
             {} vertices, {} triangles",
            size.0, size.1
        );
    }
}
