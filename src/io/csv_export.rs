//! Labeldesk's own CSV form: one UTF-8 CSV file per table (header row = column names) plus a
//! small manifest, `labeldesk-csv.json`, in one folder. Same tables, order and import rules as
//! the JSON export ([`super::json`]): import goes into an empty catalog only, in one
//! transaction, and export → import → export is lossless.
//!
//! How values are written, so that CSV (which has no types) still round-trips exactly:
//! - **Empty cell**: NULL in a column that allows NULL; empty text in a NOT NULL column.
//! - **Numbers** (INTEGER and REAL values) are written plainly (`-5`, `2.0`, `1e20`); a negative
//!   number stays a number.
//! - **Binary data** (BLOB, e.g. cover images) is written `\x` followed by hex digits.
//! - **Text** is written as is, except that ONE apostrophe `'` is put in front when the text
//!   starts with `=`, `+`, `-`, `@`, a tab or a carriage return (so a spreadsheet does not run
//!   it as a formula: "CSV injection"), when it already starts with `'` or with `\x`, when it
//!   is empty in a column that allows NULL, or when it looks like a number in a column that is
//!   not a text column. Import removes exactly one leading `'` from such a cell, so
//!   `'=SUM(A1)` comes back as `=SUM(A1)` and `''quoted` as `'quoted`.
//!
//! Reading tolerates a UTF-8 byte-order mark (spreadsheets add one) and columns in any order.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::json::{
    self, Affinity, Cell, ColumnSchema, Document, ImportSummary, InterchangeError, Location, Table,
    TableSchema,
};
use crate::db::{Catalog, migrations};
use crate::jobs::JobControl;

/// The manifest file that marks a folder as a Labeldesk CSV export.
pub const MANIFEST: &str = "labeldesk-csv.json";
/// `"format"` of the manifest.
pub const FORMAT: &str = "labeldesk-csv";
/// Version of the folder layout and cell rules.
pub const FORMAT_VERSION: i64 = 1;

const ABOUT: &str = "Labeldesk catalog export: one UTF-8 CSV file per table, header row = column \
names. Empty cell = NULL where a column allows NULL. Binary data is written \\x + hex. A text \
cell starting with = + - @ tab, carriage return, ' or \\x (or empty text where NULL is allowed, \
or text that looks like a number in a non-text column) has ONE ' added in front, removed again \
on import.";

/// The manifest: what the folder holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: i64,
    pub schema_version: i64,
    /// Table names, in import order; each is `<name>.csv` in the folder.
    pub tables: Vec<String>,
    #[serde(default)]
    pub about: String,
}

/// What a CSV export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvExportSummary {
    pub dir: PathBuf,
    /// Each table's file and its row count.
    pub files: Vec<(PathBuf, u64)>,
    pub rows: u64,
}

/// The file of `table` in an export folder.
#[must_use]
pub fn table_file(dir: &Path, table: &str) -> PathBuf {
    dir.join(format!("{table}.csv"))
}

// ---------------------------------------------------------------------------------------------
// Cells

