//! The `catalog_numbers` table, and the next-number suggestion.

use rusqlite::{Connection, Row, Transaction, params};

use super::error::{DbError, Result};
use super::formats::missing_release;
use crate::model::{
    CatalogNumberId, LabelId, ReleaseCatalogNumber, ReleaseId, suggest_next_catalog_number,
};

fn from_row(row: &Row<'_>) -> rusqlite::Result<ReleaseCatalogNumber> {
    Ok(ReleaseCatalogNumber {
        id: row.get(0)?,
        label_id: row.get(1)?,
        format_id: row.get(2)?,
        catno: row.get(3)?,
    })
}

/// Adds a catalog number to a release (at the end); a set id is kept (undo, import).
///
/// # Errors
/// A missing release or SQLite failures.
pub fn insert(
    tx: &Transaction<'_>,
    release: ReleaseId,
    catno: &ReleaseCatalogNumber,
) -> Result<CatalogNumberId> {
    let id = (!catno.id.is_unsaved()).then_some(catno.id);
    tx.execute(
        "INSERT INTO catalog_numbers (id, release_id, label_id, format_id, catno, position)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(position) + 1, 0) FROM catalog_numbers WHERE release_id = ?2))",
        params![id, release, catno.label_id, catno.format_id, catno.catno],
    )
    .map_err(|e| missing_release(e, release))?;
    Ok(CatalogNumberId(tx.last_insert_rowid()))
}

/// Saves a catalog number's text, label and format.
///
/// # Errors
/// A missing row or SQLite failures.
pub fn update(tx: &Transaction<'_>, catno: &ReleaseCatalogNumber) -> Result<()> {
    let n = tx.execute(
        "UPDATE catalog_numbers SET label_id = ?2, format_id = ?3, catno = ?4 WHERE id = ?1",
        params![catno.id, catno.label_id, catno.format_id, catno.catno],
    )?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "catalog number",
            id: catno.id.0,
        });
    }
    Ok(())
}

/// Removes a catalog number.
///
/// # Errors
/// SQLite failures.
pub fn delete(tx: &Transaction<'_>, id: CatalogNumberId) -> Result<()> {
    tx.execute("DELETE FROM catalog_numbers WHERE id = ?1", [id])?;
    Ok(())
}

/// A release's catalog numbers in order.
///
/// # Errors
/// SQLite failures.
pub fn list_for_release(
    conn: &Connection,
    release: ReleaseId,
) -> Result<Vec<ReleaseCatalogNumber>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, label_id, format_id, catno FROM catalog_numbers WHERE release_id = ?1 ORDER BY position, id",
    )?;
    let rows = stmt
        .query_map([release], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The next catalog number for a label, from its prefix and the numbers it has used
/// (e.g. `SK033` after `SK032`). `None` when the label has no prefix.
///
/// # Errors
/// [`DbError::Missing`] label or SQLite failures.
pub fn suggest_next(conn: &Connection, label: LabelId) -> Result<Option<String>> {
    let label = super::labels::get(conn, label)?;
    if label.catno_prefix.is_empty() {
        return Ok(None);
    }
    // Numbers starting with the prefix, whichever label row they were filed under.
    let upper = format!("{}\u{10FFFF}", label.catno_prefix);
    let mut stmt = conn.prepare_cached(
        "SELECT catno FROM catalog_numbers WHERE catno COLLATE NOCASE >= ?1 AND catno COLLATE NOCASE < ?2",
    )?;
    let used: Vec<String> = stmt
        .query_map(params![label.catno_prefix, upper], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(suggest_next_catalog_number(
        &label.catno_prefix,
        used.iter().map(String::as_str),
    )))
}
