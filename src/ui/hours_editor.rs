//! The opening-hours editor: the time zone, the usual week, special days and temporary
//! closures of one store (or of several at once), with a picture of a week and a preview of a
//! date and time. Every change goes through `hours`' editing operations; this view only keeps
//! what is being typed.

mod week_picture;

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use crate::hours::{
    self, CopyTo, Day, DayKey, DayState, OpeningHours, Period, day_periods, day_state,
};
use crate::ui::ERROR_COLOUR;

/// What the editor needs to know about the store and the window.
#[derive(Clone, Debug)]
pub struct HoursContext {
    /// Whether the hours may be changed.
    pub writable: bool,
    /// Why not, shown on every disabled input.
    pub read_only_reason: Option<String>,
    /// The date the preview and the week picture start from.
    pub today: NaiveDate,
    /// The time zone of the store's location, offered in one click.
    pub suggested_timezone: Option<String>,
    /// A sentence when the time zone does not fit the location.
    pub timezone_warning: Option<String>,
    /// Id and name of the other stores with opening hours, for "Copy hours from store".
    pub other_stores: Vec<(String, String)>,
    /// How many stores are selected; above one, the hours can be applied to all of them.
    pub selection_len: usize,
}

impl HoursContext {
    /// A writable editor of one store, nothing suggested.
    pub fn new(today: NaiveDate) -> HoursContext {
        HoursContext {
            writable: true,
            read_only_reason: None,
            today,
            suggested_timezone: None,
            timezone_warning: None,
            other_stores: Vec::new(),
            selection_len: 1,
        }
    }
}

/// What happened in the editor this frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HoursResponse {
    /// The hours were changed.
    pub changed: bool,
    /// Sentences about what an edit did (an overnight period split over two days), for a toast.
    pub notes: Vec<String>,
    /// The id of the store whose hours the user asked to copy here.
    pub copy_from: Option<String>,
    /// The user asked for these hours on every selected store.
    pub apply_to_selection: bool,
}

/// The editor's own state: what is being typed, the preview's date and time, the searches.
/// Make a new one (or call `forget_typing`) when it shows the hours of another store.
#[derive(Clone, Debug, Default)]
pub struct HoursEditor {
    /// Text typed in a field and not yet taken, by the field's name.
    typed: HashMap<String, String>,
    /// Why the last attempt of a row was refused, by the row's name.
    errors: HashMap<String, String>,
    timezone_search: String,
    store_search: String,
    new_special_date: String,
    closure_start: String,
    closure_end: String,
    /// Empty until first shown, then the date to preview (`YYYY-MM-DD`).
    preview_date: String,
    preview_time: String,
}

/// Width of the name column of the week.
const DAY_COLUMN: f32 = 90.0;

impl HoursEditor {
    /// Drops whatever is being typed and the refusals shown.
    pub fn forget_typing(&mut self) {
        self.typed.clear();
        self.errors.clear();
        self.new_special_date.clear();
        self.closure_start.clear();
        self.closure_end.clear();
    }

