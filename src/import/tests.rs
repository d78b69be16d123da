//! Whole imports of messy files: what a person expects each row to become.

use std::io::Write;
use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::model::Store;
use crate::validate::Context;
use crate::workspace::Workspace;

fn ctx() -> Context {
    Context {
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"),
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn import_bytes(name: &str, bytes: Vec<u8>) -> (Source, Conversion) {
    let source = read_bytes(name, bytes, &ReadOptions::default()).expect("read");
    let conversion = convert(&source, None, &ctx()).expect("convert");
    (source, conversion)
}

fn store<'a>(c: &'a Conversion, id: &str) -> &'a Store {
    c.stores
        .iter()
        .map(|(_, s)| s)
        .find(|s| s.id() == id)
        .unwrap_or_else(|| panic!("no store {id} in {:?}", ids(c)))
}

fn ids(c: &Conversion) -> Vec<&str> {
    c.stores.iter().map(|(_, s)| s.id()).collect()
}

fn row(c: &Conversion, n: usize) -> &RowReport {
    &c.report.rows[n - 1]
}

fn says(r: &RowReport, words: &str) -> bool {
    r.notes.iter().any(|n| n.message.contains(words))
}

fn counts_add_up(c: &Conversion, rows: usize) {
    let k = c.report.counts();
    assert_eq!(k.rows, rows, "{}", c.report.render(false));
    assert_eq!(k.ok + k.warnings + k.errors, rows);
    assert_eq!(k.imported + k.not_imported, rows);
    assert_eq!(k.imported, c.stores.len());
}

#[test]
fn latin1_semicolons_french_headers_dms_and_made_ids() {
    let (source, c) = import_bytes("marches.csv", fixture("marches_latin1.csv"));
    let Source::Table(table) = &source else {
        panic!("a table")
    };
    assert_eq!(
        table.format,
        TableFormat::Delimited {
            delimiter: b';',
            encoding: "Windows-1252"
        }
    );
    let mapping = Mapping::guess(&table.headers);
    let targets: Vec<&Target> = mapping.columns.iter().map(|c| &c.target).collect();
    assert_eq!(
        targets,
        [
            &Target::Name,
            &Target::AddressLine,
            &Target::Zipcode,
            &Target::City,
            &Target::Country,
            &Target::Latitude,
            &Target::Longitude,
            &Target::Phone,
            &Target::OpeningHours,
            &Target::UserProperty {
                key: "Surface m2".into()
            },
        ]
    );
    counts_add_up(&c, 6);
    let text = c.report.render(false);

    // Row 1: decimal commas, the name with its accent, an id made from name and city.
    let first = &c.stores[0].1;
    assert_eq!(first.name.as_deref(), Some("Marché des Enfants Rouges"));
    let loc = first.location.as_ref().expect("location");
    assert!((loc.lat - 48.86283).abs() < 1e-9 && (loc.lng - 2.36196).abs() < 1e-9);
    assert_eq!(
        first
            .address
            .as_ref()
            .and_then(|a| a.country_code.as_deref()),
        Some("FR")
    );
    assert_eq!(
        first.user_properties,
        Some(
            json!({"Surface m2": 540})
                .as_object()
                .cloned()
                .expect("map")
        )
    );
    assert!(says(row(&c, 1), "made from the name and city"), "{text}");
    let usual = first
        .opening_hours
        .as_ref()
        .and_then(|h| h.usual.as_ref())
        .expect("hours");
    assert_eq!(usual.len(), 6, "Tu-Sa and Su: {usual:?}");

    // Rows 2 and 3: the same name in the same city get distinct ids; degrees-minutes-seconds.
    let (id2, id3) = (
        row(&c, 2).id.clone().expect("id"),
        row(&c, 3).id.clone().expect("id"),
    );
    assert_ne!(id2, id3);
    assert!(id3.starts_with(&id2), "{id2} / {id3}");
    let bastille = store(&c, &id2).location.as_ref().expect("location");
    assert!((bastille.lat - (48.0 + 51.0 / 60.0 + 24.0 / 3600.0)).abs() < 1e-9);
    assert!((bastille.lng - (2.0 + 22.0 / 60.0 + 10.0 / 3600.0)).abs() < 1e-9);
    // Row 3: an overnight period is split and the user is told.
    assert!(
        row(&c, 3)
            .notes
            .iter()
            .any(|n| n.message.contains("midnight")),
        "{text}"
    );

    // Row 4: no coordinates: imported, needs a location.
    assert!(row(&c, 4).imported);
    assert!(says(row(&c, 4), "needs a location"), "{text}");
    assert!(
        store(&c, row(&c, 4).id.as_deref().expect("id"))
            .location
            .is_none()
    );

    // Row 5: a country name in German; hours that cannot be read are reported, not guessed;
    // the formula in the phone cell is kept as text and flagged by validation.
    let r5 = row(&c, 5);
    assert_eq!(r5.status, Status::Error, "{text}");
    assert!(
        r5.notes
            .iter()
            .any(|n| n.column.as_deref() == Some("Horaires") && n.status == Status::Error),
        "{text}"
    );
    let s5 = store(&c, r5.id.as_deref().expect("id"));
    assert!(s5.opening_hours.is_none());
    assert_eq!(
        s5.address.as_ref().and_then(|a| a.country_code.as_deref()),
        Some("FR")
    );

    // Row 6: latitude and longitude swapped (Brussels).
    assert!(says(row(&c, 6), "swapped"), "{text}");
}

