//! The owner's own spreadsheet, saved as CSV: any columns, one row per track or one row per
//! release (or per format). This is how most labels arrive.
//!
//! Steps, each one a function the UI calls: [`read_table`] (delimiter sniffed: comma,
//! semicolon or tab; UTF-8 with or without BOM), [`suggest_mapping`] from the header names,
//! the user adjusts the [`ColumnMapping`] (serde, so it can be saved under a name), then
//! [`preview`] shows the first rows as read and the problems, and [`plan`] groups the rows
//! into releases by catalog number (or by artist and title when there is none).
//!
//! Rows that only carry track columns belong to the release above them, so a sheet that fills
//! in the release cells on its first track row only reads right too.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;

use super::import::{
    ImportError, ImportPlan, Location, PlanCatno, PlanCredit, PlanRelease, Problem, display_name,
    join_notes, name_key,
};
use crate::jobs::JobControl;
use crate::model::{
    Artist, ArtistRole, Barcode, CatalogNumber, Currency, Format, FormatKind, Isrc, Label, Money,
    Release, ReleaseId, ReleaseStatus, ReleaseType, Track, TrackDuration,
};

/// Largest spreadsheet read (a catalog of tens of thousands of tracks is a few MB).
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// What a column can hold.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    CatalogNumber,
    Label,
    Artist,
    Title,
    ReleaseType,
    Status,
    ReleaseDate,
    Format,
    Barcode,
    Price,
    Currency,
    TrackTitle,
    Position,
    Disc,
    Duration,
    Isrc,
    Notes,
}

impl Field {
    /// Every field, in the order the mapping editor lists them.
    pub const ALL: &[Self] = &[
        Self::CatalogNumber,
        Self::Label,
        Self::Artist,
        Self::Title,
        Self::ReleaseType,
        Self::Status,
        Self::ReleaseDate,
        Self::Format,
        Self::Barcode,
        Self::Price,
        Self::Currency,
        Self::TrackTitle,
        Self::Position,
        Self::Disc,
        Self::Duration,
        Self::Isrc,
        Self::Notes,
    ];

    /// The name shown to the user.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::CatalogNumber => "Catalog number",
            Self::Label => "Label",
            Self::Artist => "Artist",
            Self::Title => "Title",
            Self::ReleaseType => "Release type",
            Self::Status => "Status",
            Self::ReleaseDate => "Release date",
            Self::Format => "Format",
            Self::Barcode => "Barcode (UPC/EAN)",
            Self::Price => "Price",
            Self::Currency => "Currency",
            Self::TrackTitle => "Track title",
            Self::Position => "Position",
            Self::Disc => "Disc",
            Self::Duration => "Duration",
            Self::Isrc => "ISRC",
            Self::Notes => "Notes",
        }
    }

    /// Header names (lowercase, letters, digits and `#` only) that suggest this field, best first.
    const fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::CatalogNumber => &[
                "catno",
                "catalognumber",
                "cataloguenumber",
                "catalogno",
                "catalogueno",
                "catalog#",
                "catalogue#",
                "cat#",
                "catnumber",
                "catalog",
                "catalogue",
            ],
            Self::Label => &["label", "labelname", "recordlabel", "imprint"],
            Self::Artist => &[
                "artist",
                "artistname",
                "artists",
                "mainartist",
                "albumartist",
                "releaseartist",
                "band",
                "performer",
            ],
            Self::Title => &[
                "releasetitle",
                "albumtitle",
                "album",
                "release",
                "releasename",
                "albumname",
                "record",
                "title",
            ],
            Self::ReleaseType => &["releasetype", "type", "albumtype"],
            Self::Status => &["status", "releasestatus", "stage"],
            Self::ReleaseDate => &["releasedate", "date", "released", "year"],
            Self::Format => &["format", "formats", "medium", "media", "configuration"],
            Self::Barcode => &[
                "barcode", "upc", "ean", "upcean", "eanupc", "ean13", "upca", "gtin",
            ],
            Self::Price => &["price", "retailprice", "ppd", "rrp", "srp", "msrp"],
            Self::Currency => &["currency"],
            Self::TrackTitle => &[
                "tracktitle",
                "track",
                "trackname",
                "song",
                "songtitle",
                "songname",
                "tracks",
            ],
            Self::Position => &[
                "position",
                "pos",
                "#",
                "track#",
                "trackno",
                "tracknumber",
                "tracknum",
                "no",
                "number",
            ],
            Self::Disc => &[
                "disc",
                "disk",
                "discno",
                "discnumber",
                "diskno",
                "disknumber",
            ],
            Self::Duration => &[
                "duration",
                "length",
                "time",
                "runtime",
                "tracklength",
                "trackduration",
            ],
            Self::Isrc => &["isrc", "isrccode"],
            Self::Notes => &["notes", "note", "comments", "comment"],
        }
    }
}

/// Which column holds which field, by header name; saved by the UI under a name so the next
/// spreadsheet of the same shape maps itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ColumnMapping {
    /// Field → header name as written in the file.
    pub columns: BTreeMap<Field, String>,
    /// The currency of prices when no currency column is mapped (or its cell is empty).
    pub currency: Currency,
}

