//! `cargo bench --bench scale`: Labeldesk on a million-track catalog.
//!
//! Builds the catalog once with `labeldesk generate`'s code (cached under
//! `target/bench-data/`, rebuilt when the generator or the schema changes), then measures, each
//! as median and p95 over repeated runs, on this machine:
//!
//! - cold open to the first rendered frame (`Catalog::open` + first headless egui pass of the
//!   Catalog panel + tessellation, a fresh `egui::Context` each time, warm OS page cache),
//! - search-as-you-type: 20 queries through `db::search::search` (the UI's path), and as the
//!   baseline the same SQL run by the machine's `sqlite3` shell on the same file: the FTS5
//!   statements alone, and with the per-hit lookups `search` does to show its results,
//! - a whole `labeldesk search` process,
//! - frame time while scrolling the Catalog table top to bottom, without and with the release
//!   editor open (headless `egui::Context::run_ui` + `tessellate`, frames back to back), and
//!   the fast scroll and a still frame paced at 60 frames a second like a display,
//! - opening a release with 30 tracks in the editor (click → editor drawn),
//! - `generate` throughput and JSON import throughput,
//! - peak resident memory of a process that opens the catalog, draws it, scrolls it, opens
//!   the editor and searches (a child process, so the generator's memory does not count).
//!
//! Options (after `--`): `--tracks=N` (default 1000000), `--generate-runs=N` (default 3),
//! `--skip-json`, `--quick` (fewer repetitions). Times are wall clock; the load average before
//! and after is printed because other work on the machine inflates them.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "frame counts, repetitions and percentile ranks come from small, positive measurements"
)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, Pos2, RawInput, Rect, TouchPhase};
use egui_kittest::kittest::Queryable as _;
use labeldesk::app::{LabeldeskApp, UiState};
use labeldesk::db::releases::{ReleaseFilter, order_cache};
use labeldesk::db::{self, Catalog};
use labeldesk::io::generate::{self, GENERATOR_VERSION};
use labeldesk::jobs::JobControl;
use labeldesk::model::ReleaseId;
use labeldesk::ui::catalog::CatalogState;

const SEED: u64 = 1;
const WINDOW: egui::Vec2 = egui::vec2(1280.0, 800.0);
/// Results the global search box asks for (`ui::search::SEARCH_LIMIT`).
const SEARCH_LIMIT: usize = 30;

struct Options {
    tracks: u64,
    generate_runs: usize,
    json: bool,
    quick: bool,
}

fn options() -> Options {
    let mut o = Options {
        tracks: 1_000_000,
        generate_runs: 3,
        json: true,
        quick: false,
    };
    for arg in std::env::args().skip(1) {
        if let Some(n) = arg.strip_prefix("--tracks=") {
            o.tracks = n.parse().expect("--tracks=N");
        } else if let Some(n) = arg.strip_prefix("--generate-runs=") {
            o.generate_runs = n.parse().expect("--generate-runs=N");
        } else if arg == "--skip-json" {
            o.json = false;
        } else if arg == "--quick" {
            o.quick = true;
        }
    }
    o
}

// ---------------------------------------------------------------------------------------------
// Statistics and the report

#[derive(Default, Clone)]
struct Samples(Vec<Duration>);

