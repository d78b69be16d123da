//! Times of day and dates as Woosmap writes them, read leniently and written canonically.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A time of day in whole minutes since midnight, `0..=1439` (00:00 to 23:59).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    pub const LAST_MINUTE: TimeOfDay = TimeOfDay(23 * 60 + 59);

    /// A time from hours and minutes; `None` outside 00:00..=23:59.
    pub fn from_hm(hours: u32, minutes: u32) -> Option<TimeOfDay> {
        if hours < 24 && minutes < 60 {
            u16::try_from(hours * 60 + minutes).ok().map(TimeOfDay)
        } else {
            None
        }
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    pub fn hour(self) -> u32 {
        u32::from(self.0 / 60)
    }

    pub fn minute(self) -> u32 {
        u32::from(self.0 % 60)
    }

    /// Reads `H:MM`, `HH:MM`, `HH:MM:00`, `HHhMM` and `H.MM`, with surrounding spaces.
    pub fn parse_lenient(text: &str) -> Option<TimeOfDay> {
        // The usual spelling, `HH:MM`, read directly: what the general reading below gives.
        if let [h1, h2, b':', m1, m2] = *text.as_bytes()
            && [h1, h2, m1, m2].iter().all(u8::is_ascii_digit)
        {
            let two = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
            return TimeOfDay::from_hm(two(h1, h2), two(m1, m2));
        }
        let t = text.trim();
        let sep = t.find([':', 'h', 'H', '.'])?;
        let (h, rest) = t.split_at(sep);
        let rest = &rest[1..];
        let (m, seconds) = match rest.split_once(':') {
            Some((m, s)) => (m, Some(s)),
            None => (rest, None),
        };
        if h.is_empty() || h.len() > 2 || m.len() != 2 || !all_digits(h) || !all_digits(m) {
            return None;
        }
        if let Some(s) = seconds
            && s != "00"
        {
            return None;
        }
        TimeOfDay::from_hm(h.parse().ok()?, m.parse().ok()?)
    }
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

impl TimeOfDay {
    /// The canonical `HH:MM` bytes, without going through the formatting machinery.
    pub(crate) fn hh_mm(self) -> [u8; 5] {
        let (h, m) = (self.hour(), self.minute());
        let digit = |n: u32| b'0' + (n % 10) as u8;
        [digit(h / 10), digit(h), b':', digit(m / 10), digit(m)]
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.hh_mm();
        // Always ASCII digits and a colon.
        f.write_str(std::str::from_utf8(&bytes).unwrap_or("00:00"))
    }
}

/// A time field of an opening period as found in a file: either a readable time (remembering
/// the original spelling when it was not canonical) or text that could not be read, kept as is
/// so that nothing the user had is lost.
#[derive(Clone, Debug)]
pub enum Time {
    Valid {
        time: TimeOfDay,
        /// The original text when it differed from the canonical `HH:MM`.
        written_as: Option<Box<str>>,
    },
    Invalid(String),
}

impl Time {
    pub fn new(time: TimeOfDay) -> Time {
        Time::Valid {
            time,
            written_as: None,
        }
    }

    pub fn parse(text: &str) -> Time {
        match TimeOfDay::parse_lenient(text) {
            Some(time) => Time::Valid {
                time,
                written_as: (time.hh_mm() != text.as_bytes()).then(|| text.into()),
            },
            None => Time::Invalid(text.to_owned()),
        }
    }

    pub fn time(&self) -> Option<TimeOfDay> {
        match self {
            Time::Valid { time, .. } => Some(*time),
            Time::Invalid(_) => None,
        }
    }

    /// The original spelling when it will be written differently (`"6:00"` becomes `"06:00"`).
    pub fn normalised_from(&self) -> Option<&str> {
        match self {
            Time::Valid { written_as, .. } => written_as.as_deref(),
            Time::Invalid(_) => None,
        }
    }

    /// The text this time is written as.
    pub fn text(&self) -> String {
        match self {
            Time::Valid { time, .. } => time.to_string(),
            Time::Invalid(raw) => raw.clone(),
        }
    }
}

impl From<TimeOfDay> for Time {
    fn from(time: TimeOfDay) -> Time {
        Time::new(time)
    }
}

impl PartialEq for Time {
    fn eq(&self, other: &Time) -> bool {
        match (self, other) {
            (Time::Valid { time: a, .. }, Time::Valid { time: b, .. }) => a == b,
            (Time::Invalid(a), Time::Invalid(b)) => a == b,
            _ => false,
        }
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Always ASCII digits and a colon.
            Time::Valid { time, .. } => {
                s.serialize_str(std::str::from_utf8(&time.hh_mm()).unwrap_or("00:00"))
            }
            Time::Invalid(raw) => s.serialize_str(raw),
        }
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let crate::model::object::Text(text) = Deserialize::deserialize(d)?;
        Ok(Time::parse(&text))
    }
}

