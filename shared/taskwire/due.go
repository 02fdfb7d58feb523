package taskwire

import (
	"time"

	"github.com/google/uuid"

	"github.com/taskwire/taskwire/shared/recur"
)

// DateLayout is how a day is written: due_date, and dates in the API.
const DateLayout = "2006-01-02"

// AllDayReminderTime is the time of day, on an all-day task's day, that its reminders
// count back from: "PT0S" fires at 09:00 that day, "P1D" at 09:00 the day before, as
// calendars remind of all-day events.
const AllDayReminderTime = 9 * time.Hour

// EndOfDay returns the last second of the given day in loc: the due_at of a task due on
// that day, after which it is overdue. The day's end is the next day's start, which a DST
// change at midnight may move (recur.Resolve), less a second.
func EndOfDay(day time.Time, loc *time.Location) time.Time {
	next := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, time.UTC)
	return recur.Resolve(next, loc).Add(-time.Second).UTC()
}

// DayOf returns the day, in loc, of an all-day task's due_at: midnight of that date in
// UTC, whose fields are the day's.
func DayOf(due time.Time, loc *time.Location) time.Time {
	y, m, d := due.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DueDate returns the due_date of a task due at due in zone tz: the day written out
// when the task is all-day, else nil.
func DueDate(due *time.Time, tz string, allDay bool) *string {
	if due == nil || !allDay {
		return nil
	}
	s := DayOf(*due, LoadZone(tz)).Format(DateLayout)
	return &s
}

// DurationOf returns the duration of a task with fields f as a task holds it: nil for none.
func DurationOf(f TaskFields) *string {
	if f.Duration == "" {
		return nil
	}
	d := f.Duration
	return &d
}

// reminderAnchor returns what a relative reminder of a task due at due counts back from:
// due itself, or, for an all-day task, AllDayReminderTime on its day.
func reminderAnchor(due time.Time, loc *time.Location, allDay bool) time.Time {
	if !allDay {
		return due
	}
	day := DayOf(due, loc)
	return recur.Resolve(day.Add(AllDayReminderTime), loc)
}

// parseDueDate reads a due_date, a day such as 2026-03-01, and returns the due_at of a
// task due on it in zone tz; tz "" refuses it, as a local time is refused.
func parseDueDate(field, s, tz string) (*time.Time, error) {
	day, err := time.Parse(DateLayout, s)
	if err != nil {
		return nil, FieldErrorf(EINVALID, field, "%s must be a day such as 2026-03-01, got %q", field, s)
	}
	if tz == "" {
		return nil, FieldErrorf(EINVALID, field, "%s %q is a day in the task's time_zone: give the time_zone", field, s)
	}
	return inRange(field, EndOfDay(day, LoadZone(tz)))
}

// MovedTo returns the fields of task t moved to zone to with its local times kept, as a
// user who moved to that zone (or had set the wrong one) means them: a timed due at the
// same time of day on the same date there (recur.Resolve: a time a DST change skips moves
// forward by the gap, a repeated one is the first), an all-day task on the same day, and
// a reminder at a time of its own that is still to come at now at the same local time;
// relative reminders follow the due, and one at a time that has come stays (a moved one
// is a new reminder, with a new id, as a patch makes it), and a series ending at a UTC
// time ends at that local time there (recur.Moved). It reports false when the task
// stays as it is: in zone to already, or a time that would leave the years a task holds.
func (t *Task) MovedTo(to string, now time.Time) (TaskFields, bool) {
	f := t.Fields()
	if t.TimeZone == to {
		return f, false
	}
	from, loc := LoadZone(t.TimeZone), LoadZone(to)
	// in returns when the time at in the old zone comes in the new one.
	in := func(at time.Time) (*time.Time, error) { return inRange("time", recur.Resolve(at.In(from), loc)) }
	f.TimeZone = to
	if f.Recurrence != "" {
		f.Recurrence = recur.Moved(f.Recurrence, from, loc)
	}
	if t.DueAt != nil {
		var err error
		if f.AllDay {
			f.DueAt, err = inRange("due_date", EndOfDay(DayOf(*t.DueAt, from), loc))
		} else {
			f.DueAt, err = in(*t.DueAt)
		}
		if err != nil {
			return t.Fields(), false
		}
	}
	for i, r := range f.Reminders {
		if r.At == nil || !r.At.After(now) {
			continue
		}
		at, err := in(*r.At)
		if err != nil {
			return t.Fields(), false
		}
		f.Reminders[i].At, f.Reminders[i].ID = at, uuid.Nil // another reminder, as a patch makes it
	}
	return f, true
}
