package function_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire/functions/recurrence"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// audience is the recurrence Service's OIDC audience, as Knative gives it.
const audience = "serving.knative.dev/service/default/recurrence"

func TestFunction_Handle(t *testing.T) {
	t.Run("NotStarted", func(t *testing.T) {
		w := MustDeliver(t, function.New(), "", `{}`)
		assert.Equal(t, http.StatusServiceUnavailable, w.Code, "got %d, want 503 before Start", w.Code)
	})

	t.Run("Token", func(t *testing.T) {
		iss := MustServeIssuer(t)
		db := postgrestest.MustOpenDB(t)
		f := MustStart(t, map[string]string{"EVENTS_OIDC_ISSUER": iss.URL(), "EVENTS_OIDC_AUDIENCE": audience})
		user, done := mustCompleteRecurring(t, db)
		body := mustStructured(t, taskEvent(t, events.TypeTaskCompleted, user, done))

		w := MustDeliver(t, f, "", body)
		assert.Equal(t, http.StatusUnauthorized, w.Code, "no token: got %d, want 401", w.Code)
		assert.True(t, strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer"), "got WWW-Authenticate %q, want a Bearer challenge", w.Header().Get("WWW-Authenticate"))
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
		assert.Equal(t, 1, countTasks(t, db, user), "a refused delivery must not create the next occurrence")

		tok, err := iss.Mint("system:serviceaccount:knative-eventing:trigger", audience, time.Minute)
		require.NoError(t, err)
		w = MustDeliver(t, f, "Bearer "+tok, body)
		assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		next := mustFindTask(t, db, user, "2")
		assert.True(t, done.DueAt.AddDate(0, 0, 7).Equal(*next.DueAt), "got the next occurrence due %v, want a week after %v", next.DueAt, done.DueAt)
	})

	t.Run("NoIssuer", func(t *testing.T) {
		db := postgrestest.MustOpenDB(t)
		f := MustStart(t, nil)
		user, done := mustCompleteRecurring(t, db)

		w := MustDeliver(t, f, "", mustStructured(t, taskEvent(t, events.TypeTaskCompleted, user, done)))
		assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		assert.Equal(t, 2, countTasks(t, db, user), "got %d tasks, want the completed one and its next", countTasks(t, db, user))
	})

	t.Run("ErrNotAnEvent", func(t *testing.T) {
		w := MustDeliver(t, MustStart(t, nil), "", `{"hello":"world"}`)
		assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	})
}

// MustStart starts the recurrence function on the test database with cfg added to its
// environment, and stops it at cleanup.
func MustStart(tb testing.TB, cfg map[string]string) *function.Function {
	tb.Helper()
	env := map[string]string{"DATABASE_URL": postgrestest.URL(tb), "TASKWIRE_DATA_DIR": tb.TempDir()}
	maps.Copy(env, cfg)
	f := function.New()
	require.NoError(tb, f.Start(context.Background(), env))
	tb.Cleanup(func() { _ = f.Stop(context.Background()) })
	return f
}

// MustServeIssuer serves a local OpenID Connect issuer on a loopback port and returns it.
func MustServeIssuer(tb testing.TB) *auth.Issuer {
	tb.Helper()
	var iss atomic.Pointer[auth.Issuer]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { iss.Load().ServeHTTP(w, r) }))
	tb.Cleanup(srv.Close)
	i, err := auth.NewIssuer(srv.URL)
	require.NoError(tb, err)
	iss.Store(i)
	return i
}

// MustDeliver posts body as a structured-mode CloudEvent to f.Handle, with the
// Authorization header authorization (none when empty), and returns the response.
func MustDeliver(tb testing.TB, f *function.Function, authorization, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	f.Handle(w, req)
	return w
}

// mustStructured returns e in structured mode.
func mustStructured(tb testing.TB, e event.Event) string {
	tb.Helper()
	b, err := json.Marshal(e)
	require.NoError(tb, err)
	return string(b)
}
