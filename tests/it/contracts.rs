//! Contracts and royalty statements on an in-memory catalog: bad input writes nothing, issued
//! statements are frozen, late income lands in the next open period, payments are carried
//! forward, the currency rule, and the JSON export round trip of the new tables.

use chrono::NaiveDate;
use labeldesk::db::contracts;
use labeldesk::db::ledger::{self, ImportBatch};
use labeldesk::db::{Catalog, DbError};
use labeldesk::jobs::JobControl;
use labeldesk::model::{
    Amount8, Artist, ArtistId, ArtistRole, BasisPoints, Channel, Contract, ContractId,
    CostCategory, CostLine, CostLineId, Currency, DealType, IncomeLine, IncomeLineId, Label,
    LineFlags, MastersOwner, MatchMapping, Money, OptionPeriod, Payee, PayeeId, Payment, PaymentId,
    PeriodKind, RateRule, RawIdentifiers, Recoupable, Release, ReleaseArtist, ReleaseId, Reserve,
    RoyaltyBase, Share, SplitScope, SplitSet, StatementPeriod, Territory, Track, TrackId,
};
use labeldesk::undo::{self, Change, Edit, EditError, History};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

fn h(year: i32, index: u8) -> StatementPeriod {
    StatementPeriod {
        year,
        kind: PeriodKind::HalfYear,
        index,
    }
}

struct Fixture {
    catalog: Catalog,
    artist: ArtistId,
    other_artist: ArtistId,
    album: ReleaseId,
    single: ReleaseId,
    track: TrackId,
}

/// An own label in EUR; "Nação Zumbi" with an album (2026-03-01, one track) and a single
/// (2026-09-01); "Person 2" with nothing.
fn fixture() -> Fixture {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let (artist, other_artist, album, single, track) = catalog
        .write(|tx| {
            labeldesk::db::labels::insert(
                tx,
                &Label {
                    name: "Hollow Lane".into(),
                    is_own: true,
                    currency: Currency::EUR,
                    ..Label::default()
                },
            )?;
            let artist = labeldesk::db::artists::insert(tx, &Artist::new("Nação Zumbi"))?;
            let other = labeldesk::db::artists::insert(tx, &Artist::new("Person 2"))?;
            let mut release = Release::new("Afrociberdelia");
            release.release_date = Some(day(2026, 3, 1));
            let album = labeldesk::db::releases::insert(tx, &release)?;
            let mut release = Release::new("Single");
            release.release_date = Some(day(2026, 9, 1));
            let single = labeldesk::db::releases::insert(tx, &release)?;
            for r in [album, single] {
                labeldesk::db::releases::set_artists(
                    tx,
                    r,
                    &[ReleaseArtist {
                        artist_id: artist,
                        role: ArtistRole::Primary,
                    }],
                )?;
            }
            let track = labeldesk::db::tracks::insert(tx, &Track::new(album, 0, "Macô"))?;
            Ok((artist, other, album, single, track))
        })
        .expect("seed");
    Fixture {
        catalog,
        artist,
        other_artist,
        album,
        single,
        track,
    }
}

/// A royalty contract for the artist from 2026-01-01 to 2027-12-31: stream 20 %, physical
/// 10 %, one payee at 100 %, half-yearly, in euros.
fn royalty_contract(f: &Fixture) -> Contract {
    let mut c = Contract::new(f.artist, day(2026, 1, 1), Currency::EUR);
    c.title = "Recording agreement".into();
    c.end = Some(day(2027, 12, 31));
    c.rates = vec![
        RateRule {
            channel: Channel::Stream,
            format: None,
            rate: BasisPoints(2000),
        },
        RateRule {
            channel: Channel::Physical,
            format: None,
            rate: BasisPoints(1000),
        },
    ];
    c.payees = vec![Payee {
        id: PayeeId(1),
        name: "Nação Zumbi".into(),
        email: "banda@example.com".into(),
    }];
    c.splits = vec![SplitSet {
        scope: SplitScope::Default,
        shares: vec![Share {
            payee: PayeeId(1),
            share: BasisPoints::FULL,
        }],
    }];
    c
}

struct Sale {
    date: NaiveDate,
    release: ReleaseId,
    channel: Channel,
    net: &'static str,
    currency: Currency,
    net_home: Option<&'static str>,
}

fn sale(date: NaiveDate, release: ReleaseId, channel: Channel, net: &'static str) -> Sale {
    Sale {
        date,
        release,
        channel,
        net,
        currency: Currency::EUR,
        net_home: None,
    }
}

/// `sales` as one report file named `name`, not yet written.
fn batch(name: &str, sales: &[Sale]) -> ImportBatch {
    let lines: Vec<IncomeLine> = sales
        .iter()
        .enumerate()
        .map(|(i, s)| IncomeLine {
            id: IncomeLineId::UNSAVED,
            import_id: None,
            line_no: u32::try_from(i).expect("small") + 2,
            sale_date: s.date,
            period: s.date.format("%Y-%m").to_string(),
            release_id: Some(s.release),
            track_id: None,
            format_id: None,
            matched_by: None,
            channel: s.channel,
            territory: "BR".into(),
            source: "Bandcamp".into(),
            quantity: 1,
            gross: None,
            net: Amount8::parse(s.net).expect("amount"),
            currency: s.currency,
            net_home: s.net_home.map(|t| Amount8::parse(t).expect("amount")),
            raw: RawIdentifiers::default(),
            flags: LineFlags::default(),
            match_key: format!("catno:{name}{i}"),
        })
        .collect();
    let sha: String = format!(
        "{:0>64}",
        name.len() * 7919 + name.bytes().map(usize::from).sum::<usize>()
    )
    .chars()
    .map(|c| if c.is_ascii_digit() { c } else { 'a' })
    .collect();
    ImportBatch {
        id: labeldesk::model::ImportId::UNSAVED,
        file_name: name.into(),
        layout: "bandcamp".into(),
        sha256: sha,
        home_currency: Currency::EUR,
        totals: Vec::new(),
        lines,
    }
}

/// Imports `sales` as one report file named `name`; returns the line ids in order.
fn import(catalog: &mut Catalog, name: &str, sales: &[Sale]) -> Vec<IncomeLineId> {
    let batch = batch(name, sales);
    let import = catalog
        .write(|tx| ledger::insert_import(tx, &batch))
        .expect("import");
    ledger::lines_of_import(catalog.conn(), import)
        .expect("lines")
        .into_iter()
        .map(|l| l.id)
        .collect()
}

