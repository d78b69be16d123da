//! Tabular files as rows of text cells: delimited text (any delimiter, UTF-8 with or without a
//! byte-order mark, or Windows-1252 / Latin-1), spreadsheets (XLSX, XLS, ODS) and ordinary
//! GeoJSON points, whose properties become columns.

use std::io::Cursor;

use calamine::{Data, Reader};
use csv::StringRecord;
use serde_json::Value;

use super::ImportError;

/// How the rows of a table were read, for the report.
#[derive(Clone, Debug, PartialEq)]
pub enum TableFormat {
    Delimited {
        delimiter: u8,
        /// `"UTF-8"` or `"Windows-1252"`.
        encoding: &'static str,
    },
    Spreadsheet {
        sheet: String,
        /// Every sheet of the workbook, in order.
        sheets: Vec<String>,
    },
    GeoJson,
}

impl TableFormat {
    /// A sentence on how the file was read: "semicolon-separated text, UTF-8".
    pub fn describe(&self) -> String {
        match self {
            TableFormat::Delimited {
                delimiter,
                encoding,
            } => {
                let sep = match delimiter {
                    b',' => "comma-separated".to_owned(),
                    b';' => "semicolon-separated".to_owned(),
                    b'\t' => "tab-separated".to_owned(),
                    b'|' => "pipe-separated".to_owned(),
                    other => format!("'{}'-separated", *other as char),
                };
                format!("{sep} text, {encoding}")
            }
            TableFormat::Spreadsheet { sheet, sheets } => {
                format!(
                    "spreadsheet, sheet \"{sheet}\" ({} in the file)",
                    sheets.len()
                )
            }
            TableFormat::GeoJson => "GeoJSON points, properties as columns".to_owned(),
        }
    }
}

/// One row of data: its cells' text end to end, and where each cell ends in it (a row of a
/// large file costs its text and four bytes a cell).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Where the row is, as a person finds it: the line of a text file (its first line when a
    /// quoted cell spans several), the row number of a sheet, the feature number of GeoJSON.
    pub line: usize,
    text: Box<str>,
    ends: Box<[u32]>,
}

impl Row {
    /// A row of `cells`, found at `line`. A row is at most as long as a file that can be
    /// read ([`super::MAX_FILE_BYTES`]), so its offsets fit in four bytes.
    pub fn new<S: AsRef<str>>(line: usize, cells: impl IntoIterator<Item = S>) -> Row {
        let mut text = String::new();
        let mut ends = Vec::new();
        for cell in cells {
            text.push_str(cell.as_ref());
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        Row {
            line,
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }

    /// The row a CSV reader read, without the room its buffers have to spare.
    fn of_record(line: usize, record: &StringRecord) -> Row {
        let mut end = 0usize;
        let ends = record
            .iter()
            .map(|c| {
                end += c.len();
                u32::try_from(end).unwrap_or(u32::MAX)
            })
            .collect();
        Row {
            line,
            text: record.as_slice().into(),
            ends,
        }
    }

    /// How many cells the row has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The cell in `column` as it is in the file (untrimmed); `None` past the end of the row.
    pub fn get(&self, column: usize) -> Option<&str> {
        let end = *self.ends.get(column)? as usize;
        let start = match column {
            0 => 0,
            c => self.ends[c - 1] as usize,
        };
        self.text.get(start..end)
    }

    /// The cells as they are in the file, in order.
    pub fn cells(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|c| self.get(c).unwrap_or(""))
    }

    /// The cell in `column`, trimmed; `""` past the end of a short row.
    pub fn cell(&self, column: usize) -> &str {
        self.get(column).map(str::trim).unwrap_or("")
    }

    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// A file read as a table.
#[derive(Clone, Debug)]
pub struct Table {
    pub headers: Vec<String>,
    /// Whether the first row held the column names (when not, the columns are named
    /// "Column 1", "Column 2"...).
    pub header_row: bool,
    pub rows: Vec<Row>,
    pub format: TableFormat,
    /// What "line" means in this table's rows: "line", "row" or "feature".
    pub line_word: &'static str,
}

impl Table {
    /// The first `n` rows, for a preview.
    pub fn preview(&self, n: usize) -> &[Row] {
        &self.rows[..n.min(self.rows.len())]
    }
}

/// Delimiters tried, in order of preference when equally likely.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Reads delimited text. `tab_hint` prefers tabs (a `.tsv` or `.tab` file).
pub fn read_delimited(bytes: &[u8], tab_hint: bool) -> Result<Table, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, encoding): (std::borrow::Cow<'_, [u8]>, &'static str) =
        if std::str::from_utf8(bytes).is_ok() {
            (bytes.into(), "UTF-8")
        } else {
            let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (decoded.into_owned().into_bytes().into(), "Windows-1252")
        };
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    let delimiter = if tab_hint && text.contains(&b'\t') {
        b'\t'
    } else {
        sniff_delimiter(&text)
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text[..]);
    let mut records: Vec<Row> = Vec::new();
    let mut record = StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                records.push(Row::of_record(line, &record));
            }
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return Err(ImportError::Unreadable(format!(
                    "line {line} cannot be read as delimited text ({e}); check that the file is CSV"
                )));
            }
        }
    }
    let format = TableFormat::Delimited {
        delimiter,
        encoding,
    };
    Ok(with_headers(records, format, "line"))
}

