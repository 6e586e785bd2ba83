//! The Sales panel: the ledger. Four tabs: **Imports** (read a distributor report on a
//! background job with progress and Cancel, preview it, import it as one undoable step; the
//! imports so far with their control totals), **Income** (by release, channel, territory or
//! period, with a bar chart), **Costs** (entered by hand) and **Review** (unmatched report lines,
//! mapped to a release or track once and remembered for later imports).
//!
//! Reads go through `crate::db::ledger`; every change is a [`Command::Edit`] for the app: the
//! import itself is one `Change::SalesReport` (recorded as a `Change::SalesImport`), so it is a
//! single transaction and one undo step. Nothing long runs on the UI thread: a report is read
//! and matched on a background job (on its own connection to the catalog file), and the app
//! writes an import, its removal, undo and redo on a background job with a progress bar and
//! Cancel. Only an in-memory catalog (tests), which no second connection can see, is matched
//! and written on the UI thread.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::widgets::{self, Answer};
use super::{PanelCtx, theme};
use crate::command::Command;
use crate::db::ledger::{self, ImportBatch, ImportSummary, IncomeGroup, IncomeRow, UnmatchedGroup};
use crate::io::reports::{self, ColumnMapping, DateOrder, Layout, ParsedReport, ReportError};
use crate::jobs::Job;
use crate::model::{
    Channel, CostCategory, CostLine, CostLineId, Currency, FormatId, ImportId, LineFlags,
    MatchMapping, Money, ReleaseId, TrackId, parse_date,
};
use crate::undo::{Change, Edit};

/// The ledger's tabs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum LedgerTab {
    #[default]
    Imports,
    Income,
    Costs,
    Review,
}

/// What the panel remembers between runs (UI state only).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LedgerState {
    pub tab: LedgerTab,
    pub group: IncomeGroup,
    /// The report path last typed or chosen.
    pub path: String,
}

/// Where reading a report is.
enum Flow {
    Idle,
    /// The file dialog is open (on its own thread).
    Choosing(Receiver<Option<PathBuf>>),
    /// The report is being read (and matched) on a background job.
    Reading(Job<Result<Read, ReportError>>),
    /// Read and matched: waiting for the user to import or discard it.
    Preview(Box<Preview>),
    /// Refused; the message says why.
    Failed(String),
    /// Refused because no layout or saved mapping knows its header: it can be mapped.
    Unknown(String),
    /// Picking which column holds what, for a new saved mapping.
    Mapping(Box<MapForm>),
}

/// What the reading job hands back.
struct Read {
    report: ParsedReport,
    /// The report matched against the catalog file on the job's own connection; `None` for an
    /// in-memory catalog (tests), which only the UI thread's connection can see.
    summary: Option<Summary>,
}

/// What the preview shows of a matched report. The matched lines themselves stay on the job
/// (a 100k-line batch takes a frame's worth of time just to free).
struct Summary {
    file_name: String,
    layout: String,
    home_currency: Currency,
    lines: usize,
    matched: usize,
    flagged: usize,
    totals: Vec<ledger::ImportTotal>,
    /// What its physical sales do to stock.
    stock: ledger::StockPlan,
}

impl Summary {
    /// The batch as matched on `conn`, which also tells what it does to stock.
    fn of(conn: &rusqlite::Connection, batch: &ImportBatch) -> Result<Self, ReportError> {
        Ok(Self {
            file_name: batch.file_name.clone(),
            layout: batch.layout.clone(),
            home_currency: batch.home_currency,
            lines: batch.lines.len(),
            matched: batch.matched(),
            flagged: reports::flagged(batch),
            totals: batch.totals.clone(),
            stock: ledger::stock_plan(conn, batch)?,
        })
    }
}

/// A new column mapping being made for a report whose layout is unknown.
struct MapForm {
    /// The report's file name, for the heading.
    file: String,
    /// The header row's columns as written.
    columns: Vec<String>,
    mapping: ColumnMapping,
    /// The currency of the whole file, when no column has it.
    fixed_currency: String,
    name: String,
    error: Option<String>,
}

/// Reads what the tabs show; a query that fails leaves its part empty, and its message is
/// returned for the status line.
fn read_cache(
    conn: &rusqlite::Connection,
    group: IncomeGroup,
    revision: u64,
) -> (Cache, Vec<String>) {
    fn or_empty<T: Default>(result: crate::db::Result<T>, errors: &mut Vec<String>) -> T {
        result.unwrap_or_else(|e| {
            errors.push(e.to_string());
            T::default()
        })
    }
    let mut errors = Vec::new();
    let cache = Cache {
        revision,
        imports: or_empty(ledger::list_imports(conn), &mut errors),
        income: or_empty(ledger::income_by(conn, group), &mut errors),
        group,
        costs: or_empty(ledger::list_costs(conn), &mut errors),
        charged: or_empty(ledger::charged_costs(conn), &mut errors),
        unmatched: or_empty(ledger::unmatched_groups(conn, REVIEW_LIMIT), &mut errors),
        releases: or_empty(ledger::release_choices(conn), &mut errors),
        home: or_empty(crate::db::labels::home_currency(conn), &mut errors),
        mappings: or_empty(ledger::report_mappings(conn), &mut errors)
            .into_iter()
            .map(|(name, _)| name)
            .collect(),
    };
    (cache, errors)
}

/// The fields a mapping can name a column for: what the user reads, and whether it is needed.
const MAP_FIELDS: [(&str, bool); 14] = [
    ("Sale date", true),
    ("Period (reported date)", false),
    ("Amount earned (net)", true),
    ("Gross amount", false),
    ("Currency", false),
    ("Quantity", false),
    ("Artist", false),
    ("Title", false),
    ("ISRC", false),
    ("UPC/EAN", false),
    ("Catalog number", false),
    ("Territory", false),
    ("Store", false),
    ("Channel", false),
];

/// The column name a mapping holds for `MAP_FIELDS[field]`.
fn mapped_column(m: &mut ColumnMapping, field: usize) -> &mut String {
    match field {
        0 => &mut m.date,
        1 => &mut m.reported,
        2 => &mut m.net,
        3 => &mut m.gross,
        4 => &mut m.currency,
        5 => &mut m.quantity,
        6 => &mut m.artist,
        7 => &mut m.title,
        8 => &mut m.isrc,
        9 => &mut m.barcode,
        10 => &mut m.catno,
        11 => &mut m.territory,
        12 => &mut m.store,
        _ => &mut m.channel,
    }
}

struct Preview {
    report: ParsedReport,
    summary: Summary,
    /// Typed rates for currencies other than the home currency.
    rates: BTreeMap<Currency, String>,
    rate_error: Option<String>,
}

/// What the tabs show, read once per catalog revision (on a background job for a catalog
/// file: with 100k report lines the sums take a tenth of a second).
#[derive(Default)]
struct Cache {
    revision: u64,
    imports: Vec<ImportSummary>,
    income: Vec<IncomeRow>,
    group: IncomeGroup,
    costs: Vec<CostLine>,
    /// Costs an issued statement has charged.
    charged: std::collections::HashSet<CostLineId>,
    unmatched: Vec<UnmatchedGroup>,
    releases: Vec<(ReleaseId, String)>,
    home: Currency,
    /// The names of the saved column mappings.
    mappings: Vec<String>,
}

/// The tabs being read again on a background job, for this revision and grouping.
struct Refresh {
    revision: u64,
    group: IncomeGroup,
    /// The tabs' data, and the messages of queries that failed.
    job: Job<(Cache, Vec<String>)>,
}

/// The hand-entered cost being typed.
#[derive(Default)]
struct CostForm {
    date: String,
    release: Option<ReleaseId>,
    category: Option<CostCategory>,
    amount: String,
    currency: String,
    recoupable: bool,
    note: String,
    error: Option<(&'static str, String)>,
    /// The cost being edited, as stored (None: the form adds a new one).
    editing: Option<CostLine>,
}

impl CostForm {
    /// An empty form for the next cost, in the currency last used.
    fn cleared(&self) -> Self {
        Self {
            currency: self.currency.clone(),
            ..Self::default()
        }
    }

