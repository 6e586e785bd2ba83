//! Bandcamp's sales report (comma-separated; dates like `11/25/22 5:45pm`). "net amount" is the
//! amount, in the currency of the "currency" column; "item total" is the gross. An item type of
//! "package" is a physical sale (flagged: it becomes a stock movement once stock exists).
//! Newer exports add "upc", "isrc" and "catalog number" columns, used when present.

use super::{DateOrder, ParsedLine, ReportError, Row, period_of};
use crate::model::{Channel, RawIdentifiers};

/// The header, exactly as Bandcamp writes it.
pub const COLUMNS: &[&str] = &[
    "date",
    "paid to",
    "item type",
    "item name",
    "artist",
    "currency",
    "item price",
    "quantity",
    "discount code",
    "sub total",
    "transaction fee",
    "fee type",
    "item total",
    "amount you received",
    "bandcamp transaction id",
    "paypal transaction id",
    "net amount",
];

/// Columns only Bandcamp has.
pub const SIGNATURE: &[&str] = &["bandcamp transaction id", "amount you received"];

/// Reads one line.
///
/// # Errors
/// An unreadable date, quantity, amount or currency.
pub fn read(row: &Row<'_>) -> Result<ParsedLine, ReportError> {
    let sale_date = row.date("date", DateOrder::MonthFirst)?;
    let item_type = row.text("item type").to_lowercase();
    let physical = item_type == "package";
    let channel = match item_type.as_str() {
        "package" => Channel::Physical,
        "album" | "track" => Channel::Download,
        other => Channel::guess(other, Channel::Other),
    };
    Ok(ParsedLine {
        line_no: row.line(),
        sale_date,
        period: period_of(sale_date),
        channel,
        territory: row.text("country code").to_uppercase(),
        source: "Bandcamp".to_owned(),
        quantity: row.quantity("quantity")?,
        gross: row.optional_amount("item total", false)?,
        net: row.amount("net amount", false)?,
        currency: row.currency("currency")?,
        raw: RawIdentifiers {
            isrc: row.string("isrc"),
            barcode: row.string("upc"),
            catno: row.string("catalog number"),
            artist: row.string("artist"),
            title: row.string("item name"),
            other_id: row.string("bandcamp transaction id"),
        },
        physical,
        album: item_type == "album" || physical,
    })
}
