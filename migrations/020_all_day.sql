-- All-day tasks: a task due on a day rather than at a time ("pay rent on the 1st"). Its
-- due_at is the last second of that day in the task's zone, so that listing, sorting,
-- the due filters and overdue treat it as every other task: it is overdue once its day
-- is over. all_day says that its time of day means nothing; the API writes the day as
-- due_date. A column with a constant default is added without rewriting the table.
ALTER TABLE tasks ADD COLUMN all_day boolean NOT NULL DEFAULT false;
ALTER TABLE tasks ADD CONSTRAINT tasks_all_day_due CHECK (NOT all_day OR due_at IS NOT NULL);

-- A notification of an all-day task's reminder keeps the day, as it keeps the due time.
ALTER TABLE notifications ADD COLUMN due_date date;

-- user_tasks (017) lists the columns Taskwire reads; all_day joins them at the end.
CREATE OR REPLACE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key, all_day
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
ALTER TABLE tasks DROP CONSTRAINT tasks_all_day_due;
ALTER TABLE tasks DROP COLUMN all_day;