    /// The form filled with a stored cost, to edit it.
    fn editing(cost: &CostLine) -> Self {
        Self {
            date: cost.date.to_string(),
            release: cost.release_id,
            category: Some(cost.category),
            amount: cost.amount.format_amount(),
            currency: cost.amount.currency.to_string(),
            recoupable: cost.recoupable,
            note: cost.note.clone(),
            error: None,
            editing: Some(cost.clone()),
        }
    }
}

/// The review list's selection and the target being chosen for it.
#[derive(Default)]
struct Review {
    key: Option<String>,
    release: Option<ReleaseId>,
    track: Option<TrackId>,
    tracks: Vec<(TrackId, String)>,
    tracks_of: Option<ReleaseId>,
    /// For a physical sale: which of the release's physical formats it was.
    format: Option<FormatId>,
    formats: Vec<(FormatId, String)>,
}

/// The Sales panel.
pub struct LedgerPanel {
    tab: LedgerTab,
    group: IncomeGroup,
    path: String,
    flow: Flow,
    cache: Option<Cache>,
    refreshing: Option<Refresh>,
    cost: CostForm,
    review: Review,
    /// An import the user asked to remove (confirmation open).
    remove: Option<ImportId>,
    typing: bool,
    /// The saved mapping chosen to read the next report with (`None`: detect the layout).
    read_with: Option<String>,
}

impl Default for LedgerPanel {
    fn default() -> Self {
        Self::restore(LedgerState::default())
    }
}

/// How many review groups are listed at once.
const REVIEW_LIMIT: u32 = 500;

impl LedgerPanel {
    /// The panel as it was left last time.
    #[must_use]
    pub fn restore(state: LedgerState) -> Self {
        Self {
            tab: state.tab,
            group: state.group,
            path: state.path,
            flow: Flow::Idle,
            cache: None,
            refreshing: None,
            cost: CostForm::default(),
            review: Review::default(),
            remove: None,
            typing: false,
            read_with: None,
        }
    }

    /// What to remember for next time.
    #[must_use]
    pub fn state(&self) -> LedgerState {
        LedgerState {
            tab: self.tab,
            group: self.group,
            path: self.path.clone(),
        }
    }

    /// Shows the income of a release (from search or a link).
    pub fn open(&mut self, _release: ReleaseId) {
        self.tab = LedgerTab::Income;
        self.group = IncomeGroup::Release;
    }

    /// Ctrl+N: a new cost line (the Costs tab, form ready).
    pub fn new_item(&mut self, _ctx: &mut PanelCtx<'_>) {
        self.tab = LedgerTab::Costs;
    }

    /// Delete: asks to remove the newest import when the Imports tab is shown.
    pub fn request_delete(&mut self) {
        if self.tab == LedgerTab::Imports && self.remove.is_none() {
            self.remove = self
                .cache
                .as_ref()
                .and_then(|c| c.imports.first())
                .map(|i| i.id);
        }
    }

    /// Escape: closes the confirmation, else discards a preview or a refusal. True if consumed.
    pub fn close(&mut self) -> bool {
        if self.remove.take().is_some() {
            return true;
        }
        if self.typing {
            return false;
        }
        match self.flow {
            Flow::Preview(_) | Flow::Failed(_) | Flow::Unknown(_) | Flow::Mapping(_) => {
                self.flow = Flow::Idle;
                true
            }
            _ => false,
        }
    }

