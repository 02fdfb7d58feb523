-- A calendar feed: the secret address at which a calendar app (Google Calendar, Apple
-- Calendar, Outlook, Thunderbird) subscribes to a user's tasks, read without a sign-in.
-- The token is the whole credential; whoever can read this table can read the tasks the
-- feed shows anyway, so it is kept as it is and shown to its owner again. Creating a new
-- one replaces the old, whose address stops working.
CREATE TABLE calendar_feeds (
	user_id    text        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	token      text        NOT NULL UNIQUE,
	created_at timestamptz NOT NULL
);

ALTER TABLE calendar_feeds ENABLE ROW LEVEL SECURITY;
CREATE POLICY calendar_feeds_own ON calendar_feeds
	USING (user_id = current_setting('taskwire.user_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_feeds TO taskwire_app;

---- create above / drop below ----

DROP TABLE calendar_feeds;