/// Reads a `YYYY-MM-DD` date as the API writes it.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() != 10 {
        return None;
    }
    // The usual spelling, `DDDD-DD-DD`, read directly; chrono's parser (which accepts a few
    // other spellings of ten characters, such as `+2025-1-02`) for anything else.
    let b = t.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
    {
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lenient_times_and_writes_them_canonically() {
        for (text, canonical) in [
            ("6:00", "06:00"),
            ("06:00", "06:00"),
            (" 9:30 ", "09:30"),
            ("23:59", "23:59"),
            ("00:00", "00:00"),
            ("08:15:00", "08:15"),
            ("8h30", "08:30"),
            ("8.30", "08:30"),
        ] {
            let t = Time::parse(text);
            assert_eq!(t.text(), canonical, "{text}");
            assert_eq!(t.normalised_from().is_some(), text != canonical, "{text}");
        }
    }

    #[test]
    fn keeps_unreadable_times_as_written() {
        for text in [
            "24:00", "25:00", "12:60", "noon", "", "1230", "12:3", "123:00", "08:15:30",
        ] {
            let t = Time::parse(text);
            assert_eq!(t, Time::Invalid(text.to_owned()), "{text}");
            assert_eq!(t.text(), text);
        }
    }

    #[test]
    fn equal_times_compare_equal_whatever_their_spelling() {
        assert_eq!(Time::parse("6:00"), Time::parse("06:00"));
        assert_ne!(Time::parse("6:00"), Time::parse("06:01"));
    }

    #[test]
    fn the_quick_date_reader_agrees_with_chrono() {
        let mut texts: Vec<String> = [
            "2025-12-24",
            "2025-02-29",
            "2024-02-29",
            "0000-01-01",
            "9999-12-31",
            "2025-00-10",
            "2025-13-01",
            "2025-01-00",
            "2025-01-32",
            "2025-04-31",
            "+2025-1-02",
            "-2025-1-02",
            "2025-1-022",
            "2025/01/02",
            "2025-01-0a",
            "a025-01-02",
            " 2025-01-02",
            "2025--1-02",
            "2025-+1-02",
            "2025-01-+2",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for y in [0, 1, 999, 1900, 2000, 2024, 2025, 2100] {
            for m in 0..=13 {
                for d in [0, 1, 28, 29, 30, 31, 32] {
                    texts.push(format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        for t in texts {
            let chrono_reads = if t.trim().len() == 10 {
                NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok()
            } else {
                None
            };
            assert_eq!(parse_date(&t), chrono_reads, "{t}");
        }
    }

    #[test]
    fn the_quick_time_reader_agrees_with_the_general_one() {
        let general = |text: &str| {
            let t = text.trim();
            let sep = t.find([':', 'h', 'H', '.'])?;
            let (h, rest) = t.split_at(sep);
            let m = &rest[1..];
            if h.is_empty() || h.len() > 2 || m.len() != 2 || !all_digits(h) || !all_digits(m) {
                return None;
            }
            TimeOfDay::from_hm(h.parse().ok()?, m.parse().ok()?)
        };
        for h in 0..=99 {
            for m in 0..=99 {
                let text = format!("{h:02}:{m:02}");
                assert_eq!(TimeOfDay::parse_lenient(&text), general(&text), "{text}");
            }
        }
    }

    #[test]
    fn times_display_as_hh_mm() {
        for minutes in 0..1440u32 {
            let t = TimeOfDay::from_hm(minutes / 60, minutes % 60).expect("valid");
            assert_eq!(t.to_string(), format!("{:02}:{:02}", t.hour(), t.minute()));
        }
    }

    #[test]
    fn dates_must_be_iso() {
        assert!(parse_date("2025-12-24").is_some());
        assert!(parse_date("2025-02-30").is_none());
        assert!(parse_date("24/12/2025").is_none());
        assert!(parse_date("2025-1-2").is_none());
    }
}
