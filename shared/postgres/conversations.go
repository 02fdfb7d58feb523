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
func (s *ConversationService) StartConversation(ctx context.Context, firstMessage string) (*taskwire.Conversation, error) {
	user, err := userOf(ctx)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("start conversation: %w", err)
	}
	now := s.now()
	c := &taskwire.Conversation{ID: id, Title: title(firstMessage), CreatedAt: now, UpdatedAt: now}
	b := &pgx.Batch{}
	b.Queue(scopeSQL, user)
	b.Queue(`INSERT INTO conversations (id, user_id, title, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
		c.ID, user, c.Title, now)
	if err := s.db.sendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("start conversation: %w", translate(err))
	}
	return c, nil
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
	// One more than asked tells whether there is more.
	err = readUser(ctx, s.db, `
		SELECT `+conversationColumns+`, m.id, m.role, m.content, m.tool_calls, m.tool_call_id, m.created_at
		FROM conversations c
		LEFT JOIN LATERAL (
			SELECT id, role, content, tool_calls, tool_call_id, created_at FROM messages
			WHERE conversation_id = c.id AND id < $4 ORDER BY id DESC LIMIT $3
		) m ON true
		WHERE c.user_id = $1 AND c.id = $2
		ORDER BY m.id DESC`, []any{taskwire.UserFromContext(ctx), id, limit + 1, before},
		func(rows pgx.Rows) error {
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
					return err
				}
				c = &conv
				if !msgID.Valid {
					continue
				}
				m := &taskwire.Message{ID: msgID.Int64, Role: role.String, Content: content.String,
					ToolCallID: toolCallID.String, CreatedAt: createdAt.Time}
				if toolCalls != nil {
					if err := json.Unmarshal(toolCalls, &m.ToolCalls); err != nil {
						return fmt.Errorf("message %d: tool calls: %w", m.ID, err)
					}
				}
				list = append(list, m)
			}
			return rows.Err()
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
	slices.Reverse(list)
	return c, list, more, nil
}

// AppendMessages adds msgs to the end of the user's conversation id, in order, in one
// transaction and one round trip, and returns them with their ids and times. A
// conversation that is not the user's is ENOTFOUND, and nothing is written.
func (s *ConversationService) AppendMessages(ctx context.Context, id uuid.UUID, msgs ...taskwire.Message) ([]taskwire.Message, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer tx.close(ctx)
	now := s.now()
	b.Queue(`UPDATE conversations SET updated_at = $3 WHERE user_id = $1 AND id = $2`, tx.user, id, now)
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

// ClaimConversation holds the user's conversation id for one answer of the assistant,
// for at most hold, and returns when the hold lapses, which ReleaseConversation takes.
// While another answer holds it, it is ECONFLICT; a conversation that is not the user's
// is ENOTFOUND.
func (s *ConversationService) ClaimConversation(ctx context.Context, id uuid.UUID, hold time.Duration) (time.Time, error) {
	user, err := userOf(ctx)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	until := now.Add(hold)
	b := &pgx.Batch{}
	b.Queue(scopeSQL, user)
	// The outer SELECT reads the snapshot from before the UPDATE: the row is there
	// whether or not the claim took it.
	b.Queue(`WITH claimed AS (
			UPDATE conversations SET answering_until = $3
			WHERE user_id = $1 AND id = $2 AND (answering_until IS NULL OR answering_until <= $4)
			RETURNING id)
		SELECT EXISTS (SELECT 1 FROM claimed), EXISTS (SELECT 1 FROM conversations WHERE user_id = $1 AND id = $2)`,
		user, id, until, now)
	br := s.db.sendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return time.Time{}, fmt.Errorf("claim conversation: scope: %w", translate(err))
	}
	var claimed, exists bool
	if err := br.QueryRow().Scan(&claimed, &exists); err != nil {
		return time.Time{}, fmt.Errorf("claim conversation: %w", translate(err))
	}
	if err := br.Close(); err != nil {
		return time.Time{}, fmt.Errorf("claim conversation: %w", translate(err))
	}
	switch {
	case !exists:
		return time.Time{}, taskwire.FieldErrorf(taskwire.ENOTFOUND, "conversation_id", "no conversation %s", id)
	case !claimed:
		return time.Time{}, taskwire.FieldErrorf(taskwire.ECONFLICT, "conversation_id",
			"the assistant is still answering an earlier message in this conversation; send this one when that answer has come")
	}
	return until, nil
}

// ReleaseConversation ends the hold ClaimConversation took until until; a hold another
// answer took since (after this one lapsed) stays.
func (s *ConversationService) ReleaseConversation(ctx context.Context, id uuid.UUID, until time.Time) error {
	user, err := userOf(ctx)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(scopeSQL, user)
	b.Queue(`UPDATE conversations SET answering_until = NULL WHERE user_id = $1 AND id = $2 AND answering_until = $3`,
		user, id, until)
	if err := s.db.sendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("release conversation: %w", translate(err))
	}
	return nil
}

// DeleteConversation deletes the user's conversation id and its messages; one that is
// not the user's is ENOTFOUND.
func (s *ConversationService) DeleteConversation(ctx context.Context, id uuid.UUID) error {
	user, err := userOf(ctx)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(scopeSQL, user)
	b.Queue(`DELETE FROM conversations WHERE user_id = $1 AND id = $2`, user, id)
	br := s.db.sendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("delete conversation: scope: %w", translate(err))
	}
	tag, err := br.Exec()
	if err != nil {
		return fmt.Errorf("delete conversation: %w", translate(err))
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("delete conversation: %w", translate(err))
	}
	if tag.RowsAffected() == 0 {
		return taskwire.FieldErrorf(taskwire.ENOTFOUND, "id", "no conversation %s", id)
	}
	return nil
}
