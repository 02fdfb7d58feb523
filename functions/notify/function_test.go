package function_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire/functions/notify"
	"github.com/taskwire/taskwire/shared/app/apptest"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/host/hosttest"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/notify/smtptest"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

func TestFunction(t *testing.T) {
	t.Run("NotStarted", func(t *testing.T) {
		f := function.New()
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.False(t, ready)

		e, _ := newReminderEvent(t, postgrestest.MustOpenDB(t), "user-"+uuid.NewString())
		_, err = f.HandleEvent(context.Background(), e)
		assert.Equal(t, taskwire.EUNAVAILABLE, taskwire.ErrorCode(err), "got %v, want EUNAVAILABLE", err)
	})

	t.Run("OK", func(t *testing.T) {
		mail := smtptest.NewServer(t)
		f := function.New()
		require.NoError(t, f.Start(context.Background(), map[string]string{
			"DATABASE_URL":         postgrestest.URL(t),
			"TASKWIRE_DATA_DIR":    t.TempDir(),
			"SMTP_URL":             mail.URL,
			"NOTIFY_FROM":          "Taskwire <reminders@taskwire.test>",
			"NOTIFY_ALLOW_PRIVATE": "true",
		}))
		t.Cleanup(func() { _ = f.Stop(context.Background()) })
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.True(t, ready)
		alive, err := f.Alive(context.Background())
		require.NoError(t, err)
		assert.True(t, alive)

		db := postgrestest.MustOpenDB(t)
		hooks := newReceiver(t)
		user := mustNewUser(t, db, "ada@example.com", hooks.URL)
		e, reminder := newReminderEvent(t, db, user.ID)

		reply, err := f.HandleEvent(context.Background(), e)
		require.NoError(t, err)
		assert.Nil(t, reply)

		list := mustFindNotifications(t, db, user.ID)
		require.Len(t, list, 1)
		assert.Equal(t, reminder, list[0].ReminderID)
		got := hooks.Bodies()
		require.Len(t, got, 1)
		require.NoError(t, notify.Verify(*user.WebhookSecret, got[0].Header, got[0].Body))
		msgs := mail.WaitMessages(t, 1, time.Second)
		require.Len(t, msgs, 1)
		assert.Equal(t, "reminders@taskwire.test", msgs[0].From)
		assert.Equal(t, []string{"ada@example.com"}, msgs[0].To)
		parsed, err := msgs[0].Parse()
		require.NoError(t, err)
		assert.Equal(t, "Reminder: Water the plants", parsed.Header.Get("Subject"))
	})

	t.Run("NewWithDB", func(t *testing.T) {
		db := postgrestest.MustOpenDB(t)
		f, err := function.NewWithDB(db, notify.Config{AllowPrivate: true})
		require.NoError(t, err)
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.True(t, ready, "got not ready, want ready without Start")
		require.NoError(t, f.Start(context.Background(), map[string]string{"DATABASE_URL": "postgres://nowhere.invalid/x"}),
			"got Start opening a database of its own, want it started already")

		user := mustNewUser(t, db, "", "")
		e, _ := newReminderEvent(t, db, user.ID)
		_, err = f.HandleEvent(context.Background(), e)
		require.NoError(t, err)
		assert.Len(t, mustFindNotifications(t, db, user.ID), 1)

		require.NoError(t, f.Stop(context.Background()))
		require.NoError(t, db.Pool.Ping(context.Background()), "got the shared pool closed by Stop, want it kept")
	})

	t.Run("Statuses", func(t *testing.T) {
		db := postgrestest.MustOpenDB(t)
		f, err := function.NewWithDB(db, notify.Config{AllowPrivate: true})
		require.NoError(t, err)
		require.NoError(t, f.Start(context.Background(), nil))
		hooks := newReceiver(t)
		hooks.SetStatus(http.StatusServiceUnavailable)
		user := mustNewUser(t, db, "", hooks.URL)

		post := func(e event.Event) int {
			return hosttest.MustDeliver(t, http.HandlerFunc(f.Handle), "", hosttest.MustStructured(t, e)).Code
		}

		bad, _ := newReminderEvent(t, db, user.ID)
		require.NoError(t, bad.SetData(event.ApplicationJSON, []byte(`{"user_id":""}`)))
		assert.Equal(t, http.StatusUnprocessableEntity, post(bad), "bad data: got another status, want 422 for the dead letters")

		e, _ := newReminderEvent(t, db, user.ID)
		assert.Equal(t, http.StatusInternalServerError, post(e), "webhook down: got another status, want 500 for a retry")
		hooks.SetStatus(http.StatusNoContent)
		assert.Equal(t, http.StatusAccepted, post(e), "redelivered: got another status, want 202")
		assert.Len(t, mustFindNotifications(t, db, user.ID), 1)
	})

	// A malformed setting is refused before the database opens. Until 2026-12-06 a
	// malformed SMTP_URL or NOTIFY_FROM was found only after the database had opened.
	t.Run("ErrConfig", func(t *testing.T) {
		apptest.MustRefuseSettings(t, func() apptest.Starter { return function.New() },
			map[string]string{"SMTP_URL": "smtp://mail.example.com"}, map[string]string{
				"NOTIFY_ALLOW_PRIVATE": "maybe", "SMTP_URL": "http://mail.example.com", "NOTIFY_FROM": "not an address",
			})
		_, err := function.NewWithDB(postgrestest.MustOpenDB(t), notify.Config{SMTPURL: "http://mail.example.com"})
		assert.ErrorContains(t, err, "SMTP_URL")
	})
}

// receiver is a webhook endpoint that answers with a status of the test's choosing.
type receiver struct {
	URL string

	mu     sync.Mutex
	status int
	bodies []received
}

type received struct {
	Header http.Header
	Body   []byte
}

func newReceiver(tb testing.TB) *receiver {
	tb.Helper()
	r := &receiver{status: http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		status := r.status
		if status/100 == 2 {
			r.bodies = append(r.bodies, received{Header: req.Header.Clone(), Body: body})
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	tb.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// SetStatus sets the status of the answers to come.
func (r *receiver) SetStatus(status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = status
}

// Bodies returns the webhooks answered 2xx.
func (r *receiver) Bodies() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.bodies...)
}

// mustNewUser creates a user with email and webhook (either may be ""), removed at cleanup.
func mustNewUser(tb testing.TB, db *postgres.DB, email, webhook string) *taskwire.User {
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
	return u
}

// newReminderEvent creates a task of user with a reminder that fires now, and returns its
// reminder.due event, as the reminders function makes it, and the reminder's id.
func newReminderEvent(tb testing.TB, db *postgres.DB, user string) (event.Event, uuid.UUID) {
	tb.Helper()
	at := time.Now().UTC().Truncate(time.Second)
	reminder, data := postgrestest.MustCreateReminder(tb, db, user, "Water the plants", at)
	e, err := events.NewReminderDue(postgrestest.FiringID(reminder, data), reminder, data, at)
	require.NoError(tb, err)
	return e, reminder
}

func mustFindNotifications(tb testing.TB, db *postgres.DB, user string) []*taskwire.Notification {
	tb.Helper()
	list, err := postgres.NewNotificationService(db).FindNotifications(taskwire.NewContextWithUser(context.Background(), user), false, 200, nil)
	require.NoError(tb, err)
	return list
}
