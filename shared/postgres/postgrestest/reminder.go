package postgrestest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// MustCreateReminder creates a task of user titled title, due 15 minutes after remindAt
// with a reminder 15 minutes before, and returns the reminder's id and the data of the
// reminder.due event that fires it, as the reminders function makes it: notify believes
// only reminders that exist.
func MustCreateReminder(tb testing.TB, db *postgres.DB, user, title string, remindAt time.Time) (uuid.UUID, events.ReminderData) {
	tb.Helper()
	due := remindAt.Add(15 * time.Minute).UTC().Truncate(time.Second)
	f, err := taskwire.NewTask{Title: title, DueAt: new(due.Format(time.RFC3339)),
		Reminders: []taskwire.ReminderInput{{Before: new("PT15M")}}}.Fields()
	if err != nil {
		tb.Fatalf("postgrestest: reminder task: %v", err)
	}
	task, _, err := postgres.NewTaskService(db).CreateTask(taskwire.NewContextWithUser(context.Background(), user), f, taskwire.IdempotencyKey{})
	if err != nil {
		tb.Fatalf("postgrestest: create reminder task: %v", err)
	}
	return task.Reminders[0].ID, events.ReminderData{
		UserID: user, TaskID: task.ID.String(), Title: task.Title, DueAt: &due, RemindAt: remindAt.UTC().Truncate(time.Microsecond),
	}
}
