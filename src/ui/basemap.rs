//! The offline basemap: land, coastlines and country borders drawn under the stores when no
//! map tiles can be had. The shapes are Natural Earth's countries at 1:50m, built into the
//! program (`assets/basemap/`, where its README says how the file is made).
//!
//! At load the countries are projected to Web Mercator once and prepared at several levels
//! of detail, one per zoom level up to 7 and the full data beyond, each simplified to half a
//! pixel at its zoom and cut into triangles. A frame then only culls the parts outside the
//! view, moves the visible points onto the screen and hands one [`Mesh`] to egui.
//!
//! On a walkers map, as its first plugin so that the stores are drawn over it; until it is
//! prepared (on a thread of its own), the map shows without it:
//!
//! ```ignore
//! let mut map = Map::new(None, &mut memory, home);
//! match OfflineBasemap::ready() {
//!     Some(basemap) => map = map.with_plugin(basemap.plugin()),
//!     None => OfflineBasemap::preload(ui.ctx()),
//! }
//! ```

mod asset;
mod triangulate;

use std::f64::consts::PI;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use egui::epaint::{Mesh, Vertex, WHITE_UV};
use egui::{Color32, Pos2, Rect, Shape, Vec2, pos2};
use walkers::{MapMemory, Plugin, Position, Projector};

use asset::Topology;

/// The built-in basemap file.
static ASSET: &[u8] = include_bytes!("../../assets/basemap/world-50m.bin");
/// The built-in basemap once prepared.
static SHARED: OnceLock<Result<OfflineBasemap, BasemapError>> = OnceLock::new();

/// Web Mercator's latitude limit: the map is square between these.
const MAX_LATITUDE: f64 = 85.051_128_779_806_59;
/// The width of the whole world in pixels at zoom 0, as walkers lays out its tiles.
const TILE_SIZE: f64 = 256.0;
/// Simplified levels, for zoom 0 to 7; the full data is drawn from zoom 8 on.
const SIMPLIFIED_LEVELS: usize = 8;
/// How far a simplified line may stray from the data, in pixels at its level's zoom.
const TOLERANCE_PIXELS: f64 = 0.5;

/// Why the basemap could not be read or made. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BasemapError {
    #[error("this is not basemap data (the header is wrong)")]
    NotABasemap,
    #[error(
        "the basemap data is format version {0}, which this version of storedesk cannot read; \
         regenerate it as assets/basemap/README.md says"
    )]
    UnsupportedVersion(u16),
    #[error(
        "the basemap data is cut short (at byte {at}); regenerate it as \
         assets/basemap/README.md says"
    )]
    Truncated { at: usize },
    #[error(
        "the basemap data is damaged (its checksum does not match); regenerate it as \
         assets/basemap/README.md says"
    )]
    Checksum,
    #[error("the basemap data is damaged ({0}); regenerate it as assets/basemap/README.md says")]
    Corrupt(&'static str),
    #[error("the TopoJSON file cannot be converted: {0}")]
    TopoJson(String),
}

/// Converts a TopoJSON topology of countries (`countries-50m.json` of the `world-atlas`
/// package) into the basemap file format. Used once, to make `assets/basemap/world-50m.bin`.
#[doc(hidden)]
pub fn convert_topojson(text: &str) -> Result<Vec<u8>, BasemapError> {
    Ok(asset::encode(&asset::from_topojson(text)?))
}

/// A point of normalised Web Mercator: the world is the square from (0, 0) at the north-west
/// to (1, 1) at the south-east.
/// Land beyond Web Mercator's latitude limit is drawn at the limit, where the map ends.
fn mercator(lon: f64, lat: f64) -> [f64; 2] {
    mercator_unclamped(lon, lat.clamp(-MAX_LATITUDE, MAX_LATITUDE))
}

/// [`mercator`] without the limit, for a map centre shown past the end of the map.
fn mercator_unclamped(lon: f64, lat: f64) -> [f64; 2] {
    [
        (lon + 180.0) / 360.0,
        (1.0 - lat.to_radians().tan().asinh() / PI) / 2.0,
    ]
}

/// How the map is shown: which point of the world is at which point of the screen, and how
/// many pixels the whole world is wide. It is the projection the basemap is drawn with,
/// Web Mercator as walkers uses by default, reduced to a scale and a shift of the points
/// projected at load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MercatorView {
    center: [f64; 2],
    pixels_per_world: f64,
    screen_center: Pos2,
}

impl MercatorView {
    /// `center` shown at `screen_center`, at walkers' `zoom` (0: the world is 256 pixels
    /// wide, each level doubling it).
    pub fn new(center: Position, zoom: f64, screen_center: Pos2) -> MercatorView {
        MercatorView {
            center: mercator_unclamped(center.x(), center.y()),
            pixels_per_world: TILE_SIZE * zoom.exp2(),
            screen_center,
        }
    }

