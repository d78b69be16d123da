//! One passing and one failing case for every rule.

use super::*;
use crate::hours::{DayKey, Period, TimeOfDay};
use crate::model::Store;

fn ctx() -> Context {
    Context {
        today: NaiveDate::from_ymd_opt(2025, 6, 1).expect("date"),
    }
}

/// A store that passes every rule; tests change one thing in it.
const GOOD: &str = r#"{"storeId": "paris_01", "name": "Paris Bastille",
    "location": {"lat": 48.8532, "lng": 2.3692},
    "address": {"lines": ["12 rue de la Roquette"], "countryCode": "FR", "city": "Paris", "zipcode": "75011"},
    "contact": {"website": "https://example.fr/bastille", "phone": "+33 1 43 00 00 00", "email": "bastille@example.fr"},
    "openingHours": {"timezone": "Europe/Paris",
        "usual": {"default": [{"start": "09:00", "end": "12:30"}, {"start": "14:00", "end": "19:00"}], "7": []},
        "special": {"2025-12-24": [{"start": "09:00", "end": "16:00"}]},
        "temporary_closure": [{"start": "2025-08-01", "end": "2025-08-15"}]}}"#;

fn store(patch: &str) -> Store {
    let mut value: serde_json::Value = serde_json::from_str(GOOD).expect("good json");
    let patch: serde_json::Value = serde_json::from_str(patch).expect("patch json");
    merge(&mut value, patch);
    serde_json::from_value(value).expect("store")
}

/// JSON merge patch: objects merge, `null` removes.
fn merge(target: &mut serde_json::Value, patch: serde_json::Value) {
    match (target, patch) {
        (serde_json::Value::Object(t), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge(t.entry(k).or_insert(serde_json::Value::Null), v);
                }
            }
        }
        (t, p) => *t = p,
    }
}

fn codes(s: &Store) -> Vec<Code> {
    validate_store(s, &ctx())
        .into_iter()
        .map(|f| f.code)
        .collect()
}

fn finding(s: &Store, code: Code) -> Finding {
    validate_store(s, &ctx())
        .into_iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", validate_store(s, &ctx())))
}

#[track_caller]
fn fails(patch: &str, code: Code) -> Finding {
    finding(&store(patch), code)
}

#[track_caller]
fn passes(patch: &str, code: Code) {
    let found = codes(&store(patch));
    assert!(
        !found.contains(&code),
        "{code} found for {patch}: {found:?}"
    );
}

#[test]
fn the_good_store_has_no_findings() {
    assert_eq!(validate_store(&store("{}"), &ctx()), vec![]);
}

