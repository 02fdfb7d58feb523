package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A bulk action writes for each task what the request for it alone writes: a version and
// its event, none for a task it leaves as it is; deleted tasks go into the trash with
// their task.deleted; and reopening occurrences of a series withdraws the next ones their
// completion made, as a single reopen does.
func TestTaskService_BulkTasks(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	svc, rec := postgres.NewTaskService(db), postgres.NewRecurrenceService(db)
	a := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "a"})
	b := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "b"})
	series := MustCreateRecurring(t, ctx, svc, "FREQ=DAILY", "")
	MustComplete(t, ctx, svc, b.ID)
	before := MustCountOutbox(t, db, user)

	done, err := svc.BulkTasks(ctx, taskwire.Bulk{Tasks: []string{"1", "2", series.ID.String()}, Action: taskwire.BulkComplete})
	require.NoError(t, err)
	require.Len(t, done, 3)
	assert.Equal(t, a.Version+1, done[0].Version)
	assert.Equal(t, MustFindTask(t, ctx, svc, "2").Version, done[1].Version, "b was completed already: left as it was")
	assert.Equal(t, before+2, MustCountOutbox(t, db, user), "an event for each task changed")
	for _, task := range []*taskwire.Task{done[0], done[2]} {
		e := MustTaskEvent(t, db, user, events.TypeTaskCompleted, task.ID)
		var data events.TaskData
		require.NoError(t, e.DataAs(&data))
		assert.Equal(t, task.Version, data.Task.Version)
	}
	next := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, series.ID))

	_, err = svc.BulkTasks(ctx, taskwire.Bulk{Tasks: []string{series.ID.String(), "1"}, Action: taskwire.BulkReopen})
	require.NoError(t, err)
	_, err = svc.FindTask(ctx, next.ID.String())
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "the next occurrence withdrawn")
	MustTaskEvent(t, db, user, events.TypeTaskDeleted, next.ID)

	gone, err := svc.BulkTasks(ctx, taskwire.Bulk{Tasks: []string{"1", "2"}, Action: taskwire.BulkDelete})
	require.NoError(t, err)
	require.Len(t, gone, 2)
	for _, task := range gone {
		MustTaskEvent(t, db, user, events.TypeTaskDeleted, task.ID)
	}
	trash, err := svc.Trash(ctx, taskwire.MaxLimit, nil)
	require.NoError(t, err)
	assert.Len(t, trash.Items, 2)
	assert.Equal(t, "recurring", MustOrder(t, ctx, svc, "all"))

	// Back from the trash together, or, when one of them cannot come back, none.
	_, err = svc.BulkTasks(ctx, taskwire.Bulk{Tasks: []string{"1", "2", "99"}, Action: taskwire.BulkRestore})
	assert.Equal(t, "tasks[2]", taskwire.ErrorField(err), "%v", err)
	assert.Equal(t, "recurring", MustOrder(t, ctx, svc, "all"), "none back")
	back, err := svc.BulkTasks(ctx, taskwire.Bulk{Tasks: []string{"2", "1"}, Action: taskwire.BulkRestore})
	require.NoError(t, err)
	require.Len(t, back, 2)
	assert.Equal(t, "b", back[0].Title)
	for _, task := range back {
		MustTaskEvent(t, db, user, events.TypeTaskCreated, task.ID)
	}
	assert.Equal(t, "a b recurring", MustOrder(t, ctx, svc, "all"), "each in its place")
}

// MustCountOutbox returns how many events of user the outbox holds.
func MustCountOutbox(tb testing.TB, db *postgres.DB, user string) int {
	tb.Helper()
	var n int
	err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE user_id = $1`, user).Scan(&n)
	require.NoError(tb, err)
	return n
}
