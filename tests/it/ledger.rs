//! The sales ledger: report imports from fixtures written here in the exact column layouts of
//! DistroKid, TuneCore, CD Baby and Bandcamp (non-ASCII artists, lower-case ISRCs, invalid
//! UPCs, fractions of a cent), control totals to the 10⁻⁸, refusals, duplicate files, saved
//! column mappings, remembered line mappings, matching order, the CLI, and the real anonymised
//! files in ../shared/data/royalty-statements/trackshift/ when they are present.

use std::path::{Path, PathBuf};
use std::time::Instant;

use labeldesk::db::Catalog;
use labeldesk::db::ledger::{self, IncomeGroup};
use labeldesk::io::reports::{
    self, ColumnMapping, DateOrder, ReportError, import_file, parse_file, prepare, sales_import_cli,
};
use labeldesk::jobs::JobControl;
use labeldesk::model::{
    Amount8, Artist, ArtistRole, Barcode, CatalogNumber, Channel, Currency, Format, FormatKind,
    Isrc, Label, LineFlags, MatchMapping, MatchedBy, Rate, Release, ReleaseArtist,
    ReleaseCatalogNumber, ReleaseId, Track, TrackId,
};
use labeldesk::undo::{Change, Edit, History};

struct Seeded {
    catalog: Catalog,
    hier: ReleaseId,
    aube: TrackId,
    second: TrackId,
    bc: ReleaseId,
}

/// A label in GBP with "Tøilette & Café" (release "Hier": barcode 036000241457, catalog
/// number HLR001, tracks "Hier, à l'aube" GBAYE2600001 and "Second Song" GBAYE2600002) and
/// "Person 1" (release "Other Record" with a track titled "Second Song").
fn seeded() -> Seeded {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let ids = catalog
        .write(|tx| {
            let label = labeldesk::db::labels::insert(
                tx,
                &Label {
                    name: "Hollow Lane".into(),
                    is_own: true,
                    currency: Currency::GBP,
                    ..Label::default()
                },
            )?;
            let artist = labeldesk::db::artists::insert(tx, &Artist::new("Tøilette & Café"))?;
            let person = labeldesk::db::artists::insert(tx, &Artist::new("Person 1"))?;
            let mut release = Release::new("Hier");
            release.label_id = Some(label);
            let hier = labeldesk::db::releases::insert(tx, &release)?;
            labeldesk::db::releases::set_artists(
                tx,
                hier,
                &[ReleaseArtist {
                    artist_id: artist,
                    role: ArtistRole::Primary,
                }],
            )?;
            let mut format = Format::new(hier, FormatKind::Digital);
            format.barcode = Some(Barcode::parse("036000241457")?);
            labeldesk::db::formats::insert(tx, &format)?;
            labeldesk::db::catnos::insert(
                tx,
                hier,
                &ReleaseCatalogNumber {
                    id: labeldesk::model::CatalogNumberId::UNSAVED,
                    label_id: Some(label),
                    format_id: None,
                    catno: CatalogNumber::parse("HLR001")?,
                },
            )?;
            let mut aube = Track::new(hier, 0, "Hier, à l'aube");
            aube.isrc = Some(Isrc::parse("GBAYE2600001")?);
            let aube = labeldesk::db::tracks::insert(tx, &aube)?;
            let mut second = Track::new(hier, 1, "Second Song");
            second.isrc = Some(Isrc::parse("GBAYE2600002")?);
            let second = labeldesk::db::tracks::insert(tx, &second)?;
            let bc = labeldesk::db::releases::insert(tx, &Release::new("Other Record"))?;
            labeldesk::db::releases::set_artists(
                tx,
                bc,
                &[ReleaseArtist {
                    artist_id: person,
                    role: ArtistRole::Primary,
                }],
            )?;
            labeldesk::db::tracks::insert(tx, &Track::new(bc, 0, "Second Song"))?;
            Ok((hier, aube, second, bc))
        })
        .expect("seed");
    Seeded {
        catalog,
        hier: ids.0,
        aube: ids.1,
        second: ids.2,
        bc: ids.3,
    }
}

fn write_fixture(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path
}

fn crlf(lines: &[&str]) -> String {
    lines.join("\r\n") + "\r\n"
}

fn import(catalog: &mut Catalog, path: &Path) -> ledger::ImportBatch {
    import_file(catalog, path, &[], &JobControl::default())
        .unwrap_or_else(|e| panic!("import {}: {e}", path.display()))
}

fn total(batch: &ledger::ImportBatch, currency: Currency) -> Amount8 {
    batch
        .totals
        .iter()
        .find(|t| t.currency == currency)
        .map_or_else(|| panic!("no {currency} total"), |t| t.net)
}

