-- An outbox row the broker refuses for good (an answer such as 400 or 413, which no retry
-- changes, or a row that is no valid CloudEvent) is set aside instead of retried forever,
-- where it would hold up every row after it. It stays in the outbox with the reason until
-- an operator sends it again (taskwire deadletters lists it, taskwire replay outbox/SEQ
-- re-queues it).
ALTER TABLE outbox ADD COLUMN refused_at timestamptz, ADD COLUMN refused_reason text;
DROP INDEX outbox_unpublished_idx;
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL AND refused_at IS NULL;
CREATE INDEX outbox_refused_idx ON outbox (seq) WHERE refused_at IS NOT NULL;

---- create above / drop below ----

DROP INDEX outbox_refused_idx;
DROP INDEX outbox_unpublished_idx;
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;
ALTER TABLE outbox DROP COLUMN refused_at, DROP COLUMN refused_reason;
