//! The demo label: a small, realistic catalog generated in code (no binary fixtures), used by
//! the first-run screen, `labeldesk demo` and tests. Deterministic for a given "today".

use chrono::{Datelike, Days, Months, NaiveDate};
use rusqlite::Transaction;

use crate::db::{self, DbError};
use crate::model::{
    Artist, ArtistId, ArtistRole, ArtistStatus, Barcode, CatalogNumber, CatalogNumberId, Currency,
    Format, FormatKind, Isrc, Label, LabelId, Release, ReleaseArtist, ReleaseCatalogNumber,
    ReleaseId, ReleaseStatus, ReleaseType, Track, TrackDuration, suggest_positions,
};

/// What the demo wrote, for messages and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DemoSummary {
    pub artists: usize,
    pub releases: usize,
    pub formats: usize,
    pub tracks: usize,
}

struct DemoArtist {
    name: &'static str,
    status: ArtistStatus,
    country: &'static str,
    genres: &'static str,
    email: &'static str,
    manager: &'static str,
}

const ARTISTS: &[DemoArtist] = &[
    DemoArtist {
        name: "The Low Tides",
        status: ArtistStatus::Signed,
        country: "GB",
        genres: "indie rock",
        email: "band@thelowtides.example",
        manager: "Priya Shah",
    },
    DemoArtist {
        name: "Marisol Vega",
        status: ArtistStatus::Signed,
        country: "ES",
        genres: "dream pop",
        email: "marisol@vega.example",
        manager: "",
    },
    DemoArtist {
        name: "Nação Fantasma",
        status: ArtistStatus::Signed,
        country: "BR",
        genres: "psych, tropicália",
        email: "contato@nacaofantasma.example",
        manager: "Beto Lima",
    },
    DemoArtist {
        name: "Kettle & Wire",
        status: ArtistStatus::Signed,
        country: "IE",
        genres: "folk",
        email: "hello@kettleandwire.example",
        manager: "",
    },
    DemoArtist {
        name: "Otto Brandt Trio",
        status: ArtistStatus::Alumni,
        country: "DE",
        genres: "jazz",
        email: "otto@brandt.example",
        manager: "",
    },
    DemoArtist {
        name: "Yuki Saitō",
        status: ArtistStatus::Prospect,
        country: "JP",
        genres: "ambient",
        email: "yuki@saito.example",
        manager: "",
    },
    DemoArtist {
        name: "Grey Heron",
        status: ArtistStatus::Prospect,
        country: "NL",
        genres: "post-punk",
        email: "greyheron@band.example",
        manager: "Sanne de Vries",
    },
    DemoArtist {
        name: "Dana Okafor",
        status: ArtistStatus::Alumni,
        country: "US",
        genres: "soul",
        email: "dana@okafor.example",
        manager: "",
    },
];

/// (artist indexes, title, type, status, months from today (negative = past), formats, tracks)
struct DemoRelease {
    artists: &'static [usize],
    title: &'static str,
    kind: ReleaseType,
    status: ReleaseStatus,
    months: i32,
    formats: &'static [FormatKind],
    tracks: usize,
}

use FormatKind::{Cassette, Cd, Digital, Vinyl7, Vinyl10, Vinyl12};
use ReleaseStatus::{Idea, InProduction, OutOfPrint, Planned, Released};
use ReleaseType::{Album, Compilation, Ep, Live, Single};

