//! The sales ledger's pure types: exact report amounts, channels, cost categories, exchange
//! rates, and the rows of income and cost lines.
//!
//! ## Amounts and rounding (the rule, written down)
//! - Distributor reports carry fractions of a cent. A report amount is read exactly into an
//!   [`ExactAmount`] (units of 10⁻¹⁸, from decimal text, never through floating point).
//! - The ledger stores each line as an [`Amount8`]: integer units of 10⁻⁸ of the currency.
//!   Amounts with at most 8 decimals are stored as they are. For the rare file with more
//!   (CD Baby writes 10), lines are rounded *cumulatively* per currency in file order
//!   ([`LineRounder`]): each line stores `round(sum up to it) − round(sum before it)`, half to
//!   even, so every stored line is within 10⁻⁸ of its exact value and the stored lines add up
//!   exactly to the file's exact total rounded once to 10⁻⁸ (the control total).
//! - Statement lines (an aggregate: a release, a channel, a period) are summed in 10⁻⁸ and
//!   rounded once, half to even, to the currency's minor unit ([`Amount8::to_money`]).
//! - Conversion to the home currency uses the rate entered per import, `1 CUR = R` home units
//!   ([`Rate`]), exactly, rounded half to even to 10⁻⁸ per line.

use std::fmt;

use chrono::NaiveDate;

use super::error::ValidationError;
use super::ids::{FormatId, ReleaseId, TrackId};
use super::money::{Currency, Money};

super::ids::id_type!(
    /// Identifies one imported report file (an import batch).
    ImportId
);
super::ids::id_type!(
    /// Identifies one income line.
    IncomeLineId
);
super::ids::id_type!(
    /// Identifies one cost line.
    CostLineId
);

const E8: i128 = 100_000_000;
const E10: i128 = 10_000_000_000;
const E18: i128 = 1_000_000_000_000_000_000;
/// Most decimal places a report amount may have.
pub const MAX_DECIMALS: usize = 18;

/// `value / divisor`, rounded half to even (`divisor` > 0).
#[must_use]
pub fn div_half_even(value: i128, divisor: i128) -> i128 {
    let mut quotient = value / divisor;
    let remainder = value % divisor;
    let twice = remainder.abs() * 2;
    if twice > divisor || (twice == divisor && quotient % 2 != 0) {
        quotient += value.signum();
    }
    quotient
}

/// Why a report amount or a rate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("it is empty")]
    Empty,
    #[error("“{0}” is not a number: use digits with a decimal point, e.g. 0.00789993")]
    NotANumber(String),
    #[error("it has more than {MAX_DECIMALS} decimal places")]
    TooPrecise,
    #[error("it is too large")]
    TooLarge,
    #[error("a rate must be more than zero")]
    NotPositive,
}

/// An amount read exactly from a report: integer units of 10⁻¹⁸ of its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ExactAmount(pub i128);

impl ExactAmount {
    /// Reads decimal text exactly: an optional sign, digits with one decimal point (or a
    /// decimal comma when `decimal_comma`), an optional exponent (`1.5E-05`). Surrounding
    /// spaces are ignored; thousands separators are not accepted.
    ///
    /// # Errors
    /// [`AmountError`] saying what is wrong.
    pub fn parse(input: &str, decimal_comma: bool) -> Result<Self, AmountError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        let bad = || AmountError::NotANumber(text.to_owned());
        let (negative, body) = match text.as_bytes()[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (number, exponent) = match body.find(['e', 'E']) {
            Some(i) => {
                let exp: i32 = body[i + 1..].parse().map_err(|_| bad())?;
                (&body[..i], exp)
            }
            None => (body, 0),
        };
        let point = if decimal_comma { ',' } else { '.' };
        let (int, frac) = number.split_once(point).unwrap_or((number, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        // digits × 10^(exponent − frac.len())
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        let frac_len = i32::try_from(frac.len()).map_err(|_| AmountError::TooPrecise)?;
        let shift = exponent
            .checked_sub(frac_len)
            .and_then(|s| s.checked_add(18))
            .ok_or(AmountError::TooLarge)?;
        let mut value: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| AmountError::TooLarge)?
        };
        if shift >= 0 {
            let factor = 10_i128
                .checked_pow(shift.unsigned_abs())
                .ok_or(AmountError::TooLarge)?;
            value = value.checked_mul(factor).ok_or(AmountError::TooLarge)?;
        } else {
            let factor = 10_i128
                .checked_pow(shift.unsigned_abs())
                .ok_or(AmountError::TooPrecise)?;
            if value % factor != 0 {
                return Err(AmountError::TooPrecise);
            }
            value /= factor;
        }
        Ok(Self(if negative { -value } else { value }))
    }

