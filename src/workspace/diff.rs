//! Field-by-field differences between two versions of a store, for the draft queue and the
//! conflict dialog.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::Store;

/// One field that differs. Objects are walked down to their leaves; arrays (address lines,
/// tags, periods of a day) are compared whole, as a person reads them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// In write-format names: `name`, `address.city`, `openingHours.usual.1`.
    pub path: String,
    /// `None` when the field is absent on that side.
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl FieldChange {
    /// `address.city: "Lyon" → "Paris"`.
    pub fn describe(&self) -> String {
        fn show(v: &Option<Value>) -> String {
            match v {
                None => "(none)".to_owned(),
                Some(v) => v.to_string(),
            }
        }
        format!(
            "{}: {} → {}",
            self.path,
            show(&self.before),
            show(&self.after)
        )
    }
}

/// The fields that differ between `before` and `after`; a missing store has no fields.
pub fn field_diff(before: Option<&Store>, after: Option<&Store>) -> Vec<FieldChange> {
    let to_map = |s: Option<&Store>| match s.map(|s| serde_json::to_value(s.normalised())) {
        Some(Ok(Value::Object(m))) => m,
        _ => Map::new(),
    };
    let mut out = Vec::new();
    diff_objects("", &to_map(before), &to_map(after), &mut out);
    out
}

fn diff_objects(
    prefix: &str,
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    out: &mut Vec<FieldChange>,
) {
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    for key in keys {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (a.get(key), b.get(key)) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => diff_objects(&path, x, y, out),
            (x, y) if x == y => {}
            (x, y) => out.push(FieldChange {
                path,
                before: x.cloned(),
                after: y.cloned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(json: &str) -> Store {
        serde_json::from_str(json).expect("store")
    }

    #[test]
    fn a_move_is_two_coordinate_changes() {
        let a = store(r#"{"storeId":"A","name":"N","location":{"lat":1.0,"lng":2.0}}"#);
        let b = store(r#"{"storeId":"A","name":"N","location":{"lat":1.5,"lng":2.0}}"#);
        let d = field_diff(Some(&a), Some(&b));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "location.lat");
        assert_eq!(d[0].describe(), "location.lat: 1.0 → 1.5");
    }

    #[test]
    fn nested_fields_added_and_removed_are_named() {
        let a = store(r#"{"storeId":"A","address":{"city":"Lyon"},"tags":["x"]}"#);
        let b = store(r#"{"storeId":"A","address":{"city":"Lyon","zipcode":"69001"}}"#);
        let d = field_diff(Some(&a), Some(&b));
        let paths: Vec<&str> = d.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["address.zipcode", "tags"]);
        assert_eq!(d[1].after, None);
    }

    #[test]
    fn a_new_store_lists_every_field_and_equal_stores_none() {
        let a = store(r#"{"storeId":"A","name":"N"}"#);
        assert_eq!(field_diff(None, Some(&a)).len(), 2);
        assert!(field_diff(Some(&a), Some(&a)).is_empty());
        let empty_tags = store(r#"{"storeId":"A","name":"N","tags":[]}"#);
        assert!(field_diff(Some(&a), Some(&empty_tags)).is_empty());
    }
}
