//! Property tests for the pure core: any store round-trips through its write format, hashes
//! consistently, and the hours evaluator always gives sorted, disjoint periods.

use proptest::prelude::*;
use serde_json::{Map, Value};
use storedesk::hours::{DayKey, OpeningHours, Period, TimeOfDay, split_overnight};
use storedesk::model::{Address, Contact, Location, Store};

fn time() -> impl Strategy<Value = TimeOfDay> {
    (0u32..24, 0u32..60).prop_map(|(h, m)| TimeOfDay::from_hm(h, m).unwrap_or(TimeOfDay::MIDNIGHT))
}

fn period() -> impl Strategy<Value = Period> {
    prop_oneof![
        (time(), time()).prop_map(|(a, b)| Period::span(a.min(b), a.max(b))),
        Just(Period::all_day()),
    ]
}

fn hours() -> impl Strategy<Value = OpeningHours> {
    (
        prop::option::of(prop::sample::select(vec![
            "Europe/Paris",
            "America/New_York",
            "Asia/Tokyo",
            "UTC",
        ])),
        prop::collection::btree_map(
            prop::sample::select(vec![
                DayKey::Default,
                DayKey::Weekday(1),
                DayKey::Weekday(3),
                DayKey::Weekday(7),
            ]),
            prop::collection::vec(period(), 0..4),
            0..4,
        ),
        prop::collection::btree_map(
            (2024u32..2032, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
            prop::collection::vec(period(), 0..3),
            0..3,
        ),
    )
        .prop_map(|(tz, usual, special)| OpeningHours {
            timezone: tz.map(str::to_owned),
            usual: Some(usual),
            special: Some(special),
            ..OpeningHours::default()
        })
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        "[a-zA-Zé ]{0,12}".prop_map(Value::String),
    ]
}

fn json_map() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(("[a-z_]{1,8}", json_leaf()), 0..5)
        .prop_map(|pairs| pairs.into_iter().collect())
}

fn store() -> impl Strategy<Value = Store> {
    (
        prop::option::of("[A-Za-z0-9_]{1,20}"),
        prop::option::of("[^\"]{0,20}"),
        prop::option::of((-90.0f64..90.0, -180.0f64..180.0)),
        prop::option::of((
            prop::collection::vec("[a-z0-9 ]{0,10}", 0..3),
            prop::option::of("[A-Z]{2}"),
        )),
        prop::option::of(("[a-z@.]{0,10}", "[0-9 +]{0,10}")),
        prop::option::of(prop::collection::vec("[a-z]{1,6}", 0..3)),
        prop::option::of(json_map()),
        prop::option::of(hours()),
        json_map(),
    )
        .prop_map(
            |(id, name, loc, addr, contact, tags, props, hours, extra)| {
                let mut extra = extra;
                for known in [
                    "storeId",
                    "name",
                    "location",
                    "address",
                    "contact",
                    "types",
                    "tags",
                    "userProperties",
                    "localizedNames",
                    "openingHours",
                ] {
                    extra.remove(known);
                }
                Store {
                    store_id: id,
                    name,
                    location: loc.map(|(lat, lng)| Location::new(lat, lng)),
                    address: addr.map(|(lines, cc)| Address {
                        lines: Some(lines),
                        country_code: cc,
                        ..Address::default()
                    }),
                    contact: contact.map(|(email, phone)| Contact {
                        email: Some(email),
                        phone: Some(phone),
                        ..Contact::default()
                    }),
                    types: None,
                    tags,
                    user_properties: props,
                    localized_names: None,
                    opening_hours: hours,
                    extra,
                }
            },
        )
}

proptest! {
    #[test]
    fn any_store_round_trips_through_its_write_format(s in store()) {
        let text = s.to_json();
        let back: Store = serde_json::from_str(&text).expect("reads back");
        prop_assert_eq!(&back, &s);
        prop_assert_eq!(back.to_json(), text);
        prop_assert_eq!(back.content_hash(), s.content_hash());
    }

    #[test]
    fn json_and_hashes_agree_with_the_separate_calls(
        s in store(),
        names in prop::option::of(json_map()),
        lower_case_country in any::<bool>(),
        empty_types in any::<bool>(),
    ) {
        let mut s = s;
        s.localized_names = names;
        if lower_case_country
            && let Some(code) = s.address.as_mut().and_then(|a| a.country_code.as_mut())
        {
            code.make_ascii_lowercase();
        }
        if empty_types {
            s.types = Some(Vec::new());
        }
        let (json, content, remote) = s.json_and_hashes();
        prop_assert_eq!(json, s.to_json());
        prop_assert_eq!(content, s.content_hash());
        prop_assert_eq!(remote, s.remote_hash());
    }

    #[test]
    fn effective_hours_are_sorted_and_disjoint(h in hours(), days in 0i64..3000) {
        let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + chrono::Duration::days(days);
        let day = h.on_date(date);
        for pair in day.spans.windows(2) {
            prop_assert!(pair[0].end < pair[1].start);
        }
        for span in &day.spans {
            prop_assert!(span.start < span.end && span.end <= 1440);
        }
    }

    #[test]
    fn overnight_split_gives_two_valid_same_day_periods(a in time(), b in time()) {
        match split_overnight(a, b) {
            Some((evening, morning)) => {
                prop_assert!(b < a);
                prop_assert!(evening.minutes().is_some());
                prop_assert!(morning.minutes().is_some() || b == TimeOfDay::MIDNIGHT);
            }
            None => prop_assert!(b >= a),
        }
    }
}

