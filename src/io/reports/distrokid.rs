//! DistroKid's bank-details export (tab-separated): one line per store, month, song and
//! country. The amount is "Earnings (USD)", already the team member's share, in US dollars
//! with up to 8 decimals.

use super::{DateOrder, ParsedLine, ReportError, Row, period_of};
use crate::model::{Channel, Currency, RawIdentifiers};

/// The header, exactly as DistroKid writes it.
pub const COLUMNS: &[&str] = &[
    "Reporting Date",
    "Sale Month",
    "Store",
    "Artist",
    "Title",
    "ISRC",
    "UPC",
    "Quantity",
    "Team Percentage",
    "Song/Album",
    "Country of Sale",
    "Songwriter Royalties Withheld",
    "Earnings (USD)",
];

/// Columns only DistroKid has.
pub const SIGNATURE: &[&str] = &["Earnings (USD)", "Songwriter Royalties Withheld"];

/// Reads one line.
///
/// # Errors
/// An unreadable date, quantity or amount.
pub fn read(row: &Row<'_>) -> Result<ParsedLine, ReportError> {
    let reported = row.date("Reporting Date", DateOrder::YearFirst)?;
    let sale_date = row.date("Sale Month", DateOrder::YearFirst)?;
    let store = row.string("Store");
    Ok(ParsedLine {
        line_no: row.line(),
        sale_date,
        period: period_of(reported),
        channel: Channel::guess(&store, Channel::Stream),
        territory: row.text("Country of Sale").to_uppercase(),
        quantity: row.quantity("Quantity")?,
        gross: None,
        net: row.amount("Earnings (USD)", false)?,
        currency: Currency::USD,
        raw: RawIdentifiers {
            isrc: row.string("ISRC"),
            barcode: row.string("UPC"),
            catno: String::new(),
            artist: row.string("Artist"),
            title: row.string("Title"),
            other_id: String::new(),
        },
        physical: false,
        album: row.text("Song/Album").eq_ignore_ascii_case("album"),
        source: store,
    })
}
