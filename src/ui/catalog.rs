//! The Catalog panel: the releases table (virtualized; only the rows on screen are queried)
//! with filters and sorting, and the release editor beside it.

use std::collections::HashMap;

use egui::{RichText, TextureHandle};
use egui_extras::{Column, TableBuilder};

use super::release_editor::ReleaseEditor;
use super::widgets::{self, Answer};
use super::{PanelCtx, theme};
use crate::command::Command;
use crate::db::releases::{ReleaseFilter, ReleaseRow, ReleaseSort};
use crate::model::{FormatKind, Release, ReleaseId, ReleaseStatus, TrackId};
use crate::undo::{Change, Edit};

/// Rows fetched per query; the cache holds a few pages around what is visible.
pub const PAGE_ROWS: u64 = 50;
const MAX_CACHED_PAGES: usize = 6;
const MAX_THUMBNAILS: usize = 200;

/// UI state remembered between runs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CatalogState {
    pub filter: ReleaseFilter,
    pub selected: Option<ReleaseId>,
}

/// Pages of the releases table for one (filter, revision).
#[derive(Default)]
struct PageCache {
    key: Option<(ReleaseFilter, u64)>,
    total: u64,
    pages: HashMap<u64, Vec<ReleaseRow>>,
    /// Rows read from the catalog since the key last changed (tests assert on it).
    fetched: u64,
}

impl PageCache {
    fn refresh(&mut self, ctx: &mut PanelCtx<'_>, filter: &ReleaseFilter) {
        let key = (filter.clone(), ctx.revision);
        if self.key.as_ref() != Some(&key) {
            self.pages.clear();
            self.fetched = 0;
            self.total = ctx
                .report(crate::db::releases::count(ctx.catalog.conn(), filter))
                .unwrap_or(0);
            self.key = Some(key);
        }
    }

    fn row(
        &mut self,
        ctx: &mut PanelCtx<'_>,
        filter: &ReleaseFilter,
        index: u64,
    ) -> Option<&ReleaseRow> {
        let page = index / PAGE_ROWS;
        if !self.pages.contains_key(&page) {
            if self.pages.len() >= MAX_CACHED_PAGES {
                // Drop the page farthest from the one needed.
                if let Some(&far) = self.pages.keys().max_by_key(|p| p.abs_diff(page)) {
                    self.pages.remove(&far);
                }
            }
            let rows = ctx.report(crate::db::releases::page(
                ctx.catalog.conn(),
                filter,
                page * PAGE_ROWS,
                PAGE_ROWS,
            ))?;
            self.fetched += rows.len() as u64;
            self.pages.insert(page, rows);
        }
        let offset = usize::try_from(index % PAGE_ROWS).ok()?;
        self.pages.get(&page)?.get(offset)
    }
}

pub struct CatalogPanel {
    filter: ReleaseFilter,
    selected: Option<ReleaseId>,
    cache: PageCache,
    years: (u64, Vec<i32>),
    editor: Option<ReleaseEditor>,
    scroll_to_selected: bool,
    thumbnails: HashMap<ReleaseId, Option<TextureHandle>>,
    thumbnails_revision: u64,
    confirm_delete: Option<(ReleaseId, String)>,
    pending_track_focus: Option<TrackId>,
}

impl CatalogPanel {
    #[must_use]
    pub fn restore(state: CatalogState) -> Self {
        Self {
            filter: state.filter,
            selected: state.selected,
            cache: PageCache::default(),
            years: (0, Vec::new()),
            editor: None,
            scroll_to_selected: state.selected.is_some(),
            thumbnails: HashMap::new(),
            thumbnails_revision: 0,
            confirm_delete: None,
            pending_track_focus: None,
        }
    }

    #[must_use]
    pub fn state(&self) -> CatalogState {
        CatalogState {
            filter: self.filter.clone(),
            selected: self.selected,
        }
    }

    /// Rows read from the catalog for the table since the filter or data last changed.
    #[must_use]
    pub fn rows_fetched(&self) -> u64 {
        self.cache.fetched
    }

    /// The release open in the editor.
    #[must_use]
    pub fn selected(&self) -> Option<ReleaseId> {
        self.selected
    }

    /// Saves every pending valid draft of the open release.
    pub fn flush(&mut self, ctx: &mut PanelCtx<'_>) {
        if let Some(editor) = &mut self.editor {
            editor.flush(ctx);
        }
    }

