//! From a read file to stores and the report: rows through the column mapping, stores of a
//! JSON file as they are; every store validated; ids made where missing, duplicates caught.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::cells::{self, CellNote, IdAllocator, IdClaim, NoteLevel};
use super::mapping::{Mapping, Target};
use super::report::{Note, Report, RowReport, Status};
use super::table::{Row, Table, TableFormat};
use super::{ImportError, Source};
use crate::hours::OpeningHours;
use crate::model::countries::fold_name;
use crate::model::{Address, Contact, Document, Location, Store};
use crate::validate::{self, Code, Context, Severity};

/// The stores made from a file, and the report.
#[derive(Debug, Default)]
pub struct Conversion {
    pub report: Report,
    /// The stores, each with the index of its row in `report.rows`.
    pub stores: Vec<(usize, Store)>,
}

/// Converts a read file. `mapping` is used for tables (the guess when `None`). The source is
/// kept, so that a table can be converted again with another mapping.
pub fn convert(
    source: &Source,
    mapping: Option<&Mapping>,
    ctx: &Context,
) -> Result<Conversion, ImportError> {
    match source {
        Source::Stores(doc) => Ok(convert_document(doc.clone(), ctx)),
        Source::Table(table) => convert_table(table, mapping, ctx),
    }
}

/// Like `convert`, consuming the source: the stores of a JSON file are moved, not copied.
pub fn convert_owned(
    source: Source,
    mapping: Option<&Mapping>,
    ctx: &Context,
) -> Result<Conversion, ImportError> {
    match source {
        Source::Stores(doc) => Ok(convert_document(doc, ctx)),
        Source::Table(table) => convert_table(&table, mapping, ctx),
    }
}

fn convert_document(doc: Document, ctx: &Context) -> Conversion {
    let mut report = Report {
        format: doc.kind.label().to_owned(),
        line_word: "line",
        ..Report::default()
    };
    let mut stores = Vec::with_capacity(doc.entries.len());
    for entry in doc.entries {
        let mut row = RowReport::new(entry.index + 1, entry.line);
        match entry.result {
            Err(e) => row.note(Status::Error, None, e.message),
            Ok(store) => stores.push((report.rows.len(), store)),
        }
        report.rows.push(row);
    }
    finish(report, stores, ctx, "storeId", true, &|path| {
        Some(path.to_owned())
    })
}

/// Gives each store its id (given ids first, so that a made id never takes one a later row
/// gives), drops the rows whose id repeats an earlier row's, and validates the rest.
fn finish(
    mut report: Report,
    stores: Vec<(usize, Store)>,
    ctx: &Context,
    id_column: &str,
    keep_ids_as_given: bool,
    column_of: &dyn Fn(&str) -> Option<String>,
) -> Conversion {
    let mut ids = IdAllocator::new();
    let mut given: Vec<Option<(usize, Store)>> = Vec::with_capacity(stores.len());
    let mut made: Vec<usize> = Vec::new();
    for (i, (row_index, mut store)) in stores.into_iter().enumerate() {
        let row = &mut report.rows[row_index];
        match store.store_id.take().filter(|s| !s.trim().is_empty()) {
            Some(raw) => {
                let id = if keep_ids_as_given {
                    raw
                } else {
                    let (clean, note) = cells::clean_id(&raw);
                    if let Some(note) = note {
                        add_cell_note(row, id_column, note);
                    }
                    clean
                };
                row.id = Some(id.clone());
                match ids.claim_given(&id, row.row) {
                    IdClaim::Duplicate { id, first_row } => {
                        row.note(
                            Status::Error,
                            Some(id_column),
                            format!(
                                "store id \"{id}\" is already used by row {first_row}; this row is not imported. Give one of them another id"
                            ),
                        );
                        given.push(None);
                        continue;
                    }
                    IdClaim::Taken(id) | IdClaim::Suffixed { id, .. } => {
                        store.store_id = Some(id);
                    }
                }
            }
            None => made.push(i),
        }
        given.push(Some((row_index, store)));
    }
    for i in made {
        let Some((row_index, store)) = given[i].as_mut() else {
            continue;
        };
        let row = &mut report.rows[*row_index];
        let name = store.name.as_deref().unwrap_or("").trim();
        if name.is_empty() {
            row.note(
                Status::Error,
                Some(id_column),
                "the row has no store id and no name to make one from; this row is not imported",
            );
            given[i] = None;
            continue;
        }
        let city = store
            .address
            .as_ref()
            .and_then(|a| a.city.as_deref())
            .unwrap_or("");
        // "Markthal Rotterdam" in Rotterdam: the city is in the name already.
        let folded_city = fold_name(city);
        let city = if !folded_city.is_empty() && fold_name(name).contains(&folded_city) {
            ""
        } else {
            city
        };
        let wanted = cells::slug_id(name, city);
        let id = match ids.claim_generated(&wanted, row.row) {
            IdClaim::Taken(id) => {
                row.note(
                    Status::Warning,
                    Some(id_column),
                    format!("no store id; \"{id}\" made from the name and city"),
                );
                id
            }
            IdClaim::Suffixed { id, wanted } => {
                row.note(
                    Status::Warning,
                    Some(id_column),
                    format!(
                        "no store id; \"{id}\" made from the name and city (\"{wanted}\" is another row's)"
                    ),
                );
                id
            }
            IdClaim::Duplicate { id, .. } => id,
        };
        row.id = Some(id.clone());
        store.store_id = Some(id);
    }
    let mut out = Vec::with_capacity(given.len());
    for (row_index, store) in given.into_iter().flatten() {
        let row = &mut report.rows[row_index];
        check(&store, ctx, row, column_of);
        row.imported = true;
        out.push((row_index, store));
    }
    Conversion {
        report,
        stores: out,
    }
}

