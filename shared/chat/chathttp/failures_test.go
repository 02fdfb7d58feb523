package chathttp_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/chat"
	"github.com/taskwire/taskwire/shared/chat/openaitest"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// addCalls returns a reply that asks for n add_task calls at once.
func addCalls(n int) openaitest.Reply {
	var r openaitest.Reply
	for i := range n {
		r.ToolCalls = append(r.ToolCalls, openaitest.ToolCall{Name: "add_task", Arguments: fmt.Sprintf(`{"title": "Item %d"}`, i+1)})
	}
	return r
}

// countTasks returns how many tasks u has.
func (e *env) countTasks(t *testing.T, u user) int {
	t.Helper()
	var n int
	require.NoError(t, e.app.App.DB.Pool.QueryRow(t.Context(),
		`SELECT count(*) FROM tasks WHERE user_id = $1`, u.id).Scan(&n))
	return n
}

// convs returns the conversation store of the test's app.
func (e *env) convs() *postgres.ConversationService {
	return postgres.NewConversationService(e.app.App.DB)
}

// problemBody decodes a problem with its extension members.
func problemBody(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m), "body: %s", data)
	return m
}

// A client that goes away while the assistant runs a round of tool calls (the web page's
// "New chat" aborts the request) leaves the conversation saying which calls ran, with
// their results, and which did not: nothing a tool did is missing from it.
func TestChat_ToolCallsKeptWhenTheClientGoesAway(t *testing.T) {
	const n = 500
	e := mustStart(t, func(c *chat.Config) { c.MaxToolCalls = n })
	u := e.newUser(t)
	e.model.Push(addCalls(n))

	body := strings.NewReader(`{"message": "add five hundred items"}`)
	req, err := http.NewRequestWithContext(t.Context(), "POST", e.url+"/v1/chat", body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+u.token)
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() && sc.Text() != "event: tool_call" {
	}
	require.NoError(t, res.Body.Close(), "the client goes away after the first tool call")

	convs, _, err := e.convs().FindConversations(u.ctx, 10, nil)
	require.NoError(t, err)
	require.Len(t, convs, 1)
	var msgs []*taskwire.Message
	require.Eventually(t, func() bool {
		msgs = e.storedMessages(t, u, convs[0].ID.String())
		return len(msgs) == n+2
	}, 10*time.Second, 20*time.Millisecond, "the round's calls and a result for each must be stored")
	assert.Equal(t, "user assistant", roles(msgs[:2]))
	require.Len(t, msgs[1].ToolCalls, n)
	ran, notRun := 0, 0
	for i, m := range msgs[2:] {
		require.Equal(t, msgs[1].ToolCalls[i].ID, m.ToolCallID, "results in the calls' order")
		result := resultOf(t, json.RawMessage(m.Content))
		if result["code"] == "not_run" {
			notRun++
			continue
		}
		require.Zero(t, notRun, "no call runs after one was not run")
		assert.Equal(t, fmt.Sprintf("Item %d", i+1), result["title"])
		ran++
	}
	assert.Positive(t, ran)
	assert.Positive(t, notRun, "the client left before the round was over")
	tasks := e.countTasks(t, u)
	assert.True(t, tasks == ran || tasks == ran+1, // the call that failed may have committed as the request ended
		"%d tasks, %d results of calls that ran", tasks, ran)
}

// A message that fails once its conversation exists names the conversation, in a problem
// response and in a stream's error event, and the client goes on in it: the model then
// reads the tool call that ran before the failure.
func TestChat_FailureNamesTheConversation(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	e.model.Push(openaitest.Call("add_task", `{"title": "Call mum"}`),
		openaitest.Reply{Status: http.StatusInternalServerError, Error: "boom"})
	res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "add call mum"})
	res.problem(t, http.StatusBadGateway)
	conv, _ := problemBody(t, res.body)["conversation_id"].(string)
	require.NotEmpty(t, conv, "body: %s", res.body)
	assert.Equal(t, "user assistant tool", roles(e.storedMessages(t, u, conv)))

	e.model.Push(openaitest.Text("Task 1, Call mum, is on your list."))
	r := e.mustChat(t, u, conv, "did it work?")
	assert.Equal(t, conv, r.ConversationID)
	reqs := e.model.Requests()
	assert.Contains(t, reqs[len(reqs)-1].Messages[2].ToolCalls[0].Arguments, "Call mum",
		"the model reads what was done before the failure")

	e.model.Push(openaitest.Call("list_tasks", `{}`), openaitest.Reply{Status: http.StatusInternalServerError})
	res = do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "list"}, "Accept", "text/event-stream")
	events := parseSSE(t, res.body)
	require.Len(t, events, 2, "got %v", events)
	require.Equal(t, "error", events[1].name)
	streamed, _ := problemBody(t, []byte(events[1].data))["conversation_id"].(string)
	require.NotEmpty(t, streamed, "the error event names the conversation: %s", events[1].data)
	assert.Equal(t, "user assistant tool", roles(e.storedMessages(t, u, streamed)))
}