impl ColumnMapping {
    /// The header mapped to `field`, if any.
    #[must_use]
    pub fn column(&self, field: Field) -> Option<&str> {
        self.columns.get(&field).map(String::as_str)
    }

    /// Maps `field` to the column `header`, or unmaps it with `None`.
    pub fn set(&mut self, field: Field, header: Option<&str>) {
        match header {
            Some(h) => {
                self.columns.insert(field, h.to_owned());
            }
            None => {
                self.columns.remove(&field);
            }
        }
    }
}

impl ColumnMapping {
    /// The mapping as the JSON kept in the catalog's `import_mappings` table.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// A mapping saved by [`Self::to_json`]; `None` when the JSON is not a mapping.
    #[must_use]
    pub fn from_json(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }

    /// Whether every column this mapping names is among `headers` (compared as
    /// [`plan`] compares them: trimmed, then case-insensitively) and the required fields are
    /// mapped: a saved mapping that fits a sheet can be applied to it as it is.
    #[must_use]
    pub fn fits(&self, headers: &[String]) -> bool {
        REQUIRED.iter().all(|f| self.columns.contains_key(f))
            && self.columns.values().all(|wanted| {
                let wanted = wanted.trim().to_lowercase();
                headers.iter().any(|h| h.trim().to_lowercase() == wanted)
            })
    }

    /// The index among `headers` of the column mapped to `field`.
    #[must_use]
    pub fn column_index(&self, field: Field, headers: &[String]) -> Option<usize> {
        let wanted = self.column(field)?.trim();
        headers.iter().position(|h| h.trim() == wanted).or_else(|| {
            let wanted = wanted.to_lowercase();
            headers
                .iter()
                .position(|h| h.trim().to_lowercase() == wanted)
        })
    }
}

/// Of the `saved` (name, mapping) pairs, the one to apply to a sheet with these `headers`:
/// among those that [fit](ColumnMapping::fits), the one that maps the most columns (the first
/// by name on a tie). `None` when none fits.
#[must_use]
pub fn best_saved<'a>(
    headers: &[String],
    saved: &'a [(String, ColumnMapping)],
) -> Option<&'a (String, ColumnMapping)> {
    saved.iter().filter(|(_, m)| m.fits(headers)).fold(
        None,
        |best: Option<&(String, ColumnMapping)>, candidate| match best {
            Some(b) if b.1.columns.len() >= candidate.1.columns.len() => Some(b),
            _ => Some(candidate),
        },
    )
}

/// A spreadsheet in the import preview: the sheet as read, the mapping it is read through
/// (which the user can change), the saved mappings to choose from, and why the sheet cannot
/// be read through this mapping, if it cannot.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub table: std::sync::Arc<Table>,
    pub mapping: ColumnMapping,
    /// The name of the saved mapping in use, while it is unchanged.
    pub applied: Option<String>,
    /// Every saved mapping, by name.
    pub saved: Vec<(String, ColumnMapping)>,
    /// E.g. "No column holds the title": nothing can be imported until it is mapped.
    pub error: Option<String>,
}

/// Fields a spreadsheet must have a column for.
pub const REQUIRED: &[Field] = &[Field::Title];

/// Header text reduced to what the aliases are written in: `"Catalogue #"` → `catalogue#`.
fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '#')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Suggests a mapping from the header names ("Cat No", "Catalogue #" → catalog number;
/// "Album"/"Release"/"Title" → title; "Track" → track title; "#" → position; "UPC"/"EAN" →
/// barcode…). A plain "Title" beside an "Album" or "Release" column is the track title.
#[must_use]
pub fn suggest_mapping(headers: &[String]) -> ColumnMapping {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let mut used = vec![false; headers.len()];
    let mut mapping = ColumnMapping::default();
    // Specific fields first, so "Track #" goes to position before "Track" is considered.
    let order = [
        Field::CatalogNumber,
        Field::Position,
        Field::TrackTitle,
        Field::ReleaseDate,
        Field::ReleaseType,
        Field::Status,
        Field::Label,
        Field::Artist,
        Field::Title,
        Field::Format,
        Field::Barcode,
        Field::Price,
        Field::Currency,
        Field::Disc,
        Field::Duration,
        Field::Isrc,
        Field::Notes,
    ];
    for field in order {
        'aliases: for alias in field.aliases() {
            for (i, key) in keys.iter().enumerate() {
                if !used[i] && key == alias {
                    used[i] = true;
                    mapping.columns.insert(field, headers[i].clone());
                    break 'aliases;
                }
            }
        }
    }
    // "Album" + "Title" (and no track column): the title is the track's.
    if mapping.column(Field::TrackTitle).is_none()
        && let Some(title_header) = mapping.column(Field::Title).map(str::to_owned)
        && header_key(&title_header) != "title"
        && let Some(i) = keys.iter().position(|k| k == "title")
    {
        mapping
            .columns
            .insert(Field::TrackTitle, headers[i].clone());
    }
    mapping
}

