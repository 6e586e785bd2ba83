//! `labeldesk generate`: a realistic synthetic catalog of any size, for benchmarks, tests and
//! trying Labeldesk on a big back catalog.
//!
//! About 1 artist per 50 tracks and 1 release per 10 tracks (singles, EPs, albums, live
//! records, mixtapes and compilations of up to 30 tracks), 1–4 formats per release with valid,
//! unique UPC-A / EAN-13 barcodes and prices, one catalog number per scheduled release (a few
//! vinyl editions carry a second one), valid, unique ISRCs from a small pool of registrant
//! codes, and titles built from word lists. The output depends only on `(tracks, seed)`: the
//! generator has its own tiny PRNG and a fixed "today", so two runs give identical tables.
//!
//! Speed: every row goes through a cached prepared statement inside one transaction. The
//! search triggers and the secondary indexes of the filled tables are dropped for the bulk
//! insert and re-created from their exact saved SQL in the same transaction (indexes built
//! once, sorted; the search documents written with `INSERT … SELECT` and both FTS5 indexes
//! rebuilt). A cancel (or any error) rolls everything back. Where the time goes at a million
//! tracks: `cargo bench --bench scale`.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use rusqlite::{Transaction, params};

use crate::db::{Catalog, DbError, bulk};
use crate::jobs::{Cancelled, JobControl};
use crate::model::{Barcode, FormatKind, ReleaseStatus, ReleaseType, suggest_positions};

/// Bumped whenever the same `(tracks, seed)` would produce different rows; caches of
/// generated catalogs (the benchmark's) are rebuilt when it changes.
pub const GENERATOR_VERSION: u32 = 1;

/// The "today" the generator plans around (release statuses, future dates), fixed so the
/// output never depends on the clock.
const TODAY: (i32, u32, u32) = (2026, 6, 1);

/// The timestamp written into every `created_at` / `updated_at`.
const GENERATED_AT: &str = "2026-06-01T09:00:00Z";

/// How many releases are written between two progress reports and cancel checks.
const CHECK_EVERY: u64 = 512;

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenerateSummary {
    pub labels: u64,
    pub artists: u64,
    pub releases: u64,
    /// Artist credits on releases (`release_artists`).
    pub credits: u64,
    pub formats: u64,
    pub catalog_numbers: u64,
    pub tracks: u64,
    /// Search documents (one per artist, release and track).
    pub search_docs: u64,
    pub timings: GenerateTimings,
}

/// Where the time went (wall clock), for the benchmark and `labeldesk generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenerateTimings {
    /// Writing the catalog rows (the index threads tokenize their search documents meanwhile).
    pub rows: std::time::Duration,
    /// Building the tables' secondary indexes after the rows.
    pub indexes: std::time::Duration,
    /// Finishing the search index: the release documents, `search_docs`, waiting for the index
    /// threads and copying their indexes in ([`crate::db::bulk::BulkLoad::build_search`]).
    pub search_index: std::time::Duration,
    /// The parts of `search_index`.
    pub search: bulk::SearchBuilt,
    pub commit: std::time::Duration,
}

impl GenerateSummary {
    /// Rows written to the catalog tables (search documents and index not counted).
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.labels
            + self.artists
            + self.releases
            + self.credits
            + self.formats
            + self.catalog_numbers
            + self.tracks
    }
}

/// Why nothing was generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
    #[error(
        "the catalog already holds {0}: generate writes only into a new, empty catalog (nothing was changed)"
    )]
    NotEmpty(String),
}

impl From<rusqlite::Error> for GenerateError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(DbError::Sqlite(e))
    }
}

impl From<crate::model::ValidationError> for GenerateError {
    fn from(e: crate::model::ValidationError) -> Self {
        Self::Db(DbError::Invalid(e))
    }
}

