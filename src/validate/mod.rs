//! Validation: a pure function from a store (and, for rules across stores, the whole set) to
//! findings. Each finding has a severity (an error holds the store back from a push, a warning
//! does not, a notice says what will be written differently), a stable code, the path of the
//! field, and a sentence a store manager understands.

mod contact;
pub mod fix;
mod hours;
mod location;
mod set;
mod size;

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::countries::{self, Country};
use crate::model::{MAX_REQUEST_BYTES, Store};

pub use fix::{Fix, apply, apply_fixes, fixes_for, may_fix};
pub use set::{add_set_findings, validate_set};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks a push.
    Error,
    /// Worth a look; does not block.
    Warning,
    /// Says what will be written differently (a time normalised).
    Notice,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        })
    }
}

macro_rules! codes {
    ($($variant:ident = $text:literal, $severity:ident;)*) => {
        /// The stable code of a finding.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The code written `text` (`"location.swapped"`).
            pub fn parse(text: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == text)
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    StoreIdMissing = "store_id.missing", Error;
    StoreIdInvalid = "store_id.invalid", Error;
    StoreIdDuplicate = "store_id.duplicate", Error;
    NameMissing = "name.missing", Error;
    LocationMissing = "location.missing", Error;
    LocationNotFinite = "location.not_finite", Error;
    LatitudeRange = "location.lat_range", Error;
    LongitudeRange = "location.lng_range", Error;
    NullIsland = "location.null_island", Error;
    SamePlace = "location.same_place", Warning;
    LocationOutsideCountry = "location.outside_country", Warning;
    LocationSwapped = "location.swapped", Warning;
    CountryCodeInvalid = "address.country_code.invalid", Error;
    CountryCodeAlias = "address.country_code.alias", Warning;
    CountryCodeCase = "address.country_code.case", Notice;
    AddressLineCopied = "address.lines.copied", Warning;
    EmailInvalid = "contact.email.invalid", Warning;
    EmailTypo = "contact.email.typo", Warning;
    WebsiteInvalid = "contact.website.invalid", Warning;
    PhoneInvalid = "contact.phone.invalid", Warning;
    PhoneCountry = "contact.phone.country", Warning;
    UnknownField = "field.unknown", Warning;
    TextWhitespace = "field.whitespace", Warning;
    TimezoneMissing = "hours.timezone.missing", Warning;
    TimezoneUnknown = "hours.timezone.unknown", Error;
    TimezoneCountry = "hours.timezone.country", Warning;
    TimezoneLocation = "hours.timezone.location", Warning;
    DayKeyUnknown = "hours.day.unknown", Error;
    TimeInvalid = "hours.time.invalid", Error;
    TimeNormalised = "hours.time.normalised", Notice;
    PeriodIncomplete = "hours.period.incomplete", Error;
    PeriodOrder = "hours.period.order", Error;
    PeriodOverlap = "hours.period.overlap", Warning;
    PeriodAllDayWithTimes = "hours.period.all_day_times", Warning;
    DateInvalid = "hours.date.invalid", Error;
    SpecialDayPast = "hours.special.past", Warning;
    ClosureOrder = "hours.closure.order", Error;
    ClosurePast = "hours.closure.past", Warning;
    StoreTooLarge = "store.too_large", Error;
    StoreUnreadable = "store.unreadable", Error;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One thing found about a store.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    /// The field, in write-format names: `address.countryCode`, `openingHours.usual.1[0].start`.
    pub path: String,
    pub message: String,
}

impl Finding {
    pub fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            severity: code.severity(),
            code,
            path: path.into(),
            message: message.into(),
        }
    }
}

/// What the rules need to know besides the store.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    /// Special days and closures before this date are in the past.
    pub today: NaiveDate,
}

impl Context {
    pub fn today() -> Context {
        Context {
            today: chrono::Local::now().date_naive(),
        }
    }
}

/// Whether any finding blocks a push.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// The rules that look at one store alone.
pub fn validate_store(store: &Store, ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    check_id_and_name(store, &mut out);
    check_location(store, &mut out);
    let country = store_country(store);
    check_address(store, &mut out);
    let point = location::check(store, country, &mut out);
    contact::check(store, country, &mut out);
    if let Some(hours) = &store.opening_hours {
        hours::check(hours, country, point, ctx, &mut out);
    }
    check_unknown_fields(store, &mut out);
    check_whitespace(store, &mut out);
    check_size(store, &mut out);
    out
}

