//! The catalog tables: constraints, duplicate warnings, search, check.

use crate::common;

use labeldesk::db::{self, Catalog, DbError, search::HitKind};
use labeldesk::model::{
    Artist, ArtistRole, Barcode, CatalogNumber, CatalogNumberId, Format, FormatKind, Isrc, Release,
    ReleaseArtist, ReleaseCatalogNumber, ReleaseId, Track, TrackDuration, ValidationError,
};

fn count(catalog: &Catalog, table: &str) -> i64 {
    catalog
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

fn add_release(catalog: &mut Catalog, title: &str) -> ReleaseId {
    catalog
        .write(|tx| db::releases::insert(tx, &Release::new(title)))
        .expect("release")
}

#[test]
fn deleting_an_artist_with_releases_is_refused_and_explains_archive() {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let (artist, release) = catalog
        .write(|tx| {
            let artist = db::artists::insert(tx, &Artist::new("Grey Heron"))?;
            let release = db::releases::insert(tx, &Release::new("Concrete Birds"))?;
            db::releases::set_artists(
                tx,
                release,
                &[ReleaseArtist {
                    artist_id: artist,
                    role: ArtistRole::Primary,
                }],
            )?;
            Ok((artist, release))
        })
        .expect("setup");
    let err = catalog
        .write(|tx| db::artists::delete(tx, artist))
        .expect_err("in use");
    assert!(matches!(err, DbError::InUse(_)));
    let message = err.to_string();
    assert!(
        message.contains("Grey Heron")
            && message.contains("1 release")
            && message.contains("Archive"),
        "{message}"
    );
    assert_eq!(count(&catalog, "artists"), 1, "nothing deleted");

    catalog
        .write(|tx| db::artists::set_archived(tx, artist, true))
        .expect("archive");
    assert!(
        db::artists::get(catalog.conn(), artist)
            .expect("get")
            .archived
    );

    catalog
        .write(|tx| db::releases::delete(tx, release).map(|_| ()))
        .expect("delete release");
    catalog
        .write(|tx| db::artists::delete(tx, artist))
        .expect("now deletable");
    assert_eq!(count(&catalog, "artists"), 0);
}

#[test]
fn invalid_fields_are_typed_errors_and_write_nothing() {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let err = catalog
        .write(|tx| db::artists::insert(tx, &Artist::new("   ")))
        .expect_err("empty name");
    assert!(
        matches!(err, DbError::Invalid(ValidationError::Required { .. })),
        "{err:?}"
    );
    let mut bad = Artist::new("Dana");
    bad.email = "dana-at-example".to_owned();
    let err = catalog
        .write(|tx| db::artists::insert(tx, &bad))
        .expect_err("bad email");
    assert!(err.to_string().to_lowercase().contains("email"), "{err}");
    assert_eq!(count(&catalog, "artists"), 0);

    // A transaction that fails half-way keeps nothing.
    let err = catalog
        .write(|tx| {
            let release = db::releases::insert(tx, &Release::new("Half"))?;
            let mut format = Format::new(release, FormatKind::Cd);
            format.discs = 0;
            db::formats::insert(tx, &format)?;
            Ok(())
        })
        .expect_err("zero discs");
    assert!(matches!(err, DbError::Invalid(_)), "{err:?}");
    assert_eq!(
        count(&catalog, "releases"),
        0,
        "the release of the failed edit is gone too"
    );
}

#[test]
fn the_schema_rejects_bad_rows_written_by_other_tools() {
    let catalog = Catalog::open_in_memory().expect("catalog");
    let conn = catalog.conn();
    conn.execute("INSERT INTO releases (id, title) VALUES (1, 'Ok')", [])
        .expect("release");
    for sql in [
        "INSERT INTO releases (title, status) VALUES ('x', 'bogus')",
        "INSERT INTO releases (title) VALUES ('   ')",
        "INSERT INTO formats (release_id, kind) VALUES (1, 'laserdisc')",
        "INSERT INTO formats (release_id, kind, barcode) VALUES (1, 'cd', '1')",
        "INSERT INTO formats (release_id, kind, retail_price) VALUES (1, 'cd', -5)",
        "INSERT INTO tracks (release_id, seq, title, isrc) VALUES (1, 0, 't', 'gbaye2600001')",
        "INSERT INTO tracks (release_id, seq, title) VALUES (999, 0, 't')",
        "INSERT INTO catalog_numbers (release_id, catno) VALUES (1, ' HLR001')",
    ] {
        let err = conn.execute(sql, []).expect_err(sql);
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ConstraintViolation),
            "{sql}: {err}"
        );
    }
}

