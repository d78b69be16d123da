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
    let records = read_records(&text, delimiter)?;
    let format = TableFormat::Delimited {
        delimiter,
        encoding,
    };
    Ok(with_headers(records, format, "line"))
}

/// From this size on, the two halves of a delimited file are read on two threads.
const SPLIT_FROM: usize = 4 * 1024 * 1024;

/// The records of delimited text, each with its line. A large text is read in two halves, on
/// two threads, split where a record ends.
fn read_records(text: &[u8], delimiter: u8) -> Result<Vec<Row>, ImportError> {
    read_records_split_from(text, delimiter, SPLIT_FROM)
}

/// [`read_records`], splitting texts of `split_from` bytes or more.
fn read_records_split_from(
    text: &[u8],
    delimiter: u8,
    split_from: usize,
) -> Result<Vec<Row>, ImportError> {
    let split = (text.len() >= split_from)
        .then(|| record_end_after(text, delimiter, text.len() / 2))
        .flatten();
    let Some(split) = split else {
        return read_records_from(text, delimiter, 0);
    };
    let (first, second) = text.split_at(split);
    // The second half's lines follow the first half's.
    let lines_before = memchr::memchr_iter(b'\n', first).count();
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| read_records_from(second, delimiter, lines_before));
        let first = read_records_from(first, delimiter, 0);
        (first, second.join())
    });
    let mut records = first?;
    match second {
        Ok(rows) => records.extend(rows?),
        Err(_) => {
            return Err(ImportError::Unreadable(
                "the second half of the file could not be read".into(),
            ));
        }
    }
    Ok(records)
}

/// A reader of the records of `text`: no header (it is found afterwards), rows of any length.
fn records_reader(text: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
}

/// Reads the records of `text`, numbering their lines after `lines_before`.
fn read_records_from(
    text: &[u8],
    delimiter: u8,
    lines_before: usize,
) -> Result<Vec<Row>, ImportError> {
    let mut reader = records_reader(text, delimiter);
    let mut records: Vec<Row> = Vec::new();
    let mut record = StringRecord::new();
    let mut lines = LineCounter::new(text, lines_before);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let line = lines.line_at(record.position().map(|p| p.byte()));
                records.push(Row::of_record(line, &record));
            }
            Ok(false) => break,
            Err(e) => {
                let line = lines.line_at(e.position().map(|p| p.byte()));
                return Err(ImportError::Unreadable(format!(
                    "line {line} cannot be read as delimited text ({e}); check that the file is CSV"
                )));
            }
        }
    }
    Ok(records)
}

/// The line each record of a text starts on, counted as the reader goes. The reader's own
/// line count misses the line feed of a `\r\n` until the next record is read, which would
/// number every record after a Windows line end one line too early.
struct LineCounter<'t> {
    text: &'t [u8],
    /// Line feeds before `counted_to`, plus the lines before the text.
    feeds: usize,
    counted_to: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t [u8], lines_before: usize) -> LineCounter<'t> {
        LineCounter {
            text,
            feeds: lines_before,
            counted_to: 0,
        }
    }

    /// The line of the record the reader placed at byte `at`: the line ends the reader skips
    /// before a record (blank lines) are not part of it. Records come in order.
    fn line_at(&mut self, at: Option<u64>) -> usize {
        let from = at
            .and_then(|a| usize::try_from(a).ok())
            .unwrap_or(self.counted_to)
            .clamp(self.counted_to, self.text.len());
        let start = self.text[from..]
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n'))
            .map_or(self.text.len(), |skip| from + skip);
        self.feeds += memchr::memchr_iter(b'\n', &self.text[self.counted_to..start]).count();
        self.counted_to = start;
        self.feeds + 1
    }
}

/// Where the first record ending at or after `from` ends (just past its line feed), read as
/// the CSV reader reads: a quote opens a quoted cell only at the start of a cell, and two
/// quotes in a quoted cell are one quote. `None` when no record ends there.
fn record_end_after(text: &[u8], delimiter: u8, from: usize) -> Option<usize> {
    let mut i = 0;
    loop {
        // Outside quotes: the next quote or line feed.
        let at = i + memchr::memchr2(b'"', b'\n', text.get(i..)?)?;
        if text[at] == b'\n' {
            if at >= from {
                return Some(at + 1);
            }
            i = at + 1;
            continue;
        }
        let cell_start =
            at == 0 || matches!(text[at - 1], b'\n' | b'\r') || text[at - 1] == delimiter;
        i = at + 1;
        if !cell_start {
            continue;
        }
        // In a quoted cell: up to the quote that closes it.
        loop {
            let quote = i + memchr::memchr(b'"', text.get(i..)?)?;
            if text.get(quote + 1) == Some(&b'"') {
                i = quote + 2;
            } else {
                i = quote + 1;
                break;
            }
        }
    }
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

    /// Delimited text made of random cells: plain, quoted with delimiters, line ends and
    /// doubled quotes inside, with a quote in the middle of a plain cell, blank lines, and
    /// line ends of both kinds.
    fn messy_text(seed: u64, rows: usize) -> Vec<u8> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut out = Vec::new();
        for r in 0..rows {
            let cells = rng.usize(1..6);
            for c in 0..cells {
                if c > 0 {
                    out.push(b';');
                }
                match rng.u8(0..6) {
                    0 => out.extend_from_slice(format!("plain{r}").as_bytes()),
                    1 => out.extend_from_slice(b"\"a;b\nc\r\nd\""),
                    2 => out.extend_from_slice(b"\"say \"\"hi\"\"\n\""),
                    3 => out.extend_from_slice(b"48\xc2\xb051'24\"N"),
                    4 => out.extend_from_slice(b"\"\"\"\"\"\"\""),
                    _ => {}
                }
            }
            match rng.u8(0..4) {
                0 => out.extend_from_slice(b"\r\n"),
                1 => out.extend_from_slice(b"\n\n"),
                _ => out.push(b'\n'),
            }
        }
        out
    }

    #[test]
    fn a_large_file_read_in_two_halves_reads_as_in_one() {
        for seed in 0..40 {
            let text = messy_text(seed, 300);
            let whole = read_records_from(&text, b';', 0).expect("reads");
            for split_from in [1, text.len() / 3, text.len()] {
                let halves = read_records_split_from(&text, b';', split_from).expect("reads");
                assert_eq!(halves, whole, "seed {seed}, split from {split_from}");
            }
            // The split falls where a record ends, as the reader reads it.
            let end = record_end_after(&text, b';', text.len() / 2).expect("a record ends");
            let ends: Vec<usize> = {
                let mut reader = records_reader(&text, b';');
                let mut record = StringRecord::new();
                let mut ends = Vec::new();
                while reader.read_record(&mut record).expect("reads") {
                    ends.push(reader.position().byte() as usize);
                }
                ends
            };
            // Where the reader ended a record, or past the line ends it then skips.
            assert!(
                ends.iter()
                    .any(|&e| e <= end && text[e..end].iter().all(|b| matches!(b, b'\r' | b'\n'))),
                "seed {seed}: {end} is not where a record ends"
            );
        }
    }

    #[test]
    fn rows_after_windows_line_ends_keep_their_lines() {
        let t = read_delimited(
            b"id,name\r\n1,a\r\n2,b\r\n\r\n3,c\n4,\"d\r\ne\"\r\n5,f\r\n",
            false,
        )
        .expect("read");
        let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 5, 6, 8]);
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
