//! Backups of the catalog file: checked snapshots, thinning, restore, damage detection.
//!
//! - [`snapshot`]: `VACUUM INTO` a temporary file in the backups folder, `PRAGMA
//!   integrity_check` on the copy, then rename it to `catalog-YYYYMMDD-HHMMSS[-reason].sqlite`
//!   (UTC). A snapshot is one self-contained SQLite file (rollback journal, no `-wal`).
//! - [`thinning_plan`] / [`prune`]: keep everything from the last 24 hours, then the newest
//!   snapshot of each of the 12 most recent days, of each of 10 ISO weeks before that, and of
//!   each of 9 months before that (counted like Anki: days, weeks and months that *have*
//!   snapshots, so a holiday does not empty the folder).
//! - [`restore`]: checks the backup (it must open as a Labeldesk catalog no newer than this
//!   app, and pass `integrity_check`), keeps the current catalog aside (a snapshot, or a raw
//!   copy `damaged-…` when it cannot be opened cleanly), then writes the backup into the
//!   catalog through SQLite's online backup API — never a plain file copy over a catalog that
//!   may be open — and checkpoints so no stale `-wal`/`-shm` is left.
//! - [`mark_open`] / [`mark_closed`] / [`was_closed_cleanly`]: an unclean-shutdown marker, so
//!   the app runs a full check only after a crash; [`quick_check`] for the fast check.
//! - [`cloud_synced_warning`]: a catalog inside Dropbox, OneDrive, … risks conflicted copies
//!   of its `-wal` file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::db::{self, Catalog, DbError};

/// File names of snapshots start with this.
pub const SNAPSHOT_PREFIX: &str = "catalog-";
/// Raw copies of a catalog that could not be opened cleanly start with this.
pub const DAMAGED_PREFIX: &str = "damaged-";
const SNAPSHOT_SUFFIX: &str = ".sqlite";
const TIME_FORMAT: &str = "%Y%m%d-%H%M%S";
const TEMP_PREFIX: &str = ".partial-";

