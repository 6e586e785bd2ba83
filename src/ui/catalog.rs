//! The Catalog panel: the releases table (virtualized; only the rows on screen are queried)
//! with filters and sorting, and the release editor beside it.
//!
//! While the table scrolls, the pages about to come into view are read ahead on a background
//! thread (its own query-only connection, results handed back over a channel), so a fast
//! scroll does not read the catalog on the UI thread every frame. A page that is not there
//! yet is drawn as placeholder rows for at most [`MAX_WAIT_FRAMES`] frames, then read on the
//! UI thread; pages nobody asked for ahead (the first screen, a jump, a new filter) are read
//! at once, as before.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

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
/// Frames a visible page read ahead may still be on its way before the UI thread reads it.
pub const MAX_WAIT_FRAMES: u32 = 2;
/// Pages being read ahead at most at once.
const MAX_IN_FLIGHT: usize = 4;

/// UI state remembered between runs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CatalogState {
    pub filter: ReleaseFilter,
    pub selected: Option<ReleaseId>,
}

/// A row of the releases table with its texts formatted once, when its page arrives.
struct TableRow {
    data: ReleaseRow,
    date: String,
    formats: String,
}

impl TableRow {
    fn page(rows: Vec<ReleaseRow>) -> Vec<Self> {
        rows.into_iter()
            .map(|data| Self {
                date: data.release_date.map(|d| d.to_string()).unwrap_or_default(),
                formats: data
                    .formats
                    .iter()
                    .map(|k| k.short())
                    .collect::<Vec<_>>()
                    .join(" · "),
                data,
            })
            .collect()
    }
}

/// Pages of the releases table for one (filter, revision).
#[derive(Default)]
struct PageCache {
    key: Option<(ReleaseFilter, u64)>,
    /// Bumped with the key: answers to older requests are dropped.
    generation: u64,
    /// The table's order under the key (its length is the row count).
    ids: Arc<Vec<ReleaseId>>,
    pages: HashMap<u64, Vec<TableRow>>,
    /// Pages asked of the reader and not back yet: frames a visible one has waited.
    in_flight: HashMap<u64, u32>,
    /// Visible pages waiting this frame (their wait grows by one frame at the end of it).
    waiting: Vec<u64>,
    /// First and last row drawn in this frame and the previous one (for reading ahead).
    drawn: Option<(u64, u64)>,
    previous_first: Option<u64>,
    reader: Option<PageReader>,
    /// The catalog file and revision the reader could not open (not tried again).
    failed_reader: Option<(PathBuf, u64)>,
    /// Rows read from the catalog since the key last changed (tests assert on it).
    fetched: u64,
    /// Rows of `fetched` that the reader read ahead (the rest were read on the UI thread).
    read_ahead_rows: u64,
    /// Placeholder rows drawn while a page was on its way (counted from the start).
    placeholders: u64,
}

/// How the releases table read its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableReads {
    /// Rows read since the filter or the data last changed.
    pub rows_fetched: u64,
    /// Of those, rows read ahead on the reader thread (the rest on the UI thread).
    pub rows_read_ahead: u64,
    /// Placeholder rows drawn while a page read ahead was on its way (since the panel opened).
    pub placeholder_rows: u64,
}

impl PageCache {
    fn refresh(&mut self, ctx: &mut PanelCtx<'_>, filter: &ReleaseFilter) {
        let key = (filter.clone(), ctx.revision);
        if self.key.as_ref() != Some(&key) {
            self.pages.clear();
            self.in_flight.clear();
            self.generation += 1;
            self.fetched = 0;
            self.read_ahead_rows = 0;
            self.previous_first = None;
            self.ids = ctx
                .report(crate::db::releases::ordered_ids(ctx.catalog.conn(), filter))
                .unwrap_or_default();
            self.key = Some(key);
        }
        self.drawn = None;
        self.waiting.clear();
        // One reader per catalog file and revision: after an edit, an undo or a restore (which
        // may put a new file in place) it opens a fresh connection.
        let wanted = ctx
            .catalog
            .path()
            .map(|path| (path.to_path_buf(), ctx.revision));
        let current = self.reader.as_ref().map(|r| (r.path.clone(), r.revision));
        if wanted != current && wanted != self.failed_reader {
            self.reader = wanted.and_then(|(path, revision)| PageReader::start(path, revision));
        }
        self.receive();
    }

