//! The Planning panel: a timeline of the coming twelve months (one row per release, its
//! milestones as marks, a line for today; zoom and scroll sideways), the agenda of open
//! milestones (overdue, this week, next 30 days) with one-click done, and the plan of the
//! selected release: generate it from the release date and formats, edit it by hand, see which
//! formats cannot make the date and the earliest date they can, shift it when the release date
//! moved, and export it as an iCalendar file. A second view edits the lead-time profiles.
//!
//! Reads go through `crate::db::planning`; every change is a [`Command`] for the app. Dates are
//! chrono types, typed as `YYYY-MM-DD`. The release status is only ever suggested.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use egui::{Align, Align2, FontId, Layout, RichText, Sense, Stroke, Ui, pos2, vec2};

use super::widgets::{self, Answer};
use super::{PanelCtx, theme};
use crate::command::{Command, Target};
use crate::db::DbError;
use crate::db::planning::{self, MilestoneRow, PlanRelease, ReleaseChoice};
use crate::model::plan::{
    self, AgendaBucket, Anchor, LeadTimeProfile, Milestone, MilestoneStatus, MilestoneTemplate,
    ProfileId, StatusSuggestion,
};
use crate::model::{ArtistId, FormatKind, Release, ReleaseId, ReleaseStatus, parse_date};
use crate::undo::{Change, Edit};

/// Width of the release names left of the timeline.
const LABEL_WIDTH: f32 = 220.0;
/// Height of one timeline row.
const ROW: f32 = 22.0;
/// Height of the month ruler above the timeline rows.
const RULER: f32 = 20.0;
/// Timeline zoom, in points per day.
const ZOOM_MIN: f32 = 1.0;
const ZOOM_MAX: f32 = 16.0;
const ZOOM_DEFAULT: f32 = 3.0;
/// Days shown before today (recently overdue work stays in view).
const DAYS_BEFORE_TODAY: u64 = 14;
/// Days shown after today.
const DAYS_AFTER_TODAY: u64 = 365;
/// Most releases on the timeline, milestones in the agenda, choices in the release picker.
const LIST_LIMIT: usize = 300;

/// What the panel remembers between runs (UI state only, never catalog data).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PlanningState {
    pub artist: Option<ArtistId>,
    pub selected: Option<ReleaseId>,
    /// Timeline zoom, points per day.
    pub zoom: f32,
    /// Where the last calendar export went.
    pub export_path: String,
    /// Export only the selected release (else every plan).
    pub export_selected_only: bool,
}

impl Default for PlanningState {
    fn default() -> Self {
        Self {
            artist: None,
            selected: None,
            zoom: ZOOM_DEFAULT,
            export_path: String::new(),
            export_selected_only: false,
        }
    }
}

/// Which view the panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum View {
    #[default]
    Plans,
    LeadTimes,
}

/// The timeline, agenda and pickers as last read.
struct Lists {
    key: (u64, Option<ArtistId>, NaiveDate),
    timeline: Vec<PlanRelease>,
    agenda: Vec<MilestoneRow>,
    choices: Vec<ReleaseChoice>,
    artists: Vec<(ArtistId, String)>,
    profiles: Vec<LeadTimeProfile>,
}

/// What the user is typing in one row of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RowDraft {
    saved: Milestone,
    name: String,
    due: String,
    owner: String,
    notes: String,
    /// Why the row cannot be saved, if it cannot.
    error: Option<String>,
}

impl RowDraft {
    fn new(saved: Milestone) -> Self {
        Self {
            name: saved.name.clone(),
            due: saved.due.to_string(),
            owner: saved.owner.clone(),
            notes: saved.notes.clone(),
            saved,
            error: None,
        }
    }

    fn is_dirty(&self) -> bool {
        self.name.trim() != self.saved.name
            || self.due.trim() != self.saved.due.to_string()
            || self.owner.trim() != self.saved.owner
            || self.notes.trim() != self.saved.notes
    }

    /// The milestone the row describes, or why it cannot be saved.
    fn milestone(&self, release_date: Option<NaiveDate>) -> Result<Milestone, String> {
        let due = parse_date(&self.due).map_err(|e| e.to_string())?;
        let m = Milestone {
            name: self.name.clone(),
            due,
            owner: self.owner.clone(),
            notes: self.notes.clone(),
            ..self.saved.clone()
        }
        .normalized();
        m.validate()
            .map_err(|e| widgets::capitalized(&e.to_string()))?;
        m.check_due(release_date).map_err(|e| e.to_string())?;
        Ok(m)
    }
}

/// A milestone being added by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct NewMilestone {
    name: String,
    due: String,
    format: Option<FormatKind>,
    error: Option<String>,
    /// Focus the name on the next frame (Ctrl+N).
    focus: bool,
}

/// The selected release as last read, with the drafts of its plan.
struct Page {
    id: ReleaseId,
    key: (u64, NaiveDate),
    release: Release,
    plan: PlanRelease,
    rows: Vec<RowDraft>,
    /// A refusal or problem to show above the plan ("… has no release date").
    message: Option<String>,
}

/// One milestone row of a profile being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TemplateDraft {
    name: String,
    /// `None`: days before release day; `Some(i)`: days after milestone `i`.
    after: Option<usize>,
    days: String,
}

/// A profile being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProfileDraft {
    saved: LeadTimeProfile,
    manufacturer: String,
    rows: Vec<TemplateDraft>,
    error: Option<String>,
}

impl ProfileDraft {
    fn new(saved: LeadTimeProfile) -> Self {
        let names: Vec<String> = saved
            .milestones
            .iter()
            .map(|m| m.name.to_lowercase())
            .collect();
        let rows = saved
            .milestones
            .iter()
            .map(|m| TemplateDraft {
                name: m.name.clone(),
                after: match &m.anchor {
                    Anchor::BeforeRelease { .. } => None,
                    Anchor::After { milestone, .. } => {
                        names.iter().position(|n| *n == milestone.to_lowercase())
                    }
                },
                days: m.anchor.days().to_string(),
            })
            .collect();
        Self {
            manufacturer: saved.manufacturer.clone(),
            saved,
            rows,
            error: None,
        }
    }

    /// The profile the rows describe, checked, or why it cannot be saved.
    fn profile(&self) -> Result<LeadTimeProfile, String> {
        let mut milestones = Vec::with_capacity(self.rows.len());
        for (i, row) in self.rows.iter().enumerate() {
            let days: u32 = row.days.trim().parse().map_err(|_| {
                format!(
                    "“{}” for {}: type a number of days from 0 to {}",
                    row.days.trim(),
                    label_or_position(&row.name, i),
                    plan::MAX_OFFSET_DAYS
                )
            })?;
            let anchor = match row.after.and_then(|a| self.rows.get(a)) {
                None => Anchor::BeforeRelease { days },
                Some(other) => Anchor::After {
                    milestone: other.name.trim().to_owned(),
                    days,
                },
            };
            milestones.push(MilestoneTemplate {
                name: row.name.trim().to_owned(),
                anchor,
            });
        }
        let profile = LeadTimeProfile {
            manufacturer: self.manufacturer.trim().to_owned(),
            milestones,
            ..self.saved.clone()
        };
        profile
            .validate()
            .map_err(|e| widgets::capitalized(&e.to_string()))?;
        Ok(profile)
    }

    fn remove(&mut self, index: usize) {
        if index >= self.rows.len() {
            return;
        }
        self.rows.remove(index);
        for row in &mut self.rows {
            row.after = match row.after {
                Some(a) if a == index => None,
                Some(a) if a > index => Some(a - 1),
                other => other,
            };
        }
    }
}

fn label_or_position(name: &str, index: usize) -> String {
    let name = name.trim();
    if name.is_empty() {
        format!("milestone {}", index + 1)
    } else {
        format!("“{name}”")
    }
}

/// What the profile view remembers.
#[derive(Default)]
struct LeadTimes {
    selected: Option<ProfileId>,
    draft: Option<ProfileDraft>,
    new_kind: Option<FormatKind>,
    new_manufacturer: String,
    /// Select this (kind, manufacturer) once it appears (after creating it).
    select_when_listed: Option<(Option<FormatKind>, String)>,
    error: Option<String>,
}

