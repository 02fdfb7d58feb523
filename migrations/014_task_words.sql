-- Search finds words as they are typed, accents or not: "mil" finds "milk", "cafe" finds
-- "Café". The english vector (search) is stemmed ("groceries" finds "grocery") and cannot
-- match the start of a word whose stem differs from it ("runn" does not begin "run", the
-- stem of "running"). words holds every word of the title and description as written,
-- without accents (the taskwire_words configuration: unaccent, then simple), which a
-- search matches by prefix (see TaskService.FindTasks). It is a column of its own rather
-- than more of search, where a phrase could match across the end of one and the start of
-- the other. unaccent ships with PostgreSQL and is a trusted extension: the database's
-- owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION taskwire_words (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION taskwire_words
	ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
ALTER TABLE tasks ADD COLUMN words tsvector GENERATED ALWAYS AS (
	to_tsvector('taskwire_words', title) || to_tsvector('taskwire_words', description)
) STORED;
CREATE INDEX tasks_words_idx ON tasks USING gin (words);

---- create above / drop below ----

-- The unaccent extension stays: something else may have come to use it.
DROP INDEX tasks_words_idx;
ALTER TABLE tasks DROP COLUMN words;
DROP TEXT SEARCH CONFIGURATION taskwire_words;
