//! The store form: every field of the selected store, edited in place. Each change becomes a
//! draft once typing pauses (a burst of typing is one undo step), findings show next to their
//! field, and a raw JSON view stays in step with the form.

use serde_json::{Map, Value};
use std::collections::VecDeque;

use crate::app::{AppState, Command, Details};
use crate::hours::OpeningHours;
use crate::import::cells::{Axis, parse_coordinate};
use crate::model::countries;
use crate::model::{Address, Contact, Location, Store};
use crate::ui::hours_editor::{HoursContext, HoursEditor};
use crate::ui::map::MapView;
use crate::validate::{Code, Context, Finding, Severity, validate_store};

/// Seconds without typing after which a change becomes a draft.
pub const TYPING_PAUSE: f64 = 0.8;

/// The JSON type a user property keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PropKind {
    #[default]
    Text,
    Number,
    Boolean,
    Null,
    /// A list or an object, written as JSON.
    Json,
}

impl PropKind {
    const ALL: [PropKind; 5] = [
        PropKind::Text,
        PropKind::Number,
        PropKind::Boolean,
        PropKind::Null,
        PropKind::Json,
    ];

    fn label(self) -> &'static str {
        match self {
            PropKind::Text => "text",
            PropKind::Number => "number",
            PropKind::Boolean => "true / false",
            PropKind::Null => "null",
            PropKind::Json => "list or object (JSON)",
        }
    }

    fn of(value: &Value) -> PropKind {
        match value {
            Value::String(_) => PropKind::Text,
            Value::Number(_) => PropKind::Number,
            Value::Bool(_) => PropKind::Boolean,
            Value::Null => PropKind::Null,
            Value::Array(_) | Value::Object(_) => PropKind::Json,
        }
    }
}

/// One user property as edited: its key, JSON type and value text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PropRow {
    pub key: String,
    pub kind: PropKind,
    pub text: String,
}

impl PropRow {
    fn of(key: &str, value: &Value) -> PropRow {
        let kind = PropKind::of(value);
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        PropRow {
            key: key.to_owned(),
            kind,
            text,
        }
    }

    /// The value as JSON, or a sentence saying why the text is not one.
    pub fn value(&self) -> Result<Value, String> {
        let text = self.text.trim();
        match self.kind {
            PropKind::Text => Ok(Value::String(self.text.clone())),
            PropKind::Null => Ok(Value::Null),
            PropKind::Boolean => match text {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(format!("\"{}\" is not true or false.", self.text)),
            },
            PropKind::Number => match serde_json::from_str::<Value>(text) {
                Ok(v @ Value::Number(_)) => Ok(v),
                _ => Err(format!(
                    "\"{}\" is not a number; write it like 12 or 4.5.",
                    self.text
                )),
            },
            PropKind::Json => match serde_json::from_str::<Value>(text) {
                Ok(v @ (Value::Array(_) | Value::Object(_))) => Ok(v),
                Ok(_) => Err("Write a list like [1, 2] or an object like {\"a\": 1}.".into()),
                Err(e) => Err(format!("This is not JSON ({e}).")),
            },
        }
    }
}

/// The user properties built from their rows, or the first problem found.
pub fn props_from_rows(rows: &[PropRow]) -> Result<Option<Map<String, Value>>, String> {
    let mut map = Map::new();
    for (i, row) in rows.iter().enumerate() {
        let key = row.key.trim();
        if key.is_empty() {
            if row.text.trim().is_empty() {
                continue;
            }
            return Err(format!("User property {} needs a name.", i + 1));
        }
        if map.contains_key(key) {
            return Err(format!("There are two user properties named \"{key}\"."));
        }
        let value = row
            .value()
            .map_err(|e| format!("User property \"{key}\": {e}"))?;
        map.insert(key.to_owned(), value);
    }
    Ok((!map.is_empty()).then_some(map))
}

/// The form's state: the store as edited, and the text of fields that are read on the fly.
#[derive(Default)]
pub struct StoreForm {
    /// The id the store has in the workspace.
    pub id: String,
    pub store: Store,
    pub on_server: bool,
    pub id_text: String,
    pub lat: String,
    pub lng: String,
    pub location_problem: Option<String>,
    pub country_search: String,
    pub lines: Vec<String>,
    pub new_tag: String,
    pub new_type: String,
    pub props: Vec<PropRow>,
    pub props_as_json: bool,
    pub props_json: String,
    pub props_problem: Option<String>,
    pub names: Vec<(String, String)>,
    pub json: String,
    pub json_problem: Option<String>,
    pub findings: Vec<Finding>,
    /// When the last change not yet sent was made (egui time).
    pub changed_at: Option<f64>,
    pub hours: HoursEditor,
    /// Whether the opening-hours window is open.
    pub hours_open: bool,
    /// The other stores (id, name) the hours can be copied from, while the list of stores is
    /// unchanged.
    pub other_stores: Option<Vec<(String, String)>>,
    /// Sentences to show as toasts (an overnight period split).
    pub notes: Vec<String>,
    /// The versions sent as drafts whose reading back from the workspace has not come yet,
    /// oldest first: a reading of an older one is not shown over a newer one.
    sent: VecDeque<Store>,
}