#[test]
fn bom_ids_duplicates_ragged_rows_and_quoted_newlines() {
    let (_, c) = import_bytes("stores.csv", fixture("stores_bom.csv"));
    counts_add_up(&c, 7);
    let text = c.report.render(false);
    // A quoted cell over two lines is one address line with its newline.
    let s1 = store(&c, "S1");
    assert_eq!(
        s1.address.as_ref().and_then(|a| a.lines.clone()),
        Some(vec!["1 High Street\nUnit 2".to_owned()])
    );
    assert_eq!(
        s1.tags,
        Some(vec!["organic".to_owned(), "bakery".to_owned()])
    );
    // United Kingdom → GB; two periods on weekdays.
    let s2 = store(&c, "S2");
    assert_eq!(
        s2.address.as_ref().and_then(|a| a.country_code.as_deref()),
        Some("GB")
    );
    // Row 3 repeats S1: an error, not imported, pointing at row 1.
    let r3 = row(&c, 3);
    assert!(!r3.imported && r3.status == Status::Error, "{text}");
    assert!(says(r3, "row 1"), "{text}");
    assert_eq!(s1.name.as_deref(), Some("Corner Shop"));
    // Row 4: an id with invalid characters is cleaned and said; the extra cell is named.
    let r4 = row(&c, 4);
    assert!(r4.imported, "{text}");
    assert_ne!(r4.id.as_deref(), Some("S 3/b"));
    assert!(says(r4, "extra cell"), "{text}");
    // Row 5: a short row: the missing cells are empty, said.
    assert!(says(row(&c, 5), "missing cells"), "{text}");
    // Row 6: blank.
    let r6 = row(&c, 6);
    assert!(!r6.imported && says(r6, "empty"), "{text}");
    // Row 7: no id: one is made.
    assert!(
        row(&c, 7).imported && says(row(&c, 7), "made from"),
        "{text}"
    );
}

#[test]
fn weekday_columns_with_a_time_zone() {
    let (_, c) = import_bytes("week.tsv", fixture("week_columns.tsv"));
    counts_add_up(&c, 2);
    let text = c.report.render(false);
    let w1 = store(&c, "w1");
    let hours = w1.opening_hours.as_ref().expect("hours");
    assert_eq!(hours.timezone.as_deref(), Some("Europe/Amsterdam"));
    let usual = hours.usual.as_ref().expect("usual");
    assert_eq!(usual.len(), 7, "{usual:?}");
    assert_eq!(
        usual[&crate::hours::DayKey::Weekday(2)].len(),
        2,
        "Tuesday has two periods"
    );
    assert_eq!(
        w1.address.as_ref().and_then(|a| a.country_code.as_deref()),
        Some("NL")
    );
    assert_eq!(row(&c, 1).status, Status::Ok, "{text}");
    // w2: Monday 20:00-02:00 goes on to Tuesday; "nonsense" on Sunday is an error.
    let r2 = row(&c, 2);
    assert_eq!(r2.status, Status::Error, "{text}");
    assert!(
        r2.notes
            .iter()
            .any(|n| n.column.as_deref() == Some("sunday") && n.status == Status::Error),
        "{text}"
    );
    assert!(r2.imported);
}

