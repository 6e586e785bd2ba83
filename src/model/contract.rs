//! Contract terms between the label and an artist, their validation, deadline warnings, the
//! overlap check between two contracts, statement periods, and [`share_out`] (largest
//! remainder). Pure: no SQL, no UI. The statement engine is in [`super::statement`].
//!
//! ## What a contract covers (the rules the database layer applies when it loads income)
//! - A contract is for one artist and, optionally, one release. A **release contract** covers
//!   that release. An **artist contract** covers the artist's releases (main-artist credit)
//!   whose release date falls inside its term (start to end date; no end date: open), plus
//!   undated releases, except releases that have a release contract of their own: the more
//!   specific contract takes precedence.
//! - Only sales on or after the start date count, and before the reversion date when the
//!   label owns the masters and a reversion date is set. The term end does not stop royalties:
//!   records made under the contract keep earning after it.
//! - A sale counts only in a territory the contract covers ([`Territory::covers`]); a line
//!   whose report names no territory counts (the artist is not short-changed by a blank).
//! - A channel earns only when the contract has a rate for it ([`Contract::artist_rate`]).
//! - Two contracts **overlap** when they cover the same scope (both the same release, or both
//!   artist-wide for the same artist), their terms intersect, and both pay the artist on the
//!   same channel ([`overlaps`]). Overlapping contracts would pay twice and are refused.
//! - A release credited to several primary artists is covered by each one's artist contract.
//!   That is not an overlap: each contract pays its own artist's equal share of the release's
//!   income (the statement engine divides it, see [`super::statement`] on co-credited
//!   releases, and says so on the statement). A release contract, which takes precedence,
//!   sets any other split: one contract for the release with the artists as its payees.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::error::ValidationError;
use super::ids::{ArtistId, ReleaseId, TrackId};
use super::kinds::FormatKind;
use super::ledger::{Channel, CostCategory};
use super::money::{BasisPoints, Currency, Money};

super::ids::id_type!(
    /// Identifies a contract.
    ContractId
);
super::ids::id_type!(
    /// Identifies a payee within its contract: a small number (1, 2, 3…) chosen when the payee
    /// is added ([`Contract::next_payee_id`]) and kept across edits, so balances carried from
    /// one statement to the next stay attached to the right person. Not a database row id.
    PayeeId
);
super::ids::id_type!(
    /// Identifies a payment made to a payee.
    PaymentId
);
super::ids::id_type!(
    /// Identifies an issued (frozen) statement.
    StatementId
);

/// Warnings for terms ending, option deadlines and reversions this many days ahead.
pub const WARNING_DAYS: i64 = 60;

/// Longest contract title, payee name, option name.
pub const NAME_MAX: usize = 200;
/// Longest document path.
pub const PATH_MAX: usize = 4096;

use super::ledger::code_enum;

code_enum!(
    /// The kind of deal.
    DealType, "deal type", {
        /// The artist gets a percentage of receipts.
        Royalty => "royalty", "Royalty";
        /// Receipts are split (e.g. 50/50) after recoupable costs.
        NetProfit => "net_profit", "Net-profit split";
        /// The label licenses the artist's masters for a term and territory.
        License => "license", "License";
        /// The artist keeps the masters; the label takes a fee.
        Distribution => "distribution", "Distribution / label services";
    }
);

code_enum!(
    /// Who owns the master recordings.
    MastersOwner, "masters owner", {
        Label => "label", "Label";
        Artist => "artist", "Artist";
    }
);

code_enum!(
    /// What a rate is applied to.
    RoyaltyBase, "royalty base", {
        /// What the buyer paid (the report's gross column; the net amount when a report has
        /// no gross).
        Gross => "gross", "Gross receipts";
        /// What the label received.
        Net => "net", "Net receipts";
    }
);

code_enum!(
    /// How long a statement period is.
    PeriodKind, "statement period", {
        Quarter => "quarter", "Quarter";
        HalfYear => "half_year", "Half-year";
    }
);

impl DealType {
    /// True when the contract's rates are the label's fee (the artist gets the rest) rather than
    /// the artist's share.
    #[must_use]
    pub fn rates_are_fees(self) -> bool {
        matches!(self, Self::License | Self::Distribution)
    }
}

impl PeriodKind {
    fn months(self) -> u32 {
        match self {
            Self::Quarter => 3,
            Self::HalfYear => 6,
        }
    }

    fn per_year(self) -> u8 {
        match self {
            Self::Quarter => 4,
            Self::HalfYear => 2,
        }
    }
}

/// One statement period: a quarter (`2026 Q3`) or a half-year (`2026 H1`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct StatementPeriod {
    pub year: i32,
    pub kind: PeriodKind,
    /// 1-based: quarter 1–4 or half 1–2.
    pub index: u8,
}

impl StatementPeriod {
    /// The period of `kind` that contains `date`.
    #[must_use]
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Self {
        let zero_based = u8::try_from(date.month0() / kind.months()).unwrap_or(0);
        Self {
            year: date.year(),
            kind,
            index: zero_based + 1,
        }
    }

