//! The release schedule as an iCalendar file (RFC 5545), to open in a phone or desktop calendar.
//!
//! Every milestone is an all-day event (`DTSTART;VALUE=DATE`) whose UID is
//! `<milestone id>@<catalog id>`: ids never change, so importing a newer export updates the
//! events instead of duplicating them, and `SEQUENCE` (raised by the catalog on every change
//! of the milestone) tells the calendar which version is newer. The text is written as the
//! RFC asks: CRLF line endings, lines folded at 75 octets without splitting a UTF-8
//! character, and `\ ; , newline` escaped in TEXT values.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, NaiveDate, Utc};
use rusqlite::Connection;

use crate::db::planning::{self, MilestoneRow};
use crate::db::{Catalog, DbError};
use crate::model::{MilestoneStatus, ReleaseId};

/// Longest physical line, in octets, excluding the CRLF.
pub const MAX_LINE_OCTETS: usize = 75;

/// One all-day event of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// `<milestone id>@<catalog id>`.
    pub uid: String,
    /// The day.
    pub date: NaiveDate,
    /// The title, e.g. "HLR020 Tides: Lacquer cut (12\" vinyl)".
    pub summary: String,
    /// Release, artists, status, owner and notes, one per line.
    pub description: String,
    /// The milestone's change counter.
    pub sequence: u32,
    /// Skipped milestones are exported as cancelled events.
    pub cancelled: bool,
}

/// The event for one milestone row.
#[must_use]
pub fn event(row: &MilestoneRow, catalog_id: &str) -> CalendarEvent {
    let m = &row.milestone;
    let done = if m.status == MilestoneStatus::Done {
        "Done: "
    } else {
        ""
    };
    let mut description = format!("Release: {}", row.release_label());
    if !row.artists.is_empty() {
        let _ = write!(description, "\nArtist: {}", row.artists);
    }
    let _ = match (m.status, m.done_on) {
        (MilestoneStatus::Done, Some(day)) => write!(description, "\nStatus: done on {day}"),
        (status, _) => write!(description, "\nStatus: {}", status.label().to_lowercase()),
    };
    if !m.owner.is_empty() {
        let _ = write!(description, "\nOwner: {}", m.owner);
    }
    if !m.notes.is_empty() {
        let _ = write!(description, "\n\n{}", m.notes);
    }
    CalendarEvent {
        uid: format!("{}@{catalog_id}", m.id),
        date: m.due,
        summary: format!("{done}{}: {}", row.release_label(), m.title()),
        description,
        sequence: m.sequence,
        cancelled: m.status == MilestoneStatus::Skipped,
    }
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks (CRLF, CR or LF become
/// `\n`); other control characters, which TEXT does not allow, are dropped.
#[must_use]
pub fn escape_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line: physical lines of at most [`MAX_LINE_OCTETS`] octets (a
/// continuation's leading space included), joined by CRLF + space, never inside a UTF-8
/// character. No trailing CRLF.
#[must_use]
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 24);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out
}

fn stamp_text(stamp: DateTime<Utc>) -> String {
    stamp.format("%Y%m%dT%H%M%SZ").to_string()
}

fn date_text(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// The whole calendar as RFC 5545 text (`DTSTAMP` = `stamp`).
#[must_use]
pub fn to_ics(events: &[CalendarEvent], name: &str, stamp: DateTime<Utc>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        format!(
            "PRODID:-//Labeldesk//Labeldesk {}//EN",
            env!("CARGO_PKG_VERSION")
        ),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", escape_text(name)),
    ];
    let stamp = stamp_text(stamp);
    for e in events {
        let end = e.date.checked_add_days(Days::new(1)).unwrap_or(e.date);
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", e.uid),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", date_text(e.date)),
            format!("DTEND;VALUE=DATE:{}", date_text(end)),
            format!("SUMMARY:{}", escape_text(&e.summary)),
            format!("DESCRIPTION:{}", escape_text(&e.description)),
            format!("SEQUENCE:{}", e.sequence),
            format!(
                "STATUS:{}",
                if e.cancelled {
                    "CANCELLED"
                } else {
                    "CONFIRMED"
                }
            ),
            "TRANSP:TRANSPARENT".to_owned(),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in lines {
        out.push_str(&fold_line(&line));
        out.push_str("\r\n");
    }
    out
}

/// The schedule of one release (or of every release) as iCalendar text, with the number of
/// events in it.
///
/// # Errors
/// SQLite failures, or a catalog without its id.
pub fn export(
    conn: &Connection,
    release: Option<ReleaseId>,
    stamp: DateTime<Utc>,
) -> Result<(String, usize), DbError> {
    let catalog_id = planning::catalog_id(conn)?;
    let rows = planning::all_milestones(conn, release)?;
    let events: Vec<CalendarEvent> = rows.iter().map(|r| event(r, &catalog_id)).collect();
    let name = match (release, rows.first()) {
        (Some(_), Some(row)) => format!("{}: release plan", row.release_label()),
        _ => "Labeldesk release plans".to_owned(),
    };
    Ok((to_ics(&events, &name, stamp), events.len()))
}

/// Why `labeldesk calendar` failed.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("no release has the catalog number “{0}”")]
    NoSuchCatno(String),
    #[error(
        "{count} releases share the catalog number “{catno}”: open the app to export one of them"
    )]
    AmbiguousCatno { catno: String, count: usize },
    #[error("could not write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub events: usize,
    /// The catalog number asked for, if one.
    pub catno: Option<String>,
}

