//! Labeldesk's own export format: the whole catalog as ONE versioned JSON document, lossless.
//!
//! ```json
//! {
//!   "format": "labeldesk",
//!   "version": 1,
//!   "schema_version": 1,
//!   "tables": {
//!     "labels": {
//!       "columns": ["id", "name", ...],
//!       "rows": [
//!         {"id": 1, "name": "Harbour Lights Records", ...}
//!       ]
//!     }
//!   }
//! }
//! ```
//!
//! The export is **table-driven**: every table of the catalog is written (read from the schema,
//! so tables added by later versions are included without touching this file) except SQLite's
//! own (`sqlite_*`) and the search machinery, which the schema's triggers rebuild on import
//! (FTS5 virtual tables, their shadow tables and their external content table `search_docs`).
//! Tables come in foreign-key dependency order, rows in primary-key order, one row per line.
//!
//! Values keep their SQLite storage class: `null`, a JSON integer (INTEGER), a JSON number with
//! a fraction or exponent (REAL; infinities as `{"real": "inf"}` / `{"real": "-inf"}`), a JSON
//! string (TEXT) and `{"hex": "89504e47..."}` (BLOB). Nothing volatile (no export time) is
//! written, so exporting the same catalog twice gives the same bytes.
//!
//! Importing goes into an **empty** catalog only (one that holds nothing but the rows every
//! new catalog starts with, which the document's rows replace), in one transaction, keeping
//! every id; a
//! document from a newer catalog version is refused; every error names the file, the table,
//! the record (1 = the table's first row) and the field; on any error or cancel nothing is
//! written. The CSV form ([`super::csv_export`]) shares the schema walk and the import core.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, ToSql};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::db::{Catalog, DbError, bulk, migrations};
use crate::jobs::{Cancelled, JobControl};

/// `"format"` of every Labeldesk JSON export.
pub const FORMAT: &str = "labeldesk";
/// Version of the document layout (not of the catalog schema): bumped only if the JSON shape
/// itself changes.
pub const FORMAT_VERSION: i64 = 1;
/// File name used when the CLI exports JSON into a folder.
pub const DEFAULT_FILE_NAME: &str = "labeldesk.json";

// ---------------------------------------------------------------------------------------------
// Errors

/// Where in an export a problem is: file, table, record (1-based), line and field, as known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub table: Option<String>,
    /// 1 = the first row of the table.
    pub record: Option<u64>,
    /// Line in the file where the record starts (CSV).
    pub line: Option<u64>,
    pub field: Option<String>,
}

impl Location {
    fn file(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            ..Self::default()
        }
    }

    fn table(file: &str, table: &str) -> Self {
        Self {
            table: Some(table.to_owned()),
            ..Self::file(file)
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(table) = &self.table {
            write!(f, ", table {table}")?;
        }
        if let Some(record) = self.record {
            write!(f, ", record {record}")?;
        }
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        Ok(())
    }
}

/// Anything that can go wrong exporting or importing a Labeldesk JSON or CSV export.
#[derive(Debug, thiserror::Error)]
pub enum InterchangeError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a Labeldesk export: {reason}. Nothing was imported.")]
    NotLabeldesk { path: String, reason: String },
    #[error(
        "{path} was exported by a newer version of Labeldesk ({what} {found}; this app \
         understands up to {supported}). Update Labeldesk to import it. Nothing was imported."
    )]
    TooNew {
        path: String,
        what: &'static str,
        found: i64,
        supported: i64,
    },
    /// A record or field of the file is wrong; `at` names it.
    #[error("{at}: {problem}. Nothing was imported.")]
    Invalid { at: Box<Location>, problem: String },
    /// The catalog could not be read for export; `at` names the table, record and field.
    #[error("{at}: {problem}. No export was written.")]
    Unreadable { at: Box<Location>, problem: String },
    #[error(
        "{catalog} is not empty (table {table} has {rows} rows): a Labeldesk export can only be \
         imported into a new, empty catalog. Nothing was imported."
    )]
    NotEmpty {
        catalog: String,
        table: String,
        rows: u64,
    },
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{context}: {source}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },
}

impl InterchangeError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }

    fn sqlite(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> Self {
        let context = context.into();
        move |source| Self::Sqlite { context, source }
    }
}

type Result<T, E = InterchangeError> = std::result::Result<T, E>;

// ---------------------------------------------------------------------------------------------
// The document

/// One value with its SQLite storage class.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Null => ValueRef::Null,
            Self::Integer(n) => ValueRef::Integer(*n),
            Self::Real(x) => ValueRef::Real(*x),
            Self::Text(s) => ValueRef::Text(s.as_bytes()),
            Self::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl Cell {
    /// A short description of the value for error messages.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Null => "empty (null)".to_owned(),
            Self::Integer(n) => n.to_string(),
            Self::Real(x) => format!("{x:?}"),
            Self::Text(s) => {
                let mut shown: String = s.chars().take(60).collect();
                if shown.len() < s.len() {
                    shown.push('…');
                }
                format!("{shown:?}")
            }
            Self::Blob(b) => format!("{} bytes of binary data", b.len()),
        }
    }
}

/// One table: its columns and its rows (each row has one cell per column, in column order).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A whole-catalog export.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// `PRAGMA user_version` of the exported catalog.
    pub schema_version: i64,
    /// In foreign-key dependency order (parents first).
    pub tables: Vec<Table>,
}

impl Document {
    /// The table named `name`.
    #[must_use]
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Number of rows over all tables.
    #[must_use]
    pub fn row_count(&self) -> u64 {
        self.tables.iter().map(|t| t.rows.len() as u64).sum()
    }

    /// Writes the document as JSON (deterministic: same document, same bytes).
    ///
    /// # Errors
    /// Write failures.
    pub fn write_json(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "{{")?;
        writeln!(w, "  \"format\": {},", json_str(FORMAT))?;
        writeln!(w, "  \"version\": {FORMAT_VERSION},")?;
        writeln!(w, "  \"schema_version\": {},", self.schema_version)?;
        write!(w, "  \"tables\": {{")?;
        for (t, table) in self.tables.iter().enumerate() {
            w.write_all(if t == 0 { b"\n" } else { b",\n" })?;
            writeln!(w, "    {}: {{", json_str(&table.name))?;
            let columns: Vec<String> = table.columns.iter().map(|c| json_str(c)).collect();
            writeln!(w, "      \"columns\": [{}],", columns.join(", "))?;
            write!(w, "      \"rows\": [")?;
            for (r, row) in table.rows.iter().enumerate() {
                w.write_all(if r == 0 { b"\n" } else { b",\n" })?;
                w.write_all(b"        {")?;
                for (c, (name, cell)) in columns.iter().zip(row).enumerate() {
                    if c > 0 {
                        w.write_all(b", ")?;
                    }
                    write!(w, "{name}: ")?;
                    write_cell(w, cell)?;
                }
                w.write_all(b"}")?;
            }
            if table.rows.is_empty() {
                writeln!(w, "]")?;
            } else {
                writeln!(w, "\n      ]")?;
            }
            write!(w, "    }}")?;
        }
        if self.tables.is_empty() {
            writeln!(w, "}}")?;
        } else {
            writeln!(w, "\n  }}")?;
        }
        writeln!(w, "}}")
    }

    /// The JSON bytes of [`Document::write_json`].
    #[must_use]
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.write_json(&mut bytes);
        bytes
    }

    /// Reads a document; `file` names the source in error messages.
    ///
    /// # Errors
    /// [`InterchangeError::NotLabeldesk`] for other JSON, [`InterchangeError::TooNew`] for a
    /// newer layout, [`InterchangeError::Invalid`] naming the table, record and field of a
    /// malformed or cut-short file.
    pub fn read_json(mut reader: impl Read, file: &str) -> Result<Self> {
        // Parsing from memory is several times faster than from a reader.
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| InterchangeError::io(Path::new(file), e))?;
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let cursor = RefCell::new(Cursor::default());
        let mut de = serde_json::Deserializer::from_slice(body);
        let raw = DocSeed { cursor: &cursor }
            .deserialize(&mut de)
            .and_then(|raw| de.end().map(|()| raw))
            .map_err(|e| json_error(file, &cursor.borrow(), &e))?;
        raw.into_document(file)
    }
}

fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn write_cell(w: &mut dyn Write, cell: &Cell) -> std::io::Result<()> {
    match cell {
        Cell::Null => w.write_all(b"null"),
        Cell::Integer(n) => write!(w, "{n}"),
        Cell::Real(x) if x.is_infinite() => {
            let sign = if *x < 0.0 { "-" } else { "" };
            write!(w, "{{\"real\": \"{sign}inf\"}}")
        }
        Cell::Real(x) => serde_json::to_writer(&mut *w, x).map_err(std::io::Error::other),
        Cell::Text(s) => serde_json::to_writer(&mut *w, s).map_err(std::io::Error::other),
        Cell::Blob(b) => write!(w, "{{\"hex\": \"{}\"}}", hex_encode(b)),
    }
}

/// Lowercase hex of `bytes`.
#[must_use]
pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Bytes of a hex string (either case).
///
/// # Errors
/// A message saying what is wrong.
pub fn hex_decode(text: &str) -> Result<Vec<u8>, String> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err("binary data written as hex must have an even number of digits".to_owned());
    }
    bytes
        .chunks_exact(2)
        .enumerate()
        .map(|(i, pair)| match (nibble(pair[0]), nibble(pair[1])) {
            (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
            _ => Err(format!(
                "binary data written as hex has a character that is not a hex digit at position {}",
                i * 2 + 1
            )),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reading JSON with a cursor, so errors (even "the file ends here") name the record.

#[derive(Debug, Default)]
struct Cursor {
    table: Option<String>,
    record: Option<usize>,
    /// The field being read; empty between fields. A buffer reused for every field, so
    /// tracking it costs no allocation per value.
    field: String,
}

impl Cursor {
    fn location(&self, file: &str) -> Location {
        Location {
            file: file.to_owned(),
            table: self.table.clone(),
            record: self.record.map(|r| r as u64 + 1),
            line: None,
            field: (!self.field.is_empty()).then(|| self.field.clone()),
        }
    }

    fn set_field(&mut self, name: &str) {
        self.field.clear();
        self.field.push_str(name);
    }
}

fn json_error(file: &str, cursor: &Cursor, e: &serde_json::Error) -> InterchangeError {
    use serde_json::error::Category;
    let at = cursor.location(file);
    let (line, column) = (e.line(), e.column());
    match e.classify() {
        Category::Io => InterchangeError::Io {
            path: file.to_owned(),
            source: std::io::Error::other(e.to_string()),
        },
        Category::Eof if at.table.is_none() && line <= 1 && column == 0 => {
            InterchangeError::NotLabeldesk {
                path: file.to_owned(),
                reason: "the file is empty".to_owned(),
            }
        }
        Category::Eof => InterchangeError::Invalid {
            at: Box::new(at),
            problem: format!(
                "the file ends too early (at line {line}): it was cut short or not saved completely"
            ),
        },
        Category::Syntax if at.table.is_none() && line <= 1 && column <= 1 => {
            InterchangeError::NotLabeldesk {
                path: file.to_owned(),
                reason: "it is not JSON".to_owned(),
            }
        }
        Category::Syntax => InterchangeError::Invalid {
            at: Box::new(at),
            problem: format!("the JSON is broken at line {line}, column {column}: {e}"),
        },
        Category::Data if at.table.is_none() => InterchangeError::NotLabeldesk {
            path: file.to_owned(),
            reason: format!("unexpected content ({e})"),
        },
        Category::Data => InterchangeError::Invalid {
            at: Box::new(at),
            problem: e.to_string(),
        },
    }
}

#[derive(Default)]
struct RawDoc {
    format: Option<String>,
    version: Option<i64>,
    schema_version: Option<i64>,
    tables: Option<Vec<RawTable>>,
}

struct RawTable {
    name: String,
    columns: Option<Vec<String>>,
    rows: RawRows,
}

/// A table's records as read.
enum RawRows {
    /// Each record's fields as written: `"rows"` came before `"columns"`, or the columns list
    /// names a column twice. Matched against the columns after reading.
    Pairs(Vec<Vec<(String, Cell)>>),
    /// `"columns"` came first (every export writes it so): each record was put in column
    /// order as it was read, with no per-field allocation. The first record whose fields do
    /// not match the columns is kept to be reported, as the `Pairs` check would.
    Ordered {
        rows: Vec<Vec<Cell>>,
        problem: Option<FieldProblem>,
    },
}

/// A record whose fields do not match its table's columns.
struct FieldProblem {
    record: usize,
    field: String,
    problem: &'static str,
}

const UNKNOWN_FIELD: &str = "the field is not in the table's \"columns\" list";
const DUPLICATE_FIELD: &str = "the field appears twice in the record";
const MISSING_FIELD: &str = "the field is missing from the record";

impl RawDoc {
    fn into_document(self, file: &str) -> Result<Document> {
        let not_ours = |reason: &str| InterchangeError::NotLabeldesk {
            path: file.to_owned(),
            reason: reason.to_owned(),
        };
        match self.format.as_deref() {
            Some(FORMAT) => {}
            Some(other) => return Err(not_ours(&format!("its \"format\" is {other:?}"))),
            None => return Err(not_ours("it has no \"format\": \"labeldesk\" field")),
        }
        let version = self
            .version
            .ok_or_else(|| not_ours("it has no \"version\" field"))?;
        if version > FORMAT_VERSION {
            return Err(InterchangeError::TooNew {
                path: file.to_owned(),
                what: "export format version",
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let schema_version = self
            .schema_version
            .ok_or_else(|| not_ours("it has no \"schema_version\" field"))?;
        let raw_tables = self
            .tables
            .ok_or_else(|| not_ours("it has no \"tables\""))?;
        let mut tables = Vec::with_capacity(raw_tables.len());
        for raw in raw_tables {
            tables.push(raw.into_table(file)?);
        }
        Ok(Document {
            schema_version,
            tables,
        })
    }
}

impl RawTable {
    fn into_table(self, file: &str) -> Result<Table> {
        let Self {
            name,
            columns,
            rows,
        } = self;
        let at =
            |record: Option<usize>, field: Option<&str>, problem: &str| InterchangeError::Invalid {
                at: Box::new(Location {
                    record: record.map(|r| r as u64 + 1),
                    field: field.map(str::to_owned),
                    ..Location::table(file, &name)
                }),
                problem: problem.to_owned(),
            };
        let Some(columns) = columns else {
            return Err(at(None, None, "the table has no \"columns\" list"));
        };
        if let Some(twice) = repeated_column(&columns) {
            return Err(at(None, Some(twice), "the column is listed twice"));
        }
        let rows = match rows {
            RawRows::Ordered {
                problem: Some(p), ..
            } => {
                return Err(at(Some(p.record), Some(&p.field), p.problem));
            }
            RawRows::Ordered {
                rows,
                problem: None,
            } => rows,
            RawRows::Pairs(records) => {
                let mut rows = Vec::with_capacity(records.len());
                for (r, fields) in records.into_iter().enumerate() {
                    let mut row: Vec<Option<Cell>> = vec![None; columns.len()];
                    for (field, cell) in fields {
                        let Some(i) = columns.iter().position(|c| *c == field) else {
                            return Err(at(Some(r), Some(&field), UNKNOWN_FIELD));
                        };
                        if row[i].replace(cell).is_some() {
                            return Err(at(Some(r), Some(&field), DUPLICATE_FIELD));
                        }
                    }
                    let mut cells = Vec::with_capacity(columns.len());
                    for (i, cell) in row.into_iter().enumerate() {
                        let Some(cell) = cell else {
                            return Err(at(Some(r), Some(&columns[i]), MISSING_FIELD));
                        };
                        cells.push(cell);
                    }
                    rows.push(cells);
                }
                rows
            }
        };
        Ok(Table {
            name,
            columns,
            rows,
        })
    }
}

/// The first column named twice in `columns`.
fn repeated_column(columns: &[String]) -> Option<&str> {
    columns
        .iter()
        .enumerate()
        .find(|(i, c)| columns[..*i].contains(c))
        .map(|(_, c)| c.as_str())
}

struct DocSeed<'c> {
    cursor: &'c RefCell<Cursor>,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = RawDoc;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<RawDoc, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = RawDoc;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Labeldesk export (a JSON object with \"format\": \"labeldesk\")")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawDoc, A::Error> {
        let mut doc = RawDoc::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => doc.format = Some(map.next_value()?),
                "version" => doc.version = Some(map.next_value()?),
                "schema_version" => doc.schema_version = Some(map.next_value()?),
                "tables" => {
                    doc.tables = Some(map.next_value_seed(TablesSeed {
                        cursor: self.cursor,
                    })?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(doc)
    }
}

struct TablesSeed<'c> {
    cursor: &'c RefCell<Cursor>,
}

impl<'de> DeserializeSeed<'de> for TablesSeed<'_> {
    type Value = Vec<RawTable>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<RawTable>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TablesSeed<'_> {
    type Value = Vec<RawTable>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of tables")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<RawTable>, A::Error> {
        let mut tables = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if tables.iter().any(|t: &RawTable| t.name == name) {
                return Err(de::Error::custom(format!("table {name} appears twice")));
            }
            {
                let mut cursor = self.cursor.borrow_mut();
                cursor.table = Some(name.clone());
                cursor.record = None;
                cursor.field.clear();
            }
            let (columns, rows) = map.next_value_seed(TableSeed {
                cursor: self.cursor,
            })?;
            tables.push(RawTable {
                name,
                columns,
                rows,
            });
        }
        self.cursor.borrow_mut().table = None;
        Ok(tables)
    }
}

struct TableSeed<'c> {
    cursor: &'c RefCell<Cursor>,
}

impl<'de> DeserializeSeed<'de> for TableSeed<'_> {
    type Value = (Option<Vec<String>>, RawRows);
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TableSeed<'_> {
    type Value = (Option<Vec<String>>, RawRows);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table: {\"columns\": [...], \"rows\": [...]}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut columns: Option<Vec<String>> = None;
        let mut rows = RawRows::Pairs(Vec::new());
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "columns" => {
                    if columns.is_some() {
                        return Err(de::Error::custom("the table has two \"columns\" lists"));
                    }
                    columns = Some(map.next_value()?);
                }
                "rows" => {
                    rows = match &columns {
                        Some(columns) if repeated_column(columns).is_none() => map
                            .next_value_seed(OrderedRowsSeed {
                                cursor: self.cursor,
                                columns,
                            })?,
                        _ => RawRows::Pairs(map.next_value_seed(RowsSeed {
                            cursor: self.cursor,
                        })?),
                    };
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((columns, rows))
    }
}

struct RowsSeed<'c> {
    cursor: &'c RefCell<Cursor>,
}

