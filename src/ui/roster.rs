//! The Roster panel: the label's artists in a sortable, filterable list on the left and the
//! selected artist's page on the right (contact details checked as you type, their releases,
//! archive and delete).
//!
//! Reads go through `crate::db::artists`; every change is a [`Command`] for the app. Query
//! results are cached and re-read only when the filter, the selection or the catalog revision
//! changes.

use egui::{Align, Label, Layout, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::widgets::{self, Answer};
use super::{PanelCtx, theme};
use crate::command::{Command, Target};
use crate::db::DbError;
use crate::db::artists::{self, ArtistFilter, ArtistRelease, ArtistRow, ArtistSort};
use crate::model::{Artist, ArtistId, ArtistStatus, ValidationError, default_sort_name};
use crate::undo::{Change, Edit};

/// What the roster remembers between runs (UI state only, never catalog data).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RosterState {
    pub filter: ArtistFilter,
    pub selected: Option<ArtistId>,
}

/// The Roster panel.
#[derive(Default)]
pub struct RosterPanel {
    filter: ArtistFilter,
    selected: Option<ArtistId>,
    list: Option<ListCache>,
    /// Whether the catalog has any artist at all, per revision (for the empty state).
    any_artists: Option<(u64, bool)>,
    page: Option<Page>,
    /// A selection whose page could not be read at this revision (reported once).
    failed: Option<(ArtistId, u64)>,
    dialog: Option<Dialog>,
    /// Where "New artist" is: asked for, then opened with its name ready to be typed over.
    new_artist: NewArtist,
    /// Scroll the list to the selected row on the next frame.
    scroll_to_selected: bool,
    /// A text field had the keyboard at the end of the last frame (Escape is then the
    /// field's: it leaves the field, and does not deselect the artist).
    typing: bool,
}

/// The roster list as last read.
struct ListCache {
    filter: ArtistFilter,
    revision: u64,
    rows: Vec<ArtistRow>,
}

/// The selected artist as last read, with the user's draft of it.
struct Page {
    id: ArtistId,
    revision: u64,
    /// The artist as the catalog has it.
    saved: Artist,
    releases: Vec<ArtistRelease>,
    /// How many releases and tracks credit the artist.
    references: (u64, u64),
    /// What the form shows.
    draft: Artist,
    /// The last version sent to the app and not yet read back.
    pushed: Option<Artist>,
    /// Why the draft cannot be saved, if it cannot.
    error: Option<ValidationError>,
}

impl Page {
    /// What the draft is compared with: the catalog's artist, or what was last sent to be saved.
    fn baseline(&self) -> &Artist {
        self.pushed.as_ref().unwrap_or(&self.saved)
    }

    /// True when the form holds changes that are not saved (or sent to be saved).
    fn is_dirty(&self) -> bool {
        self.draft.clone().normalized() != *self.baseline()
    }

    fn validate(&mut self) {
        self.error = self.draft.clone().normalized().validate().err();
    }

    /// The message to show under the form field called `field`, if the draft is wrong there.
    fn error_for(&self, field: &str) -> Option<String> {
        let error = self.error.as_ref().filter(|e| e.field() == field)?;
        Some(match error {
            ValidationError::Invalid { reason, .. } => reason.clone(),
            other => widgets::capitalized(&other.to_string()),
        })
    }
}

/// The steps of "New artist" after the button (or Ctrl+N).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum NewArtist {
    #[default]
    Idle,
    /// Asked the app to create it: the next [`RosterPanel::open`] is the new artist.
    Requested,
    /// Opened: focus the Name field, with its text selected, on the next frame.
    FocusName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialog {
    /// Delete (or, when credited, explain why not and offer archiving) this artist.
    Delete(ArtistId),
}

/// What the artist page asked for while it was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageAction {
    None,
    Save,
    ToggleArchived,
    Delete,
}

impl RosterPanel {
    /// The panel as it was left last time.
    #[must_use]
    pub fn restore(state: RosterState) -> Self {
        Self {
            filter: state.filter,
            selected: state.selected,
            scroll_to_selected: state.selected.is_some(),
            ..Self::default()
        }
    }

    /// What to remember for next time.
    #[must_use]
    pub fn state(&self) -> RosterState {
        RosterState {
            filter: self.filter.clone(),
            selected: self.selected,
        }
    }

    /// Selects and shows an artist (from search, a link, or after creating one).
    pub fn open(&mut self, artist: ArtistId) {
        self.selected = Some(artist);
        self.dialog = None;
        self.scroll_to_selected = true;
        if self.new_artist == NewArtist::Requested {
            self.new_artist = NewArtist::FocusName;
        }
    }

    /// Adds an artist called "New artist" and (through the app) opens it with its name ready
    /// to be typed over.
    pub fn new_item(&mut self, ctx: &mut PanelCtx<'_>) {
        self.flush(ctx);
        self.new_artist = NewArtist::Requested;
        ctx.send(Command::EditAndOpen(Edit::one(
            "Add artist",
            Change::add_artist(Artist::new("New artist")),
        )));
    }

    /// Asks to delete the selected artist (the dialog explains when it cannot be deleted).
    pub fn request_delete(&mut self) {
        if self.dialog.is_none()
            && let Some(id) = self.selected
        {
            self.dialog = Some(Dialog::Delete(id));
        }
    }