/// SplitMix64: tiny, fast and good enough for synthetic data; no dependency.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x5EED_1ABE_1DE5_0000)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        let wide = u128::from(self.next_u64()) * u128::from(n);
        u64::try_from(wide >> 64).unwrap_or(0)
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick(&mut self, words: &[&'static str]) -> &'static str {
        words[self.index(words.len())]
    }
}

/// One label of the synthetic catalog (the first is the user's own).
struct LabelSpec {
    name: &'static str,
    catno_prefix: &'static str,
    /// `SK-0042` rather than `SK042`.
    hyphen: bool,
    isrc_prefix: &'static str,
    currency: &'static str,
    /// Two-digit GS1 prefix for EAN-13 barcodes; `None` for UPC-A (North America).
    gs1: Option<&'static str>,
}

const LABELS: &[LabelSpec] = &[
    LabelSpec {
        name: "Harbour Lights Records",
        catno_prefix: "HLR",
        hyphen: false,
        isrc_prefix: "DEH47",
        currency: "EUR",
        gs1: Some("42"),
    },
    LabelSpec {
        name: "Saltmarsh Records",
        catno_prefix: "SK",
        hyphen: true,
        isrc_prefix: "GBAYE",
        currency: "GBP",
        gs1: Some("50"),
    },
    LabelSpec {
        name: "Copper Signal",
        catno_prefix: "CS",
        hyphen: false,
        isrc_prefix: "USCS1",
        currency: "USD",
        gs1: None,
    },
    LabelSpec {
        name: "Nachtbus Tonträger",
        catno_prefix: "NBT",
        hyphen: true,
        isrc_prefix: "DENB2",
        currency: "EUR",
        gs1: Some("40"),
    },
    LabelSpec {
        name: "Lanterna Discos",
        catno_prefix: "LAN",
        hyphen: false,
        isrc_prefix: "ESLD3",
        currency: "EUR",
        gs1: Some("84"),
    },
    LabelSpec {
        name: "Velvet Meadow",
        catno_prefix: "VM",
        hyphen: true,
        isrc_prefix: "QMVM4",
        currency: "USD",
        gs1: None,
    },
    LabelSpec {
        name: "Kettle Hill Music",
        catno_prefix: "KHM",
        hyphen: false,
        isrc_prefix: "IEKH5",
        currency: "EUR",
        gs1: Some("53"),
    },
    LabelSpec {
        name: "Glass Orchard Sound",
        catno_prefix: "GOS",
        hyphen: false,
        isrc_prefix: "NLGO6",
        currency: "EUR",
        gs1: Some("87"),
    },
    LabelSpec {
        name: "Maré Alta Discos",
        catno_prefix: "MAD",
        hyphen: true,
        isrc_prefix: "BRMA7",
        currency: "BRL",
        gs1: Some("78"),
    },
    LabelSpec {
        name: "Northern Static",
        catno_prefix: "NS",
        hyphen: false,
        isrc_prefix: "GBNS8",
        currency: "GBP",
        gs1: Some("50"),
    },
    LabelSpec {
        name: "Tide Tables",
        catno_prefix: "TT",
        hyphen: true,
        isrc_prefix: "JPTT9",
        currency: "JPY",
        gs1: Some("45"),
    },
    LabelSpec {
        name: "Otto Brandt Editions",
        catno_prefix: "OBE",
        hyphen: false,
        isrc_prefix: "DEOB1",
        currency: "EUR",
        gs1: Some("40"),
    },
];

#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "Quiet", "Northern", "Paper", "Electric", "Hollow", "Silver", "Distant", "Velvet", "Copper",
    "Winter", "Salt", "Glass", "Amber", "Restless", "Low", "Golden", "Broken", "Slow", "Open",
    "Secret", "Crimson", "Pale", "Wild", "Gentle", "Burning", "Frozen", "Hidden", "Lonely",
    "Bright", "Dark", "Empty", "Endless", "Faded", "Fallen", "Heavy", "Hungry", "Invisible",
    "Last", "Little", "Lost", "Lucky", "Midnight", "Modern", "Neon", "New", "Old", "Paper",
    "Perfect", "Plastic", "Rusty", "Sacred", "Second", "Shallow", "Silent", "Simple", "Sleepy",
    "Soft", "Southern", "Static", "Strange", "Sudden", "Summer", "Sweet", "Tender", "Tired",
    "Twisted", "Violet", "Warm", "Wasted", "Western", "White", "Wooden", "Young", "Analog",
    "Autumn", "Blue", "Cold", "Dusty", "Early", "Eastern", "Foreign", "Gilded", "Green", "Grey",
    "Holy", "Humble", "Iron", "Jaded", "Kind", "Late", "Liquid", "Magnetic", "Mellow", "Misty",
    "Nervous", "Noble", "Orange", "Polar", "Quick", "Rainy", "Red", "Royal", "Scarlet", "Shining",
    "Solar", "Stormy", "Sunken", "Tidal", "Ultra", "Urban", "Vivid", "Wandering", "Weightless",
    "Yellow", "Zero", "Mañana", "Fantôme", "Schöne",
];

#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "Harbour", "Signal", "Orchard", "Tide", "Engine", "Meadow", "Static", "Window", "Ferry",
    "Lights", "River", "Garden", "Mirror", "Weather", "Station", "Shore", "Letters", "Horizon",
    "Kitchen", "Pylons", "Lantern", "Anchor", "Avenue", "Balcony", "Bridge", "Cathedral", "Cellar",
    "Chorus", "Circus", "Cloud", "Coast", "Corner", "Country", "Crown", "Dance", "Daylight",
    "Desert", "Dream", "Echo", "Empire", "Evening", "Feather", "Fever", "Field", "Fire", "Forest",
    "Fountain", "Frontier", "Ghost", "Glacier", "Harvest", "Heart", "Highway", "Hill", "Holiday",
    "Island", "Jungle", "Kingdom", "Lake", "Language", "Machine", "Marble", "Market", "Memory",
    "Mountain", "Motel", "Night", "Ocean", "Palace", "Paradise", "Parade", "Planet", "Radio",
    "Rain", "Ribbon", "Ritual", "Road", "Rocket", "Satellite", "Season", "Shadow", "Silence",
    "Sky", "Smoke", "Snow", "Song", "Spiral", "Spring", "Star", "Stone", "Storm", "Street", "Sun",
    "Telephone", "Temple", "Thunder", "Tower", "Town", "Train", "Valley", "Velvet", "Voice",
    "Wave", "Wheel", "Wind", "Wire", "Wolf", "World", "Youth", "Arcade", "Atlas", "Bloom",
    "Canyon", "Carousel", "Comet", "Compass", "Diamond", "Dynamo", "Falcon", "Galaxy", "Hotel",
    "Lagoon", "Lighthouse", "Magnet", "Mosaic", "Nebula", "Outpost", "Pavilion", "Prism", "Quarry",
    "Reservoir", "Skyline", "Tundra", "Voltage", "Waltz", "Zephyr", "Saudade", "Café", "Straße",
];

#[rustfmt::skip]
const VERBS: &[&str] = &[
    "Chasing", "Leaving", "Waiting for", "Dancing with", "Burning", "Crossing", "Finding",
    "Holding", "Losing", "Calling", "Building", "Breaking", "Counting", "Drawing", "Following",
    "Forgetting", "Hiding from", "Keeping", "Mending", "Painting", "Reading", "Running from",
    "Saving", "Singing to", "Sleeping in", "Walking", "Watching", "Writing to",
];

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Ada", "Alice", "Amara", "Ana", "Anouk", "Ben", "Bruno", "Carla", "Chen", "Clara", "Dana",
    "Daniel", "Eliza", "Emil", "Erik", "Fatima", "Felix", "Freya", "Grace", "Hana", "Hugo", "Ines",
    "Ivan", "Jonas", "Jude", "Kai", "Kenji", "Lara", "Leo", "Lina", "Lucas", "Maya", "Marisol",
    "Mateo", "Mila", "Nadia", "Nils", "Noor", "Olga", "Omar", "Otto", "Paula", "Priya", "Rafael",
    "Rosa", "Ruth", "Sami", "Sara", "Sofia", "Tariq", "Theo", "Uma", "Vera", "Viktor", "Wren",
    "Yara", "Yuki", "Zoe", "Joaquín", "Zoë",
];

