//! Opening-hours rules.

use chrono_tz::Tz;

use super::location::{self, TrustedPoint};
use super::{Code, Context, Finding};
use crate::hours::{DayKey, OpeningHours, Period, PeriodPlace, Span, parse_date};
use crate::model::countries::{self, Country};

pub(super) fn check(
    hours: &OpeningHours,
    country: Option<&Country>,
    point: Option<TrustedPoint>,
    ctx: &Context,
    out: &mut Vec<Finding>,
) {
    check_timezone(hours, country, point, ctx, out);
    for key in hours.usual.iter().flat_map(|u| u.keys()) {
        if let DayKey::Other(k) = key {
            out.push(Finding::new(
                Code::DayKeyUnknown,
                format!("openingHours.usual.{k}"),
                format!(
                    "\"{k}\" is not a day of the week: use \"1\" (Monday) to \"7\" (Sunday) or \"default\"."
                ),
            ));
        }
    }
    for date in hours.special.iter().flat_map(|s| s.keys()) {
        let path = || format!("openingHours.special.{date}");
        match parse_date(date) {
            None => out.push(Finding::new(
                Code::DateInvalid,
                path(),
                format!("Special day \"{date}\" is not a date written YYYY-MM-DD."),
            )),
            Some(d) if d < ctx.today => out.push(Finding::new(
                Code::SpecialDayPast,
                path(),
                format!("Special day {date} is in the past; it can be removed."),
            )),
            Some(_) => {}
        }
    }
    for (i, c) in hours.temporary_closure.iter().flatten().enumerate() {
        let path = || format!("openingHours.temporary_closure[{i}]");
        let start = parse_date(&c.start);
        let end = parse_date(&c.end);
        for (field, text, parsed) in [("start", &c.start, start), ("end", &c.end, end)] {
            if parsed.is_none() {
                out.push(Finding::new(
                    Code::DateInvalid,
                    format!("{}.{field}", path()),
                    format!("Closure {field} \"{text}\" is not a date written YYYY-MM-DD."),
                ));
            }
        }
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                out.push(Finding::new(
                    Code::ClosureOrder,
                    path(),
                    format!("The closure ends ({e}) before it starts ({s})."),
                ));
            } else if e < ctx.today {
                out.push(Finding::new(
                    Code::ClosurePast,
                    path(),
                    format!("The closure from {s} to {e} is over; it can be removed."),
                ));
            }
        }
    }
    check_periods(hours, out);
}

/// The time zone: present, known, used in the address's country and keeping the time of the
/// location. When the location can be trusted (it is in the address's country) and the zone
/// does not fit it, only that finding is given: it names the zone to use, where the country's
/// finding would say the same thing less precisely.
fn check_timezone(
    hours: &OpeningHours,
    country: Option<&Country>,
    point: Option<TrustedPoint>,
    ctx: &Context,
    out: &mut Vec<Finding>,
) {
    let path = "openingHours.timezone";
    let Some(tz) = hours.timezone.as_deref() else {
        out.push(Finding::new(
            Code::TimezoneMissing,
            path,
            "The opening hours have no time zone, so the API cannot tell whether the store is open now; pick one such as Europe/Paris.",
        ));
        return;
    };
    if tz.parse::<Tz>().is_err() {
        out.push(Finding::new(
            Code::TimezoneUnknown,
            path,
            format!("\"{tz}\" is not an IANA time zone; pick one such as Europe/Paris."),
        ));
        return;
    }
    if let Some(finding) = point.and_then(|p| location::timezone_finding(tz, p, ctx.today)) {
        out.push(finding);
        return;
    }
    let Some(country) = country else {
        return;
    };
    let zone_countries = countries::countries_of_zone(tz);
    if !zone_countries.is_empty() && !zone_countries.iter().any(|c| c.alpha2 == country.alpha2) {
        let suggestion = match country.zones.as_slice() {
            [one] => format!(" The time zone of {} is {one}.", country.name),
            _ => String::new(),
        };
        out.push(Finding::new(
            Code::TimezoneCountry,
            path,
            format!(
                "Time zone {tz} is not used in {} ({}): check the time zone or the country.{suggestion}",
                country.name, country.alpha2
            ),
        ));
    }
}

