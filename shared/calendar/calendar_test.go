package calendar_test

import (
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
