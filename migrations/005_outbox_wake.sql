-- Outbox rows no longer NOTIFY from a trigger. A NOTIFY in a transaction takes a lock
-- that is held through its commit, so every writing transaction committed one after the
-- other, and the server's group commit could not share a WAL flush between them. The
-- writers now announce their commits after the fact, many in one NOTIFY (see
-- shared/postgres/wake.go).

DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION taskwire_outbox_notify();

---- create above / drop below ----

CREATE FUNCTION taskwire_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('taskwire_outbox', NEW.user_id || ' ' || NEW.seq);
	RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
	FOR EACH ROW EXECUTE FUNCTION taskwire_outbox_notify();
