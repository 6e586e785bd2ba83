//! The `releases` table with its artist credits, and whole-release snapshots used by undo
//! and interchange.

use std::sync::Arc;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::covers::{self, Cover};
use super::error::{DbError, Result};
use super::{catnos, formats, search, tracks};
use crate::model::{
    Format, FormatKind, Release, ReleaseArtist, ReleaseCatalogNumber, ReleaseId, ReleaseStatus,
    ReleaseType, Track,
};

const COLUMNS: &str = "id, label_id, title, release_type, status, release_date, notes";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Release> {
    Ok(Release {
        id: row.get(0)?,
        label_id: row.get(1)?,
        title: row.get(2)?,
        release_type: row.get(3)?,
        status: row.get(4)?,
        release_date: row.get(5)?,
        notes: row.get(6)?,
    })
}

fn validated(release: &Release) -> Result<Release> {
    let mut r = release.clone();
    r.title = r.title.trim().to_owned();
    r.validate()?;
    Ok(r)
}

/// Inserts a release; an unsaved id gets a fresh one, a set id is kept (undo, import).
///
/// # Errors
/// Invalid fields or SQLite failures.
pub fn insert(tx: &Transaction<'_>, release: &Release) -> Result<ReleaseId> {
    let r = validated(release)?;
    let id = (!r.id.is_unsaved()).then_some(r.id);
    tx.execute(
        "INSERT INTO releases (id, label_id, title, release_type, status, release_date, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            r.label_id,
            r.title,
            r.release_type,
            r.status,
            r.release_date,
            r.notes
        ],
    )?;
    Ok(ReleaseId(tx.last_insert_rowid()))
}

/// Saves the release's own fields.
///
/// # Errors
/// Invalid fields, a missing release, or SQLite failures.
pub fn update(tx: &Transaction<'_>, release: &Release) -> Result<()> {
    let r = validated(release)?;
    let n = tx.execute(
        "UPDATE releases SET label_id = ?2, title = ?3, release_type = ?4, status = ?5, release_date = ?6,
                notes = ?7, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE id = ?1",
        params![r.id, r.label_id, r.title, r.release_type, r.status, r.release_date, r.notes],
    )?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "release",
            id: r.id.0,
        });
    }
    Ok(())
}

/// One release.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn get(conn: &Connection, id: ReleaseId) -> Result<Release> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM releases WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "release",
        id: id.0,
    })
}

/// Replaces the release's artist credits (order kept).
///
/// # Errors
/// A missing artist, or SQLite failures.
pub fn set_artists(tx: &Transaction<'_>, id: ReleaseId, artists: &[ReleaseArtist]) -> Result<()> {
    tx.execute("DELETE FROM release_artists WHERE release_id = ?1", [id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO release_artists (release_id, artist_id, role, position) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (position, credit) in artists.iter().enumerate() {
        stmt.execute(params![
            id,
            credit.artist_id,
            credit.role,
            i64::try_from(position).unwrap_or(i64::MAX)
        ])
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => DbError::Missing {
                kind: "artist",
                id: credit.artist_id.0,
            },
            _ => e.into(),
        })?;
    }
    Ok(())
}

/// The release's artist credits, in order.
///
/// # Errors
/// SQLite failures.
pub fn artists_of(conn: &Connection, id: ReleaseId) -> Result<Vec<ReleaseArtist>> {
    let mut stmt = conn.prepare_cached(
        "SELECT artist_id, role FROM release_artists WHERE release_id = ?1 ORDER BY position",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(ReleaseArtist {
                artist_id: r.get(0)?,
                role: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The credit line shown for a release, e.g. "Ada Lovelace & The Engines feat. Grace".
///
/// # Errors
/// SQLite failures.
pub fn credit_line(conn: &Connection, id: ReleaseId) -> Result<String> {
    Ok(conn.query_row(
        &format!("SELECT {CREDIT_SQL} FROM releases r WHERE r.id = ?1"),
        [id],
        |r| r.get(0),
    )?)
}

/// SQL expression (over alias `r`) for the main-artist credit line.
pub(crate) const CREDIT_SQL: &str = "coalesce((SELECT group_concat(name, ' & ') FROM (
        SELECT a.name FROM release_artists ra JOIN artists a ON a.id = ra.artist_id
        WHERE ra.release_id = r.id AND ra.role = 'primary' ORDER BY ra.position)), '')";

/// Everything that belongs to one release: what undo restores and export writes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReleaseFull {
    pub release: Release,
    pub artists: Vec<ReleaseArtist>,
    pub formats: Vec<Format>,
    pub catnos: Vec<ReleaseCatalogNumber>,
    pub tracks: Vec<Track>,
    #[serde(skip)]
    pub cover: Option<Cover>,
}

