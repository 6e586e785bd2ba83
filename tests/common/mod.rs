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
