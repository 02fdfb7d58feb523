package taskwire_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// An all-day task is due until the last second of its day in its zone, whatever the
// zone's offset and even when a DST change falls at midnight (Havana moves its clocks at
// 00:00, so that 8 March 2026 begins at 01:00 and 1 November 2026 begins twice).
func TestEndOfDay(t *testing.T) {
	cst, cdt := time.FixedZone("CST", -5*3600), time.FixedZone("CDT", -4*3600)
	for _, tt := range []struct {
		zone string
		day  string
		want time.Time
	}{
		{"Europe/Berlin", "2026-12-04", time.Date(2026, 12, 4, 23, 59, 59, 0, time.FixedZone("CET", 3600))},
		{"Pacific/Kiritimati", "2026-12-04", time.Date(2026, 12, 4, 9, 59, 59, 0, time.UTC)},
		{"Pacific/Pago_Pago", "2026-12-04", time.Date(2026, 12, 5, 10, 59, 59, 0, time.UTC)},
		{"America/Havana", "2026-03-07", time.Date(2026, 3, 7, 23, 59, 59, 0, cst)},   // the next day starts at 01:00 CDT
		{"America/Havana", "2026-03-08", time.Date(2026, 3, 8, 23, 59, 59, 0, cdt)},   // a day of 23 hours
		{"America/Havana", "2026-10-31", time.Date(2026, 10, 31, 23, 59, 59, 0, cdt)}, // before the first of two midnights
		{"America/Havana", "2026-11-01", time.Date(2026, 11, 1, 23, 59, 59, 0, cst)},  // a day of 25 hours
	} {
		loc, err := time.LoadLocation(tt.zone)
		require.NoError(t, err)
		day, err := time.Parse(taskwire.DateLayout, tt.day)
		require.NoError(t, err)
		end := taskwire.EndOfDay(day, loc)
		assert.True(t, tt.want.Equal(end), "%s %s: got %s, want %s", tt.zone, tt.day, end.In(loc), tt.want)
		assert.Equal(t, tt.day, taskwire.DayOf(end, loc).Format(taskwire.DateLayout), "%s: the day back", tt.zone)
		assert.NotEqual(t, tt.day, taskwire.DayOf(end.Add(time.Second), loc).Format(taskwire.DateLayout), "%s: a second later is the next day", tt.zone)
	}
}

// due_date makes an all-day task in the request's zone; it is not taken with due_at, nor
// without a zone to read it in, nor when it is no day.
func TestNewTask_DueDate(t *testing.T) {
	f, err := taskwire.NewTask{Title: "Pay rent", DueDate: new("2026-12-01"), TimeZone: "America/New_York"}.Fields()
	require.NoError(t, err)
	assert.True(t, f.AllDay)
	assert.Equal(t, time.Date(2026, 12, 2, 4, 59, 59, 0, time.UTC), *f.DueAt)
	assert.Equal(t, "2026-12-01", *taskwire.DueDate(f.DueAt, f.TimeZone, f.AllDay))

	timed, err := taskwire.NewTask{Title: "Call", DueAt: new("2026-12-01T10:00:00Z")}.Fields()
	require.NoError(t, err)
	assert.False(t, timed.AllDay)
	assert.Nil(t, taskwire.DueDate(timed.DueAt, "UTC", timed.AllDay), "a task due at a time has no due_date")

	for _, tt := range []struct {
		name string
		in   taskwire.NewTask
	}{
		{"both", taskwire.NewTask{Title: "x", DueDate: new("2026-12-01"), DueAt: new("2026-12-01T10:00:00Z"), TimeZone: "UTC"}},
		{"no zone", taskwire.NewTask{Title: "x", DueDate: new("2026-12-01")}},
		{"a time", taskwire.NewTask{Title: "x", DueDate: new("2026-12-01T10:00:00Z"), TimeZone: "UTC"}},
		{"no such day", taskwire.NewTask{Title: "x", DueDate: new("2026-02-30"), TimeZone: "UTC"}},
		{"year 10000 in UTC", taskwire.NewTask{Title: "x", DueDate: new("9999-12-31"), TimeZone: "America/New_York"}},
	} {
		_, err := tt.in.Fields()
		require.Error(t, err, tt.name)
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err), tt.name)
		assert.Equal(t, "due_date", taskwire.ErrorField(err), tt.name)
	}
}

