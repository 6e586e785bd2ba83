//! Shows and the merch table on the demo label: stock from movements (with transfers), a show
//! of 30 sales with two undone whose report matches to the cent, cash reconciliation, the
//! show's record sales becoming ledger lines, bad input refused with nothing written, and a
//! `labeldesk sell` process killed with SIGKILL mid-show losing no committed sale.

use crate::common;

use chrono::NaiveDateTime;
use labeldesk::db::{self, Catalog};
use labeldesk::model::shows::{
    Discount, LocationId, MerchItem, MerchKind, Movement, MovementReason, Payment, SaleInput, Show,
    ShowId, ShowReport, StockItem,
};
use labeldesk::model::{ArtistId, BasisPoints, Currency, FormatId};

/// Demo ids: The Low Tides (artist 1); Salt in the Wires 12" (format 32, €24.99, barcode
/// 4260487100327) and CD (33, €14.99); Undertow 7" (8, €8.99).
const LOW_TIDES: ArtistId = ArtistId(1);
const LP: FormatId = FormatId(32);
const CD: FormatId = FormatId(33);
const SEVEN: FormatId = FormatId(8);

fn eur() -> Currency {
    Currency::parse("EUR").expect("EUR")
}

fn at(minute: u32) -> NaiveDateTime {
    common::today()
        .and_hms_opt(21, minute % 60, 0)
        .expect("time")
}

fn location(catalog: &Catalog, name: &str) -> LocationId {
    db::shows::locations(catalog.conn())
        .expect("locations")
        .into_iter()
        .find(|l| l.name == name)
        .expect("seeded location")
        .id
}

/// The demo label with 300 LPs, 100 CDs and 50 7"s received at Home, 40 LPs, 20 CDs and 10
/// 7"s moved to the tour box, and a show at the Lexington with The Low Tides playing.
fn show_setup() -> (Catalog, ShowId, LocationId, LocationId) {
    let mut catalog = common::demo_catalog_without_shows();
    let home = location(&catalog, "Home");
    let tour = location(&catalog, "Tour box");
    let show = catalog
        .write(|tx| {
            for (format, received, moved) in [(LP, 300, 40), (CD, 100, 20), (SEVEN, 50, 10)] {
                db::shows::add_movement(
                    tx,
                    &Movement {
                        item: StockItem::Format(format),
                        location: home,
                        quantity: received,
                        reason: MovementReason::Received,
                        note: "from the plant".into(),
                    },
                )?;
                db::shows::transfer(tx, StockItem::Format(format), home, tour, moved)?;
            }
            let mut show = Show::new(common::today(), "The Lexington", tour, eur());
            show.city = "London".into();
            show.cash_float = 5000;
            show.commission = BasisPoints(1000);
            show.artists = vec![LOW_TIDES];
            db::shows::save_show(tx, &show)
        })
        .expect("setup");
    (catalog, show, home, tour)
}

fn sale(format: FormatId, name: &str, quantity: i64, price: i64, payment: Payment) -> SaleInput {
    SaleInput {
        item: StockItem::Format(format),
        description: name.into(),
        artist_id: Some(LOW_TIDES),
        quantity,
        unit_price: price,
        discount: Discount::None,
        payment,
    }
}

#[test]
fn stock_follows_movements_and_transfers() {
    let (catalog, _, home, tour) = show_setup();
    let conn = catalog.conn();
    assert_eq!(
        db::shows::stock_at(conn, StockItem::Format(LP), home).expect("stock"),
        260
    );
    assert_eq!(
        db::shows::stock_at(conn, StockItem::Format(LP), tour).expect("stock"),
        40
    );
    let history = db::shows::history(conn, StockItem::Format(LP)).expect("history");
    assert_eq!(
        history.iter().map(|h| h.quantity).collect::<Vec<_>>(),
        vec![40, -40, 300],
        "newest first: transfer in, transfer out, received"
    );
    let locations = db::shows::locations(conn).expect("locations");
    let overview = db::shows::overview(conn, &locations).expect("overview");
    let lp = overview
        .iter()
        .find(|r| r.item == StockItem::Format(LP))
        .expect("LP row");
    assert_eq!(lp.total, 300);
    assert_eq!(lp.name, "Salt in the Wires — 12\" vinyl");
    assert_eq!(lp.artist, "The Low Tides");
}

