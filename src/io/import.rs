//! The import plan shared by every importer (Chinook, Discogs, the owner's spreadsheet).
//!
//! An importer only *reads*: it turns a file into an [`ImportPlan`] (artists, labels, whole
//! releases, and the problems it met on the way, each naming file, line or record and field).
//! The user looks at a [`Preview`] (counts, problems, duplicates already in the catalog) and
//! then [`apply`] writes the plan in one transaction: all of it, or nothing on an error or a
//! cancel.
//!
//! Someone else's data is treated leniently: a bad barcode, ISRC, duration or position is left
//! out of its field and reported as a [`Problem`]; only a file that cannot be read at all (an
//! XML file cut in half, a spreadsheet without a title column) stops the import.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use rusqlite::{Connection, Transaction, params};

use crate::db::{self, Catalog, DbError};
use crate::jobs::{Cancelled, JobControl};
use crate::model::entities::{NAME_MAX_CHARS, TITLE_MAX_CHARS, VARIANT_MAX_CHARS};
use crate::model::{
    Artist, ArtistId, ArtistRole, Barcode, CatalogNumber, CatalogNumberId, Format, FormatId, Label,
    LabelId, Release, ReleaseArtist, ReleaseCatalogNumber, ReleaseId, Track, ValidationError,
};

/// Where in a source file something was found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    /// The file as a whole.
    File,
    /// A line of a text file (1-based), e.g. a spreadsheet row.
    Line(u64),
    /// The `number`-th record of a file (1-based), with the source's own id if it has one
    /// (`release 14`).
    Record { number: u64, id: Option<String> },
    /// A row of a table in a database file, by its id (`Album 5`).
    Row { table: &'static str, id: i64 },
}

/// A file and a place in it, shown as `releases.xml record 3 (release 14)` or
/// `catalog.csv line 12`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file's name as the user knows it (no folders).
    pub file: String,
    /// Where in the file.
    pub place: Place,
}

impl Location {
    /// The whole file.
    #[must_use]
    pub fn file(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            place: Place::File,
        }
    }

    /// A line of a text file.
    #[must_use]
    pub fn line(file: &str, line: u64) -> Self {
        Self {
            file: file.to_owned(),
            place: Place::Line(line),
        }
    }

    /// A record, optionally with the source's id for it.
    #[must_use]
    pub fn record(file: &str, number: u64, id: Option<String>) -> Self {
        Self {
            file: file.to_owned(),
            place: Place::Record { number, id },
        }
    }

    /// A row of a database table.
    #[must_use]
    pub fn row(file: &str, table: &'static str, id: i64) -> Self {
        Self {
            file: file.to_owned(),
            place: Place::Row { table, id },
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        match &self.place {
            Place::File => Ok(()),
            Place::Line(n) => write!(f, " line {n}"),
            Place::Record { number, id: None } => write!(f, " record {number}"),
            Place::Record {
                number,
                id: Some(id),
            } => write!(f, " record {number} ({id})"),
            Place::Row { table, id } => write!(f, " {table} {id}"),
        }
    }
}

/// Something in the source that was not taken over as it stood. Never fatal: the value was
/// left out of its field (or the item out of the import), and the preview lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it was found.
    pub at: Location,
    /// The field it is about, as shown to the user ("barcode", "duration", "position"…).
    pub field: String,
    /// What is wrong and what was done, e.g. `barcode “123”: must be 12 digits …`.
    pub message: String,
}

impl Problem {
    /// A problem about `field` at `at`.
    #[must_use]
    pub fn new(at: &Location, field: &str, message: impl Into<String>) -> Self {
        Self {
            at: at.clone(),
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// A problem from a validation error (its message names the value and the reason).
    #[must_use]
    pub fn invalid(at: &Location, error: &ValidationError) -> Self {
        Self::new(at, error.field(), error.to_string())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// The key artists and labels are matched by: trimmed, inner spaces collapsed, lowercase.
/// `“The  Low Tides”` and `“the low tides”` are one artist.
#[must_use]
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// An artist credited on a planned release, by artist key ([`name_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCredit {
    /// The key of an artist in the plan.
    pub artist: String,
    /// Main artist, featured…
    pub role: ArtistRole,
}

/// A catalog number of a planned release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCatno {
    /// The number exactly as printed.
    pub catno: CatalogNumber,
    /// The key of the label issuing it, if known.
    pub label: Option<String>,
    /// The index of the planned format it is printed on, if format-specific.
    pub format: Option<usize>,
}

/// One release as read from the source, whole: its own fields, credits, catalog numbers,
/// formats and tracks. Ids inside (`release.id`, `format.release_id`…) are ignored: the
/// catalog assigns them when the plan is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRelease {
    /// Where it was read, for messages.
    pub at: Location,
    /// Title, type, status, date, notes (`id` and `label_id` are ignored).
    pub release: Release,
    /// The key of the releasing label, if known.
    pub label: Option<String>,
    /// Artist credits in order.
    pub credits: Vec<PlanCredit>,
    /// Catalog numbers in order.
    pub catnos: Vec<PlanCatno>,
    /// Formats in order, with barcodes, disc counts, prices and quantities.
    pub formats: Vec<Format>,
    /// Tracks in order (`seq` is renumbered from 0 when the release is added to a plan).
    pub tracks: Vec<Track>,
}

impl PlanRelease {
    /// An empty planned release read at `at`.
    #[must_use]
    pub fn new(at: Location, release: Release) -> Self {
        Self {
            at,
            release,
            label: None,
            credits: Vec::new(),
            catnos: Vec::new(),
            formats: Vec::new(),
            tracks: Vec::new(),
        }
    }

    /// The barcodes on its formats.
    pub fn barcodes(&self) -> impl Iterator<Item = &Barcode> {
        self.formats.iter().filter_map(|f| f.barcode.as_ref())
    }

    /// The ISRCs on its tracks.
    pub fn isrcs(&self) -> impl Iterator<Item = &crate::model::Isrc> {
        self.tracks.iter().filter_map(|t| t.isrc.as_ref())
    }

