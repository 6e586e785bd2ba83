//! The sales ledger tables: imported report batches with their income lines, costs entered by
//! hand, saved report column mappings and remembered line-to-release mappings. Also the
//! in-memory [`MatchIndex`] an import matches its lines against (ISRC, then UPC/EAN, then
//! catalog number, then a remembered mapping, then artist + title).

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::error::{DbError, Result};
use crate::model::ledger::fold_text;
use crate::model::{
    Amount8, Barcode, Channel, CostCategory, CostLine, CostLineId, Currency, FormatId, ImportId,
    IncomeLine, IncomeLineId, Isrc, LineFlags, MatchMapping, MatchedBy, Money, RawIdentifiers,
    ReleaseId, TrackId,
};

super::convert::id_sql!(ImportId, IncomeLineId, CostLineId, Amount8);

super::convert::code_sql!(Channel, CostCategory, MatchedBy);

impl ToSql for LineFlags {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(i64::from(self.0)))
    }
}

impl FromSql for LineFlags {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let n = i64::column_result(value)?;
        u8::try_from(n)
            .ok()
            .filter(|b| *b <= LineFlags::ALL.0)
            .map(LineFlags)
            .ok_or(FromSqlError::OutOfRange(n))
    }
}

/// The control total of one currency in an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTotal {
    pub currency: Currency,
    pub line_count: u64,
    /// The exact sum rounded once to 10⁻⁸ (equal to the sum of the stored lines).
    pub net: Amount8,
    /// The exact sum with every digit the file had.
    pub net_exact: String,
    /// `1 currency = rate` home units, when converted.
    pub rate: Option<String>,
}

/// One imported report with its lines: what an import writes (and what undo removes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportBatch {
    pub id: ImportId,
    pub file_name: String,
    /// `distrokid`, `tunecore`, `cdbaby`, `bandcamp` or `mapping:NAME`.
    pub layout: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    pub home_currency: Currency,
    pub totals: Vec<ImportTotal>,
    pub lines: Vec<IncomeLine>,
}

impl ImportBatch {
    /// Lines matched to a release or track.
    #[must_use]
    pub fn matched(&self) -> usize {
        self.lines.iter().filter(|l| !l.is_unmatched()).count()
    }

    /// An import known only by its id: what "Remove import" asks for. The removal reads the
    /// rest (every line) inside its own transaction, so the UI thread never loads the lines.
    #[must_use]
    pub fn only_id(id: ImportId) -> Self {
        Self {
            id,
            file_name: String::new(),
            layout: String::new(),
            sha256: String::new(),
            home_currency: Currency::default(),
            totals: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// True for [`ImportBatch::only_id`] (a stored import always has its content hash).
    #[must_use]
    pub fn is_only_id(&self) -> bool {
        self.sha256.is_empty()
    }
}

/// An import as listed (without its lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub id: ImportId,
    pub file_name: String,
    pub layout: String,
    pub imported_at: String,
    pub line_count: u64,
    pub matched: u64,
    pub totals: Vec<ImportTotal>,
}

/// An import that already holds the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousImport {
    pub id: ImportId,
    pub file_name: String,
    pub imported_at: String,
}