#[test]
fn low_stock_warnings_per_format() {
    let (mut catalog, _, _, _) = show_setup();
    catalog
        .write(|tx| {
            db::shows::set_format_low_stock(tx, SEVEN, 60)?;
            db::shows::set_format_low_stock(tx, LP, 50)
        })
        .expect("levels");
    let locations = db::shows::locations(catalog.conn()).expect("locations");
    let overview = db::shows::overview(catalog.conn(), &locations).expect("overview");
    let low: Vec<&str> = overview
        .iter()
        .filter(|r| r.is_low())
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        low,
        vec!["Undertow — 7\" vinyl"],
        "50 7\"s < 60; 300 LPs ≥ 50"
    );
}

#[test]
fn a_show_of_30_sales_with_two_undone_matches_the_report_to_the_cent() {
    let (mut catalog, show, home, tour) = show_setup();
    // 30 sales: i % 3 == 0 → 1 LP €24.99 cash; == 1 → 2 CDs €14.99 card with 10 % off;
    // == 2 → 1 7" €8.99 cash with €1.00 off.
    catalog
        .write(|tx| {
            for i in 0..30_u32 {
                let mut s = match i % 3 {
                    0 => sale(LP, "Salt in the Wires — 12\" vinyl", 1, 2499, Payment::Cash),
                    1 => sale(CD, "Salt in the Wires — CD", 2, 1499, Payment::Card),
                    _ => sale(SEVEN, "Undertow — 7\" vinyl", 1, 899, Payment::Cash),
                };
                s.discount = match i % 3 {
                    1 => Discount::Percent(BasisPoints(1000)),
                    2 => Discount::Fixed(100),
                    _ => Discount::None,
                };
                db::shows::record_sale(tx, show, &s, at(i))?;
            }
            Ok(())
        })
        .expect("30 sales");
    // Undo the last two (a 7" and a CD sale).
    let undone = catalog
        .write(|tx| {
            let a = db::shows::void_last_sale(tx, show, at(40))?;
            let b = db::shows::void_last_sale(tx, show, at(41))?;
            Ok((a, b))
        })
        .expect("undo");
    assert_eq!(undone.0.expect("one").description, "Undertow — 7\" vinyl");
    assert_eq!(undone.1.expect("two").description, "Salt in the Wires — CD");

    let details = db::shows::get_show(catalog.conn(), show).expect("show");
    let sales = db::shows::sales(catalog.conn(), show).expect("sales");
    assert_eq!(
        sales.len(),
        32,
        "30 sales and 2 void records: nothing deleted"
    );
    let report = ShowReport::compute(&details, &sales);
    // Live: 10 LP sales (10 × 24.99 = 249.90 cash), 9 CD sales (2 × 14.99 = 29.98 − 3.00 =
    // 26.98 each: 242.82 card), 9 7" sales (8.99 − 1.00 = 7.99 each: 71.91 cash).
    assert_eq!((report.sales, report.voided), (28, 2));
    assert_eq!(report.units, 10 + 18 + 9);
    assert_eq!(report.cash_sales, 24_990 + 7_191);
    assert_eq!(report.card_sales, 24_282);
    assert_eq!(report.takings, 56_463);
    assert_eq!(report.discounts, 9 * 300 + 9 * 100);
    // 10 % commission of 564.63 = 56.463 → 56.46.
    assert_eq!(report.commission, 5_646);
    assert_eq!(report.net, 50_817);
    // Cash: float 50.00 + 321.81 = 371.81 expected.
    assert_eq!(report.cash_expected, 37_181);
    let by_item: Vec<(&str, i64, i64)> = report
        .by_item
        .iter()
        .map(|r| (r.name.as_str(), r.units, r.takings))
        .collect();
    assert_eq!(
        by_item,
        vec![
            ("Salt in the Wires — 12\" vinyl", 10, 24_990),
            ("Salt in the Wires — CD", 18, 24_282),
            ("Undertow — 7\" vinyl", 9, 7_191),
        ]
    );
    assert_eq!(report.by_artist.len(), 1);
    assert_eq!(report.by_artist[0].takings, 56_463);
    // Stock left in the tour box: 40 − 10 LPs, 20 − 18 CDs, 10 − 9 7"s; home untouched.
    let conn = catalog.conn();
    assert_eq!(
        db::shows::stock_at(conn, StockItem::Format(LP), tour).expect("s"),
        30
    );
    assert_eq!(
        db::shows::stock_at(conn, StockItem::Format(CD), tour).expect("s"),
        2
    );
    assert_eq!(
        db::shows::stock_at(conn, StockItem::Format(SEVEN), tour).expect("s"),
        1
    );
    assert_eq!(
        db::shows::stock_at(conn, StockItem::Format(LP), home).expect("s"),
        260
    );

    // Cash counted 370.00: 1.81 short.
    let mut counted = details.clone();
    counted.cash_counted = Some(37_000);
    assert_eq!(
        ShowReport::compute(&counted, &sales).cash_difference,
        Some(-181)
    );

    // Closing sends the 28 record sales to the ledger, net of their share of the commission.
    let lines = catalog
        .write(|tx| db::shows::close_show(tx, show, Some(37_000)))
        .expect("close");
    assert_eq!(lines, 28);
    let (count, gross, net, physical): (i64, i64, i64, i64) = catalog
        .conn()
        .query_row(
            "SELECT count(*), sum(gross_e8), sum(net_e8), sum(channel = 'physical') FROM income_lines
             WHERE source = 'Show: 2026-11-26 · The Lexington, London' AND release_id IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("ledger");
    assert_eq!(count, 28);
    assert_eq!(physical, 28);
    assert_eq!(gross, 56_463 * 1_000_000, "takings in 10⁻⁸ units");
    assert_eq!(
        net,
        50_817 * 1_000_000,
        "takings less the commission, to the cent"
    );
    // A closed show takes no more sales and cannot be closed twice.
    let refused = catalog.write(|tx| {
        db::shows::record_sale(tx, show, &sale(LP, "LP", 1, 2499, Payment::Cash), at(59))
    });
    assert!(refused.expect_err("closed").to_string().contains("closed"));
    assert!(
        catalog
            .write(|tx| db::shows::close_show(tx, show, None))
            .is_err()
    );
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let (mut catalog, show, _, tour) = show_setup();
    let count = |c: &Catalog, table: &str| -> i64 {
        c.conn()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("count")
    };
    let before = (
        count(&catalog, "show_sales"),
        count(&catalog, "stock_movements"),
    );
    for (bad, says) in [
        (sale(LP, "LP", -2, 2499, Payment::Cash), "at least 1"),
        (sale(LP, "LP", 1, -5, Payment::Cash), "negative"),
        (
            SaleInput {
                discount: Discount::Percent(BasisPoints(12_000)),
                ..sale(LP, "LP", 1, 2499, Payment::Cash)
            },
            "100%",
        ),
        (
            SaleInput {
                discount: Discount::Fixed(3000),
                ..sale(LP, "LP", 1, 2499, Payment::Cash)
            },
            "more than the price",
        ),
    ] {
        let err = catalog
            .write(|tx| db::shows::record_sale(tx, show, &bad, at(1)))
            .expect_err("refused");
        assert!(err.to_string().contains(says), "{err}");
    }
    let err = catalog
        .write(|tx| db::shows::add_signup(tx, Some(show), "Ana", "ana.example.org", at(2)))
        .expect_err("no @");
    assert!(err.to_string().contains("no @"), "{err}");
    let err = catalog
        .write(|tx| db::shows::transfer(tx, StockItem::Format(LP), tour, tour, 3))
        .expect_err("same place");
    assert!(err.to_string().contains("two different"), "{err}");
    assert_eq!(
        (
            count(&catalog, "show_sales"),
            count(&catalog, "stock_movements")
        ),
        before
    );
    assert_eq!(count(&catalog, "mailing_signups"), 0);
}

#[test]
fn signups_keep_consent_time_and_are_not_added_twice() {
    let (mut catalog, show, _, _) = show_setup();
    let first = catalog
        .write(|tx| db::shows::add_signup(tx, Some(show), "Zoë", " zoe@example.org ", at(5)))
        .expect("signup");
    assert!(first.is_some());
    let again = catalog
        .write(|tx| db::shows::add_signup(tx, Some(show), "Zoë", "ZOE@example.org", at(6)))
        .expect("signup");
    assert!(
        again.is_none(),
        "the same address (any case) is on the list once"
    );
    let all = db::shows::signups(catalog.conn()).expect("signups");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].email, "zoe@example.org");
    assert_eq!(all[0].consented_at, at(5));
}

