package chathttp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/chat"
	"github.com/taskwire/taskwire/shared/chat/chathttp"
	"github.com/taskwire/taskwire/shared/chat/openaitest"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// TestMain runs the package's tests on a database of their own, dropped afterwards.
func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// env is a running chat API with a scripted model, on the real app and database.
type env struct {
	app   *resttest.Server
	model *openaitest.Server
	url   string
}

// mustStart starts the app, a scripted model and the chat routes on both; cfg adjusts
// the assistant's configuration (the API key and base URL are set before it runs).
func mustStart(t *testing.T, cfg func(*chat.Config)) *env {
	t.Helper()
	e := &env{app: resttest.MustStart(t), model: openaitest.New(t)}
	e.url = e.serve(t, cfg)
	return e
}

// serve starts another chat handler of its own (another replica, or the same after a
// restart) on the same app and model, and returns its URL.
func (e *env) serve(t *testing.T, cfg func(*chat.Config)) string {
	t.Helper()
	c := chat.Config{APIKey: "test-key", BaseURL: e.model.BaseURL()}
	if cfg != nil {
		cfg(&c)
	}
	a := e.app.App
	convs := postgres.NewConversationService(a.DB)
	h := chathttp.New(chathttp.Deps{
		Agent:         chat.New(c, tools.New(postgres.NewTaskService(a.DB), a.Users, postgres.NewNotificationService(a.DB), postgres.NewChangeService(a.DB)), convs),
		Conversations: convs, Auth: a.Verifier, Users: a.Users,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// user is a signed-in user of the test.
type user struct {
	id, token string
	ctx       context.Context
}

func (e *env) newUser(t *testing.T) user {
	t.Helper()
	c := e.app.NewUser(t)
	ctx := taskwire.NewContextWithUser(context.Background(), c.User)
	require.NoError(t, e.app.App.Users.EnsureUser(ctx, c.User, time.Time{}))
	return user{id: c.User, token: c.Token, ctx: ctx}
}

// response is what the chat API answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

func (r response) problem(t *testing.T, status int) problem.Details {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	assert.Equal(t, problem.ContentType, r.header.Get("Content-Type"))
	var d problem.Details
	r.json(t, &d)
	assert.Equal(t, status, d.Status)
	return d
}

func do(t *testing.T, url, method, path, token string, body any, headers ...string) response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url+path, r)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// reply is the body of a chat answer.
type reply struct {
	ConversationID string `json:"conversation_id"`
	Response       string `json:"response"`
	ToolCalls      []struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
		Result    json.RawMessage `json:"result"`
	} `json:"tool_calls"`
}

// mustChat sends message (in conversation, unless "") and returns the 200 answer.
func (e *env) mustChat(t *testing.T, u user, conversation, message string) reply {
	t.Helper()
	body := map[string]any{"message": message}
	if conversation != "" {
		body["conversation_id"] = conversation
	}
	res := do(t, e.url, "POST", "/v1/chat", u.token, body)
	require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
	var r reply
	res.json(t, &r)
	return r
}

// storedMessages returns the conversation's messages as the database holds them.
func (e *env) storedMessages(t *testing.T, u user, conversation string) []*taskwire.Message {
	t.Helper()
	_, msgs, _, err := postgres.NewConversationService(e.app.App.DB).FindMessages(u.ctx, uuid.MustParse(conversation), 1000, 0)
	require.NoError(t, err)
	return msgs
}

func roles(msgs []*taskwire.Message) string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Role)
	}
	return strings.Join(out, " ")
}

// resultOf decodes a tool call's result.
func resultOf(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m), "result: %s", raw)
	return m
}

func (e *env) mustTask(t *testing.T, u user, ref string) *taskwire.Task {
	t.Helper()
	task, err := e.app.App.Tasks.FindTask(u.ctx, ref)
	require.NoError(t, err, "task %s", ref)
	return task
}

func (e *env) createTask(t *testing.T, u user, title string) *taskwire.Task {
	t.Helper()
	f, err := taskwire.NewTask{Title: title}.Fields()
	require.NoError(t, err)
	task, _, err := e.app.App.Tasks.CreateTask(u.ctx, f, taskwire.IdempotencyKey{})
	require.NoError(t, err)
	return task
}

