//! Files in and out of the window: the system's open and save dialogs behind a trait (so tests
//! answer them without a dialog), and what the import wizard and the export dialog show.
//!
//! The dialogs block until the user answers, so they are always called off the window's
//! thread; the chosen path comes back as a command to the work thread.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::export::Format;
use crate::import::{ApplyMode, Mapping, Report, Source};

/// The extensions of the files an import reads.
pub const IMPORT_EXTENSIONS: [&str; 8] =
    ["json", "geojson", "csv", "tsv", "txt", "xlsx", "xls", "ods"];

/// The rows of a table the import wizard shows as read.
pub const PREVIEW_ROWS: usize = 20;

/// Asks the user for a file. Each call blocks until the user answers; `None` when they
/// cancel.
pub trait FileDialogs: Send + Sync {
    /// A file to import.
    fn pick_import(&self) -> Option<PathBuf>;
    /// Where to write an export in `format`, proposing `suggested_name`.
    fn pick_export(&self, suggested_name: &str, format: Format) -> Option<PathBuf>;
}

/// The system's own dialogs.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemDialogs;

impl FileDialogs for SystemDialogs {
    fn pick_import(&self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Import stores")
            .add_filter("Store files", &IMPORT_EXTENSIONS)
            .add_filter("Woosmap JSON", &["json"])
            .add_filter("GeoJSON", &["geojson", "json"])
            .add_filter("Delimited text", &["csv", "tsv", "txt"])
            .add_filter("Spreadsheets", &["xlsx", "xls", "ods"])
            .add_filter("All files", &["*"])
            .pick_file()
    }

    fn pick_export(&self, suggested_name: &str, format: Format) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Export stores")
            .set_file_name(suggested_name)
            .add_filter(format_label(format), &[format.extension()])
            .save_file()
    }
}

/// The file dialogs in use, shared by the window and the work behind it.
pub type SharedDialogs = Arc<std::sync::RwLock<Arc<dyn FileDialogs>>>;

/// The system's dialogs, shared.
pub fn system_dialogs() -> SharedDialogs {
    Arc::new(std::sync::RwLock::new(Arc::new(SystemDialogs)))
}

/// The format as the export dialog names it.
pub fn format_label(format: Format) -> &'static str {
    match format {
        Format::Json => "Woosmap JSON",
        Format::Geojson => "GeoJSON",
        Format::Csv => "CSV",
    }
}

/// The name a file is shown by: its last part.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A file read for import, as the work thread gives it to the wizard.
#[derive(Debug)]
pub struct ImportRead {
    pub path: PathBuf,
    /// The file as read: kept by the wizard to convert again and to apply.
    pub source: Arc<Source>,
    /// The spreadsheet's sheet read (`None` for the first, or for other files).
    pub sheet: Option<String>,
    /// The column mapping (saved for these columns, else guessed); `None` for store files.
    pub mapping: Option<Mapping>,
    /// The conversion through `mapping`, or why it cannot be made.
    pub report: Result<Report, String>,
}

/// The import wizard: one file, from reading to applying.
#[derive(Debug)]
pub struct ImportWizard {
    pub path: PathBuf,
    /// Reading the file (or another sheet of it).
    pub reading: bool,
    pub source: Option<Arc<Source>>,
    pub sheet: Option<String>,
    pub mapping: Option<Mapping>,
    /// Bumped by each change of the mapping; a report of an older one is dropped.
    pub revision: u64,
    /// Converting with the mapping of `revision`.
    pub converting: bool,
    /// The report of the current mapping, or why it cannot be made.
    pub report: Option<Result<Report, String>>,
    pub mode: ApplyMode,
    /// Applying: rows done of how many.
    pub applying: Option<(usize, usize)>,
    /// Why the file cannot be imported, or why the apply failed.
    pub error: Option<String>,
}

impl ImportWizard {
    /// The wizard on a file being read.
    pub fn reading(path: PathBuf) -> ImportWizard {
        ImportWizard {
            path,
            reading: true,
            source: None,
            sheet: None,
            mapping: None,
            revision: 0,
            converting: false,
            report: None,
            mode: ApplyMode::Merge,
            applying: None,
            error: None,
        }
    }

