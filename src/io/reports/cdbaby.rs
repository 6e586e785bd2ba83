//! CD Baby's accounting export (tab-separated; the barcode is quoted; dates like
//! `10/15/2023 12:00:00 AM`). "Subtotal" is the amount, in US dollars, with up to 10 decimals.

use super::{DateOrder, ParsedLine, ReportError, Row, period_of};
use crate::model::{Channel, Currency, RawIdentifiers};

/// The header, exactly as CD Baby writes it.
pub const COLUMNS: &[&str] = &[
    "Report Date",
    "Sales Date",
    "Quantity",
    "Price",
    "Subtotal",
    "Isrc",
    "Barcode",
    "CDBabySku",
    "Album Name",
    "Artist Name",
    "Track Name",
    "Partner Name",
    "Transaction Type",
    "Delivery Country",
];

/// Columns only CD Baby has.
pub const SIGNATURE: &[&str] = &["CDBabySku"];

/// Reads one line.
///
/// # Errors
/// An unreadable date, quantity or amount.
pub fn read(row: &Row<'_>) -> Result<ParsedLine, ReportError> {
    let reported = row.date("Report Date", DateOrder::MonthFirst)?;
    let sale_date = row.date("Sales Date", DateOrder::MonthFirst)?;
    let partner = row.string("Partner Name");
    let track = row.text("Track Name");
    let album = track.is_empty();
    let title = if album { row.text("Album Name") } else { track };
    Ok(ParsedLine {
        line_no: row.line(),
        sale_date,
        period: period_of(reported),
        channel: Channel::guess(
            row.text("Transaction Type"),
            Channel::guess(&partner, Channel::Stream),
        ),
        territory: row.text("Delivery Country").to_uppercase(),
        quantity: row.quantity("Quantity")?,
        gross: None,
        net: row.amount("Subtotal", false)?,
        currency: Currency::USD,
        raw: RawIdentifiers {
            isrc: row.string("Isrc"),
            barcode: row.string("Barcode"),
            catno: String::new(),
            artist: row.string("Artist Name"),
            title: title.to_owned(),
            other_id: row.string("CDBabySku"),
        },
        physical: false,
        album,
        source: partner,
    })
}
