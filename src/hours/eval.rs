//! The evaluator: which hours apply on a date (temporary closure, then special day, then the
//! weekday, then `default`, else closed) and whether a store is open at an instant, read on the
//! wall clock of the store's time zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

use super::{DayKey, OpeningHours, Period, TimeOfDay, parse_date};

/// Minutes of a day a store is open, `start` included, `end` excluded (`1440` = midnight).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: u16,
    pub end: u16,
}

impl Span {
    pub fn contains(&self, minute: u16) -> bool {
        self.start <= minute && minute < self.end
    }

    /// As the API writes a period: `end` is `23:59` for a span that runs to midnight.
    pub fn to_period(self) -> Period {
        if self.start == 0 && self.end >= 1440 {
            return Period::all_day();
        }
        let at = |m: u16| TimeOfDay::from_hm(u32::from(m / 60), u32::from(m % 60));
        let end = if self.end >= 1440 {
            Some(TimeOfDay::LAST_MINUTE)
        } else {
            at(self.end)
        };
        match (at(self.start), end) {
            (Some(s), Some(e)) => Period::span(s, e),
            _ => Period::all_day(),
        }
    }
}

/// Which rule gave a date its hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    TemporaryClosure,
    Special,
    Weekday(u8),
    Default,
    /// No rule applies: the store is closed.
    NoRule,
}

/// The effective hours of one date.
#[derive(Clone, Debug, PartialEq)]
pub struct DayHours {
    pub date: NaiveDate,
    pub source: Source,
    /// Sorted, overlapping periods merged.
    pub spans: Vec<Span>,
}

impl DayHours {
    pub fn is_closed(&self) -> bool {
        self.spans.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("the opening hours have no time zone, so the local time at the store is not known")]
    NoTimezone,
    #[error("\"{0}\" is not an IANA time zone name such as Europe/Paris")]
    UnknownTimezone(String),
}

/// The next time a store opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NextOpening {
    pub date: NaiveDate,
    pub span: Span,
}

/// Whether a store is open at an instant, and what its day looks like there.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenStatus {
    pub open_now: bool,
    pub local_time: NaiveDateTime,
    /// 1 = Monday .. 7 = Sunday, at the store.
    pub week_day: u8,
    pub today: DayHours,
    pub current: Option<Span>,
    /// The next opening after the instant, searched over the following year.
    pub next_opening: Option<NextOpening>,
}

impl OpeningHours {
    /// The time zone, parsed.
    pub fn tz(&self) -> Result<Tz, HoursError> {
        let name = self.timezone.as_deref().ok_or(HoursError::NoTimezone)?;
        name.parse::<Tz>()
            .map_err(|_| HoursError::UnknownTimezone(name.to_owned()))
    }

    /// The hours that apply on a date.
    pub fn on_date(&self, date: NaiveDate) -> DayHours {
        let closed = |source| DayHours {
            date,
            source,
            spans: Vec::new(),
        };
        let in_closure = self.temporary_closure.iter().flatten().any(|c| {
            match (parse_date(&c.start), parse_date(&c.end)) {
                (Some(start), Some(end)) => start <= date && date <= end,
                _ => false,
            }
        });
        if in_closure {
            return closed(Source::TemporaryClosure);
        }
        let key = date.format("%Y-%m-%d").to_string();
        if let Some(periods) = self.special.as_ref().and_then(|s| s.get(&key)) {
            return DayHours {
                date,
                source: Source::Special,
                spans: merged_spans(periods),
            };
        }
        let weekday = weekday_number(date);
        let usual = self.usual.as_ref();
        if let Some(periods) = usual.and_then(|u| u.get(&DayKey::Weekday(weekday))) {
            return DayHours {
                date,
                source: Source::Weekday(weekday),
                spans: merged_spans(periods),
            };
        }
        if let Some(periods) = usual.and_then(|u| u.get(&DayKey::Default)) {
            return DayHours {
                date,
                source: Source::Default,
                spans: merged_spans(periods),
            };
        }
        closed(Source::NoRule)
    }

    /// The hours of the seven days, Monday to Sunday, of the week that holds `date`.
    pub fn week_of(&self, date: NaiveDate) -> Vec<DayHours> {
        let monday = date - Duration::days(i64::from(weekday_number(date)) - 1);
        (0..7)
            .map(|i| self.on_date(monday + Duration::days(i)))
            .collect()
    }

    /// Whether the store is open at `at`, on the wall clock of its time zone.
    pub fn is_open_at(&self, at: DateTime<Utc>) -> Result<bool, HoursError> {
        Ok(self.status_at(at)?.open_now)
    }