/// How many sent versions are remembered while their readings are awaited.
const SENT_REMEMBERED: usize = 16;

impl StoreForm {
    /// The form on a store read from the workspace.
    pub fn of(details: &Details) -> StoreForm {
        let mut form = StoreForm {
            on_server: details.on_server,
            ..StoreForm::default()
        };
        form.load(details.store.clone());
        form
    }

    /// Shows `store` in the form, keeping what the form itself holds (its hours editor).
    pub fn load(&mut self, store: Store) {
        self.id = store.id().to_owned();
        self.id_text = self.id.clone();
        self.store = store;
        self.reset_texts();
        self.changed_at = None;
        self.hours.forget_typing();
    }

    /// Takes the details read again from the workspace: a store changed by undo, a push or
    /// the map is shown, unless the user is typing in the form.
    pub fn follow(&mut self, details: &Details) {
        if details.store.id() != self.id {
            *self = StoreForm::of(details);
            return;
        }
        self.on_server = details.on_server;
        match self.sent.iter().position(|s| *s == details.store) {
            Some(i) => {
                let latest = i + 1 == self.sent.len();
                self.sent.drain(..=i);
                if !latest {
                    // A version the form has already moved past; the newer one is on its way.
                    return;
                }
            }
            // A change made elsewhere (undo, a push, the map).
            None => self.sent.clear(),
        }
        if self.changed_at.is_none() && details.store != self.store {
            self.load(details.store.clone());
        }
    }

    fn reset_texts(&mut self) {
        let s = &self.store;
        self.lat = s
            .location
            .as_ref()
            .map(|l| l.lat.to_string())
            .unwrap_or_default();
        self.lng = s
            .location
            .as_ref()
            .map(|l| l.lng.to_string())
            .unwrap_or_default();
        self.location_problem = None;
        self.lines = s
            .address
            .as_ref()
            .and_then(|a| a.lines.clone())
            .unwrap_or_default();
        self.props = s
            .user_properties
            .iter()
            .flatten()
            .map(|(k, v)| PropRow::of(k, v))
            .collect();
        self.props_json = pretty(&s.user_properties);
        self.props_problem = None;
        self.names = s
            .localized_names
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        self.json = pretty_store(&self.store);
        self.json_problem = None;
        self.findings = validate_store(&self.store, &Context::today());
    }

    /// Whether a change waits to become a draft.
    pub fn is_dirty(&self) -> bool {
        self.changed_at.is_some()
    }

    /// Notes a change made now: findings and the JSON view follow.
    fn touch(&mut self, now: f64, from_json: bool) {
        self.changed_at = Some(now);
        self.findings = validate_store(&self.store, &Context::today());
        if !from_json {
            self.json = pretty_store(&self.store);
            self.json_problem = None;
        }
    }

    /// The draft to send, when a change waits; the form is then clean.
    pub fn take_update(&mut self) -> Option<Command> {
        self.changed_at.take()?;
        if self.store.id() != self.id {
            self.store.store_id = Some(self.id.clone());
        }
        if self.sent.len() >= SENT_REMEMBERED {
            self.sent.pop_front();
        }
        self.sent.push_back(self.store.clone());
        Some(Command::Update(Box::new(self.store.clone())))
    }

    /// Reads the latitude and longitude texts into the store.
    fn read_location(&mut self) -> bool {
        let read = |text: &str, axis| {
            (!text.trim().is_empty()).then(|| parse_coordinate(text, axis).map_err(|e| e.message))
        };
        match (
            read(&self.lat, Axis::Latitude),
            read(&self.lng, Axis::Longitude),
        ) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => {
                self.location_problem = Some(e);
                false
            }
            (Some(Ok(lat)), Some(Ok(lng))) => {
                self.location_problem = None;
                let location = self
                    .store
                    .location
                    .get_or_insert_with(|| Location::new(lat, lng));
                location.lat = lat;
                location.lng = lng;
                true
            }
            (None, None) => {
                self.location_problem = None;
                self.store.location = None;
                true
            }
            _ => {
                self.location_problem =
                    Some("Give both the latitude and the longitude, or neither.".into());
                false
            }
        }
    }

    /// Reads the JSON view into the store.
    fn read_json(&mut self) -> bool {
        match serde_json::from_str::<Store>(&self.json) {
            Ok(store) if store.id() == self.id => {
                self.store = store;
                let json = std::mem::take(&mut self.json);
                self.reset_texts();
                self.json = json;
                true
            }
            Ok(store) => {
                self.json_problem = Some(format!(
                    "The JSON says storeId \"{}\"; change the id with the Store id field above.",
                    store.id()
                ));
                false
            }
            Err(e) => {
                self.json_problem = Some(format!("This is not a store's JSON ({e})."));
                false
            }
        }
    }
}

fn pretty(value: &Option<Map<String, Value>>) -> String {
    match value {
        Some(m) => serde_json::to_string_pretty(m).unwrap_or_default(),
        None => "{}".to_owned(),
    }
}

