//! Interchange with files: cover images now; CSV/JSON, sales reports and backups later.

pub mod backup;
pub mod chinook;
pub mod cover;
pub mod csv_export;
pub mod discogs;
pub mod generate;
pub mod ics;
pub mod import;
pub mod json;
pub mod printable;
pub mod reports;
pub mod show_report;
pub mod spreadsheet;
pub mod statement_export;