type PairRows = Vec<Vec<(String, Cell)>>;

impl<'de> DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = PairRows;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<PairRows, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_> {
    type Value = PairRows;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PairRows, A::Error> {
        let mut rows = Vec::new();
        loop {
            {
                let mut cursor = self.cursor.borrow_mut();
                cursor.record = Some(rows.len());
                cursor.field.clear();
            }
            match seq.next_element_seed(RowSeed {
                cursor: self.cursor,
            })? {
                Some(row) => rows.push(row),
                None => break,
            }
        }
        self.cursor.borrow_mut().record = None;
        Ok(rows)
    }
}

struct RowSeed<'c> {
    cursor: &'c RefCell<Cursor>,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Vec<(String, Cell)>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = Vec<(String, Cell)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record (an object of fields)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            self.cursor.borrow_mut().set_field(&key);
            let cell = map.next_value::<Cell>()?;
            fields.push((key, cell));
        }
        self.cursor.borrow_mut().field.clear();
        Ok(fields)
    }
}

/// Records read straight into column order (`"columns"` was read first).
struct OrderedRowsSeed<'c> {
    cursor: &'c RefCell<Cursor>,
    columns: &'c [String],
}

impl<'de> DeserializeSeed<'de> for OrderedRowsSeed<'_> {
    type Value = RawRows;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<RawRows, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for OrderedRowsSeed<'_> {
    type Value = RawRows;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawRows, A::Error> {
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        let mut problem = None;
        let mut seen = Vec::new();
        loop {
            {
                let mut cursor = self.cursor.borrow_mut();
                cursor.record = Some(rows.len());
                cursor.field.clear();
            }
            let record = OrderedRowSeed {
                cursor: self.cursor,
                columns: self.columns,
                record: rows.len(),
                problem: &mut problem,
                seen: &mut seen,
            };
            match seq.next_element_seed(record)? {
                Some(row) => rows.push(row),
                None => break,
            }
        }
        self.cursor.borrow_mut().record = None;
        Ok(RawRows::Ordered { rows, problem })
    }
}

/// One record put in column order; the first field problem of the table is noted in
/// `problem` (the record is still read, so broken JSON further on is reported first, as
/// before).
struct OrderedRowSeed<'c, 'p> {
    cursor: &'c RefCell<Cursor>,
    columns: &'c [String],
    record: usize,
    problem: &'p mut Option<FieldProblem>,
    /// Which columns this record has set (a buffer reused from record to record).
    seen: &'p mut Vec<bool>,
}

impl<'de> DeserializeSeed<'de> for OrderedRowSeed<'_, '_> {
    type Value = Vec<Cell>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OrderedRowSeed<'_, '_> {
    type Value = Vec<Cell>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record (an object of fields)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let columns = self.columns;
        let mut cells = vec![Cell::Null; columns.len()];
        self.seen.clear();
        self.seen.resize(columns.len(), false);
        let mut note = |field: &str, problem: &'static str| {
            if self.problem.is_none() {
                *self.problem = Some(FieldProblem {
                    record: self.record,
                    field: field.to_owned(),
                    problem,
                });
            }
        };
        let mut next = 0;
        while let Some(field) = map.next_key_seed(ColumnSeed { columns, next })? {
            match field {
                Column::Known(i) => self.cursor.borrow_mut().set_field(&columns[i]),
                Column::Unknown(ref name) => self.cursor.borrow_mut().set_field(name),
            }
            let cell = map.next_value::<Cell>()?;
            match field {
                Column::Known(i) if self.seen[i] => note(&columns[i], DUPLICATE_FIELD),
                Column::Known(i) => {
                    self.seen[i] = true;
                    cells[i] = cell;
                    next = i + 1;
                }
                Column::Unknown(name) => note(&name, UNKNOWN_FIELD),
            }
        }
        if let Some(i) = self.seen.iter().position(|seen| !seen) {
            note(&columns[i], MISSING_FIELD);
        }
        self.cursor.borrow_mut().field.clear();
        Ok(cells)
    }
}

