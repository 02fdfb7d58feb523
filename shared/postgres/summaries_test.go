package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A user whose summary time has come gets one summary.due event of their day: the open
// tasks due that day in their zone (at a time, passed or not, or all day, in any zone)
// and those overdue, the day's first; nothing done, undated, later or another user's.
// The summary moves to the next day's time, and sending again the same day sends nothing.
func TestReminderService_SendSummaries(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	at := func(day, clock int) time.Time { // 2026-03-<day> <clock>:00 in Berlin
		return time.Date(2026, 3, day, clock, 0, 0, 0, berlin)
	}

	ctx, user := MustNewUserWithSummary(t, db, "Europe/Berlin", "07:30", at(5, 7).Add(30*time.Minute))
	task := func(in taskwire.NewTask) *taskwire.Task {
		t.Helper()
		if in.TimeZone == "" {
			in.TimeZone = "Europe/Berlin"
		}
		return MustCreateTask(t, ctx, svc, in)
	}
	standup := task(taskwire.NewTask{Title: "standup", Priority: "high", DueAt: rfc3339(at(5, 9))})
	early := task(taskwire.NewTask{Title: "early run", DueAt: rfc3339(at(5, 6))})
	rent := task(taskwire.NewTask{Title: "pay rent", DueDate: ptr("2026-03-05")})
	tokyo := task(taskwire.NewTask{Title: "call Tokyo office", DueDate: ptr("2026-03-05"), TimeZone: "Asia/Tokyo"})
	taxes := task(taskwire.NewTask{Title: "taxes", Priority: "urgent", DueAt: rfc3339(at(2, 17))})
	card := task(taskwire.NewTask{Title: "birthday card", DueDate: ptr("2026-03-04")})
	task(taskwire.NewTask{Title: "after midnight", DueAt: rfc3339(at(6, 0))})
	task(taskwire.NewTask{Title: "undated"})
	done := task(taskwire.NewTask{Title: "done already", DueAt: rfc3339(at(5, 10))})
	_, err = svc.SetStatus(ctx, done.ID.String(), "", taskwire.StatusCompleted)
	require.NoError(t, err)
	otherCtx, _ := MustNewUser(t, db)
	MustCreateTask(t, otherCtx, svc, taskwire.NewTask{Title: "someone else's", DueAt: rfc3339(at(5, 9))})

	rs := NewReminderServiceAt(db, "holder-a", at(5, 7).Add(30*time.Minute+200*time.Millisecond).UTC())
	sent, err := rs.SendSummaries(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	summaries := MustListSummaries(t, db, user)
	require.Len(t, summaries, 1)
	row, data := summaries[0].row, summaries[0].data
	assert.Equal(t, events.SummaryEventID(user, "2026-03-05"), row.ID.String())
	assert.Equal(t, events.SourceReminders, row.Source)
	assert.Equal(t, "2026-03-05", row.Subject)
	assert.Equal(t, "2026-03-05", data.Date)
	assert.Equal(t, "Europe/Berlin", data.TimeZone)
	assert.Equal(t, 6, data.Total)
	assert.Equal(t, 2, data.Overdue)
	var titles []string
	for _, st := range data.Tasks {
		titles = append(titles, st.Title)
	}
	// The day's by due time (an all-day task's is its day's end), then the overdue.
	assert.Equal(t, []string{early.Title, standup.Title, tokyo.Title, rent.Title, taxes.Title, card.Title}, titles)
	assert.Equal(t, events.SummaryTask{ID: standup.ID, Number: standup.Number, Title: "standup", Priority: taskwire.PriorityHigh,
		DueAt: at(5, 9).UTC(), TimeZone: "Europe/Berlin"}, data.Tasks[1])
	assert.Equal(t, ptr("2026-03-05"), data.Tasks[3].DueDate)
	assert.False(t, data.Tasks[3].Overdue)
	assert.True(t, data.Tasks[4].Overdue)
	assert.Equal(t, taskwire.PriorityUrgent, data.Tasks[4].Priority)
	assert.True(t, data.Tasks[5].Overdue)
	assert.Equal(t, ptr("2026-03-04"), data.Tasks[5].DueDate)
	assert.Equal(t, at(6, 7).Add(30*time.Minute).UTC(), MustSummaryNext(t, db, user), "next due the next day at 07:30")

	sent, err = rs.SendSummaries(context.Background())
	require.NoError(t, err)
	assert.Zero(t, sent, "sent again the same minute")
	assert.Len(t, MustListSummaries(t, db, user), 1)

	// The next day's, three days late: one, of the day it is sent on.
	rs.Now = fixedClock(at(9, 12).UTC())
	sent, err = rs.SendSummaries(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	summaries = MustListSummaries(t, db, user)
	require.Len(t, summaries, 2)
	assert.Equal(t, "2026-03-09", summaries[1].data.Date)
	assert.Equal(t, 7, summaries[1].data.Overdue, "everything due by the 6th is overdue on the 9th")
	assert.Equal(t, at(10, 7).Add(30*time.Minute).UTC(), MustSummaryNext(t, db, user))
}

// A day with nothing due and nothing overdue sends nothing, and the summary still moves on.
func TestReminderService_SendSummaries_NothingDue(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	now := time.Date(2026, 6, 1, 5, 0, 0, 0, time.UTC)
	ctx, user := MustNewUserWithSummary(t, db, "America/New_York", "00:30", now.Add(-time.Hour))
	MustCreateTask(t, ctx, postgres.NewTaskService(db), taskwire.NewTask{Title: "next week", DueDate: ptr("2026-06-08"),
		TimeZone: "America/New_York"})

	rs := NewReminderServiceAt(db, "holder-a", now)
	_, err := rs.SendSummaries(context.Background())
	require.NoError(t, err)
	assert.Empty(t, MustListSummaries(t, db, user))
	// 05:00 UTC is 01:00 in New York (EDT): 00:30 comes next on 2 June, at 04:30 UTC.
	assert.Equal(t, time.Date(2026, 6, 2, 4, 30, 0, 0, time.UTC), MustSummaryNext(t, db, user))
}

// Setting the summary's time, or the zone it is read in, moves it to that time's next
// coming; other settings leave it; clearing it clears both.
func TestUserService_UpdateMe_DailySummary(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	ctx, user := MustNewUser(t, db)

	// The server reads its clock between before and after, and a run may cross 08:15:
	// the next summary is the one after either (a minute's slack for the clocks).
	nextAround := func(before, after time.Time, zone string) []time.Time {
		return []time.Time{taskwire.NextSummary(before.Add(-time.Minute), "08:15", zone), taskwire.NextSummary(after, "08:15", zone)}
	}
	before := time.Now()
	me, err := users.UpdateMe(ctx, []byte(`{"time_zone": "Asia/Kolkata", "daily_summary_at": "08:15"}`))
	require.NoError(t, err)
	assert.Equal(t, ptr("08:15"), me.DailySummaryAt)
	next := MustSummaryNext(t, db, user)
	assert.Contains(t, nextAround(before, time.Now(), "Asia/Kolkata"), next, "the next 08:15 in Kolkata")

	// Sent today: a change of email leaves it; a change of zone moves it.
	_, err = db.Pool.Exec(context.Background(), `UPDATE users SET summary_next = summary_next + interval '1 day' WHERE id = $1`, user)
	require.NoError(t, err)
	_, err = users.UpdateMe(ctx, []byte(`{"email": "ada@example.com"}`))
	require.NoError(t, err)
	assert.Equal(t, next.Add(24*time.Hour), MustSummaryNext(t, db, user))
	before = time.Now()
	me, err = users.UpdateMe(ctx, []byte(`{"time_zone": "UTC"}`))
	require.NoError(t, err)
	assert.Contains(t, nextAround(before, time.Now(), "UTC"), MustSummaryNext(t, db, user), "the next 08:15 in UTC")
	found, err := users.FindMe(ctx)
	require.NoError(t, err)
	assert.Equal(t, me, found)

	_, err = users.UpdateMe(ctx, []byte(`{"daily_summary_at": null}`))
	require.NoError(t, err)
	var cleared bool
	require.NoError(t, db.Pool.QueryRow(context.Background(),
		`SELECT summary_at IS NULL AND summary_next IS NULL FROM users WHERE id = $1`, user).Scan(&cleared))
	assert.True(t, cleared)
}

// MustNewUserWithSummary returns a new user in zone tz with a daily summary at at, next
// due at next.
func MustNewUserWithSummary(tb testing.TB, db *postgres.DB, tz, at string, next time.Time) (context.Context, string) {
	tb.Helper()
	ctx, user := MustNewUser(tb, db)
	patch, err := json.Marshal(map[string]string{"time_zone": tz, "daily_summary_at": at})
	require.NoError(tb, err)
	_, err = postgres.NewUserService(db).UpdateMe(ctx, patch)
	require.NoError(tb, err)
	_, err = db.Pool.Exec(context.Background(), `UPDATE users SET summary_next = $2 WHERE id = $1`, user, next)
	require.NoError(tb, err)
	return ctx, user
}

// MustSummaryNext returns when user's daily summary is next due.
func MustSummaryNext(tb testing.TB, db *postgres.DB, user string) time.Time {
	tb.Helper()
	var next time.Time
	require.NoError(tb, db.Pool.QueryRow(context.Background(), `SELECT summary_next FROM users WHERE id = $1`, user).Scan(&next))
	return next.UTC()
}

// summaryRow is a summary.due event in the outbox and its data.
type summaryRow struct {
	row  outboxRow
	data events.SummaryData
}

// MustListSummaries returns user's summary.due outbox rows in the order they were written.
func MustListSummaries(tb testing.TB, db *postgres.DB, user string) []summaryRow {
	tb.Helper()
	var out []summaryRow
	for _, r := range MustListOutbox(tb, db, user) {
		if r.Type != events.TypeSummaryDue {
			continue
		}
		var d events.SummaryData
		require.NoError(tb, json.Unmarshal(r.Data, &d), "data of event %s", r.ID)
		for i := range d.Tasks {
			d.Tasks[i].DueAt = d.Tasks[i].DueAt.UTC()
		}
		out = append(out, summaryRow{r, d})
	}
	return out
}
