//! Reversible catalog edits. Every change the UI makes is an [`Edit`]: a list of row-level
//! changes, each with the row before and after. Applying an edit runs in one transaction and
//! records the real "before" read from the catalog, so undo restores exactly what was there,
//! ids included; redo re-applies the recorded edit.

use rusqlite::Transaction;

use crate::db::covers::Cover;
use crate::db::releases::ReleaseFull;
use crate::db::{self, Catalog, DbError};
use crate::model::{
    Artist, ArtistId, CatalogNumberId, Format, FormatId, Label, LabelId, Release, ReleaseArtist,
    ReleaseCatalogNumber, ReleaseId, Track, TrackId,
};
use crate::model::{CostLine, CostLineId, ImportId, MatchMapping};
use crate::model::{LeadTimeProfile, Milestone, MilestoneId, ProfileId};
use std::sync::Arc;

/// A catalog number together with the release it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct CatnoRow {
    pub release: ReleaseId,
    pub catno: ReleaseCatalogNumber,
}

/// One row-level change. `None` before = insert, `None` after = delete, both = update.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Artist {
        before: Option<Artist>,
        after: Option<Artist>,
    },
    Release {
        before: Option<Release>,
        after: Option<Release>,
    },
    /// A release with everything on it (creating a copy, deleting one).
    WholeRelease {
        before: Option<Box<ReleaseFull>>,
        after: Option<Box<ReleaseFull>>,
    },
    Credits {
        release: ReleaseId,
        before: Vec<ReleaseArtist>,
        after: Vec<ReleaseArtist>,
    },
    Format {
        before: Option<Format>,
        after: Option<Format>,
    },
    CatalogNumber {
        before: Option<CatnoRow>,
        after: Option<CatnoRow>,
    },
    Track {
        before: Option<Track>,
        after: Option<Track>,
    },
    TrackOrder {
        release: ReleaseId,
        before: Vec<TrackId>,
        after: Vec<TrackId>,
    },
    Cover {
        release: ReleaseId,
        before: Option<Box<Cover>>,
        after: Option<Box<Cover>>,
    },
    Label {
        before: Option<Label>,
        after: Option<Label>,
    },
    /// A milestone of a release's plan.
    Milestone {
        before: Option<Milestone>,
        after: Option<Milestone>,
    },
    /// A lead-time profile with its milestone templates.
    LeadTimeProfile {
        before: Option<LeadTimeProfile>,
        after: Option<LeadTimeProfile>,
    },
    /// A whole imported sales report with its lines (shared: the history keeps one copy).
    SalesImport {
        before: Option<Arc<db::ledger::ImportBatch>>,
        after: Option<Arc<db::ledger::ImportBatch>>,
    },
    /// The remembered mapping of report lines with `key`, and the lines it points.
    LedgerMapping {
        key: String,
        before: Option<MatchMapping>,
        after: Option<MatchMapping>,
    },
    /// A cost entered by hand.
    CostLine {
        before: Option<CostLine>,
        after: Option<CostLine>,
    },
    /// A column mapping for other sales reports, saved under `name` (its JSON definition).
    ReportMapping {
        name: String,
        before: Option<String>,
        after: Option<String>,
    },
}

/// Something the catalog now has that it did not have before the edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Artist(ArtistId),
    Release(ReleaseId),
    Format(FormatId),
    CatalogNumber(CatalogNumberId),
    Track(TrackId),
    Label(LabelId),
    Milestone(MilestoneId),
    LeadTimeProfile(ProfileId),
    SalesImport(ImportId),
    CostLine(CostLineId),
}

