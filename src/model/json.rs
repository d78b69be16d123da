//! A store's write-format JSON, written field by field: the same bytes serde_json writes
//! through the derived `Serialize` (the tests compare the two on every kind of store), for a
//! fraction of the work. A store is written at every edit, every imported row and every hash,
//! and serde's map of fields, needed by the unknown fields kept flattened into each object,
//! costs several times the text it writes.
//!
//! Texts that need no escape are copied as they are; serde_json writes the rest, the numbers
//! and the values of unknown fields, so its escapes and number formats are the ones used.
//! Every struct is taken apart without `..`, so a field added to the model does not compile
//! here until it is written.

use serde_json::{Map, Value};

use super::{Address, Contact, Location, Store};
use crate::hours::{Closure, DayKey, OpeningHours, Period, Time};

type Written = serde_json::Result<()>;

/// Appends the write-format JSON of `store` to `out`.
pub(super) fn write_store(out: &mut Vec<u8>, store: &Store) -> Written {
    let Store {
        store_id,
        name,
        location,
        address,
        contact,
        types,
        tags,
        user_properties,
        localized_names,
        opening_hours,
        extra,
    } = store;
    let mut o = Object::open(out);
    o.text(b"\"storeId\":", store_id)?;
    o.text(b"\"name\":", name)?;
    if let Some(l) = location {
        write_location(o.field(b"\"location\":"), l)?;
    }
    if let Some(a) = address {
        write_address(o.field(b"\"address\":"), a)?;
    }
    if let Some(c) = contact {
        write_contact(o.field(b"\"contact\":"), c)?;
    }
    if let Some(v) = types {
        texts(o.field(b"\"types\":"), v)?;
    }
    if let Some(v) = tags {
        texts(o.field(b"\"tags\":"), v)?;
    }
    if let Some(m) = user_properties {
        map(o.field(b"\"userProperties\":"), m)?;
    }
    if let Some(m) = localized_names {
        map(o.field(b"\"localizedNames\":"), m)?;
    }
    if let Some(h) = opening_hours {
        write_hours(o.field(b"\"openingHours\":"), h)?;
    }
    o.close(extra)
}

fn write_location(out: &mut Vec<u8>, l: &Location) -> Written {
    let Location { lat, lng, extra } = l;
    let mut o = Object::open(out);
    serde_json::to_writer(&mut *o.field(b"\"lat\":"), lat)?;
    serde_json::to_writer(&mut *o.field(b"\"lng\":"), lng)?;
    o.close(extra)
}

fn write_address(out: &mut Vec<u8>, a: &Address) -> Written {
    let Address {
        lines,
        country_code,
        city,
        zipcode,
        extra,
    } = a;
    let mut o = Object::open(out);
    if let Some(v) = lines {
        texts(o.field(b"\"lines\":"), v)?;
    }
    o.text(b"\"countryCode\":", country_code)?;
    o.text(b"\"city\":", city)?;
    o.text(b"\"zipcode\":", zipcode)?;
    o.close(extra)
}

fn write_contact(out: &mut Vec<u8>, c: &Contact) -> Written {
    let Contact {
        website,
        phone,
        email,
        extra,
    } = c;
    let mut o = Object::open(out);
    o.text(b"\"website\":", website)?;
    o.text(b"\"phone\":", phone)?;
    o.text(b"\"email\":", email)?;
    o.close(extra)
}

fn write_hours(out: &mut Vec<u8>, h: &OpeningHours) -> Written {
    let OpeningHours {
        timezone,
        usual,
        special,
        temporary_closure,
        extra,
    } = h;
    let mut o = Object::open(out);
    o.text(b"\"timezone\":", timezone)?;
    if let Some(days) = usual {
        let mut d = Object::open(o.field(b"\"usual\":"));
        for (day, list) in days {
            array(d.key_with(|out| day_key(out, day))?, list, write_period)?;
        }
        d.end();
    }
    if let Some(days) = special {
        let mut d = Object::open(o.field(b"\"special\":"));
        for (date, list) in days {
            array(d.key(date)?, list, write_period)?;
        }
        d.end();
    }
    if let Some(closures) = temporary_closure {
        array(o.field(b"\"temporary_closure\":"), closures, write_closure)?;
    }
    o.close(extra)
}

fn write_period(out: &mut Vec<u8>, p: &Period) -> Written {
    let Period {
        start,
        end,
        all_day,
        extra,
    } = p;
    let mut o = Object::open(out);
    if let Some(t) = start {
        time(o.field(b"\"start\":"), t)?;
    }
    if let Some(t) = end {
        time(o.field(b"\"end\":"), t)?;
    }
    if let Some(b) = all_day {
        o.field(b"\"all-day\":")
            .extend_from_slice(if *b { b"true" } else { b"false" });
    }
    o.close(extra)
}

fn write_closure(out: &mut Vec<u8>, c: &Closure) -> Written {
    let Closure { start, end, extra } = c;
    let mut o = Object::open(out);
    text(o.field(b"\"start\":"), start)?;
    text(o.field(b"\"end\":"), end)?;
    o.close(extra)
}

