//! The Contracts panel: the contract list (status, balance, what is still to recoup and what
//! is payable, with deadlines in the next 60 days in amber), the contract editor (every term,
//! with the problems [`db_contracts::problems`] finds shown as the user types), the statement
//! view per period (the draft of the next open period and the issued ones; every figure opens
//! the ledger lines behind it; issue, record payments, export as PDF or CSV), and "When does
//! this recoup?" ([`crate::model::recoup`]).
//!
//! Reads go through `crate::db::contracts`; every write is a [`Command::Contracts`] the app
//! commits in one transaction. Saving writes nothing while the editor lists a problem.
//!
//! ## Unsaved changes
//! The editor's form is kept in memory while the app runs: switching to another panel and
//! back finds it as it was (the status line says so when leaving). Picking another contract,
//! "New contract" (Ctrl+N), Escape on a new contract's form, and closing the window ask first
//! when the form has unsaved changes: Save / Discard / Keep editing, and only Discard / Keep
//! editing, with the reason, while the form has problems. Opening another catalog or
//! restoring a backup starts the panel afresh.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use egui::{RichText, Ui};

use super::widgets::{self, Answer};
use super::{PanelCtx, theme};
use crate::command::Command;
use crate::db::contracts::{self as db_contracts, ContractRow, IssuedStatement, LedgerLine, Op};
use crate::io::statement_export::{self, StatementDoc};
use crate::model::recoup::{self, Projection};
use crate::model::statement::Statement;
use crate::model::{
    ArtistId, BasisPoints, Channel, Contract, ContractId, ContractProblem, CostCategory, Currency,
    DealType, FormatKind, IncomeLineId, MastersOwner, Money, OptionPeriod, Payee, PayeeId, Payment,
    PaymentId, PeriodKind, RateRule, Recoupable, ReleaseId, Reserve, RoyaltyBase, Share,
    SplitScope, SplitSet, StatementId, StatementPeriod, Territory, TrackId, parse_date,
};

/// The parts of a selected contract.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum ContractsTab {
    #[default]
    Terms,
    Statements,
    Recoup,
}

/// What the panel remembers between runs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ContractsState {
    pub tab: ContractsTab,
    pub selected: Option<i64>,
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

// ---------------------------------------------------------------------------------------------
// The editor's form

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TerritoryMode {
    Worldwide,
    Only,
    Except,
}

impl TerritoryMode {
    const ALL: &[Self] = &[Self::Worldwide, Self::Only, Self::Except];

    fn label(self) -> &'static str {
        match self {
            Self::Worldwide => "Worldwide",
            Self::Only => "Only these countries",
            Self::Except => "Worldwide except",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct OptionForm {
    name: String,
    deadline: String,
    until: String,
    exercised: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct RateForm {
    channel: Channel,
    format: Option<FormatKind>,
    rate: String,
}

#[derive(Debug, Clone, PartialEq)]
struct PayeeForm {
    id: PayeeId,
    name: String,
    email: String,
}

/// One split: a share per payee, empty text for a payee who is not in it.
#[derive(Debug, Clone, PartialEq)]
struct SplitForm {
    scope: SplitScope,
    shares: Vec<(PayeeId, String)>,
}

#[derive(Debug, Clone, PartialEq)]
struct RecoupForm {
    category: CostCategory,
    share: String,
}

/// The contract as typed.
#[derive(Debug, Clone, PartialEq)]
struct ContractForm {
    id: ContractId,
    title: String,
    deal_type: DealType,
    artist: Option<ArtistId>,
    release: Option<ReleaseId>,
    start: String,
    end: String,
    term_releases: String,
    options: Vec<OptionForm>,
    territory: TerritoryMode,
    countries: String,
    masters: MastersOwner,
    reversion: String,
    currency: String,
    advance: String,
    base: RoyaltyBase,
    rates: Vec<RateForm>,
    payees: Vec<PayeeForm>,
    splits: Vec<SplitForm>,
    recoupables: Vec<RecoupForm>,
    cross: bool,
    reserve: String,
    reserve_periods: String,
    minimum: String,
    period_kind: PeriodKind,
    document: String,
}

fn date_text(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

fn percent_text(bp: BasisPoints) -> String {
    bp.to_string().trim_end_matches('%').to_owned()
}

impl ContractForm {
    fn new(artist: Option<ArtistId>, currency: Currency) -> Self {
        Self {
            id: ContractId::UNSAVED,
            title: String::new(),
            deal_type: DealType::Royalty,
            artist,
            release: None,
            start: today().to_string(),
            end: String::new(),
            term_releases: String::new(),
            options: Vec::new(),
            territory: TerritoryMode::Worldwide,
            countries: String::new(),
            masters: MastersOwner::Label,
            reversion: String::new(),
            currency: currency.to_string(),
            advance: String::new(),
            base: RoyaltyBase::Net,
            rates: Vec::new(),
            payees: Vec::new(),
            splits: vec![SplitForm {
                scope: SplitScope::Default,
                shares: Vec::new(),
            }],
            recoupables: Vec::new(),
            cross: true,
            reserve: String::new(),
            reserve_periods: String::new(),
            minimum: String::new(),
            period_kind: PeriodKind::HalfYear,
            document: String::new(),
        }
    }

    fn from_contract(c: &Contract) -> Self {
        let money = |m: Money| {
            if m.minor == 0 {
                String::new()
            } else {
                m.format_amount()
            }
        };
        let (territory, countries) = match &c.territory {
            Territory::Worldwide => (TerritoryMode::Worldwide, String::new()),
            Territory::Only(list) => (TerritoryMode::Only, list.join(", ")),
            Territory::WorldwideExcept(list) => (TerritoryMode::Except, list.join(", ")),
        };
        let mut splits: Vec<SplitForm> = c
            .splits
            .iter()
            .map(|set| SplitForm {
                scope: set.scope,
                shares: c
                    .payees
                    .iter()
                    .map(|p| {
                        let share = set
                            .shares
                            .iter()
                            .find(|s| s.payee == p.id)
                            .map(|s| percent_text(s.share))
                            .unwrap_or_default();
                        (p.id, share)
                    })
                    .collect(),
            })
            .collect();
        if !splits.iter().any(|s| s.scope == SplitScope::Default) {
            splits.insert(
                0,
                SplitForm {
                    scope: SplitScope::Default,
                    shares: c.payees.iter().map(|p| (p.id, String::new())).collect(),
                },
            );
        }
        Self {
            id: c.id,
            title: c.title.clone(),
            deal_type: c.deal_type,
            artist: (!c.artist_id.is_unsaved()).then_some(c.artist_id),
            release: c.release_id,
            start: c.start.to_string(),
            end: date_text(c.end),
            term_releases: c.term_releases.map(|n| n.to_string()).unwrap_or_default(),
            options: c
                .options
                .iter()
                .map(|o| OptionForm {
                    name: o.name.clone(),
                    deadline: o.notice_deadline.to_string(),
                    until: date_text(o.until),
                    exercised: o.exercised,
                })
                .collect(),
            territory,
            countries,
            masters: c.masters_owner,
            reversion: date_text(c.reversion),
            currency: c.currency.to_string(),
            advance: money(c.advance),
            base: c.royalty_base,
            rates: c
                .rates
                .iter()
                .map(|r| RateForm {
                    channel: r.channel,
                    format: r.format,
                    rate: percent_text(r.rate),
                })
                .collect(),
            payees: c
                .payees
                .iter()
                .map(|p| PayeeForm {
                    id: p.id,
                    name: p.name.clone(),
                    email: p.email.clone(),
                })
                .collect(),
            splits,
            recoupables: c
                .recoupables
                .iter()
                .map(|r| RecoupForm {
                    category: r.category,
                    share: percent_text(r.share),
                })
                .collect(),
            cross: c.cross_collateralised,
            reserve: if c.reserve.held.0 == 0 {
                String::new()
            } else {
                percent_text(c.reserve.held)
            },
            reserve_periods: if c.reserve.release_periods == 0 {
                String::new()
            } else {
                c.reserve.release_periods.to_string()
            },
            minimum: money(c.minimum_payout),
            period_kind: c.period_kind,
            document: c.document_path.clone(),
        }
    }

    fn next_payee_id(&self) -> PayeeId {
        PayeeId(self.payees.iter().map(|p| p.id.0).max().unwrap_or(0) + 1)
    }

    fn add_payee(&mut self, name: &str) {
        let id = self.next_payee_id();
        let first = self.payees.is_empty();
        self.payees.push(PayeeForm {
            id,
            name: name.to_owned(),
            email: String::new(),
        });
        for split in &mut self.splits {
            let share = if first && split.scope == SplitScope::Default {
                "100".to_owned()
            } else {
                String::new()
            };
            split.shares.push((id, share));
        }
    }

    fn remove_payee(&mut self, index: usize) {
        let id = self.payees.remove(index).id;
        for split in &mut self.splits {
            split.shares.retain(|(p, _)| *p != id);
        }
    }

    /// The contract the form describes, and the problems with what was typed (a field that
    /// cannot be read is left at its default in the contract).
    fn to_contract(&self) -> (Contract, Vec<ContractProblem>) {
        let mut problems = Vec::new();
        let currency = Currency::parse(&self.currency).unwrap_or_else(|e| {
            add(&mut problems, "currency", format!("Currency: {e}"));
            Currency::EUR
        });
        let start = parse_date(&self.start).unwrap_or_else(|e| {
            add(&mut problems, "start", format!("Start date: {e}"));
            today()
        });
        let end = optional_date(&mut problems, "end", "End date", &self.end);
        let reversion = optional_date(
            &mut problems,
            "reversion",
            "Reversion date",
            &self.reversion,
        );
        let mut options = Vec::new();
        for o in &self.options {
            let name = o.name.trim();
            let label = format!("Notice deadline of option “{name}”");
            if o.deadline.trim().is_empty() {
                add(
                    &mut problems,
                    "options",
                    format!("option “{name}” needs a notice deadline"),
                );
            }
            let deadline = optional_date(&mut problems, "options", &label, &o.deadline);
            let label = format!("End of option “{name}”");
            let until = optional_date(&mut problems, "options", &label, &o.until);
            if let Some(notice_deadline) = deadline {
                options.push(OptionPeriod {
                    name: o.name.clone(),
                    notice_deadline,
                    until,
                    exercised: o.exercised,
                });
            }
        }
        let term_releases = if self.term_releases.trim().is_empty() {
            None
        } else if let Ok(n) = self.term_releases.trim().parse::<u32>() {
            Some(n)
        } else {
            add(
                &mut problems,
                "term",
                format!(
                    "Term in releases: “{}” is not a whole number",
                    self.term_releases.trim()
                ),
            );
            None
        };
        let advance = money_or_zero(&mut problems, "advance", "Advance", &self.advance, currency);
        let minimum_payout = money_or_zero(
            &mut problems,
            "minimum payout",
            "Minimum payout",
            &self.minimum,
            currency,
        );
        let mut percent = |field: &'static str, label: &str, text: &str| {
            BasisPoints::parse(text).map_err(|e| {
                add(&mut problems, field, format!("{label}: {e}"));
            })
        };
        let rate_word = if self.deal_type.rates_are_fees() {
            "fee"
        } else {
            "rate"
        };
        let mut rates = Vec::new();
        for r in &self.rates {
            let what = match r.format {
                Some(kind) => format!("{} {rate_word} for {}", r.channel, kind.label()),
                None => format!("{} {rate_word}", r.channel),
            };
            if let Ok(rate) = percent("rates", &widgets::capitalized(&what), &r.rate) {
                rates.push(RateRule {
                    channel: r.channel,
                    format: r.format,
                    rate,
                });
            }
        }
        let mut splits = Vec::new();
        for split in &self.splits {
            let mut shares = Vec::new();
            for (payee, text) in &split.shares {
                if text.trim().is_empty() {
                    continue;
                }
                let name = self
                    .payees
                    .iter()
                    .find(|p| p.id == *payee)
                    .map_or("a payee", |p| p.name.as_str());
                let what = format!("Share of {name} in {}", split.scope.describe());
                if let Ok(share) = percent("splits", &what, text) {
                    shares.push(Share {
                        payee: *payee,
                        share,
                    });
                }
            }
            if !shares.is_empty() || split.scope == SplitScope::Default {
                splits.push(SplitSet {
                    scope: split.scope,
                    shares,
                });
            }
        }
        let mut recoupables = Vec::new();
        for r in &self.recoupables {
            let what = format!(
                "Recoupable share of {} costs",
                r.category.label().to_lowercase()
            );
            if let Ok(share) = percent("recoupable costs", &what, &r.share) {
                recoupables.push(Recoupable {
                    category: r.category,
                    share,
                });
            }
        }
        let held = if self.reserve.trim().is_empty() {
            BasisPoints::ZERO
        } else {
            percent("reserve", "Reserve", &self.reserve).unwrap_or(BasisPoints::ZERO)
        };
        let release_periods = if self.reserve_periods.trim().is_empty() {
            0
        } else if let Ok(n) = self.reserve_periods.trim().parse::<u32>() {
            n
        } else {
            problems.push(ContractProblem {
                field: "reserve",
                message: format!(
                    "Reserve released over: “{}” is not a whole number of periods",
                    self.reserve_periods.trim()
                ),
            });
            0
        };
        let codes: Vec<String> = self
            .countries
            .split([',', ' ', ';'])
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
            .collect();
        let territory = match self.territory {
            TerritoryMode::Worldwide => Territory::Worldwide,
            TerritoryMode::Only => Territory::Only(codes),
            TerritoryMode::Except => Territory::WorldwideExcept(codes),
        };
        let contract = Contract {
            id: self.id,
            title: self.title.trim().to_owned(),
            deal_type: self.deal_type,
            artist_id: self.artist.unwrap_or(ArtistId::UNSAVED),
            release_id: self.release,
            start,
            end,
            term_releases,
            options,
            territory,
            masters_owner: self.masters,
            reversion,
            currency,
            advance,
            royalty_base: self.base,
            rates,
            payees: self
                .payees
                .iter()
                .map(|p| Payee {
                    id: p.id,
                    name: p.name.trim().to_owned(),
                    email: p.email.trim().to_owned(),
                })
                .collect(),
            splits,
            recoupables,
            cross_collateralised: self.cross,
            reserve: Reserve {
                held,
                release_periods,
            },
            minimum_payout,
            period_kind: self.period_kind,
            document_path: self.document.trim().to_owned(),
        };
        (contract, problems)
    }
}

fn add(problems: &mut Vec<ContractProblem>, field: &'static str, message: String) {
    problems.push(ContractProblem { field, message });
}

/// An optional date as typed (empty: none); a problem when it cannot be read.
fn optional_date(
    problems: &mut Vec<ContractProblem>,
    field: &'static str,
    label: &str,
    text: &str,
) -> Option<NaiveDate> {
    if text.trim().is_empty() {
        return None;
    }
    parse_date(text)
        .map_err(|e| add(problems, field, format!("{label}: {e}")))
        .ok()
}

/// An amount as typed (empty: zero); a problem when it cannot be read.
fn money_or_zero(
    problems: &mut Vec<ContractProblem>,
    field: &'static str,
    label: &str,
    text: &str,
    currency: Currency,
) -> Money {
    if text.trim().is_empty() {
        return Money::zero(currency);
    }
    Money::parse(text, currency).unwrap_or_else(|e| {
        add(problems, field, format!("{label}: {e}"));
        Money::zero(currency)
    })
}

/// The total of a split as typed, or `None` when a share cannot be read.
fn split_total(split: &SplitForm) -> Option<i64> {
    let mut total = 0_i64;
    for (_, text) in &split.shares {
        if text.trim().is_empty() {
            continue;
        }
        total += i64::from(BasisPoints::parse(text).ok()?.0);
    }
    Some(total)
}

/// The form's problems, worked out again when the form or the catalog changed.
struct Checked {
    form: ContractForm,
    revision: u64,
    problems: Vec<ContractProblem>,
    contract: Contract,
    /// Releases this contract shares with another artist's contract (co-credited), as
    /// sentences for the editor.
    shared: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Loaded data

/// Names for pickers: artists, the releases of an artist, the tracks of a release.
#[derive(Default)]
struct Names {
    revision: u64,
    artists: Vec<(ArtistId, String)>,
    releases: HashMap<ArtistId, Vec<(ReleaseId, String)>>,
    tracks: HashMap<ReleaseId, Vec<(TrackId, String)>>,
    track_titles: HashMap<TrackId, String>,
}

impl Names {
    fn artist(&self, id: ArtistId) -> String {
        self.artists
            .iter()
            .find(|(a, _)| *a == id)
            .map_or_else(|| format!("Artist #{id}"), |(_, n)| n.clone())
    }

    fn releases_of(
        &mut self,
        ctx: &mut PanelCtx<'_>,
        artist: ArtistId,
    ) -> Vec<(ReleaseId, String)> {
        if let Some(list) = self.releases.get(&artist) {
            return list.clone();
        }
        let list: Vec<(ReleaseId, String)> = ctx
            .report(crate::db::artists::releases_of(ctx.catalog.conn(), artist))
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.id, r.title))
            .collect();
        self.releases.insert(artist, list.clone());
        list
    }

    fn tracks_of(&mut self, ctx: &mut PanelCtx<'_>, release: ReleaseId) -> Vec<(TrackId, String)> {
        if let Some(list) = self.tracks.get(&release) {
            return list.clone();
        }
        let list: Vec<(TrackId, String)> = ctx
            .report(crate::db::tracks::list_for_release(
                ctx.catalog.conn(),
                release,
            ))
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.id, t.title))
            .collect();
        self.tracks.insert(release, list.clone());
        list
    }

