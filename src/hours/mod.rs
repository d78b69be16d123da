//! Opening hours: Woosmap's model (`timezone`, `usual`, `special`, `temporary_closure`), read
//! leniently and written canonically, and an evaluator that says what a store's hours are on a
//! date and whether it is open at an instant.

mod edit;
mod eval;
mod time;

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub use edit::{
    CopyTo, Day, DayLine, DayState, EditError, add_closure, add_period, add_special_day, copy_day,
    day_periods, day_state, describe_date, describe_open_at, edit_period, monday_of, nothing_set,
    parse_date_time, parse_time, read_closure, read_date, remove_closure, remove_period,
    remove_special_day, search_timezones, set_state, set_timezone, span_words, week_picture,
};
pub use eval::{DayHours, HoursError, NextOpening, OpenStatus, Source, Span, weekday_number};
pub use time::{Time, TimeOfDay, parse_date};

use crate::model::object::deserialize_keeping_unknown;

/// The key of a `usual` entry: a weekday (`"1"` = Monday .. `"7"` = Sunday), `"default"`, or
/// anything else found in a file (kept, and reported by validation).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DayKey {
    Default,
    Weekday(u8),
    Other(String),
}

impl DayKey {
    pub fn parse(key: &str) -> DayKey {
        match key {
            "default" => DayKey::Default,
            "1" | "2" | "3" | "4" | "5" | "6" | "7" => {
                DayKey::Weekday(key.as_bytes()[0].saturating_sub(b'0'))
            }
            other => DayKey::Other(other.to_owned()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            DayKey::Default => 0,
            DayKey::Weekday(n) => *n,
            DayKey::Other(_) => 8,
        }
    }

    /// The English name a store manager reads.
    pub fn label(&self) -> String {
        match self {
            DayKey::Default => "every day (default)".to_owned(),
            DayKey::Weekday(n) => weekday_name(*n).to_owned(),
            DayKey::Other(k) => format!("\"{k}\""),
        }
    }
}

/// Monday for 1 .. Sunday for 7.
pub fn weekday_name(n: u8) -> &'static str {
    match n {
        1 => "Monday",
        2 => "Tuesday",
        3 => "Wednesday",
        4 => "Thursday",
        5 => "Friday",
        6 => "Saturday",
        7 => "Sunday",
        _ => "an unknown day",
    }
}

impl fmt::Display for DayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayKey::Default => f.write_str("default"),
            DayKey::Weekday(n) => write!(f, "{n}"),
            DayKey::Other(k) => f.write_str(k),
        }
    }
}

