//! The `release_covers` table: one downscaled cover image and a thumbnail per release.
//! Decoding and scaling happen in `crate::io::cover`; this module only stores bytes.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::error::Result;
use crate::model::ReleaseId;

/// A stored cover: the image (PNG or JPEG, at most 1 MiB) and a small PNG thumbnail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub mime: String,
    pub image: Vec<u8>,
    pub thumbnail: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Sets (or replaces) a release's cover.
///
/// # Errors
/// SQLite failures, including the size CHECKs.
pub fn set(tx: &Transaction<'_>, release: ReleaseId, cover: &Cover) -> Result<()> {
    tx.execute(
        "INSERT INTO release_covers (release_id, mime, image, thumbnail, width, height)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (release_id) DO UPDATE SET mime = excluded.mime, image = excluded.image,
             thumbnail = excluded.thumbnail, width = excluded.width, height = excluded.height",
        params![
            release,
            cover.mime,
            cover.image,
            cover.thumbnail,
            cover.width,
            cover.height
        ],
    )?;
    Ok(())
}

/// Removes a release's cover.
///
/// # Errors
/// SQLite failures.
pub fn remove(tx: &Transaction<'_>, release: ReleaseId) -> Result<()> {
    tx.execute(
        "DELETE FROM release_covers WHERE release_id = ?1",
        [release],
    )?;
    Ok(())
}

/// A release's cover, if it has one.
///
/// # Errors
/// SQLite failures.
pub fn get(conn: &Connection, release: ReleaseId) -> Result<Option<Cover>> {
    Ok(conn
        .query_row(
            "SELECT mime, image, thumbnail, width, height FROM release_covers WHERE release_id = ?1",
            [release],
            |r| {
                Ok(Cover {
                    mime: r.get(0)?,
                    image: r.get(1)?,
                    thumbnail: r.get(2)?,
                    width: r.get(3)?,
                    height: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Only the thumbnail (for table rows).
///
/// # Errors
/// SQLite failures.
pub fn thumbnail(conn: &Connection, release: ReleaseId) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .prepare_cached("SELECT thumbnail FROM release_covers WHERE release_id = ?1")?
        .query_row([release], |r| r.get(0))
        .optional()?)
}
