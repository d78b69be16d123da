//! The sample files Woosmap publishes, when `../shared/woosmap/samples` is next to the
//! repository; each test says clearly when it is skipped.

use std::path::PathBuf;

use storedesk::import::{self, ReadOptions, Status};
use storedesk::validate::Context;

fn sample(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/woosmap/samples")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} not found", path.display());
        None
    }
}

#[test]
fn foodmarkets_csv_gives_18_stores_with_made_ids() {
    let Some(path) = sample("foodmarkets.csv") else {
        return;
    };
    let source = import::read_path(&path, &ReadOptions::default()).expect("read");
    let c = import::convert(&source, None, &Context::today()).expect("convert");
    let counts = c.report.counts();
    let report = c.report.render(false);
    assert_eq!(
        (counts.rows, counts.imported, counts.errors),
        (18, 18, 0),
        "{report}"
    );
    assert!(
        c.report.rows.iter().all(|r| r.status == Status::Warning),
        "{report}"
    );
    let ids: Vec<&str> = c.stores.iter().map(|(_, s)| s.id()).collect();
    assert_eq!(ids[0], "markthal_rotterdam");
    assert!(ids.contains(&"testaccio_market_roma"), "{ids:?}");
    let types: Vec<&str> = c
        .stores
        .iter()
        .flat_map(|(_, s)| s.types.iter().flatten().map(String::as_str))
        .collect();
    assert_eq!(types.iter().filter(|t| **t == "outside").count(), 4);
    // The mistyped email domain is flagged on its row and column.
    let testaccio = &c.report.rows[1];
    assert!(
        testaccio
            .notes
            .iter()
            .any(|n| n.column.as_deref() == Some("Contact Email")),
        "{report}"
    );
}

#[test]
fn foodmarkets_json_gives_18_stores_each_told_of_address_country() {
    let Some(path) = sample("foodmarkets.json") else {
        return;
    };
    let source = import::read_path(&path, &ReadOptions::default()).expect("read");
    let c = import::convert(&source, None, &Context::today()).expect("convert");
    let counts = c.report.counts();
    let report = c.report.render(false);
    assert_eq!(
        (counts.rows, counts.imported, counts.errors),
        (18, 18, 0),
        "{report}"
    );
    assert!(
        c.report.rows.iter().all(|r| r
            .notes
            .iter()
            .any(|n| n.message.contains("address.country"))),
        "{report}"
    );
    assert_eq!(c.stores[0].1.id(), "markthalrotterdam");
}
