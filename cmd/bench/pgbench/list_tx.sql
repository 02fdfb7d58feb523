-- pgbench: what GET /v1/tasks?limit=50 sends (shared/postgres/scope.go, readUser, and
-- tasks.go, listQuery): one pipelined round trip of the user scope and the listing (51 rows, to learn whether a next page exists, each with its reminders),
-- as one implicit transaction. For reference beside select.sql.
\set n random(1, :spread)
\startpipeline
SELECT set_config('role', 'taskwire_app', true), set_config('taskwire.user_id', 'spread-' || :n::text, true);
SELECT t.id, t.number, t.title, t.description, t.status, t.priority, t.tags, t.due_at,
	t.time_zone, t.recurrence, t.repeat_from, t.series_id, t.completed_at, t.created_at,
	t.updated_at, t.version, t.position, r.id, r.before, r.at, r.fire_at
FROM (SELECT t.id, t.number, t.title, t.description, t.status, t.priority, t.tags, t.due_at,
		t.time_zone, t.recurrence, t.repeat_from, t.series_id, t.completed_at, t.created_at,
		t.updated_at, t.version, t.position, t.title_key
	FROM tasks t
	WHERE t.user_id = 'spread-' || :n::text AND t.status = 'open'
	ORDER BY t.created_at ASC, t.id ASC
	LIMIT 51) t
LEFT JOIN LATERAL (SELECT r.id, r.before, r.at, r.fire_at, r.position FROM reminders r
	WHERE r.task_id = t.id OFFSET 0) r ON true
ORDER BY t.created_at ASC, t.id ASC, r.position;
\endpipeline