/// A field name of a record, resolved to its column without allocating.
enum Column {
    Known(usize),
    Unknown(String),
}

/// Finds a field's column; `next` is checked first (fields come in column order).
struct ColumnSeed<'c> {
    columns: &'c [String],
    next: usize,
}

impl ColumnSeed<'_> {
    fn find(&self, name: &str) -> Column {
        if self.columns.get(self.next).is_some_and(|c| c == name) {
            return Column::Known(self.next);
        }
        self.columns
            .iter()
            .position(|c| c == name)
            .map_or_else(|| Column::Unknown(name.to_owned()), Column::Known)
    }
}

impl<'de> DeserializeSeed<'de> for ColumnSeed<'_> {
    type Value = Column;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Column, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for ColumnSeed<'_> {
    type Value = Column;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, name: &str) -> Result<Column, E> {
        Ok(self.find(name))
    }
}

impl<'de> serde::Deserialize<'de> for Cell {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null, a number, text or {\"hex\": \"...\"}")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Cell, E> {
        Ok(Cell::Integer(n))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Cell, E> {
        i64::try_from(n).map(Cell::Integer).map_err(|_| {
            E::custom(format!(
                "the number {n} is too large (whole numbers go up to {})",
                i64::MAX
            ))
        })
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Cell, E> {
        Ok(Cell::Real(x))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Cell, E> {
        Ok(Cell::Text(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Cell, E> {
        Ok(Cell::Text(s))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Cell, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "an empty object is not a value (expected {\"hex\": \"...\"})",
            ));
        };
        let value: String = map.next_value()?;
        let cell = match key.as_str() {
            "hex" => Cell::Blob(hex_decode(&value).map_err(de::Error::custom)?),
            "real" => match value.as_str() {
                "inf" => Cell::Real(f64::INFINITY),
                "-inf" => Cell::Real(f64::NEG_INFINITY),
                other => {
                    return Err(de::Error::custom(format!(
                        "{{\"real\": {other:?}}} is not a number (only \"inf\" and \"-inf\" are written this way)"
                    )));
                }
            },
            other => {
                return Err(de::Error::custom(format!(
                    "{{{other:?}: ...}} is not a value (expected {{\"hex\": \"...\"}})"
                )));
            }
        };
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(
                "a binary value must be written {\"hex\": \"...\"} with nothing else",
            ));
        }
        Ok(cell)
    }
}

// ---------------------------------------------------------------------------------------------
// The schema walk

/// How SQLite converts values stored in a column (from its declared type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

impl Affinity {
    /// SQLite's rules (section 3.1 of "Datatypes In SQLite").
    #[must_use]
    pub fn of_declared_type(declared: &str) -> Self {
        let t = declared.to_ascii_uppercase();
        if t.contains("INT") {
            Self::Integer
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            Self::Text
        } else if t.contains("BLOB") || t.trim().is_empty() {
            Self::Blob
        } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
            Self::Real
        } else {
            Self::Numeric
        }
    }
}

/// A column that is exported (generated columns are not: they are derived).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSchema {
    pub name: String,
    pub declared_type: String,
    pub affinity: Affinity,
    pub not_null: bool,
}

/// A table that is exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    pub name: String,
    pub columns: Vec<ColumnSchema>,
    /// Primary-key columns in key order (empty: ordered by rowid).
    pub primary_key: Vec<String>,
    /// Tables this one refers to through foreign keys.
    pub parents: Vec<String>,
}

impl TableSchema {
    /// The column named `name`.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }
}

pub use crate::db::bulk::quote_ident;

/// Names of tables that are never exported: SQLite's own, virtual tables (FTS5), their
/// shadow tables, and the external-content tables FTS5 indexes read (`content='...'`), which
/// the schema's triggers fill.
///
/// # Errors
/// SQLite failures.
pub fn derived_tables(conn: &Connection) -> rusqlite::Result<BTreeSet<String>> {
    let mut derived = BTreeSet::new();
    let mut stmt =
        conn.prepare("SELECT name, type FROM pragma_table_list WHERE schema = 'main'")?;
    let listed = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut virtual_tables = Vec::new();
    for (name, kind) in &listed {
        if name.starts_with("sqlite_") || kind != "table" {
            derived.insert(name.clone());
        }
        if kind == "virtual" {
            virtual_tables.push(name.clone());
        }
    }
    for vtab in &virtual_tables {
        let prefix = format!("{vtab}_");
        for (name, _) in &listed {
            if name.starts_with(&prefix) {
                derived.insert(name.clone());
            }
        }
        let sql: Option<String> = conn.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [vtab],
            |r| r.get(0),
        )?;
        if let Some(content) = sql.as_deref().and_then(fts_content_table) {
            derived.insert(content);
        }
    }
    Ok(derived)
}

