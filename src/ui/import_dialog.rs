//! The import wizard: the file and what was found in it, the first rows as read, the column
//! mapping, the report of every row, and how to apply it. Also the ways in: Ctrl+O, and files
//! dropped onto the window.

use std::sync::Arc;

use crate::app::files::{ImportWizard, PREVIEW_ROWS, file_name};
use crate::app::{AppState, Command};
use crate::import::{ApplyMode, Mapping, Report, Source, TableFormat, Target};
use crate::ui::ERROR_COLOUR;

/// The keyboard shortcuts of files (Ctrl+O import, Ctrl+E export), files dropped onto the
/// window, and the overlay while a file is dragged over it.
pub fn input(ctx: &egui::Context, state: &mut AppState) {
    use egui::{Key, KeyboardShortcut, Modifiers};
    let open = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
    let export = KeyboardShortcut::new(Modifiers::COMMAND, Key::E);
    let (open, export, dropped, hovering) = ctx.input_mut(|i| {
        (
            i.consume_shortcut(&open),
            i.consume_shortcut(&export),
            std::mem::take(&mut i.raw.dropped_files),
            !i.raw.hovered_files.is_empty(),
        )
    });
    if open && state.profile.is_some() {
        start(state);
    }
    if export && state.profile.is_some() {
        super::export_dialog::open(state);
    }
    if !dropped.is_empty() {
        dropped_files(
            state,
            dropped.iter().map(|f| f.path().to_path_buf()).collect(),
        );
    }
    if hovering {
        drop_overlay(ctx);
    }
}

/// Asks for a file to import.
pub fn start(state: &mut AppState) {
    if state.import.as_ref().is_some_and(|w| w.applying.is_some()) {
        return;
    }
    state.commands.push(Command::PickImport);
}

/// Files dropped onto the window: the first is imported, the others are said to be ignored.
pub fn dropped_files(state: &mut AppState, paths: Vec<std::path::PathBuf>) {
    let Some(first) = paths.first().cloned() else {
        return;
    };
    if state.import.as_ref().is_some_and(|w| w.applying.is_some()) {
        state.toast(
            "An import is being applied; drop the file again once it is done.",
            None,
            true,
        );
        return;
    }
    if paths.len() > 1 {
        let others: Vec<String> = paths[1..].iter().map(|p| file_name(p)).collect();
        state.toast(
            format!(
                "Only {} is imported; {} other dropped files were ignored. Drop them one at a time.",
                file_name(&first),
                others.len()
            ),
            Some(others.join("\n")),
            false,
        );
    }
    state.import = Some(ImportWizard::reading(first.clone()));
    state.commands.push(Command::ReadImport {
        path: first,
        sheet: None,
    });
}

fn drop_overlay(ctx: &egui::Context) {
    let rect = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop_overlay"),
    ));
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop to import",
        egui::FontId::proportional(32.0),
        egui::Color32::WHITE,
    );
}

/// The wizard's window, while it is open.
pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let Some(mut wizard) = state.import.take() else {
        return;
    };
    let mut open = true;
    let mut close = false;
    egui::Window::new("Import stores")
        .open(&mut open)
        .default_width(780.0)
        .show(ctx, |ui| {
            close = body(ui, state, &mut wizard);
        });
    // Closing the window while an import is written would hide its outcome.
    let applying = wizard.applying.is_some();
    if (open && !close) || applying {
        state.import = Some(wizard);
    }
}

/// The wizard's content, scrolled above the buttons, which stay in view; true when the
/// user closed it.
fn body(ui: &mut egui::Ui, state: &mut AppState, w: &mut ImportWizard) -> bool {
    let height = ui.ctx().content_rect().height() * 0.7;
    egui::ScrollArea::vertical()
        .id_salt("import_wizard_body")
        .max_height(height)
        .show(ui, |ui| content(ui, state, w));
    ui.separator();
    actions(ui, state, w)
}

fn content(ui: &mut egui::Ui, state: &mut AppState, w: &mut ImportWizard) {
    ui.horizontal(|ui| {
        ui.label("File:");
        ui.strong(w.file_name())
            .on_hover_text(w.path.display().to_string());
    });
    if w.reading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading the file…");
        });
    }
    if let Some(error) = &w.error {
        ui.colored_label(ERROR_COLOUR, error);
    }
    if let Some(source) = w.source.clone() {
        found(ui, state, w, &source);
        ui.separator();
        egui::CollapsingHeader::new(format!("The first rows as read (up to {PREVIEW_ROWS})"))
            .default_open(true)
            .show(ui, |ui| preview(ui, &source));
        if w.mapping.is_some() {
            ui.separator();
            ui.heading("Columns");
            ui.label("What each column fills. Changing one makes the report again.");
            mapping(ui, state, w, &source);
        }
        ui.separator();
        report(ui, w);
        ui.separator();
        mode(ui, w);
    }
}

