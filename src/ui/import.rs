//! The Import window: pick a file (dialog, typed path or dropped on the window), read it in
//! the background, show a preview with counts, problems and duplicates, then import.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use egui::RichText;

use super::{theme, widgets};
use crate::io::import::{self, DuplicatePolicy, ImportPlan, Preview};

/// What the user asked the Import window for.
pub enum ImportRequest {
    /// Read and preview this file.
    Read(PathBuf),
    /// Write the previewed plan.
    Apply(Box<ImportPlan>, DuplicatePolicy),
    /// Load a Labeldesk export (a whole catalog) into the empty catalog.
    LoadExport(PathBuf),
}

enum Stage {
    Choose,
    Reading,
    Preview {
        file: PathBuf,
        plan: Box<ImportPlan>,
        preview: Box<Preview>,
    },
    Importing,
}

pub struct ImportDialog {
    open: bool,
    path: String,
    stage: Stage,
    policy: DuplicatePolicy,
    dialog: Option<Receiver<Option<PathBuf>>>,
    /// (path text, is a Labeldesk export, importer kind) of the last sniffed path.
    detected: Option<(String, bool, Option<import::ImportKind>)>,
}

impl Default for ImportDialog {
    fn default() -> Self {
        Self {
            open: false,
            path: String::new(),
            stage: Stage::Choose,
            policy: DuplicatePolicy::Skip,
            dialog: None,
            detected: None,
        }
    }
}

impl ImportDialog {
    pub fn open(&mut self) {
        self.open = true;
        self.stage = Stage::Choose;
    }

    /// Opens the window on a file dropped on the app.
    pub fn open_with(&mut self, path: PathBuf) {
        self.open = true;
        self.stage = Stage::Choose;
        self.path = path.display().to_string();
    }

    #[must_use]
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The background read finished: show the preview.
    pub fn show_preview(&mut self, file: PathBuf, plan: Box<ImportPlan>, preview: Box<Preview>) {
        self.open = true;
        self.stage = Stage::Preview {
            file,
            plan,
            preview,
        };
    }

    /// The read or the import failed or finished: back to choosing a file (or closed).
    pub fn finished(&mut self, close: bool) {
        self.stage = Stage::Choose;
        if close {
            self.open = false;
        }
    }

    pub fn close(&mut self) {
        self.open = false;
        self.stage = Stage::Choose;
    }

    fn poll_dialog(&mut self) {
        if let Some(rx) = &self.dialog
            && let Ok(picked) = rx.try_recv()
        {
            self.dialog = None;
            if let Some(path) = picked {
                self.path = path.display().to_string();
            }
        }
    }

