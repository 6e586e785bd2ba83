//! Form drafts of the release editor: what the user is typing, as text, and its conversion
//! into validated catalog records. Each conversion returns the errors per field so the
//! editor can paint the right field red with the reason. Pure: no egui, no SQL.

use crate::model::{
    Barcode, CatalogNumber, Currency, Format, FormatId, FormatKind, Isrc, LabelId, Money, Release,
    ReleaseCatalogNumber, ReleaseStatus, ReleaseType, Track, TrackDuration, TrackId,
    ValidationError, parse_date,
};

/// Validation problems by field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(&'static str, String)>);

impl FieldErrors {
    fn add(&mut self, field: &'static str, error: &ValidationError) {
        self.0.push((field, error.to_string()));
    }

    /// The message for a field, if it is invalid.
    #[must_use]
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All messages, for a "not saved" notice.
    #[must_use]
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn optional<T>(
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, ValidationError>,
) -> Result<Option<T>, ValidationError> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else {
        parse(text).map(Some)
    }
}

fn money(text: &str, currency: Currency) -> Result<Option<i64>, ValidationError> {
    let value = optional(text, |t| Money::parse(t, currency))?;
    match value {
        Some(m) if m.is_negative() => Err(ValidationError::Invalid {
            field: "price",
            reason: "a price cannot be negative".to_owned(),
        }),
        other => Ok(other.map(|m| m.minor)),
    }
}

fn format_money(minor: Option<i64>, currency: Currency) -> String {
    minor
        .map(|m| Money::new(m, currency).format_amount())
        .unwrap_or_default()
}

/// The release's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadDraft {
    pub title: String,
    pub release_type: ReleaseType,
    pub status: ReleaseStatus,
    pub date: String,
    pub label_id: Option<LabelId>,
    pub notes: String,
}

impl HeadDraft {
    #[must_use]
    pub fn from_release(r: &Release) -> Self {
        Self {
            title: r.title.clone(),
            release_type: r.release_type,
            status: r.status,
            date: r.release_date.map(|d| d.to_string()).unwrap_or_default(),
            label_id: r.label_id,
            notes: r.notes.clone(),
        }
    }

    /// The release this draft describes.
    ///
    /// # Errors
    /// The invalid fields with their reasons.
    pub fn to_release(&self, base: &Release) -> Result<Release, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut release = base.clone();
        release.title = self.title.trim().to_owned();
        release.release_type = self.release_type;
        release.status = self.status;
        release.label_id = self.label_id;
        release.notes.clone_from(&self.notes);
        match optional(&self.date, parse_date) {
            Ok(date) => release.release_date = date,
            Err(e) => errors.add("date", &e),
        }
        if let Err(e) = release.validate() {
            errors.add("title", &e);
        }
        if errors.is_empty() {
            Ok(release)
        } else {
            Err(errors)
        }
    }
}

/// One format being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatDraft {
    pub id: FormatId,
    pub kind: FormatKind,
    pub variant: String,
    pub discs: String,
    pub barcode: String,
    pub date: String,
    pub currency: String,
    pub retail: String,
    pub dealer: String,
    pub pressed: String,
    pub notes: String,
}

impl FormatDraft {
    #[must_use]
    pub fn from_format(f: &Format) -> Self {
        Self {
            id: f.id,
            kind: f.kind,
            variant: f.variant.clone(),
            discs: f.discs.to_string(),
            barcode: f
                .barcode
                .as_ref()
                .map(|b| b.as_str().to_owned())
                .unwrap_or_default(),
            date: f.release_date.map(|d| d.to_string()).unwrap_or_default(),
            currency: f.currency.as_str().to_owned(),
            retail: format_money(f.retail_price, f.currency),
            dealer: format_money(f.dealer_price, f.currency),
            pressed: f
                .pressed_quantity
                .map(|q| q.to_string())
                .unwrap_or_default(),
            notes: f.notes.clone(),
        }
    }

    /// The format this draft describes.
    ///
    /// # Errors
    /// The invalid fields with their reasons.
    pub fn to_format(&self, base: &Format) -> Result<Format, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut f = base.clone();
        f.kind = self.kind;
        f.variant = self.variant.trim().to_owned();
        f.notes.clone_from(&self.notes);
        match self.discs.trim().parse::<u16>() {
            Ok(n) if (1..=99).contains(&n) => f.discs = n,
            _ => errors.0.push((
                "discs",
                format!(
                    "discs: “{}” is not a number from 1 to 99",
                    self.discs.trim()
                ),
            )),
        }
        match optional(&self.barcode, Barcode::parse) {
            Ok(code) => f.barcode = code,
            Err(e) => errors.add("barcode", &e),
        }
        match optional(&self.date, parse_date) {
            Ok(date) => f.release_date = date,
            Err(e) => errors.add("date", &e),
        }
        match Currency::parse(&self.currency) {
            Ok(currency) => f.currency = currency,
            Err(e) => errors.add("currency", &e),
        }
        match money(&self.retail, f.currency) {
            Ok(price) => f.retail_price = price,
            Err(e) => errors.add("retail", &e),
        }
        match money(&self.dealer, f.currency) {
            Ok(price) => f.dealer_price = price,
            Err(e) => errors.add("dealer", &e),
        }
        match optional(&self.pressed, |t| {
            t.replace(['_', ','], "")
                .parse::<u32>()
                .map_err(|_| ValidationError::Invalid {
                    field: "pressed quantity",
                    reason: format!("“{t}” is not a whole number of units"),
                })
        }) {
            Ok(q) => f.pressed_quantity = q,
            Err(e) => errors.add("pressed", &e),
        }
        if errors.is_empty()
            && let Err(e) = f.validate()
        {
            errors.add("variant", &e);
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(errors)
        }
    }
}