    /// Escape: closes the open dialog, else deselects. True if it consumed the key (not while
    /// a text field has the keyboard: Escape only leaves the field then).
    pub fn close(&mut self) -> bool {
        if self.dialog.take().is_some() {
            true
        } else if self.typing {
            false
        } else {
            // The page (and its draft) is flushed when the next frame notices the change.
            self.selected.take().is_some()
        }
    }

    /// Saves the pending draft if it is valid; an invalid one is dropped with a notice.
    pub fn flush(&mut self, ctx: &mut PanelCtx<'_>) {
        self.commit(ctx, true);
    }

    /// Sends the draft to be saved when it is valid and changed. An invalid draft is kept
    /// (its error is on screen), unless `leaving`: then it is dropped and the user told why.
    fn commit(&mut self, ctx: &mut PanelCtx<'_>, leaving: bool) {
        let Some(page) = &mut self.page else { return };
        if !page.is_dirty() {
            return;
        }
        let draft = page.draft.clone().normalized();
        match draft.validate() {
            Ok(()) => {
                ctx.send(Command::Edit(Edit::one(
                    "Edit artist",
                    Change::update_artist(draft.clone()),
                )));
                page.pushed = Some(draft);
            }
            Err(error) if leaving => {
                ctx.send(Command::Notify(format!("Not saved: {error}")));
                page.draft = page.baseline().clone();
                page.error = None;
            }
            Err(_) => {}
        }
    }

    /// Archives or restores the selected artist, keeping any valid pending edits in the same
    /// step.
    fn toggle_archived(&mut self, ctx: &mut PanelCtx<'_>) {
        let Some(page) = &mut self.page else { return };
        let draft = page.draft.clone().normalized();
        let mut artist = match draft.validate() {
            Ok(()) => draft,
            Err(error) => {
                if page.is_dirty() {
                    ctx.send(Command::Notify(format!("Not saved: {error}")));
                }
                page.baseline().clone()
            }
        };
        artist.archived = !artist.archived;
        let label = if artist.archived {
            "Archive artist"
        } else {
            "Restore artist"
        };
        ctx.send(Command::Edit(Edit::one(
            label,
            Change::update_artist(artist.clone()),
        )));
        page.draft = artist.clone();
        page.pushed = Some(artist);
        page.error = None;
    }

    /// Draws the whole panel: the list on the left, the selected artist on the right.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        if self.new_artist == NewArtist::Requested
            && !ctx
                .commands
                .iter()
                .any(|c| matches!(c, Command::EditAndOpen(_)))
        {
            // The new artist was not created (the app reported why): open nothing special.
            self.new_artist = NewArtist::Idle;
        }
        self.refresh_page(ctx);

        egui::Panel::left("roster_list")
            .resizable(true)
            .default_size(400.0)
            .size_range(280.0..=700.0)
            .show(ui, |ui| self.list_ui(ui, ctx));

        // A row clicked in the list shows its artist in this same frame.
        self.refresh_page(ctx);

