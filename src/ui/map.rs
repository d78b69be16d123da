//! The map: the stores as markers coloured by their sync state on the built-in offline
//! basemap (or OpenStreetMap tiles), clustered where they crowd. Hover shows a store's name;
//! a click selects it; shift-drag selects a box; dragging a selected marker moves the store;
//! a right-click offers a new store there.

use std::collections::BTreeSet;
use std::path::PathBuf;

use egui::{Color32, DragPanButtons, Pos2, Rect, Sense, Stroke, Vec2, pos2, vec2};
use walkers::{HttpOptions, HttpTiles, Map, MapMemory, Position, Projector, lon_lat};

use crate::ui::basemap::OfflineBasemap;
use crate::workspace::{Summary, SyncState};

/// Radius of a marker, in points.
const MARKER_RADIUS: f32 = 5.0;
/// How near the pointer must be to a marker to hit it, in points.
const HIT_RADIUS: f32 = 9.0;
/// The side of a clustering cell, in points.
const CELL: f32 = 36.0;
/// From this zoom on, every store is drawn on its own.
const NO_CLUSTERS_FROM_ZOOM: f64 = 15.0;

/// What the user did on the map this frame.
#[derive(Clone, Debug, PartialEq)]
pub enum MapAction {
    /// Select these stores; `add` keeps the current selection (ctrl or shift held).
    Select {
        ids: Vec<String>,
        add: bool,
    },
    ClearSelection,
    /// A selected store was dragged here.
    Move {
        id: String,
        lat: f64,
        lng: f64,
    },
    /// A click on the map while a store waits to be placed.
    PlaceAt {
        lat: f64,
        lng: f64,
    },
    /// "New store here".
    NewStoreAt {
        lat: f64,
        lng: f64,
    },
}

/// The background of the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Basemap {
    /// Natural Earth countries, built in: works without a network.
    Offline,
    /// OpenStreetMap's tiles, kept in the cache folder.
    OpenStreetMap,
}

/// What is drawn at a place: one store, or a cluster of several.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    Store {
        index: usize,
        at: Pos2,
    },
    Cluster {
        count: usize,
        at: Pos2,
        /// The state most in need of attention among its stores.
        state: SyncState,
    },
}

pub struct MapView {
    pub memory: MapMemory,
    pub basemap: Basemap,
    /// Stores to fit in view on the next frame.
    fit: Option<(Position, f64)>,
    fitted_once: bool,
    /// Each store's place on the Web Mercator square (0..1), by index in the stores shown.
    unit: Vec<Option<(f64, f64)>>,
    /// Each store's state, by the same index.
    states: Vec<SyncState>,
    /// The stores' count and first and last ids when `unit` was computed.
    unit_key: (usize, String, String),
    /// Bumped whenever `unit` or `states` are computed again.
    unit_version: u64,
    /// What `marks` were laid out for: the view, the map's rectangle, clustering and
    /// `unit_version`. A still view reuses them.
    marks_key: Option<(u64, u64, u64, [u32; 4], bool, u64)>,
    /// What the last frame drew, to hit-test the next press before the map takes it.
    marks: Vec<Mark>,
    /// A marker being dragged: its store's index and where the pointer is.
    dragging: Option<(usize, Pos2)>,
    /// The corner where a shift-drag box started.
    box_from: Option<Pos2>,
    /// Where the last right-click was, for the menu.
    context_at: Option<Position>,
    tiles: Option<HttpTiles>,
    cache_dir: Option<PathBuf>,
    /// The texture markers are drawn with, made on the first frame.
    disc: Option<egui::TextureHandle>,
}

impl Default for MapView {
    fn default() -> MapView {
        let mut memory = MapMemory::default();
        // A view of Europe until there are stores to fit.
        let _ = memory.set_zoom(4.0);
        MapView {
            memory,
            basemap: Basemap::Offline,
            fit: None,
            fitted_once: false,
            unit: Vec::new(),
            states: Vec::new(),
            unit_key: (0, String::new(), String::new()),
            unit_version: 0,
            marks_key: None,
            marks: Vec::new(),
            dragging: None,
            box_from: None,
            context_at: None,
            tiles: None,
            cache_dir: None,
            disc: None,
        }
    }
}

