//! What the opening-hours editor does to a store's hours, as plain operations: a day closed,
//! open all day or open at set times; periods added, changed and removed (an overnight period
//! split over two days); a day copied to the weekdays or to every day; special days;
//! temporary closures; the time zone; and the picture of a week, read from the evaluator.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::{
    Closure, DayKey, OpeningHours, Period, Source, Span, TimeOfDay, parse_date, split_overnight,
    weekday_name, weekday_number,
};

/// The list of periods an edit works on: a `usual` day (`default` or a weekday) or a special
/// date (`YYYY-MM-DD`, as the key is written).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Day {
    Usual(DayKey),
    Special(String),
}

impl Day {
    pub fn weekday(n: u8) -> Day {
        Day::Usual(DayKey::Weekday(n))
    }

    /// The name a store manager reads: "Default", "Monday", "2026-12-24".
    pub fn name(&self) -> String {
        match self {
            Day::Usual(DayKey::Default) => "Default".to_owned(),
            Day::Usual(DayKey::Weekday(n)) => weekday_name(*n).to_owned(),
            Day::Usual(DayKey::Other(key)) => format!("\"{key}\""),
            Day::Special(date) => date.clone(),
        }
    }
}

/// How a day is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayState {
    /// Nothing is written for the day: a weekday takes the `default` hours; without `default`
    /// (or for `default` itself) the days without hours of their own are closed.
    Unset,
    /// An empty list: closed all day.
    Closed,
    /// One `{"all-day": true}` period.
    AllDay,
    /// Opening periods.
    Periods,
}

/// Where a copied day goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyTo {
    /// Monday to Friday.
    Weekdays,
    /// Monday to Sunday.
    AllDays,
}

/// Why an edit was not made, in a sentence that says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("\"{0}\" is not a time: write it as HH:MM, for example 09:30.")]
    BadTime(String),
    #[error("The period opens and closes at {0}: give it a closing time after its opening time.")]
    EmptyPeriod(String),
    #[error("\"{0}\" is not a date: write it as YYYY-MM-DD, for example 2026-12-24.")]
    BadDate(String),
    #[error("{0} is already a special day: change its hours in the list.")]
    SpecialDayExists(String),
    #[error("{0} is not a special day.")]
    NoSuchSpecialDay(String),
    #[error(
        "The closure would end on {end}, before it starts on {start}: make it end on its first day or later."
    )]
    ClosureEndsBeforeStart { start: String, end: String },
    #[error("\"{0}\" is not an IANA time zone name such as Europe/Paris: pick one from the list.")]
    UnknownTimezone(String),
    #[error("{day} has no period {number}.")]
    NoSuchPeriod { day: String, number: usize },
    #[error(
        "{0} is not a day of the week, so the hours after midnight have no day to go to: give them their own period on the next day."
    )]
    NoNextDay(String),
}

/// How `day` is set in `hours`.
pub fn day_state(hours: &OpeningHours, day: &Day) -> DayState {
    match day_periods(hours, day) {
        None => DayState::Unset,
        Some([]) => DayState::Closed,
        Some([only]) if only.is_all_day() => DayState::AllDay,
        Some(_) => DayState::Periods,
    }
}

/// The periods written for `day`, if any.
pub fn day_periods<'a>(hours: &'a OpeningHours, day: &Day) -> Option<&'a [Period]> {
    match day {
        Day::Usual(key) => hours.usual.as_ref()?.get(key).map(Vec::as_slice),
        Day::Special(date) => hours.special.as_ref()?.get(date).map(Vec::as_slice),
    }
}

fn periods_mut<'a>(hours: &'a mut OpeningHours, day: &Day) -> Option<&'a mut Vec<Period>> {
    match day {
        Day::Usual(key) => hours.usual.as_mut()?.get_mut(key),
        Day::Special(date) => hours.special.as_mut()?.get_mut(date),
    }
}

fn set_periods(hours: &mut OpeningHours, day: &Day, list: Vec<Period>) {
    match day {
        Day::Usual(key) => {
            hours
                .usual
                .get_or_insert_with(BTreeMap::new)
                .insert(key.clone(), list);
        }
        Day::Special(date) => {
            hours
                .special
                .get_or_insert_with(BTreeMap::new)
                .insert(date.clone(), list);
        }
    }
}

/// Empty `usual`, `special` and `temporary_closure` are not written at all.
fn tidy(hours: &mut OpeningHours) {
    if hours.usual.as_ref().is_some_and(BTreeMap::is_empty) {
        hours.usual = None;
    }
    if hours.special.as_ref().is_some_and(BTreeMap::is_empty) {
        hours.special = None;
    }
    if hours.temporary_closure.as_ref().is_some_and(Vec::is_empty) {
        hours.temporary_closure = None;
    }
}

/// Whether nothing at all is set, so the store can go without opening hours.
pub fn nothing_set(hours: &OpeningHours) -> bool {
    *hours == OpeningHours::default()
}

