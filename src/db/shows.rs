//! Stock, shows and the merch table: locations, merch items, stock movements, shows, sales
//! (with void records, never deleted), closing a show into the sales ledger, and mailing-list
//! sign-ups. Every write validates first and writes nothing on error; a sale and its stock
//! movement are written in the caller's one transaction.

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::error::{DbError, Result};
use crate::model::shows::{
    Location, LocationId, LocationKind, MerchId, MerchItem, MerchKind, Movement, MovementId,
    MovementReason, Payment, Sale, SaleId, SaleInput, Show, ShowId, Signup, SignupId, StockItem,
};
use crate::model::{
    ArtistId, Barcode, BasisPoints, Currency, FormatId, ReleaseId, ValidationError,
};

super::convert::id_sql!(LocationId, MerchId, ShowId, SaleId, MovementId, SignupId);

super::convert::code_sql!(LocationKind, MerchKind, MovementReason, Payment);

fn invalid(field: &'static str, reason: impl Into<String>) -> DbError {
    ValidationError::Invalid {
        field,
        reason: reason.into(),
    }
    .into()
}

/// The (format, merch) columns of a stock item.
fn item_columns(item: StockItem) -> (Option<FormatId>, Option<MerchId>) {
    match item {
        StockItem::Format(f) => (Some(f), None),
        StockItem::Merch(m) => (None, Some(m)),
    }
}

fn item_from(format: Option<FormatId>, merch: Option<MerchId>) -> Option<StockItem> {
    format
        .map(StockItem::Format)
        .or_else(|| merch.map(StockItem::Merch))
}

// ---- locations ----

/// Every stock location, by name.
///
/// # Errors
/// SQLite failures.
pub fn locations(conn: &Connection) -> Result<Vec<Location>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, kind FROM stock_locations ORDER BY name COLLATE NOCASE",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Location {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Adds a stock location.
///
/// # Errors
/// An empty name, a name already used (names are compared ignoring case), SQLite failures.
pub fn insert_location(tx: &Transaction<'_>, name: &str, kind: LocationKind) -> Result<LocationId> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ValidationError::Required {
            field: "location name",
        }
        .into());
    }
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM stock_locations WHERE name = ?1 COLLATE NOCASE)",
        [name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(invalid(
            "location name",
            format!("there is already a location called “{name}”"),
        ));
    }
    tx.execute(
        "INSERT INTO stock_locations (name, kind) VALUES (?1, ?2)",
        params![name, kind],
    )?;
    Ok(LocationId(tx.last_insert_rowid()))
}

// ---- merch ----

const MERCH_COLUMNS: &str =
    "id, kind, name, artist_id, size, colour, price, currency, barcode, low_stock";

fn merch_from_row(r: &Row<'_>) -> rusqlite::Result<MerchItem> {
    Ok(MerchItem {
        id: r.get(0)?,
        kind: r.get(1)?,
        name: r.get(2)?,
        artist_id: r.get(3)?,
        size: r.get(4)?,
        colour: r.get(5)?,
        price: r.get(6)?,
        currency: r.get(7)?,
        barcode: r.get(8)?,
        low_stock: r.get(9)?,
    })
}

/// Stores a new merch item (or updates it when it has an id); returns its id.
///
/// # Errors
/// A [`ValidationError`] from [`MerchItem::validate`], SQLite failures.
pub fn save_merch(tx: &Transaction<'_>, item: &MerchItem) -> Result<MerchId> {
    item.validate()?;
    // One statement for new and existing items: a NULL id makes a new row.
    let id = tx.query_row(
        "INSERT INTO merch_items (id, kind, name, artist_id, size, colour, price, currency, barcode, low_stock)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
             artist_id = excluded.artist_id, size = excluded.size, colour = excluded.colour,
             price = excluded.price, currency = excluded.currency, barcode = excluded.barcode,
             low_stock = excluded.low_stock
         RETURNING id",
        params![
            (!item.id.is_unsaved()).then_some(item.id),
            item.kind,
            item.name.trim(),
            item.artist_id,
            item.size.trim(),
            item.colour.trim(),
            item.price,
            item.currency,
            item.barcode,
            item.low_stock
        ],
        |r| r.get(0),
    )?;
    Ok(id)
}

