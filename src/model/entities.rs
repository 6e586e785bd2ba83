//! Plain data records shared by the database layer and the user interface.

use chrono::NaiveDate;

use super::barcode::Barcode;
use super::catno::CatalogNumber;
use super::duration::TrackDuration;
use super::error::ValidationError;
use super::ids::{ArtistId, CatalogNumberId, FormatId, LabelId, ReleaseId, TrackId};
use super::isrc::Isrc;
use super::isrc::validate_isrc_prefix;
use super::kinds::{ArtistRole, ArtistStatus, FormatKind, ReleaseStatus, ReleaseType};
use super::money::{Currency, Money};

/// Longest artist or label name, in characters.
pub const NAME_MAX_CHARS: usize = 300;
/// Longest release or track title, in characters.
pub const TITLE_MAX_CHARS: usize = 500;
/// Longest format variant description, in characters.
pub const VARIANT_MAX_CHARS: usize = 200;
/// Longest track position (`A1`, `12`, `AA3`), in characters.
pub const POSITION_MAX_CHARS: usize = 8;
/// Most discs in one format, and highest disc number of a track.
pub const MAX_DISCS: u16 = 99;

/// Checks that a text field is not blank and not longer than `max` characters.
fn require_text(field: &'static str, value: &str, max: usize) -> Result<(), ValidationError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ValidationError::Required { field });
    }
    check_len(field, value, max)
}

fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.trim().chars().count() > max {
        return Err(ValidationError::TooLong { field, max });
    }
    Ok(())
}

fn invalid(field: &'static str, reason: impl Into<String>) -> ValidationError {
    ValidationError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// Reads a date typed as `YYYY-MM-DD` (surrounding spaces ignored).
///
/// # Errors
/// [`ValidationError::Date`] if it is not a real calendar date in that form.
pub fn parse_date(input: &str) -> Result<NaiveDate, ValidationError> {
    let text = input.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ValidationError::Date {
        input: text.to_owned(),
    })
}

/// A record label: the user's own, or another one (co-release, licensor).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Label {
    /// Row id.
    pub id: LabelId,
    /// Label name.
    pub name: String,
    /// True for the user's own label(s).
    pub is_own: bool,
    /// Prefix of the label's catalog numbers, e.g. `SK`.
    pub catno_prefix: String,
    /// The label's 5-character ISRC prefix (country + registrant), e.g. `GBAYE`.
    pub isrc_prefix: Option<String>,
    /// Default currency for prices and accounting.
    pub currency: Currency,
    /// Free notes.
    pub notes: String,
}

impl Label {
    /// A new, unsaved label with the given name.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Checks the label before saving: name required (at most 300 characters),
    /// catalog number prefix at most 64 characters, ISRC prefix well formed.
    ///
    /// # Errors
    /// The first problem found, as a [`ValidationError`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text("name", &self.name, NAME_MAX_CHARS)?;
        check_len("catalog number prefix", &self.catno_prefix, 64)?;
        if let Some(prefix) = &self.isrc_prefix {
            validate_isrc_prefix(prefix)?;
        }
        Ok(())
    }
}

/// An artist on the roster (or one the label has worked with).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Artist {
    /// Row id.
    pub id: ArtistId,
    /// Name as credited.
    pub name: String,
    /// Name used for sorting (`Beatles, The`); empty means sort by name.
    pub sort_name: String,
    /// Relationship with the label.
    pub status: ArtistStatus,
    /// Hidden from everyday lists.
    pub archived: bool,
    /// ISO 3166 two-letter country code, or empty.
    pub country: String,
    /// Free-form genres.
    pub genres: String,
    /// Contact e-mail address, or empty.
    pub email: String,
    /// Contact phone number, or empty.
    pub phone: String,
    /// Manager's name and contact.
    pub manager: String,
    /// Web links, one per line.
    pub links: String,
    /// Free notes.
    pub notes: String,
}

