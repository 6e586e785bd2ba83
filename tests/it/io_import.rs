//! Imports of catalogs a label owner arrives with: Chinook, Discogs XML, their own spreadsheet;
//! the shared plan (preview, duplicates, skip/merge, one transaction).
//!
//! Fixtures are written by the tests. The public samples in ../shared/data are read when
//! present (never copied); without them those tests print a note and pass.

use crate::common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use labeldesk::db::{self, Catalog};
use labeldesk::io::import::{
    self as imports, DuplicatePolicy, ImportError, ImportKind, ImportPlan, Location, MatchedBy,
    PlanCatno, PlanCredit, PlanRelease,
};
use labeldesk::io::{chinook, discogs, spreadsheet};
use labeldesk::jobs::JobControl;
use labeldesk::model::{
    Artist, ArtistRole, Barcode, CatalogNumber, Format, FormatKind, Isrc, Release, ReleaseId,
    ReleaseStatus, ReleaseType, Track, TrackDuration,
};
use rusqlite::Connection;

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

/// Row counts of every catalog table, for "nothing was written" checks.
fn counts(catalog: &Catalog) -> Vec<i64> {
    [
        "artists",
        "labels",
        "releases",
        "release_artists",
        "formats",
        "catalog_numbers",
        "tracks",
        "search_docs",
    ]
    .iter()
    .map(|t| count(catalog.conn(), t))
    .collect()
}

fn shared_data(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        println!(
            "note: {} is not present; this test checks nothing more",
            path.display()
        );
        None
    }
}

fn release_id_by_title(conn: &Connection, title: &str) -> ReleaseId {
    conn.query_row("SELECT id FROM releases WHERE title = ?1", [title], |r| {
        r.get(0)
    })
    .unwrap_or_else(|e| panic!("release “{title}”: {e}"))
}

fn credit(conn: &Connection, id: ReleaseId) -> String {
    db::releases::credit_line(conn, id).expect("credit line")
}

// ---------------------------------------------------------------------------------------
// Chinook

/// A small database in Chinook's shape (same tables and column names).
fn chinook_fixture(dir: &Path) -> PathBuf {
    let path = dir.join("Chinook_Sqlite.sqlite");
    let conn = Connection::open(&path).expect("create fixture");
    conn.execute_batch(
        r"
        CREATE TABLE [Artist] ([ArtistId] INTEGER NOT NULL, [Name] NVARCHAR(120),
            CONSTRAINT [PK_Artist] PRIMARY KEY ([ArtistId]));
        CREATE TABLE [Album] ([AlbumId] INTEGER NOT NULL, [Title] NVARCHAR(160) NOT NULL,
            [ArtistId] INTEGER NOT NULL, CONSTRAINT [PK_Album] PRIMARY KEY ([AlbumId]));
        CREATE TABLE [MediaType] ([MediaTypeId] INTEGER NOT NULL PRIMARY KEY, [Name] NVARCHAR(120));
        CREATE TABLE [Genre] ([GenreId] INTEGER NOT NULL PRIMARY KEY, [Name] NVARCHAR(120));
        CREATE TABLE [Track] ([TrackId] INTEGER NOT NULL PRIMARY KEY, [Name] NVARCHAR(200) NOT NULL,
            [AlbumId] INTEGER, [MediaTypeId] INTEGER NOT NULL, [GenreId] INTEGER,
            [Composer] NVARCHAR(220), [Milliseconds] INTEGER NOT NULL, [Bytes] INTEGER,
            [UnitPrice] NUMERIC(10,2) NOT NULL);
        INSERT INTO MediaType VALUES (1, 'MPEG audio file'), (2, 'Protected AAC audio file'),
            (3, 'Protected MPEG-4 video file'), (5, 'AAC audio file');
        INSERT INTO Genre VALUES (1, 'Rock'), (2, 'Bossa Nova');
        INSERT INTO Artist VALUES (1, 'AC/DC'), (2, 'Antônio Carlos Jobim'), (3, 'Nobody Yet'),
            (4, 'ac/dc');
        INSERT INTO Album VALUES (1, 'For Those About To Rock We Salute You', 1),
            (2, 'Chill: Brazil (Disc 1)', 2), (3, 'Live Bootleg', 4);
        INSERT INTO Track VALUES
            (1, 'For Those About To Rock (We Salute You)', 1, 1, 1, 'Angus Young, Malcolm Young, Brian Johnson', 343719, 11170334, 0.99),
            (6, 'Put The Finger On You', 1, 1, 1, NULL, 205662, 6713451, 0.99),
            (20, 'Garota De Ipanema', 2, 1, 2, 'Vários', 279536, 9141343, 0.99),
            (21, 'Desafinado', 2, 2, 2, NULL, 185338, 6049003, 0.99),
            (30, 'Dirty Deeds (video)', 3, 3, 1, NULL, 5286953, 1059546140, 1.99),
            (31, 'TNT (one millisecond)', 3, 5, 1, NULL, 1, 1, 0.99);
        ",
    )
    .expect("fixture tables");
    path
}

#[test]
fn chinook_fixture_imports_artists_albums_tracks_and_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = chinook_fixture(dir.path());
    assert_eq!(imports::detect(&path), Some(ImportKind::Chinook));
    let control = JobControl::detached();
    let plan = chinook::read(&path, &control).expect("read");
    let c = plan.counts();
    // 'AC/DC' and 'ac/dc' are one artist; 'Nobody Yet' has no album but is an artist.
    assert_eq!(
        (c.artists, c.releases, c.tracks, c.formats),
        (3, 3, 6, 5),
        "{c:?}"
    );
    assert_eq!(
        c.total_duration_ms,
        343_719 + 205_662 + 279_536 + 185_338 + 5_286_953 + 1
    );
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);

    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let summary =
        imports::apply(&plan, &mut catalog, DuplicatePolicy::Skip, &control).expect("apply");
    assert_eq!(
        (
            summary.artists_added,
            summary.releases_added,
            summary.tracks_added
        ),
        (3, 3, 6)
    );
    let conn = catalog.conn();
    assert_eq!(count(conn, "artists"), 3);
    let sum: i64 = conn
        .query_row("SELECT sum(duration_ms) FROM tracks", [], |r| r.get(0))
        .expect("sum");
    assert_eq!(sum, 6_301_209, "durations are kept to the millisecond");

    let rock = release_id_by_title(conn, "For Those About To Rock We Salute You");
    let full = db::releases::load_full(conn, rock).expect("load");
    assert_eq!(full.release.release_type, ReleaseType::Album);
    assert_eq!(full.release.status, ReleaseStatus::Released);
    assert!(full.release.notes.contains("Genre: Rock"));
    assert_eq!(credit(conn, rock), "AC/DC");
    let positions: Vec<&str> = full.tracks.iter().map(|t| t.position.as_str()).collect();
    assert_eq!(positions, ["1", "2"]);
    assert_eq!(
        full.tracks[0].duration,
        Some(TrackDuration::from_millis(343_719))
    );
    assert_eq!(
        full.tracks[0].notes,
        "Composer: Angus Young, Malcolm Young, Brian Johnson"
    );
    assert_eq!(full.formats.len(), 1);
    assert_eq!(full.formats[0].kind, FormatKind::Digital);
    assert_eq!(full.formats[0].variant, "MPEG audio file");

    let brazil = release_id_by_title(conn, "Chill: Brazil (Disc 1)");
    let formats = db::formats::list_for_release(conn, brazil).expect("formats");
    let kinds: Vec<(FormatKind, &str)> = formats
        .iter()
        .map(|f| (f.kind, f.variant.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (FormatKind::Digital, "MPEG audio file"),
            (FormatKind::Digital, "Protected AAC audio file")
        ]
    );
    assert_eq!(credit(conn, brazil), "Antônio Carlos Jobim");

    let live = release_id_by_title(conn, "Live Bootleg");
    assert_eq!(credit(conn, live), "AC/DC", "artist 4 is AC/DC by name");
    let formats = db::formats::list_for_release(conn, live).expect("formats");
    assert_eq!(
        (formats[0].kind, formats[0].variant.as_str()),
        (FormatKind::Other, "Protected MPEG-4 video file")
    );
    assert_eq!(formats[1].kind, FormatKind::Digital);

    // The source file is untouched and a second import finds everything already there.
    let before = counts(&catalog);
    let again =
        imports::import_file(&path, &mut catalog, DuplicatePolicy::Skip, &control).expect("again");
    assert_eq!(
        (
            again.releases_skipped,
            again.artists_reused,
            again.releases_added
        ),
        (3, 3, 0)
    );
    assert_eq!(counts(&catalog), before);
}