    /// The first day.
    #[must_use]
    pub fn start(self) -> NaiveDate {
        let month = u32::from(self.index - 1) * self.kind.months() + 1;
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day (inclusive).
    #[must_use]
    pub fn end(self) -> NaiveDate {
        self.next().start().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// True when `date` falls inside.
    #[must_use]
    pub fn contains(self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// The period after this one.
    #[must_use]
    pub fn next(self) -> Self {
        if self.index >= self.kind.per_year() {
            Self {
                year: self.year + 1,
                kind: self.kind,
                index: 1,
            }
        } else {
            Self {
                index: self.index + 1,
                ..self
            }
        }
    }

    /// `2026 H1`, `2026 Q3`.
    #[must_use]
    pub fn label(self) -> String {
        let letter = match self.kind {
            PeriodKind::Quarter => 'Q',
            PeriodKind::HalfYear => 'H',
        };
        format!("{} {letter}{}", self.year, self.index)
    }

    /// Reads a label written by [`label`](Self::label).
    ///
    /// # Errors
    /// [`ValidationError::Invalid`] for anything else.
    pub fn parse(label: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::Invalid {
            field: "statement period",
            reason: format!("“{label}” is not a period: write it like 2026 H1 or 2026 Q3"),
        };
        let (year, part) = label.trim().split_once(' ').ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let kind = match part.get(..1) {
            Some("Q") => PeriodKind::Quarter,
            Some("H") => PeriodKind::HalfYear,
            _ => return Err(bad()),
        };
        let index: u8 = part[1..].parse().map_err(|_| bad())?;
        if !(1..=kind.per_year()).contains(&index) || !(1..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Self { year, kind, index })
    }
}

impl fmt::Display for StatementPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Where the contract applies. Country codes are ISO 3166-1 alpha-2, uppercase (`DE`, `BR`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Territory {
    #[default]
    Worldwide,
    /// Only these countries.
    Only(Vec<String>),
    /// Everywhere except these countries.
    WorldwideExcept(Vec<String>),
}

impl Territory {
    /// True when a sale in `code` counts. A blank territory (the report did not say) counts;
    /// codes are compared ignoring case and surrounding spaces.
    #[must_use]
    pub fn covers(&self, code: &str) -> bool {
        let code = code.trim();
        if code.is_empty() {
            return true;
        }
        let listed = |list: &[String]| list.iter().any(|c| c.eq_ignore_ascii_case(code));
        match self {
            Self::Worldwide => true,
            Self::Only(list) => listed(list),
            Self::WorldwideExcept(list) => !listed(list),
        }
    }

    /// The listed codes (empty for worldwide).
    #[must_use]
    pub fn codes(&self) -> &[String] {
        match self {
            Self::Worldwide => &[],
            Self::Only(list) | Self::WorldwideExcept(list) => list,
        }
    }

    /// `Worldwide`, `Only DE, AT`, `Worldwide except US`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Worldwide => "Worldwide".to_owned(),
            Self::Only(list) => format!("Only {}", list.join(", ")),
            Self::WorldwideExcept(list) => format!("Worldwide except {}", list.join(", ")),
        }
    }
}

/// True for a well-formed ISO 3166-1 alpha-2 code: two uppercase ASCII letters.
#[must_use]
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// An option period the label may take up, and when it must say so.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OptionPeriod {
    /// E.g. "Second album".
    pub name: String,
    /// The last day the label can give notice that it takes up the option.
    pub notice_deadline: NaiveDate,
    /// When the option period would end, if known.
    pub until: Option<NaiveDate>,
    /// True once the option was taken up (no more warnings).
    pub exercised: bool,
}

/// A rate for a channel, optionally only for one format kind (which overrides the channel's
/// rate for that format). For royalty and net-profit deals it is the artist's share; for
/// license and distribution deals it is the label's fee and the artist gets the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RateRule {
    pub channel: Channel,
    pub format: Option<FormatKind>,
    pub rate: BasisPoints,
}

/// Someone paid under the contract (the artist, band members, a producer…).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Payee {
    pub id: PayeeId,
    pub name: String,
    /// Empty when unknown.
    pub email: String,
}

/// What a split applies to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum SplitScope {
    /// Everything without a more specific split.
    Default,
    Release(ReleaseId),
    Track(TrackId),
}

impl SplitScope {
    /// "the contract's default split", "the split for release #4", "the split for track #9".
    #[must_use]
    pub fn describe(self) -> String {
        match self {
            Self::Default => "the contract's default split".to_owned(),
            Self::Release(id) => format!("the split for release #{id}"),
            Self::Track(id) => format!("the split for track #{id}"),
        }
    }
}

/// One payee's part of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Share {
    pub payee: PayeeId,
    pub share: BasisPoints,
}

/// How the royalties of a scope are shared between payees: exactly 100.00 % in total.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SplitSet {
    pub scope: SplitScope,
    pub shares: Vec<Share>,
}

/// A cost category the label may recoup, and what part of such costs it recoups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recoupable {
    pub category: CostCategory,
    pub share: BasisPoints,
}

/// Part of the physical royalties held back against returns, released in equal parts over the
/// following periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Reserve {
    /// Share of physical royalties held (0 = no reserve).
    pub held: BasisPoints,
    /// Released in this many equal parts over the following periods.
    pub release_periods: u32,
}

/// A contract with all its terms.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contract {
    pub id: ContractId,
    /// What the label calls it ("Recording agreement 2026"); may be empty.
    pub title: String,
    pub deal_type: DealType,
    pub artist_id: ArtistId,
    /// Only this release (none: the artist's releases, see the module notes).
    pub release_id: Option<ReleaseId>,
    pub start: NaiveDate,
    /// The last day of the term.
    pub end: Option<NaiveDate>,
    /// The term in releases; with an end date too, whichever comes first.
    pub term_releases: Option<u32>,
    pub options: Vec<OptionPeriod>,
    pub territory: Territory,
    pub masters_owner: MastersOwner,
    /// When the masters return to the artist.
    pub reversion: Option<NaiveDate>,
    pub currency: Currency,
    pub advance: Money,
    pub royalty_base: RoyaltyBase,
    pub rates: Vec<RateRule>,
    pub payees: Vec<Payee>,
    pub splits: Vec<SplitSet>,
    pub recoupables: Vec<Recoupable>,
    pub cross_collateralised: bool,
    pub reserve: Reserve,
    pub minimum_payout: Money,
    pub period_kind: PeriodKind,
    /// The signed contract document (opened with the system viewer); empty when none.
    pub document_path: String,
}

impl Contract {
    /// A royalty contract for `artist` from `start`, in `currency`, half-yearly, with nothing
    /// else filled in.
    #[must_use]
    pub fn new(artist_id: ArtistId, start: NaiveDate, currency: Currency) -> Self {
        Self {
            id: ContractId::UNSAVED,
            title: String::new(),
            deal_type: DealType::Royalty,
            artist_id,
            release_id: None,
            start,
            end: None,
            term_releases: None,
            options: Vec::new(),
            territory: Territory::Worldwide,
            masters_owner: MastersOwner::Label,
            reversion: None,
            currency,
            advance: Money::zero(currency),
            royalty_base: RoyaltyBase::Net,
            rates: Vec::new(),
            payees: Vec::new(),
            splits: Vec::new(),
            recoupables: Vec::new(),
            cross_collateralised: true,
            reserve: Reserve::default(),
            minimum_payout: Money::zero(currency),
            period_kind: PeriodKind::HalfYear,
            document_path: String::new(),
        }
    }

