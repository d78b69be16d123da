//! Reading a whole file of stores: Woosmap JSON (`{"stores": [...]}` or a bare array) or the
//! GeoJSON read format (`FeatureCollection` or one `Feature`). Each store is read on its own, so
//! one broken store is reported with its line and column while the others still load, and its
//! original text is kept.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::object::Text;
use super::read::ReadFeature;
use super::{RemoteMeta, Store};

/// What shape the file had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// `{"stores": [...]}`
    StoresObject,
    /// `[...]`
    StoresArray,
    /// One store object.
    SingleStore,
    FeatureCollection,
    Feature,
}

impl DocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::StoresObject => "Woosmap JSON",
            DocumentKind::StoresArray => "a JSON array of stores",
            DocumentKind::SingleStore => "a single store",
            DocumentKind::FeatureCollection => "a GeoJSON FeatureCollection",
            DocumentKind::Feature => "a GeoJSON Feature",
        }
    }

    /// Whether the file is GeoJSON (its items are features in the API's read format).
    pub fn is_geojson(self) -> bool {
        matches!(
            self,
            DocumentKind::FeatureCollection | DocumentKind::Feature
        )
    }
}

/// One store of a file.
#[derive(Clone, Debug)]
pub struct Entry {
    /// 0-based position in the file.
    pub index: usize,
    /// 1-based line and column where the store starts.
    pub line: usize,
    pub column: usize,
    pub result: Result<Store, EntryError>,
    /// For GeoJSON read-format features: what the server said besides the store.
    pub meta: Option<RemoteMeta>,
}

/// A store that could not be read: where, why, and its text as it was.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct EntryError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub raw: String,
}

#[derive(Clone, Debug)]
pub struct Document {
    pub kind: DocumentKind,
    pub entries: Vec<Entry>,
}

impl Document {
    /// The stores that could be read.
    pub fn stores(&self) -> impl Iterator<Item = &Store> {
        self.entries.iter().filter_map(|e| e.result.as_ref().ok())
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DocumentError {
    #[error("the file is empty; it should hold Woosmap JSON ({{\"stores\": [...]}}) or GeoJSON")]
    Empty,
    #[error(
        "the file ends too early at line {line}, column {column}; it may have been cut off while copying or downloading: get the whole file again"
    )]
    Truncated { line: usize, column: usize },
    #[error("the file is not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the file does not look like text (it has binary bytes); pick a JSON or GeoJSON file")]
    Binary,
    #[error(
        "the file is valid JSON but holds {found}; expected Woosmap JSON ({{\"stores\": [...]}}), an array of stores, or GeoJSON"
    )]
    NotStores { found: String },
}

/// Reads a file's text into its stores.
pub fn parse_document(text: &str) -> Result<Document, DocumentError> {
    let text = without_mark(text)?;
    if let Some((kind, entries)) = read_stores_in_one_pass(text) {
        return Ok(Document { kind, entries });
    }
    read_item_by_item(text, true)
}

/// The text after its byte-order mark, unless it is empty or binary.
fn without_mark(text: &str) -> Result<&str, DocumentError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(DocumentError::Empty);
    }
    if text.contains('\0') {
        return Err(DocumentError::Binary);
    }
    Ok(text)
}

/// Finds the items of the file (quickly when `quick`, see `read_items_directly`), then reads
/// each on its own, so that a broken one is reported where it is and the others still load.
fn read_item_by_item(text: &str, quick: bool) -> Result<Document, DocumentError> {
    let mut positions = Positions::new(text);
    let (kind, items) = match quick.then(|| read_items_directly(text)).flatten() {
        Some(found) => found,
        None => read_items(text)?,
    };
    let geojson = kind.is_geojson();
    let entries = items
        .into_iter()
        .enumerate()
        .map(|(index, raw)| {
            let (line, column) = positions.of(raw.get());
            read_entry(index, raw.get(), line, column, geojson)
        })
        .collect();
    Ok(Document { kind, entries })
}