const RELEASES: &[DemoRelease] = &[
    DemoRelease {
        artists: &[4],
        title: "Nachtfahrt",
        kind: Album,
        status: OutOfPrint,
        months: -72,
        formats: &[Vinyl12, Cd],
        tracks: 8,
    },
    DemoRelease {
        artists: &[7],
        title: "Slow Burn",
        kind: Album,
        status: OutOfPrint,
        months: -64,
        formats: &[Cd, Digital],
        tracks: 10,
    },
    DemoRelease {
        artists: &[0],
        title: "Harbour Lights",
        kind: Album,
        status: Released,
        months: -50,
        formats: &[Vinyl12, Cd, Digital],
        tracks: 10,
    },
    DemoRelease {
        artists: &[0],
        title: "Undertow",
        kind: Single,
        status: Released,
        months: -52,
        formats: &[Vinyl7, Digital],
        tracks: 2,
    },
    DemoRelease {
        artists: &[1],
        title: "Lavender Static",
        kind: Ep,
        status: Released,
        months: -40,
        formats: &[Cassette, Digital],
        tracks: 5,
    },
    DemoRelease {
        artists: &[2],
        title: "Assombração",
        kind: Album,
        status: Released,
        months: -34,
        formats: &[Vinyl12, Digital],
        tracks: 9,
    },
    DemoRelease {
        artists: &[3],
        title: "Smoke on the Bog Road",
        kind: Album,
        status: Released,
        months: -30,
        formats: &[Vinyl12, Cd, Digital],
        tracks: 11,
    },
    DemoRelease {
        artists: &[4],
        title: "Live at the Kesselhaus",
        kind: Live,
        status: Released,
        months: -28,
        formats: &[Vinyl12, Digital],
        tracks: 7,
    },
    DemoRelease {
        artists: &[0, 1],
        title: "Split Series Vol. 1",
        kind: Ep,
        status: Released,
        months: -24,
        formats: &[Vinyl10, Digital],
        tracks: 4,
    },
    DemoRelease {
        artists: &[1],
        title: "Glass Orchard",
        kind: Album,
        status: Released,
        months: -18,
        formats: &[Vinyl12, Cassette, Digital],
        tracks: 10,
    },
    DemoRelease {
        artists: &[2],
        title: "Maré Alta",
        kind: Single,
        status: Released,
        months: -14,
        formats: &[Vinyl7, Digital],
        tracks: 2,
    },
    DemoRelease {
        artists: &[0, 1, 2, 3],
        title: "Harbour Lights Records: Ten Years",
        kind: Compilation,
        status: Released,
        months: -9,
        formats: &[Vinyl12, Cd, Digital],
        tracks: 12,
    },
    DemoRelease {
        artists: &[3],
        title: "Field Recordings",
        kind: Ep,
        status: Released,
        months: -5,
        formats: &[Cassette, Digital],
        tracks: 4,
    },
    DemoRelease {
        artists: &[0],
        title: "Riptide",
        kind: Single,
        status: Released,
        months: -2,
        formats: &[Digital],
        tracks: 2,
    },
    DemoRelease {
        artists: &[0],
        title: "Salt in the Wires",
        kind: Album,
        status: InProduction,
        months: 3,
        formats: &[Vinyl12, Cd, Digital],
        tracks: 10,
    },
    DemoRelease {
        artists: &[2],
        title: "Fantasmagoria",
        kind: Album,
        status: InProduction,
        months: 4,
        formats: &[Vinyl12, Digital],
        tracks: 9,
    },
    DemoRelease {
        artists: &[1],
        title: "Paper Lanterns",
        kind: Single,
        status: InProduction,
        months: 2,
        formats: &[Vinyl7, Digital],
        tracks: 2,
    },
    DemoRelease {
        artists: &[3],
        title: "The Long Field",
        kind: Album,
        status: Planned,
        months: 7,
        formats: &[Vinyl12, Cd, Cassette, Digital],
        tracks: 10,
    },
    DemoRelease {
        artists: &[6],
        title: "Concrete Birds",
        kind: Ep,
        status: Planned,
        months: 9,
        formats: &[Vinyl12, Digital],
        tracks: 5,
    },
    DemoRelease {
        artists: &[5],
        title: "Tide Tables",
        kind: Album,
        status: Idea,
        months: 14,
        formats: &[Digital],
        tracks: 8,
    },
];

const WORDS_A: &[&str] = &[
    "Quiet", "Northern", "Paper", "Electric", "Lantern", "Hollow", "Silver", "Distant", "Velvet",
    "Copper", "Winter", "Salt", "Glass", "Amber", "Restless", "Low", "Golden", "Broken", "Slow",
    "Open",
];
const WORDS_B: &[&str] = &[
    "Harbour", "Signal", "Orchard", "Tide", "Engine", "Meadow", "Static", "Window", "Ferry",
    "Lights", "River", "Garden", "Mirror", "Weather", "Station", "Shore", "Letters", "Horizon",
    "Kitchen", "Pylons",
];