    fn has_identifiers(&self) -> bool {
        !self.catnos.is_empty() || self.barcodes().next().is_some() || self.isrcs().next().is_some()
    }
}

/// What an import will write, before it writes anything.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    /// The file it was read from (name only), for messages.
    pub source: String,
    artists: Vec<Artist>,
    artist_index: HashMap<String, usize>,
    labels: Vec<Label>,
    label_index: HashMap<String, usize>,
    /// The releases, in source order.
    pub releases: Vec<PlanRelease>,
    /// Everything that was not taken over as it stood.
    pub problems: Vec<Problem>,
}

/// Counts shown in the preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanCounts {
    pub artists: usize,
    pub labels: usize,
    pub releases: usize,
    pub formats: usize,
    pub tracks: usize,
    pub catalog_numbers: usize,
    /// Formats carrying a (valid) barcode.
    pub barcodes: usize,
    /// Tracks carrying a (valid) ISRC.
    pub isrcs: usize,
    /// Sum of the known track durations, in milliseconds.
    pub total_duration_ms: u64,
    pub problems: usize,
}

/// Cuts `text` to at most `max` characters.
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl ImportPlan {
    /// An empty plan for a source file.
    #[must_use]
    pub fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            ..Self::default()
        }
    }

    /// The artists to create or reuse (one per [`name_key`]).
    #[must_use]
    pub fn artists(&self) -> &[Artist] {
        &self.artists
    }

    /// The labels to create or reuse (one per [`name_key`]).
    #[must_use]
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// Records a problem.
    pub fn problem(&mut self, at: &Location, field: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(at, field, message));
    }

    /// Adds an artist (or finds the one already planned under the same name) and returns its
    /// key. `None`, with a problem recorded, when the name is empty.
    pub fn add_artist(&mut self, artist: Artist, at: &Location) -> Option<String> {
        let mut artist = artist.normalized();
        if artist.name.chars().count() > NAME_MAX_CHARS {
            self.problem(
                at,
                "artist",
                format!(
                    "artist name “{}…” is longer than {NAME_MAX_CHARS} characters: cut short",
                    cut(&artist.name, 40)
                ),
            );
            artist.name = cut(&artist.name, NAME_MAX_CHARS).trim().to_owned();
        }
        if let Err(e) = artist.validate() {
            self.problems.push(Problem::invalid(at, &e));
            // An e-mail or country the model refuses is dropped; an empty name drops the artist.
            artist.email.clear();
            artist.country.clear();
            if artist.validate().is_err() {
                return None;
            }
        }
        let key = name_key(&artist.name);
        if !self.artist_index.contains_key(&key) {
            self.artist_index.insert(key.clone(), self.artists.len());
            self.artists.push(artist);
        }
        Some(key)
    }

    /// Adds a label (or finds the one already planned under the same name) and returns its
    /// key. `None`, with a problem recorded, when the name is empty.
    pub fn add_label(&mut self, label: Label, at: &Location) -> Option<String> {
        let mut label = label;
        label.name = label.name.trim().to_owned();
        if label.name.chars().count() > NAME_MAX_CHARS {
            label.name = cut(&label.name, NAME_MAX_CHARS).trim().to_owned();
            self.problem(
                at,
                "label",
                format!("label name is longer than {NAME_MAX_CHARS} characters: cut short"),
            );
        }
        if label.name.is_empty() {
            self.problem(at, "label", "a label without a name was left out");
            return None;
        }
        let key = name_key(&label.name);
        if !self.label_index.contains_key(&key) {
            self.label_index.insert(key.clone(), self.labels.len());
            self.labels.push(label);
        }
        Some(key)
    }

    /// Adds a release after checking every part of it. A release without a title is left out
    /// (returns `false`); parts the catalog would refuse are repaired or left out, each with a
    /// problem recorded: an over-long title is cut, a position that is not letters and digits
    /// moves to the track's notes, a format with an impossible disc count gets 1, a track
    /// without a title is left out. Track order (`seq`) is renumbered from 0.
    pub fn push_release(&mut self, mut planned: PlanRelease) -> bool {
        let at = planned.at.clone();
        let title = planned.release.title.trim().to_owned();
        if title.is_empty() {
            self.problem(&at, "title", "a release without a title was left out");
            return false;
        }
        planned.release.title = if title.chars().count() > TITLE_MAX_CHARS {
            self.problem(
                &at,
                "title",
                format!(
                    "title “{}…” is longer than {TITLE_MAX_CHARS} characters: cut short",
                    cut(&title, 40)
                ),
            );
            cut(&title, TITLE_MAX_CHARS).trim().to_owned()
        } else {
            title
        };
        planned.release.id = ReleaseId::UNSAVED;
        planned.release.label_id = None;
        if planned
            .label
            .as_ref()
            .is_some_and(|k| !self.label_index.contains_key(k))
        {
            planned.label = None;
        }

        let mut seen_credits = HashSet::new();
        planned.credits.retain(|c| {
            self.artist_index.contains_key(&c.artist)
                && seen_credits.insert((c.artist.clone(), c.role))
        });

        // Formats: repair what can be repaired; remember where each one went for catalog numbers.
        let mut kept_formats = Vec::with_capacity(planned.formats.len());
        let mut format_map: Vec<Option<usize>> = Vec::with_capacity(planned.formats.len());
        for mut format in std::mem::take(&mut planned.formats) {
            format.id = FormatId::UNSAVED;
            format.release_id = ReleaseId::UNSAVED;
            format.variant = format.variant.trim().to_owned();
            if format.variant.chars().count() > VARIANT_MAX_CHARS {
                format.notes = join_notes(&format.notes, &format!("Variant: {}", format.variant));
                format.variant = cut(&format.variant, VARIANT_MAX_CHARS).trim().to_owned();
                self.problem(&at, "variant", format!("format variant is longer than {VARIANT_MAX_CHARS} characters: cut short (the whole text is in the format's notes)"));
            }
            if !(1..=crate::model::entities::MAX_DISCS).contains(&format.discs) {
                self.problem(
                    &at,
                    "discs",
                    format!(
                        "{}: {} discs cannot be stored (1 to {}): set to 1, the number is in the format's notes",
                        format.kind.label(),
                        format.discs,
                        crate::model::entities::MAX_DISCS
                    ),
                );
                format.notes = join_notes(&format.notes, &format!("Discs: {}", format.discs));
                format.discs = 1;
            }
            for price in [&mut format.retail_price, &mut format.dealer_price] {
                if price.is_some_and(|p| p < 0) {
                    *price = None;
                    self.problem(&at, "price", "a negative price was left out");
                }
            }
            match format.validate() {
                Ok(()) => {
                    format_map.push(Some(kept_formats.len()));
                    kept_formats.push(format);
                }
                Err(e) => {
                    self.problems.push(Problem::invalid(&at, &e));
                    format_map.push(None);
                }
            }
        }
        planned.formats = kept_formats;

        let mut seen_catnos = HashSet::new();
        planned.catnos = std::mem::take(&mut planned.catnos)
            .into_iter()
            .filter_map(|mut c| {
                c.format = c.format.and_then(|i| format_map.get(i).copied().flatten());
                if c.label
                    .as_ref()
                    .is_some_and(|k| !self.label_index.contains_key(k))
                {
                    c.label = None;
                }
                seen_catnos
                    .insert((c.catno.as_str().to_owned(), c.label.clone()))
                    .then_some(c)
            })
            .collect();

        let mut tracks = Vec::with_capacity(planned.tracks.len());
        let mut bad_positions = Vec::new();
        for mut track in std::mem::take(&mut planned.tracks) {
            track.title = track.title.trim().to_owned();
            if track.title.is_empty() {
                let message = if track.position.trim().is_empty() {
                    "an empty tracklist entry (no title, no position) was left out".to_owned()
                } else {
                    format!(
                        "the track at position “{}” has no title: it was left out",
                        track.position.trim()
                    )
                };
                self.problem(&at, "track title", message);
                continue;
            }
            if track.title.chars().count() > TITLE_MAX_CHARS {
                self.problem(
                    &at,
                    "track title",
                    format!(
                        "track title “{}…” is longer than {TITLE_MAX_CHARS} characters: cut short",
                        cut(&track.title, 40)
                    ),
                );
                track.title = cut(&track.title, TITLE_MAX_CHARS).trim().to_owned();
            }
            if !(1..=crate::model::entities::MAX_DISCS).contains(&track.disc) {
                self.problem(
                    &at,
                    "disc",
                    format!(
                        "track “{}”: disc {} cannot be stored (1 to {}): set to 1",
                        track.title,
                        track.disc,
                        crate::model::entities::MAX_DISCS
                    ),
                );
                track.disc = 1;
            }
            track.position = track.position.trim().to_uppercase();
            if let Err(e) = track.validate() {
                if e.field() == "position" {
                    bad_positions.push(format!("“{}” ({})", track.position, track.title));
                    track.notes =
                        join_notes(&track.notes, &format!("Position: {}", track.position));
                    track.position.clear();
                } else {
                    self.problems.push(Problem::invalid(&at, &e));
                    continue;
                }
            }
            track.id = crate::model::TrackId::UNSAVED;
            track.release_id = ReleaseId::UNSAVED;
            track.featured_artist_id = None;
            track.seq = u32::try_from(tracks.len()).unwrap_or(u32::MAX);
            tracks.push(track);
        }
        if !bad_positions.is_empty() {
            let shown = bad_positions.len().min(5);
            let more = if bad_positions.len() > shown {
                ", …"
            } else {
                ""
            };
            self.problem(
                &at,
                "position",
                format!(
                    "{} not letters and digits (such as A1 or 3): {}{more}; kept in the track notes",
                    if bad_positions.len() == 1 {
                        "1 track position is".to_owned()
                    } else {
                        format!("{} track positions are", bad_positions.len())
                    },
                    bad_positions[..shown].join(", ")
                ),
            );
        }
        planned.tracks = tracks;
        self.releases.push(planned);
        true
    }

    /// Counts for the preview.
    #[must_use]
    pub fn counts(&self) -> PlanCounts {
        let mut counts = PlanCounts {
            artists: self.artists.len(),
            labels: self.labels.len(),
            releases: self.releases.len(),
            problems: self.problems.len(),
            ..PlanCounts::default()
        };
        for r in &self.releases {
            counts.formats += r.formats.len();
            counts.tracks += r.tracks.len();
            counts.catalog_numbers += r.catnos.len();
            counts.barcodes += r.barcodes().count();
            counts.isrcs += r.isrcs().count();
            counts.total_duration_ms += r
                .tracks
                .iter()
                .filter_map(|t| t.duration)
                .map(|d| u64::from(d.millis()))
                .sum::<u64>();
        }
        counts
    }
}

