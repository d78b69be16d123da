//! The work behind the import wizard and the export dialog: the file dialogs on a thread of
//! their own (they block until the user answers), reading and converting a file, applying it
//! to the workspace as drafts, and writing an export.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Command, Event, Worker};
use crate::app::files::{ImportRead, file_name, format_label};
use crate::export::{self, Format};
use crate::import::{self, ApplyMode, Mapping, MappingStore, ReadOptions, Source};
use crate::validate::Context;

impl Worker {
    /// The saved column mappings of the open profile.
    fn mappings(&self) -> Option<MappingStore> {
        let session = self.session.as_ref()?;
        let dir = session.ws.path().parent()?;
        Some(crate::cli::mapping_store(dir))
    }

    /// Asks the file dialogs on a thread of their own; the answer comes back as `next`.
    fn ask(
        &self,
        what: &str,
        ask: impl FnOnce(&dyn crate::app::files::FileDialogs) -> Option<Command> + Send + 'static,
    ) {
        let dialogs = match self.dialogs.read() {
            Ok(d) => d.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let commands = self.commands.clone();
        let generation = self.generation;
        let spawned = std::thread::Builder::new()
            .name("storedesk-dialog".into())
            .spawn(move || {
                if let Some(next) = ask(dialogs.as_ref()) {
                    let _ = commands.send((generation, next));
                }
            });
        if let Err(e) = spawned {
            self.error(format!(
                "The {what} dialog could not open ({e}); close other programs and try again."
            ));
        }
    }

    pub(super) fn pick_import(&self) {
        self.ask("open", |d| {
            d.pick_import()
                .map(|path| Command::ReadImport { path, sheet: None })
        });
    }

    pub(super) fn pick_export(&self, format: Format, ids: Option<Vec<String>>) {
        let name = crate::app::files::suggested_export_name(
            self.session.as_ref().map(|s| s.profile.name.as_str()),
            format,
        );
        self.ask("save", move |d| {
            d.pick_export(&name, format)
                .map(|path| Command::WriteExport { path, format, ids })
        });
    }

    /// Reads a file for the wizard and converts it with the mapping saved for its columns (or
    /// the guess).
    pub(super) fn read_import(&self, path: PathBuf, sheet: Option<String>) {
        self.send(Event::ImportReading(path.clone()));
        let options = ReadOptions {
            sheet: sheet.clone(),
        };
        let source = match import::read_path(&path, &options) {
            Ok(s) => s,
            Err(e) => {
                return self.send(Event::ImportRead(Err(format!(
                    "{} cannot be imported: {e}.",
                    file_name(&path)
                ))));
            }
        };
        let mapping = match &source {
            Source::Stores(_) => None,
            Source::Table(t) => Some(
                self.mappings()
                    .and_then(|m| m.load(&t.headers))
                    .unwrap_or_else(|| Mapping::guess(&t.headers)),
            ),
        };
        let report = import::convert(&source, mapping.as_ref(), &Context::today())
            .map(|c| c.report)
            .map_err(|e| format!("{}: {e}.", file_name(&path)));
        self.send(Event::ImportRead(Ok(Box::new(ImportRead {
            path,
            source: Arc::new(source),
            sheet,
            mapping,
            report,
        }))));
    }

    pub(super) fn convert_import(&self, source: &Source, mapping: &Mapping, revision: u64) {
        let report = import::convert(source, Some(mapping), &Context::today())
            .map(|c| c.report)
            .map_err(|e| sentence(&e));
        self.send(Event::ImportConverted { revision, report });
    }

    /// Writes the file's stores to the workspace in one step, telling the window how far it
    /// is; keeps the mapping for the next file with these columns.
    pub(super) fn apply_import(
        &mut self,
        path: &Path,
        source: &Source,
        mapping: Option<&Mapping>,
        mode: ApplyMode,
    ) {
        let Some(session) = &mut self.session else {
            return self.send(Event::ImportFailed(
                "No project is open; pick a profile first.".into(),
            ));
        };
        if let Some(reason) = session.profile.read_only_reason() {
            return self.send(Event::ImportFailed(reason.to_owned()));
        }
        let name = file_name(path);
        let out = self.out.clone();
        let generation = self.generation;
        // A step a percent, so that a large file does not flood the window.
        let shown = Cell::new(usize::MAX);
        let progress = |done: usize, of: usize| {
            let percent = done * 100 / of.max(1);
            if shown.get() != percent {
                shown.set(percent);
                out.send(generation, Event::ImportProgress { done, of });
            }
        };
        let imported = import::import_into_with_progress(
            &mut session.ws,
            &name,
            source,
            mapping,
            &Context::today(),
            mode,
            &progress,
        );
        let failed = |e: &dyn std::fmt::Display| {
            format!("{name} was not imported: {e}. Nothing was changed.")
        };
        match imported {
            Ok(imported) => match imported.applied {
                Ok(summary) => {
                    if let (Some(m), Source::Table(t)) = (mapping, source)
                        && let Some(store) = self.mappings()
                        && let Err(e) = store.save(&t.headers, m)
                    {
                        self.send(Event::Status(format!(
                            "The column mapping could not be kept for the next file ({e}); the import itself is done."
                        )));
                    }
                    self.send(Event::Imported {
                        file: name,
                        stores: summary.created + summary.updated,
                        summary: summary.describe(),
                    });
                    self.refresh();
                }
                Err(e) => self.send(Event::ImportFailed(failed(&e))),
            },
            Err(e) => self.send(Event::ImportFailed(failed(&e))),
        }
    }

    /// Writes the stores (all, or those of `ids`) to `path` through a temporary file.
    pub(super) fn write_export(&self, path: &Path, format: Format, ids: Option<&[String]>) {
        let Some(session) = &self.session else {
            return self.error("No project is open; pick a profile first.");
        };
        let mut stores = match session.ws.stores() {
            Ok(s) => s,
            Err(e) => return self.error(e),
        };
        if let Some(ids) = ids {
            let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
            stores.retain(|s| wanted.contains(s.id()));
        }
        let bytes = export::export(&stores, format);
        match crate::files::write_atomically(path, &bytes) {
            Ok(()) => self.send(Event::Exported {
                path: path.to_owned(),
                count: stores.len(),
                format: format_label(format),
            }),
            Err(e) => self.error(format!(
                "{} could not be written ({e}); pick a folder you may write to, with free space, and export again.",
                path.display()
            )),
        }
    }
}

/// An error as a sentence: its first letter capital, a full stop at the end.
fn sentence(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return text,
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