#[test]
fn ordinary_geojson_points_are_mapped_like_columns() {
    let (source, c) = import_bytes("points.geojson", fixture("plain_points.geojson"));
    assert!(matches!(source, Source::Table(_)));
    counts_add_up(&c, 3);
    let text = c.report.render(false);
    let first = &c.stores[0].1;
    let loc = first.location.as_ref().expect("location");
    assert!((loc.lat - 51.9199).abs() < 1e-9 && (loc.lng - 4.4868).abs() < 1e-9);
    assert_eq!(
        first
            .address
            .as_ref()
            .and_then(|a| a.country_code.as_deref()),
        Some("NL")
    );
    assert!(first.opening_hours.is_some());
    assert_eq!(
        c.stores[1].1.user_properties,
        Some(json!({"rank": 2}).as_object().cloned().expect("map"))
    );
    assert!(says(row(&c, 3), "needs a location"), "{text}");
}

#[test]
fn woosmap_json_stores_are_kept_as_they_are() {
    let bytes = br#"{"stores": [
        {"storeId": "a", "name": "A", "location": {"lat": 48.1, "lng": 2.1}, "custom": 1},
        {"storeId": "a", "name": "A again", "location": {"lat": 48.2, "lng": 2.2}},
        {"name": "No id", "location": {"lat": 48.3, "lng": 2.3}, "address": {"city": "Paris"}},
        {"storeId": "b", "location": "nowhere"}
    ]}"#;
    let (source, c) = import_bytes("s.json", bytes.to_vec());
    assert!(matches!(source, Source::Stores(_)));
    counts_add_up(&c, 4);
    let a = store(&c, "a");
    assert_eq!(
        a.extra.get("custom"),
        Some(&json!(1)),
        "unknown fields kept"
    );
    assert!(!row(&c, 2).imported);
    assert!(row(&c, 3).imported && says(row(&c, 3), "made from"));
    assert_eq!(row(&c, 4).status, Status::Error);
    assert!(!row(&c, 4).imported);
}

#[test]
fn files_that_cannot_be_imported_say_why() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", fixture("empty.csv"), "empty"),
        ("blank.csv", b"  \n\n".to_vec(), "empty"),
        ("x.bin", fixture("binary.xyz"), "binary"),
        (
            "cut.json",
            br#"{"stores": [{"storeId": "a", "name": "#.to_vec(),
            "ends too early",
        ),
        ("header.csv", b"id,name,lat,lng\n".to_vec(), "no rows"),
        ("empty.json", br#"{"stores": []}"#.to_vec(), "no stores"),
    ];
    for (name, bytes, words) in cases {
        let e = read_bytes(name, bytes, &ReadOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{name} should be refused"));
        assert!(e.to_string().contains(words), "{name}: {e}");
    }
}

