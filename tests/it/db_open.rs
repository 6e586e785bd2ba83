//! Opening catalogs: migrations, and files that are not catalogs.

use crate::common;

use std::path::Path;

use labeldesk::db::migrations::{self, MIGRATIONS, Migration};
use labeldesk::db::{Catalog, DbError};
use rusqlite::Connection;

fn new_catalog(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut catalog = Catalog::create(&path).expect("create");
    catalog
        .write(|tx| labeldesk::demo::create(tx, common::today()))
        .expect("demo");
    drop(catalog);
    path
}

fn table_exists(path: &Path, table: &str) -> bool {
    let conn = Connection::open(path).expect("open raw");
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = ?1",
        [table],
        |r| r.get::<_, i64>(0),
    )
    .expect("query")
        > 0
}

#[test]
fn fresh_catalog_is_at_latest_version_with_pragmas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub/folder/catalog.sqlite");
    let catalog = Catalog::create(&path).expect("create makes its folder");
    let conn = catalog.conn();
    assert_eq!(
        migrations::user_version(conn).expect("version"),
        migrations::latest_version()
    );
    let fk: i64 = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .expect("fk");
    assert_eq!(fk, 1, "foreign keys on");
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    let sync: i64 = conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .expect("sync");
    assert_eq!(sync, 2, "synchronous=FULL");
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .expect("app id");
    assert_eq!(app, labeldesk::db::APPLICATION_ID);
}

#[test]
fn create_refuses_an_existing_file_and_open_refuses_a_missing_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = new_catalog(dir.path(), "c.sqlite");
    assert!(matches!(
        Catalog::create(&path),
        Err(DbError::AlreadyExists { .. })
    ));
    let missing = dir.path().join("missing.sqlite");
    let err = Catalog::open(&missing).expect_err("missing file");
    assert!(matches!(err, DbError::NotFound { .. }));
    assert!(!missing.exists(), "open never creates a file");
}

#[test]
fn migrations_run_twice_are_a_no_op() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = new_catalog(dir.path(), "c.sqlite");
    let before = common::bytes(&path);
    let catalog = Catalog::open(&path).expect("reopen");
    drop(catalog);
    let mut conn = Connection::open(&path).expect("raw");
    let outcome = migrations::migrate(&mut conn, MIGRATIONS, "c").expect("migrate again");
    assert_eq!(outcome.from, outcome.to);
    drop(conn);
    assert_eq!(before.len(), common::bytes(&path).len());
    let catalog = Catalog::open(&path).expect("third open");
    let artists: i64 = catalog
        .conn()
        .query_row("SELECT count(*) FROM artists", [], |r| r.get(0))
        .expect("count");
    assert_eq!(artists, 8);
}

#[test]
fn a_newer_catalog_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = new_catalog(dir.path(), "newer.sqlite");
    {
        let conn = Connection::open(&path).expect("raw");
        conn.pragma_update(None, "user_version", 99).expect("bump");
        conn.query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint");
    }
    let before = common::bytes(&path);
    let err = Catalog::open(&path).expect_err("too new");
    match &err {
        DbError::TooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, 99);
            assert_eq!(*supported, migrations::latest_version());
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("newer.sqlite") && message.contains("newer version"),
        "{message}"
    );
    assert_eq!(
        before,
        common::bytes(&path),
        "the file's bytes are unchanged"
    );
}

#[test]
fn a_failing_upgrade_rolls_back_to_the_old_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = new_catalog(dir.path(), "old.sqlite");
    let latest = migrations::latest_version();
    let mut broken = MIGRATIONS.to_vec();
    broken.push(Migration {
        name: "half-done step",
        sql: "CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);",
    });
    let err = Catalog::open_with(&path, &broken).expect_err("failing step");
    match &err {
        DbError::MigrationFailed {
            from, step, name, ..
        } => {
            assert_eq!(
                (*from, *step, *name),
                (latest, latest + 1, "half-done step")
            );
        }
        other => panic!("expected MigrationFailed, got {other:?}"),
    }
    assert!(
        err.to_string()
            .contains(&format!("still at version {latest}")),
        "{err}"
    );
    assert!(
        !table_exists(&path, "half_done"),
        "the first statement of the failed step was rolled back"
    );
    let catalog = Catalog::open(&path).expect("still opens with the real list");
    assert_eq!(
        migrations::user_version(catalog.conn()).expect("version"),
        latest
    );
    let releases: i64 = catalog
        .conn()
        .query_row("SELECT count(*) FROM releases", [], |r| r.get(0))
        .expect("count");
    assert_eq!(releases, 20, "data intact");
}

