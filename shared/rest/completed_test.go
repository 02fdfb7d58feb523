package rest_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// What someone got done reads back in the order they did it, the latest first, and a
// window of completion times ("yesterday", "this week") selects completed tasks without
// naming the status; open tasks, which have no completion time, come last when a listing
// of both statuses is ordered by it.
func TestListTasks_ByCompletion(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	mustComplete := func(t *testing.T, task *taskwire.Task) time.Time {
		t.Helper()
		// PostgreSQL keeps microseconds: apart by a millisecond, completions are ordered.
		time.Sleep(2 * time.Millisecond)
		resp := c.Do(t, http.MethodPost, "/v1/tasks/"+task.ID.String()+"/complete", nil)
		resp.MustStatus(t, http.StatusOK)
		var done taskwire.Task
		resp.JSON(t, &done)
		require.NotNil(t, done.CompletedAt)
		return *done.CompletedAt
	}
	// Made in one order, done in another.
	a := c.MustCreateTask(t, map[string]any{"title": "File taxes"})
	b := c.MustCreateTask(t, map[string]any{"title": "Call the plumber"})
	open := c.MustCreateTask(t, map[string]any{"title": "Learn Go generics"})
	d := c.MustCreateTask(t, map[string]any{"title": "Book flights"})
	mustComplete(t, b)
	afterB := mustComplete(t, d)
	mustComplete(t, a)
	// Someone else's completed task never shows up.
	other := s.NewUser(t)
	resp := other.Do(t, http.MethodPost, "/v1/tasks/"+other.MustCreateTask(t, map[string]any{"title": "Not yours"}).ID.String()+"/complete", nil)
	resp.MustStatus(t, http.StatusOK)

	at := func(tm time.Time) string { return url.QueryEscape(tm.Format(time.RFC3339Nano)) }
	for _, tt := range []struct {
		name, query string
		want        []*taskwire.Task
	}{
		{"LatestFirst", "status=completed&sort=-completed_at", []*taskwire.Task{a, d, b}},
		{"EarliestFirst", "status=completed&sort=completed_at", []*taskwire.Task{b, d, a}},
		{"OpenLastEitherWay", "status=all&sort=-completed_at", []*taskwire.Task{a, d, b, open}},
		{"OpenLastAscending", "status=all&sort=completed_at", []*taskwire.Task{b, d, a, open}},
		{"OpenOnlyByID", "status=open&sort=-completed_at", []*taskwire.Task{open}},
		{"AfterWithoutStatus", "completed_after=" + at(afterB) + "&sort=-completed_at", []*taskwire.Task{a}},
		{"BeforeWithoutStatus", "completed_before=" + at(afterB) + "&sort=-completed_at", []*taskwire.Task{b}},
		{"WindowAll", "status=all&completed_after=" + at(afterB.Add(-time.Hour)) + "&completed_before=" + at(afterB.Add(time.Hour)),
			[]*taskwire.Task{a, b, d}}, // created_at order, the default
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Two at a time: the cursor carries a completion time, or an open task's none.
			assert.Equal(t, ids(tt.want), ids(c.MustListTasks(t, tt.query+"&limit=2")), "GET /v1/tasks?%s", tt.query)
		})
	}

	t.Run("ReopenedLeavesTheLog", func(t *testing.T) {
		c.Do(t, http.MethodPost, "/v1/tasks/"+d.ID.String()+"/reopen", nil).MustStatus(t, http.StatusOK)
		assert.Equal(t, taskIDs(a, b), ids(c.MustListTasks(t, "status=completed&sort=-completed_at")))
		// Open tasks go by id in the sort's direction, as ties do: d was made after open.
		assert.Equal(t, taskIDs(a, b, d, open), ids(c.MustListTasks(t, "status=all&sort=-completed_at&limit=1")))
	})

	for _, tt := range []struct{ name, query, field string }{
		{"WithStatusOpen", "completed_after=2026-01-01T00:00:00Z&status=open", "completed_after"},
		{"WithStatusPending", "completed_before=2026-01-01T00:00:00Z&status=pending", "completed_before"},
		{"WithOverdue", "completed_after=2026-01-01T00:00:00Z&overdue=true", "completed_after"},
		{"NotATime", "completed_after=yesterday", "completed_after"},
		{"CursorOfAnotherSort", "sort=-completed_at&cursor=" + url.QueryEscape(taskwire.CursorAfter(taskwire.Sort{Field: taskwire.SortDueAt}, a).Encode()), "cursor"},
	} {
		t.Run("Refused"+tt.name, func(t *testing.T) {
			resp := c.Do(t, http.MethodGet, "/v1/tasks?"+tt.query, nil)
			resp.MustStatus(t, http.StatusBadRequest)
			assert.Equal(t, tt.field, resp.Problem(t).Field)
		})
	}
}

