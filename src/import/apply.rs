//! Writing an import to the workspace: drafts only, never a push, one undoable step.

use std::collections::HashSet;

use serde::Serialize;

use super::ImportError;
use super::convert::Conversion;
use crate::model::{Address, Contact, Store};
use crate::workspace::{Edit, Origin, Workspace};

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
                let next = match mode {
                    ApplyMode::Merge => merge(current, store),
                    ApplyMode::Replace | ApplyMode::ReplaceProject => store,
                };
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
