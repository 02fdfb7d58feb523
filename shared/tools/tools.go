// Package tools holds the task tools that the chat assistant and MCP clients call: each a
// name, a description, a JSON Schema of its arguments and a call that runs as the
// signed-in user through the same store and validation as the REST API, so a tool call
// changes what a request would change and announces it with the same events. It knows
// nothing of any model's wire format.
package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/quickadd"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Tasks is the store the tools work on: the signed-in user's tasks (postgres.TaskService).
type Tasks interface {
	CreateTask(ctx context.Context, f taskwire.TaskFields, key taskwire.IdempotencyKey) (*taskwire.Task, bool, error)
	FindTask(ctx context.Context, ref string) (*taskwire.Task, error)
	FindTasks(ctx context.Context, f taskwire.TaskFilter) (*taskwire.TaskPage, error)
	UpdateTask(ctx context.Context, ref, ifMatch string, patch []byte) (*taskwire.Task, error)
	SetStatus(ctx context.Context, ref, ifMatch string, status taskwire.Status) (*taskwire.Task, error)
	EndSeries(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error)
	SkipOccurrence(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error)
	UndoSkip(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error)
	MoveTask(ctx context.Context, ref, ifMatch string, m taskwire.Move) (*taskwire.Task, error)
	DeleteTask(ctx context.Context, ref, ifMatch string) error
	BulkTasks(ctx context.Context, bulk taskwire.Bulk) ([]*taskwire.Task, error)
	RestoreTask(ctx context.Context, ref string) (*taskwire.Task, error)
	Trash(ctx context.Context, limit int, cursor *taskwire.Cursor) (*taskwire.TrashPage, error)
	Tags(ctx context.Context) ([]taskwire.Tag, error)
	RenameTag(ctx context.Context, name, to string) (*taskwire.Tag, error)
	DeleteTag(ctx context.Context, name string) error
	SnoozeNotification(ctx context.Context, id uuid.UUID, d taskwire.Duration) (*taskwire.Snoozed, error)
}

// Notifications reads the signed-in user's in-app notifications, the reminders that
// fired (postgres.NotificationService): list_notifications lists them.
type Notifications = rest.NotificationFinder

// ErrUnknownTool is what a call of a tool that does not exist matches (errors.Is).
var ErrUnknownTool = errors.New("unknown tool")

// UnknownToolError is the error of a call of a tool that does not exist.
type UnknownToolError struct {
	Name  string   // the name asked for
	Known []string // the names that exist
}

// Error implements the error interface.
func (e *UnknownToolError) Error() string {
	return fmt.Sprintf("unknown tool %q; the tools are %s", e.Name, strings.Join(e.Known, ", "))
}

// Is reports whether target is ErrUnknownTool.
func (e *UnknownToolError) Is(target error) bool { return target == ErrUnknownTool }

// Tool is one operation a model can call.
type Tool struct {
	Name        string          // what the model calls it by
	Description string          // what it does, for the model
	Parameters  json.RawMessage // JSON Schema of its arguments: always an object
	run         func(ctx context.Context, args json.RawMessage) (any, error)
}

// Call runs the tool as the signed-in user of ctx with args (a JSON object; empty means
// {}) and returns its result as JSON. Bad arguments, a task that is not the user's and
// any other refusal are *taskwire.Error values naming the field; see ErrorResult.
func (t Tool) Call(ctx context.Context, args json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(args)) == 0 {
		args = json.RawMessage("{}")
	}
	v, err := t.run(ctx, args)
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: encode result: %w", t.Name, err)
	}
	return out, nil
}

// Users reads and changes the signed-in user's settings (postgres.UserService):
// quick_add reads its text in the user's time zone; set_daily_summary sets the summary,
// set_daily_goal the goal, set_time_zone the zone.
type Users interface {
	FindMe(ctx context.Context) (*taskwire.User, error)
	UpdateMe(ctx context.Context, patch []byte) (*taskwire.User, error)
	// The saved filters: list_tasks lists one by name, save_filter, list_filters and
	// delete_filter keep them.
	rest.FilterStore
	// get_stats reads what the user got done.
	rest.StatsReader
}

// Set is the task tools over one store.
type Set struct {
	tools  []Tool
	byName map[string]Tool
}

// New returns the task tools over tasks, reading the users' settings from users and
// their in-app notifications from notes and the tasks' histories from changes.
func New(tasks Tasks, users Users, notes Notifications, changes Changes) *Set {
	s := &Set{tools: newTools(tasks, users, notes, changes), byName: map[string]Tool{}}
	for _, t := range s.tools {
		s.byName[t.Name] = t
	}
	return s
}

// List returns the tools in a fixed order.
func (s *Set) List() []Tool {
	return append([]Tool(nil), s.tools...)
}

// Lookup returns the tool called name.
func (s *Set) Lookup(name string) (Tool, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// Call runs the tool called name; a name that is no tool's is an *UnknownToolError.
func (s *Set) Call(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error) {
	t, ok := s.byName[name]
	if !ok {
		known := make([]string, len(s.tools))
		for i, t := range s.tools {
			known[i] = t.Name
		}
		return nil, &UnknownToolError{Name: name, Known: known}
	}
	return t.Call(ctx, args)
}

// errorResult is how a refused call reads to the model.
type errorResult struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	Field string `json:"field,omitempty"`
}

