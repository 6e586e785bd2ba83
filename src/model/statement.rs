//! The royalty statement engine: for a contract and a period, from the income, costs and
//! payments that fall into it and the state carried from the previous statement, every figure
//! of the statement and the state to carry into the next. Pure: no SQL, no UI, no floats.
//!
//! ## How a statement is worked out
//! 1. **Earnings.** Income lines are grouped by release, channel and territory (one
//!    [`EarningsLine`] each, carrying the ids of the income lines it sums). A line is left out
//!    (listed in [`Statement::excluded`] with the reason) when it was sold outside the
//!    contract's territory, before its start, on or after the reversion, or on a channel the
//!    contract has no rate for.
//! 2. **Royalty.** Per income line: the base (gross receipts, or net; a line without a gross
//!    amount uses its net) times the artist's rate for its channel and format kind
//!    ([`Contract::artist_rate`]: the written rate, or 100 % minus the label's fee for license
//!    and distribution deals). A net-profit split is the same sum: a 50/50 split is a 50 % rate
//!    with costs recoupable at 50 %.
//!    **Co-credited releases.** A release credited to several primary artists who each have
//!    an artist contract is covered by each of those contracts; so that its income is not
//!    paid twice, each contract pays its own artist an equal share (the usual pro-rata rule
//!    for joint recordings). A sale that the contracts of `k` other artists also pay on
//!    ([`StatementInput::co_credits`]: same release, inside their territory, on or after their
//!    start and before their reversion, a rate above zero for its channel and format) earns
//!    `1 / (k + 1)` of the royalty here, and a note on the statement names the other contracts.
//!    A release contract takes precedence over artist contracts: it is how the user sets any
//!    other split of a joint release (one contract, the artists as payees).
//! 3. **Payees.** Each income line's royalty is shared by the track's split, else the
//!    release's, else the contract's default ([`Contract::split_for`]).
//! 4. **Recoupment.** Amounts are recouped in accounts ("pools"). Cross-collateralised: one
//!    pool for the whole contract. Not cross-collateralised: one pool per release, which
//!    recoups only that release's costs and its part of the advance, and passes what is left
//!    to the contract pool. **The advance** is charged on the contract's first statement:
//!    cross-collateralised, all of it to the contract pool; otherwise in equal parts (by
//!    [`share_out`], earlier release first for the odd cent) to the releases the contract
//!    covers at that statement ([`StatementInput::releases`]), or to the contract pool when
//!    it covers none yet, where it is recouped from what all releases pass on. Recoupable
//!    costs are charged at the contract's recoupable share of their category.
//! 5. **Reserves.** The reserve share of each pool's physical royalties is held back and
//!    released in equal parts ([`share_out`]) over the following periods, into the same pool.
//! 6. **Payable.** What the contract pool has left after recouping is credited to the payees
//!    in proportion to their royalties in it (by the pool's default split when they earned
//!    nothing this period, e.g. only a reserve came back). A payee's balance is what they are
//!    owed: opening + credited − payments. It is payable when the account is recouped (the
//!    contract pool has nothing left to recoup) and it reaches the minimum payout; otherwise
//!    it is carried forward.
//!
//! The balances: `closing = opening − advance − costs + royalties − reserves held + reserves
//! released − payments`, where a balance is what the payees are owed minus what is still to
//! be recouped.
//!
//! ## Rounding (the rule, written down)
//! Income amounts are exact [`Amount8`] (10⁻⁸ units). For each statement line, the exact
//! royalties of its income lines (amount × rate, divided by the number of co-credited
//! contracts sharing it, no rounding: the engine counts in units fine enough for every such
//! division to be exact) are summed and the sum is rounded **once**, half to even
//! ([`div_half_even`]), to the currency's minor unit. The line's payee amounts are the exact
//! per-payee royalties apportioned to that rounded figure by the largest remainder method
//! ([`apportion`]), so they add up to the line exactly.
//! Everything after that is whole minor units: recoupable shares and reserves are
//! [`BasisPoints::apply`] (half to even), shares out of a total by [`share_out`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::contract::{
    Contract, ContractErrors, ContractId, PayeeId, PaymentId, SplitScope, SplitSet,
    StatementPeriod, apportion, share_out,
};
use super::ids::{ArtistId, ReleaseId, TrackId};
use super::kinds::FormatKind;
use super::ledger::{Amount8, Channel, CostCategory, CostLineId, IncomeLineId, div_half_even};
use super::money::{BasisPoints, Currency, Money};

/// One income line as the engine sees it, already in the contract's currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IncomeInput {
    pub id: IncomeLineId,
    pub sale_date: NaiveDate,
    pub release: ReleaseId,
    pub track: Option<TrackId>,
    pub format: Option<FormatKind>,
    pub channel: Channel,
    /// As the report wrote it (usually an ISO country code), or empty.
    pub territory: String,
    pub gross: Option<Amount8>,
    pub net: Amount8,
}

/// A recoupable cost, in the contract's currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CostInput {
    pub id: CostLineId,
    pub date: NaiveDate,
    pub release: Option<ReleaseId>,
    pub category: CostCategory,
    pub amount: Money,
}

/// Money paid to a payee.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PaymentInput {
    pub id: PaymentId,
    pub payee: PayeeId,
    pub date: NaiveDate,
    pub amount: Money,
}

/// A recoupment account: the whole contract, or one release when the contract is not
/// cross-collateralised.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    Release(ReleaseId),
    Contract,
}

/// An amount per pool (minor units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PoolAmount {
    pub pool: Pool,
    pub minor: i64,
}

/// An amount per payee (minor units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayeeAmount {
    pub payee: PayeeId,
    pub minor: i64,
}

/// A reserve held in one period, with the installments still to be released (the next one
/// first).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReserveBatch {
    pub held_in: StatementPeriod,
    pub pool: Pool,
    pub installments: Vec<i64>,
}

/// What one statement hands to the next.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CarriedForward {
    /// The period this state closes (none before the first statement).
    pub after: Option<StatementPeriod>,
    /// True once the advance was charged (on the first statement).
    pub advance_charged: bool,
    /// What each pool still has to recoup (only pools with something left, each above zero).
    pub unrecouped: Vec<PoolAmount>,
    /// Reserves not yet released.
    pub reserves: Vec<ReserveBatch>,
    /// What each payee is owed (payable or carried under the minimum payout); nonzero only.
    pub owed: Vec<PayeeAmount>,
}

impl CarriedForward {
    /// The state before a contract's first statement: nothing recouped, owed or held, the
    /// advance not yet charged.
    #[must_use]
    pub fn initial() -> Self {
        Self::default()
    }

    /// Still to recoup, over all pools.
    #[must_use]
    pub fn unrecouped_total(&self) -> i64 {
        self.unrecouped.iter().map(|p| p.minor).sum()
    }

    /// Owed to payees, over all payees.
    #[must_use]
    pub fn owed_total(&self) -> i64 {
        self.owed.iter().map(|p| p.minor).sum()
    }

    /// The account balance this state stands for: owed to payees minus still to recoup (minus
    /// the advance when it was not charged yet).
    #[must_use]
    pub fn balance(&self, contract: &Contract) -> i64 {
        let advance = if self.advance_charged {
            0
        } else {
            contract.advance.minor
        };
        self.owed_total() - self.unrecouped_total() - advance
    }
}

/// Another artist's contract that also covers a release of this contract: the release is
/// credited to both artists as primary artists and each has an artist contract (see the
/// module notes on co-credited releases).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CoCredit {
    pub release: ReleaseId,
    /// The release's title, for the statement's note.
    pub release_title: String,
    pub artist: ArtistId,
    pub artist_name: String,
    /// That artist's contract: its terms decide which sales it pays on.
    pub contract: Contract,
}

impl CoCredit {
    /// True when the other contract pays its artist something on `line` (so this contract
    /// pays only its own artist's share of it).
    #[must_use]
    pub fn pays_on(&self, line: &IncomeInput) -> bool {
        line.release == self.release
            && left_out(&self.contract, line).is_none()
            && self
                .contract
                .artist_rate(line.channel, line.format)
                .is_some_and(|r| r.0 > 0)
    }
}