    fn total(&self) -> u64 {
        self.ids.len() as u64
    }

    /// Takes in the pages the reader has sent.
    fn receive(&mut self) {
        let Some(reader) = &self.reader else {
            return;
        };
        let mut answers = Vec::new();
        let mut gone = false;
        loop {
            match reader.results.try_recv() {
                Ok(answer) => answers.push(answer),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    gone = true;
                    break;
                }
            }
        }
        for answer in answers {
            if answer.generation != self.generation || self.in_flight.remove(&answer.page).is_none()
            {
                continue; // for an older filter or revision, or read here meanwhile
            }
            // A failed read is read again here if it is needed, with the error reported.
            if let Ok(rows) = answer.rows {
                self.fetched += rows.len() as u64;
                self.read_ahead_rows += rows.len() as u64;
                self.insert(answer.page, rows);
            }
        }
        if gone {
            // The reader could not open the catalog: read everything here, as before.
            self.failed_reader = self.reader.take().map(|r| (r.path, r.revision));
            self.in_flight.clear();
        }
    }

    fn insert(&mut self, page: u64, rows: Vec<TableRow>) {
        if self.pages.len() >= MAX_CACHED_PAGES {
            // Drop the page farthest from what is on screen.
            let anchor = self.previous_first.map_or(page, |first| first / PAGE_ROWS);
            if let Some(&far) = self.pages.keys().max_by_key(|p| p.abs_diff(anchor)) {
                self.pages.remove(&far);
            }
        }
        self.pages.insert(page, rows);
    }

    fn page_ids(&self, page: u64) -> &[ReleaseId] {
        let len = self.ids.len();
        let start = usize::try_from(page * PAGE_ROWS).unwrap_or(len).min(len);
        let end = start
            .saturating_add(usize::try_from(PAGE_ROWS).unwrap_or(usize::MAX))
            .min(len);
        &self.ids[start..end]
    }

    /// The row at `index`, or `None` for a placeholder (its page is on its way).
    fn row(&mut self, ctx: &mut PanelCtx<'_>, index: u64) -> Option<&TableRow> {
        let page = index / PAGE_ROWS;
        self.drawn = Some(match self.drawn {
            Some((first, last)) => (first.min(index), last.max(index)),
            None => (index, index),
        });
        if !self.pages.contains_key(&page) {
            match self.in_flight.get(&page) {
                Some(&waited) if waited < MAX_WAIT_FRAMES => {
                    if !self.waiting.contains(&page) {
                        self.waiting.push(page);
                    }
                    self.placeholders += 1;
                    return None;
                }
                _ => {
                    // Not asked for ahead, or late: read it here (a late answer is dropped).
                    self.in_flight.remove(&page);
                    let rows = ctx.report(crate::db::releases::rows(
                        ctx.catalog.conn(),
                        self.page_ids(page),
                    ))?;
                    self.fetched += rows.len() as u64;
                    self.insert(page, TableRow::page(rows));
                }
            }
        }
        let offset = usize::try_from(index % PAGE_ROWS).ok()?;
        self.pages.get(&page)?.get(offset)
    }

    /// After the rows are drawn: the pages the next two frames will show if the table keeps
    /// moving as it just did (at least half a page ahead) are asked of the reader, nearest
    /// first. Returns true while a visible page is on its way.
    fn read_ahead(&mut self) -> bool {
        for page in &self.waiting {
            if let Some(waited) = self.in_flight.get_mut(page) {
                *waited += 1;
            }
        }
        let Some((first, last)) = self.drawn else {
            return false;
        };
        let previous = self.previous_first.replace(first);
        let Some(reader) = &self.reader else {
            return false;
        };
        let total = self.total();
        let moved = previous.map_or(0, |p| i128::from(first) - i128::from(p));
        if moved != 0 && total > 0 {
            let shift = |row: u64, by: i128| {
                u64::try_from((i128::from(row) + by).clamp(0, i128::from(total - 1))).unwrap_or(0)
            };
            // Two frames ahead, and at least half a page: a slow scroll gets its next page a
            // few frames before it shows, not just in time.
            let reach = (2 * moved.abs()).max(i128::from(PAGE_ROWS / 2));
            let (near, far) = if moved > 0 {
                (shift(first, moved), shift(last, reach))
            } else {
                (shift(last, moved), shift(first, -reach))
            };
            let (near, far) = (near / PAGE_ROWS, far / PAGE_ROWS);
            let pages: Vec<u64> = if near <= far {
                (near..=far).collect()
            } else {
                (far..=near).rev().collect()
            };
            for page in pages {
                if self.in_flight.len() >= MAX_IN_FLIGHT {
                    break;
                }
                if self.pages.contains_key(&page) || self.in_flight.contains_key(&page) {
                    continue;
                }
                let request = PageRequest {
                    generation: self.generation,
                    page,
                    ids: self.page_ids(page).to_vec(),
                };
                if reader.requests.send(request).is_ok() {
                    self.in_flight.insert(page, 0);
                }
            }
        }
        !self.waiting.is_empty()
    }
}