#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Abara", "Andersen", "Bauer", "Brandt", "Castillo", "Chowdhury", "Costa", "Dubois", "Eriksen",
    "Fischer", "Garcia", "Haddad", "Hoffmann", "Ito", "Janssen", "Kaur", "Kowalski", "Larsen",
    "Lefebvre", "Lima", "Marsh", "Moreau", "Nakamura", "Novak", "Okafor", "Olsen", "Park",
    "Petrov", "Quinn", "Rahman", "Rossi", "Saitō", "Santos", "Schmidt", "Shah", "Silva",
    "Sørensen", "Tanaka", "Torres", "Varga", "Vega", "Vries", "Walsh", "Weber", "Yilmaz", "Zhang",
    "Ó Briain", "Müller",
];

#[rustfmt::skip]
const ENSEMBLES: &[&str] = &[
    "Trio", "Quartet", "Ensemble", "Band", "Orchestra", "Collective",
];
#[rustfmt::skip]
const COUNTRIES: &[&str] = &[
    "GB", "DE", "US", "FR", "NL", "ES", "IE", "BR", "JP", "SE", "IT", "PT", "BE", "CA", "AU",
];
#[rustfmt::skip]
const GENRES: &[&str] = &[
    "indie rock", "dream pop", "folk", "jazz", "ambient", "post-punk", "soul", "techno", "house",
    "shoegaze", "psych", "hip hop", "electronica", "americana", "noise", "disco",
];
#[rustfmt::skip]
const VARIANTS: &[&str] = &[
    "black", "transparent violet", "marbled red", "clear", "splatter", "gold", "white",
    "glow in the dark",
];
#[rustfmt::skip]
const MIX_NAMES: &[&str] = &[
    "Radio Edit", "Extended Mix", "Dub", "Live", "Demo", "Instrumental", "Acoustic", "Reprise",
];

/// A release planned before anything is written: its type and track count.
#[derive(Debug, Clone, Copy)]
struct Plan {
    kind: ReleaseType,
    tracks: u32,
}

/// Type mix and track-count ranges; together they average about 10 tracks per release.
fn draw_plan(rng: &mut Rng) -> Plan {
    let roll = rng.below(100);
    let (kind, lo, hi) = match roll {
        0..=21 => (ReleaseType::Single, 2, 3),
        22..=39 => (ReleaseType::Ep, 4, 6),
        40..=81 => (ReleaseType::Album, 10, 16),
        82..=87 => (ReleaseType::Compilation, 18, 30),
        88..=93 => (ReleaseType::Live, 8, 16),
        94..=97 => (ReleaseType::Mixtape, 12, 24),
        _ => (ReleaseType::Other, 1, 10),
    };
    Plan {
        kind,
        tracks: u32::try_from(rng.between(lo, hi)).unwrap_or(1),
    }
}

/// Track counts for `releases` releases summing to exactly `tracks`: drawn by type, then
/// nudged one track at a time (albums, live records and mixtapes first) until the sum fits.
fn plan_releases(rng: &mut Rng, releases: u64, tracks: u64) -> Vec<Plan> {
    let mut plans: Vec<Plan> = (0..releases).map(|_| draw_plan(rng)).collect();
    let mut sum: u64 = plans.iter().map(|p| u64::from(p.tracks)).sum();
    let n = plans.len();
    if n == 0 {
        return plans;
    }
    // Two passes: first within the type's natural range, then anything from 1 to 40.
    for strict in [true, false] {
        let bounds = |p: &Plan| -> (u32, u32) {
            if !strict {
                return (1, 40);
            }
            match p.kind {
                ReleaseType::Album | ReleaseType::Live => (7, 20),
                ReleaseType::Mixtape => (8, 26),
                ReleaseType::Other => (1, 12),
                _ => (u32::MAX, 0),
            }
        };
        let mut stuck = 0;
        let mut i = 0;
        while sum != tracks && stuck < n {
            let (lo, hi) = bounds(&plans[i]);
            let p = &mut plans[i];
            if sum < tracks && p.tracks < hi && lo <= hi {
                p.tracks += 1;
                sum += 1;
                stuck = 0;
            } else if sum > tracks && p.tracks > lo && lo <= hi {
                p.tracks -= 1;
                sum -= 1;
                stuck = 0;
            } else {
                stuck += 1;
            }
            i = (i + 7) % n;
            if n.is_multiple_of(7) && i == 0 {
                i = 1;
            }
        }
    }
    plans
}

fn title_case_words(rng: &mut Rng, out: &mut String) {
    out.clear();
    match rng.below(100) {
        0..=29 => {
            out.push_str(rng.pick(ADJECTIVES));
            out.push(' ');
            out.push_str(rng.pick(NOUNS));
        }
        30..=44 => out.push_str(rng.pick(NOUNS)),
        45..=56 => {
            out.push_str(rng.pick(VERBS));
            out.push_str(" the ");
            out.push_str(rng.pick(NOUNS));
        }
        57..=66 => {
            out.push_str("The ");
            out.push_str(rng.pick(NOUNS));
            out.push_str(" and the ");
            out.push_str(rng.pick(NOUNS));
        }
        67..=79 => {
            out.push_str(rng.pick(ADJECTIVES));
            out.push(' ');
            out.push_str(rng.pick(NOUNS));
            out.push(' ');
            out.push_str(rng.pick(NOUNS));
        }
        80..=89 => {
            out.push_str(rng.pick(NOUNS));
            out.push_str(" of ");
            out.push_str(rng.pick(ADJECTIVES));
            out.push(' ');
            out.push_str(rng.pick(NOUNS));
        }
        _ => {
            out.push_str(rng.pick(ADJECTIVES));
            out.push(' ');
            out.push_str(rng.pick(ADJECTIVES));
            out.push(' ');
            out.push_str(rng.pick(NOUNS));
        }
    }
}

