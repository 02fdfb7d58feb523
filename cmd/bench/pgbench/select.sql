-- pgbench: the SELECT of 50 rows that GET /v1/tasks?limit=50 runs (shared/postgres/tasks.go,
-- listQuery with taskColumns: reminders folded in as JSON), for a random seeded user.
-- The app asks for 51 rows to learn whether a next page exists; this asks for 50.
\set n random(1, :spread)
SELECT t.id, t.number, t.title, t.description, t.status, t.priority, t.tags, t.due_at,
	t.time_zone, t.recurrence, t.repeat_from, t.series_id, t.completed_at, t.created_at,
	t.updated_at, t.version,
	COALESCE((SELECT json_agg(json_build_object('id', r.id, 'before', r.before, 'at', r.at, 'fire_at', r.fire_at) ORDER BY r.position)
		FROM reminders r WHERE r.task_id = t.id), '[]')
FROM tasks t
WHERE t.user_id = 'spread-' || :n::text AND t.status = 'open'
ORDER BY t.created_at, t.id
LIMIT 50;