/// The write format, indented, as the JSON view shows it.
fn pretty_store(store: &Store) -> String {
    serde_json::to_string_pretty(store).unwrap_or_default()
}

/// Shows the form of the selected store.
pub fn show(ui: &mut egui::Ui, state: &mut AppState, map: &mut MapView) {
    let Some(details) = state.details.clone() else {
        ui.spinner();
        return;
    };
    if state.form.id != details.store.id() {
        state.form = StoreForm::of(&details);
    }
    let now = ui.input(|i| i.time);
    let writable = state.can_write();
    let read_only = state.read_only_reason();
    let mut changed = false;
    let mut json_changed = false;

    let form = &mut state.form;
    ui.heading(if form.store.display_name().is_empty() {
        form.id.clone()
    } else {
        form.store.display_name().to_owned()
    });
    if let Some(&i) = state.index.get(&form.id) {
        ui.label(format!(
            "Status: {}",
            super::map::state_label(state.stores[i].state)
        ));
    }
    if let Some(reason) = read_only {
        ui.label(reason);
    }

    egui::ScrollArea::vertical()
        .id_salt("store_form_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.add_enabled_ui(writable, |ui| {
                identity(ui, state, map, &mut changed);
                let form = &mut state.form;
                address(ui, form, &mut changed);
                contact(ui, form, &mut changed);
                labels(ui, form, &state.all_tags, &state.all_types, &mut changed);
                properties(ui, form, &mut changed);
                localized_names(ui, form, &mut changed);
            });
            hours(ui, state, writable, &mut changed);
            let form = &mut state.form;
            egui::CollapsingHeader::new("Raw JSON")
                .default_open(false)
                .show(ui, |ui| {
                    ui.label("The store as it will be sent. Edits here change the form.");
                    let l = ui.label("Store JSON");
                    let r = ui
                        .add_enabled(
                            writable,
                            egui::TextEdit::multiline(&mut form.json)
                                .code_editor()
                                .desired_rows(12)
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(l.id);
                    if r.changed() && form.read_json() {
                        json_changed = true;
                    }
                    if let Some(p) = &form.json_problem {
                        ui.colored_label(super::ERROR_COLOUR, p);
                    }
                });
            problems(ui, &state.form.findings);
            ui.separator();
            let id = state.form.id.clone();
            let b = ui.add_enabled(writable, egui::Button::new("Delete this store"));
            let b = match read_only {
                Some(r) => b.on_disabled_hover_text(r),
                None => b.on_hover_text(
                    "Marks it for deletion; nothing is sent until you push (Delete).",
                ),
            };
            if b.clicked() {
                state.commands.push(Command::Delete(vec![id]));
            }
            if !state.form.on_server {
                ui.label("Not on the server yet.");
            }
        });

    let form = &mut state.form;
    if changed || json_changed {
        form.touch(now, json_changed);
    }
    state.toasts_from_form();
    // A change becomes a draft once typing pauses, or when no field has the focus.
    if let Some(at) = state.form.changed_at {
        let typing = ui.ctx().memory(|m| m.focused().is_some());
        if !typing || now - at >= TYPING_PAUSE {
            if let Some(update) = state.form.take_update() {
                state.commands.push(update);
            }
        } else {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(TYPING_PAUSE));
        }
    }
}

impl AppState {
    fn toasts_from_form(&mut self) {
        for note in std::mem::take(&mut self.form.notes) {
            self.toast(note, None, false);
        }
    }
}

/// A labelled one-line text field over an optional text; true when it changed.
fn optional_text(ui: &mut egui::Ui, label: &str, value: &mut Option<String>) -> bool {
    let l = ui.label(label);
    let mut text = value.clone().unwrap_or_default();
    let changed = ui
        .add(egui::TextEdit::singleline(&mut text).desired_width(200.0))
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    if changed {
        *value = (!text.is_empty()).then_some(text);
    }
    changed
}

/// The findings whose field is `prefix` or lies under it, in their colour.
fn findings_under(ui: &mut egui::Ui, findings: &[Finding], prefix: &str) {
    for f in findings.iter().filter(|f| {
        f.path == prefix
            || f.path
                .strip_prefix(prefix)
                .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
    }) {
        ui.colored_label(severity_colour(f.severity), &f.message);
    }
}

fn severity_colour(s: Severity) -> egui::Color32 {
    match s {
        Severity::Error => super::ERROR_COLOUR,
        Severity::Warning => egui::Color32::from_rgb(190, 130, 0),
        Severity::Notice => egui::Color32::GRAY,
    }
}