    /// The sum, or `None` on overflow.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// The amount times a whole number (e.g. a unit price times a quantity).
    #[must_use]
    pub fn checked_mul(self, factor: i64) -> Option<Self> {
        self.0.checked_mul(i128::from(factor)).map(Self)
    }

    /// Rounded half to even to 10⁻⁸, or `None` beyond the ledger's range.
    #[must_use]
    pub fn to_amount8(self) -> Option<Amount8> {
        i64::try_from(div_half_even(self.0, E10)).ok().map(Amount8)
    }

    /// Every decimal it has, without trailing zeros (at least one decimal): `0.1596539948`.
    #[must_use]
    pub fn to_plain_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let int = abs / E18.unsigned_abs();
        let frac = format!("{:018}", abs % E18.unsigned_abs());
        let mut frac = frac.trim_end_matches('0').to_owned();
        if frac.is_empty() {
            frac.push('0');
        }
        format!("{sign}{int}.{frac}")
    }
}

impl fmt::Display for ExactAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain_string())
    }
}

/// A ledger amount: integer units of 10⁻⁸ of its currency (no currency attached; rows carry
/// theirs).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Amount8(pub i64);

impl Amount8 {
    /// Nothing.
    pub const ZERO: Self = Self(0);

    /// Reads decimal text with at most 8 decimals (`0.00931179`, `-12.5`), exactly.
    ///
    /// # Errors
    /// [`AmountError`] for text that is not such a number.
    pub fn parse(input: &str) -> Result<Self, AmountError> {
        let exact = ExactAmount::parse(input, false)?;
        if exact.0 % E10 != 0 {
            return Err(AmountError::TooPrecise);
        }
        exact.to_amount8().ok_or(AmountError::TooLarge)
    }

    /// Money in whole minor units (what a statement line shows): 10⁻⁸ units rounded half to
    /// even to the currency's minor unit, or `None` when it does not fit.
    #[must_use]
    pub fn to_money(self, currency: Currency) -> Option<Money> {
        let divisor = 10_i128.pow(8 - u32::from(currency.minor_digits()));
        i64::try_from(div_half_even(i128::from(self.0), divisor))
            .ok()
            .map(|minor| Money::new(minor, currency))
    }

    /// Money in minor units as 10⁻⁸ units (exact).
    #[must_use]
    pub fn from_money(money: Money) -> Option<Self> {
        let factor = 10_i64.pow(8 - u32::from(money.currency.minor_digits()));
        money.minor.checked_mul(factor).map(Self)
    }

    /// The sum, or `None` on overflow.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// This amount in home units at `rate` (`1 unit = rate home units`), rounded half to even
    /// to 10⁻⁸; `None` on overflow.
    #[must_use]
    pub fn convert(self, rate: Rate) -> Option<Self> {
        let product = i128::from(self.0).checked_mul(rate.0.0)?;
        i64::try_from(div_half_even(product, E18)).ok().map(Self)
    }

    /// All 8 decimals: `0.00931179`, `17.68000000`.
    #[must_use]
    pub fn to_plain_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = i128::from(self.0).unsigned_abs();
        let scale = E8.unsigned_abs();
        format!("{sign}{}.{:08}", abs / scale, abs % scale)
    }

    /// Without trailing zeros beyond two decimals: `0.00931179`, `17.68`, `3.00`.
    #[must_use]
    pub fn to_short_string(self) -> String {
        let plain = self.to_plain_string();
        let (int, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
        let mut frac = frac.trim_end_matches('0').to_owned();
        while frac.len() < 2 {
            frac.push('0');
        }
        format!("{int}.{frac}")
    }
}

impl fmt::Display for Amount8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain_string())
    }
}

/// Stores exact report amounts as [`Amount8`] lines whose sum is the exact total rounded
/// once (see the module notes). One rounder per currency and column, fed in file order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineRounder {
    exact: i128,
    emitted: i128,
}

