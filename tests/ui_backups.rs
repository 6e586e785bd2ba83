//! Backups from the window: back up now, then restore, all on background threads.

mod common;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use labeldesk::app::{LabeldeskApp, UiState};
use labeldesk::db::{self, Catalog};
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

/// File > Import…, with `path` typed into the file field.
fn open_import(harness: &mut Harness<'_, LabeldeskApp>, path: &str) {
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Import…").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "File to import")
        .focus();
    harness
        .get_by_role_and_label(Role::TextInput, "File to import")
        .type_text(path);
    harness.run();
}

#[test]
fn back_up_now_then_restore_brings_back_the_old_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("label.sqlite");
    let mut catalog = Catalog::create(&path).expect("create");
    catalog
        .write(|tx| labeldesk::demo::create(tx, common::today()))
        .expect("demo");
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
    let mut catalog = Catalog::create(&path).expect("create");
    catalog
        .write(|tx| labeldesk::demo::create(tx, common::today()))
        .expect("demo");
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
    let mut catalog = Catalog::create(&path).expect("create");
    catalog
        .write(|tx| labeldesk::demo::create(tx, common::today()))
        .expect("demo");
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