fn identity(ui: &mut egui::Ui, state: &mut AppState, map: &mut MapView, changed: &mut bool) {
    let form = &mut state.form;
    egui::CollapsingHeader::new("Name and location")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("store_form_identity")
                .num_columns(2)
                .show(ui, |ui| {
                    let l = ui.label("Store id");
                    if form.on_server {
                        ui.label(&form.id).labelled_by(l.id).on_hover_text(
                            "The server knows the store by this id; it cannot change. \
                             Duplicate it as a new store to use another id.",
                        );
                    } else {
                        let r = ui
                            .add(egui::TextEdit::singleline(&mut form.id_text).desired_width(200.0))
                            .labelled_by(l.id)
                            .on_hover_text("Press Enter to give the new store this id");
                        let new_id = form.id_text.trim().to_owned();
                        if r.lost_focus()
                            && ui.input(|i| i.key_pressed(egui::Key::Enter))
                            && !new_id.is_empty()
                            && new_id != form.id
                        {
                            if let Some(update) = form.take_update() {
                                state.commands.push(update);
                            }
                            state.commands.push(Command::Rename {
                                from: form.id.clone(),
                                to: new_id.clone(),
                            });
                            state.selection.clear();
                            state.selection.insert(new_id);
                        }
                    }
                    ui.end_row();
                    *changed |= optional_text(ui, "Store name", &mut form.store.name);
                    for (label, axis) in
                        [("Latitude", Axis::Latitude), ("Longitude", Axis::Longitude)]
                    {
                        let l = ui.label(label);
                        let text = match axis {
                            Axis::Latitude => &mut form.lat,
                            Axis::Longitude => &mut form.lng,
                        };
                        let r = ui
                            .add(egui::TextEdit::singleline(text).desired_width(200.0))
                            .labelled_by(l.id);
                        ui.end_row();
                        if r.changed() && form.read_location() {
                            *changed = true;
                        }
                    }
                });
            if let Some(p) = &form.location_problem {
                ui.colored_label(super::ERROR_COLOUR, p);
            }
            findings_under(ui, &form.findings, "storeId");
            findings_under(ui, &form.findings, "name");
            findings_under(ui, &form.findings, "location");
            ui.horizontal_wrapped(|ui| {
                let placing = state.placing.as_deref() == Some(form.id.as_str());
                if ui
                    .add_enabled(!placing, egui::Button::new("Pick on map"))
                    .on_hover_text("Then click the map where the store is")
                    .clicked()
                {
                    if let Some(update) = form.take_update() {
                        state.commands.push(update);
                    }
                    state.placing = Some(form.id.clone());
                }
                if let Some(l) = &form.store.location
                    && ui.button("Show on map").clicked()
                {
                    map.centre_on(l.lat, l.lng, 15.0);
                }
                if ui
                    .button("Duplicate as new store")
                    .on_hover_text("A copy with a new id, as a new draft")
                    .clicked()
                {
                    let new_id = free_id(&form.id, |id| state.index.contains_key(id));
                    let mut copy = form.store.clone();
                    copy.store_id = Some(new_id.clone());
                    if let Some(update) = form.take_update() {
                        state.commands.push(update);
                    }
                    state.commands.push(Command::Create(Box::new(copy)));
                    state.selection.clear();
                    state.selection.insert(new_id);
                }
            });
        });
}

/// `ID_copy`, `ID_copy2`... the first not taken.
pub fn free_id(id: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = format!("{id}_copy");
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|c| !taken(c))
        .unwrap_or(base)
}

