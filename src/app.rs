//! The desktop app: the window shell (navigation, top bar with global search, status line),
//! the first-run screen, and the one place where commands from panels are applied to the
//! catalog (each edit in one transaction, undoable).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use egui::{Key, KeyboardShortcut, Modifiers, RichText};

use crate::command::{Command, Panel, Target};
use crate::db::{self, Catalog};
use crate::ui::catalog::{CatalogPanel, CatalogState};
use crate::ui::contracts::{ContractsPanel, ContractsState};
use crate::ui::ledger::{LedgerPanel, LedgerState};
use crate::ui::planning::{PlanningPanel, PlanningState};
use crate::ui::roster::{RosterPanel, RosterState};
use crate::ui::search::GlobalSearch;
use crate::ui::shows::{ShowsPanel, ShowsState};
use crate::ui::theme::ThemeChoice;
use crate::ui::{PanelCtx, welcome};
use crate::undo::{Created, Edit, EditError, History, Pending};

/// UI state remembered between runs (never catalog data).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct UiState {
    pub panel: Panel,
    pub theme: ThemeChoice,
    pub roster: RosterState,
    pub catalog: CatalogState,
    pub planning: PlanningState,
    pub ledger: LedgerState,
    pub shows: ShowsState,
    pub contracts: ContractsState,
    /// Where snapshots are also copied (this machine's USB stick or synced folder).
    pub second_backup_folder: Option<PathBuf>,
}

const STATE_KEY: &str = "labeldesk-ui-state";

/// A line in the status bar.
#[derive(Debug, Clone)]
struct Status {
    text: String,
    error: bool,
    at: Instant,
}

/// What the window shows before a catalog is open.
#[derive(Debug)]
enum Startup {
    /// A catalog is open.
    Ready,
    /// `--db PATH` named a missing file: ask before creating it.
    AskCreate(PathBuf),
    /// The catalog could not be opened; the message says why.
    Failed { path: PathBuf, message: String },
    /// A backup is being restored over the catalog.
    Restoring,
    /// The catalog was written by an older Labeldesk and is being upgraded on a background
    /// thread (`started` once the task runs).
    Upgrading {
        path: PathBuf,
        from: i64,
        to: i64,
        started: bool,
    },
}

pub const UNDO_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
pub const REDO_SHORTCUT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
pub const REDO_SHORTCUT_Y: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
pub const SEARCH_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::K);
pub const NEW_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);

/// The Labeldesk window.
pub struct LabeldeskApp {
    catalog: Option<Catalog>,
    startup: Startup,
    history: History,
    commands: Vec<Command>,
    revision: u64,
    panel: Panel,
    theme: ThemeChoice,
    roster: RosterPanel,
    catalog_panel: CatalogPanel,
    planning: PlanningPanel,
    ledger: LedgerPanel,
    shows: ShowsPanel,
    contracts: ContractsPanel,
    search: GlobalSearch,
    label_settings: crate::ui::label_settings::LabelSettings,
    status: Option<Status>,
    /// True while the first-run screen is shown (empty catalog, no choice made yet).
    welcome: bool,
    welcome_label: String,
    /// A text field had the keyboard at the end of the last frame.
    was_typing: bool,
    /// (revision, contract deadlines within 60 days, items below their low-stock level).
    nav_badges: Option<(u64, usize, usize)>,
    /// Background work: backups, restores, checks.
    tasks: Vec<crate::tasks::Task>,
    /// A sales-import write (an import, its removal, or the undo or redo of one) running on
    /// its background job.
    ledger_write: Option<LedgerWrite>,
    /// Commands that write, held while `ledger_write` runs and applied after it, in order.
    held: Vec<Command>,
    /// The window's context, to wake it when a background write ends.
    egui_ctx: Option<egui::Context>,
    backups: crate::ui::backups::BackupsView,
    import_dialog: crate::ui::import::ImportDialog,
    export_dialog: crate::ui::export::ExportDialog,
    /// The revision and time of the last automatic snapshot.
    backup_mark: (u64, Instant),
    /// Run the damage check once the first frame gives us a context.
    check_on_start: bool,
    /// What the check after an unclean shutdown found.
    damaged: Option<Vec<String>>,
    /// The user's own catalog while the demo label is open.
    home_catalog: Option<PathBuf>,
    second_folder: Option<PathBuf>,
    /// When the newest copy in the second folder was taken, once read (`Stale`: read again).
    off_laptop: OffLaptop,
}

/// A sales-import write on the `labeldesk-ledger-write` thread, on its own connection to the
/// catalog file: one transaction, committed before the job reports back; Cancel rolls it back.
/// The history does not hold the step meanwhile (see [`Pending`]), and every other write waits
/// in `held`, so the undo stack always lists edits in the order they were committed.
struct LedgerWrite {
    job: crate::jobs::Job<Result<Edit, EditError>>,
    pending: Pending,
}

/// The thread a sales-import write runs on.
pub const LEDGER_WRITE_THREAD: &str = "labeldesk-ledger-write";

/// Commands that write to the catalog: held while a background ledger write runs.
fn writes(command: &Command) -> bool {
    matches!(
        command,
        Command::Edit(_)
            | Command::EditAndOpen(_)
            | Command::Undo
            | Command::Redo
            | Command::CreateDemo
            | Command::StartEmpty { .. }
            | Command::Shows(..)
            | Command::Contracts(..)
    )
}

/// The newest copy in the second backup folder, as last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OffLaptop {
    Stale,
    Read(Option<chrono::DateTime<chrono::Utc>>),
}

/// How often the app snapshots a catalog that changed.
pub const AUTO_BACKUP_EVERY: Duration = Duration::from_mins(30);

impl LabeldeskApp {
    /// The app on an open catalog, with remembered UI state (none in tests).
    #[must_use]
    pub fn new(catalog: Catalog, state: UiState) -> Self {
        let welcome = is_empty(&catalog);
        Self {
            catalog: Some(catalog),
            startup: Startup::Ready,
            history: History::default(),
            commands: Vec::new(),
            revision: 1,
            panel: state.panel,
            theme: state.theme,
            roster: RosterPanel::restore(state.roster),
            catalog_panel: CatalogPanel::restore(state.catalog),
            planning: PlanningPanel::restore(state.planning),
            ledger: LedgerPanel::restore(state.ledger),
            shows: ShowsPanel::restore(state.shows),
            contracts: ContractsPanel::restore(state.contracts),
            search: GlobalSearch::default(),
            label_settings: crate::ui::label_settings::LabelSettings::default(),
            status: None,
            welcome,
            welcome_label: String::new(),
            was_typing: false,
            nav_badges: None,
            tasks: Vec::new(),
            ledger_write: None,
            held: Vec::new(),
            egui_ctx: None,
            backups: crate::ui::backups::BackupsView::default(),
            import_dialog: crate::ui::import::ImportDialog::default(),
            export_dialog: crate::ui::export::ExportDialog::default(),
            backup_mark: (1, Instant::now()),
            check_on_start: false,
            damaged: None,
            home_catalog: None,
            second_folder: state.second_backup_folder.clone(),
            off_laptop: OffLaptop::Stale,
        }
    }