#[test]
fn every_enum_code_is_accepted_by_the_schema() {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    for &kind in FormatKind::ALL {
        catalog
            .write(|tx| {
                let release = db::releases::insert(tx, &Release::new("x"))?;
                db::formats::insert(tx, &Format::new(release, kind))
            })
            .expect("format kind");
    }
    for &status in labeldesk::model::ReleaseStatus::ALL {
        for &kind in labeldesk::model::ReleaseType::ALL {
            let mut release = Release::new("y");
            release.status = status;
            release.release_type = kind;
            catalog
                .write(|tx| db::releases::insert(tx, &release))
                .expect("status and type");
        }
    }
    for &status in labeldesk::model::ArtistStatus::ALL {
        let mut artist = Artist::new("z");
        artist.status = status;
        catalog
            .write(|tx| db::artists::insert(tx, &artist))
            .expect("artist status");
    }
    let artist = catalog
        .write(|tx| db::artists::insert(tx, &Artist::new("roles")))
        .expect("artist");
    let release = add_release(&mut catalog, "roles");
    let credits: Vec<_> = ArtistRole::ALL
        .iter()
        .map(|&role| ReleaseArtist {
            artist_id: artist,
            role,
        })
        .collect();
    catalog
        .write(|tx| db::releases::set_artists(tx, release, &credits))
        .expect("roles");
    assert_eq!(
        db::releases::artists_of(catalog.conn(), release)
            .expect("read")
            .len(),
        ArtistRole::ALL.len()
    );
}

#[test]
fn a_release_round_trips_through_the_tables() {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let release = add_release(&mut catalog, "Glass Orchard");
    let mut lp = Format::new(release, FormatKind::Vinyl12);
    lp.variant = "transparent violet".to_owned();
    lp.barcode = Some(Barcode::parse("036000241457").expect("upc"));
    lp.retail_price = Some(2499);
    lp.pressed_quantity = Some(300);
    let lp_id = catalog
        .write(|tx| db::formats::insert(tx, &lp))
        .expect("format");
    let mut track = Track::new(release, 0, "Lavender");
    track.position = "a1".to_owned();
    track.duration = Some(TrackDuration::parse("3:45.5").expect("duration"));
    track.isrc = Some(Isrc::parse("gb-aye-26-00001").expect("isrc"));
    let track_id = catalog
        .write(|tx| db::tracks::insert(tx, &track))
        .expect("track");

    let full = db::releases::load_full(catalog.conn(), release).expect("load");
    assert_eq!(full.formats.len(), 1);
    assert_eq!(full.formats[0].id, lp_id);
    assert_eq!(full.formats[0].variant, "transparent violet");
    assert_eq!(
        full.formats[0].barcode.as_ref().map(Barcode::as_str),
        Some("036000241457"),
        "leading zero kept"
    );
    assert_eq!(full.tracks[0].id, track_id);
    assert_eq!(
        full.tracks[0].position, "A1",
        "positions are stored upper-case"
    );
    assert_eq!(
        full.tracks[0].duration.map(TrackDuration::millis),
        Some(225_500),
        "milliseconds kept"
    );
    assert_eq!(
        full.tracks[0].isrc.as_ref().map(Isrc::as_str),
        Some("GBAYE2600001")
    );
}

#[test]
fn deleting_a_release_returns_a_snapshot_that_restores_it_whole() {
    let mut catalog = common::demo_catalog();
    let id = ReleaseId(3);
    let before = db::releases::load_full(catalog.conn(), id).expect("load");
    assert!(!before.tracks.is_empty() && !before.formats.is_empty() && !before.catnos.is_empty());
    let tracks_before = count(&catalog, "tracks");
    let snapshot = catalog
        .write(|tx| db::releases::delete(tx, id))
        .expect("delete");
    assert_eq!(
        count(&catalog, "tracks"),
        tracks_before - i64::try_from(before.tracks.len()).expect("len")
    );
    assert!(
        db::search::search(catalog.conn(), &before.release.title, 10)
            .expect("search")
            .iter()
            .all(|h| h.release != Some(id))
    );
    catalog
        .write(|tx| db::releases::restore_full(tx, &snapshot))
        .expect("restore");
    assert_eq!(
        db::releases::load_full(catalog.conn(), id).expect("reload"),
        before
    );
    assert_eq!(count(&catalog, "tracks"), tracks_before);
    let hits = db::search::search(catalog.conn(), &before.release.title, 10).expect("search");
    assert!(
        hits.iter()
            .any(|h| h.kind == HitKind::Release && h.release == Some(id)),
        "search index restored too"
    );
}

