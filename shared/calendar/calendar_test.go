package calendar_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/calendar"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// feedOf writes a feed of tasks whose zones are known to it (zones), and returns its
// unfolded lines.
func feedOf(t *testing.T, zones map[string]time.Time, tasks ...taskwire.SeriesTask) []string {
	t.Helper()
	var b strings.Builder
	f := calendar.NewFeed(&b, "Taskwire", time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), zones)
	for _, task := range tasks {
		f.Add(task)
	}
	require.NoError(t, f.Close())
	return strings.Split(strings.ReplaceAll(b.String(), "\r\n ", ""), "\r\n")
}

func newTask(title, zone string, due time.Time) *taskwire.Task {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	return &taskwire.Task{ID: uuid.New(), Title: title, TimeZone: zone, DueAt: &due, Status: taskwire.StatusOpen,
		Priority: taskwire.PriorityNone, RepeatFrom: taskwire.RepeatFromSchedule, CreatedAt: now, UpdatedAt: now, Version: 1}
}

func TestFeed_Reminders(t *testing.T) {
	due := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	task := newTask("Call", "UTC", due)
	at := due.Add(-3 * time.Hour)
	for _, before := range []string{"PT15M", "P1DT2H", "PT1H30S", "P2W", "P1W2D", "PT0S"} {
		task.Reminders = append(task.Reminders, taskwire.Reminder{ID: uuid.New(), Before: before})
	}
	task.Reminders = append(task.Reminders, taskwire.Reminder{ID: uuid.New(), At: &at})
	var triggers []string
	for _, l := range feedOf(t, nil, taskwire.SeriesTask{Task: task, Index: 1}) {
		if strings.HasPrefix(l, "TRIGGER") {
			triggers = append(triggers, l)
		}
	}
	// RFC 5545's durations: weeks stand alone, and no seconds straight after hours.
	assert.Equal(t, []string{"TRIGGER:-PT15M", "TRIGGER:-P1DT2H", "TRIGGER:-PT1H0M30S", "TRIGGER:-P2W", "TRIGGER:-P9D",
		"TRIGGER:-PT0S", "TRIGGER;VALUE=DATE-TIME:20261203T050000Z"}, triggers)
}

func TestFeed_Priority(t *testing.T) {
	due := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	var tasks []taskwire.SeriesTask
	for _, p := range []taskwire.Priority{taskwire.PriorityUrgent, taskwire.PriorityHigh, taskwire.PriorityMedium,
		taskwire.PriorityLow, taskwire.PriorityNone} {
		task := newTask(string(p), "UTC", due)
		task.Priority = p
		tasks = append(tasks, taskwire.SeriesTask{Task: task, Index: 1})
	}
	var got []string
	for _, l := range feedOf(t, nil, tasks...) {
		if strings.HasPrefix(l, "SUMMARY:") || strings.HasPrefix(l, "PRIORITY:") {
			got = append(got, l)
		}
	}
	assert.Equal(t, []string{"SUMMARY:urgent", "PRIORITY:1", "SUMMARY:high", "PRIORITY:3", "SUMMARY:medium", "PRIORITY:5",
		"SUMMARY:low", "PRIORITY:9", "SUMMARY:none"}, got)
}

// A task that says how long it takes is time set aside from its due, busy: DURATION with
// RFC 5545's units (weeks alone, no seconds straight after hours); an all-day task's days
// end it (exclusively) that many days on. A task that does not say stays a free moment.
func TestFeed_Duration(t *testing.T) {
	due := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	var tasks []taskwire.SeriesTask
	for _, d := range []string{"PT45M", "PT1H30S", "P1W2D", "P2W", ""} {
		task := newTask("timed "+d, "UTC", due)
		if d != "" {
			task.Duration = new(d)
		}
		tasks = append(tasks, taskwire.SeriesTask{Task: task, Index: 1})
	}
	trip := newAllDayTask(t, "trip", "Europe/Berlin", "2026-12-30")
	trip.Duration = new("P3D")
	tasks = append(tasks, taskwire.SeriesTask{Task: trip, Index: 1})
	var got []string
	for _, l := range feedOf(t, map[string]time.Time{"Europe/Berlin": due}, tasks...) {
		for _, p := range []string{"SUMMARY", "DURATION", "DTEND", "TRANSP"} {
			if strings.HasPrefix(l, p+":") || strings.HasPrefix(l, p+";") {
				got = append(got, l)
			}
		}
	}
	assert.Equal(t, []string{
		"DURATION:PT45M", "TRANSP:OPAQUE", "SUMMARY:timed PT45M",
		"DURATION:PT1H0M30S", "TRANSP:OPAQUE", "SUMMARY:timed PT1H30S",
		"DURATION:P9D", "TRANSP:OPAQUE", "SUMMARY:timed P1W2D",
		"DURATION:P2W", "TRANSP:OPAQUE", "SUMMARY:timed P2W",
		"TRANSP:TRANSPARENT", "SUMMARY:timed ",
		"DTEND;VALUE=DATE:20270102", "TRANSP:OPAQUE", "SUMMARY:trip",
	}, got)
}

