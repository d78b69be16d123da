//! Findings the user chose to ignore, and every finding of the project with the ignored ones
//! marked. Only warnings and notices can be ignored: an error holds a store back from a push
//! until it is fixed.
//!
//! An ignored finding is known by its store, code and field path; it stays ignored while the
//! store changes, and is forgotten only by [`Workspace::unignore_finding`]. Ignoring is not an
//! edit of the store: it is not an undo step and is never pushed.

use std::collections::HashMap;

use rusqlite::params;

use super::parallel::map_on_threads;
use super::{Result, Workspace, WorkspaceError, now_text, parse_store};
use crate::model::Store;
use crate::validate::{Code, Context, Finding, Severity, add_set_findings, validate_store};

/// A finding the user chose to ignore.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoredFinding {
    pub id: String,
    pub code: Code,
    pub path: String,
    /// When it was ignored (RFC 3339).
    pub at: String,
}

/// One finding of one store, for the project's list of findings.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreFinding {
    /// The store's id.
    pub id: String,
    pub finding: Finding,
    /// Whether the user ignored it (a list hides these unless asked to show them).
    pub ignored: bool,
}

/// Up to this many stores are validated on the calling thread alone.
const CHUNK: usize = 4096;

impl Workspace {
    /// Ignores the finding `code` at `path` of the store `id`. Ignoring it again changes
    /// nothing. An error cannot be ignored.
    pub fn ignore_finding(&mut self, id: &str, code: Code, path: &str) -> Result<()> {
        if code.severity() == Severity::Error {
            return Err(WorkspaceError::ErrorNotIgnorable(code.as_str().to_owned()));
        }
        if self.store(id)?.is_none() {
            return Err(WorkspaceError::UnknownStore(id.to_owned()));
        }
        self.conn
            .prepare_cached(
                "INSERT INTO ignored (id, code, path, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id, code, path) DO NOTHING",
            )?
            .execute(params![id, code.as_str(), path, now_text()])?;
        Ok(())
    }

    /// Stops ignoring the finding; returns whether it was ignored.
    pub fn unignore_finding(&mut self, id: &str, code: Code, path: &str) -> Result<bool> {
        let removed = self
            .conn
            .prepare_cached("DELETE FROM ignored WHERE id = ?1 AND code = ?2 AND path = ?3")?
            .execute(params![id, code.as_str(), path])?;
        Ok(removed > 0)
    }

    /// Every ignored finding, ordered by store, code and path. Codes this version of storedesk
    /// does not know are left out.
    pub fn ignored(&self) -> Result<Vec<IgnoredFinding>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, code, path, at FROM ignored ORDER BY id, code, path")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, code, path, at) = row?;
            if let Some(code) = Code::parse(&code) {
                out.push(IgnoredFinding { id, code, path, at });
            }
        }
        Ok(out)
    }

    /// Every finding of the project: each store as the user sees it (deleted ones left out)
    /// validated alone, and the rules across stores (duplicate ids, stores at the same place,
    /// copied address lines). Ordered by store id, then as validation gives them; ignored ones
    /// are included and marked. A large project takes a while (about two seconds for 100,000
    /// stores): call it off the window's thread.
    pub fn findings(&self, context: &Context) -> Result<Vec<StoreFinding>> {
        let texts = self.store_texts()?;
        let (stores, mut all): (Vec<Store>, Vec<Vec<Finding>>) =
            read_and_validate(&texts, context)?.into_iter().unzip();
        drop(texts);
        add_set_findings(&stores, &mut all);
        let mut ignored: HashMap<String, Vec<(Code, String)>> = HashMap::new();
        for i in self.ignored()? {
            ignored.entry(i.id).or_default().push((i.code, i.path));
        }
        let mut out = Vec::with_capacity(all.iter().map(Vec::len).sum());
        for (store, findings) in stores.iter().zip(all) {
            let skip = ignored.get(store.id()).map(Vec::as_slice).unwrap_or(&[]);
            for finding in findings {
                let is_ignored = skip
                    .iter()
                    .any(|(code, path)| *code == finding.code && *path == finding.path);
                out.push(StoreFinding {
                    id: store.id().to_owned(),
                    finding,
                    ignored: is_ignored,
                });
            }
        }
        Ok(out)
    }
}

impl Workspace {
    /// The JSON of every store as the user sees it (deleted ones left out), in no order.
    pub(super) fn store_texts(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT x.json FROM base b LEFT JOIN drafts d ON d.id = b.id
                 JOIN docs x ON x.id = CASE WHEN d.id IS NULL THEN b.doc ELSE d.doc END
             UNION ALL
             SELECT x.json FROM drafts d JOIN docs x ON x.id = d.doc
             WHERE d.id NOT IN (SELECT id FROM base)",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, Option<String>>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.extend(row?);
        }
        Ok(out)
    }
}

/// Each store read and validated alone, ordered by id; a large project is read and validated
/// on several threads.
fn read_and_validate(texts: &[String], context: &Context) -> Result<Vec<(Store, Vec<Finding>)>> {
    let one = |json: &String| -> Result<(Store, Vec<Finding>)> {
        let store = parse_store(json)?;
        let findings = validate_store(&store, context);
        Ok((store, findings))
    };
    let mut out = map_on_threads(texts, CHUNK, one)?;
    out.sort_by(|a, b| a.0.id().cmp(b.0.id()));
    Ok(out)
}
