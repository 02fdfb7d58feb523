package taskwire

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The actions of a bulk request: what it does to every task it names.
const (
	BulkComplete = "complete" // as POST /v1/tasks/{id}/complete
	BulkReopen   = "reopen"   // as POST /v1/tasks/{id}/reopen
	BulkDelete   = "delete"   // into the trash, as DELETE /v1/tasks/{id}
	BulkUpdate   = "update"   // a merge patch, and tags added and taken off
	// BulkReschedule makes every task due on one day, at the time of day it has (in its
	// zone), or all day when it has none.
	BulkReschedule = "reschedule"
	BulkRestore    = "restore" // back from the trash, as POST /v1/tasks/{id}/restore
)

// MaxBulk bounds the tasks one bulk request names: a page of the list at its largest.
const MaxBulk = MaxLimit

// Bulk is one action on several of the user's tasks (POST /v1/tasks/bulk), which changes
// all of them or none.
type Bulk struct {
	Tasks  []string // each task's uuid or number as a path names it, as the body lists them
	Action string
	// Patch is the update's JSON Merge Patch, as PATCH /v1/tasks/{id} takes it; nil for
	// none.
	Patch []byte
	// AddTags and RemoveTags are tags the update puts on and takes off every task, after
	// the patch: lower-case, each once.
	AddTags, RemoveTags []string
	// Date is the day a reschedule moves the tasks to, YYYY-MM-DD.
	Date string
}

// bulkInput is a bulk request's body.
type bulkInput struct {
	Tasks      []json.RawMessage `json:"tasks"`
	Action     string            `json:"action"`
	Patch      json.RawMessage   `json:"patch"`
	AddTags    []string          `json:"add_tags"`
	RemoveTags []string          `json:"remove_tags"`
	Date       *string           `json:"date"`
}

// DecodeBulk reads a bulk request's body: {"tasks": [12, "0193…"], "action": "complete"},
// or an update with "patch", "add_tags" or "remove_tags". Every error names its field
// (tasks[2], patch.priority, add_tags[0]); a patch member that depends on the task (a
// due_date needs a zone) is checked as each task takes it.
func DecodeBulk(body []byte) (Bulk, error) {
	var in bulkInput
	if err := DecodeJSON(body, &in); err != nil {
		return Bulk{}, err
	}
	var b Bulk
	switch n := len(in.Tasks); {
	case in.Tasks == nil:
		return Bulk{}, FieldErrorf(EMALFORMED, "tasks", "tasks must list the tasks to change, by number or uuid")
	case n == 0:
		return Bulk{}, FieldErrorf(EINVALID, "tasks", "tasks is empty: name at least one task")
	case n > MaxBulk:
		return Bulk{}, FieldErrorf(EINVALID, "tasks", "at most %d tasks at once, got %d", MaxBulk, n)
	}
	for i, raw := range in.Tasks {
		ref, err := ParseTaskRef(fmt.Sprintf("tasks[%d]", i), raw)
		if err != nil {
			return Bulk{}, err
		}
		b.Tasks = append(b.Tasks, ref)
	}
	b.Action = in.Action
	switch in.Action {
	case BulkComplete, BulkReopen, BulkDelete, BulkUpdate, BulkReschedule, BulkRestore:
	case "":
		return Bulk{}, FieldErrorf(EMALFORMED, "action", "action must be complete, reopen, delete, update, reschedule or restore")
	default:
		return Bulk{}, FieldErrorf(EINVALID, "action", "action must be complete, reopen, delete, update, reschedule or restore, got %q", in.Action)
	}
	for _, given := range []struct {
		field, action string
		set           bool
	}{{"patch", BulkUpdate, in.Patch != nil}, {"add_tags", BulkUpdate, in.AddTags != nil},
		{"remove_tags", BulkUpdate, in.RemoveTags != nil}, {"date", BulkReschedule, in.Date != nil}} {
		if given.set && in.Action != given.action {
			return Bulk{}, FieldErrorf(EINVALID, given.field, "%s goes with the action %s, not %s", given.field, given.action, in.Action)
		}
	}
	switch in.Action {
	case BulkReschedule:
		if in.Date == nil {
			return Bulk{}, FieldErrorf(EINVALID, "date", "a reschedule needs the date, a day such as 2026-03-01")
		}
		if _, err := time.Parse(DateLayout, *in.Date); err != nil {
			return Bulk{}, FieldErrorf(EINVALID, "date", "date must be a day such as 2026-03-01, got %q", *in.Date)
		}
		b.Date = *in.Date
		return b, nil
	case BulkUpdate:
	default:
		return b, nil
	}
	if in.Patch == nil && in.AddTags == nil && in.RemoveTags == nil {
		return Bulk{}, FieldErrorf(EINVALID, "patch", "an update needs a patch, add_tags or remove_tags")
	}
	if in.Patch != nil {
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(in.Patch, &doc); err != nil || doc == nil {
			return Bulk{}, FieldErrorf(EMALFORMED, "patch", "patch must be a JSON object, as PATCH /v1/tasks/{id} takes")
		}
		for _, name := range sortedKeys(doc) {
			if !patchFields[name] {
				return Bulk{}, FieldErrorf(EMALFORMED, "patch."+name, "unknown field %q", name)
			}
		}
		b.Patch = in.Patch
	}
	var err error
	if b.AddTags, err = bulkTags("add_tags", in.AddTags); err != nil {
		return Bulk{}, err
	}
	if b.RemoveTags, err = bulkTags("remove_tags", in.RemoveTags); err != nil {
		return Bulk{}, err
	}
	return b, nil
}