#[test]
fn chinook_sample_when_present() {
    let Some(path) = shared_data("chinook/Chinook_Sqlite.sqlite") else {
        return;
    };
    let source = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open sample");
    let source_sum: i64 = source
        .query_row("SELECT sum(Milliseconds) FROM Track", [], |r| r.get(0))
        .expect("sum");
    let source_artists = count(&source, "Artist");
    let source_albums = count(&source, "Album");
    let source_tracks = count(&source, "Track");
    assert_eq!(imports::detect(&path), Some(ImportKind::Chinook));

    let dir = tempfile::tempdir().expect("tempdir");
    let mut catalog = Catalog::create(&dir.path().join("catalog.sqlite")).expect("catalog");
    let control = JobControl::detached();
    let started = Instant::now();
    let plan = chinook::read(&path, &control).expect("read");
    let read_time = started.elapsed();
    let summary =
        imports::apply(&plan, &mut catalog, DuplicatePolicy::Skip, &control).expect("apply");
    let total_time = started.elapsed();
    println!(
        "Chinook: read {read_time:?}, read + write {total_time:?}; {summary:?}; {} problems",
        plan.problems.len()
    );
    let conn = catalog.conn();
    assert_eq!(
        (source_artists, source_albums, source_tracks),
        (275, 347, 3503)
    );
    assert_eq!(count(conn, "artists"), 275);
    assert_eq!(count(conn, "releases"), 347);
    assert_eq!(count(conn, "tracks"), 3503);
    let sum: i64 = conn
        .query_row("SELECT sum(duration_ms) FROM tracks", [], |r| r.get(0))
        .expect("sum");
    assert_eq!(sum, source_sum);
    assert_eq!(sum, 1_378_778_040);
    let unknown: i64 = conn
        .query_row(
            "SELECT count(*) FROM formats WHERE kind = 'other' AND variant = 'Protected MPEG-4 video file'",
            [],
            |r| r.get(0),
        )
        .expect("video formats");
    assert!(unknown > 0);
    let not_released: i64 = conn
        .query_row(
            "SELECT count(*) FROM releases WHERE status <> 'released' OR release_type <> 'album'",
            [],
            |r| r.get(0),
        )
        .expect("status");
    assert_eq!(not_released, 0);
    // Source untouched: still the same sum when read again.
    let again: i64 = source
        .query_row("SELECT sum(Milliseconds) FROM Track", [], |r| r.get(0))
        .expect("sum again");
    assert_eq!(again, source_sum);
}

// ---------------------------------------------------------------------------------------
// Discogs

/// Two releases in the dump's layout (written for these tests, not taken from Discogs).
const DISCOGS_XML: &str = r#"<releases>
<release id="101" status="Accepted"><images><image type="primary" uri="" uri150="" width="600" height="600"/></images><artists><artist><id>7</id><name>Ada Lovelace (2)</name><anv/><join>&amp;</join><role/><tracks/></artist><artist><id>8</id><name>The Engines</name><anv/><join/><role/><tracks/></artist></artists><title>Analytical Engines</title><labels><label name="Harbour Lights (3)" catno="HLR 001" id="5"/><label name="Harbour Lights (3)" catno="none" id="5"/></labels><extraartists><artist><id>9</id><name>Grace Hopper</name><anv/><join/><role>Mastered By</role><tracks/></artist></extraartists><formats><format name="Vinyl" qty="2" text="Red"><descriptions><description>12"</description><description>Album</description></descriptions></format><format name="CD" qty="1" text=""><descriptions><description>Album</description></descriptions></format></formats><genres><genre>Electronic</genre></genres><styles><style>Techno</style></styles><country>UK</country><released>1999-03-00</released><notes>Pressed on red vinyl &amp; signed.&#13;
Second line.</notes><data_quality>Correct</data_quality><master_id is_main_release="true">11</master_id><tracklist><track><position>A1</position><title>N&#246;rrmalm</title><duration>4:45</duration></track><track><position>A2</position><title>Difference</title><duration>6:11</duration><sub_tracks><track><position>A2.a</position><title>Part One</title><duration>3:00</duration></track><track><position>A2.b</position><title>Part Two</title><duration/></track></sub_tracks></track><track><position>B1</position><title>Bernoulli</title><duration>61:07</duration><artists><artist><id>3</id><name>Guest (4)</name><anv/><join>,</join><role/><tracks/></artist><artist><id>4</id><name>Other Guest</name><anv/><join/><role/><tracks/></artist></artists></track><track><position>B. 2</position><title>Loom</title><duration>9:99</duration></track><track><position></position><title>Bonus Tracks</title><duration></duration></track></tracklist><identifiers><identifier type="Barcode" value="0 36000 24145 7 &gt;"/><identifier type="Barcode" description="Text" value="036000241457"/><identifier type="Barcode" value="123"/><identifier type="Barcode" value="5010017088439"/><identifier type="Matrix / Runout" value="HLR 001 A"/></identifiers><videos><video src="https://example.invalid/v" duration="296" embed="true"><title>Not the release title</title><description>x</description></video></videos><companies><company><id>1</id><name>Plant</name><catno/><entity_type>17</entity_type><entity_type_name>Pressed By</entity_type_name><resource_url>x</resource_url></company></companies></release>
<release id="102" status="Accepted"><artists><artist><id>194</id><name>Various</name><anv/><join/><role/><tracks/></artist></artists><title>Sampler &lt;One&gt;</title><labels><label name="Not On Label (Various Self-released)" catno="none" id="9"/></labels><formats><format name="File" qty="3" text=""><descriptions><description>MP3</description></descriptions></format></formats><released>2001-05-20</released><tracklist><track><position>1-1</position><title>Opener</title><duration>3:05</duration></track><track><position>1-2</position><title>Middle</title><duration>4:00</duration></track><track><position>2-1</position><title>Closer</title><duration>5:30</duration></track></tracklist><identifiers><identifier type="ISRC" value="GB-AYE-01-00001"/></identifiers></release>
</releases>
"#;

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("write fixture");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