const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True when a spreadsheet could take `text` for a formula (it starts with `=`, `+`, `-`, `@`,
/// tab or carriage return).
#[must_use]
pub fn is_formula_like(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

fn parse_integer(raw: &str) -> Option<i64> {
    let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// A decimal number with a fraction or an exponent (`2.0`, `-0.5`, `1e20`, `1e999` = infinity).
fn parse_real(raw: &str) -> Option<f64> {
    let body = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && !(int.is_empty() && frac.is_none_or(str::is_empty));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !mantissa_ok || !exponent_ok || (frac.is_none() && exponent.is_none()) {
        return None;
    }
    raw.parse().ok()
}

fn real_text(x: f64) -> String {
    if x.is_infinite() {
        if x < 0.0 { "-1e999" } else { "1e999" }.to_owned()
    } else {
        // Debug formatting is the shortest text that reads back to the same number and always
        // has a fraction or an exponent ("2.0", "1e20").
        format!("{x:?}")
    }
}

fn needs_apostrophe(text: &str, column: &ColumnSchema) -> bool {
    (text.is_empty() && !column.not_null)
        || is_formula_like(text)
        || text.starts_with('\'')
        || text.starts_with("\\x")
        || (column.affinity != Affinity::Text
            && (parse_integer(text).is_some() || parse_real(text).is_some()))
}

/// How `cell` is written in `column` (see the module docs).
#[must_use]
pub fn encode_cell<'a>(cell: &'a Cell, column: &ColumnSchema) -> Cow<'a, str> {
    match cell {
        Cell::Null => Cow::Borrowed(""),
        Cell::Integer(n) => Cow::Owned(n.to_string()),
        Cell::Real(x) => Cow::Owned(real_text(*x)),
        Cell::Text(s) if needs_apostrophe(s, column) => Cow::Owned(format!("'{s}")),
        Cell::Text(s) => Cow::Borrowed(s),
        Cell::Blob(b) => Cow::Owned(format!("\\x{}", json::hex_encode(b))),
    }
}

/// The value a written cell stands for in `column` (the reverse of [`encode_cell`]).
///
/// # Errors
/// A message when `\x` is not followed by hex digits.
pub fn decode_cell(raw: &str, column: &ColumnSchema) -> Result<Cell, String> {
    if raw.is_empty() {
        return Ok(if column.not_null {
            Cell::Text(String::new())
        } else {
            Cell::Null
        });
    }
    if let Some(text) = raw.strip_prefix('\'') {
        return Ok(Cell::Text(text.to_owned()));
    }
    if let Some(hex) = raw.strip_prefix("\\x") {
        return json::hex_decode(hex).map(Cell::Blob);
    }
    if column.affinity == Affinity::Text {
        return Ok(Cell::Text(raw.to_owned()));
    }
    if let Some(n) = parse_integer(raw) {
        return Ok(Cell::Integer(n));
    }
    if let Some(x) = parse_real(raw) {
        return Ok(Cell::Real(x));
    }
    Ok(Cell::Text(raw.to_owned()))
}

// ---------------------------------------------------------------------------------------------
// Export

/// Exports every table as `<table>.csv` (UTF-8, header row) plus [`MANIFEST`] into `dir`
/// (created if needed). Files are written as `.part` and renamed only when all are complete,
/// manifest last: a cancel or error leaves the folder as it was.
///
/// # Errors
/// As [`json::export`], plus write failures naming the file.
pub fn export_dir(
    conn: &Connection,
    dir: &Path,
    control: &JobControl,
) -> Result<CsvExportSummary, InterchangeError> {
    let doc = json::export(conn, control)?;
    let schema = json::exportable_tables(conn).map_err(|source| InterchangeError::Sqlite {
        context: "reading the catalog".to_owned(),
        source,
    })?;
    std::fs::create_dir_all(dir).map_err(|e| InterchangeError::io(dir, e))?;
    control.set_stage("Writing CSV files");
    let mut parts: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = write_parts(&doc, &schema, dir, control, &mut parts);
    let result = result.and_then(|files| {
        for (part, path) in &parts {
            std::fs::rename(part, path).map_err(|e| InterchangeError::io(path, e))?;
        }
        Ok(files)
    });
    match result {
        Ok(files) => Ok(CsvExportSummary {
            dir: dir.to_path_buf(),
            rows: doc.row_count(),
            files,
        }),
        Err(e) => {
            for (part, _) in &parts {
                let _ = std::fs::remove_file(part);
            }
            Err(e)
        }
    }
}

fn write_parts(
    doc: &Document,
    schema: &[TableSchema],
    dir: &Path,
    control: &JobControl,
    parts: &mut Vec<(PathBuf, PathBuf)>,
) -> Result<Vec<(PathBuf, u64)>, InterchangeError> {
    let mut files = Vec::new();
    for table in &doc.tables {
        control.check()?;
        let path = table_file(dir, &table.name);
        let part = json::part_path(&path);
        parts.push((part.clone(), path.clone()));
        let columns: Vec<ColumnSchema> = table
            .columns
            .iter()
            .map(|name| {
                schema
                    .iter()
                    .find(|t| t.name == table.name)
                    .and_then(|t| t.column(name))
                    .cloned()
                    .unwrap_or_else(|| ColumnSchema {
                        name: name.clone(),
                        declared_type: String::new(),
                        affinity: Affinity::Blob,
                        not_null: false,
                    })
            })
            .collect();
        write_table(&part, table, &columns).map_err(|e| InterchangeError::io(&path, e))?;
        files.push((path, table.rows.len() as u64));
    }
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        version: FORMAT_VERSION,
        schema_version: doc.schema_version,
        tables: doc.tables.iter().map(|t| t.name.clone()).collect(),
        about: ABOUT.to_owned(),
    };
    let path = dir.join(MANIFEST);
    let part = json::part_path(&path);
    parts.push((part.clone(), path.clone()));
    let mut bytes = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other);
    if let Ok(b) = &mut bytes {
        b.push(b'\n');
    }
    bytes
        .and_then(|b| {
            let mut file = std::fs::File::create(&part)?;
            file.write_all(&b)?;
            file.sync_all()
        })
        .map_err(|e| InterchangeError::io(&path, e))?;
    Ok(files)
}

