-- Search finds words as they are typed: "mil" finds "milk". The english vector (search)
-- is stemmed ("groceries" finds "grocery") and cannot match the start of a word whose stem
-- differs from it ("runn" does not begin "run", the stem of "running"). words holds every
-- word of the title and description as written (the simple configuration), which a search
-- matches by prefix (see TaskService.FindTasks). It is a column of its own rather than more
-- of search, where a phrase could match across the end of one and the start of the other.
ALTER TABLE tasks ADD COLUMN words tsvector GENERATED ALWAYS AS (
	to_tsvector('simple', title) || to_tsvector('simple', description)
) STORED;
CREATE INDEX tasks_words_idx ON tasks USING gin (words);

---- create above / drop below ----

DROP INDEX tasks_words_idx;
ALTER TABLE tasks DROP COLUMN words;
