//! The Contracts panel in the window: make a contract through the editor on the demo label,
//! import sales for its release, open the statement, drill down to the ledger lines behind a
//! figure, issue the statement, record a payment and ask when it recoups; unsaved edits are
//! asked about (another contract, a new one, closing the window) and kept across panels.

use crate::common;

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use labeldesk::app::{LabeldeskApp, UiState};
use labeldesk::command::Panel;
use labeldesk::db::contracts;
use labeldesk::db::ledger::{self, ImportBatch};
use labeldesk::db::{self, Catalog};
use labeldesk::model::{
    Amount8, ArtistRole, BasisPoints, Channel, Contract, ContractId, Currency, IncomeLine,
    IncomeLineId, LineFlags, Money, Payee, PayeeId, RateRule, RawIdentifiers, ReleaseId, Share,
    SplitScope, SplitSet,
};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Imports sales of `release` as one Bandcamp report: (date, channel, territory, net, title).
fn import(
    catalog: &mut Catalog,
    release: ReleaseId,
    sales: &[(NaiveDate, Channel, &str, &str, &str)],
) {
    let lines: Vec<IncomeLine> = sales
        .iter()
        .enumerate()
        .map(|(i, (date, channel, territory, net, title))| IncomeLine {
            id: IncomeLineId::UNSAVED,
            import_id: None,
            line_no: u32::try_from(i).expect("small") + 2,
            sale_date: *date,
            period: date.format("%Y-%m").to_string(),
            release_id: Some(release),
            track_id: None,
            format_id: None,
            matched_by: None,
            channel: *channel,
            territory: (*territory).to_owned(),
            source: "Bandcamp".into(),
            quantity: 1,
            gross: None,
            net: Amount8::parse(net).expect("amount"),
            currency: Currency::EUR,
            net_home: None,
            raw: RawIdentifiers {
                title: (*title).to_owned(),
                artist: "Nação Fantasma".to_owned(),
                ..RawIdentifiers::default()
            },
            flags: LineFlags::default(),
            match_key: format!("title:{title}"),
        })
        .collect();
    let batch = ImportBatch {
        id: labeldesk::model::ImportId::UNSAVED,
        file_name: "bandcamp-2026-h1.csv".into(),
        layout: "bandcamp".into(),
        sha256: "c0ffee".repeat(10) + "c0ff",
        home_currency: Currency::EUR,
        totals: Vec::new(),
        lines,
    };
    catalog
        .write(|tx| ledger::insert_import(tx, &batch))
        .expect("import");
}

fn text_field(harness: &mut Harness<'_, LabeldeskApp>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run();
}

fn choose(harness: &mut Harness<'_, LabeldeskApp>, combo: &str, option: &str) {
    harness.get_by_role_and_label(Role::ComboBox, combo).click();
    harness.run();
    harness.get_by_label(option).click();
    harness.run();
}