/// Appends a line to free-text notes.
#[must_use]
pub fn join_notes(notes: &str, line: &str) -> String {
    let notes = notes.trim_end();
    if notes.is_empty() {
        line.to_owned()
    } else if line.is_empty() {
        notes.to_owned()
    } else {
        format!("{notes}\n{line}")
    }
}

/// Why an import stopped. Nothing was written to the catalog in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} cannot be imported: {reason}. Labeldesk imports a Chinook .sqlite database, a \
         Discogs releases XML file (.xml or .xml.gz) or a spreadsheet saved as CSV."
    )]
    NotRecognised { path: String, reason: String },
    #[error("{at}: {reason}. Nothing was imported.")]
    Malformed { at: Location, reason: String },
    #[error(
        "{file} has no column for “{column}” (its columns are: {found}). Choose the column to \
         use in the column mapping. Nothing was imported."
    )]
    MissingColumn {
        file: String,
        column: String,
        found: String,
    },
    #[error("“{title}” ({at}) could not be written: {}. Nothing was imported.", sentence(.source))]
    Write {
        at: Box<Location>,
        title: String,
        #[source]
        source: Box<DbError>,
    },
    #[error("{}. Nothing was imported.", sentence(.0))]
    Catalog(Box<DbError>),
    #[error("import cancelled: nothing was changed")]
    Cancelled(#[from] Cancelled),
}

