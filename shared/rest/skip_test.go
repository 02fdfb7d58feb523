package rest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// POST /v1/tasks/{id}/skip moves a repeating task to its next occurrence without marking
// it done: it does not show up among what was done. Nothing to skip to is a 409 problem
// that says why; a stale If-Match is 412; another user's task is 404.
func TestSkipOccurrence(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	due := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	standup := c.MustCreateTask(t, map[string]any{"title": "Standup", "due_at": due.Format(time.RFC3339), "recurrence": "FREQ=WEEKLY"})
	once := c.MustCreateTask(t, map[string]any{"title": "Once", "due_at": due.Format(time.RFC3339)})

	resp := c.Do(t, http.MethodPost, "/v1/tasks/1/skip", nil, "If-Match", standup.ETag())
	resp.MustStatus(t, http.StatusOK)
	var skipped taskwire.Task
	resp.JSON(t, &skipped)
	assert.Equal(t, standup.ID, skipped.ID)
	require.NotNil(t, skipped.DueAt)
	assert.True(t, due.AddDate(0, 0, 7).Equal(*skipped.DueAt), "got due_at %v, want a week later", skipped.DueAt)
	assert.Equal(t, skipped.ETag(), resp.Header.Get("ETag"))
	assert.Empty(t, c.MustListTasks(t, "status=completed"), "a skipped occurrence is not done")

	resp = c.Do(t, http.MethodPost, "/v1/tasks/1/skip", nil, "If-Match", standup.ETag())
	resp.MustStatus(t, http.StatusPreconditionFailed)

	resp = c.Do(t, http.MethodPost, "/v1/tasks/"+once.ID.String()+"/skip", nil)
	resp.MustStatus(t, http.StatusConflict)
	assert.Contains(t, resp.Problem(t).Detail, "does not repeat")

	resp = s.NewUser(t).Do(t, http.MethodPost, "/v1/tasks/"+standup.ID.String()+"/skip", nil)
	resp.MustStatus(t, http.StatusNotFound)
	assert.Equal(t, skipped.Version, c.MustGetTask(t, "1").Version, "another user's request changed nothing")
}

// POST /v1/tasks/{id}/unskip takes a skip back while it is the task's latest change; a
// task not skipped last is a 409 problem that says so.
func TestUndoSkip(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	due := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	standup := c.MustCreateTask(t, map[string]any{"title": "Standup", "due_at": due.Format(time.RFC3339), "recurrence": "FREQ=WEEKLY"})

	resp := c.Do(t, http.MethodPost, "/v1/tasks/1/unskip", nil)
	resp.MustStatus(t, http.StatusConflict)
	assert.Contains(t, resp.Problem(t).Detail, "no skip to undo")

	resp = c.Do(t, http.MethodPost, "/v1/tasks/1/skip", nil, "If-Match", standup.ETag())
	resp.MustStatus(t, http.StatusOK)
	var skipped taskwire.Task
	resp.JSON(t, &skipped)

	resp = s.NewUser(t).Do(t, http.MethodPost, "/v1/tasks/"+standup.ID.String()+"/unskip", nil)
	resp.MustStatus(t, http.StatusNotFound)
	resp = c.Do(t, http.MethodPost, "/v1/tasks/1/unskip", nil, "If-Match", standup.ETag())
	resp.MustStatus(t, http.StatusPreconditionFailed)

	resp = c.Do(t, http.MethodPost, "/v1/tasks/1/unskip", nil, "If-Match", skipped.ETag())
	resp.MustStatus(t, http.StatusOK)
	var back taskwire.Task
	resp.JSON(t, &back)
	require.NotNil(t, back.DueAt)
	assert.True(t, due.Equal(*back.DueAt), "got due_at %v, want %v", back.DueAt, due)
	assert.Equal(t, back.ETag(), resp.Header.Get("ETag"))

	resp = c.Do(t, http.MethodPost, "/v1/tasks/1/unskip", nil)
	resp.MustStatus(t, http.StatusConflict)
}
