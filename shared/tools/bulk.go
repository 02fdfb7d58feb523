package tools

import (
	"context"
	"encoding/json"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// bulkTools builds the tool that does one thing to several tasks at once.
func bulkTools(tasks Tasks) []Tool {
	return []Tool{{
		Name: "bulk_tasks",
		Description: "Do one thing to several tasks at once, all of them or none (\"complete all my errands\", " +
			"\"tag these three #work\", \"move everything overdue to tomorrow\"): complete, reopen, delete (into the " +
			"trash; restore brings them back), update (a patch of the fields update_task takes, then " +
			"tags added and removed) or reschedule (to date, each at the time of day it has). Name up to 200 tasks by number or id, found with list_tasks first. One call " +
			"instead of one per task. Returns the tasks after it.",
		Parameters: json.RawMessage(bulkSchema),
		run: func(ctx context.Context, args json.RawMessage) (any, error) {
			bulk, err := taskwire.DecodeBulk(args)
			if err != nil {
				return nil, err
			}
			changed, err := tasks.BulkTasks(ctx, bulk)
			if err != nil {
				return nil, err
			}
			return &taskwire.TaskPage{Items: changed}, nil // a page without a cursor, for inZones
		},
	}}
}

// bulkSchema is the argument schema of bulk_tasks: the body of POST /v1/tasks/bulk.
const bulkSchema = `{"type": "object", "properties": {
	"tasks": {"type": "array", "items": {"type": ["integer", "string"]}, "minItems": 1, "maxItems": 200, "description": "The tasks, each by its number or id."},
	"action": {"type": "string", "enum": ["complete", "reopen", "delete", "update", "reschedule", "restore"], "description": "What to do to every task."},
	"date": {"type": "string", "description": "For reschedule: the day, YYYY-MM-DD, each task becomes due on, at the time of day it has (all day if it has none)."},
	"patch": {"type": "object", "properties": {` + taskFieldProperties + `}, "additionalProperties": false, "description": "For update: the fields to change on every task, as update_task takes them."},
	"add_tags": {"type": "array", "items": {"type": "string"}, "description": "For update: tags to put on every task."},
	"remove_tags": {"type": "array", "items": {"type": "string"}, "description": "For update: tags to take off every task."}},
	"required": ["tasks", "action"], "additionalProperties": false}`
