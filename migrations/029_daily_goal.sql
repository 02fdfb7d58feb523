-- A daily goal: how many tasks a day the user means to complete; the days that reach it
-- make the streaks of GET /v1/stats. A constant default adds the column without
-- rewriting the table.
ALTER TABLE users ADD COLUMN daily_goal smallint NOT NULL DEFAULT 5
	CONSTRAINT users_daily_goal CHECK (daily_goal BETWEEN 1 AND 100);

---- create above / drop below ----

ALTER TABLE users DROP COLUMN daily_goal;
