package notify_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/notify/smtptest"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// TestMain runs the package's tests on a database of their own, dropped afterwards.
func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// t0 is the reminders' time in these tests.
var t0 = time.Date(2026, 3, 5, 17, 15, 0, 0, time.UTC)

const testFrom = "Taskwire Reminders <reminders@taskwire.test>"

func TestHandler_Handle(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		h, mail := MustNewHandler(t, db, true)
		rcv := MustNewReceiver(t)
		user := MustNewUser(t, db, "ada@example.com", rcv.URL)
		_, err := db.Pool.Exec(context.Background(), `UPDATE users SET time_zone = 'Europe/Berlin' WHERE id = $1`, user.ID)
		require.NoError(t, err)
		e, reminder := NewReminderEvent(t, db, user.ID, "Water the plants")

		reply, err := h.Handle(context.Background(), e)
		require.NoError(t, err)
		assert.Nil(t, reply)

		// In-app.
		list := MustFindNotifications(t, db, user.ID)
		require.Len(t, list, 1)
		assert.Equal(t, reminder, list[0].ReminderID)
		assert.Equal(t, "Water the plants", list[0].Title)
		assert.True(t, t0.Equal(list[0].RemindAt), "got remind_at %v, want %v", list[0].RemindAt, t0)
		assert.Nil(t, list[0].ReadAt)

		// Webhook, verified as the receiver would, with the user's secret.
		got := rcv.Delivered()
		require.Len(t, got, 1)
		require.NoError(t, notify.Verify(*user.WebhookSecret, got[0].Header, got[0].Body))
		assert.Equal(t, e.ID(), got[0].Header.Get(notify.HeaderID))
		assert.Equal(t, "application/json", got[0].Header.Get("Content-Type"))
		payload := decodePayload(t, got[0].Body)
		assert.Equal(t, "reminder.due", payload["type"])
		data, _ := payload["data"].(map[string]any)
		assert.Equal(t, reminder.String(), data["reminder_id"])
		assert.Equal(t, user.ID, data["user_id"])
		assert.Equal(t, "Water the plants", data["title"])
		assert.Equal(t, "2026-03-05T17:15:00Z", data["remind_at"])
		assert.Equal(t, "2026-03-05T17:30:00Z", data["due_at"])

		// Email.
		msgs := mail.WaitMessages(t, 1, time.Second)
		require.Len(t, msgs, 1)
		assert.Equal(t, "reminders@taskwire.test", msgs[0].From)
		assert.Equal(t, []string{"ada@example.com"}, msgs[0].To)
		parsed, err := msgs[0].Parse()
		require.NoError(t, err)
		assert.Equal(t, `"Taskwire Reminders" <reminders@taskwire.test>`, parsed.Header.Get("From"))
		assert.Equal(t, "<ada@example.com>", parsed.Header.Get("To"))
		assert.Equal(t, "Reminder: Water the plants", parsed.Header.Get("Subject"))
		body := readBody(t, msgs[0])
		assert.Contains(t, body, "Due: Thursday, 5 March 2026, 18:30 (Europe/Berlin)", "in the user's zone")
		assert.Contains(t, body, "Reminder time: Thursday, 5 March 2026, 18:15 (Europe/Berlin)")
	})

	t.Run("Redelivered", func(t *testing.T) {
		h, mail := MustNewHandler(t, db, true)
		rcv := MustNewReceiver(t)
		user := MustNewUser(t, db, "ada@example.com", rcv.URL)
		e, _ := NewReminderEvent(t, db, user.ID, "Water the plants")

		for i := range 3 {
			_, err := h.Handle(context.Background(), e)
			require.NoError(t, err, "delivery %d", i+1)
		}
		assert.Len(t, MustFindNotifications(t, db, user.ID), 1, "in-app notifications")
		assert.Len(t, rcv.Requests(), 1, "webhooks")
		assert.Len(t, mail.Messages(), 1, "emails")
	})

	t.Run("WebhookFlaky", func(t *testing.T) {
		h, _ := MustNewHandler(t, db, true)
		rcv := MustNewReceiver(t)
		rcv.FailNext(2)
		user := MustNewUser(t, db, "", rcv.URL)
		e, _ := NewReminderEvent(t, db, user.ID, "Water the plants")

		_, err := h.Handle(context.Background(), e)
		require.NoError(t, err)
		assert.Equal(t, []int{500, 500, 200}, statuses(rcv.Requests()))
		assert.Len(t, rcv.Delivered(), 1, "got %d successful webhooks, want 1", len(rcv.Delivered()))

		_, err = h.Handle(context.Background(), e)
		require.NoError(t, err)
		assert.Len(t, rcv.Requests(), 3, "got the webhook sent again on redelivery, want it once")
	})

	t.Run("WebhookDown", func(t *testing.T) {
		h, mail, rcv, user, e := mustStartWebhookDown(t, db)

		_, err := h.Handle(context.Background(), e)
		require.Error(t, err)
		assert.Equal(t, taskwire.EINTERNAL, taskwire.ErrorCode(err), "got code %s, want a plain error the broker retries", taskwire.ErrorCode(err))
		assert.Len(t, rcv.Requests(), 3, "tries")
		assert.Empty(t, rcv.Delivered())
		assert.Len(t, MustFindNotifications(t, db, user.ID), 1, "the in-app notification is delivered regardless")
		assert.Len(t, mail.Messages(), 1, "the email is delivered regardless")

		// The broker delivers the event again, later; now the receiver is healthy.
		rcv.FailNext(0)
		_, err = h.Handle(context.Background(), e)
		require.NoError(t, err)
		assert.Len(t, rcv.Delivered(), 1, "webhooks delivered")
		require.NoError(t, notify.Verify(*user.WebhookSecret, rcv.Delivered()[0].Header, rcv.Delivered()[0].Body))
		assert.Equal(t, e.ID(), rcv.Delivered()[0].Header.Get(notify.HeaderID), "got another webhook-id on redelivery, want the event's")
		assert.Len(t, MustFindNotifications(t, db, user.ID), 1, "got the in-app notification repeated, want it once")
		assert.Len(t, mail.Messages(), 1, "got the email repeated, want it once")
	})

	// A reminder that fired while its task existed reaches every channel once, even when
	// the task is deleted before the broker's retry of a failed channel; a reminder of a
	// task deleted before it was delivered at all reaches none.
	t.Run("WebhookDownThenTaskDeleted", func(t *testing.T) {
		h, mail, rcv, user, e := mustStartWebhookDown(t, db)
		_, err := h.Handle(context.Background(), e)
		require.Error(t, err)

		mustDeleteTaskOf(t, db, e)
		rcv.FailNext(0)
		_, err = h.Handle(context.Background(), e)
		require.NoError(t, err)
		require.Len(t, rcv.Delivered(), 1, "the webhook the first delivery owed")
		require.NoError(t, notify.Verify(*user.WebhookSecret, rcv.Delivered()[0].Header, rcv.Delivered()[0].Body))
		data, _ := decodePayload(t, rcv.Delivered()[0].Body)["data"].(map[string]any)
		assert.Equal(t, "Water the plants", data["title"], "as the notification recorded it")
		assert.Equal(t, "2026-03-05T17:30:00Z", data["due_at"])
		assert.Len(t, mail.Messages(), 1, "the email went the first time, and only then")

		deleted, _ := NewReminderEvent(t, db, user.ID, "Call the bank")
		mustDeleteTaskOf(t, db, deleted)
		_, err = h.Handle(context.Background(), deleted)
		require.NoError(t, err)
		assert.Len(t, rcv.Delivered(), 1, "no webhook for a task deleted before its reminder was delivered")
		assert.Len(t, MustFindNotifications(t, db, user.ID), 1)
	})

	t.Run("EmailDown", func(t *testing.T) {
		h, mail := MustNewHandler(t, db, true)
		rcv := MustNewReceiver(t)
		user := MustNewUser(t, db, "ada@example.com", rcv.URL)
		e, _ := NewReminderEvent(t, db, user.ID, "Water the plants")
		mail.RejectNext(1)

		_, err := h.Handle(context.Background(), e)
		require.Error(t, err)
		assert.Equal(t, taskwire.EINTERNAL, taskwire.ErrorCode(err))
		assert.Empty(t, mail.Messages())

		_, err = h.Handle(context.Background(), e)
		require.NoError(t, err)
		assert.Len(t, mail.Messages(), 1, "emails")
		assert.Len(t, rcv.Requests(), 1, "got the webhook repeated, want it once")
		assert.Len(t, MustFindNotifications(t, db, user.ID), 1)
	})

	t.Run("WebhookBlocked", func(t *testing.T) {
		h, _ := MustNewHandler(t, db, false) // the receiver listens on loopback
		rcv := MustNewReceiver(t)
		user := MustNewUser(t, db, "", rcv.URL)
		e, _ := NewReminderEvent(t, db, user.ID, "Water the plants")

		for range 2 {
			_, err := h.Handle(context.Background(), e)
			require.NoError(t, err, "got a refused address failing the event, want it handled")
		}
		assert.Empty(t, rcv.Requests(), "got a webhook to loopback, want none")
		assert.Len(t, MustFindNotifications(t, db, user.ID), 1)
		done, err := postgres.NewNotificationService(db).Delivered(context.Background(), notify.ConsumerWebhook, e.Source(), e.ID())
		require.NoError(t, err)
		assert.True(t, done, "got the refused webhook not recorded, want it recorded as handled")
	})

	t.Run("OnlyInApp", func(t *testing.T) {
		h, mail := MustNewHandler(t, db, true)
		user := MustNewUser(t, db, "", "")
		e, _ := NewReminderEvent(t, db, user.ID, "Water the plants")

		_, err := h.Handle(context.Background(), e)
		require.NoError(t, err)
		assert.Len(t, MustFindNotifications(t, db, user.ID), 1)
		assert.Empty(t, mail.Messages())
		store := postgres.NewNotificationService(db)
		for _, consumer := range []string{notify.ConsumerWebhook, notify.ConsumerEmail} {
			done, err := store.Delivered(context.Background(), consumer, e.Source(), e.ID())
			require.NoError(t, err)
			assert.False(t, done, "got %s recorded for a user without it, want nothing", consumer)
		}
	})

	t.Run("NoSMTP", func(t *testing.T) {
		h, err := notify.NewHandler(postgres.NewNotificationService(db), notify.Config{AllowPrivate: true})
		require.NoError(t, err)
		assert.Nil(t, h.Mailer)
		rcv := MustNewReceiver(t)
		user := MustNewUser(t, db, "ada@example.com", rcv.URL)
		e, _ := NewReminderEvent(t, db, user.ID, "Water the plants")

		_, err = h.Handle(context.Background(), e)
		require.NoError(t, err)
		assert.Len(t, MustFindNotifications(t, db, user.ID), 1)
		assert.Len(t, rcv.Delivered(), 1)
	})

	t.Run("UserGone", func(t *testing.T) {
		h, _ := MustNewHandler(t, db, true)
		gone := "user-" + uuid.NewString()
		e, _ := NewReminderEvent(t, db, gone, "Water the plants")
		_, err := db.Pool.Exec(context.Background(), `DELETE FROM users WHERE id = $1`, gone)
		require.NoError(t, err)
		reply, err := h.Handle(context.Background(), e)
		require.NoError(t, err)
		assert.Nil(t, reply)
	})

	t.Run("OtherType", func(t *testing.T) {
		h, _ := MustNewHandler(t, db, true)
		e, _ := NewReminderEvent(t, db, "user-"+uuid.NewString(), "Water the plants")
		e.SetType(events.TypeRemindersTick) // task events are the task webhooks' (taskwebhook_test.go)
		reply, err := h.Handle(context.Background(), e)
		require.NoError(t, err)
		assert.Nil(t, reply)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		h, _ := MustNewHandler(t, db, true)
		user := MustNewUser(t, db, "", "")
		task := uuid.NewString()
		tests := []struct {
			name    string
			subject string
			data    string
		}{
			{"NotJSON", uuid.NewString(), `not json`},
			{"NoUser", uuid.NewString(), `{"task_id":"` + task + `","title":"x","remind_at":"2026-03-05T17:15:00Z"}`},
			{"BadTask", uuid.NewString(), `{"user_id":"` + user.ID + `","task_id":"nope","title":"x","remind_at":"2026-03-05T17:15:00Z"}`},
			{"NoTitle", uuid.NewString(), `{"user_id":"` + user.ID + `","task_id":"` + task + `","title":" ","remind_at":"2026-03-05T17:15:00Z"}`},
			{"NoRemindAt", uuid.NewString(), `{"user_id":"` + user.ID + `","task_id":"` + task + `","title":"x"}`},
			{"BadRemindAt", uuid.NewString(), `{"user_id":"` + user.ID + `","task_id":"` + task + `","title":"x","remind_at":"tomorrow"}`},
			{"BadSubject", "reminder-1", `{"user_id":"` + user.ID + `","task_id":"` + task + `","title":"x","remind_at":"2026-03-05T17:15:00Z"}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := event.New()
				e.SetID(uuid.NewString())
				e.SetSource(events.SourceReminders)
				e.SetType(events.TypeReminderDue)
				e.SetSubject(tt.subject)
				require.NoError(t, e.SetData(event.ApplicationJSON, []byte(tt.data)))
				_, err := h.Handle(context.Background(), e)
				require.Error(t, err)
				assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err), "got %v, want EINVALID", err)
			})
		}
		assert.Empty(t, MustFindNotifications(t, db, user.ID), "got a notification from bad data, want none")
	})
}

// mustStartWebhookDown returns a handler, its mail server, a webhook receiver that fails
// every request, a user with an email and that webhook, and a reminder event of theirs.
func mustStartWebhookDown(t *testing.T, db *postgres.DB) (*notify.Handler, *smtptest.Server, *Receiver, *taskwire.User, event.Event) {
	t.Helper()
	h, mail := MustNewHandler(t, db, true)
	h.Webhook.Backoff = 10 * time.Millisecond
	rcv := MustNewReceiver(t)
	rcv.FailNext(-1)
	user := MustNewUser(t, db, "ada@example.com", rcv.URL)
	e, _ := NewReminderEvent(t, db, user.ID, "Water the plants")
	return h, mail, rcv, user, e
}

// mustDeleteTaskOf deletes the task of reminder event e.
func mustDeleteTaskOf(t *testing.T, db *postgres.DB, e event.Event) {
	t.Helper()
	_, d, err := notify.ReadReminder(e)
	require.NoError(t, err)
	_, err = db.Pool.Exec(context.Background(), `DELETE FROM tasks WHERE id = $1`, d.TaskID)
	require.NoError(t, err)
}

func TestConfigFromEnv(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cfg, err := notify.ConfigFromEnv(map[string]string{"SMTP_URL": "smtp://mail:25", "NOTIFY_ALLOW_PRIVATE": "true"})
		require.NoError(t, err)
		assert.Equal(t, notify.Config{SMTPURL: "smtp://mail:25", From: notify.DefaultFrom, AllowPrivate: true}, cfg)

		cfg, err = notify.ConfigFromEnv(map[string]string{"NOTIFY_FROM": testFrom})
		require.NoError(t, err)
		assert.Equal(t, notify.Config{From: testFrom}, cfg)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for setting, env := range map[string]map[string]string{
			"NOTIFY_ALLOW_PRIVATE": {"NOTIFY_ALLOW_PRIVATE": "maybe"},
			"SMTP_URL":             {"SMTP_URL": "http://mail"},
			"NOTIFY_FROM":          {"SMTP_URL": "smtp://mail", "NOTIFY_FROM": "not an address"},
		} {
			_, err := notify.ConfigFromEnv(env)
			assert.ErrorContains(t, err, setting, "env %v", env)
		}
		_, err := notify.NewHandler(nil, notify.Config{SMTPURL: "http://mail"})
		assert.ErrorContains(t, err, "SMTP_URL")
	})
}

// MustNewHandler returns a Handler on db that mails through a new test SMTP server.
func MustNewHandler(tb testing.TB, db *postgres.DB, allowPrivate bool) (*notify.Handler, *smtptest.Server) {
	tb.Helper()
	mail := smtptest.NewServer(tb)
	h, err := notify.NewHandler(postgres.NewNotificationService(db), notify.Config{
		SMTPURL: mail.URL, From: testFrom, AllowPrivate: allowPrivate,
	})
	require.NoError(tb, err)
	return h, mail
}

// MustNewUser creates a user with email and webhook (either may be ""), removed at
// cleanup, and returns the user's settings with the webhook secret.
func MustNewUser(tb testing.TB, db *postgres.DB, email, webhook string) *taskwire.User {
	tb.Helper()
	id := "user-" + uuid.NewString()
	ctx := taskwire.NewContextWithUser(context.Background(), id)
	users := postgres.NewUserService(db)
	require.NoError(tb, users.EnsureUser(ctx, id, time.Time{}))
	tb.Cleanup(func() {
		_, err := db.Pool.Exec(context.Background(), `DELETE FROM users WHERE id = $1`, id)
		assert.NoError(tb, err)
	})
	patch, err := json.Marshal(map[string]string{"email": email, "webhook_url": webhook})
	require.NoError(tb, err)
	u, err := users.UpdateMe(ctx, patch)
	require.NoError(tb, err)
	if webhook != "" {
		require.NotNil(tb, u.WebhookSecret)
		require.True(tb, strings.HasPrefix(*u.WebhookSecret, "whsec_"))
	}
	return u
}

// NewReminderEvent creates a task of user titled title with a reminder that fires at t0,
// and returns its reminder.due event, as the reminders function makes it, and the
// reminder's id.
func NewReminderEvent(tb testing.TB, db *postgres.DB, user, title string) (event.Event, uuid.UUID) {
	tb.Helper()
	reminder, data := postgrestest.MustCreateReminder(tb, db, user, title, t0)
	e, err := events.NewReminderDue(postgrestest.FiringID(reminder, data), reminder, data, t0)
	require.NoError(tb, err)
	return e, reminder
}

// MustFindNotifications returns user's notifications, newest first.
func MustFindNotifications(tb testing.TB, db *postgres.DB, user string) []*taskwire.Notification {
	tb.Helper()
	list, err := postgres.NewNotificationService(db).FindNotifications(taskwire.NewContextWithUser(context.Background(), user), false, 200, nil)
	require.NoError(tb, err)
	return list
}