/// The `content = 'table'` option of a `CREATE VIRTUAL TABLE ... USING fts5(...)`.
fn fts_content_table(sql: &str) -> Option<String> {
    let lower = sql.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("content") {
        let start = from + found;
        from = start + "content".len();
        let before = lower[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = lower[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let offset = sql.len() - rest.len();
        let quote = rest.chars().next()?;
        let name: String = if matches!(quote, '\'' | '"' | '`') {
            sql[offset + 1..]
                .chars()
                .take_while(|&c| c != quote)
                .collect()
        } else {
            sql[offset..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        if !name.is_empty() {
            return Some(name);
        }
    }
    None
}

/// Every exported table with its columns, in foreign-key dependency order (a table comes
/// after the tables it refers to; ties and cycles in name order).
///
/// # Errors
/// SQLite failures.
pub fn exportable_tables(conn: &Connection) -> rusqlite::Result<Vec<TableSchema>> {
    let derived = derived_tables(conn)?;
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name COLLATE BINARY",
    )?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut tables = Vec::new();
    for name in names.into_iter().filter(|n| !derived.contains(n)) {
        tables.push(table_schema(conn, &name)?);
    }
    Ok(dependency_order(tables))
}

fn table_schema(conn: &Connection, name: &str) -> rusqlite::Result<TableSchema> {
    let mut columns = Vec::new();
    let mut keyed = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT name, type, \"notnull\", pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid",
    )?;
    let mut rows = stmt.query([name])?;
    while let Some(r) = rows.next()? {
        let hidden: i64 = r.get(4)?;
        if hidden != 0 {
            continue; // generated (or hidden) columns are derived, not data
        }
        let column: String = r.get(0)?;
        let declared_type: String = r.get(1)?;
        let pk: i64 = r.get(3)?;
        if pk > 0 {
            keyed.push((pk, column.clone()));
        }
        columns.push(ColumnSchema {
            affinity: Affinity::of_declared_type(&declared_type),
            name: column,
            declared_type,
            not_null: r.get::<_, i64>(2)? != 0,
        });
    }
    keyed.sort();
    let mut parents: Vec<String> = conn
        .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")?
        .query_map([name], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    parents.sort();
    Ok(TableSchema {
        name: name.to_owned(),
        columns,
        primary_key: keyed.into_iter().map(|(_, c)| c).collect(),
        parents,
    })
}

fn dependency_order(tables: Vec<TableSchema>) -> Vec<TableSchema> {
    let known: BTreeSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    let mut remaining: BTreeMap<String, TableSchema> =
        tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut ordered = Vec::with_capacity(remaining.len());
    while !remaining.is_empty() {
        let ready = remaining
            .values()
            .find(|t| {
                t.parents
                    .iter()
                    .all(|p| *p == t.name || placed.contains(p) || !known.contains(p))
            })
            .map(|t| t.name.clone());
        // A cycle: take the first remaining table by name (foreign keys are checked at commit).
        let next = ready.or_else(|| remaining.keys().next().cloned());
        let Some(next) = next else { break };
        if let Some(table) = remaining.remove(&next) {
            placed.insert(next);
            ordered.push(table);
        }
    }
    ordered
}

// ---------------------------------------------------------------------------------------------
// Export

fn order_by(table: &TableSchema) -> String {
    if table.primary_key.is_empty() {
        "rowid".to_owned()
    } else {
        table
            .primary_key
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads the whole catalog into a [`Document`], in one read transaction (a consistent
/// snapshot even if someone writes meanwhile). Progress counts rows; cancel stops it.
///
/// # Errors
/// [`InterchangeError::Cancelled`], SQLite failures, or text that is not valid UTF-8 (named by
/// table, record and field).
pub fn export(conn: &Connection, control: &JobControl) -> Result<Document> {
    let _read = if conn.is_autocommit() {
        Some(
            conn.unchecked_transaction()
                .map_err(InterchangeError::sqlite("reading the catalog"))?,
        )
    } else {
        None
    };
    let shown = conn
        .path()
        .filter(|p| !p.is_empty())
        .unwrap_or("the catalog")
        .to_owned();
    let schema_version =
        migrations::user_version(conn).map_err(InterchangeError::sqlite("reading the catalog"))?;
    let schema =
        exportable_tables(conn).map_err(InterchangeError::sqlite("reading the catalog"))?;
    control.set_stage("Counting rows");
    let mut total = 0_u64;
    for table in &schema {
        total += count_rows(conn, &table.name)?;
    }
    control.set_total(total);
    let mut tables = Vec::with_capacity(schema.len());
    for table in &schema {
        control.set_stage(&format!("Exporting {}", table.name));
        tables.push(export_table(conn, table, &shown, control)?);
    }
    Ok(Document {
        schema_version,
        tables,
    })
}

fn export_table(
    conn: &Connection,
    table: &TableSchema,
    shown: &str,
    control: &JobControl,
) -> Result<Table> {
    let columns: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let select = format!(
        "SELECT {} FROM {} ORDER BY {}",
        columns
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", "),
        quote_ident(&table.name),
        order_by(table)
    );
    let context = || format!("reading table {}", table.name);
    let mut stmt = conn
        .prepare(&select)
        .map_err(InterchangeError::sqlite(context()))?;
    let mut query = stmt
        .query([])
        .map_err(InterchangeError::sqlite(context()))?;
    let mut rows = Vec::new();
    while let Some(row) = query.next().map_err(InterchangeError::sqlite(context()))? {
        control.check()?;
        let mut cells = Vec::with_capacity(columns.len());
        for (i, column) in columns.iter().enumerate() {
            let value = row
                .get_ref(i)
                .map_err(InterchangeError::sqlite(context()))?;
            cells.push(match value {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Integer(n),
                ValueRef::Real(x) => Cell::Real(x),
                ValueRef::Text(bytes) => {
                    Cell::Text(String::from_utf8(bytes.to_vec()).map_err(|_| {
                        InterchangeError::Unreadable {
                            at: Box::new(Location {
                                record: Some(rows.len() as u64 + 1),
                                field: Some(column.clone()),
                                ..Location::table(shown, &table.name)
                            }),
                            problem: "the text is not valid UTF-8 (it was written by another \
                                      program); fix it in the catalog, then export again"
                                .to_owned(),
                        }
                    })?)
                }
                ValueRef::Blob(bytes) => Cell::Blob(bytes.to_vec()),
            });
        }
        rows.push(cells);
        control.advance(1);
    }
    Ok(Table {
        name: table.name.clone(),
        columns,
        rows,
    })
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub tables: usize,
    pub rows: u64,
    pub bytes: u64,
}

/// Exports the catalog to `path` as JSON. The file appears only when complete (written
/// beside it as `<name>.part`, synced, then renamed): a cancel or error leaves no file.
///
/// # Errors
/// As [`export`], plus write failures naming the file.
pub fn export_to_file(
    conn: &Connection,
    path: &Path,
    control: &JobControl,
) -> Result<ExportSummary> {
    let doc = export(conn, control)?;
    control.set_stage("Writing the file");
    let bytes = write_atomically(path, |w| doc.write_json(w))?;
    Ok(ExportSummary {
        path: path.to_path_buf(),
        tables: doc.tables.len(),
        rows: doc.row_count(),
        bytes,
    })
}

/// `path` with `.part` appended.
pub(crate) fn part_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// Writes `path` through `<path>.part` + rename; returns its size.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<u64> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| InterchangeError::io(parent, e))?;
    }
    let part = part_path(path);
    let result = (|| {
        let file = std::fs::File::create(&part)?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()?;
        let size = file.metadata()?.len();
        drop(file);
        std::fs::rename(&part, path)?;
        Ok(size)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&part);
        InterchangeError::io(path, e)
    })
}

// ---------------------------------------------------------------------------------------------
// Import

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Rows per table, in the order they were written.
    pub tables: Vec<(String, u64)>,
    pub rows: u64,
}

/// Reads a Labeldesk JSON export from a file.
///
/// # Errors
/// See [`Document::read_json`]; a missing or unreadable file.
pub fn read_file(path: &Path) -> Result<Document> {
    let file = std::fs::File::open(path).map_err(|e| InterchangeError::io(path, e))?;
    Document::read_json(file, &path.display().to_string())
}

/// True when `path` is a file that starts like a Labeldesk JSON export (for "Import…"
/// dispatch: reads at most 4 KiB).
#[must_use]
pub fn looks_like_labeldesk_json(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(4096);
    if file.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('{') && text.contains("\"format\"") && text.contains(&format!("\"{FORMAT}\""))
}

/// Imports a JSON export file into `catalog`, which must be empty.
///
/// # Errors
/// See [`import`]; every message names `path`.
pub fn import_file(
    catalog: &mut Catalog,
    path: &Path,
    control: &JobControl,
) -> Result<ImportSummary> {
    control.set_stage("Reading the file");
    let doc = read_file(path)?;
    let shown = path.display().to_string();
    import_tables(catalog, &doc, &|_| shown.clone(), &|_, _| None, control)
}

/// Imports `doc` into `catalog`, which must be empty: one transaction, tables in dependency
/// order, ids kept; the search index is built once after the rows (see [`import_tables`]).
///
/// # Errors
/// [`InterchangeError::NotEmpty`], [`InterchangeError::TooNew`] (a newer catalog version),
/// [`InterchangeError::Invalid`] naming table, record and field (unknown tables or fields,
/// missing fields, values the catalog refuses, references to missing rows),
/// [`InterchangeError::Cancelled`]. On any error nothing is written.
pub fn import(
    catalog: &mut Catalog,
    doc: &Document,
    control: &JobControl,
) -> Result<ImportSummary> {
    import_tables(
        catalog,
        doc,
        &|_| "the imported document".to_owned(),
        &|_, _| None,
        control,
    )
}

/// The shared import core. `file_of(table)` names the file a table came from; `line_of(table,
/// record index)` the line a record starts on, when known.
///
/// A bulk load ([`bulk::BulkLoad`]): the per-row search triggers and the non-unique indexes
/// of the imported tables are dropped, the rows go in through one prepared statement per
/// table, then the indexes, the search documents and both FTS5 indexes are built once and the
/// triggers restored, all in the same transaction, with the connection set up for it
/// ([`bulk::BulkSettings`]). Foreign keys are not looked up row by row: `PRAGMA
/// foreign_key_check` runs once after the rows and names the first dangling reference.
pub(crate) fn import_tables(
    catalog: &mut Catalog,
    doc: &Document,
    file_of: &dyn Fn(Option<&str>) -> String,
    line_of: &dyn Fn(&str, usize) -> Option<u64>,
    control: &JobControl,
) -> Result<ImportSummary> {
    let settings = bulk::BulkSettings::apply(catalog.conn())?;
    let result = import_in_transaction(catalog, doc, file_of, line_of, control);
    let restored = settings.restore(catalog.conn());
    let summary = result?;
    restored?;
    Ok(summary)
}

fn import_in_transaction(
    catalog: &mut Catalog,
    doc: &Document,
    file_of: &dyn Fn(Option<&str>) -> String,
    line_of: &dyn Fn(&str, usize) -> Option<u64>,
    control: &JobControl,
) -> Result<ImportSummary> {
    let latest = migrations::latest_version();
    if doc.schema_version > latest {
        return Err(InterchangeError::TooNew {
            path: file_of(None),
            what: "catalog version",
            found: doc.schema_version,
            supported: latest,
        });
    }
    if doc.schema_version < 1 {
        return Err(InterchangeError::NotLabeldesk {
            path: file_of(None),
            reason: format!("its schema_version {} is not valid", doc.schema_version),
        });
    }
    let catalog_name = catalog
        .path()
        .map_or_else(|| "the catalog".to_owned(), |p| p.display().to_string());
    let tx = catalog.transaction()?;
    let schema = exportable_tables(&tx).map_err(InterchangeError::sqlite("reading the catalog"))?;
    let strict = doc.schema_version == latest;
    let plan = match_tables(&schema, doc, strict, file_of)?;
    let seeded = seeded_tables()?;
    for table in schema.iter().filter(|t| !seeded.contains(&t.name)) {
        let rows = count_rows(&tx, &table.name)?;
        if rows > 0 {
            return Err(InterchangeError::NotEmpty {
                catalog: catalog_name,
                table: table.name.clone(),
                rows,
            });
        }
    }
    // Order inside the file does not matter; references are checked once everything is in.
    let names: Vec<&str> = plan.iter().map(|t| t.name.as_str()).collect();
    let mut bulk = bulk::BulkLoad::begin(&tx, &names)?;
    // Rows every new catalog starts with (its id, default settings) give way to the file's.
    for table in plan.iter().rev().filter(|t| seeded.contains(&t.name)) {
        tx.execute(&format!("DELETE FROM {}", quote_ident(&table.name)), [])
            .map_err(InterchangeError::sqlite(format!(
                "replacing the default rows of {}",
                table.name
            )))?;
    }
    // Progress: the rows, then as much again for the search index.
    let row_count = doc.row_count();
    control.set_total(row_count.saturating_mul(2));
    control.set_done(0);
    let mut summary = ImportSummary::default();
    let mut rowids: HashMap<&str, Vec<i64>> = HashMap::new();
    // The search documents of tables whose ids are in the file go to the index threads at
    // once, so they are tokenized while every table's rows are written.
    let mut handed_early: Vec<&str> = Vec::new();
    for table in &plan {
        let Some(columns) = SearchColumns::of(&table.name, &table.columns, &table.rows) else {
            continue;
        };
        let Some(id) = table.columns.iter().position(|c| c == "id") else {
            continue;
        };
        let ids: Option<Vec<i64>> = table
            .rows
            .iter()
            .map(|row| match row.get(id) {
                Some(Cell::Integer(n)) => Some(*n),
                _ => None,
            })
            .collect();
        if let Some(ids) = ids {
            for (rowid, row) in ids.into_iter().zip(&table.rows) {
                columns.hand_over(&mut bulk, rowid, row);
            }
            handed_early.push(&table.name);
        }
    }
    if !handed_early.is_empty() {
        bulk.write_out();
    }
    for table in plan {
        control.set_stage(&format!("Importing {}", table.name));
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote_ident(&table.name),
            table
                .columns
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", "),
            vec!["?"; table.columns.len()].join(", ")
        );
        let mut stmt = tx
            .prepare(&insert)
            .map_err(InterchangeError::sqlite(format!(
                "preparing table {}",
                table.name
            )))?;
        let ids = rowids.entry(table.name.as_str()).or_default();
        let documents = if handed_early.contains(&table.name.as_str()) {
            None
        } else {
            SearchColumns::of(&table.name, &table.columns, &table.rows)
        };
        for (r, row) in table.rows.iter().enumerate() {
            control.check()?;
            stmt.execute(rusqlite::params_from_iter(row.iter()))
                .map_err(|e| {
                    let (field, problem) = explain_insert_error(&e, table, row);
                    InterchangeError::Invalid {
                        at: Box::new(Location {
                            file: file_of(Some(&table.name)),
                            table: Some(table.name.clone()),
                            record: Some(r as u64 + 1),
                            line: line_of(&table.name, r),
                            field,
                        }),
                        problem,
                    }
                })?;
            let rowid = tx.last_insert_rowid();
            ids.push(rowid);
            if let Some(columns) = &documents {
                columns.hand_over(&mut bulk, rowid, row);
            }
            control.advance(1);
        }
        summary
            .tables
            .push((table.name.clone(), table.rows.len() as u64));
        summary.rows += table.rows.len() as u64;
    }
    control.set_stage("Checking references");
    check_references(&tx, &rowids, file_of, line_of)?;
    control.check()?;
    control.set_stage("Building indexes");
    bulk.restore_indexes(&tx)?;
    control.check()?;
    control.set_stage("Finishing the search index");
    let built = bulk
        .build_search(&tx, control, row_count, row_count.saturating_mul(2))
        .map_err(InterchangeError::from)?;
    if built.is_none() {
        return Err(Cancelled.into());
    }
    bulk.restore_triggers(&tx)?;
    control.check()?;
    control.set_stage("Saving");
    tx.commit()
        .map_err(InterchangeError::sqlite("saving the import"))?;
    Ok(summary)
}

