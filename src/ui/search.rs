//! The global search box in the top bar (Ctrl+K): jumps to any artist, release or track.

use egui::{Key, RichText};

use super::PanelCtx;
use crate::command::{Command, Target};
use crate::db::search::{HitKind, SearchHit};
use crate::model::{ArtistId, ReleaseId, TrackId};

/// Most hits listed under the box.
pub const SEARCH_LIMIT: usize = 30;

#[derive(Default)]
pub struct GlobalSearch {
    text: String,
    searched: String,
    searched_revision: u64,
    hits: Vec<SearchHit>,
    selected: usize,
    focus_requested: bool,
    has_focus: bool,
    /// Where the result list was last frame: a click there must not close it first.
    popup_rect: Option<egui::Rect>,
}

impl GlobalSearch {
    /// Ctrl+K: put the cursor in the box.
    pub fn request_focus(&mut self) {
        self.focus_requested = true;
    }

    /// True while the result list is showing (Escape then closes it, not the panel's item).
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.has_focus && !self.text.trim().is_empty()
    }

    fn target(hit: &SearchHit) -> Option<Target> {
        match hit.kind {
            HitKind::Artist => Some(Target::Artist(ArtistId(hit.id))),
            HitKind::Release => Some(Target::Release(ReleaseId(hit.id))),
            HitKind::Track => hit.release.map(|release| Target::Track {
                release,
                track: TrackId(hit.id),
            }),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &mut PanelCtx<'_>) {
        let id = egui::Id::unique("global_search");
        let label = ui.label("Search");
        let edit = egui::TextEdit::singleline(&mut self.text)
            .id(id)
            .hint_text("artists, releases, tracks, ISRC, barcode… (Ctrl+K)")
            .desired_width(340.0);
        // Right-to-left layout: the box is drawn before its label visually; keep the label linked.
        let response = ui.add(edit).labelled_by(label.id);
        if std::mem::take(&mut self.focus_requested) {
            response.request_focus();
        }
        // Enter ends editing of a single-line field: the box loses focus in the same frame.
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        self.has_focus = response.has_focus() || entered;
        let query = self.text.trim().to_owned();
        if query != self.searched || ctx.revision != self.searched_revision {
            self.searched.clone_from(&query);
            self.searched_revision = ctx.revision;
            self.selected = 0;
            self.hits = if query.is_empty() {
                Vec::new()
            } else {
                ctx.report(crate::db::search::search(
                    ctx.catalog.conn(),
                    &query,
                    SEARCH_LIMIT,
                ))
                .unwrap_or_default()
            };
        }
        let pointer_in_popup = self.popup_rect.is_some_and(|rect| {
            ui.input(|i| i.pointer.interact_pos().is_some_and(|p| rect.contains(p)))
        });
        if (!self.has_focus && !pointer_in_popup) || query.is_empty() {
            self.popup_rect = None;
            return;
        }
        let (down, up, enter, escape) = ui.input(|i| {
            (
                i.key_pressed(Key::ArrowDown),
                i.key_pressed(Key::ArrowUp),
                i.key_pressed(Key::Enter),
                i.key_pressed(Key::Escape),
            )
        });
        if down && self.selected + 1 < self.hits.len() {
            self.selected += 1;
        }
        if up {
            self.selected = self.selected.saturating_sub(1);
        }
        let mut chosen: Option<Target> = None;
        if enter {
            chosen = self.hits.get(self.selected).and_then(Self::target);
        }
        if escape {
            self.text.clear();
            response.surrender_focus();
            return;
        }
        let anchor = response.rect.left_bottom() + egui::vec2(0.0, 4.0);
        let area = egui::Area::new(id.with("results"))
            .order(egui::Order::Foreground)
            .fixed_pos(anchor)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_width(420.0);
                    if self.hits.is_empty() {
                        super::widgets::hint_ui(ui, &format!("Nothing found for “{query}”"));
                        return;
                    }
                    let mut last_kind = None;
                    egui::ScrollArea::vertical()
                        .max_height(420.0)
                        .show(ui, |ui| {
                            for (i, hit) in self.hits.iter().enumerate() {
                                if last_kind != Some(hit.kind) {
                                    last_kind = Some(hit.kind);
                                    let heading = match hit.kind {
                                        HitKind::Artist => "Artists",
                                        HitKind::Release => "Releases",
                                        HitKind::Track => "Tracks",
                                    };
                                    ui.label(RichText::new(heading).small().strong());
                                }
                                let text = format!("{}  ·  {}", hit.title, hit.detail);
                                let item = ui.selectable_label(i == self.selected, text);
                                if i == self.selected && (down || up) {
                                    item.scroll_to_me(None);
                                }
                                if item.clicked() {
                                    chosen = Self::target(hit);
                                }
                            }
                        });
                });
            });
        self.popup_rect = Some(area.response.rect);
        if let Some(target) = chosen {
            ctx.send(Command::Open(target));
            self.text.clear();
            self.popup_rect = None;
            response.surrender_focus();
        }
    }
}