impl LineRounder {
    /// The stored amount for the next line, or `None` on overflow.
    pub fn push(&mut self, amount: ExactAmount) -> Option<Amount8> {
        self.exact = self.exact.checked_add(amount.0)?;
        let rounded = div_half_even(self.exact, E10);
        let line = rounded.checked_sub(self.emitted)?;
        self.emitted = rounded;
        i64::try_from(line).ok().map(Amount8)
    }

    /// The exact sum of everything pushed.
    #[must_use]
    pub fn exact_total(&self) -> ExactAmount {
        ExactAmount(self.exact)
    }

    /// The sum of the stored lines: the exact total rounded once, half to even, to 10⁻⁸.
    #[must_use]
    pub fn total(&self) -> Amount8 {
        Amount8(i64::try_from(self.emitted).unwrap_or(i64::MAX))
    }
}

/// An exchange rate entered per import: `1 CUR = R` home units, exact (10⁻¹⁸ precision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rate(pub ExactAmount);

impl Rate {
    /// One to one.
    pub const ONE: Self = Self(ExactAmount(E18));

    /// Reads a rate such as `0.79` or `1,0834` (a lone comma is a decimal comma).
    ///
    /// # Errors
    /// [`AmountError`] for text that is not a positive number.
    pub fn parse(input: &str) -> Result<Self, AmountError> {
        let text = input.trim();
        let comma = text.contains(',') && !text.contains('.');
        let exact = ExactAmount::parse(text, comma)?;
        if exact.0 <= 0 {
            return Err(AmountError::NotPositive);
        }
        Ok(Self(exact))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_plain_string();
        f.write_str(text.strip_suffix(".0").unwrap_or(&text))
    }
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])* $name:ident, $what:literal,
        { $($(#[$vmeta:meta])* $variant:ident => $code:literal, $label:literal;)* }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &[Self] = &[$(Self::$variant),*];

            /// The code stored in the catalog.
            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// What the user sees.
            #[must_use]
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)* }
            }

            /// Reads a stored code.
            ///
            /// # Errors
            /// [`ValidationError::UnknownCode`] for anything else.
            pub fn from_code(code: &str) -> Result<Self, ValidationError> {
                match code {
                    $($code => Ok(Self::$variant),)*
                    other => Err(ValidationError::UnknownCode {
                        what: $what,
                        input: other.to_owned(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// Lets other model modules declare their code enums the same way.
pub(crate) use code_enum;

code_enum!(
    /// How a sale reached the buyer.
    Channel, "sales channel", {
        Physical => "physical", "Physical";
        Download => "download", "Download";
        Stream => "stream", "Stream";
        Sync => "sync", "Sync";
        Other => "other", "Other";
    }
);

code_enum!(
    /// What a cost was spent on.
    CostCategory, "cost category", {
        Recording => "recording", "Recording";
        Mastering => "mastering", "Mastering";
        Pressing => "pressing", "Pressing";
        Artwork => "artwork", "Artwork";
        Marketing => "marketing", "Marketing";
        Video => "video", "Video";
        TourSupport => "tour_support", "Tour support";
        Other => "other", "Other";
    }
);

code_enum!(
    /// How an income line found its release or track.
    MatchedBy, "match method", {
        Isrc => "isrc", "ISRC";
        Barcode => "barcode", "UPC/EAN";
        CatalogNumber => "catno", "Catalog number";
        Mapping => "mapping", "Remembered mapping";
        ArtistTitle => "title", "Artist and title";
    }
);

impl Channel {
    /// The channel a store or sale type names, by keywords (`Streaming`, `iTunes`,
    /// `Download`, `package`, `sync`); `fallback` when nothing says.
    #[must_use]
    pub fn guess(text: &str, fallback: Self) -> Self {
        let t = text.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["sync", "licens"]) {
            Self::Sync
        } else if has(&[
            "physical",
            "package",
            "vinyl",
            "cd ",
            "cassette",
            "mail order",
        ]) || t == "cd"
        {
            Self::Physical
        } else if has(&[
            "download", "itunes", "mp3", "beatport", "juno", "7digital", "purchase",
        ]) {
            Self::Download
        } else if has(&[
            "stream",
            "spotify",
            "apple music",
            "deezer",
            "tidal",
            "napster",
            "youtube",
            "pandora",
            "prime",
            "unlimited",
            "soundcloud",
            "audiomack",
            "anghami",
            "boomplay",
            "tiktok",
            "facebook",
            "instagram",
            "google play",
            "yandex",
            "kkbox",
            "joox",
            "qobuz",
        ]) {
            Self::Stream
        } else {
            fallback
        }
    }
}

/// Marks on an income line (a bit set).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct LineFlags(pub u8);

impl LineFlags {
    /// The report's ISRC is not a valid ISRC (kept raw, not used for matching).
    pub const BAD_ISRC: Self = Self(1);
    /// The report's UPC/EAN is not a valid barcode (kept raw, not used for matching).
    pub const BAD_BARCODE: Self = Self(2);
    /// A physical sale (Bandcamp "package"); it becomes a stock movement once stock exists.
    pub const PHYSICAL_SALE: Self = Self(4);
    /// Every flag.
    pub const ALL: Self = Self(7);

    #[must_use]
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }

    /// Plain words for the flags set ("bad ISRC, bad barcode").
    #[must_use]
    pub fn describe(self) -> String {
        let mut words = Vec::new();
        if self.contains(Self::BAD_ISRC) {
            words.push("bad ISRC");
        }
        if self.contains(Self::BAD_BARCODE) {
            words.push("bad UPC/EAN");
        }
        if self.contains(Self::PHYSICAL_SALE) {
            words.push("physical sale");
        }
        words.join(", ")
    }
}

/// The identifiers a report gave for a line, exactly as written (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RawIdentifiers {
    pub isrc: String,
    pub barcode: String,
    pub catno: String,
    pub artist: String,
    pub title: String,
    /// The distributor's own id for the item (TuneCore song id, CD Baby SKU, Bandcamp
    /// transaction id): never an ISRC.
    pub other_id: String,
}

/// One line of income, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomeLine {
    pub id: IncomeLineId,
    pub import_id: Option<ImportId>,
    /// The line of the report file it came from (1 = the header).
    pub line_no: u32,
    pub sale_date: NaiveDate,
    /// The accounting period: the month the distributor reported it, `YYYY-MM`.
    pub period: String,
    pub release_id: Option<ReleaseId>,
    pub track_id: Option<TrackId>,
    pub format_id: Option<FormatId>,
    pub matched_by: Option<MatchedBy>,
    pub channel: Channel,
    /// Where it sold, as the report says (usually an ISO country code), or empty.
    pub territory: String,
    /// The store or partner the report names (Spotify, Bandcamp…).
    pub source: String,
    pub quantity: i64,
    pub gross: Option<Amount8>,
    pub net: Amount8,
    pub currency: Currency,
    /// `net` in the home currency at the import's rate, when a rate was given.
    pub net_home: Option<Amount8>,
    pub raw: RawIdentifiers,
    pub flags: LineFlags,
    /// What a remembered mapping for this line is keyed by (see [`match_key`]).
    pub match_key: String,
}

impl IncomeLine {
    /// True when no release or track was found for it.
    #[must_use]
    pub fn is_unmatched(&self) -> bool {
        self.release_id.is_none() && self.track_id.is_none()
    }
}

/// Lowercased, trimmed, inner whitespace collapsed, typographic apostrophes and quotes made
/// plain: how artist names and titles are compared.
#[must_use]
pub fn fold_text(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{0060}' | '\u{00B4}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            other => other,
        })
        .collect();
    mapped
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The key a remembered mapping is stored under: the line's best identifier. A valid ISRC
/// (`isrc:USRC17600001`), else a valid barcode in its EAN-13 form (`ean:0036000241457`), else
/// the raw ISRC or barcode as written, else the catalog number, else artist and title folded
/// (`title:artist\u{1f}title`). Distributor-independent, so a mapping made on a DistroKid line
/// also applies to the same recording in a TuneCore report.
#[must_use]
pub fn match_key(raw: &RawIdentifiers) -> String {
    let compact = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_uppercase)
            .collect()
    };
    if let Ok(isrc) = super::isrc::Isrc::parse(&raw.isrc) {
        return format!("isrc:{}", isrc.as_str());
    }
    if let Ok(code) = super::barcode::Barcode::parse(&raw.barcode) {
        return format!("ean:{}", code.to_ean13());
    }
    let isrc = compact(&raw.isrc);
    if !isrc.is_empty() {
        return format!("isrc?:{isrc}");
    }
    let barcode = compact(&raw.barcode);
    if !barcode.is_empty() {
        return format!("ean?:{barcode}");
    }
    let catno = compact(&raw.catno);
    if !catno.is_empty() {
        return format!("catno:{catno}");
    }
    format!(
        "title:{}\u{1f}{}",
        fold_text(&raw.artist),
        fold_text(&raw.title)
    )
}

