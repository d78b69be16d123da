//! Reading one cell of a table: opening hours, coordinates, countries, ids, lists and values.
//!
//! Every reader takes the text of a cell and returns what it means, with sentences for the
//! import report: a [`CellNote`] for something read but written differently or left out, a
//! [`CellError`] naming the part that cannot be read. A reader never guesses: text that could
//! mean two things is an error that says which two.

mod coords;
mod country;
mod hours;
mod ids;
mod values;

pub use coords::{Axis, likely_swapped, parse_coordinate, parse_lat_lng, parse_location};
pub use country::parse_country;
pub use hours::{add_weekday_cell, parse_opening_hours, to_osm};
pub use ids::{IdAllocator, IdClaim, MAX_ID_LEN, clean_id, slug_id};
pub use values::{ValueOptions, cell_value, split_list};

/// How much a [`CellNote`] matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteLevel {
    /// The cell is kept in meaning but written differently (an overnight period split in two).
    Notice,
    /// Part of the cell was left out (public holidays, a comment).
    Warning,
}

/// A sentence about how a cell was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellNote {
    pub level: NoteLevel,
    pub message: String,
}

impl CellNote {
    fn notice(message: impl Into<String>) -> CellNote {
        CellNote {
            level: NoteLevel::Notice,
            message: message.into(),
        }
    }

    fn warning(message: impl Into<String>) -> CellNote {
        CellNote {
            level: NoteLevel::Warning,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CellNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why a cell cannot be read: a sentence naming the part at fault and what to write instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CellError {
    pub message: String,
}

impl CellError {
    fn new(message: impl Into<String>) -> CellError {
        CellError {
            message: message.into(),
        }
    }
}
