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

/// Which version a field of a conflicting store is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Mine,
    Theirs,
}

/// One field of a store in conflict: the server's value, the draft's, and which one the
/// result takes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChoice {
    pub path: String,
    pub theirs: Option<Value>,
    pub mine: Option<Value>,
    /// The draft changed this field since the base.
    pub changed_by_me: bool,
    /// The server changed this field since the base.
    pub changed_by_them: bool,
    pub take: Side,
}

/// The fields on which `mine` and `theirs` differ, each with a proposed side: the draft's
/// value where the draft changed the field since `base`, the server's value elsewhere (a
/// three-way merge). Where both changed a field, the draft's value is proposed and both
/// flags are set, so the dialog can point it out.
pub fn field_choices(
    base: Option<&Store>,
    theirs: Option<&Store>,
    mine: Option<&Store>,
) -> Vec<FieldChoice> {
    let mine_changes: Vec<String> = field_diff(base, mine).into_iter().map(|c| c.path).collect();
    let their_changes: Vec<String> = field_diff(base, theirs)
        .into_iter()
        .map(|c| c.path)
        .collect();
    // A path touches another when one is the other or lies under it.
    let touches = |list: &[String], path: &str| {
        list.iter().any(|p| {
            p == path
                || p.strip_prefix(path).is_some_and(|r| r.starts_with('.'))
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    };
    field_diff(theirs, mine)
        .into_iter()
        .map(|c| {
            let changed_by_me = touches(&mine_changes, &c.path);
            FieldChoice {
                changed_by_them: touches(&their_changes, &c.path),
                take: if changed_by_me {
                    Side::Mine
                } else {
                    Side::Theirs
                },
                changed_by_me,
                theirs: c.before,
                mine: c.after,
                path: c.path,
            }
        })
        .collect()
}

/// The store made of `theirs` with the fields chosen `Side::Mine` taken from the draft.
/// `None` when both sides are deleted or the result cannot be read as a store.
pub fn compose(theirs: Option<&Store>, choices: &[FieldChoice]) -> Option<Store> {
    let mut root = match theirs.map(|s| serde_json::to_value(s.normalised())) {
        Some(Ok(Value::Object(m))) => m,
        _ => Map::new(),
    };
    for choice in choices.iter().filter(|c| c.take == Side::Mine) {
        set_path(&mut root, &choice.path, choice.mine.clone());
    }
    if root.is_empty() {
        return None;
    }
    serde_json::from_value(Value::Object(root)).ok()
}

/// Sets (or, with `None`, removes) the field at a dotted path, making the objects on the way.
fn set_path(root: &mut Map<String, Value>, path: &str, value: Option<Value>) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else {
        return;
    };
    let mut here = root;
    for part in parts {
        let entry = here
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        match entry {
            Value::Object(m) => here = m,
            _ => return,
        }
    }
    match value {
        Some(v) => {
            here.insert(last.to_owned(), v);
        }
        None => {
            here.remove(last);
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

    #[test]
    fn a_three_way_merge_keeps_both_sides_changes() {
        let base = store(
            r#"{"storeId":"A","name":"Old","address":{"city":"Lyon","zipcode":"69001"},"tags":["x"]}"#,
        );
        // They renamed the store; I moved it to another zip code and added a phone.
        let theirs = store(
            r#"{"storeId":"A","name":"New","address":{"city":"Lyon","zipcode":"69001"},"tags":["x"]}"#,
        );
        let mine = store(
            r#"{"storeId":"A","name":"Old","address":{"city":"Lyon","zipcode":"69002"},"contact":{"phone":"+33 4 00 00 00 00"},"tags":["x"]}"#,
        );
        let choices = field_choices(Some(&base), Some(&theirs), Some(&mine));
        let taken: Vec<(&str, Side)> = choices.iter().map(|c| (c.path.as_str(), c.take)).collect();
        assert_eq!(
            taken,
            [
                ("name", Side::Theirs),
                ("address.zipcode", Side::Mine),
                ("contact", Side::Mine)
            ]
        );
        let result = compose(Some(&theirs), &choices).expect("a store");
        assert_eq!(result.name.as_deref(), Some("New"));
        let address = result.address.as_ref().expect("address");
        assert_eq!(address.zipcode.as_deref(), Some("69002"));
        assert_eq!(address.city.as_deref(), Some("Lyon"));
        assert_eq!(
            result.contact.as_ref().and_then(|c| c.phone.as_deref()),
            Some("+33 4 00 00 00 00")
        );
    }

    #[test]
    fn taking_all_of_one_side_gives_that_side_and_both_changed_is_flagged() {
        let base = store(r#"{"storeId":"A","name":"Old","tags":["x"]}"#);
        let theirs = store(r#"{"storeId":"A","name":"Theirs","tags":["x","y"]}"#);
        let mine = store(r#"{"storeId":"A","name":"Mine"}"#);
        let mut choices = field_choices(Some(&base), Some(&theirs), Some(&mine));
        let name = &choices[0];
        assert!(name.changed_by_me && name.changed_by_them);
        for c in &mut choices {
            c.take = Side::Mine;
        }
        let all_mine = compose(Some(&theirs), &choices).expect("store");
        assert!(field_diff(Some(&all_mine), Some(&mine)).is_empty());
        for c in &mut choices {
            c.take = Side::Theirs;
        }
        let all_theirs = compose(Some(&theirs), &choices).expect("store");
        assert!(field_diff(Some(&all_theirs), Some(&theirs)).is_empty());
    }
}
