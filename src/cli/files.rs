//! `storedesk import` and `storedesk export`: store files in and out of a workspace.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::export::{self, Format};
use crate::import::{self, ApplyMode, Mapping, MappingStore, ReadOptions, Source};
use crate::validate::Context;
use crate::workspace::Workspace;

use super::workspace::WorkspaceArg;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// A Woosmap JSON, GeoJSON, CSV, TSV, XLSX, XLS or ODS file.
    pub file: PathBuf,
    /// The spreadsheet's sheet (the first when not given).
    #[arg(long)]
    pub sheet: Option<String>,
    /// A column mapping (JSON, as `--mapping-out` writes it); it is saved for files with the
    /// same columns.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Write the column mapping in use to this file, to edit and pass back with --mapping.
    #[arg(long)]
    pub mapping_out: Option<PathBuf>,
    /// What to do with stores that already exist: merge the file's fields that have a value,
    /// replace the whole store, or make the file the whole project (other stores deleted).
    #[arg(long, value_enum, default_value = "merge")]
    pub mode: ModeArg,
    /// Print the report without changing the workspace.
    #[arg(long)]
    pub dry_run: bool,
    /// Print only the rows with warnings or errors.
    #[arg(long)]
    pub problems: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ModeArg {
    Merge,
    Replace,
    ReplaceProject,
}

impl From<ModeArg> for ApplyMode {
    fn from(m: ModeArg) -> ApplyMode {
        match m {
            ModeArg::Merge => ApplyMode::Merge,
            ModeArg::Replace => ApplyMode::Replace,
            ModeArg::ReplaceProject => ApplyMode::ReplaceProject,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// The format; taken from the file name when not given.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Only these stores (all when none is given).
    pub ids: Vec<String>,
}

fn fail(command: &str, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("storedesk {command}: {message}");
    ExitCode::FAILURE
}

/// Where a workspace keeps the column mappings it has been given.
pub fn mapping_store(workspace: &std::path::Path) -> MappingStore {
    MappingStore::new(workspace.join("mappings"))
}

pub fn import(args: &ImportArgs) -> ExitCode {
    let dir = &args.workspace.workspace;
    let options = ReadOptions {
        sheet: args.sheet.clone(),
    };
    let file = args.file.display().to_string();
    let source = match import::read_path(&args.file, &options) {
        Ok(s) => s,
        Err(e) => return fail("import", format!("{file}: {e}")),
    };
    let store = mapping_store(dir);
    let mapping = match &source {
        Source::Stores(_) => None,
        Source::Table(table) => {
            let m = match &args.mapping {
                Some(path) => {
                    let given: Mapping = match std::fs::read_to_string(path)
                        .map_err(|e| e.to_string())
                        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
                    {
                        Ok(m) => m,
                        Err(e) => {
                            return fail(
                                "import",
                                format!(
                                    "the mapping {} cannot be read ({e}); write one with --mapping-out and edit it",
                                    path.display()
                                ),
                            );
                        }
                    };
                    given.adapt(&table.headers)
                }
                None => store
                    .load(&table.headers)
                    .unwrap_or_else(|| Mapping::guess(&table.headers)),
            };
            Some(m)
        }
    };
    if let (Some(m), Some(out)) = (&mapping, &args.mapping_out) {
        let text = serde_json::to_vec_pretty(m).unwrap_or_default();
        if let Err(e) = crate::files::write_atomically(out, &text) {
            return fail("import", format!("{}: {e}", out.display()));
        }
    }
    let ctx = Context::today();
    let headers = match &source {
        Source::Table(t) => Some(t.headers.clone()),
        Source::Stores(_) => None,
    };
    let show = |report: &import::Report| {
        if args.json {
            let value = serde_json::json!({
                "file": file,
                "mapping": mapping,
                "report": report,
                "counts": report.counts(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        } else {
            println!("{file}: {}", report.format);
            if let Some(m) = &mapping {
                for c in &m.columns {
                    println!("  column \"{}\" → {}", c.header, c.target.label());
                }
            }
            print!("{}", report.render(args.problems));
        }
    };
    if args.dry_run {
        let conversion = match import::convert(&source, mapping.as_ref(), &ctx) {
            Ok(c) => c,
            Err(e) => return fail("import", format!("{file}: {e}")),
        };
        show(&conversion.report);
        println!("Dry run: the workspace is unchanged.");
        return exit_for(&conversion.report.counts());
    }
    let mut ws = match Workspace::open_dir(dir) {
        Ok(ws) => ws,
        Err(e) => return fail("import", e),
    };
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let imported = match import::import_into(
        &mut ws,
        &name,
        &source,
        mapping.as_ref(),
        &ctx,
        args.mode.into(),
    ) {
        Ok(imported) => imported,
        Err(e) => return fail("import", format!("{file}: {e}")),
    };
    show(&imported.report);
    let counts = imported.report.counts();
    match imported.applied {
        Ok(summary) => {
            // The mapping that worked is kept for the next file with these columns.
            if let (Some(m), Some(headers)) = (&mapping, &headers)
                && let Err(e) = store.save(headers, m)
            {
                eprintln!(
                    "storedesk import: the column mapping could not be saved ({e}); the import itself is done."
                );
            }
            println!("{}", summary.describe());
            exit_for(&counts)
        }
        Err(e) => fail("import", e),
    }
}

/// 1 when some row had an error, so that scripts notice.
fn exit_for(counts: &import::report::Counts) -> ExitCode {
    if counts.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

pub fn export(args: &ExportArgs) -> ExitCode {
    let Some(format) = args.format.or_else(|| Format::from_path(&args.out)) else {
        return fail(
            "export",
            "say the format with --format json, geojson or csv, or name the file .json, .geojson or .csv",
        );
    };
    let ws = match Workspace::open_dir(&args.workspace.workspace) {
        Ok(ws) => ws,
        Err(e) => return fail("export", e),
    };
    let mut stores = match ws.stores() {
        Ok(s) => s,
        Err(e) => return fail("export", e),
    };
    if !args.ids.is_empty() {
        let missing: Vec<&String> = args
            .ids
            .iter()
            .filter(|id| !stores.iter().any(|s| s.id() == id.as_str()))
            .collect();
        if !missing.is_empty() {
            let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            return fail(
                "export",
                format!(
                    "no store with id {}; check the ids with `storedesk status`",
                    list.join(", ")
                ),
            );
        }
        stores.retain(|s| args.ids.iter().any(|id| id == s.id()));
    }
    let bytes = export::export(&stores, format);
    if let Err(e) = crate::files::write_atomically(&args.out, &bytes) {
        return fail(
            "export",
            format!(
                "{} could not be written ({e}); check the folder and free space",
                args.out.display()
            ),
        );
    }
    println!(
        "{} stores written to {} ({}).",
        stores.len(),
        args.out.display(),
        format.extension()
    );
    ExitCode::SUCCESS
}