/// Loads a release with all its parts.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn load_full(conn: &Connection, id: ReleaseId) -> Result<ReleaseFull> {
    Ok(ReleaseFull {
        release: get(conn, id)?,
        artists: artists_of(conn, id)?,
        formats: formats::list_for_release(conn, id)?,
        catnos: catnos::list_for_release(conn, id)?,
        tracks: tracks::list_for_release(conn, id)?,
        cover: covers::get(conn, id)?,
    })
}

/// Writes a whole release back with its original ids (undo of a delete, import).
///
/// # Errors
/// Invalid data, id clashes, or SQLite failures; the caller's transaction then rolls back.
pub fn restore_full(tx: &Transaction<'_>, full: &ReleaseFull) -> Result<ReleaseId> {
    let id = insert(tx, &full.release)?;
    set_artists(tx, id, &full.artists)?;
    for format in &full.formats {
        formats::insert(
            tx,
            &Format {
                release_id: id,
                ..format.clone()
            },
        )?;
    }
    for catno in &full.catnos {
        catnos::insert(tx, id, catno)?;
    }
    for track in &full.tracks {
        tracks::insert(
            tx,
            &Track {
                release_id: id,
                ..track.clone()
            },
        )?;
    }
    if let Some(cover) = &full.cover {
        covers::set(tx, id, cover)?;
    }
    Ok(id)
}

/// Deletes a release with its formats, catalog numbers, tracks and cover; returns what was
/// deleted so the caller can offer undo.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn delete(tx: &Transaction<'_>, id: ReleaseId) -> Result<ReleaseFull> {
    let full = load_full(tx, id)?;
    // Contracts keep their release (and its tracks' splits): say so instead of a raw
    // foreign-key failure.
    let contracts: i64 = tx.query_row(
        "SELECT (SELECT count(*) FROM contracts WHERE release_id = ?1)
              + (SELECT count(DISTINCT contract_id) FROM contract_splits
                 WHERE release_id = ?1 OR track_id IN (SELECT id FROM tracks WHERE release_id = ?1))",
        [id],
        |r| r.get(0),
    )?;
    if contracts > 0 {
        return Err(DbError::InUse(format!(
            "“{}” cannot be deleted: {contracts} contract(s) name it or its tracks (Contracts panel). \
             Mark it Out of print instead.",
            full.release.title
        )));
    }
    tx.execute("DELETE FROM releases WHERE id = ?1", [id])?;
    Ok(full)
}

/// Columns the releases table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ReleaseSort {
    CatalogNumber,
    Artist,
    Title,
    Type,
    Status,
    #[default]
    Date,
}

/// What the releases table shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ReleaseFilter {
    pub text: String,
    pub status: Option<ReleaseStatus>,
    pub format: Option<FormatKind>,
    pub year: Option<i32>,
    pub artist: Option<crate::model::ArtistId>,
    pub sort: ReleaseSort,
    pub descending: bool,
}

/// One row of the releases table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseRow {
    pub id: ReleaseId,
    pub catnos: String,
    pub artists: String,
    pub title: String,
    pub release_type: ReleaseType,
    pub status: ReleaseStatus,
    pub release_date: Option<NaiveDate>,
    pub formats: Vec<FormatKind>,
    pub has_cover: bool,
}

const CATNO_SQL: &str = "coalesce((SELECT group_concat(catno, ', ') FROM (SELECT catno FROM catalog_numbers c WHERE c.release_id = r.id ORDER BY c.position, c.id)), '')";

