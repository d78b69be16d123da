use std::time::Instant;

use walkers::{MercatorProjection, lon_lat};

use super::*;

fn basemap() -> &'static OfflineBasemap {
    OfflineBasemap::shared().expect("the built-in basemap loads")
}

fn country_at(lon: f64, lat: f64) -> Option<&'static str> {
    basemap().country_at(lon_lat(lon, lat)).map(Country::name)
}

/// The whole world, 1024 pixels wide, in a window of that size.
fn world_view() -> (MercatorView, Rect) {
    let screen = Rect::from_min_size(Pos2::ZERO, Vec2::splat(1024.0));
    (
        MercatorView::new(lon_lat(0.0, 0.0), 2.0, screen.center()),
        screen,
    )
}

/// Whether `point` (normalised Mercator) is under a land triangle of `level`.
fn filled(level: &Level, point: Pos2) -> bool {
    let inside = |a: Pos2, b: Pos2, c: Pos2| {
        let side = |p: Pos2, q: Pos2| (q - p).x * (point - p).y - (q - p).y * (point - p).x;
        let (s1, s2, s3) = (side(a, b), side(b, c), side(c, a));
        (s1 >= 0.0 && s2 >= 0.0 && s3 >= 0.0) || (s1 <= 0.0 && s2 <= 0.0 && s3 <= 0.0)
    };
    level
        .fills
        .iter()
        .filter(|part| part.bounds.contains(point))
        .any(|part| {
            let points = &level.fill_points[part.points.start as usize..part.points.end as usize];
            level.triangles[part.triangles.start as usize..part.triangles.end as usize]
                .chunks(3)
                .any(|t| {
                    inside(
                        points[t[0] as usize],
                        points[t[1] as usize],
                        points[t[2] as usize],
                    )
                })
        })
}

#[test]
fn the_built_in_basemap_loads_with_every_country() {
    let basemap = basemap();
    let countries = basemap.countries();
    assert!(countries.len() > 200, "{} countries", countries.len());
    let france = countries
        .iter()
        .find(|c| c.iso_numeric() == Some(250))
        .expect("France");
    assert_eq!(france.name(), "France");
    // Metropolitan France, Corsica, French Guiana and more.
    assert!(france.polygon_count() >= 3);
    let polygons: usize = countries.iter().map(Country::polygon_count).sum();
    assert!(polygons > 1000, "{polygons} polygons");
    assert!(
        countries
            .iter()
            .any(|c| c.name() == "Kosovo" && c.iso_numeric().is_none())
    );
    assert_eq!(basemap.levels.len(), SIMPLIFIED_LEVELS + 1);
}

#[test]
fn known_places_are_on_the_right_land_or_at_sea() {
    assert_eq!(country_at(2.35, 48.86), Some("France"));
    assert_eq!(country_at(-104.99, 39.74), Some("United States of America"));
    assert_eq!(country_at(139.69, 35.69), Some("Japan"));
    assert_eq!(country_at(149.13, -35.28), Some("Australia"));
    assert_eq!(country_at(0.0, -80.0), Some("Antarctica"));
    // Maseru is in Lesotho, a hole in South Africa.
    assert_eq!(country_at(27.48, -29.31), Some("Lesotho"));
    assert_eq!(country_at(25.0, -29.0), Some("South Africa"));
    // Mid-Atlantic, the Pacific, the Caspian Sea.
    assert_eq!(country_at(-40.0, 30.0), None);
    assert_eq!(country_at(-150.0, 0.0), None);
    assert_eq!(country_at(50.5, 42.0), None);
    assert!(basemap().is_land(lon_lat(2.35, 48.86)));
    assert!(!basemap().is_land(lon_lat(-40.0, 30.0)));
}

#[test]
fn the_world_mesh_has_land_and_every_index_in_range() {
    let (view, screen) = world_view();
    let style = BasemapStyle::light();
    let mesh = basemap().mesh(&view, screen, &style);
    assert!(mesh.is_valid());
    assert_eq!(mesh.indices.len() % 3, 0);
    let land_vertices = mesh
        .vertices
        .iter()
        .filter(|v| v.color == style.land)
        .count();
    assert!(land_vertices > 1000, "{land_vertices} land vertices");
    assert!(mesh.indices.len() / 3 > 1000);
    // The sea comes first and covers the screen.
    assert_eq!(mesh.vertices[0].pos, screen.left_top());
    assert_eq!(mesh.vertices[2].pos, screen.right_bottom());
    // Every land vertex is on the world's square: what reaches past the 180th meridian
    // (Russia, Fiji) is cut there and put on the other side.
    let world = Rect::from_min_size(Pos2::ZERO, Vec2::splat(1024.0)).expand(0.01);
    assert!(
        mesh.vertices
            .iter()
            .filter(|v| v.color == style.land)
            .all(|v| world.contains(v.pos))
    );
}

