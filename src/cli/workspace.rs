//! The workspace commands: status, push, pull, undo, redo, discard, delete, import, drafts.
//! They run the same engine as the window, for scripts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use crate::api::{ApiKey, Client, ClientConfig, DEFAULT_BASE_URL, KeyKind};
use crate::sync::{self, PlanOptions, PushOptions};
use crate::workspace::{Origin, Workspace};

/// How to reach the project.
#[derive(Debug, Clone, clap::Args)]
pub struct RemoteArgs {
    /// The API address.
    #[arg(long, default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// The environment variable that holds the API key.
    #[arg(long, default_value = "WOOSMAP_PRIVATE_KEY")]
    pub key_env: String,
    /// The key is a public key (read-only), sent as `key=`.
    #[arg(long)]
    pub public: bool,
    /// Requests a second.
    #[arg(long, default_value_t = 10)]
    pub qps: u32,
}

/// The workspace directory (one per project).
#[derive(Debug, Clone, clap::Args)]
pub struct WorkspaceArg {
    /// The workspace directory; created if missing.
    #[arg(long)]
    pub workspace: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct PushArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Show what would be sent, without sending anything (no network).
    #[arg(long)]
    pub dry_run: bool,
    /// Replace the whole project with the local dataset in one request
    /// (`POST /stores/replace`); shows the counts and needs --yes to send.
    #[arg(long)]
    pub replace: bool,
    /// Confirm a replace.
    #[arg(long)]
    pub yes: bool,
    /// Bytes of one write request (at most 15 MB).
    #[arg(long, default_value_t = sync::plan::DEFAULT_BYTE_BUDGET)]
    pub byte_budget: usize,
    /// Stores in one write request.
    #[arg(long, default_value_t = sync::plan::DEFAULT_COUNT_BUDGET)]
    pub count_budget: usize,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum DraftsAction {
    /// Write every pending change to a drafts file.
    Export {
        #[command(flatten)]
        workspace: WorkspaceArg,
        file: PathBuf,
    },
    /// Read a drafts file into the workspace (one undoable step).
    Import {
        #[command(flatten)]
        workspace: WorkspaceArg,
        file: PathBuf,
    },
}

fn fail(command: &str, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("storedesk {command}: {message}");
    ExitCode::FAILURE
}

fn open(command: &str, dir: &Path) -> Result<Workspace, ExitCode> {
    Workspace::open_dir(dir).map_err(|e| fail(command, e))
}

pub(super) fn client(command: &str, remote: &RemoteArgs) -> Result<Client, ExitCode> {
    let secret = match std::env::var(&remote.key_env) {
        Ok(s) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => {
            return Err(fail(
                command,
                format!(
                    "the environment variable {} is not set; set it to the project's API key.",
                    remote.key_env
                ),
            ));
        }
    };
    let kind = if remote.public {
        KeyKind::Public
    } else {
        KeyKind::Private
    };
    let mut config = ClientConfig::new(remote.base_url.clone(), ApiKey::new(kind, secret));
    config.qps = remote.qps;
    Client::new(config).map_err(|e| fail(command, e))
}

pub(super) fn runtime(command: &str) -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| fail(command, format!("could not start: {e}")))
}

macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(code) => return code,
        }
    };
}

