//! The `tracks` table: a release's tracklist, and the next-ISRC suggestion.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::error::{DbError, Result};
use super::formats::missing_release;
use crate::model::{Isrc, LabelId, ReleaseId, Track, TrackId};

const COLUMNS: &str =
    "id, release_id, disc, position, seq, title, duration_ms, isrc, featured_artist_id, notes";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Track> {
    Ok(Track {
        id: row.get(0)?,
        release_id: row.get(1)?,
        disc: row.get(2)?,
        position: row.get(3)?,
        seq: row.get(4)?,
        title: row.get(5)?,
        duration: row.get(6)?,
        isrc: row.get(7)?,
        featured_artist_id: row.get(8)?,
        notes: row.get(9)?,
    })
}

fn validated(track: &Track) -> Result<Track> {
    let mut t = track.clone();
    t.title = t.title.trim().to_owned();
    t.position = t.position.trim().to_uppercase();
    t.validate()?;
    Ok(t)
}

/// Inserts a track; a set id is kept (undo, import).
///
/// # Errors
/// Invalid fields, a missing release or featured artist, or SQLite failures.
pub fn insert(tx: &Transaction<'_>, track: &Track) -> Result<TrackId> {
    let t = validated(track)?;
    let id = (!t.id.is_unsaved()).then_some(t.id);
    let mut stmt = tx.prepare_cached(
        "INSERT INTO tracks (id, release_id, disc, position, seq, title, duration_ms, isrc, featured_artist_id, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    stmt.execute(params![
        id,
        t.release_id,
        t.disc,
        t.position,
        t.seq,
        t.title,
        t.duration,
        t.isrc,
        t.featured_artist_id,
        t.notes
    ])
    .map_err(|e| missing_release(e, t.release_id))?;
    Ok(TrackId(tx.last_insert_rowid()))
}

/// Saves every field of a track.
///
/// # Errors
/// Invalid fields, a missing track, or SQLite failures.
pub fn update(tx: &Transaction<'_>, track: &Track) -> Result<()> {
    let t = validated(track)?;
    let n = tx.execute(
        "UPDATE tracks SET disc = ?2, position = ?3, seq = ?4, title = ?5, duration_ms = ?6, isrc = ?7,
                featured_artist_id = ?8, notes = ?9
         WHERE id = ?1",
        params![t.id, t.disc, t.position, t.seq, t.title, t.duration, t.isrc, t.featured_artist_id, t.notes],
    )?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "track",
            id: t.id.0,
        });
    }
    Ok(())
}

/// Deletes a track.
///
/// # Errors
/// SQLite failures.
pub fn delete(tx: &Transaction<'_>, id: TrackId) -> Result<()> {
    tx.execute("DELETE FROM tracks WHERE id = ?1", [id])?;
    Ok(())
}

/// One track.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn get(conn: &Connection, id: TrackId) -> Result<Track> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM tracks WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "track",
        id: id.0,
    })
}

/// A release's tracklist in order.
///
/// # Errors
/// SQLite failures.
pub fn list_for_release(conn: &Connection, release: ReleaseId) -> Result<Vec<Track>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tracks WHERE release_id = ?1 ORDER BY seq, id"
    ))?;
    let rows = stmt
        .query_map([release], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Puts a release's tracks in the given order (`seq` 0, 1, 2, …).
///
/// # Errors
/// A track that is not on the release, or SQLite failures.
pub fn reorder(tx: &Transaction<'_>, release: ReleaseId, order: &[TrackId]) -> Result<()> {
    let mut stmt =
        tx.prepare_cached("UPDATE tracks SET seq = ?3 WHERE id = ?1 AND release_id = ?2")?;
    for (seq, id) in order.iter().enumerate() {
        if stmt.execute(params![id, release, i64::try_from(seq).unwrap_or(i64::MAX)])? == 0 {
            return Err(DbError::Missing {
                kind: "track",
                id: id.0,
            });
        }
    }
    Ok(())
}

/// Tracks with this ISRC.
///
/// # Errors
/// SQLite failures.
pub fn find_by_isrc(conn: &Connection, isrc: &Isrc) -> Result<Vec<Track>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tracks WHERE isrc = ?1 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([isrc], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The next free ISRC for a label in a year (two digits), from its registrant prefix and the
/// highest designation already in the catalog. `None` when the label has no ISRC prefix.
///
/// # Errors
/// A missing label, designations exhausted, or SQLite failures.
pub fn suggest_next_isrc(conn: &Connection, label: LabelId, year: u8) -> Result<Option<Isrc>> {
    suggest_next_isrc_excluding(conn, label, year, &[])
}

/// As [`suggest_next_isrc`], also skipping codes the caller holds but has not saved yet.
///
/// # Errors
/// As [`suggest_next_isrc`].
pub fn suggest_next_isrc_excluding(
    conn: &Connection,
    label: LabelId,
    year: u8,
    pending: &[Isrc],
) -> Result<Option<Isrc>> {
    let label = super::labels::get(conn, label)?;
    let Some(prefix) = label.isrc_prefix else {
        return Ok(None);
    };
    let low = format!("{prefix}{year:02}00000");
    let high = format!("{prefix}{year:02}99999");
    let highest: Option<String> = conn.query_row(
        "SELECT max(isrc) FROM tracks WHERE isrc >= ?1 AND isrc <= ?2",
        params![low, high],
        |r| r.get(0),
    )?;
    let from_catalog = highest
        .and_then(|code| Isrc::parse(&code).ok())
        .map(|i| i.designation());
    let from_pending = pending
        .iter()
        .filter(|i| i.prefix() == prefix && i.year() == year)
        .map(Isrc::designation)
        .max();
    let used = from_catalog.max(from_pending);
    Ok(Some(Isrc::next_after(&prefix, year, used)?))
}