    /// The view of a walkers map, as its plugins are given it.
    pub fn from_projector(projector: &Projector) -> MercatorView {
        let screen_center = projector.clip_rect().center();
        MercatorView::new(
            projector.unproject(screen_center.to_vec2()),
            projector.zoom(),
            screen_center,
        )
    }

    pub fn zoom(&self) -> f64 {
        (self.pixels_per_world / TILE_SIZE).log2()
    }

    /// Where `position` is on the screen.
    pub fn project(&self, position: Position) -> Pos2 {
        let [x, y] = mercator(position.x(), position.y());
        pos2(
            ((x - self.center[0]) * self.pixels_per_world) as f32 + self.screen_center.x,
            ((y - self.center[1]) * self.pixels_per_world) as f32 + self.screen_center.y,
        )
    }

    /// A point projected at load onto the screen; what every vertex goes through.
    fn screen_mapping(&self) -> impl Fn(Pos2) -> Pos2 + use<> {
        // The centre in f32 is off by up to 3e-8 of the world, pixels at a close zoom: what
        // rounding left out is added back on the screen side, in f64.
        let (cx, cy) = (self.center[0] as f32, self.center[1] as f32);
        let scale = self.pixels_per_world;
        let sx =
            (f64::from(self.screen_center.x) - (self.center[0] - f64::from(cx)) * scale) as f32;
        let sy =
            (f64::from(self.screen_center.y) - (self.center[1] - f64::from(cy)) * scale) as f32;
        let scale = scale as f32;
        move |p: Pos2| pos2((p.x - cx) * scale + sx, (p.y - cy) * scale + sy)
    }

    /// The part of the normalised world that `screen` shows.
    fn world_rect(&self, screen: Rect) -> Rect {
        let to_world = |p: Pos2| {
            pos2(
                (self.center[0] + f64::from(p.x - self.screen_center.x) / self.pixels_per_world)
                    as f32,
                (self.center[1] + f64::from(p.y - self.screen_center.y) / self.pixels_per_world)
                    as f32,
            )
        };
        Rect::from_min_max(to_world(screen.min), to_world(screen.max))
    }
}

/// The colours and line widths of the basemap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BasemapStyle {
    pub sea: Color32,
    pub land: Color32,
    pub coast: Color32,
    pub border: Color32,
    /// In points.
    pub coast_width: f32,
    /// In points.
    pub border_width: f32,
    /// The soft edge added on each side of a line, in points: one physical pixel.
    pub feather: f32,
}

impl BasemapStyle {
    pub fn light() -> BasemapStyle {
        BasemapStyle {
            sea: Color32::from_rgb(170, 211, 223),
            land: Color32::from_rgb(242, 239, 233),
            coast: Color32::from_rgb(136, 176, 192),
            border: Color32::from_rgb(178, 166, 178),
            coast_width: 1.0,
            border_width: 0.8,
            feather: 1.0,
        }
    }

    pub fn dark() -> BasemapStyle {
        BasemapStyle {
            sea: Color32::from_rgb(27, 38, 52),
            land: Color32::from_rgb(52, 56, 60),
            coast: Color32::from_rgb(72, 94, 114),
            border: Color32::from_rgb(92, 92, 104),
            coast_width: 1.0,
            border_width: 0.8,
            feather: 1.0,
        }
    }

    /// Light or dark after the window's theme.
    pub fn for_visuals(visuals: &egui::Visuals) -> BasemapStyle {
        if visuals.dark_mode {
            BasemapStyle::dark()
        } else {
            BasemapStyle::light()
        }
    }
}

/// One polygon of a country in degrees: its outer ring, then its holes.
#[derive(Debug, Clone)]
struct Polygon {
    rings: Vec<Vec<[f32; 2]>>,
    /// West, south, east, north.
    bounds: [f32; 4],
}

impl Polygon {
    fn contains(&self, lon: f32, lat: f32) -> bool {
        let [west, south, east, north] = self.bounds;
        if lon < west || lon > east || lat < south || lat > north {
            return false;
        }
        // Even-odd over every ring: inside the outer ring and in no hole.
        let mut inside = false;
        for ring in self.rings.iter().filter(|ring| !ring.is_empty()) {
            let mut previous = ring.len() - 1;
            for (i, &[x, y]) in ring.iter().enumerate() {
                let [px, py] = ring[previous];
                if (y > lat) != (py > lat) && lon < (px - x) * (lat - y) / (py - y) + x {
                    inside = !inside;
                }
                previous = i;
            }
        }
        inside
    }
}

/// A country of the basemap.
#[derive(Debug, Clone)]
pub struct Country {
    iso_numeric: u16,
    name: String,
    polygons: Vec<Polygon>,
}

impl Country {
    /// The ISO 3166-1 numeric code; none for a territory without one (Kosovo, Somaliland).
    pub fn iso_numeric(&self) -> Option<u16> {
        (self.iso_numeric != 0).then_some(self.iso_numeric)
    }

