package rest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	s.NewUser(t).MustCreateTask(t, map[string]any{"title": "someone else's"})

	resp := c.Do(t, http.MethodGet, "/v1/export", nil)
	resp.MustStatus(t, http.StatusOK)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Regexp(t, `^attachment; filename="taskwire-export-\d{4}-\d{2}-\d{2}\.json"$`, resp.Header.Get("Content-Disposition"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.NotContains(t, resp.String(), "whsec_", "a file that travels holds no credentials")
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

	// A query parameter is refused, as on every route that takes none.
	d := mustProblem(t, c.Do(t, http.MethodGet, "/v1/export?format=csv", nil), http.StatusBadRequest, taskwire.EMALFORMED)
	assert.Equal(t, "format", d.Field)
}