/// A cell reader's note on the row: a notice keeps the row ok, a warning is a warning.
fn add_cell_note(row: &mut RowReport, column: &str, note: CellNote) {
    let status = match note.level {
        NoteLevel::Notice => Status::Ok,
        NoteLevel::Warning => Status::Warning,
    };
    row.note(status, Some(column), note.message);
}

/// Validates the store and adds its errors and warnings to the row. A missing location is
/// said once, as "needs a location".
fn check(
    store: &Store,
    ctx: &Context,
    row: &mut RowReport,
    column_of: &dyn Fn(&str) -> Option<String>,
) {
    for f in validate::validate_store(store, ctx) {
        if f.code == Code::LocationMissing {
            row.note(
                Status::Warning,
                None,
                "no coordinates: imported as a store that needs a location; place it on the map before pushing",
            );
            continue;
        }
        let status = match f.severity {
            Severity::Error => Status::Error,
            Severity::Warning => Status::Warning,
            Severity::Notice => continue,
        };
        let column = column_of(&f.path);
        row.note(status, column.as_deref(), f.message);
    }
}

fn convert_table(
    table: &Table,
    mapping: Option<&Mapping>,
    ctx: &Context,
) -> Result<Conversion, ImportError> {
    let guessed;
    let mapping = match mapping {
        Some(m) => m,
        None => {
            guessed = Mapping::guess(&table.headers);
            &guessed
        }
    };
    let problems = mapping.problems();
    if !problems.is_empty() {
        return Err(ImportError::Mapping(problems));
    }
    if mapping.columns.len() != table.headers.len() {
        return Err(ImportError::Mapping(vec![format!(
            "the mapping has {} columns but the file {}",
            mapping.columns.len(),
            table.headers.len()
        )]));
    }
    let mut out = Conversion {
        report: Report {
            format: table.format.describe(),
            line_word: table.line_word,
            ..Report::default()
        },
        stores: Vec::new(),
    };
    if !table.header_row {
        out.report.file_notes.push(Note::new(
            Status::Warning,
            None,
            "the first row does not look like column names, so columns are named Column 1, Column 2...; check the mapping",
        ));
    }
    let plan = ColumnPlan::new(mapping, &table.headers);
    let mut report = out.report;
    let mut stores = Vec::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        let mut row_report = RowReport::new(i + 1, row.line);
        if row.is_blank() {
            row_report.note(Status::Warning, None, "the row is empty; nothing to import");
            report.rows.push(row_report);
            continue;
        }
        // A sheet's row ends at its last filled cell, so only text files have short rows.
        let text = matches!(table.format, TableFormat::Delimited { .. });
        check_width(row, &table.headers, text, &mut row_report);
        let store = plan.store_of(row, &mut row_report);
        stores.push((report.rows.len(), store));
        report.rows.push(row_report);
    }
    let id_column = plan.id_column.clone();
    Ok(finish(report, stores, ctx, &id_column, false, &|path| {
        plan.column_of_path(path)
    }))
}

