-- The relay's queue of outbox rows to publish is a table of its own. Marking a row
-- published used to update the row (published_at), and since the pending index's
-- predicate named that column, every such update wrote a new version of the wide row into
-- each of the outbox's indexes: about a sixth of PostgreSQL's time in the event benchmark.
-- Now the writer adds the row's seq here in its own transaction, and the relay deletes it
-- once the broker acknowledged the event; the outbox row is written once and kept as the
-- task's history. A row set aside as refused leaves the queue until it is re-queued.
CREATE TABLE outbox_pending (seq bigint PRIMARY KEY);
INSERT INTO outbox_pending (seq) SELECT seq FROM outbox WHERE published_at IS NULL AND refused_at IS NULL;
GRANT INSERT ON outbox_pending TO taskwire_app;
DROP INDEX outbox_unpublished_idx;
ALTER TABLE outbox DROP COLUMN published_at;

---- create above / drop below ----

ALTER TABLE outbox ADD COLUMN published_at timestamptz;
UPDATE outbox SET published_at = now()
	WHERE refused_at IS NULL AND NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = outbox.seq);
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL AND refused_at IS NULL;
DROP TABLE outbox_pending;
