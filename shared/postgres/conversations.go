package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// MaxConversationsLimit bounds one listing of conversations and of messages.
const MaxConversationsLimit = 1000

// ConversationService stores the chat assistant's conversations and their messages;
// every method acts as the signed-in user of ctx, under row-level security.
type ConversationService struct {
	db *DB
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewConversationService returns a ConversationService on db.
func NewConversationService(db *DB) *ConversationService {
	return &ConversationService{db: db, Now: time.Now}
}

func (s *ConversationService) now() time.Time {
	return s.Now().UTC().Truncate(time.Microsecond)
}

// StartConversation creates a conversation whose title is the start of firstMessage.
// With hold above zero the conversation is held for its first answer, as
// ClaimConversation holds one, and until says when that hold lapses.
func (s *ConversationService) StartConversation(ctx context.Context, firstMessage string, hold time.Duration) (c *taskwire.Conversation, until time.Time, err error) {
	user, err := userOf(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("start conversation: %w", err)
	}
	now := s.now()
	var held *time.Time
	if hold > 0 {
		until = now.Add(hold)
		held = &until
	}
	c = &taskwire.Conversation{ID: id, Title: title(firstMessage), CreatedAt: now, UpdatedAt: now}
	b := &pgx.Batch{}
	b.Queue(scopeSQL, user)
	b.Queue(`INSERT INTO conversations (id, user_id, title, created_at, updated_at, answering_until) VALUES ($1, $2, $3, $4, $4, $5)`,
		c.ID, user, c.Title, now, held)
	if err := s.db.sendBatch(ctx, b).Close(); err != nil {
		return nil, time.Time{}, fmt.Errorf("start conversation: %w", translate(err))
	}
	return c, until, nil
}

// ClaimConversation holds the user's conversation id for one answer of the assistant,
// for at most hold, and returns when the hold lapses, which FinishAnswer and
// ReleaseConversation take, with the conversation's latest limit messages (1 to
// MaxConversationsLimit), oldest first: in one round trip. While another answer holds it,
// it is ECONFLICT; a conversation that is not the user's is ENOTFOUND.
func (s *ConversationService) ClaimConversation(ctx context.Context, id uuid.UUID, hold time.Duration, limit int) (until time.Time, history []*taskwire.Message, err error) {
	if limit < 1 || limit > MaxConversationsLimit {
		return time.Time{}, nil, taskwire.FieldErrorf(taskwire.EINVALID, "limit", "limit must be between 1 and %d", MaxConversationsLimit)
	}
	user, err := userOf(ctx)
	if err != nil {
		return time.Time{}, nil, err
	}
	now := s.now()
	until = now.Add(hold)
	var claimed bool
	var c *taskwire.Conversation
	b := &pgx.Batch{}
	// A hold lost in the server's crash only lets another message in sooner: the claim
	// need not wait for the disk, and so costs no more than the read it comes with.
	b.Queue(asyncCommitSQL)
	b.Queue(scopeSQL, user)
	b.Queue(`UPDATE conversations SET answering_until = $3
		WHERE user_id = $1 AND id = $2 AND (answering_until IS NULL OR answering_until <= $4)`,
		user, id, until, now).Exec(func(tag pgconn.CommandTag) error {
		claimed = tag.RowsAffected() == 1
		return nil
	})
	// Read after the claim, in its transaction: the history an earlier answer finished.
	b.Queue(latestMessagesSQL, user, id, limit, int64(math.MaxInt64)).Query(func(rows pgx.Rows) (err error) {
		c, history, err = scanLatestMessages(rows)
		return err
	})
	if err := s.db.sendBatch(ctx, b).Close(); err != nil {
		return time.Time{}, nil, fmt.Errorf("claim conversation: %w", translate(err))
	}
	switch {
	case c == nil:
		return time.Time{}, nil, taskwire.FieldErrorf(taskwire.ENOTFOUND, "conversation_id", "no conversation %s", id)
	case !claimed:
		return time.Time{}, nil, taskwire.FieldErrorf(taskwire.ECONFLICT, "conversation_id",
			"the assistant is still answering an earlier message in this conversation; send this one when that answer has come")
	}
	slices.Reverse(history)
	return until, history, nil
}

// title is the first line of a message, shortened to MaxConversationTitle characters.
func title(message string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(message), "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) <= taskwire.MaxConversationTitle {
		return line
	}
	runes := []rune(line)
	return strings.TrimSpace(string(runes[:taskwire.MaxConversationTitle-1])) + "…"
}

const conversationColumns = `c.id, c.title, c.created_at, c.updated_at`

