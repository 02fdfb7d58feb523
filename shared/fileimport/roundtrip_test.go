package fileimport_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/calendar"
	"github.com/taskwire/taskwire/shared/fileimport"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Tasks of every shape written as to-dos (calendar.Todos) read back (VTODO) as the same
// tasks: text with the characters iCalendar escapes, zones with DST and odd offsets, days
// and times, rules from the schedule and the completion, durations, reminders before and
// at, steps, completions. A thousand random lists, each from a seed the failure names.
func TestVTODO_RoundTrip(t *testing.T) {
	for seed := range uint64(1000) {
		rng := rand.New(rand.NewPCG(seed, 7))
		var tasks []*taskwire.Task
		for range 1 + rng.IntN(6) {
			if task := randomTask(rng); task != nil {
				tasks = append(tasks, task)
			}
		}
		var b strings.Builder
		f := calendar.NewTodos(&b, now)
		for _, task := range tasks {
			f.Add(task, 1) // the first of its series: its rule reads back as it is
		}
		require.NoError(t, f.Close())
		back, err := fileimport.VTODO([]byte(b.String()), "ada", "Asia/Tokyo", now)
		if len(tasks) == 0 {
			continue
		}
		require.NoError(t, err, "seed %d:\n%s", seed, b.String())
		require.Len(t, back, len(tasks), "seed %d", seed)
		for i, want := range tasks {
			got := back[i]
			name := fmt.Sprintf("seed %d, task %d (%q)", seed, i, want.Title)
			assert.Equal(t, want.Title, got.Title, name)
			assert.Equal(t, want.Description, got.Description, name)
			assert.Equal(t, want.Priority, got.Priority, name)
			assert.Equal(t, want.Tags, got.Tags, name)
			assert.Equal(t, want.Status, got.Status, name)
			assert.Equal(t, want.TimeZone, got.TimeZone, name)
			assert.Equal(t, want.DueDate, got.DueDate, name)
			assert.Equal(t, want.Duration, got.Duration, name)
			assert.Equal(t, want.Checklist, got.Checklist, name)
			if want.Status == taskwire.StatusOpen {
				assert.Equal(t, want.Recurrence, got.Recurrence, name)
				assert.Equal(t, want.RepeatFrom, got.RepeatFrom, name)
			}
			if assert.Equal(t, want.DueAt == nil, got.DueAt == nil, name) && want.DueAt != nil {
				assert.True(t, want.DueAt.Equal(*got.DueAt), "%s: due %s, got %s", name, want.DueAt, got.DueAt)
			}
			if assert.Len(t, got.Reminders, len(want.Reminders), name) {
				for j, r := range want.Reminders {
					if want.DueDate == nil {
						assert.Equal(t, r.Before, got.Reminders[j].Before, "%s: reminder %d", name, j)
					}
					if r.FireAt != nil && assert.NotNil(t, got.Reminders[j].FireAt, "%s: reminder %d", name, j) {
						assert.True(t, r.FireAt.Equal(*got.Reminders[j].FireAt), "%s: reminder %d at %s, got %s", name, j, r.FireAt, got.Reminders[j].FireAt)
					}
				}
			}
		}
		if t.Failed() {
			t.Logf("seed %d's file:\n%s", seed, b.String())
			return
		}
	}
}

// randomTask returns a task as a client could make it, or nil when the fields drawn make
// none (a rule that never occurs from its due, say).
func randomTask(rng *rand.Rand) *taskwire.Task {
	pick := func(options ...string) string { return options[rng.IntN(len(options))] }
	text := func() string {
		return strings.TrimSpace(pick("Call", "Pay rent", "a, b; c: d", `back\slash`, "Ünïcödé ✓", "line\nbreak", "\"quoted\"", "x") +
			" " + pick("", "now", "tomorrow, 5pm", "ok;", "日本語"))
	}
	zone := pick("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Australia/Lord_Howe", "America/Havana")
	in := taskwire.ExportedTask{ID: uuid.New(), Number: 1, Title: text(), Status: taskwire.StatusOpen, TimeZone: zone,
		Priority: pick("none", "low", "medium", "high", "urgent"), CreatedAt: now.Add(-time.Hour), UpdatedAt: now, Version: 1}
	if rng.IntN(2) == 0 {
		in.Description = text() + "\n\n" + text()
	}
	for range rng.IntN(3) {
		in.Tags = append(in.Tags, pick("home", "work", "café", "q3-plans", "a b"))
	}
	for range rng.IntN(3) {
		in.Checklist = append(in.Checklist, taskwire.StepInput{Text: text(), Done: rng.IntN(2) == 0})
	}
	day := time.Date(2027, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	switch rng.IntN(3) {
	case 0: // no due
	case 1:
		d := day.Format(taskwire.DateLayout)
		in.DueDate = &d
	default:
		local := day.Add(time.Duration(rng.IntN(24*4)) * 15 * time.Minute).Format("2006-01-02T15:04:05")
		in.DueAt = &local
	}
	if in.DueAt != nil || in.DueDate != nil {
		if rng.IntN(2) == 0 {
			rule := pick("FREQ=DAILY", "FREQ=WEEKLY;INTERVAL=2", "FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=YEARLY", "FREQ=WEEKLY;BYDAY=MO,FR")
			in.Recurrence = &rule
			in.RepeatFrom = pick("schedule", "completion")
		}
		if rng.IntN(2) == 0 {
			d := pick("PT30M", "PT2H", "P1D", "P3D")
			if in.DueDate != nil {
				d = pick("P1D", "P2D")
			}
			in.Duration = &d
		}
		for range rng.IntN(3) {
			before := pick("PT0S", "PT15M", "PT1H", "P1D", "P2D", "PT10H", "P1DT2H", "P1W")
			in.Reminders = append(in.Reminders, taskwire.ExportedReminder{ID: uuid.New(), Before: &before})
		}
	}
	if rng.IntN(3) == 0 {
		at := now.Add(time.Duration(rng.IntN(1000)) * time.Hour).Truncate(time.Second).Format(time.RFC3339)
		in.Reminders = append(in.Reminders, taskwire.ExportedReminder{ID: uuid.New(), At: &at})
	}
	if rng.IntN(4) == 0 {
		done := now.Add(-time.Duration(rng.IntN(100)) * time.Minute).Truncate(time.Second)
		in.Status, in.CompletedAt = taskwire.StatusCompleted, &done
		in.Recurrence = nil
	}
	task, err := in.Task("task")
	if err != nil {
		return nil
	}
	return task
}
