//! Small enums stored as short lowercase text codes in the database and JSON.

use std::fmt;
use std::str::FromStr;

use super::error::ValidationError;

/// Defines an enum with a database/JSON code and a UI label per variant.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            what: $what:literal,
            default: $default:ident,
            $( $(#[$vmeta:meta])* $variant:ident => ($code:literal, $label:literal), )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            /// The code stored in the database and JSON (plain lowercase ASCII).
            #[must_use]
            pub const fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// The text shown to the user.
            #[must_use]
            pub const fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// Reads a stored code (or a UI label), ignoring case and
            /// surrounding spaces.
            ///
            /// # Errors
            /// [`ValidationError::UnknownCode`] if it matches no value.
            pub fn from_code(s: &str) -> Result<Self, ValidationError> {
                let wanted = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| {
                        v.code().eq_ignore_ascii_case(wanted)
                            || v.label().eq_ignore_ascii_case(wanted)
                    })
                    .ok_or_else(|| ValidationError::UnknownCode {
                        what: $what,
                        input: wanted.to_owned(),
                    })
            }

            /// The codes quoted and comma-separated, e.g. `'a','b'`, for an SQL
            /// `CHECK (column IN (...))` constraint.
            #[must_use]
            pub fn sql_in_list() -> String {
                Self::ALL
                    .iter()
                    .map(|v| format!("'{}'", v.code()))
                    .collect::<Vec<_>>()
                    .join(",")
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::$default
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_code(s)
            }
        }
    };
}

code_enum! {
    /// What kind of release this is.
    pub enum ReleaseType {
        what: "release type",
        default: Album,
        /// A full-length album.
        Album => ("album", "Album"),
        /// An extended play.
        Ep => ("ep", "EP"),
        /// A single.
        Single => ("single", "Single"),
        /// A compilation of several artists or older recordings.
        Compilation => ("compilation", "Compilation"),
        /// A live recording.
        Live => ("live", "Live"),
        /// A mixtape.
        Mixtape => ("mixtape", "Mixtape"),
        /// Anything else.
        Other => ("other", "Other"),
    }
}

code_enum! {
    /// Where a release stands in its life cycle.
    pub enum ReleaseStatus {
        what: "release status",
        default: Idea,
        /// Being considered.
        Idea => ("idea", "Idea"),
        /// Agreed and scheduled.
        Planned => ("planned", "Planned"),
        /// Masters, artwork or manufacturing under way.
        InProduction => ("in_production", "In production"),
        /// Out in the world.
        Released => ("released", "Released"),
        /// No longer available.
        OutOfPrint => ("out_of_print", "Out of print"),
    }
}

code_enum! {
    /// An artist's relationship with the label.
    pub enum ArtistStatus {
        what: "artist status",
        default: Prospect,
        /// Under contract.
        Signed => ("signed", "Signed"),
        /// Being considered.
        Prospect => ("prospect", "Prospect"),
        /// Worked with the label in the past.
        Alumni => ("alumni", "Alumni"),
    }
}

code_enum! {
    /// The role of an artist on a release.
    pub enum ArtistRole {
        what: "artist role",
        default: Primary,
        /// The (or a) main artist.
        Primary => ("primary", "Main artist"),
        /// A featured guest.
        Featured => ("featured", "Featured"),
        /// A remixer.
        Remixer => ("remixer", "Remixer"),
        /// A producer.
        Producer => ("producer", "Producer"),
        /// The compiler of a compilation.
        Compiler => ("compiler", "Compiler"),
    }
}

code_enum! {
    /// The physical or digital medium of a release format.
    pub enum FormatKind {
        what: "format",
        default: Vinyl12,
        /// 12-inch vinyl (LP or maxi-single).
        Vinyl12 => ("vinyl12", "12\" vinyl"),
        /// 10-inch vinyl.
        Vinyl10 => ("vinyl10", "10\" vinyl"),
        /// 7-inch vinyl.
        Vinyl7 => ("vinyl7", "7\" vinyl"),
        /// Compact disc.
        Cd => ("cd", "CD"),
        /// Cassette tape.
        Cassette => ("cassette", "Cassette"),
        /// Download / streaming.
        Digital => ("digital", "Digital"),
        /// Anything else (USB stick, lathe cut…).
        Other => ("other", "Other"),
    }
}

impl FormatKind {
    /// The kind's label with the variant, if any: "12\" vinyl (red)".
    #[must_use]
    pub fn with_variant(self, variant: &str) -> String {
        if variant.trim().is_empty() {
            self.label().to_owned()
        } else {
            format!("{} ({})", self.label(), variant.trim())
        }
    }

    /// True for anything that has to be manufactured and shipped.
    #[must_use]
    pub const fn is_physical(self) -> bool {
        !matches!(self, Self::Digital)
    }

    /// True for the vinyl sizes (which have sides A, B…).
    #[must_use]
    pub const fn is_vinyl(self) -> bool {
        matches!(self, Self::Vinyl12 | Self::Vinyl10 | Self::Vinyl7)
    }