func TestChat_AddListCompleteDelete(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)

	e.model.Push(openaitest.Call("add_task", `{"title": "Buy groceries", "tags": ["home"]}`), openaitest.Text("Added task 1, Buy groceries."))
	r := e.mustChat(t, u, "", "add a task to buy groceries")
	assert.Equal(t, "Added task 1, Buy groceries.", r.Response)
	require.Len(t, r.ToolCalls, 1)
	assert.Equal(t, "add_task", r.ToolCalls[0].Name)
	assert.JSONEq(t, `{"title": "Buy groceries", "tags": ["home"]}`, string(r.ToolCalls[0].Arguments))
	assert.Equal(t, float64(1), resultOf(t, r.ToolCalls[0].Result)["number"])
	task := e.mustTask(t, u, "1")
	assert.Equal(t, "Buy groceries", task.Title)
	assert.Equal(t, []string{"home"}, task.Tags)
	conv := r.ConversationID
	assert.Equal(t, "user assistant tool assistant", roles(e.storedMessages(t, u, conv)))

	reqs := e.model.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "system", reqs[0].Messages[0].Role)
	assert.Equal(t, "add a task to buy groceries", reqs[0].LastUser())
	assert.Contains(t, reqs[0].Tools, "add_task")
	assert.Contains(t, reqs[0].Tools, "list_tasks")
	assert.Equal(t, chat.DefaultModel, reqs[0].Model)
	assert.Equal(t, "Bearer test-key", reqs[0].Header.Get("Authorization"))
	require.Len(t, reqs[1].ToolResults(), 1, "the model must read the tool's result")
	assert.Contains(t, reqs[1].ToolResults()[0], `"title":"Buy groceries"`)

	e.model.Push(openaitest.Call("list_tasks", `{"status": "pending"}`), openaitest.Text("You have 1 pending task: Buy groceries."))
	r = e.mustChat(t, u, conv, "what's pending?")
	assert.Equal(t, conv, r.ConversationID)
	require.Len(t, r.ToolCalls, 1)
	items := resultOf(t, r.ToolCalls[0].Result)["items"].([]any)
	require.Len(t, items, 1)
	assert.Equal(t, "Buy groceries", items[0].(map[string]any)["title"])
	reqs = e.model.Requests()
	// system, the first exchange (user, assistant+calls, tool, assistant), the new message
	assert.Len(t, reqs[2].Messages, 6, "the model must see the conversation so far")

	e.model.Push(openaitest.Call("complete_task", `{"task_id": 1}`), openaitest.Text("Marked task 1 as done."))
	r = e.mustChat(t, u, conv, "mark it as done")
	assert.Equal(t, "Marked task 1 as done.", r.Response)
	assert.Equal(t, taskwire.StatusCompleted, e.mustTask(t, u, "1").Status)

	e.model.Push(openaitest.Call("delete_task", `{"task_id": "1"}`), openaitest.Text("Deleted task 1."))
	r = e.mustChat(t, u, conv, "now delete it")
	assert.Equal(t, true, resultOf(t, r.ToolCalls[0].Result)["deleted"])
	_, err := e.app.App.Tasks.FindTask(u.ctx, "1")
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v, want task 1 deleted", err)

	assert.Equal(t, strings.Repeat("user assistant tool assistant ", 4)[:len(strings.Repeat("user assistant tool assistant ", 4))-1],
		roles(e.storedMessages(t, u, conv)))
	var types []string
	rows, err := e.app.App.DB.Pool.Query(context.Background(), `SELECT type FROM outbox WHERE user_id = $1 ORDER BY seq`, u.id)
	require.NoError(t, err)
	for rows.Next() {
		var typ string
		require.NoError(t, rows.Scan(&typ))
		types = append(types, typ)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"dev.taskwire.task.created.v1", "dev.taskwire.task.completed.v1", "dev.taskwire.task.deleted.v1"}, types,
		"tool calls must announce their changes as the REST API does")
}

