//! Sales imports are written off the UI thread: the window on a catalog file, a generated
//! DistroKid report of a few thousand lines, imported, undone, redone and removed on the
//! `labeldesk-ledger-write` job; Cancel leaves the ledger as it was; writes asked for meanwhile
//! wait and keep their order in the undo history. A release-only test times a 100,000-line
//! report and the longest frame while it is written.
//!
//! To prove a write runs on the background job, a test holds the catalog's write lock on a
//! connection of its own: the window keeps drawing frames while the job waits for the lock,
//! which a write on the UI thread could not do.

use std::fmt::Write as _;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use labeldesk::app::{LabeldeskApp, UiState};
use labeldesk::db::Catalog;
use labeldesk::db::ledger;
use labeldesk::io::reports::{parse_file, prepare};
use labeldesk::jobs::JobControl;
use labeldesk::model::{
    Amount8, Artist, ArtistRole, Currency, Isrc, Label, Release, ReleaseArtist, Track,
};
use labeldesk::undo::{Change, Edit, EditError, apply_on_file};

use crate::common;

const HEADER: &str = "Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)";

/// A DistroKid report of `lines` lines: even lines are for "Hier, à l'aube" (ISRC
/// GBAYE2600001, matched), odd ones for songs the catalog lacks (unmatched). Line `i` (from 1)
/// earns i × 10⁻⁸ USD, so the report's total is n(n+1)/2 × 10⁻⁸ USD.
fn report(lines: u32) -> String {
    let mut text = String::with_capacity(lines as usize * 110);
    text.push_str(HEADER);
    text.push_str("\r\n");
    for i in 1..=lines {
        let (artist, title, isrc) = if i % 2 == 0 {
            (
                "Tøilette & Café",
                "Hier, à l'aube".to_owned(),
                "GBAYE2600001",
            )
        } else {
            ("Nobody", format!("Lost Song {}", i % 50), "")
        };
        let _ = write!(
            text,
            "2024-02-02\t2023-11\tSpotify\t{artist}\t{title}\t{isrc}\t\t1\t100\tSong\tFR\t0\t0.{i:08}\r\n"
        );
    }
    text
}

/// n(n+1)/2: the report's total in 10⁻⁸ USD.
fn report_total(lines: u32) -> Amount8 {
    let n = i64::from(lines);
    Amount8(n * (n + 1) / 2)
}

/// A catalog file in `dir` with a label (home currency USD), "Tøilette & Café" and their
/// release "Hier" with the track "Hier, à l'aube" (GBAYE2600001).
fn catalog_file(dir: &Path) -> PathBuf {
    let path = dir.join("label.sqlite");
    let mut catalog = Catalog::create(&path).expect("create");
    catalog
        .write(|tx| {
            labeldesk::db::labels::insert(
                tx,
                &Label {
                    name: "Hollow Lane".into(),
                    is_own: true,
                    currency: Currency::USD,
                    ..Label::default()
                },
            )?;
            let artist = labeldesk::db::artists::insert(tx, &Artist::new("Tøilette & Café"))?;
            let release = labeldesk::db::releases::insert(tx, &Release::new("Hier"))?;
            labeldesk::db::releases::set_artists(
                tx,
                release,
                &[ReleaseArtist {
                    artist_id: artist,
                    role: ArtistRole::Primary,
                }],
            )?;
            let mut track = Track::new(release, 0, "Hier, à l'aube");
            track.isrc = Some(Isrc::parse("GBAYE2600001")?);
            labeldesk::db::tracks::insert(tx, &track)?;
            Ok(())
        })
        .expect("seed");
    path
}

fn app_on(path: &Path) -> Harness<'static, LabeldeskApp> {
    let catalog = Catalog::open(path).expect("open");
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 1000.0))
        .with_max_steps(24)
        .build_eframe(move |_cc| LabeldeskApp::new(catalog, UiState::default()));
    harness.run();
    harness
}

