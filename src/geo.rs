//! Which country and which time zone a point is in, from boundaries built into the program: the
//! countries of OpenStreetMap (the `country-boundaries` crate's 360x180 raster, © OpenStreetMap
//! contributors, ODbL) and the time zones of timezone-boundary-builder (through `tzf-rs`, also
//! © OpenStreetMap contributors, ODbL).
//!
//! Each finder is read from the program's data the first time it is needed and then shared by
//! every thread. That first read takes a noticeable moment (about 15 ms for the countries, 5 ms
//! for the time zones), so the first lookup belongs on a work thread, never on the window's
//! thread; [`warm_up`] does it ahead of time. Later lookups take about a microsecond.
//!
//! Both data sets are simplified: a point within a few hundred metres of a border may be given
//! the country or zone on the other side, so the `near` lookups also look around the point, up
//! to [`NEAR_DEGREES`] away.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use chrono::{NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use country_boundaries::{BOUNDARIES_ODBL_360X180, BoundingBox, CountryBoundaries, LatLon};
use tzf_rs::EmbeddedFinder;

/// How far, in degrees of latitude and longitude (about a kilometre), the `near` lookups look
/// around a point.
pub const NEAR_DEGREES: f64 = 0.01;

/// Countries the boundaries do not cover: no point is ever found in them.
const NOT_COVERED: &[&str] = &["AQ"];

fn country_finder() -> Option<&'static CountryBoundaries> {
    static FINDER: OnceLock<Option<CountryBoundaries>> = OnceLock::new();
    FINDER
        .get_or_init(|| CountryBoundaries::from_reader(BOUNDARIES_ODBL_360X180).ok())
        .as_ref()
}

/// The time zones are read in place from the program's data rather than expanded into polygons:
/// about 30 MB less memory for lookups a few hundred nanoseconds slower.
fn zone_finder() -> &'static EmbeddedFinder {
    static FINDER: OnceLock<EmbeddedFinder> = OnceLock::new();
    FINDER.get_or_init(EmbeddedFinder::new)
}

/// Reads both finders now, so that later lookups are quick. Call it on a work thread.
pub fn warm_up() {
    let _ = country_finder();
    let _ = zone_finder();
}

/// Whether the lookups can be asked about this point: finite, latitude within -90..=90 and
/// longitude within -180..=180.
pub fn is_valid_point(lat: f64, lng: f64) -> bool {
    lat.is_finite()
        && lng.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lng)
}

/// Every area id the boundaries give for the point (countries, and subdivisions such as
/// `US-TX`), smallest area first.
fn area_ids(lat: f64, lng: f64) -> Vec<&'static str> {
    if !is_valid_point(lat, lng) {
        return Vec::new();
    }
    match (country_finder(), LatLon::new(lat, lng)) {
        (Some(finder), Ok(point)) => finder.ids(point),
        _ => Vec::new(),
    }
}

/// Whether an area id is an ISO 3166-1 alpha-2 code (`FR`), not a subdivision (`US-TX`).
fn is_alpha2(id: &str) -> bool {
    id.len() == 2 && id.bytes().all(|b| b.is_ascii_uppercase())
}

/// Whether an area id is the country `code` or one of its subdivisions (`UA-43` for `UA`).
/// `code` is compared in any case.
fn is_of_country(id: &str, code: &str) -> bool {
    let (id, code) = (id.as_bytes(), code.as_bytes());
    match id.get(..code.len()) {
        Some(start) => {
            start.eq_ignore_ascii_case(code)
                && (id.len() == code.len() || (id.len() > code.len() + 1 && id[code.len()] == b'-'))
        }
        None => false,
    }
}

/// The countries (ISO 3166-1 alpha-2, upper-case) the point is in, smallest first: usually one;
/// none at sea; two for a territory the data also counts in its mother country (`GP`, `FR`
/// for Guadeloupe). Codes that are only reserved (`XK`, `IC`) are given too.
pub fn countries_at(lat: f64, lng: f64) -> Vec<&'static str> {
    area_ids(lat, lng)
        .into_iter()
        .filter(|id| is_alpha2(id))
        .collect()
}

