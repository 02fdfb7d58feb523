package tools_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// "Complete all my errands", "move them to Friday 9am and tag them #weekend": bulk_tasks
// does it in one call, to all the tasks named or, when one is none, to none of them.
func TestTools_BulkTasks(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	ctx, _ := MustNewUser(t, db)
	MustCall[map[string]any](t, ctx, set, "set_time_zone", `{"time_zone": "Europe/Berlin"}`)
	for _, title := range []string{"Post the parcel", "Buy stamps", "Write to grandma"} {
		MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "`+title+`", "tags": ["errand"]}`)
	}

	type result struct {
		Items []taskwire.Task `json:"items"`
	}
	moved := MustCall[result](t, ctx, set, "bulk_tasks",
		`{"tasks": [1, 2], "action": "update", "patch": {"due_at": "2030-12-13T09:00:00"}, "add_tags": ["weekend"]}`)
	require.Len(t, moved.Items, 2)
	for _, task := range moved.Items {
		require.NotNil(t, task.DueAt)
		assert.Equal(t, time.Date(2030, 12, 13, 8, 0, 0, 0, time.UTC), task.DueAt.UTC(), "09:00 in Berlin")
		// Given in the task's zone, as every other tool gives a task (until 2026-12-06: UTC).
		assert.Equal(t, "2030-12-13T09:00:00+01:00", task.DueAt.Format(time.RFC3339))
		assert.Equal(t, []string{"errand", "weekend"}, task.Tags)
	}

	done := MustCall[result](t, ctx, set, "bulk_tasks", `{"tasks": [1, 2, 3], "action": "complete"}`)
	require.Len(t, done.Items, 3)
	for _, task := range done.Items {
		assert.Equal(t, taskwire.StatusCompleted, task.Status)
	}

	_, err := set.Call(ctx, "bulk_tasks", json.RawMessage(`{"tasks": [1, 42], "action": "reopen"}`))
	require.Error(t, err)
	assert.Equal(t, "tasks[1]", taskwire.ErrorField(err), "%v", err)
	got := MustCall[taskwire.Task](t, ctx, set, "get_task", `{"task_id": 1}`)
	assert.Equal(t, taskwire.StatusCompleted, got.Status, "none reopened")
}

// TestTools_BulkTasksSchema: the model is told as many tasks as the request takes.
func TestTools_BulkTasksSchema(t *testing.T) {
	tool, ok := newSet(postgrestest.MustOpenDB(t)).Lookup("bulk_tasks")
	require.True(t, ok)
	var schema struct {
		Properties struct {
			Tasks struct {
				MaxItems int `json:"maxItems"`
			} `json:"tasks"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(tool.Parameters, &schema))
	assert.Equal(t, taskwire.MaxBulk, schema.Properties.Tasks.MaxItems)
	assert.Contains(t, tool.Description, fmt.Sprintf("up to %d tasks", taskwire.MaxBulk))
}
