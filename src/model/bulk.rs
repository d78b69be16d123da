//! Changes made to several stores at once, and what the selected stores share.

use std::collections::{BTreeMap, BTreeSet};

use crate::hours::{Closure, DayKey, OpeningHours, Period};
use crate::model::Store;

/// One change applied to each selected store.
#[derive(Clone, Debug, PartialEq)]
pub enum BulkChange {
    /// Sets the whole opening hours (copied from one store), or clears them with `None`.
    SetHours(Option<OpeningHours>),
    /// Sets the time zone of the opening hours, or clears it with `None`.
    SetTimezone(Option<String>),
    /// Sets the weekly hours (`usual`), or clears them with `None`; each store keeps its time
    /// zone, special days and closures.
    SetWeek(Option<BTreeMap<DayKey, Vec<Period>>>),
    /// Sets one special day (no periods: closed that day).
    SetSpecialDay {
        date: String,
        periods: Vec<Period>,
    },
    ClearSpecialDays,
    /// Adds a temporary closure (unless the store has that one already).
    AddClosure(Closure),
    ClearClosures,
    AddTag(String),
    RemoveTag(String),
    AddType(String),
    RemoveType(String),
}

impl BulkChange {
    /// The step's name in the undo history, for `count` stores.
    pub fn label(&self, count: usize) -> String {
        let of = if count == 1 {
            "1 store".to_owned()
        } else {
            format!("{count} stores")
        };
        match self {
            BulkChange::SetHours(Some(_)) => format!("Set the opening hours of {of}"),
            BulkChange::SetHours(None) => format!("Clear the opening hours of {of}"),
            BulkChange::SetTimezone(Some(tz)) => format!("Set the time zone of {of} to {tz}"),
            BulkChange::SetTimezone(None) => format!("Clear the time zone of {of}"),
            BulkChange::SetWeek(Some(_)) => format!("Set the weekly hours of {of}"),
            BulkChange::SetWeek(None) => format!("Clear the weekly hours of {of}"),
            BulkChange::SetSpecialDay { date, .. } => {
                format!("Set {date} as a special day of {of}")
            }
            BulkChange::ClearSpecialDays => format!("Clear the special days of {of}"),
            BulkChange::AddClosure(c) => {
                format!("Close {of} from {} to {}", c.start, c.end)
            }
            BulkChange::ClearClosures => format!("Clear the closures of {of}"),
            BulkChange::AddTag(t) => format!("Add the tag {t} to {of}"),
            BulkChange::RemoveTag(t) => format!("Remove the tag {t} from {of}"),
            BulkChange::AddType(t) => format!("Add the type {t} to {of}"),
            BulkChange::RemoveType(t) => format!("Remove the type {t} from {of}"),
        }
    }

    /// Applies the change to one store.
    pub fn apply(&self, store: &mut Store) {
        match self {
            BulkChange::SetHours(hours) => store.opening_hours = hours.clone(),
            BulkChange::SetTimezone(tz) => {
                hours_of(store).timezone = tz.clone();
            }
            BulkChange::SetWeek(week) => hours_of(store).usual = week.clone(),
            BulkChange::SetSpecialDay { date, periods } => {
                hours_of(store)
                    .special
                    .get_or_insert_with(BTreeMap::new)
                    .insert(date.clone(), periods.clone());
            }
            BulkChange::ClearSpecialDays => hours_of(store).special = None,
            BulkChange::AddClosure(closure) => {
                let list = hours_of(store)
                    .temporary_closure
                    .get_or_insert_with(Vec::new);
                if !list
                    .iter()
                    .any(|c| c.start == closure.start && c.end == closure.end)
                {
                    list.push(closure.clone());
                }
            }
            BulkChange::ClearClosures => hours_of(store).temporary_closure = None,
            BulkChange::AddTag(t) => add_to(&mut store.tags, t),
            BulkChange::RemoveTag(t) => remove_from(&mut store.tags, t),
            BulkChange::AddType(t) => add_to(&mut store.types, t),
            BulkChange::RemoveType(t) => remove_from(&mut store.types, t),
        }
        // Hours left with nothing in them are not written at all.
        if store
            .opening_hours
            .as_ref()
            .is_some_and(|h| *h == OpeningHours::default())
        {
            store.opening_hours = None;
        }
    }
}

fn hours_of(store: &mut Store) -> &mut OpeningHours {
    store
        .opening_hours
        .get_or_insert_with(OpeningHours::default)
}

fn add_to(list: &mut Option<Vec<String>>, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    let list = list.get_or_insert_with(Vec::new);
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

fn remove_from(list: &mut Option<Vec<String>>, value: &str) {
    if let Some(l) = list {
        l.retain(|v| v != value);
        if l.is_empty() {
            *list = None;
        }
    }
}

/// A field of several stores: the value they share, or mixed.
#[derive(Clone, Debug, PartialEq)]
pub enum Shared<T> {
    Same(T),
    Mixed,
}

impl<T: PartialEq> Shared<T> {
    fn of(mut values: impl Iterator<Item = T>) -> Shared<T> {
        let Some(first) = values.next() else {
            return Shared::Mixed;
        };
        for v in values {
            if v != first {
                return Shared::Mixed;
            }
        }
        Shared::Same(first)
    }
}

impl<T: std::fmt::Debug> Shared<Option<T>> {
    /// How a form shows it: the value, "none", or "mixed".
    pub fn describe(&self, show: impl Fn(&T) -> String) -> String {
        match self {
            Shared::Same(Some(v)) => show(v),
            Shared::Same(None) => "none".to_owned(),
            Shared::Mixed => "mixed".to_owned(),
        }
    }
}

/// What the selected stores share, for the bulk-edit panel.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectionSummary {
    pub count: usize,
    pub timezone: Shared<Option<String>>,
    pub week: Shared<Option<BTreeMap<DayKey, Vec<Period>>>>,
    pub special_days: Shared<Option<BTreeMap<String, Vec<Period>>>>,
    pub closures: Shared<Option<Vec<Closure>>>,
    /// Each tag and type in the selection, with how many of the stores have it.
    pub tags: BTreeMap<String, usize>,
    pub types: BTreeMap<String, usize>,
}