/// The periods a day shows when it takes no hours of its own: a weekday's are the `default`
/// ones; a special date's are what the date would have without it.
fn inherited(hours: &OpeningHours, day: &Day) -> Vec<Period> {
    match day {
        Day::Usual(DayKey::Weekday(_)) => hours
            .usual
            .as_ref()
            .and_then(|u| u.get(&DayKey::Default))
            .cloned()
            .unwrap_or_default(),
        Day::Usual(_) => Vec::new(),
        Day::Special(date) => match parse_date(date) {
            Some(d) => {
                let mut without = hours.clone();
                if let Some(special) = without.special.as_mut() {
                    special.remove(date);
                }
                without
                    .on_date(d)
                    .spans
                    .into_iter()
                    .map(Span::to_period)
                    .collect()
            }
            None => Vec::new(),
        },
    }
}

/// Nine to six, the first period of a day opened from nothing.
fn office_hours() -> Period {
    match (TimeOfDay::from_hm(9, 0), TimeOfDay::from_hm(18, 0)) {
        (Some(start), Some(end)) => Period::span(start, end),
        _ => Period::all_day(),
    }
}

/// Sets how `day` is set. `Unset` removes the day (a special day is removed from the list);
/// `Periods` on a day without periods starts from the hours it showed (a weekday the `default`
/// ones), or from 09:00-18:00.
pub fn set_state(hours: &mut OpeningHours, day: &Day, state: DayState) {
    match state {
        DayState::Unset => {
            match day {
                Day::Usual(key) => {
                    if let Some(usual) = hours.usual.as_mut() {
                        usual.remove(key);
                    }
                }
                Day::Special(date) => {
                    if let Some(special) = hours.special.as_mut() {
                        special.remove(date);
                    }
                }
            }
            tidy(hours);
        }
        DayState::Closed => set_periods(hours, day, Vec::new()),
        DayState::AllDay => set_periods(hours, day, vec![Period::all_day()]),
        DayState::Periods => {
            if day_state(hours, day) == DayState::Periods {
                return;
            }
            let shown = match day_periods(hours, day) {
                Some(list) => list.to_vec(),
                None => inherited(hours, day),
            };
            let usable = !shown.is_empty() && !shown.iter().any(Period::is_all_day);
            let list = if usable { shown } else { vec![office_hours()] };
            set_periods(hours, day, list);
        }
    }
}

/// Reads the text of a time field.
pub fn parse_time(text: &str) -> Result<TimeOfDay, EditError> {
    TimeOfDay::parse_lenient(text).ok_or_else(|| EditError::BadTime(text.trim().to_owned()))
}

/// The day after `day` for the hours after midnight: Sunday's is Monday, `default`'s is
/// `default`, a special date's is the next date.
fn next_day(day: &Day) -> Result<Day, EditError> {
    match day {
        Day::Usual(DayKey::Weekday(n)) => Ok(Day::weekday(n % 7 + 1)),
        Day::Usual(DayKey::Default) => Ok(day.clone()),
        Day::Usual(DayKey::Other(_)) => Err(EditError::NoNextDay(day.name())),
        Day::Special(date) => parse_date(date)
            .map(|d| Day::Special((d + Duration::days(1)).format("%Y-%m-%d").to_string()))
            .ok_or_else(|| EditError::BadDate(date.clone())),
    }
}

/// Puts the periods of a day in order of their opening time (unreadable ones last).
fn sort_periods(list: &mut [Period]) {
    list.sort_by_key(|p| match p.start.as_ref().and_then(|t| t.time()) {
        _ if p.is_all_day() => 0,
        Some(start) => start.minutes(),
        None => u16::MAX,
    });
}

/// Adds a period to `day` from the text of its opening and closing times. A period that
/// crosses midnight (22:00 to 02:00) is kept as 22:00-23:59 on the day and 00:00-02:00 on the
/// next one; the sentence returned says so. A day that showed inherited hours (a weekday the
/// `default` ones) keeps them next to the new period.
pub fn add_period(
    hours: &mut OpeningHours,
    day: &Day,
    start: &str,
    end: &str,
) -> Result<Option<String>, EditError> {
    let (start, end) = (parse_time(start)?, parse_time(end)?);
    if start == end {
        return Err(EditError::EmptyPeriod(start.to_string()));
    }
    let split = split_overnight(start, end);
    let next = if split.is_some() {
        Some(next_day(day)?)
    } else {
        None
    };
    let mut note = None;
    match (split, next) {
        (Some((evening, morning)), Some(next)) => {
            // Whether the next day showed hours it did not have of its own, which it keeps.
            let gains_own =
                day_periods(hours, &next).is_none() && !inherited(hours, &next).is_empty();
            push_period(hours, day, evening);
            push_period(hours, &next, morning);
            let mut sentence = if next == *day {
                format!(
                    "{start} to {end} crosses midnight: kept as {start}-23:59 and 00:00-{end} in the default hours."
                )
            } else {
                format!(
                    "{start} to {end} crosses midnight: kept as {start}-23:59 on {} and 00:00-{end} on {}.",
                    day.name(),
                    next.name()
                )
            };
            if gains_own {
                sentence.push_str(&format!(
                    " {} now has hours of its own: the ones it had, and 00:00-{end}.",
                    next.name()
                ));
            }
            note = Some(sentence);
        }
        _ => push_period(hours, day, Period::span(start, end)),
    }
    Ok(note)
}