func TestChat_MarkTaskDoneByNumber(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	for _, title := range []string{"one", "two", "three"} {
		e.createTask(t, u, title)
	}
	e.model.Handle(func(req openaitest.Request) openaitest.Reply {
		if len(req.ToolResults()) == 0 && strings.Contains(req.LastUser(), "task 3") {
			return openaitest.Call("complete_task", `{"task_id": 3}`)
		}
		return openaitest.Text("Task 3 is done.")
	})
	r := e.mustChat(t, u, "", "mark task 3 as done")
	assert.Equal(t, "Task 3 is done.", r.Response)
	assert.Equal(t, "three", resultOf(t, r.ToolCalls[0].Result)["title"])
	assert.Equal(t, taskwire.StatusCompleted, e.mustTask(t, u, "3").Status)
	assert.Equal(t, taskwire.StatusOpen, e.mustTask(t, u, "1").Status)
	assert.Equal(t, taskwire.StatusOpen, e.mustTask(t, u, "2").Status)
}

func TestChat_MalformedArgument(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	e.model.Push(openaitest.Call("add_task", `{"title": 42}`), openaitest.Call("add_task", `{"title": `),
		openaitest.Text("Sorry, I could not add that task."))
	r := e.mustChat(t, u, "", "add a task called 42")
	assert.Equal(t, "Sorry, I could not add that task.", r.Response)
	require.Len(t, r.ToolCalls, 2)
	first := resultOf(t, r.ToolCalls[0].Result)
	assert.Equal(t, "title", first["field"], "got %v", first)
	assert.Equal(t, taskwire.EMALFORMED, first["code"])
	assert.NotEmpty(t, first["error"])
	assert.Equal(t, `"{\"title\": "`, string(r.ToolCalls[1].Arguments), "arguments that are not JSON come back as a string")
	assert.Equal(t, taskwire.EMALFORMED, resultOf(t, r.ToolCalls[1].Result)["code"])

	reqs := e.model.Requests()
	require.Len(t, reqs, 3)
	assert.Contains(t, reqs[1].ToolResults()[0], `"field":"title"`, "the model must read the error as the tool's result")
	page, err := e.app.App.Tasks.FindTasks(u.ctx, taskwire.TaskFilter{Status: "all", Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	msgs := e.storedMessages(t, u, r.ConversationID)
	assert.Equal(t, "user assistant tool assistant tool assistant", roles(msgs))
	assert.Contains(t, msgs[2].Content, `"field":"title"`)
}

func TestChat_UnknownTool(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	e.model.Push(openaitest.Call("launch_rocket", `{"target": "moon"}`), openaitest.Text("I can only manage tasks."))
	r := e.mustChat(t, u, "", "launch a rocket")
	assert.Equal(t, "I can only manage tasks.", r.Response)
	res := resultOf(t, r.ToolCalls[0].Result)
	assert.Equal(t, "unknown_tool", res["code"])
	assert.Contains(t, res["error"], "add_task")
	assert.Contains(t, e.model.Requests()[1].ToolResults()[0], "unknown_tool")
}

func TestChat_NeverStopsCallingTools(t *testing.T) {
	e := mustStart(t, func(c *chat.Config) { c.MaxRounds = 4 })
	u := e.newUser(t)
	e.model.Handle(func(openaitest.Request) openaitest.Reply { return openaitest.Call("list_tasks", `{}`) })
	r := e.mustChat(t, u, "", "keep looking")
	assert.Contains(t, r.Response, "stopped after 4 rounds")
	assert.Len(t, r.ToolCalls, 4)
	assert.Len(t, e.model.Requests(), 4, "got %d model calls, want the bound", len(e.model.Requests()))
	msgs := e.storedMessages(t, u, r.ConversationID)
	assert.Equal(t, "user"+strings.Repeat(" assistant tool", 4)+" assistant", roles(msgs))
	assert.Equal(t, r.Response, msgs[len(msgs)-1].Content)
}

func TestChat_ModelFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reply  openaitest.Reply
		status int
		code   string
	}{
		{"RateLimited", openaitest.RateLimited(7), http.StatusServiceUnavailable, taskwire.EUNAVAILABLE},
		{"Timeout", openaitest.Reply{Hang: true}, http.StatusGatewayTimeout, taskwire.ETIMEOUT},
		{"UpstreamError", openaitest.Reply{Status: http.StatusInternalServerError, Error: "boom"}, http.StatusBadGateway, taskwire.EUPSTREAM},
		{"UpstreamTimeout", openaitest.Reply{Status: http.StatusGatewayTimeout}, http.StatusGatewayTimeout, taskwire.ETIMEOUT},
		{"Unauthorized", openaitest.Reply{Status: http.StatusUnauthorized, Error: "bad key"}, http.StatusBadGateway, taskwire.EUPSTREAM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustStart(t, func(c *chat.Config) { c.Timeout = 500 * time.Millisecond })
			u := e.newUser(t)
			e.model.Push(tc.reply)
			res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "add a task to call mum"})
			d := res.problem(t, tc.status)
			assert.Equal(t, tc.code, d.Code)
			if tc.status == http.StatusServiceUnavailable {
				assert.Equal(t, "7", res.header.Get("Retry-After"))
			}
			convs, _, err := postgres.NewConversationService(e.app.App.DB).FindConversations(u.ctx, 10, nil)
			require.NoError(t, err)
			require.Len(t, convs, 1)
			msgs := e.storedMessages(t, u, convs[0].ID.String())
			assert.Equal(t, "user", roles(msgs), "the user's message must stay stored")
			assert.Equal(t, "add a task to call mum", msgs[0].Content)
		})
	}
}

