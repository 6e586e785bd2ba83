//! The `artists` table: the roster.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::error::{DbError, Result};
use crate::model::{Artist, ArtistId, ArtistStatus, ReleaseId, ReleaseStatus};

const COLUMNS: &str =
    "id, name, sort_name, status, archived, country, genres, email, phone, manager, links, notes";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Artist> {
    Ok(Artist {
        id: row.get(0)?,
        name: row.get(1)?,
        sort_name: row.get(2)?,
        status: row.get(3)?,
        archived: row.get(4)?,
        country: row.get(5)?,
        genres: row.get(6)?,
        email: row.get(7)?,
        phone: row.get(8)?,
        manager: row.get(9)?,
        links: row.get(10)?,
        notes: row.get(11)?,
    })
}

fn validated(artist: &Artist) -> Result<Artist> {
    let a = artist.clone().normalized();
    a.validate()?;
    Ok(a)
}

/// Inserts an artist; an unsaved id gets a fresh one, a set id is kept (undo, import).
///
/// # Errors
/// Invalid fields or SQLite failures; nothing is written then.
pub fn insert(tx: &Transaction<'_>, artist: &Artist) -> Result<ArtistId> {
    let a = validated(artist)?;
    let id = (!a.id.is_unsaved()).then_some(a.id);
    tx.execute(
        "INSERT INTO artists (id, name, sort_name, status, archived, country, genres, email, phone, manager, links, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            id, a.name, a.sort_name, a.status, a.archived, a.country, a.genres, a.email, a.phone, a.manager, a.links,
            a.notes
        ],
    )?;
    Ok(ArtistId(tx.last_insert_rowid()))
}

/// Saves every field of an existing artist.
///
/// # Errors
/// Invalid fields, a missing artist, or SQLite failures.
pub fn update(tx: &Transaction<'_>, artist: &Artist) -> Result<()> {
    let a = validated(artist)?;
    let n = tx.execute(
        "UPDATE artists SET name = ?2, sort_name = ?3, status = ?4, archived = ?5, country = ?6, genres = ?7,
                email = ?8, phone = ?9, manager = ?10, links = ?11, notes = ?12,
                updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE id = ?1",
        params![
            a.id, a.name, a.sort_name, a.status, a.archived, a.country, a.genres, a.email, a.phone, a.manager, a.links,
            a.notes
        ],
    )?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "artist",
            id: a.id.0,
        });
    }
    Ok(())
}

/// How many releases and tracks credit the artist.
///
/// # Errors
/// SQLite failures.
pub fn references(conn: &Connection, id: ArtistId) -> Result<(u64, u64)> {
    let releases: u64 = conn.query_row(
        "SELECT count(DISTINCT release_id) FROM release_artists WHERE artist_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let tracks: u64 = conn.query_row(
        "SELECT count(*) FROM tracks WHERE featured_artist_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok((releases, tracks))
}

/// Deletes an artist nothing refers to.
///
/// # Errors
/// [`DbError::InUse`] when releases or tracks credit the artist (the message suggests
/// archiving instead); [`DbError::Missing`]; SQLite failures. Nothing is written on error.
pub fn delete(tx: &Transaction<'_>, id: ArtistId) -> Result<()> {
    let artist = get(tx, id)?;
    let (releases, tracks) = references(tx, id)?;
    if releases > 0 || tracks > 0 {
        let mut credits = Vec::new();
        if releases > 0 {
            credits.push(plural(releases, "release"));
        }
        if tracks > 0 {
            credits.push(format!("featured on {}", plural(tracks, "track")));
        }
        return Err(DbError::InUse(format!(
            "“{}” cannot be deleted: credited on {}. Archive the artist instead, or remove those credits first.",
            artist.name,
            credits.join(" and ")
        )));
    }
    let contracts: i64 = tx.query_row(
        "SELECT count(*) FROM contracts WHERE artist_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    if contracts > 0 {
        return Err(DbError::InUse(format!(
            "“{}” cannot be deleted: {contracts} contract(s) are with this artist. Archive the artist instead.",
            artist.name
        )));
    }
    tx.execute("DELETE FROM artists WHERE id = ?1", [id])?;
    Ok(())
}

pub(crate) fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Archives or restores an artist (archived artists are hidden from the roster by default).
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn set_archived(tx: &Transaction<'_>, id: ArtistId, archived: bool) -> Result<()> {
    let n = tx.execute(
        "UPDATE artists SET archived = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
        params![id, archived],
    )?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "artist",
            id: id.0,
        });
    }
    Ok(())
}