fn write_table(part: &Path, table: &Table, columns: &[ColumnSchema]) -> std::io::Result<()> {
    let file = std::fs::File::create(part)?;
    let mut w = csv::WriterBuilder::new().from_writer(std::io::BufWriter::new(file));
    w.write_record(&table.columns)?;
    for row in &table.rows {
        w.write_record(row.iter().zip(columns).map(|(cell, column)| {
            let text: Cow<'_, str> = encode_cell(cell, column);
            text.into_owned()
        }))?;
    }
    let inner = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let file = inner
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    file.sync_all()
}

// ---------------------------------------------------------------------------------------------
// Import

/// True when `dir` is a folder with a Labeldesk CSV manifest.
#[must_use]
pub fn looks_like_labeldesk_csv(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file()
}

/// Reads and checks the manifest of an export folder.
///
/// # Errors
/// [`InterchangeError::NotLabeldesk`] when there is none or it is not ours,
/// [`InterchangeError::TooNew`] for a newer layout or catalog version.
pub fn check_manifest(dir: &Path) -> Result<Manifest, InterchangeError> {
    let path = dir.join(MANIFEST);
    let shown = dir.display().to_string();
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InterchangeError::NotLabeldesk {
                path: shown,
                reason: format!(
                    "the folder has no {MANIFEST} (to bring in your own spreadsheet, use the \
                     spreadsheet import)"
                ),
            });
        }
        Err(e) => return Err(InterchangeError::io(&path, e)),
    };
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|e| InterchangeError::NotLabeldesk {
            path: path.display().to_string(),
            reason: format!("it cannot be read ({e})"),
        })?;
    if manifest.format != FORMAT {
        return Err(InterchangeError::NotLabeldesk {
            path: path.display().to_string(),
            reason: format!("its \"format\" is {:?}", manifest.format),
        });
    }
    if manifest.version > FORMAT_VERSION {
        return Err(InterchangeError::TooNew {
            path: shown,
            what: "CSV export version",
            found: manifest.version,
            supported: FORMAT_VERSION,
        });
    }
    let latest = migrations::latest_version();
    if manifest.schema_version > latest {
        return Err(InterchangeError::TooNew {
            path: shown,
            what: "catalog version",
            found: manifest.schema_version,
            supported: latest,
        });
    }
    Ok(manifest)
}