#[test]
fn store_id_rules() {
    passes(r#"{"storeId": "A_b_9"}"#, Code::StoreIdInvalid);
    let f = fails(r#"{"storeId": "paris-01 b"}"#, Code::StoreIdInvalid);
    assert_eq!(f.path, "storeId");
    assert!(
        f.message.contains("'-'") && f.message.contains("' '"),
        "{}",
        f.message
    );
    assert_eq!(f.severity, Severity::Error);
    fails(r#"{"storeId": null}"#, Code::StoreIdMissing);
    fails(r#"{"storeId": "  "}"#, Code::StoreIdMissing);
    passes("{}", Code::StoreIdMissing);
}

#[test]
fn name_rule() {
    fails(r#"{"name": null}"#, Code::NameMissing);
    fails(r#"{"name": " "}"#, Code::NameMissing);
    passes(r#"{"name": "x"}"#, Code::NameMissing);
}

#[test]
fn location_rules() {
    fails(r#"{"location": null}"#, Code::LocationMissing);
    let f = fails(
        r#"{"location": {"lat": 120.5, "lng": 45.0}}"#,
        Code::LatitudeRange,
    );
    assert!(f.message.contains("swapped"), "{}", f.message);
    passes(
        r#"{"location": {"lat": -90, "lng": 180}}"#,
        Code::LatitudeRange,
    );
    fails(
        r#"{"location": {"lat": 10, "lng": 180.01}}"#,
        Code::LongitudeRange,
    );
    passes(
        r#"{"location": {"lat": 10, "lng": -180}}"#,
        Code::LongitudeRange,
    );
    fails(r#"{"location": {"lat": 0, "lng": 0}}"#, Code::NullIsland);
    passes(r#"{"location": {"lat": 0, "lng": 0.5}}"#, Code::NullIsland);
    let mut s = store("{}");
    s.location = Some(crate::model::Location::new(f64::NAN, 1.0));
    assert!(codes(&s).contains(&Code::LocationNotFinite));
}

#[test]
fn country_code_rules() {
    let f = fails(
        r#"{"address": {"countryCode": "Netherlands"}}"#,
        Code::CountryCodeInvalid,
    );
    assert!(f.message.contains("NL"), "{}", f.message);
    fails(
        r#"{"address": {"countryCode": "XZ"}}"#,
        Code::CountryCodeInvalid,
    );
    let f = fails(
        r#"{"address": {"countryCode": "UK"}}"#,
        Code::CountryCodeAlias,
    );
    assert!(f.message.contains("GB"));
    fails(
        r#"{"address": {"countryCode": "fr"}}"#,
        Code::CountryCodeCase,
    );
    for code in [
        Code::CountryCodeInvalid,
        Code::CountryCodeAlias,
        Code::CountryCodeCase,
    ] {
        passes(r#"{"address": {"countryCode": "FR"}}"#, code);
    }
}

#[test]
fn email_rules() {
    for bad in [
        "bastille",
        "a@b",
        "a b@example.fr",
        "@example.fr",
        "a@@example.fr",
        "a@example..fr",
        "markets@",
        "a@example.f",
    ] {
        fails(
            &format!(r#"{{"contact": {{"email": "{bad}"}}}}"#),
            Code::EmailInvalid,
        );
    }
    passes(
        r#"{"contact": {"email": "first.last+shop@sub.example.co.uk"}}"#,
        Code::EmailInvalid,
    );
    let f = fails(
        r#"{"contact": {"email": "info@mercato.ocm"}}"#,
        Code::EmailTypo,
    );
    assert!(f.message.contains(".com"));
    passes(
        r#"{"contact": {"email": "info@mercato.com"}}"#,
        Code::EmailTypo,
    );
    passes(
        r#"{"contact": {"email": "info@mercato.co"}}"#,
        Code::EmailTypo,
    );
}

#[test]
fn website_rules() {
    for bad in [
        "www.example.fr",
        "ftp://example.fr",
        "https://exa mple.fr",
        "http://intranet",
        "https://",
    ] {
        fails(
            &format!(r#"{{"contact": {{"website": "{bad}"}}}}"#),
            Code::WebsiteInvalid,
        );
    }
    passes(
        r#"{"contact": {"website": "http://example.fr/search?q=marché"}}"#,
        Code::WebsiteInvalid,
    );
}

#[test]
fn phone_rules() {
    for bad in [
        "12 34",
        "call us",
        "01 45 11 71 11 ext",
        "01 +33 45",
        "+33 1 23 45 67 89 01 23 45 67 89",
    ] {
        fails(
            &format!(r#"{{"contact": {{"phone": "{bad}"}}}}"#),
            Code::PhoneInvalid,
        );
    }
    for good in [
        "01 45 11 71 11",
        "(+34) 915 42 49 36",
        "+33 (0)4 66 22 68 88",
        "05.46.09.15.00",
    ] {
        passes(
            &format!(r#"{{"contact": {{"phone": "{good}"}}}}"#),
            Code::PhoneInvalid,
        );
    }
    let f = fails(
        r#"{"contact": {"phone": "+39 0552399798"}}"#,
        Code::PhoneCountry,
    );
    assert!(
        f.message.contains("Italy") && f.message.contains("France"),
        "{}",
        f.message
    );
    passes(
        r#"{"contact": {"phone": "+33 1 43 00 00 00"}}"#,
        Code::PhoneCountry,
    );
    passes(
        r#"{"contact": {"phone": "+39 0552399798"}, "address": {"countryCode": null}}"#,
        Code::PhoneCountry,
    );
}

#[test]
fn unknown_fields_are_named_and_suggested() {
    let s = store(
        r#"{"brand": "X", "address": {"country": "Netherlands"}, "contact": {"tel": "+43 1 240555"}}"#,
    );
    let found: Vec<Finding> = validate_store(&s, &ctx())
        .into_iter()
        .filter(|f| f.code == Code::UnknownField)
        .collect();
    let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["brand", "address.country", "contact.tel"]);
    assert!(found[1].message.contains("countryCode") && found[1].message.contains("NL"));
    assert!(found[2].message.contains("\"phone\""));
    assert_eq!(found[0].severity, Severity::Warning);
    passes("{}", Code::UnknownField);
    let f = fails(
        r#"{"openingHours": {"usual": {"1": [{"start": "09:00", "end": "10:00", "note": "x"}]}}}"#,
        Code::UnknownField,
    );
    assert_eq!(f.path, "openingHours.usual.1[0].note");
}

#[test]
fn timezone_rules() {
    fails(
        r#"{"openingHours": {"timezone": null}}"#,
        Code::TimezoneMissing,
    );
    fails(
        r#"{"openingHours": {"timezone": "Europe/Pariss"}}"#,
        Code::TimezoneUnknown,
    );
    passes(
        r#"{"openingHours": {"timezone": "America/New_York"}}"#,
        Code::TimezoneUnknown,
    );
    let f = fails(
        r#"{"openingHours": {"timezone": "Europe/Madrid"}}"#,
        Code::TimezoneCountry,
    );
    assert!(f.message.contains("France"), "{}", f.message);
    passes(
        r#"{"openingHours": {"timezone": "UTC"}}"#,
        Code::TimezoneCountry,
    );
    passes(
        r#"{"openingHours": {"timezone": "Europe/Paris"}}"#,
        Code::TimezoneCountry,
    );
}

/// The codes of the location and time zone rules found for a store at `lat`, `lng` with the
/// address country `country` (`null`: none) and the time zone `tz`.
fn place_codes(lat: f64, lng: f64, country: &str, tz: &str) -> Vec<Code> {
    let s = store(&format!(
        r#"{{"location": {{"lat": {lat}, "lng": {lng}}}, "address": {{"countryCode": {country}}},
            "contact": null, "openingHours": {{"timezone": "{tz}"}}}}"#
    ));
    codes(&s)
        .into_iter()
        .filter(|c| {
            matches!(
                c,
                Code::LocationOutsideCountry
                    | Code::LocationSwapped
                    | Code::TimezoneLocation
                    | Code::TimezoneCountry
            )
        })
        .collect()
}

#[test]
fn a_paris_store_in_france_passes_the_location_rules() {
    for code in [
        Code::LocationOutsideCountry,
        Code::LocationSwapped,
        Code::TimezoneLocation,
    ] {
        passes("{}", code);
    }
    assert_eq!(place_codes(48.8532, 2.3692, "\"fr\"", "Europe/Paris"), []);
    assert_eq!(place_codes(48.8532, 2.3692, "null", "Europe/Paris"), []);
}

#[test]
fn a_location_in_another_country_names_both() {
    let f = fails(
        r#"{"address": {"countryCode": "DE"}}"#,
        Code::LocationOutsideCountry,
    );
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.path, "location");
    assert_eq!(
        f.message,
        "The location is in France (FR), not in Germany (DE) as the address says; check the coordinates or the country."
    );
    // A country named in `address.country` counts as well.
    fails(
        r#"{"address": {"countryCode": null, "country": "Italia"}}"#,
        Code::LocationOutsideCountry,
    );
    // The time zone is not compared with a location that is itself in doubt.
    assert_eq!(
        place_codes(48.8532, 2.3692, "\"DE\"", "Europe/Berlin"),
        [Code::LocationOutsideCountry]
    );
}

#[test]
fn a_location_at_sea_says_it_is_on_no_land() {
    let f = fails(
        r#"{"location": {"lat": 45.0, "lng": -30.0}}"#,
        Code::LocationOutsideCountry,
    );
    assert!(
        f.message.contains("not on land in any country") && f.message.contains("France (FR)"),
        "{}",
        f.message
    );
    // Without a country there is nothing to compare with.
    assert_eq!(place_codes(45.0, -30.0, "null", "Europe/Paris"), []);
    // A store on a quay or on a small island is on land.
    for (lat, lng) in [(43.2951, 5.37), (46.7167, -2.3458), (48.38, -4.49)] {
        assert_eq!(
            place_codes(lat, lng, "\"FR\"", "Europe/Paris"),
            [],
            "{lat}, {lng}"
        );
    }
}

#[test]
fn swapped_coordinates_are_reported_instead_of_the_country() {
    let f = fails(
        r#"{"location": {"lat": 2.3692, "lng": 48.8532}}"#,
        Code::LocationSwapped,
    );
    assert_eq!(f.path, "location");
    assert!(
        f.message.contains("at sea") && f.message.contains("in France (FR) as the address says"),
        "{}",
        f.message
    );
    assert_eq!(
        place_codes(2.3692, 48.8532, "\"FR\"", "Europe/Paris"),
        [Code::LocationSwapped]
    );
    // Without a country: at sea as given, on land swapped.
    let s = store(r#"{"location": {"lat": 2.3692, "lng": 48.8532}, "address": null}"#);
    let f = finding(&s, Code::LocationSwapped);
    assert!(
        f.message.contains("on land in France (FR)"),
        "{}",
        f.message
    );
    // Sydney with its latitude out of range is swapped too.
    let s = store(
        r#"{"location": {"lat": 151.2093, "lng": -33.8688}, "address": {"countryCode": "AU"}, "openingHours": {"timezone": "Australia/Sydney"}}"#,
    );
    let found = codes(&s);
    assert!(found.contains(&Code::LatitudeRange), "{found:?}");
    assert!(found.contains(&Code::LocationSwapped), "{found:?}");
    // A point in another country that is not the swapped one is outside the country.
    assert_eq!(
        place_codes(52.52, 13.405, "\"FR\"", "Europe/Paris"),
        [Code::LocationOutsideCountry]
    );
}

#[test]
fn a_time_zone_that_is_not_the_one_of_the_location_names_the_right_one() {
    let new_york = r#"{"location": {"lat": 40.7128, "lng": -74.006}, "address": {"countryCode": "US", "city": "New York"}, "contact": null}"#;
    let f = finding(&store(new_york), Code::TimezoneLocation);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.path, "openingHours.timezone");
    assert_eq!(
        f.message,
        "Time zone Europe/Paris is not the time zone of the store's location, which is America/New_York; use America/New_York unless the location is wrong."
    );
    // One finding for one cause: the country's is left out.
    assert_eq!(
        place_codes(40.7128, -74.006, "\"US\"", "Europe/Paris"),
        [Code::TimezoneLocation]
    );
    assert_eq!(
        place_codes(40.7128, -74.006, "null", "Europe/Paris"),
        [Code::TimezoneLocation]
    );
    assert_eq!(
        place_codes(40.7128, -74.006, "\"US\"", "America/New_York"),
        []
    );
    // Another name of the same clock is not reported: the Vatican's zone is Europe/Vatican.
    assert_eq!(place_codes(41.9029, 12.4534, "\"VA\"", "Europe/Rome"), []);
    // Phoenix keeps no summer time.
    assert_eq!(
        place_codes(33.4484, -112.074, "\"US\"", "America/Denver"),
        [Code::TimezoneLocation]
    );
    // The country's rule still speaks when the location says nothing more.
    assert_eq!(
        place_codes(48.8532, 2.3692, "\"FR\"", "Europe/Madrid"),
        [Code::TimezoneCountry]
    );
}

#[test]
fn a_store_near_a_border_is_not_reported() {
    // Basel (CH), Saint-Louis (FR), Weil am Rhein (DE), the Basel Badischer Bahnhof (CH), and
    // the three-country point, each with its own country and time zone.
    for (lat, lng, country, tz) in [
        (47.5596, 7.5886, "CH", "Europe/Zurich"),
        (47.5898, 7.5617, "FR", "Europe/Paris"),
        (47.5936, 7.6207, "DE", "Europe/Berlin"),
        (47.5673, 7.6075, "CH", "Europe/Zurich"),
        (47.5897, 7.5891, "CH", "Europe/Zurich"),
        (47.5897, 7.5891, "DE", "Europe/Berlin"),
        (47.5897, 7.5891, "FR", "Europe/Paris"),
    ] {
        assert_eq!(
            place_codes(lat, lng, &format!("\"{country}\""), tz),
            [],
            "{lat}, {lng} in {country}"
        );
    }
    // Walking north from Basel, the last Swiss point of the simplified border and a point 300 m
    // beyond it: the boundaries put that one in Germany, the rule gives it the benefit of the
    // doubt; 5 km beyond, it is reported.
    let (mut lat, lng) = (47.5596, 7.5886);
    while crate::geo::in_country(lat + 0.0005, lng, "CH") {
        lat += 0.0005;
    }
    let across = lat + 0.003;
    assert!(!crate::geo::in_country(across, lng, "CH"), "{across}");
    assert_eq!(place_codes(across, lng, "\"CH\"", "Europe/Zurich"), []);
    assert_eq!(
        place_codes(lat + 0.05, lng, "\"CH\"", "Europe/Zurich"),
        [Code::LocationOutsideCountry]
    );
}

#[test]
fn day_key_rule() {
    let f = fails(
        r#"{"openingHours": {"usual": {"monday": []}}}"#,
        Code::DayKeyUnknown,
    );
    assert_eq!(f.path, "openingHours.usual.monday");
    fails(
        r#"{"openingHours": {"usual": {"8": []}}}"#,
        Code::DayKeyUnknown,
    );
    passes(
        r#"{"openingHours": {"usual": {"1": [], "7": [], "default": []}}}"#,
        Code::DayKeyUnknown,
    );
}

#[test]
fn time_rules() {
    let f = fails(
        r#"{"openingHours": {"usual": {"default": [{"start": "25:00", "end": "19:00"}]}}}"#,
        Code::TimeInvalid,
    );
    assert_eq!(f.path, "openingHours.usual.default[0].start");
    let f = fails(
        r#"{"openingHours": {"usual": {"default": [{"start": "6:00", "end": "19:00"}]}}}"#,
        Code::TimeNormalised,
    );
    assert_eq!(f.severity, Severity::Notice);
    assert!(f.message.contains("\"6:00\" will be written \"06:00\""));
    passes(
        r#"{"openingHours": {"usual": {"default": [{"start": "06:00", "end": "19:00"}]}}}"#,
        Code::TimeNormalised,
    );
    fails(
        r#"{"openingHours": {"usual": {"default": [{"start": "06:00"}]}}}"#,
        Code::PeriodIncomplete,
    );
    passes(
        r#"{"openingHours": {"usual": {"default": [{"all-day": true}]}}}"#,
        Code::PeriodIncomplete,
    );
    fails(
        r#"{"openingHours": {"usual": {"default": [{"all-day": true, "start": "06:00", "end": "07:00"}]}}}"#,
        Code::PeriodAllDayWithTimes,
    );
}

#[test]
fn period_order_and_overlap_rules() {
    let f = fails(
        r#"{"openingHours": {"usual": {"5": [{"start": "22:00", "end": "02:00"}]}}}"#,
        Code::PeriodOrder,
    );
    assert!(f.message.contains("split"), "{}", f.message);
    fails(
        r#"{"openingHours": {"usual": {"5": [{"start": "10:00", "end": "10:00"}]}}}"#,
        Code::PeriodOrder,
    );
    let f = fails(
        r#"{"openingHours": {"usual": {"5": [{"start": "14:00", "end": "18:00"}, {"start": "09:00", "end": "14:30"}]}}}"#,
        Code::PeriodOverlap,
    );
    assert_eq!(f.path, "openingHours.usual.5[0]");
    passes(
        r#"{"openingHours": {"usual": {"5": [{"start": "09:00", "end": "14:00"}, {"start": "14:00", "end": "18:00"}]}}}"#,
        Code::PeriodOverlap,
    );
    fails(
        r#"{"openingHours": {"special": {"2025-12-31": [{"all-day": true}, {"start": "09:00", "end": "10:00"}]}}}"#,
        Code::PeriodOverlap,
    );
}

#[test]
fn periods_are_grouped_by_the_path_of_their_day() {
    let t = |h| TimeOfDay::from_hm(h, 0).expect("time");
    // A key kept as written that reads like a weekday has that weekday's path: the two lists
    // are one day for the overlap check, named after the first.
    let mut s = store("{}");
    let hours = s.opening_hours.as_mut().expect("hours");
    hours.usual = Some(
        [
            (DayKey::Weekday(7), vec![Period::span(t(9), t(12))]),
            (DayKey::Other("7".into()), vec![Period::span(t(10), t(11))]),
        ]
        .into_iter()
        .collect(),
    );
    let f = finding(&s, Code::PeriodOverlap);
    assert_eq!(f.path, "openingHours.usual.7[0]");
    assert_eq!(f.message, "Periods 1 and 1 of Sunday overlap.");
}

#[test]
fn date_rules() {
    fails(
        r#"{"openingHours": {"special": {"2025-13-01": []}}}"#,
        Code::DateInvalid,
    );
    fails(
        r#"{"openingHours": {"temporary_closure": [{"start": "2025/08/01", "end": "2025-08-15"}]}}"#,
        Code::DateInvalid,
    );
    fails(
        r#"{"openingHours": {"special": {"2025-05-31": []}}}"#,
        Code::SpecialDayPast,
    );
    passes(
        r#"{"openingHours": {"special": {"2025-06-01": []}}}"#,
        Code::SpecialDayPast,
    );
    fails(
        r#"{"openingHours": {"temporary_closure": [{"start": "2025-08-15", "end": "2025-08-01"}]}}"#,
        Code::ClosureOrder,
    );
    fails(
        r#"{"openingHours": {"temporary_closure": [{"start": "2025-05-01", "end": "2025-05-31"}]}}"#,
        Code::ClosurePast,
    );
    passes(
        r#"{"openingHours": {"temporary_closure": [{"start": "2025-05-01", "end": "2025-06-01"}]}}"#,
        Code::ClosurePast,
    );
}

#[test]
fn a_store_over_the_request_limit_is_an_error() {
    let mut s = store("{}");
    passes("{}", Code::StoreTooLarge);
    let big = "x".repeat(MAX_REQUEST_BYTES);
    s.user_properties = Some(serde_json::Map::from_iter([(
        "blob".to_owned(),
        serde_json::Value::String(big),
    )]));
    assert!(codes(&s).contains(&Code::StoreTooLarge));
}

#[test]
fn duplicate_ids_are_errors_on_every_copy() {
    let stores = vec![
        store("{}"),
        store(r#"{"storeId": "other", "location": {"lat": 45, "lng": 5}}"#),
        store(r#"{"location": {"lat": 43, "lng": 5}}"#),
    ];
    let all = validate_set(&stores, &ctx());
    for i in [0, 2] {
        assert!(
            all[i].iter().any(|f| f.code == Code::StoreIdDuplicate),
            "store {i}"
        );
    }
    assert!(!all[1].iter().any(|f| f.code == Code::StoreIdDuplicate));
}

#[test]
fn stores_within_five_metres_are_flagged() {
    // 0.00003 degrees of latitude is about 3.3 m; 0.0001 about 11 m.
    let stores = vec![
        store(r#"{"storeId": "a", "location": {"lat": 48.85320, "lng": 2.3692}}"#),
        store(r#"{"storeId": "b", "location": {"lat": 48.85323, "lng": 2.3692}}"#),
        store(r#"{"storeId": "c", "location": {"lat": 48.85340, "lng": 2.3692}}"#),
    ];
    let all = validate_set(&stores, &ctx());
    let flagged: Vec<bool> = all
        .iter()
        .map(|f| f.iter().any(|x| x.code == Code::SamePlace))
        .collect();
    assert_eq!(flagged, [true, true, false]);
    assert!(set::distance_metres(48.8532, 2.3692, 48.85323, 2.3692) < 5.0);
}

#[test]
fn an_address_line_copied_into_another_city_is_flagged() {
    let stores = vec![
        store(
            r#"{"storeId": "a", "address": {"lines": ["Via Galvani/Via Alessandro Volta"], "city": "Roma", "countryCode": "IT"}, "location": {"lat": 41.9, "lng": 12.5}}"#,
        ),
        store(
            r#"{"storeId": "b", "address": {"lines": ["Via Galvani/Via Alessandro Volta"], "city": "Vienna", "countryCode": "AT"}, "location": {"lat": 48.2, "lng": 16.4}}"#,
        ),
        store(
            r#"{"storeId": "c", "address": {"lines": ["1 Main Street"], "city": "Springfield"}, "location": {"lat": 40, "lng": -89}}"#,
        ),
        store(
            r#"{"storeId": "d", "address": {"lines": ["1 Main Street"], "city": "springfield"}, "location": {"lat": 40.1, "lng": -89}}"#,
        ),
    ];
    let all = validate_set(&stores, &ctx());
    let flagged: Vec<bool> = all
        .iter()
        .map(|f| f.iter().any(|x| x.code == Code::AddressLineCopied))
        .collect();
    assert_eq!(flagged, [true, true, false, false]);
}

#[test]
fn copied_lines_are_reported_in_the_order_of_the_lines() {
    let stores: Vec<Store> = ["Roma", "Vienna"]
        .iter()
        .enumerate()
        .map(|(i, city)| {
            store(&format!(
                r#"{{"storeId": "s{i}", "address": {{"lines": ["Via Galvani 12", "Scala B, interno 4"], "city": "{city}"}}, "location": {{"lat": {}, "lng": 12.5}}}}"#,
                41 + i
            ))
        })
        .collect();
    for _ in 0..3 {
        let all = validate_set(&stores, &ctx());
        let copied: Vec<(&str, &str)> = all[1]
            .iter()
            .filter(|f| f.code == Code::AddressLineCopied)
            .map(|f| (f.path.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            copied,
            [
                (
                    "address.lines[0]",
                    "Address line \"Via Galvani 12\" is also the address of \"s0\" in Roma, in another city: it may have been copied by mistake."
                ),
                (
                    "address.lines[1]",
                    "Address line \"Scala B, interno 4\" is also the address of \"s0\" in Roma, in another city: it may have been copied by mistake."
                ),
            ]
        );
    }
}

#[test]
fn every_code_is_distinct_and_dotted() {
    let mut seen = std::collections::HashSet::new();
    for code in Code::ALL {
        assert!(seen.insert(code.as_str()), "{code} twice");
        assert!(code.as_str().contains('.'), "{code}");
    }
}

/// Offers the fixes of `s`'s findings, applies them all, and checks that each applied and that
/// validating again no longer finds what they fixed. Returns the fixed store.
#[track_caller]
fn fixed(s: &Store, expected: &[Code]) -> Store {
    let findings = validate_store(s, &ctx());
    let fixes = fixes_for(s, &findings);
    let mut offered: Vec<Code> = fixes.iter().map(Fix::code).collect();
    offered.sort_by_key(|c| c.as_str());
    let mut expected = expected.to_vec();
    expected.sort_by_key(|c| c.as_str());
    assert_eq!(offered, expected, "{findings:?}");
    for fix in &fixes {
        assert!(
            findings
                .iter()
                .any(|f| f.code == fix.code() && f.path == fix.path()),
            "{fix:?} answers no finding"
        );
        assert!(fix.describe().ends_with('.'), "{}", fix.describe());
        assert!(may_fix(fix.code()), "{fix:?}: may_fix must name its code");
    }
    let mut out = s.clone();
    assert_eq!(apply_fixes(&mut out, &fixes), fixes.len());
    // A second time, nothing is left to do.
    assert_eq!(apply_fixes(&mut out, &fixes), 0);
    let again = validate_store(&out, &ctx());
    for fix in &fixes {
        assert!(
            !again
                .iter()
                .any(|f| f.code == fix.code() && f.path == fix.path()),
            "{fix:?} left {again:?}"
        );
    }
    out
}

#[test]
fn a_time_written_loosely_is_written_hh_mm() {
    let s = store(
        r#"{"openingHours": {"usual": {"default": [{"start": "9:00", "end": "12:30"}, {"start": "14:00", "end": "19h00"}]}}}"#,
    );
    let out = fixed(&s, &[Code::TimeNormalised, Code::TimeNormalised]);
    assert_eq!(out, store("{}"));
    assert!(out.to_json().contains(r#""start":"09:00""#));
    let fixes = fixes_for(&s, &validate_store(&s, &ctx()));
    assert_eq!(fixes[0].describe(), "Write the time \"9:00\" as \"09:00\".");
    assert_eq!(fixes[0].path(), "openingHours.usual.default[0].start");
}

#[test]
fn spaces_around_texts_are_reported_and_trimmed() {
    let s = store(
        r#"{"name": " Paris Bastille ", "address": {"lines": ["12 rue de la Roquette\t"], "city": "Paris "},
            "contact": {"phone": " +33 1 43 00 00 00"}, "tags": ["wifi", " parking"], "types": ["shop "]}"#,
    );
    let f = finding(&s, Code::TextWhitespace);
    assert_eq!(f.path, "name");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.message,
        "There are spaces at the start or end of the name: \" Paris Bastille \"."
    );
    let out = fixed(&s, &[Code::TextWhitespace; 6]);
    let mut expected = store(r#"{"tags": ["wifi", "parking"], "types": ["shop"]}"#);
    expected.name = Some("Paris Bastille".to_owned());
    assert_eq!(out, expected);
    passes(r#"{"name": "Paris  Bastille"}"#, Code::TextWhitespace);
}

#[test]
fn a_country_code_is_upper_cased_and_an_alias_replaced() {
    let out = fixed(
        &store(r#"{"address": {"countryCode": "fr"}}"#),
        &[Code::CountryCodeCase],
    );
    assert_eq!(out, store("{}"));
    let london = r#"{"location": {"lat": 51.5074, "lng": -0.1278}, "address": {"countryCode": "UK", "city": "London"},
        "contact": null, "openingHours": {"timezone": "Europe/London"}}"#;
    let s = store(london);
    let out = fixed(&s, &[Code::CountryCodeAlias]);
    assert_eq!(out.country_code(), Some("GB"));
    assert_eq!(validate_store(&out, &ctx()), vec![]);
    // An unknown code is an error with no safe fix.
    let s = store(r#"{"address": {"countryCode": "XZ"}}"#);
    assert_eq!(fixes_for(&s, &validate_store(&s, &ctx())), vec![]);
}

#[test]
fn a_period_across_midnight_is_split_onto_the_next_weekday() {
    // Friday 22:00-02:00; Saturday follows the default.
    let s = store(
        r#"{"openingHours": {"usual": {"5": [{"start": "22:00", "end": "02:00", "note": "late"}]}}}"#,
    );
    let fixes = fixes_for(&s, &validate_store(&s, &ctx()));
    assert_eq!(
        fixes[0].describe(),
        "Split Friday's 22:00-02:00 into 22:00-23:59 on Friday and 00:00-02:00 on Saturday."
    );
    let out = fixed(&s, &[Code::PeriodOrder]);
    let usual = &out.opening_hours.as_ref().expect("hours").usual;
    let usual = usual.as_ref().expect("usual");
    let text = |key: u8| serde_json::to_string(&usual[&DayKey::Weekday(key)]).expect("json");
    assert_eq!(
        text(5),
        r#"[{"start":"22:00","end":"23:59","note":"late"}]"#
    );
    assert_eq!(
        text(6),
        r#"[{"start":"09:00","end":"12:30"},{"start":"14:00","end":"19:00"},{"start":"00:00","end":"02:00"}]"#
    );
    // Sunday's night goes to Monday; Sunday was closed, Monday follows the default.
    let s = store(
        r#"{"openingHours": {"usual": {"7": [{"start": "23:00", "end": "01:30"}], "1": []}}}"#,
    );
    let out = fixed(&s, &[Code::PeriodOrder]);
    let usual = out.opening_hours.expect("hours").usual.expect("usual");
    assert_eq!(
        usual[&DayKey::Weekday(1)],
        [Period::span(
            TimeOfDay::MIDNIGHT,
            TimeOfDay::from_hm(1, 30).expect("time")
        )]
    );
    // A period that starts and ends at the same time, one that starts at 23:59, or one of a
    // special day, has no safe split.
    for patch in [
        r#"{"openingHours": {"usual": {"5": [{"start": "10:00", "end": "10:00"}]}}}"#,
        r#"{"openingHours": {"usual": {"5": [{"start": "23:59", "end": "06:00"}]}}}"#,
        r#"{"openingHours": {"special": {"2025-12-31": [{"start": "22:00", "end": "02:00"}]}}}"#,
    ] {
        let s = store(patch);
        let findings = validate_store(&s, &ctx());
        assert!(
            findings.iter().any(|f| f.code == Code::PeriodOrder),
            "{patch}"
        );
        assert_eq!(fixes_for(&s, &findings), vec![], "{patch}");
    }
}

#[test]
fn swapped_coordinates_are_swapped_back_once() {
    let s = store(r#"{"location": {"lat": 2.3692, "lng": 48.8532}}"#);
    let out = fixed(&s, &[Code::LocationSwapped]);
    assert_eq!(out, store("{}"));
    // The fix of a store moved since does nothing.
    let fix = &fixes_for(&s, &validate_store(&s, &ctx()))[0];
    let mut moved = s.clone();
    moved.location = Some(crate::model::Location::new(2.0, 48.0));
    assert!(!apply(&mut moved, fix));
    assert_eq!(moved.lat_lng().map(|p| p.lat), Some(2.0));
}
