//! Validation errors with messages a user can act on.

/// Why a value typed by the user (or read from a file) was rejected.
///
/// Every message is written for the person at the keyboard: it names the
/// field, quotes what was typed and says what is expected instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// An ISRC (track recording code) is malformed.
    #[error("ISRC “{input}”: {reason}")]
    Isrc {
        /// What was typed.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A UPC-A / EAN-13 barcode is malformed.
    #[error("barcode “{input}”: {reason}")]
    Barcode {
        /// What was typed.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A catalog number is malformed.
    #[error("catalog number: {reason}")]
    CatalogNumber {
        /// What is wrong with it.
        reason: String,
    },
    /// A track duration could not be read.
    #[error("duration “{input}”: {reason}")]
    Duration {
        /// What was typed.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An amount of money could not be read.
    #[error("price “{input}”: {reason}")]
    Money {
        /// What was typed.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A currency code is not three letters.
    #[error("“{input}” is not a currency code: use three letters such as EUR, USD, GBP")]
    Currency {
        /// What was typed.
        input: String,
    },
    /// A percentage could not be read or is out of range.
    #[error("percentage “{input}”: {reason}")]
    Percent {
        /// What was typed.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A mandatory field was left empty.
    #[error("{field} cannot be empty")]
    Required {
        /// The field's name as shown to the user.
        field: &'static str,
    },
    /// A stored or typed code does not name a known value.
    #[error("unknown {what} “{input}”")]
    UnknownCode {
        /// What kind of code it should have been (e.g. "release type").
        what: &'static str,
        /// What was found.
        input: String,
    },
    /// A text field is longer than allowed.
    #[error("{field} is too long: at most {max} characters")]
    TooLong {
        /// The field's name as shown to the user.
        field: &'static str,
        /// The maximum number of characters.
        max: usize,
    },
    /// A date could not be read.
    #[error("“{input}” is not a date: use YYYY-MM-DD")]
    Date {
        /// What was typed.
        input: String,
    },
    /// Any other field-specific problem (e.g. an e-mail address without '@').
    #[error("{field}: {reason}")]
    Invalid {
        /// The field's name as shown to the user.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl ValidationError {
    /// The name of the field the error is about, as shown to the user
    /// (so a form can highlight the right input).
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            Self::Isrc { .. } => "ISRC",
            Self::Barcode { .. } => "barcode",
            Self::CatalogNumber { .. } => "catalog number",
            Self::Duration { .. } => "duration",
            Self::Money { .. } => "price",
            Self::Currency { .. } => "currency",
            Self::Percent { .. } => "percentage",
            Self::Required { field }
            | Self::TooLong { field, .. }
            | Self::Invalid { field, .. } => field,
            Self::UnknownCode { what, .. } => what,
            Self::Date { .. } => "date",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_plain_words() {
        let cases: Vec<(ValidationError, &str, &str)> = vec![
            (
                ValidationError::Isrc {
                    input: "X".into(),
                    reason: "too short".into(),
                },
                "ISRC “X”: too short",
                "ISRC",
            ),
            (
                ValidationError::Barcode {
                    input: "1".into(),
                    reason: "bad".into(),
                },
                "barcode “1”: bad",
                "barcode",
            ),
            (
                ValidationError::CatalogNumber {
                    reason: "bad".into(),
                },
                "catalog number: bad",
                "catalog number",
            ),
            (
                ValidationError::Duration {
                    input: "x".into(),
                    reason: "bad".into(),
                },
                "duration “x”: bad",
                "duration",
            ),
            (
                ValidationError::Money {
                    input: "x".into(),
                    reason: "bad".into(),
                },
                "price “x”: bad",
                "price",
            ),
            (
                ValidationError::Currency { input: "EU".into() },
                "“EU” is not a currency code: use three letters such as EUR, USD, GBP",
                "currency",
            ),
            (
                ValidationError::Percent {
                    input: "x".into(),
                    reason: "bad".into(),
                },
                "percentage “x”: bad",
                "percentage",
            ),
            (
                ValidationError::Required { field: "title" },
                "title cannot be empty",
                "title",
            ),
            (
                ValidationError::UnknownCode {
                    what: "release type",
                    input: "lp".into(),
                },
                "unknown release type “lp”",
                "release type",
            ),
            (
                ValidationError::TooLong {
                    field: "name",
                    max: 300,
                },
                "name is too long: at most 300 characters",
                "name",
            ),
            (
                ValidationError::Date {
                    input: "31/12".into(),
                },
                "“31/12” is not a date: use YYYY-MM-DD",
                "date",
            ),
            (
                ValidationError::Invalid {
                    field: "email",
                    reason: "needs an @".into(),
                },
                "email: needs an @",
                "email",
            ),
        ];
        for (err, msg, field) in cases {
            assert_eq!(err.to_string(), msg);
            assert_eq!(err.field(), field);
        }
    }
}
