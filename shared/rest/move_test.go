package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// POST /v1/tasks/{id}/move arranges the user's own order, which sort=position lists:
// before or after a task by number or uuid, or to the top or bottom, across pages.
func TestMoveTask(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	var tasks []*taskwire.Task
	for _, title := range []string{"a", "b", "c", "d"} {
		tasks = append(tasks, c.MustCreateTask(t, map[string]any{"title": title}))
	}
	order := func() string {
		t.Helper()
		var titles []string
		for _, task := range c.MustListTasks(t, "sort=position&limit=1") { // a page each: the cursor too
			titles = append(titles, task.Title)
		}
		return strings.Join(titles, " ")
	}
	require.Equal(t, "a b c d", order())

	resp := c.Do(t, http.MethodPost, "/v1/tasks/4/move", map[string]any{"after": 1})
	resp.MustStatus(t, http.StatusOK)
	var moved taskwire.Task
	resp.JSON(t, &moved)
	assert.Equal(t, moved.ETag(), resp.Header.Get("ETag"))
	assert.Equal(t, tasks[3].Version+1, moved.Version)
	assert.Equal(t, "a d b c", order())

	c.Do(t, http.MethodPost, "/v1/tasks/1/move", map[string]any{"before": tasks[2].ID.String()}).MustStatus(t, http.StatusOK)
	assert.Equal(t, "d b a c", order())
	c.Do(t, http.MethodPost, "/v1/tasks/3/move", `{"to": "top"}`).MustStatus(t, http.StatusOK)
	assert.Equal(t, "c d b a", order())
	c.Do(t, http.MethodPost, "/v1/tasks/3/move", `{"after": "2"}`, "If-Match", tasks[2].ETag()).
		MustStatus(t, http.StatusPreconditionFailed) // moved since it was created
	got := c.MustListTasks(t, "sort=-position")
	require.Len(t, got, 4)
	assert.Equal(t, "a", got[0].Title, "-position: the order reversed")

	other := s.NewUser(t)
	other.Do(t, http.MethodPost, "/v1/tasks/"+tasks[0].ID.String()+"/move", `{"to": "top"}`).MustStatus(t, http.StatusNotFound)
	assert.Equal(t, "c d b a", order(), "another user's request moved nothing")
}

// A move that says no place, two places, or a place that is none is a problem naming
// what was wrong, and moves nothing.
func TestMoveTask_BadInput(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.MustCreateTask(t, map[string]any{"title": "a"})
	before := c.MustCreateTask(t, map[string]any{"title": "b"})
	for _, tt := range []struct {
		body   string
		status int
		field  string
		detail string
	}{
		{``, http.StatusBadRequest, "", "empty"},
		{`{}`, http.StatusBadRequest, "", "say where the task goes"},
		{`{"after": 1, "to": "top"}`, http.StatusUnprocessableEntity, "to", "not both after and to"},
		{`{"to": "middle"}`, http.StatusUnprocessableEntity, "to", "top or bottom"},
		{`{"after": 0}`, http.StatusBadRequest, "after", "number (1 or more) or uuid"},
		{`{"before": "soon"}`, http.StatusBadRequest, "before", "number (1 or more) or uuid"},
		{`{"before": null}`, http.StatusBadRequest, "before", "number (1 or more) or uuid"},
		{`{"after": 99}`, http.StatusUnprocessableEntity, "after", "no task 99"},
		{`{"beside": 1}`, http.StatusBadRequest, "beside", "unknown field"},
	} {
		resp := c.Do(t, http.MethodPost, "/v1/tasks/2/move", tt.body)
		resp.MustStatus(t, tt.status)
		p := resp.Problem(t)
		assert.Equal(t, tt.field, p.Field, "body %s", tt.body)
		assert.Contains(t, p.Detail, tt.detail, "body %s", tt.body)
	}
	assert.Equal(t, before.Version, c.MustGetTask(t, "2").Version, "nothing moved")
}