/// The colour of a marker for its store's state.
pub fn marker_colour(state: SyncState) -> Color32 {
    match state {
        SyncState::Synced => Color32::from_rgb(30, 110, 200),
        SyncState::New => Color32::from_rgb(40, 160, 70),
        SyncState::Modified => Color32::from_rgb(230, 150, 20),
        SyncState::Deleted => Color32::from_rgb(120, 120, 120),
        SyncState::Conflict => Color32::from_rgb(200, 40, 160),
        SyncState::Failed => Color32::from_rgb(210, 40, 40),
    }
}

/// The legend's words for a state.
pub fn state_label(state: SyncState) -> &'static str {
    match state {
        SyncState::Synced => "synced",
        SyncState::New => "new",
        SyncState::Modified => "modified",
        SyncState::Deleted => "to be deleted",
        SyncState::Conflict => "in conflict",
        SyncState::Failed => "refused by the server",
    }
}

/// Every state, in the legend's order.
pub const STATES: [SyncState; 6] = [
    SyncState::Synced,
    SyncState::New,
    SyncState::Modified,
    SyncState::Deleted,
    SyncState::Conflict,
    SyncState::Failed,
];

/// How much a state asks for attention, for a cluster's colour.
fn urgency(state: SyncState) -> u8 {
    match state {
        SyncState::Synced => 0,
        SyncState::Deleted => 1,
        SyncState::Modified => 2,
        SyncState::New => 3,
        SyncState::Failed => 4,
        SyncState::Conflict => 5,
    }
}

