//! The problems panel: every finding across the project, filtered by severity, code and
//! store; a click selects the store and shows it on the map; safe fixes in one click; warnings
//! and notices can be ignored (the list is kept in the workspace). Errors hold a store back
//! from a push, and the push preview names them.

use crate::app::{AppState, Command, FindingRow};
use crate::ui::map::MapView;
use crate::validate::Severity;

/// What the panel shows and its filters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProblemsView {
    /// Every finding, once read.
    pub rows: Option<Vec<FindingRow>>,
    pub loading: bool,
    /// The stores changed since the findings were read.
    pub stale: bool,
    pub severity: Option<Severity>,
    pub code: Option<String>,
    pub store: String,
    pub show_ignored: bool,
    /// The codes found, sorted, for the code filter (kept with the rows).
    pub codes: Vec<&'static str>,
}

impl ProblemsView {
    pub fn set(&mut self, rows: Vec<FindingRow>) {
        self.codes = rows.iter().map(|r| r.finding.code.as_str()).collect();
        self.codes.sort_unstable();
        self.codes.dedup();
        self.rows = Some(rows);
        self.loading = false;
        self.stale = false;
    }

    /// The rows that pass the filters.
    pub fn visible(&self) -> Vec<&FindingRow> {
        let store = self.store.trim().to_lowercase();
        self.rows
            .iter()
            .flatten()
            .filter(|r| self.show_ignored || !r.ignored)
            .filter(|r| self.severity.is_none_or(|s| r.finding.severity == s))
            .filter(|r| {
                self.code
                    .as_deref()
                    .is_none_or(|c| r.finding.code.as_str() == c)
            })
            .filter(|r| store.is_empty() || r.id.to_lowercase().contains(&store))
            .collect()
    }
}

pub fn show(ctx: &egui::Context, state: &mut AppState, map: &mut MapView) {
    if !state.show_problems {
        return;
    }
    if state.problems.rows.is_none() && !state.problems.loading {
        state.problems.loading = true;
        state.commands.push(Command::LoadFindings);
    }
    let writable = state.can_write();
    let mut open = true;
    let mut commands = Vec::new();
    let mut pick: Option<String> = None;
    egui::Window::new("Problems")
        .id(egui::Id::unique("problems_window"))
        .open(&mut open)
        .default_width(820.0)
        .default_height(460.0)
        .default_pos(ctx.content_rect().left_top() + egui::vec2(320.0, 56.0))
        .show(ctx, |ui| {
            let view = &mut state.problems;
            let Some(rows) = &view.rows else {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Checking every store...");
                });
                return;
            };
            let count = |s: Severity| {
                rows.iter()
                    .filter(|r| !r.ignored && r.finding.severity == s)
                    .count()
            };
            let ignored = rows.iter().filter(|r| r.ignored).count();
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "{} errors, {} warnings, {} notices ({ignored} ignored). Stores with errors are held back from a push.",
                    count(Severity::Error),
                    count(Severity::Warning),
                    count(Severity::Notice)
                ));
                if ui
                    .add_enabled(!view.loading, egui::Button::new("Check again"))
                    .clicked()
                {
                    view.loading = true;
                    commands.push(Command::LoadFindings);
                }
            });
            if view.stale {
                ui.colored_label(
                    egui::Color32::from_rgb(190, 130, 0),
                    "Stores changed since this list was made: Check again to bring it up to date.",
                );
            }
            ui.horizontal_wrapped(|ui| {
                egui::ComboBox::new("problems_severity", "Severity")
                    .selected_text(view.severity.map_or("all".to_owned(), |s| s.to_string()))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut view.severity, None, "all");
                        for s in [Severity::Error, Severity::Warning, Severity::Notice] {
                            ui.selectable_value(&mut view.severity, Some(s), s.to_string());
                        }
                    });
                egui::ComboBox::new("problems_code", "Code")
                    .selected_text(view.code.clone().unwrap_or_else(|| "all".into()))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut view.code, None, "all");
                        for c in &view.codes {
                            ui.selectable_value(&mut view.code, Some((*c).to_owned()), *c);
                        }
                    });
                let l = ui.label("Store");
                ui.add(egui::TextEdit::singleline(&mut view.store).desired_width(100.0))
                    .labelled_by(l.id);
                ui.checkbox(&mut view.show_ignored, "Show ignored");
            });
            let visible = view.visible();
            let fixable: Vec<_> = visible
                .iter()
                .filter(|r| r.fix.is_some() && !r.ignored)
                .map(|r| r.key())
                .collect();
            ui.horizontal(|ui| {
                ui.label(format!("{} shown.", visible.len()));
                let b = ui.add_enabled(
                    writable && !fixable.is_empty(),
                    egui::Button::new(format!("Fix all shown ({})", fixable.len())),
                );
                if b.on_hover_text("Applies every safe fix listed, as one step Undo takes back")
                    .clicked()
                {
                    commands.push(Command::ApplyFixes(fixable.clone()));
                }
            });
            ui.separator();
            let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
            egui::ScrollArea::vertical()
                .id_salt("problems_rows")
                .auto_shrink([false, false])
                .show_rows(ui, row_height, visible.len(), |ui, range| {
                    for r in &visible[range] {
                        ui.horizontal(|ui| {
                            let colour = match r.finding.severity {
                                Severity::Error => super::ERROR_COLOUR,
                                Severity::Warning => egui::Color32::from_rgb(190, 130, 0),
                                Severity::Notice => egui::Color32::GRAY,
                            };
                            ui.colored_label(colour, r.finding.severity.to_string());
                            let b = ui.link(&r.id).on_hover_text("Select it and show it on the map");
                            let b = b.accessible_name(format!("Show {} ({})", r.id, r.finding.path));
                            if b.clicked() {
                                pick = Some(r.id.clone());
                            }
                            let key = r.key();
                            if let Some(fix) = &r.fix {
                                let b = ui
                                    .add_enabled(writable && !r.ignored, egui::Button::new("Fix").small())
                                    .on_hover_text(fix);
                                let b = b.accessible_name(format!("Fix {} of {}", r.finding.path, r.id));
                                if b.clicked() {
                                    commands.push(Command::ApplyFixes(vec![key.clone()]));
                                }
                            }
                            if r.finding.severity != Severity::Error {
                                let text = if r.ignored { "Stop ignoring" } else { "Ignore" };
                                let b = ui.add(egui::Button::new(text).small());
                                let b = b.accessible_name(format!("{text} {} of {}", r.finding.path, r.id));
                                if b.clicked() {
                                    commands.push(Command::IgnoreFinding {
                                        key,
                                        ignore: !r.ignored,
                                    });
                                }
                            }
                            let text = format!("{}: {}", r.finding.path, r.finding.message);
                            let label = if r.ignored {
                                egui::RichText::new(text).weak()
                            } else {
                                egui::RichText::new(text)
                            };
                            ui.label(label).on_hover_text(r.finding.code.as_str());
                        });
                    }
                });
        });
    state.show_problems = open;
    state.commands.extend(commands);
    if let Some(id) = pick {
        state.scroll_to = state.index.get(&id).copied();
        if let Some(&i) = state.index.get(&id)
            && let (Some(lat), Some(lng)) = (state.stores[i].lat, state.stores[i].lng)
        {
            map.centre_on(lat, lng, 15.0);
        }
        state.select_only(&id);
    }
}
