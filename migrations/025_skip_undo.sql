-- What the latest skip of a task changed (postgres.TaskService.SkipOccurrence): the
-- version the skip made, and the task's place in its series, due, steps and reminders
-- before it, so that UndoSkip can put them back while the task has not changed since.
-- NULL for a task never skipped; a later change leaves it behind, stale (its version no
-- longer the task's), rather than rewriting it. A column without a default is added
-- without rewriting the table.
ALTER TABLE tasks ADD COLUMN skipped jsonb;

---- create above / drop below ----

ALTER TABLE tasks DROP COLUMN skipped;
