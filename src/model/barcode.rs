//! UPC-A / EAN-13 barcodes, one per release format.

use std::fmt;
use std::str::FromStr;

use super::error::ValidationError;

/// Which barcode standard a [`Barcode`] follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BarcodeKind {
    /// 12 digits, used mainly in North America.
    UpcA,
    /// 13 digits, used everywhere else (a UPC-A is an EAN-13 with a leading 0).
    Ean13,
}

/// A validated UPC-A (12 digits) or EAN-13 (13 digits) barcode with a
/// correct check digit, kept as text exactly as entered (leading zeros kept).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Barcode(String);

fn barcode_error(input: &str, reason: impl Into<String>) -> ValidationError {
    ValidationError::Barcode {
        input: input.trim().to_owned(),
        reason: reason.into(),
    }
}

fn strip_separators(input: &str) -> String {
    input
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .collect()
}

fn digits_word(n: usize) -> &'static str {
    if n == 1 { "digit" } else { "digits" }
}

/// Computes the GS1 check digit for `body` (the digits without the check digit):
/// from the right, digits are weighted 3, 1, 3, 1…; the check digit brings the
/// weighted sum up to a multiple of 10.
///
/// Returns `None` if `body` is empty or contains anything but ASCII digits.
#[must_use]
pub fn check_digit(body: &str) -> Option<u8> {
    if body.is_empty() {
        return None;
    }
    let mut sum: u32 = 0;
    for (i, c) in body.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        sum += if i % 2 == 0 { d * 3 } else { d };
    }
    u8::try_from((10 - sum % 10) % 10).ok()
}

impl Barcode {
    /// Parses a UPC-A or EAN-13 barcode typed by a user. Spaces and hyphens are
    /// ignored; the check digit must be right.
    ///
    /// # Errors
    /// [`ValidationError::Required`] for empty input, otherwise
    /// [`ValidationError::Barcode`] naming a non-digit character, the wrong
    /// number of digits, or the check digit it should have had.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let code = strip_separators(input);
        if code.is_empty() {
            return Err(ValidationError::Required { field: "barcode" });
        }
        if let Some(bad) = code.chars().find(|c| !c.is_ascii_digit()) {
            return Err(barcode_error(
                input,
                format!("contains “{bad}”: only digits are allowed"),
            ));
        }
        let n = code.len();
        if n != 12 && n != 13 {
            return Err(barcode_error(
                input,
                format!(
                    "must be 12 digits (UPC-A) or 13 digits (EAN-13), found {n} {}",
                    digits_word(n)
                ),
            ));
        }
        let (body, last) = code.split_at(n - 1);
        let expected = check_digit(body);
        let found = last.chars().next().and_then(|c| c.to_digit(10));
        match (expected, found) {
            (Some(e), Some(f)) if u32::from(e) == f => Ok(Self(code)),
            (Some(e), Some(f)) => Err(barcode_error(
                input,
                format!("check digit should be {e}, not {f}: is a digit mistyped?"),
            )),
            _ => Err(barcode_error(input, "only digits are allowed")),
        }
    }

    /// Builds a barcode from its 11 (UPC-A) or 12 (EAN-13) digit body by
    /// appending the computed check digit.
    ///
    /// # Errors
    /// [`ValidationError::Barcode`] if the body has a non-digit or the wrong length.
    pub fn from_body(body: &str) -> Result<Self, ValidationError> {
        let code = strip_separators(body);
        if code.is_empty() {
            return Err(ValidationError::Required { field: "barcode" });
        }
        if let Some(bad) = code.chars().find(|c| !c.is_ascii_digit()) {
            return Err(barcode_error(
                body,
                format!("contains “{bad}”: only digits are allowed"),
            ));
        }
        let n = code.len();
        if n != 11 && n != 12 {
            return Err(barcode_error(
                body,
                format!(
                    "without its check digit a barcode has 11 digits (UPC-A) or 12 digits (EAN-13), found {n} {}",
                    digits_word(n)
                ),
            ));
        }
        match check_digit(&code) {
            Some(d) => Ok(Self(format!("{code}{d}"))),
            None => Err(barcode_error(body, "only digits are allowed")),
        }
    }

    /// The digits as stored (12 or 13, leading zeros kept).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// UPC-A for 12 digits, EAN-13 for 13.
    #[must_use]
    pub fn kind(&self) -> BarcodeKind {
        if self.0.len() == 12 {
            BarcodeKind::UpcA
        } else {
            BarcodeKind::Ean13
        }
    }

    /// The 13-digit EAN form (a UPC-A gets a leading `0`).
    #[must_use]
    pub fn to_ean13(&self) -> String {
        match self.kind() {
            BarcodeKind::UpcA => format!("0{}", self.0),
            BarcodeKind::Ean13 => self.0.clone(),
        }
    }

    /// The 12-digit UPC-A form, if there is one (a UPC-A itself, or an EAN-13 starting with `0`).
    #[must_use]
    pub fn upc_a_form(&self) -> Option<String> {
        match self.kind() {
            BarcodeKind::UpcA => Some(self.0.clone()),
            BarcodeKind::Ean13 => self.0.strip_prefix('0').map(str::to_owned),
        }
    }

    /// Every form this barcode can be written in: the stored form first, then
    /// the other form if it exists. Useful to match distributor reports.
    #[must_use]
    pub fn both_forms(&self) -> Vec<String> {
        let mut forms = vec![self.0.clone()];
        let other = match self.kind() {
            BarcodeKind::UpcA => Some(self.to_ean13()),
            BarcodeKind::Ean13 => self.upc_a_form(),
        };
        forms.extend(other);
        forms
    }

    /// True when both barcodes denote the same product (a UPC-A and the EAN-13
    /// made by prefixing it with `0` are the same).
    #[must_use]
    pub fn same_product(&self, other: &Self) -> bool {
        self.to_ean13() == other.to_ean13()
    }
}

