//! Backups: checked snapshots, thinning, restore over a damaged catalog, damage detection.

use crate::common;

use std::path::{Path, PathBuf};

use chrono::{TimeDelta, TimeZone, Utc};
use labeldesk::db::migrations::{self, MIGRATIONS};
use labeldesk::db::{Catalog, DbError};
use labeldesk::io::backup::{self, BackupError, SafetyCopy};
use labeldesk::io::json;
use labeldesk::jobs::JobControl;
use rusqlite::Connection;

fn export_bytes(catalog: &Catalog) -> Vec<u8> {
    json::export(catalog.conn(), &JobControl::default())
        .expect("export")
        .to_json_bytes()
}

/// The JSON export of a catalog file (opened and closed again).
fn export_file(path: &Path) -> Vec<u8> {
    export_bytes(&Catalog::open(path).expect("open"))
}

fn demo_file(dir: &Path) -> PathBuf {
    let path = dir.join("label").join("catalog.sqlite");
    let mut catalog = Catalog::create(&path).expect("create");
    catalog
        .write(|tx| labeldesk::demo::create(tx, common::today()))
        .expect("demo");
    path
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn no_side_files(path: &Path) {
    assert!(!labeldesk::db::wal_path(path).exists(), "no -wal left");
    assert!(!backup::shm_path(path).exists(), "no -shm left");
}

/// Overwrites the middle third of a file with a pattern, page-aligned.
fn damage_middle(path: &Path) {
    let mut bytes = common::bytes(path);
    let (from, to) = (bytes.len() / 3 / 4096 * 4096, bytes.len() * 2 / 3);
    for (i, b) in bytes[from..to].iter_mut().enumerate() {
        *b = [0x55, 0xAA, 0x00, 0xFF][i % 4];
    }
    std::fs::write(path, bytes).expect("damage");
}

#[test]
fn a_snapshot_is_a_checked_copy_named_by_time_and_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_file(dir.path());
    let catalog = Catalog::open(&path).expect("open");
    let backups = backup::backups_dir(&path);
    assert_eq!(backups, dir.path().join("label").join("backups"));
    let before = Utc::now() - TimeDelta::seconds(1);
    let snap = backup::snapshot(&catalog, &backups, Some("Before import")).expect("snapshot");
    let name = snap.file_name().and_then(|n| n.to_str()).expect("name");
    let (taken, reason) = backup::parse_snapshot_name(name).expect("a snapshot name");
    assert_eq!(reason.as_deref(), Some("before-import"));
    assert!(taken >= before.with_timezone(&Utc) - TimeDelta::seconds(1) && taken <= Utc::now());
    assert!(name.starts_with("catalog-") && name.ends_with("-before-import.sqlite"));
    assert_eq!(names_in(&backups), [name], "no temporary file left behind");
    no_side_files(&snap);
    // Same second, same reason: a second name, not an overwrite.
    let again = backup::snapshot(&catalog, &backups, Some("Before import")).expect("again");
    assert_ne!(again, snap);

    let listed = backup::list(&backups).expect("list");
    assert_eq!(listed.len(), 2);
    assert!(listed[0].taken_at >= listed[1].taken_at, "newest first");
    let info = listed.iter().find(|b| b.path == snap).expect("listed");
    assert_eq!(info.size, std::fs::metadata(&snap).expect("meta").len());

    let expected = export_bytes(&catalog);
    drop(catalog);
    let copy = dir.path().join("copy.sqlite");
    std::fs::copy(&snap, &copy).expect("copy");
    assert_eq!(
        export_file(&copy),
        expected,
        "the snapshot holds the same catalog"
    );
}

#[test]
fn an_in_memory_catalog_can_be_snapshotted_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog = common::demo_catalog();
    let snap = backup::snapshot(&catalog, dir.path(), None).expect("snapshot");
    let copy = dir.path().join("copy.sqlite");
    std::fs::copy(&snap, &copy).expect("copy");
    assert_eq!(export_file(&copy), export_bytes(&catalog));
}

