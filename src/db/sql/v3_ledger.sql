-- Labeldesk catalog schema: the sales ledger.
-- Imported distributor reports (one row per file, refused twice by content hash), their income
-- lines, costs entered by hand, saved column mappings for other report layouts, and the
-- remembered mappings of report lines to releases and tracks.
-- Amounts from reports are integers in units of 10^-8 of their currency (columns *_e8); costs
-- are integer minor units. Landed migrations are never edited: later versions append new files.
-- Only SQL understood by stock SQLite 3.40.

CREATE TABLE ledger_imports (
    id              INTEGER PRIMARY KEY,
    file_name       TEXT NOT NULL CHECK (length(trim(file_name)) > 0),
    -- 'distrokid', 'tunecore', 'cdbaby', 'bandcamp', or 'mapping:' || the saved mapping's name.
    layout          TEXT NOT NULL CHECK (layout IN ('distrokid', 'tunecore', 'cdbaby', 'bandcamp')
                        OR (layout GLOB 'mapping:?*')),
    content_sha256  TEXT NOT NULL UNIQUE
                        CHECK (length(content_sha256) = 64 AND content_sha256 NOT GLOB '*[^0-9a-f]*'),
    home_currency   TEXT NOT NULL CHECK (length(home_currency) = 3 AND home_currency NOT GLOB '*[^A-Z]*'),
    line_count      INTEGER NOT NULL CHECK (line_count >= 0),
    imported_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- The control total of each currency in an import, and the rate it was converted at.
CREATE TABLE ledger_import_totals (
    import_id       INTEGER NOT NULL REFERENCES ledger_imports (id) ON DELETE CASCADE,
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    line_count      INTEGER NOT NULL CHECK (line_count >= 0),
    -- The exact sum of the file's amounts, rounded once (half to even) to 10^-8.
    net_e8          INTEGER NOT NULL,
    -- The exact sum as a decimal, every digit the file had.
    net_exact       TEXT NOT NULL CHECK (net_exact GLOB '*[0-9].[0-9]*' AND net_exact NOT GLOB '*[^0-9.-]*'),
    -- 1 currency = rate home units (exact decimal text), NULL when not converted.
    rate            TEXT CHECK (rate IS NULL OR (rate NOT GLOB '*[^0-9.]*' AND rate GLOB '*[1-9]*')),
    PRIMARY KEY (import_id, currency)
) WITHOUT ROWID;

CREATE TABLE income_lines (
    id              INTEGER PRIMARY KEY,
    import_id       INTEGER REFERENCES ledger_imports (id) ON DELETE CASCADE,
    line_no         INTEGER NOT NULL CHECK (line_no >= 0),
    sale_date       TEXT NOT NULL CHECK (sale_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    period          TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    -- What the line is for; all NULL while unmatched (a deleted release or track unmatches it).
    release_id      INTEGER REFERENCES releases (id) ON DELETE SET NULL,
    track_id        INTEGER REFERENCES tracks (id) ON DELETE SET NULL,
    format_id       INTEGER REFERENCES formats (id) ON DELETE SET NULL,
    matched_by      TEXT CHECK (matched_by IS NULL
                        OR matched_by IN ('isrc', 'barcode', 'catno', 'mapping', 'title')),
    channel         TEXT NOT NULL CHECK (channel IN ('physical', 'download', 'stream', 'sync', 'other')),
    territory       TEXT NOT NULL DEFAULT '' CHECK (length(territory) <= 100),
    source          TEXT NOT NULL DEFAULT '' CHECK (length(source) <= 200),
    quantity        INTEGER NOT NULL DEFAULT 0,
    gross_e8        INTEGER,
    net_e8          INTEGER NOT NULL,
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    net_home_e8     INTEGER,
    -- The report's identifiers exactly as written (trimmed), kept whether or not they are valid.
    raw_isrc        TEXT NOT NULL DEFAULT '',
    raw_barcode     TEXT NOT NULL DEFAULT '',
    raw_catno       TEXT NOT NULL DEFAULT '',
    raw_artist      TEXT NOT NULL DEFAULT '',
    raw_title       TEXT NOT NULL DEFAULT '',
    raw_other_id    TEXT NOT NULL DEFAULT '',
    -- 1 bad ISRC, 2 bad UPC/EAN, 4 physical sale (a stock movement once stock exists).
    flags           INTEGER NOT NULL DEFAULT 0 CHECK (flags BETWEEN 0 AND 7),
    -- The key a remembered mapping for this line is stored under.
    match_key       TEXT NOT NULL CHECK (length(match_key) > 0)
);
CREATE INDEX income_lines_by_import ON income_lines (import_id, line_no);
CREATE INDEX income_lines_by_release ON income_lines (release_id, period) WHERE release_id IS NOT NULL;
CREATE INDEX income_lines_by_track ON income_lines (track_id) WHERE track_id IS NOT NULL;
CREATE INDEX income_lines_by_format ON income_lines (format_id) WHERE format_id IS NOT NULL;
CREATE INDEX income_lines_by_period ON income_lines (period, currency);
CREATE INDEX income_lines_unmatched ON income_lines (match_key) WHERE release_id IS NULL;

CREATE TABLE cost_lines (
    id              INTEGER PRIMARY KEY,
    cost_date       TEXT NOT NULL CHECK (cost_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    release_id      INTEGER REFERENCES releases (id) ON DELETE SET NULL,
    category        TEXT NOT NULL CHECK (category IN ('recording', 'mastering', 'pressing', 'artwork',
                        'marketing', 'video', 'tour_support', 'other')),
    amount          INTEGER NOT NULL CHECK (amount >= 0),
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    recoupable      INTEGER NOT NULL DEFAULT 0 CHECK (recoupable IN (0, 1)),
    note            TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX cost_lines_by_release ON cost_lines (release_id, cost_date) WHERE release_id IS NOT NULL;
CREATE INDEX cost_lines_by_date ON cost_lines (cost_date, id);

-- Column mappings for report layouts Labeldesk does not know, saved under a name (JSON).
CREATE TABLE report_mappings (
    name            TEXT PRIMARY KEY CHECK (length(trim(name)) > 0 AND name = trim(name) AND length(name) <= 100),
    definition      TEXT NOT NULL CHECK (json_valid(definition))
) WITHOUT ROWID;

-- Report lines the user mapped once: every line with this key (see income_lines.match_key)
-- belongs to this release (and track), in this and later imports.
CREATE TABLE match_mappings (
    match_key       TEXT PRIMARY KEY CHECK (length(match_key) > 0),
    release_id      INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    track_id        INTEGER REFERENCES tracks (id) ON DELETE CASCADE,
    format_id       INTEGER REFERENCES formats (id) ON DELETE SET NULL
) WITHOUT ROWID;
CREATE INDEX match_mappings_by_release ON match_mappings (release_id);
CREATE INDEX match_mappings_by_track ON match_mappings (track_id) WHERE track_id IS NOT NULL;
CREATE INDEX match_mappings_by_format ON match_mappings (format_id) WHERE format_id IS NOT NULL;
