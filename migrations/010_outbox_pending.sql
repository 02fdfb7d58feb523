-- The relay's queue of outbox rows to publish is a table of its own. Marking a row
-- published used to update the row (published_at), and since the pending index's
-- predicate named that column, every such update wrote a new version of the wide row into
-- each of the outbox's indexes: the most expensive statement of the event benchmark. Now
-- every outbox row is queued here by a trigger in the transaction that writes it, and the
-- relay deletes it from the queue once the broker acknowledged the event; the outbox row
-- is written once and kept as the task's history. A row set aside as refused leaves the
-- queue until it is re-queued.
--
-- published_at stays, no longer written, for replicas of the previous revision during a
-- rolling deploy: their relays still find rows by it (the rows may go out twice, which
-- the broker and the consumers recognise by id), and the rows their writers add are
-- queued by the trigger. A later migration drops it.
CREATE TABLE outbox_pending (seq bigint PRIMARY KEY);
INSERT INTO outbox_pending (seq) SELECT seq FROM outbox WHERE published_at IS NULL AND refused_at IS NULL;
GRANT INSERT ON outbox_pending TO taskwire_app;

CREATE FUNCTION taskwire_outbox_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO outbox_pending (seq) SELECT seq FROM added;
	RETURN NULL;
END $$;
CREATE TRIGGER outbox_queue AFTER INSERT ON outbox REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION taskwire_outbox_queue();

DROP INDEX outbox_unpublished_idx;

---- create above / drop below ----

UPDATE outbox SET published_at = coalesce(published_at, now())
	WHERE refused_at IS NULL AND NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = outbox.seq);
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL AND refused_at IS NULL;
DROP TRIGGER outbox_queue ON outbox;
DROP FUNCTION taskwire_outbox_queue();
DROP TABLE outbox_pending;
