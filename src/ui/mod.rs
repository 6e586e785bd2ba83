//! The user interface: one file per panel, shared widgets in [`widgets`], colours and spacing
//! in [`theme`]. Every function that takes `&mut egui::Ui` is named `*_ui`. Panels read the
//! catalog through `crate::db` functions and write only by pushing [`Command`]s.

pub mod backups;
pub mod catalog;
pub mod contracts;
pub mod drafts;
pub mod export;
pub mod import;
pub mod label_settings;
pub mod ledger;
pub mod planning;
pub mod release_editor;
pub mod roster;
pub mod search;
pub mod shows;
pub mod theme;
pub mod welcome;
pub mod widgets;

use crate::command::Command;
use crate::db::Catalog;

/// What a panel gets each frame.
pub struct PanelCtx<'a> {
    /// For reads (queries of what is on screen). Writes go through `commands`.
    pub catalog: &'a Catalog,
    /// Requests for the app, applied after the frame's UI has run.
    pub commands: &'a mut Vec<Command>,
    /// Bumped after every applied edit: cached query results older than this are stale.
    pub revision: u64,
}

impl PanelCtx<'_> {
    pub fn send(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Reports a failed read in the status line instead of failing the frame.
    pub fn report<T>(&mut self, result: Result<T, crate::db::DbError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.commands.push(Command::Error(e.to_string()));
                None
            }
        }
    }
}
