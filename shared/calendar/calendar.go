// Package calendar writes a user's open tasks as an iCalendar feed (RFC 5545) for calendar
// apps to subscribe to: each task that has a due time is an event at that time in the
// task's own zone, and each all-day task an all-day event on its day, repeating as its
// rule says, with its reminders as alarms.
package calendar

import (
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/ical"
	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// ContentType is the media type of a feed.
const ContentType = "text/calendar; charset=utf-8"

// Format names what a Feed writes for the same tasks. It goes into the feed's ETag, so it
// changes whenever the output does (TestFormat holds the output of each), and calendar
// apps that kept a feed read it anew.
const Format = "4" // 2: all-day tasks as all-day events; 3: the checklist in DESCRIPTION; 4: durations

// Refresh is how often the feed asks calendar apps to read it again; many read it less
// often whatever it asks (Google Calendar: every several hours).
const Refresh = "PT1H"

// prodID names the program that wrote the feed, as RFC 5545 requires.
const prodID = "-//Taskwire//Taskwire tasks//EN"

// Feed writes one calendar: NewFeed starts it, Add writes each task, Close ends it.
type Feed struct {
	w     *ical.Writer
	zones map[string]time.Time // those with a VTIMEZONE
	stamp string               // when the feed was written, each event's DTSTAMP
}

// NewFeed starts a calendar named name on out, written at now, with a VTIMEZONE for each
// zone of zones that covers its times from the earliest due time zones gives for it on.
// Every zone of the tasks Add is given must be in zones; UTC needs none.
func NewFeed(out io.Writer, name string, now time.Time, zones map[string]time.Time) *Feed {
	w := ical.NewWriter(out)
	w.Line("BEGIN", "VCALENDAR")
	w.Line("VERSION", "2.0")
	w.Line("PRODID", prodID)
	w.Line("CALSCALE", "GREGORIAN")
	w.Line("METHOD", "PUBLISH")
	w.Text("NAME", name) // RFC 7986
	w.Text("X-WR-CALNAME", name)
	w.Line("REFRESH-INTERVAL", Refresh, "VALUE=DURATION") // RFC 7986
	w.Line("X-PUBLISHED-TTL", Refresh)
	for _, zone := range slices.Sorted(maps.Keys(zones)) {
		if loc := taskwire.LoadZone(zone); loc != time.UTC { // UTC's times are written as such ("…Z")
			w.Timezone(loc, zones[zone])
		}
	}
	return &Feed{w: w, zones: zones, stamp: ical.UTCTime(now)}
}

// Add writes t as an event. A task without a due time is no event and is left out. An
// all-day task is an all-day event: its day as a DATE, which needs no VTIMEZONE.
func (f *Feed) Add(t taskwire.SeriesTask) {
	if t.DueAt == nil {
		return
	}
	w := f.w
	loc := taskwire.LoadZone(t.TimeZone)
	allDay := t.DueDate != nil
	w.Line("BEGIN", "VEVENT")
	w.Line("UID", t.ID.String()+"@taskwire")
	// With METHOD:PUBLISH, DTSTAMP is when this calendar was written (RFC 5545, 3.8.7.2);
	// when the task last changed is LAST-MODIFIED.
	w.Line("DTSTAMP", f.stamp)
	_, described := f.zones[t.TimeZone]
	length, long := lengthOf(t.Task)
	switch {
	case allDay:
		// A DATE without DTEND is an event of that one day (RFC 5545, 3.6.1); a task of
		// several days ends (exclusively) that many days on.
		day := taskwire.DayOf(*t.DueAt, loc)
		w.Line("DTSTART", ical.Date(day), "VALUE=DATE")
		if long {
			w.Line("DTEND", ical.Date(day.AddDate(0, 0, length.Weeks*7+length.Days)), "VALUE=DATE")
		}
	case loc == time.UTC || !described:
		// A task moved into a zone after NewFeed read them all has no VTIMEZONE: its time
		// is written in UTC, and it repeats on the next read of the feed.
		w.Line("DTSTART", ical.UTCTime(*t.DueAt))
	default:
		w.Line("DTSTART", ical.LocalTime(*t.DueAt, loc), "TZID="+loc.String())
	}
	if long && !allDay {
		// Days nominal, as the task counts them: P1D from 09:00 ends at 09:00 the next day.
		w.Line("DURATION", duration(length))
	}
	// A due time alone is a moment, not a stretch of time: no end, and it keeps nobody
	// busy; nor does a task due on a day. A task that says how long it takes is time set
	// aside for it, from its due: busy.
	if long {
		w.Line("TRANSP", "OPAQUE")
	} else {
		w.Line("TRANSP", "TRANSPARENT")
	}
	w.Text("SUMMARY", t.Title)
	if d := description(t.Task); d != "" {
		w.Text("DESCRIPTION", d)
	}
	if len(t.Tags) > 0 {
		w.TextList("CATEGORIES", t.Tags)
	}
	if p := priority(t.Priority); p > 0 {
		w.Line("PRIORITY", strconv.Itoa(p))
	}
	// Repeating from the completion, the next occurrence is not known until this one is
	// done: the event is this occurrence alone. An all-day task's rule runs on its days,
	// which need no VTIMEZONE.
	if t.Recurrence != nil && t.RepeatFrom != taskwire.RepeatFromCompletion && (allDay || described || loc == time.UTC) {
		if rule, ok := calendarRule(t.Task, loc, t.Index); ok {
			w.Line("RRULE", rule)
		}
	}
	w.Line("CREATED", ical.UTCTime(t.CreatedAt))
	w.Line("LAST-MODIFIED", ical.UTCTime(t.UpdatedAt))
	w.Line("SEQUENCE", strconv.Itoa(int(max(t.Version-1, 0))))
	for _, r := range t.Reminders {
		// Relative to the event's start, which a repeating event's every occurrence has,
		// as the task's next occurrences will.
		writeAlarm(w, t.Task, r, "")
	}
	w.Line("END", "VEVENT")
}

// calendarRule returns t's rule as a calendar reads it from the occurrence at position
// index of its series on (recur.ForCalendar), an all-day task's as a series of days.
func calendarRule(t *taskwire.Task, loc *time.Location, index int) (string, bool) {
	if t.DueDate != nil {
		return recur.ForCalendarDays(*t.Recurrence, loc, index)
	}
	return recur.ForCalendar(*t.Recurrence, loc, index)
}

// writeAlarm writes reminder r of task t as a VALARM that shows the task's title. A
// reminder before the due is a trigger counted back from it, which related names as
// RFC 5545's RELATED does ("" for the component's start, an event's; "END" for a to-do's
// DUE); an all-day task's reminders count back from taskwire.AllDayReminderTime on its
// day, and its day starts at 00:00, so a reminder d before is a trigger of that time less
// d after the day's start (see dayTrigger). A reminder at a time is that time, for this
// occurrence alone. A reminder before a task without a due is left out.
func writeAlarm(w *ical.Writer, t *taskwire.Task, r taskwire.Reminder, related string) {
	var trigger string
	var params []string
	switch {
	case r.Before != "" && t.DueAt != nil:
		d, err := taskwire.ParseDuration(r.Before)
		if err != nil {
			return // stored reminders were read when they were written
		}
		if trigger = "-" + duration(d); t.DueDate != nil {
			trigger = dayTrigger(d)
		}
		if related != "" {
			params = []string{"RELATED=" + related}
		}
	case r.At != nil:
		trigger, params = ical.UTCTime(*r.At), []string{"VALUE=DATE-TIME"}
	default:
		return
	}
	w.Line("BEGIN", "VALARM")
	w.Line("UID", r.ID.String()+"@taskwire") // RFC 9074
	w.Line("ACTION", "DISPLAY")
	w.Text("DESCRIPTION", t.Title)
	w.Line("TRIGGER", trigger, params...)
	w.Line("END", "VALARM")
}

// Close ends the calendar and writes out what is buffered; it returns the first error
// of any write.
func (f *Feed) Close() error {
	f.w.Line("END", "VCALENDAR")
	return f.w.Flush()
}

// lengthOf returns how long t takes, and whether it says.
func lengthOf(t *taskwire.Task) (taskwire.Duration, bool) {
	if t.Duration == nil {
		return taskwire.Duration{}, false
	}
	d, err := taskwire.ParseDuration(*t.Duration)
	return d, err == nil
}

// duration writes d as an RFC 5545 duration, whose weeks stand alone ("P2W") and whose
// days, as d's, are nominal: a day before 09:00 is 09:00 the day before, across DST too.
func duration(d taskwire.Duration) string {
	if d.Days == 0 && d.Hours == 0 && d.Minutes == 0 && d.Seconds == 0 {
		if d.Weeks == 0 {
			return "PT0S"
		}
		return "P" + strconv.Itoa(d.Weeks) + "W"
	}
	s := "P"
	if days := d.Weeks*7 + d.Days; days > 0 {
		s += strconv.Itoa(days) + "D"
	}
	if d.Hours > 0 || d.Minutes > 0 || d.Seconds > 0 {
		s += "T"
		if d.Hours > 0 {
			s += strconv.Itoa(d.Hours) + "H"
		}
		if d.Minutes > 0 || d.Hours > 0 && d.Seconds > 0 { // "PT1H0M30S": no seconds straight after hours
			s += strconv.Itoa(d.Minutes) + "M"
		}
		if d.Seconds > 0 {
			s += strconv.Itoa(d.Seconds) + "S"
		}
	}
	return s
}

// dayTrigger returns the trigger, relative to the start of an all-day event (its day's
// 00:00), of a reminder d before taskwire.AllDayReminderTime on that day: that time less
// d, signed as RFC 5545 signs a duration ("PT8H", "-PT15H", "-P6DT15H"). d's days stay
// nominal days, and its hours, minutes and seconds are counted off the time of day.
func dayTrigger(d taskwire.Duration) string {
	days := d.Weeks*7 + d.Days
	secs := int(taskwire.AllDayReminderTime/time.Second) - (d.Hours*3600 + d.Minutes*60 + d.Seconds)
	// The trigger is days (back) and secs (forward); as one signed duration, the days
	// take up what secs cannot pay.
	const day = 24 * 3600
	sign := ""
	switch {
	case days == 0 && secs < 0:
		sign, secs = "-", -secs
	case days > 0 && secs > 0:
		sign, days, secs = "-", days-1, day-secs
	case days > 0:
		sign, secs = "-", -secs
	}
	return sign + duration(taskwire.Duration{Days: days, Hours: secs / 3600, Minutes: secs % 3600 / 60, Seconds: secs % 60})
}

// priority maps a task's priority onto RFC 5545's 1 (highest) to 9 (lowest), 0 for none:
// urgent and high in its high range (1–4), medium in the middle (5), low in the low (6–9).
func priority(p taskwire.Priority) int {
	switch p {
	case taskwire.PriorityUrgent:
		return 1
	case taskwire.PriorityHigh:
		return 3
	case taskwire.PriorityMedium:
		return 5
	case taskwire.PriorityLow:
		return 9
	}
	return 0
}

// description returns what an event's DESCRIPTION says of t: its description, then its
// checklist, a step a line, ☑ before a step done and ☐ before one to do.
func description(t *taskwire.Task) string {
	if len(t.Checklist) == 0 {
		return t.Description
	}
	var b strings.Builder
	if t.Description != "" {
		b.WriteString(t.Description + "\n\n")
	}
	for i, step := range t.Checklist {
		if i > 0 {
			b.WriteByte('\n')
		}
		box := "☐ "
		if step.Done {
			box = "☑ "
		}
		b.WriteString(box + step.Text)
	}
	return b.String()
}