fn count_rows(catalog: &Catalog, table: &str) -> i64 {
    catalog
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

/// The stored lines of the catalog add up to the import's control total.
fn stored_total(catalog: &Catalog, currency: Currency) -> Amount8 {
    ledger::income_totals(catalog.conn())
        .expect("totals")
        .into_iter()
        .find(|(c, _)| *c == currency)
        .map_or(Amount8::ZERO, |(_, a)| a)
}

const DISTROKID: &[&str] = &[
    "Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)",
    "2024-02-02\t2023-11\tSpotify\tTøilette & Café\tHier, à lʼaube\tgbaye2600001\t111111111111\t12\t100\tSong\tfr\t0\t0.00789993",
    "2024-02-08\t2023-12\tiTunes\tTøilette & Café\tSecond Song\tGBAYE2600002\t036000241457\t1\t100\tSong\tGB\t0\t0.69300000",
    "2024-02-08\t2023-12\tYouTube (Ads)\tUnknown Artist\tNot Ours\tXX-ABC-23-00099\t\t3\t30\tSong\tUS\t0\t0.00031411",
    "2024-02-08\t2023-12\tDeezer\tTøilette & Café\tHier, à l'aube\tNOT-AN-ISRC\t12345\t2\t100\tSong\tDE\t0\t-0.00000004",
];

#[test]
fn distrokid_fixture_imports_to_the_last_1e8() {
    let mut s = seeded();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_fixture(dir.path(), "distrokid.tsv", &crlf(DISTROKID));
    let batch = import(&mut s.catalog, &path);
    assert_eq!(batch.layout, "distrokid");
    assert_eq!(batch.lines.len(), 4);
    // 0.00789993 + 0.693 + 0.00031411 - 0.00000004
    assert_eq!(total(&batch, Currency::USD), Amount8(70_121_400));
    assert_eq!(stored_total(&s.catalog, Currency::USD), Amount8(70_121_400));
    let lines = ledger::lines_of_import(s.catalog.conn(), batch.id).expect("lines");
    // Lower-case ISRC matched; the invalid UPC is kept raw and flagged, never refusing.
    assert_eq!(lines[0].track_id, Some(s.aube));
    assert_eq!(lines[0].matched_by, Some(MatchedBy::Isrc));
    assert_eq!(lines[0].raw.barcode, "111111111111");
    assert!(lines[0].flags.contains(LineFlags::BAD_BARCODE));
    assert_eq!(lines[0].raw.artist, "Tøilette & Café");
    assert_eq!(lines[0].territory, "FR");
    assert_eq!(lines[0].channel, Channel::Stream);
    assert_eq!(lines[0].period, "2024-02");
    assert_eq!(lines[0].sale_date.to_string(), "2023-11-01");
    assert_eq!(lines[0].quantity, 12);
    assert_eq!(lines[1].track_id, Some(s.second));
    assert_eq!(lines[1].channel, Channel::Download);
    assert!(lines[1].format_id.is_some(), "ISRC and barcode agree");
    assert!(lines[2].is_unmatched());
    assert_eq!(lines[2].match_key, "isrc:XXABC2300099");
    // A bad ISRC is flagged; the line still matches by artist + title (typographic apostrophe
    // folded).
    assert!(lines[3].flags.contains(LineFlags::BAD_ISRC));
    assert!(lines[3].flags.contains(LineFlags::BAD_BARCODE));
    assert_eq!(lines[3].raw.isrc, "NOT-AN-ISRC");
    assert_eq!(lines[3].matched_by, Some(MatchedBy::ArtistTitle));
    assert_eq!(lines[3].track_id, Some(s.aube));
    assert_eq!(lines[3].net, Amount8(-4));
    // Home currency is GBP and no USD rate was given: not converted.
    assert!(lines.iter().all(|l| l.net_home.is_none()));
}

const TUNECORE: &[&str] = &[
    "Sales Period,Posted Date,Store Name,Country Of Sale,Artist,Release Type,Release Title,Song Title,Label,UPC,Optional UPC,TC Song ID,Optional ISRC,Sales Type,# Units Sold,Per Unit Price,Net Sales,Net Sales Currency,Exchange Rate,Total Earned,Currency",
    "2024-01-01,2024-03-01,Spotify,GB,Tøilette & Café,Album,Hier,\"Hier, à l'aube\",Hollow Lane,0036000241457,,TC00000001,gbaye2600001,Streaming,3,0.000342,0.001026,USD,0.79,0.0271,GBP",
    "2024-01-01,2024-03-01,iTunes,IE,Tøilette & Café,Album,Hier,,Hollow Lane,036000241458,,TC00000002,,Album Download,1,7.99,7.99,USD,0.79,5.0123,GBP",
    "2024-01-01,2024-03-01,Deezer,FR,Nobody,Single,Whatever,Whatever,Other Label,,,GBAYE2600002,,Streaming,1,0.0003,0.0003,USD,0.79,0.00015,GBP",
    "2024-01-01,2024-03-01,Apple Music,US,Nobody,Single,Whatever,Whatever,Other Label,,,TC00000004,,Streaming,1,0.0003,0.0003,USD,1,0.0003,USD",
];

#[test]
fn tunecore_fixture_imports_to_the_last_1e8_and_ignores_song_ids() {
    let mut s = seeded();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_fixture(dir.path(), "tunecore.csv", &crlf(TUNECORE));
    let rates = [(Currency::USD, Rate::parse("0.8").expect("rate"))];
    let batch = import_file(&mut s.catalog, &path, &rates, &JobControl::default()).expect("import");
    assert_eq!(batch.layout, "tunecore");
    assert_eq!(total(&batch, Currency::GBP), Amount8(503_955_000)); // 0.0271 + 5.0123 + 0.00015
    assert_eq!(total(&batch, Currency::USD), Amount8(30_000));
    assert_eq!(
        stored_total(&s.catalog, Currency::GBP),
        Amount8(503_955_000)
    );
    let lines = ledger::lines_of_import(s.catalog.conn(), batch.id).expect("lines");
    assert_eq!(lines[0].matched_by, Some(MatchedBy::Isrc));
    assert_eq!(lines[0].raw.other_id, "TC00000001");
    assert_eq!(lines[0].raw.title, "Hier, à l'aube");
    assert_eq!(lines[0].channel, Channel::Stream);
    // An album line (no song title) with an invalid UPC: flagged, matched by artist + release.
    assert!(lines[1].flags.contains(LineFlags::BAD_BARCODE));
    assert_eq!(lines[1].matched_by, Some(MatchedBy::ArtistTitle));
    assert_eq!(lines[1].release_id, Some(s.hier));
    assert_eq!(lines[1].track_id, None);
    assert_eq!(lines[1].channel, Channel::Download);
    // A TuneCore song id that happens to look like a catalog ISRC is not an ISRC.
    assert_eq!(lines[2].raw.other_id, "GBAYE2600002");
    assert!(lines[2].raw.isrc.is_empty());
    assert!(lines[2].is_unmatched());
    // Converted at the import's rate: 0.0003 USD × 0.8 = 0.00024 GBP.
    assert_eq!(lines[3].net_home, Some(Amount8(24_000)));
    assert_eq!(lines[0].net_home, Some(lines[0].net));
    let usd = batch
        .totals
        .iter()
        .find(|t| t.currency == Currency::USD)
        .expect("usd");
    assert_eq!(usd.rate.as_deref(), Some("0.8"));
}

const CDBABY: &[&str] = &[
    "Report Date\tSales Date\tQuantity\tPrice\tSubtotal\tIsrc\tBarcode\tCDBabySku\tAlbum Name\tArtist Name\tTrack Name\tPartner Name\tTransaction Type\tDelivery Country",
    "10/15/2023 12:00:00 AM\t7/31/2023 12:00:00 AM\t1\t0.09982699\t0.0998269974\tgbaye2600002\t\"0036000241457\"\thollow1\tHier\tTøilette & Café\tSecond Song\tAmazon Prime IN\tStream\tIN",
    "10/15/2023 12:00:00 AM\t7/31/2023 12:00:00 AM\t1\t0.05982699\t0.0598269974\tusx123000002\t\"880000000002\"\thollow1\tAlbum 2\tArtist 1\tAnother Example\tAmazon Prime IN\tStream\tIN",
    "10/15/2023 12:00:00 AM\t8/1/2023 12:00:00 AM\t1\t9.99\t6.99\t\t\"036000241457\"\thollow1\tHier\tTøilette & Café\t\tCD Baby Store\tPhysical\tUS",
];

#[test]
fn cdbaby_fixture_keeps_ten_decimals_exact_and_matches_both_barcode_forms() {
    let mut s = seeded();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_fixture(dir.path(), "cdbaby.txt", &crlf(CDBABY));
    let batch = import(&mut s.catalog, &path);
    assert_eq!(batch.layout, "cdbaby");
    // 0.0998269974 + 0.0598269974 + 6.99 = 7.1496539948, rounded once: 7.14965399.
    assert_eq!(total(&batch, Currency::USD), Amount8(714_965_399));
    assert_eq!(batch.totals[0].net_exact, "7.1496539948");
    assert_eq!(
        stored_total(&s.catalog, Currency::USD),
        Amount8(714_965_399)
    );
    let lines = ledger::lines_of_import(s.catalog.conn(), batch.id).expect("lines");
    assert_eq!(lines[0].track_id, Some(s.second));
    assert_eq!(lines[0].raw.barcode, "0036000241457");
    assert_eq!(lines[0].period, "2023-10");
    assert_eq!(lines[0].sale_date.to_string(), "2023-07-31");
    assert!(lines[1].is_unmatched());
    assert!(lines[1].flags.contains(LineFlags::BAD_BARCODE));
    // EAN-13 form in the catalog's UPC-A: matched by barcode, for the whole release.
    assert_eq!(lines[2].matched_by, Some(MatchedBy::Barcode));
    assert_eq!(lines[2].release_id, Some(s.hier));
    assert_eq!(lines[2].channel, Channel::Physical);
}

const BANDCAMP: &[&str] = &[
    "date,paid to,item type,item name,artist,currency,item price,quantity,discount code,sub total,transaction fee,fee type,item total,amount you received,bandcamp transaction id,paypal transaction id,net amount",
    "11/25/22 5:45pm,you@example.com,track,\"Hier, à l'aube\",Tøilette & Café,EUR,7.99,1,,7.99,0.57,paypal,7.99,7.42,1234000001,3KJ69516S2466193S,6.22",
    "12/2/22 2:00pm,collected to cover your revenue share balance,track,BC 1,Pérsona Uno,EUR,1,1,,1,,,1,0,1234000003,<-- collected to cover your revenue share balance,0.85",
    "12/7/22 7:25pm,Bandcamp,package,Hier LP,Tøilette & Café,EUR,25,2,,50,1.7,paypal,50,48.3,1234000006,,42.5",
    "1/2/23 4:00pm,me@example.com,album,Hier,Tøilette & Café,EUR,5.99,1,,5.99,0.5,paypal,5.99,5.49,,,4.99",
];

#[test]
fn bandcamp_fixture_flags_packages_as_physical() {
    let mut s = seeded();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_fixture(dir.path(), "bandcamp.csv", &(BANDCAMP.join("\n") + "\n"));
    let batch = import(&mut s.catalog, &path);
    assert_eq!(batch.layout, "bandcamp");
    assert_eq!(total(&batch, Currency::EUR), Amount8(5_456_000_000)); // 54.56
    let lines = ledger::lines_of_import(s.catalog.conn(), batch.id).expect("lines");
    assert_eq!(lines[0].track_id, Some(s.aube));
    assert_eq!(lines[0].gross, Some(Amount8(799_000_000)));
    assert_eq!(lines[0].sale_date.to_string(), "2022-11-25");
    assert!(lines[1].is_unmatched());
    assert_eq!(lines[1].raw.artist, "Pérsona Uno");
    assert_eq!(lines[2].channel, Channel::Physical);
    assert!(lines[2].flags.contains(LineFlags::PHYSICAL_SALE));
    assert_eq!(lines[2].quantity, 2);
    assert_eq!(lines[3].release_id, Some(s.hier));
    assert_eq!(lines[3].track_id, None);
    // Statement lines: summed in 10⁻⁸, rounded once to cents.
    let by_channel = ledger::income_by(s.catalog.conn(), IncomeGroup::Channel).expect("by");
    let physical = by_channel
        .iter()
        .find(|r| r.name == "Physical")
        .expect("physical");
    assert_eq!(physical.money().map(|m| m.minor), Some(4250));
}

#[test]
fn matching_order_isrc_beats_title() {
    let mut s = seeded();
    let dir = tempfile::tempdir().expect("tempdir");
    // Title "Second Song" by Person 1 would match the other release's track; the ISRC wins.
    let text = crlf(&[
        DISTROKID[0],
        "2024-02-02\t2023-11\tSpotify\tPerson 1\tSecond Song\tGBAYE2600001\t\t1\t100\tSong\tGB\t0\t1",
        "2024-02-02\t2023-11\tSpotify\tPerson 1\tSecond Song\t\t\t1\t100\tSong\tGB\t0\t1",
        "2024-02-02\t2023-11\tSpotify\tPerson 1\tSecond Song\t\t0036000241457\t1\t100\tSong\tGB\t0\t1",
    ]);
    let path = write_fixture(dir.path(), "order.tsv", &text);
    let batch = import(&mut s.catalog, &path);
    assert_eq!(batch.lines[0].matched_by, Some(MatchedBy::Isrc));
    assert_eq!(batch.lines[0].track_id, Some(s.aube));
    assert_eq!(batch.lines[1].matched_by, Some(MatchedBy::ArtistTitle));
    assert_eq!(batch.lines[1].release_id, Some(s.bc));
    assert_eq!(batch.lines[2].matched_by, Some(MatchedBy::Barcode));
    assert_eq!(batch.lines[2].release_id, Some(s.hier));
}

#[test]
fn unknown_layout_bad_values_and_missing_columns_refuse_with_nothing_written() {
    let mut s = seeded();
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "gubbins.txt",
            " ____  ___\n|  _ \\|_ _|\n|____/|___|\n".to_owned(),
            &["gubbins.txt: unknown report layout", "Line 1 reads"],
        ),
        (
            "no-earnings.tsv",
            crlf(&[
                "Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld",
                "2024-02-02\t2023-11\tSpotify\tA\tB\t\t\t1\t100\tSong\tGB\t0",
            ]),
            &["looks like a DistroKid report", "“Earnings (USD)”"],
        ),
        (
            "bad-amount.tsv",
            crlf(&[
                DISTROKID[0],
                DISTROKID[1],
                &DISTROKID[2].replace("0.69300000", "0,69"),
            ]),
            &["bad-amount.tsv, line 3, column “Earnings (USD)”: “0,69” is not an amount"],
        ),
        (
            "bad-date.csv",
            crlf(&[TUNECORE[0], &TUNECORE[1].replace("2024-03-01", "March")]),
            &["bad-date.csv, line 2, column “Posted Date”: “March” is not a date"],
        ),
        ("empty.csv", String::new(), &["empty.csv is empty"]),
    ];
    for (name, text, needles) in cases {
        let path = write_fixture(dir.path(), name, &text);
        let err = import_file(&mut s.catalog, &path, &[], &JobControl::default())
            .err()
            .unwrap_or_else(|| panic!("{name} should be refused"));
        let message = err.to_string();
        for needle in needles {
            assert!(message.contains(needle), "{name}: {message}");
        }
        assert!(message.contains("Nothing was imported"), "{message}");
    }
    assert_eq!(count_rows(&s.catalog, "ledger_imports"), 0);
    assert_eq!(count_rows(&s.catalog, "income_lines"), 0);
}

