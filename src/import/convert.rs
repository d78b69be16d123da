//! From a read file to stores and the report: rows through the column mapping, stores of a
//! JSON file as they are; every store validated; ids made where missing, duplicates caught.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};

use serde_json::{Map, Value};

use super::cells::{self, CellNote, IdAllocator, IdClaim, NoteLevel};
use super::mapping::{Mapping, Target};
use super::report::{Note, NoteTexts, Report, RowReport, Status};
use super::table::{Row, Table, TableFormat};
use super::{ImportError, Source};
use crate::hours::OpeningHours;
use crate::model::countries::fold_name;
use crate::model::{Address, Contact, Location, Store, StoreFile};
use crate::validate::{self, Code, Context, Severity};
use crate::workspace::Prepared;

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
    let items = Items::of(source, mapping)?;
    let mut collected = Collect::default();
    let report = run(&items, ctx, &prepare_nothing, &mut collected)?;
    let mut stores = collected.stores;
    // Stores whose id was made come after the others; the conversion lists them by row.
    stores.sort_by_key(|(row, _)| *row);
    Ok(Conversion { report, stores })
}

/// Like `convert`, consuming the source.
pub fn convert_owned(
    source: Source,
    mapping: Option<&Mapping>,
    ctx: &Context,
) -> Result<Conversion, ImportError> {
    convert(&source, mapping, ctx)
}

