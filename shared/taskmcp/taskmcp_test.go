package taskmcp_test

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskmcp"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// TestMain runs the package's tests on a database of their own, dropped afterwards.
func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// Server is the running app with its MCP endpoint.
type Server struct {
	*resttest.Server        // the app, its issuer and its users
	MCP              string // the MCP endpoint's URL
}

// MustServe starts the app on the test database and serves its tools over MCP with the
// real handler on an httptest server.
func MustServe(tb testing.TB) *Server {
	tb.Helper()
	s := resttest.MustStart(tb)
	srv := httptest.NewServer(taskmcp.New(s.App.Verifier, s.App.Users, tools.New(s.App.Tasks, s.App.Users, s.App.Notifications, s.App.Changes), s.App.Verifier.Issuer()))
	tb.Cleanup(srv.Close)
	return &Server{Server: s, MCP: srv.URL + "/mcp"}
}

// bearer adds a bearer token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// MustConnect connects an MCP client from go-sdk, as the user of token, and closes it
// at cleanup.
func MustConnect(tb testing.TB, endpoint, token string) *mcp.ClientSession {
	tb.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "taskmcp-test", Version: "1"}, nil)
	transport := &mcp.StreamableClientTransport{
		Endpoint:   endpoint,
		HTTPClient: &http.Client{Transport: bearer{token: token, next: http.DefaultTransport}},
		MaxRetries: -1,
	}
	cs, err := client.Connect(context.Background(), transport, nil)
	require.NoError(tb, err, "connect to %s", endpoint)
	tb.Cleanup(func() { _ = cs.Close() })
	return cs
}

// MustCall calls a tool that must succeed and decodes its JSON result into a T.
func MustCall[T any](tb testing.TB, cs *mcp.ClientSession, name, args string) T {
	tb.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: json.RawMessage(args)})
	require.NoError(tb, err, "%s(%s)", name, args)
	require.False(tb, res.IsError, "%s(%s): got an error result %q, want success", name, args, text(tb, res))
	var v T
	require.NoError(tb, json.Unmarshal([]byte(text(tb, res)), &v), "result of %s", name)
	return v
}

// MustRefuse calls a tool that must answer with an error result and returns that
// result's message and its structured {"error", "code", "field"}.
func MustRefuse(tb testing.TB, cs *mcp.ClientSession, name, args string) (string, map[string]string) {
	tb.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: json.RawMessage(args)})
	require.NoError(tb, err, "%s(%s): got a protocol error, want an error result", name, args)
	require.True(tb, res.IsError, "%s(%s): got success %s, want isError", name, args, text(tb, res))
	raw, err := json.Marshal(res.StructuredContent)
	require.NoError(tb, err)
	var refusal map[string]string
	require.NoError(tb, json.Unmarshal(raw, &refusal), "structured content %s", raw)
	return text(tb, res), refusal
}

// text returns the one text content of a tool result.
func text(tb testing.TB, res *mcp.CallToolResult) string {
	tb.Helper()
	require.Len(tb, res.Content, 1)
	tc, ok := res.Content[0].(*mcp.TextContent)
	require.True(tb, ok, "got content %T, want text", res.Content[0])
	return tc.Text
}

// asUser returns a context signed in as user, for reading the database directly.
func asUser(user string) context.Context {
	return taskwire.NewContextWithUser(context.Background(), user)
}

func TestListTools(t *testing.T) {
	s := MustServe(t)
	cs := MustConnect(t, s.MCP, s.NewUser(t).Token)

	res, err := cs.ListTools(context.Background(), nil)
	require.NoError(t, err)
	listed := map[string]*mcp.Tool{}
	for _, tool := range res.Tools {
		listed[tool.Name] = tool
	}
	for _, name := range []string{"add_task", "list_tasks", "complete_task", "delete_task", "restore_task",
		"list_deleted_tasks", "update_task", "list_notifications", "snooze_reminder"} {
		assert.Contains(t, listed, name)
	}
	// Every tool of the set, each with its own description and JSON Schema.
	want := tools.New(nil, nil, nil, nil).List()
	require.Len(t, listed, len(want), "got tools %v", slices.Collect(func(yield func(string) bool) {
		for name := range listed {
			if !yield(name) {
				return
			}
		}
	}))
	for _, tool := range want {
		got, ok := listed[tool.Name]
		if !assert.True(t, ok, "tool %s is not listed", tool.Name) {
			continue
		}
		assert.Equal(t, tool.Description, got.Description, tool.Name)
		schema, err := json.Marshal(got.InputSchema)
		require.NoError(t, err)
		assert.JSONEq(t, string(tool.Parameters), string(schema), "input schema of %s", tool.Name)
	}
}