#[test]
fn preloading_makes_the_shared_basemap_ready() {
    let ctx = egui::Context::default();
    OfflineBasemap::preload(&ctx);
    OfflineBasemap::preload(&ctx);
    let shared = basemap();
    let ready = OfflineBasemap::ready().expect("ready once shared() returned");
    assert!(std::ptr::eq(shared, ready));
}

#[test]
fn an_unchanged_view_gives_the_same_mesh_again() {
    let (view, screen) = world_view();
    let style = BasemapStyle::light();
    let mesh_of = |shape: Shape| match shape {
        Shape::Mesh(mesh) => mesh,
        other => panic!("not a mesh: {other:?}"),
    };
    let basemap = OfflineBasemap::new().expect("loads");
    let first = mesh_of(basemap.shape(&view, screen, &style));
    let again = mesh_of(basemap.shape(&view, screen, &style));
    assert!(Arc::ptr_eq(&first, &again));
    let moved = MercatorView::new(lon_lat(1.0, 0.0), 2.0, screen.center());
    let other = mesh_of(basemap.shape(&moved, screen, &style));
    assert!(!Arc::ptr_eq(&first, &other));
    assert_eq!(
        first.indices.len(),
        basemap.mesh(&view, screen, &style).indices.len()
    );
}

#[test]
fn meshes_at_every_zoom_are_valid_and_cull_what_is_out_of_view() {
    let screen = Rect::from_min_size(Pos2::ZERO, egui::vec2(1280.0, 800.0));
    let style = BasemapStyle::light();
    let mut world_triangles = 0;
    for zoom in 0..=18 {
        let view = MercatorView::new(lon_lat(2.35, 48.86), f64::from(zoom), screen.center());
        let mesh = basemap().mesh(&view, screen, &style);
        assert!(mesh.is_valid(), "zoom {zoom}");
        let triangles = mesh.indices.len() / 3;
        if zoom == 2 {
            world_triangles = triangles;
        }
        if zoom >= 10 {
            assert!(
                triangles < world_triangles,
                "zoom {zoom}: {triangles} triangles"
            );
        }
    }
    // Paris's screen point is under land; a screen of open sea has no land at all.
    let view = MercatorView::new(lon_lat(-40.0, 30.0), 8.0, screen.center());
    let mesh = basemap().mesh(&view, screen, &style);
    assert!(mesh.vertices.iter().all(|v| v.color != style.land));
}

#[test]
fn every_level_fills_the_land_and_leaves_the_sea() {
    // On a grid over the world, the triangles of each level agree with the countries' own
    // polygons, but for points nearer a coast than the level's simplification.
    let basemap = basemap();
    let mut samples = Vec::new();
    for i in 0..120 {
        for j in 0..60 {
            let (lon, lat) = (-179.0 + 3.0 * f64::from(i), -75.0 + 2.5 * f64::from(j));
            samples.push((basemap.is_land(lon_lat(lon, lat)), mercator(lon, lat)));
        }
    }
    let land = samples.iter().filter(|(is_land, _)| *is_land).count();
    assert!(
        land > 1000 && land < samples.len() / 2,
        "{land} of {}",
        samples.len()
    );
    for (index, level) in basemap.levels.iter().enumerate() {
        let wrong = samples
            .iter()
            .filter(|(is_land, p)| filled(level, to_pos2(*p)) != *is_land)
            .count();
        // A point this near a coast can be on either side: fewer at each level.
        let allowed = 160 / (1 << index) + 5;
        assert!(
            wrong <= allowed,
            "level {index}: {wrong} of {} wrong",
            samples.len()
        );
    }
}