    /// The English short name, as Natural Earth writes it.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn polygon_count(&self) -> usize {
        self.polygons.len()
    }

    pub fn contains(&self, position: Position) -> bool {
        let (lon, lat) = (position.x() as f32, position.y() as f32);
        // A polygon across the 180th meridian reaches past it by up to a turn.
        [lon, lon - 360.0, lon + 360.0]
            .into_iter()
            .any(|lon| self.polygons.iter().any(|p| p.contains(lon, lat)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum LineKind {
    Coast,
    Border,
}

/// A polygon ready to fill: its points and its triangles, indices from its first point.
#[derive(Debug, Clone)]
struct FillPart {
    bounds: Rect,
    points: Range<u32>,
    triangles: Range<u32>,
}

/// A coastline or border ready to stroke.
#[derive(Debug, Clone)]
struct LinePart {
    bounds: Rect,
    points: Range<u32>,
    kind: LineKind,
}

/// The basemap at one level of detail, in normalised Web Mercator.
#[derive(Debug, Clone, Default)]
struct Level {
    fill_points: Vec<Pos2>,
    triangles: Vec<u32>,
    fills: Vec<FillPart>,
    line_points: Vec<Pos2>,
    /// Coastlines first, then borders, so that borders are drawn over coasts.
    lines: Vec<LinePart>,
}

impl Level {
    fn push_fill(
        &mut self,
        bounds: Rect,
        points: impl IntoIterator<Item = Pos2>,
        triangles: &[u32],
    ) {
        let first_point = self.fill_points.len() as u32;
        let first_index = self.triangles.len() as u32;
        self.fill_points.extend(points);
        self.triangles.extend_from_slice(triangles);
        self.fills.push(FillPart {
            bounds,
            points: first_point..self.fill_points.len() as u32,
            triangles: first_index..self.triangles.len() as u32,
        });
    }
}

/// What a frame's mesh was made for.
type FrameKey = (MercatorView, Rect, BasemapStyle);

/// The built-in world basemap, ready to draw.
#[derive(Debug)]
pub struct OfflineBasemap {
    countries: Vec<Country>,
    /// For zoom 0 to 7, then the full data.
    levels: Vec<Level>,
    /// The last mesh drawn, given again while the map does not move.
    last_frame: Mutex<Option<(FrameKey, Arc<Mesh>)>>,
}

impl OfflineBasemap {
    /// Reads and prepares the basemap built into the program.
    pub fn new() -> Result<OfflineBasemap, BasemapError> {
        OfflineBasemap::from_bytes(ASSET)
    }

    /// The built-in basemap, read and prepared once for the whole program. The first call
    /// takes a moment (tens of milliseconds in an optimised build, a second or two in a debug
    /// one); [`OfflineBasemap::preload`] does it away from the window's thread.
    pub fn shared() -> Result<&'static OfflineBasemap, &'static BasemapError> {
        SHARED.get_or_init(OfflineBasemap::new).as_ref()
    }

    /// The built-in basemap if it is prepared, without waiting.
    pub fn ready() -> Option<&'static OfflineBasemap> {
        SHARED.get().and_then(|basemap| basemap.as_ref().ok())
    }

    /// Starts preparing the built-in basemap on a thread of its own, and asks `ctx` for a
    /// repaint once it is ready. Only the first call starts anything.
    pub fn preload(ctx: &egui::Context) {
        static STARTED: AtomicBool = AtomicBool::new(false);
        if STARTED.swap(true, Ordering::SeqCst) {
            return;
        }
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let _ = OfflineBasemap::shared();
            ctx.request_repaint();
        });
    }

    /// Reads and prepares basemap data in the format of `assets/basemap/`.
    pub fn from_bytes(bytes: &[u8]) -> Result<OfflineBasemap, BasemapError> {
        let topology = asset::decode(bytes)?;
        Ok(OfflineBasemap::prepare(&topology))
    }

    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// The country whose land `position` is on, if any.
    pub fn country_at(&self, position: Position) -> Option<&Country> {
        self.countries.iter().find(|c| c.contains(position))
    }

    /// Whether `position` is on land, as far as 1:50m data tells.
    pub fn is_land(&self, position: Position) -> bool {
        self.country_at(position).is_some()
    }

    /// A walkers plugin that draws this basemap under what is drawn after it.
    pub fn plugin(&self) -> BasemapPlugin<'_> {
        BasemapPlugin {
            basemap: self,
            style: None,
        }
    }

    fn level_for(&self, view: &MercatorView) -> &Level {
        let zoom = view.zoom().floor();
        let index = if zoom.is_finite() && zoom > 0.0 {
            (zoom as usize).min(self.levels.len() - 1)
        } else {
            0
        };
        &self.levels[index]
    }

    /// The shape of [`OfflineBasemap::mesh`], the same one again while the view, the
    /// visible rectangle and the style are those of the last call.
    pub fn shape(&self, view: &MercatorView, visible: Rect, style: &BasemapStyle) -> Shape {
        let key = (*view, visible, *style);
        if let Ok(last) = self.last_frame.lock()
            && let Some((last_key, mesh)) = last.as_ref()
            && *last_key == key
        {
            return Shape::Mesh(Arc::clone(mesh));
        }
        let mesh = Arc::new(self.mesh(view, visible, style));
        if let Ok(mut last) = self.last_frame.lock() {
            *last = Some((key, Arc::clone(&mesh)));
        }
        Shape::Mesh(mesh)
    }

    /// Everything the basemap draws in `visible` (screen points) as seen through `view`: the
    /// sea over all of `visible`, the land of the countries that reach into it, then their
    /// coastlines and borders, as one mesh of solid colours.
    pub fn mesh(&self, view: &MercatorView, visible: Rect, style: &BasemapStyle) -> Mesh {
        let level = self.level_for(view);
        let to_screen = view.screen_mapping();
        let margin = (style.coast_width.max(style.border_width) + 2.0 * style.feather) as f64
            / view.pixels_per_world;
        let world = view.world_rect(visible).expand(margin as f32);

        let fills: Vec<&FillPart> = level
            .fills
            .iter()
            .filter(|part| part.bounds.intersects(world))
            .collect();
        let lines: Vec<&LinePart> = level
            .lines
            .iter()
            .filter(|part| part.bounds.intersects(world))
            .collect();
        let fill_points: usize = fills.iter().map(|p| p.points.len()).sum();
        let fill_indices: usize = fills.iter().map(|p| p.triangles.len()).sum();
        let line_points: usize = lines.iter().map(|p| p.points.len()).sum();

        let mut mesh = Mesh::default();
        mesh.vertices.reserve(4 + fill_points + 4 * line_points);
        mesh.indices.reserve(6 + fill_indices + 18 * line_points);

        let sea = [
            visible.left_top(),
            visible.right_top(),
            visible.right_bottom(),
            visible.left_bottom(),
        ];
        for pos in sea {
            mesh.colored_vertex(pos, style.sea);
        }
        mesh.indices.extend([0, 1, 2, 0, 2, 3]);

        for part in fills {
            let base = mesh.vertices.len() as u32;
            let points = &level.fill_points[part.points.start as usize..part.points.end as usize];
            mesh.vertices.extend(points.iter().map(|&p| Vertex {
                pos: to_screen(p),
                uv: WHITE_UV,
                color: style.land,
            }));
            let triangles =
                &level.triangles[part.triangles.start as usize..part.triangles.end as usize];
            mesh.indices.extend(triangles.iter().map(|&i| base + i));
        }

        let mut screen_points: Vec<Pos2> = Vec::new();
        for part in lines {
            let (color, width) = match part.kind {
                LineKind::Coast => (style.coast, style.coast_width),
                LineKind::Border => (style.border, style.border_width),
            };
            let points = &level.line_points[part.points.start as usize..part.points.end as usize];
            screen_points.clear();
            for (i, &p) in points.iter().enumerate() {
                let p = to_screen(p);
                let kept = screen_points.len();
                match screen_points.last_mut() {
                    // Points closer than half a pixel add nothing to a line, but its end stays.
                    Some(last) if (p - *last).length_sq() < 0.25 => {
                        if i + 1 == points.len() && kept > 1 {
                            *last = p;
                        }
                    }
                    _ => screen_points.push(p),
                }
            }
            stroke(&mut mesh, &screen_points, width / 2.0, style.feather, color);
        }
        mesh
    }

    fn prepare(topology: &Topology) -> OfflineBasemap {
        let degrees: Vec<Vec<[f64; 2]>> = topology
            .arcs
            .iter()
            .map(|arc| arc.iter().map(|&p| topology.transform.lon_lat(p)).collect())
            .collect();
        let projected: Vec<Vec<[f64; 2]>> = degrees
            .iter()
            .map(|arc| arc.iter().map(|&[lon, lat]| mercator(lon, lat)).collect())
            .collect();

        let shapes: Vec<Vec<Vec<Vec<i64>>>> = topology
            .countries
            .iter()
            .map(|country| planar_polygons(&country.polygons, &projected))
            .collect();
        let (mut points, mut ranges) = (Vec::new(), Vec::new());
        let countries = topology
            .countries
            .iter()
            .zip(&shapes)
            .map(|(country, polygons)| Country {
                iso_numeric: country.iso_numeric,
                name: country.name.clone(),
                polygons: polygons
                    .iter()
                    .map(|polygon| {
                        planar_rings(&DEGREES, polygon, &degrees, &mut points, &mut ranges);
                        let rings: Vec<Vec<[f32; 2]>> = ranges
                            .iter()
                            .map(|range| {
                                points[range.clone()]
                                    .iter()
                                    .map(|&[lon, lat]| [lon as f32, lat as f32])
                                    .collect()
                            })
                            .collect();
                        let mut bounds = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
                        for &[lon, lat] in rings.iter().flatten() {
                            bounds = [
                                bounds[0].min(lon),
                                bounds[1].min(lat),
                                bounds[2].max(lon),
                                bounds[3].max(lat),
                            ];
                        }
                        Polygon { rings, bounds }
                    })
                    .collect(),
            })
            .collect();

        let kinds = line_kinds(topology);
        let levels = (0..=SIMPLIFIED_LEVELS)
            .map(|level| {
                let tolerance = if level < SIMPLIFIED_LEVELS {
                    TOLERANCE_PIXELS / (TILE_SIZE * (level as f64).exp2())
                } else {
                    0.0
                };
                build_level(&shapes, &degrees, &projected, &kinds, tolerance)
            })
            .collect();
        OfflineBasemap {
            countries,
            levels,
            last_frame: Mutex::new(None),
        }
    }
}

