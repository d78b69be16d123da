//! Sync: turning the workspace's drafts into API calls.
//!
//! - [`plan`] is pure: pending changes in, ordered batches out (deletes, updates, creates),
//!   within a byte and a count budget, with the stores held back and why.
//! - [`push`] settles writes a previous run left in flight, reads the stores it is about to
//!   change to find conflicts, then sends the batches within the rate limit. A refused batch is
//!   split until the refused store is alone; a lost answer is resolved by reading back before
//!   anything is sent again. Each acknowledged batch moves its stores from drafts to base in
//!   one transaction.
//! - [`pull`] refreshes the base from the server.
//! - [`plan_replace`] and [`replace`]: the whole local dataset in one atomic request.

mod execute;
pub mod plan;
mod recorder;
mod replace;

pub use execute::{PushOptions, PushProgress, PushReport, SyncError, push, read_back};
pub use plan::{Batch, HeldBack, HoldReason, Plan, PlanOptions, plan};
pub use replace::{ReplacePlan, plan_replace, replace};

use crate::api::Client;
use crate::workspace::{PullReport, Workspace, WorkspaceError};

/// Stores a page of the project's listing holds, for counting the reads of a conflict check.
const LISTING_PAGE: usize = 300;

/// What a push would send, without sending it: the plan of the pending changes and its preview
/// lines at `qps` requests a second, the conflict check's reads counted against the stores the
/// workspace knows.
pub fn preview(
    ws: &Workspace,
    options: &PlanOptions,
    qps: u32,
) -> Result<(Plan, Vec<String>), WorkspaceError> {
    let plan = plan(&ws.pending()?, options);
    let known = ws.summaries()?.len();
    let lines = plan.describe(qps, plan.check_reads(known, LISTING_PAGE));
    Ok((plan, lines))
}

/// Lists every store of the project and makes it the workspace's base (drafts stay; changes
/// under them become conflicts). `progress(pages_done, pages)`.
pub async fn pull(
    ws: &mut Workspace,
    client: &Client,
    progress: impl Fn(u32, u32) + Send + Sync,
) -> Result<PullReport, SyncError> {
    let remote = client.list_all(progress).await?;
    Ok(ws.apply_pull(remote)?)
}