    /// Nothing is ever half-typed into the catalog: the cost form saves only on "Add cost".
    pub fn flush(&mut self, _ctx: &mut PanelCtx<'_>) {}

    /// True while a report is being read.
    #[must_use]
    pub fn is_reading(&self) -> bool {
        matches!(self.flow, Flow::Reading(_) | Flow::Choosing(_))
    }

    /// Reads the tabs again when the catalog or the grouping changed: on a background job with
    /// its own connection for a catalog file (the old figures stay on screen until the new
    /// ones arrive), on the UI thread for an in-memory catalog (tests).
    fn refresh(&mut self, egui_ctx: &egui::Context, ctx: &mut PanelCtx<'_>) {
        if let Some(refresh) = &self.refreshing
            && let Some((cache, errors)) = refresh.job.poll()
        {
            self.refreshing = None;
            self.install(cache, errors, ctx);
        }
        let (revision, group) = (ctx.revision, self.group);
        if self
            .cache
            .as_ref()
            .is_some_and(|c| c.revision == revision && c.group == group)
        {
            return;
        }
        let Some(path) = ctx.catalog.path().map(std::path::Path::to_path_buf) else {
            let (cache, errors) = read_cache(ctx.catalog.conn(), group, revision);
            self.install(cache, errors, ctx);
            return;
        };
        if self
            .refreshing
            .as_ref()
            .is_some_and(|r| r.revision == revision && r.group == group)
        {
            return;
        }
        let wake = egui_ctx.clone();
        let spawned = Job::spawn(
            "ledger-read",
            "Reading the ledger",
            move || wake.request_repaint(),
            move |_| match crate::db::releases::open_reader(&path) {
                Ok(conn) => read_cache(&conn, group, revision),
                Err(e) => (
                    Cache {
                        revision,
                        group,
                        ..Cache::default()
                    },
                    vec![e.to_string()],
                ),
            },
        );
        match spawned {
            Ok(job) => {
                self.refreshing = Some(Refresh {
                    revision,
                    group,
                    job,
                });
            }
            Err(e) => {
                let (cache, errors) = read_cache(ctx.catalog.conn(), group, revision);
                ctx.send(Command::Error(format!(
                    "could not read the ledger in the background: {e}"
                )));
                self.install(cache, errors, ctx);
            }
        }
    }

    fn install(&mut self, cache: Cache, errors: Vec<String>, ctx: &mut PanelCtx<'_>) {
        for error in errors {
            ctx.send(Command::Error(error));
        }
        if self.cost.currency.is_empty() {
            self.cost.currency = cache.home.to_string();
        }
        self.cache = Some(cache);
        // A release picked for review whose tracks changed: read them again.
        self.review.tracks_of = None;
    }

    /// Draws the panel.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        self.poll(ui.ctx(), ctx);
        self.refresh(ui.ctx(), ctx);
        let unmatched = self.cache.as_ref().map_or(0, |c| c.unmatched.len());
        egui::Frame::NONE
            .inner_margin(egui::Margin::symmetric(12, 8))
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading("Sales");
                    ui.add_space(16.0);
                    for (tab, text) in [
                        (LedgerTab::Imports, "Imports".to_owned()),
                        (LedgerTab::Income, "Income".to_owned()),
                        (LedgerTab::Costs, "Costs".to_owned()),
                        (LedgerTab::Review, format!("Review ({unmatched})")),
                    ] {
                        if ui.selectable_label(self.tab == tab, text).clicked() {
                            self.tab = tab;
                        }
                    }
                });
                ui.separator();
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| match self.tab {
                        LedgerTab::Imports => self.imports_ui(ui, ctx),
                        LedgerTab::Income => self.income_ui(ui, ctx),
                        LedgerTab::Costs => self.costs_ui(ui, ctx),
                        LedgerTab::Review => self.review_ui(ui, ctx),
                    });
            });
        self.remove_dialog_ui(ui.ctx(), ctx);
        self.typing = ui.ctx().text_edit_focused();
        if self.is_reading() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        if !ctx.commands.is_empty() {
            ui.ctx().request_repaint();
        }
    }

    /// Picks up a chosen file or a finished reading job.
    fn poll(&mut self, egui_ctx: &egui::Context, ctx: &mut PanelCtx<'_>) {
        match &self.flow {
            Flow::Choosing(rx) => match rx.try_recv() {
                Ok(Some(path)) => {
                    self.path = path.display().to_string();
                    self.start_reading(egui_ctx, ctx, None);
                }
                Ok(None) | Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.flow = Flow::Idle;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
            },
            Flow::Reading(job) => {
                if let Some(result) = job.poll() {
                    self.flow = match result {
                        Ok(Read { report, summary }) => match summary.map_or_else(
                            || {
                                reports::prepare(ctx.catalog.conn(), &report, &[])
                                    .and_then(|batch| Summary::of(ctx.catalog.conn(), &batch))
                            },
                            Ok,
                        ) {
                            Ok(summary) => {
                                let rates = summary
                                    .totals
                                    .iter()
                                    .filter(|t| t.currency != summary.home_currency)
                                    .map(|t| (t.currency, String::new()))
                                    .collect();
                                Flow::Preview(Box::new(Preview {
                                    report,
                                    summary,
                                    rates,
                                    rate_error: None,
                                }))
                            }
                            Err(e) => Flow::Failed(e.to_string()),
                        },
                        Err(e @ ReportError::UnknownLayout { .. }) => Flow::Unknown(e.to_string()),
                        Err(e) => Flow::Failed(e.to_string()),
                    };
                }
            }
            _ => {}
        }
    }

    fn choose_file(&mut self) {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("report-file-dialog".to_owned())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .add_filter("Sales reports", &["csv", "tsv", "txt"])
                    .pick_file();
                let _ = tx.send(picked);
            });
        self.flow = match spawned {
            Ok(_) => Flow::Choosing(rx),
            Err(e) => Flow::Failed(format!("could not open the file dialog: {e}")),
        };
    }

    /// Reads the report at the typed path on a background job: with `only` that mapping,
    /// else with the mapping chosen under "Read with mapping", else detecting the layout.
    fn start_reading(
        &mut self,
        egui_ctx: &egui::Context,
        ctx: &mut PanelCtx<'_>,
        only: Option<(String, ColumnMapping)>,
    ) {
        let path = PathBuf::from(self.path.trim());
        if self.path.trim().is_empty() {
            self.flow = Flow::Failed("type the path of a report file, or choose one".to_owned());
            return;
        }
        let mappings = if let Some(one) = only {
            vec![one]
        } else {
            match reports::saved_mappings(ctx.catalog.conn()) {
                Ok(mut m) => {
                    if let Some(name) = &self.read_with {
                        m.retain(|(n, _)| n == name);
                    }
                    m
                }
                Err(e) => {
                    self.flow = Flow::Failed(e.to_string());
                    return;
                }
            }
        };
        let wake = egui_ctx.clone();
        let catalog_path = ctx.catalog.path().map(std::path::Path::to_path_buf);
        let spawned = Job::spawn(
            "report-import",
            "Reading the report",
            move || wake.request_repaint(),
            move |control| {
                let report = reports::parse_file(&path, &mappings, control)?;
                let summary = match catalog_path {
                    Some(file) => {
                        let conn = crate::db::releases::open_reader(&file)?;
                        let batch = reports::prepare_with(&conn, &report, &[], control)?;
                        Some(Summary::of(&conn, &batch)?)
                    }
                    None => None,
                };
                Ok(Read { report, summary })
            },
        );
        self.flow = match spawned {
            Ok(job) => Flow::Reading(job),
            Err(e) => Flow::Failed(format!("could not start reading: {e}")),
        };
    }

    fn imports_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        ui.label(RichText::new("Import a sales report").strong());
        widgets::hint_ui(
            ui,
            "DistroKid, TuneCore, CD Baby and Bandcamp reports are recognised from their first line. Any other CSV or TSV report is read with a column mapping you save under a name.",
        );
        let busy = self.is_reading();
        let names: Vec<String> = self
            .cache
            .as_ref()
            .map(|c| c.mappings.clone())
            .unwrap_or_default();
        if self.read_with.as_ref().is_some_and(|n| !names.contains(n)) {
            self.read_with = None;
        }
        if !names.is_empty() {
            ui.horizontal(|ui| {
                ui.label("Read with mapping:");
                let mut chosen = self
                    .read_with
                    .as_ref()
                    .and_then(|n| names.iter().position(|m| m == n));
                let mut choices: Vec<Option<usize>> = vec![None];
                choices.extend((0..names.len()).map(Some));
                if widgets::choice_ui(
                    ui,
                    "Read with mapping",
                    "ledger_read_with",
                    &mut chosen,
                    &choices,
                    |c| {
                        c.and_then(|i| names.get(i).cloned())
                            .unwrap_or_else(|| "Detect the layout".to_owned())
                    },
                ) {
                    self.read_with = chosen.and_then(|i| names.get(i).cloned());
                }
            });
        }
        ui.horizontal(|ui| {
            ui.label("Report file");
            let response = widgets::cell_field_ui(ui, "Report file", &mut self.path, None, 420.0);
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui
                .add_enabled(!busy, egui::Button::new("Choose…"))
                .clicked()
            {
                self.choose_file();
            }
            if ui
                .add_enabled(!busy, egui::Button::new("Read report"))
                .clicked()
                || (enter && !busy)
            {
                self.start_reading(ui.ctx(), ctx, None);
            }
        });
        ui.add_space(6.0);
        let mut discard = false;
        let mut commit = None;
        let mut map_columns = false;
        let mut save_mapping = None;
        match &mut self.flow {
            Flow::Idle => {}
            Flow::Choosing(_) => {
                widgets::hint_ui(ui, "Choose a file in the dialog…");
            }
            Flow::Reading(job) => {
                let (_, _, stage) = job.control.snapshot();
                ui.horizontal(|ui| {
                    ui.add(
                        egui::ProgressBar::new(job.control.fraction())
                            .desired_width(260.0)
                            .text(stage),
                    );
                    if ui.button("Cancel").clicked() {
                        job.control.cancel();
                    }
                });
            }
            Flow::Failed(message) => {
                ui.label(RichText::new(message.as_str()).color(theme::error_color(ui)));
                if ui.button("Dismiss").clicked() {
                    discard = true;
                }
            }
            Flow::Unknown(message) => {
                ui.label(RichText::new(message.as_str()).color(theme::error_color(ui)));
                ui.horizontal(|ui| {
                    if ui.button("Map its columns…").clicked() {
                        map_columns = true;
                    }
                    if ui.button("Dismiss").clicked() {
                        discard = true;
                    }
                });
            }
            Flow::Mapping(form) => match map_form_ui(ui, form) {
                Some(MapAction::Save(name, mapping)) => save_mapping = Some((name, *mapping)),
                Some(MapAction::Cancel) => discard = true,
                None => {}
            },
            Flow::Preview(preview) => {
                if let Some(action) = preview_ui(ui, preview) {
                    match action {
                        PreviewAction::Discard => discard = true,
                        PreviewAction::Import => commit = Some(()),
                    }
                }
            }
        }
        if discard {
            self.flow = Flow::Idle;
        }
        if map_columns {
            self.open_mapping();
        }
        if let Some((name, mapping)) = save_mapping {
            self.save_mapping(ctx, &name, &mapping);
            self.start_reading(ui.ctx(), ctx, Some((name, mapping)));
        }
        if commit.is_some() {
            self.commit_preview(ctx);
        }
        ui.add_space(10.0);
        ui.separator();
        ui.label(RichText::new("Imports").strong());
        let Some(cache) = &self.cache else { return };
        if cache.imports.is_empty() {
            widgets::hint_ui(ui, "No reports imported yet.");
            return;
        }
        let mut remove = None;
        TableBuilder::new(ui)
            .id_salt("ledger_imports")
            .striped(true)
            .column(Column::auto().at_least(90.0))
            .column(Column::remainder().at_least(160.0).clip(true))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(50.0))
            .column(Column::auto().at_least(60.0))
            .column(Column::auto().at_least(160.0))
            .column(Column::auto())
            .header(20.0, |mut header| {
                for title in [
                    "Imported", "File", "Layout", "Lines", "Matched", "Totals", "",
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, cache.imports.len(), |mut row| {
                    let import = &cache.imports[row.index()];
                    row.col(|ui| {
                        ui.label(import.imported_at.get(..10).unwrap_or(&import.imported_at));
                    });
                    row.col(|ui| {
                        ui.label(&import.file_name);
                    });
                    row.col(|ui| {
                        ui.label(Layout::name_of_code(&import.layout));
                    });
                    row.col(|ui| {
                        ui.label(import.line_count.to_string());
                    });
                    row.col(|ui| {
                        ui.label(import.matched.to_string());
                    });
                    row.col(|ui| {
                        let totals: Vec<String> = import
                            .totals
                            .iter()
                            .map(|t| format!("{} {}", t.net.to_short_string(), t.currency))
                            .collect();
                        ui.label(totals.join(", "));
                    });
                    row.col(|ui| {
                        if ui.small_button("Remove…").clicked() {
                            remove = Some(import.id);
                        }
                    });
                });
            });
        if remove.is_some() {
            self.remove = remove;
        }
    }

    /// Reads the header row of the report at the typed path and opens the mapping form.
    fn open_mapping(&mut self) {
        let path = PathBuf::from(self.path.trim());
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let columns = std::fs::read(&path)
            .map_err(|e| format!("{}: {e}", path.display()))
            .and_then(|bytes| {
                reports::generic::header_columns(&file, &bytes).map_err(|e| e.to_string())
            });
        self.flow = match columns {
            Ok(columns) => Flow::Mapping(Box::new(MapForm {
                mapping: guessed_mapping(&columns),
                file,
                columns,
                fixed_currency: String::new(),
                name: String::new(),
                error: None,
            })),
            Err(message) => Flow::Failed(message),
        };
    }

    /// Saves a new column mapping under its name for later reports, as one undoable edit.
    fn save_mapping(&mut self, ctx: &mut PanelCtx<'_>, name: &str, mapping: &ColumnMapping) {
        self.read_with = None;
        ctx.send(Command::Edit(Edit::one(
            format!("Save report mapping {name}"),
            Change::report_mapping(name.to_owned(), Some(mapping.to_json())),
        )));
    }

    fn commit_preview(&mut self, ctx: &mut PanelCtx<'_>) {
        let Flow::Preview(preview) = &mut self.flow else {
            return;
        };
        let typed: Vec<(Currency, String)> = preview
            .rates
            .iter()
            .filter(|(_, r)| !r.trim().is_empty())
            .map(|(c, r)| (*c, r.clone()))
            .collect();
        let rates = match reports::parse_rates(&typed) {
            Ok(r) => r,
            Err(e) => {
                preview.rate_error = Some(e.to_string());
                return;
            }
        };
        let Flow::Preview(preview) = std::mem::replace(&mut self.flow, Flow::Idle) else {
            return;
        };
        let label = format!(
            "Import {} report {}",
            Layout::name_of_code(&preview.summary.layout),
            preview.summary.file_name
        );
        // The app matches the lines again (so mappings made since the preview count) and
        // writes them, on a background job with progress and Cancel in the status bar.
        ctx.send(Command::Edit(Edit::one(
            label,
            Change::sales_report(preview.report, rates),
        )));
    }

    fn remove_dialog_ui(&mut self, egui_ctx: &egui::Context, ctx: &mut PanelCtx<'_>) {
        let Some(id) = self.remove else { return };
        let name = self
            .cache
            .as_ref()
            .and_then(|c| c.imports.iter().find(|i| i.id == id))
            .map_or_else(|| format!("import #{id}"), |i| i.file_name.clone());
        let answer = widgets::confirm_ui(
            egui_ctx,
            "ledger_remove_import",
            &format!("Remove “{name}”?"),
            "Its income lines leave the ledger. Undo brings them back.",
            "Remove",
        );
        match answer {
            Answer::Pending => {}
            Answer::Cancel => self.remove = None,
            Answer::Confirm => {
                self.remove = None;
                // Its lines are read (for undo) and removed by the app on a background job.
                ctx.send(Command::Edit(Edit::one(
                    format!("Remove import {name}"),
                    Change::remove_sales_import(id),
                )));
            }
        }
    }

    fn income_ui(&mut self, ui: &mut Ui, _ctx: &mut PanelCtx<'_>) {
        ui.horizontal(|ui| {
            ui.label("Group income by");
            widgets::choice_ui(
                ui,
                "Group income by",
                "ledger_group",
                &mut self.group,
                IncomeGroup::ALL,
                |g| g.label().to_owned(),
            );
        });
        let Some(cache) = &self.cache else { return };
        if cache.group != self.group {
            ui.ctx().request_repaint();
            return;
        }
        if cache.income.is_empty() {
            widgets::hint_ui(ui, "No income yet: import a sales report.");
            return;
        }
        widgets::hint_ui(
            ui,
            "Each line is summed exactly and rounded once, half to even, to the currency's cents.",
        );
        chart_ui(ui, &cache.income, cache.home, self.group);
        TableBuilder::new(ui)
            .id_salt("ledger_income")
            .striped(true)
            .column(Column::remainder().at_least(200.0).clip(true))
            .column(Column::auto().at_least(60.0))
            .column(Column::auto().at_least(60.0))
            .column(Column::auto().at_least(120.0))
            .header(20.0, |mut header| {
                for title in [self.group.label(), "Lines", "Quantity", "Net"] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, cache.income.len(), |mut row| {
                    let r = &cache.income[row.index()];
                    row.col(|ui| {
                        ui.label(&r.name);
                    });
                    row.col(|ui| {
                        ui.label(r.lines.to_string());
                    });
                    row.col(|ui| {
                        ui.label(r.quantity.to_string());
                    });
                    row.col(|ui| {
                        let shown = r.money().map_or_else(
                            || format!("{} {}", r.net.to_short_string(), r.currency),
                            |m| m.to_string(),
                        );
                        ui.label(shown).on_hover_text(format!(
                            "exactly {} {}",
                            r.net.to_plain_string(),
                            r.currency
                        ));
                    });
                });
            });
    }

    fn costs_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(cache) = &self.cache else { return };
        let form = &mut self.cost;
        match &form.editing {
            Some(original) => {
                ui.label(RichText::new(format!("Edit the cost of {}", original.date)).strong());
                if cache.charged.contains(&original.id) {
                    ui.colored_label(
                        crate::ui::theme::warn_color(ui),
                        "An issued royalty statement has charged this cost: it keeps the amount \
                         it took, and a change here is not charged again. For more money spent, \
                         add a further cost instead.",
                    );
                }
            }
            None => {
                ui.label(RichText::new("Add a cost").strong());
            }
        }
        let error_for = |field: &str| {
            form.error
                .as_ref()
                .filter(|(f, _)| *f == field)
                .map(|(_, e)| e.clone())
        };
        let (date_err, amount_err, currency_err, note_err) = (
            error_for("date"),
            error_for("amount"),
            error_for("currency"),
            error_for("note"),
        );
        let titles: HashMap<ReleaseId, &str> = cache
            .releases
            .iter()
            .map(|(id, t)| (*id, t.as_str()))
            .collect();
        let mut release_choices: Vec<Option<ReleaseId>> = vec![None];
        release_choices.extend(cache.releases.iter().map(|(id, _)| Some(*id)));
        let mut add = false;
        let mut cancel = false;
        egui::Grid::new("ledger_cost_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                widgets::field_ui(ui, "Date", &mut form.date, date_err.as_deref());
                ui.label("Release");
                widgets::choice_ui(
                    ui,
                    "Release",
                    "ledger_cost_release",
                    &mut form.release,
                    &release_choices,
                    |r| {
                        r.and_then(|id| titles.get(&id).map(|t| (*t).to_owned()))
                            .unwrap_or_else(|| "No release (label overhead)".to_owned())
                    },
                );
                ui.end_row();
                ui.label("Category");
                let mut category = form.category.unwrap_or(CostCategory::Recording);
                widgets::choice_ui(
                    ui,
                    "Category",
                    "ledger_cost_category",
                    &mut category,
                    CostCategory::ALL,
                    |c| c.label().to_owned(),
                );
                form.category = Some(category);
                ui.end_row();
                widgets::field_ui(ui, "Amount", &mut form.amount, amount_err.as_deref());
                widgets::field_ui(ui, "Currency", &mut form.currency, currency_err.as_deref());
                ui.label("");
                ui.checkbox(&mut form.recoupable, "Recoupable from the artist");
                ui.end_row();
                widgets::field_ui(ui, "Note", &mut form.note, note_err.as_deref());
                ui.label("");
                ui.horizontal(|ui| {
                    if form.editing.is_some() {
                        add = ui.button("Save cost").clicked();
                        cancel = ui.button("Cancel").clicked();
                    } else {
                        add = ui.button("Add cost").clicked();
                    }
                });
                ui.end_row();
            });
        if cancel {
            *form = form.cleared();
        } else if add {
            match (form.to_cost(), form.editing.take()) {
                (Ok(mut cost), Some(original)) => {
                    cost.id = original.id;
                    ctx.send(Command::Edit(Edit::one(
                        format!("Edit cost of {}", original.date),
                        Change::cost_line(Some(original), Some(cost)),
                    )));
                    *form = form.cleared();
                }
                (Ok(cost), None) => {
                    ctx.send(Command::Edit(Edit::one(
                        "Add cost",
                        Change::cost_line(None, Some(cost)),
                    )));
                    form.amount.clear();
                    form.note.clear();
                    form.error = None;
                }
                (Err(error), editing) => {
                    form.error = Some(error);
                    form.editing = editing;
                }
            }
        }
        ui.add_space(10.0);
        ui.separator();
        ui.label(RichText::new("Costs").strong());
        if cache.costs.is_empty() {
            widgets::hint_ui(ui, "No costs entered yet.");
            return;
        }
        let mut delete = None;
        let mut edit = None;
        TableBuilder::new(ui)
            .id_salt("ledger_costs")
            .striped(true)
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(160.0).clip(true))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(100.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::remainder().at_least(100.0).clip(true))
            .column(Column::auto())
            .header(20.0, |mut header| {
                for title in [
                    "Date",
                    "Release",
                    "Category",
                    "Amount",
                    "Recoupable",
                    "Note",
                    "",
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, cache.costs.len(), |mut row| {
                    let c = &cache.costs[row.index()];
                    row.col(|ui| {
                        ui.label(c.date.to_string());
                    });
                    row.col(|ui| {
                        let title = c
                            .release_id
                            .and_then(|id| titles.get(&id).copied())
                            .unwrap_or("(label)");
                        ui.label(title);
                    });
                    row.col(|ui| {
                        ui.label(c.category.label());
                    });
                    row.col(|ui| {
                        ui.label(c.amount.to_string());
                    });
                    row.col(|ui| {
                        ui.label(if c.recoupable { "yes" } else { "no" });
                    });
                    row.col(|ui| {
                        ui.label(&c.note);
                    });
                    row.col(|ui| {
                        ui.horizontal(|ui| {
                            if ui
                                .small_button("Edit…")
                                .on_hover_text(format!(
                                    "Edit the cost of {} ({})",
                                    c.date, c.amount
                                ))
                                .clicked()
                            {
                                edit = Some(c.clone());
                            }
                            let charged = cache.charged.contains(&c.id);
                            if ui
                                .add_enabled(!charged, egui::Button::new("Delete").small())
                                .on_disabled_hover_text(
                                    "An issued royalty statement has charged this cost, so it \
                                     stays as that statement's record.",
                                )
                                .clicked()
                            {
                                delete = Some(c.clone());
                            }
                        });
                    });
                });
            });
        if let Some(cost) = edit {
            self.cost = CostForm::editing(&cost);
        }
        if let Some(cost) = delete {
            if self.cost.editing.as_ref().is_some_and(|e| e.id == cost.id) {
                self.cost = self.cost.cleared();
            }
            ctx.send(Command::Edit(Edit::one(
                "Delete cost",
                Change::cost_line(Some(cost), None),
            )));
        }
    }

    fn review_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(cache) = &self.cache else { return };
        if cache.unmatched.is_empty() {
            widgets::hint_ui(ui, "Every imported line is matched to a release.");
            return;
        }
        widgets::hint_ui(
            ui,
            "Lines no ISRC, barcode, catalog number or title matched. Map one once: later reports with the same line are matched by it.",
        );
        if self
            .review
            .key
            .as_ref()
            .is_some_and(|k| !cache.unmatched.iter().any(|g| &g.match_key == k))
        {
            self.review.key = None;
        }
        let mut clicked = None;
        for group in &cache.unmatched {
            let s = &group.sample;
            let mut text = format!(
                "{} – {}",
                if s.raw.artist.is_empty() {
                    "?"
                } else {
                    &s.raw.artist
                },
                if s.raw.title.is_empty() {
                    "?"
                } else {
                    &s.raw.title
                }
            );
            if !s.raw.isrc.is_empty() {
                let _ = write!(text, "  ISRC {}", s.raw.isrc);
            }
            if !s.raw.barcode.is_empty() {
                let _ = write!(text, "  UPC {}", s.raw.barcode);
            }
            let totals: Vec<String> = group
                .totals
                .iter()
                .map(|(c, a)| format!("{} {c}", a.to_short_string()))
                .collect();
            let _ = write!(
                text,
                "  ({} line{}, {})",
                group.lines,
                if group.lines == 1 { "" } else { "s" },
                totals.join(", ")
            );
            if s.flags.0 != 0 {
                let _ = write!(text, "  [{}]", s.flags.describe());
            }
            let selected = self.review.key.as_deref() == Some(group.match_key.as_str());
            if ui.selectable_label(selected, text).clicked() {
                clicked = Some(group.match_key.clone());
            }
        }
        if let Some(key) = clicked {
            self.review.key = Some(key);
        }
        let Some(key) = self.review.key.clone() else {
            return;
        };
        ui.add_space(8.0);
        ui.separator();
        ui.label(RichText::new("Map the selected line").strong());
        let titles: HashMap<ReleaseId, &str> = cache
            .releases
            .iter()
            .map(|(id, t)| (*id, t.as_str()))
            .collect();
        let mut choices: Vec<Option<ReleaseId>> = vec![None];
        choices.extend(cache.releases.iter().map(|(id, _)| Some(*id)));
        ui.horizontal(|ui| {
            ui.label("Release");
            widgets::choice_ui(
                ui,
                "Map to release",
                "ledger_review_release",
                &mut self.review.release,
                &choices,
                |r| {
                    r.and_then(|id| titles.get(&id).map(|t| (*t).to_owned()))
                        .unwrap_or_else(|| "Choose a release".to_owned())
                },
            );
        });
        if self.review.tracks_of != self.review.release {
            self.review.track = None;
            self.review.tracks = self
                .review
                .release
                .and_then(|r| {
                    ctx.report(crate::db::tracks::list_for_release(ctx.catalog.conn(), r))
                })
                .unwrap_or_default()
                .into_iter()
                .map(|t| (t.id, t.title))
                .collect();
            self.review.formats = self
                .review
                .release
                .and_then(|r| {
                    ctx.report(crate::db::formats::list_for_release(ctx.catalog.conn(), r))
                })
                .unwrap_or_default()
                .into_iter()
                .filter(|f| f.kind.is_physical())
                .map(|f| (f.id, f.kind.with_variant(&f.variant)))
                .collect();
            // One physical format: a package is for it.
            self.review.format = match self.review.formats.as_slice() {
                [(only, _)] => Some(*only),
                _ => None,
            };
            self.review.tracks_of = self.review.release;
        }
        let physical = cache
            .unmatched
            .iter()
            .find(|g| g.match_key == key)
            .is_some_and(|g| g.sample.flags.contains(LineFlags::PHYSICAL_SALE));
        if physical && self.review.release.is_some() {
            let names: HashMap<FormatId, &str> = self
                .review
                .formats
                .iter()
                .map(|(id, n)| (*id, n.as_str()))
                .collect();
            let mut formats: Vec<Option<FormatId>> = vec![None];
            formats.extend(self.review.formats.iter().map(|(id, _)| Some(*id)));
            ui.horizontal(|ui| {
                ui.label("Format");
                widgets::choice_ui(
                    ui,
                    "Map to format",
                    "ledger_review_format",
                    &mut self.review.format,
                    &formats,
                    |f| {
                        f.and_then(|id| names.get(&id).map(|n| (*n).to_owned()))
                            .unwrap_or_else(|| "No format (stock not taken)".to_owned())
                    },
                );
            });
            widgets::hint_ui(
                ui,
                "A physical sale mapped to a format takes it out of your home stock location, \
                 in these lines and in later reports.",
            );
        }
        // A physical sale is for a release's format, never for one of its tracks.
        if self.review.release.is_some() && !physical {
            let names: HashMap<TrackId, &str> = self
                .review
                .tracks
                .iter()
                .map(|(id, t)| (*id, t.as_str()))
                .collect();
            let mut tracks: Vec<Option<TrackId>> = vec![None];
            tracks.extend(self.review.tracks.iter().map(|(id, _)| Some(*id)));
            ui.horizontal(|ui| {
                ui.label("Track");
                widgets::choice_ui(
                    ui,
                    "Map to track",
                    "ledger_review_track",
                    &mut self.review.track,
                    &tracks,
                    |t| {
                        t.and_then(|id| names.get(&id).map(|n| (*n).to_owned()))
                            .unwrap_or_else(|| "The whole release".to_owned())
                    },
                );
            });
        }
        let ready = self.review.release.is_some();
        if ui
            .add_enabled(ready, egui::Button::new("Map these lines"))
            .clicked()
            && let Some(release) = self.review.release
        {
            let mapping = MatchMapping {
                key: key.clone(),
                release_id: release,
                track_id: if physical { None } else { self.review.track },
                format_id: if physical { self.review.format } else { None },
            };
            ctx.send(Command::Edit(Edit::one(
                "Map report lines",
                Change::ledger_mapping(key, Some(mapping)),
            )));
            self.review.key = None;
        }
    }
}