#[test]
fn discogs_fixture_reads_every_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("releases.xml");
    write(&path, DISCOGS_XML.as_bytes());
    assert_eq!(imports::detect(&path), Some(ImportKind::Discogs));
    let control = JobControl::detached();
    let plan = discogs::read(&path, &control).expect("read");
    let (done, total, _) = control.snapshot();
    assert_eq!(done, total, "progress reaches the end of the file");
    assert_eq!(total, DISCOGS_XML.len() as u64);

    let c = plan.counts();
    assert_eq!(
        (
            c.releases,
            c.artists,
            c.labels,
            c.formats,
            c.tracks,
            c.barcodes,
            c.catalog_numbers
        ),
        (2, 2, 1, 3, 8, 2, 1),
        "{c:?}"
    );
    let problems: Vec<String> = plan.problems.iter().map(ToString::to_string).collect();
    let expected = [
        "releases.xml record 1 (release 101): barcode “123”: must be 12 digits (UPC-A) or 13 digits (EAN-13), found 3 digits: left out (only valid UPC-A / EAN-13 barcodes are kept)",
        "releases.xml record 1 (release 101): track “Loom”: duration “9:99”: seconds must be below 60",
        "releases.xml record 1 (release 101): 1 tracklist entry without a position: “Bonus Tracks”; imported as tracks (delete any that are headings)",
    ];
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    for (got, want) in problems.iter().zip(expected) {
        assert!(got.starts_with(want), "{got}\n  should start with\n{want}");
    }
    assert_eq!(plan.problems[0].field, "barcode");
    assert_eq!(plan.problems[1].field, "duration");

    let mut catalog = Catalog::open_in_memory().expect("catalog");
    imports::apply(&plan, &mut catalog, DuplicatePolicy::Skip, &control).expect("apply");
    let conn = catalog.conn();
    let id = release_id_by_title(conn, "Analytical Engines");
    let full = db::releases::load_full(conn, id).expect("load");
    assert_eq!(credit(conn, id), "Ada Lovelace & The Engines");
    assert_eq!(full.release.release_type, ReleaseType::Album);
    assert_eq!(full.release.status, ReleaseStatus::Released);
    assert_eq!(full.release.release_date, None);
    let notes = &full.release.notes;
    for line in [
        "Imported from Discogs release 101.",
        "Released: 1999-03",
        "Country: UK",
        "Genre: Electronic",
        "Style: Techno",
        "Pressed on red vinyl & signed.\r\nSecond line.",
    ] {
        assert!(notes.contains(line), "notes lack {line:?}: {notes:?}");
    }
    let label = db::labels::get(conn, full.release.label_id.expect("label")).expect("label");
    assert_eq!(label.name, "Harbour Lights");
    assert!(!label.is_own);
    let catnos: Vec<&str> = full.catnos.iter().map(|c| c.catno.as_str()).collect();
    assert_eq!(catnos, ["HLR 001"]);
    assert_eq!(full.catnos[0].label_id, Some(label.id));
    assert_eq!(full.formats.len(), 2);
    let vinyl = &full.formats[0];
    assert_eq!(
        (vinyl.kind, vinyl.discs, vinyl.variant.as_str()),
        (FormatKind::Vinyl12, 2, "Red")
    );
    assert_eq!(vinyl.display_name(), "2×12\" vinyl, Red");
    assert_eq!(
        vinyl.barcode.as_ref().map(Barcode::as_str),
        Some("036000241457")
    );
    assert!(
        vinyl
            .notes
            .contains("Discogs format: 2 × Vinyl (12\", Album)")
    );
    let cd = &full.formats[1];
    assert_eq!(
        (cd.kind, cd.barcode.as_ref().map(Barcode::as_str)),
        (FormatKind::Cd, Some("5010017088439"))
    );
    let tracks: Vec<(u16, &str, &str, Option<u32>)> = full
        .tracks
        .iter()
        .map(|t| {
            (
                t.disc,
                t.position.as_str(),
                t.title.as_str(),
                t.duration.map(TrackDuration::millis),
            )
        })
        .collect();
    assert_eq!(
        tracks,
        [
            (1, "A1", "Nörrmalm", Some(285_000)),
            (1, "A2", "Difference", Some(371_000)),
            (1, "B1", "Bernoulli", Some(3_667_000)),
            (1, "B2", "Loom", None),
            (1, "", "Bonus Tracks", None),
        ]
    );
    assert_eq!(
        full.tracks[1].notes,
        "Part A2.a: Part One (3:00)\nPart A2.b: Part Two"
    );
    assert_eq!(full.tracks[2].notes, "Artist: Guest, Other Guest");

    let id = release_id_by_title(conn, "Sampler <One>");
    let full = db::releases::load_full(conn, id).expect("load");
    assert!(full.artists.is_empty(), "“Various” is not an artist");
    assert_eq!(full.release.release_type, ReleaseType::Compilation);
    assert_eq!(full.release.label_id, None, "Not On Label is no label");
    assert!(full.catnos.is_empty(), "catno “none” is no catalog number");
    assert_eq!(
        full.release.release_date,
        chrono::NaiveDate::from_ymd_opt(2001, 5, 20)
    );
    assert!(
        full.release
            .notes
            .contains("ISRC on Discogs (not tied to a track): GB-AYE-01-00001")
    );
    assert_eq!(
        (
            full.formats[0].kind,
            full.formats[0].discs,
            full.formats[0].notes.starts_with("3 files")
        ),
        (FormatKind::Digital, 1, true)
    );
    let discs: Vec<(u16, &str)> = full
        .tracks
        .iter()
        .map(|t| (t.disc, t.position.as_str()))
        .collect();
    assert_eq!(discs, [(1, "1"), (1, "2"), (2, "1")]);
}

#[test]
fn discogs_gzip_and_single_record_files_read_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let control = JobControl::detached();
    let plain = dir.path().join("releases.xml");
    write(&plain, DISCOGS_XML.as_bytes());
    let gz = dir.path().join("releases.xml.gz");
    write(&gz, &gzip(DISCOGS_XML.as_bytes()));
    assert_eq!(imports::detect(&gz), Some(ImportKind::Discogs));
    let a = discogs::read(&plain, &control).expect("plain");
    let b = discogs::read(&gz, &control).expect("gz");
    assert_eq!(a.releases, b.releases);
    assert_eq!(a.problems, b.problems, "the .gz is named as the XML inside");

    // One <release> on its own, pretty-printed, as Discogs' single-record files are.
    let start = DISCOGS_XML.find("<release id=\"102\"").expect("second");
    let end = DISCOGS_XML.rfind("</releases>").expect("end");
    let single = DISCOGS_XML[start..end].replace("><", ">\n    <");
    let single_path = dir.path().join("release.xml");
    write(
        &single_path,
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{single}").as_bytes(),
    );
    assert_eq!(imports::detect(&single_path), Some(ImportKind::Discogs));
    let one = discogs::read(&single_path, &control).expect("single");
    assert_eq!(one.releases.len(), 1);
    assert_eq!(one.releases[0].release.title, "Sampler <One>");
    assert_eq!(one.releases[0].tracks.len(), 3);
    assert_eq!(
        one.releases[0].at.to_string(),
        "release.xml record 1 (release 102)"
    );
}

