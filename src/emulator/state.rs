//! The emulator's project: its stores in insertion order with the time each was last written,
//! the rules a write batch must pass, and the state file they are saved to.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use super::{Faults, RequestLog};
use crate::model::Store;
use crate::model::document::Cursor;
use crate::model::read::feature_from_store;

/// How many request log entries are kept; older ones are dropped first.
pub(crate) const MAX_LOGGED_REQUESTS: usize = 10_000;

/// One store of the project, kept as the JSON it was written with (read and checked when it
/// arrived): a write batch is not held as parsed stores, which take several times the memory.
/// The store is read from the JSON the first time a request or a caller needs it.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    json: Box<str>,
    store: OnceLock<Store>,
    /// RFC 3339 UTC with microseconds.
    pub last_updated: String,
}

impl Entry {
    fn new(written: Written, last_updated: String) -> Entry {
        Entry {
            json: written.json,
            store: OnceLock::new(),
            last_updated,
        }
    }

    /// The store. Its JSON was read as a store when it was written, so it reads again.
    pub fn store(&self) -> &Store {
        self.store
            .get_or_init(|| serde_json::from_str(&self.json).unwrap_or_default())
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.last_updated == other.last_updated && self.store() == other.store()
    }
}

/// A store of a write batch, read and checked: its id and its JSON.
#[derive(Debug)]
pub(crate) struct Written {
    pub id: String,
    pub json: Box<str>,
}

impl Written {
    pub fn of(store: &Store) -> Written {
        Written {
            id: store.id().to_owned(),
            json: store.to_json().into(),
        }
    }
}

/// Everything the emulator changes while it runs.
#[derive(Debug)]
pub(crate) struct State {
    pub stores: IndexMap<String, Entry>,
    pub requests: VecDeque<RequestLog>,
    pub faults: Faults,
    pub rng: fastrand::Rng,
    /// When each request admitted in the last seconds arrived, in order.
    pub window: VecDeque<Instant>,
    /// Bumped on every change of `stores`, so saves can be ordered.
    pub generation: u64,
}

impl State {
    pub fn new(stores: IndexMap<String, Entry>, faults: Faults, seed: u64) -> State {
        State {
            stores,
            requests: VecDeque::new(),
            faults,
            rng: fastrand::Rng::with_seed(seed),
            window: VecDeque::new(),
            generation: 0,
        }
    }

    /// Whether one more request, arrived at `arrived`, fits in the one-second window before
    /// it; counts it if so. Requests are counted by when they arrived, as a gateway counts
    /// them, though a large body is read and checked before the answer is decided: the window
    /// is kept in arrival order. `qps` 0 admits everything.
    pub fn admit(&mut self, qps: u32, arrived: Instant) -> bool {
        if qps == 0 {
            return true;
        }
        let second = Duration::from_secs(1);
        // What no request still being read can need: arrivals two seconds before this one.
        while self
            .window
            .front()
            .is_some_and(|t| arrived.saturating_duration_since(*t) >= 2 * second)
        {
            self.window.pop_front();
        }
        let within = self
            .window
            .iter()
            .filter(|t| **t <= arrived && arrived.saturating_duration_since(**t) < second)
            .count();
        if within >= qps as usize {
            return false;
        }
        let at = self.window.partition_point(|t| *t <= arrived);
        self.window.insert(at, arrived);
        true
    }

    pub fn log(&mut self, entry: RequestLog) {
        if self.requests.len() >= MAX_LOGGED_REQUESTS {
            self.requests.pop_front();
        }
        self.requests.push_back(entry);
    }

    /// Adds a batch; refused whole if any id already exists.
    pub fn create(&mut self, stores: Vec<Written>, now: &str) -> Result<usize, String> {
        if let Some(id) = stores
            .iter()
            .map(|s| s.id.as_str())
            .find(|id| self.stores.contains_key(*id))
        {
            return Err(format!(
                "Store \"{id}\" already exists; update it with PUT instead. No store was created."
            ));
        }
        let count = stores.len();
        self.stores.reserve(count);
        for store in stores {
            self.put(store, now);
        }
        Ok(count)
    }