#[test]
fn make_a_contract_then_drill_down_issue_and_pay_from_its_statement() {
    let mut catalog = common::demo_catalog_without_shows();
    let conn = catalog.conn();
    let artist = db::artists::names(conn)
        .expect("names")
        .into_iter()
        .find(|(_, n)| n == "Nação Fantasma")
        .map(|(id, _)| id)
        .expect("demo artist");
    let release = db::artists::releases_of(conn, artist)
        .expect("releases")
        .into_iter()
        .find(|r| r.role == ArtistRole::Primary)
        .expect("a release of the artist");
    import(
        &mut catalog,
        release.id,
        &[
            (
                day(2026, 2, 10),
                Channel::Stream,
                "BR",
                "100.00",
                "Maré Alta (stream)",
            ),
            (
                day(2026, 3, 5),
                Channel::Stream,
                "BR",
                "25.00",
                "Maré Alta (stream, March)",
            ),
            (
                day(2026, 3, 6),
                Channel::Stream,
                "PT",
                "50.00",
                "Maré Alta (Portugal)",
            ),
            (
                day(2026, 4, 1),
                Channel::Physical,
                "BR",
                "200.00",
                "Maré Alta LP",
            ),
        ],
    );
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 2600.0))
        .with_max_steps(24)
        .build_eframe(move |_cc| LabeldeskApp::new(catalog, UiState::default()));
    harness.run();
    harness.get_by_label("Contracts").click();
    harness.run();
    harness.get_by_label("New contract").click();
    harness.run();

    choose(&mut harness, "Artist", "Nação Fantasma");
    text_field(&mut harness, "Title", "Recording agreement");
    text_field(&mut harness, "Start date", "2026-01-01");
    text_field(&mut harness, "End date", "2027-12-31");
    choose(&mut harness, "Covers", &format!("Only {}", release.title));
    text_field(&mut harness, "Advance", "100");
    harness.get_by_label("Add rate").click();
    harness.run();
    choose(&mut harness, "Rate 1 channel", "Stream");
    text_field(&mut harness, "Rate 1 (%)", "20");
    harness.get_by_label("Add recoupable cost category").click();
    harness.run();
    // The payee was filled in from the artist, with the whole default split.
    assert!(harness.query_by_label("✔ splits total 100%").is_some());
    // A second payee at 0 %: the split still totals 100 %; at 10 % it does not, and the
    // editor says so and will not save.
    harness.get_by_label("Add payee").click();
    harness.run();
    text_field(&mut harness, "Payee 2 name", "Beto Lima");
    text_field(
        &mut harness,
        "Share of Beto Lima in default split (everything else)",
        "10",
    );
    assert!(
        harness
            .query_by_label("splits total 110%, not 100%")
            .is_some(),
        "the live check shows the wrong total"
    );
    harness.get_by_label("Save contract").click();
    harness.run();
    let count = |h: &Harness<'_, LabeldeskApp>| -> usize {
        contracts::list(h.state().catalog().expect("open").conn(), common::today())
            .expect("list")
            .len()
    };
    assert_eq!(count(&harness), 0, "a contract with problems is not saved");
    harness.get_by_label("Remove payee 2").click();
    harness.run();
    harness.get_by_label("Save contract").click();
    harness.run();

    let rows = contracts::list(
        harness.state().catalog().expect("open").conn(),
        common::today(),
    )
    .expect("list");
    assert_eq!(rows.len(), 1, "status: {:?}", harness.state().status_text());
    let id = rows[0].id;
    let saved = contracts::get(harness.state().catalog().expect("open").conn(), id).expect("get");
    assert_eq!(saved.title, "Recording agreement");
    assert_eq!(saved.artist_id, artist);
    assert_eq!(saved.release_id, Some(release.id));
    assert_eq!(
        (saved.start, saved.end),
        (day(2026, 1, 1), Some(day(2027, 12, 31)))
    );
    assert_eq!(saved.advance, Money::new(10_000, Currency::EUR));
    assert_eq!(saved.rates.len(), 1);
    assert_eq!(saved.rates[0].channel, Channel::Stream);
    assert_eq!(saved.rates[0].rate, BasisPoints(2000));
    assert_eq!(saved.payees.len(), 1);
    assert_eq!(saved.payees[0].name, "Nação Fantasma");
    assert_eq!(saved.splits[0].scope, SplitScope::Default);
    assert_eq!(saved.splits[0].shares[0].share, BasisPoints::FULL);
    assert_eq!(saved.recoupables.len(), 1);

    // The draft of 2026 H1: stream BR €125 × 20 % = €25.00, PT €50 × 20 % = €10.00; the
    // LP line has no rate and is left out.
    harness.get_by_label("Statements").click();
    harness.run();
    assert!(harness.query_by_label("2026 H1 (draft)").is_some());
    let line = format!("Ledger lines: {} · Stream · BR", release.title);
    harness.get_by_label(&line).click();
    harness.run();
    assert!(harness.query_by_label("Maré Alta (stream)").is_some());
    assert!(
        harness
            .query_by_label("Maré Alta (stream, March)")
            .is_some()
    );
    assert!(
        harness.query_by_label("Maré Alta (Portugal)").is_none(),
        "only the lines behind the BR figure"
    );
    harness.key_press(Key::Escape);
    harness.run();
    assert!(
        harness.query_by_label("Maré Alta (stream)").is_none(),
        "Escape closes the lines"
    );
    harness
        .get_by_label("1 line(s) outside the contract, not counted")
        .click();
    harness.run();
    assert!(harness.query_by_label("Maré Alta LP").is_some());
    assert!(
        harness
            .query_by_label("The contract has no rate for physical sales")
            .is_some()
    );
    harness.key_press(Key::Escape);
    harness.run();

    // Issue it (2026 H1 is over on the 26th of November).
    harness.get_by_label("Issue statement…").click();
    harness.run();
    harness.get_by_label("Issue statement").click();
    harness.run();
    let issued = contracts::statements(harness.state().catalog().expect("open").conn(), id)
        .expect("statements");
    assert_eq!(
        issued.len(),
        1,
        "status: {:?}",
        harness.state().status_text()
    );
    let s = &issued[0].statement;
    assert_eq!(s.royalties, Money::new(3_500, Currency::EUR));
    // €100 advance − €35 royalties: €65 still to recoup, nothing payable.
    assert_eq!(s.unrecouped, Money::new(6_500, Currency::EUR));
    assert_eq!(s.payable, Money::new(0, Currency::EUR));
    assert_eq!(s.counted_lines().len(), 3);

    // The issued statement still drills down to its lines.
    harness.get_by_label("2026 H1 (issued)").click();
    harness.run();
    harness.get_by_label("Ledger lines: all royalties").click();
    harness.run();
    for title in [
        "Maré Alta (stream)",
        "Maré Alta (stream, March)",
        "Maré Alta (Portugal)",
    ] {
        assert!(harness.query_by_label(title).is_some(), "{title}");
    }
    harness.key_press(Key::Escape);
    harness.run();

    // A payment to the artist.
    text_field(&mut harness, "Amount paid (EUR)", "12.50");
    harness.get_by_label("Record payment").click();
    harness.run();
    let payments =
        contracts::payments(harness.state().catalog().expect("open").conn(), id).expect("payments");
    assert_eq!(
        payments.len(),
        1,
        "status: {:?}",
        harness.state().status_text()
    );
    assert_eq!(payments[0].amount, Money::new(1_250, Currency::EUR));

    // When does it recoup? €65 left at €35 a period: 2 periods after the 2026 H2 draft,
    // 2027 H2. With 10 more recording sessions at €3.00 (100 % recoupable): €95, 3 periods.
    harness.get_by_label("When does this recoup?").click();
    harness.run();
    assert!(
        harness
            .query_by_label(
                "Recouped on the 2027 H2 statement, 2 periods from now (average earnings €35.00 a period)"
            )
            .is_some()
    );
    choose(&mut harness, "What-if cost category", "recording");
    text_field(&mut harness, "What-if quantity", "10");
    text_field(&mut harness, "What-if unit cost", "3");
    assert!(
        harness
            .query_by_label(
                "Recouped on the 2028 H1 statement, 3 periods from now (average earnings €35.00 a period)"
            )
            .is_some()
    );
}

