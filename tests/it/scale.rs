//! A 100,000-track catalog from `labeldesk generate`: search returns exactly the expected rows
//! for every kind of query, the Catalog table reads only what is on screen, and the generator
//! is deterministic. Correctness only: the timings are `cargo bench --bench scale`.

use std::collections::BTreeSet;

use std::hash::{DefaultHasher, Hasher};

use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, TouchPhase};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use labeldesk::app::{LabeldeskApp, UiState};
use labeldesk::db::releases::ReleaseFilter;
use labeldesk::db::search::{HitKind, SearchHit};
use labeldesk::db::{self, Catalog};
use labeldesk::io::generate::{self, GenerateError};
use labeldesk::jobs::JobControl;
use labeldesk::model::{Barcode, Isrc};
use labeldesk::ui::catalog::PAGE_ROWS;

use crate::common;

const TRACKS: u64 = 100_000;

fn generated(tracks: u64, seed: u64) -> Catalog {
    let mut catalog = Catalog::open_in_memory().expect("in-memory catalog");
    let summary =
        generate::generate(&mut catalog, tracks, seed, &JobControl::default()).expect("generate");
    assert_eq!(summary.tracks, tracks);
    catalog
}

// ---------------------------------------------------------------------------------------------
// Search

/// What a search hit is: (kind, id).
fn keys(hits: &[SearchHit]) -> BTreeSet<(HitKind, i64)> {
    hits.iter().map(|h| (h.kind, h.id)).collect()
}

fn doc_key(doc: i64) -> Option<(HitKind, i64)> {
    let kind = match doc & 3 {
        0 => HitKind::Artist,
        1 => HitKind::Release,
        2 => HitKind::Track,
        _ => return None,
    };
    Some((kind, doc >> 2))
}

/// Lowercase with the diacritics FTS5's `remove_diacritics 2` drops (for the letters the
/// generator's word lists use).
fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            other => other,
        })
        .collect()
}

/// Every search document: (kind, id), body.
fn documents(catalog: &Catalog) -> Vec<((HitKind, i64), String)> {
    let mut stmt = catalog
        .conn()
        .prepare("SELECT id, body FROM search_docs")
        .expect("query");
    stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .expect("rows")
        .filter_map(|row| {
            let (id, body) = row.expect("document");
            doc_key(id).map(|k| (k, body))
        })
        .collect()
}

/// What `search` must return for plain words, computed without FTS: documents where every
/// term starts one of its words (word index), or, when every term has 3+ characters, where
/// every term occurs anywhere (substring index).
fn expected(docs: &[((HitKind, i64), String)], query: &str) -> BTreeSet<(HitKind, i64)> {
    let terms: Vec<String> = query.split_whitespace().map(fold).collect();
    let substrings = terms.iter().all(|t| t.chars().count() >= 3);
    docs.iter()
        .filter(|(_, body)| {
            let folded = fold(body);
            let words: Vec<&str> = folded
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let by_prefix = terms
                .iter()
                .all(|t| words.iter().any(|w| w.starts_with(t.as_str())));
            let lower = body.to_lowercase();
            by_prefix || (substrings && terms.iter().all(|t| lower.contains(t.as_str())))
        })
        .map(|(k, _)| *k)
        .collect()
}

fn search_all(catalog: &Catalog, query: &str) -> Vec<SearchHit> {
    db::search::search(catalog.conn(), query, 1_000_000).expect("search")
}

/// A track picked from the generator's output: (id, title).
fn sample_track(catalog: &Catalog, pick: impl Fn(&str) -> bool) -> (i64, String) {
    let mut stmt = catalog
        .conn()
        .prepare(
            "SELECT id, title FROM tracks WHERE id >= (SELECT max(id) / 3 FROM tracks) ORDER BY id",
        )
        .expect("query");
    let mut rows = stmt.query([]).expect("rows");
    while let Some(row) = rows.next().expect("row") {
        let title: String = row.get(1).expect("title");
        if pick(&title) {
            return (row.get(0).expect("id"), title);
        }
    }
    panic!("no track fits");
}