#[test]
fn duplicate_identifiers_are_warnings_naming_the_other_item() {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let label = catalog
        .write(|tx| {
            db::labels::insert(
                tx,
                &labeldesk::model::Label {
                    id: labeldesk::model::LabelId::UNSAVED,
                    name: "Saltmarsh".to_owned(),
                    is_own: true,
                    catno_prefix: "SK".to_owned(),
                    isrc_prefix: Some("GBAYE".to_owned()),
                    currency: labeldesk::model::Currency::EUR,
                    notes: String::new(),
                },
            )
        })
        .expect("label");
    let first = add_release(&mut catalog, "First Press");
    let repress = add_release(&mut catalog, "Repress");
    let catno = |text: &str| ReleaseCatalogNumber {
        id: CatalogNumberId::UNSAVED,
        label_id: Some(label),
        format_id: None,
        catno: CatalogNumber::parse(text).expect("catno"),
    };
    catalog
        .write(|tx| db::catnos::insert(tx, first, &catno("SK032")))
        .expect("catno 1");
    let dup = catalog
        .write(|tx| db::catnos::insert(tx, repress, &catno("sk032")))
        .expect("a duplicate is allowed");
    let warnings = db::warnings::catalog_number(catalog.conn(), dup, repress, Some(label), "sk032")
        .expect("warn");
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].other_release, first);
    assert!(
        warnings[0].message.contains("First Press"),
        "{}",
        warnings[0].message
    );

    // UPC-A on one format, the EAN-13 form of the same code on another: one barcode.
    let mut a = Format::new(first, FormatKind::Cd);
    a.barcode = Some(Barcode::parse("036000241457").expect("upc"));
    let mut b = Format::new(repress, FormatKind::Cd);
    b.barcode = Some(Barcode::parse("0036000241457").expect("ean"));
    catalog.write(|tx| db::formats::insert(tx, &a)).expect("a");
    let b_id = catalog.write(|tx| db::formats::insert(tx, &b)).expect("b");
    let warnings = db::warnings::barcode(catalog.conn(), b_id, b.barcode.as_ref().expect("code"))
        .expect("warn");
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.contains("First Press"));

    // Same ISRC, same recording (album and single): fine. Different title: a warning.
    let isrc = Isrc::parse("GBAYE2600007").expect("isrc");
    let mut album = Track::new(first, 0, "Undertow");
    album.isrc = Some(isrc.clone());
    album.duration = Some(TrackDuration::from_millis(200_000));
    catalog
        .write(|tx| db::tracks::insert(tx, &album))
        .expect("album track");
    let mut single = Track::new(repress, 0, "undertow");
    single.isrc = Some(isrc.clone());
    single.duration = Some(TrackDuration::from_millis(201_000));
    let single_id = catalog
        .write(|tx| db::tracks::insert(tx, &single))
        .expect("single track");
    assert!(
        db::warnings::isrc(
            catalog.conn(),
            single_id,
            &isrc,
            &single.title,
            single.duration
        )
        .expect("warn")
        .is_empty(),
        "same recording on two releases is normal"
    );
    let warnings = db::warnings::isrc(catalog.conn(), single_id, &isrc, "Riptide", single.duration)
        .expect("warn");
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].message.contains("Undertow"),
        "{}",
        warnings[0].message
    );
    let longer = Some(TrackDuration::from_millis(260_000));
    assert_eq!(
        db::warnings::isrc(catalog.conn(), single_id, &isrc, "Undertow", longer)
            .expect("warn")
            .len(),
        1
    );
    assert_eq!(
        db::warnings::for_release(catalog.conn(), repress)
            .expect("all")
            .len(),
        2,
        "catno + barcode"
    );
}

#[test]
fn next_catalog_number_and_isrc_come_from_the_label() {
    let catalog = common::demo_catalog();
    let label = db::labels::own(catalog.conn())
        .expect("own")
        .expect("demo label");
    let next = db::catnos::suggest_next(catalog.conn(), label.id).expect("suggest");
    assert_eq!(
        next.as_deref(),
        Some("HLR020"),
        "19 scheduled demo releases use HLR001..HLR019"
    );
    let isrc = db::tracks::suggest_next_isrc(catalog.conn(), label.id, 26)
        .expect("isrc")
        .expect("prefix set");
    assert_eq!(isrc.prefix(), "DEH47");
    assert_eq!(isrc.year(), 26);
    assert!(
        db::tracks::find_by_isrc(catalog.conn(), &isrc)
            .expect("find")
            .is_empty(),
        "{isrc} is free"
    );
    let pending = db::tracks::suggest_next_isrc_excluding(
        catalog.conn(),
        label.id,
        26,
        std::slice::from_ref(&isrc),
    )
    .expect("isrc")
    .expect("prefix");
    assert_eq!(pending.designation(), isrc.designation() + 1);
}

