//! ISRC: International Standard Recording Code, one per recording (track).
//!
//! Shown as `CC-XXX-YY-NNNNN` (country, registrant, year of assignment,
//! designation); stored as the 12 characters without hyphens, uppercased.

use std::fmt;
use std::str::FromStr;

use super::error::ValidationError;

/// A validated ISRC, stored in its compact 12-character uppercase form.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Isrc(String);

/// Highest possible designation code (5 digits).
const MAX_DESIGNATION: u32 = 99_999;

/// Removes hyphens and whitespace and uppercases ASCII letters.
fn compact(input: &str) -> String {
    input
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn isrc_error(input: &str, reason: impl Into<String>) -> ValidationError {
    ValidationError::Isrc {
        input: input.trim().to_owned(),
        reason: reason.into(),
    }
}

/// Explains a likely letter-for-digit typo in a part that must be digits.
fn digit_typo_hint(part: &str) -> &'static str {
    if part.contains('O') {
        ": did you type the letter O for zero?"
    } else if part.contains('I') || part.contains('L') {
        ": did you type the letter I or l for one?"
    } else {
        ""
    }
}

/// Explains a likely digit-for-letter typo in a part that must be letters.
fn letter_typo_hint(part: &str) -> &'static str {
    if part.contains('0') {
        ": did you type zero for the letter O?"
    } else if part.contains('1') {
        ": did you type the digit 1 for the letter I?"
    } else {
        ""
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Checks the characters shared by prefixes and full codes: ASCII letters and digits only.
fn check_charset(raw: &str, compacted: &str) -> Result<(), ValidationError> {
    if let Some(bad) = compacted.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(isrc_error(
            raw,
            format!("contains “{bad}”: only letters, digits, hyphens and spaces are allowed"),
        ));
    }
    Ok(())
}

/// Checks the 5-character country + registrant part (already compacted, ASCII).
fn check_prefix_part(raw: &str, prefix: &str) -> Result<(), ValidationError> {
    let country = &prefix[..2];
    if !country.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(isrc_error(
            raw,
            format!(
                "the first two characters must be letters (a country code), found “{country}”{}",
                letter_typo_hint(country)
            ),
        ));
    }
    // The registrant (3 characters) may be letters or digits; the charset check covers it.
    Ok(())
}

impl Isrc {
    /// Parses an ISRC typed by a user, strictly.
    ///
    /// Hyphens, spaces and other whitespace are removed and letters uppercased,
    /// so `us-rc1-76-00001` and `USRC17600001` are the same code.
    ///
    /// # Errors
    /// [`ValidationError::Isrc`] explaining what is wrong: length, a character
    /// that is not a letter or digit, letters where digits belong (with a hint
    /// for the common O/0 and I/1 typos) and so on.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let code = compact(input);
        if code.is_empty() {
            return Err(ValidationError::Required { field: "ISRC" });
        }
        check_charset(input, &code)?;
        if code.len() != 12 {
            return Err(isrc_error(
                input,
                format!(
                    "must be 12 characters after removing hyphens and spaces, found {}",
                    code.len()
                ),
            ));
        }
        check_prefix_part(input, &code[..5])?;
        let year = &code[5..7];
        if !year.chars().all(|c| c.is_ascii_digit()) {
            return Err(isrc_error(
                input,
                format!(
                    "the year (characters 6–7) must be digits, found “{year}”{}",
                    digit_typo_hint(year)
                ),
            ));
        }
        let designation = &code[7..];
        if !designation.chars().all(|c| c.is_ascii_digit()) {
            return Err(isrc_error(
                input,
                format!(
                    "the designation (characters 8–12) must be digits, found “{designation}”{}",
                    digit_typo_hint(designation)
                ),
            ));
        }
        Ok(Self(code))
    }

    /// Builds an ISRC from a label's 5-character prefix (country + registrant),
    /// a two-digit year of assignment and a designation number.
    ///
    /// # Errors
    /// [`ValidationError::Isrc`] if the prefix is malformed, the year is above 99
    /// or the designation above 99 999.
    pub fn from_parts(prefix: &str, year: u8, designation: u32) -> Result<Self, ValidationError> {
        let prefix = validate_isrc_prefix(prefix)?;
        let shown = format!("{prefix}-{year:02}-{designation:05}");
        if year > 99 {
            return Err(isrc_error(
                &shown,
                format!("the year must be 0 to 99, found {year}"),
            ));
        }
        if designation > MAX_DESIGNATION {
            return Err(isrc_error(
                &shown,
                format!("the designation must be 0 to 99999, found {designation}"),
            ));
        }
        Ok(Self(format!("{prefix}{year:02}{designation:05}")))
    }

    /// The next ISRC to assign for `prefix` in `year`: one above the highest
    /// designation already used, or 1 when none is used yet.
    ///
    /// # Errors
    /// [`ValidationError::Isrc`] if the prefix or year is invalid, or when all
    /// 99 999 designations of that year are used up.
    pub fn next_after(
        prefix: &str,
        year: u8,
        highest_used: Option<u32>,
    ) -> Result<Self, ValidationError> {
        let next = match highest_used {
            None => 1,
            Some(h) if h >= MAX_DESIGNATION => {
                let prefix = validate_isrc_prefix(prefix)?;
                return Err(isrc_error(
                    &format!("{prefix}-{year:02}-{h:05}"),
                    format!(
                        "all 99999 designation codes for prefix {prefix} in year {year:02} are used: \
                         wait for the next year or ask your ISRC agency for another registrant code"
                    ),
                ));
            }
            Some(h) => h + 1,
        };
        Self::from_parts(prefix, year, next)
    }

    /// The compact 12-character form, e.g. `USRC17600001`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 2-letter country code, e.g. `US`.
    #[must_use]
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// The 3-character registrant code, e.g. `RC1`.
    #[must_use]
    pub fn registrant(&self) -> &str {
        &self.0[2..5]
    }

    /// Country + registrant (5 characters), the part a label is assigned, e.g. `USRC1`.
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.0[..5]
    }

    /// The two-digit year of assignment (0–99).
    #[must_use]
    pub fn year(&self) -> u8 {
        // Validated as two ASCII digits on construction.
        self.0[5..7].parse().unwrap_or_default()
    }

    /// The five-digit designation code (0–99 999).
    #[must_use]
    pub fn designation(&self) -> u32 {
        // Validated as five ASCII digits on construction.
        self.0[7..].parse().unwrap_or_default()
    }
}