    fn without_catalog(startup: Startup, state: UiState) -> Self {
        Self {
            catalog: None,
            startup,
            history: History::default(),
            commands: Vec::new(),
            revision: 1,
            panel: state.panel,
            theme: state.theme,
            roster: RosterPanel::restore(state.roster),
            catalog_panel: CatalogPanel::restore(state.catalog),
            planning: PlanningPanel::restore(state.planning),
            ledger: LedgerPanel::restore(state.ledger),
            shows: ShowsPanel::restore(state.shows),
            contracts: ContractsPanel::restore(state.contracts),
            search: GlobalSearch::default(),
            label_settings: crate::ui::label_settings::LabelSettings::default(),
            status: None,
            welcome: false,
            welcome_label: String::new(),
            was_typing: false,
            nav_badges: None,
            tasks: Vec::new(),
            ledger_write: None,
            held: Vec::new(),
            egui_ctx: None,
            backups: crate::ui::backups::BackupsView::default(),
            import_dialog: crate::ui::import::ImportDialog::default(),
            export_dialog: crate::ui::export::ExportDialog::default(),
            backup_mark: (1, Instant::now()),
            check_on_start: false,
            damaged: None,
            home_catalog: None,
            second_folder: state.second_backup_folder.clone(),
            off_laptop: OffLaptop::Stale,
        }
    }

    /// The open catalog (tests assert on it).
    #[must_use]
    pub fn catalog(&self) -> Option<&Catalog> {
        self.catalog.as_ref()
    }

    /// The undo history (tests assert on it).
    #[must_use]
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The panel on screen.
    #[must_use]
    pub fn panel(&self) -> Panel {
        self.panel
    }

    /// The release open in the Catalog panel.
    #[must_use]
    pub fn selected_release(&self) -> Option<crate::model::ReleaseId> {
        self.catalog_panel.selected()
    }

    /// Rows the releases table has read from the catalog since its data last changed.
    #[must_use]
    pub fn catalog_rows_fetched(&self) -> u64 {
        self.catalog_panel.rows_fetched()
    }

    /// How the releases table has read its rows (read ahead, placeholders), for tests and the
    /// benchmark.
    #[must_use]
    pub fn catalog_table_reads(&self) -> crate::ui::catalog::TableReads {
        self.catalog_panel.table_reads()
    }

    /// The current status-line text.
    #[must_use]
    pub fn status_text(&self) -> Option<&str> {
        self.status.as_ref().map(|s| s.text.as_str())
    }

    /// UI state to remember.
    #[must_use]
    pub fn ui_state(&self) -> UiState {
        UiState {
            panel: self.panel,
            theme: self.theme,
            roster: self.roster.state(),
            catalog: self.catalog_panel.state(),
            planning: self.planning.state(),
            ledger: self.ledger.state(),
            shows: self.shows.state(),
            contracts: self.contracts.state(),
            second_backup_folder: self.second_folder.clone(),
        }
    }

    fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status {
            text: text.into(),
            error,
            at: Instant::now(),
        });
    }

    /// Asks every panel to hand over drafts the user has not yet confirmed.
    fn flush_drafts(&mut self) {
        let Some(catalog) = &self.catalog else { return };
        let mut ctx = PanelCtx {
            catalog,
            commands: &mut self.commands,
            revision: self.revision,
        };
        self.roster.flush(&mut ctx);
        self.catalog_panel.flush(&mut ctx);
        self.planning.flush(&mut ctx);
        self.ledger.flush(&mut ctx);
    }

    /// Applies every pending command, in order. Called once per frame, and on exit.
    pub fn apply_commands(&mut self) {
        let mut guard = 0;
        while !self.commands.is_empty() && guard < 16 {
            guard += 1;
            let commands = std::mem::take(&mut self.commands);
            for command in commands {
                self.apply(command);
            }
        }
    }

    fn apply(&mut self, command: Command) {
        if self.ledger_write.is_some() && writes(&command) {
            self.hold(command);
            return;
        }
        match command {
            Command::Edit(edit) | Command::EditAndOpen(edit) if self.catalog.is_none() => {
                self.notify(
                    format!("{} not saved: no catalog is open", edit.label),
                    true,
                );
            }
            Command::Edit(edit) => {
                // A report's lines are written on a background job; an in-memory catalog (tests)
                // cannot be opened twice, so it writes them here.
                if edit.is_sales_import()
                    && let Some(path) = self.catalog_path()
                {
                    let pending = Pending::New {
                        label: edit.label.clone(),
                    };
                    self.start_ledger_write(path, pending, edit);
                } else if let Some(catalog) = &mut self.catalog {
                    let label = edit.label.clone();
                    match self.history.apply(catalog, edit) {
                        Ok(_) => {
                            self.revision += 1;
                            self.notify(format!("Saved: {label}"), false);
                        }
                        Err(e) => self.notify(format!("{label} not saved: {e}"), true),
                    }
                }
            }
            Command::EditAndOpen(edit) => {
                if let Some(catalog) = &mut self.catalog {
                    let label = edit.label.clone();
                    match self.history.apply(catalog, edit) {
                        Ok(created) => {
                            self.revision += 1;
                            self.notify(format!("Saved: {label}"), false);
                            let target = created.iter().find_map(|c| match *c {
                                Created::Artist(id) => Some(Target::Artist(id)),
                                Created::Release(id) => Some(Target::Release(id)),
                                _ => None,
                            });
                            if let Some(target) = target {
                                self.open(target);
                            }
                        }
                        Err(e) => self.notify(format!("{label} not saved: {e}"), true),
                    }
                }
            }
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::Open(target) => self.open(target),
            Command::ShowPanel(panel) => {
                if panel != self.panel {
                    self.flush_drafts();
                    // Unsaved contract terms stay in the panel: say so on leaving it.
                    if self.panel == Panel::Contracts
                        && let Some(note) = self.contracts.unsaved_note()
                    {
                        self.notify(note, false);
                    }
                    self.panel = panel;
                }
            }
            Command::CreateDemo => self.create_demo(),
            Command::StartEmpty { label_name } => self.start_empty(&label_name),
            Command::Notify(text) => self.notify(text, false),
            Command::Error(text) => self.notify(text, true),
            Command::Shows(op, started) => self.apply_shows(&op, started),
            Command::Contracts(op) => self.apply_contracts(&op),
        }
    }

    /// A stock, show or merch-table write: committed (one transaction, synchronous=FULL)
    /// before the panel hears it is done.
    fn apply_shows(&mut self, op: &db::shows::Op, started: Option<Instant>) {
        let Some(catalog) = &mut self.catalog else {
            self.notify("Not saved: no catalog is open", true);
            return;
        };
        match catalog.write(|tx| db::shows::apply(tx, op)) {
            Ok(outcome) => {
                let took = started.map(|t| t.elapsed());
                self.revision += 1;
                self.shows.applied(&outcome, took);
                self.notify(outcome.message, false);
            }
            Err(e) => {
                let message = e.to_string();
                self.shows.failed(&message);
                self.notify(format!("Not saved: {message}"), true);
            }
        }
    }

    /// A contract, statement or payment write, in one transaction.
    fn apply_contracts(&mut self, op: &db::contracts::Op) {
        let Some(catalog) = &mut self.catalog else {
            self.notify("Not saved: no catalog is open", true);
            return;
        };
        match catalog.write(|tx| db::contracts::apply(tx, op)) {
            Ok(outcome) => {
                self.revision += 1;
                self.contracts.applied(&outcome);
                self.notify(outcome.message, false);
            }
            Err(e) => {
                let message = e.to_string();
                self.contracts.failed(&message);
                self.notify(format!("Not saved: {message}"), true);
            }
        }
    }

    fn undo(&mut self) {
        self.flush_drafts();
        let pending = std::mem::take(&mut self.commands);
        for command in pending {
            self.apply(command);
        }
        if self.ledger_write.is_some() {
            // A draft just saved started one: undo after it.
            self.hold(Command::Undo);
            return;
        }
        if let Some(path) = self.catalog_path()
            && self.history.next_undo().is_some_and(Edit::is_sales_import)
            && let Some((pending, inverse)) = self.history.take_undo()
        {
            self.start_ledger_write(path, pending, inverse);
            return;
        }
        let Some(catalog) = &mut self.catalog else {
            return;
        };
        match self.history.undo(catalog) {
            Ok(Some(label)) => {
                self.revision += 1;
                self.notify(format!("Undone: {label}"), false);
            }
            Ok(None) => self.notify("Nothing to undo", false),
            Err(e) => self.notify(format!("Could not undo: {e}"), true),
        }
    }

    fn redo(&mut self) {
        if let Some(path) = self.catalog_path()
            && self.history.next_redo().is_some_and(Edit::is_sales_import)
            && let Some((pending, edit)) = self.history.take_redo()
        {
            self.start_ledger_write(path, pending, edit);
            return;
        }
        let Some(catalog) = &mut self.catalog else {
            return;
        };
        match self.history.redo(catalog) {
            Ok(Some(label)) => {
                self.revision += 1;
                self.notify(format!("Redone: {label}"), false);
            }
            Ok(None) => self.notify("Nothing to redo", false),
            Err(e) => self.notify(format!("Could not redo: {e}"), true),
        }
    }

    /// Holds a write until the running ledger write ends (then it is applied, in order).
    fn hold(&mut self, command: Command) {
        if self.held.is_empty()
            && let Some(write) = &self.ledger_write
        {
            self.notify(
                format!(
                    "Your change is saved as soon as “{}” is done",
                    write.pending.label()
                ),
                false,
            );
        }
        self.held.push(command);
    }

    /// Applies a sales-import step (a new import, a removal, or the undo or redo of one) on
    /// the `labeldesk-ledger-write` thread, with its own connection to the catalog file.
    fn start_ledger_write(&mut self, path: PathBuf, pending: Pending, edit: Edit) {
        let title = match &pending {
            Pending::New { label } => label.clone(),
            Pending::Undo(edit) => format!("Undo {}", edit.label),
            Pending::Redo(edit) => format!("Redo {}", edit.label),
        };
        let wake = self.egui_ctx.clone();
        let job = crate::jobs::Job::spawn(
            LEDGER_WRITE_THREAD,
            title,
            move || {
                if let Some(ctx) = &wake {
                    ctx.request_repaint();
                }
            },
            move |control| {
                // A panic must still report back: every other write waits for this one.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    crate::undo::apply_on_file(&path, edit, control)
                }))
                .unwrap_or_else(|_| {
                    Err(EditError::Refused(
                        "the background write stopped unexpectedly; nothing was changed".to_owned(),
                    ))
                })
                .map(|(recorded, _)| recorded)
            },
        );
        match job {
            Ok(job) => self.ledger_write = Some(LedgerWrite { job, pending }),
            Err(e) => {
                let label = pending.label().to_owned();
                self.history.finish(pending, None);
                self.notify(
                    format!("{label} not saved: the background write could not start: {e}"),
                    true,
                );
            }
        }
    }

    /// Picks up a finished ledger write.
    fn poll_ledger_write(&mut self) {
        let Some(outcome) = self.ledger_write.as_ref().and_then(|w| w.job.poll()) else {
            return;
        };
        if let Some(write) = self.ledger_write.take() {
            self.finish_ledger_write(write.pending, outcome);
        }
    }

    /// Waits for a running ledger write to end (closing the window) and applies its outcome.
    fn wait_for_ledger_write(&mut self) {
        let Some(write) = self.ledger_write.take() else {
            return;
        };
        let outcome = loop {
            if let Some(outcome) = write.job.poll() {
                break outcome;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        self.finish_ledger_write(write.pending, outcome);
    }

    /// Records how a ledger write ended, then lets what waited for it run.
    fn finish_ledger_write(&mut self, pending: Pending, outcome: Result<Edit, EditError>) {
        let label = pending.label().to_owned();
        let (done, failed) = match &pending {
            Pending::New { .. } => ("Saved", format!("{label} not saved")),
            Pending::Undo(_) => ("Undone", "Could not undo".to_owned()),
            Pending::Redo(_) => ("Redone", "Could not redo".to_owned()),
        };
        match outcome {
            Ok(recorded) => {
                self.history.finish(pending, Some(recorded));
                self.revision += 1;
                self.notify(format!("{done}: {label}"), false);
            }
            Err(EditError::Cancelled(_)) => {
                self.history.finish(pending, None);
                self.notify(format!("Cancelled: {label}. Nothing was changed."), false);
            }
            Err(e) => {
                self.history.finish(pending, None);
                self.notify(format!("{failed}: {e}"), true);
            }
        }
        // What waited runs next, before anything asked for later.
        let held = std::mem::take(&mut self.held);
        self.commands.splice(0..0, held);
    }

    /// Says why `what` cannot happen now, when a ledger write runs (it holds the catalog).
    fn refuse_while_writing_ledger(&mut self, what: &str) -> bool {
        let Some(write) = &self.ledger_write else {
            return false;
        };
        let message = format!(
            "Wait for “{}” to finish (or cancel it) before {what}",
            write.pending.label()
        );
        self.notify(message, true);
        true
    }

    /// Refuses `what` (which would replace the open catalog and reset every panel) while the
    /// Contracts editor holds unsaved terms, and shows them.
    fn refuse_with_unsaved_contract(&mut self, what: &str) -> bool {
        if !self.contracts.has_unsaved_changes() {
            return false;
        }
        let note = self.contracts.unsaved_note().unwrap_or_default();
        self.panel = Panel::Contracts;
        self.notify(format!("Not {what}. {note}"), true);
        true
    }

    /// True while a sales import (or its removal, undo or redo) is being written.
    #[must_use]
    pub fn is_writing_ledger(&self) -> bool {
        self.ledger_write.is_some()
    }

    fn open(&mut self, target: Target) {
        self.flush_drafts();
        match target {
            Target::Artist(id) => {
                self.panel = Panel::Roster;
                self.roster.open(id);
            }
            Target::Release(id) => {
                self.panel = Panel::Catalog;
                self.catalog_panel.open(id, None);
            }
            Target::Track { release, track } => {
                self.panel = Panel::Catalog;
                self.catalog_panel.open(release, Some(track));
            }
        }
    }

    /// The demo label lives in its own file beside the catalog (`demo-label.sqlite`), never in
    /// the user's catalog, which stays empty for their own label. In-memory catalogs (tests)
    /// take the demo directly.
    fn create_demo(&mut self) {
        let Some(catalog) = &mut self.catalog else {
            return;
        };
        if !is_empty(catalog) {
            self.notify("The demo label is only offered for an empty catalog", true);
            return;
        }
        let today = chrono::Local::now().date_naive();
        let Some(own) = catalog.path().map(Path::to_path_buf) else {
            match catalog.write(|tx| crate::demo::create(tx, today)) {
                Ok(_) => {
                    self.welcome = false;
                    self.revision += 1;
                    self.panel = Panel::Catalog;
                    self.notify("Demo label created", false);
                }
                Err(e) => self.notify(format!("Could not create the demo label: {e}"), true),
            }
            return;
        };
        let demo_path = own.with_file_name("demo-label.sqlite");
        let opened = if demo_path.exists() {
            Catalog::open(&demo_path)
        } else {
            Catalog::create(&demo_path).and_then(|mut demo| {
                match demo.write(|tx| crate::demo::create(tx, today)) {
                    Ok(_) => Ok(demo),
                    Err(e) => {
                        // Leave no half-made demo file behind to be opened next time.
                        drop(demo);
                        for leftover in [
                            demo_path.clone(),
                            crate::db::wal_path(&demo_path),
                            crate::io::backup::shm_path(&demo_path),
                        ] {
                            let _ = std::fs::remove_file(leftover);
                        }
                        Err(e)
                    }
                }
            })
        };
        match opened {
            Ok(demo) => {
                self.home_catalog = Some(own.clone());
                self.switch_to(demo);
                self.panel = Panel::Catalog;
                let own_name = own
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                self.notify(
                    format!(
                        "This is the demo label, in its own file ({}). Your catalog, {own_name}, is still \
                         empty: File > Open your catalog goes back to it.",
                        demo_path.display()
                    ),
                    false,
                );
            }
            Err(e) => self.notify(format!("Could not create the demo label: {e}"), true),
        }
    }

    /// Replaces the open catalog (drafts saved first, undo history and panel state reset).
    fn switch_to(&mut self, catalog: Catalog) {
        self.flush_drafts();
        let pending = std::mem::take(&mut self.commands);
        for command in pending {
            self.apply(command);
        }
        if let Some(path) = self.catalog_path() {
            let _ = crate::io::backup::mark_closed(&path);
        }
        if let Some(path) = catalog.path() {
            let _ = crate::io::backup::mark_open(path);
        }
        self.welcome = is_empty(&catalog);
        self.catalog = Some(catalog);
        self.search = GlobalSearch::default();
        self.history.clear();
        self.roster = RosterPanel::restore(RosterState::default());
        self.catalog_panel = CatalogPanel::restore(CatalogState::default());
        self.planning = PlanningPanel::restore(PlanningState::default());
        self.ledger = LedgerPanel::restore(LedgerState::default());
        self.shows = ShowsPanel::restore(ShowsState::default());
        self.contracts = ContractsPanel::restore(ContractsState::default());
        self.revision += 1;
        self.backup_mark = (self.revision, Instant::now());
    }

    /// Back from the demo label to the user's own catalog.
    fn open_home_catalog(&mut self) {
        if self.refuse_while_writing_ledger("opening your catalog")
            || self.refuse_with_unsaved_contract("opening your catalog")
        {
            return;
        }
        let Some(home) = self.home_catalog.take() else {
            return;
        };
        match Catalog::open(&home) {
            Ok(catalog) => {
                self.switch_to(catalog);
                self.notify(format!("Opened your catalog, {}", home.display()), false);
            }
            Err(e) => {
                self.notify(format!("Could not open {}: {e}", home.display()), true);
                self.home_catalog = Some(home);
            }
        }
    }

    fn start_empty(&mut self, label_name: &str) {
        let Some(catalog) = &mut self.catalog else {
            return;
        };
        let name = label_name.trim();
        if !name.is_empty() {
            let label = crate::model::Label {
                is_own: true,
                ..crate::model::Label::new(name)
            };
            if let Err(e) = catalog.write(|tx| db::labels::insert(tx, &label)) {
                self.notify(format!("Could not save the label: {e}"), true);
                return;
            }
        }
        self.welcome = false;
        self.revision += 1;
        self.panel = Panel::Roster;
        self.notify(
            "Empty catalog ready: add your first artist with New artist (Ctrl+N)",
            false,
        );
    }

    /// Keyboard shortcuts that work everywhere.
    fn shortcuts(&mut self, ctx: &egui::Context) {
        // egui drops focus on Escape before the frame's widgets run: ask about the last frame.
        let typing = ctx.text_edit_focused() || self.was_typing;
        // In merch mode Ctrl+Z undoes the last sale (a void record), handled by the panel.
        let merch = self.panel == Panel::Shows && self.shows.in_merch_mode();
        ctx.input_mut(|i| {
            if i.consume_shortcut(&SEARCH_SHORTCUT) {
                self.search.request_focus();
            }
            // In a text field, Ctrl+Z belongs to the field's own typing undo.
            if !typing && !merch {
                if i.consume_shortcut(&REDO_SHORTCUT) || i.consume_shortcut(&REDO_SHORTCUT_Y) {
                    self.commands.push(Command::Redo);
                } else if i.consume_shortcut(&UNDO_SHORTCUT) {
                    self.commands.push(Command::Undo);
                }
            }
        });
        if self.catalog.is_none() || self.welcome {
            return;
        }
        let new_item = ctx.input_mut(|i| i.consume_shortcut(&NEW_SHORTCUT));
        let delete = !typing && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Delete));
        // Escape in a text field only leaves the field.
        let escape = !typing && ctx.input(|i| i.key_pressed(Key::Escape));
        if let Some(catalog) = &self.catalog {
            let mut pctx = PanelCtx {
                catalog,
                commands: &mut self.commands,
                revision: self.revision,
            };
            let close = escape && !self.search.is_open();
            // Every panel answers the same three keys.
            macro_rules! panel_keys {
                ($panel:expr) => {{
                    if new_item {
                        $panel.new_item(&mut pctx);
                    }
                    if delete {
                        $panel.request_delete();
                    }
                    if close {
                        $panel.close();
                    }
                }};
            }
            match self.panel {
                Panel::Roster => panel_keys!(self.roster),
                Panel::Catalog => panel_keys!(self.catalog_panel),
                Panel::Planning => panel_keys!(self.planning),
                Panel::Sales => panel_keys!(self.ledger),
                Panel::Contracts => panel_keys!(self.contracts),
                Panel::Shows => panel_keys!(self.shows),
            }
        }
    }

    fn top_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading(RichText::new("Labeldesk").strong());
            let name = self
                .catalog
                .as_ref()
                .and_then(Catalog::path)
                .and_then(Path::file_name)
                .map_or_else(
                    || "in-memory catalog".to_owned(),
                    |n| n.to_string_lossy().into_owned(),
                );
            let full = self
                .catalog
                .as_ref()
                .and_then(Catalog::path)
                .map(|p| p.display().to_string());
            let label = ui.label(RichText::new(name).color(crate::ui::theme::weak_color(ui)));
            if let Some(full) = full {
                label.on_hover_text(full);
            }
            ui.separator();
            self.edit_menu_ui(ui);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if let Some(catalog) = &self.catalog {
                    let mut pctx = PanelCtx {
                        catalog,
                        commands: &mut self.commands,
                        revision: self.revision,
                    };
                    self.search.ui(ui, &mut pctx);
                }
            });
        });
    }

    fn edit_menu_ui(&mut self, ui: &mut egui::Ui) {
        ui.menu_button("File", |ui| {
            if let Some(home) = &self.home_catalog {
                let name = home
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if ui.button(format!("Open your catalog ({name})")).clicked() {
                    self.open_home_catalog();
                }
                ui.separator();
            }
            let file_backed = self.catalog_path().is_some();
            if ui
                .add_enabled(
                    file_backed && self.tasks.is_empty(),
                    egui::Button::new("Back up now"),
                )
                .clicked()
            {
                let ctx = ui.ctx().clone();
                self.start_backup(&ctx, None);
            }
            if ui
                .add_enabled(file_backed, egui::Button::new("Backups…"))
                .clicked()
            {
                self.backups.open();
                self.backups
                    .set_second_folder_text(self.second_folder.as_deref());
            }
            ui.separator();
            if ui
                .add_enabled(file_backed, egui::Button::new("Import…"))
                .on_disabled_hover_text("Imports need a catalog file")
                .clicked()
            {
                self.import_dialog.open();
            }
            let suggested = self.catalog_path().map(|p| {
                let stamp = chrono::Local::now().format("%Y-%m-%d");
                crate::io::backup::backups_dir(&p)
                    .with_file_name(format!("labeldesk-export-{stamp}"))
            });
            if ui
                .add_enabled(file_backed, egui::Button::new("Export as JSON…"))
                .clicked()
                && let Some(base) = &suggested
            {
                self.export_dialog.open(false, base.with_extension("json"));
            }
            if ui
                .add_enabled(file_backed, egui::Button::new("Export as CSV files…"))
                .clicked()
                && let Some(base) = &suggested
            {
                self.export_dialog.open(true, base.clone());
            }
        });
        ui.menu_button("Edit", |ui| {
            let undo = self.history.undo_label().map(|l| format!("Undo {l}"));
            let redo = self.history.redo_label().map(|l| format!("Redo {l}"));
            // While a ledger write runs the stacks are not final: wait for it.
            let writing = self
                .ledger_write
                .as_ref()
                .map(|w| format!("Wait for “{}” to finish", w.pending.label()));
            let undo_button = egui::Button::new(undo.as_deref().unwrap_or("Undo"))
                .shortcut_text(ui.ctx().format_shortcut(&UNDO_SHORTCUT));
            let response = ui.add_enabled(undo.is_some() && writing.is_none(), undo_button);
            if response.clicked() {
                self.commands.push(Command::Undo);
            }
            if let Some(why) = &writing {
                response.on_disabled_hover_text(why);
            }
            let redo_button = egui::Button::new(redo.as_deref().unwrap_or("Redo"))
                .shortcut_text(ui.ctx().format_shortcut(&REDO_SHORTCUT));
            let response = ui.add_enabled(redo.is_some() && writing.is_none(), redo_button);
            if response.clicked() {
                self.commands.push(Command::Redo);
            }
            if let Some(why) = &writing {
                response.on_disabled_hover_text(why);
            }
            ui.separator();
            if ui
                .add(
                    egui::Button::new("Search…")
                        .shortcut_text(ui.ctx().format_shortcut(&SEARCH_SHORTCUT)),
                )
                .clicked()
            {
                self.search.request_focus();
            }
        });
        if ui
            .button("Label…")
            .on_hover_text("Your label's name, prefixes and currency")
            .clicked()
            && let Some(catalog) = &self.catalog
        {
            let mut pctx = PanelCtx {
                catalog,
                commands: &mut self.commands,
                revision: self.revision,
            };
            self.label_settings.open(&mut pctx);
        }
        ui.menu_button("View", |ui| {
            ui.label("Theme");
            for &choice in ThemeChoice::ALL {
                if ui.radio(self.theme == choice, choice.label()).clicked() {
                    self.theme = choice;
                    choice.apply(ui.ctx());
                }
            }
        });
    }

    /// (contract deadlines within 60 days, items low on stock) as the navigation last showed
    /// them beside Contracts and Shows.
    #[must_use]
    pub fn attention(&self) -> (usize, usize) {
        self.nav_badges.map_or((0, 0), |(_, d, l)| (d, l))
    }

    fn nav_ui(&mut self, ui: &mut egui::Ui) {
        ui.add_space(8.0);
        // What needs attention, as an amber count beside the panel: contract deadlines within
        // 60 days, stock below its warning level.
        if self
            .nav_badges
            .is_none_or(|(rev, _, _)| rev != self.revision)
            && let Some(catalog) = &self.catalog
        {
            let conn = catalog.conn();
            let today = chrono::Local::now().date_naive();
            let deadlines = db::contracts::deadlines(conn, today).map_or(0, |d| d.len());
            let low = db::shows::locations(conn)
                .and_then(|l| db::shows::overview(conn, &l))
                .map_or(0, |rows| rows.iter().filter(|r| r.is_low()).count());
            self.nav_badges = Some((self.revision, deadlines, low));
        }
        let (_, deadlines, low) = self.nav_badges.unwrap_or_default();
        for &panel in Panel::ALL {
            let selected = self.panel == panel;
            let button =
                egui::Button::selectable(selected, RichText::new(panel.label()).size(16.0))
                    .min_size(egui::vec2(ui.available_width(), 32.0));
            let response = ui.add(button);
            let badge = match panel {
                Panel::Contracts => deadlines,
                Panel::Shows => low,
                _ => 0,
            };
            if badge > 0 {
                let tip = match panel {
                    Panel::Contracts => format!("{badge} contract deadline(s) within 60 days"),
                    _ => format!("{badge} item(s) low on stock"),
                };
                ui.painter().text(
                    response.rect.right_center() - egui::vec2(10.0, 0.0),
                    egui::Align2::RIGHT_CENTER,
                    badge.to_string(),
                    egui::FontId::proportional(13.0),
                    crate::ui::theme::warn_color(ui),
                );
                response.clone().on_hover_text(tip);
            }
            if response.clicked() {
                self.commands.push(Command::ShowPanel(panel));
            }
        }
    }

    fn status_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if let Some(status) = &self.status {
                let color = if status.error {
                    crate::ui::theme::error_color(ui)
                } else {
                    ui.visuals().text_color()
                };
                let faded = !status.error && status.at.elapsed() > Duration::from_secs(8);
                let text = RichText::new(&status.text).color(if faded {
                    crate::ui::theme::weak_color(ui)
                } else {
                    color
                });
                ui.label(text);
            } else {
                crate::ui::widgets::hint_ui(ui, "Ready");
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.tasks_ui(ui);
                self.off_laptop_ui(ui);
                if let Some(label) = self.history.undo_label() {
                    crate::ui::widgets::hint_ui(ui, &format!("Last edit: {label}"));
                }
            });
        });
    }

    /// How old the newest copy off the laptop is (read once per backup, not every frame).
    fn off_laptop_ui(&mut self, ui: &mut egui::Ui) {
        let Some(folder) = &self.second_folder else {
            if self.catalog_path().is_some() {
                crate::ui::widgets::hint_ui(ui, "No second backup folder (File > Backups…)");
                ui.separator();
            }
            return;
        };
        if self.off_laptop == OffLaptop::Stale {
            self.off_laptop = OffLaptop::Read(crate::tasks::newest_off_laptop(folder));
        }
        let OffLaptop::Read(newest) = self.off_laptop else {
            return;
        };
        let text = match newest {
            Some(at) => {
                let hours = (chrono::Utc::now() - at).num_hours();
                if hours < 1 {
                    "Off-laptop copy: under an hour old".to_owned()
                } else if hours < 48 {
                    format!("Off-laptop copy: {hours} h old")
                } else {
                    format!("Off-laptop copy: {} days old", hours / 24)
                }
            }
            None => "No copy off this laptop yet".to_owned(),
        };
        let stale = newest.is_none_or(|at| (chrono::Utc::now() - at).num_days() >= 7);
        if stale {
            ui.label(RichText::new(text).color(crate::ui::theme::warn_color(ui)));
        } else {
            crate::ui::widgets::hint_ui(ui, &text);
        }
        ui.separator();
    }

    fn startup_ui(&mut self, ui: &mut egui::Ui) {
        let mut create: Option<PathBuf> = None;
        let mut quit = false;
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(60.0);
            ui.vertical_centered(|ui| match &self.startup {
                Startup::Ready => {}
                Startup::Restoring => {
                    ui.heading("Restoring a backup…");
                    ui.add_space(8.0);
                    ui.spinner();
                    crate::ui::widgets::hint_ui(ui, "The catalog as it was is kept as a snapshot first.");
                }
                Startup::Upgrading { path, from, to, .. } => {
                    ui.heading("Upgrading your catalog…");
                    ui.add_space(8.0);
                    ui.spinner();
                    ui.add_space(8.0);
                    ui.label(format!(
                        "{} was written by an older Labeldesk (catalog version {from}); it is being brought to version {to}.",
                        path.display()
                    ));
                    crate::ui::widgets::hint_ui(
                        ui,
                        "A snapshot of it as it was goes to its backups folder first, and the upgrade is one \
                         transaction: if anything fails, the catalog stays as it was. A big catalog takes a few \
                         seconds (its search index is rebuilt).",
                    );
                }
                Startup::AskCreate(path) => {
                    ui.heading("No catalog here yet");
                    ui.add_space(8.0);
                    ui.label(format!("{} does not exist.", path.display()));
                    ui.label("Create a new, empty catalog there?");
                    ui.add_space(12.0);
                    if ui.button("Create catalog").clicked() {
                        create = Some(path.clone());
                    }
                    if ui.button("Quit").clicked() {
                        quit = true;
                    }
                }
                Startup::Failed { path, message } => {
                    ui.heading("This catalog cannot be opened");
                    ui.add_space(8.0);
                    ui.label(RichText::new(message).color(crate::ui::theme::error_color(ui)));
                    ui.add_space(8.0);
                    crate::ui::widgets::hint_ui(
                        ui,
                        &format!("Nothing was changed in {}. Open another file with labeldesk --db PATH.", path.display()),
                    );
                    ui.add_space(12.0);
                    if ui.button("Quit").clicked() {
                        quit = true;
                    }
                }
            });
        });
        if quit {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if let Some(path) = create {
            match Catalog::create(&path) {
                Ok(catalog) => {
                    self.welcome = true;
                    self.catalog = Some(catalog);
                    self.startup = Startup::Ready;
                }
                Err(e) => {
                    self.startup = Startup::Failed {
                        path,
                        message: e.to_string(),
                    }
                }
            }
        }
    }

    /// Draws one frame (shared by `eframe::App::ui` and headless tests).
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.shows.frame_started = Some(Instant::now());
        if self.egui_ctx.is_none() {
            self.egui_ctx = Some(ctx.clone());
        }
        self.poll_tasks();
        self.poll_ledger_write();
        if std::mem::take(&mut self.check_on_start)
            && let Some(path) = self.catalog_path()
        {
            let task = crate::tasks::damage_check(&ctx, path);
            self.start_task(task);
        }
        self.auto_backup(&ctx);
        if !self.tasks.is_empty() || self.ledger_write.is_some() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        self.shortcuts(&ctx);
        if let Startup::Upgrading {
            path, to, started, ..
        } = &mut self.startup
            && !*started
        {
            *started = true;
            let task = crate::tasks::upgrade(&ctx, path.clone(), *to);
            self.start_task(task);
        }
        if self.catalog.is_none() {
            self.startup_ui(ui);
            return;
        }
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.add_space(4.0);
            self.top_bar_ui(ui);
            ui.add_space(2.0);
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_ui(ui));
        if let Some(catalog) = &self.catalog {
            let mut pctx = PanelCtx {
                catalog,
                commands: &mut self.commands,
                revision: self.revision,
            };
            self.label_settings.ui(&ctx, &mut pctx);
        }
        let busy = !self.tasks.is_empty() || self.ledger_write.is_some();
        let catalog_path = self.catalog_path();
        match self.backups.ui(&ctx, catalog_path.as_deref(), busy) {
            Some(crate::ui::backups::BackupRequest::BackUpNow) => self.start_backup(&ctx, None),
            Some(crate::ui::backups::BackupRequest::SetSecondFolder(folder)) => {
                self.notify(
                    match &folder {
                        Some(f) => format!("Snapshots will also be copied to {}", f.display()),
                        None => "Snapshots are no longer copied to a second folder".to_owned(),
                    },
                    false,
                );
                self.second_folder = folder;
                self.off_laptop = OffLaptop::Stale;
            }
            Some(crate::ui::backups::BackupRequest::Restore(file)) => {
                self.backups.close();
                self.start_restore(&ctx, file);
                return;
            }
            None => {}
        }
        self.damaged_ui(&ctx);
        self.import_ui(&ctx);
        if let Some(request) = self.export_dialog.ui(&ctx)
            && let Some(path) = self.catalog_path()
        {
            let task = crate::tasks::export(&ctx, path, request.dest, request.csv);
            self.start_task(task);
        }
        if self.welcome {
            egui::CentralPanel::default().show(ui, |ui| {
                welcome::welcome_ui(ui, &mut self.welcome_label, &mut self.commands);
            });
        } else {
            // Merch mode fills the window: no navigation beside the selling screen.
            if !(self.panel == Panel::Shows && self.shows.in_merch_mode()) {
                egui::Panel::left("navigation")
                    .resizable(false)
                    .exact_size(130.0)
                    .show(ui, |ui| self.nav_ui(ui));
            }
            egui::CentralPanel::default().show(ui, |ui| {
                if let Some(catalog) = &self.catalog {
                    let mut pctx = PanelCtx {
                        catalog,
                        commands: &mut self.commands,
                        revision: self.revision,
                    };
                    match self.panel {
                        Panel::Roster => self.roster.ui(ui, &mut pctx),
                        Panel::Catalog => self.catalog_panel.ui(ui, &mut pctx),
                        Panel::Planning => self.planning.ui(ui, &mut pctx),
                        Panel::Sales => self.ledger.ui(ui, &mut pctx),
                        Panel::Contracts => self.contracts.ui(ui, &mut pctx),
                        Panel::Shows => self.shows.ui(ui, &mut pctx),
                    }
                }
            });
        }
        self.was_typing = ctx.text_edit_focused();
        if !self.commands.is_empty() {
            self.apply_commands();
            // Show the result of the edits at once, not on the next input event.
            ctx.request_repaint();
        }
        if self
            .status
            .as_ref()
            .is_some_and(|s| s.at.elapsed() < Duration::from_secs(9))
        {
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    /// Saves drafts and applies what is pending (window closing).
    pub fn shutdown(&mut self) {
        self.flush_drafts();
        self.apply_commands();
        // A ledger write still running is finished, not lost, and so is what waited for it.
        while self.ledger_write.is_some() {
            self.wait_for_ledger_write();
            self.apply_commands();
        }
        if let Some(path) = self.catalog.as_ref().and_then(Catalog::path) {
            // A clean close: no damage check next time.
            let _ = crate::io::backup::mark_closed(path);
        }
    }

    fn catalog_path(&self) -> Option<PathBuf> {
        self.catalog
            .as_ref()
            .and_then(Catalog::path)
            .map(Path::to_path_buf)
    }

    fn start_task(&mut self, task: std::io::Result<crate::tasks::Task>) {
        match task {
            Ok(task) => self.tasks.push(task),
            Err(e) => self.notify(format!("Could not start background work: {e}"), true),
        }
    }

    /// A snapshot now (`reason` names it, e.g. "auto").
    fn start_backup(&mut self, ctx: &egui::Context, reason: Option<&'static str>) {
        let Some(path) = self.catalog_path() else {
            self.notify(
                "This catalog lives in memory: there is nothing to back up",
                true,
            );
            return;
        };
        self.backup_mark = (self.revision, Instant::now());
        let task = crate::tasks::backup(ctx, path, reason, self.second_folder.clone());
        self.start_task(task);
    }

    /// Closes the catalog and restores a backup over it on a background thread.
    fn start_restore(&mut self, ctx: &egui::Context, backup_file: PathBuf) {
        let Some(path) = self.catalog_path() else {
            return;
        };
        if self.refuse_while_writing_ledger("restoring a backup")
            || self.refuse_with_unsaved_contract("restoring a backup")
        {
            return;
        }
        self.flush_drafts();
        self.apply_commands();
        // Every connection to the file closes before the restore writes it.
        self.catalog = None;
        self.search = GlobalSearch::default();
        self.history.clear();
        self.roster = RosterPanel::restore(RosterState::default());
        self.catalog_panel = CatalogPanel::restore(CatalogState::default());
        self.planning = PlanningPanel::restore(PlanningState::default());
        self.ledger = LedgerPanel::restore(LedgerState::default());
        self.shows = ShowsPanel::restore(ShowsState::default());
        self.contracts = ContractsPanel::restore(ContractsState::default());
        self.startup = Startup::Restoring;
        self.damaged = None;
        let task = crate::tasks::restore(ctx, backup_file, path);
        self.start_task(task);
    }

    /// Applies finished background work.
    fn poll_tasks(&mut self) {
        let mut finished = Vec::new();
        self.tasks.retain(|task| match task.job.poll() {
            Some(outcome) => {
                finished.push(outcome);
                false
            }
            None => true,
        });
        for outcome in finished {
            match outcome {
                crate::tasks::TaskOutcome::Done {
                    message,
                    catalog_changed,
                } => {
                    if catalog_changed {
                        self.revision += 1;
                        self.import_dialog.finished(true);
                        // An import into a new catalog ends the first-run screen.
                        self.welcome = self.catalog.as_ref().is_some_and(is_empty);
                    }
                    self.backups.refresh();
                    self.off_laptop = OffLaptop::Stale;
                    self.notify(message, false);
                }
                crate::tasks::TaskOutcome::Failed(message) => {
                    if self.import_dialog.is_open() {
                        self.import_dialog.finished(false);
                    }
                    self.notify(message, true);
                }
                crate::tasks::TaskOutcome::ImportPreview {
                    file,
                    plan,
                    preview,
                    sheet,
                } => self.import_dialog.show_preview(file, plan, preview, sheet),
                crate::tasks::TaskOutcome::Reopened {
                    catalog,
                    message,
                    error,
                } => {
                    if let Some(catalog) = catalog {
                        self.catalog = Some(*catalog);
                        self.startup = Startup::Ready;
                    } else {
                        let path = self.catalog_path().unwrap_or_default();
                        self.startup = Startup::Failed {
                            path,
                            message: message.clone(),
                        };
                    }
                    self.revision += 1;
                    self.backups.refresh();
                    self.notify(message, error);
                }
                crate::tasks::TaskOutcome::Upgraded { catalog, message } => match catalog {
                    Ok(catalog) => {
                        let warning = catalog
                            .path()
                            .and_then(crate::io::backup::cloud_synced_warning);
                        self.switch_to(*catalog);
                        self.startup = Startup::Ready;
                        self.notify(message, false);
                        if let Some(warning) = warning {
                            self.notify(warning, true);
                        }
                    }
                    Err(message) => {
                        let path = match &self.startup {
                            Startup::Upgrading { path, .. } => path.clone(),
                            _ => PathBuf::new(),
                        };
                        self.startup = Startup::Failed { path, message };
                    }
                },
                crate::tasks::TaskOutcome::Damaged { problems } => self.damaged = Some(problems),
            }
        }
    }

    /// Snapshots a changed catalog every half hour.
    fn auto_backup(&mut self, ctx: &egui::Context) {
        let (revision, at) = self.backup_mark;
        if self.revision != revision && at.elapsed() >= AUTO_BACKUP_EVERY && self.tasks.is_empty() {
            self.start_backup(ctx, Some("auto"));
        }
    }

    fn tasks_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(write) = &self.ledger_write {
            job_ui(ui, &write.job.title, &write.job.control, true);
        }
        for task in &self.tasks {
            job_ui(ui, &task.job.title, &task.job.control, task.cancellable);
        }
    }

    fn import_ui(&mut self, ctx: &egui::Context) {
        // Files dropped on the window: images are covers (the release editor takes them),
        // anything else is offered for import.
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !crate::io::cover::is_image_path(p))
                .collect()
        });
        if let Some(path) = dropped.into_iter().next()
            && self.catalog_path().is_some()
        {
            self.import_dialog.open_with(path);
        }
        let Some(catalog_path) = self.catalog_path() else {
            return;
        };
        match self.import_dialog.ui(ctx) {
            Some(crate::ui::import::ImportRequest::Read(file)) => {
                let currency = self
                    .catalog
                    .as_ref()
                    .and_then(|c| db::labels::home_currency(c.conn()).ok())
                    .unwrap_or_default();
                let task = crate::tasks::read_import(ctx, file, catalog_path, currency);
                self.start_task(task);
            }
            Some(crate::ui::import::ImportRequest::LoadExport(source)) => {
                self.flush_drafts();
                self.apply_commands();
                let task = crate::tasks::import_export(ctx, source, catalog_path);
                self.start_task(task);
            }
            Some(crate::ui::import::ImportRequest::Remap(file, sheet)) => {
                let task = crate::tasks::remap_import(ctx, file, *sheet, catalog_path);
                self.start_task(task);
            }
            Some(crate::ui::import::ImportRequest::SaveMapping(name, mapping)) => {
                if self.refuse_while_writing_ledger("saving the mapping") {
                    return;
                }
                let json = mapping.to_json();
                let saved = self
                    .catalog
                    .as_mut()
                    .map(|catalog| catalog.write(|tx| db::import_mappings::save(tx, &name, &json)));
                match saved {
                    Some(Ok(())) => {
                        self.import_dialog.mapping_saved(&name);
                        self.notify(format!("Saved the column mapping “{name}”"), false);
                    }
                    Some(Err(e)) => self.notify(format!("Could not save the mapping: {e}"), true),
                    None => {}
                }
            }
            Some(crate::ui::import::ImportRequest::Apply(plan, policy)) => {
                self.flush_drafts();
                self.apply_commands();
                let task = crate::tasks::apply_import(ctx, plan, policy, catalog_path);
                self.start_task(task);
            }
            None => {}
        }
    }

    fn damaged_ui(&mut self, ctx: &egui::Context) {
        let Some(problems) = self.damaged.clone() else {
            return;
        };
        let newest = self
            .catalog_path()
            .and_then(|p| crate::io::backup::list(&crate::io::backup::backups_dir(&p)).ok())
            .and_then(|list| list.into_iter().next());
        let body = format!(
            "After the last session ended unexpectedly, a check found problems:\n{}\n\n{}",
            problems.iter().take(5).cloned().collect::<Vec<_>>().join("\n"),
            match &newest {
                Some(info) => format!(
                    "Restore the newest backup, from {}? The damaged catalog is kept aside, not overwritten.",
                    info.taken_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
                ),
                None => "There is no backup to restore yet. Export what you can and run labeldesk check.".to_owned(),
            }
        );
        let confirm = if newest.is_some() {
            "Restore newest backup"
        } else {
            "Keep working"
        };
        match crate::ui::widgets::confirm_ui(
            ctx,
            "damaged_catalog",
            "The catalog is damaged",
            &body,
            confirm,
        ) {
            crate::ui::widgets::Answer::Pending => {}
            crate::ui::widgets::Answer::Cancel => self.damaged = None,
            crate::ui::widgets::Answer::Confirm => {
                self.damaged = None;
                if let Some(info) = newest {
                    self.start_restore(ctx, info.path);
                }
            }
        }
    }
}