// ErrorResult returns err as the result a model should read, {"error", "code",
// "field"}, and ok when it is one: an unknown tool, bad arguments, a task not found, a
// conflict. ok is false for internal and availability failures (the database is down,
// the request was cancelled), which the caller reports as its own failure instead.
func ErrorResult(err error) (result json.RawMessage, ok bool) {
	var e errorResult
	var unknown *UnknownToolError
	switch code := taskwire.ErrorCode(err); {
	case errors.As(err, &unknown):
		e = errorResult{Error: unknown.Error(), Code: "unknown_tool"}
	case code == taskwire.EINTERNAL || code == taskwire.EUNAVAILABLE || code == taskwire.EUNAUTHORIZED ||
		code == taskwire.EUPSTREAM || code == taskwire.ETIMEOUT:
		return nil, false
	default:
		e = errorResult{Error: taskwire.ErrorMessage(err), Code: code, Field: taskwire.ErrorField(err)}
	}
	out, _ := json.Marshal(e)
	return out, true
}

// newTools builds the tools over tasks, users, notes and changes; they take and give local times
// (inLocalTime).
func newTools(tasks Tasks, users Users, notes Notifications, changes Changes) []Tool {
	tools := append(taskTools(tasks, users), notificationTools(tasks, users, notes)...)
	tools = append(tools, statsTools(users)...)
	tools = append(tools, zoneTools(users)...)
	tools = append(tools, bulkTools(tasks)...)
	tools = append(tools, historyTools(changes)...)
	for i := range tools {
		tools[i].run = inLocalTime(users, tools[i].run)
	}
	return tools
}