#[test]
fn search_index_follows_inserts_updates_and_deletes() {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let artist = catalog
        .write(|tx| db::artists::insert(tx, &Artist::new("Nação Fantasma")))
        .expect("artist");
    let hits = db::search::search(catalog.conn(), "nacao", 10).expect("search");
    assert_eq!(hits.len(), 1, "diacritics folded");
    assert_eq!(hits[0].artist_id(), Some(artist));

    let mut renamed = db::artists::get(catalog.conn(), artist).expect("get");
    renamed.name = "Grey Heron".to_owned();
    catalog
        .write(|tx| db::artists::update(tx, &renamed))
        .expect("rename");
    assert!(
        db::search::search(catalog.conn(), "nacao", 10)
            .expect("search")
            .is_empty(),
        "old name gone"
    );
    assert_eq!(
        db::search::search(catalog.conn(), "heron", 10)
            .expect("search")
            .len(),
        1
    );

    let release = add_release(&mut catalog, "Concrete Birds");
    let catno = ReleaseCatalogNumber {
        id: CatalogNumberId::UNSAVED,
        label_id: None,
        format_id: None,
        catno: CatalogNumber::parse("ABC-012").expect("catno"),
    };
    let catno_id = catalog
        .write(|tx| db::catnos::insert(tx, release, &catno))
        .expect("catno");
    let mut format = Format::new(release, FormatKind::Vinyl12);
    format.barcode = Some(Barcode::parse("036000241457").expect("upc"));
    let format_id = catalog
        .write(|tx| db::formats::insert(tx, &format))
        .expect("format");
    let mut track = Track::new(release, 0, "Pylons at Dusk");
    track.isrc = Some(Isrc::parse("GBAYE2600001").expect("isrc"));
    let track_id = catalog
        .write(|tx| db::tracks::insert(tx, &track))
        .expect("track");

    let release_hit = |catalog: &Catalog, q: &str| {
        db::search::search(catalog.conn(), q, 10)
            .expect("search")
            .iter()
            .any(|h| h.kind == HitKind::Release && h.release == Some(release))
    };
    assert!(
        release_hit(&catalog, "ABC-012"),
        "catalog number with a hyphen"
    );
    assert!(release_hit(&catalog, "abc012") || release_hit(&catalog, "ABC-012"));
    assert!(release_hit(&catalog, "036000241457"), "UPC-A form");
    assert!(
        release_hit(&catalog, "0036000241457"),
        "EAN-13 form of the same code"
    );
    assert!(
        release_hit(&catalog, "0 36000 24145 7"),
        "barcode typed with spaces"
    );
    assert!(release_hit(&catalog, "conc"), "word prefix");
    assert!(
        release_hit(&catalog, "crete"),
        "substring inside a word (trigram)"
    );

    let track_hits = db::search::search(catalog.conn(), "gb-aye-26-00001", 10).expect("search");
    assert_eq!(track_hits.len(), 1);
    assert_eq!(track_hits[0].track_id(), Some(track_id));
    assert_eq!(
        track_hits[0].release,
        Some(release),
        "a track hit opens its release"
    );

    catalog
        .write(|tx| db::catnos::delete(tx, catno_id))
        .expect("delete catno");
    assert!(
        !release_hit(&catalog, "ABC-012"),
        "deleted catalog number no longer found"
    );
    catalog
        .write(|tx| db::formats::delete(tx, format_id))
        .expect("delete format");
    assert!(
        !release_hit(&catalog, "036000241457"),
        "deleted barcode no longer found"
    );
    catalog
        .write(|tx| db::tracks::delete(tx, track_id))
        .expect("delete track");
    assert!(
        db::search::search(catalog.conn(), "GBAYE2600001", 10)
            .expect("search")
            .is_empty()
    );
    let report = db::check::run(catalog.conn()).expect("check");
    assert!(report.search_index.is_empty(), "{:?}", report.search_index);
}