impl Artist {
    /// A new, unsaved artist with the given name; everything else default.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Checks the artist before saving: name required (at most 300
    /// characters); an e-mail address, if given, has text on both sides of an
    /// `@`; a country, if given, is two letters.
    ///
    /// # Errors
    /// The first problem found, as a [`ValidationError`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text("name", &self.name, NAME_MAX_CHARS)?;
        check_len("sort name", &self.sort_name, NAME_MAX_CHARS)?;
        let email = self.email.trim();
        if !email.is_empty() {
            let ok = email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty());
            if !ok || email.chars().any(char::is_whitespace) {
                return Err(invalid(
                    "email",
                    format!(
                        "“{email}” is not an e-mail address: it should look like name@example.com"
                    ),
                ));
            }
        }
        let country = self.country.trim();
        let two_letters = country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic());
        if !country.is_empty() && !two_letters {
            return Err(invalid(
                "country",
                format!("“{country}” is not a country code: use two letters such as GB, US, DE"),
            ));
        }
        Ok(())
    }

    /// The same artist with surrounding spaces trimmed from every text field
    /// and the country code uppercased.
    #[must_use]
    pub fn normalized(self) -> Self {
        let trim = |s: String| s.trim().to_owned();
        Self {
            name: trim(self.name),
            sort_name: trim(self.sort_name),
            country: self.country.trim().to_uppercase(),
            genres: trim(self.genres),
            email: trim(self.email),
            phone: trim(self.phone),
            manager: trim(self.manager),
            links: trim(self.links),
            notes: trim(self.notes),
            ..self
        }
    }

    /// What to sort by: the sort name if set, else the name.
    #[must_use]
    pub fn display_sort_key(&self) -> &str {
        if self.sort_name.trim().is_empty() {
            &self.name
        } else {
            &self.sort_name
        }
    }
}

/// The usual sort name for an artist name: a leading "The " moves to the end
/// (`The Beatles` → `Beatles, The`); other names are returned unchanged (trimmed).
#[must_use]
pub fn default_sort_name(name: &str) -> String {
    let name = name.trim();
    match name.get(..4) {
        Some(head) if head.eq_ignore_ascii_case("the ") => {
            let rest = name[4..].trim_start();
            if rest.is_empty() {
                name.to_owned()
            } else {
                format!("{rest}, {}", head.trim_end())
            }
        }
        _ => name.to_owned(),
    }
}

/// A release: an album, EP, single… (formats and tracks hang off it).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Release {
    /// Row id.
    pub id: ReleaseId,
    /// The releasing label, if set.
    pub label_id: Option<LabelId>,
    /// Title.
    pub title: String,
    /// Album, EP, single…
    pub release_type: ReleaseType,
    /// Idea, planned, in production…
    pub status: ReleaseStatus,
    /// The (main) release date, if known.
    pub release_date: Option<NaiveDate>,
    /// Free notes.
    pub notes: String,
}

impl Release {
    /// A new, unsaved release with the given title; everything else default.
    #[must_use]
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Checks the release before saving: title required, at most 500 characters.
    ///
    /// # Errors
    /// The first problem found, as a [`ValidationError`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text("title", &self.title, TITLE_MAX_CHARS)
    }
}

/// An artist credited on a release, with their role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct ReleaseArtist {
    /// The artist.
    pub artist_id: ArtistId,
    /// Main artist, featured, remixer…
    pub role: ArtistRole,
}

/// A catalog number carried by a release (per label and optionally per format).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReleaseCatalogNumber {
    /// Row id.
    pub id: CatalogNumberId,
    /// The label issuing this number (for co-releases), if set.
    pub label_id: Option<LabelId>,
    /// The format it is printed on, if it is format-specific.
    pub format_id: Option<FormatId>,
    /// The catalog number itself.
    pub catno: CatalogNumber,
}

/// One format (medium) of a release, e.g. its 2×12" red vinyl or its CD.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Format {
    /// Row id.
    pub id: FormatId,
    /// The release it belongs to.
    pub release_id: ReleaseId,
    /// Medium.
    pub kind: FormatKind,
    /// Variant, e.g. "red", "deluxe", "test pressing".
    pub variant: String,
    /// Number of discs/tapes (2 for a 2×12").
    pub discs: u16,
    /// UPC-A / EAN-13, if assigned.
    pub barcode: Option<Barcode>,
    /// Release date of this format if it differs from the release's.
    pub release_date: Option<NaiveDate>,
    /// Currency of the prices.
    pub currency: Currency,
    /// Retail price in minor units of `currency`.
    pub retail_price: Option<i64>,
    /// Dealer (wholesale) price in minor units of `currency`.
    pub dealer_price: Option<i64>,
    /// Units pressed/manufactured.
    pub pressed_quantity: Option<u32>,
    /// Free notes.
    pub notes: String,
}

