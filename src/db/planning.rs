//! Release planning tables: lead-time profiles with their milestone templates, each
//! release's milestones, and the catalog's stable id (for iCalendar UIDs).
//!
//! Reads take a connection, writes a transaction, so planning edits compose with other
//! changes into one undoable edit (see `crate::undo`).

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::error::{DbError, Result};
use crate::model::plan::{Anchor, MilestoneTemplate};
use crate::model::{
    ArtistId, FormatKind, LeadTimeProfile, Milestone, MilestoneId, MilestoneStatus, ProfileId,
    ReleaseId, ReleaseStatus, ValidationError,
};

super::convert::id_sql!(MilestoneId, ProfileId);

super::convert::code_sql!(MilestoneStatus);

/// The catalog's stable id (created with the planning tables, never changed).
///
/// # Errors
/// [`DbError::Missing`] if the row was removed by another tool; SQLite failures.
pub fn catalog_id(conn: &Connection) -> Result<String> {
    conn.query_row(
        "SELECT value FROM catalog_meta WHERE key = 'catalog_id'",
        [],
        |r| r.get(0),
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "catalog id",
        id: 0,
    })
}

// ---------------------------------------------------------------------------------------------
// Lead-time profiles

/// Every profile with its milestones: release-wide first, then by format kind, each kind's
/// default before its manufacturers (alphabetical).
///
/// # Errors
/// SQLite failures, or a stored value Labeldesk cannot read.
pub fn list_profiles(conn: &Connection) -> Result<Vec<LeadTimeProfile>> {
    let order = FormatKind::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| format!("WHEN '{}' THEN {}", k.code(), i + 1))
        .collect::<Vec<_>>()
        .join(" ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, format_kind, manufacturer FROM lead_time_profiles
         ORDER BY CASE coalesce(format_kind, '') WHEN '' THEN 0 {order} ELSE 99 END,
                  manufacturer <> '', manufacturer COLLATE NOCASE, id"
    ))?;
    let heads: Vec<LeadTimeProfile> = stmt
        .query_map([], profile_head)?
        .collect::<rusqlite::Result<_>>()?;
    heads
        .into_iter()
        .map(|mut p| {
            p.milestones = templates_of(conn, p.id)?;
            Ok(p)
        })
        .collect()
}

fn profile_head(row: &Row<'_>) -> rusqlite::Result<LeadTimeProfile> {
    Ok(LeadTimeProfile {
        id: row.get(0)?,
        format: row.get(1)?,
        manufacturer: row.get(2)?,
        milestones: Vec::new(),
    })
}

