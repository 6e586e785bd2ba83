//! The `user_version` migration runner.
//!
//! Migrations form an ordered list; version N means the first N have run. Every pending step
//! runs inside one exclusive transaction together with the `user_version` bump, so a failure
//! anywhere leaves the catalog exactly as it was. A catalog newer than the list is refused
//! before anything is written. Landed migrations are never edited or reordered: append.

use rusqlite::{Connection, TransactionBehavior};

use super::error::{DbError, Result};

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration Labeldesk knows, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "catalog core",
        sql: include_str!("sql/v1.sql"),
    },
    Migration {
        name: "release planning",
        sql: include_str!("sql/v2_planning.sql"),
    },
    Migration {
        name: "sales ledger",
        sql: include_str!("sql/v3_ledger.sql"),
    },
    Migration {
        name: "one-letter search prefixes",
        sql: include_str!("sql/v4_search_prefixes.sql"),
    },
    Migration {
        name: "spreadsheet import mappings",
        sql: include_str!("sql/v5_import_mappings.sql"),
    },
    Migration {
        name: "stock, shows and the merch table",
        sql: include_str!("sql/v6_shows.sql"),
    },
    Migration {
        name: "contracts and royalty statements",
        sql: include_str!("sql/v7_contracts.sql"),
    },
    Migration {
        name: "search indexes without column sizes",
        sql: include_str!("sql/v8_search_columnsize.sql"),
    },
    Migration {
        name: "issued statements keep their income lines and costs",
        sql: include_str!("sql/v9_statement_lines_stay.sql"),
    },
    Migration {
        name: "physical sales in sales reports take stock",
        sql: include_str!("sql/v10_report_stock.sql"),
    },
];

/// The catalog version this build writes.
#[must_use]
pub fn latest_version() -> i64 {
    version_count(MIGRATIONS)
}

fn version_count(migrations: &[Migration]) -> i64 {
    i64::try_from(migrations.len()).unwrap_or(i64::MAX)
}

/// Reads `PRAGMA user_version`.
///
/// # Errors
/// When the file cannot be read as a SQLite database.
pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// What a migration run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub from: i64,
    pub to: i64,
}

/// Brings the catalog up to `migrations.len()`, all pending steps in one transaction.
///
/// # Errors
/// [`DbError::TooNew`] when the catalog is newer than `migrations` (nothing written),
/// [`DbError::MigrationFailed`] when a step fails (everything rolled back).
pub fn migrate(conn: &mut Connection, migrations: &[Migration], path: &str) -> Result<Outcome> {
    let supported = version_count(migrations);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let from = user_version(&tx)?;
    if from > supported {
        return Err(DbError::TooNew {
            path: path.to_owned(),
            found: from,
            supported,
        });
    }
    let mut version = from;
    for migration in migrations
        .iter()
        .skip(usize::try_from(from).unwrap_or(usize::MAX))
    {
        let step = version + 1;
        let fail = |source| DbError::MigrationFailed {
            path: path.to_owned(),
            from,
            step,
            name: migration.name,
            source,
        };
        tx.execute_batch(migration.sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", step).map_err(fail)?;
        version = step;
    }
    tx.commit()?;
    Ok(Outcome { from, to: version })
}
