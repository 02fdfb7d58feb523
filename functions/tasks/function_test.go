package function_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire/functions/tasks"
	"github.com/taskwire/taskwire/shared/app/apptest"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/host"
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

// A page of an origin CORS_ALLOWED_ORIGINS names can call the API from a browser, as the
// hackathon clients' pages do: its preflight is answered, and so is its request, with
// the headers that let it read the answer. A list that names no origin stops the start.
func TestFunction_CORS(t *testing.T) {
	const origin = "http://localhost:3000"
	dir := t.TempDir()
	f := function.New()
	require.NoError(t, f.Start(context.Background(), map[string]string{
		"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": dir, "CORS_ALLOWED_ORIGINS": origin,
	}))
	t.Cleanup(func() { _ = f.Stop(context.Background()) })
	issuer, err := auth.LoadDevIssuer(dir)
	require.NoError(t, err)
	token, err := issuer.Mint("cors-user", time.Minute)
	require.NoError(t, err)

	req := httptest.NewRequest("OPTIONS", "/api/cors-user/tasks", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	w := httptest.NewRecorder()
	f.Handle(w, req)
	assert.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	assert.Equal(t, origin, w.Header().Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "authorization,content-type", w.Header().Get("Access-Control-Allow-Headers"))

	req = httptest.NewRequest("POST", "/api/cors-user/tasks", strings.NewReader(`{"title":"Water the plants"}`))
	req.Header.Set("Origin", origin)
	req.Header.Set("Authorization", "Bearer "+token)
	w = httptest.NewRecorder()
	f.Handle(w, req)
	assert.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Equal(t, origin, w.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, w.Header().Get("Access-Control-Expose-Headers"), "Location")

	err = function.New().Start(context.Background(), map[string]string{
		"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": t.TempDir(), "CORS_ALLOWED_ORIGINS": "localhost:3000",
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `CORS_ALLOWED_ORIGINS: "localhost:3000" is not an origin`)
}

// A shutdown ends the open live streams at once, rather than waiting for them to the
// drain's timeout: a stream never finishes on its own.
func TestServe_ShutdownEndsLiveStreams(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() {
		served <- host.Serve(ctx, function.New(), host.Options{Listener: ln, DrainTimeout: 10 * time.Second,
			Env: map[string]string{"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": dir}})
	}()
	base := "http://" + ln.Addr().String()
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/health/readiness")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond)

	issuer, err := auth.LoadDevIssuer(dir)
	require.NoError(t, err)
	token, err := issuer.Mint("stream-test", time.Minute)
	require.NoError(t, err)
	req, err := http.NewRequest("GET", base+"/v1/stream", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	begun := time.Now()
	stop()
	select {
	case err := <-served:
		require.NoError(t, err, "the drain must not time out")
		assert.Less(t, time.Since(begun), 5*time.Second)
	case <-time.After(9 * time.Second):
		t.Fatal("the shutdown waited for the live stream")
	}
	_, err = io.Copy(io.Discard, res.Body)
	assert.NoError(t, err, "the stream ended as a response ends")
}

// TestFunction_BadSink checks that a malformed K_SINK or K_CE_OVERRIDES stops the start
// before the database opens. Until 2026-12-06 they were read after the database had
// opened (and migrated).
func TestFunction_BadSink(t *testing.T) {
	apptest.MustRefuseSettings(t, func() apptest.Starter { return function.New() },
		map[string]string{"K_SINK": "http://broker.example.com"}, apptest.BadSink)
}
