//! The release editor: metadata, artist credits, catalog numbers, formats, tracklist and
//! cover. Every field validates as the user types (red + reason) and saves on focus loss or
//! Enter; drafts are also saved when the user moves to another release, another panel, or
//! closes the window. Nothing half-valid is ever written.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use chrono::Datelike;
use egui::{Key, Modifiers, RichText, TextureHandle};

use super::drafts::{CatnoDraft, FieldErrors, FormatDraft, HeadDraft, TrackDraft};
use super::widgets::{self, cell_field_ui};
use super::{PanelCtx, theme};
use crate::command::{Command, Target};
use crate::db::covers::Cover;
use crate::db::releases::ReleaseFull;
use crate::db::warnings::{IdentifierWarning, WarningAt};
use crate::model::{
    ArtistId, ArtistRole, CatalogNumber, CatalogNumberId, Format, FormatId, FormatKind, Label,
    LabelId, ReleaseArtist, ReleaseCatalogNumber, ReleaseId, ReleaseStatus, ReleaseType, Track,
    TrackDuration, TrackId, durations_by_side,
};
use crate::undo::{Change, Edit};

/// A cover being read and scaled on a background thread.
type CoverJob = Receiver<Result<Cover, String>>;

/// The tracklist grid's spacing between columns and rows.
const TRACK_GRID_SPACING: [f32; 2] = [6.0, 4.0];

/// The text fields of a track row.
const TRACK_FIELDS: [&str; 5] = ["disc", "position", "title", "duration", "isrc"];

/// A track field's widget id: it follows the track, so keyboard focus stays with it when
/// tracks are reordered or rows above it are not drawn.
fn track_field_id(track: TrackId, field: &str) -> egui::Id {
    egui::Id::unique(("track_field", track.0, field))
}

/// A track row's buttons, in a scope whose id follows the track (not the number of widgets
/// drawn before it), so a focused button keeps the focus while the list scrolls.
fn track_buttons_ui(
    ui: &mut egui::Ui,
    track: TrackId,
    part: &str,
    add: impl FnOnce(&mut egui::Ui),
) {
    ui.scope_builder(
        egui::UiBuilder::new()
            .scope_id(egui::Id::unique(("track_buttons", track.0, part)))
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
        add,
    );
}

/// What the tracklist keeps between frames so that it lays out only the rows in view: a long
/// tracklist costs no more per frame than a short one.
#[derive(Default)]
struct TrackRows {
    /// The height of a track row as last drawn; rows out of view take this height.
    height: Option<f32>,
    /// The tracks `field_ids` is for, in order.
    ids: Vec<TrackId>,
    /// Every track field's widget id → its track: which row holds the keyboard focus.
    field_ids: HashMap<egui::Id, TrackId>,
    /// Each row's validation, for the draft it was made from (cleared when the saved tracks
    /// change).
    errors: HashMap<TrackId, (TrackDraft, FieldErrors)>,
    /// Whether Tab or an arrow key was pressed last frame.
    navigated: bool,
    /// The track whose row held the keyboard focus last frame (in a field or on a button),
    /// and where: its row is drawn, and when Alt+Up/Down moved it, scrolled into view.
    focused_at: Option<(TrackId, usize)>,
}

impl TrackRows {
    fn refresh(&mut self, tracks: &[TrackDraft]) {
        if self.ids.len() == tracks.len() && self.ids.iter().zip(tracks).all(|(a, d)| *a == d.id) {
            return;
        }
        self.ids = tracks.iter().map(|d| d.id).collect();
        self.field_ids = tracks
            .iter()
            .flat_map(|d| TRACK_FIELDS.map(|f| (track_field_id(d.id, f), d.id)))
            .collect();
    }

    /// The draft's validation errors, validated again only when the draft changed.
    fn errors_of(&mut self, draft: &TrackDraft, saved: &Track) -> &FieldErrors {
        let entry = self.errors.entry(draft.id).or_insert_with(|| {
            (
                draft.clone(),
                draft.to_track(saved).err().unwrap_or_default(),
            )
        });
        if entry.0 != *draft {
            *entry = (
                draft.clone(),
                draft.to_track(saved).err().unwrap_or_default(),
            );
        }
        &entry.1
    }
}

pub struct ReleaseEditor {
    id: ReleaseId,
    revision: u64,
    saved: ReleaseFull,
    head: HeadDraft,
    catnos: Vec<(CatalogNumberId, CatnoDraft)>,
    formats: Vec<FormatDraft>,
    tracks: Vec<TrackDraft>,
    warnings: Vec<IdentifierWarning>,
    /// Planning warnings: formats that cannot make the release date, not a Friday.
    schedule_warnings: Vec<String>,
    /// The next catalog number, for (label, revision).
    catno_suggestion: (Option<(Option<LabelId>, u64)>, Option<String>),
    artists: Vec<(ArtistId, String)>,
    labels: Vec<Label>,
    cover_texture: Option<TextureHandle>,
    cover_path: String,
    cover_job: Option<CoverJob>,
    dialog_job: Option<Receiver<Option<PathBuf>>>,
    highlighted: Option<TrackId>,
    focused_track: Option<TrackId>,
    rows: TrackRows,
    delete_requested: bool,
    add_credit: Option<ArtistId>,
}

fn commit_or_notify<T: PartialEq>(
    ctx: &mut PanelCtx<'_>,
    what: &str,
    result: Result<T, FieldErrors>,
    saved: &T,
    change: impl FnOnce(T) -> Change,
) {
    match result {
        Ok(value) if value != *saved => ctx.send(Command::Edit(Edit::one(
            format!("Edit {what}"),
            change(value),
        ))),
        Ok(_) => {}
        Err(errors) => ctx.send(Command::Notify(format!(
            "{what} not saved: {}",
            errors.summary()
        ))),
    }
}