impl CostForm {
    /// The cost the form describes, or the field at fault and why.
    fn to_cost(&self) -> Result<CostLine, (&'static str, String)> {
        let date = parse_date(&self.date).map_err(|e| {
            if self.date.trim().is_empty() {
                (
                    "date",
                    "Enter the date the money was spent, as YYYY-MM-DD".to_owned(),
                )
            } else {
                ("date", widgets::capitalized(&e.to_string()))
            }
        })?;
        let currency = Currency::parse(&self.currency)
            .map_err(|e| ("currency", widgets::capitalized(&e.to_string())))?;
        let amount = self.amount.trim();
        let negative = amount.starts_with('-');
        let money = Money::parse(amount, currency).map_err(|e| {
            (
                "amount",
                widgets::capitalized(&e.to_string().replace("price", "amount")),
            )
        })?;
        if negative || money.is_negative() {
            return Err((
                "amount",
                format!(
                    "A cost cannot be negative ({money}): enter what was spent; money coming back is income"
                ),
            ));
        }
        let cost = CostLine {
            id: CostLineId::UNSAVED,
            date,
            release_id: self.release,
            category: self.category.unwrap_or(CostCategory::Recording),
            amount: money,
            recoupable: self.recoupable,
            note: self.note.trim().to_owned(),
        };
        cost.validate()
            .map_err(|e| (e.field(), widgets::capitalized(&e.to_string())))?;
        Ok(cost)
    }
}

