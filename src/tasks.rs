//! The app's background tasks: backups, restores, damage checks (and imports/exports as
//! they land). Each runs on a named thread with its own connection to the catalog file and
//! hands back a [`TaskOutcome`] the app applies on the UI thread.

use std::path::{Path, PathBuf};

use crate::db::Catalog;
use crate::io::backup;
use crate::jobs::{Job, JobControl};

/// What a finished task asks the app to do.
pub enum TaskOutcome {
    /// Done; say so. `catalog_changed` makes panels re-read.
    Done {
        message: String,
        catalog_changed: bool,
    },
    /// Failed; the message says why and what was left unchanged.
    Failed(String),
    /// A restore finished (or failed): the catalog to use from now on.
    Reopened {
        catalog: Option<Box<Catalog>>,
        message: String,
        error: bool,
    },
    /// A catalog upgraded to this version of Labeldesk on start-up (or the reason it could
    /// not be opened).
    Upgraded {
        catalog: Result<Box<Catalog>, String>,
        message: String,
    },
    /// The check after an unclean shutdown found damage.
    Damaged { problems: Vec<String> },
    /// A file was read for import: show the preview before anything is written.
    ImportPreview {
        file: PathBuf,
        /// `None` only for a spreadsheet whose mapping lacks a required column.
        plan: Option<Box<crate::io::import::ImportPlan>>,
        preview: Option<Box<crate::io::import::Preview>>,
        /// A spreadsheet: its table and the column mapping, for the mapping editor.
        sheet: Option<Box<crate::io::spreadsheet::Sheet>>,
    },
}

/// A running task.
pub struct Task {
    pub job: Job<TaskOutcome>,
    /// Cancel makes sense (long imports/exports); backups and restores run to the end.
    pub cancellable: bool,
}

fn wake(ctx: &egui::Context) -> impl Fn() + Send + 'static {
    let ctx = ctx.clone();
    move || ctx.request_repaint()
}

/// Takes a snapshot into the backups folder beside the catalog and thins old ones.
///
/// # Errors
/// When no thread can be started.
pub fn backup(
    ctx: &egui::Context,
    catalog_path: PathBuf,
    reason: Option<&'static str>,
    second_folder: Option<PathBuf>,
) -> std::io::Result<Task> {
    let job = Job::spawn(
        "backup",
        "Backing up",
        wake(ctx),
        move |control: &JobControl| {
            control.set_stage("Copying and checking the catalog");
            let dir = backup::backups_dir(&catalog_path);
            let result = Catalog::open(&catalog_path)
                .map_err(|e| e.to_string())
                .and_then(|catalog| {
                    backup::snapshot(&catalog, &dir, reason).map_err(|e| e.to_string())
                });
            match result {
                Ok(file) => {
                    let pruned = backup::prune(&dir, chrono::Utc::now()).map_or(0, |p| p.len());
                    let size = std::fs::metadata(&file)
                        .map(|m| backup::human_size(m.len()))
                        .unwrap_or_default();
                    let thinned = if pruned > 0 {
                        format!("; {pruned} old snapshot(s) thinned")
                    } else {
                        String::new()
                    };
                    let copied = second_folder
                        .map(|folder| {
                            control.set_stage("Copying to the second backup folder");
                            copy_off_laptop(&file, &folder)
                        })
                        .unwrap_or_default();
                    TaskOutcome::Done {
                        message: format!(
                            "Backed up ({size}) to {}{thinned}{copied}",
                            file.display()
                        ),
                        catalog_changed: false,
                    }
                }
                Err(e) => TaskOutcome::Failed(format!("Backup failed: {e}")),
            }
        },
    )?;
    Ok(Task {
        job,
        cancellable: false,
    })
}

