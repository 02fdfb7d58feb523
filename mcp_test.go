package function_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskmcp"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// bearerTransport adds a bearer token to every request.
type bearerTransport string

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// TestFunctionMCP checks that the whole app serves the task tools over MCP at /mcp,
// behind the API's bearer token.
func TestFunctionMCP(t *testing.T) {
	dir := t.TempDir()
	f := function.New()
	require.NoError(t, f.Start(context.Background(), map[string]string{
		"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": dir,
	}))
	t.Cleanup(func() { _ = f.Stop(context.Background()) })
	srv := httptest.NewServer(http.HandlerFunc(f.Handle))
	t.Cleanup(srv.Close)

	t.Run("ErrNoToken", func(t *testing.T) {
		resp, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{}`))
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Equal(t, problem.ContentType, resp.Header.Get("Content-Type"))
	})

	t.Run("Metadata", func(t *testing.T) { // routed to MCP, not to the web page
		resp, err := http.Get(srv.URL + taskmcp.MetadataPath)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no authorization server with the development issuer")
		assert.Equal(t, problem.ContentType, resp.Header.Get("Content-Type"))
	})

	t.Run("OK", func(t *testing.T) {
		issuer, err := auth.LoadDevIssuer(dir)
		require.NoError(t, err)
		token, err := issuer.Mint("whole-app-mcp", time.Minute)
		require.NoError(t, err)
		client := mcp.NewClient(&mcp.Implementation{Name: "function-test", Version: "1"}, nil)
		cs, err := client.Connect(context.Background(), &mcp.StreamableClientTransport{
			Endpoint: srv.URL + "/mcp", HTTPClient: &http.Client{Transport: bearerTransport(token)}, MaxRetries: -1,
		}, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = cs.Close() })

		tools, err := cs.ListTools(context.Background(), nil)
		require.NoError(t, err)
		var names []string
		for _, tool := range tools.Tools {
			names = append(names, tool.Name)
		}
		for _, name := range []string{"add_task", "list_notifications", "snooze_reminder"} {
			assert.Contains(t, names, name)
		}

		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{
			Name: "add_task", Arguments: map[string]any{"title": "Said over MCP"},
		})
		require.NoError(t, err)
		require.False(t, res.IsError)
		var task taskwire.Task
		require.NoError(t, json.Unmarshal([]byte(res.Content[0].(*mcp.TextContent).Text), &task))

		// The REST API of the same app sees the task the tool made.
		req := httptest.NewRequest(http.MethodGet, "/v1/tasks/"+task.ID.String(), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		f.Handle(w, req)
		assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Contains(t, w.Body.String(), "Said over MCP")
	})
}
