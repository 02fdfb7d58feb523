package postgres_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// The recurrence tests' calendar: a daily task due at 09:00 in Berlin (08:00 UTC in
// March, before DST).
var (
	rDue  = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	rDone = time.Date(2026, 3, 2, 7, 30, 0, 0, time.UTC) // completed on time
)

func TestRecurrenceService_HandleCompleted(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		first := MustCreateTask(t, ctx, tasks, taskwire.NewTask{
			Title:       "Water the plants",
			Description: "the ones on the balcony too",
			Priority:    "high",
			Tags:        []string{"home", "garden"},
			DueAt:       rfc3339(rDue),
			Duration:    ptr("PT30M"),
			TimeZone:    "Europe/Berlin",
			Recurrence:  ptr("FREQ=DAILY"),
			Reminders:   []taskwire.ReminderInput{{Before: ptr("PT15M")}, {At: rfc3339(at)}, {Before: ptr("P1D")}},
		})
		completed := MustComplete(t, ctx, tasks, first.ID)

		next, err := rec.HandleCompleted(context.Background(), MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NoError(t, err)
		require.NotNil(t, next, "got no next occurrence, want one")

		wantDue := rDue.AddDate(0, 0, 1)
		assert.NotEqual(t, first.ID, next.ID)
		assert.Equal(t, int64(2), next.Number, "got number %d, want the user's next, 2", next.Number)
		require.NotNil(t, next.SeriesID)
		assert.Equal(t, *first.SeriesID, *next.SeriesID, "got series %v, want %v", *next.SeriesID, *first.SeriesID)
		require.NotNil(t, next.DueAt)
		assert.True(t, wantDue.Equal(*next.DueAt), "got due_at %v, want %v", next.DueAt, wantDue)
		assert.Equal(t, "Water the plants", next.Title)
		assert.Equal(t, "the ones on the balcony too", next.Description)
		assert.Equal(t, taskwire.PriorityHigh, next.Priority)
		assert.Equal(t, []string{"home", "garden"}, next.Tags)
		assert.Equal(t, ptr("PT30M"), next.Duration)
		assert.Equal(t, "Europe/Berlin", next.TimeZone)
		assert.Equal(t, first.Recurrence, next.Recurrence)
		assert.Equal(t, taskwire.RepeatFromSchedule, next.RepeatFrom)
		assert.Equal(t, taskwire.StatusOpen, next.Status)
		assert.Nil(t, next.CompletedAt)
		assert.Equal(t, int64(1), next.Version)
		now := rDone.Add(time.Minute)
		assert.True(t, now.Equal(next.CreatedAt), "got created_at %v, want %v", next.CreatedAt, now)
		// Relative reminders carry over, as new reminders; the absolute one stays behind.
		require.Len(t, next.Reminders, 2, "got reminders %+v, want the two relative ones", next.Reminders)
		for i, before := range []string{"PT15M", "P1D"} {
			r := next.Reminders[i]
			assert.Equal(t, before, r.Before)
			assert.NotEqual(t, first.Reminders[0].ID, r.ID, "got a reminder id reused, want new ones")
			assert.NotEqual(t, first.Reminders[2].ID, r.ID, "got a reminder id reused, want new ones")
		}
		assert.Equal(t, wantDue.Add(-15*time.Minute), *next.Reminders[0].FireAt)
		assert.Equal(t, wantDue.AddDate(0, 0, -1), *next.Reminders[1].FireAt)

		// What it returns is what it stored.
		want := *next
		want.UserID = ""
		assert.Equal(t, &want, MustFindTask(t, ctx, tasks, "2"))
		assert.Equal(t, 2, seriesIndex(t, db, next.ID), "got series_index %d, want 2", seriesIndex(t, db, next.ID))
		// The completed occurrence stays completed, in history.
		assert.Equal(t, completed, MustFindTask(t, ctx, tasks, "1"))

		rows := MustListOutbox(t, db, user)
		want3 := []string{events.TypeTaskCreated, events.TypeTaskCompleted, events.TypeTaskCreated}
		require.Equal(t, want3, outboxTypes(rows), "got events %v, want %v", outboxTypes(rows), want3)
		created := rows[2]
		assert.Equal(t, next.ID.String(), created.Subject)
		assert.True(t, now.Equal(created.Time), "got event time %v, want %v", created.Time, now)
		data := created.TaskData(t)
		assert.Equal(t, user, data.UserID)
		assert.Equal(t, &want, data.Task, "got the event's task differ from the stored one")
		created.RequireValidCloudEvent(t)
	})

	// The next occurrence has the same steps, none done: the series' checklist starts
	// again, while the completed occurrence keeps what was ticked off.
	t.Run("ChecklistStartsAgain", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Clean the flat", DueAt: rfc3339(rDue), TimeZone: "Europe/Berlin",
			Recurrence: ptr("FREQ=WEEKLY"), Checklist: taskwire.ChecklistInput{{Text: "Vacuum", Done: true}, {Text: "Mop"}}})
		MustComplete(t, ctx, tasks, first.ID)
		next := MustHandle(t, rec, MustTaskEvent(t, db, first.UserID, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, next)
		assert.Equal(t, []taskwire.Step{{Text: "Vacuum"}, {Text: "Mop"}}, next.Checklist)
		assert.Equal(t, next.Checklist, MustFindTask(t, ctx, tasks, next.ID.String()).Checklist, "what it returns is what it stored")
		assert.Equal(t, []taskwire.Step{{Text: "Vacuum", Done: true}, {Text: "Mop"}}, MustFindTask(t, ctx, tasks, first.ID.String()).Checklist)
	})

	// A relative reminder of the next occurrence whose time passed before the occurrence
	// was made (a day before, completed two hours late) does not fire at once; one still
	// ahead does, and moving the due time arms the passed one again.
	t.Run("PassedReminderDoesNotFire", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		late := rDue.Add(2 * time.Hour)
		tasks, rec := newRecurrenceServices(db, late)
		first := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Stretch", DueAt: rfc3339(rDue), TimeZone: "Europe/Berlin",
			Recurrence: ptr("FREQ=DAILY"), Reminders: []taskwire.ReminderInput{{Before: ptr("PT15M")}, {Before: ptr("P1D")}}})
		MustComplete(t, ctx, tasks, first.ID)
		next, err := rec.HandleCompleted(context.Background(), MustTaskEvent(t, db, first.UserID, events.TypeTaskCompleted, first.ID))
		require.NoError(t, err)
		require.NotNil(t, next)
		pending := func() []string {
			t.Helper()
			rows, err := db.Pool.Query(context.Background(),
				`SELECT before FROM reminders WHERE task_id = $1 AND fired_at IS NULL ORDER BY position`, next.ID)
			require.NoError(t, err)
			out, err := pgx.CollectRows(rows, pgx.RowTo[string])
			require.NoError(t, err)
			return out
		}
		assert.Equal(t, []string{"PT15M"}, pending(), "P1D's time passed an hour before the occurrence was made")

		_, err = tasks.UpdateTask(ctx, next.ID.String(), "", []byte(`{"due_at": "2026-03-05T08:00:00Z"}`))
		require.NoError(t, err)
		assert.Equal(t, []string{"PT15M", "P1D"}, pending(), "moved, the reminder is armed again")
	})

	// An all-day series runs on days in its zone: the next occurrence is all-day too, due
	// until the end of its day; a day not yet over is not past; DST and the zone's offset
	// from UTC move nothing; its relative reminders count back from 09:00 on the new day.
	t.Run("AllDay", func(t *testing.T) {
		local := func(zone string, y int, m time.Month, d, h int) time.Time {
			t.Helper()
			loc, err := time.LoadLocation(zone)
			require.NoError(t, err)
			return time.Date(y, m, d, h, 0, 0, 0, loc)
		}
		for _, tt := range []struct {
			name, zone, rule, repeatFrom, due string
			done                              time.Time
			want                              string // the next due_date; "" for none
		}{
			{"on its day", "Europe/Berlin", "FREQ=DAILY", "", "2026-03-02", local("Europe/Berlin", 2026, 3, 2, 15), "2026-03-03"},
			{"late, on a day not yet over", "Europe/Berlin", "FREQ=DAILY", "", "2026-03-02", local("Europe/Berlin", 2026, 3, 5, 23), "2026-03-05"},
			{"early, the day before", "Europe/Berlin", "FREQ=DAILY", "", "2026-03-02", local("Europe/Berlin", 2026, 3, 1, 10), "2026-03-03"},
			{"across DST", "America/New_York", "FREQ=WEEKLY;BYDAY=MO,TH", "", "2026-03-05", local("America/New_York", 2026, 3, 5, 22), "2026-03-09"},
			{"the 31st", "Europe/Berlin", "FREQ=MONTHLY;BYMONTHDAY=31", "", "2026-01-31", local("Europe/Berlin", 2026, 1, 31, 8), "2026-03-31"},
			{"29 February", "UTC", "FREQ=YEARLY", "", "2028-02-29", local("UTC", 2028, 2, 29, 8), "2032-02-29"},
			{"its zone's day, not UTC's", "Pacific/Kiritimati", "FREQ=DAILY", "", "2026-03-02", local("Pacific/Kiritimati", 2026, 3, 3, 10), "2026-03-03"},
			{"from completion", "Europe/Berlin", "FREQ=DAILY;INTERVAL=2", "completion", "2026-03-02", local("Europe/Berlin", 2026, 3, 4, 10), "2026-03-06"},
			{"from a completion the day before", "Europe/Berlin", "FREQ=WEEKLY", "completion", "2026-03-02", local("Europe/Berlin", 2026, 3, 1, 10), "2026-03-08"},
			{"COUNT reached", "Europe/Berlin", "FREQ=DAILY;COUNT=1", "", "2026-03-02", local("Europe/Berlin", 2026, 3, 2, 9), ""},
			{"UNTIL a day", "Europe/Berlin", "FREQ=DAILY;UNTIL=20260303", "", "2026-03-02", local("Europe/Berlin", 2026, 3, 2, 9), "2026-03-03"},
			{"past UNTIL", "Europe/Berlin", "FREQ=DAILY;UNTIL=20260302", "", "2026-03-02", local("Europe/Berlin", 2026, 3, 2, 9), ""},
			// 23:59:59 on 2 March in New York, 3 March in UTC: the series' day is New York's.
			{"UNTIL a UTC time", "America/New_York", "FREQ=DAILY;UNTIL=20260303T045959Z", "", "2026-03-02", local("America/New_York", 2026, 3, 2, 9), ""},
			{"UNTIL a local time", "America/New_York", "FREQ=DAILY;UNTIL=20260303T080000", "", "2026-03-02", local("America/New_York", 2026, 3, 2, 9), "2026-03-03"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ctx, user := MustNewUser(t, db)
				tasks, rec := newRecurrenceServices(db, tt.done)
				first := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Pay rent", DueDate: &tt.due, TimeZone: tt.zone,
					Recurrence: &tt.rule, RepeatFrom: tt.repeatFrom, Reminders: []taskwire.ReminderInput{{Before: ptr("P1D")}}})
				MustComplete(t, ctx, tasks, first.ID)
				next, err := rec.HandleCompleted(context.Background(), MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
				require.NoError(t, err)
				if tt.want == "" {
					assert.Nil(t, next, "the series ended")
					return
				}
				require.NotNil(t, next)
				require.NotNil(t, next.DueDate, "the next occurrence is all-day")
				assert.Equal(t, tt.want, *next.DueDate)
				day, err := time.Parse(taskwire.DateLayout, tt.want)
				require.NoError(t, err)
				loc, err := time.LoadLocation(tt.zone)
				require.NoError(t, err)
				end := time.Date(day.Year(), day.Month(), day.Day(), 23, 59, 59, 0, loc)
				assert.True(t, end.Equal(*next.DueAt), "got due_at %s, want %s", next.DueAt.In(loc), end)
				require.Len(t, next.Reminders, 1)
				fire := time.Date(day.Year(), day.Month(), day.Day()-1, 9, 0, 0, 0, loc)
				assert.True(t, fire.Equal(*next.Reminders[0].FireAt), "got fire_at %s, want %s", next.Reminders[0].FireAt.In(loc), fire)
				stored := *next
				stored.UserID = ""
				assert.Equal(t, &stored, MustFindTask(t, ctx, tasks, next.ID.String()), "as stored")
			})
		}
	})

	t.Run("RedeliveredChangesNothing", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)
		e := MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID)

		for i := range 3 {
			next, err := rec.HandleCompleted(context.Background(), e)
			require.NoError(t, err, "delivery %d", i+1)
			if i == 0 {
				require.NotNil(t, next, "delivery 1: got no next occurrence, want one")
			} else {
				assert.Nil(t, next, "delivery %d: got another occurrence %+v, want none", i+1, next)
			}
		}
		assert.Equal(t, 2, seriesSize(t, db, *first.SeriesID), "got %d tasks in the series, want 2", seriesSize(t, db, *first.SeriesID))
		n := countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1 AND type = $2`, user, events.TypeTaskCreated)
		assert.Equal(t, 2, n, "got %d created events, want 2", n)
	})

	t.Run("ConcurrentDeliveries", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)
		e1 := MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID)
		// The same completion again, as a second event: reopened and completed anew.
		MustSetStatus(t, ctx, tasks, first.ID, taskwire.StatusOpen)
		MustComplete(t, ctx, tasks, first.ID)
		e2 := MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID)
		require.NotEqual(t, e1.ID(), e2.ID())

		var wg sync.WaitGroup
		results := make([]*taskwire.Task, 8)
		errs := make([]error, len(results))
		for i := range results {
			e := e1
			if i%2 == 1 {
				e = e2
			}
			wg.Go(func() { results[i], errs[i] = rec.HandleCompleted(context.Background(), e) })
		}
		wg.Wait()
		made := 0
		for i := range results {
			require.NoError(t, errs[i], "delivery %d", i)
			if results[i] != nil {
				made++
			}
		}
		assert.Equal(t, 1, made, "got %d next occurrences made, want 1", made)
		assert.Equal(t, 2, seriesSize(t, db, *first.SeriesID), "got %d tasks in the series, want 2", seriesSize(t, db, *first.SeriesID))
	})

	// Undoing a completion withdraws the occurrence it made while nobody has touched it;
	// completing again makes the next one anew, from where the schedule is then.
	t.Run("ReopenWithdrawsTheUntouchedNext", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)
		second := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, second)

		later := rDone.AddDate(0, 0, 5)
		tasks.Now, rec.Now = fixedClock(later), fixedClock(later.Add(time.Minute))
		MustSetStatus(t, ctx, tasks, first.ID, taskwire.StatusOpen)
		_, err := tasks.FindTask(ctx, second.ID.String())
		assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "the next occurrence is withdrawn: %v", err)
		assert.Equal(t, 1, seriesSize(t, db, *first.SeriesID))
		deleted := MustTaskEvent(t, db, user, events.TypeTaskDeleted, second.ID)
		assert.Equal(t, second.ID.String(), deleted.Subject(), "its deletion is announced, as any")

		MustComplete(t, ctx, tasks, first.ID)
		again := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, again)
		assert.True(t, rDue.AddDate(0, 0, 5).Equal(*again.DueAt), "got due_at %v, want the first not past", again.DueAt)
		assert.Equal(t, 2, seriesSize(t, db, *first.SeriesID))
	})

	// A next occurrence someone has edited is theirs: reopening and completing again
	// neither withdraws it nor makes a second one.
	t.Run("ReopenKeepsAnEditedNext", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)
		second := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, second)
		_, err := tasks.UpdateTask(ctx, second.ID.String(), "", []byte(`{"title": "recurring, with notes"}`))
		require.NoError(t, err)

		// Days later, when the schedule has moved on: still no second next occurrence.
		later := rDone.AddDate(0, 0, 5)
		tasks.Now, rec.Now = fixedClock(later), fixedClock(later.Add(time.Minute))
		MustSetStatus(t, ctx, tasks, first.ID, taskwire.StatusOpen)
		MustComplete(t, ctx, tasks, first.ID)
		again := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		assert.Nil(t, again, "got another next occurrence %+v, want none", again)
		assert.Equal(t, 2, seriesSize(t, db, *first.SeriesID), "got %d tasks in the series, want 2", seriesSize(t, db, *first.SeriesID))

		// The series goes on from the occurrence that is its latest, to the first
		// occurrence not past.
		MustComplete(t, ctx, tasks, second.ID)
		third := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, second.ID))
		require.NotNil(t, third)
		assert.True(t, rDue.AddDate(0, 0, 5).Equal(*third.DueAt), "got due_at %v, want %v", third.DueAt, rDue.AddDate(0, 0, 5))
		assert.Equal(t, int64(3), third.Number)
		assert.Equal(t, 6, seriesIndex(t, db, third.ID))
	})

	t.Run("StaleEventOfReopenedTask", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)
		stale := MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID)
		MustSetStatus(t, ctx, tasks, first.ID, taskwire.StatusOpen)

		assert.Nil(t, MustHandle(t, rec, stale), "got a next occurrence of a reopened task, want none")
		assert.Equal(t, 1, seriesSize(t, db, *first.SeriesID))

		MustComplete(t, ctx, tasks, first.ID)
		assert.NotNil(t, MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID)))
		assert.Equal(t, 2, seriesSize(t, db, *first.SeriesID))
	})

	t.Run("CountEndsTheSeries", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY;COUNT=2", "")
		MustComplete(t, ctx, tasks, first.ID)
		second := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, second, "got no second occurrence of COUNT=2, want one")

		MustComplete(t, ctx, tasks, second.ID)
		third := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, second.ID))
		assert.Nil(t, third, "got a third occurrence of COUNT=2, want none")
		assert.Equal(t, 2, seriesSize(t, db, *first.SeriesID))
	})

	// A COUNT given to a later occurrence counts the whole series: one that ended it
	// before this occurrence is refused (until 2026-12-06 it was taken, and the task
	// looked recurring while completing it made nothing); one that ends it here is not.
	t.Run("CountBeforeThisOccurrence", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY;COUNT=5", "")
		MustComplete(t, ctx, tasks, first.ID)
		second := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, second)
		MustComplete(t, ctx, tasks, second.ID)
		third := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, second.ID))
		require.NotNil(t, third)

		_, err := tasks.UpdateTask(ctx, third.ID.String(), "", []byte(`{"recurrence": "FREQ=DAILY;COUNT=2"}`))
		require.Error(t, err)
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
		assert.Equal(t, "recurrence", taskwire.ErrorField(err))
		assert.Contains(t, taskwire.ErrorMessage(err), "make it 3 or more")
		assert.Equal(t, "FREQ=DAILY;COUNT=5", *MustFindTask(t, ctx, tasks, third.ID.String()).Recurrence)

		ended := MustUpdateTask(t, ctx, tasks, third.ID.String(), `{"recurrence": "FREQ=DAILY;COUNT=3"}`)
		assert.Equal(t, "FREQ=DAILY;COUNT=3", *ended.Recurrence)
		MustComplete(t, ctx, tasks, third.ID)
		assert.Nil(t, MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, third.ID)), "the third of three is the last")
	})

	t.Run("CompletedLongAfterDue", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		late := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		tasks, rec := newRecurrenceServices(db, late)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)

		next := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, next)
		want := time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC) // the first 09:00 in Berlin not past
		assert.True(t, want.Equal(*next.DueAt), "got due_at %v, want %v", next.DueAt, want)
		// 3 to 11 March: nine occurrences on from the first, eight of them skipped.
		assert.Equal(t, 10, seriesIndex(t, db, next.ID), "got series_index %d, want 10", seriesIndex(t, db, next.ID))
	})

	// An event handled two days after the completion (an outage, a replayed dead letter)
	// makes the occurrence the completion would have made: the next day's, though it has
	// passed by now, not one two days on.
	t.Run("HandledLongAfterTheCompletion", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		done := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) // 08:00 in Berlin, before the 09:00 due
		tasks, rec := newRecurrenceServices(db, done)
		rec.Now = fixedClock(done.Add(48 * time.Hour))
		first := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "stretch", DueAt: rfc3339(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)),
			TimeZone: "Europe/Berlin", Recurrence: ptr("FREQ=DAILY")})
		MustComplete(t, ctx, tasks, first.ID)

		next := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, next)
		want := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
		assert.True(t, want.Equal(*next.DueAt), "got due_at %v, want %v", next.DueAt, want)
		assert.Equal(t, 2, seriesIndex(t, db, next.ID))
	})

	t.Run("AcrossDST", func(t *testing.T) {
		// Daily at 02:30 in Berlin: on 29 March 2026 that time does not exist and the
		// occurrence is at 03:30 (RFC 5545); the day after, 02:30 again.
		ctx, user := MustNewUser(t, db)
		start := time.Date(2026, 3, 28, 1, 30, 0, 0, time.UTC) // 02:30 CET
		tasks, rec := newRecurrenceServices(db, start.Add(-time.Hour))
		task := MustCreateTask(t, ctx, tasks, taskwire.NewTask{
			Title: "night shift", DueAt: rfc3339(start), TimeZone: "Europe/Berlin", Recurrence: ptr("FREQ=DAILY"),
		})
		for i, want := range []time.Time{
			time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), // 03:30 CEST
			time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC), // 02:30 CEST
			time.Date(2026, 3, 31, 0, 30, 0, 0, time.UTC), // 02:30 CEST
		} {
			MustComplete(t, ctx, tasks, task.ID)
			next := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, task.ID))
			require.NotNil(t, next, "occurrence %d", i+2)
			assert.True(t, want.Equal(*next.DueAt), "occurrence %d: got due_at %v, want %v", i+2, next.DueAt, want)
			task = next
		}
	})

	t.Run("FromCompletion", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		done := time.Date(2026, 3, 4, 17, 0, 0, 0, time.UTC) // 18:00 in Berlin, two days late
		tasks, rec := newRecurrenceServices(db, done)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY;INTERVAL=3", "completion")
		MustComplete(t, ctx, tasks, first.ID)

		next := MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID))
		require.NotNil(t, next)
		want := time.Date(2026, 3, 7, 8, 0, 0, 0, time.UTC) // 3 days after completing, at 09:00 in Berlin
		assert.True(t, want.Equal(*next.DueAt), "got due_at %v, want %v", next.DueAt, want)
		assert.Equal(t, taskwire.RepeatFromCompletion, next.RepeatFrom)
	})

	t.Run("NotRecurring", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		task := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "once", DueAt: rfc3339(rDue)})
		MustComplete(t, ctx, tasks, task.ID)

		assert.Nil(t, MustHandle(t, rec, MustTaskEvent(t, db, user, events.TypeTaskCompleted, task.ID)))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, user))
	})

	t.Run("NoLongerRecurring", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)
		e := MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID)
		MustUpdateTask(t, ctx, tasks, first.ID.String(), `{"recurrence":null}`)

		assert.Nil(t, MustHandle(t, rec, e))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, user))
	})

	// Completing the last of a series ("complete forever") takes its rule off in the same
	// change and event: no next occurrence, however often the event comes.
	t.Run("EndSeries", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "completion")

		done, err := tasks.EndSeries(ctx, strconv.FormatInt(first.Number, 10), "")
		require.NoError(t, err)
		assert.Equal(t, taskwire.StatusCompleted, done.Status)
		assert.Nil(t, done.Recurrence, "got recurrence %v, want the rule taken off", done.Recurrence)
		assert.Equal(t, taskwire.RepeatFromSchedule, done.RepeatFrom)
		require.NotNil(t, done.CompletedAt)
		e := MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID)
		data := mustReadTaskData(t, e)
		assert.Contains(t, data.Changes, "recurrence", "the completion's event says the rule went")
		assert.Contains(t, data.Changes, "status")
		for range 3 {
			assert.Nil(t, MustHandle(t, rec, e))
		}
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, user))

		again, err := tasks.EndSeries(ctx, first.ID.String(), "")
		require.NoError(t, err, "a retry of a series ended")
		assert.Equal(t, done.Version, again.Version, "a retry changes nothing")
	})

	t.Run("EndSeriesAfterTheSeriesWentOn", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, _ := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)

		_, err := tasks.EndSeries(ctx, first.ID.String(), "")
		assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err), "got %v", err)
		got := MustFindTask(t, ctx, tasks, first.ID.String())
		assert.NotNil(t, got.Recurrence, "a refused end leaves the rule")
	})

	t.Run("EndSeriesOfATaskWithoutRule", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		tasks, _ := newRecurrenceServices(db, rDone)
		task := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "once", DueAt: rfc3339(rDue)})
		done, err := tasks.EndSeries(ctx, task.ID.String(), "")
		require.NoError(t, err)
		assert.Equal(t, taskwire.StatusCompleted, done.Status)
	})

	t.Run("DeletedSince", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctx, tasks, first.ID)
		e := MustTaskEvent(t, db, user, events.TypeTaskCompleted, first.ID)
		require.NoError(t, tasks.DeleteTask(ctx, first.ID.String(), ""))

		assert.Nil(t, MustHandle(t, rec, e))
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, user))
		n := countRows(t, db, `SELECT count(*) FROM inbox WHERE consumer = 'recurrence' AND id = $1`, e.ID())
		assert.Equal(t, 1, n, "got %d inbox rows for the event, want it recorded as handled", n)
	})

	t.Run("OtherUsersTask", func(t *testing.T) {
		ctxA, a := MustNewUser(t, db)
		_, b := MustNewUser(t, db)
		tasks, rec := newRecurrenceServices(db, rDone)
		first := MustCreateRecurring(t, ctxA, tasks, "FREQ=DAILY", "")
		MustComplete(t, ctxA, tasks, first.ID)
		e := MustTaskEvent(t, db, a, events.TypeTaskCompleted, first.ID)
		// The same event, claiming to be b's: it runs as b, who cannot see a's task.
		forged := e.Clone()
		forged.SetID(uuid.NewString())
		data := mustReadTaskData(t, e)
		data.UserID = b
		require.NoError(t, forged.SetData(event.ApplicationJSON, data))

		assert.Nil(t, MustHandle(t, rec, forged), "got an occurrence made from another user's task")
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, a))
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, b))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1 AND type = $2`, a, events.TypeTaskCreated))
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1`, b))
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		_, rec := newRecurrenceServices(db, rDone)
		for _, tc := range []struct {
			name, typ, data string
		}{
			{"NotJSON", events.TypeTaskCompleted, `{"user_id":`},
			{"NoUser", events.TypeTaskCompleted, `{"task":{"id":"` + uuid.NewString() + `"}}`},
			{"NoTask", events.TypeTaskCompleted, `{"user_id":"someone"}`},
			{"NoTaskID", events.TypeTaskCompleted, `{"user_id":"someone","task":{"title":"x"}}`},
			{"OtherType", events.TypeTaskCreated, `{"user_id":"someone","task":{"id":"` + uuid.NewString() + `"}}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := event.New()
				e.SetID(uuid.NewString())
				e.SetSource(events.SourceTasks)
				e.SetType(tc.typ)
				require.NoError(t, e.SetData(event.ApplicationJSON, []byte(tc.data)))
				next, err := rec.HandleCompleted(context.Background(), e)
				requireCode(t, err, taskwire.EINVALID)
				assert.Nil(t, next)
				n := countRows(t, db, `SELECT count(*) FROM inbox WHERE id = $1`, e.ID())
				assert.Zero(t, n, "got the refused event recorded as handled")
			})
		}
	})
}

