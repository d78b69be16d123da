//! The sandbox's sample stores (`assets/sandbox/stores.json`): they read, validate without an
//! error, and show what the editor can do (split shifts, special days, closures, localized
//! names, all-day hours, several countries and time zones, stores close together).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{NaiveDate, TimeZone, Utc};
use storedesk::hours::DayKey;
use storedesk::model::{Store, parse_document};
use storedesk::validate::{Code, Context, Severity, validate_set, validate_store};

fn stores() -> Vec<Store> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/sandbox/stores.json"
    ))
    .expect("the sandbox stores are readable");
    let document = parse_document(&text).expect("the sandbox file is Woosmap JSON");
    assert_eq!(
        document.kind,
        storedesk::model::DocumentKind::StoresObject,
        "written as {{\"stores\": [...]}}"
    );
    document
        .entries
        .into_iter()
        .map(|e| {
            e.result
                .unwrap_or_else(|err| panic!("store #{} does not read: {err}", e.index + 1))
        })
        .collect()
}

fn context() -> Context {
    Context {
        today: NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date"),
    }
}

fn distance_metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let dl = (b.1 - a.1).to_radians();
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

#[test]
fn every_sample_store_validates_without_an_error() {
    let stores = stores();
    assert!(stores.len() >= 60, "only {} stores", stores.len());
    let ctx = context();
    let mut errors = Vec::new();
    let mut others = Vec::new();
    for store in &stores {
        for f in validate_store(store, &ctx) {
            let line = format!(
                "{} {} {} {}: {}",
                store.id(),
                f.severity,
                f.code,
                f.path,
                f.message
            );
            if f.severity == Severity::Error {
                errors.push(line);
            } else {
                others.push(line);
            }
        }
    }
    for line in &others {
        println!("{line}");
    }
    assert!(errors.is_empty(), "errors:\n{}", errors.join("\n"));
    assert!(
        others.len() <= stores.len() / 20,
        "too many warnings for sample data:\n{}",
        others.join("\n")
    );
}

#[test]
fn the_set_has_no_duplicate_ids_and_no_stores_at_the_same_place() {
    let stores = stores();
    let findings = validate_set(&stores, &context());
    let across: Vec<String> = stores
        .iter()
        .zip(&findings)
        .flat_map(|(s, fs)| {
            fs.iter()
                .filter(|f| {
                    matches!(
                        f.code,
                        Code::StoreIdDuplicate | Code::SamePlace | Code::AddressLineCopied
                    )
                })
                .map(move |f| format!("{} {}: {}", s.id(), f.code, f.message))
        })
        .collect();
    assert!(across.is_empty(), "{}", across.join("\n"));
    assert!(
        !findings
            .iter()
            .flatten()
            .any(|f| f.code == Code::StoreIdDuplicate)
    );
}

#[test]
fn ids_are_unique_and_made_of_letters_digits_and_underscores() {
    let stores = stores();
    let mut seen = HashSet::new();
    for store in &stores {
        let id = store.id();
        assert!(
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad id {id:?}"
        );
        assert!(seen.insert(id), "id {id} used twice");
    }
}

#[test]
fn the_samples_span_countries_and_time_zones() {
    let stores = stores();
    let countries: BTreeSet<&str> = stores.iter().filter_map(Store::country_code).collect();
    assert!(countries.len() >= 8, "countries: {countries:?}");
    let us_zones: BTreeSet<&str> = stores
        .iter()
        .filter(|s| s.country_code() == Some("US"))
        .filter_map(|s| s.opening_hours.as_ref()?.timezone.as_deref())
        .collect();
    assert!(us_zones.len() >= 2, "US time zones: {us_zones:?}");
    for store in &stores {
        let hours = store
            .opening_hours
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no opening hours", store.id()));
        let zone = hours.timezone.as_deref().unwrap_or("");
        assert!(
            zone.parse::<chrono_tz::Tz>().is_ok(),
            "{}: {zone:?} is not a time zone",
            store.id()
        );
    }
}

