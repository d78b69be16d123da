//! The queue of changes: each pending change with its field-by-field diff and a discard
//! button, the push preview, the push's progress with a cancel button, and its outcome.

use crate::app::backend::QUEUE_SHOWN;
use crate::app::{AppState, Command};
use crate::workspace::{ChangeKind, FieldChange};

/// Shows the queue; returns whether the user asked to stop the running push.
pub fn show(ui: &mut egui::Ui, state: &mut AppState) -> bool {
    let mut cancel = false;
    ui.horizontal(|ui| {
        let title = format!("Changes ({} pending)", state.queue.total);
        ui.toggle_value(&mut state.show_queue, egui::RichText::new(title).strong())
            .on_hover_text("Show or hide the changes waiting to be pushed");
        let writable = state.can_write();
        if state.queue.total > 0
            && ui
                .add_enabled(writable, egui::Button::new("Discard all"))
                .on_hover_text("Drops every change not pushed yet (Undo brings them back)")
                .clicked()
        {
            state.commands.push(Command::DiscardAll);
        }
    });
    if state.pushing {
        let p = state.push_progress.clone().unwrap_or_default();
        ui.horizontal(|ui| {
            let fraction = if p.stores_total == 0 {
                0.0
            } else {
                p.stores_done as f32 / p.stores_total as f32
            };
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(320.0)
                    .text(format!(
                        "{}: {} of {} stores, {} requests",
                        if p.phase.is_empty() {
                            "starting"
                        } else {
                            p.phase
                        },
                        p.stores_done,
                        p.stores_total,
                        p.requests_sent
                    )),
            );
            if ui
                .button("Cancel push")
                .on_hover_text("Stops after the requests already sent; nothing is lost")
                .clicked()
            {
                cancel = true;
            }
        });
    }
    if !state.show_queue {
        return cancel;
    }
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("queue_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(preview) = state.preview.clone() {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.strong("Push preview");
                    for line in &preview.lines {
                        ui.label(line);
                    }
                    if !preview.held_back.is_empty() {
                        ui.colored_label(
                            super::ERROR_COLOUR,
                            format!("{} held back:", preview.held_back.len()),
                        );
                        for (id, why) in &preview.held_back {
                            ui.label(format!("{id}: {why}"));
                        }
                    }
                    ui.horizontal(|ui| {
                        let reason = state.read_only_reason();
                        let b = ui.add_enabled(
                            reason.is_none() && preview.requests > 0 && !state.pushing,
                            egui::Button::new("Push now"),
                        );
                        let b = match reason {
                            Some(r) => b.on_disabled_hover_text(r),
                            None => b,
                        };
                        if b.clicked() {
                            state.commands.push(Command::Push);
                        }
                        if ui.button("Close preview").clicked() {
                            state.preview = None;
                        }
                    });
                });
            }
            if let Some(report) = &state.last_push
                && (!report.failed.is_empty() || !report.conflicts.is_empty())
            {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.strong("Last push");
                    for (id, why) in &report.failed {
                        ui.colored_label(super::ERROR_COLOUR, format!("{id}: refused: {why}"));
                    }
                    for (id, why) in &report.conflicts {
                        ui.colored_label(super::ERROR_COLOUR, format!("{id}: in conflict: {why}"));
                    }
                });
            }
            if state.queue.items.is_empty() {
                ui.label("No changes waiting: edits you make appear here before anything is sent.");
            }
            let writable = state.can_write();
            let mut discard = None;
            let mut pick = None;
            let mut resolve = None;
            for item in &state.queue.items {
                let verb = match item.kind {
                    ChangeKind::Create => "new",
                    ChangeKind::Update => "changed",
                    ChangeKind::Delete => "to delete",
                };
                let header = format!("{} ({verb}, {})", item.id, item.origin);
                egui::CollapsingHeader::new(header)
                    .id_salt(("queue_item", &item.id))
                    .show(ui, |ui| {
                        if let Some(c) = &item.conflict {
                            ui.horizontal_wrapped(|ui| {
                                ui.colored_label(super::ERROR_COLOUR, format!("In conflict: {c}"));
                                if ui
                                    .add_enabled(
                                        writable,
                                        egui::Button::new(format!("Resolve {}", item.id)),
                                    )
                                    .on_hover_text(
                                        "Compare the server's version and yours, field by field",
                                    )
                                    .clicked()
                                {
                                    resolve = Some(item.id.clone());
                                }
                            });
                        }
                        if let Some(f) = &item.failure {
                            ui.colored_label(super::ERROR_COLOUR, format!("Refused: {f}"));
                        }
                        egui::Grid::new(("diff", &item.id))
                            .num_columns(3)
                            .show(ui, |ui| {
                                for change in &item.changes {
                                    diff_row(ui, change);
                                }
                            });
                        ui.horizontal(|ui| {
                            if ui
                                .add_enabled(
                                    writable,
                                    egui::Button::new(format!("Discard {}", item.id)),
                                )
                                .on_hover_text("Drops this change (Undo brings it back)")
                                .clicked()
                            {
                                discard = Some(item.id.clone());
                            }
                            if item.kind != ChangeKind::Delete && ui.button("Select").clicked() {
                                pick = Some(item.id.clone());
                            }
                        });
                    });
            }
            if state.queue.total > state.queue.items.len() {
                ui.label(format!(
                    "… and {} more (the first {QUEUE_SHOWN} are listed).",
                    state.queue.total - state.queue.items.len()
                ));
            }
            if let Some(id) = resolve {
                state.commands.push(Command::LoadConflict(id));
            }
            if let Some(id) = discard {
                state.commands.push(Command::Discard(vec![id]));
            }
            if let Some(id) = pick {
                state.scroll_to = state.index.get(&id).copied();
                state.select_only(&id);
            }
        });
    cancel
}

/// One changed field: its name, the value before (struck through) and after.
fn diff_row(ui: &mut egui::Ui, change: &FieldChange) {
    let show = |v: &Option<serde_json::Value>| match v {
        None => "(none)".to_owned(),
        Some(serde_json::Value::String(s)) => format!("\"{s}\""),
        Some(v) => v.to_string(),
    };
    ui.label(&change.path);
    ui.label(
        egui::RichText::new(show(&change.before))
            .strikethrough()
            .color(egui::Color32::from_rgb(200, 80, 80)),
    )
    .on_hover_text("before");
    ui.label(egui::RichText::new(show(&change.after)).color(egui::Color32::from_rgb(40, 150, 70)))
        .on_hover_text("after");
    ui.end_row();
}