func TestCallTool(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		s := MustServe(t)
		user := s.NewUser(t)
		cs := MustConnect(t, s.MCP, user.Token)

		added := MustCall[taskwire.Task](t, cs, "add_task",
			`{"title": "Buy groceries", "priority": "high", "tags": ["home"]}`)
		assert.Equal(t, "Buy groceries", added.Title)
		stored, err := s.App.Tasks.FindTask(asUser(user.User), added.ID.String())
		require.NoError(t, err, "the task add_task made is in the database")
		assert.Equal(t, taskwire.StatusOpen, stored.Status)
		assert.Equal(t, taskwire.Priority("high"), stored.Priority)
		assert.Equal(t, added.Number, stored.Number)

		page := MustCall[taskwire.TaskPage](t, cs, "list_tasks", `{"status": "pending"}`)
		require.Len(t, page.Items, 1)
		assert.Equal(t, added.ID, page.Items[0].ID)

		// "mark task 1 as done", by the number as the user says it.
		done := MustCall[taskwire.Task](t, cs, "complete_task", `{"task_id": `+strconv.FormatInt(added.Number, 10)+`}`)
		assert.Equal(t, added.ID, done.ID)
		stored, err = s.App.Tasks.FindTask(asUser(user.User), added.ID.String())
		require.NoError(t, err)
		assert.Equal(t, taskwire.StatusCompleted, stored.Status, "the database has the task completed")

		page = MustCall[taskwire.TaskPage](t, cs, "list_tasks", `{}`)
		assert.Empty(t, page.Items, "no task is pending any more")

		deleted := MustCall[map[string]any](t, cs, "delete_task", `{"task_id": "`+added.ID.String()+`"}`)
		assert.Equal(t, true, deleted["deleted"])
		_, err = s.App.Tasks.FindTask(asUser(user.User), added.ID.String())
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v, want the task gone", err)

		// "bring back the groceries task": found in the trash by its title, restored by its number.
		trash := MustCall[struct {
			Items []struct {
				Number int64  `json:"number"`
				Title  string `json:"title"`
			} `json:"items"`
		}](t, cs, "list_deleted_tasks", `{}`)
		require.Len(t, trash.Items, 1)
		assert.Equal(t, "Buy groceries", trash.Items[0].Title)
		restored := MustCall[taskwire.Task](t, cs, "restore_task", `{"task_id": `+strconv.FormatInt(trash.Items[0].Number, 10)+`}`)
		assert.Equal(t, added.ID, restored.ID)
		assert.Equal(t, added.Number, restored.Number)
		stored, err = s.App.Tasks.FindTask(asUser(user.User), added.ID.String())
		require.NoError(t, err, "the database has the task back")
		assert.Equal(t, added.Number, stored.Number)
		assert.Equal(t, taskwire.StatusCompleted, stored.Status, "as it was when it was deleted")
	})

	// "What reminders did I miss?", then "remind me again in an hour".
	t.Run("Notifications", func(t *testing.T) {
		s := MustServe(t)
		user := s.NewUser(t)
		cs := MustConnect(t, s.MCP, user.Token)
		due := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		task := user.MustCreateTask(t, map[string]any{"title": "Dentist", "due_at": due.Format(time.RFC3339),
			"reminders": []map[string]string{{"before": "PT15M"}}})
		delivered := postgrestest.MustDeliverReminder(t, s.App.DB, s.App.Notifications, user.User, task, 0)

		page := MustCall[struct{ Items []taskwire.Notification }](t, cs, "list_notifications", `{}`)
		require.Len(t, page.Items, 1)
		assert.Equal(t, delivered.ID, page.Items[0].ID)
		assert.Equal(t, "Dentist", page.Items[0].Title)

		before := time.Now()
		snoozed := MustCall[taskwire.Snoozed](t, cs, "snooze_reminder", `{"notification_id": "`+page.Items[0].ID.String()+`", "for": "PT1H"}`)
		assert.WithinDuration(t, before.Add(time.Hour), snoozed.Until, 5*time.Second)
		stored, err := s.App.Notifications.FindNotification(asUser(user.User), delivered.ID)
		require.NoError(t, err)
		assert.NotNil(t, stored.ReadAt, "the database has the notification read")
		reminded, err := s.App.Tasks.FindTask(asUser(user.User), task.ID.String())
		require.NoError(t, err)
		assert.True(t, slices.ContainsFunc(reminded.Reminders, func(r taskwire.Reminder) bool {
			return r.At != nil && r.At.Equal(snoozed.Until)
		}), "got reminders %+v, want one at %v", reminded.Reminders, snoozed.Until)

		_, refusal := MustRefuse(t, cs, "snooze_reminder", `{"notification_id": "`+delivered.ID.String()+`", "for": "soon"}`)
		assert.Equal(t, taskwire.EINVALID, refusal["code"])
		assert.Equal(t, "for", refusal["field"])
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		s := MustServe(t)
		user := s.NewUser(t)
		cs := MustConnect(t, s.MCP, user.Token)
		unknown := uuid.NewString()

		for _, tt := range []struct {
			name, tool, args, code, field, message string
		}{
			{"BlankTitle", "add_task", `{"title": "  "}`, taskwire.EINVALID, "title", "title"},
			{"WrongType", "add_task", `{"title": 5}`, taskwire.EMALFORMED, "title", "title"},
			{"UnknownField", "add_task", `{"title": "a", "colour": "red"}`, taskwire.EMALFORMED, "colour", "colour"},
			{"BadTaskID", "complete_task", `{"task_id": "three"}`, taskwire.EINVALID, "task_id", "task_id"},
			{"UnknownTask", "complete_task", `{"task_id": 999}`, taskwire.ENOTFOUND, "task_id", "no task 999"},
			{"UnknownDeletedTask", "restore_task", `{"task_id": 999}`, taskwire.ENOTFOUND, "task_id", "no task 999"},
			{"UnknownNotification", "snooze_reminder", `{"notification_id": "` + unknown + `"}`, taskwire.ENOTFOUND, "notification_id", unknown},
			{"BadSnooze", "snooze_reminder", `{"notification_id": "` + unknown + `", "for": "PT30S"}`, taskwire.EINVALID, "for", "at least a minute"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				message, refusal := MustRefuse(t, cs, tt.tool, tt.args)
				assert.Contains(t, message, tt.message)
				assert.Equal(t, message, refusal["error"])
				assert.Equal(t, tt.code, refusal["code"])
				assert.Equal(t, tt.field, refusal["field"])
			})
		}
		all, err := rest.ParseFilter(url.Values{"status": {"all"}})
		require.NoError(t, err)
		page, err := s.App.Tasks.FindTasks(asUser(user.User), all)
		require.NoError(t, err)
		assert.Empty(t, page.Items, "no refused call wrote a task")
	})

	t.Run("ErrUnknownTool", func(t *testing.T) {
		s := MustServe(t)
		cs := MustConnect(t, s.MCP, s.NewUser(t).Token)
		_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "drop_database", Arguments: map[string]any{}})
		require.Error(t, err, "a tool that does not exist is a protocol error")
		assert.Contains(t, err.Error(), "drop_database")
	})
}