enum MapAction {
    Save(String, Box<ColumnMapping>),
    Cancel,
}

/// A first guess at a mapping from the header's column names (the user checks each one).
fn guessed_mapping(columns: &[String]) -> ColumnMapping {
    let mut m = ColumnMapping::default();
    let find = |words: &[&str]| {
        columns
            .iter()
            .find(|c| {
                let c = c.to_lowercase();
                words.iter().any(|w| c == *w)
            })
            .cloned()
            .unwrap_or_default()
    };
    m.date = find(&["date", "sale date", "transaction date"]);
    m.net = find(&["net", "amount", "earnings", "revenue", "royalty"]);
    m.currency = find(&["currency", "cur"]);
    m.quantity = find(&["quantity", "units", "qty"]);
    m.isrc = find(&["isrc"]);
    m.barcode = find(&["upc", "ean", "barcode"]);
    m.artist = find(&["artist"]);
    m.title = find(&["title", "track", "song"]);
    m.territory = find(&["territory", "country"]);
    m.store = find(&["store", "shop", "retailer"]);
    m
}

/// The form that maps a report's columns; `Save` once the mapping is complete.
fn map_form_ui(ui: &mut Ui, form: &mut MapForm) -> Option<MapAction> {
    let mut action = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(format!("Map the columns of {}", form.file)).strong());
        widgets::hint_ui(
            ui,
            &format!(
                "Its columns: {}. Choose the column for each field (* needed); the mapping is saved under its name and later reports with these columns are read with it.",
                form.columns.join(", ")
            ),
        );
        let mut choices: Vec<Option<usize>> = vec![None];
        choices.extend((0..form.columns.len()).map(Some));
        let columns = &form.columns;
        egui::Grid::new("ledger_map_form")
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for (i, (field, required)) in MAP_FIELDS.iter().enumerate() {
                    ui.label(if *required {
                        format!("{field} *")
                    } else {
                        (*field).to_owned()
                    });
                    let column = mapped_column(&mut form.mapping, i);
                    let mut chosen = columns
                        .iter()
                        .position(|c| c.trim().eq_ignore_ascii_case(column.trim()))
                        .filter(|_| !column.trim().is_empty());
                    if widgets::choice_ui(
                        ui,
                        field,
                        format!("ledger_map_field_{i}"),
                        &mut chosen,
                        &choices,
                        |c| {
                            c.and_then(|j| columns.get(j).cloned())
                                .unwrap_or_else(|| "(not in this report)".to_owned())
                        },
                    ) {
                        *column = chosen
                            .and_then(|j| columns.get(j).cloned())
                            .unwrap_or_default();
                    }
                    ui.end_row();
                }
                widgets::choice_row_ui(
                    ui,
                    "Date order",
                    &mut form.mapping.date_order,
                    DateOrder::ALL,
                    |d| d.label().to_owned(),
                );
                ui.label("");
                ui.checkbox(
                    &mut form.mapping.decimal_comma,
                    "Amounts have a decimal comma (12,50)",
                );
                ui.end_row();
                widgets::field_ui(
                    ui,
                    "Currency of the whole file",
                    &mut form.fixed_currency,
                    None,
                );
                let mut channels: Vec<Option<Channel>> = vec![None];
                channels.extend(Channel::ALL.iter().copied().map(Some));
                widgets::choice_row_ui(
                    ui,
                    "Channel when none is named",
                    &mut form.mapping.default_channel,
                    &channels,
                    |c| c.map_or_else(|| "Stream".to_owned(), |c| c.label().to_owned()),
                );
                widgets::field_ui(ui, "Mapping name", &mut form.name, None);
            });
        if let Some(error) = &form.error {
            ui.label(RichText::new(error).color(theme::error_color(ui)));
        }
        ui.horizontal(|ui| {
            if ui.button("Save mapping and read").clicked() {
                match form.finished() {
                    Ok((name, mapping)) => action = Some(MapAction::Save(name, Box::new(mapping))),
                    Err(e) => form.error = Some(e),
                }
            }
            if ui.button("Cancel").clicked() {
                action = Some(MapAction::Cancel);
            }
        });
    });
    action
}

