package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestNotificationService_Deliver(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		svc.Now = fixedClock(t0)
		reminder, data := newReminder(t, db, user, t0.Add(-time.Minute))
		due := *data.DueAt

		_, delivered, err := svc.Deliver(context.Background(), events.SourceReminders, postgrestest.FiringID(reminder, data), reminder, &data)
		require.NoError(t, err)
		assert.True(t, delivered, "got delivered false on first delivery, want true")

		list, err := svc.FindNotifications(ctx, false, 10, nil)
		require.NoError(t, err)
		require.Len(t, list, 1)
		n := list[0]
		assert.NotEqual(t, uuid.Nil, n.ID)
		assert.Equal(t, reminder, n.ReminderID)
		assert.Equal(t, data.TaskID, n.TaskID.String())
		assert.Equal(t, "Water the plants", n.Title)
		require.NotNil(t, n.DueAt)
		assert.True(t, due.Equal(*n.DueAt), "got due_at %v, want %v", n.DueAt, due)
		assert.True(t, data.RemindAt.Equal(n.RemindAt), "got remind_at %v, want %v", n.RemindAt, data.RemindAt)
		assert.True(t, t0.Truncate(time.Microsecond).Equal(n.CreatedAt), "got created_at %v, want %v", n.CreatedAt, t0)
		assert.Nil(t, n.ReadAt)
	})

	t.Run("Redelivered", func(t *testing.T) {
		_, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		reminder, data := newReminder(t, db, user, t0)
		id := postgrestest.FiringID(reminder, data)

		for i, want := range []bool{true, false, false} {
			_, delivered, err := svc.Deliver(context.Background(), events.SourceReminders, id, reminder, &data)
			require.NoError(t, err)
			assert.Equal(t, want, delivered, "delivery %d: got delivered %v, want %v", i+1, delivered, want)
		}
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM notifications WHERE user_id = $1`, user))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM inbox WHERE consumer = $1 AND id = $2`, postgres.ConsumerNotifyInApp, id))
	})

	t.Run("Concurrent", func(t *testing.T) {
		_, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		reminder, data := newReminder(t, db, user, t0)
		id := postgrestest.FiringID(reminder, data)

		const n = 8
		var wg sync.WaitGroup
		results := make(chan bool, n)
		for range n {
			wg.Go(func() {
				data := data // each delivery has its event's data, which Deliver writes to
				_, delivered, err := svc.Deliver(context.Background(), events.SourceReminders, id, reminder, &data)
				assert.NoError(t, err)
				results <- delivered
			})
		}
		wg.Wait()
		close(results)
		count := 0
		for delivered := range results {
			if delivered {
				count++
			}
		}
		assert.Equal(t, 1, count, "got %d deliveries reporting true, want 1", count)
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM notifications WHERE user_id = $1`, user))
	})

	t.Run("SameFiringAnotherEvent", func(t *testing.T) {
		_, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		reminder, data := newReminder(t, db, user, t0)

		_, first, err := svc.Deliver(context.Background(), events.SourceReminders, postgrestest.FiringID(reminder, data), reminder, &data)
		require.NoError(t, err)
		assert.True(t, first)
		// Another event of the same firing is none of the firing's (until 2026-12-06 it was
		// taken, and the channels that dedupe by event id sent it again).
		_, _, err = svc.Deliver(context.Background(), events.SourceReminders, uuid.NewString(), reminder, &data)
		requireCode(t, err, taskwire.ENOTFOUND)
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM notifications WHERE user_id = $1`, user))
	})

	t.Run("Recipient", func(t *testing.T) {
		// The user comes back for the other channels, also when the in-app
		// notification was delivered before (a webhook that failed is retried).
		ctx, user := MustNewUser(t, db)
		_, err := postgres.NewUserService(db).UpdateMe(ctx, []byte(`{"email":"ada@example.com","webhook_url":"https://example.com/hook","time_zone":"Europe/Berlin"}`))
		require.NoError(t, err)
		svc := postgres.NewNotificationService(db)
		reminder, data := newReminder(t, db, user, t0)
		id := postgrestest.FiringID(reminder, data)

		for _, want := range []bool{true, false} {
			got, delivered, err := svc.Deliver(context.Background(), events.SourceReminders, id, reminder, &data)
			require.NoError(t, err)
			assert.Equal(t, want, delivered)
			require.NotNil(t, got)
			assert.Equal(t, user, got.ID)
			assert.Equal(t, "Europe/Berlin", got.TimeZone)
			require.NotNil(t, got.Email)
			assert.Equal(t, "ada@example.com", *got.Email)
			require.NotNil(t, got.WebhookURL)
			assert.Equal(t, "https://example.com/hook", *got.WebhookURL)
			require.NotNil(t, got.WebhookSecret)
			assert.Regexp(t, `^whsec_`, *got.WebhookSecret)
		}
	})

	// The event is believed only as far as the database bears it out: a reminder that is
	// not that task's, of that user, that did not fire at that time, or whose task or user
	// is gone, is no notification, and the title and due time are the task's.
	t.Run("ErrNotFound", func(t *testing.T) {
		svc := postgres.NewNotificationService(db)
		_, user := MustNewUser(t, db)
		_, other := MustNewUser(t, db)
		for name, forge := range map[string]func(data *events.ReminderData) uuid.UUID{
			"UnknownReminder": func(*events.ReminderData) uuid.UUID { return uuid.New() },
			"AnotherUsers":    func(data *events.ReminderData) uuid.UUID { r, _ := newReminder(t, db, other, t0); return r },
			"AnotherTasks": func(data *events.ReminderData) uuid.UUID {
				r, _ := newReminder(t, db, user, t0)
				data.TaskID = uuid.NewString()
				return r
			},
			"ForAnotherUser": func(data *events.ReminderData) uuid.UUID {
				r, d := newReminder(t, db, user, t0)
				*data = d
				data.UserID = other
				return r
			},
			// A firing the reminders function did not make (since 2026-12-06): a reminder
			// still to fire, or one that fired at another time.
			"NotFired": func(data *events.ReminderData) uuid.UUID {
				r, d := newReminder(t, db, user, t0)
				*data = d
				_, err := db.Pool.Exec(context.Background(), `UPDATE reminders SET fired_at = NULL WHERE id = $1`, r)
				require.NoError(t, err)
				return r
			},
			"FiredAtAnotherTime": func(data *events.ReminderData) uuid.UUID {
				r, d := newReminder(t, db, user, t0)
				*data = d
				data.RemindAt = d.RemindAt.Add(time.Hour)
				return r
			},
			"UserGone": func(data *events.ReminderData) uuid.UUID {
				_, gone := MustNewUser(t, db)
				r, d := newReminder(t, db, gone, t0)
				*data = d
				_, err := db.Pool.Exec(context.Background(), `DELETE FROM users WHERE id = $1`, gone)
				require.NoError(t, err)
				return r
			},
		} {
			t.Run(name, func(t *testing.T) {
				_, data := newReminder(t, db, user, t0)
				reminder := forge(&data)
				id := postgrestest.FiringID(reminder, data) // the firing's id: the database refuses it
				_, _, err := svc.Deliver(context.Background(), events.SourceReminders, id, reminder, &data)
				requireCode(t, err, taskwire.ENOTFOUND)
				assert.Equal(t, 0, countRows(t, db, `SELECT count(*) FROM inbox WHERE id = $1`, id), "got an inbox record for a refused delivery, want none")
			})
		}
	})

	t.Run("TitleAndDueAreTheTasks", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		reminder, data := newReminder(t, db, user, t0)
		due := *data.DueAt
		data.Title, data.DueAt = "URGENT: reset your password at http://evil.example", nil
		_, delivered, err := svc.Deliver(context.Background(), events.SourceReminders, postgrestest.FiringID(reminder, data), reminder, &data)
		require.NoError(t, err)
		require.True(t, delivered)
		assert.Equal(t, "Water the plants", data.Title, "the channels send the stored title")
		require.NotNil(t, data.DueAt)
		assert.True(t, due.Equal(*data.DueAt))
		list, err := svc.FindNotifications(ctx, false, 10, nil)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "Water the plants", list[0].Title)
	})

	// An all-day task's notification keeps its day, and the channels send it, whatever
	// the event said; it stays when the task is gone.
	t.Run("AllDay", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		tasks := postgres.NewTaskService(db)
		task := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "Pay rent", DueDate: ptr("2030-05-01"),
			TimeZone: "America/Los_Angeles", Reminders: []taskwire.ReminderInput{{Before: ptr("P1D")}}})
		n := postgrestest.MustDeliverReminder(t, db, svc, user, task, 0)
		require.NotNil(t, n.DueDate)
		assert.Equal(t, "2030-05-01", *n.DueDate)
		assert.True(t, task.DueAt.Equal(*n.DueAt))
		found, err := svc.FindNotification(ctx, n.ID)
		require.NoError(t, err)
		assert.Equal(t, n, found)

		// Delivered again once the task is gone (another event of the same firing): the
		// recorded day.
		require.NoError(t, tasks.DeleteTask(ctx, task.ID.String(), ""))
		data := events.ReminderData{UserID: user, TaskID: task.ID.String(), Title: "x", RemindAt: n.RemindAt}
		_, delivered, err := svc.Deliver(context.Background(), events.SourceReminders, postgrestest.FiringID(task.Reminders[0].ID, data), task.Reminders[0].ID, &data)
		require.NoError(t, err)
		assert.False(t, delivered)
		require.NotNil(t, data.DueDate)
		assert.Equal(t, "2030-05-01", *data.DueDate)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		_, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		reminder, data := newReminder(t, db, user, t0)
		data.TaskID = "not-a-uuid"
		_, _, err := svc.Deliver(context.Background(), events.SourceReminders, postgrestest.FiringID(reminder, data), reminder, &data)
		requireCode(t, err, taskwire.EINVALID)
	})
}

