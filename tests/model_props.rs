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
