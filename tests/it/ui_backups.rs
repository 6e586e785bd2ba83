//! Backups from the window: back up now, then restore, all on background threads.

use crate::common;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use labeldesk::app::{LabeldeskApp, UiState};
use labeldesk::db::{self, Catalog};
use labeldesk::io::spreadsheet::Field;
use labeldesk::model::ReleaseId;

fn step_until(
    harness: &mut Harness<'_, LabeldeskApp>,
    what: &str,
    mut done: impl FnMut(&LabeldeskApp) -> bool,
) {
    for _ in 0..1000 {
        harness.step();
        if done(harness.state()) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!(
        "timed out waiting for {what}; status: {:?}",
        harness.state().status_text()
    );
}

/// The app on a catalog, first frame drawn.
fn app_on(catalog: Catalog) -> Harness<'static, LabeldeskApp> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 1000.0))
        .with_max_steps(24)
        .build_eframe(move |_cc| LabeldeskApp::new(catalog, UiState::default()));
    harness.run();
    harness
}

/// A new catalog file at `path` holding the demo label.
fn demo_file(path: &std::path::Path) -> Catalog {
    let mut catalog = Catalog::create(path).expect("create");
    catalog
        .write(|tx| labeldesk::demo::create(tx, common::today()))
        .expect("demo");
    catalog
}

/// Clicks a panel in the navigation (not a heading or label of the same name).
fn nav(harness: &mut Harness<'_, LabeldeskApp>, panel: &str) {
    harness
        .get_by(|n| n.role() != Role::Label && n.label().as_deref() == Some(panel))
        .click();
    harness.run();
}

/// File > Import…, with `path` typed into the file field.
fn open_import(harness: &mut Harness<'_, LabeldeskApp>, path: &str) {
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Import…").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "File to import")
        .focus();
    harness.run();
    // Replace what an earlier import left in the field.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, "File to import")
        .type_text(path);
    harness.run();
}

#[test]
fn back_up_now_then_restore_brings_back_the_old_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("label.sqlite");
    let catalog = demo_file(&path);
    let original = db::releases::get(catalog.conn(), ReleaseId(1))
        .expect("release")
        .title;
    let mut harness = app_on(catalog);

    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Back up now").click();
    step_until(&mut harness, "the backup", |app| {
        app.status_text()
            .is_some_and(|s| s.starts_with("Backed up"))
    });
    let backups =
        labeldesk::io::backup::list(&labeldesk::io::backup::backups_dir(&path)).expect("list");
    assert_eq!(backups.len(), 1, "one snapshot beside the catalog");

    // Change the catalog after the backup.
    harness.get_by_label(&original).click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Title")
        .focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, "Title")
        .type_text("Renamed After Backup");
    harness.key_press(Key::Enter);
    harness.run();
    let renamed = db::releases::get(
        harness.state().catalog().expect("open").conn(),
        ReleaseId(1),
    )
    .expect("r")
    .title;
    assert_eq!(renamed, "Renamed After Backup");

    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Backups…").click();
    harness.run();
    harness.get_by_label("Restore…").click();
    harness.run();
    harness.get_by_label("Restore").click();
    step_until(&mut harness, "the restore", |app| {
        app.catalog().is_some() && app.status_text().is_some_and(|s| s.starts_with("Restored"))
    });
    let restored = db::releases::get(
        harness.state().catalog().expect("reopened").conn(),
        ReleaseId(1),
    )
    .expect("r");
    assert_eq!(restored.title, original, "the backup's data is back");
    let after =
        labeldesk::io::backup::list(&labeldesk::io::backup::backups_dir(&path)).expect("list");
    assert_eq!(
        after.len(),
        2,
        "the catalog as it was was snapshotted before the restore"
    );
}

