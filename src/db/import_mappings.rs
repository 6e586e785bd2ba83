//! Saved column mappings for spreadsheet imports: a name and the mapping as JSON. The JSON is
//! written and read by `io::spreadsheet` (this layer does not know the mapping's shape).

use rusqlite::{Connection, Transaction, params};

use super::error::Result;
use crate::model::ValidationError;

/// Longest mapping name.
pub const MAX_NAME: usize = 100;

/// Saves (or replaces) the mapping called `name`.
///
/// # Errors
/// An empty or too long name ([`ValidationError`]); SQLite failures (e.g. a definition that is
/// not JSON: the table's CHECK refuses it).
pub fn save(tx: &Transaction<'_>, name: &str, definition: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ValidationError::Required {
            field: "mapping name",
        }
        .into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(ValidationError::TooLong {
            field: "mapping name",
            max: MAX_NAME,
        }
        .into());
    }
    tx.execute(
        "INSERT INTO import_mappings (name, definition) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition,
             saved_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        params![name, definition],
    )?;
    Ok(())
}

/// Forgets the mapping called `name`; `false` when there was none.
///
/// # Errors
/// SQLite failures.
pub fn delete(tx: &Transaction<'_>, name: &str) -> Result<bool> {
    Ok(tx.execute("DELETE FROM import_mappings WHERE name = ?1", [name.trim()])? > 0)
}

/// Every saved mapping as (name, JSON), by name.
///
/// # Errors
/// SQLite failures.
pub fn list(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, definition FROM import_mappings ORDER BY name")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Catalog;

    #[test]
    fn save_replace_list_delete() {
        let mut catalog = Catalog::open_in_memory().unwrap();
        catalog
            .write(|tx| save(tx, " Shop export ", r#"{"columns":{"title":"Album"}}"#))
            .unwrap();
        catalog
            .write(|tx| save(tx, "Shop export", r#"{"columns":{"title":"Release"}}"#))
            .unwrap();
        catalog.write(|tx| save(tx, "Another", "{}")).unwrap();
        let all = list(catalog.conn()).unwrap();
        assert_eq!(
            all,
            vec![
                ("Another".to_owned(), "{}".to_owned()),
                (
                    "Shop export".to_owned(),
                    r#"{"columns":{"title":"Release"}}"#.to_owned()
                ),
            ]
        );
        assert!(catalog.write(|tx| delete(tx, "Another")).unwrap());
        assert!(!catalog.write(|tx| delete(tx, "Another")).unwrap());
        assert_eq!(list(catalog.conn()).unwrap().len(), 1);
    }

    #[test]
    fn bad_names_and_definitions_write_nothing() {
        let mut catalog = Catalog::open_in_memory().unwrap();
        assert!(catalog.write(|tx| save(tx, "  ", "{}")).is_err());
        assert!(
            catalog
                .write(|tx| save(tx, &"x".repeat(101), "{}"))
                .is_err()
        );
        assert!(catalog.write(|tx| save(tx, "Broken", "{not json")).is_err());
        assert!(list(catalog.conn()).unwrap().is_empty());
    }
}
