package function_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire/functions/reminders"
	"github.com/taskwire/taskwire/shared/app/apptest"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

func TestFunction(t *testing.T) {
	t.Run("NotStarted", func(t *testing.T) {
		f := function.New()
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.False(t, ready)

		_, err = f.HandleEvent(context.Background(), NewPing())
		assert.Equal(t, taskwire.EUNAVAILABLE, taskwire.ErrorCode(err), "got %v, want unavailable", err)
	})

	t.Run("OK", func(t *testing.T) {
		f := function.New()
		require.NoError(t, f.Start(context.Background(), map[string]string{
			"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": t.TempDir(),
		}))
		t.Cleanup(func() { _ = f.Stop(context.Background()) })
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.True(t, ready)
		at := MustCreateRemindedTask(t, postgrestest.MustOpenDB(t), time.Now().Add(200*time.Millisecond))

		reply, err := f.HandleEvent(context.Background(), NewPing())
		require.NoError(t, err)
		assert.Nil(t, reply, "got a follow-up tick, want none: nothing else is due")
		fired := MustFindFiring(t, at)
		t.Logf("reminder fired %v late", fired.Sub(at))
		assert.WithinRange(t, fired, at, at.Add(500*time.Millisecond))
	})

	t.Run("NewWithDB", func(t *testing.T) {
		f := function.NewWithDB(postgrestest.MustOpenDB(t))
		require.NoError(t, f.Start(context.Background(), nil))
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.True(t, ready)
		at := MustCreateRemindedTask(t, postgrestest.MustOpenDB(t), time.Now().Add(100*time.Millisecond))

		reply, err := f.HandleEvent(context.Background(), NewPing())
		require.NoError(t, err)
		assert.Nil(t, reply)
		MustFindFiring(t, at)
		require.NoError(t, f.Stop(context.Background()))
		assert.NoError(t, postgrestest.MustOpenDB(t).Pool.Ping(context.Background()), "got the shared pool closed, want it left open")
	})
}

// NewPing returns a PingSource tick as the broker delivers it.
func NewPing() event.Event {
	e := event.New()
	e.SetID(uuid.NewString())
	e.SetSource("/apis/v1/namespaces/taskwire/pingsources/reminders")
	e.SetType(events.TypePing)
	e.SetTime(time.Now())
	return e
}

// MustCreateRemindedTask creates a task of a new user with a reminder at at, and returns
// at as stored.
func MustCreateRemindedTask(tb testing.TB, db *postgres.DB, at time.Time) time.Time {
	tb.Helper()
	id := "user-" + uuid.NewString()
	ctx := taskwire.NewContextWithUser(context.Background(), id)
	require.NoError(tb, postgres.NewUserService(db).EnsureUser(ctx, id, time.Time{}))
	tb.Cleanup(func() {
		_, err := db.Pool.Exec(context.Background(), `DELETE FROM outbox WHERE user_id = $1`, id)
		assert.NoError(tb, err)
		_, err = db.Pool.Exec(context.Background(), `DELETE FROM users WHERE id = $1`, id)
		assert.NoError(tb, err)
	})
	s := at.Format(time.RFC3339Nano)
	f, err := taskwire.NewTask{Title: "remind me", Reminders: []taskwire.ReminderInput{{At: &s}}}.Fields()
	require.NoError(tb, err)
	task, _, err := postgres.NewTaskService(db).CreateTask(ctx, f, taskwire.IdempotencyKey{})
	require.NoError(tb, err)
	return *task.Reminders[0].FireAt
}

// MustFindFiring returns when the reminder due at at fired: its reminder.due event's time.
func MustFindFiring(tb testing.TB, at time.Time) time.Time {
	tb.Helper()
	var fired time.Time
	err := postgrestest.MustOpenDB(tb).Pool.QueryRow(context.Background(), `
		SELECT time FROM outbox WHERE type = $1 AND (data->>'remind_at')::timestamptz = $2`,
		events.TypeReminderDue, at).Scan(&fired)
	require.NoError(tb, err, "got no reminder.due event for the reminder due at %v", at)
	return fired.UTC()
}

// TestFunction_BadSink checks that a malformed K_SINK or K_CE_OVERRIDES stops the start
// before the database opens. Until 2026-12-06 they were read after the database had
// opened (and migrated).
func TestFunction_BadSink(t *testing.T) {
	apptest.MustRefuseSettings(t, func() apptest.Starter { return function.New() },
		map[string]string{"K_SINK": "http://broker.example.com"}, apptest.BadSink)
}
