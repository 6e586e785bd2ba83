//! `labeldesk check`: a full health report of a catalog.

use rusqlite::Connection;

use super::error::Result;
use super::migrations;

/// What a full check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub schema_version: i64,
    pub app_version: i64,
    /// `PRAGMA integrity_check` lines other than "ok".
    pub integrity: Vec<String>,
    /// Foreign-key violations as "table row N → parent".
    pub foreign_keys: Vec<String>,
    /// Problems the FTS5 indexes report about themselves.
    pub search_index: Vec<String>,
    /// Row counts of the main tables.
    pub counts: Vec<(&'static str, u64)>,
}

impl CheckReport {
    /// True when nothing is wrong.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.integrity.is_empty() && self.foreign_keys.is_empty() && self.search_index.is_empty()
    }
}

/// Tables counted in the report, in the order shown.
pub const COUNTED: &[&str] = &[
    "labels",
    "artists",
    "releases",
    "formats",
    "catalog_numbers",
    "tracks",
    "release_covers",
];

/// Runs `integrity_check`, `foreign_key_check`, the FTS5 integrity checks and counts rows.
///
/// # Errors
/// SQLite failures other than the problems it reports.
pub fn run(conn: &Connection) -> Result<CheckReport> {
    let mut integrity = Vec::new();
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let line = line?;
        if line != "ok" {
            integrity.push(line);
        }
    }
    let mut foreign_keys = Vec::new();
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    for v in stmt.query_map([], |r| {
        Ok(format!(
            "{} row {} refers to a missing {}",
            r.get::<_, String>(0)?,
            r.get::<_, Option<i64>>(1)?
                .map_or_else(|| "?".to_owned(), |n| n.to_string()),
            r.get::<_, String>(2)?
        ))
    })? {
        foreign_keys.push(v?);
    }
    let mut search_index = Vec::new();
    for table in ["search_words", "search_trigram"] {
        if let Err(e) = conn.execute(
            &format!("INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"),
            [],
        ) {
            search_index.push(format!("{table}: {e}"));
        }
    }
    let mut counts = Vec::new();
    for table in COUNTED {
        let n: u64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        counts.push((*table, n));
    }
    Ok(CheckReport {
        schema_version: migrations::user_version(conn)?,
        app_version: migrations::latest_version(),
        integrity,
        foreign_keys,
        search_index,
        counts,
    })
}

/// Rebuilds both search indexes from their documents (repairs a damaged index).
///
/// # Errors
/// SQLite failures.
pub fn rebuild_search(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "INSERT INTO search_words (search_words) VALUES ('rebuild');
         INSERT INTO search_trigram (search_trigram) VALUES ('rebuild');",
    )?;
    Ok(())
}