    /// The title, or "Contract #id" when it has none.
    #[must_use]
    pub fn display_name(&self) -> String {
        if self.title.trim().is_empty() {
            format!("Contract #{}", self.id)
        } else {
            self.title.trim().to_owned()
        }
    }

    /// The id for a new payee: one more than the largest in use.
    #[must_use]
    pub fn next_payee_id(&self) -> PayeeId {
        PayeeId(self.payees.iter().map(|p| p.id.0).max().unwrap_or(0) + 1)
    }

    /// The payee with this id.
    #[must_use]
    pub fn payee(&self, id: PayeeId) -> Option<&Payee> {
        self.payees.iter().find(|p| p.id == id)
    }

    /// The rate written in the contract for a sale on `channel` in `format`: the rule for that
    /// channel and format kind, else the channel's rule without a format, else none.
    #[must_use]
    pub fn written_rate(
        &self,
        channel: Channel,
        format: Option<FormatKind>,
    ) -> Option<BasisPoints> {
        let exact = format.and_then(|kind| {
            self.rates
                .iter()
                .find(|r| r.channel == channel && r.format == Some(kind))
        });
        exact
            .or_else(|| {
                self.rates
                    .iter()
                    .find(|r| r.channel == channel && r.format.is_none())
            })
            .map(|r| r.rate)
    }

    /// The artist's share of a sale on `channel` in `format`: the written rate for royalty
    /// and net-profit deals, 100 % minus the label's fee for license and distribution deals.
    /// `None` when the contract has no rate for the channel: such sales earn nothing under it.
    #[must_use]
    pub fn artist_rate(&self, channel: Channel, format: Option<FormatKind>) -> Option<BasisPoints> {
        let written = self.written_rate(channel, format)?;
        Some(if self.deal_type.rates_are_fees() {
            BasisPoints(BasisPoints::FULL.0 - written.0)
        } else {
            written
        })
    }

    /// Channels on which the contract pays the artist something (a rate above zero for the
    /// channel or one of its format kinds).
    #[must_use]
    pub fn paying_channels(&self) -> BTreeSet<Channel> {
        self.rates
            .iter()
            .filter(|r| {
                self.artist_rate(r.channel, r.format)
                    .is_some_and(|b| b.0 > 0)
            })
            .map(|r| r.channel)
            .collect()
    }

    /// The split that applies to a sale of `track` on `release`: the track's, else the
    /// release's, else the contract's default.
    #[must_use]
    pub fn split_for(&self, release: ReleaseId, track: Option<TrackId>) -> Option<&SplitSet> {
        let find = |scope: SplitScope| self.splits.iter().find(|s| s.scope == scope);
        track
            .and_then(|t| find(SplitScope::Track(t)))
            .or_else(|| find(SplitScope::Release(release)))
            .or_else(|| find(SplitScope::Default))
    }

    /// The recoupable share of costs in `category` (zero when it is not recoupable).
    #[must_use]
    pub fn recoupable_share(&self, category: CostCategory) -> BasisPoints {
        self.recoupables
            .iter()
            .find(|r| r.category == category)
            .map_or(BasisPoints::ZERO, |r| r.share)
    }

    /// True when a sale on `date` falls inside the contract's rights: on or after the start,
    /// and before the reversion date when the label owns the masters.
    #[must_use]
    pub fn earns_on(&self, date: NaiveDate) -> bool {
        let reverted =
            self.masters_owner == MastersOwner::Label && self.reversion.is_some_and(|r| date >= r);
        date >= self.start && !reverted
    }

    /// Where the contract stands on `today`.
    #[must_use]
    pub fn status(&self, today: NaiveDate) -> ContractStatus {
        if self.masters_owner == MastersOwner::Label && self.reversion.is_some_and(|r| r <= today) {
            ContractStatus::Reverted
        } else if today < self.start {
            ContractStatus::Upcoming
        } else if self.end.is_some_and(|e| e < today) {
            ContractStatus::TermEnded
        } else {
            ContractStatus::Active
        }
    }

    /// The first statement period: the one containing the start date.
    #[must_use]
    pub fn first_period(&self) -> StatementPeriod {
        StatementPeriod::containing(self.period_kind, self.start)
    }

