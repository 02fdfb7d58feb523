package chat_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/taskwire/taskwire/shared/chat"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func msg(role, content string) *taskwire.Message {
	return &taskwire.Message{Role: role, Content: content}
}

func calls(ids ...string) *taskwire.Message {
	m := &taskwire.Message{Role: taskwire.RoleAssistant}
	for _, id := range ids {
		m.ToolCalls = append(m.ToolCalls, taskwire.ToolCall{ID: id, Name: "list_tasks", Arguments: "{}"})
	}
	return m
}

func result(id, content string) *taskwire.Message {
	return &taskwire.Message{Role: taskwire.RoleTool, ToolCallID: id, Content: content}
}

func describe(msgs []*taskwire.Message) string {
	var out []string
	for _, m := range msgs {
		switch {
		case len(m.ToolCalls) > 0:
			out = append(out, "calls")
		case m.Role == taskwire.RoleTool:
			out = append(out, "result:"+m.ToolCallID)
		default:
			out = append(out, m.Role+":"+m.Content)
		}
	}
	return strings.Join(out, " ")
}

func TestBound(t *testing.T) {
	big := strings.Repeat("r", 100)
	history := []*taskwire.Message{
		msg("user", "hello"),
		msg("assistant", "hi"),
		msg("user", "list"),
		calls("a", "b"), // 2×(10+2) = 24
		result("a", big),
		result("b", "short"),
		msg("assistant", "done"),
	}
	for _, tc := range []struct {
		name    string
		history []*taskwire.Message
		budget  int
		want    string
	}{
		{"AllFit", history, 1000, "user:hello assistant:hi user:list calls result:a result:b assistant:done"},
		{"OldestOut", history, 137, "user:list calls result:a result:b assistant:done"},
		{"CallsNeverSplitFromResults", history, 132, "assistant:done"},
		{"NothingFits", history, 3, ""},
		{"OrphanResultsDropped", history[4:], 1000, "assistant:done"},
		{"CallWithoutResultDropped", []*taskwire.Message{msg("user", "x"), calls("a", "b"), result("a", "1"), msg("user", "y")}, 1000, "user:x user:y"},
		{"CountsCharacters", []*taskwire.Message{msg("user", "Äpfel"), msg("assistant", "Müsli")}, 5, "assistant:Müsli"},
		{"StrayResultSkipped", []*taskwire.Message{calls("a"), result("z", "?"), result("a", "1")}, 1000, "calls result:a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, describe(chat.Bound(tc.history, tc.budget)))
		})
	}
}

func TestSystemPrompt(t *testing.T) {
	now := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	got := chat.SystemPrompt(now, "Europe/Berlin")
	assert.Contains(t, got, "Saturday, 28 November 2026, 00:30", "the date is the user's, not UTC's")
	assert.Contains(t, got, "Europe/Berlin (UTC+01:00 today")
	assert.Contains(t, got, "e.g. 2026-11-28T00:30:00:", "times are passed as local times, without an offset")
	assert.Contains(t, got, "list_notifications", "the model knows where missed reminders are")
	assert.Contains(t, got, "snooze_reminder")
	assert.Contains(t, got, "complete it with end_series true", "the model knows how a series ends with its last occurrence")
	assert.Contains(t, got, "due today (or week) and with_overdue", "what is on today takes in what is overdue")
	assert.Contains(t, got, "pass due_date, e.g. 2026-11-28, not due_at", "the model knows how to say a day, the user's today")
	assert.NotContains(t, got, "every new account has", "a zone the user set is not asked about")
	got = chat.SystemPrompt(now, "")
	assert.Contains(t, got, "Friday, 27 November 2026, 23:30 in the user's time zone UTC")
	assert.Contains(t, got, "ask where they are and set it with set_time_zone", "UTC, every new account's, is asked about")
}

func TestArgumentsJSON(t *testing.T) {
	assert.JSONEq(t, `{"title": "x"}`, string(chat.ArgumentsJSON(`{"title": "x"}`)))
	assert.Equal(t, `"{\"title\": "`, string(chat.ArgumentsJSON(`{"title": `)))
	assert.Equal(t, `""`, string(chat.ArgumentsJSON("")))
}