/// Anything that can go wrong backing up or restoring.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the backup of {catalog} could not be written to {path}: {source}. Your catalog was not \
         changed."
    )]
    Snapshot {
        catalog: String,
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the backup copy of {catalog} failed its integrity check ({detail}), so it was deleted. \
         Your catalog may be damaged: run `labeldesk check`."
    )]
    SnapshotDamaged { catalog: String, detail: String },
    #[error("{path} is damaged ({detail}) and cannot be restored. Your catalog was not changed.")]
    BackupDamaged { path: String, detail: String },
    #[error("{path} is the catalog itself: choose a backup file to restore")]
    SameFile { path: String },
    #[error("{path} already exists: choose another name for the backup")]
    Exists { path: String },
    #[error("{path} is not a folder path this system can hand to SQLite (it is not valid Unicode)")]
    UnusablePath { path: String },
    #[error(
        "{path} is in use by another program: close Labeldesk (and any other program using the \
         catalog) and try again. Nothing was changed."
    )]
    Busy { path: String },
    #[error("restoring {backup} into {catalog} failed: {source}. {kept}")]
    Restore {
        backup: String,
        catalog: String,
        #[source]
        source: Box<rusqlite::Error>,
        kept: String,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl BackupError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

type Result<T, E = BackupError> = std::result::Result<T, E>;

// ---------------------------------------------------------------------------------------------
// Paths

/// The backups folder of a catalog: `backups` beside it, or `backups/<name>` for a catalog
/// not called `catalog.sqlite` (see [`crate::db::backups_dir`]).
#[must_use]
pub fn backups_dir(catalog_path: &Path) -> PathBuf {
    crate::db::backups_dir(catalog_path)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The `-shm` file SQLite keeps beside a catalog in WAL mode.
#[must_use]
pub fn shm_path(path: &Path) -> PathBuf {
    with_suffix(path, "-shm")
}

fn side_files(path: &Path) -> [PathBuf; 3] {
    [
        db::wal_path(path),
        shm_path(path),
        with_suffix(path, "-journal"),
    ]
}

fn remove_with_side_files(path: &Path) {
    let _ = std::fs::remove_file(path);
    for side in side_files(path) {
        let _ = std::fs::remove_file(side);
    }
}

fn sqlite_path(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| BackupError::UnusablePath {
        path: path.display().to_string(),
    })
}

fn unique_temp(dir: &Path, name: &str) -> PathBuf {
    let nanos = Utc::now().timestamp_subsec_nanos();
    dir.join(format!(
        "{TEMP_PREFIX}{}-{nanos}-{name}",
        std::process::id()
    ))
}

/// `base` + `.sqlite`, or `base-2.sqlite`, `base-3.sqlite`… when taken.
fn free_name(dir: &Path, base: &str) -> PathBuf {
    let first = dir.join(format!("{base}{SNAPSHOT_SUFFIX}"));
    if !first.exists() {
        return first;
    }
    (2_u32..=9999)
        .map(|n| dir.join(format!("{base}-{n}{SNAPSHOT_SUFFIX}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

fn sync_dir(dir: &Path) {
    // Makes the rename durable on Unix; opening a folder is not supported everywhere.
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/// Keeps `[a-z0-9-]` of a reason ("before import" → "before-import"), at most 40 characters.
#[must_use]
pub fn clean_reason(reason: &str) -> Option<String> {
    let mut cleaned = String::new();
    for c in reason.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            cleaned.push(c);
        } else if !cleaned.ends_with('-') {
            cleaned.push('-');
        }
    }
    let cleaned: String = cleaned.trim_matches('-').chars().take(40).collect();
    let cleaned = cleaned.trim_end_matches('-').to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// `catalog-YYYYMMDD-HHMMSS[-reason]` (without `.sqlite`).
#[must_use]
pub fn snapshot_base_name(taken_at: DateTime<Utc>, reason: Option<&str>) -> String {
    let mut name = format!("{SNAPSHOT_PREFIX}{}", taken_at.format(TIME_FORMAT));
    if let Some(reason) = reason.and_then(clean_reason) {
        name.push('-');
        name.push_str(&reason);
    }
    name
}

/// Time and reason of a snapshot file name, `None` for other files.
#[must_use]
pub fn parse_snapshot_name(name: &str) -> Option<(DateTime<Utc>, Option<String>)> {
    let body = name
        .strip_prefix(SNAPSHOT_PREFIX)?
        .strip_suffix(SNAPSHOT_SUFFIX)?;
    let stamp = body.get(..15)?;
    let taken = NaiveDateTime::parse_from_str(stamp, TIME_FORMAT).ok()?;
    let reason = match body.get(15..)? {
        "" => None,
        rest => Some(rest.strip_prefix('-')?.to_owned()),
    };
    Some((taken.and_utc(), reason))
}

/// Writes a checked snapshot of `catalog` into `dir` (created if needed) and returns its path.
/// Safe while the app keeps working: `VACUUM INTO` reads one consistent state. Run it on a
/// background job with its own [`Catalog::open`] for large catalogs; call [`prune`] after.
///
/// # Errors
/// [`BackupError::Snapshot`] when the copy cannot be written, [`BackupError::SnapshotDamaged`]
/// when the copy fails `integrity_check` (it is deleted; the catalog is likely damaged).
pub fn snapshot(catalog: &Catalog, dir: &Path, reason: Option<&str>) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| BackupError::io(dir, e))?;
    let target = free_name(dir, &snapshot_base_name(Utc::now(), reason));
    write_checked_copy(catalog, &target)?;
    Ok(target)
}

/// `VACUUM INTO` a temporary file beside `target`, check it, rename it to `target`.
fn write_checked_copy(catalog: &Catalog, target: &Path) -> Result<u64> {
    let shown_catalog = catalog
        .path()
        .map_or_else(|| "the catalog".to_owned(), |p| p.display().to_string());
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = target
        .file_name()
        .map_or_else(|| "backup".to_owned(), |n| n.to_string_lossy().into_owned());
    let temp = unique_temp(dir, &name);
    let result = (|| {
        catalog
            .conn()
            .execute("VACUUM INTO ?1", [sqlite_path(&temp)?])
            .map_err(|source| BackupError::Snapshot {
                catalog: shown_catalog.clone(),
                path: target.display().to_string(),
                source,
            })?;
        let problems = check_file(&temp).map_err(|source| BackupError::Snapshot {
            catalog: shown_catalog.clone(),
            path: target.display().to_string(),
            source,
        })?;
        if !problems.is_empty() {
            return Err(BackupError::SnapshotDamaged {
                catalog: shown_catalog.clone(),
                detail: summarize(&problems),
            });
        }
        let file = std::fs::File::open(&temp).map_err(|e| BackupError::io(&temp, e))?;
        file.sync_all().map_err(|e| BackupError::io(&temp, e))?;
        let size = file
            .metadata()
            .map_err(|e| BackupError::io(&temp, e))?
            .len();
        drop(file);
        if target.exists() {
            return Err(BackupError::Exists {
                path: target.display().to_string(),
            });
        }
        std::fs::rename(&temp, target).map_err(|e| BackupError::io(target, e))?;
        sync_dir(dir);
        Ok(size)
    })();
    if result.is_err() {
        remove_with_side_files(&temp);
    }
    result
}

/// `PRAGMA integrity_check` of a file opened read-only: the problems ("ok" is none).
fn check_file(path: &Path) -> rusqlite::Result<Vec<String>> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let mut problems = integrity(&conn, "integrity_check")?;
    if app_id != db::APPLICATION_ID {
        problems.push("it is not a Labeldesk catalog".to_owned());
    }
    Ok(problems)
}

fn integrity(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA {pragma}"))?;
    let lines = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines.into_iter().filter(|l| l != "ok").collect())
}

fn summarize(problems: &[String]) -> String {
    match problems {
        [] => "no problems".to_owned(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first}; and {} more problem(s)", rest.len()),
    }
}

/// A snapshot in the backups folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub path: PathBuf,
    /// From the file name (UTC).
    pub taken_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub size: u64,
}

