package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A file may name a task twice or give two tasks one number: each task is added once,
// and no two share a number.
func TestTaskService_ImportTasks(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	svc := postgres.NewTaskService(db)
	task := func(n int64, title string) *taskwire.Task {
		return &taskwire.Task{ID: uuid.New(), Number: n, Title: title, Status: taskwire.StatusOpen, Priority: taskwire.PriorityNone,
			Tags: []string{}, TimeZone: "UTC", RepeatFrom: taskwire.RepeatFromSchedule, CreatedAt: t0, UpdatedAt: t0, Version: 1}
	}
	a, b := task(3, "a"), task(3, "b")
	twice := *a
	added, present, err := svc.ImportTasks(ctx, []*taskwire.Task{a, b, &twice})
	require.NoError(t, err)
	assert.Equal(t, 2, added)
	assert.Equal(t, 1, present, "the second copy finds the first")
	assert.Equal(t, "a", MustFindTask(t, ctx, svc, "3").Title)
	assert.Equal(t, "b", MustFindTask(t, ctx, svc, "4").Title, "the second number 3 takes the next")
	data := mustReadTaskData(t, MustTaskEvent(t, db, user, events.TypeTaskCreated, b.ID))
	assert.Equal(t, int64(4), data.Task.Number, "the event carries the number the task took")
	svc.Now = fixedClock(time.Now())
	assert.Equal(t, int64(5), MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "next"}).Number)
}

// An occurrence older than those its series has goes before them: left after the open
// one, it would hold the place that completing the open one makes its next.
func TestTaskService_ImportTasks_SeriesOrder(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	tasks, rec := newRecurrenceServices(db, rDone)
	first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
	done := MustComplete(t, ctx, tasks, first.ID)
	second := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
	require.NotNil(t, second)
	// The completed occurrence is lost for good; a backup brings it back.
	require.NoError(t, tasks.DeleteTask(ctx, first.ID.String(), ""))
	require.NoError(t, tasks.PurgeTask(ctx, first.ID.String()))
	added, _, err := tasks.ImportTasks(ctx, []*taskwire.Task{done})
	require.NoError(t, err)
	require.Equal(t, 1, added)
	assert.Equal(t, 1, seriesIndex(t, db, first.ID))
	assert.Equal(t, 2, seriesIndex(t, db, second.ID))

	MustComplete(t, ctx, tasks, second.ID)
	third := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, second.ID))
	require.NotNil(t, third, "completing the open occurrence makes the next")
	assert.Equal(t, 3, seriesIndex(t, db, third.ID))
}

// Another account's series, imported, is a series of the user's own: its tasks and
// reminders take ids of the user's, the same when imported again, which adds nothing;
// completing its open occurrence makes the next in it; the other account's tasks stay.
func TestTaskService_ImportTasks_AnotherAccount(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ownerCtx, owner := MustNewUser(t, db)
	ctx, user := MustNewUser(t, db)
	tasks, rec := newRecurrenceServices(db, rDone)
	first := MustCreateRecurring(t, ownerCtx, tasks, "FREQ=DAILY", "")
	MustComplete(t, ownerCtx, tasks, first.ID)
	second := MustHandle(t, rec, MustTaskEvent(t, db, owner, events.TypeTaskCompleted, first.ID))
	require.NotNil(t, second)
	file := []*taskwire.Task{MustFindTask(t, ownerCtx, tasks, first.ID.String()), MustFindTask(t, ownerCtx, tasks, second.ID.String())}

	added, present, err := tasks.ImportTasks(ctx, file)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 0}, []int{added, present})
	again := []*taskwire.Task{MustFindTask(t, ownerCtx, tasks, first.ID.String()), MustFindTask(t, ownerCtx, tasks, second.ID.String())}
	added, present, err = tasks.ImportTasks(ctx, again)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 2}, []int{added, present}, "imported again")

	mine := MustFindTask(t, ctx, tasks, "2")
	assert.NotEqual(t, second.ID, mine.ID)
	require.NotNil(t, mine.SeriesID)
	assert.Equal(t, MustFindTask(t, ctx, tasks, "1").ID, *mine.SeriesID, "the series begun by the first, as in the file")
	MustComplete(t, ctx, tasks, mine.ID)
	third := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, mine.ID))
	require.NotNil(t, third, "completing the open occurrence makes the next")
	assert.Equal(t, *mine.SeriesID, *third.SeriesID)
	assert.Equal(t, 3, seriesIndex(t, db, third.ID))
	assert.Equal(t, second.Version, MustFindTask(t, ownerCtx, tasks, second.ID.String()).Version, "the other account's task stays")
}

// A file's tasks stand in the user's order as the file made them: by their creation
// times, and in the file's order where a file gives them one time (as files without
// such times do), each a place of its own; a task from Taskwire's own export keeps the
// position it had.
func TestTaskService_ImportTasks_Positions(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, _ := MustNewUser(t, db)
	svc := postgres.NewTaskService(db)
	MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "here"}) // created now, long after t0
	task := func(title string, created time.Time, position string) *taskwire.Task {
		return &taskwire.Task{ID: uuid.New(), Title: title, Status: taskwire.StatusOpen, Priority: taskwire.PriorityNone,
			Tags: []string{}, TimeZone: "UTC", RepeatFrom: taskwire.RepeatFromSchedule, CreatedAt: created, UpdatedAt: created,
			Version: 1, Position: position}
	}
	_, _, err := svc.ImportTasks(ctx, []*taskwire.Task{
		task("x", t0, ""), task("y", t0, ""), task("w", t0.Add(-time.Hour), ""), task("z", t0, ""),
		task("exported", t0, taskwire.PositionAt(time.Now().Add(time.Hour))),
	})
	require.NoError(t, err)
	assert.Equal(t, "w x y z here exported", MustOrder(t, ctx, svc, "open"))

	// Each has a place of its own: one moved after x goes between x and y.
	_, err = svc.MoveTask(ctx, "1", "", taskwire.Move{After: "2"})
	require.NoError(t, err)
	assert.Equal(t, "w x here y z exported", MustOrder(t, ctx, svc, "open"))
}