/// A minimal XLSX workbook with one sheet of inline strings and numbers.
fn xlsx(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let put = |zip: &mut zip::ZipWriter<_>, name: &str, text: String| {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(text.as_bytes()).expect("zip write");
    };
    let overrides: String = (1..=sheets.len())
        .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
        .collect();
    put(
        &mut zip,
        "[Content_Types].xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#
        ),
    );
    put(&mut zip, "_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into());
    let sheet_list: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            format!(
                r#"<sheet name="{name}" sheetId="{}" r:id="rId{}"/>"#,
                i + 1,
                i + 1
            )
        })
        .collect();
    put(
        &mut zip,
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheet_list}</sheets></workbook>"#
        ),
    );
    let rels: String = (1..=sheets.len())
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
        .collect();
    put(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    for (i, (_, rows)) in sheets.iter().enumerate() {
        let mut data = String::new();
        for (r, row) in rows.iter().enumerate() {
            data.push_str(&format!(r#"<row r="{}">"#, r + 1));
            for (c, cell) in row.iter().enumerate() {
                let col = (b'A' + c as u8) as char;
                let at = format!("{col}{}", r + 1);
                if cell.is_empty() {
                    continue;
                }
                if cell.parse::<f64>().is_ok() && !cell.starts_with('0') {
                    data.push_str(&format!(r#"<c r="{at}"><v>{cell}</v></c>"#));
                } else {
                    data.push_str(&format!(
                        r#"<c r="{at}" t="inlineStr"><is><t>{cell}</t></is></c>"#
                    ));
                }
            }
            data.push_str("</row>");
        }
        put(
            &mut zip,
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
            ),
        );
    }
    zip.finish().expect("zip").into_inner()
}

/// A minimal ODS spreadsheet with one sheet of strings and numbers.
fn ods(name: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).expect("zip entry");
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("zip write");
    zip.start_file(
        "META-INF/manifest.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("zip entry");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).expect("zip write");
    let mut table = String::new();
    for row in rows {
        table.push_str("<table:table-row>");
        for cell in row.iter() {
            if cell.parse::<f64>().is_ok() {
                table.push_str(&format!(
                    r#"<table:table-cell office:value-type="float" office:value="{cell}"><text:p>{cell}</text:p></table:table-cell>"#
                ));
            } else {
                table.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>"#
                ));
            }
        }
        table.push_str("</table:table-row>");
    }
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    zip.write_all(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="{name}">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
    ).as_bytes()).expect("zip write");
    zip.finish().expect("zip").into_inner()
}

const SHEET: &[&[&str]] = &[
    &["Code", "Name", "Lat", "Lon", "PLZ", "Stadt", "Land"],
    &[
        "b1",
        "Bäckerei Nord",
        "53.5511",
        "9.9937",
        "20095",
        "Hamburg",
        "Deutschland",
    ],
    &[
        "b2",
        "Bäckerei Süd",
        "48.1351",
        "11.582",
        "80331",
        "München",
        "DE",
    ],
    &["b3", "Kiosk", "52.52", "13.405"],
];

#[test]
fn xlsx_sheets_are_picked_by_name() {
    let bytes = xlsx(&[("Notes", &[&["nothing here"]]), ("Stores", SHEET)]);
    let options = ReadOptions {
        sheet: Some("Stores".into()),
    };
    let source = read_bytes("book.xlsx", bytes.clone(), &options).expect("read");
    let Source::Table(table) = &source else {
        panic!("a table")
    };
    assert_eq!(
        table.format,
        TableFormat::Spreadsheet {
            sheet: "Stores".into(),
            sheets: vec!["Notes".into(), "Stores".into()]
        }
    );
    let c = convert(&source, None, &ctx()).expect("convert");
    counts_add_up(&c, 3);
    // A sheet's row ends at its last filled cell: not a short row.
    assert!(
        !c.report.render(false).contains("missing cells"),
        "{}",
        c.report.render(false)
    );
    let b1 = store(&c, "b1");
    assert_eq!(
        b1.address.as_ref().and_then(|a| a.zipcode.as_deref()),
        Some("20095")
    );
    assert_eq!(
        b1.address.as_ref().and_then(|a| a.country_code.as_deref()),
        Some("DE")
    );
    assert_eq!(b1.location.as_ref().map(|l| l.lat), Some(53.5511));
    let wrong = ReadOptions {
        sheet: Some("Shops".into()),
    };
    let e = read_bytes("book.xlsx", bytes, &wrong).expect_err("no such sheet");
    assert!(e.to_string().contains("Notes, Stores"), "{e}");
}

#[test]
fn ods_files_are_read() {
    let (_, c) = import_bytes("book.ods", ods("Filialen", SHEET));
    counts_add_up(&c, 3);
    assert_eq!(
        store(&c, "b2")
            .address
            .as_ref()
            .and_then(|a| a.city.as_deref()),
        Some("München")
    );
}

#[test]
fn a_broken_spreadsheet_is_refused_with_a_sentence() {
    let mut bytes = xlsx(&[("Stores", SHEET)]);
    bytes.truncate(bytes.len() / 2);
    let e = read_bytes("book.xlsx", bytes, &ReadOptions::default()).expect_err("broken");
    assert!(e.to_string().contains("save it again"), "{e}");
}