fn templates_of(conn: &Connection, id: ProfileId) -> Result<Vec<MilestoneTemplate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, after_name, days FROM lead_time_milestones WHERE profile_id = ?1
         ORDER BY position, id",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            let name: String = r.get(0)?;
            let after: Option<String> = r.get(1)?;
            let days: u32 = r.get(2)?;
            Ok(MilestoneTemplate {
                name,
                anchor: match after {
                    Some(milestone) => Anchor::After { milestone, days },
                    None => Anchor::BeforeRelease { days },
                },
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One profile with its milestones.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn get_profile(conn: &Connection, id: ProfileId) -> Result<LeadTimeProfile> {
    let mut profile = conn
        .query_row(
            "SELECT id, format_kind, manufacturer FROM lead_time_profiles WHERE id = ?1",
            [id],
            profile_head,
        )
        .optional()?
        .ok_or(DbError::Missing {
            kind: "lead-time profile",
            id: id.0,
        })?;
    profile.milestones = templates_of(conn, id)?;
    Ok(profile)
}

fn validated_profile(profile: &LeadTimeProfile) -> Result<LeadTimeProfile> {
    let p = profile.clone().normalized();
    p.validate().map_err(ValidationError::from)?;
    Ok(p)
}

fn profile_clash(e: rusqlite::Error, profile: &LeadTimeProfile) -> DbError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
        && e.to_string().contains("UNIQUE")
    {
        DbError::Invalid(ValidationError::Invalid {
            field: "manufacturer",
            reason: format!(
                "there is already a profile for {}: edit that one instead",
                profile.display_name()
            ),
        })
    } else {
        e.into()
    }
}

fn write_templates(tx: &Transaction<'_>, profile: &LeadTimeProfile) -> Result<()> {
    tx.execute(
        "DELETE FROM lead_time_milestones WHERE profile_id = ?1",
        [profile.id],
    )?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO lead_time_milestones (profile_id, position, name, after_name, days)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (position, m) in profile.milestones.iter().enumerate() {
        let after = match &m.anchor {
            Anchor::BeforeRelease { .. } => None,
            Anchor::After { milestone, .. } => Some(milestone.as_str()),
        };
        stmt.execute(params![
            profile.id,
            i64::try_from(position).unwrap_or(i64::MAX),
            m.name,
            after,
            m.anchor.days()
        ])?;
    }
    Ok(())
}

/// Inserts a profile with its milestones; a set id is kept (undo).
///
/// # Errors
/// An invalid profile (cycles, offsets, names), a second profile for the same kind and
/// manufacturer, or SQLite failures.
pub fn insert_profile(tx: &Transaction<'_>, profile: &LeadTimeProfile) -> Result<ProfileId> {
    let mut p = validated_profile(profile)?;
    let id = (!p.id.is_unsaved()).then_some(p.id);
    tx.execute(
        "INSERT INTO lead_time_profiles (id, format_kind, manufacturer) VALUES (?1, ?2, ?3)",
        params![id, p.format, p.manufacturer],
    )
    .map_err(|e| profile_clash(e, &p))?;
    p.id = ProfileId(tx.last_insert_rowid());
    write_templates(tx, &p)?;
    Ok(p.id)
}

/// Saves a profile and replaces its milestones.
///
/// # Errors
/// As [`insert_profile`], or [`DbError::Missing`].
pub fn update_profile(tx: &Transaction<'_>, profile: &LeadTimeProfile) -> Result<()> {
    let p = validated_profile(profile)?;
    let n = tx
        .execute(
            "UPDATE lead_time_profiles SET format_kind = ?2, manufacturer = ?3 WHERE id = ?1",
            params![p.id, p.format, p.manufacturer],
        )
        .map_err(|e| profile_clash(e, &p))?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "lead-time profile",
            id: p.id.0,
        });
    }
    write_templates(tx, &p)
}

/// Deletes a profile and its milestones (plans made with it keep their dates).
///
/// # Errors
/// SQLite failures.
pub fn delete_profile(tx: &Transaction<'_>, id: ProfileId) -> Result<()> {
    tx.execute("DELETE FROM lead_time_profiles WHERE id = ?1", [id])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Release milestones

const COLUMNS: &str = "id, release_id, name, due_date, status, done_date, owner, notes, format_kind, \
                       planned_for, sequence, position";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Milestone> {
    Ok(Milestone {
        id: row.get(0)?,
        release_id: row.get(1)?,
        name: row.get(2)?,
        due: row.get(3)?,
        status: row.get(4)?,
        done_on: row.get(5)?,
        owner: row.get(6)?,
        notes: row.get(7)?,
        format: row.get(8)?,
        planned_for: row.get(9)?,
        sequence: row.get(10)?,
        position: row.get(11)?,
    })
}

fn validated(milestone: &Milestone) -> Result<Milestone> {
    let m = milestone.clone().normalized();
    m.validate()?;
    Ok(m)
}

/// Inserts a milestone; an unsaved id gets a fresh one, a set id (and its sequence) is kept
/// (undo).
///
/// # Errors
/// Invalid fields, a missing release, or SQLite failures.
pub fn insert(tx: &Transaction<'_>, milestone: &Milestone) -> Result<MilestoneId> {
    let m = validated(milestone)?;
    let id = (!m.id.is_unsaved()).then_some(m.id);
    tx.execute(
        "INSERT INTO release_milestones (id, release_id, name, due_date, status, done_date, owner, notes,
                                         format_kind, planned_for, sequence, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            id,
            m.release_id,
            m.name,
            m.due,
            m.status,
            m.done_on,
            m.owner,
            m.notes,
            m.format,
            m.planned_for,
            m.sequence,
            m.position
        ],
    )
    .map_err(|e| super::formats::missing_release(e, m.release_id))?;
    Ok(MilestoneId(tx.last_insert_rowid()))
}

