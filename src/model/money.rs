//! Money as integer minor units with an explicit currency, and percentages as
//! basis points. No floating point anywhere.

use std::fmt;
use std::str::FromStr;

use super::error::ValidationError;

/// An ISO 4217 currency code: three uppercase ASCII letters.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Euro.
    pub const EUR: Self = Self(*b"EUR");
    /// US dollar.
    pub const USD: Self = Self(*b"USD");
    /// Pound sterling.
    pub const GBP: Self = Self(*b"GBP");

    /// Reads a currency code: surrounding spaces are ignored and letters
    /// uppercased (`" eur "` → `EUR`).
    ///
    /// # Errors
    /// [`ValidationError::Currency`] unless it is exactly three ASCII letters.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let code = input.trim().as_bytes();
        match code {
            [a, b, c] if code.iter().all(u8::is_ascii_alphabetic) => Ok(Self([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(ValidationError::Currency {
                input: input.trim().to_owned(),
            }),
        }
    }

    /// The three-letter code, e.g. `"EUR"`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ever built from three ASCII letters, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many decimal places amounts in this currency have (ISO 4217 minor
    /// unit): 0 for JPY, KRW, ISK, CLP, VND, UGX, XOF, XAF; 3 for BHD, KWD,
    /// OMR, JOD, TND, IQD, LYD; 2 for everything else.
    #[must_use]
    pub fn minor_digits(self) -> u8 {
        match &self.0 {
            b"JPY" | b"KRW" | b"ISK" | b"CLP" | b"VND" | b"UGX" | b"XOF" | b"XAF" => 0,
            b"BHD" | b"KWD" | b"OMR" | b"JOD" | b"TND" | b"IQD" | b"LYD" => 3,
            _ => 2,
        }
    }

    /// The symbol written before amounts, for the few currencies that have an
    /// unambiguous one here (€, $, £, ¥).
    #[must_use]
    pub fn symbol(self) -> Option<&'static str> {
        match &self.0 {
            b"EUR" => Some("€"),
            b"USD" => Some("$"),
            b"GBP" => Some("£"),
            b"JPY" => Some("¥"),
            _ => None,
        }
    }

    /// 10 to the power of [`minor_digits`](Self::minor_digits).
    fn scale(self) -> i64 {
        10_i64.pow(u32::from(self.minor_digits()))
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::EUR
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

/// A number split into its integer digits and fraction digits (separators removed).
struct Decimal {
    int: String,
    frac: String,
}

const NUMBER_HELP: &str = "use digits with an optional decimal point, e.g. 12.50 or 1,234.50";

/// Splits a plain decimal number (ASCII digits, `,` and `.` only).
///
/// Separator rules: if both `,` and `.` appear, the last one is the decimal
/// separator and the other separates thousands (`1,234.50`, `1.234,50`).
/// A single `.` is a decimal point. A single `,` is a decimal separator when
/// followed by 1 or 2 digits (`12,50`), otherwise it separates thousands
/// (`1,234`). A separator that appears more than once separates thousands.
/// Thousands groups must have exactly three digits.
fn split_number(text: &str) -> Result<Decimal, String> {
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_digit() || *c == ',' || *c == '.'))
    {
        return Err(format!("contains “{bad}”: {NUMBER_HELP}"));
    }
    let commas = text.matches(',').count();
    let dots = text.matches('.').count();
    let (decimal, thousands) = match (commas, dots) {
        (0, 0) => (None, None),
        (0, 1) => (Some('.'), None),
        (0, _) => (None, Some('.')),
        (1, 0) => {
            let after = text.rsplit_once(',').map_or("", |(_, a)| a);
            if (1..=2).contains(&after.len()) {
                (Some(','), None)
            } else {
                (None, Some(','))
            }
        }
        (_, 0) => (None, Some(',')),
        _ => {
            if text.rfind('.') > text.rfind(',') {
                (Some('.'), Some(','))
            } else {
                (Some(','), Some('.'))
            }
        }
    };
    let (int_part, frac) = match decimal {
        Some(d) => text.rsplit_once(d).unwrap_or((text, "")),
        None => (text, ""),
    };
    let misplaced = || format!("the separators are in the wrong places: {NUMBER_HELP}");
    let int = match thousands {
        Some(t) => {
            let mut groups = int_part.split(t);
            let first = groups.next().unwrap_or("");
            let mut int = String::from(first);
            if first.is_empty() || first.len() > 3 {
                return Err(misplaced());
            }
            for g in groups {
                if g.len() != 3 {
                    return Err(misplaced());
                }
                int.push_str(g);
            }
            int
        }
        None => int_part.to_owned(),
    };
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(misplaced());
    }
    if decimal.is_some() && frac.is_empty() {
        return Err(format!("nothing follows the decimal point: {NUMBER_HELP}"));
    }
    if int.is_empty() && frac.is_empty() {
        return Err(format!("no digits: {NUMBER_HELP}"));
    }
    Ok(Decimal {
        int,
        frac: frac.to_owned(),
    })
}