/// A point's place on the Web Mercator square: x from the west, y from the north, 0..1.
pub fn mercator_unit(lat: f64, lng: f64) -> (f64, f64) {
    let lat = lat.clamp(-85.051_128, 85.051_128).to_radians();
    let x = (lng + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    (x, y)
}

/// The screen transform of the Mercator square for this frame: `screen = unit * scale + offset`.
#[derive(Clone, Copy, Debug)]
pub struct UnitToScreen {
    pub scale: f64,
    pub offset: (f64, f64),
}

impl UnitToScreen {
    /// Read off the projector with two known points.
    fn of(projector: &Projector) -> UnitToScreen {
        let a = projector.project(lon_lat(0.0, 0.0));
        let b = projector.project(lon_lat(90.0, 0.0));
        let scale = f64::from(b.x - a.x) * 4.0;
        UnitToScreen {
            scale,
            offset: (f64::from(a.x) - 0.5 * scale, f64::from(a.y) - 0.5 * scale),
        }
    }

    pub fn apply(&self, (x, y): (f64, f64)) -> Pos2 {
        pos2(
            (x * self.scale + self.offset.0) as f32,
            (y * self.scale + self.offset.1) as f32,
        )
    }
}

/// Groups the stores inside `rect` by cells of [`CELL`] points: a cell with one store draws it,
/// a cell with several draws a cluster (unless `clusters` is false). Stores outside `rect` are
/// left out. Runs in one pass over the stores.
pub fn layout(
    unit: &[Option<(f64, f64)>],
    states: &[SyncState],
    to_screen: UnitToScreen,
    rect: Rect,
    clusters: bool,
) -> Vec<Mark> {
    let visible = rect.expand(MARKER_RADIUS);
    if !clusters {
        return unit
            .iter()
            .enumerate()
            .filter_map(|(index, u)| {
                let at = to_screen.apply((*u)?);
                visible.contains(at).then_some(Mark::Store { index, at })
            })
            .collect();
    }
    let cols = (rect.width() / CELL).ceil().max(1.0) as usize + 1;
    let rows = (rect.height() / CELL).ceil().max(1.0) as usize + 1;
    // Per cell: count, first store, sum of positions, most urgent state.
    let mut cells: Vec<(usize, usize, Vec2, SyncState)> =
        vec![(0, 0, Vec2::ZERO, SyncState::Synced); cols * rows];
    for (index, u) in unit.iter().enumerate() {
        let Some(u) = u else { continue };
        let at = to_screen.apply(*u);
        if !visible.contains(at) {
            continue;
        }
        let col = (((at.x - rect.left()) / CELL).max(0.0) as usize).min(cols - 1);
        let row = (((at.y - rect.top()) / CELL).max(0.0) as usize).min(rows - 1);
        let cell = &mut cells[row * cols + col];
        let state = states[index];
        if cell.0 == 0 {
            *cell = (1, index, at.to_vec2(), state);
        } else {
            cell.0 += 1;
            cell.2 += at.to_vec2();
            if urgency(state) > urgency(cell.3) {
                cell.3 = state;
            }
        }
    }
    cells
        .into_iter()
        .filter(|c| c.0 > 0)
        .map(|(count, index, sum, state)| {
            if count == 1 {
                Mark::Store {
                    index,
                    at: sum.to_pos2(),
                }
            } else {
                Mark::Cluster {
                    count,
                    at: (sum / count as f32).to_pos2(),
                    state,
                }
            }
        })
        .collect()
}

impl MapView {
    /// Where OpenStreetMap tiles are kept between runs.
    pub fn set_cache_dir(&mut self, dir: Option<PathBuf>) {
        self.cache_dir = dir;
    }

    /// Fits the view to `stores` on the next frame, the first time there are stores.
    pub fn fit_next(&mut self, stores: &[Summary]) {
        if self.fitted_once {
            return;
        }
        if self.fit_to(stores.iter()) {
            self.fitted_once = true;
        }
    }

    /// Fits the view to these stores on the next frame; false when none has a location.
    pub fn fit_to<'a>(&mut self, stores: impl Iterator<Item = &'a Summary>) -> bool {
        let (mut lat0, mut lat1, mut lng0, mut lng1) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
        let mut any = false;
        for (lat, lng) in stores.filter_map(|s| Some((s.lat?, s.lng?))) {
            any = true;
            lat0 = lat0.min(lat);
            lat1 = lat1.max(lat);
            lng0 = lng0.min(lng);
            lng1 = lng1.max(lng);
        }
        if !any {
            return false;
        }
        // The zoom at which the larger extent spans about 800 pixels of 256-pixel tiles.
        let span = (lng1 - lng0).max((lat1 - lat0) * 1.5).max(0.005);
        let zoom = (360.0 * 800.0 / (256.0 * span)).log2().clamp(1.0, 16.0);
        self.fit = Some((lon_lat((lng0 + lng1) / 2.0, (lat0 + lat1) / 2.0), zoom));
        true
    }

    /// Centres the map on a point, zooming in to at least `min_zoom`.
    pub fn centre_on(&mut self, lat: f64, lng: f64, min_zoom: f64) {
        let zoom = self.memory.zoom().max(min_zoom);
        self.fit = Some((lon_lat(lng, lat), zoom));
    }

    /// Shows this centre and zoom (a view kept from the last run) and keeps it.
    pub fn restore(&mut self, lat: f64, lng: f64, zoom: f64) {
        self.fit = Some((lon_lat(lng, lat), zoom.clamp(1.0, 19.0)));
        self.fitted_once = true;
    }

    /// The map's centre and zoom, to keep between runs.
    pub fn view(&self) -> Option<(f64, f64, f64)> {
        let p = self.memory.detached()?;
        Some((p.y(), p.x(), self.memory.zoom()))
    }

    /// Where the store at `index` was drawn on the last frame, if it was drawn on its own.
    pub fn marker_at(&self, index: usize) -> Option<Pos2> {
        self.marks.iter().find_map(|m| match m {
            Mark::Store { index: i, at } if *i == index => Some(*at),
            _ => None,
        })
    }

    /// What the last frame drew.
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    fn refresh_unit(&mut self, stores: &[Summary]) {
        let key = (
            stores.len(),
            stores.first().map(|s| s.id.clone()).unwrap_or_default(),
            stores.last().map(|s| s.id.clone()).unwrap_or_default(),
        );
        // Coordinates change without the ids changing (a move): recomputing is cheap enough
        // (a few ms for 100,000 stores) only when the list was replaced, which `invalidate`
        // signals.
        if key != self.unit_key || self.unit.len() != stores.len() {
            self.unit_key = key;
            self.unit = stores
                .iter()
                .map(|s| Some(mercator_unit(s.lat?, s.lng?)))
                .collect();
            self.states = stores.iter().map(|s| s.state).collect();
            self.unit_version += 1;
        }
    }

    /// The stores were read again: their places are computed on the next frame.
    pub fn invalidate(&mut self) {
        self.unit_key = (usize::MAX, String::new(), String::new());
    }

    /// The nearest single marker to `pos` within the hit radius.
    fn hit(&self, pos: Pos2) -> Option<usize> {
        self.marks
            .iter()
            .filter_map(|m| match m {
                Mark::Store { index, at } => Some((*index, at.distance(pos))),
                Mark::Cluster { .. } => None,
            })
            .filter(|(_, d)| *d <= HIT_RADIUS)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    fn hit_cluster(&self, pos: Pos2) -> Option<Pos2> {
        self.marks.iter().find_map(|m| match m {
            Mark::Cluster { at, count, .. } if at.distance(pos) <= cluster_radius(*count) => {
                Some(*at)
            }
            _ => None,
        })
    }

    /// Shows the map and returns what the user did. `editable` is false for a read-only
    /// profile: nothing can be moved or created.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        stores: &[Summary],
        selection: &BTreeSet<String>,
        editable: bool,
        placing: bool,
    ) -> Vec<MapAction> {
        let mut actions = Vec::new();
        if let Some((centre, zoom)) = self.fit.take() {
            self.memory.center_at(centre);
            let _ = self.memory.set_zoom(zoom);
        }
        self.refresh_unit(stores);

        // Decide, before the map sees the press, whether it starts a marker drag or a box.
        let (press_origin, shift, pressed) = ui.input(|i| {
            (
                i.pointer.press_origin(),
                i.modifiers.shift,
                i.pointer.primary_pressed(),
            )
        });
        if pressed
            && self.dragging.is_none()
            && self.box_from.is_none()
            && let Some(origin) = press_origin
        {
            let on_selected = self
                .hit(origin)
                .filter(|i| editable && selection.contains(&stores[*i].id));
            if let Some(index) = on_selected {
                self.dragging = Some((index, origin));
            } else if shift && ui.max_rect().contains(origin) {
                self.box_from = Some(origin);
            }
        }
        let pan = if self.dragging.is_some() || self.box_from.is_some() {
            DragPanButtons::empty()
        } else {
            DragPanButtons::PRIMARY
        };

        let home = lon_lat(10.0, 50.0);
        let zoom = self.memory.zoom();
        let tiles = match self.basemap {
            Basemap::OpenStreetMap => {
                if self.tiles.is_none() {
                    self.tiles = Some(osm_tiles(ui.ctx(), self.cache_dir.clone()));
                }
                self.tiles.as_mut().map(|t| t as &mut dyn walkers::Tiles)
            }
            Basemap::Offline => None,
        };
        let mut map = Map::new(tiles, &mut self.memory, home)
            .drag_pan_buttons(pan)
            .double_click_to_zoom(true);
        if self.basemap == Basemap::Offline
            && let Some(basemap) = OfflineBasemap::ready()
        {
            map = map.with_plugin(basemap.plugin());
        }
        let mut marks = Vec::new();
        let mut to_screen = None;
        let disc_id = self.disc.get_or_insert_with(|| disc_texture(ui.ctx())).id();
        let unit = &self.unit;
        let states = &self.states;
        let last_marks = &mut self.marks;
        let marks_key = &mut self.marks_key;
        let unit_version = self.unit_version;
        let response = map.show(ui, |ui, _response, projector, _memory| {
            let t = UnitToScreen::of(projector);
            let rect = projector.clip_rect();
            to_screen = Some((t, rect));
            let clusters = zoom < NO_CLUSTERS_FROM_ZOOM;
            let key = (
                t.scale.to_bits(),
                t.offset.0.to_bits(),
                t.offset.1.to_bits(),
                [
                    rect.min.x.to_bits(),
                    rect.min.y.to_bits(),
                    rect.max.x.to_bits(),
                    rect.max.y.to_bits(),
                ],
                clusters,
                unit_version,
            );
            if *marks_key == Some(key) {
                marks = std::mem::take(last_marks);
            } else {
                marks = layout(unit, states, t, rect, clusters);
                *marks_key = Some(key);
            }
            paint(ui.painter(), disc_id, &marks, stores, selection);
        });
        let response = response.response;
        self.marks = marks;
        let Some((to_screen, rect)) = to_screen else {
            return actions;
        };
        let unproject = |p: Pos2| -> (f64, f64) {
            let x = (f64::from(p.x) - to_screen.offset.0) / to_screen.scale;
            let y = (f64::from(p.y) - to_screen.offset.1) / to_screen.scale;
            let lng = x * 360.0 - 180.0;
            let lat = (std::f64::consts::PI * (1.0 - 2.0 * y))
                .sinh()
                .atan()
                .to_degrees();
            (lat, lng)
        };
        let painter = ui.painter().with_clip_rect(rect);
        let pointer = ui.input(|i| i.pointer.interact_pos());
        let released = ui.input(|i| i.pointer.primary_released());

        // A marker drag: draw the marker under the pointer, move the store on release.
        if let Some((index, _)) = self.dragging {
            if let Some(p) = pointer {
                self.dragging = Some((index, p));
                painter.circle(
                    p,
                    MARKER_RADIUS + 2.0,
                    marker_colour(SyncState::Modified),
                    Stroke::new(2.0, Color32::BLACK),
                );
            }
            if (released || !ui.input(|i| i.pointer.primary_down()))
                && let Some((_, p)) = self.dragging.take()
            {
                let start = self.marker_at(index);
                if start.is_none_or(|s| s.distance(p) > 2.0) && rect.contains(p) {
                    let (lat, lng) = unproject(p);
                    actions.push(MapAction::Move {
                        id: stores[index].id.clone(),
                        lat: round6(lat),
                        lng: round6(lng),
                    });
                }
            }
            return actions;
        }

        // A shift-drag box.
        if let Some(from) = self.box_from {
            if let Some(p) = pointer {
                let r = Rect::from_two_pos(from, p);
                painter.rect(
                    r,
                    0.0,
                    Color32::from_rgba_unmultiplied(30, 110, 200, 40),
                    Stroke::new(1.0, Color32::from_rgb(30, 110, 200)),
                    egui::StrokeKind::Inside,
                );
                if released || !ui.input(|i| i.pointer.primary_down()) {
                    self.box_from = None;
                    let ids: Vec<String> = self
                        .unit
                        .iter()
                        .enumerate()
                        .filter_map(|(i, u)| {
                            let at = to_screen.apply((*u)?);
                            r.contains(at).then(|| stores[i].id.clone())
                        })
                        .collect();
                    actions.push(MapAction::Select {
                        ids,
                        add: ui.input(|i| i.modifiers.command),
                    });
                }
            } else {
                self.box_from = None;
            }
            return actions;
        }

        // Hover: the store's name.
        if let Some(p) = response.hover_pos()
            && let Some(index) = self.hit(p)
        {
            let store = &stores[index];
            let tip = if store.name.is_empty() {
                store.id.clone()
            } else {
                format!("{} ({})", store.name, store.id)
            };
            egui::Tooltip::always_open(
                ui.ctx().clone(),
                ui.layer_id(),
                egui::Id::unique("marker_tip"),
                egui::PopupAnchor::Pointer,
            )
            .show(|ui| ui.label(tip));
        }

        if placing {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
        }
        if placing
            && response.clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            let (lat, lng) = unproject(p);
            actions.push(MapAction::PlaceAt {
                lat: round6(lat),
                lng: round6(lng),
            });
        } else if response.clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            let add = ui.input(|i| i.modifiers.command || i.modifiers.shift);
            if let Some(index) = self.hit(p) {
                actions.push(MapAction::Select {
                    ids: vec![stores[index].id.clone()],
                    add,
                });
            } else if let Some(at) = self.hit_cluster(p) {
                let (lat, lng) = unproject(at);
                self.fit = Some((lon_lat(lng, lat), (zoom + 2.0).min(18.0)));
            } else if !add {
                actions.push(MapAction::ClearSelection);
            }
        }
        if response.secondary_clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            let (lat, lng) = unproject(p);
            self.context_at = Some(lon_lat(lng, lat));
        }
        let context_at = self.context_at;
        response.context_menu(|ui| {
            let Some(at) = context_at else {
                ui.close();
                return;
            };
            let button = ui.add_enabled(editable, egui::Button::new("New store here"));
            let button = if editable {
                button
            } else {
                button.on_disabled_hover_text("This profile is read-only.")
            };
            if button.clicked() {
                actions.push(MapAction::NewStoreAt {
                    lat: round6(at.y()),
                    lng: round6(at.x()),
                });
                ui.close();
            }
        });
        actions
    }
}