impl Samples {
    fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut v = self.0.clone();
        v.sort_unstable();
        v
    }

    /// Nearest-rank percentile.
    fn percentile(&self, p: f64) -> Duration {
        let v = self.sorted();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
        v[rank.min(v.len()) - 1]
    }

    fn median(&self) -> Duration {
        self.percentile(50.0)
    }

    fn p95(&self) -> Duration {
        self.percentile(95.0)
    }

    fn max(&self) -> Duration {
        self.0.iter().copied().max().unwrap_or_default()
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// One line of the results table.
struct Row {
    what: String,
    median: String,
    p95: String,
    target: String,
    verdict: &'static str,
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Report {
    fn row(
        &mut self,
        what: impl Into<String>,
        median: String,
        p95: String,
        target: &str,
        ok: Option<bool>,
    ) {
        let row = Row {
            what: what.into(),
            median,
            p95,
            target: target.to_owned(),
            verdict: ok.map_or("", verdict),
        };
        println!(
            "  {:<58} median {:>12}  p95 {:>12}  {}",
            row.what, row.median, row.p95, row.verdict
        );
        self.rows.push(row);
    }

    fn note(&mut self, text: impl Into<String>) {
        let text = text.into();
        println!("  note: {text}");
        self.notes.push(text);
    }
}

fn cpu_seconds() -> f64 {
    // Tick-granular (a few ms): only used for totals over many frames.
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "?".to_owned(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown CPU", str::trim)
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or_else(
            || "?".to_owned(),
            |kb| format!("{} GiB RAM", kb / 1024 / 1024),
        );
    let shell = sqlite3_version().unwrap_or_else(|| "no sqlite3 shell".to_owned());
    format!(
        "{cores} cores ({model}), {mem}; SQLite {} (bundled), sqlite3 shell {shell}",
        rusqlite::version()
    )
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// The cached catalog

fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    target.join("bench-data")
}

fn remove_catalog(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// One `generate` run into a new file: create + generate + checkpoint, like the CLI.
fn generate_file(path: &Path, tracks: u64) -> (Duration, generate::GenerateSummary) {
    remove_catalog(path);
    let started = Instant::now();
    let mut catalog = Catalog::create(path).expect("create the catalog");
    let control = JobControl::detached();
    let summary = generate::generate(&mut catalog, tracks, SEED, &control).expect("generate");
    catalog
        .conn()
        .query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    let took = started.elapsed();
    drop(catalog);
    (took, summary)
}

/// The cached catalog for `tracks`, built when missing; stale versions are removed.
fn cached_catalog(
    tracks: u64,
    report: &mut Report,
    generated: &mut Vec<(Duration, generate::GenerateSummary)>,
) -> PathBuf {
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).expect("bench-data folder");
    let stem = format!("scale-{tracks}-seed{SEED}");
    let name = format!(
        "{stem}-gen{GENERATOR_VERSION}-schema{}.sqlite",
        db::migrations::latest_version()
    );
    let path = dir.join(&name);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with(&stem) && !file.starts_with(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    if path.exists() {
        report.note(format!("catalog: {} (cached)", path.display()));
    } else {
        println!("building the {tracks}-track catalog (cached for later runs)…");
        let tmp = dir.join(format!("{name}.building"));
        let run = generate_file(&tmp, tracks);
        std::fs::rename(&tmp, &path).expect("move the catalog into place");
        generated.push(run);
        report.note(format!("catalog: {} (built now)", path.display()));
    }
    path
}

// ---------------------------------------------------------------------------------------------
// Headless frames

struct Headless {
    ctx: egui::Context,
    time: f64,
}

impl Headless {
    fn new() -> Self {
        Self {
            ctx: egui::Context::default(),
            time: 0.0,
        }
    }

    /// One frame: the app's UI pass plus tessellation (the CPU work before the GPU).
    fn frame(&mut self, app: &mut LabeldeskApp, events: Vec<Event>) -> Duration {
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, WINDOW)),
            time: Some(self.time),
            predicted_dt: 1.0 / 60.0,
            focused: true,
            events,
            ..Default::default()
        };
        self.time += 1.0 / 60.0;
        let started = Instant::now();
        let mut output = self.ctx.run_ui(input, |ui| app.frame_ui(ui));
        let shapes = std::mem::take(&mut output.shapes);
        let primitives = self.ctx.tessellate(shapes, output.pixels_per_point);
        let took = started.elapsed();
        std::hint::black_box(primitives);
        output.drop_without_applying_deltas();
        took
    }
}

fn wheel(phase: TouchPhase, dy: f32) -> Event {
    Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: egui::vec2(0.0, dy),
        phase,
        source: MouseWheelSource::Trackpad,
        modifiers: Modifiers::NONE,
    }
}

fn open_app(path: &Path, state: UiState) -> LabeldeskApp {
    LabeldeskApp::new(Catalog::open(path).expect("open the catalog"), state)
}

fn state_with(selected: Option<ReleaseId>, filter_text: &str) -> UiState {
    UiState {
        catalog: CatalogState {
            filter: ReleaseFilter {
                text: filter_text.to_owned(),
                ..Default::default()
            },
            selected,
        },
        ..Default::default()
    }
}

fn cold_open(path: &Path, runs: usize) -> Samples {
    let mut samples = Samples::default();
    for _ in 0..runs {
        order_cache::clear();
        let mut headless = Headless::new();
        let started = Instant::now();
        let mut app = open_app(path, UiState::default());
        let _ = headless.frame(&mut app, Vec::new());
        samples.push(started.elapsed());
    }
    samples
}

struct Scroll {
    frames: Samples,
    cpu_per_frame: Duration,
    reads: labeldesk::ui::catalog::TableReads,
}

impl Scroll {
    /// What the table read, for the notes.
    fn reads(&self, rows: u64) -> String {
        let r = self.reads;
        format!(
            "{} rows fetched for {rows} ({} read ahead, {} on the UI thread), {} placeholder rows drawn over {} frames",
            r.rows_fetched,
            r.rows_read_ahead,
            r.rows_fetched - r.rows_read_ahead,
            r.placeholder_rows,
            self.frames.len()
        )
    }
}