/// The WHERE clause and its parameters for a filter.
fn where_clause(filter: &ReleaseFilter) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut clauses = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(status) = filter.status {
        values.push(Value::Text(status.code().to_owned()));
        clauses.push(format!("r.status = ?{}", values.len()));
    }
    if let Some(kind) = filter.format {
        values.push(Value::Text(kind.code().to_owned()));
        // Through formats_by_kind (kind, release_id): one index range, not a probe per release.
        clauses.push(format!(
            "r.id IN (SELECT f.release_id FROM formats f WHERE f.kind = ?{})",
            values.len()
        ));
    }
    if let Some(year) = filter.year {
        values.push(Value::Text(format!("{year:04}-01-01")));
        values.push(Value::Text(format!("{:04}-01-01", year + 1)));
        clauses.push(format!(
            "r.release_date >= ?{} AND r.release_date < ?{}",
            values.len() - 1,
            values.len()
        ));
    }
    if let Some(artist) = filter.artist {
        values.push(Value::Integer(artist.0));
        clauses.push(format!(
            "r.id IN (SELECT release_id FROM release_artists WHERE artist_id = ?{})",
            values.len()
        ));
    }
    if let Some(query) = search::word_query(&filter.text) {
        values.push(Value::Text(query));
        let n = values.len();
        clauses.push(format!(
            "(r.id IN (SELECT rowid >> 2 FROM search_words WHERE search_words MATCH ?{n} AND (rowid & 3) = 1)
              OR r.id IN (SELECT ra.release_id FROM release_artists ra WHERE ra.artist_id IN
                  (SELECT rowid >> 2 FROM search_words WHERE search_words MATCH ?{n} AND (rowid & 3) = 0)))"
        ));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, values)
}

/// The ORDER BY clause for the table's sort.
fn order_by(filter: &ReleaseFilter) -> String {
    let dir = if filter.descending { "DESC" } else { "ASC" };
    match filter.sort {
        ReleaseSort::CatalogNumber => format!(
            "(SELECT min(catno COLLATE NOCASE) FROM catalog_numbers c WHERE c.release_id = r.id) IS NULL, \
             (SELECT min(catno COLLATE NOCASE) FROM catalog_numbers c WHERE c.release_id = r.id) {dir}, r.id {dir}"
        ),
        ReleaseSort::Artist => format!("{CREDIT_SQL} COLLATE NOCASE {dir}, r.id {dir}"),
        ReleaseSort::Title => format!("r.title COLLATE NOCASE {dir}, r.id {dir}"),
        ReleaseSort::Type => format!("r.release_type {dir}, r.id {dir}"),
        ReleaseSort::Status => format!(
            "CASE r.status WHEN 'idea' THEN 0 WHEN 'planned' THEN 1 WHEN 'in_production' THEN 2 \
             WHEN 'released' THEN 3 ELSE 4 END {dir}, r.release_date {dir}, r.id {dir}"
        ),
        ReleaseSort::Date => format!("r.release_date IS NULL, r.release_date {dir}, r.id {dir}"),
    }
}

/// How many releases match the filter.
///
/// Computes (and caches) the filtered, sorted id list, so the pages that follow are slices.
///
/// # Errors
/// SQLite failures.
pub fn count(conn: &Connection, filter: &ReleaseFilter) -> Result<u64> {
    Ok(ordered_ids(conn, filter)?.len() as u64)
}

/// One page of the releases table: only the rows asked for are read and formatted.
///
/// The table's order is computed once per (connection, data version, filter) and cached, so a
/// page anywhere in a 100,000-release table costs the same as the first: no `OFFSET` walk and
/// no re-sorting while the user scrolls or drags the scrollbar.
///
/// # Errors
/// SQLite failures.
pub fn page(
    conn: &Connection,
    filter: &ReleaseFilter,
    offset: u64,
    limit: u64,
) -> Result<Vec<ReleaseRow>> {
    let ids = ordered_ids(conn, filter)?;
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(ids.len());
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
        .min(ids.len());
    rows(conn, &ids[start..end])
}