#[test]
fn discogs_xml_cut_in_half_is_refused_naming_the_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let control = JobControl::detached();
    let cut_at = DISCOGS_XML
        .find("<tracklist><track><position>1-1")
        .expect("cut point");
    let path = dir.path().join("releases.xml");
    write(&path, &DISCOGS_XML.as_bytes()[..cut_at]);
    let mut catalog = common::demo_catalog();
    let before = counts(&catalog);
    let err = imports::import_file(&path, &mut catalog, DuplicatePolicy::Merge, &control)
        .expect_err("cut short");
    assert!(matches!(err, ImportError::Malformed { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("releases.xml record 2 (release 102): the file ends in the middle"),
        "{msg}"
    );
    assert!(msg.ends_with("Nothing was imported."), "{msg}");
    assert_eq!(counts(&catalog), before);

    // A gzip cut in half: the decompressor stops early; the record is still named.
    let gz = dir.path().join("releases.xml.gz");
    let whole = gzip(DISCOGS_XML.as_bytes());
    write(&gz, &whole[..whole.len() / 2]);
    let err = imports::import_file(&gz, &mut catalog, DuplicatePolicy::Merge, &control)
        .expect_err("cut gzip");
    let msg = err.to_string();
    assert!(msg.starts_with("releases.xml record "), "{msg}");
    assert_eq!(counts(&catalog), before);

    // Broken XML (mismatched end tag) names the record too.
    let broken = DISCOGS_XML.replacen(
        "</title><labels><label name=\"Not On",
        "</titel><labels><label name=\"Not On",
        1,
    );
    write(&path, broken.as_bytes());
    let err = discogs::read(&path, &control).expect_err("broken");
    assert!(
        err.to_string()
            .starts_with("releases.xml record 2 (release 102): the XML is broken"),
        "{err}"
    );

    // Cancelled while reading: nothing is returned, nothing written.
    write(&path, DISCOGS_XML.as_bytes());
    let cancelled = JobControl::detached();
    cancelled.cancel();
    let err = imports::import_file(&path, &mut catalog, DuplicatePolicy::Skip, &cancelled)
        .expect_err("cancelled");
    assert!(matches!(err, ImportError::Cancelled(_)), "{err:?}");
    assert_eq!(counts(&catalog), before);
}

/// What the sample holds, counted from the decompressed text without an XML parser.
struct SampleFacts {
    releases: usize,
    /// Tracklist entries (`<track>` outside `<sub_tracks>`).
    tracks: usize,
    /// Entries with neither title nor position: nothing a catalog can store.
    empty_tracks: usize,
    /// Σ min(distinct valid barcodes, formats) over releases: barcodes that land on a format.
    barcodes_on_formats: usize,
    invalid_barcodes: usize,
    releases_with_extra_barcodes: usize,
}

fn gs1_valid(digits: &str) -> bool {
    if !(digits.len() == 12 || digits.len() == 13) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let (body, check) = values.split_at(values.len() - 1);
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10 == check[0]
}

fn attr(tag: &str, name: &str) -> String {
    let key = format!("{name}=\"");
    tag.find(&key)
        .and_then(|i| {
            let rest = &tag[i + key.len()..];
            rest.find('"').map(|j| rest[..j].to_owned())
        })
        .unwrap_or_default()
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&")
}

fn sample_facts(text: &str) -> SampleFacts {
    let mut facts = SampleFacts {
        releases: 0,
        tracks: text.matches("<track>").count(),
        empty_tracks: 0,
        barcodes_on_formats: 0,
        invalid_barcodes: 0,
        releases_with_extra_barcodes: 0,
    };
    // Sub-tracks are parts of a track, not tracks.
    let mut without_sub_tracks = String::with_capacity(text.len());
    for (i, chunk) in text.split("<sub_tracks>").enumerate() {
        let outside = if i == 0 {
            chunk
        } else {
            let inside = chunk.split("</sub_tracks>").next().unwrap_or("");
            facts.tracks -= inside.matches("<track>").count();
            chunk
                .split_once("</sub_tracks>")
                .map_or("", |(_, rest)| rest)
        };
        without_sub_tracks.push_str(outside);
    }
    for entry in without_sub_tracks.split("<track>").skip(1) {
        let entry = entry.split("</track>").next().unwrap_or("");
        let empty = |field: &str| {
            entry.contains(&format!("<{field}/>"))
                || entry.contains(&format!("<{field}></{field}>"))
        };
        if empty("position") && empty("title") {
            facts.empty_tracks += 1;
        }
    }
    for release in text.split("<release ").skip(1) {
        facts.releases += 1;
        let formats = release.matches("<format ").count();
        let mut codes: Vec<String> = Vec::new();
        for piece in release.split("<identifier ").skip(1) {
            let tag = piece.split("/>").next().unwrap_or("");
            if attr(tag, "type") != "Barcode" {
                continue;
            }
            let value = attr(tag, "value");
            let digits: String = value
                .trim()
                .trim_matches(|c| c == '>' || c == '<')
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect();
            if gs1_valid(&digits) {
                let ean = format!("{digits:0>13}");
                if !codes.contains(&ean) {
                    codes.push(ean);
                }
            } else {
                facts.invalid_barcodes += 1;
            }
        }
        facts.barcodes_on_formats += codes.len().min(formats);
        if codes.len() > formats {
            facts.releases_with_extra_barcodes += 1;
        }
    }
    facts
}

#[test]
fn discogs_sample_when_present() {
    let Some(path) = shared_data("discogs-xml-sample/discogs_20200806_releases.xml.gz") else {
        return;
    };
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("open")),
        &mut text,
    )
    .expect("decompress");
    let facts = sample_facts(&text);
    assert_eq!((facts.releases, facts.tracks), (1000, 9178));
    assert_eq!(facts.empty_tracks, 20);

    assert_eq!(imports::detect(&path), Some(ImportKind::Discogs));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut catalog = Catalog::create(&dir.path().join("catalog.sqlite")).expect("catalog");
    let control = JobControl::detached();
    let started = Instant::now();
    let plan = discogs::read(&path, &control).expect("read");
    let read_time = started.elapsed();
    let c = plan.counts();
    // Every tracklist entry is a track, except the empty ones, which are reported.
    assert_eq!(
        (c.releases, c.tracks),
        (1000, facts.tracks - facts.empty_tracks),
        "{c:?}"
    );
    let empty_reported = plan
        .problems
        .iter()
        .filter(|p| p.message.starts_with("an empty tracklist entry"))
        .count();
    assert_eq!(empty_reported, facts.empty_tracks);
    assert_eq!(c.barcodes, facts.barcodes_on_formats);
    let left_out = plan
        .problems
        .iter()
        .filter(|p| p.field == "barcode" && p.message.contains("left out"))
        .count();
    assert_eq!(left_out, facts.invalid_barcodes);
    let extra = plan
        .problems
        .iter()
        .filter(|p| p.message.starts_with("more barcodes than formats"))
        .count();
    assert_eq!(extra, facts.releases_with_extra_barcodes);
    let summary =
        imports::apply(&plan, &mut catalog, DuplicatePolicy::Skip, &control).expect("apply");
    println!(
        "Discogs sample: read {read_time:?}, read + write {:?}; {c:?}; {summary:?}; \
         {} invalid barcodes, {} barcodes on formats, {} problems",
        started.elapsed(),
        facts.invalid_barcodes,
        facts.barcodes_on_formats,
        plan.problems.len()
    );
    let mut by_field = std::collections::BTreeMap::new();
    for p in &plan.problems {
        *by_field.entry(p.field.as_str()).or_insert(0) += 1;
    }
    println!("Discogs sample problems by field: {by_field:?}");
    for p in plan
        .problems
        .iter()
        .filter(|p| p.field != "barcode" && !p.message.contains("without a position"))
        .take(12)
    {
        println!("  {p}");
    }
    let conn = catalog.conn();
    assert_eq!(count(conn, "releases"), 1000);
    assert_eq!(count(conn, "tracks"), 9158);
    let with_barcode: i64 = conn
        .query_row(
            "SELECT count(*) FROM formats WHERE barcode IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .expect("barcodes");
    assert_eq!(
        with_barcode,
        i64::try_from(facts.barcodes_on_formats).expect("fits")
    );

    // Release 1: The Persuader "Stockholm", Svek SK032, 2×12" vinyl, 6 tracks A..D.
    let id = release_id_by_title(conn, "Stockholm");
    let full = db::releases::load_full(conn, id).expect("release 1");
    assert!(
        full.release
            .notes
            .starts_with("Imported from Discogs release 1.")
    );
    assert_eq!(credit(conn, id), "The Persuader");
    let label = db::labels::get(conn, full.release.label_id.expect("label")).expect("label");
    assert_eq!(label.name, "Svek");
    let catnos: Vec<&str> = full.catnos.iter().map(|c| c.catno.as_str()).collect();
    assert_eq!(catnos, ["SK032"]);
    assert_eq!(full.formats.len(), 1);
    assert_eq!(
        (full.formats[0].kind, full.formats[0].discs),
        (FormatKind::Vinyl12, 2)
    );
    let positions: Vec<&str> = full.tracks.iter().map(|t| t.position.as_str()).collect();
    assert_eq!(positions, ["A", "B1", "B2", "C1", "C2", "D"]);
    assert_eq!(full.tracks[0].title, "Östermalm");
    assert_eq!(
        full.tracks[0].duration,
        Some(TrackDuration::from_millis(285_000))
    );
    assert!(full.release.notes.contains("Released: 1999-03"));

    // Release 3: Josh Wink "Profound Sounds Vol. 1", Ruffhouse CK 63628, CD, 074646362822.
    let id = release_id_by_title(conn, "Profound Sounds Vol. 1");
    let full = db::releases::load_full(conn, id).expect("release 3");
    assert_eq!(credit(conn, id), "Josh Wink");
    let label = db::labels::get(conn, full.release.label_id.expect("label")).expect("label");
    assert_eq!(label.name, "Ruffhouse Records");
    let catnos: Vec<&str> = full.catnos.iter().map(|c| c.catno.as_str()).collect();
    assert_eq!(catnos, ["CK 63628"]);
    assert_eq!(full.formats.len(), 1);
    assert_eq!(full.formats[0].kind, FormatKind::Cd);
    assert_eq!(
        full.formats[0].barcode.as_ref().map(Barcode::as_str),
        Some("074646362822")
    );
    assert_eq!(
        full.release.release_date,
        chrono::NaiveDate::from_ymd_opt(1999, 7, 13)
    );
    assert_eq!(full.tracks.len(), 14);

    // Release 2 lists its catalog number twice as printed ("SK 026", "SK026"): both kept.
    let id = release_id_by_title(conn, "Knockin' Boots (Vol 2 Of 2)");
    let catnos: Vec<String> = db::catnos::list_for_release(conn, id)
        .expect("catnos")
        .into_iter()
        .map(|c| c.catno.as_str().to_owned())
        .collect();
    assert_eq!(catnos, ["SK 026", "SK026"]);

    // Importing the sample again finds every release by its identifiers or artist and title.
    let before = counts(&catalog);
    let again =
        imports::apply(&plan, &mut catalog, DuplicatePolicy::Skip, &control).expect("again");
    assert_eq!(again.releases_added, 0, "{again:?}");
    assert_eq!(again.releases_skipped, 1000);
    assert_eq!(counts(&catalog), before);
}

