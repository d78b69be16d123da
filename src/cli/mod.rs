//! The command line: with no subcommand the window opens; subcommands work on files and
//! projects for scripts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;

mod files;
mod workspace;

pub use files::mapping_store;
pub use workspace::{RemoteArgs, WorkspaceArg};

use crate::model::{Document, parse_document};
use crate::validate::{Context, Finding, Severity, validate_set};

#[derive(Debug, Parser)]
#[command(
    name = "storedesk",
    version,
    about = "Edit Woosmap stores and push them safely"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open the window, wait until the stores are on the map, save a picture of it in this
    /// PNG file and close.
    #[arg(long, value_name = "FILE")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: select this store first, so that its form shows.
    #[arg(long, value_name = "STORE_ID", requires = "screenshot")]
    pub select: Option<String>,
    /// With --select: open the store's opening-hours editor too.
    #[arg(long, requires = "select")]
    pub hours: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Woosmap JSON or GeoJSON files and print what is wrong, store by store.
    /// Exits 1 when a file has an error, 0 otherwise.
    Validate {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a local Woosmap-compatible API on this computer, for trying storedesk offline and
    /// for tests.
    Emulator(EmulatorArgs),
    /// Download every store of a project: into a workspace's base (drafts stay; stores changed
    /// under a draft become conflicts) with --workspace, or into a Woosmap JSON file with --out.
    Pull {
        #[command(flatten)]
        remote: RemoteArgs,
        /// Where to write the stores as Woosmap JSON (write format).
        #[arg(
            long,
            required_unless_present = "workspace",
            conflicts_with = "workspace"
        )]
        out: Option<PathBuf>,
        /// The workspace whose base to refresh.
        #[arg(long)]
        workspace: Option<PathBuf>,
    },
    /// The pending changes of a workspace, field by field, with conflicts and refusals.
    Status {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Send the pending changes to the API. Exits 1 when some could not be pushed.
    Push(workspace::PushArgs),
    /// Take back the latest edit step.
    Undo {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
    /// Apply again the edit step last taken back.
    Redo {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
    /// Drop pending changes (one undoable step): the stores return to the server's version.
    Discard {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// The stores whose changes to drop.
        #[arg(required_unless_present = "all")]
        ids: Vec<String>,
        /// Drop every pending change.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
    /// Mark stores for deletion (a draft; nothing is sent before push).
    Delete {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Add or update stores from a file (Woosmap JSON, GeoJSON, CSV, TSV, XLSX, XLS, ODS) as
    /// drafts, in one undoable step, printing a report line per row. Nothing is pushed.
    Import(files::ImportArgs),
    /// Write the stores (all, or the ids given) to a Woosmap JSON, GeoJSON or CSV file.
    Export(files::ExportArgs),
    /// Export the pending changes to a drafts file, or read one back.
    Drafts {
        #[command(subcommand)]
        action: workspace::DraftsAction,
    },
}

#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: std::net::SocketAddr,
    /// The private key the emulator accepts for reads and writes.
    #[arg(long, default_value = "private-key")]
    pub private_key: String,
    /// The public key the emulator accepts for reads only.
    #[arg(long, default_value = "public-key")]
    pub public_key: String,
    /// A Woosmap JSON file of stores to start with (when there is no state file yet).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// A file that keeps the stores between runs.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Stores per page of `GET /stores`.
    #[arg(long, default_value_t = 300)]
    pub page_size: usize,
    /// Requests a second before answering 429; 0 for no limit.
    #[arg(long, default_value_t = 10)]
    pub qps: u32,
    /// Milliseconds added to every answer.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of requests answered with a 5xx error, 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Share of requests answered after `--slow-ms`, 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    pub slow_rate: f64,
    /// How late a slow answer comes, in milliseconds.
    #[arg(long, default_value_t = 35_000)]
    pub slow_ms: u64,
    /// Share of writes applied and then left without an answer, 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    pub lost_rate: f64,
    /// Seed for the faults.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => match crate::app::run(cli.screenshot.map(|path| {
            let mut shot = crate::app::Screenshot::new(path);
            shot.select = cli.select;
            shot.open_hours = cli.hours;
            shot
        })) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("storedesk: the window could not open: {e}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Validate { files, json }) => validate_files(&files, json),
        Some(Command::Emulator(args)) => run_emulator(args),
        Some(Command::Pull {
            remote,
            out: Some(out),
            workspace: None,
        }) => pull_to_file(&remote, &out),
        Some(Command::Pull {
            remote, workspace, ..
        }) => workspace::pull(&remote, workspace.as_deref()),
        Some(Command::Status { workspace, json }) => workspace::status(&workspace.workspace, json),
        Some(Command::Push(args)) => workspace::push(&args),
        Some(Command::Undo { workspace }) => workspace::undo_redo(&workspace.workspace, true),
        Some(Command::Redo { workspace }) => workspace::undo_redo(&workspace.workspace, false),
        Some(Command::Discard {
            workspace,
            ids,
            all,
        }) => workspace::discard(&workspace.workspace, &ids, all),
        Some(Command::Delete { workspace, ids }) => workspace::delete(&workspace.workspace, &ids),
        Some(Command::Import(args)) => files::import(&args),
        Some(Command::Export(args)) => files::export(&args),
        Some(Command::Drafts { action }) => workspace::drafts(action),
    }
}

/// What `validate` found in one file.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// Why the file could not be read at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub stores: Vec<StoreReport>,
    pub errors: usize,
    pub warnings: usize,
    pub notices: usize,
}

#[derive(Debug, Serialize)]
pub struct StoreReport {
    /// 1-based position in the file.
    pub number: usize,
    #[serde(rename = "storeId")]
    pub store_id: String,
    pub line: usize,
    pub column: usize,
    pub findings: Vec<Finding>,
}

