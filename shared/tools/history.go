package tools

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Changes reads a task's history back: postgres.ChangeService.
type Changes interface {
	History(ctx context.Context, ref string, page events.HistoryPage) ([]events.ChangeEntry, bool, error)
}

// Pages of task_history: the latest events first, a few at a time, as a conversation
// needs the latest change far more often than the first.
const (
	defaultHistoryLimit = 10
	maxHistoryLimit     = 50
)

// HistoryEvent is one event of a task's history as task_history gives it.
type HistoryEvent struct {
	What  string    `json:"what"`  // created, updated, completed, reopened, deleted or restored
	Time  time.Time `json:"time"`  // in the task's zone
	Title string    `json:"title"` // the task's title after the event (before it, for a deletion)
	// Changes are the fields an update changed, old and new, times in the task's zone.
	Changes map[string]events.Change `json:"changes,omitempty"`
}

// History is the answer of task_history: a page of a task's events, the latest first.
type History struct {
	TaskID     string         `json:"task_id"`
	Events     []HistoryEvent `json:"events"`
	HasMore    bool           `json:"has_more"`
	NextCursor string         `json:"next_cursor,omitempty"` // the cursor of the earlier events, while has_more
}

func historyTools(changes Changes) []Tool {
	return []Tool{{
		Name: "task_history",
		Description: "What happened to a task, by its number or id (also a deleted one, by id): its creation, each change " +
			"with the fields changed (old and new values), completions, reopenings, deletions and restores, the latest first. " +
			"Use it to answer \"when did I move the dentist?\" or to put back a description as it was. " +
			"Returns {events, has_more, next_cursor}; pass next_cursor as cursor for earlier events.",
		Parameters: json.RawMessage(taskHistorySchema),
		run: func(ctx context.Context, args json.RawMessage) (any, error) {
			ref, rest, err := splitRef(args)
			if err != nil {
				return nil, err
			}
			var in struct {
				Limit  *int    `json:"limit"`
				Cursor *string `json:"cursor"`
			}
			if err := decodeRest(rest, &in); err != nil {
				return nil, err
			}
			page := events.HistoryPage{Newest: true, Limit: defaultHistoryLimit}
			if in.Limit != nil {
				if *in.Limit < 1 || *in.Limit > maxHistoryLimit {
					return nil, taskwire.FieldErrorf(taskwire.EMALFORMED, "limit", "limit must be 1 to %d, got %d", maxHistoryLimit, *in.Limit)
				}
				page.Limit = *in.Limit
			}
			if in.Cursor != nil {
				if page.Cursor, err = strconv.ParseInt(*in.Cursor, 10, 64); err != nil || page.Cursor < 1 {
					return nil, taskwire.FieldErrorf(taskwire.EMALFORMED, "cursor", "cursor must be the next_cursor of an earlier answer")
				}
			}
			// One event more than shown: the one before the oldest shown, which tells
			// whether that one, a creation, restored the task from the trash.
			limit := page.Limit
			page.Limit++
			list, more, err := changes.History(ctx, ref, page)
			if err != nil {
				return nil, notFound(err, ref)
			}
			return historyOf(list, limit, more), nil
		},
	}}
}

// historyOf makes the answer of task_history from a page of events, the latest first:
// the first limit of them, the one after those (if any) telling whether the oldest shown
// restored the task; more says whether the store has events after the page.
func historyOf(list []events.ChangeEntry, limit int, more bool) *History {
	shown := list[:min(limit, len(list))]
	h := &History{Events: make([]HistoryEvent, len(shown)), HasMore: more || len(list) > limit}
	for i, e := range shown {
		h.TaskID = e.TaskID.String()
		loc := time.UTC
		var title string
		if e.Task != nil {
			loc, title = taskwire.LoadZone(e.Task.TimeZone), e.Task.Title
		}
		what := strings.TrimSuffix(strings.TrimPrefix(e.Type, "dev.taskwire.task."), ".v1")
		if e.Type == events.TypeTaskCreated && i+1 < len(list) && list[i+1].Type == events.TypeTaskDeleted {
			what = "restored" // a creation after a deletion: out of the trash
		}
		h.Events[i] = HistoryEvent{What: what, Time: e.Time.In(loc), Title: title, Changes: changesIn(e.Changes, loc)}
	}
	if h.HasMore {
		h.NextCursor = strconv.FormatInt(shown[len(shown)-1].Seq, 10)
	}
	return h
}

// changesIn returns changes with each value that is a time (a due, a completion) given in
// loc, as the tools give a task's times; an empty map is nil, left out.
func changesIn(changes map[string]events.Change, loc *time.Location) map[string]events.Change {
	if len(changes) == 0 {
		return nil
	}
	out := make(map[string]events.Change, len(changes))
	for k, c := range changes {
		out[k] = events.Change{Old: valueIn(c.Old, loc), New: valueIn(c.New, loc)}
	}
	return out
}

// valueIn returns v, or, when v is an RFC 3339 time, that time in loc.
func valueIn(v any, loc *time.Location) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return v
	}
	return t.In(loc).Format(time.RFC3339)
}

const taskHistorySchema = `{"type": "object", "properties": {` + taskIDProperty + `,
	"limit": {"type": "integer", "minimum": 1, "maximum": 50, "description": "How many events, the latest first; 10 unless given."},
	"cursor": {"type": "string", "description": "The next_cursor of an earlier answer, for the events before it."}},
	"required": ["task_id"], "additionalProperties": false}`
