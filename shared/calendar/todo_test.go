package calendar_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/calendar"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// todosOf writes tasks as an iCalendar file of to-dos and returns its unfolded lines.
func todosOf(t *testing.T, tasks ...*taskwire.Task) []string {
	t.Helper()
	var b strings.Builder
	f := calendar.NewTodos(&b, time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	for _, task := range tasks {
		f.Add(task, 1)
	}
	require.NoError(t, f.Close())
	return strings.Split(strings.ReplaceAll(b.String(), "\r\n ", ""), "\r\n")
}

// A later occurrence of a series with a COUNT is written with what is left of it, as the
// feed writes it (until 2026-12-06 the whole COUNT, so a file imported elsewhere ran
// the series on past its end).
func TestTodos_CountFromItsPlace(t *testing.T) {
	berlin := taskwire.LoadZone("Europe/Berlin")
	pills := newTask("Pills", "Europe/Berlin", time.Date(2027, 3, 27, 9, 0, 0, 0, berlin))
	rule := "FREQ=DAILY;COUNT=5"
	pills.Recurrence = &rule
	var b strings.Builder
	f := calendar.NewTodos(&b, time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	f.Add(pills, 3)
	require.NoError(t, f.Close())
	assert.Contains(t, b.String(), "RRULE:FREQ=DAILY;COUNT=3\r\n", "the 3rd of 5: itself and two more")
	assert.Contains(t, b.String(), "DTSTART;TZID=Europe/Berlin:20270327T090000\r\n")
}

// A to-do says its due in its zone, and a repeating one starts at its due for its rule to
// count from; reminders count back from the due (an all-day task's from its day's start);
// steps are to-dos of their own under it; the zone's VTIMEZONE follows the tasks.
func TestTodos(t *testing.T) {
	berlin := taskwire.LoadZone("Europe/Berlin")
	call := newTask("Call", "Europe/Berlin", time.Date(2026, 12, 3, 17, 0, 0, 0, berlin))
	call.Reminders = []taskwire.Reminder{{ID: uuid.New(), Before: "PT15M"}}
	call.Checklist = []taskwire.Step{{Text: "Number", Done: true}, {Text: "Notes"}}
	rent := newTask("Rent", "America/New_York", taskwire.EndOfDay(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), taskwire.LoadZone("America/New_York")))
	rent.DueDate = new("2027-01-01")
	rule := "FREQ=MONTHLY"
	rent.Recurrence = &rule
	rent.Reminders = []taskwire.Reminder{{ID: uuid.New(), Before: "P1D"}}
	rent.Status = taskwire.StatusCompleted
	done := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rent.CompletedAt = &done

	lines := todosOf(t, call, rent)
	has := func(l string) { t.Helper(); assert.Contains(t, lines, l) }
	has("DUE;TZID=Europe/Berlin:20261203T170000")
	has("X-TASKWIRE-TIME-ZONE:Europe/Berlin")
	has("TRIGGER;RELATED=END:-PT15M")
	has("RELATED-TO;RELTYPE=PARENT:" + call.ID.String() + "@taskwire")
	has("UID:" + call.ID.String() + "-step-1@taskwire")
	has("DUE;VALUE=DATE:20270101")
	has("DTSTART;VALUE=DATE:20270101")
	has("RRULE:FREQ=MONTHLY")
	has("TRIGGER;RELATED=END:-PT15H") // P1D before 09:00 is 15 hours before the day's start
	has("STATUS:COMPLETED")
	has("COMPLETED:20261201T090000Z")
	assert.Greater(t, slices.Index(lines, "BEGIN:VTIMEZONE"), slices.Index(lines, "DUE;TZID=Europe/Berlin:20261203T170000"),
		"the VTIMEZONE after the tasks")
	assert.Equal(t, 4, strings.Count(strings.Join(lines, "\n"), "BEGIN:VTODO"), "two tasks and two steps")
	assert.NotContains(t, strings.Join(lines, "\n"), "TZID=America/New_York", "a day needs no zone")
}
