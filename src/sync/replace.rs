//! Replace all: the project becomes exactly the local dataset, in one atomic request
//! (`POST /stores/replace`), shown first as counts the user confirms.

use std::collections::HashMap;

use serde::Serialize;

use super::execute::SyncError;
use super::plan::{HeldBack, HoldReason, PlanOptions, body_size};
use crate::api::{ApiError, Client};
use crate::model::{MAX_REQUEST_BYTES, RemoteMeta, Store};
use crate::validate::{Severity, validate_store};
use crate::workspace::{ChangeKind, SentItem, Workspace};

/// What a replace will do to the project as the server holds it now.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReplacePlan {
    #[serde(skip)]
    pub items: Vec<SentItem>,
    pub deleted: Vec<String>,
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    pub bytes: usize,
    /// Stores with errors: a replace cannot leave them out (they would be deleted), so it
    /// cannot run until they are fixed.
    pub blocked: Vec<HeldBack>,
}

impl ReplacePlan {
    /// "N stores will be deleted, M created, K updated", or why it cannot run.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "{} stores will be deleted, {} created, {} updated ({} unchanged), in one request of {:.1} MB.",
            self.deleted.len(),
            self.created.len(),
            self.updated.len(),
            self.unchanged,
            self.bytes as f64 / 1_048_576.0
        );
        if let Some(reason) = self.refusal() {
            text.push(' ');
            text.push_str(&reason);
        }
        text
    }

    /// Why this replace cannot be sent, if it cannot.
    pub fn refusal(&self) -> Option<String> {
        if !self.blocked.is_empty() {
            return Some(format!(
                "It cannot run: {} stores have errors (first: {}: {}); fix them or delete them first.",
                self.blocked.len(),
                self.blocked[0].id,
                self.blocked[0].reason.describe()
            ));
        }
        if self.bytes > MAX_REQUEST_BYTES {
            return Some(
                "It cannot run: the dataset is over the API's 15 MB request limit; push the changes instead."
                    .into(),
            );
        }
        None
    }
}

/// Compares the local dataset with `remote` (the project as just listed).
pub fn plan_replace(
    ws: &Workspace,
    remote: &[(Store, RemoteMeta)],
    options: &PlanOptions,
) -> Result<ReplacePlan, SyncError> {
    let local = ws.stores()?;
    let versions = ws.draft_versions()?;
    let remote_hashes: HashMap<&str, u64> = remote
        .iter()
        .map(|(s, _)| (s.id(), s.remote_hash()))
        .collect();
    let mut out = ReplacePlan::default();
    for store in local {
        let errors: Vec<_> = validate_store(&store, &options.validation)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            out.blocked.push(HeldBack {
                id: store.id().to_owned(),
                kind: ChangeKind::Update,
                reason: HoldReason::Errors { findings: errors },
            });
        }
        match remote_hashes.get(store.id()) {
            None => out.created.push(store.id().to_owned()),
            Some(h) if *h == store.remote_hash() => out.unchanged += 1,
            Some(_) => out.updated.push(store.id().to_owned()),
        }
        out.items.push(SentItem {
            id: store.id().to_owned(),
            version: versions.get(store.id()).copied().unwrap_or(0),
            store: Some(store),
        });
    }
    let local_ids: std::collections::HashSet<&str> =
        out.items.iter().map(|i| i.id.as_str()).collect();
    out.deleted = remote
        .iter()
        .map(|(s, _)| s.id())
        .filter(|id| !local_ids.contains(id))
        .map(str::to_owned)
        .collect();
    out.bytes = body_size(&out.items);
    Ok(out)
}

/// Sends the replace. On success the base becomes the local dataset and the drafts are gone.
/// A lost answer is resolved by listing the project.
pub async fn replace(
    ws: &mut Workspace,
    client: &Client,
    plan: &ReplacePlan,
) -> Result<String, SyncError> {
    if let Some(reason) = plan.refusal() {
        return Err(ApiError::BatchRejected { message: reason }.into());
    }
    let stores: Vec<Store> = plan.items.iter().filter_map(|i| i.store.clone()).collect();
    // Nothing is recorded in flight: a replace is settled by listing the project.
    const NONE: &[SentItem] = &[];
    let push = ws.begin_push()?;
    let seq = ws.record_sending(push, "REPLACE", NONE, plan.bytes)?;
    match client.replace(&stores).await {
        Ok(outcome) => {
            ws.record_replaced(&plan.items)?;
            ws.record_outcome(seq, "ok", &outcome.message, NONE, &[])?;
            Ok(outcome.message)
        }
        Err(
            e @ (ApiError::OutcomeUnknown { .. } | ApiError::Server { .. } | ApiError::Timeout(_)),
        ) => {
            let remote = client.list_all(|_, _| {}).await?;
            let mut theirs: Vec<(String, u64)> = remote
                .iter()
                .map(|(s, _)| (s.id().to_owned(), s.remote_hash()))
                .collect();
            let mut mine: Vec<(String, u64)> = stores
                .iter()
                .map(|s| (s.id().to_owned(), s.remote_hash()))
                .collect();
            theirs.sort();
            mine.sort();
            if theirs == mine {
                ws.record_replaced(&plan.items)?;
                ws.record_outcome(seq, "ok (read back)", &e.to_string(), NONE, &[])?;
                Ok("The project was replaced (confirmed by reading it back).".into())
            } else {
                ws.record_outcome(seq, "not applied (read back)", &e.to_string(), NONE, &[])?;
                Err(e.into())
            }
        }
        Err(e) => {
            ws.record_outcome(seq, "error", &e.to_string(), NONE, &[])?;
            Err(e.into())
        }
    }
}
