//! What a Woosmap store is: the write format (`AssetRequest`, camelCase) as the `Store` type,
//! conversion from the read format (GeoJSON, snake_case) that GET returns, and the canonical
//! bytes and hash the sync engine compares.
//!
//! Fields this model does not know are kept, in order, in each object's `extra` map and written
//! back unchanged; validation names them.

pub mod bulk;
pub mod countries;
pub mod document;
pub mod id_hash;
mod json;
pub(crate) mod object;
pub mod read;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::hours::OpeningHours;
use object::deserialize_keeping_unknown;

pub use document::{
    Document, DocumentError, DocumentKind, Entry, EntryError, StoreFile, parse_document,
};
pub use read::{FeatureCollection, Pagination, ReadFeature, RemoteMeta};

/// The API's limit on one request body, in bytes.
pub const MAX_REQUEST_BYTES: usize = 15 * 1024 * 1024;

/// A store in Woosmap's write format.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Store {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_properties: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localized_names: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<OpeningHours>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

deserialize_keeping_unknown!(Store {
    "storeId" => store_id,
    "name" => name,
    "location" => location,
    "address" => address,
    "contact" => contact,
    "types" => types,
    "tags" => tags,
    "userProperties" => user_properties,
    "localizedNames" => localized_names,
    "openingHours" => opening_hours,
});

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatLng {
    pub lat: f64,
    pub lng: f64,
}

/// `location {lat, lng}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Location {
    pub lat: f64,
    pub lng: f64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

deserialize_keeping_unknown!(Location { "lat" => lat, "lng" => lng });

impl Location {
    pub fn new(lat: f64, lng: f64) -> Location {
        Location {
            lat,
            lng,
            extra: Map::new(),
        }
    }
}

/// `address {lines, countryCode, city, zipcode}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zipcode: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

deserialize_keeping_unknown!(Address {
    "lines" => lines,
    "countryCode" => country_code,
    "city" => city,
    "zipcode" => zipcode,
});

/// `contact {website, phone, email}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Contact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

deserialize_keeping_unknown!(Contact { "website" => website, "phone" => phone, "email" => email });

/// The body of a POST, PUT or replace: `{"stores": [...]}`.
#[derive(Debug, Serialize)]
pub struct WriteBody<'a> {
    pub stores: &'a [Store],
}

/// Bytes reserved for a store's JSON as it is written: more than most stores take.
const JSON_ROOM: usize = 1024;