#[test]
fn merch_and_scanned_barcodes_in_either_form() {
    let (mut catalog, show, _, tour) = show_setup();
    catalog
        .write(|tx| {
            let mut shirt = MerchItem::new(MerchKind::Shirt, "Tour shirt", 2000, eur());
            shirt.artist_id = Some(LOW_TIDES);
            shirt.size = "M".into();
            let id = db::shows::save_merch(tx, &shirt)?;
            db::shows::add_movement(
                tx,
                &Movement {
                    item: StockItem::Merch(id),
                    location: tour,
                    quantity: 25,
                    reason: MovementReason::Received,
                    note: String::new(),
                },
            )?;
            Ok(())
        })
        .expect("merch");
    let details = db::shows::get_show(catalog.conn(), show).expect("show");
    let items = db::shows::sell_items(catalog.conn(), &details).expect("items");
    let lp = items
        .iter()
        .find(|i| i.item == StockItem::Format(LP))
        .expect("LP button");
    assert_eq!((lp.price, lp.stock), (Some(2499), 40));
    assert!(
        items.iter().all(|i| !i.name.contains("Digital")),
        "digital formats are not sold at the table"
    );
    let shirt = items
        .iter()
        .find(|i| i.name == "Tour shirt (M)")
        .expect("shirt button");
    assert_eq!((shirt.price, shirt.stock), (Some(2000), 25));
    // The LP by its EAN-13 as printed on the sleeve.
    let found = db::shows::find_by_barcode(&items, "4260487100327").expect("by EAN-13");
    assert_eq!(found.item, StockItem::Format(LP));
    assert!(
        db::shows::find_by_barcode(&items, "4260487100328").is_none(),
        "bad check digit"
    );
    assert!(db::shows::find_by_barcode(&items, "").is_none());
}