/// Steps frames until `done`, timing each; returns the longest frame.
fn step_until(
    harness: &mut Harness<'_, LabeldeskApp>,
    what: &str,
    mut done: impl FnMut(&mut Harness<'_, LabeldeskApp>) -> bool,
) -> Duration {
    let mut longest = Duration::ZERO;
    for _ in 0..6000 {
        let start = Instant::now();
        harness.step();
        longest = longest.max(start.elapsed());
        if done(harness) {
            return longest;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!(
        "timed out waiting for {what}; status: {:?}",
        harness.state().status_text()
    );
}

fn status_starts_with(harness: &Harness<'_, LabeldeskApp>, text: &str) -> bool {
    harness
        .state()
        .status_text()
        .is_some_and(|s| s.starts_with(text))
}

/// Sales > Imports: types the report's path, reads it and waits for the preview.
fn read_report(harness: &mut Harness<'_, LabeldeskApp>, file: &Path, lines: u32) {
    harness.get_by_label("Sales").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Report file")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Report file")
        .type_text(&file.display().to_string());
    harness.run();
    harness.get_by_label("Read report").click();
    let button = if lines == 1 {
        "Import 1 line".to_owned()
    } else {
        format!("Import {lines} lines")
    };
    step_until(harness, "the preview", |h| {
        h.query_by_label(&button).is_some()
    });
}

/// A connection of its own holding the catalog's write lock until it is dropped.
fn lock(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("second connection");
    conn.execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    conn
}

/// Frames while the ledger job waits for the lock: the window keeps drawing and the write is
/// still running (a write on the UI thread would have blocked the first frame). Returns once
/// the status bar shows the job's stage, so that its Cancel button stays where it is.
fn frames_while_locked(harness: &mut Harness<'_, LabeldeskApp>) -> Duration {
    let mut longest = Duration::ZERO;
    for frame in 0..400 {
        let start = Instant::now();
        harness.step();
        longest = longest.max(start.elapsed());
        assert!(
            harness.state().is_writing_ledger(),
            "the write waits for the lock on its background job"
        );
        if frame >= 5 && harness.query_by_label("Opening the catalog").is_some() {
            return longest;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the job never said it was opening the catalog");
}

fn ui_catalog<'a>(harness: &'a Harness<'_, LabeldeskApp>) -> &'a Catalog {
    harness.state().catalog().expect("catalog open")
}

fn count_rows(catalog: &Catalog, table: &str) -> i64 {
    catalog
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

/// Edit > `item` (its label carries the shortcut: "Undo … Ctrl+Z").
fn edit_menu(harness: &mut Harness<'_, LabeldeskApp>, item: &str) {
    harness.get_by_label("Edit").click();
    harness.run();
    let shortcut = if item.starts_with("Undo") {
        "Ctrl+Z"
    } else {
        "Ctrl+Shift+Z"
    };
    harness.get_by_label(&format!("{item} {shortcut}")).click();
}

const LINES: u32 = 3000;
const LABEL: &str = "Import DistroKid report distrokid-big.tsv";

#[test]
fn an_import_is_written_on_the_ledger_job_then_undone_redone_and_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = catalog_file(dir.path());
    let file = dir.path().join("distrokid-big.tsv");
    std::fs::write(&file, report(LINES)).expect("write report");
    let mut harness = app_on(&path);
    read_report(&mut harness, &file, LINES);

    // Import while the test holds the write lock: frames go on, nothing is written yet.
    let held = lock(&path);
    harness
        .get_by_label(&format!("Import {LINES} lines"))
        .click();
    harness.step();
    frames_while_locked(&mut harness);
    harness.get_by_label(&format!("{LABEL}:"));
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 0);
    assert!(harness.state().history().is_empty());
    drop(held);
    step_until(&mut harness, "the import", |h| {
        !h.state().is_writing_ledger()
    });
    assert_eq!(
        harness.state().status_text(),
        Some(format!("Saved: {LABEL}").as_str())
    );
    let imports = ledger::list_imports(ui_catalog(&harness).conn()).expect("imports");
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].line_count, u64::from(LINES));
    assert_eq!(imports[0].matched, u64::from(LINES / 2));
    assert_eq!(imports[0].totals[0].net, report_total(LINES));
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 3000);
    // One undoable step.
    assert_eq!(harness.state().history().len(), 1);
    assert_eq!(harness.state().history().undo_label(), Some(LABEL));
    let import_id = imports[0].id;

    // Undo, on the job too.
    let held = lock(&path);
    edit_menu(&mut harness, &format!("Undo {LABEL}"));
    harness.step();
    frames_while_locked(&mut harness);
    harness.get_by_label(&format!("Undo {LABEL}:"));
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 3000);
    drop(held);
    step_until(&mut harness, "the undo", |h| !h.state().is_writing_ledger());
    assert_eq!(
        harness.state().status_text(),
        Some(format!("Undone: {LABEL}").as_str())
    );
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 0);
    assert_eq!(count_rows(ui_catalog(&harness), "ledger_imports"), 0);
    assert_eq!(count_rows(ui_catalog(&harness), "ledger_import_totals"), 0);
    assert!(harness.state().history().is_empty());
    assert_eq!(harness.state().history().redo_label(), Some(LABEL));

    // Redo brings back the same import.
    edit_menu(&mut harness, &format!("Redo {LABEL}"));
    step_until(&mut harness, "the redo", |h| {
        !h.state().is_writing_ledger() && status_starts_with(h, "Redone")
    });
    let imports = ledger::list_imports(ui_catalog(&harness).conn()).expect("imports");
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].id, import_id);
    assert_eq!(imports[0].matched, u64::from(LINES / 2));
    assert_eq!(imports[0].totals[0].net, report_total(LINES));
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 3000);
    assert_eq!(harness.state().history().len(), 1);

    // Remove… reads and removes its lines on the job; undo puts every one back. (The imports
    // list is read again on a background job of the panel: wait for it.)
    step_until(&mut harness, "the imports list", |h| {
        h.query_by_label("Remove…").is_some()
    });
    harness.get_by_label("Remove…").click();
    harness.run();
    harness.get_by_label("Remove").click();
    step_until(&mut harness, "the removal", |h| {
        !h.state().is_writing_ledger() && status_starts_with(h, "Saved: Remove import")
    });
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 0);
    assert_eq!(harness.state().history().len(), 2);
    edit_menu(&mut harness, "Undo Remove import distrokid-big.tsv");
    step_until(&mut harness, "the undo of the removal", |h| {
        !h.state().is_writing_ledger() && status_starts_with(h, "Undone")
    });
    let imports = ledger::list_imports(ui_catalog(&harness).conn()).expect("imports");
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].id, import_id);
    assert_eq!(imports[0].line_count, 3000);
    assert_eq!(imports[0].matched, 1500);
    assert_eq!(imports[0].totals[0].net, report_total(LINES));
    assert_eq!(harness.state().history().undo_label(), Some(LABEL));
}

