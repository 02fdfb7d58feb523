-- A task's checklist: the steps it takes, in order, each {"text": ..., "done": ...}
-- (taskwire.Step). It is a jsonb column where reminders are rows of their own: a step has
-- no id and nothing fires for it, and the whole list is read and written with its task. A
-- column with a constant default is added without rewriting the table.
ALTER TABLE tasks ADD COLUMN checklist jsonb NOT NULL DEFAULT '[]'
	CONSTRAINT tasks_checklist_array CHECK (jsonb_typeof(checklist) = 'array');

-- Search finds a task by its steps too: "milk" finds "Groceries" with the step "Buy milk".
-- to_tsvector of a jsonb reads its string values only (the steps' texts, not done), with a
-- gap between them, so a phrase never runs from one step into the next. search and words
-- (001, 014) are made again with the steps, which rewrites the table once, and so is the
-- view that reads them (017, 020), which takes checklist at its end.
DROP VIEW user_tasks;
ALTER TABLE tasks DROP COLUMN search, DROP COLUMN words;
ALTER TABLE tasks
	ADD COLUMN search tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('english', title), 'A') ||
		setweight(to_tsvector('english', description), 'B') ||
		setweight(to_tsvector('english', checklist), 'B')
	) STORED,
	ADD COLUMN words tsvector GENERATED ALWAYS AS (
		to_tsvector('taskwire_words', title) || to_tsvector('taskwire_words', description) ||
		to_tsvector('taskwire_words', checklist)
	) STORED;
CREATE INDEX tasks_search_idx ON tasks USING gin (search);
CREATE INDEX tasks_words_idx ON tasks USING gin (words);
CREATE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key, due_date, checklist
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);
GRANT SELECT ON user_tasks TO taskwire_app;

---- create above / drop below ----

DROP VIEW user_tasks;
ALTER TABLE tasks DROP COLUMN search, DROP COLUMN words, DROP COLUMN checklist;
ALTER TABLE tasks
	ADD COLUMN search tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('english', title), 'A') ||
		setweight(to_tsvector('english', description), 'B')
	) STORED,
	ADD COLUMN words tsvector GENERATED ALWAYS AS (
		to_tsvector('taskwire_words', title) || to_tsvector('taskwire_words', description)
	) STORED;
CREATE INDEX tasks_search_idx ON tasks USING gin (search);
CREATE INDEX tasks_words_idx ON tasks USING gin (words);
CREATE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key, due_date
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);
GRANT SELECT ON user_tasks TO taskwire_app;