#[test]
fn upc_a_and_ean_13_forms_of_a_code_match() {
    let (catalog, show, _, _) = show_setup();
    // Give the CD a UPC-A code; scanning its EAN-13 form (a leading 0) finds it, and back.
    catalog
        .conn()
        .execute(
            "UPDATE formats SET barcode = '036000291452' WHERE id = ?1",
            [CD.0],
        )
        .expect("barcode");
    let details = db::shows::get_show(catalog.conn(), show).expect("show");
    let items = db::shows::sell_items(catalog.conn(), &details).expect("items");
    for scanned in ["036000291452", "0036000291452"] {
        let found = db::shows::find_by_barcode(&items, scanned).expect(scanned);
        assert_eq!(found.item, StockItem::Format(CD), "{scanned}");
    }
}

/// A `labeldesk sell` process records sales one by one and is killed with SIGKILL at a random
/// point; every sale it printed as committed is in the catalog afterwards.
#[test]
fn killing_the_app_mid_show_loses_no_committed_sale() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tour.sqlite");
    let show = {
        let mut catalog = Catalog::create(&path).expect("create");
        catalog
            .write(|tx| labeldesk::demo::create(tx, common::today()))
            .expect("demo");
        let tour = location(&catalog, "Tour box");
        catalog
            .write(|tx| {
                let mut show = Show::new(common::today(), "Café Oto", tour, eur());
                show.artists = vec![LOW_TIDES];
                db::shows::save_show(tx, &show)
            })
            .expect("show")
    };
    // A kill point that differs from run to run: after 5..=44 reported sales.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    let kill_after = 5 + usize::try_from(nanos % 40).expect("small");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_labeldesk"))
        .args(["--db", path.to_str().expect("utf-8"), "sell", "--show"])
        .arg(show.0.to_string())
        .args(["--repeat", "100000", "4260487100327"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn labeldesk sell");
    let stdout = child.stdout.take().expect("stdout");
    let mut reported = Vec::new();
    let mut reader = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    while reported.len() < kill_after {
        let Some(line) = reader.next() else {
            let mut stderr = String::new();
            let _ = std::io::Read::read_to_string(
                &mut child.stderr.take().expect("stderr"),
                &mut stderr,
            );
            panic!(
                "the child ended after {} sales, before the kill point: {stderr}",
                reported.len()
            );
        };
        let line = line.expect("line");
        let id: i64 = line
            .strip_prefix("committed sale ")
            .expect("report line")
            .parse()
            .expect("sale id");
        reported.push(id);
    }
    // SIGKILL: no destructors, no clean shutdown, possibly in the middle of a transaction.
    child.kill().expect("kill");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "the child was killed, not finished");
    // Lines it managed to print before dying were committed too.
    for line in reader.map_while(Result::ok) {
        if let Some(id) = line.strip_prefix("committed sale ") {
            reported.push(id.parse().expect("sale id"));
        }
    }
    let catalog = Catalog::open(&path).expect("reopen after the kill");
    let integrity: String = catalog
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(integrity, "ok");
    let sales = db::shows::sales(catalog.conn(), show).expect("sales");
    let stored: std::collections::HashSet<i64> = sales.iter().map(|s| s.id.0).collect();
    for id in &reported {
        assert!(
            stored.contains(id),
            "sale {id} was reported committed but is gone"
        );
    }
    assert!(sales.len() >= reported.len());
    // Each stored sale has its stock movement (written in the same transaction).
    let movements: i64 = catalog
        .conn()
        .query_row(
            "SELECT count(*) FROM stock_movements WHERE reason = 'sale'
             AND sale_id IN (SELECT id FROM show_sales WHERE show_id = ?1)",
            [show],
            |r| r.get(0),
        )
        .expect("movements");
    assert_eq!(usize::try_from(movements).expect("count"), sales.len());
    eprintln!(
        "killed after {} reported sales; {} stored",
        reported.len(),
        sales.len()
    );
}