#[test]
fn prune_keeps_the_thinning_schedule_and_nothing_else_is_touched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backups = dir.path().join("backups");
    std::fs::create_dir_all(&backups).expect("dir");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
        .single()
        .expect("now");
    // One snapshot every 6 hours for 400 days.
    let mut all = Vec::new();
    for i in 0..(400 * 4) {
        let taken = now - TimeDelta::hours(6 * i) - TimeDelta::minutes(1);
        let name = format!("{}.sqlite", backup::snapshot_base_name(taken, Some("auto")));
        std::fs::write(backups.join(&name), b"x").expect("write");
        all.push(taken);
    }
    for other in [
        "damaged-20250101-000000.sqlite",
        "notes.txt",
        "catalog-20250101-000000.sqlite-wal",
    ] {
        std::fs::write(backups.join(other), b"keep me").expect("write");
    }
    let plan = backup::thinning_plan(&all, now);
    let removed = backup::prune(&backups, now).expect("prune");
    let kept = backup::list(&backups).expect("list");
    assert_eq!(kept.len(), plan.iter().filter(|r| r.is_kept()).count());
    assert_eq!(kept.len() + removed.len(), all.len());
    // 4 from the last 24 hours + 12 days + 10 weeks + 9 months.
    assert_eq!(kept.len(), 4 + 12 + 10 + 9);
    let newest = now - TimeDelta::minutes(1);
    assert_eq!(kept[0].taken_at, newest, "the newest is kept");
    // One per day for the 12 days after the first 24 hours.
    for day in 1..=12 {
        let date = (now - TimeDelta::days(day)).date_naive();
        let of_day: Vec<_> = kept
            .iter()
            .filter(|b| b.taken_at.date_naive() == date && now - b.taken_at > TimeDelta::hours(24))
            .collect();
        assert!(of_day.len() <= 1, "at most one kept for {date}");
    }
    for other in [
        "damaged-20250101-000000.sqlite",
        "notes.txt",
        "catalog-20250101-000000.sqlite-wal",
    ] {
        assert!(backups.join(other).exists(), "{other} untouched");
    }
    // Pruning again removes nothing.
    assert!(backup::prune(&backups, now).expect("again").is_empty());
}

#[test]
fn backup_then_damage_then_restore_gives_the_same_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_file(dir.path());
    let expected = export_file(&path);
    let snap = {
        let catalog = Catalog::open(&path).expect("open");
        backup::snapshot(&catalog, &backup::backups_dir(&path), None).expect("snapshot")
    };
    no_side_files(&path);
    damage_middle(&path);
    // The damage is real: the catalog no longer opens, or its quick check fails.
    let detected = match Catalog::open(&path) {
        Err(_) => true,
        Ok(catalog) => !backup::quick_check(catalog.conn())
            .expect("quick check")
            .is_empty(),
    };
    assert!(detected, "the damage is detected");
    let damaged = common::bytes(&path);

    let outcome = backup::restore(&snap, &path).expect("restore");
    let SafetyCopy::Damaged(copies) = &outcome.safety_copy else {
        panic!(
            "a damaged catalog is kept aside raw: {:?}",
            outcome.safety_copy
        );
    };
    assert_eq!(
        common::bytes(&copies[0]),
        damaged,
        "the damaged bytes are kept"
    );
    assert!(
        copies[0]
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("damaged-")),
        "{copies:?}"
    );
    no_side_files(&path);
    assert_eq!(
        export_file(&path),
        expected,
        "restored to the backed-up state"
    );
    no_side_files(&path);
    let catalog = Catalog::open(&path).expect("open");
    assert!(backup::quick_check(catalog.conn()).expect("qc").is_empty());
    assert!(
        labeldesk::db::check::run(catalog.conn())
            .expect("check")
            .is_ok()
    );
}

#[test]
fn a_catalog_whose_header_is_destroyed_is_kept_aside_and_restored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_file(dir.path());
    let expected = export_file(&path);
    let snap = backup::snapshot(
        &Catalog::open(&path).expect("open"),
        &backup::backups_dir(&path),
        None,
    )
    .expect("snapshot");
    let mut bytes = common::bytes(&path);
    bytes[..512].fill(0x42);
    std::fs::write(&path, &bytes).expect("damage");
    assert!(matches!(
        Catalog::open(&path),
        Err(DbError::NotACatalog { .. } | DbError::Damaged { .. })
    ));
    let outcome = backup::restore(&snap, &path).expect("restore");
    let SafetyCopy::Damaged(copies) = outcome.safety_copy else {
        panic!("kept aside");
    };
    assert_eq!(
        common::bytes(&copies[0]),
        bytes,
        "the unreadable bytes are kept"
    );
    assert_eq!(export_file(&path), expected);
    no_side_files(&path);
}

