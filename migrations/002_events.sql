-- Events end to end: a wake-up for the outbox relay and live streams, the local broker's
-- durable event log and per-trigger deliveries, and in-app notifications.

-- Every outbox row wakes the relay and the user's live streams once its transaction
-- commits (NOTIFY is delivered at commit). Payload: "<user_id> <seq>".
CREATE FUNCTION taskwire_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('taskwire_outbox', NEW.user_id || ' ' || NEW.seq);
	RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
	FOR EACH ROW EXECUTE FUNCTION taskwire_outbox_notify();

-- The local broker: an accepted event is kept until every matching trigger acknowledged
-- or dead-lettered it.
CREATE TABLE broker_events (
	seq         bigserial   PRIMARY KEY,
	broker      text        NOT NULL,
	source      text        NOT NULL,
	id          text        NOT NULL,
	type        text        NOT NULL,
	event       jsonb       NOT NULL, -- the whole event in structured mode
	accepted_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (broker, source, id)
);

CREATE TABLE broker_deliveries (
	event_seq   bigint      NOT NULL REFERENCES broker_events (seq) ON DELETE CASCADE,
	trigger     text        NOT NULL,
	state       text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
	attempts    integer     NOT NULL DEFAULT 0,
	next_at     timestamptz NOT NULL DEFAULT now(),
	lease_until timestamptz,
	last_status integer,
	last_error  text,
	updated_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (event_seq, trigger)
);

CREATE INDEX broker_deliveries_due_idx ON broker_deliveries (next_at) WHERE state = 'pending';
CREATE INDEX broker_deliveries_dead_idx ON broker_deliveries (updated_at) WHERE state = 'dead';

-- In-app notifications: one per reminder firing.
CREATE TABLE notifications (
	id          uuid        PRIMARY KEY,
	user_id     text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	reminder_id uuid        NOT NULL,
	task_id     uuid        NOT NULL,
	title       text        NOT NULL,
	due_at      timestamptz,
	remind_at   timestamptz NOT NULL,
	created_at  timestamptz NOT NULL,
	read_at     timestamptz,
	UNIQUE (reminder_id, remind_at)
);

CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY notifications_own ON notifications
	USING (user_id = current_setting('taskwire.user_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON notifications TO taskwire_app;

---- create above / drop below ----

DROP TABLE notifications;
DROP TABLE broker_deliveries;
DROP TABLE broker_events;
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION taskwire_outbox_notify();