/// Imports an export folder into `catalog`, which must be empty. Every file is read and
/// checked before anything is written; then one transaction as in [`json::import`].
///
/// # Errors
/// A missing file or column (naming the file and column), a malformed record (naming file,
/// record, line and field), anything [`json::import`] refuses; nothing is written.
pub fn import_dir(
    catalog: &mut Catalog,
    dir: &Path,
    control: &JobControl,
) -> Result<ImportSummary, InterchangeError> {
    let manifest = check_manifest(dir)?;
    let schema =
        json::exportable_tables(catalog.conn()).map_err(|source| InterchangeError::Sqlite {
            context: "reading the catalog".to_owned(),
            source,
        })?;
    let strict = manifest.schema_version == migrations::latest_version();
    let mut tables = Vec::new();
    let mut lines: HashMap<String, Vec<u64>> = HashMap::new();
    for name in &manifest.tables {
        control.check()?;
        let path = table_file(dir, name);
        let Some(table_schema) = schema.iter().find(|t| &t.name == name) else {
            return Err(InterchangeError::Invalid {
                at: Box::new(Location::file_table(&path, name)),
                problem: "this catalog has no such table".to_owned(),
            });
        };
        control.set_stage(&format!("Reading {}", path.display()));
        let (table, table_lines) = read_table(&path, table_schema, strict, control)?;
        lines.insert(name.clone(), table_lines);
        tables.push(table);
    }
    if strict && let Some(missing) = schema.iter().find(|t| !manifest.tables.contains(&t.name)) {
        return Err(InterchangeError::Invalid {
            at: Box::new(Location::file_table(
                &table_file(dir, &missing.name),
                &missing.name,
            )),
            problem: format!("the file is missing (it is not listed in {MANIFEST})"),
        });
    }
    let doc = Document {
        schema_version: manifest.schema_version,
        tables,
    };
    let file_of = |table: Option<&str>| match table {
        Some(t) => table_file(dir, t).display().to_string(),
        None => dir.display().to_string(),
    };
    let line_of =
        |table: &str, record: usize| lines.get(table).and_then(|l| l.get(record)).copied();
    json::import_tables(catalog, &doc, &file_of, &line_of, control)
}

impl Location {
    fn file_table(path: &Path, table: &str) -> Self {
        Self {
            file: path.display().to_string(),
            table: Some(table.to_owned()),
            ..Self::default()
        }
    }
}

