//! What panels ask the app to do. Panels never write to the catalog themselves: they push a
//! [`Command`], and the app applies all commands once per frame, in one place.

use crate::model::{ArtistId, ReleaseId, TrackId};
use crate::undo::Edit;

/// A place the app can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Target {
    Artist(ArtistId),
    Release(ReleaseId),
    Track { release: ReleaseId, track: TrackId },
}

/// Panels of the main window.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Panel {
    Roster,
    #[default]
    Catalog,
    Planning,
    Sales,
    Contracts,
    Shows,
}

impl Panel {
    pub const ALL: &[Self] = &[
        Self::Roster,
        Self::Catalog,
        Self::Planning,
        Self::Sales,
        Self::Contracts,
        Self::Shows,
    ];

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Roster => "Roster",
            Self::Catalog => "Catalog",
            Self::Planning => "Planning",
            Self::Sales => "Sales",
            Self::Contracts => "Contracts",
            Self::Shows => "Shows",
        }
    }
}

/// One request from the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Apply a catalog edit (one transaction, undoable).
    Edit(Edit),
    /// Apply an edit, then open what it created (e.g. "New artist").
    EditAndOpen(Edit),
    Undo,
    Redo,
    /// Show an artist, release or track.
    Open(Target),
    /// Switch panel (pending drafts are saved first).
    ShowPanel(Panel),
    /// First run: fill the empty catalog with the demo label.
    CreateDemo,
    /// First run: start with an empty catalog (and the user's own label).
    StartEmpty {
        label_name: String,
    },
    /// A stock, show or merch-table write (not on the edit undo stack). `started` is when the
    /// key or click that asked for it arrived, to time a sale from keypress to commit.
    Shows(Box<crate::db::shows::Op>, Option<std::time::Instant>),
    /// A contract, statement or payment write (not on the edit undo stack).
    Contracts(Box<crate::db::contracts::Op>),
    /// A message for the status line.
    Notify(String),
    /// An error for the status line, in plain words.
    Error(String),
}
