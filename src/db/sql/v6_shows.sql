-- Labeldesk catalog schema: stock, shows and the merch table.
-- Stock is never stored as a number: it is the sum of the movements of an item (a release
-- format or a merch item) at a location. Sales are never deleted: "undo last sale" writes a
-- void record pointing at the sale. Amounts are integer minor units of the show's currency.
-- Only SQL understood by stock SQLite 3.40.

CREATE TABLE stock_locations (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE
                        CHECK (length(trim(name)) > 0 AND name = trim(name) AND length(name) <= 100),
    kind            TEXT NOT NULL DEFAULT 'other'
                        CHECK (kind IN ('home', 'distributor', 'tour', 'consignment', 'other'))
);
INSERT INTO stock_locations (name, kind) VALUES ('Home', 'home'), ('Tour box', 'tour');

CREATE TABLE merch_items (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('shirt', 'tote', 'poster', 'bundle', 'other')),
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0 AND length(name) <= 200),
    artist_id       INTEGER REFERENCES artists (id) ON DELETE SET NULL,
    size            TEXT NOT NULL DEFAULT '' CHECK (length(size) <= 20),
    colour          TEXT NOT NULL DEFAULT '' CHECK (length(colour) <= 40),
    price           INTEGER NOT NULL CHECK (price >= 0),
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    barcode         TEXT CHECK (barcode IS NULL OR (length(barcode) IN (12, 13) AND barcode NOT GLOB '*[^0-9]*')),
    low_stock       INTEGER NOT NULL DEFAULT 0 CHECK (low_stock >= 0)
);
CREATE INDEX merch_items_by_artist ON merch_items (artist_id) WHERE artist_id IS NOT NULL;
CREATE INDEX merch_items_by_barcode ON merch_items (barcode) WHERE barcode IS NOT NULL;

-- Warn when a format's stock over all locations falls below this.
CREATE TABLE format_low_stock (
    format_id       INTEGER PRIMARY KEY REFERENCES formats (id) ON DELETE CASCADE,
    low_stock       INTEGER NOT NULL CHECK (low_stock >= 0)
);

CREATE TABLE shows (
    id              INTEGER PRIMARY KEY,
    show_date       TEXT NOT NULL CHECK (show_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    venue           TEXT NOT NULL CHECK (length(trim(venue)) > 0 AND length(venue) <= 200),
    city            TEXT NOT NULL DEFAULT '' CHECK (length(city) <= 200),
    location_id     INTEGER NOT NULL REFERENCES stock_locations (id) ON DELETE RESTRICT,
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    cash_float      INTEGER NOT NULL DEFAULT 0 CHECK (cash_float >= 0),
    commission_bp   INTEGER NOT NULL DEFAULT 0 CHECK (commission_bp BETWEEN 0 AND 10000),
    cash_counted    INTEGER CHECK (cash_counted IS NULL OR cash_counted >= 0),
    notes           TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    -- When the show was closed and its record sales became income lines in the ledger.
    closed_at       TEXT
);
CREATE INDEX shows_by_date ON shows (show_date, id);

CREATE TABLE show_artists (
    show_id         INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    artist_id       INTEGER NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (show_id, artist_id)
) WITHOUT ROWID;
CREATE INDEX show_artists_by_artist ON show_artists (artist_id);

CREATE TABLE show_sales (
    id              INTEGER PRIMARY KEY,
    show_id         INTEGER NOT NULL REFERENCES shows (id) ON DELETE RESTRICT,
    sold_at         TEXT NOT NULL,
    format_id       INTEGER REFERENCES formats (id) ON DELETE SET NULL,
    merch_id        INTEGER REFERENCES merch_items (id) ON DELETE SET NULL,
    -- What was sold, as it was called then ("Salt in the Wires — 12\" vinyl").
    description     TEXT NOT NULL CHECK (length(description) > 0),
    artist_id       INTEGER REFERENCES artists (id) ON DELETE SET NULL,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    unit_price      INTEGER NOT NULL CHECK (unit_price >= 0),
    discount        INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0),
    total           INTEGER NOT NULL CHECK (total >= 0 AND total = quantity * unit_price - discount),
    payment         TEXT NOT NULL CHECK (payment IN ('cash', 'card')),
    -- A void record: the sale it undoes (each sale can be undone once).
    voids_sale_id   INTEGER UNIQUE REFERENCES show_sales (id) ON DELETE RESTRICT,
    CHECK (format_id IS NULL OR merch_id IS NULL)
);
CREATE INDEX show_sales_by_show ON show_sales (show_id, id);
CREATE INDEX show_sales_by_format ON show_sales (format_id) WHERE format_id IS NOT NULL;
CREATE INDEX show_sales_by_merch ON show_sales (merch_id) WHERE merch_id IS NOT NULL;

CREATE TABLE stock_movements (
    id              INTEGER PRIMARY KEY,
    format_id       INTEGER REFERENCES formats (id) ON DELETE CASCADE,
    merch_id        INTEGER REFERENCES merch_items (id) ON DELETE CASCADE,
    location_id     INTEGER NOT NULL REFERENCES stock_locations (id) ON DELETE RESTRICT,
    quantity        INTEGER NOT NULL CHECK (quantity <> 0),
    reason          TEXT NOT NULL
                        CHECK (reason IN ('received', 'transfer', 'sale', 'sale_void', 'gift', 'damaged', 'count')),
    -- The sale (or void record) that moved it.
    sale_id         INTEGER REFERENCES show_sales (id) ON DELETE CASCADE,
    moved_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    note            TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    CHECK ((format_id IS NULL) <> (merch_id IS NULL))
);
CREATE INDEX stock_movements_by_format ON stock_movements (format_id, location_id) WHERE format_id IS NOT NULL;
CREATE INDEX stock_movements_by_merch ON stock_movements (merch_id, location_id) WHERE merch_id IS NOT NULL;
CREATE INDEX stock_movements_by_location ON stock_movements (location_id);
CREATE INDEX stock_movements_by_sale ON stock_movements (sale_id) WHERE sale_id IS NOT NULL;

CREATE TABLE mailing_signups (
    id              INTEGER PRIMARY KEY,
    show_id         INTEGER REFERENCES shows (id) ON DELETE SET NULL,
    name            TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    email           TEXT NOT NULL CHECK (email GLOB '?*@?*.?*' AND length(email) <= 254),
    consented_at    TEXT NOT NULL
);
CREATE INDEX mailing_signups_by_show ON mailing_signups (show_id) WHERE show_id IS NOT NULL;
CREATE UNIQUE INDEX mailing_signups_by_email ON mailing_signups (email COLLATE NOCASE);