func TestChat_DailyAllowance(t *testing.T) {
	e := mustStart(t, func(c *chat.Config) { c.DailyMessages = 2 })
	u := e.newUser(t)
	_, err := e.app.App.Users.UpdateMe(u.ctx, []byte(`{"time_zone": "Europe/Berlin"}`))
	require.NoError(t, err)
	e.model.Handle(func(openaitest.Request) openaitest.Reply { return openaitest.Text("Noted.") })
	first := e.mustChat(t, u, "", "hello")
	// Messages that are not answered count nothing: to a conversation gone, or none.
	res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "hi", "conversation_id": uuid.NewString()})
	res.problem(t, http.StatusNotFound)
	res = do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "hi", "conversation_id": "seven"})
	assert.GreaterOrEqual(t, res.status, 400)
	e.mustChat(t, u, first.ConversationID, "and again")
	calls := len(e.model.Requests())

	for _, accept := range []string{"application/json", "text/event-stream"} {
		body := map[string]any{"message": "a third today", "conversation_id": first.ConversationID}
		res := do(t, e.url, "POST", "/v1/chat", u.token, body, "Accept", accept)
		d := res.problem(t, http.StatusTooManyRequests)
		assert.Equal(t, taskwire.ETOOMANY, d.Code)
		assert.Contains(t, d.Detail, "2 messages in a day")
		assert.Regexp(t, `the next can be sent at \d\d:\d\d on \w{3} \d{1,2} \w{3} \(`, d.Detail, "said when, in the user's zone")
		assert.NotContains(t, d.Detail, "UTC")
		wait, err := strconv.Atoi(res.header.Get("Retry-After"))
		require.NoError(t, err, "Retry-After: %q", res.header.Get("Retry-After"))
		assert.InDelta(t, (24 * time.Hour).Seconds(), wait, 120, "until the day's window ends")
	}
	assert.Len(t, e.model.Requests(), calls, "no model call past the allowance")
	assert.Equal(t, "user assistant user assistant", roles(e.storedMessages(t, u, first.ConversationID)),
		"a refused message is not stored")
	res = do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "a new conversation"})
	res.problem(t, http.StatusTooManyRequests)
	convs, _, err := postgres.NewConversationService(e.app.App.DB).FindConversations(u.ctx, 10, nil)
	require.NoError(t, err)
	assert.Len(t, convs, 1, "a refused first message starts no conversation")
	// The conversation a refused message was for is not left held: with a larger
	// allowance (another handler, as after a new configuration) it answers at once.
	larger := e.serve(t, func(c *chat.Config) { c.DailyMessages = 3 })
	res = do(t, larger, "POST", "/v1/chat", u.token, map[string]any{"message": "a third, allowed now", "conversation_id": first.ConversationID})
	assert.Equal(t, http.StatusOK, res.status, "body: %s", res.body)

	other := e.newUser(t)
	e.mustChat(t, other, "", "hello")
	unlimited := mustStart(t, func(c *chat.Config) { c.DailyMessages = -1 })
	unlimited.model.Handle(func(openaitest.Request) openaitest.Reply { return openaitest.Text("Noted.") })
	v := unlimited.newUser(t)
	for range 3 {
		unlimited.mustChat(t, v, "", "hello")
	}
}

