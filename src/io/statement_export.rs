//! A royalty statement as a printable document ([`crate::io::printable`] renders it as the
//! PDF the label e-mails to the artist, or as CSV): the whole statement, or one payee's copy
//! with their part of every line and their own account.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::model::printable::{Column, Printable, Section, Table};
use crate::model::statement::{PayeeSummary, Statement};
use crate::model::{Contract, Money, PayeeId, ReleaseId, RoyaltyBase};

/// What a statement document is made of, besides the figures.
#[derive(Debug, Clone, Copy)]
pub struct StatementDoc<'a> {
    /// The label's name.
    pub label: &'a str,
    pub contract: &'a Contract,
    /// The artist the contract is with.
    pub artist: &'a str,
    pub statement: &'a Statement,
    /// Release titles by id (a missing one is written "Release #id").
    pub releases: &'a BTreeMap<ReleaseId, String>,
    /// "Issued on 2026-07-03", or "Draft: not issued yet".
    pub status: &'a str,
}

impl StatementDoc<'_> {
    fn release(&self, id: ReleaseId) -> String {
        self.releases
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Release #{id}"))
    }

    fn money(&self, minor: i64) -> String {
        Money::new(minor, self.statement.currency).format_amount()
    }
}

/// A file name for the statement: `statement-2026-H1-nacao-zumbi.pdf` (the payee's name for
/// a payee's copy, else the artist's), ASCII letters, digits and dashes only.
#[must_use]
pub fn file_name(doc: &StatementDoc<'_>, payee: Option<PayeeId>, extension: &str) -> String {
    let who = payee
        .and_then(|p| doc.contract.payee(p))
        .map_or(doc.artist, |p| p.name.as_str());
    let mut slug = String::new();
    for c in who.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let period = doc.statement.period.label().replace(' ', "-");
    if slug.is_empty() {
        format!("statement-{period}.{extension}")
    } else {
        format!("statement-{period}-{slug}.{extension}")
    }
}