// A task's checklist follows its description in the event's, a step a line, each with
// its box; a task with steps and no description has them alone.
func TestFeed_Checklist(t *testing.T) {
	due := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	both := newTask("Pack", "UTC", due)
	both.Description = "For Lisbon"
	both.Checklist = []taskwire.Step{{Text: "Passport", Done: true}, {Text: "Charger, cable"}}
	alone := newTask("Shop", "UTC", due)
	alone.Checklist = []taskwire.Step{{Text: "Milk"}}
	plain := newTask("Call", "UTC", due)
	plain.Description = "About the bill"
	var got []string
	for _, l := range feedOf(t, nil, taskwire.SeriesTask{Task: both, Index: 1}, taskwire.SeriesTask{Task: alone, Index: 1},
		taskwire.SeriesTask{Task: plain, Index: 1}) {
		if strings.HasPrefix(l, "DESCRIPTION") {
			got = append(got, l)
		}
	}
	assert.Equal(t, []string{`DESCRIPTION:For Lisbon\n\n☑ Passport\n☐ Charger\, cable`, "DESCRIPTION:☐ Milk",
		"DESCRIPTION:About the bill"}, got)
}

func TestFeed_ZoneWithoutTimezone(t *testing.T) {
	// A task moved into a zone after the feed read its zones: its time in UTC, and no rule,
	// which would run on UTC's wall clock rather than the zone's.
	due := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	rule := "FREQ=DAILY"
	known, late := newTask("known", "Europe/Berlin", due), newTask("late", "Asia/Tokyo", due)
	known.Recurrence, late.Recurrence = &rule, &rule
	lines := feedOf(t, map[string]time.Time{"Europe/Berlin": due},
		taskwire.SeriesTask{Task: known, Index: 1}, taskwire.SeriesTask{Task: late, Index: 1})
	var got []string
	for _, l := range lines {
		if strings.HasPrefix(l, "TZID:") || strings.HasPrefix(l, "DTSTART;TZID") || strings.HasPrefix(l, "DTSTART:20261203") ||
			strings.HasPrefix(l, "RRULE:FREQ=DAILY") {
			got = append(got, l)
		}
	}
	assert.Equal(t, []string{"TZID:Europe/Berlin", "DTSTART;TZID=Europe/Berlin:20261203T090000", "RRULE:FREQ=DAILY",
		"DTSTART:20261203T080000Z"}, got)
}

func TestFeed_Stamps(t *testing.T) {
	// DTSTAMP is when the calendar was written (METHOD:PUBLISH); the task's own times are
	// CREATED and LAST-MODIFIED.
	task := newTask("Call", "UTC", time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))
	task.UpdatedAt = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	var got []string
	for _, l := range feedOf(t, nil, taskwire.SeriesTask{Task: task, Index: 1}) {
		for _, name := range []string{"METHOD:", "DTSTAMP:", "CREATED:", "LAST-MODIFIED:"} {
			if strings.HasPrefix(l, name) {
				got = append(got, l)
			}
		}
	}
	assert.Equal(t, []string{"METHOD:PUBLISH", "DTSTAMP:20261202T120000Z", "CREATED:20261201T080000Z",
		"LAST-MODIFIED:20261201T093000Z"}, got)
}