    /// Replaces each asset of a batch entirely; refused whole if any id does not exist.
    pub fn update(&mut self, stores: Vec<Written>, now: &str) -> Result<usize, String> {
        if let Some(id) = stores
            .iter()
            .map(|s| s.id.as_str())
            .find(|id| !self.stores.contains_key(*id))
        {
            return Err(format!(
                "Store \"{id}\" does not exist; create it with POST instead. No store was updated."
            ));
        }
        let count = stores.len();
        self.stores.reserve(count);
        for store in stores {
            self.put(store, now);
        }
        Ok(count)
    }

    /// Deletes every store, then creates the batch: (deleted, created).
    pub fn replace(&mut self, stores: Vec<Written>, now: &str) -> (usize, usize) {
        let deleted = self.stores.len();
        self.stores.clear();
        let created = stores.len();
        for store in stores {
            self.put(store, now);
        }
        self.generation += 1;
        (deleted, created)
    }

    /// Deletes the listed stores that exist, or every store when `ids` is `None`; how many went.
    pub fn delete(&mut self, ids: Option<&[String]>) -> usize {
        let deleted = match ids {
            None => {
                let n = self.stores.len();
                self.stores.clear();
                n
            }
            Some(ids) => ids
                .iter()
                .filter(|id| self.stores.shift_remove(id.as_str()).is_some())
                .count(),
        };
        self.generation += 1;
        deleted
    }

    /// Replaces the whole content, every store stamped `now`.
    pub fn set_all(&mut self, stores: Vec<Store>, now: &str) {
        self.stores.clear();
        for store in stores {
            self.insert(store, now);
        }
        self.generation += 1;
    }

    /// Inserts or replaces one store, keeping its place if it existed.
    pub fn insert(&mut self, store: Store, now: &str) {
        self.put(Written::of(&store), now);
    }

    /// Inserts or replaces one store read from a write batch, keeping its place if it existed.
    fn put(&mut self, store: Written, now: &str) {
        let id = store.id.clone();
        self.stores.insert(id, Entry::new(store, now.to_owned()));
        self.generation += 1;
    }

    /// `GET /stores/{id}`: the store in the read format.
    pub fn feature(&self, id: &str, now: DateTime<Utc>) -> Option<Value> {
        self.stores
            .get(id)
            .map(|e| feature_from_store(e.store(), &e.last_updated, now))
    }

    /// `GET /stores?page=N`: one page of the read format, pages counted from 1.
    pub fn page(&self, page: usize, page_size: usize, now: DateTime<Utc>) -> Value {
        let page_size = page_size.max(1);
        let page_count = self.stores.len().div_ceil(page_size).max(1);
        let start = page.saturating_sub(1).saturating_mul(page_size);
        let features: Vec<Value> = self
            .stores
            .values()
            .skip(start)
            .take(page_size)
            .map(|e| feature_from_store(e.store(), &e.last_updated, now))
            .collect();
        json!({
            "type": "FeatureCollection",
            "features": features,
            "pagination": {"page": page, "pageCount": page_count},
        })
    }

    /// The state file's content: `{"stores": [...], "lastUpdated": {id: time}}`; readable as
    /// Woosmap JSON too.
    pub fn snapshot(&self) -> Vec<u8> {
        let dates: Map<String, Value> = self
            .stores
            .iter()
            .map(|(id, e)| (id.clone(), Value::String(e.last_updated.clone())))
            .collect();
        // The stores' JSON as written, one a line: no store is read to be saved.
        let mut out = b"{\"stores\": [".to_vec();
        for (i, entry) in self.stores.values().enumerate() {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            out.extend_from_slice(entry.json.as_bytes());
        }
        out.extend_from_slice(b"\n],\n\"lastUpdated\": ");
        out.extend_from_slice(&serde_json::to_vec_pretty(&dates).unwrap_or_default());
        out.extend_from_slice(b"}\n");
        out
    }
}