impl MapForm {
    /// The name and the complete mapping, or what is missing.
    fn finished(&self) -> Result<(String, ColumnMapping), String> {
        let mut mapping = self.mapping.clone();
        let fixed = self.fixed_currency.trim();
        mapping.fixed_currency = if fixed.is_empty() {
            None
        } else {
            Some(Currency::parse(fixed).map_err(|e| widgets::capitalized(&e.to_string()))?)
        };
        mapping.validate().map_err(|e| widgets::capitalized(&e))?;
        let name = self.name.trim();
        if name.is_empty() {
            return Err("Type a name to save the mapping under".to_owned());
        }
        Ok((name.to_owned(), mapping))
    }
}

enum PreviewAction {
    Import,
    Discard,
}

/// The preview of a read report: layout, lines, matched, unmatched, totals per currency and
/// the rates to convert them at.
fn preview_ui(ui: &mut Ui, preview: &mut Preview) -> Option<PreviewAction> {
    let batch = &preview.summary;
    let matched = batch.matched;
    let mut action = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(format!("Preview of {}", batch.file_name)).strong());
        egui::Grid::new("ledger_preview")
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                ui.label("Layout");
                ui.label(Layout::name_of_code(&batch.layout));
                ui.end_row();
                ui.label("Lines");
                ui.label(batch.lines.to_string());
                ui.end_row();
                ui.label("Matched");
                ui.label(matched.to_string());
                ui.end_row();
                ui.label("Unmatched");
                ui.label(format!("{} (kept for review)", batch.lines - matched));
                ui.end_row();
                let flagged = batch.flagged;
                if flagged > 0 {
                    ui.label("Flagged");
                    ui.label(format!(
                        "{flagged} (bad ISRC or UPC/EAN kept as written, or physical sales)"
                    ));
                    ui.end_row();
                }
                if !batch.stock.is_empty() {
                    ui.label("Stock");
                    ui.label(batch.stock.describe());
                    ui.end_row();
                }
                for total in &batch.totals {
                    ui.label(format!("Total {}", total.currency));
                    ui.label(format!(
                        "{} ({} lines)",
                        total.net.to_short_string(),
                        total.line_count
                    ))
                    .on_hover_text(format!("exactly {}", total.net_exact));
                    ui.end_row();
                }
            });
        for (currency, rate) in &mut preview.rates {
            ui.horizontal(|ui| {
                ui.label(format!("1 {currency} ="));
                widgets::cell_field_ui(ui, &format!("Rate for {currency}"), rate, None, 90.0);
                ui.label(format!("{} (optional)", batch.home_currency));
            });
        }
        if let Some(error) = &preview.rate_error {
            ui.label(RichText::new(error).color(theme::error_color(ui)));
        }
        ui.horizontal(|ui| {
            let text = format!(
                "Import {} line{}",
                batch.lines,
                if batch.lines == 1 { "" } else { "s" }
            );
            if ui.button(text).clicked() {
                action = Some(PreviewAction::Import);
            }
            if ui.button("Discard").clicked() {
                action = Some(PreviewAction::Discard);
            }
        });
    });
    action
}

