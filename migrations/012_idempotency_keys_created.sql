-- Each keyed create first deletes the user's expired keys. Looked up through the primary
-- key (user_id, key), that read every key the user holds, expired or not: a client that
-- sends a key with every create paid for all its keys of the last day on each one. By
-- (user_id, created_at) it reads only the expired ones.
CREATE INDEX idempotency_keys_user_created_idx ON idempotency_keys (user_id, created_at);

---- create above / drop below ----

DROP INDEX idempotency_keys_user_created_idx;
