//! The import report: one line per row or feature of the file, whose counts add up to the
//! rows of the file.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// How a row went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Error,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Error => "error",
        })
    }
}

/// One thing said about a row. The texts are shared: the rows of a large file often say the
/// same thing, and a report holds them once (see [`NoteTexts`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    pub status: Status,
    /// The column (or field of a JSON store) it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<Arc<str>>,
    pub message: Arc<str>,
}

impl Note {
    pub fn new(status: Status, column: Option<&str>, message: impl Into<Arc<str>>) -> Note {
        Note {
            status,
            column: column.map(Arc::from),
            message: message.into(),
        }
    }
}

/// The texts of the notes a report holds, each once.
#[derive(Default)]
pub struct NoteTexts(HashSet<Arc<str>>);

impl NoteTexts {
    /// Makes the row's notes share the texts already held; the new ones are held from now on.
    pub fn share(&mut self, row: &mut RowReport) {
        row.notes.iter_mut().for_each(|note| self.share_note(note));
    }

    /// [`NoteTexts::share`] for the row's last note alone (one just added).
    pub fn share_last(&mut self, row: &mut RowReport) {
        if let Some(note) = row.notes.last_mut() {
            self.share_note(note);
        }
    }

    /// Makes the note share the texts already held; the new ones are held from now on.
    pub fn share_note(&mut self, note: &mut Note) {
        self.share_text(&mut note.message);
        if let Some(column) = &mut note.column {
            self.share_text(column);
        }
    }

    fn share_text(&mut self, text: &mut Arc<str>) {
        match self.0.get(text) {
            Some(held) => *text = Arc::clone(held),
            None => {
                self.0.insert(Arc::clone(text));
            }
        }
    }
}

/// One row of the file and what became of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowReport {
    /// 1-based position among the file's rows (or stores, or features).
    pub row: usize,
    /// Where it is in the file: a line of text, a sheet row, a feature number.
    pub line: usize,
    /// The store id it became, when it became a store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub status: Status,
    /// Whether a store was made from the row.
    pub imported: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

impl RowReport {
    pub fn new(row: usize, line: usize) -> RowReport {
        RowReport {
            row,
            line,
            id: None,
            status: Status::Ok,
            imported: false,
            notes: Vec::new(),
        }
    }

    /// Adds a note; the row's status is its worst note.
    pub fn note(&mut self, status: Status, column: Option<&str>, message: impl Into<Arc<str>>) {
        self.push(Note::new(status, column, message));
    }

    /// Adds a note made beforehand.
    pub fn push(&mut self, note: Note) {
        self.status = self.status.max(note.status);
        // Most rows have one note or none: room for just what is there, not for four (a
        // report of a large file holds tens of thousands of rows).
        if self.notes.len() == self.notes.capacity() {
            self.notes.reserve_exact(self.notes.len().max(1));
        }
        self.notes.push(note);
    }
}

/// The whole report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// How the file was read: "semicolon-separated text, UTF-8".
    pub format: String,
    /// What "line" means for this file: "line", "row" or "feature".
    pub line_word: &'static str,
    pub rows: Vec<RowReport>,
    /// Notes about the whole file (no header row found, columns left out).
    pub file_notes: Vec<Note>,
}

/// The counts of a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub rows: usize,
    pub ok: usize,
    pub warnings: usize,
    pub errors: usize,
    /// Rows that became stores (some with errors, held back from a push until fixed).
    pub imported: usize,
    /// Rows that did not become a store.
    pub not_imported: usize,
}

impl Report {
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            rows: self.rows.len(),
            ..Counts::default()
        };
        for r in &self.rows {
            match r.status {
                Status::Ok => c.ok += 1,
                Status::Warning => c.warnings += 1,
                Status::Error => c.errors += 1,
            }
            if r.imported {
                c.imported += 1;
            } else {
                c.not_imported += 1;
            }
        }
        c
    }

    /// The one-line summary: "18 rows: 16 ok, 2 with warnings, 0 with errors; 18 stores
    /// imported, 0 rows not imported."
    pub fn summary(&self) -> String {
        let c = self.counts();
        format!(
            "{} {}s: {} ok, {} with warnings, {} with errors; {} imported, {} not imported.",
            c.rows,
            self.line_word_for_rows(),
            c.ok,
            c.warnings,
            c.errors,
            c.imported,
            c.not_imported
        )
    }

    fn line_word_for_rows(&self) -> &'static str {
        match self.line_word {
            "feature" => "feature",
            "store" => "store",
            _ => "row",
        }
    }

    /// The report as text: the file notes, then a line per row, then the summary.
    pub fn render(&self, only_problems: bool) -> String {
        let mut out = String::new();
        for n in &self.file_notes {
            out.push_str(&format!("file: {}: {}\n", n.status, n.message));
        }
        for r in &self.rows {
            if only_problems && r.status == Status::Ok {
                continue;
            }
            out.push_str(&r.render(self.line_word));
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }
}

impl RowReport {
    /// "row 3 (line 4) shop-12: warning: Latitude: read with a decimal comma."
    pub fn render(&self, line_word: &str) -> String {
        let mut s = format!("row {} ({line_word} {})", self.row, self.line);
        if let Some(id) = &self.id {
            s.push(' ');
            s.push_str(id);
        }
        s.push_str(&format!(": {}", self.status));
        if !self.imported {
            s.push_str(" (not imported)");
        }
        for (i, n) in self.notes.iter().enumerate() {
            s.push_str(match i {
                0 => ": ",
                _ if s.ends_with('.') => " ",
                _ => "; ",
            });
            if let Some(c) = &n.column {
                s.push_str(c);
                s.push_str(": ");
            }
            s.push_str(&n.message);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_saying_the_same_thing_share_its_text() {
        let mut texts = NoteTexts::default();
        let mut rows: Vec<RowReport> = (1..=3)
            .map(|i| {
                let mut r = RowReport::new(i, i + 1);
                r.note(Status::Warning, Some("location"), "at sea");
                r
            })
            .collect();
        rows[2].note(Status::Error, None, format!("row {} only", 3));
        for r in &mut rows {
            texts.share(r);
        }
        assert!(Arc::ptr_eq(
            &rows[0].notes[0].message,
            &rows[1].notes[0].message
        ));
        assert!(Arc::ptr_eq(
            &rows[0].notes[0].message,
            &rows[2].notes[0].message
        ));
        let (a, b) = (&rows[0].notes[0].column, &rows[2].notes[0].column);
        assert!(matches!((a, b), (Some(a), Some(b)) if Arc::ptr_eq(a, b)));
        // Shared or not, every row says what it said, with its worst status.
        assert_eq!(&*rows[2].notes[1].message, "row 3 only");
        assert_eq!(rows[2].status, Status::Error);
        assert_eq!(
            rows[1].render("line"),
            "row 2 (line 3): warning (not imported): location: at sea"
        );
    }
}
