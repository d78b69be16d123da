//! The import report: one line per row or feature of the file, whose counts add up to the
//! rows of the file.

use std::fmt;

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

/// One thing said about a row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    pub status: Status,
    /// The column (or field of a JSON store) it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
}

impl Note {
    pub fn new(status: Status, column: Option<&str>, message: impl Into<String>) -> Note {
        Note {
            status,
            column: column.map(str::to_owned),
            message: message.into(),
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
    pub fn note(&mut self, status: Status, column: Option<&str>, message: impl Into<String>) {
        self.status = self.status.max(status);
        self.notes.push(Note::new(status, column, message));
    }

    /// Adds a note made beforehand.
    pub fn push(&mut self, note: Note) {
        self.status = self.status.max(note.status);
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
