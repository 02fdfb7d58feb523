package rest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestNotifications(t *testing.T) {
	s := resttest.MustStart(t)

	t.Run("OK", func(t *testing.T) {
		c := s.NewUser(t)
		other := s.NewUser(t)
		theirs := MustDeliver(t, s, other)
		mine := []*taskwire.Notification{MustDeliver(t, s, c), MustDeliver(t, s, c), MustDeliver(t, s, c)}

		resp := c.Do(t, http.MethodGet, "/v1/notifications", nil)
		resp.MustStatus(t, http.StatusOK)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		var raw map[string]json.RawMessage
		resp.JSON(t, &raw)
		assert.Equal(t, []string{"items"}, keys(raw), "next_cursor is absent on the last page")
		var page rest.NotificationPage
		resp.JSON(t, &page)
		assert.Equal(t, notificationIDs(mine[2], mine[1], mine[0]), notificationIDs(page.Items...), "newest first, mine only")
		got := page.Items[2]
		assert.Equal(t, mine[0].ReminderID, got.ReminderID)
		assert.Equal(t, mine[0].TaskID, got.TaskID)
		assert.Equal(t, "Water the plants", got.Title)
		assert.Nil(t, got.ReadAt)

		theirPage := mustNotifications(t, other, "")
		assert.Equal(t, notificationIDs(theirs), notificationIDs(theirPage.Items...))
	})

	t.Run("OKEmpty", func(t *testing.T) {
		c := s.NewUser(t)
		resp := c.Do(t, http.MethodGet, "/v1/notifications?unread=true", nil)
		resp.MustStatus(t, http.StatusOK)
		assert.JSONEq(t, `{"items":[]}`, string(resp.Body))
	})

	t.Run("OKPages", func(t *testing.T) {
		c := s.NewUser(t)
		var want []*taskwire.Notification
		for range 5 {
			want = append([]*taskwire.Notification{MustDeliver(t, s, c)}, want...)
		}
		var got []*taskwire.Notification
		cursor := ""
		for pages := 0; ; pages++ {
			require.Less(t, pages, 10, "too many pages")
			page := mustNotifications(t, c, "limit=2&cursor="+url.QueryEscape(cursor))
			assert.LessOrEqual(t, len(page.Items), 2)
			got = append(got, page.Items...)
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		assert.Equal(t, notificationIDs(want...), notificationIDs(got...))
	})

	t.Run("OKRead", func(t *testing.T) {
		c := s.NewUser(t)
		first, second := MustDeliver(t, s, c), MustDeliver(t, s, c)

		before := time.Now().Add(-time.Second)
		resp := c.Do(t, http.MethodPost, "/v1/notifications/"+first.ID.String()+"/read", nil)
		resp.MustStatus(t, http.StatusOK)
		var read taskwire.Notification
		resp.JSON(t, &read)
		assert.Equal(t, first.ID, read.ID)
		require.NotNil(t, read.ReadAt, "got no read_at")
		assert.True(t, read.ReadAt.After(before), "got read_at %v, want about now", read.ReadAt)

		again := c.Do(t, http.MethodPost, "/v1/notifications/"+first.ID.String()+"/read", nil)
		again.MustStatus(t, http.StatusOK)
		var readAgain taskwire.Notification
		again.JSON(t, &readAgain)
		assert.Equal(t, read.ReadAt, readAgain.ReadAt, "reading again keeps the first time")

		unread := mustNotifications(t, c, "unread=true")
		assert.Equal(t, notificationIDs(second), notificationIDs(unread.Items...))
		all := mustNotifications(t, c, "unread=false")
		assert.Equal(t, notificationIDs(second, first), notificationIDs(all.Items...))
	})

	t.Run("OKReadAll", func(t *testing.T) {
		c := s.NewUser(t)
		other := s.NewUser(t)
		theirs := MustDeliver(t, s, other)
		first, second := MustDeliver(t, s, c), MustDeliver(t, s, c)
		seen := MustDeliver(t, s, c)
		c.Do(t, http.MethodPost, "/v1/notifications/"+second.ID.String()+"/read", nil).MustStatus(t, http.StatusOK)
		secondRead := mustNotifications(t, c, "").Items[1].ReadAt
		later := MustDeliver(t, s, c) // fired after the user last looked

		resp := c.Do(t, http.MethodPost, "/v1/notifications/read", []byte(`{"through": "`+seen.ID.String()+`"}`))
		resp.MustStatus(t, http.StatusOK)
		assert.JSONEq(t, `{"read": 2}`, string(resp.Body), "first and seen; second was read before")
		unread := mustNotifications(t, c, "unread=true")
		assert.Equal(t, notificationIDs(later), notificationIDs(unread.Items...), "the one after through stays unread")
		all := mustNotifications(t, c, "")
		assert.Equal(t, notificationIDs(later, seen, second, first), notificationIDs(all.Items...))
		assert.Equal(t, secondRead, all.Items[2].ReadAt, "a notification read before keeps its time")

		for _, body := range []string{"", "{}", `{"through": null}`} {
			resp = c.Do(t, http.MethodPost, "/v1/notifications/read", []byte(body))
			resp.MustStatus(t, http.StatusOK)
			want := `{"read": 0}`
			if body == "" {
				want = `{"read": 1}` // the first of these reads the rest: later
			}
			assert.JSONEq(t, want, string(resp.Body), "body %q", body)
		}
		assert.Empty(t, mustNotifications(t, c, "unread=true").Items)
		assert.Len(t, mustNotifications(t, other, "unread=true").Items, 1, "another user's stay unread")
		assert.Equal(t, theirs.ID, mustNotifications(t, other, "unread=true").Items[0].ID)
	})

	t.Run("ErrReadAllBadInput", func(t *testing.T) {
		c := s.NewUser(t)
		mine := MustDeliver(t, s, c)
		theirs := MustDeliver(t, s, s.NewUser(t))
		for _, tt := range []struct {
			body, code, field string
			status            int
		}{
			{`{"through": "x"}`, taskwire.EINVALID, "through", http.StatusUnprocessableEntity},
			{`{"through": "` + uuid.NewString() + `"}`, taskwire.EINVALID, "through", http.StatusUnprocessableEntity},
			{`{"through": "` + theirs.ID.String() + `"}`, taskwire.EINVALID, "through", http.StatusUnprocessableEntity},
			{`{"through": 7}`, taskwire.EMALFORMED, "through", http.StatusBadRequest},
			{`{"all": true}`, taskwire.EMALFORMED, "all", http.StatusBadRequest},
			{`null`, taskwire.EMALFORMED, "", http.StatusBadRequest},
			{`{`, taskwire.EMALFORMED, "", http.StatusBadRequest},
		} {
			d := mustProblem(t, c.Do(t, http.MethodPost, "/v1/notifications/read", []byte(tt.body)), tt.status, tt.code)
			assert.Equal(t, tt.field, d.Field, tt.body)
		}
		assert.Len(t, mustNotifications(t, c, "unread=true").Items, 1, "nothing was marked")
		assert.Equal(t, mine.ID, mustNotifications(t, c, "unread=true").Items[0].ID)
	})

	t.Run("ErrOtherUsers", func(t *testing.T) {
		c := s.NewUser(t)
		c.Do(t, http.MethodGet, "/v1/me", nil).MustStatus(t, http.StatusOK)
		owner := s.NewUser(t)
		theirs := MustDeliver(t, s, owner)
		for _, id := range []uuid.UUID{theirs.ID, uuid.New()} {
			resp := c.Do(t, http.MethodPost, "/v1/notifications/"+id.String()+"/read", nil)
			d := mustProblem(t, resp, http.StatusNotFound, taskwire.ENOTFOUND)
			assert.Equal(t, "no notification "+id.String(), d.Detail, "as snoozing it says")
		}
		// Their notification is left unread.
		list, err := s.App.Notifications.FindNotifications(taskwire.NewContextWithUser(context.Background(), owner.User), true, 10, nil)
		require.NoError(t, err)
		assert.Equal(t, notificationIDs(theirs), notificationIDs(list...))

		cursor := base64.RawURLEncoding.EncodeToString(theirs.ID[:])
		d := mustProblem(t, c.Do(t, http.MethodGet, "/v1/notifications?cursor="+cursor, nil), http.StatusBadRequest, taskwire.EMALFORMED)
		assert.Equal(t, "cursor", d.Field, "another user's cursor is no cursor")
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		c := s.NewUser(t)
		mine := MustDeliver(t, s, c)
		for _, tt := range []struct{ method, path, field string }{
			{http.MethodGet, "/v1/notifications?limit=0", "limit"},
			{http.MethodGet, "/v1/notifications?limit=101", "limit"},
			{http.MethodGet, "/v1/notifications?limit=x", "limit"},
			{http.MethodGet, "/v1/notifications?limit=1&limit=2", "limit"},
			{http.MethodGet, "/v1/notifications?cursor=not-a-cursor!", "cursor"},
			{http.MethodGet, "/v1/notifications?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("short")), "cursor"},
			{http.MethodGet, "/v1/notifications?cursor=" + mine.ID.String(), "cursor"},
			{http.MethodGet, "/v1/notifications?unread=maybe", "unread"},
			{http.MethodGet, "/v1/notifications?read=true", "read"},
			{http.MethodPost, "/v1/notifications/not-a-uuid/read", "id"},
			{http.MethodPost, "/v1/notifications/1/read", "id"},
		} {
			d := mustProblem(t, c.Do(t, tt.method, tt.path, nil), http.StatusBadRequest, taskwire.EMALFORMED)
			assert.Equal(t, tt.field, d.Field, "%s %s", tt.method, tt.path)
		}
		resp := c.Do(t, http.MethodGet, "/v1/notifications/"+mine.ID.String()+"/read", nil)
		mustProblem(t, resp, http.StatusMethodNotAllowed, "method_not_allowed")
		assert.Equal(t, "POST", resp.Header.Get("Allow"))
	})
}

// MustDeliver delivers a notification to c's user the way the notify function does, and
// returns it.
func MustDeliver(t *testing.T, s *resttest.Server, c *resttest.Client) *taskwire.Notification {
	t.Helper()
	c.Do(t, http.MethodGet, "/v1/me", nil).MustStatus(t, http.StatusOK) // the user's row
	// Distinct, increasing creation times make the order of a page certain.
	time.Sleep(2 * time.Millisecond)
	reminder, data := postgrestest.MustCreateReminder(t, s.App.DB, c.User, "Water the plants", time.Now().Add(time.Hour))
	_, delivered, err := s.App.Notifications.Deliver(context.Background(), events.SourceReminders, postgrestest.FiringID(reminder, data), reminder, &data)
	require.NoError(t, err)
	require.True(t, delivered)
	list, err := s.App.Notifications.FindNotifications(taskwire.NewContextWithUser(context.Background(), c.User), false, 1, nil)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, reminder, list[0].ReminderID, "the newest notification is the one delivered")
	return list[0]
}

func mustNotifications(t *testing.T, c *resttest.Client, query string) rest.NotificationPage {
	t.Helper()
	resp := c.Do(t, http.MethodGet, "/v1/notifications?"+query, nil)
	resp.MustStatus(t, http.StatusOK)
	var page rest.NotificationPage
	resp.JSON(t, &page)
	return page
}

func notificationIDs(list ...*taskwire.Notification) []uuid.UUID {
	out := make([]uuid.UUID, len(list))
	for i, n := range list {
		out[i] = n.ID
	}
	return out
}

func TestSnoozeNotification(t *testing.T) {
	s := resttest.MustStart(t)

	t.Run("OK", func(t *testing.T) {
		c := s.NewUser(t)
		n := MustDeliver(t, s, c) // a reminder 15 minutes before its task is due
		before := time.Now()
		resp := c.Do(t, http.MethodPost, "/v1/notifications/"+n.ID.String()+"/snooze", `{"for": "PT30M"}`)
		resp.MustStatus(t, http.StatusOK)
		var got taskwire.Snoozed
		resp.JSON(t, &got)
		require.NotNil(t, got.Notification.ReadAt, "the snoozed notification is read")
		require.Len(t, got.Task.Reminders, 2, "got %+v", got.Task.Reminders)
		at := *got.Task.Reminders[1].At
		assert.Equal(t, at, got.Until, "until is when the reminder comes again")
		assert.WithinRange(t, at, before.Add(30*time.Minute).Truncate(time.Second), time.Now().Add(30*time.Minute))
		assert.Equal(t, got.Task.Reminders, c.MustGetTask(t, got.Task.ID.String()).Reminders)
		assert.Empty(t, mustNotifications(t, c, "unread=true").Items)

		// Without a body: ten minutes, moving the reminder the first snooze added.
		resp = c.Do(t, http.MethodPost, "/v1/notifications/"+n.ID.String()+"/snooze", nil)
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &got)
		require.Len(t, got.Task.Reminders, 2)
		assert.True(t, got.Task.Reminders[1].At.Before(at), "got %v, want about ten minutes from now", got.Task.Reminders[1].At)
	})

	t.Run("BadInput", func(t *testing.T) {
		c := s.NewUser(t)
		n := MustDeliver(t, s, c)
		path := "/v1/notifications/" + n.ID.String() + "/snooze"
		for _, tc := range []struct{ body, field string }{
			{`{"for": "10 minutes"}`, "for"}, {`{"for": "PT30S"}`, "for"}, {`{"for": "P400D"}`, "for"},
			{`{"for": 10}`, "for"}, {`{"until": "2030-01-01T00:00:00Z"}`, "until"}, {`{"for": "PT10M"`, ""},
		} {
			resp := c.Do(t, http.MethodPost, path, tc.body)
			require.Contains(t, []int{http.StatusBadRequest, http.StatusUnprocessableEntity}, resp.Status, "%s: %s", tc.body, resp)
			assert.Equal(t, tc.field, resp.Problem(t).Field, tc.body)
		}
		mustProblem(t, c.Do(t, http.MethodPost, "/v1/notifications/nope/snooze", nil), http.StatusBadRequest, taskwire.EMALFORMED)
		mustProblem(t, c.Do(t, http.MethodPost, "/v1/notifications/"+uuid.NewString()+"/snooze", nil), http.StatusNotFound, taskwire.ENOTFOUND)
		// Nothing was changed by any of them.
		assert.Len(t, mustNotifications(t, c, "unread=true").Items, 1)
		assert.Len(t, c.MustGetTask(t, n.TaskID.String()).Reminders, 1)
		// Another user's notification is not found.
		other := s.NewUser(t)
		mustProblem(t, other.Do(t, http.MethodPost, path, nil), http.StatusNotFound, taskwire.ENOTFOUND)
	})

	t.Run("ErrCompleted", func(t *testing.T) {
		c := s.NewUser(t)
		n := MustDeliver(t, s, c)
		c.Do(t, http.MethodPost, "/v1/tasks/"+n.TaskID.String()+"/complete", nil).MustStatus(t, http.StatusOK)
		d := mustProblem(t, c.Do(t, http.MethodPost, "/v1/notifications/"+n.ID.String()+"/snooze", nil), http.StatusConflict, taskwire.ECONFLICT)
		assert.Contains(t, d.Detail, "completed")
	})
}