// A tool call the API would refuse to read back (a name no tool has with characters the
// API does not take, arguments that are not JSON) is answered and kept in the
// conversation, and the conversation goes on: the scripted model refuses such calls in
// a request exactly as OpenAI's API does.
func TestChat_BadToolCallDoesNotBreakTheConversation(t *testing.T) {
	for _, tc := range []struct{ name, tool, args, code string }{
		{"NameWithADot", "multi_tool_use.parallel", `{"tool_uses": []}`, "unknown_tool"},
		{"ArgumentsNotJSON", "add_task", `{"title": "Buy milk"`, taskwire.EMALFORMED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, stream := range []bool{false, true} {
				e := mustStart(t, nil)
				u := e.newUser(t)
				e.model.Push(openaitest.Call(tc.tool, tc.args), openaitest.Text("That did not work."))
				accept := []string{}
				if stream {
					accept = []string{"Accept", "text/event-stream"}
				}
				res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "add milk"}, accept...)
				require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
				convs, _, err := e.convs().FindConversations(u.ctx, 10, nil)
				require.NoError(t, err)
				require.Len(t, convs, 1)
				msgs := e.storedMessages(t, u, convs[0].ID.String())
				require.Equal(t, "user assistant tool assistant", roles(msgs))
				assert.Equal(t, tc.tool, msgs[1].ToolCalls[0].Name, "stored as the model called it")
				assert.Equal(t, tc.code, resultOf(t, json.RawMessage(msgs[2].Content))["code"])

				e.model.Push(openaitest.Text("Sure."))
				r := e.mustChat(t, u, convs[0].ID.String(), "and now?")
				assert.Equal(t, "Sure.", r.Response)
			}
		})
	}
}

// An answer the model did not finish is a 502 whose tool calls are not run; a refusal is
// the reply; tool calls without ids are told apart.
func TestChat_UnfinishedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply openaitest.Reply
	}{
		{"LengthLimit", openaitest.Reply{ToolCalls: []openaitest.ToolCall{{Name: "add_task", Arguments: `{"title": "Pay"}`}}, FinishReason: "length"}},
		{"ContentFilter", openaitest.Reply{Content: "The tasks due today are", FinishReason: "content_filter"}},
		{"BrokeOff", openaitest.Reply{Content: "The tasks due today are: 1. Pay", ToolCalls: []openaitest.ToolCall{{Name: "add_task", Arguments: `{"title": "Pay"}`}}, BreakOff: true}},
		{"Empty", openaitest.Reply{}},
	} {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", tc.name, stream), func(t *testing.T) {
				e := mustStart(t, nil)
				u := e.newUser(t)
				e.model.Push(tc.reply)
				accept := []string{}
				if stream {
					accept = []string{"Accept", "text/event-stream"}
				}
				res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "what is due?"}, accept...)
				var d map[string]any
				if res.status == http.StatusOK { // the stream had begun with the text
					events := parseSSE(t, res.body)
					require.Equal(t, "error", events[len(events)-1].name, "got %v", events)
					d = problemBody(t, []byte(events[len(events)-1].data))
				} else {
					res.problem(t, http.StatusBadGateway)
					d = problemBody(t, res.body)
				}
				assert.Equal(t, float64(http.StatusBadGateway), d["status"])
				assert.Equal(t, taskwire.EUPSTREAM, d["code"])
				assert.Zero(t, e.countTasks(t, u), "a cut-off answer's tool calls are not run")
				assert.Equal(t, "user", roles(e.storedMessages(t, u, d["conversation_id"].(string))))
			})
		}
	}

	t.Run("Refusal", func(t *testing.T) {
		e := mustStart(t, nil)
		u := e.newUser(t)
		e.model.Push(openaitest.Reply{Refusal: "I can't help with that."})
		r := e.mustChat(t, u, "", "something else")
		assert.Equal(t, "I can't help with that.", r.Response)
	})

	t.Run("ToolCallsWithoutIDs", func(t *testing.T) {
		e := mustStart(t, nil)
		u := e.newUser(t)
		calls := addCalls(2)
		calls.NoIDs = true
		e.model.Push(calls, openaitest.Text("Added both."))
		r := e.mustChat(t, u, "", "add two items")
		assert.Equal(t, "Added both.", r.Response)
		assert.Equal(t, 2, e.countTasks(t, u))
		msgs := e.storedMessages(t, u, r.ConversationID)
		require.Equal(t, "user assistant tool tool assistant", roles(msgs))
		assert.NotEqual(t, msgs[2].ToolCallID, msgs[3].ToolCallID)
		assert.Len(t, e.model.Requests()[1].ToolResults(), 2)
	})
}