#[test]
fn discogs_single_sample_when_present() {
    let Some(path) = shared_data("discogs-xml-sample/single/release.xml") else {
        return;
    };
    assert_eq!(imports::detect(&path), Some(ImportKind::Discogs));
    let plan = discogs::read(&path, &JobControl::detached()).expect("read");
    assert_eq!(plan.releases.len(), 1);
    let r = &plan.releases[0];
    assert_eq!(r.release.title, "Profound Sounds Vol. 1");
    assert_eq!(r.at.to_string(), "release.xml record 1 (release 3)");
    assert_eq!(r.catnos[0].catno.as_str(), "CK 63628");
    assert_eq!(
        r.formats[0].barcode.as_ref().map(Barcode::as_str),
        Some("074646362822")
    );
}

// ---------------------------------------------------------------------------------------
// Spreadsheet

/// One row per track; a BOM, Unicode, quoted commas and a quoted line break; a broken row.
const SHEET: &str = "\u{feff}Cat No,Artist,Album,Title,#,Length,ISRC,UPC,Format,Release date,Price
HLR101,Sigur Ørkestra,\"Hello, Goodbye\",Første sang,A1,3:45,GB-AYE-26-00001,036000241457,LP,2026-03-06,24.99
HLR101,Sigur Ørkestra,\"Hello, Goodbye\",\"Second, with a comma\",A2,4:10,GBAYE2600002,036000241457,LP,2026-03-06,\"24,99\"
HLR101,Sigur Ørkestra,\"Hello, Goodbye\",日本の歌,B1,5:00,GBAYE2600003,,CD,2026-03-06,12.00
,,,Continuation,B2,2:01,,,,,
HLR102,Dana Okafor,Soul Sides,Broken,row,with,an,unquoted,comma,here,x,y
HLR102,Dana Okafor,Soul Sides,\"Two
lines\",1,3:60,XX123,123,\"7\"\"\",2026-04-03,8.99
hlr102,Dana Okafor,Soul Sides,Track Two,2,2:30,,,\"7\"\"\",2026-04-03,8.99
";