/// A display's frame interval.
const FRAME_INTERVAL: Duration = Duration::from_micros(16_667);

/// Scrolls the Catalog table from top to bottom, `px` points per frame; with `paced`, one
/// frame every [`FRAME_INTERVAL`] as on screen (the time between frames is when the table's
/// reader thread reads ahead), else frames back to back.
fn scroll(path: &Path, editor: Option<ReleaseId>, px: f32, rows: u64, paced: bool) -> Scroll {
    order_cache::clear();
    let mut app = open_app(path, state_with(editor, ""));
    let mut headless = Headless::new();
    // Over the table: left of the editor when it is open.
    let pointer = if editor.is_some() {
        Pos2::new(400.0, 450.0)
    } else {
        Pos2::new(600.0, 450.0)
    };
    for _ in 0..5 {
        let _ = headless.frame(&mut app, vec![Event::PointerMoved(pointer)]);
    }
    let _ = headless.frame(&mut app, vec![wheel(TouchPhase::Start, 0.0)]);
    let height = rows as f32 * labeldesk::ui::theme::ROW_HEIGHT;
    let count = (height / px).ceil() as usize + 30;
    let mut frames = Samples::default();
    let cpu = cpu_seconds();
    let started = Instant::now();
    for n in 0..count {
        if paced {
            let due = started + FRAME_INTERVAL * u32::try_from(n).unwrap_or(u32::MAX);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        frames.push(headless.frame(&mut app, vec![wheel(TouchPhase::Move, -px)]));
    }
    // This thread only (the reader thread's reads are not in it).
    let cpu = cpu_seconds() - cpu;
    let _ = headless.frame(&mut app, vec![wheel(TouchPhase::End, 0.0)]);
    Scroll {
        cpu_per_frame: Duration::from_secs_f64(cpu / count as f64),
        reads: app.catalog_table_reads(),
        frames,
    }
}

/// `n` frames of the Catalog panel with nothing moving (no reads, no new text): back to back,
/// or one every [`FRAME_INTERVAL`].
fn still_frames(path: &Path, n: usize, paced: bool) -> Samples {
    order_cache::clear();
    let mut app = open_app(path, UiState::default());
    let mut headless = Headless::new();
    for _ in 0..5 {
        let _ = headless.frame(&mut app, vec![Event::PointerMoved(Pos2::new(600.0, 450.0))]);
    }
    let mut frames = Samples::default();
    let started = Instant::now();
    for i in 0..n {
        if paced {
            let due = started + FRAME_INTERVAL * u32::try_from(i).unwrap_or(u32::MAX);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        frames.push(headless.frame(&mut app, Vec::new()));
    }
    frames
}

/// Where the only row of a filtered table is drawn (found once through AccessKit).
fn row_position(path: &Path, release: &ThirtyTracks) -> Pos2 {
    let app = open_app(path, state_with(None, &release.filter()));
    let mut harness = egui_kittest::Harness::builder()
        .with_size(WINDOW)
        .build_eframe(move |_cc| app);
    harness.run();
    let node = harness
        .get_all_by_label(&release.title)
        .next()
        .expect("the release is listed");
    node.rect().center()
}

/// Click on a release row → editor drawn: the frame with the click and the frame that loads
/// and draws the editor.
fn open_release(path: &Path, release: &ThirtyTracks, pos: Pos2) -> Duration {
    order_cache::clear();
    let mut app = open_app(path, state_with(None, &release.filter()));
    let mut headless = Headless::new();
    for _ in 0..3 {
        let _ = headless.frame(&mut app, vec![Event::PointerMoved(pos)]);
    }
    let button = |pressed| Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    };
    let _ = headless.frame(&mut app, vec![button(true)]);
    let mut took = headless.frame(&mut app, vec![button(false)]);
    took += headless.frame(&mut app, Vec::new());
    assert_eq!(
        app.selected_release(),
        Some(release.id),
        "the click opened the release"
    );
    took
}

// ---------------------------------------------------------------------------------------------
// Search

struct Query {
    text: String,
    kind: &'static str,
}

fn queries(conn: &rusqlite::Connection) -> Vec<Query> {
    let one = |sql: &str| -> String {
        conn.query_row(sql, [], |r| r.get(0))
            .expect("a sample identifier")
    };
    let isrc = labeldesk::model::Isrc::parse(&one(
        "SELECT isrc FROM tracks WHERE isrc IS NOT NULL AND id >= (SELECT max(id) / 8 FROM tracks) ORDER BY id LIMIT 1",
    ))
    .expect("isrc");
    let catno_plain = one(
        "SELECT catno FROM catalog_numbers WHERE catno GLOB 'HLR[0-9]*' AND id >= (SELECT max(id) / 23 FROM catalog_numbers) ORDER BY id LIMIT 1",
    );
    let catno_hyphen = one(
        "SELECT catno FROM catalog_numbers WHERE catno GLOB 'SK-[0-9]*' AND id >= (SELECT max(id) / 81 FROM catalog_numbers) ORDER BY id LIMIT 1",
    );
    let ean = one(
        "SELECT barcode FROM formats WHERE length(barcode) = 13 AND id >= (SELECT max(id) / 290 FROM formats) ORDER BY id LIMIT 1",
    );
    let upc = one(
        "SELECT barcode FROM formats WHERE length(barcode) = 12 AND id >= (SELECT max(id) / 41 FROM formats) ORDER BY id LIMIT 1",
    );
    let shown = isrc.to_string();
    let mut q = Vec::new();
    let mut add = |text: &str, kind| {
        q.push(Query {
            text: text.to_owned(),
            kind,
        });
    };
    for text in [
        "s",
        "si",
        "sil",
        "silv",
        "silver",
        "silver h",
        "silver ha",
        "silver harbour",
    ] {
        add(text, "word prefix");
    }
    for text in ["y", "yar", "yara mo"] {
        add(text, "artist prefix");
    }
    for text in ["arbou", "ighthou", "ountai"] {
        add(text, "substring");
    }
    add(&shown, "ISRC (hyphens)");
    add(&isrc.as_str()[..7], "ISRC (first 7)");
    add(&catno_plain, "catalog number");
    add(&catno_hyphen, "catalog number");
    add(&ean, "barcode EAN-13");
    add(&format!("0{upc}"), "UPC-A as EAN-13");
    q
}

/// The FTS statements `db::search::matching_docs` runs for `text` (same SQL, literal values).
fn fts_statements(conn: &rusqlite::Connection, text: &str) -> Vec<String> {
    let literal = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut sql = Vec::new();
    let mut found = 0;
    if let Some(q) = db::search::word_query(text) {
        found = conn
            .prepare("SELECT rowid FROM search_words WHERE search_words MATCH ?1 LIMIT ?2")
            .and_then(|mut s| {
                s.query_map(rusqlite::params![q, SEARCH_LIMIT as i64], |_| Ok(()))?
                    .count_ok()
            })
            .expect("word query");
        sql.push(format!(
            "SELECT rowid FROM search_words WHERE search_words MATCH {} LIMIT {SEARCH_LIMIT};",
            literal(&q)
        ));
    }
    let identifier = labeldesk::model::looks_like_isrc(text.trim()).is_some()
        || labeldesk::model::looks_like_barcode(text.trim()).is_some()
        || text.split_whitespace().any(|t| {
            labeldesk::model::looks_like_isrc(t).is_some()
                || labeldesk::model::looks_like_barcode(t).is_some()
        });
    if found < SEARCH_LIMIT
        && !identifier
        && let Some(q) = db::search::trigram_query(text)
    {
        sql.push(format!(
            "SELECT rowid FROM search_trigram WHERE search_trigram MATCH {} LIMIT {};",
            literal(&q),
            SEARCH_LIMIT + found
        ));
    }
    sql
}

/// Everything `db::search::search` runs for `text`: the FTS statements, then one lookup per
/// hit (same SQL as `db::search`, literal ids).
fn search_statements(conn: &rusqlite::Connection, text: &str) -> Vec<String> {
    let mut sql = fts_statements(conn, text);
    for doc in db::search::matching_docs(conn, text, SEARCH_LIMIT).expect("search") {
        let template = match doc & 3 {
            0 => db::search::ARTIST_HIT_SQL,
            1 => db::search::RELEASE_HIT_SQL,
            _ => db::search::TRACK_HIT_SQL,
        };
        sql.push(format!(
            "{};",
            template.replace("?1", &(doc >> 2).to_string())
        ));
    }
    sql
}

trait CountOk {
    fn count_ok(self) -> rusqlite::Result<usize>;
}

impl<I: Iterator<Item = rusqlite::Result<()>>> CountOk for I {
    fn count_ok(self) -> rusqlite::Result<usize> {
        let mut n = 0;
        for r in self {
            r?;
            n += 1;
        }
        Ok(n)
    }
}

fn sqlite3_version() -> Option<String> {
    let out = Command::new("sqlite3").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().next().map(str::to_owned)
}

/// Wall time of one `sqlite3` process running `script` on `db`.
fn sqlite3_run(db: &Path, script: &str) -> Duration {
    let started = Instant::now();
    let mut child = Command::new("sqlite3")
        .args(["-batch", "-bail", "-init", "/dev/null"])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start sqlite3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write the script");
    let status = child.wait().expect("sqlite3 ran");
    assert!(status.success(), "sqlite3 failed");
    started.elapsed()
}

/// Per-execution time of `statements` in the `sqlite3` shell: a process running them
/// `repeat` times, minus a process running as many `SELECT 1;`, divided by `repeat`.
fn sqlite3_time(db: &Path, statements: &[String], repeat: usize, rounds: usize) -> Samples {
    let work: String = statements.concat().repeat(repeat);
    let idle: String = "SELECT 1;".repeat(statements.len() * repeat);
    let mut samples = Samples::default();
    let _ = sqlite3_run(db, &work); // warm
    for _ in 0..rounds {
        let busy = sqlite3_run(db, &work);
        let base = sqlite3_run(db, &idle);
        samples.push(busy.saturating_sub(base) / u32::try_from(repeat).unwrap_or(1));
    }
    samples
}

// ---------------------------------------------------------------------------------------------

struct ThirtyTracks {
    id: ReleaseId,
    title: String,
    catno: String,
}

impl ThirtyTracks {
    /// Table filter text that shows this release alone (a catalog number is also the prefix
    /// of longer ones, e.g. HLR291 of HLR2910).
    fn filter(&self) -> String {
        format!("{} {}", self.catno, self.title)
    }
}

fn thirty_track_releases(conn: &rusqlite::Connection, n: usize) -> Vec<ThirtyTracks> {
    let mut stmt = conn
        .prepare(
            "SELECT r.id, r.title, c.catno FROM releases r
             JOIN catalog_numbers c ON c.release_id = r.id AND c.position = 0
             WHERE r.id IN (SELECT release_id FROM tracks GROUP BY release_id HAVING count(*) = 30)
             ORDER BY r.id LIMIT ?1",
        )
        .expect("query");
    stmt.query_map([n as i64], |r| {
        Ok(ThirtyTracks {
            id: ReleaseId(r.get(0)?),
            title: r.get(1)?,
            catno: r.get(2)?,
        })
    })
    .expect("rows")
    .collect::<rusqlite::Result<_>>()
    .expect("30-track releases")
}

/// `--probe-rss PATH`: what a user does with the app open on the big catalog, then print the
/// peak resident memory. Runs as its own process.
fn probe_rss(path: &Path) -> ExitCode {
    let catalog = Catalog::open(path).expect("open");
    let rows = db::releases::count(catalog.conn(), &ReleaseFilter::default()).expect("count");
    let thirty = thirty_track_releases(catalog.conn(), 1);
    let release = thirty.first().map(|t| t.id);
    let mut app = LabeldeskApp::new(catalog, state_with(release, ""));
    let mut headless = Headless::new();
    let _ = headless.frame(&mut app, vec![Event::PointerMoved(Pos2::new(400.0, 450.0))]);
    let _ = headless.frame(&mut app, vec![wheel(TouchPhase::Start, 0.0)]);
    let px = 1200.0;
    let frames = (rows as f32 * labeldesk::ui::theme::ROW_HEIGHT / px) as usize + 30;
    for _ in 0..frames {
        let _ = headless.frame(&mut app, vec![wheel(TouchPhase::Move, -px)]);
    }
    if let Some(catalog) = app.catalog() {
        for q in queries(catalog.conn()) {
            let _ = db::search::search(catalog.conn(), &q.text, SEARCH_LIMIT).expect("search");
        }
    }
    println!("VmHWM {}", vm_hwm_kib());
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--probe-rss") {
        return probe_rss(Path::new(&args[i + 1]));
    }
    let o = options();
    let reps = |full: usize, quick: usize| if o.quick { quick } else { full };
    let machine = machine();
    let load_before = load_average();
    println!(
        "Labeldesk scale benchmark: {} tracks, seed {SEED}",
        o.tracks
    );
    println!("machine: {machine}");
    println!("load average before: {load_before}");
    let mut report = Report {
        rows: Vec::new(),
        notes: Vec::new(),
    };

    // The catalog, and generate throughput.
    let mut generated = Vec::new();
    let path = cached_catalog(o.tracks, &mut report, &mut generated);
    let tmp = bench_dir().join("generate-run.sqlite");
    while generated.len() < o.generate_runs {
        println!("generate run {}…", generated.len() + 1);
        generated.push(generate_file(&tmp, o.tracks));
    }
    remove_catalog(&tmp);

    let catalog = Catalog::open(&path).expect("open the catalog");
    let conn = catalog.conn();
    let counts = db::check::run(conn).expect("check");
    assert!(
        counts.is_ok(),
        "the generated catalog passes the full check"
    );
    let count = |t: &str| {
        counts
            .counts
            .iter()
            .find(|(n, _)| *n == t)
            .map_or(0, |(_, n)| *n)
    };
    let releases = count("releases");
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    report.note(format!(
        "catalog: {} artists, {releases} releases, {} formats, {} tracks; {} MB on disk; full check ok",
        count("artists"),
        count("formats"),
        count("tracks"),
        size / 1_000_000
    ));

    println!("\ncold open → first frame…");
    let cold = cold_open(&path, reps(10, 3));
    report.row(
        "Cold open → first Catalog frame (open + run_ui + tessellate)",
        ms(cold.median()),
        ms(cold.p95()),
        "≤ 300 ms",
        Some(cold.p95() <= Duration::from_millis(300)),
    );

    println!("\nsearch-as-you-type…");
    let qs = queries(conn);
    let rounds = reps(25, 5);
    let mut full = vec![Samples::default(); qs.len()];
    let mut fts = vec![Samples::default(); qs.len()];
    let mut hits = vec![0; qs.len()];
    for round in 0..=rounds {
        for (i, q) in qs.iter().enumerate() {
            let started = Instant::now();
            let found = db::search::search(conn, &q.text, SEARCH_LIMIT).expect("search");
            let took = started.elapsed();
            let started = Instant::now();
            let docs = db::search::matching_docs(conn, &q.text, SEARCH_LIMIT).expect("search");
            let fts_took = started.elapsed();
            std::hint::black_box(docs);
            if round > 0 {
                full[i].push(took);
                fts[i].push(fts_took);
            }
            hits[i] = found.len();
        }
    }
    let shell = sqlite3_version();
    // For each query: (FTS statements alone, everything `search` runs) in the shell.
    let mut baseline: Vec<Option<(Samples, Samples)>> = Vec::new();
    for (i, q) in qs.iter().enumerate() {
        // Enough repetitions for ~100 ms of work per process, so process start-up noise
        // (a few ms) stays small against it.
        let repeat = |d: Duration| ((0.1 / d.as_secs_f64().max(20e-6)) as usize).clamp(20, 2000);
        baseline.push(shell.as_ref().map(|_| {
            (
                sqlite3_time(
                    &path,
                    &fts_statements(conn, &q.text),
                    repeat(fts[i].median()),
                    reps(5, 3),
                ),
                sqlite3_time(
                    &path,
                    &search_statements(conn, &q.text),
                    repeat(full[i].median()),
                    reps(5, 3),
                ),
            )
        }));
    }
    let mut all = Samples::default();
    let mut all_fts = Samples::default();
    let mut table = String::from(
        "| query | kind | hits | `search` median | `search` p95 | same SQL in sqlite3 | ratio | its FTS statements | same in sqlite3 | ratio |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let (mut sum_ours, mut sum_fts, mut sum_shell, mut sum_shell_fts) = (0.0, 0.0, 0.0, 0.0);
    let ratio =
        |a: Duration, b: Duration| format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64().max(1e-7));
    for (i, q) in qs.iter().enumerate() {
        all.0.extend(&full[i].0);
        all_fts.0.extend(&fts[i].0);
        sum_ours += full[i].median().as_secs_f64();
        sum_fts += fts[i].median().as_secs_f64();
        let (shell_all, all_ratio, shell_fts, fts_ratio) = match &baseline[i] {
            Some((fts_shell, all_shell)) => {
                sum_shell += all_shell.median().as_secs_f64();
                sum_shell_fts += fts_shell.median().as_secs_f64();
                (
                    ms(all_shell.median()),
                    ratio(full[i].median(), all_shell.median()),
                    ms(fts_shell.median()),
                    ratio(fts[i].median(), fts_shell.median()),
                )
            }
            None => Default::default(),
        };
        let _ = writeln!(
            table,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            q.text,
            q.kind,
            hits[i],
            ms(full[i].median()),
            ms(full[i].p95()),
            shell_all,
            all_ratio,
            ms(fts[i].median()),
            shell_fts,
            fts_ratio
        );
    }
    report.row(
        format!("Search, 20 queries × {rounds} (db::search::search, 30 hits)"),
        ms(all.median()),
        ms(all.p95()),
        "p95 ≤ 20 ms",
        Some(all.p95() <= Duration::from_millis(20)),
    );
    report.row(
        "  of which the FTS5 statements (matching_docs)",
        ms(all_fts.median()),
        ms(all_fts.p95()),
        "",
        None,
    );
    if sum_shell > 0.0 {
        let whole = sum_ours / sum_shell;
        report.row(
            "Search ÷ sqlite3 3.40 shell running the same SQL (sum of medians)",
            format!("{whole:.2}×"),
            String::new(),
            "≤ 2×",
            Some(whole <= 2.0),
        );
        let part = sum_fts / sum_shell_fts;
        report.row(
            "  FTS5 statements alone ÷ the same in the shell",
            format!("{part:.2}×"),
            String::new(),
            "≤ 2×",
            Some(part <= 2.0),
        );
        report.note(format!(
            "search, sum of the 20 medians: ours {} (FTS part {}), shell {} (FTS part {}); the shell parses every statement anew, the app reuses prepared ones",
            ms(Duration::from_secs_f64(sum_ours)),
            ms(Duration::from_secs_f64(sum_fts)),
            ms(Duration::from_secs_f64(sum_shell)),
            ms(Duration::from_secs_f64(sum_shell_fts)),
        ));
    } else {
        report.note("no sqlite3 shell on this machine: baseline not measured");
    }

    println!("\nlabeldesk search processes…");
    let exe = env!("CARGO_BIN_EXE_labeldesk");
    let mut process = Samples::default();
    for _ in 0..reps(5, 2) {
        for q in ["silver harbour", "arbou", qs[14].text.as_str()] {
            let started = Instant::now();
            let out = Command::new(exe)
                .args(["search", q, "--db"])
                .arg(&path)
                .stdout(Stdio::null())
                .status()
                .expect("labeldesk search");
            process.push(started.elapsed());
            assert!(out.success(), "labeldesk search failed");
        }
    }
    report.row(
        "Whole `labeldesk search QUERY --db` process",
        ms(process.median()),
        ms(process.p95()),
        "≤ 300 ms",
        Some(process.p95() <= Duration::from_millis(300)),
    );

    println!("\nscrolling…");
    let thirty = thirty_track_releases(conn, 10);
    let editor = thirty.first().map(|t| t.id);
    // Frames back to back, as the targets were set; then the fast scroll and a still frame
    // paced at 60 Hz like a display, to show what waking up every 16.7 ms costs on this machine.
    let fling = scroll(&path, None, 1200.0, releases, false);
    report.row(
        format!(
            "Frame, scrolling top→bottom, 1200 pt/frame ({} frames)",
            fling.frames.len()
        ),
        ms(fling.frames.median()),
        ms(fling.frames.p95()),
        "p95 ≤ 2 ms",
        Some(fling.frames.p95() <= Duration::from_millis(2)),
    );
    report.note(format!(
        "fling: every frame shows ~50 new rows (a page), read ahead on the reader thread while the frame before is drawn; max {}, mean CPU/frame {}; {}",
        ms(fling.frames.max()),
        ms(fling.cpu_per_frame),
        fling.reads(releases)
    ));
    let wheel_speed = scroll(&path, None, 120.0, releases, false);
    report.row(
        format!(
            "Frame, scrolling top→bottom, 120 pt/frame ({} frames)",
            wheel_speed.frames.len()
        ),
        ms(wheel_speed.frames.median()),
        ms(wheel_speed.frames.p95()),
        "p95 ≤ 2 ms",
        Some(wheel_speed.frames.p95() <= Duration::from_millis(2)),
    );
    report.note(format!(
        "wheel speed: max {}, mean CPU/frame {}; {}",
        ms(wheel_speed.frames.max()),
        ms(wheel_speed.cpu_per_frame),
        wheel_speed.reads(releases)
    ));
    let with_editor = scroll(&path, editor, 1200.0, releases, false);
    report.row(
        "Frame, scrolling 1200 pt/frame, editor open (30 tracks)",
        ms(with_editor.frames.median()),
        ms(with_editor.frames.p95()),
        "p95 ≤ 2 ms",
        Some(with_editor.frames.p95() <= Duration::from_millis(2)),
    );
    report.note(format!(
        "editor open: max {}, mean CPU/frame {}; {}",
        ms(with_editor.frames.max()),
        ms(with_editor.cpu_per_frame),
        with_editor.reads(releases)
    ));
    let paced = scroll(&path, None, 1200.0, releases, true);
    report.row(
        "  the 1200 pt/frame scroll paced at 60 Hz",
        ms(paced.frames.median()),
        ms(paced.frames.p95()),
        "",
        None,
    );
    report.note(format!(
        "fling at 60 Hz: max {}; {}",
        ms(paced.frames.max()),
        paced.reads(releases)
    ));
    let still = still_frames(&path, reps(600, 240), false);
    let still_paced = still_frames(&path, reps(600, 240), true);
    report.row(
        "  a still frame (nothing moves): back to back / at 60 Hz",
        format!("{} / {}", ms(still.median()), ms(still_paced.median())),
        format!("{} / {}", ms(still.p95()), ms(still_paced.p95())),
        "",
        None,
    );

    println!("\nopening releases with 30 tracks…");
    let mut open = Samples::default();
    for release in thirty.iter().take(reps(10, 3)) {
        let pos = row_position(&path, release);
        open.push(open_release(&path, release, pos));
    }
    report.row(
        format!(
            "Open a 30-track release in the editor ({} releases)",
            open.len()
        ),
        ms(open.median()),
        ms(open.p95()),
        "",
        None,
    );

    println!("\ngenerate throughput…");
    let mut gen_time = Samples::default();
    let mut rows_per_s = Vec::new();
    let mut all_rows_per_s = Vec::new();
    for (took, summary) in &generated {
        gen_time.push(*took);
        let secs = took.as_secs_f64();
        rows_per_s.push(summary.rows() as f64 / secs);
        all_rows_per_s.push((summary.rows() + summary.search_docs) as f64 / secs);
    }
    rows_per_s.sort_by(f64::total_cmp);
    all_rows_per_s.sort_by(f64::total_cmp);
    let median_of = |v: &[f64]| v.get(v.len() / 2).copied().unwrap_or(0.0);
    let worst_of = |v: &[f64]| v.first().copied().unwrap_or(0.0);
    if let Some((_, s)) = generated.first() {
        let rate = median_of(&rows_per_s);
        report.row(
            format!(
                "generate {} tracks ({} rows, {} runs): time",
                o.tracks,
                s.rows(),
                generated.len()
            ),
            format!("{:.1} s", gen_time.median().as_secs_f64()),
            format!("{:.1} s", gen_time.p95().as_secs_f64()),
            "< 15 s",
            Some(gen_time.p95() < Duration::from_secs(15)),
        );
        report.row(
            "generate: catalog rows/s (median; p95 column = slowest run)",
            format!("{rate:.0}"),
            format!("{:.0}", worst_of(&rows_per_s)),
            "≥ 200,000",
            Some(rate >= 200_000.0),
        );
        report.row(
            "generate: rows/s counting the search documents too",
            format!("{:.0}", median_of(&all_rows_per_s)),
            format!("{:.0}", worst_of(&all_rows_per_s)),
            "",
            None,
        );
        let t = s.timings;
        report.note(format!(
            "generate stages (run 1): rows (search index threads tokenizing beside them) {:.2} s, indexes {:.2} s, finishing the search index {:.2} s, commit {:.2} s",
            t.rows.as_secs_f64(),
            t.indexes.as_secs_f64(),
            t.search_index.as_secs_f64(),
            t.commit.as_secs_f64()
        ));
    }

    if o.json {
        println!("\nJSON export + import…");
        let json = bench_dir().join(format!("scale-{}-seed{SEED}.json", o.tracks));
        let control = JobControl::detached();
        let started = Instant::now();
        let exported = labeldesk::io::json::export_to_file(conn, &json, &control).expect("export");
        let export_took = started.elapsed();
        let target = bench_dir().join("import-run.sqlite");
        remove_catalog(&target);
        let mut into = Catalog::create(&target).expect("create");
        let started = Instant::now();
        let imported =
            labeldesk::io::json::import_file(&mut into, &json, &control).expect("import");
        let took = started.elapsed();
        drop(into);
        remove_catalog(&target);
        let _ = std::fs::remove_file(&json);
        let rate = imported.rows as f64 / took.as_secs_f64();
        report.row(
            format!(
                "JSON import (io::json::import_file, {} rows, 1 run)",
                imported.rows
            ),
            format!("{rate:.0} rows/s"),
            format!("{:.1} s", took.as_secs_f64()),
            "≥ 200,000 rows/s",
            Some(rate >= 200_000.0),
        );
        report.note(format!(
            "JSON export: {} rows, {} MB in {:.1} s (not a target)",
            exported.rows,
            exported.bytes / 1_000_000,
            export_took.as_secs_f64()
        ));
    }

    println!("\npeak memory…");
    drop(catalog);
    let out = Command::new(std::env::current_exe().expect("this program"))
        .arg("--probe-rss")
        .arg(&path)
        .output()
        .expect("probe");
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    report.row(
        "Peak RSS (VmHWM): open, draw, scroll all, editor, 20 searches",
        format!("{} MB", kib / 1024),
        String::new(),
        "≤ 200 MB",
        Some(kib > 0 && kib / 1024 <= 200),
    );

    let load_after = load_average();
    println!("\n## Results\n");
    println!("Machine: {machine}. Load average before / after: {load_before} / {load_after}.");
    println!(
        "Rerun: `cargo bench --bench scale` (release build; the catalog is cached in target/bench-data/).\n"
    );
    println!("| measurement | median | p95 | target | |\n|---|---:|---:|---|---|");
    for r in &report.rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            r.what.trim(),
            r.median,
            r.p95,
            r.target,
            r.verdict
        );
    }
    println!("\nNotes:");
    for n in &report.notes {
        println!("- {n}");
    }
    println!("\n### Search queries\n\n{table}");
    ExitCode::SUCCESS
}
