//! The release editor on a long tracklist, in a window too small to show it: it lays out only
//! the track rows in view, so these tests drive it like a user would (Tab, the scroll wheel,
//! global search) into rows that started out of view, and check what was saved.

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use labeldesk::app::{LabeldeskApp, UiState};
use labeldesk::db::{self, Catalog};
use labeldesk::model::{
    Currency, Format, FormatKind, Isrc, Label, LabelId, Release, ReleaseId, Track, TrackDuration,
};
use labeldesk::ui::catalog::CatalogState;

const TRACKS: u32 = 40;
const WIDTH: f32 = 1280.0;
/// Short enough that most of the 40 rows are out of view.
const HEIGHT: f32 = 800.0;

/// A label, and a release with a CD format and 40 tracks (`Song 1`… with ISRCs
/// GB-AYE-26-90001…, so no row has an "Assign ISRC" button).
fn catalog_with_long_release() -> (Catalog, ReleaseId) {
    catalog_with_tracks_without_isrc(&[])
}

/// [`catalog_with_long_release`] where the tracks numbered in `without_isrc` have none.
fn catalog_with_tracks_without_isrc(without_isrc: &[u32]) -> (Catalog, ReleaseId) {
    let mut catalog = Catalog::open_in_memory().expect("catalog");
    let id = catalog
        .write(|tx| {
            let label = db::labels::insert(
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
            )?;
            let mut release = Release::new("Long Player");
            release.label_id = Some(label);
            let id = db::releases::insert(tx, &release)?;
            db::formats::insert(tx, &Format::new(id, FormatKind::Cd))?;
            for seq in 0..TRACKS {
                let mut track = Track::new(id, seq, format!("Song {}", seq + 1));
                track.duration = Some(TrackDuration::parse("3:30").expect("duration"));
                if !without_isrc.contains(&(seq + 1)) {
                    track.isrc =
                        Some(Isrc::parse(&format!("GBAYE26{:05}", 90001 + seq)).expect("isrc"));
                }
                db::tracks::insert(tx, &track)?;
            }
            Ok(id)
        })
        .expect("release");
    (catalog, id)
}

/// The app with the release open in the editor, in a window `height` points tall.
fn harness(
    catalog: Catalog,
    open: Option<ReleaseId>,
    height: f32,
) -> Harness<'static, LabeldeskApp> {
    let state = UiState {
        catalog: CatalogState {
            selected: open,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(WIDTH, height))
        .with_max_steps(24)
        .build_eframe(move |_cc| LabeldeskApp::new(catalog, state));
    harness.run();
    harness
}

fn titles(harness: &Harness<'_, LabeldeskApp>, id: ReleaseId) -> Vec<String> {
    db::tracks::list_for_release(harness.state().catalog().expect("open").conn(), id)
        .expect("tracks")
        .into_iter()
        .map(|t| t.title)
        .collect()
}

/// Where the title field of track `n` is drawn, if it is drawn at all.
fn title_rect(harness: &Harness<'_, LabeldeskApp>, n: u32) -> Option<egui::Rect> {
    harness
        .query_by_role_and_label(Role::TextInput, &format!("Title of track {n}"))
        .map(|node| node.rect())
}

/// The part of the window where the editor's scrolling content shows: the height of its
/// scroll bar (the rightmost one).
fn editor_view(harness: &Harness<'_, LabeldeskApp>) -> egui::Rangef {
    harness
        .get_all_by_role(Role::ScrollBar)
        .map(|node| node.rect())
        .max_by(|a, b| a.max.x.total_cmp(&b.max.x))
        .expect("the editor scrolls")
        .y_range()
}

/// Whether `rect` shows whole in the editor.
fn in_view(harness: &Harness<'_, LabeldeskApp>, rect: egui::Rect) -> bool {
    let view = editor_view(harness);
    rect.min.y >= view.min && rect.max.y <= view.max
}

