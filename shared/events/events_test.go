package events_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// TestNewTaskEvent_Armed checks which task events carry reminders=armed, the extension
// the reminders Trigger filters on.
func TestNewTaskEvent_Armed(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	reminder := taskwire.Reminder{ID: uuid.New(), Before: "PT15M", FireAt: &at}
	withReminder := &taskwire.Task{ID: uuid.New(), Status: taskwire.StatusOpen, Reminders: []taskwire.Reminder{reminder}}
	moved := *withReminder
	moved.Reminders = []taskwire.Reminder{{ID: reminder.ID, Before: "PT15M", FireAt: &later}}
	plain := &taskwire.Task{ID: uuid.New(), Status: taskwire.StatusOpen}
	completed := *withReminder
	completed.Status = taskwire.StatusCompleted

	for _, tc := range []struct {
		name    string
		typ     string
		task    *taskwire.Task
		changes map[string]events.Change
		want    bool
	}{
		{"CreatedWithReminder", events.TypeTaskCreated, withReminder, nil, true},
		{"CreatedWithout", events.TypeTaskCreated, plain, nil, false},
		{"ReopenedWithReminder", events.TypeTaskReopened, withReminder, nil, true},
		{"UpdatedTitleOnly", events.TypeTaskUpdated, withReminder, map[string]events.Change{"title": {Old: "a", New: "b"}}, false},
		{"UpdatedReminderMoved", events.TypeTaskUpdated, &moved,
			map[string]events.Change{"reminders": {Old: withReminder.Reminders, New: moved.Reminders}}, true},
		{"UpdatedReminderDropped", events.TypeTaskUpdated, plain,
			map[string]events.Change{"reminders": {Old: withReminder.Reminders, New: nil}}, false},
		{"Completed", events.TypeTaskCompleted, &completed, nil, false},
		{"Deleted", events.TypeTaskDeleted, withReminder, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := events.NewTaskEvent(tc.typ, "ada", tc.task, tc.changes, at)
			require.NoError(t, err)
			v, ok := e.Extensions()[events.ExtensionReminders]
			assert.Equal(t, tc.want, ok, "got extensions %v", e.Extensions())
			if tc.want {
				assert.Equal(t, events.RemindersArmed, v)
			}
		})
	}
}
