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
// also take a local time without an offset, read in the arguments' time_zone or else the
// user's zone with the offset that zone has on that date, and they give a task's times
// with the offset of the task's own zone.

// timeFields are the arguments that hold a time.
var timeFields = []string{"due_at", "due_before", "due_after"}

// inLocalTime wraps run: local times in its arguments are read in their zone (readLocal),
// and the tasks in its result are given in their own zones (inZones).
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

// readLocal returns args with every local time of a time field (and of a reminder's at)
// made an RFC 3339 time in the zone: the arguments' time_zone when it is one, else the
// user's. Arguments that cannot be read (not an object, not UTF-8) are returned as they
// are, for the tool to refuse.
func readLocal(ctx context.Context, users Users, args json.RawMessage) (json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if !utf8.Valid(args) || json.Unmarshal(args, &doc) != nil || doc == nil {
		return args, nil
	}
	var loc *time.Location
	zone := func() (*time.Location, error) {
		if loc != nil {
			return loc, nil
		}
		var tz string
		if json.Unmarshal(doc["time_zone"], &tz) == nil && tz != "" {
			if _, err := taskwire.ValidTimeZone("time_zone", tz); err != nil {
				return nil, err
			}
		} else {
			me, err := users.FindMe(ctx)
			if err != nil {
				return nil, err
			}
			tz = me.TimeZone
		}
		loc = taskwire.LoadZone(tz)
		return loc, nil
	}
	changed := false
	convert := func(raw json.RawMessage) (json.RawMessage, error) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return raw, nil
		}
		wall, ok := taskwire.ParseLocalTime(s)
		if !ok {
			return raw, nil
		}
		l, err := zone()
		if err != nil {
			return nil, err
		}
		changed = true
		return json.Marshal(recur.Resolve(wall, l).Format(time.RFC3339))
	}
	for _, name := range timeFields {
		if raw, ok := doc[name]; ok {
			var err error
			if doc[name], err = convert(raw); err != nil {
				return nil, err
			}
		}
	}
	var reminders []map[string]json.RawMessage
	if raw, ok := doc["reminders"]; ok && json.Unmarshal(raw, &reminders) == nil {
		for _, r := range reminders {
			if raw, ok := r["at"]; ok {
				var err error
				if r["at"], err = convert(raw); err != nil {
					return nil, err
				}
			}
		}
		if changed {
			doc["reminders"], _ = json.Marshal(reminders) // decoded JSON always encodes again
		}
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