/// One artist.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn get(conn: &Connection, id: ArtistId) -> Result<Artist> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM artists WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "artist",
        id: id.0,
    })
}

/// How the roster list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ArtistSort {
    #[default]
    Name,
    Status,
    Country,
    Releases,
}

/// What the roster list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ArtistFilter {
    pub text: String,
    pub status: Option<ArtistStatus>,
    pub include_archived: bool,
    pub sort: ArtistSort,
    pub descending: bool,
}

/// One line of the roster list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtistRow {
    pub id: ArtistId,
    pub name: String,
    pub status: ArtistStatus,
    pub archived: bool,
    pub country: String,
    pub genres: String,
    pub releases: u64,
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The roster, filtered and sorted. Rosters are small (tens to a few thousand artists), so
/// the whole filtered list is returned; the table virtualizes its rows.
///
/// # Errors
/// SQLite failures.
pub fn list(conn: &Connection, filter: &ArtistFilter) -> Result<Vec<ArtistRow>> {
    let dir = if filter.descending { "DESC" } else { "ASC" };
    let name_key = "CASE WHEN a.sort_name <> '' THEN a.sort_name ELSE a.name END COLLATE NOCASE";
    let order = match filter.sort {
        ArtistSort::Name => format!("{name_key} {dir}, a.id"),
        ArtistSort::Status => format!(
            "CASE a.status WHEN 'signed' THEN 0 WHEN 'prospect' THEN 1 ELSE 2 END {dir}, {name_key}, a.id"
        ),
        ArtistSort::Country => format!("a.country {dir}, {name_key}, a.id"),
        ArtistSort::Releases => format!("releases {dir}, {name_key}, a.id"),
    };
    let sql = format!(
        "SELECT a.id, a.name, a.status, a.archived, a.country, a.genres,
                (SELECT count(DISTINCT ra.release_id) FROM release_artists ra WHERE ra.artist_id = a.id) AS releases
         FROM artists a
         WHERE (?1 = '' OR a.name LIKE ?2 ESCAPE '\\' OR a.sort_name LIKE ?2 ESCAPE '\\' OR a.genres LIKE ?2 ESCAPE '\\'
                OR a.country LIKE ?2 ESCAPE '\\' OR a.manager LIKE ?2 ESCAPE '\\')
           AND (?3 IS NULL OR a.status = ?3)
           AND (?4 OR a.archived = 0)
         ORDER BY {order}"
    );
    let text = filter.text.trim();
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(
            params![
                text,
                like_pattern(text),
                filter.status,
                filter.include_archived
            ],
            |r| {
                Ok(ArtistRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    status: r.get(2)?,
                    archived: r.get(3)?,
                    country: r.get(4)?,
                    genres: r.get(5)?,
                    releases: r.get(6)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Artists for pickers (id and name), active ones first, archived last.
///
/// # Errors
/// SQLite failures.
pub fn names(conn: &Connection) -> Result<Vec<(ArtistId, String)>> {
    let mut stmt = conn.prepare(
        "SELECT id, name FROM artists
         ORDER BY archived, CASE WHEN sort_name <> '' THEN sort_name ELSE name END COLLATE NOCASE, id",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A release credited to an artist, for the artist page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtistRelease {
    pub id: ReleaseId,
    pub title: String,
    pub status: ReleaseStatus,
    pub release_date: Option<chrono::NaiveDate>,
    pub catnos: String,
    pub role: crate::model::ArtistRole,
}

/// The releases that credit an artist, newest first.
///
/// # Errors
/// SQLite failures.
pub fn releases_of(conn: &Connection, id: ArtistId) -> Result<Vec<ArtistRelease>> {
    let mut stmt = conn.prepare(
        "SELECT r.id, r.title, r.status, r.release_date,
                coalesce((SELECT group_concat(catno, ', ') FROM catalog_numbers c WHERE c.release_id = r.id), ''),
                ra.role
         FROM release_artists ra JOIN releases r ON r.id = ra.release_id
         WHERE ra.artist_id = ?1
         ORDER BY r.release_date IS NULL, r.release_date DESC, r.id DESC",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(ArtistRelease {
                id: r.get(0)?,
                title: r.get(1)?,
                status: r.get(2)?,
                release_date: r.get(3)?,
                catnos: r.get(4)?,
                role: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