fn count(catalog: &Catalog, table: &str) -> i64 {
    catalog
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

fn err_text(result: Result<impl std::fmt::Debug, DbError>) -> String {
    match result {
        Ok(v) => panic!("expected a refusal, got {v:?}"),
        Err(e) => {
            assert!(e.is_user_error(), "{e:?} should be the user's input");
            e.to_string()
        }
    }
}

/// The message of an edit the catalog refused as in use.
fn refusal(result: Result<Option<String>, EditError>) -> String {
    match result {
        Err(EditError::Db(e @ DbError::InUse(_))) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn insert(catalog: &mut Catalog, contract: &Contract) -> ContractId {
    catalog
        .write(|tx| contracts::insert(tx, contract))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_contract_round_trips_with_every_term() {
    let mut f = fixture();
    let mut c = royalty_contract(&f);
    c.deal_type = DealType::NetProfit;
    c.release_id = Some(f.album);
    c.term_releases = Some(2);
    c.options = vec![OptionPeriod {
        name: "Second album".into(),
        notice_deadline: day(2027, 6, 30),
        until: Some(day(2028, 12, 31)),
        exercised: false,
    }];
    c.territory = Territory::WorldwideExcept(vec!["US".into(), "CA".into()]);
    c.masters_owner = MastersOwner::Artist;
    c.reversion = Some(day(2036, 1, 1));
    c.advance = eur(150_000);
    c.royalty_base = RoyaltyBase::Gross;
    c.rates.push(RateRule {
        channel: Channel::Physical,
        format: Some(labeldesk::model::FormatKind::Vinyl12),
        rate: BasisPoints(1500),
    });
    c.payees.push(Payee {
        id: PayeeId(2),
        name: "Produtor".into(),
        email: String::new(),
    });
    c.splits.push(SplitSet {
        scope: SplitScope::Track(f.track),
        shares: vec![
            Share {
                payee: PayeeId(1),
                share: BasisPoints(8000),
            },
            Share {
                payee: PayeeId(2),
                share: BasisPoints(2000),
            },
        ],
    });
    c.splits.push(SplitSet {
        scope: SplitScope::Release(f.album),
        shares: vec![Share {
            payee: PayeeId(1),
            share: BasisPoints::FULL,
        }],
    });
    c.recoupables = vec![
        Recoupable {
            category: CostCategory::Recording,
            share: BasisPoints(5000),
        },
        Recoupable {
            category: CostCategory::Video,
            share: BasisPoints::FULL,
        },
    ];
    c.cross_collateralised = false;
    c.reserve = Reserve {
        held: BasisPoints(2000),
        release_periods: 3,
    };
    c.minimum_payout = eur(5_000);
    c.period_kind = PeriodKind::Quarter;
    c.document_path = "/home/label/contracts/nacao-zumbi.pdf".into();
    let id = insert(&mut f.catalog, &c);
    c.id = id;
    assert_eq!(contracts::get(f.catalog.conn(), id).expect("get"), c);
    // An edit keeps the payees' numbers.
    c.payees[1].name = "Produtor Musical".into();
    c.title = "Album licence".into();
    f.catalog
        .write(|tx| contracts::update(tx, &c))
        .expect("update");
    assert_eq!(contracts::get(f.catalog.conn(), id).expect("get"), c);
    let removed = f
        .catalog
        .write(|tx| contracts::delete(tx, id))
        .expect("delete");
    assert_eq!(removed, c);
    assert_eq!(count(&f.catalog, "contracts"), 0);
    assert_eq!(count(&f.catalog, "contract_splits"), 0);
}

#[test]
fn bad_input_writes_nothing() {
    let mut f = fixture();
    // Splits that total 99 %.
    let mut c = royalty_contract(&f);
    c.splits[0].shares[0].share = BasisPoints(9_900);
    let msg = err_text(f.catalog.write(|tx| contracts::insert(tx, &c)));
    assert_eq!(
        msg,
        "splits: the contract's default split totals 99%, not 100%"
    );
    // A negative rate, and a rate over 100 %: both named.
    let mut c = royalty_contract(&f);
    c.rates[0].rate = BasisPoints(-500);
    c.rates[1].rate = BasisPoints(12_000);
    let msg = err_text(f.catalog.write(|tx| contracts::insert(tx, &c)));
    assert_eq!(
        msg,
        "rates: the stream rate cannot be negative (-5%); the physical rate cannot be over 100% (120%)"
    );
    for table in [
        "contracts",
        "contract_rates",
        "contract_payees",
        "contract_splits",
    ] {
        assert_eq!(count(&f.catalog, table), 0, "{table}");
    }
    // An overlapping contract: same artist, overlapping term, both pay on streams.
    let contract = royalty_contract(&f);
    let first = insert(&mut f.catalog, &contract);
    let mut second = royalty_contract(&f);
    second.title = "Digital deal".into();
    second.start = day(2027, 1, 1);
    second.end = Some(day(2029, 12, 31));
    second.rates.remove(1);
    let msg = err_text(f.catalog.write(|tx| contracts::insert(tx, &second)));
    assert_eq!(
        msg,
        "term: “Digital deal” overlaps “Recording agreement”: both cover the same artist's releases from 2027-01-01 to 2027-12-31 and both pay stream royalties, so that income would be paid twice. Change the dates, the release or the rates"
    );
    assert_eq!(count(&f.catalog, "contracts"), 1);
    // A deal for the other artist does not overlap; nor does one starting after the first ends.
    second.artist_id = f.other_artist;
    insert(&mut f.catalog, &second);
    second.artist_id = f.artist;
    second.start = day(2028, 1, 1);
    insert(&mut f.catalog, &second);
    // A bad update leaves the stored contract as it was.
    let before = contracts::get(f.catalog.conn(), first).expect("get");
    let mut edited = before.clone();
    edited.end = Some(day(2025, 1, 1));
    let msg = err_text(f.catalog.write(|tx| contracts::update(tx, &edited)));
    assert!(
        msg.contains("the term ends (2025-01-01) before it starts (2026-01-01)"),
        "{msg}"
    );
    assert_eq!(
        contracts::get(f.catalog.conn(), first).expect("get"),
        before
    );
    // A split for a track that does not exist.
    let mut ghost = royalty_contract(&f);
    ghost.artist_id = f.other_artist;
    ghost.start = day(2030, 1, 1);
    ghost.end = Some(day(2031, 1, 1));
    ghost.splits.push(SplitSet {
        scope: SplitScope::Track(TrackId(999)),
        shares: vec![Share {
            payee: PayeeId(1),
            share: BasisPoints::FULL,
        }],
    });
    let msg = err_text(f.catalog.write(|tx| contracts::insert(tx, &ghost)));
    assert_eq!(
        msg,
        "splits: the split for track #999 is for something that does not exist"
    );
    assert_eq!(count(&f.catalog, "contracts"), 3);
}

#[test]
fn issuing_freezes_the_figures_and_refuses_a_second_time() {
    let mut f = fixture();
    let mut c = royalty_contract(&f);
    c.advance = eur(10_000); // €100
    let id = insert(&mut f.catalog, &c);
    // H1: stream €1,000.00 on the album -> €200.00 royalty; €100 advance: €100 payable.
    let lines = import(
        &mut f.catalog,
        "h1.csv",
        &[
            sale(day(2026, 3, 10), f.album, Channel::Stream, "600"),
            sale(day(2026, 5, 20), f.album, Channel::Stream, "400"),
            // Before the contract: never loaded.
            sale(day(2025, 12, 31), f.album, Channel::Stream, "5000"),
        ],
    );
    assert_eq!(
        contracts::next_open_period(f.catalog.conn(), id).expect("next"),
        h(2026, 1)
    );
    let draft = contracts::draft(f.catalog.conn(), id, h(2026, 1)).expect("draft");
    assert_eq!(draft.royalties, eur(20_000));
    assert_eq!(draft.payable, eur(10_000));
    assert_eq!(draft.lines[0].income_lines, lines[..2]);
    // Not before the period is over.
    let msg = err_text(
        f.catalog
            .write(|tx| contracts::issue(tx, id, h(2026, 1), day(2026, 6, 30))),
    );
    assert_eq!(
        msg,
        "statement period: 2026 H1 runs until 2026-06-30: its statement can be issued from 2026-07-01"
    );
    // Not out of order.
    let msg = err_text(
        f.catalog
            .write(|tx| contracts::issue(tx, id, h(2026, 2), day(2027, 1, 5))),
    );
    assert!(msg.contains("statements are issued in order: the next one for “Recording agreement” is 2026 H1, not 2026 H2"), "{msg}");
    let sid = f
        .catalog
        .write(|tx| contracts::issue(tx, id, h(2026, 1), day(2026, 7, 3)))
        .expect("issue");
    let issued = contracts::get_statement(f.catalog.conn(), sid).expect("statement");
    assert_eq!(issued.statement, draft);
    assert_eq!(issued.period, h(2026, 1));
    // Re-issuing the period is refused, and nothing is written.
    let msg = err_text(
        f.catalog
            .write(|tx| contracts::issue(tx, id, h(2026, 1), day(2026, 7, 3))),
    );
    assert!(
        msg.starts_with("the 2026 H1 statement of “Recording agreement” was issued on ")
            && msg.ends_with(
                "and cannot be changed or issued again. Income that arrives late for it goes into the next open period, 2026 H2"
            ),
        "{msg}"
    );
    assert_eq!(count(&f.catalog, "statements"), 1);
    // Later changes to the ledger do not touch the issued figures.
    f.catalog
        .conn()
        .execute("UPDATE income_lines SET net_e8 = net_e8 * 10", [])
        .expect("edit lines");
    assert_eq!(
        contracts::get_statement(f.catalog.conn(), sid)
            .expect("statement")
            .statement,
        draft
    );
    // The statement row itself cannot be changed or deleted.
    for sql in [
        "UPDATE statements SET payable = 0",
        "DELETE FROM statements",
    ] {
        let e = f.catalog.conn().execute(sql, []).expect_err(sql);
        assert!(
            e.to_string().contains("an issued statement cannot be"),
            "{e}"
        );
    }
    // A contract with statements cannot be deleted; its currency cannot change.
    let msg = err_text(f.catalog.write(|tx| contracts::delete(tx, id)));
    assert!(
        msg.contains("cannot be deleted: it has 1 issued statement and 0 payments"),
        "{msg}"
    );
    let mut usd = contracts::get(f.catalog.conn(), id).expect("get");
    usd.currency = Currency::USD;
    usd.advance = Money::new(10_000, Currency::USD);
    usd.minimum_payout = Money::zero(Currency::USD);
    let msg = err_text(f.catalog.write(|tx| contracts::update(tx, &usd)));
    assert!(msg.contains("its currency cannot change"), "{msg}");
    // The list shows the balance after the last statement.
    let rows = contracts::list(f.catalog.conn(), day(2026, 7, 3)).expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].artist, "Nação Zumbi");
    assert_eq!(rows[0].last_statement, Some(h(2026, 1)));
    assert_eq!(rows[0].balance, eur(10_000));
    assert_eq!(rows[0].payable, eur(10_000));
    assert_eq!(rows[0].status, labeldesk::model::ContractStatus::Active);
}

#[test]
fn late_income_goes_into_the_next_open_period() {
    let mut f = fixture();
    let contract = royalty_contract(&f);
    let id = insert(&mut f.catalog, &contract);
    import(
        &mut f.catalog,
        "h1.csv",
        &[sale(day(2026, 4, 1), f.album, Channel::Stream, "100")],
    );
    f.catalog
        .write(|tx| contracts::issue(tx, id, h(2026, 1), day(2026, 7, 1)))
        .expect("issue H1");
    // A March sale reported in September, and a September sale of the single.
    let late = import(
        &mut f.catalog,
        "late.csv",
        &[
            sale(day(2026, 3, 15), f.album, Channel::Stream, "50"),
            sale(day(2026, 9, 2), f.single, Channel::Physical, "30"),
        ],
    );
    let h2 = contracts::draft(f.catalog.conn(), id, h(2026, 2)).expect("draft H2");
    assert_eq!(h2.late_lines, [late[0]]);
    // €50 × 20 % + €30 × 10 % = €10 + €3.
    assert_eq!(h2.royalties, eur(1_300));
    assert_eq!(h2.counted_lines(), late);
    let sid = f
        .catalog
        .write(|tx| contracts::issue(tx, id, h(2026, 2), day(2027, 1, 2)))
        .expect("issue H2");
    let taken: Vec<i64> = {
        let mut stmt = f
            .catalog
            .conn()
            .prepare(
                "SELECT income_line_id FROM statement_income WHERE statement_id = ?1 ORDER BY 1",
            )
            .expect("prepare");
        stmt.query_map([sid], |r| r.get(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    assert_eq!(taken, late.iter().map(|l| l.0).collect::<Vec<_>>());
    // Nothing is counted twice: the next draft starts empty.
    let h3 = contracts::draft(f.catalog.conn(), id, h(2027, 1)).expect("draft 2027 H1");
    assert!(h3.lines.is_empty());
    assert_eq!(h3.opening_balance, eur(2_000 + 1_300));
}

#[test]
fn payments_are_recorded_and_carried_forward() {
    let mut f = fixture();
    let mut c = royalty_contract(&f);
    c.minimum_payout = eur(5_000); // €50
    let id = insert(&mut f.catalog, &c);
    // H1: €150 × 20 % = €30, under the minimum: carried.
    import(
        &mut f.catalog,
        "h1.csv",
        &[sale(day(2026, 2, 1), f.album, Channel::Stream, "150")],
    );
    f.catalog
        .write(|tx| contracts::issue(tx, id, h(2026, 1), day(2026, 7, 1)))
        .expect("issue H1");
    let rows = contracts::list(f.catalog.conn(), day(2026, 7, 1)).expect("list");
    assert_eq!((rows[0].balance, rows[0].payable), (eur(3_000), eur(0)));
    // H2: another €30: €60 owed, payable.
    import(
        &mut f.catalog,
        "h2.csv",
        &[sale(day(2026, 8, 1), f.album, Channel::Stream, "150")],
    );
    f.catalog
        .write(|tx| contracts::issue(tx, id, h(2026, 2), day(2027, 1, 1)))
        .expect("issue H2");
    let h2 = contracts::statements(f.catalog.conn(), id).expect("statements");
    assert_eq!(h2[1].statement.payable, eur(6_000));
    // Bad payments are refused.
    let payment = Payment {
        id: PaymentId::UNSAVED,
        contract_id: id,
        payee: PayeeId(1),
        date: day(2027, 1, 20),
        amount: eur(6_000),
        note: "bank transfer".into(),
        statement_id: None,
    };
    for (bad, needle) in [
        (
            Payment {
                amount: eur(0),
                ..payment.clone()
            },
            "a payment must be more than zero",
        ),
        (
            Payment {
                payee: PayeeId(5),
                ..payment.clone()
            },
            "payee 5 is not on “Recording agreement”",
        ),
        (
            Payment {
                amount: Money::new(6_000, Currency::USD),
                ..payment.clone()
            },
            "the payment is in USD, but “Recording agreement” is in EUR",
        ),
    ] {
        let msg = err_text(f.catalog.write(|tx| contracts::record_payment(tx, &bad)));
        assert!(msg.contains(needle), "{msg}");
    }
    assert_eq!(count(&f.catalog, "payee_payments"), 0);
    let pid = f
        .catalog
        .write(|tx| contracts::record_payment(tx, &payment))
        .expect("pay");
    // A payment dated in an issued period (recorded late) also lands in the next statement.
    let late = Payment {
        date: day(2026, 12, 30),
        amount: eur(1),
        ..payment.clone()
    };
    f.catalog
        .write(|tx| contracts::record_payment(tx, &late))
        .expect("pay late");
    let draft = contracts::draft(f.catalog.conn(), id, h(2027, 1)).expect("draft");
    assert_eq!(draft.payments_total, eur(6_001));
    assert_eq!(draft.payees[0].opening, eur(6_000));
    assert_eq!(draft.closing_balance, eur(-1), "overpaid by a cent");
    assert_eq!(draft.payable, eur(0));
    f.catalog
        .write(|tx| contracts::issue(tx, id, h(2027, 1), day(2027, 7, 1)))
        .expect("issue 2027 H1");
    let stored = contracts::payments(f.catalog.conn(), id).expect("payments");
    assert!(
        stored.iter().all(|p| p.statement_id.is_some()),
        "{stored:?}"
    );
    // A payment on an issued statement stays; the payee who was paid cannot be removed.
    let msg = err_text(f.catalog.write(|tx| contracts::delete_payment(tx, pid)));
    assert!(msg.contains("is on the issued 2027 H1 statement"), "{msg}");
    let mut c = contracts::get(f.catalog.conn(), id).expect("get");
    c.payees[0].id = PayeeId(2);
    c.splits[0].shares[0].payee = PayeeId(2);
    let msg = err_text(f.catalog.write(|tx| contracts::update(tx, &c)));
    assert!(msg.contains("Nação Zumbi is owed -€0.01"), "{msg}");
}

#[test]
fn income_in_other_currencies_follows_the_currency_rule() {
    let mut f = fixture();
    let contract = royalty_contract(&f);
    let id = insert(&mut f.catalog, &contract);
    let usd_with_home = Sale {
        currency: Currency::USD,
        net_home: Some("92"),
        ..sale(day(2026, 2, 1), f.album, Channel::Stream, "100")
    };
    let gbp_without = Sale {
        currency: Currency::GBP,
        ..sale(day(2026, 2, 2), f.album, Channel::Stream, "100")
    };
    let lines = import(&mut f.catalog, "mixed.csv", &[usd_with_home, gbp_without]);
    let draft = contracts::draft(f.catalog.conn(), id, h(2026, 1)).expect("draft");
    // The USD line counts at its home amount: €92 × 20 % = €18.40; the GBP line cannot.
    assert_eq!(draft.royalties, eur(1_840));
    assert_eq!(draft.counted_lines(), [lines[0]]);
    assert_eq!(
        draft.notes,
        [
            "1 income line in GBP left out: it has no amount in EUR. Enter an exchange rate when importing (if EUR is the home currency), then work the statement out again"
        ]
    );
    // Left out lines are not taken by the issued statement: they stay for a later one.
    f.catalog
        .write(|tx| contracts::issue(tx, id, h(2026, 1), day(2026, 7, 1)))
        .expect("issue");
    let h2 = contracts::draft(f.catalog.conn(), id, h(2026, 2)).expect("draft H2");
    assert_eq!(h2.notes.len(), 1);
}

#[test]
fn costs_recoup_and_release_contracts_take_precedence() {
    let mut f = fixture();
    let mut c = royalty_contract(&f);
    c.recoupables = vec![Recoupable {
        category: CostCategory::Pressing,
        share: BasisPoints(5000),
    }];
    let artist_deal = insert(&mut f.catalog, &c);
    // The single has its own licence deal (it takes precedence for the single).
    let mut licence = royalty_contract(&f);
    licence.title = "Single licence".into();
    licence.deal_type = DealType::License;
    licence.release_id = Some(f.single);
    licence.rates = vec![RateRule {
        channel: Channel::Stream,
        format: None,
        rate: BasisPoints(3000), // the label's fee: the artist gets 70 %
    }];
    let single_deal = insert(&mut f.catalog, &licence);
    f.catalog
        .write(|tx| {
            for (release, recoupable, amount) in [(f.album, true, 40_000), (f.album, false, 99_999)]
            {
                ledger::insert_cost(
                    tx,
                    &CostLine {
                        id: CostLineId::UNSAVED,
                        date: day(2026, 1, 15),
                        release_id: Some(release),
                        category: CostCategory::Pressing,
                        amount: eur(amount),
                        recoupable,
                        note: String::new(),
                    },
                )?;
            }
            Ok(())
        })
        .expect("costs");
    import(
        &mut f.catalog,
        "h2.csv",
        &[
            sale(day(2026, 10, 1), f.album, Channel::Stream, "1000"),
            sale(day(2026, 10, 1), f.single, Channel::Stream, "1000"),
        ],
    );
    assert_eq!(
        contracts::covered_releases(
            f.catalog.conn(),
            &contracts::get(f.catalog.conn(), artist_deal).expect("get")
        )
        .expect("covered"),
        [f.album]
    );
    f.catalog
        .write(|tx| contracts::issue(tx, artist_deal, h(2026, 1), day(2026, 7, 1)))
        .expect("issue H1");
    // Album: €1,000 × 20 % = €200; the recoupable pressing cost €400 at 50 % = €200: nothing
    // payable. (The cost dated in H1 was charged on the H1 statement.)
    let statements = contracts::statements(f.catalog.conn(), artist_deal).expect("statements");
    assert_eq!(statements[0].statement.costs_charged, eur(20_000));
    assert_eq!(statements[0].statement.closing_balance, eur(-20_000));
    // The Sales panel warns before that cost is edited: only the charged one is listed.
    let charged = ledger::charged_costs(f.catalog.conn()).expect("charged");
    let recoupable: Vec<CostLineId> = ledger::list_costs(f.catalog.conn())
        .expect("costs")
        .into_iter()
        .filter(|c| c.recoupable)
        .map(|c| c.id)
        .collect();
    assert_eq!(charged.into_iter().collect::<Vec<_>>(), recoupable);
    let album = contracts::draft(f.catalog.conn(), artist_deal, h(2026, 2)).expect("draft");
    assert_eq!(album.royalties, eur(20_000));
    assert_eq!(album.costs.len(), 0);
    assert_eq!(album.payable, eur(0));
    assert_eq!(album.closing_balance, eur(0));
    // Single: €1,000 × (100 − 30) % = €700 under the licence.
    let single = contracts::draft(f.catalog.conn(), single_deal, h(2026, 2))
        .err()
        .map(|e| e.to_string());
    assert!(
        single.as_deref().is_some_and(|m| m.contains(
            "statements are issued in order: the next one for “Single licence” is 2026 H1"
        )),
        "{single:?}"
    );
    f.catalog
        .write(|tx| contracts::issue(tx, single_deal, h(2026, 1), day(2026, 7, 1)))
        .expect("issue single H1");
    let single = contracts::draft(f.catalog.conn(), single_deal, h(2026, 2)).expect("draft");
    assert_eq!(single.royalties, eur(70_000));
    assert_eq!(single.payable, eur(70_000));
}

/// What an issued statement took stays: removing the report it counted, undoing that import
/// or deleting a cost it charged is refused with the statement's name (after such an undo and
/// a redo the next statement would have counted the income, or charged the cost, again), and
/// the catalog itself refuses the delete. What no statement took still goes.
#[test]
fn an_issued_statement_keeps_the_income_and_costs_it_took() {
    let mut f = fixture();
    let mut c = royalty_contract(&f);
    c.recoupables = vec![Recoupable {
        category: CostCategory::Pressing,
        share: BasisPoints(5000),
    }];
    let id = insert(&mut f.catalog, &c);
    let mut history = History::default();
    let cost = |recoupable, amount| CostLine {
        id: CostLineId::UNSAVED,
        date: day(2026, 1, 15),
        release_id: Some(f.album),
        category: CostCategory::Pressing,
        amount: eur(amount),
        recoupable,
        note: String::new(),
    };
    for (recoupable, amount) in [(true, 40_000), (false, 5_000)] {
        history
            .apply(
                &mut f.catalog,
                Edit::one(
                    "Add cost",
                    Change::cost_line(None, Some(cost(recoupable, amount))),
                ),
            )
            .expect("cost");
    }
    let h1 = batch(
        "h1.csv",
        &[
            sale(day(2026, 3, 10), f.album, Channel::Stream, "600"),
            sale(day(2026, 5, 20), f.album, Channel::Stream, "400"),
        ],
    );
    history
        .apply(
            &mut f.catalog,
            Edit::one("Import h1.csv", Change::sales_import(h1)),
        )
        .expect("import");
    let sid = f
        .catalog
        .write(|tx| contracts::issue(tx, id, h(2026, 1), day(2026, 7, 3)))
        .expect("issue");
    let issued = contracts::get_statement(f.catalog.conn(), sid).expect("statement");
    assert_eq!(issued.statement.royalties, eur(20_000));
    assert_eq!(issued.statement.costs_charged, eur(20_000));
    let later = import(
        &mut f.catalog,
        "h2.csv",
        &[sale(day(2026, 10, 1), f.album, Channel::Stream, "1000")],
    );
    let import_of = |catalog: &Catalog, name: &str| -> labeldesk::model::ImportId {
        catalog
            .conn()
            .query_row(
                "SELECT id FROM ledger_imports WHERE file_name = ?1",
                [name],
                |r| r.get(0),
            )
            .expect("import id")
    };
    let kept = (
        count(&f.catalog, "income_lines"),
        count(&f.catalog, "statement_income"),
    );
    assert_eq!(kept, (3, 2));

    // Undoing the import (the last edit in the history) is refused and stays undoable.
    let msg = refusal(history.undo(&mut f.catalog));
    assert_eq!(
        msg,
        "“h1.csv” stays in the ledger: the issued statement “Recording agreement 2026 H1” \
         accounted for its lines, and an issued statement is final. A correction goes into a \
         later report or period."
    );
    assert_eq!(history.undo_label(), Some("Import h1.csv"));
    // Removing it from the Sales panel: the same.
    let h1_id = import_of(&f.catalog, "h1.csv");
    let msg = refusal(
        undo::apply(
            &mut f.catalog,
            Edit::one("Remove import h1.csv", Change::remove_sales_import(h1_id)),
        )
        .map(|_| None),
    );
    assert!(msg.starts_with("“h1.csv” stays in the ledger"), "{msg}");
    assert_eq!(
        (
            count(&f.catalog, "income_lines"),
            count(&f.catalog, "statement_income")
        ),
        kept
    );

    // The charged cost can't be deleted; the cost the statement didn't charge can.
    let costs = ledger::list_costs(f.catalog.conn()).expect("costs");
    let charged = costs
        .iter()
        .find(|c| c.recoupable)
        .expect("charged")
        .clone();
    let free = costs.iter().find(|c| !c.recoupable).expect("free").clone();
    let msg = refusal(
        undo::apply(
            &mut f.catalog,
            Edit::one(
                "Delete cost",
                Change::cost_line(Some(charged.clone()), None),
            ),
        )
        .map(|_| None),
    );
    assert_eq!(
        msg,
        "The cost of 2026-01-15 can't be deleted: the issued statement “Recording agreement \
         2026 H1” charged it, and an issued statement is final. A correction goes into a later \
         period."
    );
    undo::apply(
        &mut f.catalog,
        Edit::one("Delete cost", Change::cost_line(Some(free), None)),
    )
    .expect("an uncharged cost goes");
    assert_eq!(count(&f.catalog, "cost_lines"), 1);

    // The report no statement has taken yet can be removed.
    let h2_id = import_of(&f.catalog, "h2.csv");
    undo::apply(
        &mut f.catalog,
        Edit::one("Remove import h2.csv", Change::remove_sales_import(h2_id)),
    )
    .expect("an untaken report goes");
    assert_eq!(count(&f.catalog, "income_lines"), 2);
    assert!(
        ledger::lines_of_import(f.catalog.conn(), h2_id)
            .expect("lines")
            .is_empty()
    );
    assert_eq!(later.len(), 1);

    // Underneath, the catalog refuses to delete what a statement took, whoever asks.
    for sql in [
        "DELETE FROM income_lines WHERE import_id = ?1",
        "DELETE FROM ledger_imports WHERE id = ?1",
    ] {
        let result = f.catalog.conn().execute(sql, [h1_id]);
        assert!(
            result
                .as_ref()
                .is_err_and(|e| e.to_string().contains("FOREIGN KEY")),
            "{sql}: {result:?}"
        );
    }
    let result = f
        .catalog
        .conn()
        .execute("DELETE FROM cost_lines WHERE id = ?1", [charged.id]);
    assert!(result.is_err(), "{result:?}");
    // h1.csv's two lines, both still on the statement.
    assert_eq!(
        (
            count(&f.catalog, "income_lines"),
            count(&f.catalog, "statement_income")
        ),
        (2, 2)
    );
    assert_eq!(count(&f.catalog, "statement_costs"), 1);
}

/// A mapping whose lines an issued statement took cannot be changed or forgotten: re-pointing
/// them to another release would let that release's contract count them again.
#[test]
fn a_mapping_an_issued_statement_relied_on_stays() {
    let mut f = fixture();
    let terms = royalty_contract(&f);
    let id = insert(&mut f.catalog, &terms);
    let mut unmatched = batch(
        "h1.csv",
        &[sale(day(2026, 3, 10), f.album, Channel::Stream, "600")],
    );
    unmatched.lines[0].release_id = None;
    let key = unmatched.lines[0].match_key.clone();
    let mut history = History::default();
    history
        .apply(
            &mut f.catalog,
            Edit::one("Import", Change::sales_import(unmatched)),
        )
        .expect("import");
    let to = |release| MatchMapping {
        key: key.clone(),
        release_id: release,
        track_id: None,
        format_id: None,
    };
    history
        .apply(
            &mut f.catalog,
            Edit::one(
                "Map",
                Change::ledger_mapping(key.clone(), Some(to(f.album))),
            ),
        )
        .expect("map");
    f.catalog
        .write(|tx| contracts::issue(tx, id, h(2026, 1), day(2026, 7, 3)))
        .expect("issue");
    assert_eq!(count(&f.catalog, "statement_income"), 1);
    // Remapping to the single, forgetting the mapping, or undoing it: refused.
    for change in [
        Change::ledger_mapping(key.clone(), Some(to(f.single))),
        Change::ledger_mapping(key.clone(), None),
    ] {
        let msg = refusal(undo::apply(&mut f.catalog, Edit::one("Remap", change)).map(|_| None));
        assert_eq!(
            msg,
            "This mapping can't be changed: the issued statement “Recording agreement 2026 H1” \
             accounted for lines it matched, and an issued statement is final. A correction \
             goes into a later period."
        );
    }
    let msg = refusal(history.undo(&mut f.catalog));
    assert!(msg.starts_with("This mapping can't be changed"), "{msg}");
    let release: Option<i64> = f
        .catalog
        .conn()
        .query_row("SELECT release_id FROM income_lines", [], |r| r.get(0))
        .expect("line");
    assert_eq!(release, Some(f.album.0));
    // Saving it again as it is changes nothing and is allowed.
    undo::apply(
        &mut f.catalog,
        Edit::one(
            "Map",
            Change::ledger_mapping(key.clone(), Some(to(f.album))),
        ),
    )
    .expect("the same mapping");
}

/// An artist contract at 50 % of net receipts on streams for `artist`, from 2026-01-01 to
/// 2027-12-31, the artist as the one payee.
fn half_deal(artist: ArtistId, name: &str) -> Contract {
    let mut c = Contract::new(artist, day(2026, 1, 1), Currency::EUR);
    c.title = format!("{name} deal");
    c.end = Some(day(2027, 12, 31));
    c.rates = vec![RateRule {
        channel: Channel::Stream,
        format: None,
        rate: BasisPoints(5000),
    }];
    c.payees = vec![Payee {
        id: PayeeId(1),
        name: name.into(),
        email: String::new(),
    }];
    c.splits = vec![SplitSet {
        scope: SplitScope::Default,
        shares: vec![Share {
            payee: PayeeId(1),
            share: BasisPoints::FULL,
        }],
    }];
    c
}

#[test]
fn co_credited_artists_each_get_their_share_not_the_whole() {
    // "Duets" (2026-04-01) is credited to both artists as primary artists; each has an
    // artist contract at 50 % of net receipts on streams. €100.00 of streams on it.
    let mut f = fixture();
    let duets = f
        .catalog
        .write(|tx| {
            let mut release = Release::new("Duets");
            release.release_date = Some(day(2026, 4, 1));
            let duets = labeldesk::db::releases::insert(tx, &release)?;
            let primary = |artist_id| ReleaseArtist {
                artist_id,
                role: ArtistRole::Primary,
            };
            labeldesk::db::releases::set_artists(
                tx,
                duets,
                &[primary(f.artist), primary(f.other_artist)],
            )?;
            // Person 2 is only featured on the single: no share of it.
            labeldesk::db::releases::set_artists(
                tx,
                f.single,
                &[
                    primary(f.artist),
                    ReleaseArtist {
                        artist_id: f.other_artist,
                        role: ArtistRole::Featured,
                    },
                ],
            )?;
            Ok(duets)
        })
        .expect("duets");
    let zumbi = insert(&mut f.catalog, &half_deal(f.artist, "Nação Zumbi"));
    let person = insert(&mut f.catalog, &half_deal(f.other_artist, "Person 2"));
    import(
        &mut f.catalog,
        "duets.csv",
        &[
            sale(day(2026, 5, 1), duets, Channel::Stream, "100.00"),
            sale(day(2026, 5, 1), f.album, Channel::Stream, "10.00"),
        ],
    );
    let conn = f.catalog.conn();
    let shared = contracts::co_credits(
        conn,
        &contracts::get(conn, zumbi).expect("get"),
        &[f.album, duets],
    )
    .expect("co-credits");
    let found: Vec<(ReleaseId, &str, ContractId)> = shared
        .iter()
        .map(|c| (c.release, c.artist_name.as_str(), c.contract.id))
        .collect();
    assert_eq!(found, [(duets, "Person 2", person)]);
    // Each contract pays its own artist half of Duets: €100.00 × 50 % ÷ 2 = €25.00. Nação
    // Zumbi also has the album in full (€10.00 × 50 % = €5.00): €30.00. Together €50.00 of
    // Duets' €100.00 goes to the artists, not €100.00.
    let draft =
        |catalog: &Catalog, id| contracts::draft(catalog.conn(), id, h(2026, 1)).expect("draft");
    let z = draft(&f.catalog, zumbi);
    let royalties: Vec<(ReleaseId, i64)> = z
        .lines
        .iter()
        .map(|l| (l.release, l.royalty.minor))
        .collect();
    assert_eq!(royalties, [(f.album, 500), (duets, 2_500)]);
    assert_eq!(z.royalties, eur(3_000));
    assert_eq!(
        z.notes,
        [
            "Duets is credited to Person 2 too, whose contract “Person 2 deal” also pays on 1 of its sale lines: each contract pays its own artist an equal share, so that line earned 1/2 of the royalty here. A release contract for Duets would split it otherwise (it takes precedence over artist contracts)"
        ]
    );
    let p = draft(&f.catalog, person);
    assert_eq!(p.royalties, eur(2_500));
    assert_eq!(p.counted_lines().len(), 1);
    // A release contract for Duets takes precedence over both artist contracts: it pays
    // €100.00 × 50 % = €50.00, split between the two artists as the user set it (60/40), and
    // the artist contracts no longer count Duets at all.
    let mut joint = half_deal(f.artist, "Nação Zumbi");
    joint.title = "Duets, joint".into();
    joint.release_id = Some(duets);
    joint.payees.push(Payee {
        id: PayeeId(2),
        name: "Person 2".into(),
        email: String::new(),
    });
    joint.splits[0].shares = vec![
        Share {
            payee: PayeeId(1),
            share: BasisPoints(6000),
        },
        Share {
            payee: PayeeId(2),
            share: BasisPoints(4000),
        },
    ];
    let joint = insert(&mut f.catalog, &joint);
    let j = draft(&f.catalog, joint);
    assert_eq!(j.royalties, eur(5_000));
    let parts: Vec<i64> = j.payees.iter().map(|p| p.royalties.minor).collect();
    assert_eq!(parts, [3_000, 2_000]);
    assert!(j.notes.is_empty(), "{:?}", j.notes);
    let z = draft(&f.catalog, zumbi);
    assert_eq!(z.royalties, eur(500));
    assert!(z.notes.is_empty(), "{:?}", z.notes);
    assert_eq!(draft(&f.catalog, person).royalties, eur(0));
}

#[test]
fn deadlines_and_references() {
    let mut f = fixture();
    let mut c = royalty_contract(&f);
    c.options = vec![OptionPeriod {
        name: "Second album".into(),
        notice_deadline: day(2026, 3, 1),
        until: None,
        exercised: false,
    }];
    insert(&mut f.catalog, &c);
    let found = contracts::deadlines(f.catalog.conn(), day(2026, 2, 1)).expect("deadlines");
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].deadline.message(),
        "Notice for option “Second album” due by 2026-03-01 (in 28 days)"
    );
    assert_eq!(found[0].artist, "Nação Zumbi");
    assert_eq!(
        contracts::references(f.catalog.conn(), Some(f.artist), None, None).expect("refs"),
        1
    );
    assert_eq!(
        contracts::references(f.catalog.conn(), Some(f.other_artist), Some(f.single), None)
            .expect("refs"),
        0
    );
    // The artist cannot be deleted from under the contract.
    assert!(
        f.catalog
            .write(|tx| labeldesk::db::artists::delete(tx, f.artist))
            .is_err()
    );
}

#[test]
fn the_json_export_round_trips_contracts_and_statements() {
    let mut f = fixture();
    let contract = royalty_contract(&f);
    let id = insert(&mut f.catalog, &contract);
    import(
        &mut f.catalog,
        "h1.csv",
        &[sale(day(2026, 2, 1), f.album, Channel::Stream, "10")],
    );
    f.catalog
        .write(|tx| contracts::issue(tx, id, h(2026, 1), day(2026, 7, 1)))
        .expect("issue");
    f.catalog
        .write(|tx| {
            contracts::record_payment(
                tx,
                &Payment {
                    id: PaymentId::UNSAVED,
                    contract_id: id,
                    payee: PayeeId(1),
                    date: day(2026, 8, 1),
                    amount: eur(200),
                    note: String::new(),
                    statement_id: None,
                },
            )
        })
        .expect("pay");
    let control = JobControl::default();
    let doc = labeldesk::io::json::export(f.catalog.conn(), &control).expect("export");
    for table in [
        "contracts",
        "statements",
        "statement_income",
        "payee_payments",
    ] {
        assert!(
            doc.table(table).is_some_and(|t| !t.rows.is_empty()),
            "{table}"
        );
    }
    let mut target = Catalog::open_in_memory().expect("target");
    labeldesk::io::json::import(&mut target, &doc, &control).expect("import");
    assert_eq!(
        contracts::statements(target.conn(), id).expect("statements"),
        contracts::statements(f.catalog.conn(), id).expect("statements")
    );
    assert_eq!(
        contracts::draft(target.conn(), id, h(2026, 2)).expect("draft"),
        contracts::draft(f.catalog.conn(), id, h(2026, 2)).expect("draft")
    );
}

/// `pdftotext -layout` of a PDF. Needs poppler-utils: without it the test fails and says so.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("statement.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let output = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run pdftotext ({e}): this test reads the statement PDF back with it. \
                 Install poppler-utils (apt-get install -y poppler-utils)."
            )
        });
    assert!(output.status.success(), "pdftotext failed");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn the_statement_pdf_names_the_payee_and_the_totals() {
    use labeldesk::io::statement_export::{self, StatementDoc};
    let mut f = fixture();
    let mut c = royalty_contract(&f);
    c.advance = eur(2_000); // €20
    c.payees.push(Payee {
        id: PayeeId(2),
        name: "Lúcio Maia".into(),
        email: String::new(),
    });
    c.splits[0].shares = vec![
        Share {
            payee: PayeeId(1),
            share: BasisPoints(7000),
        },
        Share {
            payee: PayeeId(2),
            share: BasisPoints(3000),
        },
    ];
    let id = insert(&mut f.catalog, &c);
    import(
        &mut f.catalog,
        "bandcamp-2026-h1.csv",
        &[
            sale(day(2026, 2, 10), f.album, Channel::Stream, "300.00"),
            sale(day(2026, 4, 2), f.album, Channel::Physical, "1234.50"),
        ],
    );
    // Stream €300 × 20 % = €60.00; physical €1,234.50 × 10 % = €123.45; €183.45 in all.
    // The €20 advance is recouped: €163.45 payable, 70/30: €114.42 (114.415 rounds to the
    // payee with the larger remainder) and €49.03.
    let s = contracts::draft(f.catalog.conn(), id, h(2026, 1)).expect("draft");
    assert_eq!(s.royalties, eur(18_345));
    assert_eq!(s.payable, eur(16_345));
    let payable: Vec<i64> = s.payees.iter().map(|p| p.payable.minor).collect();
    assert_eq!(payable.iter().sum::<i64>(), 16_345);
    let contract = contracts::get(f.catalog.conn(), id).expect("contract");
    let releases = std::collections::BTreeMap::from([(f.album, "Afrociberdelia".to_owned())]);
    let doc = StatementDoc {
        label: "Hollow Lane",
        contract: &contract,
        artist: "Nação Zumbi",
        statement: &s,
        releases: &releases,
        status: "Draft: not issued yet",
    };
    let pdf = labeldesk::io::printable::to_pdf(&statement_export::printable(
        &doc,
        None,
        day(2026, 11, 26),
    ))
    .expect("pdf");
    let text = pdf_text(&pdf);
    for needle in [
        "Royalty statement",
        "Nação Zumbi",
        "Lúcio Maia",
        "Afrociberdelia",
        "2026 H1",
        "183.45",
        "163.45",
        "-20.00",
    ] {
        assert!(text.contains(needle), "“{needle}” missing from:\n{text}");
    }
    // The lines of the summary: the closing balance and what is payable, with their totals.
    let line = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .map_or_else(
                || panic!("no “{label}” line in:\n{text}"),
                |l| l.split_whitespace().last().unwrap_or("").to_owned(),
            )
    };
    assert_eq!(line("Royalties"), "183.45");
    assert_eq!(line("Closing balance"), "163.45");
    assert_eq!(line("Payable now"), "163.45");
    // Lúcio Maia's own copy: his name as payee, his share of each line, his payable total.
    let lucio = s
        .payees
        .iter()
        .find(|p| p.payee == PayeeId(2))
        .expect("payee");
    let copy = statement_export::printable(&doc, Some(PayeeId(2)), day(2026, 11, 26));
    let text = pdf_text(&labeldesk::io::printable::to_pdf(&copy).expect("pdf"));
    assert!(
        text.contains("Payee") && text.contains("Lúcio Maia"),
        "{text}"
    );
    let payable_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Payable now"))
        .unwrap_or_default();
    assert!(
        payable_line.ends_with(&lucio.payable.format_amount()),
        "{payable_line} / {}",
        lucio.payable
    );
    assert_eq!(lucio.payable, eur(4_903));
    assert_eq!(
        statement_export::file_name(&doc, Some(PayeeId(2)), "pdf"),
        "statement-2026-H1-lucio-maia.pdf"
    );
}