/// Every merch item, by name.
///
/// # Errors
/// SQLite failures.
pub fn merch_items(conn: &Connection) -> Result<Vec<MerchItem>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MERCH_COLUMNS} FROM merch_items ORDER BY name COLLATE NOCASE, size, colour, id"
    ))?;
    let rows = stmt
        .query_map([], merch_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Sets the low-stock warning level of a format (0 = no warning).
///
/// # Errors
/// SQLite failures.
pub fn set_format_low_stock(tx: &Transaction<'_>, format: FormatId, level: u32) -> Result<()> {
    tx.execute(
        "INSERT INTO format_low_stock (format_id, low_stock) VALUES (?1, ?2)
         ON CONFLICT (format_id) DO UPDATE SET low_stock = excluded.low_stock",
        params![format, level],
    )?;
    Ok(())
}

// ---- stock ----

/// Records a hand-entered stock movement (received, gift, damaged, count correction).
///
/// # Errors
/// A [`ValidationError`] from [`Movement::validate`], SQLite failures (an unknown item or
/// location).
pub fn add_movement(tx: &Transaction<'_>, movement: &Movement) -> Result<MovementId> {
    movement.validate()?;
    insert_movement(tx, movement, None)
}

fn insert_movement(tx: &Transaction<'_>, m: &Movement, sale: Option<SaleId>) -> Result<MovementId> {
    let (format, merch) = item_columns(m.item);
    tx.prepare_cached(
        "INSERT INTO stock_movements (format_id, merch_id, location_id, quantity, reason, sale_id, moved_at, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?7)",
    )?
    .execute(params![format, merch, m.location, m.quantity, m.reason, sale, m.note.trim()])?;
    Ok(MovementId(tx.last_insert_rowid()))
}

/// Moves `quantity` of `item` from one location to another (two movements).
///
/// # Errors
/// See [`crate::model::shows::transfer`]; SQLite failures.
pub fn transfer(
    tx: &Transaction<'_>,
    item: StockItem,
    from: LocationId,
    to: LocationId,
    quantity: i64,
) -> Result<()> {
    for leg in crate::model::shows::transfer(item, from, to, quantity)? {
        insert_movement(tx, &leg, None)?;
    }
    Ok(())
}

/// Stock of `item` at `location` (the sum of its movements there).
///
/// # Errors
/// SQLite failures.
pub fn stock_at(conn: &Connection, item: StockItem, location: LocationId) -> Result<i64> {
    let (sql, id) = match item {
        StockItem::Format(f) => (
            "SELECT coalesce(sum(quantity), 0) FROM stock_movements WHERE format_id = ?1 AND location_id = ?2",
            f.0,
        ),
        StockItem::Merch(m) => (
            "SELECT coalesce(sum(quantity), 0) FROM stock_movements WHERE merch_id = ?1 AND location_id = ?2",
            m.0,
        ),
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row(params![id, location], |r| r.get(0))?)
}

/// A movement in an item's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub id: MovementId,
    pub moved_at: String,
    pub location: String,
    pub quantity: i64,
    pub reason: MovementReason,
    pub note: String,
}

