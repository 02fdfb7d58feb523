package tools_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// "I want to get one thing done a day. How am I doing?": set_daily_goal sets the goal,
// get_stats counts today's completion against it; bad arguments are refused naming them.
func TestTools_Stats(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	set := tools.New(postgres.NewTaskService(db), users, postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, _ := MustNewUser(t, db)

	goal := MustCall[map[string]any](t, ctx, set, "set_daily_goal", `{"goal": 1}`)
	assert.JSONEq(t, `{"daily_goal": 1}`, mustJSON(t, goal))
	task := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Call the plumber"}`)
	MustCall[taskwire.Task](t, ctx, set, "complete_task", `{"task_id": "`+task.ID.String()+`"}`)

	st := MustCall[taskwire.Stats](t, ctx, set, "get_stats", `{"days": 3}`)
	require.Len(t, st.Days, 3)
	assert.Equal(t, 1, st.Days[2].Completed)
	assert.Equal(t, 1, st.DailyGoal)
	assert.Equal(t, taskwire.Streak{Current: 1, Longest: 1}, st.Streak)
	assert.Len(t, MustCall[taskwire.Stats](t, ctx, set, "get_stats", `{}`).Days, taskwire.DefaultStatsDays)

	for _, tt := range []struct{ name, args, field string }{
		{"set_daily_goal", `{"goal": 0}`, "goal"},
		{"set_daily_goal", `{"goal": 101}`, "goal"},
		{"set_daily_goal", `{"goal": "3"}`, "goal"},
		{"set_daily_goal", `{}`, "goal"},
		{"get_stats", `{"days": 0}`, "days"},
		{"get_stats", `{"days": 91}`, "days"},
		{"get_stats", `{"weeks": 1}`, "weeks"},
	} {
		_, err := set.Call(ctx, tt.name, json.RawMessage(tt.args))
		require.Error(t, err, "%s(%s)", tt.name, tt.args)
		assert.Equal(t, tt.field, taskwire.ErrorField(err), "%s(%s): %v", tt.name, tt.args, err)
		assert.NotContains(t, err.Error(), "daily_goal", "%s(%s): the model knows the argument as goal", tt.name, tt.args)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