/// A background job of the calendar export.
enum ExportJob {
    /// The system save dialog is open.
    Dialog(Receiver<Option<PathBuf>>),
    /// The file is being written.
    Write(Receiver<Result<String, String>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialog {
    /// Remove every milestone of this release.
    RemovePlan(ReleaseId),
}

/// The Planning panel.
pub struct PlanningPanel {
    artist: Option<ArtistId>,
    selected: Option<ReleaseId>,
    zoom: f32,
    export_path: String,
    export_selected_only: bool,
    view: View,
    /// "Today" for tests and demos; the system date otherwise.
    today: Option<NaiveDate>,
    lists: Option<Lists>,
    page: Option<Page>,
    new_milestone: NewMilestone,
    /// A pressing plant chosen per format kind for "Plan this release".
    manufacturers: HashMap<FormatKind, String>,
    lead_times: LeadTimes,
    export_job: Option<ExportJob>,
    /// The outcome of the last export, shown beside its button.
    export_message: Option<(String, bool)>,
    dialog: Option<Dialog>,
    /// Scroll the timeline to today on the next frame.
    scroll_to_today: bool,
    typing: bool,
}

impl Default for PlanningPanel {
    fn default() -> Self {
        Self::restore(PlanningState::default())
    }
}

impl PlanningPanel {
    /// The panel as it was left last time.
    #[must_use]
    pub fn restore(state: PlanningState) -> Self {
        Self {
            artist: state.artist,
            selected: state.selected,
            zoom: state.zoom.clamp(ZOOM_MIN, ZOOM_MAX),
            export_path: state.export_path,
            export_selected_only: state.export_selected_only,
            view: View::Plans,
            today: None,
            lists: None,
            page: None,
            new_milestone: NewMilestone::default(),
            manufacturers: HashMap::new(),
            lead_times: LeadTimes::default(),
            export_job: None,
            export_message: None,
            dialog: None,
            scroll_to_today: true,
            typing: false,
        }
    }

    /// What to remember for next time.
    #[must_use]
    pub fn state(&self) -> PlanningState {
        PlanningState {
            artist: self.artist,
            selected: self.selected,
            zoom: self.zoom,
            export_path: self.export_path.clone(),
            export_selected_only: self.export_selected_only,
        }
    }

    /// Plans as if today were `today` (tests, demos); the system date otherwise.
    pub fn set_today(&mut self, today: NaiveDate) {
        self.today = Some(today);
    }

    fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// Shows a release's plan (from search, a link, or the Catalog panel).
    pub fn open(&mut self, release: ReleaseId) {
        self.selected = Some(release);
        self.view = View::Plans;
        self.dialog = None;
    }

    /// Ctrl+N: puts the cursor in the new milestone's name (a release must be selected).
    pub fn new_item(&mut self, ctx: &mut PanelCtx<'_>) {
        if self.selected.is_some() {
            self.view = View::Plans;
            self.new_milestone.focus = true;
        } else {
            ctx.send(Command::Notify(
                "Select a release first: its plan gets the new milestone".to_owned(),
            ));
        }
    }

    /// Delete: asks to remove the selected release's whole plan (undoable).
    pub fn request_delete(&mut self) {
        if self.dialog.is_none()
            && self.view == View::Plans
            && let Some(page) = &self.page
            && !page.plan.milestones.is_empty()
        {
            self.dialog = Some(Dialog::RemovePlan(page.id));
        }
    }

    /// Escape: closes the dialog, else leaves the lead-time view, else deselects. False while
    /// a text field has the keyboard (Escape only leaves the field then).
    pub fn close(&mut self) -> bool {
        if self.dialog.take().is_some() {
            true
        } else if self.typing {
            false
        } else if self.view == View::LeadTimes {
            self.view = View::Plans;
            true
        } else {
            self.selected.take().is_some()
        }
    }

    /// Saves the pending drafts that are valid; invalid ones are dropped with a notice.
    pub fn flush(&mut self, ctx: &mut PanelCtx<'_>) {
        self.commit_rows(ctx, true);
    }

    /// Draws the whole panel.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let today = self.today();
        self.poll_export(ui.ctx(), ctx);
        self.refresh_lists(ctx, today);
        self.refresh_page(ctx, today);

        egui::Panel::top("planning_header").show(ui, |ui| self.header_ui(ui, ctx));
        match self.view {
            View::Plans => {
                egui::Panel::top("planning_timeline")
                    .resizable(true)
                    .default_size(240.0)
                    .size_range(120.0..=600.0)
                    .show(ui, |ui| self.timeline_ui(ui, today));
                egui::Panel::left("planning_agenda")
                    .resizable(true)
                    .default_size(380.0)
                    .size_range(260.0..=640.0)
                    .show(ui, |ui| self.agenda_ui(ui, ctx, today));
                // A release picked in the timeline or agenda shows in this same frame.
                self.refresh_page(ctx, today);
                egui::CentralPanel::default()
                    .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(12, 8)))
                    .show(ui, |ui| self.page_ui(ui, ctx, today));
            }
            View::LeadTimes => {
                egui::CentralPanel::default()
                    .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(12, 8)))
                    .show(ui, |ui| self.lead_times_ui(ui, ctx));
            }
        }
        self.dialog_ui(ui.ctx(), ctx, today);

        self.typing = ui.ctx().text_edit_focused();
        if !ctx.commands.is_empty() || self.is_stale(ctx.revision, today) {
            ui.ctx().request_repaint();
        }
    }

    fn is_stale(&self, revision: u64, today: NaiveDate) -> bool {
        let lists = self
            .lists
            .as_ref()
            .is_none_or(|l| l.key != (revision, self.artist, today));
        let page = match (&self.page, self.selected) {
            (Some(p), Some(id)) => p.id != id || p.key != (revision, today),
            (Some(_), None) => true,
            _ => false,
        };
        lists || page
    }

    fn refresh_lists(&mut self, ctx: &mut PanelCtx<'_>, today: NaiveDate) {
        let key = (ctx.revision, self.artist, today);
        if self.lists.as_ref().is_some_and(|l| l.key == key) {
            return;
        }
        let conn = ctx.catalog.conn();
        let from = today
            .checked_sub_days(chrono::Days::new(DAYS_BEFORE_TODAY))
            .unwrap_or(today);
        let to = today
            .checked_add_days(chrono::Days::new(DAYS_AFTER_TODAY))
            .unwrap_or(today);
        let until = today
            .checked_add_days(chrono::Days::new(30))
            .unwrap_or(today);
        let loaded = (|| {
            Ok::<_, DbError>(Lists {
                key,
                timeline: planning::timeline(conn, from, to, self.artist, LIST_LIMIT)?,
                agenda: planning::open_due_by(conn, until, self.artist, LIST_LIMIT)?,
                choices: planning::planning_choices(conn, from, self.artist, LIST_LIMIT)?,
                artists: crate::db::artists::names(conn)?,
                profiles: planning::list_profiles(conn)?,
            })
        })();
        let lists = ctx.report(loaded).unwrap_or(Lists {
            key,
            timeline: Vec::new(),
            agenda: Vec::new(),
            choices: Vec::new(),
            artists: Vec::new(),
            profiles: Vec::new(),
        });
        self.lists = Some(lists);
    }

    /// Re-reads the selected release when the selection, the catalog or the day changed;
    /// drafts being typed survive when they are valid and still differ from the catalog.
    fn refresh_page(&mut self, ctx: &mut PanelCtx<'_>, today: NaiveDate) {
        let Some(id) = self.selected else {
            if self.page.is_some() {
                self.flush(ctx);
                self.page = None;
            }
            return;
        };
        let key = (ctx.revision, today);
        if let Some(page) = &self.page {
            if page.id == id && page.key == key {
                return;
            }
            if page.id != id {
                self.flush(ctx);
                self.page = None;
                self.new_milestone = NewMilestone::default();
            }
        }
        let conn = ctx.catalog.conn();
        let loaded = crate::db::releases::get(conn, id)
            .and_then(|release| Ok((release, planning::load_release(conn, id)?)));
        let (release, plan) = match loaded {
            Ok(loaded) => loaded,
            Err(DbError::Missing { .. }) => {
                self.selected = None;
                self.page = None;
                return;
            }
            Err(error) => {
                ctx.report::<()>(Err(error));
                self.selected = None;
                self.page = None;
                return;
            }
        };
        let old = self.page.take().filter(|p| p.id == id);
        let rows = plan
            .milestones
            .iter()
            .map(|m| {
                let kept = old.as_ref().and_then(|old| {
                    old.rows
                        .iter()
                        .find(|r| r.saved.id == m.id && r.error.is_none() && r.is_dirty())
                });
                match kept {
                    Some(draft) => {
                        let mut draft = draft.clone();
                        draft.saved = m.clone();
                        if draft.is_dirty() {
                            draft
                        } else {
                            RowDraft::new(m.clone())
                        }
                    }
                    None => RowDraft::new(m.clone()),
                }
            })
            .collect();
        let message = old.and_then(|p| p.message);
        self.page = Some(Page {
            id,
            key,
            release,
            plan,
            rows,
            message,
        });
    }

    /// Sends every changed, valid row to be saved. Invalid rows keep their error on screen,
    /// unless `leaving`: then they are dropped and the user told why.
    fn commit_rows(&mut self, ctx: &mut PanelCtx<'_>, leaving: bool) {
        let Some(page) = &mut self.page else { return };
        let release_date = page.release.release_date;
        let mut changes = Vec::new();
        for row in &mut page.rows {
            if !row.is_dirty() {
                row.error = None;
                continue;
            }
            match row.milestone(release_date) {
                Ok(m) => {
                    row.error = None;
                    if m != row.saved {
                        changes.push(Change::milestone(Some(row.saved.clone()), Some(m)));
                    }
                }
                Err(error) if leaving => {
                    ctx.send(Command::Notify(format!("Not saved: {error}")));
                    *row = RowDraft::new(row.saved.clone());
                }
                Err(error) => row.error = Some(error),
            }
        }
        if !changes.is_empty() {
            ctx.send(Command::Edit(Edit::new("Edit milestone", changes)));
        }
    }

    fn header_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.heading("Planning");
            ui.add_space(12.0);
            ui.selectable_value(&mut self.view, View::Plans, "Plans");
            ui.selectable_value(&mut self.view, View::LeadTimes, "Lead times");
            ui.add_space(12.0);
            if self.view == View::Plans {
                let artists = self
                    .lists
                    .as_ref()
                    .map(|l| l.artists.clone())
                    .unwrap_or_default();
                let ids: Vec<ArtistId> = artists.iter().map(|(id, _)| *id).collect();
                widgets::optional_choice_ui(
                    ui,
                    "Artist filter",
                    "All artists",
                    &mut self.artist,
                    &ids,
                    |id| {
                        artists
                            .iter()
                            .find(|(a, _)| *a == id)
                            .map_or_else(String::new, |(_, name)| name.clone())
                    },
                );
            }
        });
        if self.view == View::Plans {
            ui.horizontal(|ui| self.export_ui(ui, ctx));
        }
        ui.add_space(4.0);
    }

    fn export_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let label = ui.label("Calendar file");
        ui.add(
            egui::TextEdit::singleline(&mut self.export_path)
                .hint_text("e.g. /home/me/release-plan.ics")
                .desired_width(280.0),
        )
        .labelled_by(label.id);
        let busy = self.export_job.is_some();
        if ui
            .add_enabled(!busy, egui::Button::new("Choose…"))
            .on_hover_text("Pick where to save the .ics file")
            .clicked()
        {
            self.choose_export_file(ctx);
        }
        ui.checkbox(&mut self.export_selected_only, "Only the selected release");
        if ui
            .add_enabled(!busy, egui::Button::new("Export .ics"))
            .on_hover_text(
                "Write the milestones as all-day calendar events; importing a newer export updates them",
            )
            .clicked()
        {
            self.start_export(ctx);
        }
        if busy {
            ui.spinner();
        }
        if let Some((message, error)) = &self.export_message {
            let color = if *error {
                theme::error_color(ui)
            } else {
                theme::weak_color(ui)
            };
            ui.label(RichText::new(message).color(color));
        }
    }

    /// Opens the system save dialog on its own thread, so the window keeps drawing.
    fn choose_export_file(&mut self, ctx: &mut PanelCtx<'_>) {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("ics-file-dialog".to_owned())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .add_filter("iCalendar", &["ics"])
                    .set_file_name("release-plan.ics")
                    .save_file();
                let _ = tx.send(picked);
            });
        match spawned {
            Ok(_) => self.export_job = Some(ExportJob::Dialog(rx)),
            Err(e) => ctx.send(Command::Error(format!(
                "Could not open the file dialog: {e}"
            ))),
        }
    }

    /// Builds the calendar text now (a quick read) and writes the file on a named thread.
    fn start_export(&mut self, ctx: &mut PanelCtx<'_>) {
        let path = self.export_path.trim().to_owned();
        if path.is_empty() {
            self.export_message = Some((
                "Type where to save the .ics file, or choose it".to_owned(),
                true,
            ));
            return;
        }
        let release = if self.export_selected_only {
            let Some(id) = self.selected else {
                self.export_message = Some((
                    "Select a release to export, or untick Only the selected release".to_owned(),
                    true,
                ));
                return;
            };
            Some(id)
        } else {
            None
        };
        let text = match crate::io::ics::export(ctx.catalog.conn(), release, chrono::Utc::now()) {
            Ok((text, count)) => (text, count),
            Err(e) => {
                self.export_message = Some((format!("Not exported: {e}"), true));
                return;
            }
        };
        let (text, count) = text;
        let (tx, rx) = channel();
        let target = PathBuf::from(&path);
        let spawned = std::thread::Builder::new()
            .name("ics-export".to_owned())
            .spawn(move || {
                let result = crate::io::ics::write_file(&target, &text)
                    .map(|()| {
                        let what = if count == 1 {
                            "1 milestone".to_owned()
                        } else {
                            format!("{count} milestones")
                        };
                        format!("Exported {what} to {}", target.display())
                    })
                    .map_err(|e| e.to_string());
                let _ = tx.send(result);
            });
        match spawned {
            Ok(_) => {
                self.export_job = Some(ExportJob::Write(rx));
                self.export_message = None;
            }
            Err(e) => self.export_message = Some((format!("Not exported: {e}"), true)),
        }
    }

    fn poll_export(&mut self, egui_ctx: &egui::Context, ctx: &mut PanelCtx<'_>) {
        let Some(job) = &self.export_job else { return };
        match job {
            ExportJob::Dialog(rx) => match rx.try_recv() {
                Ok(Some(path)) => {
                    self.export_job = None;
                    self.export_path = path.display().to_string();
                }
                Ok(None) => {
                    self.export_job = None;
                    ctx.send(Command::Notify(
                        "No file chosen. If no dialog appeared, type the path under Calendar file."
                            .to_owned(),
                    ));
                }
                Err(TryRecvError::Empty) => {
                    egui_ctx.request_repaint_after(Duration::from_millis(100));
                }
                Err(TryRecvError::Disconnected) => self.export_job = None,
            },
            ExportJob::Write(rx) => match rx.try_recv() {
                Ok(Ok(message)) => {
                    self.export_job = None;
                    ctx.send(Command::Notify(message.clone()));
                    self.export_message = Some((message, false));
                }
                Ok(Err(message)) => {
                    self.export_job = None;
                    ctx.send(Command::Error(message.clone()));
                    self.export_message = Some((message, true));
                }
                Err(TryRecvError::Empty) => {
                    egui_ctx.request_repaint_after(Duration::from_millis(30));
                }
                Err(TryRecvError::Disconnected) => self.export_job = None,
            },
        }
    }

    // -----------------------------------------------------------------------------------------
    // Timeline

    fn timeline_ui(&mut self, ui: &mut Ui, today: NaiveDate) {
        let Some(lists) = &self.lists else { return };
        let count = lists.timeline.len();
        ui.horizontal(|ui| {
            ui.strong("Timeline");
            widgets::hint_ui(
                ui,
                &format!(
                    "{} in the next 12 months",
                    crate::db::artists::plural(count as u64, "release")
                ),
            );
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui
                    .add_enabled(self.zoom < ZOOM_MAX, egui::Button::new("Zoom in"))
                    .on_hover_text("Show fewer days, wider")
                    .clicked()
                {
                    self.zoom = (self.zoom * 1.5).min(ZOOM_MAX);
                }
                if ui
                    .add_enabled(self.zoom > ZOOM_MIN, egui::Button::new("Zoom out"))
                    .on_hover_text("Show more days, narrower")
                    .clicked()
                {
                    self.zoom = (self.zoom / 1.5).max(ZOOM_MIN);
                }
                if ui
                    .button("Today")
                    .on_hover_text("Scroll the timeline to today")
                    .clicked()
                {
                    self.scroll_to_today = true;
                }
            });
        });
        if count == 0 {
            ui.add_space(theme::SECTION_GAP);
            widgets::hint_ui(
                ui,
                "No release is dated or planned in the next 12 months. Give a release a date in the Catalog panel, then plan it here.",
            );
            return;
        }
        let start = today
            .checked_sub_days(chrono::Days::new(DAYS_BEFORE_TODAY))
            .unwrap_or(today);
        let days = DAYS_BEFORE_TODAY + DAYS_AFTER_TODAY + 1;
        let zoom = self.zoom;
        let mut clicked: Option<ReleaseId> = None;
        let scroll_to_today = std::mem::take(&mut self.scroll_to_today);
        egui::ScrollArea::vertical()
            .id_salt("planning_timeline_rows")
            .auto_shrink([false, true])
            .show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    // Release names: clickable, aligned with the painted rows.
                    ui.vertical(|ui| {
                        ui.spacing_mut().item_spacing.y = 0.0;
                        ui.allocate_exact_size(vec2(LABEL_WIDTH, RULER), Sense::hover());
                        for release in &lists.timeline {
                            let selected = self.selected == Some(release.id);
                            let response = ui
                                .allocate_ui_with_layout(
                                    vec2(LABEL_WIDTH, ROW),
                                    Layout::left_to_right(Align::Center),
                                    |ui| {
                                        ui.set_min_size(vec2(LABEL_WIDTH, ROW));
                                        ui.add(
                                            egui::Button::selectable(selected, release.label())
                                                .truncate(),
                                        )
                                    },
                                )
                                .inner
                                .on_hover_text(timeline_hover(release));
                            if response.clicked() {
                                clicked = Some(release.id);
                            }
                        }
                    });
                    let mut scroll = egui::ScrollArea::horizontal()
                        .id_salt("planning_timeline_days")
                        .auto_shrink([false, true]);
                    if scroll_to_today {
                        let x = (DAYS_BEFORE_TODAY as f32 * zoom - 40.0).max(0.0);
                        scroll = scroll.horizontal_scroll_offset(x);
                    }
                    scroll.show(ui, |ui| {
                        let view = TimelineView {
                            start,
                            days,
                            zoom,
                            today,
                            selected: self.selected,
                        };
                        if let Some(id) = paint_timeline_ui(ui, &lists.timeline, &view) {
                            clicked = Some(id);
                        }
                    });
                });
            });
        if let Some(id) = clicked
            && self.selected != Some(id)
        {
            self.selected = Some(id);
            self.dialog = None;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Agenda

    fn agenda_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>, today: NaiveDate) {
        let Some(lists) = &self.lists else { return };
        ui.add_space(4.0);
        ui.strong("Agenda");
        ui.add_space(4.0);
        let mut done: Option<Milestone> = None;
        let mut open: Option<ReleaseId> = None;
        egui::ScrollArea::vertical()
            .id_salt("planning_agenda")
            .auto_shrink(false)
            .show(ui, |ui| {
                for &bucket in AgendaBucket::ALL {
                    let items: Vec<&MilestoneRow> = lists
                        .agenda
                        .iter()
                        .filter(|r| AgendaBucket::of(r.milestone.due, today) == Some(bucket))
                        .collect();
                    ui.horizontal(|ui| {
                        let heading = RichText::new(bucket.label()).strong();
                        let heading = if bucket == AgendaBucket::Overdue && !items.is_empty() {
                            heading.color(theme::error_color(ui))
                        } else {
                            heading
                        };
                        ui.label(heading);
                        widgets::hint_ui(ui, &format!("({})", items.len()));
                    });
                    if items.is_empty() {
                        widgets::hint_ui(ui, empty_bucket_text(bucket));
                    }
                    for row in items {
                        let (d, o) = agenda_item_ui(ui, row, today);
                        done = done.take().or(d);
                        open = open.or(o);
                    }
                    ui.add_space(theme::SECTION_GAP);
                }
            });
        if let Some(m) = done {
            let title = m.title();
            ctx.send(Command::Edit(Edit::one(
                format!("Mark {title} done"),
                Change::milestone(Some(m.clone()), Some(m.marked_done(today))),
            )));
        }
        if let Some(id) = open {
            self.selected = Some(id);
            self.view = View::Plans;
        }
    }

    // -----------------------------------------------------------------------------------------
    // The selected release's plan

    fn page_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>, today: NaiveDate) {
        egui::ScrollArea::vertical()
            .id_salt("planning_page")
            .auto_shrink(false)
            .show(ui, |ui| {
                self.release_picker_ui(ui);
                ui.add_space(theme::SECTION_GAP);
                if self.page.is_none() {
                    widgets::hint_ui(
                        ui,
                        "Pick a release above, on the timeline or in the agenda to see its plan.",
                    );
                    return;
                }
                self.plan_heading_ui(ui, ctx);
                ui.add_space(theme::SECTION_GAP);
                self.feasibility_ui(ui, ctx, today);
                self.plan_actions_ui(ui, ctx, today);
                ui.add_space(theme::SECTION_GAP);
                self.plan_table_ui(ui, ctx, today);
                ui.add_space(theme::SECTION_GAP);
                self.add_milestone_ui(ui, ctx);
            });
    }

    fn release_picker_ui(&mut self, ui: &mut Ui) {
        let choices = self
            .lists
            .as_ref()
            .map(|l| l.choices.clone())
            .unwrap_or_default();
        let mut ids: Vec<ReleaseId> = choices.iter().map(|c| c.id).collect();
        if let Some(page) = &self.page
            && !ids.contains(&page.id)
        {
            ids.insert(0, page.id);
        }
        let page_label = self.page.as_ref().map(|p| (p.id, p.plan.label()));
        let label = |id: ReleaseId| {
            if let Some((pid, label)) = &page_label
                && *pid == id
            {
                return label.clone();
            }
            choices
                .iter()
                .find(|c| c.id == id)
                .map_or_else(String::new, |c| match c.release_date {
                    Some(date) => format!("{} ({date})", c.label),
                    None => format!("{} (no date)", c.label),
                })
        };
        let before = self.selected;
        ui.horizontal(|ui| {
            ui.label("Release");
            widgets::optional_choice_ui(
                ui,
                "Release to plan",
                "Choose a release…",
                &mut self.selected,
                &ids,
                label,
            );
        });
        if self.selected != before {
            self.dialog = None;
        }
    }

    fn plan_heading_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(page) = &self.page else { return };
        let dark = ui.visuals().dark_mode;
        ui.horizontal(|ui| {
            ui.heading(page.plan.label());
            let color = theme::release_status_color(page.release.status, dark);
            widgets::badge_ui(ui, page.release.status.label(), color);
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui
                    .button("Open in Catalog")
                    .on_hover_text("Edit this release's date, formats and tracks")
                    .clicked()
                {
                    ctx.send(Command::Open(Target::Release(page.id)));
                }
            });
        });
        if !page.plan.artists.is_empty() {
            widgets::hint_ui(ui, &page.plan.artists);
        }
        let formats = if page.plan.formats.is_empty() {
            "no formats yet".to_owned()
        } else {
            page.plan
                .formats
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match page.release.release_date {
            Some(date) => ui.label(format!(
                "Release day {date} ({}), {formats}",
                plan::weekday_name(date.weekday())
            )),
            None => ui.label(format!("No release date yet, {formats}")),
        };
        if let Some(message) = &page.message {
            ui.label(RichText::new(message).color(theme::error_color(ui)));
        }
    }

    /// The Friday note, what each format still needs, and the offers to shift the plan or
    /// change the release status.
    fn feasibility_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>, today: NaiveDate) {
        let Some(page) = &self.page else { return };
        let profiles = self
            .lists
            .as_ref()
            .map(|l| l.profiles.clone())
            .unwrap_or_default();
        let warn = theme::warn_color(ui);
        let Some(date) = page.release.release_date else {
            return;
        };
        if let Some(note) = plan::friday_note(date) {
            widgets::hint_ui(ui, &note);
        }
        let mut edit: Option<Edit> = None;
        if date < today {
            // Past release days are history, not a schedule to make.
            if page.release.status < ReleaseStatus::Released {
                ui.label(RichText::new(format!("Release day {date} has passed.")).color(warn));
            }
        } else if !page.plan.formats.is_empty() {
            let needs =
                plan::format_needs(date, &page.plan.formats, &page.plan.milestones, &profiles);
            let verdict = plan::feasibility(today, date, &needs);
            if verdict.is_feasible() {
                widgets::hint_ui(ui, &format!("Every format can make {date} from today."));
            } else {
                for problem in verdict.problems() {
                    ui.label(RichText::new(problem.message()).color(warn));
                }
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(format!(
                            "Earliest feasible release for every format: {} (the Friday after: {})",
                            verdict.earliest, verdict.earliest_friday
                        ))
                        .color(warn),
                    );
                    if ui
                        .button(format!("Move release day to {}", verdict.earliest_friday))
                        .on_hover_text(
                            "Change the release date and shift the open milestones with it",
                        )
                        .clicked()
                    {
                        edit = Some(move_release_edit(page, verdict.earliest_friday));
                    }
                });
            }
        }
        if let Some((old, count)) = plan::pending_shift(&page.plan.milestones, date) {
            let delta = plan::days_between(old, date);
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!(
                        "The release date moved from {old} to {date} since this plan was made."
                    ))
                    .color(warn),
                );
                let sign = if delta >= 0 { "+" } else { "-" };
                if ui
                    .button(format!(
                        "Shift {} by {sign}{} days",
                        crate::db::artists::plural(count as u64, "open milestone"),
                        delta.unsigned_abs()
                    ))
                    .on_hover_text("Move the open milestones with the release date; done and skipped ones stay")
                    .clicked()
                {
                    match plan::shift_open(&page.plan.milestones, date) {
                        Ok(moved) => {
                            edit = Some(Edit::new(
                                "Shift open milestones",
                                moved
                                    .into_iter()
                                    .map(|m| Change::milestone(Some(m.clone()), Some(m)))
                                    .collect(),
                            ));
                        }
                        Err(e) => ctx.send(Command::Error(e.to_string())),
                    }
                }
            });
        }
        if let Some(edit) = edit {
            ctx.send(Command::Edit(edit));
        }
        ui.add_space(theme::SECTION_GAP);
    }

    /// "Plan this release" (or add what is missing), the plant per format, the status
    /// suggestion.
    fn plan_actions_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>, today: NaiveDate) {
        let Some(lists) = &self.lists else { return };
        let Some(page) = &mut self.page else { return };
        // Plants with their own profile, per physical format of the release.
        for &kind in &page.plan.formats {
            let mut makers: Vec<String> = lists
                .profiles
                .iter()
                .filter(|p| p.format == Some(kind) && !p.manufacturer.is_empty())
                .map(|p| p.manufacturer.clone())
                .collect();
            if makers.is_empty() {
                continue;
            }
            makers.insert(0, String::new());
            let current = self.manufacturers.get(&kind).cloned().unwrap_or_default();
            let mut index = makers.iter().position(|m| *m == current).unwrap_or(0);
            ui.horizontal(|ui| {
                ui.label(format!("{} lead times", kind.label()));
                let all: Vec<usize> = (0..makers.len()).collect();
                if widgets::choice_ui(
                    ui,
                    &format!("{} lead times", kind.label()),
                    ("planning_maker", kind),
                    &mut index,
                    &all,
                    |i| {
                        let maker = makers.get(i).map_or("", String::as_str);
                        if maker.is_empty() {
                            "Default".to_owned()
                        } else {
                            maker.to_owned()
                        }
                    },
                ) {
                    self.manufacturers
                        .insert(kind, makers.get(index).cloned().unwrap_or_default());
                }
            });
        }
        let manufacturers: Vec<(FormatKind, String)> = self
            .manufacturers
            .iter()
            .map(|(k, m)| (*k, m.clone()))
            .collect();
        let generated = plan::plan_release(
            page.id,
            &page.release.title,
            page.release.release_date,
            &page.plan.formats,
            &lists.profiles,
            &manufacturers,
            today,
        );
        let mut edit: Option<Edit> = None;
        ui.horizontal(|ui| {
            if page.plan.milestones.is_empty() {
                if ui
                    .button("Plan this release")
                    .on_hover_text(
                        "Work the milestones back from the release date, for every format of the release",
                    )
                    .clicked()
                {
                    match &generated {
                        Ok(milestones) => {
                            page.message = None;
                            edit = Some(Edit::new(
                                "Plan release",
                                milestones
                                    .iter()
                                    .map(|m| Change::milestone(None, Some(m.clone())))
                                    .collect(),
                            ));
                        }
                        Err(e) => page.message = Some(widgets::capitalized(&e.to_string())),
                    }
                }
            } else if let Ok(milestones) = &generated {
                let missing =
                    plan::missing_milestones(&page.plan.milestones, milestones.clone());
                if !missing.is_empty()
                    && ui
                        .button(format!(
                            "Add {}",
                            crate::db::artists::plural(missing.len() as u64, "missing milestone")
                        ))
                        .on_hover_text("Formats added since the plan was made get their milestones")
                        .clicked()
                {
                    edit = Some(Edit::new(
                        "Add missing milestones",
                        missing
                            .into_iter()
                            .map(|m| Change::milestone(None, Some(m)))
                            .collect(),
                    ));
                }
            }
            if !page.plan.milestones.is_empty()
                && ui
                    .button("Remove plan…")
                    .on_hover_text("Remove every milestone of this release (Delete)")
                    .clicked()
            {
                self.dialog = Some(Dialog::RemovePlan(page.id));
            }
        });
        if let Some(StatusSuggestion { status, question }) = plan::suggest_status(
            page.release.status,
            page.release.release_date,
            &page.plan.milestones,
            today,
        ) && ui
            .button(&question)
            .on_hover_text("The plan suggests it; nothing changes until you click")
            .clicked()
        {
            edit = Some(Edit::one(
                format!("Mark release {}", status.label()),
                Change::update_release(Release {
                    status,
                    ..page.release.clone()
                }),
            ));
        }
        if let Some(edit) = edit {
            ctx.send(Command::Edit(edit));
        }
    }

    fn plan_table_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>, today: NaiveDate) {
        let Some(page) = &mut self.page else { return };
        if page.rows.is_empty() {
            widgets::hint_ui(ui, "No milestones yet.");
            return;
        }
        let error = theme::error_color(ui);
        let weak = theme::weak_color(ui);
        let mut save = false;
        let mut edit: Option<Edit> = None;
        egui::Grid::new("planning_plan")
            .num_columns(8)
            .striped(true)
            .spacing([10.0, 4.0])
            .show(ui, |ui| {
                for title in [
                    "Due",
                    "Milestone",
                    "For",
                    "Status",
                    "Done on",
                    "Owner",
                    "Notes",
                    "",
                ] {
                    ui.label(RichText::new(title).strong());
                }
                ui.end_row();
                for row in &mut page.rows {
                    let title = row.saved.title();
                    let overdue = row.saved.status.is_open() && row.saved.due < today;
                    let due_error = row.error.as_deref().or(overdue.then_some("Overdue"));
                    let due = widgets::cell_field_ui(
                        ui,
                        &format!("Due date of {title}"),
                        &mut row.due,
                        due_error,
                        90.0,
                    );
                    let name = widgets::cell_field_ui(
                        ui,
                        &format!("Name of {title}"),
                        &mut row.name,
                        None,
                        180.0,
                    );
                    ui.label(RichText::new(plan::group_label(row.saved.format)).color(weak));
                    let mut status = row.saved.status;
                    if widgets::choice_ui(
                        ui,
                        &format!("Status of {title}"),
                        ("planning_status", row.saved.id),
                        &mut status,
                        MilestoneStatus::ALL,
                        |s| s.label().to_owned(),
                    ) {
                        let mut m = row.saved.clone();
                        m.status = status;
                        m.done_on = (status == MilestoneStatus::Done).then_some(today);
                        edit = Some(Edit::one(
                            format!("Mark {title} {}", status.label().to_lowercase()),
                            Change::milestone(Some(row.saved.clone()), Some(m)),
                        ));
                    }
                    ui.label(
                        row.saved
                            .done_on
                            .map_or_else(|| "—".to_owned(), |d| d.to_string()),
                    );
                    let owner = widgets::cell_field_ui(
                        ui,
                        &format!("Owner of {title}"),
                        &mut row.owner,
                        None,
                        110.0,
                    );
                    let notes = widgets::cell_field_ui(
                        ui,
                        &format!("Notes on {title}"),
                        &mut row.notes,
                        None,
                        200.0,
                    );
                    let remove = ui.small_button("Remove");
                    widgets::name_widget(&remove, egui::Role::Button, &format!("Remove {title}"));
                    if remove.clicked() {
                        edit = Some(Edit::one(
                            format!("Remove {title}"),
                            Change::milestone(Some(row.saved.clone()), None),
                        ));
                    }
                    ui.end_row();
                    for response in [&due, &name, &owner, &notes] {
                        save |= response.lost_focus();
                    }
                    if row.error.is_some() && (due.changed() || name.changed()) {
                        row.error = row.milestone(page.release.release_date).err();
                    }
                }
            });
        for row in &page.rows {
            if let Some(message) = &row.error {
                ui.label(RichText::new(format!("Not saved: {message}")).color(error));
            }
        }
        if let Some(edit) = edit {
            ctx.send(Command::Edit(edit));
        }
        if save {
            self.commit_rows(ctx, false);
        }
    }

    fn add_milestone_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(page) = &self.page else { return };
        ui.strong("Add a milestone");
        let focus = std::mem::take(&mut self.new_milestone.focus);
        let mut add = false;
        let draft = &mut self.new_milestone;
        let mut kinds: Vec<FormatKind> = page.plan.formats.clone();
        if let Some(kind) = draft.format
            && !kinds.contains(&kind)
        {
            kinds.push(kind);
        }
        ui.horizontal(|ui| {
            let name =
                widgets::cell_field_ui(ui, "New milestone name", &mut draft.name, None, 200.0);
            if focus {
                name.request_focus();
            }
            let due = widgets::cell_field_ui(
                ui,
                "New milestone due date",
                &mut draft.due,
                draft.error.as_deref(),
                100.0,
            )
            .on_hover_text("YYYY-MM-DD");
            widgets::optional_choice_ui(
                ui,
                "New milestone format",
                "Whole release",
                &mut draft.format,
                &kinds,
                |k| k.label().to_owned(),
            );
            add = ui.button("Add milestone").clicked()
                || ((name.lost_focus() || due.lost_focus())
                    && ui.input(|i| i.key_pressed(egui::Key::Enter)));
        });
        if draft.due.trim().is_empty() {
            widgets::hint_ui(ui, "Due date as YYYY-MM-DD.");
        }
        if let Some(error) = &draft.error {
            ui.label(RichText::new(error).color(theme::error_color(ui)));
        }
        if !add {
            return;
        }
        match new_milestone(page, draft) {
            Ok(m) => {
                ctx.send(Command::Edit(Edit::one(
                    format!("Add {}", m.title()),
                    Change::milestone(None, Some(m)),
                )));
                *draft = NewMilestone::default();
            }
            Err(error) => draft.error = Some(error),
        }
    }

    fn dialog_ui(&mut self, egui_ctx: &egui::Context, ctx: &mut PanelCtx<'_>, _today: NaiveDate) {
        let Some(Dialog::RemovePlan(id)) = self.dialog else {
            return;
        };
        let Some(page) = self.page.as_ref().filter(|p| p.id == id) else {
            self.dialog = None;
            return;
        };
        let body = format!(
            "Remove the {} of “{}”? The release itself stays. You can undo this with Ctrl+Z.",
            crate::db::artists::plural(page.plan.milestones.len() as u64, "milestone"),
            page.release.title
        );
        match widgets::confirm_ui(
            egui_ctx,
            "planning_remove_plan",
            "Remove plan?",
            &body,
            "Remove",
        ) {
            Answer::Pending => {}
            Answer::Confirm => {
                ctx.send(Command::Edit(Edit::new(
                    "Remove plan",
                    page.plan
                        .milestones
                        .iter()
                        .map(|m| Change::milestone(Some(m.clone()), None))
                        .collect(),
                )));
                self.dialog = None;
            }
            Answer::Cancel => self.dialog = None,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Lead-time profiles

    fn lead_times_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let profiles = self
            .lists
            .as_ref()
            .map(|l| l.profiles.clone())
            .unwrap_or_default();
        let lt = &mut self.lead_times;
        if let Some((kind, maker)) = &lt.select_when_listed
            && let Some(p) = profiles
                .iter()
                .find(|p| p.format == *kind && p.manufacturer.eq_ignore_ascii_case(maker))
        {
            lt.selected = Some(p.id);
            lt.select_when_listed = None;
        }
        if lt.selected.is_none() {
            lt.selected = profiles.first().map(|p| p.id);
        }
        // Keep the draft in step with the catalog (after saving, undo or another edit).
        let current = lt
            .selected
            .and_then(|id| profiles.iter().find(|p| p.id == id))
            .cloned();
        match (&current, &lt.draft) {
            (Some(p), Some(d)) if d.saved == *p => {}
            (Some(p), _) => lt.draft = Some(ProfileDraft::new(p.clone())),
            (None, _) => lt.draft = None,
        }

        widgets::hint_ui(
            ui,
            "Milestones for each format, worked back from release day. A plant's own profile is used when you pick it while planning.",
        );
        ui.add_space(theme::SECTION_GAP);
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(230.0);
                for p in &profiles {
                    let selected = lt.selected == Some(p.id);
                    if ui
                        .add(egui::Button::selectable(selected, p.display_name()))
                        .clicked()
                    {
                        lt.selected = Some(p.id);
                        lt.error = None;
                    }
                }
                ui.add_space(theme::SECTION_GAP);
                ui.strong("New profile for a plant");
                let kinds: Vec<FormatKind> = FormatKind::ALL
                    .iter()
                    .copied()
                    .filter(|k| k.is_physical())
                    .collect();
                widgets::optional_choice_ui(
                    ui,
                    "Format of the new profile",
                    "Choose a format…",
                    &mut lt.new_kind,
                    &kinds,
                    |k| k.label().to_owned(),
                );
                ui.label("Plant or manufacturer");
                widgets::cell_field_ui(
                    ui,
                    "Plant or manufacturer",
                    &mut lt.new_manufacturer,
                    None,
                    220.0,
                );
                if ui.button("Create profile").clicked() {
                    let maker = lt.new_manufacturer.trim().to_owned();
                    match lt.new_kind {
                        None => lt.error = Some("Choose the format the plant makes".to_owned()),
                        Some(_) if maker.is_empty() => {
                            lt.error = Some("Type the plant's name".to_owned());
                        }
                        Some(kind) => {
                            let mut profile = plan::profile_for(&profiles, Some(kind), "");
                            profile.id = ProfileId::UNSAVED;
                            profile.manufacturer.clone_from(&maker);
                            ctx.send(Command::Edit(Edit::one(
                                format!("Add lead times for {}", profile.display_name()),
                                Change::lead_time_profile(None, Some(profile)),
                            )));
                            lt.select_when_listed = Some((Some(kind), maker));
                            lt.new_manufacturer.clear();
                            lt.error = None;
                        }
                    }
                }
                if let Some(error) = &lt.error {
                    ui.label(RichText::new(error).color(theme::error_color(ui)));
                }
            });
            ui.separator();
            ui.vertical(|ui| match &mut lt.draft {
                None => widgets::hint_ui(ui, "Pick a profile on the left to edit it."),
                Some(draft) => {
                    if let Some(edit) = profile_editor_ui(ui, draft) {
                        ctx.send(Command::Edit(edit));
                    }
                }
            });
        });
    }
}