// TestIsolation checks that one user's MCP session cannot see or change another's tasks.
func TestIsolation(t *testing.T) {
	s := MustServe(t)
	ada, bob := s.NewUser(t), s.NewUser(t)
	adaSession, bobSession := MustConnect(t, s.MCP, ada.Token), MustConnect(t, s.MCP, bob.Token)

	task := MustCall[taskwire.Task](t, adaSession, "add_task", `{"title": "Ada's secret"}`)
	ref := strconv.FormatInt(task.Number, 10)

	page := MustCall[taskwire.TaskPage](t, bobSession, "list_tasks", `{"status": "all"}`)
	assert.Empty(t, page.Items, "bob lists none of ada's tasks")
	for _, tool := range []string{"get_task", "complete_task", "delete_task", "restore_task"} {
		for _, id := range []string{ref, `"` + task.ID.String() + `"`} {
			_, refusal := MustRefuse(t, bobSession, tool, `{"task_id": `+id+`}`)
			assert.Equal(t, taskwire.ENOTFOUND, refusal["code"], "%s(%s) as bob", tool, id)
		}
	}
	_, refusal := MustRefuse(t, bobSession, "update_task", `{"task_id": `+ref+`, "title": "mine now"}`)
	assert.Equal(t, taskwire.ENOTFOUND, refusal["code"])

	stored, err := s.App.Tasks.FindTask(asUser(ada.User), task.ID.String())
	require.NoError(t, err, "ada's task is still there")
	assert.Equal(t, "Ada's secret", stored.Title)
	assert.Equal(t, taskwire.StatusOpen, stored.Status)

	page = MustCall[taskwire.TaskPage](t, adaSession, "list_tasks", `{}`)
	require.Len(t, page.Items, 1, "ada still sees her task")
}