    /// Every problem with the terms, in plain words (empty: the contract can be saved).
    #[must_use]
    pub fn problems(&self) -> Vec<ContractProblem> {
        let mut out = Vec::new();
        let mut add = |field: &'static str, message: String| {
            out.push(ContractProblem { field, message });
        };
        if self.title.chars().count() > NAME_MAX {
            add(
                "title",
                format!("the title is longer than {NAME_MAX} characters"),
            );
        }
        if self.artist_id.is_unsaved() {
            add(
                "artist",
                "choose the artist the contract is with".to_owned(),
            );
        }
        if let Some(end) = self.end
            && end < self.start
        {
            add(
                "end",
                format!("the term ends ({end}) before it starts ({})", self.start),
            );
        }
        if self.end.is_none() && self.term_releases.is_none() {
            add(
                "end",
                "set an end date or a term in number of releases".to_owned(),
            );
        }
        if self.term_releases == Some(0) {
            add(
                "term",
                "a term in releases needs at least 1 release".to_owned(),
            );
        }
        for option in &self.options {
            let name = option.name.trim();
            if name.is_empty() {
                add("options", "every option period needs a name".to_owned());
            } else if name.chars().count() > NAME_MAX {
                add(
                    "options",
                    format!("option name “{name}” is longer than {NAME_MAX} characters"),
                );
            }
            if option.notice_deadline < self.start {
                add(
                    "options",
                    format!(
                        "the notice deadline of option “{name}” ({}) is before the contract starts ({})",
                        option.notice_deadline, self.start
                    ),
                );
            }
            if let Some(until) = option.until
                && until < option.notice_deadline
            {
                add(
                    "options",
                    format!(
                        "option “{name}” ends ({until}) before its notice deadline ({})",
                        option.notice_deadline
                    ),
                );
            }
        }
        match &self.territory {
            Territory::Worldwide => {}
            Territory::Only(list) | Territory::WorldwideExcept(list) => {
                if list.is_empty() {
                    add(
                        "territory",
                        "list at least one country, or choose worldwide".to_owned(),
                    );
                }
                for code in list.iter().filter(|c| !is_country_code(c)) {
                    add(
                        "territory",
                        format!(
                            "“{code}” is not a country code: use two capital letters (ISO 3166), e.g. DE, BR, US"
                        ),
                    );
                }
            }
        }
        if let Some(reversion) = self.reversion
            && reversion < self.start
        {
            add(
                "reversion",
                format!(
                    "the reversion date ({reversion}) is before the contract starts ({})",
                    self.start
                ),
            );
        }
        for (field, what, money) in [
            ("advance", "the advance", self.advance),
            ("minimum payout", "the minimum payout", self.minimum_payout),
        ] {
            if money.currency != self.currency {
                add(
                    field,
                    format!(
                        "{what} is in {}, but the contract is in {}",
                        money.currency, self.currency
                    ),
                );
            }
            if money.is_negative() {
                add(field, format!("{what} cannot be negative ({money})"));
            }
        }
        let rate_word = if self.deal_type.rates_are_fees() {
            "fee"
        } else {
            "rate"
        };
        let mut seen_rates = BTreeSet::new();
        for rule in &self.rates {
            let what = match rule.format {
                Some(kind) => format!("the {} {rate_word} for {kind}", rule.channel),
                None => format!("the {} {rate_word}", rule.channel),
            }
            .to_lowercase();
            if rule.rate.0 < 0 {
                add(
                    "rates",
                    format!("{what} cannot be negative ({})", rule.rate),
                );
            } else if rule.rate.0 > BasisPoints::FULL.0 {
                add(
                    "rates",
                    format!("{what} cannot be over 100% ({})", rule.rate),
                );
            }
            if !seen_rates.insert((rule.channel, rule.format)) {
                add("rates", format!("{what} is set twice"));
            }
        }
        self.payee_problems(&mut add);
        let mut seen_categories = BTreeSet::new();
        for r in &self.recoupables {
            let what = format!("the recoupable share of {} costs", r.category).to_lowercase();
            if !(0..=BasisPoints::FULL.0).contains(&r.share.0) {
                add(
                    "recoupable costs",
                    format!("{what} must be between 0% and 100% ({})", r.share),
                );
            }
            if !seen_categories.insert(r.category) {
                add("recoupable costs", format!("{what} is set twice"));
            }
        }
        if !(0..=BasisPoints::FULL.0).contains(&self.reserve.held.0) {
            add(
                "reserve",
                format!(
                    "the reserve must be between 0% and 100% ({})",
                    self.reserve.held
                ),
            );
        }
        if self.reserve.held.0 > 0 && self.reserve.release_periods == 0 {
            add(
                "reserve",
                "say over how many periods the reserve is released (at least 1)".to_owned(),
            );
        }
        if self.reserve.release_periods > 40 {
            add(
                "reserve",
                "a reserve is released over at most 40 periods".to_owned(),
            );
        }
        if self.document_path.chars().count() > PATH_MAX {
            add(
                "document",
                format!("the document path is longer than {PATH_MAX} characters"),
            );
        }
        out
    }

    fn payee_problems(&self, add: &mut impl FnMut(&'static str, String)) {
        if self.payees.is_empty() {
            add(
                "payees",
                "add at least one payee (who is paid under the contract)".to_owned(),
            );
        }
        let mut seen = BTreeSet::new();
        for payee in &self.payees {
            let name = payee.name.trim();
            if payee.id.0 <= 0 {
                add(
                    "payees",
                    format!("payee “{name}” has no number (use Contract::next_payee_id)"),
                );
            } else if !seen.insert(payee.id) {
                add("payees", format!("payee number {} is used twice", payee.id));
            }
            if name.is_empty() {
                add("payees", "every payee needs a name".to_owned());
            } else if name.chars().count() > NAME_MAX {
                add(
                    "payees",
                    format!("payee name “{name}” is longer than {NAME_MAX} characters"),
                );
            }
            let email = payee.email.trim();
            if !email.is_empty() && (!email.contains('@') || email.contains(char::is_whitespace)) {
                add(
                    "payees",
                    format!("the e-mail of {name} (“{email}”) is not an e-mail address"),
                );
            }
        }
        if !self.payees.is_empty() && !self.splits.iter().any(|s| s.scope == SplitScope::Default) {
            add(
                "splits",
                "set the contract's default split (who gets what when no release or track split applies)"
                    .to_owned(),
            );
        }
        let mut scopes = BTreeSet::new();
        for set in &self.splits {
            let what = set.scope.describe();
            if !scopes.insert(set.scope) {
                add("splits", format!("{what} is set twice"));
            }
            let total: i64 = set.shares.iter().map(|s| i64::from(s.share.0)).sum();
            if total != i64::from(BasisPoints::FULL.0) {
                add(
                    "splits",
                    format!(
                        "{what} totals {}, not 100%",
                        BasisPoints(i32::try_from(total).unwrap_or(i32::MAX))
                    ),
                );
            }
            let mut in_set = BTreeSet::new();
            for share in &set.shares {
                let name = self
                    .payee(share.payee)
                    .map_or_else(|| format!("payee {}", share.payee), |p| p.name.clone());
                if self.payee(share.payee).is_none() {
                    add(
                        "splits",
                        format!(
                            "{what} names payee {}, who is not on the contract",
                            share.payee
                        ),
                    );
                }
                if !in_set.insert(share.payee) {
                    add("splits", format!("{what} lists {name} twice"));
                }
                if share.share.0 < 0 {
                    add(
                        "splits",
                        format!("{what} gives {name} a negative share ({})", share.share),
                    );
                }
            }
        }
    }

    /// Checks the terms.
    ///
    /// # Errors
    /// [`ContractErrors`] listing every problem ([`problems`](Self::problems)).
    pub fn validate(&self) -> Result<(), ContractErrors> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ContractErrors(problems))
        }
    }
}

/// Longest note on a payment.
pub const PAYMENT_NOTE_MAX: usize = 2000;

/// Money paid to a payee under a contract.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Payment {
    pub id: PaymentId,
    pub contract_id: ContractId,
    pub payee: PayeeId,
    pub date: NaiveDate,
    /// More than zero, in the contract's currency.
    pub amount: Money,
    pub note: String,
    /// The issued statement that took it into account (none: the next one will).
    pub statement_id: Option<StatementId>,
}