/// A spreadsheet as read: header and rows of text cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file's name, for messages.
    pub file: String,
    /// The delimiter found: `,`, `;` or tab.
    pub delimiter: u8,
    /// The header row.
    pub headers: Vec<String>,
    /// The data rows that have as many cells as the header.
    pub rows: Vec<TableRow>,
    /// Rows left out (wrong number of cells), by line.
    pub problems: Vec<Problem>,
}

/// One data row and the line it starts on (1-based, the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    pub line: u64,
    pub cells: Vec<String>,
}

/// The delimiter of a CSV text: whichever of comma, semicolon and tab appears most often
/// outside quotes in the header line (comma on a tie).
#[must_use]
pub fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [0_usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

/// Reads a spreadsheet file.
///
/// # Errors
/// [`ImportError::Io`] when it cannot be read, [`ImportError::Malformed`] (naming the line)
/// when it is not UTF-8 text or has no header row.
pub fn read_table(path: &Path) -> Result<Table, ImportError> {
    let shown = path.display().to_string();
    let io = |source| ImportError::Io {
        path: shown.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_BYTES {
        return Err(ImportError::NotRecognised {
            path: shown,
            reason: format!(
                "it is {} MB; spreadsheets up to {} MB can be read",
                size / (1024 * 1024),
                MAX_BYTES / (1024 * 1024)
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    parse_table(&bytes, &display_name(path))
}

/// Reads spreadsheet text (UTF-8, an optional byte-order mark is skipped).
///
/// # Errors
/// As [`read_table`].
pub fn parse_table(bytes: &[u8], file: &str) -> Result<Table, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = std::str::from_utf8(&bytes[..e.valid_up_to()])
            .map_or(0, |t| t.matches('\n').count())
            + 1;
        ImportError::Malformed {
            at: Location::line(file, line as u64),
            reason:
                "the text is not UTF-8: save the spreadsheet as “CSV UTF-8” and import it again"
                    .to_owned(),
        }
    })?;
    let delimiter = sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Malformed {
            at: Location::line(file, e.position().map_or(0, csv::Position::line)),
            reason: format!("the row cannot be read ({e})"),
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let Some(header) = &headers else {
            headers = Some(
                cells
                    .iter()
                    .enumerate()
                    .map(|(i, h)| {
                        if h.is_empty() {
                            format!("Column {}", i + 1)
                        } else {
                            h.clone()
                        }
                    })
                    .collect(),
            );
            continue;
        };
        if cells.len() == header.len() {
            rows.push(TableRow { line, cells });
        } else {
            problems.push(Problem::new(
                &Location::line(file, line),
                "row",
                format!(
                    "the row has {} cells but the header has {} columns (a missing or unquoted {}?): the row was left out",
                    cells.len(),
                    header.len(),
                    delimiter_name(delimiter)
                ),
            ));
        }
    }
    let Some(headers) = headers else {
        return Err(ImportError::Malformed {
            at: Location::file(file),
            reason: "the file is empty: a spreadsheet needs a header row naming its columns"
                .to_owned(),
        });
    };
    Ok(Table {
        file: file.to_owned(),
        delimiter,
        headers,
        rows,
        problems,
    })
}

fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    }
}

/// True for a `.csv`, `.tsv` or `.txt` file whose first line names at least two columns.
#[must_use]
pub fn looks_like_spreadsheet(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(ext.as_str(), "csv" | "tsv" | "txt") {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::new();
    if std::io::Read::read_to_end(&mut std::io::Read::take(file, 64 * 1024), &mut head).is_err() {
        return false;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut at the 64 KB boundary is fine.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    let delimiter = char::from(sniff_delimiter(text));
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|h| h.contains(delimiter))
}

/// One row as the mapping reads it: what the preview shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedRow {
    pub line: u64,
    pub catalog_number: Option<CatalogNumber>,
    pub label: String,
    pub artist: String,
    pub title: String,
    pub release_type: Option<ReleaseType>,
    pub status: Option<ReleaseStatus>,
    pub release_date: Option<NaiveDate>,
    /// A date given only in part (`2019`), or text that is not a date: goes to the notes.
    pub release_date_text: String,
    /// Medium, discs and variant read from the format cell.
    pub format: Option<(FormatKind, u16, String)>,
    pub barcode: Option<Barcode>,
    pub price: Option<Money>,
    pub track_title: String,
    pub position: String,
    pub disc: Option<u16>,
    pub duration: Option<TrackDuration>,
    pub isrc: Option<Isrc>,
    pub notes: String,
}

impl ParsedRow {
    fn has_release_cells(&self) -> bool {
        self.catalog_number.is_some() || !self.artist.is_empty() || !self.title.is_empty()
    }

    fn has_track_cells(&self) -> bool {
        !self.track_title.is_empty()
            || !self.position.is_empty()
            || self.duration.is_some()
            || self.isrc.is_some()
    }
}

/// The first rows as read, with every problem the whole sheet has.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpreadsheetPreview {
    pub rows: Vec<ParsedRow>,
    pub problems: Vec<Problem>,
    /// Data rows in the file (the preview shows at most the number asked for).
    pub total_rows: usize,
}