fn artist_name(rng: &mut Rng) -> (String, String) {
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    match rng.below(100) {
        0..=34 => (format!("{first} {last}"), format!("{last}, {first}")),
        35..=54 => {
            let name = format!("The {} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS));
            let sort = crate::model::default_sort_name(&name);
            (name, sort)
        }
        55..=74 => (
            format!("{} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS)),
            String::new(),
        ),
        75..=84 => {
            let ensemble = rng.pick(ENSEMBLES);
            (
                format!("{first} {last} {ensemble}"),
                format!("{last}, {first} {ensemble}"),
            )
        }
        85..=94 => (
            format!("{} & the {}", first, rng.pick(NOUNS)),
            String::new(),
        ),
        _ => (format!("DJ {first}"), String::new()),
    }
}

fn slug(name: &str) -> String {
    let mut s: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if s.is_empty() {
        s.push_str("artist");
    }
    s
}

/// Retail and dealer price in the currency's minor unit (dealer `None` for digital).
fn prices(rng: &mut Rng, kind: FormatKind, currency: &str) -> (Option<i64>, Option<i64>) {
    // Whole euros.
    let euros: i64 = match kind {
        FormatKind::Vinyl12 => [22, 24, 26, 28, 32][rng.index(5)],
        FormatKind::Vinyl10 => [18, 20][rng.index(2)],
        FormatKind::Vinyl7 => [7, 8, 9][rng.index(3)],
        FormatKind::Cd => [12, 14, 15][rng.index(3)],
        FormatKind::Cassette => [9, 10, 12][rng.index(3)],
        FormatKind::Digital => [1, 7, 9, 10][rng.index(4)],
        FormatKind::Other => [15, 25, 40][rng.index(3)],
    };
    let retail = match currency {
        "JPY" => euros * 160,
        "BRL" => euros * 550 + 90,
        "USD" => euros * 110 - 1,
        "GBP" => euros * 86 - 1,
        _ => euros * 100 - 1,
    };
    let dealer = kind.is_physical().then_some(retail * 58 / 100);
    (Some(retail), dealer)
}

fn pressing(rng: &mut Rng, kind: FormatKind) -> Option<i64> {
    match kind {
        FormatKind::Vinyl12 | FormatKind::Vinyl10 => Some([300, 500, 1000, 2000][rng.index(4)]),
        FormatKind::Vinyl7 => Some([300, 500][rng.index(2)]),
        FormatKind::Cd => Some([500, 1000, 3000][rng.index(3)]),
        FormatKind::Cassette => Some([100, 150, 200][rng.index(3)]),
        FormatKind::Digital | FormatKind::Other => None,
    }
}

/// 1–4 distinct formats, in the order a label would list them.
fn draw_formats(rng: &mut Rng, kind: ReleaseType, out: &mut Vec<FormatKind>) {
    out.clear();
    let count = match rng.below(100) {
        0..=24 => 1,
        25..=59 => 2,
        60..=87 => 3,
        _ => 4,
    };
    let physical: &[FormatKind] = match kind {
        ReleaseType::Single => &[FormatKind::Vinyl7, FormatKind::Cd, FormatKind::Vinyl12],
        ReleaseType::Ep => &[
            FormatKind::Vinyl12,
            FormatKind::Cassette,
            FormatKind::Vinyl10,
        ],
        ReleaseType::Other => &[FormatKind::Other, FormatKind::Cassette, FormatKind::Vinyl7],
        _ => &[FormatKind::Vinyl12, FormatKind::Cd, FormatKind::Cassette],
    };
    if count == 1 {
        out.push(if rng.chance(70) {
            FormatKind::Digital
        } else {
            physical[rng.index(physical.len())]
        });
        return;
    }
    let start = rng.index(physical.len());
    for k in 0..(count - 1).min(physical.len()) {
        out.push(physical[(start + k) % physical.len()]);
    }
    out.push(FormatKind::Digital);
}

fn release_date(rng: &mut Rng) -> NaiveDate {
    // Skewed towards recent years: most back catalogs grow faster every decade.
    let u = rng.below(1_000_000);
    let back = u * u / 1_000_000 * 61 / 1_000_000; // 0..=60 years back, quadratic
    let year = 2027 - i32::try_from(back).unwrap_or(0);
    let day = u32::try_from(rng.between(1, 365)).unwrap_or(1);
    NaiveDate::from_yo_opt(year, day).unwrap_or(NaiveDate::MIN)
}

fn status_for(rng: &mut Rng, date: NaiveDate, today: NaiveDate) -> ReleaseStatus {
    if date > today {
        if rng.chance(60) {
            ReleaseStatus::Planned
        } else {
            ReleaseStatus::InProduction
        }
    } else if date.year() < 2005 && rng.chance(40) || rng.chance(8) {
        ReleaseStatus::OutOfPrint
    } else {
        ReleaseStatus::Released
    }
}

#[cfg(test)]
fn catno(spec: &LabelSpec, serial: u64) -> String {
    let mut out = String::new();
    write_catno(spec, serial, &mut out);
    out
}

/// The catalog number `serial` of a label, written into `out`.
fn write_catno(spec: &LabelSpec, serial: u64, out: &mut String) {
    out.clear();
    out.push_str(spec.catno_prefix);
    let _ = if spec.hyphen {
        write!(out, "-{serial:04}")
    } else {
        write!(out, "{serial:03}")
    };
}

#[cfg(test)]
fn barcode(label: usize, spec: &LabelSpec, serial: u64) -> Result<Barcode, GenerateError> {
    barcode_with(label, spec, serial, &mut String::new())
}

/// The barcode `serial` of a label; `body` is a reused buffer.
fn barcode_with(
    label: usize,
    spec: &LabelSpec,
    serial: u64,
    body: &mut String,
) -> Result<Barcode, GenerateError> {
    let company = 10_000 + label as u64 * 1_000 + serial / 100_000;
    let item = serial % 100_000;
    body.clear();
    let _ = match spec.gs1 {
        Some(gs1) => write!(body, "{gs1}{company:05}{item:05}"),
        None => write!(body, "0{company:05}{item:05}"),
    };
    Ok(Barcode::from_body(body)?)
}

/// The ISRC `prefix` + two-digit `year` + five-digit `designation`, written into `out`: what
/// [`crate::model::Isrc::from_parts`] gives for a prefix it accepts as it is (each label's is
/// checked once, in [`write_rows`]), without its allocations on every track.
fn write_isrc(prefix: &str, year: u8, designation: u32, out: &mut String) {
    out.clear();
    out.push_str(prefix);
    let _ = write!(out, "{year:02}{designation:05}");
}

/// Counts of what a catalog holds, or `None` when it is empty.
///
/// # Errors
/// SQLite failures.
pub fn existing_content(conn: &rusqlite::Connection) -> Result<Option<String>, DbError> {
    let mut parts = Vec::new();
    for table in ["labels", "artists", "releases", "tracks"] {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        if n > 0 {
            parts.push(format!("{n} {table}"));
        }
    }
    Ok((!parts.is_empty()).then(|| parts.join(", ")))
}

/// Fills an empty catalog with `tracks` synthetic tracks (and their artists, releases,
/// formats, catalog numbers and labels), all in one transaction. The same `(tracks, seed)`
/// always writes the same rows.
///
/// Progress runs from 0 to `2 * tracks`: the first half is writing rows, the second
/// building indexes and the search index.
///
/// # Errors
/// [`GenerateError::NotEmpty`] for a catalog that already has data, [`GenerateError::Cancelled`]
/// when `control` was cancelled, database errors. Nothing is written in every error case.
pub fn generate(
    catalog: &mut Catalog,
    tracks: u64,
    seed: u64,
    control: &JobControl,
) -> Result<GenerateSummary, GenerateError> {
    if let Some(what) = existing_content(catalog.conn())? {
        return Err(GenerateError::NotEmpty(what));
    }
    // A big page cache, no foreign-key lookups (every reference is made by construction;
    // `check` verifies them) and, when nothing else has the file open, no write-ahead log.
    let settings = bulk::BulkSettings::apply(catalog.conn())?;
    let result = generate_in_transaction(catalog, tracks, seed, control);
    let restored = settings.restore(catalog.conn());
    let summary = result?;
    restored?;
    Ok(summary)
}

/// Tables the generator fills row by row; their secondary indexes are built after the rows.
#[rustfmt::skip]
const BULK_TABLES: &[&str] = &[
    "artists", "releases", "release_artists", "formats", "catalog_numbers", "tracks",
];

fn generate_in_transaction(
    catalog: &mut Catalog,
    tracks: u64,
    seed: u64,
    control: &JobControl,
) -> Result<GenerateSummary, GenerateError> {
    let total = tracks.saturating_mul(2).max(1);
    let part = |f: u64| tracks.saturating_mul(f) / 100;
    control.set_total(total);
    control.set_done(0);
    control.set_stage("Planning the catalog");
    let started = Instant::now();
    let tx = catalog.transaction()?;

    // The search triggers fire per row and indexes grow row by row: both are dropped and
    // built once at the end instead.
    let mut bulk = bulk::BulkLoad::begin(&tx, BULK_TABLES)?;

    let mut summary = write_rows(&tx, &mut bulk, tracks, seed, control)?;
    summary.timings.rows = started.elapsed();

    control.check()?;
    control.set_stage("Building indexes");
    let step = Instant::now();
    bulk.restore_indexes(&tx)?;
    summary.timings.indexes = step.elapsed();
    control.set_done(part(115));

    control.check()?;
    control.set_stage("Finishing the search index");
    let step = Instant::now();
    let Some(built) = bulk.build_search(&tx, control, part(115), part(195))? else {
        return Err(Cancelled.into());
    };
    summary.search_docs = built.documents;
    summary.timings.search = built;
    bulk.restore_triggers(&tx)?;
    summary.timings.search_index = step.elapsed();

    control.check()?;
    control.set_stage("Saving");
    let step = Instant::now();
    tx.commit()?;
    summary.timings.commit = step.elapsed();
    control.set_done(total);
    Ok(summary)
}

/// Everything the release loop needs to remember between releases.
struct State {
    label_ids: Vec<i64>,
    /// Each label's ISRC prefix as `Isrc::from_parts` writes it.
    isrc_prefixes: Vec<String>,
    catno_serial: Vec<u64>,
    barcode_serial: Vec<u64>,
    /// Next ISRC designation per (label, two-digit year).
    designation: Vec<[u32; 100]>,
    artists: u64,
    first_artist: i64,
}

fn write_rows(
    tx: &Transaction<'_>,
    bulk: &mut bulk::BulkLoad,
    tracks: u64,
    seed: u64,
    control: &JobControl,
) -> Result<GenerateSummary, GenerateError> {
    let mut rng = Rng::new(seed);
    let mut summary = GenerateSummary::default();
    let next_id = |table: &str| -> rusqlite::Result<i64> {
        tx.query_row(
            &format!("SELECT coalesce(max(id), 0) + 1 FROM {table}"),
            [],
            |r| r.get(0),
        )
    };

    // Labels: the first is the user's own.
    let mut state = State {
        label_ids: Vec::new(),
        isrc_prefixes: LABELS
            .iter()
            .map(|spec| crate::model::validate_isrc_prefix(spec.isrc_prefix))
            .collect::<Result<_, _>>()?,
        catno_serial: vec![0; LABELS.len()],
        barcode_serial: vec![0; LABELS.len()],
        designation: vec![[0; 100]; LABELS.len()],
        artists: tracks.div_ceil(50),
        first_artist: next_id("artists")?,
    };
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO labels (name, is_own, catno_prefix, isrc_prefix, currency, notes, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, '', ?6, ?6)",
        )?;
        for (i, spec) in LABELS.iter().enumerate() {
            stmt.execute(params![
                spec.name,
                i == 0,
                spec.catno_prefix,
                spec.isrc_prefix,
                spec.currency,
                GENERATED_AT
            ])?;
            state.label_ids.push(tx.last_insert_rowid());
            summary.labels += 1;
        }
    }

    control.set_stage("Writing artists");
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO artists (id, name, sort_name, status, archived, country, genres, email, phone, manager,
                                  links, notes, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', ?9, '', '', ?10, ?10)",
        )?;
        for i in 0..state.artists {
            let (name, sort_name) = artist_name(&mut rng);
            let status = match rng.below(100) {
                0..=29 => "signed",
                30..=49 => "prospect",
                _ => "alumni",
            };
            let genres = if rng.chance(30) {
                format!("{}, {}", rng.pick(GENRES), rng.pick(GENRES))
            } else {
                (rng.pick(GENRES)).to_owned()
            };
            let email = format!("{}{}@example.com", slug(&name), i);
            let manager = if rng.chance(20) {
                format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES))
            } else {
                String::new()
            };
            let id = state.first_artist + i64::try_from(i).unwrap_or(0);
            stmt.execute(params![
                id,
                name,
                sort_name,
                status,
                rng.chance(5),
                rng.pick(COUNTRIES),
                genres,
                email,
                manager,
                GENERATED_AT
            ])?;
            bulk.add_artist(id, &name, &sort_name);
            summary.artists += 1;
        }
    }

    control.set_stage("Writing releases and tracks");
    let plans = plan_releases(&mut rng, tracks.div_ceil(10), tracks);
    let first_release = next_id("releases")?;
    let first_format = next_id("formats")?;
    let first_track = next_id("tracks")?;
    let mut ids = Ids {
        release: first_release,
        format: first_format,
        track: first_track,
    };
    let today = NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap_or(NaiveDate::MIN);
    let mut scratch = Scratch::default();
    let mut inserts = Inserts::prepare(tx)?;
    let mut done_tracks = 0_u64;
    for (n, plan) in plans.iter().enumerate() {
        write_release(
            &mut inserts,
            bulk,
            &mut rng,
            &mut state,
            &mut ids,
            *plan,
            today,
            &mut scratch,
            &mut summary,
        )?;
        done_tracks += u64::from(plan.tracks);
        if (n as u64 + 1).is_multiple_of(CHECK_EVERY) {
            control.check()?;
            control.set_done(done_tracks);
        }
    }
    control.set_done(done_tracks);
    Ok(summary)
}