#[test]
fn import_a_spreadsheet_through_the_window_with_a_preview_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("label.sqlite");
    let catalog = Catalog::create(&path).expect("create");
    catalog
        .conn()
        .execute(
            "INSERT INTO labels (name, is_own) VALUES ('Saltmarsh', 1)",
            [],
        )
        .expect("label");
    let sheet = dir.path().join("my releases.csv");
    std::fs::write(
        &sheet,
        "Cat No,Artist,Title,Track,Position,Duration,ISRC\n\
         SK001,Grey Heron,Concrete Birds,Pylons,A1,3:12,GB-AYE-26-00001\n\
         SK001,Grey Heron,Concrete Birds,Ferry Lights,A2,4:01,\n\
         SK002,Nação Zumbi,Da Lama,Banditismo,1,5:10,\n",
    )
    .expect("write csv");
    let mut harness = app_on(catalog);
    open_import(&mut harness, sheet.to_str().expect("utf-8"));
    harness.get_by_label("Read file").click();
    for _ in 0..1000 {
        harness.step();
        if harness.query_by_label("Import into catalog").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let releases = |app: &LabeldeskApp| -> i64 {
        app.catalog()
            .expect("open")
            .conn()
            .query_row("SELECT count(*) FROM releases", [], |r| r.get(0))
            .expect("count")
    };
    assert_eq!(releases(harness.state()), 0, "the preview writes nothing");
    harness.get_by_label("Import into catalog").click();
    step_until(&mut harness, "the import", |app| {
        app.status_text().is_some_and(|s| s.starts_with("Imported"))
    });
    assert_eq!(releases(harness.state()), 2);
    let tracks: i64 = harness
        .state()
        .catalog()
        .expect("open")
        .conn()
        .query_row("SELECT count(*) FROM tracks", [], |r| r.get(0))
        .expect("count");
    assert_eq!(tracks, 3);
    let snapshots =
        labeldesk::io::backup::list(&labeldesk::io::backup::backups_dir(&path)).expect("list");
    assert!(
        snapshots
            .iter()
            .any(|b| b.reason.as_deref() == Some("before-import")),
        "a snapshot was taken before the import: {snapshots:?}"
    );
    assert!(
        harness.query_by_label("Concrete Birds").is_some(),
        "the table shows the imported release"
    );
}

#[test]
fn export_as_json_from_the_window_writes_a_lossless_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("label.sqlite");
    let catalog = demo_file(&path);
    let mut harness = app_on(catalog);
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Export as JSON…").click();
    harness.run();
    let dest = dir.path().join("out.json");
    harness
        .get_by_role_and_label(Role::TextInput, "File")
        .focus();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, "File")
        .type_text(dest.to_str().expect("utf-8"));
    harness.run();
    harness.get_by_label("Export").click();
    step_until(&mut harness, "the export", |app| {
        app.status_text().is_some_and(|s| s.starts_with("Exported"))
    });
    let doc = labeldesk::io::json::read_file(&dest).expect("a Labeldesk JSON document");
    let mut copy = Catalog::open_in_memory().expect("empty");
    let control = labeldesk::jobs::JobControl::detached();
    labeldesk::io::json::import(&mut copy, &doc, &control).expect("imports into an empty catalog");
    let releases: i64 = copy
        .conn()
        .query_row("SELECT count(*) FROM releases", [], |r| r.get(0))
        .expect("count");
    assert_eq!(releases, 20);
}

#[test]
fn the_demo_label_goes_into_its_own_file_never_into_your_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("label.sqlite");
    let catalog = Catalog::create(&path).expect("create");
    let mut harness = app_on(catalog);
    harness.get_by_label("Create demo label").click();
    harness.run();
    let open = harness
        .state()
        .catalog()
        .expect("open")
        .path()
        .expect("a file")
        .to_path_buf();
    assert_eq!(open, dir.path().join("demo-label.sqlite"));
    let releases = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM releases", [], |r| r.get(0))
            .expect("count")
    };
    assert_eq!(
        releases(harness.state().catalog().expect("open").conn()),
        20
    );
    let own = rusqlite::Connection::open(&path).expect("own catalog");
    assert_eq!(releases(&own), 0, "your own catalog stays empty");
    drop(own);
    harness.get_by_label("File").click();
    harness.run();
    harness
        .get_by_label("Open your catalog (label.sqlite)")
        .click();
    harness.run();
    assert_eq!(
        harness.state().catalog().expect("open").path(),
        Some(path.as_path())
    );
    assert!(
        harness.query_by_label("Create demo label").is_some(),
        "back on the welcome screen"
    );
}

#[test]
fn a_labeldesk_export_loads_into_an_empty_catalog_from_the_import_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = common::demo_catalog();
    let export = dir.path().join("label-export.json");
    labeldesk::io::json::export_to_file(
        source.conn(),
        &export,
        &labeldesk::jobs::JobControl::detached(),
    )
    .expect("export");
    let path = dir.path().join("new.sqlite");
    let catalog = Catalog::create(&path).expect("create");
    let mut harness = app_on(catalog);
    open_import(&mut harness, export.to_str().expect("utf-8"));
    harness.get_by_label("Load export").click();
    step_until(&mut harness, "the load", |app| {
        app.status_text().is_some_and(|s| s.starts_with("Imported"))
    });
    let releases: i64 = harness
        .state()
        .catalog()
        .expect("open")
        .conn()
        .query_row("SELECT count(*) FROM releases", [], |r| r.get(0))
        .expect("count");
    assert_eq!(releases, 20);
    harness.run();
    assert!(
        harness.query_by_label("Create demo label").is_none(),
        "the welcome screen gave way"
    );
    assert!(
        harness.query_by_label("Harbour Lights").is_some(),
        "the catalog shows the loaded releases"
    );
}

