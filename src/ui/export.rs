//! The Export window: the whole catalog as one lossless JSON file or as CSV files (one per
//! table), written on a background task.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use super::widgets;

/// What the user asked for: export to this path, as CSV (`true`) or JSON.
pub struct ExportRequest {
    pub dest: PathBuf,
    pub csv: bool,
}

#[derive(Default)]
pub struct ExportDialog {
    open: bool,
    csv: bool,
    path: String,
    dialog: Option<Receiver<Option<PathBuf>>>,
}

impl ExportDialog {
    /// Opens the window; `csv` picks the format.
    pub fn open(&mut self, csv: bool, suggested: PathBuf) {
        self.open = true;
        self.csv = csv;
        self.path = suggested.display().to_string();
    }

    #[must_use]
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn ui(&mut self, ctx: &egui::Context) -> Option<ExportRequest> {
        if !self.open {
            return None;
        }
        if let Some(rx) = &self.dialog
            && let Ok(picked) = rx.try_recv()
        {
            self.dialog = None;
            if let Some(path) = picked {
                self.path = path.display().to_string();
            }
        }
        let mut request = None;
        let mut open = self.open;
        let title = if self.csv {
            "Export as CSV files"
        } else {
            "Export as JSON"
        };
        egui::Window::new(title).open(&mut open).collapsible(false).default_width(520.0).show(ctx, |ui| {
            widgets::hint_ui(
                ui,
                if self.csv {
                    "One UTF-8 CSV file per table, with a header row, into a folder. Cells that a spreadsheet \
                     would run as a formula are prefixed with ' (Labeldesk's import removes it again)."
                } else {
                    "One lossless file with every table: import it into an empty catalog to get the same catalog back."
                },
            );
            ui.horizontal(|ui| {
                let label = ui.label(if self.csv { "Folder" } else { "File" });
                ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(330.0)).labelled_by(label.id);
                if ui.button("Choose…").clicked() {
                    let (tx, rx) = channel();
                    let csv = self.csv;
                    let spawned = std::thread::Builder::new().name("export-file-dialog".to_owned()).spawn(move || {
                        let dialog = rfd::FileDialog::new();
                        let picked = if csv {
                            dialog.pick_folder()
                        } else {
                            dialog.add_filter("Labeldesk JSON", &["json"]).set_file_name("labeldesk.json").save_file()
                        };
                        let _ = tx.send(picked);
                    });
                    if spawned.is_ok() {
                        self.dialog = Some(rx);
                    }
                }
            });
            let path = self.path.trim();
            if ui.add_enabled(!path.is_empty(), egui::Button::new("Export")).clicked() {
                request = Some(ExportRequest { dest: PathBuf::from(path), csv: self.csv });
            }
        });
        self.open = open && request.is_none();
        request
    }
}