        egui::CentralPanel::default()
            .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(12, 8)))
            .show(ui, |ui| self.page_ui(ui, ctx));

        self.dialog_ui(ui.ctx(), ctx);

        self.typing = ui.ctx().text_edit_focused();
        // Commands are applied after this frame; show their outcome on the next one.
        if !ctx.commands.is_empty() || self.is_stale(ctx.revision) {
            ui.ctx().request_repaint();
        }
    }

    fn is_stale(&self, revision: u64) -> bool {
        let list_stale = self
            .list
            .as_ref()
            .is_none_or(|l| l.filter != self.filter || l.revision != revision);
        let page_stale = match (&self.page, self.selected) {
            (Some(page), Some(id)) => page.id != id || page.revision != revision,
            (None, Some(id)) => self.failed != Some((id, revision)),
            (Some(_), None) => true,
            (None, None) => false,
        };
        list_stale || page_stale
    }

    /// Re-reads the roster list if the filter or the catalog changed.
    fn refresh_list(&mut self, ctx: &mut PanelCtx<'_>) {
        let revision = ctx.revision;
        if self
            .list
            .as_ref()
            .is_some_and(|l| l.filter == self.filter && l.revision == revision)
        {
            return;
        }
        let conn = ctx.catalog.conn();
        let rows = ctx
            .report(artists::list(conn, &self.filter))
            .unwrap_or_default();
        if !rows.is_empty() {
            self.any_artists = Some((revision, true));
        } else if self.any_artists.is_none_or(|(r, _)| r != revision) {
            let everyone = ArtistFilter {
                include_archived: true,
                ..ArtistFilter::default()
            };
            let any = ctx
                .report(artists::list(conn, &everyone))
                .is_some_and(|all| !all.is_empty());
            self.any_artists = Some((revision, any));
        }
        self.list = Some(ListCache {
            filter: self.filter.clone(),
            revision,
            rows,
        });
    }

    /// Re-reads the selected artist if the selection or the catalog changed. A draft left
    /// behind by a selection change is flushed first.
    fn refresh_page(&mut self, ctx: &mut PanelCtx<'_>) {
        let revision = ctx.revision;
        let Some(id) = self.selected else {
            if self.page.is_some() {
                self.flush(ctx);
                self.page = None;
            }
            return;
        };
        if let Some(page) = &self.page {
            if page.id == id && page.revision == revision {
                return;
            }
            if page.id != id {
                self.flush(ctx);
                self.page = None;
            }
        }
        if self.page.is_none() && self.failed == Some((id, revision)) {
            return;
        }
        let conn = ctx.catalog.conn();
        let loaded = artists::get(conn, id).and_then(|saved| {
            let releases = artists::releases_of(conn, id)?;
            let references = artists::references(conn, id)?;
            Ok((saved, releases, references))
        });
        let (saved, releases, references) = match loaded {
            Ok(loaded) => loaded,
            Err(DbError::Missing { .. }) => {
                // Deleted (or its creation undone): nothing left to show.
                self.selected = None;
                self.page = None;
                self.dialog = None;
                return;
            }
            Err(error) => {
                ctx.report::<()>(Err(error));
                self.failed = Some((id, revision));
                self.page = None;
                return;
            }
        };
        self.failed = None;
        let old = self.page.take().filter(|p| p.id == id);
        // Keep what the user is typing unless it is already saved, invalid, or unchanged;
        // otherwise (e.g. after undo) show the catalog's version.
        let keep_draft = old.as_ref().and_then(|old| {
            let typed = old.draft.clone().normalized();
            let keep = old.error.is_none() && old.is_dirty() && typed != saved;
            keep.then(|| old.draft.clone())
        });
        let mut page = Page {
            id,
            revision,
            draft: keep_draft.unwrap_or_else(|| saved.clone()),
            saved,
            releases,
            references,
            pushed: None,
            error: None,
        };
        page.validate();
        self.page = Some(page);
    }

    fn list_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.heading("Roster");
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui
                    .button("New artist")
                    .on_hover_text("Add an artist to the roster (Ctrl+N)")
                    .clicked()
                {
                    self.new_item(ctx);
                }
            });
        });
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let label = ui.label("Filter artists");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter.text)
                    .hint_text("name, genre, country, manager")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.filter.status, None, "All");
            for &status in ArtistStatus::ALL {
                ui.selectable_value(&mut self.filter.status, Some(status), status.label());
            }
        });
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.filter.include_archived, "Show archived");
        });
        ui.add_space(4.0);

        // Read after the controls, so a changed filter shows in this frame.
        self.refresh_list(ctx);
        let Some(list) = &self.list else { return };
        if list.rows.is_empty() {
            self.empty_list_ui(ui);
            return;
        }
        widgets::hint_ui(ui, &artists::plural(list.rows.len() as u64, "artist"));
        if let Some(clicked) = self.table_ui(ui)
            && self.selected != Some(clicked)
        {
            self.flush(ctx);
            self.selected = Some(clicked);
            self.dialog = None;
        }
    }

    fn empty_list_ui(&self, ui: &mut Ui) {
        ui.add_space(theme::SECTION_GAP);
        let any = self.any_artists.is_some_and(|(_, any)| any);
        let text = self.filter.text.trim();
        let message = if !any {
            "No artists yet. Add your first with New artist (Ctrl+N).".to_owned()
        } else if !text.is_empty() {
            format!("No artist matches “{text}”")
        } else if let Some(status) = self.filter.status {
            format!(
                "No {} artists{}.",
                status.label().to_lowercase(),
                if self.filter.include_archived {
                    ""
                } else {
                    " outside the archive"
                }
            )
        } else {
            "Every artist is archived: tick Show archived to see them.".to_owned()
        };
        widgets::hint_ui(ui, &message);
    }

    /// The roster table; returns the artist whose row was clicked.
    fn table_ui(&mut self, ui: &mut Ui) -> Option<ArtistId> {
        let Self {
            filter,
            list,
            selected,
            scroll_to_selected,
            ..
        } = self;
        let rows = &list.as_ref()?.rows;
        let selected = *selected;
        let dark = ui.visuals().dark_mode;
        let weak = theme::weak_color(ui);
        let mut clicked = None;

        let mut table = TableBuilder::new(ui)
            .id_salt("roster_table")
            .striped(true)
            .sense(egui::Sense::click())
            .cell_layout(Layout::left_to_right(Align::Center))
            .auto_shrink(false)
            .max_scroll_height(f32::INFINITY)
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::exact(76.0))
            .column(Column::exact(64.0))
            .column(Column::exact(70.0));
        if std::mem::take(scroll_to_selected)
            && let Some(index) = rows.iter().position(|r| Some(r.id) == selected)
        {
            table = table.scroll_to_row(index, Some(Align::Center));
        }
        table
            .header(theme::ROW_HEIGHT, |mut header| {
                for (sort, title) in [
                    (ArtistSort::Name, "Name"),
                    (ArtistSort::Status, "Status"),
                    (ArtistSort::Country, "Country"),
                    (ArtistSort::Releases, "Releases"),
                ] {
                    header.col(|ui| sort_header_ui(ui, filter, sort, title));
                }
            })
            .body(|body| {
                body.rows(theme::ROW_HEIGHT, rows.len(), |mut row| {
                    let Some(artist) = rows.get(row.index()) else {
                        return;
                    };
                    row.set_selected(selected == Some(artist.id));
                    row.col(|ui| {
                        let text = if artist.archived {
                            RichText::new(format!("{} (archived)", artist.name)).color(weak)
                        } else {
                            RichText::new(&artist.name)
                        };
                        ui.add(Label::new(text).selectable(false).truncate());
                    });
                    row.col(|ui| {
                        let color = theme::artist_status_color(artist.status, dark);
                        ui.add(
                            Label::new(RichText::new(artist.status.label()).color(color))
                                .selectable(false),
                        );
                    });
                    row.col(|ui| {
                        let country = if artist.country.is_empty() {
                            "—"
                        } else {
                            artist.country.as_str()
                        };
                        ui.add(Label::new(country).selectable(false));
                    });
                    row.col(|ui| {
                        ui.add(Label::new(artist.releases.to_string()).selectable(false));
                    });
                    if row.response().clicked() {
                        clicked = Some(artist.id);
                    }
                });
            });
        clicked
    }

    fn page_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        if self.page.is_none() {
            ui.add_space(theme::SECTION_GAP);
            if self.any_artists.is_some_and(|(_, any)| any) {
                widgets::hint_ui(
                    ui,
                    "Select an artist on the left to see and edit their details.",
                );
            }
            return;
        }
        let focus_name = self.new_artist == NewArtist::FocusName;
        if focus_name {
            self.new_artist = NewArtist::Idle;
        }
        let action = egui::ScrollArea::vertical()
            .id_salt("roster_page")
            .auto_shrink(false)
            .show(ui, |ui| {
                let Some(page) = &mut self.page else {
                    return PageAction::None;
                };
                let mut action = heading_ui(ui, page);
                ui.add_space(theme::SECTION_GAP);
                if form_ui(ui, page, focus_name) {
                    action = PageAction::Save;
                }
                ui.add_space(theme::SECTION_GAP * 2.0);
                if let Some(release) = releases_ui(ui, page) {
                    ctx.send(Command::Open(Target::Release(release)));
                }
                action
            })
            .inner;
        match action {
            PageAction::None => {}
            PageAction::Save => self.commit(ctx, false),
            PageAction::ToggleArchived => self.toggle_archived(ctx),
            PageAction::Delete => self.request_delete(),
        }
    }

    fn dialog_ui(&mut self, egui_ctx: &egui::Context, ctx: &mut PanelCtx<'_>) {
        let Some(Dialog::Delete(id)) = self.dialog else {
            return;
        };
        let Some(page) = self.page.as_ref().filter(|p| p.id == id) else {
            // Not (or no longer) the shown artist: nothing to confirm.
            self.dialog = None;
            return;
        };
        let name = page.saved.name.clone();
        let (releases, tracks) = page.references;
        if releases > 0 || tracks > 0 {
            let credits = format!(
                "“{name}” is credited on {} and {}, so it cannot be deleted.",
                artists::plural(releases, "release"),
                artists::plural(tracks, "track"),
            );
            if page.saved.archived {
                let body =
                    format!("{credits} It is archived already, so it stays out of everyday lists.");
                if widgets::confirm_ui(
                    egui_ctx,
                    "roster_cannot_delete",
                    "Cannot delete",
                    &body,
                    "OK",
                ) != Answer::Pending
                {
                    self.dialog = None;
                }
                return;
            }
            let body = format!("{credits} Archive instead?");
            match widgets::confirm_ui(
                egui_ctx,
                "roster_cannot_delete",
                "Cannot delete",
                &body,
                "Archive",
            ) {
                Answer::Pending => {}
                Answer::Confirm => {
                    self.dialog = None;
                    self.toggle_archived(ctx);
                }
                Answer::Cancel => self.dialog = None,
            }
        } else {
            let body = format!(
                "Delete “{name}” from the roster? Nothing credits this artist. You can undo this with Ctrl+Z."
            );
            match widgets::confirm_ui(egui_ctx, "roster_delete", "Delete artist?", &body, "Delete")
            {
                Answer::Pending => {}
                Answer::Confirm => {
                    let artist = page.saved.clone();
                    ctx.send(Command::Edit(Edit::one(
                        "Delete artist",
                        Change::delete_artist(artist),
                    )));
                    self.dialog = None;
                    self.selected = None;
                    // Dropped without flushing: the draft of a deleted artist has no home.
                    self.page = None;
                }
                Answer::Cancel => self.dialog = None,
            }
        }
    }
}

