package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Tasks stand in the user's order in the order they were added; a move puts one task
// before or after another, or at the top or bottom, changing that task alone (one
// version, one task.updated event with the position), and a move to where the task is
// already changes nothing.
func TestTaskService_MoveTask(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	svc := postgres.NewTaskService(db)
	for _, title := range []string{"a", "b", "c", "d", "e"} {
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: title})
	}
	require.Equal(t, "a b c d e", MustOrder(t, ctx, svc, "open"), "new tasks stand in the order they were added")

	for _, step := range []struct {
		ref  string
		move taskwire.Move
		want string
	}{
		{"5", taskwire.Move{After: "1"}, "a e b c d"},
		{"1", taskwire.Move{To: taskwire.MoveBottom}, "e b c d a"},
		{"3", taskwire.Move{To: taskwire.MoveTop}, "c e b d a"},
		{"4", taskwire.Move{Before: "5"}, "c d e b a"},
		{"2", taskwire.Move{Before: "4"}, "c b d e a"},
		{"2", taskwire.Move{After: "4"}, "c d b e a"},
		{"2", taskwire.Move{After: "4"}, "c d b e a"},           // there already
		{"3", taskwire.Move{To: taskwire.MoveTop}, "c d b e a"}, // there already
		{"1", taskwire.Move{After: "1"}, "c d b e a"},           // beside itself
	} {
		before := MustFindTask(t, ctx, svc, step.ref)
		moved, err := svc.MoveTask(ctx, step.ref, "", step.move)
		require.NoError(t, err, "move %s %+v", step.ref, step.move)
		require.Equal(t, step.want, MustOrder(t, ctx, svc, "open"), "after moving %s %+v", before.Title, step.move)
		if moved.Position == before.Position {
			assert.Equal(t, before.Version, moved.Version, "a task left where it was keeps its version")
			continue
		}
		assert.Equal(t, before.Version+1, moved.Version)
		e := MustTaskEvent(t, db, user, events.TypeTaskUpdated, moved.ID)
		var data events.TaskData
		require.NoError(t, json.Unmarshal(e.Data(), &data))
		assert.Equal(t, moved.Position, data.Task.Position)
		assert.Contains(t, data.Changes, "position")
		assert.Len(t, data.Changes, 1, "a move changes the position alone: %v", data.Changes)
	}

	// A hundred moves between the same two tasks, each just after the first, b and e in
	// turn: still in order, no move refused.
	for i := 0; i < 100; i++ {
		ref := []string{"2", "5"}[i%2]
		_, err := svc.MoveTask(ctx, ref, "", taskwire.Move{After: "3"})
		require.NoError(t, err, "move %d", i)
	}
	require.Equal(t, "c e b d a", MustOrder(t, ctx, svc, "open"))
}

// A move beside a completed task goes there among all tasks, so that in the open
// listing it stands where the completed one stood; a move beside a task the user does
// not have, or with a stale ETag, is refused and changes nothing.
func TestTaskService_MoveTask_Refused(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, _ := MustNewUser(t, db)
	otherCtx, _ := MustNewUser(t, db)
	svc := postgres.NewTaskService(db)
	for _, title := range []string{"a", "b", "c"} {
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: title})
	}
	foreign := MustCreateTask(t, otherCtx, svc, taskwire.NewTask{Title: "someone else's"})
	b := MustFindTask(t, ctx, svc, "2")
	MustComplete(t, ctx, svc, b.ID)
	_, err := svc.MoveTask(ctx, "3", "", taskwire.Move{Before: "2"})
	require.NoError(t, err)
	require.Equal(t, "a c", MustOrder(t, ctx, svc, "open"))
	require.Equal(t, "a c b", MustOrder(t, ctx, svc, "all"))

	before := MustFindTask(t, ctx, svc, "1")
	for _, c := range []struct {
		name    string
		ref     string
		ifMatch string
		move    taskwire.Move
		code    string
		field   string
	}{
		{"MissingNeighbour", "1", "", taskwire.Move{After: "99"}, taskwire.EINVALID, "after"},
		{"OtherUsersNeighbour", "1", "", taskwire.Move{Before: foreign.ID.String()}, taskwire.EINVALID, "before"},
		{"MissingTask", "99", "", taskwire.Move{To: taskwire.MoveTop}, taskwire.ENOTFOUND, ""},
		{"StaleETag", "1", `"99"`, taskwire.Move{To: taskwire.MoveBottom}, taskwire.EPRECONDITION, "If-Match"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.MoveTask(ctx, c.ref, c.ifMatch, c.move)
			require.Error(t, err)
			assert.Equal(t, c.code, taskwire.ErrorCode(err), "%v", err)
			var e *taskwire.Error
			if c.field != "" && assert.ErrorAs(t, err, &e) {
				assert.Equal(t, c.field, e.Field)
			}
			after := MustFindTask(t, ctx, svc, "1")
			assert.Equal(t, before.Version, after.Version)
			assert.Equal(t, before.Position, after.Position)
		})
	}
	require.Equal(t, "a c b", MustOrder(t, ctx, svc, "all"))
}

