//! Discogs releases XML: the monthly data dump (`discogs_YYYYMMDD_releases.xml.gz`, one
//! `<releases>` element holding millions of `<release>` records) or one `<release>` saved on
//! its own. Read as a stream of quick-xml events, one release at a time, so memory stays
//! small however large the dump; progress is the share of the file's bytes read.
//!
//! What is taken over: release artists (without Discogs' " (2)" disambiguation suffix), title,
//! labels with catalog numbers, formats with their quantity (2×12" is one format with 2 discs),
//! valid UPC-A / EAN-13 barcodes, the tracklist (positions like A1/B2, `1-3` for disc 1 track
//! 3, durations `m:ss`), the release date (a full date, or the year or month in the notes),
//! country, genres and Discogs' notes.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::import::{
    ImportError, ImportPlan, Location, PlanCatno, PlanCredit, PlanRelease, display_name, join_notes,
};
use crate::jobs::JobControl;
use crate::model::{
    Artist, ArtistRole, Barcode, CatalogNumber, Format, FormatKind, Label, Release, ReleaseId,
    ReleaseStatus, ReleaseType, Track, TrackDuration, parse_date,
};

/// The artist Discogs credits on compilations of many artists; not an artist of its own.
const VARIOUS: &str = "Various";

/// Removes Discogs' disambiguation suffix: `"Josh Wink (2)"` → `"Josh Wink"`.
#[must_use]
pub fn strip_disambiguation(name: &str) -> &str {
    let name = name.trim();
    if let Some(open) = name.rfind(" (")
        && let Some(inner) = name[open + 2..].strip_suffix(')')
        && !inner.is_empty()
        && inner.bytes().all(|b| b.is_ascii_digit())
    {
        return name[..open].trim_end();
    }
    name
}

/// The Labeldesk format for a Discogs format name and its descriptions: Vinyl with 12"/10"/7"
/// (or LP, which is 12"), CD and CDr, Cassette, File (digital); anything else is "other".
/// The `bool` is false for vinyl whose size is not given (12" is assumed).
#[must_use]
pub fn format_kind(name: &str, descriptions: &[String]) -> (FormatKind, bool) {
    let has = |d: &str| {
        descriptions
            .iter()
            .any(|x| x.trim().eq_ignore_ascii_case(d))
    };
    match name.trim().to_ascii_lowercase().as_str() {
        "vinyl" => {
            if has("12\"") {
                (FormatKind::Vinyl12, true)
            } else if has("10\"") {
                (FormatKind::Vinyl10, true)
            } else if has("7\"") {
                (FormatKind::Vinyl7, true)
            } else if has("LP") {
                (FormatKind::Vinyl12, true)
            } else {
                (FormatKind::Vinyl12, false)
            }
        }
        "cd" | "cdr" => (FormatKind::Cd, true),
        "cassette" => (FormatKind::Cassette, true),
        "file" => (FormatKind::Digital, true),
        _ => (FormatKind::Other, true),
    }
}

/// What a Discogs `<released>` value gives: a full date, or a partial one for the notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Released {
    /// Nothing given.
    Unknown,
    /// `YYYY-MM-DD`.
    Date(chrono::NaiveDate),
    /// `YYYY` or `YYYY-MM-00` (kept as `1999` or `1999-03`), or text that is not a date.
    Partial(String),
}

/// Reads a Discogs `<released>` value: `1999`, `1999-03-00`, `1999-00-00` or `1999-07-13`.
#[must_use]
pub fn parse_released(text: &str) -> Released {
    let text = text.trim();
    if text.is_empty() {
        return Released::Unknown;
    }
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] | [y, "00"] | [y, "00", "00"] if digits(y, 4) => Released::Partial((*y).to_owned()),
        [y, m] | [y, m, "00"] if digits(y, 4) && digits(m, 2) => {
            Released::Partial(format!("{y}-{m}"))
        }
        _ => parse_date(text).map_or_else(|_| Released::Partial(text.to_owned()), Released::Date),
    }
}