impl ReleaseEditor {
    /// Loads a release for editing; `None` (with a status message) if it no longer exists.
    pub fn load(ctx: &mut PanelCtx<'_>, id: ReleaseId) -> Option<Self> {
        let saved = ctx.report(crate::db::releases::load_full(ctx.catalog.conn(), id))?;
        let mut editor = Self {
            id,
            revision: ctx.revision,
            head: HeadDraft::from_release(&saved.release),
            catnos: saved
                .catnos
                .iter()
                .map(|c| (c.id, CatnoDraft::from_catno(c)))
                .collect(),
            formats: saved.formats.iter().map(FormatDraft::from_format).collect(),
            tracks: saved.tracks.iter().map(TrackDraft::from_track).collect(),
            saved,
            warnings: Vec::new(),
            schedule_warnings: Vec::new(),
            catno_suggestion: (None, None),
            artists: Vec::new(),
            labels: Vec::new(),
            cover_texture: None,
            cover_path: String::new(),
            cover_job: None,
            dialog_job: None,
            highlighted: None,
            focused_track: None,
            rows: TrackRows::default(),
            delete_requested: false,
            add_credit: None,
        };
        editor.load_lookups(ctx);
        Some(editor)
    }

    fn load_lookups(&mut self, ctx: &mut PanelCtx<'_>) {
        let conn = ctx.catalog.conn();
        self.warnings = ctx
            .report(crate::db::warnings::for_release(conn, self.id))
            .unwrap_or_default();
        self.artists = ctx
            .report(crate::db::artists::names(conn))
            .unwrap_or_default();
        self.labels = ctx
            .report(crate::db::labels::list(conn))
            .unwrap_or_default();
        let today = chrono::Local::now().date_naive();
        self.schedule_warnings = ctx
            .report(crate::db::planning::release_warnings(conn, self.id, today))
            .unwrap_or_default();
        self.cover_texture = None;
    }

    /// After an edit anywhere (or undo), re-read the release; drafts the user is still
    /// changing are kept.
    fn reload(&mut self, ctx: &mut PanelCtx<'_>) {
        let Some(saved) = ctx.report(crate::db::releases::load_full(ctx.catalog.conn(), self.id))
        else {
            return;
        };
        let old = std::mem::replace(&mut self.saved, saved);
        // Each row's validation depends on its saved track too.
        self.rows.errors.clear();
        if self.head == HeadDraft::from_release(&old.release) {
            self.head = HeadDraft::from_release(&self.saved.release);
        }
        let old_formats: HashMap<FormatId, FormatDraft> = old
            .formats
            .iter()
            .map(|f| (f.id, FormatDraft::from_format(f)))
            .collect();
        let editing_formats: HashMap<FormatId, FormatDraft> = self
            .formats
            .drain(..)
            .filter(|d| old_formats.get(&d.id) != Some(d))
            .map(|d| (d.id, d))
            .collect();
        self.formats = self
            .saved
            .formats
            .iter()
            .map(|f| {
                editing_formats
                    .get(&f.id)
                    .cloned()
                    .unwrap_or_else(|| FormatDraft::from_format(f))
            })
            .collect();
        let old_tracks: HashMap<TrackId, TrackDraft> = old
            .tracks
            .iter()
            .map(|t| (t.id, TrackDraft::from_track(t)))
            .collect();
        let editing_tracks: HashMap<TrackId, TrackDraft> = self
            .tracks
            .drain(..)
            .filter(|d| old_tracks.get(&d.id) != Some(d))
            .map(|d| (d.id, d))
            .collect();
        self.tracks = self
            .saved
            .tracks
            .iter()
            .map(|t| {
                editing_tracks
                    .get(&t.id)
                    .cloned()
                    .unwrap_or_else(|| TrackDraft::from_track(t))
            })
            .collect();
        let old_catnos: HashMap<CatalogNumberId, CatnoDraft> = old
            .catnos
            .iter()
            .map(|c| (c.id, CatnoDraft::from_catno(c)))
            .collect();
        let editing_catnos: HashMap<CatalogNumberId, CatnoDraft> = self
            .catnos
            .drain(..)
            .filter(|(id, d)| old_catnos.get(id) != Some(d))
            .collect();
        self.catnos = self
            .saved
            .catnos
            .iter()
            .map(|c| {
                (
                    c.id,
                    editing_catnos
                        .get(&c.id)
                        .cloned()
                        .unwrap_or_else(|| CatnoDraft::from_catno(c)),
                )
            })
            .collect();
        self.load_lookups(ctx);
    }

    #[must_use]
    pub fn release_id(&self) -> ReleaseId {
        self.id
    }

    #[must_use]
    pub fn title(&self) -> &str {
        &self.saved.release.title
    }

    /// True once, after the user asked to delete the release.
    pub fn wants_delete(&mut self) -> bool {
        std::mem::take(&mut self.delete_requested)
    }

    /// Scrolls to a track and marks it (global search opened it).
    pub fn highlight_track(&mut self, track: TrackId) {
        self.highlighted = Some(track);
    }

    /// Escape inside the editor: nothing of its own to close.
    pub fn close(&mut self) -> bool {
        false
    }

    /// Forget unsaved typing (the release is being deleted).
    pub fn discard_drafts(&mut self) {
        self.head = HeadDraft::from_release(&self.saved.release);
        self.formats = self
            .saved
            .formats
            .iter()
            .map(FormatDraft::from_format)
            .collect();
        self.tracks = self
            .saved
            .tracks
            .iter()
            .map(TrackDraft::from_track)
            .collect();
        self.catnos = self
            .saved
            .catnos
            .iter()
            .map(|c| (c.id, CatnoDraft::from_catno(c)))
            .collect();
    }

