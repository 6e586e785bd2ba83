//! Distributor sales reports into the ledger.
//!
//! A report is read in three steps:
//! 1. [`parse_bytes`] / [`parse_file`] (pure, runs on a background job): the layout is detected
//!    from the header row (DistroKid, TuneCore, CD Baby, Bandcamp, or a column mapping the user
//!    saved under a name), every line is read exactly. Only an unknown layout, missing columns,
//!    or an amount or date that cannot be read refuse the file, naming file, line and column.
//!    A bad identifier never does: it is kept as written and the line flagged.
//! 2. [`prepare`] (reads the catalog): refuses a file imported before (same SHA-256), matches
//!    every line (ISRC, then UPC/EAN in either form, then catalog number, then a remembered
//!    mapping, then artist + title), rounds amounts to the ledger's 10⁻⁸ units (see
//!    `model::ledger`), converts at the rates given, and adds up the control totals per currency.
//!    The resulting [`ImportBatch`] is the preview.
//! 3. One transaction writes the batch: [`commit`] here (CLI, tests), or in the app an undoable
//!    `Change::SalesReport` pushed as an edit, which matches the lines again and writes them in
//!    one transaction on a background job ([`prepare_with`] reports progress and stops on
//!    Cancel), and is remembered as the `Change::SalesImport` it wrote.

pub mod bandcamp;
pub mod cdbaby;
pub mod distrokid;
pub mod generic;
pub mod sha256;
pub mod tunecore;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;

use crate::db::ledger::{self, ImportBatch, ImportTotal, MatchIndex, identifier_flags};
use crate::db::{Catalog, DbError};
use crate::jobs::{Cancelled, JobControl};
use crate::model::ledger::match_key;
use crate::model::{
    AmountError, Channel, Currency, ExactAmount, ImportId, IncomeLine, IncomeLineId, LineFlags,
    LineRounder, Rate, RawIdentifiers,
};

pub use generic::{ColumnMapping, DateOrder};

/// A report layout Labeldesk can read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Layout {
    DistroKid,
    TuneCore,
    CdBaby,
    Bandcamp,
    /// A column mapping the user saved under this name.
    Mapping(String),
}

impl Layout {
    /// What the catalog stores: `distrokid`, …, `mapping:NAME`.
    #[must_use]
    pub fn code(&self) -> String {
        match self {
            Self::DistroKid => "distrokid".to_owned(),
            Self::TuneCore => "tunecore".to_owned(),
            Self::CdBaby => "cdbaby".to_owned(),
            Self::Bandcamp => "bandcamp".to_owned(),
            Self::Mapping(name) => format!("mapping:{name}"),
        }
    }

    /// What the user reads.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::DistroKid => "DistroKid".to_owned(),
            Self::TuneCore => "TuneCore".to_owned(),
            Self::CdBaby => "CD Baby".to_owned(),
            Self::Bandcamp => "Bandcamp".to_owned(),
            Self::Mapping(name) => format!("saved mapping “{name}”"),
        }
    }

    /// The name for a stored layout code.
    #[must_use]
    pub fn name_of_code(code: &str) -> String {
        match code {
            "distrokid" => Self::DistroKid.name(),
            "tunecore" => Self::TuneCore.name(),
            "cdbaby" => Self::CdBaby.name(),
            "bandcamp" => Self::Bandcamp.name(),
            other => other
                .strip_prefix("mapping:")
                .map_or_else(|| other.to_owned(), |n| Self::Mapping(n.to_owned()).name()),
        }
    }
}

