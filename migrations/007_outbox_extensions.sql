-- An outbox row keeps its event's extension attributes (such as "reminders": "armed",
-- which the reminders Trigger filters on), for the relay to send them on.

ALTER TABLE outbox ADD COLUMN extensions jsonb;

---- create above / drop below ----

ALTER TABLE outbox DROP COLUMN extensions;
