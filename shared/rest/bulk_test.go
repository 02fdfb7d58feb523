package rest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// POST /v1/tasks/bulk does one thing to several tasks, named by number or uuid, and
// answers with them as they are after it: completing them, reopening them, changing them
// with a patch and tags added and taken off, and putting them in the trash and back.
func TestBulkTasks(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	a := c.MustCreateTask(t, map[string]any{"title": "a", "tags": []string{"home", "errand"}})
	b := c.MustCreateTask(t, map[string]any{"title": "b", "tags": []string{"home"}})
	c.MustCreateTask(t, map[string]any{"title": "c"})

	bulk := func(body any) []*taskwire.Task {
		t.Helper()
		resp := c.Do(t, http.MethodPost, "/v1/tasks/bulk", body)
		resp.MustStatus(t, http.StatusOK)
		var out struct {
			Items []*taskwire.Task `json:"items"`
		}
		resp.JSON(t, &out)
		return out.Items
	}
	titles := func(query string) string {
		t.Helper()
		var out []string
		for _, task := range c.MustListTasks(t, query) {
			out = append(out, task.Title)
		}
		return strings.Join(out, " ")
	}

	done := bulk(map[string]any{"tasks": []any{2, a.ID.String(), "#2"}, "action": "complete"})
	require.Len(t, done, 2, "a task named twice changes once")
	assert.Equal(t, []string{"b", "a"}, []string{done[0].Title, done[1].Title}, "in the order named")
	for _, task := range done {
		assert.Equal(t, taskwire.StatusCompleted, task.Status)
		assert.NotNil(t, task.CompletedAt)
	}
	assert.Equal(t, "c", titles("status=open"))

	reopened := bulk(`{"tasks": [1, 2], "action": "reopen"}`)
	require.Len(t, reopened, 2)
	assert.Equal(t, "a b c", titles("status=open&sort=title"))

	changed := bulk(map[string]any{"tasks": []int{1, 2, 3}, "action": "update",
		"patch": map[string]any{"priority": "high"}, "add_tags": []string{"Work"}, "remove_tags": []string{"home"}})
	require.Len(t, changed, 3)
	assert.Equal(t, []string{"errand", "work"}, changed[0].Tags)
	assert.Equal(t, []string{"work"}, changed[1].Tags)
	assert.Equal(t, []string{"work"}, changed[2].Tags)
	for _, task := range changed {
		assert.Equal(t, taskwire.PriorityHigh, task.Priority)
		assert.Equal(t, task, c.MustGetTask(t, task.ID.String()), "as stored")
	}
	assert.Equal(t, b.Version+3, changed[1].Version, "complete, reopen, update: a version each")

	gone := bulk(`{"tasks": [1, 3], "action": "delete"}`)
	require.Len(t, gone, 2)
	assert.Equal(t, "b", titles("status=all"))
	again := bulk(`{"tasks": [1, 3], "action": "delete"}`)
	assert.Equal(t, gone, again, "a delete sent again answers the same and deletes nothing more")
	var trash struct {
		Items []any `json:"items"`
	}
	c.Do(t, http.MethodGet, "/v1/trash", nil).JSON(t, &trash)
	assert.Len(t, trash.Items, 2)
	back := bulk(`{"tasks": [3, "` + a.ID.String() + `", 2], "action": "restore"}`)
	require.Len(t, back, 3, "2 was not deleted: as it is")
	assert.Equal(t, []int64{3, 1, 2}, []int64{back[0].Number, back[1].Number, back[2].Number}, "with their numbers")
	assert.Equal(t, "a b c", titles("status=all&sort=title"), "back from the trash")
}

