package tools

import (
	"context"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Times the tools take and give are local to a zone. A model told the user's UTC offset
// of today writes that offset into a date after the next DST change as well, an hour
// off; it is better at "9:00 on 5 April" than at which offset that day has. So the tools
// also take a local time without an offset, and they give a task's times with the offset
// of the task's own zone. A task's own times (due_at, a reminder's at) are read as the
// REST API reads them, in the task's zone (taskwire.NewTask.FieldsIn, ApplyPatch): the
// zone the model reads them in. The bounds of a listing, which has no task's zone, are
// read here, in the user's.

// boundFields are list_tasks' arguments that hold a time.
var boundFields = []string{"due_before", "due_after"}

// inLocalTime wraps run: local times in its listing bounds are read in the user's zone
// (readLocal), and the tasks in its result are given in their own zones (inZones).
func inLocalTime(users Users, run func(context.Context, json.RawMessage) (any, error)) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, args json.RawMessage) (any, error) {
		args, err := readLocal(ctx, users, args)
		if err != nil {
			return nil, err
		}
		v, err := run(ctx, args)
		return inZones(v), err
	}
}

// readLocal returns args with every local time of a bound field made an RFC 3339 time in
// the user's zone. Arguments that cannot be read (not an object, not UTF-8) are returned
// as they are, for the tool to refuse.
func readLocal(ctx context.Context, users Users, args json.RawMessage) (json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if !utf8.Valid(args) || json.Unmarshal(args, &doc) != nil || doc == nil {
		return args, nil
	}
	var loc *time.Location
	changed := false
	for _, name := range boundFields {
		var s string
		if json.Unmarshal(doc[name], &s) != nil {
			continue
		}
		wall, ok := taskwire.ParseLocalTime(s)
		if !ok {
			continue
		}
		if loc == nil {
			zone, err := taskwire.UserZone(ctx, users)
			if err != nil {
				return nil, err
			}
			loc = taskwire.LoadZone(zone)
		}
		doc[name], _ = json.Marshal(recur.Resolve(wall, loc).Format(time.RFC3339))
		changed = true
	}
	if !changed {
		return args, nil
	}
	out, _ := json.Marshal(doc)
	return out, nil
}

// inZones returns v with the times of its tasks in each task's own zone: a task, a page
// of tasks, or quick_add's {"task", ...}. Anything else is returned as it is.
func inZones(v any) any {
	switch v := v.(type) {
	case *taskwire.Task:
		return inZone(v)
	case *taskwire.TaskPage:
		if v == nil {
			return v
		}
		page := *v
		page.Items = make([]*taskwire.Task, len(v.Items))
		for i, t := range v.Items {
			page.Items[i] = inZone(t)
		}
		return &page
	case map[string]any:
		if t, ok := v["task"].(*taskwire.Task); ok {
			v["task"] = inZone(t)
		}
	}
	return v
}

// inZone returns a copy of t with its times in its zone.
func inZone(t *taskwire.Task) *taskwire.Task {
	if t == nil {
		return t
	}
	loc := taskwire.LoadZone(t.TimeZone)
	in := func(p *time.Time) *time.Time {
		if p == nil {
			return nil
		}
		v := p.In(loc)
		if v.Year() > 9999 {
			// 9999-12-31T23:00Z is in the year 10000 east of UTC, which JSON cannot
			// carry; such a time stays in UTC.
			v = p.UTC()
		}
		return &v
	}
	c := *t
	c.DueAt, c.CompletedAt = in(t.DueAt), in(t.CompletedAt)
	c.CreatedAt, c.UpdatedAt = t.CreatedAt.In(loc), t.UpdatedAt.In(loc)
	c.Reminders = make([]taskwire.Reminder, len(t.Reminders))
	for i, r := range t.Reminders {
		r.At, r.FireAt = in(r.At), in(r.FireAt)
		c.Reminders[i] = r
	}
	return &c
}