/// An error's message without a final full stop, so a sentence can follow it.
fn sentence(error: &impl fmt::Display) -> String {
    error.to_string().trim_end_matches('.').to_owned()
}

impl From<DbError> for ImportError {
    fn from(e: DbError) -> Self {
        Self::Catalog(Box::new(e))
    }
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Catalog(Box::new(DbError::Sqlite(e)))
    }
}

/// How an identifier tied an imported release to one already in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchedBy {
    /// The same catalog number (ignoring case) of the same label, or where one side has no label.
    CatalogNumber(String),
    /// The same barcode (UPC-A and EAN-13 forms of one code match).
    Barcode(String),
    /// Shared ISRCs: same release title, or most of both releases' recordings.
    Isrc(String),
    /// No identifiers to compare: same title and same main artists.
    ArtistAndTitle,
}

impl fmt::Display for MatchedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CatalogNumber(c) => write!(f, "catalog number {c}"),
            Self::Barcode(b) => write!(f, "barcode {b}"),
            Self::Isrc(i) => write!(f, "ISRC {i}"),
            Self::ArtistAndTitle => f.write_str("same artist and title"),
        }
    }
}

/// A planned release that is already in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// Index into [`ImportPlan::releases`].
    pub release: usize,
    /// The release already in the catalog.
    pub existing: ReleaseId,
    /// Its title, for the preview.
    pub existing_title: String,
    /// Why they are taken to be the same.
    pub matched: Vec<MatchedBy>,
}

/// What the preview shows before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Preview {
    pub counts: PlanCounts,
    /// Planned artists already in the catalog (matched by name, ignoring case).
    pub existing_artists: usize,
    /// Planned labels already in the catalog (matched by name, ignoring case).
    pub existing_labels: usize,
    pub duplicates: Vec<Duplicate>,
}

/// What to do with a planned release that is already in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum DuplicatePolicy {
    /// Leave the catalog's release as it is.
    #[default]
    Skip,
    /// Fill what the catalog's release lacks: empty fields, missing formats, catalog numbers
    /// and tracks. Nothing already there is overwritten.
    Merge,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub artists_added: usize,
    pub artists_reused: usize,
    pub labels_added: usize,
    pub labels_reused: usize,
    pub releases_added: usize,
    pub releases_merged: usize,
    pub releases_skipped: usize,
    pub formats_added: usize,
    pub tracks_added: usize,
    pub catalog_numbers_added: usize,
    /// Problems found while reading (listed in the preview).
    pub problems: usize,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for ImportSummary {
    /// One line for the CLI and the status bar, e.g. `347 releases added (3503 tracks, 348
    /// formats, 0 catalog numbers); 0 merged, 0 skipped as already in the catalog; artists: 275
    /// new, 0 already there; labels: 0 new, 0 already there; 0 problems`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} added ({}, {}, {}); {} merged, {} skipped as already in the catalog; \
             artists: {} new, {} already there; labels: {} new, {} already there; {}",
            plural(self.releases_added, "release", "releases"),
            plural(self.tracks_added, "track", "tracks"),
            plural(self.formats_added, "format", "formats"),
            plural(
                self.catalog_numbers_added,
                "catalog number",
                "catalog numbers"
            ),
            self.releases_merged,
            self.releases_skipped,
            self.artists_added,
            self.artists_reused,
            self.labels_added,
            self.labels_reused,
            plural(self.problems, "problem", "problems"),
        )
    }
}

/// The catalog's artists or labels by [`name_key`].
fn existing_names(conn: &Connection, table: &str) -> rusqlite::Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare(&format!("SELECT id, name FROM {table} ORDER BY id"))?;
    let mut map = HashMap::new();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, name) = row?;
        map.entry(name_key(&name)).or_insert(id);
    }
    Ok(map)
}