#[test]
fn restore_snapshots_the_current_catalog_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_file(dir.path());
    let snap = backup::snapshot(
        &Catalog::open(&path).expect("open"),
        &backup::backups_dir(&path),
        Some("old"),
    )
    .expect("snapshot");
    let old = export_file(&path);
    Connection::open(&path)
        .expect("raw")
        .execute(
            "INSERT INTO artists (name) VALUES ('Added After The Backup')",
            [],
        )
        .expect("edit");
    let edited = export_file(&path);
    assert_ne!(old, edited);

    let outcome = backup::restore(&snap, &path).expect("restore");
    let SafetyCopy::Snapshot(kept) = &outcome.safety_copy else {
        panic!(
            "a healthy catalog is snapshotted: {:?}",
            outcome.safety_copy
        );
    };
    assert!(
        kept.to_string_lossy().ends_with("-before-restore.sqlite"),
        "{}",
        kept.display()
    );
    assert_eq!(export_file(&path), old);
    let copy = dir.path().join("kept.sqlite");
    std::fs::copy(kept, &copy).expect("copy");
    assert_eq!(
        export_file(&copy),
        edited,
        "the edits are in the safety snapshot"
    );
    assert_eq!(outcome.backup_version, migrations::latest_version());
}

#[test]
fn restore_reaches_connections_that_are_open_and_leaves_no_wal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_file(dir.path());
    let snap = backup::snapshot(
        &Catalog::open(&path).expect("open"),
        &backup::backups_dir(&path),
        None,
    )
    .expect("snapshot");
    // The app still has the catalog open while the restore runs.
    let app = Catalog::open(&path).expect("app connection");
    let mut app = app;
    app.write(|tx| {
        tx.execute("DELETE FROM release_artists", [])?;
        tx.execute("DELETE FROM tracks", [])?;
        Ok(())
    })
    .expect("edit");
    let tracks = |catalog: &Catalog| -> i64 {
        catalog
            .conn()
            .query_row("SELECT count(*) FROM tracks", [], |r| r.get(0))
            .expect("count")
    };
    assert_eq!(tracks(&app), 0);
    backup::restore(&snap, &path).expect("restore under an open connection");
    assert!(
        tracks(&app) > 0,
        "the open connection sees the restored catalog"
    );
    drop(app);
    no_side_files(&path);
}

#[test]
fn restore_creates_a_missing_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = demo_file(dir.path());
    let snap = backup::snapshot(
        &Catalog::open(&source).expect("open"),
        &dir.path().join("elsewhere"),
        None,
    )
    .expect("snapshot");
    let target = dir.path().join("new").join("catalog.sqlite");
    let outcome = backup::restore(&snap, &target).expect("restore");
    assert_eq!(outcome.safety_copy, SafetyCopy::NoCatalog);
    assert_eq!(export_file(&target), export_file(&source));
    no_side_files(&target);
}

#[test]
fn an_older_backup_is_upgraded_on_a_copy_and_the_backup_file_is_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = dir.path().join("v1.sqlite");
    {
        let mut conn = Connection::open(&old).expect("raw");
        migrations::migrate(&mut conn, &MIGRATIONS[..1], "v1").expect("v1 schema");
        conn.execute("INSERT INTO artists (name) VALUES ('From Version One')", [])
            .expect("row");
    }
    let before = common::bytes(&old);
    let target = dir.path().join("catalog.sqlite");
    let outcome = backup::restore(&old, &target).expect("restore");
    assert_eq!(outcome.backup_version, 1);
    assert_eq!(
        common::bytes(&old),
        before,
        "the backup file is never changed"
    );
    no_side_files(&old);
    let catalog = Catalog::open(&target).expect("open");
    assert_eq!(
        migrations::user_version(catalog.conn()).expect("version"),
        migrations::latest_version()
    );
    let name: String = catalog
        .conn()
        .query_row("SELECT name FROM artists", [], |r| r.get(0))
        .expect("row");
    assert_eq!(name, "From Version One");
}

#[test]
fn restore_refuses_files_that_are_not_good_catalogs_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_file(dir.path());
    let backups = backup::backups_dir(&path);
    let before = common::bytes(&path);

    let jpeg = dir.path().join("cover.jpg");
    std::fs::write(
        &jpeg,
        [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'],
    )
    .expect("w");
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .expect("other")
        .execute_batch("CREATE TABLE settings (k, v); INSERT INTO settings VALUES (1, 2);")
        .expect("other schema");
    let newer = dir.path().join("newer.sqlite");
    std::fs::copy(&path, &newer).expect("copy");
    Connection::open(&newer)
        .expect("raw")
        .pragma_update(None, "user_version", 99)
        .expect("bump");
    let damaged = dir.path().join("damaged-backup.sqlite");
    std::fs::copy(&path, &damaged).expect("copy");
    damage_middle(&damaged);

    for (file, expected) in [
        (&jpeg, "JPEG"),
        (&other, "another program"),
        (&newer, "newer version"),
        (&damaged, "damaged-backup.sqlite"),
        (&dir.path().join("missing.sqlite"), "no such file"),
        (&path, "the catalog itself"),
    ] {
        let file_bytes = std::fs::read(file).ok();
        let err = backup::restore(file, &path).expect_err("refused");
        let message = err.to_string();
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(message.contains(name), "names {name}: {message}");
        assert!(message.contains(expected), "{expected:?} in {message}");
        assert_eq!(
            common::bytes(&path),
            before,
            "catalog unchanged after {name}"
        );
        assert_eq!(std::fs::read(file).ok(), file_bytes, "{name} unchanged");
        let leftovers: Vec<String> = names_in(&backups);
        assert!(
            leftovers.is_empty(),
            "nothing written to backups: {leftovers:?}"
        );
    }
}

