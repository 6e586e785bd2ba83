//! The integration tests, one binary: each module below was its own test binary, and each
//! binary links the whole app (egui, winit, SQLite), so eighteen of them took most of CI's
//! build time and disk. `cargo test --test it MODULE::` runs one module.

mod common;

mod cli;
mod contracts;
mod db_catalog;
mod db_open;
mod io_backup;
mod io_import;
mod io_interchange;
mod ledger;
mod ledger_jobs;
mod planning;
mod printable;
mod scale;
mod shows;
mod ui_backups;
mod ui_catalog;
mod ui_contracts;
mod ui_editor;
mod ui_shows;