/// The items of a file (a table's rows, a JSON file's stores), each converted on its own.
pub(crate) enum Items<'a> {
    Table { table: &'a Table, plan: ColumnPlan },
    Document(&'a StoreFile),
}

impl<'a> Items<'a> {
    /// The items of `source`; a table through `mapping` (the guess when `None`).
    pub(crate) fn of(
        source: &'a Source,
        mapping: Option<&Mapping>,
    ) -> Result<Items<'a>, ImportError> {
        let table = match source {
            Source::Stores(doc) => return Ok(Items::Document(doc)),
            Source::Table(table) => table,
        };
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
        Ok(Items::Table {
            table,
            plan: ColumnPlan::new(mapping, &table.headers),
        })
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Items::Table { table, .. } => table.rows.len(),
            Items::Document(doc) => doc.len(),
        }
    }

    /// The report before any row is converted.
    fn report(&self) -> Report {
        match self {
            Items::Table { table, .. } => {
                let mut report = Report {
                    format: table.format.describe(),
                    line_word: table.line_word,
                    ..Report::default()
                };
                if !table.header_row {
                    report.file_notes.push(Note::new(
                        Status::Warning,
                        None,
                        "the first row does not look like column names, so columns are named Column 1, Column 2...; check the mapping",
                    ));
                }
                report
            }
            Items::Document(doc) => Report {
                format: doc.kind.label().to_owned(),
                line_word: "line",
                ..Report::default()
            },
        }
    }

    fn id_column(&self) -> &str {
        match self {
            Items::Table { plan, .. } => &plan.id_column,
            Items::Document(_) => "storeId",
        }
    }

    /// The column a validation finding's path is about.
    fn column_of(&self, path: &str) -> Option<String> {
        match self {
            Items::Table { plan, .. } => plan.column_of_path(path),
            Items::Document(_) => Some(path.to_owned()),
        }
    }

    /// Item `i` as its row and its store (without the id checks across the file), with the
    /// cells its opening hours were made from (a table's rows only).
    fn item(&self, i: usize) -> (RowReport, Option<Store>, Option<HoursCells>) {
        match self {
            Items::Table { table, plan } => {
                let row = &table.rows[i];
                let mut report = RowReport::new(i + 1, row.line);
                if row.is_blank() {
                    report.note(Status::Warning, None, "the row is empty; nothing to import");
                    return (report, None, None);
                }
                // A sheet's row ends at its last filled cell, so only text files have short rows.
                let text = matches!(table.format, TableFormat::Delimited { .. });
                check_width(row, &table.headers, text, &mut report);
                let (store, cells) = plan.store_of(row, &mut report);
                (report, Some(store), cells)
            }
            Items::Document(doc) => {
                // Read here, on the converting thread.
                let Some(entry) = doc.entry(i) else {
                    return (RowReport::new(i + 1, 0), None, None);
                };
                let mut report = RowReport::new(entry.index + 1, entry.line);
                match entry.result {
                    Err(e) => {
                        report.note(Status::Error, None, e.message);
                        (report, None, None)
                    }
                    Ok(store) => (report, Some(store), None),
                }
            }
        }
    }

    /// Converts item `i` as far as it goes on its own. `made` is the id made for it (with the
    /// note saying so) once the ids the file gives are all known.
    fn work(
        &self,
        i: usize,
        made: Option<&(String, String)>,
        ctx: &Context,
        prepare: &Prepare<'_>,
    ) -> Worked {
        let (mut row, store, hours_cells) = self.item(i);
        let Some(mut store) = store else {
            return Worked::NotAStore(row);
        };
        let id_column = self.id_column();
        if let Some((id, note)) = made {
            if !note.is_empty() {
                row.note(Status::Warning, Some(id_column), note.clone());
            }
            row.id = Some(id.clone());
            store.store_id = Some(id.clone());
            let checked = self.check(store, hours_cells, ctx, &mut row, prepare);
            return Worked::Made { row, checked };
        }
        match store.store_id.take().filter(|s| !s.trim().is_empty()) {
            Some(raw) => {
                let id = match self {
                    Items::Document(_) => raw,
                    Items::Table { .. } => {
                        let (clean, note) = cells::clean_id(&raw);
                        if let Some(note) = note {
                            add_cell_note(&mut row, id_column, note);
                        }
                        clean
                    }
                };
                row.id = Some(id.clone());
                store.store_id = Some(id.clone());
                // Checked as if the id were free: when another row has it, this is dropped.
                let mut notes = RowReport::new(row.row, row.line);
                let checked = self.check(store, hours_cells, ctx, &mut notes, prepare);
                Worked::Given {
                    row,
                    id,
                    notes: notes.notes,
                    checked,
                }
            }
            None => {
                let name = store.name.as_deref().unwrap_or("").trim().to_owned();
                let city = store
                    .address
                    .as_ref()
                    .and_then(|a| a.city.clone())
                    .unwrap_or_default();
                Worked::NeedsId { row, name, city }
            }
        }
    }

    /// Validates the store and adds its errors and warnings to the row. `hours_cells` are the
    /// cells the store's opening hours were made from, when a table's row made them.
    fn check(
        &self,
        mut store: Store,
        hours_cells: Option<HoursCells>,
        ctx: &Context,
        row: &mut RowReport,
        prepare: &Prepare<'_>,
    ) -> Checked {
        let errors = check(&store, ctx, row, &|path| self.column_of(path));
        // A store made ready for the workspace is no longer needed: it is freed here, on the
        // converting thread that made it, not on the thread that writes, and its opening
        // hours are kept for the next row with the same hours cells.
        match prepare(&store, errors, row.row) {
            Some(prepared) => {
                if let (Some(cells), Some(hours)) = (hours_cells, store.opening_hours.take()) {
                    SPARE_HOURS
                        .with(|spare| *spare.borrow_mut() = Some(SpareHours { cells, hours }));
                }
                Checked::Prepared(prepared)
            }
            None => Checked::Store {
                store: Box::new(store),
                errors,
            },
        }
    }
}

/// A validated store: made ready for the workspace on the converting thread when the sink
/// asked for it, else as it is (boxed, so that the chunks of converted rows stay small), with
/// its number of validation errors.
pub(crate) enum Checked {
    Prepared(Prepared),
    Store { store: Box<Store>, errors: usize },
}