fn has_focus(node: &egui_kittest::kittest::AccessKitNode<'_>) -> bool {
    node.is_focused()
}

/// The label of the widget that has the keyboard focus.
fn focused_label(harness: &Harness<'_, LabeldeskApp>) -> Option<String> {
    harness
        .get_all_by(has_focus)
        .next()
        .and_then(|node| node.accesskit_node().label())
}

/// Scrolls the editor with the mouse wheel over it: `dy` < 0 scrolls down.
fn wheel_over_editor(harness: &mut Harness<'_, LabeldeskApp>, height: f32, dy: f32) {
    harness.hover_at(egui::pos2(WIDTH - 250.0, height / 2.0));
    harness.run();
    for phase in [
        egui::TouchPhase::Start,
        egui::TouchPhase::Move,
        egui::TouchPhase::End,
    ] {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(
                0.0,
                if phase == egui::TouchPhase::Move {
                    dy
                } else {
                    0.0
                },
            ),
            phase,
            source: egui::MouseWheelSource::Trackpad,
            modifiers: Modifiers::NONE,
        });
    }
    harness.run();
}

#[test]
fn tab_walks_past_the_visible_rows_and_edits_a_row_that_started_out_of_view() {
    let (catalog, id) = catalog_with_long_release();
    let mut harness = harness(catalog, Some(id), HEIGHT);
    // The last row inside the window, and a row two below it, which starts below the window.
    let last_seen = (1..=TRACKS)
        .filter(|&n| title_rect(&harness, n).is_some_and(|r| in_view(&harness, r)))
        .max()
        .expect("some rows are in view");
    let target = last_seen + 2;
    assert!(
        target < TRACKS,
        "most rows are out of view (row {last_seen} is the last seen)"
    );
    assert!(
        title_rect(&harness, target).is_none_or(|r| r.min.y > editor_view(&harness).max),
        "track {target} starts out of view"
    );

    harness
        .get_by_role_and_label(Role::TextInput, &format!("Title of track {last_seen}"))
        .focus();
    harness.run();
    // Title → Time → ISRC → Up → Down → Remove, then the next row: Pos → Title → … → Remove,
    // then Pos and Title of the target row: 14 presses, one frame each.
    let mut path = Vec::new();
    for _ in 0..14 {
        harness.key_press(Key::Tab);
        harness.run();
        path.push(focused_label(&harness).unwrap_or_default());
    }
    assert_eq!(
        path,
        [
            format!("Duration of track {last_seen}"),
            format!("ISRC of track {last_seen}"),
            "Up".to_owned(),
            "Down".to_owned(),
            "Remove".to_owned(),
            format!("Position of track {}", last_seen + 1),
            format!("Title of track {}", last_seen + 1),
            format!("Duration of track {}", last_seen + 1),
            format!("ISRC of track {}", last_seen + 1),
            "Up".to_owned(),
            "Down".to_owned(),
            "Remove".to_owned(),
            format!("Position of track {target}"),
            format!("Title of track {target}"),
        ],
        "Tab goes field by field, row by row"
    );
    let rect = title_rect(&harness, target).expect("the focused row is drawn");
    assert!(
        in_view(&harness, rect),
        "the field Tab reached was scrolled into view: {rect:?}"
    );

    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.event(egui::Event::Text("Found by Tab".to_owned()));
    harness.run();
    harness.key_press(Key::Tab);
    harness.run();
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some(format!("Duration of track {target}").as_str())
    );
    let saved = titles(&harness, id);
    assert_eq!(
        saved[target as usize - 1],
        "Found by Tab",
        "Tab out of the field saved it"
    );
    assert_eq!(saved[target as usize - 2], format!("Song {}", target - 1));
    assert_eq!(saved.len(), TRACKS as usize);
}