fn address(ui: &mut egui::Ui, form: &mut StoreForm, changed: &mut bool) {
    egui::CollapsingHeader::new("Address")
        .default_open(true)
        .show(ui, |ui| {
            let address = form.store.address.get_or_insert_with(Address::default);
            // The lines as shown: an added line stays empty until something is typed in it,
            // and only lines with text are part of the store.
            let lines = &mut form.lines;
            let mut lines_edited = false;
            let mut action: Option<(usize, i32)> = None;
            egui::Grid::new("store_form_lines")
                .num_columns(2)
                .show(ui, |ui| {
                    let count = lines.len();
                    for (i, line) in lines.iter_mut().enumerate() {
                        let n = i + 1;
                        let l = ui.label(format!("Address line {n}"));
                        ui.horizontal(|ui| {
                            lines_edited |= ui
                                .add(egui::TextEdit::singleline(line).desired_width(160.0))
                                .labelled_by(l.id)
                                .changed();
                            let up = ui.add_enabled(i > 0, egui::Button::new("Up").small());
                            let up = up.accessible_name(format!("Move address line {n} up"));
                            if up.clicked() {
                                action = Some((i, -1));
                            }
                            let down =
                                ui.add_enabled(i + 1 < count, egui::Button::new("Down").small());
                            let down = down.accessible_name(format!("Move address line {n} down"));
                            if down.clicked() {
                                action = Some((i, 1));
                            }
                            let remove = ui.add(egui::Button::new("Remove").small());
                            let remove = remove.accessible_name(format!("Remove address line {n}"));
                            if remove.clicked() {
                                action = Some((i, 0));
                            }
                        });
                        ui.end_row();
                    }
                });
            match action {
                Some((i, 0)) => {
                    lines.remove(i);
                    lines_edited = true;
                }
                Some((i, d)) => {
                    let j = (i as i64 + d as i64) as usize;
                    if j < lines.len() {
                        lines.swap(i, j);
                        lines_edited = true;
                    }
                }
                None => {}
            }
            if ui.button("Add address line").clicked() {
                lines.push(String::new());
            }
            if lines_edited {
                let kept: Vec<String> = lines.iter().filter(|l| !l.is_empty()).cloned().collect();
                let kept = (!kept.is_empty()).then_some(kept);
                if kept != address.lines {
                    address.lines = kept;
                    *changed = true;
                }
            }
            egui::Grid::new("store_form_address")
                .num_columns(2)
                .show(ui, |ui| {
                    let l = ui.label("Country");
                    let current = address.country_code.clone().unwrap_or_default();
                    let shown = match countries::by_code(&current) {
                        Some(c) => format!("{} {}", c.alpha2, c.name),
                        None if current.is_empty() => "(none)".to_owned(),
                        None => current.clone(),
                    };
                    egui::ComboBox::new("store_form_country", "")
                        .selected_text(shown)
                        .height(320.0)
                        .width(200.0)
                        .show_ui(ui, |ui| {
                            let s = ui.label("Search countries");
                            ui.add(
                                egui::TextEdit::singleline(&mut form.country_search)
                                    .hint_text("name or code"),
                            )
                            .labelled_by(s.id)
                            .request_focus();
                            let search = countries::fold_name(&form.country_search);
                            if ui.selectable_label(current.is_empty(), "(none)").clicked() {
                                address.country_code = None;
                                *changed = true;
                            }
                            for c in countries::all().iter().filter(|c| {
                                search.is_empty()
                                    || c.alpha2.eq_ignore_ascii_case(search.trim())
                                    || countries::fold_name(c.name).contains(&search)
                            }) {
                                let text = format!("{} {}", c.alpha2, c.name);
                                if ui
                                    .selectable_label(current.eq_ignore_ascii_case(c.alpha2), text)
                                    .clicked()
                                {
                                    address.country_code = Some(c.alpha2.to_owned());
                                    *changed = true;
                                }
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                    *changed |= optional_text(ui, "City", &mut address.city);
                    *changed |= optional_text(ui, "Zip code", &mut address.zipcode);
                });
            if address.lines.as_ref().is_some_and(|l| l.is_empty()) {
                address.lines = None;
            }
            if *address == Address::default() {
                form.store.address = None;
            }
            findings_under(ui, &form.findings, "address");
        });
}

fn contact(ui: &mut egui::Ui, form: &mut StoreForm, changed: &mut bool) {
    egui::CollapsingHeader::new("Contact")
        .default_open(true)
        .show(ui, |ui| {
            let contact = form.store.contact.get_or_insert_with(Contact::default);
            for (label, field, path) in [
                ("Website", &mut contact.website, "contact.website"),
                ("Phone", &mut contact.phone, "contact.phone"),
                ("Email", &mut contact.email, "contact.email"),
            ] {
                egui::Grid::new(("store_form_contact", label))
                    .num_columns(2)
                    .min_col_width(60.0)
                    .show(ui, |ui| *changed |= optional_text(ui, label, field));
                findings_under(ui, &form.findings, path);
            }
            if *contact == Contact::default() {
                form.store.contact = None;
            }
        });
}

fn labels(
    ui: &mut egui::Ui,
    form: &mut StoreForm,
    all_tags: &[String],
    all_types: &[String],
    changed: &mut bool,
) {
    egui::CollapsingHeader::new("Types and tags")
        .default_open(true)
        .show(ui, |ui| {
            *changed |= chips(
                ui,
                "type",
                &mut form.store.types,
                &mut form.new_type,
                all_types,
            );
            findings_under(ui, &form.findings, "types");
            ui.separator();
            *changed |= chips(ui, "tag", &mut form.store.tags, &mut form.new_tag, all_tags);
            findings_under(ui, &form.findings, "tags");
        });
}

/// A list of short values as chips with a remove button, an input to add one, and the
/// values used across the project that match what is typed.
fn chips(
    ui: &mut egui::Ui,
    what: &str,
    list: &mut Option<Vec<String>>,
    new: &mut String,
    known: &[String],
) -> bool {
    let mut changed = false;
    let mut remove = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("{}s:", capitalised(what)));
        for (i, v) in list.iter().flatten().enumerate() {
            let b = ui
                .add(egui::Button::new(format!("{v}  x")).small())
                .on_hover_text(format!("Remove the {what} {v}"));
            let b = b.accessible_name(format!("Remove {what} {v}"));
            if b.clicked() {
                remove = Some(i);
            }
        }
    });
    if let (Some(i), Some(l)) = (remove, list.as_mut()) {
        l.remove(i);
        changed = true;
    }
    let mut add = None;
    ui.horizontal(|ui| {
        let l = ui.label(format!("New {what}"));
        let r = ui
            .add(egui::TextEdit::singleline(new).desired_width(140.0))
            .labelled_by(l.id);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button(format!("Add {what}")).clicked() || enter) && !new.trim().is_empty() {
            add = Some(new.trim().to_owned());
        }
    });
    let typed = new.trim().to_lowercase();
    let present: Vec<&String> = list.iter().flatten().collect();
    let suggestions: Vec<&String> = known
        .iter()
        .filter(|k| !present.contains(k))
        .filter(|k| typed.is_empty() || k.to_lowercase().contains(&typed))
        .take(8)
        .collect();
    if !suggestions.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.weak("Used in the project:");
            for s in suggestions {
                let b = ui.add(egui::Button::new(s.as_str()).small());
                let b = b.accessible_name(format!("Use {what} {s}"));
                if b.clicked() {
                    add = Some(s.clone());
                }
            }
        });
    }
    if let Some(v) = add {
        let l = list.get_or_insert_with(Vec::new);
        if !l.contains(&v) {
            l.push(v);
            changed = true;
        }
        new.clear();
    }
    if list.as_ref().is_some_and(Vec::is_empty) {
        *list = None;
    }
    changed
}

