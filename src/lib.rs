//! Labeldesk: run an independent record label from one laptop, offline.
//!
//! Layers only look down: `model` (pure domain) ← `db` (all SQL) ← `ui`/`app`.

pub mod app;
pub mod cli;
pub mod command;
pub mod db;
pub mod demo;
pub mod io;
pub mod jobs;
pub mod model;
pub mod tasks;
pub mod ui;
pub mod undo;