/// Normalises and checks a label's 5-character ISRC prefix (country code +
/// registrant code), e.g. `"gb-aye"` → `"GBAYE"`.
///
/// # Errors
/// [`ValidationError::Isrc`] if it is not 2 letters followed by 3 letters or digits.
pub fn validate_isrc_prefix(input: &str) -> Result<String, ValidationError> {
    let code = compact(input);
    if code.is_empty() {
        return Err(ValidationError::Required {
            field: "ISRC prefix",
        });
    }
    check_charset(input, &code)?;
    if code.len() != 5 {
        return Err(isrc_error(
            input,
            format!(
                "an ISRC prefix must be 5 characters (2-letter country code and 3-character \
                 registrant code, e.g. GB-AYE), found {}",
                plural(code.len(), "character", "characters")
            ),
        ));
    }
    check_prefix_part(input, &code)?;
    Ok(code)
}

/// Lenient check for search boxes: `Some` when the input (ignoring hyphens,
/// spaces, case and an optional leading `ISRC` / `ISRC:` label) is an ISRC.
#[must_use]
pub fn looks_like_isrc(input: &str) -> Option<Isrc> {
    let trimmed = input.trim();
    if let Ok(isrc) = Isrc::parse(trimmed) {
        return Some(isrc);
    }
    let rest = trimmed
        .get(..4)
        .filter(|head| head.eq_ignore_ascii_case("isrc"))
        .and(trimmed.get(4..))?;
    Isrc::parse(rest.trim_start_matches([':', ' ', '\t'])).ok()
}

impl fmt::Display for Isrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{}-{}",
            &self.0[..2],
            &self.0[2..5],
            &self.0[5..7],
            &self.0[7..]
        )
    }
}