/// What the reader is asked: the rows of one page, by id.
struct PageRequest {
    generation: u64,
    page: u64,
    ids: Vec<ReleaseId>,
}

/// What the reader answers.
struct PageAnswer {
    generation: u64,
    page: u64,
    /// Formatted on the reader thread too.
    rows: Result<Vec<TableRow>, String>,
}

/// A named background thread with its own query-only connection to the catalog file, reading
/// the pages it is sent. It stops when the panel drops it (or the catalog cannot be opened:
/// then it hangs up and the panel reads everything itself).
struct PageReader {
    path: PathBuf,
    revision: u64,
    requests: Sender<PageRequest>,
    results: Receiver<PageAnswer>,
}

impl PageReader {
    fn start(path: PathBuf, revision: u64) -> Option<Self> {
        let (requests, inbox) = mpsc::channel::<PageRequest>();
        let (outbox, results) = mpsc::channel();
        let file = path.clone();
        std::thread::Builder::new()
            .name("labeldesk-catalog-pages".to_owned())
            .spawn(move || {
                let Ok(conn) = crate::db::releases::open_reader(&file) else {
                    return;
                };
                while let Ok(request) = inbox.recv() {
                    let rows = crate::db::releases::rows(&conn, &request.ids)
                        .map(TableRow::page)
                        .map_err(|e| e.to_string());
                    let answer = PageAnswer {
                        generation: request.generation,
                        page: request.page,
                        rows,
                    };
                    if outbox.send(answer).is_err() {
                        return;
                    }
                }
            })
            .ok()?;
        Some(Self {
            path,
            revision,
            requests,
            results,
        })
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

    /// How the table has read its rows so far.
    #[must_use]
    pub fn table_reads(&self) -> TableReads {
        TableReads {
            rows_fetched: self.cache.fetched,
            rows_read_ahead: self.cache.read_ahead_rows,
            placeholder_rows: self.cache.placeholders,
        }
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
        let total = self.cache.total();
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
                // Borrowed apart, so a row is drawn from the cache without being copied.
                let (cache, thumbnails, selected) =
                    (&mut self.cache, &mut self.thumbnails, self.selected);
                let total_rows = usize::try_from(total).unwrap_or(usize::MAX);
                body.rows(theme::ROW_HEIGHT, total_rows, |mut row| {
                    let index = row.index() as u64;
                    let Some(shown) = cache.row(ctx, index) else {
                        row.col(|ui| {
                            ui.label("…");
                        });
                        return;
                    };
                    let data = &shown.data;
                    row.set_selected(selected == Some(data.id));
                    row.col(|ui| {
                        if data.has_cover
                            && let Some(texture) = thumbnail(thumbnails, ctx, ui.ctx(), data.id)
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
                        ui.label(&shown.date);
                    });
                    if !compact {
                        row.col(|ui| {
                            ui.label(&shown.formats);
                        });
                    }
                    if row.response().clicked() {
                        clicked = Some(data.id);
                    }
                });
            });
        if self.cache.read_ahead() {
            // Placeholders on screen: look again next frame (at most MAX_WAIT_FRAMES).
            ui.ctx().request_repaint();
        }
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
            if let Some(pos) = rows.iter().position(|r| r.data.id == id) {
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

/// A release's cover thumbnail as a texture, decoded once and cached (the cache is emptied
/// when it grows past a few hundred); the merch screen's buttons use it too.
pub(crate) fn thumbnail(
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

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::db::Catalog;

    /// A catalog file with `n` releases, `Release 1` first in the default (date) order.
    fn catalog_file(dir: &Path, n: u32) -> Catalog {
        let catalog = Catalog::create(&dir.join("pages.sqlite")).expect("create");
        catalog
            .conn()
            .execute_batch(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
                 INSERT INTO releases (title, release_date)
                 SELECT 'Release ' || i, date('1990-01-01', '+' || i || ' days') FROM n;"
            ))
            .expect("releases");
        catalog
    }

    /// One frame of the table: rows `rows` drawn, then the pages ahead asked for.
    fn frame(cache: &mut PageCache, ctx: &mut PanelCtx<'_>, rows: std::ops::Range<u64>) -> u64 {
        cache.refresh(ctx, &ReleaseFilter::default());
        let placeholders = rows.filter(|&i| cache.row(ctx, i).is_none()).count();
        cache.read_ahead();
        placeholders as u64
    }

    /// Takes in answers until nothing is on its way (or five seconds pass).
    fn settle(cache: &mut PageCache) {
        let started = Instant::now();
        while !cache.in_flight.is_empty() && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
            cache.receive();
        }
    }