// taskTools builds the tools over tasks and users.
func taskTools(tasks Tasks, users Users) []Tool {
	return []Tool{
		{
			Name: "add_task",
			Description: "Create a task for the user. Only title is required. due_at is a local time such as " +
				"2026-03-06T09:00:00 in time_zone (RFC 3339 with an offset works too); for a task due on a day rather " +
				"than at a time (\"pay rent on the 1st\"), give due_date, a day such as 2026-03-06, instead: an all-day " +
				"task, due until that day ends, whose reminders before it count back from 09:00 on the day. " +
				"time_zone (IANA, default: the user's zone) is how recurrence and day-based reminders are counted. " +
				"Returns the task with its number.",
			Parameters: json.RawMessage(addTaskSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in taskwire.NewTask
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				f, err := in.FieldsIn(ctx, users)
				if err != nil {
					return nil, err
				}
				t, _, err := tasks.CreateTask(ctx, f, taskwire.IdempotencyKey{})
				return t, err
			},
		},
		{
			Name: "quick_add",
			Description: "Create a task from one line as the user said it, read by the same parser as the app's quick add: " +
				"dates and times (\"tomorrow 5pm\", \"next friday at 9:30\"; a date without a time, \"tomorrow\", " +
				"makes an all-day task, with due_date), repetition (\"every weekday at 8:30\", ending \"until june\" or after \"5 times\"), " +
				"#tags, !priority, reminders (\"remind 1h before\") and how long it takes (\"for 30 minutes\"), in the user's " +
				"time zone unless time_zone is given. " +
				"Returns the task and what was understood.",
			Parameters: json.RawMessage(quickAddSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					Text     string `json:"text"`
					TimeZone string `json:"time_zone"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				zone := in.TimeZone
				if zone != "" {
					var err error
					if zone, err = taskwire.ValidTimeZone("time_zone", zone); err != nil {
						return nil, err
					}
				} else {
					var err error
					if zone, err = taskwire.UserZone(ctx, users); err != nil {
						return nil, err
					}
				}
				res, err := quickadd.Parse(in.Text, time.Now(), taskwire.LoadZone(zone))
				if err != nil {
					return nil, err
				}
				f, err := res.Task.Fields()
				if err != nil {
					return nil, err
				}
				t, _, err := tasks.CreateTask(ctx, f, taskwire.IdempotencyKey{})
				if err != nil {
					return nil, err
				}
				understood := make([]string, 0, len(res.Understood))
				for _, u := range res.Understood {
					understood = append(understood, fmt.Sprintf("%q: %s", u.Text, u.Meaning))
				}
				return map[string]any{"task": t, "understood": understood}, nil
			},
		},
		{
			Name: "list_tasks",
			Description: "List the user's tasks with filters: status pending (the default), completed or all; " +
				"priority, tag, full-text search q, a due window (due: today, tomorrow, week, later, none; or due_before " +
				"and due_after), overdue only; sorted and limited; or a saved filter's listing by its name (filter), " +
				"which the other arguments change. " +
				"Returns {items, next_cursor}; pass next_cursor as cursor for the next page.",
			Parameters: json.RawMessage(listTasksSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				f, err := listFilter(ctx, users, args)
				if err != nil {
					return nil, err
				}
				return tasks.FindTasks(ctx, f)
			},
		},
		{
			Name:        "get_task",
			Description: "Get one of the user's tasks by its number or id.",
			Parameters:  json.RawMessage(taskRefSchema),
			run: byRef(func(ctx context.Context, ref string) (*taskwire.Task, error) {
				return tasks.FindTask(ctx, ref)
			}),
		},
		{
			Name: "complete_task",
			Description: "Mark a task as done, by its number or id. Completing a recurring task schedules its next occurrence, " +
				"unless end_series is true (\"I finished the course, stop repeating it\"): then it is the last, its rule taken off.",
			Parameters: json.RawMessage(completeTaskSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				ref, rest, err := splitRef(args)
				if err != nil {
					return nil, err
				}
				var in struct {
					EndSeries *bool `json:"end_series"`
				}
				if err := decodeRest(rest, &in); err != nil {
					return nil, err
				}
				var t *taskwire.Task
				if in.EndSeries != nil && *in.EndSeries {
					t, err = tasks.EndSeries(ctx, ref, "")
				} else {
					t, err = tasks.SetStatus(ctx, ref, "", taskwire.StatusCompleted)
				}
				return t, notFound(err, ref)
			},
		},
		{
			Name:        "reopen_task",
			Description: "Mark a completed task as not done again, by its number or id.",
			Parameters:  json.RawMessage(taskRefSchema),
			run:         setStatus(tasks, taskwire.StatusOpen),
		},
		{
			Name: "skip_occurrence",
			Description: "Skip this occurrence of a repeating task without marking it done (\"skip this week's standup\"), " +
				"by its number or id: the same task moves to the series' next occurrence. Returns the task.",
			Parameters: json.RawMessage(taskRefSchema),
			run: byRef(func(ctx context.Context, ref string) (*taskwire.Task, error) {
				return tasks.SkipOccurrence(ctx, ref, "")
			}),
		},
		{
			Name: "undo_skip",
			Description: "Take back a skip_occurrence, by the task's number or id: the task is due as it was before the skip. " +
				"Only while nothing else changed the task since. Returns the task.",
			Parameters: json.RawMessage(taskRefSchema),
			run: byRef(func(ctx context.Context, ref string) (*taskwire.Task, error) {
				return tasks.UndoSkip(ctx, ref, "")
			}),
		},
		{
			Name: "move_task",
			Description: "Move a task in the user's own order, the one they arrange by hand (list_tasks with sort " +
				"position lists it), by its number or id: right before or after another task (before or after: that " +
				"task's number or id), or to the top or bottom (to). Give one of before, after and to. Returns the task.",
			Parameters: json.RawMessage(moveTaskSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				ref, rest, err := splitRef(args)
				if err != nil {
					return nil, err
				}
				body, err := json.Marshal(rest)
				if err != nil {
					return nil, fmt.Errorf("move_task: encode arguments: %w", err)
				}
				m, err := taskwire.DecodeMove(body)
				if err != nil {
					return nil, err
				}
				t, err := tasks.MoveTask(ctx, ref, "", m)
				return t, notFound(err, ref)
			},
		},
		{
			Name:        "delete_task",
			Description: "Delete a task, by its number or id: it goes to the trash, from which restore_task brings it back.",
			Parameters:  json.RawMessage(taskRefSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				ref, err := refOnly(args)
				if err != nil {
					return nil, err
				}
				t, err := tasks.FindTask(ctx, ref)
				if err != nil {
					return nil, notFound(err, ref)
				}
				if err := tasks.DeleteTask(ctx, t.ID.String(), t.ETag()); err != nil {
					return nil, notFound(err, ref)
				}
				return deleted{Deleted: true, TaskID: t.ID, Number: t.Number, Title: t.Title}, nil
			},
		},
		{
			Name: "restore_task",
			Description: "Bring a deleted task back from the trash as it was, with its number, by its number or id " +
				"(list_deleted_tasks finds it by title). Returns the task.",
			Parameters: json.RawMessage(taskRefSchema),
			run: byRef(func(ctx context.Context, ref string) (*taskwire.Task, error) {
				return tasks.RestoreTask(ctx, ref)
			}),
		},
		{
			Name: "list_deleted_tasks",
			Description: "List the tasks in the trash, the latest deleted first, " + strconv.Itoa(trashLimit) +
				" at a time: each with its number, id, title and when it was deleted. " +
				"Returns {items, next_cursor}; pass next_cursor as cursor for the next page.",
			Parameters: json.RawMessage(listDeletedSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					Cursor string `json:"cursor"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				var cursor *taskwire.Cursor
				if in.Cursor != "" {
					var err error
					if cursor, err = taskwire.ParseCursor(in.Cursor, taskwire.TrashOrder); err != nil {
						return nil, err
					}
				}
				page, err := tasks.Trash(ctx, trashLimit, cursor)
				if err != nil {
					return nil, err
				}
				return newTrashListing(page), nil
			},
		},
		{
			Name: "update_task",
			Description: "Change fields of a task, by its number or id: only the fields given change; null clears " +
				"due_at or due_date (the due, whichever it is), recurrence or priority. due_at makes the task due at " +
				"a time, due_date on a day (all-day); not both. reminders replaces the whole list.",
			Parameters: json.RawMessage(updateTaskSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				ref, rest, err := splitRef(args)
				if err != nil {
					return nil, err
				}
				if len(rest) == 0 {
					return nil, taskwire.Errorf(taskwire.EINVALID, "give at least one field to change besides task_id")
				}
				patch, err := json.Marshal(rest)
				if err != nil {
					return nil, fmt.Errorf("update_task: encode patch: %w", err)
				}
				t, err := tasks.UpdateTask(ctx, ref, "", patch)
				return t, notFound(err, ref)
			},
		},
		{
			Name: "check_step",
			Description: "Tick a step of a task's checklist off (\"I bought the milk\"), or mark it to do again with " +
				"done false, by the task's number or id and the step's place in its checklist. Returns the task.",
			Parameters: json.RawMessage(checkStepSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				ref, rest, err := splitRef(args)
				if err != nil {
					return nil, err
				}
				in := struct {
					Step *int  `json:"step"`
					Done *bool `json:"done"`
				}{}
				if err := decodeRest(rest, &in); err != nil {
					return nil, err
				}
				if in.Step == nil {
					return nil, taskwire.FieldErrorf(taskwire.EINVALID, "step", "step is required: the step's place in the checklist, 1 for the first")
				}
				done := in.Done == nil || *in.Done
				t, err := checkStep(ctx, tasks, ref, *in.Step, done)
				return t, notFound(err, ref)
			},
		},
		{
			Name: "reschedule_task",
			Description: "Move a task's due date, by its number or id: give one of due_at, a local time such as " +
				"2026-03-06T09:00:00 in time_zone, else in the task's zone (RFC 3339 with an offset works too), or " +
				"due_date, a day such as 2026-03-06 for a task due on a day rather than at a time (all-day); or " +
				"null for no due date; time_zone optionally changes the task's zone. Reminders relative to the " +
				"due date move with it.",
			Parameters: json.RawMessage(rescheduleSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				ref, rest, err := splitRef(args)
				if err != nil {
					return nil, err
				}
				for name := range rest {
					if name != "due_at" && name != "due_date" && name != "time_zone" {
						return nil, taskwire.FieldErrorf(taskwire.EMALFORMED, name, "unknown field %q", name)
					}
				}
				_, dueAt := rest["due_at"]
				_, dueDate := rest["due_date"]
				if !dueAt && !dueDate {
					return nil, taskwire.FieldErrorf(taskwire.EINVALID, "due_at",
						"due_at or due_date is required: a time, a day such as 2026-03-06, or null for no due date")
				}
				patch, err := json.Marshal(rest)
				if err != nil {
					return nil, fmt.Errorf("reschedule_task: encode patch: %w", err)
				}
				t, err := tasks.UpdateTask(ctx, ref, "", patch)
				return t, notFound(err, ref)
			},
		},
		{
			Name: "save_filter",
			Description: "Save a listing under a name to come back to (\"save this as Work this week\"): the arguments " +
				"list_tasks takes, and name. Saving under a name the user has already changes that filter. list_tasks " +
				"with filter lists its tasks; the web page shows it among the saved filters. Returns the filter.",
			Parameters: json.RawMessage(saveFilterSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				return saveFilter(ctx, users, args)
			},
		},
		{
			Name:        "list_filters",
			Description: "List the user's saved filters: each a name and the query string of the listing it saves.",
			Parameters:  json.RawMessage(noArgsSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var none struct{}
				if err := taskwire.DecodeJSON(args, &none); err != nil {
					return nil, err
				}
				filters, err := users.SavedFilters(ctx)
				return map[string]any{"filters": filters}, err
			},
		},
		{
			Name:        "delete_filter",
			Description: "Delete a saved filter by its name; its tasks stay as they are.",
			Parameters:  json.RawMessage(filterNameSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					Name string `json:"name"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				f, err := findSavedFilter(ctx, users, "name", in.Name)
				if err != nil {
					return nil, err
				}
				if err := users.DeleteSavedFilter(ctx, f.ID); err != nil {
					return nil, err
				}
				return map[string]any{"deleted": f.Name}, nil
			},
		},
		{
			Name:        "list_tags",
			Description: "List the tags the user's tasks carry, with how many open tasks carry each.",
			Parameters:  json.RawMessage(noArgsSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var none struct{}
				if err := taskwire.DecodeJSON(args, &none); err != nil {
					return nil, err
				}
				tags, err := tasks.Tags(ctx)
				if tags == nil && err == nil {
					tags = []taskwire.Tag{}
				}
				return map[string]any{"tags": tags}, err
			},
		},
		{
			Name:        "rename_tag",
			Description: "Rename a tag on every task that carries it, open and completed (a tag of the new name merges with it). Returns the tag.",
			Parameters:  json.RawMessage(renameTagSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					Tag     string `json:"tag"`
					NewName string `json:"new_name"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				if in.Tag == "" {
					return nil, taskwire.FieldErrorf(taskwire.EINVALID, "tag", "tag is required: the tag to rename")
				}
				tag, err := tasks.RenameTag(ctx, in.Tag, in.NewName)
				if taskwire.ErrorField(err) == "name" {
					err = taskwire.FieldErrorf(taskwire.EINVALID, "new_name", "%s", taskwire.ErrorMessage(err))
				}
				return tag, err
			},
		},
		{
			Name:        "delete_tag",
			Description: "Remove a tag from every task that carries it; the tasks stay.",
			Parameters:  json.RawMessage(tagOnlySchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					Tag string `json:"tag"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				if in.Tag == "" {
					return nil, taskwire.FieldErrorf(taskwire.EINVALID, "tag", "tag is required: the tag to remove")
				}
				if err := tasks.DeleteTag(ctx, in.Tag); err != nil {
					return nil, err
				}
				return map[string]any{"deleted": true, "tag": taskwire.NormalizeTag(in.Tag)}, nil
			},
		},
	}
}

// deleted is the result of delete_task.
type deleted struct {
	Deleted bool      `json:"deleted"`
	TaskID  uuid.UUID `json:"task_id"`
	Number  int64     `json:"number"`
	Title   string    `json:"title"`
}

// trashLimit is how many deleted tasks list_deleted_tasks gives at a time: enough to find
// the one the user means among the latest, few enough to stay small in the conversation.
const trashLimit = 20

// deletedItem is a task of the trash as list_deleted_tasks gives it: enough to name it
// to the user and restore it.
type deletedItem struct {
	Number    int64     `json:"number"`
	TaskID    uuid.UUID `json:"task_id"`
	Title     string    `json:"title"`
	DeletedAt time.Time `json:"deleted_at"`
}

// trashListing is the result of list_deleted_tasks.
type trashListing struct {
	Items      []deletedItem `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// newTrashListing returns page as list_deleted_tasks gives it, each deletion time in its
// task's zone, as the tools give a task's times.
func newTrashListing(page *taskwire.TrashPage) trashListing {
	l := trashListing{Items: make([]deletedItem, len(page.Items)), NextCursor: page.NextCursor}
	for i, d := range page.Items {
		l.Items[i] = deletedItem{Number: d.Task.Number, TaskID: d.Task.ID, Title: d.Task.Title,
			DeletedAt: timeIn(d.DeletedAt, taskwire.LoadZone(d.Task.TimeZone))}
	}
	return l
}

func setStatus(tasks Tasks, status taskwire.Status) func(context.Context, json.RawMessage) (any, error) {
	return byRef(func(ctx context.Context, ref string) (*taskwire.Task, error) {
		return tasks.SetStatus(ctx, ref, "", status)
	})
}

// byRef returns a tool's run that reads arguments holding task_id alone and returns what
// fn makes of that task; a task the user does not have is a not-found naming task_id.
func byRef(fn func(ctx context.Context, ref string) (*taskwire.Task, error)) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, args json.RawMessage) (any, error) {
		ref, err := refOnly(args)
		if err != nil {
			return nil, err
		}
		t, err := fn(ctx, ref)
		return t, notFound(err, ref)
	}
}

// notFound names task_id in a not-found error, which a task of another user also is.
func notFound(err error, ref string) error {
	if taskwire.ErrorCode(err) == taskwire.ENOTFOUND {
		return taskwire.FieldErrorf(taskwire.ENOTFOUND, "task_id", "the user has no task %s", ref)
	}
	return err
}

// splitRef reads an arguments object and returns its task_id as a store reference and
// its other members.
func splitRef(args json.RawMessage) (string, map[string]json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := taskwire.DecodeJSON(args, &doc); err != nil {
		return "", nil, err
	}
	raw, ok := doc["task_id"]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "", nil, taskwire.FieldErrorf(taskwire.EINVALID, "task_id", "task_id is required: the task's number such as 3, or its id")
	}
	delete(doc, "task_id")
	ref, err := parseRef(raw)
	return ref, doc, err
}

// decodeRest decodes the arguments besides task_id into dst, strictly.
func decodeRest(rest map[string]json.RawMessage, dst any) error {
	b, err := json.Marshal(rest)
	if err != nil {
		return fmt.Errorf("encode arguments: %w", err)
	}
	return taskwire.DecodeJSON(b, dst)
}

// checkStep marks step (1 for the first) of the checklist of task ref done or not. It
// writes the list it read, changed, with the task's ETag, and reads it again when
// another change came between (a step ticked in the app meanwhile stays ticked).
func checkStep(ctx context.Context, tasks Tasks, ref string, step int, done bool) (*taskwire.Task, error) {
	for attempt := 1; ; attempt++ {
		t, err := tasks.FindTask(ctx, ref)
		if err != nil {
			return nil, err
		}
		if step < 1 || step > len(t.Checklist) {
			if len(t.Checklist) == 0 {
				return nil, taskwire.FieldErrorf(taskwire.EINVALID, "step", "task %d has no checklist", t.Number)
			}
			return nil, taskwire.FieldErrorf(taskwire.EINVALID, "step", "task %d has %d steps: step must be 1 to %d, got %d",
				t.Number, len(t.Checklist), len(t.Checklist), step)
		}
		if t.Checklist[step-1].Done == done {
			return t, nil
		}
		steps := append([]taskwire.Step(nil), t.Checklist...)
		steps[step-1].Done = done
		patch, err := json.Marshal(map[string]any{"checklist": steps})
		if err != nil {
			return nil, fmt.Errorf("check_step: encode patch: %w", err)
		}
		t, err = tasks.UpdateTask(ctx, t.ID.String(), t.ETag(), patch)
		if taskwire.ErrorCode(err) != taskwire.EPRECONDITION || attempt == 3 {
			return t, err
		}
	}
}

// refOnly reads arguments that hold task_id and nothing else.
func refOnly(args json.RawMessage) (string, error) {
	ref, rest, err := splitRef(args)
	if err != nil {
		return "", err
	}
	for name := range rest {
		return "", taskwire.FieldErrorf(taskwire.EMALFORMED, name, "unknown field %q", name)
	}
	return ref, nil
}

// parseRef reads a task_id: a positive whole number (3, "3", "#3") or a task's uuid.
func parseRef(raw json.RawMessage) (string, error) {
	ref, err := taskwire.ParseTaskRef("task_id", raw)
	if err != nil {
		return "", taskwire.FieldErrorf(taskwire.EINVALID, "task_id", "task_id must be a task's number such as 3, or its id (a UUID), got %s", raw)
	}
	return ref, nil
}

// listArgs are list_tasks' arguments.
type listArgs struct {
	// Filter names a saved filter, whose listing the other arguments change.
	Filter    string     `json:"filter"`
	Status    string     `json:"status"`
	Priority  stringList `json:"priority"`
	Tag       stringList `json:"tag"`
	Q         string     `json:"q"`
	DueBefore string     `json:"due_before"`
	DueAfter  string     `json:"due_after"`
	Due       string     `json:"due"`
	Overdue   *bool      `json:"overdue"`
	// WithOverdue adds the overdue tasks to due's window, as with_overdue does.
	WithOverdue *bool `json:"with_overdue"`
	// CompletedBefore and CompletedAfter bound the completion time, as the REST API's
	// completed_before and completed_after do.
	CompletedBefore string `json:"completed_before"`
	CompletedAfter  string `json:"completed_after"`
	Sort            string `json:"sort"`
	Limit           *int   `json:"limit"`
	Cursor          string `json:"cursor"`
}

// listFilter reads list_tasks' arguments into the filter the REST API's query
// parameters make, with the same rules.
func listFilter(ctx context.Context, users Users, args json.RawMessage) (taskwire.TaskFilter, error) {
	var in listArgs
	if err := taskwire.DecodeJSON(args, &in); err != nil {
		return taskwire.TaskFilter{}, err
	}
	q, err := listQuery(ctx, users, in)
	if err != nil {
		return taskwire.TaskFilter{}, err
	}
	return rest.ParseFilter(q)
}

// listQuery returns the query string of GET /v1/tasks that in asks for: the saved
// filter it names, if any, changed by the arguments it gives.
func listQuery(ctx context.Context, users Users, in listArgs) (url.Values, error) {
	q := url.Values{}
	if in.Filter != "" {
		saved, err := findSavedFilter(ctx, users, "filter", in.Filter)
		if err != nil {
			return nil, err
		}
		if q, err = url.ParseQuery(saved.Query); err != nil {
			return nil, fmt.Errorf("saved filter %q: %w", saved.Name, err)
		}
	}
	set := func(name, v string) {
		if v != "" {
			q.Set(name, v)
		}
	}
	set("status", in.Status)
	if len(in.Priority) > 0 {
		q["priority"] = in.Priority
	}
	if len(in.Tag) > 0 {
		q["tag"] = in.Tag
	}
	set("q", in.Q)
	set("due_before", in.DueBefore)
	set("due_after", in.DueAfter)
	set("due", in.Due)
	if in.Overdue != nil {
		q.Set("overdue", strconv.FormatBool(*in.Overdue))
	}
	if in.WithOverdue != nil {
		q.Set("with_overdue", strconv.FormatBool(*in.WithOverdue))
	}
	set("completed_before", in.CompletedBefore)
	set("completed_after", in.CompletedAfter)
	set("sort", in.Sort)
	if in.Limit != nil {
		q.Set("limit", strconv.Itoa(*in.Limit))
	}
	set("cursor", in.Cursor)
	return q, nil
}

// findSavedFilter returns the user's saved filter called name, whatever its case; none
// is EINVALID naming field, with the names there are.
func findSavedFilter(ctx context.Context, users Users, field, name string) (*taskwire.SavedFilter, error) {
	filters, err := users.SavedFilters(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(filters))
	for _, f := range filters {
		if strings.EqualFold(f.Name, strings.TrimSpace(name)) {
			return f, nil
		}
		names = append(names, strconv.Quote(f.Name))
	}
	if len(names) == 0 {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, field, "no saved filter %q: the user has none", name)
	}
	return nil, taskwire.FieldErrorf(taskwire.EINVALID, field, "no saved filter %q; there are %s", name, strings.Join(names, ", "))
}