/// Width of a job's stage text in the status bar (longer stages are cut, whole on hover).
const STAGE_WIDTH: f32 = 240.0;

/// One background job in the status bar: its title, a progress bar (a spinner while the
/// amount of work is unknown), its stage, and Cancel.
fn job_ui(ui: &mut egui::Ui, title: &str, control: &crate::jobs::JobControl, cancellable: bool) {
    let (done, total, stage) = control.snapshot();
    ui.label(format!("{title}:"));
    if total > 0 {
        ui.add(
            egui::ProgressBar::new(control.fraction())
                .desired_width(160.0)
                .text(format!("{done} of {total}")),
        );
    } else {
        ui.spinner();
    }
    // A fixed width for the stage, so Cancel stays put while the stage text changes (the
    // status bar is laid out right to left: Cancel sits left of it).
    let height = ui.spacing().interact_size.y;
    ui.add_sized(
        [STAGE_WIDTH, height],
        egui::Label::new(RichText::new(&stage).color(crate::ui::theme::weak_color(ui))).truncate(),
    )
    .on_hover_text(&stage);
    if cancellable && ui.small_button("Cancel").clicked() {
        control.cancel();
    }
    ui.separator();
}

fn is_empty(catalog: &Catalog) -> bool {
    catalog
        .conn()
        .query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM artists) AND NOT EXISTS (SELECT 1 FROM releases)
                    AND NOT EXISTS (SELECT 1 FROM labels)",
            [],
            |r| r.get::<_, bool>(0),
        )
        .unwrap_or(false)
}

