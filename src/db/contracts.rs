//! Contracts, their issued statements and the payments made to payees.
//!
//! Reads take a connection, writes a transaction, so contract edits compose with other
//! changes into one undoable edit. Every write checks first and writes nothing on error:
//! [`Contract::validate`], the overlap check against the artist's and the release's other
//! contracts ([`overlaps`]), and the rules of issued statements.
//!
//! ## Statements
//! - [`draft`] works a statement out for the contract's next open period without writing
//!   anything; [`issue`] freezes it: the figures are stored as JSON with the income lines,
//!   costs and payments it took, and an issued period is never recomputed or issued again.
//!   Statements are issued in order, once the period is over.
//! - A statement takes every income line, recoupable cost and payment dated up to the end of
//!   its period that no issued statement of the contract took yet, so a line reported late
//!   for an issued period lands in the next open period (see
//!   [`crate::model::statement_period_for`]).
//! - Which income a contract covers: see [`crate::model::contract`] (release contracts take
//!   precedence over the artist's contract). Sales before the contract's start are not loaded.
//! - **Currency rule.** Income lines are stored in the currency of their report, with
//!   `net_home_e8` in the label's home currency when the import had an exchange rate. A line
//!   in the contract's currency is taken as it is (gross and net). Otherwise, when the
//!   contract is in the home currency, the line's home amount is its net and its gross is
//!   converted at the import's rate (no rate: no gross, so a gross-based contract uses the
//!   net). Any other line cannot be valued in the contract's currency: it is left out, with a
//!   note on the statement, until an exchange rate is entered. Costs and payments must be in
//!   the contract's currency (other costs are left out with a note).
//! - Only cost lines marked recoupable in the ledger are loaded; the contract's recoupable
//!   share of their category applies (0 % when the category is not listed).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::error::{DbError, Result};
use crate::model::contract::{PaymentId, StatementId};
use crate::model::statement::{
    self, CoCredit, CostInput, IncomeInput, PaymentInput, StatementInput,
};
use crate::model::{
    Amount8, ArtistId, Channel, Contract, ContractId, ContractStatus, CostCategory, CostLineId,
    Currency, Deadline, DealType, FormatKind, IncomeLineId, MastersOwner, Money, OptionPeriod,
    Payee, PayeeId, Payment, PeriodKind, Rate, RateRule, Recoupable, ReleaseId, Reserve,
    RoyaltyBase, Share, SplitScope, SplitSet, Statement, StatementPeriod, Territory, TrackId,
    ValidationError, overlaps, upcoming_deadlines,
};

super::convert::id_sql!(ContractId, PayeeId, PaymentId, StatementId);

super::convert::code_sql!(DealType, MastersOwner, RoyaltyBase, PeriodKind);

fn invalid(field: &'static str, reason: String) -> DbError {
    DbError::Invalid(ValidationError::Invalid { field, reason })
}

// ---------------------------------------------------------------------------------------------
// Contracts

const COLUMNS: &str = "id, title, deal_type, artist_id, release_id, start_date, end_date, \
     term_releases, territory_mode, territory_codes, masters_owner, reversion_date, currency, \
     advance, royalty_base, cross_collateralised, reserve_bp, reserve_periods, minimum_payout, \
     period_kind, document_path";

fn head_from_row(r: &Row<'_>) -> rusqlite::Result<Contract> {
    let currency: Currency = r.get(12)?;
    let mode: String = r.get(8)?;
    let codes: String = r.get(9)?;
    let list: Vec<String> = codes
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let territory = match mode.as_str() {
        "only" => Territory::Only(list),
        "except" => Territory::WorldwideExcept(list),
        _ => Territory::Worldwide,
    };
    Ok(Contract {
        id: r.get(0)?,
        title: r.get(1)?,
        deal_type: r.get(2)?,
        artist_id: r.get(3)?,
        release_id: r.get(4)?,
        start: r.get(5)?,
        end: r.get(6)?,
        term_releases: r.get(7)?,
        options: Vec::new(),
        territory,
        masters_owner: r.get(10)?,
        reversion: r.get(11)?,
        currency,
        advance: Money::new(r.get(13)?, currency),
        royalty_base: r.get(14)?,
        rates: Vec::new(),
        payees: Vec::new(),
        splits: Vec::new(),
        recoupables: Vec::new(),
        cross_collateralised: r.get(15)?,
        reserve: Reserve {
            held: crate::model::BasisPoints(r.get(16)?),
            release_periods: r.get(17)?,
        },
        minimum_payout: Money::new(r.get(18)?, currency),
        period_kind: r.get(19)?,
        document_path: r.get(20)?,
    })
}

/// One contract with all its terms.
///
/// # Errors
/// [`DbError::Missing`]; SQLite failures.
pub fn get(conn: &Connection, id: ContractId) -> Result<Contract> {
    let mut contract = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM contracts WHERE id = ?1"),
            [id],
            head_from_row,
        )
        .optional()?
        .ok_or(DbError::Missing {
            kind: "contract",
            id: id.0,
        })?;
    load_terms(conn, &mut contract)?;
    Ok(contract)
}

