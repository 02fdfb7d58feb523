package function_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/chat/openaitest"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// TestFunction_Chat checks that the whole app serves the assistant beside the tasks API:
// a task the assistant adds is the API's task.
func TestFunction_Chat(t *testing.T) {
	model := openaitest.New(t)
	model.Push(openaitest.Call("add_task", `{"title": "Ask the assistant"}`), openaitest.Text("Added task 1."))
	dir := t.TempDir()
	f := function.New()
	require.NoError(t, f.Start(context.Background(), map[string]string{
		"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": dir,
		"OPENAI_API_KEY": "test", "OPENAI_BASE_URL": model.BaseURL(),
	}))
	t.Cleanup(func() { _ = f.Stop(context.Background()) })
	issuer, err := auth.LoadDevIssuer(dir)
	require.NoError(t, err)
	token, err := issuer.Mint("whole-app-chat", time.Minute)
	require.NoError(t, err)
	do := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		f.Handle(w, req)
		return w
	}

	w := do("POST", "/api/whole-app-chat/chat", `{"message": "add a task to ask the assistant"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"response":"Added task 1."`)
	w = do("GET", "/v1/tasks/1", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"title":"Ask the assistant"`)
	w = do("GET", "/v1/conversations", "")
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"title":"add a task to ask the assistant"`)
}
