package taskwire

import (
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
