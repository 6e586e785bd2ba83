//! Global search over artists, releases (title, catalog numbers, barcodes) and tracks (title,
//! ISRC), through the two FTS5 indexes the schema keeps in sync.
//!
//! Every user term is quoted, so `ABC-012`, `AND` or a stray `"` are plain text to FTS5, never
//! syntax. ISRCs and barcodes are normalised first. Word-prefix matches come from the
//! `unicode61` index; substrings inside words (3+ characters) from the `trigram` index.
//! Queries are always limited and never ranked, so their cost stays bounded at any size.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::error::Result;
use crate::model::{ArtistId, ReleaseId, TrackId, looks_like_barcode, looks_like_isrc};

/// What a search hit points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HitKind {
    Artist,
    Release,
    Track,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub kind: HitKind,
    /// The artist, release or track id.
    pub id: i64,
    /// The release to open (the release itself, or a track's release).
    pub release: Option<ReleaseId>,
    pub title: String,
    pub detail: String,
}

impl SearchHit {
    #[must_use]
    pub fn artist_id(&self) -> Option<ArtistId> {
        (self.kind == HitKind::Artist).then_some(ArtistId(self.id))
    }

    #[must_use]
    pub fn track_id(&self) -> Option<TrackId> {
        (self.kind == HitKind::Track).then_some(TrackId(self.id))
    }
}

/// What the user typed, as normalised terms.
struct Terms {
    list: Vec<String>,
    /// True when a term is a whole ISRC or barcode: the word index finds it exactly, so the
    /// substring index has nothing to add (and its phrase of a dozen digit trigrams is the
    /// slowest query there is on a big catalog).
    identifier: bool,
}

/// Splits what the user typed into normalised terms.
fn terms(text: &str) -> Terms {
    let whole = text.trim();
    if whole.is_empty() {
        return Terms {
            list: Vec::new(),
            identifier: false,
        };
    }
    // A whole ISRC or barcode typed with spaces or hyphens is one identifier.
    if let Some(isrc) = looks_like_isrc(whole) {
        return Terms {
            list: vec![isrc.as_str().to_owned()],
            identifier: true,
        };
    }
    if let Some(code) = looks_like_barcode(whole) {
        return Terms {
            list: vec![code.to_ean13()],
            identifier: true,
        };
    }
    let mut identifier = false;
    let list = whole
        .split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(|t| {
            if let Some(isrc) = looks_like_isrc(t) {
                identifier = true;
                isrc.as_str().to_owned()
            } else if let Some(code) = looks_like_barcode(t) {
                identifier = true;
                code.to_ean13()
            } else {
                t.to_owned()
            }
        })
        .collect();
    Terms { list, identifier }
}