/// The time a write happens, as the API writes `last_updated`:
/// `2025-06-02T08:00:00.123456+00:00`.
pub(crate) fn timestamp(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

#[derive(Deserialize)]
struct Saved {
    stores: Vec<Store>,
    #[serde(default, rename = "lastUpdated")]
    last_updated: HashMap<String, String>,
}

/// Reads a state file written by [`State::snapshot`].
pub(crate) fn load(path: &Path, now: &str) -> io::Result<IndexMap<String, Entry>> {
    let bytes = std::fs::read(path)?;
    let saved: Saved = serde_json::from_slice(&bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not an emulator state file: {e}", path.display()),
        )
    })?;
    let mut stores = IndexMap::with_capacity(saved.stores.len());
    for store in saved.stores {
        let id = store.id().to_owned();
        let last_updated = saved
            .last_updated
            .get(&id)
            .cloned()
            .unwrap_or_else(|| now.to_owned());
        stores.insert(id, Entry::new(Written::of(&store), last_updated));
    }
    Ok(stores)
}

/// Reads a write body `{"stores": [...]}` and checks every store as the API does: the stores,
/// or the sentence the API answers with in `{"status": "error", "value": ...}`.
///
/// A well-formed body whose stores all pass is read in one pass; otherwise each store is read
/// from its own text, to name the first one that cannot be read or is refused, and say why.
pub(crate) fn read_batch(body: &[u8]) -> Result<Vec<Written>, String> {
    match read_good_batch(body) {
        Some(stores) => Ok(stores),
        None => read_each_store(body),
    }
}

/// [`read_batch`] one store at a time: finds the stores' texts, then reads each one.
fn read_each_store(body: &[u8]) -> Result<Vec<Written>, String> {
    const NOT_JSON: &str = "The request is invalid, the data is not a valid JSON.";
    #[derive(Deserialize)]
    struct Batch<'a> {
        #[serde(borrow)]
        stores: Vec<&'a RawValue>,
    }
    let batch: Batch<'_> = serde_json::from_slice(body).map_err(|_| NOT_JSON.to_owned())?;
    if batch.stores.is_empty() {
        return Err("The request has no stores.".to_owned());
    }
    let mut stores = Vec::with_capacity(batch.stores.len());
    for (index, item) in batch.stores.into_iter().enumerate() {
        // Read whole, so that a value of the wrong type is refused, then kept as text.
        let store = match serde_json::from_str::<Store>(item.get()) {
            Ok(store) => store,
            Err(_) => return Err(unreadable(index, item.get())),
        };
        check_store(index, &store)?;
        stores.push(Written {
            id: store.id().to_owned(),
            json: item.get().into(),
        });
    }
    if let Some(id) = repeated_id(&stores) {
        return Err(format!(
            "Store \"{id}\" appears more than once in the request."
        ));
    }
    Ok(stores)
}

/// The first id that a store of `stores` has again, if any.
fn repeated_id(stores: &[Written]) -> Option<&str> {
    let mut seen = std::collections::HashSet::with_capacity(stores.len());
    stores
        .iter()
        .map(|s| s.id.as_str())
        .find(|id| !seen.insert(*id))
}

