-- Labeldesk catalog schema, version 1: the catalog core.
-- Landed migrations are never edited: later versions append new files.
-- Only SQL understood by stock SQLite 3.40 (no app-defined functions, no STRICT-only features).

PRAGMA application_id = 1279413316; -- 'LBLD'

CREATE TABLE labels (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0),
    is_own          INTEGER NOT NULL DEFAULT 0 CHECK (is_own IN (0, 1)),
    catno_prefix    TEXT NOT NULL DEFAULT '',
    isrc_prefix     TEXT CHECK (isrc_prefix IS NULL OR (length(isrc_prefix) = 5
                        AND isrc_prefix = upper(isrc_prefix)
                        AND substr(isrc_prefix, 1, 2) GLOB '[A-Z][A-Z]'
                        AND substr(isrc_prefix, 3, 3) NOT GLOB '*[^A-Z0-9]*')),
    currency        TEXT NOT NULL DEFAULT 'EUR' CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    notes           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE artists (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0),
    sort_name       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'prospect' CHECK (status IN ('signed', 'prospect', 'alumni')),
    archived        INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    country         TEXT NOT NULL DEFAULT '',
    genres          TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    manager         TEXT NOT NULL DEFAULT '',
    links           TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX artists_by_sort ON artists (archived, sort_name COLLATE NOCASE, name COLLATE NOCASE);