#[test]
fn snapshots_are_also_copied_to_a_second_folder_and_its_age_is_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let usb = tempfile::tempdir().expect("usb stick");
    let path = dir.path().join("label.sqlite");
    let catalog = demo_file(&path);
    let mut harness = app_on(catalog);
    assert!(
        harness
            .query_by_label_contains("No second backup folder")
            .is_some()
    );
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Backups…").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Second backup folder")
        .focus();
    harness
        .get_by_role_and_label(Role::TextInput, "Second backup folder")
        .type_text(usb.path().to_str().expect("utf-8"));
    harness.run();
    harness.get_by_label("Use this folder").click();
    harness.run();
    assert!(
        harness
            .query_by_label("No copy off this laptop yet")
            .is_some()
    );
    harness.get_by_label("Back up now").click();
    step_until(&mut harness, "the backup", |app| {
        app.status_text()
            .is_some_and(|s| s.starts_with("Backed up"))
    });
    assert!(
        harness
            .state()
            .status_text()
            .is_some_and(|s| s.contains("copied to")),
        "{:?}",
        harness.state().status_text()
    );
    let copies = labeldesk::io::backup::list(usb.path()).expect("list");
    assert_eq!(copies.len(), 1, "one snapshot on the stick");
    harness.run();
    assert!(
        harness
            .query_by_label("Off-laptop copy: under an hour old")
            .is_some()
    );
    assert_eq!(
        harness.state().ui_state().second_backup_folder.as_deref(),
        Some(usb.path()),
        "remembered"
    );
}

/// Waits until the import preview is ready again (after reading or re-reading the sheet).
fn wait_for_preview(harness: &mut Harness<'_, LabeldeskApp>) {
    for _ in 0..1000 {
        harness.step();
        if harness.query_by_label("Reading the sheet again…").is_none()
            && harness.query_by_label("Save mapping as").is_some()
        {
            harness.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the import preview did not come back");
}

/// Picks `column` for `field` in the import window's column mapping.
fn map_column(harness: &mut Harness<'_, LabeldeskApp>, field: &str, column: &str) {
    harness.get_by_role_and_label(Role::ComboBox, field).click();
    harness.run();
    harness
        .get_all_by_label(column)
        .last()
        .expect("option")
        .click();
    harness.run();
    wait_for_preview(harness);
}

#[test]
fn a_spreadsheet_column_mapping_is_picked_saved_and_used_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("label.sqlite");
    let catalog = Catalog::create(&path).expect("create");
    // Headers Labeldesk cannot guess: the title is in "Product", the artist in "Who".
    let first = dir.path().join("shop export 1.csv");
    std::fs::write(
        &first,
        "Ref;Who;Product;Line\n\
         SK001;Grey Heron;Concrete Birds;Pylons\n\
         SK001;Grey Heron;Concrete Birds;Ferry Lights\n\
         SK002;Nação Zumbi;Da Lama;Banditismo\n",
    )
    .expect("write csv");
    let second = dir.path().join("shop export 2.csv");
    std::fs::write(
        &second,
        "Ref;Who;Product;Line\nSK003;Grey Heron;Salt Roads;Estuary\n",
    )
    .expect("write csv");
    let count = |app: &LabeldeskApp, sql: &str| -> i64 {
        app.catalog()
            .expect("open")
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .expect("count")
    };
    let mut harness = app_on(catalog);
    open_import(&mut harness, first.to_str().expect("utf-8"));
    harness.get_by_label("Read file").click();
    wait_for_preview(&mut harness);
    assert!(
        harness
            .query_by_label_contains("No column is chosen for the Title")
            .is_some(),
        "the preview says what is missing"
    );

    map_column(&mut harness, "Title", "Product");
    map_column(&mut harness, "Artist", "Who");
    map_column(&mut harness, "Track title", "Line");
    map_column(&mut harness, "Catalog number", "Ref");
    assert!(
        harness
            .query_by_label_contains("No column is chosen")
            .is_none()
    );
    assert_eq!(count(harness.state(), "SELECT count(*) FROM releases"), 0);

    harness
        .get_by_role_and_label(Role::TextInput, "Save mapping as")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Save mapping as")
        .type_text("Shop export");
    harness.run();
    harness.get_by_label("Save mapping").click();
    harness.run();
    let saved =
        db::import_mappings::list(harness.state().catalog().expect("open").conn()).expect("list");
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].0, "Shop export");
    let mapping =
        labeldesk::io::spreadsheet::ColumnMapping::from_json(&saved[0].1).expect("mapping json");
    assert_eq!(mapping.column(Field::Title), Some("Product"));
    assert_eq!(mapping.column(Field::Artist), Some("Who"));
    assert_eq!(mapping.column(Field::TrackTitle), Some("Line"));
    assert_eq!(mapping.column(Field::CatalogNumber), Some("Ref"));

    harness.get_by_label("Import into catalog").click();
    step_until(&mut harness, "the import", |app| {
        app.status_text().is_some_and(|s| s.starts_with("Imported"))
    });
    assert_eq!(count(harness.state(), "SELECT count(*) FROM releases"), 2);
    assert_eq!(count(harness.state(), "SELECT count(*) FROM tracks"), 3);
    assert_eq!(
        count(
            harness.state(),
            "SELECT count(*) FROM catalog_numbers WHERE catno = 'SK002'"
        ),
        1
    );

    // The next export of the same shop reads itself through the saved mapping.
    open_import(&mut harness, second.to_str().expect("utf-8"));
    harness.get_by_label("Read file").click();
    wait_for_preview(&mut harness);
    assert!(
        harness
            .query_by_label_contains("read through the saved mapping “Shop export”")
            .is_some()
    );
    harness.get_by_label("Import into catalog").click();
    step_until(&mut harness, "the second import", |app| {
        app.status_text()
            .is_some_and(|s| s.starts_with("Imported") && app.catalog().is_some())
            && count(app, "SELECT count(*) FROM releases") == 3
    });
    assert_eq!(
        count(
            harness.state(),
            "SELECT count(*) FROM releases WHERE title = 'Salt Roads'"
        ),
        1
    );
}