// An all-day task repeats on days: a rule that sets times of day is refused.
func TestNewTask_AllDayRuleNamesDays(t *testing.T) {
	for rule, ok := range map[string]bool{
		"FREQ=WEEKLY;BYDAY=MO,TH":             true,
		"FREQ=MONTHLY;BYMONTHDAY=-1":          true,
		"FREQ=DAILY;INTERVAL=2;COUNT=5":       true,
		"FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=15": true,
		"FREQ=HOURLY;INTERVAL=8":              false,
		"FREQ=DAILY;BYHOUR=9,17":              false,
		"FREQ=WEEKLY;BYMINUTE=30":             false,
		"FREQ=DAILY;BYSECOND=0":               false,
	} {
		_, err := taskwire.NewTask{Title: "x", DueDate: new("2026-12-07"), TimeZone: "UTC", Recurrence: new(rule)}.Fields()
		if ok {
			assert.NoError(t, err, rule)
			continue
		}
		assert.Equal(t, "recurrence", taskwire.ErrorField(err), "%s: %v", rule, err)
	}
}

// An all-day series is checked as it runs, on days: an UNTIL time is the day it falls on
// in the task's zone, so one earlier in the due day keeps that day's occurrence.
func TestNewTask_AllDaySeriesCheckedOnDays(t *testing.T) {
	for rule, ok := range map[string]bool{
		"FREQ=DAILY;UNTIL=20260302T120000Z": true,  // 07:00 on 2 March in New York
		"FREQ=DAILY;UNTIL=20260302T080000":  true,  // a local time on the due day
		"FREQ=DAILY;UNTIL=20260302T040000Z": false, // 23:00 on 1 March in New York
		"FREQ=DAILY;UNTIL=20260301":         false,
	} {
		_, err := taskwire.NewTask{Title: "x", DueDate: new("2026-03-02"), TimeZone: "America/New_York", Recurrence: new(rule)}.Fields()
		if ok {
			assert.NoError(t, err, rule)
			continue
		}
		assert.Equal(t, "recurrence", taskwire.ErrorField(err), "%s: %v", rule, err)
	}
}

// Relative reminders of an all-day task count back from 09:00 on its day, in its zone,
// on the days DST changes too; absolute ones are where they are.
func TestReminderSpecFireAt_AllDay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	// 29 March 2026: Berlin moves to summer time at 02:00.
	due := taskwire.EndOfDay(time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), berlin)
	for before, want := range map[string]time.Time{
		"PT0S": time.Date(2026, 3, 29, 9, 0, 0, 0, berlin),
		"PT1H": time.Date(2026, 3, 29, 8, 0, 0, 0, berlin),
		"P1D":  time.Date(2026, 3, 28, 9, 0, 0, 0, berlin),
		"P1W":  time.Date(2026, 3, 22, 9, 0, 0, 0, berlin),
		"PT9H": time.Date(2026, 3, 28, 23, 0, 0, 0, berlin), // elapsed hours: 09:00 CEST less 9 on a day of 23 hours
	} {
		got := taskwire.ReminderSpec{Before: before}.FireAt(&due, "Europe/Berlin", true)
		require.NotNil(t, got, before)
		assert.True(t, want.Equal(*got), "%s: got %s, want %s", before, got.In(berlin), want)
	}
	at := time.Date(2026, 3, 27, 18, 0, 0, 0, time.UTC)
	got := taskwire.ReminderSpec{At: &at}.FireAt(&due, "Europe/Berlin", true)
	assert.Equal(t, at, *got)
}

