//! Safe fixes: changes a store manager can apply with one click because they cannot lose
//! anything the store says. Each one answers one finding (its `code` and `path`): a time written
//! `HH:MM`, spaces trimmed from a text, a country code upper-cased or its alias replaced, a
//! period across midnight split over two days, latitude and longitude swapped back.
//!
//! [`fixes_for`] offers the fixes of a store's findings; [`apply`] applies one and says whether
//! it changed the store. A fix whose store has changed since it was offered (the time is no
//! longer there, the coordinates were moved) does nothing, so applying a fix twice is harmless.

use super::{Code, Finding};
use crate::hours::{DayKey, OpeningHours, Period, Time, TimeOfDay, split_overnight, weekday_name};
use crate::model::Store;
use crate::model::countries;

/// A text field whose spaces can be trimmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextField {
    Name,
    AddressLine(usize),
    City,
    Zipcode,
    Website,
    Phone,
    Email,
    Type(usize),
    Tag(usize),
}

impl TextField {
    /// The field in write-format names, as in a finding.
    pub fn path(self) -> String {
        match self {
            TextField::Name => "name".to_owned(),
            TextField::AddressLine(i) => format!("address.lines[{i}]"),
            TextField::City => "address.city".to_owned(),
            TextField::Zipcode => "address.zipcode".to_owned(),
            TextField::Website => "contact.website".to_owned(),
            TextField::Phone => "contact.phone".to_owned(),
            TextField::Email => "contact.email".to_owned(),
            TextField::Type(i) => format!("types[{i}]"),
            TextField::Tag(i) => format!("tags[{i}]"),
        }
    }

    /// What a store manager calls it: "the city", "address line 2".
    pub fn label(self) -> String {
        match self {
            TextField::Name => "the name".to_owned(),
            TextField::AddressLine(i) => format!("address line {}", i + 1),
            TextField::City => "the city".to_owned(),
            TextField::Zipcode => "the postcode".to_owned(),
            TextField::Website => "the website".to_owned(),
            TextField::Phone => "the phone number".to_owned(),
            TextField::Email => "the email address".to_owned(),
            TextField::Type(i) => format!("type {}", i + 1),
            TextField::Tag(i) => format!("tag {}", i + 1),
        }
    }

    fn get(self, store: &Store) -> Option<&str> {
        let address = store.address.as_ref();
        let contact = store.contact.as_ref();
        match self {
            TextField::Name => store.name.as_deref(),
            TextField::AddressLine(i) => address?.lines.as_ref()?.get(i).map(String::as_str),
            TextField::City => address?.city.as_deref(),
            TextField::Zipcode => address?.zipcode.as_deref(),
            TextField::Website => contact?.website.as_deref(),
            TextField::Phone => contact?.phone.as_deref(),
            TextField::Email => contact?.email.as_deref(),
            TextField::Type(i) => store.types.as_ref()?.get(i).map(String::as_str),
            TextField::Tag(i) => store.tags.as_ref()?.get(i).map(String::as_str),
        }
    }

    fn get_mut(self, store: &mut Store) -> Option<&mut String> {
        match self {
            TextField::Name => store.name.as_mut(),
            TextField::AddressLine(i) => store.address.as_mut()?.lines.as_mut()?.get_mut(i),
            TextField::City => store.address.as_mut()?.city.as_mut(),
            TextField::Zipcode => store.address.as_mut()?.zipcode.as_mut(),
            TextField::Website => store.contact.as_mut()?.website.as_mut(),
            TextField::Phone => store.contact.as_mut()?.phone.as_mut(),
            TextField::Email => store.contact.as_mut()?.email.as_mut(),
            TextField::Type(i) => store.types.as_mut()?.get_mut(i),
            TextField::Tag(i) => store.tags.as_mut()?.get_mut(i),
        }
    }
}