/// The text of the timeline row's tooltip.
fn timeline_hover(release: &PlanRelease) -> String {
    let date = release.release_date.map_or_else(
        || "no release date".to_owned(),
        |d| format!("release day {d}"),
    );
    let open = release
        .milestones
        .iter()
        .filter(|m| m.status.is_open())
        .count();
    format!(
        "{}: {date}, {} open of {}",
        release.label(),
        open,
        crate::db::artists::plural(release.milestones.len() as u64, "milestone")
    )
}

/// What part of the calendar the timeline shows, and how.
struct TimelineView {
    start: NaiveDate,
    days: u64,
    /// Points per day.
    zoom: f32,
    today: NaiveDate,
    selected: Option<ReleaseId>,
}

/// Paints the timeline rows; returns the release whose row was clicked.
fn paint_timeline_ui(
    ui: &mut Ui,
    releases: &[PlanRelease],
    view: &TimelineView,
) -> Option<ReleaseId> {
    let TimelineView {
        start,
        days,
        zoom,
        today,
        selected,
    } = *view;
    let width = days as f32 * zoom;
    let height = RULER + releases.len() as f32 * ROW;
    let (response, painter) = ui.allocate_painter(vec2(width, height), Sense::click());
    let rect = response.rect;
    let visuals = ui.visuals();
    let dark = visuals.dark_mode;
    let grid = visuals.widgets.noninteractive.bg_stroke.color;
    let text = visuals.text_color();
    let weak = theme::weak_color(ui);
    let x_of =
        |date: NaiveDate| rect.left() + (plan::days_between(start, date) as f32 + 0.5) * zoom;
    // Month ruler and grid.
    let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
    let end = start
        .checked_add_days(chrono::Days::new(days))
        .unwrap_or(start);
    while month <= end {
        if month >= start {
            let x = x_of(month) - zoom / 2.0;
            painter.vline(x, rect.y_range(), Stroke::new(1.0, grid));
            let label = if month.month() == 1 || zoom >= 4.0 {
                month.format("%b %Y").to_string()
            } else {
                month.format("%b").to_string()
            };
            painter.text(
                pos2(x + 3.0, rect.top() + 2.0),
                Align2::LEFT_TOP,
                label,
                FontId::proportional(11.0),
                weak,
            );
        }
        month = month
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(end + chrono::Days::new(1));
    }
    let open_color = theme::release_status_color(ReleaseStatus::Planned, dark);
    let done_color = theme::release_status_color(ReleaseStatus::Released, dark);
    let late_color = theme::error_color(ui);
    let mut hovered: Option<String> = None;
    let hover_at = response.hover_pos();
    for (i, release) in releases.iter().enumerate() {
        let y = rect.top() + RULER + (i as f32 + 0.5) * ROW;
        let band = egui::Rect::from_min_max(
            pos2(rect.left(), y - ROW / 2.0),
            pos2(rect.right(), y + ROW / 2.0),
        );
        if selected == Some(release.id) {
            painter.rect_filled(band, 0.0, visuals.selection.bg_fill.gamma_multiply(0.35));
        } else if i % 2 == 1 {
            painter.rect_filled(band, 0.0, visuals.faint_bg_color);
        }
        let xs: Vec<f32> = release
            .milestones
            .iter()
            .map(|m| m.due)
            .chain(release.release_date)
            .map(x_of)
            .collect();
        if let (Some(first), Some(last)) = (
            xs.iter().copied().reduce(f32::min),
            xs.iter().copied().reduce(f32::max),
        ) {
            painter.hline(first..=last, y, Stroke::new(1.0, grid));
        }
        for m in &release.milestones {
            let color = match m.status {
                MilestoneStatus::Done => done_color,
                MilestoneStatus::Skipped => weak,
                MilestoneStatus::Todo if m.due < today => late_color,
                MilestoneStatus::Todo => open_color,
            };
            let center = pos2(x_of(m.due), y);
            painter.circle_filled(center, 4.0, color);
            if hover_at.is_some_and(|p| p.distance(center) <= 6.0) {
                hovered = Some(format!(
                    "{}: {}, due {} ({})",
                    release.label(),
                    m.title(),
                    m.due,
                    m.status.label().to_lowercase()
                ));
            }
        }
        if let Some(date) = release.release_date {
            let c = pos2(x_of(date), y);
            let color = theme::release_status_color(release.status, dark);
            painter.add(egui::Shape::convex_polygon(
                vec![
                    pos2(c.x, c.y - 7.0),
                    pos2(c.x + 6.0, c.y),
                    pos2(c.x, c.y + 7.0),
                    pos2(c.x - 6.0, c.y),
                ],
                color,
                Stroke::new(1.0, text),
            ));
            if hover_at.is_some_and(|p| p.distance(c) <= 8.0) {
                hovered = Some(format!("{}: release day {date}", release.label()));
            }
        }
    }
    // Today.
    let x = x_of(today);
    painter.vline(x, rect.y_range(), Stroke::new(2.0, late_color));
    painter.text(
        pos2(x + 3.0, rect.bottom() - 2.0),
        Align2::LEFT_BOTTOM,
        "today",
        FontId::proportional(11.0),
        late_color,
    );
    let clicked = response
        .interact_pointer_pos()
        .filter(|_| response.clicked())
        .and_then(|p| {
            releases.iter().enumerate().find_map(|(i, r)| {
                let top = rect.top() + RULER + i as f32 * ROW;
                (top..top + ROW).contains(&p.y).then_some(r.id)
            })
        });
    if let Some(text) = hovered {
        response.on_hover_text_at_pointer(text);
    }
    clicked
}

