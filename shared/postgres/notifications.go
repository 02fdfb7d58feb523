package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// ConsumerNotifyInApp is the inbox consumer of in-app notifications: Deliver records each
// reminder.due event under it with the notification. (The webhook and email channels
// record theirs through MarkDelivered under names of their own.)
const ConsumerNotifyInApp = "notify-inapp"

// MaxNotificationsLimit bounds one page of FindNotifications.
const MaxNotificationsLimit = 200

// NotificationService stores in-app notifications and the notify function's delivery
// bookkeeping.
type NotificationService struct {
	db  *DB
	Now func() time.Time
}

// NewNotificationService returns a NotificationService on db.
func NewNotificationService(db *DB) *NotificationService {
	return &NotificationService{db: db, Now: time.Now}
}

const notificationColumns = `id, reminder_id, task_id, title, due_at, to_char(due_date, 'YYYY-MM-DD'), remind_at,
	created_at, read_at`

func scanNotification(row pgx.Row) (*taskwire.Notification, error) {
	var n taskwire.Notification
	if err := row.Scan(&n.ID, &n.ReminderID, &n.TaskID, &n.Title, &n.DueAt, &n.DueDate, &n.RemindAt, &n.CreatedAt, &n.ReadAt); err != nil {
		return nil, err
	}
	return &n, nil
}