/// Six decimals: about 10 cm, more than a store needs.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn cluster_radius(count: usize) -> f32 {
    8.0 + (count as f32).log10().max(0.0) * 5.0
}

/// A white disc with a soft edge, drawn tinted for every marker and cluster: four vertices a
/// disc, where a tessellated circle takes hundreds.
fn disc_texture(ctx: &egui::Context) -> egui::TextureHandle {
    const SIZE: usize = 64;
    let centre = SIZE as f32 / 2.0;
    let pixels = (0..SIZE * SIZE)
        .map(|i| {
            let (x, y) = ((i % SIZE) as f32 + 0.5, (i / SIZE) as f32 + 0.5);
            let d = ((x - centre).powi(2) + (y - centre).powi(2)).sqrt();
            // One pixel of soft edge at the rim.
            let alpha = (centre - d).clamp(0.0, 1.0);
            Color32::from_white_alpha((alpha * 255.0) as u8)
        })
        .collect();
    ctx.load_texture(
        "marker-disc",
        egui::ColorImage::new([SIZE, SIZE], pixels),
        egui::TextureOptions::LINEAR,
    )
}

/// Adds a disc of radius `r` at `at` to `mesh`.
fn disc(mesh: &mut egui::Mesh, at: Pos2, r: f32, colour: Color32) {
    let uv = Rect::from_min_max(Pos2::ZERO, pos2(1.0, 1.0));
    mesh.add_rect_with_uv(Rect::from_center_size(at, Vec2::splat(2.0 * r)), uv, colour);
}