    fn scope_name(&mut self, ctx: &mut PanelCtx<'_>, scope: SplitScope) -> String {
        match scope {
            SplitScope::Default => "Default split (everything else)".to_owned(),
            SplitScope::Release(r) => {
                let title = ctx
                    .report(crate::db::releases::get(ctx.catalog.conn(), r))
                    .map_or_else(|| format!("release #{r}"), |rel| rel.title);
                format!("Split for the release {title}")
            }
            SplitScope::Track(t) => {
                let title = self
                    .track_titles
                    .entry(t)
                    .or_insert_with(|| {
                        ctx.report(crate::db::tracks::get(ctx.catalog.conn(), t))
                            .map_or_else(|| format!("track #{t}"), |tr| tr.title)
                    })
                    .clone();
                format!("Split for the track {title}")
            }
        }
    }
}

/// The statements of the selected contract.
struct StatementsCache {
    revision: u64,
    contract: Contract,
    artist: String,
    issued: Vec<IssuedStatement>,
    next: StatementPeriod,
    draft: Result<Statement, String>,
    payments: Vec<Payment>,
    releases: BTreeMap<ReleaseId, String>,
    today: NaiveDate,
}

impl StatementsCache {
    fn statement(&self, viewing: Viewing) -> Option<&Statement> {
        match viewing {
            Viewing::Draft => self.draft.as_ref().ok(),
            Viewing::Issued(id) => self
                .issued
                .iter()
                .find(|s| s.id == id)
                .map(|s| &s.statement),
        }
    }

    fn status(&self, viewing: Viewing) -> String {
        match viewing {
            Viewing::Draft => format!("Draft: not issued yet (worked out on {})", self.today),
            Viewing::Issued(id) => {
                self.issued
                    .iter()
                    .find(|s| s.id == id)
                    .map_or_else(String::new, |s| {
                        format!(
                            "Issued on {}",
                            s.issued_at.get(..10).unwrap_or(&s.issued_at)
                        )
                    })
            }
        }
    }
}

/// Which statement is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Viewing {
    Draft,
    Issued(StatementId),
}

/// The ledger lines behind a figure.
struct Drill {
    title: String,
    lines: Vec<LedgerLine>,
    reasons: BTreeMap<IncomeLineId, String>,
}

#[derive(Default)]
struct PaymentForm {
    payee: Option<PayeeId>,
    date: String,
    amount: String,
    note: String,
}

struct ProjectionForm {
    periods: String,
    quantity: String,
    unit_cost: String,
    category: CostCategory,
}

impl Default for ProjectionForm {
    fn default() -> Self {
        Self {
            periods: "4".to_owned(),
            quantity: String::new(),
            unit_cost: String::new(),
            category: CostCategory::Pressing,
        }
    }
}

/// What the panel last asked the app to write, to know what to refresh when it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    /// Saved or deleted a contract's terms.
    Terms,
    Issue,
    Payment,
    Other,
}

/// Something a statement view asked for, done once the view is drawn.
enum Action {
    Drill {
        title: String,
        ids: Vec<IncomeLineId>,
        reasons: BTreeMap<IncomeLineId, String>,
    },
    View(Viewing),
    Issue,
    Export(bool),
    DeletePayment(PaymentId),
}

/// Where the user wanted to go from a form with unsaved changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leave {
    /// Another contract, picked in the list.
    Select(ContractId),
    /// "New contract" or Ctrl+N.
    New,
    /// Escape on a new contract's form.
    CloseForm,
    /// The window is closing.
    Quit,
}

/// The answer to "Save changes to …?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LeaveAnswer {
    Save,
    Discard,
    KeepEditing,
}

