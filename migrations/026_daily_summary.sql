-- Daily summaries: a user who sets summary_at gets, each day at that local time in their
-- zone, the open tasks due that day and those overdue (by email and at their webhook).
-- summary_next is the next instant it is due, computed from summary_at and the zone when
-- either changes and when one is sent; the reminders function sends those due at each
-- minute's ping, claiming users by it. Nullable columns without defaults are added
-- without rewriting the table.
ALTER TABLE users ADD COLUMN summary_at time;
ALTER TABLE users ADD COLUMN summary_next timestamptz;
ALTER TABLE users ADD CONSTRAINT users_summary_next CHECK ((summary_at IS NULL) = (summary_next IS NULL));
CREATE INDEX users_summary_next_idx ON users (summary_next) WHERE summary_next IS NOT NULL;

---- create above / drop below ----

DROP INDEX users_summary_next_idx;
ALTER TABLE users DROP CONSTRAINT users_summary_next;
ALTER TABLE users DROP COLUMN summary_next;
ALTER TABLE users DROP COLUMN summary_at;
