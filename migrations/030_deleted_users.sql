-- Deleted accounts: when each user deleted theirs. A token issued before that moment
-- (its iat) no longer creates the user's row on first sight, as any valid token
-- otherwise does: a page left open elsewhere, or a client still holding a token, would
-- bring the deleted account back, empty. A token issued after it (the user signed in
-- again) creates the account anew and clears the row. Only the id and the time are kept.
CREATE TABLE deleted_users (
	id         text        PRIMARY KEY,
	deleted_at timestamptz NOT NULL
);

ALTER TABLE deleted_users ENABLE ROW LEVEL SECURITY;
CREATE POLICY deleted_users_own ON deleted_users
	USING (id = current_setting('taskwire.user_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON deleted_users TO taskwire_app;

---- create above / drop below ----

DROP TABLE deleted_users;