fn time(out: &mut Vec<u8>, t: &Time) -> Written {
    match t {
        Time::Valid { time, .. } => {
            let [h1, h2, colon, m1, m2] = time.hh_mm();
            out.extend_from_slice(&[b'"', h1, h2, colon, m1, m2, b'"']);
            Ok(())
        }
        Time::Invalid(raw) => text(out, raw),
    }
}

fn day_key(out: &mut Vec<u8>, day: &DayKey) -> Written {
    match day {
        DayKey::Default => text(out, "default"),
        // `"1"`..`"7"` without formatting the number each time.
        DayKey::Weekday(n @ 0..=9) => {
            out.extend_from_slice(&[b'"', b'0' + n, b'"']);
            Ok(())
        }
        DayKey::Weekday(n) => text(out, &n.to_string()),
        DayKey::Other(k) => text(out, k),
    }
}

/// A JSON string: copied between quotes when nothing in it needs an escape, else written by
/// serde_json.
fn text(out: &mut Vec<u8>, s: &str) -> Written {
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(out, s)
    }
}

/// Whether a text holds a byte JSON escapes: a control character, `"` or `\\`. Looked at
/// eight bytes at a time: a byte below `0x20` borrows when `0x20` is taken from it, and a byte
/// equal to `"` or `\\` becomes zero once xored with it.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        let x = u64::from_ne_bytes(eight);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        if below(x, 0x20) | below(quote, 1) | below(backslash, 1) != 0 {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

fn texts(out: &mut Vec<u8>, list: &[String]) -> Written {
    array(out, list, |out, s| text(out, s))
}

/// `[`, each item written by `write`, commas between them, `]`.
fn array<T>(
    out: &mut Vec<u8>,
    items: &[T],
    write: impl Fn(&mut Vec<u8>, &T) -> Written,
) -> Written {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item)?;
    }
    out.push(b']');
    Ok(())
}

fn map(out: &mut Vec<u8>, m: &Map<String, Value>) -> Written {
    Object::open(out).close(m)
}

fn value(out: &mut Vec<u8>, v: &Value) -> Written {
    match v {
        Value::String(s) => text(out, s),
        Value::Object(m) => map(out, m),
        other => serde_json::to_writer(out, other),
    }
}

