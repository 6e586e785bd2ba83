//! Typed row ids, so an artist id cannot be passed where a release id is expected.

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Wraps the database row id; `0` ([`Self::UNSAVED`]) means "not saved yet".
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
        pub struct $name(pub i64);

        impl $name {
            /// The id of a record that has not been stored yet.
            pub const UNSAVED: Self = Self(0);

            /// True when the record has not been stored yet.
            #[must_use]
            pub fn is_unsaved(self) -> bool {
                self == Self::UNSAVED
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

/// Lets other model modules declare their own id types the same way.
pub(crate) use id_type;

id_type!(
    /// Identifies an artist.
    ArtistId
);
id_type!(
    /// Identifies a release (album, EP, single…).
    ReleaseId
);
id_type!(
    /// Identifies one format (medium) of a release, e.g. its 12" vinyl.
    FormatId
);
id_type!(
    /// Identifies a track.
    TrackId
);
id_type!(
    /// Identifies a label (the user's own or a co-releasing one).
    LabelId
);
id_type!(
    /// Identifies a catalog number attached to a release.
    CatalogNumberId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsaved_and_display() {
        assert!(ArtistId::default().is_unsaved());
        assert!(ReleaseId::UNSAVED.is_unsaved());
        assert!(!TrackId(5).is_unsaved());
        assert_eq!(FormatId(42).to_string(), "42");
        assert_eq!(LabelId(-3).to_string(), "-3");
        assert!(CatalogNumberId(1) < CatalogNumberId(2));
    }

    #[test]
    fn serde_is_a_plain_number() {
        assert_eq!(
            serde_json::to_string(&ArtistId(7)).ok().as_deref(),
            Some("7")
        );
        let back: Result<ReleaseId, _> = serde_json::from_str("12");
        assert_eq!(back.ok(), Some(ReleaseId(12)));
    }
}
