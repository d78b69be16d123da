//! The conflict dialog: the server's version, the draft and the result side by side, field by
//! field. The result becomes a draft like any other edit.

use serde_json::Value;

use crate::app::{AppState, Command};
use crate::workspace::{Resolution, Side, compose};

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let writable = state.can_write();
    let Some(view) = state.conflict.as_mut() else {
        return;
    };
    let mut open = true;
    let mut resolution: Option<Resolution> = None;
    let mut cancel = false;
    egui::Window::new(format!("Conflict on {}", view.id))
        .id(egui::Id::unique("conflict_dialog"))
        .open(&mut open)
        .collapsible(false)
        .default_width(760.0)
        .show(ctx, |ui| {
            ui.label(format!("The store was {}.", view.what));
            match (&view.theirs, &view.mine) {
                (Some(_), Some(_)) => {
                    ui.label(
                        "Choose, field by field, the server's value or yours. Fields only you \
                         changed start with yours; fields only the server changed start with theirs.",
                    );
                    ui.horizontal(|ui| {
                        if ui.button("Take all mine").clicked() {
                            view.choices.iter_mut().for_each(|c| c.take = Side::Mine);
                        }
                        if ui.button("Take all theirs").clicked() {
                            view.choices.iter_mut().for_each(|c| c.take = Side::Theirs);
                        }
                    });
                    egui::ScrollArea::both()
                        .id_salt("conflict_fields")
                        .max_height(420.0)
                        .show(ui, |ui| {
                            egui::Grid::new("conflict_grid")
                                .num_columns(4)
                                .striped(true)
                                .show(ui, |ui| {
                                    ui.strong("Field");
                                    ui.strong("Theirs (server)");
                                    ui.strong("Mine (draft)");
                                    ui.strong("Result");
                                    ui.end_row();
                                    for c in &mut view.choices {
                                        let both = c.changed_by_me && c.changed_by_them;
                                        if both {
                                            ui.colored_label(super::ERROR_COLOUR, &c.path)
                                                .on_hover_text("Changed on both sides");
                                        } else {
                                            ui.label(&c.path);
                                        }
                                        ui.radio_value(
                                            &mut c.take,
                                            Side::Theirs,
                                            shown(&c.theirs),
                                        )
                                        .widget_info(|| {
                                            egui::WidgetInfo::labeled(
                                                egui::Role::RadioButton,
                                                true,
                                                format!("Take theirs for {}", c.path),
                                            )
                                        });
                                        let path = c.path.clone();
                                        ui.radio_value(&mut c.take, Side::Mine, shown(&c.mine))
                                            .widget_info(|| {
                                                egui::WidgetInfo::labeled(
                                                    egui::Role::RadioButton,
                                                    true,
                                                    format!("Take mine for {path}"),
                                                )
                                            });
                                        ui.label(shown(match c.take {
                                            Side::Mine => &c.mine,
                                            Side::Theirs => &c.theirs,
                                        }));
                                        ui.end_row();
                                    }
                                });
                        });
                    ui.horizontal(|ui| {
                        if ui
                            .add_enabled(writable, egui::Button::new("Keep the result"))
                            .on_hover_text("The result becomes your draft; push it to send it")
                            .clicked()
                        {
                            resolution = Some(match compose(view.theirs.as_ref(), &view.choices) {
                                Some(store) => Resolution::Merged(Box::new(store)),
                                None => Resolution::Theirs,
                            });
                        }
                        cancel = ui.button("Decide later").clicked();
                    });
                }
                (theirs, mine) => {
                    ui.label(match (theirs, mine) {
                        (None, Some(_)) => "The server deleted the store; you changed it.",
                        (Some(_), None) => "The server changed the store; you deleted it.",
                        _ => "Both sides deleted the store.",
                    });
                    ui.horizontal(|ui| {
                        if ui
                            .add_enabled(writable, egui::Button::new("Keep mine"))
                            .clicked()
                        {
                            resolution = Some(Resolution::Mine);
                        }
                        if ui
                            .add_enabled(writable, egui::Button::new("Take theirs"))
                            .clicked()
                        {
                            resolution = Some(Resolution::Theirs);
                        }
                        cancel = ui.button("Decide later").clicked();
                    });
                }
            }
        });
    if let Some(resolution) = resolution {
        let id = view.id.clone();
        state
            .commands
            .push(Command::ResolveConflict { id, resolution });
        state.conflict = None;
    } else if cancel || !open {
        state.conflict = None;
    }
}

/// A value as one line: text without its quotes, "(none)" when absent.
fn shown(v: &Option<Value>) -> String {
    let text = match v {
        None => "(none)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}