impl Format {
    /// A new, unsaved single-disc format of `kind` for a release.
    #[must_use]
    pub fn new(release_id: ReleaseId, kind: FormatKind) -> Self {
        Self {
            id: FormatId::UNSAVED,
            release_id,
            kind,
            variant: String::new(),
            discs: 1,
            barcode: None,
            release_date: None,
            currency: Currency::default(),
            retail_price: None,
            dealer_price: None,
            pressed_quantity: None,
            notes: String::new(),
        }
    }

    /// The retail price with its currency, if set.
    #[must_use]
    pub fn retail(&self) -> Option<Money> {
        self.retail_price
            .map(|minor| Money::new(minor, self.currency))
    }

    /// The dealer price with its currency, if set.
    #[must_use]
    pub fn dealer(&self) -> Option<Money> {
        self.dealer_price
            .map(|minor| Money::new(minor, self.currency))
    }

    /// Checks the format before saving: 1 to 99 discs, prices not negative,
    /// variant at most 200 characters.
    ///
    /// # Errors
    /// The first problem found, as a [`ValidationError`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !(1..=MAX_DISCS).contains(&self.discs) {
            return Err(invalid(
                "discs",
                format!(
                    "the number of discs must be 1 to {MAX_DISCS}, found {}",
                    self.discs
                ),
            ));
        }
        for (field, price) in [
            ("retail price", self.retail()),
            ("dealer price", self.dealer()),
        ] {
            if let Some(price) = price.filter(|p| p.is_negative()) {
                return Err(invalid(
                    field,
                    format!("{price} is negative: a price cannot be below zero"),
                ));
            }
        }
        check_len("variant", &self.variant, VARIANT_MAX_CHARS)
    }

    /// A short description such as `12" vinyl, red`, `2×12" vinyl` or `CD`.
    #[must_use]
    pub fn display_name(&self) -> String {
        let mut name = if self.discs > 1 && self.kind.is_physical() {
            format!("{}×{}", self.discs, self.kind.label())
        } else {
            self.kind.label().to_owned()
        };
        let variant = self.variant.trim();
        if !variant.is_empty() {
            name.push_str(", ");
            name.push_str(variant);
        }
        name
    }
}

/// A track on a release.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Track {
    /// Row id.
    pub id: TrackId,
    /// The release it belongs to.
    pub release_id: ReleaseId,
    /// Disc number, from 1.
    pub disc: u16,
    /// Position as printed: `A1`, `B2`, `3`.
    pub position: String,
    /// Order within the release, from 0.
    pub seq: u32,
    /// Title.
    pub title: String,
    /// Running time, if known.
    pub duration: Option<TrackDuration>,
    /// The recording's ISRC, if assigned.
    pub isrc: Option<Isrc>,
    /// A featured artist, if any.
    pub featured_artist_id: Option<ArtistId>,
    /// Free notes.
    pub notes: String,
}

impl Track {
    /// A new, unsaved track on disc 1 at position `seq + 1`.
    #[must_use]
    pub fn new(release_id: ReleaseId, seq: u32, title: impl Into<String>) -> Self {
        Self {
            id: TrackId::UNSAVED,
            release_id,
            disc: 1,
            position: seq.saturating_add(1).to_string(),
            seq,
            title: title.into(),
            duration: None,
            isrc: None,
            featured_artist_id: None,
            notes: String::new(),
        }
    }