    pub fn status_at(&self, at: DateTime<Utc>) -> Result<OpenStatus, HoursError> {
        let local = at.with_timezone(&self.tz()?).naive_local();
        let date = local.date();
        let minute = u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(0);
        let today = self.on_date(date);
        let current = today.spans.iter().copied().find(|s| s.contains(minute));
        let later_today = today
            .spans
            .iter()
            .copied()
            .find(|s| s.start > minute)
            .map(|span| NextOpening { date, span });
        let next_opening = later_today.or_else(|| {
            (1..=366).find_map(|i| {
                let day = date + Duration::days(i);
                self.on_date(day)
                    .spans
                    .first()
                    .map(|&span| NextOpening { date: day, span })
            })
        });
        Ok(OpenStatus {
            open_now: current.is_some(),
            local_time: local,
            week_day: weekday_number(date),
            today,
            current,
            next_opening,
        })
    }
}

/// 1 = Monday .. 7 = Sunday.
pub fn weekday_number(date: NaiveDate) -> u8 {
    u8::try_from(date.weekday().number_from_monday()).unwrap_or(1)
}

fn merged_spans(periods: &[Period]) -> Vec<Span> {
    let mut spans: Vec<Span> = periods.iter().filter_map(Period::minutes).collect();
    spans.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hours(json: &str) -> OpeningHours {
        serde_json::from_str(json).expect("valid hours")
    }

    fn date(s: &str) -> NaiveDate {
        parse_date(s).expect("valid date")
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid instant")
    }

    fn span(start: u16, end: u16) -> Span {
        Span { start, end }
    }

    const PARIS: &str = r#"{"timezone": "Europe/Paris",
        "usual": {"1": [], "default": [{"start": "08:30", "end": "12:00"}, {"start": "14:00", "end": "19:30"}],
                  "6": [{"start": "09:00", "end": "23:59"}]},
        "special": {"2025-12-24": [{"start": "09:00", "end": "16:00"}], "2025-12-25": []},
        "temporary_closure": [{"start": "2025-08-04", "end": "2025-08-10"}]}"#;

    #[test]
    fn ordinary_days_use_the_weekday_then_the_default() {
        let h = hours(PARIS);
        // 2025-12-01 is a Monday: closed by its own key.
        let monday = h.on_date(date("2025-12-01"));
        assert_eq!(monday.source, Source::Weekday(1));
        assert!(monday.is_closed());
        // Tuesday falls back to the default, with its split shift.
        let tuesday = h.on_date(date("2025-12-02"));
        assert_eq!(tuesday.source, Source::Default);
        assert_eq!(tuesday.spans, vec![span(510, 720), span(840, 1170)]);
        // Saturday runs to midnight.
        assert_eq!(h.on_date(date("2025-12-06")).spans, vec![span(540, 1440)]);
    }

    #[test]
    fn special_days_override_the_week_and_closures_override_everything() {
        let h = hours(PARIS);
        let eve = h.on_date(date("2025-12-24"));
        assert_eq!(eve.source, Source::Special);
        assert_eq!(eve.spans, vec![span(540, 960)]);
        let christmas = h.on_date(date("2025-12-25"));
        assert_eq!(christmas.source, Source::Special);
        assert!(christmas.is_closed());
        for d in ["2025-08-04", "2025-08-07", "2025-08-10"] {
            assert_eq!(h.on_date(date(d)).source, Source::TemporaryClosure, "{d}");
        }
        assert_eq!(h.on_date(date("2025-08-11")).source, Source::Weekday(1));
        assert_eq!(h.on_date(date("2025-08-12")).source, Source::Default);
    }

    #[test]
    fn no_rule_means_closed() {
        let h = hours(
            r#"{"timezone": "Europe/London", "usual": {"6": [{"start": "09:00", "end": "14:00"}]}}"#,
        );
        let friday = h.on_date(date("2025-12-05"));
        assert_eq!(friday.source, Source::NoRule);
        assert!(friday.is_closed());
    }

    #[test]
    fn open_at_reads_the_store_wall_clock() {
        let h = hours(PARIS);
        // Tuesday 2025-12-02, Paris is UTC+1: 07:45 UTC = 08:45 local, open.
        assert_eq!(h.is_open_at(utc(2025, 12, 2, 7, 45)), Ok(true));
        // 11:30 UTC = 12:30 local: lunch break.
        let lunch = h.status_at(utc(2025, 12, 2, 11, 30)).expect("status");
        assert!(!lunch.open_now);
        assert_eq!(
            lunch.next_opening,
            Some(NextOpening {
                date: date("2025-12-02"),
                span: span(840, 1170)
            })
        );
        // Saturday 22:58 UTC = 23:58 local: still open until midnight.
        assert_eq!(h.is_open_at(utc(2025, 12, 6, 22, 58)), Ok(true));
        // Sunday night after closing: next opening skips closed Monday to Tuesday.
        let sunday = h.status_at(utc(2025, 12, 7, 20, 0)).expect("status");
        assert!(!sunday.open_now);
        assert_eq!(sunday.week_day, 7);
        assert_eq!(
            sunday.next_opening.map(|n| n.date),
            Some(date("2025-12-09"))
        );
    }

    #[test]
    fn spring_forward_day_follows_the_wall_clock() {
        // Europe/Paris jumps from 02:00 to 03:00 on Sunday 2025-03-30 (01:00 UTC).
        let h = hours(
            r#"{"timezone": "Europe/Paris", "usual": {"7": [{"start": "01:00", "end": "01:59"}, {"start": "03:00", "end": "04:00"}]}}"#,
        );
        // 00:30 UTC = 01:30 CET: open.
        assert_eq!(h.is_open_at(utc(2025, 3, 30, 0, 30)), Ok(true));
        // 01:30 UTC = 03:30 CEST: open in the second period.
        let s = h.status_at(utc(2025, 3, 30, 1, 30)).expect("status");
        assert!(s.open_now);
        assert_eq!(s.local_time.hour(), 3);
        // 02:30 UTC = 04:30 CEST: closed.
        assert_eq!(h.is_open_at(utc(2025, 3, 30, 2, 30)), Ok(false));
    }

    #[test]
    fn fall_back_day_is_open_through_the_repeated_hour() {
        // Europe/Paris goes back from 03:00 to 02:00 on Sunday 2025-10-26 (01:00 UTC).
        let h = hours(
            r#"{"timezone": "Europe/Paris", "usual": {"7": [{"start": "02:00", "end": "03:00"}]}}"#,
        );
        // 00:30 UTC = 02:30 CEST and 01:30 UTC = 02:30 CET: both inside 02:00-03:00.
        assert_eq!(h.is_open_at(utc(2025, 10, 26, 0, 30)), Ok(true));
        assert_eq!(h.is_open_at(utc(2025, 10, 26, 1, 30)), Ok(true));
        // 02:30 UTC = 03:30 CET: closed.
        assert_eq!(h.is_open_at(utc(2025, 10, 26, 2, 30)), Ok(false));
        // New York changes on another date: 2025-11-02, at 06:00 UTC.
        let ny = hours(
            r#"{"timezone": "America/New_York", "usual": {"default": [{"start": "00:00", "end": "01:30"}]}}"#,
        );
        // 05:15 UTC = 01:15 EDT, 06:15 UTC = 01:15 EST: open both times; 06:45 UTC = 01:45 EST closed.
        assert_eq!(ny.is_open_at(utc(2025, 11, 2, 5, 15)), Ok(true));
        assert_eq!(ny.is_open_at(utc(2025, 11, 2, 6, 15)), Ok(true));
        assert_eq!(ny.is_open_at(utc(2025, 11, 2, 6, 45)), Ok(false));
    }

    #[test]
    fn a_timezone_is_needed_to_know_the_local_time() {
        let none = hours(r#"{"usual": {"default": [{"all-day": true}]}}"#);
        assert_eq!(
            none.is_open_at(utc(2025, 1, 1, 0, 0)),
            Err(HoursError::NoTimezone)
        );
        let bad = hours(r#"{"timezone": "Europe/Pariss"}"#);
        assert_eq!(
            bad.is_open_at(utc(2025, 1, 1, 0, 0)),
            Err(HoursError::UnknownTimezone("Europe/Pariss".into()))
        );
    }

    #[test]
    fn overlapping_periods_merge_and_bad_ones_are_skipped() {
        let h = hours(
            r#"{"timezone": "UTC", "usual": {"default": [{"start": "10:00", "end": "14:00"}, {"start": "08:00", "end": "11:00"}, {"start": "xx", "end": "12:00"}, {"start": "20:00", "end": "19:00"}]}}"#,
        );
        assert_eq!(h.on_date(date("2025-01-01")).spans, vec![span(480, 840)]);
    }

    #[test]
    fn week_of_runs_monday_to_sunday() {
        let h = hours(PARIS);
        let week = h.week_of(date("2025-12-25"));
        assert_eq!(week.len(), 7);
        assert_eq!(week[0].date, date("2025-12-22"));
        assert_eq!(week[3].source, Source::Special);
        assert_eq!(week[6].date, date("2025-12-28"));
    }

    #[test]
    fn spans_write_back_as_api_periods() {
        assert_eq!(span(0, 1440).to_period(), Period::all_day());
        let p = span(600, 1440).to_period();
        assert_eq!(p.end.map(|t| t.text()), Some("23:59".to_owned()));
    }
}
