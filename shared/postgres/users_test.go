package postgres_test

import (
	"context"
	"strings"
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

func TestUserService_EnsureUser(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, id := MustNewUser(t, db)
		// Again, from a service that has not seen the user: the row is kept as it is.
		_, err := postgres.NewUserService(db).UpdateMe(ctx, []byte(`{"time_zone":"Europe/Paris"}`))
		require.NoError(t, err)
		require.NoError(t, postgres.NewUserService(db).EnsureUser(ctx, id, time.Time{}))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM users WHERE id = $1`, id))
		me := MustFindMe(t, ctx, postgres.NewUserService(db))
		assert.Equal(t, "Europe/Paris", me.TimeZone, "got time_zone %q after a second EnsureUser, want it kept", me.TimeZone)
	})

	t.Run("ErrUnauthorizedDeleted", func(t *testing.T) {
		// A token issued before the account was deleted does not bring it back, empty,
		// also through the service that saw the user; one issued after starts it anew.
		ctx, id := MustNewUser(t, db)
		users := postgres.NewUserService(db)
		issued := time.Now().Add(-time.Minute)
		require.NoError(t, users.EnsureUser(ctx, id, issued))
		require.NoError(t, users.DeleteMe(ctx))

		for _, svc := range []*postgres.UserService{users, postgres.NewUserService(db)} {
			err := svc.EnsureUser(ctx, id, issued)
			requireCode(t, err, taskwire.EUNAUTHORIZED)
			assert.Contains(t, err.Error(), "sign in again")
		}
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM users WHERE id = $1`, id), "the account stays deleted")

		require.NoError(t, users.EnsureUser(ctx, id, time.Now().Add(2*time.Second)), "a token issued after the deletion")
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM users WHERE id = $1`, id))
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM deleted_users WHERE id = $1`, id), "the deletion is forgotten")
		require.NoError(t, postgres.NewUserService(db).EnsureUser(ctx, id, issued), "the older token signs in to the new account")
	})

	t.Run("ErrUnauthorizedDeletedElsewhere", func(t *testing.T) {
		// Another process deleted the account while this one still trusts what it saw of
		// the user (seenFor): a create with the old token, with or without a key, writes
		// nothing and brings no account back; a token issued later starts it anew here at
		// once.
		ctx, id := MustNewUser(t, db)
		users, tasks := postgres.NewUserService(db), postgres.NewTaskService(db)
		issued := time.Now().Add(-time.Minute)
		require.NoError(t, users.EnsureUser(ctx, id, issued))
		require.NoError(t, postgres.NewUserService(db).DeleteMe(ctx))

		require.NoError(t, users.EnsureUser(ctx, id, issued), "still trusted here")
		f, err := taskwire.NewTask{Title: "After the deletion"}.Fields()
		require.NoError(t, err)
		for _, key := range []taskwire.IdempotencyKey{{}, {Key: "k1", Hash: []byte("h1")}} {
			_, _, err := tasks.CreateTask(ctx, f, key)
			requireCode(t, err, taskwire.EUNAUTHORIZED)
			assert.Contains(t, err.Error(), "sign in again")
		}
		// What else writes a row of the user's is refused the same way, not with a
		// foreign key's server error.
		_, _, err = postgres.NewConversationService(db).StartConversation(ctx, "What is due today?", time.Minute)
		requireCode(t, err, taskwire.EUNAUTHORIZED)
		_, err = users.CreateSavedFilter(ctx, "Work", "tag=work")
		requireCode(t, err, taskwire.EUNAUTHORIZED)
		_, err = postgres.NewCalendarService(db).CreateCalendarFeed(ctx)
		requireCode(t, err, taskwire.EUNAUTHORIZED)
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM users WHERE id = $1`, id), "the account stays deleted")
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, id))
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1`, id))

		require.NoError(t, users.EnsureUser(ctx, id, time.Now().Add(2*time.Second)), "a token issued after the deletion")
		task := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "A new start"})
		assert.EqualValues(t, 1, task.Number, "the new account numbers from 1")
	})

	t.Run("OKDeletedIssuedAtUnknown", func(t *testing.T) {
		// A token that says neither when it was issued nor from when it is valid cannot be
		// told from a newer one: it creates the account, as before deletions were kept.
		ctx, id := MustNewUser(t, db)
		users := postgres.NewUserService(db)
		require.NoError(t, users.DeleteMe(ctx))
		require.NoError(t, users.EnsureUser(ctx, id, time.Time{}))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM users WHERE id = $1`, id))
	})

	t.Run("OKAtOnce", func(t *testing.T) {
		// A new user's first requests arrive together (a page loading): each finds the
		// row that another one created.
		id := "user-" + uuid.NewString()
		ctx := taskwire.NewContextWithUser(context.Background(), id)
		t.Cleanup(func() {
			_, err := db.Pool.Exec(context.Background(), `DELETE FROM users WHERE id = $1`, id)
			assert.NoError(t, err)
		})
		errs := make(chan error, 8)
		for range cap(errs) {
			go func() { errs <- postgres.NewUserService(db).EnsureUser(ctx, id, time.Now()) }()
		}
		for range cap(errs) {
			assert.NoError(t, <-errs)
		}
	})
}

func TestUserService_FindMe(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, id := MustNewUser(t, db)
		me := MustFindMe(t, ctx, postgres.NewUserService(db))
		want := &taskwire.User{ID: id, TimeZone: "UTC", DailyGoal: taskwire.DefaultDailyGoal}
		require.Equal(t, want, me, "got %+v, want %+v", me, want)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		ctx := taskwire.NewContextWithUser(context.Background(), "user-"+uuid.NewString())
		_, err := postgres.NewUserService(db).FindMe(ctx)
		requireCode(t, err, taskwire.ENOTFOUND)
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, err := postgres.NewUserService(db).FindMe(context.Background())
		requireCode(t, err, taskwire.EUNAUTHORIZED)
	})
}

func TestUserService_UpdateMe(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("TimeZone", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		users := postgres.NewUserService(db)
		got, err := users.UpdateMe(ctx, []byte(`{"time_zone":"America/New_York"}`))
		require.NoError(t, err)
		assert.Equal(t, "America/New_York", got.TimeZone)
		assert.Equal(t, "America/New_York", MustFindMe(t, ctx, users).TimeZone)
	})

	t.Run("TimeZoneMovesTasks", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		users, tasks := postgres.NewUserService(db), postgres.NewTaskService(db)
		_, err := users.UpdateMe(ctx, []byte(`{"time_zone":"Europe/Berlin"}`))
		require.NoError(t, err)
		in := func(title, zone string, due, day *string, reminders ...taskwire.ReminderInput) taskwire.NewTask {
			return taskwire.NewTask{Title: title, TimeZone: zone, DueAt: due, DueDate: day, Reminders: reminders}
		}
		str := func(s string) *string { return &s }
		timed := MustCreateTask(t, ctx, tasks, in("timed", "Europe/Berlin", str("2030-12-10T09:00:00"), nil,
			taskwire.ReminderInput{Before: str("PT15M")}, taskwire.ReminderInput{At: str("2030-12-10T08:00:00")}))
		allDay := MustCreateTask(t, ctx, tasks, in("all day", "Europe/Berlin", nil, str("2030-12-11")))
		undated := MustCreateTask(t, ctx, tasks, in("undated", "Europe/Berlin", nil, nil))
		tokyo := MustCreateTask(t, ctx, tasks, in("in Tokyo", "Asia/Tokyo", str("2030-12-10T09:00:00"), nil))
		done := MustCreateTask(t, ctx, tasks, in("done", "Europe/Berlin", str("2030-12-10T09:00:00"), nil))
		done = MustSetStatus(t, ctx, tasks, done.ID, taskwire.StatusCompleted)
		before := len(MustListOutbox(t, db, user))

		_, err = users.UpdateMe(ctx, []byte(`{"time_zone":"America/New_York"}`))
		require.NoError(t, err)

		got := MustFindTask(t, ctx, tasks, timed.ID.String())
		assert.Equal(t, "America/New_York", got.TimeZone)
		assert.Equal(t, "2030-12-10T14:00:00Z", got.DueAt.Format(time.RFC3339), "09:00 in New York")
		require.Len(t, got.Reminders, 2)
		assert.Equal(t, "2030-12-10T13:45:00Z", got.Reminders[0].FireAt.Format(time.RFC3339), "15 minutes before")
		assert.Equal(t, "2030-12-10T13:00:00Z", got.Reminders[1].At.Format(time.RFC3339), "08:00 in New York")
		var armed []time.Time
		rows, err := db.Pool.Query(context.Background(), `SELECT fire_at FROM reminders WHERE task_id = $1 ORDER BY position`, timed.ID)
		require.NoError(t, err)
		for rows.Next() {
			var at time.Time
			require.NoError(t, rows.Scan(&at))
			armed = append(armed, at.UTC())
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, []time.Time{*got.Reminders[0].FireAt, *got.Reminders[1].FireAt}, armed, "the reminders fire at the new times")

		got = MustFindTask(t, ctx, tasks, allDay.ID.String())
		assert.Equal(t, "America/New_York", got.TimeZone)
		require.NotNil(t, got.DueDate)
		assert.Equal(t, "2030-12-11", *got.DueDate, "the same day")
		assert.Equal(t, "America/New_York", MustFindTask(t, ctx, tasks, undated.ID.String()).TimeZone)
		for _, stays := range []*taskwire.Task{tokyo, done} {
			got = MustFindTask(t, ctx, tasks, stays.ID.String())
			assert.Equal(t, stays.Version, got.Version, "%s: a task in another zone, or completed, stays", stays.Title)
			assert.Equal(t, stays.TimeZone, got.TimeZone, stays.Title)
		}

		moved := MustListOutbox(t, db, user)[before:]
		require.Len(t, moved, 3, "an event for each task moved")
		for _, e := range moved {
			assert.Equal(t, events.TypeTaskUpdated, e.Type)
			assert.Contains(t, e.TaskData(t).Changes, "time_zone")
		}
		assert.Contains(t, moved[0].TaskData(t).Changes, "due_at")
	})

	// Moved east, the same clock comes sooner: a reminder the move puts in the past is
	// born fired rather than ringing at once, late; one still to come stays armed.
	t.Run("TimeZoneMovesRemindersIntoThePast", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		users, tasks := postgres.NewUserService(db), postgres.NewTaskService(db)
		_, err := users.UpdateMe(ctx, []byte(`{"time_zone":"America/New_York"}`))
		require.NoError(t, err)
		ny, err := time.LoadLocation("America/New_York")
		require.NoError(t, err)
		soon := time.Now().In(ny).Add(2 * time.Hour).Format("2006-01-02T15:04:05")
		hour := "PT1H"
		reminded := func(title, due string) *taskwire.Task {
			return MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: title, TimeZone: "America/New_York", DueAt: &due,
				Reminders: taskwire.RemindersInput{{Before: &hour}}})
		}
		passed, later := reminded("soon", soon), reminded("later", "2030-12-10T09:00:00")
		// Due a minute ago and not rung yet (no reminders function runs here): the move
		// leaves it as it is, and it rings as it would have.
		ago := time.Now().In(ny).Add(-time.Minute).Format("2006-01-02T15:04:05")
		due := MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "due", TimeZone: "America/New_York", DueAt: &soon,
			Reminders: taskwire.RemindersInput{{At: &ago}}})

		_, err = users.UpdateMe(ctx, []byte(`{"time_zone":"Asia/Tokyo"}`))
		require.NoError(t, err)
		fired := func(task *taskwire.Task) bool {
			t.Helper()
			var fired bool
			require.NoError(t, db.Pool.QueryRow(context.Background(),
				`SELECT fired_at IS NOT NULL FROM reminders WHERE task_id = $1`, task.ID).Scan(&fired))
			return fired
		}
		got := MustFindTask(t, ctx, tasks, passed.ID.String())
		require.True(t, got.Reminders[0].FireAt.Before(time.Now()), "the same clock in Tokyo has passed")
		assert.True(t, fired(passed), "born fired")
		assert.False(t, fired(later), "still to come: armed")
		assert.False(t, fired(due), "due before the move: still to ring, not lost")
	})

	t.Run("Email", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		users := postgres.NewUserService(db)
		_, err := users.UpdateMe(ctx, []byte(`{"email":"ada@example.com"}`))
		require.NoError(t, err)
		me := MustFindMe(t, ctx, users)
		require.NotNil(t, me.Email)
		assert.Equal(t, "ada@example.com", *me.Email)

		_, err = users.UpdateMe(ctx, []byte(`{"email":null}`))
		require.NoError(t, err)
		assert.Nil(t, MustFindMe(t, ctx, users).Email, "got an email after clearing it")
	})

	t.Run("Webhook", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		users := postgres.NewUserService(db)

		got, err := users.UpdateMe(ctx, []byte(`{"webhook_url":"https://example.com/hook"}`))
		require.NoError(t, err)
		require.NotNil(t, got.WebhookSecret, "got no webhook secret, want one generated")
		secret := *got.WebhookSecret
		assert.True(t, strings.HasPrefix(secret, "whsec_"), "got secret %q, want it to start with whsec_", secret)
		assert.Greater(t, len(secret), len("whsec_")+20, "got secret %q, want a long one", secret)
		me := MustFindMe(t, ctx, users)
		require.NotNil(t, me.WebhookURL)
		assert.Equal(t, "https://example.com/hook", *me.WebhookURL)
		require.NotNil(t, me.WebhookSecret)
		assert.Equal(t, secret, *me.WebhookSecret, "got the stored secret differing from the one returned")

		_, err = users.UpdateMe(ctx, []byte(`{"webhook_url":"https://example.org/other"}`))
		require.NoError(t, err)
		me = MustFindMe(t, ctx, users)
		require.NotNil(t, me.WebhookURL)
		assert.Equal(t, "https://example.org/other", *me.WebhookURL)
		require.NotNil(t, me.WebhookSecret)
		assert.Equal(t, secret, *me.WebhookSecret, "got the secret rotated when the URL changed, want it kept")

		got, err = users.UpdateMe(ctx, []byte(`{"webhook_url":null}`))
		require.NoError(t, err)
		assert.Nil(t, got.WebhookURL)
		assert.Nil(t, got.WebhookSecret)
		me = MustFindMe(t, ctx, users)
		assert.Nil(t, me.WebhookURL, "got webhook_url %v after clearing it", me.WebhookURL)
		assert.Nil(t, me.WebhookSecret, "got a secret kept after clearing the webhook")

		// A webhook set again gets a fresh secret.
		got, err = users.UpdateMe(ctx, []byte(`{"webhook_url":"https://example.com/hook"}`))
		require.NoError(t, err)
		require.NotNil(t, got.WebhookSecret)
		assert.NotEqual(t, secret, *got.WebhookSecret, "got the old secret back, want a new one")
	})

	t.Run("ErrInvalidTimeZone", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		users := postgres.NewUserService(db)
		for _, tz := range []string{"Mars/Olympus_Mons", "", "Local", "../etc/passwd"} {
			_, err := users.UpdateMe(ctx, []byte(`{"time_zone":"`+tz+`"}`))
			requireCode(t, err, taskwire.EINVALID)
			assert.Equal(t, "time_zone", taskwire.ErrorField(err), "time_zone %q: got field %q", tz, taskwire.ErrorField(err))
		}
		_, err := users.UpdateMe(ctx, []byte(`{"time_zone":null}`))
		requireCode(t, err, taskwire.EINVALID)
		assert.Equal(t, "UTC", MustFindMe(t, ctx, users).TimeZone, "got the time zone changed by a refused update")
	})

	t.Run("ErrInvalidWebhookURL", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		users := postgres.NewUserService(db)
		_, err := users.UpdateMe(ctx, []byte(`{"webhook_url":"ftp://example.com/hook"}`))
		requireCode(t, err, taskwire.EINVALID)
		assert.Equal(t, "webhook_url", taskwire.ErrorField(err))
		me := MustFindMe(t, ctx, users)
		assert.Nil(t, me.WebhookURL)
		assert.Nil(t, me.WebhookSecret)
	})

	t.Run("ErrMalformed", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		users := postgres.NewUserService(db)
		for _, patch := range []string{`{"nickname":"ada"}`, `{"time_zone":3}`, `[]`, `{"time_zone":"UTC"`} {
			_, err := users.UpdateMe(ctx, []byte(patch))
			requireCode(t, err, taskwire.EMALFORMED)
		}
		_, err := users.UpdateMe(ctx, []byte(`{"nickname":"ada"}`))
		assert.Equal(t, "nickname", taskwire.ErrorField(err))
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, err := postgres.NewUserService(db).UpdateMe(context.Background(), []byte(`{"time_zone":"UTC"}`))
		requireCode(t, err, taskwire.EUNAUTHORIZED)
	})
}

// MustFindMe returns the signed-in user's settings.
func MustFindMe(tb testing.TB, ctx context.Context, users *postgres.UserService) *taskwire.User {
	tb.Helper()
	me, err := users.FindMe(ctx)
	require.NoError(tb, err)
	return me
}

func TestUserService_DeleteMe(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users, tasks := postgres.NewUserService(db), postgres.NewTaskService(db)
	// fill gives user a bit of everything Taskwire keeps: a task with a reminder, one in
	// the trash, a notification, a keyed create, a conversation, a saved filter.
	fill := func(ctx context.Context, user string) {
		t.Helper()
		due := time.Now().Add(time.Hour)
		task := MustCreateRemindedTask(t, ctx, tasks, "kept", &due, due.Add(-time.Minute))
		postgrestest.MustDeliverReminder(t, db, postgres.NewNotificationService(db), user, task, 0)
		require.NoError(t, tasks.DeleteTask(ctx, MustCreateTask(t, ctx, tasks, taskwire.NewTask{Title: "binned"}).ID.String(), ""))
		f, err := taskwire.NewTask{Title: "keyed"}.Fields()
		require.NoError(t, err)
		_, _, err = tasks.CreateTask(ctx, f, idempotencyKey("k", []byte("keyed")))
		require.NoError(t, err)
		MustStartConversation(t, ctx, postgres.NewConversationService(db), "hello")
		_, _, err = postgres.NewConversationService(db).AdmitMessage(ctx, 10)
		require.NoError(t, err)
		_, err = users.CreateSavedFilter(ctx, "work", "tag=work")
		require.NoError(t, err)
	}
	ctx, user := MustNewUser(t, db)
	fill(ctx, user)
	otherCtx, other := MustNewUser(t, db)
	fill(otherCtx, other)
	tables := map[string]string{
		"users": "id", "tasks": "user_id", "reminders": "user_id", "outbox": "user_id", "trash": "user_id",
		"notifications": "user_id", "idempotency_keys": "user_id", "conversations": "user_id", "messages": "user_id",
		"saved_filters": "user_id", "assistant_allowance": "user_id",
	}
	count := func(user string) map[string]int {
		t.Helper()
		got := map[string]int{}
		for table, column := range tables {
			got[table] = countRows(t, db, `SELECT count(*) FROM `+table+` WHERE `+column+` = $1`, user)
		}
		return got
	}
	for table, n := range count(user) {
		require.NotZero(t, n, "the user has no rows of %s to delete", table)
	}
	before := count(other)

	require.NoError(t, users.DeleteMe(ctx))
	for table, n := range count(user) {
		assert.Zero(t, n, "got %d rows of %s left, want none", n, table)
	}
	assert.Equal(t, before, count(other), "another user's rows stay")
	err := users.DeleteMe(ctx)
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v", err)
}