/// Where an imported table's search documents come from, when they can be written from its
/// cells exactly as the schema's triggers would (every cell text; an ISRC may be empty).
/// Otherwise (a number in a title, say) the bulk load reads them back with SQL after the rows.
enum SearchColumns {
    Artist { name: usize, sort_name: usize },
    Track { title: usize, isrc: Option<usize> },
}

impl SearchColumns {
    fn of(table: &str, columns: &[String], rows: &[Vec<Cell>]) -> Option<Self> {
        let at = |name: &str| columns.iter().position(|c| c == name);
        let found = match table {
            "artists" => Self::Artist {
                name: at("name")?,
                sort_name: at("sort_name")?,
            },
            "tracks" => Self::Track {
                title: at("title")?,
                isrc: at("isrc"),
            },
            _ => return None,
        };
        rows.iter()
            .all(|row| found.cells(row).is_some())
            .then_some(found)
    }

    /// The document's text cells: (name, sort name) or (title, ISRC).
    fn cells<'r>(&self, row: &'r [Cell]) -> Option<(&'r str, Option<&'r str>)> {
        let text = |i: usize| match row.get(i) {
            Some(Cell::Text(s)) => Some(s.as_str()),
            _ => None,
        };
        match *self {
            Self::Artist { name, sort_name } => Some((text(name)?, Some(text(sort_name)?))),
            Self::Track { title, isrc } => {
                let isrc = match isrc.map(|i| row.get(i)) {
                    None | Some(Some(Cell::Null)) => None,
                    Some(Some(Cell::Text(s))) => Some(s.as_str()),
                    Some(_) => return None,
                };
                Some((text(title)?, isrc))
            }
        }
    }

    fn hand_over(&self, bulk: &mut bulk::BulkLoad, rowid: i64, row: &[Cell]) {
        match (self, self.cells(row)) {
            (Self::Artist { .. }, Some((name, Some(sort_name)))) => {
                bulk.add_artist(rowid, name, sort_name);
            }
            (Self::Track { .. }, Some((title, isrc))) => bulk.add_track(rowid, title, isrc),
            _ => {}
        }
    }
}