/// Reads one item of a file, `raw` its text, which starts at `line` and `column`: a store, or
/// a feature of GeoJSON.
fn read_entry(index: usize, raw: &str, line: usize, column: usize, geojson: bool) -> Entry {
    let (result, meta) = if geojson {
        match serde_json::from_str::<ReadFeature>(raw) {
            Ok(feature) => {
                let (store, meta) = feature.into_store();
                (Ok(store), Some(meta))
            }
            Err(e) => (Err(entry_error(raw, &e, line, column)), None),
        }
    } else {
        match serde_json::from_str::<Store>(raw) {
            Ok(store) => (Ok(store), None),
            Err(e) => (Err(entry_error(raw, &e, line, column)), None),
        }
    };
    Entry {
        index,
        line,
        column,
        result,
        meta,
    }
}

/// A file of stores found item by item but not yet read: its text, and where each store (or
/// feature) is in it. Each entry is read when it is asked for, so that a large file is read
/// on several threads and its stores are never all held at once. An entry read from here is
/// the one [`parse_document`] gives for the same text.
#[derive(Clone, Debug)]
pub struct StoreFile {
    pub kind: DocumentKind,
    text: String,
    items: Vec<ItemSpan>,
}

/// Where an item is in the text: its bytes, and the 1-based line and column it starts at.
#[derive(Clone, Copy, Debug)]
struct ItemSpan {
    start: usize,
    end: usize,
    line: usize,
    column: usize,
}

impl StoreFile {
    /// Finds the stores of a file's text, checking the whole text is JSON, without reading
    /// them; the errors are those of [`parse_document`].
    pub fn find(mut text: String) -> Result<StoreFile, DocumentError> {
        let mark = text.len() - without_mark(&text)?.len();
        text.drain(..mark);
        let (kind, items) = {
            let found = items_in_halves(&text).or_else(|| read_items_directly(&text));
            let (kind, raw) = match found {
                Some(found) => found,
                None => read_items(&text)?,
            };
            let base = text.as_ptr() as usize;
            let mut positions = Positions::new(&text);
            let items = raw
                .into_iter()
                .map(|raw| {
                    let start = (raw.get().as_ptr() as usize).saturating_sub(base);
                    let (line, column) = positions.of(raw.get());
                    ItemSpan {
                        start,
                        end: start + raw.get().len(),
                        line,
                        column,
                    }
                })
                .collect();
            (kind, items)
        };
        Ok(StoreFile { kind, text, items })
    }

    /// The number of stores (or features) in the file, read or not.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The file's text (without a byte-order mark).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The entry at `index` (0-based), read now; `None` past the end.
    pub fn entry(&self, index: usize) -> Option<Entry> {
        let span = self.items.get(index)?;
        let raw = self.text.get(span.start..span.end)?;
        Some(read_entry(
            index,
            raw,
            span.line,
            span.column,
            self.kind.is_geojson(),
        ))
    }

    /// Every entry, in order, each read as it comes.
    pub fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        (0..self.len()).filter_map(|i| self.entry(i))
    }
}

/// Woosmap JSON read in one pass: `{"stores": [...]}` or an array of stores, each store read
/// straight from the file into its entry, where reading item by item goes over the file once
/// to find the stores and again to read them. Other keys of the object are skipped, as
/// `TopLevel` skips them. `None` as soon as anything is out of the ordinary (a store that
/// cannot be read, `features`, `type` or `storeId` next to the stores, text after the end,
/// text that is not JSON): the file is then read item by item, which says what is wrong. A
/// file this accepts is one that reading item by item gives exactly these entries for.
fn read_stores_in_one_pass(text: &str) -> Option<(DocumentKind, Vec<Entry>)> {
    let mut r = Cursor::new(text);
    r.skip_whitespace();
    let found = match r.peek()? {
        b'[' => (DocumentKind::StoresArray, r.stores()?),
        b'{' => {
            r.pos += 1;
            r.skip_whitespace();
            let mut stores = None;
            if r.peek()? == b'}' {
                r.pos += 1;
            } else {
                loop {
                    if r.peek()? != b'"' {
                        return None;
                    }
                    let Text(key) = r.value()?;
                    r.skip_whitespace();
                    if r.next()? != b':' {
                        return None;
                    }
                    r.skip_whitespace();
                    match key.as_ref() {
                        "stores" if stores.is_none() => stores = Some(r.stores()?),
                        "stores" | "features" | "type" | "storeId" => return None,
                        _ => {
                            r.value::<IgnoredAny>()?;
                        }
                    }
                    r.skip_whitespace();
                    match r.next()? {
                        b',' => r.skip_whitespace(),
                        b'}' => break,
                        _ => return None,
                    }
                }
            }
            (DocumentKind::StoresObject, stores?)
        }
        _ => return None,
    };
    r.skip_whitespace();
    (r.pos == text.len()).then_some(found)
}