#[test]
fn spreadsheet_rows_group_into_releases_with_problems_by_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("my catalog.csv");
    write(&path, SHEET.as_bytes());
    assert_eq!(imports::detect(&path), Some(ImportKind::Spreadsheet));
    let table = spreadsheet::read_table(&path).expect("table");
    assert_eq!(table.delimiter, b',');
    assert_eq!(
        table.headers[0], "Cat No",
        "the BOM is not part of the header"
    );
    assert_eq!(table.rows.len(), 6);
    let mapping = spreadsheet::suggest_mapping(&table.headers);
    assert_eq!(mapping.column(spreadsheet::Field::Title), Some("Album"));
    assert_eq!(
        mapping.column(spreadsheet::Field::TrackTitle),
        Some("Title")
    );

    let preview = spreadsheet::preview(&table, &mapping, 3).expect("preview");
    assert_eq!(preview.total_rows, 6);
    assert_eq!(preview.rows.len(), 3);
    assert_eq!(preview.rows[0].line, 2);
    assert_eq!(preview.rows[0].title, "Hello, Goodbye");
    assert_eq!(preview.rows[0].track_title, "Første sang");
    assert_eq!(
        preview.rows[0].isrc.as_ref().map(Isrc::as_str),
        Some("GBAYE2600001")
    );
    assert_eq!(preview.rows[1].track_title, "Second, with a comma");
    assert_eq!(preview.rows[2].track_title, "日本の歌");
    let problems: Vec<String> = preview.problems.iter().map(ToString::to_string).collect();
    let expected = [
        "my catalog.csv line 6: the row has 12 cells but the header has 11 columns",
        "my catalog.csv line 7: duration “3:60”: seconds must be below 60",
        "my catalog.csv line 7: ISRC “XX123”:",
        "my catalog.csv line 7: barcode “123”:",
    ];
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    for want in expected {
        assert!(
            problems.iter().any(|p| p.starts_with(want)),
            "no problem starts with {want:?}: {problems:#?}"
        );
    }

    let control = JobControl::detached();
    let plan = spreadsheet::plan(&table, &mapping, &control).expect("plan");
    assert_eq!(
        plan.releases.len(),
        2,
        "grouped by catalog number (any case)"
    );
    let hello = &plan.releases[0];
    assert_eq!(hello.at.to_string(), "my catalog.csv line 2");
    assert_eq!(hello.release.title, "Hello, Goodbye");
    assert_eq!(
        hello.release.release_date,
        chrono::NaiveDate::from_ymd_opt(2026, 3, 6)
    );
    let titles: Vec<&str> = hello.tracks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Første sang",
            "Second, with a comma",
            "日本の歌",
            "Continuation"
        ]
    );
    let formats: Vec<(FormatKind, Option<&str>, Option<i64>)> = hello
        .formats
        .iter()
        .map(|f| {
            (
                f.kind,
                f.barcode.as_ref().map(Barcode::as_str),
                f.retail_price,
            )
        })
        .collect();
    assert_eq!(
        formats,
        [
            (FormatKind::Vinyl12, Some("036000241457"), Some(2499)),
            (FormatKind::Cd, None, Some(1200)),
        ]
    );
    let soul = &plan.releases[1];
    assert_eq!(soul.tracks.len(), 2);
    assert_eq!(soul.tracks[0].title, "Two\nlines");
    assert_eq!(soul.tracks[0].duration, None);
    assert_eq!(soul.tracks[0].isrc, None);
    assert_eq!(soul.tracks[0].notes, "ISRC as given: XX123");
    assert_eq!(soul.formats.len(), 1);
    assert_eq!(soul.formats[0].kind, FormatKind::Vinyl7);
    assert_eq!(soul.catnos.len(), 1);

    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let preview = imports::preview(&plan, catalog.conn()).expect("preview");
    assert!(preview.duplicates.is_empty());
    assert_eq!(preview.counts.tracks, 6);
    let summary =
        imports::apply(&plan, &mut catalog, DuplicatePolicy::Skip, &control).expect("apply");
    assert_eq!(
        (
            summary.releases_added,
            summary.tracks_added,
            summary.problems
        ),
        (2, 6, 4)
    );
    let conn = catalog.conn();
    let id = release_id_by_title(conn, "Hello, Goodbye");
    assert_eq!(credit(conn, id), "Sigur Ørkestra");
    let hits = db::search::search(conn, "Ørkestra", 10).expect("search");
    assert!(!hits.is_empty(), "imported artists are found by search");

    // The same file again: both releases are found by catalog number and skipped.
    let before = counts(&catalog);
    let again =
        imports::import_file(&path, &mut catalog, DuplicatePolicy::Skip, &control).expect("again");
    assert_eq!((again.releases_skipped, again.releases_added), (2, 0));
    assert_eq!(counts(&catalog), before);
}

#[test]
fn spreadsheet_without_a_required_column_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tracks.csv");
    write(
        &path,
        "Artist;Track;Length\nGrey Heron;Pylons;3:01\n".as_bytes(),
    );
    let table = spreadsheet::read_table(&path).expect("table");
    assert_eq!(table.delimiter, b';');
    let mapping = spreadsheet::suggest_mapping(&table.headers);
    let err = spreadsheet::plan(&table, &mapping, &JobControl::detached()).expect_err("no title");
    assert_eq!(
        err.to_string(),
        "tracks.csv has no column for “Title” (its columns are: Artist, Track, Length). Choose \
         the column to use in the column mapping. Nothing was imported."
    );
    assert!(spreadsheet::preview(&table, &mapping, 10).is_err());

    let catalog_path = dir.path().join("catalog.sqlite");
    let mut catalog = Catalog::create(&catalog_path).expect("catalog");
    catalog
        .write(|tx| labeldesk::demo::create(tx, common::today()))
        .expect("demo");
    let before = counts(&catalog);
    let err = imports::import_file(
        &path,
        &mut catalog,
        DuplicatePolicy::Merge,
        &JobControl::detached(),
    )
    .expect_err("refused");
    assert!(matches!(err, ImportError::MissingColumn { ref column, .. } if column == "Title"));
    assert_eq!(counts(&catalog), before);

    // A saved mapping naming a column this file does not have is refused the same way.
    let mut saved = spreadsheet::ColumnMapping::default();
    saved.set(spreadsheet::Field::Title, Some("Track"));
    saved.set(spreadsheet::Field::CatalogNumber, Some("Cat No"));
    let err = spreadsheet::plan(&table, &saved, &JobControl::detached()).expect_err("no Cat No");
    assert!(
        err.to_string()
            .starts_with("tracks.csv has no column for “Cat No”"),
        "{err}"
    );
}

#[test]
fn spreadsheet_per_release_rows_tab_separated_group_by_artist_and_title() {
    let sheet = "Artist\tRelease\tFormat\tEAN\tYear\tType\tStatus\n\
                 Marisol Vega\tGlass Orchard\tLP\t5010017088439\t2019\tAlbum\tout of print\n\
                 marisol vega\tglass orchard\tCassette\t\t2019\tAlbum\t\n\
                 Marisol Vega\tSingles\t7\"\t\t2019-05-31\tsingle\t\n\
                 Marisol Vega\tLater\tDigital\t\t2999-01-01\tEP\t\n\
                 \t\t\t\t\t\t\n";
    let table = spreadsheet::parse_table(sheet.as_bytes(), "releases.tsv").expect("table");
    assert_eq!(table.delimiter, b'\t');
    let mapping = spreadsheet::suggest_mapping(&table.headers);
    let plan = spreadsheet::plan(&table, &mapping, &JobControl::detached()).expect("plan");
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert_eq!(plan.releases.len(), 3);
    let orchard = &plan.releases[0];
    assert_eq!(orchard.release.release_type, ReleaseType::Album);
    assert_eq!(orchard.release.status, ReleaseStatus::OutOfPrint);
    assert_eq!(orchard.release.notes, "Released: 2019");
    let kinds: Vec<FormatKind> = orchard.formats.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FormatKind::Vinyl12, FormatKind::Cassette]);
    assert!(orchard.tracks.is_empty());
    let singles = &plan.releases[1];
    assert_eq!(singles.release.release_type, ReleaseType::Single);
    assert_eq!(
        singles.release.status,
        ReleaseStatus::Released,
        "no status: released, its date has passed"
    );
    assert_eq!(
        singles.release.release_date,
        chrono::NaiveDate::from_ymd_opt(2019, 5, 31)
    );
    let later = &plan.releases[2];
    assert_eq!(
        (
            later.release.status,
            later.release.release_type,
            later.formats[0].kind
        ),
        (ReleaseStatus::Planned, ReleaseType::Ep, FormatKind::Digital),
        "a date still to come: planned"
    );
    assert_eq!(plan.artists().len(), 1);
}

