//! Writing an import to the workspace: drafts only, never a push, one undoable step.

use std::collections::HashSet;

use serde::Serialize;

use super::convert::{Checked, Conversion, Items, Sink, prepare_nothing, run};
use super::mapping::Mapping;
use super::report::Report;
use super::{ImportError, Source};
use crate::model::{Address, Contact, Store};
use crate::validate::Context;
use crate::workspace::{Edit, Origin, Prepared, StepWriter, Workspace, WorkspaceError};

/// What to do with stores of the file whose id already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyMode {
    /// New ids become new stores; existing ones take the file's fields that have a value
    /// (an empty cell or an absent field keeps what the store has).
    Merge,
    /// New ids become new stores; existing ones become exactly the file's store.
    Replace,
    /// The file becomes the whole project: its stores as in `Replace`, and every other store
    /// a deletion. The push preview then shows the counts before anything is sent.
    ReplaceProject,
}

/// What an apply did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ApplySummary {
    pub created: usize,
    pub updated: usize,
    /// Stores of the file equal to what the workspace already has.
    pub unchanged: usize,
    pub deleted: usize,
}

impl ApplySummary {
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} new stores and {} updates added as drafts",
            self.created, self.updated
        );
        if self.deleted > 0 {
            s.push_str(&format!(", {} stores to delete", self.deleted));
        }
        if self.unchanged > 0 {
            s.push_str(&format!(", {} already as in the file", self.unchanged));
        }
        s.push_str("; nothing is sent until you push.");
        s
    }
}

/// Applies `conversion` (from the file `file`) to the workspace, in one step the user can
/// undo. On an error nothing has changed.
pub fn apply(
    ws: &mut Workspace,
    file: &str,
    conversion: Conversion,
    mode: ApplyMode,
) -> Result<ApplySummary, ImportError> {
    let not_imported = conversion
        .report
        .rows
        .iter()
        .filter(|r| !r.imported)
        .count();
    if mode == ApplyMode::ReplaceProject && not_imported > 0 {
        return Err(ImportError::ReplaceWithUnreadRows(not_imported));
    }
    let existing_ids = ws.ids()?;
    let touched: Vec<&str> = conversion
        .stores
        .iter()
        .map(|(_, s)| s.id())
        .filter(|id| existing_ids.contains(*id))
        .collect();
    let existing = ws.stores_of(touched)?;
    let mut summary = ApplySummary::default();
    let mut edits: Vec<(Edit, Origin)> = Vec::with_capacity(conversion.stores.len());
    let mut in_file: HashSet<String> = HashSet::with_capacity(conversion.stores.len());
    let rows = &conversion.report.rows;
    for (row_index, store) in conversion.stores {
        let row = rows.get(row_index).map(|r| r.row);
        let origin = Origin::Import {
            file: file.to_owned(),
            row,
        };
        if mode == ApplyMode::ReplaceProject {
            in_file.insert(store.id().to_owned());
        }
        let store = match existing.get(store.id()) {
            None => {
                summary.created += 1;
                store
            }
            Some(current) => {
                let next = imported_version(current, store, mode);
                if &next == current {
                    summary.unchanged += 1;
                    continue;
                }
                summary.updated += 1;
                next
            }
        };
        edits.push((Edit::put(store), origin));
    }
    if mode == ApplyMode::ReplaceProject {
        let mut gone: Vec<&String> = existing_ids
            .iter()
            .filter(|id| !in_file.contains(*id))
            .collect();
        gone.sort();
        summary.deleted = gone.len();
        for id in gone {
            edits.push((
                Edit::Delete(id.clone()),
                Origin::Import {
                    file: file.to_owned(),
                    row: None,
                },
            ));
        }
    }
    if !edits.is_empty() {
        ws.apply_batch(&format!("Import {file}"), edits)?;
    }
    Ok(summary)
}

/// What an import into the workspace gave: the report of every row, and what the step did
/// (or why nothing was written).
#[derive(Debug)]
pub struct Imported {
    pub report: Report,
    /// What was applied; on an error the workspace is unchanged.
    pub applied: Result<ApplySummary, ImportError>,
}

/// Converts `source` (a table through `mapping`, the guess when `None`) and applies it to the
/// workspace as one step the user can undo, as [`convert`](super::convert) followed by
/// [`apply`] would, chunk by chunk: each part of the file is converted on other threads while
/// the parts already converted are written, so the stores of a large file are never all held
/// at once and each is validated once. `Err` when the file cannot be converted at all (the
/// workspace is then untouched); a step that fails midway, or a file that cannot replace the
/// project, leaves the workspace as it was and says why in `applied`.
pub fn import_into(
    ws: &mut Workspace,
    file: &str,
    source: &Source,
    mapping: Option<&Mapping>,
    ctx: &Context,
    mode: ApplyMode,
) -> Result<Imported, ImportError> {
    import_into_with_progress(ws, file, source, mapping, ctx, mode, &|_, _| {})
}