/// Whether the point is in the country `code` (alpha-2, any case) or in one of its
/// subdivisions.
pub fn in_country(lat: f64, lng: f64, code: &str) -> bool {
    let code = code.trim();
    area_ids(lat, lng).iter().any(|id| is_of_country(id, code))
}

/// Whether the boundaries cover the country `code` at all (they have no Antarctica).
pub fn covers_country(code: &str) -> bool {
    let code = code.trim();
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_alphabetic())
        && !NOT_COVERED.iter().any(|c| c.eq_ignore_ascii_case(code))
}

/// The point and the eight around it, `degrees` away.
fn around(lat: f64, lng: f64, degrees: f64) -> impl Iterator<Item = (f64, f64)> {
    std::iter::once((lat, lng))
        .filter(|&(a, b)| is_valid_point(a, b))
        .chain(neighbours(lat, lng, degrees))
}

/// The eight points around the point, `degrees` away.
fn neighbours(lat: f64, lng: f64, degrees: f64) -> impl Iterator<Item = (f64, f64)> {
    let steps = [0.0, -degrees, degrees];
    steps
        .into_iter()
        .flat_map(move |dy| steps.into_iter().map(move |dx| (lat + dy, lng + dx)))
        .skip(1)
        .filter(|&(a, b)| is_valid_point(a, b))
}

/// Whether the point, or a point up to [`NEAR_DEGREES`] from it, is in the country `code`.
pub fn near_country(lat: f64, lng: f64, code: &str) -> bool {
    let code = code.trim();
    near_area(lat, lng, &|id| is_of_country(id, code))
}

/// Whether the point, or a point up to [`NEAR_DEGREES`] from it, is on land in some country.
pub fn near_land(lat: f64, lng: f64) -> bool {
    near_area(lat, lng, &|_| true)
}

/// Whether the point, or a point up to [`NEAR_DEGREES`] from it, is in an area that `wanted`
/// accepts. The points around are looked at one by one only where such an area is near at all.
fn near_area(lat: f64, lng: f64, wanted: &dyn Fn(&str) -> bool) -> bool {
    let in_wanted = |a: f64, b: f64| area_ids(a, b).into_iter().any(wanted);
    in_wanted(lat, lng)
        || (cells_around_have(lat, lng, NEAR_DEGREES, wanted)
            && neighbours(lat, lng, NEAR_DEGREES).any(|(a, b)| in_wanted(a, b)))
}

/// Whether some area that `wanted` accepts covers part of a cell of the boundaries' raster
/// within `degrees` of the point: when none does, no point that near is in such an area, and
/// the points need not be looked up one by one (a store far from the country its address
/// names, or at sea). `true` when it cannot be told.
fn cells_around_have(lat: f64, lng: f64, degrees: f64, wanted: &dyn Fn(&str) -> bool) -> bool {
    if !is_valid_point(lat, lng) {
        return true;
    }
    let Some(finder) = country_finder() else {
        return true;
    };
    let bounds = BoundingBox::new(
        (lat - degrees).max(-90.0),
        lng - degrees,
        (lat + degrees).min(90.0),
        lng + degrees,
    );
    match bounds {
        Ok(bounds) => finder.intersecting_ids(bounds).into_iter().any(wanted),
        Err(_) => true,
    }
}

/// The IANA time zones whose area holds the point, sorted by name; at sea, the `Etc/GMT…`
/// zone of the ocean there.
pub fn timezones_at(lat: f64, lng: f64) -> Vec<String> {
    zone_names_at(lat, lng)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

fn zone_names_at(lat: f64, lng: f64) -> Vec<&'static str> {
    if !is_valid_point(lat, lng) {
        return Vec::new();
    }
    // The finder takes the longitude first.
    zone_finder().get_tz_names(lng, lat)
}

