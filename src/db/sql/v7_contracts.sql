-- Labeldesk catalog schema: contracts and royalty statements.
-- A contract per artist (optionally for one release) with its rates, payees, splits,
-- recoupable cost categories and option periods; the statements issued for it (frozen: the
-- figures as JSON, and which income lines, costs and payments each one took, so that lines
-- arriving late for an issued period go into the next open one); payments made to payees.
-- Money is integer minor units of the contract's currency; percentages are basis points
-- (10000 = 100%). Dates are YYYY-MM-DD. Landed migrations are never edited: later versions
-- append new files. Only SQL understood by stock SQLite 3.40.

CREATE TABLE contracts (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    deal_type       TEXT NOT NULL CHECK (deal_type IN ('royalty', 'net_profit', 'license', 'distribution')),
    -- A contract with money on it is never removed with its artist or release.
    artist_id       INTEGER NOT NULL REFERENCES artists (id) ON DELETE RESTRICT,
    release_id      INTEGER REFERENCES releases (id) ON DELETE RESTRICT,
    start_date      TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    end_date        TEXT CHECK (end_date IS NULL OR (end_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
                        AND end_date >= start_date)),
    term_releases   INTEGER CHECK (term_releases IS NULL OR term_releases >= 1),
    -- 'only' and 'except' list ISO 3166 alpha-2 codes, comma-separated ('BR,PT').
    territory_mode  TEXT NOT NULL DEFAULT 'worldwide' CHECK (territory_mode IN ('worldwide', 'only', 'except')),
    territory_codes TEXT NOT NULL DEFAULT '' CHECK (territory_codes NOT GLOB '*[^A-Z,]*'
                        AND (territory_mode = 'worldwide') = (territory_codes = '')),
    masters_owner   TEXT NOT NULL DEFAULT 'label' CHECK (masters_owner IN ('label', 'artist')),
    reversion_date  TEXT CHECK (reversion_date IS NULL
                        OR reversion_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    advance         INTEGER NOT NULL DEFAULT 0 CHECK (advance >= 0),
    royalty_base    TEXT NOT NULL DEFAULT 'net' CHECK (royalty_base IN ('gross', 'net')),
    cross_collateralised INTEGER NOT NULL DEFAULT 1 CHECK (cross_collateralised IN (0, 1)),
    reserve_bp      INTEGER NOT NULL DEFAULT 0 CHECK (reserve_bp BETWEEN 0 AND 10000),
    reserve_periods INTEGER NOT NULL DEFAULT 0 CHECK (reserve_periods BETWEEN 0 AND 40
                        AND (reserve_bp = 0 OR reserve_periods >= 1)),
    minimum_payout  INTEGER NOT NULL DEFAULT 0 CHECK (minimum_payout >= 0),
    period_kind     TEXT NOT NULL DEFAULT 'half_year' CHECK (period_kind IN ('quarter', 'half_year')),
    document_path   TEXT NOT NULL DEFAULT '' CHECK (length(document_path) <= 4096),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (end_date IS NOT NULL OR term_releases IS NOT NULL),
    CHECK (reversion_date IS NULL OR reversion_date >= start_date)
);
CREATE INDEX contracts_by_artist ON contracts (artist_id, start_date);
CREATE INDEX contracts_by_release ON contracts (release_id) WHERE release_id IS NOT NULL;

CREATE TABLE contract_options (
    id              INTEGER PRIMARY KEY,
    contract_id     INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL DEFAULT 0,
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0 AND length(name) <= 200),
    notice_deadline TEXT NOT NULL CHECK (notice_deadline GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    until_date      TEXT CHECK (until_date IS NULL OR (until_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
                        AND until_date >= notice_deadline)),
    exercised       INTEGER NOT NULL DEFAULT 0 CHECK (exercised IN (0, 1))
);
CREATE INDEX contract_options_by_contract ON contract_options (contract_id, position);
CREATE INDEX contract_options_by_deadline ON contract_options (notice_deadline) WHERE exercised = 0;

-- A rate per channel, optionally only for one format kind (which overrides the channel's).
-- Royalty and net-profit deals: the artist's share; license and distribution: the label's fee.
CREATE TABLE contract_rates (
    id              INTEGER PRIMARY KEY,
    contract_id     INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('physical', 'download', 'stream', 'sync', 'other')),
    format_kind     TEXT CHECK (format_kind IS NULL
                        OR format_kind IN ('vinyl12', 'vinyl10', 'vinyl7', 'cd', 'cassette', 'digital', 'other')),
    rate_bp         INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000)
);
CREATE UNIQUE INDEX contract_rates_by_key ON contract_rates (contract_id, channel, coalesce(format_kind, ''));

-- payee_id is the payee's number within its contract (1, 2, 3…), kept across edits.
CREATE TABLE contract_payees (
    contract_id     INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    payee_id        INTEGER NOT NULL CHECK (payee_id > 0),
    position        INTEGER NOT NULL DEFAULT 0,
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0 AND length(name) <= 200),
    email           TEXT NOT NULL DEFAULT '' CHECK (email = '' OR email LIKE '%_@_%'),
    PRIMARY KEY (contract_id, payee_id)
) WITHOUT ROWID;

