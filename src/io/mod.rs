//! Interchange with files: cover images, catalog imports (Chinook, Discogs, spreadsheets).

pub mod chinook;
pub mod cover;
pub mod discogs;
pub mod import;
pub mod spreadsheet;