fn empty_bucket_text(bucket: AgendaBucket) -> &'static str {
    match bucket {
        AgendaBucket::Overdue => "Nothing overdue.",
        AgendaBucket::ThisWeek => "Nothing due this week.",
        AgendaBucket::Next30Days => "Nothing else due in the next 30 days.",
    }
}

/// One agenda line; returns the milestone to mark done, or the release to open.
fn agenda_item_ui(
    ui: &mut Ui,
    row: &MilestoneRow,
    today: NaiveDate,
) -> (Option<Milestone>, Option<ReleaseId>) {
    let m = &row.milestone;
    let mut done = None;
    let mut open = None;
    ui.horizontal(|ui| {
        let title = m.title();
        let button = ui
            .small_button("Done")
            .on_hover_text(format!("Mark {title} done today"));
        widgets::name_widget(
            &button,
            egui::Role::Button,
            &format!("Mark {title} of {} done", row.release_label()),
        );
        if button.clicked() {
            done = Some(m.clone());
        }
        let due = RichText::new(m.due.to_string());
        let due = if m.due < today {
            due.color(theme::error_color(ui))
        } else {
            due
        };
        ui.label(due);
        if ui
            .link(format!("{}: {title}", row.release_label()))
            .on_hover_text("Show this release's plan")
            .clicked()
        {
            open = Some(m.release_id);
        }
        if !m.owner.is_empty() {
            widgets::hint_ui(ui, &format!("({})", m.owner));
        }
    });
    (done, open)
}