/// Reads a format cell: `LP`, `2xLP`, `2×12"`, `12" vinyl`, `7"`, `10"`, `CD`, `2CD`, `CDr`,
/// `Cassette`/`Tape`/`MC`, `Digital`/`Download`/`File`/`Streaming`/`MP3`/`FLAC`. Anything
/// else is "other" with the text as variant.
#[must_use]
pub fn parse_format(cell: &str) -> Option<(FormatKind, u16, String)> {
    let text = cell.trim();
    if text.is_empty() {
        return None;
    }
    let lower = text.to_lowercase();
    // A leading count: "2xLP", "2 x 12\"", "2×CD", "2LP", "2CD".
    let digits: String = lower.chars().take_while(char::is_ascii_digit).collect();
    let after = lower[digits.len()..].trim_start();
    let (count, rest) = match after
        .strip_prefix('x')
        .or_else(|| after.strip_prefix('×'))
        .map(str::trim_start)
    {
        Some(rest) if !digits.is_empty() => (digits.parse::<u16>().ok(), rest.to_owned()),
        _ if !digits.is_empty() && (after.starts_with("lp") || after.starts_with("cd")) => {
            (digits.parse::<u16>().ok(), after.to_owned())
        }
        _ => (None, lower.clone()),
    };
    let has = |w: &str| rest.contains(w);
    let kind = if has("12\"")
        || has("12 inch")
        || has("12in")
        || has("lp")
        || rest == "vinyl"
        || has("12''")
    {
        Some(FormatKind::Vinyl12)
    } else if has("10\"") || has("10 inch") || has("10in") || has("10''") {
        Some(FormatKind::Vinyl10)
    } else if has("7\"") || has("7 inch") || has("7in") || has("7''") {
        Some(FormatKind::Vinyl7)
    } else if has("cd") {
        Some(FormatKind::Cd)
    } else if has("cassette") || has("tape") || rest == "mc" {
        Some(FormatKind::Cassette)
    } else if [
        "digital",
        "download",
        "file",
        "streaming",
        "mp3",
        "flac",
        "wav",
    ]
    .iter()
    .any(|w| has(w))
    {
        Some(FormatKind::Digital)
    } else {
        FormatKind::from_code(text).ok()
    };
    Some(match kind {
        Some(kind) => {
            let variant = if rest.contains("cdr") {
                "CDr".to_owned()
            } else {
                String::new()
            };
            (kind, count.unwrap_or(1), variant)
        }
        None => (FormatKind::Other, 1, text.to_owned()),
    })
}

fn parse_release_type(cell: &str) -> Option<ReleaseType> {
    let lower = cell.trim().to_lowercase();
    match lower.as_str() {
        "lp" | "full length" | "full-length" => Some(ReleaseType::Album),
        "comp" | "various" | "va" => Some(ReleaseType::Compilation),
        _ => ReleaseType::from_code(&lower).ok(),
    }
}

fn parse_status(cell: &str) -> Option<ReleaseStatus> {
    let lower = cell.trim().to_lowercase();
    match lower.as_str() {
        "out" | "available" | "in print" | "live" => Some(ReleaseStatus::Released),
        "upcoming" | "scheduled" => Some(ReleaseStatus::Planned),
        "oop" | "deleted" | "sold out" => Some(ReleaseStatus::OutOfPrint),
        _ => ReleaseStatus::from_code(&lower).ok(),
    }
}

/// A date cell: `2024-03-01`, `2024/03/01` or `2024.03.01`; `2024` or `2024-03` is kept as text.
fn parse_date_cell(cell: &str) -> Result<Option<NaiveDate>, ()> {
    let text = cell.trim();
    for pattern in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(text, pattern) {
            return Ok(Some(d));
        }
    }
    let partial = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit())
        || text.len() == 7
            && text[..4].bytes().all(|b| b.is_ascii_digit())
            && matches!(text.as_bytes()[4], b'-' | b'/')
            && text[5..].bytes().all(|b| b.is_ascii_digit());
    if partial { Ok(None) } else { Err(()) }
}

/// Column indexes of the mapped fields, checked against the header.
fn resolve(table: &Table, mapping: &ColumnMapping) -> Result<HashMap<Field, usize>, ImportError> {
    let found = table.headers.join(", ");
    let mut columns = HashMap::new();
    for (&field, header) in &mapping.columns {
        let wanted = header.trim();
        let index = table
            .headers
            .iter()
            .position(|h| h.trim() == wanted)
            .or_else(|| {
                table
                    .headers
                    .iter()
                    .position(|h| h.trim().to_lowercase() == wanted.to_lowercase())
            })
            .ok_or_else(|| ImportError::MissingColumn {
                file: table.file.clone(),
                column: wanted.to_owned(),
                found: found.clone(),
            })?;
        columns.insert(field, index);
    }
    for &field in REQUIRED {
        if !columns.contains_key(&field) {
            return Err(ImportError::MissingColumn {
                file: table.file.clone(),
                column: field.label().to_owned(),
                found,
            });
        }
    }
    Ok(columns)
}