impl std::fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.events {
            1 => "1 milestone".to_owned(),
            n => format!("{n} milestones"),
        };
        match &self.catno {
            Some(catno) => write!(f, "wrote {what} of {catno} to {}", self.path.display()),
            None => write!(f, "wrote {what} to {}", self.path.display()),
        }
    }
}

/// Writes `text` to `path` (through a temporary file beside it, so a calendar watching the
/// file never reads half of it).
///
/// # Errors
/// [`CalendarError::Write`] naming the file.
pub fn write_file(path: &Path, text: &str) -> Result<(), CalendarError> {
    let fail = |source| CalendarError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut temp = path.as_os_str().to_owned();
    temp.push(".part");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, text).map_err(fail)?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        fail(e)
    })
}

/// `labeldesk calendar [--db PATH] [--release CATNO] --out FILE.ics`: opens the catalog (never
/// creating one), exports every release's milestones or those of the release with catalog
/// number `catno`, and writes the file.
///
/// # Errors
/// A catalog that cannot be opened, an unknown or shared catalog number, or a failed write.
pub fn export_file(
    db_path: &Path,
    catno: Option<&str>,
    out: &Path,
) -> Result<ExportSummary, CalendarError> {
    let catalog = Catalog::open(db_path)?;
    let conn = catalog.conn();
    let release = match catno {
        None => None,
        Some(catno) => {
            let ids = planning::releases_with_catno(conn, catno)?;
            match ids.as_slice() {
                [] => return Err(CalendarError::NoSuchCatno(catno.trim().to_owned())),
                [one] => Some(*one),
                many => {
                    return Err(CalendarError::AmbiguousCatno {
                        catno: catno.trim().to_owned(),
                        count: many.len(),
                    });
                }
            }
        }
    };
    let (text, events) = export(conn, release, Utc::now())?;
    write_file(out, &text)?;
    Ok(ExportSummary {
        path: out.to_path_buf(),
        events,
        catno: catno.map(|c| c.trim().to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use icalendar::{Component as _, DatePerhapsTime};

    use super::*;
    use crate::model::plan::{default_profiles, plan_release};
    use crate::model::{
        Artist, ArtistRole, CatalogNumber, CatalogNumberId, Format, FormatKind, Release,
        ReleaseArtist, ReleaseCatalogNumber,
    };

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn stamp() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0)
            .single()
            .expect("stamp")
    }

    /// Every physical line is at most 75 octets, ends in CRLF, and is whole UTF-8.
    fn assert_rfc_lines(text: &str) {
        assert!(text.ends_with("\r\n"));
        for line in text.split("\r\n") {
            assert!(
                line.len() <= MAX_LINE_OCTETS,
                "{} octets: {line:?}",
                line.len()
            );
            assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
        }
    }

    #[test]
    fn folding_keeps_multibyte_characters_whole() {
        assert_eq!(fold_line("SHORT:line"), "SHORT:line");
        let exact = "X".repeat(75);
        assert_eq!(fold_line(&exact), exact);
        let ascii = "A".repeat(200);
        let folded = fold_line(&ascii);
        let parts: Vec<&str> = folded.split("\r\n").collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].len(), 75);
        assert_eq!(parts[1].len(), 75);
        assert!(parts[1].starts_with(' '));
        assert_eq!(parts[2], format!(" {}", "A".repeat(200 - 75 - 74)));

        // "é" is 2 octets, "ß" 2, "漢" 3, "🎵" 4: at every offset none is split.
        for prefix in 0..4 {
            for piece in ["é", "漢", "🎵", "aß漢🎵"] {
                let line = format!("SUMMARY:{}{}", "x".repeat(prefix), piece.repeat(60));
                let folded = fold_line(&line);
                for part in folded.split("\r\n") {
                    assert!(part.len() <= 75, "{} octets", part.len());
                }
                let unfolded = folded.replace("\r\n ", "");
                assert_eq!(unfolded, line, "unfolding gives the line back");
                assert_eq!(icalendar::parser::unfold(&folded), line);
            }
        }
        // A 3-octet character that would end at octet 76 moves to the next line whole.
        let line = format!("{}漢", "x".repeat(73));
        assert_eq!(fold_line(&line), format!("{}\r\n 漢", "x".repeat(73)));
    }

    #[test]
    fn text_escaping() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng"
        );
        assert_eq!(escape_text("tab\tok\u{7}bell"), "tab\tokbell");
        assert_eq!(escape_text("Ünloved: 12\" vinyl"), "Ünloved: 12\" vinyl");
    }

    fn seeded() -> (Catalog, ReleaseId) {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let release = catalog
            .write(|tx| {
                let artist = crate::db::artists::insert(tx, &Artist::new("Ünloved, Søren & Co"))?;
                let mut r = Release::new(
                    "Tides; Ebb, Flow \\ Éclat 漢字 🎵 a very long title that needs folding",
                );
                r.release_date = Some(d(2027, 3, 5));
                let id = crate::db::releases::insert(tx, &r)?;
                crate::db::releases::set_artists(
                    tx,
                    id,
                    &[ReleaseArtist {
                        artist_id: artist,
                        role: ArtistRole::Primary,
                    }],
                )?;
                for kind in [FormatKind::Vinyl12, FormatKind::Digital] {
                    crate::db::formats::insert(tx, &Format::new(id, kind))?;
                }
                crate::db::catnos::insert(
                    tx,
                    id,
                    &ReleaseCatalogNumber {
                        id: CatalogNumberId::UNSAVED,
                        label_id: None,
                        format_id: None,
                        catno: CatalogNumber::parse("HLR020").expect("catno"),
                    },
                )?;
                let mut plan = plan_release(
                    id,
                    &r.title,
                    r.release_date,
                    &[FormatKind::Vinyl12, FormatKind::Digital],
                    &default_profiles(),
                    &[],
                    d(2026, 11, 26),
                )
                .map_err(crate::model::ValidationError::from)?;
                plan[0] = plan[0].clone().marked_done(d(2026, 11, 26));
                plan[0].owner = "Sam; the engineer".into();
                plan[0].notes = "Line one\nLine two, with a comma".into();
                plan[1].status = MilestoneStatus::Skipped;
                for m in &plan {
                    planning::insert(tx, m)?;
                }
                // A second release with a plan of its own.
                let mut other = Release::new("Other");
                other.release_date = Some(d(2027, 6, 4));
                let other = crate::db::releases::insert(tx, &other)?;
                planning::insert(
                    tx,
                    &crate::model::Milestone::new(other, "Artwork final", d(2027, 4, 2)),
                )?;
                Ok(id)
            })
            .expect("seed");
        (catalog, release)
    }

    #[test]
    fn the_export_parses_back_with_the_same_events() {
        let (mut catalog, release) = seeded();
        // Change one milestone twice: its SEQUENCE is 2.
        let changed = planning::list_for_release(catalog.conn(), release).expect("plan")[2].clone();
        catalog
            .write(|tx| {
                planning::update(tx, &changed)?;
                planning::update(tx, &changed)
            })
            .expect("update");

        let conn = catalog.conn();
        let catalog_id = planning::catalog_id(conn).expect("catalog id");
        let (text, count) = export(conn, Some(release), stamp()).expect("export");
        assert_eq!(count, 13);
        assert_rfc_lines(&text);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Labeldesk//"));
        assert!(text.contains("DTSTART;VALUE=DATE:20261127\r\n"), "{text}");

        let expected: Vec<CalendarEvent> = planning::all_milestones(conn, Some(release))
            .expect("rows")
            .iter()
            .map(|r| event(r, &catalog_id))
            .collect();
        let parsed: icalendar::Calendar = text.parse().expect("an independent parser reads it");
        let events: Vec<&icalendar::Event> = parsed
            .components
            .iter()
            .filter_map(|c| c.as_event())
            .collect();
        assert_eq!(events.len(), expected.len());
        for (got, want) in events.iter().zip(&expected) {
            assert_eq!(got.get_uid(), Some(want.uid.as_str()));
            assert_eq!(got.get_summary(), Some(want.summary.as_str()));
            assert_eq!(got.get_description(), Some(want.description.as_str()));
            assert_eq!(got.get_sequence(), Some(want.sequence));
            assert_eq!(got.get_start(), Some(DatePerhapsTime::Date(want.date)));
            assert_eq!(
                got.get_end(),
                Some(DatePerhapsTime::Date(want.date + Days::new(1)))
            );
            let status = got.property_value("STATUS");
            assert_eq!(
                status,
                Some(if want.cancelled {
                    "CANCELLED"
                } else {
                    "CONFIRMED"
                })
            );
            assert_eq!(got.property_value("DTSTAMP"), Some("20261126T093000Z"));
        }
        let ids: Vec<String> = planning::list_for_release(conn, release)
            .expect("plan")
            .iter()
            .map(|m| format!("{}@{catalog_id}", m.id))
            .collect();
        for event in &events {
            assert!(ids.iter().any(|id| Some(id.as_str()) == event.get_uid()));
        }
        let first = events[0];
        assert_eq!(
            first.get_summary(),
            Some(
                "Done: HLR020 Tides; Ebb, Flow \\ Éclat 漢字 🎵 a very long title that needs folding: Masters final (12\" vinyl)"
            )
        );
        assert_eq!(
            first.get_description(),
            Some(
                "Release: HLR020 Tides; Ebb, Flow \\ Éclat 漢字 🎵 a very long title that needs folding\nArtist: Ünloved, Søren & Co\nStatus: done on 2026-11-26\nOwner: Sam; the engineer\n\nLine one\nLine two, with a comma"
            )
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| e.get_sequence() == Some(2))
                .count(),
            1
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| e.property_value("STATUS") == Some("CANCELLED"))
                .count(),
            1
        );

        // All releases: both plans, the other one's event included.
        let (all, count) = export(conn, None, stamp()).expect("export all");
        assert_eq!(count, 14);
        let parsed: icalendar::Calendar = all.parse().expect("parse");
        assert_eq!(
            parsed
                .components
                .iter()
                .filter_map(|c| c.as_event())
                .filter(|e| e.get_summary() == Some("Other: Artwork final"))
                .count(),
            1
        );
        // Same data, same text: re-exporting is stable.
        assert_eq!(export(conn, None, stamp()).expect("again").0, all);
    }

    #[test]
    fn export_file_finds_the_release_by_catalog_number() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("catalog.sqlite");
        {
            let (memory, _) = seeded();
            memory
                .conn()
                .backup(
                    rusqlite::MAIN_DB,
                    &db,
                    None::<fn(rusqlite::backup::Progress)>,
                )
                .expect("copy to a file");
        }
        let out = dir.path().join("plan.ics");
        let summary = export_file(&db, Some(" hlr020 "), &out).expect("export");
        assert_eq!(summary.events, 13);
        assert_eq!(
            summary.to_string(),
            format!("wrote 13 milestones of hlr020 to {}", out.display())
        );
        let text = std::fs::read_to_string(&out).expect("read");
        assert_rfc_lines(&text);
        assert!(!dir.path().join("plan.ics.part").exists());

        let all = export_file(&db, None, &out).expect("export all");
        assert_eq!(all.events, 14);
        assert!(matches!(
            export_file(&db, Some("XYZ999"), &out),
            Err(CalendarError::NoSuchCatno(c)) if c == "XYZ999"
        ));
        let missing = dir.path().join("nope.sqlite");
        assert!(matches!(
            export_file(&missing, None, &out),
            Err(CalendarError::Db(DbError::NotFound { .. }))
        ));
        assert!(!missing.exists(), "never creates a catalog");
        let err = export_file(&db, None, &dir.path().join("no/such/folder/x.ics"))
            .expect_err("unwritable");
        assert!(err.to_string().starts_with("could not write"), "{err}");
    }
}