#[test]
fn the_same_file_twice_is_refused() {
    let mut s = seeded();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_fixture(dir.path(), "distrokid.tsv", &crlf(DISTROKID));
    import(&mut s.catalog, &path);
    let again = write_fixture(dir.path(), "renamed copy.tsv", &crlf(DISTROKID));
    let err =
        import_file(&mut s.catalog, &again, &[], &JobControl::default()).expect_err("refused");
    let message = err.to_string();
    assert!(
        message.contains("renamed copy.tsv was already imported on")
            && message.contains("from distrokid.tsv, same content"),
        "{message}"
    );
    assert!(matches!(err, ReportError::Db(_)));
    assert_eq!(count_rows(&s.catalog, "ledger_imports"), 1);
    assert_eq!(count_rows(&s.catalog, "income_lines"), 4);
}

#[test]
fn a_saved_column_mapping_reads_the_next_import() {
    let mut s = seeded();
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "Datum;Betrag;Währung;Titel;Künstler;ISRC;Shop\n\
                15.03.2024;1,5;EUR;Second Song;Tøilette & Café;;Shop Download\n\
                16.03.2024;0,00000001;eur;Unbekannt;Niemand;;Radio stream\n";
    let path = write_fixture(dir.path(), "shop.csv", text);
    // Without a mapping: unknown.
    let err = import_file(&mut s.catalog, &path, &[], &JobControl::default()).expect_err("unknown");
    assert!(matches!(err, ReportError::UnknownLayout { .. }), "{err}");
    let mapping = ColumnMapping {
        date: "Datum".into(),
        date_order: DateOrder::DayFirst,
        net: "Betrag".into(),
        decimal_comma: true,
        currency: "Währung".into(),
        title: "Titel".into(),
        artist: "Künstler".into(),
        isrc: "ISRC".into(),
        store: "Shop".into(),
        ..ColumnMapping::default()
    };
    s.catalog
        .write(|tx| ledger::save_report_mapping(tx, "German shop", &mapping.to_json()))
        .expect("save mapping");
    let batch = import(&mut s.catalog, &path);
    assert_eq!(batch.layout, "mapping:German shop");
    assert_eq!(total(&batch, Currency::EUR), Amount8(150_000_001));
    assert_eq!(batch.lines[0].track_id, Some(s.second));
    assert_eq!(batch.lines[0].channel, Channel::Download);
    assert_eq!(batch.lines[0].sale_date.to_string(), "2024-03-15");
    assert_eq!(batch.lines[1].channel, Channel::Stream);
}