/// Looks for an import of a file with this content hash.
///
/// # Errors
/// SQLite failures.
pub fn find_import_by_hash(conn: &Connection, sha256: &str) -> Result<Option<PreviousImport>> {
    Ok(conn
        .query_row(
            "SELECT id, file_name, imported_at FROM ledger_imports WHERE content_sha256 = ?1",
            [sha256],
            |r| {
                Ok(PreviousImport {
                    id: r.get(0)?,
                    file_name: r.get(1)?,
                    imported_at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The refusal for a file imported before.
#[must_use]
pub fn duplicate_error(file_name: &str, previous: &PreviousImport) -> DbError {
    DbError::InUse(format!(
        "{file_name} was already imported on {} (import #{} from {}, same content): it was not imported again",
        previous
            .imported_at
            .get(..10)
            .unwrap_or(&previous.imported_at),
        previous.id,
        previous.file_name
    ))
}

/// Writes an import with all its lines and totals; a set id is kept (redo). Refuses a file
/// whose content was imported before.
///
/// # Errors
/// [`DbError::InUse`] for a duplicate; invalid rows or SQLite failures.
pub fn insert_import(tx: &Transaction<'_>, batch: &ImportBatch) -> Result<ImportId> {
    let import = insert_import_head(tx, batch)?;
    insert_lines(tx, import, &batch.lines)?;
    Ok(import)
}

/// Writes an import's row and control totals, without its lines: [`insert_lines`] adds them,
/// a slice at a time, so a long write can report progress and stop between slices (the
/// caller's transaction then rolls everything back). A set id is kept (redo). Refuses a file
/// whose content was imported before.
///
/// # Errors
/// [`DbError::InUse`] for a duplicate; invalid rows or SQLite failures.
pub fn insert_import_head(tx: &Transaction<'_>, batch: &ImportBatch) -> Result<ImportId> {
    if let Some(previous) = find_import_by_hash(tx, &batch.sha256)? {
        return Err(duplicate_error(&batch.file_name, &previous));
    }
    let id = (!batch.id.is_unsaved()).then_some(batch.id);
    tx.execute(
        "INSERT INTO ledger_imports (id, file_name, layout, content_sha256, home_currency, line_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            batch.file_name,
            batch.layout,
            batch.sha256,
            batch.home_currency,
            i64::try_from(batch.lines.len()).unwrap_or(i64::MAX)
        ],
    )?;
    let import = ImportId(tx.last_insert_rowid());
    let mut totals = tx.prepare_cached(
        "INSERT INTO ledger_import_totals (import_id, currency, line_count, net_e8, net_exact, rate)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for t in &batch.totals {
        totals.execute(params![
            import,
            t.currency,
            i64::try_from(t.line_count).unwrap_or(i64::MAX),
            t.net,
            t.net_exact,
            t.rate
        ])?;
    }
    Ok(import)
}

/// Writes income lines of the import `import` (their own ids and import ids are not used).
///
/// # Errors
/// Invalid rows or SQLite failures.
pub fn insert_lines(tx: &Transaction<'_>, import: ImportId, lines: &[IncomeLine]) -> Result<()> {
    let layout: String = tx.query_row(
        "SELECT layout FROM ledger_imports WHERE id = ?1",
        [import],
        |r| r.get(0),
    )?;
    let mail_order = MailOrder::of_layout(tx, &layout)?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO income_lines (import_id, line_no, sale_date, period, release_id, track_id, format_id,
                matched_by, channel, territory, source, quantity, gross_e8, net_e8, currency, net_home_e8,
                raw_isrc, raw_barcode, raw_catno, raw_artist, raw_title, raw_other_id, flags, match_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
                 ?20, ?21, ?22, ?23, ?24)",
    )?;
    for l in lines {
        stmt.execute(params![
            import,
            l.line_no,
            l.sale_date,
            l.period,
            l.release_id,
            l.track_id,
            l.format_id,
            l.matched_by,
            l.channel,
            l.territory,
            l.source,
            l.quantity,
            l.gross,
            l.net,
            l.currency,
            l.net_home,
            l.raw.isrc,
            l.raw.barcode,
            l.raw.catno,
            l.raw.artist,
            l.raw.title,
            l.raw.other_id,
            l.flags,
            l.match_key
        ])?;
        if let Some(mail_order) = &mail_order {
            let effect = mail_order.effect(tx, l)?;
            take_stock(tx, tx.last_insert_rowid(), l, effect)?;
        }
    }
    Ok(())
}

/// Writes the stock movement of `effect` for the income line `line_id` (a no-op unless it
/// takes stock): dated on the sale's day, noted with where it came from.
fn take_stock(
    tx: &Transaction<'_>,
    line_id: i64,
    line: &IncomeLine,
    effect: StockEffect,
) -> Result<()> {
    if let StockEffect::Take {
        format,
        location,
        quantity,
    } = effect
    {
        tx.prepare_cached(
            "INSERT INTO stock_movements (format_id, location_id, quantity, reason, income_line_id, moved_at, note)
             VALUES (?1, ?2, ?3, 'sale', ?4, ?5, ?6)",
        )?
        .execute(params![
            format,
            location,
            -quantity,
            line_id,
            format!("{}T12:00:00.000Z", line.sale_date),
            format!("{} sale, report line {}", line.source, line.line_no)
        ])?;
    }
    Ok(())
}

/// After the lines under `key` were mapped, remapped or unmapped: a movement whose line now
/// names another format (or none) goes, and a mail-order line that names a format and has
/// no movement gets one (unless the last count at home is newer than the sale).
fn sync_mapped_stock(tx: &Transaction<'_>, key: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM stock_movements WHERE income_line_id IN
             (SELECT l.id FROM income_lines l WHERE l.match_key = ?1
                 AND l.format_id IS NOT stock_movements.format_id)",
        [key],
    )?;
    let mail_order = MailOrder::home(tx)?;
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {LINE_COLUMNS} FROM income_lines
          WHERE match_key = ?1 AND flags & 4 = 4 AND format_id IS NOT NULL
            AND import_id IN (SELECT id FROM ledger_imports WHERE layout = 'bandcamp')
            AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.income_line_id = income_lines.id)
          ORDER BY id"
    ))?;
    let lines = stmt
        .query_map([key], line_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for line in &lines {
        let effect = mail_order.effect(tx, line)?;
        take_stock(tx, line.id.0, line, effect)?;
    }
    Ok(())
}

/// Whether the physical sales of a report of this layout are the label's own mail order,
/// shipped from home (Bandcamp packages). A distributor's physical sales (in a mapped report)
/// come out of the distributor's own stock, which Labeldesk does not hold.
#[must_use]
pub fn takes_stock(layout: &str) -> bool {
    layout == "bandcamp"
}

/// The location a report's physical sales (mail order) are taken from: the first of kind
/// "home", with its name.
///
/// # Errors
/// SQLite failures.
pub fn home_location(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, name FROM stock_locations WHERE kind = 'home' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// What an income line does to stock when it is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockEffect {
    /// Not a physical sale: stock is not involved.
    Nothing,
    /// Takes `quantity` of the format out of `location`.
    Take {
        format: FormatId,
        location: i64,
        quantity: i64,
    },
    /// A physical sale not matched to one format (unmatched, or a release with several
    /// physical formats and no barcode or mapping to tell which).
    NoFormat,
    /// Sold before the last stock count of that format at home: the count holds it already.
    Counted,
    /// No location of kind "home" to take it from.
    NoHome,
}

/// The label's own mail order, whose physical sales come out of the home location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailOrder {
    /// The home location (see [`home_location`]), if there is one.
    pub home: Option<(i64, String)>,
}