/// [`import_into`], telling `progress` how many of the file's rows (or stores) have been
/// converted and written so far, and of how many, as it goes.
pub fn import_into_with_progress(
    ws: &mut Workspace,
    file: &str,
    source: &Source,
    mapping: Option<&Mapping>,
    ctx: &Context,
    mode: ApplyMode,
    progress: &dyn Fn(usize, usize),
) -> Result<Imported, ImportError> {
    let items = Items::of(source, mapping)?;
    let total = items.len();
    let mut step = match ws.begin_step(&format!("Import {file}")) {
        Ok(step) => step,
        Err(e) => {
            // The report is still worth showing: convert without writing.
            let report = run(&items, ctx, &prepare_nothing, &mut Discard)?;
            return Ok(Imported {
                report,
                applied: Err(e.into()),
            });
        }
    };
    let existing = match step.reserve(total).and_then(|()| step.ids()) {
        Ok(ids) => ids,
        Err(e) => {
            drop(step);
            let report = run(&items, ctx, &prepare_nothing, &mut Discard)?;
            return Ok(Imported {
                report,
                applied: Err(e.into()),
            });
        }
    };
    // New stores are made ready for the workspace on the converting threads.
    let origin = |row: usize| Origin::Import {
        file: file.to_owned(),
        row: Some(row),
    };
    let prepare = |store: &Store, errors: usize, row: usize| {
        (!existing.contains(store.id())).then(|| Prepared::put(store, errors, &origin(row)))
    };
    let mut sink = IntoStep {
        step: &mut step,
        file,
        mode,
        existing: &existing,
        summary: ApplySummary::default(),
        pending: Vec::new(),
        failed: None,
        progress,
        total,
    };
    let report = run(&items, ctx, &prepare, &mut sink)?;
    let applied = sink.finish(&report).and_then(|summary| {
        step.commit()?;
        Ok(summary)
    });
    Ok(Imported { report, applied })
}

/// Drops every store: the report alone.
struct Discard;

impl Sink for Discard {
    fn store(&mut self, _: usize, _: usize, _: Checked) -> Result<(), ImportError> {
        Ok(())
    }
}

/// Writes the stores of a conversion into an open step, a chunk at a time.
struct IntoStep<'s, 'w> {
    step: &'s mut StepWriter<'w>,
    file: &'s str,
    mode: ApplyMode,
    existing: &'s HashSet<String>,
    summary: ApplySummary,
    /// New stores waiting to be written together.
    pending: Vec<Prepared>,
    /// The first error of the step; nothing more is written after it.
    failed: Option<ImportError>,
    /// Told the rows done so far, of `total`.
    progress: &'s dyn Fn(usize, usize),
    total: usize,
}

/// New stores written to the step together.
const WRITE_CHUNK: usize = 1024;

impl IntoStep<'_, '_> {
    fn origin(&self, row: Option<usize>) -> Origin {
        Origin::Import {
            file: self.file.to_owned(),
            row,
        }
    }

    fn flush(&mut self) -> Result<(), ImportError> {
        if !self.pending.is_empty() {
            self.step.add_prepared(std::mem::take(&mut self.pending))?;
        }
        Ok(())
    }