fn check_whitespace(store: &Store, out: &mut Vec<Finding>) {
    for (field, text) in fix::text_fields(store) {
        if fix::is_untrimmed(text) {
            out.push(Finding::new(
                Code::TextWhitespace,
                field.path(),
                format!(
                    "There are spaces at the start or end of {}: \"{text}\".",
                    field.label()
                ),
            ));
        }
    }
}

/// The store's country: its `countryCode` when that is a code, else a country name found in
/// `address.country` (not a Woosmap field, but common in files).
pub fn store_country(store: &Store) -> Option<&'static Country> {
    let address = store.address.as_ref()?;
    if let Some(code) = address.country_code.as_deref() {
        return countries::by_code(code).or_else(|| countries::reserved_alias(code));
    }
    address
        .extra
        .get("country")
        .and_then(Value::as_str)
        .and_then(countries::by_name)
}

fn check_id_and_name(store: &Store, out: &mut Vec<Finding>) {
    match store.store_id.as_deref().map(str::trim) {
        None | Some("") => out.push(Finding::new(
            Code::StoreIdMissing,
            "storeId",
            "The store has no storeId; give it one made of letters, digits and underscores.",
        )),
        Some(_) => {
            let id = store.id();
            let bad: Vec<char> = id
                .chars()
                .filter(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
                .collect();
            if !bad.is_empty() {
                let mut shown: Vec<String> = bad.iter().map(|c| format!("{c:?}")).collect();
                shown.dedup();
                out.push(Finding::new(
                    Code::StoreIdInvalid,
                    "storeId",
                    format!(
                        "storeId \"{id}\" has characters the API refuses ({}); use only letters A-Z, digits and underscores.",
                        shown.join(", ")
                    ),
                ));
            }
        }
    }
    if store.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        out.push(Finding::new(
            Code::NameMissing,
            "name",
            "The store has no name; the API requires one.",
        ));
    }
}

fn check_location(store: &Store, out: &mut Vec<Finding>) {
    let Some(loc) = &store.location else {
        out.push(Finding::new(
            Code::LocationMissing,
            "location",
            "The store has no location; place it on the map or enter its latitude and longitude.",
        ));
        return;
    };
    if !loc.lat.is_finite() || !loc.lng.is_finite() {
        out.push(Finding::new(
            Code::LocationNotFinite,
            "location",
            "The location is not a number; enter the latitude and longitude again.",
        ));
        return;
    }
    if !(-90.0..=90.0).contains(&loc.lat) {
        let hint = if (-90.0..=90.0).contains(&loc.lng) && (-180.0..=180.0).contains(&loc.lat) {
            " It may be swapped with the longitude."
        } else {
            ""
        };
        out.push(Finding::new(
            Code::LatitudeRange,
            "location.lat",
            format!("Latitude {} is outside -90 to 90.{hint}", loc.lat),
        ));
    }
    if !(-180.0..=180.0).contains(&loc.lng) {
        out.push(Finding::new(
            Code::LongitudeRange,
            "location.lng",
            format!("Longitude {} is outside -180 to 180.", loc.lng),
        ));
    }
    if loc.lat == 0.0 && loc.lng == 0.0 {
        out.push(Finding::new(
            Code::NullIsland,
            "location",
            "The location is 0, 0, in the Gulf of Guinea: almost certainly a missing position. Place the store on the map.",
        ));
    }
}

fn check_address(store: &Store, out: &mut Vec<Finding>) {
    let Some(code) = store
        .address
        .as_ref()
        .and_then(|a| a.country_code.as_deref())
    else {
        return;
    };
    let path = "address.countryCode";
    if let Some(country) = countries::by_code(code) {
        if code != country.alpha2 {
            out.push(Finding::new(
                Code::CountryCodeCase,
                path,
                format!(
                    "Country code \"{code}\" is usually written \"{}\".",
                    country.alpha2
                ),
            ));
        }
    } else if let Some(country) = countries::reserved_alias(code) {
        out.push(Finding::new(
            Code::CountryCodeAlias,
            path,
            format!(
                "\"{code}\" is not an ISO 3166-1 code; the code of {} is {}.",
                country.name, country.alpha2
            ),
        ));
    } else {
        let hint = countries::by_name(code)
            .map(|c| format!(" {} is {}.", c.name, c.alpha2))
            .unwrap_or_else(|| " Use two letters such as FR, GB or US.".to_owned());
        out.push(Finding::new(
            Code::CountryCodeInvalid,
            path,
            format!("\"{code}\" is not an ISO 3166-1 alpha-2 country code.{hint}"),
        ));
    }
}

