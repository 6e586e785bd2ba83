//! Identifier warnings. Real catalogs repeat identifiers on purpose (a re-press reuses a
//! catalog number; one recording's ISRC sits on the album and on the single), so duplicates
//! are warnings naming the other item, never constraint failures.

use rusqlite::{Connection, params};

use super::error::Result;
use crate::model::{
    Barcode, CatalogNumberId, FormatId, Isrc, LabelId, ReleaseId, TrackDuration, TrackId,
};

/// Where a warning belongs in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningAt {
    CatalogNumber(CatalogNumberId),
    Barcode(FormatId),
    Isrc(TrackId),
}

/// A duplicate identifier, with a link to the other item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierWarning {
    pub at: WarningAt,
    pub message: String,
    /// The release that holds the other item (to open it).
    pub other_release: ReleaseId,
}

/// ISRCs whose durations differ by more than this are treated as different recordings.
pub const ISRC_DURATION_TOLERANCE_MS: u32 = 2_000;

/// Other releases of the same label using this catalog number (compared case-insensitively).
///
/// # Errors
/// SQLite failures.
pub fn catalog_number(
    conn: &Connection,
    id: CatalogNumberId,
    release: ReleaseId,
    label: Option<LabelId>,
    catno: &str,
) -> Result<Vec<IdentifierWarning>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.release_id, r.title FROM catalog_numbers c JOIN releases r ON r.id = c.release_id
         WHERE c.catno = ?1 COLLATE NOCASE AND c.release_id <> ?2 AND c.label_id IS ?3
         ORDER BY c.release_id LIMIT 5",
    )?;
    let rows = stmt
        .query_map(params![catno, release, label], |r| {
            Ok((r.get::<_, ReleaseId>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(|(other, title)| IdentifierWarning {
            at: WarningAt::CatalogNumber(id),
            message: format!("catalog number {catno} is also used by “{title}”"),
            other_release: other,
        })
        .collect())
}

/// Other formats carrying this barcode (UPC-A and EAN-13 forms are the same code).
///
/// # Errors
/// SQLite failures.
pub fn barcode(conn: &Connection, id: FormatId, code: &Barcode) -> Result<Vec<IdentifierWarning>> {
    let forms = code.both_forms();
    let first = forms.first().cloned().unwrap_or_default();
    let second = forms.get(1).cloned().unwrap_or_else(|| first.clone());
    let mut stmt = conn.prepare_cached(
        "SELECT f.release_id, r.title, f.kind FROM formats f JOIN releases r ON r.id = f.release_id
         WHERE f.barcode IN (?1, ?2) AND f.id <> ?3 ORDER BY f.id LIMIT 5",
    )?;
    let rows = stmt
        .query_map(params![first, second, id], |r| {
            Ok((
                r.get::<_, ReleaseId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, crate::model::FormatKind>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(|(other, title, kind)| IdentifierWarning {
            at: WarningAt::Barcode(id),
            message: format!(
                "barcode {code} is also on the {} of “{title}”",
                kind.label()
            ),
            other_release: other,
        })
        .collect())
}

/// Other tracks with this ISRC but a different title or duration: one code, two recordings.
///
/// # Errors
/// SQLite failures.
pub fn isrc(
    conn: &Connection,
    id: TrackId,
    code: &Isrc,
    title: &str,
    duration: Option<TrackDuration>,
) -> Result<Vec<IdentifierWarning>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.release_id, r.title, t.title, t.duration_ms FROM tracks t JOIN releases r ON r.id = t.release_id
         WHERE t.isrc = ?1 AND t.id <> ?2 ORDER BY t.id LIMIT 20",
    )?;
    let rows = stmt
        .query_map(params![code, id], |r| {
            Ok((
                r.get::<_, ReleaseId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<TrackDuration>>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (other, release_title, other_title, other_duration) in rows {
        let title_differs = other_title.trim().to_lowercase() != title.trim().to_lowercase();
        let duration_differs = match (duration, other_duration) {
            (Some(a), Some(b)) => a.millis().abs_diff(b.millis()) > ISRC_DURATION_TOLERANCE_MS,
            _ => false,
        };
        let what = match (title_differs, duration_differs) {
            (true, _) => format!("“{other_title}”"),
            (false, true) => format!(
                "a {} version",
                other_duration.map(|d| d.to_string()).unwrap_or_default()
            ),
            (false, false) => continue,
        };
        out.push(IdentifierWarning {
            at: WarningAt::Isrc(id),
            message: format!(
                "ISRC {code} also identifies {what} on “{release_title}”: one ISRC, two recordings?"
            ),
            other_release: other,
        });
    }
    Ok(out)
}

/// Every identifier warning for one release.
///
/// # Errors
/// SQLite failures.
pub fn for_release(conn: &Connection, release: ReleaseId) -> Result<Vec<IdentifierWarning>> {
    let mut out = Vec::new();
    for c in super::catnos::list_for_release(conn, release)? {
        out.extend(catalog_number(
            conn,
            c.id,
            release,
            c.label_id,
            c.catno.as_str(),
        )?);
    }
    for f in super::formats::list_for_release(conn, release)? {
        if let Some(code) = &f.barcode {
            out.extend(barcode(conn, f.id, code)?);
        }
    }
    for t in super::tracks::list_for_release(conn, release)? {
        if let Some(code) = &t.isrc {
            out.extend(isrc(conn, t.id, code, &t.title, t.duration)?);
        }
    }
    Ok(out)
}