impl Store {
    /// The store id, or `""` when it has none.
    pub fn id(&self) -> &str {
        self.store_id.as_deref().unwrap_or("")
    }

    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }

    pub fn lat_lng(&self) -> Option<LatLng> {
        self.location.as_ref().map(|l| LatLng {
            lat: l.lat,
            lng: l.lng,
        })
    }

    pub fn city(&self) -> &str {
        self.address
            .as_ref()
            .and_then(|a| a.city.as_deref())
            .unwrap_or("")
    }

    pub fn country_code(&self) -> Option<&str> {
        self.address
            .as_ref()
            .and_then(|a| a.country_code.as_deref())
    }

    /// The write-format JSON of this store: only the fields that are set, known fields in a fixed
    /// order, then the unknown ones in the order they were read.
    pub fn to_json(&self) -> String {
        String::from_utf8(self.json_bytes()).unwrap_or_default()
    }

    /// The write-format JSON as bytes, the same as [`Store::to_json`].
    fn json_bytes(&self) -> Vec<u8> {
        // Written into room for a usual store at once, rather than into a buffer that grows
        // (and is copied) several times on the way.
        let mut buffer = Vec::with_capacity(JSON_ROOM);
        match json::write_store(&mut buffer, self) {
            Ok(()) => buffer,
            Err(_) => Vec::new(),
        }
    }

    /// The canonical bytes: the write format with every map's keys sorted (known fields always
    /// come in a fixed order), so that two stores equal in meaning give equal bytes whatever
    /// order their maps were read in.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        self.clone().into_canonical_bytes()
    }

    fn into_canonical_bytes(mut self) -> Vec<u8> {
        self.sort_maps();
        self.json_bytes()
    }

    /// A 64-bit XXH3 hash of the canonical bytes of the normalised store, stable across runs
    /// and machines: what the sync engine compares to tell whether a store changed.
    pub fn content_hash(&self) -> u64 {
        store_hash(&self.normalised().into_canonical_bytes())
    }

    /// Both [`Store::content_hash`] and [`Store::remote_hash`], sharing the work.
    pub fn hashes(&self) -> (u64, u64) {
        let mut s = self.normalised();
        s.sort_maps();
        let content = store_hash(&s.json_bytes());
        s.strip_to_remote();
        s.normalise_in_place();
        (content, store_hash(&s.into_canonical_bytes()))
    }

    /// The write-format JSON ([`Store::to_json`]) with [`Store::content_hash`] and
    /// [`Store::remote_hash`]. A store already in canonical form (nothing to normalise, every
    /// map's keys in order) serialises once: its canonical bytes are its JSON.
    pub fn json_and_hashes(&self) -> (String, u64, u64) {
        let json = self.to_json();
        if !(self.is_normalised() && self.maps_are_sorted()) {
            let (content, remote) = self.hashes();
            return (json, content, remote);
        }
        let content = store_hash(json.as_bytes());
        let remote = if self.is_its_remote_view() {
            content
        } else {
            self.remote_hash()
        };
        (json, content, remote)
    }

    /// Whether [`Store::normalised`] would leave this store as it is.
    fn is_normalised(&self) -> bool {
        fn filled<T>(v: &Option<Vec<T>>) -> bool {
            v.as_ref().is_none_or(|v| !v.is_empty())
        }
        fn filled_map(v: &Option<Map<String, Value>>) -> bool {
            v.as_ref().is_none_or(|m| !m.is_empty())
        }
        let address = self.address.as_ref().is_none_or(|a| {
            filled(&a.lines)
                && [&a.country_code, &a.city, &a.zipcode]
                    .iter()
                    .all(|f| f.as_deref() != Some(""))
                && (a.lines.is_some()
                    || a.country_code.is_some()
                    || a.city.is_some()
                    || a.zipcode.is_some()
                    || !a.extra.is_empty())
        });
        let contact = self.contact.as_ref().is_none_or(|c| {
            c.website.is_some() || c.phone.is_some() || c.email.is_some() || !c.extra.is_empty()
        });
        let hours = self.opening_hours.as_ref().is_none_or(|h| {
            h.usual.as_ref().is_none_or(|u| !u.is_empty())
                && h.special.as_ref().is_none_or(|u| !u.is_empty())
                && filled(&h.temporary_closure)
        });
        filled(&self.types)
            && filled(&self.tags)
            && filled_map(&self.user_properties)
            && filled_map(&self.localized_names)
            && address
            && contact
            && hours
    }

    /// Whether [`Store::sort_maps`] would leave this store as it is.
    fn maps_are_sorted(&self) -> bool {
        fn value(v: &Value) -> bool {
            match v {
                Value::Object(m) => map(m),
                Value::Array(items) => items.iter().all(value),
                _ => true,
            }
        }
        fn map(m: &Map<String, Value>) -> bool {
            let mut keys = m.keys();
            let mut previous = keys.next();
            for key in keys {
                if previous.is_some_and(|p| p >= key) {
                    return false;
                }
                previous = Some(key);
            }
            m.values().all(value)
        }
        let top = map(&self.extra)
            && self.user_properties.as_ref().is_none_or(map)
            && self.localized_names.as_ref().is_none_or(map)
            && self.location.as_ref().is_none_or(|l| map(&l.extra))
            && self.address.as_ref().is_none_or(|a| map(&a.extra))
            && self.contact.as_ref().is_none_or(|c| map(&c.extra));
        top && self.opening_hours.as_ref().is_none_or(|h| {
            let days = h.usual.iter().flat_map(|u| u.values());
            let special = h.special.iter().flat_map(|u| u.values());
            map(&h.extra)
                && days.chain(special).flatten().all(|p| map(&p.extra))
                && h.temporary_closure.iter().flatten().all(|c| map(&c.extra))
        })
    }

    /// Whether [`Store::strip_to_remote`] would leave this store as it is.
    fn is_its_remote_view(&self) -> bool {
        self.localized_names.is_none()
            && self.extra.is_empty()
            && self.location.as_ref().is_none_or(|l| l.extra.is_empty())
            && self.address.as_ref().is_none_or(|a| {
                a.extra.is_empty()
                    && a.country_code
                        .as_deref()
                        .is_none_or(|c| !c.bytes().any(|b| b.is_ascii_lowercase()))
            })
            && self.contact.as_ref().is_none_or(|c| c.extra.is_empty())
            && self
                .opening_hours
                .as_ref()
                .is_none_or(|h| h.extra.is_empty())
    }

    /// Sorts the keys of every map at every level, so that the serialisation no longer depends
    /// on the order fields were read in (known fields always serialise in a fixed order).
    fn sort_maps(&mut self) {
        fn sort(m: &mut Map<String, Value>) {
            m.sort_keys();
            m.values_mut().for_each(Value::sort_all_objects);
        }
        sort(&mut self.extra);
        for m in [&mut self.user_properties, &mut self.localized_names]
            .into_iter()
            .flatten()
        {
            sort(m);
        }
        if let Some(l) = &mut self.location {
            sort(&mut l.extra);
        }
        if let Some(a) = &mut self.address {
            sort(&mut a.extra);
        }
        if let Some(c) = &mut self.contact {
            sort(&mut c.extra);
        }
        if let Some(h) = &mut self.opening_hours {
            sort(&mut h.extra);
            let days = h.usual.iter_mut().flat_map(|u| u.values_mut());
            let special = h.special.iter_mut().flat_map(|u| u.values_mut());
            for period in days.chain(special).flatten() {
                sort(&mut period.extra);
            }
            for closure in h.temporary_closure.iter_mut().flatten() {
                sort(&mut closure.extra);
            }
        }
    }

    /// What the read format leaves out or changes: localized names, unknown fields, the case
    /// of the country code.
    fn strip_to_remote(&mut self) {
        self.localized_names = None;
        self.extra.clear();
        if let Some(l) = &mut self.location {
            l.extra.clear();
        }
        if let Some(a) = &mut self.address {
            a.extra.clear();
            if let Some(code) = &mut a.country_code {
                code.make_ascii_uppercase();
            }
        }
        if let Some(c) = &mut self.contact {
            c.extra.clear();
        }
        if let Some(h) = &mut self.opening_hours {
            h.extra.clear();
        }
    }

    /// The store as a GET would give it back: no `localizedNames` (the read format leaves them
    /// out), no unknown fields, the country code upper-cased, then normalised. Two stores with
    /// the same remote view cannot be told apart by reading the API.
    pub fn remote_view(&self) -> Store {
        let mut s = self.clone();
        s.strip_to_remote();
        s.normalise_in_place();
        s
    }

    /// The content hash of the remote view: what the sync engine compares with a store read
    /// back from the API.
    pub fn remote_hash(&self) -> u64 {
        store_hash(&self.remote_view().into_canonical_bytes())
    }

    /// The same store with empty values removed (`[]` types, `{}` objects, an address with
    /// nothing in it): the read format fills these in, so they carry no meaning when comparing.
    pub fn normalised(&self) -> Store {
        let mut s = self.clone();
        s.normalise_in_place();
        s
    }

    fn normalise_in_place(&mut self) {
        let s = self;
        fn drop_empty_vec<T>(v: &mut Option<Vec<T>>) {
            if v.as_ref().is_some_and(Vec::is_empty) {
                *v = None;
            }
        }
        fn drop_empty_map(v: &mut Option<Map<String, Value>>) {
            if v.as_ref().is_some_and(Map::is_empty) {
                *v = None;
            }
        }
        drop_empty_vec(&mut s.types);
        drop_empty_vec(&mut s.tags);
        drop_empty_map(&mut s.user_properties);
        drop_empty_map(&mut s.localized_names);
        if let Some(a) = &mut s.address {
            drop_empty_vec(&mut a.lines);
            for field in [&mut a.country_code, &mut a.city, &mut a.zipcode] {
                if field.as_deref() == Some("") {
                    *field = None;
                }
            }
            if a.lines.is_none()
                && a.country_code.is_none()
                && a.city.is_none()
                && a.zipcode.is_none()
                && a.extra.is_empty()
            {
                s.address = None;
            }
        }
        if let Some(c) = &s.contact
            && c.website.is_none()
            && c.phone.is_none()
            && c.email.is_none()
            && c.extra.is_empty()
        {
            s.contact = None;
        }
        if let Some(h) = &mut s.opening_hours {
            if h.usual.as_ref().is_some_and(|u| u.is_empty()) {
                h.usual = None;
            }
            if h.special.as_ref().is_some_and(|u| u.is_empty()) {
                h.special = None;
            }
            drop_empty_vec(&mut h.temporary_closure);
        }
    }
}