/// Whether each arc is a coastline (one country), a border (two) or neither (inside a
/// country).
fn line_kinds(topology: &Topology) -> Vec<Option<LineKind>> {
    let mut users: Vec<(usize, Option<usize>)> = vec![(0, None); topology.arcs.len()];
    let mut distinct: Vec<usize> = vec![0; topology.arcs.len()];
    for (country_index, country) in topology.countries.iter().enumerate() {
        for &reference in country.polygons.iter().flatten().flatten() {
            let (arc, _) = Topology::arc_of(reference);
            let (count, last) = &mut users[arc];
            *count += 1;
            if *last != Some(country_index) {
                distinct[arc] += 1;
                *last = Some(country_index);
            }
        }
    }
    users
        .iter()
        .zip(distinct)
        .map(|(&(count, _), distinct)| match (count, distinct) {
            (1, _) => Some(LineKind::Coast),
            (_, 2..) => Some(LineKind::Border),
            _ => None,
        })
        .collect()
}

/// How the plane sees the data, which is made for the sphere.
#[derive(Debug, Clone, Copy)]
struct Plane {
    /// The width of the world: 360 degrees, or 1 in normalised Mercator.
    turn: f64,
    /// The longitude (x) at the middle of the map.
    middle: f64,
    /// The y of the south pole and of the north pole.
    poles: [f64; 2],
}