CREATE TABLE releases (
    id              INTEGER PRIMARY KEY,
    label_id        INTEGER REFERENCES labels (id) ON DELETE SET NULL,
    title           TEXT NOT NULL CHECK (length(trim(title)) > 0),
    release_type    TEXT NOT NULL DEFAULT 'album'
                        CHECK (release_type IN ('album', 'ep', 'single', 'compilation', 'live', 'mixtape', 'other')),
    status          TEXT NOT NULL DEFAULT 'idea'
                        CHECK (status IN ('idea', 'planned', 'in_production', 'released', 'out_of_print')),
    release_date    TEXT CHECK (release_date IS NULL OR release_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    notes           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX releases_by_label ON releases (label_id);
CREATE INDEX releases_by_date ON releases (release_date, id);
CREATE INDEX releases_by_status ON releases (status, release_date);
CREATE INDEX releases_by_title ON releases (title COLLATE NOCASE, id);

-- Cover art lives apart from the release row so scanning releases stays cheap.
CREATE TABLE release_covers (
    release_id      INTEGER PRIMARY KEY REFERENCES releases (id) ON DELETE CASCADE,
    mime            TEXT NOT NULL CHECK (mime IN ('image/png', 'image/jpeg')),
    image           BLOB NOT NULL CHECK (length(image) <= 1048576),
    thumbnail       BLOB NOT NULL CHECK (length(thumbnail) <= 65536),
    width           INTEGER NOT NULL CHECK (width > 0),
    height          INTEGER NOT NULL CHECK (height > 0)
);

CREATE TABLE release_artists (
    release_id      INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    artist_id       INTEGER NOT NULL REFERENCES artists (id) ON DELETE RESTRICT,
    role            TEXT NOT NULL DEFAULT 'primary'
                        CHECK (role IN ('primary', 'featured', 'remixer', 'producer', 'compiler')),
    position        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (release_id, artist_id, role)
) WITHOUT ROWID;
CREATE INDEX release_artists_by_artist ON release_artists (artist_id, release_id);

CREATE TABLE formats (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL
                        CHECK (kind IN ('vinyl12', 'vinyl10', 'vinyl7', 'cd', 'cassette', 'digital', 'other')),
    variant         TEXT NOT NULL DEFAULT '',
    discs           INTEGER NOT NULL DEFAULT 1 CHECK (discs BETWEEN 1 AND 99),
    barcode         TEXT CHECK (barcode IS NULL OR (length(barcode) IN (12, 13) AND barcode NOT GLOB '*[^0-9]*')),
    release_date    TEXT CHECK (release_date IS NULL OR release_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    currency        TEXT NOT NULL DEFAULT 'EUR' CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    retail_price    INTEGER CHECK (retail_price IS NULL OR retail_price >= 0),
    dealer_price    INTEGER CHECK (dealer_price IS NULL OR dealer_price >= 0),
    pressed_quantity INTEGER CHECK (pressed_quantity IS NULL OR pressed_quantity >= 0),
    position        INTEGER NOT NULL DEFAULT 0,
    notes           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX formats_by_release ON formats (release_id, position);
CREATE INDEX formats_by_kind ON formats (kind, release_id);
CREATE INDEX formats_by_barcode ON formats (barcode) WHERE barcode IS NOT NULL;

-- A release may have no catalog number yet, or several (per label, optionally per format).
CREATE TABLE catalog_numbers (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    label_id        INTEGER REFERENCES labels (id) ON DELETE SET NULL,
    format_id       INTEGER REFERENCES formats (id) ON DELETE SET NULL,
    catno           TEXT NOT NULL CHECK (length(trim(catno)) > 0 AND catno = trim(catno)),
    position        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX catalog_numbers_by_release ON catalog_numbers (release_id, position);
CREATE INDEX catalog_numbers_by_catno ON catalog_numbers (catno COLLATE NOCASE);
CREATE INDEX catalog_numbers_by_label ON catalog_numbers (label_id, catno);

CREATE TABLE tracks (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    disc            INTEGER NOT NULL DEFAULT 1 CHECK (disc BETWEEN 1 AND 999),
    position        TEXT NOT NULL DEFAULT '' CHECK (length(position) <= 8),
    seq             INTEGER NOT NULL CHECK (seq >= 0),
    title           TEXT NOT NULL CHECK (length(trim(title)) > 0),
    duration_ms     INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
    isrc            TEXT CHECK (isrc IS NULL OR (length(isrc) = 12
                        AND substr(isrc, 1, 2) GLOB '[A-Z][A-Z]'
                        AND substr(isrc, 3, 3) NOT GLOB '*[^A-Z0-9]*'
                        AND substr(isrc, 6, 7) NOT GLOB '*[^0-9]*')),
    featured_artist_id INTEGER REFERENCES artists (id) ON DELETE RESTRICT,
    notes           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tracks_by_release ON tracks (release_id, seq);
CREATE INDEX tracks_by_isrc ON tracks (isrc) WHERE isrc IS NOT NULL;
CREATE INDEX tracks_by_featured ON tracks (featured_artist_id) WHERE featured_artist_id IS NOT NULL;

-- Search. One document per artist, release and track; the document id encodes what it is:
-- id = artist.id * 4, release.id * 4 + 1, track.id * 4 + 2. Two FTS5 indexes read the same
-- documents: word prefixes (unicode61) and substrings (trigram, 3+ characters).
CREATE TABLE search_docs (
    id              INTEGER PRIMARY KEY,
    body            TEXT NOT NULL
);
CREATE VIRTUAL TABLE search_words USING fts5 (
    body, content = 'search_docs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE VIRTUAL TABLE search_trigram USING fts5 (
    body, content = 'search_docs', content_rowid = 'id', tokenize = 'trigram'
);

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_words (rowid, body) VALUES (new.id, new.body);
    INSERT INTO search_trigram (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_words (search_words, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO search_trigram (search_trigram, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_words (search_words, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO search_trigram (search_trigram, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO search_words (rowid, body) VALUES (new.id, new.body);
    INSERT INTO search_trigram (rowid, body) VALUES (new.id, new.body);
END;

-- What a release is found by: its title, catalog numbers and barcodes (both UPC-A and EAN-13 forms).
CREATE VIEW release_search_body AS
SELECT r.id AS release_id,
       r.title
       || coalesce(' ' || (SELECT group_concat(c.catno, ' ') FROM catalog_numbers c WHERE c.release_id = r.id), '')
       || coalesce(' ' || (SELECT group_concat(CASE WHEN length(f.barcode) = 12 THEN f.barcode || ' 0' || f.barcode
                                                   ELSE f.barcode END, ' ')
                           FROM formats f WHERE f.release_id = r.id AND f.barcode IS NOT NULL), '') AS body
FROM releases r;

CREATE TRIGGER artists_search_ai AFTER INSERT ON artists BEGIN
    INSERT INTO search_docs (id, body) VALUES (new.id * 4, new.name || ' ' || new.sort_name);
END;
CREATE TRIGGER artists_search_au AFTER UPDATE OF name, sort_name ON artists BEGIN
    UPDATE search_docs SET body = new.name || ' ' || new.sort_name WHERE id = new.id * 4;
END;
CREATE TRIGGER artists_search_ad AFTER DELETE ON artists BEGIN
    DELETE FROM search_docs WHERE id = old.id * 4;
END;

CREATE TRIGGER releases_search_ai AFTER INSERT ON releases BEGIN
    INSERT INTO search_docs (id, body)
    SELECT new.id * 4 + 1, body FROM release_search_body WHERE release_id = new.id;
END;
CREATE TRIGGER releases_search_au AFTER UPDATE OF title ON releases BEGIN
    UPDATE search_docs SET body = coalesce((SELECT body FROM release_search_body WHERE release_id = new.id), '')
    WHERE id = new.id * 4 + 1;
END;
CREATE TRIGGER releases_search_ad AFTER DELETE ON releases BEGIN
    DELETE FROM search_docs WHERE id = old.id * 4 + 1;
END;

CREATE TRIGGER catalog_numbers_search_ai AFTER INSERT ON catalog_numbers BEGIN
    UPDATE search_docs SET body = coalesce((SELECT body FROM release_search_body WHERE release_id = new.release_id), '')
    WHERE id = new.release_id * 4 + 1;
END;
CREATE TRIGGER catalog_numbers_search_au AFTER UPDATE OF catno, release_id ON catalog_numbers BEGIN
    UPDATE search_docs SET body = coalesce((SELECT body FROM release_search_body WHERE release_id = old.release_id), '')
    WHERE id = old.release_id * 4 + 1;
    UPDATE search_docs SET body = coalesce((SELECT body FROM release_search_body WHERE release_id = new.release_id), '')
    WHERE id = new.release_id * 4 + 1;
END;
CREATE TRIGGER catalog_numbers_search_ad AFTER DELETE ON catalog_numbers BEGIN
    UPDATE search_docs SET body = coalesce((SELECT body FROM release_search_body WHERE release_id = old.release_id), '')
    WHERE id = old.release_id * 4 + 1;
END;

CREATE TRIGGER formats_search_ai AFTER INSERT ON formats WHEN new.barcode IS NOT NULL BEGIN
    UPDATE search_docs SET body = coalesce((SELECT body FROM release_search_body WHERE release_id = new.release_id), '')
    WHERE id = new.release_id * 4 + 1;
END;
CREATE TRIGGER formats_search_au AFTER UPDATE OF barcode, release_id ON formats BEGIN
    UPDATE search_docs SET body = coalesce((SELECT body FROM release_search_body WHERE release_id = old.release_id), '')
    WHERE id = old.release_id * 4 + 1;
    UPDATE search_docs SET body = coalesce((SELECT body FROM release_search_body WHERE release_id = new.release_id), '')
    WHERE id = new.release_id * 4 + 1;
END;
CREATE TRIGGER formats_search_ad AFTER DELETE ON formats WHEN old.barcode IS NOT NULL BEGIN
    UPDATE search_docs SET body = coalesce((SELECT body FROM release_search_body WHERE release_id = old.release_id), '')
    WHERE id = old.release_id * 4 + 1;
END;

CREATE TRIGGER tracks_search_ai AFTER INSERT ON tracks BEGIN
    INSERT INTO search_docs (id, body) VALUES (new.id * 4 + 2, new.title || coalesce(' ' || new.isrc, ''));
END;
CREATE TRIGGER tracks_search_au AFTER UPDATE OF title, isrc ON tracks BEGIN
    UPDATE search_docs SET body = new.title || coalesce(' ' || new.isrc, '') WHERE id = new.id * 4 + 2;
END;
CREATE TRIGGER tracks_search_ad AFTER DELETE ON tracks BEGIN
    DELETE FROM search_docs WHERE id = old.id * 4 + 2;
END;
