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
