//! How long a store's write-format JSON can be, worked out without writing it: nearly every
//! store is far below the API's request limit, and a bound that says so is much cheaper than
//! the text. The bound is never below `Store::to_json().len()`; only a store it cannot clear is
//! written out and measured.
//!
//! Every struct is taken apart field by field without `..`, so a field added to the model does
//! not compile here until it is counted.

use serde_json::{Map, Value};

use crate::hours::{Closure, DayKey, OpeningHours, Period, Time};
use crate::model::{Address, Contact, Location, Store};

/// A key of a known field as written (`"temporary_closure":`, the longest, is 20 bytes) and
/// the comma after its value.
const FIELD: usize = 32;
/// The longest number serde_json writes: an `f64` such as `-1.2345678901234567e-308` (24
/// bytes), an `i64` or a `u64` (20 bytes); `null` for a float that is not finite.
const NUMBER: usize = 25;

/// A string with its quotes, every byte escaped at worst as `\u00XX`.
fn text(s: &str) -> usize {
    s.len().saturating_mul(6).saturating_add(2)
}

fn opt_text(s: &Option<String>) -> usize {
    s.as_deref().map_or(0, |s| FIELD + text(s))
}

fn strings(v: &[String]) -> usize {
    2 + v.iter().map(|s| text(s) + 1).sum::<usize>()
}

fn value(v: &Value) -> usize {
    match v {
        Value::Null => 4,
        Value::Bool(_) => 5,
        Value::Number(_) => NUMBER,
        Value::String(s) => text(s),
        Value::Array(items) => 2 + items.iter().map(|x| value(x) + 1).sum::<usize>(),
        Value::Object(map) => 2 + entries(map),
    }
}

/// The entries of a map, or of the unknown fields flattened into their object: `"key":value,`.
fn entries(map: &Map<String, Value>) -> usize {
    map.iter().map(|(k, v)| text(k) + 1 + value(v) + 1).sum()
}

fn time(t: &Option<Time>) -> usize {
    match t {
        None => 0,
        Some(Time::Valid { .. }) => FIELD + 7,
        Some(Time::Invalid(raw)) => FIELD + text(raw),
    }
}

fn period(p: &Period) -> usize {
    let Period {
        start,
        end,
        all_day,
        extra,
    } = p;
    2 + time(start) + time(end) + all_day.map_or(0, |_| FIELD + 5) + entries(extra)
}

fn periods(v: &[Period]) -> usize {
    2 + v.iter().map(|p| period(p) + 1).sum::<usize>()
}

fn day_key(k: &DayKey) -> usize {
    match k {
        DayKey::Default | DayKey::Weekday(_) => 2 + 7,
        DayKey::Other(k) => text(k),
    }
}

fn closure(c: &Closure) -> usize {
    let Closure { start, end, extra } = c;
    2 + FIELD + text(start) + FIELD + text(end) + entries(extra)
}

fn opening_hours(h: &OpeningHours) -> usize {
    let OpeningHours {
        timezone,
        usual,
        special,
        temporary_closure,
        extra,
    } = h;
    let usual = usual.as_ref().map_or(0, |u| {
        FIELD
            + 2
            + u.iter()
                .map(|(k, v)| day_key(k) + 1 + periods(v) + 1)
                .sum::<usize>()
    });
    let special = special.as_ref().map_or(0, |s| {
        FIELD
            + 2
            + s.iter()
                .map(|(k, v)| text(k) + 1 + periods(v) + 1)
                .sum::<usize>()
    });
    let closures = temporary_closure.as_ref().map_or(0, |v| {
        FIELD + 2 + v.iter().map(|c| closure(c) + 1).sum::<usize>()
    });
    2 + opt_text(timezone) + usual + special + closures + entries(extra)
}

fn location(l: &Location) -> usize {
    let Location {
        lat: _,
        lng: _,
        extra,
    } = l;
    2 + 2 * (FIELD + NUMBER) + entries(extra)
}

fn address(a: &Address) -> usize {
    let Address {
        lines,
        country_code,
        city,
        zipcode,
        extra,
    } = a;
    2 + lines.as_deref().map_or(0, |l| FIELD + strings(l))
        + opt_text(country_code)
        + opt_text(city)
        + opt_text(zipcode)
        + entries(extra)
}

fn contact(c: &Contact) -> usize {
    let Contact {
        website,
        phone,
        email,
        extra,
    } = c;
    2 + opt_text(website) + opt_text(phone) + opt_text(email) + entries(extra)
}

/// At least the length of `store.to_json()`.
pub(super) fn json_len_at_most(store: &Store) -> usize {
    let Store {
        store_id,
        name,
        location: loc,
        address: addr,
        contact: cont,
        types,
        tags,
        user_properties,
        localized_names,
        opening_hours: hours,
        extra,
    } = store;
    let list = |v: &Option<Vec<String>>| v.as_deref().map_or(0, |v| FIELD + strings(v));
    let object = |m: &Option<Map<String, Value>>| m.as_ref().map_or(0, |m| FIELD + 2 + entries(m));
    2 + opt_text(store_id)
        + opt_text(name)
        + loc.as_ref().map_or(0, |l| FIELD + location(l))
        + addr.as_ref().map_or(0, |a| FIELD + address(a))
        + cont.as_ref().map_or(0, |c| FIELD + contact(c))
        + list(types)
        + list(tags)
        + object(user_properties)
        + object(localized_names)
        + hours.as_ref().map_or(0, |h| FIELD + opening_hours(h))
        + entries(extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_never_below_the_written_length() {
        let texts = [
            r#"{}"#,
            r#"{"storeId": "a"}"#,
            r#"{"storeId":"S1","name":"Shop","location":{"lat":-48.123456789012345,"lng":2.35e-300,"alt":-1e308},"address":{"lines":["1 rue A","Bât. B"],"countryCode":"FR","city":"Paris","zipcode":"75001","country":"France"},"contact":{"website":"https://example.fr","phone":"+33 1 00 00 00 00","email":"a@example.fr","tel":null},"types":["drive"],"tags":["wifi"],"userProperties":{"z":-9223372036854775808,"u":18446744073709551615,"a":{"n":[1,2.5,null,true,false,"\u0001\u001f\"\\"]}},"localizedNames":{"fr":"Boutique"},"openingHours":{"timezone":"Europe/Paris","usual":{"default":[{"start":"9:00","end":"18:00"}],"1":[],"monday":[{"all-day":true,"start":"x\u0000","end":"23:59:00","note":"\n"}]},"special":{"2025-12-24":[{"start":"09:00"}],"\u0002":[]},"temporary_closure":[{"start":"2025-08-01","end":"\u0003","why":[{}]}],"holidays":{}},"brand":"X","\u0000":[[[]]]}"#,
            r#"{"name":"\u0000\u0000\u0000\u0000","types":[],"tags":["\t\t"],"openingHours":{},"contact":{},"address":{},"location":{"lat":0,"lng":0}}"#,
        ];
        for text in texts {
            let store: Store = serde_json::from_str(text).expect(text);
            let written = store.to_json().len();
            assert!(json_len_at_most(&store) >= written, "{text}");
        }
        let mut s: Store = serde_json::from_str(texts[2]).expect("parses");
        for l in s.location.iter_mut() {
            l.lat = f64::NAN;
            l.lng = f64::MIN_POSITIVE;
        }
        assert!(json_len_at_most(&s) >= s.to_json().len());
    }
}
