-- Labeldesk catalog schema: one-letter search prefixes.
-- The word index kept prefix entries for 2 and 3 characters only, so the first keystroke of a
-- search ("s") had FTS5 merge the document lists of every word with that initial: tens of
-- milliseconds on a million tracks, on every first keystroke. With 1-character prefix entries
-- it is one index lookup that stops after the results shown (about 24% more index).
-- Same documents, same tokenizer, same name: the triggers keep working unchanged.
-- Only SQL understood by stock SQLite 3.40.

DROP TABLE search_words;
CREATE VIRTUAL TABLE search_words USING fts5 (
    body, content = 'search_docs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
INSERT INTO search_words (search_words) VALUES ('rebuild');