    /// Draws the window; returns what the user asked for.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<ImportRequest> {
        if !self.open {
            return None;
        }
        self.poll_dialog();
        let mut request = None;
        let mut open = self.open;
        let mut close = false;
        egui::Window::new("Import").open(&mut open).default_width(560.0).collapsible(false).show(ctx, |ui| {
            match &mut self.stage {
                Stage::Choose => {
                    widgets::hint_ui(
                        ui,
                        "A Chinook .sqlite, a Discogs releases dump (.xml or .xml.gz), or your own spreadsheet (.csv). \
                         You can also drop the file on the window.",
                    );
                    ui.horizontal(|ui| {
                        let label = ui.label("File to import");
                        ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(320.0)).labelled_by(label.id);
                        if ui.button("Choose…").clicked() {
                            let (tx, rx) = channel();
                            let spawned = std::thread::Builder::new().name("import-file-dialog".to_owned()).spawn(move || {
                                let _ = tx.send(rfd::FileDialog::new().pick_file());
                            });
                            if spawned.is_ok() {
                                self.dialog = Some(rx);
                            }
                        }
                    });
                    let path = PathBuf::from(self.path.trim());
                    // Sniffing reads the file's first bytes: once per path typed, not every frame.
                    if self.detected.as_ref().is_none_or(|(p, _, _)| *p != self.path) {
                        let export = !self.path.trim().is_empty()
                            && (crate::io::json::looks_like_labeldesk_json(&path)
                                || crate::io::csv_export::looks_like_labeldesk_csv(&path));
                        let kind = (!self.path.trim().is_empty() && !export).then(|| import::detect(&path)).flatten();
                        self.detected = Some((self.path.clone(), export, kind));
                    }
                    let (labeldesk_export, kind) =
                        self.detected.as_ref().map_or((false, None), |(_, export, kind)| (*export, *kind));
                    if labeldesk_export {
                        ui.label("Looks like: a Labeldesk export (a whole catalog; it loads into an empty catalog only)");
                        if ui.button("Load export").clicked() {
                            request = Some(ImportRequest::LoadExport(path.clone()));
                            self.stage = Stage::Importing;
                        }
                    } else {
                        match kind {
                            Some(kind) => {
                                ui.label(format!("Looks like: {}", kind.label()));
                            }
                            None if !self.path.trim().is_empty() => {
                                ui.label(
                                    RichText::new("Not a file Labeldesk can import (or it does not exist)")
                                        .color(theme::error_color(ui)),
                                );
                            }
                            None => {}
                        }
                        if ui.add_enabled(kind.is_some(), egui::Button::new("Read file")).clicked() {
                            request = Some(ImportRequest::Read(path));
                            self.stage = Stage::Reading;
                        }
                    }
                }
                Stage::Reading => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Reading the file… nothing is written until you confirm.");
                    });
                }
                Stage::Importing => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Importing… (the status bar shows progress and a Cancel button)");
                    });
                }
                Stage::Preview { file, plan, preview } => {
                    let counts = &preview.counts;
                    ui.label(RichText::new(file.display().to_string()).strong());
                    egui::Grid::new("import_counts").num_columns(2).spacing([16.0, 2.0]).show(ui, |ui| {
                        for (what, n) in [
                            ("Artists", counts.artists),
                            ("Labels", counts.labels),
                            ("Releases", counts.releases),
                            ("Formats", counts.formats),
                            ("Tracks", counts.tracks),
                            ("Catalog numbers", counts.catalog_numbers),
                            ("Barcodes", counts.barcodes),
                            ("ISRCs", counts.isrcs),
                        ] {
                            ui.label(what);
                            ui.label(n.to_string());
                            ui.end_row();
                        }
                    });
                    if preview.existing_artists > 0 {
                        widgets::hint_ui(ui, &format!("{} artist(s) are already in your catalog and will be reused.", preview.existing_artists));
                    }
                    if !preview.duplicates.is_empty() {
                        ui.add_space(6.0);
                        ui.label(RichText::new(format!("{} release(s) are already in your catalog", preview.duplicates.len())).strong());
                        for duplicate in preview.duplicates.iter().take(8) {
                            widgets::hint_ui(ui, &format!("“{}”", duplicate.existing_title));
                        }
                        ui.horizontal(|ui| {
                            ui.radio_value(&mut self.policy, DuplicatePolicy::Skip, "Skip them");
                            ui.radio_value(&mut self.policy, DuplicatePolicy::Merge, "Fill in what they lack");
                        });
                    }
                    if !plan.problems.is_empty() {
                        ui.add_space(6.0);
                        ui.label(
                            RichText::new(format!("{} problem(s): these values are left out", plan.problems.len()))
                                .color(theme::warn_color(ui)),
                        );
                        egui::ScrollArea::vertical().max_height(160.0).show(ui, |ui| {
                            for problem in plan.problems.iter().take(200) {
                                ui.label(RichText::new(problem.to_string()).small());
                            }
                        });
                    }
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button(RichText::new("Import into catalog").strong()).clicked() {
                            let plan = std::mem::replace(plan, Box::new(ImportPlan::new(file.display().to_string())));
                            request = Some(ImportRequest::Apply(plan, self.policy));
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
            }
        });
        if matches!(request, Some(ImportRequest::Apply(..))) {
            self.stage = Stage::Importing;
        }
        self.open = open && !close;
        if !self.open {
            self.stage = Stage::Choose;
        }
        request
    }
}