// bulkTags returns tags, the list of field, lower-case and each once.
func bulkTags(field string, tags []string) ([]string, error) {
	if len(tags) > MaxTags {
		return nil, FieldErrorf(EINVALID, field, "at most %d tags, got %d", MaxTags, len(tags))
	}
	var out []string
	for i, t := range tags {
		t, err := ParseTag(fmt.Sprintf("%s[%d]", field, i), t)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Apply returns the fields of a task after the bulk's action, but delete and restore (cur is the
// task's, number its number): its status; its update's patch, then the tags added and
// taken off; or its due on the reschedule's day. A change the task refuses is the
// request's error, its field under patch (or date) and its message naming the task.
func (b Bulk) Apply(cur TaskFields, number int64) (TaskFields, error) {
	switch b.Action {
	case BulkComplete:
		cur.Status = StatusCompleted
		return cur, nil
	case BulkReopen:
		cur.Status = StatusOpen
		return cur, nil
	case BulkReschedule:
		// The day as a patch gives it: a local time is read in the task's zone (a time a
		// DST change skips moves forward), and the reminders follow the due.
		patch := fmt.Sprintf(`{"due_date": %q}`, b.Date)
		if cur.DueAt != nil && !cur.AllDay {
			clock := cur.DueAt.In(LoadZone(cur.TimeZone)).Format("15:04:05.999999")
			patch = fmt.Sprintf(`{"due_at": %q}`, b.Date+"T"+clock)
		}
		f, err := ApplyPatch(cur, []byte(patch))
		return f, taskError(err, "date", number)
	case BulkUpdate:
	default:
		return cur, Errorf(EINVALID, "a bulk %s changes no fields", b.Action)
	}
	f := cur
	if b.Patch != nil {
		var err error
		if f, err = ApplyPatch(cur, b.Patch); err != nil {
			return cur, taskError(err, "patch", number)
		}
	}
	if b.AddTags == nil && b.RemoveTags == nil {
		return f, nil
	}
	tags := slices.Clone(f.Tags)
	for _, t := range b.AddTags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	tags = slices.DeleteFunc(tags, func(t string) bool { return slices.Contains(b.RemoveTags, t) })
	if len(tags) > MaxTags {
		return cur, FieldErrorf(EINVALID, "add_tags", "task %d would have %d tags; a task has at most %d", number, len(tags), MaxTags)
	}
	f.Tags = tags
	return f, nil
}

// taskError returns err, an error of the change of task number, as the bulk request's:
// its field under field (or field itself) and its message naming the task.
func taskError(err error, field string, number int64) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	if e.Field != "" && field == "patch" {
		field += "." + e.Field
	}
	return FieldErrorf(e.Code, field, "task %d: %s", number, e.Message)
}
