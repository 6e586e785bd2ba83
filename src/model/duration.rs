//! Track durations, kept in whole milliseconds.

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

use super::error::ValidationError;

/// A track's running time in milliseconds.
///
/// Displayed as `m:ss` (or `h:mm:ss` from one hour up) with seconds rounded
/// half-up; the full millisecond value is kept.
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
pub struct TrackDuration(u32);

const FORMS: &str = "use m:ss or h:mm:ss, e.g. 3:45 (seconds alone such as 225 also work)";

fn duration_error(input: &str, reason: impl Into<String>) -> ValidationError {
    ValidationError::Duration {
        input: input.trim().to_owned(),
        reason: reason.into(),
    }
}

/// Parses a run of ASCII digits (at least one).
fn digits(part: &str) -> Option<u64> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

impl TrackDuration {
    /// A duration of `ms` milliseconds.
    #[must_use]
    pub const fn from_millis(ms: u32) -> Self {
        Self(ms)
    }

    /// The duration in milliseconds.
    #[must_use]
    pub const fn millis(self) -> u32 {
        self.0
    }

    /// Whole seconds, rounded half-up (what the display shows).
    #[must_use]
    pub fn seconds_rounded(self) -> u32 {
        // (u32::MAX + 500) / 1000 fits easily in u32.
        u32::try_from((u64::from(self.0) + 500) / 1000).unwrap_or(u32::MAX)
    }

    /// Parses a duration typed by the user: `m:ss`, `mm:ss`, `h:mm:ss` or plain
    /// seconds (`225`), each optionally with a fraction of a second of up to
    /// three digits (`3:45.5` is 3 min 45.5 s).
    ///
    /// # Errors
    /// [`ValidationError::Required`] when empty; otherwise
    /// [`ValidationError::Duration`] explaining the accepted forms, e.g. for
    /// `3:60` (seconds must be below 60), negative values or other text.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(ValidationError::Required { field: "duration" });
        }
        if text.starts_with('-') {
            return Err(duration_error(input, "a duration cannot be negative"));
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let extra_ms = match fraction {
            None => 0,
            Some(f) if !f.is_empty() && f.len() <= 3 && f.bytes().all(|b| b.is_ascii_digit()) => {
                // Pad to milliseconds: ".5" → 500, ".25" → 250.
                let padded = format!("{f:0<3}");
                digits(&padded).unwrap_or(0)
            }
            Some(_) => {
                return Err(duration_error(
                    input,
                    format!(
                        "the fraction of a second must be 1 to 3 digits after the point; {FORMS}"
                    ),
                ));
            }
        };
        let parts: Vec<&str> = whole.split(':').collect();
        let bad = || duration_error(input, format!("not a duration: {FORMS}"));
        let seconds: u64 = match parts.as_slice() {
            [s] => digits(s).ok_or_else(bad)?,
            [m, s] => {
                let m = digits(m).ok_or_else(bad)?;
                let s = Self::seconds_part(input, s)?;
                m * 60 + s
            }
            [h, m, s] => {
                let h = digits(h).ok_or_else(bad)?;
                if m.len() > 2 {
                    return Err(bad());
                }
                let m = digits(m).ok_or_else(bad)?;
                if m >= 60 {
                    return Err(duration_error(
                        input,
                        format!("minutes must be below 60 in h:mm:ss, found {m}"),
                    ));
                }
                let s = Self::seconds_part(input, s)?;
                h * 3600 + m * 60 + s
            }
            _ => return Err(bad()),
        };
        let total = seconds
            .checked_mul(1000)
            .and_then(|ms| ms.checked_add(extra_ms))
            .and_then(|ms| u32::try_from(ms).ok())
            .ok_or_else(|| duration_error(input, "too long for a track"))?;
        Ok(Self(total))
    }

    /// The seconds after a colon: exactly two digits, below 60.
    fn seconds_part(input: &str, s: &str) -> Result<u64, ValidationError> {
        let value = digits(s).filter(|_| s.len() == 2).ok_or_else(|| {
            duration_error(input, format!("seconds after “:” need two digits; {FORMS}"))
        })?;
        if value >= 60 {
            return Err(duration_error(
                input,
                format!("seconds must be below 60, found {value}; {FORMS}"),
            ));
        }
        Ok(value)
    }

    /// Adds two durations, stopping at the maximum instead of overflowing.
    #[must_use]
    pub const fn saturating_add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }

    /// Sum of durations (saturating), e.g. the running time of a side.
    #[must_use]
    pub fn total(durations: impl IntoIterator<Item = Self>) -> Self {
        durations
            .into_iter()
            .fold(Self::default(), Self::saturating_add)
    }

    /// The exact value in the form [`parse`](Self::parse) reads back, keeping
    /// fractions of a second (`3:45.5`); for editing without losing precision.
    #[must_use]
    pub fn format_precise(self) -> String {
        let secs = self.0 / 1000;
        let ms = self.0 % 1000;
        let mut out = format_clock(secs);
        if ms != 0 {
            let frac = format!("{ms:03}");
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        out
    }
}