/// What the file was found to be, and the sheet picker of a workbook.
fn found(ui: &mut egui::Ui, state: &mut AppState, w: &mut ImportWizard, source: &Source) {
    let count = match source {
        Source::Stores(doc) => format!("{} stores", doc.len()),
        Source::Table(t) => format!("{} rows, {} columns", t.rows.len(), t.headers.len()),
    };
    ui.label(format!("Found: {}; {count}.", source.describe()));
    let Source::Table(table) = source else {
        return;
    };
    let TableFormat::Spreadsheet { sheet, sheets } = &table.format else {
        return;
    };
    if sheets.len() < 2 {
        return;
    }
    let mut chosen = None;
    ui.horizontal(|ui| {
        let l = ui.label("Sheet");
        egui::ComboBox::from_id_salt("import_sheet")
            .selected_text(sheet.as_str())
            .show_ui(ui, |ui| {
                for s in sheets {
                    if ui.selectable_label(s == sheet, s).clicked() && s != sheet {
                        chosen = Some(s.clone());
                    }
                }
            })
            .response
            .labelled_by(l.id);
    });
    if let Some(sheet) = chosen {
        w.reading = true;
        state.commands.push(Command::ReadImport {
            path: w.path.clone(),
            sheet: Some(sheet),
        });
    }
}

/// The first rows of the file as read.
fn preview(ui: &mut egui::Ui, source: &Source) {
    egui::ScrollArea::both()
        .id_salt("import_preview")
        .max_height(220.0)
        .show(ui, |ui| match source {
            Source::Table(table) => {
                egui::Grid::new("import_preview_grid")
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong(table.line_word);
                        for h in &table.headers {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for row in table.preview(PREVIEW_ROWS) {
                            ui.label(row.line.to_string());
                            for c in 0..table.headers.len() {
                                ui.label(row.cell(c));
                            }
                            ui.end_row();
                        }
                    });
            }
            Source::Stores(doc) => {
                for entry in doc.entries().take(PREVIEW_ROWS) {
                    match &entry.result {
                        Ok(store) => ui.label(format!(
                            "line {}: {} {}",
                            entry.line,
                            store.id(),
                            store.display_name()
                        )),
                        Err(e) => ui.colored_label(ERROR_COLOUR, e.to_string()),
                    };
                }
            }
        });
}

/// Languages offered for a localized name column.
const LANGUAGES: [&str; 8] = ["en", "fr", "de", "es", "it", "nl", "pt", "ja"];

/// The targets a column can be given: every field, and the column's own user property.
fn choices(header: &str, current: &Target) -> Vec<Target> {
    let mut out = vec![
        Target::Ignore,
        Target::StoreId,
        Target::Name,
        Target::Latitude,
        Target::Longitude,
        Target::Coordinates,
        Target::AddressLine,
        Target::City,
        Target::Zipcode,
        Target::Country,
        Target::Phone,
        Target::Email,
        Target::Website,
        Target::Types,
        Target::Tags,
        Target::OpeningHours,
    ];
    out.extend((1..=7).map(|day| Target::Weekday { day }));
    out.extend([
        Target::TemporaryClosures,
        Target::Timezone,
        Target::UserProperty {
            key: header.trim().to_owned(),
        },
    ]);
    out.extend(LANGUAGES.iter().map(|l| Target::LocalizedName {
        language: (*l).to_owned(),
    }));
    if !out.contains(current) {
        out.push(current.clone());
    }
    out
}

/// One row per column: its name, what it fills, and its first value.
fn mapping(ui: &mut egui::Ui, state: &mut AppState, w: &mut ImportWizard, source: &Arc<Source>) {
    let Source::Table(table) = source.as_ref() else {
        return;
    };
    let Some(m) = &mut w.mapping else {
        return;
    };
    let mut changed = false;
    egui::Grid::new("import_mapping")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for (i, column) in m.columns.iter_mut().enumerate() {
                let l = ui.label(format!("Column \"{}\"", column.header));
                egui::ComboBox::from_id_salt(("import_target", i))
                    .selected_text(column.target.label())
                    .width(220.0)
                    .show_ui(ui, |ui| {
                        for target in choices(&column.header, &column.target) {
                            let label = target.label();
                            if ui
                                .selectable_label(column.target == target, label)
                                .clicked()
                                && column.target != target
                            {
                                column.target = target;
                                changed = true;
                            }
                        }
                    })
                    .response
                    .labelled_by(l.id);
                let sample = table
                    .rows
                    .iter()
                    .map(|r| r.cell(i))
                    .find(|c| !c.is_empty())
                    .unwrap_or("");
                ui.weak(sample);
                ui.end_row();
            }
        });
    if changed {
        let mapping: Mapping = m.clone();
        w.revision += 1;
        w.converting = true;
        state.commands.push(Command::ConvertImport {
            source: source.clone(),
            mapping,
            revision: w.revision,
        });
    }
}