/// The snapshots in `dir`, newest first (an absent folder has none). Other files (damaged
/// copies, unfinished temporaries) are not listed.
///
/// # Errors
/// When the folder cannot be read.
pub fn list(dir: &Path) -> Result<Vec<BackupInfo>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::io(dir, e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| BackupError::io(dir, e))?;
        let name = entry.file_name();
        let Some((taken_at, reason)) = name.to_str().and_then(parse_snapshot_name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        found.push(BackupInfo {
            path: entry.path(),
            taken_at,
            reason,
            size: meta.len(),
        });
    }
    found.sort_by(|a, b| b.taken_at.cmp(&a.taken_at).then(b.path.cmp(&a.path)));
    Ok(found)
}

// ---------------------------------------------------------------------------------------------
// Thinning

/// Why a snapshot is kept, or that it can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// Taken in the last 24 hours (or in the future: a clock was wrong).
    Recent,
    /// The newest of its day.
    Daily,
    /// The newest of its ISO week.
    Weekly,
    /// The newest of its month.
    Monthly,
    /// Not needed any more.
    Remove,
}

impl Retention {
    #[must_use]
    pub fn is_kept(self) -> bool {
        self != Self::Remove
    }
}

/// How many days, weeks and months keep one snapshot each after the last 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThinningLimits {
    pub daily: u32,
    pub weekly: u32,
    pub monthly: u32,
}

impl Default for ThinningLimits {
    fn default() -> Self {
        Self {
            daily: 12,
            weekly: 10,
            monthly: 9,
        }
    }
}

/// Day, (ISO year, ISO week) and (year, month) of a time.
type Period = (NaiveDate, (i32, u32), (i32, u32));

/// [`thinning_plan_with`] the default limits (12 days, 10 weeks, 9 months).
#[must_use]
pub fn thinning_plan(taken: &[DateTime<Utc>], now: DateTime<Utc>) -> Vec<Retention> {
    thinning_plan_with(taken, now, ThinningLimits::default())
}

/// What to keep of snapshots taken at `taken` (any order; the answer is in the same order).
///
/// Newest first: everything from the last 24 hours is kept; then the newest snapshot of each
/// day (days in UTC) until `daily` days are kept; then the newest of each older ISO week until
/// `weekly` weeks are kept; then the newest of each older month until `monthly` months are
/// kept; everything else can go. A day, week or month already represented by a newer kept
/// snapshot does not get a second one.
#[must_use]
pub fn thinning_plan_with(
    taken: &[DateTime<Utc>],
    now: DateTime<Utc>,
    limits: ThinningLimits,
) -> Vec<Retention> {
    let mut order: Vec<usize> = (0..taken.len()).collect();
    order.sort_by(|&a, &b| taken[b].cmp(&taken[a]));
    let recent_since = now - TimeDelta::hours(24);
    let mut plan = vec![Retention::Remove; taken.len()];
    let mut left = limits;
    // Day, ISO week and month of the last kept snapshot.
    let mut last: Option<Period> = None;
    for i in order {
        let t = taken[i];
        let day = t.date_naive();
        let week = (t.iso_week().year(), t.iso_week().week());
        let month = (t.year(), t.month());
        let retention = if t > recent_since {
            Retention::Recent
        } else if left.daily > 0 {
            if last.is_none_or(|(d, _, _)| day < d) {
                left.daily -= 1;
                Retention::Daily
            } else {
                Retention::Remove
            }
        } else if left.weekly > 0 {
            if last.is_none_or(|(_, w, _)| week < w) {
                left.weekly -= 1;
                Retention::Weekly
            } else {
                Retention::Remove
            }
        } else if left.monthly > 0 {
            if last.is_none_or(|(_, _, m)| month < m) {
                left.monthly -= 1;
                Retention::Monthly
            } else {
                Retention::Remove
            }
        } else {
            Retention::Remove
        };
        if retention.is_kept() {
            last = Some((day, week, month));
        }
        plan[i] = retention;
    }
    plan
}