pub struct ContractsPanel {
    tab: ContractsTab,
    selected: Option<ContractId>,
    list: Option<(u64, Vec<ContractRow>)>,
    names: Names,
    form: Option<ContractForm>,
    /// The form as loaded from the catalog (to tell unsaved changes).
    loaded: Option<ContractForm>,
    sent: Option<Sent>,
    checked: Option<Checked>,
    /// The last refusal from the app, shown in the editor.
    error: Option<String>,
    new_split_release: Option<ReleaseId>,
    new_split_track: Option<TrackId>,
    confirm_delete: bool,
    statements: Option<StatementsCache>,
    viewing: Viewing,
    drill: Option<Drill>,
    payment: PaymentForm,
    confirm_issue: Option<StatementPeriod>,
    export_payee: Option<PayeeId>,
    export: Option<widgets::SaveJob>,
    projection: ProjectionForm,
    /// The question on screen: the form has unsaved changes and the user wants to go there.
    leaving: Option<Leave>,
    /// Where to go once the save the question asked for is committed.
    after_save: Option<Leave>,
    /// The save was committed: go there on the next frame.
    proceed: Option<Leave>,
    /// Close the window at the end of this frame (the user answered the question on closing).
    close_window: bool,
}

impl ContractsPanel {
    #[must_use]
    pub fn restore(state: ContractsState) -> Self {
        Self {
            tab: state.tab,
            selected: state.selected.map(ContractId),
            list: None,
            names: Names::default(),
            form: None,
            loaded: None,
            sent: None,
            checked: None,
            error: None,
            new_split_release: None,
            new_split_track: None,
            confirm_delete: false,
            statements: None,
            viewing: Viewing::Draft,
            drill: None,
            payment: PaymentForm::default(),
            confirm_issue: None,
            export_payee: None,
            export: None,
            projection: ProjectionForm::default(),
            leaving: None,
            after_save: None,
            proceed: None,
            close_window: false,
        }
    }

    #[must_use]
    pub fn state(&self) -> ContractsState {
        ContractsState {
            tab: self.tab,
            selected: self.selected.map(|s| s.0),
        }
    }

    /// Ctrl+N: a new contract (for the selected contract's artist, if any); asks first when
    /// the form has unsaved changes.
    pub fn new_item(&mut self, ctx: &mut PanelCtx<'_>) {
        self.leave(Leave::New, ctx);
    }

    /// True when the editor's form differs from the contract as loaded (or, for a new
    /// contract, from the empty form): the heading shows "Unsaved changes".
    #[must_use]
    pub fn has_unsaved_changes(&self) -> bool {
        self.form
            .as_ref()
            .is_some_and(|f| self.loaded.as_ref() != Some(f))
    }

    /// When the form has unsaved changes, a line for the status bar saying they are kept
    /// (the app shows it when the user switches to another panel).
    #[must_use]
    pub fn unsaved_note(&self) -> Option<String> {
        self.has_unsaved_changes().then(|| {
            format!(
                "Your unsaved changes to {} are kept in Contracts: save or discard them there",
                self.form_name()
            )
        })
    }

    /// The window was asked to close. With unsaved changes, opens the question (Save /
    /// Discard / Keep editing) and returns true: the app keeps the window open and shows this
    /// panel; the answer closes it (Save: once the contract is stored).
    pub fn ask_before_closing(&mut self) -> bool {
        if self.has_unsaved_changes() {
            self.leaving = Some(Leave::Quit);
            true
        } else {
            false
        }
    }

    /// The form's contract in a sentence: “Recording agreement”, “Contract #3”, the new
    /// contract.
    fn form_name(&self) -> String {
        match &self.form {
            Some(f) if f.id.is_unsaved() && f.title.trim().is_empty() => {
                "the new contract".to_owned()
            }
            Some(f) if f.title.trim().is_empty() => format!("“Contract #{}”", f.id),
            Some(f) => format!("“{}”", f.title.trim()),
            None => "the contract".to_owned(),
        }
    }

    /// Goes `to` at once, or asks first when the form has unsaved changes.
    fn leave(&mut self, to: Leave, ctx: &mut PanelCtx<'_>) {
        if self.has_unsaved_changes() {
            self.leaving = Some(to);
        } else {
            self.go(to, ctx);
        }
    }

    /// Goes `to`, dropping the form as it is.
    fn go(&mut self, to: Leave, ctx: &mut PanelCtx<'_>) {
        match to {
            Leave::Select(id) => self.select(id),
            Leave::New => self.start_new(ctx),
            Leave::CloseForm => {
                if self.form.as_ref().is_some_and(|f| f.id.is_unsaved()) {
                    self.form = None;
                    self.loaded = None;
                    self.checked = None;
                }
            }
            Leave::Quit => self.close_window = true,
        }
    }

    fn select(&mut self, id: ContractId) {
        self.selected = Some(id);
        self.form = None;
        self.loaded = None;
        self.checked = None;
        self.error = None;
        self.drill = None;
        self.viewing = Viewing::Draft;
        self.payment = PaymentForm::default();
        self.export_payee = None;
    }

    fn start_new(&mut self, ctx: &mut PanelCtx<'_>) {
        let currency = ctx
            .report(crate::db::labels::home_currency(ctx.catalog.conn()))
            .unwrap_or_default();
        let artist = self.form.as_ref().and_then(|f| f.artist);
        let mut form = ContractForm::new(artist, currency);
        if let Some(artist) = artist {
            let name = self.names.artist(artist);
            form.add_payee(&name);
        }
        self.selected = None;
        // Unsaved changes are what differs from this empty form.
        self.loaded = Some(form.clone());
        self.form = Some(form);
        self.checked = None;
        self.error = None;
        self.tab = ContractsTab::Terms;
    }

    /// Delete: asks before deleting the selected contract.
    pub fn request_delete(&mut self) {
        if self.selected.is_some() && self.tab == ContractsTab::Terms && self.leaving.is_none() {
            self.confirm_delete = true;
        }
    }

    /// Escape: closes the ledger lines, else a new contract's form (asking first when
    /// something was typed in it).
    pub fn close(&mut self) -> bool {
        if self.leaving.is_some() {
            // The question on screen takes Escape as "Keep editing".
            return true;
        }
        if self.drill.take().is_some() {
            return true;
        }
        if self.form.as_ref().is_some_and(|f| f.id.is_unsaved()) {
            if self.has_unsaved_changes() {
                self.leaving = Some(Leave::CloseForm);
            } else {
                self.form = None;
                self.loaded = None;
            }
            return true;
        }
        false
    }

    /// A write the panel asked for was committed.
    pub fn applied(&mut self, outcome: &db_contracts::Outcome) {
        self.error = None;
        match self.sent.take() {
            Some(Sent::Terms) | None => {
                if let Some(id) = outcome.contract
                    && self.selected != Some(id)
                {
                    self.viewing = Viewing::Draft;
                }
                self.selected = outcome.contract;
                // Reload the form from what was stored.
                self.form = None;
                self.loaded = None;
                self.checked = None;
                // Saved from the question: now go where the user wanted to.
                self.proceed = self.after_save.take();
            }
            Some(Sent::Issue) => self.viewing = Viewing::Draft,
            Some(Sent::Payment) => self.payment = PaymentForm::default(),
            Some(Sent::Other) => {}
        }
    }

    /// A write the panel asked for was refused.
    pub fn failed(&mut self, message: &str) {
        self.sent = None;
        // Not saved: stay in the editor, which shows why.
        self.after_save = None;
        self.error = Some(message.to_owned());
    }