func TestConfigFromEnv(t *testing.T) {
	c, err := chat.ConfigFromEnv(map[string]string{"OPENAI_API_KEY": "k"})
	require.NoError(t, err)
	assert.Equal(t, 0, c.DailyMessages, "unset: the default")
	c, err = chat.ConfigFromEnv(map[string]string{"CHAT_DAILY_MESSAGES": "50"})
	require.NoError(t, err)
	assert.Equal(t, 50, c.DailyMessages)
	c, err = chat.ConfigFromEnv(map[string]string{"CHAT_DAILY_MESSAGES": "0"})
	require.NoError(t, err)
	assert.Negative(t, c.DailyMessages, "0: no limit")
	for _, bad := range []string{"many", "-3", "1.5"} {
		_, err = chat.ConfigFromEnv(map[string]string{"CHAT_DAILY_MESSAGES": bad})
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "CHAT_DAILY_MESSAGES")
	}
}

func TestChat_NoAPIKey(t *testing.T) {
	e := mustStart(t, func(c *chat.Config) { c.APIKey = "" })
	u := e.newUser(t)
	for _, accept := range []string{"application/json", "text/event-stream"} {
		res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "hi"}, "Accept", accept)
		d := res.problem(t, http.StatusServiceUnavailable)
		assert.Contains(t, d.Detail, "OPENAI_API_KEY")
	}
	assert.Empty(t, e.model.Requests())
	res := do(t, e.url, "GET", "/v1/conversations", u.token, nil)
	assert.Equal(t, http.StatusOK, res.status, "the rest keeps working: %s", res.body)
	assert.JSONEq(t, `{"items": []}`, string(res.body))
}

func TestChat_OtherUsersTasksUnreachable(t *testing.T) {
	e := mustStart(t, nil)
	alice, bob := e.newUser(t), e.newUser(t)
	theirs := e.createTask(t, bob, "Bob's secret")
	e.model.Push(
		openaitest.Call("complete_task", `{"task_id": 1}`),
		openaitest.Call("delete_task", `{"task_id": "`+theirs.ID.String()+`"}`),
		openaitest.Call("list_tasks", `{"status": "all"}`),
		openaitest.Text("You have no tasks."))
	r := e.mustChat(t, alice, "", "complete and delete bob's task 1")
	require.Len(t, r.ToolCalls, 3)
	assert.Equal(t, taskwire.ENOTFOUND, resultOf(t, r.ToolCalls[0].Result)["code"])
	assert.Equal(t, taskwire.ENOTFOUND, resultOf(t, r.ToolCalls[1].Result)["code"])
	assert.Empty(t, resultOf(t, r.ToolCalls[2].Result)["items"])
	still := e.mustTask(t, bob, theirs.ID.String())
	assert.Equal(t, taskwire.StatusOpen, still.Status)
	assert.Equal(t, theirs.Version, still.Version)
}

func TestChat_ResumesFromDatabase(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	e.model.Push(openaitest.Text("Hello! What shall I add?"))
	r := e.mustChat(t, u, "", "hello")

	// A second replica, or the same function after a restart: nothing in memory.
	other := e.serve(t, nil)
	e.model.Push(openaitest.Call("add_task", `{"title": "Call mum"}`), openaitest.Text("Added task 1."))
	res := do(t, other, "POST", "/v1/chat", u.token, map[string]any{"conversation_id": r.ConversationID, "message": "call mum"})
	require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
	reqs := e.model.Requests()
	got := reqs[1].Messages
	require.Len(t, got, 4, "system, hello, the reply, the new message")
	assert.Equal(t, "hello", got[1].Content)
	assert.Equal(t, "Hello! What shall I add?", got[2].Content)
	assert.Equal(t, "call mum", got[3].Content)
	assert.Equal(t, "user assistant user assistant tool assistant", roles(e.storedMessages(t, u, r.ConversationID)))
}

func TestChat_HistoryBudget(t *testing.T) {
	e := mustStart(t, func(c *chat.Config) { c.HistoryBudget = 60 })
	u := e.newUser(t)
	e.model.Push(openaitest.Call("add_task", `{"title": "first of many"}`), openaitest.Text("Added."))
	r := e.mustChat(t, u, "", "add first of many")
	e.model.Push(openaitest.Text("Fine."))
	e.mustChat(t, u, r.ConversationID, strings.Repeat("x", 40))
	e.model.Push(openaitest.Text("Ok."))
	e.mustChat(t, u, r.ConversationID, "last")

	last := e.model.Requests()[3].Messages
	var got []string
	for _, m := range last {
		got = append(got, m.Role)
	}
	// Newest first until the budget is spent: the first message and its tool call with
	// its (long) result went out together, the reply after them and the newer ones fit.
	assert.Equal(t, []string{"system", "assistant", "user", "assistant", "user"}, got)
	assert.Equal(t, "Added.", last[1].Content)
	assert.Equal(t, strings.Repeat("x", 40), last[2].Content)
}