/// Why a report was refused. Every message names the file, and for a bad value its line and
/// column; nothing is written when a report is refused.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file} is empty: a sales report starts with a header line. Nothing was imported.")]
    Empty { file: String },
    #[error(
        "{file} is not a text file (it is neither UTF-8 nor UTF-16 text). Nothing was imported."
    )]
    NotText { file: String },
    #[error(
        "{file}: unknown report layout. Line 1 reads “{header}”. Labeldesk reads DistroKid, \
         TuneCore, CD Baby and Bandcamp reports{saved}; for another layout, save a column \
         mapping for it. Nothing was imported."
    )]
    UnknownLayout {
        file: String,
        header: String,
        saved: String,
    },
    #[error(
        "{file}: this looks like a {layout} report, but line 1 lacks the column(s) {missing}. \
         Nothing was imported."
    )]
    MissingColumns {
        file: String,
        layout: String,
        missing: String,
    },
    #[error(
        "{file}, line {line}, column “{column}”: “{value}” is not an amount: {reason}. \
         Nothing was imported."
    )]
    BadAmount {
        file: String,
        line: u64,
        column: String,
        value: String,
        reason: AmountError,
    },
    #[error(
        "{file}, line {line}, column “{column}”: “{value}” is not a date ({expected}). \
         Nothing was imported."
    )]
    BadDate {
        file: String,
        line: u64,
        column: String,
        value: String,
        expected: &'static str,
    },
    #[error(
        "{file}, line {line}, column “{column}”: “{value}” is not {expected}. Nothing was imported."
    )]
    BadValue {
        file: String,
        line: u64,
        column: String,
        value: String,
        expected: &'static str,
    },
    #[error("{file}, line {line}: {detail}. Nothing was imported.")]
    BadRow {
        file: String,
        line: u64,
        detail: String,
    },
    #[error(
        "{file}: the {currency} amounts add up to more than the ledger can hold. Nothing was imported."
    )]
    Overflow { file: String, currency: Currency },
    #[error("exchange rate for {currency}: “{value}” {reason}")]
    BadRate {
        currency: Currency,
        value: String,
        reason: AmountError,
    },
    #[error("saved column mapping “{name}”: {reason}")]
    BadMapping { name: String, reason: String },
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// One line of a report, read exactly, not yet matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLine {
    /// The line of the file (1 = the header).
    pub line_no: u32,
    pub sale_date: NaiveDate,
    /// The month the distributor reported it, `YYYY-MM`.
    pub period: String,
    pub channel: Channel,
    pub territory: String,
    pub source: String,
    pub quantity: i64,
    pub gross: Option<ExactAmount>,
    pub net: ExactAmount,
    pub currency: Currency,
    pub raw: RawIdentifiers,
    /// A physical sale (Bandcamp "package").
    pub physical: bool,
    /// The line is for a whole release rather than one track.
    pub album: bool,
}

/// A report read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedReport {
    pub file_name: String,
    pub sha256: String,
    pub layout: Layout,
    pub lines: Vec<ParsedLine>,
}

/// The column names of a header row, normalised (trimmed, lowercased), with their index.
#[derive(Debug, Clone, Default)]
pub struct Header {
    index: HashMap<String, usize>,
    names: Vec<String>,
}

impl Header {
    fn new(record: &csv::StringRecord) -> Self {
        let names: Vec<String> = record
            .iter()
            .map(|c| c.trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let mut index = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            index.entry(name.to_lowercase()).or_insert(i);
        }
        Self { index, names }
    }

    /// True when the header has this column (case and surrounding spaces ignored).
    #[must_use]
    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(&column.trim().to_lowercase())
    }

    /// The columns of `wanted` that are not in the header.
    #[must_use]
    pub fn missing<'a>(&self, wanted: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        wanted.into_iter().filter(|c| !self.has(c)).collect()
    }

    /// The header's column names as written.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// One data row with what is needed to read its cells and name them in errors.
pub struct Row<'a> {
    file: &'a str,
    line: u64,
    record: &'a csv::StringRecord,
    header: &'a Header,
}

