package postgres_test

import (
	"context"
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

// Skipping an occurrence moves the same task to the series' next occurrence without
// completing it: nothing is marked done that was not, COUNT counts the skipped one, the
// relative reminders move with it and a fixed one goes, and completing it afterwards
// makes the occurrence after it.
func TestTaskService_SkipOccurrence(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	// Monday 23 March 2026, 08:00 in Berlin; the clocks go forward on Sunday the 29th.
	monday := time.Date(2026, 3, 23, 9, 0, 0, 0, berlin)

	t.Run("WeeklyAcrossDST", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, monday.Add(-2*time.Hour))
		first := MustCreateTask(t, ctx, tasks, taskwire.NewTask{
			Title: "Standup", DueAt: rfc3339(monday), TimeZone: "Europe/Berlin", Recurrence: ptr("FREQ=WEEKLY;COUNT=3"),
			Reminders: []taskwire.ReminderInput{{Before: ptr("PT10M")}, {At: rfc3339(monday.Add(-time.Hour))}},
		})

		skipped, err := tasks.SkipOccurrence(ctx, "1", first.ETag())
		require.NoError(t, err)
		want := time.Date(2026, 3, 30, 9, 0, 0, 0, berlin) // 09:00 summer time
		assert.Equal(t, first.ID, skipped.ID, "the same task moves")
		assert.Equal(t, int64(1), skipped.Number)
		assert.Equal(t, taskwire.StatusOpen, skipped.Status)
		assert.Nil(t, skipped.CompletedAt)
		require.NotNil(t, skipped.DueAt)
		assert.True(t, want.Equal(*skipped.DueAt), "got due_at %v, want %v", skipped.DueAt.In(berlin), want)
		assert.Equal(t, 2, seriesIndex(t, db, first.ID), "the skipped occurrence counts")
		require.Len(t, skipped.Reminders, 1, "the relative reminder moves; the fixed one belonged to the skipped occurrence")
		assert.Equal(t, "PT10M", skipped.Reminders[0].Before)
		assert.Equal(t, first.Reminders[0].ID, skipped.Reminders[0].ID)
		assert.True(t, want.Add(-10*time.Minute).Equal(*skipped.Reminders[0].FireAt))
		assert.Equal(t, skipped, MustFindTask(t, ctx, tasks, "1"), "what it returns is what it stored")
		assert.Equal(t, 0, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1 AND status = 'completed'`, user))

		rows := MustListOutbox(t, db, user)
		require.Equal(t, []string{events.TypeTaskCreated, events.TypeTaskUpdated}, outboxTypes(rows))
		assert.Contains(t, rows[1].TaskData(t).Changes, "due_at")
		rows[1].RequireValidCloudEvent(t)

		// An If-Match of before the skip no longer matches: a retried request skips once.
		_, err = tasks.SkipOccurrence(ctx, "1", first.ETag())
		assert.Equal(t, taskwire.EPRECONDITION, taskwire.ErrorCode(err))

		// Completing the moved occurrence makes the third, and last.
		MustComplete(t, ctx, tasks, first.ID)
		next, err := rec.HandleCompleted(context.Background(), MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NoError(t, err)
		require.NotNil(t, next)
		assert.True(t, want.AddDate(0, 0, 7).Equal(*next.DueAt), "got %v", next.DueAt.In(berlin))
		assert.Equal(t, 3, seriesIndex(t, db, next.ID))
		_, err = tasks.SkipOccurrence(ctx, next.ID.String(), "")
		assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err), "COUNT=3 ends with the third: %v", err)
		assert.Contains(t, err.Error(), "ends with it")
	})

	// An occurrence days overdue skips to the first one not past, as completing it would.
	t.Run("OverdueSkipsToNotPast", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, _ := newRecurrenceServices(db, monday.AddDate(0, 0, 3).Add(2*time.Hour)) // Thursday 11:00
		MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Stretch", DueAt: rfc3339(monday), TimeZone: "Europe/Berlin", Recurrence: ptr("FREQ=DAILY")})
		skipped, err := tasks.SkipOccurrence(ctx, "1", "")
		require.NoError(t, err)
		assert.True(t, monday.AddDate(0, 0, 4).Equal(*skipped.DueAt), "got %v, want Friday 09:00", skipped.DueAt.In(berlin))
	})

	// A reminder whose moved time has passed is born fired, as the next occurrence's is
	// when completing makes it (until 2026-12-06 it fired at once about the task just put
	// off); one still ahead waits for its time.
	t.Run("PastReminderBornFired", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, _ := newRecurrenceServices(db, monday.Add(time.Hour)) // 10:00, an hour overdue
		created := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Stretch", DueAt: rfc3339(monday), TimeZone: "Europe/Berlin",
			Recurrence: ptr("FREQ=DAILY"), Reminders: []taskwire.ReminderInput{{Before: ptr("P1D")}, {Before: ptr("PT10M")}}})
		skipped, err := tasks.SkipOccurrence(ctx, "1", "")
		require.NoError(t, err)
		require.True(t, monday.AddDate(0, 0, 1).Equal(*skipped.DueAt))
		fired := func(id uuid.UUID) bool {
			t.Helper()
			return countRows(t, db, `SELECT count(*) FROM reminders WHERE id = $1 AND fired_at IS NOT NULL`, id) == 1
		}
		assert.True(t, fired(created.Reminders[0].ID), "a day before Tuesday 09:00 has passed")
		assert.False(t, fired(created.Reminders[1].ID), "10 minutes before Tuesday 09:00 is ahead")
		assert.True(t, monday.Equal(*skipped.Reminders[0].FireAt), "moved all the same")
	})

	// A skipped occurrence's steps are the next one's, none done yet.
	t.Run("ChecklistStartsAgain", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, _ := newRecurrenceServices(db, monday.Add(-time.Hour))
		MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Clean the flat", DueAt: rfc3339(monday), TimeZone: "Europe/Berlin",
			Recurrence: ptr("FREQ=WEEKLY"), Checklist: taskwire.ChecklistInput{{Text: "Vacuum", Done: true}, {Text: "Mop"}}})
		skipped, err := tasks.SkipOccurrence(ctx, "1", "")
		require.NoError(t, err)
		assert.Equal(t, []taskwire.Step{{Text: "Vacuum"}, {Text: "Mop"}}, skipped.Checklist)
		assert.Equal(t, skipped, MustFindTask(t, ctx, tasks, "1"))
	})

	// An all-day task skips to its next day, whose end is its due_at.
	t.Run("AllDay", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, _ := newRecurrenceServices(db, monday)
		MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Pay rent", DueDate: ptr("2026-03-31"), TimeZone: "Europe/Berlin",
			Recurrence: ptr("FREQ=MONTHLY;BYMONTHDAY=-1")})
		skipped, err := tasks.SkipOccurrence(ctx, "1", "")
		require.NoError(t, err)
		require.NotNil(t, skipped.DueDate)
		assert.Equal(t, "2026-04-30", *skipped.DueDate)
		assert.True(t, taskwire.EndOfDay(time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), berlin).Equal(*skipped.DueAt))
	})

	t.Run("NothingToSkipTo", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, monday)
		once := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Once", DueAt: rfc3339(monday), TimeZone: "UTC"})
		daily := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Daily", DueAt: rfc3339(monday), TimeZone: "UTC", Recurrence: ptr("FREQ=DAILY")})
		MustComplete(t, ctx, tasks, daily.ID)
		next, err := rec.HandleCompleted(context.Background(), MustTaskEvent(t, db, daily.UserID, events.TypeTaskCompleted, daily.ID))
		require.NoError(t, err)
		require.NotNil(t, next)
		for ref, why := range map[string]string{
			once.ID.String():  "does not repeat",
			daily.ID.String(): "is completed",
		} {
			_, err := tasks.SkipOccurrence(ctx, ref, "")
			assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err), "%s: %v", why, err)
			assert.Contains(t, err.Error(), why)
		}
		// Reopened while its next occurrence, now the user's (edited), stays: that one is
		// the one to skip.
		_, err = tasks.UpdateTask(ctx, next.ID.String(), "", []byte(`{"title": "Daily, edited"}`))
		require.NoError(t, err)
		MustSetStatus(t, ctx, tasks, daily.ID, taskwire.StatusOpen)
		_, err = tasks.SkipOccurrence(ctx, daily.ID.String(), "")
		assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err))
		assert.Contains(t, err.Error(), "later occurrence")

		_, err = tasks.SkipOccurrence(ctx, "99", "")
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err))
	})

	// Another user's task is not found, as a missing one.
	t.Run("OtherUsersTask", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		otherCtx, _ := MustNewUser(t, db)
		tasks := postgres.NewTaskService(db)
		theirs := MustCreateTask(t, otherCtx, tasks, taskwire.NewTask{Title: "Theirs", DueAt: rfc3339(monday), TimeZone: "UTC", Recurrence: ptr("FREQ=DAILY")})
		_, err := tasks.SkipOccurrence(ctx, theirs.ID.String(), "")
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err))
	})
}

// A skip is undone while it is the task's latest change: the task is back where it was,
// its due, its place in the series (so COUNT still ends the series where it did), its
// steps as ticked and its reminders, the fixed one too, armed again.
func TestTaskService_UndoSkip(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	monday := time.Date(2026, 3, 23, 9, 0, 0, 0, berlin)

	t.Run("BackWhereItWas", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, monday.Add(-2*time.Hour))
		first := MustCreateTask(t, ctx, tasks, taskwire.NewTask{
			Title: "Standup", DueAt: rfc3339(monday), TimeZone: "Europe/Berlin", Recurrence: ptr("FREQ=WEEKLY;COUNT=2"),
			Checklist: taskwire.ChecklistInput{{Text: "Notes", Done: true}, {Text: "Agenda"}},
			Reminders: []taskwire.ReminderInput{{Before: ptr("PT10M")}, {At: rfc3339(monday.Add(-time.Hour))}},
		})
		skipped, err := tasks.SkipOccurrence(ctx, "1", first.ETag())
		require.NoError(t, err)

		back, err := tasks.UndoSkip(ctx, "1", skipped.ETag())
		require.NoError(t, err)
		assert.True(t, monday.Equal(*back.DueAt), "got %v", back.DueAt.In(berlin))
		assert.Equal(t, first.Checklist, back.Checklist, "the steps as they were ticked")
		assert.Equal(t, first.Reminders, back.Reminders, "both reminders, with their ids and times")
		assert.Equal(t, first.Version+2, back.Version)
		assert.Equal(t, 1, seriesIndex(t, db, first.ID), "back in its place in the series")
		assert.Equal(t, back, MustFindTask(t, ctx, tasks, "1"), "what it returns is what it stored")
		assert.Equal(t, 2, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1 AND fired_at IS NULL AND task_open`, first.ID),
			"both reminders armed again")

		rows := MustListOutbox(t, db, user)
		require.Equal(t, []string{events.TypeTaskCreated, events.TypeTaskUpdated, events.TypeTaskUpdated}, outboxTypes(rows))
		assert.Contains(t, rows[2].TaskData(t).Changes, "due_at")
		rows[2].RequireValidCloudEvent(t)

		// Undone once: the skip is no longer there to undo.
		_, err = tasks.UndoSkip(ctx, "1", "")
		assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err), "%v", err)

		// COUNT=2 still has its second occurrence: completing this one makes it.
		MustComplete(t, ctx, tasks, first.ID)
		next, err := rec.HandleCompleted(context.Background(), MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NoError(t, err)
		require.NotNil(t, next, "the series has its second occurrence")
		assert.True(t, monday.AddDate(0, 0, 7).Equal(*next.DueAt), "got %v", next.DueAt.In(berlin))
		assert.Equal(t, 2, seriesIndex(t, db, next.ID))
	})

	t.Run("AllDay", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, _ := newRecurrenceServices(db, monday)
		first := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Pay rent", DueDate: ptr("2026-03-31"), TimeZone: "Europe/Berlin",
			Recurrence: ptr("FREQ=MONTHLY;BYMONTHDAY=-1")})
		_, err := tasks.SkipOccurrence(ctx, "1", "")
		require.NoError(t, err)
		back, err := tasks.UndoSkip(ctx, "1", "")
		require.NoError(t, err)
		require.NotNil(t, back.DueDate)
		assert.Equal(t, "2026-03-31", *back.DueDate)
		assert.True(t, first.DueAt.Equal(*back.DueAt))
	})

	// Only the latest change is undone: after an edit, the skip stays.
	t.Run("NotAfterAnotherChange", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, _ := newRecurrenceServices(db, monday.Add(-time.Hour))
		MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Standup", DueAt: rfc3339(monday), TimeZone: "Europe/Berlin", Recurrence: ptr("FREQ=DAILY")})
		_, err := tasks.UndoSkip(ctx, "1", "")
		assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err), "never skipped: %v", err)
		assert.Contains(t, err.Error(), "no skip to undo")

		skipped, err := tasks.SkipOccurrence(ctx, "1", "")
		require.NoError(t, err)
		edited, err := tasks.UpdateTask(ctx, "1", "", []byte(`{"title": "Standup, shorter"}`))
		require.NoError(t, err)
		_, err = tasks.UndoSkip(ctx, "1", skipped.ETag())
		assert.Equal(t, taskwire.EPRECONDITION, taskwire.ErrorCode(err), "an If-Match of before the edit")
		_, err = tasks.UndoSkip(ctx, "1", "")
		assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err), "%v", err)
		assert.Equal(t, edited, MustFindTask(t, ctx, tasks, "1"), "nothing changed")
	})

	t.Run("OtherUsersTask", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		otherCtx, _ := MustNewUser(t, db)
		tasks := postgres.NewTaskService(db)
		theirs := MustCreateTask(t, otherCtx, tasks, taskwire.NewTask{Title: "Theirs", DueAt: rfc3339(monday), TimeZone: "UTC", Recurrence: ptr("FREQ=DAILY")})
		_, err := tasks.SkipOccurrence(otherCtx, theirs.ID.String(), "")
		require.NoError(t, err)
		_, err = tasks.UndoSkip(ctx, theirs.ID.String(), "")
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err))
	})
}