-- Splits: the contract's default, or one for a release, or one for a track; each totals 100%.
CREATE TABLE contract_splits (
    id              INTEGER PRIMARY KEY,
    contract_id     INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    scope           TEXT NOT NULL CHECK (scope IN ('default', 'release', 'track')),
    release_id      INTEGER REFERENCES releases (id) ON DELETE RESTRICT,
    track_id        INTEGER REFERENCES tracks (id) ON DELETE RESTRICT,
    payee_id        INTEGER NOT NULL,
    share_bp        INTEGER NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
    FOREIGN KEY (contract_id, payee_id) REFERENCES contract_payees (contract_id, payee_id) ON DELETE CASCADE,
    CHECK ((scope = 'default' AND release_id IS NULL AND track_id IS NULL)
        OR (scope = 'release' AND release_id IS NOT NULL AND track_id IS NULL)
        OR (scope = 'track' AND track_id IS NOT NULL AND release_id IS NULL))
);
CREATE UNIQUE INDEX contract_splits_by_key
    ON contract_splits (contract_id, scope, coalesce(release_id, track_id, 0), payee_id);
CREATE INDEX contract_splits_by_payee ON contract_splits (contract_id, payee_id);
CREATE INDEX contract_splits_by_release ON contract_splits (release_id) WHERE release_id IS NOT NULL;
CREATE INDEX contract_splits_by_track ON contract_splits (track_id) WHERE track_id IS NOT NULL;

CREATE TABLE contract_recoupables (
    contract_id     INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    category        TEXT NOT NULL CHECK (category IN ('recording', 'mastering', 'pressing', 'artwork',
                        'marketing', 'video', 'tour_support', 'other')),
    share_bp        INTEGER NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
    PRIMARY KEY (contract_id, category)
) WITHOUT ROWID;

-- An issued statement: frozen. `figures` is the whole statement as JSON (every figure, the
-- income line ids behind each earnings line, and the state carried into the next period).
-- The summary columns repeat figures for the contract list.
CREATE TABLE statements (
    id              INTEGER PRIMARY KEY,
    contract_id     INTEGER NOT NULL REFERENCES contracts (id) ON DELETE RESTRICT,
    period          TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9] [QH][1-4]'),
    period_start    TEXT NOT NULL CHECK (period_start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    period_end      TEXT NOT NULL CHECK (period_end GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
                        AND period_end > period_start),
    issued_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    closing_balance INTEGER NOT NULL,
    unrecouped      INTEGER NOT NULL CHECK (unrecouped >= 0),
    payable         INTEGER NOT NULL CHECK (payable >= 0),
    figures         TEXT NOT NULL CHECK (json_valid(figures)),
    UNIQUE (contract_id, period_start),
    UNIQUE (contract_id, period)
);
CREATE TRIGGER statements_are_frozen_on_update BEFORE UPDATE ON statements
BEGIN
    SELECT RAISE(ABORT, 'an issued statement cannot be changed');
END;
CREATE TRIGGER statements_are_frozen_on_delete BEFORE DELETE ON statements
BEGIN
    SELECT RAISE(ABORT, 'an issued statement cannot be deleted');
END;

-- The income lines each issued statement took (counted = 1) or looked at and left out with a
-- reason (counted = 0). A line not taken by any statement of a contract goes into its next
-- open period. Undoing an import removes its lines here too; the frozen figures keep them.
CREATE TABLE statement_income (
    statement_id    INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    income_line_id  INTEGER NOT NULL REFERENCES income_lines (id) ON DELETE CASCADE,
    counted         INTEGER NOT NULL DEFAULT 1 CHECK (counted IN (0, 1)),
    PRIMARY KEY (statement_id, income_line_id)
) WITHOUT ROWID;
CREATE INDEX statement_income_by_line ON statement_income (income_line_id, statement_id);

-- The recoupable costs each issued statement charged.
CREATE TABLE statement_costs (
    statement_id    INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    cost_line_id    INTEGER NOT NULL REFERENCES cost_lines (id) ON DELETE CASCADE,
    PRIMARY KEY (statement_id, cost_line_id)
) WITHOUT ROWID;
CREATE INDEX statement_costs_by_cost ON statement_costs (cost_line_id, statement_id);

-- Money paid to a payee. statement_id: the issued statement that took it (NULL: the next one).
CREATE TABLE payee_payments (
    id              INTEGER PRIMARY KEY,
    contract_id     INTEGER NOT NULL,
    payee_id        INTEGER NOT NULL,
    paid_on         TEXT NOT NULL CHECK (paid_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    note            TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    statement_id    INTEGER REFERENCES statements (id) ON DELETE RESTRICT,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    FOREIGN KEY (contract_id, payee_id) REFERENCES contract_payees (contract_id, payee_id) ON DELETE RESTRICT
);
CREATE INDEX payee_payments_by_contract ON payee_payments (contract_id, payee_id, paid_on);
CREATE INDEX payee_payments_by_statement ON payee_payments (statement_id) WHERE statement_id IS NOT NULL;