/// Stores with every field a store has, for the round trips.
fn varied_stores() -> Vec<Store> {
    let text = r#"[
      {"storeId": "rt_1", "name": "Épicerie \"Chez Zoé\"", "location": {"lat": 48.8566, "lng": -2.3522},
       "address": {"lines": ["1 rue de Rivoli", "Bâtiment B"], "countryCode": "FR", "city": "Paris", "zipcode": "75001"},
       "contact": {"phone": "+33 1 23 45 67 89", "email": "zoe@example.com", "website": "https://example.com"},
       "types": ["grocery", "organic"], "tags": ["wifi"],
       "userProperties": {"surface": 120, "code": "00118", "label": "12", "open": true, "list": [1, 2]},
       "localizedNames": {"en": "Zoe's", "de": "Zoës Laden"},
       "openingHours": {"timezone": "Europe/Paris",
         "usual": {"1": [{"start": "09:00", "end": "12:30"}, {"start": "14:00", "end": "19:00"}],
                   "2": [{"start": "09:00", "end": "19:00"}], "3": [{"start": "09:00", "end": "19:00"}],
                   "4": [{"start": "09:00", "end": "19:00"}], "5": [{"start": "09:00", "end": "19:00"}],
                   "6": [{"start": "10:00", "end": "13:00"}], "7": []},
         "special": {"2026-12-24": [{"start": "09:00", "end": "16:00"}], "2026-12-25": []},
         "temporary_closure": [{"start": "2026-08-01", "end": "2026-08-15"}]}},
      {"storeId": "rt_2", "name": "=cmd|' /C calc'!A0", "location": {"lat": -33.8688, "lng": 151.2093},
       "address": {"countryCode": "AU", "city": "Sydney"},
       "openingHours": {"timezone": "Australia/Sydney",
         "usual": {"1": [{"all-day": true}], "2": [{"all-day": true}], "3": [{"all-day": true}],
                   "4": [{"all-day": true}], "5": [{"all-day": true}], "6": [{"all-day": true}],
                   "7": [{"all-day": true}]}}},
      {"storeId": "rt_3", "name": "Plain", "location": {"lat": 0.5, "lng": 0.5}}
    ]"#;
    serde_json::from_str(text).expect("stores")
}

fn round_trip(format: crate::export::Format) -> Vec<Store> {
    let bytes = crate::export::export(&varied_stores(), format);
    let name = format!("out.{}", format.extension());
    let (_, c) = import_bytes(&name, bytes);
    assert_eq!(
        c.report.counts().not_imported,
        0,
        "{}",
        c.report.render(false)
    );
    c.stores.into_iter().map(|(_, s)| s).collect()
}

#[test]
fn json_round_trip() {
    assert_eq!(round_trip(crate::export::Format::Json), varied_stores());
}

#[test]
fn geojson_round_trip() {
    assert_eq!(round_trip(crate::export::Format::Geojson), varied_stores());
}

#[test]
fn csv_round_trip() {
    let back = round_trip(crate::export::Format::Csv);
    let want = varied_stores();
    for (a, b) in back.iter().zip(&want) {
        assert_eq!(a, b, "{}", a.id());
    }
    assert_eq!(back.len(), want.len());
}

#[test]
fn csv_export_escapes_formulas() {
    let text = String::from_utf8(crate::export::to_csv(&varied_stores())).expect("utf-8");
    assert!(text.contains(",'=cmd|' /C calc'!A0,"), "{text}");
    assert!(text.contains("'+33 1 23 45 67 89"), "{text}");
    assert!(text.contains(",-2.3522,"), "{text}");
}

fn open_ws() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open_dir(dir.path()).expect("open");
    (dir, ws)
}

#[test]
fn apply_is_one_undoable_step_with_row_origins() {
    let (_dir, mut ws) = open_ws();
    let (_, c) = import_bytes("stores.csv", fixture("stores_bom.csv"));
    let imported = c.stores.len();
    let summary = apply(&mut ws, "stores.csv", c, ApplyMode::Merge).expect("apply");
    assert_eq!(summary.created, imported);
    assert_eq!(ws.pending_count().expect("count"), imported);
    let s2 = ws.pending_of(&["S2".to_owned()]).expect("pending");
    assert_eq!(s2[0].origin, "import of stores.csv, row 2");
    assert_eq!(
        ws.undo_label().expect("label").as_deref(),
        Some("Import stores.csv")
    );
    ws.undo().expect("undo");
    assert_eq!(ws.pending_count().expect("count"), 0);
}