// initialize is an MCP initialize request, as a client's first POST sends it.
const initialize = `{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
	"capabilities": {}, "clientInfo": {"name": "curl", "version": "1"}}}`

// post sends body to the endpoint as an MCP client would, with authorization if not "".
func post(t *testing.T, endpoint, authorization, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestStateless checks that a request stands on its own: a tool call without a session
// or an initialize before it, as from a replica that has just started.
func TestStateless(t *testing.T) {
	s := MustServe(t)
	user := s.NewUser(t)
	user.MustCreateTask(t, map[string]any{"title": "Made over REST"})

	resp := post(t, s.MCP, "Bearer "+user.Token,
		`{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "list_tasks", "arguments": {}}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var msg struct {
		ID     int                `json:"id"`
		Result mcp.CallToolResult `json:"result"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&msg))
	assert.Equal(t, 7, msg.ID)
	require.False(t, msg.Result.IsError)
	var page taskwire.TaskPage
	require.NoError(t, json.Unmarshal([]byte(text(t, &msg.Result)), &page))
	require.Len(t, page.Items, 1)
	assert.Equal(t, "Made over REST", page.Items[0].Title)
}

// Only POST carries MCP here: another method is a 405 problem naming POST, as every
// error of the API is a problem.
func TestOtherMethods(t *testing.T) {
	s := MustServe(t)
	user := s.NewUser(t)
	for _, method := range []string{http.MethodGet, http.MethodDelete, http.MethodPut} {
		req, err := http.NewRequest(method, s.MCP, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+user.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, method)
		assert.Equal(t, problem.ContentType, resp.Header.Get("Content-Type"), method)
		assert.Equal(t, http.MethodPost, resp.Header.Get("Allow"), method)
	}
}

// A request the SDK cannot take is a problem that says what was wrong, as the REST API
// answers one, not the SDK's plain text; a good one after it is answered as ever.
func TestBadRequests(t *testing.T) {
	s := MustServe(t)
	user := s.NewUser(t)
	for _, tt := range []struct {
		name, body, contentType, accept string
		status                          int
		code, detail                    string
	}{
		{name: "EmptyBody", body: "", status: http.StatusBadRequest, code: taskwire.EMALFORMED, detail: "non-empty body"},
		{name: "NotJSON", body: "{", status: http.StatusBadRequest, code: taskwire.EMALFORMED, detail: "unexpected EOF"},
		{name: "NotJSONRPC", body: `{"title": "Buy milk"}`, status: http.StatusBadRequest, code: taskwire.EMALFORMED, detail: `expected "2.0"`},
		{name: "NoAccept", body: initialize, accept: "application/json", status: http.StatusBadRequest, code: taskwire.EMALFORMED, detail: "Accept must contain"},
		{name: "NotJSONContent", body: initialize, contentType: "text/plain", status: http.StatusBadRequest, code: taskwire.EMALFORMED, detail: "Content-Type must be 'application/json'"},
		{name: "TooLarge", body: `{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "` + strings.Repeat("x", rest.MaxBodyBytes) + `"}}`,
			status: http.StatusRequestEntityTooLarge, code: taskwire.ETOOLARGE, detail: "exceeds"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, s.MCP, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+user.Token)
			req.Header.Set("Content-Type", cmp.Or(tt.contentType, "application/json"))
			req.Header.Set("Accept", cmp.Or(tt.accept, "application/json, text/event-stream"))
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, problem.ContentType, resp.Header.Get("Content-Type"))
			var p problem.Details
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
			assert.Equal(t, tt.status, p.Status)
			assert.Equal(t, tt.code, p.Code)
			assert.Contains(t, p.Detail, tt.detail)
			assert.Equal(t, "/mcp", p.Instance)
		})
	}
	resp := post(t, s.MCP, "Bearer "+user.Token, initialize)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a good request after them")
}