/// Saves a milestone's fields; the catalog raises its sequence.
///
/// # Errors
/// Invalid fields, a missing milestone, or SQLite failures.
pub fn update(tx: &Transaction<'_>, milestone: &Milestone) -> Result<()> {
    let m = validated(milestone)?;
    let n = tx.execute(
        "UPDATE release_milestones SET name = ?2, due_date = ?3, status = ?4, done_date = ?5, owner = ?6,
                notes = ?7, format_kind = ?8, planned_for = ?9, position = ?10
         WHERE id = ?1",
        params![
            m.id,
            m.name,
            m.due,
            m.status,
            m.done_on,
            m.owner,
            m.notes,
            m.format,
            m.planned_for,
            m.position
        ],
    )?;
    if n == 0 {
        return Err(DbError::Missing {
            kind: "milestone",
            id: m.id.0,
        });
    }
    Ok(())
}

/// Deletes a milestone.
///
/// # Errors
/// SQLite failures.
pub fn delete(tx: &Transaction<'_>, id: MilestoneId) -> Result<()> {
    tx.execute("DELETE FROM release_milestones WHERE id = ?1", [id])?;
    Ok(())
}

/// One milestone.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn get(conn: &Connection, id: MilestoneId) -> Result<Milestone> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM release_milestones WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or(DbError::Missing {
        kind: "milestone",
        id: id.0,
    })
}

/// A release's plan, by due date (then position).
///
/// # Errors
/// SQLite failures.
pub fn list_for_release(conn: &Connection, release: ReleaseId) -> Result<Vec<Milestone>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM release_milestones WHERE release_id = ?1 ORDER BY due_date, position, id"
    ))?;
    let rows = stmt
        .query_map([release], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// SQL expression (over alias `r`) for a release's catalog numbers.
const CATNO_SQL: &str =
    "coalesce((SELECT group_concat(catno, ', ') FROM (SELECT catno FROM catalog_numbers c
                          WHERE c.release_id = r.id ORDER BY c.position, c.id)), '')";
/// SQL expression (over alias `r`) for a release's main artists.
const CREDIT_SQL: &str = "coalesce((SELECT group_concat(name, ' & ') FROM (
        SELECT a.name FROM release_artists ra JOIN artists a ON a.id = ra.artist_id
        WHERE ra.release_id = r.id AND ra.role = 'primary' ORDER BY ra.position)), '')";
/// SQL condition (over alias `r`, parameter `?1`) for the artist filter: NULL matches all.
const ARTIST_SQL: &str =
    "(?1 IS NULL OR r.id IN (SELECT release_id FROM release_artists WHERE artist_id = ?1))";

/// A release as the planning panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRelease {
    pub id: ReleaseId,
    pub title: String,
    pub catnos: String,
    pub artists: String,
    pub status: ReleaseStatus,
    pub release_date: Option<NaiveDate>,
    /// Distinct format kinds, in the release's format order.
    pub formats: Vec<FormatKind>,
    /// Its plan, by due date.
    pub milestones: Vec<Milestone>,
}

impl PlanRelease {
    /// "HLR020 Tides" or just the title.
    #[must_use]
    pub fn label(&self) -> String {
        if self.catnos.is_empty() {
            self.title.clone()
        } else {
            format!("{} {}", self.catnos, self.title)
        }
    }
}

fn release_head(row: &Row<'_>) -> rusqlite::Result<PlanRelease> {
    let kinds: String = row.get(6)?;
    let mut formats: Vec<FormatKind> = Vec::new();
    for kind in kinds
        .split(',')
        .filter_map(|k| FormatKind::from_code(k).ok())
    {
        if !formats.contains(&kind) {
            formats.push(kind);
        }
    }
    Ok(PlanRelease {
        id: row.get(0)?,
        title: row.get(1)?,
        catnos: row.get(2)?,
        artists: row.get(3)?,
        status: row.get(4)?,
        release_date: row.get(5)?,
        formats,
        milestones: Vec::new(),
    })
}

fn release_select() -> String {
    format!(
        "SELECT r.id, r.title, {CATNO_SQL}, {CREDIT_SQL}, r.status, r.release_date,
                coalesce((SELECT group_concat(kind, ',') FROM (SELECT kind FROM formats f
                          WHERE f.release_id = r.id ORDER BY f.position, f.id)), '')
         FROM releases r"
    )
}

/// One release with its formats and plan.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn load_release(conn: &Connection, id: ReleaseId) -> Result<PlanRelease> {
    let mut release = conn
        .query_row(
            &format!("{} WHERE r.id = ?1", release_select()),
            [id],
            release_head,
        )
        .optional()?
        .ok_or(DbError::Missing {
            kind: "release",
            id: id.0,
        })?;
    release.milestones = list_for_release(conn, id)?;
    Ok(release)
}