// A patch moves a task between a day and a time: due_date makes it all-day, due_at timed,
// both at once is refused, and null in either clears the due, naming the member sent when
// something still hangs on it. A new zone keeps an all-day task's day.
func TestApplyPatch_DueDate(t *testing.T) {
	cur, err := taskwire.NewTask{Title: "x", DueAt: new("2026-12-04T10:00:00Z"), TimeZone: "Europe/Berlin"}.Fields()
	require.NoError(t, err)

	allDay, err := taskwire.ApplyPatch(cur, []byte(`{"due_date": "2026-12-05"}`))
	require.NoError(t, err)
	assert.True(t, allDay.AllDay)
	assert.Equal(t, time.Date(2026, 12, 5, 22, 59, 59, 0, time.UTC), *allDay.DueAt)

	// Sent by a client that writes every member: the null one says nothing more.
	both, err := taskwire.ApplyPatch(allDay, []byte(`{"due_at": "2026-12-06T08:00:00Z", "due_date": null}`))
	require.NoError(t, err)
	assert.False(t, both.AllDay)
	assert.Equal(t, time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC), *both.DueAt)

	_, err = taskwire.ApplyPatch(cur, []byte(`{"due_at": "2026-12-06T08:00:00Z", "due_date": "2026-12-06"}`))
	assert.Equal(t, "due_date", taskwire.ErrorField(err), "%v", err)

	moved, err := taskwire.ApplyPatch(allDay, []byte(`{"time_zone": "America/Los_Angeles"}`))
	require.NoError(t, err)
	assert.True(t, moved.AllDay)
	assert.Equal(t, time.Date(2026, 12, 6, 7, 59, 59, 0, time.UTC), *moved.DueAt, "the same day, in Los Angeles")
	timedMoved, err := taskwire.ApplyPatch(cur, []byte(`{"time_zone": "America/Los_Angeles"}`))
	require.NoError(t, err)
	assert.Equal(t, *cur.DueAt, *timedMoved.DueAt, "a timed task keeps its instant")

	last, err := taskwire.ApplyPatch(cur, []byte(`{"due_date": "9999-12-31"}`))
	require.NoError(t, err, "its end in Berlin is in 9999 in UTC too")
	_, err = taskwire.ApplyPatch(last, []byte(`{"time_zone": "America/Los_Angeles"}`))
	assert.Equal(t, "time_zone", taskwire.ErrorField(err), "its end in Los Angeles is in the year 10000 in UTC: %v", err)

	cleared, err := taskwire.ApplyPatch(allDay, []byte(`{"due_date": null}`))
	require.NoError(t, err)
	assert.Nil(t, cleared.DueAt)
	assert.False(t, cleared.AllDay)

	repeating, err := taskwire.ApplyPatch(allDay, []byte(`{"recurrence": "FREQ=WEEKLY"}`))
	require.NoError(t, err)
	_, err = taskwire.ApplyPatch(repeating, []byte(`{"due_date": null}`))
	assert.Equal(t, "due_date", taskwire.ErrorField(err), "%v", err)
	_, err = taskwire.ApplyPatch(repeating, []byte(`{"due_at": null}`))
	assert.Equal(t, "due_at", taskwire.ErrorField(err), "%v", err)
	_, err = taskwire.ApplyPatch(repeating, []byte(`{"recurrence": "FREQ=DAILY;BYHOUR=9"}`))
	assert.Equal(t, "recurrence", taskwire.ErrorField(err), "an all-day task's rule names days: %v", err)
	timedRule, err := taskwire.ApplyPatch(repeating, []byte(`{"due_at": "2026-12-06T08:00:00Z", "recurrence": "FREQ=DAILY;BYHOUR=9"}`))
	require.NoError(t, err, "made timed in the same patch")
	assert.False(t, timedRule.AllDay)
}

