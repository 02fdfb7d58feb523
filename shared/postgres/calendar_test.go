package postgres_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestCalendarService_Feed(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewCalendarService(db)
	ctx, user := MustNewUser(t, db)
	otherCtx, _ := MustNewUser(t, db)

	_, err := svc.CalendarFeed(ctx)
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v, want no feed yet", err)

	created := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	svc.Now = fixedClock(created)
	feed, err := svc.CreateCalendarFeed(ctx)
	require.NoError(t, err)
	assert.True(t, taskwire.ValidCalendarToken(feed.Token), "token %q", feed.Token)
	assert.True(t, created.Equal(feed.CreatedAt))
	found, err := svc.CalendarFeed(ctx)
	require.NoError(t, err)
	assert.Equal(t, feed, found)
	owner, seq, err := svc.CalendarOwner(t.Context(), feed.Token)
	require.NoError(t, err)
	assert.Equal(t, user, owner)
	assert.Zero(t, seq, "no event yet")
	// Each change of the user's tasks moves the position of their latest event on.
	tasks := postgres.NewTaskService(db)
	task := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Dentist", DueAt: ptr("2030-05-01T09:00:00Z")})
	_, created1, err := svc.CalendarOwner(t.Context(), feed.Token)
	require.NoError(t, err)
	assert.Positive(t, created1)
	MustUpdateTask(t, ctx, tasks, task.ID.String(), `{"title": "Dentist, Dr. Weiß"}`)
	_, updated, err := svc.CalendarOwner(t.Context(), feed.Token)
	require.NoError(t, err)
	assert.Greater(t, updated, created1)
	// A reminder that fires writes an event of the user's too, but the feed shows nothing
	// of it (its alarms are the reminders as set): the position stays.
	MustCreateRemindedTask(t, ctx, tasks, "Call", nil, remindBase.Add(-time.Minute))
	MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Pay the bill", DueAt: rfc3339(remindBase.Add(-time.Hour))}) // for the summary
	_, before, err := svc.CalendarOwner(t.Context(), feed.Token)
	require.NoError(t, err)
	rs := NewReminderServiceAt(db, "calendar-test", remindBase)
	dues := MustClaim(t, rs, user, time.Minute, time.Minute)
	require.Len(t, dues, 1)
	fired, err := rs.Fire(t.Context(), dues...)
	require.NoError(t, err)
	require.Equal(t, 1, fired)
	require.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1 AND type = $2`, user, events.TypeReminderDue))
	_, after, err := svc.CalendarOwner(t.Context(), feed.Token)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a fired reminder changes nothing the feed shows")
	// Nor does a daily summary.
	_, err = postgres.NewUserService(db).UpdateMe(ctx, []byte(`{"daily_summary_at": "08:00"}`))
	require.NoError(t, err)
	_, err = db.Pool.Exec(ctx, `UPDATE users SET summary_next = $2 WHERE id = $1`, user, remindBase.Add(-time.Minute))
	require.NoError(t, err)
	_, err = rs.SendSummaries(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1 AND type = $2`, user, events.TypeSummaryDue))
	_, after, err = svc.CalendarOwner(t.Context(), feed.Token)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a daily summary changes nothing the feed shows")

	// Another user's feed has a token of its own, and theirs is not this user's.
	theirs, err := svc.CreateCalendarFeed(otherCtx)
	require.NoError(t, err)
	assert.NotEqual(t, feed.Token, theirs.Token)
	mine, err := svc.CalendarFeed(ctx)
	require.NoError(t, err)
	assert.Equal(t, feed.Token, mine.Token)

	// A new feed replaces the old, whose token finds no one.
	svc.Now = fixedClock(created.Add(time.Hour))
	replaced, err := svc.CreateCalendarFeed(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, feed.Token, replaced.Token)
	_, _, err = svc.CalendarOwner(t.Context(), feed.Token)
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v for the replaced token", err)
	owner, _, err = svc.CalendarOwner(t.Context(), replaced.Token)
	require.NoError(t, err)
	assert.Equal(t, user, owner)

	require.NoError(t, svc.DeleteCalendarFeed(ctx))
	_, _, err = svc.CalendarOwner(t.Context(), replaced.Token)
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v for the deleted feed's token", err)
	require.NoError(t, svc.DeleteCalendarFeed(ctx), "deleting no feed is no error")
	_, _, err = svc.CalendarOwner(t.Context(), theirs.Token)
	assert.NoError(t, err, "the other user's feed stays")

	_, _, err = svc.CalendarOwner(t.Context(), "not a token")
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v for a malformed token", err)
}

func TestCalendarService_Tasks(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewCalendarService(db)
	tasks := postgres.NewTaskService(db)
	ctx, _ := MustNewUser(t, db)
	otherCtx, _ := MustNewUser(t, db)

	at := func(s string) *string { return &s }
	berlin := []*taskwire.Task{
		MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "b2", DueAt: at("2026-12-05T09:00:00+01:00"), TimeZone: "Europe/Berlin",
			Reminders: []taskwire.ReminderInput{{Before: ptr("PT15M")}}}),
		MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "b1", DueAt: at("2026-12-03T09:00:00+01:00"), TimeZone: "Europe/Berlin"}),
	}
	MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "ny", DueAt: at("2026-12-04T09:00:00-05:00"), TimeZone: "America/New_York"})
	MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "someday"})
	done := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "done", DueAt: at("2026-11-01T09:00:00Z"), TimeZone: "Asia/Tokyo"})
	_, err := tasks.SetStatus(ctx, done.ID.String(), "", taskwire.StatusCompleted)
	require.NoError(t, err)
	MustCreateTask(t, otherCtx, tasks, taskwire.NewTask{Title: "theirs", DueAt: at("2026-12-01T09:00:00Z"), TimeZone: "Asia/Kolkata"})

	zones, err := svc.CalendarZones(ctx)
	require.NoError(t, err)
	require.Len(t, zones, 2, "open tasks with a due time only, and this user's: %v", zones)
	assert.True(t, berlin[1].DueAt.Equal(zones["Europe/Berlin"]), "the earliest in Berlin: %v", zones["Europe/Berlin"])
	assert.Contains(t, zones, "America/New_York")

	// A page at a time, by due time.
	var titles []string
	var after *taskwire.Task
	for {
		page, err := svc.CalendarTasks(ctx, after, 2)
		require.NoError(t, err)
		for _, st := range page {
			titles = append(titles, st.Title)
			assert.Equal(t, 1, st.Index, "%s stands alone", st.Title)
			if st.ID == berlin[0].ID {
				assert.Equal(t, berlin[0].Reminders, st.Reminders)
			}
		}
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].Task
	}
	assert.Equal(t, []string{"b1", "ny", "b2"}, titles)
}