fn read_table(
    path: &Path,
    schema: &TableSchema,
    strict: bool,
    control: &JobControl,
) -> Result<(Table, Vec<u64>), InterchangeError> {
    let at = |record: Option<u64>, line: Option<u64>, field: Option<&str>| Location {
        record,
        line,
        field: field.map(str::to_owned),
        ..Location::file_table(path, &schema.name)
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InterchangeError::Invalid {
                at: Box::new(at(None, None, None)),
                problem: "the file is missing".to_owned(),
            });
        }
        Err(e) => return Err(InterchangeError::io(path, e)),
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(body);
    let csv_problem = |e: &csv::Error| -> (Option<u64>, String) {
        match e.kind() {
            csv::ErrorKind::Utf8 { pos, .. } => (
                pos.as_ref().map(csv::Position::line),
                "the text is not UTF-8 (save the file as \"CSV UTF-8\")".to_owned(),
            ),
            csv::ErrorKind::UnequalLengths {
                pos,
                expected_len,
                len,
            } => (
                pos.as_ref().map(csv::Position::line),
                format!("the record has {len} fields but the header row has {expected_len}"),
            ),
            _ => (None, e.to_string()),
        }
    };
    let headers = reader
        .headers()
        .map_err(|e| {
            let (line, problem) = csv_problem(&e);
            InterchangeError::Invalid {
                at: Box::new(at(None, line, None)),
                problem: format!("the header row cannot be read: {problem}"),
            }
        })?
        .clone();
    if headers.is_empty() {
        return Err(InterchangeError::Invalid {
            at: Box::new(at(None, None, None)),
            problem: "the file is empty (it has no header row)".to_owned(),
        });
    }
    let mut columns: Vec<&ColumnSchema> = Vec::with_capacity(headers.len());
    for name in &headers {
        let Some(column) = schema.column(name) else {
            return Err(InterchangeError::Invalid {
                at: Box::new(at(None, Some(1), Some(name))),
                problem: "the header names a column this table does not have".to_owned(),
            });
        };
        if columns.iter().any(|c| c.name == name) {
            return Err(InterchangeError::Invalid {
                at: Box::new(at(None, Some(1), Some(name))),
                problem: "the column appears twice in the header row".to_owned(),
            });
        }
        columns.push(column);
    }
    if strict
        && let Some(missing) = schema
            .columns
            .iter()
            .find(|c| !headers.iter().any(|h| h == c.name))
    {
        return Err(InterchangeError::Invalid {
            at: Box::new(at(None, Some(1), Some(&missing.name))),
            problem: "the column is missing from the header row".to_owned(),
        });
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for (r, record) in reader.records().enumerate() {
        control.check()?;
        let number = Some(r as u64 + 1);
        let record = record.map_err(|e| {
            let (line, problem) = csv_problem(&e);
            InterchangeError::Invalid {
                at: Box::new(at(number, line, None)),
                problem,
            }
        })?;
        let line = record.position().map(csv::Position::line);
        let mut cells = Vec::with_capacity(columns.len());
        for (raw, column) in record.iter().zip(&columns) {
            cells.push(
                decode_cell(raw, column).map_err(|problem| InterchangeError::Invalid {
                    at: Box::new(at(number, line, Some(&column.name))),
                    problem,
                })?,
            );
        }
        rows.push(cells);
        lines.push(line.unwrap_or(0));
    }
    Ok((
        Table {
            name: schema.name.clone(),
            columns: columns.iter().map(|c| c.name.clone()).collect(),
            rows,
        },
        lines,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(affinity: Affinity, not_null: bool) -> ColumnSchema {
        ColumnSchema {
            name: "c".to_owned(),
            declared_type: String::new(),
            affinity,
            not_null,
        }
    }

    #[test]
    fn formula_cells_get_one_apostrophe_and_lose_exactly_one() {
        let text = column(Affinity::Text, true);
        for (value, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+44 20 7946 0000", "'+44 20 7946 0000"),
            ("-minus", "'-minus"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\tTab", "'\tTab"),
            ("\rCR", "'\rCR"),
            ("'already", "''already"),
            ("''twice", "'''twice"),
            ("\\xnot-binary", "'\\xnot-binary"),
            ("plain", "plain"),
            ("036000241457", "036000241457"),
            ("", ""),
        ] {
            let cell = Cell::Text(value.to_owned());
            assert_eq!(encode_cell(&cell, &text), written, "{value:?}");
            assert_eq!(decode_cell(written, &text), Ok(cell), "{written:?}");
        }
    }

    #[test]
    fn numbers_stay_numbers_and_typed_values_round_trip() {
        for affinity in [
            Affinity::Integer,
            Affinity::Real,
            Affinity::Numeric,
            Affinity::Blob,
        ] {
            for not_null in [false, true] {
                let col = column(affinity, not_null);
                let mut cells = vec![
                    Cell::Integer(-5),
                    Cell::Integer(i64::MIN),
                    Cell::Integer(0),
                    Cell::Real(2.0),
                    Cell::Real(-0.5),
                    Cell::Real(1e20),
                    Cell::Real(f64::INFINITY),
                    Cell::Real(f64::NEG_INFINITY),
                    Cell::Text("123".to_owned()),
                    Cell::Text("1.5".to_owned()),
                    Cell::Text("-5".to_owned()),
                    Cell::Text("abc".to_owned()),
                    Cell::Text(String::new()),
                    Cell::Blob(vec![0, 255]),
                    Cell::Blob(Vec::new()),
                ];
                if !not_null {
                    cells.push(Cell::Null);
                }
                for cell in cells {
                    let written = encode_cell(&cell, &col);
                    assert_eq!(
                        decode_cell(&written, &col),
                        Ok(cell.clone()),
                        "{cell:?} in {affinity:?} written {written:?}"
                    );
                }
            }
        }
        let col = column(Affinity::Integer, false);
        assert_eq!(
            encode_cell(&Cell::Integer(-5), &col),
            "-5",
            "not neutralised"
        );
        assert_eq!(encode_cell(&Cell::Null, &col), "");
    }

    #[test]
    fn only_decimal_numbers_are_read_as_numbers() {
        for text in ["1e5", "-2.5", ".5", "5.", "+1.0E-3"] {
            assert!(parse_real(text).is_some(), "{text}");
        }
        for text in ["inf", "NaN", "1", "e5", ".", "1e", "1.2.3", " 1.0", "0x10"] {
            assert!(parse_real(text).is_none(), "{text}");
        }
        assert_eq!(parse_integer("-12"), Some(-12));
        assert_eq!(parse_integer("99999999999999999999"), None);
        assert_eq!(parse_integer(" 1"), None);
    }
}