impl Ord for DayKey {
    fn cmp(&self, other: &DayKey) -> Ordering {
        match (self, other) {
            (DayKey::Other(a), DayKey::Other(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for DayKey {
    fn partial_cmp(&self, other: &DayKey) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for DayKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        const WEEKDAYS: [&str; 8] = ["0", "1", "2", "3", "4", "5", "6", "7"];
        match self {
            DayKey::Default => s.serialize_str("default"),
            DayKey::Weekday(n) => match WEEKDAYS.get(usize::from(*n)) {
                Some(text) => s.serialize_str(text),
                None => s.collect_str(self),
            },
            DayKey::Other(k) => s.serialize_str(k),
        }
    }
}

impl<'de> Deserialize<'de> for DayKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DayKey, D::Error> {
        let crate::model::object::Text(text) = Deserialize::deserialize(d)?;
        Ok(DayKey::parse(&text))
    }
}

/// One opening period: `{"start": "08:30", "end": "19:30"}` or `{"all-day": true}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Time>,
    #[serde(rename = "all-day", skip_serializing_if = "Option::is_none")]
    pub all_day: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

deserialize_keeping_unknown!(Period { "start" => start, "end" => end, "all-day" => all_day });

impl Period {
    pub fn span(start: TimeOfDay, end: TimeOfDay) -> Period {
        Period {
            start: Some(start.into()),
            end: Some(end.into()),
            ..Period::default()
        }
    }

    pub fn all_day() -> Period {
        Period {
            all_day: Some(true),
            ..Period::default()
        }
    }

    pub fn is_all_day(&self) -> bool {
        self.all_day == Some(true)
    }

    /// The minutes this period covers, end exclusive; `23:59` as an end means midnight.
    /// `None` for a period that cannot be read (validation says why).
    pub fn minutes(&self) -> Option<Span> {
        if self.is_all_day() {
            return Some(Span {
                start: 0,
                end: 1440,
            });
        }
        let start = self.start.as_ref()?.time()?.minutes();
        let end = self.end.as_ref()?.time()?;
        let end = if end == TimeOfDay::LAST_MINUTE {
            1440
        } else {
            end.minutes()
        };
        (start < end).then_some(Span { start, end })
    }
}

/// A temporary closure: the store is closed from `start` to `end`, both dates included.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Closure {
    pub start: String,
    pub end: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

deserialize_keeping_unknown!(Closure { "start" => start, "end" => end });

/// A store's opening hours.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OpeningHours {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usual: Option<BTreeMap<DayKey, Vec<Period>>>,
    /// Keyed by `YYYY-MM-DD`; kept sorted, so by date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub special: Option<BTreeMap<String, Vec<Period>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_closure: Option<Vec<Closure>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

deserialize_keeping_unknown!(OpeningHours {
    "timezone" => timezone,
    "usual" => usual as PeriodsBy<DayKey>,
    "special" => special as PeriodsBy<String>,
    "temporary_closure" => temporary_closure as OptionalList<Closure>,
});

// `usual`, `special` and `temporary_closure` are read as serde reads them, except that each
// list is allocated to the size it has: a day has one or two periods and a store one closure
// or none, where a `Vec` grown one push at a time keeps room for four, which for a file of
// stores adds up to much memory to fill and go through.

/// A list read as serde reads a `Vec<T>`, into a `Vec` of its length.
struct List<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for SeqVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<List<T>, A::Error> {
                // Most lists have none, one or two items: those get a `Vec` of that size.
                let Some(a) = seq.next_element()? else {
                    return Ok(List(Vec::new()));
                };
                let Some(b) = seq.next_element()? else {
                    return Ok(List(vec![a]));
                };
                let Some(c) = seq.next_element()? else {
                    return Ok(List(vec![a, b]));
                };
                let mut items = Vec::with_capacity(4);
                items.extend([a, b, c]);
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List(items))
            }
        }
        d.deserialize_seq(SeqVisitor(std::marker::PhantomData))
    }
}

/// An `Option<Vec<T>>` read with `List`.
struct OptionalList<T>(Option<Vec<T>>);

impl<T> From<OptionalList<T>> for Option<Vec<T>> {
    fn from(list: OptionalList<T>) -> Self {
        list.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OptionalList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(OptionalList(
            Option::<List<T>>::deserialize(d)?.map(|list| list.0),
        ))
    }
}

/// An `Option<BTreeMap<K, Vec<Period>>>` read with `List` for each list of periods.
struct PeriodsBy<K>(Option<BTreeMap<K, Vec<Period>>>);

impl<K> From<PeriodsBy<K>> for Option<BTreeMap<K, Vec<Period>>> {
    fn from(p: PeriodsBy<K>) -> Self {
        p.0
    }
}

impl<'de, K: Deserialize<'de> + Ord> Deserialize<'de> for PeriodsBy<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<K>(std::marker::PhantomData<K>);
        impl<'de, K: Deserialize<'de> + Ord> serde::de::Visitor<'de> for MapVisitor<K> {
            type Value = BTreeMap<K, Vec<Period>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut values = BTreeMap::new();
                while let Some((key, periods)) = map.next_entry::<K, List<Period>>()? {
                    values.insert(key, periods.0);
                }
                Ok(values)
            }
        }
        struct Days<K>(BTreeMap<K, Vec<Period>>);
        impl<'de, K: Deserialize<'de> + Ord> Deserialize<'de> for Days<K> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_map(MapVisitor(std::marker::PhantomData))
                    .map(Days)
            }
        }
        Ok(PeriodsBy(
            Option::<Days<K>>::deserialize(d)?.map(|days| days.0),
        ))
    }
}