/// The statement as a printable document: whole (`payee` none) or one payee's copy.
#[must_use]
pub fn printable(doc: &StatementDoc<'_>, payee: Option<PayeeId>, today: NaiveDate) -> Printable {
    let s = doc.statement;
    let c = doc.contract;
    let cur = s.currency.as_str();
    let payee_summary: Option<&PayeeSummary> =
        payee.and_then(|p| s.payees.iter().find(|x| x.payee == p));
    let payee_name = payee_summary.map(|p| p.name.clone());
    let mut out = Printable::new("Royalty statement");
    out = out.subtitle(match &payee_name {
        Some(name) if name != doc.artist => format!("{name} · {} · {}", doc.artist, doc.label),
        _ => format!("{} · {}", doc.artist, doc.label),
    });
    out = out
        .field(
            "Period",
            format!(
                "{} ({} to {})",
                s.period,
                s.period.start().format("%-d %b %Y"),
                s.period.end().format("%-d %b %Y")
            ),
        )
        .field(
            "Contract",
            format!(
                "{} · {} · {}",
                c.display_name(),
                c.deal_type.label(),
                c.royalty_base.label().to_lowercase()
            ),
        );
    if let Some(name) = &payee_name {
        out = out.field("Payee", name.clone());
    }
    out = out
        .field("Currency", cur)
        .field("Status", doc.status.to_owned());

    out = out.section(match payee_summary {
        Some(p) => payee_summary_section(doc, p),
        None => summary_section(doc),
    });
    out = out.section(earnings_section(doc, payee));
    if !s.costs.is_empty() {
        let mut costs = Table::new([
            Column::left("Date"),
            Column::left("Release").truncate(),
            Column::left("Category"),
            Column::right(format!("Cost ({cur})")),
            Column::right("Recoupable"),
            Column::right(format!("Charged ({cur})")),
        ]);
        for cost in &s.costs {
            costs.push_row([
                cost.date.to_string(),
                cost.release.map_or_else(String::new, |r| doc.release(r)),
                cost.category.label().to_owned(),
                cost.amount.format_amount(),
                cost.share.to_string(),
                cost.charged.format_amount(),
            ]);
        }
        let costs = costs.totals([
            "Total".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            s.costs_charged.format_amount(),
        ]);
        out = out.section(Section::new("Recoupable costs").table(costs));
    }
    if payee.is_none() {
        let mut payees = Table::new([
            Column::left("Payee"),
            Column::right("Opening"),
            Column::right("Royalties"),
            Column::right("Credited"),
            Column::right("Payments"),
            Column::right("Closing"),
            Column::right("Payable"),
        ]);
        for p in &s.payees {
            payees.push_row([
                p.name.clone(),
                p.opening.format_amount(),
                p.royalties.format_amount(),
                p.credited.format_amount(),
                p.payments.format_amount(),
                p.closing.format_amount(),
                p.payable.format_amount(),
            ]);
        }
        out = out.section(
            Section::new("Payees")
                .paragraph(
                    "Credited is each payee's part of what the account passed on after recoupment \
                     and reserves; payable when the account is recouped and it reaches the \
                     minimum payout.",
                )
                .table(payees),
        );
    }
    let payments: Vec<_> = s
        .payments
        .iter()
        .filter(|p| payee.is_none_or(|only| p.payee == only))
        .collect();
    if !payments.is_empty() {
        let mut table = Table::new([
            Column::left("Date"),
            Column::left("Payee"),
            Column::right(format!("Amount ({cur})")),
        ]);
        let mut total = 0_i64;
        for p in payments {
            total = total.saturating_add(p.amount.minor);
            table.push_row([
                p.date.to_string(),
                c.payee(p.payee)
                    .map_or_else(|| format!("Payee {}", p.payee), |x| x.name.clone()),
                p.amount.format_amount(),
            ]);
        }
        let table = table.totals(["Total".to_owned(), String::new(), doc.money(total)]);
        out = out.section(Section::new("Payments").table(table));
    }
    let mut notes: Vec<String> = s.notes.clone();
    if !s.late_lines.is_empty() {
        notes.push(format!(
            "{} sale line(s) dated before {} were reported after their period's statement and are counted here.",
            s.late_lines.len(),
            s.period
        ));
    }
    if !s.excluded.is_empty() {
        notes.push(format!(
            "{} sale line(s) are outside the contract (territory, dates or channel) and not counted.",
            s.excluded.len()
        ));
    }
    if !notes.is_empty() {
        out = out.section(Section::new("Notes").paragraph(notes.join("\n")));
    }
    out.generated_on(today)
}

fn summary_section(doc: &StatementDoc<'_>) -> Section {
    let s = doc.statement;
    let m = |money: Money| money.format_amount();
    let neg = |money: Money| doc.money(-money.minor);
    let table = Table::new([Column::left(""), Column::right("")])
        .row(["Opening balance".to_owned(), m(s.opening_balance)])
        .row(["Royalties".to_owned(), m(s.royalties)])
        .row(["Advance".to_owned(), neg(s.advance)])
        .row(["Recoupable costs charged".to_owned(), neg(s.costs_charged)])
        .row(["Reserve held".to_owned(), neg(s.reserve_held)])
        .row(["Reserve released".to_owned(), m(s.reserve_released)])
        .row(["Payments made".to_owned(), neg(s.payments_total)])
        .totals(["Closing balance".to_owned(), m(s.closing_balance)]);
    let after = Table::new([Column::left(""), Column::right("")])
        .row(["Still to recoup".to_owned(), m(s.unrecouped)])
        .totals(["Payable now".to_owned(), m(s.payable)]);
    Section::new(format!("Summary ({})", s.currency))
        .paragraph(
            "The balance is what the payees are owed minus what is still to recoup (advance and \
             recoupable costs not yet earned back).",
        )
        .table(table)
        .table(after)
}