fn push_period(hours: &mut OpeningHours, day: &Day, period: Period) {
    let mut list = match day_periods(hours, day) {
        Some(list) => list.to_vec(),
        None => inherited(hours, day),
    };
    // An all-day period next to set times would hide them: the set times replace it.
    list.retain(|p| !p.is_all_day());
    list.push(period);
    sort_periods(&mut list);
    set_periods(hours, day, list);
}

/// Changes period `index` (from 0) of `day` to the times written; an overnight period is split
/// as `add_period` does.
pub fn edit_period(
    hours: &mut OpeningHours,
    day: &Day,
    index: usize,
    start: &str,
    end: &str,
) -> Result<Option<String>, EditError> {
    let (s, e) = (parse_time(start)?, parse_time(end)?);
    if s == e {
        return Err(EditError::EmptyPeriod(s.to_string()));
    }
    let Some(list) = periods_mut(hours, day).filter(|list| index < list.len()) else {
        return Err(EditError::NoSuchPeriod {
            day: day.name(),
            number: index + 1,
        });
    };
    if split_overnight(s, e).is_none() {
        let period = &mut list[index];
        period.start = Some(s.into());
        period.end = Some(e.into());
        period.all_day = None;
        sort_periods(list);
        return Ok(None);
    }
    // Checked before anything changes, so a refused split leaves the period as it was.
    next_day(day)?;
    let removed = list.remove(index);
    let result = add_period(hours, day, start, end);
    if result.is_err()
        && let Some(list) = periods_mut(hours, day)
    {
        list.insert(index, removed);
    }
    result
}

/// Removes period `index` (from 0) of `day`; a day without periods left is closed.
pub fn remove_period(hours: &mut OpeningHours, day: &Day, index: usize) -> Result<(), EditError> {
    match periods_mut(hours, day).filter(|list| index < list.len()) {
        Some(list) => {
            list.remove(index);
            Ok(())
        }
        None => Err(EditError::NoSuchPeriod {
            day: day.name(),
            number: index + 1,
        }),
    }
}

/// Gives the weekdays of `to` (except `from` itself) the hours of weekday `from`: its periods,
/// closed, or (when it takes the `default` hours) the `default` hours too. Returns the number
/// of days set.
pub fn copy_day(hours: &mut OpeningHours, from: u8, to: CopyTo) -> usize {
    let source = hours
        .usual
        .as_ref()
        .and_then(|u| u.get(&DayKey::Weekday(from)))
        .cloned();
    let last = match to {
        CopyTo::Weekdays => 5,
        CopyTo::AllDays => 7,
    };
    let targets: Vec<u8> = (1..=last).filter(|&n| n != from).collect();
    for &n in &targets {
        let day = Day::weekday(n);
        match &source {
            Some(list) => set_periods(hours, &day, list.clone()),
            None => set_state(hours, &day, DayState::Unset),
        }
    }
    tidy(hours);
    targets.len()
}

/// Adds a special day on `date` (`YYYY-MM-DD`) with `periods` (none: closed). Returns the date
/// as it is written.
pub fn add_special_day(
    hours: &mut OpeningHours,
    date: &str,
    periods: Vec<Period>,
) -> Result<String, EditError> {
    let key = read_date(date)?;
    let special = hours.special.get_or_insert_with(BTreeMap::new);
    if special.contains_key(&key) {
        return Err(EditError::SpecialDayExists(key));
    }
    special.insert(key.clone(), periods);
    Ok(key)
}

/// Removes the special day on `date`.
pub fn remove_special_day(hours: &mut OpeningHours, date: &str) -> Result<(), EditError> {
    let removed = hours
        .special
        .as_mut()
        .and_then(|special| special.remove(date));
    tidy(hours);
    removed
        .map(|_| ())
        .ok_or_else(|| EditError::NoSuchSpecialDay(date.to_owned()))
}

/// Adds a temporary closure from `start` to `end`, both included.
pub fn add_closure(hours: &mut OpeningHours, start: &str, end: &str) -> Result<(), EditError> {
    let closure = read_closure(start, end)?;
    hours
        .temporary_closure
        .get_or_insert_with(Vec::new)
        .push(closure);
    Ok(())
}