    fn titles(rows: &[TableRow]) -> Vec<&str> {
        rows.iter().map(|r| r.data.title.as_str()).collect()
    }

    #[test]
    fn pages_ahead_of_the_scroll_arrive_from_the_reader_and_stale_ones_are_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let catalog = catalog_file(dir.path(), 400);
        let mut commands = Vec::new();
        let mut ctx = PanelCtx {
            catalog: &catalog,
            commands: &mut commands,
            revision: 1,
        };
        let mut cache = PageCache::default();
        // At rest nothing is read ahead; moving fifty rows a frame asks for the next two
        // frames' pages.
        assert_eq!(frame(&mut cache, &mut ctx, 0..30), 0);
        assert!(cache.reader.is_some(), "a catalog file gets a reader");
        assert!(cache.in_flight.is_empty(), "nothing read ahead at rest");
        assert_eq!(frame(&mut cache, &mut ctx, 50..80), 0, "page 1 read here");
        let mut asked: Vec<u64> = cache.in_flight.keys().copied().collect();
        asked.sort_unstable();
        assert_eq!(asked, [2, 3]);
        assert_eq!(cache.fetched, 100);
        settle(&mut cache);
        assert_eq!((cache.fetched, cache.read_ahead_rows), (200, 100));
        let expected = crate::db::releases::rows(catalog.conn(), cache.page_ids(2)).expect("rows");
        assert_eq!(
            titles(&cache.pages[&2]),
            expected
                .iter()
                .map(|r| r.title.as_str())
                .collect::<Vec<_>>()
        );
        assert_eq!(cache.pages[&2][0].data.title, "Release 101");
        assert_eq!(
            frame(&mut cache, &mut ctx, 100..130),
            0,
            "drawn from page 2"
        );
        assert_eq!(cache.fetched, 200, "nothing read on the UI thread");