/// Ragged rows: more cells than columns (the extra ones are named, not dropped silently),
/// or fewer (read as empty).
fn check_width(row: &Row, headers: &[String], short_rows: bool, report: &mut RowReport) {
    let (n, w) = (row.cells.len(), headers.len());
    if n > w {
        let extra: Vec<String> = row
            .cells
            .iter()
            .skip(w)
            .filter(|c| !c.trim().is_empty())
            .map(|c| format!("\"{}\"", c.trim()))
            .collect();
        if !extra.is_empty() {
            report.note(
                Status::Warning,
                None,
                format!(
                    "the row has {n} cells but the file {w} columns; the extra cells are not imported: {}",
                    extra.join(", ")
                ),
            );
        }
    } else if short_rows && n < w && n > 0 {
        report.note(
            Status::Warning,
            None,
            format!("the row has {n} cells but the file {w} columns; the missing cells are read as empty"),
        );
    }
}

/// The mapping resolved to column positions once for the whole table.
struct ColumnPlan {
    headers: Vec<String>,
    targets: Vec<Target>,
    id_column: String,
    list_separator: Option<char>,
    decimal_comma: bool,
    /// Which column fills each top-level field, for placing validation findings.
    field_columns: HashMap<&'static str, String>,
}

impl ColumnPlan {
    fn new(mapping: &Mapping, headers: &[String]) -> ColumnPlan {
        let targets: Vec<Target> = mapping.columns.iter().map(|c| c.target.clone()).collect();
        let header_of = |t: &Target| {
            mapping
                .columns
                .iter()
                .find(|c| &c.target == t)
                .map(|c| c.header.clone())
        };
        let mut field_columns = HashMap::new();
        let pairs: [(&'static str, Target); 9] = [
            ("storeId", Target::StoreId),
            ("name", Target::Name),
            ("address.city", Target::City),
            ("address.zipcode", Target::Zipcode),
            ("address.countryCode", Target::Country),
            ("contact.phone", Target::Phone),
            ("contact.email", Target::Email),
            ("contact.website", Target::Website),
            ("openingHours.timezone", Target::Timezone),
        ];
        for (path, target) in pairs {
            if let Some(h) = header_of(&target) {
                field_columns.insert(path, h);
            }
        }
        if let Some(h) = header_of(&Target::Latitude).or_else(|| header_of(&Target::Coordinates)) {
            field_columns.insert("location", h);
        }
        if let Some(h) = header_of(&Target::OpeningHours) {
            field_columns.insert("openingHours", h);
        }
        if let Some(h) = header_of(&Target::AddressLine) {
            field_columns.insert("address.lines", h);
        }
        ColumnPlan {
            headers: headers.to_vec(),
            targets,
            id_column: header_of(&Target::StoreId).unwrap_or_else(|| "storeId".into()),
            list_separator: mapping.list_separator,
            decimal_comma: mapping.decimal_comma,
            field_columns,
        }
    }

    /// The column a finding's path is about.
    fn column_of_path(&self, path: &str) -> Option<String> {
        let mut best: Option<(&str, &String)> = None;
        for (prefix, column) in &self.field_columns {
            if path.starts_with(prefix) && best.is_none_or(|(p, _)| prefix.len() > p.len()) {
                best = Some((prefix, column));
            }
        }
        best.map(|(_, c)| c.clone())
    }

    /// The store a row describes (without its id checks, done by the caller).
    fn store_of(&self, row: &Row, report: &mut RowReport) -> Store {
        let mut store = Store::default();
        let mut lat: Option<(f64, usize)> = None;
        let mut lng: Option<(f64, usize)> = None;
        let mut coords_seen = false;
        let mut lines: Vec<String> = Vec::new();
        let mut address = Address::default();
        let mut contact = Contact::default();
        let mut hours: Option<OpeningHours> = None;
        let mut props = Map::new();
        let mut names = Map::new();
        for (col, target) in self.targets.iter().enumerate() {
            let cell = unescape(row.cell(col));
            if cell.is_empty() || *target == Target::Ignore {
                continue;
            }
            let header = self.headers[col].as_str();
            match target {
                Target::Ignore => {}
                Target::StoreId => store.store_id = Some(cell.to_owned()),
                Target::Name => store.name = Some(cell.to_owned()),
                Target::Latitude | Target::Longitude => {
                    coords_seen = true;
                    let axis = if *target == Target::Latitude {
                        cells::Axis::Latitude
                    } else {
                        cells::Axis::Longitude
                    };
                    match cells::parse_coordinate(cell, axis) {
                        Ok(v) => {
                            if *target == Target::Latitude {
                                lat = Some((v, col));
                            } else {
                                lng = Some((v, col));
                            }
                        }
                        Err(e) => report.note(Status::Error, Some(header), e.to_string()),
                    }
                }
                Target::Coordinates => {
                    coords_seen = true;
                    match cells::parse_lat_lng(cell) {
                        Ok((a, b)) => {
                            lat = Some((a, col));
                            lng = Some((b, col));
                        }
                        Err(e) => report.note(Status::Error, Some(header), e.to_string()),
                    }
                }
                Target::AddressLine => lines.push(cell.to_owned()),
                Target::City => address.city = Some(cell.to_owned()),
                Target::Zipcode => address.zipcode = Some(cell.to_owned()),
                Target::Country => match cells::parse_country(cell) {
                    Ok(code) => address.country_code = Some(code.to_owned()),
                    Err(e) => {
                        report.note(Status::Error, Some(header), e.to_string());
                        address.country_code = Some(cell.to_owned());
                    }
                },
                Target::Phone => contact.phone = Some(cell.to_owned()),
                Target::Email => contact.email = Some(cell.to_owned()),
                Target::Website => contact.website = Some(cell.to_owned()),
                Target::Types | Target::Tags => {
                    let values = cells::split_list(cell, self.list_separator);
                    let list = if *target == Target::Types {
                        store.types.get_or_insert_with(Vec::new)
                    } else {
                        store.tags.get_or_insert_with(Vec::new)
                    };
                    for v in values {
                        if !list.contains(&v) {
                            list.push(v);
                        }
                    }
                }
                Target::OpeningHours => match cells::parse_opening_hours(cell) {
                    Ok((parsed, notes)) => {
                        for n in notes {
                            add_cell_note(report, header, n);
                        }
                        let h = hours.get_or_insert_with(OpeningHours::default);
                        merge_hours(h, parsed);
                    }
                    Err(e) => report.note(
                        Status::Error,
                        Some(header),
                        format!("{e} The hours are not imported."),
                    ),
                },
                Target::Weekday { day } => {
                    let h = hours.get_or_insert_with(OpeningHours::default);
                    match cells::add_weekday_cell(h, *day, cell) {
                        Ok(notes) => {
                            for n in notes {
                                add_cell_note(report, header, n);
                            }
                        }
                        Err(e) => report.note(
                            Status::Error,
                            Some(header),
                            format!("{e} The hours of this day are not imported."),
                        ),
                    }
                }
                Target::TemporaryClosures => match read_closures(cell) {
                    Ok(closures) => {
                        hours
                            .get_or_insert_with(OpeningHours::default)
                            .temporary_closure = Some(closures);
                    }
                    Err(e) => report.note(Status::Error, Some(header), e),
                },
                Target::Timezone => {
                    hours.get_or_insert_with(OpeningHours::default).timezone =
                        Some(cell.to_owned());
                }
                Target::UserProperty { key } => {
                    props.insert(key.clone(), user_value(cell, self.decimal_comma));
                }
                Target::LocalizedName { language } => {
                    names.insert(language.clone(), Value::String(cell.to_owned()));
                }
            }
        }
        match (lat, lng) {
            (Some((a, ca)), Some((b, _))) => {
                let country = address.country_code.as_deref();
                if cells::likely_swapped(a, b, country) {
                    report.note(
                        Status::Warning,
                        Some(&self.headers[ca]),
                        format!(
                            "latitude {a} and longitude {b} look swapped; check the columns of this row"
                        ),
                    );
                }
                store.location = Some(Location::new(a, b));
            }
            (Some((_, c)), None) | (None, Some((_, c))) if coords_seen => {
                report.note(
                    Status::Error,
                    Some(&self.headers[c]),
                    "only one of latitude and longitude is given; the store needs a location",
                );
            }
            _ => {}
        }
        if !lines.is_empty() {
            address.lines = Some(lines);
        }
        if address != Address::default() {
            store.address = Some(address);
        }
        if contact != Contact::default() {
            store.contact = Some(contact);
        }
        if !props.is_empty() {
            store.user_properties = Some(props);
        }
        if !names.is_empty() {
            store.localized_names = Some(names);
        }
        store.opening_hours = hours;
        store
    }
}

/// A cell written by a CSV export with a leading `'` so that a spreadsheet does not run it
/// as a formula, as it was.
fn unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// Puts the days and special days of `parsed` into `into` (a later column wins for a day).
fn merge_hours(into: &mut OpeningHours, parsed: OpeningHours) {
    if let Some(usual) = parsed.usual {
        into.usual
            .get_or_insert_with(Default::default)
            .extend(usual);
    }
    if let Some(special) = parsed.special {
        into.special
            .get_or_insert_with(Default::default)
            .extend(special);
    }
    if let Some(closures) = parsed.temporary_closure {
        into.temporary_closure
            .get_or_insert_with(Vec::new)
            .extend(closures);
    }
    if parsed.timezone.is_some() {
        into.timezone = parsed.timezone;
    }
}

/// A user-property cell as a JSON value: JSON numbers (at most 15 digits, no leading zeros),
/// `true`, `false`, `null`, arrays, objects and quoted strings as such; with `decimal_comma`,
/// `1,5` as 1.5; anything else as the text it is.
pub fn user_value(cell: &str, decimal_comma: bool) -> Value {
    let t = cell.trim();
    let json_like = match t.as_bytes().first() {
        Some(b'"' | b'[' | b'{') => true,
        Some(b'-' | b'0'..=b'9') => t.bytes().filter(u8::is_ascii_digit).count() <= 15,
        _ => matches!(t, "true" | "false" | "null"),
    };
    if json_like && let Ok(v) = serde_json::from_str::<Value>(t) {
        return v;
    }
    if decimal_comma
        && t.bytes().filter(|&b| b == b',').count() == 1
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'-')
        && let Ok(n) = t.replace(',', ".").parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(n)
    {
        return Value::Number(n);
    }
    Value::String(cell.to_owned())
}

