-- tasks_series_idx (series_id) has been a second copy of the front of tasks_series_next_idx
-- (series_id, series_index) since migration 003, with the same predicate: every lookup by
-- series uses the latter, and the former only cost an insert on every write of a recurring
-- task that moved it (a new occurrence, a completion).
DROP INDEX tasks_series_idx;

---- create above / drop below ----

CREATE INDEX tasks_series_idx ON tasks (series_id) WHERE series_id IS NOT NULL;