/// The time zone a store at this point would use: the zone of the place, never the `Etc/…`
/// zone of a sea. `None` at sea or for a point that is not valid.
pub fn suggest_timezone(lat: f64, lng: f64) -> Option<String> {
    if !is_valid_point(lat, lng) {
        return None;
    }
    let finder = zone_finder();
    let first = finder.get_tz_name(lng, lat);
    if is_place_zone(first) {
        return Some(first.to_owned());
    }
    finder
        .get_tz_names(lng, lat)
        .into_iter()
        .find(|z| is_place_zone(z))
        .map(str::to_owned)
}

/// Whether the zone `tz` holds the point, comparing names exactly (`Europe/Rome` does not hold
/// the Vatican, whose zone is `Europe/Vatican`: see [`timezone_fits`]).
pub fn timezone_contains(tz: &str, lat: f64, lng: f64) -> bool {
    if !is_valid_point(lat, lng) {
        return false;
    }
    let finder = zone_finder();
    finder.get_tz_name(lng, lat) == tz || finder.get_tz_names(lng, lat).contains(&tz)
}

/// Whether a store at this point keeps the right time with the zone `tz`: `tz` holds the point,
/// or a point up to [`NEAR_DEGREES`] from it, or a zone there keeps the same clock as `tz`
/// through the year from `today` (`Europe/Rome` in the Vatican, `Asia/Calcutta` in Kolkata).
/// `true` at sea, where no zone of a place can be told, and for a point that is not valid.
pub fn timezone_fits(tz: &str, lat: f64, lng: f64, today: NaiveDate) -> bool {
    if !is_valid_point(lat, lng) {
        return true;
    }
    let Ok(zone) = tz.parse::<Tz>() else {
        return timezone_contains(tz, lat, lng);
    };
    // The quick index of zones first, at the point and around it: most stores are in their
    // zone or in one that keeps the same clock. The boundaries themselves are scanned once,
    // at the point, only when that does not settle it.
    let mut any_place = false;
    let mut settles = |name: &str| {
        if name == tz {
            return true;
        }
        if !is_place_zone(name) {
            return false;
        }
        any_place = true;
        name.parse::<Tz>().is_ok_and(|z| same_clock(zone, z, today))
    };
    let finder = zone_finder();
    if around(lat, lng, NEAR_DEGREES).any(|(a, b)| settles(finder.get_tz_name(b, a)))
        || zone_names_at(lat, lng).into_iter().any(&mut settles)
    {
        return true;
    }
    !any_place
}

/// A zone of a place on land rather than the zone of a sea (`Etc/GMT+5`) or none (`""`).
fn is_place_zone(name: &str) -> bool {
    !name.is_empty() && !name.starts_with("Etc/")
}

/// Pairs of zones compared from a date, and whether they keep the same clock.
type ClockPairs = HashMap<(Tz, Tz, NaiveDate), bool>;