// ---------------------------------------------------------------------------------------------
// Unsaved changes in the contract editor are asked about, never dropped silently.

/// A royalty contract at 20 % on streams for the demo artist `index`, one payee at 100 %.
fn stored_contract(catalog: &mut Catalog, index: usize, title: &str) -> ContractId {
    let (artist, name) = db::artists::names(catalog.conn()).expect("names")[index].clone();
    let mut c = Contract::new(artist, day(2026, 1, 1), Currency::EUR);
    c.title = title.to_owned();
    c.end = Some(day(2027, 12, 31));
    c.rates = vec![RateRule {
        channel: Channel::Stream,
        format: None,
        rate: BasisPoints(2000),
    }];
    c.payees = vec![Payee {
        id: PayeeId(1),
        name,
        email: String::new(),
    }];
    c.splits = vec![SplitSet {
        scope: SplitScope::Default,
        shares: vec![Share {
            payee: PayeeId(1),
            share: BasisPoints::FULL,
        }],
    }];
    catalog
        .write(|tx| contracts::insert(tx, &c))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The demo catalog with two contracts, "Alpha deal" and "Beta deal" (two artists), open in
/// the Contracts panel with Alpha picked.
fn two_contracts() -> (Harness<'static, LabeldeskApp>, ContractId, ContractId) {
    let mut catalog = common::demo_catalog_without_shows();
    let alpha = stored_contract(&mut catalog, 0, "Alpha deal");
    let beta = stored_contract(&mut catalog, 1, "Beta deal");
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 2600.0))
        .with_max_steps(24)
        .build_eframe(move |_cc| LabeldeskApp::new(catalog, UiState::default()));
    harness.run();
    nav(&mut harness, "Contracts");
    pick(&mut harness, "Alpha deal");
    (harness, alpha, beta)
}