/// `int.frac` scaled by 10^digits, exactly; `None` if the integer part is
/// absurdly long or `frac` has more than `digits` digits.
fn scaled(number: &Decimal, digits: u8) -> Option<i128> {
    let width = usize::from(digits);
    if number.frac.len() > width {
        return None;
    }
    let int: i128 = if number.int.is_empty() {
        0
    } else {
        number.int.parse().ok()?
    };
    let frac: i128 = if width == 0 {
        0
    } else {
        format!("{:0<width$}", number.frac).parse().ok()?
    };
    int.checked_mul(10_i128.checked_pow(u32::from(digits))?)?
        .checked_add(frac)
}

/// A currency code written at the start or end of an amount (`USD 12`, `12USD`).
fn written_code(text: &str) -> Option<&str> {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let is_code = |t: &str| t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphabetic());
    let head = text
        .get(..3)
        .filter(|h| is_code(h) && !text[3..].starts_with(|c: char| c.is_ascii_alphabetic()));
    let tail = text.len().checked_sub(3).and_then(|i| {
        text.get(i..)
            .filter(|t| is_code(t) && !text[..i].ends_with(|c: char| c.is_ascii_alphabetic()))
    });
    head.or(tail)
}

/// An amount of money: integer minor units (cents) in an explicit currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Money {
    /// The amount in the currency's minor unit (cents for EUR, yen for JPY).
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// `minor` minor units of `currency`.
    #[must_use]
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Nothing, in `currency`.
    #[must_use]
    pub const fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Reads an amount typed by the user, in `currency`.
    ///
    /// Accepts `12`, `12.5`, `12.50`, `1,234.50`, `1.234,50`, `12,50` (a single
    /// comma followed by one or two digits is a decimal comma; otherwise a
    /// comma separates thousands, so `1,234` is one thousand two hundred and
    /// thirty-four), an optional leading `-`, and the currency's symbol or code
    /// before or after the number (`€12.50`, `EUR 12.50`, `12,50 €`).
    ///
    /// # Errors
    /// [`ValidationError::Required`] when empty; [`ValidationError::Money`] for
    /// text that is not a number, a symbol of another currency, more decimal
    /// places than the currency has (`EUR has 2 decimal places; “1.234” has 3`)
    /// or an amount too large to store.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, ValidationError> {
        let shown = input.trim();
        let err = |reason: String| ValidationError::Money {
            input: shown.to_owned(),
            reason,
        };
        if shown.is_empty() {
            return Err(ValidationError::Required { field: "price" });
        }
        let code = currency.as_str();
        let strip_mark = |s: &str| -> String {
            let s = s.trim();
            let after_code = s
                .get(..3)
                .filter(|h| h.eq_ignore_ascii_case(code))
                .and(s.get(3..));
            let after_symbol = currency.symbol().and_then(|sym| s.strip_prefix(sym));
            after_code.or(after_symbol).unwrap_or(s).trim().to_owned()
        };
        let mut text = shown;
        let mut negative = false;
        if let Some(rest) = text.strip_prefix('-') {
            negative = true;
            text = rest;
        }
        let mut text = strip_mark(text);
        if !negative && let Some(rest) = text.strip_prefix('-') {
            negative = true;
            text = rest.trim_start().to_owned();
        }
        // A trailing code or symbol: "12.50 EUR", "12,50 €".
        let len = text.len();
        let before_code = len.checked_sub(3).and_then(|i| {
            text.get(i..)
                .filter(|t| t.eq_ignore_ascii_case(code))
                .and(text.get(..i))
        });
        let before_symbol = currency.symbol().and_then(|sym| text.strip_suffix(sym));
        let text = before_code.or(before_symbol).unwrap_or(&text).trim();
        if let Some(sym) = text.chars().find(|c| "€$£¥".contains(*c)) {
            return Err(err(format!(
                "“{sym}” is not the symbol of {code}: this amount is in {code}"
            )));
        }
        if let Some(other) = written_code(text) {
            return Err(err(format!(
                "this amount is in {code}, not {}: enter it in {code}",
                other.to_ascii_uppercase()
            )));
        }
        let number = split_number(text).map_err(err)?;
        let digits = currency.minor_digits();
        if number.frac.len() > usize::from(digits) {
            let places = match digits {
                0 => "no decimal places".to_owned(),
                1 => "1 decimal place".to_owned(),
                n => format!("{n} decimal places"),
            };
            return Err(err(format!(
                "{code} has {places}; “{text}” has {}",
                number.frac.len()
            )));
        }
        let minor = scaled(&number, digits)
            .map(|m| if negative { -m } else { m })
            .and_then(|m| i64::try_from(m).ok())
            .ok_or_else(|| err("the amount is too large".to_owned()))?;
        Ok(Self { minor, currency })
    }

    /// The sum, or `None` if the currencies differ or the result overflows.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_add(other.minor))
            .flatten()
            .map(|minor| Self {
                minor,
                currency: self.currency,
            })
    }

    /// The difference, or `None` if the currencies differ or the result overflows.
    #[must_use]
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_sub(other.minor))
            .flatten()
            .map(|minor| Self {
                minor,
                currency: self.currency,
            })
    }

    /// The amount times `factor` (e.g. a unit price times a quantity), or
    /// `None` on overflow.
    #[must_use]
    pub fn checked_mul(self, factor: i64) -> Option<Self> {
        self.minor.checked_mul(factor).map(|minor| Self {
            minor,
            currency: self.currency,
        })
    }

    /// True for amounts below zero.
    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.minor < 0
    }

    /// The amount without symbol or thousands separators, with the currency's
    /// number of decimals: `12.50`, `-3.00`, `1500` for JPY, `1.250` for BHD.
    #[must_use]
    pub fn format_amount(&self) -> String {
        let sign = if self.is_negative() { "-" } else { "" };
        format!("{sign}{}", self.format_abs())
    }

    fn format_abs(&self) -> String {
        let abs = self.minor.unsigned_abs();
        let digits = self.currency.minor_digits();
        let scale = self.currency.scale().unsigned_abs();
        if digits == 0 {
            abs.to_string()
        } else {
            let width = usize::from(digits);
            format!("{}.{:0width$}", abs / scale, abs % scale)
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.is_negative() { "-" } else { "" };
        match self.currency.symbol() {
            Some(sym) => write!(f, "{sign}{sym}{}", self.format_abs()),
            None => write!(f, "{sign}{} {}", self.format_abs(), self.currency),
        }
    }
}