// FindConversations lists the signed-in user's conversations, the latest active first:
// up to limit (1 to MaxConversationsLimit, else EINVALID) after cursor, or from the start
// when cursor is nil. more reports whether later ones exist.
func (s *ConversationService) FindConversations(ctx context.Context, limit int, after *taskwire.ConversationCursor) (list []*taskwire.Conversation, more bool, err error) {
	if limit < 1 || limit > MaxConversationsLimit {
		return nil, false, taskwire.FieldErrorf(taskwire.EINVALID, "limit", "limit must be between 1 and %d", MaxConversationsLimit)
	}
	// One more than asked tells whether there is more.
	query := `SELECT ` + conversationColumns + ` FROM conversations c WHERE c.user_id = $1
		ORDER BY c.updated_at DESC, c.id DESC LIMIT $2`
	args := []any{taskwire.UserFromContext(ctx), limit + 1}
	if after != nil {
		query = `SELECT ` + conversationColumns + ` FROM conversations c
			WHERE c.user_id = $1 AND (c.updated_at, c.id) < ($3, $4)
			ORDER BY c.updated_at DESC, c.id DESC LIMIT $2`
		args = append(args, after.UpdatedAt, after.ID)
	}
	list = make([]*taskwire.Conversation, 0, min(limit+1, 64))
	err = readUser(ctx, s.db, query, args, func(rows pgx.Rows) error {
		for rows.Next() {
			var c taskwire.Conversation
			if err := rows.Scan(&c.ID, &c.Title, &c.CreatedAt, &c.UpdatedAt); err != nil {
				return err
			}
			list = append(list, &c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, false, fmt.Errorf("find conversations: %w", translate(err))
	}
	if len(list) > limit {
		return list[:limit], true, nil
	}
	return list, false, nil
}

// latestMessagesSQL reads conversation $2 of user $1 and its latest $3 messages before
// message $4, newest first: a row for the conversation with NULL message columns when it
// has none.
const latestMessagesSQL = `
	SELECT ` + conversationColumns + `, m.id, m.role, m.content, m.tool_calls, m.tool_call_id, m.created_at
	FROM conversations c
	LEFT JOIN LATERAL (
		SELECT id, role, content, tool_calls, tool_call_id, created_at FROM messages
		WHERE conversation_id = c.id AND id < $4 ORDER BY id DESC LIMIT $3
	) m ON true
	WHERE c.user_id = $1 AND c.id = $2
	ORDER BY m.id DESC`

// earliestMessagesSQL reads the conversation $2 of user $1 and its first $3 messages
// after message $4, oldest first: latestMessagesSQL the other way.
const earliestMessagesSQL = `
	SELECT ` + conversationColumns + `, m.id, m.role, m.content, m.tool_calls, m.tool_call_id, m.created_at
	FROM conversations c
	LEFT JOIN LATERAL (
		SELECT id, role, content, tool_calls, tool_call_id, created_at FROM messages
		WHERE conversation_id = c.id AND id > $4 ORDER BY id LIMIT $3
	) m ON true
	WHERE c.user_id = $1 AND c.id = $2
	ORDER BY m.id`

// scanLatestMessages reads the rows of latestMessagesSQL or earliestMessagesSQL: the
// conversation (nil when it is not the user's) and its messages, in the rows' order.
func scanLatestMessages(rows pgx.Rows) (c *taskwire.Conversation, list []*taskwire.Message, err error) {
	for rows.Next() {
		var conv taskwire.Conversation
		var (
			msgID      pgtype.Int8
			role       pgtype.Text
			content    pgtype.Text
			toolCalls  []byte
			toolCallID pgtype.Text
			createdAt  pgtype.Timestamptz
		)
		if err := rows.Scan(&conv.ID, &conv.Title, &conv.CreatedAt, &conv.UpdatedAt,
			&msgID, &role, &content, &toolCalls, &toolCallID, &createdAt); err != nil {
			return nil, nil, err
		}
		c = &conv
		if !msgID.Valid {
			continue
		}
		m := &taskwire.Message{ID: msgID.Int64, Role: role.String, Content: content.String,
			ToolCallID: toolCallID.String, CreatedAt: createdAt.Time}
		if toolCalls != nil {
			if err := json.Unmarshal(toolCalls, &m.ToolCalls); err != nil {
				return nil, nil, fmt.Errorf("message %d: tool calls: %w", m.ID, err)
			}
		}
		list = append(list, m)
	}
	return c, list, rows.Err()
}

// FindMessages returns the conversation and its latest limit messages (1 to
// MaxConversationsLimit) before message before (0 for the latest of all), oldest first,
// in one round trip; more reports whether earlier ones exist. A conversation that is not
// the user's is ENOTFOUND.
func (s *ConversationService) FindMessages(ctx context.Context, id uuid.UUID, limit int, before int64) (c *taskwire.Conversation, list []*taskwire.Message, more bool, err error) {
	if limit < 1 || limit > MaxConversationsLimit {
		return nil, nil, false, taskwire.FieldErrorf(taskwire.EINVALID, "limit", "limit must be between 1 and %d", MaxConversationsLimit)
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	c, list, more, err = s.findMessages(ctx, latestMessagesSQL, id, limit, before)
	slices.Reverse(list)
	return c, list, more, err
}

// FindMessagesAfter returns the conversation and its first limit messages (1 to
// MaxConversationsLimit) after message after (0 for from the first), oldest first, in one
// round trip; more reports whether later ones exist. It reads a conversation from its
// start, as the export writes it. A conversation that is not the user's is ENOTFOUND.
func (s *ConversationService) FindMessagesAfter(ctx context.Context, id uuid.UUID, limit int, after int64) (c *taskwire.Conversation, list []*taskwire.Message, more bool, err error) {
	if limit < 1 || limit > MaxConversationsLimit {
		return nil, nil, false, taskwire.FieldErrorf(taskwire.EINVALID, "limit", "limit must be between 1 and %d", MaxConversationsLimit)
	}
	return s.findMessages(ctx, earliestMessagesSQL, id, limit, after)
}

// findMessages reads conversation id and limit of its messages with query
// (latestMessagesSQL or earliestMessagesSQL, from message bound on), in the query's
// order; more reports whether the query has more.
func (s *ConversationService) findMessages(ctx context.Context, query string, id uuid.UUID, limit int, bound int64) (c *taskwire.Conversation, list []*taskwire.Message, more bool, err error) {
	// One more than asked tells whether there is more.
	err = readUser(ctx, s.db, query, []any{taskwire.UserFromContext(ctx), id, limit + 1, bound},
		func(rows pgx.Rows) (err error) {
			c, list, err = scanLatestMessages(rows)
			return err
		})
	if err != nil {
		return nil, nil, false, fmt.Errorf("find messages: %w", translate(err))
	}
	if c == nil {
		return nil, nil, false, taskwire.FieldErrorf(taskwire.ENOTFOUND, "id", "no conversation %s", id)
	}
	if len(list) > limit {
		list, more = list[:limit], true
	}
	return c, list, more, nil
}

// AppendMessages adds msgs to the end of the user's conversation id, in order, in one
// transaction and one round trip, and returns them with their ids and times. A
// conversation that is not the user's is ENOTFOUND, and nothing is written.
func (s *ConversationService) AppendMessages(ctx context.Context, id uuid.UUID, msgs ...taskwire.Message) ([]taskwire.Message, error) {
	return s.appendMessages(ctx, id, nil, msgs...)
}

// FinishAnswer appends msgs, an answer's last messages, as AppendMessages does, and in
// the same transaction ends the hold ClaimConversation or StartConversation took until
// until (a hold another answer took since stays).
func (s *ConversationService) FinishAnswer(ctx context.Context, id uuid.UUID, until time.Time, msgs ...taskwire.Message) error {
	_, err := s.appendMessages(ctx, id, &until, msgs...)
	return err
}

// appendMessages appends msgs and, with release, ends that hold.
func (s *ConversationService) appendMessages(ctx context.Context, id uuid.UUID, release *time.Time, msgs ...taskwire.Message) ([]taskwire.Message, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer tx.close(ctx)
	now := s.now()
	b.Queue(`UPDATE conversations SET updated_at = $3,
			answering_until = CASE WHEN answering_until = $4 THEN NULL ELSE answering_until END
		WHERE user_id = $1 AND id = $2`, tx.user, id, now, release)
	out := make([]taskwire.Message, len(msgs))
	for i, m := range msgs {
		var calls []byte
		if len(m.ToolCalls) > 0 {
			if calls, err = json.Marshal(m.ToolCalls); err != nil {
				return nil, fmt.Errorf("append messages: tool calls: %w", err)
			}
		}
		var callID *string
		if m.ToolCallID != "" {
			callID = &m.ToolCallID
		}
		// Inserted only into a conversation row-level security lets the user see: a
		// foreign key alone would admit another user's conversation.
		b.Queue(`INSERT INTO messages (conversation_id, user_id, role, content, tool_calls, tool_call_id, created_at)
			SELECT c.id, $2, $3, $4, $5, $6, $7 FROM conversations c WHERE c.user_id = $2 AND c.id = $1
			RETURNING id`, id, tx.user, m.Role, m.Content, calls, callID, now)
		m.CreatedAt = now
		out[i] = m
	}
	b.Queue("COMMIT")
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("append messages: %w", err)
	}
	defer br.Close()
	tag, err := br.Exec()
	if err != nil {
		return nil, fmt.Errorf("append messages: %w", translate(err))
	}
	if tag.RowsAffected() == 0 {
		_ = br.Close()
		return nil, taskwire.FieldErrorf(taskwire.ENOTFOUND, "conversation_id", "no conversation %s", id)
	}
	for i := range out {
		if err := br.QueryRow().Scan(&out[i].ID); err != nil {
			return nil, fmt.Errorf("append messages: %w", translate(err))
		}
	}
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("append messages: commit: %w", translate(err))
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("append messages: commit: %w", translate(err))
	}
	return out, nil
}

// ReleaseConversation ends the hold ClaimConversation took until until; a hold another
// answer took since (after this one lapsed) stays.
func (s *ConversationService) ReleaseConversation(ctx context.Context, id uuid.UUID, until time.Time) error {
	if _, err := execUser(ctx, s.db, `UPDATE conversations SET answering_until = NULL WHERE user_id = $1 AND id = $2 AND answering_until = $3`,
		taskwire.UserFromContext(ctx), id, until); err != nil {
		return fmt.Errorf("release conversation: %w", err)
	}
	return nil
}

// DeleteConversation deletes the user's conversation id and its messages; one that is
// not the user's is ENOTFOUND.
func (s *ConversationService) DeleteConversation(ctx context.Context, id uuid.UUID) error {
	tag, err := execUser(ctx, s.db, `DELETE FROM conversations WHERE user_id = $1 AND id = $2`,
		taskwire.UserFromContext(ctx), id)
	if err != nil {
		return fmt.Errorf("delete conversation: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return taskwire.FieldErrorf(taskwire.ENOTFOUND, "id", "no conversation %s", id)
	}
	return nil
}

// AllowanceWindow is the window the assistant's allowance counts messages in.
const AllowanceWindow = 24 * time.Hour

// AdmitMessage admits a message of the signed-in user to the assistant and returns the
// user's time zone, which the assistant's prompt gives the model. With limit above zero it
// first counts the message against an allowance of limit messages a window
// (AllowanceWindow), which begins with the first message after the last one ended, and
// returns when the window ends; past the limit it counts nothing and is ETOOMANY (with
// the zone and the window's end, when the next message is allowed). One round trip.
func (s *ConversationService) AdmitMessage(ctx context.Context, limit int) (zone string, windowEnd time.Time, err error) {
	user, err := userOf(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	// A refused message leaves the row as it was, which the statement's snapshot shows (it
	// does not see its own insert); a counted one shows the new or renewed window.
	var start *time.Time
	var counted bool
	err = readUser(ctx, s.db, `
		WITH counted AS (
			INSERT INTO assistant_allowance AS a (user_id, window_start, messages)
			SELECT $1, $2, 1 WHERE $3 > 0
			ON CONFLICT (user_id) DO UPDATE SET
				window_start = CASE WHEN a.window_start <= $2 - $4::interval THEN $2 ELSE a.window_start END,
				messages = CASE WHEN a.window_start <= $2 - $4::interval THEN 1 ELSE a.messages + 1 END
			WHERE a.window_start <= $2 - $4::interval OR a.messages < $3
			RETURNING window_start
		)
		SELECT u.time_zone, coalesce((SELECT window_start FROM counted), a.window_start),
			$3 <= 0 OR EXISTS (SELECT 1 FROM counted)
		FROM users u LEFT JOIN assistant_allowance a ON a.user_id = u.id
		WHERE u.id = $1`,
		[]any{user, s.now(), limit, AllowanceWindow}, func(rows pgx.Rows) error {
			found := false
			for rows.Next() {
				found = true
				if err := rows.Scan(&zone, &start, &counted); err != nil {
					return err
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			if !found {
				return taskwire.Errorf(taskwire.ENOTFOUND, "no user %s", user)
			}
			return nil
		})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("admit the message to the assistant: %w", err)
	}
	if limit <= 0 {
		return zone, time.Time{}, nil
	}
	if start == nil {
		// Refused by a row another message inserted after this statement's snapshot: its
		// window began just now.
		now := s.now()
		start = &now
	}
	windowEnd = start.Add(AllowanceWindow)
	if !counted {
		return zone, windowEnd, taskwire.Errorf(taskwire.ETOOMANY, "%d messages to the assistant were sent since %s, "+
			"as many as a day allows; the next can be sent at %s", limit,
			start.UTC().Format(time.RFC3339), windowEnd.UTC().Format(time.RFC3339))
	}
	return zone, windowEnd, nil
}
