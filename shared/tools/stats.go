package tools

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// statsTools builds the tools over what the user got done: reading it, and setting the
// daily goal it is measured against.
func statsTools(users Users) []Tool {
	return []Tool{
		{
			Name: "get_stats",
			Description: "Tell how the user is doing: how many tasks they completed on each of the last days (7 unless " +
				"days says otherwise, up to 90) of their time zone, today last, against their daily goal; their " +
				"streak (days in a row that met the goal: current, which ends today or yesterday while today's goal " +
				"is not met yet, and longest); and how many tasks are open and overdue. Use it when the user asks " +
				"how much they got done, how their week went, or about their streak or goal.",
			Parameters: json.RawMessage(statsSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					Days *int `json:"days"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				days := taskwire.DefaultStatsDays
				if in.Days != nil {
					if err := taskwire.ValidStatsDays(*in.Days); err != nil {
						return nil, err
					}
					days = *in.Days
				}
				return users.Stats(ctx, days, time.Now())
			},
		},
		{
			Name: "set_daily_goal",
			Description: "Set how many tasks a day the user means to complete (1 to 100; 5 until they set it): the days " +
				"that reach it make their streak. Use it when the user states a goal (\"I want to get 3 things done a " +
				"day\"). Returns daily_goal.",
			Parameters: json.RawMessage(goalSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					Goal json.RawMessage `json:"goal"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				if len(in.Goal) == 0 {
					return nil, taskwire.FieldErrorf(taskwire.EINVALID, "goal", "goal is required: tasks a day, from 1 to %d", taskwire.MaxDailyGoal)
				}
				me, err := users.UpdateMe(ctx, []byte(`{"daily_goal": `+string(in.Goal)+`}`))
				if taskwire.ErrorField(err) == "daily_goal" {
					return nil, taskwire.FieldErrorf(taskwire.ErrorCode(err), "goal", "%s",
						strings.ReplaceAll(taskwire.ErrorMessage(err), "daily_goal", "goal"))
				}
				if err != nil {
					return nil, err
				}
				return struct {
					DailyGoal int `json:"daily_goal"`
				}{me.DailyGoal}, nil
			},
		},
	}
}

// The argument schemas of the statistics tools.
const (
	statsSchema = `{"type": "object", "properties": {
		"days": {"type": "integer", "minimum": 1, "maximum": 90, "description": "How many days, today included (default 7)."}},
		"additionalProperties": false}`
	goalSchema = `{"type": "object", "properties": {
		"goal": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Tasks a day."}},
		"required": ["goal"], "additionalProperties": false}`
)