/// Serialises a write body `{"stores": [...]}`.
pub fn write_body(stores: &[Store]) -> String {
    let mut out = Vec::with_capacity(stores.len().saturating_mul(JSON_ROOM));
    out.extend_from_slice(b"{\"stores\":[");
    for (i, store) in stores.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if json::write_store(&mut out, store).is_err() {
            return String::new();
        }
    }
    out.extend_from_slice(b"]}");
    String::from_utf8(out).unwrap_or_default()
}

/// The 64-bit XXH3 hash of `bytes`: the same on every machine and in every version of the
/// crate, and read eight bytes and more at a time (FNV-1a, used before workspace schema 5, took
/// a multiplication per byte: 5 % of an import's time).
fn store_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{"storeId":"S1","name":"Shop","location":{"lat":48.85,"lng":2.35},"address":{"lines":["1 rue A","Bât. B"],"countryCode":"FR","city":"Paris","zipcode":"75001"},"contact":{"website":"https://example.fr","phone":"+33 1 00 00 00 00","email":"a@example.fr"},"types":["drive"],"tags":["wifi"],"userProperties":{"z":1,"a":{"n":[1,2.5,null]}},"localizedNames":{"fr":"Boutique"},"openingHours":{"timezone":"Europe/Paris","usual":{"default":[{"start":"09:00","end":"18:00"}]}},"brand":"X"}"#;

    #[test]
    fn the_remote_view_is_what_a_read_back_gives() {
        let mut store: Store = serde_json::from_str(FULL).expect("parses");
        if let Some(a) = &mut store.address {
            a.country_code = Some("fr".into());
        }
        let feature = read::feature_from_store(&store, "2026-01-01T00:00:00Z", chrono::Utc::now());
        let read: ReadFeature = serde_json::from_value(feature).expect("reads");
        let (back, _) = read.into_store();
        assert_eq!(back.normalised(), store.remote_view());
        assert_eq!(back.remote_hash(), store.remote_hash());
        assert_ne!(
            store.content_hash(),
            store.remote_hash(),
            "names and extras count locally"
        );
        let mut renamed = store.clone();
        renamed.name = Some("Other".into());
        assert_ne!(renamed.remote_hash(), store.remote_hash());
    }

    #[test]
    fn a_full_store_round_trips_to_the_same_bytes() {
        let store: Store = serde_json::from_str(FULL).expect("parses");
        assert_eq!(store.to_json(), FULL);
        assert_eq!(store.extra.get("brand"), Some(&Value::String("X".into())));
    }

    #[test]
    fn unknown_fields_keep_their_order_after_known_ones() {
        let text = r#"{"zeta":1,"storeId":"A","alpha":{"k":true},"name":"N","location":{"lat":1.5,"lng":2.5,"alt":3}}"#;
        let store: Store = serde_json::from_str(text).expect("parses");
        assert_eq!(
            store.to_json(),
            r#"{"storeId":"A","name":"N","location":{"lat":1.5,"lng":2.5,"alt":3},"zeta":1,"alpha":{"k":true}}"#
        );
    }

    #[test]
    fn null_optional_fields_read_as_absent() {
        let store: Store = serde_json::from_str(
            r#"{"storeId":"A","name":"N","location":{"lat":1,"lng":2},"userProperties":null,"openingHours":null,"address":{"countryCode":null}}"#,
        )
        .expect("parses");
        assert_eq!(store.user_properties, None);
        assert_eq!(store.opening_hours, None);
        assert_eq!(
            store.to_json(),
            r#"{"storeId":"A","name":"N","location":{"lat":1.0,"lng":2.0},"address":{}}"#
        );
    }

    #[test]
    fn coordinates_keep_every_digit() {
        let store: Store =
            serde_json::from_str(r#"{"location":{"lat":51.919948123456789,"lng":-0.1}}"#)
                .expect("parses");
        let again: Store = serde_json::from_str(&store.to_json()).expect("parses again");
        assert_eq!(store, again);
        let exact: f64 = "51.919948123456789".parse().expect("float");
        assert_eq!(again.lat_lng().map(|p| p.lat), Some(exact));
    }

    #[test]
    fn stores_equal_in_meaning_hash_alike() {
        let a: Store = serde_json::from_str(
            r#"{"storeId":"A","userProperties":{"x":1,"y":2},"openingHours":{"usual":{"2":[],"default":[]}}}"#,
        )
        .expect("parses");
        let b: Store = serde_json::from_str(
            r#"{"userProperties":{"y":2,"x":1},"openingHours":{"usual":{"default":[],"2":[]}},"storeId":"A"}"#,
        )
        .expect("parses");
        assert_eq!(a, b);
        assert_eq!(a.canonical_bytes(), b.canonical_bytes());
        assert_eq!(a.content_hash(), b.content_hash());
        let mut c = b.clone();
        c.name = Some("other".into());
        assert_ne!(a.content_hash(), c.content_hash());
    }

    #[test]
    fn empty_values_do_not_change_the_hash() {
        let a: Store = serde_json::from_str(r#"{"storeId":"A","name":"N"}"#).expect("parses");
        let b: Store = serde_json::from_str(
            r#"{"storeId":"A","name":"N","types":[],"tags":[],"userProperties":{},"address":{"lines":[],"city":""},"contact":{}}"#,
        )
        .expect("parses");
        assert_eq!(a.content_hash(), b.content_hash());
    }

    #[test]
    fn write_body_wraps_stores() {
        let store: Store = serde_json::from_str(r#"{"storeId":"A"}"#).expect("parses");
        assert_eq!(write_body(&[store]), r#"{"stores":[{"storeId":"A"}]}"#);
    }
}