// saveFilter saves the listing in asks for under name: a new filter, or the user's
// filter of that name changed.
func saveFilter(ctx context.Context, users Users, args json.RawMessage) (*taskwire.SavedFilter, error) {
	var in struct {
		listArgs
		Name string `json:"name"`
	}
	if err := taskwire.DecodeJSON(args, &in); err != nil {
		return nil, err
	}
	name, err := taskwire.ValidFilterName("name", in.Name)
	if err != nil {
		return nil, err
	}
	q, err := listQuery(ctx, users, in.listArgs)
	if err != nil {
		return nil, err
	}
	query, err := rest.CanonicalFilterQuery("query", q.Encode())
	if err != nil {
		return nil, err
	}
	if have, err := findSavedFilter(ctx, users, "name", name); err == nil {
		return users.UpdateSavedFilter(ctx, have.ID, nil, &query)
	} else if taskwire.ErrorCode(err) != taskwire.EINVALID {
		return nil, err
	}
	return users.CreateSavedFilter(ctx, name, query)
}

// stringList is one string or an array of strings.
type stringList []string

// UnmarshalJSON reads "a" or ["a", "b"].
func (l *stringList) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return &json.UnmarshalTypeError{Value: "other than strings", Type: reflect.TypeFor[[]string]()}
	}
	*l = many
	return nil
}