impl MailOrder {
    /// For a report of `layout`: `None` when its physical sales are not the label's mail
    /// order (see [`takes_stock`]).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn of_layout(conn: &Connection, layout: &str) -> Result<Option<Self>> {
        takes_stock(layout).then(|| Self::home(conn)).transpose()
    }

    /// Mail order from the catalog's home location.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn home(conn: &Connection) -> Result<Self> {
        Ok(Self {
            home: home_location(conn)?,
        })
    }

    /// What `line` does to stock.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn effect(&self, conn: &Connection, line: &IncomeLine) -> Result<StockEffect> {
        if !line.flags.contains(LineFlags::PHYSICAL_SALE) || line.quantity <= 0 {
            return Ok(StockEffect::Nothing);
        }
        let Some(format) = line.format_id else {
            return Ok(StockEffect::NoFormat);
        };
        let Some((location, _)) = self.home else {
            return Ok(StockEffect::NoHome);
        };
        let counted: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM stock_movements WHERE format_id = ?1 AND location_id = ?2
                    AND reason = 'count' AND substr(moved_at, 1, 10) > ?3)",
            )?
            .query_row(params![format, location, line.sale_date], |r| r.get(0))?;
        Ok(if counted {
            StockEffect::Counted
        } else {
            StockEffect::Take {
                format,
                location,
                quantity: line.quantity,
            }
        })
    }
}

/// What importing a batch of lines does to stock, for the preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockPlan {
    /// The home location's name.
    pub location: Option<String>,
    /// Lines that take stock, and how many items they take.
    pub sales: usize,
    pub units: i64,
    /// Physical sales that take nothing, and why.
    pub no_format: usize,
    pub counted: usize,
    pub no_home: usize,
}

impl StockPlan {
    /// Whether the report has physical sales at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sales + self.no_format + self.counted + self.no_home == 0
    }

    /// One line for the preview: "3 items out of Home (2 sales); 1 physical sale names no
    /// single format: not taken from stock".
    #[must_use]
    pub fn describe(&self) -> String {
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let mut parts = Vec::new();
        if self.sales > 0 {
            parts.push(format!(
                "{} out of {} ({})",
                if self.units == 1 {
                    "1 item".to_owned()
                } else {
                    format!("{} items", self.units)
                },
                self.location.as_deref().unwrap_or("home"),
                plural(self.sales, "sale", "sales")
            ));
        }
        if self.no_format > 0 {
            parts.push(format!(
                "{} not matched to one format: not taken from stock",
                plural(self.no_format, "physical sale", "physical sales")
            ));
        }
        if self.counted > 0 {
            parts.push(format!(
                "{} from before the last stock count: already counted",
                plural(self.counted, "physical sale", "physical sales")
            ));
        }
        if self.no_home > 0 {
            parts.push(format!(
                "{}: no home stock location to take {} from",
                plural(self.no_home, "physical sale", "physical sales"),
                if self.no_home == 1 { "it" } else { "them" }
            ));
        }
        parts.join("; ")
    }
}

/// What importing `batch` would do to stock.
///
/// # Errors
/// SQLite failures.
pub fn stock_plan(conn: &Connection, batch: &ImportBatch) -> Result<StockPlan> {
    let Some(mail_order) = MailOrder::of_layout(conn, &batch.layout)? else {
        return Ok(StockPlan::default());
    };
    let mut plan = StockPlan {
        location: mail_order.home.as_ref().map(|(_, name)| name.clone()),
        ..StockPlan::default()
    };
    for line in &batch.lines {
        match mail_order.effect(conn, line)? {
            StockEffect::Nothing => {}
            StockEffect::Take { quantity, .. } => {
                plan.sales += 1;
                plan.units += quantity;
            }
            StockEffect::NoFormat => plan.no_format += 1,
            StockEffect::Counted => plan.counted += 1,
            StockEffect::NoHome => plan.no_home += 1,
        }
    }
    Ok(plan)
}

/// Deletes an import with its lines and totals.
///
/// # Errors
/// SQLite failures.
pub fn delete_import(tx: &Transaction<'_>, id: ImportId) -> Result<()> {
    tx.execute("DELETE FROM ledger_imports WHERE id = ?1", [id])?;
    Ok(())
}

/// Deletes at most `limit` income lines of an import (a long removal in slices, reporting
/// progress between them); returns how many went. [`delete_import`] removes the rest.
///
/// # Errors
/// SQLite failures.
pub fn delete_some_lines(tx: &Transaction<'_>, id: ImportId, limit: u32) -> Result<usize> {
    let mut stmt = tx.prepare_cached(
        "DELETE FROM income_lines WHERE id IN
             (SELECT id FROM income_lines WHERE import_id = ?1 LIMIT ?2)",
    )?;
    Ok(stmt.execute(params![id, limit])?)
}

/// How many income lines an import holds.
///
/// # Errors
/// SQLite failures.
pub fn line_count_of_import(conn: &Connection, id: ImportId) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM income_lines WHERE import_id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