/// Everything the engine needs for one statement (the database layer loads it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatementInput {
    pub period: StatementPeriod,
    /// The previous statement's [`Statement::carried_forward`], or
    /// [`CarriedForward::initial`].
    pub previous: CarriedForward,
    /// The releases the contract covers now (for sharing out the advance, see the module
    /// notes).
    pub releases: Vec<ReleaseId>,
    /// Income lines dated up to the period's end that no issued statement of the contract
    /// included.
    pub income: Vec<IncomeInput>,
    /// Recoupable costs, likewise.
    pub costs: Vec<CostInput>,
    /// Payments to payees, likewise.
    pub payments: Vec<PaymentInput>,
    /// Remarks from loading (lines that could not be taken, and why), shown on the statement.
    pub notes: Vec<String>,
    /// Other artists' contracts that cover releases of this one (co-credited releases; empty
    /// for a release contract, which no artist contract shares).
    #[serde(default)]
    pub co_credits: Vec<CoCredit>,
}

/// One line of earnings: a release's sales on one channel in one territory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EarningsLine {
    pub release: ReleaseId,
    pub channel: Channel,
    /// Uppercased; empty when the reports did not say.
    pub territory: String,
    pub gross: Amount8,
    pub net: Amount8,
    /// The rate when every income line had the same one (else the lines mix formats with
    /// different rates).
    pub rate: Option<BasisPoints>,
    /// Rounded once from the exact sum (see the module notes).
    pub royalty: Money,
    /// The royalty by payee (adds up to `royalty`), in the contract's payee order.
    pub payees: Vec<PayeeAmount>,
    /// The income lines this line sums (for drilling down to the ledger).
    pub income_lines: Vec<IncomeLineId>,
    /// Whether the royalty is shared with other artists' contracts on a co-credited release
    /// (absent in statements issued before sharing existed: not shared).
    #[serde(default)]
    pub shared: Shared,
}

/// How an earnings line's royalty is shared with other artists' contracts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Shared {
    /// This contract takes the whole royalty.
    #[default]
    No,
    /// Every sale on the line is shared equally between this many contracts (2 or more).
    Equally(u32),
    /// Some of the line's sales are shared, others not (or between different numbers).
    Partly,
}

impl EarningsLine {
    /// The Rate column of a statement: the contract's rate ("mixed" when the line's sales had
    /// different ones), and the share when the royalty is shared: "20% × 1/2".
    #[must_use]
    pub fn rate_text(&self) -> String {
        let rate = self
            .rate
            .map_or_else(|| "mixed".to_owned(), |r| r.to_string());
        match self.shared {
            Shared::No => rate,
            Shared::Equally(parts) => format!("{rate} × 1/{parts}"),
            Shared::Partly => format!("{rate}, partly shared"),
        }
    }
}

/// A cost charged to the account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CostCharge {
    pub cost: CostLineId,
    pub date: NaiveDate,
    pub release: Option<ReleaseId>,
    pub category: CostCategory,
    pub amount: Money,
    /// The contract's recoupable share of the category.
    pub share: BasisPoints,
    /// `share` of `amount` (half to even).
    pub charged: Money,
    pub pool: Pool,
}

/// An income line left out of the statement, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExcludedLine {
    pub id: IncomeLineId,
    pub reason: String,
}

/// The movements of one recoupment account in the period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PoolSummary {
    pub pool: Pool,
    /// Minus what was still to recoup at the start.
    pub opening: Money,
    pub advance: Money,
    pub costs: Money,
    pub royalties: Money,
    pub reserve_held: Money,
    pub reserve_released: Money,
    /// What release pools passed on (the contract pool of a contract that is not
    /// cross-collateralised).
    pub from_releases: Money,
    /// Recovered this period from the advance and costs.
    pub recouped: Money,
    /// Passed on: to the contract pool (release pools) or to the payees (the contract pool).
    pub passed_on: Money,
    /// Minus what is still to recoup.
    pub closing: Money,
}

/// One payee's account in the period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayeeSummary {
    pub payee: PayeeId,
    pub name: String,
    /// Owed from earlier statements (carried under the minimum, or not yet paid).
    pub opening: Money,
    /// Their royalties this period (before recoupment and reserves).
    pub royalties: Money,
    /// Their part of what the account passed on after recoupment and reserves.
    pub credited: Money,
    pub payments: Money,
    /// Owed after this statement.
    pub closing: Money,
    /// To pay now (the closing when the account is recouped and it reaches the minimum).
    pub payable: Money,
    /// Carried to the next statement without being payable (under the minimum).
    pub carried: Money,
}

/// A statement: every figure for one contract and period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Statement {
    pub contract_id: ContractId,
    pub period: StatementPeriod,
    pub currency: Currency,
    /// Owed to payees minus still to recoup, before this period.
    pub opening_balance: Money,
    pub lines: Vec<EarningsLine>,
    pub royalties: Money,
    /// The advance charged on this statement (the first one).
    pub advance: Money,
    pub costs: Vec<CostCharge>,
    pub costs_charged: Money,
    pub reserve_held: Money,
    pub reserve_released: Money,
    /// Recovered this period from the advance and costs, over all pools.
    pub recouped: Money,
    pub pools: Vec<PoolSummary>,
    pub payees: Vec<PayeeSummary>,
    pub payments: Vec<PaymentInput>,
    pub payments_total: Money,
    pub closing_balance: Money,
    /// Still to recoup after this period, over all pools.
    pub unrecouped: Money,
    /// Payable now, over all payees.
    pub payable: Money,
    /// Income lines dated before this period (arrived after their period was issued).
    pub late_lines: Vec<IncomeLineId>,
    pub excluded: Vec<ExcludedLine>,
    pub notes: Vec<String>,
    pub carried_forward: CarriedForward,
}