fn quote(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The FTS5 query for word-prefix matching, or `None` when nothing searchable was typed.
#[must_use]
pub fn word_query(text: &str) -> Option<String> {
    let terms = terms(text).list;
    (!terms.is_empty()).then(|| {
        terms
            .iter()
            .map(|t| format!("{}*", quote(t)))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The FTS5 query for substring matching; `None` unless every term has 3+ characters.
#[must_use]
pub fn trigram_query(text: &str) -> Option<String> {
    let terms = terms(text).list;
    (!terms.is_empty() && terms.iter().all(|t| t.chars().count() >= 3))
        .then(|| terms.iter().map(|t| quote(t)).collect::<Vec<_>>().join(" "))
}

/// Document ids matching `text`, word prefixes first, then substrings, at most `limit`.
///
/// Substrings are looked up only when the word prefixes found fewer than `limit`, and never
/// for a whole ISRC or barcode (found exactly by the word index).
///
/// # Errors
/// SQLite failures (including an interrupt from a newer keystroke).
pub fn matching_docs(conn: &Connection, text: &str, limit: usize) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = Vec::new();
    let cap = i64::try_from(limit).unwrap_or(i64::MAX);
    if let Some(q) = word_query(text) {
        let mut stmt = conn.prepare_cached(
            "SELECT rowid FROM search_words WHERE search_words MATCH ?1 LIMIT ?2",
        )?;
        ids.extend(
            stmt.query_map(params![q, cap], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        );
    }
    if ids.len() < limit
        && !terms(text).identifier
        && let Some(q) = trigram_query(text)
    {
        let mut stmt = conn.prepare_cached(
            "SELECT rowid FROM search_trigram WHERE search_trigram MATCH ?1 LIMIT ?2",
        )?;
        let extra = cap.saturating_add(i64::try_from(ids.len()).unwrap_or(0));
        for id in stmt.query_map(params![q, extra], |r| r.get::<_, i64>(0))? {
            let id = id?;
            if ids.len() >= limit {
                break;
            }
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// Searches the whole catalog; hits are grouped artists, releases, tracks.
///
/// # Errors
/// SQLite failures.
pub fn search(conn: &Connection, text: &str, limit: usize) -> Result<Vec<SearchHit>> {
    let mut hits = Vec::new();
    for doc in matching_docs(conn, text, limit)? {
        if let Some(hit) = resolve(conn, doc)? {
            hits.push(hit);
        }
    }
    hits.sort_by_key(|h| h.kind);
    Ok(hits)
}

/// What a hit shows, per kind of document (`?1` is the artist, release or track id). Public so
/// the scale benchmark can run exactly this SQL in the `sqlite3` shell as its baseline.
pub const ARTIST_HIT_SQL: &str = "SELECT name, status, country FROM artists WHERE id = ?1";
/// See [`ARTIST_HIT_SQL`].
pub const RELEASE_HIT_SQL: &str = "SELECT r.title,
                        coalesce((SELECT group_concat(catno, ', ') FROM catalog_numbers c WHERE c.release_id = r.id), ''),
                        coalesce((SELECT group_concat(a.name, ' & ') FROM release_artists ra JOIN artists a ON a.id = ra.artist_id
                                  WHERE ra.release_id = r.id AND ra.role = 'primary'), ''),
                        coalesce(substr(r.release_date, 1, 4), '')
                 FROM releases r WHERE r.id = ?1";
/// See [`ARTIST_HIT_SQL`].
pub const TRACK_HIT_SQL: &str = "SELECT t.title, coalesce(t.isrc, ''), t.release_id, r.title,
                        coalesce((SELECT group_concat(catno, ', ') FROM catalog_numbers c WHERE c.release_id = r.id), '')
                 FROM tracks t JOIN releases r ON r.id = t.release_id WHERE t.id = ?1";

fn resolve(conn: &Connection, doc: i64) -> Result<Option<SearchHit>> {
    let id = doc >> 2;
    let hit = match doc & 3 {
        0 => conn
            .prepare_cached(ARTIST_HIT_SQL)?
            .query_row([id], |r| {
                let status: String = r.get(1)?;
                let country: String = r.get(2)?;
                Ok(SearchHit {
                    kind: HitKind::Artist,
                    id,
                    release: None,
                    title: r.get(0)?,
                    detail: if country.is_empty() {
                        format!("artist, {status}")
                    } else {
                        format!("artist, {status}, {country}")
                    },
                })
            })
            .optional()?,
        1 => conn
            .prepare_cached(RELEASE_HIT_SQL)?
            .query_row([id], |r| {
                let parts: Vec<String> = vec![r.get(1)?, r.get(2)?, r.get(3)?];
                Ok(SearchHit {
                    kind: HitKind::Release,
                    id,
                    release: Some(ReleaseId(id)),
                    title: r.get(0)?,
                    detail: join_nonempty("release", &parts),
                })
            })
            .optional()?,
        2 => conn
            .prepare_cached(TRACK_HIT_SQL)?
            .query_row([id], |r| {
                let isrc: String = r.get(1)?;
                let isrc = looks_like_isrc(&isrc)
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                let on: String = r.get(3)?;
                let catno: String = r.get(4)?;
                let on = if catno.is_empty() {
                    format!("on {on}")
                } else {
                    format!("on {on} ({catno})")
                };
                Ok(SearchHit {
                    kind: HitKind::Track,
                    id,
                    release: Some(r.get(2)?),
                    title: r.get(0)?,
                    detail: join_nonempty("track", &[isrc, on]),
                })
            })
            .optional()?,
        _ => None,
    };
    Ok(hit)
}

fn join_nonempty(first: &str, parts: &[String]) -> String {
    std::iter::once(first)
        .chain(parts.iter().map(String::as_str).filter(|p| !p.is_empty()))
        .collect::<Vec<_>>()
        .join(" · ")
}

// ---------------------------------------------------------------------------------------------
// Bulk loads

/// The two FTS5 indexes, in the order a bulk load builds them.
pub const SEARCH_INDEXES: [&str; 2] = ["search_words", "search_trigram"];

/// FTS5 `hashsize` while building an index in one go: big enough that a million-track index
/// is written as one segment at the end (no merging). Measured on the 1M-track catalog:
/// 1, 8, 16, 32 and 64 MiB with a final `optimize` were no faster for the word index and up to
/// 40% slower for the trigram index; a bigger FTS5 `pgsz` did not help either. What the build
/// costs is FTS5 itself: about 50 million token writes into its hash table for the two indexes
/// (the word index's 1-3 letter prefixes quadruple its share), then sorting over a million
/// distinct terms (ISRCs, barcodes) and writing them out.
const BULK_FTS_HASHSIZE: i64 = 256 * 1024 * 1024;
/// SQLite's default `hashsize`, restored after the build.
const DEFAULT_FTS_HASHSIZE: i64 = 1024 * 1024;

/// The search documents of a whole catalog, as the schema's triggers would have written them
/// row by row (`v1.sql`: artist `id * 4`, release `id * 4 + 1` from `release_search_body`,
/// track `id * 4 + 2`).
const DOCUMENTS_SQL: [&str; 3] = [
    "INSERT INTO search_docs (id, body) SELECT id * 4, name || ' ' || sort_name FROM artists",
    "INSERT INTO search_docs (id, body) SELECT release_id * 4 + 1, body FROM release_search_body",
    "INSERT INTO search_docs (id, body) SELECT id * 4 + 2, title || coalesce(' ' || isrc, '') FROM tracks",
];

/// Connection settings for a bulk load, set by [`BulkSettings::apply`] before its transaction
/// (they cannot change inside one) and put back by [`BulkSettings::restore`] after it, whatever
/// its outcome:
///
/// - a 256 MiB page cache, so a million-track catalog's tables and indexes are built without
///   spilling half-written pages;
/// - no foreign-key lookups row by row: the caller makes every reference by construction or
///   checks them all once with `PRAGMA foreign_key_check` before committing;
/// - a rollback journal instead of the write-ahead log when this connection is the only one
///   to the file (the switch is refused otherwise, and the load then keeps the log). Loading
///   into an empty catalog then writes every new page once, into the file itself, instead of
///   into the log and then again into the file; the journal only holds the few pages that
///   existed before, so a crash or a rollback still leaves the catalog as it was. Meanwhile
///   another program cannot open the file (it could not use the log); the next
///   [`super::Catalog::open`] and [`BulkSettings::restore`] switch back to the log.
#[derive(Debug)]
#[must_use = "restore the connection's settings after the load"]
pub struct BulkSettings {
    cache_size: i64,
    foreign_keys: bool,
    /// True when the write-ahead log was switched off for the load.
    left_wal: bool,
}

/// `PRAGMA cache_size` during a bulk load (negative: KiB), 256 MiB.
const BULK_CACHE_KIB: i64 = -262_144;

impl BulkSettings {
    /// Applies the bulk-load settings to `conn` (outside any transaction).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn apply(conn: &Connection) -> Result<Self> {
        let cache_size: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
        let foreign_keys: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
        let journal: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        let mut left_wal = false;
        if journal.eq_ignore_ascii_case("wal") {
            // Refused at once when another connection has the file open; without this the
            // busy handler would first wait its whole timeout.
            let busy_ms: i64 = conn.pragma_query_value(None, "busy_timeout", |r| r.get(0))?;
            conn.pragma_update(None, "busy_timeout", 0)?;
            left_wal = conn
                .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
                .is_ok_and(|mode| mode.eq_ignore_ascii_case("delete"));
            conn.pragma_update(None, "busy_timeout", busy_ms)?;
        }
        let settings = Self {
            cache_size,
            foreign_keys,
            left_wal,
        };
        conn.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
        conn.pragma_update(None, "foreign_keys", false)?;
        Ok(settings)
    }

    /// Puts back the settings [`BulkSettings::apply`] found (outside any transaction).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn restore(self, conn: &Connection) -> Result<()> {
        conn.pragma_update(None, "cache_size", self.cache_size)?;
        conn.pragma_update(None, "foreign_keys", self.foreign_keys)?;
        if self.left_wal {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        Ok(())
    }
}

/// A bulk load into an empty catalog, inside the caller's one transaction.
///
/// The schema's search triggers rebuild a release's document (and re-index it in both FTS5
/// indexes) for every catalog number and barcode added, so loading row by row costs tens of
/// microseconds a row. [`BulkLoad::begin`] drops those triggers and the secondary indexes of
/// the tables about to be filled (remembering their exact `CREATE` statements); after the rows,
/// [`BulkLoad::restore_indexes`] builds each index once, sorted, [`BulkLoad::write_documents`]
/// writes every search document with three `INSERT … SELECT`s, [`BulkLoad::build_index`]
/// builds each FTS5 index in one pass, and [`BulkLoad::restore_triggers`] puts the triggers
/// back. Unique indexes are kept, so they still refuse duplicates row by row. Everything is in
/// the caller's transaction: a rollback (cancel, error) also restores what was dropped.
#[derive(Debug)]
pub struct BulkLoad {
    triggers: Vec<(String, String)>,
    indexes: Vec<(String, String)>,
}

impl BulkLoad {
    /// Drops the search triggers and the non-unique indexes of `tables`.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn begin(tx: &Transaction<'_>, tables: &[&str]) -> Result<Self> {
        let triggers = saved_schema(
            tx,
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
               AND (sql LIKE '%search_docs%' OR sql LIKE '%search_words%' OR sql LIKE '%search_trigram%')
             ORDER BY rowid",
            &[],
        )?;
        let mut indexes = Vec::new();
        for table in tables {
            indexes.extend(saved_schema(
                tx,
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1
                   AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY rowid",
                &[table],
            )?);
        }
        for (name, _) in &triggers {
            tx.execute_batch(&format!("DROP TRIGGER {}", quote_ident(name)))?;
        }
        for (name, _) in &indexes {
            tx.execute_batch(&format!("DROP INDEX {}", quote_ident(name)))?;
        }
        Ok(Self { triggers, indexes })
    }

    /// Re-creates the dropped indexes (each built once from the loaded rows).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn restore_indexes(&self, tx: &Transaction<'_>) -> Result<()> {
        for (_, sql) in &self.indexes {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }

    /// Writes the search document of every artist, release and track; returns how many.
    /// `search_docs` must be empty (it is in a catalog being loaded from nothing).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn write_documents(&self, tx: &Transaction<'_>) -> Result<u64> {
        let mut docs = 0;
        for sql in DOCUMENTS_SQL {
            docs += tx.execute(sql, [])?;
        }
        Ok(docs as u64)
    }

    /// Builds one FTS5 index (`search_words` or `search_trigram`) from all the documents in
    /// one pass, written as a single segment.
    ///
    /// # Errors
    /// SQLite failures; an `index` that is not one of [`SEARCH_INDEXES`].
    pub fn build_index(&self, tx: &Transaction<'_>, index: &str) -> Result<()> {
        if !SEARCH_INDEXES.contains(&index) {
            return Err(rusqlite::Error::InvalidParameterName(index.to_owned()).into());
        }
        tx.execute_batch(&format!(
            "INSERT INTO {index} ({index}, rank) VALUES ('hashsize', {BULK_FTS_HASHSIZE});
             INSERT INTO {index} ({index}) VALUES ('rebuild');
             INSERT INTO {index} ({index}, rank) VALUES ('hashsize', {DEFAULT_FTS_HASHSIZE});
             DELETE FROM {index}_config WHERE k = 'hashsize';"
        ))?;
        Ok(())
    }

    /// Re-creates the search triggers: from here on every change keeps the index up to date.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn restore_triggers(self, tx: &Transaction<'_>) -> Result<()> {
        for (_, sql) in &self.triggers {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}

/// (name, exact CREATE statement) of schema objects, in creation order.
fn saved_schema(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<(String, String)>> {
    let mut stmt = tx.prepare(sql)?;
    let rows = stmt
        .query_map(params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
