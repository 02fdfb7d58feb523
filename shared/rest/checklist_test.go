package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A task's checklist holds its steps in order: written with the task, ticked off by a
// patch of the whole list (If-Match keeping a step ticked elsewhere from being lost),
// found by search, and kept through the trash and an export.
func TestChecklist(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)

	plain := c.MustCreateTask(t, map[string]any{"title": "Call the bank"})
	assert.Equal(t, []taskwire.Step{}, plain.Checklist, "a task without steps has []")

	task := c.MustCreateTask(t, map[string]any{"title": "Groceries", "checklist": []map[string]any{
		{"text": "  Buy milk "}, {"text": "Eggs", "done": true}, {"text": "Cafe\u0301 beans"},
	}})
	want := []taskwire.Step{{Text: "Buy milk"}, {Text: "Eggs", Done: true}, {Text: "Café beans"}}
	assert.Equal(t, want, task.Checklist, "trimmed and in NFC, done false unless given")
	assert.Equal(t, want, c.MustGetTask(t, "2").Checklist)
	listed := c.MustListTasks(t, "sort=title")
	require.Len(t, listed, 2)
	assert.Equal(t, want, listed[1].Checklist, "the listing carries it")

	// Ticking a step off: the list read, changed, sent back with the task's ETag.
	ticked := []taskwire.Step{{Text: "Buy milk", Done: true}, {Text: "Eggs", Done: true}, {Text: "Café beans"}}
	resp := c.Do(t, http.MethodPatch, "/v1/tasks/2", map[string]any{"checklist": ticked}, "If-Match", task.ETag())
	resp.MustStatus(t, http.StatusOK)
	var got taskwire.Task
	resp.JSON(t, &got)
	assert.Equal(t, ticked, got.Checklist)
	assert.Equal(t, task.Version+1, got.Version)
	history := mustHistory(t, c, "2")
	require.Equal(t, []string{events.TypeTaskCreated, events.TypeTaskUpdated}, eventTypes(history))
	change := history[1].Changes["checklist"]
	assert.Equal(t, []any{map[string]any{"text": "Buy milk", "done": false}}, change.Old.([]any)[:1])
	assert.Equal(t, []any{map[string]any{"text": "Buy milk", "done": true}}, change.New.([]any)[:1])

	// A client that read the task before that edit does not undo it.
	resp = c.Do(t, http.MethodPatch, "/v1/tasks/2", map[string]any{"checklist": want}, "If-Match", task.ETag())
	mustProblem(t, resp, http.StatusPreconditionFailed, taskwire.EPRECONDITION)
	assert.Equal(t, ticked, c.MustGetTask(t, "2").Checklist)

	// Search reads the steps' texts, by word and by the start of one, and never done.
	for q, want := range map[string][]string{
		"milk": {"Groceries"}, "mil": {"Groceries"}, "cafe": {"Groceries"}, "beans": {"Groceries"},
		"false": nil, "true": nil, "bank": {"Call the bank"},
	} {
		var titles []string
		for _, t := range c.MustListTasks(t, "q="+q) {
			titles = append(titles, t.Title)
		}
		assert.Equal(t, want, titles, "q=%s", q)
	}

	// Through the trash, and through an export, read back after the task was lost.
	c.Do(t, http.MethodDelete, "/v1/tasks/2", nil).MustStatus(t, http.StatusNoContent)
	resp = c.Do(t, http.MethodPost, "/v1/tasks/2/restore", nil)
	resp.MustStatus(t, http.StatusOK)
	resp.JSON(t, &got)
	assert.Equal(t, ticked, got.Checklist)
	export := c.Do(t, http.MethodGet, "/v1/export", nil)
	export.MustStatus(t, http.StatusOK)
	c.Do(t, http.MethodDelete, "/v1/tasks/2", nil).MustStatus(t, http.StatusNoContent)
	c.Do(t, http.MethodDelete, "/v1/trash/2", nil).MustStatus(t, http.StatusNoContent)
	resp = c.Do(t, http.MethodPost, "/v1/import", export.Body)
	resp.MustStatus(t, http.StatusOK)
	var imported rest.Imported
	resp.JSON(t, &imported)
	assert.Equal(t, rest.Imported{Added: 1, Present: 1}, imported)
	assert.Equal(t, ticked, c.MustGetTask(t, "2").Checklist)

	// A patch of null clears the list.
	resp = c.Do(t, http.MethodPatch, "/v1/tasks/2", map[string]any{"checklist": nil})
	resp.MustStatus(t, http.StatusOK)
	resp.JSON(t, &got)
	assert.Equal(t, []taskwire.Step{}, got.Checklist)
}