#[test]
fn a_cancelled_import_leaves_the_ledger_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = catalog_file(dir.path());
    let file = dir.path().join("distrokid-big.tsv");
    std::fs::write(&file, report(LINES)).expect("write report");
    let mut harness = app_on(&path);
    read_report(&mut harness, &file, LINES);

    let held = lock(&path);
    harness
        .get_by_label(&format!("Import {LINES} lines"))
        .click();
    harness.step();
    frames_while_locked(&mut harness);
    harness.get_by_label("Cancel").click();
    harness.step();
    drop(held);
    step_until(&mut harness, "the cancel", |h| {
        !h.state().is_writing_ledger()
    });
    assert_eq!(
        harness.state().status_text(),
        Some(format!("Cancelled: {LABEL}. Nothing was changed.").as_str())
    );
    let catalog = ui_catalog(&harness);
    assert_eq!(count_rows(catalog, "ledger_imports"), 0);
    assert_eq!(count_rows(catalog, "ledger_import_totals"), 0);
    assert_eq!(count_rows(catalog, "income_lines"), 0);
    assert!(harness.state().history().is_empty());
    assert_eq!(harness.state().history().redo_label(), None);
}

#[test]
fn an_edit_made_during_the_write_waits_and_keeps_its_place_in_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = catalog_file(dir.path());
    let file = dir.path().join("distrokid-big.tsv");
    std::fs::write(&file, report(LINES)).expect("write report");
    let mut harness = app_on(&path);
    read_report(&mut harness, &file, LINES);

    let held = lock(&path);
    harness
        .get_by_label(&format!("Import {LINES} lines"))
        .click();
    harness.step();
    frames_while_locked(&mut harness);
    // A cost added meanwhile is held, not written (the UI thread never waits for the lock).
    // The window repaints while the job runs: step frames rather than wait for it to settle.
    harness.get_by_label("Costs").click();
    harness.run_steps(2);
    for (field, text) in [("Date", "2024-03-01"), ("Amount", "12.00")] {
        harness
            .get_by_role_and_label(Role::TextInput, field)
            .focus();
        harness.run_steps(2);
        harness
            .get_by_role_and_label(Role::TextInput, field)
            .type_text(text);
        harness.run_steps(2);
    }
    harness.get_by_label("Add cost").click();
    harness.step();
    harness.step();
    assert!(harness.state().is_writing_ledger());
    assert!(
        status_starts_with(&harness, "Your change is saved as soon as"),
        "{:?}",
        harness.state().status_text()
    );
    assert_eq!(count_rows(ui_catalog(&harness), "cost_lines"), 0);
    drop(held);
    step_until(&mut harness, "the import and the cost", |h| {
        !h.state().is_writing_ledger() && count_rows(ui_catalog(h), "cost_lines") == 1
    });
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 3000);
    // In the order they were asked for: the import, then the cost.
    assert_eq!(harness.state().history().len(), 2);
    assert_eq!(harness.state().history().undo_label(), Some("Add cost"));
    edit_menu(&mut harness, "Undo Add cost");
    harness.run();
    assert_eq!(count_rows(ui_catalog(&harness), "cost_lines"), 0);
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 3000);
    edit_menu(&mut harness, &format!("Undo {LABEL}"));
    step_until(&mut harness, "the undo", |h| {
        !h.state().is_writing_ledger() && status_starts_with(h, "Undone")
    });
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 0);
}