fn check_periods(hours: &OpeningHours, out: &mut Vec<Finding>) {
    // The periods of one day are checked for overlaps together; a day is a run of periods whose
    // places have the same path, and its path and label are those of its first place.
    let mut day: Option<PeriodPlace<'_>> = None;
    let mut spans: Vec<(usize, Span)> = Vec::new();
    let flush =
        |day: &Option<PeriodPlace<'_>>, spans: &mut Vec<(usize, Span)>, out: &mut Vec<Finding>| {
            if let Some(place) = day {
                check_overlap(place, spans, out);
            }
            spans.clear();
        };
    for (place, i, period) in hours.all_periods() {
        if !day.as_ref().is_some_and(|d| same_path(d, &place)) {
            flush(&day, &mut spans, out);
            day = Some(place);
        }
        if let Some(span) = check_period(&place, i, period, out) {
            spans.push((i, span));
        }
    }
    flush(&day, &mut spans, out);
}

/// Whether two places have the same `path()`, without writing the paths out.
fn same_path(a: &PeriodPlace, b: &PeriodPlace) -> bool {
    match (a, b) {
        (PeriodPlace::Usual(x), PeriodPlace::Usual(y)) => match (x, y) {
            // A key kept as written can read like a known one ("default", "1").
            (DayKey::Other(k), other) | (other, DayKey::Other(k)) => *k == other.to_string(),
            _ => x == y,
        },
        (PeriodPlace::Special(x), PeriodPlace::Special(y)) => x == y,
        // `openingHours.usual.…` and `openingHours.special.…` never meet.
        _ => false,
    }
}

fn check_period(place: &PeriodPlace, i: usize, p: &Period, out: &mut Vec<Finding>) -> Option<Span> {
    // Paths and labels are only written out for a finding.
    let path = || format!("{}[{i}]", place.path());
    if p.is_all_day() {
        if p.start.is_some() || p.end.is_some() {
            let label = place.label();
            out.push(Finding::new(
                Code::PeriodAllDayWithTimes,
                path(),
                format!(
                    "A period of {label} is all-day and also has times; the times are ignored."
                ),
            ));
        }
        return p.minutes();
    }
    let mut readable = true;
    for (field, time) in [("start", &p.start), ("end", &p.end)] {
        match time {
            None => {
                readable = false;
                let label = place.label();
                out.push(Finding::new(
                    Code::PeriodIncomplete,
                    format!("{}.{field}", path()),
                    format!("A period of {label} has no {field} time."),
                ));
            }
            Some(t) if t.time().is_none() => {
                readable = false;
                out.push(Finding::new(
                    Code::TimeInvalid,
                    format!("{}.{field}", path()),
                    format!(
                        "\"{}\" is not a time: write it HH:MM, from 00:00 to 23:59.",
                        t.text()
                    ),
                ));
            }
            Some(t) => {
                if let Some(original) = t.normalised_from() {
                    out.push(Finding::new(
                        Code::TimeNormalised,
                        format!("{}.{field}", path()),
                        format!("\"{original}\" will be written \"{}\".", t.text()),
                    ));
                }
            }
        }
    }
    if !readable {
        return None;
    }
    let (start, end) = (p.start.as_ref()?.time()?, p.end.as_ref()?.time()?);
    if end <= start {
        let label = place.label();
        let message = if end < start {
            format!(
                "A period of {label} runs from {start} to {end}, across midnight; the API needs it split into {start}-23:59 and 00:00-{end} on the next day."
            )
        } else {
            format!("A period of {label} starts and ends at {start}.")
        };
        out.push(Finding::new(Code::PeriodOrder, path(), message));
        return None;
    }
    p.minutes()
}

/// Sorts the spans of a day (stably, by span) and reports each one that starts before the one
/// before it ends.
fn check_overlap(place: &PeriodPlace, spans: &mut [(usize, Span)], out: &mut Vec<Finding>) {
    spans.sort_by_key(|(_, s)| *s);
    let mut day: Option<(String, String)> = None;
    for pair in spans.windows(2) {
        let ((i, a), (j, b)) = (pair[0], pair[1]);
        if b.start < a.end {
            let (path, label) = day.get_or_insert_with(|| (place.path(), place.label()));
            out.push(Finding::new(
                Code::PeriodOverlap,
                format!("{path}[{j}]"),
                format!(
                    "Periods {} and {} of {label} overlap.",
                    i.min(j) + 1,
                    i.max(j) + 1
                ),
            ));
        }
    }
}
