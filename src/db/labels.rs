//! The `labels` table: the user's own label and imprints, and labels met in imports.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::error::{DbError, Result};
use crate::model::{Currency, Label, LabelId, ValidationError, validate_isrc_prefix};

const COLUMNS: &str = "id, name, is_own, catno_prefix, isrc_prefix, currency, notes";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Label> {
    Ok(Label {
        id: row.get(0)?,
        name: row.get(1)?,
        is_own: row.get(2)?,
        catno_prefix: row.get(3)?,
        isrc_prefix: row.get(4)?,
        currency: row.get(5)?,
        notes: row.get(6)?,
    })
}

fn validated(label: &Label) -> Result<Label> {
    let mut label = label.clone();
    label.name = label.name.trim().to_owned();
    if label.name.is_empty() {
        return Err(ValidationError::Required {
            field: "label name",
        }
        .into());
    }
    label.catno_prefix = label.catno_prefix.trim().to_owned();
    label.isrc_prefix = match label.isrc_prefix.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(prefix) => Some(validate_isrc_prefix(prefix)?),
    };
    Ok(label)
}

/// Inserts a label; an unsaved id gets a fresh one, a set id is kept (undo, import).
///
/// # Errors
/// Invalid fields, or SQLite failures.
pub fn insert(tx: &Transaction<'_>, label: &Label) -> Result<LabelId> {
    let l = validated(label)?;
    let id = (!l.id.is_unsaved()).then_some(l.id);
    tx.execute(
        "INSERT INTO labels (id, name, is_own, catno_prefix, isrc_prefix, currency, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            l.name,
            l.is_own,
            l.catno_prefix,
            l.isrc_prefix,
            l.currency,
            l.notes
        ],
    )?;
    Ok(LabelId(tx.last_insert_rowid()))
}

/// Saves every field of an existing label.
///
/// # Errors
/// Invalid fields, a missing label, or SQLite failures.
pub fn update(tx: &Transaction<'_>, label: &Label) -> Result<()> {
    let l = validated(label)?;
    let n = tx.execute(
        "UPDATE labels SET name = ?2, is_own = ?3, catno_prefix = ?4, isrc_prefix = ?5, currency = ?6,
                notes = ?7, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE id = ?1",
        params![l.id, l.name, l.is_own, l.catno_prefix, l.isrc_prefix, l.currency, l.notes],
    )?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "label",
            id: l.id.0,
        });
    }
    Ok(())
}

/// Deletes a label; releases and catalog numbers that named it keep existing without it.
///
/// # Errors
/// SQLite failures.
pub fn delete(tx: &Transaction<'_>, id: LabelId) -> Result<()> {
    tx.execute("DELETE FROM labels WHERE id = ?1", [id])?;
    Ok(())
}

/// One label.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn get(conn: &Connection, id: LabelId) -> Result<Label> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM labels WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "label",
        id: id.0,
    })
}

/// All labels, the user's own first.
///
/// # Errors
/// SQLite failures.
pub fn list(conn: &Connection) -> Result<Vec<Label>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM labels ORDER BY is_own DESC, name COLLATE NOCASE, id"
    ))?;
    let rows = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The user's main label (the first own label), if one is set up.
///
/// # Errors
/// SQLite failures.
pub fn own(conn: &Connection) -> Result<Option<Label>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM labels WHERE is_own = 1 ORDER BY id LIMIT 1"),
            [],
            from_row,
        )
        .optional()?)
}

/// The home currency: the own label's, else euros.
///
/// # Errors
/// SQLite failures.
pub fn home_currency(conn: &Connection) -> Result<Currency> {
    Ok(own(conn)?.map_or(Currency::EUR, |l| l.currency))
}
