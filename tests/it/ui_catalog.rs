//! The Catalog panel and the app shell, driven like a user would with egui_kittest, with
//! assertions on the catalog afterwards.

use crate::common;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use labeldesk::app::{LabeldeskApp, UiState};
use labeldesk::db::{self, Catalog};
use labeldesk::model::{Currency, Label, LabelId, ReleaseId};

fn harness(catalog: Catalog) -> Harness<'static, LabeldeskApp> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 1500.0))
        .with_max_steps(24)
        .build_eframe(move |_cc| LabeldeskApp::new(catalog, UiState::default()))
}

fn catalog_with_label() -> Catalog {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    catalog
        .write(|tx| {
            db::labels::insert(
                tx,
                &Label {
                    id: LabelId::UNSAVED,
                    name: "Saltmarsh Records".to_owned(),
                    is_own: true,
                    catno_prefix: "SK".to_owned(),
                    isrc_prefix: Some("GBAYE".to_owned()),
                    currency: Currency::GBP,
                    notes: String::new(),
                },
            )
        })
        .expect("label");
    catalog
}

fn app_catalog<'a>(harness: &'a Harness<'_, LabeldeskApp>) -> &'a Catalog {
    harness.state().catalog().expect("catalog open")
}

fn replace_text(harness: &mut Harness<'_, LabeldeskApp>, label: &str, text: &str) {
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

#[test]
fn create_a_release_with_two_formats_and_four_tracks() {
    let mut harness = harness(catalog_with_label());
    harness.run();
    harness.get_by_label("New release").click();
    harness.run();
    let id = harness
        .state()
        .selected_release()
        .expect("the new release is open");

    replace_text(&mut harness, "Title", "Salt in the Wires");
    harness.key_press(Key::Enter);
    harness.run();

    for kind in ["CD", "12\" vinyl"] {
        harness.get_by_label("Add format").click();
        harness.run();
        harness.get_by_label(kind).click();
        harness.run();
    }
    for _ in 0..4 {
        harness.get_by_label("Add track").click();
        harness.run();
    }
    replace_text(&mut harness, "Title of track 2", "Copper Signal");
    replace_text(&mut harness, "Duration of track 2", "3:45");
    harness.key_press(Key::Enter);
    harness.run();

    let full = db::releases::load_full(app_catalog(&harness).conn(), id).expect("load");
    assert_eq!(full.release.title, "Salt in the Wires");
    let kinds: Vec<_> = full.formats.iter().map(|f| f.kind.code()).collect();
    assert_eq!(kinds, ["cd", "vinyl12"]);
    assert!(
        full.formats.iter().all(|f| f.currency == Currency::GBP),
        "formats take the label's currency"
    );
    assert_eq!(full.tracks.len(), 4);
    assert_eq!(full.tracks[1].title, "Copper Signal");
    assert_eq!(
        full.tracks[1]
            .duration
            .map(labeldesk::model::TrackDuration::millis),
        Some(225_000)
    );
    assert_eq!(
        full.release.label_id.map(|l| l.0),
        Some(1),
        "new releases belong to the own label"
    );
    assert!(
        harness
            .query_by_label_contains("4 tracks, total 3:45")
            .is_some(),
        "totals follow the tracklist"
    );
}

#[test]
fn an_invalid_isrc_shows_the_reason_and_saves_nothing() {
    let mut harness = harness(catalog_with_label());
    harness.run();
    harness.get_by_label("New release").click();
    harness.run();
    harness.get_by_label("Add track").click();
    harness.run();
    let id = harness.state().selected_release().expect("open");

    replace_text(&mut harness, "ISRC of track 1", "GB-AYE-2O-00001");
    assert!(
        harness
            .query_by_label_contains("letter O for zero")
            .is_some(),
        "the reason is shown while typing"
    );
    harness.key_press(Key::Enter);
    harness.run();
    let tracks = db::tracks::list_for_release(app_catalog(&harness).conn(), id).expect("tracks");
    assert_eq!(tracks.len(), 1);
    assert_eq!(tracks[0].isrc, None, "the invalid ISRC was not saved");
    assert!(
        harness
            .state()
            .status_text()
            .is_some_and(|s| s.contains("not saved")),
        "{:?}",
        harness.state().status_text()
    );

    // A valid one, typed with hyphens, is saved compact.
    replace_text(&mut harness, "ISRC of track 1", "gb-aye-26-00001");
    harness.key_press(Key::Enter);
    harness.run();
    let tracks = db::tracks::list_for_release(app_catalog(&harness).conn(), id).expect("tracks");
    assert_eq!(
        tracks[0].isrc.as_ref().map(labeldesk::model::Isrc::as_str),
        Some("GBAYE2600001")
    );
}

#[test]
fn assign_next_isrc_uses_the_labels_registrant_code() {
    let mut harness = harness(catalog_with_label());
    harness.run();
    harness.get_by_label("New release").click();
    harness.run();
    harness.get_by_label("Add track").click();
    harness.run();
    harness.get_by_label("Assign ISRC").click();
    harness.run();
    let id = harness.state().selected_release().expect("open");
    let tracks = db::tracks::list_for_release(app_catalog(&harness).conn(), id).expect("tracks");
    let isrc = tracks[0].isrc.as_ref().expect("assigned");
    assert_eq!(isrc.prefix(), "GBAYE");
    assert_eq!(isrc.designation(), 1);
}

#[test]
fn delete_a_release_then_undo_restores_it_with_tracks_and_formats() {
    // Without the demo's show: its record sales would keep the release (ledger lines).
    let catalog = common::demo_catalog_without_shows();
    let id = ReleaseId(3);
    let before = db::releases::load_full(catalog.conn(), id).expect("load");
    let mut harness = harness(catalog);
    harness.run();
    harness.get_by_label(&before.release.title).click();
    harness.run();
    assert_eq!(harness.state().selected_release(), Some(id));
    harness.get_by_label("Delete release…").click();
    harness.run();
    harness.get_by_label("Delete release").click();
    harness.run();
    assert!(
        db::releases::get(app_catalog(&harness).conn(), id).is_err(),
        "deleted"
    );
    assert!(
        harness.query_by_label(&before.release.title).is_none(),
        "gone from the table"
    );

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    let after = db::releases::load_full(app_catalog(&harness).conn(), id).expect("restored");
    assert_eq!(
        after, before,
        "same ids, tracks, formats and catalog numbers"
    );
    assert!(
        harness.query_by_label(&before.release.title).is_some(),
        "back in the table"
    );

    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.run();
    assert!(
        db::releases::get(app_catalog(&harness).conn(), id).is_err(),
        "redo deletes it again"
    );
}

#[test]
fn global_search_finds_a_track_by_isrc_and_opens_its_release() {
    let catalog = common::demo_catalog();
    let (release, title, isrc): (i64, String, String) = catalog
        .conn()
        .query_row(
            "SELECT release_id, title, isrc FROM tracks WHERE release_id = 7 AND seq = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("a demo track");
    let shown = labeldesk::model::Isrc::parse(&isrc)
        .expect("isrc")
        .to_string();
    let mut harness = harness(catalog);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    assert!(
        harness
            .get_by_role_and_label(Role::TextInput, "Search")
            .is_focused(),
        "Ctrl+K focuses search"
    );
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .type_text(&shown.to_lowercase());
    harness.run();
    assert!(
        harness.query_by_label_contains(&title).is_some(),
        "the track is listed"
    );
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().selected_release(), Some(ReleaseId(release)));
    assert!(
        harness
            .get_all_by_role(Role::TextInput)
            .any(|n| n.value().as_deref() == Some(title.as_str())),
        "the track's row is in the open editor"
    );
}

#[test]
fn a_table_of_100000_releases_only_builds_and_fetches_visible_rows() {
    let catalog = Catalog::open_in_memory().expect("catalog");
    catalog
        .conn()
        .execute_batch(
            "INSERT INTO labels (name, is_own) VALUES ('Big Back Catalog', 1);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
             INSERT INTO releases (title, release_date)
             SELECT printf('Release %06d', i), date('1990-01-01', '+' || (i / 10) || ' days') FROM n;",
        )
        .expect("100k releases");
    let mut harness = harness(catalog);
    harness.run();
    assert!(
        harness.query_by_label("Release 000001").is_some(),
        "the first row is drawn"
    );
    assert!(
        harness.query_by_label("Release 000060").is_none(),
        "a row below the fold is not built"
    );
    assert!(
        harness.query_by_label("Release 100000").is_none(),
        "the last row is not built"
    );
    let fetched = harness.state().catalog_rows_fetched();
    assert!(
        fetched > 0 && fetched <= 2 * labeldesk::ui::catalog::PAGE_ROWS,
        "fetched {fetched} rows for one screen"
    );
    let drawn = harness.get_all_by_label_contains("Release 0").count();
    assert!(
        (20..=60).contains(&drawn),
        "about one screen of rows drawn, got {drawn}"
    );
}

#[test]
fn first_run_offers_the_demo_label_and_creates_it() {
    let mut harness = harness(Catalog::open_in_memory().expect("empty"));
    harness.run();
    assert!(harness.query_by_label("Start empty").is_some());
    harness.get_by_label("Create demo label").click();
    harness.run();
    let releases: i64 = app_catalog(&harness)
        .conn()
        .query_row("SELECT count(*) FROM releases", [], |r| r.get(0))
        .expect("count");
    assert_eq!(releases, 20);
    assert!(
        harness.query_by_label("Harbour Lights").is_some(),
        "the Catalog panel shows the demo"
    );
}

#[test]
fn start_empty_saves_the_label_name() {
    let mut harness = harness(Catalog::open_in_memory().expect("empty"));
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Your label's name")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Your label's name")
        .type_text("Saltmarsh Records");
    harness.run();
    harness.get_by_label("Start empty").click();
    harness.run();
    let own = db::labels::own(app_catalog(&harness).conn())
        .expect("query")
        .expect("own label");
    assert_eq!(own.name, "Saltmarsh Records");
    assert!(
        harness.query_by_label("Start empty").is_none(),
        "welcome screen closed"
    );
}

#[test]
fn label_settings_feed_the_catalog_number_suggestion() {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    catalog
        .write(|tx| {
            db::labels::insert(
                tx,
                &Label {
                    is_own: true,
                    ..Label::new("Saltmarsh")
                },
            )
        })
        .expect("label");
    let mut harness = harness(catalog);
    harness.run();
    harness.get_by_label("Label…").click();
    harness.run();
    replace_text(&mut harness, "ISRC registrant code", "gb-ay");
    harness.get_by_label("Save").click();
    harness.run();
    let own = db::labels::own(app_catalog(&harness).conn())
        .expect("q")
        .expect("own");
    assert_eq!(
        own.isrc_prefix, None,
        "an invalid registrant code is not saved"
    );
    assert!(
        harness.query_by_label("Save").is_some(),
        "the dialog stays open"
    );
    replace_text(&mut harness, "ISRC registrant code", "gb-aye");
    replace_text(&mut harness, "Catalog-number prefix", "SK");
    harness.get_by_label("Save").click();
    harness.run();
    let own = db::labels::own(app_catalog(&harness).conn())
        .expect("q")
        .expect("own");
    assert_eq!(own.isrc_prefix.as_deref(), Some("GBAYE"));
    assert_eq!(own.catno_prefix, "SK");
    harness.get_by_label("New release").click();
    harness.run();
    harness.get_by_label("Add SK001").click();
    harness.run();
    let id = harness.state().selected_release().expect("open");
    let catnos = db::catnos::list_for_release(app_catalog(&harness).conn(), id).expect("catnos");
    assert_eq!(catnos.len(), 1);
    assert_eq!(catnos[0].catno.as_str(), "SK001");
    // Undo takes the catalog number away again.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert!(
        db::catnos::list_for_release(app_catalog(&harness).conn(), id)
            .expect("catnos")
            .is_empty()
    );
}