#[test]
fn a_restore_waits_for_unsaved_contract_terms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("label.sqlite");
    let catalog = demo_file(&path);
    let mut harness = app_on(catalog);
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Back up now").click();
    step_until(&mut harness, "the backup", |app| {
        app.status_text()
            .is_some_and(|s| s.starts_with("Backed up"))
    });

    // Unsaved terms in the Contracts editor.
    nav(&mut harness, "Contracts");
    harness
        .get_by(|n| {
            n.role() == Role::Button
                && n.label()
                    .is_some_and(|l| l.starts_with("Recording agreement\n"))
        })
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Title")
        .focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, "Title")
        .type_text("Recording agreement, renegotiated");
    harness.run();

    // Restoring would reset every panel: refused, and the terms are still there.
    nav(&mut harness, "Catalog");
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Backups…").click();
    harness.run();
    harness.get_by_label("Restore…").click();
    harness.run();
    harness.get_by_label("Restore").click();
    harness.run();
    assert_eq!(
        harness.state().status_text(),
        Some(
            "Not restoring a backup. Your unsaved changes to “Recording agreement, renegotiated” \
             are kept in Contracts: save or discard them there"
        )
    );
    assert_eq!(
        harness.state().panel(),
        labeldesk::command::Panel::Contracts
    );
    assert!(
        harness.state().catalog().is_some(),
        "the catalog stays open"
    );
    assert_eq!(
        harness
            .get_by_role_and_label(Role::TextInput, "Title")
            .value()
            .as_deref(),
        Some("Recording agreement, renegotiated")
    );
}

#[test]
fn a_catalog_from_an_older_labeldesk_is_upgraded_behind_a_screen_that_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite");
    // The demo label as the previous version wrote it: every migration but the last.
    let latest = db::migrations::latest_version();
    let migrations = db::migrations::MIGRATIONS;
    {
        let mut conn = rusqlite::Connection::open(&path).expect("raw");
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        conn.pragma_update(None, "foreign_keys", true)
            .expect("foreign keys");
        db::migrations::migrate(&mut conn, &migrations[..migrations.len() - 1], "old.sqlite")
            .expect("the previous version's schema");
        let tx = conn.transaction().expect("tx");
        labeldesk::demo::create(&tx, common::today()).expect("demo");
        tx.commit().expect("commit");
    }
    assert_eq!(Catalog::pending_upgrade(&path), Some((latest - 1, latest)));

    let opened = path.clone();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 1000.0))
        .with_max_steps(24)
        .build_eframe(move |_cc| labeldesk::app::open_app(Some(opened), UiState::default()));
    harness.step();
    harness.get_by_label("Upgrading your catalog…");
    step_until(&mut harness, "the upgrade", |app| {
        app.catalog().is_some() && app.status_text().is_some_and(|s| s.starts_with("Upgraded"))
    });
    let conn = harness.state().catalog().expect("open").conn();
    assert_eq!(db::migrations::user_version(conn).expect("version"), latest);
    assert_eq!(Catalog::pending_upgrade(&path), None);
    // The search index rebuilt by the upgrade finds the demo's first release by its title.
    let title = db::releases::get(conn, ReleaseId(1))
        .expect("release")
        .title;
    let hits = db::search::search(conn, &title, 10).expect("search");
    assert!(
        hits.iter().any(|h| h.release == Some(ReleaseId(1))),
        "{title}: {hits:?}"
    );
    let report = db::check::run(conn).expect("check");
    assert!(report.is_ok(), "{report:?}");
}