/// A place in the text of a file, moved forward over JSON.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    /// The byte offset the cursor is at.
    pub(crate) pos: usize,
    /// Lines and columns, worked out as the cursor moves on.
    positions: Positions<'a>,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            pos: 0,
            positions: Positions::new(text),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    pub(crate) fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Moves past `token` after any whitespace; `false` if something else comes.
    pub(crate) fn token(&mut self, token: &[u8]) -> bool {
        self.skip_whitespace();
        let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
        let found = rest.starts_with(token);
        if found {
            self.pos += token.len();
        }
        found
    }

    /// Reads one JSON value where the cursor is and moves past it.
    pub(crate) fn value<T: Deserialize<'a>>(&mut self) -> Option<T> {
        let rest = self.text.get(self.pos..)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let value = values.next()?.ok()?;
        self.pos += values.byte_offset();
        Some(value)
    }

    /// Items separated by commas, up to the comma at `end` (`true`), or up to the first comma
    /// after it when no item ends right before it (`false`): the cursor is then past that comma.
    fn items_to(&mut self, end: usize) -> Option<(Vec<&'a RawValue>, bool)> {
        let mut items = Vec::new();
        loop {
            items.push(self.value()?);
            self.skip_whitespace();
            if self.pos == end {
                return Some((items, true));
            }
            if !self.token(b",") {
                return None;
            }
            if self.pos > end + 1 {
                return Some((items, false));
            }
        }
    }

    /// Items separated by commas, up to and past the `]` that closes their array.
    fn items_to_end(&mut self) -> Option<Vec<&'a RawValue>> {
        let mut items = Vec::new();
        loop {
            items.push(self.value()?);
            if self.token(b"]") {
                return Some(items);
            }
            if !self.token(b",") {
                return None;
            }
        }
    }

    /// Reads an array of stores into entries.
    fn stores(&mut self) -> Option<Vec<Entry>> {
        if self.next()? != b'[' {
            return None;
        }
        let mut stores = Vec::new();
        self.skip_whitespace();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(stores);
        }
        loop {
            let (line, column) = self.positions.at(self.pos);
            stores.push(Entry {
                index: stores.len(),
                line,
                column,
                result: Ok(self.value::<Store>()?),
                meta: None,
            });
            self.skip_whitespace();
            match self.next()? {
                b',' => self.skip_whitespace(),
                b']' => return Some(stores),
                _ => return None,
            }
        }
    }
}

/// Files at least this large have their stores found on two threads.
const HALVES_FROM: usize = 1 << 20;

/// The stores of a large Woosmap JSON file (`{"stores": [...]}` with no other key, or an
/// array), found on two threads: this one from the first store, the other from a comma
/// between two stores near the middle of the text. That comma is a guess (`}`, `,` and `{`,
/// with a line feed between them if one is found); this thread confirms it by ending a store
/// right before it. When it does not (the comma was inside a text or a store), this thread
/// goes on alone to the end and the other's stores are dropped. `None` when the file has
/// another shape or anything is not JSON: `read_items_directly` then reads the file, and the
/// stores found here are the ones it finds.
fn items_in_halves(text: &str) -> Option<(DocumentKind, Vec<&RawValue>)> {
    if text.len() < HALVES_FROM {
        return None;
    }
    let mut at = Cursor::new(text);
    let kind = if at.token(b"[") {
        DocumentKind::StoresArray
    } else if at.token(b"{") && at.token(b"\"stores\"") && at.token(b":") && at.token(b"[") {
        DocumentKind::StoresObject
    } else {
        return None;
    };
    let split = comma_between_stores(text.as_bytes(), text.len() / 2)?;
    let items = std::thread::scope(|scope| {
        let second_half = std::thread::Builder::new()
            .name("storedesk-read".into())
            .spawn_scoped(scope, || {
                let mut rest = Cursor::new(text);
                rest.pos = split + 1;
                let items = rest.items_to_end()?;
                Some((items, rest.pos))
            });
        let (mut items, confirmed) = at.items_to(split)?;
        let second_half = second_half.ok().and_then(|t| t.join().ok().flatten());
        match (confirmed, second_half) {
            (true, Some((rest, end))) => {
                items.extend(rest);
                at.pos = end;
            }
            (true, None) => return None,
            (false, _) => items.extend(at.items_to_end()?),
        }
        Some(items)
    })?;
    let closed = kind == DocumentKind::StoresArray || at.token(b"}");
    at.skip_whitespace();
    (closed && at.pos == text.len()).then_some((kind, items))
}