/// The table rows of these releases, in this order, read by one statement (a release deleted
/// meanwhile is left out).
///
/// # Errors
/// SQLite failures.
pub fn rows(conn: &Connection, ids: &[ReleaseId]) -> Result<Vec<ReleaseRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut list = String::with_capacity(ids.len() * 8 + 2);
    list.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            list.push(',');
        }
        list.push_str(&id.0.to_string());
    }
    list.push(']');
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.id, {CATNO_SQL}, {CREDIT_SQL}, r.title, r.release_type, r.status, r.release_date,
                coalesce((SELECT group_concat(kind, ',') FROM (SELECT kind FROM formats f WHERE f.release_id = r.id ORDER BY f.position, f.id)), ''),
                EXISTS (SELECT 1 FROM release_covers rc WHERE rc.release_id = r.id)
         FROM json_each(?1) AS wanted CROSS JOIN releases r ON r.id = wanted.value
         ORDER BY wanted.key"
    ))?;
    let rows = stmt
        .query_map([list], |r| {
            let kinds: String = r.get(7)?;
            Ok(ReleaseRow {
                id: r.get(0)?,
                catnos: r.get(1)?,
                artists: r.get(2)?,
                title: r.get(3)?,
                release_type: r.get(4)?,
                status: r.get(5)?,
                release_date: r.get(6)?,
                formats: kinds
                    .split(',')
                    .filter_map(|k| FormatKind::from_code(k).ok())
                    .collect(),
                has_cover: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A connection to the catalog at `path` for reading table pages off the UI thread (the
/// Catalog panel reads ahead of the scroll with it). Its reads see every committed change.
/// `query_only`, so it cannot change the catalog; opened for writing all the same (never
/// creating a file), so that when it is the last connection to close it removes the
/// write-ahead log files as the app's own connection does (a read-only one leaves them).
///
/// # Errors
/// The file cannot be opened.
pub fn open_reader(path: &std::path::Path) -> Result<Connection> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Where a release sits in the filtered, sorted table (0-based), or `None` if the filter
/// hides it. Looks it up in the cached order.
///
/// # Errors
/// SQLite failures.
pub fn position(conn: &Connection, filter: &ReleaseFilter, id: ReleaseId) -> Result<Option<u64>> {
    Ok(ordered_ids(conn, filter)?
        .iter()
        .position(|&r| r == id)
        .map(|p| p as u64))
}

/// The ids of the releases the filter shows, in table order.
///
/// Cached per connection, data version and filter: see [`order_cache`].
///
/// # Errors
/// SQLite failures.
pub fn ordered_ids(conn: &Connection, filter: &ReleaseFilter) -> Result<Arc<Vec<ReleaseId>>> {
    let key = order_cache::key(conn)?;
    if let Some(ids) = order_cache::get(key, filter) {
        return Ok(ids);
    }
    let (clause, values) = where_clause(filter);
    let mut ids = Vec::new();
    for (extra, order) in order_segments(filter) {
        let clause = match (clause.is_empty(), extra) {
            (_, None) => clause.clone(),
            (true, Some(extra)) => format!("WHERE {extra}"),
            (false, Some(extra)) => format!("{clause} AND {extra}"),
        };
        let sql = format!("SELECT r.id FROM releases r {clause} ORDER BY {order}");
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
        while let Some(row) = rows.next()? {
            ids.push(row.get::<_, ReleaseId>(0)?);
        }
    }
    let ids = Arc::new(ids);
    order_cache::put(key, filter, Arc::clone(&ids));
    Ok(ids)
}

/// The table order as consecutive segments (extra condition, ORDER BY), each of which an index
/// can deliver without sorting where one exists. Concatenated, they give exactly the order of
/// [`order_by`].
fn order_segments(filter: &ReleaseFilter) -> Vec<(Option<String>, String)> {
    let dir = if filter.descending { "DESC" } else { "ASC" };
    match filter.sort {
        // Undated releases last: dated ones through releases_by_date, then the undated by id.
        // Descending needs no split (SQLite sorts NULL lowest, so DESC puts them last).
        ReleaseSort::Date if !filter.descending => vec![
            (
                Some("r.release_date IS NOT NULL".to_owned()),
                "r.release_date, r.id".to_owned(),
            ),
            (Some("r.release_date IS NULL".to_owned()), "r.id".to_owned()),
        ],
        ReleaseSort::Date => vec![(None, "r.release_date DESC, r.id DESC".to_owned())],
        // One segment per status, in life-cycle order, each through releases_by_status.
        ReleaseSort::Status => {
            let mut statuses: Vec<ReleaseStatus> = ReleaseStatus::ALL.to_vec();
            if filter.descending {
                statuses.reverse();
            }
            statuses
                .into_iter()
                .map(|s| {
                    (
                        Some(format!("r.status = '{}'", s.code())),
                        format!("r.release_date {dir}, r.id {dir}"),
                    )
                })
                .collect()
        }
        _ => vec![(None, order_by(filter))],
    }
}

/// A per-connection cache of table orders, keyed by the data they were read from.
///
/// A connection is told apart by a random id kept in a TEMP table (private to the connection,
/// never written to the catalog file); the data by `PRAGMA data_version` (changes when another
/// connection commits) and `total_changes()` (every row this connection inserted, updated or
/// deleted, rolled back or not). Any write therefore invalidates every cached order of that
/// connection; a stale order is never served.
pub mod order_cache {
    use std::sync::{Arc, Mutex, PoisonError};

    use rusqlite::Connection;

    use super::ReleaseFilter;
    use crate::db::error::Result;
    use crate::model::ReleaseId;

    /// How many orders are kept (each at most 8 bytes per release).
    const CAPACITY: usize = 4;

    /// (connection id, data_version, total_changes).
    pub type Key = (i64, i64, u64);

    struct Entry {
        key: Key,
        filter: ReleaseFilter,
        ids: Arc<Vec<ReleaseId>>,
    }

    static CACHE: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

    fn connection_id(conn: &Connection) -> Result<i64> {
        let read = |conn: &Connection| -> rusqlite::Result<i64> {
            conn.prepare_cached("SELECT id FROM temp.labeldesk_connection")?
                .query_row([], |r| r.get(0))
        };
        if let Ok(id) = read(conn) {
            return Ok(id);
        }
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS labeldesk_connection (id INTEGER NOT NULL);
             DELETE FROM temp.labeldesk_connection;
             INSERT INTO temp.labeldesk_connection (id) VALUES (random());",
        )?;
        Ok(read(conn)?)
    }

    /// The current key of `conn`.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn key(conn: &Connection) -> Result<Key> {
        let id = connection_id(conn)?;
        let version: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        Ok((id, version, conn.total_changes()))
    }

    pub(super) fn get(key: Key, filter: &ReleaseFilter) -> Option<Arc<Vec<ReleaseId>>> {
        let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        let index = cache
            .iter()
            .position(|e| e.key == key && e.filter == *filter)?;
        // Most recently used last.
        let entry = cache.remove(index);
        let ids = Arc::clone(&entry.ids);
        cache.push(entry);
        Some(ids)
    }

    pub(super) fn put(key: Key, filter: &ReleaseFilter, ids: Arc<Vec<ReleaseId>>) {
        let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        // Orders of this connection read from older data are useless now.
        cache.retain(|e| e.key.0 != key.0 || e.key == key);
        if cache.len() >= CAPACITY {
            cache.remove(0);
        }
        cache.push(Entry {
            key,
            filter: filter.clone(),
            ids,
        });
    }

    /// Forgets every cached order (tests, benchmarks).
    pub fn clear() {
        CACHE.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

/// The years that have releases, newest first (for the year filter).
///
/// # Errors
/// SQLite failures.
pub fn years(conn: &Connection) -> Result<Vec<i32>> {
    // One seek in releases_by_date per year (the latest date before the year just found),
    // not a read of every release: the year filter is refreshed after every edit.
    let mut stmt =
        conn.prepare_cached("SELECT max(release_date) FROM releases WHERE release_date < ?1")?;
    let mut years = Vec::new();
    let mut before = "A".to_owned(); // sorts after every 'YYYY-MM-DD'
    while let Some(date) = stmt.query_row([&before], |r| r.get::<_, Option<String>>(0))? {
        let Some(year) = date.get(..4).and_then(|y| y.parse::<i32>().ok()) else {
            break;
        };
        years.push(year);
        before = format!("{year:04}-01-01");
    }
    Ok(years)
}

/// The release a track belongs to, and the release of a format.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn of_track(conn: &Connection, track: crate::model::TrackId) -> Result<ReleaseId> {
    conn.query_row(
        "SELECT release_id FROM tracks WHERE id = ?1",
        [track],
        |r| r.get(0),
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "track",
        id: track.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Catalog;

    /// The fast per-segment orders give exactly the rows and order of the plain
    /// `ORDER BY {order_by}` query, for every sort, direction and kind of filter.
    #[test]
    fn ordered_ids_match_the_reference_order() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        crate::io::generate::generate(&mut catalog, 3_000, 5, &crate::jobs::JobControl::default())
            .expect("generate");
        let conn = catalog.conn();
        let undated: i64 = conn
            .query_row(
                "SELECT count(*) FROM releases WHERE release_date IS NULL",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert!(undated > 0, "the sample has undated releases");
        let filters = [
            ReleaseFilter::default(),
            ReleaseFilter {
                status: Some(ReleaseStatus::Released),
                ..Default::default()
            },
            ReleaseFilter {
                format: Some(FormatKind::Cassette),
                ..Default::default()
            },
            ReleaseFilter {
                year: Some(2020),
                ..Default::default()
            },
            ReleaseFilter {
                text: "the".to_owned(),
                ..Default::default()
            },
        ];
        let sorts = [
            ReleaseSort::CatalogNumber,
            ReleaseSort::Artist,
            ReleaseSort::Title,
            ReleaseSort::Type,
            ReleaseSort::Status,
            ReleaseSort::Date,
        ];
        for base in filters {
            for sort in sorts {
                for descending in [false, true] {
                    let filter = ReleaseFilter {
                        sort,
                        descending,
                        ..base.clone()
                    };
                    let (clause, values) = where_clause(&filter);
                    let reference: Vec<ReleaseId> = conn
                        .prepare(&format!(
                            "SELECT r.id FROM releases r {clause} ORDER BY {}",
                            order_by(&filter)
                        ))
                        .expect("query")
                        .query_map(rusqlite::params_from_iter(values), |r| r.get(0))
                        .expect("rows")
                        .collect::<rusqlite::Result<_>>()
                        .expect("ids");
                    let fast = ordered_ids(conn, &filter).expect("ordered ids");
                    assert_eq!(*fast, reference, "{filter:?}");
                    assert_eq!(count(conn, &filter).expect("count"), reference.len() as u64);
                    if let Some(&last) = reference.last() {
                        assert_eq!(
                            position(conn, &filter, last).expect("position"),
                            Some(reference.len() as u64 - 1)
                        );
                        let page =
                            page(conn, &filter, reference.len() as u64 - 1, 50).expect("page");
                        assert_eq!(page.iter().map(|r| r.id).collect::<Vec<_>>(), [last]);
                    }
                }
            }
        }
    }

    #[test]
    fn years_are_every_release_year_newest_first() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        crate::io::generate::generate(&mut catalog, 3_000, 5, &crate::jobs::JobControl::default())
            .expect("generate");
        let conn = catalog.conn();
        let reference: Vec<i32> = conn
            .prepare(
                "SELECT DISTINCT CAST(substr(release_date, 1, 4) AS INTEGER) FROM releases
                 WHERE release_date IS NOT NULL ORDER BY 1 DESC",
            )
            .expect("query")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("years");
        assert!(reference.len() > 10);
        assert_eq!(years(conn).expect("years"), reference);
        let empty = Catalog::open_in_memory().expect("catalog");
        assert_eq!(years(empty.conn()).expect("years"), Vec::<i32>::new());
    }

    /// An edit, on this connection or another one, is never served a stale order.
    #[test]
    fn the_cached_order_follows_every_write() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("order.sqlite");
        let mut catalog = Catalog::create(&path).expect("catalog");
        crate::io::generate::generate(&mut catalog, 500, 6, &crate::jobs::JobControl::default())
            .expect("generate");
        let filter = ReleaseFilter {
            sort: ReleaseSort::Title,
            ..Default::default()
        };
        let before = ordered_ids(catalog.conn(), &filter).expect("order");
        let first = before[0];
        // Renamed here: moves to the end.
        catalog
            .write(|tx| {
                tx.execute("UPDATE releases SET title = 'zzz' WHERE id = ?1", [first])?;
                Ok(())
            })
            .expect("rename");
        let after = ordered_ids(catalog.conn(), &filter).expect("order");
        assert_eq!(after.last(), Some(&first));
        // Renamed by another program: moves back to the front.
        let other = rusqlite::Connection::open(&path).expect("second connection");
        other
            .execute("UPDATE releases SET title = '000' WHERE id = ?1", [first])
            .expect("rename elsewhere");
        let again = ordered_ids(catalog.conn(), &filter).expect("order");
        assert_eq!(again.first(), Some(&first));
    }
}