/// The delimiter that splits the first lines most consistently into more than one cell.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let sample = &text[..text.len().min(64 * 1024)];
    let mut best = (b',', 0usize, 0usize);
    for &d in &DELIMITERS {
        let counts = counts_per_line(sample, d, 30);
        if counts.is_empty() {
            continue;
        }
        let first = counts[0];
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        // More lines agreeing wins; then more cells.
        if (consistent, first) > (best.1, best.2) {
            best = (d, consistent, first);
        }
    }
    best.0
}

/// How many times `d` occurs outside quotes on each of the first `max_lines` records.
fn counts_per_line(text: &[u8], d: u8, max_lines: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut count = 0;
    let mut quoted = false;
    let mut any = false;
    let mut previous = b'\n';
    for &b in text {
        let before = std::mem::replace(&mut previous, b);
        // A quote opens a quoted cell only at the start of a cell; inside an unquoted cell
        // (48°51'24"N) it is a character like any other.
        if b == b'"' && (quoted || before == d || before == b'\n') {
            quoted = !quoted;
        } else if !quoted && b == d {
            count += 1;
        } else if !quoted && b == b'\n' {
            if any || count > 0 {
                out.push(count);
            }
            count = 0;
            any = false;
            if out.len() == max_lines {
                break;
            }
            continue;
        }
        if !b.is_ascii_whitespace() {
            any = true;
        }
    }
    if count > 0 && out.len() < max_lines {
        out.push(count);
    }
    out
}

/// Splits off the header row when the first row looks like one.
fn with_headers(mut records: Vec<Row>, format: TableFormat, line_word: &'static str) -> Table {
    // Blank rows before the header are skipped; they are not data.
    while records.first().is_some_and(Row::is_blank) {
        records.remove(0);
    }
    let header_row = records
        .first()
        .is_some_and(|first| looks_like_header(first, records.get(1)));
    let width = records.iter().map(Row::len).max().unwrap_or(0);
    let headers = if header_row {
        let first = records.remove(0);
        let mut names: Vec<String> = first.cells().map(|c| c.trim().to_owned()).collect();
        for (i, name) in names.iter_mut().enumerate() {
            if name.is_empty() {
                *name = format!("Column {}", i + 1);
            }
        }
        names
    } else {
        (1..=width).map(|i| format!("Column {i}")).collect()
    };
    Table {
        headers,
        header_row,
        rows: records,
        format,
        line_word,
    }
}

/// A first row is a header when none of its cells is a number or a coordinate while the next
/// row has one, or when one of its cells is a column name this importer knows.
fn looks_like_header(first: &Row, second: Option<&Row>) -> bool {
    let numeric = |c: &str| {
        let c = c.trim().replace(',', ".");
        !c.is_empty() && c.parse::<f64>().is_ok()
    };
    if first
        .cells()
        .any(|c| super::mapping::guess_target(c).is_some())
    {
        return true;
    }
    let first_has_numbers = first.cells().any(numeric);
    match second {
        Some(second) => !first_has_numbers && second.cells().any(numeric),
        None => !first_has_numbers,
    }
}

