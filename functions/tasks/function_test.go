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
	function "github.com/taskwire/taskwire/functions/tasks"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

func TestFunction(t *testing.T) {
	t.Run("NotStarted", func(t *testing.T) {
		f := function.New()
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.False(t, ready)

		w := httptest.NewRecorder()
		f.Handle(w, httptest.NewRequest("GET", "/v1/tasks", nil))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	})

	t.Run("OK", func(t *testing.T) {
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
		token, err := issuer.Mint("function-test", time.Minute)
		require.NoError(t, err)

		req := httptest.NewRequest("POST", "/v1/tasks", strings.NewReader(`{"title":"Water the plants"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		f.Handle(w, req)
		assert.Equal(t, http.StatusCreated, w.Code, w.Body.String())
		assert.Contains(t, w.Body.String(), `"title":"Water the plants"`)
	})
}