/// Every movement of `item`, newest first: the history that explains its stock.
///
/// # Errors
/// SQLite failures.
pub fn history(conn: &Connection, item: StockItem) -> Result<Vec<HistoryRow>> {
    let (column, id) = match item {
        StockItem::Format(f) => ("format_id", f.0),
        StockItem::Merch(m) => ("merch_id", m.0),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT m.id, m.moved_at, l.name, m.quantity, m.reason, m.note
         FROM stock_movements m JOIN stock_locations l ON l.id = m.location_id
         WHERE m.{column} = ?1 ORDER BY m.id DESC"
    ))?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(HistoryRow {
                id: r.get(0)?,
                moved_at: r.get(1)?,
                location: r.get(2)?,
                quantity: r.get(3)?,
                reason: r.get(4)?,
                note: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A row of the stock overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    pub item: StockItem,
    /// "Salt in the Wires — 12\" vinyl" or "Tour shirt (M, black)".
    pub name: String,
    pub artist: String,
    /// Stock per location, in the order of [`locations`].
    pub by_location: Vec<i64>,
    pub total: i64,
    /// Warning level (0 = none).
    pub low_stock: i64,
}

impl StockRow {
    /// Below its warning level.
    #[must_use]
    pub fn is_low(&self) -> bool {
        self.low_stock > 0 && self.total < self.low_stock
    }
}

/// The stock overview: every item that has stock movements or a low-stock level, with its
/// stock per location (in the order of `locations`) and its total.
///
/// # Errors
/// SQLite failures.
pub fn overview(conn: &Connection, locations: &[Location]) -> Result<Vec<StockRow>> {
    let mut rows: Vec<StockRow> = Vec::new();
    let mut index: std::collections::HashMap<StockItem, usize> = std::collections::HashMap::new();
    let mut formats = conn.prepare_cached(&format!(
        "WITH items AS (SELECT format_id FROM stock_movements WHERE format_id IS NOT NULL
                        UNION SELECT format_id FROM format_low_stock)
         SELECT f.id, r.title, f.kind, f.variant, {},
                coalesce((SELECT low_stock FROM format_low_stock WHERE format_id = f.id), 0)
         FROM items JOIN formats f ON f.id = items.format_id JOIN releases r ON r.id = f.release_id
         ORDER BY r.title COLLATE NOCASE, f.position, f.id",
        super::releases::CREDIT_SQL
    ))?;
    let mut q = formats.query([])?;
    while let Some(r) = q.next()? {
        let id: FormatId = r.get(0)?;
        let title: String = r.get(1)?;
        let kind: crate::model::FormatKind = r.get(2)?;
        let variant: String = r.get(3)?;
        index.insert(StockItem::Format(id), rows.len());
        rows.push(StockRow {
            item: StockItem::Format(id),
            name: format_name(&title, kind, &variant),
            artist: r.get(4)?,
            by_location: vec![0; locations.len()],
            total: 0,
            low_stock: r.get(5)?,
        });
    }
    for merch in merch_items(conn)? {
        let artist = match merch.artist_id {
            Some(a) => conn
                .prepare_cached("SELECT name FROM artists WHERE id = ?1")?
                .query_row([a], |r| r.get(0))
                .optional()?
                .unwrap_or_default(),
            None => String::new(),
        };
        index.insert(StockItem::Merch(merch.id), rows.len());
        rows.push(StockRow {
            item: StockItem::Merch(merch.id),
            name: merch.display_name(),
            artist,
            by_location: vec![0; locations.len()],
            total: 0,
            low_stock: i64::from(merch.low_stock),
        });
    }
    let mut sums = conn.prepare_cached(
        "SELECT format_id, merch_id, location_id, sum(quantity) FROM stock_movements
         GROUP BY format_id, merch_id, location_id",
    )?;
    let mut q = sums.query([])?;
    while let Some(r) = q.next()? {
        let Some(item) = item_from(r.get(0)?, r.get(1)?) else {
            continue;
        };
        let location: LocationId = r.get(2)?;
        let quantity: i64 = r.get(3)?;
        if let Some(&i) = index.get(&item) {
            if let Some(col) = locations.iter().position(|l| l.id == location) {
                rows[i].by_location[col] += quantity;
            }
            rows[i].total += quantity;
        }
    }
    Ok(rows)
}

/// "Salt in the Wires — 12\" vinyl (red)".
#[must_use]
pub fn format_name(title: &str, kind: crate::model::FormatKind, variant: &str) -> String {
    format!("{title} — {}", kind.with_variant(variant))
}

// ---- shows ----

const SHOW_COLUMNS: &str =
    "id, show_date, venue, city, location_id, currency, cash_float, commission_bp,
    cash_counted, notes, closed_at";

fn show_from_row(r: &Row<'_>) -> rusqlite::Result<Show> {
    Ok(Show {
        id: r.get(0)?,
        date: r.get(1)?,
        venue: r.get(2)?,
        city: r.get(3)?,
        location_id: r.get(4)?,
        currency: r.get(5)?,
        cash_float: r.get(6)?,
        commission: BasisPoints(r.get(7)?),
        cash_counted: r.get(8)?,
        notes: r.get(9)?,
        artists: Vec::new(),
        closed_at: r.get(10)?,
    })
}