/// Reads the sheet `wanted` of a workbook (the first sheet when `None`).
pub fn read_spreadsheet(bytes: &[u8], wanted: Option<&str>) -> Result<Table, ImportError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        ImportError::Unreadable(format!(
            "the spreadsheet cannot be opened ({e}); save it again as XLSX or CSV and retry"
        ))
    })?;
    let sheets = book.sheet_names();
    let sheet = match wanted {
        Some(w) => sheets
            .iter()
            .find(|s| s.as_str() == w || s.eq_ignore_ascii_case(w))
            .cloned()
            .ok_or_else(|| ImportError::NoSuchSheet {
                wanted: w.to_owned(),
                sheets: sheets.clone(),
            })?,
        None => sheets.first().cloned().ok_or(ImportError::Empty)?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| {
        ImportError::Unreadable(format!(
            "sheet \"{sheet}\" cannot be read ({e}); save the file again as XLSX or CSV and retry"
        ))
    })?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = Vec::with_capacity(range.height());
    for (i, cells) in range.rows().enumerate() {
        let mut texts: Vec<String> = cells.iter().map(cell_text).collect();
        // Trailing empty cells are not part of the row.
        let used = texts
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |p| p + 1);
        texts.truncate(used);
        rows.push(Row::new(first_row + i + 1, texts));
    }
    if rows.iter().all(Row::is_blank) {
        return Err(ImportError::Empty);
    }
    let format = TableFormat::Spreadsheet { sheet, sheets };
    Ok(with_headers(rows, format, "row"))
}

/// A spreadsheet cell as text: whole numbers without ".0", dates as ISO 8601.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, sec, _) = dt.to_ymd_hms_milli();
            if dt.is_duration() || dt.as_f64() < 1.0 {
                format!("{h:02}:{mi:02}")
            } else if (h, mi, sec) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Reads GeoJSON features as rows: their properties as columns (nested values as JSON text)
/// and two more columns, "latitude (geometry)" and "longitude (geometry)", from each Point.
pub fn read_geojson_points(value: &Value) -> Result<Table, ImportError> {
    let features: Vec<&Value> = match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => value
            .get("features")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        Some("Feature") => vec![value],
        _ => {
            return Err(ImportError::Unreadable(
                "the GeoJSON is neither a FeatureCollection nor a Feature".into(),
            ));
        }
    };
    if features.is_empty() {
        return Err(ImportError::Empty);
    }
    let mut headers: Vec<String> = vec![GEOMETRY_LAT.into(), GEOMETRY_LNG.into()];
    let mut index = std::collections::HashMap::new();
    for f in &features {
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for key in props.keys() {
                if !index.contains_key(key) {
                    index.insert(key.clone(), headers.len());
                    headers.push(key.clone());
                }
            }
        }
    }
    let mut rows = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let mut cells = vec![String::new(); headers.len()];
        let coords = f
            .get("geometry")
            .filter(|g| g.get("type").and_then(Value::as_str) == Some("Point"))
            .and_then(|g| g.get("coordinates"))
            .and_then(Value::as_array);
        if let Some([lng, lat, ..]) = coords.map(Vec::as_slice) {
            cells[0] = json_cell(lat);
            cells[1] = json_cell(lng);
        }
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for (key, v) in props {
                if let Some(&column) = index.get(key) {
                    cells[column] = json_cell(v);
                }
            }
        }
        rows.push(Row::new(i + 1, cells));
    }
    Ok(Table {
        headers,
        header_row: true,
        rows,
        format: TableFormat::GeoJson,
        line_word: "feature",
    })
}

/// The column names given to a GeoJSON point's coordinates.
pub const GEOMETRY_LAT: &str = "latitude (geometry)";
pub const GEOMETRY_LNG: &str = "longitude (geometry)";