    fn commit_head(&self, ctx: &mut PanelCtx<'_>) {
        let saved = &self.saved.release;
        commit_or_notify(
            ctx,
            "release",
            self.head.to_release(saved),
            saved,
            Change::update_release,
        );
    }

    fn commit_format(&self, ctx: &mut PanelCtx<'_>, index: usize) {
        let (Some(draft), Some(saved)) = (self.formats.get(index), self.saved.formats.get(index))
        else {
            return;
        };
        if draft.id != saved.id {
            return;
        }
        commit_or_notify(ctx, "format", draft.to_format(saved), saved, |f| {
            Change::format(Some(saved.clone()), Some(f))
        });
    }

    fn commit_track(&self, ctx: &mut PanelCtx<'_>, id: TrackId) {
        let Some(draft) = self.tracks.iter().find(|d| d.id == id) else {
            return;
        };
        let Some(saved) = self.saved.tracks.iter().find(|t| t.id == id) else {
            return;
        };
        commit_or_notify(ctx, "track", draft.to_track(saved), saved, |t| {
            Change::track(Some(saved.clone()), Some(t))
        });
    }

    fn commit_catno(&self, ctx: &mut PanelCtx<'_>, id: CatalogNumberId) {
        let Some((_, draft)) = self.catnos.iter().find(|(cid, _)| *cid == id) else {
            return;
        };
        let Some(saved) = self.saved.catnos.iter().find(|c| c.id == id) else {
            return;
        };
        commit_or_notify(ctx, "catalog number", draft.to_catno(saved), saved, |c| {
            Change::catno(self.id, Some(saved.clone()), Some(c))
        });
    }

    /// Saves every changed, valid draft; invalid ones are reported and not saved.
    pub fn flush(&mut self, ctx: &mut PanelCtx<'_>) {
        self.commit_head(ctx);
        for index in 0..self.formats.len() {
            self.commit_format(ctx, index);
        }
        for id in self.tracks.iter().map(|t| t.id).collect::<Vec<_>>() {
            self.commit_track(ctx, id);
        }
        for id in self.catnos.iter().map(|(id, _)| *id).collect::<Vec<_>>() {
            self.commit_catno(ctx, id);
        }
        // What was saved becomes the baseline, so a second flush sends nothing.
        self.discard_drafts_if_valid();
    }

    fn discard_drafts_if_valid(&mut self) {
        if self.head.to_release(&self.saved.release).is_ok() {
            self.head = HeadDraft::from_release(&self.saved.release);
        }
    }

    fn warnings_at(&self, at: WarningAt) -> impl Iterator<Item = &IdentifierWarning> {
        self.warnings.iter().filter(move |w| w.at == at)
    }