        // Pages asked for under revision 1 and answered after an edit (revision 2) are
        // dropped: they may hold what the edit changed.
        assert_eq!(cache.in_flight.keys().copied().collect::<Vec<_>>(), [4]);
        std::thread::sleep(Duration::from_millis(200));
        ctx.revision = 2;
        cache.refresh(&mut ctx, &ReleaseFilter::default());
        assert!(cache.pages.is_empty() && cache.in_flight.is_empty());
        assert_eq!((cache.fetched, cache.read_ahead_rows), (0, 0));
        cache.receive();
        assert!(cache.pages.is_empty(), "the old answers are not taken in");
        assert!(
            ctx.commands.is_empty(),
            "no errors: {:?}",
            ctx.commands.len()
        );
    }

    #[test]
    fn a_page_still_on_its_way_after_two_frames_is_read_on_the_ui_thread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let catalog = catalog_file(dir.path(), 120);
        let mut commands = Vec::new();
        let mut ctx = PanelCtx {
            catalog: &catalog,
            commands: &mut commands,
            revision: 1,
        };
        let mut cache = PageCache::default();
        cache.refresh(&mut ctx, &ReleaseFilter::default());
        // As if page 0 had been asked for and the reader were slow to answer.
        cache.in_flight.insert(0, 0);
        assert_eq!(frame(&mut cache, &mut ctx, 0..30), 30);
        assert_eq!(frame(&mut cache, &mut ctx, 0..30), 30);
        assert_eq!(
            frame(&mut cache, &mut ctx, 0..30),
            0,
            "read here on the third"
        );
        assert_eq!(cache.placeholders, 60);
        assert_eq!((cache.fetched, cache.read_ahead_rows), (50, 0));
        assert!(
            !cache.in_flight.contains_key(&0),
            "a late answer will be dropped"
        );
        assert_eq!(cache.pages[&0][0].data.title, "Release 1");
    }

    #[test]
    fn a_reader_that_cannot_open_the_file_is_not_started_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let catalog = catalog_file(dir.path(), 120);
        // The open connection keeps the file; a new one cannot open it.
        std::fs::remove_file(dir.path().join("pages.sqlite")).expect("remove");
        let mut commands = Vec::new();
        let mut ctx = PanelCtx {
            catalog: &catalog,
            commands: &mut commands,
            revision: 1,
        };
        let mut cache = PageCache::default();
        let started = Instant::now();
        while cache.failed_reader.is_none() && started.elapsed() < Duration::from_secs(5) {
            frame(&mut cache, &mut ctx, 0..30);
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(
            cache.failed_reader,
            Some((dir.path().join("pages.sqlite"), 1))
        );
        for first in [50, 90, 20] {
            assert_eq!(frame(&mut cache, &mut ctx, first..first + 30), 0);
            assert!(cache.reader.is_none(), "not started again");
        }
        assert_eq!((cache.fetched, cache.read_ahead_rows), (120, 0));
    }

    #[test]
    fn a_catalog_in_memory_reads_every_page_on_the_ui_thread() {
        let catalog = Catalog::open_in_memory().expect("catalog");
        catalog
            .conn()
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
                 INSERT INTO releases (title) SELECT 'Release ' || i FROM n;",
            )
            .expect("releases");
        let mut commands = Vec::new();
        let mut ctx = PanelCtx {
            catalog: &catalog,
            commands: &mut commands,
            revision: 1,
        };
        let mut cache = PageCache::default();
        for first in [0, 50, 100, 150] {
            assert_eq!(frame(&mut cache, &mut ctx, first..first + 30), 0);
        }
        assert!(cache.reader.is_none() && cache.in_flight.is_empty());
        assert_eq!((cache.fetched, cache.read_ahead_rows), (200, 0));
    }
}
