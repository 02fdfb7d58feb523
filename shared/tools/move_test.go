package tools_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// "Put the dentist at the top", "buy milk after call mum": move_task arranges the user's
// own order, which list_tasks reads with sort position; a place that is none is refused
// with the field it concerns.
func TestTools_MoveTask(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	ctx, _ := MustNewUser(t, db)
	for _, title := range []string{"Call mum", "Buy milk", "Dentist"} {
		MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "`+title+`"}`)
	}
	order := func() string {
		t.Helper()
		page := MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"sort": "position"}`)
		var titles []string
		for _, task := range page.Items {
			titles = append(titles, task.Title)
		}
		return strings.Join(titles, ", ")
	}

	task := MustCall[taskwire.Task](t, ctx, set, "move_task", `{"task_id": 3, "to": "top"}`)
	assert.Equal(t, "Dentist", task.Title)
	assert.Equal(t, "Dentist, Call mum, Buy milk", order())
	MustCall[taskwire.Task](t, ctx, set, "move_task", `{"task_id": "#1", "after": "#2"}`)
	assert.Equal(t, "Dentist, Buy milk, Call mum", order())
	MustCall[taskwire.Task](t, ctx, set, "move_task", `{"task_id": 1, "before": 3}`)
	require.Equal(t, "Call mum, Dentist, Buy milk", order())

	for _, tt := range []struct{ args, code, field, says string }{
		{`{"task_id": 1}`, taskwire.EMALFORMED, "", "say where the task goes"},
		{`{"task_id": 1, "to": "up"}`, taskwire.EINVALID, "to", "top or bottom"},
		{`{"task_id": 1, "after": 9}`, taskwire.EINVALID, "after", "no task 9"},
		{`{"task_id": 1, "after": 2, "before": 3}`, taskwire.EINVALID, "after", "not both before and after"},
		{`{"task_id": 9, "to": "top"}`, taskwire.ENOTFOUND, "task_id", ""},
	} {
		got := MustFail(t, ctx, set, "move_task", tt.args)
		assert.Equal(t, tt.code, got["code"], tt.args)
		assert.Equal(t, tt.field, got["field"], tt.args)
		assert.Contains(t, got["error"], tt.says, tt.args)
	}
	assert.Equal(t, "Call mum, Dentist, Buy milk", order(), "refused moves moved nothing")
}