/// A JSON value as cell text: strings as they are, `null` as empty, anything else as JSON.
fn json_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(t: &Table, row: usize) -> Vec<&str> {
        t.rows[row].cells().collect()
    }

    #[test]
    fn a_row_gives_back_each_cell_as_it_was() {
        let row = Row::new(7, [" Marché ", "", "Zürich", "  ", "€"]);
        assert_eq!(row.line, 7);
        assert_eq!(row.len(), 5);
        assert_eq!(
            row.cells().collect::<Vec<_>>(),
            [" Marché ", "", "Zürich", "  ", "€"]
        );
        assert_eq!(row.get(0), Some(" Marché "));
        assert_eq!(row.cell(0), "Marché");
        assert_eq!(row.get(1), Some(""));
        assert_eq!(row.cell(4), "€");
        assert_eq!(row.get(5), None);
        assert_eq!(row.cell(9), "");
        assert!(!row.is_blank());
        assert!(Row::new(1, ["", " ", "\t"]).is_blank());
        let empty = Row::new(1, Vec::<String>::new());
        assert!(empty.is_empty() && empty.is_blank());
        assert_eq!(empty.get(0), None);
    }

    #[test]
    fn semicolons_and_a_byte_order_mark() {
        let t = read_delimited(
            "\u{feff}Nom;Latitude;Longitude\nMarché;48,85;2,35\n".as_bytes(),
            false,
        )
        .expect("read");
        assert_eq!(t.headers, ["Nom", "Latitude", "Longitude"]);
        assert_eq!(cells(&t, 0), ["Marché", "48,85", "2,35"]);
        assert_eq!(t.rows[0].line, 2);
        assert!(
            t.format
                .describe()
                .starts_with("semicolon-separated text, UTF-8")
        );
    }

    #[test]
    fn latin1_is_decoded() {
        let bytes = b"name,city\nCaf\xe9 du March\xe9,Br\xfcssel\n";
        let t = read_delimited(bytes, false).expect("read");
        assert_eq!(cells(&t, 0), ["Café du Marché", "Brüssel"]);
        assert_eq!(
            t.format,
            TableFormat::Delimited {
                delimiter: b',',
                encoding: "Windows-1252"
            }
        );
    }

    #[test]
    fn quoted_newlines_keep_their_starting_line() {
        let t =
            read_delimited(b"id\tname\tnote\n1\t\"two\nlines\"\tx\n2\tb\ty\n", true).expect("read");
        assert_eq!(cells(&t, 0), ["1", "two\nlines", "x"]);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[1].line, 4);
    }

    #[test]
    fn a_file_without_header_gets_column_names() {
        let t = read_delimited(b"a1,48.1,2.1\na2,48.2,2.2\n", false).expect("read");
        assert!(!t.header_row);
        assert_eq!(t.headers, ["Column 1", "Column 2", "Column 3"]);
        assert_eq!(t.rows.len(), 2);
    }

    #[test]
    fn delimiter_inside_quotes_does_not_count() {
        let t =
            read_delimited(b"name;city\n\"a, b, c\";Paris\n\"d, e\";Lyon\n", false).expect("read");
        assert_eq!(cells(&t, 0), ["a, b, c", "Paris"]);
    }

    #[test]
    fn empty_and_blank_files_are_refused() {
        assert!(matches!(
            read_delimited(b"", false),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            read_delimited(b" \n\r\n ", false),
            Err(ImportError::Empty)
        ));
    }

    #[test]
    fn geojson_points_become_rows() {
        let v: Value = serde_json::from_str(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","geometry":{"type":"Point","coordinates":[2.35,48.85]},
               "properties":{"name":"A","rank":3,"tags":["x"]}},
              {"type":"Feature","geometry":null,"properties":{"name":"B","city":"Lyon"}}]}"#,
        )
        .expect("json");
        let t = read_geojson_points(&v).expect("read");
        assert_eq!(
            t.headers,
            [GEOMETRY_LAT, GEOMETRY_LNG, "name", "rank", "tags", "city"]
        );
        assert_eq!(cells(&t, 0), ["48.85", "2.35", "A", "3", "[\"x\"]", ""]);
        assert_eq!(cells(&t, 1), ["", "", "B", "", "", "Lyon"]);
    }
}