// The argument schemas. task_id takes a number or a string, so that "task 3" and a uuid
// both work. reschedule_task needs one of due_at or due_date: its run checks that, as
// the function-calling APIs refuse anyOf at a schema's top level.
const (
	taskIDProperty = `"task_id": {"type": ["integer", "string"], "description": "The task's number (as the user says it, e.g. 3) or its id (a UUID)."}`

	taskRefSchema = `{"type": "object", "properties": {` + taskIDProperty + `}, "required": ["task_id"], "additionalProperties": false}`

	moveTaskSchema = `{"type": "object", "properties": {` + taskIDProperty + `,
		"before": {"type": ["integer", "string"], "description": "The task to put it right before: its number or id."},
		"after": {"type": ["integer", "string"], "description": "The task to put it right after: its number or id."},
		"to": {"type": "string", "enum": ["top", "bottom"], "description": "The top or the bottom of all the user's tasks."}},
		"required": ["task_id"], "additionalProperties": false}`

	completeTaskSchema = `{"type": "object", "properties": {` + taskIDProperty + `,
		"end_series": {"type": "boolean", "description": "true makes a recurring task the last of its series: no next occurrence follows."}},
		"required": ["task_id"], "additionalProperties": false}`

	noArgsSchema = `{"type": "object", "properties": {}, "additionalProperties": false}`

	checkStepSchema = `{"type": "object", "properties": {` + taskIDProperty + `,
		"step": {"type": "integer", "minimum": 1, "description": "The step's place in the task's checklist, 1 for the first."},
		"done": {"type": "boolean", "description": "true (the default) ticks it off, false makes it to do again."}},
		"required": ["task_id", "step"], "additionalProperties": false}`

	renameTagSchema = `{"type": "object", "properties": {
		"tag": {"type": "string", "description": "The tag to rename, as list_tags names it."},
		"new_name": {"type": "string", "description": "Its new name: 1 to 50 characters, stored lower-case."}},
		"required": ["tag", "new_name"], "additionalProperties": false}`

	tagOnlySchema = `{"type": "object", "properties": {
		"tag": {"type": "string", "description": "The tag, as list_tags names it."}},
		"required": ["tag"], "additionalProperties": false}`

	listDeletedSchema = `{"type": "object", "properties": {
		"cursor": {"type": "string", "description": "next_cursor of the previous page."}},
		"additionalProperties": false}`

	taskFieldProperties = `
		"title": {"type": "string", "description": "Short title, 1 to 500 characters."},
		"description": {"type": "string", "description": "Longer notes."},
		"priority": {"type": ["string", "null"], "enum": ["none", "low", "medium", "high", "urgent", null], "description": "none when null."},
		"tags": {"type": "array", "items": {"type": "string"}, "description": "Up to 20 tags, stored lower-case."},
		"checklist": {"type": ["array", "null"], "description": "The task's steps in order, up to 100, each {\"text\", \"done\"}. It replaces the whole list: to add a step, send the steps the task has (get_task) and the new one; check_step ticks one off.",
			"items": {"type": "object", "properties": {"text": {"type": "string"}, "done": {"type": "boolean"}}, "required": ["text"], "additionalProperties": false}},
		"due_at": {"type": ["string", "null"], "description": "When it is due: a local time in time_zone, else in the task's zone (the user's for a new task), e.g. 2026-03-06T09:00:00; or RFC 3339 with an offset. Not with due_date."},
		"due_date": {"type": ["string", "null"], "description": "A day, YYYY-MM-DD, for a task due on a day rather than at a time (all-day: due until the day ends in the task's zone); not with due_at."},
		"duration": {"type": ["string", "null"], "description": "How long it takes from its due, for the calendar: ISO 8601 such as PT30M, PT1H30M or P2D (an all-day task's in whole days), at most 31 days; null for none."},
		"time_zone": {"type": "string", "description": "IANA time zone of the task, e.g. Europe/Berlin."},
		"recurrence": {"type": ["string", "null"], "description": "RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO or FREQ=DAILY;COUNT=10; needs due_at or due_date. With due_date, a rule of days only (no FREQ=HOURLY, BYHOUR, BYMINUTE, BYSECOND)."},
		"repeat_from": {"type": "string", "enum": ["schedule", "completion"], "description": "Whether the next occurrence counts from the due date (schedule) or from when it was completed."},
		"reminders": {"type": "array", "description": "Up to 10 reminders: {\"before\": ISO 8601 duration before due_at, e.g. PT1H; for an all-day task before 09:00 on its day, so PT0S is 09:00 that day and P1D 09:00 the day before} or {\"at\": a time, local as due_at or with an offset}.",
			"items": {"type": "object", "properties": {"before": {"type": "string"}, "at": {"type": "string"}}, "additionalProperties": false}}`

	quickAddSchema = `{"type": "object", "properties": {
		"text": {"type": "string", "description": "The task in the user's words, e.g. \"Pay rent every month on the 1st at 9am #home !high remind 1h before\"."},
		"time_zone": {"type": "string", "description": "IANA time zone to read dates in; default: the user's."}
	}, "required": ["text"], "additionalProperties": false}`

	addTaskSchema = `{"type": "object", "properties": {` + taskFieldProperties + `}, "required": ["title"], "additionalProperties": false}`

	updateTaskSchema = `{"type": "object", "properties": {` + taskIDProperty + `,` + taskFieldProperties + `}, "required": ["task_id"], "additionalProperties": false}`

	rescheduleSchema = `{"type": "object", "properties": {` + taskIDProperty + `,
		"due_at": {"type": ["string", "null"], "description": "The new due time: a local time in time_zone, else in the task's zone, e.g. 2026-03-06T09:00:00; or RFC 3339 with an offset; or null for none. Give one of due_at or due_date."},
		"due_date": {"type": ["string", "null"], "description": "The new due day, YYYY-MM-DD, for a task due on a day rather than at a time (all-day); or null for none. Give one of due_at or due_date."},
		"time_zone": {"type": "string", "description": "IANA time zone of the task, e.g. Europe/Berlin."}},
		"required": ["task_id"], "additionalProperties": false}`

	// listProperties are the properties of a listing, which list_tasks takes and
	// save_filter saves.
	listProperties = `
		"status": {"type": "string", "enum": ["all", "pending", "completed"], "description": "Which tasks: pending (not done, the default), completed, or all."},
		"priority": {"type": "array", "items": {"type": "string", "enum": ["none", "low", "medium", "high", "urgent"]}, "description": "Only these priorities."},
		"tag": {"type": "array", "items": {"type": "string"}, "description": "Only tasks carrying every one of these tags."},
		"q": {"type": "string", "description": "Words to search for in titles and descriptions."},
		"due_before": {"type": "string", "description": "Only tasks due before this time: local in the user's zone, e.g. 2026-03-06T00:00:00, or RFC 3339 with an offset."},
		"due_after": {"type": "string", "description": "Only tasks due after this time: local in the user's zone, or RFC 3339 with an offset."},
		"due": {"type": "string", "enum": ["today", "tomorrow", "week", "later", "none"], "description": "Only tasks due on a day of the user's time zone: today, tomorrow, week (today and the six days after), or later (after those); none for tasks without a due date. Simpler and surer than due_before/due_after for \"what's on today?\"; overdue tasks are not in today (ask with overdue, or add them with with_overdue)."},
		"overdue": {"type": "boolean", "description": "Only open tasks whose due time has passed."},
		"with_overdue": {"type": "boolean", "description": "With due today or week: the open tasks overdue before it too, what is left to do (\"what do I have to do today?\")."},
		"completed_after": {"type": "string", "description": "Only tasks completed after this time (what was done since): local in the user's zone, e.g. 2026-03-05T00:00:00, or RFC 3339 with an offset. Lists completed tasks unless status says all."},
		"completed_before": {"type": "string", "description": "Only tasks completed before this time: local in the user's zone, or RFC 3339 with an offset. Lists completed tasks unless status says all."},
		"sort": {"type": "string", "enum": ["created_at", "-created_at", "due_at", "-due_at", "priority", "-priority", "title", "-title", "completed_at", "-completed_at", "position", "-position"], "description": "Order; a leading - reverses it. Default created_at; -completed_at lists what was done, the latest first; position is the user's own order, the one move_task arranges."}`

	listTasksSchema = `{"type": "object", "properties": {
		"filter": {"type": "string", "description": "A saved filter's name (list_filters lists them): its listing, which the other arguments given change."},` + listProperties + `,
		"limit": {"type": "integer", "minimum": 1, "maximum": 200, "description": "At most this many tasks (default 50)."},
		"cursor": {"type": "string", "description": "next_cursor of the previous page."}},
		"additionalProperties": false}`

	saveFilterSchema = `{"type": "object", "properties": {
		"name": {"type": "string", "description": "What the filter is called, such as Work this week: 1 to 50 characters. Saving under a name the user has already changes that filter."},` + listProperties + `},
		"required": ["name"], "additionalProperties": false}`

	filterNameSchema = `{"type": "object", "properties": {
		"name": {"type": "string", "description": "The saved filter's name, as list_filters lists it."}},
		"required": ["name"], "additionalProperties": false}`
)