/// A remembered mapping: report lines with this key belong to this release (and track).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MatchMapping {
    pub key: String,
    pub release_id: ReleaseId,
    pub track_id: Option<TrackId>,
    pub format_id: Option<FormatId>,
}

/// A cost entered by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostLine {
    pub id: CostLineId,
    pub date: NaiveDate,
    /// The release it was spent on (none: label overhead).
    pub release_id: Option<ReleaseId>,
    pub category: CostCategory,
    /// In minor units; never negative.
    pub amount: Money,
    /// True when the contract lets the label recoup it from the artist's royalties.
    pub recoupable: bool,
    pub note: String,
}

/// Longest note on a cost line.
pub const COST_NOTE_MAX: usize = 2000;

impl CostLine {
    /// Checks the fields a user typed.
    ///
    /// # Errors
    /// A negative amount or an overlong note.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.amount.is_negative() {
            return Err(ValidationError::Invalid {
                field: "amount",
                reason: format!(
                    "a cost cannot be negative ({}): enter what was spent; money coming back is income",
                    self.amount
                ),
            });
        }
        if self.note.chars().count() > COST_NOTE_MAX {
            return Err(ValidationError::TooLong {
                field: "note",
                max: COST_NOTE_MAX,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(text: &str) -> ExactAmount {
        ExactAmount::parse(text, false).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn exact_amounts_parse_without_floats() {
        assert_eq!(exact("0.00789993").0, 7_899_930_000_000_000);
        assert_eq!(exact("1").0, E18);
        assert_eq!(exact("-12.5").0, -12 * E18 - E18 / 2);
        assert_eq!(exact("+.5").0, E18 / 2);
        assert_eq!(exact("1.5E-05").0, 15_000_000_000_000);
        assert_eq!(exact("2e3").0, 2000 * E18);
        assert_eq!(exact(" 0.0998269974 ").to_plain_string(), "0.0998269974");
        assert_eq!(
            ExactAmount::parse("12,50", true).map(|a| a.0),
            Ok(12 * E18 + E18 / 2)
        );
        for bad in ["abc", "1.2.3", "1,5", "-", ".", "1e", "1 000", "$1"] {
            assert!(
                matches!(
                    ExactAmount::parse(bad, false),
                    Err(AmountError::NotANumber(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(ExactAmount::parse("", false), Err(AmountError::Empty));
        assert_eq!(
            ExactAmount::parse("0.0000000000000000001", false),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(
            ExactAmount::parse("1e40", false),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn amount8_parse_round_and_show() {
        assert_eq!(Amount8::parse("0.00931179"), Ok(Amount8(931_179)));
        assert_eq!(Amount8::parse("17.68"), Ok(Amount8(1_768_000_000)));
        assert_eq!(Amount8::parse("0.000000001"), Err(AmountError::TooPrecise));
        assert_eq!(Amount8(931_179).to_plain_string(), "0.00931179");
        assert_eq!(Amount8(-5).to_plain_string(), "-0.00000005");
        assert_eq!(Amount8(1_768_000_000).to_short_string(), "17.68");
        assert_eq!(Amount8(300_000_000).to_short_string(), "3.00");
        // Half to even at the minor unit, once.
        let cases = [
            (Amount8(500_000), 0),   // 0.5 cent: to the even 0
            (Amount8(1_500_000), 2), // 1.5 cents: 2
            (Amount8(2_500_000), 2), // 2.5 cents: 2
            (Amount8(2_500_001), 3), // just over half
            (Amount8(-2_500_000), -2),
            (Amount8(931_179), 1),
        ];
        for (amount, cents) in cases {
            assert_eq!(
                amount.to_money(Currency::USD),
                Some(Money::new(cents, Currency::USD)),
                "{amount}"
            );
        }
        assert_eq!(
            Amount8(150_000_000).to_money(Currency::parse("JPY").unwrap_or_default()),
            Some(Money::new(2, Currency::parse("JPY").unwrap_or_default()))
        );
        assert_eq!(
            Amount8::from_money(Money::new(1250, Currency::EUR)),
            Some(Amount8(1_250_000_000))
        );
    }

    #[test]
    fn cumulative_rounding_keeps_the_control_total() {
        let mut rounder = LineRounder::default();
        let a = rounder.push(exact("0.0998269974"));
        let b = rounder.push(exact("0.0598269974"));
        assert_eq!(a, Some(Amount8(9_982_700)));
        assert_eq!(b, Some(Amount8(5_982_699)));
        assert_eq!(rounder.total(), Amount8(15_965_399));
        assert_eq!(rounder.exact_total().to_plain_string(), "0.1596539948");
        // Eight decimals or fewer are stored as they are.
        let mut plain = LineRounder::default();
        assert_eq!(plain.push(exact("0.00789993")), Some(Amount8(789_993)));
        assert_eq!(plain.push(exact("-0.5")), Some(Amount8(-50_000_000)));
    }

    #[test]
    fn rates_convert_exactly() {
        let rate = Rate::parse("0.79").unwrap_or(Rate::ONE);
        assert_eq!(
            Amount8(100_000_000).convert(rate),
            Some(Amount8(79_000_000))
        );
        // 0.00000003 × 0.5 = 0.000000015 -> 0.00000002 (half to even)
        let half = Rate::parse("0,5").unwrap_or(Rate::ONE);
        assert_eq!(Amount8(3).convert(half), Some(Amount8(2)));
        assert_eq!(Amount8(5).convert(half), Some(Amount8(2)));
        assert_eq!(Rate::parse("0"), Err(AmountError::NotPositive));
        assert_eq!(Rate::parse("-1"), Err(AmountError::NotPositive));
        assert_eq!(rate.to_string(), "0.79");
        assert_eq!(Rate::ONE.to_string(), "1");
    }

    #[test]
    fn codes_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::from_code(c.code()), Ok(*c));
        }
        for c in CostCategory::ALL {
            assert_eq!(CostCategory::from_code(c.code()), Ok(*c));
        }
        for m in MatchedBy::ALL {
            assert_eq!(MatchedBy::from_code(m.code()), Ok(*m));
        }
        assert_eq!(CostCategory::TourSupport.code(), "tour_support");
        assert!(Channel::from_code("radio").is_err());
        assert_eq!(Channel::guess("Streaming", Channel::Other), Channel::Stream);
        assert_eq!(Channel::guess("iTunes", Channel::Other), Channel::Download);
        assert_eq!(
            Channel::guess("YouTube (Ads)", Channel::Other),
            Channel::Stream
        );
        assert_eq!(Channel::guess("package", Channel::Other), Channel::Physical);
        assert_eq!(
            Channel::guess("Sync license", Channel::Other),
            Channel::Sync
        );
        assert_eq!(Channel::guess("Shop", Channel::Download), Channel::Download);
    }

    #[test]
    fn match_keys_prefer_the_best_identifier() {
        let mut raw = RawIdentifiers {
            isrc: "usx123000001".into(),
            barcode: "036000241457".into(),
            artist: "Tøilette".into(),
            title: "L’aube".into(),
            ..RawIdentifiers::default()
        };
        assert_eq!(match_key(&raw), "isrc:USX123000001");
        raw.isrc = "TC-bad".into();
        assert_eq!(match_key(&raw), "ean:0036000241457");
        raw.barcode = "111111111111".into();
        assert_eq!(match_key(&raw), "isrc?:TCBAD");
        raw.isrc.clear();
        assert_eq!(match_key(&raw), "ean?:111111111111");
        raw.barcode.clear();
        assert_eq!(match_key(&raw), "title:tøilette\u{1f}l'aube");
        assert_eq!(fold_text("  Hier,  à lʼaube "), "hier, à l'aube");
    }

    #[test]
    fn costs_refuse_negative_amounts() {
        let mut cost = CostLine {
            id: CostLineId::UNSAVED,
            date: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default(),
            release_id: None,
            category: CostCategory::Mastering,
            amount: Money::new(-100, Currency::EUR),
            recoupable: true,
            note: String::new(),
        };
        let err = cost
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("a cost cannot be negative"), "{err}");
        cost.amount = Money::new(0, Currency::EUR);
        assert_eq!(cost.validate(), Ok(()));
        let mut flags = LineFlags::default();
        flags.insert(LineFlags::BAD_ISRC);
        flags.insert(LineFlags::PHYSICAL_SALE);
        assert!(flags.contains(LineFlags::BAD_ISRC));
        assert!(!flags.contains(LineFlags::BAD_BARCODE));
        assert_eq!(flags.describe(), "bad ISRC, physical sale");
    }
}
