//! A week of opening hours drawn as seven bars from midnight to midnight, each named in words
//! for screen readers and in its tooltip.

use chrono::NaiveDate;
use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, StrokeKind, pos2, vec2};

use crate::hours::DayLine;

/// Open hours of a usual day.
const OPEN: Color32 = Color32::from_rgb(60, 150, 80);
/// Open hours of a special day.
const SPECIAL: Color32 = Color32::from_rgb(70, 110, 210);
/// A day inside a temporary closure.
const CLOSURE: Color32 = Color32::from_rgb(225, 150, 30);

const NAME_WIDTH: f32 = 80.0;
const BAR_HEIGHT: f32 = 14.0;

pub(super) fn show(ui: &mut egui::Ui, lines: &[DayLine], today: NaiveDate) {
    let width = ui.available_width().clamp(NAME_WIDTH + 120.0, 720.0);
    let visuals = ui.visuals().clone();
    let small = FontId::proportional(10.0);
    let bar_x = |rect: Rect| (rect.left() + NAME_WIDTH, rect.right() - 12.0);

    // The hours above the bars.
    let (scale, _) = ui.allocate_exact_size(vec2(width, 12.0), Sense::hover());
    let (left, right) = bar_x(scale);
    let at = |hour: f32| left + (right - left) * hour / 24.0;
    for hour in (0..=24).step_by(3) {
        ui.painter().text(
            pos2(at(hour as f32), scale.bottom()),
            Align2::CENTER_BOTTOM,
            format!("{hour:02}"),
            small.clone(),
            visuals.weak_text_color(),
        );
    }

    for line in lines {
        let (row, response) = ui.allocate_exact_size(vec2(width, BAR_HEIGHT + 6.0), Sense::hover());
        let painter = ui.painter();
        let is_today = line.date == today;
        let name_colour = if is_today {
            visuals.strong_text_color()
        } else {
            visuals.text_color()
        };
        painter.text(
            pos2(row.left(), row.center().y),
            Align2::LEFT_CENTER,
            line.date.format("%a %-d %b").to_string(),
            FontId::proportional(if is_today { 13.0 } else { 12.0 }),
            name_colour,
        );
        let (left, right) = bar_x(row);
        let bar = Rect::from_min_max(pos2(left, row.top() + 3.0), pos2(right, row.bottom() - 3.0));
        let background = if line.is_closure() {
            CLOSURE.gamma_multiply(0.45)
        } else {
            visuals.extreme_bg_color
        };
        painter.rect_filled(bar, 2.0, background);
        let fill = if line.is_special() { SPECIAL } else { OPEN };
        let x = |minute: u16| left + (right - left) * f32::from(minute) / 1440.0;
        for span in &line.spans {
            let open = Rect::from_min_max(
                pos2(x(span.start), bar.top()),
                pos2(x(span.end), bar.bottom()),
            );
            painter.rect_filled(open, 0.0, fill);
        }
        let tick = Stroke::new(1.0, visuals.weak_text_color().gamma_multiply(0.5));
        for hour in 1..24u16 {
            let h = x(hour * 60);
            let top = if hour % 6 == 0 {
                bar.top()
            } else {
                bar.bottom() - bar.height() / 3.0
            };
            painter.line_segment([pos2(h, top), pos2(h, bar.bottom())], tick);
        }
        let outline = if is_today {
            Stroke::new(2.0, visuals.selection.stroke.color)
        } else if line.is_special() {
            Stroke::new(1.0, SPECIAL)
        } else {
            Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color)
        };
        painter.rect_stroke(bar, 2.0, outline, StrokeKind::Outside);

        let mut words = line.words();
        if is_today {
            words.push_str(" (today)");
        }
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &words));
        response.on_hover_text(words);
    }

    ui.horizontal_wrapped(|ui| {
        for (colour, text) in [
            (OPEN, "open"),
            (SPECIAL, "special day"),
            (CLOSURE, "temporary closure"),
        ] {
            let (r, _) = ui.allocate_exact_size(vec2(10.0, 10.0), Sense::hover());
            ui.painter().rect_filled(r, 2.0, colour);
            ui.label(egui::RichText::new(text).small());
        }
        ui.label(egui::RichText::new("today is outlined").small());
    });
}
