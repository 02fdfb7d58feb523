-- Tasks in the user's own order (sort=position): each task's position, a key compared
-- byte by byte (hence the C collation), which a move sets between its new neighbours'
-- keys (taskwire.PositionBetween). A new task's is 'i' and the microseconds of its
-- creation since 1970 in nine base-62 digits (taskwire.PositionAt), after every task
-- added before it; the tasks already here take theirs from created_at the same way, so
-- they stand in the order they were added.
ALTER TABLE tasks ADD COLUMN position text COLLATE "C";
UPDATE tasks SET position = 'i' || (
	SELECT string_agg(substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
		(div(greatest(floor(extract(epoch FROM tasks.created_at) * 1000000), 0), 62::numeric ^ k) % 62)::int + 1, 1),
		'' ORDER BY k DESC)
	FROM generate_series(0, 8) AS k);
ALTER TABLE tasks ALTER COLUMN position SET NOT NULL;
CREATE INDEX tasks_user_status_position_idx ON tasks (user_id, status, position, id);
-- user_tasks (017, 023) takes position at its end.
CREATE OR REPLACE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key, due_date, checklist, duration, position
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);

---- create above / drop below ----

DROP VIEW user_tasks;
CREATE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key, due_date, checklist, duration
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);
GRANT SELECT ON user_tasks TO taskwire_app;
DROP INDEX tasks_user_status_position_idx;
ALTER TABLE tasks DROP COLUMN position;
