-- Indexes for listings at scale (one user with 200 000 tasks, about a million outbox rows).
-- Each lets a page be read in its order and stop, where without it PostgreSQL read and
-- sorted every task or event of the user for one page:
-- sort=-due_at is "due_at DESC NULLS LAST", which tasks_user_status_due_idx (ascending,
-- NULLS LAST) cannot give read backwards (that is DESC NULLS FIRST);
CREATE INDEX tasks_user_status_due_desc_idx ON tasks (user_id, status, due_at DESC NULLS LAST, id DESC);
-- sort=title orders by lower(title) COLLATE "C";
CREATE INDEX tasks_user_status_title_idx ON tasks (user_id, status, (lower(title) COLLATE "C"), id);
-- the changes feed, a live stream's resumption and its latest positions read a user's
-- outbox in the order of positions.
CREATE INDEX outbox_user_seq_idx ON outbox (user_id, seq);

---- create above / drop below ----

DROP INDEX outbox_user_seq_idx;
DROP INDEX tasks_user_status_title_idx;
DROP INDEX tasks_user_status_due_desc_idx;