// newRecurrenceServices returns the task store and the recurrence service, their clocks
// at now and a minute later: the completion, then its event's handling.
func newRecurrenceServices(db *postgres.DB, now time.Time) (*postgres.TaskService, *postgres.RecurrenceService) {
	tasks := postgres.NewTaskService(db)
	tasks.Now = fixedClock(now)
	rec := postgres.NewRecurrenceService(db)
	rec.Now = fixedClock(now.Add(time.Minute))
	return tasks, rec
}

// MustCreateRecurring creates a task due at rDue (09:00 in Berlin) that recurs by rule,
// repeating from repeatFrom ("" for the schedule).
func MustCreateRecurring(tb testing.TB, ctx context.Context, svc *postgres.TaskService, rule, repeatFrom string) *taskwire.Task {
	tb.Helper()
	return MustCreateTask(tb, ctx, svc, taskwire.NewTask{
		Title: "recurring", DueAt: rfc3339(rDue), TimeZone: "Europe/Berlin", Recurrence: &rule, RepeatFrom: repeatFrom,
	})
}

// MustComplete completes the task with id.
func MustComplete(tb testing.TB, ctx context.Context, svc *postgres.TaskService, id uuid.UUID) *taskwire.Task {
	tb.Helper()
	return MustSetStatus(tb, ctx, svc, id, taskwire.StatusCompleted)
}

