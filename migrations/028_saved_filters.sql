-- Saved filters: listings a user named to come back to ("Work this week"), each the query
-- string of GET /v1/tasks that makes it, checked as that listing checks it and kept in
-- its canonical form. Names are the user's own, one of each whatever its case.
CREATE TABLE saved_filters (
	id         uuid        PRIMARY KEY,
	user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
	query      text        NOT NULL CHECK (length(query) <= 2000),
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX saved_filters_user_name_idx ON saved_filters (user_id, lower(name));

ALTER TABLE saved_filters ENABLE ROW LEVEL SECURITY;
CREATE POLICY saved_filters_own ON saved_filters
	USING (user_id = current_setting('taskwire.user_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON saved_filters TO taskwire_app;

---- create above / drop below ----

DROP TABLE saved_filters;