#[test]
fn the_open_marker_tells_an_unclean_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_file(dir.path());
    assert!(backup::was_closed_cleanly(&path));
    assert!(!backup::needs_full_check(&path));
    backup::mark_open(&path).expect("mark open");
    assert!(backup::open_marker(&path).exists());
    // The app "crashes" here: the next start sees the marker.
    assert!(!backup::was_closed_cleanly(&path));
    assert!(backup::needs_full_check(&path));
    backup::mark_closed(&path).expect("closed");
    backup::mark_closed(&path).expect("closing twice is fine");
    assert!(backup::was_closed_cleanly(&path));
}

#[test]
fn quick_check_finds_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_file(dir.path());
    let catalog = Catalog::open(&path).expect("open");
    assert_eq!(
        backup::quick_check(catalog.conn()).expect("qc"),
        Vec::<String>::new()
    );
    drop(catalog);
    damage_middle(&path);
    if let Ok(catalog) = Catalog::open(&path) {
        let problems = backup::quick_check(catalog.conn()).expect("qc");
        assert!(!problems.is_empty(), "damage reported");
    }
}

#[test]
fn cli_backup_and_restore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = demo_file(dir.path());
    let expected = export_file(&path);

    let mut out = Vec::new();
    let written = backup::cli_backup(&path, None, &mut out).expect("backup");
    let printed = String::from_utf8(out).expect("utf-8");
    assert!(written.starts_with(backup::backups_dir(&path)));
    assert!(
        printed.starts_with(&written.display().to_string()),
        "{printed}"
    );
    assert!(printed.contains("bytes"), "{printed}");

    let to = dir.path().join("usb").join("label.sqlite");
    let mut out = Vec::new();
    backup::cli_backup(&path, Some(&to), &mut out).expect("backup --to");
    assert!(to.is_file());
    let err = backup::cli_backup(&path, Some(&to), &mut Vec::new()).expect_err("exists");
    assert!(matches!(err, BackupError::Exists { .. }), "{err}");

    let restored = dir.path().join("restored.sqlite");
    let mut out = Vec::new();
    backup::cli_restore(&to, &restored, &mut out).expect("restore");
    let printed = String::from_utf8(out).expect("utf-8");
    assert!(printed.contains("restored"), "{printed}");
    assert_eq!(export_file(&restored), expected);

    let missing = dir.path().join("missing.sqlite");
    let err = backup::cli_backup(&missing, None, &mut Vec::new()).expect_err("missing");
    assert!(err.to_string().contains("no such file"), "{err}");
    assert!(!missing.exists());
}

/// The demo label lives in `demo-label.sqlite` beside your `catalog.sqlite`: its snapshots go
/// to `backups/demo-label/`, so neither catalog lists, restores or thins the other's.
#[test]
fn two_catalogs_in_one_folder_keep_their_snapshots_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let yours = demo_file(dir.path());
    let demo = dir.path().join("label").join("demo-label.sqlite");
    std::fs::copy(&yours, &demo).expect("second catalog");
    let (your_dir, demo_dir) = (backup::backups_dir(&yours), backup::backups_dir(&demo));
    assert_eq!(your_dir, dir.path().join("label").join("backups"));
    assert_eq!(demo_dir, your_dir.join("demo-label"));
    let mine =
        backup::snapshot(&Catalog::open(&yours).expect("open"), &your_dir, None).expect("snapshot");
    for _ in 0..3 {
        backup::snapshot(&Catalog::open(&demo).expect("open"), &demo_dir, None).expect("snapshot");
    }
    let listed = backup::list(&your_dir).expect("list");
    assert_eq!(listed.len(), 1, "only your catalog's snapshot: {listed:?}");
    assert_eq!(listed[0].path, mine);
    assert_eq!(backup::list(&demo_dir).expect("list").len(), 3);
    // Thinning the demo's snapshots (same second: only the newest survives) leaves yours.
    backup::prune(&demo_dir, Utc::now() + TimeDelta::days(40)).expect("prune");
    assert!(mine.exists(), "your snapshot is untouched");
    assert_eq!(backup::list(&your_dir).expect("list").len(), 1);
}