#[test]
fn spreadsheet_that_is_not_utf8_is_refused_with_its_line() {
    let mut bytes = b"Title,Artist\nOne,A\nCaf".to_vec();
    bytes.push(0xE9); // Latin-1 é
    bytes.extend_from_slice(b",B\n");
    let err = spreadsheet::parse_table(&bytes, "latin1.csv").expect_err("not UTF-8");
    assert!(
        err.to_string()
            .starts_with("latin1.csv line 3: the text is not UTF-8"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// The plan: duplicates, skip and merge, one transaction

fn at(line: u64) -> Location {
    Location::line("plan.csv", line)
}

/// A demo release with a catalog number, formats with barcodes and tracks with ISRCs.
fn demo_release(catalog: &Catalog) -> db::releases::ReleaseFull {
    let id: ReleaseId = catalog
        .conn()
        .query_row(
            "SELECT r.id FROM releases r WHERE EXISTS (SELECT 1 FROM catalog_numbers c WHERE c.release_id = r.id)
               AND (SELECT count(*) FROM tracks t WHERE t.release_id = r.id AND t.isrc IS NOT NULL) >= 4
             ORDER BY r.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a demo release");
    db::releases::load_full(catalog.conn(), id).expect("load")
}

#[test]
fn duplicates_are_found_by_catalog_number_barcode_and_isrc() {
    let mut catalog = common::demo_catalog();
    // A UPC-A release, to be matched by its EAN-13 form.
    let upc_release = catalog
        .write(|tx| {
            let id = db::releases::insert(tx, &Release::new("Barcode Only"))?;
            let mut f = Format::new(id, FormatKind::Cd);
            f.barcode = Some(Barcode::parse("036000241457")?);
            db::formats::insert(tx, &f)?;
            Ok(id)
        })
        .expect("upc release");
    let existing = demo_release(&catalog);
    let mut plan = ImportPlan::new("plan.csv");

    // 0: same catalog number, any case.
    let mut by_catno = PlanRelease::new(at(2), Release::new("Renamed"));
    by_catno.catnos.push(PlanCatno {
        catno: CatalogNumber::parse(&existing.catnos[0].catno.as_str().to_lowercase())
            .expect("catno"),
        label: None,
        format: None,
    });
    plan.push_release(by_catno);
    // 1: the EAN-13 form of a UPC-A.
    let mut by_barcode = PlanRelease::new(at(3), Release::new("Something else"));
    let mut f = Format::new(ReleaseId::UNSAVED, FormatKind::Cd);
    f.barcode = Some(Barcode::parse("0036000241457").expect("ean"));
    by_barcode.formats.push(f);
    plan.push_release(by_barcode);
    // 2: all of the release's ISRCs, under another title.
    let mut by_isrc = PlanRelease::new(at(4), Release::new("Deluxe edition"));
    for t in &existing.tracks {
        by_isrc.tracks.push(t.clone());
    }
    plan.push_release(by_isrc);
    // 3: one shared ISRC under another title (a single off the album): not a duplicate.
    let mut single = PlanRelease::new(at(5), Release::new("The Single"));
    single.tracks.push(existing.tracks[0].clone());
    plan.push_release(single);
    // 4: nothing in common.
    plan.push_release(PlanRelease::new(at(6), Release::new("Brand New")));

    let preview = imports::preview(&plan, catalog.conn()).expect("preview");
    let found: Vec<(usize, ReleaseId)> = preview
        .duplicates
        .iter()
        .map(|d| (d.release, d.existing))
        .collect();
    assert_eq!(
        found,
        [
            (0, existing.release.id),
            (1, upc_release),
            (2, existing.release.id)
        ]
    );
    assert!(matches!(
        preview.duplicates[0].matched[0],
        MatchedBy::CatalogNumber(_)
    ));
    assert_eq!(
        preview.duplicates[1].matched,
        [MatchedBy::Barcode("0036000241457".to_owned())]
    );
    assert_eq!(
        preview.duplicates[2].matched.len(),
        existing.tracks.iter().filter(|t| t.isrc.is_some()).count()
    );
    assert_eq!(preview.duplicates[0].existing_title, existing.release.title);

    let before = counts(&catalog);
    let summary = imports::apply(
        &plan,
        &mut catalog,
        DuplicatePolicy::Skip,
        &JobControl::detached(),
    )
    .expect("apply");
    assert_eq!((summary.releases_skipped, summary.releases_added), (3, 2));
    let after = counts(&catalog);
    assert_eq!(after[2], before[2] + 2, "two releases added");
    let unchanged = db::releases::load_full(catalog.conn(), existing.release.id).expect("load");
    assert_eq!(
        unchanged, existing,
        "Skip leaves the existing release alone"
    );
}

#[test]
fn merge_fills_what_the_existing_release_lacks() {
    let mut catalog = common::demo_catalog();
    let existing = demo_release(&catalog);
    // Make room to fill: no notes on the release.
    catalog
        .write(|tx| {
            db::releases::update(
                tx,
                &Release {
                    notes: String::new(),
                    ..existing.release.clone()
                },
            )
        })
        .expect("clear notes");
    let mut plan = ImportPlan::new("plan.csv");
    let key = plan
        .add_artist(Artist::new("SOMEONE NEW"), &at(2))
        .expect("artist");
    let mut planned = PlanRelease::new(at(2), Release::new("Another title"));
    planned.release.notes = "From the label's old spreadsheet".to_owned();
    planned.credits.push(PlanCredit {
        artist: key,
        role: ArtistRole::Primary,
    });
    planned.catnos.push(PlanCatno {
        catno: existing.catnos[0].catno.clone(),
        label: None,
        format: None,
    });
    planned.catnos.push(PlanCatno {
        catno: CatalogNumber::parse("ALT-1").expect("catno"),
        label: None,
        format: None,
    });
    // The existing first format again (same barcode), and a new cassette.
    planned.formats.push(existing.formats[0].clone());
    let mut tape = Format::new(ReleaseId::UNSAVED, FormatKind::Cassette);
    tape.barcode = Some(Barcode::from_body("501001708843").expect("barcode"));
    tape.pressed_quantity = Some(100);
    planned.formats.push(tape);
    // The existing first track (same position, another title), and a new one.
    let mut first = Track::new(ReleaseId::UNSAVED, 0, "Retitled");
    first.position = existing.tracks[0].position.clone();
    first.duration = Some(TrackDuration::from_millis(1));
    planned.tracks.push(first);
    let mut bonus = Track::new(ReleaseId::UNSAVED, 1, "Bonus");
    bonus.position = "Z9".to_owned();
    planned.tracks.push(bonus);
    plan.push_release(planned);

    let summary = imports::apply(
        &plan,
        &mut catalog,
        DuplicatePolicy::Merge,
        &JobControl::detached(),
    )
    .expect("merge");
    assert_eq!(
        (
            summary.releases_merged,
            summary.formats_added,
            summary.tracks_added,
            summary.catalog_numbers_added
        ),
        (1, 1, 1, 1)
    );
    let merged = db::releases::load_full(catalog.conn(), existing.release.id).expect("load");
    assert_eq!(
        merged.release.title, existing.release.title,
        "not overwritten"
    );
    assert_eq!(merged.release.notes, "From the label's old spreadsheet");
    assert_eq!(merged.artists, existing.artists, "credits kept");
    assert_eq!(merged.formats.len(), existing.formats.len() + 1);
    assert_eq!(
        merged.formats.last().map(|f| f.kind),
        Some(FormatKind::Cassette)
    );
    assert_eq!(merged.tracks.len(), existing.tracks.len() + 1);
    assert_eq!(
        merged.tracks[0], existing.tracks[0],
        "an existing track is not overwritten"
    );
    let bonus = merged.tracks.last().expect("bonus");
    assert_eq!(
        (bonus.title.as_str(), bonus.position.as_str()),
        ("Bonus", "Z9")
    );
    assert!(bonus.seq > existing.tracks.last().expect("last").seq);
    let catnos: Vec<&str> = merged.catnos.iter().map(|c| c.catno.as_str()).collect();
    assert_eq!(catnos, [existing.catnos[0].catno.as_str(), "ALT-1"]);
}

#[test]
fn artists_and_labels_are_reused_by_name_ignoring_case() {
    let mut catalog = common::demo_catalog();
    let mut plan = ImportPlan::new("plan.csv");
    let low = plan
        .add_artist(Artist::new("the low  TIDES"), &at(2))
        .expect("artist");
    let new = plan
        .add_artist(Artist::new("Brand New Band"), &at(3))
        .expect("artist");
    let label = plan
        .add_label(
            labeldesk::model::Label::new("harbour lights records"),
            &at(2),
        )
        .expect("label");
    let mut r = PlanRelease::new(at(2), Release::new("Reunion"));
    r.label = Some(label);
    r.credits = vec![
        PlanCredit {
            artist: low,
            role: ArtistRole::Primary,
        },
        PlanCredit {
            artist: new,
            role: ArtistRole::Featured,
        },
    ];
    plan.push_release(r);
    let preview = imports::preview(&plan, catalog.conn()).expect("preview");
    assert_eq!((preview.existing_artists, preview.existing_labels), (1, 1));
    let artists_before = count(catalog.conn(), "artists");
    let labels_before = count(catalog.conn(), "labels");
    let summary = imports::apply(
        &plan,
        &mut catalog,
        DuplicatePolicy::Skip,
        &JobControl::detached(),
    )
    .expect("apply");
    assert_eq!(
        (
            summary.artists_reused,
            summary.artists_added,
            summary.labels_reused,
            summary.labels_added
        ),
        (1, 1, 1, 0)
    );
    let conn = catalog.conn();
    assert_eq!(count(conn, "artists"), artists_before + 1);
    assert_eq!(count(conn, "labels"), labels_before);
    let id = release_id_by_title(conn, "Reunion");
    assert_eq!(credit(conn, id), "The Low Tides");
    let own = db::labels::own(conn).expect("own").expect("label");
    assert_eq!(
        db::releases::get(conn, id).expect("get").label_id,
        Some(own.id)
    );
}

#[test]
fn an_error_or_a_cancel_writes_nothing() {
    let mut catalog = common::demo_catalog();
    let before = counts(&catalog);
    let mut plan = ImportPlan::new("plan.csv");
    let key = plan
        .add_artist(Artist::new("Fresh Face"), &at(2))
        .expect("artist");
    for (line, title) in [(2, "One"), (3, "Two"), (4, "Three")] {
        let mut r = PlanRelease::new(at(line), Release::new(title));
        r.credits.push(PlanCredit {
            artist: key.clone(),
            role: ArtistRole::Primary,
        });
        r.tracks.push(Track::new(ReleaseId::UNSAVED, 0, "A song"));
        plan.push_release(r);
    }

    let cancelled = JobControl::detached();
    cancelled.cancel();
    let err = imports::apply(&plan, &mut catalog, DuplicatePolicy::Skip, &cancelled)
        .expect_err("cancelled");
    assert_eq!(err.to_string(), "import cancelled: nothing was changed");
    assert_eq!(counts(&catalog), before);

    // The third release cannot be written (a disc number the catalog refuses, set behind the
    // plan's back): the first two and the new artist are rolled back with it.
    plan.releases[2].tracks[0].disc = 0;
    let err = imports::apply(
        &plan,
        &mut catalog,
        DuplicatePolicy::Skip,
        &JobControl::detached(),
    )
    .expect_err("refused");
    let msg = err.to_string();
    assert!(
        msg.starts_with("“Three” (plan.csv line 4) could not be written: disc:"),
        "{msg}"
    );
    assert!(msg.ends_with("Nothing was imported."), "{msg}");
    assert_eq!(counts(&catalog), before);
}

#[test]
fn detect_recognises_each_kind_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let chinook = chinook_fixture(d);
    let xml = d.join("dump.xml");
    write(&xml, DISCOGS_XML.as_bytes());
    let csv = d.join("sheet.CSV");
    write(&csv, b"Title\tArtist\nA\tB\n");
    assert_eq!(imports::detect(&chinook), Some(ImportKind::Chinook));
    assert_eq!(imports::detect(&xml), Some(ImportKind::Discogs));
    assert_eq!(imports::detect(&csv), Some(ImportKind::Spreadsheet));

    let catalog = d.join("catalog.sqlite");
    drop(Catalog::create(&catalog).expect("catalog"));
    let other_xml = d.join("feed.xml");
    write(&other_xml, b"<?xml version=\"1.0\"?><rss><channel/></rss>");
    let jpeg = d.join("cover.csv");
    write(&jpeg, &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]);
    let one_column = d.join("notes.txt");
    write(&one_column, b"just some notes\n");
    for path in [
        catalog,
        other_xml,
        jpeg,
        one_column,
        d.join("missing.csv"),
        d.to_path_buf(),
    ] {
        assert_eq!(imports::detect(&path), None, "{}", path.display());
    }
    let mut target = Catalog::open_in_memory().expect("catalog");
    let err = imports::import_file(
        &d.join("feed.xml"),
        &mut target,
        DuplicatePolicy::Skip,
        &JobControl::detached(),
    )
    .expect_err("not importable");
    assert!(matches!(err, ImportError::NotRecognised { .. }));
    assert!(
        err.to_string().contains("feed.xml cannot be imported"),
        "{err}"
    );
}
