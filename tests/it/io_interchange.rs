//! Whole-catalog export and import in Labeldesk's own JSON and CSV forms.

use crate::common;

use std::path::Path;
use std::sync::Arc;

use labeldesk::db::covers::{self, Cover};
use labeldesk::db::{Catalog, migrations};
use labeldesk::io::csv_export;
use labeldesk::io::json::{self, Cell, Document, InterchangeError};
use labeldesk::jobs::JobControl;
use labeldesk::model::ReleaseId;

fn control() -> JobControl {
    JobControl::default()
}

fn export(catalog: &Catalog) -> Document {
    json::export(catalog.conn(), &control()).expect("export")
}

fn export_bytes(catalog: &Catalog) -> Vec<u8> {
    export(catalog).to_json_bytes()
}

/// Tables the export must contain: every table in sqlite_master except SQLite's own and the
/// search machinery (written out here, independently of the module's own rule).
fn tables_in_sqlite_master(catalog: &Catalog) -> Vec<String> {
    let mut stmt = catalog
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("prepare");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .map(|n| n.expect("name"))
        .filter(|n| {
            !n.starts_with("sqlite_")
                && n != "search_docs"
                && !n.starts_with("search_words")
                && !n.starts_with("search_trigram")
        })
        .collect()
}

/// The tables of the catalog core, each of which the "every field filled" catalog fills.
const CORE_TABLES: &[&str] = &[
    "labels",
    "artists",
    "releases",
    "release_covers",
    "release_artists",
    "formats",
    "catalog_numbers",
    "tracks",
    "stock_locations",
    "merch_items",
    "format_low_stock",
    "shows",
    "show_artists",
    "show_sales",
    "stock_movements",
    "mailing_signups",
    "import_mappings",
];

