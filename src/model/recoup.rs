//! "When does this recoup?": when a contract's account is projected to be recouped, from the
//! average of recent periods' earnings, with a what-if cost (e.g. "press 300 more LPs at
//! €4.35"). Pure: no SQL, no UI, no floats.
//!
//! ## The rule
//! - **Earnings of a period** ([`period_earnings`]) are what went towards recoupment on its
//!   statement: the royalties, minus the reserve held back, plus reserves released.
//! - **Outstanding** is what is still to recoup (the advance and charged costs not yet earned
//!   back) plus the charged part of the what-if cost ([`what_if_cost`]: the contract's
//!   recoupable share of quantity × unit cost, half to even). The account is treated as one
//!   pool: for a contract that is not cross-collateralised, a release that earns well may pay
//!   out while another is still unrecouped, so the projection is the date by which the
//!   earnings of all releases would cover everything owed.
//! - The account is **recouped in the k-th projected period** for the smallest k with
//!   k × average ≥ outstanding. It is worked out exactly from the sum of the N sample periods,
//!   k = ⌈N × outstanding ÷ sum⌉, so an average that is not a whole cent does not move the
//!   answer. Recent earnings of zero or less never recoup ([`Projection::NoEarnings`]);
//!   more than [`MAX_PERIODS`] periods away is [`Projection::Beyond`].

use super::contract::StatementPeriod;
use super::ledger::div_half_even;
use super::money::{BasisPoints, Currency, Money};
use super::statement::Statement;

/// Projections further away than this many periods are not worth a date.
pub const MAX_PERIODS: u32 = 200;

/// When the account is projected to be recouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// Nothing is left to recoup.
    Recouped,
    /// Recouped on the statement of `period`, the `periods`-th projected one (1 = the first).
    In {
        period: StatementPeriod,
        periods: u32,
        /// The average earnings per period (minor units, half to even; for display).
        average: i64,
    },
    /// The sample periods earned nothing (or less than nothing): at this rate it never recoups.
    NoEarnings,
    /// More than [`MAX_PERIODS`] periods away.
    Beyond { average: i64 },
}

impl Projection {
    /// What the user reads: "Recouped on the 2028 H2 statement, 4 periods from now (average
    /// earnings €250.00 a period)".
    #[must_use]
    pub fn message(self, currency: Currency) -> String {
        let money = |minor: i64| Money::new(minor, currency);
        match self {
            Self::Recouped => "Already recouped: nothing is left to recoup".to_owned(),
            Self::In {
                period,
                periods,
                average,
            } => format!(
                "Recouped on the {period} statement, {periods} period{} from now (average earnings {} a period)",
                if periods == 1 { "" } else { "s" },
                money(average)
            ),
            Self::NoEarnings => {
                "Never at this rate: the recent periods earned nothing towards recoupment"
                    .to_owned()
            }
            Self::Beyond { average } => format!(
                "Not within {MAX_PERIODS} periods at average earnings of {} a period",
                money(average)
            ),
        }
    }
}

/// What a statement put towards recoupment: royalties − reserve held + reserve released.
#[must_use]
pub fn period_earnings(statement: &Statement) -> i64 {
    statement
        .royalties
        .minor
        .saturating_sub(statement.reserve_held.minor)
        .saturating_add(statement.reserve_released.minor)
}

/// The charged part of a what-if cost: `share` of `quantity` × `unit_cost` (half to even), or
/// `None` when the product does not fit.
#[must_use]
pub fn what_if_cost(quantity: i64, unit_cost: Money, share: BasisPoints) -> Option<Money> {
    let total = unit_cost.minor.checked_mul(quantity)?;
    Some(Money::new(share.apply(total), unit_cost.currency))
}