// Moves into the same place never run out of room: two tasks put in turn right after the
// first, each move halving the room the last one left, lengthen the positions there a
// character every six moves; when a move finds none left, the tasks around the gap take
// the stretch anew, spread evenly, up to the first task on each side whose position can
// stay, each with its task.updated event, and the move goes on.
func TestTaskService_MoveTask_Respaces(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	svc := postgres.NewTaskService(db)
	titles := []string{"top", "x", "y"}
	for i := 1; i <= 12; i++ {
		titles = append(titles, fmt.Sprintf("c%d", i))
	}
	for _, title := range titles {
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: title})
	}
	before := map[string]*taskwire.Task{}
	for _, task := range MustTasks(t, ctx, svc) {
		before[task.Title] = task
	}
	respaced, last := false, ""
	for move := 0; move < 1500 && !respaced; move++ {
		moved, err := svc.MoveTask(ctx, []string{"2", "3"}[move%2], "", taskwire.Move{After: "1"})
		require.NoError(t, err, "move %d", move)
		// Each move puts its task before the last one moved, lengthening the position
		// until there is no room left and the stretch is taken anew.
		if respaced = len(moved.Position) < len(last)/2; !respaced {
			before[moved.Title], last = moved, moved.Position
		}
	}
	require.True(t, respaced, "1500 moves into one place, and no stretch taken anew: the last at %q", last)
	require.Greater(t, len(last), taskwire.MaxPositionLen-5, "the stretch was taken anew before the room ran out")
	order := MustOrder(t, ctx, svc, "open")
	require.True(t, strings.HasSuffix(order, " c1 c2 c3 c4 c5 c6 c7 c8 c9 c10 c11 c12"), order)
	require.Contains(t, []string{"top x y", "top y x"}, strings.TrimSuffix(order, " c1 c2 c3 c4 c5 c6 c7 c8 c9 c10 c11 c12"))

	// The top, the task not moved and seven below: respaceSide on the side below the gap.
	for _, task := range MustTasks(t, ctx, svc) {
		was := before[task.Title]
		assert.True(t, taskwire.ValidPosition(task.Position), "%s at %q", task.Title, task.Position)
		assert.LessOrEqual(t, len(task.Position), taskwire.MaxPositionLen/2, "%s at %q", task.Title, task.Position)
		switch task.Title {
		case "c8", "c9", "c10", "c11", "c12":
			assert.Equal(t, was.Position, task.Position, "%s is past the stretch", task.Title)
			assert.Equal(t, was.Version, task.Version, "%s is past the stretch", task.Title)
			continue
		}
		assert.Equal(t, was.Version+1, task.Version, "%s", task.Title)
		e := MustTaskEvent(t, db, user, events.TypeTaskUpdated, task.ID)
		var data events.TaskData
		require.NoError(t, json.Unmarshal(e.Data(), &data))
		assert.Equal(t, task.Position, data.Task.Position, "%s's event", task.Title)
		assert.Equal(t, []string{"position"}, slices.Collect(maps.Keys(data.Changes)), "%s's event", task.Title)
	}
}

// MustTasks returns every task of the user, open and completed.
func MustTasks(tb testing.TB, ctx context.Context, svc *postgres.TaskService) []*taskwire.Task {
	tb.Helper()
	page, err := svc.FindTasks(ctx, taskwire.TaskFilter{Status: "all", Sort: taskwire.Sort{Field: taskwire.SortPosition}, Limit: taskwire.MaxLimit})
	require.NoError(tb, err)
	return page.Items
}

// The next occurrence of a repeating task stands where the user put the series, and a
// task back from the trash where it stood.
func TestTaskService_PositionKept(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	svc, rec := postgres.NewTaskService(db), postgres.NewRecurrenceService(db)
	MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "a"})
	series := MustCreateRecurring(t, ctx, svc, "FREQ=DAILY", "")
	MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "c"})
	_, err := svc.MoveTask(ctx, series.ID.String(), "", taskwire.Move{To: taskwire.MoveTop})
	require.NoError(t, err)
	require.Equal(t, "recurring a c", MustOrder(t, ctx, svc, "open"))

	MustComplete(t, ctx, svc, series.ID)
	next := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, series.ID))
	require.NotEqual(t, series.ID, next.ID)
	require.Equal(t, "recurring a c", MustOrder(t, ctx, svc, "open"), "the next occurrence where the series was")

	require.NoError(t, svc.DeleteTask(ctx, "1", ""))
	require.Equal(t, "recurring c", MustOrder(t, ctx, svc, "open"))
	_, err = svc.RestoreTask(ctx, "1")
	require.NoError(t, err)
	require.Equal(t, "recurring a c", MustOrder(t, ctx, svc, "open"), "back where it stood")
}

// MustOrder returns the titles of the user's tasks of status in their own order
// (sort=position), space-separated.
func MustOrder(tb testing.TB, ctx context.Context, svc *postgres.TaskService, status string) string {
	tb.Helper()
	page, err := svc.FindTasks(ctx, taskwire.TaskFilter{Status: status, Sort: taskwire.Sort{Field: taskwire.SortPosition}, Limit: taskwire.MaxLimit})
	require.NoError(tb, err)
	out := ""
	for i, task := range page.Items {
		if i > 0 {
			out += " "
		}
		out += task.Title
	}
	return out
}
