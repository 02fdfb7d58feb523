-- pgbench: the whole transaction POST /v1/tasks runs (shared/postgres/tasks.go, CreateTask,
-- for a body that names its time zone, with one reminder and no idempotency key), as its one
-- round trip: BEGIN; scope to the user (role taskwire_app, row-level security); the task,
-- numbered on the user's row; its reminder; its outbox event, which takes the number from
-- the task's row; COMMIT. For reference beside insert.sql: the gap between the two is the
-- transaction's cost, the gap between this and k6's create is the Go server's.
\set n random(1, :spread)
\set r random(1, 9223372036854775807)
\startpipeline
BEGIN;
SELECT set_config('role', 'taskwire_app', true), set_config('taskwire.user_id', 'spread-' || :n::text, true);
WITH n AS (
	INSERT INTO users (id, task_seq) SELECT 'spread-' || :n::text, 1
	WHERE EXISTS (SELECT FROM users u WHERE u.id = 'spread-' || :n::text)
		OR NOT EXISTS (SELECT FROM deleted_users d WHERE d.id = 'spread-' || :n::text)
	ON CONFLICT (id) DO UPDATE SET task_seq = users.task_seq + 1
	RETURNING task_seq)
INSERT INTO tasks (id, user_id, number, title, description, status, priority, tags, due_at, due_date,
	time_zone, recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at, version,
	checklist, duration, position)
SELECT md5('t-' || :client_id || '-' || :r)::uuid, 'spread-' || :n::text, n.task_seq, 'Water the plants', '', 'open', 3,
	'{home,garden}', now() + interval '3 days', NULL, 'Europe/Berlin', NULL, 'schedule', NULL, 1, NULL, now(), now(), 1,
	'[]', NULL, 'i8E6bSTvK7' FROM n
ON CONFLICT (series_id, series_index) WHERE series_id IS NOT NULL DO NOTHING
RETURNING number;
INSERT INTO reminders (id, task_id, user_id, position, before, at, fire_at, task_open)
SELECT md5('r-' || :client_id || '-' || :r)::uuid, md5('t-' || :client_id || '-' || :r)::uuid, 'spread-' || :n::text,
	0, 'PT15M', NULL, now() + interval '3 days' - interval '15 minutes', true
FROM tasks WHERE id = md5('t-' || :client_id || '-' || :r)::uuid
ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, fire_at = EXCLUDED.fire_at,
	fired_at = CASE WHEN reminders.fire_at IS DISTINCT FROM EXCLUDED.fire_at THEN NULL ELSE reminders.fired_at END,
	task_open = EXCLUDED.task_open;
INSERT INTO outbox (id, user_id, type, source, subject, time, data, extensions)
SELECT gen_random_uuid(), 'spread-' || :n::text, 'dev.taskwire.task.created.v1', '/taskwire/tasks',
	t.id::text, now(), jsonb_set('{"task": {"id": "01a20161-8980-79d0-887e-c121cb61f46b", "tags": ["home", "garden"], "title": "Water the plants", "due_at": "2026-11-25T09:00:00Z", "number": 0, "status": "open", "version": 1, "priority": "high", "reminders": [{"id": "01a20161-8980-79d6-a79a-b0cab452f352", "before": "PT15M", "fire_at": "2026-11-25T08:45:00Z"}], "series_id": null, "time_zone": "Europe/Berlin", "created_at": "2026-11-22T03:51:39.136614Z", "recurrence": null, "updated_at": "2026-11-22T03:51:39.136614Z", "description": "", "repeat_from": "schedule", "completed_at": null, "checklist": [], "due_date": null, "duration": null}, "changes": {}, "user_id": "spread-1"}'::jsonb,
	'{task,number}', to_jsonb(t.number)), '{"reminders": "armed"}'
FROM tasks t WHERE t.id = md5('t-' || :client_id || '-' || :r)::uuid
RETURNING seq;
COMMIT;
\endpipeline