/// When `outstanding` (minor units still to recoup, what-if included) is recouped at the
/// average of `samples` (earnings of recent periods, see [`period_earnings`]), counting
/// `first` as the first projected period.
#[must_use]
pub fn project(outstanding: i64, samples: &[i64], first: StatementPeriod) -> Projection {
    if outstanding <= 0 {
        return Projection::Recouped;
    }
    let sum: i128 = samples.iter().map(|s| i128::from(*s)).sum();
    let n = i128::try_from(samples.len()).unwrap_or(i128::MAX);
    if n == 0 || sum <= 0 {
        return Projection::NoEarnings;
    }
    let average = i64::try_from(div_half_even(sum, n)).unwrap_or(i64::MAX);
    let needed = n * i128::from(outstanding);
    // Ceiling division of positive numbers.
    let k = (needed + sum - 1) / sum;
    match u32::try_from(k) {
        Ok(periods) if periods <= MAX_PERIODS => {
            let mut period = first;
            for _ in 1..periods {
                period = period.next();
            }
            Projection::In {
                period,
                periods,
                average,
            }
        }
        _ => Projection::Beyond { average },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contract::PeriodKind;

    fn half(year: i32, index: u8) -> StatementPeriod {
        StatementPeriod {
            year,
            kind: PeriodKind::HalfYear,
            index,
        }
    }

    #[test]
    fn recoups_in_the_period_the_average_covers_what_is_left() {
        // €1,000 left; €200, €300, €250 earned: €750 over 3 periods, €250 a period.
        // 4 × €250 = €1,000 covers it exactly: the 4th projected period,
        // 2027 H1 (1st), 2027 H2, 2028 H1, 2028 H2 (4th).
        let p = project(100_000, &[20_000, 30_000, 25_000], half(2027, 1));
        assert_eq!(
            p,
            Projection::In {
                period: half(2028, 2),
                periods: 4,
                average: 25_000
            }
        );
        assert_eq!(
            p.message(Currency::EUR),
            "Recouped on the 2028 H2 statement, 4 periods from now (average earnings €250.00 a period)"
        );
        // One cent more needs a 5th period: 2029 H1.
        assert!(matches!(
            project(100_001, &[20_000, 30_000, 25_000], half(2027, 1)),
            Projection::In { period, periods: 5, .. } if period == half(2029, 1)
        ));
    }

    #[test]
    fn an_average_that_is_not_a_whole_cent_is_not_rounded_first() {
        // €100.01 over 3 periods: €33.3366… a period (shown €33.34). 3 periods earn exactly
        // the €100.01 left: the 3rd period.
        let p = project(10_001, &[3_334, 3_334, 3_333], half(2026, 2));
        assert_eq!(
            p,
            Projection::In {
                period: half(2027, 2),
                periods: 3,
                average: 3_334
            }
        );
        // €100.02 left: 3 periods earn only €100.01, a 4th is needed (the rounded average
        // would have said 3 × €33.34 = €100.02 is enough).
        assert!(matches!(
            project(10_002, &[3_334, 3_334, 3_333], half(2026, 2)),
            Projection::In { periods: 4, .. }
        ));
        // Quarters step by quarter: 2026 Q4, then 2027 Q1.
        let q4 = StatementPeriod {
            year: 2026,
            kind: PeriodKind::Quarter,
            index: 4,
        };
        assert!(matches!(
            project(150, &[100], q4),
            Projection::In { period, periods: 2, average: 100 }
                if period.label() == "2027 Q1"
        ));
    }

    #[test]
    fn recouped_never_and_too_far() {
        assert_eq!(project(0, &[], half(2026, 1)), Projection::Recouped);
        assert_eq!(project(-500, &[100], half(2026, 1)), Projection::Recouped);
        assert_eq!(project(500, &[], half(2026, 1)), Projection::NoEarnings);
        // A refund period outweighs the sales: nothing earned overall.
        assert_eq!(
            project(500, &[300, -400], half(2026, 1)),
            Projection::NoEarnings
        );
        // €1,000,000 at €1 a period.
        assert_eq!(
            project(100_000_000, &[100], half(2026, 1)),
            Projection::Beyond { average: 100 }
        );
        // Exactly MAX_PERIODS away is still a date.
        assert!(matches!(
            project(i64::from(MAX_PERIODS) * 100, &[100], half(2026, 1)),
            Projection::In {
                periods: MAX_PERIODS,
                ..
            }
        ));
        assert_eq!(
            Projection::NoEarnings.message(Currency::EUR),
            "Never at this rate: the recent periods earned nothing towards recoupment"
        );
    }

    #[test]
    fn what_if_costs_are_charged_at_the_recoupable_share() {
        // 300 LPs at €4.35 = €1,305.00, recoupable at 50 %: €652.50.
        let eur = |minor| Money::new(minor, Currency::EUR);
        assert_eq!(
            what_if_cost(300, eur(435), BasisPoints(5000)),
            Some(eur(65_250))
        );
        // 3 × €0.05 = €0.15 at 50 % = 7.5 cents: half to even, 8 cents.
        assert_eq!(what_if_cost(3, eur(5), BasisPoints(5000)), Some(eur(8)));
        // 5 × €0.05 = €0.25 at 50 % = 12.5 cents: 12.
        assert_eq!(what_if_cost(5, eur(5), BasisPoints(5000)), Some(eur(12)));
        // Not recoupable: nothing charged.
        assert_eq!(what_if_cost(300, eur(435), BasisPoints::ZERO), Some(eur(0)));
        assert_eq!(what_if_cost(i64::MAX, eur(2), BasisPoints::FULL), None);
    }

    #[test]
    fn earnings_of_a_period_net_of_reserves() {
        let eur = |minor| Money::new(minor, Currency::EUR);
        let s = Statement {
            contract_id: crate::model::ContractId(1),
            period: half(2026, 1),
            currency: Currency::EUR,
            opening_balance: eur(0),
            lines: Vec::new(),
            royalties: eur(10_005),
            advance: eur(0),
            costs: Vec::new(),
            costs_charged: eur(0),
            reserve_held: eur(2_001),
            reserve_released: eur(1_000),
            recouped: eur(0),
            pools: Vec::new(),
            payees: Vec::new(),
            payments: Vec::new(),
            payments_total: eur(0),
            closing_balance: eur(0),
            unrecouped: eur(0),
            payable: eur(0),
            late_lines: Vec::new(),
            excluded: Vec::new(),
            notes: Vec::new(),
            carried_forward: crate::model::CarriedForward::initial(),
        };
        // €100.05 − €20.01 + €10.00 = €90.04.
        assert_eq!(period_earnings(&s), 9_004);
    }
}