impl Row<'_> {
    /// The line number in the file.
    #[must_use]
    pub fn line(&self) -> u32 {
        u32::try_from(self.line).unwrap_or(u32::MAX)
    }

    /// A cell, trimmed ("" when the column or the cell is absent).
    #[must_use]
    pub fn text(&self, column: &str) -> &str {
        self.header
            .index
            .get(&column.to_lowercase())
            .and_then(|&i| self.record.get(i))
            .map_or("", str::trim)
    }

    /// A cell as an owned string.
    #[must_use]
    pub fn string(&self, column: &str) -> String {
        self.text(column).to_owned()
    }

    /// An amount, exactly; an empty or unreadable cell refuses the file.
    ///
    /// # Errors
    /// [`ReportError::BadAmount`].
    pub fn amount(&self, column: &str, decimal_comma: bool) -> Result<ExactAmount, ReportError> {
        let value = self.text(column);
        ExactAmount::parse(value, decimal_comma).map_err(|reason| ReportError::BadAmount {
            file: self.file.to_owned(),
            line: self.line,
            column: column.to_owned(),
            value: value.to_owned(),
            reason,
        })
    }

    /// An amount that may be left empty.
    ///
    /// # Errors
    /// [`ReportError::BadAmount`] for a cell that is not empty and not a number.
    pub fn optional_amount(
        &self,
        column: &str,
        decimal_comma: bool,
    ) -> Result<Option<ExactAmount>, ReportError> {
        if column.is_empty() || self.text(column).is_empty() {
            Ok(None)
        } else {
            self.amount(column, decimal_comma).map(Some)
        }
    }

    /// A date in the given order (a time after it is ignored; `YYYY-MM` is the month's first
    /// day).
    ///
    /// # Errors
    /// [`ReportError::BadDate`].
    pub fn date(&self, column: &str, order: DateOrder) -> Result<NaiveDate, ReportError> {
        let value = self.text(column);
        parse_date(value, order).ok_or_else(|| ReportError::BadDate {
            file: self.file.to_owned(),
            line: self.line,
            column: column.to_owned(),
            value: value.to_owned(),
            expected: order.expected(),
        })
    }

    /// A whole quantity; empty is 0.
    ///
    /// # Errors
    /// [`ReportError::BadValue`] for anything but a whole number.
    pub fn quantity(&self, column: &str) -> Result<i64, ReportError> {
        let value = self.text(column);
        if value.is_empty() {
            return Ok(0);
        }
        let whole = value
            .strip_suffix(".0")
            .or_else(|| value.strip_suffix(".00"))
            .unwrap_or(value);
        whole.parse().map_err(|_| ReportError::BadValue {
            file: self.file.to_owned(),
            line: self.line,
            column: column.to_owned(),
            value: value.to_owned(),
            expected: "a whole number of units",
        })
    }

    /// A currency code.
    ///
    /// # Errors
    /// [`ReportError::BadValue`] for anything but three letters.
    pub fn currency(&self, column: &str) -> Result<Currency, ReportError> {
        let value = self.text(column);
        Currency::parse(value).map_err(|_| ReportError::BadValue {
            file: self.file.to_owned(),
            line: self.line,
            column: column.to_owned(),
            value: value.to_owned(),
            expected: "a currency code such as USD, EUR or GBP",
        })
    }
}

/// `YYYY-MM` of a date.
#[must_use]
pub fn period_of(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// Reads a report date. The first word is the date (a time after it is ignored):
/// `2023-02-02`, `2023-02-02T10:00:00`, `2021-04` (first of the month), and with `/` or `.`
/// the order given (`10/15/2023`, `11/25/22`: two-digit years are 20xx).
#[must_use]
pub fn parse_date(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let word = text.split_whitespace().next()?;
    let word = word.split('T').next().unwrap_or(word);
    let numbers: Vec<&str> = word.split(['-', '/', '.']).collect();
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let year = |s: &str| -> Option<i32> {
        let y = i32::try_from(num(s)?).ok()?;
        match s.len() {
            2 => Some(2000 + y),
            4 => Some(y),
            _ => None,
        }
    };
    match numbers.as_slice() {
        [y, m] if y.len() == 4 => NaiveDate::from_ymd_opt(year(y)?, num(m)?, 1),
        [y, m, d] if y.len() == 4 => NaiveDate::from_ymd_opt(year(y)?, num(m)?, num(d)?),
        [first, second, yy] if order != DateOrder::YearFirst || word.contains('/') => {
            let (month, day) = if order == DateOrder::DayFirst {
                (second, first)
            } else {
                (first, second)
            };
            NaiveDate::from_ymd_opt(year(yy)?, num(month)?, num(day)?)
        }
        _ => None,
    }
}

/// Decodes a report's bytes: UTF-8 (a byte-order mark is dropped) or UTF-16 with a BOM.
fn decode(file: &str, bytes: &[u8]) -> Result<String, ReportError> {
    let not_text = || ReportError::NotText {
        file: file.to_owned(),
    };
    let utf16 = |bytes: &[u8], big: bool| -> Result<String, ReportError> {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|p| {
                if big {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| not_text())
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, false);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, true);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(not_text());
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| not_text())
}

