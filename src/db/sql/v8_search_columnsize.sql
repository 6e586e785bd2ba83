-- Labeldesk catalog schema: search indexes without per-document column sizes.
-- FTS5 keeps, by default, a %_docsize row per document (the token count of each column) for
-- bm25 ranking. Labeldesk never ranks (queries are limited and shown grouped by kind), so
-- those rows were written and never read: 1.1 million of them per index on a million-track
-- catalog, about 0.7 s of every bulk load. `columnsize=0` drops them; everything else (same
-- documents, same tokenizers, same prefixes, same names) is unchanged, so the triggers keep
-- working. Only SQL understood by stock SQLite 3.40.

DROP TABLE search_words;
CREATE VIRTUAL TABLE search_words USING fts5 (
    body, content = 'search_docs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3', columnsize = 0
);
INSERT INTO search_words (search_words) VALUES ('rebuild');

DROP TABLE search_trigram;
CREATE VIRTUAL TABLE search_trigram USING fts5 (
    body, content = 'search_docs', content_rowid = 'id', tokenize = 'trigram', columnsize = 0
);
INSERT INTO search_trigram (search_trigram) VALUES ('rebuild');
