package calendar

import (
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/taskwire/taskwire/shared/ical"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Taskwire's own properties of a VTODO, for what RFC 5545 cannot say and Taskwire's import
// reads back: the task's zone (a DATE, or a UTC time, has none), that a series repeats
// from the completion, and how long a task takes from its due (a VTODO's DURATION counts
// from a DTSTART).
const (
	PropTimeZone   = "X-TASKWIRE-TIME-ZONE"
	PropRepeatFrom = "X-TASKWIRE-REPEAT-FROM"
	PropDuration   = "X-TASKWIRE-DURATION"
)

// Todos writes tasks as an iCalendar file of VTODOs, for the apps that keep tasks in it
// (Thunderbird, Nextcloud Tasks, Apple Reminders through CalDAV, Tasks.org): NewTodos
// starts it, Add writes each task, Close ends it. Each step of a task's checklist is a
// VTODO of its own RELATED-TO the task, as those apps write sub-tasks.
type Todos struct {
	w     *ical.Writer
	stamp string               // when the file was written, each VTODO's DTSTAMP
	zones map[string]time.Time // the zones of the times written, each from its earliest
}

// NewTodos starts the file on out, written at now.
func NewTodos(out io.Writer, now time.Time) *Todos {
	w := ical.NewWriter(out)
	w.Line("BEGIN", "VCALENDAR")
	w.Line("VERSION", "2.0")
	w.Line("PRODID", prodID)
	w.Line("CALSCALE", "GREGORIAN")
	return &Todos{w: w, stamp: ical.UTCTime(now), zones: map[string]time.Time{}}
}

// Add writes t, the occurrence at position index of its series (1 for a task that does
// not repeat): its title, description, tags, priority, status and times; its due (a day,
// or a time in its zone) with a DTSTART at the due when it repeats, for the rule to count
// from; its rule (COUNT what is left of the series from this occurrence on, as the feed
// writes it); its reminders as alarms, a reminder before the due counted back from the
// due (an all-day task's from 09:00 on its day, written from the day's start as calendars
// count); then its steps.
func (f *Todos) Add(t *taskwire.Task, index int) {
	w := f.w
	uid := t.ID.String() + "@taskwire"
	w.Line("BEGIN", "VTODO")
	w.Line("UID", uid)
	w.Line("DTSTAMP", f.stamp)
	w.Line("CREATED", ical.UTCTime(t.CreatedAt))
	w.Line("LAST-MODIFIED", ical.UTCTime(t.UpdatedAt))
	w.Line("SEQUENCE", strconv.Itoa(int(max(t.Version-1, 0))))
	w.Text("SUMMARY", t.Title)
	if t.Description != "" {
		w.Text("DESCRIPTION", t.Description)
	}
	if len(t.Tags) > 0 {
		w.TextList("CATEGORIES", t.Tags)
	}
	if p := priority(t.Priority); p > 0 {
		w.Line("PRIORITY", strconv.Itoa(p))
	}
	if t.Status == taskwire.StatusCompleted {
		w.Line("STATUS", "COMPLETED")
		w.Line("PERCENT-COMPLETE", "100")
		if t.CompletedAt != nil {
			w.Line("COMPLETED", ical.UTCTime(*t.CompletedAt))
		}
	} else {
		w.Line("STATUS", "NEEDS-ACTION")
	}
	w.Line(PropTimeZone, t.TimeZone)
	if t.DueAt != nil {
		f.due(t, index)
	}
	if t.Duration != nil {
		w.Line(PropDuration, *t.Duration)
	}
	for _, r := range t.Reminders {
		writeAlarm(w, t, r, "END") // from the DUE; an all-day task's DATE is its day's start
	}
	w.Line("END", "VTODO")
	for i, step := range t.Checklist {
		w.Line("BEGIN", "VTODO")
		w.Line("UID", t.ID.String()+"-step-"+strconv.Itoa(i+1)+"@taskwire")
		w.Line("DTSTAMP", f.stamp)
		w.Text("SUMMARY", step.Text)
		w.Line("RELATED-TO", uid, "RELTYPE=PARENT")
		if step.Done {
			w.Line("STATUS", "COMPLETED")
		} else {
			w.Line("STATUS", "NEEDS-ACTION")
		}
		w.Line("END", "VTODO")
	}
}

// due writes t's DUE, and with a rule its DTSTART and RRULE, counted from t's place index
// in its series.
func (f *Todos) due(t *taskwire.Task, index int) {
	w := f.w
	loc := taskwire.LoadZone(t.TimeZone)
	allDay := t.DueDate != nil
	var value string
	var params []string
	switch {
	case allDay:
		value, params = ical.Date(taskwire.DayOf(*t.DueAt, loc)), []string{"VALUE=DATE"}
	case loc == time.UTC:
		value = ical.UTCTime(*t.DueAt)
	default:
		value, params = ical.LocalTime(*t.DueAt, loc), []string{"TZID=" + loc.String()}
		if first, ok := f.zones[loc.String()]; !ok || t.DueAt.Before(first) {
			f.zones[loc.String()] = *t.DueAt
		}
	}
	w.Line("DUE", value, params...)
	if t.Recurrence == nil {
		return
	}
	if rule, ok := calendarRule(t, loc, index); ok {
		w.Line("DTSTART", value, params...)
		w.Line("RRULE", rule)
		if t.RepeatFrom == taskwire.RepeatFromCompletion {
			w.Line(PropRepeatFrom, "COMPLETION")
		}
	}
}

// Close writes a VTIMEZONE for each zone the tasks' times were written in, which RFC 5545
// lets a calendar hold after the components that name it (the file is written as the
// tasks are read, and their zones are known only then), ends the calendar and writes out
// what is buffered; it returns the first error of any write.
func (f *Todos) Close() error {
	for _, zone := range slices.Sorted(maps.Keys(f.zones)) {
		f.w.Timezone(taskwire.LoadZone(zone), f.zones[zone])
	}
	f.w.Line("END", "VCALENDAR")
	return f.w.Flush()
}
