package function_test

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire/functions/recurrence"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/host/hosttest"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// audience is the recurrence Service's OIDC audience, as Knative gives it.
const audience = "serving.knative.dev/service/default/recurrence"

func TestFunction_Handle(t *testing.T) {
	t.Run("NotStarted", func(t *testing.T) {
		w := hosttest.MustDeliver(t, http.HandlerFunc(function.New().Handle), "", `{}`)
		assert.Equal(t, http.StatusServiceUnavailable, w.Code, "got %d, want 503 before Start", w.Code)
	})

	t.Run("Token", func(t *testing.T) {
		iss := hosttest.MustServeIssuer(t)
		db := postgrestest.MustOpenDB(t)
		f := MustStart(t, map[string]string{"EVENTS_OIDC_ISSUER": iss.URL(), "EVENTS_OIDC_AUDIENCE": audience})
		user, done := mustCompleteRecurring(t, db)
		body := hosttest.MustStructured(t, taskEvent(t, events.TypeTaskCompleted, user, done))

		w := hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "", body)
		assert.Equal(t, http.StatusUnauthorized, w.Code, "no token: got %d, want 401", w.Code)
		assert.True(t, strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer"), "got WWW-Authenticate %q, want a Bearer challenge", w.Header().Get("WWW-Authenticate"))
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
		assert.Equal(t, 1, countTasks(t, db, user), "a refused delivery must not create the next occurrence")

		tok, err := iss.Mint("system:serviceaccount:knative-eventing:trigger", audience, time.Minute)
		require.NoError(t, err)
		w = hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "Bearer "+tok, body)
		assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		next := mustFindTask(t, db, user, "2")
		assert.True(t, done.DueAt.AddDate(0, 0, 7).Equal(*next.DueAt), "got the next occurrence due %v, want a week after %v", next.DueAt, done.DueAt)
	})

	t.Run("NoIssuer", func(t *testing.T) {
		db := postgrestest.MustOpenDB(t)
		f := MustStart(t, nil)
		user, done := mustCompleteRecurring(t, db)

		w := hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "", hosttest.MustStructured(t, taskEvent(t, events.TypeTaskCompleted, user, done)))
		assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		assert.Equal(t, 2, countTasks(t, db, user), "got %d tasks, want the completed one and its next", countTasks(t, db, user))
	})

	t.Run("ErrNotAnEvent", func(t *testing.T) {
		w := hosttest.MustDeliver(t, http.HandlerFunc(MustStart(t, nil).Handle), "", `{"hello":"world"}`)
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