/// The text with its first letter upper-case.
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn properties(ui: &mut egui::Ui, form: &mut StoreForm, changed: &mut bool) {
    egui::CollapsingHeader::new("User properties")
        .default_open(false)
        .show(ui, |ui| {
            ui.checkbox(&mut form.props_as_json, "Edit as JSON");
            let mut edited = false;
            if form.props_as_json {
                let l = ui.label("User properties JSON");
                if ui
                    .add(
                        egui::TextEdit::multiline(&mut form.props_json)
                            .code_editor()
                            .desired_rows(6)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(l.id)
                    .changed()
                {
                    match serde_json::from_str::<Value>(&form.props_json) {
                        Ok(Value::Object(m)) => {
                            form.props = m.iter().map(|(k, v)| PropRow::of(k, v)).collect();
                            form.store.user_properties = (!m.is_empty()).then_some(m);
                            form.props_problem = None;
                            *changed = true;
                        }
                        Ok(_) => {
                            form.props_problem =
                                Some("User properties are an object, like {\"size\": 3}.".into())
                        }
                        Err(e) => form.props_problem = Some(format!("This is not JSON ({e}).")),
                    }
                }
            } else {
                let mut remove = None;
                egui::Grid::new("store_form_props")
                    .num_columns(4)
                    .show(ui, |ui| {
                        for (i, row) in form.props.iter_mut().enumerate() {
                            let n = i + 1;
                            let l = ui.label(format!("Property {n}"));
                            edited |= ui
                                .add(egui::TextEdit::singleline(&mut row.key).desired_width(90.0))
                                .labelled_by(l.id)
                                .changed();
                            let before = row.kind;
                            egui::ComboBox::new(("prop_kind", i), format!("Type of property {n}"))
                                .selected_text(row.kind.label())
                                .show_ui(ui, |ui| {
                                    for k in PropKind::ALL {
                                        ui.selectable_value(&mut row.kind, k, k.label());
                                    }
                                });
                            edited |= row.kind != before;
                            let v = ui.label(format!("Value {n}"));
                            edited |= ui
                                .add_enabled(
                                    row.kind != PropKind::Null,
                                    egui::TextEdit::singleline(&mut row.text).desired_width(110.0),
                                )
                                .labelled_by(v.id)
                                .changed();
                            let b = ui.add(egui::Button::new("Remove").small());
                            let b = b.accessible_name(format!("Remove property {n}"));
                            if b.clicked() {
                                remove = Some(i);
                            }
                            ui.end_row();
                        }
                    });
                if let Some(i) = remove {
                    form.props.remove(i);
                    edited = true;
                }
                if ui.button("Add property").clicked() {
                    form.props.push(PropRow::default());
                }
                if edited {
                    match props_from_rows(&form.props) {
                        Ok(map) => {
                            form.props_json = pretty(&map);
                            form.store.user_properties = map;
                            form.props_problem = None;
                            *changed = true;
                        }
                        Err(e) => form.props_problem = Some(e),
                    }
                }
            }
            if let Some(p) = &form.props_problem {
                ui.colored_label(super::ERROR_COLOUR, p);
            }
            findings_under(ui, &form.findings, "userProperties");
        });
}

fn localized_names(ui: &mut egui::Ui, form: &mut StoreForm, changed: &mut bool) {
    egui::CollapsingHeader::new("Localized names")
        .default_open(false)
        .show(ui, |ui| {
            ui.weak(
                "The API never returns localized names: those pushed from here are kept; \
                 those set elsewhere are not shown.",
            );
            let mut edited = false;
            let mut remove = None;
            egui::Grid::new("store_form_names")
                .num_columns(3)
                .show(ui, |ui| {
                    for (i, (lang, name)) in form.names.iter_mut().enumerate() {
                        let n = i + 1;
                        let l = ui.label(format!("Language {n}"));
                        edited |= ui
                            .add(egui::TextEdit::singleline(lang).desired_width(40.0))
                            .labelled_by(l.id)
                            .changed();
                        let m = ui.label(format!("Name {n}"));
                        edited |= ui
                            .add(egui::TextEdit::singleline(name).desired_width(150.0))
                            .labelled_by(m.id)
                            .changed();
                        let b = ui.add(egui::Button::new("Remove").small());
                        let b = b.accessible_name(format!("Remove localized name {n}"));
                        if b.clicked() {
                            remove = Some(i);
                        }
                        ui.end_row();
                    }
                });
            if let Some(i) = remove {
                form.names.remove(i);
                edited = true;
            }
            if ui.button("Add localized name").clicked() {
                form.names.push((String::new(), String::new()));
            }
            if edited {
                let map: Map<String, Value> = form
                    .names
                    .iter()
                    .filter(|(l, _)| !l.trim().is_empty())
                    .map(|(l, n)| (l.trim().to_owned(), Value::String(n.clone())))
                    .collect();
                form.store.localized_names = (!map.is_empty()).then_some(map);
                *changed = true;
            }
            findings_under(ui, &form.findings, "localizedNames");
        });
}

/// The week in words in the form, and the editor in a window of its own, wide enough for
/// the week's rows and its picture.
fn hours(ui: &mut egui::Ui, state: &mut AppState, writable: bool, changed: &mut bool) {
    let read_only = state.read_only_reason().map(str::to_owned);
    let today = Context::today().today;
    egui::CollapsingHeader::new("Opening hours")
        .default_open(true)
        .show(ui, |ui| {
            let form = &mut state.form;
            match &form.store.opening_hours {
                None => {
                    ui.label("No opening hours.");
                }
                Some(h) => {
                    ui.label(format!(
                        "Time zone: {}",
                        h.timezone.as_deref().unwrap_or("(none)")
                    ));
                    for line in crate::hours::week_picture(h, crate::hours::monday_of(today)) {
                        ui.label(line.words());
                    }
                }
            }
            if ui
                .button("Edit opening hours")
                .on_hover_text("The week, special days, closures and time zone")
                .clicked()
            {
                form.hours_open = true;
            }
            findings_under(ui, &form.findings, "openingHours");
        });
    let form = &mut state.form;
    if !form.hours_open {
        return;
    }
    let location = form.store.location.as_ref().map(|l| (l.lat, l.lng));
    let timezone = form
        .store
        .opening_hours
        .as_ref()
        .and_then(|h| h.timezone.clone());
    let (suggestion, warning) = timezone_hints(&form.findings, timezone.as_deref(), location);
    let context = HoursContext {
        writable,
        read_only_reason: read_only,
        today,
        suggested_timezone: suggestion,
        timezone_warning: warning,
        // Listed once per change of the stores (`set_stores` drops the list), not a frame.
        other_stores: form.other_stores.take().unwrap_or_else(|| {
            state
                .stores
                .iter()
                .filter(|s| s.id != form.id)
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect()
        }),
        selection_len: 1,
    };
    let mut open = true;
    let mut hours: Option<OpeningHours> = form.store.opening_hours.clone();
    let mut response = None;
    egui::Window::new(format!("Opening hours of {}", form.id))
        .id(egui::Id::unique("hours_window"))
        .open(&mut open)
        .default_width(780.0)
        .default_height(ui.ctx().content_rect().height() * 0.85)
        // Below the top bar, so that Push and Undo stay in reach.
        .default_pos(ui.ctx().content_rect().left_top() + egui::vec2(320.0, 56.0))
        .vscroll(true)
        .show(ui.ctx(), |ui| {
            response = Some(form.hours.show(ui, &mut hours, &context));
            // The time zone's warning is shown by the editor beside the time zone.
            let others: Vec<Finding> = form
                .findings
                .iter()
                .filter(|f| f.code != Code::TimezoneLocation)
                .cloned()
                .collect();
            findings_under(ui, &others, "openingHours");
        });
    form.hours_open = open;
    form.other_stores = Some(context.other_stores);
    let Some(response) = response else {
        return;
    };
    if response.changed {
        form.store.opening_hours = hours;
        *changed = true;
    }
    form.notes.extend(response.notes);
    if let Some(from) = response.copy_from {
        if let Some(update) = form.take_update() {
            state.commands.push(update);
        }
        state.commands.push(Command::CopyHours {
            from,
            to: vec![form.id.clone()],
        });
    }
}

/// The time zone the store's location suggests, when the store has none or validation found
/// that the one set does not contain the location (the finding's sentence is the warning).
fn timezone_hints(
    findings: &[Finding],
    timezone: Option<&str>,
    location: Option<(f64, f64)>,
) -> (Option<String>, Option<String>) {
    let warning = findings
        .iter()
        .find(|f| f.code == Code::TimezoneLocation)
        .map(|f| f.message.clone());
    let suggestion = location
        .filter(|&(lat, lng)| crate::geo::is_valid_point(lat, lng))
        .filter(|_| warning.is_some() || timezone.is_none())
        .and_then(|(lat, lng)| crate::geo::suggest_timezone(lat, lng))
        .filter(|s| Some(s.as_str()) != timezone);
    (suggestion, warning)
}

fn problems(ui: &mut egui::Ui, findings: &[Finding]) {
    ui.separator();
    if findings.is_empty() {
        ui.label("No problems found.");
        return;
    }
    ui.strong("Problems of this store");
    for f in findings {
        ui.colored_label(
            severity_colour(f.severity),
            format!("{}: {}", f.path, f.message),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_properties_keep_their_json_types() {
        let rows = vec![
            PropRow {
                key: "size".into(),
                kind: PropKind::Number,
                text: "12.5".into(),
            },
            PropRow {
                key: "code".into(),
                kind: PropKind::Text,
                text: "007".into(),
            },
            PropRow {
                key: "drive".into(),
                kind: PropKind::Boolean,
                text: "true".into(),
            },
            PropRow {
                key: "extra".into(),
                kind: PropKind::Json,
                text: "[1,\"a\"]".into(),
            },
            PropRow {
                key: "gone".into(),
                kind: PropKind::Null,
                text: String::new(),
            },
        ];
        let map = props_from_rows(&rows).expect("valid").expect("not empty");
        assert_eq!(
            Value::Object(map.clone()),
            serde_json::json!({"size": 12.5, "code": "007", "drive": true, "extra": [1, "a"], "gone": null})
        );
        // Read back, each value keeps its kind and text.
        let back: Vec<PropRow> = map.iter().map(|(k, v)| PropRow::of(k, v)).collect();
        assert_eq!(back, rows);
    }

    #[test]
    fn bad_user_properties_say_which_and_why() {
        let number = PropRow {
            key: "size".into(),
            kind: PropKind::Number,
            text: "twelve".into(),
        };
        let e = props_from_rows(&[number]).expect_err("not a number");
        assert!(e.contains("\"size\"") && e.contains("not a number"), "{e}");
        let twice = PropRow {
            key: "a".into(),
            kind: PropKind::Text,
            text: "x".into(),
        };
        let e = props_from_rows(&[twice.clone(), twice]).expect_err("duplicate");
        assert!(e.contains("two user properties"), "{e}");
    }

    #[test]
    fn a_duplicate_gets_the_first_free_id() {
        let taken = ["A_copy", "A_copy2"];
        assert_eq!(free_id("A", |id| taken.contains(&id)), "A_copy3");
        assert_eq!(free_id("B", |id| taken.contains(&id)), "B_copy");
    }

    #[test]
    fn the_form_follows_the_workspace_unless_typing() {
        let store: Store = serde_json::from_str(
            r#"{"storeId":"A","name":"One","location":{"lat":1.0,"lng":2.0}}"#,
        )
        .expect("store");
        let details = Details {
            store: store.clone(),
            on_server: true,
        };
        let mut form = StoreForm::of(&details);
        assert_eq!(form.lat, "1");
        form.store.name = Some("Two".into());
        form.touch(1.0, false);
        assert!(form.json.contains("\"Two\""));
        // Typing: the workspace's older version does not overwrite the form.
        form.follow(&details);
        assert_eq!(form.store.name.as_deref(), Some("Two"));
        let Some(Command::Update(sent)) = form.take_update() else {
            panic!("an update");
        };
        assert_eq!(sent.name.as_deref(), Some("Two"));
        assert!(!form.is_dirty());
        // Not typing: an undo's version is shown.
        form.follow(&details);
        assert_eq!(form.store.name.as_deref(), Some("One"));
    }

    #[test]
    fn a_reading_of_an_older_sent_version_does_not_replace_a_newer_one() {
        let store: Store = serde_json::from_str(
            r#"{"storeId":"A","name":"One","location":{"lat":1.0,"lng":2.0}}"#,
        )
        .expect("store");
        let mut form = StoreForm::of(&Details {
            store,
            on_server: true,
        });
        let send = |form: &mut StoreForm, name: &str| {
            form.store.name = Some(name.into());
            form.touch(1.0, false);
            match form.take_update() {
                Some(Command::Update(sent)) => *sent,
                _ => panic!("an update"),
            }
        };
        let two = send(&mut form, "Two");
        let three = send(&mut form, "Three");
        // The reading of "Two" comes after "Three" was sent: the form stays on "Three".
        form.follow(&Details {
            store: two.clone(),
            on_server: true,
        });
        assert_eq!(form.store.name.as_deref(), Some("Three"));
        form.follow(&Details {
            store: three,
            on_server: true,
        });
        assert_eq!(form.store.name.as_deref(), Some("Three"));
        // Then an undo back to "Two" is shown.
        form.follow(&Details {
            store: two,
            on_server: true,
        });
        assert_eq!(form.store.name.as_deref(), Some("Two"));
    }

    #[test]
    fn coordinates_and_json_are_read_with_sentences() {
        let store: Store = serde_json::from_str(r#"{"storeId":"A"}"#).expect("store");
        let mut form = StoreForm::default();
        form.load(store);
        form.lat = "48,85".into();
        form.lng = "".into();
        assert!(!form.read_location());
        assert!(form.location_problem.is_some());
        form.lng = "2.35".into();
        assert!(form.read_location());
        assert_eq!(
            form.store.location.as_ref().map(|l| (l.lat, l.lng)),
            Some((48.85, 2.35))
        );
        form.json = r#"{"storeId":"B"}"#.into();
        assert!(!form.read_json());
        assert!(
            form.json_problem
                .as_deref()
                .is_some_and(|p| p.contains("\"B\""))
        );
        form.json = r#"{"storeId":"A","name":"From JSON"}"#.into();
        assert!(form.read_json());
        assert_eq!(form.store.name.as_deref(), Some("From JSON"));
    }
}