/// A clickable column header: sorts by `sort`, or reverses when it already does. The sorted
/// column shows a ▲/▼ triangle (painted: the bundled fonts have no such glyph).
fn sort_header_ui(ui: &mut Ui, filter: &mut ArtistFilter, sort: ArtistSort, title: &str) {
    let active = filter.sort == sort;
    let hover = match (active, filter.descending) {
        (true, false) => "Sorted ascending: click to reverse",
        (true, true) => "Sorted descending: click to reverse",
        (false, _) => "Click to sort by this column",
    };
    let response = ui
        .add(egui::Button::new(RichText::new(title).strong()).frame(false))
        .on_hover_text(hover);
    if active {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(9.0, 9.0), egui::Sense::hover());
        let color = ui.visuals().strong_text_color();
        let (top, bottom) = (rect.top() + 1.5, rect.bottom() - 1.5);
        let points = if filter.descending {
            vec![rect.left_top(), rect.right_top(), rect.center_bottom()]
                .into_iter()
                .map(|p| egui::pos2(p.x, p.y.clamp(top, bottom)))
                .collect()
        } else {
            vec![rect.center_top(), rect.right_bottom(), rect.left_bottom()]
                .into_iter()
                .map(|p| egui::pos2(p.x, p.y.clamp(top, bottom)))
                .collect()
        };
        ui.painter().add(egui::Shape::convex_polygon(
            points,
            color,
            egui::Stroke::NONE,
        ));
    }
    if response.clicked() {
        if active {
            filter.descending = !filter.descending;
        } else {
            filter.sort = sort;
            filter.descending = false;
        }
    }
}