#[test]
fn the_panel_ops_write_in_one_go_or_not_at_all() {
    let mut f = fixture();
    let c = royalty_contract(&f);
    let saved = f
        .catalog
        .write(|tx| contracts::apply(tx, &contracts::Op::Save(Box::new(c.clone()))))
        .expect("save");
    let id = saved.contract.expect("id");
    assert_eq!(saved.message, "Saved the contract “Recording agreement”");
    // A refused save (splits at 90 %) changes nothing.
    let mut bad = contracts::get(f.catalog.conn(), id).expect("get");
    bad.title = "Changed".into();
    bad.splits[0].shares[0].share = BasisPoints(9000);
    let err = f
        .catalog
        .write(|tx| contracts::apply(tx, &contracts::Op::Save(Box::new(bad))))
        .expect_err("refused");
    assert!(err.to_string().contains("totals 90%, not 100%"), "{err}");
    assert_eq!(
        contracts::get(f.catalog.conn(), id).expect("get").title,
        "Recording agreement"
    );
    import(
        &mut f.catalog,
        "ops.csv",
        &[sale(day(2026, 3, 1), f.album, Channel::Stream, "50")],
    );
    let issued = f
        .catalog
        .write(|tx| {
            contracts::apply(
                tx,
                &contracts::Op::Issue {
                    contract: id,
                    period: h(2026, 1),
                    today: day(2026, 11, 26),
                },
            )
        })
        .expect("issue");
    assert!(issued.statement.is_some());
    // Issuing the same period again is refused in plain words.
    let again = f.catalog.write(|tx| {
        contracts::apply(
            tx,
            &contracts::Op::Issue {
                contract: id,
                period: h(2026, 1),
                today: day(2026, 11, 26),
            },
        )
    });
    assert!(err_text(again).contains("was issued on"));
    let paid = f
        .catalog
        .write(|tx| {
            contracts::apply(
                tx,
                &contracts::Op::RecordPayment(Payment {
                    id: PaymentId::UNSAVED,
                    contract_id: id,
                    payee: PayeeId(1),
                    date: day(2026, 8, 1),
                    amount: eur(1_000),
                    note: String::new(),
                    statement_id: None,
                }),
            )
        })
        .expect("pay");
    assert_eq!(
        paid.message,
        "Recorded a payment of €10.00 to Nação Zumbi on 2026-08-01"
    );
    let payment = contracts::payments(f.catalog.conn(), id).expect("payments")[0].id;
    f.catalog
        .write(|tx| contracts::apply(tx, &contracts::Op::DeletePayment(payment)))
        .expect("delete payment");
    assert_eq!(count(&f.catalog, "payee_payments"), 0);
    // A contract with an issued statement cannot be deleted.
    let refused = f
        .catalog
        .write(|tx| contracts::apply(tx, &contracts::Op::Delete(id)));
    assert!(err_text(refused).contains("cannot be deleted"));
    assert_eq!(count(&f.catalog, "contracts"), 1);
}
