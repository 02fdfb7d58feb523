package tools_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// notificationPage is list_notifications' result.
type notificationPage struct {
	Items      []taskwire.Notification `json:"items"`
	NextCursor string                  `json:"next_cursor"`
}

// ids returns the ids of the page's notifications, in order.
func (p notificationPage) ids() []uuid.UUID {
	out := make([]uuid.UUID, len(p.Items))
	for i, n := range p.Items {
		out[i] = n.ID
	}
	return out
}

// offsetIn reports t's UTC offset and the one loc has at that instant.
func offsetIn(t time.Time, loc *time.Location) (got, want int) {
	_, got = t.Zone()
	_, want = t.In(loc).Zone()
	return got, want
}

// "What reminders did I miss?" and "remind me again about the dentist in an hour": the
// assistant lists the reminders that fired and snoozes one by its notification's id.
func TestTools_Notifications(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	now := time.Now().UTC().Truncate(time.Second)
	store := postgres.NewTaskService(db)
	store.Now = func() time.Time { return now }
	notes := postgres.NewNotificationService(db)
	// Distinct, increasing creation times make the order of a listing certain.
	delivered := now.Add(-time.Hour)
	notes.Now = func() time.Time {
		delivered = delivered.Add(time.Minute)
		return delivered
	}
	set := tools.New(store, users, notes, postgres.NewChangeService(db))
	newYork, berlin := taskwire.LoadZone("America/New_York"), taskwire.LoadZone("Europe/Berlin")

	ctx, user := MustNewUser(t, db)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "America/New_York"}`))
	require.NoError(t, err)
	due := now.Add(2 * time.Hour).Format(time.RFC3339)
	dentist := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Dentist", "due_at": "`+due+`",
		"time_zone": "Europe/Berlin", "reminders": [{"before": "PT1H"}]}`)
	bank := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Call the bank", "due_at": "`+due+`", "reminders": [{"before": "PT30M"}]}`)
	plants := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Water the plants", "due_at": "`+due+`", "reminders": [{"before": "PT15M"}]}`)
	n1 := postgrestest.MustDeliverReminder(t, db, notes, user, &dentist, 0)
	n2 := postgrestest.MustDeliverReminder(t, db, notes, user, &bank, 0)
	n3 := postgrestest.MustDeliverReminder(t, db, notes, user, &plants, 0)
	_, err = notes.MarkNotificationRead(ctx, n2.ID)
	require.NoError(t, err)

	bob, bobID := MustNewUser(t, db)
	theirs := MustCall[taskwire.Task](t, bob, set, "add_task", `{"title": "Bob's secret", "due_at": "`+due+`", "reminders": [{"before": "PT1H"}]}`)
	bobs := postgrestest.MustDeliverReminder(t, db, notes, bobID, &theirs, 0)

	t.Run("UnreadByDefault", func(t *testing.T) {
		page := MustCall[notificationPage](t, ctx, set, "list_notifications", `{}`)
		assert.Equal(t, []uuid.UUID{n3.ID, n1.ID}, page.ids(), "the unread ones, newest first, and none of bob's")
		got := page.Items[1]
		assert.Equal(t, "Dentist", got.Title)
		assert.Equal(t, dentist.ID, got.TaskID)
		assert.Nil(t, got.ReadAt)
		assert.True(t, got.RemindAt.Equal(now.Add(time.Hour)), "got remind_at %v, want an hour before the due time", got.RemindAt)
		require.NotNil(t, got.DueAt)
		assert.True(t, got.DueAt.Equal(now.Add(2*time.Hour)))
		for name, v := range map[string]time.Time{"remind_at": got.RemindAt, "due_at": *got.DueAt, "created_at": got.CreatedAt} {
			offset, want := offsetIn(v, newYork)
			assert.Equal(t, want, offset, "%s is given in the user's zone, as a listing's bounds are read", name)
		}
	})

	t.Run("Limit", func(t *testing.T) {
		page := MustCall[notificationPage](t, ctx, set, "list_notifications", `{"limit": 1}`)
		assert.Equal(t, []uuid.UUID{n3.ID}, page.ids(), "the newest")

		// "And before that?": the cursor goes on to older ones, through read ones too.
		require.NotEmpty(t, page.NextCursor)
		page = MustCall[notificationPage](t, ctx, set, "list_notifications", `{"limit": 1, "cursor": "`+page.NextCursor+`"}`)
		assert.Equal(t, []uuid.UUID{n1.ID}, page.ids(), "the next unread one, older")
		assert.Empty(t, page.NextCursor, "the last")
		all := MustCall[notificationPage](t, ctx, set, "list_notifications", `{"unread_only": false, "limit": 2}`)
		older := MustCall[notificationPage](t, ctx, set, "list_notifications", `{"unread_only": false, "cursor": "`+all.NextCursor+`"}`)
		assert.Equal(t, []uuid.UUID{n3.ID, n2.ID, n1.ID}, append(all.ids(), older.ids()...))

		_, err := set.Call(ctx, "list_notifications", json.RawMessage(`{"cursor": "not-one"}`))
		assert.Equal(t, "cursor", taskwire.ErrorField(err))
	})

	t.Run("IncludingRead", func(t *testing.T) {
		page := MustCall[notificationPage](t, ctx, set, "list_notifications", `{"unread_only": false, "limit": 50}`)
		require.Equal(t, []uuid.UUID{n3.ID, n2.ID, n1.ID}, page.ids())
		require.NotNil(t, page.Items[1].ReadAt, "the bank's was read")
		offset, want := offsetIn(*page.Items[1].ReadAt, newYork)
		assert.Equal(t, want, offset, "read_at in the user's zone too")
	})

	t.Run("Empty", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		out, err := set.Call(ctx, "list_notifications", nil)
		require.NoError(t, err)
		assert.JSONEq(t, `{"items": []}`, string(out), "no notifications is an empty list, not null")
	})

	t.Run("SnoozeForAnHour", func(t *testing.T) {
		got := MustCall[taskwire.Snoozed](t, ctx, set, "snooze_reminder", `{"notification_id": "`+n1.ID.String()+`", "for": "PT1H"}`)
		until := now.Add(time.Hour)
		assert.True(t, got.Until.Equal(until), "got until %v, want an hour from now, %v", got.Until, until)
		offset, want := offsetIn(got.Until, berlin)
		assert.Equal(t, want, offset, "until is given in the task's zone, as its reminders are")
		require.NotNil(t, got.Notification)
		assert.Equal(t, n1.ID, got.Notification.ID)
		require.NotNil(t, got.Notification.ReadAt, "the snoozed notification is read")
		require.NotNil(t, got.Task)
		assert.Equal(t, dentist.ID, got.Task.ID)
		require.NotNil(t, got.Task.DueAt)
		offset, want = offsetIn(*got.Task.DueAt, berlin)
		assert.Equal(t, want, offset, "the task in the snooze is in its zone, as every tool gives it")

		stored, err := store.FindTask(ctx, dentist.ID.String())
		require.NoError(t, err)
		require.Len(t, stored.Reminders, 2, "the reminder before the due time stays, and one at until is added: %+v", stored.Reminders)
		assert.Equal(t, "PT1H", stored.Reminders[0].Before)
		require.NotNil(t, stored.Reminders[1].At)
		assert.True(t, stored.Reminders[1].At.Equal(until), "got a reminder at %v, want %v", stored.Reminders[1].At, until)

		page := MustCall[notificationPage](t, ctx, set, "list_notifications", `{}`)
		assert.Equal(t, []uuid.UUID{n3.ID}, page.ids(), "the dentist's is no longer unread")
	})

	t.Run("SnoozeDefault", func(t *testing.T) {
		got := MustCall[taskwire.Snoozed](t, ctx, set, "snooze_reminder", `{"notification_id": "`+n3.ID.String()+`"}`)
		assert.True(t, got.Until.Equal(now.Add(10*time.Minute)), "got until %v, want ten minutes from now", got.Until)
		page := MustCall[notificationPage](t, ctx, set, "list_notifications", ``)
		assert.Empty(t, page.Items)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []uuid.UUID{uuid.New(), bobs.ID} {
			got := MustFail(t, ctx, set, "snooze_reminder", `{"notification_id": "`+id.String()+`", "for": "PT1H"}`)
			assert.Equal(t, taskwire.ENOTFOUND, got["code"], "got %v", got)
			assert.Equal(t, "notification_id", got["field"], "got %v", got)
			assert.Contains(t, got["error"], id.String(), "the refusal names the notification")
		}
		page := MustCall[notificationPage](t, bob, set, "list_notifications", `{}`)
		assert.Equal(t, []uuid.UUID{bobs.ID}, page.ids(), "bob's notification stays unread")
		stored, err := store.FindTask(bob, theirs.ID.String())
		require.NoError(t, err)
		assert.Len(t, stored.Reminders, 1, "and his task unchanged")
	})

	t.Run("ErrTaskDeleted", func(t *testing.T) {
		MustCall[map[string]any](t, ctx, set, "delete_task", `{"task_id": `+strconv.FormatInt(bank.Number, 10)+`}`)
		got := MustFail(t, ctx, set, "snooze_reminder", `{"notification_id": "`+n2.ID.String()+`"}`)
		assert.Equal(t, taskwire.ENOTFOUND, got["code"], "got %v", got)
		assert.Equal(t, "notification_id", got["field"], "got %v", got)
		assert.Contains(t, got["error"], "deleted")
	})

	t.Run("ErrTaskCompleted", func(t *testing.T) {
		MustCall[taskwire.Task](t, ctx, set, "complete_task", `{"task_id": `+strconv.FormatInt(plants.Number, 10)+`}`)
		got := MustFail(t, ctx, set, "snooze_reminder", `{"notification_id": "`+n3.ID.String()+`"}`)
		assert.Equal(t, taskwire.ECONFLICT, got["code"], "got %v", got)
	})

	t.Run("SameEventsAsREST", func(t *testing.T) {
		var n int
		require.NoError(t, db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE user_id = $1 AND type = $2`,
			user, "dev.taskwire.task.updated.v1").Scan(&n))
		assert.Equal(t, 2, n, "each snooze announces its task's new reminder")
	})
}

// The last hour of the year 9999 in UTC is in the year 10000 in Kiritimati: a
// notification of a reminder then is listed to a user there, its times in UTC.
func TestTools_NotificationsFarFuture(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	notes := postgres.NewNotificationService(db)
	set := tools.New(postgres.NewTaskService(db), users, notes, postgres.NewChangeService(db))
	ctx, user := MustNewUser(t, db)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "Pacific/Kiritimati"}`))
	require.NoError(t, err)
	far := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Far", "due_at": "9999-12-31T23:30:00Z",
		"time_zone": "UTC", "reminders": [{"before": "PT15M"}]}`)
	postgrestest.MustDeliverReminder(t, db, notes, user, &far, 0)

	page := MustCall[notificationPage](t, ctx, set, "list_notifications", `{}`)
	require.Len(t, page.Items, 1)
	got := page.Items[0]
	assert.Equal(t, "9999-12-31T23:15:00Z", got.RemindAt.Format(time.RFC3339))
	assert.Equal(t, "9999-12-31T23:30:00Z", got.DueAt.Format(time.RFC3339))
	offset, want := offsetIn(got.CreatedAt, taskwire.LoadZone("Pacific/Kiritimati"))
	assert.Equal(t, want, offset, "a time of this millennium is in the user's zone")
}