/// A percentage in hundredths of a percent: `10_000` is 100 %, `1250` is 12.5 %.
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
pub struct BasisPoints(pub i32);

impl BasisPoints {
    /// 0 %.
    pub const ZERO: Self = Self(0);
    /// 100 %.
    pub const FULL: Self = Self(10_000);

    /// Reads a percentage between 0 and 100 with at most two decimals:
    /// `12.5%`, `12.5`, `12,5 %` all give 1250.
    ///
    /// # Errors
    /// [`ValidationError::Required`] when empty; [`ValidationError::Percent`]
    /// for text that is not a number, more than two decimals, negative values
    /// or values above 100 %.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let shown = input.trim();
        let err = |reason: String| ValidationError::Percent {
            input: shown.to_owned(),
            reason,
        };
        let text = shown.strip_suffix('%').unwrap_or(shown).trim_end();
        if text.is_empty() {
            return Err(ValidationError::Required {
                field: "percentage",
            });
        }
        if text.starts_with('-') {
            return Err(err("a percentage cannot be negative".to_owned()));
        }
        let number = split_number(text)
            .map_err(|reason| err(reason.replace("e.g. 12.50 or 1,234.50", "e.g. 12.5%")))?;
        if number.frac.len() > 2 {
            return Err(err(format!(
                "at most 2 decimal places, e.g. 12.75%; “{text}” has {}",
                number.frac.len()
            )));
        }
        let too_big = || err("cannot be more than 100%".to_owned());
        let bp = scaled(&number, 2).ok_or_else(too_big)?;
        if bp > 10_000 {
            return Err(too_big());
        }
        i32::try_from(bp).map(Self).map_err(|_| too_big())
    }

    /// `minor × self / 10 000`, rounded half to even (banker's rounding),
    /// computed exactly with a 128-bit intermediate; saturates at the `i64` range.
    #[must_use]
    pub fn apply(self, minor: i64) -> i64 {
        const DENOM: i128 = 10_000;
        let product = i128::from(minor) * i128::from(self.0);
        let mut quotient = product / DENOM;
        let remainder = product % DENOM;
        let twice = remainder.abs() * 2;
        if twice > DENOM || (twice == DENOM && quotient % 2 != 0) {
            quotient += product.signum();
        }
        i64::try_from(quotient).unwrap_or(if quotient < 0 { i64::MIN } else { i64::MAX })
    }
}