    fn refresh(&mut self, ctx: &mut PanelCtx<'_>) {
        if self.list.as_ref().is_none_or(|(r, _)| *r != ctx.revision) {
            let rows = ctx
                .report(db_contracts::list(ctx.catalog.conn(), today()))
                .unwrap_or_default();
            self.list = Some((ctx.revision, rows));
        }
        if self.names.revision != ctx.revision {
            self.names = Names {
                revision: ctx.revision,
                artists: ctx
                    .report(crate::db::artists::names(ctx.catalog.conn()))
                    .unwrap_or_default(),
                ..Names::default()
            };
        }
        if let Some(id) = self.selected
            && self.form.as_ref().is_none_or(|f| f.id != id)
        {
            if let Ok(contract) = db_contracts::get(ctx.catalog.conn(), id) {
                self.form = Some(ContractForm::from_contract(&contract));
                self.loaded.clone_from(&self.form);
            } else {
                self.selected = None;
                self.form = None;
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        self.poll_export(ctx);
        self.refresh(ctx);
        if let Some(to) = self.proceed.take() {
            self.go(to, ctx);
            self.refresh(ctx);
        }
        egui::Frame::NONE
            .inner_margin(egui::Margin::symmetric(12, 8))
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading("Contracts");
                    widgets::hint_ui(
                        ui,
                        "Terms per artist, royalty statements per period, and when each deal recoups.",
                    );
                });
                ui.separator();
                egui::Panel::left("contracts_list")
                    .resizable(true)
                    .default_size(340.0)
                    .show(ui, |ui| self.list_ui(ui, ctx));
                egui::CentralPanel::default().show(ui, |ui| self.detail_ui(ui, ctx));
            });
        self.drill_ui(ui.ctx());
        self.leave_ui(ui.ctx(), ctx);
        if std::mem::take(&mut self.close_window) {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// "Save changes to “…”?": Save (only when the form has no problems), Discard, Keep
    /// editing (also Escape and a click outside).
    fn leave_ui(&mut self, ectx: &egui::Context, ctx: &mut PanelCtx<'_>) {
        let Some(to) = self.leaving else { return };
        if !self.has_unsaved_changes() {
            // Nothing left to lose (e.g. the form was saved meanwhile).
            self.leaving = None;
            self.go(to, ctx);
            return;
        }
        self.check(ctx);
        let problems: Vec<String> = self.checked.as_ref().map_or_else(Vec::new, |c| {
            c.problems
                .iter()
                .map(|p| widgets::capitalized(&p.message))
                .collect()
        });
        let name = self.form_name();
        let then = match to {
            Leave::Select(id) => {
                let title = self
                    .list
                    .as_ref()
                    .and_then(|(_, rows)| rows.iter().find(|r| r.id == id))
                    .map_or_else(|| format!("Contract #{id}"), |r| r.name.clone());
                format!("open “{title}”")
            }
            Leave::New => "start a new contract".to_owned(),
            Leave::CloseForm => "close the form".to_owned(),
            Leave::Quit => "quit Labeldesk".to_owned(),
        };
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("contract_unsaved_changes")).show(ectx, |ui| {
            ui.set_max_width(460.0);
            ui.heading(format!("Save changes to {name}?"));
            ui.add_space(6.0);
            if problems.is_empty() {
                ui.label(format!(
                    "These changes are not saved yet. Save them, or discard them and {then}."
                ));
            } else {
                let count = problems.len();
                ui.label(format!(
                    "It cannot be saved as it is: {count} problem{} to fix first. Keep editing to fix {}, or discard the changes and {then}.",
                    if count == 1 { "" } else { "s" },
                    if count == 1 { "it" } else { "them" },
                ));
                ui.add_space(4.0);
                for p in problems.iter().take(3) {
                    ui.label(RichText::new(p).color(theme::error_color(ui)));
                }
                if count > 3 {
                    widgets::hint_ui(ui, &format!("… and {} more, shown in red in the editor", count - 3));
                }
            }
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                if problems.is_empty() && ui.button(RichText::new("Save").strong()).clicked() {
                    answer = Some(LeaveAnswer::Save);
                }
                if ui
                    .button(RichText::new("Discard").color(theme::error_color(ui)))
                    .clicked()
                {
                    answer = Some(LeaveAnswer::Discard);
                }
                if ui.button("Keep editing").clicked() {
                    answer = Some(LeaveAnswer::KeepEditing);
                }
            });
        });
        if modal.should_close() && answer.is_none() {
            answer = Some(LeaveAnswer::KeepEditing);
        }
        match answer {
            None => {}
            Some(LeaveAnswer::KeepEditing) => {
                self.leaving = None;
                // Show the form, whichever tab was open.
                self.tab = ContractsTab::Terms;
            }
            Some(LeaveAnswer::Discard) => {
                self.leaving = None;
                self.form.clone_from(&self.loaded);
                self.checked = None;
                self.error = None;
                self.go(to, ctx);
            }
            Some(LeaveAnswer::Save) => {
                self.leaving = None;
                if let Some(checked) = &self.checked
                    && checked.problems.is_empty()
                {
                    self.sent = Some(Sent::Terms);
                    self.after_save = Some(to);
                    ctx.send(Command::Contracts(Box::new(Op::Save(Box::new(
                        checked.contract.clone(),
                    )))));
                }
            }
        }
    }

    // ---- the list ----

    fn list_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        if ui.button("New contract").clicked() {
            self.leave(Leave::New, ctx);
        }
        ui.add_space(4.0);
        let Some((_, rows)) = &self.list else { return };
        if rows.is_empty() {
            widgets::hint_ui(
                ui,
                "No contracts yet. Make one (Ctrl+N): who it is with, the rates, who is paid.",
            );
        }
        let mut pick = None;
        egui::ScrollArea::vertical()
            .id_salt("contracts_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let mut artist: Option<ArtistId> = None;
                for row in rows {
                    if artist != Some(row.artist_id) {
                        artist = Some(row.artist_id);
                        ui.add_space(6.0);
                        ui.label(RichText::new(&row.artist).strong());
                    }
                    let selected = self.selected == Some(row.id);
                    let scope = row
                        .release
                        .as_ref()
                        .map_or_else(String::new, |r| format!(" · {r}"));
                    let text = format!(
                        "{}{scope}\n{} · {}\nBalance {} · to recoup {} · payable {}",
                        row.name,
                        row.status,
                        row.deal_type.label(),
                        row.balance,
                        row.unrecouped,
                        row.payable,
                    );
                    if ui
                        .add(
                            egui::Button::selectable(selected, text)
                                .min_size(egui::vec2(ui.available_width(), 0.0)),
                        )
                        .clicked()
                    {
                        pick = Some(row.id);
                    }
                    for deadline in &row.deadlines {
                        ui.label(
                            RichText::new(format!("⚠ {}", deadline.message()))
                                .color(theme::warn_color(ui)),
                        );
                    }
                }
            });
        if let Some(id) = pick
            && self.selected != Some(id)
        {
            self.leave(Leave::Select(id), ctx);
        }
    }

    fn detail_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(form) = &self.form else {
            widgets::hint_ui(
                ui,
                "Pick a contract, or make a new one (Ctrl+N). Statements are worked out from the \
                 sales ledger: import the stores' reports under Sales first.",
            );
            return;
        };
        let saved = !form.id.is_unsaved();
        let changed = self.has_unsaved_changes();
        if saved {
            ui.horizontal(|ui| {
                for (tab, text) in [
                    (ContractsTab::Terms, "Terms"),
                    (ContractsTab::Statements, "Statements"),
                    (ContractsTab::Recoup, "When does this recoup?"),
                ] {
                    if ui.selectable_label(self.tab == tab, text).clicked() {
                        self.tab = tab;
                    }
                }
                if changed && self.tab != ContractsTab::Terms {
                    widgets::badge_ui(ui, "Unsaved changes in Terms", theme::warn_color(ui));
                }
            });
            ui.separator();
        }
        let tab = if saved { self.tab } else { ContractsTab::Terms };
        egui::ScrollArea::vertical()
            .id_salt("contract_detail")
            .auto_shrink([false, false])
            .show(ui, |ui| match tab {
                ContractsTab::Terms => self.editor_ui(ui, ctx),
                ContractsTab::Statements => self.statements_ui(ui, ctx),
                ContractsTab::Recoup => self.recoup_ui(ui, ctx),
            });
    }

    // ---- the editor ----

    fn check(&mut self, ctx: &mut PanelCtx<'_>) {
        let Some(form) = &self.form else { return };
        if self
            .checked
            .as_ref()
            .is_some_and(|c| c.revision == ctx.revision && c.form == *form)
        {
            return;
        }
        let (contract, mut problems) = form.to_contract();
        let conn = ctx.catalog.conn();
        if let Some(found) = ctx.report(db_contracts::problems(conn, &contract)) {
            problems.extend(found);
        }
        let shared = ctx
            .report(
                db_contracts::covered_releases(conn, &contract)
                    .and_then(|releases| db_contracts::co_credits(conn, &contract, &releases)),
            )
            .unwrap_or_default();
        let shared = shared
            .iter()
            .map(|c| {
                format!(
                    "{} is credited to {} too, whose contract “{}” covers it as well: each contract pays its own artist an equal share of its sales. A release contract for {} would split it otherwise.",
                    c.release_title,
                    c.artist_name,
                    c.contract.display_name(),
                    c.release_title
                )
            })
            .collect();
        self.checked = Some(Checked {
            form: form.clone(),
            revision: ctx.revision,
            problems,
            contract,
            shared,
        });
    }

    fn problems_for(&self, fields: &[&str]) -> Vec<String> {
        self.checked.as_ref().map_or_else(Vec::new, |c| {
            c.problems
                .iter()
                .filter(|p| fields.contains(&p.field))
                .map(|p| widgets::capitalized(&p.message))
                .collect()
        })
    }

    fn editor_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        self.check(ctx);
        let mut save = false;
        let mut revert = false;
        let artists = self.names.artists.clone();
        let Some(artist_choice) = self.form.as_ref().map(|f| f.artist) else {
            return;
        };
        let releases = artist_choice
            .map(|a| self.names.releases_of(ctx, a))
            .unwrap_or_default();
        let p = |fields: &[&str]| self.problems_for(fields);
        let deal_problems = p(&[
            "title",
            "artist",
            "release",
            "currency",
            "advance",
            "statement period",
        ]);
        let term_problems = p(&["start", "end", "term", "reversion", "territory"]);
        let option_problems = p(&["options"]);
        let rate_problems = p(&["rates"]);
        let payee_problems = p(&["payees"]);
        let split_problems = p(&["splits"]);
        let money_problems = p(&["recoupable costs", "reserve", "minimum payout"]);
        let doc_problems = p(&["document"]);
        let other_problems: Vec<String> = self.checked.as_ref().map_or_else(Vec::new, |c| {
            c.problems
                .iter()
                .filter(|p| {
                    ![
                        "title",
                        "artist",
                        "release",
                        "currency",
                        "advance",
                        "statement period",
                        "start",
                        "end",
                        "term",
                        "reversion",
                        "territory",
                        "options",
                        "rates",
                        "payees",
                        "splits",
                        "recoupable costs",
                        "reserve",
                        "minimum payout",
                        "document",
                    ]
                    .contains(&p.field)
                })
                .map(|p| widgets::capitalized(&p.message))
                .collect()
        });
        let problem_count = self.checked.as_ref().map_or(0, |c| c.problems.len());
        let co_credited = self
            .checked
            .as_ref()
            .map_or_else(Vec::new, |c| c.shared.clone());
        let mut scope_names: HashMap<SplitScope, String> = HashMap::new();
        if let Some(form) = &self.form {
            for split in &form.splits {
                let name = self.names.scope_name(ctx, split.scope);
                scope_names.insert(split.scope, name);
            }
        }
        let new_split_tracks = self
            .new_split_release
            .map(|r| self.names.tracks_of(ctx, r))
            .unwrap_or_default();
        let Some(form) = &mut self.form else { return };

        let changed = self.loaded.as_ref().is_some_and(|l| l != form);
        ui.horizontal(|ui| {
            ui.heading(if form.id.is_unsaved() {
                "New contract".to_owned()
            } else if form.title.trim().is_empty() {
                format!("Contract #{}", form.id)
            } else {
                form.title.trim().to_owned()
            });
            if changed {
                widgets::badge_ui(ui, "Unsaved changes", theme::warn_color(ui));
            }
        });
        ui.add_space(4.0);

        section_ui(ui, "The deal", &deal_problems, |ui| {
            egui::Grid::new("contract_deal")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    widgets::field_ui(ui, "Title", &mut form.title, None);
                    ui.label("Artist");
                    let mut ids: Vec<Option<ArtistId>> = vec![None];
                    ids.extend(artists.iter().map(|(id, _)| Some(*id)));
                    let name = |id: Option<ArtistId>| {
                        id.and_then(|id| artists.iter().find(|(a, _)| *a == id))
                            .map_or_else(|| "Choose the artist…".to_owned(), |(_, n)| n.clone())
                    };
                    let before = form.artist;
                    if widgets::choice_ui(
                        ui,
                        "Artist",
                        "contract_artist",
                        &mut form.artist,
                        &ids,
                        name,
                    ) && form.artist != before
                    {
                        form.release = None;
                        if let Some(artist) = form.artist {
                            let name = artists
                                .iter()
                                .find(|(a, _)| *a == artist)
                                .map_or_else(String::new, |(_, n)| n.clone());
                            if form.payees.is_empty() {
                                form.add_payee(&name);
                            }
                        }
                    }
                    ui.end_row();
                    ui.label("Covers");
                    let mut scopes: Vec<Option<ReleaseId>> = vec![None];
                    scopes.extend(releases.iter().map(|(id, _)| Some(*id)));
                    let release_name = |id: Option<ReleaseId>| match id {
                        None => "All the artist's releases in the term".to_owned(),
                        Some(id) => releases
                            .iter()
                            .find(|(r, _)| *r == id)
                            .map_or_else(|| format!("Release #{id}"), |(_, t)| format!("Only {t}")),
                    };
                    widgets::choice_ui(
                        ui,
                        "Covers",
                        "contract_scope",
                        &mut form.release,
                        &scopes,
                        release_name,
                    );
                    ui.end_row();
                    widgets::choice_row_ui(
                        ui,
                        "Deal type",
                        &mut form.deal_type,
                        DealType::ALL,
                        |d| d.label().to_owned(),
                    );
                    widgets::choice_row_ui(
                        ui,
                        "Royalty base",
                        &mut form.base,
                        RoyaltyBase::ALL,
                        |b| b.label().to_owned(),
                    );
                    widgets::field_ui(ui, "Currency", &mut form.currency, None);
                    widgets::field_ui(ui, "Advance", &mut form.advance, None);
                    widgets::choice_row_ui(
                        ui,
                        "Statements every",
                        &mut form.period_kind,
                        PeriodKind::ALL,
                        |k| k.label().to_owned(),
                    );
                });
            for line in &co_credited {
                ui.label(RichText::new(line).color(theme::warn_color(ui)));
            }
        });

        section_ui(ui, "Term and rights", &term_problems, |ui| {
            egui::Grid::new("contract_term")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    widgets::field_ui(ui, "Start date", &mut form.start, None);
                    widgets::field_ui(ui, "End date", &mut form.end, None);
                    widgets::field_ui(ui, "Term in releases", &mut form.term_releases, None);
                    widgets::choice_row_ui(
                        ui,
                        "Masters owned by",
                        &mut form.masters,
                        MastersOwner::ALL,
                        |m| m.label().to_owned(),
                    );
                    widgets::field_ui(ui, "Reversion date", &mut form.reversion, None);
                    widgets::choice_row_ui(
                        ui,
                        "Territory",
                        &mut form.territory,
                        TerritoryMode::ALL,
                        |t| t.label().to_owned(),
                    );
                    if form.territory != TerritoryMode::Worldwide {
                        widgets::field_ui(ui, "Countries (ISO codes)", &mut form.countries, None);
                    }
                });
            widgets::hint_ui(
                ui,
                "An end date, a term in releases, or both (whichever comes first). Dates as YYYY-MM-DD.",
            );
        });

        section_ui(ui, "Options", &option_problems, |ui| {
            let mut remove = None;
            if !form.options.is_empty() {
                egui::Grid::new("contract_options")
                    .num_columns(5)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        ui.label("Option");
                        ui.label("Notice by");
                        ui.label("Ends");
                        let taken_up = ui.label("Taken up").id;
                        ui.label("");
                        ui.end_row();
                        for (i, o) in form.options.iter_mut().enumerate() {
                            let n = i + 1;
                            widgets::cell_field_ui(
                                ui,
                                &format!("Option {n} name"),
                                &mut o.name,
                                None,
                                180.0,
                            );
                            widgets::cell_field_ui(
                                ui,
                                &format!("Option {n} notice deadline"),
                                &mut o.deadline,
                                None,
                                100.0,
                            );
                            widgets::cell_field_ui(
                                ui,
                                &format!("Option {n} ends"),
                                &mut o.until,
                                None,
                                100.0,
                            );
                            // No text in the grid cell: named by its column's heading.
                            ui.checkbox(&mut o.exercised, "").labelled_by(taken_up);
                            if ui.small_button(format!("Remove option {n}")).clicked() {
                                remove = Some(i);
                            }
                            ui.end_row();
                        }
                    });
            }
            if let Some(i) = remove {
                form.options.remove(i);
            }
            if ui.button("Add option").clicked() {
                form.options.push(OptionForm {
                    name: format!("Option {}", form.options.len() + 1),
                    deadline: String::new(),
                    until: String::new(),
                    exercised: false,
                });
            }
        });

        let rate_title = if form.deal_type.rates_are_fees() {
            "Label's fee per channel (the artist gets the rest)"
        } else {
            "Artist's rate per channel"
        };
        section_ui(ui, rate_title, &rate_problems, |ui| {
            let mut remove = None;
            if form.rates.is_empty() {
                widgets::hint_ui(
                    ui,
                    "No rates yet: sales on a channel without a rate earn nothing under this contract.",
                );
            } else {
                egui::Grid::new("contract_rates")
                    .num_columns(4)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        for (i, r) in form.rates.iter_mut().enumerate() {
                            let n = i + 1;
                            widgets::choice_ui(
                                ui,
                                &format!("Rate {n} channel"),
                                ("rate_channel", i),
                                &mut r.channel,
                                Channel::ALL,
                                |c| c.label().to_owned(),
                            );
                            let mut formats: Vec<Option<FormatKind>> = vec![None];
                            formats.extend(FormatKind::ALL.iter().map(|k| Some(*k)));
                            widgets::choice_ui(
                                ui,
                                &format!("Rate {n} format"),
                                ("rate_format", i),
                                &mut r.format,
                                &formats,
                                |f| {
                                    f.map_or_else(
                                        || "Any format".to_owned(),
                                        |k| k.label().to_owned(),
                                    )
                                },
                            );
                            ui.horizontal(|ui| {
                                widgets::cell_field_ui(
                                    ui,
                                    &format!("Rate {n} (%)"),
                                    &mut r.rate,
                                    None,
                                    70.0,
                                );
                                ui.label("%");
                            });
                            if ui.small_button(format!("Remove rate {n}")).clicked() {
                                remove = Some(i);
                            }
                            ui.end_row();
                        }
                    });
            }
            if let Some(i) = remove {
                form.rates.remove(i);
            }
            if ui.button("Add rate").clicked() {
                let channel = Channel::ALL
                    .iter()
                    .copied()
                    .find(|c| {
                        !form
                            .rates
                            .iter()
                            .any(|r| r.channel == *c && r.format.is_none())
                    })
                    .unwrap_or(Channel::Other);
                form.rates.push(RateForm {
                    channel,
                    format: None,
                    rate: String::new(),
                });
            }
        });

        section_ui(ui, "Payees", &payee_problems, |ui| {
            let mut remove = None;
            egui::Grid::new("contract_payees")
                .num_columns(3)
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    for (i, p) in form.payees.iter_mut().enumerate() {
                        let n = i + 1;
                        widgets::cell_field_ui(
                            ui,
                            &format!("Payee {n} name"),
                            &mut p.name,
                            None,
                            200.0,
                        );
                        widgets::cell_field_ui(
                            ui,
                            &format!("Payee {n} e-mail"),
                            &mut p.email,
                            None,
                            220.0,
                        );
                        if ui.small_button(format!("Remove payee {n}")).clicked() {
                            remove = Some(i);
                        }
                        ui.end_row();
                    }
                });
            if let Some(i) = remove {
                form.remove_payee(i);
            }
            if ui.button("Add payee").clicked() {
                form.add_payee("");
            }
        });

        section_ui(ui, "Splits", &split_problems, |ui| {
            widgets::hint_ui(
                ui,
                "Who gets what: the default split, or one for a release or a track. Each must total exactly 100%; leave a payee empty to leave them out.",
            );
            let mut remove = None;
            for (si, split) in form.splits.iter_mut().enumerate() {
                let title = scope_names.get(&split.scope).cloned().unwrap_or_default();
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    ui.label(RichText::new(&title).strong());
                    match split_total(split) {
                        Some(total) if total == i64::from(BasisPoints::FULL.0) => {
                            ui.label(
                                RichText::new("✔ splits total 100%").color(theme::ok_color(ui)),
                            );
                        }
                        Some(total) => {
                            let shown = BasisPoints(i32::try_from(total).unwrap_or(i32::MAX));
                            ui.label(
                                RichText::new(format!("splits total {shown}, not 100%"))
                                    .color(theme::error_color(ui)),
                            );
                        }
                        None => {
                            ui.label(
                                RichText::new("a share is not a percentage")
                                    .color(theme::error_color(ui)),
                            );
                        }
                    }
                    if split.scope != SplitScope::Default
                        && ui
                            .small_button(format!("Remove the {}", title.to_lowercase()))
                            .clicked()
                    {
                        remove = Some(si);
                    }
                });
                egui::Grid::new(("contract_split", si))
                    .num_columns(2)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        for (payee, share) in &mut split.shares {
                            let name = form
                                .payees
                                .iter()
                                .find(|p| p.id == *payee)
                                .map_or_else(String::new, |p| p.name.clone());
                            ui.label(if name.trim().is_empty() {
                                "(no name yet)"
                            } else {
                                name.as_str()
                            });
                            ui.horizontal(|ui| {
                                let label =
                                    format!("Share of {} in {}", name.trim(), title.to_lowercase());
                                widgets::cell_field_ui(ui, &label, share, None, 70.0);
                                ui.label("%");
                            });
                            ui.end_row();
                        }
                    });
            }
            if let Some(i) = remove {
                form.splits.remove(i);
            }
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.label("Add a split for");
                let mut ids: Vec<Option<ReleaseId>> = vec![None];
                ids.extend(releases.iter().map(|(id, _)| Some(*id)));
                let name = |id: Option<ReleaseId>| {
                    id.and_then(|id| releases.iter().find(|(r, _)| *r == id))
                        .map_or_else(|| "Choose a release…".to_owned(), |(_, t)| t.clone())
                };
                if widgets::choice_ui(
                    ui,
                    "Release for a new split",
                    "new_split_release",
                    &mut self.new_split_release,
                    &ids,
                    name,
                ) {
                    self.new_split_track = None;
                }
                if let Some(release) = self.new_split_release {
                    let scope = SplitScope::Release(release);
                    if !form.splits.iter().any(|s| s.scope == scope)
                        && ui.button("Add release split").clicked()
                    {
                        let shares = form
                            .splits
                            .first()
                            .map(|d| d.shares.clone())
                            .unwrap_or_default();
                        form.splits.push(SplitForm { scope, shares });
                    }
                    let mut tracks: Vec<Option<TrackId>> = vec![None];
                    tracks.extend(new_split_tracks.iter().map(|(id, _)| Some(*id)));
                    let track_name = |id: Option<TrackId>| {
                        id.and_then(|id| new_split_tracks.iter().find(|(t, _)| *t == id))
                            .map_or_else(|| "or a track…".to_owned(), |(_, t)| t.clone())
                    };
                    widgets::choice_ui(
                        ui,
                        "Track for a new split",
                        "new_split_track",
                        &mut self.new_split_track,
                        &tracks,
                        track_name,
                    );
                    if let Some(track) = self.new_split_track {
                        let scope = SplitScope::Track(track);
                        if !form.splits.iter().any(|s| s.scope == scope)
                            && ui.button("Add track split").clicked()
                        {
                            let shares = form
                                .splits
                                .first()
                                .map(|d| d.shares.clone())
                                .unwrap_or_default();
                            form.splits.push(SplitForm { scope, shares });
                        }
                    }
                }
            });
        });

        section_ui(
            ui,
            "Recoupment, reserve and payout",
            &money_problems,
            |ui| {
                let mut remove = None;
                egui::Grid::new("contract_recoup")
                    .num_columns(3)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        for (i, r) in form.recoupables.iter_mut().enumerate() {
                            let n = i + 1;
                            widgets::choice_ui(
                                ui,
                                &format!("Recoupable cost {n} category"),
                                ("recoup_category", i),
                                &mut r.category,
                                CostCategory::ALL,
                                |c| c.label().to_owned(),
                            );
                            ui.horizontal(|ui| {
                                widgets::cell_field_ui(
                                    ui,
                                    &format!("Recoupable cost {n} share (%)"),
                                    &mut r.share,
                                    None,
                                    70.0,
                                );
                                ui.label("% recoupable");
                            });
                            if ui
                                .small_button(format!("Remove recoupable cost {n}"))
                                .clicked()
                            {
                                remove = Some(i);
                            }
                            ui.end_row();
                        }
                    });
                if let Some(i) = remove {
                    form.recoupables.remove(i);
                }
                if ui.button("Add recoupable cost category").clicked() {
                    let category = CostCategory::ALL
                        .iter()
                        .copied()
                        .find(|c| !form.recoupables.iter().any(|r| r.category == *c))
                        .unwrap_or(CostCategory::Other);
                    form.recoupables.push(RecoupForm {
                        category,
                        share: "100".to_owned(),
                    });
                }
                ui.checkbox(
                &mut form.cross,
                "Cross-collateralised (one account for all releases; otherwise each release recoups its own costs)",
            );
                egui::Grid::new("contract_money")
                    .num_columns(2)
                    .spacing([12.0, 6.0])
                    .show(ui, |ui| {
                        widgets::field_ui(ui, "Reserve on physical (%)", &mut form.reserve, None);
                        widgets::field_ui(
                            ui,
                            "Reserve released over (periods)",
                            &mut form.reserve_periods,
                            None,
                        );
                        widgets::field_ui(ui, "Minimum payout", &mut form.minimum, None);
                    });
            },
        );

        let mut open_doc = false;
        section_ui(ui, "Contract document", &doc_problems, |ui| {
            egui::Grid::new("contract_doc")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    widgets::field_ui(ui, "Document file", &mut form.document, None);
                });
            if ui
                .add_enabled(
                    !form.document.trim().is_empty(),
                    egui::Button::new("Open document"),
                )
                .clicked()
            {
                open_doc = true;
            }
        });
        if !other_problems.is_empty() {
            problems_ui(ui, &other_problems);
        }
        ui.add_space(8.0);
        if let Some(error) = &self.error {
            ui.label(RichText::new(format!("Not saved: {error}")).color(theme::error_color(ui)));
        }
        if problem_count > 0 {
            ui.label(
                RichText::new(format!(
                    "{problem_count} problem{} to fix before saving (shown in red above)",
                    if problem_count == 1 { "" } else { "s" }
                ))
                .color(theme::error_color(ui)),
            );
        }
        let unsaved = form.id.is_unsaved();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    problem_count == 0,
                    egui::Button::new(RichText::new("Save contract").strong()),
                )
                .clicked()
            {
                save = true;
            }
            if ui
                .button(if unsaved { "Cancel" } else { "Revert" })
                .clicked()
            {
                revert = true;
            }
            if !unsaved && ui.button("Delete contract…").clicked() {
                self.confirm_delete = true;
            }
        });
        if open_doc {
            let path = self
                .form
                .as_ref()
                .map(|f| f.document.clone())
                .unwrap_or_default();
            match open_document(&path) {
                Ok(()) => ctx.send(Command::Notify(format!("Opening {}", path.trim()))),
                Err(e) => ctx.send(Command::Error(e)),
            }
        }
        if revert {
            self.checked = None;
            self.error = None;
            if unsaved {
                self.form = None;
            } else {
                // Reloaded from the catalog by the next refresh.
                self.form = None;
            }
        }
        if save {
            self.check(ctx);
            if let Some(checked) = &self.checked
                && checked.problems.is_empty()
            {
                self.sent = Some(Sent::Terms);
                ctx.send(Command::Contracts(Box::new(Op::Save(Box::new(
                    checked.contract.clone(),
                )))));
            }
        }
        if self.confirm_delete {
            let name = self
                .checked
                .as_ref()
                .map_or_else(String::new, |c| c.contract.display_name());
            match widgets::confirm_ui(
                ui.ctx(),
                "delete_contract",
                &format!("Delete “{name}”?"),
                "Its terms are removed. A contract with issued statements or payments cannot be deleted: they are the record of what the artist was paid.",
                "Delete contract",
            ) {
                Answer::Confirm => {
                    self.confirm_delete = false;
                    if let Some(id) = self.selected {
                        self.sent = Some(Sent::Terms);
                        ctx.send(Command::Contracts(Box::new(Op::Delete(id))));
                    }
                }
                Answer::Cancel => self.confirm_delete = false,
                Answer::Pending => {}
            }
        }
    }

    // ---- statements ----

    fn refresh_statements(&mut self, ctx: &mut PanelCtx<'_>) {
        let Some(id) = self.selected else {
            self.statements = None;
            return;
        };
        let today = today();
        if self
            .statements
            .as_ref()
            .is_some_and(|s| s.revision == ctx.revision && s.contract.id == id && s.today == today)
        {
            return;
        }
        let conn = ctx.catalog.conn();
        let Some(contract) = ctx.report(db_contracts::get(conn, id)) else {
            self.statements = None;
            return;
        };
        let issued = ctx
            .report(db_contracts::statements(conn, id))
            .unwrap_or_default();
        let Some(next) = ctx.report(db_contracts::next_open_period(conn, id)) else {
            return;
        };
        let draft = db_contracts::draft(conn, id, next).map_err(|e| e.to_string());
        let payments = ctx
            .report(db_contracts::payments(conn, id))
            .unwrap_or_default();
        let mut releases = BTreeMap::new();
        let mut ids: Vec<ReleaseId> = Vec::new();
        for s in issued
            .iter()
            .map(|i| &i.statement)
            .chain(draft.as_ref().ok())
        {
            ids.extend(s.lines.iter().map(|l| l.release));
            ids.extend(s.costs.iter().filter_map(|c| c.release));
        }
        for r in ids {
            if let std::collections::btree_map::Entry::Vacant(e) = releases.entry(r) {
                let title = crate::db::releases::get(conn, r)
                    .map_or_else(|_| format!("Release #{r}"), |rel| rel.title);
                e.insert(title);
            }
        }
        let artist = self.names.artist(contract.artist_id);
        if let Viewing::Issued(sid) = self.viewing
            && !issued.iter().any(|s| s.id == sid)
        {
            self.viewing = Viewing::Draft;
        }
        self.statements = Some(StatementsCache {
            revision: ctx.revision,
            contract,
            artist,
            issued,
            next,
            draft,
            payments,
            releases,
            today,
        });
    }

    fn statements_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        self.refresh_statements(ctx);
        let Some(cache) = &self.statements else {
            return;
        };
        if let Some(error) = &self.error {
            ui.label(RichText::new(format!("Not done: {error}")).color(theme::error_color(ui)));
        }
        let mut actions = Vec::new();
        ui.horizontal_wrapped(|ui| {
            ui.label("Period:");
            let draft_text = format!("{} (draft)", cache.next);
            if ui
                .selectable_label(self.viewing == Viewing::Draft, draft_text)
                .clicked()
            {
                actions.push(Action::View(Viewing::Draft));
            }
            for s in cache.issued.iter().rev() {
                let text = format!("{} (issued)", s.period);
                if ui
                    .selectable_label(self.viewing == Viewing::Issued(s.id), text)
                    .clicked()
                {
                    actions.push(Action::View(Viewing::Issued(s.id)));
                }
            }
        });
        ui.separator();
        let viewing = self.viewing;
        match cache.statement(viewing) {
            None => {
                if let Err(e) = &cache.draft {
                    ui.label(
                        RichText::new(format!(
                            "The {} statement cannot be worked out: {e}",
                            cache.next
                        ))
                        .color(theme::error_color(ui)),
                    );
                }
            }
            Some(statement) => {
                let status = cache.status(viewing);
                ui.horizontal(|ui| {
                    ui.heading(format!("{} statement", statement.period));
                    let color = if viewing == Viewing::Draft {
                        theme::warn_color(ui)
                    } else {
                        theme::ok_color(ui)
                    };
                    widgets::badge_ui(ui, &status, color);
                });
                widgets::hint_ui(
                    ui,
                    &format!(
                        "{} to {} · {} · {}",
                        statement.period.start(),
                        statement.period.end(),
                        cache.contract.deal_type.label(),
                        cache.contract.royalty_base.label().to_lowercase()
                    ),
                );
                ui.add_space(6.0);
                statement_ui(ui, cache, statement, &mut actions);
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if viewing == Viewing::Draft {
                        let period = statement.period;
                        let over = period.end() < cache.today;
                        if ui
                            .add_enabled(
                                over,
                                egui::Button::new(RichText::new("Issue statement…").strong()),
                            )
                            .clicked()
                        {
                            actions.push(Action::Issue);
                        }
                        if !over {
                            widgets::hint_ui(
                                ui,
                                &format!(
                                    "{period} runs until {}: it can be issued from {}.",
                                    period.end(),
                                    period.next().start()
                                ),
                            );
                        }
                    }
                });
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    ui.label("Export");
                    let mut choices: Vec<Option<PayeeId>> = vec![None];
                    choices.extend(cache.contract.payees.iter().map(|p| Some(p.id)));
                    let contract = &cache.contract;
                    widgets::choice_ui(
                        ui,
                        "Export for",
                        "statement_export_for",
                        &mut self.export_payee,
                        &choices,
                        |p| {
                            p.and_then(|id| contract.payee(id)).map_or_else(
                                || "Whole statement".to_owned(),
                                |p| format!("{}'s copy", p.name),
                            )
                        },
                    );
                    if ui.button("Save as PDF…").clicked() {
                        actions.push(Action::Export(true));
                    }
                    if ui.button("Save as CSV…").clicked() {
                        actions.push(Action::Export(false));
                    }
                });
            }
        }
        ui.add_space(10.0);
        ui.separator();
        self.payments_ui(ui, ctx, &mut actions);
        for action in actions {
            self.act(action, ctx);
        }
        self.issue_confirm_ui(ui, ctx);
    }

    fn payments_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>, actions: &mut Vec<Action>) {
        let Some(cache) = &self.statements else {
            return;
        };
        let contract = cache.contract.clone();
        ui.heading("Payments to payees");
        let open: Vec<&Payment> = cache
            .payments
            .iter()
            .filter(|p| p.statement_id.is_none())
            .collect();
        if open.is_empty() {
            widgets::hint_ui(ui, "No payments waiting for a statement.");
        } else {
            widgets::hint_ui(
                ui,
                "Recorded and not yet on an issued statement (the next one takes them):",
            );
            egui::Grid::new("open_payments")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for p in open {
                        ui.label(p.date.to_string());
                        ui.label(contract.payee(p.payee).map_or("?", |x| x.name.as_str()));
                        ui.label(p.amount.to_string());
                        if ui
                            .small_button(format!("Delete payment of {} on {}", p.amount, p.date))
                            .clicked()
                        {
                            actions.push(Action::DeletePayment(p.id));
                        }
                        ui.end_row();
                    }
                });
        }
        ui.add_space(4.0);
        let form = &mut self.payment;
        if form.payee.is_none() {
            form.payee = contract.payees.first().map(|p| p.id);
        }
        if form.date.is_empty() {
            form.date = today().to_string();
        }
        let mut record = false;
        egui::Grid::new("payment_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                ui.label("Pay to");
                let ids: Vec<Option<PayeeId>> =
                    contract.payees.iter().map(|p| Some(p.id)).collect();
                widgets::choice_ui(ui, "Pay to", "payment_payee", &mut form.payee, &ids, |id| {
                    id.and_then(|id| contract.payee(id))
                        .map_or_else(String::new, |p| p.name.clone())
                });
                ui.end_row();
                widgets::field_ui(ui, "Paid on", &mut form.date, None);
                widgets::field_ui(
                    ui,
                    &format!("Amount paid ({})", contract.currency),
                    &mut form.amount,
                    None,
                );
                widgets::field_ui(ui, "Payment note", &mut form.note, None);
            });
        if ui.button("Record payment").clicked() {
            record = true;
        }
        if record {
            let payment = (|| -> Result<Payment, String> {
                let payee = form.payee.ok_or("Choose who was paid")?;
                let date = parse_date(&form.date).map_err(|e| format!("Paid on: {e}"))?;
                let amount = Money::parse(&form.amount, contract.currency)
                    .map_err(|e| format!("Amount paid: {e}"))?;
                Ok(Payment {
                    id: PaymentId::UNSAVED,
                    contract_id: contract.id,
                    payee,
                    date,
                    amount,
                    note: form.note.trim().to_owned(),
                    statement_id: None,
                })
            })();
            match payment {
                Ok(p) => {
                    self.sent = Some(Sent::Payment);
                    ctx.send(Command::Contracts(Box::new(Op::RecordPayment(p))));
                }
                Err(e) => ctx.send(Command::Error(e)),
            }
        }
    }

    fn act(&mut self, action: Action, ctx: &mut PanelCtx<'_>) {
        match action {
            Action::View(v) => {
                self.viewing = v;
                self.drill = None;
            }
            Action::Drill {
                title,
                ids,
                reasons,
            } => {
                let lines = ctx
                    .report(db_contracts::ledger_lines(ctx.catalog.conn(), &ids))
                    .unwrap_or_default();
                self.drill = Some(Drill {
                    title,
                    lines,
                    reasons,
                });
            }
            Action::Issue => {
                self.confirm_issue = self.statements.as_ref().map(|s| s.next);
            }
            Action::Export(pdf) => self.start_export(ctx, pdf),
            Action::DeletePayment(id) => {
                self.sent = Some(Sent::Other);
                ctx.send(Command::Contracts(Box::new(Op::DeletePayment(id))));
            }
        }
    }

    fn issue_confirm_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(period) = self.confirm_issue else {
            return;
        };
        let Some(cache) = &self.statements else {
            return;
        };
        let payable = cache
            .draft
            .as_ref()
            .map_or_else(|_| String::new(), |s| s.payable.to_string());
        let body = format!(
            "The {period} statement of “{}” is frozen once issued: its figures never change, and \
             income reported later for {period} goes into the next period. Payable now: {payable}.",
            cache.contract.display_name()
        );
        match widgets::confirm_ui(
            ui.ctx(),
            "issue_statement",
            &format!("Issue the {period} statement?"),
            &body,
            "Issue statement",
        ) {
            Answer::Confirm => {
                self.confirm_issue = None;
                self.sent = Some(Sent::Issue);
                ctx.send(Command::Contracts(Box::new(Op::Issue {
                    contract: cache.contract.id,
                    period,
                    today: today(),
                })));
            }
            Answer::Cancel => self.confirm_issue = None,
            Answer::Pending => {}
        }
    }

    fn drill_ui(&mut self, ctx: &egui::Context) {
        let Some(drill) = &self.drill else { return };
        let mut open = true;
        egui::Window::new("Ledger lines")
            .id(egui::Id::unique("contract_drill"))
            .open(&mut open)
            .collapsible(false)
            .default_pos([420.0, 120.0])
            .default_width(820.0)
            .default_height(360.0)
            .show(ctx, |ui| {
                ui.label(RichText::new(&drill.title).strong());
                widgets::hint_ui(
                    ui,
                    &format!(
                        "{} line(s) from the sales ledger, as the stores reported them.",
                        drill.lines.len()
                    ),
                );
                egui::ScrollArea::both().max_height(420.0).show(ui, |ui| {
                    egui::Grid::new("drill_lines")
                        .striped(true)
                        .num_columns(10)
                        .spacing([10.0, 4.0])
                        .show(ui, |ui| {
                            for h in [
                                "Sale date",
                                "Source",
                                "Report",
                                "Channel",
                                "Territory",
                                "Qty",
                                "Artist",
                                "Title as reported",
                                "Amount",
                            ] {
                                ui.label(RichText::new(h).strong());
                            }
                            ui.label(if drill.reasons.is_empty() {
                                RichText::new("")
                            } else {
                                RichText::new("Why left out").strong()
                            });
                            ui.end_row();
                            for l in &drill.lines {
                                ui.label(l.sale_date.to_string());
                                ui.label(&l.source);
                                ui.label(l.file_name.as_ref().map_or_else(
                                    || "—".to_owned(),
                                    |f| format!("{f} line {}", l.line_no),
                                ));
                                ui.label(l.channel.label());
                                ui.label(if l.territory.is_empty() {
                                    "—"
                                } else {
                                    l.territory.as_str()
                                });
                                right_ui(ui, |ui| ui.label(l.quantity.to_string()));
                                ui.label(&l.artist);
                                ui.label(&l.title);
                                let amount = format!("{} {}", l.net.to_short_string(), l.currency);
                                right_ui(ui, |ui| ui.label(amount));
                                if let Some(reason) = drill.reasons.get(&l.id) {
                                    ui.label(
                                        RichText::new(widgets::capitalized(reason))
                                            .color(theme::warn_color(ui)),
                                    );
                                } else {
                                    ui.label("");
                                }
                                ui.end_row();
                            }
                        });
                });
            });
        if !open {
            self.drill = None;
        }
    }

    fn start_export(&mut self, ctx: &mut PanelCtx<'_>, pdf: bool) {
        let Some(cache) = &self.statements else {
            return;
        };
        let Some(statement) = cache.statement(self.viewing) else {
            return;
        };
        let label = ctx
            .report(crate::db::labels::own(ctx.catalog.conn()))
            .flatten()
            .map_or_else(String::new, |l| l.name);
        let status = cache.status(self.viewing);
        let doc = StatementDoc {
            label: &label,
            contract: &cache.contract,
            artist: &cache.artist,
            statement,
            releases: &cache.releases,
            status: &status,
        };
        let printable = statement_export::printable(&doc, self.export_payee, today());
        let name =
            statement_export::file_name(&doc, self.export_payee, if pdf { "pdf" } else { "csv" });
        let job = widgets::SaveJob::start("statement-export", name, "the statement", move || {
            if pdf {
                crate::io::printable::to_pdf(&printable)
                    .map_err(|e| format!("The statement PDF could not be made: {e}"))
            } else {
                Ok(crate::io::printable::to_csv(&printable).into_bytes())
            }
        });
        match job {
            Ok(job) => self.export = Some(job),
            Err(e) => ctx.send(Command::Error(format!("Could not start the export: {e}"))),
        }
    }

    fn poll_export(&mut self, ctx: &mut PanelCtx<'_>) {
        widgets::SaveJob::poll_into(&mut self.export, ctx);
    }

    // ---- when does this recoup? ----

    fn recoup_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        self.refresh_statements(ctx);
        let Some(cache) = &self.statements else {
            return;
        };
        let c = &cache.contract;
        let money = |minor: i64| Money::new(minor, c.currency).to_string();
        ui.heading("When does this recoup?");
        widgets::hint_ui(
            ui,
            "From the average earnings of recent periods (royalties after reserves), the period whose statement shows the account recouped.",
        );
        ui.add_space(6.0);
        let form = &mut self.projection;
        egui::Grid::new("recoup_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                ui.label("Average over");
                ui.horizontal(|ui| {
                    ui.label("the last");
                    widgets::cell_field_ui(
                        ui,
                        "Average over the last (periods)",
                        &mut form.periods,
                        None,
                        40.0,
                    );
                    ui.label("statement periods");
                });
                ui.end_row();
                ui.label("What if");
                ui.horizontal(|ui| {
                    ui.label("we spend on");
                    widgets::choice_ui(
                        ui,
                        "What-if cost category",
                        "whatif_category",
                        &mut form.category,
                        CostCategory::ALL,
                        |k| k.label().to_lowercase(),
                    );
                    widgets::cell_field_ui(ui, "What-if quantity", &mut form.quantity, None, 60.0);
                    ui.label("units at");
                    widgets::cell_field_ui(
                        ui,
                        "What-if unit cost",
                        &mut form.unit_cost,
                        None,
                        70.0,
                    );
                    ui.label(format!("{} each", c.currency));
                });
                ui.end_row();
            });
        widgets::hint_ui(
            ui,
            "For example: pressing, 300 units at 4.35 each (300 more LPs).",
        );
        ui.add_space(6.0);

        let n: usize = form.periods.trim().parse().unwrap_or(4).clamp(1, 40);
        // Where the account stands: after the draft when it can be worked out.
        let (outstanding, first, from) = if let Ok(d) = &cache.draft {
            (
                d.unrecouped.minor,
                d.period.next(),
                format!("after the {} draft", d.period),
            )
        } else {
            let last = cache.issued.last();
            (
                last.map_or(c.advance.minor, |s| s.statement.unrecouped.minor),
                cache.next,
                last.map_or_else(
                    || "before the first statement".to_owned(),
                    |s| format!("after the {} statement", s.period),
                ),
            )
        };
        let mut samples: Vec<(StatementPeriod, i64, bool)> = cache
            .issued
            .iter()
            .map(|s| (s.period, recoup::period_earnings(&s.statement), true))
            .collect();
        if let Ok(d) = &cache.draft
            && (d.period.end() < cache.today || samples.is_empty())
        {
            samples.push((
                d.period,
                recoup::period_earnings(d),
                d.period.end() < cache.today,
            ));
        }
        let skip = samples.len().saturating_sub(n);
        let samples = &samples[skip..];
        let what_if = if form.quantity.trim().is_empty() && form.unit_cost.trim().is_empty() {
            Ok(None)
        } else {
            let quantity = form.quantity.trim().parse::<i64>().map_err(|_| {
                format!(
                    "What-if quantity: “{}” is not a whole number",
                    form.quantity.trim()
                )
            });
            let unit = Money::parse(&form.unit_cost, c.currency)
                .map_err(|e| format!("What-if unit cost: {e}"));
            match (quantity, unit) {
                (Ok(q), Ok(u)) => {
                    let share = c.recoupable_share(form.category);
                    recoup::what_if_cost(q, u, share)
                        .map(|charged| Some((q, u, share, charged)))
                        .ok_or_else(|| "What-if: the amount is too large".to_owned())
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        };
        egui::Grid::new("recoup_figures")
            .num_columns(2)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                ui.label(format!("Still to recoup {from}"));
                ui.label(money(outstanding));
                ui.end_row();
                if let Ok(Some((q, u, share, charged))) = &what_if {
                    ui.label(format!(
                        "What-if: {q} × {u} {}, {share} recoupable",
                        form.category.label().to_lowercase()
                    ));
                    ui.label(format!("+ {charged}"));
                    ui.end_row();
                }
                for (period, earned, complete) in samples {
                    ui.label(format!(
                        "Earned towards recoupment in {period}{}",
                        if *complete { "" } else { " (so far)" }
                    ));
                    ui.label(money(*earned));
                    ui.end_row();
                }
            });
        if let Err(e) = &what_if {
            ui.label(RichText::new(e).color(theme::error_color(ui)));
        }
        let extra = what_if
            .as_ref()
            .ok()
            .and_then(Option::as_ref)
            .map_or(0, |(_, _, _, m)| m.minor);
        let earnings: Vec<i64> = samples.iter().map(|(_, e, _)| *e).collect();
        let projection = recoup::project(outstanding.saturating_add(extra), &earnings, first);
        ui.add_space(8.0);
        let color = match projection {
            Projection::Recouped | Projection::In { .. } => theme::ok_color(ui),
            Projection::NoEarnings | Projection::Beyond { .. } => theme::warn_color(ui),
        };
        ui.label(
            RichText::new(projection.message(c.currency))
                .color(color)
                .strong()
                .size(16.0),
        );
        if !c.cross_collateralised {
            widgets::hint_ui(
                ui,
                "This contract is not cross-collateralised: each release recoups on its own, so some may pay out earlier. The projection treats the account as a whole.",
            );
        }
    }
}

