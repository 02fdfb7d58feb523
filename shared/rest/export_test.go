package rest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestExport(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.Do(t, http.MethodPatch, "/v1/me", `{"time_zone": "Europe/Berlin", "webhook_url": "https://example.com/hook"}`).
		MustStatus(t, http.StatusOK)
	// More tasks than a page of the export, some completed, two deleted.
	const n = 205
	for i := 1; i <= n; i++ {
		c.MustCreateTask(t, map[string]any{"title": fmt.Sprintf("task %d", i), "tags": []string{"export"}})
	}
	c.Do(t, http.MethodPost, "/v1/tasks/3/complete", nil).MustStatus(t, http.StatusOK)
	for _, ref := range []string{"7", "8"} {
		c.Do(t, http.MethodDelete, "/v1/tasks/"+ref, nil).MustStatus(t, http.StatusNoContent)
	}
	c.Do(t, http.MethodPost, "/v1/filters", `{"name": "Exported", "query": "tag=export"}`).MustStatus(t, http.StatusCreated)
	other := s.NewUser(t)
	other.MustCreateTask(t, map[string]any{"title": "someone else's"})
	other.Do(t, http.MethodPost, "/v1/filters", `{"name": "Theirs"}`).MustStatus(t, http.StatusCreated)

	resp := c.Do(t, http.MethodGet, "/v1/export", nil)
	resp.MustStatus(t, http.StatusOK)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Regexp(t, `^attachment; filename="taskwire-export-\d{4}-\d{2}-\d{2}\.json"$`, resp.Header.Get("Content-Disposition"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.NotContains(t, string(resp.Body), "whsec_", "a file that travels holds no credentials")
	var doc rest.Export
	resp.JSON(t, &doc)

	assert.Equal(t, rest.ExportFormat, doc.Format)
	assert.False(t, doc.ExportedAt.IsZero())
	require.NotNil(t, doc.User)
	assert.Equal(t, c.User, doc.User.ID)
	assert.Equal(t, "Europe/Berlin", doc.User.TimeZone)
	require.NotNil(t, doc.User.WebhookURL)
	assert.Nil(t, doc.User.WebhookSecret)

	require.Len(t, doc.Tasks, n-2, "every task, completed ones too, and no one else's")
	for i, task := range doc.Tasks {
		want := int64(i + 1)
		if want >= 7 {
			want += 2 // 7 and 8 are in the trash
		}
		assert.Equal(t, want, task.Number, "tasks by number")
	}
	assert.Equal(t, taskwire.StatusCompleted, doc.Tasks[2].Status)
	assert.Equal(t, *c.MustGetTask(t, "100"), *doc.Tasks[97], "a task as the API reads it")
	require.Len(t, doc.Trash, 2)
	assert.Equal(t, []string{"task 8", "task 7"}, []string{doc.Trash[0].Task.Title, doc.Trash[1].Task.Title}, "the latest deletion first")
	require.Len(t, doc.SavedFilters, 1, "the user's saved filters, no one else's")
	assert.Equal(t, "tag=export", doc.SavedFilters[0].Query)

	// The export imports as it is (its settings are not imported; its saved filters are,
	// by names the user has not).
	c.Do(t, http.MethodPost, "/v1/import", resp.Body).MustStatus(t, http.StatusOK)

	// A client that accepts gzip gets the same document compressed.
	zipped := c.Do(t, http.MethodGet, "/v1/export", nil, "Accept-Encoding", "gzip")
	zipped.MustStatus(t, http.StatusOK)
	assert.Equal(t, "gzip", zipped.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
	require.NoError(t, err)
	var unzipped rest.Export
	require.NoError(t, json.NewDecoder(zr).Decode(&unzipped))
	unzipped.ExportedAt = doc.ExportedAt
	assert.Equal(t, doc, unzipped)
	assert.Less(t, len(zipped.Body)*5, len(resp.Body), "got %d bytes for %d", len(zipped.Body), len(resp.Body))

	// A query parameter is refused, as on every route that takes none.
	d := mustProblem(t, c.Do(t, http.MethodGet, "/v1/export?format=csv", nil), http.StatusBadRequest, taskwire.EMALFORMED)
	assert.Equal(t, "format", d.Field)
}

func TestImport(t *testing.T) {
	s := resttest.MustStart(t)

	// An export read back into the account it came from restores what was lost since, and
	// leaves alone what is there: the same file twice adds nothing.
	t.Run("RoundTrip", func(t *testing.T) {
		c := s.NewUser(t)
		for i := 1; i <= 5; i++ {
			c.MustCreateTask(t, map[string]any{"title": fmt.Sprintf("task %d", i)})
		}
		lost := c.MustCreateTask(t, map[string]any{"title": "Renew passport", "tags": []string{"admin"},
			"due_at": "2030-05-01T09:00:00Z", "reminders": []map[string]any{{"before": "P1D"}}})
		c.Do(t, http.MethodPost, "/v1/tasks/2/complete", nil).MustStatus(t, http.StatusOK)
		c.Do(t, http.MethodDelete, "/v1/tasks/4", nil).MustStatus(t, http.StatusNoContent) // in the trash
		var admin taskwire.SavedFilter
		c.Do(t, http.MethodPost, "/v1/filters", `{"name": "Admin", "query": "tag=admin&sort=due_at"}`).JSON(t, &admin)
		c.Do(t, http.MethodPost, "/v1/filters", `{"name": "Kept", "query": "priority=high"}`).MustStatus(t, http.StatusCreated)
		export := c.Do(t, http.MethodGet, "/v1/export", nil)
		export.MustStatus(t, http.StatusOK)
		file := string(export.Body)

		// Lost for good since the export, and one in the trash since.
		for _, ref := range []string{"1", lost.ID.String()} {
			c.Do(t, http.MethodDelete, "/v1/tasks/"+ref, nil).MustStatus(t, http.StatusNoContent)
			c.Do(t, http.MethodDelete, "/v1/trash/"+ref, nil).MustStatus(t, http.StatusNoContent)
		}
		c.Do(t, http.MethodDelete, "/v1/tasks/5", nil).MustStatus(t, http.StatusNoContent)
		// A saved filter deleted since comes back (until 2026-12-06 none did); one kept,
		// changed since, stays as it is now.
		c.Do(t, http.MethodDelete, "/v1/filters/"+admin.ID.String(), nil).MustStatus(t, http.StatusNoContent)
		var kept taskwire.SavedFilter
		c.Do(t, http.MethodPost, "/v1/filters", `{"name": "KEPT", "query": "priority=low"}`).MustStatus(t, http.StatusConflict)
		for _, f := range mustListFilters(t, c).Items {
			kept = *f
		}
		c.Do(t, http.MethodPatch, "/v1/filters/"+kept.ID.String(), `{"query": "priority=urgent"}`).MustStatus(t, http.StatusOK)

		resp := c.Do(t, http.MethodPost, "/v1/import", file)
		resp.MustStatus(t, http.StatusOK)
		var got rest.Imported
		resp.JSON(t, &got)
		assert.Equal(t, rest.Imported{Added: 2, Present: 3, Filters: 1}, got, "tasks 1 and 6 come back; 2, 3 and 5 (in the trash) are there")
		filters := mustListFilters(t, c).Items
		require.Len(t, filters, 2)
		assert.Equal(t, []string{"Admin", "Kept"}, []string{filters[0].Name, filters[1].Name})
		assert.Equal(t, "sort=due_at&tag=admin", filters[0].Query)
		assert.Equal(t, "priority=urgent", filters[1].Query, "a filter the user has is left as it is")
		mustProblem(t, c.Do(t, http.MethodGet, "/v1/tasks/5", nil), http.StatusNotFound, taskwire.ENOTFOUND)
		back := c.MustGetTask(t, "6")
		assert.Equal(t, lost.ID, back.ID)
		assert.Equal(t, lost.Title, back.Title)
		assert.Equal(t, lost.Tags, back.Tags)
		assert.Equal(t, lost.Reminders, back.Reminders, "its reminders, ids and all")
		assert.Equal(t, "task 1", c.MustGetTask(t, "1").Title)
		assert.Equal(t, taskwire.StatusCompleted, c.MustGetTask(t, "2").Status)
		assert.Equal(t, int64(7), c.MustCreateTask(t, map[string]any{"title": "next"}).Number, "numbering goes on after the kept numbers")

		c.Do(t, http.MethodPost, "/v1/import", file).JSON(t, &got)
		assert.Equal(t, rest.Imported{Added: 0, Present: 5}, got, "the same file again adds nothing")

		// A saved filter the listing would refuse is named, and nothing is imported.
		bad := strings.Replace(file, "tag=admin", "tag=admin&cursor=x", 1)
		d := mustProblem(t, c.Do(t, http.MethodPost, "/v1/import", bad), http.StatusUnprocessableEntity, taskwire.EINVALID)
		assert.Equal(t, "saved_filters[0].query", d.Field)
	})

	// A file of another server into a new account: numbers kept where free, a series in
	// the order its tasks were made, reminders already past not fired late.
	t.Run("NewAccount", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "already here"}) // holds number 1
		series, first, second, third := uuid.New(), uuid.New(), uuid.New(), uuid.New()
		file := fmt.Sprintf(`{"format": "taskwire-export/1", "exported_at": "2026-11-01T10:00:00Z", "user": {}, "trash": [],
			"tasks": [
			{"id": %q, "number": 1, "title": "Water the plants", "description": "", "status": "open", "priority": "high",
			 "tags": ["home"], "due_at": "2030-03-03T08:00:00Z", "time_zone": "Europe/Berlin", "recurrence": "FREQ=DAILY",
			 "repeat_from": "schedule", "series_id": %q,
			 "reminders": [{"id": %q, "before": "PT15M", "fire_at": "2030-03-03T07:45:00Z"}, {"id": %q, "at": "2026-01-01T00:00:00Z", "fire_at": "2026-01-01T00:00:00Z"}],
			 "completed_at": null, "created_at": "2026-03-02T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z", "version": 1},
			{"id": %q, "number": 2, "title": "Water the plants", "description": "", "status": "completed", "priority": "high",
			 "tags": ["home"], "due_at": "2030-03-02T08:00:00Z", "time_zone": "Europe/Berlin", "recurrence": "FREQ=DAILY",
			 "repeat_from": "schedule", "series_id": %q, "reminders": [],
			 "completed_at": "2026-03-02T07:59:00Z", "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-02T07:59:00Z", "version": 2},
			{"id": %q, "number": 9, "title": "Call mom", "description": "", "status": "open", "priority": "none",
			 "tags": [], "due_at": null, "time_zone": "UTC", "recurrence": null, "repeat_from": "schedule", "series_id": null,
			 "reminders": [], "completed_at": null, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T08:00:00Z", "version": 1}
			]}`, first, series, uuid.New(), uuid.New(), second, series, third)
		resp := c.Do(t, http.MethodPost, "/v1/import", file)
		resp.MustStatus(t, http.StatusOK)
		var got rest.Imported
		resp.JSON(t, &got)
		assert.Equal(t, rest.Imported{Added: 3, Present: 0}, got)

		open := c.MustGetTask(t, first.String())
		assert.Equal(t, int64(10), open.Number, "number 1 is taken: the next after the kept ones (2, 9)")
		assert.Equal(t, int64(2), c.MustGetTask(t, second.String()).Number)
		assert.Equal(t, int64(9), c.MustGetTask(t, third.String()).Number)
		require.NotNil(t, open.SeriesID)
		assert.Equal(t, series, *open.SeriesID)
		var places []int
		rows, err := s.App.DB.Pool.Query(context.Background(), `SELECT series_index FROM tasks WHERE series_id = $1 ORDER BY created_at`, series)
		require.NoError(t, err)
		for rows.Next() {
			var i int
			require.NoError(t, rows.Scan(&i))
			places = append(places, i)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, []int{1, 2}, places, "the completed occurrence first, the open one after it")
		var fired []bool
		rows, err = s.App.DB.Pool.Query(context.Background(), `SELECT fired_at IS NOT NULL FROM reminders WHERE task_id = $1 ORDER BY position`, first)
		require.NoError(t, err)
		for rows.Next() {
			var f bool
			require.NoError(t, rows.Scan(&f))
			fired = append(fired, f)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, []bool{false, true}, fired, "the reminder of 2030 is armed; the one of January is past")
		assert.Equal(t, int64(11), c.MustCreateTask(t, map[string]any{"title": "next"}).Number)
	})

	// Someone with two accounts on this server (a new sign-in, another identity provider)
	// brings the first one's export into the second: its tasks are added with ids of the
	// second's own, the same each time, so importing it again adds nothing; the first
	// account's tasks stay its own, and so does a reminder whose id the file shares.
	t.Run("AnotherAccount", func(t *testing.T) {
		c, owner := s.NewUser(t), s.NewUser(t)
		owner.MustCreateTask(t, map[string]any{"title": "Water the ferns", "due_at": "2030-01-07T09:00:00Z",
			"recurrence": "FREQ=WEEKLY", "reminders": []map[string]any{{"at": "2030-01-01T00:00:00Z"}, {"before": "PT1H"}}})
		owner.MustCreateTask(t, map[string]any{"title": "Call the bank", "reminders": []map[string]any{{"at": "2030-01-02T00:00:00Z"}}})
		theirs := owner.Do(t, http.MethodGet, "/v1/export", nil).Body
		before := owner.MustListTasks(t, "status=all&sort=created_at")
		require.Len(t, before, 2)

		resp := c.Do(t, http.MethodPost, "/v1/import", string(theirs))
		resp.MustStatus(t, http.StatusOK)
		assert.JSONEq(t, `{"added": 2, "present": 0, "filters": 0}`, string(resp.Body))
		mine := c.MustListTasks(t, "status=all&sort=created_at")
		require.Len(t, mine, 2)
		for i, task := range mine {
			assert.Equal(t, before[i].Title, task.Title)
			assert.Equal(t, before[i].Number, task.Number)
			assert.NotEqual(t, before[i].ID, task.ID, "an id of the account's own")
			require.Len(t, task.Reminders, len(before[i].Reminders))
			for j, r := range task.Reminders {
				assert.NotEqual(t, before[i].Reminders[j].ID, r.ID, "a reminder of the account's own")
			}
		}
		require.NotNil(t, mine[0].SeriesID)
		assert.Equal(t, mine[0].ID, *mine[0].SeriesID, "a series begun by its task, as in the file")
		assert.Nil(t, mine[1].SeriesID)
		resp = c.Do(t, http.MethodPost, "/v1/import", string(theirs))
		resp.MustStatus(t, http.StatusOK)
		assert.JSONEq(t, `{"added": 0, "present": 2, "filters": 0}`, string(resp.Body), "imported again: nothing added")

		after := owner.MustListTasks(t, "status=all&sort=created_at")
		require.Len(t, after, 2, "the first account's tasks untouched")
		for i := range after {
			assert.Equal(t, before[i].Version, after[i].Version)
			assert.Equal(t, before[i].Reminders, after[i].Reminders)
		}
	})

	t.Run("BadInput", func(t *testing.T) {
		c := s.NewUser(t)
		task := func(members string) string {
			return `{"format": "taskwire-export/1", "tasks": [{"id": "` + uuid.NewString() + `", "number": 1, "title": "t", "status": "open",
				"created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T08:00:00Z", "version": 1` + members + `}]}`
		}
		for _, tc := range []struct {
			name, body string
			status     int
			field      string
		}{
			{"Format", `{"format": "todoist-backup", "tasks": []}`, 422, "format"},
			{"NotJSON", `{"format": `, 400, ""},
			{"UnknownMember", `{"format": "taskwire-export/1", "tasks": [], "projects": []}`, 400, "projects"},
			{"BlankTitle", strings.Replace(task(""), `"title": "t"`, `"title": "  "`, 1), 422, "tasks[0].title"},
			{"Zone", task(`, "time_zone": "Mars/Olympus"`), 422, "tasks[0].time_zone"},
			{"Status", strings.Replace(task(""), `"status": "open"`, `"status": "doing"`, 1), 422, "tasks[0].status"},
			{"UnknownTaskMember", strings.Replace(task(""), `"id": "`, `"old_id": "`, 1), 400, "tasks[0].old_id"},
			{"NoID", strings.Replace(task(""), `"id": "`+"", `"id": "00000000-0000-0000-0000-000000000000", "x": "`, 1), 400, "tasks[0].x"},
			{"ReminderID", task(`, "reminders": [{"at": "2030-01-01T00:00:00Z"}]`), 422, "tasks[0].reminders[0].id"},
			// Numbers no list reaches: the counter after them overflowed, and every later
			// create of the user was a 500 (until 2026-12-06). So for versions.
			{"HugeNumber", strings.Replace(task(""), `"number": 1,`, `"number": 9223372036854775806,`, 1), 422, "tasks[0].number"},
			{"HugeVersion", strings.Replace(task(""), `"version": 1`, `"version": 9223372036854775807`, 1), 422, "tasks[0].version"},
			{"TooLarge", `{"format": "taskwire-export/1", "tasks": []}` + strings.Repeat(" ", rest.MaxImportBytes), 413, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := c.Do(t, http.MethodPost, "/v1/import", tc.body)
				require.Equal(t, tc.status, resp.Status, "%s", resp)
				if tc.field != "" {
					assert.Equal(t, tc.field, resp.Problem(t).Field)
				}
			})
		}
		assert.Empty(t, c.MustListTasks(t, "status=all"), "nothing was added")
	})
}

