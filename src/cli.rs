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
