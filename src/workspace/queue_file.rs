//! The drafts file: unpushed work exported to move it to another machine or keep a backup, and
//! read back as one undoable step.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ChangeKind, Edit, Origin, Workspace, WorkspaceError};
use crate::model::Store;

/// The `format` value of a drafts file.
pub const QUEUE_FILE_FORMAT: &str = "storedesk-drafts";

/// Why a drafts file could not be read. Nothing is changed when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum QueueFileError {
    #[error(
        "The drafts file is not valid JSON (line {line}, column {column}: {detail}); it may be truncated, export it again."
    )]
    NotJson {
        line: usize,
        column: usize,
        detail: String,
    },
    #[error(
        "This file is not a storedesk drafts file (it has no \"format\": \"{QUEUE_FILE_FORMAT}\"); to add stores from a store file, use import."
    )]
    WrongFormat,
    #[error("Draft {index} of the file is not valid ({detail}); fix or remove it and try again.")]
    Entry { index: usize, detail: String },
}

#[derive(Serialize, Deserialize)]
struct QueueFile {
    format: String,
    version: u32,
    #[serde(default)]
    exported_at: Option<String>,
    drafts: Vec<QueuedDraft>,
}

#[derive(Serialize, Deserialize)]
struct QueuedDraft {
    #[serde(rename = "storeId")]
    store_id: String,
    action: ChangeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    store: Option<Value>,
}

impl Workspace {
    /// Every pending change as a drafts file (pretty JSON).
    pub fn export_queue(&self) -> Result<String, WorkspaceError> {
        let drafts = self
            .pending()?
            .into_iter()
            .map(|p| QueuedDraft {
                store_id: p.id,
                action: p.kind,
                store: p.local.and_then(|s| serde_json::to_value(s).ok()),
            })
            .collect();
        let file = QueueFile {
            format: QUEUE_FILE_FORMAT.to_owned(),
            version: 1,
            exported_at: Some(super::now_text()),
            drafts,
        };
        serde_json::to_string_pretty(&file).map_err(|e| WorkspaceError::Damaged(e.to_string()))
    }

    /// Reads a drafts file into this workspace as one undoable step; returns how many stores
    /// changed. A file with one bad draft changes nothing.
    pub fn import_queue(&mut self, text: &str) -> Result<usize, WorkspaceError> {
        let value: Value = serde_json::from_str(text).map_err(|e| QueueFileError::NotJson {
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        })?;
        if value.get("format").and_then(Value::as_str) != Some(QUEUE_FILE_FORMAT) {
            return Err(QueueFileError::WrongFormat.into());
        }
        let file: QueueFile = serde_json::from_value(value).map_err(|e| QueueFileError::Entry {
            index: 0,
            detail: e.to_string(),
        })?;
        let mut edits = Vec::with_capacity(file.drafts.len());
        for (i, draft) in file.drafts.into_iter().enumerate() {
            let index = i + 1;
            let edit = match (draft.action, draft.store) {
                (ChangeKind::Delete, _) => Edit::Delete(draft.store_id),
                (_, Some(value)) => {
                    let store: Store =
                        serde_json::from_value(value).map_err(|e| QueueFileError::Entry {
                            index,
                            detail: e.to_string(),
                        })?;
                    if store.id() != draft.store_id {
                        return Err(QueueFileError::Entry {
                            index,
                            detail: format!(
                                "its storeId \"{}\" differs from the store's \"{}\"",
                                draft.store_id,
                                store.id()
                            ),
                        }
                        .into());
                    }
                    Edit::put(store)
                }
                (_, None) => {
                    return Err(QueueFileError::Entry {
                        index,
                        detail: "a create or update without its store".into(),
                    }
                    .into());
                }
            };
            edits.push(edit);
        }
        self.apply("Import drafts file", &Origin::QueueFile, edits)
    }
}
