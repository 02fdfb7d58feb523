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
	function "github.com/taskwire/taskwire/functions/recurrence"
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

		e := taskEvent(t, events.TypeTaskCompleted, "someone", &taskwire.Task{ID: uuid.New()})
		reply, err := f.HandleEvent(context.Background(), e)
		assert.Equal(t, taskwire.EUNAVAILABLE, taskwire.ErrorCode(err), "got %v, want %s", err, taskwire.EUNAVAILABLE)
		assert.Nil(t, reply)
	})

	t.Run("OK", func(t *testing.T) {
		db := postgrestest.MustOpenDB(t)
		f := function.New()
		require.NoError(t, f.Start(context.Background(), map[string]string{
			"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": t.TempDir(),
		}))
		t.Cleanup(func() { _ = f.Stop(context.Background()) })
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.True(t, ready)
		user, done := mustCompleteRecurring(t, db)

		reply, err := f.HandleEvent(context.Background(), taskEvent(t, events.TypeTaskCompleted, user, done))
		require.NoError(t, err)
		assert.Nil(t, reply, "got a reply event, want none")

		next := mustFindTask(t, db, user, "2")
		want := done.DueAt.AddDate(0, 0, 7)
		assert.True(t, want.Equal(*next.DueAt), "got the next occurrence due %v, want %v", next.DueAt, want)
		assert.Equal(t, done.SeriesID, next.SeriesID)
		assert.Equal(t, taskwire.StatusOpen, next.Status)
	})

	t.Run("SharedDB", func(t *testing.T) {
		db := postgrestest.MustOpenDB(t)
		f := function.NewWithDB(db)
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.True(t, ready, "a function on the bundle's pool is ready at once")
		require.NoError(t, f.Start(context.Background(), nil))
		user, done := mustCompleteRecurring(t, db)
		e := taskEvent(t, events.TypeTaskCompleted, user, done)

		for range 2 {
			reply, err := f.HandleEvent(context.Background(), e)
			require.NoError(t, err)
			assert.Nil(t, reply)
		}
		assert.Equal(t, 2, countTasks(t, db, user), "got %d tasks, want the completed one and its next", countTasks(t, db, user))

		// Stop leaves the shared pool open for its owner.
		require.NoError(t, f.Stop(context.Background()))
		require.NoError(t, db.Pool.Ping(context.Background()), "got the shared pool closed by Stop")
	})

	t.Run("OtherTypeIgnored", func(t *testing.T) {
		db := postgrestest.MustOpenDB(t)
		f := function.NewWithDB(db)
		require.NoError(t, f.Start(context.Background(), nil))
		user, done := mustCompleteRecurring(t, db)

		for _, typ := range []string{events.TypeTaskCreated, events.TypeTaskUpdated, events.TypeTaskReopened, events.TypeReminderDue} {
			reply, err := f.HandleEvent(context.Background(), taskEvent(t, typ, user, done))
			require.NoError(t, err, "type %s", typ)
			assert.Nil(t, reply, "type %s", typ)
		}
		assert.Equal(t, 1, countTasks(t, db, user), "got %d tasks, want only the completed one", countTasks(t, db, user))
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		f := function.NewWithDB(postgrestest.MustOpenDB(t))
		require.NoError(t, f.Start(context.Background(), nil))
		e := event.New()
		e.SetID(uuid.NewString())
		e.SetSource(events.SourceTasks)
		e.SetType(events.TypeTaskCompleted)
		require.NoError(t, e.SetData(event.ApplicationJSON, []byte(`{"task":null}`)))

		reply, err := f.HandleEvent(context.Background(), e)
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err), "got %v, want %s", err, taskwire.EINVALID)
		assert.Nil(t, reply)
	})
}

// mustCompleteRecurring creates a new user with a weekly task due at 09:00 in New York,
// completes it, and returns the user and the completed task.
func mustCompleteRecurring(tb testing.TB, db *postgres.DB) (string, *taskwire.Task) {
	tb.Helper()
	user := "user-" + uuid.NewString()
	ctx := taskwire.NewContextWithUser(context.Background(), user)
	require.NoError(tb, postgres.NewUserService(db).EnsureUser(ctx, user, time.Time{}))
	tb.Cleanup(func() {
		_, err := db.Pool.Exec(context.Background(), `DELETE FROM outbox WHERE user_id = $1`, user)
		assert.NoError(tb, err)
		_, err = db.Pool.Exec(context.Background(), `DELETE FROM users WHERE id = $1`, user)
		assert.NoError(tb, err)
	})
	// Due a week ahead, so the next occurrence lies ahead of the real clock too.
	due := time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, 7).Format(time.RFC3339)
	rule := "FREQ=WEEKLY"
	fields, err := taskwire.NewTask{Title: "Take out the bins", DueAt: &due, TimeZone: "UTC", Recurrence: &rule}.Fields()
	require.NoError(tb, err)
	tasks := postgres.NewTaskService(db)
	task, _, err := tasks.CreateTask(ctx, fields, taskwire.IdempotencyKey{})
	require.NoError(tb, err)
	done, err := tasks.SetStatus(ctx, task.ID.String(), "", taskwire.StatusCompleted)
	require.NoError(tb, err)
	return user, done
}

// taskEvent builds a task event of type typ about task, owned by user.
func taskEvent(tb testing.TB, typ, user string, task *taskwire.Task) event.Event {
	tb.Helper()
	e, err := events.NewTaskEvent(typ, user, task, nil, time.Now())
	require.NoError(tb, err)
	return e
}

func mustFindTask(tb testing.TB, db *postgres.DB, user, ref string) *taskwire.Task {
	tb.Helper()
	task, err := postgres.NewTaskService(db).FindTask(taskwire.NewContextWithUser(context.Background(), user), ref)
	require.NoError(tb, err, "find task %s", ref)
	return task
}

func countTasks(tb testing.TB, db *postgres.DB, user string) int {
	tb.Helper()
	var n int
	require.NoError(tb, db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM tasks WHERE user_id = $1`, user).Scan(&n))
	return n
}

// TestFunction_BadSink checks that a malformed K_SINK or K_CE_OVERRIDES stops the start
// before the database opens. Until 2026-12-06 they were read after the database had
// opened (and migrated).
func TestFunction_BadSink(t *testing.T) {
	apptest.MustRefuseSettings(t, func() apptest.Starter { return function.New() },
		map[string]string{"K_SINK": "http://broker.example.com"}, apptest.BadSink)
}
