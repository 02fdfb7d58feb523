package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// The statistics count each completed task on the day of the user's zone it was
// completed on (half past midnight in Berlin is the next day, though not in UTC), against
// the user's daily goal; a reopened task, another user's tasks and days beyond the window
// count for nothing there, while the longest streak reads the whole history.
func TestUserService_Stats(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, _ := MustNewUser(t, db)
	otherCtx, _ := MustNewUser(t, db)
	tasks, users := postgres.NewTaskService(db), postgres.NewUserService(db)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "Europe/Berlin", "daily_goal": 2}`))
	require.NoError(t, err)
	me, err := users.FindMe(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, me.DailyGoal)

	for _, at := range []string{
		"2026-11-01T10:00:00Z", "2026-11-01T11:00:00Z", // 1, 2 and 3 November: a streak of three
		"2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z",
		"2026-11-03T10:00:00Z", "2026-11-03T11:00:00Z",
		"2026-12-01T22:30:00Z", "2026-12-01T10:00:00Z", // 1 December (23:30 in Berlin)
		"2026-12-01T23:30:00Z", "2026-12-02T20:00:00Z", // 2 December (00:30 in Berlin)
		"2026-12-03T10:00:00Z",                         // 3 December: one, short of the goal
		"2026-12-04T08:00:00Z", "2026-12-04T09:00:00Z", // today
	} {
		MustCompleteAt(t, ctx, db, tasks, at)
	}
	reopened := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "done, then not"})
	MustComplete(t, ctx, tasks, reopened.ID)
	MustSetStatus(t, ctx, tasks, reopened.ID, taskwire.StatusOpen)
	past := "2026-12-03T00:00:00Z"
	MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "overdue", DueAt: &past})
	for range 3 {
		MustCompleteAt(t, otherCtx, db, tasks, "2026-12-04T09:00:00Z")
	}

	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	st, err := users.Stats(ctx, 7, now)
	require.NoError(t, err)
	assert.Equal(t, "Europe/Berlin", st.TimeZone)
	assert.Equal(t, "2026-12-04", st.Today)
	assert.Equal(t, 2, st.DailyGoal)
	assert.Equal(t, []taskwire.DayCount{
		dayCount("2026-11-28", 0), dayCount("2026-11-29", 0), dayCount("2026-11-30", 0),
		dayCount("2026-12-01", 2), dayCount("2026-12-02", 2), dayCount("2026-12-03", 1), dayCount("2026-12-04", 2),
	}, st.Days)
	assert.Equal(t, 7, st.Completed)
	assert.Equal(t, taskwire.Streak{Current: 1, Longest: 3}, st.Streak)
	assert.Equal(t, 2, st.Open, "the reopened task and the overdue one")
	assert.Equal(t, 1, st.Overdue)

	// On 3 December, its goal not met yet, the streak of 1 and 2 December is still
	// current: a day breaks a streak once it is over.
	st, err = users.Stats(ctx, 2, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, []taskwire.DayCount{dayCount("2026-12-02", 2), dayCount("2026-12-03", 1)}, st.Days)
	assert.Equal(t, taskwire.Streak{Current: 2, Longest: 3}, st.Streak)

	st, err = users.Stats(otherCtx, 1, now)
	require.NoError(t, err)
	assert.Equal(t, "UTC", st.TimeZone)
	assert.Equal(t, 5, st.DailyGoal, "the default goal")
	assert.Equal(t, []taskwire.DayCount{dayCount("2026-12-04", 3)}, st.Days, "the other user's own tasks alone")
	assert.Equal(t, taskwire.Streak{}, st.Streak, "three a day is short of five")
}

// MustCompleteAt creates a task and completes it at the instant at (RFC 3339).
func MustCompleteAt(tb testing.TB, ctx context.Context, db *postgres.DB, svc *postgres.TaskService, at string) {
	tb.Helper()
	when, err := time.Parse(time.RFC3339, at)
	require.NoError(tb, err)
	task := MustCreateTask(tb, ctx, svc, taskwire.NewTask{Title: "done at " + at})
	MustComplete(tb, ctx, svc, task.ID)
	_, err = db.Pool.Exec(context.Background(), `UPDATE tasks SET completed_at = $2 WHERE id = $1`, task.ID, when)
	require.NoError(tb, err)
}

// dayCount is a day's count of completed tasks.
func dayCount(date string, completed int) taskwire.DayCount {
	return taskwire.DayCount{Date: date, Completed: completed}
}