/// A comma from `from` on that has `}` before it and `{` after it, whitespace aside: the
/// first with a line feed in that whitespace (as between the stores of most files, where the
/// periods of opening hours are written `},{`), else the first.
fn comma_between_stores(bytes: &[u8], from: usize) -> Option<usize> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let mut pos = from;
    let mut first = None;
    for _ in 0..256 {
        let Some(comma) = bytes
            .get(pos..)
            .and_then(|rest| memchr::memchr(b',', rest))
            .map(|i| pos + i)
        else {
            break;
        };
        pos = comma + 1;
        let before = bytes[..comma].iter().rposition(|b| !is_space(b));
        let after = bytes[comma + 1..].iter().position(|b| !is_space(b));
        let (Some(before), Some(after)) = (before, after) else {
            continue;
        };
        if bytes[before] != b'}' || bytes[comma + 1 + after] != b'{' {
            continue;
        }
        let between = &bytes[before + 1..comma + 1 + after];
        if between.contains(&b'\n') {
            return Some(comma);
        }
        first.get_or_insert(comma);
    }
    first
}

/// The quick way to the items of a file that holds them: the array or the object is read once,
/// where `read_items` first checks the whole file is JSON and then reads it again. `None` when
/// that read fails or finds no stores, and `read_items` then says why: a file this accepts is
/// one `read_items` accepts, with the same items, so both ways agree.
fn read_items_directly(text: &str) -> Option<(DocumentKind, Vec<&RawValue>)> {
    // What `RawValue::get` gives for the whole file: the value without the JSON whitespace
    // around it.
    let root_text = text.trim_matches([' ', '\t', '\n', '\r']);
    if root_text.starts_with('[') {
        let items = serde_json::from_str(root_text).ok()?;
        Some((DocumentKind::StoresArray, items))
    } else if root_text.starts_with('{') {
        let top: TopLevel = serde_json::from_str(root_text).ok()?;
        let root = || serde_json::from_str::<&RawValue>(root_text).ok();
        match (top.stores, top.features, top.kind.as_deref()) {
            (Some(stores), _, _) => Some((DocumentKind::StoresObject, stores)),
            (None, Some(features), _) => Some((DocumentKind::FeatureCollection, features)),
            (None, None, Some("Feature")) => Some((DocumentKind::Feature, vec![root()?])),
            (None, None, _) if top.store_id.is_some() => {
                Some((DocumentKind::SingleStore, vec![root()?]))
            }
            (None, None, _) => None,
        }
    } else {
        None
    }
}

