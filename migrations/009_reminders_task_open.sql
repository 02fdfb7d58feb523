-- A reminder of a completed task never fires, but it is not fired either, so it stayed in
-- the due index for good: every claim and every look for the next reminder read past all
-- of them (each early-completed occurrence of a recurring task leaves one) before finding
-- one to fire. Each reminder now carries whether its task is open, written with it on
-- every change of the task, and the due index holds only those of open tasks.
ALTER TABLE reminders ADD COLUMN task_open boolean NOT NULL DEFAULT true;
UPDATE reminders r SET task_open = false FROM tasks t WHERE t.id = r.task_id AND t.status <> 'open';
DROP INDEX reminders_due_idx;
CREATE INDEX reminders_due_idx ON reminders (fire_at) WHERE fired_at IS NULL AND fire_at IS NOT NULL AND task_open;

---- create above / drop below ----

DROP INDEX reminders_due_idx;
CREATE INDEX reminders_due_idx ON reminders (fire_at) WHERE fired_at IS NULL AND fire_at IS NOT NULL;
ALTER TABLE reminders DROP COLUMN task_open;