/// Splits a Discogs track position into a disc number and a position Labeldesk can store.
///
/// `A1`, `B2`, `A2a` stay as they are; `1-3` and `CD1-3` are disc 1, position `3`; `CD-2`
/// or `LP-A1` take the disc from the order in which their medium first appears
/// (`media`, kept per release); `1.4` is disc 1 track 4 when `dotted_discs` (every position
/// of the release has that shape); spaces, dots and brackets between a side letter and a
/// number are dropped (`A.1`, `B. 1`, `A6 (a)`). A position that would not survive cleaning
/// (`1/2`, `11.1` among plain numbers) is returned unchanged, for the plan to move it to the
/// track's notes. `None` as disc means "the previous track's disc".
#[must_use]
pub fn split_position(
    raw: &str,
    media: &mut Vec<String>,
    dotted_discs: bool,
) -> (Option<u16>, String) {
    let raw = raw.trim();
    if raw.is_empty() {
        return (None, String::new());
    }
    if let Some((prefix, rest)) = raw.split_once('-') {
        let letters_end = prefix
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(prefix.len());
        let (letters, number) = prefix.split_at(letters_end);
        let valid_prefix = !prefix.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        if valid_prefix && !rest.trim().is_empty() {
            let disc = if number.is_empty() {
                let medium = letters.to_ascii_uppercase();
                let index = media.iter().position(|m| *m == medium).unwrap_or_else(|| {
                    media.push(medium);
                    media.len() - 1
                });
                u16::try_from(index + 1).ok()
            } else {
                number.parse::<u16>().ok()
            };
            if disc.is_some() {
                return (disc, clean_position(rest));
            }
        }
    }
    if dotted_discs && let Some((disc, track)) = dotted(raw) {
        return (Some(disc), track.to_owned());
    }
    (Some(1), clean_position(raw))
}

/// `1.4` → (1, "4").
fn dotted(raw: &str) -> Option<(u16, &str)> {
    let (disc, track) = raw.split_once('.')?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (all_digits(disc) && all_digits(track)).then(|| disc.parse().ok().map(|d| (d, track)))?
}

/// Drops spaces, dots and brackets unless that would join two numbers (`11.1` is not `111`).
fn clean_position(raw: &str) -> String {
    let raw = raw.trim();
    let mut out = String::with_capacity(raw.len());
    let mut dropped_after_digit = false;
    for c in raw.chars() {
        if matches!(c, ' ' | '.' | '(' | ')') {
            if out.ends_with(|p: char| p.is_ascii_digit()) {
                dropped_after_digit = true;
            }
            continue;
        }
        if dropped_after_digit && c.is_ascii_digit() {
            return raw.to_owned();
        }
        dropped_after_digit = false;
        out.push(c);
    }
    out
}

/// Cleans a barcode as printed on a sleeve: the `>` quiet-zone mark some barcodes carry at
/// their edge is not part of the code.
fn barcode_text(value: &str) -> &str {
    value
        .trim()
        .trim_matches(|c: char| c == '>' || c == '<')
        .trim()
}

#[derive(Debug, Default)]
struct RawArtist {
    name: String,
    join: String,
}

#[derive(Debug, Default)]
struct RawFormat {
    name: String,
    qty: String,
    text: String,
    descriptions: Vec<String>,
}

#[derive(Debug, Default)]
struct RawTrack {
    position: String,
    title: String,
    duration: String,
    artists: Vec<RawArtist>,
    sub_tracks: Vec<RawTrack>,
}

#[derive(Debug, Default)]
struct RawRelease {
    id: String,
    title: String,
    artists: Vec<RawArtist>,
    labels: Vec<(String, String)>,
    formats: Vec<RawFormat>,
    genres: Vec<String>,
    styles: Vec<String>,
    country: String,
    released: String,
    notes: String,
    tracks: Vec<RawTrack>,
    /// (type, value)
    identifiers: Vec<(String, String)>,
}