#[test]
fn a_remembered_mapping_applies_now_and_on_later_imports_and_undoes() {
    let mut s = seeded();
    let mut history = History::default();
    let dir = tempfile::tempdir().expect("tempdir");
    let first = write_fixture(dir.path(), "bc1.csv", &(BANDCAMP.join("\n") + "\n"));
    let batch = import(&mut s.catalog, &first);
    let key = "title:pérsona uno\u{1f}bc 1".to_owned();
    let waiting = |catalog: &Catalog| -> u64 {
        ledger::unmatched_groups(catalog.conn(), 50)
            .expect("review list")
            .iter()
            .find(|g| g.match_key == key)
            .map_or(0, |g| g.lines)
    };
    assert_eq!(waiting(&s.catalog), 1);
    let mapping = MatchMapping {
        key: key.clone(),
        release_id: s.bc,
        track_id: None,
        format_id: None,
    };
    history
        .apply(
            &mut s.catalog,
            Edit::one(
                "Map report line",
                Change::ledger_mapping(key.clone(), Some(mapping)),
            ),
        )
        .expect("map");
    let lines = ledger::lines_of_import(s.catalog.conn(), batch.id).expect("lines");
    assert_eq!(lines[1].release_id, Some(s.bc));
    assert_eq!(lines[1].matched_by, Some(MatchedBy::Mapping));
    assert_eq!(waiting(&s.catalog), 0);
    // A later report with the same item is matched on import.
    let later = write_fixture(
        dir.path(),
        "bc2.csv",
        &format!(
            "{}\n1/5/23 1:00pm,you@example.com,track,BC 1,Pérsona  Uno,EUR,2,1,,2,0.3,paypal,2,1.7,1234000099,,1.5\n",
            BANDCAMP[0]
        ),
    );
    let batch2 = import(&mut s.catalog, &later);
    assert_eq!(batch2.lines[0].matched_by, Some(MatchedBy::Mapping));
    assert_eq!(batch2.lines[0].release_id, Some(s.bc));
    // Undo forgets the mapping and sends its lines back to review.
    history.undo(&mut s.catalog).expect("undo");
    assert!(
        ledger::get_mapping(s.catalog.conn(), &key)
            .expect("get")
            .is_none()
    );
    assert_eq!(waiting(&s.catalog), 2);
    history.redo(&mut s.catalog).expect("redo");
    assert_eq!(waiting(&s.catalog), 0);
}

