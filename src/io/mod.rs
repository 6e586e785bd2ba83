//! Interchange with files: cover images now; CSV/JSON, sales reports and backups later.

pub mod cover;