/// A catalog in which every column of the core tables holds a value somewhere: Unicode,
/// quotes, commas, newlines, leading-zero barcodes and catalog numbers, formula-like text,
/// a negative number, and a binary cover.
fn rich_catalog() -> Catalog {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    catalog
        .write(|tx| {
            tx.execute_batch(
                r#"
INSERT INTO labels (id, name, is_own, catno_prefix, isrc_prefix, currency, notes, created_at, updated_at) VALUES
 (1, 'Selo "Mangue", Ltda.', 1, 'NZ', 'BRXYZ', 'BRL', 'Recife, PE
second line, with "quotes"', '2026-01-02T03:04:05Z', '2026-01-03T03:04:05Z'),
 (7, 'Other Label', 0, '', NULL, 'EUR', '', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z');
INSERT INTO artists (id, name, sort_name, status, archived, country, genres, email, phone, manager, links, notes, created_at, updated_at) VALUES
 (1, 'Nação Zumbi', 'Nacao Zumbi', 'signed', 0, 'BR', 'manguebeat, rock', 'contato@nz.example',
  '+55 81 5555-0000', '@manager', 'https://example.com/a,b', 'line 1' || char(13, 10) || 'line 2 "quoted", comma',
  '2026-01-02T03:04:05Z', '2026-01-04T00:00:00Z'),
 (2, '-Minus Band', '=SUM(A1:A2)', 'alumni', 1, 'GB', char(9) || 'tabbed', '''apostrophe', char(13) || 'cr first',
  '''''two apostrophes', '\xnot binary', '日本語 🎵', '2025-12-31T23:59:59Z', '2025-12-31T23:59:59Z');
INSERT INTO releases (id, label_id, title, release_type, status, release_date, notes, created_at, updated_at) VALUES
 (1, 1, 'Da Lama ao Caos — 30 anos', 'album', 'released', '1994-04-01', 'Nota: "ça va", ok
next', '2026-01-02T03:04:05Z', '2026-01-02T03:04:06Z'),
 (2, NULL, '+Single', 'single', 'planned', NULL, '', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z');
INSERT INTO release_artists (release_id, artist_id, role, position) VALUES
 (1, 1, 'primary', 0), (1, 2, 'featured', 1), (2, 2, 'primary', 0);
INSERT INTO formats (id, release_id, kind, variant, discs, barcode, release_date, currency, retail_price, dealer_price, pressed_quantity, position, notes) VALUES
 (1, 1, 'vinyl12', 'Red "splatter", 180g', 2, '036000241457', '1994-04-01', 'BRL', 12999, 6500, 500, -1, 'notes, with comma'),
 (2, 1, 'cd', '', 1, '0036000241457', NULL, 'EUR', NULL, NULL, NULL, 0, ''),
 (3, 2, 'digital', '', 1, NULL, NULL, 'EUR', 0, 0, 0, 1, '-5 is text here');
INSERT INTO catalog_numbers (id, release_id, label_id, format_id, catno, position) VALUES
 (1, 1, 1, 1, 'NZ-001LP', 0), (2, 1, 7, 2, '007', 1), (3, 2, NULL, NULL, '=CMD', -3);
INSERT INTO tracks (id, release_id, disc, position, seq, title, duration_ms, isrc, featured_artist_id, notes) VALUES
 (1, 1, 1, 'A1', 0, 'Monólogo ao Pé do Ouvido', 69000, 'BRXYZ9400001', NULL, ''),
 (2, 1, 1, 'A2', 1, 'Banditismo por uma Questão de Classe', 245000, 'BRXYZ9400002', 2, 'feat, "quoted"
newline'),
 (3, 2, 2, '', 0, '-dash title', 0, NULL, NULL, '@at');
INSERT INTO stock_locations (id, name, kind) VALUES (3, 'Loja "Recife", consignação', 'consignment');
INSERT INTO merch_items (id, kind, name, artist_id, size, colour, price, currency, barcode, low_stock) VALUES
 (1, 'shirt', '=Tour, shirt', 1, 'XL', 'preto "black"', 9000, 'BRL', '036000291452', 5);
INSERT INTO format_low_stock (format_id, low_stock) VALUES (1, 20);
INSERT INTO shows (id, show_date, venue, city, location_id, currency, cash_float, commission_bp, cash_counted, notes, closed_at) VALUES
 (1, '2026-11-28', 'Paço, "do" Frevo', 'Recife', 2, 'BRL', 20000, 1250, 41000, 'chuva
forte', '2026-11-29 01:02:03');
INSERT INTO show_artists (show_id, artist_id, position) VALUES (1, 1, 0), (1, 2, 1);
INSERT INTO show_sales (id, show_id, sold_at, format_id, merch_id, description, artist_id, quantity, unit_price, discount, total, payment, voids_sale_id) VALUES
 (1, 1, '2026-11-28 22:01:02.345', 1, NULL, 'Da Lama — 12"', 1, 2, 12999, 1000, 24998, 'cash', NULL),
 (2, 1, '2026-11-28 22:05:00', NULL, 1, '=Tour, shirt (XL)', 1, 1, 9000, 0, 9000, 'card', NULL),
 (3, 1, '2026-11-28 22:06:00', NULL, 1, '=Tour, shirt (XL)', 1, 1, 9000, 0, 9000, 'card', 2);
INSERT INTO stock_movements (id, format_id, merch_id, location_id, quantity, reason, sale_id, moved_at, note) VALUES
 (1, 1, NULL, 1, 500, 'received', NULL, '2026-11-01T10:00:00Z', 'da fábrica, "ok"'),
 (2, 1, NULL, 1, -50, 'transfer', NULL, '2026-11-02T10:00:00Z', ''),
 (3, 1, NULL, 2, 50, 'transfer', NULL, '2026-11-02T10:00:00Z', ''),
 (4, 1, NULL, 2, -2, 'sale', 1, '2026-11-28T22:01:02.345Z', ''),
 (5, NULL, 1, 2, -1, 'sale', 2, '2026-11-28T22:05:00Z', ''),
 (6, NULL, 1, 2, 1, 'sale_void', 3, '2026-11-28T22:06:00Z', '-undone');
INSERT INTO ledger_imports (id, file_name, layout, content_sha256, home_currency, line_count, imported_at) VALUES
 (1, 'bandcamp, "nov".csv', 'bandcamp', '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'BRL', 1, '2026-12-01T09:00:00Z');
INSERT INTO income_lines (id, import_id, line_no, sale_date, period, release_id, format_id, matched_by, channel, source, quantity, net_e8, currency, flags, match_key) VALUES
 (1, 1, 2, '2026-11-30', '2026-11', 1, 1, 'barcode', 'physical', 'Bandcamp', 1, 9000000000, 'BRL', 4, 'upc:036000241457');
INSERT INTO stock_movements (id, format_id, merch_id, location_id, quantity, reason, sale_id, moved_at, note, income_line_id) VALUES
 (7, 1, NULL, 1, -1, 'sale', NULL, '2026-11-30T12:00:00.000Z', 'Bandcamp sale, report line 2', 1);
INSERT INTO mailing_signups (id, show_id, name, email, consented_at) VALUES
 (1, 1, '@Zoë, "fan"', 'zoe@example.org', '2026-11-28 22:30:00');
INSERT INTO import_mappings (name, definition) VALUES ('Loja, "export"', '{"columns":{"title":"Álbum"},"currency":"BRL"}');
"#,
            )?;
            let mut image = vec![0x89, b'P', b'N', b'G', 0, 0, 255, b'\n', b',', b'"'];
            image.extend((0..=255).map(|b: i32| u8::try_from(b).expect("byte")));
            covers::set(
                tx,
                ReleaseId(1),
                &Cover {
                    mime: "image/png".to_owned(),
                    image,
                    thumbnail: vec![0, 1, 2, 3, 0],
                    width: 640,
                    height: 480,
                },
            )?;
            Ok(())
        })
        .expect("rich catalog");
    catalog
}

/// A table whose columns use every storage class, added to a catalog as a later version would.
fn add_typed_table(catalog: &Catalog) {
    catalog
        .conn()
        .execute_batch(
            "CREATE TABLE zz_typed (
                 id INTEGER PRIMARY KEY,
                 artist_id INTEGER REFERENCES artists (id),
                 amount REAL,
                 anything,
                 data BLOB,
                 note TEXT,
                 doubled INTEGER GENERATED ALWAYS AS (id * 2) VIRTUAL
             );",
        )
        .expect("typed table");
}

fn fill_typed_table(catalog: &Catalog) {
    catalog
        .conn()
        .execute_batch(
            "INSERT INTO zz_typed (id, artist_id, amount, anything, data, note) VALUES
                 (1, 1, 2.0, '123', x'00ff', NULL),
                 (2, 2, -0.5, 123, NULL, ''),
                 (3, NULL, 1e300, 1.5, x'', 'x'),
                 (4, NULL, 9e999, -7, NULL, '-7'),
                 (5, NULL, -9e999, '', x'5c78', '\\x41'),
                 (6, NULL, NULL, NULL, 'text in a blob column', '=1+1');",
        )
        .expect("typed rows");
}

fn fresh_with_typed_table() -> Catalog {
    let catalog = Catalog::open_in_memory().expect("catalog");
    add_typed_table(&catalog);
    catalog
}

fn assert_every_core_field_filled(doc: &Document) {
    for name in CORE_TABLES {
        let table = doc.table(name).unwrap_or_else(|| panic!("{name} exported"));
        for (i, column) in table.columns.iter().enumerate() {
            let filled = table.rows.iter().any(|row| match &row[i] {
                Cell::Null => false,
                Cell::Text(s) => !s.is_empty(),
                Cell::Blob(b) => !b.is_empty(),
                Cell::Integer(_) | Cell::Real(_) => true,
            });
            assert!(filled, "{name}.{column} has a value in the test catalog");
        }
    }
}

fn typeof_value(catalog: &Catalog, sql: &str) -> String {
    catalog
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .expect("typeof")
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn the_json_export_has_every_table_of_sqlite_master() {
    let catalog = common::demo_catalog();
    let doc = export(&catalog);
    let expected = tables_in_sqlite_master(&catalog);
    assert!(expected.len() >= CORE_TABLES.len(), "{expected:?}");
    for table in &expected {
        assert!(
            doc.table(table).is_some(),
            "table {table} is missing from the JSON export: export and import must cover it"
        );
    }
    let exported: Vec<&str> = doc.tables.iter().map(|t| t.name.as_str()).collect();
    for derived in [
        "search_docs",
        "search_words",
        "search_trigram",
        "search_words_data",
        "sqlite_sequence",
    ] {
        assert!(!exported.contains(&derived), "{derived} is not exported");
    }
    assert_eq!(exported.len(), expected.len(), "{exported:?}");
    assert_eq!(doc.schema_version, migrations::latest_version());
}

#[test]
fn tables_come_in_foreign_key_order_and_rows_in_key_order() {
    let catalog = common::demo_catalog();
    let order: Vec<String> = json::exportable_tables(catalog.conn())
        .expect("schema")
        .into_iter()
        .map(|t| t.name)
        .collect();
    let at = |name: &str| {
        order
            .iter()
            .position(|t| t == name)
            .unwrap_or_else(|| panic!("{name} in {order:?}"))
    };
    assert!(at("labels") < at("releases"));
    assert!(at("releases") < at("formats"));
    assert!(at("formats") < at("catalog_numbers"));
    assert!(at("artists") < at("release_artists"));
    assert!(at("releases") < at("release_artists"));
    assert!(at("artists") < at("tracks") && at("releases") < at("tracks"));
    assert!(at("releases") < at("release_covers"));
    let doc = export(&catalog);
    let tracks = doc.table("tracks").expect("tracks");
    let ids: Vec<i64> = tracks
        .rows
        .iter()
        .map(|r| match r[0] {
            Cell::Integer(n) => n,
            ref other => panic!("id {other:?}"),
        })
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "rows ordered by id");
}

#[test]
fn json_round_trip_is_lossless_on_the_demo_label() {
    let source = common::demo_catalog();
    let doc = export(&source);
    let bytes = doc.to_json_bytes();
    let read = Document::read_json(&bytes[..], "demo.json").expect("read back");
    assert_eq!(read, doc);
    let mut target = Catalog::open_in_memory().expect("empty catalog");
    let summary = json::import(&mut target, &read, &control()).expect("import");
    assert_eq!(summary.rows, doc.row_count());
    assert_eq!(
        export_bytes(&target),
        bytes,
        "export → import → export is identical"
    );
    // The search index was rebuilt by the schema's triggers.
    let hits = labeldesk::db::search::search(target.conn(), "HLR003", 5).expect("search");
    assert!(
        !hits.is_empty(),
        "catalog numbers are searchable after import"
    );
    let report = labeldesk::db::check::run(target.conn()).expect("check");
    assert!(report.is_ok(), "{report:?}");
}

/// Every search document, in id order.
fn search_docs(catalog: &Catalog) -> Vec<(i64, String)> {
    let mut stmt = catalog
        .conn()
        .prepare("SELECT id, body FROM search_docs ORDER BY id")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

#[test]
fn json_import_writes_the_search_documents_the_triggers_would_and_restores_the_triggers() {
    // The demo label was written row by row through the search triggers; the import drops
    // them, loads the rows, writes the documents in bulk and builds the indexes once.
    let source = common::demo_catalog();
    let expected = search_docs(&source);
    assert!(expected.len() > 20, "the demo label has documents");
    let mut target = Catalog::open_in_memory().expect("empty catalog");
    json::import(&mut target, &export(&source), &control()).expect("import");
    assert_eq!(search_docs(&target), expected);
    let triggers = |c: &Catalog| -> i64 {
        c.conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%search%'",
                [],
                |r| r.get(0),
            )
            .expect("count")
    };
    assert_eq!(triggers(&target), triggers(&source));
    let indexes = |c: &Catalog| -> Vec<String> {
        let mut stmt = c
            .conn()
            .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    };
    assert_eq!(indexes(&target), indexes(&source), "every index is back");
    // The restored triggers keep the index up to date: a renamed track is found at once.
    target
        .conn()
        .execute(
            "UPDATE tracks SET title = 'Zyzzogeton Lullaby' WHERE id = (SELECT min(id) FROM tracks)",
            [],
        )
        .expect("rename");
    for query in ["zyzzog", "yzzoge"] {
        let hits = labeldesk::db::search::search(target.conn(), query, 5).expect("search");
        assert_eq!(hits.len(), 1, "{query}: {hits:?}");
        assert_eq!(hits[0].title, "Zyzzogeton Lullaby");
    }
    let report = labeldesk::db::check::run(target.conn()).expect("check");
    assert!(report.is_ok(), "{report:?}");
}

#[test]
fn json_import_indexes_tracks_in_any_order_and_titles_that_are_not_text() {
    // A hand-made file: tracks listed newest first, and one title written as a JSON number.
    // Out-of-order documents are indexed as a second run; a table with a cell that is not
    // text has its documents read back with SQL, as the trigger would have written them.
    let source = common::demo_catalog();
    let expected = search_docs(&source);
    let mut doc = export(&source);
    let tracks = doc
        .tables
        .iter_mut()
        .find(|t| t.name == "tracks")
        .expect("tracks table");
    tracks.rows.reverse();
    let plain = doc.clone();
    let tracks = doc
        .tables
        .iter_mut()
        .find(|t| t.name == "tracks")
        .expect("tracks table");
    let title = tracks
        .columns
        .iter()
        .position(|c| c == "title")
        .expect("title column");
    let renamed_id = match &tracks.rows[0][0] {
        Cell::Integer(id) => *id,
        other => panic!("track id {other:?}"),
    };
    tracks.rows[0][title] = Cell::Integer(1_999);

    // Reversed only: every document handed over, half of them late.
    let mut target = Catalog::open_in_memory().expect("empty catalog");
    json::import(&mut target, &plain, &control()).expect("import");
    assert_eq!(search_docs(&target), expected);
    let report = labeldesk::db::check::run(target.conn()).expect("check");
    assert!(report.is_ok(), "{report:?}");

    // Without track ids in the file: the documents are handed over as each row gets its id.
    let mut no_ids = plain.clone();
    // An older catalog version: its files may lack columns added since.
    no_ids.schema_version -= 1;
    let tracks = no_ids
        .tables
        .iter_mut()
        .find(|t| t.name == "tracks")
        .expect("tracks table");
    let id = tracks
        .columns
        .iter()
        .position(|c| c == "id")
        .expect("id column");
    tracks.columns.remove(id);
    for row in &mut tracks.rows {
        row.remove(id);
    }
    let mut target = Catalog::open_in_memory().expect("empty catalog");
    json::import(&mut target, &no_ids, &control()).expect("import without track ids");
    assert_eq!(search_docs(&target).len(), expected.len());
    let report = labeldesk::db::check::run(target.conn()).expect("check");
    assert!(report.is_ok(), "{report:?}");

    // With the number: the track documents come from SQL ('1999' as the trigger writes it).
    let mut target = Catalog::open_in_memory().expect("empty catalog");
    json::import(&mut target, &doc, &control()).expect("import");
    let docs = search_docs(&target);
    let renamed = docs
        .iter()
        .find(|(id, _)| *id == renamed_id * 4 + 2)
        .expect("the renamed track's document");
    assert!(renamed.1.starts_with("1999"), "{renamed:?}");
    assert_eq!(docs.len(), expected.len());
    let report = labeldesk::db::check::run(target.conn()).expect("check");
    assert!(report.is_ok(), "{report:?}");
    let hits = labeldesk::db::search::search(target.conn(), "1999", 5).expect("search");
    assert!(
        hits.iter().any(|h| h.id == renamed_id),
        "the numeric title is found: {hits:?}"
    );
}

#[test]
fn json_round_trip_is_lossless_with_every_field_filled() {
    let source = rich_catalog();
    let doc = export(&source);
    assert_every_core_field_filled(&doc);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rich.json");
    let summary = json::export_to_file(source.conn(), &file, &control()).expect("export");
    assert_eq!(summary.rows, doc.row_count());
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "only the export itself, no .part file left"
    );
    let mut target = Catalog::create(&dir.path().join("target.sqlite")).expect("create");
    json::import_file(&mut target, &file, &control()).expect("import");
    let again = export(&target);
    assert_eq!(again, doc);
    assert_eq!(again.to_json_bytes(), std::fs::read(&file).expect("read"));
    let cover = covers::get(target.conn(), ReleaseId(1))
        .expect("cover")
        .expect("present");
    assert_eq!(
        &cover.image[..8],
        &[0x89, b'P', b'N', b'G', 0, 0, 255, b'\n']
    );
    let barcode: String = target
        .conn()
        .query_row("SELECT barcode FROM formats WHERE id = 1", [], |r| r.get(0))
        .expect("barcode");
    assert_eq!(barcode, "036000241457", "leading zero kept");
}

#[test]
fn json_keeps_every_storage_class_and_covers_tables_added_later() {
    let source = rich_catalog();
    add_typed_table(&source);
    fill_typed_table(&source);
    let doc = export(&source);
    let typed = doc
        .table("zz_typed")
        .expect("a new table is exported without code changes");
    assert!(
        !typed.columns.contains(&"doubled".to_owned()),
        "generated columns are derived"
    );
    let mut target = fresh_with_typed_table();
    json::import(&mut target, &doc, &control()).expect("import");
    assert_eq!(export(&target).to_json_bytes(), doc.to_json_bytes());
    for (sql, expected) in [
        ("SELECT typeof(amount) FROM zz_typed WHERE id = 1", "real"),
        ("SELECT typeof(anything) FROM zz_typed WHERE id = 1", "text"),
        (
            "SELECT typeof(anything) FROM zz_typed WHERE id = 2",
            "integer",
        ),
        ("SELECT typeof(data) FROM zz_typed WHERE id = 1", "blob"),
        ("SELECT typeof(note) FROM zz_typed WHERE id = 1", "null"),
        ("SELECT typeof(data) FROM zz_typed WHERE id = 6", "text"),
    ] {
        assert_eq!(typeof_value(&target, sql), expected, "{sql}");
    }
    let inf: f64 = target
        .conn()
        .query_row("SELECT amount FROM zz_typed WHERE id = 4", [], |r| r.get(0))
        .expect("inf");
    assert!(inf.is_infinite() && inf > 0.0);
}

#[test]
fn json_import_refuses_a_catalog_that_is_not_empty() {
    let doc = export(&common::demo_catalog());
    let mut target = common::demo_catalog();
    let before = export_bytes(&target);
    let err = json::import(&mut target, &doc, &control()).expect_err("not empty");
    assert!(matches!(err, InterchangeError::NotEmpty { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("not empty") && message.contains("Nothing was imported"),
        "{message}"
    );
    assert_eq!(export_bytes(&target), before);
}

#[test]
fn json_import_refuses_a_document_from_a_newer_catalog() {
    let mut doc = export(&common::demo_catalog());
    doc.schema_version = migrations::latest_version() + 1;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("newer.json");
    std::fs::write(&file, doc.to_json_bytes()).expect("write");
    let mut target = Catalog::open_in_memory().expect("catalog");
    let before = export_bytes(&target);
    let err = json::import_file(&mut target, &file, &control()).expect_err("too new");
    assert!(matches!(err, InterchangeError::TooNew { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("newer.json") && message.contains("newer version"),
        "{message}"
    );
    assert_eq!(export_bytes(&target), before);
}

#[test]
fn truncated_json_is_rejected_naming_the_record_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("demo.json");
    let source = common::demo_catalog();
    json::export_to_file(source.conn(), &file, &control()).expect("export");
    let text = std::fs::read_to_string(&file).expect("read");
    // Cut in the middle of the fifth track.
    let tracks = text.find("\"tracks\": {").expect("tracks table");
    let fifth = text[tracks..]
        .match_indices("\n        {")
        .nth(4)
        .map(|(i, _)| tracks + i)
        .expect("five tracks");
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &text[..fifth + 30]).expect("write");

    let target_path = dir.path().join("target.sqlite");
    let mut target = Catalog::create(&target_path).expect("create");
    let before = export_bytes(&target);
    let err = json::import_file(&mut target, &cut, &control()).expect_err("truncated");
    let message = err.to_string();
    assert!(
        message.contains("cut.json")
            && message.contains("table tracks, record 5")
            && message.contains("cut short")
            && message.contains("Nothing was imported"),
        "{message}"
    );
    assert_eq!(export_bytes(&target), before, "nothing written");
    drop(target);
    let reopened = Catalog::open(&target_path).expect("reopen");
    assert_eq!(
        export_bytes(&reopened),
        before,
        "nothing written on disk either"
    );
}

/// The record (1-based) to edit, and the edit of its line of JSON.
type RecordEdit<'a> = (usize, &'a dyn Fn(&str) -> String);

/// A JSON export (`text`) with records of `tracks` rewritten by their edits (each record is
/// one line), and the `"rows"` list moved before `"columns"` when `rows_first`.
fn edited_tracks_json(text: &str, edits: &[RecordEdit<'_>], rows_first: bool) -> String {
    let start = text.find("    \"tracks\": {\n").expect("tracks table");
    let end = start + text[start..].find("\n      ]\n").expect("end of rows") + "\n      ]".len();
    let mut table = text[start..end].to_owned();
    let records: Vec<(usize, usize)> = table
        .match_indices("\n        {")
        .map(|(i, _)| {
            let from = i + 1;
            (
                from,
                from + table[from..].find('\n').unwrap_or(table.len() - from),
            )
        })
        .collect();
    for &(record, edit) in edits.iter().rev() {
        let (from, to) = records[record - 1];
        let line = table[from..to].to_owned();
        let comma = line.ends_with(',');
        let body = line.trim_end_matches(',');
        let mut edited = edit(body);
        if comma {
            edited.push(',');
        }
        table.replace_range(from..to, &edited);
    }
    if rows_first {
        let columns_start = table.find("      \"columns\": [").expect("columns");
        let columns_end = columns_start + table[columns_start..].find("],\n").expect("end") + 3;
        let columns = table[columns_start..columns_end - 2].to_owned();
        table.replace_range(columns_start..columns_end, "");
        table.push_str(",\n");
        table.push_str(&columns);
    }
    format!("{}{table}{}", &text[..start], &text[end..])
}

fn import_error(json: &str) -> String {
    let mut target = Catalog::open_in_memory().expect("catalog");
    let before = export_bytes(&target);
    let err = Document::read_json(json.as_bytes(), "demo.json")
        .and_then(|doc| json::import(&mut target, &doc, &control()))
        .expect_err("refused");
    assert_eq!(export_bytes(&target), before, "nothing written");
    err.to_string()
}

#[test]
fn json_records_whose_fields_do_not_match_the_columns_are_named_in_either_key_order() {
    let rename = |line: &str| line.replacen("\"notes\":", "\"nots\":", 1);
    let twice = |line: &str| line.replacen("\"notes\":", "\"title\": \"Again\", \"notes\":", 1);
    let missing = |line: &str| {
        let at = line.find("\"duration_ms\": ").expect("duration");
        let end = at + line[at..].find(", ").expect("next field") + 2;
        format!("{}{}", &line[..at], &line[end..])
    };
    let broken = |line: &str| line.replacen("\"title\": \"", "\"title\": \"\\q", 1);
    let cases: [(&[RecordEdit<'_>], &[&str]); 5] = [
        (
            &[(3, &rename)],
            &[
                "table tracks, record 3, field nots",
                "not in the table's \"columns\" list",
            ],
        ),
        (
            &[(3, &twice)],
            &[
                "table tracks, record 3, field title",
                "appears twice in the record",
            ],
        ),
        (
            &[(4, &missing)],
            &[
                "table tracks, record 4, field duration_ms",
                "missing from the record",
            ],
        ),
        // The first record with a problem is the one named.
        (
            &[(2, &missing), (5, &rename)],
            &["table tracks, record 2, field duration_ms", "missing"],
        ),
        // Broken JSON anywhere is reported before a record that does not fit its columns.
        (
            &[(2, &rename), (6, &broken)],
            &["table tracks, record 6, field title", "broken"],
        ),
    ];
    let doc = export(&common::demo_catalog());
    let text = String::from_utf8(doc.to_json_bytes()).expect("utf-8");
    for (edits, expected) in cases {
        let columns_first = import_error(&edited_tracks_json(&text, edits, false));
        let rows_first = import_error(&edited_tracks_json(&text, edits, true));
        for part in expected {
            assert!(columns_first.contains(part), "{part:?} in {columns_first}");
        }
        if !expected.contains(&"broken") {
            assert_eq!(columns_first, rows_first, "the same report in either order");
        }
    }
    // Unedited, the rows-first form imports like the usual one.
    let json = edited_tracks_json(&text, &[], true);
    assert_ne!(json, text);
    let read = Document::read_json(json.as_bytes(), "demo.json").expect("rows first");
    assert_eq!(read, doc);
}

fn set_cell(doc: &mut Document, table: &str, record: usize, field: &str, cell: Cell) {
    let table = doc
        .tables
        .iter_mut()
        .find(|t| t.name == table)
        .expect("table");
    let i = table
        .columns
        .iter()
        .position(|c| c == field)
        .expect("field");
    table.rows[record][i] = cell;
}

#[test]
fn json_values_the_catalog_refuses_are_named_by_table_record_and_field() {
    let source = common::demo_catalog();
    let good = export(&source);

    let mut bad_isrc = good.clone();
    set_cell(
        &mut bad_isrc,
        "tracks",
        2,
        "isrc",
        Cell::Text("NOT-AN-ISRC".to_owned()),
    );
    let mut dangling = good.clone();
    set_cell(
        &mut dangling,
        "tracks",
        6,
        "release_id",
        Cell::Integer(99_999),
    );
    let mut missing_title = good.clone();
    set_cell(&mut missing_title, "releases", 0, "title", Cell::Null);

    for (doc, expected) in [
        (&bad_isrc, "table tracks, record 3, field isrc"),
        (&dangling, "table tracks, record 7, field release_id"),
        (&missing_title, "table releases, record 1, field title"),
    ] {
        let mut target = Catalog::open_in_memory().expect("catalog");
        let before = export_bytes(&target);
        let err = json::import(&mut target, doc, &control()).expect_err("refused");
        let message = err.to_string();
        assert!(message.contains(expected), "{expected:?} in {message}");
        assert_eq!(
            export_bytes(&target),
            before,
            "nothing written for {expected}"
        );
    }
}

#[test]
fn cancelling_an_export_leaves_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("x.json");
    let control = control();
    control.cancel();
    let err = json::export_to_file(common::demo_catalog().conn(), &file, &control)
        .expect_err("cancelled");
    assert!(matches!(err, InterchangeError::Cancelled(_)), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

/// A catalog with `releases` releases of ten tracks each, written with SQL for speed.
fn big_catalog(releases: u32) -> Catalog {
    let catalog = common::demo_catalog();
    catalog
        .conn()
        .execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {releases})
             INSERT INTO releases (id, title, release_type, status, notes)
             SELECT 1000 + i, 'Generated release ' || i, 'album', 'released', 'notes ' || i FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {releases})
             INSERT INTO formats (release_id, kind, barcode, retail_price)
             SELECT 1000 + i, 'cd', NULL, 1500 FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {releases} * 10)
             INSERT INTO tracks (release_id, seq, position, title, duration_ms, isrc)
             SELECT 1000 + (i - 1) / 10 + 1, (i - 1) % 10, 'A' || ((i - 1) % 10 + 1),
                    'Generated track ' || i, 180000 + i,
                    'ZZGEN' || printf('%07d', i) FROM n;"
        ))
        .expect("generate");
    catalog
}

#[test]
fn cancelling_an_import_midway_rolls_everything_back() {
    let doc = export(&big_catalog(600));
    let total = doc.row_count();
    let target = Catalog::open_in_memory().expect("catalog");
    let before = export_bytes(&target);
    let control = Arc::new(JobControl::default());
    let shared = Arc::clone(&control);
    let worker = std::thread::Builder::new()
        .name("test-import-cancel".to_owned())
        .spawn(move || {
            let mut target = target;
            let result = json::import(&mut target, &doc, &shared);
            (target, result)
        })
        .expect("spawn");
    while control.snapshot().0 < 1000 && !worker.is_finished() {
        std::thread::yield_now();
    }
    control.cancel();
    let (target, result) = worker.join().expect("join");
    let done = control.snapshot().0;
    assert!(
        matches!(result, Err(InterchangeError::Cancelled(_))),
        "cancelled after {done} of {total} rows: {result:?}"
    );
    assert!(done < total, "the cancel came midway ({done} of {total})");
    assert_eq!(export_bytes(&target), before, "everything rolled back");
}

// ---------------------------------------------------------------------------------------------
// CSV

fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("open csv");
    reader.records().map(|r| r.expect("record")).collect()
}

fn csv_cell(dir: &Path, table: &str, id_column: &str, id: &str, column: &str) -> String {
    let records = read_csv(&csv_export::table_file(dir, table));
    let header = &records[0];
    let at = |name: &str| header.iter().position(|h| h == name).expect("column");
    let row = records[1..]
        .iter()
        .find(|r| &r[at(id_column)] == id)
        .expect("row");
    row[at(column)].to_owned()
}

#[test]
fn csv_round_trip_is_lossless_on_the_demo_label() {
    let source = common::demo_catalog();
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = csv_export::export_dir(source.conn(), dir.path(), &control()).expect("export");
    let doc = export(&source);
    assert_eq!(summary.files.len(), doc.tables.len());
    assert!(dir.path().join(csv_export::MANIFEST).is_file());
    let header = &read_csv(&csv_export::table_file(dir.path(), "tracks"))[0];
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        doc.table("tracks").expect("t").columns
    );
    let mut target = Catalog::open_in_memory().expect("catalog");
    csv_export::import_dir(&mut target, dir.path(), &control()).expect("import");
    assert_eq!(export_bytes(&target), doc.to_json_bytes());
}

#[test]
fn csv_round_trip_is_lossless_with_every_field_filled_and_typed_values() {
    let source = rich_catalog();
    add_typed_table(&source);
    fill_typed_table(&source);
    let dir = tempfile::tempdir().expect("tempdir");
    csv_export::export_dir(source.conn(), dir.path(), &control()).expect("export");
    let mut target = fresh_with_typed_table();
    csv_export::import_dir(&mut target, dir.path(), &control()).expect("import");
    let doc = export(&source);
    assert_every_core_field_filled(&doc);
    assert_eq!(export(&target), doc);
    assert_eq!(export_bytes(&target), doc.to_json_bytes());
}

#[test]
fn csv_formula_cells_are_neutralised_and_restored_but_numbers_are_not() {
    let source = rich_catalog();
    let dir = tempfile::tempdir().expect("tempdir");
    csv_export::export_dir(source.conn(), dir.path(), &control()).expect("export");
    let d = dir.path();
    for (table, id, column, written) in [
        ("artists", "1", "phone", "'+55 81 5555-0000"),
        ("artists", "1", "manager", "'@manager"),
        ("artists", "2", "name", "'-Minus Band"),
        ("artists", "2", "sort_name", "'=SUM(A1:A2)"),
        ("artists", "2", "genres", "'\ttabbed"),
        ("artists", "2", "phone", "'\rcr first"),
        ("artists", "2", "email", "''apostrophe"),
        ("artists", "2", "manager", "'''two apostrophes"),
        ("artists", "2", "links", "'\\xnot binary"),
        ("artists", "1", "name", "Nação Zumbi"),
        ("catalog_numbers", "3", "catno", "'=CMD"),
        ("catalog_numbers", "2", "catno", "007"),
        ("formats", "1", "barcode", "036000241457"),
        ("formats", "3", "notes", "'-5 is text here"),
        ("tracks", "3", "title", "'-dash title"),
    ] {
        assert_eq!(
            csv_cell(d, table, "id", id, column),
            written,
            "{table}.{column} #{id}"
        );
    }
    // Numbers stay numbers, negative ones included.
    assert_eq!(csv_cell(d, "formats", "id", "1", "position"), "-1");
    assert_eq!(csv_cell(d, "catalog_numbers", "id", "3", "position"), "-3");
    // Empty cell = NULL where NULL is allowed; empty text elsewhere.
    assert_eq!(csv_cell(d, "releases", "id", "2", "label_id"), "");
    assert_eq!(csv_cell(d, "releases", "id", "2", "notes"), "");
    let mut target = Catalog::open_in_memory().expect("catalog");
    csv_export::import_dir(&mut target, d, &control()).expect("import");
    let sort_name: String = target
        .conn()
        .query_row("SELECT sort_name FROM artists WHERE id = 2", [], |r| {
            r.get(0)
        })
        .expect("sort name");
    assert_eq!(sort_name, "=SUM(A1:A2)", "exactly one apostrophe removed");
    let email: String = target
        .conn()
        .query_row("SELECT email FROM artists WHERE id = 2", [], |r| r.get(0))
        .expect("email");
    assert_eq!(email, "'apostrophe");
    let position: i64 = target
        .conn()
        .query_row("SELECT position FROM formats WHERE id = 1", [], |r| {
            r.get(0)
        })
        .expect("position");
    assert_eq!(position, -1);
}

/// Rewrites one CSV file of an export folder.
fn rewrite_csv(path: &Path, edit: impl Fn(&mut Vec<Vec<String>>)) {
    let mut records: Vec<Vec<String>> = read_csv(path)
        .iter()
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect();
    edit(&mut records);
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(path)
        .expect("write csv");
    for record in &records {
        writer.write_record(record).expect("record");
    }
    writer.flush().expect("flush");
}

fn assert_csv_import_refused(dir: &Path, expected: &[&str]) {
    let mut target = Catalog::open_in_memory().expect("catalog");
    let before = export_bytes(&target);
    let err = csv_export::import_dir(&mut target, dir, &control()).expect_err("refused");
    let message = err.to_string();
    for part in expected {
        assert!(message.contains(part), "{part:?} in {message}");
    }
    assert!(message.contains("Nothing was imported"), "{message}");
    assert_eq!(export_bytes(&target), before, "nothing written");
}

#[test]
fn a_csv_with_a_missing_column_is_refused_naming_the_file_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    csv_export::export_dir(common::demo_catalog().conn(), dir.path(), &control()).expect("export");
    rewrite_csv(&csv_export::table_file(dir.path(), "tracks"), |records| {
        let i = records[0].iter().position(|h| h == "title").expect("title");
        for record in records.iter_mut() {
            record.remove(i);
        }
    });
    assert_csv_import_refused(dir.path(), &["tracks.csv", "field title", "missing"]);
}

#[test]
fn malformed_csv_records_are_refused_naming_file_record_line_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    csv_export::export_dir(common::demo_catalog().conn(), dir.path(), &control()).expect("export");
    let formats = csv_export::table_file(dir.path(), "formats");
    rewrite_csv(&formats, |records| {
        let i = records[0]
            .iter()
            .position(|h| h == "barcode")
            .expect("barcode");
        records[3][i] = "12345".to_owned();
    });
    assert_csv_import_refused(
        dir.path(),
        &[
            "formats.csv",
            "record 3 (line 4)",
            "field barcode",
            "\"12345\"",
        ],
    );

    let dir = tempfile::tempdir().expect("tempdir");
    csv_export::export_dir(common::demo_catalog().conn(), dir.path(), &control()).expect("export");
    rewrite_csv(&csv_export::table_file(dir.path(), "artists"), |records| {
        records[2].truncate(3);
    });
    assert_csv_import_refused(
        dir.path(),
        &["artists.csv", "record 2", "line 3", "3 fields"],
    );

    let dir = tempfile::tempdir().expect("tempdir");
    csv_export::export_dir(common::demo_catalog().conn(), dir.path(), &control()).expect("export");
    std::fs::remove_file(csv_export::table_file(dir.path(), "tracks")).expect("remove");
    assert_csv_import_refused(dir.path(), &["tracks.csv", "missing"]);
}

#[test]
fn a_folder_without_manifest_is_not_a_labeldesk_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("releases.csv"), "title\nHarbour Lights\n").expect("write");
    let mut target = Catalog::open_in_memory().expect("catalog");
    let err = csv_export::import_dir(&mut target, dir.path(), &control()).expect_err("refused");
    assert!(
        matches!(err, InterchangeError::NotLabeldesk { .. }),
        "{err}"
    );
    assert!(!csv_export::looks_like_labeldesk_csv(dir.path()));
}

