//! Any other CSV/TSV report, read through a column mapping the user saves under a name (kept
//! as JSON in the catalog). A saved mapping is detected like a built-in layout: when every
//! column it names is in the header row.

use super::{ParsedLine, ReportError, Row, period_of};
use crate::model::{Channel, Currency, RawIdentifiers};

/// The order of day, month and year in a report's dates.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `2024-03-01` (also `2024-03` for a month).
    #[default]
    YearFirst,
    /// `03/01/2024`, `3/1/24` (North American).
    MonthFirst,
    /// `01/03/2024`, `1.3.2024`.
    DayFirst,
}

impl DateOrder {
    pub const ALL: &[Self] = &[Self::YearFirst, Self::MonthFirst, Self::DayFirst];

    /// How such a date is written, for messages and pickers.
    #[must_use]
    pub fn expected(self) -> &'static str {
        match self {
            Self::YearFirst => "expected YYYY-MM-DD",
            Self::MonthFirst => "expected month/day/year, e.g. 10/15/2023",
            Self::DayFirst => "expected day/month/year, e.g. 15/10/2023",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::YearFirst => "YYYY-MM-DD",
            Self::MonthFirst => "MM/DD/YYYY",
            Self::DayFirst => "DD/MM/YYYY",
        }
    }
}

/// Which column holds what. Empty column names are "not in this report".
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ColumnMapping {
    /// The sale date (required).
    pub date: String,
    pub date_order: DateOrder,
    /// The date the distributor reported the sale (the accounting period); the sale date when
    /// empty.
    pub reported: String,
    /// The amount earned (required).
    pub net: String,
    pub gross: String,
    /// Amounts are written with a decimal comma (`12,50`).
    pub decimal_comma: bool,
    /// The column with each line's currency code; or `fixed_currency` for the whole file.
    pub currency: String,
    pub fixed_currency: Option<Currency>,
    pub quantity: String,
    pub isrc: String,
    pub barcode: String,
    pub catno: String,
    pub artist: String,
    pub title: String,
    pub territory: String,
    pub store: String,
    /// A column whose words name the channel (`stream`, `download`…).
    pub channel: String,
    /// The channel when no column says (stream when unset).
    pub default_channel: Option<Channel>,
}

impl ColumnMapping {
    /// Every column the mapping names (what a header must have for it to apply).
    #[must_use]
    pub fn columns(&self) -> Vec<String> {
        [
            &self.date,
            &self.reported,
            &self.net,
            &self.gross,
            &self.currency,
            &self.quantity,
            &self.isrc,
            &self.barcode,
            &self.catno,
            &self.artist,
            &self.title,
            &self.territory,
            &self.store,
            &self.channel,
        ]
        .into_iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect()
    }

    /// Checks that the mapping can read a report.
    ///
    /// # Errors
    /// A message naming what is missing.
    pub fn validate(&self) -> Result<(), String> {
        if self.date.trim().is_empty() {
            return Err("name the column with the sale date".to_owned());
        }
        if self.net.trim().is_empty() {
            return Err("name the column with the amount earned".to_owned());
        }
        if self.currency.trim().is_empty() && self.fixed_currency.is_none() {
            return Err(
                "name the column with the currency, or give the currency of the whole file"
                    .to_owned(),
            );
        }
        Ok(())
    }

    /// Reads a stored mapping.
    ///
    /// # Errors
    /// A message when the JSON is not a mapping or the mapping is incomplete.
    pub fn from_json(json: &str) -> Result<Self, String> {
        let mapping: Self = serde_json::from_str(json).map_err(|e| e.to_string())?;
        mapping.validate()?;
        Ok(mapping)
    }

    /// The mapping as stored.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// Reads one line through a mapping.
///
/// # Errors
/// An unreadable date, quantity, amount or currency.
pub fn read(row: &Row<'_>, m: &ColumnMapping) -> Result<ParsedLine, ReportError> {
    let sale_date = row.date(&m.date, m.date_order)?;
    let reported = if m.reported.trim().is_empty() {
        sale_date
    } else {
        row.date(&m.reported, m.date_order)?
    };
    let currency = match m.fixed_currency {
        Some(c) if m.currency.trim().is_empty() => c,
        _ => row.currency(&m.currency)?,
    };
    let store = row.string(&m.store);
    let fallback = m.default_channel.unwrap_or(Channel::Stream);
    let channel = if m.channel.trim().is_empty() {
        Channel::guess(&store, fallback)
    } else {
        Channel::guess(row.text(&m.channel), Channel::guess(&store, fallback))
    };
    Ok(ParsedLine {
        line_no: row.line(),
        sale_date,
        period: period_of(reported),
        channel,
        territory: row.text(&m.territory).to_uppercase(),
        source: store,
        quantity: if m.quantity.trim().is_empty() {
            0
        } else {
            row.quantity(&m.quantity)?
        },
        gross: row.optional_amount(&m.gross, m.decimal_comma)?,
        net: row.amount(&m.net, m.decimal_comma)?,
        currency,
        raw: RawIdentifiers {
            isrc: row.string(&m.isrc),
            barcode: row.string(&m.barcode),
            catno: row.string(&m.catno),
            artist: row.string(&m.artist),
            title: row.string(&m.title),
            other_id: String::new(),
        },
        physical: channel == Channel::Physical,
        album: false,
    })
}

/// The column names of a report's header row (its first non-empty row) as written, read the
/// way [`super::parse_bytes`] reads it: for picking the columns of a new mapping.
///
/// # Errors
/// The file is not text, is empty, or its first row cannot be read.
pub fn header_columns(file: &str, bytes: &[u8]) -> Result<Vec<String>, ReportError> {
    let text = super::decode(file, bytes)?;
    let empty = || ReportError::Empty {
        file: file.to_owned(),
    };
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or_else(empty)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(super::delimiter(first))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| ReportError::BadRow {
            file: file.to_owned(),
            line: e.position().map_or(0, csv::Position::line),
            detail: e.to_string(),
        })?;
        if record.iter().any(|c| !c.trim().is_empty()) {
            return Ok(super::Header::new(&record).names().to_vec());
        }
    }
    Err(empty())
}