func TestNotificationService_FindNotifications(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("Paging", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		// Seven notifications, two at each instant, so that pages split ties.
		var want []uuid.UUID
		for i := range 7 {
			svc.Now = fixedClock(t0.Add(time.Duration(i/2) * time.Second))
			MustDeliver(t, db, svc, user)
		}
		all, err := svc.FindNotifications(ctx, false, 200, nil)
		require.NoError(t, err)
		require.Len(t, all, 7)
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			newer := a.CreatedAt.After(b.CreatedAt) || a.CreatedAt.Equal(b.CreatedAt) && a.ID.String() > b.ID.String()
			assert.True(t, newer, "got %v (%s) before %v (%s), want newest first", a.CreatedAt, a.ID, b.CreatedAt, b.ID)
		}
		for _, n := range all {
			want = append(want, n.ID)
		}

		var got []uuid.UUID
		var before *taskwire.Notification
		for page := 0; ; page++ {
			require.Less(t, page, 10, "paging does not end")
			list, err := svc.FindNotifications(ctx, false, 3, before)
			require.NoError(t, err)
			if len(list) == 0 {
				break
			}
			assert.LessOrEqual(t, len(list), 3)
			for _, n := range list {
				got = append(got, n.ID)
			}
			before = list[len(list)-1]
		}
		assert.Equal(t, want, got, "got pages %v, want %v", got, want)
	})

	t.Run("UnreadOnly", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		a := MustDeliver(t, db, svc, user)
		b := MustDeliver(t, db, svc, user)
		_, err := svc.MarkNotificationRead(ctx, a.ID)
		require.NoError(t, err)

		unread, err := svc.FindNotifications(ctx, true, 10, nil)
		require.NoError(t, err)
		require.Len(t, unread, 1)
		assert.Equal(t, b.ID, unread[0].ID)
		all, err := svc.FindNotifications(ctx, false, 10, nil)
		require.NoError(t, err)
		assert.Len(t, all, 2)
	})

	t.Run("OnlyOwn", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		_, other := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		MustDeliver(t, db, svc, other)
		list, err := svc.FindNotifications(ctx, false, 10, nil)
		require.NoError(t, err)
		assert.Empty(t, list, "got another user's notifications, want none")
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		for _, limit := range []int{0, -1, 201} {
			_, err := svc.FindNotifications(ctx, false, limit, nil)
			requireCode(t, err, taskwire.EINVALID)
		}
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, err := postgres.NewNotificationService(db).FindNotifications(context.Background(), false, 10, nil)
		requireCode(t, err, taskwire.EUNAUTHORIZED)
	})
}

