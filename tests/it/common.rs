//! Shared helpers for the integration tests.
#![allow(dead_code, clippy::missing_panics_doc)]

use chrono::NaiveDate;
use labeldesk::db::Catalog;

/// A fixed "today" so demo dates and tests are reproducible.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date")
}

/// An in-memory catalog holding the demo label.
pub fn demo_catalog() -> Catalog {
    let mut catalog = Catalog::open_in_memory().expect("in-memory catalog");
    catalog
        .write(|tx| labeldesk::demo::create(tx, today()))
        .expect("demo label");
    catalog
}

/// The bytes of a file, for "nothing was changed" assertions.
pub fn bytes(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

pub fn pdftotext(pdf: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let output = std::process::Command::new("pdftotext")
        .args(args)
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run pdftotext ({e}): these tests need it to read the PDF back. \
                 Install poppler-utils (apt-get install -y poppler-utils); .ci/run does."
            )
        });
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("pdftotext prints UTF-8")
}

/// The demo label without its stock, shows, merch, sign-ups and contracts: a clean slate for
/// tests that count stock and takings from zero.
pub fn demo_catalog_without_shows() -> Catalog {
    let mut catalog = Catalog::open_in_memory().expect("in-memory catalog");
    catalog
        .write(|tx| labeldesk::demo::create_catalog(tx, today()))
        .expect("demo catalog");
    catalog
}

/// Held by the test that times its frames and by the heavy ones (the 100,000-track catalogs)
/// so that, now all integration tests share one binary and its test threads, they never run
/// at the same time.
pub fn alone() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