#[test]
fn the_show_report_pdf_and_csv_carry_the_artists_and_the_totals() {
    let (mut catalog, show, _, _) = show_setup();
    let nacao: ArtistId = catalog
        .conn()
        .query_row(
            "SELECT id FROM artists WHERE name = 'Nação Fantasma'",
            [],
            |r| r.get(0),
        )
        .expect("demo artist");
    catalog
        .write(|tx| {
            db::shows::record_sale(
                tx,
                show,
                &sale(LP, "Salt in the Wires — 12\" vinyl", 2, 2499, Payment::Cash),
                at(1),
            )?;
            let mut shirt = sale(CD, "Assombração — shirt", 1, 2000, Payment::Card);
            shirt.artist_id = Some(nacao);
            db::shows::record_sale(tx, show, &shirt, at(2))
        })
        .expect("sales");
    let details = db::shows::get_show(catalog.conn(), show).expect("show");
    let sales = db::shows::sales(catalog.conn(), show).expect("sales");
    let report = ShowReport::compute(&details, &sales);
    let items = db::shows::sell_items(catalog.conn(), &details).expect("items");
    let stock_left: Vec<(String, i64)> = items
        .iter()
        .filter(|i| i.stock != 0)
        .map(|i| (i.name.clone(), i.stock))
        .collect();
    let doc = labeldesk::io::show_report::printable(
        &labeldesk::io::show_report::ReportParts {
            label: "Harbour Lights Records",
            show: &details,
            artists: "The Low Tides",
            location: "Tour box",
            report: &report,
            sales: &sales,
            stock_left: &stock_left,
        },
        common::today(),
    );
    let started = std::time::Instant::now();
    let pdf = labeldesk::io::printable::to_pdf(&doc).expect("pdf");
    eprintln!(
        "show report PDF: {} bytes in {:?}",
        pdf.len(),
        started.elapsed()
    );
    let text = common::pdftotext(&pdf, &["-layout"]);
    for wanted in [
        "Merch report: The Lexington",
        "Nação Fantasma",
        "The Low Tides",
        "Assombração — shirt",
        "69.98", // takings: 2 × 24.99 + 20.00
        "-7.00", // 10 % commission
        "62.98", // net
        "99.98", // cash expected: float 50.00 + 49.98
        "Stock left in Tour box",
    ] {
        assert!(text.contains(wanted), "the PDF lacks {wanted:?}:\n{text}");
    }
    // 40 LPs went on tour, 2 were sold: 38 left; 20 CDs, the "shirt" sale took one: 19.
    let left = text
        .split("Stock left in Tour box")
        .nth(1)
        .expect("stock section");
    let lp_line = left
        .lines()
        .find(|l| l.contains("Salt in the Wires — 12\" vinyl"))
        .expect("LP line");
    assert!(lp_line.trim_end().ends_with("38"), "{lp_line}");
    let csv = labeldesk::io::printable::to_csv(&doc);
    assert!(
        csv.contains("Nação Fantasma") && csv.contains("69.98"),
        "{csv}"
    );
}