#[test]
fn an_import_through_the_undo_history_is_one_step() {
    let mut s = seeded();
    let mut history = History::default();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_fixture(dir.path(), "distrokid.tsv", &crlf(DISTROKID));
    let parsed = parse_file(&path, &[], &JobControl::default()).expect("parse");
    let batch = prepare(s.catalog.conn(), &parsed, &[]).expect("prepare");
    assert_eq!(batch.matched(), 3);
    history
        .apply(
            &mut s.catalog,
            Edit::one("Import", Change::sales_import(batch)),
        )
        .expect("import");
    assert_eq!(count_rows(&s.catalog, "income_lines"), 4);
    // Prepared again after the import: refused as a duplicate.
    assert!(prepare(s.catalog.conn(), &parsed, &[]).is_err());
    history.undo(&mut s.catalog).expect("undo");
    assert_eq!(count_rows(&s.catalog, "income_lines"), 0);
    assert_eq!(count_rows(&s.catalog, "ledger_import_totals"), 0);
    history.redo(&mut s.catalog).expect("redo");
    assert_eq!(count_rows(&s.catalog, "income_lines"), 4);
    assert_eq!(stored_total(&s.catalog, Currency::USD), Amount8(70_121_400));
}

#[test]
fn costs_are_stored_in_minor_units_and_negative_ones_refused() {
    let mut s = seeded();
    let mut history = History::default();
    let cost = labeldesk::model::CostLine {
        id: labeldesk::model::CostLineId::UNSAVED,
        date: chrono::NaiveDate::from_ymd_opt(2024, 3, 1).expect("date"),
        release_id: Some(s.hier),
        category: labeldesk::model::CostCategory::Mastering,
        amount: labeldesk::model::Money::new(45_000, Currency::GBP),
        recoupable: true,
        note: "Lacquers".into(),
    };
    history
        .apply(
            &mut s.catalog,
            Edit::one("Add cost", Change::cost_line(None, Some(cost.clone()))),
        )
        .expect("add");
    let costs = ledger::list_costs(s.catalog.conn()).expect("costs");
    assert_eq!(costs.len(), 1);
    assert_eq!(costs[0].amount.minor, 45_000);
    let mut negative = cost;
    negative.amount.minor = -1;
    let err = history
        .apply(
            &mut s.catalog,
            Edit::one("Add cost", Change::cost_line(None, Some(negative))),
        )
        .expect_err("refused");
    assert!(
        err.to_string().contains("a cost cannot be negative"),
        "{err}"
    );
    history.undo(&mut s.catalog).expect("undo");
    assert!(
        ledger::list_costs(s.catalog.conn())
            .expect("costs")
            .is_empty()
    );
}