const DEGREES: Plane = Plane {
    turn: 360.0,
    middle: 0.0,
    poles: [-90.0, 90.0],
};

const NORMALISED: Plane = Plane {
    turn: 1.0,
    middle: 0.5,
    poles: [1.0, 0.0],
};

impl Plane {
    /// `ring` as the plane sees it. On the sphere a ring may cross the 180th meridian, where
    /// its longitudes jump by a turn (Russia, Fiji), or go round a pole (Antarctica's coast).
    /// Here its longitudes run on without the jump, so it may reach past the map's edge, and
    /// it is shifted by whole turns to have its middle on the map; a ring round a pole is
    /// closed along the pole.
    fn ring(&self, mut ring: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
        let Some(&first) = ring.first() else {
            return ring;
        };
        let turn = self.turn;
        let continued = |from: f64, to: f64| to - turn * ((to - from) / turn).round();
        for i in 1..ring.len() {
            ring[i][0] = continued(ring[i - 1][0], ring[i][0]);
        }
        let last = ring[ring.len() - 1];
        let closing = continued(last[0], first[0]);
        if ((closing - first[0]) / turn).round() != 0.0 {
            let mean = ring.iter().map(|p| p[1]).sum::<f64>() / ring.len() as f64;
            let [south, north] = self.poles;
            let pole = if (mean - south).abs() < (mean - north).abs() {
                south
            } else {
                north
            };
            ring.extend([[closing, first[1]], [closing, pole], [first[0], pole]]);
        }
        self.centre(&mut ring, self.middle);
        ring
    }

    /// Shifts `ring` by whole turns to have the middle of its longitudes nearest `middle`.
    fn centre(&self, ring: &mut [[f64; 2]], middle: f64) {
        let (west, east) = ring
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(w, e), p| {
                (w.min(p[0]), e.max(p[0]))
            });
        let shift = self.turn * (((west + east) / 2.0 - middle) / self.turn).round();
        if shift != 0.0 && shift.is_finite() {
            for p in ring.iter_mut() {
                p[0] -= shift;
            }
        }
    }
}

/// A country's polygons as the plane sees them. The data is made for the sphere, where a ring
/// can go round a pole: Antarctica's outer ring runs along the south pole, with no area on
/// the plane, and its coast is a hole in it. Rings without area are left out, and the other
/// rings of a polygon whose outer ring had none become polygons of their own.
fn planar_polygons(polygons: &[Vec<Vec<i64>>], projected: &[Vec<[f64; 2]>]) -> Vec<Vec<Vec<i64>>> {
    // On the map, which ends at 85° south, a ring along the pole is a line.
    let has_area = |refs: &Vec<i64>| {
        let ring = NORMALISED.ring(ring_of(refs, |arc| projected[arc].as_slice()));
        ring.len() >= 3 && triangulate::ring_area(&ring).abs() > 1e-14
    };
    let mut planar = Vec::new();
    for rings in polygons {
        let Some((outer, holes)) = rings.split_first() else {
            continue;
        };
        let holes = holes.iter().filter(|ring| has_area(ring)).cloned();
        if has_area(outer) {
            planar.push(std::iter::once(outer.clone()).chain(holes).collect());
        } else {
            planar.extend(holes.map(|hole| vec![hole]));
        }
    }
    planar
}

