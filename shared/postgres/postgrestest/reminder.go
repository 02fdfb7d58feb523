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
	at := remindAt.UTC().Truncate(time.Microsecond)
	mustFire(tb, db, task.Reminders[0].ID, at)
	return task.Reminders[0].ID, events.ReminderData{
		UserID: user, TaskID: task.ID.String(), TaskNumber: task.Number, Title: task.Title, DueAt: &due, RemindAt: at,
	}
}

// mustFire marks reminder id fired at at, as the reminders function leaves a reminder it
// fired there: the notify function believes a reminder.due event only of a firing that
// the database holds.
func mustFire(tb testing.TB, db *postgres.DB, id uuid.UUID, at time.Time) {
	tb.Helper()
	if _, err := db.Pool.Exec(context.Background(), `UPDATE reminders SET fire_at = $2, fired_at = $2 WHERE id = $1`, id, at); err != nil {
		tb.Fatalf("postgrestest: fire reminder %s: %v", id, err)
	}
}

// FiringID returns the id of the reminder.due event of reminder firing at data's
// remind_at, the only one the notify function believes (postgres.DueEventID).
func FiringID(reminder uuid.UUID, data events.ReminderData) string {
	return postgres.DueEventID(reminder, data.RemindAt).String()
}

// MustDeliverReminder delivers the in-app notification of the i-th reminder of task, a
// task of user whose reminder has a fire time, as the notify function does when the
// reminder fires, and returns the notification. Its creation time is svc's clock.
func MustDeliverReminder(tb testing.TB, db *postgres.DB, svc *postgres.NotificationService, user string, task *taskwire.Task, i int) *taskwire.Notification {
	tb.Helper()
	if i >= len(task.Reminders) || task.Reminders[i].FireAt == nil {
		tb.Fatalf("postgrestest: task %s has no reminder %d with a fire time", task.ID, i)
	}
	r := task.Reminders[i]
	data := events.ReminderData{UserID: user, TaskID: task.ID.String(), TaskNumber: task.Number, Title: task.Title, DueAt: task.DueAt, RemindAt: *r.FireAt}
	mustFire(tb, db, r.ID, *r.FireAt)
	_, added, err := svc.Deliver(context.Background(), events.SourceReminders, FiringID(r.ID, data), r.ID, &data)
	if err != nil {
		tb.Fatalf("postgrestest: deliver reminder %s: %v", r.ID, err)
	}
	if !added {
		tb.Fatalf("postgrestest: reminder %s firing at %s was delivered before", r.ID, r.FireAt)
	}
	list, err := svc.FindNotifications(taskwire.NewContextWithUser(context.Background(), user), false, postgres.MaxNotificationsLimit, nil)
	if err != nil {
		tb.Fatalf("postgrestest: find notifications: %v", err)
	}
	for _, n := range list {
		if n.ReminderID == r.ID && n.RemindAt.Equal(*r.FireAt) {
			return n
		}
	}
	tb.Fatalf("postgrestest: the notification of reminder %s was not delivered", r.ID)
	return nil
}