/// The artist's name, status and archive/delete buttons.
fn heading_ui(ui: &mut Ui, page: &Page) -> PageAction {
    let mut action = PageAction::None;
    let artist = &page.saved;
    ui.horizontal(|ui| {
        ui.heading(&artist.name);
        let color = theme::artist_status_color(artist.status, ui.visuals().dark_mode);
        widgets::badge_ui(ui, artist.status.label(), color);
        if artist.archived {
            widgets::hint_ui(ui, "(archived)");
        }
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if ui
                .button("Delete…")
                .on_hover_text("Delete this artist (Delete)")
                .clicked()
            {
                action = PageAction::Delete;
            }
            let (label, hover) = if artist.archived {
                (
                    "Restore from archive",
                    "Show this artist in everyday lists again",
                )
            } else {
                (
                    "Archive artist",
                    "Hide this artist from everyday lists; nothing is deleted",
                )
            };
            if ui.button(label).on_hover_text(hover).clicked() {
                action = PageAction::ToggleArchived;
            }
        });
    });
    action
}

/// The artist's fields. Returns true when the draft should be saved now (a field was left,
/// Enter pressed, or a choice changed).
fn form_ui(ui: &mut Ui, page: &mut Page, focus_name: bool) -> bool {
    let mut save = false;
    let mut changed = false;
    let mut fields: Vec<egui::Response> = Vec::new();
    let name_error = page.error_for("name");
    let sort_error = page.error_for("sort name");
    let country_error = page.error_for("country");
    let email_error = page.error_for("email");
    egui::Grid::new("roster_artist_form")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .min_col_width(90.0)
        .show(ui, |ui| {
            let draft = &mut page.draft;
            let mut track = |response: &egui::Response| fields.push(response.clone());

            let name = widgets::field_ui(ui, "Name", &mut draft.name, name_error.as_deref());
            if focus_name {
                select_all_ui(ui, &name, &draft.name);
            }
            track(&name);

            track(&widgets::field_ui(
                ui,
                "Sort name",
                &mut draft.sort_name,
                sort_error.as_deref(),
            ));
            ui.label("");
            ui.horizontal(|ui| {
                widgets::hint_ui(ui, "Leave empty to sort by name.");
                let suggestion = default_sort_name(&draft.name);
                if suggestion != draft.name.trim()
                    && suggestion != draft.sort_name.trim()
                    && ui
                        .small_button(format!("Use “{suggestion}”"))
                        .on_hover_text("Sort this artist under this name")
                        .clicked()
                {
                    draft.sort_name = suggestion;
                    changed = true;
                    save = true;
                }
            });
            ui.end_row();

            if widgets::choice_row_ui(ui, "Status", &mut draft.status, ArtistStatus::ALL, |s| {
                s.label().to_owned()
            }) {
                changed = true;
                save = true;
            }

            let country =
                widgets::field_ui(ui, "Country", &mut draft.country, country_error.as_deref())
                    .on_hover_text("Two-letter country code, such as GB, US or DE");
            track(&country);
            track(&widgets::field_ui(ui, "Genres", &mut draft.genres, None));
            track(&widgets::field_ui(
                ui,
                "Email",
                &mut draft.email,
                email_error.as_deref(),
            ));
            track(&widgets::field_ui(ui, "Phone", &mut draft.phone, None));
            track(&widgets::field_ui(ui, "Manager", &mut draft.manager, None));
            let links = widgets::multiline_field_ui(ui, "Links", &mut draft.links, 3)
                .on_hover_text("One web address per line");
            track(&links);
            track(&widgets::multiline_field_ui(
                ui,
                "Notes",
                &mut draft.notes,
                4,
            ));
        });
    for response in &fields {
        changed |= response.changed();
        save |= response.lost_focus();
    }
    if changed {
        page.validate();
    }
    save
}

/// Focuses a text field and selects its text, so typing replaces it.
fn select_all_ui(ui: &Ui, response: &egui::Response, text: &str) {
    response.request_focus();
    let mut state = egui::text_edit::TextEditState::load(ui.ctx(), response.id).unwrap_or_default();
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::select_all_str(text)));
    state.store(ui.ctx(), response.id);
}

