package chat

import (
	"github.com/openai/openai-go/v3"
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
	n := len(m.Content)
	for _, c := range m.ToolCalls {
		n += len(c.Name) + len(c.Arguments)
	}
	return n
}

// toParams turns stored messages into the model's message parameters.
func toParams(history []*taskwire.Message) []openai.ChatCompletionMessageParamUnion {
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(history))
	for _, m := range history {
		switch m.Role {
		case taskwire.RoleUser:
			out = append(out, openai.UserMessage(m.Content))
		case taskwire.RoleAssistant:
			out = append(out, assistantParam(m.Content, m.ToolCalls))
		case taskwire.RoleTool:
			out = append(out, openai.ToolMessage(m.Content, m.ToolCallID))
		}
	}
	return out
}

// assistantParam is an assistant message with its text and tool calls.
func assistantParam(text string, calls []taskwire.ToolCall) openai.ChatCompletionMessageParamUnion {
	p := openai.ChatCompletionAssistantMessageParam{}
	if text != "" || len(calls) == 0 {
		p.Content.OfString = openai.String(text)
	}
	for _, c := range calls {
		p.ToolCalls = append(p.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
			OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
				ID:       c.ID,
				Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Name, Arguments: c.Arguments},
			},
		})
	}
	return openai.ChatCompletionMessageParamUnion{OfAssistant: &p}
}