#[test]
fn the_rows_out_of_view_keep_their_height_so_the_last_track_is_where_it_belongs() {
    // Everything in view: the distance from the "Tracklist" heading to each row.
    let (catalog, id) = catalog_with_long_release();
    let tall = harness(catalog, Some(id), 2400.0);
    let heading = |h: &Harness<'_, LabeldeskApp>| h.get_by_label("Tracklist").rect().min.y;
    let row = |h: &Harness<'_, LabeldeskApp>, n| {
        title_rect(h, n).expect("the row is drawn").min.y - heading(h)
    };
    let first = row(&tall, 1);
    let pitch = row(&tall, 2) - first;
    let last = row(&tall, TRACKS);
    assert!(pitch > 10.0, "rows are a line apart: {pitch}");
    assert!(
        (last - (first + pitch * (TRACKS - 1) as f32)).abs() < 0.5,
        "evenly spaced rows: {first} + 39 × {pitch} ≠ {last}"
    );

    // In the small window, scrolled to the bottom: the same place, and in view.
    let (catalog, id) = catalog_with_long_release();
    let mut small = harness(catalog, Some(id), HEIGHT);
    assert!(
        title_rect(&small, TRACKS).is_none_or(|r| r.min.y > editor_view(&small).max),
        "the last track starts out of view"
    );
    wheel_over_editor(&mut small, HEIGHT, -5000.0);
    let rect = title_rect(&small, TRACKS).expect("the last track is drawn at the bottom");
    assert!(in_view(&small, rect), "the last track is in view: {rect:?}");
    assert!(
        (row(&small, TRACKS) - last).abs() < 0.5,
        "the last track is as far below the heading as when every row is drawn: {} vs {last}",
        row(&small, TRACKS)
    );
    assert!(
        small
            .query_by_label_contains(&format!("{TRACKS} tracks, total 2:20:00"))
            .is_some(),
        "the totals follow the last row"
    );
    // Half way back up: the rows in view are where they belong too.
    wheel_over_editor(&mut small, HEIGHT, 400.0);
    let shown: Vec<u32> = (1..=TRACKS)
        .filter(|&n| title_rect(&small, n).is_some_and(|r| in_view(&small, r)))
        .collect();
    assert!(
        shown.len() >= 5 && !shown.contains(&1) && !shown.contains(&TRACKS),
        "a screen of rows in the middle: {shown:?}"
    );
    for n in shown {
        let expected = first + pitch * (n - 1) as f32;
        assert!(
            (row(&small, n) - expected).abs() < 0.5,
            "track {n} is {} below the heading, not {expected}",
            row(&small, n)
        );
    }
}

#[test]
fn a_field_scrolled_out_of_view_while_typing_keeps_the_focus_and_saves_on_enter() {
    let (catalog, id) = catalog_with_long_release();
    let mut harness = harness(catalog, Some(id), HEIGHT);
    let rect = title_rect(&harness, 2).expect("track 2 is in view");
    assert!(in_view(&harness, rect));
    harness
        .get_by_role_and_label(Role::TextInput, "Title of track 2")
        .focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.event(egui::Event::Text("Typed then scrolled".to_owned()));
    harness.run();
    wheel_over_editor(&mut harness, HEIGHT, -5000.0);
    assert!(
        title_rect(&harness, 2).is_none_or(|r| r.max.y < editor_view(&harness).min),
        "track 2 is out of view"
    );
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some("Title of track 2"),
        "the field kept the focus"
    );
    assert_eq!(titles(&harness, id)[1], "Song 2", "not saved while typing");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(titles(&harness, id)[1], "Typed then scrolled");
}