/// An item converted on its own.
enum Worked {
    /// A blank row, or a store that cannot be read.
    NotAStore(RowReport),
    /// A store with its own id, validated as if the id were free (`notes`: what validation
    /// said, to add when it is).
    Given {
        row: RowReport,
        id: String,
        notes: Vec<Note>,
        checked: Checked,
    },
    /// A store without an id: one is made from its name and city once every given id is known.
    NeedsId {
        row: RowReport,
        name: String,
        city: String,
    },
    /// A store with the id made for it, validated.
    Made { row: RowReport, checked: Checked },
}

impl Worked {
    /// The same, its notes sharing the texts `held` holds (and the new ones held from now on).
    fn shared(mut self, held: &mut NoteTexts) -> Worked {
        match &mut self {
            Worked::NotAStore(row) | Worked::NeedsId { row, .. } | Worked::Made { row, .. } => {
                held.share(row);
            }
            Worked::Given { row, notes, .. } => {
                held.share(row);
                notes.iter_mut().for_each(|note| held.share_note(note));
            }
        }
        self
    }
}

/// Where the stores of a conversion go, in the order of the file, except that stores whose
/// id was made come after all the others.
pub(crate) trait Sink {
    /// The store of row `row_index` (1-based number `row`), validated.
    fn store(&mut self, row_index: usize, row: usize, checked: Checked) -> Result<(), ImportError>;
}

/// Makes a validated store (with its error count and 1-based row) ready for the workspace on
/// the converting thread, when it is to be written there.
pub(crate) type Prepare<'a> = dyn Fn(&Store, usize, usize) -> Option<Prepared> + Sync + 'a;

/// Prepares nothing.
pub(crate) fn prepare_nothing(_: &Store, _: usize, _: usize) -> Option<Prepared> {
    None
}

/// Keeps every store, for a conversion shown before it is applied.
#[derive(Default)]
struct Collect {
    stores: Vec<(usize, Store)>,
}

impl Sink for Collect {
    fn store(
        &mut self,
        row_index: usize,
        _row: usize,
        checked: Checked,
    ) -> Result<(), ImportError> {
        // Nothing is prepared for a conversion that only collects.
        if let Checked::Store { store, .. } = checked {
            self.stores.push((row_index, *store));
        }
        Ok(())
    }
}

/// Items converted together by one thread.
const CHUNK: usize = 1024;

/// Chunks converted ahead of the one being handed to the sink, at most.
const AHEAD: usize = 4;