#[test]
fn merge_keeps_fields_the_file_does_not_have_and_replace_does_not() {
    let (_dir, mut ws) = open_ws();
    let full = varied_stores();
    let (_, c) = import_bytes("all.json", crate::export::to_json(&full));
    apply(&mut ws, "all.json", c, ApplyMode::Merge).expect("first import");
    let csv = b"storeId,name,city\nrt_1,Chez Zoe,Lyon\nrt_9,New One,Nice\n".to_vec();
    let (_, c) = import_bytes("names.csv", csv.clone());
    let summary = apply(&mut ws, "names.csv", c, ApplyMode::Merge).expect("merge");
    assert_eq!((summary.created, summary.updated), (1, 1));
    let merged = ws.store("rt_1").expect("read").expect("exists");
    assert_eq!(merged.name.as_deref(), Some("Chez Zoe"));
    let address = merged.address.as_ref().expect("address");
    assert_eq!(address.city.as_deref(), Some("Lyon"));
    assert_eq!(address.zipcode.as_deref(), Some("75001"), "kept");
    assert_eq!(merged.opening_hours, full[0].opening_hours, "kept");

    let (_, c) = import_bytes("names.csv", csv);
    let summary = apply(&mut ws, "names.csv", c, ApplyMode::Replace).expect("replace");
    assert_eq!(
        (summary.updated, summary.unchanged),
        (1, 1),
        "rt_1 loses the fields the file does not have; rt_9 is as in the file already"
    );
    let replaced = ws.store("rt_1").expect("read").expect("exists");
    assert!(replaced.opening_hours.is_none());
    assert!(replaced.location.is_none());
}

#[test]
fn replacing_the_project_deletes_the_stores_not_in_the_file() {
    let (_dir, mut ws) = open_ws();
    let (_, c) = import_bytes("all.json", crate::export::to_json(&varied_stores()));
    apply(&mut ws, "all.json", c, ApplyMode::Merge).expect("first import");
    let (_, c) = import_bytes(
        "one.csv",
        b"storeId,name,lat,lng\nrt_3,Plain,0.5,0.5\n".to_vec(),
    );
    let summary = apply(&mut ws, "one.csv", c, ApplyMode::ReplaceProject).expect("replace");
    assert_eq!(summary.deleted, 2);
    assert_eq!(ws.ids().expect("ids").len(), 1);
    // A file with a row that could not be read cannot replace the project: nothing changes.
    let bad = b"storeId,name\nrt_3,Plain\nrt_3,Twice\n".to_vec();
    let (_, c) = import_bytes("bad.csv", bad);
    let before = ws.pending_count().expect("count");
    let e = apply(&mut ws, "bad.csv", c, ApplyMode::ReplaceProject).expect_err("refused");
    assert!(e.to_string().contains("1 rows could not be read"), "{e}");
    assert_eq!(ws.pending_count().expect("count"), before);
}

#[test]
fn a_mapping_that_cannot_work_is_refused() {
    let bytes = b"lat,name\n48.1,A\n".to_vec();
    let source = read_bytes("x.csv", bytes, &ReadOptions::default()).expect("read");
    let Source::Table(table) = &source else {
        panic!("a table")
    };
    let mapping = Mapping::guess(&table.headers);
    let e = convert(&source, Some(&mapping), &ctx()).expect_err("refused");
    assert!(e.to_string().contains("latitude and longitude"), "{e}");
}

#[test]
fn a_file_too_large_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("huge.csv");
    let file = std::fs::File::create(&path).expect("create");
    // A sparse file: no disk space used, nothing read.
    file.set_len(MAX_FILE_BYTES + 1).expect("size");
    let e = read_path(&path, &ReadOptions::default()).expect_err("refused");
    assert!(matches!(e, ImportError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("split it into smaller files"), "{e}");
}

