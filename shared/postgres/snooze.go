package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// snoozeNamespace derives the id of the reminder a snooze adds from the notification's,
// so that snoozing the same notification again moves that reminder rather than adding
// another.
var snoozeNamespace = uuid.MustParse("7d1c6c1e-5a0b-4e39-9a43-52f3b1d6c0a1")

// SnoozeNotification reminds the signed-in user of notification id's task again after d
// (its days counted on the calendar of the task's zone, as a reminder's are), and marks the notification read, in one transaction with the task's task.updated event.
// The reminder that fired moves to then when it was one at a time of its own; a reminder
// relative to the due time stays, for the task's next due time, and a reminder at then is
// added beside it (snoozing the same notification again moves that one). A notification
// the user does not have is ENOTFOUND, and so is one whose task was deleted; a completed
// task is ECONFLICT, as its reminders do not fire; a task with MaxReminders reminders
// that would need another is EINVALID.
func (s *TaskService) SnoozeNotification(ctx context.Context, id uuid.UUID, d taskwire.Duration) (*taskwire.Snoozed, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("snooze notification: %w", err)
	}
	defer tx.close(ctx)
	user := tx.user
	b.Queue(`SELECT `+notificationColumns+` FROM notifications WHERE user_id = $1 AND id = $2 FOR UPDATE`, user, id)
	b.Queue(`SELECT `+taskColumns+` FROM tasks t
		WHERE t.user_id = $1 AND t.id = (SELECT n.task_id FROM notifications n WHERE n.user_id = $1 AND n.id = $2)
		FOR UPDATE OF t`, user, id)
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("snooze notification: %w", err)
	}
	n, noteErr := scanNotification(br.QueryRow())
	cur, taskErr := scanTask(br.QueryRow())
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("snooze notification: %w", translate(err))
	}
	switch {
	case errors.Is(noteErr, pgx.ErrNoRows):
		return nil, taskwire.Errorf(taskwire.ENOTFOUND, "no notification %s", id)
	case noteErr != nil:
		return nil, fmt.Errorf("snooze notification: %w", translate(noteErr))
	case errors.Is(taskErr, pgx.ErrNoRows):
		return nil, taskwire.Errorf(taskwire.ENOTFOUND, "the task of notification %s was deleted", id)
	case taskErr != nil:
		return nil, fmt.Errorf("snooze notification: %w", translate(taskErr))
	case cur.Status != taskwire.StatusOpen:
		return nil, taskwire.Errorf(taskwire.ECONFLICT, "task %d is completed: its reminders do not fire", cur.Number)
	}

	now := s.now()
	at := d.After(now, taskwire.LoadZone(cur.TimeZone)).Truncate(time.Second).UTC()
	f := cur.Fields()
	snoozed := uuid.NewSHA1(snoozeNamespace, id[:])
	i := slices.IndexFunc(f.Reminders, func(r taskwire.ReminderSpec) bool {
		return r.ID == snoozed || (r.ID == n.ReminderID && r.At != nil)
	})
	switch {
	case i >= 0:
		f.Reminders[i].At, f.Reminders[i].Before = &at, ""
	case len(f.Reminders) >= taskwire.MaxReminders:
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "reminders",
			"task %d has %d reminders, the most a task may have: remove one to snooze", cur.Number, taskwire.MaxReminders)
	default:
		f.Reminders = append(f.Reminders, taskwire.ReminderSpec{ID: snoozed, At: &at})
	}

	b = &pgx.Batch{}
	b.Queue(`UPDATE notifications SET read_at = coalesce(read_at, $3) WHERE user_id = $1 AND id = $2
		RETURNING `+notificationColumns, user, id, now).QueryRow(func(row pgx.Row) (err error) {
		n, err = scanNotification(row)
		return err
	})
	t, err := s.commitChange(ctx, tx, cur, f, b)
	if err != nil {
		return nil, fmt.Errorf("snooze notification: %w", err)
	}
	return &taskwire.Snoozed{Notification: n, Task: t, Until: at}, nil
}