impl Payment {
    /// Checks the payment against its contract.
    ///
    /// # Errors
    /// [`ValidationError::Invalid`]: not more than zero, another currency, a payee who is not
    /// on the contract, an overlong note.
    pub fn validate(&self, contract: &Contract) -> Result<(), ValidationError> {
        let invalid = |reason: String| ValidationError::Invalid {
            field: "payment",
            reason,
        };
        if self.amount.minor <= 0 {
            return Err(invalid(format!(
                "a payment must be more than zero ({})",
                self.amount
            )));
        }
        if self.amount.currency != contract.currency {
            return Err(invalid(format!(
                "the payment is in {}, but “{}” is in {}",
                self.amount.currency,
                contract.display_name(),
                contract.currency
            )));
        }
        if contract.payee(self.payee).is_none() {
            return Err(invalid(format!(
                "payee {} is not on “{}”",
                self.payee,
                contract.display_name()
            )));
        }
        if self.note.chars().count() > PAYMENT_NOTE_MAX {
            return Err(ValidationError::TooLong {
                field: "note",
                max: PAYMENT_NOTE_MAX,
            });
        }
        Ok(())
    }
}

/// Where a contract stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ContractStatus {
    /// Starts later.
    Upcoming,
    /// In its term.
    Active,
    /// The term is over (royalties still accrue on its records).
    TermEnded,
    /// The masters went back to the artist.
    Reverted,
}

impl ContractStatus {
    /// What the user sees.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Upcoming => "Upcoming",
            Self::Active => "Active",
            Self::TermEnded => "Term ended",
            Self::Reverted => "Reverted",
        }
    }
}

impl fmt::Display for ContractStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One problem with a contract's terms.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContractProblem {
    /// The part of the editor it is about ("splits", "rates", "end"…).
    pub field: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
}

