//! Reading a whole file of stores: Woosmap JSON (`{"stores": [...]}` or a bare array) or the
//! GeoJSON read format (`FeatureCollection` or one `Feature`). Each store is read on its own, so
//! one broken store is reported with its line and column while the others still load, and its
//! original text is kept.

use serde::Deserialize;
use serde_json::value::RawValue;

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
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(DocumentError::Empty);
    }
    if text.contains('\0') {
        return Err(DocumentError::Binary);
    }
    let root: &RawValue = serde_json::from_str(text).map_err(syntax_error)?;
    let root_text = root.get();
    let mut positions = Positions::new(text);
    let (kind, items): (DocumentKind, Vec<&RawValue>) = if root_text.starts_with('[') {
        let items = serde_json::from_str(root_text).map_err(syntax_error)?;
        (DocumentKind::StoresArray, items)
    } else if root_text.starts_with('{') {
        let top: TopLevel = serde_json::from_str(root_text).map_err(syntax_error)?;
        match (top.stores, top.features, top.kind.as_deref()) {
            (Some(stores), _, _) => (DocumentKind::StoresObject, stores),
            (None, Some(features), _) => (DocumentKind::FeatureCollection, features),
            (None, None, Some("Feature")) => (DocumentKind::Feature, vec![root]),
            (None, None, _) if top.store_id.is_some() => (DocumentKind::SingleStore, vec![root]),
            (None, None, _) => {
                return Err(DocumentError::NotStores {
                    found: "an object without \"stores\" or \"features\"".to_owned(),
                });
            }
        }
    } else {
        return Err(DocumentError::NotStores {
            found: "a single value, not an object or an array".to_owned(),
        });
    };
    let geojson = matches!(
        kind,
        DocumentKind::FeatureCollection | DocumentKind::Feature
    );
    let entries = items
        .into_iter()
        .enumerate()
        .map(|(index, raw)| {
            let (line, column) = positions.of(raw.get());
            let (result, meta) = if geojson {
                match serde_json::from_str::<ReadFeature>(raw.get()) {
                    Ok(feature) => {
                        let (store, meta) = feature.into_store();
                        (Ok(store), Some(meta))
                    }
                    Err(e) => (Err(entry_error(raw, &e, line, column)), None),
                }
            } else {
                match serde_json::from_str::<Store>(raw.get()) {
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
        })
        .collect();
    Ok(Document { kind, entries })
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

fn entry_error(raw: &RawValue, e: &serde_json::Error, line: usize, column: usize) -> EntryError {
    let (err_line, err_column) = if e.line() <= 1 {
        (line, column + e.column().saturating_sub(1))
    } else {
        (line + e.line() - 1, e.column())
    };
    EntryError {
        line: err_line,
        column: err_column,
        message: strip_position(&e.to_string()),
        raw: raw.get().to_owned(),
    }
}

/// serde_json ends its messages with " at line L column C"; the position is given separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Turns pointers into the text into line and column, walking forward only.
struct Positions<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Positions<'a> {
        Positions {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn of(&mut self, slice: &str) -> (usize, usize) {
        let base = self.text.as_ptr() as usize;
        let at = (slice.as_ptr() as usize)
            .saturating_sub(base)
            .min(self.text.len());
        if at < self.offset {
            *self = Positions::new(self.text);
        }
        let bytes = &self.text.as_bytes()[self.offset..at];
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = at;
        let column = self.text[self.line_start..at].chars().count() + 1;
        (self.line, column)
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

    #[test]
    fn byte_order_mark_is_ignored() {
        let doc = parse_document("\u{feff}[{\"storeId\": \"a\"}]").expect("parses");
        assert_eq!(doc.stores().count(), 1);
    }
}