// FindNotifications lists the signed-in user's notifications, newest first (ties by id,
// descending); unreadOnly leaves out those already read. limit must be 1–200 (else
// EINVALID). before is a keyset cursor, the last notification of the previous page (only
// its CreatedAt and ID are read), or nil for the first page.
func (s *NotificationService) FindNotifications(ctx context.Context, unreadOnly bool, limit int, before *taskwire.Notification) ([]*taskwire.Notification, error) {
	if limit < 1 || limit > MaxNotificationsLimit {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "limit", "limit must be between 1 and %d", MaxNotificationsLimit)
	}
	query := `SELECT ` + notificationColumns + ` FROM notifications WHERE user_id = $1`
	args := []any{taskwire.UserFromContext(ctx)}
	if unreadOnly {
		query += ` AND read_at IS NULL`
	}
	if before != nil {
		args = append(args, before.CreatedAt, before.ID)
		query += fmt.Sprintf(` AND (created_at, id) < ($%d, $%d)`, len(args)-1, len(args))
	}
	args = append(args, limit)
	query += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args))

	list := make([]*taskwire.Notification, 0, limit)
	err := readUser(ctx, s.db, query, args, func(rows pgx.Rows) error {
		for rows.Next() {
			n, err := scanNotification(rows)
			if err != nil {
				return err
			}
			list = append(list, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find notifications: %w", translate(err))
	}
	return list, nil
}

// FindNotification returns one of the signed-in user's notifications; any other id is
// ENOTFOUND.
func (s *NotificationService) FindNotification(ctx context.Context, id uuid.UUID) (*taskwire.Notification, error) {
	var n *taskwire.Notification
	err := readUser(ctx, s.db, `SELECT `+notificationColumns+` FROM notifications WHERE id = $1`,
		[]any{id}, func(rows pgx.Rows) error {
			if !rows.Next() {
				if err := rows.Err(); err != nil {
					return err
				}
				return taskwire.Errorf(taskwire.ENOTFOUND, "no notification %s", id)
			}
			var err error
			n, err = scanNotification(rows)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("find notification: %w", translate(err))
	}
	return n, nil
}

// MarkNotificationRead sets the read time of one of the signed-in user's notifications,
// once: marking it again keeps the first time. It returns the notification; another
// user's, or no such id, is ENOTFOUND.
func (s *NotificationService) MarkNotificationRead(ctx context.Context, id uuid.UUID) (*taskwire.Notification, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("mark notification read: %w", err)
	}
	defer tx.close(ctx)
	var n *taskwire.Notification
	b.Queue(`
		UPDATE notifications SET read_at = coalesce(read_at, $2)
		WHERE id = $1
		RETURNING `+notificationColumns, id, s.now(),
	).QueryRow(func(row pgx.Row) (err error) {
		n, err = scanNotification(row)
		if errors.Is(err, pgx.ErrNoRows) {
			return taskwire.Errorf(taskwire.ENOTFOUND, "no notification %s", id)
		}
		return err
	})
	if err := tx.commit(ctx, b); err != nil {
		return nil, fmt.Errorf("mark notification read: %w", err)
	}
	return n, nil
}

// MarkNotificationsRead sets the read time of every unread notification of the signed-in
// user, and returns how many it marked. When through is not nil, only that notification
// and those before it (by created_at, then id) are marked, so that a reminder that fired
// after the user last looked stays unread; a through that is not one of the user's
// notifications is EINVALID.
func (s *NotificationService) MarkNotificationsRead(ctx context.Context, through *uuid.UUID) (int64, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return 0, fmt.Errorf("mark notifications read: %w", err)
	}
	defer tx.close(ctx)
	var marked int64
	b.Queue(`
		WITH last AS (
			SELECT created_at, id FROM notifications WHERE id = $3
		), marked AS (
			UPDATE notifications n SET read_at = $1
			WHERE n.user_id = $2 AND n.read_at IS NULL
				AND ($3::uuid IS NULL OR (n.created_at, n.id) <= (SELECT created_at, id FROM last))
			RETURNING 1
		)
		SELECT $3::uuid IS NULL OR EXISTS (SELECT FROM last), (SELECT count(*) FROM marked)`,
		s.now(), taskwire.UserFromContext(ctx), through,
	).QueryRow(func(row pgx.Row) error {
		var found bool
		if err := row.Scan(&found, &marked); err != nil {
			return err
		}
		if !found {
			return taskwire.FieldErrorf(taskwire.EINVALID, "through", "through must be one of your notifications")
		}
		return nil
	})
	if err := tx.commit(ctx, b); err != nil {
		return 0, fmt.Errorf("mark notifications read: %w", err)
	}
	return marked, nil
}

// Deliver records the in-app notification of a reminder.due event exactly once and
// returns the event's user, whose email, webhook URL and secret the other channels need.
// In one transaction scoped to the user it claims the event in the inbox as consumer
// notify-inapp, inserts the notification and reads the user. added is false when the
// event was delivered before, or when the same reminder firing (reminder id and
// remind_at) already has a notification from another event; the user is returned all the
// same, for the channels still to deliver.
//
// The event is believed only as far as the database bears it out: the reminder must be
// one of that task, of that user, and have fired at the event's remind_at, the event's id
// must be that firing's (DueEventID), and the title and due time are the task's as
// stored, which Deliver writes into d for the channels to send. A forged event (anything that
// can reach the broker can post one) made an inbox entry and a webhook signed with the
// user's secret, saying what the forger wrote. A reminder whose task or user is gone is
// ENOTFOUND, except for a reminder firing whose notification was recorded before the
// task was deleted: the channels that failed then still deliver it on the broker's
// retry, with the title and due time the notification holds.
func (s *NotificationService) Deliver(ctx context.Context, eventSource, eventID string, reminderID uuid.UUID, d *events.ReminderData) (u *taskwire.User, added bool, err error) {
	if d.UserID == "" {
		return nil, false, taskwire.FieldErrorf(taskwire.EINVALID, "user_id", "the reminder has no user")
	}
	taskID, err := uuid.Parse(d.TaskID)
	if err != nil {
		return nil, false, taskwire.FieldErrorf(taskwire.EINVALID, "task_id", "task_id must be a UUID")
	}
	if eventID != DueEventID(reminderID, d.RemindAt).String() {
		// Not the event of a firing: made up, or a firing's told again under another id,
		// which the channels that dedupe by id would send again.
		return nil, false, taskwire.Errorf(taskwire.ENOTFOUND, "no such firing of this reminder: the event's id is not its firing's")
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, false, fmt.Errorf("deliver notification: new id: %w", err)
	}

	// One round trip: BEGIN, the scope, one statement that reads the user and, when there
	// is one, claims the event and inserts the notification, and COMMIT (of nothing, when
	// the event was delivered before or the user is gone).
	tx, b, err := beginUserTx(taskwire.NewContextWithUser(ctx, d.UserID), s.db)
	if err != nil {
		return nil, false, fmt.Errorf("deliver notification: %w", err)
	}
	defer tx.close(ctx)
	var (
		userID, timeZone *string // NULL when the user is gone
		user             taskwire.User
	)
	var title *string // NULL when the reminder is not that task's, of that user
	var dueAt *time.Time
	var dueDate *string
	b.Queue(`
		WITH live AS (
			SELECT t.title, t.due_at, t.due_date FROM reminders r JOIN tasks t ON t.id = r.task_id
			WHERE r.id = $6 AND r.task_id = $7 AND t.user_id = $5 AND r.fired_at IS NOT NULL AND r.fire_at = $8),
		-- A reminder firing whose in-app notification was recorded, the task deleted
		-- since: the other channels still owe it, with what it said then.
		recorded AS (
			SELECT n.title, n.due_at, n.due_date FROM notifications n
			WHERE n.reminder_id = $6 AND n.remind_at = $8 AND n.task_id = $7 AND n.user_id = $5
				AND NOT EXISTS (SELECT FROM live)),
		task AS (SELECT title, due_at, due_date FROM live UNION ALL SELECT title, due_at, due_date FROM recorded),
		known AS (SELECT `+userColumns+` FROM users WHERE id = $5 AND EXISTS (SELECT FROM task)),
		claim AS (
			INSERT INTO inbox (consumer, source, id)
			SELECT $1, $2, $3 WHERE EXISTS (SELECT FROM known)
			ON CONFLICT DO NOTHING
			RETURNING 1),
		added AS (
			INSERT INTO notifications (id, user_id, reminder_id, task_id, title, due_at, due_date, remind_at, created_at)
			SELECT $4, $5, $6, $7, task.title, task.due_at, task.due_date, $8, $9 FROM task
			WHERE EXISTS (SELECT FROM claim)
			ON CONFLICT (reminder_id, remind_at) DO NOTHING
			RETURNING 1)
		SELECT EXISTS (SELECT FROM added),
			known.id, known.time_zone, known.email, known.webhook_url, known.webhook_secret, coalesce(known.task_webhooks, false),
			(SELECT title FROM task), (SELECT due_at FROM task), (SELECT to_char(due_date, 'YYYY-MM-DD') FROM task)
		FROM (SELECT) AS one LEFT JOIN known ON true`,
		ConsumerNotifyInApp, eventSource, eventID,
		id, d.UserID, reminderID, taskID, d.RemindAt, s.now(),
	).QueryRow(func(row pgx.Row) error {
		return row.Scan(&added, &userID, &timeZone, &user.Email, &user.WebhookURL, &user.WebhookSecret, &user.TaskWebhooks,
			&title, &dueAt, &dueDate)
	})
	if err := tx.commit(ctx, b); err != nil {
		return nil, false, fmt.Errorf("deliver notification: %w", err)
	}
	if userID == nil || timeZone == nil || title == nil {
		return nil, false, taskwire.Errorf(taskwire.ENOTFOUND, "no such reminder of this task and user")
	}
	user.ID, user.TimeZone = *userID, *timeZone
	d.Title, d.DueAt, d.DueDate = *title, dueAt, dueDate
	return &user, added, nil
}

// StoredEvent returns the event with id that user's outbox holds, as its changes wrote
// it: the notify function sends a task webhook or a summary of that, not of what an event
// posted to the broker says (a forged one was sent, signed with the user's secret). An
// id the outbox does not hold for that user is ENOTFOUND.
func (s *NotificationService) StoredEvent(ctx context.Context, user, id string) (*event.Event, error) {
	key, err := uuid.Parse(id)
	if err != nil {
		return nil, taskwire.Errorf(taskwire.ENOTFOUND, "no event %q of this user", id)
	}
	var found *event.Event
	err = readUser(taskwire.NewContextWithUser(ctx, user), s.db,
		`SELECT type, source, subject, time, data FROM outbox WHERE id = $1 AND user_id = $2`, []any{key, user},
		func(rows pgx.Rows) error {
			for rows.Next() {
				var (
					typ, source, subject string
					at                   time.Time
					data                 []byte
				)
				if err := rows.Scan(&typ, &source, &subject, &at, &data); err != nil {
					return err
				}
				e := event.New()
				e.SetID(id)
				e.SetType(typ)
				e.SetSource(source)
				e.SetSubject(subject)
				e.SetTime(at)
				if err := e.SetData(event.ApplicationJSON, json.RawMessage(data)); err != nil {
					return err
				}
				found = &e
			}
			return rows.Err()
		})
	if err != nil {
		return nil, fmt.Errorf("find stored event: %w", translate(err))
	}
	if found == nil {
		return nil, taskwire.Errorf(taskwire.ENOTFOUND, "no event %s of this user", id)
	}
	return found, nil
}

// WebhookUser returns the settings of user id as the notify function reads them for a
// task webhook (it has no signed-in user); a user who is gone is ENOTFOUND.
func (s *NotificationService) WebhookUser(ctx context.Context, id string) (*taskwire.User, error) {
	return (&UserService{db: s.db}).FindMe(taskwire.NewContextWithUser(ctx, id))
}

// Delivered reports whether consumer recorded the event (source, id) as delivered.
func (s *NotificationService) Delivered(ctx context.Context, consumer, source, id string) (bool, error) {
	var done bool
	b := &pgx.Batch{}
	b.Queue(`SELECT EXISTS (SELECT FROM inbox WHERE consumer = $1 AND source = $2 AND id = $3)`,
		consumer, source, id).QueryRow(func(row pgx.Row) error { return row.Scan(&done) })
	if err := s.db.sendBatch(ctx, b).Close(); err != nil {
		return false, fmt.Errorf("inbox %s: %w", consumer, translate(err))
	}
	return done, nil
}

// MarkDelivered records that consumer delivered the event (source, id). A channel that
// cannot share a transaction with its effect (a webhook, an email) calls it only after
// the effect succeeded, so a failure is retried and a success is not repeated; marking
// twice is harmless. The record commits without waiting for the disk: the effect is out
// already, and a record lost in the server's crash only sends it again, with the same
// webhook-id or Message-ID by which receivers recognise it.
func (s *NotificationService) MarkDelivered(ctx context.Context, consumer, source, id string) error {
	b := &pgx.Batch{}
	b.Queue(asyncCommitSQL)
	b.Queue(claimInboxSQL, consumer, source, id)
	if err := s.db.sendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("inbox %s: %w", consumer, translate(err))
	}
	return nil
}

func (s *NotificationService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}
