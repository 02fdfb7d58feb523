package chat

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Bound returns the latest messages of history that fit in budget characters, oldest
// first, in whole units: a user message, an assistant reply, or an assistant's tool calls
// together with every one of their results (the model refuses a call without its
// result). The oldest units go first; tool results whose call was cut off, and calls
// whose results are missing, are left out.
func Bound(history []*taskwire.Message, budget int) []*taskwire.Message {
	var units [][]*taskwire.Message
	for i := 0; i < len(history); i++ {
		m := history[i]
		switch {
		case m.Role == taskwire.RoleTool:
			continue // its call is not in the window
		case m.Role == taskwire.RoleAssistant && len(m.ToolCalls) > 0:
			unit := []*taskwire.Message{m}
			want := map[string]bool{}
			for _, c := range m.ToolCalls {
				want[c.ID] = true
			}
			for i+1 < len(history) && history[i+1].Role == taskwire.RoleTool {
				i++
				if want[history[i].ToolCallID] {
					delete(want, history[i].ToolCallID)
					unit = append(unit, history[i])
				}
			}
			if len(want) == 0 {
				units = append(units, unit)
			}
		default:
			units = append(units, []*taskwire.Message{m})
		}
	}
	used, first := 0, len(units)
	for first > 0 {
		size := 0
		for _, m := range units[first-1] {
			size += messageSize(m)
		}
		if used+size > budget {
			break
		}
		used += size
		first--
	}
	var out []*taskwire.Message
	for _, u := range units[first:] {
		out = append(out, u...)
	}
	return out
}

// messageSize is what a message counts against the history budget.
func messageSize(m *taskwire.Message) int {
	n := utf8.RuneCountInString(m.Content)
	for _, c := range m.ToolCalls {
		n += utf8.RuneCountInString(c.Name) + utf8.RuneCountInString(c.Arguments)
	}
	return n
}

// toParams turns stored messages into the model's message parameters.
func toParams(history []*taskwire.Message) []openai.ChatCompletionMessageParamUnion {
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(history))
	for _, m := range history {
		if p, ok := messageParam(m); ok {
			out = append(out, p)
		}
	}
	return out
}

// roleSystem is the role of the system prompt, which is sent but never stored.
const roleSystem = "system"

// wireMessage is a message as the Chat Completions API reads it, for the roles Taskwire
// stores: system, user, assistant (with its tool calls) and tool.
type wireMessage struct {
	Role       string         `json:"role"`
	Content    *string        `json:"content,omitempty"`
	ToolCalls  []wireToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
}

// wireToolCall is an assistant's function call as the Chat Completions API reads it.
type wireToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// wireName returns a tool call's name as the API accepts it in a request: letters, digits,
// _ and -, at most 64 of them. A model may call a name no tool has, such as
// "multi_tool_use.parallel"; stored as it called it, that call's result already says so,
// and sent back as it is, it would make the API refuse every later message of the
// conversation.
func wireName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	if len(b) == 0 {
		return "unnamed"
	}
	return string(b)
}

// messageParam returns m as a model message parameter whose JSON is computed here, with
// encoding/json on a plain struct, and sent as it is: openai-go's own encoder, which walks
// each parameter by reflection, spent about a quarter of a message's time encoding a long
// history. A tool call's name and arguments are made acceptable to the API (wireName;
// arguments that are not JSON become {}). ok is false for a role the model does not take.
func messageParam(m *taskwire.Message) (p openai.ChatCompletionMessageParamUnion, ok bool) {
	w := wireMessage{Role: m.Role, ToolCallID: m.ToolCallID}
	if m.Role != taskwire.RoleAssistant || m.Content != "" || len(m.ToolCalls) == 0 {
		w.Content = &m.Content
	}
	for _, c := range m.ToolCalls {
		call := wireToolCall{ID: c.ID, Type: "function"}
		call.Function.Name, call.Function.Arguments = wireName(c.Name), c.Arguments
		if !json.Valid([]byte(c.Arguments)) {
			call.Function.Arguments = "{}" // its result already told the model what was wrong
		}
		w.ToolCalls = append(w.ToolCalls, call)
	}
	raw, err := json.Marshal(w)
	if err != nil {
		return p, false // cannot happen: strings and slices of them always encode
	}
	switch m.Role {
	case roleSystem:
		v := param.Override[openai.ChatCompletionSystemMessageParam](json.RawMessage(raw))
		p.OfSystem = &v
	case taskwire.RoleUser:
		v := param.Override[openai.ChatCompletionUserMessageParam](json.RawMessage(raw))
		p.OfUser = &v
	case taskwire.RoleAssistant:
		v := param.Override[openai.ChatCompletionAssistantMessageParam](json.RawMessage(raw))
		p.OfAssistant = &v
	case taskwire.RoleTool:
		v := param.Override[openai.ChatCompletionToolMessageParam](json.RawMessage(raw))
		p.OfTool = &v
	default:
		return p, false
	}
	return p, true
}