/// A typed date as a special day's key (`YYYY-MM-DD`).
pub fn read_date(text: &str) -> Result<String, EditError> {
    parse_date(text)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .ok_or_else(|| EditError::BadDate(text.trim().to_owned()))
}

/// A closure from two typed dates, the last on or after the first.
pub fn read_closure(start: &str, end: &str) -> Result<Closure, EditError> {
    let read = |text: &str| parse_date(text).ok_or_else(|| EditError::BadDate(text.trim().into()));
    let (s, e) = (read(start)?, read(end)?);
    let (start, end) = (
        s.format("%Y-%m-%d").to_string(),
        e.format("%Y-%m-%d").to_string(),
    );
    if e < s {
        return Err(EditError::ClosureEndsBeforeStart { start, end });
    }
    Ok(Closure {
        start,
        end,
        ..Closure::default()
    })
}

/// Removes closure `index` (from 0); returns whether there was one.
pub fn remove_closure(hours: &mut OpeningHours, index: usize) -> bool {
    let removed = match hours.temporary_closure.as_mut() {
        Some(list) if index < list.len() => {
            list.remove(index);
            true
        }
        _ => false,
    };
    tidy(hours);
    removed
}

/// Sets the time zone to an IANA name (`Europe/Paris`); an empty name removes it.
pub fn set_timezone(hours: &mut OpeningHours, name: &str) -> Result<(), EditError> {
    let name = name.trim();
    if name.is_empty() {
        hours.timezone = None;
        return Ok(());
    }
    let tz: Tz = name
        .parse()
        .map_err(|_| EditError::UnknownTimezone(name.to_owned()))?;
    hours.timezone = Some(tz.name().to_owned());
    Ok(())
}

/// The IANA names that hold `text` (case and `_` against space ignored), in alphabetical order.
pub fn search_timezones(text: &str) -> Vec<&'static str> {
    let wanted = fold(text);
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| fold(name).contains(&wanted))
        .collect();
    names.sort_unstable();
    names
}

fn fold(text: &str) -> String {
    text.trim().to_lowercase().replace('_', " ")
}

/// The Monday of the week that holds `date`.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(weekday_number(date)) - 1)
}

/// One date of the picture of a week.
#[derive(Clone, Debug, PartialEq)]
pub struct DayLine {
    pub date: NaiveDate,
    /// Which rule gave the date its hours.
    pub source: Source,
    /// The minutes it is open, sorted and merged.
    pub spans: Vec<Span>,
}

impl DayLine {
    pub fn is_special(&self) -> bool {
        self.source == Source::Special
    }

    pub fn is_closure(&self) -> bool {
        self.source == Source::TemporaryClosure
    }

    /// Whether the hours are the `default` ones.
    pub fn from_default(&self) -> bool {
        self.source == Source::Default
    }

    pub fn is_closed(&self) -> bool {
        self.spans.is_empty()
    }

    /// The day in words: "Monday 24 Nov: 09:00-12:00, 14:00-18:00".
    pub fn words(&self) -> String {
        format!(
            "{} {}: {}",
            weekday_name(weekday_number(self.date)),
            self.date.format("%-d %b"),
            day_words(&self.spans, self.source)
        )
    }
}

/// The dates from `week_start` to six days later, with the hours the evaluator gives each.
pub fn week_picture(hours: &OpeningHours, week_start: NaiveDate) -> Vec<DayLine> {
    (0..7)
        .map(|i| {
            let day = hours.on_date(week_start + Duration::days(i));
            DayLine {
                date: day.date,
                source: day.source,
                spans: day.spans,
            }
        })
        .collect()
}

/// `09:00-18:00`; a span that runs to midnight ends at `23:59`, as the API writes it.
pub fn span_words(span: Span) -> String {
    let at = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    let end = if span.end >= 1440 {
        "23:59".to_owned()
    } else {
        at(span.end)
    };
    format!("{}-{end}", at(span.start))
}

