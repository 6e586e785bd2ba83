//! TuneCore's sales report (comma-separated). "Total Earned" is the amount, in the currency of
//! the "Currency" column (TuneCore has already converted "Net Sales" at its "Exchange Rate").
//! "TC Song ID" is TuneCore's own id, never an ISRC: the ISRC is "Optional ISRC".

use super::{DateOrder, ParsedLine, ReportError, Row, period_of};
use crate::model::{Channel, RawIdentifiers};

/// The header, exactly as TuneCore writes it.
pub const COLUMNS: &[&str] = &[
    "Sales Period",
    "Posted Date",
    "Store Name",
    "Country Of Sale",
    "Artist",
    "Release Type",
    "Release Title",
    "Song Title",
    "Label",
    "UPC",
    "Optional UPC",
    "TC Song ID",
    "Optional ISRC",
    "Sales Type",
    "# Units Sold",
    "Per Unit Price",
    "Net Sales",
    "Net Sales Currency",
    "Exchange Rate",
    "Total Earned",
    "Currency",
];

/// Columns only TuneCore has.
pub const SIGNATURE: &[&str] = &["TC Song ID", "Total Earned"];

/// Reads one line.
///
/// # Errors
/// An unreadable date, quantity, amount or currency.
pub fn read(row: &Row<'_>) -> Result<ParsedLine, ReportError> {
    let sale_date = row.date("Sales Period", DateOrder::YearFirst)?;
    let posted = row.date("Posted Date", DateOrder::YearFirst)?;
    let store = row.string("Store Name");
    let song = row.text("Song Title");
    let album = song.is_empty();
    let title = if album {
        row.text("Release Title")
    } else {
        song
    };
    let upc = match row.text("UPC") {
        "" => row.string("Optional UPC"),
        upc => upc.to_owned(),
    };
    Ok(ParsedLine {
        line_no: row.line(),
        sale_date,
        period: period_of(posted),
        channel: Channel::guess(
            row.text("Sales Type"),
            Channel::guess(&store, Channel::Stream),
        ),
        territory: row.text("Country Of Sale").to_uppercase(),
        quantity: row.quantity("# Units Sold")?,
        gross: None,
        net: row.amount("Total Earned", false)?,
        currency: row.currency("Currency")?,
        raw: RawIdentifiers {
            isrc: row.string("Optional ISRC"),
            barcode: upc,
            catno: String::new(),
            artist: row.string("Artist"),
            title: title.to_owned(),
            other_id: row.string("TC Song ID"),
        },
        physical: false,
        album,
        source: store,
    })
}
