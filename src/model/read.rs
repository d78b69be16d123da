//! The read format: what `GET /stores` and `GET /stores/{id}` return, a GeoJSON `Feature` (or a
//! `FeatureCollection` with `pagination`) whose properties are snake_case. Converted to a `Store`
//! plus the metadata worth keeping; computed fields (`open`, `weekly_opening`, `distance`) are
//! read and dropped, never sent back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::object::deserialize_keeping_unknown;
use super::{Address, Contact, Location, Store};
use crate::hours::OpeningHours;

/// A page of stores as GET returns it.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct FeatureCollection {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub features: Vec<ReadFeature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Pagination {
    pub page: u32,
    #[serde(rename = "pageCount")]
    pub page_count: u32,
}

/// One store as GET returns it.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ReadFeature {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub properties: ReadProperties,
    #[serde(default)]
    pub geometry: Option<Geometry>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Geometry {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// `[lng, lat]`.
    #[serde(default)]
    pub coordinates: Vec<f64>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ReadProperties {
    pub store_id: Option<String>,
    pub name: Option<String>,
    pub address: Option<ReadAddress>,
    pub contact: Option<Contact>,
    pub types: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub user_properties: Option<Map<String, Value>>,
    pub opening_hours: Option<OpeningHours>,
    /// Not returned by the API; present in GeoJSON files this app exports.
    pub localized_names: Option<Map<String, Value>>,
    pub last_updated: Option<String>,
    pub open: Option<Value>,
    pub weekly_opening: Option<Value>,
    pub distance: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

deserialize_keeping_unknown!(ReadProperties {
    "store_id" => store_id,
    "name" => name,
    "address" => address,
    "contact" => contact,
    "types" => types,
    "tags" => tags,
    "user_properties" => user_properties,
    "opening_hours" => opening_hours,
    "localized_names" => localized_names,
    "last_updated" => last_updated,
    "open" => open,
    "weekly_opening" => weekly_opening,
    "distance" => distance,
});

#[derive(Clone, Debug, Default, Serialize)]
pub struct ReadAddress {
    pub lines: Option<Vec<String>>,
    pub country_code: Option<String>,
    pub city: Option<String>,
    pub zipcode: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

deserialize_keeping_unknown!(ReadAddress {
    "lines" => lines,
    "country_code" => country_code,
    "city" => city,
    "zipcode" => zipcode,
});

/// What the server said about a store besides its content.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RemoteMeta {
    /// When the server last wrote the store (ISO 8601), if it said.
    pub last_updated: Option<String>,
    /// Properties of the read format this model does not know, kept for display; never sent.
    pub unknown: Map<String, Value>,
}

impl ReadFeature {
    /// The store in write format, and the server's metadata. The country code is upper-cased
    /// (the API returns it lower-case), `null` contact values become absent, `[lng, lat]`
    /// becomes `{lat, lng}`.
    pub fn into_store(self) -> (Store, RemoteMeta) {
        let p = self.properties;
        let location = self.geometry.and_then(|g| match g.coordinates.as_slice() {
            [lng, lat, ..] => Some(Location::new(*lat, *lng)),
            _ => None,
        });
        let address = p.address.map(|a| Address {
            lines: a.lines,
            country_code: a.country_code.map(|c| c.to_ascii_uppercase()),
            city: a.city,
            zipcode: a.zipcode,
            extra: a.extra,
        });
        let contact = p.contact.filter(|c| {
            c.website.is_some() || c.phone.is_some() || c.email.is_some() || !c.extra.is_empty()
        });
        let store = Store {
            store_id: p.store_id,
            name: p.name,
            location,
            address,
            contact,
            types: p.types,
            tags: p.tags,
            user_properties: p.user_properties,
            localized_names: p.localized_names,
            opening_hours: p.opening_hours,
            extra: Map::new(),
        };
        let meta = RemoteMeta {
            last_updated: p.last_updated,
            unknown: p.extra,
        };
        (store, meta)
    }
}

/// The read format of a store as the API gives it at `now`: snake_case properties, `[lng, lat]`,
/// the country code lower-cased, no `localizedNames`, no unknown fields, `last_updated` set,
/// and the computed `open` and `weekly_opening` when the hours have a valid time zone.
pub fn feature_from_store(store: &Store, last_updated: &str, now: DateTime<Utc>) -> Value {
    let mut props = Map::new();
    props.insert("store_id".into(), json!(store.store_id));
    props.insert("name".into(), json!(store.name));
    let address = store.address.as_ref().map(|a| {
        json!({
            "lines": a.lines.clone().unwrap_or_default(),
            "country_code": a.country_code.as_ref().map(|c| c.to_ascii_lowercase()),
            "city": a.city,
            "zipcode": a.zipcode,
        })
    });
    props.insert("address".into(), address.unwrap_or(Value::Null));
    let contact = store.contact.as_ref();
    props.insert(
        "contact".into(),
        json!({
            "website": contact.and_then(|c| c.website.clone()),
            "phone": contact.and_then(|c| c.phone.clone()),
            "email": contact.and_then(|c| c.email.clone()),
        }),
    );
    props.insert(
        "types".into(),
        json!(store.types.clone().unwrap_or_default()),
    );
    props.insert("tags".into(), json!(store.tags.clone().unwrap_or_default()));
    props.insert("user_properties".into(), json!(store.user_properties));
    props.insert("last_updated".into(), json!(last_updated));
    if let Some(hours) = &store.opening_hours {
        let mut known = hours.clone();
        known.extra.clear();
        props.insert("opening_hours".into(), json!(known));
        if let Ok(status) = hours.status_at(now) {
            props.insert("open".into(), open_json(&status));
            let mut weekly = Map::new();
            for day in hours.week_of(status.local_time.date()) {
                let n = crate::hours::weekday_number(day.date);
                weekly.insert(
                    n.to_string(),
                    json!({
                        "hours": day.spans.iter().map(|s| s.to_period()).collect::<Vec<_>>(),
                        "isSpecial": day.source == crate::hours::Source::Special,
                    }),
                );
            }
            weekly.insert("timezone".into(), json!(hours.timezone));
            props.insert("weekly_opening".into(), Value::Object(weekly));
        }
    } else {
        props.insert("opening_hours".into(), Value::Null);
    }
    let (lng, lat) = store
        .lat_lng()
        .map(|p| (p.lng, p.lat))
        .unwrap_or((0.0, 0.0));
    json!({
        "type": "Feature",
        "properties": Value::Object(props),
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
    })
}

fn open_json(status: &crate::hours::OpenStatus) -> Value {
    let mut open = Map::new();
    open.insert("open_now".into(), json!(status.open_now));
    open.insert(
        "open_hours".into(),
        json!(
            status
                .today
                .spans
                .iter()
                .map(|s| s.to_period())
                .collect::<Vec<_>>()
        ),
    );
    open.insert("week_day".into(), json!(status.week_day));
    if let Some(current) = status.current {
        open.insert("current_slice".into(), json!(current.to_period()));
    }
    if let Some(next) = status.next_opening {
        let period = next.span.to_period();
        open.insert(
            "next_opening".into(),
            json!({
                "day": next.date.format("%Y-%m-%d").to_string(),
                "start": period.start.map(|t| t.text()).unwrap_or_else(|| "00:00".into()),
                "end": period.end.map(|t| t.text()).unwrap_or_else(|| "23:59".into()),
            }),
        );
    }
    Value::Object(open)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEATURE: &str = r#"{"type":"Feature","properties":{"store_id":"10031","name":"Santa Rosa","contact":{"phone":"707-527-1006","website":null,"email":null},"address":{"lines":["2688 Santa Rosa Ave"],"country_code":"us","city":"Santa Rosa","zipcode":"954077625"},"user_properties":{"take_away":"available"},"tags":["DT"],"types":["Coffee shop"],"last_updated":"2022-11-10T13:26:55.066524+00:00","distance":12.5,"open":{"open_now":false},"weekly_opening":{"timezone":"America/Los_Angeles"},"opening_hours":{"usual":{"1":[{"end":"20:00","start":"05:00"}]},"special":{},"timezone":"America/Los_Angeles"}},"geometry":{"type":"Point","coordinates":[-122.712924,38.41244]}}"#;

    #[test]
    fn read_feature_becomes_a_write_store() {
        let feature: ReadFeature = serde_json::from_str(FEATURE).expect("parses");
        let (store, meta) = feature.into_store();
        assert_eq!(store.id(), "10031");
        assert_eq!(
            store.lat_lng().map(|p| (p.lat, p.lng)),
            Some((38.41244, -122.712924))
        );
        assert_eq!(store.country_code(), Some("US"));
        let contact = store.contact.as_ref().expect("contact");
        assert_eq!(contact.phone.as_deref(), Some("707-527-1006"));
        assert_eq!(contact.website, None);
        assert_eq!(
            meta.last_updated.as_deref(),
            Some("2022-11-10T13:26:55.066524+00:00")
        );
        assert!(meta.unknown.is_empty());
        let json = store.to_json();
        for computed in [
            "open",
            "weekly_opening",
            "distance",
            "last_updated",
            "store_id",
        ] {
            assert!(
                !json.contains(&format!("\"{computed}\"")),
                "{computed} in {json}"
            );
        }
        assert!(json.contains(r#""openingHours":{"timezone":"America/Los_Angeles","usual":{"1":[{"start":"05:00","end":"20:00"}]},"special":{}}"#), "{json}");
    }

    #[test]
    fn store_round_trips_through_the_read_format_except_localized_names() {
        let store: Store = serde_json::from_str(
            r#"{"storeId":"S1","name":"N","location":{"lat":43.6,"lng":3.88},"address":{"lines":["a"],"countryCode":"FR","city":"M","zipcode":"34000"},"contact":{"phone":"+33 4"},"types":["t"],"tags":["g"],"userProperties":{"k":[1]},"localizedNames":{"fr":"n"},"openingHours":{"timezone":"Europe/Paris","usual":{"default":[{"start":"08:00","end":"12:00"}]}}}"#,
        )
        .expect("parses");
        let now = DateTime::parse_from_rfc3339("2025-06-02T08:00:00Z")
            .expect("date")
            .with_timezone(&Utc);
        let value = feature_from_store(&store, "2025-06-02T08:00:00+00:00", now);
        assert_eq!(value["properties"]["address"]["country_code"], "fr");
        assert_eq!(value["properties"]["open"]["open_now"], true);
        assert_eq!(
            value["properties"]["weekly_opening"]["1"]["hours"][0]["start"],
            "08:00"
        );
        assert!(value["properties"].get("localizedNames").is_none());
        let feature: ReadFeature = serde_json::from_value(value).expect("reads back");
        let (back, meta) = feature.into_store();
        let mut expected = store.clone();
        expected.localized_names = None;
        assert_eq!(back, expected);
        assert_eq!(
            meta.last_updated.as_deref(),
            Some("2025-06-02T08:00:00+00:00")
        );
    }
}