/// The hours of a day and where they come from, without the date: "09:00-18:00 (usual Tuesday
/// hours)", "closed (temporary closure)", "open all day (special day)".
fn day_words(spans: &[Span], source: Source) -> String {
    let hours = match spans {
        [] => "closed".to_owned(),
        [only] if only.start == 0 && only.end >= 1440 => "open all day".to_owned(),
        _ => spans
            .iter()
            .map(|&s| span_words(s))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let why = match source {
        Source::TemporaryClosure => "temporary closure".to_owned(),
        Source::Special => "special day".to_owned(),
        Source::Weekday(n) => format!("usual {} hours", weekday_name(n)),
        Source::Default => "default hours".to_owned(),
        Source::NoRule => "no hours are set for this day".to_owned(),
    };
    format!("{hours} ({why})")
}

/// The hours of a date in a sentence: "On Tue 25 Nov 2026: 09:00-18:00 (usual Tuesday hours)".
pub fn describe_date(hours: &OpeningHours, date: NaiveDate) -> String {
    let day = hours.on_date(date);
    format!(
        "On {}: {}",
        date.format("%a %-d %b %Y"),
        day_words(&day.spans, day.source)
    )
}

/// Whether the store is open at a time on its own wall clock, in a sentence: "Open at
/// 2026-11-25 19:30: no, next opening Wed 09:00". Without a time zone the time is read as it
/// is, on the store's clock.
pub fn describe_open_at(hours: &OpeningHours, at: NaiveDateTime) -> String {
    let heading = format!("Open at {}", at.format("%Y-%m-%d %H:%M"));
    let (clock, instant) = match hours.tz() {
        Ok(tz) => match tz.from_local_datetime(&at).earliest() {
            Some(local) => (hours.clone(), local.with_timezone(&chrono::Utc)),
            None => {
                return format!(
                    "{heading}: that time does not exist in {} (the clocks go forward then).",
                    tz.name()
                );
            }
        },
        // The wall clock read as UTC gives the same answer as the store's own zone would.
        Err(_) => {
            let mut utc = hours.clone();
            utc.timezone = Some("UTC".to_owned());
            (utc, at.and_utc())
        }
    };
    let status = match clock.status_at(instant) {
        Ok(status) => status,
        Err(e) => return format!("{heading}: unknown, {e}."),
    };
    if let Some(current) = status.current {
        return format!(
            "{heading}: yes, until {}",
            span_words(current)
                .split_once('-')
                .map_or(String::new(), |(_, end)| end.to_owned())
        );
    }
    match status.next_opening {
        Some(next) => {
            let time = span_words(next.span)
                .split_once('-')
                .map_or(String::new(), |(start, _)| start.to_owned());
            let within_a_week = next.date - at.date() < Duration::days(7);
            let when = if next.date == at.date() {
                "today".to_owned()
            } else if within_a_week {
                next.date.format("%a").to_string()
            } else {
                next.date.format("%a %-d %b %Y").to_string()
            };
            format!("{heading}: no, next opening {when} {time}")
        }
        None => format!("{heading}: no, and it does not open in the following year"),
    }
}

/// Reads the preview's date and time fields into a wall-clock time.
pub fn parse_date_time(date: &str, time: &str) -> Result<NaiveDateTime, EditError> {
    let d = parse_date(date).ok_or_else(|| EditError::BadDate(date.trim().to_owned()))?;
    let t = parse_time(time)?;
    let naive = NaiveTime::from_hms_opt(t.hour(), t.minute(), 0)
        .ok_or_else(|| EditError::BadTime(time.trim().to_owned()))?;
    Ok(d.and_time(naive))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(json: &str) -> OpeningHours {
        serde_json::from_str(json).expect("valid hours")
    }

    fn json(h: &OpeningHours) -> serde_json::Value {
        serde_json::to_value(h).expect("serialises")
    }

    fn date(s: &str) -> NaiveDate {
        parse_date(s).expect("valid date")
    }

    const MONDAY: Day = Day::Usual(DayKey::Weekday(1));
    const FRIDAY: Day = Day::Usual(DayKey::Weekday(5));
    const DEFAULT: Day = Day::Usual(DayKey::Default);

    #[test]
    fn days_are_set_closed_all_day_open_or_unset() {
        let mut h = OpeningHours::default();
        assert_eq!(day_state(&h, &MONDAY), DayState::Unset);
        set_state(&mut h, &MONDAY, DayState::Closed);
        assert_eq!(day_state(&h, &MONDAY), DayState::Closed);
        assert_eq!(json(&h), serde_json::json!({"usual": {"1": []}}));
        set_state(&mut h, &MONDAY, DayState::AllDay);
        assert_eq!(
            json(&h),
            serde_json::json!({"usual": {"1": [{"all-day": true}]}})
        );
        set_state(&mut h, &MONDAY, DayState::Periods);
        assert_eq!(
            json(&h),
            serde_json::json!({"usual": {"1": [{"start": "09:00", "end": "18:00"}]}})
        );
        set_state(&mut h, &MONDAY, DayState::Unset);
        assert_eq!(h, OpeningHours::default());
        assert!(nothing_set(&h));
    }

    #[test]
    fn opening_a_weekday_starts_from_the_default_hours() {
        let mut h = hours(
            r#"{"usual": {"default": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]}}"#,
        );
        set_state(&mut h, &Day::weekday(3), DayState::Periods);
        assert_eq!(
            json(&h)["usual"]["3"],
            serde_json::json!([{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}])
        );
    }

    #[test]
    fn split_shifts_are_added_edited_and_removed() {
        let mut h = OpeningHours::default();
        assert_eq!(add_period(&mut h, &MONDAY, "14:00", "18:00"), Ok(None));
        assert_eq!(add_period(&mut h, &MONDAY, "9:00", "12h00"), Ok(None));
        assert_eq!(
            json(&h),
            serde_json::json!({"usual": {"1": [
                {"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}]}})
        );
        assert_eq!(edit_period(&mut h, &MONDAY, 1, "14:30", "19:00"), Ok(None));
        assert_eq!(
            json(&h)["usual"]["1"][1],
            serde_json::json!({"start": "14:30", "end": "19:00"})
        );
        assert_eq!(remove_period(&mut h, &MONDAY, 0), Ok(()));
        assert_eq!(remove_period(&mut h, &MONDAY, 0), Ok(()));
        assert_eq!(day_state(&h, &MONDAY), DayState::Closed);
        assert_eq!(
            remove_period(&mut h, &MONDAY, 0),
            Err(EditError::NoSuchPeriod {
                day: "Monday".into(),
                number: 1
            })
        );
    }

    #[test]
    fn bad_times_are_sentences_and_change_nothing() {
        let mut h = hours(r#"{"usual": {"1": [{"start": "09:00", "end": "12:00"}]}}"#);
        let before = h.clone();
        let e = add_period(&mut h, &MONDAY, "25:00", "26:00").expect_err("refused");
        assert_eq!(
            e.to_string(),
            "\"25:00\" is not a time: write it as HH:MM, for example 09:30."
        );
        assert_eq!(
            edit_period(&mut h, &MONDAY, 0, "09:00", "noon"),
            Err(EditError::BadTime("noon".into()))
        );
        assert_eq!(
            add_period(&mut h, &MONDAY, "10:00", "10:00"),
            Err(EditError::EmptyPeriod("10:00".into()))
        );
        assert_eq!(h, before);
    }

    #[test]
    fn an_overnight_period_on_friday_is_split_with_saturday() {
        let mut h = hours(r#"{"usual": {"5": [{"start": "09:00", "end": "18:00"}]}}"#);
        let note = add_period(&mut h, &FRIDAY, "22:00", "02:00").expect("added");
        assert_eq!(
            note.as_deref(),
            Some(
                "22:00 to 02:00 crosses midnight: kept as 22:00-23:59 on Friday and 00:00-02:00 on Saturday."
            )
        );
        assert_eq!(
            json(&h),
            serde_json::json!({"usual": {
                "5": [{"start": "09:00", "end": "18:00"}, {"start": "22:00", "end": "23:59"}],
                "6": [{"start": "00:00", "end": "02:00"}]}})
        );
    }

    #[test]
    fn an_overnight_period_on_sunday_goes_on_to_monday() {
        let mut h = hours(r#"{"usual": {"1": [{"start": "09:00", "end": "18:00"}]}}"#);
        let note = add_period(&mut h, &Day::weekday(7), "23:00", "1:30").expect("added");
        assert_eq!(
            note.as_deref(),
            Some(
                "23:00 to 01:30 crosses midnight: kept as 23:00-23:59 on Sunday and 00:00-01:30 on Monday."
            )
        );
        assert_eq!(
            json(&h),
            serde_json::json!({"usual": {
                "1": [{"start": "00:00", "end": "01:30"}, {"start": "09:00", "end": "18:00"}],
                "7": [{"start": "23:00", "end": "23:59"}]}})
        );
    }

    #[test]
    fn an_overnight_default_period_stays_in_the_default_hours() {
        let mut h = OpeningHours::default();
        let note = add_period(&mut h, &DEFAULT, "20:00", "03:00").expect("added");
        assert_eq!(
            note.as_deref(),
            Some(
                "20:00 to 03:00 crosses midnight: kept as 20:00-23:59 and 00:00-03:00 in the default hours."
            )
        );
        assert_eq!(
            json(&h),
            serde_json::json!({"usual": {"default": [
                {"start": "00:00", "end": "03:00"}, {"start": "20:00", "end": "23:59"}]}})
        );
    }

    #[test]
    fn the_day_after_an_overnight_period_keeps_the_default_hours_it_showed() {
        let mut h = hours(r#"{"usual": {"default": [{"start": "10:00", "end": "19:00"}]}}"#);
        let note = add_period(&mut h, &FRIDAY, "22:00", "02:00").expect("added");
        assert!(
            note.as_deref().is_some_and(|n| n
                .ends_with("Saturday now has hours of its own: the ones it had, and 00:00-02:00.")),
            "{note:?}"
        );
        assert_eq!(
            json(&h)["usual"]["6"],
            serde_json::json!([{"start": "00:00", "end": "02:00"}, {"start": "10:00", "end": "19:00"}])
        );
        // Friday showed the default hours too, and keeps them beside its evening.
        assert_eq!(
            json(&h)["usual"]["5"],
            serde_json::json!([{"start": "10:00", "end": "19:00"}, {"start": "22:00", "end": "23:59"}])
        );
    }

    #[test]
    fn editing_a_period_into_an_overnight_one_splits_it() {
        let mut h = hours(r#"{"usual": {"5": [{"start": "18:00", "end": "23:00"}]}}"#);
        let note = edit_period(&mut h, &FRIDAY, 0, "18:00", "04:00").expect("edited");
        assert!(note.is_some());
        assert_eq!(
            json(&h),
            serde_json::json!({"usual": {
                "5": [{"start": "18:00", "end": "23:59"}],
                "6": [{"start": "00:00", "end": "04:00"}]}})
        );
    }

    #[test]
    fn an_overnight_special_day_goes_on_to_the_next_date() {
        let mut h = hours(
            r#"{"usual": {"default": [{"start": "10:00", "end": "12:00"}]}, "special": {"2026-12-31": []}}"#,
        );
        let day = Day::Special("2026-12-31".into());
        let note = add_period(&mut h, &day, "20:00", "02:00").expect("added");
        assert_eq!(
            note.as_deref(),
            Some(
                "20:00 to 02:00 crosses midnight: kept as 20:00-23:59 on 2026-12-31 and 00:00-02:00 on 2027-01-01. 2027-01-01 now has hours of its own: the ones it had, and 00:00-02:00."
            )
        );
        assert_eq!(
            json(&h)["special"],
            serde_json::json!({
                "2026-12-31": [{"start": "20:00", "end": "23:59"}],
                "2027-01-01": [{"start": "00:00", "end": "02:00"}, {"start": "10:00", "end": "12:00"}]})
        );
    }

    #[test]
    fn a_day_is_copied_to_the_weekdays_and_to_every_day() {
        let mut h = hours(
            r#"{"usual": {"1": [{"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}], "6": []}}"#,
        );
        assert_eq!(copy_day(&mut h, 1, CopyTo::Weekdays), 4);
        let usual = json(&h)["usual"].clone();
        for n in ["2", "3", "4", "5"] {
            assert_eq!(usual[n], usual["1"], "day {n}");
        }
        assert_eq!(usual["6"], serde_json::json!([]));
        assert!(usual.get("7").is_none());
        // A day that takes the default hours makes the others take them too.
        assert_eq!(copy_day(&mut h, 7, CopyTo::AllDays), 6);
        assert_eq!(h.usual, None);
    }

    #[test]
    fn special_days_are_added_edited_and_removed() {
        let mut h = OpeningHours::default();
        assert_eq!(
            add_special_day(&mut h, "2026-12-25", Vec::new()),
            Ok("2026-12-25".into())
        );
        assert_eq!(
            add_special_day(&mut h, "2026-12-25", Vec::new()),
            Err(EditError::SpecialDayExists("2026-12-25".into()))
        );
        assert_eq!(
            add_special_day(&mut h, "25/12/2026", Vec::new()),
            Err(EditError::BadDate("25/12/2026".into()))
        );
        let eve = Day::Special(
            add_special_day(&mut h, " 2026-12-24 ", Vec::new()).expect("a new special day"),
        );
        assert_eq!(add_period(&mut h, &eve, "09:00", "16:00"), Ok(None));
        assert_eq!(
            json(&h),
            serde_json::json!({"special": {
                "2026-12-24": [{"start": "09:00", "end": "16:00"}], "2026-12-25": []}})
        );
        assert_eq!(remove_special_day(&mut h, "2026-12-24"), Ok(()));
        assert_eq!(remove_special_day(&mut h, "2026-12-25"), Ok(()));
        assert_eq!(
            remove_special_day(&mut h, "2026-12-25"),
            Err(EditError::NoSuchSpecialDay("2026-12-25".into()))
        );
        assert!(nothing_set(&h));
    }

    #[test]
    fn closures_must_not_end_before_they_start() {
        let mut h = OpeningHours::default();
        assert_eq!(
            add_closure(&mut h, "2026-08-10", "2026-08-04"),
            Err(EditError::ClosureEndsBeforeStart {
                start: "2026-08-10".into(),
                end: "2026-08-04".into()
            })
        );
        assert!(nothing_set(&h));
        assert_eq!(
            add_closure(&mut h, "2026-08-04", "2026-08-x"),
            Err(EditError::BadDate("2026-08-x".into()))
        );
        assert_eq!(add_closure(&mut h, "2026-08-04", "2026-08-10"), Ok(()));
        assert_eq!(add_closure(&mut h, "2026-09-01", "2026-09-01"), Ok(()));
        assert_eq!(
            json(&h),
            serde_json::json!({"temporary_closure": [
                {"start": "2026-08-04", "end": "2026-08-10"}, {"start": "2026-09-01", "end": "2026-09-01"}]})
        );
        assert!(remove_closure(&mut h, 0));
        assert!(!remove_closure(&mut h, 1));
        assert!(remove_closure(&mut h, 0));
        assert!(nothing_set(&h));
    }

    #[test]
    fn the_time_zone_must_be_an_iana_name() {
        let mut h = OpeningHours::default();
        assert_eq!(set_timezone(&mut h, "Europe/Paris"), Ok(()));
        assert_eq!(h.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(
            set_timezone(&mut h, "Europe/Pariss"),
            Err(EditError::UnknownTimezone("Europe/Pariss".into()))
        );
        assert_eq!(h.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(set_timezone(&mut h, ""), Ok(()));
        assert_eq!(h.timezone, None);
        assert!(search_timezones("new york").contains(&"America/New_York"));
        assert!(search_timezones("PARIS").contains(&"Europe/Paris"));
        assert!(search_timezones("no such zone").is_empty());
    }

    #[test]
    fn the_week_picture_matches_a_hand_checked_week() {
        let h = hours(
            r#"{"timezone": "Europe/Paris",
                "usual": {"default": [{"start": "09:00", "end": "18:00"}],
                          "1": [{"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}],
                          "6": [{"all-day": true}], "7": []},
                "special": {"2026-11-26": [{"start": "10:00", "end": "16:00"}]},
                "temporary_closure": [{"start": "2026-11-27", "end": "2026-11-27"}]}"#,
        );
        let start = monday_of(date("2026-11-26"));
        assert_eq!(start, date("2026-11-23"));
        let week = week_picture(&h, start);
        let words: Vec<String> = week.iter().map(DayLine::words).collect();
        assert_eq!(
            words,
            [
                "Monday 23 Nov: 09:00-12:00, 14:00-18:00 (usual Monday hours)",
                "Tuesday 24 Nov: 09:00-18:00 (default hours)",
                "Wednesday 25 Nov: 09:00-18:00 (default hours)",
                "Thursday 26 Nov: 10:00-16:00 (special day)",
                "Friday 27 Nov: closed (temporary closure)",
                "Saturday 28 Nov: open all day (usual Saturday hours)",
                "Sunday 29 Nov: closed (usual Sunday hours)",
            ]
        );
        assert_eq!(
            week[0].spans,
            vec![
                Span {
                    start: 540,
                    end: 720
                },
                Span {
                    start: 840,
                    end: 1080
                }
            ]
        );
        assert!(week[1].from_default() && !week[1].is_closed());
        assert!(week[3].is_special());
        assert!(week[4].is_closure() && week[4].is_closed());
        assert_eq!(
            week[5].spans,
            vec![Span {
                start: 0,
                end: 1440
            }]
        );
        assert!(week[6].is_closed() && !week[6].is_closure());
    }

    #[test]
    fn the_preview_says_what_the_hours_are_and_when_the_store_opens() {
        let h = hours(
            r#"{"timezone": "Europe/Paris", "usual": {"default": [{"start": "09:00", "end": "18:00"}], "7": []}}"#,
        );
        assert_eq!(
            describe_date(&h, date("2026-11-24")),
            "On Tue 24 Nov 2026: 09:00-18:00 (default hours)"
        );
        let at = |d: &str, t: &str| parse_date_time(d, t).expect("valid");
        assert_eq!(
            describe_open_at(&h, at("2026-11-25", "19:30")),
            "Open at 2026-11-25 19:30: no, next opening Thu 09:00"
        );
        assert_eq!(
            describe_open_at(&h, at("2026-11-25", "08:00")),
            "Open at 2026-11-25 08:00: no, next opening today 09:00"
        );
        assert_eq!(
            describe_open_at(&h, at("2026-11-25", "10:15")),
            "Open at 2026-11-25 10:15: yes, until 18:00"
        );
        // Saturday evening: Sunday is closed, so Monday.
        assert_eq!(
            describe_open_at(&h, at("2026-11-28", "20:00")),
            "Open at 2026-11-28 20:00: no, next opening Mon 09:00"
        );
        // The clocks go forward in Paris on 2026-03-29 at 02:00.
        assert_eq!(
            describe_open_at(&h, at("2026-03-29", "02:30")),
            "Open at 2026-03-29 02:30: that time does not exist in Europe/Paris (the clocks go forward then)."
        );
        // Without a time zone the time is the store's own.
        let mut no_zone = h.clone();
        no_zone.timezone = None;
        assert_eq!(
            describe_open_at(&no_zone, at("2026-11-25", "10:15")),
            "Open at 2026-11-25 10:15: yes, until 18:00"
        );
        assert_eq!(
            parse_date_time("2026-11-25", "7pm"),
            Err(EditError::BadTime("7pm".into()))
        );
    }

    #[test]
    fn closures_are_read_with_sentences() {
        let c = read_closure(" 2026-12-24", "2026-12-26 ").expect("valid");
        assert_eq!(
            (c.start.as_str(), c.end.as_str()),
            ("2026-12-24", "2026-12-26")
        );
        let e = read_closure("2026-12-26", "2026-12-24").expect_err("reversed");
        assert!(e.to_string().contains("before it starts"), "{e}");
        let e = read_closure("Christmas", "2026-12-24").expect_err("not a date");
        assert!(e.to_string().contains("\"Christmas\""), "{e}");
    }
}
