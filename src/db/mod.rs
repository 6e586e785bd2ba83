//! All SQL lives here. [`Catalog`] owns the connection; the table modules take a
//! connection (reads) or a transaction (writes) so that several changes compose into one
//! atomic edit.

pub mod artists;
pub mod bulk;
pub mod catnos;
pub mod check;
pub mod contracts;
pub mod convert;
pub mod covers;
pub mod error;
pub mod formats;
pub mod import_mappings;
pub mod labels;
pub mod ledger;
pub mod migrations;
pub mod planning;
pub mod releases;
pub mod search;
pub mod shows;
pub mod tracks;
pub mod warnings;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use error::{DbError, Result};

/// `PRAGMA application_id` of every Labeldesk catalog ('LBLD').
pub const APPLICATION_ID: i64 = 0x4C42_4C44;

/// An open catalog: one SQLite file (or an in-memory database for tests).
pub struct Catalog {
    conn: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// Opens an existing catalog, upgrading its schema if it is older than this app.
    ///
    /// Never creates a file. Refuses, without writing a byte, a file that is missing, empty,
    /// not SQLite, damaged (truncated), someone else's SQLite database, or a catalog written by
    /// a newer Labeldesk.
    ///
    /// # Errors
    /// See [`DbError`]: each refusal names the file and the problem.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, migrations::MIGRATIONS)
    }

    /// The catalog versions an [`Catalog::open`] of `path` would upgrade from and to, or
    /// `None` when there is nothing to upgrade (or the file is not a catalog Labeldesk can
    /// upgrade: `open` then says why). Reads the file's header only, writes nothing. The app
    /// uses it to run an upgrade (which may rebuild the search index of a big catalog) on a
    /// background thread behind a screen that says so.
    #[must_use]
    pub fn pending_upgrade(path: &Path) -> Option<(i64, i64)> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).ok()?;
        let (app_id, version, _) = read_identity(&conn).ok()?;
        let latest = migrations::latest_version();
        (app_id == APPLICATION_ID && version > 0 && version < latest).then_some((version, latest))
    }

    /// [`Catalog::open`] with an explicit migration list (tests inject failing steps).
    ///
    /// # Errors
    /// As [`Catalog::open`].
    pub fn open_with(path: &Path, migrations: &[migrations::Migration]) -> Result<Self> {
        let shown = path.display().to_string();
        inspect_file(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn =
            Connection::open_with_flags(path, flags).map_err(|e| classify_open_error(&shown, e))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let (app_id, version, objects) =
            read_identity(&conn).map_err(|e| classify_open_error(&shown, e))?;
        if app_id != APPLICATION_ID {
            let reason = if objects == 0 {
                "it is an empty SQLite database".to_owned()
            } else {
                format!("it is a SQLite database of another program ({objects} tables and indexes)")
            };
            return Err(DbError::NotACatalog {
                path: shown,
                reason,
            });
        }
        let supported = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
        if version > supported {
            return Err(DbError::TooNew {
                path: shown,
                found: version,
                supported,
            });
        }
        set_pragmas(&conn, true)?;
        if version >= 1 && version < supported {
            snapshot_before_upgrade(&conn, path)?;
        }
        migrations::migrate(&mut conn, migrations, &shown)?;
        Ok(Self {
            conn,
            path: Some(path.to_path_buf()),
        })
    }

    /// Creates a new, empty catalog at `path` (its folder is created if needed).
    ///
    /// # Errors
    /// [`DbError::AlreadyExists`] when something is already at `path`; I/O and SQLite errors.
    pub fn create(path: &Path) -> Result<Self> {
        let shown = path.display().to_string();
        if path.exists() {
            return Err(DbError::AlreadyExists { path: shown });
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| DbError::Io {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        set_pragmas(&conn, true)?;
        migrations::migrate(&mut conn, migrations::MIGRATIONS, &shown)?;
        // Write the schema into the main file now, so the file alone is a valid catalog.
        // Always `main.`: an unqualified checkpoint also takes the temp database, and once a
        // connection has one (ALTER TABLE ... RENAME in a migration opens it) a later
        // unqualified checkpoint after a journal-mode switch fails with "database table is
        // locked" (SQLite 3.40 and 3.54 alike).
        conn.query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(Self {
            conn,
            path: Some(path.to_path_buf()),
        })
    }

    /// A fresh catalog in memory, for tests and benchmarks.
    ///
    /// # Errors
    /// Only if SQLite itself fails.
    pub fn open_in_memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory()?;
        set_pragmas(&conn, false)?;
        migrations::migrate(&mut conn, migrations::MIGRATIONS, ":memory:")?;
        Ok(Self { conn, path: None })
    }

    /// The file behind this catalog (`None` in memory).
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The connection, for reads.
    #[must_use]
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`).
    ///
    /// # Errors
    /// When the catalog is locked by another program for longer than the busy timeout.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Runs `f` in one transaction and commits when it returns `Ok`; on `Err` nothing is kept.
    ///
    /// # Errors
    /// Whatever `f` returns, or a failure to commit.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.transaction()?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// A handle that can interrupt a long query from another thread.
    #[must_use]
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn.get_interrupt_handle()
    }
}

/// The snapshots folder of the catalog at `path`: `backups` beside it for the default
/// `catalog.sqlite`, `backups/<name>` for any other file (`demo-label.sqlite` beside your
/// catalog gets `backups/demo-label`), so two catalogs in one folder never list, restore or
/// thin each other's snapshots.
#[must_use]
pub fn backups_dir(path: &Path) -> PathBuf {
    let shared = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."))
        .join("backups");
    match path.file_stem().and_then(|s| s.to_str()) {
        Some(stem) if stem != "catalog" && !stem.is_empty() => shared.join(stem),
        _ => shared,
    }
}

/// Copies a catalog into `backups/` beside it before its schema is upgraded, so an upgrade can
/// always be walked back. Named like the app's other snapshots.
fn snapshot_before_upgrade(conn: &Connection, path: &Path) -> Result<()> {
    let dir = backups_dir(path);
    let io = |source| DbError::Io {
        path: dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let name = format!(
        "catalog-{}-before-upgrade.sqlite",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    let target = dir.join(name);
    if target.exists() {
        return Ok(()); // one this second already
    }
    let target_text = target.to_str().ok_or_else(|| DbError::Io {
        path: target.display().to_string(),
        source: std::io::Error::other("the backups folder path is not valid Unicode"),
    })?;
    conn.execute("VACUUM INTO ?1", [target_text])?;
    Ok(())
}

fn set_pragmas(conn: &Connection, file: bool) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", true)?;
    if file {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(DbError::Damaged {
                path: conn.path().unwrap_or("catalog").to_owned(),
                detail: format!(
                    "it cannot use write-ahead logging (journal mode stays {mode}); is it on a read-only or network drive?"
                ),
            });
        }
        // A dead laptop battery is a power loss: sync every commit.
        conn.pragma_update(None, "synchronous", "FULL")?;
    }
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -16_000)?;
    Ok(())
}

fn read_identity(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    let version = migrations::user_version(conn)?;
    let objects: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))?;
    Ok((app_id, version, objects))
}

fn classify_open_error(path: &str, error: rusqlite::Error) -> DbError {
    use rusqlite::ErrorCode;
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => DbError::NotACatalog {
            path: path.to_owned(),
            reason: "it is not a SQLite database".to_owned(),
        },
        Some(ErrorCode::DatabaseCorrupt) => DbError::Damaged {
            path: path.to_owned(),
            detail: error.to_string(),
        },
        _ => DbError::Sqlite(error),
    }
}

/// Looks at the file's bytes before SQLite touches it.
fn inspect_file(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let io = |source| DbError::Io {
        path: shown.clone(),
        source,
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DbError::NotFound { path: shown });
        }
        Err(e) => return Err(io(e)),
    };
    if meta.is_dir() {
        return Err(DbError::NotACatalog {
            path: shown,
            reason: "it is a folder".to_owned(),
        });
    }
    let len = meta.len();
    if len == 0 {
        // A catalog whose first transaction never reached the main file lives in its -wal.
        let wal = wal_path(path);
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            return Ok(());
        }
        return Err(DbError::NotACatalog {
            path: shown,
            reason: "the file is empty".to_owned(),
        });
    }
    let mut header = [0_u8; 100];
    let mut file = std::fs::File::open(path).map_err(io)?;
    let read = read_up_to(&mut file, &mut header).map_err(io)?;
    let header = &header[..read];
    if !header.starts_with(b"SQLite format 3\0") {
        return Err(DbError::NotACatalog {
            path: shown,
            reason: sniff(header),
        });
    }
    if header.len() < 100 {
        return Err(DbError::Damaged {
            path: shown,
            detail: format!("the file is cut short ({len} bytes, not even a full header)"),
        });
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536_u64,
        n => u64::from(n),
    };
    let change_counter = u32::from_be_bytes([header[24], header[25], header[26], header[27]]);
    let pages = u32::from_be_bytes([header[28], header[29], header[30], header[31]]);
    let valid_for = u32::from_be_bytes([header[92], header[93], header[94], header[95]]);
    if valid_for == change_counter && pages > 0 {
        let expected = page_size * u64::from(pages);
        if len < expected {
            return Err(DbError::Damaged {
                path: shown,
                detail: format!(
                    "the file is truncated: its header says {expected} bytes, but it has {len}"
                ),
            });
        }
    }
    Ok(())
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The `-wal` file SQLite keeps beside a catalog.
#[must_use]
pub fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Says what a file looks like when it is not SQLite, so the message helps.
fn sniff(header: &[u8]) -> String {
    let kind = if header.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "a JPEG image"
    } else if header.starts_with(b"\x89PNG") {
        "a PNG image"
    } else if header.starts_with(b"%PDF") {
        "a PDF document"
    } else if header.starts_with(b"PK\x03\x04") {
        "a ZIP archive (or an office document)"
    } else if header.starts_with(b"{") || header.starts_with(b"[") {
        "a JSON file (use Import to read a Labeldesk export)"
    } else if header
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        "a text file"
    } else {
        "an unknown kind of file"
    };
    format!("it is not a SQLite database (it looks like {kind})")
}