/// Reads one row through the mapping; problems name the line and field.
fn parse_row(
    row: &TableRow,
    columns: &HashMap<Field, usize>,
    mapping: &ColumnMapping,
    file: &str,
    problems: &mut Vec<Problem>,
) -> ParsedRow {
    let at = Location::line(file, row.line);
    let cell = |field: Field| {
        columns
            .get(&field)
            .and_then(|&i| row.cells.get(i))
            .map_or("", |c| c.trim())
    };
    let mut parsed = ParsedRow {
        line: row.line,
        label: cell(Field::Label).to_owned(),
        artist: cell(Field::Artist).to_owned(),
        title: cell(Field::Title).to_owned(),
        track_title: cell(Field::TrackTitle).to_owned(),
        position: cell(Field::Position).to_owned(),
        notes: cell(Field::Notes).to_owned(),
        ..ParsedRow::default()
    };
    let text = cell(Field::CatalogNumber);
    if !text.is_empty() {
        match CatalogNumber::parse(text) {
            Ok(c) => parsed.catalog_number = Some(c),
            Err(e) => problems.push(Problem::invalid(&at, &e)),
        }
    }
    let text = cell(Field::ReleaseType);
    if !text.is_empty() {
        parsed.release_type = parse_release_type(text);
        if parsed.release_type.is_none() {
            problems.push(Problem::new(
                &at,
                "release type",
                format!("release type “{text}” is not album, EP, single, compilation, live, mixtape or other: left as album"),
            ));
        }
    }
    let text = cell(Field::Status);
    if !text.is_empty() {
        parsed.status = parse_status(text);
        if parsed.status.is_none() {
            problems.push(Problem::new(
                &at,
                "status",
                format!("status “{text}” is not idea, planned, in production, released or out of print: set from the release date"),
            ));
        }
    }
    let text = cell(Field::ReleaseDate);
    if !text.is_empty() {
        match parse_date_cell(text) {
            Ok(Some(d)) => parsed.release_date = Some(d),
            Ok(None) => parsed.release_date_text = text.to_owned(),
            Err(()) => {
                parsed.release_date_text = text.to_owned();
                problems.push(Problem::new(
                    &at,
                    "release date",
                    format!("“{text}” is not a date (use YYYY-MM-DD): kept in the notes"),
                ));
            }
        }
    }
    parsed.format = parse_format(cell(Field::Format));
    let text = cell(Field::Barcode);
    if !text.is_empty() {
        match Barcode::parse(text) {
            Ok(b) => parsed.barcode = Some(b),
            Err(e) => problems.push(Problem::new(&at, "barcode", format!("{e}: left out"))),
        }
    }
    let text = cell(Field::Price);
    if !text.is_empty() {
        let currency_cell = cell(Field::Currency);
        let currency = if currency_cell.is_empty() {
            Ok(mapping.currency)
        } else {
            Currency::parse(currency_cell)
        };
        match currency.and_then(|c| Money::parse(text, c)) {
            Ok(m) if m.is_negative() => problems.push(Problem::new(
                &at,
                "price",
                format!("price “{text}” is negative: left out"),
            )),
            Ok(m) => parsed.price = Some(m),
            Err(e) => problems.push(Problem::new(&at, e.field(), format!("{e}: left out"))),
        }
    }
    let text = cell(Field::Disc);
    if !text.is_empty() {
        match text.parse::<u16>() {
            Ok(d) if (1..=crate::model::entities::MAX_DISCS).contains(&d) => parsed.disc = Some(d),
            _ => problems.push(Problem::new(
                &at,
                "disc",
                format!("disc “{text}” is not a number from 1 to 99: disc 1 used"),
            )),
        }
    }
    let text = cell(Field::Duration);
    if !text.is_empty() {
        match TrackDuration::parse(text) {
            Ok(d) => parsed.duration = Some(d),
            Err(e) => problems.push(Problem::new(&at, "duration", format!("{e}: left empty"))),
        }
    }
    let text = cell(Field::Isrc);
    if !text.is_empty() {
        match Isrc::parse(text) {
            Ok(i) => parsed.isrc = Some(i),
            Err(e) => {
                problems.push(Problem::new(
                    &at,
                    "ISRC",
                    format!("{e}: left out of the ISRC field (kept in the track's notes)"),
                ));
                parsed.notes = join_notes(&parsed.notes, &format!("ISRC as given: {text}"));
            }
        }
    }
    parsed
}