struct Ids {
    release: i64,
    format: i64,
    track: i64,
}

/// Buffers reused from one release to the next.
#[derive(Default)]
struct Scratch {
    title: String,
    catno: String,
    barcode: String,
    isrc: String,
    kinds: Vec<FormatKind>,
    format_ids: Vec<(FormatKind, i64)>,
    credited: Vec<i64>,
}

/// The inserts of the release loop, prepared once for the whole catalog.
struct Inserts<'tx> {
    release: rusqlite::Statement<'tx>,
    credit: rusqlite::Statement<'tx>,
    catno: rusqlite::Statement<'tx>,
    format: rusqlite::Statement<'tx>,
    track: rusqlite::Statement<'tx>,
}

impl<'tx> Inserts<'tx> {
    fn prepare(tx: &'tx Transaction<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            release: tx.prepare(
                "INSERT INTO releases (id, label_id, title, release_type, status, release_date, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', ?7, ?7)",
            )?,
            credit: tx.prepare(
                "INSERT INTO release_artists (release_id, artist_id, role, position) VALUES (?1, ?2, ?3, ?4)",
            )?,
            catno: tx.prepare(
                "INSERT INTO catalog_numbers (release_id, label_id, format_id, catno, position) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            format: tx.prepare(
                "INSERT INTO formats (id, release_id, kind, variant, discs, barcode, release_date, currency, retail_price,
                                      dealer_price, pressed_quantity, position, notes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, ?10, ?11, '')",
            )?,
            track: tx.prepare(
                "INSERT INTO tracks (id, release_id, disc, position, seq, title, duration_ms, isrc, featured_artist_id, notes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '')",
            )?,
        })
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one release's writer: the arguments are the generator's running state"
)]
fn write_release(
    inserts: &mut Inserts<'_>,
    bulk: &mut bulk::BulkLoad,
    rng: &mut Rng,
    state: &mut State,
    ids: &mut Ids,
    plan: Plan,
    today: NaiveDate,
    scratch: &mut Scratch,
    summary: &mut GenerateSummary,
) -> Result<(), GenerateError> {
    let release_id = ids.release;
    ids.release += 1;
    let label = if rng.chance(35) {
        0
    } else {
        rng.index(LABELS.len())
    };
    let spec = &LABELS[label];
    let idea = rng.chance(2);
    let date = release_date(rng);
    let status = if idea {
        ReleaseStatus::Idea
    } else {
        status_for(rng, date, today)
    };
    let date = (!idea).then_some(date);

    // Title.
    match plan.kind {
        ReleaseType::Compilation if rng.chance(50) => {
            scratch.title.clear();
            scratch.title.push_str(spec.name);
            let series = rng.pick(&["Sampler", "Selected Works", "Collected", "Anthology"]);
            let volume = rng.between(1, 12);
            let _ = write!(scratch.title, ": {series} Vol. {volume}");
        }
        ReleaseType::Live if rng.chance(60) => {
            scratch.title.clear();
            scratch.title.push_str("Live at the ");
            scratch.title.push_str(rng.pick(NOUNS));
            scratch.title.push(' ');
            scratch
                .title
                .push_str(rng.pick(&["Hall", "Club", "Theatre", "Festival"]));
        }
        _ => title_case_words(rng, &mut scratch.title),
    }
    inserts.release.execute(params![
        release_id,
        state.label_ids[label],
        scratch.title,
        plan.kind,
        status,
        date,
        GENERATED_AT
    ])?;
    summary.releases += 1;

    // Artist credits: one main artist; compilations and splits have several.
    scratch.credited.clear();
    let mains = match plan.kind {
        ReleaseType::Compilation => rng.between(2, 4),
        ReleaseType::Single | ReleaseType::Ep if rng.chance(4) => 2,
        _ => 1,
    };
    let (first_artist, artists) = (state.first_artist, state.artists);
    let pick_artist =
        move |rng: &mut Rng| first_artist + i64::try_from(rng.below(artists)).unwrap_or(0);
    if state.artists > 0 {
        let stmt = &mut inserts.credit;
        for _ in 0..mains {
            let artist = pick_artist(rng);
            if scratch.credited.contains(&artist) {
                continue;
            }
            stmt.execute(params![
                release_id,
                artist,
                "primary",
                scratch.credited.len()
            ])?;
            scratch.credited.push(artist);
            summary.credits += 1;
        }
        if plan.kind == ReleaseType::Album && rng.chance(5) {
            let producer = pick_artist(rng);
            stmt.execute(params![
                release_id,
                producer,
                "producer",
                scratch.credited.len()
            ])?;
            summary.credits += 1;
        }
    }

    // Catalog number once the release is scheduled.
    if !idea {
        state.catno_serial[label] += 1;
        write_catno(spec, state.catno_serial[label], &mut scratch.catno);
        inserts.catno.execute(params![
            release_id,
            state.label_ids[label],
            None::<i64>,
            scratch.catno,
            0
        ])?;
        summary.catalog_numbers += 1;
    }

    // Formats, each with its own barcode once scheduled.
    draw_formats(rng, plan.kind, &mut scratch.kinds);
    scratch.format_ids.clear();
    let released = matches!(status, ReleaseStatus::Released | ReleaseStatus::OutOfPrint);
    {
        let stmt = &mut inserts.format;
        for (position, &kind) in scratch.kinds.iter().enumerate() {
            let format_id = ids.format;
            ids.format += 1;
            let code = if idea {
                None
            } else {
                state.barcode_serial[label] += 1;
                Some(barcode_with(
                    label,
                    spec,
                    state.barcode_serial[label],
                    &mut scratch.barcode,
                )?)
            };
            let variant = if kind == FormatKind::Vinyl12 && rng.chance(12) {
                rng.pick(VARIANTS)
            } else {
                ""
            };
            let discs = match kind {
                FormatKind::Vinyl12 if plan.tracks > 12 => 2,
                FormatKind::Cd if plan.tracks > 24 => 2,
                _ => 1,
            };
            let (retail, dealer) = prices(rng, kind, spec.currency);
            let pressed = if released { pressing(rng, kind) } else { None };
            stmt.execute(params![
                format_id,
                release_id,
                kind,
                variant,
                discs,
                code.as_ref().map(Barcode::as_str),
                spec.currency,
                retail,
                dealer,
                pressed,
                position
            ])?;
            scratch.format_ids.push((kind, format_id));
            summary.formats += 1;
        }
    }
    // Some vinyl editions carry their own catalog number, e.g. HLR042LP.
    if !idea
        && rng.chance(5)
        && let Some(&(_, vinyl)) = scratch
            .format_ids
            .iter()
            .find(|(k, _)| *k == FormatKind::Vinyl12)
    {
        scratch.catno.push_str("LP");
        inserts.catno.execute(params![
            release_id,
            state.label_ids[label],
            vinyl,
            scratch.catno,
            1
        ])?;
        summary.catalog_numbers += 1;
    }

    // Tracks.
    let count = usize::try_from(plan.tracks).unwrap_or(0);
    let vinyl = scratch.kinds.iter().any(|k| k.is_vinyl());
    let sides = if !vinyl {
        0
    } else if count > 12 {
        4
    } else {
        2
    };
    let positions = suggest_positions(count, sides);
    let year = date.map_or(0, |d| {
        usize::try_from(d.year().rem_euclid(100)).unwrap_or(0)
    });
    let stmt = &mut inserts.track;
    for (seq, position) in positions.iter().enumerate() {
        let track_id = ids.track;
        ids.track += 1;
        title_case_words(rng, &mut scratch.title);
        if plan.kind == ReleaseType::Single && seq > 0 && rng.chance(50) {
            scratch.title.push_str(" (");
            scratch.title.push_str(rng.pick(MIX_NAMES));
            scratch.title.push(')');
        }
        let disc = match position.as_bytes().first() {
            Some(b'C' | b'D') => 2,
            _ => 1,
        };
        let duration = match plan.kind {
            ReleaseType::Single => rng.between(150_000, 270_000),
            ReleaseType::Mixtape => rng.between(60_000, 240_000),
            _ => rng.between(95_000, 480_000),
        };
        let isrc = if idea {
            None
        } else {
            let next = &mut state.designation[label][year];
            *next += 1;
            if *next > 99_999 {
                None
            } else {
                let y = u8::try_from(year).unwrap_or(0);
                write_isrc(&state.isrc_prefixes[label], y, *next, &mut scratch.isrc);
                Some(scratch.isrc.as_str())
            }
        };
        let featured = (state.artists > 0 && rng.chance(4)).then(|| pick_artist(rng));
        stmt.execute(params![
            track_id,
            release_id,
            disc,
            position,
            seq,
            scratch.title,
            duration,
            isrc,
            featured
        ])?;
        bulk.add_track(track_id, &scratch.title, isrc);
        summary.tracks += 1;
    }
    Ok(())
}

