-- Seeds the bench database after `taskwire migrate`: the users "one" and "spread-1" ..
-- "spread-N" (psql -v spread=N), each with :per open tasks carrying two tags, a due date
-- and a reminder, so that GET /v1/tasks?limit=50 returns 50 rows; and bench_tasks, a
-- scratch table of tasks' shape (columns, checks, indexes, generated search column) for
-- pgbench's INSERT, which run.sh fills with a copy of these tasks before each INSERT run.
-- Runs as postgres, which row-level security does not restrict.
\set ON_ERROR_STOP on

INSERT INTO users (id, task_seq)
SELECT id, :per
FROM (SELECT 'one' AS id UNION ALL SELECT 'spread-' || g FROM generate_series(1, :spread) g) u;

INSERT INTO tasks (id, user_id, number, title, description, status, priority, tags, due_at,
	time_zone, repeat_from, created_at, updated_at, version, position)
SELECT gen_random_uuid(), u.id, n, 'Seeded task ' || n || ' of ' || u.id, 'Something to do', 'open', n % 5,
	CASE n % 3 WHEN 0 THEN '{home,garden}'::text[] WHEN 1 THEN '{work,admin}' ELSE '{errands,family}' END,
	date_trunc('day', now()) + n * interval '1 day' + interval '9 hours', 'Europe/Berlin', 'schedule',
	now() - (:per + 1 - n) * interval '1 minute', now() - (:per + 1 - n) * interval '1 minute', 1,
	'i' || lpad(n::text, 9, '0') -- in the order made, before any task the benchmark adds
FROM users u CROSS JOIN generate_series(1, :per) n;

INSERT INTO reminders (id, task_id, user_id, position, before, fire_at)
SELECT gen_random_uuid(), t.id, t.user_id, 0, 'PT15M', t.due_at - interval '15 minutes'
FROM tasks t;

CREATE TABLE bench_tasks (LIKE tasks INCLUDING ALL);
CREATE SEQUENCE bench_tasks_number START 1000000;

VACUUM ANALYZE users;
VACUUM ANALYZE tasks;
VACUUM ANALYZE reminders;