/// A bar chart of the largest groups (periods in order) in the currency with most income.
fn chart_ui(ui: &mut Ui, rows: &[IncomeRow], home: Currency, group: IncomeGroup) {
    let mut per_currency: BTreeMap<Currency, i128> = BTreeMap::new();
    for r in rows {
        *per_currency.entry(r.currency).or_default() += i128::from(r.net.0).abs();
    }
    let currency = per_currency
        .iter()
        .max_by_key(|(c, n)| (**n, **c == home))
        .map_or(home, |(c, _)| *c);
    let mut shown: Vec<&IncomeRow> = rows.iter().filter(|r| r.currency == currency).collect();
    if group != IncomeGroup::Period {
        shown.truncate(12);
    }
    let names: Vec<String> = shown.iter().map(|r| r.name.clone()).collect();
    let bars: Vec<egui_plot::Bar> = shown
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let value = r.money().map_or(0.0, |m| {
                m.minor as f64 / 10_f64.powi(i32::from(currency.minor_digits()))
            });
            egui_plot::Bar::new(i as f64, value)
                .name(&r.name)
                .width(0.7)
                .fill(ui.visuals().selection.bg_fill)
        })
        .collect();
    ui.label(format!("Net income in {currency}"));
    egui_plot::Plot::new("ledger_income_chart")
        .height(180.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show_grid([false, true])
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            names.get(i as usize).cloned().unwrap_or_default()
        })
        .show(ui, |plot| {
            plot.bar_chart(egui_plot::BarChart::new("Net income", bars));
        });
}

#[cfg(test)]
mod tests {
    use egui::accesskit::Role;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::*;
    use crate::db::Catalog;
    use crate::model::{Artist, ArtistRole, Isrc, Release, ReleaseArtist, Track};
    use crate::undo::History;

    struct TestState {
        catalog: Catalog,
        history: History,
        commands: Vec<Command>,
        revision: u64,
        panel: LedgerPanel,
        notices: Vec<String>,
    }

    /// What the app does each frame: draw the panel, then apply what it asked for.
    fn frame_ui(ui: &mut Ui, state: &mut TestState) {
        let mut ctx = PanelCtx {
            catalog: &state.catalog,
            commands: &mut state.commands,
            revision: state.revision,
        };
        state.panel.ui(ui, &mut ctx);
        for command in std::mem::take(&mut state.commands) {
            match command {
                Command::Edit(edit) => {
                    state
                        .history
                        .apply(&mut state.catalog, edit)
                        .expect("the edit applies");
                    state.revision += 1;
                }
                Command::Notify(message) | Command::Error(message) => state.notices.push(message),
                other => panic!("unexpected command {other:?}"),
            }
        }
    }

    /// "Hier" by Tøilette & Café with one track (ISRC GBAYE2600001).
    fn seeded() -> (Catalog, ReleaseId) {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let release = catalog
            .write(|tx| {
                let artist = crate::db::artists::insert(tx, &Artist::new("Tøilette & Café"))?;
                let release = crate::db::releases::insert(tx, &Release::new("Hier"))?;
                crate::db::releases::set_artists(
                    tx,
                    release,
                    &[ReleaseArtist {
                        artist_id: artist,
                        role: ArtistRole::Primary,
                    }],
                )?;
                let mut track = Track::new(release, 0, "Hier, à l'aube");
                track.isrc = Some(Isrc::parse("GBAYE2600001")?);
                crate::db::tracks::insert(tx, &track)?;
                Ok(release)
            })
            .expect("seed");
        (catalog, release)
    }

