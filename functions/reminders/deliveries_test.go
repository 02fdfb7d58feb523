package function_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire/functions/reminders"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/host/hosttest"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// audience is the reminders Service's OIDC audience, as Knative gives it.
const audience = "serving.knative.dev/service/default/reminders"

func TestFunction_Handle(t *testing.T) {
	t.Run("NotStarted", func(t *testing.T) {
		w := hosttest.MustDeliver(t, http.HandlerFunc(function.New().Handle), "", MustPing(t))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code, "got %d, want 503 before Start", w.Code)
	})

	t.Run("Token", func(t *testing.T) {
		iss := hosttest.MustServeIssuer(t)
		f := MustStart(t, map[string]string{"EVENTS_OIDC_ISSUER": iss.URL(), "EVENTS_OIDC_AUDIENCE": audience})
		at := MustCreateRemindedTask(t, postgrestest.MustOpenDB(t), time.Now().Add(50*time.Millisecond))

		w := hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "", MustPing(t))
		assert.Equal(t, http.StatusUnauthorized, w.Code, "no token: got %d, want 401", w.Code)
		assert.True(t, strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer"), "got WWW-Authenticate %q, want a Bearer challenge", w.Header().Get("WWW-Authenticate"))
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
		time.Sleep(time.Until(at) + 50*time.Millisecond)
		assert.Zero(t, countFirings(t, at), "a refused delivery must not fire the reminder")

		tok, err := iss.Mint("system:serviceaccount:knative-eventing:trigger", audience, time.Minute)
		require.NoError(t, err)
		w = hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "Bearer "+tok, MustPing(t))
		assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		MustFindFiring(t, at)
	})

	t.Run("NoIssuer", func(t *testing.T) {
		f := MustStart(t, nil)
		at := MustCreateRemindedTask(t, postgrestest.MustOpenDB(t), time.Now().Add(50*time.Millisecond))

		w := hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "", MustPing(t))
		assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		MustFindFiring(t, at)
	})

	t.Run("ErrNotAnEvent", func(t *testing.T) {
		w := hosttest.MustDeliver(t, http.HandlerFunc(MustStart(t, nil).Handle), "", `{"hello":"world"}`)
		assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	})
}

// MustStart starts the reminders function on the test database with cfg added to its
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

// MustPing returns a PingSource tick in structured mode.
func MustPing(tb testing.TB) string {
	tb.Helper()
	b, err := json.Marshal(NewPing())
	require.NoError(tb, err)
	return string(b)
}

// countFirings returns how many reminder.due events the reminder due at at has.
func countFirings(tb testing.TB, at time.Time) int {
	tb.Helper()
	var n int
	require.NoError(tb, postgrestest.MustOpenDB(tb).Pool.QueryRow(context.Background(), `
		SELECT count(*) FROM outbox WHERE type = $1 AND (data->>'remind_at')::timestamptz = $2`,
		events.TypeReminderDue, at).Scan(&n))
	return n
}