/// An object being written: `{`, then `"key":value` entries with commas between them.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Object<'a> {
    fn open(out: &'a mut Vec<u8>) -> Object<'a> {
        out.push(b'{');
        Object { out, first: true }
    }

    /// Writes the key of the next entry and gives the text to write its value into.
    fn key(&mut self, key: &str) -> serde_json::Result<&mut Vec<u8>> {
        self.key_with(|out| text(out, key))
    }

    /// Writes the key of a known field, given as written with its colon (`"name":`), and
    /// gives the text to write its value into.
    fn field(&mut self, key: &'static [u8]) -> &mut Vec<u8> {
        let out = self.next_entry();
        out.extend_from_slice(key);
        out
    }

    fn key_with(
        &mut self,
        write_key: impl FnOnce(&mut Vec<u8>) -> Written,
    ) -> serde_json::Result<&mut Vec<u8>> {
        let out = self.next_entry();
        write_key(out)?;
        out.push(b':');
        Ok(out)
    }

    /// The comma before every entry but the first.
    fn next_entry(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out
    }

    /// An optional text field, left out when it has no value.
    fn text(&mut self, key: &'static [u8], value: &Option<String>) -> Written {
        match value {
            Some(s) => text(self.field(key), s),
            None => Ok(()),
        }
    }

    /// Writes the unknown fields kept in `extra`, in their order, and closes the object.
    fn close(mut self, extra: &Map<String, Value>) -> Written {
        for (k, v) in extra {
            value(self.key(k)?, v)?;
        }
        self.end();
        Ok(())
    }

    /// Closes an object that keeps no unknown fields.
    fn end(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::write_store;
    use crate::hours::{Closure, DayKey, OpeningHours, Period, Time, TimeOfDay};
    use crate::model::{Address, Contact, Location, Store};

    fn written(store: &Store) -> Vec<u8> {
        let mut out = Vec::new();
        write_store(&mut out, store).expect("writes");
        out
    }

    fn by_serde(store: &Store) -> Vec<u8> {
        serde_json::to_vec(store).expect("serialises")
    }

    /// Texts with everything serde_json escapes, and what it leaves alone.
    fn nasty() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 _.:-]{0,12}",
            "[\"\\\\/\u{0}-\u{1f}\u{7f}é€😀a ]{0,12}",
            any::<String>(),
        ]
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            nasty().prop_map(Value::from),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((nasty(), inner), 0..4)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    fn fields() -> impl Strategy<Value = Map<String, Value>> {
        prop::collection::vec((nasty(), value()), 0..3).prop_map(|p| p.into_iter().collect())
    }

    fn time() -> impl Strategy<Value = Time> {
        prop_oneof![
            (0u32..24, 0u32..60).prop_map(|(h, m)| {
                Time::new(TimeOfDay::from_hm(h, m).unwrap_or(TimeOfDay::MIDNIGHT))
            }),
            nasty().prop_map(|t| Time::parse(&t)),
        ]
    }

    fn period() -> impl Strategy<Value = Period> {
        (
            prop::option::of(time()),
            prop::option::of(time()),
            prop::option::of(any::<bool>()),
            fields(),
        )
            .prop_map(|(start, end, all_day, extra)| Period {
                start,
                end,
                all_day,
                extra,
            })
    }

    fn day() -> impl Strategy<Value = DayKey> {
        prop_oneof![
            Just(DayKey::Default),
            any::<u8>().prop_map(DayKey::Weekday),
            nasty().prop_map(DayKey::Other),
        ]
    }

    fn hours() -> impl Strategy<Value = OpeningHours> {
        (
            prop::option::of(nasty()),
            prop::option::of(prop::collection::btree_map(
                day(),
                prop::collection::vec(period(), 0..3),
                0..4,
            )),
            prop::option::of(prop::collection::btree_map(
                nasty(),
                prop::collection::vec(period(), 0..3),
                0..3,
            )),
            prop::option::of(prop::collection::vec(
                (nasty(), nasty(), fields()).prop_map(|(start, end, extra)| Closure {
                    start,
                    end,
                    extra,
                }),
                0..3,
            )),
            fields(),
        )
            .prop_map(|(timezone, usual, special, temporary_closure, extra)| {
                OpeningHours {
                    timezone,
                    usual,
                    special,
                    temporary_closure,
                    extra,
                }
            })
    }

    fn texts() -> impl Strategy<Value = Option<Vec<String>>> {
        prop::option::of(prop::collection::vec(nasty(), 0..3))
    }

    fn store() -> impl Strategy<Value = Store> {
        let place = (
            prop::option::of((any::<f64>(), any::<f64>(), fields())),
            prop::option::of((
                texts(),
                prop::option::of(nasty()),
                prop::option::of(nasty()),
                prop::option::of(nasty()),
                fields(),
            )),
            prop::option::of((
                prop::option::of(nasty()),
                prop::option::of(nasty()),
                prop::option::of(nasty()),
                fields(),
            )),
        );
        (
            prop::option::of(nasty()),
            prop::option::of(nasty()),
            place,
            texts(),
            texts(),
            prop::option::of(fields()),
            prop::option::of(fields()),
            prop::option::of(hours()),
            fields(),
        )
            .prop_map(
                |(store_id, name, (location, address, contact), types, tags, up, ln, oh, extra)| {
                    Store {
                        store_id,
                        name,
                        location: location.map(|(lat, lng, extra)| Location { lat, lng, extra }),
                        address: address.map(|(lines, country_code, city, zipcode, extra)| {
                            Address {
                                lines,
                                country_code,
                                city,
                                zipcode,
                                extra,
                            }
                        }),
                        contact: contact.map(|(website, phone, email, extra)| Contact {
                            website,
                            phone,
                            email,
                            extra,
                        }),
                        types,
                        tags,
                        user_properties: up,
                        localized_names: ln,
                        opening_hours: oh,
                        extra,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn a_text_needs_an_escape_when_one_of_its_bytes_does(bytes in prop::collection::vec(
            prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..=0xff], 0..40)
        ) {
            let each = bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
            prop_assert_eq!(super::needs_escape(&bytes), each);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn any_store_is_written_as_serde_json_writes_it(s in store()) {
            prop_assert_eq!(written(&s), by_serde(&s));
        }
    }

    #[test]
    fn the_edges_of_each_value_are_written_as_serde_json_writes_them() {
        let stores = [
            Store::default(),
            serde_json::from_value(json!({
                "storeId": "a\"b\\c\u{1}\n\t/é😀",
                "location": {"lat": -0.0, "lng": 1e300, "alt": 1.5e-7},
                "address": {"lines": [], "zipcode": "\u{7f}", "x": null},
                "contact": {},
                "types": [],
                "userProperties": {"n": 18446744073709551615u64, "i": -9223372036854775808i64,
                    "f": 0.1, "a": [1, [2, {"b": false}]], "": ""},
                "localizedNames": {},
                "openingHours": {
                    "usual": {"9": [], "default": [{"all-day": true, "start": "late"}],
                        "other": [{"start": "6:00", "end": "24:00", "note": {"k": "v"}}]},
                    "special": {},
                    "temporary_closure": [{"start": "2030-01-01", "end": "2030-01-02", "why": 1}],
                    "note": "kept"
                },
                "z": {"nested": [null, true]}
            }))
            .expect("reads"),
            Store {
                location: Some(Location::new(f64::NAN, f64::INFINITY)),
                ..Store::default()
            },
        ];
        for s in &stores {
            assert_eq!(
                String::from_utf8_lossy(&written(s)),
                String::from_utf8_lossy(&by_serde(s))
            );
        }
    }
}
