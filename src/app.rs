//! The desktop window.

use std::path::PathBuf;
use std::process::ExitCode;

/// Opens the window on a catalog.
#[must_use]
pub fn run_native(_db: Option<PathBuf>) -> ExitCode {
    ExitCode::SUCCESS
}