#[test]
fn a_pending_upgrade_applies_in_one_go() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = new_catalog(dir.path(), "up.sqlite");
    let latest = migrations::latest_version();
    let mut extended = MIGRATIONS.to_vec();
    extended.push(Migration {
        name: "next",
        sql: "CREATE TABLE extra_a (x);",
    });
    extended.push(Migration {
        name: "after next",
        sql: "CREATE TABLE extra_b (x);",
    });
    let catalog = Catalog::open_with(&path, &extended).expect("upgrade");
    // up.sqlite's own folder among the backups beside it.
    let backups: Vec<_> = std::fs::read_dir(dir.path().join("backups").join("up"))
        .expect("a backups folder beside the catalog")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(
        backups[0]
            .to_string_lossy()
            .ends_with("-before-upgrade.sqlite")
    );
    let snapshot = Connection::open(&backups[0]).expect("snapshot opens");
    assert_eq!(
        migrations::user_version(&snapshot).expect("version"),
        latest,
        "taken before the upgrade"
    );
    assert_eq!(
        migrations::user_version(catalog.conn()).expect("version"),
        latest + 2
    );
    drop(catalog);
    assert!(table_exists(&path, "extra_a") && table_exists(&path, "extra_b"));
}

/// v9: a v8 catalog keeps every record of what its issued statements took, and from then on
/// the catalog refuses to delete an income line or cost a statement took (in v8 the delete
/// cascaded, and an undo brought the line back unaccounted for).
#[test]
fn the_v9_upgrade_keeps_what_statements_took_and_locks_it() {
    let mut conn = Connection::open_in_memory().expect("memory");
    conn.pragma_update(None, "foreign_keys", true)
        .expect("foreign keys");
    migrations::migrate(&mut conn, &MIGRATIONS[..8], "v8.sqlite").expect("v8");
    let tx = conn.transaction().expect("tx");
    labeldesk::demo::create(&tx, common::today()).expect("demo");
    // The demo's open half-year, issued at the new year: it takes the show's record sales.
    let contract = labeldesk::model::ContractId(1);
    let period = labeldesk::db::contracts::next_open_period(&tx, contract).expect("period");
    let new_year = chrono::NaiveDate::from_ymd_opt(2027, 1, 5).expect("date");
    let terms = labeldesk::db::contracts::get(&tx, contract).expect("contract");
    let release = labeldesk::db::contracts::covered_releases(&tx, &terms).expect("covered")[0];
    labeldesk::db::ledger::insert_cost(
        &tx,
        &labeldesk::model::CostLine {
            id: labeldesk::model::CostLineId::UNSAVED,
            date: common::today(),
            release_id: Some(release),
            category: labeldesk::model::CostCategory::Recording,
            amount: labeldesk::model::Money::new(30_000, labeldesk::model::Currency::EUR),
            recoupable: true,
            note: String::new(),
        },
    )
    .expect("a recoupable cost");
    labeldesk::db::contracts::issue(&tx, contract, period, new_year).expect("issue");
    tx.commit().expect("commit");
    let counts = |conn: &Connection| -> (i64, i64, i64) {
        conn.query_row(
            "SELECT (SELECT count(*) FROM statement_income), (SELECT count(*) FROM statement_costs),
                    (SELECT count(*) FROM income_lines)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("counts")
    };
    let before = counts(&conn);
    assert!(
        before.0 > 0 && before.1 > 0,
        "the issued statement took income and charged costs: {before:?}"
    );
    let taken: i64 = conn
        .query_row(
            "SELECT income_line_id FROM statement_income LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a taken line");
    let delete = "DELETE FROM income_lines WHERE id = ?1";
    // At v8 the delete went through and took the statement's record with it.
    let tx = conn.transaction().expect("tx");
    tx.execute(delete, [taken]).expect("v8 cascades");
    assert_eq!(counts(&tx).0, before.0 - 1);
    tx.rollback().expect("rollback");

    let outcome = migrations::migrate(&mut conn, MIGRATIONS, "v8.sqlite").expect("upgrade");
    assert_eq!(
        (outcome.from, outcome.to),
        (8, migrations::latest_version())
    );
    assert_eq!(counts(&conn), before, "every row kept");
    for (table, column) in [
        ("statement_income", "income_line_id"),
        ("statement_costs", "cost_line_id"),
    ] {
        let on_delete: String = conn
            .query_row(
                &format!(
                    "SELECT on_delete FROM pragma_foreign_key_list('{table}') WHERE \"from\" = ?1"
                ),
                [column],
                |r| r.get(0),
            )
            .expect("foreign key");
        assert_eq!(on_delete, "RESTRICT", "{table}.{column}");
    }
    let refused = conn.execute(delete, [taken]);
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("FOREIGN KEY")),
        "{refused:?}"
    );
    assert_eq!(counts(&conn), before);
    let problems: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("foreign key check");
    assert_eq!(problems, 0);
}

