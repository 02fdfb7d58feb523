-- Conversations with the chat assistant: each message the user sent, each reply of the
-- model (with the tool calls it asked for) and each tool result, in order. The chat
-- function holds no state: it reads a conversation back from here on every request, so
-- a conversation resumes after a restart and on any replica.

CREATE TABLE conversations (
	id         uuid        PRIMARY KEY,
	user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	title      text        NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE INDEX conversations_user_updated_idx ON conversations (user_id, updated_at DESC, id DESC);

-- id orders a conversation's messages. tool_calls holds an assistant message's calls,
-- [{"id", "name", "arguments"}]; tool_call_id names the call a tool message answers.
CREATE TABLE messages (
	id              bigserial   PRIMARY KEY,
	conversation_id uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	user_id         text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role            text        NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
	content         text        NOT NULL DEFAULT '',
	tool_calls      jsonb,
	tool_call_id    text,
	created_at      timestamptz NOT NULL,
	CHECK ((role = 'tool') = (tool_call_id IS NOT NULL)),
	CHECK (tool_calls IS NULL OR role = 'assistant')
);

CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);

ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;

CREATE POLICY conversations_own ON conversations
	USING (user_id = current_setting('taskwire.user_id', true));
CREATE POLICY messages_own ON messages
	USING (user_id = current_setting('taskwire.user_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON conversations, messages TO taskwire_app;
GRANT USAGE ON SEQUENCE messages_id_seq TO taskwire_app;

---- create above / drop below ----

DROP TABLE messages;
DROP TABLE conversations;
