-- The assistant's allowance: how many messages each user sent it in the current window
-- of a day, which began with the first message after the last window ended. Each
-- message calls a model the operator pays for; a conversation deleted does not give
-- its messages back.
CREATE TABLE assistant_allowance (
	user_id      text        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	window_start timestamptz NOT NULL,
	messages     integer     NOT NULL CHECK (messages >= 0)
);

ALTER TABLE assistant_allowance ENABLE ROW LEVEL SECURITY;
CREATE POLICY assistant_allowance_own ON assistant_allowance
	USING (user_id = current_setting('taskwire.user_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON assistant_allowance TO taskwire_app;

---- create above / drop below ----

DROP TABLE assistant_allowance;