fn count_rows(conn: &Connection, table: &str) -> Result<u64> {
    let rows: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM {}", quote_ident(table)),
            [],
            |r| r.get(0),
        )
        .map_err(InterchangeError::sqlite(format!(
            "counting the rows of {table}"
        )))?;
    Ok(u64::try_from(rows).unwrap_or(0))
}

/// Tables that already have rows in a brand-new catalog (written by the migrations: the
/// catalog's id, default settings and profiles). A catalog holding rows only there is empty.
///
/// # Errors
/// SQLite failures.
pub fn seeded_tables() -> Result<BTreeSet<String>> {
    let fresh = Catalog::open_in_memory()?;
    let mut seeded = BTreeSet::new();
    for table in
        exportable_tables(fresh.conn()).map_err(InterchangeError::sqlite("creating a catalog"))?
    {
        if count_rows(fresh.conn(), &table.name)? > 0 {
            seeded.insert(table.name);
        }
    }
    Ok(seeded)
}

/// Pairs each document table with the catalog's table, refusing unknown tables and columns.
fn match_tables<'d>(
    schema: &'d [TableSchema],
    doc: &'d Document,
    strict: bool,
    file_of: &dyn Fn(Option<&str>) -> String,
) -> Result<Vec<&'d Table>> {
    for table in &doc.tables {
        if !schema.iter().any(|s| s.name == table.name) {
            return Err(InterchangeError::Invalid {
                at: Box::new(Location::table(&file_of(Some(&table.name)), &table.name)),
                problem: "this catalog has no such table".to_owned(),
            });
        }
    }
    let mut plan = Vec::new();
    for table_schema in schema {
        let Some(table) = doc.table(&table_schema.name) else {
            if strict {
                return Err(InterchangeError::Invalid {
                    at: Box::new(Location::table(
                        &file_of(Some(&table_schema.name)),
                        &table_schema.name,
                    )),
                    problem: "the table is missing".to_owned(),
                });
            }
            continue;
        };
        let at = |field: &str| Location {
            field: Some(field.to_owned()),
            ..Location::table(&file_of(Some(&table.name)), &table.name)
        };
        for column in &table.columns {
            if table_schema.column(column).is_none() {
                return Err(InterchangeError::Invalid {
                    at: Box::new(at(column)),
                    problem: "this catalog's table has no such column".to_owned(),
                });
            }
        }
        if strict {
            for column in &table_schema.columns {
                if !table.columns.contains(&column.name) {
                    return Err(InterchangeError::Invalid {
                        at: Box::new(at(&column.name)),
                        problem: "the column is missing".to_owned(),
                    });
                }
            }
        }
        plan.push(table);
    }
    Ok(plan)
}

/// Which field an insert failure is about, and what to tell the user.
fn explain_insert_error(
    e: &rusqlite::Error,
    table: &Table,
    row: &[Cell],
) -> (Option<String>, String) {
    let message = match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
        other => other.to_string(),
    };
    // CHECK expressions come with the schema's line breaks and indentation.
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    // "NOT NULL constraint failed: tracks.title", "UNIQUE constraint failed: tracks.id",
    // "CHECK constraint failed: length(isrc) = 12 ...": find the column the message names.
    let qualified = message
        .split(|c: char| c == ',' || c.is_whitespace())
        .find_map(|word| word.strip_prefix(&format!("{}.", table.name)))
        .map(str::to_owned);
    let field = qualified.or_else(|| {
        table
            .columns
            .iter()
            .find(|c| contains_word(&message, c))
            .cloned()
    });
    let value = field
        .as_ref()
        .and_then(|f| table.columns.iter().position(|c| c == f))
        .and_then(|i| row.get(i))
        .map(Cell::describe);
    let shown = value.map(|v| format!(" (value {v})")).unwrap_or_default();
    let problem = match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) if message.starts_with("NOT NULL") => {
            "the field is empty but the catalog needs a value".to_owned()
        }
        Some(ErrorCode::ConstraintViolation) if message.starts_with("UNIQUE") => {
            format!("the same value is already used by another record{shown}: {message}")
        }
        Some(ErrorCode::ConstraintViolation) if message.starts_with("CHECK") => {
            format!("the catalog does not accept this value{shown} ({message})")
        }
        _ => format!("the record could not be written{shown}: {message}"),
    };
    (field, problem)
}

fn contains_word(haystack: &str, word: &str) -> bool {
    haystack
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w == word)
}

