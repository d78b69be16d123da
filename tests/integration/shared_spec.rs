//! An extra layer over `../shared/woosmap`: Woosmap's own OpenAPI examples and sample files.
//! When that folder is not beside the repository, each test says it is skipped and passes.

use std::path::{Path, PathBuf};

use storedesk::model::{FeatureCollection, ReadFeature, Store, parse_document, write_body};

fn shared() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/woosmap");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} is not present; the Woosmap examples were not checked",
            dir.display()
        );
        None
    }
}

/// The example files are JSON written with `#` comment lines and trailing commas; this makes
/// them plain JSON.
fn example_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::with_capacity(body.len());
    let chars: Vec<char> = body.chars().collect();
    let mut in_string = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 1;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if !matches!(next, Some('}') | Some(']')) {
                out.push(c);
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn examples(dir: &Path, sub: &str) -> Vec<(String, serde_json::Value)> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("openapi/specification").join(sub))
        .expect("examples folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                example_json(&p),
            )
        })
        .collect()
}

#[test]
fn every_request_example_round_trips() {
    let Some(dir) = shared() else { return };
    let all = examples(&dir, "requests");
    assert!(all.len() >= 4);
    for (name, value) in all {
        let text = value.to_string();
        let doc = parse_document(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let stores: Vec<Store> = doc
            .entries
            .into_iter()
            .map(|e| e.result.expect(&name))
            .collect();
        assert!(!stores.is_empty(), "{name}");
        // parse -> serialise -> parse is identity, and the JSON means the same.
        let body = write_body(&stores);
        let again: Vec<Store> = parse_document(&body)
            .expect(&name)
            .stores()
            .cloned()
            .collect();
        assert_eq!(stores, again, "{name}");
        let written: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(written, value, "{name}");
    }
}

#[test]
fn every_store_response_example_parses() {
    let Some(dir) = shared() else { return };
    let mut checked = 0;
    for (name, value) in examples(&dir, "responses") {
        let text = value.to_string();
        if name.contains("feature_collection") && !name.contains("autocomplete") {
            let page: FeatureCollection =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                page.pagination.is_some() || !page.features.is_empty(),
                "{name}"
            );
            for f in page.features {
                let (store, _) = f.into_store();
                assert!(!store.id().is_empty() && store.location.is_some(), "{name}");
                assert!(!store.to_json().contains("weekly_opening"), "{name}");
            }
            checked += 1;
        } else if name.contains("asset_feature_response") {
            let f: ReadFeature =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let (store, meta) = f.into_store();
            assert!(!store.id().is_empty(), "{name}");
            assert!(meta.last_updated.is_some(), "{name}");
            checked += 1;
        } else if name.contains("asset_response") {
            // A bare properties object, as the search endpoints nest it.
            let f: ReadFeature =
                serde_json::from_value(serde_json::json!({"type": "Feature", "properties": value}))
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!f.into_store().0.id().is_empty(), "{name}");
            checked += 1;
        } else if name.starts_with("woosmap_http_assets_") {
            // Write responses: {"status": "success", "value": ...}.
            assert_eq!(value["status"], "success", "{name}");
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} examples checked");
}

#[test]
fn both_sample_files_load() {
    let Some(dir) = shared() else { return };
    let text = std::fs::read_to_string(dir.join("samples/foodmarkets.json")).expect("sample");
    let doc = parse_document(&text).expect("parses");
    assert_eq!(doc.stores().count(), 18);
    assert!(doc.entries.iter().all(|e| e.result.is_ok()));
    // The CSV sample is tabular (import reads it); here it must at least be its 18 rows.
    let csv = std::fs::read_to_string(dir.join("samples/foodmarkets.csv")).expect("sample");
    assert_eq!(csv.lines().filter(|l| !l.trim().is_empty()).count(), 19);
}

/// Contract: each request example is accepted by the emulator through the client, and what the
/// emulator answers parses back to the same stores.
#[tokio::test]
async fn every_request_example_is_accepted_by_the_emulator() {
    use storedesk::api::{ApiKey, Client, ClientConfig, KeyKind};
    use storedesk::emulator::{Emulator, EmulatorConfig};
    let Some(dir) = shared() else { return };
    for (name, value) in examples(&dir, "requests") {
        let emu = Emulator::start(
            EmulatorConfig {
                qps: 0,
                ..Default::default()
            },
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        )
        .await
        .expect("emulator");
        let mut cfg =
            ClientConfig::new(emu.base_url(), ApiKey::new(KeyKind::Private, "private-key"));
        cfg.qps = 0;
        let client = Client::new(cfg).expect("client");
        let stores: Vec<Store> = parse_document(&value.to_string())
            .expect(&name)
            .stores()
            .cloned()
            .collect();
        if name.contains("update") {
            // An update needs the stores to exist first.
            client
                .add(&stores)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            client
                .update(&stores)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        } else {
            client
                .add(&stores)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            client
                .replace(&stores)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        for s in &stores {
            let (back, _) = client.get(s.id()).await.expect(&name).expect(&name);
            let mut expected = s.normalised();
            expected.localized_names = None;
            assert_eq!(back.normalised(), expected, "{name}");
        }
        emu.shutdown().await;
    }
}