func TestNotificationService_FindNotification(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		n := MustDeliver(t, db, svc, user)
		got, err := svc.FindNotification(ctx, n.ID)
		require.NoError(t, err)
		assert.Equal(t, n, got)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		_, other := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		theirs := MustDeliver(t, db, svc, other)
		for _, id := range []uuid.UUID{theirs.ID, uuid.New()} {
			_, err := svc.FindNotification(ctx, id)
			requireCode(t, err, taskwire.ENOTFOUND)
		}
	})
}

func TestNotificationService_MarkNotificationRead(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		n := MustDeliver(t, db, svc, user)

		read := t0.Add(time.Hour)
		svc.Now = fixedClock(read)
		got, err := svc.MarkNotificationRead(ctx, n.ID)
		require.NoError(t, err)
		require.NotNil(t, got.ReadAt)
		assert.True(t, read.Truncate(time.Microsecond).Equal(*got.ReadAt), "got read_at %v, want %v", got.ReadAt, read)

		// Again, later: the first read time stays.
		svc.Now = fixedClock(read.Add(time.Hour))
		again, err := svc.MarkNotificationRead(ctx, n.ID)
		require.NoError(t, err)
		require.NotNil(t, again.ReadAt)
		assert.True(t, got.ReadAt.Equal(*again.ReadAt), "got read_at %v after a second read, want %v kept", again.ReadAt, got.ReadAt)

		found, err := svc.FindNotification(ctx, n.ID)
		require.NoError(t, err)
		assert.Equal(t, again, found)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		_, other := MustNewUser(t, db)
		svc := postgres.NewNotificationService(db)
		theirs := MustDeliver(t, db, svc, other)
		_, err := svc.MarkNotificationRead(ctx, theirs.ID)
		requireCode(t, err, taskwire.ENOTFOUND)
		_, err = svc.MarkNotificationRead(ctx, uuid.New())
		requireCode(t, err, taskwire.ENOTFOUND)
		assert.Equal(t, 0, countRows(t, db, `SELECT count(*) FROM notifications WHERE id = $1 AND read_at IS NOT NULL`, theirs.ID),
			"got another user's notification marked read, want it untouched")
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, err := postgres.NewNotificationService(db).MarkNotificationRead(context.Background(), uuid.New())
		requireCode(t, err, taskwire.EUNAUTHORIZED)
	})
}

