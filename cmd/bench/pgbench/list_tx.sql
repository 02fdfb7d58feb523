-- pgbench: what GET /v1/tasks?limit=50 sends (shared/postgres/scope.go, readUser): one
-- pipelined round trip of the user scope and the listing (51 rows, to learn whether a next
-- page exists), as one implicit transaction. For reference beside select.sql.
\set n random(1, :spread)
\startpipeline
SELECT set_config('role', 'taskwire_app', true), set_config('taskwire.user_id', 'spread-' || :n::text, true);
SELECT t.id, t.number, t.title, t.description, t.status, t.priority, t.tags, t.due_at,
	t.time_zone, t.recurrence, t.repeat_from, t.series_id, t.completed_at, t.created_at,
	t.updated_at, t.version,
	COALESCE((SELECT json_agg(json_build_object('id', r.id, 'before', r.before, 'at', r.at, 'fire_at', r.fire_at) ORDER BY r.position)
		FROM reminders r WHERE r.task_id = t.id), '[]')
FROM tasks t
WHERE t.user_id = 'spread-' || :n::text AND t.status = 'open'
ORDER BY t.created_at NULLS LAST, t.id
LIMIT 51;
\endpipeline