/// Clicks a panel in the navigation (not the panel's heading of the same name).
fn nav(harness: &mut Harness<'_, LabeldeskApp>, panel: &str) {
    harness
        .get_by(|n| n.role() != Role::Label && n.label().as_deref() == Some(panel))
        .click();
    harness.run();
}

/// Clicks a contract in the list (its button starts with the contract's title).
fn pick(harness: &mut Harness<'_, LabeldeskApp>, title: &str) {
    let start = format!("{title}\n");
    harness
        .get_by(move |n| {
            n.role() == Role::Button && n.label().is_some_and(|l| l.starts_with(&start))
        })
        .click();
    harness.run();
}

fn title_field(harness: &Harness<'_, LabeldeskApp>) -> Option<String> {
    harness
        .get_by_role_and_label(Role::TextInput, "Title")
        .value()
}

fn stored_title(harness: &Harness<'_, LabeldeskApp>, id: ContractId) -> String {
    contracts::get(harness.state().catalog().expect("open").conn(), id)
        .expect("get")
        .title
}

#[test]
fn picking_another_contract_asks_about_unsaved_changes() {
    let (mut harness, alpha, beta) = two_contracts();
    assert_eq!(title_field(&harness).as_deref(), Some("Alpha deal"));
    assert!(harness.query_by_label("Unsaved changes").is_none());
    text_field(&mut harness, "Title", "Alpha deal, amended");
    assert!(harness.query_by_label("Unsaved changes").is_some());

    // Another contract: the question, and nothing changed yet.
    pick(&mut harness, "Beta deal");
    let question = "Save changes to “Alpha deal, amended”?";
    assert!(harness.query_by_label(question).is_some());
    assert!(
        harness
            .query_by_label(
                "These changes are not saved yet. Save them, or discard them and open “Beta deal”."
            )
            .is_some()
    );
    assert_eq!(stored_title(&harness, alpha), "Alpha deal");

    // Keep editing: the edit is still there, unsaved, and Alpha is still open.
    harness.get_by_label("Keep editing").click();
    harness.run();
    assert!(harness.query_by_label(question).is_none());
    assert_eq!(
        title_field(&harness).as_deref(),
        Some("Alpha deal, amended")
    );
    assert!(harness.query_by_label("Unsaved changes").is_some());
    assert_eq!(stored_title(&harness, alpha), "Alpha deal");

    // Discard: Beta opens; the edit is gone from the catalog and from the form.
    pick(&mut harness, "Beta deal");
    harness.get_by_label("Discard").click();
    harness.run();
    assert!(harness.query_by_label(question).is_none());
    assert_eq!(title_field(&harness).as_deref(), Some("Beta deal"));
    assert_eq!(stored_title(&harness, alpha), "Alpha deal");
    assert_eq!(stored_title(&harness, beta), "Beta deal");
    pick(&mut harness, "Alpha deal");
    assert!(
        harness.query_by_label_contains("Save changes to").is_none(),
        "nothing to ask about: Beta had no changes"
    );
    assert_eq!(title_field(&harness).as_deref(), Some("Alpha deal"));

    // Save: the edit is stored, then Beta opens.
    text_field(&mut harness, "Title", "Alpha deal, signed");
    pick(&mut harness, "Beta deal");
    harness.get_by_label("Save").click();
    harness.run();
    assert_eq!(
        stored_title(&harness, alpha),
        "Alpha deal, signed",
        "status: {:?}",
        harness.state().status_text()
    );
    assert_eq!(title_field(&harness).as_deref(), Some("Beta deal"));
    assert!(harness.query_by_label("Unsaved changes").is_none());
}