func TestNotificationService_Delivered(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx := context.Background()
		svc := postgres.NewNotificationService(db)
		id := uuid.NewString()
		for _, consumer := range []string{consumerWebhook, consumerEmail} {
			done, err := svc.Delivered(ctx, consumer, events.SourceReminders, id)
			require.NoError(t, err)
			assert.False(t, done, "%s: got delivered before marking, want not", consumer)
		}

		require.NoError(t, svc.MarkDelivered(ctx, consumerWebhook, events.SourceReminders, id))
		require.NoError(t, svc.MarkDelivered(ctx, consumerWebhook, events.SourceReminders, id), "marking twice")

		done, err := svc.Delivered(ctx, consumerWebhook, events.SourceReminders, id)
		require.NoError(t, err)
		assert.True(t, done, "got webhook not delivered after marking, want delivered")
		done, err = svc.Delivered(ctx, consumerEmail, events.SourceReminders, id)
		require.NoError(t, err)
		assert.False(t, done, "got email delivered after marking the webhook, want each channel on its own")
		done, err = svc.Delivered(ctx, consumerWebhook, "/elsewhere", id)
		require.NoError(t, err)
		assert.False(t, done, "got delivered for another source, want not")
	})
}

// The consumers the notify function records its webhooks and emails under.
const (
	consumerWebhook = "notify-webhook"
	consumerEmail   = "notify-email"
)

// newReminder creates a task of user titled "Water the plants" with a reminder that fires
// at remindAt, and returns the reminder's id and its reminder.due event's data.
func newReminder(tb testing.TB, db *postgres.DB, user string, remindAt time.Time) (uuid.UUID, events.ReminderData) {
	tb.Helper()
	return postgrestest.MustCreateReminder(tb, db, user, "Water the plants", remindAt)
}

// MustDeliver delivers the in-app notification of a new reminder.due event for user and
// returns it.
func MustDeliver(tb testing.TB, db *postgres.DB, svc *postgres.NotificationService, user string) *taskwire.Notification {
	tb.Helper()
	reminder, data := newReminder(tb, db, user, t0)
	_, delivered, err := svc.Deliver(context.Background(), events.SourceReminders, postgrestest.FiringID(reminder, data), reminder, &data)
	require.NoError(tb, err)
	require.True(tb, delivered)
	var n *taskwire.Notification
	ctx := taskwire.NewContextWithUser(context.Background(), user)
	list, err := svc.FindNotifications(ctx, false, 200, nil)
	require.NoError(tb, err)
	for _, got := range list {
		if got.ReminderID == reminder {
			n = got
		}
	}
	require.NotNil(tb, n, "delivered notification of reminder %s not found", reminder)
	return n
}