func TestChat_Stream(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	e.model.Push(openaitest.Call("add_task", `{"title": "Dentist über Mittag"}`), openaitest.Text("Added task 1, the dentist."))
	res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "add the dentist"}, "Accept", "text/event-stream")
	require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
	assert.Equal(t, "text/event-stream", res.header.Get("Content-Type"))

	events := parseSSE(t, res.body)
	var names []string
	var text strings.Builder
	for _, ev := range events {
		names = append(names, ev.name)
		if ev.name == "delta" {
			var d struct{ Text string }
			require.NoError(t, json.Unmarshal([]byte(ev.data), &d))
			text.WriteString(d.Text)
		}
	}
	require.Equal(t, "tool_call", names[0], "got events %v", names)
	assert.Equal(t, "done", names[len(names)-1], "got events %v", names)
	assert.Greater(t, len(names), 3, "the reply must arrive in several deltas, got %v", names)
	assert.Equal(t, "Added task 1, the dentist.", text.String())

	var call struct {
		Name      string
		Arguments map[string]any
		Result    map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(events[0].data), &call))
	assert.Equal(t, "add_task", call.Name)
	assert.Equal(t, "Dentist über Mittag", call.Arguments["title"])
	assert.Equal(t, float64(1), call.Result["number"])

	var done reply
	require.NoError(t, json.Unmarshal([]byte(events[len(events)-1].data), &done))
	assert.Equal(t, "Added task 1, the dentist.", done.Response)
	require.Len(t, done.ToolCalls, 1)
	assert.Equal(t, "Dentist über Mittag", e.mustTask(t, u, "1").Title)
	assert.Equal(t, "user assistant tool assistant", roles(e.storedMessages(t, u, done.ConversationID)))
	for _, req := range e.model.Requests() {
		assert.True(t, req.Stream, "the model must be asked to stream")
	}
}

func TestChat_StreamError(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	e.model.Push(openaitest.Call("add_task", `{"title": "x"}`), openaitest.RateLimited(3))
	res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "add x"}, "Accept", "text/event-stream")
	require.Equal(t, http.StatusOK, res.status, "the stream had begun: %s", res.body)
	events := parseSSE(t, res.body)
	require.Len(t, events, 2, "got %v", events)
	assert.Equal(t, "tool_call", events[0].name)
	assert.Equal(t, "error", events[1].name)
	var d problem.Details
	require.NoError(t, json.Unmarshal([]byte(events[1].data), &d))
	assert.Equal(t, http.StatusServiceUnavailable, d.Status)
	assert.Equal(t, taskwire.EUNAVAILABLE, d.Code)
}

type sseEvent struct{ name, data string }

func parseSSE(t *testing.T, body []byte) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.name != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data += strings.TrimPrefix(line, "data: ")
		default:
			t.Fatalf("unexpected line %q in %s", line, body)
		}
	}
	require.NoError(t, sc.Err())
	return out
}