impl fmt::Display for BasisPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, frac) = (abs / 100, abs % 100);
        if frac == 0 {
            write!(f, "{sign}{whole}%")
        } else {
            let frac = format!("{frac:02}");
            write!(f, "{sign}{whole}.{}%", frac.trim_end_matches('0'))
        }
    }
}

impl FromStr for BasisPoints {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        match Currency::parse(code) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn currency_codes() {
        assert_eq!(Currency::parse(" eur "), Ok(Currency::EUR));
        assert_eq!(Currency::parse("Usd"), Ok(Currency::USD));
        assert_eq!(cur("sek").as_str(), "SEK");
        for bad in ["EU", "EURO", "", "E1R", "€", "ÄUR"] {
            assert_eq!(
                Currency::parse(bad),
                Err(ValidationError::Currency {
                    input: bad.trim().to_owned()
                }),
                "{bad:?}"
            );
        }
        assert_eq!(
            Currency::parse("EU")
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("“EU” is not a currency code: use three letters such as EUR, USD, GBP")
        );
        assert_eq!(Currency::default(), Currency::EUR);
        assert_eq!(Currency::GBP.to_string(), "GBP");
        assert_eq!(format!("{:?}", Currency::USD), "Currency(USD)");
        assert_eq!(cur("JPY").minor_digits(), 0);
        assert_eq!(cur("BHD").minor_digits(), 3);
        assert_eq!(cur("KWD").minor_digits(), 3);
        assert_eq!(Currency::EUR.minor_digits(), 2);
        assert_eq!(cur("SEK").minor_digits(), 2);
        assert_eq!(Currency::EUR.symbol(), Some("€"));
        assert_eq!(Currency::GBP.symbol(), Some("£"));
        assert_eq!(cur("JPY").symbol(), Some("¥"));
        assert_eq!(cur("SEK").symbol(), None);
        assert_eq!(
            serde_json::to_string(&Currency::EUR).unwrap_or_default(),
            "\"EUR\""
        );
        assert_eq!(
            serde_json::from_str::<Currency>("\"gbp\"").ok(),
            Some(Currency::GBP)
        );
        assert!(serde_json::from_str::<Currency>("\"EU\"").is_err());
    }

