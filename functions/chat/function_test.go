package function_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire/functions/chat"
	"github.com/taskwire/taskwire/shared/app/apptest"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/chat/openaitest"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// mustStart starts the function as the runtime would, with cfg added to its database
// and data directory, and returns it with a token of a new user.
func mustStart(t *testing.T, cfg map[string]string) (*function.Function, string) {
	t.Helper()
	dir := t.TempDir()
	full := map[string]string{"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": dir}
	for k, v := range cfg {
		full[k] = v
	}
	f := function.New()
	require.NoError(t, f.Start(context.Background(), full))
	t.Cleanup(func() { _ = f.Stop(context.Background()) })
	issuer, err := auth.LoadDevIssuer(dir)
	require.NoError(t, err)
	token, err := issuer.Mint("chat-function-"+t.Name(), time.Minute)
	require.NoError(t, err)
	return f, token
}

func post(f *function.Function, token, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	f.Handle(w, req)
	return w
}

func TestFunction_BadAllowance(t *testing.T) {
	f := function.New()
	err := f.Start(context.Background(), map[string]string{
		"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": t.TempDir(), "CHAT_DAILY_MESSAGES": "lots",
	})
	require.Error(t, err, "a malformed allowance stops the start")
	assert.Contains(t, err.Error(), "CHAT_DAILY_MESSAGES")
	ready, _ := f.Ready(context.Background())
	assert.False(t, ready)
}

func TestFunction(t *testing.T) {
	t.Run("NotStarted", func(t *testing.T) {
		f := function.New()
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.False(t, ready)
		w := httptest.NewRecorder()
		f.Handle(w, httptest.NewRequest("POST", "/v1/chat", strings.NewReader(`{"message":"hi"}`)))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	})

	t.Run("OK", func(t *testing.T) {
		model := openaitest.New(t)
		model.Push(openaitest.Call("add_task", `{"title":"Water the plants"}`), openaitest.Text("Added task 1."))
		f, token := mustStart(t, map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": model.BaseURL(), "OPENAI_MODEL": "local-model"})
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.True(t, ready)

		w := post(f, token, "/v1/chat", `{"message":"add a task to water the plants"}`)
		assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Contains(t, w.Body.String(), `"response":"Added task 1."`)
		assert.Contains(t, w.Body.String(), `"title":"Water the plants"`)
		assert.Equal(t, "local-model", model.Requests()[0].Model)

		for path, want := range map[string]bool{"/v1/chat": true, "/v1/conversations": true, "/v1/conversations/x/messages": true,
			"/api/ada/chat": true, "/mcp": true, "/v1/tasks": false, "/": false} {
			assert.Equal(t, want, f.Serves(httptest.NewRequest("GET", path, nil)), "Serves(%s)", path)
		}
	})

	t.Run("CORS", func(t *testing.T) {
		// The assistant and MCP answer a page of an allowed origin as the API does.
		const origin = "https://todo.example.com"
		f, token := mustStart(t, map[string]string{"CORS_ALLOWED_ORIGINS": origin})
		for _, path := range []string{"/v1/chat", "/api/u/chat", "/mcp"} {
			req := httptest.NewRequest("OPTIONS", path, nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			w := httptest.NewRecorder()
			f.Handle(w, req)
			assert.Equal(t, http.StatusNoContent, w.Code, path)
			assert.Equal(t, origin, w.Header().Get("Access-Control-Allow-Origin"), path)
		}
		req := httptest.NewRequest("GET", "/v1/conversations", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Origin", origin)
		w := httptest.NewRecorder()
		f.Handle(w, req)
		assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, origin, w.Header().Get("Access-Control-Allow-Origin"))
	})

	t.Run("NoAPIKey", func(t *testing.T) {
		f, token := mustStart(t, nil)
		w := post(f, token, "/v1/chat", `{"message":"hi"}`)
		assert.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
		assert.Contains(t, w.Body.String(), "OPENAI_API_KEY")
		req := httptest.NewRequest("GET", "/v1/conversations", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		f.Handle(rec, req)
		assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	})
}

// TestFunction_BadSink checks that a malformed K_SINK or K_CE_OVERRIDES stops the start
// before the database opens. Until 2026-12-06 they were read after the database had
// opened (and migrated).
func TestFunction_BadSink(t *testing.T) {
	apptest.MustRefuseSettings(t, func() apptest.Starter { return function.New() },
		map[string]string{"K_SINK": "http://broker.example.com"}, apptest.BadSink)
}