/// A store as files often hold them: spaces around texts, country codes in lower case or
/// aliases, times written loosely, periods across midnight, coordinates swapped.
fn messy_store() -> impl Strategy<Value = Store> {
    let text = || {
        prop::sample::select(vec![
            "Paris Bastille",
            " Paris ",
            "Café\t",
            "   ",
            "",
            "12 rue de la Roquette ",
        ])
    };
    let time = || {
        prop::sample::select(vec![
            "6:00", "06:00", "9h30", "22:00", "02:00", "23:59", "00:00", "10.15", "late",
        ])
    };
    let period = (time(), time(), any::<bool>()).prop_map(|(start, end, all_day)| {
        if all_day {
            serde_json::json!({"all-day": true})
        } else {
            serde_json::json!({"start": start, "end": end, "note": "kept"})
        }
    });
    let points = vec![
        (48.8532, 2.3692),
        (2.3692, 48.8532),
        (51.5074, -0.1278),
        (-0.1278, 51.5074),
        (40.7128, -74.006),
        (-74.006, 40.7128),
        (37.9838, 23.7275),
        (23.7275, 37.9838),
    ];
    (
        text(),
        prop::collection::vec(text(), 0..3),
        text(),
        prop::option::of(prop::sample::select(vec![
            "FR", "fr", " FR", "UK", "uk", "EL", "DE", "XZ",
        ])),
        prop::sample::select(points),
        prop::collection::vec(text(), 0..3),
        prop::collection::btree_map(
            prop::sample::select(vec!["default", "1", "4", "5", "6", "7"]),
            prop::collection::vec(period.clone(), 0..3),
            0..5,
        ),
        prop::collection::vec(period, 0..2),
    )
        .prop_map(
            |(name, lines, city, country, (lat, lng), tags, usual, special)| {
                let value = serde_json::json!({
                    "storeId": "s1", "name": name, "location": {"lat": lat, "lng": lng},
                    "address": {"lines": lines, "city": city, "countryCode": country},
                    "contact": {"phone": " +33 1 00 00 00 00", "email": "a@example.com "},
                    "tags": tags, "types": [" shop"],
                    "openingHours": {"timezone": "Europe/Paris", "usual": usual,
                        "special": {"2030-01-01": special}}
                });
                serde_json::from_value(value).unwrap_or_default()
            },
        )
}

/// Every leaf of a JSON value with its path (`address.lines[0]`).
fn leaves(value: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, format!("{path}[{i}]"), out);
            }
        }
        leaf => out.push((path, leaf.clone())),
    }
}

fn times_of(store: &Store) -> Vec<TimeOfDay> {
    let mut out: Vec<TimeOfDay> = store
        .opening_hours
        .iter()
        .flat_map(|h| h.all_periods())
        .flat_map(|(_, _, p)| [&p.start, &p.end])
        .filter_map(|t| t.as_ref().and_then(|t| t.time()))
        .collect();
    out.sort();
    out.dedup();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn safe_fixes_keep_every_value_and_remove_their_findings(s in messy_store()) {
        use storedesk::validate::{Context, apply_fixes, fixes_for, validate_store};
        let ctx = Context { today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default() };
        let findings = validate_store(&s, &ctx);
        let fixes = fixes_for(&s, &findings);
        let mut out = s.clone();
        prop_assert_eq!(apply_fixes(&mut out, &fixes), fixes.len());
        let mut before = Vec::new();
        leaves(&serde_json::to_value(&s).unwrap_or_default(), String::new(), &mut before);
        let mut after = Vec::new();
        leaves(&serde_json::to_value(&out).unwrap_or_default(), String::new(), &mut after);
        let after: std::collections::HashMap<String, Value> = after.into_iter().collect();
        for (path, value) in &before {
            let now = after.get(path);
            match value {
                Value::String(text) if !text.trim().is_empty() => {
                    let kept = now.and_then(Value::as_str).unwrap_or("");
                    prop_assert!(!kept.trim().is_empty(), "{} lost {:?}", path, text);
                    if !path.starts_with("openingHours") && path != "address.countryCode" {
                        prop_assert_eq!(kept, text.trim(), "{}", path);
                    }
                }
                Value::Number(_) => prop_assert!(now.is_some_and(Value::is_number), "{}", path),
                Value::Bool(b) => prop_assert_eq!(now.and_then(Value::as_bool), Some(*b), "{}", path),
                _ => {}
            }
        }
        // The coordinates are the same two numbers; every time of the hours is still there.
        let pair = |s: &Store| s.lat_lng().map(|p| {
            let (a, b) = (p.lat.min(p.lng), p.lat.max(p.lng));
            (a.to_bits(), b.to_bits())
        });
        prop_assert_eq!(pair(&s), pair(&out));
        let (was, now) = (times_of(&s), times_of(&out));
        prop_assert!(was.iter().all(|t| now.contains(t)), "{:?} -> {:?}", was, now);
        // What each fix answered is no longer found.
        let again = validate_store(&out, &ctx);
        for fix in &fixes {
            prop_assert!(
                !again.iter().any(|f| f.code == fix.code() && f.path == fix.path()),
                "{:?} left {:?}", fix, again
            );
        }
    }
}
