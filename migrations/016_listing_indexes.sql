-- Indexes for listings at scale (one user with 200 000 tasks, about a million outbox rows).
-- Each lets a page be read in its order and stop, where without it PostgreSQL read and
-- sorted every task or event of the user for one page:
-- sort=title orders by the title in lower case, byte by byte. It is a column, not an
-- expression of the index: row-level security keeps a condition that applies lower() (not
-- leakproof) to a row out of an index scan, so a cursor on lower(title) was a filter, and a
-- page deep in the list read every task before it;
ALTER TABLE tasks ADD COLUMN title_key text GENERATED ALWAYS AS (lower(title)) STORED;
CREATE INDEX tasks_user_status_title_idx ON tasks (user_id, status, (title_key COLLATE "C"), id);
-- the changes feed, a live stream's resumption and its latest positions read a user's
-- outbox in the order of positions.
CREATE INDEX outbox_user_seq_idx ON outbox (user_id, seq);

---- create above / drop below ----

DROP INDEX outbox_user_seq_idx;
DROP INDEX tasks_user_status_title_idx;
ALTER TABLE tasks DROP COLUMN title_key;
