//! The command line beside the window (`labeldesk check|demo|search`), for scripting and
//! benchmarks. Rules for every subcommand: `--db PATH` before or after it; only `demo` (and
//! later `import`, `generate`, `restore`) may create a catalog; exit 0 ok, 1 error, 2 usage;
//! errors on stderr in plain words.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::db::{self, Catalog, DbError};

#[derive(Debug, Parser)]
#[command(
    name = "labeldesk",
    version,
    about = "Run an independent record label from one laptop, offline."
)]
pub struct Cli {
    /// The catalog file (default: catalog.sqlite in your data folder).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a catalog: integrity, foreign keys, search index, schema version, row counts.
    Check,
    /// Write the demo label into a new catalog file (never into an existing one).
    Demo,
    /// Write a checked backup of the catalog (default: the backups folder beside it).
    Backup {
        /// Write the backup to this file instead (it must not exist yet).
        #[arg(long, value_name = "FILE")]
        to: Option<PathBuf>,
    },
    /// Replace the catalog with a backup; the current catalog is kept aside first.
    Restore {
        /// The backup file to restore.
        file: PathBuf,
    },
    /// Export the whole catalog as Labeldesk JSON or as CSV files (one per table).
    Export {
        /// Folder to write into (for json, a path ending in .json names the file itself).
        dir: PathBuf,
        /// json: one lossless document; csv: one file per table plus labeldesk-csv.json.
        #[arg(long, value_enum)]
        format: crate::io::json::ExportFormat,
    },
    /// Import a file: a Labeldesk export (JSON file or CSV folder, into a new or empty
    /// catalog), a Chinook .sqlite, a Discogs releases dump (.xml/.xml.gz) or a spreadsheet.
    Import {
        /// The file or folder to import.
        file: PathBuf,
        /// Fill in releases already in the catalog instead of skipping them.
        #[arg(long)]
        merge: bool,
    },
    /// Export release plans as an iCalendar file (all releases, or one by catalog number).
    Calendar {
        /// Only the release with this catalog number.
        #[arg(long, value_name = "CATNO")]
        release: Option<String>,
        /// The .ics file to write.
        #[arg(long, value_name = "FILE.ics")]
        out: PathBuf,
    },
    /// Import a distributor sales report (DistroKid, TuneCore, CD Baby, Bandcamp or a saved
    /// mapping) into the ledger; unmatched lines wait for review in the app.
    SalesImport {
        /// The report file (CSV or TSV).
        file: PathBuf,
        /// 1 CUR = RATE in your home currency, e.g. --rate USD=0.92 (repeatable).
        #[arg(long = "rate", value_name = "CUR=RATE", value_parser = crate::io::reports::parse_rate_arg)]
        rates: Vec<(crate::model::Currency, String)>,
    },
    /// Build a realistic synthetic catalog (for benchmarks) in a new file or an empty catalog.
    Generate {
        /// How many tracks (about 1 release per 10 tracks, 1 artist per 50).
        #[arg(long)]
        tracks: u64,
        /// The same seed always gives the same catalog.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Record a sale at a show by barcode (UPC-A or EAN-13), as the merch screen's scanner
    /// does; each sale is committed before "committed sale N" is printed.
    Sell {
        /// The show's number (as listed in the Shows panel).
        #[arg(long)]
        show: i64,
        /// The item's barcode.
        barcode: String,
        /// Copies sold in this sale.
        #[arg(long, default_value_t = 1)]
        quantity: i64,
        /// cash or card.
        #[arg(long, default_value = "cash", value_parser = parse_payment)]
        payment: crate::model::shows::Payment,
        /// Record the same sale this many times (e.g. a tally entered after the show).
        #[arg(long, default_value_t = 1)]
        repeat: u32,
    },
    /// Search artists, releases and tracks (titles, catalog numbers, barcodes, ISRCs).
    Search {
        /// What to look for.
        query: String,
        /// At most this many results.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

/// A CLI failure: the message for stderr.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Calendar(#[from] crate::io::ics::CalendarError),
    #[error(transparent)]
    Interchange(#[from] crate::io::json::InterchangeError),
    #[error(transparent)]
    Backup(#[from] crate::io::backup::BackupError),
    #[error(transparent)]
    Import(#[from] crate::io::import::ImportError),
    #[error(transparent)]
    Report(#[from] crate::io::reports::ReportError),
    #[error("could not write output: {0}")]
    Output(#[from] std::io::Error),
}

/// Where the catalog lives when `--db` is not given: the platform data folder, e.g.
/// `~/.local/share/labeldesk/catalog.sqlite` on Linux.
#[must_use]
pub fn default_catalog_path() -> PathBuf {
    directories::ProjectDirs::from("org", "Labeldesk", "labeldesk").map_or_else(
        || PathBuf::from("labeldesk-catalog.sqlite"),
        |dirs| dirs.data_dir().join("catalog.sqlite"),
    )
}

/// Runs one subcommand, writing its report to `out`.
///
/// # Errors
/// A [`CliError`] whose message is meant for the user.
pub fn run(db_path: Option<&Path>, command: &Command, out: &mut dyn Write) -> Result<(), CliError> {
    let default = default_catalog_path();
    let path = db_path.unwrap_or(&default);
    match command {
        Command::Check => check(path, out),
        Command::Demo => demo(db_path, &default, out),
        Command::Search { query, limit } => search(path, query, *limit, out),
        Command::Sell {
            show,
            barcode,
            quantity,
            payment,
            repeat,
        } => sell(
            path,
            crate::model::shows::ShowId(*show),
            barcode,
            (*quantity, *payment),
            *repeat,
            out,
        ),
        Command::Backup { to } => {
            crate::io::backup::cli_backup(path, to.as_deref(), out)?;
            Ok(())
        }
        Command::Restore { file } => {
            crate::io::backup::cli_restore(file, path, out)?;
            Ok(())
        }
        Command::Export { dir, format } => {
            Ok(crate::io::json::cli_export(path, dir, *format, out)?)
        }
        Command::Import { file, merge } => import(path, file, *merge, out),
        Command::Generate { tracks, seed } => {
            let Some(db) = db_path else {
                return Err(CliError::Usage(
                    "generate needs --db PATH: it writes a synthetic catalog into its own new file"
                        .to_owned(),
                ));
            };
            crate::io::generate::run_cli(db, *tracks, *seed, out)
        }
        Command::Calendar { release, out: file } => {
            let summary = crate::io::ics::export_file(path, release.as_deref(), file)?;
            writeln!(out, "{summary}")?;
            Ok(())
        }
        Command::SalesImport { file, rates } => Ok(crate::io::reports::sales_import_cli(
            path, file, rates, out,
        )?),
    }
}

fn check(path: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let catalog = Catalog::open(path)?;
    let report = db::check::run(catalog.conn())?;
    writeln!(out, "catalog: {}", path.display())?;
    writeln!(
        out,
        "schema version: {} (this app: {})",
        report.schema_version, report.app_version
    )?;
    for (table, n) in &report.counts {
        writeln!(out, "{table:>16}: {n}")?;
    }
    let ok = |problems: &[String]| {
        if problems.is_empty() {
            "ok".to_owned()
        } else {
            format!("{} problem(s)", problems.len())
        }
    };
    writeln!(out, "integrity: {}", ok(&report.integrity))?;
    writeln!(out, "foreign keys: {}", ok(&report.foreign_keys))?;
    writeln!(out, "search index: {}", ok(&report.search_index))?;
    for line in report
        .integrity
        .iter()
        .chain(&report.foreign_keys)
        .chain(&report.search_index)
    {
        writeln!(out, "  {line}")?;
    }
    if report.is_ok() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "{} has problems (listed above); restore a backup or run the check again after repair",
            path.display()
        )))
    }
}

fn demo(db_path: Option<&Path>, default: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let Some(path) = db_path else {
        return Err(CliError::Usage(
            "demo needs --db PATH: the demo label is written to its own new file, never into your catalog".to_owned(),
        ));
    };
    if path == default {
        return Err(CliError::Usage(format!(
            "{} is your main catalog: give the demo its own file",
            path.display()
        )));
    }
    let mut catalog = Catalog::create(path)?;
    let today = chrono::Local::now().date_naive();
    let summary = catalog.write(|tx| crate::demo::create(tx, today))?;
    writeln!(
        out,
        "wrote the demo label to {}: {} artists, {} releases, {} formats, {} tracks",
        path.display(),
        summary.artists,
        summary.releases,
        summary.formats,
        summary.tracks
    )?;
    Ok(())
}

/// `labeldesk import`: Labeldesk's own exports restore a whole catalog; other files (Chinook,
/// Discogs, spreadsheets) are added to the catalog, which is created if missing.
fn import(path: &Path, file: &Path, merge: bool, out: &mut dyn Write) -> Result<(), CliError> {
    use crate::io::{csv_export, import, json};
    if json::looks_like_labeldesk_json(file) || csv_export::looks_like_labeldesk_csv(file) {
        return Ok(json::cli_import(path, file, out)?);
    }
    let Some(kind) = import::detect(file) else {
        return Err(CliError::Usage(format!(
            "{} is not a file Labeldesk can import: use a Labeldesk export (JSON or CSV folder), a Chinook \
             .sqlite, a Discogs releases .xml/.xml.gz or a spreadsheet .csv",
            file.display()
        )));
    };
    let created = !path.exists();
    let mut catalog = if created {
        Catalog::create(path)?
    } else {
        Catalog::open(path)?
    };
    if !created {
        let dir = crate::io::backup::backups_dir(path);
        crate::io::backup::snapshot(&catalog, &dir, Some("before import"))?;
    }
    let policy = if merge {
        import::DuplicatePolicy::Merge
    } else {
        import::DuplicatePolicy::Skip
    };
    let control = crate::jobs::JobControl::detached();
    match import::import_file(file, &mut catalog, policy, &control) {
        Ok(summary) => {
            writeln!(out, "{}: {summary}", kind.label())?;
            Ok(())
        }
        Err(e) => {
            if created {
                drop(catalog);
                for leftover in [
                    path.to_path_buf(),
                    crate::db::wal_path(path),
                    crate::io::backup::shm_path(path),
                ] {
                    let _ = std::fs::remove_file(leftover);
                }
            }
            Err(e.into())
        }
    }
}

fn search(path: &Path, query: &str, limit: usize, out: &mut dyn Write) -> Result<(), CliError> {
    let catalog = Catalog::open(path)?;
    let hits = db::search::search(catalog.conn(), query, limit)?;
    if hits.is_empty() {
        writeln!(out, "nothing found for “{query}”")?;
    }
    for hit in hits {
        let kind = match hit.kind {
            db::search::HitKind::Artist => "artist",
            db::search::HitKind::Release => "release",
            db::search::HitKind::Track => "track",
        };
        writeln!(
            out,
            "{kind:<8} {:>8}  {}  ({})",
            hit.id, hit.title, hit.detail
        )?;
    }
    Ok(())
}

fn parse_payment(text: &str) -> Result<crate::model::shows::Payment, String> {
    crate::model::shows::Payment::from_code(&text.trim().to_lowercase())
        .map_err(|_| format!("“{text}”: the payment is cash or card"))
}

fn sell(
    path: &Path,
    show: crate::model::shows::ShowId,
    barcode: &str,
    (quantity, payment): (i64, crate::model::shows::Payment),
    repeat: u32,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut catalog = Catalog::open(path)?;
    let details = db::shows::get_show(catalog.conn(), show)?;
    let items = db::shows::sell_items(catalog.conn(), &details)?;
    let item = db::shows::find_by_barcode(&items, barcode).ok_or_else(|| {
        CliError::Usage(format!(
            "no item with barcode “{barcode}” is sold at show {show} (the playing artists' records and merch, and the label's merch)"
        ))
    })?;
    let price = item.price.ok_or_else(|| {
        CliError::Usage(format!(
            "“{}” has no price in {}",
            item.name, details.currency
        ))
    })?;
    let sale = crate::model::shows::SaleInput {
        item: item.item,
        description: item.name.clone(),
        artist_id: item.artist_id,
        quantity,
        unit_price: price,
        discount: crate::model::shows::Discount::None,
        payment,
    };
    for _ in 0..repeat {
        let now = chrono::Utc::now().naive_utc();
        let id = catalog.write(|tx| db::shows::record_sale(tx, show, &sale, now))?;
        writeln!(out, "committed sale {id}")?;
        out.flush()?;
    }
    Ok(())
}