impl Change {
    /// Insert a new artist.
    #[must_use]
    pub fn add_artist(artist: Artist) -> Self {
        Self::Artist {
            before: None,
            after: Some(artist),
        }
    }
    /// Save an artist's fields.
    #[must_use]
    pub fn update_artist(artist: Artist) -> Self {
        Self::Artist {
            before: Some(artist.clone()),
            after: Some(artist),
        }
    }
    /// Delete an artist.
    #[must_use]
    pub fn delete_artist(artist: Artist) -> Self {
        Self::Artist {
            before: Some(artist),
            after: None,
        }
    }
    /// Insert a new release (fields only).
    #[must_use]
    pub fn add_release(release: Release) -> Self {
        Self::Release {
            before: None,
            after: Some(release),
        }
    }
    /// Save a release's own fields.
    #[must_use]
    pub fn update_release(release: Release) -> Self {
        Self::Release {
            before: Some(release.clone()),
            after: Some(release),
        }
    }
    /// Delete a release with everything on it.
    #[must_use]
    pub fn delete_release(id: ReleaseId) -> Self {
        let mut placeholder = Release::new("-");
        placeholder.id = id;
        Self::WholeRelease {
            before: Some(Box::new(ReleaseFull {
                release: placeholder,
                artists: Vec::new(),
                formats: Vec::new(),
                catnos: Vec::new(),
                tracks: Vec::new(),
                cover: None,
            })),
            after: None,
        }
    }
    /// Replace a release's artist credits.
    #[must_use]
    pub fn set_credits(release: ReleaseId, credits: Vec<ReleaseArtist>) -> Self {
        Self::Credits {
            release,
            before: Vec::new(),
            after: credits,
        }
    }
    /// Insert, update (`before` = `after`) or delete a format.
    #[must_use]
    pub fn format(before: Option<Format>, after: Option<Format>) -> Self {
        Self::Format { before, after }
    }
    /// Insert, update or delete a track.
    #[must_use]
    pub fn track(before: Option<Track>, after: Option<Track>) -> Self {
        Self::Track { before, after }
    }
    /// Insert, update or delete a catalog number.
    #[must_use]
    pub fn catno(
        release: ReleaseId,
        before: Option<ReleaseCatalogNumber>,
        after: Option<ReleaseCatalogNumber>,
    ) -> Self {
        Self::CatalogNumber {
            before: before.map(|catno| CatnoRow { release, catno }),
            after: after.map(|catno| CatnoRow { release, catno }),
        }
    }
    /// Put a release's tracks in this order.
    #[must_use]
    pub fn reorder_tracks(release: ReleaseId, order: Vec<TrackId>) -> Self {
        Self::TrackOrder {
            release,
            before: Vec::new(),
            after: order,
        }
    }
    /// Set or remove a release's cover.
    #[must_use]
    pub fn cover(release: ReleaseId, cover: Option<Cover>) -> Self {
        Self::Cover {
            release,
            before: None,
            after: cover.map(Box::new),
        }
    }

    /// Insert, update (`before` = `after`) or delete a milestone.
    #[must_use]
    pub fn milestone(before: Option<Milestone>, after: Option<Milestone>) -> Self {
        Self::Milestone { before, after }
    }
    /// Insert, update or delete a lead-time profile (with its milestone templates).
    #[must_use]
    pub fn lead_time_profile(
        before: Option<LeadTimeProfile>,
        after: Option<LeadTimeProfile>,
    ) -> Self {
        Self::LeadTimeProfile { before, after }
    }

    /// Import a prepared sales report (all its lines in the edit's one transaction).
    #[must_use]
    pub fn sales_import(batch: db::ledger::ImportBatch) -> Self {
        Self::SalesImport {
            before: None,
            after: Some(Arc::new(batch)),
        }
    }
    /// Remember that report lines with `key` belong to a release (and track), re-pointing the
    /// unmatched lines with that key; `None` forgets the mapping.
    #[must_use]
    pub fn ledger_mapping(key: String, after: Option<MatchMapping>) -> Self {
        Self::LedgerMapping {
            key,
            before: None,
            after,
        }
    }
    /// Save (or, with `None`, forget) the report column mapping named `name`.
    #[must_use]
    pub fn report_mapping(name: String, after: Option<String>) -> Self {
        Self::ReportMapping {
            name,
            before: None,
            after,
        }
    }
    /// Insert, update or delete a cost line.
    #[must_use]
    pub fn cost_line(before: Option<CostLine>, after: Option<CostLine>) -> Self {
        Self::CostLine { before, after }
    }

    /// The change that undoes this one.
    #[must_use]
    pub fn inverse(&self) -> Self {
        match self.clone() {
            Self::Artist { before, after } => Self::Artist {
                before: after,
                after: before,
            },
            Self::Release { before, after } => Self::Release {
                before: after,
                after: before,
            },
            Self::WholeRelease { before, after } => Self::WholeRelease {
                before: after,
                after: before,
            },
            Self::Credits {
                release,
                before,
                after,
            } => Self::Credits {
                release,
                before: after,
                after: before,
            },
            Self::Format { before, after } => Self::Format {
                before: after,
                after: before,
            },
            Self::CatalogNumber { before, after } => Self::CatalogNumber {
                before: after,
                after: before,
            },
            Self::Track { before, after } => Self::Track {
                before: after,
                after: before,
            },
            Self::TrackOrder {
                release,
                before,
                after,
            } => Self::TrackOrder {
                release,
                before: after,
                after: before,
            },
            Self::Cover {
                release,
                before,
                after,
            } => Self::Cover {
                release,
                before: after,
                after: before,
            },
            Self::Label { before, after } => Self::Label {
                before: after,
                after: before,
            },
            Self::Milestone { before, after } => Self::Milestone {
                before: after,
                after: before,
            },
            Self::LeadTimeProfile { before, after } => Self::LeadTimeProfile {
                before: after,
                after: before,
            },
            Self::SalesImport { before, after } => Self::SalesImport {
                before: after,
                after: before,
            },
            Self::LedgerMapping { key, before, after } => Self::LedgerMapping {
                key,
                before: after,
                after: before,
            },
            Self::ReportMapping {
                name,
                before,
                after,
            } => Self::ReportMapping {
                name,
                before: after,
                after: before,
            },
            Self::CostLine { before, after } => Self::CostLine {
                before: after,
                after: before,
            },
        }
    }

