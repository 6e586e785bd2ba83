-- Labeldesk catalog schema: column mappings for the owner's own spreadsheets.
-- A spreadsheet of releases and tracks is imported through a mapping (which column holds the
-- title, the catalog number, the barcode…) the user picks in the import preview and can save
-- under a name; the next sheet of the same shape picks it up by itself. The definition is the
-- mapping as JSON ({"columns": {"title": "Album", …}, "currency": "EUR"}).
-- Only SQL understood by stock SQLite 3.40.

CREATE TABLE import_mappings (
    name            TEXT PRIMARY KEY CHECK (length(trim(name)) > 0 AND name = trim(name) AND length(name) <= 100),
    definition      TEXT NOT NULL CHECK (json_valid(definition)),
    saved_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;