    fn warnings_ui(&self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>, at: WarningAt) {
        for warning in self.warnings_at(at) {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!("Warning: {}", warning.message))
                        .color(theme::warn_color(ui))
                        .small(),
                );
                if ui.small_button("Open").clicked() {
                    ctx.send(Command::Open(Target::Release(warning.other_release)));
                }
            });
        }
    }

    /// Draws the editor; returns true when the user closed it.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) -> bool {
        if ctx.revision != self.revision {
            self.revision = ctx.revision;
            self.reload(ctx);
        }
        self.poll_cover_jobs(ui.ctx(), ctx);
        let mut close = false;
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            self.cover_ui(ui, ctx);
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    ui.heading(RichText::new(&self.saved.release.title).strong());
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::TOP), |ui| {
                        if ui
                            .button("Close")
                            .on_hover_text("Close the editor (Esc)")
                            .clicked()
                        {
                            close = true;
                        }
                    });
                });
                let dark = ui.visuals().dark_mode;
                let status = self.saved.release.status;
                widgets::badge_ui(
                    ui,
                    status.label(),
                    theme::release_status_color(status, dark),
                );
                let credit: Vec<&str> = self
                    .saved
                    .artists
                    .iter()
                    .filter(|c| c.role == ArtistRole::Primary)
                    .filter_map(|c| {
                        self.artists
                            .iter()
                            .find(|(id, _)| *id == c.artist_id)
                            .map(|(_, n)| n.as_str())
                    })
                    .collect();
                if !credit.is_empty() {
                    ui.label(credit.join(" & "));
                }
            });
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("release_editor_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.head_ui(ui, ctx);
                ui.add_space(theme::SECTION_GAP);
                self.credits_ui(ui, ctx);
                ui.add_space(theme::SECTION_GAP);
                self.catnos_ui(ui, ctx);
                ui.add_space(theme::SECTION_GAP);
                self.formats_ui(ui, ctx);
                ui.add_space(theme::SECTION_GAP);
                self.tracks_ui(ui, ctx);
                ui.add_space(theme::SECTION_GAP * 2.0);
                ui.separator();
                if ui
                    .button(RichText::new("Delete release…").color(theme::error_color(ui)))
                    .clicked()
                {
                    self.delete_requested = true;
                }
                ui.add_space(24.0);
            });
        close
    }

    fn head_ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        for warning in &self.schedule_warnings {
            ui.label(RichText::new(warning).color(theme::warn_color(ui)));
        }
        let errors = self
            .head
            .to_release(&self.saved.release)
            .err()
            .unwrap_or_default();
        let mut commit = false;
        egui::Grid::new("release_head")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .min_col_width(90.0)
            .show(ui, |ui| {
                commit |= widgets::field_ui(ui, "Title", &mut self.head.title, errors.get("title"))
                    .lost_focus();
                commit |= widgets::choice_row_ui(
                    ui,
                    "Type",
                    &mut self.head.release_type,
                    ReleaseType::ALL,
                    |t| t.label().to_owned(),
                );
                commit |= widgets::choice_row_ui(
                    ui,
                    "Status",
                    &mut self.head.status,
                    ReleaseStatus::ALL,
                    |s| s.label().to_owned(),
                );
                commit |=
                    widgets::field_ui(ui, "Release date", &mut self.head.date, errors.get("date"))
                        .lost_focus();
                ui.label("Label");
                let mut label_id = self.head.label_id;
                let name = |id: Option<LabelId>| {
                    id.and_then(|id| self.labels.iter().find(|l| l.id == id))
                        .map_or("No label", |l| l.name.as_str())
                };
                let response = egui::ComboBox::from_id_salt("release_label")
                    .selected_text(name(label_id))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut label_id, None, "No label");
                        for l in &self.labels {
                            ui.selectable_value(&mut label_id, Some(l.id), &l.name);
                        }
                    })
                    .response;
                widgets::name_widget(&response, egui::Role::ComboBox, "Label");
                ui.end_row();
                if label_id != self.head.label_id {
                    self.head.label_id = label_id;
                    commit = true;
                }
                commit |=
                    widgets::multiline_field_ui(ui, "Notes", &mut self.head.notes, 2).lost_focus();
            });
        if commit {
            self.commit_head(ctx);
        }
    }

    fn credits_ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        ui.label(RichText::new("Artists").strong());
        let mut credits = self.saved.artists.clone();
        let mut changed = false;
        let mut remove = None;
        for (i, credit) in credits.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                let name = self
                    .artists
                    .iter()
                    .find(|(id, _)| *id == credit.artist_id)
                    .map_or("?", |(_, n)| n.as_str());
                ui.label(name);
                changed |= widgets::choice_ui(
                    ui,
                    "Role",
                    ("credit_role", i),
                    &mut credit.role,
                    ArtistRole::ALL,
                    |r| r.label().to_owned(),
                );
                if ui.small_button("Remove").clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            credits.remove(i);
            changed = true;
        }
        ui.horizontal(|ui| {
            let label = ui.label("Add artist");
            let chosen = self
                .add_credit
                .and_then(|id| self.artists.iter().find(|(a, _)| *a == id))
                .map(|(_, n)| n.clone());
            egui::ComboBox::from_id_salt("add_credit")
                .selected_text(chosen.unwrap_or_else(|| "Choose…".to_owned()))
                .show_ui(ui, |ui| {
                    for (id, name) in &self.artists {
                        ui.selectable_value(&mut self.add_credit, Some(*id), name);
                    }
                })
                .response
                .labelled_by(label.id);
            if let Some(id) = self.add_credit.take()
                && credits
                    .iter()
                    .all(|c| c.artist_id != id || c.role != ArtistRole::Primary)
            {
                {
                    credits.push(ReleaseArtist {
                        artist_id: id,
                        role: ArtistRole::Primary,
                    });
                    changed = true;
                }
            }
        });
        if changed {
            ctx.send(Command::Edit(Edit::one(
                "Edit artists of release",
                Change::set_credits(self.id, credits),
            )));
        }
    }

    fn own_label(&self) -> Option<&Label> {
        self.head
            .label_id
            .and_then(|id| self.labels.iter().find(|l| l.id == id))
            .or_else(|| self.labels.iter().find(|l| l.is_own))
    }

    fn catnos_ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        ui.label(RichText::new("Catalog numbers").strong());
        let mut commit = None;
        let mut remove = None;
        let format_names: Vec<(FormatId, String)> = self
            .saved
            .formats
            .iter()
            .map(|f| (f.id, f.display_name()))
            .collect();
        for (id, draft) in &mut self.catnos {
            let error = CatalogNumber::parse(&draft.text)
                .err()
                .map(|e| e.to_string());
            ui.horizontal(|ui| {
                if cell_field_ui(
                    ui,
                    "Catalog number",
                    &mut draft.text,
                    error.as_deref(),
                    120.0,
                )
                .lost_focus()
                {
                    commit = Some(*id);
                }
                let selected = draft
                    .format_id
                    .and_then(|f| format_names.iter().find(|(id, _)| *id == f))
                    .map_or("All formats", |(_, n)| n.as_str());
                let mut format_id = draft.format_id;
                let response = egui::ComboBox::from_id_salt(("catno_format", id.0))
                    .selected_text(selected)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut format_id, None, "All formats");
                        for (fid, name) in &format_names {
                            ui.selectable_value(&mut format_id, Some(*fid), name);
                        }
                    })
                    .response;
                widgets::name_widget(&response, egui::Role::ComboBox, "Catalog number's format");
                if format_id != draft.format_id {
                    draft.format_id = format_id;
                    commit = Some(*id);
                }
                if ui.small_button("Remove").clicked() {
                    remove = Some(*id);
                }
            });
            if let Some(error) = &error {
                ui.label(RichText::new(error).color(theme::error_color(ui)).small());
            }
        }
        for (id, _) in &self.catnos {
            self.warnings_ui(ui, ctx, WarningAt::CatalogNumber(*id));
        }
        if let Some(id) = commit {
            self.commit_catno(ctx, id);
        }
        if let Some(id) = remove
            && let Some(saved) = self.saved.catnos.iter().find(|c| c.id == id)
        {
            ctx.send(Command::Edit(Edit::one(
                "Remove catalog number",
                Change::catno(self.id, Some(saved.clone()), None),
            )));
        }
        let label = self.own_label().cloned();
        // Scanning the label's catalog numbers is not a per-frame job: once per label and edit.
        let key = (label.as_ref().map(|l| l.id), ctx.revision);
        if self.catno_suggestion.0 != Some(key) {
            let suggestion = label.as_ref().and_then(|l| {
                ctx.report(crate::db::catnos::suggest_next(ctx.catalog.conn(), l.id))
                    .flatten()
            });
            self.catno_suggestion = (Some(key), suggestion);
        }
        let suggestion = self.catno_suggestion.1.clone();
        ui.horizontal(|ui| {
            let text = suggestion
                .as_ref()
                .map_or_else(|| "Add catalog number".to_owned(), |s| format!("Add {s}"));
            if ui
                .button(text)
                .on_hover_text("The next number from your label's prefix")
                .clicked()
            {
                let catno = suggestion.clone().unwrap_or_else(|| "NEW001".to_owned());
                if let Ok(catno) = CatalogNumber::parse(&catno) {
                    let row = ReleaseCatalogNumber {
                        id: CatalogNumberId::UNSAVED,
                        label_id: label.as_ref().map(|l| l.id),
                        format_id: None,
                        catno,
                    };
                    ctx.send(Command::Edit(Edit::one(
                        "Add catalog number",
                        Change::catno(self.id, None, Some(row)),
                    )));
                }
            }
            if label.as_ref().is_none_or(|l| l.catno_prefix.is_empty()) {
                widgets::hint_ui(
                    ui,
                    "Set a catalog-number prefix on your label to get suggestions.",
                );
            }
        });
    }

    fn formats_ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        ui.label(RichText::new("Formats").strong());
        let mut commit = None;
        let mut remove = None;
        for (index, draft) in self.formats.iter_mut().enumerate() {
            let Some(saved) = self.saved.formats.get(index) else {
                continue;
            };
            let errors = draft.to_format(saved).err().unwrap_or_default();
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                egui::Grid::new(("format", draft.id.0))
                    .num_columns(4)
                    .spacing([10.0, 4.0])
                    .show(ui, |ui| {
                        ui.label("Kind");
                        if widgets::choice_ui(
                            ui,
                            "Format kind",
                            ("format_kind", draft.id.0),
                            &mut draft.kind,
                            FormatKind::ALL,
                            |k| k.label().to_owned(),
                        ) {
                            commit = Some(index);
                        }
                        ui.label("Variant");
                        if cell_field_ui(
                            ui,
                            "Variant",
                            &mut draft.variant,
                            errors.get("variant"),
                            150.0,
                        )
                        .lost_focus()
                        {
                            commit = Some(index);
                        }
                        ui.end_row();
                        ui.label("Barcode");
                        if cell_field_ui(
                            ui,
                            "Barcode",
                            &mut draft.barcode,
                            errors.get("barcode"),
                            150.0,
                        )
                        .lost_focus()
                        {
                            commit = Some(index);
                        }
                        ui.label("Discs");
                        if cell_field_ui(ui, "Discs", &mut draft.discs, errors.get("discs"), 40.0)
                            .lost_focus()
                        {
                            commit = Some(index);
                        }
                        ui.end_row();
                        ui.label("Retail");
                        ui.horizontal(|ui| {
                            if cell_field_ui(
                                ui,
                                "Retail price",
                                &mut draft.retail,
                                errors.get("retail"),
                                80.0,
                            )
                            .lost_focus()
                            {
                                commit = Some(index);
                            }
                            if cell_field_ui(
                                ui,
                                "Currency",
                                &mut draft.currency,
                                errors.get("currency"),
                                48.0,
                            )
                            .lost_focus()
                            {
                                commit = Some(index);
                            }
                        });
                        ui.label("Dealer");
                        if cell_field_ui(
                            ui,
                            "Dealer price",
                            &mut draft.dealer,
                            errors.get("dealer"),
                            80.0,
                        )
                        .lost_focus()
                        {
                            commit = Some(index);
                        }
                        ui.end_row();
                        ui.label("Own date");
                        if cell_field_ui(
                            ui,
                            "Format release date",
                            &mut draft.date,
                            errors.get("date"),
                            100.0,
                        )
                        .lost_focus()
                        {
                            commit = Some(index);
                        }
                        ui.label("Pressed");
                        if cell_field_ui(
                            ui,
                            "Pressed quantity",
                            &mut draft.pressed,
                            errors.get("pressed"),
                            80.0,
                        )
                        .lost_focus()
                        {
                            commit = Some(index);
                        }
                        ui.end_row();
                    });
                for (_, message) in &errors.0 {
                    ui.label(RichText::new(message).color(theme::error_color(ui)).small());
                }
                ui.horizontal(|ui| {
                    if ui.small_button("Remove format").clicked() {
                        remove = Some(index);
                    }
                });
            });
        }
        for draft in &self.formats {
            self.warnings_ui(ui, ctx, WarningAt::Barcode(draft.id));
        }
        if let Some(index) = commit {
            self.commit_format(ctx, index);
        }
        if let Some(saved) = remove.and_then(|i| self.saved.formats.get(i)) {
            ctx.send(Command::Edit(Edit::one(
                "Remove format",
                Change::format(Some(saved.clone()), None),
            )));
        }
        ui.horizontal(|ui| {
            ui.menu_button("Add format", |ui| {
                for &kind in FormatKind::ALL {
                    if ui.button(kind.label()).clicked() {
                        let mut format = Format::new(self.id, kind);
                        if let Some(label) = self.own_label() {
                            format.currency = label.currency;
                        }
                        ctx.send(Command::Edit(Edit::one(
                            format!("Add {} format", kind.label()),
                            Change::format(None, Some(format)),
                        )));
                        ui.close();
                    }
                }
            });
        });
    }

    fn move_track(&self, ctx: &mut PanelCtx<'_>, id: TrackId, up: bool) {
        let mut order: Vec<TrackId> = self.saved.tracks.iter().map(|t| t.id).collect();
        let Some(pos) = order.iter().position(|t| *t == id) else {
            return;
        };
        let target = if up {
            pos.checked_sub(1)
        } else {
            (pos + 1 < order.len()).then_some(pos + 1)
        };
        if let Some(target) = target {
            self.commit_track(ctx, id);
            order.swap(pos, target);
            ctx.send(Command::Edit(Edit::one(
                "Move track",
                Change::reorder_tracks(self.id, order),
            )));
        }
    }

    fn assign_isrc(&mut self, ctx: &mut PanelCtx<'_>, id: TrackId) {
        let Some(label) = self.own_label().cloned() else {
            ctx.send(Command::Notify(
                "Set up your label with an ISRC registrant code to assign ISRCs".to_owned(),
            ));
            return;
        };
        let year = u8::try_from(chrono::Local::now().year().rem_euclid(100)).unwrap_or(0);
        let pending: Vec<_> = self
            .tracks
            .iter()
            .filter_map(|d| crate::model::Isrc::parse(&d.isrc).ok())
            .collect();
        match crate::db::tracks::suggest_next_isrc_excluding(
            ctx.catalog.conn(),
            label.id,
            year,
            &pending,
        ) {
            Ok(Some(isrc)) => {
                if let Some(draft) = self.tracks.iter_mut().find(|d| d.id == id) {
                    draft.isrc = isrc.to_string();
                }
                self.commit_track(ctx, id);
            }
            Ok(None) => ctx.send(Command::Notify(format!(
                "{} has no ISRC registrant code yet: set it to assign ISRCs",
                label.name
            ))),
            Err(e) => ctx.send(Command::Error(e.to_string())),
        }
    }

    fn tracks_ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        ui.label(RichText::new("Tracklist").strong());
        // Alt+Up/Down moves the track whose field has the keyboard focus.
        if let Some(id) = self.focused_track {
            let (up, down) = ui.input_mut(|i| {
                (
                    i.consume_key(Modifiers::ALT, Key::ArrowUp),
                    i.consume_key(Modifiers::ALT, Key::ArrowDown),
                )
            });
            if up || down {
                self.move_track(ctx, id, up);
            }
        }
        let mut commit = None;
        let mut remove = None;
        let mut moves = None;
        let mut assign = None;
        let mut focused = None;
        let weak = theme::weak_color(ui);
        let total = self.tracks.len();
        // A disc column only for multi-disc releases (2×LP, double CD).
        let multi_disc = self.saved.formats.iter().any(|f| f.discs > 1)
            || self.saved.tracks.iter().any(|t| t.disc > 1);
        // Only the rows in view are laid out (a field costs the same whether it is seen or
        // not); the others take their height, so the scroll bar and the positions stay right.
        // Also drawn, wherever they are: the first row, the row with the keyboard focus and its
        // neighbours (Tab, Shift+Tab and the arrow keys move there, and a focused widget not
        // drawn for a frame loses the focus without saving), the last row while the keyboard
        // moves the focus (Shift+Tab enters the list there, a frame later), and a row that
        // search asked to show.
        self.rows.refresh(&self.tracks);
        let navigating = ui.input(|i| {
            [Key::Tab, Key::ArrowUp, Key::ArrowDown]
                .into_iter()
                .any(|k| i.key_pressed(k))
        });
        let index_of = |id: TrackId| self.tracks.iter().position(|d| d.id == id);
        let focus_holder = ui
            .memory(egui::Memory::focused)
            .and_then(|f| self.rows.field_ids.get(&f).copied());
        // The first row always: every row has the same columns, so one drawn row gives the
        // grid (and the panel) its width.
        let mut keep: Vec<usize> = vec![0];
        if navigating || self.rows.navigated {
            keep.push(total.saturating_sub(1));
        }
        self.rows.navigated = navigating;
        for index in [focus_holder, self.rows.focused_at.map(|(id, _)| id)]
            .into_iter()
            .flatten()
            .filter_map(index_of)
        {
            keep.extend([index.saturating_sub(1), index, index + 1]);
        }
        keep.extend(self.highlighted.and_then(index_of));
        let clip = ui.clip_rect();
        let row_gap = TRACK_GRID_SPACING[1];
        let mut row_height = self.rows.height.unwrap_or(ui.spacing().interact_size.y);
        let mut measured = None;
        let mut assign_width_kept = false;
        // The row holding the keyboard focus, in a field or on a button.
        let mut focused_row = None;
        let mut scroll_to = None;
        let rows = &mut self.rows;
        let saved_tracks = &self.saved.tracks;
        let highlighted = &mut self.highlighted;
        egui::Grid::new("tracklist")
            .num_columns(if multi_disc { 7 } else { 6 })
            .spacing(TRACK_GRID_SPACING)
            .striped(true)
            .show(ui, |ui| {
                if multi_disc {
                    ui.label(RichText::new("Disc").color(weak).small());
                }
                for h in ["Pos", "Title", "Time", "ISRC", "", ""] {
                    ui.label(RichText::new(h).color(weak).small());
                }
                ui.end_row();
                for (index, draft) in self.tracks.iter_mut().enumerate() {
                    let Some(saved) = saved_tracks
                        .get(index)
                        .filter(|t| t.id == draft.id)
                        .or_else(|| saved_tracks.iter().find(|t| t.id == draft.id))
                    else {
                        continue;
                    };
                    let errors = rows.errors_of(draft, saved);
                    let top = ui.cursor().top();
                    let in_view = top + row_height >= clip.top() && top <= clip.bottom();
                    if !in_view && !keep.contains(&index) {
                        ui.allocate_space(egui::vec2(0.0, row_height));
                        // The "Assign ISRC" column is as wide as its button wherever a track
                        // has no ISRC, drawn or not: an invisible button keeps the width.
                        if !assign_width_kept && draft.isrc.trim().is_empty() {
                            for _ in 1..if multi_disc { 5 } else { 4 } {
                                ui.allocate_space(egui::Vec2::ZERO);
                            }
                            ui.scope_builder(egui::UiBuilder::new().invisible(), |ui| {
                                ui.horizontal(|ui| ui.small_button("Assign ISRC"));
                            });
                            assign_width_kept = true;
                        }
                        ui.end_row();
                    } else {
                        let n = index + 1;
                        let id = draft.id;
                        let mut responses = Vec::with_capacity(9);
                        if multi_disc {
                            responses.push(widgets::cell_field_with_id_ui(
                                ui,
                                track_field_id(id, "disc"),
                                &format!("Disc of track {n}"),
                                &mut draft.disc,
                                errors.get("disc"),
                                30.0,
                            ));
                        }
                        responses.push(widgets::cell_field_with_id_ui(
                            ui,
                            track_field_id(id, "position"),
                            &format!("Position of track {n}"),
                            &mut draft.position,
                            errors.get("position"),
                            38.0,
                        ));
                        let title = widgets::cell_field_with_id_ui(
                            ui,
                            track_field_id(id, "title"),
                            &format!("Title of track {n}"),
                            &mut draft.title,
                            errors.get("title"),
                            210.0,
                        );
                        if *highlighted == Some(id) {
                            title.scroll_to_me(Some(egui::Align::Center));
                            title.request_focus();
                            *highlighted = None;
                        }
                        responses.push(title);
                        responses.push(widgets::cell_field_with_id_ui(
                            ui,
                            track_field_id(id, "duration"),
                            &format!("Duration of track {n}"),
                            &mut draft.duration,
                            errors.get("duration"),
                            70.0,
                        ));
                        responses.push(widgets::cell_field_with_id_ui(
                            ui,
                            track_field_id(id, "isrc"),
                            &format!("ISRC of track {n}"),
                            &mut draft.isrc,
                            errors.get("isrc"),
                            132.0,
                        ));
                        let fields = responses.len();
                        // The buttons' ids follow the track, not the rows drawn above it, so
                        // a focused button keeps the focus while the list scrolls.
                        ui.horizontal(|ui| {
                            if draft.isrc.trim().is_empty() {
                                track_buttons_ui(ui, id, "assign", |ui| {
                                    let button = ui.small_button("Assign ISRC");
                                    if button.clicked() {
                                        assign = Some(id);
                                    }
                                    responses.push(button);
                                });
                            }
                        });
                        ui.horizontal(|ui| {
                            track_buttons_ui(ui, id, "order", |ui| {
                                let up = ui
                                    .add_enabled(index > 0, egui::Button::new("Up").small())
                                    .on_hover_text("Move up (Alt+Up)");
                                if up.clicked() {
                                    moves = Some((id, true));
                                }
                                let down = ui
                                    .add_enabled(
                                        index + 1 < total,
                                        egui::Button::new("Down").small(),
                                    )
                                    .on_hover_text("Move down (Alt+Down)");
                                if down.clicked() {
                                    moves = Some((id, false));
                                }
                                let remove_button =
                                    ui.small_button("Remove").on_hover_text("Remove this track");
                                if remove_button.clicked() {
                                    remove = Some(id);
                                }
                                responses.extend([up, down, remove_button]);
                            });
                        });
                        ui.end_row();
                        measured = Some(ui.cursor().top() - top - row_gap);
                        row_height = measured.unwrap_or(row_height);
                        for (i, r) in responses.iter().enumerate() {
                            let field = i < fields;
                            if field && r.lost_focus() {
                                commit = Some(id);
                            }
                            if r.has_focus() {
                                if field {
                                    focused = Some(id);
                                }
                                focused_row = Some((id, index, r.rect));
                            }
                            // Tab to a row at the edge of the view scrolls it into view.
                            if r.gained_focus() && !clip.contains_rect(r.rect) {
                                scroll_to = Some(r.rect);
                            }
                        }
                    }
                    if !errors.is_empty() {
                        ui.label("");
                        ui.label(
                            RichText::new(errors.summary())
                                .color(theme::error_color(ui))
                                .small(),
                        );
                        ui.end_row();
                    }
                }
            });
        if measured.is_some() {
            self.rows.height = measured;
        }
        // A focused track moved by Alt+Up/Down stays in view.
        if let Some((id, index, rect)) = focused_row {
            let reordered = self
                .rows
                .focused_at
                .is_some_and(|(was, at)| was == id && at != index);
            if reordered && !clip.contains_rect(rect) {
                scroll_to = Some(rect);
            }
        }
        self.rows.focused_at = focused_row.map(|(id, index, _)| (id, index));
        if let Some(rect) = scroll_to {
            ui.scroll_to_rect(rect, None);
        }
        self.focused_track = focused;
        for draft in &self.tracks {
            self.warnings_ui(ui, ctx, WarningAt::Isrc(draft.id));
        }
        if let Some(id) = commit {
            self.commit_track(ctx, id);
        }
        if let Some((id, up)) = moves {
            self.move_track(ctx, id, up);
        }
        if let Some(id) = assign {
            self.assign_isrc(ctx, id);
        }
        if let Some(saved) = remove.and_then(|id| self.saved.tracks.iter().find(|t| t.id == id)) {
            ctx.send(Command::Edit(Edit::one(
                format!("Remove track “{}”", saved.title),
                Change::track(Some(saved.clone()), None),
            )));
        }
        // Totals per side and for the release, from what is saved.
        let sides = durations_by_side(&self.saved.tracks);
        let total_time: TrackDuration = self.saved.tracks.iter().filter_map(|t| t.duration).sum();
        ui.horizontal_wrapped(|ui| {
            if sides.len() > 1 {
                for (side, time) in &sides {
                    ui.label(RichText::new(format!("Side {side}: {time}")).color(weak));
                }
                ui.separator();
            }
            ui.label(
                RichText::new(format!(
                    "{} tracks, total {total_time}",
                    self.saved.tracks.len()
                ))
                .strong(),
            );
        });
        if ui.button("Add track").clicked() {
            self.add_track(ctx);
        }
    }

    fn add_track(&self, ctx: &mut PanelCtx<'_>) {
        let seq = self
            .saved
            .tracks
            .iter()
            .map(|t| t.seq + 1)
            .max()
            .unwrap_or(0);
        let mut track = Track::new(
            self.id,
            seq,
            format!("Track {}", self.saved.tracks.len() + 1),
        );
        // Continue the side numbering (A3 after A2), else count.
        if let Some(last) = self.saved.tracks.last() {
            track.disc = last.disc;
            track.position = next_position(&last.position)
                .unwrap_or_else(|| (self.saved.tracks.len() + 1).to_string());
        }
        ctx.send(Command::Edit(Edit::one(
            "Add track",
            Change::track(None, Some(track)),
        )));
    }

    fn cover_ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        let size = egui::vec2(96.0, 96.0);
        if self.cover_texture.is_none()
            && let Some(cover) = &self.saved.cover
            && let Ok(image) = crate::io::cover::decode_for_display(&cover.thumbnail)
        {
            self.cover_texture = Some(ui.ctx().load_texture(
                format!("cover-{}", self.id.0),
                image,
                egui::TextureOptions::LINEAR,
            ));
        }
        ui.vertical(|ui| {
            if let Some(texture) = &self.cover_texture {
                ui.add(egui::Image::new(texture).fit_to_exact_size(size));
            } else {
                {
                    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
                    ui.painter().rect_stroke(
                        rect,
                        4.0,
                        ui.visuals().widgets.noninteractive.bg_stroke,
                        egui::StrokeKind::Inside,
                    );
                    ui.painter().text(
                        rect.center(),
                        egui::Align2::CENTER_CENTER,
                        "No cover",
                        egui::FontId::proportional(12.0),
                        theme::weak_color(ui),
                    );
                }
            }
            if self.cover_job.is_some() {
                ui.spinner();
            }
            ui.menu_button("Cover", |ui| {
                ui.set_min_width(260.0);
                if ui.button("Choose image…").clicked() {
                    self.choose_cover_file();
                    ui.close();
                }
                widgets::hint_ui(ui, "…or drop a PNG/JPEG on the window, or type its path:");
                ui.horizontal(|ui| {
                    let label = ui.label("Cover file");
                    ui.add(egui::TextEdit::singleline(&mut self.cover_path).desired_width(160.0))
                        .labelled_by(label.id);
                    if ui.button("Use").clicked() && !self.cover_path.trim().is_empty() {
                        self.start_cover_import(PathBuf::from(self.cover_path.trim()));
                        ui.close();
                    }
                });
                if self.saved.cover.is_some() && ui.button("Remove cover").clicked() {
                    ctx.send(Command::Edit(Edit::one(
                        "Remove cover",
                        Change::cover(self.id, None),
                    )));
                    ui.close();
                }
            });
        });
        let dropped: Vec<PathBuf> = ui.ctx().input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| crate::io::cover::is_image_path(p))
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            self.start_cover_import(path);
        }
    }

    /// Opens the system file dialog on its own thread, so the window keeps drawing.
    fn choose_cover_file(&mut self) {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("cover-file-dialog".to_owned())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .add_filter("Images", &["png", "jpg", "jpeg"])
                    .pick_file();
                let _ = tx.send(picked);
            });
        if spawned.is_ok() {
            self.dialog_job = Some(rx);
        }
    }

    /// Reads and scales a cover on a background thread.
    fn start_cover_import(&mut self, path: PathBuf) {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("cover-import".to_owned())
            .spawn(move || {
                let _ = tx.send(crate::io::cover::from_file(&path).map_err(|e| e.to_string()));
            });
        if spawned.is_ok() {
            self.cover_job = Some(rx);
        }
    }

    fn poll_cover_jobs(&mut self, egui_ctx: &egui::Context, ctx: &mut PanelCtx<'_>) {
        if let Some(rx) = &self.dialog_job {
            match rx.try_recv() {
                Ok(Some(path)) => {
                    self.dialog_job = None;
                    self.start_cover_import(path);
                }
                Ok(None) => {
                    self.dialog_job = None;
                    ctx.send(Command::Notify(
                        "No file chosen. If no dialog appeared, type the image's path under Cover, or drop it on the window."
                            .to_owned(),
                    ));
                }
                Err(TryRecvError::Empty) => {
                    egui_ctx.request_repaint_after(std::time::Duration::from_millis(100));
                }
                Err(TryRecvError::Disconnected) => self.dialog_job = None,
            }
        }
        if let Some(rx) = &self.cover_job {
            match rx.try_recv() {
                Ok(Ok(cover)) => {
                    self.cover_job = None;
                    self.cover_path.clear();
                    ctx.send(Command::Edit(Edit::one(
                        "Set cover",
                        Change::cover(self.id, Some(cover)),
                    )));
                }
                Ok(Err(message)) => {
                    self.cover_job = None;
                    ctx.send(Command::Error(message));
                }
                Err(TryRecvError::Empty) => {
                    egui_ctx.request_repaint_after(std::time::Duration::from_millis(50));
                }
                Err(TryRecvError::Disconnected) => self.cover_job = None,
            }
        }
    }
}

/// The position after `A2` is `A3`; after `12` it is `13`.
fn next_position(position: &str) -> Option<String> {
    let split = position.find(|c: char| c.is_ascii_digit())?;
    let (side, number) = position.split_at(split);
    let n: u32 = number.parse().ok()?;
    Some(format!("{side}{}", n + 1))
}

#[cfg(test)]
mod tests {
    use super::next_position;

    #[test]
    fn positions_continue_on_the_same_side() {
        assert_eq!(next_position("A2").as_deref(), Some("A3"));
        assert_eq!(next_position("12").as_deref(), Some("13"));
        assert_eq!(next_position("B").as_deref(), None);
    }
}
