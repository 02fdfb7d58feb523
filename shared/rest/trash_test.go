package rest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestTrash(t *testing.T) {
	s := resttest.MustStart(t)

	t.Run("DeleteListRestore", func(t *testing.T) {
		c := s.NewUser(t)
		task := c.MustCreateTask(t, map[string]any{"title": "Renew passport", "tags": []string{"admin"},
			"due_at": "2030-05-01T09:00:00Z", "reminders": []map[string]any{{"before": "P1D"}}})
		since := mustChanges(t, c, "").NextSince
		c.Do(t, http.MethodDelete, "/v1/tasks/1", nil).MustStatus(t, http.StatusNoContent)
		mustProblem(t, c.Do(t, http.MethodGet, "/v1/tasks/1", nil), http.StatusNotFound, taskwire.ENOTFOUND)

		page := mustTrash(t, c, "")
		require.Len(t, page.Items, 1)
		assert.Equal(t, task.ID, page.Items[0].Task.ID)
		assert.Equal(t, "Renew passport", page.Items[0].Task.Title)
		assert.Equal(t, task.Reminders, page.Items[0].Task.Reminders)
		assert.False(t, page.Items[0].DeletedAt.IsZero())

		resp := c.Do(t, http.MethodPost, "/v1/tasks/1/restore", nil)
		resp.MustStatus(t, http.StatusOK)
		var restored taskwire.Task
		resp.JSON(t, &restored)
		assert.Equal(t, task.ID, restored.ID)
		assert.Equal(t, int64(1), restored.Number)
		assert.Equal(t, []string{"admin"}, restored.Tags)
		assert.Equal(t, task.Reminders, restored.Reminders)
		assert.Equal(t, task.Version+1, restored.Version)
		assert.Equal(t, restored.ETag(), resp.Header.Get("ETag"))
		assert.Equal(t, restored, *c.MustGetTask(t, "1"))
		assert.Empty(t, mustTrash(t, c, "").Items)

		// Its history goes on, and a client that syncs sees it back.
		assert.Equal(t, []string{events.TypeTaskCreated, events.TypeTaskDeleted, events.TypeTaskCreated},
			eventTypes(mustHistory(t, c, "1")))
		changes := mustChanges(t, c, since).Changes
		require.Len(t, changes, 1)
		assert.False(t, changes[0].Deleted)
		assert.Equal(t, task.ID, changes[0].TaskID)

		// Restoring a task that is back is a no-op that answers it.
		resp = c.Do(t, http.MethodPost, "/v1/tasks/"+task.ID.String()+"/restore", nil)
		resp.MustStatus(t, http.StatusOK)
		var again taskwire.Task
		resp.JSON(t, &again)
		assert.Equal(t, restored, again)
	})

	t.Run("Purge", func(t *testing.T) {
		c := s.NewUser(t)
		task := c.MustCreateTask(t, map[string]any{"title": "Old notes"})
		c.Do(t, http.MethodDelete, "/v1/tasks/1", nil).MustStatus(t, http.StatusNoContent)
		c.Do(t, http.MethodDelete, "/v1/trash/"+task.ID.String(), nil).MustStatus(t, http.StatusNoContent)
		assert.Empty(t, mustTrash(t, c, "").Items)
		mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks/1/restore", nil), http.StatusNotFound, taskwire.ENOTFOUND)
		mustProblem(t, c.Do(t, http.MethodDelete, "/v1/trash/1", nil), http.StatusNotFound, taskwire.ENOTFOUND)
	})

	t.Run("Empty", func(t *testing.T) {
		c, other := s.NewUser(t), s.NewUser(t)
		first := c.MustCreateTask(t, map[string]any{"title": "Old notes"})
		c.MustCreateTask(t, map[string]any{"title": "Draft"})
		c.MustCreateTask(t, map[string]any{"title": "Stays"})
		theirs := other.MustCreateTask(t, map[string]any{"title": "Theirs"})
		c.Do(t, http.MethodDelete, "/v1/tasks/1", nil).MustStatus(t, http.StatusNoContent)
		c.Do(t, http.MethodDelete, "/v1/tasks/2", nil).MustStatus(t, http.StatusNoContent)
		other.Do(t, http.MethodDelete, "/v1/tasks/"+theirs.ID.String(), nil).MustStatus(t, http.StatusNoContent)

		resp := c.Do(t, http.MethodDelete, "/v1/trash", nil)
		resp.MustStatus(t, http.StatusOK)
		var emptied rest.Emptied
		resp.JSON(t, &emptied)
		assert.Equal(t, 2, emptied.Purged)
		assert.Empty(t, mustTrash(t, c, "").Items)
		mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks/1/restore", nil), http.StatusNotFound, taskwire.ENOTFOUND)
		assert.Equal(t, "Stays", c.MustGetTask(t, "3").Title, "the list is untouched")
		assert.Len(t, mustTrash(t, other, "").Items, 1, "another user's trash stays")
		assert.Equal(t, []string{events.TypeTaskCreated, events.TypeTaskDeleted}, eventTypes(mustHistory(t, c, first.ID.String())), "the history stays")

		// An empty trash empties to nothing.
		resp = c.Do(t, http.MethodDelete, "/v1/trash", nil)
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &emptied)
		assert.Zero(t, emptied.Purged)
	})

	t.Run("OtherUsers", func(t *testing.T) {
		owner, other := s.NewUser(t), s.NewUser(t)
		task := owner.MustCreateTask(t, map[string]any{"title": "Mine"})
		owner.Do(t, http.MethodDelete, "/v1/tasks/1", nil).MustStatus(t, http.StatusNoContent)
		assert.Empty(t, mustTrash(t, other, "").Items)
		for _, ref := range []string{"1", task.ID.String()} {
			mustProblem(t, other.Do(t, http.MethodPost, "/v1/tasks/"+ref+"/restore", nil), http.StatusNotFound, taskwire.ENOTFOUND)
			mustProblem(t, other.Do(t, http.MethodDelete, "/v1/trash/"+ref, nil), http.StatusNotFound, taskwire.ENOTFOUND)
		}
		require.Len(t, mustTrash(t, owner, "").Items, 1, "still in its owner's trash")
	})

	t.Run("Pages", func(t *testing.T) {
		c := s.NewUser(t)
		for range 3 {
			task := c.MustCreateTask(t, map[string]any{"title": "t"})
			c.Do(t, http.MethodDelete, "/v1/tasks/"+task.ID.String(), nil).MustStatus(t, http.StatusNoContent)
		}
		first := mustTrash(t, c, "?limit=2")
		require.Len(t, first.Items, 2)
		require.NotEmpty(t, first.NextCursor)
		second := mustTrash(t, c, "?limit=2&cursor="+first.NextCursor)
		require.Len(t, second.Items, 1)
		assert.Empty(t, second.NextCursor)
		assert.NotEqual(t, first.Items[1].Task.ID, second.Items[0].Task.ID)
	})

	t.Run("BadInput", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "a"})
		c.MustCreateTask(t, map[string]any{"title": "b"})
		var tasks taskwire.TaskPage
		c.Do(t, http.MethodGet, "/v1/tasks?limit=1", nil).JSON(t, &tasks)
		require.NotEmpty(t, tasks.NextCursor)
		for query, field := range map[string]string{
			"?limit=0": "limit", "?limit=x": "limit", "?cursor=nope": "cursor", "?sort=title": "sort",
			"?cursor=" + tasks.NextCursor: "cursor", // a listing's cursor is not the trash's
		} {
			d := mustProblem(t, c.Do(t, http.MethodGet, "/v1/trash"+query, nil), http.StatusBadRequest, taskwire.EMALFORMED)
			assert.Equal(t, field, d.Field, query)
		}
		mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks/nope/restore", nil), http.StatusNotFound, taskwire.ENOTFOUND)
	})
}

func mustTrash(t *testing.T, c *resttest.Client, query string) taskwire.TrashPage {
	t.Helper()
	resp := c.Do(t, http.MethodGet, "/v1/trash"+query, nil)
	resp.MustStatus(t, http.StatusOK)
	var page taskwire.TrashPage
	resp.JSON(t, &page)
	return page
}