fn load_terms(conn: &Connection, c: &mut Contract) -> Result<()> {
    let id = c.id;
    let mut stmt = conn.prepare_cached(
        "SELECT name, notice_deadline, until_date, exercised FROM contract_options
         WHERE contract_id = ?1 ORDER BY position, id",
    )?;
    c.options = stmt
        .query_map([id], |r| {
            Ok(OptionPeriod {
                name: r.get(0)?,
                notice_deadline: r.get(1)?,
                until: r.get(2)?,
                exercised: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT channel, format_kind, rate_bp FROM contract_rates WHERE contract_id = ?1 ORDER BY id",
    )?;
    c.rates = stmt
        .query_map([id], |r| {
            Ok(RateRule {
                channel: r.get(0)?,
                format: r.get(1)?,
                rate: crate::model::BasisPoints(r.get(2)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT payee_id, name, email FROM contract_payees WHERE contract_id = ?1
         ORDER BY position, payee_id",
    )?;
    c.payees = stmt
        .query_map([id], |r| {
            Ok(Payee {
                id: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT scope, release_id, track_id, payee_id, share_bp FROM contract_splits
         WHERE contract_id = ?1 ORDER BY id",
    )?;
    let rows: Vec<(String, Option<ReleaseId>, Option<TrackId>, Share)> = stmt
        .query_map([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                Share {
                    payee: r.get(3)?,
                    share: crate::model::BasisPoints(r.get(4)?),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    c.splits.clear();
    for (scope, release, track, share) in rows {
        let scope = match (scope.as_str(), release, track) {
            ("release", Some(r), _) => SplitScope::Release(r),
            ("track", _, Some(t)) => SplitScope::Track(t),
            _ => SplitScope::Default,
        };
        match c.splits.iter_mut().find(|s| s.scope == scope) {
            Some(set) => set.shares.push(share),
            None => c.splits.push(SplitSet {
                scope,
                shares: vec![share],
            }),
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT category, share_bp FROM contract_recoupables WHERE contract_id = ?1",
    )?;
    let mut recoupables: Vec<Recoupable> = stmt
        .query_map([id], |r| {
            Ok(Recoupable {
                category: r.get(0)?,
                share: crate::model::BasisPoints(r.get(1)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    recoupables.sort_by_key(|r| CostCategory::ALL.iter().position(|c| *c == r.category));
    c.recoupables = recoupables;
    Ok(())
}

/// Every problem that would stop `contract` from being saved: its own
/// ([`Contract::problems`]), an artist, release or track that does not exist, and overlaps with
/// the other contracts of the same artist or release (field "term"). For the editor to show
/// while the user types.
///
/// # Errors
/// SQLite failures.
pub fn problems(
    conn: &Connection,
    contract: &Contract,
) -> Result<Vec<crate::model::ContractProblem>> {
    use crate::model::ContractProblem;
    let mut out = contract.problems();
    let exists = |table: &str, id: i64| -> Result<bool> {
        Ok(conn
            .query_row(
                &format!("SELECT 1 FROM {table} WHERE id = ?1"),
                [id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    };
    if !contract.artist_id.is_unsaved() && !exists("artists", contract.artist_id.0)? {
        out.push(ContractProblem {
            field: "artist",
            message: format!(
                "artist #{} does not exist (it may have been deleted)",
                contract.artist_id
            ),
        });
    }
    if let Some(r) = contract.release_id
        && !exists("releases", r.0)?
    {
        out.push(ContractProblem {
            field: "release",
            message: format!("release #{r} does not exist (it may have been deleted)"),
        });
    }
    for set in &contract.splits {
        let missing = match set.scope {
            SplitScope::Default => false,
            SplitScope::Release(r) => !exists("releases", r.0)?,
            SplitScope::Track(t) => !exists("tracks", t.0)?,
        };
        if missing {
            out.push(ContractProblem {
                field: "splits",
                message: format!(
                    "{} is for something that does not exist",
                    set.scope.describe()
                ),
            });
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM contracts WHERE id <> ?1
           AND ((release_id IS NULL AND ?3 IS NULL AND artist_id = ?2) OR release_id = ?3)",
    )?;
    let others: Vec<ContractId> = stmt
        .query_map(
            params![contract.id, contract.artist_id, contract.release_id],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    for other in others {
        let other = get(conn, other)?;
        if let Some(message) = overlaps(contract, &other) {
            out.push(ContractProblem {
                field: "term",
                message,
            });
        }
    }
    Ok(out)
}

fn check(conn: &Connection, contract: &Contract) -> Result<()> {
    let problems = problems(conn, contract)?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(DbError::Invalid(
            crate::model::ContractErrors(problems).into(),
        ))
    }
}

/// Stores a new contract (a set id is kept: redo). Checks it first ([`problems`]); writes
/// nothing on error.
///
/// # Errors
/// [`DbError::Invalid`] naming every problem; SQLite failures.
pub fn insert(tx: &Transaction<'_>, contract: &Contract) -> Result<ContractId> {
    check(tx, contract)?;
    let id = (!contract.id.is_unsaved()).then_some(contract.id);
    tx.execute(
        &format!(
            "INSERT INTO contracts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
             ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
        ),
        rusqlite::params_from_iter(head_params(contract, id).iter()),
    )?;
    let id = ContractId(tx.last_insert_rowid());
    write_terms(tx, id, contract)?;
    Ok(id)
}

fn head_params(c: &Contract, id: Option<ContractId>) -> Vec<Box<dyn ToSql>> {
    let (mode, codes) = match &c.territory {
        Territory::Worldwide => ("worldwide", String::new()),
        Territory::Only(list) => ("only", list.join(",")),
        Territory::WorldwideExcept(list) => ("except", list.join(",")),
    };
    vec![
        Box::new(id),
        Box::new(c.title.trim().to_owned()),
        Box::new(c.deal_type),
        Box::new(c.artist_id),
        Box::new(c.release_id),
        Box::new(c.start),
        Box::new(c.end),
        Box::new(c.term_releases),
        Box::new(mode),
        Box::new(codes),
        Box::new(c.masters_owner),
        Box::new(c.reversion),
        Box::new(c.currency),
        Box::new(c.advance.minor),
        Box::new(c.royalty_base),
        Box::new(c.cross_collateralised),
        Box::new(c.reserve.held.0),
        Box::new(c.reserve.release_periods),
        Box::new(c.minimum_payout.minor),
        Box::new(c.period_kind),
        Box::new(c.document_path.trim().to_owned()),
    ]
}

/// Rewrites options, rates, splits and recoupables; payees are updated in place (their
/// numbers are kept so payments and carried balances stay attached).
fn write_terms(tx: &Transaction<'_>, id: ContractId, c: &Contract) -> Result<()> {
    for table in [
        "contract_options",
        "contract_rates",
        "contract_splits",
        "contract_recoupables",
    ] {
        tx.execute(&format!("DELETE FROM {table} WHERE contract_id = ?1"), [id])?;
    }
    let keep: Vec<String> = c.payees.iter().map(|p| p.id.0.to_string()).collect();
    tx.execute(
        &format!(
            "DELETE FROM contract_payees WHERE contract_id = ?1 AND payee_id NOT IN ({})",
            if keep.is_empty() {
                "0".to_owned()
            } else {
                keep.join(",")
            }
        ),
        [id],
    )?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO contract_payees (contract_id, payee_id, position, name, email)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (contract_id, payee_id) DO UPDATE
         SET position = excluded.position, name = excluded.name, email = excluded.email",
    )?;
    for (i, p) in c.payees.iter().enumerate() {
        stmt.execute(params![id, p.id, i, p.name.trim(), p.email.trim()])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO contract_options (contract_id, position, name, notice_deadline, until_date, exercised)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, o) in c.options.iter().enumerate() {
        stmt.execute(params![
            id,
            i,
            o.name.trim(),
            o.notice_deadline,
            o.until,
            o.exercised
        ])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO contract_rates (contract_id, channel, format_kind, rate_bp) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for r in &c.rates {
        stmt.execute(params![id, r.channel, r.format, r.rate.0])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO contract_splits (contract_id, scope, release_id, track_id, payee_id, share_bp)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for set in &c.splits {
        let (scope, release, track) = match set.scope {
            SplitScope::Default => ("default", None, None),
            SplitScope::Release(r) => ("release", Some(r), None),
            SplitScope::Track(t) => ("track", None, Some(t)),
        };
        for s in &set.shares {
            stmt.execute(params![id, scope, release, track, s.payee, s.share.0])?;
        }
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO contract_recoupables (contract_id, category, share_bp) VALUES (?1, ?2, ?3)",
    )?;
    for r in &c.recoupables {
        stmt.execute(params![id, r.category, r.share.0])?;
    }
    Ok(())
}

/// Saves changes to a contract. Checks it first ([`problems`]); once statements were issued,
/// its currency and statement period cannot change, and a payee who was paid or is owed money
/// cannot be removed. Writes nothing on error.
///
/// # Errors
/// [`DbError::Invalid`] or [`DbError::InUse`] saying why; [`DbError::Missing`]; SQLite
/// failures.
pub fn update(tx: &Transaction<'_>, contract: &Contract) -> Result<()> {
    let before = get(tx, contract.id)?;
    check(tx, contract)?;
    let name = contract.display_name();
    if let Some(last) = last_issued(tx, contract.id)? {
        if contract.currency != before.currency {
            return Err(DbError::InUse(format!(
                "“{name}” has issued statements in {}: its currency cannot change. End it and start a new contract instead",
                before.currency
            )));
        }
        if contract.period_kind != before.period_kind {
            return Err(DbError::InUse(format!(
                "“{name}” has issued statements by {}: its statement period cannot change",
                before.period_kind.label().to_lowercase()
            )));
        }
        for gone in before
            .payees
            .iter()
            .filter(|p| contract.payee(p.id).is_none())
        {
            let owed = last
                .statement
                .carried_forward
                .owed
                .iter()
                .find(|o| o.payee == gone.id)
                .map_or(0, |o| o.minor);
            if owed != 0 {
                return Err(DbError::InUse(format!(
                    "{} is owed {} under “{name}”: pay or settle that before removing them",
                    gone.name,
                    Money::new(owed, before.currency)
                )));
            }
        }
    }
    for gone in before
        .payees
        .iter()
        .filter(|p| contract.payee(p.id).is_none())
    {
        let payments: i64 = tx.query_row(
            "SELECT count(*) FROM payee_payments WHERE contract_id = ?1 AND payee_id = ?2",
            params![contract.id, gone.id],
            |r| r.get(0),
        )?;
        if payments > 0 {
            return Err(DbError::InUse(format!(
                "{} was paid under “{name}” ({payments} payment{}): a payee with payments cannot be removed",
                gone.name,
                if payments == 1 { "" } else { "s" }
            )));
        }
    }
    let mut params = head_params(contract, Some(contract.id));
    let id = params.remove(0);
    params.push(id);
    tx.execute(
        "UPDATE contracts SET title = ?1, deal_type = ?2, artist_id = ?3, release_id = ?4,
             start_date = ?5, end_date = ?6, term_releases = ?7, territory_mode = ?8,
             territory_codes = ?9, masters_owner = ?10, reversion_date = ?11, currency = ?12,
             advance = ?13, royalty_base = ?14, cross_collateralised = ?15, reserve_bp = ?16,
             reserve_periods = ?17, minimum_payout = ?18, period_kind = ?19, document_path = ?20,
             updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE id = ?21",
        rusqlite::params_from_iter(params.iter()),
    )?;
    write_terms(tx, contract.id, contract)?;
    Ok(())
}

/// Deletes a contract without issued statements or payments, returning it (for undo).
///
/// # Errors
/// [`DbError::InUse`] when statements were issued or payments recorded; [`DbError::Missing`];
/// SQLite failures. Nothing is written on error.
pub fn delete(tx: &Transaction<'_>, id: ContractId) -> Result<Contract> {
    let contract = get(tx, id)?;
    let (statements, payments): (i64, i64) = tx.query_row(
        "SELECT (SELECT count(*) FROM statements WHERE contract_id = ?1),
                (SELECT count(*) FROM payee_payments WHERE contract_id = ?1)",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if statements > 0 || payments > 0 {
        return Err(DbError::InUse(format!(
            "“{}” cannot be deleted: it has {} issued statement{} and {} payment{}, the record of what the artist was paid",
            contract.display_name(),
            statements,
            if statements == 1 { "" } else { "s" },
            payments,
            if payments == 1 { "" } else { "s" },
        )));
    }
    tx.execute("DELETE FROM contracts WHERE id = ?1", [id])?;
    Ok(contract)
}

/// One row of the contract list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractRow {
    pub id: ContractId,
    /// The title, or "Contract #id".
    pub name: String,
    pub artist_id: ArtistId,
    pub artist: String,
    pub release_id: Option<ReleaseId>,
    pub release: Option<String>,
    pub deal_type: DealType,
    pub status: ContractStatus,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// The last issued statement's period.
    pub last_statement: Option<StatementPeriod>,
    /// The balance after the last issued statement (owed to payees minus still to recoup);
    /// before the first, minus the advance.
    pub balance: Money,
    /// Still to recoup after the last issued statement (the advance before the first).
    pub unrecouped: Money,
    /// Payable on the last issued statement.
    pub payable: Money,
    /// Deadlines within the warning window.
    pub deadlines: Vec<Deadline>,
}

/// A contract list row as queried: id, artist, release title, last period, balance,
/// unrecouped, payable.
type ListHead = (
    ContractId,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Every contract with its status and current balance, by artist (sort name) then start.
///
/// # Errors
/// SQLite failures.
pub fn list(conn: &Connection, today: NaiveDate) -> Result<Vec<ContractRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, a.name, r.title,
                (SELECT s.period FROM statements s WHERE s.contract_id = c.id ORDER BY s.period_start DESC LIMIT 1),
                (SELECT s.closing_balance FROM statements s WHERE s.contract_id = c.id ORDER BY s.period_start DESC LIMIT 1),
                (SELECT s.unrecouped FROM statements s WHERE s.contract_id = c.id ORDER BY s.period_start DESC LIMIT 1),
                (SELECT s.payable FROM statements s WHERE s.contract_id = c.id ORDER BY s.period_start DESC LIMIT 1)
         FROM contracts c
         JOIN artists a ON a.id = c.artist_id
         LEFT JOIN releases r ON r.id = c.release_id
         ORDER BY coalesce(nullif(a.sort_name, ''), a.name) COLLATE NOCASE, a.id, c.start_date, c.id",
    )?;
    let heads: Vec<ListHead> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows = Vec::with_capacity(heads.len());
    for (id, artist, release, period, balance, unrecouped, payable) in heads {
        let c = get(conn, id)?;
        let money = |minor: i64| Money::new(minor, c.currency);
        rows.push(ContractRow {
            id,
            name: c.display_name(),
            artist_id: c.artist_id,
            artist,
            release_id: c.release_id,
            release,
            deal_type: c.deal_type,
            status: c.status(today),
            start: c.start,
            end: c.end,
            last_statement: period.and_then(|p| StatementPeriod::parse(&p).ok()),
            balance: money(balance.unwrap_or(-c.advance.minor)),
            unrecouped: money(unrecouped.unwrap_or(c.advance.minor)),
            payable: money(payable.unwrap_or(0)),
            deadlines: upcoming_deadlines(&c, today),
        });
    }
    Ok(rows)
}

/// A deadline of one contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractDeadline {
    pub contract_id: ContractId,
    pub contract: String,
    pub artist: String,
    pub deadline: Deadline,
}

/// Term ends, option notice deadlines and reversions of every contract within the warning
/// window ([`crate::model::contract::WARNING_DAYS`]), soonest first.
///
/// # Errors
/// SQLite failures.
pub fn deadlines(conn: &Connection, today: NaiveDate) -> Result<Vec<ContractDeadline>> {
    let mut out: Vec<ContractDeadline> = list(conn, today)?
        .into_iter()
        .flat_map(|row| {
            row.deadlines
                .into_iter()
                .map(move |deadline| ContractDeadline {
                    contract_id: row.id,
                    contract: row.name.clone(),
                    artist: row.artist.clone(),
                    deadline,
                })
        })
        .collect();
    out.sort_by_key(|d| (d.deadline.date, d.contract_id));
    Ok(out)
}

/// How many contracts (or contract splits) refer to an artist, a release or a track: such a
/// row cannot be deleted (the references are `ON DELETE RESTRICT`), so the caller can say so
/// in plain words before trying.
///
/// # Errors
/// SQLite failures.
pub fn references(
    conn: &Connection,
    artist: Option<ArtistId>,
    release: Option<ReleaseId>,
    track: Option<TrackId>,
) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM contracts WHERE artist_id = ?1 OR release_id = ?2)
              + (SELECT count(DISTINCT contract_id) FROM contract_splits WHERE release_id = ?2 OR track_id = ?3)",
        params![artist, release, track],
        |r| r.get(0),
    )?)
}

// ---------------------------------------------------------------------------------------------
// Statements

/// An issued statement as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedStatement {
    pub id: StatementId,
    pub contract_id: ContractId,
    pub period: StatementPeriod,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub issued_at: String,
    pub statement: Statement,
}

fn issued_from_row(r: &Row<'_>) -> rusqlite::Result<IssuedStatement> {
    let period: String = r.get(2)?;
    let figures: String = r.get(4)?;
    let bad = |e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e)
    };
    Ok(IssuedStatement {
        id: r.get(0)?,
        contract_id: r.get(1)?,
        period: StatementPeriod::parse(&period).map_err(|e| bad(Box::new(e)))?,
        issued_at: r.get(3)?,
        statement: serde_json::from_str(&figures).map_err(|e| bad(Box::new(e)))?,
    })
}

const ISSUED_COLUMNS: &str = "id, contract_id, period, issued_at, figures";

/// The issued statements of a contract, oldest first.
///
/// # Errors
/// SQLite failures, or stored figures Labeldesk cannot read.
pub fn statements(conn: &Connection, contract: ContractId) -> Result<Vec<IssuedStatement>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ISSUED_COLUMNS} FROM statements WHERE contract_id = ?1 ORDER BY period_start"
    ))?;
    let rows = stmt
        .query_map([contract], issued_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One issued statement.
///
/// # Errors
/// [`DbError::Missing`]; SQLite failures.
pub fn get_statement(conn: &Connection, id: StatementId) -> Result<IssuedStatement> {
    conn.query_row(
        &format!("SELECT {ISSUED_COLUMNS} FROM statements WHERE id = ?1"),
        [id],
        issued_from_row,
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "statement",
        id: id.0,
    })
}

fn last_issued(conn: &Connection, contract: ContractId) -> Result<Option<IssuedStatement>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {ISSUED_COLUMNS} FROM statements WHERE contract_id = ?1
                 ORDER BY period_start DESC LIMIT 1"
            ),
            [contract],
            issued_from_row,
        )
        .optional()?)
}

/// The period the next statement is for: the one after the last issued statement, or the
/// period containing the contract's start.
///
/// # Errors
/// [`DbError::Missing`]; SQLite failures.
pub fn next_open_period(conn: &Connection, id: ContractId) -> Result<StatementPeriod> {
    let contract = get(conn, id)?;
    Ok(last_issued(conn, id)?.map_or_else(|| contract.first_period(), |s| s.period.next()))
}

/// Refuses a period that is issued, or not the next open one.
fn check_open(conn: &Connection, contract: &Contract, period: StatementPeriod) -> Result<()> {
    let name = contract.display_name();
    let issued: Option<String> = conn
        .query_row(
            "SELECT issued_at FROM statements WHERE contract_id = ?1 AND period = ?2",
            params![contract.id, period.label()],
            |r| r.get(0),
        )
        .optional()?;
    let next = last_issued(conn, contract.id)?
        .map_or_else(|| contract.first_period(), |s| s.period.next());
    if let Some(at) = issued {
        return Err(DbError::InUse(format!(
            "the {period} statement of “{name}” was issued on {} and cannot be changed or issued again. Income that arrives late for it goes into the next open period, {next}",
            at.get(..10).unwrap_or(&at)
        )));
    }
    if period.kind != contract.period_kind {
        return Err(invalid(
            "statement period",
            format!(
                "“{name}” is statemented by {}, not by {}",
                contract.period_kind.label().to_lowercase(),
                period.kind.label().to_lowercase()
            ),
        ));
    }
    let first = contract.first_period();
    if period < first {
        return Err(invalid(
            "statement period",
            format!(
                "“{name}” starts on {}: its first statement is for {first}",
                contract.start
            ),
        ));
    }
    if period != next {
        return Err(invalid(
            "statement period",
            format!(
                "statements are issued in order: the next one for “{name}” is {next}, not {period}"
            ),
        ));
    }
    Ok(())
}

/// The releases a contract covers (see [`crate::model::contract`]), in id order.
///
/// # Errors
/// SQLite failures.
pub fn covered_releases(conn: &Connection, contract: &Contract) -> Result<Vec<ReleaseId>> {
    if let Some(r) = contract.release_id {
        return Ok(vec![r]);
    }
    // Undated releases belong to the artist's most recent artist contract only.
    let latest: Option<ContractId> = conn
        .query_row(
            "SELECT id FROM contracts WHERE artist_id = ?1 AND release_id IS NULL
             ORDER BY start_date DESC, id DESC LIMIT 1",
            [contract.artist_id],
            |r| r.get(0),
        )
        .optional()?;
    let undated = latest.is_none_or(|l| l == contract.id);
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT r.id FROM releases r
         JOIN release_artists ra ON ra.release_id = r.id AND ra.artist_id = ?1 AND ra.role = 'primary'
         WHERE NOT EXISTS (SELECT 1 FROM contracts c WHERE c.release_id = r.id)
           AND ((r.release_date IS NULL AND ?4)
                OR (r.release_date >= ?2 AND (?3 IS NULL OR r.release_date <= ?3)))
         ORDER BY r.id",
    )?;
    let rows = stmt
        .query_map(
            params![contract.artist_id, contract.start, contract.end, undated],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The other artists' contracts that share `releases` (releases `contract` covers) with it:
/// releases credited to other primary artists whose own artist contracts cover them too
/// (co-credited releases, see [`crate::model::statement`]). Empty for a release contract,
/// which no artist contract shares. In release order, then by artist and contract.
///
/// # Errors
/// SQLite failures.
pub fn co_credits(
    conn: &Connection,
    contract: &Contract,
    releases: &[ReleaseId],
) -> Result<Vec<CoCredit>> {
    if contract.release_id.is_some() || contract.artist_id.is_unsaved() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT r.title, a.id, a.name, c.id FROM release_artists ra
         JOIN releases r ON r.id = ra.release_id
         JOIN artists a ON a.id = ra.artist_id
         JOIN contracts c ON c.artist_id = ra.artist_id AND c.release_id IS NULL
         WHERE ra.release_id = ?1 AND ra.role = 'primary' AND ra.artist_id <> ?2
         ORDER BY a.id, c.id",
    )?;
    let mut others: BTreeMap<ContractId, (Contract, Vec<ReleaseId>)> = BTreeMap::new();
    let mut out = Vec::new();
    for &release in releases {
        let rows: Vec<(String, ArtistId, String, ContractId)> = stmt
            .query_map(params![release, contract.artist_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (title, artist, name, id) in rows {
            let (other, covered) = match others.entry(id) {
                std::collections::btree_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    let other = get(conn, id)?;
                    let covered = covered_releases(conn, &other)?;
                    slot.insert((other, covered))
                }
            };
            if covered.contains(&release) {
                out.push(CoCredit {
                    release,
                    release_title: title,
                    artist,
                    artist_name: name,
                    contract: other.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// An income line as loaded: id, sale date, release, track, format kind, channel, territory,
/// gross, net, currency, net in the home currency, import.
type LoadedLine = (
    IncomeLineId,
    NaiveDate,
    ReleaseId,
    Option<TrackId>,
    Option<FormatKind>,
    Channel,
    String,
    Option<Amount8>,
    Amount8,
    Currency,
    Option<Amount8>,
    Option<i64>,
);

/// Loads what the engine needs for `contract`'s statement of `period` (its next open
/// period): the state carried from the last issued statement and the income, costs and
/// payments no issued statement took, dated up to the period's end (see the module notes for
/// the currency rule).
///
/// # Errors
/// [`DbError::InUse`] / [`DbError::Invalid`] when the period is issued or not the next open
/// one; [`DbError::Missing`]; SQLite failures.
pub fn statement_input(
    conn: &Connection,
    id: ContractId,
    period: StatementPeriod,
) -> Result<(Contract, StatementInput)> {
    let contract = get(conn, id)?;
    check_open(conn, &contract, period)?;
    let previous = last_issued(conn, id)?.map_or_else(statement::CarriedForward::initial, |s| {
        s.statement.carried_forward
    });
    let releases = covered_releases(conn, &contract)?;
    let co_credits = co_credits(conn, &contract, &releases)?;
    let home = super::labels::home_currency(conn)?;
    let end = period.end();
    let mut notes = Vec::new();
    let mut income = Vec::new();
    let mut unvalued: BTreeMap<Currency, u64> = BTreeMap::new();
    let mut rates: BTreeMap<(i64, Currency), Option<Rate>> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT il.id, il.sale_date, ?1, il.track_id, f.kind, il.channel, il.territory,
                il.gross_e8, il.net_e8, il.currency, il.net_home_e8, il.import_id
         FROM income_lines il
         LEFT JOIN formats f ON f.id = il.format_id
         WHERE (il.release_id = ?1
                OR (il.release_id IS NULL AND il.track_id IN (SELECT id FROM tracks WHERE release_id = ?1)))
           AND il.sale_date >= ?2 AND il.sale_date <= ?3
           AND NOT EXISTS (SELECT 1 FROM statement_income si JOIN statements s ON s.id = si.statement_id
                           WHERE si.income_line_id = il.id AND s.contract_id = ?4)
         ORDER BY il.sale_date, il.id",
    )?;
    for release in &releases {
        let lines: Vec<LoadedLine> = stmt
            .query_map(params![release, contract.start, end, id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (
            line_id,
            sale_date,
            release,
            track,
            format,
            channel,
            territory,
            gross,
            net,
            currency,
            net_home,
            import,
        ) in lines
        {
            let amounts = if currency == contract.currency {
                Some((gross, net))
            } else if contract.currency == home
                && let Some(net_home) = net_home
            {
                let rate = match import {
                    Some(import) => {
                        if let Some(known) = rates.get(&(import, currency)) {
                            *known
                        } else {
                            let rate = import_rate(conn, import, currency)?;
                            rates.insert((import, currency), rate);
                            rate
                        }
                    }
                    None => None,
                };
                Some((
                    gross.and_then(|g| rate.and_then(|r| g.convert(r))),
                    net_home,
                ))
            } else {
                None
            };
            let Some((gross, net)) = amounts else {
                *unvalued.entry(currency).or_default() += 1;
                continue;
            };
            income.push(IncomeInput {
                id: line_id,
                sale_date,
                release,
                track,
                format,
                channel,
                territory,
                gross,
                net,
            });
        }
    }
    for (currency, count) in unvalued {
        notes.push(format!(
            "{count} income line{} in {currency} left out: {} no amount in {}. Enter an exchange rate when importing (if {} is the home currency), then work the statement out again",
            if count == 1 { "" } else { "s" },
            if count == 1 { "it has" } else { "they have" },
            contract.currency,
            contract.currency
        ));
    }
    let mut costs = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, cost_date, release_id, category, amount, currency FROM cost_lines
         WHERE release_id = ?1 AND recoupable = 1 AND cost_date <= ?2
           AND NOT EXISTS (SELECT 1 FROM statement_costs sc JOIN statements s ON s.id = sc.statement_id
                           WHERE sc.cost_line_id = cost_lines.id AND s.contract_id = ?3)
         ORDER BY cost_date, id",
    )?;
    for release in &releases {
        let rows: Vec<(
            CostLineId,
            NaiveDate,
            Option<ReleaseId>,
            CostCategory,
            i64,
            Currency,
        )> = stmt
            .query_map(params![release, end, id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (cost_id, date, release, category, amount, currency) in rows {
            if currency == contract.currency {
                costs.push(CostInput {
                    id: cost_id,
                    date,
                    release,
                    category,
                    amount: Money::new(amount, currency),
                });
            } else {
                notes.push(format!(
                    "cost line #{cost_id} ({}, {category}) is in {currency}, not {}: left out until it is entered in {}",
                    Money::new(amount, currency),
                    contract.currency,
                    contract.currency
                ));
            }
        }
    }
    let payments = payments_where(
        conn,
        "contract_id = ?1 AND statement_id IS NULL AND paid_on <= ?2",
        params![id, end],
    )?
    .into_iter()
    .map(|p| PaymentInput {
        id: p.id,
        payee: p.payee,
        date: p.date,
        amount: p.amount,
    })
    .collect();
    Ok((
        contract,
        StatementInput {
            period,
            previous,
            releases,
            income,
            costs,
            payments,
            notes,
            co_credits,
        },
    ))
}

fn import_rate(conn: &Connection, import: i64, currency: Currency) -> Result<Option<Rate>> {
    let text: Option<Option<String>> = conn
        .query_row(
            "SELECT rate FROM ledger_import_totals WHERE import_id = ?1 AND currency = ?2",
            params![import, currency],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.flatten().and_then(|t| Rate::parse(&t).ok()))
}

fn engine_error(e: statement::StatementError) -> DbError {
    invalid("statement", e.to_string())
}

/// Works out the statement of the contract's next open period without writing anything.
///
/// # Errors
/// As [`statement_input`]; [`DbError::Invalid`] when the engine refuses (e.g. a payment in
/// another currency).
pub fn draft(conn: &Connection, id: ContractId, period: StatementPeriod) -> Result<Statement> {
    let (contract, input) = statement_input(conn, id, period)?;
    statement::compute(&contract, &input).map_err(engine_error)
}

/// Issues (freezes) the statement of `period`: works it out, stores the figures and marks the
/// income lines, costs and payments it took. Refuses a period already issued, a period that is
/// not the next open one, and a period that is not over on `today`. Writes nothing on error.
///
/// # Errors
/// [`DbError::InUse`] / [`DbError::Invalid`] saying why; SQLite failures.
pub fn issue(
    tx: &Transaction<'_>,
    id: ContractId,
    period: StatementPeriod,
    today: NaiveDate,
) -> Result<StatementId> {
    let (contract, input) = statement_input(tx, id, period)?;
    if period.end() >= today {
        return Err(invalid(
            "statement period",
            format!(
                "{period} runs until {}: its statement can be issued from {}",
                period.end(),
                period.next().start()
            ),
        ));
    }
    let s = statement::compute(&contract, &input).map_err(engine_error)?;
    let figures = serde_json::to_string(&s)
        .map_err(|e| invalid("statement", format!("the figures cannot be stored: {e}")))?;
    tx.execute(
        "INSERT INTO statements (contract_id, period, period_start, period_end, currency,
             closing_balance, unrecouped, payable, figures)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            period.label(),
            period.start(),
            period.end(),
            contract.currency,
            s.closing_balance.minor,
            s.unrecouped.minor,
            s.payable.minor,
            figures
        ],
    )?;
    let statement_id = StatementId(tx.last_insert_rowid());
    let mut stmt = tx.prepare_cached(
        "INSERT INTO statement_income (statement_id, income_line_id, counted) VALUES (?1, ?2, ?3)",
    )?;
    for line in s.counted_lines() {
        stmt.execute(params![statement_id, line, true])?;
    }
    for line in &s.excluded {
        stmt.execute(params![statement_id, line.id, false])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO statement_costs (statement_id, cost_line_id) VALUES (?1, ?2)",
    )?;
    for cost in &s.costs {
        stmt.execute(params![statement_id, cost.cost])?;
    }
    let mut stmt =
        tx.prepare_cached("UPDATE payee_payments SET statement_id = ?1 WHERE id = ?2")?;
    for payment in &s.payments {
        stmt.execute(params![statement_id, payment.id])?;
    }
    Ok(statement_id)
}

/// An income line behind a statement figure, for drilling down to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    pub id: IncomeLineId,
    pub sale_date: NaiveDate,
    /// `YYYY-MM`, as reported.
    pub period: String,
    /// The store or partner.
    pub source: String,
    /// The report file it came from.
    pub file_name: Option<String>,
    pub line_no: u32,
    pub channel: Channel,
    pub territory: String,
    pub quantity: i64,
    pub gross: Option<Amount8>,
    pub net: Amount8,
    pub currency: Currency,
    pub net_home: Option<Amount8>,
    pub artist: String,
    pub title: String,
}

/// The ledger lines with these ids, in the given order (lines deleted since, e.g. by undoing
/// an import, are missing).
///
/// # Errors
/// SQLite failures.
pub fn ledger_lines(conn: &Connection, ids: &[IncomeLineId]) -> Result<Vec<LedgerLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT il.id, il.sale_date, il.period, il.source, li.file_name, il.line_no, il.channel,
                il.territory, il.quantity, il.gross_e8, il.net_e8, il.currency, il.net_home_e8,
                il.raw_artist, il.raw_title
         FROM income_lines il LEFT JOIN ledger_imports li ON li.id = il.import_id
         WHERE il.id = ?1",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let line = stmt
            .query_row([id], |r| {
                Ok(LedgerLine {
                    id: r.get(0)?,
                    sale_date: r.get(1)?,
                    period: r.get(2)?,
                    source: r.get(3)?,
                    file_name: r.get(4)?,
                    line_no: r.get(5)?,
                    channel: r.get(6)?,
                    territory: r.get(7)?,
                    quantity: r.get(8)?,
                    gross: r.get(9)?,
                    net: r.get(10)?,
                    currency: r.get(11)?,
                    net_home: r.get(12)?,
                    artist: r.get(13)?,
                    title: r.get(14)?,
                })
            })
            .optional()?;
        out.extend(line);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Payments

const PAYMENT_COLUMNS: &str =
    "id, contract_id, payee_id, paid_on, amount, currency, note, statement_id";

fn payments_where(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Payment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payee_payments WHERE {filter} ORDER BY paid_on, id"
    ))?;
    let rows = stmt
        .query_map(args, |r| {
            let currency: Currency = r.get(5)?;
            Ok(Payment {
                id: r.get(0)?,
                contract_id: r.get(1)?,
                payee: r.get(2)?,
                date: r.get(3)?,
                amount: Money::new(r.get(4)?, currency),
                note: r.get(6)?,
                statement_id: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Records money paid to a payee. Dated in an issued period, it goes into the next open
/// statement. Checked first ([`Payment::validate`]); nothing is written on error.
///
/// # Errors
/// [`DbError::Invalid`]; [`DbError::Missing`] for the contract; SQLite failures.
pub fn record_payment(tx: &Transaction<'_>, payment: &Payment) -> Result<PaymentId> {
    let contract = get(tx, payment.contract_id)?;
    payment.validate(&contract)?;
    let id = (!payment.id.is_unsaved()).then_some(payment.id);
    tx.execute(
        "INSERT INTO payee_payments (id, contract_id, payee_id, paid_on, amount, currency, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            payment.contract_id,
            payment.payee,
            payment.date,
            payment.amount.minor,
            payment.amount.currency,
            payment.note.trim()
        ],
    )?;
    Ok(PaymentId(tx.last_insert_rowid()))
}

/// Deletes a payment no issued statement took, returning it (for undo).
///
/// # Errors
/// [`DbError::InUse`] when an issued statement took it; [`DbError::Missing`]; SQLite failures.
pub fn delete_payment(tx: &Transaction<'_>, id: PaymentId) -> Result<Payment> {
    let payment = payments_where(tx, "id = ?1", [id])?
        .pop()
        .ok_or(DbError::Missing {
            kind: "payment",
            id: id.0,
        })?;
    if let Some(statement) = payment.statement_id {
        let period: String = tx.query_row(
            "SELECT period FROM statements WHERE id = ?1",
            [statement],
            |r| r.get(0),
        )?;
        return Err(DbError::InUse(format!(
            "the payment of {} on {} is on the issued {period} statement: it cannot be deleted. Record a correction in the next period instead",
            payment.amount, payment.date
        )));
    }
    tx.execute("DELETE FROM payee_payments WHERE id = ?1", [id])?;
    Ok(payment)
}

/// The payments of a contract, oldest first.
///
/// # Errors
/// SQLite failures.
pub fn payments(conn: &Connection, contract: ContractId) -> Result<Vec<Payment>> {
    payments_where(conn, "contract_id = ?1", [contract])
}

// ---------------------------------------------------------------------------------------------
// One entry point for the app

/// A write the Contracts panel asks for, applied in one transaction by [`apply`]. These writes
/// are not on the edit undo stack: an issued statement and a recorded payment are records
/// (a mistake is corrected in the next period), and a contract's terms are saved as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Stores a new contract (unsaved id) or saves changes to one.
    Save(Box<Contract>),
    Delete(ContractId),
    /// Issues the statement of `period` (see [`issue`]).
    Issue {
        contract: ContractId,
        period: StatementPeriod,
        today: NaiveDate,
    },
    RecordPayment(Payment),
    DeletePayment(PaymentId),
}

/// What an [`Op`] did: a message for the status line and what it touched.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub message: String,
    /// The contract saved, issued or paid under (none after a delete).
    pub contract: Option<ContractId>,
    pub statement: Option<StatementId>,
}

/// Applies `op` in the caller's transaction; nothing is written when it fails.
///
/// # Errors
/// Whatever the write refuses (problems with the terms, an issued period, a payment to
/// someone not on the contract…), in plain words; SQLite failures.
pub fn apply(tx: &Transaction<'_>, op: &Op) -> Result<Outcome> {
    Ok(match op {
        Op::Save(contract) => {
            let id = if contract.id.is_unsaved() {
                insert(tx, contract)?
            } else {
                update(tx, contract)?;
                contract.id
            };
            Outcome {
                message: format!("Saved the contract “{}”", contract.display_name()),
                contract: Some(id),
                statement: None,
            }
        }
        Op::Delete(id) => {
            let gone = delete(tx, *id)?;
            Outcome {
                message: format!("Deleted the contract “{}”", gone.display_name()),
                ..Outcome::default()
            }
        }
        Op::Issue {
            contract,
            period,
            today,
        } => {
            let statement = issue(tx, *contract, *period, *today)?;
            Outcome {
                message: format!("Issued the {period} statement"),
                contract: Some(*contract),
                statement: Some(statement),
            }
        }
        Op::RecordPayment(payment) => {
            record_payment(tx, payment)?;
            let contract = get(tx, payment.contract_id)?;
            let name = contract
                .payee(payment.payee)
                .map_or_else(|| format!("payee {}", payment.payee), |p| p.name.clone());
            Outcome {
                message: format!(
                    "Recorded a payment of {} to {name} on {}",
                    payment.amount, payment.date
                ),
                contract: Some(payment.contract_id),
                statement: None,
            }
        }
        Op::DeletePayment(id) => {
            let payment = delete_payment(tx, *id)?;
            Outcome {
                message: format!(
                    "Deleted the payment of {} on {}",
                    payment.amount, payment.date
                ),
                contract: Some(payment.contract_id),
                statement: None,
            }
        }
    })
}