    #[test]
    fn money_parse_valid() {
        let eur = Currency::EUR;
        let cases: [(&str, Currency, i64); 24] = [
            ("12", eur, 1200),
            ("12.5", eur, 1250),
            ("12.50", eur, 1250),
            ("0.05", eur, 5),
            (".5", eur, 50),
            ("1,234.50", eur, 123_450),
            ("1,234,567.89", eur, 123_456_789),
            ("1.234,50", eur, 123_450),
            ("12,50", eur, 1250),
            ("12,5", eur, 1250),
            ("1,234", eur, 123_400),
            ("1.234.567", eur, 123_456_700),
            ("€12.50", eur, 1250),
            ("€ 12.50", eur, 1250),
            ("EUR 12.50", eur, 1250),
            ("eur12", eur, 1200),
            ("12,50 €", eur, 1250),
            ("12.50 EUR", eur, 1250),
            ("-3", eur, -300),
            ("-€3.00", eur, -300),
            ("€-3.00", eur, -300),
            ("1500", cur("JPY"), 1500),
            ("¥1,500", cur("JPY"), 1500),
            ("1.250", cur("BHD"), 1250),
        ];
        for (input, currency, minor) in cases {
            assert_eq!(
                Money::parse(input, currency),
                Ok(Money::new(minor, currency)),
                "{input:?}"
            );
        }
        assert_eq!(Money::parse("0.5", cur("BHD")).map(|m| m.minor), Ok(500));
        assert_eq!(
            Money::parse("$0.99", Currency::USD).map(|m| m.minor),
            Ok(99)
        );
    }

    #[test]
    fn money_parse_invalid() {
        let eur = Currency::EUR;
        let cases: [(&str, Currency, &str); 15] = [
            ("1.234", eur, "EUR has 2 decimal places; “1.234” has 3"),
            (
                "12.5",
                cur("JPY"),
                "JPY has no decimal places; “12.5” has 1",
            ),
            (
                "1.2345",
                cur("BHD"),
                "BHD has 3 decimal places; “1.2345” has 4",
            ),
            ("$12", eur, "“$” is not the symbol of EUR"),
            ("12 USD", eur, "this amount is in EUR, not USD"),
            ("usd12", eur, "not USD"),
            ("12 EURO", eur, "contains “ ”"),
            ("abc", eur, "contains “a”"),
            ("1,23.50", eur, "separators are in the wrong places"),
            ("1234,567.00", eur, "separators are in the wrong places"),
            ("1.2.3,4", eur, "separators are in the wrong places"),
            ("12.", eur, "nothing follows the decimal point"),
            ("€", eur, "no digits"),
            ("--3", eur, "contains “-”"),
            ("99999999999999999999", eur, "too large"),
        ];
        for (input, currency, needle) in cases {
            let err = Money::parse(input, currency).err();
            let Some(err) = err else {
                panic!("{input:?} should be rejected")
            };
            assert!(matches!(err, ValidationError::Money { .. }), "{err:?}");
            let msg = err.to_string();
            assert!(msg.contains(needle), "{input:?}: {msg:?} lacks {needle:?}");
        }
        assert_eq!(
            Money::parse(" ", eur),
            Err(ValidationError::Required { field: "price" })
        );
    }

    #[test]
    fn money_display() {
        let cases = [
            (Money::new(1250, Currency::EUR), "€12.50", "12.50"),
            (Money::new(-300, Currency::EUR), "-€3.00", "-3.00"),
            (Money::new(5, Currency::USD), "$0.05", "0.05"),
            (Money::new(-5, Currency::GBP), "-£0.05", "-0.05"),
            (Money::new(1250, cur("SEK")), "12.50 SEK", "12.50"),
            (Money::new(-1250, cur("SEK")), "-12.50 SEK", "-12.50"),
            (Money::new(1500, cur("JPY")), "¥1500", "1500"),
            (Money::new(1250, cur("BHD")), "1.250 BHD", "1.250"),
            (
                Money::new(123_456_789, Currency::EUR),
                "€1234567.89",
                "1234567.89",
            ),
            (Money::zero(Currency::EUR), "€0.00", "0.00"),
            (
                Money::new(i64::MIN, cur("JPY")),
                "-¥9223372036854775808",
                "-9223372036854775808",
            ),
        ];
        for (money, shown, amount) in cases {
            assert_eq!(money.to_string(), shown);
            assert_eq!(money.format_amount(), amount);
            assert_eq!(
                Money::parse(&money.to_string(), money.currency),
                Ok(money),
                "{shown}"
            );
        }
    }