// MustSetStatus sets the status of the task with id.
func MustSetStatus(tb testing.TB, ctx context.Context, svc *postgres.TaskService, id uuid.UUID, status taskwire.Status) *taskwire.Task {
	tb.Helper()
	task, err := svc.SetStatus(ctx, id.String(), "", status)
	require.NoError(tb, err, "set status of %s to %s", id, status)
	require.Equal(tb, status, task.Status)
	return task
}

// MustTaskEvent returns the latest outbox event of type typ about task id, as the relay
// would publish it.
func MustTaskEvent(tb testing.TB, db *postgres.DB, user, typ string, id uuid.UUID) event.Event {
	tb.Helper()
	var row outboxRow
	err := db.Pool.QueryRow(context.Background(), `
		SELECT id, type, source, subject, time, data FROM outbox
		WHERE user_id = $1 AND type = $2 AND subject = $3 ORDER BY seq DESC LIMIT 1`, user, typ, id.String()).
		Scan(&row.ID, &row.Type, &row.Source, &row.Subject, &row.Time, &row.Data)
	require.NoError(tb, err, "the latest %s event of task %s", typ, id)
	e := event.New()
	e.SetID(row.ID.String())
	e.SetSource(row.Source)
	e.SetType(row.Type)
	e.SetSubject(row.Subject)
	e.SetTime(row.Time)
	require.NoError(tb, e.SetData(event.ApplicationJSON, row.Data))
	require.NoError(tb, e.Validate())
	return e
}

