-- All-day tasks: a task due on a day rather than at a time ("pay rent on the 1st").
-- due_date is that day, in the task's zone, and NULL for a task due at a time. due_at is
-- the day's last second there, so that listing, sorting, the due filters and overdue
-- treat it as every other task: it is overdue once its day is over. A nullable column
-- without a default is added without rewriting the table.
ALTER TABLE tasks ADD COLUMN due_date date;
ALTER TABLE tasks ADD CONSTRAINT tasks_due_date_due CHECK (due_date IS NULL OR due_at IS NOT NULL);

-- A notification of an all-day task's reminder keeps the day, as it keeps the due time.
ALTER TABLE notifications ADD COLUMN due_date date;

-- user_tasks (017) lists the columns Taskwire reads; due_date joins them at the end.
CREATE OR REPLACE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key, due_date
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);

---- create above / drop below ----

DROP VIEW user_tasks;
CREATE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);
GRANT SELECT ON user_tasks TO taskwire_app;
ALTER TABLE notifications DROP COLUMN due_date;
ALTER TABLE tasks DROP CONSTRAINT tasks_due_date_due;
ALTER TABLE tasks DROP COLUMN due_date;