/// Deletes the snapshots in `dir` that [`thinning_plan`] does not keep, and temporaries left
/// by an interrupted snapshot more than an hour ago. Damaged copies are never deleted.
/// Returns the deleted files.
///
/// # Errors
/// When the folder cannot be read or a file cannot be deleted.
pub fn prune(dir: &Path, now: DateTime<Utc>) -> Result<Vec<PathBuf>> {
    let snapshots = list(dir)?;
    let times: Vec<DateTime<Utc>> = snapshots.iter().map(|b| b.taken_at).collect();
    let mut removed = Vec::new();
    for (info, retention) in snapshots.iter().zip(thinning_plan(&times, now)) {
        if !retention.is_kept() {
            std::fs::remove_file(&info.path).map_err(|e| BackupError::io(&info.path, e))?;
            removed.push(info.path.clone());
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let is_temp = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(TEMP_PREFIX));
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > Duration::from_hours(1));
            if is_temp && old && std::fs::remove_file(entry.path()).is_ok() {
                removed.push(entry.path());
            }
        }
    }
    Ok(removed)
}

// ---------------------------------------------------------------------------------------------
// Restore

/// What happened to the catalog that was there before a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafetyCopy {
    /// There was no catalog: the restore created it.
    NoCatalog,
    /// A checked snapshot of the catalog as it was (`catalog-…-before-restore.sqlite`).
    Snapshot(PathBuf),
    /// The catalog could not be opened or checked cleanly: its raw bytes (and its `-wal`, if
    /// any) were copied aside unchanged (`damaged-….sqlite`).
    Damaged(Vec<PathBuf>),
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOutcome {
    pub backup: PathBuf,
    pub catalog: PathBuf,
    pub safety_copy: SafetyCopy,
    /// Catalog version of the backup before it was brought up to this app's version.
    pub backup_version: i64,
}

/// Deletes a staging copy and its side files when dropped.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        remove_with_side_files(&self.0);
    }
}

/// Gives an error about a staging copy the backup's own name.
fn about_backup(error: DbError, backup: &str) -> DbError {
    let path = backup.to_owned();
    match error {
        DbError::NotFound { .. } => DbError::NotFound { path },
        DbError::NotACatalog { reason, .. } => DbError::NotACatalog { path, reason },
        DbError::TooNew {
            found, supported, ..
        } => DbError::TooNew {
            path,
            found,
            supported,
        },
        DbError::Damaged { detail, .. } => DbError::Damaged { path, detail },
        DbError::MigrationFailed {
            from,
            step,
            name,
            source,
            ..
        } => DbError::MigrationFailed {
            path,
            from,
            step,
            name,
            source,
        },
        other => other,
    }
}