fn totals_of(conn: &Connection, id: ImportId) -> Result<Vec<ImportTotal>> {
    let mut stmt = conn.prepare_cached(
        "SELECT currency, line_count, net_e8, net_exact, rate FROM ledger_import_totals
         WHERE import_id = ?1 ORDER BY currency",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(ImportTotal {
                currency: r.get(0)?,
                line_count: r.get(1)?,
                net: r.get(2)?,
                net_exact: r.get(3)?,
                rate: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One import with its lines and totals (what undoing its removal puts back).
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn load_import(conn: &Connection, id: ImportId) -> Result<ImportBatch> {
    let (file_name, layout, sha256, home_currency) = conn
        .query_row(
            "SELECT file_name, layout, content_sha256, home_currency FROM ledger_imports WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .ok_or(DbError::Missing {
            kind: "sales import",
            id: id.0,
        })?;
    Ok(ImportBatch {
        id,
        file_name,
        layout,
        sha256,
        home_currency,
        totals: totals_of(conn, id)?,
        lines: lines_of_import(conn, id)?,
    })
}

/// Every import, newest first, with its totals and how many lines are matched now.
///
/// # Errors
/// SQLite failures.
pub fn list_imports(conn: &Connection) -> Result<Vec<ImportSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.file_name, i.layout, i.imported_at, i.line_count,
                (SELECT count(*) FROM income_lines l WHERE l.import_id = i.id AND l.release_id IS NOT NULL)
         FROM ledger_imports i ORDER BY i.id DESC",
    )?;
    let mut rows: Vec<ImportSummary> = stmt
        .query_map([], |r| {
            Ok(ImportSummary {
                id: r.get(0)?,
                file_name: r.get(1)?,
                layout: r.get(2)?,
                imported_at: r.get(3)?,
                line_count: r.get(4)?,
                matched: r.get(5)?,
                totals: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    for row in &mut rows {
        row.totals = totals_of(conn, row.id)?;
    }
    Ok(rows)
}

const LINE_COLUMNS: &str = "id, import_id, line_no, sale_date, period, release_id, track_id, format_id, \
     matched_by, channel, territory, source, quantity, gross_e8, net_e8, currency, net_home_e8, raw_isrc, \
     raw_barcode, raw_catno, raw_artist, raw_title, raw_other_id, flags, match_key";

fn line_from_row(r: &Row<'_>) -> rusqlite::Result<IncomeLine> {
    Ok(IncomeLine {
        id: r.get(0)?,
        import_id: r.get(1)?,
        line_no: r.get(2)?,
        sale_date: r.get(3)?,
        period: r.get(4)?,
        release_id: r.get(5)?,
        track_id: r.get(6)?,
        format_id: r.get(7)?,
        matched_by: r.get(8)?,
        channel: r.get(9)?,
        territory: r.get(10)?,
        source: r.get(11)?,
        quantity: r.get(12)?,
        gross: r.get(13)?,
        net: r.get(14)?,
        currency: r.get(15)?,
        net_home: r.get(16)?,
        raw: RawIdentifiers {
            isrc: r.get(17)?,
            barcode: r.get(18)?,
            catno: r.get(19)?,
            artist: r.get(20)?,
            title: r.get(21)?,
            other_id: r.get(22)?,
        },
        flags: r.get(23)?,
        match_key: r.get(24)?,
    })
}

/// An import's lines in file order.
///
/// # Errors
/// SQLite failures.
pub fn lines_of_import(conn: &Connection, id: ImportId) -> Result<Vec<IncomeLine>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LINE_COLUMNS} FROM income_lines WHERE import_id = ?1 ORDER BY line_no, id"
    ))?;
    let rows = stmt
        .query_map([id], line_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Unmatched lines that share a key (one row of the review list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedGroup {
    pub match_key: String,
    pub lines: u64,
    /// A line of the group, to show what the report said.
    pub sample: IncomeLine,
    /// Net per currency.
    pub totals: Vec<(Currency, Amount8)>,
}

/// The review list: unmatched lines grouped by key, most lines first (at most `limit` groups).
///
/// # Errors
/// SQLite failures.
pub fn unmatched_groups(conn: &Connection, limit: u32) -> Result<Vec<UnmatchedGroup>> {
    let columns = format!("l.{}", LINE_COLUMNS.replace(", ", ", l."));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns}, g.n FROM (
             SELECT match_key, count(*) AS n, min(id) AS first FROM income_lines
             WHERE release_id IS NULL GROUP BY match_key ORDER BY n DESC, match_key LIMIT ?1
         ) g JOIN income_lines l ON l.id = g.first ORDER BY g.n DESC, g.match_key"
    ))?;
    let mut groups: Vec<UnmatchedGroup> = stmt
        .query_map([limit], |r| {
            Ok(UnmatchedGroup {
                match_key: r.get(24)?,
                lines: r.get(25)?,
                sample: line_from_row(r)?,
                totals: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut totals = conn.prepare_cached(
        "SELECT currency, sum(net_e8) FROM income_lines WHERE release_id IS NULL AND match_key = ?1
         GROUP BY currency ORDER BY currency",
    )?;
    for g in &mut groups {
        g.totals = totals
            .query_map([&g.match_key], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(groups)
}

/// How income is grouped for the ledger view.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum IncomeGroup {
    #[default]
    Release,
    Channel,
    Territory,
    Period,
}

impl IncomeGroup {
    pub const ALL: &[Self] = &[Self::Release, Self::Channel, Self::Territory, Self::Period];

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Release => "Release",
            Self::Channel => "Channel",
            Self::Territory => "Territory",
            Self::Period => "Period",
        }
    }
}

/// One statement line of the income view: a group in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomeRow {
    /// What the group is (a release title, a channel, a territory, a period).
    pub name: String,
    pub release_id: Option<ReleaseId>,
    pub currency: Currency,
    pub lines: u64,
    pub quantity: i64,
    /// Sum of the lines in 10⁻⁸; round once with [`Amount8::to_money`] to show.
    pub net: Amount8,
}

impl IncomeRow {
    /// The statement amount: the 10⁻⁸ sum rounded once, half to even, to minor units.
    #[must_use]
    pub fn money(&self) -> Option<Money> {
        self.net.to_money(self.currency)
    }
}

/// Income per group and currency, largest first.
///
/// # Errors
/// SQLite failures (an overflowing sum is reported by SQLite as an error).
pub fn income_by(conn: &Connection, group: IncomeGroup) -> Result<Vec<IncomeRow>> {
    let (key, name, join) = match group {
        IncomeGroup::Release => (
            "l.release_id",
            "coalesce(r.title, '(unmatched)')",
            "LEFT JOIN releases r ON r.id = l.release_id",
        ),
        IncomeGroup::Channel => ("l.channel", "l.channel", ""),
        IncomeGroup::Territory => (
            "l.territory",
            "CASE l.territory WHEN '' THEN '(not given)' ELSE l.territory END",
            "",
        ),
        IncomeGroup::Period => ("l.period", "l.period", ""),
    };
    let order = if group == IncomeGroup::Period {
        "l.period, l.currency"
    } else {
        "sum(l.net_e8) DESC, 1"
    };
    let release = if group == IncomeGroup::Release {
        "l.release_id"
    } else {
        "NULL"
    };
    let sql = format!(
        "SELECT {name}, {release}, l.currency, count(*), sum(l.quantity), sum(l.net_e8)
         FROM income_lines l {join} GROUP BY {key}, l.currency ORDER BY {order}"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map([], |r| {
            let mut name: String = r.get(0)?;
            if group == IncomeGroup::Channel {
                name = Channel::from_code(&name).map_or(name, |c| c.label().to_owned());
            }
            Ok(IncomeRow {
                name,
                release_id: r.get(1)?,
                currency: r.get(2)?,
                lines: r.get(3)?,
                quantity: r.get(4)?,
                net: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Net income per currency over the whole ledger (10⁻⁸).
///
/// # Errors
/// SQLite failures.
pub fn income_totals(conn: &Connection) -> Result<Vec<(Currency, Amount8)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT currency, sum(net_e8) FROM income_lines GROUP BY currency ORDER BY currency",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

// ---- remembered mappings ----

/// The remembered mapping for a key.
///
/// # Errors
/// SQLite failures.
pub fn get_mapping(conn: &Connection, key: &str) -> Result<Option<MatchMapping>> {
    Ok(conn
        .query_row(
            "SELECT match_key, release_id, track_id, format_id FROM match_mappings WHERE match_key = ?1",
            [key],
            |r| {
                Ok(MatchMapping {
                    key: r.get(0)?,
                    release_id: r.get(1)?,
                    track_id: r.get(2)?,
                    format_id: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Every remembered mapping.
///
/// # Errors
/// SQLite failures.
pub fn list_mappings(conn: &Connection) -> Result<Vec<MatchMapping>> {
    let mut stmt = conn.prepare_cached(
        "SELECT match_key, release_id, track_id, format_id FROM match_mappings ORDER BY match_key",
    )?;
    let rows = stmt
        .query_map([], mapping_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn mapping_from_row(r: &Row<'_>) -> rusqlite::Result<MatchMapping> {
    Ok(MatchMapping {
        key: r.get(0)?,
        release_id: r.get(1)?,
        track_id: r.get(2)?,
        format_id: r.get(3)?,
    })
}

/// The remembered mapping for `key`, if any.
///
/// # Errors
/// SQLite failures.
pub fn mapping_of(conn: &Connection, key: &str) -> Result<Option<MatchMapping>> {
    Ok(conn
        .prepare_cached(
            "SELECT match_key, release_id, track_id, format_id FROM match_mappings WHERE match_key = ?1",
        )?
        .query_row([key], mapping_from_row)
        .optional()?)
}

/// Remembers (or forgets, with `None`) the mapping for `key` and re-points the lines it
/// covers: unmatched lines with that key (and lines it matched before) get the new target; on
/// forgetting, lines it matched become unmatched again. Returns how many lines changed.
///
/// # Errors
/// A track that is not on the release, a missing release, [`DbError::InUse`] when an issued
/// royalty statement took lines the mapping matched (re-pointing them would let another
/// contract count them again), or SQLite failures.
pub fn set_mapping(
    tx: &Transaction<'_>,
    key: &str,
    mapping: Option<&MatchMapping>,
) -> Result<usize> {
    let unchanged = match (mapping_of(tx, key)?, mapping) {
        (Some(old), Some(new)) => {
            (old.release_id, old.track_id, old.format_id)
                == (new.release_id, new.track_id, new.format_id)
        }
        _ => false,
    };
    if !unchanged {
        let held = statements_holding(
            tx,
            "SELECT DISTINCT si.statement_id FROM income_lines l
               JOIN statement_income si ON si.income_line_id = l.id
              WHERE l.match_key = ?1 AND l.matched_by = 'mapping'",
            key,
        )?;
        if !held.is_empty() {
            return Err(DbError::InUse(format!(
                "This mapping can't be changed: {} accounted for lines it matched, and an \
                 issued statement is final. A correction goes into a later period.",
                name_statements(&held)
            )));
        }
    }
    if let Some(m) = mapping {
        if let Some(track) = m.track_id {
            let release = super::releases::of_track(tx, track)?;
            if release != m.release_id {
                return Err(DbError::InUse(format!(
                    "track #{track} is not on release #{}",
                    m.release_id
                )));
            }
        }
        super::releases::get(tx, m.release_id)?;
        tx.execute(
            "INSERT INTO match_mappings (match_key, release_id, track_id, format_id)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (match_key) DO UPDATE SET release_id = excluded.release_id,
                 track_id = excluded.track_id, format_id = excluded.format_id",
            params![key, m.release_id, m.track_id, m.format_id],
        )?;
        let changed = tx.execute(
            // A physical sale mapped to a release with one physical format is for that format,
            // as when a report is matched (MatchIndex::only_physical_format).
            "UPDATE income_lines SET release_id = ?2, track_id = ?3, matched_by = 'mapping',
                 format_id = coalesce(?4, CASE WHEN flags & 4 = 4 THEN
                     (SELECT min(id) FROM formats WHERE release_id = ?2 AND kind <> 'digital'
                       HAVING count(*) = 1) END)
             WHERE match_key = ?1 AND (release_id IS NULL OR matched_by = 'mapping')",
            params![key, m.release_id, m.track_id, m.format_id],
        )?;
        sync_mapped_stock(tx, key)?;
        Ok(changed)
    } else {
        tx.execute("DELETE FROM match_mappings WHERE match_key = ?1", [key])?;
        let changed = tx.execute(
            "UPDATE income_lines SET release_id = NULL, track_id = NULL, format_id = NULL, matched_by = NULL
             WHERE match_key = ?1 AND matched_by = 'mapping'",
            [key],
        )?;
        sync_mapped_stock(tx, key)?;
        Ok(changed)
    }
}

// ---- saved column mappings ----

/// Saves (or replaces) a column mapping under `name`; `definition` is JSON.
///
/// # Errors
/// An empty name, invalid JSON, or SQLite failures.
pub fn save_report_mapping(tx: &Transaction<'_>, name: &str, definition: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() {
        return Err(crate::model::ValidationError::Required {
            field: "mapping name",
        }
        .into());
    }
    tx.execute(
        "INSERT INTO report_mappings (name, definition) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition",
        params![name, definition],
    )?;
    Ok(())
}

/// Forgets a saved column mapping.
///
/// # Errors
/// SQLite failures.
pub fn delete_report_mapping(tx: &Transaction<'_>, name: &str) -> Result<()> {
    tx.execute("DELETE FROM report_mappings WHERE name = ?1", [name])?;
    Ok(())
}

/// The saved column mapping named `name` (its JSON), if any.
///
/// # Errors
/// SQLite failures.
pub fn report_mapping(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT definition FROM report_mappings WHERE name = ?1",
            [name.trim()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Every saved column mapping as (name, JSON), by name.
///
/// # Errors
/// SQLite failures.
pub fn report_mappings(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, definition FROM report_mappings ORDER BY name")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

// ---- costs ----

const COST_COLUMNS: &str =
    "id, cost_date, release_id, category, amount, currency, recoupable, note";

fn cost_from_row(r: &Row<'_>) -> rusqlite::Result<CostLine> {
    Ok(CostLine {
        id: r.get(0)?,
        date: r.get(1)?,
        release_id: r.get(2)?,
        category: r.get(3)?,
        amount: Money::new(r.get(4)?, r.get(5)?),
        recoupable: r.get(6)?,
        note: r.get(7)?,
    })
}

fn validated_cost(cost: &CostLine) -> Result<CostLine> {
    let mut c = cost.clone();
    c.note = c.note.trim().to_owned();
    c.validate()?;
    Ok(c)
}

/// Inserts a cost line; a set id is kept (undo).
///
/// # Errors
/// A negative amount, an overlong note, a missing release, or SQLite failures.
pub fn insert_cost(tx: &Transaction<'_>, cost: &CostLine) -> Result<CostLineId> {
    let c = validated_cost(cost)?;
    let id = (!c.id.is_unsaved()).then_some(c.id);
    tx.execute(
        "INSERT INTO cost_lines (id, cost_date, release_id, category, amount, currency, recoupable, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            c.date,
            c.release_id,
            c.category,
            c.amount.minor,
            c.amount.currency,
            c.recoupable,
            c.note
        ],
    )
    .map_err(|e| match c.release_id {
        Some(r) => super::formats::missing_release(e, r),
        None => e.into(),
    })?;
    Ok(CostLineId(tx.last_insert_rowid()))
}

/// Saves every field of a cost line.
///
/// # Errors
/// As [`insert_cost`], or a missing cost line.
pub fn update_cost(tx: &Transaction<'_>, cost: &CostLine) -> Result<()> {
    let c = validated_cost(cost)?;
    let n = tx.execute(
        "UPDATE cost_lines SET cost_date = ?2, release_id = ?3, category = ?4, amount = ?5, currency = ?6,
                recoupable = ?7, note = ?8 WHERE id = ?1",
        params![
            c.id,
            c.date,
            c.release_id,
            c.category,
            c.amount.minor,
            c.amount.currency,
            c.recoupable,
            c.note
        ],
    )?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "cost line",
            id: c.id.0,
        });
    }
    Ok(())
}

/// The cost lines an issued royalty statement has charged (they stay on that statement as
/// they were; a later change to one is not charged again).
///
/// # Errors
/// SQLite failures.
pub fn charged_costs(conn: &Connection) -> Result<std::collections::HashSet<CostLineId>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT cost_line_id FROM statement_costs")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Deletes a cost line, unless an issued royalty statement has charged it.
///
/// # Errors
/// [`DbError::InUse`] naming the statement when one has charged it (an issued statement is
/// final, and deleting the cost would let the next one charge it again after an undo);
/// SQLite failures.
pub fn delete_cost(tx: &Transaction<'_>, id: CostLineId) -> Result<()> {
    let held = statements_holding(
        tx,
        "SELECT statement_id FROM statement_costs WHERE cost_line_id = ?1",
        id.0,
    )?;
    if !held.is_empty() {
        let date: Option<String> = tx
            .query_row(
                "SELECT cost_date FROM cost_lines WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        return Err(DbError::InUse(format!(
            "The cost of {} can't be deleted: {} charged it, and an issued statement is final. \
             A correction goes into a later period.",
            date.unwrap_or_else(|| format!("#{}", id.0)),
            name_statements(&held)
        )));
    }
    tx.execute("DELETE FROM cost_lines WHERE id = ?1", [id])?;
    Ok(())
}

/// Refuses the removal of an import whose income lines an issued royalty statement took (or
/// looked at and left out): those lines are the statement's record, and an import removed
/// and brought back by undo would be counted again by the next statement.
///
/// # Errors
/// [`DbError::InUse`] naming the import and the statements; SQLite failures.
pub fn check_import_removable(conn: &Connection, id: ImportId) -> Result<()> {
    let held = statements_holding(
        conn,
        "SELECT DISTINCT si.statement_id FROM income_lines l
           JOIN statement_income si ON si.income_line_id = l.id
          WHERE l.import_id = ?1",
        id.0,
    )?;
    if held.is_empty() {
        return Ok(());
    }
    let file: Option<String> = conn
        .query_row(
            "SELECT file_name FROM ledger_imports WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Err(DbError::InUse(format!(
        "“{}” stays in the ledger: {} accounted for its lines, and an issued statement is final. \
         A correction goes into a later report or period.",
        file.unwrap_or_else(|| format!("import #{}", id.0)),
        name_statements(&held)
    )))
}

/// The issued statements whose ids `ids_sql` (one parameter) selects, as “Contract 2026 H1”,
/// oldest period first.
fn statements_holding(
    conn: &Connection,
    ids_sql: &str,
    id: impl rusqlite::ToSql,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT c.id, c.title, s.period FROM statements s JOIN contracts c ON c.id = s.contract_id
          WHERE s.id IN ({ids_sql}) ORDER BY s.period_start, c.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let names = stmt
        .query_map([id], |r| {
            let (contract, title, period): (i64, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?);
            let title = title.trim();
            Ok(if title.is_empty() {
                format!("Contract #{contract} {period}")
            } else {
                format!("{title} {period}")
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

/// “the issued statement “A 2026 H1””, or of several the first three and how many more.
fn name_statements(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().take(3).map(|n| format!("“{n}”")).collect();
    match names.len() {
        0 => "no statement".to_owned(),
        1 => format!("the issued statement {}", quoted[0]),
        2 | 3 => {
            let (last, first) = quoted.split_last().unwrap_or((&quoted[0], &[]));
            format!("the issued statements {} and {last}", first.join(", "))
        }
        n => format!(
            "the issued statements {} and {} more",
            quoted.join(", "),
            n - 3
        ),
    }
}

/// One cost line.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn get_cost(conn: &Connection, id: CostLineId) -> Result<CostLine> {
    conn.query_row(
        &format!("SELECT {COST_COLUMNS} FROM cost_lines WHERE id = ?1"),
        [id],
        cost_from_row,
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "cost line",
        id: id.0,
    })
}

/// Every cost line, newest first.
///
/// # Errors
/// SQLite failures.
pub fn list_costs(conn: &Connection) -> Result<Vec<CostLine>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COST_COLUMNS} FROM cost_lines ORDER BY cost_date DESC, id DESC"
    ))?;
    let rows = stmt
        .query_map([], cost_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Releases as (id, title, credit line) for pickers, by title.
///
/// # Errors
/// SQLite failures.
pub fn release_choices(conn: &Connection) -> Result<Vec<(ReleaseId, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.title || coalesce(' (' || (SELECT group_concat(a.name, ', ')
                 FROM release_artists ra JOIN artists a ON a.id = ra.artist_id
                 WHERE ra.release_id = r.id AND ra.role = 'primary') || ')', '')
         FROM releases r ORDER BY r.title COLLATE NOCASE, r.id",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

// ---- matching ----

/// What a line was matched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineMatch {
    pub release_id: ReleaseId,
    pub track_id: Option<TrackId>,
    pub format_id: Option<FormatId>,
    pub by: MatchedBy,
}

/// The catalog's identifiers in memory, loaded once per import.
#[derive(Debug, Default)]
pub struct MatchIndex {
    isrc: HashMap<String, Vec<(TrackId, ReleaseId)>>,
    barcode: HashMap<String, (FormatId, ReleaseId)>,
    catno: HashMap<String, (ReleaseId, Option<FormatId>)>,
    /// (folded artist, folded title) of tracks.
    track_titles: HashMap<(String, String), (TrackId, ReleaseId)>,
    /// (folded artist, folded title) of releases.
    release_titles: HashMap<(String, String), ReleaseId>,
    mappings: HashMap<String, MatchMapping>,
    /// The physical formats of each release, for a physical sale matched to the release only.
    physical_formats: HashMap<ReleaseId, Vec<FormatId>>,
}

/// The flags a line's raw identifiers earn: a non-empty ISRC or barcode that is not valid.
#[must_use]
pub fn identifier_flags(raw: &RawIdentifiers) -> LineFlags {
    let mut flags = LineFlags::default();
    if !raw.isrc.trim().is_empty() && Isrc::parse(&raw.isrc).is_err() {
        flags.insert(LineFlags::BAD_ISRC);
    }
    if !raw.barcode.trim().is_empty() && Barcode::parse(&raw.barcode).is_err() {
        flags.insert(LineFlags::BAD_BARCODE);
    }
    flags
}

impl MatchIndex {
    /// Reads every ISRC, barcode, catalog number, title and remembered mapping.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn load(conn: &Connection) -> Result<Self> {
        let mut index = Self::default();
        let mut stmt = conn.prepare(
            "SELECT id, release_id, isrc FROM tracks WHERE isrc IS NOT NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, TrackId>(0)?,
                r.get::<_, ReleaseId>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (track, release, isrc) = row?;
            index.isrc.entry(isrc).or_default().push((track, release));
        }
        let mut stmt = conn.prepare(
            "SELECT id, release_id, barcode FROM formats WHERE barcode IS NOT NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, FormatId>(0)?,
                r.get::<_, ReleaseId>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (format, release, code) = row?;
            let ean = if code.len() == 12 {
                format!("0{code}")
            } else {
                code
            };
            index.barcode.entry(ean).or_insert((format, release));
        }
        let mut stmt =
            conn.prepare("SELECT release_id, format_id, catno FROM catalog_numbers ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, ReleaseId>(0)?,
                r.get::<_, Option<FormatId>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (release, format, catno) = row?;
            index
                .catno
                .entry(compact_upper(&catno))
                .or_insert((release, format));
        }
        let mut stmt = conn.prepare(
            "SELECT t.id, t.release_id, t.title, a.name FROM tracks t
                 JOIN release_artists ra ON ra.release_id = t.release_id
                 JOIN artists a ON a.id = ra.artist_id
             UNION ALL
             SELECT t.id, t.release_id, t.title, a.name FROM tracks t
                 JOIN artists a ON a.id = t.featured_artist_id
             ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, TrackId>(0)?,
                r.get::<_, ReleaseId>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (track, release, title, artist) = row?;
            index
                .track_titles
                .entry((fold_text(&artist), fold_text(&title)))
                .or_insert((track, release));
        }
        let mut stmt = conn.prepare(
            "SELECT r.id, r.title, a.name FROM releases r
                 JOIN release_artists ra ON ra.release_id = r.id
                 JOIN artists a ON a.id = ra.artist_id ORDER BY r.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, ReleaseId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (release, title, artist) = row?;
            index
                .release_titles
                .entry((fold_text(&artist), fold_text(&title)))
                .or_insert(release);
        }
        for mapping in list_mappings(conn)? {
            index.mappings.insert(mapping.key.clone(), mapping);
        }
        let mut stmt =
            conn.prepare("SELECT id, release_id FROM formats WHERE kind <> 'digital' ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, FormatId>(0)?, r.get::<_, ReleaseId>(1)?))
        })?;
        for row in rows {
            let (format, release) = row?;
            index
                .physical_formats
                .entry(release)
                .or_default()
                .push(format);
        }
        Ok(index)
    }

    /// The release's physical format when it has exactly one (a physical sale matched to the
    /// release by title or catalog number is for it).
    #[must_use]
    pub fn only_physical_format(&self, release: ReleaseId) -> Option<FormatId> {
        match self.physical_formats.get(&release).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// Finds what a line is for: by ISRC, then UPC/EAN (either form), then catalog number,
    /// then a remembered mapping of its key, then artist + title (a track first, or the
    /// release first when `album`). Invalid identifiers are never used.
    #[must_use]
    pub fn find(&self, raw: &RawIdentifiers, key: &str, album: bool) -> Option<LineMatch> {
        let barcode = Barcode::parse(&raw.barcode).ok();
        let format_by_barcode = barcode
            .as_ref()
            .and_then(|b| self.barcode.get(&b.to_ean13()).copied());
        if let Ok(isrc) = Isrc::parse(&raw.isrc)
            && let Some(tracks) = self.isrc.get(isrc.as_str())
        {
            // One recording on several releases: the one whose barcode the line names.
            let pick = format_by_barcode
                .and_then(|(_, release)| tracks.iter().find(|(_, r)| *r == release))
                .or_else(|| tracks.first());
            if let Some(&(track, release)) = pick {
                return Some(LineMatch {
                    release_id: release,
                    track_id: Some(track),
                    format_id: format_by_barcode
                        .filter(|(_, r)| *r == release)
                        .map(|(f, _)| f),
                    by: MatchedBy::Isrc,
                });
            }
        }
        if let Some((format, release)) = format_by_barcode {
            let track = self
                .track_titles
                .get(&(fold_text(&raw.artist), fold_text(&raw.title)))
                .filter(|(_, r)| *r == release)
                .map(|(t, _)| *t);
            return Some(LineMatch {
                release_id: release,
                track_id: if album { None } else { track },
                format_id: Some(format),
                by: MatchedBy::Barcode,
            });
        }
        let catno = compact_upper(&raw.catno);
        if !catno.is_empty()
            && let Some(&(release, format)) = self.catno.get(&catno)
        {
            return Some(LineMatch {
                release_id: release,
                track_id: None,
                format_id: format,
                by: MatchedBy::CatalogNumber,
            });
        }
        if let Some(m) = self.mappings.get(key) {
            return Some(LineMatch {
                release_id: m.release_id,
                track_id: m.track_id,
                format_id: m.format_id,
                by: MatchedBy::Mapping,
            });
        }
        let artist = fold_text(&raw.artist);
        let title = fold_text(&raw.title);
        if artist.is_empty() || title.is_empty() {
            return None;
        }
        let pair = (artist, title);
        let as_track = self.track_titles.get(&pair).map(|&(t, r)| LineMatch {
            release_id: r,
            track_id: Some(t),
            format_id: None,
            by: MatchedBy::ArtistTitle,
        });
        let as_release = self.release_titles.get(&pair).map(|&r| LineMatch {
            release_id: r,
            track_id: None,
            format_id: None,
            by: MatchedBy::ArtistTitle,
        });
        if album {
            as_release.or(as_track)
        } else {
            as_track.or(as_release)
        }
    }
}

fn compact_upper(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The first day of a `YYYY-MM` period.
#[must_use]
pub fn period_start(period: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").ok()
}

/// How many income lines point at a release, its tracks or its formats. A release with sales
/// is not deleted: its income must stay attached for royalty statements.
///
/// # Errors
/// SQLite failures.
pub fn income_line_count_for_release(conn: &Connection, release: ReleaseId) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM income_lines
         WHERE release_id = ?1
            OR track_id IN (SELECT id FROM tracks WHERE release_id = ?1)
            OR format_id IN (SELECT id FROM formats WHERE release_id = ?1)",
        [release],
        |r| r.get(0),
    )?)
}
