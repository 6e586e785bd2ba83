//! The global search box in the top bar (Ctrl+K): jumps to any artist, release or track.

use egui::{Key, RichText};

use super::PanelCtx;
use crate::command::{Command, Target};
use crate::db::search::{HitKind, SearchHit};
use crate::model::{ArtistId, ReleaseId, TrackId};

/// Most hits listed under the box.
pub const SEARCH_LIMIT: usize = 30;

type SearchResult = (String, u64, Result<Vec<SearchHit>, String>);

/// Runs searches on a named thread with its own read-only connection, so typing never waits
/// for SQLite. A newer keystroke interrupts the running query; only the latest is answered.
struct SearchWorker {
    queries: std::sync::mpsc::Sender<(String, u64)>,
    results: std::sync::mpsc::Receiver<SearchResult>,
    interrupt: rusqlite::InterruptHandle,
    busy: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SearchWorker {
    fn start(path: &std::path::Path, egui_ctx: egui::Context) -> Option<Self> {
        use std::sync::atomic::Ordering;
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(path, flags).ok()?;
        conn.busy_timeout(std::time::Duration::from_secs(2)).ok()?;
        let interrupt = conn.get_interrupt_handle();
        let (query_tx, query_rx) = std::sync::mpsc::channel::<(String, u64)>();
        let (result_tx, result_rx) = std::sync::mpsc::channel();
        let busy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let worker_busy = std::sync::Arc::clone(&busy);
        std::thread::Builder::new()
            .name("search".to_owned())
            .spawn(move || {
                while let Ok(mut query) = query_rx.recv() {
                    // Only the newest query matters.
                    while let Ok(newer) = query_rx.try_recv() {
                        query = newer;
                    }
                    worker_busy.store(true, Ordering::SeqCst);
                    let mut result = crate::db::search::search(&conn, &query.0, SEARCH_LIMIT);
                    worker_busy.store(false, Ordering::SeqCst);
                    let interrupted = result.as_ref().err().is_some_and(|e| {
                        matches!(e, crate::db::DbError::Sqlite(s) if s.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted))
                    });
                    if interrupted {
                        // Stale: a newer query is (or is about to be) queued. Run this one again
                        // only if nothing newer came.
                        while let Ok(newer) = query_rx.try_recv() {
                            query = newer;
                        }
                        result = crate::db::search::search(&conn, &query.0, SEARCH_LIMIT);
                    }
                    if result_tx.send((query.0, query.1, result.map_err(|e| e.to_string()))).is_err() {
                        break;
                    }
                    egui_ctx.request_repaint();
                }
            })
            .ok()?;
        Some(Self {
            queries: query_tx,
            results: result_rx,
            interrupt,
            busy,
        })
    }

    fn ask(&self, query: &str, revision: u64) {
        if self.busy.load(std::sync::atomic::Ordering::SeqCst) {
            self.interrupt.interrupt();
        }
        let _ = self.queries.send((query.to_owned(), revision));
    }
}

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
    /// Background search on file catalogs (in-memory catalogs search inline).
    worker: Option<SearchWorker>,
    worker_path: Option<std::path::PathBuf>,
    /// The query the shown hits answer.
    answered: String,
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

    fn ensure_worker(&mut self, ctx: &PanelCtx<'_>, egui_ctx: &egui::Context) {
        let path = ctx.catalog.path().map(std::path::Path::to_path_buf);
        if path != self.worker_path {
            self.worker = path
                .as_deref()
                .and_then(|p| SearchWorker::start(p, egui_ctx.clone()));
            self.worker_path = path;
        }
    }

    fn take_results(&mut self, ctx: &mut PanelCtx<'_>) {
        let Some(worker) = &self.worker else { return };
        while let Ok((query, revision, result)) = worker.results.try_recv() {
            if query != self.searched || revision != self.searched_revision {
                continue; // an answer to an older keystroke
            }
            match result {
                Ok(hits) => {
                    self.hits = hits;
                    self.answered = query;
                }
                Err(message) => ctx.send(Command::Error(format!("Search failed: {message}"))),
            }
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
        self.ensure_worker(ctx, ui.ctx());
        if query != self.searched || ctx.revision != self.searched_revision {
            self.searched.clone_from(&query);
            self.searched_revision = ctx.revision;
            self.selected = 0;
            if query.is_empty() {
                self.hits.clear();
                self.answered.clear();
            } else if let Some(worker) = &self.worker {
                worker.ask(&query, ctx.revision);
            } else {
                self.hits = ctx
                    .report(crate::db::search::search(
                        ctx.catalog.conn(),
                        &query,
                        SEARCH_LIMIT,
                    ))
                    .unwrap_or_default();
                self.answered.clone_from(&query);
            }
        }
        self.take_results(ctx);
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
                    if self.answered != query {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            super::widgets::hint_ui(ui, "Searching…");
                        });
                        if self.hits.is_empty() {
                            return;
                        }
                    } else if self.hits.is_empty() {
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