/// `labeldesk generate --db PATH --tracks N [--seed S]`: writes a synthetic catalog into a
/// new file (or an existing empty catalog) and reports rows, seconds and rows per second.
///
/// # Errors
/// A catalog that already holds data is refused (and left untouched); database and output
/// errors.
pub fn run_cli(
    db: &Path,
    tracks: u64,
    seed: u64,
    out: &mut dyn Write,
) -> Result<(), crate::cli::CliError> {
    use crate::cli::CliError;
    let created = !db.exists();
    let mut catalog = if created {
        Catalog::create(db)?
    } else {
        let catalog = Catalog::open(db)?;
        if let Some(what) = existing_content(catalog.conn())? {
            return Err(CliError::Usage(format!(
                "{} already holds a catalog ({what}): generate writes only into a new file or an empty catalog. \
                 Nothing was changed.",
                db.display()
            )));
        }
        catalog
    };
    let control = JobControl::detached();
    let started = Instant::now();
    let summary = match generate(&mut catalog, tracks, seed, &control) {
        Ok(summary) => summary,
        Err(e) => {
            if created {
                // Leave nothing behind, not even the empty catalog made for it.
                drop(catalog);
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = db.as_os_str().to_owned();
                    name.push(suffix);
                    let _ = std::fs::remove_file(std::path::PathBuf::from(name));
                }
            }
            return Err(match e {
                GenerateError::Db(e) => CliError::Db(e),
                other => CliError::Usage(other.to_string()),
            });
        }
    };
    // Move everything from the -wal into the catalog file itself, as part of the cost.
    let step = Instant::now();
    catalog
        .conn()
        .query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(DbError::from)?;
    let checkpoint = step.elapsed();
    let seconds = started.elapsed().as_secs_f64();
    let rows = summary.rows();
    writeln!(
        out,
        "generated {} (seed {seed}): {} labels, {} artists, {} releases, {} formats, {} catalog numbers, {} tracks, {} credits",
        db.display(),
        summary.labels,
        summary.artists,
        summary.releases,
        summary.formats,
        summary.catalog_numbers,
        summary.tracks,
        summary.credits
    )?;
    let t = summary.timings;
    writeln!(out, "rows: {rows}")?;
    writeln!(out, "seconds: {seconds:.2}")?;
    writeln!(out, "rows/s: {:.0}", rows as f64 / seconds.max(1e-9))?;
    writeln!(
        out,
        "time: rows {:.2} s, indexes {:.2} s, search index {:.2} s (documents {:.2} s, waiting for the index threads {:.2} s, copying their indexes {:.2} s), commit {:.2} s, checkpoint {:.2} s",
        t.rows.as_secs_f64(),
        t.indexes.as_secs_f64(),
        t.search_index.as_secs_f64(),
        t.search.writing_documents.as_secs_f64(),
        t.search.waiting.as_secs_f64(),
        t.search.copying.as_secs_f64(),
        t.commit.as_secs_f64(),
        checkpoint.as_secs_f64()
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_sum_to_the_requested_tracks() {
        for (releases, tracks) in [
            (1, 1),
            (1, 5),
            (3, 25),
            (100, 1000),
            (1000, 10_000),
            (10, 397),
        ] {
            let mut rng = Rng::new(7);
            let plans = plan_releases(&mut rng, releases, tracks);
            assert_eq!(plans.len() as u64, releases);
            assert_eq!(
                plans.iter().map(|p| u64::from(p.tracks)).sum::<u64>(),
                tracks,
                "{releases} releases, {tracks} tracks"
            );
            assert!(plans.iter().all(|p| (1..=40).contains(&p.tracks)));
        }
    }

    #[test]
    fn barcodes_and_catalog_numbers_are_valid() {
        for (i, spec) in LABELS.iter().enumerate() {
            for serial in [1, 99_999, 100_000, 2_500_000] {
                let code = barcode(i, spec, serial).expect("barcode");
                assert!(Barcode::parse(code.as_str()).is_ok());
                assert_eq!(
                    code.as_str().len(),
                    if spec.gs1.is_some() { 13 } else { 12 }
                );
            }
            let prefix = crate::model::validate_isrc_prefix(spec.isrc_prefix).expect("prefix");
            let mut written = String::new();
            for (year, designation) in [(0, 1), (7, 42), (26, 99_999)] {
                write_isrc(&prefix, year, designation, &mut written);
                let parts = crate::model::Isrc::from_parts(spec.isrc_prefix, year, designation)
                    .expect("isrc");
                assert_eq!(written, parts.as_str());
            }
            let mut buffer = String::from("left over");
            write_catno(spec, 7, &mut buffer);
            assert_eq!(buffer, catno(spec, 7));
            assert!(crate::model::CatalogNumber::parse(&catno(spec, 7)).is_ok());
        }
    }

    #[test]
    fn a_small_catalog_passes_the_full_check_and_cancel_writes_nothing() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let control = JobControl::detached();
        control.cancel();
        assert!(matches!(
            generate(&mut catalog, 2_000, 1, &control),
            Err(GenerateError::Cancelled(_))
        ));
        assert_eq!(existing_content(catalog.conn()).expect("count"), None);

        let control = JobControl::detached();
        let summary = generate(&mut catalog, 2_000, 1, &control).expect("generate");
        assert_eq!(summary.tracks, 2_000);
        assert_eq!(summary.releases, 200);
        assert_eq!(summary.artists, 40);
        let report = crate::db::check::run(catalog.conn()).expect("check");
        assert!(report.is_ok(), "{report:?}");
        assert!(matches!(
            generate(&mut catalog, 10, 1, &control),
            Err(GenerateError::NotEmpty(_))
        ));

        let mut empty = Catalog::open_in_memory().expect("catalog");
        let summary = generate(&mut empty, 0, 1, &control).expect("no tracks");
        assert_eq!(
            (summary.tracks, summary.releases, summary.artists),
            (0, 0, 0)
        );
        assert!(crate::db::check::run(empty.conn()).expect("check").is_ok());
    }
}