    fn harness(catalog: Catalog) -> Harness<'static, TestState> {
        let state = TestState {
            catalog,
            history: History::default(),
            commands: Vec::new(),
            revision: 0,
            panel: LedgerPanel::default(),
            notices: Vec::new(),
        };
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1100.0, 800.0))
            .build_ui_state(frame_ui, state);
        harness.run();
        harness
    }

    fn retype(harness: &mut Harness<'_, TestState>, field: &str, text: &str) {
        harness
            .get_by_role_and_label(Role::TextInput, field)
            .focus();
        harness.run();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness
            .get_by_role_and_label(Role::TextInput, field)
            .type_text(text);
        harness.run();
    }

    /// Steps frames (the report is read on a background job) until `label` is on screen.
    fn step_until(harness: &mut Harness<'_, TestState>, label: &str) {
        for _ in 0..400 {
            harness.step();
            if harness.query_by_label(label).is_some() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("“{label}” never appeared");
    }

    const REPORT: &str = "Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\tSong/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)\r\n\
        2024-02-02\t2023-11\tSpotify\tTøilette & Café\tHier, à l'aube\tgbaye2600001\t111111111111\t3\t100\tSong\tFR\t0\t0.00789993\r\n\
        2024-02-02\t2023-11\tDeezer\tNobody\tLost Song\t\t\t1\t100\tSong\tDE\t0\t0.5\r\n";

    fn import_through_the_panel(harness: &mut Harness<'_, TestState>, dir: &std::path::Path) {
        let path = dir.join("distrokid.tsv");
        std::fs::write(&path, REPORT).expect("write fixture");
        retype(harness, "Report file", &path.display().to_string());
        harness.get_by_label("Read report").click();
        step_until(harness, "Import 2 lines");
        harness.get_by_label_contains("Preview of distrokid.tsv");
        harness.get_by_label("0.50789993 (2 lines)");
        harness.get_by_label("1 (kept for review)");
        harness.get_by_label("Import 2 lines").click();
        harness.run();
        harness.run();
    }

    #[test]
    fn import_a_report_through_the_panel_and_undo_it() {
        let (catalog, _) = seeded();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut harness = harness(catalog);
        import_through_the_panel(&mut harness, dir.path());
        let conn = harness.state().catalog.conn();
        let imports = ledger::list_imports(conn).expect("imports");
        assert_eq!(imports.len(), 1);
        assert_eq!(imports[0].line_count, 2);
        assert_eq!(imports[0].matched, 1);
        assert_eq!(imports[0].totals[0].net, crate::model::Amount8(50_789_993));
        harness.get_by_label("0.50789993 USD");
        // The same file again is refused, naming it.
        harness.get_by_label("Read report").click();
        step_until(&mut harness, "Dismiss");
        harness.get_by_label_contains("distrokid.tsv was already imported on");
        // One undo step removes the whole import.
        let state = harness.state_mut();
        state.history.undo(&mut state.catalog).expect("undo");
        state.revision += 1;
        harness.run();
        assert!(
            ledger::list_imports(harness.state().catalog.conn())
                .expect("imports")
                .is_empty()
        );
    }

    #[test]
    fn an_unknown_layout_is_refused_in_the_panel() {
        let (catalog, _) = seeded();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "hello\nworld\n").expect("write");
        let mut harness = harness(catalog);
        retype(&mut harness, "Report file", &path.display().to_string());
        harness.get_by_label("Read report").click();
        step_until(&mut harness, "Dismiss");
        harness.get_by_label_contains("notes.txt: unknown report layout");
        assert!(
            ledger::list_imports(harness.state().catalog.conn())
                .expect("imports")
                .is_empty()
        );
    }

    fn choose(harness: &mut Harness<'_, TestState>, combo: &str, option: &str) {
        harness.get_by_role_and_label(Role::ComboBox, combo).click();
        harness.run();
        harness.get_by_label(option).click();
        harness.run();
    }

    #[test]
    fn map_the_columns_of_an_unknown_report_and_reuse_the_mapping() {
        let (catalog, _) = seeded();
        let dir = tempfile::tempdir().expect("tempdir");
        let first = dir.path().join("mine-march.csv");
        std::fs::write(
            &first,
            "Date;Song;Code;Units;Revenue;Cur\n\
             2024-03-01;Hier, à l'aube;GBAYE2600001;3;1.25;EUR\n\
             2024-03-02;Lost Song;;1;0.5;EUR\n",
        )
        .expect("write fixture");
        let mut harness = harness(catalog);
        retype(&mut harness, "Report file", &first.display().to_string());
        harness.get_by_label("Read report").click();
        step_until(&mut harness, "Map its columns…");
        harness.get_by_label("Map its columns…").click();
        harness.run();
        harness.get_by_label("Map the columns of mine-march.csv");
        choose(&mut harness, "Sale date", "Date");
        choose(&mut harness, "Title", "Song");
        choose(&mut harness, "ISRC", "Code");
        choose(&mut harness, "Quantity", "Units");
        choose(&mut harness, "Amount earned (net)", "Revenue");
        choose(&mut harness, "Currency", "Cur");
        retype(&mut harness, "Mapping name", "My distributor");
        harness.get_by_label("Save mapping and read").click();
        step_until(&mut harness, "Import 2 lines");
        harness.get_by_label("saved mapping “My distributor”");
        harness.get_by_label("1.75 (2 lines)");
        harness.get_by_label("Import 2 lines").click();
        harness.run();
        harness.run();
        let imports = ledger::list_imports(harness.state().catalog.conn()).expect("imports");
        assert_eq!(imports.len(), 1);
        assert_eq!(imports[0].layout, "mapping:My distributor");
        assert_eq!(imports[0].matched, 1);
        assert_eq!(imports[0].totals[0].net, crate::model::Amount8(175_000_000));
        let saved = reports::saved_mappings(harness.state().catalog.conn()).expect("mappings");
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0].0, "My distributor");
        assert_eq!(saved[0].1.net, "Revenue");
        harness
            .get_by_role_and_label(Role::ComboBox, "Read with mapping")
            .click();
        harness.run();
        harness.get_by_label("My distributor");
        harness.key_press(egui::Key::Escape);
        harness.run();
        // The next report with these columns is read with the mapping, without mapping again.
        let second = dir.path().join("mine-april.csv");
        std::fs::write(
            &second,
            "Date;Song;Code;Units;Revenue;Cur\n2024-04-01;Hier, à l'aube;GBAYE2600001;2;0.25;EUR\n",
        )
        .expect("write fixture");
        retype(&mut harness, "Report file", &second.display().to_string());
        harness.get_by_label("Read report").click();
        step_until(&mut harness, "Import 1 line");
        harness.get_by_label_contains("Preview of mine-april.csv");
        harness.get_by_label("Import 1 line").click();
        harness.run();
        harness.run();
        let imports = ledger::list_imports(harness.state().catalog.conn()).expect("imports");
        assert_eq!(imports.len(), 2);
        assert!(imports.iter().all(|i| i.layout == "mapping:My distributor"));
        let total: i64 = imports.iter().map(|i| i.totals[0].net.0).sum();
        assert_eq!(total, 200_000_000);
    }

    #[test]
    fn map_an_unmatched_line_once() {
        let (catalog, release) = seeded();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut harness = harness(catalog);
        import_through_the_panel(&mut harness, dir.path());
        harness.get_by_label("Review (1)").click();
        harness.run();
        harness.get_by_label_contains("Nobody – Lost Song").click();
        harness.run();
        harness
            .get_by_role_and_label(Role::ComboBox, "Map to release")
            .click();
        harness.run();
        harness.get_by_label("Hier (Tøilette & Café)").click();
        harness.run();
        harness.get_by_label("Map these lines").click();
        harness.run();
        harness.run();
        let conn = harness.state().catalog.conn();
        let mapping = ledger::get_mapping(conn, "title:nobody\u{1f}lost song")
            .expect("read")
            .expect("remembered");
        assert_eq!(mapping.release_id, release);
        assert!(ledger::unmatched_groups(conn, 10).expect("list").is_empty());
        harness.get_by_label("Every imported line is matched to a release.");
    }

    #[test]
    fn add_a_cost_by_hand_with_refusals() {
        let (catalog, _) = seeded();
        let mut harness = harness(catalog);
        harness.get_by_label("Costs").click();
        harness.run();
        retype(&mut harness, "Date", "2024-13-01");
        retype(&mut harness, "Amount", "450");
        harness.get_by_label("Add cost").click();
        harness.run();
        harness.get_by_label("“2024-13-01” is not a date: use YYYY-MM-DD");
        retype(&mut harness, "Date", "2024-03-01");
        retype(&mut harness, "Amount", "-5");
        harness.get_by_label("Add cost").click();
        harness.run();
        harness.get_by_label_contains("A cost cannot be negative");
        assert!(
            ledger::list_costs(harness.state().catalog.conn())
                .expect("costs")
                .is_empty()
        );
        retype(&mut harness, "Amount", "450.00");
        retype(&mut harness, "Note", "Mastering at Abbey");
        harness.get_by_label("Add cost").click();
        harness.run();
        harness.run();
        let costs = ledger::list_costs(harness.state().catalog.conn()).expect("costs");
        assert_eq!(costs.len(), 1);
        assert_eq!(costs[0].amount, Money::new(45_000, Currency::EUR));
        assert_eq!(costs[0].note, "Mastering at Abbey");
        harness.get_by_label("€450.00");

        // Edit it: the form is filled, Save updates the same cost line, Cancel leaves it.
        harness.get_by_label("Edit…").click();
        harness.run();
        harness.get_by_label("Edit the cost of 2024-03-01");
        assert_eq!(
            harness
                .get_by_role_and_label(Role::TextInput, "Amount")
                .value()
                .as_deref(),
            Some("450.00")
        );
        retype(&mut harness, "Amount", "-1");
        harness.get_by_label("Save cost").click();
        harness.run();
        harness.get_by_label_contains("A cost cannot be negative");
        retype(&mut harness, "Amount", "512.30");
        retype(&mut harness, "Note", "Mastering and a recall");
        harness.get_by_label("Save cost").click();
        harness.run();
        harness.run();
        let edited = ledger::list_costs(harness.state().catalog.conn()).expect("costs");
        assert_eq!(edited.len(), 1);
        assert_eq!(edited[0].id, costs[0].id, "the same cost line, updated");
        assert_eq!(edited[0].amount, Money::new(51_230, Currency::EUR));
        assert_eq!(edited[0].note, "Mastering and a recall");
        harness.get_by_label("€512.30");
        harness.get_by_label("Add a cost");

        harness.get_by_label("Edit…").click();
        harness.run();
        retype(&mut harness, "Amount", "1.00");
        harness.get_by_label("Cancel").click();
        harness.run();
        harness.run();
        let kept = ledger::list_costs(harness.state().catalog.conn()).expect("costs");
        assert_eq!(kept[0].amount, Money::new(51_230, Currency::EUR));
        harness.get_by_label("Add a cost");
    }
}