#[test]
fn the_view_of_a_walkers_projector_projects_like_it() {
    let screen = Rect::from_min_size(egui::pos2(100.0, 50.0), egui::vec2(800.0, 600.0));
    for zoom in [0.0, 3.5, 9.0, 16.0] {
        let mut memory = MapMemory::default();
        memory.set_zoom(zoom).expect("a valid zoom");
        let projector = Projector::new(screen, &MercatorProjection, &memory, lon_lat(10.0, 50.0));
        let view = MercatorView::from_projector(&projector);
        assert!((view.zoom() - zoom).abs() < 1e-9);
        for (lon, lat) in [
            (10.0, 50.0),
            (10.001, 50.001),
            (2.35, 48.86),
            (-70.0, -33.0),
        ] {
            let expected = projector.project(lon_lat(lon, lat)).to_pos2();
            let got = view.project(lon_lat(lon, lat));
            let tolerance = 0.01_f32.max(expected.to_vec2().length() * 1e-6);
            assert!(
                (got - expected).length() < tolerance,
                "zoom {zoom}, {lon} {lat}: {got:?} vs {expected:?}"
            );
        }
    }
}

#[test]
fn land_is_drawn_where_the_map_puts_it_at_a_close_zoom() {
    // A vertex of the data, seen at zoom 18 next to the screen centre, lands within a pixel
    // of where walkers would put it.
    let level = basemap().levels.last().expect("levels");
    let vertex = level.fill_points[level.fill_points.len() / 2];
    let lon = f64::from(vertex.x) * 360.0 - 180.0;
    let lat = (PI * (1.0 - 2.0 * f64::from(vertex.y)))
        .sinh()
        .atan()
        .to_degrees();
    let screen = Rect::from_min_size(Pos2::ZERO, egui::vec2(1280.0, 800.0));
    let near = lon_lat(lon + 0.0005, lat + 0.0003);
    let view = MercatorView::new(near, 18.0, screen.center());
    let expected = view.project(lon_lat(lon, lat));
    let got = view.screen_mapping()(vertex);
    assert!((got - expected).length() < 1.0, "{got:?} vs {expected:?}");
}

#[test]
fn a_damaged_or_cut_basemap_is_an_error_not_a_panic() {
    assert!(matches!(
        OfflineBasemap::from_bytes(&[]),
        Err(BasemapError::NotABasemap)
    ));
    assert!(OfflineBasemap::from_bytes(b"{\"type\":\"Topology\"}").is_err());
    for len in [8, 9, 10, 11, 50, 1000, ASSET.len() / 2, ASSET.len() - 1] {
        assert!(
            OfflineBasemap::from_bytes(&ASSET[..len]).is_err(),
            "cut at {len}"
        );
    }
    let mut damaged = ASSET.to_vec();
    damaged[ASSET.len() / 3] ^= 0x55;
    assert!(matches!(
        OfflineBasemap::from_bytes(&damaged),
        Err(BasemapError::Checksum)
    ));
    let mut newer = ASSET.to_vec();
    newer[8] = 2;
    assert!(matches!(
        OfflineBasemap::from_bytes(&newer),
        Err(BasemapError::UnsupportedVersion(2))
    ));
}

#[test]
fn nonsense_shapes_in_a_well_formed_file_are_drawn_without_panicking() {
    // Past the checksum and the reader's checks, rings may still be made of arcs that do
    // not meet, cross themselves or run round the world: preparing and drawing them must
    // not panic.
    let topology = asset::decode(ASSET).expect("the built-in asset decodes");
    let mut rng = fastrand::Rng::with_seed(7);
    let (view, screen) = world_view();
    for _ in 0..12 {
        let mut damaged = topology.clone();
        damaged.countries.truncate(12);
        let arcs = damaged.arcs.len() as i64;
        for reference in damaged
            .countries
            .iter_mut()
            .flat_map(|c| c.polygons.iter_mut().flatten().flatten())
        {
            match rng.u8(..4) {
                0 => *reference = rng.i64(-arcs..arcs),
                1 => *reference = -1 - *reference,
                _ => {}
            }
        }
        for arc in damaged.arcs.iter_mut().take(50) {
            for point in arc.iter_mut() {
                point[0] = rng.i64(0..100_000);
            }
        }
        let basemap = OfflineBasemap::from_bytes(&asset::encode(&damaged)).expect("well formed");
        let mesh = basemap.mesh(&view, screen, &BasemapStyle::dark());
        assert!(mesh.is_valid());
        let _ = basemap.country_at(lon_lat(2.35, 48.86));
    }
}

#[test]
fn simplifying_keeps_ends_and_drops_what_is_within_tolerance() {
    let line = [[0.0, 0.0], [1.0, 0.01], [2.0, 0.0], [3.0, 1.0], [4.0, 0.0]];
    assert_eq!(simplify(&line, 0.1), vec![0, 2, 3, 4]);
    assert_eq!(simplify(&line, 2.0), vec![0, 4]);
    let repeated = [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0]];
    assert_eq!(simplify(&repeated, 0.0), vec![0, 3]);
    // A closed line keeps its farthest point, so that it stays a ring.
    let ring = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]];
    assert_eq!(simplify(&ring, 5.0), vec![0, 2, 4]);
}

