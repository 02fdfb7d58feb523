package taskwire

import (
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/google/uuid"
)

// Roles of the messages of a conversation.
const (
	RoleUser      = "user"      // what the person wrote
	RoleAssistant = "assistant" // what the model answered, with the tool calls it asked for
	RoleTool      = "tool"      // the result of one tool call
)

// MaxConversationTitle bounds a conversation's title, which is the start of its first message.
const MaxConversationTitle = 80

// Conversation is one thread of messages between a user and the chat assistant.
type Conversation struct {
	ID        uuid.UUID `json:"id"`
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Message is one message of a conversation. An assistant message may carry tool calls;
// a tool message carries the result of the call ToolCallID names.
type Message struct {
	ID         int64      `json:"id"`
	Role       string     `json:"role"`
	Content    string     `json:"content"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// ToolCall is a model's request to run one tool: its call id, the tool's name and the
// arguments as the JSON text the model wrote.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// ConversationCursor is where the next page of a conversations listing starts: after the
// conversation last active at UpdatedAt with id ID, in the listing's order (latest
// active first).
type ConversationCursor struct {
	UpdatedAt time.Time
	ID        uuid.UUID
}

// Encode returns the cursor as an opaque URL-safe string.
func (c ConversationCursor) Encode() string {
	b := binary.BigEndian.AppendUint64(nil, uint64(c.UpdatedAt.UnixMicro()))
	return base64.RawURLEncoding.EncodeToString(append(b, c.ID[:]...))
}

// ParseConversationCursor reads a cursor made by Encode; anything else is EMALFORMED.
func ParseConversationCursor(s string) (*ConversationCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) != 8+16 {
		return nil, badPageCursor()
	}
	c := &ConversationCursor{UpdatedAt: time.UnixMicro(int64(binary.BigEndian.Uint64(raw))).UTC()}
	copy(c.ID[:], raw[8:])
	return c, nil
}

// EncodeMessageCursor returns the cursor of a messages listing's next page, which holds
// the messages before message id.
func EncodeMessageCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, uint64(id)))
}

// ParseMessageCursor reads a cursor made by EncodeMessageCursor and returns the message id
// the page ends before; anything else is EMALFORMED.
func ParseMessageCursor(s string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) != 8 || int64(binary.BigEndian.Uint64(raw)) <= 0 {
		return 0, badPageCursor()
	}
	return int64(binary.BigEndian.Uint64(raw)), nil
}

// badPageCursor is the error for a cursor this server did not make.
func badPageCursor() error {
	return FieldErrorf(EMALFORMED, "cursor", "cursor is not one this server made; use the next_cursor of the previous page")
}