    pub fn file_name(&self) -> String {
        file_name(&self.path)
    }

    /// Takes a read file in (a failed read keeps the wizard open with its sentence).
    pub fn read(&mut self, read: Result<ImportRead, String>) {
        self.reading = false;
        self.converting = false;
        self.revision += 1;
        match read {
            Ok(read) => {
                self.path = read.path;
                self.source = Some(read.source);
                self.sheet = read.sheet;
                self.mapping = read.mapping;
                self.report = Some(read.report);
                self.error = None;
            }
            Err(e) => {
                self.source = None;
                self.mapping = None;
                self.report = None;
                self.error = Some(e);
            }
        }
    }

    /// Whether Apply can be asked now, and the reason when it cannot (the profile aside).
    pub fn apply_blocker(&self) -> Option<&'static str> {
        if self.reading || self.source.is_none() {
            Some("The file is not read yet.")
        } else if self.applying.is_some() {
            Some("The import is being applied.")
        } else if self.converting {
            Some("The report is being made again.")
        } else if !matches!(self.report, Some(Ok(_))) {
            Some("Fix the column mapping first.")
        } else {
            None
        }
    }
}

/// Which stores an export writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportScope {
    #[default]
    All,
    Selection,
    /// The stores the list shows through its filter.
    Filtered,
}

/// The export dialog.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportDialog {
    pub format: Format,
    pub scope: ExportScope,
}

impl Default for ExportDialog {
    fn default() -> ExportDialog {
        ExportDialog {
            format: Format::Json,
            scope: ExportScope::All,
        }
    }
}

/// The file name proposed for an export of a profile's stores.
pub fn suggested_export_name(profile: Option<&str>, format: Format) -> String {
    let Some(profile) = profile else {
        return format!("stores.{}", format.extension());
    };
    let base = super::backend::file_name_part(profile);
    format!("{base}-stores.{}", format.extension())
}

/// Applies an event of the import wizard or the export to the window's state.
pub fn on_event(s: &mut crate::app::AppState, event: crate::app::Event) {
    use crate::app::Event;
    match event {
        Event::ImportReading(path) => match &mut s.import {
            Some(w) if w.path == path => {
                w.reading = true;
                w.error = None;
            }
            _ => s.import = Some(ImportWizard::reading(path)),
        },
        // A file read after its wizard was closed is dropped.
        Event::ImportRead(read) => {
            if let Some(w) = &mut s.import {
                w.read(read.map(|r| *r));
            }
        }
        Event::ImportConverted { revision, report } => {
            if let Some(w) = &mut s.import
                && w.revision == revision
            {
                w.converting = false;
                w.report = Some(report);
            }
        }
        Event::ImportProgress { done, of } => {
            if let Some(w) = &mut s.import {
                w.applying = Some((done, of));
            }
        }
        Event::Imported {
            file,
            stores,
            summary,
        } => {
            s.import = None;
            s.toast(
                format!(
                    "Imported {stores} stores from {file} as drafts; nothing is sent until you push."
                ),
                Some(summary),
                false,
            );
        }
        Event::ImportFailed(e) => match &mut s.import {
            Some(w) => {
                w.applying = None;
                w.error = Some(e);
            }
            None => s.toast(e, None, true),
        },
        Event::Exported {
            path,
            count,
            format,
        } => s.toast(
            format!("{count} stores written to {} ({format}).", path.display()),
            None,
            false,
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_named_after_the_profile_in_safe_characters() {
        assert_eq!(
            suggested_export_name(Some("Shops / Paris"), Format::Csv),
            "Shops___Paris-stores.csv"
        );
        assert_eq!(
            suggested_export_name(None, Format::Geojson),
            "stores.geojson"
        );
    }

    #[test]
    fn apply_waits_for_a_usable_report() {
        let mut w = ImportWizard::reading(PathBuf::from("/tmp/a.csv"));
        assert!(w.apply_blocker().is_some());
        w.read(Err(
            "the file is empty; pick a file with stores in it".into()
        ));
        assert!(w.error.is_some());
        assert_eq!(w.apply_blocker(), Some("The file is not read yet."));
    }
}