/// Lenient check for search boxes: `Some` when the input, ignoring spaces and
/// hyphens, is a valid UPC-A or EAN-13.
#[must_use]
pub fn looks_like_barcode(input: &str) -> Option<Barcode> {
    Barcode::parse(input).ok()
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Barcode {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Barcode {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Barcode> for String {
    fn from(value: Barcode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> Barcode {
        match Barcode::parse(input) {
            Ok(b) => b,
            Err(e) => panic!("{input:?} should be valid: {e}"),
        }
    }

    #[test]
    fn valid_barcodes() {
        let cases = [
            ("036000241457", "036000241457", BarcodeKind::UpcA),
            ("5010017088439", "5010017088439", BarcodeKind::Ean13),
            ("0036000241457", "0036000241457", BarcodeKind::Ean13),
            ("0 36000 24145 7", "036000241457", BarcodeKind::UpcA),
            ("501-0017-088439", "5010017088439", BarcodeKind::Ean13),
            ("000000000000", "000000000000", BarcodeKind::UpcA),
        ];
        for (input, stored, kind) in cases {
            let b = parsed(input);
            assert_eq!(b.as_str(), stored);
            assert_eq!(b.to_string(), stored);
            assert_eq!(b.kind(), kind);
        }
    }

    #[test]
    fn invalid_barcodes_say_why() {
        let cases: [(&str, &str); 9] = [
            (
                "1",
                "must be 12 digits (UPC-A) or 13 digits (EAN-13), found 1 digit",
            ),
            ("12345670", "found 8 digits"),
            ("03600024145", "found 11 digits"),
            ("50100170884391", "found 14 digits"),
            ("036000241458", "check digit should be 7, not 8"),
            ("5010017088433", "check digit should be 9, not 3"),
            ("03600024145X", "contains “X”: only digits are allowed"),
            ("036000.241457", "contains “.”"),
            ("０36000241457", "contains “０”"),
        ];
        for (input, needle) in cases {
            let err = Barcode::parse(input).err();
            let Some(err) = err else {
                panic!("{input:?} should be rejected")
            };
            assert!(matches!(err, ValidationError::Barcode { .. }), "{err:?}");
            let msg = err.to_string();
            assert!(msg.contains(needle), "{input:?}: {msg:?} lacks {needle:?}");
        }
        assert_eq!(
            Barcode::parse("  "),
            Err(ValidationError::Required { field: "barcode" })
        );
    }

    #[test]
    fn check_digits() {
        assert_eq!(check_digit("03600024145"), Some(7));
        assert_eq!(check_digit("501001708843"), Some(9));
        assert_eq!(check_digit("003600024145"), Some(7));
        assert_eq!(check_digit("00000000000"), Some(0));
        assert_eq!(check_digit("0360002414X"), None);
        assert_eq!(check_digit(""), None);
    }

    #[test]
    fn forms_round_trip() {
        let upc = parsed("036000241457");
        assert_eq!(upc.to_ean13(), "0036000241457");
        assert_eq!(upc.upc_a_form().as_deref(), Some("036000241457"));
        assert_eq!(upc.both_forms(), vec!["036000241457", "0036000241457"]);
        let ean = parsed(&upc.to_ean13());
        assert_eq!(ean.kind(), BarcodeKind::Ean13);
        assert_eq!(ean.upc_a_form().as_deref(), Some("036000241457"));
        assert_eq!(ean.both_forms(), vec!["0036000241457", "036000241457"]);
        assert!(ean.same_product(&upc));
        let uk = parsed("5010017088439");
        assert_eq!(uk.upc_a_form(), None);
        assert_eq!(uk.to_ean13(), "5010017088439");
        assert_eq!(uk.both_forms(), vec!["5010017088439"]);
        assert!(!uk.same_product(&upc));
    }

    #[test]
    fn from_body_appends_check_digit() {
        assert_eq!(
            Barcode::from_body("03600024145").map(String::from),
            Ok("036000241457".to_owned())
        );
        assert_eq!(
            Barcode::from_body("501001708843").map(String::from),
            Ok("5010017088439".to_owned())
        );
        assert!(Barcode::from_body("0360002414").is_err());
        assert!(Barcode::from_body("5010017088439").is_err());
        assert!(Barcode::from_body("0360002414X").is_err());
        assert!(Barcode::from_body("").is_err());
    }

    #[test]
    fn lenient_lookup_and_serde() {
        assert_eq!(
            looks_like_barcode(" 036000 241457 ")
                .map(String::from)
                .as_deref(),
            Some("036000241457")
        );
        assert_eq!(looks_like_barcode("036000241458"), None);
        assert_eq!(looks_like_barcode("Blue Monday"), None);
        assert_eq!(
            "5010017088439".parse::<Barcode>().map(String::from),
            Ok("5010017088439".to_owned())
        );
        let json = serde_json::to_string(&parsed("036000241457")).unwrap_or_default();
        assert_eq!(json, "\"036000241457\"");
        assert!(serde_json::from_str::<Barcode>("\"1\"").is_err());
        assert!(serde_json::from_str::<Barcode>("\"036000241457\"").is_ok());
    }
}