// newAllDayTask returns an all-day task due on day (YYYY-MM-DD) in zone.
func newAllDayTask(t *testing.T, title, zone, day string) *taskwire.Task {
	t.Helper()
	d, err := time.Parse(taskwire.DateLayout, day)
	require.NoError(t, err)
	task := newTask(title, zone, taskwire.EndOfDay(d, taskwire.LoadZone(zone)))
	task.DueDate = &day
	return task
}

// eventLines returns the lines of the first VEVENT of lines that start with one of names.
func eventLines(lines []string, names ...string) []string {
	var got []string
	in := false
	for _, l := range lines {
		switch {
		case l == "BEGIN:VEVENT":
			in = true
		case l == "END:VEVENT":
			return got
		case in:
			for _, name := range names {
				if strings.HasPrefix(l, name) {
					got = append(got, l)
				}
			}
		}
	}
	return got
}

func TestFeed_AllDay(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// Due on 4 December in Tokyo: its due_at is 14:59:59 UTC that day, and the event is
		// the day, with no time, no zone and no end.
		task := newAllDayTask(t, "Pay rent", "Asia/Tokyo", "2026-12-04")
		lines := feedOf(t, map[string]time.Time{"Asia/Tokyo": *task.DueAt}, taskwire.SeriesTask{Task: task, Index: 1})
		assert.Equal(t, []string{"DTSTART;VALUE=DATE:20261204", "TRANSP:TRANSPARENT"},
			eventLines(lines, "DTSTART", "DTEND", "DURATION", "TRANSP", "RRULE"))
	})

	t.Run("ZoneWithoutTimezone", func(t *testing.T) {
		// A day needs no VTIMEZONE: a task whose zone the feed did not read is its day all
		// the same, and repeats.
		task := newAllDayTask(t, "Standup notes", "America/New_York", "2026-12-04")
		rule := "FREQ=WEEKLY;BYDAY=FR"
		task.Recurrence = &rule
		lines := feedOf(t, nil, taskwire.SeriesTask{Task: task, Index: 1})
		assert.Equal(t, []string{"DTSTART;VALUE=DATE:20261204", "RRULE:FREQ=WEEKLY;BYDAY=FR"},
			eventLines(lines, "DTSTART", "RRULE"))
	})

	t.Run("Repeating", func(t *testing.T) {
		// UNTIL is a DATE, as RFC 5545 asks when DTSTART is one: a date stays that date, and
		// a time is the day it falls on in the task's zone.
		for _, tt := range []struct {
			name, rule string
			index      int
			want       string // "" when there is no rule
		}{
			{"Count", "FREQ=DAILY;COUNT=5", 3, "RRULE:FREQ=DAILY;COUNT=3"},
			{"CountAtTheLast", "FREQ=DAILY;COUNT=5", 5, ""},
			{"UntilDate", "FREQ=WEEKLY;UNTIL=20261231;BYDAY=FR", 1, "RRULE:FREQ=WEEKLY;UNTIL=20261231;BYDAY=FR"},
			{"UntilUTC", "FREQ=DAILY;UNTIL=20261230T230000Z", 1, "RRULE:FREQ=DAILY;UNTIL=20261231"},
			{"UntilLocalTime", "FREQ=DAILY;UNTIL=20261231T120000", 1, "RRULE:FREQ=DAILY;UNTIL=20261231"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				task := newAllDayTask(t, "Stretch", "Europe/Berlin", "2026-12-04")
				task.Recurrence = &tt.rule
				lines := feedOf(t, map[string]time.Time{"Europe/Berlin": *task.DueAt}, taskwire.SeriesTask{Task: task, Index: tt.index})
				want := []string{"DTSTART;VALUE=DATE:20261204"}
				if tt.want != "" {
					want = append(want, tt.want)
				}
				assert.Equal(t, want, eventLines(lines, "DTSTART", "RRULE"))
			})
		}
	})

	t.Run("RepeatFromCompletion", func(t *testing.T) {
		task := newAllDayTask(t, "Water plants", "Europe/Berlin", "2026-12-04")
		rule := "FREQ=DAILY;INTERVAL=3"
		task.Recurrence, task.RepeatFrom = &rule, taskwire.RepeatFromCompletion
		lines := feedOf(t, nil, taskwire.SeriesTask{Task: task, Index: 1})
		assert.Empty(t, eventLines(lines, "RRULE"))
	})

	t.Run("Reminders", func(t *testing.T) {
		// Reminders count back from 09:00 on the day, the event starts at its 00:00: a
		// reminder d before is 09:00 less d after the start.
		task := newAllDayTask(t, "Pay rent", "Europe/Berlin", "2026-12-04")
		at := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
		for _, before := range []string{"PT0S", "PT1H", "P1D", "P1W", "PT9H", "PT10H30M", "P1DT9H", "P1DT2H15M", "PT1H30S", "P2W"} {
			task.Reminders = append(task.Reminders, taskwire.Reminder{ID: uuid.New(), Before: before})
		}
		task.Reminders = append(task.Reminders, taskwire.Reminder{ID: uuid.New(), At: &at})
		var triggers []string
		for _, l := range feedOf(t, nil, taskwire.SeriesTask{Task: task, Index: 1}) {
			if strings.HasPrefix(l, "TRIGGER") {
				triggers = append(triggers, l)
			}
		}
		assert.Equal(t, []string{
			"TRIGGER:PT9H",       // PT0S: 09:00 on the day
			"TRIGGER:PT8H",       // PT1H: 08:00
			"TRIGGER:-PT15H",     // P1D: 09:00 the day before
			"TRIGGER:-P6DT15H",   // P1W: 09:00 a week before
			"TRIGGER:PT0S",       // PT9H: the day's start
			"TRIGGER:-PT1H30M",   // PT10H30M: 22:30 the day before
			"TRIGGER:-P1D",       // P1DT9H: 00:00 the day before
			"TRIGGER:-PT17H15M",  // P1DT2H15M: 06:45 the day before
			"TRIGGER:PT7H59M30S", // PT1H30S: 07:59:30
			"TRIGGER:-P13DT15H",  // P2W: 09:00 two weeks before
			"TRIGGER;VALUE=DATE-TIME:20261203T170000Z", // a time stays that time
		}, triggers)
	})
}