#[test]
fn hostile_search_terms_never_cause_syntax_errors() {
    let catalog = common::demo_catalog();
    for q in [
        "\"",
        "AND",
        "OR",
        "NOT",
        "-",
        "a AND",
        "\"unclosed",
        "NEAR(",
        "*",
        "col:val",
        "^x",
        "(",
        ")",
        "''",
        "a\"b",
        "   ",
        "ab",
        "x-",
        "--",
        "HLR-",
        "{a b}",
    ] {
        let hits = db::search::search(catalog.conn(), q, 20);
        assert!(hits.is_ok(), "{q:?}: {hits:?}");
    }
    // "AND" is a word like any other: it finds nothing in the demo but does not fail; a real
    // word after a hostile one still narrows the search.
    let hits = db::search::search(catalog.conn(), "\" harbour", 20).expect("search");
    assert!(hits.iter().any(|h| h.title.contains("Harbour")), "{hits:?}");
}

#[test]
fn search_results_are_limited() {
    let catalog = common::demo_catalog();
    let all = db::search::search(catalog.conn(), "a", 1000).expect("search");
    assert!(all.len() > 5);
    assert_eq!(
        db::search::search(catalog.conn(), "a", 5)
            .expect("search")
            .len(),
        5
    );
}

#[test]
fn check_passes_on_the_demo_catalog() {
    let catalog = common::demo_catalog();
    let report = db::check::run(catalog.conn()).expect("check");
    assert!(report.is_ok(), "{report:?}");
    let counts: std::collections::HashMap<_, _> = report.counts.iter().copied().collect();
    assert_eq!(counts["artists"], 8);
    assert_eq!(counts["releases"], 20);
    assert!(counts["tracks"] > 100, "realistic tracklists");
    assert_eq!(report.schema_version, report.app_version);
}

#[test]
fn demo_label_has_valid_identifiers_and_every_status_and_format() {
    let catalog = common::demo_catalog();
    let conn = catalog.conn();
    let statuses: i64 = conn
        .query_row("SELECT count(DISTINCT status) FROM releases", [], |r| {
            r.get(0)
        })
        .expect("q");
    assert_eq!(statuses, 5);
    let kinds: i64 = conn
        .query_row("SELECT count(DISTINCT kind) FROM formats", [], |r| r.get(0))
        .expect("q");
    assert_eq!(kinds, 6, "12\", 10\", 7\", CD, cassette, digital");
    let artist_statuses: i64 = conn
        .query_row("SELECT count(DISTINCT status) FROM artists", [], |r| {
            r.get(0)
        })
        .expect("q");
    assert_eq!(artist_statuses, 3);
    let mut stmt = conn
        .prepare("SELECT isrc FROM tracks WHERE isrc IS NOT NULL")
        .expect("prepare");
    let isrcs: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("q")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(isrcs.len() > 100);
    for code in &isrcs {
        Isrc::parse(code).expect("demo ISRC valid");
    }
    let mut stmt = conn
        .prepare("SELECT barcode FROM formats WHERE barcode IS NOT NULL")
        .expect("prepare");
    let codes: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("q")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(codes.len() > 30);
    for code in &codes {
        Barcode::parse(code).expect("demo barcode valid");
    }
}

#[test]
fn artists_and_releases_under_contract_are_not_deleted_and_the_message_says_why() {
    let mut catalog = common::demo_catalog();
    // A release contract for The Low Tides' "Salt in the Wires" (release of format 32).
    let release: i64 = catalog
        .conn()
        .query_row("SELECT release_id FROM formats WHERE id = 32", [], |r| {
            r.get(0)
        })
        .expect("release");
    catalog
        .conn()
        .execute(
            "INSERT INTO contracts (deal_type, artist_id, release_id, start_date, term_releases, currency)
             VALUES ('royalty', 1, ?1, '2026-01-01', 1, 'EUR')",
            [release],
        )
        .expect("contract");
    let err = catalog
        .write(|tx| labeldesk::db::releases::delete(tx, labeldesk::model::ReleaseId(release)))
        .expect_err("under contract");
    assert!(err.to_string().contains("contract"), "{err}");
    assert!(err.is_user_error(), "a plain refusal, not a fault: {err}");
    // A prospect with no releases yet but a signed deal.
    catalog
        .conn()
        .execute_batch(
            "INSERT INTO artists (id, name, sort_name) VALUES (900, 'Prospect Band', 'Prospect Band');
             INSERT INTO contracts (deal_type, artist_id, start_date, end_date, currency)
             VALUES ('net_profit', 900, '2026-01-01', '2028-12-31', 'EUR');",
        )
        .expect("prospect");
    let err = catalog
        .write(|tx| labeldesk::db::artists::delete(tx, labeldesk::model::ArtistId(900)))
        .expect_err("under contract");
    assert!(err.to_string().contains("contract"), "{err}");
    let still: i64 = catalog
        .conn()
        .query_row(
            "SELECT count(*) FROM releases WHERE id = ?1",
            [release],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(still, 1);
}
