//! Reversible catalog edits. Every change the UI makes is an [`Edit`]: a list of row-level
//! changes, each with the row before and after. Applying an edit runs in one transaction and
//! records the real "before" read from the catalog, so undo restores exactly what was there,
//! ids included; redo re-applies the recorded edit.
//!
//! Most edits are a few rows and are applied on the UI thread. A sales import (writing,
//! removing, undoing or redoing a report's lines, 100k+ of them) is applied by the app on a
//! background job with [`apply_on_file`] (its own connection, progress and Cancel through a
//! [`JobControl`]); the history takes the step out with [`History::take_undo`] /
//! [`History::take_redo`] (or a [`Pending::New`]) and gets it back with [`History::finish`].

use std::path::Path;
use std::time::Duration;

use rusqlite::Transaction;

use crate::db::covers::Cover;
use crate::db::ledger::ImportBatch;
use crate::db::releases::ReleaseFull;
use crate::db::{self, Catalog, DbError};
use crate::io::reports::{self, ParsedReport, ReportError};
use crate::jobs::{Cancelled, JobControl};
use crate::model::{
    Artist, ArtistId, CatalogNumberId, Format, FormatId, Label, LabelId, Release, ReleaseArtist,
    ReleaseCatalogNumber, ReleaseId, Track, TrackId,
};
use crate::model::{CostLine, CostLineId, ImportId, MatchMapping};
use crate::model::{Currency, Rate};
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
        before: Option<Arc<ImportBatch>>,
        after: Option<Arc<ImportBatch>>,
    },
    /// A sales report as read, to import: its lines are matched against the catalog inside the
    /// edit's transaction (so mappings made since the preview count) and the edit is recorded
    /// as the [`Change::SalesImport`] that was written. Only ever asked for, never recorded.
    SalesReport {
        report: Arc<ParsedReport>,
        /// Rates that convert other currencies into the home currency.
        rates: Vec<(Currency, Rate)>,
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
    pub fn sales_import(batch: ImportBatch) -> Self {
        Self::SalesImport {
            before: None,
            after: Some(Arc::new(batch)),
        }
    }
    /// Import a report as read: matched and written in the edit's one transaction.
    #[must_use]
    pub fn sales_report(report: ParsedReport, rates: Vec<(Currency, Rate)>) -> Self {
        Self::SalesReport {
            report: Arc::new(report),
            rates,
        }
    }
    /// Remove an import with all its lines (read inside the edit's transaction, for undo).
    #[must_use]
    pub fn remove_sales_import(id: ImportId) -> Self {
        Self::SalesImport {
            before: Some(Arc::new(ImportBatch::only_id(id))),
            after: None,
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
            // Never recorded, so never undone: its inverse changes nothing.
            Self::SalesReport { .. } => Self::SalesImport {
                before: None,
                after: None,
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

    /// True for a change that writes or removes a whole report's lines.
    #[must_use]
    pub fn is_sales_import(&self) -> bool {
        match self {
            Self::SalesImport { before, after } => before.is_some() || after.is_some(),
            Self::SalesReport { .. } => true,
            _ => false,
        }
    }

    /// Applies the change and returns it as recorded: with the catalog's real "before" and the
    /// ids given to inserted rows. Long changes report to `control` and stop when it is
    /// cancelled.
    fn apply(
        self,
        tx: &Transaction<'_>,
        created: &mut Vec<Created>,
        control: &JobControl,
    ) -> Result<Self, EditError> {
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
                (_, Some(batch)) => Self::SalesImport {
                    before: None,
                    after: Some(insert_batch(tx, batch, created, control)?),
                },
                (Some(batch), None) => Self::SalesImport {
                    before: Some(remove_batch(tx, batch, control)?),
                    after: None,
                },
                (None, None) => Self::SalesImport {
                    before: None,
                    after: None,
                },
            },
            Self::SalesReport { report, rates } => {
                let batch = reports::prepare_with(tx, &report, &rates, control)?;
                control.check()?;
                Self::SalesImport {
                    before: None,
                    after: Some(insert_batch(tx, Arc::new(batch), created, control)?),
                }
            }
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

/// How many income lines are written or removed between two looks at the job's control.
const LINE_SLICE: usize = 2000;

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Writes an import and its lines a slice at a time; returns it as recorded (with its id).
fn insert_batch(
    tx: &Transaction<'_>,
    batch: Arc<ImportBatch>,
    created: &mut Vec<Created>,
    control: &JobControl,
) -> Result<Arc<ImportBatch>, EditError> {
    control.set_stage(&format!("Writing {} lines", batch.lines.len()));
    control.set_done(0);
    control.set_total(count(batch.lines.len()));
    let id = db::ledger::insert_import_head(tx, &batch)?;
    for slice in batch.lines.chunks(LINE_SLICE) {
        control.check()?;
        db::ledger::insert_lines(tx, id, slice)?;
        control.advance(count(slice.len()));
    }
    created.push(Created::SalesImport(id));
    Ok(if batch.id == id {
        batch
    } else {
        // A new import: the history keeps the one copy of its lines, with the id it got.
        let mut recorded = Arc::unwrap_or_clone(batch);
        recorded.id = id;
        Arc::new(recorded)
    })
}

/// Removes an import and its lines a slice at a time; returns it as it was (read first when
/// only its id was given), for undo.
fn remove_batch(
    tx: &Transaction<'_>,
    batch: Arc<ImportBatch>,
    control: &JobControl,
) -> Result<Arc<ImportBatch>, EditError> {
    let batch = if batch.is_only_id() {
        control.set_stage("Reading the import");
        Arc::new(db::ledger::load_import(tx, batch.id)?)
    } else {
        batch
    };
    db::ledger::check_import_removable(tx, batch.id)?;
    control.set_stage(&format!("Removing {} lines", batch.lines.len()));
    control.set_done(0);
    control.set_total(count(batch.lines.len()));
    let slice = u32::try_from(LINE_SLICE).unwrap_or(u32::MAX);
    loop {
        control.check()?;
        let removed = db::ledger::delete_some_lines(tx, batch.id, slice)?;
        if removed == 0 {
            break;
        }
        control.advance(count(removed));
    }
    db::ledger::delete_import(tx, batch.id)?;
    Ok(batch)
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

    /// True when the edit writes or removes a whole sales report's lines: the app applies
    /// such an edit (and its undo and redo) on a background job.
    #[must_use]
    pub fn is_sales_import(&self) -> bool {
        self.changes.iter().any(Change::is_sales_import)
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

/// Why an edit was not applied; nothing of it was kept.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Db(#[from] DbError),
    /// Refused for a reason the message gives (a report whose amounts add up past what the
    /// ledger holds names its file).
    #[error("{0}")]
    Refused(String),
    /// The user pressed Cancel while it was being written.
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
}

impl From<ReportError> for EditError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Db(e) => Self::Db(e),
            ReportError::Cancelled(c) => Self::Cancelled(c),
            other => Self::Refused(other.to_string()),
        }
    }
}

/// Applies an edit in one transaction; returns it as recorded and what it created.
///
/// # Errors
/// The first failing change; then nothing of the edit is kept.
pub fn apply(catalog: &mut Catalog, edit: Edit) -> Result<(Edit, Vec<Created>), EditError> {
    apply_with(catalog, edit, &JobControl::default())
}

/// [`apply`] reporting progress to `control`; a cancel before the commit rolls everything
/// back.
///
/// # Errors
/// As [`apply`], and [`EditError::Cancelled`].
pub fn apply_with(
    catalog: &mut Catalog,
    edit: Edit,
    control: &JobControl,
) -> Result<(Edit, Vec<Created>), EditError> {
    let mut created = Vec::new();
    let tx = catalog.transaction()?;
    let mut changes = Vec::with_capacity(edit.changes.len());
    for change in edit.changes {
        changes.push(change.apply(&tx, &mut created, control)?);
    }
    // The last moment a cancel still changes nothing; dropping `tx` rolls back.
    control.check()?;
    control.set_stage("Saving");
    tx.commit().map_err(DbError::from)?;
    Ok((
        Edit {
            label: edit.label,
            changes,
        },
        created,
    ))
}

/// How long a background edit waits for another writer (an import job) to finish.
const WRITER_WAIT: Duration = Duration::from_mins(1);

/// [`apply_with`] on a connection of its own to the catalog file at `path`: how the app
/// applies a sales import (or its undo, redo or removal) on a background job. The edit is
/// committed when this returns `Ok`.
///
/// # Errors
/// The catalog cannot be opened, or as [`apply_with`].
pub fn apply_on_file(
    path: &Path,
    edit: Edit,
    control: &JobControl,
) -> Result<(Edit, Vec<Created>), EditError> {
    control.set_stage("Opening the catalog");
    let mut catalog = Catalog::open(path)?;
    catalog
        .conn()
        .busy_timeout(WRITER_WAIT)
        .map_err(DbError::from)?;
    apply_with(&mut catalog, edit, control)
}

/// A step of the history being applied elsewhere (on a background job). The history does not
/// hold it meanwhile; [`History::finish`] puts it back, applied or not.
#[derive(Debug)]
pub enum Pending {
    /// A new edit.
    New { label: String },
    /// The last edit, being undone (its inverse is being applied).
    Undo(Edit),
    /// The last undone edit, being redone.
    Redo(Edit),
}

impl Pending {
    /// The edit's label, as the Edit menu shows it.
    #[must_use]
    pub fn label(&self) -> &str {
        match self {
            Self::New { label } => label,
            Self::Undo(edit) | Self::Redo(edit) => &edit.label,
        }
    }
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
    pub fn apply(&mut self, catalog: &mut Catalog, edit: Edit) -> Result<Vec<Created>, EditError> {
        let (recorded, created) = apply(catalog, edit)?;
        self.record(recorded);
        Ok(created)
    }

    /// Remembers an applied new edit; clears redo.
    fn record(&mut self, recorded: Edit) {
        self.done.push(recorded);
        if self.done.len() > UNDO_LIMIT {
            self.done.remove(0);
        }
        self.undone.clear();
    }

    /// Undoes the last edit; returns its label.
    ///
    /// # Errors
    /// As [`apply`]; the edit stays on the undo stack then.
    pub fn undo(&mut self, catalog: &mut Catalog) -> Result<Option<String>, EditError> {
        let Some((pending, inverse)) = self.take_undo() else {
            return Ok(None);
        };
        self.apply_pending(catalog, pending, inverse)
    }

    /// Re-applies the last undone edit; returns its label.
    ///
    /// # Errors
    /// As [`apply`]; the edit stays on the redo stack then.
    pub fn redo(&mut self, catalog: &mut Catalog) -> Result<Option<String>, EditError> {
        let Some((pending, edit)) = self.take_redo() else {
            return Ok(None);
        };
        self.apply_pending(catalog, pending, edit)
    }

    fn apply_pending(
        &mut self,
        catalog: &mut Catalog,
        pending: Pending,
        edit: Edit,
    ) -> Result<Option<String>, EditError> {
        let label = pending.label().to_owned();
        match apply(catalog, edit) {
            Ok((recorded, _)) => {
                self.finish(pending, Some(recorded));
                Ok(Some(label))
            }
            Err(e) => {
                self.finish(pending, None);
                Err(e)
            }
        }
    }

    /// Takes the last edit off the undo stack to undo it elsewhere: returns it as pending and
    /// the edit to apply (its inverse). Hand the outcome to [`History::finish`].
    pub fn take_undo(&mut self) -> Option<(Pending, Edit)> {
        let edit = self.done.pop()?;
        let inverse = edit.inverse();
        Some((Pending::Undo(edit), inverse))
    }

    /// Takes the last undone edit off the redo stack to redo it elsewhere: returns it as
    /// pending and the edit to apply. Hand the outcome to [`History::finish`].
    pub fn take_redo(&mut self) -> Option<(Pending, Edit)> {
        let edit = self.undone.pop()?;
        let again = edit.clone();
        Some((Pending::Redo(edit), again))
    }

    /// Puts a pending step back: `applied` is the edit as recorded when it was committed,
    /// `None` when it was not (failed or cancelled: the history is as before the step).
    pub fn finish(&mut self, pending: Pending, applied: Option<Edit>) {
        match (pending, applied) {
            (Pending::New { .. }, Some(recorded)) => self.record(recorded),
            (Pending::New { .. }, None) => {}
            (Pending::Undo(edit), Some(_)) | (Pending::Redo(edit), None) => self.undone.push(edit),
            (Pending::Undo(edit), None) => self.done.push(edit),
            (Pending::Redo(_), Some(recorded)) => self.done.push(recorded),
        }
    }

    /// The edit the next undo would undo.
    #[must_use]
    pub fn next_undo(&self) -> Option<&Edit> {
        self.done.last()
    }

    /// The edit the next redo would redo.
    #[must_use]
    pub fn next_redo(&self) -> Option<&Edit> {
        self.undone.last()
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