#[test]
fn search_finds_the_expected_rows_for_each_kind_of_query() {
    let _alone = common::alone();
    let catalog = generated(TRACKS, 1);
    let conn = catalog.conn();
    let docs = documents(&catalog);

    // Word prefixes: the beginnings of two words of a track title.
    let ascii_words = |t: &str| {
        t.split_whitespace()
            .filter(|w| w.len() >= 5 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .count()
            >= 2
    };
    let (track, title) = sample_track(&catalog, ascii_words);
    let words: Vec<&str> = title
        .split_whitespace()
        .filter(|w| w.len() >= 5 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .collect();
    let query = format!("{} {}", &words[0][..4], &words[1][..3]).to_lowercase();
    let want = expected(&docs, &query);
    assert!(
        want.contains(&(HitKind::Track, track)),
        "{query:?} describes {title:?}"
    );
    assert!(want.len() < 5_000, "a selective query: {} hits", want.len());
    assert_eq!(
        keys(&search_all(&catalog, &query)),
        want,
        "word prefixes {query:?}"
    );
    // What the search box shows: 30 of them.
    let shown = db::search::search(conn, &query, 30).expect("search");
    assert_eq!(shown.len(), want.len().min(30));
    assert!(keys(&shown).is_subset(&want));

    // An artist by the beginning of the first name and the initial of the second: one-letter
    // prefixes have their own index entries.
    let (artist, name): (i64, String) = conn
        .query_row(
            "SELECT id, name FROM artists WHERE name GLOB '[A-Z][a-z][a-z]* [A-Z][a-z]*'
               AND name NOT GLOB '* * *' AND id >= (SELECT max(id) / 2 FROM artists) ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a two-word artist");
    let mut parts = name.split_whitespace();
    let (given, family) = (parts.next().expect("first"), parts.next().expect("second"));
    let query = format!("{} {}", &given[..3], &family[..1]);
    let want = expected(&docs, &query);
    assert!(
        want.contains(&(HitKind::Artist, artist)),
        "{query:?} describes {name:?}"
    );
    assert_eq!(
        keys(&search_all(&catalog, &query)),
        want,
        "artist {query:?}"
    );

    // A substring inside a word.
    let (track, title) = sample_track(&catalog, |t| {
        t.split_whitespace()
            .any(|w| w.len() >= 8 && w.chars().all(|c| c.is_ascii_alphabetic()))
    });
    let word = title
        .split_whitespace()
        .find(|w| w.len() >= 8 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .expect("a long word");
    let inside = word[2..7].to_lowercase();
    let want = expected(&docs, &inside);
    assert!(
        want.contains(&(HitKind::Track, track)),
        "{inside:?} is inside {title:?}"
    );
    assert_eq!(
        keys(&search_all(&catalog, &inside)),
        want,
        "substring {inside:?}"
    );

    // An ISRC typed with hyphens (and lowercase, and with spaces): exactly its track.
    let (track, isrc): (i64, String) = conn
        .query_row(
            "SELECT id, isrc FROM tracks WHERE isrc IS NOT NULL AND id >= (SELECT max(id) / 2 FROM tracks)
             ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a track with an ISRC");
    let shown = Isrc::parse(&isrc).expect("valid ISRC").to_string();
    assert!(shown.contains('-'), "{shown}");
    for typed in [shown.clone(), shown.to_lowercase(), shown.replace('-', " ")] {
        let hits = search_all(&catalog, &typed);
        assert_eq!(
            keys(&hits),
            BTreeSet::from([(HitKind::Track, track)]),
            "ISRC {typed:?}"
        );
    }

    // Catalog numbers, both styles the generator prints (HLR042 and SK-0042).
    for pattern in ["HLR[0-9]*", "SK-[0-9]*"] {
        let (release, catno): (i64, String) = conn
            .query_row(
                "SELECT release_id, catno FROM catalog_numbers WHERE catno GLOB ?1
                   AND id >= (SELECT max(id) / 3 FROM catalog_numbers) ORDER BY id LIMIT 1",
                [pattern],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("a catalog number");
        let hits = search_all(&catalog, &catno);
        assert!(
            keys(&hits).contains(&(HitKind::Release, release)),
            "{catno} finds its release"
        );
        // Every release found carries a catalog number starting with what was typed.
        for hit in hits.iter().filter(|h| h.kind == HitKind::Release) {
            let catnos: Vec<String> = conn
                .prepare("SELECT catno FROM catalog_numbers WHERE release_id = ?1")
                .expect("query")
                .query_map([hit.id], |r| r.get(0))
                .expect("rows")
                .collect::<Result<_, _>>()
                .expect("catnos");
            assert!(
                catnos
                    .iter()
                    .any(|c| c.to_lowercase().starts_with(&catno.to_lowercase())),
                "{catno} found release {} with {catnos:?}",
                hit.id
            );
        }
    }

    // Barcodes: a UPC-A found by its 12 digits and by its EAN-13 form, an EAN-13 by its 13
    // digits typed plain and with spaces.
    for length in [12, 13] {
        let (release, code): (i64, String) = conn
            .query_row(
                "SELECT release_id, barcode FROM formats WHERE length(barcode) = ?1
                   AND id >= (SELECT max(id) / 4 FROM formats) ORDER BY id LIMIT 1",
                [length],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("a barcode");
        let barcode = Barcode::parse(&code).expect("valid barcode");
        let mut forms = barcode.both_forms();
        forms.push(format!("{} {}", &code[..1], &code[1..]));
        for typed in forms {
            assert_eq!(
                keys(&search_all(&catalog, &typed)),
                BTreeSet::from([(HitKind::Release, release)]),
                "barcode {typed:?} (stored {code})"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The Catalog table

fn wheel(phase: TouchPhase, dy: f32) -> Event {
    Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: egui::vec2(0.0, dy),
        phase,
        source: MouseWheelSource::Trackpad,
        modifiers: Modifiers::NONE,
    }
}

fn title_of(catalog: &Catalog, id: labeldesk::model::ReleaseId) -> String {
    db::releases::get(catalog.conn(), id)
        .expect("release")
        .title
}

#[test]
fn the_catalog_table_only_fetches_the_rows_on_screen() {
    let _alone = common::alone();
    let catalog = generated(TRACKS, 2);
    let order =
        db::releases::ordered_ids(catalog.conn(), &ReleaseFilter::default()).expect("order");
    assert_eq!(order.len() as u64, TRACKS / 10);
    let first = title_of(&catalog, order[0]);
    let last = title_of(&catalog, order[order.len() - 1]);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(24)
        .build_eframe(move |_cc| LabeldeskApp::new(catalog, UiState::default()));
    harness.run();
    let fetched = harness.state().catalog_rows_fetched();
    assert!(
        fetched > 0 && fetched <= 2 * PAGE_ROWS,
        "first screen: fetched {fetched}"
    );
    assert!(
        harness.query_all_by_label(&first).next().is_some(),
        "first row drawn"
    );

    // Down to the very end in one movement (like dragging the scroll bar to the bottom).
    harness.hover_at(egui::pos2(640.0, 450.0));
    harness.event(wheel(TouchPhase::Start, 0.0));
    harness.event(wheel(TouchPhase::Move, -1.0e7));
    harness.event(wheel(TouchPhase::End, 0.0));
    harness.run();
    assert!(
        harness.query_all_by_label(&last).next().is_some(),
        "last row drawn"
    );
    let fetched = harness.state().catalog_rows_fetched();
    assert!(
        fetched <= 2 * PAGE_ROWS,
        "after scrolling to the bottom of {} rows: fetched {fetched}",
        order.len()
    );

    // Back up a screen at a time: each step reads at most one screen plus a page.
    for _ in 0..8 {
        let before = harness.state().catalog_rows_fetched();
        harness.event(wheel(TouchPhase::Start, 0.0));
        harness.event(wheel(TouchPhase::Move, 600.0));
        harness.event(wheel(TouchPhase::End, 0.0));
        harness.run();
        let step = harness.state().catalog_rows_fetched() - before;
        assert!(step <= 2 * PAGE_ROWS, "one screen up fetched {step} rows");
    }
    assert!(
        harness.query_all_by_label(&last).next().is_none(),
        "scrolled up"
    );
}

// ---------------------------------------------------------------------------------------------
// Determinism and the bulk-built search index

/// A hash of every table's content in storage order (the FTS5 shadow tables included), except
/// `catalog_meta`, whose catalog id is random by design.
fn content_hashes(catalog: &Catalog) -> Vec<(String, u64)> {
    let conn = catalog.conn();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
               AND name <> 'catalog_meta' ORDER BY name",
        )
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("names");
    tables
        .into_iter()
        .map(|table| {
            let mut hasher = DefaultHasher::new();
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{table}\""))
                .expect("select");
            let columns = stmt.column_count();
            let mut rows = stmt.query([]).expect("rows");
            while let Some(row) = rows.next().expect("row") {
                for i in 0..columns {
                    use rusqlite::types::ValueRef;
                    match row.get_ref(i).expect("value") {
                        ValueRef::Null => hasher.write_u8(0),
                        ValueRef::Integer(n) => hasher.write_i64(n),
                        ValueRef::Real(f) => hasher.write_u64(f.to_bits()),
                        ValueRef::Text(b) | ValueRef::Blob(b) => {
                            hasher.write_usize(b.len());
                            hasher.write(b);
                        }
                    }
                }
            }
            (table, hasher.finish())
        })
        .collect()
}

#[test]
fn generate_is_deterministic_for_a_seed() {
    let _alone = common::alone();
    let a = content_hashes(&generated(TRACKS, 7));
    let b = content_hashes(&generated(TRACKS, 7));
    let c = content_hashes(&generated(TRACKS, 8));
    assert!(a.iter().any(|(t, _)| t == "search_words_data"), "{a:?}");
    assert_eq!(a, b, "same seed, same catalog");
    for table in ["artists", "releases", "formats", "tracks", "search_docs"] {
        let hash = |v: &[(String, u64)]| v.iter().find(|(t, _)| t == table).map(|(_, h)| *h);
        assert_ne!(hash(&a), hash(&c), "another seed changes {table}");
    }
}

#[test]
fn the_bulk_built_search_index_is_what_the_triggers_would_write() {
    let _alone = common::alone();
    let mut catalog = generated(5_000, 3);
    let report = db::check::run(catalog.conn()).expect("check");
    assert!(report.is_ok(), "{report:?}");
    let schema = |c: &Catalog| -> BTreeSet<(String, String)> {
        c.conn()
            .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN ('trigger', 'index')")
            .expect("query")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("schema")
    };
    assert_eq!(
        schema(&catalog),
        schema(&Catalog::open_in_memory().expect("fresh")),
        "every trigger and index is back, exactly as the schema wrote it"
    );
    let before = documents(&catalog);
    // Make every trigger write its document again.
    catalog
        .write(|tx| {
            tx.execute_batch(
                "UPDATE artists SET name = name;
                 UPDATE releases SET title = title;
                 UPDATE tracks SET title = title;",
            )?;
            Ok(())
        })
        .expect("touch every row");
    assert_eq!(documents(&catalog), before);
    let report = db::check::run(catalog.conn()).expect("check");
    assert!(report.is_ok(), "{report:?}");
}

#[test]
fn generate_refuses_a_catalog_with_data_and_a_cancel_writes_nothing() {
    let mut catalog = generated(100, 4);
    let before = content_hashes(&catalog);
    assert!(matches!(
        generate::generate(&mut catalog, 100, 4, &JobControl::default()),
        Err(GenerateError::NotEmpty(_))
    ));
    assert_eq!(content_hashes(&catalog), before);

    let mut empty = Catalog::open_in_memory().expect("catalog");
    let control = JobControl::default();
    control.cancel();
    assert!(matches!(
        generate::generate(&mut empty, 1_000, 4, &control),
        Err(GenerateError::Cancelled(_))
    ));
    assert_eq!(
        generate::existing_content(empty.conn()).expect("count"),
        None,
        "nothing written"
    );
}

#[test]
fn generate_cli_creates_a_file_and_refuses_to_overwrite_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.sqlite");
    let mut out = Vec::new();
    generate::run_cli(&path, 2_000, 1, &mut out).expect("generate");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("rows: "), "{text}");
    assert!(text.contains("rows/s: "), "{text}");
    let catalog = Catalog::open(&path).expect("a valid catalog");
    assert!(db::check::run(catalog.conn()).expect("check").is_ok());
    drop(catalog);
    let bytes = std::fs::read(&path).expect("read");
    let err = generate::run_cli(&path, 2_000, 1, &mut Vec::new()).expect_err("refused");
    assert!(err.to_string().contains("already holds a catalog"), "{err}");
    assert_eq!(std::fs::read(&path).expect("read"), bytes, "left untouched");
}

/// `(journal_mode, foreign_keys, cache_size, busy_timeout)` of a connection.
fn settings(catalog: &Catalog) -> (String, bool, i64, i64) {
    let conn = catalog.conn();
    (
        conn.pragma_query_value(None, "journal_mode", |r| r.get(0))
            .expect("journal_mode"),
        conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .expect("foreign_keys"),
        conn.pragma_query_value(None, "cache_size", |r| r.get(0))
            .expect("cache_size"),
        conn.pragma_query_value(None, "busy_timeout", |r| r.get(0))
            .expect("busy_timeout"),
    )
}

#[test]
fn a_bulk_load_into_a_file_puts_the_connection_back_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bulk.sqlite");
    let mut catalog = Catalog::create(&path).expect("create");
    let before = settings(&catalog);
    assert_eq!(before.0, "wal");
    assert_eq!(before.3, 5_000, "the catalog's busy timeout");
    assert!(before.1, "foreign keys on");

    // Alone on the file: the load may leave the log for a rollback journal; a cancel rolls
    // back and puts everything back.
    let control = JobControl::default();
    control.cancel();
    assert!(matches!(
        generate::generate(&mut catalog, 1_000, 2, &control),
        Err(GenerateError::Cancelled(_))
    ));
    assert_eq!(settings(&catalog), before);
    assert_eq!(
        generate::existing_content(catalog.conn()).expect("count"),
        None
    );
    generate::generate(&mut catalog, 1_000, 2, &JobControl::default()).expect("generate");
    assert_eq!(settings(&catalog), before);
    let journal = dir.path().join("bulk.sqlite-journal");
    assert!(!journal.exists(), "no journal left behind");
    drop(catalog);
    let reopened = Catalog::open(&path).expect("reopen");
    assert!(db::check::run(reopened.conn()).expect("check").is_ok());
    drop(reopened);

    // Beside another open connection (the app's own, while an import runs in the background):
    // the load keeps the log, and the other connection reads the result.
    let other_path = dir.path().join("shared.sqlite");
    let mut loader = Catalog::create(&other_path).expect("create");
    let alone = db::bulk::BulkSettings::apply(loader.conn()).expect("apply");
    assert_eq!(settings(&loader).0, "delete", "alone: a rollback journal");
    alone.restore(loader.conn()).expect("restore");
    assert_eq!(settings(&loader), before);
    let reader = Catalog::open(&other_path).expect("second connection");
    let started = std::time::Instant::now();
    let shared = db::bulk::BulkSettings::apply(loader.conn()).expect("apply");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "refused at once, not after the busy timeout"
    );
    assert_eq!(settings(&loader).0, "wal", "shared: the log stays");
    shared.restore(loader.conn()).expect("restore");
    generate::generate(&mut loader, 1_000, 2, &JobControl::default()).expect("generate");
    assert_eq!(settings(&loader), before);
    let tracks: i64 = reader
        .conn()
        .query_row("SELECT count(*) FROM tracks", [], |r| r.get(0))
        .expect("count");
    assert_eq!(tracks, 1_000);
    assert!(db::check::run(reader.conn()).expect("check").is_ok());
}