/// A tiny deterministic generator (no dependency, no randomness across runs).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[usize::try_from(self.next(words.len() as u64)).unwrap_or(0)]
    }
}

fn shift(today: NaiveDate, months: i32) -> NaiveDate {
    let first = today.with_day(1).unwrap_or(today);
    let moved = if months >= 0 {
        first.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        first.checked_sub_months(Months::new(months.unsigned_abs()))
    }
    .unwrap_or(first);
    // Releases come out on Fridays: the first Friday of that month.
    let to_friday = (4 + 7 - moved.weekday().num_days_from_monday()) % 7;
    moved
        .checked_add_days(Days::new(u64::from(to_friday)))
        .unwrap_or(moved)
}

fn price(kind: FormatKind) -> (Option<i64>, Option<i64>, Option<u32>) {
    match kind {
        FormatKind::Vinyl12 => (Some(2499), Some(1450), Some(500)),
        FormatKind::Vinyl10 => (Some(1999), Some(1150), Some(300)),
        FormatKind::Vinyl7 => (Some(899), Some(520), Some(300)),
        FormatKind::Cd => (Some(1499), Some(850), Some(1000)),
        FormatKind::Cassette => (Some(999), Some(600), Some(150)),
        FormatKind::Digital => (Some(999), None, None),
        FormatKind::Other => (None, None, None),
    }
}