/// The field separator of a header line: tab, comma or semicolon, whichever it has most of.
fn delimiter(first_line: &str) -> u8 {
    let count = |c: char| first_line.matches(c).count();
    let (tabs, commas, semis) = (count('\t'), count(','), count(';'));
    if tabs >= commas && tabs >= semis && tabs > 0 {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

/// How a layout reads its rows.
type Reader = fn(&Row<'_>) -> Result<ParsedLine, ReportError>;

/// How the rows of a detected layout are read.
#[derive(Debug, Clone)]
enum ReadWith {
    Builtin(Reader),
    Mapping(Box<ColumnMapping>),
}

/// The layout the header names. A built-in layout is recognised when one of its distinctive
/// columns is there and at least half of its columns are; then every column it needs must be.
fn detect(
    file: &str,
    header: &Header,
    mappings: &[(String, ColumnMapping)],
) -> Result<(Layout, ReadWith), ReportError> {
    let builtin: [(Layout, &[&str], &[&str], Reader); 4] = [
        (
            Layout::DistroKid,
            distrokid::SIGNATURE,
            distrokid::COLUMNS,
            distrokid::read,
        ),
        (
            Layout::TuneCore,
            tunecore::SIGNATURE,
            tunecore::COLUMNS,
            tunecore::read,
        ),
        (
            Layout::CdBaby,
            cdbaby::SIGNATURE,
            cdbaby::COLUMNS,
            cdbaby::read,
        ),
        (
            Layout::Bandcamp,
            bandcamp::SIGNATURE,
            bandcamp::COLUMNS,
            bandcamp::read,
        ),
    ];
    let best = builtin
        .into_iter()
        .filter(|(_, signature, _, _)| signature.iter().any(|c| header.has(c)))
        .map(|(layout, _, columns, read)| {
            let missing = header.missing(columns.iter().copied());
            (layout, columns.len(), missing, read)
        })
        .filter(|(_, n, missing, _)| missing.len() * 2 <= *n)
        .min_by_key(|(_, _, missing, _)| missing.len());
    if let Some((layout, _, missing, read)) = best {
        if !missing.is_empty() {
            return Err(ReportError::MissingColumns {
                file: file.to_owned(),
                layout: layout.name(),
                missing: quoted_list(&missing),
            });
        }
        return Ok((layout, ReadWith::Builtin(read)));
    }
    for (name, mapping) in mappings {
        let columns = mapping.columns();
        if !columns.is_empty()
            && header
                .missing(columns.iter().map(String::as_str))
                .is_empty()
        {
            return Ok((
                Layout::Mapping(name.clone()),
                ReadWith::Mapping(Box::new(mapping.clone())),
            ));
        }
    }
    let mut shown = header.names().join(", ");
    if shown.chars().count() > 200 {
        shown = shown.chars().take(200).collect::<String>() + "…";
    }
    let saved = if mappings.is_empty() {
        String::new()
    } else {
        format!(
            ", and your saved mappings ({})",
            mappings
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(ReportError::UnknownLayout {
        file: file.to_owned(),
        header: shown,
        saved,
    })
}

// One count per report line: not worth the bytecount crate.
#[allow(clippy::naive_bytecount)]
fn bytecount(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.iter().filter(|&&b| b == b'\n').count()).unwrap_or(u64::MAX)
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|c| format!("“{c}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the saved column mappings from the catalog.
///
/// # Errors
/// SQLite failures or a stored mapping that is not valid JSON for a mapping.
pub fn saved_mappings(conn: &Connection) -> Result<Vec<(String, ColumnMapping)>, ReportError> {
    ledger::report_mappings(conn)?
        .into_iter()
        .map(|(name, json)| {
            ColumnMapping::from_json(&json)
                .map(|m| (name.clone(), m))
                .map_err(|reason| ReportError::BadMapping { name, reason })
        })
        .collect()
}

/// Reads a report file (see [`parse_bytes`]).
///
/// # Errors
/// As [`parse_bytes`], or the file cannot be read.
pub fn parse_file(
    path: &Path,
    mappings: &[(String, ColumnMapping)],
    control: &JobControl,
) -> Result<ParsedReport, ReportError> {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    control.set_stage("Reading the file");
    let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
        file: path.display().to_string(),
        source,
    })?;
    parse_bytes(&file, &bytes, mappings, control)
}

/// Reads a report from its bytes: detects the layout from the header row and reads every
/// line exactly. `file` names it in messages. Reports progress (bytes) and stops at Cancel.
///
/// # Errors
/// See [`ReportError`]: unknown layout, missing columns, an unreadable amount, date,
/// quantity or currency (naming line and column), or [`Cancelled`].
pub fn parse_bytes(
    file: &str,
    bytes: &[u8],
    mappings: &[(String, ColumnMapping)],
    control: &JobControl,
) -> Result<ParsedReport, ReportError> {
    let sha256 = sha256::sha256_hex(bytes);
    let text = decode(file, bytes)?;
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or_else(|| ReportError::Empty {
            file: file.to_owned(),
        })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(first))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let bad_row = |e: &csv::Error| ReportError::BadRow {
        file: file.to_owned(),
        line: e.position().map_or(0, csv::Position::line),
        detail: e.to_string(),
    };
    let header_record = loop {
        match records.next() {
            Some(Ok(r)) if r.iter().all(|c| c.trim().is_empty()) => {}
            Some(Ok(r)) => break r,
            Some(Err(e)) => return Err(bad_row(&e)),
            None => {
                return Err(ReportError::Empty {
                    file: file.to_owned(),
                });
            }
        }
    };
    let header = Header::new(&header_record);
    let (layout, read_with) = detect(file, &header, mappings)?;
    control.set_stage(&format!("Reading {} lines", layout.name()));
    control.set_total(u64::try_from(text.len()).unwrap_or(u64::MAX));
    let mut lines = Vec::new();
    let (mut line, mut counted_to) = (1_u64, 0_usize);
    for (n, record) in records.enumerate() {
        let record = record.map_err(|e| bad_row(&e))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // csv's own line count is off on CRLF files: count newlines up to the record's byte.
        let byte = record.position().map_or(0, csv::Position::byte);
        let mut upto = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        // After a CRLF the position is that of the LF ending the previous line.
        if text.as_bytes().get(upto) == Some(&b'\n') {
            upto += 1;
        }
        if upto > counted_to {
            line += bytecount(&text.as_bytes()[counted_to..upto]);
            counted_to = upto;
        }
        if n % 512 == 0 {
            control.check()?;
            control.set_done(byte);
        }
        let row = Row {
            file,
            line,
            record: &record,
            header: &header,
        };
        let line = match &read_with {
            ReadWith::Builtin(read) => read(&row)?,
            ReadWith::Mapping(mapping) => generic::read(&row, mapping)?,
        };
        lines.push(line);
    }
    control.set_done(u64::try_from(text.len()).unwrap_or(u64::MAX));
    Ok(ParsedReport {
        file_name: file.to_owned(),
        sha256,
        layout,
        lines,
    })
}

/// Parses `--rate CUR=RATE` values.
///
/// # Errors
/// A message for the command line when either side is wrong.
pub fn parse_rate_arg(text: &str) -> Result<(Currency, String), String> {
    let (code, rate) = text
        .split_once('=')
        .ok_or_else(|| format!("“{text}”: write the rate as CUR=RATE, e.g. USD=0.92"))?;
    let currency = Currency::parse(code).map_err(|e| e.to_string())?;
    Rate::parse(rate).map_err(|e| format!("rate for {currency}: “{}”: {e}", rate.trim()))?;
    Ok((currency, rate.trim().to_owned()))
}

/// Reads rates typed as text.
///
/// # Errors
/// [`ReportError::BadRate`] naming the currency.
pub fn parse_rates(rates: &[(Currency, String)]) -> Result<Vec<(Currency, Rate)>, ReportError> {
    rates
        .iter()
        .map(|(currency, text)| {
            Rate::parse(text)
                .map(|r| (*currency, r))
                .map_err(|reason| ReportError::BadRate {
                    currency: *currency,
                    value: text.trim().to_owned(),
                    reason,
                })
        })
        .collect()
}

/// Matches, rounds and converts a parsed report against the catalog: the preview, and what
/// an import writes. Refuses a file imported before.
///
/// # Errors
/// [`DbError::InUse`] (inside [`ReportError::Db`]) for a duplicate; an overflowing total;
/// SQLite failures.
pub fn prepare(
    conn: &Connection,
    report: &ParsedReport,
    rates: &[(Currency, Rate)],
) -> Result<ImportBatch, ReportError> {
    prepare_with(conn, report, rates, &JobControl::default())
}

/// How many lines are matched between two looks at `control` (progress and Cancel).
const MATCH_SLICE: usize = 4096;

/// [`prepare`] on a background job: reports the lines matched to `control` and stops when
/// it is cancelled.
///
/// # Errors
/// As [`prepare`], and [`ReportError::Cancelled`].
pub fn prepare_with(
    conn: &Connection,
    report: &ParsedReport,
    rates: &[(Currency, Rate)],
    control: &JobControl,
) -> Result<ImportBatch, ReportError> {
    control.set_stage(&format!("Matching {} lines", report.lines.len()));
    control.set_done(0);
    control.set_total(u64::try_from(report.lines.len()).unwrap_or(u64::MAX));
    if let Some(previous) = ledger::find_import_by_hash(conn, &report.sha256)? {
        return Err(ledger::duplicate_error(&report.file_name, &previous).into());
    }
    let home = crate::db::labels::home_currency(conn)?;
    let index = MatchIndex::load(conn)?;
    let rate_of = |c: Currency| rates.iter().find(|(r, _)| *r == c).map(|(_, r)| *r);
    let overflow = |currency| ReportError::Overflow {
        file: report.file_name.clone(),
        currency,
    };
    let mut net_rounders: BTreeMap<Currency, (LineRounder, u64)> = BTreeMap::new();
    let mut gross_rounders: BTreeMap<Currency, LineRounder> = BTreeMap::new();
    let mut lines = Vec::with_capacity(report.lines.len());
    for (i, p) in report.lines.iter().enumerate() {
        if i % MATCH_SLICE == 0 {
            control.check()?;
            control.set_done(u64::try_from(i).unwrap_or(u64::MAX));
        }
        let key = match_key(&p.raw);
        let mut flags = identifier_flags(&p.raw);
        if p.physical {
            flags.insert(LineFlags::PHYSICAL_SALE);
        }
        let found = index.find(&p.raw, &key, p.album);
        let (rounder, count) = net_rounders.entry(p.currency).or_default();
        *count += 1;
        let net = rounder.push(p.net).ok_or_else(|| overflow(p.currency))?;
        let gross = match p.gross {
            Some(g) => Some(
                gross_rounders
                    .entry(p.currency)
                    .or_default()
                    .push(g)
                    .ok_or_else(|| overflow(p.currency))?,
            ),
            None => None,
        };
        let net_home = if p.currency == home {
            Some(net)
        } else {
            match rate_of(p.currency) {
                Some(rate) => Some(net.convert(rate).ok_or_else(|| overflow(home))?),
                None => None,
            }
        };
        lines.push(IncomeLine {
            id: IncomeLineId::UNSAVED,
            import_id: None,
            line_no: p.line_no,
            sale_date: p.sale_date,
            period: p.period.clone(),
            release_id: found.map(|m| m.release_id),
            track_id: found.and_then(|m| m.track_id),
            format_id: found.and_then(|m| {
                m.format_id.or_else(|| {
                    p.physical
                        .then(|| index.only_physical_format(m.release_id))
                        .flatten()
                })
            }),
            matched_by: found.map(|m| m.by),
            channel: p.channel,
            territory: p.territory.clone(),
            source: p.source.clone(),
            quantity: p.quantity,
            gross,
            net,
            currency: p.currency,
            net_home,
            raw: p.raw.clone(),
            flags,
            match_key: key,
        });
    }
    control.set_done(u64::try_from(lines.len()).unwrap_or(u64::MAX));
    let totals = net_rounders
        .into_iter()
        .map(|(currency, (rounder, count))| ImportTotal {
            currency,
            line_count: count,
            net: rounder.total(),
            net_exact: rounder.exact_total().to_plain_string(),
            rate: (currency != home)
                .then(|| rate_of(currency).map(|r| r.to_string()))
                .flatten(),
        })
        .collect();
    Ok(ImportBatch {
        id: ImportId::UNSAVED,
        file_name: report.file_name.clone(),
        layout: report.layout.code(),
        sha256: report.sha256.clone(),
        home_currency: home,
        totals,
        lines,
    })
}

/// Writes a prepared import in one transaction; returns its id.
///
/// # Errors
/// A duplicate, or SQLite failures (then nothing is written).
pub fn commit(catalog: &mut Catalog, batch: &ImportBatch) -> Result<ImportId, ReportError> {
    Ok(catalog.write(|tx| ledger::insert_import(tx, batch))?)
}

/// Reads, matches and writes a report file: parsing, matching and writing all inside one
/// transaction. Returns the batch as written (with its id).
///
/// # Errors
/// Any [`ReportError`]; then nothing is written.
pub fn import_file(
    catalog: &mut Catalog,
    path: &Path,
    rates: &[(Currency, Rate)],
    control: &JobControl,
) -> Result<ImportBatch, ReportError> {
    let tx = catalog.transaction()?;
    let mappings = saved_mappings(&tx)?;
    let report = parse_file(path, &mappings, control)?;
    control.set_stage("Matching lines");
    let mut batch = prepare(&tx, &report, rates)?;
    control.check()?;
    control.set_stage("Writing the ledger");
    batch.id = ledger::insert_import(&tx, &batch)?;
    tx.commit().map_err(DbError::from)?;
    Ok(batch)
}

/// Lines of a batch that carry a flag.
#[must_use]
pub fn flagged(batch: &ImportBatch) -> usize {
    batch.lines.iter().filter(|l| l.flags.0 != 0).count()
}

/// The preview/report text: layout, lines, matched, unmatched, totals per currency.
///
/// # Errors
/// Only when `out` cannot be written.
pub fn write_summary(batch: &ImportBatch, out: &mut dyn Write) -> std::io::Result<()> {
    let matched = batch.matched();
    writeln!(out, "file: {}", batch.file_name)?;
    writeln!(out, "layout: {}", Layout::name_of_code(&batch.layout))?;
    writeln!(out, "lines imported: {}", batch.lines.len())?;
    writeln!(out, "matched: {matched}")?;
    writeln!(
        out,
        "unmatched: {} (kept for review in the app's Sales panel)",
        batch.lines.len() - matched
    )?;
    let flagged = flagged(batch);
    if flagged > 0 {
        writeln!(
            out,
            "flagged: {flagged} (bad ISRC or UPC/EAN kept as written, or physical sales)"
        )?;
    }
    for t in &batch.totals {
        let rate = t.rate.as_ref().map_or_else(String::new, |r| {
            let home: i128 = batch
                .lines
                .iter()
                .filter(|l| l.currency == t.currency)
                .filter_map(|l| l.net_home)
                .map(|a| i128::from(a.0))
                .sum();
            let home = i64::try_from(home)
                .map(crate::model::Amount8)
                .unwrap_or_default();
            format!(
                " = {} {} at 1 {} = {r} {}",
                home.to_short_string(),
                batch.home_currency,
                t.currency,
                batch.home_currency
            )
        });
        writeln!(
            out,
            "total {}: {} ({} lines){rate}",
            t.currency,
            t.net.to_short_string(),
            t.line_count
        )?;
    }
    Ok(())
}

/// `labeldesk sales-import FILE [--db PATH] [--rate CUR=RATE]...`: imports a report into an
/// existing catalog and prints the layout, lines imported, matched and unmatched (unmatched
/// lines are committed as unmatched, for review in the app) and the total per currency.
///
/// # Errors
/// Any [`ReportError`] (nothing is written then), or output that cannot be written.
pub fn sales_import_cli(
    db: &Path,
    file: &Path,
    rates: &[(Currency, String)],
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let rates = parse_rates(rates)?;
    let mut catalog = Catalog::open(db)?;
    let batch = import_file(&mut catalog, file, &rates, &JobControl::default())?;
    write_summary(&batch, out).map_err(|source| ReportError::Io {
        file: "standard output".to_owned(),
        source,
    })?;
    Ok(())
}