    /// Applies the change and returns it as recorded: with the catalog's real "before" and the
    /// ids given to inserted rows.
    fn apply(self, tx: &Transaction<'_>, created: &mut Vec<Created>) -> Result<Self, DbError> {
        Ok(match self {
            Self::Artist { before, after } => {
                let (before, after) = apply_row(tx, before, after, created)?;
                Self::Artist { before, after }
            }
            Self::Release { before, after } => {
                let (before, after) = apply_row(tx, before, after, created)?;
                Self::Release { before, after }
            }
            Self::Format { before, after } => {
                let (before, after) = apply_row(tx, before, after, created)?;
                Self::Format { before, after }
            }
            Self::Track { before, after } => {
                let (before, after) = apply_row(tx, before, after, created)?;
                Self::Track { before, after }
            }
            Self::CatalogNumber { before, after } => {
                let (before, after) = apply_row(tx, before, after, created)?;
                Self::CatalogNumber { before, after }
            }
            Self::Label { before, after } => {
                let (before, after) = apply_row(tx, before, after, created)?;
                Self::Label { before, after }
            }
            Self::Milestone { before, after } => {
                let (before, after) = apply_row(tx, before, after, created)?;
                Self::Milestone { before, after }
            }
            Self::LeadTimeProfile { before, after } => {
                let (before, after) = apply_row(tx, before, after, created)?;
                Self::LeadTimeProfile { before, after }
            }
            Self::CostLine { before, after } => {
                let (before, after) = apply_row(tx, before, after, created)?;
                Self::CostLine { before, after }
            }
            Self::SalesImport { before, after } => match (before, after) {
                (_, Some(batch)) => {
                    let id = db::ledger::insert_import(tx, &batch)?;
                    created.push(Created::SalesImport(id));
                    let recorded = if batch.id == id {
                        batch
                    } else {
                        let mut copy = (*batch).clone();
                        copy.id = id;
                        Arc::new(copy)
                    };
                    Self::SalesImport {
                        before: None,
                        after: Some(recorded),
                    }
                }
                (Some(batch), None) => {
                    db::ledger::delete_import(tx, batch.id)?;
                    Self::SalesImport {
                        before: Some(batch),
                        after: None,
                    }
                }
                (None, None) => Self::SalesImport {
                    before: None,
                    after: None,
                },
            },
            Self::ReportMapping { name, after, .. } => {
                let old = db::ledger::report_mapping(tx, &name)?;
                match &after {
                    Some(definition) => db::ledger::save_report_mapping(tx, &name, definition)?,
                    None => db::ledger::delete_report_mapping(tx, &name)?,
                }
                Self::ReportMapping {
                    before: old,
                    after: db::ledger::report_mapping(tx, &name)?,
                    name,
                }
            }
            Self::LedgerMapping { key, after, .. } => {
                let old = db::ledger::get_mapping(tx, &key)?;
                db::ledger::set_mapping(tx, &key, after.as_ref())?;
                Self::LedgerMapping {
                    before: old,
                    after: db::ledger::get_mapping(tx, &key)?,
                    key,
                }
            }
            Self::WholeRelease { before, after } => match (before, after) {
                (_, Some(full)) => {
                    let id = db::releases::restore_full(tx, &full)?;
                    created.push(Created::Release(id));
                    Self::WholeRelease {
                        before: None,
                        after: Some(Box::new(db::releases::load_full(tx, id)?)),
                    }
                }
                (Some(b), None) => {
                    let old = db::releases::delete(tx, b.release.id)?;
                    Self::WholeRelease {
                        before: Some(Box::new(old)),
                        after: None,
                    }
                }
                (None, None) => Self::WholeRelease {
                    before: None,
                    after: None,
                },
            },
            Self::Credits { release, after, .. } => {
                let old = db::releases::artists_of(tx, release)?;
                db::releases::set_artists(tx, release, &after)?;
                Self::Credits {
                    release,
                    before: old,
                    after: db::releases::artists_of(tx, release)?,
                }
            }
            Self::TrackOrder { release, after, .. } => {
                let old: Vec<TrackId> = db::tracks::list_for_release(tx, release)?
                    .iter()
                    .map(|t| t.id)
                    .collect();
                db::tracks::reorder(tx, release, &after)?;
                Self::TrackOrder {
                    release,
                    before: old,
                    after,
                }
            }
            Self::Cover { release, after, .. } => {
                let old = db::covers::get(tx, release)?.map(Box::new);
                match &after {
                    Some(cover) => db::covers::set(tx, release, cover)?,
                    None => db::covers::remove(tx, release)?,
                }
                Self::Cover {
                    release,
                    before: old,
                    after,
                }
            }
        })
    }
}