#[test]
fn rows_with_the_same_hours_cells_get_the_hours_and_notes_each_would_get_alone() {
    // Rows that share their hours cells share the hours made from them when imported into a
    // workspace; each row must still get exactly what converting it alone gives.
    let mut csv = String::from("id,name,lat,lng,countryCode,hours,timezone,closures\n");
    let rows = [
        ("Mo-Fr 09:00-18:00", "Europe/Paris", ""),
        ("Mo-Fr 09:00-18:00", "Europe/Paris", ""),
        ("Mo-Fr 09:00-18:00", "Europe/London", ""),
        ("Mo-Fr 09:00-18:00", "", ""),
        ("Mo-Fr 09:00-18:00; PH off", "Europe/Paris", ""),
        ("Mo-Fr 09:00-18:00; PH off", "Europe/Paris", ""),
        ("nonsense", "Europe/Paris", ""),
        ("nonsense", "Europe/Paris", ""),
        ("Mo-Fr 09:00-18:00", "Europe/Paris", "2026-12-24/2026-12-31"),
        ("Mo-Fr 09:00-18:00", "Europe/Paris", "2026-12-24/2026-12-31"),
        ("Mo-Fr 09:00-18:00", "Europe/Paris", "not a closure"),
        ("Mo-Fr 09:00-18:00", "Europe/Paris", "not a closure"),
        ("", "Europe/Paris", ""),
        ("", "", ""),
        ("Mo-Fr 09:00-18:00", "Europe/Paris", ""),
    ];
    for (n, (hours, tz, closures)) in rows.iter().enumerate() {
        csv.push_str(&format!(
            "s{n},Store {n},48.85,2.35,FR,{hours},{tz},{closures}\n"
        ));
    }
    let (source, alone) = import_bytes("hours.csv", csv.into_bytes());
    counts_add_up(&alone, rows.len());
    let text = alone.report.render(false);
    assert!(
        says(row(&alone, 6), "holidays"),
        "row 6 keeps its note: {text}"
    );
    assert_eq!(row(&alone, 8).status, Status::Error, "{text}");
    assert_eq!(row(&alone, 12).status, Status::Error, "{text}");

    let (_dir, mut ws) = open_ws();
    let imported = import_into(
        &mut ws,
        "hours.csv",
        &source,
        None,
        &ctx(),
        ApplyMode::Merge,
    )
    .expect("import");
    assert_eq!(
        imported.report.render(false),
        text,
        "the same report row by row"
    );
    assert_eq!(imported.applied.expect("applied").created, rows.len());
    for (_, expected) in &alone.stores {
        let stored = ws.store(expected.id()).expect("read").expect("stored");
        assert_eq!(
            stored.opening_hours,
            expected.opening_hours,
            "{}",
            expected.id()
        );
    }
}

#[test]
fn rows_saying_the_same_thing_share_one_text_per_converting_thread() {
    // Texts are shared by the thread that wrote them: a note a converting thread wrote, and
    // one the report's thread added (a repeated id), are each held once per thread.
    let rows = 3000;
    let mut csv = String::from("id,name,lat,lng\n");
    for n in 0..rows {
        let id = if n >= rows - 2 { 0 } else { n };
        csv.push_str(&format!("s{id},Store {n},0,0\n"));
    }
    let (_, c) = import_bytes("same.csv", csv.into_bytes());
    counts_add_up(&c, rows);
    let first = row(&c, 1);
    let Some(note) = first.notes.first() else {
        panic!("row 1 has a note: {}", c.report.render(false));
    };
    let mut held: Vec<*const u8> = Vec::new();
    for r in &c.report.rows[..rows - 2] {
        let same = r.notes.iter().find(|n| n.message == note.message);
        let Some(same) = same else {
            panic!("row {} says what row 1 says: {:?}", r.row, r.notes);
        };
        let at = same.message.as_ptr();
        if !held.contains(&at) {
            held.push(at);
        }
    }
    assert!(
        (1..=4).contains(&held.len()),
        "{} copies of \"{}\" for {rows} rows",
        held.len(),
        note.message
    );
    let repeated: Vec<&Note> = c.report.rows[rows - 2..]
        .iter()
        .map(|r| {
            r.notes
                .iter()
                .find(|n| n.message.contains("already used by row 1"))
                .unwrap_or_else(|| panic!("row {} repeats an id: {:?}", r.row, r.notes))
        })
        .collect();
    assert!(Arc::ptr_eq(&repeated[0].message, &repeated[1].message));
}