    /// Shows a release (and optionally highlights one of its tracks).
    pub fn open(&mut self, release: ReleaseId, track: Option<TrackId>) {
        if self.selected != Some(release) {
            self.editor = None;
        }
        self.selected = Some(release);
        self.scroll_to_selected = true;
        self.pending_track_focus = track;
        // Make sure the release is visible: a narrower filter could hide it.
        self.filter.text.clear();
        self.filter.status = None;
        self.filter.format = None;
        self.filter.year = None;
        self.filter.artist = None;
    }

    /// Ctrl+N: a new release, opened in the editor.
    pub fn new_item(&mut self, ctx: &mut PanelCtx<'_>) {
        self.flush(ctx);
        let mut release = Release::new("New release");
        release.label_id = crate::db::labels::own(ctx.catalog.conn())
            .ok()
            .flatten()
            .map(|l| l.id);
        ctx.send(Command::EditAndOpen(Edit::one(
            "Add release",
            Change::add_release(release),
        )));
    }

    /// Delete key: confirm deleting the selected release.
    pub fn request_delete(&mut self) {
        if let (Some(id), Some(editor)) = (self.selected, &self.editor) {
            self.confirm_delete = Some((id, editor.title().to_owned()));
        }
    }

    /// Escape: close a dialog, else close the editor.
    pub fn close(&mut self) -> bool {
        if self.confirm_delete.take().is_some() {
            return true;
        }
        if let Some(editor) = &mut self.editor
            && editor.close()
        {
            return true;
        }
        if self.selected.is_some() {
            self.selected = None;
            self.editor = None;
            return true;
        }
        false
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        self.delete_dialog_ui(ui, ctx);
        if let Some(id) = self.selected {
            if self.editor.as_ref().is_none_or(|e| e.release_id() != id) {
                if let Some(editor) = &mut self.editor {
                    editor.flush(ctx);
                }
                self.editor = ReleaseEditor::load(ctx, id);
                if self.editor.is_none() {
                    self.selected = None;
                }
            }
            if let (Some(editor), Some(track)) = (&mut self.editor, self.pending_track_focus.take())
            {
                editor.highlight_track(track);
            }
        }
        if let Some(editor) = &mut self.editor {
            let mut close = false;
            egui::Panel::right("release_editor")
                .resizable(true)
                .default_size(500.0)
                .size_range(440.0..=1100.0)
                .show(ui, |ui| {
                    close = editor.ui(ui, ctx);
                });
            if close {
                editor.flush(ctx);
                self.editor = None;
                self.selected = None;
            } else if editor.wants_delete() {
                self.confirm_delete = Some((editor.release_id(), editor.title().to_owned()));
            }
        }
        egui::CentralPanel::default().show(ui, |ui| {
            self.filters_ui(ui, ctx);
            ui.add_space(4.0);
            // Narrow windows scroll the table sideways rather than hiding columns.
            egui::ScrollArea::horizontal()
                .id_salt("releases_table_hscroll")
                .show(ui, |ui| self.table_ui(ui, ctx));
        });
    }