/// The releases on the timeline between `from` and `to`: those whose release date falls in
/// the range or that have a milestone due in it, by release date; optionally only an
/// artist's. At most `limit`.
///
/// # Errors
/// SQLite failures.
pub fn timeline(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    artist: Option<ArtistId>,
    limit: usize,
) -> Result<Vec<PlanRelease>> {
    let sql = format!(
        "{} WHERE {ARTIST_SQL}
           AND ((r.release_date BETWEEN ?2 AND ?3)
                OR EXISTS (SELECT 1 FROM release_milestones m WHERE m.release_id = r.id
                           AND m.due_date BETWEEN ?2 AND ?3))
         ORDER BY r.release_date IS NULL, r.release_date, r.id LIMIT ?4",
        release_select()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let heads: Vec<PlanRelease> = stmt
        .query_map(
            params![artist, from, to, i64::try_from(limit).unwrap_or(i64::MAX)],
            release_head,
        )?
        .collect::<rusqlite::Result<_>>()?;
    heads
        .into_iter()
        .map(|mut r| {
            r.milestones = list_for_release(conn, r.id)?;
            Ok(r)
        })
        .collect()
}

/// A release a plan can be made for (for the release picker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseChoice {
    pub id: ReleaseId,
    pub label: String,
    pub release_date: Option<NaiveDate>,
}