    /// A new store, written with the next chunk.
    fn create(&mut self, prepared: Prepared) -> Result<(), ImportError> {
        self.summary.created += 1;
        self.pending.push(prepared);
        if self.pending.len() >= WRITE_CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn write(&mut self, row: usize, checked: Checked) -> Result<(), ImportError> {
        let (store, errors) = match checked {
            // Only new stores are prepared on the converting threads.
            Checked::Prepared(prepared) => return self.create(prepared),
            Checked::Store { store, errors } => (*store, errors),
        };
        if !self.existing.contains(store.id()) {
            let prepared = Prepared::put(&store, errors, &self.origin(Some(row)));
            return self.create(prepared);
        }
        self.flush()?;
        let Some(current) = self.step.store(store.id())? else {
            return Err(ImportError::Workspace(WorkspaceError::UnknownStore(
                store.id().to_owned(),
            )));
        };
        let next = imported_version(&current, store, self.mode);
        if next == current {
            self.summary.unchanged += 1;
            return Ok(());
        }
        self.summary.updated += 1;
        let origin = self.origin(Some(row));
        self.step.add(vec![(Edit::put(next), origin)])?;
        Ok(())
    }

    /// Writes what is left; for a file that replaces the project, checks every row was read
    /// and deletes the stores the file does not have.
    fn finish(&mut self, report: &Report) -> Result<ApplySummary, ImportError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.flush()?;
        if self.mode == ApplyMode::ReplaceProject {
            let not_imported = report.rows.iter().filter(|r| !r.imported).count();
            if not_imported > 0 {
                return Err(ImportError::ReplaceWithUnreadRows(not_imported));
            }
            let in_file: HashSet<&str> =
                report.rows.iter().filter_map(|r| r.id.as_deref()).collect();
            let mut gone: Vec<&String> = self
                .existing
                .iter()
                .filter(|id| !in_file.contains(id.as_str()))
                .collect();
            gone.sort();
            self.summary.deleted = gone.len();
            let edits = gone
                .into_iter()
                .map(|id| (Edit::Delete(id.clone()), self.origin(None)))
                .collect();
            self.step.add(edits)?;
        }
        Ok(self.summary)
    }
}

impl Sink for IntoStep<'_, '_> {
    fn store(&mut self, row_index: usize, row: usize, checked: Checked) -> Result<(), ImportError> {
        (self.progress)(row_index + 1, self.total);
        // A failed step goes on converting, for the report, and writes nothing more.
        if self.failed.is_some() {
            return Ok(());
        }
        if let Err(e) = self.write(row, checked) {
            self.failed = Some(e);
        }
        Ok(())
    }
}

/// What an existing store becomes when a file brings `imported` in `mode`: merged field by
/// field or replaced, keeping the store's opening hours when the file says the same hours
/// another way (hours per weekday do not change a store whose hours say "every day").
fn imported_version(current: &Store, imported: Store, mode: ApplyMode) -> Store {
    let mut next = match mode {
        ApplyMode::Merge => merge(current, imported),
        ApplyMode::Replace | ApplyMode::ReplaceProject => imported,
    };
    if let (Some(c), Some(n)) = (&current.opening_hours, &next.opening_hours)
        && c.same_hours_as(n)
    {
        next.opening_hours = current.opening_hours.clone();
    }
    next
}

/// `current` with the fields of `imported` that have a value: address and contact field by
/// field, user properties and localized names key by key, opening hours day by day.
pub fn merge(current: &Store, imported: Store) -> Store {
    let mut out = current.clone();
    let Store {
        store_id: _,
        name,
        location,
        address,
        contact,
        types,
        tags,
        user_properties,
        localized_names,
        opening_hours,
        extra,
    } = imported;
    if name.is_some() {
        out.name = name;
    }
    if location.is_some() {
        out.location = location;
    }
    if let Some(a) = address {
        let into = out.address.get_or_insert_with(Address::default);
        if a.lines.is_some() {
            into.lines = a.lines;
        }
        if a.country_code.is_some() {
            into.country_code = a.country_code;
        }
        if a.city.is_some() {
            into.city = a.city;
        }
        if a.zipcode.is_some() {
            into.zipcode = a.zipcode;
        }
        into.extra.extend(a.extra);
    }
    if let Some(c) = contact {
        let into = out.contact.get_or_insert_with(Contact::default);
        if c.website.is_some() {
            into.website = c.website;
        }
        if c.phone.is_some() {
            into.phone = c.phone;
        }
        if c.email.is_some() {
            into.email = c.email;
        }
        into.extra.extend(c.extra);
    }
    if types.is_some() {
        out.types = types;
    }
    if tags.is_some() {
        out.tags = tags;
    }
    if let Some(props) = user_properties {
        out.user_properties
            .get_or_insert_with(Default::default)
            .extend(props);
    }
    if let Some(names) = localized_names {
        out.localized_names
            .get_or_insert_with(Default::default)
            .extend(names);
    }
    if let Some(h) = opening_hours {
        let into = out.opening_hours.get_or_insert_with(Default::default);
        if h.timezone.is_some() {
            into.timezone = h.timezone;
        }
        if let Some(usual) = h.usual {
            into.usual
                .get_or_insert_with(Default::default)
                .extend(usual);
        }
        if let Some(special) = h.special {
            into.special
                .get_or_insert_with(Default::default)
                .extend(special);
        }
        if h.temporary_closure.is_some() {
            into.temporary_closure = h.temporary_closure;
        }
        into.extra.extend(h.extra);
    }
    out.extra.extend(extra);
    out
}
