package chat

import (
	"encoding/json"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// TestMessageParam_SameAsOpenAI shows that the messages encoded once by messageParam
// reach the model exactly as openai-go's own message builders would send them.
func TestMessageParam_SameAsOpenAI(t *testing.T) {
	call := func(id, name, args string) openai.ChatCompletionMessageToolCallUnionParam {
		return openai.ChatCompletionMessageToolCallUnionParam{OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
			ID: id, Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: name, Arguments: args},
		}}
	}
	withCalls := openai.ChatCompletionAssistantMessageParam{ToolCalls: []openai.ChatCompletionMessageToolCallUnionParam{
		call("call_1", "add_task", `{"title": "Dentist \"Dr. Ü\""}`), call("call_2", "list_tasks", `{}`),
	}}
	textAndCall := openai.ChatCompletionAssistantMessageParam{ToolCalls: []openai.ChatCompletionMessageToolCallUnionParam{call("c", "list_tasks", "{}")}}
	textAndCall.Content.OfString = openai.String("Let me look.")
	tests := []struct {
		name string
		msg  taskwire.Message
		want openai.ChatCompletionMessageParamUnion
	}{
		{"system", taskwire.Message{Role: roleSystem, Content: "You are Taskwire's assistant."}, openai.SystemMessage("You are Taskwire's assistant.")},
		{"user", taskwire.Message{Role: taskwire.RoleUser, Content: "add <b>milk</b> & eggs\n"}, openai.UserMessage("add <b>milk</b> & eggs\n")},
		{"empty user", taskwire.Message{Role: taskwire.RoleUser}, openai.UserMessage("")},
		{"assistant", taskwire.Message{Role: taskwire.RoleAssistant, Content: "Done."}, openai.AssistantMessage("Done.")},
		{"assistant calls", taskwire.Message{Role: taskwire.RoleAssistant, ToolCalls: []taskwire.ToolCall{
			{ID: "call_1", Name: "add_task", Arguments: `{"title": "Dentist \"Dr. Ü\""}`}, {ID: "call_2", Name: "list_tasks", Arguments: `{}`},
		}}, openai.ChatCompletionMessageParamUnion{OfAssistant: &withCalls}},
		{"assistant text and call", taskwire.Message{Role: taskwire.RoleAssistant, Content: "Let me look.", ToolCalls: []taskwire.ToolCall{
			{ID: "c", Name: "list_tasks", Arguments: "{}"},
		}}, openai.ChatCompletionMessageParamUnion{OfAssistant: &textAndCall}},
		{"tool", taskwire.Message{Role: taskwire.RoleTool, ToolCallID: "call_1", Content: `{"number":1}`}, openai.ToolMessage(`{"number":1}`, "call_1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := messageParam(&tt.msg)
			require.True(t, ok)
			assert.JSONEq(t, string(encodeParams(t, tt.want)), string(encodeParams(t, got)))
		})
	}
	_, ok := messageParam(&taskwire.Message{Role: "function", Content: "x"})
	assert.False(t, ok, "a role Taskwire does not store is not sent")
}

// encodeParams returns a request's JSON with m as its only message, as openai-go sends it.
func encodeParams(t *testing.T, m openai.ChatCompletionMessageParamUnion) []byte {
	t.Helper()
	b, err := json.Marshal(openai.ChatCompletionNewParams{Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{m}})
	require.NoError(t, err)
	return b
}