// Completing a recurring task with {"end_series": true} makes it the last of its series:
// its rule goes as it is completed. Without a body, or with false, the series goes on.
func TestCompleteTask_EndSeries(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	daily := map[string]any{"title": "Physio exercises", "due_at": "2026-12-07T09:00:00+01:00", "recurrence": "FREQ=DAILY"}

	task := c.MustCreateTask(t, daily)
	resp := c.Do(t, http.MethodPost, "/v1/tasks/"+task.ID.String()+"/complete", map[string]any{"end_series": true})
	resp.MustStatus(t, http.StatusOK)
	var done taskwire.Task
	resp.JSON(t, &done)
	assert.Equal(t, taskwire.StatusCompleted, done.Status)
	assert.Nil(t, done.Recurrence, "the rule taken off")
	assert.Equal(t, `"`+strconv.FormatInt(done.Version, 10)+`"`, resp.Header.Get("ETag"))
	// Sent again, as after a lost answer: the same task, nothing changed.
	again := c.Do(t, http.MethodPost, "/v1/tasks/"+task.ID.String()+"/complete", map[string]any{"end_series": true})
	again.MustStatus(t, http.StatusOK)
	assert.Equal(t, resp.Header.Get("ETag"), again.Header.Get("ETag"))

	for _, body := range []any{nil, "", map[string]any{}, map[string]any{"end_series": false}, map[string]any{"end_series": nil}} {
		task := c.MustCreateTask(t, daily)
		resp := c.Do(t, http.MethodPost, "/v1/tasks/"+task.ID.String()+"/complete", body)
		resp.MustStatus(t, http.StatusOK)
		var done taskwire.Task
		resp.JSON(t, &done)
		assert.Equal(t, taskwire.StatusCompleted, done.Status, "body %#v", body)
		assert.Equal(t, task.Recurrence, done.Recurrence, "body %#v: the series goes on", body)

		// The occurrence is done and its series went on: the next one ends it, not this one.
		end := c.Do(t, http.MethodPost, "/v1/tasks/"+task.ID.String()+"/complete", map[string]any{"end_series": true})
		end.MustStatus(t, http.StatusConflict)
		assert.Contains(t, end.Problem(t).Detail, "next occurrence")
		assert.Equal(t, task.Recurrence, c.MustGetTask(t, task.ID.String()).Recurrence, "a refusal changes nothing")
	}

	open := c.MustCreateTask(t, daily)
	for _, tc := range []struct {
		body   string
		status int
		field  string
	}{
		{`{"end_series": "yes"}`, http.StatusBadRequest, "end_series"},
		{`{"end_series": true, "forever": true}`, http.StatusBadRequest, "forever"},
		{`{"end_series": tru`, http.StatusBadRequest, ""},
		{`[true]`, http.StatusBadRequest, ""},
	} {
		resp := c.Do(t, http.MethodPost, "/v1/tasks/"+open.ID.String()+"/complete", tc.body)
		resp.MustStatus(t, tc.status)
		assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), tc.body)
		assert.Equal(t, tc.field, resp.Problem(t).Field, tc.body)
	}
	assert.Equal(t, taskwire.StatusOpen, c.MustGetTask(t, open.ID.String()).Status, "bad bodies complete nothing")
}