/// Checks the whole file is JSON, then finds its items: the stores of `{"stores": [...]}` or of
/// an array, the features of a `FeatureCollection`, or the one store or feature it is.
fn read_items(text: &str) -> Result<(DocumentKind, Vec<&RawValue>), DocumentError> {
    let root: &RawValue = serde_json::from_str(text).map_err(syntax_error)?;
    let root_text = root.get();
    if root_text.starts_with('[') {
        let items = serde_json::from_str(root_text).map_err(syntax_error)?;
        Ok((DocumentKind::StoresArray, items))
    } else if root_text.starts_with('{') {
        let top: TopLevel = serde_json::from_str(root_text).map_err(syntax_error)?;
        match (top.stores, top.features, top.kind.as_deref()) {
            (Some(stores), _, _) => Ok((DocumentKind::StoresObject, stores)),
            (None, Some(features), _) => Ok((DocumentKind::FeatureCollection, features)),
            (None, None, Some("Feature")) => Ok((DocumentKind::Feature, vec![root])),
            (None, None, _) if top.store_id.is_some() => {
                Ok((DocumentKind::SingleStore, vec![root]))
            }
            (None, None, _) => Err(DocumentError::NotStores {
                found: "an object without \"stores\" or \"features\"".to_owned(),
            }),
        }
    } else {
        Err(DocumentError::NotStores {
            found: "a single value, not an object or an array".to_owned(),
        })
    }
}

#[derive(Deserialize)]
struct TopLevel<'a> {
    #[serde(borrow, default)]
    stores: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    features: Option<Vec<&'a RawValue>>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(rename = "storeId", borrow, default)]
    store_id: Option<&'a RawValue>,
}

fn syntax_error(e: serde_json::Error) -> DocumentError {
    if e.is_eof() {
        DocumentError::Truncated {
            line: e.line(),
            column: e.column(),
        }
    } else {
        DocumentError::Syntax {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        }
    }
}

fn entry_error(raw: &str, e: &serde_json::Error, line: usize, column: usize) -> EntryError {
    let (err_line, err_column) = if e.line() <= 1 {
        (line, column + e.column().saturating_sub(1))
    } else {
        (line + e.line() - 1, e.column())
    };
    EntryError {
        line: err_line,
        column: err_column,
        message: strip_position(&e.to_string()),
        raw: raw.to_owned(),
    }
}