#[test]
fn a_show_without_sales_can_be_deleted_one_with_sales_cannot() {
    let (mut catalog, show, _, tour) = show_setup();
    let empty = catalog
        .write(|tx| {
            db::shows::save_show(tx, &Show::new(common::today(), "Mistake Hall", tour, eur()))
        })
        .expect("second show");
    catalog
        .write(|tx| db::shows::apply(tx, &db::shows::Op::DeleteShow(empty)))
        .expect("deleted");
    assert!(db::shows::get_show(catalog.conn(), empty).is_err());
    catalog
        .write(|tx| {
            db::shows::record_sale(tx, show, &sale(LP, "LP", 1, 2499, Payment::Cash), at(3))
        })
        .expect("sale");
    let err = catalog
        .write(|tx| db::shows::apply(tx, &db::shows::Op::DeleteShow(show)))
        .expect_err("has a sale");
    assert!(err.to_string().contains("1 sale record"), "{err}");
    assert!(db::shows::get_show(catalog.conn(), show).is_ok());
}

#[test]
fn the_demo_label_shows_a_closed_gig_stock_merch_and_a_contract() {
    let catalog = common::demo_catalog();
    let conn = catalog.conn();
    let shows = db::shows::list_shows(conn).expect("shows");
    assert_eq!(shows.len(), 2, "last month's show and next month's");
    let past = shows
        .iter()
        .find(|s| s.show.closed_at.is_some())
        .expect("a closed show");
    let sales = db::shows::sales(conn, past.show.id).expect("sales");
    let report = ShowReport::compute(
        &db::shows::get_show(conn, past.show.id).expect("show"),
        &sales,
    );
    assert_eq!((report.sales, report.voided), (15, 1));
    assert_eq!(report.cash_difference, Some(-250), "2.50 short, as counted");
    assert_eq!(past.takings, report.takings);
    let ledger: i64 = conn
        .query_row(
            "SELECT count(*) FROM income_lines WHERE match_key GLOB 'show:*'",
            [],
            |r| r.get(0),
        )
        .expect("ledger");
    let record_sales = labeldesk::model::shows::live_sales(&sales)
        .filter(|s| matches!(s.item, Some(StockItem::Format(_))))
        .count();
    assert_eq!(usize::try_from(ledger).expect("n"), record_sales);
    let locations = db::shows::locations(conn).expect("locations");
    let overview = db::shows::overview(conn, &locations).expect("overview");
    assert!(
        overview.iter().any(db::shows::StockRow::is_low),
        "some pressings are nearly gone"
    );
    assert_eq!(db::shows::merch_items(conn).expect("merch").len(), 3);
    assert_eq!(db::shows::signups(conn).expect("signups").len(), 3);
    let contracts = db::contracts::list(conn, common::today()).expect("contracts");
    assert_eq!(contracts.len(), 1);
    assert!(
        !db::contracts::deadlines(conn, common::today())
            .expect("deadlines")
            .is_empty(),
        "the option's notice deadline is within 60 days"
    );
}

#[test]
fn saving_a_show_again_updates_it_and_its_artists() {
    let (mut catalog, show, _, _) = show_setup();
    let mut edited = db::shows::get_show(catalog.conn(), show).expect("show");
    edited.venue = "Electric Ballroom".into();
    edited.artists = vec![ArtistId(2)];
    let id = catalog
        .write(|tx| db::shows::save_show(tx, &edited))
        .expect("update");
    assert_eq!(id, show, "the same show, not a new one");
    let again = db::shows::get_show(catalog.conn(), show).expect("show");
    assert_eq!(again.venue, "Electric Ballroom");
    assert_eq!(again.artists, vec![ArtistId(2)]);
    assert_eq!(
        db::shows::list_shows(catalog.conn()).expect("list").len(),
        1
    );
}