    /// Shows the editor for `hours` (`None`: the store has none yet) and applies the user's
    /// edits to it.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        hours: &mut Option<OpeningHours>,
        ctx: &HoursContext,
    ) -> HoursResponse {
        if self.preview_date.is_empty() {
            self.preview_date = ctx.today.format("%Y-%m-%d").to_string();
        }
        if self.preview_time.is_empty() {
            self.preview_time = "12:00".to_owned();
        }
        let before = hours.clone().unwrap_or_default();
        let mut working = before.clone();
        let mut response = HoursResponse::default();
        ui.vertical(|ui| {
            if !ctx.writable {
                ui.label(
                    egui::RichText::new(
                        ctx.read_only_reason
                            .as_deref()
                            .unwrap_or("These opening hours cannot be changed."),
                    )
                    .weak(),
                );
            }
            self.timezone_section(ui, &mut working, ctx);
            ui.separator();
            self.week_section(ui, &mut working, ctx, &mut response.notes);
            ui.separator();
            self.special_section(ui, &mut working, ctx, &mut response.notes);
            ui.separator();
            self.closure_section(ui, &mut working, ctx);
            ui.separator();
            self.picture_section(ui, &working, ctx);
            ui.separator();
            self.preview_section(ui, &working);
            if !ctx.other_stores.is_empty() || ctx.selection_len > 1 {
                ui.separator();
                self.other_stores_section(ui, ctx, &mut response);
            }
        });
        if ctx.writable && working != before {
            *hours = if hours::nothing_set(&working) {
                None
            } else {
                Some(working)
            };
            response.changed = true;
        }
        response
    }

    fn timezone_section(
        &mut self,
        ui: &mut egui::Ui,
        hours: &mut OpeningHours,
        ctx: &HoursContext,
    ) {
        ui.horizontal_wrapped(|ui| {
            let current = match &hours.timezone {
                Some(tz) => format!("Time zone: {tz}"),
                None => "Time zone: not set".to_owned(),
            };
            ui.label(egui::RichText::new(current).strong());
            if hours.timezone.is_some() {
                let b = ui.add_enabled(ctx.writable, egui::Button::new("Clear time zone"));
                if disabled_reason(b, ctx).clicked() {
                    hours.timezone = None;
                }
            }
        });
        if let Some(suggested) = &ctx.suggested_timezone
            && hours.timezone.as_deref() != Some(suggested.as_str())
        {
            let b = ui.add_enabled(
                ctx.writable,
                egui::Button::new(format!("Use {suggested} (from the location)")),
            );
            if disabled_reason(b, ctx).clicked() {
                self.report("Time zone", hours::set_timezone(hours, suggested));
            }
        }
        if let Some(warning) = &ctx.timezone_warning {
            ui.colored_label(ui.visuals().warn_fg_color, warning);
        }
        ui.horizontal(|ui| {
            let l = ui.label("Find a time zone");
            let r = ui.add_enabled(
                ctx.writable,
                egui::TextEdit::singleline(&mut self.timezone_search)
                    .hint_text("Paris, New York...")
                    .desired_width(180.0),
            );
            disabled_reason(r.labelled_by(l.id), ctx);
        });
        if ctx.writable && !self.timezone_search.trim().is_empty() {
            let names = hours::search_timezones(&self.timezone_search);
            if names.is_empty() {
                ui.label(format!(
                    "No time zone name holds \"{}\".",
                    self.timezone_search.trim()
                ));
            }
            let row_height = ui.spacing().interact_size.y;
            let mut picked = None;
            egui::ScrollArea::vertical()
                .id_salt("timezones")
                .max_height(140.0)
                .show_rows(ui, row_height, names.len(), |ui, rows| {
                    for name in &names[rows] {
                        let current = hours.timezone.as_deref() == Some(*name);
                        if ui.selectable_label(current, *name).clicked() {
                            picked = Some(*name);
                        }
                    }
                });
            if let Some(name) = picked {
                self.report("Time zone", hours::set_timezone(hours, name));
                self.timezone_search.clear();
            }
        }
        self.show_error(ui, "Time zone");
    }

    fn week_section(
        &mut self,
        ui: &mut egui::Ui,
        hours: &mut OpeningHours,
        ctx: &HoursContext,
        notes: &mut Vec<String>,
    ) {
        ui.strong("Usual week");
        ui.label(
            egui::RichText::new(
                "A day without hours of its own takes the default ones; without default hours it is closed.",
            )
            .weak(),
        );
        let keys = std::iter::once(DayKey::Default).chain((1..=7).map(DayKey::Weekday));
        for key in keys {
            self.day_block(ui, hours, &Day::Usual(key), ctx, notes);
        }
        let others: Vec<String> = hours
            .usual
            .iter()
            .flatten()
            .filter_map(|(key, _)| match key {
                DayKey::Other(k) => Some(k.clone()),
                _ => None,
            })
            .collect();
        for key in others {
            ui.label(
                egui::RichText::new(format!(
                    "Hours under \"{key}\" are kept as they are; the API reads only default and 1 to 7."
                ))
                .weak(),
            );
        }
    }

    /// One day: how it is set, its periods and the buttons that act on it.
    fn day_block(
        &mut self,
        ui: &mut egui::Ui,
        hours: &mut OpeningHours,
        day: &Day,
        ctx: &HoursContext,
        notes: &mut Vec<String>,
    ) {
        let name = day.name();
        let state = day_state(hours, day);
        let options: &[(DayState, &str)] = match day {
            Day::Usual(DayKey::Weekday(_)) => &[
                (DayState::Unset, "same as default"),
                (DayState::Closed, "closed"),
                (DayState::AllDay, "open all day"),
                (DayState::Periods, "open at set times"),
            ],
            Day::Usual(_) => &[
                (DayState::Unset, "not set"),
                (DayState::Closed, "closed"),
                (DayState::AllDay, "open all day"),
                (DayState::Periods, "open at set times"),
            ],
            Day::Special(_) => &[
                (DayState::Closed, "closed"),
                (DayState::AllDay, "open all day"),
                (DayState::Periods, "open at set times"),
            ],
        };
        ui.horizontal_wrapped(|ui| {
            let shown = match day {
                Day::Special(date) => match hours::parse_date(date) {
                    Some(d) => format!("{date} {}", d.format("%a")),
                    None => date.clone(),
                },
                _ => name.clone(),
            };
            let label = ui.label(egui::RichText::new(shown).strong());
            ui.add_space((DAY_COLUMN - label.rect.width() - ui.spacing().item_spacing.x).max(0.0));
            for &(option, text) in options {
                let b = ui
                    .add_enabled(
                        ctx.writable,
                        egui::Button::selectable(state == option, text),
                    )
                    .accessible_name(format!("{name} {text}"));
                if disabled_reason(b, ctx).clicked() && state != option {
                    hours::set_state(hours, day, option);
                    self.forget_day(&name);
                }
            }
            match day {
                Day::Usual(DayKey::Weekday(n)) => {
                    for (to, text, label) in [
                        (CopyTo::Weekdays, "Copy to weekdays", "weekdays"),
                        (CopyTo::AllDays, "Copy to all days", "all days"),
                    ] {
                        let b = ui
                            .add_enabled(ctx.writable, egui::Button::new(text).small())
                            .accessible_name(format!("Copy {name} to {label}"))
                            .on_hover_text(format!("Give these days the hours of {name}"));
                        if disabled_reason(b, ctx).clicked() {
                            hours::copy_day(hours, *n, to);
                            self.typed.clear();
                            self.errors.clear();
                        }
                    }
                }
                Day::Special(date) => {
                    let b = ui
                        .add_enabled(ctx.writable, egui::Button::new("Remove").small())
                        .accessible_name(format!("Remove special day {date}"));
                    if disabled_reason(b, ctx).clicked() {
                        self.report("New special day", hours::remove_special_day(hours, date));
                        self.forget_day(&name);
                    }
                }
                Day::Usual(_) => {}
            }
        });
        match state {
            DayState::Unset if matches!(day, Day::Usual(DayKey::Weekday(_))) => {
                let default = Day::Usual(DayKey::Default);
                let words = match day_periods(hours, &default) {
                    Some(list) => periods_words(list),
                    None => "closed (no default hours)".to_owned(),
                };
                indented(ui, |ui| {
                    ui.label(egui::RichText::new(format!("Default hours: {words}")).weak());
                });
            }
            DayState::Periods => self.periods_block(ui, hours, day, ctx, notes),
            _ => {}
        }
    }

    /// The periods of a day that is open at set times, and the row to add one.
    fn periods_block(
        &mut self,
        ui: &mut egui::Ui,
        hours: &mut OpeningHours,
        day: &Day,
        ctx: &HoursContext,
        notes: &mut Vec<String>,
    ) {
        let name = day.name();
        let list = day_periods(hours, day)
            .map(<[Period]>::to_vec)
            .unwrap_or_default();
        for (i, period) in list.iter().enumerate() {
            let row = format!("{name} period {}", i + 1);
            let mut commit = false;
            let mut remove = false;
            indented(ui, |ui| {
                if period.is_all_day() {
                    ui.label("all day");
                } else {
                    let start = period.start.as_ref().map(|t| t.text()).unwrap_or_default();
                    let end = period.end.as_ref().map(|t| t.text()).unwrap_or_default();
                    commit |= self.time_field(ui, &format!("{row} opens"), &start, ctx);
                    ui.label("to");
                    commit |= self.time_field(ui, &format!("{row} closes"), &end, ctx);
                }
                let b = ui
                    .add_enabled(ctx.writable, egui::Button::new("Remove").small())
                    .accessible_name(format!("Remove {row}"));
                remove = disabled_reason(b, ctx).clicked();
            });
            if remove {
                self.report(&row, hours::remove_period(hours, day, i));
                self.forget_day(&name);
                return;
            }
            if commit {
                let start = self.typed_or(&format!("{row} opens"), period.start.as_ref());
                let end = self.typed_or(&format!("{row} closes"), period.end.as_ref());
                match hours::edit_period(hours, day, i, &start, &end) {
                    Ok(note) => {
                        notes.extend(note);
                        self.forget_day(&name);
                        return;
                    }
                    Err(e) => {
                        self.errors.insert(row.clone(), e.to_string());
                    }
                }
            }
            self.show_error(ui, &row);
        }
        let row = format!("{name} new period");
        let (opens, closes) = (format!("{row} opens"), format!("{row} closes"));
        let mut add = false;
        indented(ui, |ui| {
            self.time_field(ui, &opens, "", ctx);
            ui.label("to");
            let entered = self.time_field(ui, &closes, "", ctx);
            add |= entered && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let b = ui
                .add_enabled(ctx.writable, egui::Button::new("Add period").small())
                .accessible_name(format!("Add period to {name}"));
            add |= disabled_reason(b, ctx).clicked();
        });
        if add {
            let start = self.typed.get(&opens).cloned().unwrap_or_default();
            let end = self.typed.get(&closes).cloned().unwrap_or_default();
            if start.trim().is_empty() || end.trim().is_empty() {
                self.errors.insert(
                    row.clone(),
                    "Type an opening and a closing time first, such as 09:00 and 18:00.".into(),
                );
            } else {
                match hours::add_period(hours, day, &start, &end) {
                    Ok(note) => {
                        notes.extend(note);
                        self.forget_day(&name);
                    }
                    Err(e) => {
                        self.errors.insert(row.clone(), e.to_string());
                    }
                }
            }
        }
        self.show_error(ui, &row);
    }

    /// A time field named `name` showing `shown` until the user types; returns true when what
    /// was typed is to be taken: the field lost focus or Enter was pressed.
    fn time_field(
        &mut self,
        ui: &mut egui::Ui,
        name: &str,
        shown: &str,
        ctx: &HoursContext,
    ) -> bool {
        let mut text = self
            .typed
            .get(name)
            .cloned()
            .unwrap_or_else(|| shown.to_owned());
        let r = ui
            .add_enabled(
                ctx.writable,
                egui::TextEdit::singleline(&mut text)
                    .hint_text("HH:MM")
                    .desired_width(62.0),
            )
            .accessible_name(name);
        let r = disabled_reason(r, ctx);
        if r.changed() {
            self.typed.insert(name.to_owned(), text);
        }
        r.lost_focus() && self.typed.contains_key(name)
    }

    fn typed_or(&self, name: &str, time: Option<&hours::Time>) -> String {
        match self.typed.get(name) {
            Some(text) => text.clone(),
            None => time.map(hours::Time::text).unwrap_or_default(),
        }
    }

    /// Forgets what was typed for the rows of a day, whose periods may have moved.
    fn forget_day(&mut self, name: &str) {
        let prefix = format!("{name} ");
        self.typed.retain(|k, _| !k.starts_with(&prefix));
        self.errors.retain(|k, _| !k.starts_with(&prefix));
    }

    fn special_section(
        &mut self,
        ui: &mut egui::Ui,
        hours: &mut OpeningHours,
        ctx: &HoursContext,
        notes: &mut Vec<String>,
    ) {
        ui.strong("Special days");
        let dates: Vec<String> = hours
            .special
            .iter()
            .flatten()
            .map(|(d, _)| d.clone())
            .collect();
        if dates.is_empty() {
            ui.label(egui::RichText::new("No special days.").weak());
        }
        for date in dates {
            self.day_block(ui, hours, &Day::Special(date), ctx, notes);
        }
        ui.horizontal(|ui| {
            let r = date_field(
                ui,
                "New special day",
                &mut self.new_special_date,
                "Pick the new special day",
                ctx,
            );
            let entered = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let b = ui
                .add_enabled(ctx.writable, egui::Button::new("Add special day"))
                .on_hover_text("Added closed; then set its hours");
            if disabled_reason(b, ctx).clicked() || entered {
                match hours::add_special_day(hours, &self.new_special_date, Vec::new()) {
                    Ok(_) => {
                        self.errors.remove("New special day");
                        self.new_special_date.clear();
                    }
                    Err(e) => {
                        self.errors.insert("New special day".into(), e.to_string());
                    }
                }
            }
        });
        self.show_error(ui, "New special day");
    }

    fn closure_section(&mut self, ui: &mut egui::Ui, hours: &mut OpeningHours, ctx: &HoursContext) {
        ui.strong("Temporary closures");
        let closures: Vec<(String, String)> = hours
            .temporary_closure
            .iter()
            .flatten()
            .map(|c| (c.start.clone(), c.end.clone()))
            .collect();
        if closures.is_empty() {
            ui.label(egui::RichText::new("No temporary closures.").weak());
        }
        let mut remove = None;
        for (i, (start, end)) in closures.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("Closed from {start} to {end}"));
                let b = ui
                    .add_enabled(ctx.writable, egui::Button::new("Remove").small())
                    .accessible_name(format!("Remove closure {}", i + 1));
                if disabled_reason(b, ctx).clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            hours::remove_closure(hours, i);
        }
        ui.horizontal_wrapped(|ui| {
            date_field(
                ui,
                "New closure from",
                &mut self.closure_start,
                "Pick the first day closed",
                ctx,
            );
            let r = date_field(
                ui,
                "New closure to",
                &mut self.closure_end,
                "Pick the last day closed",
                ctx,
            );
            let entered = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let b = ui.add_enabled(ctx.writable, egui::Button::new("Add closure"));
            if disabled_reason(b, ctx).clicked() || entered {
                match hours::add_closure(hours, &self.closure_start, &self.closure_end) {
                    Ok(()) => {
                        self.errors.remove("New closure");
                        self.closure_start.clear();
                        self.closure_end.clear();
                    }
                    Err(e) => {
                        self.errors.insert("New closure".into(), e.to_string());
                    }
                }
            }
        });
        self.show_error(ui, "New closure");
    }

    /// The date the preview is about: the one typed, else today.
    fn preview_day(&self, ctx: &HoursContext) -> NaiveDate {
        hours::parse_date(&self.preview_date).unwrap_or(ctx.today)
    }

    fn picture_section(&mut self, ui: &mut egui::Ui, hours: &OpeningHours, ctx: &HoursContext) {
        let day = self.preview_day(ctx);
        let monday = hours::monday_of(day);
        ui.horizontal_wrapped(|ui| {
            ui.strong(format!("Week of {}", monday.format("%a %-d %b %Y")));
            let mut go = |ui: &mut egui::Ui, text: &str, to: NaiveDate| {
                if ui.small_button(text).clicked() {
                    self.preview_date = to.format("%Y-%m-%d").to_string();
                }
            };
            go(ui, "Previous week", day - Duration::days(7));
            go(ui, "Next week", day + Duration::days(7));
            go(ui, "This week", ctx.today);
        });
        let lines = hours::week_picture(hours, monday);
        week_picture::show(ui, &lines, ctx.today);
    }

    fn preview_section(&mut self, ui: &mut egui::Ui, hours: &OpeningHours) {
        ui.strong("Preview");
        ui.horizontal(|ui| {
            let l = ui.label("Preview date");
            ui.add(
                egui::TextEdit::singleline(&mut self.preview_date)
                    .hint_text("YYYY-MM-DD")
                    .desired_width(96.0),
            )
            .labelled_by(l.id);
            let l = ui.label("Preview time");
            ui.add(
                egui::TextEdit::singleline(&mut self.preview_time)
                    .hint_text("HH:MM")
                    .desired_width(48.0),
            )
            .labelled_by(l.id);
        });
        match hours::parse_date_time(&self.preview_date, &self.preview_time) {
            Ok(at) => {
                ui.label(hours::describe_date(hours, at.date()));
                ui.label(hours::describe_open_at(hours, at));
            }
            Err(e) => {
                ui.colored_label(ERROR_COLOUR, e.to_string());
            }
        }
    }

    fn other_stores_section(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &HoursContext,
        response: &mut HoursResponse,
    ) {
        if !ctx.other_stores.is_empty() {
            ui.add_enabled_ui(ctx.writable, |ui| {
                let combo = egui::ComboBox::new("copy_hours_from", "Copy hours from store")
                    .selected_text("Pick a store")
                    .width(200.0)
                    .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
                    .show_ui(ui, |ui| {
                        let l = ui.label("Find a store");
                        ui.add(
                            egui::TextEdit::singleline(&mut self.store_search)
                                .hint_text("name or id")
                                .desired_width(180.0),
                        )
                        .labelled_by(l.id);
                        let wanted = self.store_search.trim().to_lowercase();
                        let matching = ctx.other_stores.iter().filter(|(id, name)| {
                            wanted.is_empty()
                                || id.to_lowercase().contains(&wanted)
                                || name.to_lowercase().contains(&wanted)
                        });
                        egui::ScrollArea::vertical()
                            .id_salt("copy_hours_stores")
                            .max_height(200.0)
                            .show(ui, |ui| {
                                for (id, name) in matching.take(200) {
                                    if ui
                                        .selectable_label(false, format!("{name} ({id})"))
                                        .clicked()
                                    {
                                        response.copy_from = Some(id.clone());
                                        ui.close();
                                    }
                                }
                            });
                    });
                disabled_reason(combo.response, ctx);
            });
        }
        if ctx.selection_len > 1 {
            let b = ui.add_enabled(
                ctx.writable,
                egui::Button::new(format!(
                    "Apply these hours to the {} selected stores",
                    ctx.selection_len
                )),
            );
            if disabled_reason(b, ctx).clicked() {
                response.apply_to_selection = true;
            }
        }
    }

    /// Keeps the refusal of an edit to show under its row, or forgets the last one.
    fn report(&mut self, row: &str, result: Result<(), hours::EditError>) {
        match result {
            Ok(()) => {
                self.errors.remove(row);
            }
            Err(e) => {
                self.errors.insert(row.to_owned(), e.to_string());
            }
        }
    }

    fn show_error(&self, ui: &mut egui::Ui, row: &str) {
        if let Some(e) = self.errors.get(row) {
            indented(ui, |ui| {
                ui.colored_label(ERROR_COLOUR, e);
            });
        }
    }
}

