package recur

import (
	"strings"
	"time"
)

// ForCalendar returns rule as another calendar reads it from the occurrence at 1-based
// position index of its series on, that occurrence being its DTSTART in loc: COUNT less
// the occurrences before it, and UNTIL as the UTC time RFC 5545 asks for when DTSTART
// has a time zone (a date or local time is read as the series reads it, see Next). ok is
// false when no rule can say it: the occurrence is the series' last, or the rule uses
// BYEASTER, which is the rule library's own and no calendar's.
func ForCalendar(rule string, loc *time.Location, index int) (calendarRule string, ok bool) {
	return forCalendar(rule, loc, index, false)
}

// ForCalendarDays is ForCalendar for a series of days, an all-day task's, whose DTSTART
// is a DATE: UNTIL is then a DATE too, as RFC 5545 asks. A date stays that date; a local
// time or a UTC time becomes the day it falls on in loc, the series' days being days in
// the task's zone.
func ForCalendarDays(rule string, loc *time.Location, index int) (calendarRule string, ok bool) {
	return forCalendar(rule, loc, index, true)
}

// forCalendar is ForCalendar, with UNTIL as a DATE when days is set.
func forCalendar(rule string, loc *time.Location, index int, days bool) (string, bool) {
	opt, err := parseOption(rule)
	if err != nil || len(opt.Byeaster) > 0 {
		return "", false
	}
	if opt.Count > 0 {
		if opt.Count -= max(index, 1) - 1; opt.Count <= 1 {
			return "", false
		}
	}
	if opt.Until.IsZero() {
		return opt.RRuleString(), true
	}
	if !days {
		opt.Until = untilIn(rule, opt.Until, loc).UTC().Truncate(time.Second)
		return opt.RRuleString(), true
	}
	opt.Until = untilDay(rule, opt.Until, loc)
	// The rule library writes UNTIL as a UTC time; the day's midnight becomes its date.
	calendarRule := opt.RRuleString()
	written := "UNTIL=" + opt.Until.Format("20060102T150405Z")
	return strings.Replace(calendarRule, written, "UNTIL="+opt.Until.Format("20060102"), 1), true
}

// untilDay returns the last day that rule's UNTIL, read by the parser as utc, admits in a
// series of days in loc, as midnight of that date in UTC (see taskwire.DayOf). A date is
// that date; a local time or a UTC time is the day it falls on in loc.
func untilDay(rule string, utc time.Time, loc *time.Location) time.Time {
	if raw := untilValue(rule); len(raw) == len("20060102") {
		if day, err := time.Parse("20060102", raw); err == nil {
			return day
		}
	}
	y, m, d := untilIn(rule, utc, loc).In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