/// The releases that credit the artist; returns the one whose title was clicked.
fn releases_ui(ui: &mut Ui, page: &Page) -> Option<crate::model::ReleaseId> {
    ui.heading("Releases");
    ui.add_space(4.0);
    if page.releases.is_empty() {
        widgets::hint_ui(ui, "No releases yet.");
        return None;
    }
    let dark = ui.visuals().dark_mode;
    let mut clicked = None;
    egui::Grid::new("roster_artist_releases")
        .num_columns(5)
        .striped(true)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            for title in ["Catalog no.", "Title", "Role", "Status", "Date"] {
                ui.label(RichText::new(title).strong());
            }
            ui.end_row();
            for release in &page.releases {
                ui.label(if release.catnos.is_empty() {
                    "—"
                } else {
                    release.catnos.as_str()
                });
                if ui
                    .link(&release.title)
                    .on_hover_text("Open this release")
                    .clicked()
                {
                    clicked = Some(release.id);
                }
                ui.label(release.role.label());
                let color = theme::release_status_color(release.status, dark);
                ui.label(RichText::new(release.status.label()).color(color));
                ui.label(
                    release
                        .release_date
                        .map_or_else(|| "—".to_owned(), |d| d.format("%Y-%m-%d").to_string()),
                );
                ui.end_row();
            }
        });
    clicked
}