    /// Checks the track before saving: title required (at most 500
    /// characters), disc 1 to 99, position at most 8 letters and digits.
    ///
    /// # Errors
    /// The first problem found, as a [`ValidationError`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        require_text("title", &self.title, TITLE_MAX_CHARS)?;
        if !(1..=MAX_DISCS).contains(&self.disc) {
            return Err(invalid(
                "disc",
                format!(
                    "the disc number must be 1 to {MAX_DISCS}, found {}",
                    self.disc
                ),
            ));
        }
        let position = self.position.trim();
        check_len("position", position, POSITION_MAX_CHARS)?;
        if let Some(bad) = position.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(invalid(
                "position",
                format!("contains “{bad}”: use letters and digits only, e.g. A1 or 3"),
            ));
        }
        Ok(())
    }

    /// The vinyl side: the leading letters of the position (`A1` → `A`,
    /// `AA2` → `AA`); `None` for purely numeric positions such as `12`.
    #[must_use]
    pub fn side(&self) -> Option<&str> {
        let position = self.position.trim();
        let end = position
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(position.len());
        (end > 0).then(|| &position[..end])
    }
}

/// Side name for the `index`-th side (0 → `A`, 25 → `Z`, 26 → `AA`…).
fn side_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        let letter = u8::try_from(index % 26).map_or('?', |i| char::from(b'A' + i));
        letters.push(letter);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// Positions for `n` tracks spread over `sides` vinyl sides (`A1`, `A2`,
/// `B1`…), as evenly as possible with earlier sides taking the extra tracks.
/// With 0 or 1 sides (CD, digital) the positions are `1`, `2`, `3`…
#[must_use]
pub fn suggest_positions(n: usize, sides: usize) -> Vec<String> {
    if sides <= 1 {
        return (1..=n).map(|i| i.to_string()).collect();
    }
    let (base, extra) = (n / sides, n % sides);
    (0..sides)
        .flat_map(|side| {
            let count = base + usize::from(side < extra);
            let letters = side_letters(side);
            (1..=count).map(move |i| format!("{letters}{i}"))
        })
        .collect()
}

