//! The `formats` table: the physical and digital products of a release.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::error::{DbError, Result};
use crate::model::{Format, FormatId, ReleaseId};

const COLUMNS: &str = "id, release_id, kind, variant, discs, barcode, release_date, currency, retail_price, \
                       dealer_price, pressed_quantity, notes";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Format> {
    Ok(Format {
        id: row.get(0)?,
        release_id: row.get(1)?,
        kind: row.get(2)?,
        variant: row.get(3)?,
        discs: row.get(4)?,
        barcode: row.get(5)?,
        release_date: row.get(6)?,
        currency: row.get(7)?,
        retail_price: row.get(8)?,
        dealer_price: row.get(9)?,
        pressed_quantity: row.get(10)?,
        notes: row.get(11)?,
    })
}

fn validated(format: &Format) -> Result<Format> {
    let mut f = format.clone();
    f.variant = f.variant.trim().to_owned();
    f.validate()?;
    Ok(f)
}

/// Inserts a format at the end of its release's list; a set id is kept (undo, import).
///
/// # Errors
/// Invalid fields, a missing release, or SQLite failures.
pub fn insert(tx: &Transaction<'_>, format: &Format) -> Result<FormatId> {
    let f = validated(format)?;
    let id = (!f.id.is_unsaved()).then_some(f.id);
    tx.execute(
        "INSERT INTO formats (id, release_id, kind, variant, discs, barcode, release_date, currency, retail_price,
                              dealer_price, pressed_quantity, notes, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                 (SELECT coalesce(max(position) + 1, 0) FROM formats WHERE release_id = ?2))",
        params![
            id,
            f.release_id,
            f.kind,
            f.variant,
            f.discs,
            f.barcode,
            f.release_date,
            f.currency,
            f.retail_price,
            f.dealer_price,
            f.pressed_quantity,
            f.notes
        ],
    )
    .map_err(|e| missing_release(e, f.release_id))?;
    Ok(FormatId(tx.last_insert_rowid()))
}

pub(crate) fn missing_release(e: rusqlite::Error, release: ReleaseId) -> DbError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
        && e.to_string().contains("FOREIGN KEY")
    {
        DbError::Missing {
            kind: "release",
            id: release.0,
        }
    } else {
        e.into()
    }
}

/// Saves every field of a format.
///
/// # Errors
/// Invalid fields, a missing format, or SQLite failures.
pub fn update(tx: &Transaction<'_>, format: &Format) -> Result<()> {
    let f = validated(format)?;
    let n = tx.execute(
        "UPDATE formats SET kind = ?2, variant = ?3, discs = ?4, barcode = ?5, release_date = ?6, currency = ?7,
                retail_price = ?8, dealer_price = ?9, pressed_quantity = ?10, notes = ?11
         WHERE id = ?1",
        params![
            f.id,
            f.kind,
            f.variant,
            f.discs,
            f.barcode,
            f.release_date,
            f.currency,
            f.retail_price,
            f.dealer_price,
            f.pressed_quantity,
            f.notes
        ],
    )?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "format",
            id: f.id.0,
        });
    }
    Ok(())
}

/// Deletes a format (catalog numbers tied to it stay, untied).
///
/// # Errors
/// SQLite failures.
pub fn delete(tx: &Transaction<'_>, id: FormatId) -> Result<()> {
    tx.execute("DELETE FROM formats WHERE id = ?1", [id])?;
    Ok(())
}

/// One format.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn get(conn: &Connection, id: FormatId) -> Result<Format> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM formats WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "format",
        id: id.0,
    })
}

/// A release's formats in their order.
///
/// # Errors
/// SQLite failures.
pub fn list_for_release(conn: &Connection, release: ReleaseId) -> Result<Vec<Format>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM formats WHERE release_id = ?1 ORDER BY position, id"
    ))?;
    let rows = stmt
        .query_map([release], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Formats carrying a barcode in either its UPC-A or EAN-13 form.
///
/// # Errors
/// SQLite failures.
pub fn find_by_barcode(conn: &Connection, barcode: &crate::model::Barcode) -> Result<Vec<Format>> {
    let forms = barcode.both_forms();
    let first = forms.first().cloned().unwrap_or_default();
    let second = forms.get(1).cloned().unwrap_or_else(|| first.clone());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM formats WHERE barcode IN (?1, ?2) ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([first, second], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
