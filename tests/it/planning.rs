//! Release planning against real catalog files: the upgrade of an older catalog, and the demo
//! label planned and exported as a calendar.

use crate::common;

use labeldesk::db::migrations::{self, MIGRATIONS};
use labeldesk::db::{Catalog, planning};
use labeldesk::model::plan::{self, default_profiles};
use labeldesk::model::{FormatKind, MilestoneStatus};
use labeldesk::undo::{Change, Edit, History};
use rusqlite::Connection;

/// A catalog file as the first Labeldesk wrote it (schema version 1, before planning).
fn version_one_catalog(path: &std::path::Path) {
    let mut conn = Connection::open(path).expect("create");
    let first = MIGRATIONS
        .iter()
        .position(|m| m.name == "release planning")
        .expect("the planning migration is listed");
    migrations::migrate(&mut conn, &MIGRATIONS[..first], "old").expect("old schema");
    conn.execute_batch(
        "INSERT INTO releases (title, release_date) VALUES ('Tides', '2027-03-05');
         INSERT INTO formats (release_id, kind) VALUES (1, 'vinyl12'), (1, 'digital');",
    )
    .expect("old data");
}

#[test]
fn an_older_catalog_gains_planning_with_default_profiles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite");
    version_one_catalog(&path);

    let catalog = Catalog::open(&path).expect("upgrade");
    let conn = catalog.conn();
    assert_eq!(
        migrations::user_version(conn).expect("version"),
        migrations::latest_version()
    );
    let profiles = planning::list_profiles(conn).expect("profiles");
    assert_eq!(profiles.len(), default_profiles().len());
    for (stored, shipped) in profiles.iter().zip(default_profiles()) {
        assert_eq!(stored.format, shipped.format);
        assert_eq!(stored.milestones, shipped.milestones);
    }
    let id = planning::catalog_id(conn).expect("catalog id");
    drop(catalog);
    let again = Catalog::open(&path).expect("reopen");
    assert_eq!(
        planning::catalog_id(again.conn()).ok(),
        Some(id),
        "the id is stable"
    );
    let titles: i64 = again
        .conn()
        .query_row("SELECT count(*) FROM releases", [], |r| r.get(0))
        .expect("count");
    assert_eq!(titles, 1, "old data intact");
}

#[test]
fn the_demo_label_is_planned_undone_and_exported() {
    let mut catalog = common::demo_catalog();
    let today = common::today();
    // The demo comes with plans for its upcoming releases; start this test without them.
    let demo_plans: i64 = catalog
        .conn()
        .query_row("SELECT count(*) FROM release_milestones", [], |r| r.get(0))
        .expect("count");
    assert!(demo_plans > 0, "the demo label ships with planned releases");
    catalog
        .conn()
        .execute("DELETE FROM release_milestones", [])
        .expect("clear plans");
    let profiles = planning::list_profiles(catalog.conn()).expect("profiles");
    let upcoming: Vec<labeldesk::model::ReleaseId> = catalog
        .conn()
        .prepare("SELECT id FROM releases WHERE release_date >= ?1 ORDER BY release_date")
        .expect("query")
        .query_map([today], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("ids");
    assert!(!upcoming.is_empty(), "the demo has upcoming releases");

    let mut history = History::default();
    let mut planned = 0;
    for &id in &upcoming {
        let release = planning::load_release(catalog.conn(), id).expect("release");
        let milestones = plan::plan_release(
            id,
            &release.title,
            release.release_date,
            &release.formats,
            &profiles,
            &[],
            today,
        )
        .expect("a plan");
        planned += milestones.len();
        history
            .apply(
                &mut catalog,
                Edit::new(
                    "Plan release",
                    milestones
                        .into_iter()
                        .map(|m| Change::milestone(None, Some(m)))
                        .collect(),
                ),
            )
            .expect("apply");
    }
    let all = planning::all_milestones(catalog.conn(), None).expect("all");
    assert_eq!(all.len(), planned);
    assert!(
        all.iter()
            .all(|r| r.milestone.status == MilestoneStatus::Todo)
    );

    // Every format of every planned release has its milestones.
    for &id in &upcoming {
        let release = planning::load_release(catalog.conn(), id).expect("release");
        for kind in &release.formats {
            assert!(
                release.milestones.iter().any(|m| m.format == Some(*kind)),
                "{} has milestones for {kind}",
                release.title
            );
        }
        assert!(
            release
                .milestones
                .iter()
                .all(|m| Some(m.due) <= release.release_date)
        );
    }

    // The calendar file has one event per milestone, with CRLF line endings throughout.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite");
    catalog
        .conn()
        .backup(
            rusqlite::MAIN_DB,
            &db,
            None::<fn(rusqlite::backup::Progress)>,
        )
        .expect("to a file");
    let out = dir.path().join("plans.ics");
    let summary = labeldesk::io::ics::export_file(&db, None, &out).expect("export");
    assert_eq!(summary.events, planned);
    let text = std::fs::read_to_string(&out).expect("read");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), planned);
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());

    // Undo takes the plans away again, one release at a time.
    for _ in &upcoming {
        history.undo(&mut catalog).expect("undo");
    }
    assert!(
        planning::all_milestones(catalog.conn(), None)
            .expect("all")
            .is_empty()
    );
    let vinyl = default_profiles()
        .into_iter()
        .find(|p| p.format == Some(FormatKind::Vinyl12))
        .expect("vinyl profile");
    assert_eq!(vinyl.lead_days(), Ok(98));
}