fn payee_summary_section(doc: &StatementDoc<'_>, p: &PayeeSummary) -> Section {
    let s = doc.statement;
    let m = |money: Money| money.format_amount();
    let table = Table::new([Column::left(""), Column::right("")])
        .row(["Owed from earlier statements".to_owned(), m(p.opening)])
        .row(["Your royalties this period".to_owned(), m(p.royalties)])
        .row([
            "Credited after recoupment and reserves".to_owned(),
            m(p.credited),
        ])
        .row(["Payments made".to_owned(), doc.money(-p.payments.minor)])
        .totals(["Owed after this statement".to_owned(), m(p.closing)]);
    let after = Table::new([Column::left(""), Column::right("")])
        .row([
            "Carried forward (under the minimum payout)".to_owned(),
            m(p.carried),
        ])
        .row(["Account still to recoup".to_owned(), m(s.unrecouped)])
        .totals(["Payable now".to_owned(), m(p.payable)]);
    Section::new(format!("Your account ({})", s.currency))
        .table(table)
        .table(after)
}

fn earnings_section(doc: &StatementDoc<'_>, payee: Option<PayeeId>) -> Section {
    let s = doc.statement;
    let cur = s.currency.as_str();
    let base = match doc.contract.royalty_base {
        RoyaltyBase::Gross => "Gross",
        RoyaltyBase::Net => "Net",
    };
    let royalty_header = if payee.is_some() {
        format!("Your share ({cur})")
    } else {
        format!("Royalty ({cur})")
    };
    let mut table = Table::new([
        Column::left("Release").truncate(),
        Column::left("Channel"),
        Column::left("Territory"),
        Column::right(format!("{base} ({cur})")),
        Column::right("Rate"),
        Column::right(royalty_header),
    ]);
    let mut total = 0_i64;
    let mut receipts = 0_i64;
    for line in &s.lines {
        let amount = match payee {
            None => Some(line.royalty.minor),
            Some(p) => line.payees.iter().find(|x| x.payee == p).map(|x| x.minor),
        };
        let Some(amount) = amount else { continue };
        let base_amount = match doc.contract.royalty_base {
            RoyaltyBase::Gross => line.gross,
            RoyaltyBase::Net => line.net,
        }
        .to_money(s.currency)
        .map_or(0, |m| m.minor);
        total = total.saturating_add(amount);
        receipts = receipts.saturating_add(base_amount);
        table.push_row([
            doc.release(line.release),
            line.channel.label().to_owned(),
            if line.territory.is_empty() {
                "—".to_owned()
            } else {
                line.territory.clone()
            },
            doc.money(base_amount),
            line.rate_text(),
            doc.money(amount),
        ]);
    }
    let table = table.totals([
        "Total".to_owned(),
        String::new(),
        String::new(),
        doc.money(receipts),
        String::new(),
        doc.money(total),
    ]);
    let mut section = Section::new("Earnings");
    if s.lines.is_empty() {
        section = section.paragraph("No sales in this period.");
    }
    section.table(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::statement::{EarningsLine, PayeeAmount};
    use crate::model::{
        Amount8, ArtistId, BasisPoints, CarriedForward, Channel, ContractId, Currency, Payee,
        PeriodKind, StatementPeriod,
    };

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn statement() -> (Contract, Statement) {
        let mut c = Contract::new(
            ArtistId(1),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            Currency::EUR,
        );
        c.id = ContractId(1);
        c.title = "Recording agreement".into();
        c.payees = vec![
            Payee {
                id: PayeeId(1),
                name: "Nação Zumbi".into(),
                email: String::new(),
            },
            Payee {
                id: PayeeId(2),
                name: "Producer".into(),
                email: String::new(),
            },
        ];
        let payee = |id, name: &str, royalties, payable| PayeeSummary {
            payee: PayeeId(id),
            name: name.into(),
            opening: eur(0),
            royalties: eur(royalties),
            credited: eur(royalties),
            payments: eur(0),
            closing: eur(payable),
            payable: eur(payable),
            carried: eur(0),
        };
        let s = Statement {
            contract_id: c.id,
            period: StatementPeriod {
                year: 2026,
                kind: PeriodKind::HalfYear,
                index: 1,
            },
            currency: Currency::EUR,
            opening_balance: eur(0),
            lines: vec![EarningsLine {
                release: ReleaseId(4),
                channel: Channel::Stream,
                territory: "BR".into(),
                gross: Amount8(100_000_000_000),
                net: Amount8(100_000_000_000),
                rate: Some(BasisPoints(2000)),
                royalty: eur(20_000),
                payees: vec![
                    PayeeAmount {
                        payee: PayeeId(1),
                        minor: 15_000,
                    },
                    PayeeAmount {
                        payee: PayeeId(2),
                        minor: 5_000,
                    },
                ],
                income_lines: Vec::new(),
                shared: crate::model::statement::Shared::No,
            }],
            royalties: eur(20_000),
            advance: eur(0),
            costs: Vec::new(),
            costs_charged: eur(0),
            reserve_held: eur(0),
            reserve_released: eur(0),
            recouped: eur(0),
            pools: Vec::new(),
            payees: vec![
                payee(1, "Nação Zumbi", 15_000, 15_000),
                payee(2, "Producer", 5_000, 5_000),
            ],
            payments: Vec::new(),
            payments_total: eur(0),
            closing_balance: eur(20_000),
            unrecouped: eur(0),
            payable: eur(20_000),
            late_lines: Vec::new(),
            excluded: Vec::new(),
            notes: Vec::new(),
            carried_forward: CarriedForward::initial(),
        };
        (c, s)
    }

    #[test]
    fn whole_and_per_payee_copies() {
        let (c, s) = statement();
        let releases = BTreeMap::from([(ReleaseId(4), "Afrociberdelia".to_owned())]);
        let doc = StatementDoc {
            label: "Harbour Lights",
            contract: &c,
            artist: "Nação Zumbi",
            statement: &s,
            releases: &releases,
            status: "Draft: not issued yet",
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        let whole = printable(&doc, None, today);
        assert_eq!(whole.validate(), Ok(()));
        let earnings = whole
            .tables()
            .find(|(h, _)| *h == "Earnings")
            .map(|(_, t)| t.clone());
        let earnings = earnings.unwrap_or_else(|| Table::new([Column::left("x")]));
        assert_eq!(
            earnings.rows,
            vec![vec![
                "Afrociberdelia",
                "Stream",
                "BR",
                "1000.00",
                "20%",
                "200.00"
            ]]
        );
        assert!(whole.tables().any(|(h, _)| h == "Payees"));
        // The producer's copy: their part of the line, their account, no other payee.
        let producer = printable(&doc, Some(PayeeId(2)), today);
        assert_eq!(producer.validate(), Ok(()));
        assert!(
            producer
                .fields
                .contains(&("Payee".into(), "Producer".into()))
        );
        let rows: Vec<Vec<String>> = producer
            .tables()
            .find(|(h, _)| *h == "Earnings")
            .map(|(_, t)| t.rows.clone())
            .unwrap_or_default();
        assert_eq!(rows[0][5], "50.00");
        assert!(!producer.tables().any(|(h, _)| h == "Payees"));
        let account = producer
            .tables()
            .find(|(h, _)| h.starts_with("Your account"))
            .and_then(|(_, t)| t.totals.clone());
        assert_eq!(
            account,
            Some(vec!["Owed after this statement".into(), "50.00".into()])
        );
        assert_eq!(
            file_name(&doc, Some(PayeeId(1)), "pdf"),
            "statement-2026-H1-nacao-zumbi.pdf"
        );
        assert_eq!(
            file_name(&doc, None, "csv"),
            "statement-2026-H1-nacao-zumbi.csv"
        );
    }
}