#[test]
fn a_write_cancelled_after_lines_were_written_rolls_them_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = catalog_file(dir.path());
    let file = dir.path().join("distrokid-big.tsv");
    std::fs::write(&file, report(LINES)).expect("write report");
    let catalog = Catalog::open(&path).expect("open");
    let parsed = parse_file(&file, &[], &JobControl::default()).expect("parse");
    let batch = prepare(catalog.conn(), &parsed, &[]).expect("prepare");
    // Cancelled before it starts: the import's row is written, then the first slice of lines
    // sees the cancel, and the transaction rolls back.
    let control = JobControl::detached();
    control.cancel();
    let edit = Edit::one("Import", Change::sales_import(batch.clone()));
    let result = apply_on_file(&path, edit, &control);
    assert!(matches!(result, Err(EditError::Cancelled(_))), "{result:?}");
    assert_eq!(count_rows(&catalog, "ledger_imports"), 0);
    assert_eq!(count_rows(&catalog, "income_lines"), 0);
    // Without the cancel it is written, all of it.
    let control = Arc::new(JobControl::default());
    let (recorded, _) = apply_on_file(
        &path,
        Edit::one("Import", Change::sales_import(batch)),
        &control,
    )
    .expect("import");
    assert_eq!(count_rows(&catalog, "income_lines"), 3000);
    assert_eq!(control.snapshot().0, 3000, "progress counts every line");
    // Removing it, cancelled, keeps every line.
    let control = JobControl::detached();
    control.cancel();
    let result = apply_on_file(&path, recorded.inverse(), &control);
    assert!(matches!(result, Err(EditError::Cancelled(_))), "{result:?}");
    assert_eq!(count_rows(&catalog, "income_lines"), 3000);
}