#[test]
fn every_store_has_hours_that_evaluate() {
    let stores = stores();
    let instants = [
        Utc.with_ymd_and_hms(2026, 6, 3, 10, 0, 0),
        Utc.with_ymd_and_hms(2026, 12, 24, 15, 30, 0),
        Utc.with_ymd_and_hms(2027, 2, 10, 23, 0, 0),
    ];
    for at in instants {
        let at = at.single().expect("an instant");
        for store in &stores {
            let hours = store.opening_hours.as_ref().expect("hours");
            let status = hours
                .status_at(at)
                .unwrap_or_else(|e| panic!("{}: {e}", store.id()));
            assert!(
                status.next_opening.is_some() || status.open_now,
                "{} never opens after {at}",
                store.id()
            );
        }
    }
}

#[test]
fn the_samples_show_every_kind_of_opening_hours() {
    let stores = stores();
    let hours = || stores.iter().filter_map(|s| s.opening_hours.as_ref());
    let split = hours().any(|h| {
        h.usual
            .iter()
            .flat_map(|u| u.values())
            .any(|periods| periods.len() >= 2)
    });
    let closed_sunday = hours().any(|h| {
        h.usual
            .as_ref()
            .and_then(|u| u.get(&DayKey::Weekday(7)))
            .is_some_and(Vec::is_empty)
    });
    let default = hours().any(|h| {
        h.usual
            .as_ref()
            .is_some_and(|u| u.contains_key(&DayKey::Default))
    });
    let special = hours().any(|h| h.special.as_ref().is_some_and(|s| !s.is_empty()));
    let closed_christmas = hours().any(|h| {
        h.special
            .as_ref()
            .and_then(|s| s.get("2026-12-25"))
            .is_some_and(Vec::is_empty)
    });
    let closure = hours().any(|h| h.temporary_closure.as_ref().is_some_and(|c| !c.is_empty()));
    let all_day = hours().any(|h| h.all_periods().any(|(_, _, p)| p.is_all_day()));
    assert!(split, "no split shifts");
    assert!(closed_sunday, "no store closed on Sundays");
    assert!(default, "no default hours");
    assert!(special, "no special days");
    assert!(closed_christmas, "no store closed at Christmas");
    assert!(closure, "no temporary closure");
    assert!(all_day, "no all-day hours");

    let localized = stores
        .iter()
        .filter(|s| s.localized_names.as_ref().is_some_and(|n| !n.is_empty()))
        .count();
    assert!(localized >= 3, "{localized} stores with localized names");
}

#[test]
fn user_properties_mix_json_types() {
    let stores = stores();
    let values = || {
        stores
            .iter()
            .filter_map(|s| s.user_properties.as_ref())
            .flat_map(|p| p.values())
    };
    assert!(values().any(|v| v.as_str().is_some_and(|s| s.starts_with('0'))));
    assert!(values().any(serde_json::Value::is_number));
    assert!(values().any(serde_json::Value::is_boolean));
    assert!(values().any(serde_json::Value::is_object));
}

#[test]
fn contacts_use_reserved_example_domains_only() {
    for store in stores() {
        let Some(contact) = &store.contact else {
            continue;
        };
        if let Some(email) = &contact.email {
            let domain = email.rsplit('@').next().unwrap_or("");
            assert!(
                domain == "example.com" || domain == "example.org",
                "{}: {email}",
                store.id()
            );
        }
        if let Some(website) = &contact.website {
            let host = url::Url::parse(website)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            assert!(
                ["example.com", "example.org"]
                    .iter()
                    .any(|d| host == *d || host.ends_with(&format!(".{d}"))),
                "{}: {website}",
                store.id()
            );
        }
    }
}

#[test]
fn some_stores_are_close_together_but_never_on_the_same_spot() {
    let stores = stores();
    let points: Vec<(f64, f64)> = stores
        .iter()
        .map(|s| {
            let p = s.lat_lng().expect("a location");
            (p.lat, p.lng)
        })
        .collect();
    let mut neighbours: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, a) in points.iter().enumerate() {
        for (j, b) in points.iter().enumerate().skip(i + 1) {
            let d = distance_metres(*a, *b);
            assert!(
                d >= 10.0,
                "{} and {} are {d:.1} m apart",
                stores[i].id(),
                stores[j].id()
            );
            if d < 1_000.0 {
                *neighbours.entry(i).or_default() += 1;
                *neighbours.entry(j).or_default() += 1;
            }
        }
    }
    assert!(
        neighbours.values().any(|&n| n >= 3),
        "no cluster of stores within a kilometre"
    );
}