// A task deleted before tasks had checklists is restored with [] rather than null, which
// the column refuses.
func TestChecklist_RestoredFromBefore(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.MustCreateTask(t, map[string]any{"title": "Old", "checklist": []map[string]any{{"text": "a step"}}})
	c.Do(t, http.MethodDelete, "/v1/tasks/1", nil).MustStatus(t, http.StatusNoContent)
	tag, err := s.App.DB.Pool.Exec(context.Background(), `UPDATE trash SET task = task - 'checklist' WHERE user_id = $1`, c.User)
	require.NoError(t, err)
	require.Equal(t, int64(1), tag.RowsAffected())

	resp := c.Do(t, http.MethodPost, "/v1/tasks/1/restore", nil)
	resp.MustStatus(t, http.StatusOK)
	var got taskwire.Task
	resp.JSON(t, &got)
	assert.Equal(t, []taskwire.Step{}, got.Checklist)
	assert.Equal(t, []taskwire.Step{}, c.MustGetTask(t, "1").Checklist)
}

// A bad checklist is refused naming the member at fault, on create and on patch, and
// nothing is written.
func TestChecklist_BadInput(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	task := c.MustCreateTask(t, map[string]any{"title": "Pack", "checklist": []map[string]any{{"text": "Passport"}}})
	many := make([]map[string]any, taskwire.MaxSteps+1)
	for i := range many {
		many[i] = map[string]any{"text": fmt.Sprintf("step %d", i)}
	}
	for _, tt := range []struct {
		name      string
		checklist any
		status    int
		field     string
	}{
		{"NotAList", "milk, eggs", http.StatusBadRequest, "checklist"},
		{"StepNotAnObject", []any{"milk"}, http.StatusBadRequest, "checklist[0]"},
		{"TextNotAString", []any{map[string]any{"text": 3}}, http.StatusBadRequest, "checklist[0].text"},
		{"DoneNotABool", []any{map[string]any{"text": "milk", "done": "yes"}}, http.StatusBadRequest, "checklist[0].done"},
		{"UnknownMember", []any{map[string]any{"text": "milk", "id": 1}}, http.StatusBadRequest, "checklist[0].id"},
		{"NoText", []any{map[string]any{"text": "milk"}, map[string]any{"done": true}}, http.StatusUnprocessableEntity, "checklist[1].text"},
		{"BlankText", []any{map[string]any{"text": " \u200b "}}, http.StatusUnprocessableEntity, "checklist[0].text"},
		{"LongText", []any{map[string]any{"text": strings.Repeat("x", taskwire.MaxStepLength+1)}}, http.StatusUnprocessableEntity, "checklist[0].text"},
		{"ControlCharacter", []any{map[string]any{"text": "milk\nand eggs"}}, http.StatusUnprocessableEntity, "checklist[0].text"},
		{"TooMany", many, http.StatusUnprocessableEntity, "checklist"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.Do(t, http.MethodPost, "/v1/tasks", map[string]any{"title": "New", "checklist": tt.checklist})
			resp.MustStatus(t, tt.status)
			assert.Equal(t, tt.field, resp.Problem(t).Field, "create")
			resp = c.Do(t, http.MethodPatch, "/v1/tasks/1", map[string]any{"checklist": tt.checklist})
			resp.MustStatus(t, tt.status)
			assert.Equal(t, tt.field, resp.Problem(t).Field, "patch")
		})
	}
	assert.Len(t, c.MustListTasks(t, "status=all"), 1, "no task was created")
	got := c.MustGetTask(t, "1")
	assert.Equal(t, task.Version, got.Version, "the task was not changed")
	assert.Equal(t, []taskwire.Step{{Text: "Passport"}}, got.Checklist)
}
