-- pgbench: the single-row INSERT that POST /v1/tasks runs (shared/postgres/tasks.go,
-- CreateTask), into bench_tasks: a table of tasks' shape (checks, indexes, generated search
-- column) that run.sh fills with a copy of the seeded tasks first, for a random seeded user.
\set n random(1, :spread)
\set p random(0, 4)
\set d random(1, 14)
INSERT INTO bench_tasks (id, user_id, number, title, description, status, priority, tags, due_at,
	time_zone, recurrence, repeat_from, series_id, completed_at, created_at, updated_at, version, position)
VALUES (gen_random_uuid(), 'spread-' || :n::text, nextval('bench_tasks_number'),
	'Water the plants', '', 'open', :p, '{home,garden}', now() + :d * interval '1 day',
	'Europe/Berlin', NULL, 'schedule', NULL, NULL, now(), now(), 1, 'i8E6bSTvK7');