/// The polygon's rings as the plane sees them, one after the other in `points`, with the
/// range of each in `rings`; the holes on the same side of the map as the outer ring.
fn planar_rings(
    plane: &Plane,
    polygon: &[Vec<i64>],
    arcs: &[Vec<[f64; 2]>],
    points: &mut Vec<[f64; 2]>,
    rings: &mut Vec<Range<usize>>,
) {
    points.clear();
    rings.clear();
    let mut middle = plane.middle;
    for (index, refs) in polygon.iter().enumerate() {
        let start = points.len();
        points.extend(plane.ring(ring_of(refs, |arc| arcs[arc].as_slice())));
        let ring = &mut points[start..];
        if index == 0 {
            let (west, east) = ring
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(w, e), p| {
                    (w.min(p[0]), e.max(p[0]))
                });
            middle = (west + east) / 2.0;
        } else {
            plane.centre(ring, middle);
        }
        rings.push(start..points.len());
    }
}

/// A ring's points from its arc references, each joint once and the first point not repeated
/// at the end.
fn ring_of<'a, T: Copy + PartialEq + 'a>(refs: &[i64], arc: impl Fn(usize) -> &'a [T]) -> Vec<T> {
    let mut ring: Vec<T> = Vec::new();
    for &reference in refs {
        let (index, backwards) = Topology::arc_of(reference);
        let points = arc(index);
        let skip = usize::from(!ring.is_empty());
        if backwards {
            ring.extend(points.iter().rev().skip(skip));
        } else {
            ring.extend(points.iter().skip(skip));
        }
    }
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    ring
}

/// The indices of the points of `line` to keep so that it strays at most `tolerance` from
/// them (Douglas-Peucker); its ends are always kept, and a closed line keeps its farthest
/// point too. A tolerance of 0 only drops repeated points.
fn simplify(line: &[[f64; 2]], tolerance: f64) -> Vec<usize> {
    let last = line.len().saturating_sub(1);
    if tolerance <= 0.0 || line.len() < 3 {
        let mut kept: Vec<usize> = Vec::with_capacity(line.len());
        for (i, p) in line.iter().enumerate() {
            if kept.last().is_none_or(|&k| line[k] != *p) || i == last {
                if i == last && kept.len() > 1 && line[kept[kept.len() - 1]] == *p {
                    kept.pop();
                }
                kept.push(i);
            }
        }
        return kept;
    }
    let distance_sq = |p: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let length_sq = dx * dx + dy * dy;
        let t = if length_sq > 0.0 {
            (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length_sq).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (x, y) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
        x * x + y * y
    };
    let mut keep = vec![false; line.len()];
    keep[0] = true;
    keep[last] = true;
    let mut spans = vec![(0, last)];
    if line[0] == line[last] {
        let far = (1..last)
            .max_by(|&i, &j| {
                distance_sq(line[i], line[0], line[0])
                    .total_cmp(&distance_sq(line[j], line[0], line[0]))
            })
            .unwrap_or(0);
        keep[far] = true;
        spans = vec![(0, far), (far, last)];
    }
    let tolerance_sq = tolerance * tolerance;
    while let Some((start, end)) = spans.pop() {
        if end <= start + 1 {
            continue;
        }
        let (mut far, mut far_sq) = (start, 0.0);
        for (i, &p) in line.iter().enumerate().take(end).skip(start + 1) {
            let d = distance_sq(p, line[start], line[end]);
            if d > far_sq {
                (far, far_sq) = (i, d);
            }
        }
        if far_sq > tolerance_sq {
            keep[far] = true;
            spans.push((start, far));
            spans.push((far, end));
        }
    }
    (0..line.len()).filter(|&i| keep[i]).collect()
}

fn bounds_of(points: impl IntoIterator<Item = Pos2>) -> Rect {
    let mut bounds = Rect::NOTHING;
    for p in points {
        bounds.extend_with(p);
    }
    bounds
}

fn to_pos2(p: [f64; 2]) -> Pos2 {
    pos2(p[0] as f32, p[1] as f32)
}

/// Whether a line from `a` to `b` (degrees) runs along or across the edge of the world: on
/// the 180th meridian, across it (its longitude jumps by a turn), or along the cut-off south
/// of Antarctica, where the data ends but no coast is.
fn along_world_edge(a: [f64; 2], b: [f64; 2]) -> bool {
    let on_antimeridian = |p: [f64; 2]| p[0].abs() > 179.999;
    (on_antimeridian(a) && on_antimeridian(b))
        || (a[0] - b[0]).abs() > 180.0
        || (a[1] < -85.0 && b[1] < -85.0)
}

