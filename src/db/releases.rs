//! The `releases` table with its artist credits, and whole-release snapshots used by undo
//! and interchange.

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
const CREDIT_SQL: &str = "coalesce((SELECT group_concat(name, ' & ') FROM (
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
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM formats f WHERE f.release_id = r.id AND f.kind = ?{})",
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
/// # Errors
/// SQLite failures.
pub fn count(conn: &Connection, filter: &ReleaseFilter) -> Result<u64> {
    let (clause, values) = where_clause(filter);
    let sql = format!("SELECT count(*) FROM releases r {clause}");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(values), |r| r.get(0))?)
}

/// One page of the releases table: only the rows asked for are read and formatted.
///
/// # Errors
/// SQLite failures.
pub fn page(
    conn: &Connection,
    filter: &ReleaseFilter,
    offset: u64,
    limit: u64,
) -> Result<Vec<ReleaseRow>> {
    use rusqlite::types::Value;
    let (clause, mut values) = where_clause(filter);
    let order = order_by(filter);
    values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    values.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let n = values.len();
    // Page the bare ids first (an index walk), then dress only those rows.
    let ids_sql = format!(
        "SELECT r.id FROM releases r {clause} ORDER BY {order} LIMIT ?{} OFFSET ?{n}",
        n - 1
    );
    let ids: Vec<ReleaseId> = conn
        .prepare_cached(&ids_sql)?
        .query_map(rusqlite::params_from_iter(values), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.id, {CATNO_SQL}, {CREDIT_SQL}, r.title, r.release_type, r.status, r.release_date,
                coalesce((SELECT group_concat(kind, ',') FROM (SELECT kind FROM formats f WHERE f.release_id = r.id ORDER BY f.position, f.id)), ''),
                EXISTS (SELECT 1 FROM release_covers rc WHERE rc.release_id = r.id)
         FROM releases r WHERE r.id = ?1"
    ))?;
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.push(stmt.query_row([id], |r| {
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
        })?);
    }
    Ok(rows)
}

/// Where a release sits in the filtered, sorted table (0-based), or `None` if the filter
/// hides it. Walks ids in table order without formatting rows.
///
/// # Errors
/// SQLite failures.
pub fn position(conn: &Connection, filter: &ReleaseFilter, id: ReleaseId) -> Result<Option<u64>> {
    let (clause, values) = where_clause(filter);
    let sql = format!(
        "SELECT r.id FROM releases r {clause} ORDER BY {}",
        order_by(filter)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
    let mut index = 0_u64;
    while let Some(row) = rows.next()? {
        if row.get::<_, ReleaseId>(0)? == id {
            return Ok(Some(index));
        }
        index += 1;
    }
    Ok(None)
}

/// The years that have releases, newest first (for the year filter).
///
/// # Errors
/// SQLite failures.
pub fn years(conn: &Connection) -> Result<Vec<i32>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT CAST(substr(release_date, 1, 4) AS INTEGER) FROM releases
         WHERE release_date IS NOT NULL ORDER BY 1 DESC",
    )?;
    let rows = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
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