impl FromStr for Isrc {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Isrc {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Isrc> for String {
    fn from(value: Isrc) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_codes_are_normalised() {
        let cases = [
            ("USRC17600001", "USRC17600001"),
            ("US-RC1-76-00001", "USRC17600001"),
            ("us-rc1-76-00001", "USRC17600001"),
            (" us rc1 76 00001 ", "USRC17600001"),
            ("gb\taye\u{a0}24-00123", "GBAYE2400123"),
            ("QZ-ABC-99-99999", "QZABC9999999"),
            ("GB0A00000000", "GB0A00000000"),
        ];
        for (input, want) in cases {
            let isrc = Isrc::parse(input);
            assert_eq!(isrc.as_ref().map(Isrc::as_str), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn invalid_codes_say_why() {
        let cases: [(&str, &[&str]); 9] = [
            ("USRC1760000", &["12 characters", "found 11"]),
            ("USRC176000012", &["found 13"]),
            ("US-RC1-7O-00001", &["year", "“7O”", "letter O for zero"]),
            ("US-RC1-7I-00001", &["year", "letter I or l for one"]),
            ("US-RC1-76-0OO01", &["designation", "letter O for zero"]),
            ("US-RC1-76-0000X", &["designation", "“0000X”"]),
            (
                "1SRC17600001",
                &["first two characters must be letters", "“1S”"],
            ),
            ("G0RC17600001", &["“G0”", "zero for the letter O"]),
            ("USRC1760000!", &["contains “!”"]),
        ];
        for (input, needles) in cases {
            let err = Isrc::parse(input).err();
            let Some(err) = err else {
                panic!("{input:?} should be rejected");
            };
            assert!(matches!(err, ValidationError::Isrc { .. }), "{err:?}");
            let msg = err.to_string();
            assert!(msg.starts_with(&format!("ISRC “{input}”")), "{msg}");
            for needle in needles {
                assert!(msg.contains(needle), "{input:?}: {msg:?} lacks {needle:?}");
            }
        }
        assert_eq!(
            Isrc::parse(" - "),
            Err(ValidationError::Required { field: "ISRC" })
        );
    }

    #[test]
    fn parts_and_display() {
        let isrc = Isrc::parse("usrc17600042").ok();
        let Some(isrc) = isrc else { panic!("valid") };
        assert_eq!(isrc.to_string(), "US-RC1-76-00042");
        assert_eq!(isrc.country(), "US");
        assert_eq!(isrc.registrant(), "RC1");
        assert_eq!(isrc.prefix(), "USRC1");
        assert_eq!(isrc.year(), 76);
        assert_eq!(isrc.designation(), 42);
        assert_eq!("US-RC1-76-00042".parse::<Isrc>(), Ok(isrc.clone()));
        assert_eq!(String::from(isrc), "USRC17600042");
    }

    #[test]
    fn from_parts_and_next() {
        assert_eq!(
            Isrc::from_parts("gb-aye", 5, 7).map(|i| i.to_string()),
            Ok("GB-AYE-05-00007".to_owned())
        );
        assert!(Isrc::from_parts("GBAYE", 100, 1).is_err());
        assert!(Isrc::from_parts("GBAYE", 24, 100_000).is_err());
        assert!(Isrc::from_parts("GBAY", 24, 1).is_err());
        assert_eq!(
            Isrc::next_after("GBAYE", 24, None).map(String::from),
            Ok("GBAYE2400001".to_owned())
        );
        assert_eq!(
            Isrc::next_after("GBAYE", 24, Some(41)).map(String::from),
            Ok("GBAYE2400042".to_owned())
        );
        assert_eq!(
            Isrc::next_after("GBAYE", 24, Some(99_998)).map(String::from),
            Ok("GBAYE2499999".to_owned())
        );
        let exhausted = Isrc::next_after("GBAYE", 24, Some(99_999));
        let msg = exhausted.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("all 99999 designation codes"), "{msg}");
        assert!(msg.contains("GBAYE"), "{msg}");
    }

    #[test]
    fn prefix_validation() {
        assert_eq!(validate_isrc_prefix("gb-aye"), Ok("GBAYE".to_owned()));
        assert_eq!(validate_isrc_prefix(" QM 4A1 "), Ok("QM4A1".to_owned()));
        let msg = validate_isrc_prefix("GBAY")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            msg.contains("5 characters") && msg.contains("found 4 characters"),
            "{msg}"
        );
        assert!(validate_isrc_prefix("12AYE").is_err());
        assert!(validate_isrc_prefix("GB-AY?").is_err());
        assert_eq!(
            validate_isrc_prefix(""),
            Err(ValidationError::Required {
                field: "ISRC prefix"
            })
        );
    }

    #[test]
    fn lenient_lookup() {
        assert_eq!(
            looks_like_isrc("  usrc17600001 ")
                .map(String::from)
                .as_deref(),
            Some("USRC17600001")
        );
        assert_eq!(
            looks_like_isrc("ISRC: US-RC1-76-00001")
                .map(String::from)
                .as_deref(),
            Some("USRC17600001")
        );
        assert_eq!(
            looks_like_isrc("isrc USRC17600001")
                .map(String::from)
                .as_deref(),
            Some("USRC17600001")
        );
        assert_eq!(looks_like_isrc("Blue Monday"), None);
        assert_eq!(looks_like_isrc("isrc"), None);
        assert_eq!(looks_like_isrc(""), None);
        assert_eq!(looks_like_isrc("é"), None);
    }

    #[test]
    fn serde_round_trip_and_rejects_bad() {
        let isrc = Isrc::parse("USRC17600001").ok();
        let json = serde_json::to_string(&isrc).unwrap_or_default();
        assert_eq!(json, "\"USRC17600001\"");
        let back: Option<Isrc> = serde_json::from_str("\"us-rc1-76-00001\"").ok();
        assert_eq!(back, isrc);
        assert!(serde_json::from_str::<Isrc>("\"USRC1760000\"").is_err());
    }
}