fn format_clock(total_secs: u32) -> String {
    let h = total_secs / 3600;
    let m = (total_secs % 3600) / 60;
    let s = total_secs % 60;
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

impl fmt::Display for TrackDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_clock(self.seconds_rounded()))
    }
}

impl FromStr for TrackDuration {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Sum for TrackDuration {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        Self::total(iter)
    }
}

impl<'a> Sum<&'a TrackDuration> for TrackDuration {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        Self::total(iter.copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_valid() {
        let cases = [
            ("3:45", 225_000),
            ("03:45", 225_000),
            (" 3:45 ", 225_000),
            ("0:07", 7_000),
            ("1:02:03", 3_723_000),
            ("0:59:59", 3_599_000),
            ("3:45.5", 225_500),
            ("3:45.250", 225_250),
            ("3:45.05", 225_050),
            ("225", 225_000),
            ("225.5", 225_500),
            ("0", 0),
            ("75:00", 4_500_000),
        ];
        for (input, ms) in cases {
            assert_eq!(
                TrackDuration::parse(input),
                Ok(TrackDuration::from_millis(ms)),
                "{input:?}"
            );
        }
    }

    #[test]
    fn parse_invalid() {
        let cases: [(&str, &str); 14] = [
            ("3:60", "seconds must be below 60, found 60"),
            ("1:60:00", "minutes must be below 60"),
            ("-1:00", "negative"),
            ("abc", "m:ss or h:mm:ss, e.g. 3:45"),
            ("3:4", "two digits"),
            ("3:456", "two digits"),
            ("3:", "two digits"),
            (":45", "not a duration"),
            ("1:2:3:4", "not a duration"),
            ("1:123:45", "not a duration"),
            ("3:45.", "fraction"),
            ("3:45.1234", "fraction"),
            ("3m45s", "not a duration"),
            ("9999999999", "too long"),
        ];
        for (input, needle) in cases {
            let err = TrackDuration::parse(input).err();
            let Some(err) = err else {
                panic!("{input:?} should be rejected")
            };
            assert!(matches!(err, ValidationError::Duration { .. }), "{err:?}");
            let msg = err.to_string();
            assert!(msg.contains(needle), "{input:?}: {msg:?} lacks {needle:?}");
        }
        assert_eq!(
            TrackDuration::parse("  "),
            Err(ValidationError::Required { field: "duration" })
        );
    }

    #[test]
    fn display_rounds_half_up() {
        let cases = [
            (0, "0:00"),
            (225_000, "3:45"),
            (225_499, "3:45"),
            (225_500, "3:46"),
            (59_999, "1:00"),
            (3_599_499, "59:59"),
            (3_599_500, "1:00:00"),
            (3_600_000, "1:00:00"),
            (3_723_000, "1:02:03"),
            (36_000_000, "10:00:00"),
        ];
        for (ms, want) in cases {
            assert_eq!(TrackDuration::from_millis(ms).to_string(), want, "{ms} ms");
        }
        assert_eq!(
            TrackDuration::from_millis(u32::MAX).seconds_rounded(),
            4_294_967
        );
    }

    #[test]
    fn precise_format_round_trips() {
        for ms in [0, 225_000, 225_500, 225_250, 225_005, 3_723_040] {
            let d = TrackDuration::from_millis(ms);
            assert_eq!(
                TrackDuration::parse(&d.format_precise()),
                Ok(d),
                "{}",
                d.format_precise()
            );
        }
        assert_eq!(
            TrackDuration::from_millis(225_500).format_precise(),
            "3:45.5"
        );
    }

    #[test]
    fn sums_saturate() {
        let ds = [
            TrackDuration::from_millis(1_000),
            TrackDuration::from_millis(2_500),
        ];
        assert_eq!(TrackDuration::total(ds), TrackDuration::from_millis(3_500));
        assert_eq!(
            ds.iter().sum::<TrackDuration>(),
            TrackDuration::from_millis(3_500)
        );
        assert_eq!(
            ds.into_iter().sum::<TrackDuration>(),
            TrackDuration::from_millis(3_500)
        );
        let big = [
            TrackDuration::from_millis(u32::MAX),
            TrackDuration::from_millis(5),
        ];
        assert_eq!(
            TrackDuration::total(big),
            TrackDuration::from_millis(u32::MAX)
        );
        assert_eq!(TrackDuration::total([]), TrackDuration::default());
        assert_eq!(serde_json::to_string(&ds[1]).unwrap_or_default(), "2500");
    }
}
