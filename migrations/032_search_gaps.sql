-- Search reads a task's title, description and steps as separate texts: a phrase never
-- runs from one into the next. tsvector's || put the description's first word right
-- after the title's last, so "green tea" found "Buy green" described "tea leaves"
-- (022 kept steps apart only from one another). to_tsvector of one jsonb array of them
-- all leaves a gap between its strings, as it does between the steps; the title's words
-- keep weight A. search and words are made again, which rewrites the table once, and
-- so is the view that reads them (027). jsonb_build_array is only STABLE, as it takes
-- values of any type, whose output functions may depend on settings; of text, and of
-- the jsonb that checklist is, it depends on none, so task_text says IMMUTABLE, which a
-- generated column needs.
CREATE FUNCTION task_text(title text, description text, checklist jsonb) RETURNS jsonb
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN jsonb_build_array(title, description) || checklist;
DROP VIEW user_tasks;
ALTER TABLE tasks DROP COLUMN search, DROP COLUMN words;
ALTER TABLE tasks
	ADD COLUMN search tsvector GENERATED ALWAYS AS (
		setweight(
			setweight(to_tsvector('english', task_text(title, description, checklist)), 'B'),
			'A', tsvector_to_array(to_tsvector('english', title)))
	) STORED,
	ADD COLUMN words tsvector GENERATED ALWAYS AS (
		to_tsvector('taskwire_words', task_text(title, description, checklist))
	) STORED;
CREATE INDEX tasks_search_idx ON tasks USING gin (search);
CREATE INDEX tasks_words_idx ON tasks USING gin (words);
CREATE VIEW user_tasks AS
	SELECT id, user_id, number, title, description, status, priority, tags, due_at, time_zone,
		recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at,
		version, search, words, title_key, due_date, checklist, duration, position
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);
GRANT SELECT ON user_tasks TO taskwire_app;

---- create above / drop below ----

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
		version, search, words, title_key, due_date, checklist, duration, position
	FROM tasks
	WHERE user_id = current_setting('taskwire.user_id', true);
GRANT SELECT ON user_tasks TO taskwire_app;
DROP FUNCTION task_text(text, text, jsonb);