/// Reads a batch in one pass when it is `{"stores": [...]}` (whitespace aside) and every store
/// in it reads and passes the checks; `None` otherwise, for [`read_batch`] to find what is
/// wrong as it always does. Each store is read where it stands in the body, and its text is
/// taken from where the reading began to where it ended, rather than the body being gone
/// through once to find the stores' texts and once more to read them.
fn read_good_batch(body: &[u8]) -> Option<Vec<Written>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut at = Cursor::new(text);
    let opened = [b"{".as_slice(), b"\"stores\"", b":", b"["]
        .into_iter()
        .all(|token| at.token(token));
    if !opened {
        return None;
    }
    let mut stores = Vec::new();
    loop {
        at.skip_whitespace();
        let start = at.pos;
        let store: Store = at.value()?;
        check_store(stores.len(), &store).ok()?;
        stores.push(Written {
            id: store.store_id?,
            json: text.get(start..at.pos)?.into(),
        });
        if !at.token(b",") {
            break;
        }
    }
    if !(at.token(b"]") && at.token(b"}")) {
        return None;
    }
    at.skip_whitespace();
    (at.pos == text.len() && repeated_id(&stores).is_none()).then_some(stores)
}

/// Why the store at `index` (its text) cannot be read, naming it by its id when it has one.
fn unreadable(index: usize, text: &str) -> String {
    let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let named = value
        .get("storeId")
        .and_then(Value::as_str)
        .map(|id| format!("Store \"{id}\""))
        .unwrap_or_else(|| format!("Store #{}", index + 1));
    match serde_json::from_value::<Store>(value) {
        Err(e) => format!("{named} could not be read: {e}."),
        Ok(_) => format!("{named} could not be read."),
    }
}

/// The checks the API makes on one asset.
pub(crate) fn check_store(index: usize, store: &Store) -> Result<(), String> {
    let id = match store.store_id.as_deref() {
        None | Some("") => return Err(format!("Store #{} has no storeId.", index + 1)),
        Some(id) => id,
    };
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "Store \"{id}\" has an invalid storeId: use only letters, digits and underscores."
        ));
    }
    if store.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(format!("Store \"{id}\" has no name."));
    }
    let Some(location) = &store.location else {
        return Err(format!("Store \"{id}\" has no location."));
    };
    if !location.lat.is_finite() || !location.lng.is_finite() {
        return Err(format!(
            "Store \"{id}\" has a location that is not a number."
        ));
    }
    if !(-90.0..=90.0).contains(&location.lat) {
        return Err(format!(
            "Store \"{id}\" has latitude {}, outside -90 to 90.",
            location.lat
        ));
    }
    if !(-180.0..=180.0).contains(&location.lng) {
        return Err(format!(
            "Store \"{id}\" has longitude {}, outside -180 to 180.",
            location.lng
        ));
    }
    if let Some(tz) = store
        .opening_hours
        .as_ref()
        .and_then(|h| h.timezone.as_deref())
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        return Err(format!(
            "Store \"{id}\" has an unknown time zone \"{tz}\" in its opening hours."
        ));
    }
    Ok(())
}