// MustHandle hands e to the recurrence service and returns the occurrence it made.
func MustHandle(tb testing.TB, rec *postgres.RecurrenceService, e event.Event) *taskwire.Task {
	tb.Helper()
	next, err := rec.HandleCompleted(context.Background(), e)
	require.NoError(tb, err, "handle event %s", e.ID())
	return next
}

func mustReadTaskData(tb testing.TB, e event.Event) events.TaskData {
	tb.Helper()
	data, err := events.ReadTaskData(e)
	require.NoError(tb, err)
	return data
}

// seriesIndex returns the stored series_index of the task with id.
func seriesIndex(tb testing.TB, db *postgres.DB, id uuid.UUID) int {
	tb.Helper()
	return countRows(tb, db, `SELECT series_index FROM tasks WHERE id = $1`, id)
}

// seriesSize counts the tasks of a series.
func seriesSize(tb testing.TB, db *postgres.DB, series uuid.UUID) int {
	tb.Helper()
	return countRows(tb, db, `SELECT count(*) FROM tasks WHERE series_id = $1`, series)
}

// TestCommitNewTask checks the guard of a series' positions: a new task at a position its
// series holds already writes nothing (no task, reminder or event), and the same task at a
// free position is written whole, its event carrying the number it was given.
func TestCommitNewTask(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	tasks := postgres.NewTaskService(db)
	first := MustCreateRecurring(t, ctx, tasks, "FREQ=DAILY", "")
	events0 := countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1`, user)

	newOccurrence := func() *taskwire.Task {
		t.Helper()
		due := rDue.AddDate(0, 0, 1)
		fireAt := due.Add(-15 * time.Minute)
		return &taskwire.Task{
			ID: uuid.Must(uuid.NewV7()), UserID: user, Title: "recurring", Status: taskwire.StatusOpen,
			Tags: []string{}, Checklist: []taskwire.Step{}, DueAt: &due, TimeZone: "Europe/Berlin", Recurrence: first.Recurrence,
			RepeatFrom: taskwire.RepeatFromSchedule, SeriesID: first.SeriesID, Version: 1,
			CreatedAt: rDone, UpdatedAt: rDone,
			Reminders: []taskwire.Reminder{{ID: uuid.Must(uuid.NewV7()), Before: "PT15M", FireAt: &fireAt}},
		}
	}

	taken := newOccurrence()
	inserted, seq, err := postgres.CommitNewTask(ctx, db, taken, 1)
	require.NoError(t, err)
	assert.False(t, inserted, "got the task inserted at a position its series holds, want not")
	assert.Zero(t, seq, "got an event at position %d, want none", seq)
	assert.Zero(t, countRows(t, db, `SELECT count(*) FROM tasks WHERE id = $1`, taken.ID))
	assert.Zero(t, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1`, taken.ID))
	assert.Equal(t, events0, countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1`, user), "got an event written")

	free := newOccurrence()
	inserted, seq, err = postgres.CommitNewTask(ctx, db, free, 2)
	require.NoError(t, err)
	require.True(t, inserted, "got the task not inserted at a free position")
	assert.NotZero(t, seq)
	assert.Greater(t, free.Number, first.Number, "got number %d, want one after %d", free.Number, first.Number)
	assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1`, free.ID))
	data, err := events.ReadTaskData(MustTaskEvent(t, db, user, events.TypeTaskCreated, free.ID))
	require.NoError(t, err)
	assert.Equal(t, free.Number, data.Task.Number, "got the event's number %d, want %d", data.Task.Number, free.Number)
	assert.Equal(t, free.ID, data.Task.ID)
}
