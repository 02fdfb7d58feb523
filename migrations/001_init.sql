-- Taskwire's first schema: users, tasks, reminders, the outbox and inbox of events,
-- and idempotency keys. Every per-user table has row-level security keyed on the
-- transaction setting taskwire.user_id; user-scoped transactions run as the role
-- taskwire_app, so a query that forgets its user filter still sees only that user's rows.

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taskwire_app') THEN
		CREATE ROLE taskwire_app NOLOGIN;
	END IF;
END
$$;

DO $$
BEGIN
	EXECUTE format('GRANT taskwire_app TO %I', current_user);
EXCEPTION WHEN OTHERS THEN
	-- Already a member, or a superuser that needs no grant.
	NULL;
END
$$;

CREATE TABLE users (
	id             text        PRIMARY KEY,
	time_zone      text        NOT NULL DEFAULT 'UTC',
	email          text,
	webhook_url    text,
	webhook_secret text,
	task_seq       bigint      NOT NULL DEFAULT 0,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tasks (
	id           uuid        PRIMARY KEY,
	user_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	number       bigint      NOT NULL,
	title        text        NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
	description  text        NOT NULL DEFAULT '',
	status       text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
	priority     smallint    NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 4),
	tags         text[]      NOT NULL DEFAULT '{}',
	due_at       timestamptz,
	time_zone    text        NOT NULL,
	recurrence   text,
	repeat_from  text        NOT NULL DEFAULT 'schedule' CHECK (repeat_from IN ('schedule', 'completion')),
	series_id    uuid,
	completed_at timestamptz,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	version      bigint      NOT NULL DEFAULT 1,
	search       tsvector    GENERATED ALWAYS AS (
		setweight(to_tsvector('english', title), 'A') ||
		setweight(to_tsvector('english', description), 'B')
	) STORED,
	UNIQUE (user_id, number)
);

CREATE INDEX tasks_user_status_due_idx ON tasks (user_id, status, due_at, id);
CREATE INDEX tasks_user_status_created_idx ON tasks (user_id, status, created_at, id);
CREATE INDEX tasks_user_status_priority_idx ON tasks (user_id, status, priority, id);
CREATE INDEX tasks_search_idx ON tasks USING gin (search);
CREATE INDEX tasks_tags_idx ON tasks USING gin (tags);
CREATE INDEX tasks_series_idx ON tasks (series_id) WHERE series_id IS NOT NULL;

CREATE TABLE reminders (
	id         uuid        PRIMARY KEY,
	task_id    uuid        NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
	user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	position   smallint    NOT NULL,
	before     text,
	at         timestamptz,
	fire_at    timestamptz,
	claimed_by text,
	lease_until timestamptz,
	fired_at   timestamptz,
	CHECK ((before IS NULL) <> (at IS NULL))
);

CREATE INDEX reminders_task_idx ON reminders (task_id, position);
CREATE INDEX reminders_due_idx ON reminders (fire_at) WHERE fired_at IS NULL AND fire_at IS NOT NULL;

-- The outbox: every change's CloudEvent, written in the change's transaction. Rows are
-- kept after publishing; they are the audit history of each task.
CREATE TABLE outbox (
	seq          bigserial   PRIMARY KEY,
	id           uuid        NOT NULL UNIQUE,
	user_id      text        NOT NULL,
	type         text        NOT NULL,
	source       text        NOT NULL,
	subject      text        NOT NULL,
	time         timestamptz NOT NULL,
	data         jsonb       NOT NULL,
	published_at timestamptz
);

CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_user_subject_idx ON outbox (user_id, subject, seq);

-- The inbox: events a consumer handled, recorded with the consumer's effect.
CREATE TABLE inbox (
	consumer   text        NOT NULL,
	source     text        NOT NULL,
	id         text        NOT NULL,
	handled_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (consumer, source, id)
);

CREATE TABLE idempotency_keys (
	user_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	key          text        NOT NULL,
	request_hash bytea       NOT NULL,
	task_id      uuid,
	response     jsonb,
	created_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, key)
);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;

CREATE POLICY users_own ON users
	USING (id = current_setting('taskwire.user_id', true));
CREATE POLICY tasks_own ON tasks
	USING (user_id = current_setting('taskwire.user_id', true));
CREATE POLICY reminders_own ON reminders
	USING (user_id = current_setting('taskwire.user_id', true));
CREATE POLICY outbox_own ON outbox
	USING (user_id = current_setting('taskwire.user_id', true));
CREATE POLICY idempotency_keys_own ON idempotency_keys
	USING (user_id = current_setting('taskwire.user_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON users, tasks, reminders, outbox, idempotency_keys TO taskwire_app;
GRANT USAGE ON SEQUENCE outbox_seq_seq TO taskwire_app;

---- create above / drop below ----

DROP TABLE idempotency_keys;
DROP TABLE inbox;
DROP TABLE outbox;
DROP TABLE reminders;
DROP TABLE tasks;
DROP TABLE users;
