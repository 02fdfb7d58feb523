-- pgbench: the same 50-row SELECT without the reminders subquery, for reference only.
\set n random(1, :spread)
SELECT t.id, t.number, t.title, t.description, t.status, t.priority, t.tags, t.due_at,
	t.time_zone, t.recurrence, t.repeat_from, t.series_id, t.completed_at, t.created_at,
	t.updated_at, t.version
FROM tasks t
WHERE t.user_id = 'spread-' || :n::text AND t.status = 'open'
ORDER BY t.created_at, t.id
LIMIT 50;