impl RawRelease {
    fn start(&mut self, path: &[&str], attrs: &[(String, String)]) {
        let attr = |name: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        match path {
            ["artists", "artist"] => self.artists.push(RawArtist::default()),
            ["labels", "label"] => self.labels.push((attr("name"), attr("catno"))),
            ["formats", "format"] => self.formats.push(RawFormat {
                name: attr("name"),
                qty: attr("qty"),
                text: attr("text"),
                descriptions: Vec::new(),
            }),
            ["tracklist", "track"] => self.tracks.push(RawTrack::default()),
            ["tracklist", "track", "sub_tracks", "track"] => {
                if let Some(t) = self.tracks.last_mut() {
                    t.sub_tracks.push(RawTrack::default());
                }
            }
            ["tracklist", "track", "artists", "artist"] => {
                if let Some(t) = self.tracks.last_mut() {
                    t.artists.push(RawArtist::default());
                }
            }
            ["identifiers", "identifier"] => {
                self.identifiers.push((attr("type"), attr("value")));
            }
            _ => {}
        }
    }

    fn end(&mut self, path: &[&str], text: &str) {
        let text = text.trim().to_owned();
        match path {
            ["title"] => self.title = text,
            ["artists", "artist", "name"] => {
                if let Some(a) = self.artists.last_mut() {
                    a.name = text;
                }
            }
            ["artists", "artist", "join"] => {
                if let Some(a) = self.artists.last_mut() {
                    a.join = text;
                }
            }
            ["formats", "format", "descriptions", "description"] => {
                if let Some(f) = self.formats.last_mut() {
                    f.descriptions.push(text);
                }
            }
            ["genres", "genre"] => self.genres.push(text),
            ["styles", "style"] => self.styles.push(text),
            ["country"] => self.country = text,
            ["released"] => self.released = text,
            ["notes"] => self.notes = text,
            ["tracklist", "track", field] => {
                if let Some(t) = self.tracks.last_mut() {
                    t.set(field, text);
                }
            }
            ["tracklist", "track", "sub_tracks", "track", field] => {
                if let Some(t) = self.tracks.last_mut().and_then(|t| t.sub_tracks.last_mut()) {
                    t.set(field, text);
                }
            }
            ["tracklist", "track", "artists", "artist", field] => {
                if let Some(a) = self.tracks.last_mut().and_then(|t| t.artists.last_mut()) {
                    match *field {
                        "name" => a.name = text,
                        "join" => a.join = text,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

impl RawTrack {
    fn set(&mut self, field: &str, text: String) {
        match field {
            "position" => self.position = text,
            "title" => self.title = text,
            "duration" => self.duration = text,
            _ => {}
        }
    }
}

/// "A & B feat. C": names joined as Discogs credits them, without disambiguation suffixes.
fn credit_line(artists: &[RawArtist]) -> String {
    let mut line = String::new();
    for (i, a) in artists.iter().enumerate() {
        line.push_str(strip_disambiguation(&a.name));
        if i + 1 < artists.len() {
            let join = a.join.trim();
            if join.is_empty() || join == "," {
                line.push_str(if join.is_empty() { " & " } else { ", " });
            } else {
                line.push(' ');
                line.push_str(join);
                line.push(' ');
            }
        }
    }
    line
}

/// Turns one `<release>` into a planned release (problems go to the plan).
fn to_plan(raw: RawRelease, record: u64, file: &str, plan: &mut ImportPlan) {
    let id_text = (!raw.id.is_empty()).then(|| format!("release {}", raw.id));
    let at = Location::record(file, record, id_text);
    let mut release = Release::new(raw.title.clone());
    release.status = ReleaseStatus::Released;
    let mut planned = PlanRelease::new(at.clone(), release);
    let mut notes = Vec::new();
    if !raw.id.is_empty() {
        notes.push(format!("Imported from Discogs release {}.", raw.id));
    }

    let mut various = false;
    for artist in &raw.artists {
        let name = strip_disambiguation(&artist.name);
        if name == VARIOUS {
            various = true;
            continue;
        }
        if let Some(key) = plan.add_artist(Artist::new(name), &at) {
            planned.credits.push(PlanCredit {
                artist: key,
                role: ArtistRole::Primary,
            });
        }
    }

    for (name, catno) in &raw.labels {
        let name = strip_disambiguation(name);
        // Discogs files self-released records under "Not On Label (…)": no label to create.
        let label = if name.is_empty() || name.starts_with("Not On Label") {
            None
        } else {
            plan.add_label(Label::new(name), &at)
        };
        if planned.label.is_none() {
            planned.label.clone_from(&label);
        }
        let catno = catno.trim();
        if catno.is_empty() || catno.eq_ignore_ascii_case("none") {
            continue;
        }
        match CatalogNumber::parse(catno) {
            Ok(catno) => planned.catnos.push(PlanCatno {
                catno,
                label,
                format: None,
            }),
            Err(e) => plan.problems.push(super::import::Problem::invalid(&at, &e)),
        }
    }

    let all_descriptions: Vec<&str> = raw
        .formats
        .iter()
        .flat_map(|f| f.descriptions.iter().map(String::as_str))
        .collect();
    let described = |d: &str| all_descriptions.iter().any(|x| x.eq_ignore_ascii_case(d));
    planned.release.release_type = if various || described("Compilation") {
        ReleaseType::Compilation
    } else if described("Album") || described("LP") || described("Mini-Album") {
        ReleaseType::Album
    } else if described("EP") {
        ReleaseType::Ep
    } else if described("Single") || described("Maxi-Single") {
        ReleaseType::Single
    } else {
        ReleaseType::Other
    };

    for f in &raw.formats {
        let (kind, size_known) = format_kind(&f.name, &f.descriptions);
        let mut format = Format::new(ReleaseId::UNSAVED, kind);
        let mut variant = Vec::new();
        if kind == FormatKind::Other || f.name.eq_ignore_ascii_case("CDr") {
            variant.push(f.name.trim().to_owned());
        }
        if !f.text.trim().is_empty() {
            variant.push(f.text.trim().to_owned());
        }
        format.variant = variant.join(", ");
        let qty = f.qty.trim();
        let quantity = if qty.is_empty() {
            Some(1)
        } else {
            qty.parse::<u16>().ok().filter(|&q| q > 0)
        };
        match quantity {
            Some(q) if kind == FormatKind::Digital => {
                if q > 1 {
                    format.notes = format!("{q} files");
                }
            }
            Some(q) => format.discs = q,
            None => plan.problem(
                &at,
                "discs",
                format!(
                    "{}: quantity “{qty}” is not a number of discs: 1 assumed",
                    f.name
                ),
            ),
        }
        if !size_known {
            plan.problem(
                &at,
                "format",
                "vinyl without a size (12\", 10\" or 7\"): 12\" assumed",
            );
        }
        let described = if f.descriptions.is_empty() {
            String::new()
        } else {
            format!(" ({})", f.descriptions.join(", "))
        };
        format.notes = join_notes(
            &format.notes,
            &format!(
                "Discogs format: {} × {}{described}",
                qty_or_one(qty),
                f.name.trim()
            ),
        );
        planned.formats.push(format);
    }

    // Barcodes belong to formats, but Discogs lists them per release: the first different
    // code goes on the first format, the second on the second…; any left over go to the notes.
    let mut barcodes: Vec<Barcode> = Vec::new();
    let mut isrcs = Vec::new();
    for (kind, value) in &raw.identifiers {
        if kind.eq_ignore_ascii_case("Barcode") {
            match Barcode::parse(barcode_text(value)) {
                Ok(code) => {
                    if !barcodes.iter().any(|b| b.same_product(&code)) {
                        barcodes.push(code);
                    }
                }
                Err(e) => plan.problem(
                    &at,
                    "barcode",
                    format!("{e}: left out (only valid UPC-A / EAN-13 barcodes are kept)"),
                ),
            }
        } else if kind.eq_ignore_ascii_case("ISRC") && !value.trim().is_empty() {
            isrcs.push(value.trim().to_owned());
        }
    }
    let mut extra = Vec::new();
    for (i, code) in barcodes.into_iter().enumerate() {
        match planned.formats.get_mut(i) {
            Some(format) => format.barcode = Some(code),
            None => extra.push(code.to_string()),
        }
    }
    if !extra.is_empty() {
        plan.problem(
            &at,
            "barcode",
            format!(
                "more barcodes than formats: {} kept in the release notes",
                extra.join(", ")
            ),
        );
    }

    match parse_released(&raw.released) {
        Released::Unknown => {}
        Released::Date(date) => planned.release.release_date = Some(date),
        Released::Partial(text) => {
            if text.len() > 7 {
                plan.problem(
                    &at,
                    "release date",
                    format!("released “{text}” is not a date: kept in the notes"),
                );
            }
            notes.push(format!("Released: {text}"));
        }
    }
    if !raw.country.is_empty() {
        notes.push(format!("Country: {}", raw.country));
    }
    if !raw.genres.is_empty() {
        notes.push(format!("Genre: {}", raw.genres.join(", ")));
    }
    if !raw.styles.is_empty() {
        notes.push(format!("Style: {}", raw.styles.join(", ")));
    }
    if !extra.is_empty() {
        notes.push(format!("Other barcodes: {}", extra.join(", ")));
    }
    if !isrcs.is_empty() {
        notes.push(format!(
            "ISRC on Discogs (not tied to a track): {}",
            isrcs.join(", ")
        ));
    }
    if !raw.notes.is_empty() {
        notes.push(String::new());
        notes.push(raw.notes.clone());
    }
    planned.release.notes = notes.join("\n");

    let positions: Vec<&str> = raw.tracks.iter().map(|t| t.position.trim()).collect();
    let dotted_discs = positions.iter().any(|p| !p.is_empty())
        && positions
            .iter()
            .all(|p| p.is_empty() || dotted(p).is_some());
    let mut media = Vec::new();
    let mut disc = 1;
    let mut unpositioned = Vec::new();
    for (seq, t) in raw.tracks.iter().enumerate() {
        let seq = u32::try_from(seq).unwrap_or(u32::MAX);
        let mut track = Track::new(ReleaseId::UNSAVED, seq, t.title.clone());
        let (this_disc, position) = split_position(&t.position, &mut media, dotted_discs);
        disc = this_disc.unwrap_or(disc);
        track.disc = disc;
        if position.is_empty() && !t.title.trim().is_empty() {
            unpositioned.push(format!("“{}”", t.title));
        }
        track.position = position;
        if !t.duration.is_empty() {
            match TrackDuration::parse(&t.duration) {
                Ok(d) => track.duration = Some(d),
                Err(e) => plan.problem(
                    &at,
                    "duration",
                    format!("track “{}”: {e}: left empty", t.title),
                ),
            }
        }
        let mut track_notes = Vec::new();
        if !t.artists.is_empty() {
            track_notes.push(format!("Artist: {}", credit_line(&t.artists)));
        }
        for sub in &t.sub_tracks {
            let duration = if sub.duration.is_empty() {
                String::new()
            } else {
                format!(" ({})", sub.duration)
            };
            track_notes.push(format!(
                "Part {}: {}{duration}",
                sub.position.trim(),
                sub.title
            ));
        }
        if t.position.trim().is_empty() {
            track_notes.push("No position on Discogs (may be a heading)".to_owned());
        }
        track.notes = track_notes.join("\n");
        planned.tracks.push(track);
    }
    if !unpositioned.is_empty() {
        plan.problem(
            &at,
            "position",
            format!(
                "{} without a position: {}; imported as tracks (delete any that are headings)",
                if unpositioned.len() == 1 {
                    "1 tracklist entry".to_owned()
                } else {
                    format!("{} tracklist entries", unpositioned.len())
                },
                unpositioned.join(", ")
            ),
        );
    }
    plan.push_release(planned);
}

fn qty_or_one(qty: &str) -> &str {
    if qty.is_empty() { "1" } else { qty }
}

/// Counts the bytes read from the file, for the progress bar.
struct Progress<'a, R> {
    inner: R,
    control: &'a JobControl,
    read: u64,
}

impl<R: Read> Read for Progress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.control.set_done(self.read);
        Ok(n)
    }
}

fn attributes(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let value = attr.unescape_value().map_err(|e| e.to_string())?;
        out.push((key, value.into_owned()));
    }
    Ok(out)
}

/// Reads a Discogs releases file (plain XML or gzipped) into an import plan.
///
/// # Errors
/// [`ImportError::Io`] when the file cannot be opened; [`ImportError::Malformed`] naming the
/// record when the XML is broken or cut short; [`ImportError::NotRecognised`] when it holds no
/// Discogs releases; [`ImportError::Cancelled`].
pub fn read(path: &Path, control: &JobControl) -> Result<ImportPlan, ImportError> {
    let shown = path.display().to_string();
    let io = |source| ImportError::Io {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    control.set_stage("Reading Discogs releases");
    control.set_total(size);
    control.set_done(0);
    let mut input = BufReader::with_capacity(
        64 * 1024,
        Progress {
            inner: file,
            control,
            read: 0,
        },
    );
    let gzipped = input.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
    let name = display_name(path);
    // Messages name the XML inside a .gz (`releases.xml`), as the user sees it unpacked.
    let shown_name = if gzipped {
        name.strip_suffix(".gz").unwrap_or(&name).to_owned()
    } else {
        name
    };
    let plan = if gzipped {
        read_from(
            BufReader::with_capacity(64 * 1024, MultiGzDecoder::new(input)),
            &shown_name,
            control,
        )?
    } else {
        read_from(input, &shown_name, control)?
    };
    if plan.releases.is_empty() && plan.problems.is_empty() && !has_root(path) {
        return Err(ImportError::NotRecognised {
            path: shown,
            reason: "it holds no Discogs <release> records".to_owned(),
        });
    }
    Ok(plan)
}

/// Reads Discogs releases XML from any reader; `file` names it in messages.
///
/// # Errors
/// As [`read`].
pub fn read_from<R: BufRead>(
    input: R,
    file: &str,
    control: &JobControl,
) -> Result<ImportPlan, ImportError> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut plan = ImportPlan::new(file);
    let mut buf = Vec::with_capacity(4096);
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    // (depth of the <release> element in `stack`, the record being read)
    let mut current: Option<(usize, RawRelease)> = None;
    let mut record: u64 = 0;
    let mut last_id = String::new();
    loop {
        let event = reader.read_event_into(&mut buf);
        let at_error = |current: &Option<(usize, RawRelease)>, reason: String| {
            let at = match current {
                Some((_, raw)) => Location::record(
                    file,
                    record,
                    (!raw.id.is_empty()).then(|| format!("release {}", raw.id)),
                ),
                None if record == 0 => Location::file(file),
                None => {
                    Location::record(file, record + 1, Some(format!("after release {last_id}")))
                }
            };
            ImportError::Malformed { at, reason }
        };
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                return Err(at_error(
                    &current,
                    format!("the XML is broken or cut short ({e})"),
                ));
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let attrs = attributes(e).map_err(|r| {
                    at_error(
                        &current,
                        format!("an attribute of <{name}> is broken ({r})"),
                    )
                })?;
                if current.is_none() && name == "release" {
                    record += 1;
                    let raw = RawRelease {
                        id: attrs
                            .iter()
                            .find(|(k, _)| k == "id")
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default(),
                        ..RawRelease::default()
                    };
                    current = Some((stack.len(), raw));
                } else if let Some((depth, raw)) = current.as_mut() {
                    let mut path: Vec<&str> =
                        stack[*depth + 1..].iter().map(String::as_str).collect();
                    path.push(&name);
                    raw.start(&path, &attrs);
                } else if stack.is_empty() && name != "releases" {
                    return Err(ImportError::NotRecognised {
                        path: file.to_owned(),
                        reason: format!(
                            "it is XML, but its first element is <{name}>, not Discogs <releases>"
                        ),
                    });
                }
                stack.push(name);
                text.clear();
                if empty {
                    end_element(&mut stack, &mut current, &text, record, file, &mut plan);
                    if current.is_none() && record > 0 {
                        control.check()?;
                    }
                }
            }
            Event::End(_) => {
                let finished =
                    end_element(&mut stack, &mut current, &text, record, file, &mut plan);
                if let Some(id) = finished {
                    last_id = id;
                    if record.is_multiple_of(100) {
                        control.set_stage(&format!("Reading Discogs releases: {record} read"));
                    }
                    control.check()?;
                }
                text.clear();
            }
            Event::Text(ref e) => {
                if current.is_some() {
                    let t = e
                        .xml10_content()
                        .map_err(|r| at_error(&current, format!("the text is not UTF-8 ({r})")))?;
                    text.push_str(&t);
                }
            }
            Event::CData(ref e) => {
                if current.is_some() {
                    let t = e
                        .decode()
                        .map_err(|r| at_error(&current, format!("the text is not UTF-8 ({r})")))?;
                    text.push_str(&t);
                }
            }
            Event::GeneralRef(ref e) => {
                if current.is_some() {
                    match e.resolve_char_ref() {
                        Ok(Some(c)) => text.push(c),
                        Ok(None) => {
                            let name = e.decode().map_err(|r| {
                                at_error(&current, format!("the text is not UTF-8 ({r})"))
                            })?;
                            if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                                text.push_str(s);
                            } else {
                                text.push('&');
                                text.push_str(&name);
                                text.push(';');
                            }
                        }
                        Err(r) => {
                            return Err(at_error(
                                &current,
                                format!("a character reference is broken ({r})"),
                            ));
                        }
                    }
                }
            }
            Event::Eof => {
                if current.is_some() || !stack.is_empty() {
                    return Err(at_error(
                        &current,
                        "the file ends in the middle of this release: it is cut short".to_owned(),
                    ));
                }
                break;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
    Ok(plan)
}

/// Closes the innermost element; returns the Discogs id when it closed a whole release.
fn end_element(
    stack: &mut Vec<String>,
    current: &mut Option<(usize, RawRelease)>,
    text: &str,
    record: u64,
    file: &str,
    plan: &mut ImportPlan,
) -> Option<String> {
    let closing_release = matches!(current, Some((depth, _)) if *depth + 1 == stack.len());
    if closing_release {
        stack.pop();
        let (_, raw) = current.take()?;
        let id = raw.id.clone();
        to_plan(raw, record, file, plan);
        return Some(id);
    }
    if let Some((depth, raw)) = current.as_mut() {
        let path: Vec<&str> = stack[*depth + 1..].iter().map(String::as_str).collect();
        raw.end(&path, text);
    }
    stack.pop();
    None
}

/// True when the file (gzipped or not) is XML whose first element is `<releases>` or
/// `<release>`.
#[must_use]
pub fn looks_like_discogs(path: &Path) -> bool {
    has_root(path)
}

fn has_root(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut input = BufReader::new(file);
    let Ok(head) = input.fill_buf() else {
        return false;
    };
    if head.starts_with(&[0x1f, 0x8b]) {
        first_element_is_release(BufReader::new(MultiGzDecoder::new(input)))
    } else {
        first_element_is_release(input)
    }
}

fn first_element_is_release<R: BufRead>(input: R) -> bool {
    let mut reader = Reader::from_reader(input.take(64 * 1024));
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.local_name();
                return name.as_ref() == b"releases" || name.as_ref() == b"release";
            }
            Ok(Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_)) => {}
            Ok(Event::Text(t)) if t.iter().all(u8::is_ascii_whitespace) => {}
            Ok(_) | Err(_) => return false,
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disambiguation_suffixes_are_dropped() {
        assert_eq!(strip_disambiguation("Josh Wink (2)"), "Josh Wink");
        assert_eq!(strip_disambiguation(" Svek (12) "), "Svek");
        assert_eq!(strip_disambiguation("Sylk 130"), "Sylk 130");
        assert_eq!(strip_disambiguation("Love (Live)"), "Love (Live)");
        assert_eq!(strip_disambiguation("()"), "()");
        assert_eq!(strip_disambiguation("X ()"), "X ()");
    }