/// The periods of a day in words: "09:00-12:00, 14:00-18:00".
fn periods_words(list: &[Period]) -> String {
    if list.is_empty() {
        return "closed".to_owned();
    }
    list.iter()
        .map(|p| {
            if p.is_all_day() {
                "all day".to_owned()
            } else {
                let text = |t: Option<&hours::Time>| t.map(hours::Time::text).unwrap_or_default();
                format!("{}-{}", text(p.start.as_ref()), text(p.end.as_ref()))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row under a day's name.
fn indented(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui)) {
    ui.horizontal_wrapped(|ui| {
        ui.add_space(DAY_COLUMN);
        add(ui);
    });
}

/// The reason the editor is read-only, on a disabled input.
fn disabled_reason(r: egui::Response, ctx: &HoursContext) -> egui::Response {
    match &ctx.read_only_reason {
        Some(reason) => r.on_disabled_hover_text(reason),
        None => r,
    }
}

/// A labelled date field (YYYY-MM-DD) with its calendar button; the field's response.
fn date_field(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    picker_name: &str,
    ctx: &HoursContext,
) -> egui::Response {
    let l = ui.label(label);
    let r = ui.add_enabled(
        ctx.writable,
        egui::TextEdit::singleline(text)
            .hint_text("YYYY-MM-DD")
            .desired_width(96.0),
    );
    let r = disabled_reason(r.labelled_by(l.id), ctx);
    pick_date(ui, text, label, picker_name, ctx);
    r
}

/// A calendar button beside a date field: the date picked is written into the field (which
/// stays the place to type one). It opens on the date typed, else on today.
fn pick_date(ui: &mut egui::Ui, text: &mut String, salt: &str, name: &str, ctx: &HoursContext) {
    use chrono::Datelike;
    let shown = hours::parse_date(text.trim()).unwrap_or(ctx.today);
    let Ok(mut date) = jiff::civil::Date::new(
        i16::try_from(shown.year()).unwrap_or(2000),
        i8::try_from(shown.month()).unwrap_or(1),
        i8::try_from(shown.day()).unwrap_or(1),
    ) else {
        return;
    };
    let before = date;
    let r = ui
        .add_enabled_ui(ctx.writable, |ui| {
            ui.add(
                egui_extras::DatePickerButton::new(&mut date)
                    .id_salt(salt)
                    .show_icon(false)
                    .calendar_week(false)
                    // Its year, month and day lists have no names a screen reader could say;
                    // the arrows and the calendar do the same.
                    .combo_boxes(false),
            )
        })
        .inner
        .accessible_name(name);
    if r.changed() || date != before {
        *text = date.strftime("%Y-%m-%d").to_string();
    }
}
