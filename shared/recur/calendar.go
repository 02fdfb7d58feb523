package recur

import (
	"time"
)

// ForCalendar returns rule as another calendar reads it from the occurrence at 1-based
// position index of its series on, that occurrence being its DTSTART in loc: COUNT less
// the occurrences before it, and UNTIL as the UTC time RFC 5545 asks for when DTSTART
// has a time zone (a date or local time is read as the series reads it, see Next). ok is
// false when no rule can say it: the occurrence is the series' last, or the rule uses
// BYEASTER, which is the rule library's own and no calendar's.
func ForCalendar(rule string, loc *time.Location, index int) (calendarRule string, ok bool) {
	opt, err := parseOption(rule)
	if err != nil || len(opt.Byeaster) > 0 {
		return "", false
	}
	if opt.Count > 0 {
		if opt.Count -= max(index, 1) - 1; opt.Count <= 1 {
			return "", false
		}
	}
	if !opt.Until.IsZero() {
		opt.Until = untilIn(rule, opt.Until, loc).UTC().Truncate(time.Second)
	}
	return opt.RRuleString(), true
}
