//! The Chinook sample database (a music store in one SQLite file): artists, albums as
//! released albums, tracks with their exact millisecond durations, media types as formats.
//!
//! The file is opened read-only; nothing in it is changed.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::import::{
    ImportError, ImportPlan, Location, PlanCredit, PlanRelease, display_name, join_notes,
};
use crate::jobs::JobControl;
use crate::model::{
    Artist, ArtistRole, Format, FormatKind, Release, ReleaseId, ReleaseStatus, ReleaseType, Track,
    TrackDuration,
};

/// The format a Chinook media type becomes: the audio file types are digital (with the media
/// type as variant, so MPEG and AAC stay two formats); anything else (video) is "other".
#[must_use]
pub fn format_kind(media_type: &str) -> FormatKind {
    let name = media_type.to_lowercase();
    let audio = [
        "mpeg audio file",
        "aac audio file",
        "purchased aac",
        "protected aac",
    ];
    if audio.iter().any(|a| name.contains(a)) {
        FormatKind::Digital
    } else {
        FormatKind::Other
    }
}

fn open(path: &Path) -> Result<Connection, ImportError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags).map_err(|e| ImportError::NotRecognised {
        path: path.display().to_string(),
        reason: format!("it cannot be opened as a SQLite database ({e})"),
    })
}

fn has_tables(conn: &Connection) -> rusqlite::Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('Artist', 'Album', 'Track')",
        [],
        |r| r.get(0),
    )?;
    Ok(n == 3)
}

/// True when `path` is a SQLite file with the Chinook tables Artist, Album and Track.
#[must_use]
pub fn looks_like_chinook(path: &Path) -> bool {
    let mut header = [0_u8; 16];
    let is_sqlite = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .is_ok()
        && header.starts_with(b"SQLite format 3\0");
    is_sqlite && open(path).is_ok_and(|c| has_tables(&c).unwrap_or(false))
}

struct ChinookTrack {
    id: i64,
    name: String,
    media: Option<String>,
    genre: Option<String>,
    composer: Option<String>,
    millis: i64,
    price: Option<String>,
}

