//! Catalog numbers: free-form label codes such as `SK032` or `ABC-012LP`.

use std::fmt;
use std::str::FromStr;

use super::error::ValidationError;

/// Longest catalog number accepted, in characters.
pub const CATALOG_NUMBER_MAX_CHARS: usize = 64;

/// A catalog number, kept exactly as printed on the release (case and inner
/// spacing preserved); only surrounding whitespace is trimmed.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct CatalogNumber(String);

impl CatalogNumber {
    /// Checks a catalog number typed by the user. Enter it exactly as printed.
    ///
    /// # Errors
    /// [`ValidationError::Required`] when empty, [`ValidationError::TooLong`]
    /// beyond 64 characters, [`ValidationError::CatalogNumber`] when it contains
    /// a control character such as a tab or line break.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(ValidationError::Required {
                field: "catalog number",
            });
        }
        if text.chars().count() > CATALOG_NUMBER_MAX_CHARS {
            return Err(ValidationError::TooLong {
                field: "catalog number",
                max: CATALOG_NUMBER_MAX_CHARS,
            });
        }
        if text.chars().any(char::is_control) {
            return Err(ValidationError::CatalogNumber {
                reason: format!(
                    "“{}” contains a tab, line break or other control character: \
                     enter it on one line, exactly as printed",
                    text.escape_debug()
                ),
            });
        }
        Ok(Self(text.to_owned()))
    }

    /// The catalog number as entered.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The pieces of an existing catalog number that follows the label's scheme.
struct Numbered<'a> {
    separator: &'a str,
    number: u64,
    width: usize,
}

/// Splits `candidate` into prefix (case-insensitive), optional separator,
/// digits and optional letter suffix. `None` if it does not follow that shape.
fn split_numbered<'a>(prefix: &str, candidate: &'a str) -> Option<Numbered<'a>> {
    let head = candidate.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = candidate.get(prefix.len()..)?;
    let sep_len = usize::from(rest.starts_with(['-', ' ', '.', '_']));
    let (separator, rest) = rest.split_at(sep_len);
    let digits_len = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits_len == 0 {
        return None;
    }
    let (digits, suffix) = rest.split_at(digits_len);
    if !suffix.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let number = digits.parse().ok()?;
    Some(Numbered {
        separator,
        number,
        width: digits_len,
    })
}

/// Suggests the next catalog number in a label's series.
///
/// Looks at the `existing` numbers that start with `prefix` (ignoring case),
/// optionally followed by one separator (`-`, space, `.`, `_`), then digits,
/// then optionally a format suffix of letters (`ABC012LP`). Takes the highest
/// number, adds one and keeps that number's zero padding and separator:
/// `SK031, SK032, SK032LP` → `SK033`; `ABC-009, ABC-010CD` → `ABC-011`;
/// `SK999` → `SK1000`. With none, the series starts at `{prefix}001`.
/// An empty prefix considers purely numeric catalog numbers.
#[must_use]
pub fn suggest_next_catalog_number<'a>(
    prefix: &str,
    existing: impl IntoIterator<Item = &'a str>,
) -> String {
    let prefix = prefix.trim();
    let best = existing
        .into_iter()
        .filter_map(|c| split_numbered(prefix, c.trim()))
        .max_by(|a, b| a.number.cmp(&b.number).then(a.width.cmp(&b.width)));
    match best {
        Some(Numbered {
            separator,
            number,
            width,
        }) => {
            let next = number.saturating_add(1);
            format!("{prefix}{separator}{next:0width$}")
        }
        None => format!("{prefix}001"),
    }
}

impl fmt::Display for CatalogNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CatalogNumber {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CatalogNumber {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CatalogNumber> for String {
    fn from(value: CatalogNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_text_as_printed() {
        let cases = [
            ("SK032", "SK032"),
            ("  abc-012lp ", "abc-012lp"),
            ("WARP CD 92", "WARP CD 92"),
            ("é-1", "é-1"),
        ];
        for (input, want) in cases {
            assert_eq!(
                CatalogNumber::parse(input).map(String::from),
                Ok(want.to_owned())
            );
        }
        assert_eq!(
            CatalogNumber::parse(" \t"),
            Err(ValidationError::Required {
                field: "catalog number"
            })
        );
        let long = "X".repeat(65);
        assert_eq!(
            CatalogNumber::parse(&long),
            Err(ValidationError::TooLong {
                field: "catalog number",
                max: 64
            })
        );
        assert!(CatalogNumber::parse(&"é".repeat(64)).is_ok());
        let err = CatalogNumber::parse("SK\t032").err();
        assert!(
            matches!(err, Some(ValidationError::CatalogNumber { .. })),
            "{err:?}"
        );
        assert!(CatalogNumber::parse("SK\n032").is_err());
    }

    #[test]
    fn suggestions() {
        let cases: [(&str, &[&str], &str); 12] = [
            ("SK", &["SK031", "SK032", "SK032LP"], "SK033"),
            ("ABC", &["ABC-009", "ABC-010CD"], "ABC-011"),
            ("X", &[], "X001"),
            ("SK", &["SK999"], "SK1000"),
            ("sk", &["SK007"], "sk008"),
            ("SK", &["sk 041", "SK040"], "SK 042"),
            ("SK", &["SKA001", "SK-", "SK12-3", "OTHER99"], "SK001"),
            ("SK", &["SK9", "SK010"], "SK011"),
            ("LAB", &["LAB.0099", "LAB_0100"], "LAB_0101"),
            ("", &["007", "012LP", "ABC-999"], "013"),
            ("", &[], "001"),
            ("ABC", &[" ABC012LP ", "ABC2"], "ABC013"),
        ];
        for (prefix, existing, want) in cases {
            assert_eq!(
                suggest_next_catalog_number(prefix, existing.iter().copied()),
                want,
                "prefix {prefix:?}, existing {existing:?}"
            );
        }
    }

    #[test]
    fn serde_round_trip() {
        let c = CatalogNumber::parse("ABC-012LP").ok();
        assert_eq!(
            serde_json::to_string(&c).unwrap_or_default(),
            "\"ABC-012LP\""
        );
        assert!(serde_json::from_str::<CatalogNumber>("\"\"").is_err());
    }
}
