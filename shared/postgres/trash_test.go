package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestTaskService_Trash(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("DeleteThenRestore", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		created := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		svc.Now = fixedClock(created)
		due := time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
		past := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // passes while the task is in the trash
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title: "Call the bank", Description: "about the card", Priority: "high", Tags: []string{"money"},
			DueAt: rfc3339(due), TimeZone: "Europe/Berlin",
			Reminders: []taskwire.ReminderInput{{Before: ptr("PT1H")}, {At: rfc3339(past)}},
		})
		other := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Stays"})

		deletedAt := created.Add(time.Hour)
		svc.Now = fixedClock(deletedAt)
		require.NoError(t, svc.DeleteTask(ctx, "1", ""))
		_, err := svc.FindTask(ctx, task.ID.String())
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v, want the task gone from the list", err)
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1`, task.ID), "its reminders go with it")

		page, err := svc.Trash(ctx, 50, nil)
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, *task, *page.Items[0].Task, "the trash holds the task as it was")
		assert.True(t, deletedAt.Equal(page.Items[0].DeletedAt), "got deleted_at %v, want %v", page.Items[0].DeletedAt, deletedAt)

		restoredAt := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
		svc.Now = fixedClock(restoredAt)
		restored, err := svc.RestoreTask(ctx, "1") // by its number, which it keeps
		require.NoError(t, err)
		want := *task
		want.UpdatedAt, want.Version = restoredAt, task.Version+1
		assert.Equal(t, want, *restored, "the same task, one version later")
		stored := want
		stored.UserID = "" // a task read back does not say whose it is
		assert.Equal(t, stored, *MustFindTask(t, ctx, svc, task.ID.String()), "what it returns is what it stored")

		// The reminder whose time passed in the trash is born fired; the other fires on time.
		fired := map[string]bool{}
		rows, err := db.Pool.Query(context.Background(), `SELECT coalesce(before, 'at'), fired_at IS NOT NULL FROM reminders WHERE task_id = $1`, task.ID)
		require.NoError(t, err)
		for rows.Next() {
			var kind string
			var isFired bool
			require.NoError(t, rows.Scan(&kind, &isFired))
			fired[kind] = isFired
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, map[string]bool{"PT1H": false, "at": true}, fired)

		page, err = svc.Trash(ctx, 50, nil)
		require.NoError(t, err)
		assert.Empty(t, page.Items, "restored: out of the trash")
		e := mustReadTaskData(t, MustTaskEvent(t, db, user, events.TypeTaskCreated, task.ID))
		assert.Equal(t, restored.Version, e.Task.Version, "the restore is announced as the task's creation")
		assert.Equal(t, int64(2), MustFindTask(t, ctx, svc, other.ID.String()).Number)

		// Restoring again changes nothing and announces nothing.
		again, err := svc.RestoreTask(ctx, task.ID.String())
		require.NoError(t, err)
		assert.Equal(t, stored, *again)
		assert.Equal(t, 2, countRows(t, db, `SELECT count(*) FROM outbox WHERE subject = $1 AND type = $2`, task.ID.String(), events.TypeTaskCreated))
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		for _, ref := range []string{"1", "3f1e0c1a-9b8e-4f7d-a000-000000000001", "x"} {
			_, err := svc.RestoreTask(ctx, ref)
			assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "restore %s: got %v", ref, err)
			err = svc.PurgeTask(ctx, ref)
			assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "purge %s: got %v", ref, err)
		}
		// Another user's deleted task is not in this user's trash.
		otherCtx, _ := MustNewUser(t, db)
		theirs := MustCreateTask(t, otherCtx, svc, taskwire.NewTask{Title: "theirs"})
		require.NoError(t, svc.DeleteTask(otherCtx, theirs.ID.String(), ""))
		_, err := svc.RestoreTask(ctx, theirs.ID.String())
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err))
		page, err := svc.Trash(ctx, 50, nil)
		require.NoError(t, err)
		assert.Empty(t, page.Items)
	})

	t.Run("Purge", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "for good"})
		require.NoError(t, svc.DeleteTask(ctx, task.ID.String(), ""))
		require.NoError(t, svc.PurgeTask(ctx, "1"))
		_, err := svc.RestoreTask(ctx, task.ID.String())
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "purged: got %v", err)
	})

	t.Run("Pages", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		var want []string
		for i := range 5 {
			svc.Now = fixedClock(t0.Add(time.Duration(i) * time.Minute))
			task := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: string(rune('a' + i))})
			require.NoError(t, svc.DeleteTask(ctx, task.ID.String(), ""))
			want = append([]string{task.Title}, want...) // the latest deletion first
		}
		var got []string
		var cursor *taskwire.Cursor
		for pages := 0; ; pages++ {
			require.Less(t, pages, 3, "got more pages than 5 tasks at 2 a page make")
			page, err := svc.Trash(ctx, 2, cursor)
			require.NoError(t, err)
			for _, d := range page.Items {
				got = append(got, d.Task.Title)
			}
			if page.NextCursor == "" {
				break
			}
			cursor, err = taskwire.ParseCursor(page.NextCursor, taskwire.TrashOrder)
			require.NoError(t, err)
		}
		assert.Equal(t, want, got)
	})

	// A deleted occurrence goes back to its place in its series, so that completing it
	// makes the next one; when another occurrence took its place, it cannot.
	t.Run("Series", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)
		second := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, second)
		require.NoError(t, tasks.DeleteTask(ctx, second.ID.String(), ""))

		restored, err := tasks.RestoreTask(ctx, second.ID.String())
		require.NoError(t, err)
		assert.Equal(t, 2, seriesIndex(t, db, restored.ID))
		MustComplete(t, ctx, tasks, second.ID)
		third := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, second.ID))
		require.NotNil(t, third, "the restored occurrence continues its series")
		assert.Equal(t, 3, seriesIndex(t, db, third.ID))

		// Deleted again, and its place taken: reopening and completing the first makes a
		// new second occurrence.
		require.NoError(t, tasks.DeleteTask(ctx, third.ID.String(), ""))
		require.NoError(t, tasks.DeleteTask(ctx, second.ID.String(), ""))
		MustSetStatus(t, ctx, tasks, first.ID, taskwire.StatusOpen)
		MustComplete(t, ctx, tasks, first.ID)
		newSecond := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, newSecond)
		_, err = tasks.RestoreTask(ctx, second.ID.String())
		require.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err), "got %v", err)
		assert.Contains(t, taskwire.ErrorMessage(err), "has its place")
		page, err := tasks.Trash(ctx, 50, nil)
		require.NoError(t, err)
		assert.Len(t, page.Items, 2, "a refused restore leaves the task in the trash")
	})
}
