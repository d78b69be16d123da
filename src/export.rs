//! Writing stores to files: Woosmap JSON (the write format, ready for the API or the Woosmap
//! Console), GeoJSON (the API's read format), and CSV with the opening hours as readable text.
//! Each reads back through `import` as the same stores.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::import::cells;
use crate::model::Store;

/// The formats written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Geojson,
    Csv,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Geojson => "geojson",
            Format::Csv => "csv",
        }
    }

    /// The format a file name asks for.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "geojson" => Some(Format::Geojson),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// The bytes of `stores` in `format`.
pub fn export(stores: &[Store], format: Format) -> Vec<u8> {
    match format {
        Format::Json => to_json(stores),
        Format::Geojson => to_geojson(stores),
        Format::Csv => to_csv(stores),
    }
}

/// `{"stores": [...]}`, one store a line, fields in the write format's order.
pub fn to_json(stores: &[Store]) -> Vec<u8> {
    let mut out = Vec::with_capacity(stores.len() * 512);
    out.extend_from_slice(b"{\"stores\": [\n");
    for (i, s) in stores.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(s.to_json().as_bytes());
    }
    out.extend_from_slice(b"\n]}\n");
    out
}

/// A FeatureCollection in the API's read format: `[lng, lat]` points, snake_case properties,
/// plus `localized_names`, which the API does not return but a file may carry. Fields the
/// model does not know are left out (Woosmap JSON keeps them).
pub fn to_geojson(stores: &[Store]) -> Vec<u8> {
    let features: Vec<Value> = stores.iter().map(feature).collect();
    let doc = json!({"type": "FeatureCollection", "features": features});
    let mut out = serde_json::to_vec(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}

fn feature(s: &Store) -> Value {
    let mut p = Map::new();
    p.insert("store_id".into(), json!(s.store_id));
    if let Some(name) = &s.name {
        p.insert("name".into(), json!(name));
    }
    if let Some(a) = &s.address {
        let mut address = Map::new();
        if let Some(lines) = &a.lines {
            address.insert("lines".into(), json!(lines));
        }
        if let Some(c) = &a.country_code {
            address.insert("country_code".into(), json!(c.to_ascii_lowercase()));
        }
        if let Some(c) = &a.city {
            address.insert("city".into(), json!(c));
        }
        if let Some(z) = &a.zipcode {
            address.insert("zipcode".into(), json!(z));
        }
        p.insert("address".into(), Value::Object(address));
    }
    if let Some(c) = &s.contact {
        let mut contact = Map::new();
        for (k, v) in [
            ("website", &c.website),
            ("phone", &c.phone),
            ("email", &c.email),
        ] {
            if let Some(v) = v {
                contact.insert(k.into(), json!(v));
            }
        }
        p.insert("contact".into(), Value::Object(contact));
    }
    if let Some(t) = &s.types {
        p.insert("types".into(), json!(t));
    }
    if let Some(t) = &s.tags {
        p.insert("tags".into(), json!(t));
    }
    if let Some(u) = &s.user_properties {
        p.insert("user_properties".into(), Value::Object(u.clone()));
    }
    if let Some(n) = &s.localized_names {
        p.insert("localized_names".into(), Value::Object(n.clone()));
    }
    if let Some(h) = &s.opening_hours {
        let mut known = h.clone();
        known.extra.clear();
        p.insert("opening_hours".into(), json!(known));
    }
    let geometry = match &s.location {
        Some(l) => json!({"type": "Point", "coordinates": [l.lng, l.lat]}),
        None => Value::Null,
    };
    json!({"type": "Feature", "geometry": geometry, "properties": p})
}

/// The fixed columns of the CSV, before the address lines' and after them.
const HEAD: [&str; 4] = ["storeId", "name", "latitude", "longitude"];
const TAIL: [&str; 11] = [
    "city",
    "zipcode",
    "countryCode",
    "phone",
    "email",
    "website",
    "types",
    "tags",
    "timezone",
    "opening hours",
    "temporary closures",
];

/// A CSV file: one column per field, `address line 1..n`, `userProperties.KEY` and
/// `localizedNames.LANG` columns for the keys used, types and tags joined with "; ", the
/// hours as OSM-style text. A cell that a spreadsheet would run as a formula gets a leading
/// `'`.
pub fn to_csv(stores: &[Store]) -> Vec<u8> {
    let lines = stores
        .iter()
        .filter_map(|s| s.address.as_ref()?.lines.as_ref().map(Vec::len))
        .max()
        .unwrap_or(0);
    let mut prop_keys = BTreeSet::new();
    let mut name_keys = BTreeSet::new();
    for s in stores {
        if let Some(p) = &s.user_properties {
            prop_keys.extend(p.keys().cloned());
        }
        if let Some(n) = &s.localized_names {
            name_keys.extend(n.keys().cloned());
        }
    }
    let mut header: Vec<String> = HEAD.iter().map(|s| s.to_string()).collect();
    header.extend((1..=lines).map(|i| format!("address line {i}")));
    header.extend(TAIL.iter().map(|s| s.to_string()));
    header.extend(prop_keys.iter().map(|k| format!("userProperties.{k}")));
    header.extend(name_keys.iter().map(|k| format!("localizedNames.{k}")));

    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut ok = w.write_record(&header).is_ok();
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for s in stores {
        row.clear();
        row.push(s.id().to_owned());
        row.push(s.name.clone().unwrap_or_default());
        let (lat, lng) = s
            .location
            .as_ref()
            .map_or((String::new(), String::new()), |l| {
                (l.lat.to_string(), l.lng.to_string())
            });
        row.push(lat);
        row.push(lng);
        let address = s.address.as_ref();
        let store_lines = address.and_then(|a| a.lines.as_ref());
        for i in 0..lines {
            row.push(
                store_lines
                    .and_then(|l| l.get(i))
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        row.push(address.and_then(|a| a.city.clone()).unwrap_or_default());
        row.push(address.and_then(|a| a.zipcode.clone()).unwrap_or_default());
        row.push(
            address
                .and_then(|a| a.country_code.clone())
                .unwrap_or_default(),
        );
        let contact = s.contact.as_ref();
        row.push(contact.and_then(|c| c.phone.clone()).unwrap_or_default());
        row.push(contact.and_then(|c| c.email.clone()).unwrap_or_default());
        row.push(contact.and_then(|c| c.website.clone()).unwrap_or_default());
        row.push(s.types.as_ref().map(|t| t.join("; ")).unwrap_or_default());
        row.push(s.tags.as_ref().map(|t| t.join("; ")).unwrap_or_default());
        let hours = s.opening_hours.as_ref();
        row.push(hours.and_then(|h| h.timezone.clone()).unwrap_or_default());
        row.push(hours.map(cells::to_osm).unwrap_or_default());
        row.push(
            hours
                .and_then(|h| h.temporary_closure.as_ref())
                .map(|c| {
                    c.iter()
                        .map(|c| format!("{}/{}", c.start, c.end))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
        );
        for k in &prop_keys {
            let v = s.user_properties.as_ref().and_then(|p| p.get(k));
            row.push(v.map(property_cell).unwrap_or_default());
        }
        for k in &name_keys {
            let v = s.localized_names.as_ref().and_then(|p| p.get(k));
            row.push(match v {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            });
        }
        for cell in row.iter_mut() {
            escape_formula(cell);
        }
        ok &= w.write_record(&row).is_ok();
    }
    // Writing to memory cannot fail; an empty result would show it did.
    match (ok, w.into_inner()) {
        (true, Ok(bytes)) => bytes,
        _ => Vec::new(),
    }
}

/// A user property as a cell that reads back as the same JSON value: strings as they are
/// unless they would read as another type (then quoted as JSON), other values as JSON.
pub fn property_cell(v: &Value) -> String {
    match v {
        Value::String(s) => {
            if matches!(crate::import::convert::user_value(s, false), Value::String(ref t) if t == s)
            {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Prefixes `'` to a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab
/// or carriage return first); plain negative numbers are left as they are.
fn escape_formula(cell: &mut String) {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let plain_number = cell.starts_with('-')
        && cell.len() > 1
        && cell[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '-')
        && cell.parse::<f64>().is_ok();
    if risky && !plain_number {
        cell.insert(0, '\'');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_escaped_but_negative_numbers_are_not() {
        for (input, expected) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-2+3", "'-2+3"),
            ("-0.1278", "-0.1278"),
            ("plain", "plain"),
        ] {
            let mut s = input.to_owned();
            escape_formula(&mut s);
            assert_eq!(s, expected, "{input}");
        }
    }

    #[test]
    fn property_cells_keep_their_type() {
        assert_eq!(property_cell(&json!(12)), "12");
        assert_eq!(property_cell(&json!("12")), "\"12\"");
        assert_eq!(property_cell(&json!("00118")), "00118");
        assert_eq!(property_cell(&json!(true)), "true");
        assert_eq!(property_cell(&json!("yes")), "yes");
        assert_eq!(property_cell(&json!({"a": [1]})), "{\"a\":[1]}");
    }
}
