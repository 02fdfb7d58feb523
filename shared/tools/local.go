package tools

import (
	"context"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Times the tools take and give are local to a zone. A model told the user's UTC offset
// of today writes that offset into a date after the next DST change as well, an hour
// off; it is better at "9:00 on 5 April" than at which offset that day has. So the tools
// also take a local time without an offset, and they give a task's times with the offset
// of the task's own zone. A task's own times (due_at, a reminder's at) and its day
// (due_date, of an all-day task) are read as the REST API reads them, in the task's zone
// (taskwire.NewTask.FieldsIn, ApplyPatch): the zone the model reads them in. The bounds
// of a listing, which has no task's zone, are read here, in the user's. So are the
// times of list_notifications: a notification carries no zone of its own (its task may
// be gone). A snooze gives its notification, its task and until in the task's zone, the
// zone until was counted in.

// boundFields are list_tasks' arguments that hold a time.
var boundFields = []string{"due_before", "due_after", "completed_before", "completed_after"}

// inLocalTime wraps run: local times in its listing bounds are read in the user's zone
// (readLocal), and the times in its result are given in their zones (inZones).
func inLocalTime(users Users, run func(context.Context, json.RawMessage) (any, error)) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, args json.RawMessage) (any, error) {
		args, err := readLocal(ctx, users, args)
		if err != nil {
			return nil, err
		}
		v, err := run(ctx, args)
		if err != nil {
			return nil, err
		}
		return inZones(ctx, users, v)
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
// of tasks, quick_add's {"task", ...}, or a snooze (its notification and until too, in
// its task's zone); and the times of a listing of notifications in the user's zone.
// Anything else is returned as it is.
func inZones(ctx context.Context, users Users, v any) (any, error) {
	switch v := v.(type) {
	case *taskwire.Task:
		return inZone(v), nil
	case *taskwire.TaskPage:
		if v == nil {
			return v, nil
		}
		page := *v
		page.Items = make([]*taskwire.Task, len(v.Items))
		for i, t := range v.Items {
			page.Items[i] = inZone(t)
		}
		return &page, nil
	case map[string]any:
		if t, ok := v["task"].(*taskwire.Task); ok {
			v["task"] = inZone(t)
		}
	case *taskwire.Snoozed:
		if v == nil || v.Task == nil {
			return v, nil
		}
		loc := taskwire.LoadZone(v.Task.TimeZone)
		s := *v
		s.Task, s.Notification, s.Until = inZone(v.Task), notificationIn(v.Notification, loc), timeIn(v.Until, loc)
		return &s, nil
	case *rest.NotificationPage:
		if v == nil || len(v.Items) == 0 {
			return v, nil // the user's zone is not needed
		}
		zone, err := taskwire.UserZone(ctx, users)
		if err != nil {
			return nil, err
		}
		loc := taskwire.LoadZone(zone)
		l := rest.NotificationPage{Items: make([]*taskwire.Notification, len(v.Items)), NextCursor: v.NextCursor}
		for i, n := range v.Items {
			l.Items[i] = notificationIn(n, loc)
		}
		return &l, nil
	}
	return v, nil
}

// timeIn returns t in loc, or in UTC when it is in the year 10000 there:
// 9999-12-31T23:00Z is in the year 10000 east of UTC, which JSON cannot carry.
func timeIn(t time.Time, loc *time.Location) time.Time {
	if v := t.In(loc); v.Year() <= 9999 {
		return v
	}
	return t.UTC()
}

// timeInPtr is timeIn of a time that may be absent.
func timeInPtr(p *time.Time, loc *time.Location) *time.Time {
	if p == nil {
		return nil
	}
	v := timeIn(*p, loc)
	return &v
}

// notificationIn returns a copy of n with its times in loc.
func notificationIn(n *taskwire.Notification, loc *time.Location) *taskwire.Notification {
	if n == nil {
		return n
	}
	c := *n
	c.DueAt, c.ReadAt = timeInPtr(n.DueAt, loc), timeInPtr(n.ReadAt, loc)
	c.RemindAt, c.CreatedAt = timeIn(n.RemindAt, loc), timeIn(n.CreatedAt, loc)
	return &c
}

// inZone returns a copy of t with its times in its zone.
func inZone(t *taskwire.Task) *taskwire.Task {
	if t == nil {
		return t
	}
	loc := taskwire.LoadZone(t.TimeZone)
	c := *t
	c.DueAt, c.CompletedAt = timeInPtr(t.DueAt, loc), timeInPtr(t.CompletedAt, loc)
	c.CreatedAt, c.UpdatedAt = timeIn(t.CreatedAt, loc), timeIn(t.UpdatedAt, loc)
	c.Reminders = make([]taskwire.Reminder, len(t.Reminders))
	for i, r := range t.Reminders {
		r.At, r.FireAt = timeInPtr(r.At, loc), timeInPtr(r.FireAt, loc)
		c.Reminders[i] = r
	}
	return &c
}