impl FileReport {
    pub fn has_errors(&self) -> bool {
        self.error.is_some() || self.errors > 0
    }
}

/// Reads and checks one file.
pub fn validate_file(path: &Path, ctx: &Context) -> FileReport {
    let mut report = FileReport {
        path: path.display().to_string(),
        format: None,
        error: None,
        stores: Vec::new(),
        errors: 0,
        warnings: 0,
        notices: 0,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            report.error = Some(format!("the file could not be read: {e}"));
            return report;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            report.error = Some(if e.as_bytes().contains(&0) {
                "the file does not look like text (it has binary bytes); pick a JSON or GeoJSON file".to_owned()
            } else {
                "the file is not UTF-8 text; save it as UTF-8 and try again".to_owned()
            });
            return report;
        }
    };
    match parse_document(&text) {
        Ok(doc) => fill_report(&mut report, &doc, ctx),
        Err(e) => report.error = Some(e.to_string()),
    }
    report
}

fn fill_report(report: &mut FileReport, doc: &Document, ctx: &Context) {
    report.format = Some(doc.kind.label());
    let stores: Vec<_> = doc.stores().cloned().collect();
    let mut findings = validate_set(&stores, ctx).into_iter();
    for entry in &doc.entries {
        let (store_id, list) = match &entry.result {
            Ok(store) => (store.id().to_owned(), findings.next().unwrap_or_default()),
            Err(e) => (
                String::new(),
                vec![Finding {
                    severity: Severity::Error,
                    code: crate::validate::Code::StoreUnreadable,
                    path: String::new(),
                    message: format!(
                        "This store could not be read (line {}, column {}): {}. It is kept as written.",
                        e.line, e.column, e.message
                    ),
                }],
            ),
        };
        for f in &list {
            match f.severity {
                Severity::Error => report.errors += 1,
                Severity::Warning => report.warnings += 1,
                Severity::Notice => report.notices += 1,
            }
        }
        report.stores.push(StoreReport {
            number: entry.index + 1,
            store_id,
            line: entry.line,
            column: entry.column,
            findings: list,
        });
    }
}

fn validate_files(files: &[PathBuf], json: bool) -> ExitCode {
    let ctx = Context::today();
    let reports: Vec<FileReport> = files.iter().map(|f| validate_file(f, &ctx)).collect();
    if json {
        match serde_json::to_string_pretty(&serde_json::json!({ "files": reports })) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("storedesk: could not write the report: {e}"),
        }
    } else {
        for report in &reports {
            print!("{}", render_report(report));
        }
    }
    if reports.iter().any(FileReport::has_errors) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The text a person reads: a summary line per file, then each store with findings.
pub fn render_report(report: &FileReport) -> String {
    let mut out = String::new();
    if let Some(error) = &report.error {
        out.push_str(&format!("{}: {error}\n", report.path));
        return out;
    }
    out.push_str(&format!(
        "{}: {}, {} stores: {} errors, {} warnings, {} notices\n",
        report.path,
        report.format.unwrap_or("stores"),
        report.stores.len(),
        report.errors,
        report.warnings,
        report.notices
    ));
    for store in &report.stores {
        let shown = &store.findings;
        if shown.is_empty() {
            continue;
        }
        let id = if store.store_id.is_empty() {
            "(no storeId)"
        } else {
            &store.store_id
        };
        out.push_str(&format!(
            "\n{id} (store #{}, line {})\n",
            store.number, store.line
        ));
        for f in shown {
            let path = if f.path.is_empty() { "-" } else { &f.path };
            out.push_str(&format!(
                "  {:<7}  {:<28}  {path}: {}\n",
                f.severity.to_string(),
                f.code.as_str(),
                f.message
            ));
        }
    }
    out
}

fn run_emulator(args: EmulatorArgs) -> ExitCode {
    use crate::emulator::{EmulatorConfig, Faults};
    use std::time::Duration;
    let config = EmulatorConfig {
        private_key: args.private_key,
        public_key: args.public_key,
        page_size: args.page_size.max(1),
        qps: args.qps,
        latency: Duration::from_millis(args.latency_ms),
        faults: Faults {
            server_error_rate: args.fail_rate,
            slow_rate: args.slow_rate,
            slow_delay: Duration::from_millis(args.slow_ms),
            lost_response_rate: args.lost_rate,
            refused_ids: Vec::new(),
        },
        seed: args.seed,
        state_file: args.state,
        log_to_stderr: true,
    };
    match crate::emulator::run_cli(config, args.addr, args.data) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("storedesk emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

fn pull_to_file(remote: &RemoteArgs, out: &Path) -> ExitCode {
    let client = match workspace::client("pull", remote) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let runtime = match workspace::runtime("pull") {
        Ok(r) => r,
        Err(code) => return code,
    };
    let result = runtime.block_on(client.list_all(|done, total| {
        eprint!("\rpulling: page {done} of {total}");
    }));
    eprintln!();
    let stores: Vec<crate::model::Store> = match result {
        Ok(list) => list.into_iter().map(|(store, _)| store).collect(),
        Err(e) => {
            eprintln!("storedesk pull: {e}");
            return ExitCode::FAILURE;
        }
    };
    let text = match serde_json::to_string_pretty(&crate::model::WriteBody { stores: &stores }) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("storedesk pull: could not write the stores: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = crate::files::write_atomically(out, text.as_bytes()) {
        eprintln!(
            "storedesk pull: could not write {}: {e}; check the folder exists and has free space.",
            out.display()
        );
        return ExitCode::FAILURE;
    }
    eprintln!("pulled {} stores into {}", stores.len(), out.display());
    ExitCode::SUCCESS
}