#[test]
fn a_csv_saved_by_a_spreadsheet_with_a_byte_order_mark_still_imports() {
    let source = common::demo_catalog();
    let dir = tempfile::tempdir().expect("tempdir");
    csv_export::export_dir(source.conn(), dir.path(), &control()).expect("export");
    let artists = csv_export::table_file(dir.path(), "artists");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(&artists).expect("read"));
    std::fs::write(&artists, bytes).expect("write");
    let mut target = Catalog::open_in_memory().expect("catalog");
    csv_export::import_dir(&mut target, dir.path(), &control()).expect("import");
    assert_eq!(export_bytes(&target), export_bytes(&source));
}

// ---------------------------------------------------------------------------------------------
// Command line entry points

#[test]
fn cli_export_and_import_json_and_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite");
    {
        let mut catalog = Catalog::create(&db).expect("create");
        catalog
            .write(|tx| labeldesk::demo::create(tx, common::today()))
            .expect("demo");
    }
    let expected = export_bytes(&Catalog::open(&db).expect("open"));
    for format in [json::ExportFormat::Json, json::ExportFormat::Csv] {
        let out_dir = dir.path().join(format!("{format:?}"));
        let mut out = Vec::new();
        json::cli_export(&db, &out_dir, format, &mut out).expect("export");
        let printed = String::from_utf8(out).expect("utf-8");
        assert!(printed.starts_with("exported "), "{printed}");
        let source = match format {
            json::ExportFormat::Json => out_dir.join(json::DEFAULT_FILE_NAME),
            json::ExportFormat::Csv => out_dir.clone(),
        };
        match format {
            json::ExportFormat::Json => assert!(json::looks_like_labeldesk_json(&source)),
            json::ExportFormat::Csv => assert!(csv_export::looks_like_labeldesk_csv(&source)),
        }
        let new_db = dir.path().join(format!("imported-{format:?}.sqlite"));
        let mut out = Vec::new();
        json::cli_import(&new_db, &source, &mut out).expect("import creates the catalog");
        let printed = String::from_utf8(out).expect("utf-8");
        assert!(printed.contains("(new catalog)"), "{printed}");
        assert_eq!(
            export_bytes(&Catalog::open(&new_db).expect("open")),
            expected
        );
        // Importing again into the now non-empty catalog is refused.
        let err = json::cli_import(&new_db, &source, &mut Vec::new()).expect_err("not empty");
        assert!(matches!(err, InterchangeError::NotEmpty { .. }), "{err}");
    }
    // A failing import does not leave a new catalog behind.
    assert!(
        !json::looks_like_labeldesk_json(&db),
        "a catalog is not an export"
    );
    let junk = dir.path().join("junk.json");
    std::fs::write(
        &junk,
        "{\"format\": \"labeldesk\", \"version\": 1, \"tables\": {",
    )
    .expect("w");
    let never = dir.path().join("never.sqlite");
    assert!(json::cli_import(&never, &junk, &mut Vec::new()).is_err());
    assert!(!never.exists() && !labeldesk::db::wal_path(&never).exists());
    // Export refuses a missing catalog.
    let missing = dir.path().join("missing.sqlite");
    assert!(
        json::cli_export(
            &missing,
            dir.path(),
            json::ExportFormat::Json,
            &mut Vec::new()
        )
        .is_err()
    );
    assert!(!missing.exists());
}