// One message makes at most MaxToolCalls tool calls; the model reads that the rest were
// not run, and says so.
func TestChat_ToolCallsPerMessageBounded(t *testing.T) {
	e := mustStart(t, func(c *chat.Config) { c.MaxToolCalls = 3 })
	u := e.newUser(t)
	e.model.Push(addCalls(2), addCalls(3), openaitest.Text("I added 3 of the 5; say go on for the rest."))
	r := e.mustChat(t, u, "", "add five items")
	assert.Equal(t, 3, e.countTasks(t, u))
	assert.Len(t, r.ToolCalls, 3, "the reply lists the calls that ran")
	results := e.model.Requests()[2].ToolResults()
	require.Len(t, results, 5)
	assert.NotContains(t, results[2], "not_run")
	for _, res := range results[3:] {
		assert.Contains(t, res, `"code":"not_run"`)
		assert.Contains(t, res, "at most 3 tool calls")
	}
}

// A tool result larger than the model can read again is replaced by an error that tells
// it to ask for less.
func TestChat_ToolResultTooLarge(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	for i := range 8 {
		f, err := taskwire.NewTask{Title: fmt.Sprintf("Long %d", i), Description: strings.Repeat("notes ", 1000)}.Fields()
		require.NoError(t, err)
		_, _, err = e.app.App.Tasks.CreateTask(u.ctx, f, taskwire.IdempotencyKey{})
		require.NoError(t, err)
	}
	e.model.Push(openaitest.Call("list_tasks", `{"limit": 200}`), openaitest.Call("list_tasks", `{"limit": 2}`), openaitest.Text("Here are two."))
	r := e.mustChat(t, u, "", "list everything")
	require.Len(t, r.ToolCalls, 2)
	first := resultOf(t, r.ToolCalls[0].Result)
	assert.Equal(t, "too_large", first["code"])
	assert.Contains(t, first["error"], "ask for less")
	assert.Len(t, resultOf(t, r.ToolCalls[1].Result)["items"], 2)
	assert.Less(t, len(e.model.Requests()[2].ToolResults()[0]), chat.MaxToolResultLength)
}

// A message sent to a conversation while the assistant still answers an earlier one
// (another tab, a client's retry) is refused with a 409 that names the conversation, and
// stores nothing: the two answers' messages never interleave. Once the first answer is
// stored the conversation takes messages again, and one whose answer was cut off by a
// crash (its hold left behind) takes them once the hold lapses.
func TestChat_OneAnswerAtATime(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	e.model.Push(openaitest.Text("Hello."))
	conv := e.mustChat(t, u, "", "hi").ConversationID

	entered, release := make(chan struct{}), make(chan struct{})
	e.model.Handle(func(openaitest.Request) openaitest.Reply {
		close(entered)
		<-release
		return openaitest.Text("Added.")
	})
	first := make(chan response, 1)
	go func() {
		first <- do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"conversation_id": conv, "message": "add milk"})
	}()
	<-entered

	res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"conversation_id": conv, "message": "add eggs"})
	d := res.problem(t, http.StatusConflict)
	assert.Contains(t, d.Detail, "still answering")
	streamed := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"conversation_id": conv, "message": "add eggs"},
		"Accept", "text/event-stream")
	streamed.problem(t, http.StatusConflict)

	close(release)
	require.Equal(t, http.StatusOK, (<-first).status)
	msgs := e.storedMessages(t, u, conv)
	assert.Equal(t, "user assistant user assistant", roles(msgs))
	assert.Equal(t, "add milk", msgs[2].Content, "the refused messages were not stored")

	e.model.Handle(nil)
	e.model.Push(openaitest.Text("Added eggs."))
	e.mustChat(t, u, conv, "add eggs")

	// A crash mid-answer leaves the hold; it lapses at its time.
	_, err := e.app.App.DB.Pool.Exec(t.Context(),
		`UPDATE conversations SET answering_until = now() + interval '1 hour' WHERE id = $1`, conv)
	require.NoError(t, err)
	do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"conversation_id": conv, "message": "hello?"}).
		problem(t, http.StatusConflict)
	_, err = e.app.App.DB.Pool.Exec(t.Context(),
		`UPDATE conversations SET answering_until = now() - interval '1 second' WHERE id = $1`, conv)
	require.NoError(t, err)
	e.model.Push(openaitest.Text("I'm here."))
	e.mustChat(t, u, conv, "hello?")
	assert.Len(t, e.storedMessages(t, u, conv), 8)
}