/// The ids a delete query names: `idstore:=ID` or `idstore:[ID1,ID2]`, spaces and double quotes
/// around ids tolerated. `None` when the query is not understood.
pub(crate) fn parse_delete_query(query: &str) -> Option<Vec<String>> {
    let rest = query.trim().strip_prefix("idstore:")?.trim_start();
    let unquote = |s: &str| {
        let s = s.trim();
        let s = s
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(s);
        (!s.is_empty()).then(|| s.to_owned())
    };
    if let Some(id) = rest.strip_prefix('=') {
        return unquote(id).map(|id| vec![id]);
    }
    let list = rest.strip_prefix('[')?.trim_end().strip_suffix(']')?;
    list.split(',').map(unquote).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(id: &str) -> Store {
        serde_json::from_str(&format!(
            r#"{{"storeId":"{id}","name":"N","location":{{"lat":1,"lng":2}}}}"#
        ))
        .expect("store")
    }

    fn written(id: &str) -> Written {
        Written::of(&store(id))
    }

    #[test]
    fn delete_queries_are_read_with_spaces_and_quotes() {
        assert_eq!(parse_delete_query("idstore:=A1"), Some(vec!["A1".into()]));
        assert_eq!(
            parse_delete_query(" idstore:= \"A1\" "),
            Some(vec!["A1".into()])
        );
        assert_eq!(
            parse_delete_query("idstore:[A, B ,\"C\"]"),
            Some(vec!["A".into(), "B".into(), "C".into()])
        );
        for bad in [
            "",
            "idstore:",
            "idstore:=",
            "idstore:[]",
            "idstore:[A,,B]",
            "id:=A",
            "idstore:A",
            "idstore:[A",
        ] {
            assert_eq!(parse_delete_query(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_window_admits_qps_requests_per_second() {
        let mut state = State::new(IndexMap::new(), Faults::default(), 1);
        let t0 = Instant::now();
        assert!((0..3).all(|_| state.admit(3, t0)));
        assert!(!state.admit(3, t0 + Duration::from_millis(999)));
        assert!(state.admit(3, t0 + Duration::from_secs(1)));
        assert!((0..100).all(|_| state.admit(0, t0)));
    }

    #[test]
    fn requests_count_by_when_they_arrived_even_when_decided_out_of_order() {
        let mut state = State::new(IndexMap::new(), Faults::default(), 1);
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        // A large body arrived first but is decided after a later, smaller one.
        assert!(state.admit(3, t0 + ms(500)));
        assert!(state.admit(3, t0));
        assert!(state.admit(3, t0 + ms(600)));
        assert!(!state.admit(3, t0 + ms(700)));
        assert!(state.admit(3, t0 + ms(1000)));
        assert!(!state.admit(3, t0 + ms(1400)));
        assert!(state.admit(3, t0 + ms(1501)));
    }

    #[test]
    fn batches_are_checked_whole() {
        let body = |stores: &[&str]| format!("{{\"stores\":[{}]}}", stores.join(","));
        let good = r#"{"storeId":"A","name":"N","location":{"lat":1,"lng":2}}"#;
        assert_eq!(read_batch(body(&[good]).as_bytes()).map(|s| s.len()), Ok(1));
        let cases = [
            (body(&[good, good]), "more than once"),
            (
                body(&[r#"{"name":"N","location":{"lat":1,"lng":2}}"#]),
                "#1 has no storeId",
            ),
            (
                body(&[r#"{"storeId":"a-b","name":"N","location":{"lat":1,"lng":2}}"#]),
                "invalid storeId",
            ),
            (
                body(&[r#"{"storeId":"A","name":" ","location":{"lat":1,"lng":2}}"#]),
                "no name",
            ),
            (body(&[r#"{"storeId":"A","name":"N"}"#]), "no location"),
            (
                body(&[r#"{"storeId":"A","name":"N","location":{"lat":91,"lng":2}}"#]),
                "latitude 91",
            ),
            (
                body(&[r#"{"storeId":"A","name":"N","location":{"lat":1,"lng":-181}}"#]),
                "longitude -181",
            ),
            (
                body(&[r#"{"storeId":"A","name":"N","location":{"lat":"1","lng":2}}"#]),
                "could not be read",
            ),
            (
                body(&[
                    r#"{"storeId":"A","name":"N","location":{"lat":1,"lng":2},"openingHours":{"timezone":"Mars/Olympus"}}"#,
                ]),
                "Mars/Olympus",
            ),
            (body(&[]), "no stores"),
            ("{\"stores\":{}}".to_owned(), "not a valid JSON"),
            ("[]".to_owned(), "not a valid JSON"),
            ("{\"stores\":[".to_owned(), "not a valid JSON"),
        ];
        for (text, expected) in cases {
            let err = read_batch(text.as_bytes()).expect_err(&text);
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn a_batch_read_in_one_pass_is_the_batch_read_store_by_store() {
        let a = r#"{"storeId":"A","name":"N \"1\" ]}","location":{"lat":1,"lng":2},"x":[{}]}"#;
        let b = r#"{ "storeId" : "B", "name": "Ü", "location": {"lat": -1.5, "lng": 2e1} }"#;
        let bodies = [
            format!(r#"{{"stores":[{a}]}}"#),
            format!("{{\"stores\":[{a},{b}]}}"),
            format!(" \r\n{{ \"stores\" :\t[ {a} ,\n {b} ] }}\n "),
        ];
        for body in &bodies {
            let one = read_good_batch(body.as_bytes()).expect(body);
            let each = read_each_store(body.as_bytes()).expect(body);
            let texts = |w: &[Written]| -> Vec<(String, String)> {
                w.iter()
                    .map(|w| (w.id.clone(), w.json.to_string()))
                    .collect()
            };
            assert_eq!(texts(&one), texts(&each), "{body}");
            assert_eq!(one[0].json.as_ref(), a);
        }
        // Anything else is left to the reading store by store, which says what is wrong or
        // reads what it can.
        let other_key = format!(r#"{{"stores":[{a}],"more":1}}"#);
        let refused = r#"{"storeId":"C","name":"N"}"#;
        for body in [
            other_key.clone(),
            format!(r#"{{"stores":[{a},{a}]}}"#),
            format!(r#"{{"stores":[{a},{refused}]}}"#),
            format!(r#"{{"stores":[{a}]}} x"#),
            format!(r#"{{"stores":[{a},]}}"#),
            format!(r#"{{"stores":[{a}"#),
            r#"{"stores":[]}"#.to_owned(),
        ] {
            assert!(read_good_batch(body.as_bytes()).is_none(), "{body}");
        }
        assert_eq!(read_batch(other_key.as_bytes()).map(|s| s.len()), Ok(1));
    }

    #[test]
    fn create_and_update_are_atomic() {
        let mut state = State::new(IndexMap::new(), Faults::default(), 1);
        assert_eq!(state.create(vec![written("A")], "t1"), Ok(1));
        assert!(
            state
                .create(vec![written("B"), written("A")], "t2")
                .is_err()
        );
        assert!(
            state
                .update(vec![written("A"), written("Z")], "t2")
                .is_err()
        );
        assert_eq!(state.stores.keys().collect::<Vec<_>>(), ["A"]);
        assert_eq!(state.stores["A"].last_updated, "t1");
        assert_eq!(state.update(vec![written("A")], "t3"), Ok(1));
        assert_eq!(state.stores["A"].last_updated, "t3");
    }

    #[test]
    fn pages_count_from_one_and_never_zero() {
        let mut state = State::new(IndexMap::new(), Faults::default(), 1);
        let now = Utc::now();
        assert_eq!(state.page(1, 300, now)["pagination"]["pageCount"], 1);
        state.set_all((0..7).map(|i| store(&format!("S{i}"))).collect(), "t");
        let page = state.page(3, 3, now);
        assert_eq!(page["pagination"], json!({"page": 3, "pageCount": 3}));
        assert_eq!(page["features"][0]["properties"]["store_id"], "S6");
        assert_eq!(state.page(4, 3, now)["features"], json!([]));
    }

    #[test]
    fn timestamps_have_microseconds_and_utc_offset() {
        let t = DateTime::parse_from_rfc3339("2025-06-02T08:00:00.123456789Z")
            .expect("date")
            .with_timezone(&Utc);
        assert_eq!(timestamp(t), "2025-06-02T08:00:00.123456+00:00");
    }

    #[test]
    fn the_state_file_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.json");
        let mut state = State::new(IndexMap::new(), Faults::default(), 1);
        state.insert(store("B"), "t1");
        state.insert(store("A"), "t2");
        crate::files::write_atomically(&path, &state.snapshot()).expect("saves");
        let loaded = load(&path, "later").expect("loads");
        assert_eq!(loaded, state.stores);
        let text = std::fs::read_to_string(&path).expect("reads");
        let doc = crate::model::parse_document(&text).expect("is Woosmap JSON");
        assert_eq!(doc.stores().count(), 2);
    }
}