/// One track row being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackDraft {
    pub id: TrackId,
    pub disc: String,
    pub position: String,
    pub title: String,
    pub duration: String,
    pub isrc: String,
}

impl TrackDraft {
    #[must_use]
    pub fn from_track(t: &Track) -> Self {
        Self {
            id: t.id,
            disc: t.disc.to_string(),
            position: t.position.clone(),
            title: t.title.clone(),
            duration: t
                .duration
                .map(TrackDuration::format_precise)
                .unwrap_or_default(),
            isrc: t.isrc.as_ref().map(ToString::to_string).unwrap_or_default(),
        }
    }

    /// The track this draft describes.
    ///
    /// # Errors
    /// The invalid fields with their reasons.
    pub fn to_track(&self, base: &Track) -> Result<Track, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut t = base.clone();
        t.title = self.title.trim().to_owned();
        t.position = self.position.trim().to_uppercase();
        match self.disc.trim().parse::<u16>() {
            Ok(n) if n >= 1 => t.disc = n,
            _ => errors.0.push((
                "disc",
                format!("disc: “{}” is not a disc number", self.disc.trim()),
            )),
        }
        match optional(&self.duration, TrackDuration::parse) {
            Ok(d) => t.duration = d,
            Err(e) => errors.add("duration", &e),
        }
        match optional(&self.isrc, Isrc::parse) {
            Ok(code) => t.isrc = code,
            Err(e) => errors.add("isrc", &e),
        }
        if let Err(e) = t.validate() {
            let field = match e.field() {
                "position" => "position",
                "disc" => "disc",
                _ => "title",
            };
            errors.add(field, &e);
        }
        if errors.is_empty() {
            Ok(t)
        } else {
            Err(errors)
        }
    }
}

/// One catalog number being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatnoDraft {
    pub text: String,
    pub label_id: Option<LabelId>,
    pub format_id: Option<FormatId>,
}

impl CatnoDraft {
    #[must_use]
    pub fn from_catno(c: &ReleaseCatalogNumber) -> Self {
        Self {
            text: c.catno.as_str().to_owned(),
            label_id: c.label_id,
            format_id: c.format_id,
        }
    }

    /// The catalog number this draft describes.
    ///
    /// # Errors
    /// The reason the text is not a catalog number.
    pub fn to_catno(
        &self,
        base: &ReleaseCatalogNumber,
    ) -> Result<ReleaseCatalogNumber, FieldErrors> {
        match CatalogNumber::parse(&self.text) {
            Ok(catno) => Ok(ReleaseCatalogNumber {
                catno,
                label_id: self.label_id,
                format_id: self.format_id,
                ..base.clone()
            }),
            Err(e) => {
                let mut errors = FieldErrors::default();
                errors.add("catno", &e);
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReleaseId;

    #[test]
    fn a_track_draft_round_trips_and_names_bad_fields() {
        let mut track = Track::new(ReleaseId(1), 0, "Undertow");
        track.position = "A1".to_owned();
        track.duration = Some(TrackDuration::from_millis(225_500));
        track.isrc = Some(Isrc::parse("GBAYE2600001").expect("isrc"));
        let draft = TrackDraft::from_track(&track);
        assert_eq!(draft.isrc, "GB-AYE-26-00001");
        assert_eq!(
            draft.to_track(&track).expect("valid"),
            track,
            "milliseconds survive the round trip"
        );

        let bad = TrackDraft {
            isrc: "GB-AYE-2O-00001".to_owned(),
            duration: "3:75".to_owned(),
            title: " ".to_owned(),
            ..draft
        };
        let errors = bad.to_track(&track).expect_err("invalid");
        assert!(
            errors.get("isrc").is_some_and(|m| m.contains('O')),
            "{errors:?}"
        );
        assert!(errors.get("duration").is_some(), "{errors:?}");
        assert!(errors.get("title").is_some(), "{errors:?}");
    }

    #[test]
    fn a_format_draft_parses_prices_in_its_currency() {
        let format = Format::new(ReleaseId(1), FormatKind::Vinyl12);
        let mut draft = FormatDraft::from_format(&format);
        draft.retail = "24.99".to_owned();
        draft.dealer = "14,50".to_owned();
        draft.barcode = "0 36000 24145 7".to_owned();
        draft.pressed = "1,000".to_owned();
        let f = draft.to_format(&format).expect("valid");
        assert_eq!(
            (f.retail_price, f.dealer_price, f.pressed_quantity),
            (Some(2499), Some(1450), Some(1000))
        );
        assert_eq!(
            f.barcode.as_ref().map(Barcode::as_str),
            Some("036000241457")
        );
        draft.retail = "-3".to_owned();
        draft.barcode = "036000241458".to_owned();
        draft.currency = "EU".to_owned();
        let errors = draft.to_format(&format).expect_err("invalid");
        assert!(
            errors.get("barcode").is_some_and(|m| m.contains('7')),
            "names the right check digit: {errors:?}"
        );
        assert!(errors.get("currency").is_some());
    }

    #[test]
    fn a_head_draft_rejects_impossible_dates() {
        let release = Release::new("Tide Tables");
        let mut draft = HeadDraft::from_release(&release);
        draft.date = "2027-02-30".to_owned();
        assert!(
            draft
                .to_release(&release)
                .expect_err("bad date")
                .get("date")
                .is_some()
        );
        draft.date = "2028-02-29".to_owned();
        assert_eq!(
            draft
                .to_release(&release)
                .expect("leap day")
                .release_date
                .map(|d| d.to_string())
                .as_deref(),
            Some("2028-02-29")
        );
    }
}
