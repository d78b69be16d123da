//! Whether the location is plausible: in the country of the address, not at sea, latitude and
//! longitude not swapped; and whether the time zone of the opening hours is the one of the
//! location.
//!
//! The country and time zone boundaries are simplified, so a point is only reported when
//! neither it nor any point up to [`geo::NEAR_DEGREES`] around it is where it should be: a store
//! a few hundred metres from a border is never reported for being across it.

use chrono::NaiveDate;

use super::{Code, Finding};
use crate::geo;
use crate::model::Store;
use crate::model::countries::{self, Country};

/// A location the rules trust: a valid point that is in the address's country, or on land when
/// the address has no country. The time zone rule compares the hours with it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct TrustedPoint {
    pub lat: f64,
    pub lng: f64,
}

/// Reports a location outside the address's country or with latitude and longitude swapped;
/// gives the point back when it can be trusted.
pub(super) fn check(
    store: &Store,
    country: Option<&Country>,
    out: &mut Vec<Finding>,
) -> Option<TrustedPoint> {
    let loc = store.location.as_ref()?;
    let (lat, lng) = (loc.lat, loc.lng);
    // 0, 0 is reported as a missing position already.
    if lat == 0.0 && lng == 0.0 {
        return None;
    }
    let valid = geo::is_valid_point(lat, lng);
    let swapped_valid = geo::is_valid_point(lng, lat);
    let trusted = TrustedPoint { lat, lng };
    match country.filter(|c| geo::covers_country(c.alpha2)) {
        Some(country) => {
            let code = country.alpha2;
            if valid && geo::near_country(lat, lng, code) {
                return Some(trusted);
            }
            if swapped_valid && geo::near_country(lng, lat, code) {
                out.push(swapped(
                    lat,
                    lng,
                    valid,
                    &where_is(lat, lng),
                    &named(country),
                ));
            } else if valid {
                out.push(outside_country(lat, lng, country));
            }
            None
        }
        None => {
            if valid && geo::near_land(lat, lng) {
                return Some(trusted);
            }
            // At sea (or not a position at all): swapped, the point may be on land.
            if swapped_valid && let Some(&there) = geo::countries_at(lng, lat).first() {
                let place = format!("on land in {}", named_code(there));
                out.push(swapped(lat, lng, valid, &where_is(lat, lng), &place));
            }
            None
        }
    }
}

/// "France (FR)".
fn named(country: &Country) -> String {
    format!("{} ({})", country.name, country.alpha2)
}

/// "France (FR)" for a code the country table knows, else the code alone (`XK`).
fn named_code(code: &str) -> String {
    countries::by_code(code).map_or_else(|| code.to_owned(), named)
}

/// Where the point is, for a sentence: "in Germany (DE)" or "at sea".
fn where_is(lat: f64, lng: f64) -> String {
    match geo::countries_at(lat, lng).first() {
        Some(code) => format!("in {}", named_code(code)),
        None if geo::is_valid_point(lat, lng) => "at sea, in no country".to_owned(),
        None => "not a valid position".to_owned(),
    }
}

fn swapped(lat: f64, lng: f64, valid: bool, here: &str, there: &str) -> Finding {
    let there = if there.starts_with("on land") {
        there.to_owned()
    } else {
        format!("in {there} as the address says")
    };
    let here = if valid {
        here.to_owned()
    } else {
        "not a valid position".to_owned()
    };
    Finding::new(
        Code::LocationSwapped,
        "location",
        format!(
            "Latitude and longitude look swapped: latitude {lat}, longitude {lng} is {here}, while latitude {lng}, longitude {lat} is {there}. Swap them."
        ),
    )
}

fn outside_country(lat: f64, lng: f64, country: &Country) -> Finding {
    let message = match geo::countries_at(lat, lng).first() {
        Some(code) => format!(
            "The location is in {}, not in {} as the address says; check the coordinates or the country.",
            named_code(code),
            named(country)
        ),
        None => format!(
            "The location is not on land in any country, yet the address says {}; check the coordinates or the country.",
            named(country)
        ),
    };
    Finding::new(Code::LocationOutsideCountry, "location", message)
}

/// The finding when the opening hours' zone `tz` (a valid IANA name) does not keep the time of
/// the trusted point, naming the zone or zones there.
pub(super) fn timezone_finding(tz: &str, point: TrustedPoint, today: NaiveDate) -> Option<Finding> {
    if geo::timezone_fits(tz, point.lat, point.lng, today) {
        return None;
    }
    let zones: Vec<String> = geo::timezones_at(point.lat, point.lng)
        .into_iter()
        .filter(|z| !z.starts_with("Etc/"))
        .collect();
    let suggestion = geo::suggest_timezone(point.lat, point.lng)?;
    let there = match zones.as_slice() {
        [] | [_] => suggestion.clone(),
        many => many.join(" or "),
    };
    Some(Finding::new(
        Code::TimezoneLocation,
        "openingHours.timezone",
        format!(
            "Time zone {tz} is not the time zone of the store's location, which is {there}; use {suggestion} unless the location is wrong."
        ),
    ))
}