/// Reads a Chinook database into an import plan: every artist (also those without albums),
/// every album as a released album credited to its artist, its tracks in TrackId order
/// (positions 1, 2, 3…) with durations kept to the millisecond, one format per media type used
/// by its tracks, composers in the track notes and genres in the release notes.
///
/// # Errors
/// [`ImportError::NotRecognised`] when the file is not a Chinook database,
/// [`ImportError::Malformed`] when a table cannot be read, [`ImportError::Cancelled`].
pub fn read(path: &Path, control: &JobControl) -> Result<ImportPlan, ImportError> {
    let file = display_name(path);
    let conn = open(path)?;
    let broken = |what: &str, e: rusqlite::Error| ImportError::Malformed {
        at: Location::file(&file),
        reason: format!("the {what} could not be read ({e})"),
    };
    if !has_tables(&conn).map_err(|e| broken("list of tables", e))? {
        return Err(ImportError::NotRecognised {
            path: path.display().to_string(),
            reason: "it is a SQLite database without the Chinook tables Artist, Album and Track"
                .to_owned(),
        });
    }
    let mut plan = ImportPlan::new(file.clone());
    control.set_stage("Reading the Chinook database");
    let albums: i64 = conn
        .query_row("SELECT count(*) FROM Album", [], |r| r.get(0))
        .map_err(|e| broken("albums", e))?;
    control.set_total(u64::try_from(albums).unwrap_or(0));
    control.set_done(0);

    let mut artist_keys = BTreeMap::new();
    {
        let mut stmt = conn
            .prepare("SELECT ArtistId, Name FROM Artist ORDER BY ArtistId")
            .map_err(|e| broken("artists", e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .map_err(|e| broken("artists", e))?;
        for row in rows {
            let (id, name) = row.map_err(|e| broken("artists", e))?;
            let at = Location::row(&file, "Artist", id);
            match name.filter(|n| !n.trim().is_empty()) {
                Some(name) => {
                    if let Some(key) = plan.add_artist(Artist::new(name), &at) {
                        artist_keys.insert(id, key);
                    }
                }
                None => plan.problem(&at, "artist", "an artist without a name was left out"),
            }
        }
    }

    let has_media = table_exists(&conn, "MediaType").map_err(|e| broken("media types", e))?;
    let has_genre = table_exists(&conn, "Genre").map_err(|e| broken("genres", e))?;
    let media_sql = if has_media {
        "(SELECT Name FROM MediaType m WHERE m.MediaTypeId = t.MediaTypeId)"
    } else {
        "NULL"
    };
    let genre_sql = if has_genre {
        "(SELECT Name FROM Genre g WHERE g.GenreId = t.GenreId)"
    } else {
        "NULL"
    };
    let mut tracks_stmt = conn
        .prepare(&format!(
            "SELECT t.TrackId, t.Name, {media_sql}, {genre_sql}, t.Composer, t.Milliseconds,
                    CAST(t.UnitPrice AS TEXT)
             FROM Track t WHERE t.AlbumId = ?1 ORDER BY t.TrackId"
        ))
        .map_err(|e| broken("tracks", e))?;
    let mut albums_stmt = conn
        .prepare("SELECT AlbumId, Title, ArtistId FROM Album ORDER BY AlbumId")
        .map_err(|e| broken("albums", e))?;
    let album_rows = albums_stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })
        .map_err(|e| broken("albums", e))?;
    for album in album_rows {
        control.check()?;
        let (album_id, title, artist_id) = album.map_err(|e| broken("albums", e))?;
        let at = Location::row(&file, "Album", album_id);
        let mut release = Release::new(title.unwrap_or_default());
        release.release_type = ReleaseType::Album;
        release.status = ReleaseStatus::Released;
        let mut planned = PlanRelease::new(at.clone(), release);
        match artist_id.and_then(|id| artist_keys.get(&id)) {
            Some(key) => planned.credits.push(PlanCredit {
                artist: key.clone(),
                role: ArtistRole::Primary,
            }),
            None => plan.problem(
                &at,
                "artist",
                format!(
                    "the album's artist {} is not in the Artist table: imported without an artist",
                    artist_id.map_or_else(|| "(none)".to_owned(), |id| id.to_string())
                ),
            ),
        }
        let tracks = tracks_stmt
            .query_map([album_id], |r| {
                Ok(ChinookTrack {
                    id: r.get(0)?,
                    name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    media: r.get(2)?,
                    genre: r.get(3)?,
                    composer: r.get(4)?,
                    millis: r.get::<_, Option<i64>>(5)?.unwrap_or(-1),
                    price: r.get(6)?,
                })
            })
            .map_err(|e| broken("tracks", e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| broken("tracks", e))?;
        let mut genres: Vec<String> = Vec::new();
        // media type name → (format index, prices seen)
        let mut formats: Vec<(String, Vec<String>)> = Vec::new();
        for (seq, t) in tracks.iter().enumerate() {
            let seq = u32::try_from(seq).unwrap_or(u32::MAX);
            let mut track = Track::new(ReleaseId::UNSAVED, seq, t.name.clone());
            match u32::try_from(t.millis) {
                Ok(ms) => track.duration = Some(TrackDuration::from_millis(ms)),
                Err(_) => plan.problem(
                    &Location::row(&file, "Track", t.id),
                    "duration",
                    format!(
                        "track “{}”: {} milliseconds is not a duration: left empty",
                        t.name, t.millis
                    ),
                ),
            }
            if let Some(composer) = t
                .composer
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                track.notes = format!("Composer: {composer}");
            }
            if let Some(genre) = t.genre.as_deref().map(str::trim).filter(|g| !g.is_empty())
                && !genres.iter().any(|g| g == genre)
            {
                genres.push(genre.to_owned());
            }
            let media = t
                .media
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .unwrap_or("unknown media type")
                .to_owned();
            let price = t.price.clone().unwrap_or_default();
            match formats.iter_mut().find(|(m, _)| *m == media) {
                Some((_, prices)) => prices.push(price),
                None => formats.push((media, vec![price])),
            }
            planned.tracks.push(track);
        }
        for (media, prices) in formats {
            let mut format = Format::new(ReleaseId::UNSAVED, format_kind(&media));
            format.variant.clone_from(&media);
            let count = prices.len();
            let first = prices.first().cloned().unwrap_or_default();
            let note = if !first.is_empty() && prices.iter().all(|p| *p == first) {
                format!("{count} tracks at {first} each in the Chinook store")
            } else {
                format!("{count} tracks in the Chinook store")
            };
            format.notes = note;
            planned.formats.push(format);
        }
        if !genres.is_empty() {
            planned.release.notes = join_notes(
                &planned.release.notes,
                &format!("Genre: {}", genres.join(", ")),
            );
        }
        planned.release.notes = join_notes(
            &planned.release.notes,
            &format!("Imported from the Chinook sample database (album {album_id})."),
        );
        plan.push_release(planned);
        control.advance(1);
    }
    Ok(plan)
}

fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [name],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_become_formats() {
        assert_eq!(format_kind("MPEG audio file"), FormatKind::Digital);
        assert_eq!(format_kind("AAC audio file"), FormatKind::Digital);
        assert_eq!(format_kind("Purchased AAC audio file"), FormatKind::Digital);
        assert_eq!(format_kind("Protected AAC audio file"), FormatKind::Digital);
        assert_eq!(
            format_kind("Protected MPEG-4 video file"),
            FormatKind::Other
        );
        assert_eq!(format_kind("Wax cylinder"), FormatKind::Other);
    }
}