/// Converts every item and hands the stores to `sink`: the items are converted chunk by
/// chunk on several threads while the sink takes the chunks already done, in order, so that
/// only a few chunks are held at once. Ids the file gives are claimed in the order of the
/// rows, before any id is made, so that a made id never takes one a later row gives; a row
/// whose given id repeats an earlier row's is left out; every store is validated.
pub(crate) fn run(
    items: &Items<'_>,
    ctx: &Context,
    prepare: &Prepare<'_>,
    sink: &mut dyn Sink,
) -> Result<Report, ImportError> {
    let mut report = items.report();
    let n = items.len();
    let id_column = items.id_column().to_owned();
    let mut ids = IdAllocator::with_capacity(n);
    let mut waiting: Vec<(usize, String, String)> = Vec::new();
    // Each converting thread shares the texts of the notes it writes, and this thread those
    // it adds: a text made on one thread is never freed on another (see `Worked::shared`).
    let mut texts = NoteTexts::default();
    report.rows.reserve(n);
    in_order(
        n,
        &|held, i| items.work(i, None, ctx, prepare).shared(held),
        &mut |i, worked| {
            match worked {
                Worked::NotAStore(row) => {
                    report.rows.push(row);
                }
                Worked::Given {
                    mut row,
                    id,
                    notes,
                    checked,
                } => match ids.take_given(id, row.row) {
                    Some(first_row) => {
                        let id = row.id.clone().unwrap_or_default();
                        row.note(
                            Status::Error,
                            Some(&id_column),
                            format!(
                                "store id \"{id}\" is already used by row {first_row}; this row is not imported. Give one of them another id"
                            ),
                        );
                        texts.share_last(&mut row);
                        report.rows.push(row);
                    }
                    None => {
                        for note in notes {
                            row.push(note);
                        }
                        row.imported = true;
                        let number = row.row;
                        report.rows.push(row);
                        sink.store(i, number, checked)?;
                    }
                },
                Worked::NeedsId {
                    mut row,
                    name,
                    city,
                } => {
                    if name.is_empty() {
                        row.note(
                            Status::Error,
                            Some(&id_column),
                            "the row has no store id and no name to make one from; this row is not imported",
                        );
                        texts.share_last(&mut row);
                    } else {
                        waiting.push((i, name, city));
                    }
                    report.rows.push(row);
                }
                Worked::Made { .. } => {}
            }
            Ok(())
        },
    )?;
    if waiting.is_empty() {
        return Ok(report);
    }
    // Ids made from the name and city, in the order of the rows, now that every given id is
    // known.
    let mut made: Vec<(usize, (String, String))> = Vec::with_capacity(waiting.len());
    for (i, name, city) in waiting {
        let row = report.rows[i].row;
        // "Markthal Rotterdam" in Rotterdam: the city is in the name already.
        let folded_city = fold_name(&city);
        let city = if !folded_city.is_empty() && fold_name(&name).contains(&folded_city) {
            ""
        } else {
            city.as_str()
        };
        let wanted = cells::slug_id(&name, city);
        let (id, note) = match ids.claim_generated(&wanted, row) {
            IdClaim::Taken(id) => {
                let note = format!("no store id; \"{id}\" made from the name and city");
                (id, note)
            }
            IdClaim::Suffixed { id, wanted } => {
                let note = format!(
                    "no store id; \"{id}\" made from the name and city (\"{wanted}\" is another row's)"
                );
                (id, note)
            }
            IdClaim::Duplicate { id, .. } => (id, String::new()),
        };
        made.push((i, (id, note)));
    }
    in_order(
        made.len(),
        &|held, k| {
            items
                .work(made[k].0, Some(&made[k].1), ctx, prepare)
                .shared(held)
        },
        &mut |k, worked| {
            if let Worked::Made { mut row, checked } = worked {
                row.imported = true;
                let i = made[k].0;
                let number = row.row;
                report.rows[i] = row;
                sink.store(i, number, checked)?;
            }
            Ok(())
        },
    )?;
    Ok(report)
}