/// Finds, for each planned release, the catalog release it duplicates (if any).
///
/// A release matches by catalog number (same text ignoring case, same label or no label on
/// either side), by barcode (UPC-A and EAN-13 forms of one code match) or by ISRC (shared
/// ISRCs with the same title, or covering more than half of both releases' ISRCs, so a single
/// sharing one recording with an album is not taken for the album). A release without any
/// identifier matches one with the same title and the same main artists. When several catalog
/// releases match, the one matching most identifiers wins.
///
/// # Errors
/// SQLite failures.
pub fn find_duplicates(
    plan: &ImportPlan,
    conn: &Connection,
) -> Result<Vec<Duplicate>, ImportError> {
    let mut out = Vec::new();
    let mut by_catno = conn.prepare_cached(
        "SELECT c.release_id, l.name FROM catalog_numbers c LEFT JOIN labels l ON l.id = c.label_id
         WHERE c.catno = ?1 COLLATE NOCASE",
    )?;
    let mut by_barcode =
        conn.prepare_cached("SELECT DISTINCT release_id FROM formats WHERE barcode IN (?1, ?2)")?;
    let mut by_isrc =
        conn.prepare_cached("SELECT DISTINCT release_id FROM tracks WHERE isrc = ?1")?;
    let mut isrc_count = conn.prepare_cached(
        "SELECT count(DISTINCT isrc) FROM tracks WHERE release_id = ?1 AND isrc IS NOT NULL",
    )?;
    let mut title_of = conn.prepare_cached("SELECT title FROM releases WHERE id = ?1")?;
    let mut by_title =
        conn.prepare_cached("SELECT id FROM releases WHERE title = ?1 COLLATE NOCASE ORDER BY id")?;
    let mut main_artists = conn.prepare_cached(
        "SELECT a.name FROM release_artists ra JOIN artists a ON a.id = ra.artist_id
         WHERE ra.release_id = ?1 AND ra.role = 'primary'",
    )?;
    for (index, planned) in plan.releases.iter().enumerate() {
        let mut found: Vec<(ReleaseId, Vec<MatchedBy>)> = Vec::new();
        let mut add = |id: ReleaseId, why: MatchedBy| match found.iter_mut().find(|(r, _)| *r == id)
        {
            Some((_, list)) => {
                if !list.contains(&why) {
                    list.push(why);
                }
            }
            None => found.push((id, vec![why])),
        };
        for c in &planned.catnos {
            let rows = by_catno
                .query_map([c.catno.as_str()], |r| {
                    Ok((r.get::<_, ReleaseId>(0)?, r.get::<_, Option<String>>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (id, label) in rows {
                let same_label = match (&c.label, label) {
                    (Some(mine), Some(theirs)) => *mine == name_key(&theirs),
                    _ => true,
                };
                if same_label {
                    add(id, MatchedBy::CatalogNumber(c.catno.as_str().to_owned()));
                }
            }
        }
        for code in planned.barcodes() {
            let forms = code.both_forms();
            let first = forms.first().cloned().unwrap_or_default();
            let second = forms.get(1).cloned().unwrap_or_else(|| first.clone());
            let ids = by_barcode
                .query_map(params![first, second], |r| r.get::<_, ReleaseId>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for id in ids {
                add(id, MatchedBy::Barcode(code.as_str().to_owned()));
            }
        }
        let planned_isrcs: HashSet<&str> =
            planned.isrcs().map(crate::model::Isrc::as_str).collect();
        let mut shared: HashMap<ReleaseId, Vec<&str>> = HashMap::new();
        for code in &planned_isrcs {
            let ids = by_isrc
                .query_map([code], |r| r.get::<_, ReleaseId>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for id in ids {
                shared.entry(id).or_default().push(code);
            }
        }
        let mut shared: Vec<_> = shared.into_iter().collect();
        shared.sort_by_key(|(id, _)| *id);
        for (id, mut codes) in shared {
            codes.sort_unstable();
            let theirs: usize = isrc_count.query_row([id], |r| r.get(0))?;
            let title: String = title_of.query_row([id], |r| r.get(0))?;
            let same_title = name_key(&title) == name_key(&planned.release.title);
            if same_title || codes.len() * 2 > theirs.max(planned_isrcs.len()) {
                for code in codes {
                    add(id, MatchedBy::Isrc(code.to_owned()));
                }
            }
        }
        if !planned.has_identifiers() {
            let mine: HashSet<&str> = planned
                .credits
                .iter()
                .filter(|c| c.role == ArtistRole::Primary)
                .map(|c| c.artist.as_str())
                .collect();
            let ids = by_title
                .query_map([planned.release.title.as_str()], |r| {
                    r.get::<_, ReleaseId>(0)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for id in ids {
                let theirs: HashSet<String> = main_artists
                    .query_map([id], |r| r.get::<_, String>(0))?
                    .map(|n| n.map(|n| name_key(&n)))
                    .collect::<rusqlite::Result<_>>()?;
                if theirs.len() == mine.len() && mine.iter().all(|m| theirs.contains(*m)) {
                    add(id, MatchedBy::ArtistAndTitle);
                }
            }
        }
        // Most matching identifiers first; the oldest release on a tie.
        if let Some((existing, matched)) = found
            .into_iter()
            .min_by_key(|(id, why)| (std::cmp::Reverse(why.len()), *id))
        {
            let existing_title: String = title_of.query_row([existing], |r| r.get(0))?;
            out.push(Duplicate {
                release: index,
                existing,
                existing_title,
                matched,
            });
        }
    }
    Ok(out)
}

/// Counts, reused names and duplicates: what the user sees before choosing Skip or Merge.
///
/// # Errors
/// SQLite failures.
pub fn preview(plan: &ImportPlan, conn: &Connection) -> Result<Preview, ImportError> {
    let artists = existing_names(conn, "artists")?;
    let labels = existing_names(conn, "labels")?;
    Ok(Preview {
        counts: plan.counts(),
        existing_artists: plan
            .artists
            .iter()
            .filter(|a| artists.contains_key(&name_key(&a.name)))
            .count(),
        existing_labels: plan
            .labels
            .iter()
            .filter(|l| labels.contains_key(&name_key(&l.name)))
            .count(),
        duplicates: find_duplicates(plan, conn)?,
    })
}

/// Ids the plan's keys resolved to in the catalog.
struct Resolved {
    artists: HashMap<String, ArtistId>,
    labels: HashMap<String, LabelId>,
}

impl Resolved {
    fn credits(&self, planned: &PlanRelease) -> Vec<ReleaseArtist> {
        planned
            .credits
            .iter()
            .filter_map(|c| {
                self.artists.get(&c.artist).map(|&artist_id| ReleaseArtist {
                    artist_id,
                    role: c.role,
                })
            })
            .collect()
    }

    fn label(&self, key: Option<&String>) -> Option<LabelId> {
        key.and_then(|k| self.labels.get(k).copied())
    }
}

/// Writes the plan into the catalog in one transaction.
///
/// Artists are reused by name (ignoring case), labels by name; everything else is added. A
/// planned release that [`find_duplicates`] matches to a catalog release is left alone
/// ([`DuplicatePolicy::Skip`]) or fills what that release lacks ([`DuplicatePolicy::Merge`]).
/// Duplicates are judged against the catalog as it was before the import.
///
/// Progress is reported per release; `control.check()` runs between releases, and a cancel or
/// any error rolls the whole import back.
///
/// # Errors
/// [`ImportError::Cancelled`], [`ImportError::Write`] naming the release that could not be
/// written, or catalog failures. Nothing is written in any of these cases.
pub fn apply(
    plan: &ImportPlan,
    catalog: &mut Catalog,
    policy: DuplicatePolicy,
    control: &JobControl,
) -> Result<ImportSummary, ImportError> {
    control.check()?;
    control.set_stage("Checking for releases already in the catalog");
    let total = u64::try_from(plan.releases.len()).unwrap_or(u64::MAX);
    control.set_total(total);
    control.set_done(0);
    let tx = catalog.transaction()?;
    let duplicates: HashMap<usize, ReleaseId> = find_duplicates(plan, &tx)?
        .into_iter()
        .map(|d| (d.release, d.existing))
        .collect();
    control.check()?;
    control.set_stage("Writing artists and labels");
    let mut summary = ImportSummary {
        problems: plan.problems.len(),
        ..ImportSummary::default()
    };
    let resolved = write_names(plan, &tx, &mut summary)?;
    control.check()?;
    control.set_stage("Writing releases");
    for (index, planned) in plan.releases.iter().enumerate() {
        let wrap = |source: DbError| ImportError::Write {
            at: Box::new(planned.at.clone()),
            title: planned.release.title.clone(),
            source: Box::new(source),
        };
        match duplicates.get(&index) {
            Some(_) if policy == DuplicatePolicy::Skip => summary.releases_skipped += 1,
            Some(&existing) => {
                merge_release(&tx, existing, planned, &resolved, &mut summary).map_err(wrap)?;
                summary.releases_merged += 1;
            }
            None => {
                insert_release(&tx, planned, &resolved, &mut summary).map_err(wrap)?;
                summary.releases_added += 1;
            }
        }
        control.advance(1);
        control.check()?;
    }
    control.set_stage("Saving");
    tx.commit()?;
    Ok(summary)
}

fn write_names(
    plan: &ImportPlan,
    tx: &Transaction<'_>,
    summary: &mut ImportSummary,
) -> Result<Resolved, ImportError> {
    let mut existing = existing_names(tx, "artists")?;
    let mut artists = HashMap::new();
    for artist in &plan.artists {
        let key = name_key(&artist.name);
        let id = if let Some(&id) = existing.get(&key) {
            summary.artists_reused += 1;
            ArtistId(id)
        } else {
            let id = db::artists::insert(
                tx,
                &Artist {
                    id: ArtistId::UNSAVED,
                    ..artist.clone()
                },
            )
            .map_err(|source| ImportError::Write {
                at: Box::new(Location::file(&plan.source)),
                title: artist.name.clone(),
                source: Box::new(source),
            })?;
            existing.insert(key.clone(), id.0);
            summary.artists_added += 1;
            id
        };
        artists.insert(key, id);
    }
    let mut existing = existing_names(tx, "labels")?;
    let mut labels = HashMap::new();
    for label in &plan.labels {
        let key = name_key(&label.name);
        let id = if let Some(&id) = existing.get(&key) {
            summary.labels_reused += 1;
            LabelId(id)
        } else {
            let id = db::labels::insert(
                tx,
                &Label {
                    id: LabelId::UNSAVED,
                    is_own: false,
                    ..label.clone()
                },
            )
            .map_err(|source| ImportError::Write {
                at: Box::new(Location::file(&plan.source)),
                title: label.name.clone(),
                source: Box::new(source),
            })?;
            existing.insert(key.clone(), id.0);
            summary.labels_added += 1;
            id
        };
        labels.insert(key, id);
    }
    Ok(Resolved { artists, labels })
}

fn insert_release(
    tx: &Transaction<'_>,
    planned: &PlanRelease,
    resolved: &Resolved,
    summary: &mut ImportSummary,
) -> Result<ReleaseId, DbError> {
    let release = Release {
        id: ReleaseId::UNSAVED,
        label_id: resolved.label(planned.label.as_ref()),
        ..planned.release.clone()
    };
    let id = db::releases::insert(tx, &release)?;
    db::releases::set_artists(tx, id, &resolved.credits(planned))?;
    let mut format_ids = Vec::with_capacity(planned.formats.len());
    for format in &planned.formats {
        format_ids.push(db::formats::insert(
            tx,
            &Format {
                id: FormatId::UNSAVED,
                release_id: id,
                ..format.clone()
            },
        )?);
        summary.formats_added += 1;
    }
    for catno in &planned.catnos {
        db::catnos::insert(
            tx,
            id,
            &ReleaseCatalogNumber {
                id: CatalogNumberId::UNSAVED,
                label_id: resolved.label(catno.label.as_ref()),
                format_id: catno.format.and_then(|i| format_ids.get(i).copied()),
                catno: catno.catno.clone(),
            },
        )?;
        summary.catalog_numbers_added += 1;
    }
    for track in &planned.tracks {
        db::tracks::insert(
            tx,
            &Track {
                id: crate::model::TrackId::UNSAVED,
                release_id: id,
                featured_artist_id: None,
                ..track.clone()
            },
        )?;
        summary.tracks_added += 1;
    }
    Ok(id)
}

/// Is an existing format the planned one? Same barcode; or, where one side has none, the same
/// medium and variant.
fn same_format(existing: &Format, planned: &Format) -> bool {
    match (&existing.barcode, &planned.barcode) {
        (Some(a), Some(b)) => a.same_product(b),
        _ => {
            existing.kind == planned.kind
                && name_key(&existing.variant) == name_key(&planned.variant)
        }
    }
}

/// Is an existing track the planned one? Same ISRC; else the same disc and position; else,
/// where a position is missing, the same title.
fn same_track(existing: &Track, planned: &Track) -> bool {
    if let (Some(a), Some(b)) = (&existing.isrc, &planned.isrc) {
        return a == b;
    }
    if !existing.position.is_empty() && !planned.position.is_empty() {
        return existing.disc == planned.disc
            && existing.position.eq_ignore_ascii_case(&planned.position);
    }
    name_key(&existing.title) == name_key(&planned.title)
}

/// Fills what the existing release lacks from the planned one; never overwrites.
fn merge_release(
    tx: &Transaction<'_>,
    id: ReleaseId,
    planned: &PlanRelease,
    resolved: &Resolved,
    summary: &mut ImportSummary,
) -> Result<(), DbError> {
    let full = db::releases::load_full(tx, id)?;
    let mut release = full.release.clone();
    if release.release_date.is_none() {
        release.release_date = planned.release.release_date;
    }
    if release.notes.trim().is_empty() {
        release.notes = planned.release.notes.clone();
    }
    if release.label_id.is_none() {
        release.label_id = resolved.label(planned.label.as_ref());
    }
    if release != full.release {
        db::releases::update(tx, &release)?;
    }
    if full.artists.is_empty() {
        db::releases::set_artists(tx, id, &resolved.credits(planned))?;
    }

    let mut formats = full.formats.clone();
    let mut format_ids = Vec::with_capacity(planned.formats.len());
    for wanted in &planned.formats {
        if let Some(existing) = formats.iter_mut().find(|f| same_format(f, wanted)) {
            let before = existing.clone();
            if existing.barcode.is_none() {
                existing.barcode.clone_from(&wanted.barcode);
            }
            if existing.release_date.is_none() {
                existing.release_date = wanted.release_date;
            }
            if existing.retail_price.is_none() && existing.dealer_price.is_none() {
                existing.currency = wanted.currency;
                existing.retail_price = wanted.retail_price;
                existing.dealer_price = wanted.dealer_price;
            }
            if existing.pressed_quantity.is_none() {
                existing.pressed_quantity = wanted.pressed_quantity;
            }
            if existing.notes.trim().is_empty() {
                existing.notes.clone_from(&wanted.notes);
            }
            if *existing != before {
                db::formats::update(tx, existing)?;
            }
            format_ids.push(existing.id);
        } else {
            let new = Format {
                id: FormatId::UNSAVED,
                release_id: id,
                ..wanted.clone()
            };
            let new_id = db::formats::insert(tx, &new)?;
            formats.push(Format { id: new_id, ..new });
            format_ids.push(new_id);
            summary.formats_added += 1;
        }
    }

    for wanted in &planned.catnos {
        let label_id = resolved.label(wanted.label.as_ref());
        let present = full.catnos.iter().any(|c| {
            c.catno.as_str().eq_ignore_ascii_case(wanted.catno.as_str())
                && (c.label_id.is_none() || label_id.is_none() || c.label_id == label_id)
        });
        if !present {
            db::catnos::insert(
                tx,
                id,
                &ReleaseCatalogNumber {
                    id: CatalogNumberId::UNSAVED,
                    label_id,
                    format_id: wanted.format.and_then(|i| format_ids.get(i).copied()),
                    catno: wanted.catno.clone(),
                },
            )?;
            summary.catalog_numbers_added += 1;
        }
    }

    let mut tracks = full.tracks.clone();
    let mut next_seq = tracks
        .iter()
        .map(|t| t.seq.saturating_add(1))
        .max()
        .unwrap_or(0);
    for wanted in &planned.tracks {
        if let Some(existing) = tracks.iter_mut().find(|t| same_track(t, wanted)) {
            let before = existing.clone();
            if existing.duration.is_none() {
                existing.duration = wanted.duration;
            }
            if existing.isrc.is_none() {
                existing.isrc.clone_from(&wanted.isrc);
            }
            if existing.notes.trim().is_empty() {
                existing.notes.clone_from(&wanted.notes);
            }
            if *existing != before {
                db::tracks::update(tx, existing)?;
            }
        } else {
            let new = Track {
                id: crate::model::TrackId::UNSAVED,
                release_id: id,
                seq: next_seq,
                featured_artist_id: None,
                ..wanted.clone()
            };
            let new_id = db::tracks::insert(tx, &new)?;
            tracks.push(Track { id: new_id, ..new });
            next_seq = next_seq.saturating_add(1);
            summary.tracks_added += 1;
        }
    }
    Ok(())
}

/// The kinds of file [`detect`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ImportKind {
    /// The Chinook sample database (SQLite with tables Artist, Album, Track).
    Chinook,
    /// A Discogs releases dump (`<releases>` or a single `<release>`), plain or gzipped.
    Discogs,
    /// A spreadsheet saved as CSV (comma, semicolon or tab separated).
    Spreadsheet,
}

impl ImportKind {
    /// How the kind is named to the user.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Chinook => "Chinook sample database",
            Self::Discogs => "Discogs releases XML",
            Self::Spreadsheet => "spreadsheet (CSV)",
        }
    }
}

/// What kind of importable file `path` is, by looking inside it (the extension alone decides
/// nothing but the CSV case): a SQLite file with tables Artist, Album and Track is Chinook; XML
/// (gzipped or not) whose first element is `<releases>` or `<release>` is Discogs; a `.csv`,
/// `.tsv` or `.txt` file with a header row is a spreadsheet. `None` for anything else.
///
/// Labeldesk's own JSON export and CSV folder are recognised by their own importer, which
/// should be asked first.
#[must_use]
pub fn detect(path: &Path) -> Option<ImportKind> {
    if !path.is_file() {
        return None;
    }
    if super::chinook::looks_like_chinook(path) {
        return Some(ImportKind::Chinook);
    }
    if super::discogs::looks_like_discogs(path) {
        return Some(ImportKind::Discogs);
    }
    if super::spreadsheet::looks_like_spreadsheet(path) {
        return Some(ImportKind::Spreadsheet);
    }
    None
}

/// Reads the file at `path` into a plan, by its [`detect`]ed kind. A spreadsheet is read with
/// the suggested column mapping, its prices in `currency` unless it has a currency column.
///
/// # Errors
/// [`ImportError::NotRecognised`] for a file of no known kind; otherwise what the importer
/// reports.
pub fn read_file(
    path: &Path,
    currency: crate::model::Currency,
    control: &JobControl,
) -> Result<ImportPlan, ImportError> {
    match detect(path) {
        Some(ImportKind::Chinook) => super::chinook::read(path, control),
        Some(ImportKind::Discogs) => super::discogs::read(path, control),
        Some(ImportKind::Spreadsheet) => {
            let table = super::spreadsheet::read_table(path)?;
            let mut mapping = super::spreadsheet::suggest_mapping(&table.headers);
            mapping.currency = currency;
            super::spreadsheet::plan(&table, &mapping, control)
        }
        None => Err(ImportError::NotRecognised {
            path: path.display().to_string(),
            reason: if path.is_dir() {
                "it is a folder".to_owned()
            } else if path.exists() {
                "it is not a kind of file Labeldesk knows".to_owned()
            } else {
                "no such file".to_owned()
            },
        }),
    }
}

/// `labeldesk import FILE`: detects the kind of file, reads it (a spreadsheet with the
/// suggested column mapping and the catalog's home currency) and applies it with `policy`, all
/// in one transaction.
///
/// # Errors
/// As [`read_file`] and [`apply`]; nothing is written on any error.
pub fn import_file(
    path: &Path,
    catalog: &mut Catalog,
    policy: DuplicatePolicy,
    control: &JobControl,
) -> Result<ImportSummary, ImportError> {
    let currency = db::labels::home_currency(catalog.conn())?;
    let plan = read_file(path, currency, control)?;
    apply(&plan, catalog, policy, control)
}

/// The name of a file without its folders, for messages.
#[must_use]
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FormatKind, Isrc, TrackDuration};

    fn at() -> Location {
        Location::record("releases.xml", 3, Some("release 14".to_owned()))
    }

    #[test]
    fn locations_and_problems_read_plainly() {
        assert_eq!(at().to_string(), "releases.xml record 3 (release 14)");
        assert_eq!(Location::line("cat.csv", 12).to_string(), "cat.csv line 12");
        assert_eq!(
            Location::record("x.xml", 2, None).to_string(),
            "x.xml record 2"
        );
        assert_eq!(
            Location::row("Chinook.sqlite", "Album", 5).to_string(),
            "Chinook.sqlite Album 5"
        );
        assert_eq!(Location::file("a.csv").to_string(), "a.csv");
        let err = Barcode::parse("123").expect_err("invalid");
        let p = Problem::invalid(&at(), &err);
        assert_eq!(p.field, "barcode");
        assert_eq!(
            p.to_string(),
            "releases.xml record 3 (release 14): barcode “123”: must be 12 digits (UPC-A) or 13 digits (EAN-13), found 3 digits"
        );
    }

    #[test]
    fn names_match_ignoring_case_and_spacing() {
        assert_eq!(name_key("  The  Low Tides "), "the low tides");
        assert_eq!(name_key("NAÇÃO"), "nação");
        let mut plan = ImportPlan::new("x");
        let a = plan.add_artist(Artist::new("Grey Heron"), &at());
        let b = plan.add_artist(Artist::new("grey  heron"), &at());
        assert_eq!(a, b);
        assert_eq!(plan.artists().len(), 1);
        assert_eq!(plan.artists()[0].name, "Grey Heron");
        assert_eq!(plan.add_artist(Artist::new("  "), &at()), None);
        assert_eq!(plan.problems.len(), 1);
    }

    #[test]
    fn push_release_repairs_what_it_can() {
        let mut plan = ImportPlan::new("x");
        let mut r = PlanRelease::new(at(), Release::new("  Stockholm "));
        r.credits.push(PlanCredit {
            artist: "nobody".to_owned(),
            role: ArtistRole::Primary,
        });
        let mut bad_format = Format::new(ReleaseId::UNSAVED, FormatKind::Cd);
        bad_format.discs = 150;
        r.formats.push(bad_format);
        let mut t1 = Track::new(ReleaseId::UNSAVED, 7, "Östermalm");
        t1.position = "1/2".to_owned();
        t1.duration = Some(TrackDuration::from_millis(285_000));
        let t2 = Track::new(ReleaseId::UNSAVED, 8, "   ");
        let mut t3 = Track::new(ReleaseId::UNSAVED, 9, "Gamla Stan");
        t3.position = "d".to_owned();
        t3.isrc = Isrc::parse("SE-ABC-99-00001").ok();
        r.tracks = vec![t1, t2, t3];
        assert!(plan.push_release(r));
        let r = &plan.releases[0];
        assert_eq!(r.release.title, "Stockholm");
        assert!(r.credits.is_empty(), "unknown artist keys are dropped");
        assert_eq!(r.formats[0].discs, 1);
        assert!(r.formats[0].notes.contains("Discs: 150"));
        assert_eq!(r.tracks.len(), 2);
        assert_eq!(r.tracks[0].position, "");
        assert_eq!(r.tracks[0].notes, "Position: 1/2");
        assert_eq!((r.tracks[0].seq, r.tracks[1].seq), (0, 1));
        assert_eq!(r.tracks[1].position, "D");
        let fields: Vec<&str> = plan.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["discs", "track title", "position"]);
        assert_eq!(
            plan.problems[2].message,
            "1 track position is not letters and digits (such as A1 or 3): “1/2” (Östermalm); kept in the track notes"
        );
        assert_eq!(
            plan.problems[1].message,
            "the track at position “9” has no title: it was left out"
        );
        let counts = plan.counts();
        assert_eq!((counts.releases, counts.tracks, counts.isrcs), (1, 2, 1));
        assert_eq!(counts.total_duration_ms, 285_000);

        assert!(!plan.push_release(PlanRelease::new(at(), Release::new(" "))));
        assert_eq!(plan.releases.len(), 1);
    }

    #[test]
    fn summary_reads_as_one_line() {
        let s = ImportSummary {
            releases_added: 1,
            tracks_added: 12,
            formats_added: 2,
            catalog_numbers_added: 1,
            releases_skipped: 3,
            artists_added: 1,
            labels_reused: 1,
            problems: 2,
            ..ImportSummary::default()
        };
        assert_eq!(
            s.to_string(),
            "1 release added (12 tracks, 2 formats, 1 catalog number); 0 merged, 3 skipped as \
             already in the catalog; artists: 1 new, 0 already there; labels: 0 new, 1 already \
             there; 2 problems"
        );
    }

    #[test]
    fn matching_rules() {
        let mut a = Format::new(ReleaseId(1), FormatKind::Cd);
        let mut b = Format::new(ReleaseId(2), FormatKind::Cd);
        assert!(same_format(&a, &b));
        a.barcode = Barcode::parse("036000241457").ok();
        b.barcode = Barcode::parse("0036000241457").ok();
        assert!(same_format(&a, &b), "UPC-A and EAN-13 forms match");
        b.barcode = Barcode::parse("5010017088439").ok();
        assert!(!same_format(&a, &b));
        let mut t = Track::new(ReleaseId(1), 0, "One");
        let mut u = Track::new(ReleaseId(2), 0, "Other title");
        assert!(same_track(&t, &u), "same disc and position");
        u.position = "A1".to_owned();
        assert!(!same_track(&t, &u));
        t.position.clear();
        u.title = "one".to_owned();
        assert!(same_track(&t, &u), "title when a position is missing");
    }
}