impl eframe::App for LabeldeskApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
        if ui.ctx().input(|i| i.viewport().close_requested()) {
            // Unsaved contract terms: the Contracts panel asks first, then closes the window.
            if self.catalog.is_some() && !self.welcome && self.contracts.ask_before_closing() {
                self.panel = Panel::Contracts;
                ui.ctx()
                    .send_viewport_cmd(egui::ViewportCommand::CancelClose);
            } else {
                self.shutdown();
            }
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STATE_KEY, &self.ui_state());
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }
}

/// Opens the window on a catalog: the default one (created on first run), or `--db PATH`
/// (a missing file is created only after asking).
#[must_use]
pub fn run_native(db_path: Option<PathBuf>) -> ExitCode {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Labeldesk")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Labeldesk",
        options,
        Box::new(move |cc| {
            let state: UiState = cc
                .storage
                .and_then(|s| eframe::get_value(s, STATE_KEY))
                .unwrap_or_default();
            state.theme.apply(&cc.egui_ctx);
            Ok(Box::new(open_app(db_path, state)))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("labeldesk: could not open the window: {e}");
            ExitCode::from(1)
        }
    }
}

/// Picks and opens the catalog for the window.
#[must_use]
pub fn open_app(db_path: Option<PathBuf>, state: UiState) -> LabeldeskApp {
    let explicit = db_path.is_some();
    let path = db_path.unwrap_or_else(crate::cli::default_catalog_path);
    if path.exists()
        && let Some((from, to)) = Catalog::pending_upgrade(&path)
    {
        return LabeldeskApp::without_catalog(
            Startup::Upgrading {
                path,
                from,
                to,
                started: false,
            },
            state,
        );
    }
    let opened = if path.exists() {
        Catalog::open(&path)
    } else if explicit {
        return LabeldeskApp::without_catalog(Startup::AskCreate(path), state);
    } else {
        Catalog::create(&path)
    };
    match opened {
        Ok(catalog) => {
            // A catalog that was not closed cleanly gets a background check on start.
            let unclean = !crate::io::backup::was_closed_cleanly(&path);
            let _ = crate::io::backup::mark_open(&path);
            let mut app = LabeldeskApp::new(catalog, state);
            app.check_on_start = unclean;
            if let Some(warning) = crate::io::backup::cloud_synced_warning(&path) {
                app.notify(warning, true);
            }
            app
        }
        Err(e) => LabeldeskApp::without_catalog(
            Startup::Failed {
                message: e.to_string(),
                path,
            },
            state,
        ),
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use crate::jobs::JobControl;

    /// The Cancel button of a job in the status bar stays where it is when the stage text
    /// changes (it used to move with the text and take clicks meant for it elsewhere).
    #[test]
    fn a_jobs_cancel_button_stays_put_while_its_stage_changes() {
        let control = std::sync::Arc::new(JobControl::default());
        control.set_total(10);
        let shown = std::sync::Arc::clone(&control);
        let mut harness = Harness::builder()
            .with_size(egui::vec2(900.0, 40.0))
            .build_ui(move |ui| {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    super::job_ui(ui, "Import", &shown, true);
                });
            });
        let mut places = Vec::new();
        for stage in [
            "Reading",
            "Importing tracks, a much longer stage than the first one",
            "Saving",
        ] {
            control.set_stage(stage);
            harness.run();
            places.push(harness.get_by_label("Cancel").rect());
        }
        assert!(places.windows(2).all(|w| w[0] == w[1]), "{places:?}");
        harness.get_by_label("Cancel").click();
        harness.run();
        assert!(control.is_cancelled());
    }
}
