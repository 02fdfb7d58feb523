package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		require.NoError(t, postgres.NewUserService(db).EnsureUser(ctx, id))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM users WHERE id = $1`, id))
		me := MustFindMe(t, ctx, postgres.NewUserService(db))
		assert.Equal(t, "Europe/Paris", me.TimeZone, "got time_zone %q after a second EnsureUser, want it kept", me.TimeZone)
	})
}

func TestUserService_FindMe(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, id := MustNewUser(t, db)
		me := MustFindMe(t, ctx, postgres.NewUserService(db))
		want := &taskwire.User{ID: id, TimeZone: "UTC"}
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