/// A titled part of the editor with its problems in red below the title.
fn section_ui(ui: &mut Ui, title: &str, problems: &[String], add_contents: impl FnOnce(&mut Ui)) {
    ui.add_space(theme::SECTION_GAP);
    ui.label(RichText::new(title).strong().size(15.0));
    problems_ui(ui, problems);
    add_contents(ui);
}

/// A column title in a statement table (right-aligned over number columns).
fn header_ui(ui: &mut Ui, text: &str, right: bool) {
    let text = RichText::new(text).color(theme::weak_color(ui));
    if right {
        right_ui(ui, |ui| ui.label(text));
    } else {
        ui.label(text);
    }
}

/// A grid cell whose contents sit at its right edge (amounts line up).
fn right_ui<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> R {
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), add)
        .inner
}

fn problems_ui(ui: &mut Ui, problems: &[String]) {
    for p in problems {
        ui.label(RichText::new(p).color(theme::error_color(ui)));
    }
}

/// The statement's figures; clicking a figure asks for the ledger lines behind it.
fn statement_ui(ui: &mut Ui, cache: &StatementsCache, s: &Statement, actions: &mut Vec<Action>) {
    let money = |m: Money| m.to_string();
    let neg = |m: Money| Money::new(-m.minor, m.currency).to_string();
    let release = |id: ReleaseId| {
        cache
            .releases
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Release #{id}"))
    };
    let all_counted = s.counted_lines();
    ui.columns(2, |cols| {
        let ui = &mut cols[0];
        ui.label(RichText::new("Account").strong());
        egui::Grid::new("statement_summary")
            .num_columns(2)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                let row = |ui: &mut Ui, label: &str, value: String| {
                    ui.label(label);
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(value)
                    });
                    ui.end_row();
                };
                row(ui, "Opening balance", money(s.opening_balance));
                ui.label("Royalties");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let link = ui.link(money(s.royalties));
                    widgets::name_widget(&link, egui::Role::Link, "Ledger lines: all royalties");
                    if link.clicked() {
                        actions.push(Action::Drill {
                            title: format!("All sales counted on the {} statement", s.period),
                            ids: all_counted.clone(),
                            reasons: BTreeMap::new(),
                        });
                    }
                });
                ui.end_row();
                row(ui, "Advance", neg(s.advance));
                row(ui, "Recoupable costs charged", neg(s.costs_charged));
                row(ui, "Reserve held", neg(s.reserve_held));
                row(ui, "Reserve released", money(s.reserve_released));
                row(ui, "Payments made", neg(s.payments_total));
                ui.label(RichText::new("Closing balance").strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(RichText::new(money(s.closing_balance)).strong())
                });
                ui.end_row();
                row(ui, "Still to recoup", money(s.unrecouped));
                ui.label(RichText::new("Payable now").strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(RichText::new(money(s.payable)).strong())
                });
                ui.end_row();
            });
        let ui = &mut cols[1];
        ui.label(RichText::new("Payees").strong());
        egui::Grid::new("statement_payees")
            .striped(true)
            .num_columns(6)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for (i, h) in ["Payee", "Royalties", "Credited", "Owed", "Payable"]
                    .into_iter()
                    .enumerate()
                {
                    header_ui(ui, h, i > 0);
                }
                ui.label("");
                ui.end_row();
                for p in &s.payees {
                    ui.label(&p.name);
                    let link = right_ui(ui, |ui| ui.link(money(p.royalties)));
                    widgets::name_widget(
                        &link,
                        egui::Role::Link,
                        &format!("Ledger lines: royalties of {}", p.name),
                    );
                    if link.clicked() {
                        let ids: Vec<IncomeLineId> = s
                            .lines
                            .iter()
                            .filter(|l| l.payees.iter().any(|x| x.payee == p.payee && x.minor != 0))
                            .flat_map(|l| l.income_lines.iter().copied())
                            .collect();
                        actions.push(Action::Drill {
                            title: format!(
                                "Sales {} shares in on the {} statement",
                                p.name, s.period
                            ),
                            ids,
                            reasons: BTreeMap::new(),
                        });
                    }
                    right_ui(ui, |ui| ui.label(money(p.credited)));
                    right_ui(ui, |ui| ui.label(money(p.closing)));
                    right_ui(ui, |ui| ui.label(money(p.payable)));
                    ui.label("");
                    ui.end_row();
                }
            });
    });
    ui.add_space(8.0);
    ui.label(RichText::new("Earnings").strong());
    if s.lines.is_empty() {
        widgets::hint_ui(ui, "No sales under this contract in this period yet.");
    } else {
        let base = match cache.contract.royalty_base {
            RoyaltyBase::Gross => "Gross",
            RoyaltyBase::Net => "Net",
        };
        egui::Grid::new("statement_lines")
            .striped(true)
            .num_columns(7)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for (i, h) in [
                    "Release",
                    "Channel",
                    "Territory",
                    base,
                    "Rate",
                    "Royalty",
                    "Lines",
                ]
                .into_iter()
                .enumerate()
                {
                    header_ui(ui, h, (3..6).contains(&i));
                }
                ui.end_row();
                for line in &s.lines {
                    let title = release(line.release);
                    let territory = if line.territory.is_empty() {
                        "—".to_owned()
                    } else {
                        line.territory.clone()
                    };
                    ui.label(&title);
                    ui.label(line.channel.label());
                    ui.label(&territory);
                    let amount = match cache.contract.royalty_base {
                        RoyaltyBase::Gross => line.gross,
                        RoyaltyBase::Net => line.net,
                    };
                    let shown = amount
                        .to_money(s.currency)
                        .map_or_else(|| amount.to_short_string(), |m| m.to_string());
                    right_ui(ui, |ui| ui.label(shown));
                    right_ui(ui, |ui| ui.label(line.rate_text()));
                    let link = right_ui(ui, |ui| ui.link(money(line.royalty)));
                    let name = format!(
                        "Ledger lines: {title} · {} · {territory}",
                        line.channel.label()
                    );
                    widgets::name_widget(&link, egui::Role::Link, &name);
                    if link.clicked() {
                        actions.push(Action::Drill {
                            title: format!(
                                "{title} · {} · {territory}: {}",
                                line.channel.label(),
                                money(line.royalty)
                            ),
                            ids: line.income_lines.clone(),
                            reasons: BTreeMap::new(),
                        });
                    }
                    ui.label(line.income_lines.len().to_string());
                    ui.end_row();
                }
            });
    }
    if !s.costs.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new("Recoupable costs").strong());
        egui::Grid::new("statement_costs")
            .striped(true)
            .num_columns(7)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for (i, h) in [
                    "Date",
                    "Release",
                    "Category",
                    "Cost",
                    "Recoupable",
                    "Charged",
                ]
                .into_iter()
                .enumerate()
                {
                    header_ui(ui, h, i > 2);
                }
                ui.label("");
                ui.end_row();
                for c in &s.costs {
                    ui.label(c.date.to_string());
                    ui.label(c.release.map_or_else(String::new, release));
                    ui.label(c.category.label());
                    right_ui(ui, |ui| ui.label(money(c.amount)));
                    right_ui(ui, |ui| ui.label(c.share.to_string()));
                    right_ui(ui, |ui| ui.label(money(c.charged)));
                    // An empty last column keeps the amounts beside their titles.
                    ui.label("");
                    ui.end_row();
                }
            });
    }
    if !s.payments.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new("Payments on this statement").strong());
        egui::Grid::new("statement_payments")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                for p in &s.payments {
                    ui.label(p.date.to_string());
                    ui.label(
                        cache
                            .contract
                            .payee(p.payee)
                            .map_or("?", |x| x.name.as_str()),
                    );
                    ui.label(money(p.amount));
                    ui.end_row();
                }
            });
    }
    if !s.late_lines.is_empty() || !s.excluded.is_empty() || !s.notes.is_empty() {
        ui.add_space(8.0);
        for note in &s.notes {
            ui.label(RichText::new(note).color(theme::warn_color(ui)));
        }
        ui.horizontal(|ui| {
            if !s.late_lines.is_empty() {
                let text = format!(
                    "{} line(s) reported late for an earlier period",
                    s.late_lines.len()
                );
                if ui.link(text).clicked() {
                    actions.push(Action::Drill {
                        title: format!(
                            "Sales dated before {} that arrived after their statement",
                            s.period
                        ),
                        ids: s.late_lines.clone(),
                        reasons: BTreeMap::new(),
                    });
                }
            }
            if !s.excluded.is_empty() {
                let text = format!(
                    "{} line(s) outside the contract, not counted",
                    s.excluded.len()
                );
                if ui.link(text).clicked() {
                    actions.push(Action::Drill {
                        title: "Sales left out of the statement, and why".to_owned(),
                        ids: s.excluded.iter().map(|e| e.id).collect(),
                        reasons: s
                            .excluded
                            .iter()
                            .map(|e| (e.id, e.reason.clone()))
                            .collect(),
                    });
                }
            }
        });
    }
}

/// Opens the contract document with the system viewer, on a thread of its own (the viewer
/// may take a while to start).
fn open_document(path: &str) -> Result<(), String> {
    let path = path.trim().to_owned();
    if path.is_empty() {
        return Err("No document file is set for this contract".to_owned());
    }
    if !std::path::Path::new(&path).exists() {
        return Err(format!("{path}: no such file (was it moved?)"));
    }
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    std::thread::Builder::new()
        .name("open-contract-document".to_owned())
        .spawn(move || {
            let _ = std::process::Command::new(program).arg(&path).status();
        })
        .map(|_| ())
        .map_err(|e| format!("Could not open the document: {e}"))
}