// An MCP client that is refused for want of a token finds, from the challenge, where to
// get one: the protected resource metadata names the identity provider that issues the
// tokens, as the SDK's own client discovery reads it.
func TestProtectedResourceMetadata(t *testing.T) {
	s := MustServe(t)
	const issuer = "https://id.example.com"
	srv := httptest.NewServer(taskmcp.New(s.App.Verifier, s.App.Users, tools.New(s.App.Tasks, s.App.Users, s.App.Notifications, s.App.Changes), issuer))
	t.Cleanup(srv.Close)

	resp := post(t, srv.URL+taskmcp.Path, "", initialize)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	challenges, err := oauthex.ParseWWWAuthenticate(resp.Header.Values("WWW-Authenticate"))
	require.NoError(t, err)
	require.Len(t, challenges, 1)
	metadataURL := challenges[0].Params["resource_metadata"]
	assert.Equal(t, srv.URL+taskmcp.MetadataPath, metadataURL)

	meta, err := oauthex.GetProtectedResourceMetadata(context.Background(), metadataURL, srv.URL+taskmcp.Path, http.DefaultClient)
	require.NoError(t, err)
	assert.Equal(t, []string{issuer}, meta.AuthorizationServers)
	assert.Equal(t, []string{"header"}, meta.BearerMethodsSupported)

	t.Run("BehindHTTPS", func(t *testing.T) { // Knative's ingress ends TLS and says so
		req, err := http.NewRequest(http.MethodGet, metadataURL, nil)
		require.NoError(t, err)
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("Origin", "http://localhost:6274") // a browser-based client, such as MCP Inspector
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"), "readable from any page")
		var meta oauthex.ProtectedResourceMetadata
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&meta))
		assert.Equal(t, "https://"+strings.TrimPrefix(srv.URL, "http://")+taskmcp.Path, meta.Resource)
	})
	t.Run("OtherMethod", func(t *testing.T) {
		resp := post(t, metadataURL, "", "{}")
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		assert.Equal(t, problem.ContentType, resp.Header.Get("Content-Type"))
	})
	t.Run("TokenStillServes", func(t *testing.T) {
		resp := post(t, srv.URL+taskmcp.Path, "Bearer "+s.NewUser(t).Token, initialize)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
	t.Run("DevelopmentIssuer", func(t *testing.T) { // no authorization server to name
		resp := post(t, s.MCP, "", initialize)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.NotContains(t, resp.Header.Get("WWW-Authenticate"), "resource_metadata")
		got, err := http.Get(strings.TrimSuffix(s.MCP, taskmcp.Path) + taskmcp.MetadataPath)
		require.NoError(t, err)
		defer got.Body.Close()
		assert.Equal(t, http.StatusNotFound, got.StatusCode)
		var p problem.Details
		require.NoError(t, json.NewDecoder(got.Body).Decode(&p))
		assert.Contains(t, p.Detail, "AUTH_ISSUER")
	})
}

func TestAuthentication(t *testing.T) {
	s := MustServe(t)
	stranger, err := auth.LoadDevIssuer(t.TempDir())
	require.NoError(t, err)
	foreign, err := stranger.Mint("someone", time.Hour)
	require.NoError(t, err)

	t.Run("OK", func(t *testing.T) {
		resp := post(t, s.MCP, "Bearer "+s.NewUser(t).Token, initialize)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var msg struct {
			Result struct {
				ServerInfo mcp.Implementation `json:"serverInfo"`
			} `json:"result"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&msg))
		assert.Equal(t, taskmcp.ServerName, msg.Result.ServerInfo.Name)
		assert.Empty(t, resp.Header.Get("Mcp-Session-Id"), "a stateless server hands out no session")
	})

	for _, tt := range []struct{ name, authorization string }{
		{"ErrNoToken", ""},
		{"ErrNotBearer", "Basic YWRhOnNlY3JldA=="},
		{"ErrBadToken", "Bearer not-a-jwt"},
		{"ErrOtherIssuer", "Bearer " + foreign},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, s.MCP, tt.authorization, initialize)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, problem.ContentType, resp.Header.Get("Content-Type"))
			assert.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer"),
				"got WWW-Authenticate %q, want Bearer …", resp.Header.Get("WWW-Authenticate"))
			var p problem.Details
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
			assert.Equal(t, taskwire.EUNAUTHORIZED, p.Code)
		})
	}

	t.Run("ErrClientWithoutToken", func(t *testing.T) {
		client := mcp.NewClient(&mcp.Implementation{Name: "taskmcp-test", Version: "1"}, nil)
		_, err := client.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: s.MCP, MaxRetries: -1}, nil)
		require.Error(t, err, "an MCP client without a token cannot connect")
		assert.Contains(t, err.Error(), "Unauthorized")
	})
}