/// Restores a backup over the catalog (the app has closed its connection), then reopens it.
/// On failure the catalog as it was is reopened.
///
/// # Errors
/// When no thread can be started.
pub fn restore(
    ctx: &egui::Context,
    backup_file: PathBuf,
    catalog_path: PathBuf,
) -> std::io::Result<Task> {
    let job = Job::spawn(
        "restore",
        "Restoring",
        wake(ctx),
        move |control: &JobControl| {
            control.set_stage("Restoring the backup");
            match backup::restore(&backup_file, &catalog_path) {
                Ok(outcome) => {
                    let kept = match &outcome.safety_copy {
                        backup::SafetyCopy::Snapshot(path) => {
                            format!(" The catalog as it was is kept in {}.", path.display())
                        }
                        backup::SafetyCopy::Damaged(paths) => {
                            format!(
                                " The damaged catalog was set aside ({} file(s)).",
                                paths.len()
                            )
                        }
                        backup::SafetyCopy::NoCatalog => String::new(),
                    };
                    reopen(
                        &catalog_path,
                        format!("Restored {}.{kept}", file_name(&backup_file)),
                        false,
                    )
                }
                Err(e) => reopen(&catalog_path, format!("Restore failed: {e}"), true),
            }
        },
    )?;
    Ok(Task {
        job,
        cancellable: false,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn reopen(path: &Path, message: String, error: bool) -> TaskOutcome {
    match Catalog::open(path) {
        Ok(catalog) => TaskOutcome::Reopened {
            catalog: Some(Box::new(catalog)),
            message,
            error,
        },
        Err(e) => TaskOutcome::Reopened {
            catalog: None,
            message: format!("{message} The catalog cannot be opened: {e}"),
            error: true,
        },
    }
}

/// Opens a catalog written by an older Labeldesk, which upgrades it (a snapshot first, then
/// every pending migration in one transaction): on a big catalog that can take seconds, so
/// it runs here while the window says what is happening.
///
/// # Errors
/// When no thread can be started.
pub fn upgrade(ctx: &egui::Context, catalog_path: PathBuf, to: i64) -> std::io::Result<Task> {
    let job = Job::spawn(
        "upgrade",
        "Upgrading the catalog",
        wake(ctx),
        move |control: &JobControl| {
            control.set_stage("Upgrading the catalog");
            let started = std::time::Instant::now();
            match Catalog::open(&catalog_path) {
                Ok(catalog) => TaskOutcome::Upgraded {
                    catalog: Ok(Box::new(catalog)),
                    message: format!(
                        "Upgraded {} to catalog version {to} in {:.1} s (a snapshot of it as it was is in its backups folder)",
                        file_name(&catalog_path),
                        started.elapsed().as_secs_f64()
                    ),
                },
                Err(e) => TaskOutcome::Upgraded {
                    catalog: Err(e.to_string()),
                    message: String::new(),
                },
            }
        },
    )?;
    Ok(Task {
        job,
        cancellable: false,
    })
}

/// After an unclean shutdown: a quick check on a second connection, without slowing start-up.
///
/// # Errors
/// When no thread can be started.
pub fn damage_check(ctx: &egui::Context, catalog_path: PathBuf) -> std::io::Result<Task> {
    let job = Job::spawn(
        "damage-check",
        "Checking the catalog",
        wake(ctx),
        move |control: &JobControl| {
            control.set_stage("Checking the catalog after an unclean shutdown");
            let problems = match Catalog::open(&catalog_path) {
                Ok(catalog) => {
                    backup::quick_check(catalog.conn()).unwrap_or_else(|e| vec![e.to_string()])
                }
                Err(e) => vec![e.to_string()],
            };
            if problems.is_empty() {
                TaskOutcome::Done {
                    message: "Checked after an unclean shutdown: the catalog is fine".to_owned(),
                    catalog_changed: false,
                }
            } else {
                TaskOutcome::Damaged { problems }
            }
        },
    )?;
    Ok(Task {
        job,
        cancellable: false,
    })
}

/// Reads a file to import and previews it against the catalog; nothing is written. A
/// spreadsheet is read through the saved mapping that fits its columns best, else through the
/// mapping suggested from its header names (prices in `currency`).
///
/// # Errors
/// When no thread can be started.
pub fn read_import(
    ctx: &egui::Context,
    file: PathBuf,
    catalog_path: PathBuf,
    currency: crate::model::Currency,
) -> std::io::Result<Task> {
    use crate::io::{import, spreadsheet};
    let job = Job::spawn(
        "import-read",
        "Reading",
        wake(ctx),
        move |control: &JobControl| {
            control.set_stage("Reading the file");
            if import::detect(&file) == Some(import::ImportKind::Spreadsheet) {
                let table = match spreadsheet::read_table(&file) {
                    Ok(table) => table,
                    Err(e) => return TaskOutcome::Failed(e.to_string()),
                };
                let saved = match Catalog::open(&catalog_path)
                    .and_then(|catalog| crate::db::import_mappings::list(catalog.conn()))
                {
                    Ok(saved) => saved
                        .into_iter()
                        .filter_map(|(name, json)| {
                            spreadsheet::ColumnMapping::from_json(&json).map(|m| (name, m))
                        })
                        .collect::<Vec<_>>(),
                    Err(e) => return TaskOutcome::Failed(e.to_string()),
                };
                let (applied, mapping) = if let Some((name, mapping)) =
                    spreadsheet::best_saved(&table.headers, &saved)
                {
                    (Some(name.clone()), mapping.clone())
                } else {
                    let mut mapping = spreadsheet::suggest_mapping(&table.headers);
                    mapping.currency = currency;
                    (None, mapping)
                };
                let sheet = spreadsheet::Sheet {
                    table: std::sync::Arc::new(table),
                    mapping,
                    applied,
                    saved,
                    error: None,
                };
                return preview_sheet(file, sheet, &catalog_path, control);
            }
            let plan = match import::read_file(&file, currency, control) {
                Ok(plan) => plan,
                Err(e) => return TaskOutcome::Failed(e.to_string()),
            };
            control.set_stage("Looking for duplicates");
            let preview = Catalog::open(&catalog_path)
                .map_err(|e| e.to_string())
                .and_then(|catalog| {
                    import::preview(&plan, catalog.conn()).map_err(|e| e.to_string())
                });
            match preview {
                Ok(preview) => TaskOutcome::ImportPreview {
                    file,
                    plan: Some(Box::new(plan)),
                    preview: Some(Box::new(preview)),
                    sheet: None,
                },
                Err(e) => TaskOutcome::Failed(e),
            }
        },
    )?;
    Ok(Task {
        job,
        cancellable: true,
    })
}

/// Reads a spreadsheet again through a mapping the user changed in the preview.
///
/// # Errors
/// When no thread can be started.
pub fn remap_import(
    ctx: &egui::Context,
    file: PathBuf,
    sheet: crate::io::spreadsheet::Sheet,
    catalog_path: PathBuf,
) -> std::io::Result<Task> {
    let job = Job::spawn(
        "import-remap",
        "Reading",
        wake(ctx),
        move |control: &JobControl| preview_sheet(file, sheet, &catalog_path, control),
    )?;
    Ok(Task {
        job,
        cancellable: true,
    })
}

/// Plans a spreadsheet through its mapping and previews the plan against the catalog. A
/// mapping without a required column is not a failure: the preview shows the mapping editor
/// with the reason, so the user can pick the column.
fn preview_sheet(
    file: PathBuf,
    mut sheet: crate::io::spreadsheet::Sheet,
    catalog_path: &Path,
    control: &JobControl,
) -> TaskOutcome {
    use crate::io::import::{self, ImportError};
    let plan = match crate::io::spreadsheet::plan(&sheet.table, &sheet.mapping, control) {
        Ok(plan) => plan,
        Err(ImportError::MissingColumn { column, .. }) => {
            let required = crate::io::spreadsheet::REQUIRED
                .iter()
                .any(|f| f.label() == column);
            sheet.error = Some(if required {
                format!("No column is chosen for the {column}: pick it below to read the sheet.")
            } else {
                format!("The column “{column}” is not in this file: pick another below.")
            });
            return TaskOutcome::ImportPreview {
                file,
                plan: None,
                preview: None,
                sheet: Some(Box::new(sheet)),
            };
        }
        Err(e) => return TaskOutcome::Failed(e.to_string()),
    };
    sheet.error = None;
    control.set_stage("Looking for duplicates");
    let preview = Catalog::open(catalog_path)
        .map_err(|e| e.to_string())
        .and_then(|catalog| import::preview(&plan, catalog.conn()).map_err(|e| e.to_string()));
    match preview {
        Ok(preview) => TaskOutcome::ImportPreview {
            file,
            plan: Some(Box::new(plan)),
            preview: Some(Box::new(preview)),
            sheet: Some(Box::new(sheet)),
        },
        Err(e) => TaskOutcome::Failed(e),
    }
}

/// Writes an import plan in one transaction, after a snapshot of the catalog.
///
/// # Errors
/// When no thread can be started.
pub fn apply_import(
    ctx: &egui::Context,
    plan: Box<crate::io::import::ImportPlan>,
    policy: crate::io::import::DuplicatePolicy,
    catalog_path: PathBuf,
) -> std::io::Result<Task> {
    let job = Job::spawn(
        "import",
        "Importing",
        wake(ctx),
        move |control: &JobControl| {
            control.set_stage("Backing up before the import");
            let mut catalog = match Catalog::open(&catalog_path) {
                Ok(catalog) => catalog,
                Err(e) => return TaskOutcome::Failed(format!("Import not started: {e}")),
            };
            if let Err(e) = backup::snapshot(
                &catalog,
                &backup::backups_dir(&catalog_path),
                Some("before import"),
            ) {
                return TaskOutcome::Failed(format!(
                    "Import not started: the backup before it failed: {e}"
                ));
            }
            control.set_stage("Importing");
            match crate::io::import::apply(&plan, &mut catalog, policy, control) {
                Ok(summary) => TaskOutcome::Done {
                    message: format!(
                        "Imported: {summary}. A snapshot from before the import is in Backups."
                    ),
                    catalog_changed: true,
                },
                Err(e) => TaskOutcome::Failed(e.to_string()),
            }
        },
    )?;
    Ok(Task {
        job,
        cancellable: true,
    })
}

/// Exports the whole catalog as one JSON file (`csv == false`) or a folder of CSV files.
///
/// # Errors
/// When no thread can be started.
pub fn export(
    ctx: &egui::Context,
    catalog_path: PathBuf,
    dest: PathBuf,
    csv: bool,
) -> std::io::Result<Task> {
    let job = Job::spawn(
        "export",
        "Exporting",
        wake(ctx),
        move |control: &JobControl| {
            control.set_stage("Reading the catalog");
            let catalog = match Catalog::open(&catalog_path) {
                Ok(catalog) => catalog,
                Err(e) => return TaskOutcome::Failed(format!("Export failed: {e}")),
            };
            let result = if csv {
                crate::io::csv_export::export_dir(catalog.conn(), &dest, control).map(|s| {
                    format!(
                        "Exported {} rows as {} CSV files to {}",
                        s.rows,
                        s.files.len(),
                        s.dir.display()
                    )
                })
            } else {
                crate::io::json::export_to_file(catalog.conn(), &dest, control).map(|s| {
                    format!(
                        "Exported {} rows from {} tables to {} ({})",
                        s.rows,
                        s.tables,
                        s.path.display(),
                        backup::human_size(s.bytes)
                    )
                })
            };
            match result {
                Ok(message) => TaskOutcome::Done {
                    message,
                    catalog_changed: false,
                },
                Err(e) => TaskOutcome::Failed(format!("Export failed: {e}")),
            }
        },
    )?;
    Ok(Task {
        job,
        cancellable: true,
    })
}

/// Loads a Labeldesk export (JSON file or CSV folder) into the open catalog, which must be
/// empty: an export is a whole catalog, ids included.
///
/// # Errors
/// When no thread can be started.
pub fn import_export(
    ctx: &egui::Context,
    source: PathBuf,
    catalog_path: PathBuf,
) -> std::io::Result<Task> {
    let job = Job::spawn(
        "import-export",
        "Importing",
        wake(ctx),
        move |control: &JobControl| {
            let mut catalog = match Catalog::open(&catalog_path) {
                Ok(catalog) => catalog,
                Err(e) => return TaskOutcome::Failed(format!("Import not started: {e}")),
            };
            let result = if crate::io::csv_export::looks_like_labeldesk_csv(&source) {
                crate::io::csv_export::import_dir(&mut catalog, &source, control)
            } else {
                crate::io::json::import_file(&mut catalog, &source, control)
            };
            match result {
                Ok(summary) => TaskOutcome::Done {
                    message: format!("Imported {} rows from {}", summary.rows, file_name(&source)),
                    catalog_changed: true,
                },
                Err(e) => TaskOutcome::Failed(e.to_string()),
            }
        },
    )?;
    Ok(Task {
        job,
        cancellable: true,
    })
}

/// Copies a snapshot into the second backup folder (a USB stick, a synced folder) and thins
/// the snapshots there; says what happened, for the status line. A folder that is not there
/// (a stick not plugged in) is not created: the copy waits for the next backup.
fn copy_off_laptop(snapshot: &Path, folder: &Path) -> String {
    if !folder.is_dir() {
        return format!(
            "; the second backup folder {} is not reachable (plugged in?)",
            folder.display()
        );
    }
    let Some(name) = snapshot.file_name() else {
        return String::new();
    };
    let target = folder.join(name);
    let mut part = target.clone().into_os_string();
    part.push(".part");
    let part = PathBuf::from(part);
    let copied = std::fs::copy(snapshot, &part)
        .and_then(|_| std::fs::File::open(&part)?.sync_all())
        .and_then(|()| std::fs::rename(&part, &target));
    match copied {
        Ok(()) => {
            let _ = backup::prune(folder, chrono::Utc::now());
            format!("; copied to {}", folder.display())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            format!("; the copy to {} failed: {e}", folder.display())
        }
    }
}

/// When the newest snapshot in the second backup folder was taken (`None`: none, or the folder
/// is not reachable).
#[must_use]
pub fn newest_off_laptop(folder: &Path) -> Option<chrono::DateTime<chrono::Utc>> {
    backup::list(folder).ok()?.first().map(|b| b.taken_at)
}
