//! Errors of the catalog layer, worded for the label owner who reads them.

use crate::model::ValidationError;

/// Anything that can go wrong opening or changing a catalog.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{path}: no such file")]
    NotFound { path: String },
    #[error("{path} already exists: choose another name or open it instead")]
    AlreadyExists { path: String },
    #[error("{path} is not a Labeldesk catalog: {reason}. The file was not changed.")]
    NotACatalog { path: String, reason: String },
    #[error(
        "{path} was written by a newer version of Labeldesk (catalog version {found}; this app \
         understands up to version {supported}). Update Labeldesk to open it. The file was not changed."
    )]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{path} is damaged: {detail}. The file was not changed; restore a backup.")]
    Damaged { path: String, detail: String },
    #[error(
        "upgrading {path} to catalog version {step} ({name}) failed: {source}. \
         Nothing was changed: the catalog is still at version {from}."
    )]
    MigrationFailed {
        path: String,
        from: i64,
        step: i64,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The change would break a reference; the message says what refers to what.
    #[error("{0}")]
    InUse(String),
    #[error("{kind} #{id} does not exist (it may have been deleted)")]
    Missing { kind: &'static str, id: i64 },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A bulk load's search-index thread stopped without finishing (it panicked).
    #[error("building the search index failed: {0}. Nothing was changed.")]
    IndexThread(String),
    #[error("catalog error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl DbError {
    /// True when the error is the user's input, not a fault: the UI shows it beside the field.
    #[must_use]
    pub fn is_user_error(&self) -> bool {
        matches!(self, Self::Invalid(_) | Self::InUse(_))
    }
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;
