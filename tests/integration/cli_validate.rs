//! `storedesk validate` as a person or a script runs it.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn validate(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storedesk"))
        .arg("validate")
        .args(args)
        .output()
        .expect("storedesk runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_clean_file_exits_zero() {
    let out = validate(&[fixture("stores_write.json").as_os_str()]);
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("Woosmap JSON, 3 stores: 0 errors, 0 warnings, 0 notices"),
        "{stdout}"
    );
}

#[test]
fn errors_exit_one_and_are_grouped_by_store() {
    let out = validate(&[fixture("errors.json").as_os_str()]);
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for expected in [
        "bad one (store #2, line 3)",
        "store_id.invalid",
        "name.missing",
        "location.null_island",
        "hours.timezone.unknown",
        "hours.day.unknown",
        "hours.period.order",
        "store.unreadable",
        "line 5, column",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("ok_1"),
        "a clean store is not listed:\n{stdout}"
    );
}

#[test]
fn messy_file_gets_the_findings_a_person_expects() {
    let out = validate(&[fixture("messy_markets.json").as_os_str(), "--json".as_ref()]);
    assert_eq!(out.status.code(), Some(0), "only warnings and notices");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let stores = report["files"][0]["stores"]
        .as_array()
        .expect("stores")
        .clone();
    let codes = |i: usize| -> Vec<(String, String)> {
        stores[i]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap_or("").to_owned(),
                    f["path"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    let pair = |c: &str, p: &str| (c.to_owned(), p.to_owned());
    assert_eq!(
        codes(0),
        vec![
            pair(
                "hours.time.normalised",
                "openingHours.usual.default[0].start"
            ),
            pair("field.unknown", "address.country"),
        ]
    );
    assert_eq!(
        codes(1),
        vec![
            pair("contact.email.typo", "contact.email"),
            pair("hours.timezone.country", "openingHours.timezone"),
            pair("field.unknown", "address.country"),
            pair("address.lines.copied", "address.lines[0]"),
        ]
    );
    assert_eq!(
        codes(2),
        vec![
            pair("contact.phone.country", "contact.phone"),
            pair("field.unknown", "address.country"),
            pair("field.unknown", "contact.tel"),
            pair("address.lines.copied", "address.lines[0]"),
        ]
    );
    assert_eq!(codes(3), vec![pair("field.unknown", "address.country")]);
}

#[test]
fn a_malformed_file_gets_one_sentence_with_line_and_column() {
    let out = validate(&[fixture("truncated.json").as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out);
    assert!(
        stdout.contains("the file ends too early at line 2"),
        "{stdout}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));

    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes, expected) in [
        ("empty.json", &b""[..], "the file is empty"),
        (
            "binary.json",
            &b"\x89PNG\r\n\x1a\n\0\0\0"[..],
            "does not look like text",
        ),
        (
            "latin1.json",
            &b"{\"stores\": [{\"name\": \"caf\xe9\"}]}"[..],
            "not UTF-8",
        ),
        (
            "syntax.json",
            &b"{\"stores\": [\n  {\"storeId\": \"a\",}\n]}"[..],
            "not valid JSON at line 2, column 19",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let out = validate(&[path.as_os_str()]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(text(&out).contains(expected), "{name}: {}", text(&out));
    }
    let missing = validate(&[dir.path().join("nope.json").as_os_str()]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).contains("could not be read"));
}

#[test]
fn the_woosmap_sample_reports_what_is_wrong_and_nothing_else() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/woosmap/samples/foodmarkets.json");
    if !path.exists() {
        eprintln!("SKIPPED: {} is not present", path.display());
        return;
    }
    let out = validate(&[path.as_os_str(), "--json".as_ref()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the sample has warnings, no errors"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut found: Vec<String> = Vec::new();
    for store in report["files"][0]["stores"].as_array().expect("stores") {
        for f in store["findings"].as_array().expect("findings") {
            let code = f["code"].as_str().unwrap_or("");
            if code == "field.unknown" && f["path"] == "address.country" {
                continue;
            }
            found.push(format!(
                "{} {} {}",
                store["storeId"].as_str().unwrap_or(""),
                code,
                f["path"].as_str().unwrap_or("")
            ));
        }
    }
    let unknown_country = report["files"][0]["stores"]
        .as_array()
        .expect("stores")
        .iter()
        .filter(|s| {
            s["findings"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f["path"] == "address.country"))
        })
        .count();
    assert_eq!(unknown_country, 18, "every store has address.country");
    found.sort();
    assert_eq!(
        found,
        vec![
            "mercatocentraledisanlorenzo hours.timezone.country openingHours.timezone",
            "naschmarktvienna address.lines.copied address.lines[0]",
            "naschmarktvienna field.unknown contact.tel",
            "naschmarktvienna hours.time.normalised openingHours.usual.6[0].start",
            "naschmarktvienna hours.time.normalised openingHours.usual.default[0].start",
            "stgeorgesmarket hours.timezone.country openingHours.timezone",
            // Belfast is in the United Kingdom; the sample's address says Ireland.
            "stgeorgesmarket location.outside_country location",
            "testacciomarket address.lines.copied address.lines[0]",
            "testacciomarket contact.email.typo contact.email",
            "torvehallerne contact.phone.country contact.phone",
        ]
    );
}