/// A table row that undo can insert (keeping its id), update, read back and delete.
trait UndoRow: Sized {
    fn load(tx: &Transaction<'_>, row: &Self) -> Result<Self, DbError>;
    /// Inserts the row, returning it with its id and noting what was created.
    fn insert(tx: &Transaction<'_>, row: Self, created: &mut Vec<Created>)
    -> Result<Self, DbError>;
    fn update(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError>;
    fn delete(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError>;
}

/// (None, after) inserts, (before, None) deletes, (before, after) updates; the returned pair
/// holds what the catalog really had before and has after.
fn apply_row<T: UndoRow>(
    tx: &Transaction<'_>,
    before: Option<T>,
    after: Option<T>,
    created: &mut Vec<Created>,
) -> Result<(Option<T>, Option<T>), DbError> {
    Ok(match (before, after) {
        (None, Some(row)) => {
            let row = T::insert(tx, row, created)?;
            (None, Some(T::load(tx, &row)?))
        }
        (Some(_), Some(row)) => {
            let old = T::load(tx, &row)?;
            T::update(tx, &row)?;
            (Some(old), Some(T::load(tx, &row)?))
        }
        (Some(row), None) => {
            let old = T::load(tx, &row)?;
            T::delete(tx, &row)?;
            (Some(old), None)
        }
        (None, None) => (None, None),
    })
}

macro_rules! undo_row {
    ($ty:ty, $module:ident, $created:ident) => {
        impl UndoRow for $ty {
            fn load(tx: &Transaction<'_>, row: &Self) -> Result<Self, DbError> {
                db::$module::get(tx, row.id)
            }
            fn insert(
                tx: &Transaction<'_>,
                mut row: Self,
                created: &mut Vec<Created>,
            ) -> Result<Self, DbError> {
                row.id = db::$module::insert(tx, &row)?;
                created.push(Created::$created(row.id));
                Ok(row)
            }
            fn update(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError> {
                db::$module::update(tx, row)
            }
            fn delete(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError> {
                db::$module::delete(tx, row.id).map(|_| ())
            }
        }
    };
}
undo_row!(Artist, artists, Artist);
undo_row!(Release, releases, Release);
undo_row!(Format, formats, Format);
undo_row!(Track, tracks, Track);
undo_row!(Label, labels, Label);
undo_row!(Milestone, planning, Milestone);

impl UndoRow for LeadTimeProfile {
    fn load(tx: &Transaction<'_>, row: &Self) -> Result<Self, DbError> {
        db::planning::get_profile(tx, row.id)
    }
    fn insert(
        tx: &Transaction<'_>,
        mut row: Self,
        created: &mut Vec<Created>,
    ) -> Result<Self, DbError> {
        row.id = db::planning::insert_profile(tx, &row)?;
        created.push(Created::LeadTimeProfile(row.id));
        Ok(row)
    }
    fn update(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError> {
        db::planning::update_profile(tx, row)
    }
    fn delete(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError> {
        db::planning::delete_profile(tx, row.id)
    }
}

impl UndoRow for CostLine {
    fn load(tx: &Transaction<'_>, row: &Self) -> Result<Self, DbError> {
        db::ledger::get_cost(tx, row.id)
    }
    fn insert(
        tx: &Transaction<'_>,
        mut row: Self,
        created: &mut Vec<Created>,
    ) -> Result<Self, DbError> {
        row.id = db::ledger::insert_cost(tx, &row)?;
        created.push(Created::CostLine(row.id));
        Ok(row)
    }
    fn update(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError> {
        db::ledger::update_cost(tx, row)
    }
    fn delete(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError> {
        db::ledger::delete_cost(tx, row.id)
    }
}

impl UndoRow for CatnoRow {
    fn load(tx: &Transaction<'_>, row: &Self) -> Result<Self, DbError> {
        let catno = db::catnos::list_for_release(tx, row.release)?
            .into_iter()
            .find(|c| c.id == row.catno.id)
            .ok_or(DbError::Missing {
                kind: "catalog number",
                id: row.catno.id.0,
            })?;
        Ok(Self {
            release: row.release,
            catno,
        })
    }
    fn insert(
        tx: &Transaction<'_>,
        mut row: Self,
        created: &mut Vec<Created>,
    ) -> Result<Self, DbError> {
        row.catno.id = db::catnos::insert(tx, row.release, &row.catno)?;
        created.push(Created::CatalogNumber(row.catno.id));
        Ok(row)
    }
    fn update(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError> {
        db::catnos::update(tx, &row.catno)
    }
    fn delete(tx: &Transaction<'_>, row: &Self) -> Result<(), DbError> {
        db::catnos::delete(tx, row.catno.id)
    }
}

/// A user-level edit: what the Edit menu calls it, and its changes in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub label: String,
    pub changes: Vec<Change>,
}

impl Edit {
    #[must_use]
    pub fn new(label: impl Into<String>, changes: Vec<Change>) -> Self {
        Self {
            label: label.into(),
            changes,
        }
    }

    #[must_use]
    pub fn one(label: impl Into<String>, change: Change) -> Self {
        Self::new(label, vec![change])
    }

    /// The edit that undoes this one (inverse changes, last first).
    #[must_use]
    pub fn inverse(&self) -> Self {
        Self {
            label: self.label.clone(),
            changes: self.changes.iter().rev().map(Change::inverse).collect(),
        }
    }
}

/// Applies an edit in one transaction; returns it as recorded and what it created.
///
/// # Errors
/// The first failing change; then nothing of the edit is kept.
pub fn apply(catalog: &mut Catalog, edit: Edit) -> Result<(Edit, Vec<Created>), DbError> {
    let mut created = Vec::new();
    let recorded = catalog.write(|tx| {
        let mut changes = Vec::with_capacity(edit.changes.len());
        for change in edit.changes {
            changes.push(change.apply(tx, &mut created)?);
        }
        Ok(changes)
    })?;
    Ok((
        Edit {
            label: edit.label,
            changes: recorded,
        },
        created,
    ))
}

/// Undo and redo stacks of applied edits.
#[derive(Debug, Default)]
pub struct History {
    done: Vec<Edit>,
    undone: Vec<Edit>,
}

/// How many edits undo remembers.
pub const UNDO_LIMIT: usize = 200;

impl History {
    /// Applies a new edit and remembers it; clears redo.
    ///
    /// # Errors
    /// As [`apply`]; the history is unchanged then.
    pub fn apply(&mut self, catalog: &mut Catalog, edit: Edit) -> Result<Vec<Created>, DbError> {
        let (recorded, created) = apply(catalog, edit)?;
        self.done.push(recorded);
        if self.done.len() > UNDO_LIMIT {
            self.done.remove(0);
        }
        self.undone.clear();
        Ok(created)
    }

    /// Undoes the last edit; returns its label.
    ///
    /// # Errors
    /// As [`apply`]; the edit stays on the undo stack then.
    pub fn undo(&mut self, catalog: &mut Catalog) -> Result<Option<String>, DbError> {
        let Some(edit) = self.done.pop() else {
            return Ok(None);
        };
        match apply(catalog, edit.inverse()) {
            Ok(_) => {
                let label = edit.label.clone();
                self.undone.push(edit);
                Ok(Some(label))
            }
            Err(e) => {
                self.done.push(edit);
                Err(e)
            }
        }
    }

    /// Re-applies the last undone edit; returns its label.
    ///
    /// # Errors
    /// As [`apply`]; the edit stays on the redo stack then.
    pub fn redo(&mut self, catalog: &mut Catalog) -> Result<Option<String>, DbError> {
        let Some(edit) = self.undone.pop() else {
            return Ok(None);
        };
        match apply(catalog, edit.clone()) {
            Ok((recorded, _)) => {
                let label = recorded.label.clone();
                self.done.push(recorded);
                Ok(Some(label))
            }
            Err(e) => {
                self.undone.push(edit);
                Err(e)
            }
        }
    }

    #[must_use]
    pub fn undo_label(&self) -> Option<&str> {
        self.done.last().map(|e| e.label.as_str())
    }

    #[must_use]
    pub fn redo_label(&self) -> Option<&str> {
        self.undone.last().map(|e| e.label.as_str())
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.done.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }

    /// Forgets everything (another catalog was opened).
    pub fn clear(&mut self) {
        self.done.clear();
        self.undone.clear();
    }
}