impl fmt::Display for ContractProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every problem found by [`Contract::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractErrors(pub Vec<ContractProblem>);

impl fmt::Display for ContractErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<&str> = self.0.iter().map(|p| p.message.as_str()).collect();
        f.write_str(&messages.join("; "))
    }
}

impl std::error::Error for ContractErrors {}

impl From<ContractErrors> for ValidationError {
    fn from(errors: ContractErrors) -> Self {
        Self::Invalid {
            field: errors.0.first().map_or("contract", |p| p.field),
            reason: errors.to_string(),
        }
    }
}

/// What a deadline is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DeadlineKind {
    /// The term ends.
    TermEnds,
    /// Notice must be given to take up the option with this name.
    OptionNotice(String),
    /// The masters return to the artist.
    Reversion,
}

/// A date to act on soon.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deadline {
    pub date: NaiveDate,
    pub kind: DeadlineKind,
    /// 0 = today.
    pub days_left: i64,
}

impl Deadline {
    /// "Term ends on 2026-09-30 (in 12 days)".
    #[must_use]
    pub fn message(&self) -> String {
        let when = match self.days_left {
            0 => "today".to_owned(),
            1 => "tomorrow".to_owned(),
            n => format!("in {n} days"),
        };
        match &self.kind {
            DeadlineKind::TermEnds => format!("Term ends on {} ({when})", self.date),
            DeadlineKind::OptionNotice(name) => {
                format!("Notice for option “{name}” due by {} ({when})", self.date)
            }
            DeadlineKind::Reversion => {
                format!("Masters revert to the artist on {} ({when})", self.date)
            }
        }
    }
}

/// Term end, option notice deadlines (options not yet taken up) and the reversion date that
/// fall between `today` and [`WARNING_DAYS`] days later, soonest first.
#[must_use]
pub fn upcoming_deadlines(contract: &Contract, today: NaiveDate) -> Vec<Deadline> {
    let mut out = Vec::new();
    let mut push = |date: NaiveDate, kind: DeadlineKind| {
        let days_left = (date - today).num_days();
        if (0..=WARNING_DAYS).contains(&days_left) {
            out.push(Deadline {
                date,
                kind,
                days_left,
            });
        }
    };
    if let Some(end) = contract.end {
        push(end, DeadlineKind::TermEnds);
    }
    for option in contract.options.iter().filter(|o| !o.exercised) {
        push(
            option.notice_deadline,
            DeadlineKind::OptionNotice(option.name.trim().to_owned()),
        );
    }
    if let Some(reversion) = contract.reversion
        && contract.masters_owner == MastersOwner::Label
    {
        push(reversion, DeadlineKind::Reversion);
    }
    out.sort_by_key(|d| d.date);
    out
}

/// Why two contracts cannot both be saved, or `None` when they do not overlap (see the module
/// notes): same scope, intersecting terms, and a channel on which both pay the artist.
#[must_use]
pub fn overlaps(a: &Contract, b: &Contract) -> Option<String> {
    if !a.id.is_unsaved() && a.id == b.id {
        return None;
    }
    let scope = match (a.release_id, b.release_id) {
        (Some(x), Some(y)) if x == y => format!("release #{x}"),
        (None, None) if a.artist_id == b.artist_id => "the same artist's releases".to_owned(),
        _ => return None,
    };
    let from = a.start.max(b.start);
    let until = match (a.end, b.end) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    if until.is_some_and(|u| u < from) {
        return None;
    }
    let shared: Vec<String> = a
        .paying_channels()
        .intersection(&b.paying_channels())
        .map(|c| c.label().to_lowercase())
        .collect();
    if shared.is_empty() {
        return None;
    }
    let when = match until {
        Some(u) => format!("from {from} to {u}"),
        None => format!("from {from} on"),
    };
    Some(format!(
        "“{}” overlaps “{}”: both cover {scope} {when} and both pay {} royalties, so that income would be paid twice. Change the dates, the release or the rates",
        a.display_name(),
        b.display_name(),
        shared.join(", ")
    ))
}

/// Shares `amount_minor` out by `weights` (basis points or any whole-number weights) so that
/// the parts add up to the amount exactly: the **largest remainder method**.
///
/// Each part first gets `amount × weight ÷ total weight` rounded towards zero; the cents left
/// over go one each to the parts with the largest remainders; between equal remainders the
/// earlier part (the earlier payee) comes first. A negative amount is shared exactly as its
/// positive counterpart and negated, so `share_out(-a, w)` is `-share_out(a, w)`. When all
/// weights are zero nothing can be shared and every part is zero.
#[must_use]
pub fn share_out(amount_minor: i64, weights: &[u32]) -> Vec<i64> {
    let exact: Vec<i128> = weights
        .iter()
        .map(|w| i128::from(amount_minor) * i128::from(*w))
        .collect();
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if total == 0 {
        return vec![0; weights.len()];
    }
    apportion(amount_minor, &exact, total)
}

/// Largest-remainder rounding of exact amounts: `exact[i] / unit` each, rounded so that the
/// parts add up to `total` (which should be the rounded sum of `exact / unit`). Ties go to the
/// earlier part; a negative total is handled as the mirror image of the positive one.
#[must_use]
pub fn apportion(total: i64, exact: &[i128], unit: i128) -> Vec<i64> {
    if exact.is_empty() || unit <= 0 {
        return Vec::new();
    }
    let sum: i128 = exact.iter().sum();
    if total < 0 || (total == 0 && sum < 0) {
        let mirrored: Vec<i128> = exact.iter().map(|e| -e).collect();
        return apportion(total.saturating_neg(), &mirrored, unit)
            .into_iter()
            .map(|v| -v)
            .collect();
    }
    let mut parts: Vec<i128> = exact.iter().map(|e| e.div_euclid(unit)).collect();
    let remainders: Vec<i128> = exact.iter().map(|e| e.rem_euclid(unit)).collect();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    // Largest remainder first; equal remainders in the parts' order (stable sort).
    order.sort_by(|x, y| remainders[*y].cmp(&remainders[*x]));
    let mut left = i128::from(total) - parts.iter().sum::<i128>();
    let n = i128::try_from(order.len()).unwrap_or(i128::MAX);
    // Normally 0 <= left < n; whole rounds first for inputs whose total was rounded elsewhere.
    let rounds = left.div_euclid(n);
    if rounds != 0 {
        for p in &mut parts {
            *p += rounds;
        }
        left -= rounds * n;
    }
    for i in order.iter().take(usize::try_from(left).unwrap_or(0)) {
        parts[*i] += 1;
    }
    parts
        .into_iter()
        .map(|p| i64::try_from(p).unwrap_or(if p < 0 { i64::MIN } else { i64::MAX }))
        .collect()
}

/// The period a line dated in `natural` is accounted in, given the periods already issued:
/// its own period when that is still open, else the first open period after the last issued
/// one (statements are issued in order, so a late line lands in the next open period).
#[must_use]
pub fn statement_period_for(
    natural: StatementPeriod,
    issued: &[StatementPeriod],
) -> StatementPeriod {
    let mut period = natural;
    while issued.contains(&period) {
        period = period.next();
    }
    match issued.iter().max() {
        Some(last) if period < *last => statement_period_for(last.next(), issued),
        _ => period,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn bp(n: i32) -> BasisPoints {
        BasisPoints(n)
    }

    /// A valid royalty contract: one payee at 100 %, stream 20 %, physical 15 % (vinyl 18 %).
    fn sample() -> Contract {
        let mut c = Contract::new(ArtistId(1), day(2026, 1, 1), Currency::EUR);
        c.title = "Recording agreement".into();
        c.end = Some(day(2027, 12, 31));
        c.payees = vec![Payee {
            id: PayeeId(1),
            name: "Nação Zumbi".into(),
            email: String::new(),
        }];
        c.splits = vec![SplitSet {
            scope: SplitScope::Default,
            shares: vec![Share {
                payee: PayeeId(1),
                share: BasisPoints::FULL,
            }],
        }];
        c.rates = vec![
            RateRule {
                channel: Channel::Stream,
                format: None,
                rate: bp(2000),
            },
            RateRule {
                channel: Channel::Physical,
                format: None,
                rate: bp(1500),
            },
            RateRule {
                channel: Channel::Physical,
                format: Some(FormatKind::Vinyl12),
                rate: bp(1800),
            },
        ];
        c
    }

    fn messages(c: &Contract) -> Vec<String> {
        c.problems().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn a_sound_contract_has_no_problems() {
        assert_eq!(messages(&sample()), Vec::<String>::new());
        assert_eq!(sample().validate(), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_in_plain_words() {
        let mut c = sample();
        c.end = Some(day(2025, 6, 30));
        c.rates[0].rate = bp(-100);
        c.rates[1].rate = bp(10_001);
        c.reserve = Reserve {
            held: bp(12_000),
            release_periods: 0,
        };
        c.territory = Territory::Only(vec!["DE".into(), "deu".into()]);
        c.payees.push(Payee {
            id: PayeeId(2),
            name: "Producer".into(),
            email: "nope".into(),
        });
        c.splits.push(SplitSet {
            scope: SplitScope::Track(TrackId(9)),
            shares: vec![
                Share {
                    payee: PayeeId(1),
                    share: bp(6000),
                },
                Share {
                    payee: PayeeId(2),
                    share: bp(3900),
                },
            ],
        });
        c.splits.push(SplitSet {
            scope: SplitScope::Release(ReleaseId(4)),
            shares: vec![Share {
                payee: PayeeId(7),
                share: BasisPoints::FULL,
            }],
        });
        c.advance = Money::new(-5, Currency::EUR);
        let got = messages(&c);
        let want = [
            "the term ends (2025-06-30) before it starts (2026-01-01)",
            "“deu” is not a country code: use two capital letters (ISO 3166), e.g. DE, BR, US",
            "the advance cannot be negative (-€0.05)",
            "the stream rate cannot be negative (-1%)",
            "the physical rate cannot be over 100% (100.01%)",
            "the e-mail of Producer (“nope”) is not an e-mail address",
            "the split for track #9 totals 99%, not 100%",
            "the split for release #4 names payee 7, who is not on the contract",
            "the reserve must be between 0% and 100% (120%)",
            "say over how many periods the reserve is released (at least 1)",
        ];
        assert_eq!(got, want);
        let err = c
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("; the stream rate cannot be negative"),
            "{err}"
        );
        let as_validation: ValidationError = c.validate().err().map_or(
            ValidationError::Required { field: "x" },
            ValidationError::from,
        );
        assert_eq!(as_validation.field(), "end");
    }

    #[test]
    fn more_problems() {
        let mut c = sample();
        c.end = None;
        c.term_releases = Some(0);
        c.deal_type = DealType::Distribution;
        c.rates.push(c.rates[0]);
        c.splits.clear();
        c.minimum_payout = Money::new(100, Currency::USD);
        c.territory = Territory::WorldwideExcept(Vec::new());
        c.options.push(OptionPeriod {
            name: "Second album".into(),
            notice_deadline: day(2025, 1, 1),
            until: None,
            exercised: false,
        });
        c.recoupables = vec![
            Recoupable {
                category: CostCategory::Video,
                share: bp(5000),
            },
            Recoupable {
                category: CostCategory::Video,
                share: bp(10_500),
            },
        ];
        let got = messages(&c);
        let want = [
            "a term in releases needs at least 1 release",
            "the notice deadline of option “Second album” (2025-01-01) is before the contract starts (2026-01-01)",
            "list at least one country, or choose worldwide",
            "the minimum payout is in USD, but the contract is in EUR",
            "the stream fee is set twice",
            "set the contract's default split (who gets what when no release or track split applies)",
            "the recoupable share of video costs must be between 0% and 100% (105%)",
            "the recoupable share of video costs is set twice",
        ];
        assert_eq!(got, want);
        c.payees.clear();
        assert!(
            messages(&c)
                .contains(&"add at least one payee (who is paid under the contract)".to_owned())
        );
    }

    #[test]
    fn rates_overrides_and_fees() {
        let mut c = sample();
        assert_eq!(c.artist_rate(Channel::Stream, None), Some(bp(2000)));
        assert_eq!(
            c.artist_rate(Channel::Physical, Some(FormatKind::Vinyl12)),
            Some(bp(1800))
        );
        assert_eq!(
            c.artist_rate(Channel::Physical, Some(FormatKind::Cd)),
            Some(bp(1500))
        );
        assert_eq!(c.artist_rate(Channel::Sync, None), None);
        // A distribution deal: the rates are the label's fee.
        c.deal_type = DealType::Distribution;
        assert_eq!(c.artist_rate(Channel::Stream, None), Some(bp(8000)));
        assert_eq!(
            c.paying_channels().into_iter().collect::<Vec<_>>(),
            vec![Channel::Physical, Channel::Stream]
        );
        c.rates[0].rate = BasisPoints::FULL; // a 100 % fee pays the artist nothing
        assert_eq!(
            c.paying_channels().into_iter().collect::<Vec<_>>(),
            vec![Channel::Physical]
        );
    }

    #[test]
    fn splits_fall_back_from_track_to_release_to_default() {
        let mut c = sample();
        let one = |payee, share| SplitSet {
            scope: SplitScope::Default,
            shares: vec![Share {
                payee: PayeeId(payee),
                share: bp(share),
            }],
        };
        c.splits.push(SplitSet {
            scope: SplitScope::Release(ReleaseId(5)),
            ..one(2, 10_000)
        });
        c.splits.push(SplitSet {
            scope: SplitScope::Track(TrackId(50)),
            ..one(3, 10_000)
        });
        let scope = |r, t| c.split_for(ReleaseId(r), t).map(|s| s.scope);
        assert_eq!(
            scope(5, Some(TrackId(50))),
            Some(SplitScope::Track(TrackId(50)))
        );
        assert_eq!(
            scope(5, Some(TrackId(51))),
            Some(SplitScope::Release(ReleaseId(5)))
        );
        assert_eq!(scope(6, None), Some(SplitScope::Default));
    }

    #[test]
    fn territories() {
        let only = Territory::Only(vec!["DE".into(), "AT".into()]);
        assert!(only.covers("de"));
        assert!(!only.covers("US"));
        assert!(only.covers(" "));
        let except = Territory::WorldwideExcept(vec!["US".into()]);
        assert!(!except.covers("US"));
        assert!(except.covers("BR"));
        assert!(Territory::Worldwide.covers("JP"));
        assert_eq!(only.describe(), "Only DE, AT");
        assert_eq!(except.describe(), "Worldwide except US");
        assert!(is_country_code("BR"));
        assert!(!is_country_code("Br"));
        assert!(!is_country_code("BRA"));
    }

    #[test]
    fn periods() {
        let h = StatementPeriod::containing(PeriodKind::HalfYear, day(2026, 7, 1));
        assert_eq!(h.label(), "2026 H2");
        assert_eq!((h.start(), h.end()), (day(2026, 7, 1), day(2026, 12, 31)));
        assert_eq!(h.next().label(), "2027 H1");
        assert_eq!(h.next().end(), day(2027, 6, 30));
        let q = StatementPeriod::containing(PeriodKind::Quarter, day(2026, 8, 15));
        assert_eq!(q.label(), "2026 Q3");
        assert_eq!((q.start(), q.end()), (day(2026, 7, 1), day(2026, 9, 30)));
        assert_eq!(
            StatementPeriod::containing(PeriodKind::Quarter, day(2026, 12, 31))
                .next()
                .label(),
            "2027 Q1"
        );
        assert!(q.contains(day(2026, 9, 30)));
        assert!(!q.contains(day(2026, 10, 1)));
        assert_eq!(StatementPeriod::parse("2026 Q3"), Ok(q));
        assert_eq!(StatementPeriod::parse("2026 H2"), Ok(h));
        assert!(StatementPeriod::parse("2026 Q5").is_err());
        assert!(StatementPeriod::parse("2026H1").is_err());
        assert!(q < q.next());
        let json = serde_json::to_string(&q).unwrap_or_default();
        assert_eq!(serde_json::from_str::<StatementPeriod>(&json).ok(), Some(q));
    }

    #[test]
    fn late_lines_land_in_the_next_open_period() {
        let h1 = StatementPeriod::containing(PeriodKind::HalfYear, day(2026, 3, 1));
        let h2 = h1.next();
        // Nothing issued: a line stays in its own period.
        assert_eq!(statement_period_for(h1, &[]), h1);
        // 2026 H1 issued: a March sale reported late goes to 2026 H2.
        assert_eq!(statement_period_for(h1, &[h1]), h2);
        // H1 and H2 issued: 2027 H1.
        assert_eq!(statement_period_for(h1, &[h1, h2]), h2.next());
        // A sale in a later, open period keeps its period.
        assert_eq!(statement_period_for(h2.next(), &[h1]), h2.next());
    }

    #[test]
    fn deadlines_within_sixty_days() {
        let mut c = sample();
        c.end = Some(day(2026, 3, 31));
        c.reversion = Some(day(2026, 5, 1));
        c.options = vec![
            OptionPeriod {
                name: "Second album".into(),
                notice_deadline: day(2026, 3, 1),
                until: None,
                exercised: false,
            },
            OptionPeriod {
                name: "Third album".into(),
                notice_deadline: day(2026, 3, 2),
                until: None,
                exercised: true,
            },
        ];
        let today = day(2026, 2, 28);
        let got: Vec<String> = upcoming_deadlines(&c, today)
            .iter()
            .map(Deadline::message)
            .collect();
        // 2026-03-31 is 31 days away; 2026-05-01 is 62 days away (not yet).
        assert_eq!(
            got,
            [
                "Notice for option “Second album” due by 2026-03-01 (tomorrow)",
                "Term ends on 2026-03-31 (in 31 days)",
            ]
        );
        let later = upcoming_deadlines(&c, day(2026, 3, 2));
        assert_eq!(later.len(), 2, "{later:?}"); // term end and reversion (60 days)
        assert_eq!(later[1].kind, DeadlineKind::Reversion);
        assert_eq!(later[1].days_left, 60);
        c.masters_owner = MastersOwner::Artist;
        assert_eq!(upcoming_deadlines(&c, day(2026, 3, 2)).len(), 1);
    }

    #[test]
    fn status_and_rights_window() {
        let mut c = sample();
        c.reversion = Some(day(2030, 1, 1));
        assert_eq!(c.status(day(2025, 12, 31)), ContractStatus::Upcoming);
        assert_eq!(c.status(day(2026, 1, 1)), ContractStatus::Active);
        assert_eq!(c.status(day(2028, 1, 1)), ContractStatus::TermEnded);
        assert_eq!(c.status(day(2030, 1, 1)), ContractStatus::Reverted);
        assert!(!c.earns_on(day(2025, 12, 31)));
        assert!(c.earns_on(day(2029, 12, 31)));
        assert!(!c.earns_on(day(2030, 1, 1)));
    }

    #[test]
    fn overlapping_contracts() {
        let deal = sample();
        let mut other = sample();
        other.id = ContractId(2);
        other.title = "Second deal".into();
        other.start = day(2027, 6, 1);
        other.end = None;
        other.term_releases = Some(2);
        assert_eq!(
            overlaps(&deal, &other).as_deref(),
            Some(
                "“Recording agreement” overlaps “Second deal”: both cover the same artist's releases from 2027-06-01 to 2027-12-31 and both pay physical, stream royalties, so that income would be paid twice. Change the dates, the release or the rates"
            )
        );
        // Disjoint terms.
        other.start = day(2028, 1, 1);
        assert_eq!(overlaps(&deal, &other), None);
        // Same term, different channels.
        other.start = day(2026, 1, 1);
        other.rates = vec![RateRule {
            channel: Channel::Sync,
            format: None,
            rate: bp(5000),
        }];
        assert_eq!(overlaps(&deal, &other), None);
        // A zero rate on the shared channel pays nothing: no overlap.
        other.rates.push(RateRule {
            channel: Channel::Stream,
            format: None,
            rate: BasisPoints::ZERO,
        });
        assert_eq!(overlaps(&deal, &other), None);
        other.rates[1].rate = bp(1);
        assert!(overlaps(&deal, &other).is_some());
        // A release contract takes precedence over the artist contract: no overlap.
        other.release_id = Some(ReleaseId(4));
        assert_eq!(overlaps(&deal, &other), None);
        // Two contracts on the same release do overlap, whatever the artist.
        let mut third = other.clone();
        third.id = ContractId(3);
        third.artist_id = ArtistId(9);
        assert!(
            overlaps(&other, &third)
                .is_some_and(|m| m.contains("both cover release #4 from 2026-01-01 on"))
        );
        third.release_id = Some(ReleaseId(5));
        assert_eq!(overlaps(&other, &third), None);
        // Another artist's artist contract.
        let mut elsewhere = deal.clone();
        elsewhere.id = ContractId(4);
        elsewhere.artist_id = ArtistId(2);
        assert_eq!(overlaps(&deal, &elsewhere), None);
        // A contract does not overlap itself (an update).
        let mut saved = deal.clone();
        saved.id = ContractId(1);
        let mut edited = saved.clone();
        edited.title = "edited".into();
        assert_eq!(overlaps(&saved, &edited), None);
    }

    #[test]
    fn share_out_by_largest_remainder() {
        // 100 cents in thirds: 33.33 each, one cent left; equal remainders: the first payee.
        assert_eq!(share_out(100, &[1, 1, 1]), vec![34, 33, 33]);
        // Negative amounts are the mirror image.
        assert_eq!(share_out(-100, &[1, 1, 1]), vec![-34, -33, -33]);
        // 50/30/20 % of 1001: 500.5, 300.3, 200.2 -> 500, 300, 200 + 1 to the largest
        // remainder (0.5, the first).
        assert_eq!(share_out(1001, &[5000, 3000, 2000]), vec![501, 300, 200]);
        // 33.34/33.33/33.33 % of 2: 0.6668, 0.6666, 0.6666 -> 0,0,0 + 2 cents to the two
        // largest remainders: the first (0.6668), then the second (tie with the third, earlier).
        assert_eq!(share_out(2, &[3334, 3333, 3333]), vec![1, 1, 0]);
        // The larger remainder wins over the earlier payee: 10 by 1:2 = 3.33, 6.67 -> 3, 7.
        assert_eq!(share_out(10, &[1, 2]), vec![3, 7]);
        assert_eq!(share_out(0, &[1, 2]), vec![0, 0]);
        assert_eq!(share_out(5, &[0, 0]), vec![0, 0]);
        assert_eq!(share_out(5, &[]), Vec::<i64>::new());
        for amount in [-1_000_003_i64, -7, 1, 99, 12_345_679] {
            let parts = share_out(amount, &[2500, 2500, 3333, 1667]);
            assert_eq!(parts.iter().sum::<i64>(), amount, "{amount}");
        }
    }

    #[test]
    fn apportion_exact_amounts() {
        // 1.005 + 2.0049 + 0.9901 cents (in 1/10000 cent) = 4 cents in total.
        assert_eq!(
            apportion(4, &[10_050, 20_049, 9_901], 10_000),
            vec![1, 2, 1]
        );
        // Mixed signs still add up.
        let parts = apportion(1, &[25_000, -14_000], 10_000);
        assert_eq!(parts.iter().sum::<i64>(), 1);
    }
}
