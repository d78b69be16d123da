//! `storedesk import` and `storedesk export` as a user runs them: reports, dry runs, saved
//! mappings, round trips, and files that cannot be imported.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str], ws: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storedesk"))
        .args(args)
        .arg("--workspace")
        .arg(ws)
        .output()
        .expect("storedesk runs")
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn pending(ws: &Path) -> String {
    out(&run(&["status"], ws))
}

#[test]
fn dry_run_then_import_then_export_and_back() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = dir.path().join("ws");

    // A dry run prints the mapping and the report and leaves the workspace as it was.
    let dry = run(&["import", "--dry-run", &fixture("stores_bom.csv")], &ws);
    let text = out(&dry);
    assert!(!dry.status.success(), "row 3 repeats an id: exit 1\n{text}");
    assert!(text.contains("column \"store code\" → store id"), "{text}");
    assert!(text.contains("7 rows: "), "{text}");
    assert!(
        text.contains("Dry run: the workspace is unchanged."),
        "{text}"
    );
    assert!(
        pending(&ws).contains("No pending changes"),
        "{}",
        pending(&ws)
    );

    // The import itself: the stores become drafts, each with its row.
    let done = run(&["import", &fixture("stores_bom.csv")], &ws);
    let text = out(&done);
    assert!(
        text.contains("new stores and 0 updates added as drafts"),
        "{text}"
    );
    let status = pending(&ws);
    assert!(
        status.contains("import of stores_bom.csv, row 2"),
        "{status}"
    );

    // Export to each format and import into a new workspace: the same stores.
    for format in ["json", "geojson", "csv"] {
        let file = dir.path().join(format!("out.{format}"));
        let file = file.to_str().expect("utf-8 path");
        let exported = run(&["export", "--out", file], &ws);
        assert!(exported.status.success(), "{}", out(&exported));
        let other = dir.path().join(format!("ws-{format}"));
        let back = run(&["import", file], &other);
        assert!(back.status.success(), "{format}: {}", out(&back));
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        run(&["export", "--out", a.to_str().expect("utf-8")], &ws);
        run(&["export", "--out", b.to_str().expect("utf-8")], &other);
        assert_eq!(
            std::fs::read_to_string(&a).expect("a"),
            std::fs::read_to_string(&b).expect("b"),
            "{format}"
        );
    }
}

#[test]
fn an_edited_mapping_is_used_and_remembered() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = dir.path().join("ws");
    let csv = dir.path().join("shops.csv");
    std::fs::write(
        &csv,
        "Ref,Label,Lat,Lng,Rayon\nr1,Shop One,48.1,2.1,bio/vrac\n",
    )
    .expect("write");
    let csv = csv.to_str().expect("utf-8");
    let mapping = dir.path().join("mapping.json");
    let mapping = mapping.to_str().expect("utf-8");
    let first = run(&["import", "--dry-run", "--mapping-out", mapping, csv], &ws);
    assert!(
        out(&first).contains("column \"Rayon\" → user property \"Rayon\""),
        "{}",
        out(&first)
    );
    // The user maps Rayon to tags, split on "/".
    let text = std::fs::read_to_string(mapping).expect("mapping written");
    let mut m: serde_json::Value = serde_json::from_str(&text).expect("json");
    m["columns"][4]["target"] = serde_json::json!({"field": "tags"});
    m["list_separator"] = serde_json::json!("/");
    std::fs::write(mapping, m.to_string()).expect("write");
    let second = run(&["import", "--mapping", mapping, csv], &ws);
    assert!(second.status.success(), "{}", out(&second));
    assert!(pending(&ws).contains("\"bio\""), "{}", pending(&ws));
    // Next time, without --mapping, the saved one is used.
    let third = run(&["import", "--dry-run", csv], &ws);
    assert!(
        out(&third).contains("column \"Rayon\" → tags"),
        "{}",
        out(&third)
    );
}

#[test]
fn files_that_cannot_be_imported_change_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = dir.path().join("ws");
    let ok = run(&["import", &fixture("week_columns.tsv")], &ws);
    assert!(out(&ok).contains("2 new stores"), "{}", out(&ok));
    let before = pending(&ws);
    for (file, words) in [
        (fixture("empty.csv"), "empty"),
        (fixture("binary.xyz"), "binary"),
        (
            format!(
                "{}/tests/fixtures/truncated.json",
                env!("CARGO_MANIFEST_DIR")
            ),
            "ends too early",
        ),
        (fixture("no-such-file.csv"), "cannot be read"),
    ] {
        let o = run(&["import", &file], &ws);
        assert!(!o.status.success(), "{file}");
        assert!(out(&o).contains(words), "{file}: {}", out(&o));
        assert_eq!(pending(&ws), before, "{file} changed the workspace");
    }
}
