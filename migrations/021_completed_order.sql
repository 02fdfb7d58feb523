-- Completed tasks listed by when they were completed, the latest first (sort=completed_at,
-- the "what did I get done" view), and windows of completion times (completed_after,
-- completed_before): a page walks this index and stops, where it would read and sort all
-- the user's completed tasks. Open tasks have no completion time; they sit in the
-- index's NULL range, in id order, which is where such a listing puts them (last).
CREATE INDEX tasks_user_status_completed_idx ON tasks (user_id, status, completed_at, id);

---- create above / drop below ----

DROP INDEX tasks_user_status_completed_idx;