    #[test]
    fn formats_by_name_and_description() {
        let d = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            format_kind("Vinyl", &d(&["12\"", "33 ⅓ RPM"])),
            (FormatKind::Vinyl12, true)
        );
        assert_eq!(
            format_kind("Vinyl", &d(&["10\""])),
            (FormatKind::Vinyl10, true)
        );
        assert_eq!(
            format_kind("Vinyl", &d(&["7\"", "45 RPM"])),
            (FormatKind::Vinyl7, true)
        );
        assert_eq!(
            format_kind("Vinyl", &d(&["LP", "Album"])),
            (FormatKind::Vinyl12, true)
        );
        assert_eq!(
            format_kind("Vinyl", &d(&["Album"])),
            (FormatKind::Vinyl12, false)
        );
        assert_eq!(format_kind("CD", &[]), (FormatKind::Cd, true));
        assert_eq!(format_kind("CDr", &[]), (FormatKind::Cd, true));
        assert_eq!(format_kind("Cassette", &[]), (FormatKind::Cassette, true));
        assert_eq!(
            format_kind("File", &d(&["MP3"])),
            (FormatKind::Digital, true)
        );
        assert_eq!(
            format_kind("Shellac", &d(&["10\""])),
            (FormatKind::Other, true)
        );
        assert_eq!(format_kind("Box Set", &[]), (FormatKind::Other, true));
    }

    #[test]
    fn released_values() {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(
            parse_released("1999-07-13"),
            Released::Date(date(1999, 7, 13))
        );
        assert_eq!(
            parse_released("1999-03-00"),
            Released::Partial("1999-03".into())
        );
        assert_eq!(
            parse_released("1999-00-00"),
            Released::Partial("1999".into())
        );
        assert_eq!(parse_released("1999"), Released::Partial("1999".into()));
        assert_eq!(parse_released(""), Released::Unknown);
        assert_eq!(
            parse_released("1999-02-30"),
            Released::Partial("1999-02-30".into())
        );
        assert_eq!(
            parse_released("circa 1970"),
            Released::Partial("circa 1970".into())
        );
    }

    #[test]
    fn positions() {
        let split = |raw: &str| split_position(raw, &mut Vec::new(), false);
        assert_eq!(split("A1"), (Some(1), "A1".to_owned()));
        assert_eq!(split(" B2 "), (Some(1), "B2".to_owned()));
        assert_eq!(split("A"), (Some(1), "A".to_owned()));
        assert_eq!(split("A2a"), (Some(1), "A2a".to_owned()));
        assert_eq!(split("A.1"), (Some(1), "A1".to_owned()));
        assert_eq!(split("B. 1"), (Some(1), "B1".to_owned()));
        assert_eq!(split("A6 (a)"), (Some(1), "A6a".to_owned()));
        assert_eq!(split("1-3"), (Some(1), "3".to_owned()));
        assert_eq!(split("2-11b"), (Some(2), "11b".to_owned()));
        assert_eq!(split("CD2-Video"), (Some(2), "Video".to_owned()));
        assert_eq!(split(""), (None, String::new()));
        assert_eq!(
            split("1/2"),
            (Some(1), "1/2".to_owned()),
            "left for the plan to report"
        );
        assert_eq!(split("11.1"), (Some(1), "11.1".to_owned()), "not 111");
        let mut media = Vec::new();
        assert_eq!(
            split_position("CD-1", &mut media, false),
            (Some(1), "1".to_owned())
        );
        assert_eq!(
            split_position("DVD-1", &mut media, false),
            (Some(2), "1".to_owned())
        );
        assert_eq!(
            split_position("CD-2", &mut media, false),
            (Some(1), "2".to_owned())
        );
        assert_eq!(
            split_position("LP-A1", &mut media, false),
            (Some(3), "A1".to_owned())
        );
        assert_eq!(
            split_position("2.7", &mut media, true),
            (Some(2), "7".to_owned())
        );
        assert_eq!(
            split_position("1-1.2", &mut media, false),
            (Some(1), "1.2".to_owned())
        );
    }

    #[test]
    fn barcodes_lose_the_quiet_zone_mark() {
        assert_eq!(barcode_text(" 5 024900 001498 > "), "5 024900 001498");
        assert!(Barcode::parse(barcode_text("7 961220 922684 >")).is_ok());
    }
}