/// Stores a new show (or updates one with an id), with its artists; returns its id.
///
/// # Errors
/// A [`ValidationError`] from [`Show::validate`]; a closed show cannot be changed; SQLite
/// failures (an unknown location or artist).
pub fn save_show(tx: &Transaction<'_>, show: &Show) -> Result<ShowId> {
    show.validate()?;
    if !show.id.is_unsaved() && is_closed(tx, show.id)? {
        return Err(invalid(
            "show",
            "this show is closed: its report went to the ledger",
        ));
    }
    // One statement for new and existing shows: a NULL id makes a new row.
    let id: ShowId = tx.query_row(
        "INSERT INTO shows (id, show_date, venue, city, location_id, currency, cash_float,
             commission_bp, cash_counted, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET show_date = excluded.show_date, venue = excluded.venue,
             city = excluded.city, location_id = excluded.location_id, currency = excluded.currency,
             cash_float = excluded.cash_float, commission_bp = excluded.commission_bp,
             cash_counted = excluded.cash_counted, notes = excluded.notes
         RETURNING id",
        params![
            (!show.id.is_unsaved()).then_some(show.id),
            show.date,
            show.venue.trim(),
            show.city.trim(),
            show.location_id,
            show.currency,
            show.cash_float,
            show.commission.0,
            show.cash_counted,
            show.notes
        ],
        |r| r.get(0),
    )?;
    tx.execute("DELETE FROM show_artists WHERE show_id = ?1", [id])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO show_artists (show_id, artist_id, position) VALUES (?1, ?2, ?3)",
    )?;
    for (position, artist) in show.artists.iter().enumerate() {
        insert.execute(params![id, artist, position])?;
    }
    Ok(id)
}