/// Total running time per vinyl side (`A`, `B`…), in order of first
/// appearance in `tracks`. Tracks whose position has no side letter are
/// grouped per disc (`Disc 1`). Tracks without a duration count as zero.
/// Sides are told apart by letter only, as multi-disc vinyl continues the
/// lettering (C, D…) on the next disc.
#[must_use]
pub fn durations_by_side(tracks: &[Track]) -> Vec<(String, TrackDuration)> {
    let mut groups: Vec<(String, TrackDuration)> = Vec::new();
    for track in tracks {
        let key = track
            .side()
            .map_or_else(|| format!("Disc {}", track.disc), str::to_owned);
        let duration = track.duration.unwrap_or_default();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, total)) => *total = total.saturating_add(duration),
            None => groups.push((key, duration)),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            parse_date(" 2024-03-01 "),
            Ok(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default())
        );
        for bad in ["2024-02-30", "01/03/2024", "", "2024-3"] {
            assert_eq!(
                parse_date(bad),
                Err(ValidationError::Date {
                    input: bad.trim().to_owned()
                })
            );
        }
    }

    #[test]
    fn label_validation() {
        let mut label = Label::new("Skint");
        assert_eq!(label.validate(), Ok(()));
        assert_eq!(label.currency, Currency::EUR);
        label.isrc_prefix = Some("GB-AYE".to_owned());
        assert_eq!(label.validate(), Ok(()));
        label.isrc_prefix = Some("GBAY".to_owned());
        assert!(matches!(
            label.validate(),
            Err(ValidationError::Isrc { .. })
        ));
        label.isrc_prefix = None;
        label.catno_prefix = "X".repeat(65);
        assert_eq!(
            label.validate(),
            Err(ValidationError::TooLong {
                field: "catalog number prefix",
                max: 64
            })
        );
        assert_eq!(
            Label::new("  ").validate(),
            Err(ValidationError::Required { field: "name" })
        );
    }

    #[test]
    fn artist_validation() {
        let ok = |a: &Artist| a.validate() == Ok(());
        let mut a = Artist::new("Boards of Canada");
        assert!(ok(&a));
        assert_eq!(a.status, ArtistStatus::Prospect);
        assert!(a.id.is_unsaved());
        a.email = "hello@example.com".into();
        a.country = "gb".into();
        assert!(ok(&a));
        for bad in ["hello", "@example.com", "hello@", "he llo@example.com"] {
            a.email = bad.into();
            let err = a.validate();
            assert_eq!(
                err.as_ref().map_err(ValidationError::field),
                Err("email"),
                "{bad:?}"
            );
        }
        a.email = String::new();
        for bad in ["GBR", "G", "1A", "É1"] {
            a.country = bad.into();
            let err = a.validate();
            assert_eq!(
                err.as_ref().map_err(ValidationError::field),
                Err("country"),
                "{bad:?}"
            );
        }
        a.country = String::new();
        a.name = "x".repeat(301);
        assert_eq!(
            a.validate(),
            Err(ValidationError::TooLong {
                field: "name",
                max: 300
            })
        );
        a.name = "x".repeat(300);
        assert!(ok(&a));
        a.name = " \n".into();
        assert_eq!(
            a.validate(),
            Err(ValidationError::Required { field: "name" })
        );
    }

    #[test]
    fn artist_normalized_and_sort() {
        let mut a = Artist::new("  The Beatles ");
        a.country = " gb ".into();
        a.email = " john@example.com ".into();
        let a = a.normalized();
        assert_eq!(a.name, "The Beatles");
        assert_eq!(a.country, "GB");
        assert_eq!(a.email, "john@example.com");
        assert_eq!(a.display_sort_key(), "The Beatles");
        let a = Artist {
            sort_name: default_sort_name(&a.name),
            ..a
        };
        assert_eq!(a.display_sort_key(), "Beatles, The");
        let cases = [
            ("The Beatles", "Beatles, The"),
            ("  the  xx ", "xx, the"),
            ("A Tribe Called Quest", "A Tribe Called Quest"),
            ("Theo Parrish", "Theo Parrish"),
            ("The", "The"),
            ("The ", "The"),
            ("Ünloved", "Ünloved"),
        ];
        for (name, want) in cases {
            assert_eq!(default_sort_name(name), want, "{name:?}");
        }
    }

    #[test]
    fn release_validation() {
        let r = Release::new("Music Has the Right to Children");
        assert_eq!(r.validate(), Ok(()));
        assert_eq!(r.release_type, ReleaseType::Album);
        assert_eq!(r.status, ReleaseStatus::Idea);
        assert_eq!(
            Release::new("").validate(),
            Err(ValidationError::Required { field: "title" })
        );
        assert_eq!(
            Release::new("t".repeat(501)).validate(),
            Err(ValidationError::TooLong {
                field: "title",
                max: 500
            })
        );
        assert_eq!(Release::new("é".repeat(500)).validate(), Ok(()));
    }

    #[test]
    fn format_validation_and_names() {
        let mut f = Format::new(ReleaseId(3), FormatKind::Vinyl12);
        assert_eq!(f.validate(), Ok(()));
        assert_eq!(f.display_name(), "12\" vinyl");
        f.variant = "red".into();
        assert_eq!(f.display_name(), "12\" vinyl, red");
        f.variant = String::new();
        f.discs = 2;
        assert_eq!(f.display_name(), "2×12\" vinyl");
        assert_eq!(
            Format {
                discs: 3,
                ..Format::new(ReleaseId(3), FormatKind::Cd)
            }
            .display_name(),
            "3×CD"
        );
        assert_eq!(
            Format::new(ReleaseId(3), FormatKind::Digital).display_name(),
            "Digital"
        );
        f.discs = 0;
        assert_eq!(f.validate().map_err(|e| e.field()), Err("discs"));
        f.discs = 100;
        assert_eq!(f.validate().map_err(|e| e.field()), Err("discs"));
        f.discs = 99;
        assert_eq!(f.validate(), Ok(()));
        f.retail_price = Some(2499);
        f.dealer_price = Some(1500);
        f.currency = Currency::GBP;
        assert_eq!(f.retail(), Some(Money::new(2499, Currency::GBP)));
        assert_eq!(f.dealer(), Some(Money::new(1500, Currency::GBP)));
        assert_eq!(f.validate(), Ok(()));
        f.dealer_price = Some(-1);
        assert_eq!(f.validate().map_err(|e| e.field()), Err("dealer price"));
        f.dealer_price = None;
        f.retail_price = Some(-100);
        let msg = f
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            msg.contains("retail price") && msg.contains("-£1.00"),
            "{msg}"
        );
        f.retail_price = Some(0);
        f.variant = "v".repeat(201);
        assert_eq!(
            f.validate(),
            Err(ValidationError::TooLong {
                field: "variant",
                max: 200
            })
        );
    }

    #[test]
    fn format_serde_round_trip() {
        let mut f = Format::new(ReleaseId(3), FormatKind::Cd);
        f.barcode = Barcode::parse("5010017088439").ok();
        f.release_date = NaiveDate::from_ymd_opt(2024, 5, 17);
        let json = serde_json::to_string(&f).unwrap_or_default();
        assert!(json.contains("\"barcode\":\"5010017088439\""), "{json}");
        assert!(json.contains("\"kind\":\"cd\""), "{json}");
        assert!(json.contains("\"release_date\":\"2024-05-17\""), "{json}");
        assert_eq!(serde_json::from_str::<Format>(&json).ok(), Some(f));
    }

    #[test]
    fn track_validation_and_side() {
        let mut t = Track::new(ReleaseId(1), 0, "Roygbiv");
        assert_eq!(t.position, "1");
        assert_eq!(t.disc, 1);
        assert_eq!(t.validate(), Ok(()));
        assert_eq!(t.side(), None);
        for (pos, side) in [
            ("A1", Some("A")),
            ("b12", Some("b")),
            ("AA3", Some("AA")),
            ("C", Some("C")),
            ("12", None),
            ("", None),
        ] {
            t.position = pos.into();
            assert_eq!(t.side(), side, "{pos:?}");
            assert_eq!(t.validate(), Ok(()), "{pos:?}");
        }
        t.position = "A-1".into();
        assert_eq!(t.validate().map_err(|e| e.field()), Err("position"));
        t.position = "ABCDEFGH9".into();
        assert_eq!(
            t.validate(),
            Err(ValidationError::TooLong {
                field: "position",
                max: 8
            })
        );
        t.position = "A1".into();
        t.disc = 0;
        assert_eq!(t.validate().map_err(|e| e.field()), Err("disc"));
        t.disc = 2;
        t.title = " ".into();
        assert_eq!(
            t.validate(),
            Err(ValidationError::Required { field: "title" })
        );
        assert_eq!(
            Track::new(ReleaseId(1), u32::MAX, "x").position,
            u32::MAX.to_string()
        );
    }

    #[test]
    fn positions() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(suggest_positions(3, 0), s(&["1", "2", "3"]));
        assert_eq!(suggest_positions(3, 1), s(&["1", "2", "3"]));
        assert_eq!(suggest_positions(5, 2), s(&["A1", "A2", "A3", "B1", "B2"]));
        assert_eq!(suggest_positions(4, 2), s(&["A1", "A2", "B1", "B2"]));
        assert_eq!(
            suggest_positions(10, 4),
            s(&["A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "D1", "D2"])
        );
        assert_eq!(suggest_positions(1, 2), s(&["A1"]));
        assert_eq!(suggest_positions(0, 2), Vec::<String>::new());
        assert_eq!(
            suggest_positions(28, 28).last().map(String::as_str),
            Some("AB1")
        );
        assert_eq!(side_letters(25), "Z");
        assert_eq!(side_letters(26), "AA");
        assert_eq!(side_letters(27 + 25), "BA");
    }

    #[test]
    fn side_durations() {
        let track = |pos: &str, disc: u16, secs: Option<u32>| Track {
            position: pos.to_owned(),
            disc,
            duration: secs.map(|s| TrackDuration::from_millis(s * 1000)),
            ..Track::new(ReleaseId(1), 0, "t")
        };
        let tracks = [
            track("A1", 1, Some(200)),
            track("A2", 1, Some(100)),
            track("B1", 1, Some(300)),
            track("B2", 1, None),
            track("A3", 1, Some(50)),
            track("1", 2, Some(60)),
            track("2", 2, Some(61)),
        ];
        let got = durations_by_side(&tracks);
        let want = vec![
            ("A".to_owned(), TrackDuration::from_millis(350_000)),
            ("B".to_owned(), TrackDuration::from_millis(300_000)),
            ("Disc 2".to_owned(), TrackDuration::from_millis(121_000)),
        ];
        assert_eq!(got, want);
        assert!(durations_by_side(&[]).is_empty());
    }
}
