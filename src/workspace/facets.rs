//! What the store list filters on besides the summary: the city, tags and types of each store
//! as the user sees it, and whether its draft has validation errors.

use super::{Result, Workspace};

/// A store's city, tags and types, and whether its draft has errors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facets {
    pub id: String,
    pub city: String,
    pub tags: Vec<String>,
    pub types: Vec<String>,
    pub has_errors: bool,
}

/// A JSON array of strings as a list; anything else as nothing.
fn strings(text: Option<String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str::<Vec<serde_json::Value>>(&t).ok())
        .map(|values| {
            values
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Workspace {
    /// The facets of every store the user sees (deleted ones left out), ordered by id.
    pub fn facets(&self) -> Result<Vec<Facets>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, json_extract(j, '$.address.city'), json_extract(j, '$.tags'),
                    json_extract(j, '$.types'), errors
             FROM (
                SELECT b.id AS id, x.json AS j, COALESCE(d.errors, 0) AS errors
                FROM base b LEFT JOIN drafts d ON d.id = b.id
                    JOIN docs x ON x.id = COALESCE(d.doc, b.doc)
                WHERE d.id IS NULL OR d.doc IS NOT NULL
                UNION ALL
                SELECT d.id, x.json, d.errors FROM drafts d JOIN docs x ON x.id = d.doc
                WHERE d.id NOT IN (SELECT id FROM base)
             ) ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Facets {
                id: r.get(0)?,
                city: r
                    .get::<_, Option<rusqlite::types::Value>>(1)?
                    .and_then(|v| match v {
                        rusqlite::types::Value::Text(t) => Some(t),
                        _ => None,
                    })
                    .unwrap_or_default(),
                tags: strings(r.get(2)?),
                types: strings(r.get(3)?),
                has_errors: r.get::<_, i64>(4)? != 0,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }
}
