-- Labeldesk catalog schema: release planning.
-- Lead-time profiles (per format kind, optionally per manufacturer) with their milestone
-- templates, each release's milestones, and a stable catalog id for calendar exports.
-- Landed migrations are never edited: later versions append new files.
-- Only SQL understood by stock SQLite 3.40.

-- Facts about the catalog itself. `catalog_id` names this catalog in iCalendar UIDs
-- (`<milestone id>@<catalog id>`), so re-importing an export updates events instead of
-- duplicating them; it never changes.
CREATE TABLE catalog_meta (
    key             TEXT PRIMARY KEY CHECK (length(key) > 0),
    value           TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO catalog_meta (key, value) VALUES ('catalog_id', lower(hex(randomblob(16))));

-- One profile per format kind (NULL: release-wide milestones) and manufacturer ('' = the
-- kind's default).
CREATE TABLE lead_time_profiles (
    id              INTEGER PRIMARY KEY,
    format_kind     TEXT CHECK (format_kind IS NULL
                        OR format_kind IN ('vinyl12', 'vinyl10', 'vinyl7', 'cd', 'cassette', 'digital', 'other')),
    manufacturer    TEXT NOT NULL DEFAULT '' CHECK (manufacturer = trim(manufacturer) AND length(manufacturer) <= 200)
);
CREATE UNIQUE INDEX lead_time_profiles_by_kind
    ON lead_time_profiles (coalesce(format_kind, ''), manufacturer COLLATE NOCASE);

-- A profile's milestones in order: `days` before release day, or `days` after the milestone
-- of the same profile called `after_name`.
CREATE TABLE lead_time_milestones (
    id              INTEGER PRIMARY KEY,
    profile_id      INTEGER NOT NULL REFERENCES lead_time_profiles (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 0),
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0 AND length(name) <= 200),
    after_name      TEXT CHECK (after_name IS NULL OR length(trim(after_name)) > 0),
    days            INTEGER NOT NULL CHECK (days BETWEEN 0 AND 730),
    UNIQUE (profile_id, position)
);

-- A release's plan. `sequence` is raised on every change (iCalendar SEQUENCE) by the trigger
-- below, also for edits made with other tools; `planned_for` is the release date the due date
-- was worked out for.
CREATE TABLE release_milestones (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0 AND length(name) <= 200),
    due_date        TEXT NOT NULL CHECK (due_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    status          TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'done', 'skipped')),
    done_date       TEXT CHECK (done_date IS NULL OR done_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    owner           TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    format_kind     TEXT CHECK (format_kind IS NULL
                        OR format_kind IN ('vinyl12', 'vinyl10', 'vinyl7', 'cd', 'cassette', 'digital', 'other')),
    planned_for     TEXT CHECK (planned_for IS NULL OR planned_for GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    sequence        INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    position        INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    -- A done date exactly when done.
    CHECK ((status = 'done') = (done_date IS NOT NULL))
);
CREATE INDEX release_milestones_by_release ON release_milestones (release_id, position);
CREATE INDEX release_milestones_by_due ON release_milestones (status, due_date);

CREATE TRIGGER release_milestones_sequence AFTER UPDATE ON release_milestones
WHEN new.sequence = old.sequence BEGIN
    UPDATE release_milestones
    SET sequence = old.sequence + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    WHERE id = new.id;
END;

-- The profiles Labeldesk ships (the same as model::plan::default_profiles).
INSERT INTO lead_time_profiles (id, format_kind, manufacturer) VALUES
    (1, NULL, ''),
    (2, 'vinyl12', ''),
    (3, 'vinyl10', ''),
    (4, 'vinyl7', ''),
    (5, 'cd', ''),
    (6, 'cassette', ''),
    (7, 'digital', ''),
    (8, 'other', '');

INSERT INTO lead_time_milestones (profile_id, position, name, after_name, days) VALUES
    (1, 0, 'Artwork final', NULL, 63),
    (1, 1, 'Announcement', NULL, 42),
    (1, 2, 'Pre-order live', 'Announcement', 0),
    (1, 3, 'Lead single out', NULL, 28),
    (1, 4, 'Release day', NULL, 0),
    (5, 0, 'Masters final', NULL, 49),
    (5, 1, 'Replication finished', 'Masters final', 21),
    (5, 2, 'Stock at distributor', NULL, 14),
    (6, 0, 'Masters final', NULL, 56),
    (6, 1, 'Duplication finished', 'Masters final', 28),
    (6, 2, 'Stock at distributor', NULL, 14),
    (7, 0, 'Delivery to distributor', NULL, 28),
    (7, 1, 'Pitch deadline', NULL, 7),
    (8, 0, 'Masters final', NULL, 56),
    (8, 1, 'Manufacturing finished', 'Masters final', 28),
    (8, 2, 'Stock at distributor', NULL, 14);

-- The three vinyl sizes share one set of defaults.
INSERT INTO lead_time_milestones (profile_id, position, name, after_name, days)
SELECT p.id, v.position, v.name, v.after_name, v.days
FROM lead_time_profiles p,
     (SELECT 0 AS position, 'Masters final' AS name, NULL AS after_name, 98 AS days
      UNION ALL SELECT 1, 'Lacquer cut', 'Masters final', 7
      UNION ALL SELECT 2, 'Test pressings received', 'Lacquer cut', 21
      UNION ALL SELECT 3, 'Test pressings approved', 'Test pressings received', 7
      UNION ALL SELECT 4, 'Pressing finished', 'Test pressings approved', 35
      UNION ALL SELECT 5, 'Stock at distributor', NULL, 14) v
WHERE p.format_kind IN ('vinyl12', 'vinyl10', 'vinyl7');