#[test]
fn the_cli_prints_layout_counts_and_totals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("label.sqlite");
    Catalog::create(&db).expect("create");
    let path = write_fixture(dir.path(), "tunecore.csv", &crlf(TUNECORE));
    let mut out = Vec::new();
    sales_import_cli(&db, &path, &[(Currency::USD, "0.8".into())], &mut out).expect("cli");
    let text = String::from_utf8(out).expect("utf8");
    for needle in [
        "layout: TuneCore",
        "lines imported: 4",
        "matched: 0",
        "unmatched: 4",
        "total GBP: 5.03955 (3 lines)",
        "total USD: 0.0003 (1 lines) = 0.00024 EUR at 1 USD = 0.8 EUR",
    ] {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
    let mut out = Vec::new();
    let err = sales_import_cli(&db, &path, &[], &mut out).expect_err("dup");
    assert!(err.to_string().contains("already imported"), "{err}");
    assert_eq!(
        reports::parse_rate_arg("usd=0,92"),
        Ok((Currency::USD, "0,92".to_owned()))
    );
    assert!(reports::parse_rate_arg("USD").is_err());
    assert!(reports::parse_rate_arg("USD=-1").is_err());
}

/// The real anonymised statements, read where they are (never copied into the repository).
#[test]
fn real_trackshift_files_when_present() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/royalty-statements/trackshift");
    if !dir.is_dir() {
        println!("note: {} is absent; skipping the real files", dir.display());
        return;
    }
    let cases: [(&str, &str, Currency, Amount8, usize); 6] = [
        (
            "DistroKid_Test.tsv",
            "distrokid",
            Currency::USD,
            Amount8(931_179),
            4,
        ),
        (
            "DistroKid_NonAscii.tsv",
            "distrokid",
            Currency::USD,
            Amount8(1_000_000_000),
            4,
        ),
        (
            "Tunecore_Test.csv",
            "tunecore",
            Currency::GBP,
            Amount8(13_550_000),
            4,
        ),
        (
            "CdBaby_Test.txt",
            "cdbaby",
            Currency::USD,
            Amount8(15_965_399),
            2,
        ),
        (
            "bandcamp-simple-3-songs.csv",
            "bandcamp",
            Currency::GBP,
            Amount8(1_768_000_000),
            8,
        ),
        (
            "bandcamp-non-ascii.csv",
            "bandcamp",
            Currency::GBP,
            Amount8(3_396_000_000),
            13,
        ),
    ];
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    for (name, layout, currency, expected, lines) in cases {
        let path = dir.join(name);
        if !path.is_file() {
            println!("note: {} is absent", path.display());
            continue;
        }
        let started = Instant::now();
        let batch = import_file(&mut catalog, &path, &[], &JobControl::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        println!(
            "{name}: {} lines imported in {:.2} ms, total {currency} {}",
            batch.lines.len(),
            started.elapsed().as_secs_f64() * 1000.0,
            total(&batch, currency).to_plain_string()
        );
        assert_eq!(batch.layout, layout, "{name}");
        assert_eq!(batch.lines.len(), lines, "{name}");
        assert_eq!(total(&batch, currency), expected, "{name}");
        let stored: i64 = catalog
            .conn()
            .query_row(
                "SELECT sum(net_e8) FROM income_lines WHERE import_id = ?1 AND currency = ?2",
                rusqlite::params![batch.id, currency],
                |r| r.get(0),
            )
            .expect("sum");
        assert_eq!(
            stored, expected.0,
            "{name}: stored lines add up to the control total"
        );
    }
    let gubbins = dir.join("gubbins.txt");
    if gubbins.is_file() {
        let before = count_rows(&catalog, "income_lines");
        let err = import_file(&mut catalog, &gubbins, &[], &JobControl::default())
            .expect_err("gubbins refused");
        assert!(matches!(err, ReportError::UnknownLayout { .. }), "{err}");
        assert_eq!(count_rows(&catalog, "income_lines"), before);
    }
}

