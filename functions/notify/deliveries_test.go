package function_test

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire/functions/notify"
	"github.com/taskwire/taskwire/shared/host/hosttest"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// audience is the notify Service's OIDC audience, as Knative gives it.
const audience = "serving.knative.dev/service/default/notify"

func TestFunction_Handle(t *testing.T) {
	t.Run("NotStarted", func(t *testing.T) {
		e, _ := newReminderEvent(t, postgrestest.MustOpenDB(t), "user-"+uuid.NewString())
		w := hosttest.MustDeliver(t, http.HandlerFunc(function.New().Handle), "", hosttest.MustStructured(t, e))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code, "got %d, want 503 before Start", w.Code)
	})

	t.Run("Token", func(t *testing.T) {
		iss := hosttest.MustServeIssuer(t)
		db := postgrestest.MustOpenDB(t)
		f := MustStart(t, map[string]string{"EVENTS_OIDC_ISSUER": iss.URL(), "EVENTS_OIDC_AUDIENCE": audience})
		user := mustNewUser(t, db, "", "")
		e, reminder := newReminderEvent(t, db, user.ID)
		body := hosttest.MustStructured(t, e)

		w := hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "", body)
		assert.Equal(t, http.StatusUnauthorized, w.Code, "no token: got %d, want 401", w.Code)
		assert.True(t, strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer"), "got WWW-Authenticate %q, want a Bearer challenge", w.Header().Get("WWW-Authenticate"))
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
		assert.Empty(t, mustFindNotifications(t, db, user.ID), "a refused delivery must not notify")

		tok, err := iss.Mint("system:serviceaccount:knative-eventing:trigger", audience, time.Minute)
		require.NoError(t, err)
		w = hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "Bearer "+tok, body)
		assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		list := mustFindNotifications(t, db, user.ID)
		require.Len(t, list, 1)
		assert.Equal(t, reminder, list[0].ReminderID)
	})

	t.Run("NoIssuer", func(t *testing.T) {
		db := postgrestest.MustOpenDB(t)
		f := MustStart(t, nil)
		user := mustNewUser(t, db, "", "")
		e, _ := newReminderEvent(t, db, user.ID)

		w := hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "", hosttest.MustStructured(t, e))
		assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		assert.Len(t, mustFindNotifications(t, db, user.ID), 1)
	})

	t.Run("ErrNotAnEvent", func(t *testing.T) {
		w := hosttest.MustDeliver(t, http.HandlerFunc(MustStart(t, nil).Handle), "", `{"hello":"world"}`)
		assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	})
}

// MustStart starts the notify function on the test database with cfg added to its
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