/// The counts and a line per row with its notes.
fn report(ui: &mut egui::Ui, w: &ImportWizard) {
    ui.horizontal(|ui| {
        ui.heading("Report");
        if w.converting {
            ui.spinner();
        }
    });
    match &w.report {
        None => {}
        Some(Err(e)) => {
            ui.colored_label(ERROR_COLOUR, e);
        }
        Some(Ok(report)) => report_lines(ui, report),
    }
}

fn report_lines(ui: &mut egui::Ui, report: &Report) {
    let c = report.counts();
    ui.label(format!(
        "Rows: {}. Ok: {}. Warnings: {}. Errors: {}. Imported: {}. Not imported: {}.",
        c.rows, c.ok, c.warnings, c.errors, c.imported, c.not_imported
    ));
    for n in &report.file_notes {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("file: {}: {}", n.status, n.message),
        );
    }
    let height = ui.text_style_height(&egui::TextStyle::Body);
    egui::ScrollArea::vertical()
        .id_salt("import_report")
        .max_height(200.0)
        .auto_shrink([false, true])
        .show_rows(ui, height, report.rows.len(), |ui, range| {
            for r in &report.rows[range] {
                let text = r.render(report.line_word);
                match r.status {
                    crate::import::Status::Ok => ui.label(text),
                    crate::import::Status::Warning => {
                        ui.colored_label(ui.visuals().warn_fg_color, text)
                    }
                    crate::import::Status::Error => ui.colored_label(ERROR_COLOUR, text),
                };
            }
        });
}

/// What to do with stores that already exist.
fn mode(ui: &mut egui::Ui, w: &mut ImportWizard) {
    ui.heading("Apply as");
    ui.radio_value(
        &mut w.mode,
        ApplyMode::Merge,
        "Drafts merged into existing stores (an empty cell keeps what the store has)",
    );
    ui.radio_value(
        &mut w.mode,
        ApplyMode::Replace,
        "Drafts replacing the file's stores whole",
    );
    ui.radio_value(
        &mut w.mode,
        ApplyMode::ReplaceProject,
        "Replace the whole project with the file",
    );
    if w.mode == ApplyMode::ReplaceProject {
        ui.colored_label(
            ERROR_COLOUR,
            "Every other store of the project is marked for deletion; a push deletes them.",
        );
    }
}

/// Apply and Cancel; true when the wizard is to close.
fn actions(ui: &mut egui::Ui, state: &mut AppState, w: &mut ImportWizard) -> bool {
    if let Some((done, of)) = w.applying {
        ui.add(
            egui::ProgressBar::new(done as f32 / of.max(1) as f32)
                .show_percentage()
                .text(format!("Applying: {done} of {of}")),
        );
    }
    let mut close = false;
    ui.horizontal(|ui| {
        let blocker = if state.profile.is_none() {
            Some("No project is open; pick a profile first.")
        } else {
            state.read_only_reason().or(w.apply_blocker())
        };
        let apply = ui.add_enabled(blocker.is_none(), egui::Button::new("Apply"));
        let apply = match blocker {
            Some(reason) => apply.on_disabled_hover_text(reason),
            None => apply
                .on_hover_text("Add the file's stores as drafts; nothing is sent until you push."),
        };
        if apply.clicked()
            && let Some(source) = w.source.clone()
        {
            let rows = match source.as_ref() {
                Source::Stores(d) => d.len(),
                Source::Table(t) => t.rows.len(),
            };
            w.applying = Some((0, rows));
            w.error = None;
            state.commands.push(Command::ApplyImport {
                path: w.path.clone(),
                source,
                mapping: w.mapping.clone(),
                mode: w.mode,
            });
        }
        if ui
            .add_enabled(w.applying.is_none(), egui::Button::new("Cancel"))
            .on_hover_text("Close without changing anything")
            .clicked()
        {
            close = true;
        }
    });
    // A profile that may not write is said in words, not only in the tooltip.
    if let Some(reason) = state.read_only_reason() {
        ui.label(reason);
    }
    close
}
