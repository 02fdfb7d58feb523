-- Recurring series: each task knows its position in its series, and a series has at most
-- one task per position, so that completing an occurrence creates exactly one next one
-- however often its event is delivered, and however often it is reopened and completed.
-- A task created on its own is the first of its series.

ALTER TABLE tasks ADD COLUMN series_index integer NOT NULL DEFAULT 1 CHECK (series_index >= 1);

CREATE UNIQUE INDEX tasks_series_next_idx ON tasks (series_id, series_index) WHERE series_id IS NOT NULL;

---- create above / drop below ----

DROP INDEX tasks_series_next_idx;
ALTER TABLE tasks DROP COLUMN series_index;