/// serde_json ends its messages with " at line L column C"; the position is given separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Turns pointers into the text into line and column, walking forward only: each byte of the
/// text is looked at once, however long its lines.
struct Positions<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    /// Characters from the start of the line to `offset`.
    column_chars: usize,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Positions<'a> {
        Positions {
            text,
            offset: 0,
            line: 1,
            column_chars: 0,
        }
    }

    fn of(&mut self, slice: &str) -> (usize, usize) {
        let base = self.text.as_ptr() as usize;
        self.at((slice.as_ptr() as usize).saturating_sub(base))
    }

    /// The line and column of a byte offset into the text.
    fn at(&mut self, offset: usize) -> (usize, usize) {
        let at = offset.min(self.text.len());
        if at < self.offset {
            *self = Positions::new(self.text);
        }
        let bytes = &self.text.as_bytes()[self.offset..at];
        let after_newline = match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count();
                self.column_chars = 0;
                &bytes[last + 1..]
            }
            None => bytes,
        };
        // A character starts at every byte that is not a UTF-8 continuation byte.
        self.column_chars += after_newline.iter().filter(|&&b| b & 0xC0 != 0x80).count();
        self.offset = at;
        (self.line, self.column_chars + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_shape() {
        let cases = [
            (
                r#"{"stores": [{"storeId": "a"}, {"storeId": "b"}]}"#,
                DocumentKind::StoresObject,
                2,
            ),
            (r#"[{"storeId": "a"}]"#, DocumentKind::StoresArray, 1),
            (
                r#"{"storeId": "a", "name": "x"}"#,
                DocumentKind::SingleStore,
                1,
            ),
            (
                r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"store_id": "a"}, "geometry": {"type": "Point", "coordinates": [2, 48]}}]}"#,
                DocumentKind::FeatureCollection,
                1,
            ),
            (
                r#"{"type": "Feature", "properties": {"store_id": "a"}, "geometry": {"type": "Point", "coordinates": [2, 48]}}"#,
                DocumentKind::Feature,
                1,
            ),
        ];
        for (text, kind, count) in cases {
            let doc = parse_document(text).expect(text);
            assert_eq!(doc.kind, kind, "{text}");
            assert_eq!(doc.stores().count(), count, "{text}");
        }
    }

    #[test]
    fn a_broken_store_is_reported_where_it_is_and_the_others_load() {
        let text = "{\"stores\": [\n  {\"storeId\": \"a\"},\n  {\"storeId\": \"b\",\n   \"location\": {\"lat\": \"51.5\", \"lng\": 0}},\n  {\"storeId\": \"c\"}\n]}";
        let doc = parse_document(text).expect("parses");
        assert_eq!(doc.entries.len(), 3);
        assert_eq!(doc.stores().count(), 2);
        let bad = &doc.entries[1];
        assert_eq!((bad.line, bad.column), (3, 3));
        let err = bad.result.as_ref().expect_err("lat is a string");
        assert_eq!(err.line, 4);
        assert!(
            err.message.contains("invalid type: string"),
            "{}",
            err.message
        );
        assert!(err.raw.contains("\"51.5\""));
    }

    #[test]
    fn bad_files_get_one_clear_sentence() {
        assert_eq!(parse_document("  \n").err(), Some(DocumentError::Empty));
        assert!(matches!(
            parse_document("{\"stores\": [{\"storeId\": \"a\"").err(),
            Some(DocumentError::Truncated { line: 1, .. })
        ));
        assert!(matches!(
            parse_document("{\"stores\": [}\n").err(),
            Some(DocumentError::Syntax {
                line: 1,
                column: 13,
                ..
            })
        ));
        assert_eq!(parse_document("a\0b").err(), Some(DocumentError::Binary));
        assert!(matches!(
            parse_document("{\"shops\": []}").err(),
            Some(DocumentError::NotStores { .. })
        ));
        assert!(matches!(
            parse_document("42").err(),
            Some(DocumentError::NotStores { .. })
        ));
        let msg = parse_document("{\"stores\": [}")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            msg.as_deref(),
            Some("the file is not valid JSON at line 1, column 13: expected value")
        );
    }

    /// The reading as it was, item by item after checking the whole file: what the quicker
    /// ways must give.
    fn item_by_item(text: &str) -> Result<Document, DocumentError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(DocumentError::Empty);
        }
        if text.contains('\0') {
            return Err(DocumentError::Binary);
        }
        read_item_by_item(text, false)
    }

    #[test]
    fn the_quick_readings_agree_with_reading_item_by_item() {
        for text in &odd_texts() {
            assert_eq!(
                format!("{:?}", parse_document(text)),
                format!("{:?}", item_by_item(text)),
                "{text}"
            );
        }
    }

    /// Files of every shape, with what is out of the ordinary in each of them.
    fn odd_texts() -> Vec<String> {
        let store = r#"{"storeId": "s_1", "name": "Bâtiment \"é\"", "location": {"lat": 48.8, "lng": 2.3, "alt": 1},
            "openingHours": {"timezone": "Europe/Paris", "usual": {"1": [{"start": "9:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}, {"start": "19:00", "end": "20:00"}, {"start": "21:00", "end": "22:00"}, {"all-day": true}]},
            "special": {"2030-01-01": []}, "temporary_closure": [{"start": "2030-08-01", "end": "2030-08-15"}]},
            "userProperties": {"deep": [[[[{"a": null}]]]], "n": -1.5e3}, "brand": "X"}"#;
        let feature = r#"{"type": "Feature", "properties": {"store_id": "f", "name": "F"}, "geometry": {"type": "Point", "coordinates": [2, 48]}}"#;
        [
            format!("{{\"stores\": [{store}, {store}]}}"),
            format!("\u{feff}\r\n\t[ {store} ,\n  {store}\n]\n\n"),
            format!("{{\"meta\": {{\"a\": [1, {{\"b\": null}}]}}, \"stores\": [{store}], \"n\": 5, \"t\": true}}"),
            format!("{{\"st\\u006fres\": [{store}]}}"),
            format!("{{\"stores\": [{store},]}}"),
            format!("[{store},]"),
            format!("{{\"stores\": [{store}], \"stores\": []}}"),
            format!("{{\"stores\": [{store}], \"type\": \"x\"}}"),
            format!("{{\"stores\": [{store}], \"storeId\": 1}}"),
            format!("{{\"stores\": [{store}], \"features\": null}}"),
            format!("{{\"stores\": [{store}], \"features\": 5}}"),
            format!("{{\"stores\": [{store}] \"x\": 1}}"),
            format!("{{\"n\": 5x, \"stores\": [{store}]}}"),
            "{\"n\": 5\"stores\": []}".to_owned(),
            "{5: 1, \"stores\": []}".to_owned(),
            format!("{{\"stores\" [{store}] }}"),
            format!("{{\"stores\": [{store}]}} x"),
            format!("{{\"stores\": [{store}, 1, {{\"storeId\": 2}}, {{\"location\": {{\"lat\": \"1\"}}}}, {store}]}}"),
            format!("{{\"stores\": [{store}, {{\"name\": \"a\"}}"),
            format!("{{\"stores\": [[{store}]]}}"),
            "{\"stores\": null, \"storeId\": \"a\"}".to_owned(),
            format!("{{\"type\": \"FeatureCollection\", \"features\": [{feature}, {feature}, 5]}}"),
            feature.to_owned(),
            store.to_owned(),
            r#"{"stores": [{"storeId": "a", "x": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}"#.to_owned(),
            r#"{"x": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], "stores": [{"storeId": "a"}]}"#.to_owned(),
            "{\"stores\": [{\"a\": 1e999}]}".to_owned(),
            "{\"stores\": []} ".to_owned(),
            "{ }".to_owned(),
            "[\n]".to_owned(),
            "{\"stores\": [}\n".to_owned(),
            "{\"stores\": [{\"storeId\": \"a\"".to_owned(),
            "  \"x\"  ".to_owned(),
            format!("[{store}, \"a\\\"]\", -1.5e3, true, null, [], {{}}, \"\"]"),
            format!("[{store}, tru]"),
            format!("[{store}, 01]"),
            format!("[{store}, {{\"a\": \"\\x\"}}]"),
            format!("[{store}, {{\"a\": [1}}]]"),
            format!("[{store}]]"),
            format!("[{store}] ]"),
            format!("[{store} {store}]"),
            format!("[ , {store}]"),
            format!("{{ \"stores\" : [ {store} ] , }}"),
            format!("{{\"stores\": [{store}] ]"),
            "[\"abc]".to_owned(),
            "[1,]".to_owned(),
            "[[]".to_owned(),
            "[]]".to_owned(),
        ]
        .into_iter()
        .collect()
    }

    /// Reads a file as `StoreFile` does: found, then each entry read on its own.
    fn found(text: &str) -> String {
        let found = StoreFile::find(text.to_owned()).map(|f| {
            let entries: Vec<Entry> = f.entries().collect();
            assert_eq!(entries.len(), f.len(), "{text}");
            format!("{:?} {entries:?}", f.kind)
        });
        format!("{found:?}")
    }

    fn whole(text: &str) -> String {
        let whole = parse_document(text).map(|d| format!("{:?} {:?}", d.kind, d.entries));
        format!("{whole:?}")
    }

    #[test]
    fn stores_found_then_read_one_by_one_are_the_stores_of_the_document() {
        for text in &odd_texts() {
            assert_eq!(found(text), whole(text), "{text}");
        }
        // Large files, found in two halves from a comma near the middle, and the same with a
        // store that is not JSON near either end.
        let store = r#"{"storeId": "s", "name": "a \"b\" \\ c", "tags": ["x", "]"]}"#;
        let many = vec![store; 30_000];
        let good = format!("{{\"stores\": [{}]}}", many.join(",\n"));
        assert_eq!(found(&good), whole(&good));
        for at in [10, 29_990] {
            let mut broken = many.clone();
            broken[at] = r#"{"storeId": "s" "name": "a"}"#;
            let text = format!("[{}]", broken.join(","));
            assert!(whole(&text).starts_with("Err(Syntax"), "{}", whole(&text));
            assert_eq!(found(&text), whole(&text));
        }
        assert!(items_in_halves(&good).is_some_and(|(_, items)| items.len() == 30_000));
        let array = format!("\r\n[ {} ]\n", many.join(" ,\n "));
        assert!(items_in_halves(&array).is_some());
        assert_eq!(found(&array), whole(&array));
        // Where the comma near the middle is not between two stores: inside a text, inside a
        // store, or the file is not what it seems.
        let texts = [
            format!("[{{\"name\": \"{}\"}}, {{}}]", "},{".repeat(400_000)),
            format!("[{{\"tags\": [{}]}}, {{}}]", vec!["{}"; 400_000].join(", ")),
            format!("[{}]", vec![r#"{"name": "},{"}"#; 100_000].join(",")),
            format!("[{}] ,", many.join(",")),
            format!("{{\"stores\": [{}], \"stores\": []}}", many.join(",")),
            format!("{{\"stores\": [{}]", many.join(",")),
            format!("[{}]", many.join(",,")),
            format!("[{}, ]", many.join(",")),
        ];
        for text in &texts {
            assert!(text.len() > HALVES_FROM);
            assert_eq!(found(text), whole(text));
        }
        // A comma inside a text or inside a store: the stores are found all the same, by the
        // first thread alone.
        assert!(items_in_halves(&texts[0]).is_some_and(|(_, items)| items.len() == 2));
        assert!(items_in_halves(&texts[1]).is_some_and(|(_, items)| items.len() == 2));
    }

    proptest::proptest! {
        #[test]
        fn any_array_of_values_is_found_as_the_document_reads_it(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "{", "}", "[", "]", ",", ":", " ", "\n", "\"", "\\", "\"a\"", "\"st\\\"\"",
                    "1", "-2.5e3", "true", "null", "{\"storeId\": \"a\"}", "\"stores\"",
                ]),
                0..24,
            ),
            wrap in proptest::bool::ANY,
        ) {
            let inner = parts.concat();
            let text = if wrap {
                format!("{{\"stores\": [{inner}]}}")
            } else {
                format!("[{inner}]")
            };
            proptest::prop_assert_eq!(found(&text), whole(&text), "{}", text);
        }
    }

    #[test]
    fn a_store_file_read_entry_by_entry_is_the_document() {
        let store =
            r#"{"storeId": "s_1", "name": "Bâtiment", "location": {"lat": 48.8, "lng": 2.3}}"#;
        let feature = r#"{"type": "Feature", "properties": {"store_id": "f", "name": "F"}, "geometry": {"type": "Point", "coordinates": [2, 48]}}"#;
        let texts = [
            format!(
                "\u{feff}{{\"stores\": [\n  {store},\n  {{\"storeId\": \"b\",\n   \"location\": {{\"lat\": \"51.5\", \"lng\": 0}}}},\n  {store}\n]}}"
            ),
            format!("[{store}, 1, {{\"storeId\": 2}}]"),
            format!("{{\"type\": \"FeatureCollection\", \"features\": [{feature}, 5]}}"),
            feature.to_owned(),
            store.to_owned(),
            "{\"stores\": []}".to_owned(),
            "{\"stores\": [}\n".to_owned(),
            "{\"stores\": [{\"storeId\": \"a\"".to_owned(),
            "  \n".to_owned(),
            "a\0b".to_owned(),
            "42".to_owned(),
        ];
        for text in &texts {
            let whole = parse_document(text).map(|d| format!("{:?} {:?}", d.kind, d.entries));
            let found = StoreFile::find(text.clone()).map(|f| {
                let entries: Vec<Entry> = f.entries().collect();
                assert_eq!(entries.len(), f.len(), "{text}");
                format!("{:?} {entries:?}", f.kind)
            });
            assert_eq!(whole, found, "{text}");
        }
    }

    #[test]
    fn lines_and_columns_count_characters_on_long_lines() {
        let text = "ab\u{e9}\u{1f600}\n\u{e9}x\n\nyz \u{e9}\u{e9}!";
        let naive = |at: usize| {
            let before = &text[..at];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            (line, text[start..at].chars().count() + 1)
        };
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let mut positions = Positions::new(text);
        for &at in &offsets {
            assert_eq!(positions.at(at), naive(at), "{at}");
        }
        // Going back starts again from the top.
        assert_eq!(positions.at(0), (1, 1));
        for &at in offsets.iter().step_by(3) {
            assert_eq!(positions.at(at), naive(at), "{at}");
        }
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let doc = parse_document("\u{feff}[{\"storeId\": \"a\"}]").expect("parses");
        assert_eq!(doc.stores().count(), 1);
    }
}