#[test]
fn a_polygon_across_the_180th_meridian_is_cut_onto_both_sides_of_the_map() {
    // A square from 0.9 to 1.1 of the world: two pieces of equal area.
    let points = [[0.9, 0.4], [1.1, 0.4], [1.1, 0.6], [0.9, 0.6]];
    let pieces = pieces_on_map(&points, &[0, 1, 2, 0, 2, 3]);
    assert_eq!(pieces.len(), 2);
    for (points, triangles) in &pieces {
        assert!(points.iter().all(|p| (0.0..=1.0).contains(&p[0])));
        let area: f64 = triangles
            .chunks(3)
            .map(|t| {
                let [a, b, c] = [0, 1, 2].map(|i| points[t[i] as usize]);
                ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])).abs() / 2.0
            })
            .sum();
        assert!((area - 0.02).abs() < 1e-12, "{area}");
    }
    // Fiji and Chukotka are on the map's both edges.
    let level = basemap().levels.last().expect("levels");
    assert!(
        filled(level, to_pos2(mercator(-179.9, 65.5)))
            || filled(level, to_pos2(mercator(-175.0, 66.0)))
    );
    assert!(filled(level, to_pos2(mercator(178.0, -17.9))));
    assert_eq!(country_at(-175.0, 66.0), Some("Russia"));
}

#[test]
fn lines_along_the_edge_of_the_world_are_not_coasts() {
    assert!(along_world_edge([180.0, -10.0], [180.0, -20.0]));
    assert!(along_world_edge([-20.0, -89.9], [-10.0, -89.9]));
    assert!(along_world_edge([179.5, 65.0], [-179.5, 65.5]));
    assert!(!along_world_edge([179.0, -10.0], [178.0, -20.0]));
    assert!(!along_world_edge([10.0, 50.0], [11.0, 50.0]));
}

#[test]
#[ignore = "prints how long the basemap takes to load and to build a frame's mesh"]
fn basemap_timing() {
    let t = Instant::now();
    let basemap = OfflineBasemap::new().expect("loads");
    println!(
        "load and prepare: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    for (index, level) in basemap.levels.iter().enumerate() {
        println!(
            "level {index}: {} fill points, {} triangles, {} line points",
            level.fill_points.len(),
            level.triangles.len() / 3,
            level.line_points.len()
        );
    }
    let screen = Rect::from_min_size(Pos2::ZERO, egui::vec2(1280.0, 800.0));
    let style = BasemapStyle::light();
    for (what, center, zoom) in [
        ("world", lon_lat(0.0, 20.0), 2.0),
        ("Europe", lon_lat(10.0, 50.0), 4.5),
        ("France", lon_lat(2.5, 46.5), 6.0),
        ("Paris", lon_lat(2.35, 48.86), 12.0),
    ] {
        let view = MercatorView::new(center, zoom, screen.center());
        let runs = 20;
        let t = Instant::now();
        let mut mesh = Mesh::default();
        for _ in 0..runs {
            mesh = basemap.mesh(&view, screen, &style);
        }
        println!(
            "{what} (zoom {zoom}): {:.3} ms a mesh, {} vertices, {} triangles",
            t.elapsed().as_secs_f64() * 1e3 / f64::from(runs),
            mesh.vertices.len(),
            mesh.indices.len() / 3
        );
    }
}

/// Regenerates `assets/basemap/world-50m.bin` from the TopoJSON file named by
/// `STOREDESK_TOPOJSON`; see `assets/basemap/README.md`.
#[test]
#[ignore = "regenerates the basemap asset from a TopoJSON file"]
fn regenerate_basemap_asset() {
    let source = std::env::var("STOREDESK_TOPOJSON")
        .expect("STOREDESK_TOPOJSON names the countries-50m.json of world-atlas");
    let text = std::fs::read_to_string(&source).expect("the TopoJSON file reads");
    let bytes = convert_topojson(&text).expect("the TopoJSON converts");
    let basemap = OfflineBasemap::from_bytes(&bytes).expect("the new asset loads");
    let target =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/basemap/world-50m.bin");
    std::fs::write(&target, &bytes).expect("the asset is written");
    println!(
        "{}: {} bytes, {} countries",
        target.display(),
        bytes.len(),
        basemap.countries().len()
    );
}