#[test]
fn shift_tab_from_add_track_reaches_the_last_row_and_shows_it() {
    let (catalog, id) = catalog_with_long_release();
    let mut harness = harness(catalog, Some(id), HEIGHT);
    assert!(title_rect(&harness, TRACKS).is_none_or(|r| r.min.y > editor_view(&harness).max));
    // The button under the tracklist, far below the window.
    harness.get_by_label("Add track").focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::SHIFT, Key::Tab);
    harness.run();
    assert_eq!(focused_label(&harness).as_deref(), Some("Remove"));
    let remove = harness
        .get_all_by(has_focus)
        .next()
        .expect("focused")
        .rect();
    let title = title_rect(&harness, TRACKS).expect("the last row is drawn");
    assert!(
        in_view(&harness, title) && (remove.center().y - title.center().y).abs() < 4.0,
        "the focused Remove button is the last row's, in view: {remove:?} {title:?}"
    );
    // And on up into the fields of the last row (its Down button is disabled).
    for _ in 0..2 {
        harness.key_press_modifiers(Modifiers::SHIFT, Key::Tab);
        harness.run();
    }
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some(format!("ISRC of track {TRACKS}").as_str())
    );
}

#[test]
fn search_opens_the_release_at_a_track_far_down_the_list() {
    let (catalog, id) = catalog_with_long_release();
    let mut harness = harness(catalog, None, HEIGHT);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .type_text("GB-AYE-26-90035");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().selected_release(), Some(id));
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some("Title of track 35"),
        "the track's title has the focus"
    );
    let rect = title_rect(&harness, 35).expect("drawn");
    assert!(in_view(&harness, rect), "and is in view: {rect:?}");
}

#[test]
fn a_track_without_isrc_out_of_view_keeps_the_assign_column_wide() {
    // Only the last track has no ISRC, so only its row has an "Assign ISRC" button; the column
    // is as wide as that button, and the editor panel (sized to the tracklist, on the right of
    // the window) starts further left, as when every row is drawn.
    let left = |harness: &Harness<'_, LabeldeskApp>| {
        harness
            .get_by_role_and_label(Role::TextInput, "Position of track 1")
            .rect()
            .min
            .x
    };
    let (catalog, id) = catalog_with_tracks_without_isrc(&[TRACKS]);
    let tall = harness(catalog, Some(id), 2400.0);
    assert!(tall.query_by_label("Assign ISRC").is_some());
    let (catalog, without) = catalog_with_long_release();
    let narrower = left(&harness(catalog, Some(without), 2400.0));
    assert!(
        left(&tall) < narrower - 30.0,
        "the Assign ISRC column widens the tracklist: {} vs {narrower}",
        left(&tall)
    );

    let (catalog, id) = catalog_with_tracks_without_isrc(&[TRACKS]);
    let small = harness(catalog, Some(id), HEIGHT);
    assert!(
        title_rect(&small, TRACKS).is_none_or(|r| r.min.y > editor_view(&small).max),
        "the track without an ISRC is out of view"
    );
    assert!(
        (left(&small) - left(&tall)).abs() < 0.01,
        "as wide with its row out of view: {} vs {}",
        left(&small),
        left(&tall)
    );
}

#[test]
fn alt_down_moves_a_track_past_the_bottom_of_the_view_and_keeps_it_in_view() {
    let (catalog, id) = catalog_with_long_release();
    let mut harness = harness(catalog, Some(id), HEIGHT);
    let last_seen = (1..=TRACKS)
        .filter(|&n| title_rect(&harness, n).is_some_and(|r| in_view(&harness, r)))
        .max()
        .expect("some rows are in view");
    harness
        .get_by_role_and_label(Role::TextInput, &format!("Title of track {last_seen}"))
        .focus();
    harness.run();
    for _ in 0..3 {
        harness.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
        harness.run();
    }
    let now = last_seen + 3;
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some(format!("Title of track {now}").as_str()),
        "the focus moved with the track"
    );
    let rect = title_rect(&harness, now).expect("drawn");
    assert!(
        in_view(&harness, rect),
        "the moved track is in view: {rect:?}"
    );
    let saved = titles(&harness, id);
    assert_eq!(saved[now as usize - 1], format!("Song {last_seen}"));
    assert_eq!(
        saved[last_seen as usize - 1],
        format!("Song {}", last_seen + 1)
    );
}
