//! Outcomes in the lower-right corner, for a few seconds, with their detail one click away.

use crate::app::{AppState, TOAST_SECONDS};

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let now = ctx.input(|i| i.time);
    for t in &mut state.toasts {
        if t.since.is_nan() {
            t.since = now;
        }
    }
    state
        .toasts
        .retain(|t| t.open || now - t.since < TOAST_SECONDS);
    // At most the last five.
    let skip = state.toasts.len().saturating_sub(5);
    if state.toasts.is_empty() {
        return;
    }
    ctx.request_repaint_after(std::time::Duration::from_millis(500));
    let mut close = None;
    egui::Area::new(egui::Id::unique("toasts"))
        .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -260.0))
        .show(ctx, |ui| {
            ui.set_max_width(380.0);
            for (i, t) in state.toasts.iter_mut().enumerate().skip(skip) {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    if t.error {
                        ui.colored_label(super::ERROR_COLOUR, &t.text);
                    } else {
                        ui.label(&t.text);
                    }
                    ui.horizontal(|ui| {
                        if let Some(detail) = &t.detail {
                            if ui
                                .small_button(if t.open { "Hide details" } else { "Details" })
                                .clicked()
                            {
                                t.open = !t.open;
                            }
                            if t.open {
                                ui.label(detail);
                            }
                        }
                        if ui.small_button("Close").clicked() {
                            close = Some(i);
                        }
                    });
                });
            }
        });
    if let Some(i) = close {
        state.toasts.remove(i);
    }
}
