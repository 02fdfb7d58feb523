-- Before each pgbench INSERT run: bench_tasks holds a copy of the seeded tasks, so that the
-- INSERT meets indexes as full as the app's create does.
TRUNCATE bench_tasks;
INSERT INTO bench_tasks (id, user_id, number, title, description, status, priority, tags, due_at,
	time_zone, recurrence, repeat_from, series_id, completed_at, created_at, updated_at, version, position)
SELECT id, user_id, number, title, description, status, priority, tags, due_at,
	time_zone, recurrence, repeat_from, series_id, completed_at, created_at, updated_at, version, position
FROM tasks;