/// The edit that moves release day to `date` and shifts the open milestones with it.
fn move_release_edit(page: &Page, date: NaiveDate) -> Edit {
    let release = Release {
        release_date: Some(date),
        ..page.release.clone()
    };
    let mut changes = vec![Change::update_release(release)];
    if let Ok(moved) = plan::shift_open(&page.plan.milestones, date) {
        changes.extend(
            moved
                .into_iter()
                .map(|m| Change::milestone(Some(m.clone()), Some(m))),
        );
    }
    Edit::new(format!("Move release day to {date}"), changes)
}

/// The milestone typed in "Add a milestone", checked.
fn new_milestone(page: &Page, draft: &NewMilestone) -> Result<Milestone, String> {
    let name = draft.name.trim();
    if name.is_empty() {
        return Err("Type what has to happen, e.g. Video shoot".to_owned());
    }
    let due = parse_date(&draft.due).map_err(|e| e.to_string())?;
    let position = page
        .plan
        .milestones
        .iter()
        .map(|m| m.position + 1)
        .max()
        .unwrap_or(0);
    let m = Milestone {
        format: draft.format,
        planned_for: page.release.release_date,
        position,
        ..Milestone::new(page.id, name, due)
    }
    .normalized();
    m.validate()
        .map_err(|e| widgets::capitalized(&e.to_string()))?;
    m.check_due(page.release.release_date)
        .map_err(|e| e.to_string())?;
    Ok(m)
}