fn paint(
    painter: &egui::Painter,
    texture: egui::TextureId,
    marks: &[Mark],
    stores: &[Summary],
    selection: &BTreeSet<String>,
) {
    let font = egui::FontId::proportional(11.0);
    let mut mesh = egui::Mesh::with_texture(texture);
    for mark in marks {
        match mark {
            Mark::Store { index, at } => {
                let store = &stores[*index];
                if selection.contains(&store.id) {
                    disc(&mut mesh, *at, MARKER_RADIUS + 4.5, Color32::BLACK);
                    disc(
                        &mut mesh,
                        *at,
                        MARKER_RADIUS + 2.0,
                        marker_colour(store.state),
                    );
                } else {
                    disc(&mut mesh, *at, MARKER_RADIUS + 1.0, Color32::WHITE);
                    disc(&mut mesh, *at, MARKER_RADIUS, marker_colour(store.state));
                }
            }
            Mark::Cluster { count, at, state } => {
                let r = cluster_radius(*count);
                disc(&mut mesh, *at, r + 1.5, Color32::WHITE);
                disc(
                    &mut mesh,
                    *at,
                    r,
                    marker_colour(*state).gamma_multiply(0.85),
                );
            }
        }
    }
    painter.add(egui::Shape::mesh(mesh));
    for mark in marks {
        if let Mark::Cluster { count, at, .. } = mark {
            painter.text(
                *at,
                egui::Align2::CENTER_CENTER,
                count.to_string(),
                font.clone(),
                Color32::WHITE,
            );
        }
    }
}