#[cfg(test)]
mod tests {
    use egui::accesskit::Role;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT as _, Queryable as _};

    use super::*;
    use crate::db::Catalog;
    use crate::model::{Release, ReleaseArtist};
    use crate::undo::{Created, History};

    struct TestState {
        catalog: Catalog,
        history: History,
        commands: Vec<Command>,
        revision: u64,
        panel: RosterPanel,
        notices: Vec<String>,
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
                Command::Edit(edit) => {
                    state
                        .history
                        .apply(&mut state.catalog, edit)
                        .expect("the edit applies");
                    state.revision += 1;
                }
                Command::EditAndOpen(edit) => {
                    let created = state
                        .history
                        .apply(&mut state.catalog, edit)
                        .expect("the edit applies");
                    state.revision += 1;
                    for item in created {
                        if let Created::Artist(id) = item {
                            state.panel.open(id);
                        }
                    }
                }
                Command::Notify(message) | Command::Error(message) => state.notices.push(message),
                other => panic!("unexpected command {other:?}"),
            }
        }
    }

    fn artist(name: &str, status: ArtistStatus, country: &str, email: &str) -> Artist {
        Artist {
            status,
            country: country.to_owned(),
            email: email.to_owned(),
            genres: "indie".to_owned(),
            ..Artist::new(name)
        }
    }

    /// Four artists; Dune Drifters is credited on two releases.
    fn seeded() -> Catalog {
        let mut catalog = Catalog::open_in_memory().expect("in-memory catalog");
        catalog
            .write(|tx| {
                artists::insert(
                    tx,
                    &artist(
                        "Alpha Lights",
                        ArtistStatus::Signed,
                        "GB",
                        "alpha@example.com",
                    ),
                )?;
                artists::insert(
                    tx,
                    &artist(
                        "Beta Waves",
                        ArtistStatus::Prospect,
                        "US",
                        "beta@example.com",
                    ),
                )?;
                artists::insert(tx, &artist("Cobalt Choir", ArtistStatus::Alumni, "DE", ""))?;
                let dune =
                    artists::insert(tx, &artist("Dune Drifters", ArtistStatus::Signed, "FR", ""))?;
                for title in ["Sand Songs", "Mirage"] {
                    let release = crate::db::releases::insert(tx, &Release::new(title))?;
                    crate::db::releases::set_artists(
                        tx,
                        release,
                        &[ReleaseArtist {
                            artist_id: dune,
                            role: crate::model::ArtistRole::Primary,
                        }],
                    )?;
                }
                Ok(())
            })
            .expect("seed the catalog");
        catalog
    }

    fn harness(catalog: Catalog) -> Harness<'static, TestState> {
        let state = TestState {
            catalog,
            history: History::default(),
            commands: Vec::new(),
            revision: 0,
            panel: RosterPanel::default(),
            notices: Vec::new(),
        };
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1100.0, 700.0))
            .build_ui_state(frame_ui, state);
        harness.run();
        harness
    }

    fn find(harness: &Harness<'_, TestState>, name: &str) -> Artist {
        let rows = artists::list(
            harness.state().catalog.conn(),
            &ArtistFilter {
                include_archived: true,
                ..ArtistFilter::default()
            },
        )
        .expect("list artists");
        let row = rows
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no artist called {name}"));
        artists::get(harness.state().catalog.conn(), row.id).expect("get artist")
    }

    /// The roster rows' names as seen on screen, top to bottom (the list is as wide as its
    /// filter box; the artist page is to its right).
    fn visible_names(harness: &Harness<'_, TestState>) -> Vec<String> {
        let known = [
            "Alpha Lights",
            "Beta Waves",
            "Cobalt Choir",
            "Dune Drifters",
        ];
        let list_right = harness
            .get_by_role_and_label(Role::TextInput, "Filter artists")
            .rect()
            .right();
        let mut seen: Vec<(f32, String)> = harness
            .root()
            .children_recursive()
            .filter(|node| node.accesskit_node().role() == Role::Label)
            .filter(|node| node.accesskit_node().bounding_box().is_some())
            .filter(|node| node.rect().right() <= list_right)
            .filter_map(|node| {
                let value = node.accesskit_node().value()?;
                known
                    .contains(&value.as_str())
                    .then(|| (node.rect().min.y, value))
            })
            .collect();
        seen.sort_by(|a, b| a.0.total_cmp(&b.0));
        seen.into_iter().map(|(_, name)| name).collect()
    }

    fn select(harness: &mut Harness<'_, TestState>, name: &str) {
        harness.get_by_label(name).click();
        harness.run();
        let shown = harness
            .get_by_role_and_label(Role::TextInput, "Name")
            .value();
        assert_eq!(shown.as_deref(), Some(name), "the artist page shows {name}");
    }

    #[test]
    fn add_an_artist_through_the_ui() {
        let mut harness = harness(Catalog::open_in_memory().expect("catalog"));
        harness.get_by_label_contains("No artists yet. Add your first with New artist");

        harness.get_by_label("New artist").click();
        harness.run();
        let name = harness.get_by_role_and_label(Role::TextInput, "Name");
        assert!(
            name.is_focused(),
            "the new artist's name is ready to be typed over"
        );
        name.type_text("Nadia Reyes");
        harness.key_press(egui::Key::Enter);
        harness.run();

        let nadia = find(&harness, "Nadia Reyes");
        assert_eq!(nadia.status, ArtistStatus::Prospect);
        assert_eq!(harness.state().panel.state().selected, Some(nadia.id));
        assert_eq!(
            harness.query_all_by_label("Nadia Reyes").count(),
            2,
            "in the list and as the page's heading"
        );
    }

    #[test]
    fn an_invalid_email_is_shown_and_never_saved() {
        let mut harness = harness(seeded());
        select(&mut harness, "Alpha Lights");

        let email = harness.get_by_role_and_label(Role::TextInput, "Email");
        email.focus();
        harness.run();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness
            .get_by_role_and_label(Role::TextInput, "Email")
            .type_text("alpha at example");
        harness.run();
        harness.get_by_label_contains("“alpha at example” is not an e-mail address");

        harness.key_press(egui::Key::Enter);
        harness.run();
        harness.get_by_label_contains("is not an e-mail address");
        assert_eq!(find(&harness, "Alpha Lights").email, "alpha@example.com");

        // Leaving the artist drops the invalid draft and says so.
        select(&mut harness, "Beta Waves");
        assert_eq!(find(&harness, "Alpha Lights").email, "alpha@example.com");
        assert!(
            harness
                .state()
                .notices
                .iter()
                .any(|n| n.starts_with("Not saved: email")),
            "{:?}",
            harness.state().notices
        );
        assert!(
            harness
                .query_by_label_contains("is not an e-mail address")
                .is_none()
        );
    }

    #[test]
    fn a_credited_artist_cannot_be_deleted_but_can_be_archived() {
        let mut harness = harness(seeded());
        select(&mut harness, "Dune Drifters");

        harness.get_by_label("Delete…").click();
        harness.run();
        harness.get_by_label_contains(
            "“Dune Drifters” is credited on 2 releases and 0 tracks, so it cannot be deleted. Archive instead?",
        );
        assert!(
            harness
                .query_by_role_and_label(Role::Button, "Delete")
                .is_none()
        );

        harness
            .get_by_role_and_label(Role::Button, "Archive")
            .click();
        harness.run();
        let dune = find(&harness, "Dune Drifters");
        assert!(dune.archived);
        assert_eq!(
            artists::references(harness.state().catalog.conn(), dune.id).ok(),
            Some((2, 0))
        );
        // Hidden from the list (archived), still shown on its page with a way back.
        assert_eq!(
            visible_names(&harness),
            ["Alpha Lights", "Beta Waves", "Cobalt Choir"]
        );
        harness.get_by_label("Restore from archive").click();
        harness.run();
        assert!(!find(&harness, "Dune Drifters").archived);
        assert_eq!(visible_names(&harness).len(), 4);
    }

    #[test]
    fn deleting_an_uncredited_artist_after_confirming_and_undo() {
        let mut harness = harness(seeded());
        let before = find(&harness, "Beta Waves");
        select(&mut harness, "Beta Waves");

        harness.get_by_label("No releases yet.");
        harness.get_by_label("Delete…").click();
        harness.run();
        harness.get_by_label_contains("Delete “Beta Waves” from the roster?");
        harness
            .get_by_role_and_label(Role::Button, "Delete")
            .click();
        harness.run();

        let conn = harness.state().catalog.conn();
        assert!(matches!(
            artists::get(conn, before.id),
            Err(DbError::Missing { .. })
        ));
        assert_eq!(
            visible_names(&harness),
            ["Alpha Lights", "Cobalt Choir", "Dune Drifters"]
        );
        assert_eq!(harness.state().panel.state().selected, None);

        let state = harness.state_mut();
        state.history.undo(&mut state.catalog).expect("undo");
        state.revision += 1;
        assert_eq!(
            artists::get(state.catalog.conn(), before.id).ok(),
            Some(before)
        );
        harness.run();
        assert_eq!(
            visible_names(&harness),
            [
                "Alpha Lights",
                "Beta Waves",
                "Cobalt Choir",
                "Dune Drifters"
            ]
        );
    }

    #[test]
    fn sorting_and_the_status_filter_change_the_rows() {
        let mut harness = harness(seeded());
        assert_eq!(
            visible_names(&harness),
            [
                "Alpha Lights",
                "Beta Waves",
                "Cobalt Choir",
                "Dune Drifters"
            ]
        );

        harness.get_by_role_and_label(Role::Button, "Name").click();
        harness.run();
        assert_eq!(
            visible_names(&harness),
            [
                "Dune Drifters",
                "Cobalt Choir",
                "Beta Waves",
                "Alpha Lights"
            ]
        );

        harness
            .get_by_role_and_label(Role::Button, "Country")
            .click();
        harness.run();
        assert_eq!(
            visible_names(&harness),
            [
                "Cobalt Choir",
                "Dune Drifters",
                "Alpha Lights",
                "Beta Waves"
            ]
        );

        harness
            .get_by_role_and_label(Role::Button, "Releases")
            .click();
        harness.run();
        harness
            .get_by_role_and_label(Role::Button, "Releases")
            .click();
        harness.run();
        assert_eq!(
            visible_names(&harness).first().map(String::as_str),
            Some("Dune Drifters")
        );

        harness
            .get_by_role_and_label(Role::Button, "Signed")
            .click();
        harness.run();
        assert_eq!(visible_names(&harness), ["Dune Drifters", "Alpha Lights"]);

        harness
            .get_by_role_and_label(Role::Button, "Alumni")
            .click();
        harness.run();
        assert_eq!(visible_names(&harness), ["Cobalt Choir"]);
    }

    #[test]
    fn a_filter_that_matches_nothing_says_so() {
        let mut harness = harness(seeded());
        harness
            .get_by_role_and_label(Role::TextInput, "Filter artists")
            .focus();
        harness.run();
        harness
            .get_by_role_and_label(Role::TextInput, "Filter artists")
            .type_text("zzz");
        harness.run();
        harness.get_by_label("No artist matches “zzz”");
        assert!(visible_names(&harness).is_empty());
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
    fn leaving_a_row_saves_its_draft_and_undo_resets_the_form() {
        let mut harness = harness(seeded());
        select(&mut harness, "Alpha Lights");
        retype(&mut harness, "Genres", "shoegaze");
        assert_eq!(
            find(&harness, "Alpha Lights").genres,
            "indie",
            "not saved while typing"
        );

        select(&mut harness, "Beta Waves");
        assert_eq!(find(&harness, "Alpha Lights").genres, "shoegaze");

        select(&mut harness, "Alpha Lights");
        retype(&mut harness, "Name", "Alpha Lux");
        harness.key_press(egui::Key::Enter);
        harness.run();
        let renamed = find(&harness, "Alpha Lux");
        assert_eq!(renamed.genres, "shoegaze");

        let state = harness.state_mut();
        assert_eq!(
            state
                .history
                .undo(&mut state.catalog)
                .ok()
                .flatten()
                .as_deref(),
            Some("Edit artist")
        );
        state.revision += 1;
        harness.run();
        let name = harness
            .get_by_role_and_label(Role::TextInput, "Name")
            .value();
        assert_eq!(
            name.as_deref(),
            Some("Alpha Lights"),
            "the form shows the catalog again"
        );
        assert_eq!(
            artists::get(harness.state().catalog.conn(), renamed.id)
                .map(|a| a.name)
                .ok()
                .as_deref(),
            Some("Alpha Lights")
        );
    }

    #[test]
    fn the_sort_name_suggestion_moves_the_article() {
        let mut harness = harness(seeded());
        select(&mut harness, "Cobalt Choir");
        assert!(harness.query_by_label_contains("Use “").is_none());
        retype(&mut harness, "Name", "The Cobalt Choir");
        harness.key_press(egui::Key::Enter);
        harness.run();

        harness.get_by_label("Use “Cobalt Choir, The”").click();
        harness.run();
        let choir = find(&harness, "The Cobalt Choir");
        assert_eq!(choir.sort_name, "Cobalt Choir, The");
        assert!(harness.query_by_label_contains("Use “").is_none());
    }

    #[test]
    fn restored_state_and_escape_stepping_back() {
        let catalog = seeded();
        let mut harness = harness(catalog);
        let dune = find(&harness, "Dune Drifters");
        let saved = RosterState {
            filter: ArtistFilter {
                status: Some(ArtistStatus::Signed),
                sort: ArtistSort::Releases,
                descending: true,
                ..ArtistFilter::default()
            },
            selected: Some(dune.id),
        };
        harness.state_mut().panel = RosterPanel::restore(saved.clone());
        harness.run();
        assert_eq!(visible_names(&harness), ["Dune Drifters", "Alpha Lights"]);
        let name = harness
            .get_by_role_and_label(Role::TextInput, "Name")
            .value();
        assert_eq!(name.as_deref(), Some("Dune Drifters"));
        assert_eq!(harness.state().panel.state(), saved);

        harness.state_mut().panel.request_delete();
        harness.run();
        harness.get_by_label_contains("so it cannot be deleted");
        assert!(
            harness.state_mut().panel.close(),
            "Escape closes the dialog"
        );
        harness.run();
        assert!(
            harness
                .query_by_label_contains("so it cannot be deleted")
                .is_none()
        );
        assert!(harness.state_mut().panel.close(), "then deselects");
        harness.run();
        assert!(
            harness
                .query_by_role_and_label(Role::TextInput, "Name")
                .is_none()
        );
        assert!(
            !harness.state_mut().panel.close(),
            "then there is nothing to close"
        );
        assert_eq!(harness.state().panel.state().selected, None);
    }
}