/// Replaces the catalog at `catalog_path` with `backup` (creating it if there is none).
///
/// 1. The backup is copied to a staging file and opened with [`Catalog::open`]: it must be a
///    Labeldesk catalog no newer than this app (an older one is upgraded, on the copy) and
///    pass `integrity_check`. The backup file itself is never changed.
/// 2. The current catalog is kept aside in its backups folder: a checked snapshot
///    (`…-before-restore`) when it opens and passes `quick_check`, otherwise a raw copy of its
///    bytes and `-wal` (`damaged-…`). It is never overwritten without one of these.
/// 3. The staged backup is written into the catalog with SQLite's online backup API (other
///    connections see the change; no file is copied over an open catalog), then
///    `wal_checkpoint(TRUNCATE)`; a catalog too damaged for SQLite to write into is deleted
///    (its copy is kept) and written fresh.
/// 4. The result is opened with [`Catalog::open`] and quick-checked; closing it removes
///    `-wal`/`-shm` unless another program still has the catalog open.
///
/// # Errors
/// The backup is missing, not a catalog, newer, or damaged (nothing changed); the safety copy
/// cannot be written (nothing changed); the catalog is busy; SQLite failures while writing.
pub fn restore(backup: &Path, catalog_path: &Path) -> Result<RestoreOutcome> {
    let backup_shown = backup.display().to_string();
    let catalog_shown = catalog_path.display().to_string();
    if !backup.is_file() {
        return Err(DbError::NotFound { path: backup_shown }.into());
    }
    if let (Ok(a), Ok(b)) = (backup.canonicalize(), catalog_path.canonicalize())
        && a == b
    {
        return Err(BackupError::SameFile { path: backup_shown });
    }
    let dir = backups_dir(catalog_path);
    std::fs::create_dir_all(&dir).map_err(|e| BackupError::io(&dir, e))?;

    // 1. Stage and check the backup.
    let staging = Staging(unique_temp(&dir, "restore.sqlite"));
    std::fs::copy(backup, &staging.0).map_err(|e| BackupError::io(backup, e))?;
    let backup_wal = db::wal_path(backup);
    if backup_wal.is_file() {
        std::fs::copy(&backup_wal, db::wal_path(&staging.0))
            .map_err(|e| BackupError::io(&backup_wal, e))?;
    }
    let backup_version = Connection::open_with_flags(
        &staging.0,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|c| db::migrations::user_version(&c))
    .unwrap_or(0);
    let staged = Catalog::open(&staging.0).map_err(|e| match e {
        DbError::Sqlite(e) => BackupError::BackupDamaged {
            path: backup_shown.clone(),
            detail: e.to_string(),
        },
        other => about_backup(other, &backup_shown).into(),
    })?;
    let problems =
        integrity(staged.conn(), "integrity_check").map_err(|e| BackupError::BackupDamaged {
            path: backup_shown.clone(),
            detail: e.to_string(),
        })?;
    if !problems.is_empty() {
        return Err(BackupError::BackupDamaged {
            path: backup_shown,
            detail: summarize(&problems),
        });
    }

    // 2. Keep the current catalog aside.
    let safety_copy = keep_current(catalog_path, &dir)?;
    let kept = match &safety_copy {
        SafetyCopy::NoCatalog => "There was no catalog before.".to_owned(),
        SafetyCopy::Snapshot(p) => format!("The catalog as it was is kept in {}.", p.display()),
        SafetyCopy::Damaged(paths) => format!(
            "The damaged catalog is kept in {}.",
            paths
                .first()
                .map_or_else(String::new, |p| p.display().to_string())
        ),
    };
    let failed = |failure: WriteFailure| match failure {
        WriteFailure::Busy => BackupError::Busy {
            path: catalog_shown.clone(),
        },
        WriteFailure::Sqlite(source) => BackupError::Restore {
            backup: backup_shown.clone(),
            catalog: catalog_shown.clone(),
            source: Box::new(source),
            kept: kept.clone(),
        },
    };

    // 3. Write it in through the backup API.
    if let Some(parent) = catalog_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| BackupError::io(parent, e))?;
    }
    match write_through_backup_api(staged.conn(), catalog_path) {
        Ok(()) => {}
        Err(WriteFailure::Sqlite(e))
            if matches!(safety_copy, SafetyCopy::Damaged(_))
                && matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
                ) =>
        {
            // SQLite cannot even write into it; its bytes are kept aside: start a fresh file.
            remove_with_side_files(catalog_path);
            write_through_backup_api(staged.conn(), catalog_path).map_err(failed)?;
        }
        Err(failure) => return Err(failed(failure)),
    }
    drop(staged);
    drop(staging);

    // 4. Check the result.
    let restored = Catalog::open(catalog_path)?;
    let problems = quick_check(restored.conn())?;
    drop(restored);
    if !problems.is_empty() {
        return Err(BackupError::Restore {
            backup: backup_shown,
            catalog: catalog_shown,
            source: Box::new(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(summarize(&problems)),
            )),
            kept,
        });
    }
    Ok(RestoreOutcome {
        backup: backup.to_path_buf(),
        catalog: catalog_path.to_path_buf(),
        safety_copy,
        backup_version,
    })
}

fn keep_current(catalog_path: &Path, dir: &Path) -> Result<SafetyCopy> {
    let wal = db::wal_path(catalog_path);
    if !catalog_path.exists() && !wal.exists() {
        return Ok(SafetyCopy::NoCatalog);
    }
    let clean = Catalog::open(catalog_path).ok().and_then(|current| {
        let ok = quick_check(current.conn()).is_ok_and(|p| p.is_empty());
        ok.then(|| snapshot(&current, dir, Some("before-restore")).ok())
            .flatten()
    });
    if let Some(path) = clean {
        return Ok(SafetyCopy::Snapshot(path));
    }
    let target = free_name(
        dir,
        &format!("{DAMAGED_PREFIX}{}", Utc::now().format(TIME_FORMAT)),
    );
    let mut copies = Vec::new();
    if catalog_path.exists() {
        std::fs::copy(catalog_path, &target).map_err(|e| BackupError::io(&target, e))?;
        copies.push(target.clone());
    }
    if wal.is_file() {
        let wal_copy = db::wal_path(&target);
        std::fs::copy(&wal, &wal_copy).map_err(|e| BackupError::io(&wal_copy, e))?;
        copies.push(wal_copy);
    }
    Ok(SafetyCopy::Damaged(copies))
}