// A bulk request that is malformed, says no action, names no task, too many, a task that
// is none or not the user's, or a change one of its tasks refuses, is a problem naming
// the field (and the task), and changes none of them.
func TestBulkTasks_BadInput(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.MustCreateTask(t, map[string]any{"title": "due", "due_at": "2026-12-10T09:00:00Z"})
	c.MustCreateTask(t, map[string]any{"title": "someday", "time_zone": "America/New_York"})
	foreign := s.NewUser(t).MustCreateTask(t, map[string]any{"title": "not yours"})
	tooMany := strings.Repeat("1, ", taskwire.MaxBulk) + "1"
	for _, tt := range []struct {
		body   string
		status int
		field  string
		detail string
	}{
		{`[1, 2]`, http.StatusBadRequest, "", ""},
		{`{"tasks": [1], "action": "complete", "also": 1}`, http.StatusBadRequest, "also", "unknown field"},
		{`{"action": "complete"}`, http.StatusBadRequest, "tasks", "list the tasks"},
		{`{"tasks": [], "action": "complete"}`, http.StatusUnprocessableEntity, "tasks", "empty"},
		{`{"tasks": [` + tooMany + `], "action": "complete"}`, http.StatusUnprocessableEntity, "tasks", "at most 200"},
		{`{"tasks": [1, "soon"], "action": "complete"}`, http.StatusBadRequest, "tasks[1]", "number (1 or more) or uuid"},
		{`{"tasks": [1]}`, http.StatusBadRequest, "action", "complete, reopen, delete, update, reschedule or restore"},
		{`{"tasks": [1, 77], "action": "restore"}`, http.StatusUnprocessableEntity, "tasks[1]", `no task "77" in the trash`},
		{`{"tasks": [1], "action": "restore", "add_tags": ["x"]}`, http.StatusUnprocessableEntity, "add_tags", "goes with the action update"},
		{`{"tasks": [1], "action": "reschedule"}`, http.StatusUnprocessableEntity, "date", "needs the date"},
		{`{"tasks": [1], "action": "reschedule", "date": "next friday"}`, http.StatusUnprocessableEntity, "date", "a day such as"},
		{`{"tasks": [1], "action": "complete", "date": "2026-12-20"}`, http.StatusUnprocessableEntity, "date", "goes with the action reschedule"},
		{`{"tasks": [1, 2], "action": "reschedule", "date": "9999-12-31"}`, http.StatusUnprocessableEntity, "date", "task 2"}, // all day in New York: past 9999 in UTC
		{`{"tasks": [1], "action": "archive"}`, http.StatusUnprocessableEntity, "action", `got "archive"`},
		{`{"tasks": [1], "action": "delete", "patch": {"title": "x"}}`, http.StatusUnprocessableEntity, "patch", "goes with the action update"},
		{`{"tasks": [1], "action": "update"}`, http.StatusUnprocessableEntity, "patch", "needs a patch"},
		{`{"tasks": [1], "action": "update", "patch": [1]}`, http.StatusBadRequest, "patch", "JSON object"},
		{`{"tasks": [1], "action": "update", "patch": {"colour": "red"}}`, http.StatusBadRequest, "patch.colour", "unknown field"},
		{`{"tasks": [1], "action": "update", "add_tags": [""]}`, http.StatusUnprocessableEntity, "add_tags[0]", ""},
		{`{"tasks": [1, 99], "action": "complete"}`, http.StatusUnprocessableEntity, "tasks[1]", "no task 99"},
		{`{"tasks": [1, "` + foreign.ID.String() + `"], "action": "delete"}`, http.StatusUnprocessableEntity, "tasks[1]", "no task"},
		{`{"tasks": [1, 2], "action": "update", "patch": {"priority": "highest"}}`, http.StatusUnprocessableEntity, "patch.priority", "task 1"},
		{`{"tasks": [1, 2], "action": "update", "patch": {"recurrence": "FREQ=DAILY"}}`, http.StatusUnprocessableEntity, "patch.recurrence", "task 2"},
	} {
		resp := c.Do(t, http.MethodPost, "/v1/tasks/bulk", tt.body)
		resp.MustStatus(t, tt.status)
		p := resp.Problem(t)
		assert.Equal(t, tt.field, p.Field, "body %s", tt.body)
		assert.Contains(t, p.Detail, tt.detail, "body %s", tt.body)
	}
	for _, ref := range []string{"1", "2"} {
		task := c.MustGetTask(t, ref)
		assert.Equal(t, int64(1), task.Version, "task %s is as it was made", ref)
	}
}

// A reschedule makes every task due on one day: at the time of day it has, in its zone (a
// time that day's DST change skips moves forward), on the day alone for an all-day task
// or one without a due; its reminders follow.
func TestBulkTasks_Reschedule(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.MustCreateTask(t, map[string]any{"title": "timed", "due_at": "2026-12-10T09:15:00", "time_zone": "Europe/Berlin",
		"reminders": []map[string]any{{"before": "PT15M"}}})
	c.MustCreateTask(t, map[string]any{"title": "early", "due_at": "2026-12-10T02:30:00", "time_zone": "Europe/Berlin"})
	c.MustCreateTask(t, map[string]any{"title": "all day", "due_date": "2026-12-10", "time_zone": "America/New_York"})
	c.MustCreateTask(t, map[string]any{"title": "someday", "time_zone": "Asia/Tokyo"})

	resp := c.Do(t, http.MethodPost, "/v1/tasks/bulk", `{"tasks": [1, 2, 3, 4], "action": "reschedule", "date": "2027-03-28"}`)
	resp.MustStatus(t, http.StatusOK)
	var out struct {
		Items []*taskwire.Task `json:"items"`
	}
	resp.JSON(t, &out)
	require.Len(t, out.Items, 4)
	due := func(i int) string {
		t.Helper()
		require.NotNil(t, out.Items[i].DueAt, out.Items[i].Title)
		return out.Items[i].DueAt.UTC().Format(time.RFC3339)
	}
	assert.Equal(t, "2027-03-28T07:15:00Z", due(0), "09:15 in Berlin, in summer time that day")
	assert.Nil(t, out.Items[0].DueDate)
	require.Len(t, out.Items[0].Reminders, 1)
	assert.Equal(t, "2027-03-28T07:00:00Z", out.Items[0].Reminders[0].FireAt.UTC().Format(time.RFC3339), "the reminder follows")
	assert.Equal(t, "2027-03-28T01:30:00Z", due(1), "02:30 does not come in Berlin that day: 03:30")
	for i, zone := range map[int]string{2: "America/New_York", 3: "Asia/Tokyo"} {
		due(i)
		require.NotNil(t, out.Items[i].DueDate, out.Items[i].Title)
		assert.Equal(t, "2027-03-28", *out.Items[i].DueDate, "%s: all day", out.Items[i].Title)
		assert.Equal(t, zone, out.Items[i].TimeZone)
	}
}