/// The rows of a profile being edited; returns the edit to save it (or delete it).
fn profile_editor_ui(ui: &mut Ui, draft: &mut ProfileDraft) -> Option<Edit> {
    let mut edit = None;
    ui.heading(draft.saved.display_name());
    let is_plant = !draft.saved.manufacturer.is_empty();
    if is_plant {
        ui.horizontal(|ui| {
            ui.label("Plant");
            widgets::cell_field_ui(ui, "Plant name", &mut draft.manufacturer, None, 220.0);
        });
    }
    let offsets = draft.profile().ok().and_then(|p| p.resolve().ok());
    let lead = offsets.as_ref().and_then(|o| o.iter().copied().max());
    if let Some(lead) = lead {
        widgets::hint_ui(
            ui,
            &format!("Needs {} before release day in all.", plan::days_text(lead)),
        );
    }
    ui.add_space(6.0);
    let names: Vec<String> = draft
        .rows
        .iter()
        .map(|r| r.name.trim().to_owned())
        .collect();
    let mut remove: Option<usize> = None;
    let mut changed = false;
    egui::Grid::new("planning_profile")
        .num_columns(5)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            for title in ["Milestone", "Days", "When", "Due", ""] {
                ui.label(RichText::new(title).strong());
            }
            ui.end_row();
            for (i, row) in draft.rows.iter_mut().enumerate() {
                let n = i + 1;
                changed |= widgets::cell_field_ui(
                    ui,
                    &format!("Milestone {n} name"),
                    &mut row.name,
                    None,
                    200.0,
                )
                .changed();
                changed |= widgets::cell_field_ui(
                    ui,
                    &format!("Milestone {n} days"),
                    &mut row.days,
                    None,
                    50.0,
                )
                .changed();
                let mut choices: Vec<Option<usize>> = vec![None];
                choices.extend((0..names.len()).filter(|&j| j != i).map(Some));
                changed |= widgets::choice_ui(
                    ui,
                    &format!("Milestone {n} comes"),
                    ("planning_anchor", i),
                    &mut row.after,
                    &choices,
                    |c| match c {
                        None => "before release day".to_owned(),
                        Some(j) => format!("after {}", names.get(j).map_or("", String::as_str)),
                    },
                );
                let due = offsets
                    .as_ref()
                    .and_then(|o| o.get(i))
                    .map_or_else(String::new, |&d| match d {
                        0 => "on release day".to_owned(),
                        d => format!("{} before", plan::days_text(d)),
                    });
                widgets::hint_ui(ui, &due);
                let button = ui.small_button("Remove");
                widgets::name_widget(
                    &button,
                    egui::Role::Button,
                    &format!("Remove milestone {n}"),
                );
                if button.clicked() {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        draft.remove(i);
        changed = true;
    }
    if changed {
        draft.error = None;
    }
    ui.horizontal(|ui| {
        if ui.button("Add milestone").clicked() {
            draft.rows.push(TemplateDraft {
                name: String::new(),
                after: None,
                days: "0".to_owned(),
            });
        }
        if ui.button("Save profile").clicked() {
            match draft.profile() {
                Ok(profile) if profile == draft.saved => draft.error = None,
                Ok(profile) => {
                    edit = Some(Edit::one(
                        format!("Edit lead times for {}", profile.display_name()),
                        Change::lead_time_profile(Some(draft.saved.clone()), Some(profile)),
                    ));
                    draft.error = None;
                }
                Err(e) => draft.error = Some(e),
            }
        }
        if ui.button("Revert").clicked() {
            *draft = ProfileDraft::new(draft.saved.clone());
        }
        if is_plant && ui.button("Delete profile").clicked() {
            edit = Some(Edit::one(
                format!("Delete lead times for {}", draft.saved.display_name()),
                Change::lead_time_profile(Some(draft.saved.clone()), None),
            ));
        }
    });
    if let Some(error) = &draft.error {
        ui.label(RichText::new(format!("Not saved: {error}")).color(theme::error_color(ui)));
    }
    edit
}

#[cfg(test)]
mod tests {
    use egui::accesskit::Role;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::*;
    use crate::db::Catalog;
    use crate::model::plan::default_profiles;
    use crate::model::{
        Artist, ArtistRole, CatalogNumber, CatalogNumberId, Format, ReleaseArtist,
        ReleaseCatalogNumber,
    };
    use crate::undo::History;

    struct TestState {
        catalog: Catalog,
        history: History,
        commands: Vec<Command>,
        revision: u64,
        panel: PlanningPanel,
        notices: Vec<String>,
        opened: Vec<Target>,
    }

    /// What the app does each frame: draw the panel, then apply what it asked for.
    fn frame_ui(ui: &mut Ui, state: &mut TestState) {
        let mut ctx = PanelCtx {
            catalog: &state.catalog,
            commands: &mut state.commands,
            revision: state.revision,
        };
        state.panel.ui(ui, &mut ctx);
        for command in std::mem::take(&mut state.commands) {
            match command {
                Command::Edit(edit) | Command::EditAndOpen(edit) => {
                    state
                        .history
                        .apply(&mut state.catalog, edit)
                        .expect("the edit applies");
                    state.revision += 1;
                }
                Command::Notify(message) | Command::Error(message) => state.notices.push(message),
                Command::Open(target) => state.opened.push(target),
                other => panic!("unexpected command {other:?}"),
            }
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    /// The fixed "today" of these tests: Thursday 2026-11-26.
    fn today() -> NaiveDate {
        d(2026, 11, 26)
    }

    /// Adds a release by Nadia Reyes with a catalog number and formats; returns its id.
    fn add_release(
        catalog: &mut Catalog,
        catno: &str,
        title: &str,
        date: Option<NaiveDate>,
        kinds: &[FormatKind],
    ) -> ReleaseId {
        catalog
            .write(|tx| {
                let artist = match crate::db::artists::names(tx)?.first() {
                    Some((id, _)) => *id,
                    None => crate::db::artists::insert(tx, &Artist::new("Nadia Reyes"))?,
                };
                let mut release = Release::new(title);
                release.release_date = date;
                let id = crate::db::releases::insert(tx, &release)?;
                crate::db::releases::set_artists(
                    tx,
                    id,
                    &[ReleaseArtist {
                        artist_id: artist,
                        role: ArtistRole::Primary,
                    }],
                )?;
                for &kind in kinds {
                    crate::db::formats::insert(tx, &Format::new(id, kind))?;
                }
                crate::db::catnos::insert(
                    tx,
                    id,
                    &ReleaseCatalogNumber {
                        id: CatalogNumberId::UNSAVED,
                        label_id: None,
                        format_id: None,
                        catno: CatalogNumber::parse(catno).expect("catalog number"),
                    },
                )?;
                Ok(id)
            })
            .expect("seed a release")
    }

    /// Stores the default plan of a release (as if planned earlier).
    fn add_plan(catalog: &mut Catalog, release: ReleaseId) {
        let full = crate::db::releases::load_full(catalog.conn(), release).expect("release");
        let kinds: Vec<FormatKind> = full.formats.iter().map(|f| f.kind).collect();
        let plan = plan::plan_release(
            release,
            &full.release.title,
            full.release.release_date,
            &kinds,
            &default_profiles(),
            &[],
            d(2026, 11, 1),
        )
        .expect("plan");
        catalog
            .write(|tx| {
                for m in &plan {
                    planning::insert(tx, m)?;
                }
                Ok(())
            })
            .expect("store the plan");
    }

    fn harness(catalog: Catalog) -> Harness<'static, TestState> {
        let mut panel = PlanningPanel::default();
        panel.set_today(today());
        let state = TestState {
            catalog,
            history: History::default(),
            commands: Vec::new(),
            revision: 0,
            panel,
            notices: Vec::new(),
            opened: Vec::new(),
        };
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1500.0, 1000.0))
            .build_ui_state(frame_ui, state);
        harness.run();
        harness
    }

    fn plan_of(harness: &Harness<'_, TestState>, release: ReleaseId) -> Vec<Milestone> {
        planning::list_for_release(harness.state().catalog.conn(), release).expect("plan")
    }

    fn milestone(harness: &Harness<'_, TestState>, release: ReleaseId, name: &str) -> Milestone {
        plan_of(harness, release)
            .into_iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no milestone called {name}"))
    }

    fn retype(harness: &mut Harness<'_, TestState>, field: &str, text: &str) {
        harness
            .get_by_role_and_label(Role::TextInput, field)
            .focus();
        harness.run();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness
            .get_by_role_and_label(Role::TextInput, field)
            .type_text(text);
        harness.run();
    }

    #[test]
    fn plan_a_vinyl_and_digital_release() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let tides = add_release(
            &mut catalog,
            "HLR020",
            "Tides",
            Some(d(2027, 3, 5)),
            &[FormatKind::Vinyl12, FormatKind::Digital],
        );
        let mut harness = harness(catalog);
        harness.get_by_label("1 release in the next 12 months");

        // Pick it on the timeline.
        harness.get_by_label("HLR020 Tides").click();
        harness.run();
        harness.get_by_label_contains("Release day 2027-03-05 (Friday), 12\" vinyl, Digital");
        harness.get_by_label("Every format can make 2027-03-05 from today.");
        assert!(harness.query_by_label_contains("is a Friday").is_none());

        harness
            .get_by_role_and_label(Role::Button, "Plan this release")
            .click();
        harness.run();

        let plan = plan_of(&harness, tides);
        assert_eq!(
            plan.len(),
            5 + 6 + 2,
            "release-wide, vinyl and digital milestones"
        );
        let due = |name: &str, format: Option<FormatKind>| {
            plan.iter()
                .find(|m| m.name == name && m.format == format)
                .map(|m| m.due)
        };
        let vinyl = Some(FormatKind::Vinyl12);
        assert_eq!(due("Masters final", vinyl), Some(d(2026, 11, 27)));
        assert_eq!(due("Lacquer cut", vinyl), Some(d(2026, 12, 4)));
        assert_eq!(due("Test pressings received", vinyl), Some(d(2026, 12, 25)));
        assert_eq!(due("Test pressings approved", vinyl), Some(d(2027, 1, 1)));
        assert_eq!(due("Pressing finished", vinyl), Some(d(2027, 2, 5)));
        assert_eq!(due("Stock at distributor", vinyl), Some(d(2027, 2, 19)));
        let digital = Some(FormatKind::Digital);
        assert_eq!(due("Delivery to distributor", digital), Some(d(2027, 2, 5)));
        assert_eq!(due("Pitch deadline", digital), Some(d(2027, 2, 26)));
        assert_eq!(due("Artwork final", None), Some(d(2027, 1, 1)));
        assert_eq!(due("Release day", None), Some(d(2027, 3, 5)));
        assert!(plan.iter().all(|m| m.status == MilestoneStatus::Todo));

        // The plan is on screen, the agenda has what is due soon, and the button is gone.
        let masters = harness
            .get_by_role_and_label(Role::TextInput, "Due date of Masters final (12\" vinyl)")
            .value();
        assert_eq!(masters.as_deref(), Some("2026-11-27"));
        harness.get_by_label("Mark Masters final (12\" vinyl) of HLR020 Tides done");
        assert!(
            harness
                .query_by_role_and_label(Role::Button, "Plan this release")
                .is_none()
        );
        // The plan suggests (only suggests) the Planned status.
        let question = "This release has a plan: mark the release Planned?";
        harness.get_by_role_and_label(Role::Button, question);
        assert_eq!(
            crate::db::releases::get(harness.state().catalog.conn(), tides)
                .expect("release")
                .status,
            ReleaseStatus::Idea
        );

        // One step to undo.
        let state = harness.state_mut();
        assert_eq!(
            state
                .history
                .undo(&mut state.catalog)
                .ok()
                .flatten()
                .as_deref(),
            Some("Plan release")
        );
        state.revision += 1;
        harness.run();
        assert!(plan_of(&harness, tides).is_empty());
        harness.get_by_role_and_label(Role::Button, "Plan this release");
    }

    #[test]
    fn mark_a_milestone_done_from_the_agenda() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let tides = add_release(
            &mut catalog,
            "HLR020",
            "Tides",
            Some(d(2027, 3, 5)),
            &[FormatKind::Vinyl12, FormatKind::Digital],
        );
        add_plan(&mut catalog, tides);
        let mut harness = harness(catalog);
        harness.get_by_label("This week");
        let done_button = "Mark Masters final (12\" vinyl) of HLR020 Tides done";

        harness
            .get_by_role_and_label(Role::Button, done_button)
            .click();
        harness.run();

        let masters = milestone(&harness, tides, "Masters final");
        assert_eq!(masters.status, MilestoneStatus::Done);
        assert_eq!(masters.done_on, Some(today()));
        assert_eq!(masters.sequence, 1, "the calendar will see the change");
        assert!(
            harness
                .query_by_role_and_label(Role::Button, done_button)
                .is_none(),
            "gone from the agenda"
        );
        assert_eq!(
            harness.state().history.undo_label(),
            Some("Mark Masters final (12\" vinyl) done")
        );

        // The release's plan now suggests production; nothing changes until it is clicked.
        harness
            .get_by_label("HLR020 Tides: Lacquer cut (12\" vinyl)")
            .click();
        harness.run();
        let question = "Masters are final: mark the release In production?";
        harness
            .get_by_role_and_label(Role::Button, question)
            .click();
        harness.run();
        assert_eq!(
            crate::db::releases::get(harness.state().catalog.conn(), tides)
                .expect("release")
                .status,
            ReleaseStatus::InProduction
        );
        assert!(
            harness
                .query_by_role_and_label(Role::Button, question)
                .is_none()
        );
    }

    #[test]
    fn an_infeasible_date_is_flagged_with_the_earliest_feasible_one() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let rush = add_release(
            &mut catalog,
            "HLR021",
            "Rush Job",
            Some(d(2027, 1, 6)),
            &[FormatKind::Vinyl12, FormatKind::Digital],
        );
        let mut harness = harness(catalog);
        harness.get_by_label("HLR021 Rush Job").click();
        harness.run();

        harness.get_by_label("12\" vinyl needs 98 more days: earliest feasible release 2027-03-04");
        assert!(
            harness.query_by_label_contains("Digital needs").is_none(),
            "digital makes it: 28 days from today is 2026-12-24"
        );
        harness.get_by_label(
            "Earliest feasible release for every format: 2027-03-04 (the Friday after: 2027-03-05)",
        );
        harness.get_by_label_contains(
            "2027-01-06 is a Wednesday: new music usually comes out on Friday",
        );

        // Planned anyway, the warning stays (the masters were due before today).
        harness
            .get_by_role_and_label(Role::Button, "Plan this release")
            .click();
        harness.run();
        assert_eq!(plan_of(&harness, rush).len(), 13);
        harness.get_by_label("12\" vinyl needs 98 more days: earliest feasible release 2027-03-04");

        // Moving release day to the suggested Friday moves the open milestones with it.
        harness
            .get_by_role_and_label(Role::Button, "Move release day to 2027-03-05")
            .click();
        harness.run();
        let release =
            crate::db::releases::get(harness.state().catalog.conn(), rush).expect("release");
        assert_eq!(release.release_date, Some(d(2027, 3, 5)));
        assert_eq!(
            milestone(&harness, rush, "Masters final").due,
            d(2026, 11, 27)
        );
        assert!(
            harness
                .query_by_label_contains("needs 98 more days")
                .is_none()
        );
        harness.get_by_label("Every format can make 2027-03-05 from today.");
    }

    #[test]
    fn the_artist_filter_narrows_the_timeline_and_the_agenda() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let tides = add_release(
            &mut catalog,
            "HLR020",
            "Tides",
            Some(d(2027, 3, 5)),
            &[FormatKind::Digital],
        );
        let dunes = add_release(
            &mut catalog,
            "HLR021",
            "Dunes",
            Some(d(2027, 4, 2)),
            &[FormatKind::Digital],
        );
        add_plan(&mut catalog, tides);
        add_plan(&mut catalog, dunes);
        catalog
            .write(|tx| {
                let other = crate::db::artists::insert(tx, &Artist::new("Omar Vance"))?;
                crate::db::releases::set_artists(
                    tx,
                    dunes,
                    &[ReleaseArtist {
                        artist_id: other,
                        role: ArtistRole::Primary,
                    }],
                )
            })
            .expect("credit");
        let mut harness = harness(catalog);
        harness.get_by_label("2 releases in the next 12 months");
        harness.get_by_label("HLR021 Dunes");

        harness
            .get_by_role_and_label(Role::ComboBox, "Artist filter")
            .click();
        harness.run();
        harness.get_by_label("Nadia Reyes").click();
        harness.run();
        harness.get_by_label("1 release in the next 12 months");
        harness.get_by_label("HLR020 Tides");
        assert!(harness.query_by_label("HLR021 Dunes").is_none());
        assert!(
            harness.query_by_label_contains("HLR021 Dunes:").is_none(),
            "nor in the agenda"
        );
        assert!(harness.state().panel.state().artist.is_some());
    }

    #[test]
    fn a_release_without_a_date_is_not_planned() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let someday = add_release(&mut catalog, "HLR030", "Someday", None, &[FormatKind::Cd]);
        let mut harness = harness(catalog);
        harness.state_mut().panel.open(someday);
        harness.run();
        harness.get_by_label_contains("No release date yet, CD");
        harness
            .get_by_role_and_label(Role::Button, "Plan this release")
            .click();
        harness.run();
        harness.get_by_label("“Someday” has no release date: set one before planning");
        assert!(plan_of(&harness, someday).is_empty());
        assert!(harness.state().history.is_empty(), "nothing was saved");
    }

    #[test]
    fn a_moved_release_date_offers_to_shift_open_milestones() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let tides = add_release(
            &mut catalog,
            "HLR020",
            "Tides",
            Some(d(2027, 3, 5)),
            &[FormatKind::Digital],
        );
        add_plan(&mut catalog, tides);
        let mut harness = harness(catalog);
        harness.state_mut().panel.open(tides);
        harness.run();
        assert!(
            harness
                .query_by_label_contains("since this plan was made")
                .is_none()
        );

        // Artwork is done; then the release moves two weeks later (in the Catalog panel).
        let state = harness.state_mut();
        let artwork =
            planning::list_for_release(state.catalog.conn(), tides).expect("plan")[0].clone();
        assert_eq!(artwork.name, "Artwork final");
        let mut release = crate::db::releases::get(state.catalog.conn(), tides).expect("release");
        release.release_date = Some(d(2027, 3, 19));
        state
            .history
            .apply(
                &mut state.catalog,
                Edit::new(
                    "Move",
                    vec![
                        Change::milestone(
                            Some(artwork.clone()),
                            Some(artwork.marked_done(today())),
                        ),
                        Change::update_release(release),
                    ],
                ),
            )
            .expect("edit");
        state.revision += 1;
        harness.run();

        harness.get_by_label(
            "The release date moved from 2027-03-05 to 2027-03-19 since this plan was made.",
        );
        harness
            .get_by_role_and_label(Role::Button, "Shift 6 open milestones by +14 days")
            .click();
        harness.run();
        let due = |name: &str| milestone(&harness, tides, name).due;
        assert_eq!(due("Artwork final"), d(2027, 1, 1), "done: stays");
        assert_eq!(due("Delivery to distributor"), d(2027, 2, 19));
        assert_eq!(due("Pitch deadline"), d(2027, 3, 12));
        assert_eq!(due("Release day"), d(2027, 3, 19));
        assert!(
            harness
                .query_by_label_contains("since this plan was made")
                .is_none()
        );
    }

    #[test]
    fn milestones_are_edited_and_added_by_hand() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let tides = add_release(
            &mut catalog,
            "HLR020",
            "Tides",
            Some(d(2027, 3, 5)),
            &[FormatKind::Digital],
        );
        add_plan(&mut catalog, tides);
        let mut harness = harness(catalog);
        harness.state_mut().panel.open(tides);
        harness.run();

        let field = "Due date of Pitch deadline (Digital)";
        retype(&mut harness, field, "2027-03-09");
        harness.key_press(egui::Key::Enter);
        harness.run();
        harness.get_by_label_contains(
            "“Pitch deadline” would be due 2027-03-09, after release day 2027-03-05",
        );
        assert_eq!(
            milestone(&harness, tides, "Pitch deadline").due,
            d(2027, 2, 26)
        );

        retype(&mut harness, field, "2027-02-24");
        harness.key_press(egui::Key::Enter);
        harness.run();
        assert_eq!(
            milestone(&harness, tides, "Pitch deadline").due,
            d(2027, 2, 24)
        );
        assert!(harness.query_by_label_contains("Not saved").is_none());

        retype(&mut harness, "Owner of Pitch deadline (Digital)", "Sam");
        harness.key_press(egui::Key::Enter);
        harness.run();
        assert_eq!(milestone(&harness, tides, "Pitch deadline").owner, "Sam");

        retype(&mut harness, "New milestone name", "Video shoot");
        retype(&mut harness, "New milestone due date", "2027-02-12");
        harness
            .get_by_role_and_label(Role::Button, "Add milestone")
            .click();
        harness.run();
        let video = milestone(&harness, tides, "Video shoot");
        assert_eq!((video.due, video.format), (d(2027, 2, 12), None));
        assert_eq!(video.planned_for, Some(d(2027, 3, 5)));
        harness.get_by_role_and_label(Role::TextInput, "Due date of Video shoot");

        // Removing the whole plan asks first, and can be undone.
        harness.state_mut().panel.request_delete();
        harness.run();
        harness.get_by_label_contains("Remove the 8 milestones of “Tides”?");
        harness
            .get_by_role_and_label(Role::Button, "Remove")
            .click();
        harness.run();
        assert!(plan_of(&harness, tides).is_empty());
    }

    #[test]
    fn exporting_the_calendar_writes_the_file_on_a_background_thread() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let tides = add_release(
            &mut catalog,
            "HLR020",
            "Tides",
            Some(d(2027, 3, 5)),
            &[FormatKind::Vinyl12, FormatKind::Digital],
        );
        add_plan(&mut catalog, tides);
        let mut harness = harness(catalog);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plan.ics");
        retype(&mut harness, "Calendar file", &path.display().to_string());
        harness
            .get_by_role_and_label(Role::Button, "Export .ics")
            .click();
        let expected = format!("Exported 13 milestones to {}", path.display());
        for _ in 0..200 {
            harness.step();
            if harness.state().notices.contains(&expected) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        harness.run();
        assert!(
            harness.state().notices.contains(&expected),
            "{:?}",
            harness.state().notices
        );
        harness.get_by_label(&expected);
        let text = std::fs::read_to_string(&path).expect("the file");
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 13);
        assert!(text.contains("DTSTART;VALUE=DATE:20261127\r\n"));
        assert_eq!(
            harness.state().panel.state().export_path,
            path.display().to_string()
        );
    }

    #[test]
    fn a_plant_profile_is_created_and_edited_in_the_lead_time_view() {
        let mut harness = harness(Catalog::open_in_memory().expect("catalog"));
        harness
            .get_by_role_and_label(Role::Button, "Lead times")
            .click();
        harness.run();
        harness
            .get_by_role_and_label(Role::Button, "12\" vinyl")
            .click();
        harness.run();
        harness.get_by_label("Needs 98 days before release day in all.");

        // Days that are not a number are refused with the reason.
        retype(&mut harness, "Milestone 1 days", "x");
        harness
            .get_by_role_and_label(Role::Button, "Save profile")
            .click();
        harness.run();
        harness.get_by_label_contains("Not saved: “x” for “Masters final”: type a number of days");

        retype(&mut harness, "Milestone 1 days", "112");
        harness
            .get_by_role_and_label(Role::Button, "Save profile")
            .click();
        harness.run();
        let profiles = planning::list_profiles(harness.state().catalog.conn()).expect("profiles");
        let vinyl = plan::profile_for(&profiles, Some(FormatKind::Vinyl12), "");
        assert_eq!(vinyl.lead_days(), Ok(112));
        harness.get_by_label("Needs 112 days before release day in all.");
        assert_eq!(
            harness.state().history.undo_label(),
            Some("Edit lead times for 12\" vinyl")
        );
        assert_eq!(profiles.len(), 8);

        // A plant's own profile starts as a copy of the kind's.
        harness
            .get_by_role_and_label(Role::ComboBox, "Format of the new profile")
            .click();
        harness.run();
        let option = harness
            .query_all_by_label("CD")
            .last()
            .expect("the CD option");
        option.click();
        harness.run();
        retype(&mut harness, "Plant or manufacturer", "Disc Plant");
        harness
            .get_by_role_and_label(Role::Button, "Create profile")
            .click();
        harness.run();
        let profiles = planning::list_profiles(harness.state().catalog.conn()).expect("profiles");
        let plant = plan::profile_for(&profiles, Some(FormatKind::Cd), "disc plant");
        assert_eq!(plant.manufacturer, "Disc Plant");
        assert_eq!(
            plant.milestones,
            plan::default_profile(Some(FormatKind::Cd)).milestones
        );
        assert_eq!(
            harness.query_all_by_label("CD, Disc Plant").count(),
            2,
            "listed, and opened for editing"
        );
        harness.get_by_role_and_label(Role::Button, "Delete profile");
    }
}