#[test]
fn a_form_with_problems_offers_only_discard_or_keep_editing() {
    let (mut harness, alpha, _) = two_contracts();
    text_field(&mut harness, "Start date", "the first of May");
    harness.get_by_label("New contract").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Save changes to “Alpha deal”?")
            .is_some()
    );
    assert!(
        harness
            .query_by_label(
                "It cannot be saved as it is: 1 problem to fix first. Keep editing to fix it, or discard the changes and start a new contract."
            )
            .is_some()
    );
    assert!(
        harness.query_by_label("Save").is_none(),
        "no Save while the form has a problem"
    );
    harness.get_by_label("Discard").click();
    harness.run();
    // A new contract's form (its heading beside the button), for Alpha's artist; Alpha is
    // unchanged.
    assert_eq!(harness.query_all_by_label("New contract").count(), 2);
    assert_eq!(title_field(&harness).as_deref(), Some(""));
    let stored =
        contracts::get(harness.state().catalog().expect("open").conn(), alpha).expect("get");
    assert_eq!(stored.start, day(2026, 1, 1));

    // Escape closes a new contract's form, but asks first once something was typed in it.
    text_field(&mut harness, "Title", "Gamma deal");
    harness.key_press(Key::Escape); // leaves the field
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_label_contains("or discard the changes and close the form.")
            .is_some()
    );
    harness.get_by_label("Keep editing").click();
    harness.run();
    assert_eq!(title_field(&harness).as_deref(), Some("Gamma deal"));
    harness.key_press(Key::Escape);
    harness.run();
    harness.get_by_label("Discard").click();
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::TextInput, "Title")
            .is_none()
    );
}

#[test]
fn switching_panels_keeps_the_unsaved_form_and_says_so() {
    let (mut harness, alpha, _) = two_contracts();
    text_field(&mut harness, "Title", "Alpha deal, draft");
    nav(&mut harness, "Catalog");
    assert_eq!(harness.state().panel(), Panel::Catalog);
    assert_eq!(
        harness.state().status_text(),
        Some(
            "Your unsaved changes to “Alpha deal, draft” are kept in Contracts: save or discard them there"
        )
    );
    nav(&mut harness, "Contracts");
    assert_eq!(title_field(&harness).as_deref(), Some("Alpha deal, draft"));
    assert!(harness.query_by_label("Unsaved changes").is_some());
    assert_eq!(stored_title(&harness, alpha), "Alpha deal");
}

/// Asks the window to close (as the title bar's close button does) and runs one frame.
fn request_close(harness: &mut Harness<'_, LabeldeskApp>) {
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    harness.step();
}

fn sent(harness: &Harness<'_, LabeldeskApp>, command: &egui::ViewportCommand) -> bool {
    harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(command))
}

#[test]
fn closing_the_window_with_unsaved_terms_asks_first() {
    let (mut harness, alpha, _) = two_contracts();
    text_field(&mut harness, "Title", "Alpha deal, final");
    nav(&mut harness, "Shows");
    request_close(&mut harness);
    assert!(
        sent(&harness, &egui::ViewportCommand::CancelClose),
        "the window stays open"
    );
    harness.run();
    assert_eq!(harness.state().panel(), Panel::Contracts);
    assert!(
        harness
            .query_by_label(
                "These changes are not saved yet. Save them, or discard them and quit Labeldesk."
            )
            .is_some()
    );
    harness.get_by_label("Keep editing").click();
    harness.run();
    assert_eq!(stored_title(&harness, alpha), "Alpha deal");

    // Save: stored first, then the window is closed.
    request_close(&mut harness);
    harness.run();
    harness.get_by_label("Save").click();
    let mut closed = false;
    for _ in 0..8 {
        harness.step();
        closed |= sent(&harness, &egui::ViewportCommand::Close);
    }
    assert_eq!(stored_title(&harness, alpha), "Alpha deal, final");
    assert!(closed, "the window closes once the contract is saved");
    // Nothing unsaved now: the next close request goes through.
    request_close(&mut harness);
    assert!(!sent(&harness, &egui::ViewportCommand::CancelClose));
}

#[test]
fn closing_after_discarding_leaves_the_catalog_as_it_was() {
    let (mut harness, alpha, _) = two_contracts();
    text_field(&mut harness, "Title", "Alpha deal, scrapped");
    request_close(&mut harness);
    harness.run();
    harness.get_by_label("Discard").click();
    let mut closed = false;
    for _ in 0..4 {
        harness.step();
        closed |= sent(&harness, &egui::ViewportCommand::Close);
    }
    assert!(closed);
    assert_eq!(stored_title(&harness, alpha), "Alpha deal");
}