    #[test]
    fn money_arithmetic() {
        let a = Money::new(1000, Currency::EUR);
        let b = Money::new(250, Currency::EUR);
        assert_eq!(a.checked_add(b), Some(Money::new(1250, Currency::EUR)));
        assert_eq!(b.checked_sub(a), Some(Money::new(-750, Currency::EUR)));
        assert!(b.checked_sub(a).is_some_and(Money::is_negative));
        assert!(!a.is_negative());
        assert_eq!(a.checked_add(Money::new(1, Currency::USD)), None);
        assert_eq!(a.checked_sub(Money::new(1, Currency::USD)), None);
        assert_eq!(
            Money::new(i64::MAX, Currency::EUR).checked_add(Money::new(1, Currency::EUR)),
            None
        );
        assert_eq!(
            Money::new(i64::MIN, Currency::EUR).checked_sub(Money::new(1, Currency::EUR)),
            None
        );
        assert_eq!(b.checked_mul(3), Some(Money::new(750, Currency::EUR)));
        assert_eq!(b.checked_mul(-2), Some(Money::new(-500, Currency::EUR)));
        assert_eq!(Money::new(i64::MAX, Currency::EUR).checked_mul(2), None);
        let json = serde_json::to_string(&b).unwrap_or_default();
        assert_eq!(json, r#"{"minor":250,"currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).ok(), Some(b));
    }

    #[test]
    fn basis_points_parse() {
        let cases = [
            ("12.5%", 1250),
            ("12.5", 1250),
            ("12,5 %", 1250),
            (" 50 % ", 5000),
            ("100", 10_000),
            ("100.00%", 10_000),
            ("0", 0),
            ("0.01", 1),
            ("33.33%", 3333),
            ("7,25", 725),
        ];
        for (input, bp) in cases {
            assert_eq!(BasisPoints::parse(input), Ok(BasisPoints(bp)), "{input:?}");
        }
        let bad: [(&str, &str); 7] = [
            ("-5%", "cannot be negative"),
            ("100.01", "more than 100%"),
            ("250%", "more than 100%"),
            ("99999999999999999999", "more than 100%"),
            ("12.345%", "at most 2 decimal places"),
            ("ten", "contains “t”"),
            ("12.5%%", "contains “%”"),
        ];
        for (input, needle) in bad {
            let err = BasisPoints::parse(input).err();
            let Some(err) = err else {
                panic!("{input:?} should be rejected")
            };
            assert!(matches!(err, ValidationError::Percent { .. }), "{err:?}");
            let msg = err.to_string();
            assert!(msg.contains(needle), "{input:?}: {msg:?} lacks {needle:?}");
        }
        assert_eq!(
            BasisPoints::parse("%"),
            Err(ValidationError::Required {
                field: "percentage"
            })
        );
    }

    #[test]
    fn basis_points_display() {
        let cases = [
            (5000, "50%"),
            (1250, "12.5%"),
            (1, "0.01%"),
            (10, "0.1%"),
            (0, "0%"),
            (10_000, "100%"),
            (3333, "33.33%"),
            (-250, "-2.5%"),
        ];
        for (bp, shown) in cases {
            assert_eq!(BasisPoints(bp).to_string(), shown);
            if bp >= 0 {
                assert_eq!(BasisPoints::parse(shown), Ok(BasisPoints(bp)));
            }
        }
    }

    #[test]
    fn basis_points_apply_half_even() {
        let cases: [(i32, i64, i64); 14] = [
            (5000, 3, 2),   // 1.5 → 2
            (5000, 5, 2),   // 2.5 → 2
            (5000, 7, 4),   // 3.5 → 4
            (5000, 1, 0),   // 0.5 → 0
            (5000, -3, -2), // -1.5 → -2
            (5000, -5, -2), // -2.5 → -2
            (1250, 1000, 125),
            (3333, 100, 33), // 33.33
            (6667, 100, 67), // 66.67
            (2500, 10, 2),   // 2.5 → 2
            (2500, 14, 4),   // 3.5 → 4
            (10_000, i64::MAX, i64::MAX),
            (20_000, i64::MAX, i64::MAX), // saturates
            (20_000, i64::MIN, i64::MIN),
        ];
        for (bp, minor, want) in cases {
            assert_eq!(BasisPoints(bp).apply(minor), want, "{bp} bp of {minor}");
        }
        assert_eq!(BasisPoints::ZERO.apply(12_345), 0);
        assert_eq!(BasisPoints::FULL.apply(12_345), 12_345);
    }
}