/// Why writing through the backup API failed.
enum WriteFailure {
    Sqlite(rusqlite::Error),
    /// Another connection kept the catalog locked.
    Busy,
}

impl From<rusqlite::Error> for WriteFailure {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

fn write_through_backup_api(source: &Connection, catalog_path: &Path) -> Result<(), WriteFailure> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut dest = Connection::open_with_flags(catalog_path, flags)?;
    dest.busy_timeout(Duration::from_secs(5))?;
    {
        let backup = Backup::new(source, &mut dest)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match backup.step(-1)? {
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked => {
                    if Instant::now() > deadline {
                        return Err(WriteFailure::Busy);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                // Done (StepResult is non-exhaustive: anything else ends the loop too).
                _ => break,
            }
        }
    }
    // Move the restored pages from the -wal into the file and empty the -wal.
    dest.query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    dest.close().map_err(|(_, e)| WriteFailure::Sqlite(e))
}

// ---------------------------------------------------------------------------------------------
// Damage detection

/// The marker file that says a catalog is open: `<catalog>.open`.
#[must_use]
pub fn open_marker(catalog_path: &Path) -> PathBuf {
    with_suffix(catalog_path, ".open")
}

/// Writes the open marker (process id and time). Call right after opening a catalog, after
/// asking [`was_closed_cleanly`].
///
/// # Errors
/// When the marker cannot be written (e.g. a read-only folder).
pub fn mark_open(catalog_path: &Path) -> Result<()> {
    let marker = open_marker(catalog_path);
    let text = format!(
        "Labeldesk has this catalog open (process {}, since {}).\n\
         If Labeldesk is not running, it did not close cleanly: it checks the catalog next time.\n",
        std::process::id(),
        Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
    );
    std::fs::write(&marker, text).map_err(|e| BackupError::io(&marker, e))
}

/// Removes the open marker: call after the catalog was closed cleanly.
///
/// # Errors
/// When the marker exists but cannot be removed.
pub fn mark_closed(catalog_path: &Path) -> Result<()> {
    let marker = open_marker(catalog_path);
    match std::fs::remove_file(&marker) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(BackupError::io(&marker, e)),
    }
}

/// False when the marker of a previous session is still there (a crash, a power cut, a
/// killed process, or another Labeldesk that has the catalog open right now).
#[must_use]
pub fn was_closed_cleanly(catalog_path: &Path) -> bool {
    !open_marker(catalog_path).exists()
}

/// True when a full check (`labeldesk check`, [`crate::db::check::run`]) should run in the
/// background before trusting the catalog: it was not closed cleanly.
#[must_use]
pub fn needs_full_check(catalog_path: &Path) -> bool {
    !was_closed_cleanly(catalog_path)
}

/// `PRAGMA quick_check`: the problems found, empty when the catalog looks sound (O(size) but
/// much faster than `integrity_check`). A catalog too damaged to check reports that as a
/// problem.
///
/// # Errors
/// SQLite failures other than damage (e.g. the catalog is locked).
pub fn quick_check(conn: &Connection) -> Result<Vec<String>> {
    match integrity(conn, "quick_check") {
        Ok(problems) => Ok(problems),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
            ) =>
        {
            Ok(vec![e.to_string()])
        }
        Err(e) => Err(BackupError::Db(DbError::Sqlite(e))),
    }
}

/// Folder names of services that sync files in the background (matched at the start of a
/// folder name, ignoring case: "OneDrive - Contoso", "GoogleDrive-me@example.com").
const SYNCED_FOLDERS: &[(&str, &str)] = &[
    ("dropbox", "Dropbox"),
    ("onedrive", "OneDrive"),
    ("google drive", "Google Drive"),
    ("googledrive", "Google Drive"),
    ("my drive", "Google Drive"),
    ("icloud drive", "iCloud Drive"),
    ("iclouddrive", "iCloud Drive"),
    ("mobile documents", "iCloud Drive"),
    ("com~apple~clouddocs", "iCloud Drive"),
    ("nextcloud", "Nextcloud"),
    ("syncthing", "Syncthing"),
];