/// Runs `PRAGMA foreign_key_check` and reports the first dangling reference by table, record
/// and field.
fn check_references(
    conn: &Connection,
    rowids: &HashMap<&str, Vec<i64>>,
    file_of: &dyn Fn(Option<&str>) -> String,
    line_of: &dyn Fn(&str, usize) -> Option<u64>,
) -> Result<()> {
    let context = || "checking references";
    let first: Option<(String, Option<i64>, String, i64)> = conn
        .prepare("PRAGMA foreign_key_check")
        .and_then(|mut stmt| {
            let mut rows = stmt.query([])?;
            rows.next()?
                .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .transpose()
        })
        .map_err(InterchangeError::sqlite(context()))?;
    let Some((table, rowid, parent, fk_id)) = first else {
        return Ok(());
    };
    let field: Option<String> = conn
        .query_row(
            "SELECT group_concat(\"from\", ', ') FROM pragma_foreign_key_list(?1) WHERE id = ?2",
            rusqlite::params![table, fk_id],
            |r| r.get(0),
        )
        .map_err(InterchangeError::sqlite(context()))?;
    let record = rowid.and_then(|id| {
        rowids
            .get(table.as_str())
            .and_then(|ids| ids.iter().position(|&x| x == id))
    });
    let value = match (&field, rowid) {
        (Some(f), Some(id)) if !f.contains(',') => conn
            .query_row(
                &format!(
                    "SELECT {} FROM {} WHERE rowid = ?1",
                    quote_ident(f),
                    quote_ident(&table)
                ),
                [id],
                |r| r.get::<_, rusqlite::types::Value>(0),
            )
            .ok()
            .map(|v| match v {
                rusqlite::types::Value::Integer(n) => n.to_string(),
                rusqlite::types::Value::Text(s) => format!("{s:?}"),
                other => format!("{other:?}"),
            }),
        _ => None,
    };
    Err(InterchangeError::Invalid {
        at: Box::new(Location {
            file: file_of(Some(&table)),
            line: record.and_then(|r| line_of(&table, r)),
            record: record.map(|r| r as u64 + 1),
            table: Some(table.clone()),
            field,
        }),
        problem: match value {
            Some(v) => format!("it refers to {v} in table {parent}, which is not in the file"),
            None => format!("it refers to a record of table {parent} that is not in the file"),
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Command line

/// `labeldesk export DIR --format json|csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON document (`labeldesk.json` in DIR, or DIR itself when it ends in `.json`).
    Json,
    /// One CSV file per table plus `labeldesk-csv.json`, in DIR.
    Csv,
}

/// `labeldesk export DEST --format json|csv [--db PATH]`: refuses a missing catalog.
///
/// # Errors
/// Opening the catalog, reading it, writing the files.
pub fn cli_export(db: &Path, dest: &Path, format: ExportFormat, out: &mut dyn Write) -> Result<()> {
    let catalog = Catalog::open(db)?;
    let control = JobControl::default();
    let output = |e| InterchangeError::io(Path::new("standard output"), e);
    match format {
        ExportFormat::Json => {
            let is_file = dest
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                && !dest.is_dir();
            let path = if is_file {
                dest.to_path_buf()
            } else {
                dest.join(DEFAULT_FILE_NAME)
            };
            let summary = export_to_file(catalog.conn(), &path, &control)?;
            writeln!(
                out,
                "exported {} rows from {} tables to {} ({} bytes)",
                summary.rows,
                summary.tables,
                summary.path.display(),
                summary.bytes
            )
            .map_err(output)?;
        }
        ExportFormat::Csv => {
            let summary = super::csv_export::export_dir(catalog.conn(), dest, &control)?;
            writeln!(
                out,
                "exported {} rows to {} CSV files in {}",
                summary.rows,
                summary.files.len(),
                dest.display()
            )
            .map_err(output)?;
        }
    }
    Ok(())
}

/// A Labeldesk export read for `labeldesk import`, before the catalog is touched.
enum Parsed {
    Json(Document),
    Csv,
}

/// `labeldesk import SOURCE [--db PATH]` for Labeldesk exports: a JSON file or a CSV folder.
/// Creates the catalog when `db` does not exist (and removes it again if the import fails);
/// an existing catalog must be empty. The source is read completely before the catalog is
/// touched.
///
/// # Errors
/// A source that is not a Labeldesk export, or any import error (nothing written).
pub fn cli_import(db: &Path, source: &Path, out: &mut dyn Write) -> Result<()> {
    let control = JobControl::default();
    let shown = source.display().to_string();
    let meta = std::fs::metadata(source).map_err(|e| InterchangeError::io(source, e))?;
    let parsed = if meta.is_dir() {
        super::csv_export::check_manifest(source)?;
        Parsed::Csv
    } else {
        Parsed::Json(read_file(source)?)
    };
    let created = !db.exists() && !crate::db::wal_path(db).exists();
    let mut catalog = if created {
        Catalog::create(db)?
    } else {
        Catalog::open(db)?
    };
    let result = match &parsed {
        Parsed::Json(doc) => import_tables(
            &mut catalog,
            doc,
            &|_| shown.clone(),
            &|_, _| None,
            &control,
        ),
        Parsed::Csv => super::csv_export::import_dir(&mut catalog, source, &control),
    };
    match result {
        Ok(summary) => {
            drop(catalog);
            let counts: Vec<String> = summary
                .tables
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            writeln!(
                out,
                "imported {} rows into {}{}: {}",
                summary.rows,
                db.display(),
                if created { " (new catalog)" } else { "" },
                counts.join(", ")
            )
            .map_err(|e| InterchangeError::io(Path::new("standard output"), e))?;
            Ok(())
        }
        Err(e) => {
            drop(catalog);
            if created {
                for path in [
                    db.to_path_buf(),
                    crate::db::wal_path(db),
                    super::backup::shm_path(db),
                ] {
                    let _ = std::fs::remove_file(path);
                }
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(hex_decode(&hex_encode(&bytes)), Ok(bytes));
        assert_eq!(hex_decode("DEADbeef"), Ok(vec![0xde, 0xad, 0xbe, 0xef]));
        assert!(hex_decode("abc").is_err());
        assert!(hex_decode("zz").is_err());
    }

    #[test]
    fn affinity_follows_sqlite_rules() {
        assert_eq!(Affinity::of_declared_type("INTEGER"), Affinity::Integer);
        assert_eq!(Affinity::of_declared_type("varchar(20)"), Affinity::Text);
        assert_eq!(Affinity::of_declared_type(""), Affinity::Blob);
        assert_eq!(Affinity::of_declared_type("BLOB"), Affinity::Blob);
        assert_eq!(Affinity::of_declared_type("DOUBLE"), Affinity::Real);
        assert_eq!(
            Affinity::of_declared_type("DECIMAL(10,2)"),
            Affinity::Numeric
        );
    }

    #[test]
    fn content_option_of_fts_tables_is_found() {
        assert_eq!(
            fts_content_table(
                "CREATE VIRTUAL TABLE w USING fts5 (body, content = 'search_docs', content_rowid = 'id')"
            ),
            Some("search_docs".to_owned())
        );
        assert_eq!(
            fts_content_table(
                "CREATE VIRTUAL TABLE w USING fts5(body, content_rowid=id, content=docs)"
            ),
            Some("docs".to_owned())
        );
        assert_eq!(
            fts_content_table("CREATE VIRTUAL TABLE w USING fts5(body)"),
            None
        );
    }

    #[test]
    fn values_of_every_storage_class_survive_json() {
        let doc = Document {
            schema_version: 1,
            tables: vec![Table {
                name: "t".to_owned(),
                columns: vec!["a".to_owned(), "b \"quoted\"".to_owned()],
                rows: vec![
                    vec![Cell::Null, Cell::Integer(i64::MIN)],
                    vec![Cell::Integer(i64::MAX), Cell::Real(2.0)],
                    vec![Cell::Real(-0.1), Cell::Real(1e300)],
                    vec![Cell::Real(f64::INFINITY), Cell::Real(f64::NEG_INFINITY)],
                    vec![
                        Cell::Text("Nação\n\"x\",\u{0}".to_owned()),
                        Cell::Text(String::new()),
                    ],
                    vec![Cell::Blob(vec![0, 1, 255]), Cell::Blob(Vec::new())],
                ],
            }],
        };
        let bytes = doc.to_json_bytes();
        let back = Document::read_json(&bytes[..], "t.json").expect("read");
        assert_eq!(back, doc);
        assert_eq!(back.to_json_bytes(), bytes);
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
        assert_eq!(
            value["tables"]["t"]["rows"][1]["b \"quoted\""],
            serde_json::json!(2.0)
        );
    }

    #[test]
    fn a_cut_short_document_names_the_table_record_and_field() {
        let text = r#"{"format": "labeldesk", "version": 1, "schema_version": 1, "tables": {
            "artists": {"columns": ["id", "name"], "rows": [
                {"id": 1, "name": "A"},
                {"id": 2, "name": "B"#;
        let err = Document::read_json(text.as_bytes(), "cut.json").expect_err("cut short");
        let message = err.to_string();
        assert!(
            message.contains("cut.json, table artists, record 2, field name")
                && message.contains("ends too early"),
            "{message}"
        );
    }

    #[test]
    fn other_json_and_wrong_values_are_refused() {
        let err = Document::read_json(&b"[1, 2]"[..], "list.json").expect_err("not ours");
        assert!(
            matches!(err, InterchangeError::NotLabeldesk { .. }),
            "{err}"
        );
        let err = Document::read_json(&br#"{"format": "other"}"#[..], "o.json").expect_err("x");
        assert!(err.to_string().contains("\"other\""), "{err}");
        let text = r#"{"format": "labeldesk", "version": 1, "schema_version": 1, "tables": {
            "artists": {"columns": ["id", "name"], "rows": [{"id": 1, "name": true}]}}}"#;
        let err = Document::read_json(text.as_bytes(), "b.json").expect_err("bool");
        assert!(
            err.to_string()
                .contains("b.json, table artists, record 1, field name"),
            "{err}"
        );
        let text = r#"{"format": "labeldesk", "version": 2, "schema_version": 1, "tables": {}}"#;
        let err = Document::read_json(text.as_bytes(), "v.json").expect_err("newer layout");
        assert!(matches!(err, InterchangeError::TooNew { .. }), "{err}");
        let text = r#"{"format": "labeldesk", "version": 1, "schema_version": 1, "tables": {
            "artists": {"columns": ["id", "name"], "rows": [{"id": 1}]}}}"#;
        let err = Document::read_json(text.as_bytes(), "m.json").expect_err("missing field");
        assert!(
            err.to_string()
                .contains("m.json, table artists, record 1, field name: the field is missing"),
            "{err}"
        );
    }
}