/// A big report is written while the window keeps drawing short frames. Release builds
/// (`cargo test --release --test it ledger_jobs:: -- --nocapture` prints the figures): 100,000 lines,
/// every frame under 25 ms. Debug builds, whose frames are several times slower: 20,000 lines,
/// every frame under 50 ms (writing them on the UI thread takes one frame of about 0.3 s).
#[test]
fn a_big_report_is_written_without_a_long_frame() {
    let _alone = common::alone();
    let (big, limit): (u32, Duration) = if cfg!(debug_assertions) {
        (20_000, Duration::from_millis(50))
    } else {
        (100_000, Duration::from_millis(25))
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = catalog_file(dir.path());
    let file = dir.path().join("distrokid-big.tsv");
    std::fs::write(&file, report(big)).expect("write report");
    let mut harness = app_on(&path);
    let started = Instant::now();
    read_report(&mut harness, &file, big);
    let read = started.elapsed();

    // From the click until the Sales panel lists the import: every frame timed.
    harness.get_by_label(&format!("Import {big} lines")).click();
    let started = Instant::now();
    let mut frames = 0_u32;
    let mut committed = None;
    let longest = step_until(&mut harness, "the import", |h| {
        frames += 1;
        if committed.is_none() && !h.state().is_writing_ledger() {
            committed = Some(started.elapsed());
        }
        !h.state().is_writing_ledger()
            && h.query_by_label(&format!("{big}")).is_some()
            && h.query_by_label("Remove…").is_some()
    });
    let write = started.elapsed();
    assert!(status_starts_with(&harness, "Saved: Import"));
    assert_eq!(
        count_rows(ui_catalog(&harness), "income_lines"),
        i64::from(big)
    );

    edit_menu(&mut harness, &format!("Undo {LABEL}"));
    let started = Instant::now();
    let undo_longest = step_until(&mut harness, "the undo", |h| {
        !h.state().is_writing_ledger()
            && status_starts_with(h, "Undone")
            && h.query_by_label("No reports imported yet.").is_some()
    });
    let undo = started.elapsed();
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 0);
    println!(
        "{big}-line DistroKid report: read and matched in {read:.2?}; committed after \
         {committed:.2?}, listed after {write:.2?} ({frames} frames, the longest \
         {longest:.2?}); undone in {undo:.2?} (the longest frame {undo_longest:.2?})",
        committed = committed.unwrap_or_default()
    );
    for (what, frame) in [("written", longest), ("undone", undo_longest)] {
        assert!(
            frame < limit,
            "a frame took {frame:?} while the report was {what}"
        );
    }
}

