package tools_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// "Add the steps: milk, eggs" and "I bought the milk": add_task and update_task take the
// checklist, and check_step ticks one step off (or on again) by its place, refusing a
// place the checklist has not with what it has.
func TestTools_Checklist(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	ctx, _ := MustNewUser(t, db)

	task := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Groceries", "checklist": [{"text": "Milk"}, {"text": "Eggs"}]}`)
	assert.Equal(t, []taskwire.Step{{Text: "Milk"}, {Text: "Eggs"}}, task.Checklist)
	task = MustCall[taskwire.Task](t, ctx, set, "update_task",
		`{"task_id": 1, "checklist": [{"text": "Milk"}, {"text": "Eggs"}, {"text": "Bread"}]}`)
	assert.Len(t, task.Checklist, 3)

	task = MustCall[taskwire.Task](t, ctx, set, "check_step", `{"task_id": 1, "step": 1}`)
	assert.Equal(t, []taskwire.Step{{Text: "Milk", Done: true}, {Text: "Eggs"}, {Text: "Bread"}}, task.Checklist)
	version := task.Version
	task = MustCall[taskwire.Task](t, ctx, set, "check_step", `{"task_id": "#1", "step": 1, "done": true}`)
	assert.Equal(t, version, task.Version, "ticking a ticked step changes nothing")
	task = MustCall[taskwire.Task](t, ctx, set, "check_step", `{"task_id": 1, "step": 1, "done": false}`)
	assert.False(t, task.Checklist[0].Done)

	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Call mum"}`)
	for _, tt := range []struct{ args, code, field, says string }{
		{`{"task_id": 1, "step": 4}`, taskwire.EINVALID, "step", "has 3 steps"},
		{`{"task_id": 1, "step": 0}`, taskwire.EINVALID, "step", "step must be 1 to 3"},
		{`{"task_id": 2, "step": 1}`, taskwire.EINVALID, "step", "no checklist"},
		{`{"task_id": 1}`, taskwire.EINVALID, "step", "step is required"},
		{`{"task_id": 1, "step": "one"}`, taskwire.EMALFORMED, "step", ""},
		{`{"task_id": 1, "step": 1, "text": "Milk"}`, taskwire.EMALFORMED, "text", ""},
		{`{"task_id": 9, "step": 1}`, taskwire.ENOTFOUND, "task_id", ""},
	} {
		got := MustFail(t, ctx, set, "check_step", tt.args)
		assert.Equal(t, tt.code, got["code"], tt.args)
		assert.Equal(t, tt.field, got["field"], tt.args)
		assert.Contains(t, got["error"], tt.says, tt.args)
	}
	got := MustFail(t, ctx, set, "add_task", `{"title": "Pack", "checklist": [{"text": "Passport"}, {"text": " "}]}`)
	assert.Equal(t, "checklist[1].text", got["field"])
}

// interleaved is a task store on which another client's change lands between check_step's
// read and its write, once: the first write finds the task changed.
type interleaved struct {
	tools.Tasks
	once      sync.Once
	meanwhile func()
}

// UpdateTask runs the other client's change first, the first time.
func (s *interleaved) UpdateTask(ctx context.Context, ref, ifMatch string, patch []byte) (*taskwire.Task, error) {
	s.once.Do(s.meanwhile)
	return s.Tasks.UpdateTask(ctx, ref, ifMatch, patch)
}

// A step ticked in the app while the assistant ticks another stays ticked: check_step
// writes with the ETag of what it read, and reads again when the task changed between.
func TestTools_CheckStepKeepsAChangeMeanwhile(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	tasks := postgres.NewTaskService(db)
	ctx, _ := MustNewUser(t, db)
	store := &interleaved{Tasks: tasks, meanwhile: func() {
		_, err := tasks.UpdateTask(ctx, "1", "", []byte(`{"checklist": [{"text": "Milk"}, {"text": "Eggs", "done": true}]}`))
		require.NoError(t, err)
	}}
	set := tools.New(store, postgres.NewUserService(db), postgres.NewNotificationService(db), postgres.NewChangeService(db))
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Groceries", "checklist": [{"text": "Milk"}, {"text": "Eggs"}]}`)

	task := MustCall[taskwire.Task](t, ctx, set, "check_step", `{"task_id": 1, "step": 1}`)
	assert.Equal(t, []taskwire.Step{{Text: "Milk", Done: true}, {Text: "Eggs", Done: true}}, task.Checklist)
	assert.Equal(t, int64(3), task.Version, "the change meanwhile, then the step")
}

// "Block an hour for the dentist": add_task and update_task take how long a task takes,
// and quick_add reads "for 45 minutes"; a duration an all-day task cannot have is refused
// naming it.
func TestTools_Duration(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	ctx, _ := MustNewUser(t, db)

	task := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Dentist", "due_at": "2030-05-01T09:00:00", "duration": "PT1H"}`)
	require.NotNil(t, task.Duration)
	assert.Equal(t, "PT1H", *task.Duration)
	task = MustCall[taskwire.Task](t, ctx, set, "update_task", `{"task_id": 1, "duration": null}`)
	assert.Nil(t, task.Duration)
	quick := MustCall[map[string]any](t, ctx, set, "quick_add", `{"text": "yoga tomorrow at 7am for 30 minutes"}`)
	assert.Equal(t, "PT30M", quick["task"].(map[string]any)["duration"])
	got := MustFail(t, ctx, set, "add_task", `{"title": "Trip", "due_date": "2030-05-01", "duration": "PT2H"}`)
	assert.Equal(t, "duration", got["field"])
}