/// Whether two zones give the same UTC offset at noon (UTC) on every day of the year from
/// `from`. Remembered for each pair and year.
pub fn same_clock(a: Tz, b: Tz, from: NaiveDate) -> bool {
    if a == b {
        return true;
    }
    static KNOWN: OnceLock<Mutex<ClockPairs>> = OnceLock::new();
    let known = KNOWN.get_or_init(Mutex::default);
    let key = if a.name() <= b.name() {
        (a, b, from)
    } else {
        (b, a, from)
    };
    if let Some(&same) = known
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return same;
    }
    let same = from
        .iter_days()
        .take(366)
        .filter_map(|day| day.and_hms_opt(12, 0, 0))
        .all(|noon| {
            a.offset_from_utc_datetime(&noon).fix() == b.offset_from_utc_datetime(&noon).fix()
        });
    let mut known = known.lock().unwrap_or_else(PoisonError::into_inner);
    // A handful of pairs in practice; never let it grow without bound.
    if known.len() > 10_000 {
        known.clear();
    }
    known.insert(key, same);
    same
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")
    }

    #[test]
    fn near_lookups_give_what_looking_at_every_point_around_gives() {
        // The definition: the point or one of the eight around it.
        let each_point = |lat: f64, lng: f64, code: &str| {
            around(lat, lng, NEAR_DEGREES)
                .any(|(a, b)| area_ids(a, b).iter().any(|id| is_of_country(id, code)))
        };
        let each_point_land = |lat: f64, lng: f64| {
            around(lat, lng, NEAR_DEGREES).any(|(a, b)| !area_ids(a, b).is_empty())
        };
        // A grid over western Europe and its coasts, the Pyrenees and the Channel, points on
        // and next to the raster's cell edges, the poles and the antimeridian.
        let mut points = Vec::new();
        for i in 0..60 {
            for j in 0..60 {
                points.push((41.0 + f64::from(i) * 0.173, -6.0 + f64::from(j) * 0.251));
            }
        }
        for edge in [42.0, 43.0, 50.0] {
            for d in [-0.011, -0.01, -0.005, 0.0, 0.005, 0.01, 0.011] {
                points.push((edge + d, 1.0));
                points.push((43.4, -1.8 + d));
            }
        }
        points.extend([
            (90.0, 0.0),
            (-90.0, 0.0),
            (65.9, 179.995),
            (65.9, -179.995),
            (0.0, 0.0),
        ]);
        let mut near = 0;
        for &(lat, lng) in &points {
            for code in ["FR", "ES", "AD", "GB", "RU", "US"] {
                let expected = each_point(lat, lng, code);
                near += usize::from(expected);
                assert_eq!(
                    near_country(lat, lng, code),
                    expected,
                    "{lat}, {lng} near {code}"
                );
            }
            assert_eq!(
                near_land(lat, lng),
                each_point_land(lat, lng),
                "{lat}, {lng} near land"
            );
        }
        // Both answers are common on the grid.
        assert!(near > 1000 && near < points.len() * 6 - 1000, "{near}");
    }

    #[test]
    fn countries_are_alpha2_codes_smallest_area_first() {
        assert_eq!(countries_at(48.8566, 2.3522), ["FR"]);
        // Dallas is in US-TX and US: the subdivision is left out.
        assert_eq!(countries_at(32.78, -96.80), ["US"]);
        // Guadeloupe is counted in France too.
        assert_eq!(countries_at(16.25, -61.58), ["GP", "FR"]);
        assert!(
            countries_at(45.0, -30.0).is_empty(),
            "the middle of the Atlantic"
        );
        assert!(countries_at(f64::NAN, 2.0).is_empty());
        assert!(countries_at(91.0, 2.0).is_empty());
        assert!(countries_at(48.0, 181.0).is_empty());
    }

    #[test]
    fn a_country_includes_its_subdivisions_and_territories() {
        assert!(in_country(32.78, -96.80, "us"));
        assert!(in_country(16.25, -61.58, "FR"));
        assert!(in_country(16.25, -61.58, "GP"));
        assert!(!in_country(48.8566, 2.3522, "DE"));
        // Basel is in Switzerland, a kilometre from France and Germany.
        assert!(in_country(47.5596, 7.5886, "CH"));
        assert!(!in_country(47.5596, 7.5886, "DE"));
        assert!(near_country(47.5897, 7.5891, "DE"));
        assert!(near_country(47.5897, 7.5891, "FR"));
        assert!(!near_country(48.8566, 2.3522, "DE"));
        assert!(near_land(48.8566, 2.3522));
        assert!(!near_land(45.0, -30.0));
        assert!(covers_country("fr"));
        assert!(!covers_country("AQ"));
    }

    #[test]
    fn time_zones_take_latitude_then_longitude() {
        assert_eq!(timezones_at(48.8566, 2.3522), ["Europe/Paris"]);
        assert_eq!(timezones_at(40.7128, -74.0060), ["America/New_York"]);
        assert_eq!(
            suggest_timezone(40.7128, -74.0060).as_deref(),
            Some("America/New_York")
        );
        assert_eq!(
            suggest_timezone(39.9289, 116.3883).as_deref(),
            Some("Asia/Shanghai")
        );
        // At sea there is only the zone of the ocean, which is not suggested.
        assert!(timezones_at(45.0, -30.0)[0].starts_with("Etc/"));
        assert_eq!(suggest_timezone(45.0, -30.0), None);
        assert_eq!(suggest_timezone(f64::INFINITY, 0.0), None);
        assert!(timezones_at(100.0, 0.0).is_empty());
    }

    #[test]
    fn a_zone_contains_the_points_of_its_area() {
        assert!(timezone_contains("Europe/Paris", 48.8566, 2.3522));
        assert!(!timezone_contains("Europe/Paris", 40.7128, -74.0060));
        assert!(
            !timezone_contains("Europe/Rome", 41.9029, 12.4534),
            "the Vatican"
        );
        assert!(!timezone_contains("Europe/Paris", f64::NAN, 0.0));
    }

    #[test]
    fn a_zone_fits_where_a_zone_there_keeps_the_same_clock() {
        let vatican = (41.9029, 12.4534);
        assert!(timezone_fits("Europe/Rome", vatican.0, vatican.1, today()));
        assert!(timezone_fits("Asia/Calcutta", 22.5726, 88.3639, today()));
        assert!(timezone_fits("US/Eastern", 40.7128, -74.0060, today()));
        assert!(!timezone_fits("Europe/Paris", 40.7128, -74.0060, today()));
        // Phoenix keeps no summer time; Denver does.
        assert!(!timezone_fits(
            "America/Denver",
            33.4484,
            -112.0740,
            today()
        ));
        assert!(timezone_fits(
            "America/Phoenix",
            33.4484,
            -112.0740,
            today()
        ));
        assert!(!timezone_fits("Not/AZone", 48.8566, 2.3522, today()));
        assert!(
            timezone_fits("Europe/Paris", 45.0, -30.0, today()),
            "at sea"
        );
        let paris: Tz = "Europe/Paris".parse().expect("zone");
        let madrid: Tz = "Europe/Madrid".parse().expect("zone");
        let london: Tz = "Europe/London".parse().expect("zone");
        assert!(same_clock(paris, madrid, today()));
        assert!(!same_clock(paris, london, today()));
    }

    /// Prints how long reading each finder and each lookup take (`--nocapture`). The first
    /// figures are only those of this process's first read when this test runs first.
    #[test]
    fn load_and_lookup_times() {
        let t = std::time::Instant::now();
        assert!(country_finder().is_some());
        let countries_load = t.elapsed();
        let t = std::time::Instant::now();
        assert!(!zone_finder().timezonenames().is_empty());
        let zones_load = t.elapsed();
        let mut rng = fastrand::Rng::with_seed(3);
        // Points on land in Europe and North America, where stores are.
        let points: Vec<(f64, f64)> = (0..20_000)
            .map(|i| {
                if i % 2 == 0 {
                    (43.0 + rng.f64() * 9.0, -1.0 + rng.f64() * 15.0)
                } else {
                    (33.0 + rng.f64() * 10.0, -110.0 + rng.f64() * 30.0)
                }
            })
            .collect();
        let n = points.len() as u32;
        let t = std::time::Instant::now();
        let found = points
            .iter()
            .filter(|p| !countries_at(p.0, p.1).is_empty())
            .count();
        let per_country = t.elapsed() / n;
        let t = std::time::Instant::now();
        let zones = points
            .iter()
            .filter(|p| suggest_timezone(p.0, p.1).is_some())
            .count();
        let per_suggest = t.elapsed() / n;
        let t = std::time::Instant::now();
        let all = points
            .iter()
            .map(|p| timezones_at(p.0, p.1).len())
            .sum::<usize>();
        let per_zones = t.elapsed() / n;
        println!(
            "first read: countries {countries_load:?}, time zones {zones_load:?}; per lookup: countries_at {per_country:?}, suggest_timezone {per_suggest:?}, timezones_at {per_zones:?}"
        );
        assert!(found > points.len() / 2, "{found} points on land");
        assert!(zones > points.len() / 2 && all >= zones);
    }
}
