-- The trash: a deleted task, as it was, until its owner restores it or removes it for
-- good. Deleting a task moves it here in the same transaction; restoring it puts it back
-- with its id, number and place in its series (series_index, which the task's own JSON
-- does not carry and a series needs: completing an occurrence creates the one at the next
-- place, once).
CREATE TABLE trash (
	task_id      uuid        PRIMARY KEY,
	user_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	number       bigint      NOT NULL, -- the task's, by which it is restored too
	series_index integer     NOT NULL,
	task         jsonb       NOT NULL, -- the task as the API wrote it, reminders and all
	deleted_at   timestamptz NOT NULL
);

CREATE INDEX trash_user_deleted_idx ON trash (user_id, deleted_at DESC, task_id DESC);

ALTER TABLE trash ENABLE ROW LEVEL SECURITY;
CREATE POLICY trash_own ON trash
	USING (user_id = current_setting('taskwire.user_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON trash TO taskwire_app;

---- create above / drop below ----

DROP TABLE trash;