/// Temporary closures as this product's CSV export writes them: `2026-12-24/2026-12-31`,
/// several separated by commas or semicolons; one day alone is a closure of that day.
fn read_closures(cell: &str) -> Result<Vec<crate::hours::Closure>, String> {
    let mut out = Vec::new();
    for part in cell
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (start, end) = part.split_once('/').unwrap_or((part, part));
        let (start, end) = (start.trim(), end.trim());
        for d in [start, end] {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                return Err(format!(
                    "\"{d}\" is not a date written YYYY-MM-DD; write closures as 2026-12-24/2026-12-31; the closures are not imported"
                ));
            }
        }
        out.push(crate::hours::Closure {
            start: start.to_owned(),
            end: end.to_owned(),
            extra: Map::new(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_values_keep_json_types_and_leading_zeros() {
        assert_eq!(user_value("12", false), json!(12));
        assert_eq!(user_value("-1.5", false), json!(-1.5));
        assert_eq!(user_value("00118", false), json!("00118"));
        assert_eq!(user_value("\"12\"", false), json!("12"));
        assert_eq!(user_value("true", false), json!(true));
        assert_eq!(user_value("yes", false), json!("yes"));
        assert_eq!(user_value("1,5", false), json!("1,5"));
        assert_eq!(user_value("1,5", true), json!(1.5));
        assert_eq!(
            user_value("12345678901234567890", false),
            json!("12345678901234567890")
        );
        assert_eq!(user_value("[1, \"a\"]", false), json!([1, "a"]));
        assert_eq!(user_value("{broken", false), json!("{broken"));
    }

    #[test]
    fn closures_read_back() {
        let c = read_closures("2026-12-24/2026-12-31, 2027-01-05").expect("read");
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[1].start.as_str(), c[1].end.as_str()),
            ("2027-01-05", "2027-01-05")
        );
        assert!(read_closures("24/12/2026").is_err());
    }
}