#[test]
fn search_on_a_catalog_file_answers_from_the_background_thread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("label.sqlite");
    let mut catalog = Catalog::create(&path).expect("create");
    catalog
        .write(|tx| labeldesk::demo::create(tx, common::today()))
        .expect("demo");
    let mut harness = harness(catalog);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .type_text("assombr");
    // The answer arrives from the "search" thread; keep drawing frames until it is shown.
    let mut found = false;
    for _ in 0..200 {
        harness.step();
        if harness
            .query_by_label_contains("Assombração  ·  release")
            .is_some()
        {
            found = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(found, "the background search answered");
    harness.key_press(Key::Enter);
    harness.run();
    let opened = harness
        .state()
        .selected_release()
        .expect("a release is open");
    let title = db::releases::get(app_catalog(&harness).conn(), opened)
        .expect("get")
        .title;
    assert_eq!(title, "Assombração");
}

#[test]
fn a_draft_typed_without_enter_is_saved_when_the_window_closes() {
    let mut harness = harness(catalog_with_label());
    harness.run();
    harness.get_by_label("New release").click();
    harness.run();
    let id = harness.state().selected_release().expect("open");
    replace_text(&mut harness, "Title", "Typed Then Closed");
    // No Enter, no focus change: the window closes now.
    harness.state_mut().shutdown();
    let release = db::releases::get(app_catalog(&harness).conn(), id).expect("release");
    assert_eq!(release.title, "Typed Then Closed");
}

#[test]
fn ctrl_z_in_a_text_field_does_not_undo_catalog_edits() {
    let mut harness = harness(catalog_with_label());
    harness.run();
    harness.get_by_label("New release").click();
    harness.run();
    let id = harness.state().selected_release().expect("open");
    harness
        .get_by_role_and_label(Role::TextInput, "Title")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Title")
        .type_text(" (remaster)");
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert!(
        db::releases::get(app_catalog(&harness).conn(), id).is_ok(),
        "the release (the last catalog edit) is still there"
    );
    assert_eq!(harness.state().history().len(), 1, "nothing was undone");
}

#[test]
fn a_cover_typed_as_a_path_is_scaled_on_a_background_thread_and_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("cover.png");
    image::RgbImage::from_fn(1600, 1600, |x, y| {
        image::Rgb([
            u8::try_from(x % 251).expect("byte"),
            u8::try_from(y % 241).expect("byte"),
            120,
        ])
    })
    .save(&png)
    .expect("write png");
    let mut harness = harness(catalog_with_label());
    harness.run();
    harness.get_by_label("New release").click();
    harness.run();
    let id = harness.state().selected_release().expect("open");
    harness.get_by_label("Cover").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Cover file")
        .focus();
    harness
        .get_by_role_and_label(Role::TextInput, "Cover file")
        .type_text(png.to_str().expect("utf-8"));
    harness.run();
    harness.get_by_label("Use").click();
    let mut stored = None;
    for _ in 0..500 {
        harness.step();
        stored = db::covers::get(app_catalog(&harness).conn(), id).expect("read");
        if stored.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let cover = stored.expect("the cover was stored");
    assert_eq!((cover.width, cover.height), (1000, 1000), "downscaled");
    assert!(cover.image.len() <= labeldesk::io::cover::MAX_BYTES);
    // Undo removes it.
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert!(
        db::covers::get(app_catalog(&harness).conn(), id)
            .expect("read")
            .is_none()
    );
}

#[test]
fn alt_arrows_move_the_focused_track() {
    let catalog = common::demo_catalog();
    let id = ReleaseId(3);
    let before = db::tracks::list_for_release(catalog.conn(), id).expect("tracks");
    let mut harness = harness(catalog);
    harness.run();
    harness.get_by_label("Harbour Lights").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Title of track 1")
        .focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    harness.run();
    let after = db::tracks::list_for_release(app_catalog(&harness).conn(), id).expect("tracks");
    assert_eq!(after[0].id, before[1].id, "track 2 is now first");
    assert_eq!(after[1].id, before[0].id, "track 1 moved down");
    // Escape leaves the field (the editor stays open); then Ctrl+Z undoes the move.
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(
        harness.state().selected_release(),
        Some(id),
        "Escape in a field keeps the editor open"
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    let undone = db::tracks::list_for_release(app_catalog(&harness).conn(), id).expect("tracks");
    assert_eq!(
        undone.iter().map(|t| t.id).collect::<Vec<_>>(),
        before.iter().map(|t| t.id).collect::<Vec<_>>()
    );
}

#[test]
fn a_double_album_shows_and_saves_the_disc_of_each_track() {
    let catalog = common::demo_catalog();
    let (id, title): (i64, String) = catalog
        .conn()
        .query_row(
            "SELECT id, title FROM releases WHERE release_type = 'compilation'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the demo compilation (2×12\")");
    let mut harness = harness(catalog);
    harness.run();
    harness.get_by_label(&title).click();
    harness.run();
    replace_text(&mut harness, "Disc of track 12", "2");
    harness.key_press(Key::Enter);
    harness.run();
    let tracks =
        db::tracks::list_for_release(app_catalog(&harness).conn(), ReleaseId(id)).expect("tracks");
    assert_eq!(tracks[11].disc, 2);
    assert!(
        harness
            .query_by_role_and_label(Role::TextInput, "Disc of track 1")
            .is_some()
    );
}

#[test]
fn the_release_editor_says_when_vinyl_cannot_make_the_date() {
    let mut catalog = catalog_with_label();
    let soon = chrono::Local::now().date_naive() + chrono::Days::new(14);
    catalog
        .write(|tx| {
            let mut release = labeldesk::model::Release::new("Too Soon");
            release.release_date = Some(soon);
            let id = db::releases::insert(tx, &release)?;
            db::formats::insert(
                tx,
                &labeldesk::model::Format::new(id, labeldesk::model::FormatKind::Vinyl12),
            )?;
            Ok(())
        })
        .expect("release");
    let mut harness = harness(catalog);
    harness.run();
    harness.get_by_label("Too Soon").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("earliest feasible release")
            .is_some(),
        "the infeasible date is flagged on the release itself"
    );
}

#[test]
fn deleting_a_planned_release_and_undoing_brings_back_its_plan() {
    let catalog = common::demo_catalog();
    let (id, title): (i64, String) = catalog
        .conn()
        .query_row(
            "SELECT id, title FROM releases WHERE status = 'planned' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a planned demo release");
    let mut catalog = catalog;
    let milestones = catalog
        .write(|tx| {
            let release = db::releases::get(tx, ReleaseId(id))?;
            let date = release.release_date.expect("planned releases have a date");
            let mut milestone = db::planning::list_for_release(tx, ReleaseId(id))?
                .into_iter()
                .next();
            if milestone.is_none() {
                tx.execute(
                    "INSERT INTO release_milestones (release_id, name, due_date, status, position)
                     VALUES (?1, 'Artwork final', ?2, 'todo', 0)",
                    rusqlite::params![id, date.to_string()],
                )?;
                milestone = db::planning::list_for_release(tx, ReleaseId(id))?
                    .into_iter()
                    .next();
            }
            Ok(milestone.map(|m| m.id))
        })
        .expect("plan");
    assert!(milestones.is_some());
    let before = db::planning::list_for_release(catalog.conn(), ReleaseId(id)).expect("plan");
    let mut harness = harness(catalog);
    harness.run();
    harness.get_by_label(&title).click();
    harness.run();
    harness.get_by_label("Delete release…").click();
    harness.run();
    harness.get_by_label("Delete release").click();
    harness.run();
    assert!(db::releases::get(app_catalog(&harness).conn(), ReleaseId(id)).is_err());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    let after =
        db::planning::list_for_release(app_catalog(&harness).conn(), ReleaseId(id)).expect("plan");
    assert_eq!(
        after.len(),
        before.len(),
        "the milestones came back with the release"
    );
}

fn wheel(phase: egui::TouchPhase, dy: f32) -> egui::Event {
    egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, dy),
        phase,
        source: egui::MouseWheelSource::Trackpad,
        modifiers: Modifiers::NONE,
    }
}