pub fn pull(remote: &RemoteArgs, workspace: Option<&Path>) -> ExitCode {
    let Some(dir) = workspace else {
        return fail("pull", "give --workspace DIR or --out FILE.");
    };
    let mut ws = attempt!(open("pull", dir));
    let client = attempt!(client("pull", remote));
    let rt = attempt!(runtime("pull"));
    let result = rt.block_on(sync::pull(&mut ws, &client, |done, total| {
        eprint!("\rpulling: page {done} of {total}");
    }));
    eprintln!();
    match result {
        Ok(r) => {
            println!(
                "{} stores on the server: {} new, {} changed, {} removed, {} unchanged; {} drafts already there.",
                r.remote_stores, r.added, r.changed, r.removed, r.unchanged, r.already_applied
            );
            for id in &r.conflicts {
                println!(
                    "conflict: {id} changed on the server under your draft; resolve it before pushing."
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail("pull", e),
    }
}

pub fn status(dir: &Path, json: bool) -> ExitCode {
    let ws = attempt!(open("status", dir));
    let pending = match ws.pending() {
        Ok(p) => p,
        Err(e) => return fail("status", e),
    };
    if json {
        let items: Vec<serde_json::Value> = pending
            .iter()
            .map(|p| {
                serde_json::json!({
                    "storeId": p.id,
                    "action": p.kind,
                    "origin": p.origin,
                    "changedAt": p.changed_at,
                    "conflict": p.conflict.as_ref().map(|c| c.describe()),
                    "failure": p.failure,
                    "changes": p.diff(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&items).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    if pending.is_empty() {
        println!("No pending changes.");
    }
    for p in &pending {
        let kind = match p.kind {
            crate::workspace::ChangeKind::Create => "new",
            crate::workspace::ChangeKind::Update => "modified",
            crate::workspace::ChangeKind::Delete => "deleted",
        };
        println!("{kind} {} ({}, {})", p.id, p.origin, p.changed_at);
        if let Some(c) = &p.conflict {
            println!("  conflict: {}", c.describe());
        }
        if let Some(f) = &p.failure {
            println!("  refused by the server: {f}");
        }
        if p.kind != crate::workspace::ChangeKind::Delete {
            for change in p.diff() {
                println!("  {}", change.describe());
            }
        }
    }
    if let Ok(Some(label)) = ws.undo_label() {
        println!("Undo would take back: {label}");
    }
    ExitCode::SUCCESS
}

pub fn push(args: &PushArgs) -> ExitCode {
    let mut ws = attempt!(open("push", &args.workspace.workspace));
    let plan_options = PlanOptions {
        byte_budget: args.byte_budget,
        count_budget: args.count_budget,
        ..PlanOptions::default()
    };
    if args.dry_run && !args.replace {
        let (_, lines) = match sync::preview(&ws, &plan_options, args.remote.qps) {
            Ok(p) => p,
            Err(e) => return fail("push", e),
        };
        for line in lines {
            println!("{line}");
        }
        return ExitCode::SUCCESS;
    }
    let client = attempt!(client("push", &args.remote));
    let rt = attempt!(runtime("push"));
    if args.replace {
        return rt.block_on(replace(&mut ws, &client, args, &plan_options));
    }
    let options = PushOptions {
        plan: plan_options,
        ..PushOptions::default()
    };
    let cancel = AtomicBool::new(false);
    let progress = |p: &sync::PushProgress| {
        eprint!(
            "\r{}: {} of {} stores, {} requests",
            p.phase, p.stores_done, p.stores_total, p.requests_sent
        );
    };
    let result = rt.block_on(sync::push(&mut ws, &client, &options, &progress, &cancel));
    eprintln!();
    let report = match result {
        Ok(r) => r,
        Err(e) => return fail("push", e),
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        println!(
            "{} created, {} updated, {} deleted, {} already on the server; {} write requests, {} reads.",
            report.created,
            report.updated,
            report.deleted,
            report.already_applied,
            report.write_requests,
            report.read_requests
        );
        for (id, what) in &report.conflicts {
            println!("conflict: {id}: {what}; resolve it, then push again.");
        }
        for (id, message) in &report.failed {
            println!("refused: {id}: {message}");
        }
        for held in &report.held_back {
            println!("held back: {}: {}", held.id, held.reason.describe());
        }
        if let Some(reason) = &report.stopped {
            println!("stopped: {reason} Your changes are kept; push again when this is fixed.");
        }
    }
    if report.is_complete() && report.held_back.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn replace(
    ws: &mut Workspace,
    client: &Client,
    args: &PushArgs,
    options: &PlanOptions,
) -> ExitCode {
    let remote = match client.list_all(|_, _| {}).await {
        Ok(r) => r,
        Err(e) => return fail("push", e),
    };
    let plan = match sync::plan_replace(ws, &remote, options) {
        Ok(p) => p,
        Err(e) => return fail("push", e),
    };
    println!("{}", plan.describe());
    if plan.refusal().is_some() {
        return ExitCode::FAILURE;
    }
    if args.dry_run || !args.yes {
        if !args.dry_run {
            println!("Nothing was sent; add --yes to replace the project.");
        }
        return ExitCode::SUCCESS;
    }
    match sync::replace(ws, client, &plan).await {
        Ok(message) => {
            println!("Replaced: {message}");
            ExitCode::SUCCESS
        }
        Err(e) => fail("push", e),
    }
}

pub fn undo_redo(dir: &Path, undo: bool) -> ExitCode {
    let mut ws = attempt!(open(if undo { "undo" } else { "redo" }, dir));
    let result = if undo { ws.undo() } else { ws.redo() };
    match result {
        Ok(step) => {
            println!(
                "{}: {} ({} stores)",
                if undo { "Undone" } else { "Redone" },
                step.label,
                step.stores
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(if undo { "undo" } else { "redo" }, e),
    }
}

pub fn discard(dir: &Path, ids: &[String], all: bool) -> ExitCode {
    let mut ws = attempt!(open("discard", dir));
    let result = if all {
        ws.discard_all()
    } else {
        ws.discard(ids)
    };
    match result {
        Ok(n) => {
            println!("{n} changes discarded (undo brings them back).");
            ExitCode::SUCCESS
        }
        Err(e) => fail("discard", e),
    }
}

pub fn delete(dir: &Path, ids: &[String]) -> ExitCode {
    let mut ws = attempt!(open("delete", dir));
    match ws.delete(ids, &Origin::CommandLine) {
        Ok(n) => {
            println!("{n} stores marked for deletion; push to send.");
            ExitCode::SUCCESS
        }
        Err(e) => fail("delete", e),
    }
}

pub fn drafts(action: DraftsAction) -> ExitCode {
    match action {
        DraftsAction::Export { workspace, file } => {
            let ws = attempt!(open("drafts export", &workspace.workspace));
            let text = match ws.export_queue() {
                Ok(t) => t,
                Err(e) => return fail("drafts export", e),
            };
            match crate::files::write_atomically(&file, text.as_bytes()) {
                Ok(()) => {
                    println!(
                        "{} pending changes written to {}.",
                        ws.pending_count().unwrap_or(0),
                        file.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(
                    "drafts export",
                    format!(
                        "could not write {} ({e}); check the folder exists and has free space.",
                        file.display()
                    ),
                ),
            }
        }
        DraftsAction::Import { workspace, file } => {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    return fail(
                        "drafts import",
                        format!(
                            "{} could not be read ({e}); check the path.",
                            file.display()
                        ),
                    );
                }
            };
            let mut ws = attempt!(open("drafts import", &workspace.workspace));
            match ws.import_queue(&text) {
                Ok(n) => {
                    println!("{n} stores changed as drafts (undo takes them back).");
                    ExitCode::SUCCESS
                }
                Err(e) => fail("drafts import", e),
            }
        }
    }
}