/// Every text field of the store that has a value, with it.
pub fn text_fields(store: &Store) -> impl Iterator<Item = (TextField, &str)> {
    let singles = [
        TextField::Name,
        TextField::City,
        TextField::Zipcode,
        TextField::Website,
        TextField::Phone,
        TextField::Email,
    ];
    let count = |list: Option<&Vec<String>>| list.map_or(0, Vec::len);
    let lines = count(store.address.as_ref().and_then(|a| a.lines.as_ref()));
    let types = count(store.types.as_ref());
    let tags = count(store.tags.as_ref());
    singles
        .into_iter()
        .chain((0..lines).map(TextField::AddressLine))
        .chain((0..types).map(TextField::Type))
        .chain((0..tags).map(TextField::Tag))
        .filter_map(move |field| field.get(store).map(|text| (field, text)))
}

/// Whether a text has spaces (or other white space) at its start or end.
pub fn is_untrimmed(text: &str) -> bool {
    text.trim() != text
}

/// The day of the opening hours a period is in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Day {
    Usual(DayKey),
    /// A special day, `YYYY-MM-DD` as written.
    Special(String),
}

impl Day {
    fn path(&self) -> String {
        match self {
            Day::Usual(key) => format!("openingHours.usual.{key}"),
            Day::Special(date) => format!("openingHours.special.{date}"),
        }
    }

    fn periods_mut<'a>(&self, hours: &'a mut OpeningHours) -> Option<&'a mut Vec<Period>> {
        match self {
            Day::Usual(key) => hours.usual.as_mut()?.get_mut(key),
            Day::Special(date) => hours.special.as_mut()?.get_mut(date),
        }
    }
}

/// The start or the end of a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeField {
    Start,
    End,
}

impl TimeField {
    fn name(self) -> &'static str {
        match self {
            TimeField::Start => "start",
            TimeField::End => "end",
        }
    }
}

