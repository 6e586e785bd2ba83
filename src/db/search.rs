//! Global search over artists, releases (title, catalog numbers, barcodes) and tracks (title,
//! ISRC), through the two FTS5 indexes the schema keeps in sync.
//!
//! Every user term is quoted, so `ABC-012`, `AND` or a stray `"` are plain text to FTS5, never
//! syntax. ISRCs and barcodes are normalised first. Word-prefix matches come from the
//! `unicode61` index; substrings inside words (3+ characters) from the `trigram` index.
//! Queries are always limited and never ranked, so their cost stays bounded at any size.

use rusqlite::{Connection, OptionalExtension, params};

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
