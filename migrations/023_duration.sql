-- How long a task takes from its due (taskwire.TaskFields.Duration): an ISO 8601 duration
-- in the canonical form the API writes ("PT30M", "P2D"), NULL when not said. Kept as the
-- text the API reads and writes, as reminders keep before: an interval would turn P1D
-- into 24 hours, which a day is not across a DST change. A nullable column without a
-- default is added without rewriting the table.
ALTER TABLE tasks ADD COLUMN duration text;

-- user_tasks (017, 022) takes duration at its end.
CREATE OR REPLACE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key, due_date, checklist, duration
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);

---- create above / drop below ----

DROP VIEW user_tasks;
CREATE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key, due_date, checklist
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);
GRANT SELECT ON user_tasks TO taskwire_app;
ALTER TABLE tasks DROP COLUMN duration;
