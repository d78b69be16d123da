//! Reading store files: Woosmap JSON, GeoJSON, delimited text and spreadsheets, with column
//! mapping and a report of every row.
//!
//! The steps are pure and separate so that the window can show each: `read_bytes` finds the
//! format and gives a [`Source`] (stores, or a table to map); `Mapping::guess` proposes the
//! columns' fields; `convert` turns the source into stores and a [`Report`] with one line per
//! row; `apply` writes the stores to the workspace as drafts, in one undoable step. File access
//! is only in `read_path`.

pub mod apply;
pub mod cells;
pub mod convert;
pub mod mapping;
pub mod report;
pub mod table;

use std::path::Path;

use serde_json::Value;

use crate::model::{DocumentError, StoreFile};

pub use apply::{ApplyMode, ApplySummary, Imported, apply, import_into, import_into_with_progress};
pub use convert::{Conversion, convert, convert_owned};
pub use mapping::{ColumnMapping, Mapping, MappingStore, Target};
pub use report::{Note, Report, RowReport, Status};
pub use table::{Row, Table, TableFormat};

/// The largest file read: far above any real store file (the API takes 15 MB a request), and
/// well within what this machine holds while converting it.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;

/// Why a file cannot be imported at all. Each is a sentence that says what to do; when one of
/// these is returned, nothing has changed in the workspace.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty; pick a file with stores in it")]
    Empty,
    #[error("the file has column names but no rows; add rows of stores under them")]
    NoRows,
    #[error("the file holds no stores")]
    NoStores,
    #[error(
        "the file is {size} MB, more than the {limit} MB this app imports at once; split it into smaller files"
    )]
    TooLarge { size: u64, limit: u64 },
    #[error(
        "the file is not a store file this app reads (it has binary content); pick a JSON, GeoJSON, CSV, TSV, XLSX, XLS or ODS file"
    )]
    Binary,
    #[error("{0}")]
    Document(#[from] DocumentError),
    #[error("{0}")]
    Unreadable(String),
    #[error("the workbook has no sheet \"{wanted}\"; its sheets are: {}", sheets.join(", "))]
    NoSuchSheet { wanted: String, sheets: Vec<String> },
    #[error("the file cannot be read ({0}); check that it exists and that you may read it")]
    Io(String),
    #[error("the column mapping cannot be used: {}", .0.join("; "))]
    Mapping(Vec<String>),
    #[error("{0}")]
    Workspace(#[from] crate::workspace::WorkspaceError),
    #[error(
        "{0} rows could not be read; fix them (see the report) before replacing the project with this file, or import it as drafts"
    )]
    ReplaceWithUnreadRows(usize),
}

/// What a file holds once its format is known.
#[derive(Debug)]
pub enum Source {
    /// Woosmap JSON, or GeoJSON in the API's read format: stores, field by field, each read
    /// when it is converted.
    Stores(StoreFile),
    /// Rows and columns, to be mapped.
    Table(Table),
}

impl Source {
    /// "Woosmap JSON", "semicolon-separated text, UTF-8"...
    pub fn describe(&self) -> String {
        match self {
            Source::Stores(doc) => doc.kind.label().to_owned(),
            Source::Table(t) => t.format.describe(),
        }
    }
}

/// Options of a read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The spreadsheet's sheet; the first when `None`.
    pub sheet: Option<String>,
}

/// Reads a file from disk: its size is checked before it is read.
pub fn read_path(path: &Path, options: &ReadOptions) -> Result<Source, ImportError> {
    // Converting the file validates every store, which needs the country and time-zone
    // boundaries: they are read on the side while the file is read.
    let _ = std::thread::Builder::new()
        .name("storedesk-geo".into())
        .spawn(crate::geo::warm_up);
    let meta = std::fs::metadata(path).map_err(|e| ImportError::Io(e.to_string()))?;
    check_size(meta.len())?;
    let bytes = std::fs::read(path).map_err(|e| ImportError::Io(e.to_string()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_bytes(&name, bytes, options)
}

/// Refuses a file of `size` bytes over [`MAX_FILE_BYTES`]: files are read whole, and a row's
/// cells are found by four-byte offsets within it.
fn check_size(size: u64) -> Result<(), ImportError> {
    if size > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            size: size / (1024 * 1024),
            limit: MAX_FILE_BYTES / (1024 * 1024),
        });
    }
    Ok(())
}

/// Finds the format of a file from its content (its name only breaks ties) and reads it.
pub fn read_bytes(
    name: &str,
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<Source, ImportError> {
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    check_size(u64::try_from(bytes.len()).unwrap_or(u64::MAX))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    // Zip (XLSX, ODS) and OLE (XLS) containers.
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return table::read_spreadsheet(&bytes, options.sheet.as_deref()).and_then(with_rows);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if matches!(first, Some(b'{' | b'[')) {
        return read_json(bytes);
    }
    if looks_binary(body) {
        return Err(ImportError::Binary);
    }
    let tab_hint = matches!(extension.as_str(), "tsv" | "tab");
    table::read_delimited(body, tab_hint).and_then(with_rows)
}

fn with_rows(table: Table) -> Result<Source, ImportError> {
    if table.rows.is_empty() {
        return Err(ImportError::NoRows);
    }
    Ok(Source::Table(table))
}

/// Text files have no NUL bytes and few control characters.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    let control = sample
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
        .count();
    sample.contains(&0) || control * 20 > sample.len()
}

fn read_json(bytes: Vec<u8>) -> Result<Source, ImportError> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(e.as_bytes());
            decoded.into_owned()
        }
    };
    // The stores are found now and read as they are converted.
    let doc = StoreFile::find(text)?;
    let geojson = doc.kind.is_geojson();
    // GeoJSON whose features are not Woosmap stores (no `store_id` anywhere): its properties
    // are columns to map.
    let plain = geojson
        && !doc.entries().any(|e| {
            e.result
                .as_ref()
                .is_ok_and(|s| s.store_id.as_deref().is_some_and(|id| !id.is_empty()))
        });
    if plain {
        let value: Value = serde_json::from_str(doc.text())
            .map_err(|e| ImportError::Unreadable(format!("the GeoJSON cannot be read: {e}")))?;
        return table::read_geojson_points(&value).and_then(with_rows);
    }
    if doc.is_empty() {
        return Err(ImportError::NoStores);
    }
    Ok(Source::Stores(doc))
}

#[cfg(test)]
mod tests;