// A due window runs from the start of its first day to the start of the day after its
// last, in the zone, however long DST makes the days; in Havana, where the clocks move at
// midnight, 8 March 2026 begins at 01:00.
func TestDueWindow(t *testing.T) {
	for _, tt := range []struct {
		due, zone, now string
		first, last    string
		fromUTC, toUTC string
	}{
		{taskwire.DueToday, "Europe/Berlin", "2026-12-04T23:30:00Z", "2026-12-05", "2026-12-05", "2026-12-04T23:00:00Z", "2026-12-05T23:00:00Z"},
		{taskwire.DueTomorrow, "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08", "2026-03-08", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"},
		{taskwire.DueWeek, "UTC", "2026-12-04T08:00:00Z", "2026-12-04", "2026-12-10", "2026-12-04T00:00:00Z", "2026-12-11T00:00:00Z"},
		{taskwire.DueToday, "America/Havana", "2026-03-08T12:00:00Z", "2026-03-08", "2026-03-08", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"},
		{taskwire.DueLater, "Europe/Berlin", "2026-12-04T23:30:00Z", "2026-12-12", "9999-12-31", "2026-12-11T23:00:00Z", "9999-12-31T23:00:00Z"},
	} {
		loc, err := time.LoadLocation(tt.zone)
		require.NoError(t, err)
		now, err := time.Parse(time.RFC3339, tt.now)
		require.NoError(t, err)
		first, last, from, to := taskwire.DueWindow(tt.due, now, loc)
		name := tt.due + " in " + tt.zone
		assert.Equal(t, tt.first, first.Format(taskwire.DateLayout), name)
		assert.Equal(t, tt.last, last.Format(taskwire.DateLayout), name)
		assert.Equal(t, tt.fromUTC, from.Format(time.RFC3339), name)
		assert.Equal(t, tt.toUTC, to.Format(time.RFC3339), name)
	}
}

// A task moved to another zone keeps its local times there: the time of day on the same
// date (a time the new zone's DST change skips moves forward by the gap), an all-day
// task's day, and its reminders at times of their own that are still to come; one that
// has come stays, and relative reminders follow the due. A task in the zone already, or
// one whose time would leave the years a task holds, stays.
func TestTask_MovedTo(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return &v
	}
	day := "2026-12-10"
	future, past := uuid.New(), uuid.New()
	for _, tt := range []struct {
		name     string
		task     taskwire.Task
		to       string
		moved    bool
		due      *time.Time
		dueDate  *string
		reminder []*time.Time // At of each reminder, in order
		rule     string
	}{
		{name: "timed", task: taskwire.Task{TimeZone: "Europe/Berlin", DueAt: at("2026-12-10T08:00:00Z")},
			to: "America/New_York", moved: true, due: at("2026-12-10T14:00:00Z")},
		{name: "all day", task: taskwire.Task{TimeZone: "Europe/Berlin", DueAt: at("2026-12-10T22:59:59Z"), DueDate: &day},
			to: "America/New_York", moved: true, due: at("2026-12-11T04:59:59Z"), dueDate: &day},
		{name: "into a DST gap", task: taskwire.Task{TimeZone: "Europe/Berlin", DueAt: at("2026-03-08T01:30:00Z")},
			to: "America/New_York", moved: true, due: at("2026-03-08T07:30:00Z")}, // 02:30 is 03:30 EDT
		{name: "no due", task: taskwire.Task{TimeZone: "UTC"}, to: "Asia/Tokyo", moved: true},
		{name: "reminders", task: taskwire.Task{TimeZone: "UTC", DueAt: at("2026-12-10T09:00:00Z"), Reminders: []taskwire.Reminder{
			{ID: future, At: at("2026-12-10T08:00:00Z")},
			{ID: past, At: at("2026-12-04T08:00:00Z")},
			{ID: uuid.New(), Before: "PT15M"},
		}}, to: "Europe/Berlin", moved: true, due: at("2026-12-10T08:00:00Z"),
			reminder: []*time.Time{at("2026-12-10T07:00:00Z"), at("2026-12-04T08:00:00Z"), nil}},
		{name: "series ending at a time", task: taskwire.Task{TimeZone: "Europe/Berlin", DueAt: at("2026-12-07T08:00:00Z"),
			Recurrence: new("FREQ=DAILY;UNTIL=20261210T080000Z")},
			to: "America/New_York", moved: true, due: at("2026-12-07T14:00:00Z"), rule: "FREQ=DAILY;UNTIL=20261210T140000Z"},
		{name: "series ending on a day", task: taskwire.Task{TimeZone: "Europe/Berlin", DueAt: at("2026-12-07T08:00:00Z"),
			Recurrence: new("FREQ=DAILY;UNTIL=20261210")},
			to: "America/New_York", moved: true, due: at("2026-12-07T14:00:00Z"), rule: "FREQ=DAILY;UNTIL=20261210"},
		{name: "same zone", task: taskwire.Task{TimeZone: "Europe/Berlin", DueAt: at("2026-12-10T08:00:00Z")},
			to: "Europe/Berlin", due: at("2026-12-10T08:00:00Z")},
		{name: "past 9999", task: taskwire.Task{TimeZone: "Pacific/Kiritimati", DueAt: at("9999-12-31T09:00:00Z")},
			to: "America/Adak", due: at("9999-12-31T09:00:00Z")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, moved := tt.task.MovedTo(tt.to, now)
			assert.Equal(t, tt.moved, moved)
			if moved {
				assert.Equal(t, tt.to, f.TimeZone)
			} else {
				assert.Equal(t, tt.task.TimeZone, f.TimeZone, "stays")
			}
			assert.Equal(t, tt.due, f.DueAt)
			assert.Equal(t, tt.rule, f.Recurrence, "the rule")
			assert.Equal(t, tt.dueDate, taskwire.DueDate(f.DueAt, f.TimeZone, f.AllDay), "the day")
			require.Len(t, f.Reminders, len(tt.reminder))
			for i, r := range f.Reminders {
				assert.Equal(t, tt.reminder[i], r.At, "reminder %d", i)
				if at := tt.task.Reminders[i].At; at != nil && !at.Equal(*r.At) {
					assert.Equal(t, uuid.Nil, r.ID, "reminder %d moved: a new one", i)
				} else {
					assert.Equal(t, tt.task.Reminders[i].ID, r.ID, "reminder %d kept", i)
				}
			}
		})
	}
}