/// A polygon (normalised Mercator) reaching past the 180th meridian, as pieces on the map: the
/// part in each turn it reaches into, brought onto the map. Triangles across the meridian are
/// cut there.
fn pieces_on_map(points: &[[f64; 2]], triangles: &[u32]) -> Vec<(Vec<[f64; 2]>, Vec<u32>)> {
    let (west, east) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(w, e), p| {
            (w.min(p[0]), e.max(p[0]))
        });
    if !(west.is_finite() && east.is_finite()) {
        return Vec::new();
    }
    let mut pieces = Vec::new();
    for turn in (west.floor() as i64)..(east.ceil() as i64) {
        let (lo, hi) = (turn as f64, turn as f64 + 1.0);
        let mut piece_points: Vec<[f64; 2]> = Vec::new();
        let mut piece_triangles: Vec<u32> = Vec::new();
        let mut index_of = vec![u32::MAX; points.len()];
        for triangle in triangles.chunks_exact(3) {
            let corners = [triangle[0], triangle[1], triangle[2]].map(|i| i as usize);
            let xs = corners.map(|i| points[i][0]);
            if xs.iter().all(|&x| x <= lo) || xs.iter().all(|&x| x >= hi) {
                continue;
            }
            if xs.iter().all(|&x| (lo..=hi).contains(&x)) {
                for i in corners {
                    if index_of[i] == u32::MAX {
                        index_of[i] = piece_points.len() as u32;
                        piece_points.push([points[i][0] - lo, points[i][1]]);
                    }
                    piece_triangles.push(index_of[i]);
                }
                continue;
            }
            let cut = clip_half(corners.map(|i| points[i]).to_vec(), |p| p[0] - lo);
            let cut = clip_half(cut, |p| hi - p[0]);
            if cut.len() >= 3 {
                let base = piece_points.len() as u32;
                piece_points.extend(cut.iter().map(|&[x, y]| [x - lo, y]));
                for k in 1..cut.len() as u32 - 1 {
                    piece_triangles.extend([base, base + k, base + k + 1]);
                }
            }
        }
        if !piece_triangles.is_empty() {
            pieces.push((piece_points, piece_triangles));
        }
    }
    pieces
}

/// The part of a convex polygon where `side` is not negative.
fn clip_half(polygon: Vec<[f64; 2]>, side: impl Fn([f64; 2]) -> f64) -> Vec<[f64; 2]> {
    let mut kept = Vec::with_capacity(polygon.len() + 1);
    for (i, &p) in polygon.iter().enumerate() {
        let q = polygon[(i + 1) % polygon.len()];
        let (at_p, at_q) = (side(p), side(q));
        if at_p >= 0.0 {
            kept.push(p);
        }
        if (at_p >= 0.0) != (at_q >= 0.0) {
            let t = at_p / (at_p - at_q);
            kept.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
        }
    }
    kept
}

fn build_level(
    shapes: &[Vec<Vec<Vec<i64>>>],
    degrees: &[Vec<[f64; 2]>],
    projected: &[Vec<[f64; 2]>],
    kinds: &[Option<LineKind>],
    tolerance: f64,
) -> Level {
    let kept: Vec<Vec<usize>> = projected
        .iter()
        .map(|arc| simplify(arc, tolerance))
        .collect();
    let simplified: Vec<Vec<[f64; 2]>> = kept
        .iter()
        .zip(projected)
        .map(|(kept, arc)| kept.iter().map(|&i| arc[i]).collect())
        .collect();
    // Shapes smaller than this vanish at the level's zoom.
    let too_small = |bounds: Rect| {
        tolerance > 0.0 && f64::from(bounds.width().max(bounds.height())) < tolerance
    };

    let mut level = Level::default();
    let mut points: Vec<[f64; 2]> = Vec::new();
    let mut rings: Vec<Range<usize>> = Vec::new();
    for polygon in shapes.iter().flatten() {
        planar_rings(&NORMALISED, polygon, &simplified, &mut points, &mut rings);
        let Some(outer) = rings.first() else { continue };
        let bounds = bounds_of(points[outer.clone()].iter().map(|&p| to_pos2(p)));
        if too_small(bounds) {
            continue;
        }
        let triangles = triangulate::triangulate(&points, &rings);
        if triangles.is_empty() {
            continue;
        }
        if bounds.min.x >= 0.0 && bounds.max.x <= 1.0 {
            level.push_fill(bounds, points.iter().map(|&p| to_pos2(p)), &triangles);
        } else {
            // Past the 180th meridian: each side's part goes on its side of the map.
            for (piece_points, piece_triangles) in pieces_on_map(&points, &triangles) {
                let piece: Vec<Pos2> = piece_points.into_iter().map(to_pos2).collect();
                level.push_fill(bounds_of(piece.iter().copied()), piece, &piece_triangles);
            }
        }
    }

    for (arc, kind) in kinds.iter().enumerate() {
        let Some(kind) = *kind else { continue };
        let (kept, degrees) = (&kept[arc], &degrees[arc]);
        // Split where the line runs along the edge of the world.
        let mut start = 0;
        for i in 1..=kept.len() {
            let cut = i == kept.len() || along_world_edge(degrees[kept[i - 1]], degrees[kept[i]]);
            if !cut {
                continue;
            }
            if i - start >= 2 {
                let run: Vec<Pos2> = kept[start..i]
                    .iter()
                    .map(|&k| to_pos2(projected[arc][k]))
                    .collect();
                let bounds = bounds_of(run.iter().copied());
                if !too_small(bounds) {
                    let first = level.line_points.len() as u32;
                    level.line_points.extend(run);
                    level.lines.push(LinePart {
                        bounds,
                        points: first..level.line_points.len() as u32,
                        kind,
                    });
                }
            }
            start = i;
        }
    }
    level.lines.sort_by_key(|line| line.kind);
    level
}