fn is_closed(conn: &Connection, show: ShowId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT closed_at IS NOT NULL FROM shows WHERE id = ?1")?
        .query_row([show], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// Deletes a show that has no sales yet (a show with sales keeps them: they are the record
/// of the night, and its record sales may be in the ledger).
///
/// # Errors
/// [`DbError::InUse`] when it has sales; SQLite failures.
pub fn delete_show(tx: &Transaction<'_>, show: ShowId) -> Result<()> {
    let details = get_show(tx, show)?;
    let sales: i64 = tx.query_row(
        "SELECT count(*) FROM show_sales WHERE show_id = ?1",
        [show],
        |r| r.get(0),
    )?;
    if sales > 0 {
        return Err(DbError::InUse(format!(
            "The show at {} cannot be deleted: it has {sales} sale record(s), the record of the night",
            details.venue
        )));
    }
    tx.execute("DELETE FROM shows WHERE id = ?1", [show])?;
    Ok(())
}

/// A show with its artists.
///
/// # Errors
/// [`DbError::NotFound`] for an unknown id, SQLite failures.
pub fn get_show(conn: &Connection, id: ShowId) -> Result<Show> {
    let mut show = conn
        .prepare_cached(&format!("SELECT {SHOW_COLUMNS} FROM shows WHERE id = ?1"))?
        .query_row([id], show_from_row)
        .optional()?
        .ok_or(DbError::Missing {
            kind: "show",
            id: id.0,
        })?;
    show.artists = conn
        .prepare_cached("SELECT artist_id FROM show_artists WHERE show_id = ?1 ORDER BY position")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(show)
}

/// A show in the list: the show and its takings so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowSummary {
    pub show: Show,
    pub artists: String,
    pub sales: i64,
    pub takings: i64,
}

/// Every show, newest first, with the artists' names and the takings of sales not undone.
///
/// # Errors
/// SQLite failures.
pub fn list_shows(conn: &Connection) -> Result<Vec<ShowSummary>> {
    let columns = SHOW_COLUMNS
        .split(',')
        .map(|c| format!("s.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns},
            coalesce((SELECT group_concat(name, ', ') FROM (SELECT a.name FROM show_artists sa
                JOIN artists a ON a.id = sa.artist_id WHERE sa.show_id = s.id ORDER BY sa.position)), ''),
            (SELECT count(*) FROM show_sales x WHERE x.show_id = s.id AND x.voids_sale_id IS NULL
                AND NOT EXISTS (SELECT 1 FROM show_sales v WHERE v.voids_sale_id = x.id)),
            coalesce((SELECT sum(total) FROM show_sales x WHERE x.show_id = s.id AND x.voids_sale_id IS NULL
                AND NOT EXISTS (SELECT 1 FROM show_sales v WHERE v.voids_sale_id = x.id)), 0)
         FROM shows s ORDER BY s.show_date DESC, s.id DESC"
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(ShowSummary {
                show: show_from_row(r)?,
                artists: r.get(11)?,
                sales: r.get(12)?,
                takings: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A button on the merch screen: something the playing artists (or the label) sell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellItem {
    pub item: StockItem,
    pub release_id: Option<ReleaseId>,
    pub name: String,
    pub artist_id: Option<ArtistId>,
    pub artist: String,
    /// Price in minor units of the show's currency; `None` when the item has no price in it.
    pub price: Option<i64>,
    pub barcode: Option<Barcode>,
    /// Stock at the show's location.
    pub stock: i64,
}

/// What can be sold at `show`: the physical formats of the playing artists' releases (newest
/// first), their merch and the label's own merch (no artist), each with its stock at the
/// show's location. A price in another currency than the show's is left out (`None`).
///
/// # Errors
/// SQLite failures.
pub fn sell_items(conn: &Connection, show: &Show) -> Result<Vec<SellItem>> {
    let mut items = Vec::new();
    let mut formats = conn.prepare_cached(
        "SELECT f.id, r.id, r.title, f.kind, f.variant, a.id, a.name, f.retail_price, f.currency, f.barcode
         FROM show_artists sa
         JOIN release_artists ra ON ra.artist_id = sa.artist_id
         JOIN releases r ON r.id = ra.release_id
         JOIN formats f ON f.release_id = r.id AND f.kind <> 'digital'
         JOIN artists a ON a.id = sa.artist_id
         WHERE sa.show_id = ?1
         GROUP BY f.id
         ORDER BY sa.position, r.release_date IS NULL, r.release_date DESC, f.position, f.id",
    )?;
    let mut q = formats.query([show.id])?;
    while let Some(r) = q.next()? {
        let id: FormatId = r.get(0)?;
        let kind: crate::model::FormatKind = r.get(3)?;
        let variant: String = r.get(4)?;
        let currency: Currency = r.get(8)?;
        let price: Option<i64> = r.get(7)?;
        items.push(SellItem {
            item: StockItem::Format(id),
            release_id: Some(r.get(1)?),
            name: format_name(&r.get::<_, String>(2)?, kind, &variant),
            artist_id: Some(r.get(5)?),
            artist: r.get(6)?,
            price: price.filter(|_| currency == show.currency),
            barcode: r.get(9)?,
            stock: 0,
        });
    }
    let mut merch = conn.prepare_cached(&format!(
        "SELECT {MERCH_COLUMNS}, coalesce((SELECT name FROM artists WHERE id = m.artist_id), '')
         FROM merch_items m
         WHERE m.artist_id IS NULL OR m.artist_id IN (SELECT artist_id FROM show_artists WHERE show_id = ?1)
         ORDER BY m.artist_id IS NULL, m.name COLLATE NOCASE, m.id"
    ))?;
    let mut q = merch.query([show.id])?;
    while let Some(r) = q.next()? {
        let m = merch_from_row(r)?;
        items.push(SellItem {
            item: StockItem::Merch(m.id),
            release_id: None,
            name: m.display_name(),
            artist_id: m.artist_id,
            artist: r.get(10)?,
            price: (m.currency == show.currency).then_some(m.price),
            barcode: m.barcode,
            stock: 0,
        });
    }
    for item in &mut items {
        item.stock = stock_at(conn, item.item, show.location_id)?;
    }
    Ok(items)
}

/// Finds an item by a scanned barcode (UPC-A and EAN-13 forms of a code match) among
/// `items`.
#[must_use]
pub fn find_by_barcode<'a>(items: &'a [SellItem], scanned: &str) -> Option<&'a SellItem> {
    let code = Barcode::parse(scanned.trim()).ok()?;
    items
        .iter()
        .find(|i| i.barcode.as_ref().is_some_and(|b| b.same_product(&code)))
}

// ---- sales ----

/// Records a sale at `show`: the sale row and its stock movement out of the show's location,
/// in the caller's transaction. Returns the sale's id.
///
/// # Errors
/// A [`ValidationError`] (quantity, price, discount); a closed show; SQLite failures.
pub fn record_sale(
    tx: &Transaction<'_>,
    show: ShowId,
    sale: &SaleInput,
    sold_at: NaiveDateTime,
) -> Result<SaleId> {
    let amounts = sale.amounts()?;
    let (location, closed): (LocationId, bool) = tx
        .prepare_cached("SELECT location_id, closed_at IS NOT NULL FROM shows WHERE id = ?1")?
        .query_row([show], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(DbError::Missing {
            kind: "show",
            id: show.0,
        })?;
    if closed {
        return Err(invalid(
            "show",
            "this show is closed: no more sales can be added",
        ));
    }
    let description = sale.description.trim();
    if description.is_empty() {
        return Err(ValidationError::Required { field: "item" }.into());
    }
    let (format, merch) = item_columns(sale.item);
    tx.prepare_cached(
        "INSERT INTO show_sales (show_id, sold_at, format_id, merch_id, description, artist_id, quantity,
             unit_price, discount, total, payment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        show,
        sold_at,
        format,
        merch,
        description,
        sale.artist_id,
        sale.quantity,
        sale.unit_price,
        amounts.discount,
        amounts.total,
        sale.payment
    ])?;
    let id = SaleId(tx.last_insert_rowid());
    insert_movement(
        tx,
        &Movement {
            item: sale.item,
            location,
            quantity: -sale.quantity,
            reason: MovementReason::Sale,
            note: String::new(),
        },
        Some(id),
    )?;
    Ok(id)
}

/// Undoes the last sale at `show` that is not undone yet: writes a void record pointing at it
/// and puts its stock back. Returns the sale undone, `None` when there is none.
///
/// # Errors
/// A closed show; SQLite failures.
pub fn void_last_sale(
    tx: &Transaction<'_>,
    show: ShowId,
    at: NaiveDateTime,
) -> Result<Option<Sale>> {
    if is_closed(tx, show)? {
        return Err(invalid(
            "show",
            "this show is closed: its sales cannot be undone",
        ));
    }
    // The newest sale that is not a void record and not undone yet, in one query.
    let last: Option<SaleId> = tx
        .prepare_cached(
            "SELECT s.id FROM show_sales s
             WHERE s.show_id = ?1 AND s.voids_sale_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM show_sales v WHERE v.voids_sale_id = s.id)
             ORDER BY s.id DESC LIMIT 1",
        )?
        .query_row([show], |r| r.get(0))
        .optional()?;
    let Some(last) = last else {
        return Ok(None);
    };
    let last = sale(tx, last)?;
    // The void record repeats the sale and points at it.
    tx.prepare_cached(
        "INSERT INTO show_sales (show_id, sold_at, format_id, merch_id, description, artist_id, quantity,
             unit_price, discount, total, payment, voids_sale_id)
         SELECT show_id, ?2, format_id, merch_id, description, artist_id, quantity, unit_price,
                discount, total, payment, id
         FROM show_sales WHERE id = ?1",
    )?
    .execute(params![last.id, at])?;
    let void = SaleId(tx.last_insert_rowid());
    if let Some(item) = last.item {
        let location: LocationId =
            tx.query_row("SELECT location_id FROM shows WHERE id = ?1", [show], |r| {
                r.get(0)
            })?;
        insert_movement(
            tx,
            &Movement {
                item,
                location,
                quantity: last.quantity,
                reason: MovementReason::SaleVoid,
                note: String::new(),
            },
            Some(void),
        )?;
    }
    Ok(Some(last))
}

/// Every sale and void record at `show`, oldest first, with the artists' names.
///
/// # Errors
/// SQLite failures.
pub fn sales(conn: &Connection, show: ShowId) -> Result<Vec<Sale>> {
    let mut stmt =
        conn.prepare_cached(&format!("{SALE_SELECT} WHERE s.show_id = ?1 ORDER BY s.id"))?;
    let rows = stmt
        .query_map([show], sale_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One sale (or void record) by id.
///
/// # Errors
/// [`DbError::Missing`] for an unknown id, SQLite failures.
pub fn sale(conn: &Connection, id: SaleId) -> Result<Sale> {
    conn.prepare_cached(&format!("{SALE_SELECT} WHERE s.id = ?1"))?
        .query_row([id], sale_from_row)
        .optional()?
        .ok_or(DbError::Missing {
            kind: "sale",
            id: id.0,
        })
}

const SALE_SELECT: &str =
    "SELECT s.id, s.show_id, s.sold_at, s.format_id, s.merch_id, s.description,
        s.artist_id, coalesce(a.name, ''), s.quantity, s.unit_price, s.discount, s.total, s.payment,
        s.voids_sale_id
    FROM show_sales s LEFT JOIN artists a ON a.id = s.artist_id";

fn sale_from_row(r: &Row<'_>) -> rusqlite::Result<Sale> {
    Ok(Sale {
        id: r.get(0)?,
        show_id: r.get(1)?,
        sold_at: r.get(2)?,
        item: item_from(r.get(3)?, r.get(4)?),
        description: r.get(5)?,
        artist_id: r.get(6)?,
        artist: r.get(7)?,
        quantity: r.get(8)?,
        unit_price: r.get(9)?,
        discount: r.get(10)?,
        total: r.get(11)?,
        payment: r.get(12)?,
        voids: r.get(13)?,
    })
}

/// Closes a show: stores the cash counted and turns its record sales (not undone) into
/// income lines of the sales ledger (channel physical, source the show), each line's net being
/// its takings less its share of the venue's commission (shared out by largest remainder so the
/// lines add up to the report's commission exactly). Merch that is not a record stays out of
/// the ledger. Returns the number of income lines written.
///
/// # Errors
/// A show already closed; SQLite failures.
pub fn close_show(tx: &Transaction<'_>, show: ShowId, cash_counted: Option<i64>) -> Result<usize> {
    let mut details = get_show(tx, show)?;
    if details.closed_at.is_some() {
        return Err(invalid("show", "this show is already closed"));
    }
    details.cash_counted = cash_counted;
    details.validate()?;
    let all = sales(tx, show)?;
    let report = crate::model::shows::ShowReport::compute(&details, &all);
    let live: Vec<&Sale> = crate::model::shows::live_sales(&all).collect();
    let weights: Vec<i64> = live.iter().map(|s| s.total).collect();
    let commission = crate::model::shows::allocate(report.commission, &weights);
    let home = super::labels::home_currency(tx)?;
    let scale = 10_i64.pow(8 - u32::from(details.currency.minor_digits()));
    let source = format!("Show: {}", details.title());
    let period = details.date.format("%Y-%m").to_string();
    let mut insert = tx.prepare_cached(
        "INSERT INTO income_lines (import_id, line_no, sale_date, period, release_id, format_id, channel,
             source, quantity, gross_e8, net_e8, currency, net_home_e8, raw_title, raw_artist, match_key)
         SELECT NULL, ?2, ?3, ?4, f.release_id, f.id, 'physical', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13
         FROM formats f WHERE f.id = ?1",
    )?;
    let mut written = 0;
    for (n, (sale, cut)) in live.iter().zip(&commission).enumerate() {
        let Some(StockItem::Format(format)) = sale.item else {
            continue;
        };
        let gross = sale.total * scale;
        let net = (sale.total - cut) * scale;
        let net_home = (details.currency == home).then_some(net);
        written += insert.execute(params![
            format,
            n + 1,
            details.date,
            period,
            source,
            sale.quantity,
            gross,
            net,
            details.currency,
            net_home,
            sale.description,
            sale.artist,
            format!("show:{}:{}", show.0, sale.id.0)
        ])?;
    }
    tx.execute(
        "UPDATE shows SET cash_counted = ?2, closed_at = strftime('%Y-%m-%d %H:%M:%S', 'now') WHERE id = ?1",
        params![show, cash_counted],
    )?;
    Ok(written)
}

// ---- mailing list ----

/// Adds a mailing-list sign-up. Returns `None` when the address is already on the list (it is
/// not added twice).
///
/// # Errors
/// A bad e-mail address ([`crate::model::shows::validate_email`]), SQLite failures.
pub fn add_signup(
    tx: &Transaction<'_>,
    show: Option<ShowId>,
    name: &str,
    email: &str,
    consented_at: NaiveDateTime,
) -> Result<Option<SignupId>> {
    let email = crate::model::shows::validate_email(email)?;
    if name.chars().count() > 200 {
        return Err(ValidationError::TooLong {
            field: "name",
            max: 200,
        }
        .into());
    }
    let added = tx.execute(
        "INSERT INTO mailing_signups (show_id, name, email, consented_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        params![show, name.trim(), email, consented_at],
    )?;
    Ok((added > 0).then(|| SignupId(tx.last_insert_rowid())))
}

/// Every sign-up, oldest first.
///
/// # Errors
/// SQLite failures.
pub fn signups(conn: &Connection) -> Result<Vec<Signup>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, show_id, name, email, consented_at FROM mailing_signups ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Signup {
                id: r.get(0)?,
                show_id: r.get(1)?,
                name: r.get(2)?,
                email: r.get(3)?,
                consented_at: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

// ---- one entry point for the app ----

/// A write the Shows panel asks for. Applied in one transaction by [`apply`]; these writes
/// are not on the edit undo stack (a sale is undone by a void record, stock by a correction).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    SaveShow(Show),
    DeleteShow(ShowId),
    SaveMerch(MerchItem),
    AddLocation {
        name: String,
        kind: LocationKind,
    },
    Move(Movement),
    Transfer {
        item: StockItem,
        from: LocationId,
        to: LocationId,
        quantity: i64,
    },
    LowStock {
        format: FormatId,
        level: u32,
    },
    Sell {
        show: ShowId,
        sale: SaleInput,
        at: NaiveDateTime,
    },
    VoidLast {
        show: ShowId,
        at: NaiveDateTime,
    },
    Close {
        show: ShowId,
        cash_counted: Option<i64>,
    },
    Signup {
        show: Option<ShowId>,
        name: String,
        email: String,
        at: NaiveDateTime,
    },
}

/// What an [`Op`] did: a message for the status line and what it created.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub message: String,
    pub show: Option<ShowId>,
    pub sale: Option<SaleId>,
}

/// Applies `op` in the caller's transaction.
///
/// # Errors
/// Whatever the write refuses (validation, a closed show…), SQLite failures.
pub fn apply(tx: &Transaction<'_>, op: &Op) -> Result<Outcome> {
    let message = |m: String| Outcome {
        message: m,
        ..Outcome::default()
    };
    Ok(match op {
        Op::SaveShow(show) => {
            let id = save_show(tx, show)?;
            Outcome {
                message: format!("Saved the show at {}", show.venue.trim()),
                show: Some(id),
                sale: None,
            }
        }
        Op::DeleteShow(show) => {
            let venue = get_show(tx, *show)?.venue;
            delete_show(tx, *show)?;
            message(format!("Deleted the show at {venue}"))
        }
        Op::SaveMerch(item) => {
            save_merch(tx, item)?;
            message(format!("Saved {}", item.display_name()))
        }
        Op::AddLocation { name, kind } => {
            insert_location(tx, name, *kind)?;
            message(format!("Added the location {}", name.trim()))
        }
        Op::Move(movement) => {
            add_movement(tx, movement)?;
            message(format!(
                "Recorded: {} {:+}",
                movement.reason.label(),
                movement.quantity
            ))
        }
        Op::Transfer {
            item,
            from,
            to,
            quantity,
        } => {
            transfer(tx, *item, *from, *to, *quantity)?;
            message(format!("Moved {quantity}"))
        }
        Op::LowStock { format, level } => {
            set_format_low_stock(tx, *format, *level)?;
            message(format!("Low-stock warning below {level}"))
        }
        Op::Sell { show, sale, at } => {
            let id = record_sale(tx, *show, sale, *at)?;
            let total = sale.amounts()?.total;
            let currency: Currency =
                tx.query_row("SELECT currency FROM shows WHERE id = ?1", [show], |r| {
                    r.get(0)
                })?;
            Outcome {
                message: format!(
                    "Sold {} × {} for {}",
                    sale.quantity,
                    sale.description,
                    crate::model::Money::new(total, currency)
                ),
                show: Some(*show),
                sale: Some(id),
            }
        }
        Op::VoidLast { show, at } => match void_last_sale(tx, *show, *at)? {
            Some(sale) => Outcome {
                message: format!("Undone: {} × {}", sale.quantity, sale.description),
                show: Some(*show),
                sale: Some(sale.id),
            },
            None => message("No sale to undo".to_owned()),
        },
        Op::Close { show, cash_counted } => {
            let lines = close_show(tx, *show, *cash_counted)?;
            Outcome {
                message: format!("Show closed: {lines} record sale(s) went to the sales ledger"),
                show: Some(*show),
                sale: None,
            }
        }
        Op::Signup {
            show,
            name,
            email,
            at,
        } => match add_signup(tx, *show, name, email, *at)? {
            Some(_) => message(format!("{} joined the mailing list", email.trim())),
            None => message(format!("{} is already on the mailing list", email.trim())),
        },
    })
}