impl OpeningHours {
    /// Whether both give every weekday the same periods, and have the same time zone,
    /// special days and closures: `{"default": X}` and the seven weekdays each `X` are the
    /// same hours written two ways (a spreadsheet's weekday columns read back, for one).
    pub fn same_hours_as(&self, other: &OpeningHours) -> bool {
        fn day(h: &OpeningHours, n: u8) -> Option<&Vec<Period>> {
            let usual = h.usual.as_ref()?;
            usual
                .get(&DayKey::Weekday(n))
                .or_else(|| usual.get(&DayKey::Default))
        }
        let others = |h: &OpeningHours| -> Vec<(DayKey, Vec<Period>)> {
            h.usual
                .iter()
                .flatten()
                .filter(|(k, _)| matches!(k, DayKey::Other(_)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let special = |h: &OpeningHours| h.special.clone().filter(|s| !s.is_empty());
        let closures = |h: &OpeningHours| h.temporary_closure.clone().filter(|c| !c.is_empty());
        self.timezone == other.timezone
            && (1..=7).all(|n| day(self, n) == day(other, n))
            && others(self) == others(other)
            && special(self) == special(other)
            && closures(self) == closures(other)
            && self.extra == other.extra
    }

    /// Every period with where it sits, for checks that look at all of them.
    pub fn all_periods(&self) -> impl Iterator<Item = (PeriodPlace<'_>, usize, &Period)> {
        let usual = self.usual.iter().flatten().flat_map(|(key, periods)| {
            periods
                .iter()
                .enumerate()
                .map(move |(i, p)| (PeriodPlace::Usual(key), i, p))
        });
        let special = self.special.iter().flatten().flat_map(|(date, periods)| {
            periods
                .iter()
                .enumerate()
                .map(move |(i, p)| (PeriodPlace::Special(date), i, p))
        });
        usual.chain(special)
    }

    /// Adds a period to a weekday (1 = Monday); a period that crosses midnight (22:00 to 02:00)
    /// is split into two same-day periods, the second on the next day, as the API requires.
    /// Returns whether it was split.
    pub fn add_period(&mut self, weekday: u8, start: TimeOfDay, end: TimeOfDay) -> bool {
        let usual = self.usual.get_or_insert_with(BTreeMap::new);
        match split_overnight(start, end) {
            Some((evening, morning)) => {
                let next = weekday % 7 + 1;
                usual
                    .entry(DayKey::Weekday(weekday))
                    .or_default()
                    .push(evening);
                usual
                    .entry(DayKey::Weekday(next))
                    .or_default()
                    .push(morning);
                true
            }
            None => {
                usual
                    .entry(DayKey::Weekday(weekday))
                    .or_default()
                    .push(Period::span(start, end));
                false
            }
        }
    }
}

/// Where a period sits in the opening hours, for messages and field paths.
#[derive(Clone, Copy, Debug)]
pub enum PeriodPlace<'a> {
    Usual(&'a DayKey),
    Special(&'a str),
}

impl PeriodPlace<'_> {
    pub fn path(&self) -> String {
        match self {
            PeriodPlace::Usual(key) => format!("openingHours.usual.{key}"),
            PeriodPlace::Special(date) => format!("openingHours.special.{date}"),
        }
    }

    pub fn label(&self) -> String {
        match self {
            PeriodPlace::Usual(key) => key.label(),
            PeriodPlace::Special(date) => format!("the special day {date}"),
        }
    }
}

/// Splits a period that crosses midnight, such as 22:00 to 02:00, into 22:00-23:59 on its day
/// and 00:00-02:00 on the next. `None` when the period does not cross midnight.
pub fn split_overnight(start: TimeOfDay, end: TimeOfDay) -> Option<(Period, Period)> {
    (end < start).then(|| {
        (
            Period::span(start, TimeOfDay::LAST_MINUTE),
            Period::span(TimeOfDay::MIDNIGHT, end),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> TimeOfDay {
        TimeOfDay::from_hm(h, m).expect("valid time")
    }

    #[test]
    fn the_same_hours_written_two_ways_are_the_same() {
        let read = |json: &str| -> OpeningHours { serde_json::from_str(json).expect("hours") };
        let default = read(
            r#"{"timezone":"Europe/Paris","usual":{"default":[{"start":"09:00","end":"18:00"}]}}"#,
        );
        let every_day = read(
            r#"{"timezone":"Europe/Paris","usual":{"1":[{"start":"09:00","end":"18:00"}],"2":[{"start":"09:00","end":"18:00"}],"3":[{"start":"09:00","end":"18:00"}],"4":[{"start":"09:00","end":"18:00"}],"5":[{"start":"09:00","end":"18:00"}],"6":[{"start":"09:00","end":"18:00"}],"7":[{"start":"09:00","end":"18:00"}]}}"#,
        );
        assert!(default.same_hours_as(&every_day));
        assert!(every_day.same_hours_as(&default));
        let sunday_closed = read(
            r#"{"timezone":"Europe/Paris","usual":{"default":[{"start":"09:00","end":"18:00"}],"7":[]}}"#,
        );
        assert!(!default.same_hours_as(&sunday_closed));
        let london = read(
            r#"{"timezone":"Europe/London","usual":{"default":[{"start":"09:00","end":"18:00"}]}}"#,
        );
        assert!(!default.same_hours_as(&london));
    }

    #[test]
    fn usual_keys_are_written_default_first_then_monday_to_sunday() {
        let hours: OpeningHours = serde_json::from_str(
            r#"{"usual": {"7": [], "monday": [], "1": [], "default": [{"start": "9:00", "end": "18:00"}]}}"#,
        )
        .expect("parses");
        let written = serde_json::to_string(&hours).expect("serialises");
        assert_eq!(
            written,
            r#"{"usual":{"default":[{"start":"09:00","end":"18:00"}],"1":[],"7":[],"monday":[]}}"#
        );
    }

    #[test]
    fn unknown_keys_are_kept_at_every_level() {
        let text = r#"{"timezone":"Europe/Paris","usual":{"1":[{"start":"08:00","end":"12:00","note":"x"}]},"holidays":true}"#;
        let hours: OpeningHours = serde_json::from_str(text).expect("parses");
        assert_eq!(hours.extra.get("holidays"), Some(&Value::Bool(true)));
        assert_eq!(serde_json::to_string(&hours).expect("serialises"), text);
    }

    #[test]
    fn overnight_period_is_split_over_two_days() {
        let mut hours = OpeningHours::default();
        assert!(hours.add_period(7, t(22, 0), t(2, 0)));
        let usual = hours.usual.as_ref().expect("usual");
        assert_eq!(
            usual[&DayKey::Weekday(7)],
            vec![Period::span(t(22, 0), t(23, 59))]
        );
        assert_eq!(
            usual[&DayKey::Weekday(1)],
            vec![Period::span(t(0, 0), t(2, 0))]
        );
        assert!(!hours.add_period(2, t(9, 0), t(12, 0)));
        assert_eq!(split_overnight(t(9, 0), t(12, 0)), None);
    }

    #[test]
    fn days_are_read_as_serde_reads_maps_of_lists() {
        let p = r#"{"start": "09:00", "end": "10:00"}"#;
        let many = |n: usize| format!("[{}]", vec![p; n].join(", "));
        let mut texts: Vec<String> = (0..=9)
            .map(|n| {
                format!(
                    r#"{{"1": {}, "default": [], "x": {}}}"#,
                    many(n),
                    many(n / 2)
                )
            })
            .collect();
        texts.extend(
            [
                "null",
                "{}",
                "[]",
                "5",
                r#"{"1": null}"#,
                r#"{"1": 5}"#,
                r#"{"1": [5]}"#,
                r#"{"1": [{}, {}, {}, {}, 5]}"#,
                r#"{"1": [{}, {}, {}, {}, {}, {"start": 1}]}"#,
                r#"{"1": [{}, {}, {}, {}], "1": [{}]}"#,
                r#"{"1": [{}, {}, {}, {}, {}"#,
                r#"{"1": [{}, {}, {}, {}]"#,
                r#"{"1": [{},]}"#,
            ]
            .map(str::to_owned),
        );
        for text in &texts {
            let mine = serde_json::from_str::<PeriodsBy<DayKey>>(text).map(|p| p.0);
            let serde = serde_json::from_str::<Option<BTreeMap<DayKey, Vec<Period>>>>(text);
            match (mine, serde) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!("{text}: {a:?} / {b:?}"),
            }
            let mine = serde_json::from_str::<PeriodsBy<String>>(text).map(|p| p.0);
            let serde = serde_json::from_str::<Option<BTreeMap<String, Vec<Period>>>>(text);
            match (mine, serde) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!("{text}: {a:?} / {b:?}"),
            }
            let mine = serde_json::from_str::<OptionalList<Period>>(text).map(|p| p.0);
            let serde = serde_json::from_str::<Option<Vec<Period>>>(text);
            match (mine, serde) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!("{text}: {a:?} / {b:?}"),
            }
        }
        for n in 0..=9 {
            let text = many(n);
            let list = serde_json::from_str::<OptionalList<Period>>(&text).map(|p| p.0);
            let serde = serde_json::from_str::<Option<Vec<Period>>>(&text);
            assert_eq!(list.ok(), serde.ok(), "{text}");
        }
    }

    #[test]
    fn period_minutes_treat_2359_as_midnight() {
        assert_eq!(
            Period::span(t(10, 0), t(23, 59)).minutes(),
            Some(Span {
                start: 600,
                end: 1440
            })
        );
        assert_eq!(Period::span(t(10, 0), t(10, 0)).minutes(), None);
        assert_eq!(
            Period::all_day().minutes(),
            Some(Span {
                start: 0,
                end: 1440
            })
        );
    }
}