/// A warning when the catalog sits in a folder that a sync service copies in the background:
/// it can copy the catalog and its `-wal` at different moments and leave conflicted copies.
#[must_use]
pub fn cloud_synced_warning(catalog_path: &Path) -> Option<String> {
    let candidates = [
        Some(catalog_path.to_path_buf()),
        catalog_path
            .parent()
            .and_then(|p| p.canonicalize().ok())
            .map(|p| p.join(catalog_path.file_name().unwrap_or_default())),
    ];
    for path in candidates.iter().flatten() {
        let folders = path.parent().into_iter().flat_map(Path::components);
        for component in folders {
            let name = component.as_os_str().to_string_lossy().to_lowercase();
            if let Some((_, service)) = SYNCED_FOLDERS.iter().find(|(key, _)| name.starts_with(key))
            {
                return Some(format!(
                    "{} is inside a {service} folder. {service} copies files while Labeldesk \
                     writes them and can leave conflicted or half-synced copies of the catalog \
                     and its -wal file. Keep the catalog in a local folder and let {service} \
                     sync a backup folder instead.",
                    catalog_path.display()
                ));
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Command line

/// `1234567` → "1.2 MB".
#[must_use]
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// `labeldesk backup [--db PATH] [--to FILE]`: a checked snapshot into the backups folder
/// (reason "manual"), or into FILE (which must not exist). Prints the path and size.
///
/// # Errors
/// The catalog cannot be opened, or the copy cannot be written or fails its check.
pub fn cli_backup(db: &Path, to: Option<&Path>, out: &mut dyn Write) -> Result<PathBuf> {
    let catalog = Catalog::open(db)?;
    let path = match to {
        Some(file) => {
            if file.exists() {
                return Err(BackupError::Exists {
                    path: file.display().to_string(),
                });
            }
            if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| BackupError::io(parent, e))?;
            }
            write_checked_copy(&catalog, file)?;
            file.to_path_buf()
        }
        None => snapshot(&catalog, &backups_dir(db), Some("manual"))?,
    };
    let size = std::fs::metadata(&path)
        .map_err(|e| BackupError::io(&path, e))?
        .len();
    writeln!(out, "{}", path.display()).map_err(|e| BackupError::io(Path::new("output"), e))?;
    writeln!(
        out,
        "backup of {} checked and written: {size} bytes ({})",
        db.display(),
        human_size(size)
    )
    .map_err(|e| BackupError::io(Path::new("output"), e))?;
    Ok(path)
}

/// `labeldesk restore FILE [--db PATH]` (creates the catalog when there is none).
///
/// # Errors
/// See [`restore`].
pub fn cli_restore(backup: &Path, db: &Path, out: &mut dyn Write) -> Result<RestoreOutcome> {
    let outcome = restore(backup, db)?;
    let output = |e| BackupError::io(Path::new("output"), e);
    writeln!(out, "restored {} from {}", db.display(), backup.display()).map_err(output)?;
    match &outcome.safety_copy {
        SafetyCopy::NoCatalog => writeln!(out, "(there was no catalog before: it was created)"),
        SafetyCopy::Snapshot(p) => {
            writeln!(out, "the catalog as it was is kept in {}", p.display())
        }
        SafetyCopy::Damaged(paths) => writeln!(
            out,
            "the damaged catalog could not be opened cleanly; its bytes are kept in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
    .map_err(output)?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn names_carry_time_and_reason() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 26, 9, 5, 7)
            .single()
            .expect("time");
        assert_eq!(snapshot_base_name(t, None), "catalog-20261126-090507");
        assert_eq!(
            snapshot_base_name(t, Some("Before import: Discogs!")),
            "catalog-20261126-090507-before-import-discogs"
        );
        assert_eq!(
            parse_snapshot_name("catalog-20261126-090507-before-import.sqlite"),
            Some((t, Some("before-import".to_owned())))
        );
        assert_eq!(
            parse_snapshot_name("catalog-20261126-090507.sqlite"),
            Some((t, None))
        );
        for other in [
            "damaged-20261126-090507.sqlite",
            "catalog-20261126-0905.sqlite",
            "catalog-20261126-090507x.sqlite",
            "catalog-20261126-090507.sqlite-wal",
            ".partial-1-2-catalog-20261126-090507.sqlite",
        ] {
            assert_eq!(parse_snapshot_name(other), None, "{other}");
        }
        assert_eq!(clean_reason("  ---  "), None);
    }

    #[test]
    fn everything_from_the_last_24_hours_is_kept() {
        let now = at(2026, 11, 26, 12);
        let taken: Vec<_> = (0..24)
            .map(|h| now - TimeDelta::hours(h) - TimeDelta::minutes(30))
            .collect();
        assert!(
            thinning_plan(&taken, now)
                .iter()
                .all(|r| *r == Retention::Recent)
        );
        // The clock was wrong once: a snapshot "from the future" is kept too.
        assert_eq!(
            thinning_plan(&[now + TimeDelta::hours(5)], now),
            [Retention::Recent]
        );
    }

    #[test]
    fn one_per_day_then_per_week_then_per_month() {
        use Retention::{Daily, Monthly, Recent, Remove, Weekly};
        // Thursday 26 November 2026, noon.
        let now = at(2026, 11, 26, 12);
        let limits = ThinningLimits {
            daily: 3,
            weekly: 2,
            monthly: 2,
        };
        let cases = [
            (at(2026, 11, 26, 9), Recent),
            (at(2026, 11, 25, 18), Recent),
            (at(2026, 11, 25, 8), Remove), // 28 h old, its day is already kept
            (at(2026, 11, 24, 20), Daily), // newest of the 24th
            (at(2026, 11, 24, 7), Remove),
            (at(2026, 11, 20, 10), Daily), // days without snapshots do not use up the count
            (at(2026, 11, 18, 10), Daily),
            (at(2026, 11, 17, 10), Remove), // daily slots used; same ISO week as the 18th
            (at(2026, 11, 16, 10), Remove), // Monday of that same week
            (at(2026, 11, 15, 10), Weekly), // Sunday: the week before
            (at(2026, 11, 8, 10), Weekly),  // Sunday of the week before that
            (at(2026, 11, 3, 10), Remove),  // weekly slots used; November is kept already
            (at(2026, 10, 30, 10), Monthly),
            (at(2026, 10, 2, 10), Remove),
            (at(2026, 9, 15, 10), Monthly),
            (at(2026, 8, 15, 10), Remove), // monthly slots used
            (at(2025, 1, 1, 0), Remove),
        ];
        // Shuffle the input order: the plan answers in the order it was asked.
        let mut shuffled: Vec<_> = cases.iter().rev().collect();
        shuffled.rotate_left(5);
        let times: Vec<_> = shuffled.iter().map(|(t, _)| *t).collect();
        let plan = thinning_plan_with(&times, now, limits);
        for ((t, expected), got) in shuffled.iter().zip(plan) {
            assert_eq!(got, *expected, "snapshot taken {t}");
        }
    }

    #[test]
    fn a_year_of_daily_snapshots_thins_to_the_default_schedule() {
        let now = at(2026, 11, 26, 12);
        let taken: Vec<_> = (0..365)
            .map(|d| now - TimeDelta::days(d) - TimeDelta::hours(1))
            .collect();
        let plan = thinning_plan(&taken, now);
        let count = |r: Retention| plan.iter().filter(|&&x| x == r).count();
        assert_eq!(count(Retention::Recent), 1);
        assert_eq!(count(Retention::Daily), 12);
        assert_eq!(count(Retention::Weekly), 10);
        assert_eq!(count(Retention::Monthly), 9);
        // The newest one is always kept and the oldest kept one is about a year old at most.
        assert!(plan[0].is_kept());
        let oldest_kept = taken
            .iter()
            .zip(&plan)
            .filter(|(_, r)| r.is_kept())
            .map(|(t, _)| *t)
            .min()
            .expect("some kept");
        assert!(now - oldest_kept < TimeDelta::days(365));
        assert!(now - oldest_kept > TimeDelta::days(200));
    }

    #[test]
    fn cloud_folders_are_recognised() {
        for path in [
            "/home/ana/Dropbox/label/catalog.sqlite",
            "C:\\Users\\ana\\OneDrive - Harbour Lights\\catalog.sqlite",
            "/Users/ana/Library/CloudStorage/GoogleDrive-ana@example.com/My Drive/catalog.sqlite",
            "/Users/ana/Library/Mobile Documents/com~apple~CloudDocs/catalog.sqlite",
            "/home/ana/Nextcloud/catalog.sqlite",
            "/home/ana/syncthing/catalog.sqlite",
        ] {
            let path = Path::new(path);
            let warning = cloud_synced_warning(path);
            #[cfg(not(windows))]
            if path.to_string_lossy().contains('\\') {
                continue; // a Windows path is one folder name elsewhere
            }
            assert!(warning.is_some(), "{}", path.display());
        }
        assert_eq!(
            cloud_synced_warning(Path::new("/home/ana/.local/share/labeldesk/catalog.sqlite")),
            None
        );
        let warning =
            cloud_synced_warning(Path::new("/home/ana/Dropbox/catalog.sqlite")).expect("warning");
        assert!(
            warning.contains("Dropbox") && warning.contains("-wal"),
            "{warning}"
        );
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(1_234), "1.2 KB");
        assert_eq!(human_size(245_000), "245 KB");
        assert_eq!(human_size(3_500_000), "3.5 MB");
    }
}
