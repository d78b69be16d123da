//! The store model against the project's own fixtures: write-format files round-trip, read-format
//! files convert, and unknown fields survive.

use std::path::PathBuf;

use storedesk::model::{DocumentKind, FeatureCollection, Store, parse_document, write_body};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn stores_of(text: &str) -> Vec<Store> {
    let doc = parse_document(text).expect("parses");
    doc.entries
        .into_iter()
        .map(|e| e.result.expect("store reads"))
        .collect()
}

#[test]
fn write_format_round_trips_in_meaning_and_bytes() {
    let text = fixture("stores_write.json");
    let stores = stores_of(&text);
    assert_eq!(stores.len(), 3);
    // parse -> serialise -> parse is identity.
    let body = write_body(&stores);
    let again = stores_of(&body);
    assert_eq!(stores, again);
    // And serialising again gives the same bytes.
    assert_eq!(write_body(&again), body);
    // The serialised form means the same JSON as the file.
    let original: serde_json::Value = serde_json::from_str(&text).expect("json");
    let written: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(original, written);
}

#[test]
fn every_field_of_the_full_store_is_read() {
    let stores = stores_of(&fixture("stores_write.json"));
    let s = &stores[0];
    assert_eq!(s.id(), "LYON_PART_DIEU_01");
    assert_eq!(s.city(), "Lyon");
    assert_eq!(s.country_code(), Some("FR"));
    assert_eq!(s.tags.as_ref().map(Vec::len), Some(3));
    let props = s.user_properties.as_ref().expect("user properties");
    assert_eq!(props["manager"]["since"], 2019);
    assert_eq!(props["closing_soon"], serde_json::Value::Null);
    assert_eq!(
        s.localized_names.as_ref().map(|n| n["ja"].clone()),
        Some(serde_json::json!("リヨン・パールデュー"))
    );
    let hours = s.opening_hours.as_ref().expect("hours");
    assert_eq!(hours.special.as_ref().map(|s| s.len()), Some(2));
    assert_eq!(hours.temporary_closure.as_ref().map(Vec::len), Some(1));
    assert!(s.extra.is_empty());
}

#[test]
fn read_format_converts_to_write_stores() {
    let text = fixture("feature_collection.json");
    let doc = parse_document(&text).expect("parses");
    assert_eq!(doc.kind, DocumentKind::FeatureCollection);
    let lyon = doc.entries[0].result.as_ref().expect("store");
    assert_eq!(lyon.country_code(), Some("FR"));
    assert_eq!(
        doc.entries[0]
            .meta
            .as_ref()
            .and_then(|m| m.last_updated.as_deref()),
        Some("2030-01-10T13:23:53.564829+00:00")
    );
    let json = lyon.to_json();
    assert!(
        !json.contains("weekly_opening")
            && !json.contains("distance")
            && !json.contains("\"open\"")
    );
    assert!(!json.contains("\"email\""), "null email dropped: {json}");
    // The sparse store: nulls and empties mean the same as absent.
    let sparse = doc.entries[1].result.as_ref().expect("store");
    let plain: Store = serde_json::from_str(
        r#"{"storeId": "montpellier_comedie", "name": "Montpellier Comédie", "location": {"lat": 43.608, "lng": 3.8795}}"#,
    )
    .expect("store");
    assert_eq!(sparse.content_hash(), plain.content_hash());
    // The pagination is read from the collection.
    let page: FeatureCollection = serde_json::from_str(&text).expect("collection");
    assert_eq!(page.pagination.map(|p| p.page_count), Some(3));
}

#[test]
fn the_fixture_store_matches_its_read_back_form() {
    let written = &stores_of(&fixture("stores_write.json"))[1];
    let read = stores_of(&fixture("feature_collection.json"));
    assert_eq!(written.content_hash(), read[1].content_hash());
}

#[test]
fn unknown_fields_survive_a_round_trip() {
    let stores = stores_of(&fixture("messy_markets.json"));
    let body = write_body(&stores);
    assert!(body.contains(r#""country":"France""#));
    assert!(body.contains(r#""tel":"+49 30 0000000""#));
    // Times were normalised on the way.
    assert!(body.contains(r#""start":"07:30""#) && !body.contains(r#""7:30""#));
}

#[test]
fn a_broken_store_does_not_hide_the_others() {
    let doc = parse_document(&fixture("errors.json")).expect("parses");
    assert_eq!(doc.entries.len(), 3);
    assert_eq!(doc.stores().count(), 2);
    let err = doc.entries[2].result.as_ref().expect_err("lat is a string");
    assert_eq!(err.line, 5);
}