/// Releases worth planning: not yet released (or dated from `since` on), or with a plan;
/// optionally only an artist's; by date (undated last), at most `limit`.
///
/// # Errors
/// SQLite failures.
pub fn planning_choices(
    conn: &Connection,
    since: NaiveDate,
    artist: Option<ArtistId>,
    limit: usize,
) -> Result<Vec<ReleaseChoice>> {
    let sql = format!(
        "SELECT r.id, r.title, {CATNO_SQL}, r.release_date FROM releases r
         WHERE {ARTIST_SQL}
           AND (r.status IN ('idea', 'planned', 'in_production') OR r.release_date >= ?2
                OR EXISTS (SELECT 1 FROM release_milestones m WHERE m.release_id = r.id))
         ORDER BY r.release_date IS NULL, r.release_date, r.title COLLATE NOCASE, r.id LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(
            params![artist, since, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| {
                let title: String = r.get(1)?;
                let catnos: String = r.get(2)?;
                Ok(ReleaseChoice {
                    id: r.get(0)?,
                    label: if catnos.is_empty() {
                        title
                    } else {
                        format!("{catnos} {title}")
                    },
                    release_date: r.get(3)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// An open milestone with the release it belongs to (agenda and calendar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneRow {
    pub milestone: Milestone,
    pub title: String,
    pub catnos: String,
    pub artists: String,
}

impl MilestoneRow {
    /// "HLR020 Tides" or just the title.
    #[must_use]
    pub fn release_label(&self) -> String {
        if self.catnos.is_empty() {
            self.title.clone()
        } else {
            format!("{} {}", self.catnos, self.title)
        }
    }
}

fn milestone_row(row: &Row<'_>) -> rusqlite::Result<MilestoneRow> {
    Ok(MilestoneRow {
        milestone: from_row(row)?,
        title: row.get(12)?,
        catnos: row.get(13)?,
        artists: row.get(14)?,
    })
}

fn milestone_select() -> String {
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("m.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {columns}, r.title, {CATNO_SQL}, {CREDIT_SQL}
         FROM release_milestones m JOIN releases r ON r.id = m.release_id"
    )
}

/// Milestones still to do and due on or before `until` (overdue ones included), by due date;
/// optionally only an artist's; at most `limit`.
///
/// # Errors
/// SQLite failures.
pub fn open_due_by(
    conn: &Connection,
    until: NaiveDate,
    artist: Option<ArtistId>,
    limit: usize,
) -> Result<Vec<MilestoneRow>> {
    let sql = format!(
        "{} WHERE m.status = 'todo' AND m.due_date <= ?2 AND {ARTIST_SQL}
         ORDER BY m.due_date, r.release_date, m.position, m.id LIMIT ?3",
        milestone_select()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(
            params![artist, until, i64::try_from(limit).unwrap_or(i64::MAX)],
            milestone_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Every milestone of one release, or of all releases, with its release (calendar export),
/// by due date.
///
/// # Errors
/// SQLite failures.
pub fn all_milestones(conn: &Connection, release: Option<ReleaseId>) -> Result<Vec<MilestoneRow>> {
    let sql = format!(
        "{} WHERE (?1 IS NULL OR m.release_id = ?1) ORDER BY m.due_date, m.release_id, m.position, m.id",
        milestone_select()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([release], milestone_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The releases carrying a catalog number, compared as printed but ignoring case and
/// surrounding spaces.
///
/// # Errors
/// SQLite failures.
pub fn releases_with_catno(conn: &Connection, catno: &str) -> Result<Vec<ReleaseId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT release_id FROM catalog_numbers WHERE catno = ?1 COLLATE NOCASE ORDER BY release_id",
    )?;
    let rows = stmt
        .query_map([catno.trim()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// What the plan says about a release, for showing on the release itself (e.g. in the
/// release editor): formats that cannot make the date from `today` with the earliest feasible
/// date, the note when release day is not a Friday, and open milestones planned for another
/// date. Empty for releases without a date or whose release day has passed.
///
/// # Errors
/// [`DbError::Missing`] or SQLite failures.
pub fn release_warnings(
    conn: &Connection,
    release: ReleaseId,
    today: NaiveDate,
) -> Result<Vec<String>> {
    let release = load_release(conn, release)?;
    let Some(date) = release.release_date.filter(|d| *d >= today) else {
        return Ok(Vec::new());
    };
    let profiles = list_profiles(conn)?;
    let needs =
        crate::model::plan::format_needs(date, &release.formats, &release.milestones, &profiles);
    let verdict = crate::model::plan::feasibility(today, date, &needs);
    let mut lines: Vec<String> = verdict
        .problems()
        .map(crate::model::FormatFeasibility::message)
        .collect();
    if !verdict.is_feasible() {
        lines.push(format!(
            "Earliest feasible release for every format: {} (the Friday after: {})",
            verdict.earliest, verdict.earliest_friday
        ));
    }
    if let Some((old, count)) = crate::model::plan::pending_shift(&release.milestones, date) {
        lines.push(format!(
            "{count} open milestone(s) were planned for release day {old}: shift them in Planning"
        ));
    }
    lines.extend(crate::model::plan::friday_note(date));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Catalog;
    use crate::model::plan::{default_profiles, plan_release as make_plan};
    use crate::model::{Format, Release};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn without_ids(profiles: Vec<LeadTimeProfile>) -> Vec<LeadTimeProfile> {
        profiles
            .into_iter()
            .map(|p| LeadTimeProfile {
                id: ProfileId::UNSAVED,
                ..p
            })
            .collect()
    }

    #[test]
    fn the_migration_ships_the_default_profiles_and_a_catalog_id() {
        let catalog = Catalog::open_in_memory().expect("catalog");
        let conn = catalog.conn();
        assert_eq!(
            without_ids(list_profiles(conn).expect("profiles")),
            default_profiles()
        );
        let id = catalog_id(conn).expect("catalog id");
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(catalog_id(conn).ok(), Some(id.clone()), "stable");
        let other = Catalog::open_in_memory().expect("catalog");
        assert_ne!(
            catalog_id(other.conn()).ok(),
            Some(id),
            "each catalog its own"
        );
    }

    fn seeded() -> (Catalog, ReleaseId) {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let release = catalog
            .write(|tx| {
                let mut r = Release::new("Tides");
                r.release_date = Some(d(2027, 3, 5));
                let id = crate::db::releases::insert(tx, &r)?;
                crate::db::formats::insert(tx, &Format::new(id, FormatKind::Vinyl12))?;
                crate::db::formats::insert(tx, &Format::new(id, FormatKind::Digital))?;
                crate::db::catnos::insert(
                    tx,
                    id,
                    &crate::model::ReleaseCatalogNumber {
                        id: crate::model::CatalogNumberId::UNSAVED,
                        label_id: None,
                        format_id: None,
                        catno: crate::model::CatalogNumber::parse("HLR020").expect("catno"),
                    },
                )?;
                Ok(id)
            })
            .expect("seed");
        (catalog, release)
    }

    #[test]
    fn milestones_round_trip_and_sequence_rises_on_every_change() {
        let (mut catalog, release) = seeded();
        let plan = make_plan(
            release,
            "Tides",
            Some(d(2027, 3, 5)),
            &[FormatKind::Vinyl12, FormatKind::Digital],
            &list_profiles(catalog.conn()).expect("profiles"),
            &[],
            d(2026, 11, 26),
        )
        .expect("plan");
        let ids = catalog
            .write(|tx| {
                plan.iter()
                    .map(|m| insert(tx, m))
                    .collect::<Result<Vec<_>>>()
            })
            .expect("insert");
        let stored = list_for_release(catalog.conn(), release).expect("list");
        assert_eq!(stored.len(), 13);
        let first = get(catalog.conn(), ids[0]).expect("get");
        assert_eq!(
            first,
            Milestone {
                id: ids[0],
                ..plan[0].clone()
            }
        );
        assert_eq!(first.sequence, 0);

        let done = first.clone().marked_done(d(2026, 11, 27));
        catalog.write(|tx| update(tx, &done)).expect("update");
        let after = get(catalog.conn(), ids[0]).expect("get");
        assert_eq!(after.status, MilestoneStatus::Done);
        assert_eq!(after.done_on, Some(d(2026, 11, 27)));
        assert_eq!(after.sequence, 1);
        catalog.write(|tx| update(tx, &after)).expect("update");
        assert_eq!(get(catalog.conn(), ids[0]).expect("get").sequence, 2);
        // Another tool's edit raises it too.
        catalog
            .conn()
            .execute(
                "UPDATE release_milestones SET owner = 'Sam' WHERE id = ?1",
                [ids[0]],
            )
            .expect("raw update");
        assert_eq!(get(catalog.conn(), ids[0]).expect("get").sequence, 3);

        // Invalid rows never reach the table.
        let mut bad = after.clone();
        bad.done_on = None;
        assert!(matches!(
            catalog.write(|tx| update(tx, &bad)),
            Err(DbError::Invalid(_))
        ));
        let orphan = Milestone::new(ReleaseId(999), "Lost", d(2027, 1, 1));
        assert!(matches!(
            catalog.write(|tx| insert(tx, &orphan)),
            Err(DbError::Missing {
                kind: "release",
                ..
            })
        ));
        // The table's own checks hold against other tools.
        assert!(
            catalog
                .conn()
                .execute(
                    "UPDATE release_milestones SET status = 'done' WHERE id = ?1",
                    [ids[1]],
                )
                .is_err()
        );

        // Deleting the release deletes its plan.
        catalog
            .write(|tx| crate::db::releases::delete(tx, release).map(|_| ()))
            .expect("delete release");
        assert!(
            list_for_release(catalog.conn(), release)
                .expect("list")
                .is_empty()
        );
    }

    #[test]
    fn timeline_agenda_and_export_queries() {
        let (mut catalog, release) = seeded();
        let mut a = Milestone::new(release, "Masters final", d(2026, 11, 20));
        a.format = Some(FormatKind::Vinyl12);
        let b = Milestone::new(release, "Announcement", d(2026, 12, 20));
        let c = Milestone::new(release, "Far away", d(2027, 2, 1)).marked_done(d(2026, 11, 1));
        catalog
            .write(|tx| {
                for m in [&a, &b, &c] {
                    insert(tx, m)?;
                }
                Ok(())
            })
            .expect("insert");
        let conn = catalog.conn();
        let agenda = open_due_by(conn, d(2026, 12, 26), None, 100).expect("agenda");
        let names: Vec<&str> = agenda.iter().map(|r| r.milestone.name.as_str()).collect();
        assert_eq!(names, ["Masters final", "Announcement"]);
        assert_eq!(agenda[0].release_label(), "HLR020 Tides");
        assert!(
            open_due_by(conn, d(2026, 12, 26), Some(ArtistId(5)), 100)
                .expect("agenda")
                .is_empty()
        );

        let rows = timeline(conn, d(2026, 11, 26), d(2027, 11, 26), None, 100).expect("timeline");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].formats, [FormatKind::Vinyl12, FormatKind::Digital]);
        assert_eq!(rows[0].milestones.len(), 3);
        assert_eq!(rows[0].label(), "HLR020 Tides");
        assert!(
            timeline(conn, d(2028, 1, 1), d(2028, 12, 31), None, 100)
                .expect("timeline")
                .is_empty()
        );

        assert_eq!(all_milestones(conn, Some(release)).expect("all").len(), 3);
        assert_eq!(all_milestones(conn, None).expect("all").len(), 3);
        assert!(
            all_milestones(conn, Some(ReleaseId(77)))
                .expect("all")
                .is_empty()
        );
        assert_eq!(
            releases_with_catno(conn, " hlr020 ").expect("catno"),
            [release]
        );
        let choices = planning_choices(conn, d(2026, 11, 26), None, 50).expect("choices");
        assert_eq!(choices.len(), 1);
        assert_eq!(choices[0].label, "HLR020 Tides");
        assert_eq!(
            load_release(conn, release)
                .expect("release")
                .milestones
                .len(),
            3
        );
    }

    #[test]
    fn warnings_for_the_release_editor() {
        let (mut catalog, release) = seeded();
        let conn = catalog.conn();
        // Tides (2027-03-05, a Friday) seen from 2026-11-26: vinyl needs 98 days, which it has.
        assert!(
            release_warnings(conn, release, d(2026, 11, 26))
                .expect("warnings")
                .is_empty()
        );
        // Seen from 2026-12-01: vinyl cannot make it.
        assert_eq!(
            release_warnings(conn, release, d(2026, 12, 1)).expect("warnings"),
            [
                "12\" vinyl needs 98 more days: earliest feasible release 2027-03-09",
                "Earliest feasible release for every format: 2027-03-09 (the Friday after: 2027-03-12)",
            ]
        );
        // After release day there is nothing to say.
        assert!(
            release_warnings(conn, release, d(2027, 3, 6))
                .expect("warnings")
                .is_empty()
        );
        // A Wednesday release with a plan made for another date.
        let mut m = Milestone::new(release, "Masters final", d(2026, 12, 20));
        m.planned_for = Some(d(2027, 3, 5));
        catalog
            .write(|tx| {
                insert(tx, &m)?;
                tx.execute(
                    "UPDATE releases SET release_date = '2027-03-10' WHERE id = ?1",
                    [release],
                )?;
                Ok(())
            })
            .expect("edit");
        let lines = release_warnings(catalog.conn(), release, d(2026, 11, 26)).expect("warnings");
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[0],
            "1 open milestone(s) were planned for release day 2027-03-05: shift them in Planning"
        );
        assert!(
            lines[1].starts_with("2027-03-10 is a Wednesday"),
            "{lines:?}"
        );
    }

    #[test]
    fn profiles_are_edited_whole_and_checked() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let mut plant = crate::model::plan::default_profile(Some(FormatKind::Vinyl12));
        plant.manufacturer = " Optimal Media ".into();
        let id = catalog
            .write(|tx| insert_profile(tx, &plant))
            .expect("insert");
        let stored = get_profile(catalog.conn(), id).expect("get");
        assert_eq!(stored.manufacturer, "Optimal Media");
        assert_eq!(stored.milestones, plant.milestones);
        let listed = list_profiles(catalog.conn()).expect("list");
        assert_eq!(listed.len(), 9);
        assert_eq!(listed[2].display_name(), "12\" vinyl, Optimal Media");

        // A second profile for the same plant is refused, whatever its case.
        let mut again = plant.clone();
        again.manufacturer = "OPTIMAL MEDIA".into();
        let err = catalog
            .write(|tx| insert_profile(tx, &again))
            .expect_err("duplicate");
        assert!(err.to_string().contains("already a profile"), "{err}");

        // A cycle is refused and nothing changes.
        let mut cyclic = stored.clone();
        cyclic.milestones[0].anchor = Anchor::After {
            milestone: "Stock at distributor".into(),
            days: 1,
        };
        cyclic.milestones[5].anchor = Anchor::After {
            milestone: "Masters final".into(),
            days: 1,
        };
        let err = catalog
            .write(|tx| update_profile(tx, &cyclic))
            .expect_err("cycle");
        assert!(err.to_string().contains("circle"), "{err}");
        assert_eq!(get_profile(catalog.conn(), id).expect("get"), stored);

        let mut longer = stored.clone();
        longer.milestones[0].anchor = Anchor::BeforeRelease { days: 140 };
        catalog
            .write(|tx| update_profile(tx, &longer))
            .expect("update");
        assert_eq!(get_profile(catalog.conn(), id).expect("get"), longer);
        catalog.write(|tx| delete_profile(tx, id)).expect("delete");
        assert!(matches!(
            get_profile(catalog.conn(), id),
            Err(DbError::Missing { .. })
        ));
        let rows: i64 = catalog
            .conn()
            .query_row("SELECT count(*) FROM lead_time_milestones", [], |r| {
                r.get(0)
            })
            .expect("count");
        assert_eq!(rows, 34, "the plant's milestones went with it");
    }
}