/// A report an issued statement accounted for, and a cost it charged, stay: the cost's Delete
/// button is disabled (its tooltip says why) and Remove… on the import is refused in the
/// status bar with the statement's name; nothing leaves the ledger.
#[test]
fn what_an_issued_statement_took_cannot_be_removed_from_the_sales_panel() {
    use egui_kittest::kittest::NodeT as _;
    use labeldesk::model::{
        BasisPoints, Channel, Contract, CostCategory, CostLine, CostLineId, Money, Payee, PayeeId,
        RateRule, Recoupable, Share, SplitScope, SplitSet,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = catalog_file(dir.path());
    let file = dir.path().join("distrokid-big.tsv");
    std::fs::write(&file, report(200)).expect("write report");
    let mut catalog = Catalog::open(&path).expect("open");
    let parsed = parse_file(&file, &[], &JobControl::default()).expect("parse");
    let batch = prepare(catalog.conn(), &parsed, &[]).expect("prepare");
    apply_on_file(
        &path,
        Edit::one("Import", Change::sales_import(batch)),
        &JobControl::default(),
    )
    .expect("import");
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
    catalog
        .write(|tx| {
            let artist = labeldesk::model::ArtistId(1);
            let release = labeldesk::model::ReleaseId(1);
            for (amount, recoupable) in [(40_000, true), (1_000, false)] {
                ledger::insert_cost(
                    tx,
                    &CostLine {
                        id: CostLineId::UNSAVED,
                        date: day(2023, 12, 1),
                        release_id: Some(release),
                        category: CostCategory::Recording,
                        amount: Money::new(amount, Currency::USD),
                        recoupable,
                        note: String::new(),
                    },
                )?;
            }
            let mut c = Contract::new(artist, day(2023, 7, 1), Currency::USD);
            c.title = "Hier deal".into();
            c.end = Some(day(2026, 6, 30));
            c.rates = vec![RateRule {
                channel: Channel::Stream,
                format: None,
                rate: BasisPoints(5000),
            }];
            c.payees = vec![Payee {
                id: PayeeId(1),
                name: "Tøilette & Café".into(),
                email: String::new(),
            }];
            c.splits = vec![SplitSet {
                scope: SplitScope::Default,
                shares: vec![Share {
                    payee: PayeeId(1),
                    share: BasisPoints::FULL,
                }],
            }];
            c.recoupables = vec![Recoupable {
                category: CostCategory::Recording,
                share: BasisPoints::FULL,
            }];
            let id = labeldesk::db::contracts::insert(tx, &c)?;
            let period = labeldesk::db::contracts::next_open_period(tx, id)?;
            labeldesk::db::contracts::issue(tx, id, period, day(2024, 1, 5))?;
            Ok(())
        })
        .expect("a contract with an issued statement");
    let taken = count_rows(&catalog, "statement_income");
    assert!(taken > 0, "the statement took the report's matched lines");
    assert_eq!(count_rows(&catalog, "statement_costs"), 1);
    drop(catalog);

    let mut harness = app_on(&path);
    harness.get_by_label("Sales").click();
    harness.run();
    step_until(&mut harness, "the imports list", |h| {
        h.query_by_label("Remove…").is_some()
    });
    // The list's columns size themselves to the rows over the next frames: click once still.
    let mut last = None;
    step_until(&mut harness, "the list to settle", |h| {
        let rect = h.get_by_label("Remove…").rect();
        last.replace(rect) == Some(rect)
    });
    harness.get_by_label("Remove…").click();
    step_until(&mut harness, "the question", |h| {
        h.query_by_role_and_label(Role::Button, "Remove").is_some()
    });
    harness.get_by_label("Remove").click();
    step_until(&mut harness, "the refusal", |h| {
        !h.state().is_writing_ledger() && status_starts_with(h, "Remove import")
    });
    assert_eq!(
        harness.state().status_text(),
        Some(
            "Remove import distrokid-big.tsv not saved: “distrokid-big.tsv” stays in the \
             ledger: the issued statement “Hier deal 2023 H2” accounted for its lines, and an \
             issued statement is final. A correction goes into a later report or period."
        )
    );
    assert_eq!(count_rows(ui_catalog(&harness), "income_lines"), 200);
    assert_eq!(count_rows(ui_catalog(&harness), "statement_income"), taken);
    assert!(harness.state().history().is_empty());

    harness.get_by_label("Costs").click();
    // The panel reads the ledger on a background job: wait for the two costs.
    step_until(&mut harness, "the costs", |h| {
        h.query_all_by_role_and_label(Role::Button, "Delete")
            .count()
            == 2
    });
    let deletes: Vec<bool> = harness
        .get_all_by_role_and_label(Role::Button, "Delete")
        .map(|b| b.accesskit_node().is_disabled())
        .collect();
    // Newest first, same date: the uncharged cost (added second), then the charged one.
    assert_eq!(deletes, [false, true]);
}

/// A Bandcamp report's preview says what its packages take from stock, and importing it
/// takes them out of the home location.
#[test]
fn the_preview_says_what_a_bandcamp_report_takes_from_stock() {
    use labeldesk::db::shows;
    use labeldesk::model::shows::{Movement, MovementReason, StockItem};
    use labeldesk::model::{Format, FormatKind};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = catalog_file(dir.path());
    let mut catalog = Catalog::open(&path).expect("open");
    let (vinyl, home) = catalog
        .write(|tx| {
            let vinyl = labeldesk::db::formats::insert(
                tx,
                &Format::new(labeldesk::model::ReleaseId(1), FormatKind::Vinyl12),
            )?;
            let (home, _) = ledger::home_location(tx)?.expect("home");
            let home = labeldesk::model::shows::LocationId(home);
            shows::add_movement(
                tx,
                &Movement {
                    item: StockItem::Format(vinyl),
                    location: home,
                    quantity: 5,
                    reason: MovementReason::Received,
                    note: String::new(),
                },
            )?;
            Ok((vinyl, home))
        })
        .expect("5 LPs at home");
    drop(catalog);
    let file = dir.path().join("bandcamp.csv");
    std::fs::write(
        &file,
        "date,paid to,item type,item name,artist,currency,item price,quantity,discount code,sub total,transaction fee,fee type,item total,amount you received,bandcamp transaction id,paypal transaction id,net amount\n\
         11/20/26 5:45pm,Bandcamp,package,Hier,Tøilette & Café,USD,25,2,,50,1.7,paypal,50,48.3,1234000010,,42.5\n\
         11/21/26 9:00am,Bandcamp,track,\"Hier, à l'aube\",Tøilette & Café,USD,1,1,,1,0.2,paypal,1,0.8,1234000011,,0.8\n",
    )
    .expect("write report");
    let mut harness = app_on(&path);
    read_report(&mut harness, &file, 2);
    harness.get_by_label("Stock");
    harness.get_by_label("2 items out of Home (1 sale)");
    harness.get_by_label("Import 2 lines").click();
    step_until(&mut harness, "the import", |h| {
        !h.state().is_writing_ledger() && status_starts_with(h, "Saved")
    });
    let left = shows::stock_at(ui_catalog(&harness).conn(), StockItem::Format(vinyl), home)
        .expect("stock");
    assert_eq!(left, 3);
}

/// Review: a package line for a release with an LP and a CD asks which format it was; mapped
/// to the LP, its two copies leave the home stock.
#[test]
fn a_package_mapped_to_a_format_in_review_takes_its_stock() {
    use labeldesk::db::shows;
    use labeldesk::model::shows::{LocationId, StockItem};
    use labeldesk::model::{Format, FormatKind};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = catalog_file(dir.path());
    let mut catalog = Catalog::open(&path).expect("open");
    let lp = catalog
        .write(|tx| {
            let release = labeldesk::model::ReleaseId(1);
            let lp =
                labeldesk::db::formats::insert(tx, &Format::new(release, FormatKind::Vinyl12))?;
            labeldesk::db::formats::insert(tx, &Format::new(release, FormatKind::Cd))?;
            Ok(lp)
        })
        .expect("an LP and a CD");
    let (home, _) = ledger::home_location(catalog.conn())
        .expect("home")
        .expect("a home location");
    drop(catalog);
    let file = dir.path().join("bandcamp.csv");
    std::fs::write(
        &file,
        "date,paid to,item type,item name,artist,currency,item price,quantity,discount code,sub total,transaction fee,fee type,item total,amount you received,bandcamp transaction id,paypal transaction id,net amount\n\
         11/20/26 5:45pm,Bandcamp,package,Hier LP,Tøilette & Café,USD,25,2,,50,1.7,paypal,50,48.3,1234000010,,42.5\n",
    )
    .expect("write report");
    let mut harness = app_on(&path);
    read_report(&mut harness, &file, 1);
    harness.get_by_label("1 physical sale not matched to one format: not taken from stock");
    harness.get_by_label("Import 1 line").click();
    step_until(&mut harness, "the import", |h| {
        !h.state().is_writing_ledger() && status_starts_with(h, "Saved")
    });
    step_until(&mut harness, "the review count", |h| {
        h.query_by_label("Review (1)").is_some()
    });
    harness.get_by_label("Review (1)").click();
    let is_line = |n: &egui_kittest::kittest::AccessKitNode<'_>| {
        n.label()
            .is_some_and(|l| l.starts_with("Tøilette & Café – Hier LP"))
    };
    step_until(&mut harness, "the review list", |h| {
        h.query_by(is_line).is_some()
    });
    harness.get_by(is_line).click();
    harness.run();
    for (combo, option) in [
        ("Map to release", "Hier (Tøilette & Café)"),
        ("Map to format", "12\" vinyl"),
    ] {
        harness.get_by_role_and_label(Role::ComboBox, combo).click();
        harness.run();
        harness.get_by_label(option).click();
        harness.run();
    }
    // A package is for a format, never a track: no track picker.
    assert!(
        harness
            .query_by_role_and_label(Role::ComboBox, "Map to track")
            .is_none()
    );
    harness.get_by_label("Map these lines").click();
    let stock = |h: &Harness<'_, LabeldeskApp>| {
        shows::stock_at(
            ui_catalog(h).conn(),
            StockItem::Format(lp),
            LocationId(home),
        )
        .expect("stock")
    };
    step_until(&mut harness, "the mapping", |h| stock(h) == -2);
    assert_eq!(
        count_rows(ui_catalog(&harness), "stock_movements"),
        1,
        "one movement, for the one line"
    );
}