/// Bandcamp's header with the newer "upc" column.
const BANDCAMP_UPC_HEADER: &str = "date,paid to,item type,item name,artist,currency,item price,quantity,discount code,sub total,transaction fee,fee type,item total,amount you received,bandcamp transaction id,paypal transaction id,net amount,upc";

/// Bandcamp packages are the label's own mail order: one matched to a single physical format
/// (by title, the release having one vinyl format, or by its UPC) takes that many out of the
/// home location, tied to its income line, so undoing or removing the import gives the stock
/// back and a redo takes it again. A package not matched to one format, a sale from before
/// the last stock count and another report's physical sales take nothing; the preview says so.
#[test]
fn bandcamp_packages_take_stock_from_home_until_the_import_is_undone() {
    use labeldesk::db::shows;
    use labeldesk::model::shows::{Movement, MovementReason, StockItem};
    let mut s = seeded();
    let (vinyl, home) = s
        .catalog
        .write(|tx| {
            let mut lp = Format::new(s.hier, FormatKind::Vinyl12);
            lp.barcode = Some(Barcode::parse("5060000000016")?);
            let vinyl = labeldesk::db::formats::insert(tx, &lp)?;
            let (home, _) = ledger::home_location(tx)?.expect("a home location");
            let home = labeldesk::model::shows::LocationId(home);
            shows::add_movement(
                tx,
                &Movement {
                    item: StockItem::Format(vinyl),
                    location: home,
                    quantity: 10,
                    reason: MovementReason::Received,
                    note: String::new(),
                },
            )?;
            Ok((vinyl, home))
        })
        .expect("a vinyl format with 10 at home");
    let stock = |catalog: &Catalog| {
        shows::stock_at(catalog.conn(), StockItem::Format(vinyl), home).expect("stock")
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let report = [
        BANDCAMP_UPC_HEADER,
        // By title: "Hier" has one physical format.
        "11/20/26 5:45pm,Bandcamp,package,Hier,Tøilette & Café,EUR,25,2,,50,1.7,paypal,50,48.3,1234000010,,42.5,",
        // By its UPC.
        "11/21/26 9:00am,Bandcamp,package,Hier (red vinyl),Tøilette & Café,EUR,25,1,,25,0.9,paypal,25,24.1,1234000011,,21.2,5060000000016",
        // Matched to nothing: no format to take it from.
        "11/22/26 9:00am,Bandcamp,package,Mystery Box,Tøilette & Café,EUR,30,1,,30,1,paypal,30,29,1234000012,,25,",
        // A download: not stock.
        "11/23/26 9:00am,Bandcamp,album,Hier,Tøilette & Café,EUR,5.99,1,,5.99,0.5,paypal,5.99,5.49,1234000013,,4.99,",
    ];
    let path = write_fixture(dir.path(), "bandcamp-nov.csv", &(report.join("\n") + "\n"));
    let parsed = parse_file(&path, &[], &JobControl::default()).expect("parse");
    let batch = prepare(s.catalog.conn(), &parsed, &[]).expect("prepare");
    let plan = ledger::stock_plan(s.catalog.conn(), &batch).expect("plan");
    assert_eq!((plan.sales, plan.units, plan.no_format), (2, 3, 1));
    assert_eq!(
        plan.describe(),
        "3 items out of Home (2 sales); 1 physical sale not matched to one format: not taken \
         from stock"
    );
    let mut history = History::default();
    history
        .apply(
            &mut s.catalog,
            Edit::one("Import bandcamp-nov.csv", Change::sales_import(batch)),
        )
        .expect("import");
    assert_eq!(stock(&s.catalog), 7);
    let rows = shows::history(s.catalog.conn(), StockItem::Format(vinyl)).expect("history");
    let sales: Vec<(String, i64, String)> = rows
        .iter()
        .filter(|r| r.quantity < 0)
        .map(|r| (r.moved_at.clone(), r.quantity, r.note.clone()))
        .collect();
    assert_eq!(
        sales,
        [
            (
                "2026-11-21T12:00:00.000Z".to_owned(),
                -1,
                "Bandcamp sale, report line 3".to_owned()
            ),
            (
                "2026-11-20T12:00:00.000Z".to_owned(),
                -2,
                "Bandcamp sale, report line 2".to_owned()
            ),
        ]
    );

    history.undo(&mut s.catalog).expect("undo");
    assert_eq!(stock(&s.catalog), 10, "undone: the stock is back");
    history.redo(&mut s.catalog).expect("redo");
    assert_eq!(stock(&s.catalog), 7, "redone: taken again, once");
    let import: labeldesk::model::ImportId = s
        .catalog
        .conn()
        .query_row("SELECT id FROM ledger_imports", [], |r| r.get(0))
        .expect("import id");
    history
        .apply(
            &mut s.catalog,
            Edit::one("Remove", Change::remove_sales_import(import)),
        )
        .expect("remove");
    assert_eq!(stock(&s.catalog), 10, "removed: the stock is back");

    // Counted since: an older report's packages are in that count already.
    s.catalog
        .write(|tx| {
            shows::add_movement(
                tx,
                &Movement {
                    item: StockItem::Format(vinyl),
                    location: home,
                    quantity: -1,
                    reason: MovementReason::Count,
                    note: "counted 9".into(),
                },
            )
            .map(|_| ())
        })
        .expect("count");
    let old = [
        BANDCAMP_UPC_HEADER,
        "3/1/25 5:45pm,Bandcamp,package,Hier,Tøilette & Café,EUR,25,1,,25,0.9,paypal,25,24.1,1234000020,,21.2,",
    ];
    let path = write_fixture(dir.path(), "bandcamp-2025.csv", &(old.join("\n") + "\n"));
    let parsed = parse_file(&path, &[], &JobControl::default()).expect("parse");
    let batch = prepare(s.catalog.conn(), &parsed, &[]).expect("prepare");
    let plan = ledger::stock_plan(s.catalog.conn(), &batch).expect("plan");
    assert_eq!((plan.sales, plan.counted), (0, 1));
    assert_eq!(
        plan.describe(),
        "1 physical sale from before the last stock count: already counted"
    );
    history
        .apply(
            &mut s.catalog,
            Edit::one("Import", Change::sales_import(batch)),
        )
        .expect("import");
    assert_eq!(stock(&s.catalog), 9);

    // A distributor's physical sales come out of its own stock, not the label's.
    assert!(ledger::takes_stock("bandcamp"));
    assert!(!ledger::takes_stock("mapping:Shop export"));
    assert!(!ledger::takes_stock("distrokid"));
}

/// A package that matched no single format takes stock once it is mapped to one in the
/// review list; undoing the mapping gives it back, and a later report with the same package
/// takes stock through the mapping at once.
#[test]
fn mapping_a_package_to_a_format_takes_its_stock() {
    use labeldesk::db::shows;
    use labeldesk::model::shows::{LocationId, StockItem};
    let mut s = seeded();
    let (lp, cd) = s
        .catalog
        .write(|tx| {
            let lp = labeldesk::db::formats::insert(tx, &Format::new(s.hier, FormatKind::Vinyl12))?;
            let cd = labeldesk::db::formats::insert(tx, &Format::new(s.hier, FormatKind::Cd))?;
            Ok((lp, cd))
        })
        .expect("an LP and a CD");
    let (home, _) = ledger::home_location(s.catalog.conn())
        .expect("home")
        .expect("a home location");
    let stock = |catalog: &Catalog, format| {
        shows::stock_at(catalog.conn(), StockItem::Format(format), LocationId(home)).expect("stock")
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let report = |n: u32| {
        format!(
            "{BANDCAMP_UPC_HEADER}\n11/2{n}/26 5:45pm,Bandcamp,package,Hier LP,Tøilette & Café,EUR,25,2,,50,1.7,paypal,50,48.3,12340000{n}0,,42.5,\n"
        )
    };
    let first = write_fixture(dir.path(), "bc-1.csv", &report(1));
    let mut history = History::default();
    let parsed = parse_file(&first, &[], &JobControl::default()).expect("parse");
    let batch = prepare(s.catalog.conn(), &parsed, &[]).expect("prepare");
    assert_eq!(
        ledger::stock_plan(s.catalog.conn(), &batch)
            .expect("plan")
            .no_format,
        1
    );
    history
        .apply(
            &mut s.catalog,
            Edit::one("Import", Change::sales_import(batch)),
        )
        .expect("import");
    assert_eq!((stock(&s.catalog, lp), stock(&s.catalog, cd)), (0, 0));
    let key: String = s
        .catalog
        .conn()
        .query_row(
            "SELECT match_key FROM income_lines WHERE raw_title = 'Hier LP'",
            [],
            |r| r.get(0),
        )
        .expect("key");
    let mapping = MatchMapping {
        key: key.clone(),
        release_id: s.hier,
        track_id: None,
        format_id: Some(lp),
    };
    history
        .apply(
            &mut s.catalog,
            Edit::one("Map", Change::ledger_mapping(key.clone(), Some(mapping))),
        )
        .expect("map");
    assert_eq!(stock(&s.catalog, lp), -2, "mapped: the LP stock goes");
    history.undo(&mut s.catalog).expect("undo the mapping");
    assert_eq!(stock(&s.catalog, lp), 0, "unmapped: back");
    history.redo(&mut s.catalog).expect("redo the mapping");
    assert_eq!(stock(&s.catalog, lp), -2);
    // Remapped to the CD: the LP comes back, the CD goes.
    let to_cd = MatchMapping {
        key: key.clone(),
        release_id: s.hier,
        track_id: None,
        format_id: Some(cd),
    };
    history
        .apply(
            &mut s.catalog,
            Edit::one("Remap", Change::ledger_mapping(key.clone(), Some(to_cd))),
        )
        .expect("remap");
    assert_eq!((stock(&s.catalog, lp), stock(&s.catalog, cd)), (0, -2));
    // The next report's "Hier LP" goes through the mapping, and takes its stock on import.
    let second = write_fixture(dir.path(), "bc-2.csv", &report(2));
    let parsed = parse_file(&second, &[], &JobControl::default()).expect("parse");
    let batch = prepare(s.catalog.conn(), &parsed, &[]).expect("prepare");
    let plan = ledger::stock_plan(s.catalog.conn(), &batch).expect("plan");
    assert_eq!((plan.sales, plan.units), (1, 2));
    history
        .apply(
            &mut s.catalog,
            Edit::one("Import", Change::sales_import(batch)),
        )
        .expect("import");
    assert_eq!(stock(&s.catalog, cd), -4);
}