/// Adds a line through `points` (screen) to `mesh`: a solid core `half_width` either side,
/// fading to nothing over `feather` beyond it, with mitred joins. A line no wider than
/// `feather` is a ridge of colour fading either side, three vertices across instead of four.
fn stroke(mesh: &mut Mesh, points: &[Pos2], half_width: f32, feather: f32, color: Color32) {
    let n = points.len();
    if n < 2 {
        return;
    }
    let closed = n > 2 && points[0] == points[n - 1];
    let thin = 2.0 * half_width <= feather;
    let normal_of = |a: Pos2, b: Pos2| {
        let d = (b - a).normalized();
        Vec2::new(-d.y, d.x)
    };
    let base = mesh.vertices.len() as u32;
    for i in 0..n {
        let before = if i > 0 {
            Some(points[i - 1])
        } else if closed {
            Some(points[n - 2])
        } else {
            None
        };
        let after = if i + 1 < n {
            Some(points[i + 1])
        } else if closed {
            Some(points[1])
        } else {
            None
        };
        let p = points[i];
        let offset = match (before, after) {
            (Some(a), Some(b)) => {
                let (n1, n2) = (normal_of(a, p), normal_of(p, b));
                let sum = n1 + n2;
                if sum.length_sq() < 1e-6 {
                    n2
                } else {
                    let miter = sum.normalized();
                    miter / miter.dot(n1).max(0.5)
                }
            }
            (Some(a), None) => normal_of(a, p),
            (None, Some(b)) => normal_of(p, b),
            (None, None) => Vec2::ZERO,
        };
        if thin {
            // A line no wider than the soft edge: solid along the middle, fading either side.
            let edge = offset * (half_width + feather / 2.0);
            mesh.vertices.extend([
                Vertex {
                    pos: p + edge,
                    uv: WHITE_UV,
                    color: Color32::TRANSPARENT,
                },
                Vertex {
                    pos: p,
                    uv: WHITE_UV,
                    color,
                },
                Vertex {
                    pos: p - edge,
                    uv: WHITE_UV,
                    color: Color32::TRANSPARENT,
                },
            ]);
        } else {
            let (inner, outer) = (offset * half_width, offset * (half_width + feather));
            for (pos, color) in [
                (p + outer, Color32::TRANSPARENT),
                (p + inner, color),
                (p - inner, color),
                (p - outer, Color32::TRANSPARENT),
            ] {
                mesh.vertices.push(Vertex {
                    pos,
                    uv: WHITE_UV,
                    color,
                });
            }
        }
    }
    let across = if thin { 3 } else { 4 };
    for segment in 0..n as u32 - 1 {
        let (a, b) = (base + across * segment, base + across * (segment + 1));
        for band in 0..across - 1 {
            mesh.indices.extend([
                a + band,
                a + band + 1,
                b + band,
                a + band + 1,
                b + band + 1,
                b + band,
            ]);
        }
    }
}

/// Draws an [`OfflineBasemap`] on a walkers map, under what the map draws after it. Made by
/// [`OfflineBasemap::plugin`]; in the window's theme unless given a style.
pub struct BasemapPlugin<'a> {
    basemap: &'a OfflineBasemap,
    style: Option<BasemapStyle>,
}

impl BasemapPlugin<'_> {
    pub fn with_style(mut self, style: BasemapStyle) -> Self {
        self.style = Some(style);
        self
    }
}

impl Plugin for BasemapPlugin<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut egui::Ui,
        _response: &egui::Response,
        projector: &Projector,
        _map_memory: &MapMemory,
    ) {
        let visible = projector.clip_rect();
        let mut style = self
            .style
            .unwrap_or_else(|| BasemapStyle::for_visuals(ui.visuals()));
        style.feather = 1.0 / ui.ctx().pixels_per_point();
        let view = MercatorView::from_projector(projector);
        ui.painter_at(visible)
            .add(self.basemap.shape(&view, visible, &style));
    }
}

#[cfg(test)]
mod tests;