impl Statement {
    /// The income lines the statement counted (summed in its earnings lines).
    #[must_use]
    pub fn counted_lines(&self) -> Vec<IncomeLineId> {
        let mut ids: Vec<IncomeLineId> = self
            .lines
            .iter()
            .flat_map(|l| l.income_lines.iter().copied())
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// Why a statement could not be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("the contract's terms have problems: {0}")]
    Contract(ContractErrors),
    #[error("{what} is in {found}, but the contract is in {expected}")]
    Currency {
        what: String,
        found: Currency,
        expected: Currency,
    },
    #[error("{what} is dated {date}, after the end of {period} ({end})")]
    AfterPeriod {
        what: String,
        date: NaiveDate,
        period: StatementPeriod,
        end: NaiveDate,
    },
    #[error("payment #{payment} is for payee {payee}, who is not on the contract")]
    UnknownPayee { payment: PaymentId, payee: PayeeId },
    #[error("the amounts are too large to add up")]
    Overflow,
}

fn to_i64(v: i128) -> Result<i64, StatementError> {
    i64::try_from(v).map_err(|_| StatementError::Overflow)
}

/// 10^(8 − minor digits): 10⁻⁸ units per minor unit.
fn e8_per_minor(currency: Currency) -> i128 {
    10_i128.pow(8 - u32::from(currency.minor_digits()))
}

/// Shares `amount` by nonnegative i64 weights (largest remainder, earlier first on ties).
fn share_by(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if total == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<i128> = weights
        .iter()
        .map(|w| i128::from(amount) * i128::from(*w))
        .collect();
    apportion(amount, &exact, total)
}

#[derive(Default)]
struct PoolWork {
    opening_deficit: i64,
    advance: i64,
    costs: i64,
    royalties: i64,
    physical: i64,
    /// Royalties by payee index.
    by_payee: Vec<i64>,
    held: i64,
    released: i64,
    incoming: i64,
}

struct LineWork {
    exact: i128,
    by_payee: Vec<i128>,
    gross: i128,
    net: i128,
    rates: BTreeSet<BasisPoints>,
    /// How many contracts shared each of its sales.
    parts: BTreeSet<i128>,
    ids: Vec<IncomeLineId>,
}

/// Why `contract` does not count `line`, or `None` when it does: sold outside its territory,
/// before its start, after the masters reverted, or on a channel it has no rate for.
fn left_out(contract: &Contract, line: &IncomeInput) -> Option<String> {
    if !contract.territory.covers(&line.territory) {
        Some(format!(
            "sold in {}, outside the contract's territory ({})",
            line.territory.trim(),
            contract.territory.describe()
        ))
    } else if line.sale_date < contract.start {
        Some(format!(
            "sold on {}, before the contract starts ({})",
            line.sale_date, contract.start
        ))
    } else if !contract.earns_on(line.sale_date) {
        Some(format!(
            "sold on {}, after the masters reverted to the artist",
            line.sale_date
        ))
    } else if contract.artist_rate(line.channel, line.format).is_none() {
        Some(format!(
            "the contract has no rate for {} sales",
            line.channel.label().to_lowercase()
        ))
    } else {
        None
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// "1/2", "1/2 or 1/3": the shares of a royalty a co-credited release's sales earned.
fn fractions(parts: &BTreeSet<i128>) -> String {
    parts
        .iter()
        .map(|p| format!("1/{p}"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The statement's note on one co-credited release: who else is paid on it, on how many
/// sales, and what share this contract counted.
fn co_credit_note(
    release: ReleaseId,
    others: &[&CoCredit],
    lines: usize,
    parts: &BTreeSet<i128>,
) -> String {
    let title = others.first().map_or_else(
        || format!("release #{release}"),
        |c| c.release_title.clone(),
    );
    let names: Vec<&str> = others.iter().map(|c| c.artist_name.as_str()).collect();
    let contracts: Vec<String> = others
        .iter()
        .map(|c| format!("“{}”", c.contract.display_name()))
        .collect();
    format!(
        "{title} is credited to {} too, whose contract{} {} also pay{} on {lines} of its sale lines: each contract pays its own artist an equal share, so {} earned {} of the royalty here. A release contract for {title} would split it otherwise (it takes precedence over artist contracts)",
        names.join(" and "),
        if others.len() == 1 { "" } else { "s" },
        contracts.join(" and "),
        if others.len() == 1 { "s" } else { "" },
        if lines == 1 {
            "that line"
        } else {
            "those lines"
        },
        fractions(parts),
    )
}

/// Works out the statement of `contract` for `input.period` (see the module notes).
///
/// # Errors
/// [`StatementError`]: invalid terms, an amount in another currency, a line dated after the
/// period, a payment to an unknown payee, or amounts too large to add up.
pub fn compute(contract: &Contract, input: &StatementInput) -> Result<Statement, StatementError> {
    contract.validate().map_err(StatementError::Contract)?;
    let currency = contract.currency;
    let period = input.period;
    let money = |minor: i64| Money::new(minor, currency);
    let n_payees = contract.payees.len();
    let payee_index: BTreeMap<PayeeId, usize> = contract
        .payees
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let pool_of = |release: Option<ReleaseId>| match release {
        Some(r) if !contract.cross_collateralised => Pool::Release(r),
        _ => Pool::Contract,
    };
    let after = |what: String, date: NaiveDate| StatementError::AfterPeriod {
        what,
        date,
        period,
        end: period.end(),
    };

    // 1–3. Earnings, royalties and payee shares. A co-credited sale is shared by the
    // contracts paying on it (`parts`); exact royalties are counted in 1/`scale` units, where
    // `scale` is a multiple of every `parts`, so each share is a whole number of units.
    let shared_by = |line: &IncomeInput| -> (i128, Vec<&CoCredit>) {
        let mut others: Vec<&CoCredit> = input
            .co_credits
            .iter()
            .filter(|c| c.artist != contract.artist_id && c.pays_on(line))
            .collect();
        others.sort_by_key(|c| (c.artist, c.contract.id));
        others.dedup_by_key(|c| c.artist);
        (1 + others.len() as i128, others)
    };
    let scale = input
        .income
        .iter()
        .filter(|line| left_out(contract, line).is_none())
        .map(|line| shared_by(line).0)
        .fold(1_i128, |l, p| l / gcd(l, p) * p);
    let mut shared: BTreeMap<ReleaseId, (Vec<&CoCredit>, usize, BTreeSet<i128>)> = BTreeMap::new();
    let mut excluded = Vec::new();
    let mut late_lines = Vec::new();
    let mut groups: BTreeMap<(ReleaseId, Channel, String), LineWork> = BTreeMap::new();
    for line in &input.income {
        if line.sale_date > period.end() {
            return Err(after(format!("income line #{}", line.id), line.sale_date));
        }
        if let Some(reason) = left_out(contract, line) {
            excluded.push(ExcludedLine {
                id: line.id,
                reason,
            });
            continue;
        }
        let rate = contract
            .artist_rate(line.channel, line.format)
            .unwrap_or_default();
        if line.sale_date < period.start() {
            late_lines.push(line.id);
        }
        let base = match contract.royalty_base {
            super::contract::RoyaltyBase::Gross => line.gross.unwrap_or(line.net),
            super::contract::RoyaltyBase::Net => line.net,
        };
        let (parts, others) = shared_by(line);
        if parts > 1 {
            let entry = shared.entry(line.release).or_default();
            for other in others {
                if !entry.0.iter().any(|c| c.artist == other.artist) {
                    entry.0.push(other);
                }
            }
            entry.1 += 1;
            entry.2.insert(parts);
        }
        let exact = i128::from(base.0) * i128::from(rate.0) * (scale / parts);
        let work = groups
            .entry((
                line.release,
                line.channel,
                line.territory.trim().to_uppercase(),
            ))
            .or_insert_with(|| LineWork {
                exact: 0,
                by_payee: vec![0; n_payees],
                gross: 0,
                net: 0,
                rates: BTreeSet::new(),
                parts: BTreeSet::new(),
                ids: Vec::new(),
            });
        work.exact += exact;
        work.gross += i128::from(line.gross.unwrap_or(line.net).0);
        work.net += i128::from(line.net.0);
        work.rates.insert(rate);
        work.parts.insert(parts);
        work.ids.push(line.id);
        if let Some(split) = contract.split_for(line.release, line.track) {
            for share in &split.shares {
                if let Some(i) = payee_index.get(&share.payee) {
                    work.by_payee[*i] += exact * i128::from(share.share.0);
                }
            }
        }
    }
    // Exact royalty units per minor unit.
    let minor_unit = e8_per_minor(currency) * 10_000 * scale;
    let mut pools: BTreeMap<Pool, PoolWork> = BTreeMap::new();
    let mut lines = Vec::with_capacity(groups.len());
    for ((release, channel, territory), work) in groups {
        let royalty = to_i64(div_half_even(work.exact, minor_unit))?;
        let parts = apportion(royalty, &work.by_payee, minor_unit * 10_000);
        let pool = pools.entry(pool_of(Some(release))).or_default();
        pool.by_payee.resize(n_payees, 0);
        pool.royalties += royalty;
        if channel == Channel::Physical {
            pool.physical += royalty;
        }
        for (i, part) in parts.iter().enumerate() {
            pool.by_payee[i] += part;
        }
        let mut ids = work.ids;
        ids.sort_unstable();
        let shared = match (work.parts.len(), work.parts.first()) {
            (1, Some(&1)) | (0, _) => Shared::No,
            (1, Some(&k)) => Shared::Equally(u32::try_from(k).unwrap_or(u32::MAX)),
            _ => Shared::Partly,
        };
        lines.push(EarningsLine {
            release,
            channel,
            territory,
            gross: Amount8(to_i64(work.gross)?),
            net: Amount8(to_i64(work.net)?),
            rate: (work.rates.len() == 1)
                .then(|| work.rates.first().copied())
                .flatten(),
            royalty: money(royalty),
            payees: contract
                .payees
                .iter()
                .zip(&parts)
                .filter(|(_, m)| **m != 0)
                .map(|(p, m)| PayeeAmount {
                    payee: p.id,
                    minor: *m,
                })
                .collect(),
            income_lines: ids,
            shared,
        });
    }

    // 4. Advance and costs.
    for carried in &input.previous.unrecouped {
        let pool = match carried.pool {
            Pool::Release(r) => pool_of(Some(r)),
            Pool::Contract => Pool::Contract,
        };
        pools.entry(pool).or_default().opening_deficit += carried.minor;
    }
    let advance_now = if input.previous.advance_charged {
        0
    } else {
        contract.advance.minor
    };
    if advance_now != 0 {
        let mut releases = input.releases.clone();
        releases.sort_unstable();
        releases.dedup();
        if contract.cross_collateralised || releases.is_empty() {
            pools.entry(Pool::Contract).or_default().advance += advance_now;
        } else {
            let parts = share_out(advance_now, &vec![1; releases.len()]);
            for (r, part) in releases.iter().zip(parts) {
                pools.entry(Pool::Release(*r)).or_default().advance += part;
            }
        }
    }
    let mut costs = Vec::with_capacity(input.costs.len());
    for cost in &input.costs {
        if cost.amount.currency != currency {
            return Err(StatementError::Currency {
                what: format!("cost line #{}", cost.id),
                found: cost.amount.currency,
                expected: currency,
            });
        }
        if cost.date > period.end() {
            return Err(after(format!("cost line #{}", cost.id), cost.date));
        }
        let share = contract.recoupable_share(cost.category);
        let charged = share.apply(cost.amount.minor);
        let pool = pool_of(cost.release);
        pools.entry(pool).or_default().costs += charged;
        costs.push(CostCharge {
            cost: cost.id,
            date: cost.date,
            release: cost.release,
            category: cost.category,
            amount: cost.amount,
            share,
            charged: money(charged),
            pool,
        });
    }

    // 5. Reserves: release earlier batches, hold this period's.
    let mut reserves = Vec::new();
    for batch in &input.previous.reserves {
        let pool = match batch.pool {
            Pool::Release(r) => pool_of(Some(r)),
            Pool::Contract => Pool::Contract,
        };
        let mut rest = batch.installments.clone();
        if !rest.is_empty() {
            let now = rest.remove(0);
            pools.entry(pool).or_default().released += now;
        }
        if !rest.is_empty() {
            reserves.push(ReserveBatch {
                held_in: batch.held_in,
                pool,
                installments: rest,
            });
        }
    }
    let reserve = contract.reserve;
    for (pool, work) in &mut pools {
        if reserve.held.0 > 0 && reserve.release_periods > 0 && work.physical > 0 {
            work.held = reserve.held.apply(work.physical);
            reserves.push(ReserveBatch {
                held_in: period,
                pool: *pool,
                installments: share_out(
                    work.held,
                    &vec![1; usize::try_from(reserve.release_periods).unwrap_or(1)],
                ),
            });
        }
    }

    // 4 and 6. Recoup pool by pool (releases first, the contract pool last) and pass on.
    let mut contract_pool = pools.remove(&Pool::Contract).unwrap_or_default();
    let mut summaries = Vec::with_capacity(pools.len() + 1);
    let mut unrecouped = Vec::new();
    contract_pool.by_payee.resize(n_payees, 0);
    for (pool, mut work) in pools {
        let settled = settle(contract, pool, &mut work, n_payees);
        contract_pool.incoming += settled.passed;
        for (i, part) in settled.parts.iter().enumerate() {
            contract_pool.by_payee[i] += part;
        }
        if settled.deficit != 0 {
            unrecouped.push(PoolAmount {
                pool,
                minor: settled.deficit,
            });
        }
        summaries.push(summary(pool, &work, &settled, currency));
    }
    let settled = settle(contract, Pool::Contract, &mut contract_pool, n_payees);
    if settled.deficit != 0 {
        unrecouped.push(PoolAmount {
            pool: Pool::Contract,
            minor: settled.deficit,
        });
    }
    summaries.push(summary(Pool::Contract, &contract_pool, &settled, currency));
    let account_recouped = settled.deficit <= 0;

    // 6. Payees: opening owed + credited − payments; payable at the minimum when recouped.
    let mut paid = vec![0_i64; n_payees];
    for payment in &input.payments {
        let i = *payee_index
            .get(&payment.payee)
            .ok_or(StatementError::UnknownPayee {
                payment: payment.id,
                payee: payment.payee,
            })?;
        if payment.amount.currency != currency {
            return Err(StatementError::Currency {
                what: format!("payment #{}", payment.id),
                found: payment.amount.currency,
                expected: currency,
            });
        }
        if payment.date > period.end() {
            return Err(after(format!("payment #{}", payment.id), payment.date));
        }
        paid[i] += payment.amount.minor;
    }
    let mut royalties_by_payee = vec![0_i64; n_payees];
    for line in &lines {
        for part in &line.payees {
            if let Some(i) = payee_index.get(&part.payee) {
                royalties_by_payee[*i] += part.minor;
            }
        }
    }
    let mut payees = Vec::with_capacity(n_payees);
    let mut owed = Vec::new();
    for (i, payee) in contract.payees.iter().enumerate() {
        let opening: i64 = input
            .previous
            .owed
            .iter()
            .filter(|o| o.payee == payee.id)
            .map(|o| o.minor)
            .sum();
        let closing = opening + settled.parts[i] - paid[i];
        let payable = if account_recouped && closing > 0 && closing >= contract.minimum_payout.minor
        {
            closing
        } else {
            0
        };
        if closing != 0 {
            owed.push(PayeeAmount {
                payee: payee.id,
                minor: closing,
            });
        }
        payees.push(PayeeSummary {
            payee: payee.id,
            name: payee.name.clone(),
            opening: money(opening),
            royalties: money(royalties_by_payee[i]),
            credited: money(settled.parts[i]),
            payments: money(paid[i]),
            closing: money(closing),
            payable: money(payable),
            carried: money(closing - payable),
        });
    }

    let sum = |f: &dyn Fn(&PoolSummary) -> i64| summaries.iter().map(f).sum::<i64>();
    let opening_owed: i64 = input.previous.owed.iter().map(|o| o.minor).sum();
    let opening_balance = opening_owed - input.previous.unrecouped_total();
    let closing_owed: i64 = owed.iter().map(|o| o.minor).sum();
    let unrecouped_total: i64 = unrecouped.iter().map(|p| p.minor).sum();
    let payable_total: i64 = payees.iter().map(|p| p.payable.minor).sum();
    let mut payments = input.payments.clone();
    payments.sort_by_key(|p| (p.date, p.id));
    let mut notes = input.notes.clone();
    for (release, (others, count, parts)) in &shared {
        notes.push(co_credit_note(*release, others, *count, parts));
    }
    Ok(Statement {
        contract_id: contract.id,
        period,
        currency,
        opening_balance: money(opening_balance),
        royalties: money(lines.iter().map(|l| l.royalty.minor).sum()),
        lines,
        advance: money(advance_now),
        costs_charged: money(costs.iter().map(|c| c.charged.minor).sum()),
        costs,
        reserve_held: money(sum(&|p| p.reserve_held.minor)),
        reserve_released: money(sum(&|p| p.reserve_released.minor)),
        recouped: money(sum(&|p| p.recouped.minor)),
        pools: summaries,
        payees,
        payments_total: money(paid.iter().sum()),
        payments,
        closing_balance: money(closing_owed - unrecouped_total),
        unrecouped: money(unrecouped_total),
        payable: money(payable_total),
        late_lines,
        excluded,
        notes,
        carried_forward: CarriedForward {
            after: Some(period),
            advance_charged: true,
            unrecouped,
            reserves,
            owed,
        },
    })
}

struct Settled {
    recouped: i64,
    passed: i64,
    deficit: i64,
    /// `passed` by payee index.
    parts: Vec<i64>,
}

/// Recoups what a pool owes from what it has this period and shares out the rest.
fn settle(contract: &Contract, pool: Pool, work: &mut PoolWork, n_payees: usize) -> Settled {
    work.by_payee.resize(n_payees, 0);
    let available = work.royalties - work.held + work.released + work.incoming;
    let due = work.opening_deficit + work.advance + work.costs;
    let (recouped, passed, deficit) = if available >= 0 {
        let recouped = due.clamp(0, available);
        (recouped, available - recouped, due - recouped)
    } else {
        (0, 0, due - available)
    };
    let mut weights: Vec<i64> = work.by_payee.iter().map(|v| (*v).max(0)).collect();
    if weights.iter().all(|w| *w == 0) {
        weights = default_weights(contract, pool);
    }
    Settled {
        recouped,
        passed,
        deficit,
        parts: share_by(passed, &weights),
    }
}

/// The pool's split as weights by payee index: the release's split for a release pool when
/// it has one, else the contract's default.
fn default_weights(contract: &Contract, pool: Pool) -> Vec<i64> {
    let split: Option<&SplitSet> = match pool {
        Pool::Release(r) => contract
            .splits
            .iter()
            .find(|s| s.scope == SplitScope::Release(r)),
        Pool::Contract => None,
    }
    .or_else(|| {
        contract
            .splits
            .iter()
            .find(|s| s.scope == SplitScope::Default)
    });
    contract
        .payees
        .iter()
        .map(|p| {
            split
                .and_then(|s| s.shares.iter().find(|sh| sh.payee == p.id))
                .map_or(0, |sh| i64::from(sh.share.0.max(0)))
        })
        .collect()
}

fn summary(pool: Pool, work: &PoolWork, settled: &Settled, currency: Currency) -> PoolSummary {
    let money = |minor: i64| Money::new(minor, currency);
    PoolSummary {
        pool,
        opening: money(-work.opening_deficit),
        advance: money(work.advance),
        costs: money(work.costs),
        royalties: money(work.royalties),
        reserve_held: money(work.held),
        reserve_released: money(work.released),
        from_releases: money(work.incoming),
        recouped: money(settled.recouped),
        passed_on: money(settled.passed),
        closing: money(-settled.deficit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contract::{
        DealType, Payee, PeriodKind, RateRule, Recoupable, Reserve, Share, Territory,
    };
    use crate::model::ids::ArtistId;

    const R1: ReleaseId = ReleaseId(1);
    const R2: ReleaseId = ReleaseId(2);

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn e8(text: &str) -> Amount8 {
        Amount8::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn half(year: i32, index: u8) -> StatementPeriod {
        StatementPeriod {
            year,
            kind: PeriodKind::HalfYear,
            index,
        }
    }

    fn rate(channel: Channel, bp: i32) -> RateRule {
        RateRule {
            channel,
            format: None,
            rate: BasisPoints(bp),
        }
    }

    fn payee(id: i64, name: &str) -> Payee {
        Payee {
            id: PayeeId(id),
            name: name.into(),
            email: String::new(),
        }
    }

    fn split(scope: SplitScope, shares: &[(i64, i32)]) -> SplitSet {
        SplitSet {
            scope,
            shares: shares
                .iter()
                .map(|(p, s)| Share {
                    payee: PayeeId(*p),
                    share: BasisPoints(*s),
                })
                .collect(),
        }
    }

    /// A royalty deal from 2026-01-01, half-yearly, in euros: stream 20 %, physical 10 %, one
    /// payee (Ana) at 100 %, cross-collateralised, no advance.
    fn contract() -> Contract {
        let mut c = Contract::new(ArtistId(1), day(2026, 1, 1), Currency::EUR);
        c.id = ContractId(7);
        c.end = Some(day(2028, 12, 31));
        c.rates = vec![rate(Channel::Stream, 2000), rate(Channel::Physical, 1000)];
        c.payees = vec![payee(1, "Ana")];
        c.splits = vec![split(SplitScope::Default, &[(1, 10_000)])];
        c
    }

    fn sale(
        id: i64,
        date: NaiveDate,
        release: ReleaseId,
        channel: Channel,
        net: &str,
    ) -> IncomeInput {
        IncomeInput {
            id: IncomeLineId(id),
            sale_date: date,
            release,
            track: None,
            format: None,
            channel,
            territory: String::new(),
            gross: None,
            net: e8(net),
        }
    }

    fn input(
        period: StatementPeriod,
        previous: &CarriedForward,
        income: Vec<IncomeInput>,
    ) -> StatementInput {
        StatementInput {
            period,
            previous: previous.clone(),
            releases: vec![R1, R2],
            income,
            costs: Vec::new(),
            payments: Vec::new(),
            notes: Vec::new(),
            co_credits: Vec::new(),
        }
    }

    fn run(c: &Contract, input: &StatementInput) -> Statement {
        let s = compute(c, input).unwrap_or_else(|e| panic!("{e}"));
        // closing = opening − advance − costs + royalties − held + released − payments
        assert_eq!(
            s.closing_balance.minor,
            s.opening_balance.minor - s.advance.minor - s.costs_charged.minor + s.royalties.minor
                - s.reserve_held.minor
                + s.reserve_released.minor
                - s.payments_total.minor,
            "the balances do not add up: {s:#?}"
        );
        assert_eq!(s.carried_forward.balance(c), s.closing_balance.minor);
        for line in &s.lines {
            assert_eq!(
                line.payees.iter().map(|p| p.minor).sum::<i64>(),
                line.royalty.minor
            );
        }
        s
    }

    fn cost(id: i64, release: ReleaseId, category: CostCategory, minor: i64) -> CostInput {
        CostInput {
            id: CostLineId(id),
            date: day(2026, 2, 1),
            release: Some(release),
            category,
            amount: eur(minor),
        }
    }

    #[test]
    fn advance_recouped_over_three_periods() {
        let mut c = contract();
        c.advance = eur(100_000); // €1,000.00
        // 2026 H1: stream net €2,000.00 × 20 % = €400.00; €1,000 − €400 = €600 to recoup.
        let p1 = run(
            &c,
            &input(
                half(2026, 1),
                &CarriedForward::initial(),
                vec![sale(1, day(2026, 3, 1), R1, Channel::Stream, "2000")],
            ),
        );
        assert_eq!(p1.royalties, eur(40_000));
        assert_eq!(p1.advance, eur(100_000));
        assert_eq!(p1.recouped, eur(40_000));
        assert_eq!(p1.unrecouped, eur(60_000));
        assert_eq!(p1.closing_balance, eur(-60_000));
        assert_eq!(p1.payable, eur(0));
        // 2026 H2: €2,500.00 × 20 % = €500.00; €600 − €500 = €100 to recoup.
        let p2 = run(
            &c,
            &input(
                half(2026, 2),
                &p1.carried_forward,
                vec![sale(2, day(2026, 9, 1), R1, Channel::Stream, "2500")],
            ),
        );
        assert_eq!(p2.opening_balance, eur(-60_000));
        assert_eq!(p2.advance, eur(0), "the advance is charged once");
        assert_eq!(p2.recouped, eur(50_000));
        assert_eq!(p2.closing_balance, eur(-10_000));
        assert_eq!(p2.payable, eur(0));
        // 2027 H1: €1,500.00 × 20 % = €300.00: €100 recoups the rest, €200 is payable.
        let p3 = run(
            &c,
            &input(
                half(2027, 1),
                &p2.carried_forward,
                vec![sale(3, day(2027, 2, 1), R1, Channel::Stream, "1500")],
            ),
        );
        assert_eq!(p3.recouped, eur(10_000));
        assert_eq!(p3.unrecouped, eur(0));
        assert_eq!(p3.payees[0].credited, eur(20_000));
        assert_eq!(p3.payable, eur(20_000));
        assert_eq!(p3.closing_balance, eur(20_000));
        assert!(p3.carried_forward.unrecouped.is_empty());
    }

    #[test]
    fn fifty_fifty_net_profit_with_costs_at_half() {
        let mut c = contract();
        c.deal_type = DealType::NetProfit;
        c.rates = vec![rate(Channel::Physical, 5000), rate(Channel::Stream, 5000)];
        c.recoupables = vec![Recoupable {
            category: CostCategory::Recording,
            share: BasisPoints(5000),
        }];
        let mut i = input(
            half(2026, 1),
            &CarriedForward::initial(),
            vec![
                sale(1, day(2026, 2, 1), R1, Channel::Physical, "3000.03"),
                sale(2, day(2026, 2, 1), R1, Channel::Stream, "1000.01"),
            ],
        );
        i.costs = vec![
            cost(1, R1, CostCategory::Recording, 200_000), // €2,000 at 50 % = €1,000
            cost(2, R1, CostCategory::Marketing, 10_000),  // not recoupable under this contract
        ];
        let s = run(&c, &i);
        // Rounded once per line, half to even:
        //   physical: €3,000.03 × 50 % = €1,500.015 -> €1,500.02 (up to the even cent);
        //   stream:   €1,000.01 × 50 % = €500.005   -> €500.00 (down to the even cent).
        let royalties: Vec<i64> = s.lines.iter().map(|l| l.royalty.minor).collect();
        assert_eq!(royalties, [150_002, 50_000]);
        assert_eq!(s.royalties, eur(200_002));
        assert_eq!(s.costs_charged, eur(100_000));
        assert_eq!(s.costs[1].charged, eur(0));
        // €2,000.02 − €1,000.00 = €1,000.02 to the artist.
        assert_eq!(s.payable, eur(100_002));
        assert_eq!(s.closing_balance, eur(100_002));
    }

    fn two_releases(cross: bool) -> Statement {
        let mut c = contract();
        c.cross_collateralised = cross;
        c.advance = eur(30_000); // €300
        c.recoupables = vec![Recoupable {
            category: CostCategory::Recording,
            share: BasisPoints::FULL,
        }];
        let mut i = input(
            half(2026, 1),
            &CarriedForward::initial(),
            vec![
                sale(1, day(2026, 2, 1), R1, Channel::Stream, "2000"), // €400 royalty
                sale(2, day(2026, 2, 1), R2, Channel::Stream, "1000"), // €200 royalty
            ],
        );
        i.costs = vec![cost(1, R1, CostCategory::Recording, 100_000)]; // €1,000 on release 1
        run(&c, &i)
    }

    #[test]
    fn cross_collateralised_or_not() {
        // One pool: €300 + €1,000 = €1,300 to recoup from €600: €700 left, nothing payable.
        let cross = two_releases(true);
        assert_eq!(cross.unrecouped, eur(70_000));
        assert_eq!(cross.payable, eur(0));
        assert_eq!(cross.closing_balance, eur(-70_000));
        assert_eq!(cross.pools.len(), 1);
        // Per release, the advance in equal parts (€150 each):
        //   release 1: €150 + €1,000 = €1,150 from €400 -> €750 left to recoup;
        //   release 2: €150 from €200 -> recouped, €50 passed on and payable.
        let separate = two_releases(false);
        let pools: Vec<(Pool, i64, i64, i64)> = separate
            .pools
            .iter()
            .map(|p| (p.pool, p.advance.minor, p.passed_on.minor, p.closing.minor))
            .collect();
        assert_eq!(
            pools,
            [
                (Pool::Release(R1), 15_000, 0, -75_000),
                (Pool::Release(R2), 15_000, 5_000, 0),
                (Pool::Contract, 0, 5_000, 0),
            ]
        );
        assert_eq!(separate.payable, eur(5_000));
        // Same money in and out, so the same balance: €50 owed − €750 to recoup.
        assert_eq!(separate.closing_balance, eur(-70_000));
    }

    #[test]
    fn advance_odd_cent_goes_to_the_first_release() {
        let mut c = contract();
        c.cross_collateralised = false;
        c.advance = eur(30_001);
        let s = run(
            &c,
            &input(half(2026, 1), &CarriedForward::initial(), Vec::new()),
        );
        let advances: Vec<i64> = s.pools.iter().map(|p| p.advance.minor).collect();
        assert_eq!(advances, [15_001, 15_000, 0]);
        // Without releases yet, the contract pool carries it.
        let mut i = input(half(2026, 1), &CarriedForward::initial(), Vec::new());
        i.releases.clear();
        let s = run(&c, &i);
        assert_eq!(s.pools.len(), 1);
        assert_eq!(s.pools[0].advance, eur(30_001));
    }

    #[test]
    fn reserves_held_and_released() {
        let mut c = contract();
        c.reserve = Reserve {
            held: BasisPoints(2000),
            release_periods: 2,
        };
        // 2026 H1: physical €1,000.50 × 10 % = €100.05; 20 % held = €20.01, to be released as
        // €10.01 then €10.00 (the odd cent first). Payable: €100.05 − €20.01 = €80.04.
        let p1 = run(
            &c,
            &input(
                half(2026, 1),
                &CarriedForward::initial(),
                vec![sale(1, day(2026, 4, 1), R1, Channel::Physical, "1000.50")],
            ),
        );
        assert_eq!(p1.royalties, eur(10_005));
        assert_eq!(p1.reserve_held, eur(2_001));
        assert_eq!(p1.payable, eur(8_004));
        assert_eq!(p1.carried_forward.reserves[0].installments, [1_001, 1_000]);
        // 2026 H2: no sales; €80.04 paid; €10.01 released and payable.
        let mut i2 = input(half(2026, 2), &p1.carried_forward, Vec::new());
        i2.payments = vec![PaymentInput {
            id: PaymentId(1),
            payee: PayeeId(1),
            date: day(2026, 7, 15),
            amount: eur(8_004),
        }];
        let p2 = run(&c, &i2);
        assert_eq!(p2.reserve_released, eur(1_001));
        assert_eq!(p2.payments_total, eur(8_004));
        assert_eq!(p2.payees[0].credited, eur(1_001));
        assert_eq!(p2.payable, eur(1_001));
        // 2027 H1: the last €10.00 released; the €10.01 was not paid: €20.01 payable.
        let p3 = run(&c, &input(half(2027, 1), &p2.carried_forward, Vec::new()));
        assert_eq!(p3.reserve_released, eur(1_000));
        assert_eq!(p3.payable, eur(2_001));
        assert!(p3.carried_forward.reserves.is_empty());
    }

    #[test]
    fn three_payees_on_a_track_and_the_odd_cent() {
        let mut c = contract();
        c.rates = vec![rate(Channel::Stream, 5000)];
        c.payees = vec![payee(1, "Ana"), payee(2, "Bia"), payee(3, "Caio")];
        c.splits.push(split(
            SplitScope::Track(TrackId(10)),
            &[(1, 3333), (2, 3333), (3, 3334)],
        ));
        let mut on_track = sale(1, day(2026, 2, 1), R1, Channel::Stream, "2.02");
        on_track.track = Some(TrackId(10));
        on_track.territory = "br".into();
        let mut other = sale(2, day(2026, 2, 1), R1, Channel::Stream, "1.00");
        other.track = Some(TrackId(11));
        other.territory = "PT".into();
        let s = run(
            &c,
            &input(
                half(2026, 1),
                &CarriedForward::initial(),
                vec![on_track, other],
            ),
        );
        // BR: €2.02 × 50 % = €1.01 = 101 cents shared 33.33/33.33/33.34 %:
        //   exact 33.6633, 33.6633, 33.6734 -> 33, 33, 33 and 2 cents left: the largest
        //   remainder (Caio, .6734), then Ana before Bia (equal .6633, Ana comes first).
        let br = &s.lines[0];
        assert_eq!(br.territory, "BR");
        let parts: Vec<(i64, i64)> = br.payees.iter().map(|p| (p.payee.0, p.minor)).collect();
        assert_eq!(parts, [(1, 34), (2, 33), (3, 34)]);
        // PT: track 11 has no split of its own: the default split, all to Ana (50 cents).
        let pt = &s.lines[1];
        let parts: Vec<(i64, i64)> = pt.payees.iter().map(|p| (p.payee.0, p.minor)).collect();
        assert_eq!(parts, [(1, 50)]);
        let payable: Vec<i64> = s.payees.iter().map(|p| p.payable.minor).collect();
        assert_eq!(payable, [84, 33, 34]);
        assert_eq!(s.payable, eur(151));
    }

    #[test]
    fn minimum_payout_carried_then_paid() {
        let mut c = contract();
        c.minimum_payout = eur(5_000); // €50
        // 2026 H1: €150 × 20 % = €30: under €50, carried.
        let p1 = run(
            &c,
            &input(
                half(2026, 1),
                &CarriedForward::initial(),
                vec![sale(1, day(2026, 2, 1), R1, Channel::Stream, "150")],
            ),
        );
        assert_eq!(p1.payable, eur(0));
        assert_eq!(p1.payees[0].carried, eur(3_000));
        assert_eq!(p1.closing_balance, eur(3_000));
        // 2026 H2: another €30: €60 owed, at least €50: payable.
        let p2 = run(
            &c,
            &input(
                half(2026, 2),
                &p1.carried_forward,
                vec![sale(2, day(2026, 8, 1), R1, Channel::Stream, "150")],
            ),
        );
        assert_eq!(p2.payees[0].opening, eur(3_000));
        assert_eq!(p2.payable, eur(6_000));
        assert_eq!(p2.payees[0].carried, eur(0));
        // 2027 H1: the €60 is paid: nothing owed, nothing payable.
        let mut i3 = input(half(2027, 1), &p2.carried_forward, Vec::new());
        i3.payments = vec![PaymentInput {
            id: PaymentId(4),
            payee: PayeeId(1),
            date: day(2027, 1, 20),
            amount: eur(6_000),
        }];
        let p3 = run(&c, &i3);
        assert_eq!(p3.payments_total, eur(6_000));
        assert_eq!(p3.payable, eur(0));
        assert_eq!(p3.closing_balance, eur(0));
        assert!(p3.carried_forward.owed.is_empty());
    }

    #[test]
    fn a_late_line_counts_in_the_open_period() {
        let c = contract();
        // 2026 H1 is issued; a March sale reported in August lands in 2026 H2.
        let period = crate::model::contract::statement_period_for(half(2026, 1), &[half(2026, 1)]);
        assert_eq!(period, half(2026, 2));
        let s = run(
            &c,
            &input(
                period,
                &CarriedForward::initial(),
                vec![
                    sale(1, day(2026, 3, 15), R1, Channel::Stream, "100"),
                    sale(2, day(2026, 8, 1), R1, Channel::Stream, "100"),
                ],
            ),
        );
        assert_eq!(s.late_lines, [IncomeLineId(1)]);
        assert_eq!(s.royalties, eur(4_000));
        assert_eq!(s.counted_lines(), [IncomeLineId(1), IncomeLineId(2)]);
    }

    #[test]
    fn lines_outside_the_contract_are_listed_not_counted() {
        let mut c = contract();
        c.territory = Territory::Only(vec!["BR".into(), "PT".into()]);
        c.reversion = Some(day(2026, 6, 1));
        let mut us = sale(1, day(2026, 2, 1), R1, Channel::Stream, "100");
        us.territory = "US".into();
        let early = sale(2, day(2025, 12, 31), R1, Channel::Stream, "100");
        let sync = sale(3, day(2026, 2, 1), R1, Channel::Sync, "100");
        let reverted = sale(4, day(2026, 6, 1), R1, Channel::Stream, "100");
        let counted = sale(5, day(2026, 5, 31), R1, Channel::Stream, "100");
        let s = run(
            &c,
            &input(
                half(2026, 1),
                &CarriedForward::initial(),
                vec![us, early, sync, reverted, counted],
            ),
        );
        let reasons: Vec<(i64, &str)> = s
            .excluded
            .iter()
            .map(|e| (e.id.0, e.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    1,
                    "sold in US, outside the contract's territory (Only BR, PT)"
                ),
                (
                    2,
                    "sold on 2025-12-31, before the contract starts (2026-01-01)"
                ),
                (3, "the contract has no rate for sync sales"),
                (
                    4,
                    "sold on 2026-06-01, after the masters reverted to the artist"
                ),
            ]
        );
        assert_eq!(s.counted_lines(), [IncomeLineId(5)]);
        // A line dated after the period is a loading mistake, not something to leave out.
        let late = sale(6, day(2026, 7, 1), R1, Channel::Stream, "1");
        let err = compute(
            &c,
            &input(half(2026, 1), &CarriedForward::initial(), vec![late]),
        )
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("income line #6 is dated 2026-07-01, after the end of 2026 H1 (2026-06-30)")
        );
    }

    /// An artist contract at 50 % of net receipts on streams and physical sales, for `artist`
    /// (contract id `id`), from 2026-01-01, one payee.
    fn half_deal(id: i64, artist: i64, name: &str) -> Contract {
        let mut c = contract();
        c.id = ContractId(id);
        c.artist_id = ArtistId(artist);
        c.title = format!("{name} deal");
        c.rates = vec![rate(Channel::Stream, 5000), rate(Channel::Physical, 5000)];
        c.payees = vec![payee(1, name)];
        c
    }

    fn co_credit(release: ReleaseId, other: &Contract, name: &str) -> CoCredit {
        CoCredit {
            release,
            release_title: "Duets".into(),
            artist: other.artist_id,
            artist_name: name.into(),
            contract: other.clone(),
        }
    }

    #[test]
    fn a_co_credited_release_pays_each_artist_contract_its_share() {
        // "Duets" (R1) is credited to Ana and Bia as primary artists; each has an artist
        // contract at 50 % of net receipts. €100.00 of streams on it would pay €50.00 under
        // each contract, €100.00 in all: the whole income, twice the artists' share.
        let mut ana = half_deal(7, 1, "Ana");
        ana.payees = vec![payee(1, "Ana"), payee(2, "Ana's producer")];
        ana.splits = vec![split(SplitScope::Default, &[(1, 6000), (2, 4000)])];
        let bia = half_deal(8, 2, "Bia");
        let sales = vec![
            sale(1, day(2026, 2, 1), R1, Channel::Stream, "100.00"),
            // Ana's own single: not co-credited, €10.00 × 50 % = €5.00 in full.
            sale(2, day(2026, 2, 1), R2, Channel::Stream, "10.00"),
        ];
        let mut i = input(half(2026, 1), &CarriedForward::initial(), sales.clone());
        i.co_credits = vec![co_credit(R1, &bia, "Bia")];
        let s = run(&ana, &i);
        // Each contract pays its own artist half: €100.00 × 50 % ÷ 2 = €25.00, shared 60/40
        // between Ana (€15.00) and her producer (€10.00).
        let royalties: Vec<(ReleaseId, i64)> = s
            .lines
            .iter()
            .map(|l| (l.release, l.royalty.minor))
            .collect();
        assert_eq!(royalties, [(R1, 2_500), (R2, 500)]);
        let parts: Vec<i64> = s.lines[0].payees.iter().map(|p| p.minor).collect();
        assert_eq!(parts, [1_500, 1_000]);
        // The Rate column says the royalty is a half share; the single's is the plain rate.
        assert_eq!(s.lines[0].shared, Shared::Equally(2));
        assert_eq!(s.lines[0].rate_text(), "50% × 1/2");
        assert_eq!(s.lines[1].shared, Shared::No);
        assert_eq!(s.lines[1].rate_text(), "50%");
        // A statement issued before sharing existed has no "shared": read as not shared.
        let mut stored = serde_json::to_value(&s.lines[1]).expect("json");
        stored
            .as_object_mut()
            .expect("object")
            .remove("shared")
            .expect("the field is written");
        let read: EarningsLine = serde_json::from_value(stored).expect("read back");
        assert_eq!(read, s.lines[1]);
        assert_eq!(s.royalties, eur(3_000));
        assert_eq!(s.payable, eur(3_000));
        assert_eq!(
            s.notes,
            [
                "Duets is credited to Bia too, whose contract “Bia deal” also pays on 1 of its sale lines: each contract pays its own artist an equal share, so that line earned 1/2 of the royalty here. A release contract for Duets would split it otherwise (it takes precedence over artist contracts)"
            ]
        );
        // Bia's statement takes the other half: €25.00. Together the two contracts pay
        // €50.00 of the €100.00, as one 50 % deal would.
        let mut i = input(
            half(2026, 1),
            &CarriedForward::initial(),
            vec![sales[0].clone()],
        );
        i.co_credits = vec![co_credit(R1, &ana, "Ana")];
        assert_eq!(run(&bia, &i).royalties, eur(2_500));
        // Without a co-credit the artist contract pays in full: €50.00.
        let i = input(
            half(2026, 1),
            &CarriedForward::initial(),
            vec![sales[0].clone()],
        );
        let s = run(&bia, &i);
        assert_eq!(s.royalties, eur(5_000));
        assert!(s.notes.is_empty());
    }

    #[test]
    fn three_co_credited_contracts_and_one_rounding_per_line() {
        // Ana's contract, with Bia's (from 2026-01-01) and Caio's (from 2026-03-01) on the
        // same release. Two stream sales in the same line (R1, stream, no territory):
        //   €100.00 on 2026-04-01, paid by all three: €100.00 × 50 % ÷ 3 = €16.666666…
        //   €0.03 on 2026-02-01, before Caio's start:  €0.03 × 50 % ÷ 2 = €0.0075
        // The line is rounded once: €16.6741666… -> €16.67 (rounding each sale first would
        // make €16.67 + €0.01 = €16.68).
        let ana = half_deal(7, 1, "Ana");
        let bia = half_deal(8, 2, "Bia");
        let mut caio = half_deal(9, 3, "Caio");
        caio.start = day(2026, 3, 1);
        let mut i = input(
            half(2026, 1),
            &CarriedForward::initial(),
            vec![
                sale(1, day(2026, 4, 1), R1, Channel::Stream, "100.00"),
                sale(2, day(2026, 2, 1), R1, Channel::Stream, "0.03"),
            ],
        );
        i.co_credits = vec![co_credit(R1, &bia, "Bia"), co_credit(R1, &caio, "Caio")];
        let s = run(&ana, &i);
        assert_eq!(s.lines.len(), 1);
        assert_eq!(s.lines[0].royalty, eur(1_667));
        // One sale shared by three, one by two: the Rate column says "partly shared".
        assert_eq!(s.lines[0].shared, Shared::Partly);
        assert_eq!(s.lines[0].rate_text(), "50%, partly shared");
        assert_eq!(
            s.notes,
            [
                "Duets is credited to Bia and Caio too, whose contracts “Bia deal” and “Caio deal” also pay on 2 of its sale lines: each contract pays its own artist an equal share, so those lines earned 1/2 or 1/3 of the royalty here. A release contract for Duets would split it otherwise (it takes precedence over artist contracts)"
            ]
        );
    }

    #[test]
    fn a_co_credit_that_does_not_pay_on_a_sale_takes_no_share_of_it() {
        // Bia's contract covers "Duets" too, but pays nothing on these sales: physical at 0 %,
        // no sync rate, only in Germany, and from 2026-03-01. Ana's contract pays each in
        // full, at 50 %.
        let mut ana = half_deal(7, 1, "Ana");
        ana.rates.push(rate(Channel::Sync, 5000));
        let mut bia = half_deal(8, 2, "Bia");
        bia.rates = vec![rate(Channel::Stream, 5000), rate(Channel::Physical, 0)];
        bia.territory = Territory::Only(vec!["DE".into()]);
        bia.start = day(2026, 3, 1);
        let on = |id, date, channel, territory: &str, net| {
            let mut l = sale(id, date, R1, channel, net);
            l.territory = territory.into();
            l
        };
        let mut i = input(
            half(2026, 1),
            &CarriedForward::initial(),
            vec![
                on(1, day(2026, 4, 1), Channel::Physical, "DE", "10.00"), // 0 % for Bia
                on(2, day(2026, 4, 1), Channel::Sync, "DE", "20.00"),     // no rate for Bia
                on(3, day(2026, 4, 1), Channel::Stream, "FR", "30.00"),   // outside Bia's territory
                on(4, day(2026, 2, 1), Channel::Stream, "DE", "40.00"),   // before Bia's start
                on(5, day(2026, 4, 1), Channel::Stream, "DE", "50.00"),   // shared: €12.50
            ],
        );
        i.co_credits = vec![co_credit(R1, &bia, "Bia")];
        let s = run(&ana, &i);
        let royalties: Vec<(Channel, &str, i64)> = s
            .lines
            .iter()
            .map(|l| (l.channel, l.territory.as_str(), l.royalty.minor))
            .collect();
        // Stream DE: €40.00 × 50 % + €50.00 × 50 % ÷ 2 = €20.00 + €12.50 = €32.50.
        assert_eq!(
            royalties,
            [
                (Channel::Physical, "DE", 500),
                (Channel::Stream, "DE", 3_250),
                (Channel::Stream, "FR", 1_500),
                (Channel::Sync, "DE", 1_000),
            ]
        );
        assert_eq!(s.notes.len(), 1);
        assert!(
            s.notes[0].contains("also pays on 1 of its sale lines"),
            "{}",
            s.notes[0]
        );
        // A co-credit on another release, or for the contract's own artist, changes nothing.
        let mut i = input(
            half(2026, 1),
            &CarriedForward::initial(),
            vec![on(5, day(2026, 4, 1), Channel::Stream, "DE", "50.00")],
        );
        let mut own = co_credit(R1, &bia, "Ana");
        own.artist = ana.artist_id;
        i.co_credits = vec![co_credit(R2, &bia, "Bia"), own];
        assert_eq!(run(&ana, &i).royalties, eur(2_500));
    }

    #[test]
    fn gross_base_fees_and_format_overrides() {
        let mut c = contract();
        c.deal_type = DealType::Distribution;
        c.royalty_base = crate::model::contract::RoyaltyBase::Gross;
        // The label's fee: 30 % on streams, 25 % physical, 20 % on 12" vinyl.
        c.rates = vec![rate(Channel::Stream, 3000), rate(Channel::Physical, 2500)];
        c.rates.push(RateRule {
            channel: Channel::Physical,
            format: Some(FormatKind::Vinyl12),
            rate: BasisPoints(2000),
        });
        let mut stream = sale(1, day(2026, 2, 1), R1, Channel::Stream, "8");
        stream.gross = Some(e8("10"));
        let mut vinyl = sale(2, day(2026, 2, 1), R1, Channel::Physical, "15");
        vinyl.gross = Some(e8("20"));
        vinyl.format = Some(FormatKind::Vinyl12);
        let mut cd = sale(3, day(2026, 2, 1), R1, Channel::Physical, "9");
        cd.format = Some(FormatKind::Cd); // no gross: its net is the base
        let s = run(
            &c,
            &input(
                half(2026, 1),
                &CarriedForward::initial(),
                vec![stream, vinyl, cd],
            ),
        );
        // Physical: €20 × 80 % + €9 × 75 % = €16 + €6.75 = €22.75 (two rates: none shown).
        assert_eq!(s.lines[0].channel, Channel::Physical);
        assert_eq!(s.lines[0].royalty, eur(2_275));
        assert_eq!(s.lines[0].rate, None);
        assert_eq!(s.lines[0].gross, e8("29"));
        // Stream: gross €10 × (100 − 30) % = €7.00.
        assert_eq!(s.lines[1].royalty, eur(700));
        assert_eq!(s.lines[1].rate, Some(BasisPoints(7000)));
    }

    #[test]
    fn refusals() {
        let mut c = contract();
        let mut i = input(half(2026, 1), &CarriedForward::initial(), Vec::new());
        i.costs = vec![CostInput {
            amount: Money::new(100, Currency::USD),
            ..cost(9, R1, CostCategory::Video, 0)
        }];
        assert_eq!(
            compute(&c, &i).err().map(|e| e.to_string()).as_deref(),
            Some("cost line #9 is in USD, but the contract is in EUR")
        );
        i.costs.clear();
        i.payments = vec![PaymentInput {
            id: PaymentId(3),
            payee: PayeeId(9),
            date: day(2026, 1, 2),
            amount: eur(1),
        }];
        assert_eq!(
            compute(&c, &i).err().map(|e| e.to_string()).as_deref(),
            Some("payment #3 is for payee 9, who is not on the contract")
        );
        c.splits[0].shares[0].share = BasisPoints(9_900);
        assert!(matches!(compute(&c, &i), Err(StatementError::Contract(_))));
    }

    #[test]
    fn statements_survive_json() {
        let mut c = contract();
        c.advance = eur(100);
        let s = run(
            &c,
            &input(
                half(2026, 1),
                &CarriedForward::initial(),
                vec![sale(1, day(2026, 2, 1), R1, Channel::Stream, "1.23456789")],
            ),
        );
        let json = serde_json::to_string(&s).unwrap_or_default();
        let back: Option<Statement> = serde_json::from_str(&json).ok();
        assert_eq!(back.as_ref(), Some(&s));
    }
}
