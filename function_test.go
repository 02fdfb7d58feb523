package function_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire"
	"github.com/taskwire/taskwire/shared/app/apptest"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// TestFunction checks that the whole app serves the tasks API under its own paths.
func TestFunction(t *testing.T) {
	dir := t.TempDir()
	f := function.New()
	require.NoError(t, f.Start(context.Background(), map[string]string{
		"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": dir,
	}))
	t.Cleanup(func() { _ = f.Stop(context.Background()) })
	ready, err := f.Ready(context.Background())
	require.NoError(t, err)
	assert.True(t, ready)

	issuer, err := auth.LoadDevIssuer(dir)
	require.NoError(t, err)
	token, err := issuer.Mint("whole-app", time.Minute)
	require.NoError(t, err)

	for _, path := range []string{"/v1/tasks", "/api/whole-app/tasks", "/v1/me"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		f.Handle(w, req)
		assert.Equal(t, http.StatusOK, w.Code, "GET %s: %s", path, w.Body.String())
	}
}

// TestFunction_BadSetting checks that the whole app refuses to start with a malformed
// setting of the assistant, of notify or of the broker it relays to, as their functions
// do, and before it opens the database. Until 2026-12-06 notify's settings and K_SINK
// were read after the database, the migrations and the local broker had started.
func TestFunction_BadSetting(t *testing.T) {
	newApp := func() apptest.Starter { return function.New() }
	apptest.MustRefuseSettings(t, newApp, map[string]string{"SMTP_URL": "smtp://mail.example.com"}, map[string]string{
		"CHAT_DAILY_MESSAGES": "-1", "SMTP_URL": "http://mail.example.com", "NOTIFY_FROM": "not an address",
		"NOTIFY_ALLOW_PRIVATE": "maybe",
	})
	apptest.MustRefuseSettings(t, newApp, map[string]string{"K_SINK": "http://broker.example.com"}, apptest.BadSink)
}

// TestFunction_CORS checks that the whole app lets a page of an allowed origin call
// every part of its API, the tasks API, the assistant and MCP, and not the web page's
// own paths, which no other origin needs.
func TestFunction_CORS(t *testing.T) {
	const origin = "https://todo.example.com"
	base := MustStartApp(t, map[string]string{"CORS_ALLOWED_ORIGINS": origin})
	for path, want := range map[string]string{
		"/v1/tasks": origin, "/api/u/tasks/1/complete": origin, "/v1/chat": origin, "/v1/conversations/x": origin,
		"/mcp": origin, "/": "",
	} {
		req, err := http.NewRequest("OPTIONS", base+path, nil)
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "PATCH")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.Header.Get("Access-Control-Allow-Origin"), "OPTIONS %s", path)
		if want != "" {
			assert.Equal(t, http.StatusNoContent, resp.StatusCode, "OPTIONS %s", path)
		}
	}
}
