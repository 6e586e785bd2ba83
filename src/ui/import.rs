//! The Import window: pick a file (dialog, typed path or dropped on the window), read it in
//! the background, show a preview with counts, problems and duplicates, then import.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use egui::RichText;

use super::{theme, widgets};
use crate::io::import::{self, DuplicatePolicy, ImportPlan, Preview};
use crate::io::spreadsheet::{ColumnMapping, Field, Sheet};

/// What the user asked the Import window for.
pub enum ImportRequest {
    /// Read and preview this file.
    Read(PathBuf),
    /// Write the previewed plan.
    Apply(Box<ImportPlan>, DuplicatePolicy),
    /// Load a Labeldesk export (a whole catalog) into the empty catalog.
    LoadExport(PathBuf),
    /// Read the spreadsheet again through the mapping the user changed.
    Remap(PathBuf, Box<Sheet>),
    /// Save the spreadsheet's column mapping under a name.
    SaveMapping(String, ColumnMapping),
}

enum Stage {
    Choose,
    Reading,
    Preview {
        file: PathBuf,
        plan: Option<Box<ImportPlan>>,
        preview: Option<Box<Preview>>,
        sheet: Option<Box<Sheet>>,
        /// The sheet is being read again through a changed mapping.
        remapping: bool,
        /// The name typed to save the mapping under.
        save_name: String,
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
    pub fn show_preview(
        &mut self,
        file: PathBuf,
        plan: Option<Box<ImportPlan>>,
        preview: Option<Box<Preview>>,
        sheet: Option<Box<Sheet>>,
    ) {
        self.open = true;
        let save_name = match &self.stage {
            Stage::Preview { save_name, .. } => save_name.clone(),
            _ => sheet
                .as_ref()
                .and_then(|s| s.applied.clone())
                .unwrap_or_default(),
        };
        self.stage = Stage::Preview {
            file,
            plan,
            preview,
            sheet,
            remapping: false,
            save_name,
        };
    }

    /// The mapping was saved under `name`: it is now the one in use and among the saved.
    pub fn mapping_saved(&mut self, name: &str) {
        if let Stage::Preview {
            sheet: Some(sheet), ..
        } = &mut self.stage
        {
            sheet.applied = Some(name.to_owned());
            let mapping = sheet.mapping.clone();
            if let Some(entry) = sheet.saved.iter_mut().find(|(n, _)| n == name) {
                entry.1 = mapping;
            } else {
                sheet.saved.push((name.to_owned(), mapping));
                sheet.saved.sort_by(|a, b| a.0.cmp(&b.0));
            }
        }
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
                Stage::Preview {
                    file,
                    plan,
                    preview,
                    sheet,
                    remapping,
                    save_name,
                } => {
                    ui.label(RichText::new(file.display().to_string()).strong());
                    if let Some(sheet) = sheet {
                        if let Some(changed) = mapping_ui(ui, sheet, save_name, *remapping, &mut request) {
                            sheet.mapping = changed;
                            sheet.applied = None;
                            *remapping = true;
                            request = Some(ImportRequest::Remap(file.clone(), sheet.clone()));
                        }
                        ui.separator();
                    }
                    if let (Some(plan), Some(preview)) = (plan.as_deref(), preview.as_deref()) {
                        preview_ui(ui, plan, preview, &mut self.policy);
                    } else {
                        widgets::hint_ui(ui, "Nothing to preview until the sheet can be read.");
                    }
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        let ready = plan.is_some() && !*remapping;
                        if ui.add_enabled(ready, egui::Button::new(RichText::new("Import into catalog").strong())).clicked()
                            && let Some(plan) = plan.take()
                        {
                            request = Some(ImportRequest::Apply(plan, self.policy));
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                        if *remapping {
                            ui.spinner();
                            ui.label("Reading the sheet again…");
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

/// Counts, duplicates and problems of a previewed plan.
fn preview_ui(
    ui: &mut egui::Ui,
    plan: &ImportPlan,
    preview: &Preview,
    policy: &mut DuplicatePolicy,
) {
    let counts = &preview.counts;
    egui::Grid::new("import_counts")
        .num_columns(2)
        .spacing([16.0, 2.0])
        .show(ui, |ui| {
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
        widgets::hint_ui(
            ui,
            &format!(
                "{} artist(s) are already in your catalog and will be reused.",
                preview.existing_artists
            ),
        );
    }
    if !preview.duplicates.is_empty() {
        ui.add_space(6.0);
        ui.label(
            RichText::new(format!(
                "{} release(s) are already in your catalog",
                preview.duplicates.len()
            ))
            .strong(),
        );
        for duplicate in preview.duplicates.iter().take(8) {
            widgets::hint_ui(ui, &format!("“{}”", duplicate.existing_title));
        }
        ui.horizontal(|ui| {
            ui.radio_value(policy, DuplicatePolicy::Skip, "Skip them");
            ui.radio_value(policy, DuplicatePolicy::Merge, "Fill in what they lack");
        });
    }
    if !plan.problems.is_empty() {
        ui.add_space(6.0);
        ui.label(
            RichText::new(format!(
                "{} problem(s): these values are left out",
                plan.problems.len()
            ))
            .color(theme::warn_color(ui)),
        );
        egui::ScrollArea::vertical()
            .id_salt("import_problems")
            .max_height(140.0)
            .show(ui, |ui| {
                for problem in plan.problems.iter().take(200) {
                    ui.label(RichText::new(problem.to_string()).small());
                }
            });
    }
}

/// The spreadsheet's column mapping: one row per field with the column it is read from and
/// that column's value in the first row; saved mappings to apply; saving under a name.
/// Returns the changed mapping when the user changed it (the caller reads the sheet again).
fn mapping_ui(
    ui: &mut egui::Ui,
    sheet: &Sheet,
    save_name: &mut String,
    busy: bool,
    request: &mut Option<ImportRequest>,
) -> Option<ColumnMapping> {
    let mut changed = None;
    let headers = &sheet.table.headers;
    let first_row = sheet.table.rows.first();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Columns").strong());
        match &sheet.applied {
            Some(name) => widgets::hint_ui(ui, &format!("read through the saved mapping “{name}”")),
            None => widgets::hint_ui(ui, "guessed from the header row: change any that are wrong"),
        }
    });
    if let Some(error) = &sheet.error {
        ui.label(RichText::new(error).color(theme::error_color(ui)));
    }
    let in_file: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let sample = first_row
                .and_then(|r| r.cells.get(i))
                .map_or("", |c| c.trim());
            if sample.is_empty() {
                h.clone()
            } else {
                format!("{h} ({})", ellipsize(sample, 18))
            }
        })
        .collect();
    widgets::hint_ui(
        ui,
        &format!(
            "{} row(s); columns in the file: {}",
            sheet.table.rows.len(),
            in_file.join(", ")
        ),
    );
    if !sheet.saved.is_empty() {
        ui.horizontal(|ui| {
            ui.label("Saved mappings");
            let names: Vec<Option<usize>> = std::iter::once(None)
                .chain((0..sheet.saved.len()).map(Some))
                .collect();
            let mut pick: Option<usize> = None;
            let label = |i: Option<usize>| {
                i.map_or_else(
                    || "Apply a saved mapping…".to_owned(),
                    |i| sheet.saved[i].0.clone(),
                )
            };
            if widgets::choice_ui(
                ui,
                "Saved mappings",
                "import_saved_mappings",
                &mut pick,
                &names,
                label,
            ) && let Some(i) = pick
            {
                let mut mapping = sheet.saved[i].1.clone();
                // Keep only columns this sheet has; the rest stay unmapped.
                let fits = |field: Field| mapping.column_index(field, headers).is_some();
                let keep: Vec<Field> = Field::ALL.iter().copied().filter(|&f| fits(f)).collect();
                mapping.columns.retain(|field, _| keep.contains(field));
                changed = Some(mapping);
            }
        });
    }
    let choices: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..headers.len()).map(Some))
        .collect();
    egui::ScrollArea::vertical()
        .id_salt("import_mapping")
        .max_height(420.0)
        .show(ui, |ui| {
            egui::Grid::new("import_mapping_grid")
                .num_columns(3)
                .spacing([12.0, 3.0])
                .striped(true)
                .show(ui, |ui| {
                    for &field in Field::ALL {
                        let required = crate::io::spreadsheet::REQUIRED.contains(&field);
                        ui.label(if required {
                            format!("{} (required)", field.label())
                        } else {
                            field.label().to_owned()
                        });
                        let current = sheet.mapping.column_index(field, headers);
                        let mut value = current;
                        let label = |i: Option<usize>| {
                            i.map_or_else(|| "— not imported".to_owned(), |i| headers[i].clone())
                        };
                        ui.add_enabled_ui(!busy, |ui| {
                            widgets::choice_ui(
                                ui,
                                field.label(),
                                ("import_column", field),
                                &mut value,
                                &choices,
                                label,
                            );
                        });
                        if value != current {
                            let mut mapping =
                                changed.clone().unwrap_or_else(|| sheet.mapping.clone());
                            mapping.set(field, value.map(|i| headers[i].as_str()));
                            changed = Some(mapping);
                        }
                        let sample = value
                            .and_then(|i| first_row.and_then(|r| r.cells.get(i)))
                            .map_or("", String::as_str);
                        widgets::hint_ui(ui, &ellipsize(sample, 40));
                        ui.end_row();
                    }
                });
        });
    ui.horizontal(|ui| {
        let label = ui.label("Save mapping as");
        ui.add(
            egui::TextEdit::singleline(save_name)
                .desired_width(200.0)
                .hint_text("e.g. Shop export"),
        )
        .labelled_by(label.id);
        let ok = !save_name.trim().is_empty() && !busy && sheet.error.is_none();
        if ui
            .add_enabled(ok, egui::Button::new("Save mapping"))
            .clicked()
        {
            *request = Some(ImportRequest::SaveMapping(
                save_name.trim().to_owned(),
                sheet.mapping.clone(),
            ));
        }
    });
    changed
}

/// `text` cut to `max` characters with an ellipsis.
fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