/// The first `limit` rows read through `mapping`, and the problems of the whole sheet.
///
/// # Errors
/// [`ImportError::MissingColumn`] when a required field has no column or a mapped column is
/// not in the file.
pub fn preview(
    table: &Table,
    mapping: &ColumnMapping,
    limit: usize,
) -> Result<SpreadsheetPreview, ImportError> {
    let columns = resolve(table, mapping)?;
    let mut problems = table.problems.clone();
    let mut rows = Vec::new();
    for row in &table.rows {
        let parsed = parse_row(row, &columns, mapping, &table.file, &mut problems);
        if rows.len() < limit {
            rows.push(parsed);
        }
    }
    problems.sort_by_key(|p| match p.at.place {
        super::import::Place::Line(n) => n,
        _ => 0,
    });
    Ok(SpreadsheetPreview {
        rows,
        problems,
        total_rows: table.rows.len(),
    })
}

/// A release being gathered from its rows.
struct Group {
    planned: PlanRelease,
    /// Line each release-level value came from, for conflict messages.
    title_line: u64,
    artist: String,
    date_text: String,
    status: Option<ReleaseStatus>,
}

/// Groups the rows into releases (by catalog number and label, else by artist and title) and
/// builds the import plan.
///
/// # Errors
/// [`ImportError::MissingColumn`] (nothing is read then), [`ImportError::Cancelled`].
pub fn plan(
    table: &Table,
    mapping: &ColumnMapping,
    control: &JobControl,
) -> Result<ImportPlan, ImportError> {
    let columns = resolve(table, mapping)?;
    let file = table.file.as_str();
    let mut plan = ImportPlan::new(file);
    plan.problems.extend(table.problems.iter().cloned());
    control.set_stage("Reading the spreadsheet");
    control.set_total(table.rows.len() as u64);
    control.set_done(0);
    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut last: Option<usize> = None;
    for (n, row) in table.rows.iter().enumerate() {
        if n % 256 == 0 {
            control.check()?;
        }
        control.advance(1);
        let mut problems = Vec::new();
        let parsed = parse_row(row, &columns, mapping, file, &mut problems);
        plan.problems.append(&mut problems);
        let at = Location::line(file, row.line);
        let label_key = if parsed.label.is_empty() {
            None
        } else {
            plan.add_label(Label::new(parsed.label.clone()), &at)
        };
        let group = if parsed.has_release_cells() {
            let key = match &parsed.catalog_number {
                Some(c) => format!(
                    "catno\u{1f}{}\u{1f}{}",
                    c.as_str().to_lowercase(),
                    label_key.clone().unwrap_or_default()
                ),
                None => format!(
                    "title\u{1f}{}\u{1f}{}",
                    name_key(&parsed.artist),
                    name_key(&parsed.title)
                ),
            };
            *by_key.entry(key).or_insert_with(|| {
                groups.push(Group {
                    planned: PlanRelease::new(at.clone(), Release::new("")),
                    title_line: row.line,
                    artist: String::new(),
                    date_text: String::new(),
                    status: None,
                });
                groups.len() - 1
            })
        } else if parsed.has_track_cells() {
            if let Some(i) = last {
                i
            } else {
                plan.problem(
                    &at,
                    "title",
                    "a track row before any release row (no catalog number, artist or title): left out",
                );
                continue;
            }
        } else {
            continue;
        };
        last = Some(group);
        add_row(&mut plan, &mut groups[group], parsed, label_key, &at);
    }
    let today = chrono::Local::now().date_naive();
    for group in groups {
        let mut planned = group.planned;
        // Without a status column: released, or planned when its date is still to come.
        planned.release.status = group.status.unwrap_or(match planned.release.release_date {
            Some(date) if date > today => ReleaseStatus::Planned,
            _ => ReleaseStatus::Released,
        });
        if !group.date_text.is_empty() {
            planned.release.notes = join_notes(
                &planned.release.notes,
                &format!("Released: {}", group.date_text),
            );
        }
        plan.push_release(planned);
    }
    Ok(plan)
}