    fn delete_dialog_ui(&mut self, ui: &egui::Ui, ctx: &mut PanelCtx<'_>) {
        let Some((id, title)) = self.confirm_delete.clone() else {
            return;
        };
        let body = format!(
            "“{title}” will be deleted with its formats, catalog numbers, tracks and cover. Undo (Ctrl+Z) brings it back."
        );
        match widgets::confirm_ui(
            ui.ctx(),
            "confirm_delete_release",
            "Delete this release?",
            &body,
            "Delete release",
        ) {
            Answer::Pending => {}
            Answer::Cancel => self.confirm_delete = None,
            Answer::Confirm => {
                self.confirm_delete = None;
                let sales = ctx
                    .report(crate::db::ledger::income_line_count_for_release(
                        ctx.catalog.conn(),
                        id,
                    ))
                    .unwrap_or(0);
                if sales > 0 {
                    ctx.send(Command::Error(format!(
                        "“{title}” has {sales} sales line(s) in the ledger, so it cannot be deleted: \
                         its income must stay attached for royalty statements. Mark it Out of print instead."
                    )));
                    return;
                }
                if let Some(editor) = &mut self.editor {
                    editor.discard_drafts();
                }
                self.editor = None;
                self.selected = None;
                // The plan goes first, so undo brings the release back before its milestones.
                let mut changes: Vec<Change> = ctx
                    .report(crate::db::planning::list_for_release(
                        ctx.catalog.conn(),
                        id,
                    ))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|m| Change::milestone(Some(m), None))
                    .collect();
                changes.push(Change::delete_release(id));
                ctx.send(Command::Edit(Edit::new(
                    format!("Delete release “{title}”"),
                    changes,
                )));
            }
        }
    }

    fn filters_ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        if self.years.0 != ctx.revision {
            self.years = (
                ctx.revision,
                ctx.report(crate::db::releases::years(ctx.catalog.conn()))
                    .unwrap_or_default(),
            );
        }
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Filter");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter.text)
                    .hint_text("title, artist, cat. no, barcode")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            widgets::optional_choice_ui(
                ui,
                "Status filter",
                "Any status",
                &mut self.filter.status,
                ReleaseStatus::ALL,
                |s| s.label().to_owned(),
            );
            widgets::optional_choice_ui(
                ui,
                "Format filter",
                "Any format",
                &mut self.filter.format,
                FormatKind::ALL,
                |k| k.label().to_owned(),
            );
            let years = self.years.1.clone();
            widgets::optional_choice_ui(
                ui,
                "Year filter",
                "Any year",
                &mut self.filter.year,
                &years,
                |y| y.to_string(),
            );
            let cleared = ReleaseFilter {
                sort: self.filter.sort,
                descending: self.filter.descending,
                ..Default::default()
            };
            if self.filter != cleared && ui.button("Clear filters").clicked() {
                self.filter = cleared;
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button(RichText::new("New release").strong())
                    .on_hover_text("Ctrl+N")
                    .clicked()
                {
                    self.new_item(ctx);
                }
            });
        });
    }

    fn header_ui(&mut self, ui: &mut egui::Ui, sort: ReleaseSort, label: &str) {
        let active = self.filter.sort == sort;
        let response = ui
            .add(egui::Button::new(RichText::new(label).strong()).frame(false))
            .on_hover_text("Sort");
        if active {
            widgets::sort_arrow_ui(ui, self.filter.descending);
        }
        if response.clicked() {
            if active {
                self.filter.descending = !self.filter.descending;
            } else {
                self.filter.sort = sort;
                self.filter.descending = sort == ReleaseSort::Date;
            }
        }
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        self.cache.refresh(ctx, &self.filter);
        let total = self.cache.total;
        if total == 0 {
            ui.add_space(40.0);
            ui.vertical_centered(|ui| {
                let has_filter = self.filter.text.trim().len()
                    + usize::from(self.filter.status.is_some())
                    + usize::from(self.filter.format.is_some())
                    + usize::from(self.filter.year.is_some())
                    > 0;
                if has_filter {
                    ui.label("No release matches these filters.");
                } else {
                    ui.label("No releases yet.");
                    widgets::hint_ui(ui, "Add your first with New release (Ctrl+N).");
                }
            });
            return;
        }
        if self.thumbnails_revision != ctx.revision {
            self.thumbnails.clear();
            self.thumbnails_revision = ctx.revision;
        }
        let dark = ui.visuals().dark_mode;
        // A click anywhere on a row selects it: labels must not grab it for text selection.
        ui.style_mut().interaction.selectable_labels = false;
        // Beside the editor the table drops its Type and Formats columns to stay readable.
        let compact = self.editor.is_some();
        let mut table = TableBuilder::new(ui)
            .id_salt(("releases_table", compact))
            .striped(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(24.0))
            .column(Column::initial(76.0).at_least(56.0).clip(true))
            .column(
                Column::initial(if compact { 120.0 } else { 170.0 })
                    .at_least(80.0)
                    .clip(true),
            )
            .column(Column::remainder().at_least(80.0).clip(true));
        if !compact {
            table = table.column(Column::initial(84.0).clip(true));
        }
        table = table
            .column(Column::initial(96.0).clip(true))
            .column(Column::initial(84.0));
        if !compact {
            table = table.column(Column::initial(120.0).clip(true));
        }
        if self.scroll_to_selected {
            self.scroll_to_selected = false;
            if let Some(index) = self.selected.and_then(|id| self.index_of(ctx, id)) {
                table = table.scroll_to_row(index, Some(egui::Align::Center));
            }
        }
        let mut clicked: Option<ReleaseId> = None;
        table
            .header(22.0, |mut header| {
                header.col(|_| {});
                header.col(|ui| self.header_ui(ui, ReleaseSort::CatalogNumber, "Cat. no"));
                header.col(|ui| self.header_ui(ui, ReleaseSort::Artist, "Artist"));
                header.col(|ui| self.header_ui(ui, ReleaseSort::Title, "Title"));
                if !compact {
                    header.col(|ui| self.header_ui(ui, ReleaseSort::Type, "Type"));
                }
                header.col(|ui| self.header_ui(ui, ReleaseSort::Status, "Status"));
                header.col(|ui| self.header_ui(ui, ReleaseSort::Date, "Date"));
                if !compact {
                    header.col(|ui| {
                        ui.label(RichText::new("Formats").strong());
                    });
                }
            })
            .body(|body| {
                let total_rows = usize::try_from(total).unwrap_or(usize::MAX);
                body.rows(theme::ROW_HEIGHT, total_rows, |mut row| {
                    let index = row.index() as u64;
                    let Some(data) = self.cache.row(ctx, &self.filter, index).cloned() else {
                        row.col(|ui| {
                            ui.label("…");
                        });
                        return;
                    };
                    row.set_selected(self.selected == Some(data.id));
                    row.col(|ui| {
                        if data.has_cover
                            && let Some(texture) =
                                thumbnail(&mut self.thumbnails, ctx, ui.ctx(), data.id)
                        {
                            ui.add(
                                egui::Image::new(&texture)
                                    .fit_to_exact_size(egui::vec2(20.0, 20.0)),
                            );
                        }
                    });
                    row.col(|ui| {
                        ui.label(&data.catnos);
                    });
                    row.col(|ui| {
                        ui.label(&data.artists);
                    });
                    row.col(|ui| {
                        ui.label(&data.title);
                    });
                    if !compact {
                        row.col(|ui| {
                            ui.label(data.release_type.label());
                        });
                    }
                    row.col(|ui| {
                        widgets::badge_ui(
                            ui,
                            data.status.label(),
                            theme::release_status_color(data.status, dark),
                        );
                    });
                    row.col(|ui| {
                        ui.label(data.release_date.map(|d| d.to_string()).unwrap_or_default());
                    });
                    if !compact {
                        row.col(|ui| {
                            let kinds: Vec<&str> = data.formats.iter().map(|k| k.short()).collect();
                            ui.label(kinds.join(" · "));
                        });
                    }
                    if row.response().clicked() {
                        clicked = Some(data.id);
                    }
                });
            });
        if let Some(id) = clicked
            && self.selected != Some(id)
        {
            if let Some(editor) = &mut self.editor {
                editor.flush(ctx);
            }
            self.selected = Some(id);
        }
    }

    /// The row index of a release under the current filter and sort (for scrolling to it),
    /// found among the cached pages or by a bounded search of the first pages.
    fn index_of(&mut self, ctx: &mut PanelCtx<'_>, id: ReleaseId) -> Option<usize> {
        for (page, rows) in &self.cache.pages {
            if let Some(pos) = rows.iter().position(|r| r.id == id) {
                return usize::try_from(page * PAGE_ROWS)
                    .ok()
                    .map(|base| base + pos);
            }
        }
        let position = ctx.report(crate::db::releases::position(
            ctx.catalog.conn(),
            &self.filter,
            id,
        ))??;
        usize::try_from(position).ok()
    }
}

/// A table thumbnail, decoded once per revision.
fn thumbnail(
    cache: &mut HashMap<ReleaseId, Option<TextureHandle>>,
    ctx: &mut PanelCtx<'_>,
    egui_ctx: &egui::Context,
    id: ReleaseId,
) -> Option<TextureHandle> {
    if cache.len() > MAX_THUMBNAILS {
        cache.clear();
    }
    cache
        .entry(id)
        .or_insert_with(|| {
            let bytes = ctx
                .report(crate::db::covers::thumbnail(ctx.catalog.conn(), id))
                .flatten()?;
            let image = crate::io::cover::decode_for_display(&bytes).ok()?;
            Some(egui_ctx.load_texture(
                format!("thumb-{}", id.0),
                image,
                egui::TextureOptions::LINEAR,
            ))
        })
        .clone()
}