impl SelectionSummary {
    pub fn of(stores: &[Store]) -> SelectionSummary {
        let hours = |s: &Store| s.opening_hours.clone().unwrap_or_default();
        let count_in = |list: fn(&Store) -> &Option<Vec<String>>| {
            let mut counts = BTreeMap::new();
            for s in stores {
                let unique: BTreeSet<&String> = list(s).iter().flatten().collect();
                for v in unique {
                    *counts.entry(v.clone()).or_insert(0) += 1;
                }
            }
            counts
        };
        SelectionSummary {
            count: stores.len(),
            timezone: Shared::of(stores.iter().map(|s| hours(s).timezone)),
            week: Shared::of(
                stores
                    .iter()
                    .map(|s| hours(s).usual.filter(|u| !u.is_empty())),
            ),
            special_days: Shared::of(
                stores
                    .iter()
                    .map(|s| hours(s).special.filter(|u| !u.is_empty())),
            ),
            closures: Shared::of(
                stores
                    .iter()
                    .map(|s| hours(s).temporary_closure.filter(|u| !u.is_empty())),
            ),
            tags: count_in(|s| &s.tags),
            types: count_in(|s| &s.types),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(json: &str) -> Store {
        serde_json::from_str(json).expect("store")
    }

    #[test]
    fn a_time_zone_set_on_stores_with_and_without_hours() {
        let mut with = store(
            r#"{"storeId":"A","openingHours":{"timezone":"Europe/London","usual":{"1":[{"start":"09:00","end":"17:00"}]}}}"#,
        );
        let mut without = store(r#"{"storeId":"B"}"#);
        let change = BulkChange::SetTimezone(Some("Europe/Paris".into()));
        change.apply(&mut with);
        change.apply(&mut without);
        for s in [&with, &without] {
            assert_eq!(
                s.opening_hours.as_ref().and_then(|h| h.timezone.as_deref()),
                Some("Europe/Paris")
            );
        }
        // The weekly hours stay.
        assert!(
            with.opening_hours
                .as_ref()
                .and_then(|h| h.usual.as_ref())
                .is_some()
        );
        // Clearing the only thing in the hours leaves no hours at all.
        BulkChange::SetTimezone(None).apply(&mut without);
        assert_eq!(without.opening_hours, None);
        assert_eq!(
            change.label(3),
            "Set the time zone of 3 stores to Europe/Paris"
        );
    }

    #[test]
    fn tags_are_added_once_and_removed_to_nothing() {
        let mut s = store(r#"{"storeId":"A","tags":["bio"]}"#);
        BulkChange::AddTag("bio".into()).apply(&mut s);
        BulkChange::AddTag(" drive ".into()).apply(&mut s);
        assert_eq!(s.tags, Some(vec!["bio".to_owned(), "drive".to_owned()]));
        BulkChange::RemoveTag("bio".into()).apply(&mut s);
        BulkChange::RemoveTag("drive".into()).apply(&mut s);
        assert_eq!(s.tags, None);
    }

    #[test]
    fn closures_and_special_days() {
        let mut s = store(r#"{"storeId":"A"}"#);
        let closure = Closure {
            start: "2026-12-24".into(),
            end: "2026-12-26".into(),
            ..Closure::default()
        };
        BulkChange::AddClosure(closure.clone()).apply(&mut s);
        BulkChange::AddClosure(closure).apply(&mut s);
        BulkChange::SetSpecialDay {
            date: "2026-12-31".into(),
            periods: Vec::new(),
        }
        .apply(&mut s);
        let hours = s.opening_hours.clone().expect("hours");
        assert_eq!(hours.temporary_closure.map(|c| c.len()), Some(1));
        assert_eq!(
            hours.special.map(|d| d.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["2026-12-31".to_owned()])
        );
        BulkChange::ClearClosures.apply(&mut s);
        BulkChange::ClearSpecialDays.apply(&mut s);
        assert_eq!(s.opening_hours, None);
    }

    #[test]
    fn the_summary_says_same_or_mixed() {
        let a = store(
            r#"{"storeId":"A","tags":["bio","drive"],"openingHours":{"timezone":"Europe/Paris"}}"#,
        );
        let b =
            store(r#"{"storeId":"B","tags":["bio"],"openingHours":{"timezone":"Europe/Paris"}}"#);
        let c = store(r#"{"storeId":"C","tags":["bio","bio"]}"#);
        let two = SelectionSummary::of(&[a.clone(), b.clone()]);
        assert_eq!(two.timezone, Shared::Same(Some("Europe/Paris".into())));
        assert_eq!(two.week, Shared::Same(None));
        let three = SelectionSummary::of(&[a, b, c]);
        assert_eq!(three.timezone, Shared::Mixed);
        assert_eq!(three.timezone.describe(|t| t.clone()), "mixed");
        assert_eq!(three.tags.get("bio"), Some(&3));
        assert_eq!(three.tags.get("drive"), Some(&1));
    }
}
