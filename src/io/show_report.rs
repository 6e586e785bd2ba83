//! The end-of-show report as a printable document (PDF or CSV through
//! [`crate::io::printable`]), and the mailing list as CSV.

use chrono::NaiveDate;

use crate::model::Money;
use crate::model::printable::{Column, Printable, Section, Table};
use crate::model::shows::{Sale, Show, ShowReport, Signup, live_sales};

/// What the printed report is made of.
pub struct ReportParts<'a> {
    /// The label's name.
    pub label: &'a str,
    pub show: &'a Show,
    /// The playing artists, e.g. "The Low Tides, Marisol Vega".
    pub artists: &'a str,
    /// Where the show's stock travelled.
    pub location: &'a str,
    /// From [`ShowReport::compute`].
    pub report: &'a ShowReport,
    pub sales: &'a [Sale],
    /// (item, stock left at the show's location) after the show.
    pub stock_left: &'a [(String, i64)],
}

/// The end-of-show report as a printable document.
#[must_use]
pub fn printable(parts: &ReportParts<'_>, today: NaiveDate) -> Printable {
    let ReportParts {
        label,
        show,
        artists,
        location,
        report,
        sales,
        stock_left,
    } = *parts;
    let money = |minor: i64| Money::new(minor, show.currency).format_amount();
    let cur = show.currency.as_str();
    let mut doc = Printable::new(format!("Merch report: {}", show.venue.trim()))
        .subtitle(show.title())
        .field("Label", label)
        .field("Artists", if artists.is_empty() { "—" } else { artists })
        .field("Currency", cur)
        .field(
            "Sales",
            format!("{} ({} undone)", report.sales, report.voided),
        );
    let mut by_item = Table::new([
        Column::left("Item").truncate(),
        Column::right("Units"),
        Column::right(format!("Takings ({cur})")),
    ]);
    for row in &report.by_item {
        by_item.push_row([row.name.clone(), row.units.to_string(), money(row.takings)]);
    }
    let by_item = by_item.totals([
        "Total".to_owned(),
        report.units.to_string(),
        money(report.takings),
    ]);
    let mut by_artist = Table::new([
        Column::left("Artist"),
        Column::right("Units"),
        Column::right(format!("Takings ({cur})")),
    ]);
    for row in &report.by_artist {
        by_artist.push_row([row.name.clone(), row.units.to_string(), money(row.takings)]);
    }
    let commission = format!("Venue commission ({})", show.commission);
    let mut money_rows = Table::new([Column::left(""), Column::right("")])
        .row(["Cash sales".to_owned(), money(report.cash_sales)])
        .row(["Card sales".to_owned(), money(report.card_sales)])
        .row(["Discounts given".to_owned(), money(report.discounts)])
        .row(["Takings".to_owned(), money(report.takings)])
        .row([commission, money(-report.commission)]);
    money_rows = money_rows.totals(["Net to the label".to_owned(), money(report.net)]);
    let mut cash = Table::new([Column::left(""), Column::right("")])
        .row(["Cash float".to_owned(), money(show.cash_float)])
        .row(["Cash sales".to_owned(), money(report.cash_sales)])
        .row(["Cash expected".to_owned(), money(report.cash_expected)]);
    match (report.cash_counted, report.cash_difference) {
        (Some(counted), Some(diff)) => {
            cash.push_row(["Cash counted".to_owned(), money(counted)]);
            let what = if diff < 0 { "Short" } else { "Over" };
            cash = cash.totals([what.to_owned(), money(diff)]);
        }
        _ => cash.push_row(["Cash counted".to_owned(), "not counted".to_owned()]),
    }
    let mut log = Table::new([
        Column::left("Time"),
        Column::left("Item").truncate(),
        Column::right("Qty"),
        Column::right("Discount"),
        Column::right("Total"),
        Column::left("Paid"),
    ]);
    for sale in live_sales(sales) {
        log.push_row([
            sale.sold_at.format("%H:%M").to_string(),
            sale.description.clone(),
            sale.quantity.to_string(),
            money(sale.discount),
            money(sale.total),
            sale.payment.label().to_owned(),
        ]);
    }
    doc = doc
        .section(Section::new("By item").table(by_item))
        .section(Section::new("By artist").table(by_artist))
        .section(Section::new("Money").table(money_rows))
        .section(Section::new("Cash box").table(cash))
        .section(Section::new("Every sale").table(log));
    if !stock_left.is_empty() {
        let mut left = Table::new([Column::left("Item").truncate(), Column::right("Left")]);
        for (name, quantity) in stock_left {
            left.push_row([name.clone(), quantity.to_string()]);
        }
        doc = doc.section(Section::new(format!("Stock left in {location}")).table(left));
    }
    if !show.notes.trim().is_empty() {
        doc = doc.section(Section::new("Notes").paragraph(show.notes.trim()));
    }
    doc.generated_on(today)
}

/// The mailing list as CSV (name, e-mail, consent time in UTC, show), cells neutralised
/// against spreadsheet formulas.
#[must_use]
pub fn signups_csv(
    signups: &[Signup],
    show_titles: &dyn Fn(Option<crate::model::shows::ShowId>) -> String,
) -> String {
    let mut out = String::from("\u{feff}name,email,consented_at_utc,show\n");
    for s in signups {
        let cells = [
            s.name.clone(),
            s.email.clone(),
            s.consented_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            show_titles(s.show_id),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// One CSV cell: a leading `=`, `+`, `-`, `@`, tab or CR gets a `'` so spreadsheets do not run
/// it; quotes when needed.
fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shows::{ShowId, SignupId};

    #[test]
    fn mailing_list_csv_is_safe_and_complete() {
        let at = NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(22, 15, 0)
            .unwrap();
        let signups = vec![
            Signup {
                id: SignupId(1),
                show_id: Some(ShowId(3)),
                name: "Zoë, \"the\" fan".into(),
                email: "zoe@example.org".into(),
                consented_at: at,
            },
            Signup {
                id: SignupId(2),
                show_id: None,
                name: "=HYPERLINK(\"x\")".into(),
                email: "x@example.org".into(),
                consented_at: at,
            },
        ];
        let csv = signups_csv(&signups, &|id| {
            id.map_or_else(String::new, |i| format!("show {i}"))
        });
        let mut reader = ::csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(
            rows[0],
            vec![
                "Zoë, \"the\" fan",
                "zoe@example.org",
                "2026-11-28T22:15:00Z",
                "show 3"
            ]
        );
        assert_eq!(rows[1][0], "'=HYPERLINK(\"x\")", "formula neutralised");
        assert_eq!(rows.len(), 2);
    }
}