// The output for the same tasks is what Format names: a change of what the feed writes
// changes this hash, and then Format must change too (and the hash be recorded for it),
// so that calendar apps holding a feed's ETag read it anew.
func TestFormat(t *testing.T) {
	outputs := map[string]string{
		"4": "8668b60673a320f3e7f054824875187e26f511b9a508b4bb8426a49b8f16b768",
	}
	berlin := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	timed := newTask("Dentist", "Europe/Berlin", time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC))
	timed.ID = uuid.MustParse("01a2378a-2933-74da-a9ca-18e972d8320b")
	timed.Description, timed.Tags, timed.Priority = "Second floor", []string{"health"}, taskwire.PriorityHigh
	timed.Checklist = []taskwire.Step{{Text: "Insurance card", Done: true}, {Text: "X-rays"}}
	timed.Duration = new("PT45M")
	timed.Recurrence = new("FREQ=WEEKLY;BYDAY=MO;COUNT=5")
	timed.Reminders = []taskwire.Reminder{{ID: uuid.MustParse("01a2378a-2933-74e5-80dc-217981e5c4a1"), Before: "PT15M"}}
	allDay := newAllDayTask(t, "Pay rent", "America/New_York", "2026-12-01")
	allDay.ID = uuid.MustParse("01a2377a-70c7-78c0-a931-ab98bef60cc2")
	allDay.Recurrence = new("FREQ=MONTHLY;UNTIL=20270601")
	allDay.Reminders = []taskwire.Reminder{{ID: uuid.MustParse("01a2377a-70c7-78ca-adb6-da67a1f7510d"), Before: "P1D"}}
	lines := feedOf(t, map[string]time.Time{"Europe/Berlin": berlin, "America/New_York": berlin},
		taskwire.SeriesTask{Task: timed, Index: 2}, taskwire.SeriesTask{Task: allDay, Index: 1})
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	got := hex.EncodeToString(sum[:])
	want, ok := outputs[calendar.Format]
	require.True(t, ok, "no output recorded for calendar.Format %q", calendar.Format)
	assert.Equal(t, want, got, "the feed's output changed: give calendar.Format a new name and record this hash for it")
}