func TestChat_BadRequests(t *testing.T) {
	e := mustStart(t, nil)
	u, other := e.newUser(t), e.newUser(t)
	e.model.Push(openaitest.Text("hi"))
	theirs := e.mustChat(t, other, "", "mine")

	for _, tc := range []struct {
		name, path, token string
		body              any
		status            int
		field             string
	}{
		{"NoToken", "/v1/chat", "", map[string]any{"message": "hi"}, http.StatusUnauthorized, ""},
		{"NoMessage", "/v1/chat", u.token, map[string]any{}, http.StatusUnprocessableEntity, "message"},
		{"BlankMessage", "/v1/chat", u.token, map[string]any{"message": "  "}, http.StatusUnprocessableEntity, "message"},
		{"LongMessage", "/v1/chat", u.token, map[string]any{"message": strings.Repeat("a", chat.MaxMessageLength+1)}, http.StatusUnprocessableEntity, "message"},
		{"UnknownField", "/v1/chat", u.token, map[string]any{"message": "hi", "model": "x"}, http.StatusBadRequest, "model"},
		{"NotJSON", "/v1/chat", u.token, "{", http.StatusBadRequest, ""},
		{"BadConversation", "/v1/chat", u.token, map[string]any{"message": "hi", "conversation_id": "nope"}, http.StatusUnprocessableEntity, "conversation_id"},
		{"UnknownConversation", "/v1/chat", u.token, map[string]any{"message": "hi", "conversation_id": uuid.NewString()}, http.StatusNotFound, "conversation_id"},
		{"OthersConversation", "/v1/chat", u.token, map[string]any{"message": "hi", "conversation_id": theirs.ConversationID}, http.StatusNotFound, "conversation_id"},
		{"AliasOfAnother", "/api/" + other.id + "/chat", u.token, map[string]any{"message": "hi"}, http.StatusForbidden, "user_id"},
		{"UnknownQueryParameter", "/v1/chat?stream=true", u.token, map[string]any{"message": "hi"}, http.StatusBadRequest, "stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := do(t, e.url, "POST", tc.path, tc.token, tc.body).problem(t, tc.status)
			assert.Equal(t, tc.field, d.Field, "got %+v", d)
		})
	}
	assert.Len(t, e.model.Requests(), 1, "no bad request may reach the model")
	assert.Len(t, e.storedMessages(t, other, theirs.ConversationID), 2, "nothing may be added to another's conversation")

	// A method a chat path does not take is a 405 that says which it does.
	for path, allow := range map[string]string{"/v1/chat": "POST", "/v1/conversations": "GET, HEAD",
		"/v1/conversations/" + theirs.ConversationID: "DELETE"} {
		res := do(t, e.url, "PUT", path, u.token, nil)
		res.problem(t, http.StatusMethodNotAllowed)
		assert.Equal(t, allow, res.header.Get("Allow"), path)
	}
}

func TestChat_Alias(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	e.model.Push(openaitest.Call("add_task", `{"title": "Buy groceries"}`), openaitest.Text("Added."))
	res := do(t, e.url, "POST", "/api/"+u.id+"/chat", u.token, map[string]any{"message": "add a task to buy groceries"})
	require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
	var r reply
	res.json(t, &r)
	assert.Equal(t, "Added.", r.Response)
	assert.Equal(t, "Buy groceries", e.mustTask(t, u, "1").Title)
}