fn add_row(
    plan: &mut ImportPlan,
    group: &mut Group,
    row: ParsedRow,
    label: Option<String>,
    at: &Location,
) {
    let planned = &mut group.planned;
    let conflict = |plan: &mut ImportPlan, field: &str, theirs: &str, ours: &str, line: u64| {
        plan.problem(
            at,
            field,
            format!("{field} “{theirs}” differs from “{ours}” on line {line} of the same release: “{ours}” kept"),
        );
    };
    if !row.title.is_empty() {
        if planned.release.title.is_empty() {
            planned.release.title.clone_from(&row.title);
            group.title_line = row.line;
        } else if name_key(&planned.release.title) != name_key(&row.title) {
            let ours = planned.release.title.clone();
            conflict(plan, "title", &row.title, &ours, group.title_line);
        }
    }
    if !row.artist.is_empty() {
        if group.artist.is_empty() {
            group.artist.clone_from(&row.artist);
            if let Some(key) = plan.add_artist(Artist::new(row.artist.clone()), at) {
                planned.credits.push(PlanCredit {
                    artist: key,
                    role: ArtistRole::Primary,
                });
            }
        } else if name_key(&group.artist) != name_key(&row.artist) {
            let ours = group.artist.clone();
            conflict(plan, "artist", &row.artist, &ours, group.title_line);
        }
    }
    if planned.label.is_none() {
        planned.label.clone_from(&label);
    }
    if let Some(t) = row.release_type {
        planned.release.release_type = t;
    }
    if row.status.is_some() {
        group.status = row.status;
    }
    if planned.release.release_date.is_none() {
        planned.release.release_date = row.release_date;
    }
    if group.date_text.is_empty() && planned.release.release_date.is_none() {
        group.date_text.clone_from(&row.release_date_text);
    }

    // The row's format: the one it names, or the one its barcode or price belongs to.
    if row.format.is_some() || row.barcode.is_some() || row.price.is_some() {
        let (kind, discs, variant) =
            row.format
                .clone()
                .unwrap_or((FormatKind::Other, 1, String::new()));
        if row.format.is_none() && planned.formats.is_empty() {
            plan.problem(
                at,
                "format",
                "a barcode or price without a format: kept on a format of kind Other (change it in the release editor)",
            );
        }
        let existing = planned.formats.iter().position(|f| {
            let same_code = match (&f.barcode, &row.barcode) {
                (Some(a), Some(b)) => a.same_product(b),
                _ => true,
            };
            let same_kind = row.format.is_none()
                || (f.kind == kind && name_key(&f.variant) == name_key(&variant));
            same_code && same_kind
        });
        let index = existing.unwrap_or_else(|| {
            let mut format = Format::new(ReleaseId::UNSAVED, kind);
            format.discs = discs;
            format.variant.clone_from(&variant);
            planned.formats.push(format);
            planned.formats.len() - 1
        });
        let format = &mut planned.formats[index];
        if format.barcode.is_none() {
            format.barcode.clone_from(&row.barcode);
        }
        if let Some(price) = row.price
            && format.retail_price.is_none()
        {
            format.currency = price.currency;
            format.retail_price = Some(price.minor);
        }
    }
    if let Some(catno) = row.catalog_number.clone()
        && !planned
            .catnos
            .iter()
            .any(|c| c.catno.as_str().eq_ignore_ascii_case(catno.as_str()) && c.label == label)
    {
        planned.catnos.push(PlanCatno {
            catno,
            label,
            format: None,
        });
    }

    if row.track_title.is_empty() {
        if row.has_track_cells() {
            plan.problem(
                at,
                "track title",
                "track cells without a track title: the track was left out",
            );
        } else if !row.notes.is_empty() {
            planned.release.notes = join_notes(&planned.release.notes, &row.notes);
        }
        return;
    }
    let seq = u32::try_from(planned.tracks.len()).unwrap_or(u32::MAX);
    let mut track = Track::new(ReleaseId::UNSAVED, seq, row.track_title.clone());
    if !row.position.is_empty() {
        track.position.clone_from(&row.position);
    }
    track.disc = row.disc.unwrap_or(1);
    track.duration = row.duration;
    track.isrc = row.isrc;
    track.notes = row.notes;
    // One row per track per format repeats each track: keep it once.
    let repeated = planned.tracks.iter().any(|t| {
        t.disc == track.disc
            && t.position.eq_ignore_ascii_case(&track.position)
            && name_key(&t.title) == name_key(&track.title)
    });
    if !repeated {
        planned.tracks.push(track);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn saved_mappings_round_trip_and_the_best_fitting_one_is_chosen() {
        let sheet = headers(&["Release Name", "Band", "Song", "Cat"]);
        let mut narrow = ColumnMapping::default();
        narrow.set(Field::Title, Some("release name"));
        let mut wide = narrow.clone();
        wide.set(Field::Artist, Some("Band"));
        wide.set(Field::TrackTitle, Some("Song"));
        wide.currency = Currency::parse("EUR").unwrap();
        let mut other_shape = wide.clone();
        other_shape.set(Field::Isrc, Some("ISRC"));
        let mut no_title = ColumnMapping::default();
        no_title.set(Field::Artist, Some("Band"));

        assert_eq!(
            ColumnMapping::from_json(&wide.to_json()),
            Some(wide.clone())
        );
        assert_eq!(ColumnMapping::from_json("[1, 2]"), None);
        assert!(narrow.fits(&sheet) && wide.fits(&sheet));
        assert!(
            !other_shape.fits(&sheet),
            "its ISRC column is not in this sheet"
        );
        assert!(
            !no_title.fits(&sheet),
            "a mapping without the title cannot be applied"
        );
        assert_eq!(wide.column_index(Field::TrackTitle, &sheet), Some(2));
        assert_eq!(narrow.column_index(Field::Title, &sheet), Some(0));
        assert_eq!(narrow.column_index(Field::Artist, &sheet), None);

        let saved = vec![
            ("A narrow".to_owned(), narrow.clone()),
            ("B other shop".to_owned(), other_shape),
            ("C wide".to_owned(), wide.clone()),
            ("D no title".to_owned(), no_title),
        ];
        assert_eq!(
            best_saved(&sheet, &saved).map(|(n, _)| n.as_str()),
            Some("C wide")
        );
        assert_eq!(
            best_saved(&sheet, &saved[..2]).map(|(n, _)| n.as_str()),
            Some("A narrow")
        );
        assert_eq!(best_saved(&headers(&["Something", "Else"]), &saved), None);
    }

    #[test]
    fn mapping_is_suggested_from_header_names() {
        let m = suggest_mapping(&headers(&[
            "Catalogue #",
            "Artist",
            "Album",
            "Title",
            "#",
            "Length",
            "ISRC",
            "UPC",
            "Format",
            "Release date",
            "Price",
        ]));
        assert_eq!(m.column(Field::CatalogNumber), Some("Catalogue #"));
        assert_eq!(m.column(Field::Artist), Some("Artist"));
        assert_eq!(m.column(Field::Title), Some("Album"));
        assert_eq!(m.column(Field::TrackTitle), Some("Title"));
        assert_eq!(m.column(Field::Position), Some("#"));
        assert_eq!(m.column(Field::Duration), Some("Length"));
        assert_eq!(m.column(Field::Isrc), Some("ISRC"));
        assert_eq!(m.column(Field::Barcode), Some("UPC"));
        assert_eq!(m.column(Field::Format), Some("Format"));
        assert_eq!(m.column(Field::ReleaseDate), Some("Release date"));
        assert_eq!(m.column(Field::Price), Some("Price"));

        let m = suggest_mapping(&headers(&[
            "Cat No", "Title", "Track", "Track #", "EAN", "Date",
        ]));
        assert_eq!(m.column(Field::CatalogNumber), Some("Cat No"));
        assert_eq!(m.column(Field::Title), Some("Title"));
        assert_eq!(m.column(Field::TrackTitle), Some("Track"));
        assert_eq!(m.column(Field::Position), Some("Track #"));
        assert_eq!(m.column(Field::Barcode), Some("EAN"));
        assert_eq!(m.column(Field::ReleaseDate), Some("Date"));

        let m = suggest_mapping(&headers(&["catno", "Release", "Track title", "Barcode"]));
        assert_eq!(m.column(Field::CatalogNumber), Some("catno"));
        assert_eq!(m.column(Field::Title), Some("Release"));
        assert_eq!(m.column(Field::TrackTitle), Some("Track title"));
        assert_eq!(m.column(Field::Barcode), Some("Barcode"));
        assert_eq!(m.column(Field::Artist), None);
    }

    #[test]
    fn mapping_round_trips_through_json() {
        let mut m = suggest_mapping(&headers(&["Cat No", "Album", "Track"]));
        m.currency = Currency::GBP;
        m.set(Field::Notes, Some("Comments"));
        let json = serde_json::to_string(&m).expect("json");
        assert!(json.contains("\"catalog_number\":\"Cat No\""), "{json}");
        let back: ColumnMapping = serde_json::from_str(&json).expect("back");
        assert_eq!(back, m);
        m.set(Field::Notes, None);
        assert_eq!(m.column(Field::Notes), None);
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter("\n\na;b;\"c,d\"\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("\"x;y\",z"), b',');
        assert_eq!(sniff_delimiter("single"), b',');
    }

    #[test]
    fn formats_read_from_free_text() {
        assert_eq!(
            parse_format("LP"),
            Some((FormatKind::Vinyl12, 1, String::new()))
        );
        assert_eq!(
            parse_format("2xLP"),
            Some((FormatKind::Vinyl12, 2, String::new()))
        );
        assert_eq!(
            parse_format("2×12\""),
            Some((FormatKind::Vinyl12, 2, String::new()))
        );
        assert_eq!(
            parse_format("2CD"),
            Some((FormatKind::Cd, 2, String::new()))
        );
        assert_eq!(
            parse_format("CDr"),
            Some((FormatKind::Cd, 1, "CDr".to_owned()))
        );
        assert_eq!(
            parse_format("7\" single"),
            Some((FormatKind::Vinyl7, 1, String::new()))
        );
        assert_eq!(
            parse_format("10 inch"),
            Some((FormatKind::Vinyl10, 1, String::new()))
        );
        assert_eq!(
            parse_format("Tape"),
            Some((FormatKind::Cassette, 1, String::new()))
        );
        assert_eq!(
            parse_format("Digital"),
            Some((FormatKind::Digital, 1, String::new()))
        );
        assert_eq!(
            parse_format("vinyl12"),
            Some((FormatKind::Vinyl12, 1, String::new()))
        );
        assert_eq!(
            parse_format("USB stick"),
            Some((FormatKind::Other, 1, "USB stick".to_owned()))
        );
        assert_eq!(parse_format(" "), None);
    }

    #[test]
    fn dates_in_cells() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1);
        assert_eq!(parse_date_cell("2024-03-01"), Ok(d));
        assert_eq!(parse_date_cell("2024/03/01"), Ok(d));
        assert_eq!(parse_date_cell("2024"), Ok(None));
        assert_eq!(parse_date_cell("2024-03"), Ok(None));
        assert_eq!(parse_date_cell("01/03/2024"), Err(()));
        assert_eq!(parse_date_cell("soon"), Err(()));
    }
}