/// Runs `work` on every index in `0..n`, a chunk at a time on several threads, and hands the
/// results to `take` in the order of the indices. At most [`AHEAD`] chunks wait for `take`.
/// Each thread keeps an `S` of its own, which `work` is given with every index.
fn in_order<T: Send, S: Default>(
    n: usize,
    work: &(dyn Fn(&mut S, usize) -> T + Sync),
    take: &mut dyn FnMut(usize, T) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let chunks = n.div_ceil(CHUNK);
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .clamp(1, 4)
        .min(chunks);
    if threads <= 1 {
        let mut own = S::default();
        for i in 0..n {
            take(i, work(&mut own, i))?;
        }
        return Ok(());
    }
    // (next chunk to start, chunks taken, stop)
    let gate = Mutex::new((0usize, 0usize, false));
    let moved = Condvar::new();
    let (done, arrived) = mpsc::channel::<(usize, Vec<T>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let done = done.clone();
            let (gate, moved) = (&gate, &moved);
            scope.spawn(move || {
                let mut own = S::default();
                loop {
                    let chunk = {
                        let mut g = gate.lock().unwrap_or_else(PoisonError::into_inner);
                        while !g.2 && g.0 < chunks && g.0 >= g.1 + AHEAD {
                            g = moved.wait(g).unwrap_or_else(PoisonError::into_inner);
                        }
                        if g.2 || g.0 >= chunks {
                            return;
                        }
                        g.0 += 1;
                        g.0 - 1
                    };
                    let from = chunk * CHUNK;
                    let results = (from..n.min(from + CHUNK))
                        .map(|i| work(&mut own, i))
                        .collect();
                    if done.send((chunk, results)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done);
        let stop = || {
            let mut g = gate.lock().unwrap_or_else(PoisonError::into_inner);
            g.2 = true;
            moved.notify_all();
        };
        let mut ready: BTreeMap<usize, Vec<T>> = BTreeMap::new();
        let mut next = 0;
        for (chunk, results) in arrived.iter() {
            ready.insert(chunk, results);
            while let Some(results) = ready.remove(&next) {
                for (k, result) in results.into_iter().enumerate() {
                    if let Err(e) = take(next * CHUNK + k, result) {
                        stop();
                        return Err(e);
                    }
                }
                next += 1;
                let mut g = gate.lock().unwrap_or_else(PoisonError::into_inner);
                g.1 = next;
                moved.notify_all();
            }
        }
        if next == chunks {
            Ok(())
        } else {
            stop();
            Err(ImportError::Unreadable(
                "a part of the file could not be converted; try the import again".to_owned(),
            ))
        }
    })
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
/// said once, as "needs a location". Returns the number of findings of severity error.
fn check(
    store: &Store,
    ctx: &Context,
    row: &mut RowReport,
    column_of: &dyn Fn(&str) -> Option<String>,
) -> usize {
    let mut errors = 0;
    for f in validate::validate_store(store, ctx) {
        if f.severity == Severity::Error {
            errors += 1;
        }
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
    errors
}

/// Ragged rows: more cells than columns (the extra ones are named, not dropped silently),
/// or fewer (read as empty).
fn check_width(row: &Row, headers: &[String], short_rows: bool, report: &mut RowReport) {
    let (n, w) = (row.len(), headers.len());
    if n > w {
        let extra: Vec<String> = row
            .cells()
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
pub(crate) struct ColumnPlan {
    headers: Vec<String>,
    targets: Vec<Target>,
    id_column: String,
    list_separator: Option<char>,
    decimal_comma: bool,
    /// Which column fills each top-level field, for placing validation findings.
    field_columns: HashMap<&'static str, String>,
    /// Opening-hours cells already read: the stores of a file often share their hours.
    hours_read: Mutex<HashMap<String, Arc<HoursCell>>>,
    /// Whether a row's opening hours come only from cells that each say alone what they add
    /// (no weekday columns), so that rows with the same cells can share them.
    hours_shared: bool,
}

/// An opening-hours cell as read.
type HoursCell = Result<(OpeningHours, Vec<CellNote>), cells::CellError>;

/// The filled cells a row's opening hours are made from, in the order of the columns: the
/// column, what it adds ([`hours_kind`]) and the cell's text. The hours are made from these
/// alone, so two rows with the same cells have the same hours.
type HoursCells = Vec<(usize, u8, String)>;

/// What a column adds to a row's opening hours when its cell alone says what: an hours text,
/// a time zone or temporary closures. `None` for other columns, and for a weekday's column,
/// whose cell changes the days that the other columns gave.
fn hours_kind(target: &Target) -> Option<u8> {
    match target {
        Target::OpeningHours => Some(0),
        Target::Timezone => Some(1),
        Target::TemporaryClosures => Some(2),
        _ => None,
    }
}

/// The opening hours of the last store a converting thread made ready, with the cells they
/// were made from: a file's rows often share their hours, and the next row with the same
/// cells takes them over instead of copying the hours read and freeing them again.
struct SpareHours {
    cells: HoursCells,
    hours: OpeningHours,
}

thread_local! {
    static SPARE_HOURS: RefCell<Option<SpareHours>> = const { RefCell::new(None) };
}

/// Distinct opening-hours cells remembered per file, at most.
const HOURS_REMEMBERED: usize = 4096;

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
            id_column: header_of(&Target::StoreId).unwrap_or_else(|| "storeId".into()),
            list_separator: mapping.list_separator,
            decimal_comma: mapping.decimal_comma,
            hours_shared: !targets.iter().any(|t| matches!(t, Target::Weekday { .. })),
            field_columns,
            hours_read: Mutex::new(HashMap::new()),
            targets,
        }
    }

    /// An opening-hours cell read, or found among the cells already read.
    fn opening_hours(&self, cell: &str) -> Arc<HoursCell> {
        let seen = |map: &HashMap<String, Arc<HoursCell>>| map.get(cell).cloned();
        if let Some(known) = seen(
            &self
                .hours_read
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        ) {
            return known;
        }
        let read = Arc::new(cells::parse_opening_hours(cell));
        let mut map = self
            .hours_read
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if map.len() < HOURS_REMEMBERED {
            map.insert(cell.to_owned(), Arc::clone(&read));
        }
        read
    }

    /// Whether the filled hours cells of `row` are `cells`.
    fn same_hours_cells(&self, row: &Row, cells: &HoursCells) -> bool {
        let mut expected = cells.iter();
        for (col, target) in self.targets.iter().enumerate() {
            let Some(kind) = hours_kind(target) else {
                continue;
            };
            let cell = unescape(row.cell(col));
            if cell.is_empty() {
                continue;
            }
            match expected.next() {
                Some((c, k, text)) if *c == col && *k == kind && text == cell => {}
                _ => return false,
            }
        }
        expected.next().is_none()
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

    /// The store a row describes (without its id checks, done by the caller), with the cells
    /// its opening hours were made from when rows with the same cells can share them.
    fn store_of(&self, row: &Row, report: &mut RowReport) -> (Store, Option<HoursCells>) {
        // The hours the last store made on this thread left, when they were made from this
        // row's hours cells: taken over as they are. The cells still give their notes.
        let spare = if self.hours_shared {
            SPARE_HOURS
                .with(|spare| spare.borrow_mut().take())
                .filter(|spare| self.same_hours_cells(row, &spare.cells))
        } else {
            None
        };
        let reused = spare.is_some();
        let mut hours_cells: HoursCells = Vec::new();
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
            if self.hours_shared
                && !reused
                && let Some(kind) = hours_kind(target)
            {
                hours_cells.push((col, kind, cell.to_owned()));
            }
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
                Target::OpeningHours => match &*self.opening_hours(cell) {
                    Ok((parsed, notes)) => {
                        for n in notes {
                            add_cell_note(report, header, n.clone());
                        }
                        if !reused {
                            let h = hours.get_or_insert_with(OpeningHours::default);
                            merge_hours(h, parsed.clone());
                        }
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
                        if !reused {
                            hours
                                .get_or_insert_with(OpeningHours::default)
                                .temporary_closure = Some(closures);
                        }
                    }
                    Err(e) => report.note(Status::Error, Some(header), e),
                },
                Target::Timezone => {
                    if !reused {
                        hours.get_or_insert_with(OpeningHours::default).timezone =
                            Some(cell.to_owned());
                    }
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
        let hours_cells = match spare {
            Some(spare) => {
                store.opening_hours = Some(spare.hours);
                Some(spare.cells)
            }
            None => {
                store.opening_hours = hours;
                self.hours_shared.then_some(hours_cells)
            }
        };
        (store, hours_cells)
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

/// `more` as it is where `into` has nothing yet (the usual case), else added to what it has.
fn take_or_extend<C: IntoIterator + Extend<C::Item>>(into: &mut Option<C>, more: C) {
    match into {
        Some(all) => all.extend(more),
        None => *into = Some(more),
    }
}

/// Puts the days and special days of `parsed` into `into` (a later column wins for a day).
fn merge_hours(into: &mut OpeningHours, parsed: OpeningHours) {
    if let Some(usual) = parsed.usual {
        take_or_extend(&mut into.usual, usual);
    }
    if let Some(special) = parsed.special {
        take_or_extend(&mut into.special, special);
    }
    if let Some(closures) = parsed.temporary_closure {
        take_or_extend(&mut into.temporary_closure, closures);
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