/// A change that answers one finding and cannot lose anything the store says.
#[derive(Clone, Debug, PartialEq)]
pub enum Fix {
    /// `hours.time.normalised`: the time is written `HH:MM` (`"6:00"` becomes `"06:00"`).
    NormaliseTime {
        day: Day,
        index: usize,
        field: TimeField,
        from: String,
        to: String,
    },
    /// `field.whitespace`: the spaces at the start and end of a text are removed.
    Trim { field: TextField },
    /// `address.country_code.case`: the country code is written in capitals.
    CountryCodeCase { from: String, to: &'static str },
    /// `address.country_code.alias`: a code that is not ISO 3166-1 (`UK`) becomes the country's
    /// code (`GB`).
    CountryCodeAlias { from: String, to: &'static str },
    /// `hours.period.order`: a period of a weekday that runs across midnight becomes
    /// `start`-23:59 on that day and 00:00-`end` on the next.
    SplitOvernight {
        weekday: u8,
        index: usize,
        start: TimeOfDay,
        end: TimeOfDay,
    },
    /// `location.swapped`: latitude and longitude change places.
    SwapCoordinates { lat: f64, lng: f64 },
}

impl Fix {
    /// The code of the finding this fix answers.
    pub fn code(&self) -> Code {
        match self {
            Fix::NormaliseTime { .. } => Code::TimeNormalised,
            Fix::Trim { .. } => Code::TextWhitespace,
            Fix::CountryCodeCase { .. } => Code::CountryCodeCase,
            Fix::CountryCodeAlias { .. } => Code::CountryCodeAlias,
            Fix::SplitOvernight { .. } => Code::PeriodOrder,
            Fix::SwapCoordinates { .. } => Code::LocationSwapped,
        }
    }

    /// The path of the finding this fix answers.
    pub fn path(&self) -> String {
        match self {
            Fix::NormaliseTime {
                day, index, field, ..
            } => format!("{}[{index}].{}", day.path(), field.name()),
            Fix::Trim { field } => field.path(),
            Fix::CountryCodeCase { .. } | Fix::CountryCodeAlias { .. } => {
                "address.countryCode".to_owned()
            }
            Fix::SplitOvernight { weekday, index, .. } => {
                format!("openingHours.usual.{weekday}[{index}]")
            }
            Fix::SwapCoordinates { .. } => "location".to_owned(),
        }
    }

    /// What the fix does, as a sentence for a button's tooltip or a list of changes.
    pub fn describe(&self) -> String {
        match self {
            Fix::NormaliseTime { from, to, .. } => {
                format!("Write the time \"{from}\" as \"{to}\".")
            }
            Fix::Trim { field } => {
                format!(
                    "Remove the spaces at the start and end of {}.",
                    field.label()
                )
            }
            Fix::CountryCodeCase { from, to } => {
                format!("Write the country code \"{from}\" as \"{to}\".")
            }
            Fix::CountryCodeAlias { from, to } => {
                format!("Replace the country code \"{from}\" with \"{to}\".")
            }
            Fix::SplitOvernight {
                weekday,
                start,
                end,
                ..
            } => format!(
                "Split {day}'s {start}-{end} into {start}-23:59 on {day} and 00:00-{end} on {next}.",
                day = weekday_name(*weekday),
                next = weekday_name(weekday % 7 + 1)
            ),
            Fix::SwapCoordinates { lat, lng } => format!(
                "Swap latitude and longitude: latitude {lng}, longitude {lat} instead of latitude {lat}, longitude {lng}."
            ),
        }
    }
}

/// Every fix the store offers, whether or not a finding asks for it.
fn candidates(store: &Store) -> Vec<Fix> {
    let mut out = Vec::new();
    for (field, text) in text_fields(store) {
        if is_untrimmed(text) {
            out.push(Fix::Trim { field });
        }
    }
    if let Some(code) = store
        .address
        .as_ref()
        .and_then(|a| a.country_code.as_deref())
    {
        if let Some(country) = countries::by_code(code) {
            if code != country.alpha2 {
                out.push(Fix::CountryCodeCase {
                    from: code.to_owned(),
                    to: country.alpha2,
                });
            }
        } else if let Some(country) = countries::reserved_alias(code) {
            out.push(Fix::CountryCodeAlias {
                from: code.to_owned(),
                to: country.alpha2,
            });
        }
    }
    if let Some(loc) = &store.location {
        out.push(Fix::SwapCoordinates {
            lat: loc.lat,
            lng: loc.lng,
        });
    }
    let Some(hours) = &store.opening_hours else {
        return out;
    };
    let mut all: Vec<(Day, &Vec<Period>)> = hours
        .usual
        .iter()
        .flatten()
        .map(|(k, v)| (Day::Usual(k.clone()), v))
        .collect();
    all.extend(
        hours
            .special
            .iter()
            .flatten()
            .map(|(d, v)| (Day::Special(d.clone()), v)),
    );
    for (day, periods) in all {
        for (index, period) in periods.iter().enumerate() {
            for (field, time) in [
                (TimeField::Start, &period.start),
                (TimeField::End, &period.end),
            ] {
                if let Some(t) = time
                    && let Some(from) = t.normalised_from()
                {
                    out.push(Fix::NormaliseTime {
                        day: day.clone(),
                        index,
                        field,
                        from: from.to_owned(),
                        to: t.text(),
                    });
                }
            }
            if let Day::Usual(DayKey::Weekday(weekday)) = day
                && !period.is_all_day()
                && let (Some(start), Some(end)) = (
                    period.start.as_ref().and_then(Time::time),
                    period.end.as_ref().and_then(Time::time),
                )
                && end < start
                // From 23:59 there is no evening left to keep on the day.
                && start < TimeOfDay::LAST_MINUTE
            {
                out.push(Fix::SplitOvernight {
                    weekday,
                    index,
                    start,
                    end,
                });
            }
        }
    }
    out
}

/// Whether a safe fix may answer findings of this code (the codes of [`Fix::code`]), so that a
/// caller reads a store for its fixes only when one could be offered.
pub fn may_fix(code: Code) -> bool {
    matches!(
        code,
        Code::TimeNormalised
            | Code::TextWhitespace
            | Code::CountryCodeCase
            | Code::CountryCodeAlias
            | Code::PeriodOrder
            | Code::LocationSwapped
    )
}

/// The safe fixes of these findings of `store`, in the order of the findings.
pub fn fixes_for(store: &Store, findings: &[Finding]) -> Vec<Fix> {
    let candidates = candidates(store);
    let mut out: Vec<Fix> = Vec::new();
    for finding in findings {
        for fix in &candidates {
            if fix.code() == finding.code && fix.path() == finding.path && !out.contains(fix) {
                out.push(fix.clone());
            }
        }
    }
    out
}

/// Applies `fix` to `store`; `false` when the store no longer has what the fix was offered
/// for, and nothing was changed.
pub fn apply(store: &mut Store, fix: &Fix) -> bool {
    match fix {
        Fix::NormaliseTime {
            day, index, field, ..
        } => {
            let Some(period) = store
                .opening_hours
                .as_mut()
                .and_then(|h| day.periods_mut(h))
                .and_then(|periods| periods.get_mut(*index))
            else {
                return false;
            };
            let time = match field {
                TimeField::Start => &mut period.start,
                TimeField::End => &mut period.end,
            };
            match time {
                Some(t) if t.normalised_from().is_some() => match t.time() {
                    Some(value) => {
                        *t = Time::new(value);
                        true
                    }
                    None => false,
                },
                _ => false,
            }
        }
        Fix::Trim { field } => match field.get_mut(store) {
            Some(text) if is_untrimmed(text) => {
                *text = text.trim().to_owned();
                true
            }
            _ => false,
        },
        Fix::CountryCodeCase { from, to } | Fix::CountryCodeAlias { from, to } => {
            match store.address.as_mut().and_then(|a| a.country_code.as_mut()) {
                Some(code) if code == from => {
                    *code = (*to).to_owned();
                    true
                }
                _ => false,
            }
        }
        Fix::SplitOvernight {
            weekday,
            index,
            start,
            end,
        } => split(store, *weekday, *index, *start, *end),
        Fix::SwapCoordinates { lat, lng } => match store.location.as_mut() {
            Some(loc) if same(loc.lat, *lat) && same(loc.lng, *lng) => {
                std::mem::swap(&mut loc.lat, &mut loc.lng);
                true
            }
            _ => false,
        },
    }
}

/// Applies each fix in turn; returns how many changed the store.
pub fn apply_fixes(store: &mut Store, fixes: &[Fix]) -> usize {
    fixes.iter().filter(|fix| apply(store, fix)).count()
}

/// The same number, NaN included.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

fn split(store: &mut Store, weekday: u8, index: usize, start: TimeOfDay, end: TimeOfDay) -> bool {
    let Some(usual) = store.opening_hours.as_mut().and_then(|h| h.usual.as_mut()) else {
        return false;
    };
    let Some(period) = usual
        .get_mut(&DayKey::Weekday(weekday))
        .and_then(|periods| periods.get_mut(index))
    else {
        return false;
    };
    let times = (
        period.start.as_ref().and_then(Time::time),
        period.end.as_ref().and_then(Time::time),
    );
    if period.is_all_day() || times != (Some(start), Some(end)) {
        return false;
    }
    let Some((evening, morning)) = split_overnight(start, end) else {
        return false;
    };
    // The period keeps its start as written and whatever else it holds.
    period.end = evening.end;
    let next = DayKey::Weekday(weekday % 7 + 1);
    // A next day that followed the default keeps the default's periods beside the new one.
    let default = usual.get(&DayKey::Default).cloned().unwrap_or_default();
    usual.entry(next).or_insert(default).push(morning);
    true
}