fn assert_refused_untouched(path: &Path, expect: &str) {
    let before = common::bytes(path);
    let err = Catalog::open(path).expect_err("must be refused");
    let message = err.to_string();
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    assert!(message.contains(name), "message names the file: {message}");
    assert!(
        message.contains(expect),
        "message says {expect:?}: {message}"
    );
    assert_eq!(before, common::bytes(path), "bytes unchanged for {name}");
    let wal = labeldesk::db::wal_path(path);
    assert!(!wal.exists(), "no -wal left beside {name}");
}

#[test]
fn files_that_are_not_catalogs_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let jpeg = dir.path().join("cover.jpg");
    std::fs::write(
        &jpeg,
        [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1,
        ],
    )
    .expect("write");
    assert_refused_untouched(&jpeg, "JPEG");

    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").expect("write");
    assert_refused_untouched(&empty, "empty");

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "artist,title\nThe Low Tides,Harbour Lights\n").expect("write");
    assert_refused_untouched(&text, "not a SQLite database");

    let other = dir.path().join("other-app.db");
    {
        let conn = Connection::open(&other).expect("other db");
        conn.execute_batch("CREATE TABLE settings (k, v); INSERT INTO settings VALUES ('a', 1);")
            .expect("schema");
    }
    assert_refused_untouched(&other, "another program");
}

#[test]
fn a_truncated_copy_is_reported_as_damaged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = new_catalog(dir.path(), "whole.sqlite");
    let whole = common::bytes(&path);
    assert!(whole.len() > 8192, "demo catalog spans several pages");
    let cut = dir.path().join("truncated.sqlite");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write");
    assert_refused_untouched(&cut, "truncated");
    assert!(matches!(Catalog::open(&cut), Err(DbError::Damaged { .. })));
}

#[test]
fn stock_sqlite3_shell_reads_and_writes_a_catalog() {
    // The catalog must stay usable by the stock `sqlite3` shell (3.40 on Debian 12):
    // no app-defined functions in triggers or CHECKs.
    let Ok(version) = std::process::Command::new("sqlite3")
        .arg("--version")
        .output()
    else {
        eprintln!("sqlite3 shell not installed: stock-tool compatibility not checked here");
        return;
    };
    assert!(version.status.success());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = new_catalog(dir.path(), "shared.sqlite");
    let out = std::process::Command::new("sqlite3")
        .arg(&path)
        .arg(
            "PRAGMA foreign_keys = ON; PRAGMA integrity_check; \
             INSERT INTO catalog_numbers (release_id, catno) VALUES (1, 'ZZ-999'); \
             INSERT INTO tracks (release_id, seq, title, isrc) VALUES (1, 99, 'Added Elsewhere', 'GBAYE2600999'); \
             SELECT count(*) FROM search_words WHERE search_words MATCH '\"added\"*';",
        )
        .output()
        .expect("run sqlite3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().collect::<Vec<_>>(), ["ok", "1"], "{stdout}");
    let catalog = Catalog::open(&path).expect("reopen after sqlite3");
    let hits = labeldesk::db::search::search(catalog.conn(), "ZZ-999", 5).expect("search");
    assert_eq!(
        hits.len(),
        1,
        "rows written by sqlite3 are indexed by the schema's own triggers"
    );
    assert!(
        labeldesk::db::check::run(catalog.conn())
            .expect("check")
            .is_ok()
    );
}