/// OpenStreetMap's standard tiles, cached on disk, with this program's name as user agent.
fn osm_tiles(ctx: &egui::Context, cache: Option<PathBuf>) -> HttpTiles {
    let options = HttpOptions {
        cache,
        user_agent: Some(walkers::HeaderValue::from_static(concat!(
            "storedesk/",
            env!("CARGO_PKG_VERSION"),
            " (desktop store editor)"
        ))),
        ..HttpOptions::default()
    };
    HttpTiles::with_options(walkers::sources::OpenStreetMap, options, ctx.clone())
}

/// The attribution the tiles require, when they are shown.
pub fn attribution(basemap: Basemap) -> Option<(&'static str, &'static str)> {
    match basemap {
        Basemap::OpenStreetMap => Some((
            "© OpenStreetMap contributors",
            "https://www.openstreetmap.org/copyright",
        )),
        Basemap::Offline => Some(("Natural Earth", "https://www.naturalearthdata.com/")),
    }
}

/// Paints the legend in the map's lower-left corner.
pub fn legend(ui: &mut egui::Ui, rect: Rect) {
    egui::Area::new(egui::Id::unique("map_legend"))
        .fixed_pos(pos2(rect.left() + 8.0, rect.bottom() - 8.0))
        .pivot(egui::Align2::LEFT_BOTTOM)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                for state in STATES {
                    ui.horizontal(|ui| {
                        let (dot, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
                        ui.painter()
                            .circle_filled(dot.center(), 5.0, marker_colour(state));
                        ui.label(state_label(state));
                    });
                }
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_points(points: &[(f64, f64)]) -> Vec<Option<(f64, f64)>> {
        points
            .iter()
            .map(|(lat, lng)| Some(mercator_unit(*lat, *lng)))
            .collect()
    }

    #[test]
    fn the_mercator_square_puts_known_points_where_they_belong() {
        let (x, y) = mercator_unit(0.0, 0.0);
        assert!((x - 0.5).abs() < 1e-12 && (y - 0.5).abs() < 1e-12);
        let (x, y) = mercator_unit(85.051_128, -180.0);
        assert!(x.abs() < 1e-12 && y.abs() < 1e-6);
    }

    #[test]
    fn crowded_stores_make_one_cluster_and_lonely_ones_stay_markers() {
        // Three stores in Paris, one in Madrid, at a zoom where Paris fits in one cell.
        let unit = unit_points(&[(48.85, 2.35), (48.86, 2.34), (48.87, 2.36), (40.4, -3.7)]);
        let states = [
            SyncState::Synced,
            SyncState::Conflict,
            SyncState::Synced,
            SyncState::New,
        ];
        let to_screen = UnitToScreen {
            scale: 256.0 * 2f64.powi(5),
            offset: (-4000.0, -2700.0),
        };
        let rect = Rect::from_min_size(Pos2::ZERO, vec2(1200.0, 800.0));
        let marks = layout(&unit, &states, to_screen, rect, true);
        let clusters: Vec<_> = marks
            .iter()
            .filter_map(|m| match m {
                Mark::Cluster { count, state, .. } => Some((*count, *state)),
                Mark::Store { .. } => None,
            })
            .collect();
        assert_eq!(clusters, vec![(3, SyncState::Conflict)]);
        assert!(marks.contains(&Mark::Store {
            index: 3,
            at: to_screen.apply(mercator_unit(40.4, -3.7))
        }));
        // Without clustering, every store in view is its own marker.
        let all = layout(&unit, &states, to_screen, rect, false);
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn stores_out_of_view_are_not_drawn() {
        let unit = unit_points(&[(48.85, 2.35), (-33.9, 151.2)]);
        let to_screen = UnitToScreen {
            scale: 256.0 * 2f64.powi(5),
            offset: (-4000.0, -2700.0),
        };
        let rect = Rect::from_min_size(Pos2::ZERO, vec2(1200.0, 800.0));
        let marks = layout(&unit, &[SyncState::Synced; 2], to_screen, rect, true);
        assert_eq!(marks.len(), 1);
    }
}
