//! The Backups window: the snapshots beside the catalog, "Back up now", and restoring one.
//! The work itself runs as background tasks owned by the app; this view only asks for it.

use egui::RichText;

use super::widgets::{self, Answer};
use crate::io::backup::{self, BackupInfo};

/// What the user asked the Backups window for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupRequest {
    BackUpNow,
    Restore(std::path::PathBuf),
    /// Also copy every snapshot into this folder (a USB stick, a synced folder); `None` stops.
    SetSecondFolder(Option<std::path::PathBuf>),
}

#[derive(Debug, Default)]
pub struct BackupsView {
    open: bool,
    listed: Option<Vec<BackupInfo>>,
    error: Option<String>,
    confirm_restore: Option<BackupInfo>,
    second_folder: String,
}

impl BackupsView {
    pub fn open(&mut self) {
        self.open = true;
        self.listed = None;
    }

    /// Shows the second backup folder currently in use.
    pub fn set_second_folder_text(&mut self, folder: Option<&std::path::Path>) {
        self.second_folder = folder.map(|f| f.display().to_string()).unwrap_or_default();
    }

    /// Re-read the folder next time the window is drawn (a backup was taken or pruned).
    pub fn refresh(&mut self) {
        self.listed = None;
    }

    #[must_use]
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn close(&mut self) {
        self.open = false;
        self.confirm_restore = None;
    }

    /// Draws the window for the catalog at `catalog_path`; returns what the user asked for.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        catalog_path: Option<&std::path::Path>,
        busy: bool,
    ) -> Option<BackupRequest> {
        if !self.open {
            return None;
        }
        let mut request = None;
        let Some(catalog_path) = catalog_path else {
            self.open = false;
            return None;
        };
        let dir = backup::backups_dir(catalog_path);
        if self.listed.is_none() {
            match backup::list(&dir) {
                Ok(list) => {
                    self.listed = Some(list);
                    self.error = None;
                }
                Err(e) => {
                    self.listed = Some(Vec::new());
                    self.error = Some(e.to_string());
                }
            }
        }
        let mut open = self.open;
        egui::Window::new("Backups").open(&mut open).default_width(520.0).collapsible(false).show(ctx, |ui| {
            widgets::hint_ui(ui, &format!("Snapshots are kept in {}", dir.display()));
            widgets::hint_ui(
                ui,
                "Labeldesk takes one every 30 minutes while you work, and before upgrades and restores. \
                 Old ones are thinned: every day for 12 days, every week for 10 weeks, every month for 9 months.",
            );
            ui.add_space(6.0);
            if ui.add_enabled(!busy, egui::Button::new("Back up now")).clicked() {
                request = Some(BackupRequest::BackUpNow);
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let label = ui.label("Second backup folder");
                ui.add(egui::TextEdit::singleline(&mut self.second_folder).desired_width(260.0).hint_text("a USB stick or a synced folder"))
                    .labelled_by(label.id);
                if ui.button("Use this folder").clicked() {
                    let text = self.second_folder.trim();
                    request = Some(BackupRequest::SetSecondFolder((!text.is_empty()).then(|| std::path::PathBuf::from(text))));
                }
            });
            widgets::hint_ui(ui, "Every snapshot is also copied there when the folder is reachable: a stolen laptop takes its backups folder with it.");
            if let Some(error) = &self.error {
                ui.label(RichText::new(error).color(super::theme::error_color(ui)));
            }
            ui.separator();
            let list = self.listed.clone().unwrap_or_default();
            if list.is_empty() {
                widgets::hint_ui(ui, "No backups yet.");
            }
            egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
                egui::Grid::new("backups_grid").num_columns(4).striped(true).spacing([12.0, 4.0]).show(ui, |ui| {
                    for info in &list {
                        let local = info.taken_at.with_timezone(&chrono::Local);
                        ui.label(local.format("%Y-%m-%d %H:%M").to_string());
                        ui.label(info.reason.clone().unwrap_or_default());
                        ui.label(backup::human_size(info.size));
                        if ui.add_enabled(!busy, egui::Button::new("Restore…")).clicked() {
                            self.confirm_restore = Some(info.clone());
                        }
                        ui.end_row();
                    }
                });
            });
        });
        self.open = open;
        if let Some(info) = self.confirm_restore.clone() {
            let when = info
                .taken_at
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M");
            let body = format!(
                "The catalog will be replaced by the backup from {when}. A snapshot of the catalog as it is \
                 now is taken first, so this can be undone by restoring that snapshot."
            );
            match widgets::confirm_ui(
                ctx,
                "confirm_restore",
                "Restore this backup?",
                &body,
                "Restore",
            ) {
                Answer::Pending => {}
                Answer::Cancel => self.confirm_restore = None,
                Answer::Confirm => {
                    self.confirm_restore = None;
                    request = Some(BackupRequest::Restore(info.path));
                }
            }
        }
        request
    }
}