/// Counts the bytes written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The length of `store.to_json()`, counted without building the text.
fn json_len(store: &Store) -> usize {
    let mut count = ByteCount(0);
    match serde_json::to_writer(&mut count, store) {
        Ok(()) => count.0,
        // `to_json` gives "" when the store cannot be written.
        Err(_) => 0,
    }
}

fn check_size(store: &Store, out: &mut Vec<Finding>) {
    // `{"stores":[` + `]}` around the store.
    const AROUND: usize = 13;
    // Only a store that might be over the limit is written out to be measured.
    if size::json_len_at_most(store).saturating_add(AROUND) <= MAX_REQUEST_BYTES {
        return;
    }
    let len = json_len(store) + AROUND;
    if len > MAX_REQUEST_BYTES {
        out.push(Finding::new(
            Code::StoreTooLarge,
            "",
            format!(
                "The store alone is {:.1} MB, over the API's 15 MB request limit; shorten its user properties.",
                len as f64 / 1_048_576.0
            ),
        ));
    }
}

/// Names often written for a Woosmap field, at each level.
fn suggestion(path: &str, key: &str) -> Option<&'static str> {
    let k = key.to_ascii_lowercase().replace(['-', ' '], "_");
    let hit = |names: &[&str]| names.contains(&k.as_str());
    match path {
        "" if hit(&["store_id", "storeid", "id", "ref", "code"]) => Some("storeId"),
        "" if hit(&["user_properties", "userproperties", "properties"]) => Some("userProperties"),
        "" if hit(&["opening_hours", "openinghours", "hours"]) => Some("openingHours"),
        "" if hit(&["localized_names", "localizednames"]) => Some("localizedNames"),
        "" if hit(&["type", "category", "categories"]) => Some("types"),
        "" if hit(&["tag", "labels"]) => Some("tags"),
        "" if hit(&["geometry", "position", "coordinates", "latlng"]) => Some("location"),
        "location" if hit(&["latitude", "y"]) => Some("lat"),
        "location" if hit(&["lon", "long", "longitude", "x"]) => Some("lng"),
        "address" if hit(&["country_code", "country", "iso", "isocode"]) => Some("countryCode"),
        "address" if hit(&["zip", "postcode", "postal_code", "postalcode", "zip_code"]) => {
            Some("zipcode")
        }
        "address" if hit(&["town", "locality"]) => Some("city"),
        "address" if hit(&["line", "street", "address"]) => Some("lines"),
        "contact" if hit(&["tel", "telephone", "phone_number", "phonenumber", "mobile"]) => {
            Some("phone")
        }
        "contact" if hit(&["mail", "e_mail"]) => Some("email"),
        "contact" if hit(&["url", "web", "site", "homepage"]) => Some("website"),
        _ => None,
    }
}

fn unknown_in(path: &str, extra: &Map<String, Value>, out: &mut Vec<Finding>) {
    for (key, value) in extra {
        let full = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let mut message = format!("\"{full}\" is not a Woosmap field: the API will not keep it.");
        if let Some(name) = suggestion(path, key) {
            message.push_str(&format!(" Did you mean \"{name}\"?"));
        }
        if path == "address"
            && key == "country"
            && let Some(country) = value.as_str().and_then(countries::by_name)
        {
            message.push_str(&format!(
                " The country code of {} is {}.",
                country.name, country.alpha2
            ));
        }
        out.push(Finding::new(Code::UnknownField, full, message));
    }
}

fn check_unknown_fields(store: &Store, out: &mut Vec<Finding>) {
    unknown_in("", &store.extra, out);
    if let Some(l) = &store.location {
        unknown_in("location", &l.extra, out);
    }
    if let Some(a) = &store.address {
        unknown_in("address", &a.extra, out);
    }
    if let Some(c) = &store.contact {
        unknown_in("contact", &c.extra, out);
    }
    if let Some(h) = &store.opening_hours {
        unknown_in("openingHours", &h.extra, out);
        // The paths are only written out for a period or closure with unknown fields.
        for (place, i, period) in h.all_periods() {
            if !period.extra.is_empty() {
                unknown_in(&format!("{}[{i}]", place.path()), &period.extra, out);
            }
        }
        for (i, closure) in h.temporary_closure.iter().flatten().enumerate() {
            if !closure.extra.is_empty() {
                unknown_in(
                    &format!("openingHours.temporary_closure[{i}]"),
                    &closure.extra,
                    out,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