// The export holds what else the user keeps: the notifications of reminders that fired,
// the latest first, and the conversations with the assistant, the latest active first,
// each with every message, oldest first; each more than a page of the export, and no one
// else's. Importing such a file adds its tasks and leaves those alone.
func TestExport_NotificationsAndConversations(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	other := s.NewUser(t)
	MustDeliver(t, s, other)
	var notes []*taskwire.Notification
	for range 203 {
		notes = append([]*taskwire.Notification{MustDeliver(t, s, c)}, notes...)
	}

	convs := postgres.NewConversationService(s.App.DB)
	ctx := taskwire.NewContextWithUser(context.Background(), c.User)
	start := func(ctx context.Context, first string, n int) uuid.UUID {
		t.Helper()
		conv, _, err := convs.StartConversation(ctx, first, 0)
		require.NoError(t, err)
		msgs := []taskwire.Message{{Role: taskwire.RoleUser, Content: first}}
		for i := 1; i < n; i++ {
			msgs = append(msgs, taskwire.Message{Role: taskwire.RoleAssistant, Content: fmt.Sprintf("answer %d", i)})
		}
		_, err = convs.AppendMessages(ctx, conv.ID, msgs...)
		require.NoError(t, err)
		return conv.ID
	}
	long := start(ctx, "plan my week", 205)
	short := start(ctx, "what is due today?", 2)
	start(taskwire.NewContextWithUser(context.Background(), other.User), "theirs", 1)

	resp := c.Do(t, http.MethodGet, "/v1/export", nil)
	resp.MustStatus(t, http.StatusOK)
	var doc rest.Export
	resp.JSON(t, &doc)
	assert.Equal(t, notificationIDs(notes...), notificationIDs(doc.Notifications...), "every notification, the latest first")

	require.Len(t, doc.Conversations, 2, "the user's conversations, no one else's")
	assert.Equal(t, []uuid.UUID{short, long}, []uuid.UUID{doc.Conversations[0].ID, doc.Conversations[1].ID}, "the latest active first")
	assert.Equal(t, "what is due today?", doc.Conversations[0].Title)
	messages := doc.Conversations[1].Messages
	require.Len(t, messages, 205, "every message")
	assert.Equal(t, "plan my week", messages[0].Content, "oldest first")
	assert.Equal(t, "answer 204", messages[204].Content)
	for i := 1; i < len(messages); i++ {
		require.Less(t, messages[i-1].ID, messages[i].ID, "in order")
	}

	// Read back, the file is taken (its tasks, one per reminder here, are all present) and
	// adds nothing of the rest.
	resp = c.Do(t, http.MethodPost, "/v1/import", resp.Body)
	resp.MustStatus(t, http.StatusOK)
	var got rest.Imported
	resp.JSON(t, &got)
	assert.Equal(t, rest.Imported{Present: len(doc.Tasks)}, got)
	list, _, err := convs.FindConversations(ctx, 10, nil)
	require.NoError(t, err)
	assert.Len(t, list, 2)
}
