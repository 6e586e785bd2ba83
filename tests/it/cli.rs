//! The command line, run as a separate process like a script would.

use std::path::Path;
use std::process::{Command, Output};

fn labeldesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labeldesk"))
        .args(args)
        .output()
        .expect("run labeldesk")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn demo(dir: &Path) -> String {
    let path = dir.join("demo.sqlite");
    let path = path.to_str().expect("utf-8 path").to_owned();
    let out = labeldesk(&["demo", "--db", &path]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("8 artists, 20 releases"),
        "{}",
        text(&out.stdout)
    );
    path
}

#[test]
fn check_reports_counts_and_passes_on_the_demo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let out = labeldesk(&["check", "--db", &db]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    let version = format!(
        "schema version: {v} (this app: {v})",
        v = labeldesk::db::migrations::latest_version()
    );
    for expected in [
        version.as_str(),
        "artists: 8",
        "releases: 20",
        "integrity: ok",
        "foreign keys: ok",
        "search index: ok",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in\n{report}"
        );
    }
    // --db may come before the subcommand too.
    let out = labeldesk(&["--db", &db, "check"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn search_prints_matches_by_isrc_catalog_number_and_title() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let out = labeldesk(&["search", "HLR003", "--db", &db]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("Harbour Lights"),
        "{}",
        text(&out.stdout)
    );
    let out = labeldesk(&["search", "--db", &db, "assombracao"]);
    assert!(
        text(&out.stdout).contains("Assombração"),
        "diacritics folded: {}",
        text(&out.stdout)
    );
    let out = labeldesk(&["search", "--db", &db, "\"AND-"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "hostile input is not an error: {}",
        text(&out.stderr)
    );
}

#[test]
fn commands_other_than_demo_refuse_a_missing_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.sqlite");
    let missing = missing.to_str().expect("utf-8");
    for args in [
        vec!["check", "--db", missing],
        vec!["search", "x", "--db", missing],
    ] {
        let out = labeldesk(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("nope.sqlite") && err.contains("no such file"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!Path::new(missing).exists(), "nothing created");
}

#[test]
fn demo_never_writes_into_an_existing_file_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let before = std::fs::read(&db).expect("read");
    let out = labeldesk(&["demo", "--db", &db]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(before, std::fs::read(&db).expect("read"));
    let out = labeldesk(&["demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--db"), "{}", text(&out.stderr));
    let out = labeldesk(&["frobnicate"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "unknown subcommand is a usage error"
    );
}

#[test]
fn check_names_a_file_that_is_not_a_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let jpeg = dir.path().join("photo.jpg");
    std::fs::write(&jpeg, [0xFF, 0xD8, 0xFF, 0xE1, 0, 0, 0, 0]).expect("write");
    let out = labeldesk(&["check", "--db", jpeg.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("photo.jpg") && err.contains("JPEG"), "{err}");
}