func TestConversations(t *testing.T) {
	e := mustStart(t, nil)
	u, other := e.newUser(t), e.newUser(t)
	e.model.Handle(func(openaitest.Request) openaitest.Reply { return openaitest.Text("ok") })
	first := e.mustChat(t, u, "", "first conversation")
	second := e.mustChat(t, u, "", "second conversation")
	theirs := e.mustChat(t, other, "", "not yours")

	type convPage struct {
		Items      []taskwire.Conversation
		NextCursor string `json:"next_cursor"`
	}
	var list convPage
	res := do(t, e.url, "GET", "/v1/conversations", u.token, nil)
	require.Equal(t, http.StatusOK, res.status)
	res.json(t, &list)
	require.Len(t, list.Items, 2)
	assert.Equal(t, second.ConversationID, list.Items[0].ID.String(), "the latest first")
	assert.Equal(t, "first conversation", list.Items[1].Title)
	assert.Empty(t, list.NextCursor, "the last page has no next")

	// Page by page, one at a time: each once, in order, then no next page.
	var paged []string
	next := "/v1/conversations?limit=1"
	for next != "" {
		var page convPage
		do(t, e.url, "GET", next, u.token, nil).json(t, &page)
		require.LessOrEqual(t, len(page.Items), 1)
		for _, c := range page.Items {
			paged = append(paged, c.ID.String())
		}
		next = ""
		if page.NextCursor != "" {
			require.Less(t, len(paged), 3, "the pages never end")
			next = "/v1/conversations?limit=1&cursor=" + page.NextCursor
		}
	}
	assert.Equal(t, []string{second.ConversationID, first.ConversationID}, paged)
	do(t, e.url, "GET", "/v1/conversations?limit=0", u.token, nil).problem(t, http.StatusBadRequest)
	do(t, e.url, "GET", "/v1/conversations?page=2", u.token, nil).problem(t, http.StatusBadRequest)
	d := do(t, e.url, "GET", "/v1/conversations?cursor=nope", u.token, nil).problem(t, http.StatusBadRequest)
	assert.Contains(t, d.Detail, "cursor")

	type msgPage struct {
		Conversation taskwire.Conversation
		Items        []taskwire.Message
		NextCursor   string `json:"next_cursor"`
	}
	var msgs msgPage
	res = do(t, e.url, "GET", "/v1/conversations/"+first.ConversationID+"/messages", u.token, nil)
	require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
	res.json(t, &msgs)
	assert.Equal(t, first.ConversationID, msgs.Conversation.ID.String())
	require.Len(t, msgs.Items, 2)
	assert.Equal(t, "first conversation", msgs.Items[0].Content)
	assert.Equal(t, "ok", msgs.Items[1].Content)
	assert.Empty(t, msgs.NextCursor)

	// The latest message first, then the page of the ones before it.
	var latest, earlier msgPage
	do(t, e.url, "GET", "/v1/conversations/"+first.ConversationID+"/messages?limit=1", u.token, nil).json(t, &latest)
	require.Len(t, latest.Items, 1)
	assert.Equal(t, "ok", latest.Items[0].Content)
	require.NotEmpty(t, latest.NextCursor)
	do(t, e.url, "GET", "/v1/conversations/"+first.ConversationID+"/messages?limit=1&cursor="+latest.NextCursor, u.token, nil).json(t, &earlier)
	require.Len(t, earlier.Items, 1)
	assert.Equal(t, "first conversation", earlier.Items[0].Content)
	assert.Empty(t, earlier.NextCursor, "the first message has none before it")
	do(t, e.url, "GET", "/v1/conversations/"+first.ConversationID+"/messages?cursor=AAAA", u.token, nil).problem(t, http.StatusBadRequest)

	for _, path := range []string{"/v1/conversations/" + theirs.ConversationID + "/messages", "/v1/conversations/nope/messages"} {
		do(t, e.url, "GET", path, u.token, nil).problem(t, http.StatusNotFound)
	}
	do(t, e.url, "DELETE", "/v1/conversations/"+theirs.ConversationID, u.token, nil).problem(t, http.StatusNotFound)
	assert.Len(t, e.storedMessages(t, other, theirs.ConversationID), 2, "another's conversation must survive")

	res = do(t, e.url, "DELETE", "/v1/conversations/"+first.ConversationID, u.token, nil)
	assert.Equal(t, http.StatusNoContent, res.status, "body: %s", res.body)
	do(t, e.url, "GET", "/v1/conversations/"+first.ConversationID+"/messages", u.token, nil).problem(t, http.StatusNotFound)
	do(t, e.url, "DELETE", "/v1/conversations/"+first.ConversationID, u.token, nil).problem(t, http.StatusNotFound)
	do(t, e.url, "PUT", "/v1/conversations/"+second.ConversationID, u.token, nil).problem(t, http.StatusMethodNotAllowed)
}

// TestChat_ConcurrentChatsReuseConnections checks that chats running at once keep their
// connections to the model for the next ones: a model served over HTTP/1.1 (a local one,
// through OPENAI_BASE_URL) is not dialled afresh for every call.
func TestChat_ConcurrentChatsReuseConnections(t *testing.T) {
	e := mustStart(t, nil)
	u := e.newUser(t)
	const concurrent = 8
	// Each round's model calls are held until all of them have arrived, so that each is
	// on a connection of its own.
	type gate struct {
		arrived atomic.Int32
		open    chan struct{}
	}
	var current atomic.Pointer[gate]
	e.model.Handle(func(openaitest.Request) openaitest.Reply {
		g := current.Load()
		if g.arrived.Add(1) == concurrent {
			close(g.open)
		}
		select {
		case <-g.open:
		case <-time.After(10 * time.Second):
		}
		return openaitest.Text("Nothing is due.")
	})
	for round := 1; round <= 2; round++ {
		current.Store(&gate{open: make(chan struct{})})
		var wg sync.WaitGroup
		for range concurrent {
			wg.Go(func() {
				res := do(t, e.url, "POST", "/v1/chat", u.token, map[string]any{"message": "anything due?"})
				assert.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
			})
		}
		wg.Wait()
		assert.Equal(t, concurrent, e.model.Dialled(),
			"after round %d: got %d connections to the model, want %d, the first round's reused", round, e.model.Dialled(), concurrent)
	}
}