    /// A short label for narrow table columns.
    #[must_use]
    pub const fn short(self) -> &'static str {
        match self {
            Self::Vinyl12 => "12\"",
            Self::Vinyl10 => "10\"",
            Self::Vinyl7 => "7\"",
            Self::Cd => "CD",
            Self::Cassette => "Cass",
            Self::Digital => "Digital",
            Self::Other => "Other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks codes, labels, serde and `from_code` for every value of an enum.
    fn check_round_trip<T>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str)
    where
        T: Copy
            + PartialEq
            + fmt::Debug
            + fmt::Display
            + FromStr<Err = ValidationError>
            + serde::Serialize
            + serde::de::DeserializeOwned,
    {
        let mut seen_codes = std::collections::HashSet::new();
        for &v in all {
            let c = code(v);
            assert!(seen_codes.insert(c), "duplicate code {c}");
            assert!(
                !c.is_empty()
                    && c.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            );
            assert_eq!(c.parse::<T>(), Ok(v));
            assert_eq!(c.to_ascii_uppercase().parse::<T>(), Ok(v));
            assert_eq!(format!("  {c} ").parse::<T>(), Ok(v));
            assert_eq!(label(v).parse::<T>(), Ok(v));
            assert_eq!(label(v).to_ascii_lowercase().parse::<T>(), Ok(v));
            assert_eq!(v.to_string(), label(v));
            assert_eq!(
                serde_json::to_string(&v).unwrap_or_default(),
                format!("\"{c}\"")
            );
            assert_eq!(serde_json::from_str::<T>(&format!("\"{c}\"")).ok(), Some(v));
        }
        assert!("nonsense".parse::<T>().is_err());
    }

    #[test]
    fn all_kinds_round_trip() {
        check_round_trip(ReleaseType::ALL, ReleaseType::code, ReleaseType::label);
        check_round_trip(
            ReleaseStatus::ALL,
            ReleaseStatus::code,
            ReleaseStatus::label,
        );
        check_round_trip(ArtistStatus::ALL, ArtistStatus::code, ArtistStatus::label);
        check_round_trip(ArtistRole::ALL, ArtistRole::code, ArtistRole::label);
        check_round_trip(FormatKind::ALL, FormatKind::code, FormatKind::label);
        assert_eq!(ReleaseType::ALL.len(), 7);
        assert_eq!(ReleaseStatus::ALL.len(), 5);
        assert_eq!(ArtistStatus::ALL.len(), 3);
        assert_eq!(ArtistRole::ALL.len(), 5);
        assert_eq!(FormatKind::ALL.len(), 7);
    }

    #[test]
    fn labels_defaults_and_errors() {
        assert_eq!(ReleaseType::Ep.label(), "EP");
        assert_eq!(ReleaseStatus::InProduction.code(), "in_production");
        assert_eq!(ReleaseStatus::OutOfPrint.to_string(), "Out of print");
        assert_eq!(ArtistRole::Primary.label(), "Main artist");
        assert_eq!(FormatKind::Vinyl12.label(), "12\" vinyl");
        assert_eq!(ReleaseType::default(), ReleaseType::Album);
        assert_eq!(ReleaseStatus::default(), ReleaseStatus::Idea);
        assert_eq!(ArtistStatus::default(), ArtistStatus::Prospect);
        assert_eq!(ArtistRole::default(), ArtistRole::Primary);
        assert_eq!(FormatKind::default(), FormatKind::Vinyl12);
        assert_eq!(
            ReleaseType::from_code(" LP "),
            Err(ValidationError::UnknownCode {
                what: "release type",
                input: "LP".to_owned()
            })
        );
        assert_eq!(
            FormatKind::from_code("8track")
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("unknown format “8track”")
        );
        assert_eq!(
            ArtistStatus::from_code("").err().map(|e| e.field()),
            Some("artist status")
        );
    }

    #[test]
    fn sql_lists() {
        assert_eq!(
            ReleaseType::sql_in_list(),
            "'album','ep','single','compilation','live','mixtape','other'"
        );
        assert_eq!(
            ReleaseStatus::sql_in_list(),
            "'idea','planned','in_production','released','out_of_print'"
        );
        assert_eq!(ArtistStatus::sql_in_list(), "'signed','prospect','alumni'");
        assert_eq!(
            ArtistRole::sql_in_list(),
            "'primary','featured','remixer','producer','compiler'"
        );
        assert_eq!(
            FormatKind::sql_in_list(),
            "'vinyl12','vinyl10','vinyl7','cd','cassette','digital','other'"
        );
    }

    #[test]
    fn format_kind_helpers() {
        let physical: Vec<_> = FormatKind::ALL.iter().filter(|k| k.is_physical()).collect();
        assert_eq!(physical.len(), 6);
        assert!(!FormatKind::Digital.is_physical());
        let vinyl: Vec<_> = FormatKind::ALL
            .iter()
            .copied()
            .filter(|k| k.is_vinyl())
            .collect();
        assert_eq!(
            vinyl,
            [FormatKind::Vinyl12, FormatKind::Vinyl10, FormatKind::Vinyl7]
        );
        let shorts: Vec<_> = FormatKind::ALL.iter().map(|k| k.short()).collect();
        assert_eq!(
            shorts,
            ["12\"", "10\"", "7\"", "CD", "Cass", "Digital", "Other"]
        );
    }
}