/// Release numbers (`Release 000123` → 123) of the rows drawn, in screen order.
fn drawn_releases(harness: &Harness<'_, LabeldeskApp>) -> Vec<u32> {
    let mut rows: Vec<(f32, u32)> = harness
        .get_all_by_label_contains("Release 0")
        .filter_map(|node| {
            // A label's text is its AccessKit value.
            let label = node.value()?;
            let number = label.strip_prefix("Release ")?.parse().ok()?;
            Some((node.rect().min.y, number))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|(_, n)| n).collect()
}

#[test]
fn flinging_through_a_catalog_file_reads_ahead_and_settles_on_the_right_rows() {
    // A catalog file, so the table reads pages ahead on its own thread and connection.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fling.sqlite");
    let catalog = Catalog::create(&path).expect("create");
    catalog
        .conn()
        .execute_batch(
            "INSERT INTO labels (name, is_own) VALUES ('Big Back Catalog', 1);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
             INSERT INTO releases (title, release_date)
             SELECT printf('Release %06d', i), date('1990-01-01', '+' || i || ' days') FROM n;",
        )
        .expect("5000 releases");
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(24)
        .build_eframe(move |_cc| LabeldeskApp::new(catalog, UiState::default()));
    harness.run();
    let first = drawn_releases(&harness);
    assert_eq!(first.first(), Some(&1), "{first:?}");
    let page = labeldesk::ui::catalog::PAGE_ROWS;
    assert!(harness.state().catalog_rows_fetched() <= 2 * page);

    // Fling: fifty rows a frame, one frame per event (the frames come faster than 60 Hz).
    harness.hover_at(egui::pos2(640.0, 450.0));
    harness.event(wheel(egui::TouchPhase::Start, 0.0));
    harness.step();
    let frames: u64 = 40;
    for _ in 0..frames {
        harness.event(wheel(egui::TouchPhase::Move, -1200.0));
        harness.step();
    }
    harness.event(wheel(egui::TouchPhase::End, 0.0));
    harness.run();
    // Settled: real rows only, consecutive, where the fling stopped.
    assert!(
        harness.query_by_label("…").is_none(),
        "no placeholder left once the table settles"
    );
    let shown = drawn_releases(&harness);
    assert!(shown.len() >= 20, "a screen of rows: {shown:?}");
    assert!(
        shown.windows(2).all(|w| w[1] == w[0] + 1),
        "consecutive rows: {shown:?}"
    );
    let scrolled = u64::from(shown[0] - 1);
    assert!(
        (frames * 30..=frames * 60).contains(&scrolled),
        "up to fifty rows a frame: first row {}",
        shown[0]
    );
    // The pages were read ahead, off the UI thread, and reading ahead reads what the fling
    // passed over and a little beyond it, not more.
    let reads = harness.state().catalog_table_reads();
    assert!(
        reads.rows_read_ahead >= reads.rows_fetched / 2,
        "most pages read ahead: {reads:?}"
    );
    let fetched = harness.state().catalog_rows_fetched();
    assert!(
        fetched <= scrolled + 40 + 4 * page,
        "fetched {fetched} rows for {scrolled} rows scrolled past"
    );

    // Back up a screen at a time: each step reads at most what comes into view plus a page.
    for _ in 0..6 {
        let before = harness.state().catalog_rows_fetched();
        harness.event(wheel(egui::TouchPhase::Start, 0.0));
        harness.event(wheel(egui::TouchPhase::Move, 600.0));
        harness.event(wheel(egui::TouchPhase::End, 0.0));
        harness.run();
        let step = harness.state().catalog_rows_fetched() - before;
        assert!(step <= 2 * page, "one screen up fetched {step} rows");
        assert!(harness.query_by_label("…").is_none());
        let shown = drawn_releases(&harness);
        assert!(
            shown.windows(2).all(|w| w[1] == w[0] + 1),
            "consecutive rows: {shown:?}"
        );
    }

    // Closing the app closes both connections; whichever closes last tidies up the log.
    drop(harness);
    let leftovers = || {
        ["-wal", "-shm"]
            .iter()
            .filter(|suffix| dir.path().join(format!("fling.sqlite{suffix}")).exists())
            .count()
    };
    let closed = std::time::Instant::now();
    while leftovers() > 0 && closed.elapsed() < std::time::Duration::from_secs(5) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(leftovers(), 0, "no -wal or -shm left behind");
}
