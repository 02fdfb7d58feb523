package postgres_test

import (
	"context"
	"fmt"
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

func TestTaskService_SnoozeNotification(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	notes := postgres.NewNotificationService(db)
	// 09:00 in Berlin on the day before summer time begins.
	now := time.Date(2026, 3, 28, 8, 0, 0, 0, time.UTC)
	due := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)
	newTasks := func() *postgres.TaskService {
		svc := postgres.NewTaskService(db)
		svc.Now = fixedClock(now)
		return svc
	}
	snooze := func(t *testing.T, svc *postgres.TaskService, ctx context.Context, id uuid.UUID, d string) (*taskwire.Notification, *taskwire.Task, error) {
		t.Helper()
		dur, err := taskwire.ParseDuration(d)
		require.NoError(t, err)
		got, err := svc.SnoozeNotification(ctx, id, dur)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range got.Task.Reminders {
			if r.At != nil && r.At.Equal(got.Until) {
				return got.Notification, got.Task, nil
			}
		}
		t.Fatalf("until %v is none of the task's reminders %+v", got.Until, got.Task.Reminders)
		return nil, nil, nil
	}

	t.Run("RelativeReminderStays", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := newTasks()
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Water the plants", DueAt: rfc3339(due),
			TimeZone: "Europe/Berlin", Reminders: []taskwire.ReminderInput{{Before: ptr("P2D")}}})
		n := postgrestest.MustDeliverReminder(t, db, notes, user, task, 0)

		read, snoozed, err := snooze(t, svc, ctx, n.ID, "P1D")
		require.NoError(t, err)
		require.NotNil(t, read.ReadAt, "the snoozed notification is read")
		require.Len(t, snoozed.Reminders, 2, "got %+v", snoozed.Reminders)
		assert.Equal(t, "P2D", snoozed.Reminders[0].Before, "the reminder before the due time stays")
		// A day later on the calendar: 09:00 in summer time, 23 hours on.
		assert.Equal(t, "2026-03-29T07:00:00Z", snoozed.Reminders[1].At.Format(time.RFC3339))
		assert.Equal(t, task.Version+1, snoozed.Version)
		assert.Equal(t, *snoozed, *MustFindTask(t, ctx, svc, task.ID.String()), "what it returns is what it stored")
		data := mustReadTaskData(t, MustTaskEvent(t, db, user, events.TypeTaskUpdated, task.ID))
		assert.Contains(t, data.Changes, "reminders", "the change is announced")
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1 AND fired_at IS NOT NULL AND at IS NOT NULL`, task.ID),
			"the new reminder is armed")

		// Snoozing the same notification again moves that reminder, rather than adding one.
		_, again, err := snooze(t, svc, ctx, n.ID, "PT10M")
		require.NoError(t, err)
		require.Len(t, again.Reminders, 2)
		assert.Equal(t, snoozed.Reminders[1].ID, again.Reminders[1].ID)
		assert.Equal(t, "2026-03-28T08:10:00Z", again.Reminders[1].At.Format(time.RFC3339))
		// Its time as stored too, not only when it fires: a form that sends the reminders
		// back as it read them keeps the snooze (until 2026-12-06 the row kept the first
		// snooze's time, and such a save moved the reminder back to it).
		assert.Equal(t, *again, *MustFindTask(t, ctx, svc, task.ID.String()), "what it returns is what it stored")
	})

	t.Run("ReminderAtATimeMoves", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := newTasks()
		task := MustCreateRemindedTask(t, ctx, svc, "Call the bank", &due, now.Add(-time.Minute))
		_, err := db.Pool.Exec(context.Background(), `UPDATE reminders SET fired_at = $2 WHERE task_id = $1`, task.ID, now)
		require.NoError(t, err)
		n := postgrestest.MustDeliverReminder(t, db, notes, user, task, 0)

		_, snoozed, err := snooze(t, svc, ctx, n.ID, "PT1H")
		require.NoError(t, err)
		require.Len(t, snoozed.Reminders, 1)
		assert.Equal(t, task.Reminders[0].ID, snoozed.Reminders[0].ID, "the reminder that fired moves")
		assert.Equal(t, "2026-03-28T09:00:00Z", snoozed.Reminders[0].FireAt.Format(time.RFC3339))
		assert.Equal(t, *snoozed, *MustFindTask(t, ctx, svc, task.ID.String()), "what it returns is what it stored")
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1 AND fired_at IS NULL`, task.ID),
			"moved, it fires again")
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := newTasks()
		_, _, err := snooze(t, svc, ctx, uuid.New(), "PT10M")
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v", err)

		// Another user's notification is not found either, and stays unread.
		task := MustCreateRemindedTask(t, ctx, svc, "Mine", &due, due.Add(-time.Hour))
		n := postgrestest.MustDeliverReminder(t, db, notes, user, task, 0)
		otherCtx, _ := MustNewUser(t, db)
		_, _, err = snooze(t, svc, otherCtx, n.ID, "PT10M")
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v", err)
		got, err := notes.FindNotification(ctx, n.ID)
		require.NoError(t, err)
		assert.Nil(t, got.ReadAt)

		// A notification whose task was deleted.
		require.NoError(t, svc.DeleteTask(ctx, task.ID.String(), ""))
		_, _, err = snooze(t, svc, ctx, n.ID, "PT10M")
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v", err)
		assert.Contains(t, taskwire.ErrorMessage(err), "deleted")
	})

	t.Run("ErrCompleted", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := newTasks()
		task := MustCreateRemindedTask(t, ctx, svc, "Done already", &due, due.Add(-time.Hour))
		n := postgrestest.MustDeliverReminder(t, db, notes, user, task, 0)
		MustComplete(t, ctx, svc, task.ID)
		_, _, err := snooze(t, svc, ctx, n.ID, "PT10M")
		assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err), "got %v", err)
		got, err := notes.FindNotification(ctx, n.ID)
		require.NoError(t, err)
		assert.Nil(t, got.ReadAt, "a refused snooze changes nothing")
	})

	t.Run("ErrTooManyReminders", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := newTasks()
		in := taskwire.NewTask{Title: "Busy", DueAt: rfc3339(due)}
		for i := range taskwire.MaxReminders {
			in.Reminders = append(in.Reminders, taskwire.ReminderInput{Before: ptr(fmt.Sprintf("PT%dM", i+1))})
		}
		task := MustCreateTask(t, ctx, svc, in)
		n := postgrestest.MustDeliverReminder(t, db, notes, user, task, 0)
		_, _, err := snooze(t, svc, ctx, n.ID, "PT10M")
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err), "got %v", err)
		assert.Equal(t, "reminders", taskwire.ErrorField(err))
	})
}