/// Writes the demo label into an (empty) catalog inside the caller's transaction.
///
/// # Errors
/// Any database error; the caller's transaction then rolls back as a whole.
pub fn create(tx: &Transaction<'_>, today: NaiveDate) -> Result<DemoSummary, DbError> {
    let summary = create_catalog(tx, today)?;
    let artists: Vec<ArtistId> = tx
        .prepare("SELECT id FROM artists ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    stock_and_shows(tx, today, &artists)?;
    contracts(tx, today, &artists)?;
    Ok(summary)
}

/// The demo's catalog and release plans only: no stock, shows or contracts (for tests that
/// count those from zero).
///
/// # Errors
/// Any database error; the caller's transaction then rolls back as a whole.
pub fn create_catalog(tx: &Transaction<'_>, today: NaiveDate) -> Result<DemoSummary, DbError> {
    let label_id = db::labels::insert(
        tx,
        &Label {
            id: LabelId::UNSAVED,
            name: "Harbour Lights Records".to_owned(),
            is_own: true,
            catno_prefix: "HLR".to_owned(),
            isrc_prefix: Some("DEH47".to_owned()),
            currency: Currency::EUR,
            notes: "Demo label: explore freely, then start your own catalog.".to_owned(),
        },
    )?;
    let mut summary = DemoSummary::default();
    let mut artist_ids: Vec<ArtistId> = Vec::new();
    for a in ARTISTS {
        let mut artist = Artist::new(a.name);
        artist.status = a.status;
        artist.country = a.country.to_owned();
        artist.genres = a.genres.to_owned();
        artist.email = a.email.to_owned();
        artist.manager = a.manager.to_owned();
        artist.sort_name = crate::model::default_sort_name(a.name);
        artist.archived = false;
        artist_ids.push(db::artists::insert(tx, &artist)?);
        summary.artists += 1;
    }

    let mut rng = Lcg(0x1abe_1de5);
    let mut designation: u32 = 0;
    let mut barcode_serial: u64 = 0;
    let mut catno_serial = 0_u32;
    let mut single_tracks: Vec<(String, TrackDuration, Isrc)> = Vec::new();
    for spec in RELEASES {
        let date = shift(today, spec.months);
        let mut release = Release::new(spec.title);
        release.label_id = Some(label_id);
        release.release_type = spec.kind;
        release.status = spec.status;
        release.release_date = (spec.status != ReleaseStatus::Idea).then_some(date);
        let release_id: ReleaseId = db::releases::insert(tx, &release)?;
        let credits: Vec<ReleaseArtist> = spec
            .artists
            .iter()
            .map(|&i| ReleaseArtist {
                artist_id: artist_ids[i],
                role: ArtistRole::Primary,
            })
            .collect();
        db::releases::set_artists(tx, release_id, &credits)?;
        summary.releases += 1;

        // Catalog numbers once a release is on the schedule; ideas have none yet.
        if spec.status != ReleaseStatus::Idea {
            catno_serial += 1;
            let catno = CatalogNumber::parse(&format!("HLR{catno_serial:03}"))?;
            db::catnos::insert(
                tx,
                release_id,
                &ReleaseCatalogNumber {
                    id: CatalogNumberId::UNSAVED,
                    label_id: Some(label_id),
                    format_id: None,
                    catno,
                },
            )?;
        }
        for &kind in spec.formats {
            let mut format = Format::new(release_id, kind);
            let (retail, dealer, pressed) = price(kind);
            format.retail_price = retail;
            format.dealer_price = dealer;
            format.pressed_quantity = if spec.status == ReleaseStatus::Released {
                pressed
            } else {
                None
            };
            format.currency = Currency::EUR;
            if kind == FormatKind::Vinyl12 && spec.title == "Glass Orchard" {
                format.variant = "transparent violet".to_owned();
            }
            if kind == FormatKind::Vinyl12 && spec.kind == Compilation {
                format.discs = 2;
            }
            if spec.status != ReleaseStatus::Idea {
                barcode_serial += 1;
                format.barcode = Some(Barcode::from_body(&format!("42604871{barcode_serial:04}"))?);
            }
            db::formats::insert(tx, &format)?;
            summary.formats += 1;
        }

        let has_vinyl = spec.formats.iter().any(|k| k.is_vinyl());
        let sides = if has_vinyl {
            if spec.tracks > 12 { 4 } else { 2 }
        } else {
            0
        };
        let positions = suggest_positions(spec.tracks, sides);
        let year = u8::try_from(date.year().rem_euclid(100)).unwrap_or(0);
        for (seq, position) in positions.into_iter().enumerate() {
            let reuse = (spec.kind == Compilation && seq < single_tracks.len())
                .then(|| single_tracks[seq].clone());
            let (title, duration, isrc) = if let Some(reused) = reuse {
                reused
            } else {
                let title = format!("{} {}", rng.pick(WORDS_A), rng.pick(WORDS_B));
                let duration = TrackDuration::from_millis(
                    u32::try_from(150_000 + rng.next(210_000)).unwrap_or(200_000),
                );
                designation += 1;
                let isrc = Isrc::from_parts("DEH47", year, designation)?;
                (title, duration, isrc)
            };
            let mut track = Track::new(release_id, u32::try_from(seq).unwrap_or(0), &title);
            track.position = position;
            track.duration = Some(duration);
            track.isrc = (spec.status != ReleaseStatus::Idea).then(|| isrc.clone());
            db::tracks::insert(tx, &track)?;
            if spec.kind == Single && seq == 0 {
                single_tracks.push((title, duration, isrc));
            }
            summary.tracks += 1;
        }
    }
    plan_upcoming(tx, today)?;
    Ok(summary)
}

/// Stock at home and in the tour box, merch, last month's show (sold, one sale undone,
/// closed into the ledger) and next month's, and mailing-list sign-ups.
fn stock_and_shows(
    tx: &Transaction<'_>,
    today: NaiveDate,
    artists: &[ArtistId],
) -> Result<(), DbError> {
    use crate::model::shows::{
        Discount, LocationKind, MerchItem, MerchKind, Movement, MovementReason, Payment, SaleInput,
        Show, StockItem,
    };
    let locations = db::shows::locations(tx)?;
    let find = |kind: LocationKind| locations.iter().find(|l| l.kind == kind).map(|l| l.id);
    let (Some(home), Some(tour)) = (find(LocationKind::Home), find(LocationKind::Tour)) else {
        return Ok(());
    };
    let received = |item, quantity| Movement {
        item,
        location: home,
        quantity,
        reason: MovementReason::Received,
        note: "from the plant".to_owned(),
    };
    // Every physical format out in the world was pressed and delivered home; the touring
    // artists' records went into the tour box.
    let formats: Vec<(crate::model::FormatId, i64, bool)> = tx
        .prepare(
            "SELECT f.id, coalesce(f.pressed_quantity, 300),
                    EXISTS (SELECT 1 FROM release_artists ra WHERE ra.release_id = f.release_id
                            AND ra.artist_id IN (?1, ?2))
             FROM formats f JOIN releases r ON r.id = f.release_id
             WHERE f.kind <> 'digital' AND r.status IN ('released', 'out_of_print') ORDER BY f.id",
        )?
        .query_map([artists[0], artists[1]], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (n, (format, pressed, touring)) in formats.into_iter().enumerate() {
        let item = StockItem::Format(format);
        // Older pressings have mostly sold through.
        let left = if n % 3 == 0 {
            pressed / 10
        } else {
            pressed / 2
        };
        db::shows::add_movement(tx, &received(item, left))?;
        if touring {
            db::shows::transfer(tx, item, home, tour, 15.min(left))?;
        }
        db::shows::set_format_low_stock(tx, format, 40)?;
    }
    for (name, size, colour, price, artist, quantity) in [
        ("Tour shirt", "M", "black", 2000, Some(artists[0]), 30),
        ("Tour shirt", "L", "black", 2000, Some(artists[0]), 30),
        ("Harbour Lights tote", "", "natural", 1200, None, 40),
    ] {
        let mut item = MerchItem::new(
            if size.is_empty() {
                MerchKind::Tote
            } else {
                MerchKind::Shirt
            },
            name,
            price,
            Currency::EUR,
        );
        item.size = size.to_owned();
        item.colour = colour.to_owned();
        item.artist_id = artist;
        item.low_stock = 10;
        let id = db::shows::save_merch(tx, &item)?;
        db::shows::add_movement(tx, &received(StockItem::Merch(id), quantity))?;
        db::shows::transfer(tx, StockItem::Merch(id), home, tour, 12)?;
    }

    // Last month's show: sold, one sale undone, cash counted, closed into the ledger.
    let last_month = shift(today, -1);
    let mut past = Show::new(last_month, "Hafenklang", tour, Currency::EUR);
    past.city = "Hamburg".to_owned();
    past.cash_float = 10_000;
    past.commission = crate::model::BasisPoints(1000);
    past.artists = vec![artists[0], artists[1]];
    past.notes = "Sold out. The venue takes 10% of merch.".to_owned();
    let past_id = db::shows::save_show(tx, &past)?;
    let items = db::shows::sell_items(tx, &db::shows::get_show(tx, past_id)?)?;
    let sellable: Vec<_> = items
        .iter()
        .filter(|i| i.price.is_some() && i.stock > 2)
        .collect();
    let evening = last_month.and_hms_opt(21, 0, 0).unwrap_or_default();
    for n in 0..16_u32 {
        let Some(item) =
            sellable.get(usize::try_from(n * 5 % 7).unwrap_or(0) % sellable.len().max(1))
        else {
            break;
        };
        let sale = SaleInput {
            item: item.item,
            description: item.name.clone(),
            artist_id: item.artist_id,
            quantity: if n % 6 == 0 { 2 } else { 1 },
            unit_price: item.price.unwrap_or_default(),
            discount: if n % 5 == 4 {
                Discount::Percent(crate::model::BasisPoints(1000))
            } else {
                Discount::None
            },
            payment: if n % 3 == 0 {
                Payment::Card
            } else {
                Payment::Cash
            },
        };
        let at = evening + chrono::Duration::minutes(i64::from(n) * 7);
        db::shows::record_sale(tx, past_id, &sale, at)?;
        if n == 9 {
            db::shows::void_last_sale(tx, past_id, at + chrono::Duration::minutes(1))?;
        }
    }
    let report = crate::model::shows::ShowReport::compute(
        &db::shows::get_show(tx, past_id)?,
        &db::shows::sales(tx, past_id)?,
    );
    db::shows::close_show(tx, past_id, Some(report.cash_expected - 250))?;
    for (name, email) in [
        ("Jonas", "jonas@example.org"),
        ("Mara Okafor", "mara.okafor@example.net"),
        ("Lou", "lou@example.com"),
    ] {
        db::shows::add_signup(
            tx,
            Some(past_id),
            name,
            email,
            evening + chrono::Duration::minutes(45),
        )?;
    }

    // Next month's show, ready for merch mode.
    let mut next = Show::new(shift(today, 1), "The Lexington", tour, Currency::EUR);
    next.city = "London".to_owned();
    next.cash_float = 5000;
    next.commission = crate::model::BasisPoints(1250);
    next.artists = vec![artists[0]];
    db::shows::save_show(tx, &next)?;
    Ok(())
}

/// A recording agreement with the label's first artist: an advance still recouping from the
/// show sales, royalties per channel, an option whose notice deadline is near.
fn contracts(tx: &Transaction<'_>, today: NaiveDate, artists: &[ArtistId]) -> Result<(), DbError> {
    use crate::model::contract::{
        Contract, OptionPeriod, Payee, PayeeId, RateRule, Recoupable, Share, SplitScope, SplitSet,
    };
    use crate::model::{BasisPoints, Channel, CostCategory, Money};
    // Signed at the start of the previous half-year, so one statement is already out and the
    // current half-year's (with the show's record sales) is the draft.
    let half_start = |d: NaiveDate| {
        NaiveDate::from_ymd_opt(d.year(), if d.month() <= 6 { 1 } else { 7 }, 1).unwrap_or(d)
    };
    let start = half_start(half_start(today) - Days::new(1));
    let mut c = Contract::new(artists[0], start, Currency::EUR);
    c.title = "Recording agreement".to_owned();
    c.end = Some(shift(today, 8));
    c.advance = Money::new(150_000, Currency::EUR);
    c.options = vec![OptionPeriod {
        name: "Fourth album".to_owned(),
        notice_deadline: today.checked_add_days(Days::new(24)).unwrap_or(today),
        until: Some(shift(today, 32)),
        exercised: false,
    }];
    c.rates = vec![
        RateRule {
            channel: Channel::Physical,
            format: None,
            rate: BasisPoints(1500),
        },
        RateRule {
            channel: Channel::Download,
            format: None,
            rate: BasisPoints(2500),
        },
        RateRule {
            channel: Channel::Stream,
            format: None,
            rate: BasisPoints(2500),
        },
    ];
    c.payees = vec![
        Payee {
            id: PayeeId(1),
            name: "The Low Tides".to_owned(),
            email: "band@lowtides.example".to_owned(),
        },
        Payee {
            id: PayeeId(2),
            name: "Ines Moreau (producer)".to_owned(),
            email: String::new(),
        },
    ];
    c.splits = vec![SplitSet {
        scope: SplitScope::Default,
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
    }];
    c.recoupables = vec![
        Recoupable {
            category: CostCategory::Recording,
            share: BasisPoints::FULL,
        },
        Recoupable {
            category: CostCategory::Marketing,
            share: BasisPoints(5000),
        },
    ];
    c.cross_collateralised = true;
    c.minimum_payout = Money::new(2500, Currency::EUR);
    let id = db::contracts::insert(tx, &c)?;
    // Issue every period that is over (the first half-year), as the label did on time.
    loop {
        let period = db::contracts::next_open_period(tx, id)?;
        if period.end() >= today {
            break;
        }
        db::contracts::issue(tx, id, period, today)?;
    }
    Ok(())
}

/// Plans the demo's releases that are in production or planned, from the default lead-time
/// profiles; milestones already past are marked done, so the agenda looks like a real label's.
fn plan_upcoming(tx: &Transaction<'_>, today: NaiveDate) -> Result<(), DbError> {
    use crate::model::plan::{MilestoneStatus, plan_release};
    let profiles = db::planning::list_profiles(tx)?;
    let upcoming: Vec<(ReleaseId, String, Option<NaiveDate>)> = {
        let mut stmt = tx.prepare(
            "SELECT id, title, release_date FROM releases WHERE status IN ('in_production', 'planned') ORDER BY id",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (id, title, date) in upcoming {
        let kinds: Vec<FormatKind> = db::formats::list_for_release(tx, id)?
            .iter()
            .map(|f| f.kind)
            .collect();
        let Ok(milestones) = plan_release(id, &title, date, &kinds, &profiles, &[], today) else {
            continue;
        };
        for mut milestone in milestones {
            if milestone.due < today {
                milestone.status = MilestoneStatus::Done;
                milestone.done_on = Some(milestone.due);
            }
            db::planning::insert(tx, &milestone)?;
        }
    }
    Ok(())
}
