// Package recur reads RFC 5545 recurrence rules (RRULE) and evaluates them in a task's
// own time zone. It holds no I/O.
package recur

import (
	"fmt"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// MaxRuleLength bounds the text of a rule; real rules are a few dozen characters.
const MaxRuleLength = 500

// Parse validates an RRULE value (with or without the "RRULE:" prefix) and returns it in
// canonical form, without DTSTART: the start of a task's series is its due date.
func Parse(rule string) (canonical string, err error) {
	opt, err := parseOption(rule)
	if err != nil {
		return "", err
	}
	// The canonical form can be longer than the rule ("1MO" becomes "+1MO"); it must
	// still be a rule that Parse accepts. The library writes UNTIL as a UTC time; a date
	// or a local time keeps its form, which says it is read in the task's zone.
	canonical = opt.RRuleString()
	if raw := untilValue(rule); raw != "" && !strings.HasSuffix(raw, "Z") {
		canonical = strings.Replace(canonical, "UNTIL="+opt.Until.UTC().Format("20060102T150405Z"), "UNTIL="+raw, 1)
	}
	if len(canonical) > MaxRuleLength {
		return "", fmt.Errorf("rule is longer than %d characters", MaxRuleLength)
	}
	return canonical, nil
}

// Count returns the COUNT of rule, how many occurrences its whole series has; 0 for a
// rule without one, or one that does not parse.
func Count(rule string) int {
	opt, err := parseOption(rule)
	if err != nil {
		return 0
	}
	return opt.Count
}

func parseOption(rule string) (opt *rrule.ROption, err error) {
	s := strings.TrimSpace(rule)
	if len(s) > MaxRuleLength {
		return nil, fmt.Errorf("rule is longer than %d characters", MaxRuleLength)
	}
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("rule must be a single RRULE line")
	}
	if len(s) >= 6 && strings.EqualFold(s[:6], "RRULE:") {
		s = s[6:]
	}
	if s == "" {
		return nil, fmt.Errorf("rule is empty")
	}
	if strings.ContainsAny(s, " \t") {
		return nil, fmt.Errorf("rule must not contain spaces, as in FREQ=WEEKLY;BYDAY=MO,WE")
	}
	// RFC 5545 names and values are case-insensitive; the parser reads upper case only.
	upper := strings.ToUpper(s)
	if strings.Contains(upper, "DTSTART") {
		return nil, fmt.Errorf("rule must not carry DTSTART; the series starts at the task's due date")
	}
	if !strings.Contains(upper, "FREQ=") {
		return nil, fmt.Errorf("rule needs FREQ")
	}
	parts := map[string]bool{}
	for _, part := range strings.Split(upper, ";") {
		name, _, _ := strings.Cut(part, "=")
		name = strings.TrimPrefix(name, "RRULE:") // as the parser reads the first part
		if name == "" {
			return nil, fmt.Errorf("rule has an empty part (two semicolons in a row, or one at its end)")
		}
		if parts[name] {
			return nil, fmt.Errorf("%s is given twice", name)
		}
		parts[name] = true
	}
	if parts["COUNT"] && parts["UNTIL"] {
		return nil, fmt.Errorf("COUNT and UNTIL must not both be given")
	}
	// The parser panics on some malformed input; a bad rule is a user error, never a crash.
	defer func() {
		if r := recover(); r != nil {
			opt, err = nil, fmt.Errorf("rule cannot be read")
		}
	}()
	opt, err = rrule.StrToROption(upper)
	if err != nil {
		if strings.Contains(err.Error(), "strconv.") { // the parser's own words say nothing to the user
			return nil, fmt.Errorf("rule cannot be read: a part has a value it does not take (numbers, or weekdays such as MO or -1FR)")
		}
		return nil, fmt.Errorf("rule cannot be read: %s", strings.TrimPrefix(err.Error(), "rrule: "))
	}
	// The parser reads 0 as "not given", which would turn COUNT=0 into a rule without end.
	if parts["INTERVAL"] && opt.Interval < 1 {
		return nil, fmt.Errorf("INTERVAL must be positive")
	}
	if parts["COUNT"] && opt.Count < 1 {
		return nil, fmt.Errorf("COUNT must be positive")
	}
	if parts["UNTIL"] && opt.Until.Year() < 1970 {
		return nil, fmt.Errorf("UNTIL must not be before 1970")
	}
	if err := subDaily(opt, parts); err != nil {
		return nil, err
	}
	if err := nthWeekdays(opt); err != nil {
		return nil, err
	}
	if _, err := rrule.NewRRule(*opt); err != nil {
		return nil, fmt.Errorf("rule cannot be used: %s", err.Error())
	}
	return opt, nil
}

// unusable turns a panic of the rule library while it iterates a rule into an error: it
// indexes out of range on some rules that its parser takes (FREQ=MONTHLY;BYDAY=0MO,8MO),
// and a bad rule is a user error, never a crash.
func unusable(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("rule cannot be used: %v", r)
	}
}

// nthWeekdays refuses a weekday with a number before it (BYDAY=2MO) where no such
// weekday can be: in a month beyond the fifth (the rule library indexed out of range on
// FREQ=MONTHLY;BYDAY=8MO), and in any rule but a monthly or yearly one, which RFC 5545
// forbids.
func nthWeekdays(opt *rrule.ROption) error {
	for _, wd := range opt.Byweekday {
		n := wd.N()
		switch {
		case n == 0:
		case opt.Freq != rrule.MONTHLY && opt.Freq != rrule.YEARLY:
			return fmt.Errorf("BYDAY=%s: a weekday takes a number before it only in a monthly or yearly rule", wd)
		case (opt.Freq == rrule.MONTHLY || len(opt.Bymonth) > 0) && (n > 5 || n < -5):
			return fmt.Errorf("BYDAY=%s: a month has at most 5 of a weekday, so its number is -5 to 5", wd)
		}
	}
	return nil
}

// subDaily refuses what the rule library cannot iterate safely below a day. It looks for
// the next time of a rule of hours, minutes or seconds in a loop that ends only when it
// finds one: FREQ=HOURLY;INTERVAL=24;BYHOUR=1 from 05:00, FREQ=MINUTELY;BYSETPOS=2, or
// FREQ=SECONDLY;BYMONTH=5;BYYEARDAY=-1 held a request, its CPU and its database
// connection for good. So a task repeats at most hourly, and a rule of hours steps by its
// INTERVAL alone ("every 2 hours"), with no BYxxx part to filter or expand it.
func subDaily(opt *rrule.ROption, parts map[string]bool) error {
	switch opt.Freq {
	case rrule.MINUTELY, rrule.SECONDLY:
		return fmt.Errorf("FREQ=%s is not taken: a task repeats at most hourly", opt.Freq)
	case rrule.HOURLY:
		for name := range parts {
			if strings.HasPrefix(name, "BY") {
				return fmt.Errorf("FREQ=HOURLY takes no %s: a rule of hours steps by its INTERVAL alone", name)
			}
		}
	}
	return nil
}

// untilValue returns the value of rule's UNTIL part as written, in upper case; "" when
// the rule has none.
func untilValue(rule string) string {
	for _, part := range strings.Split(strings.ToUpper(strings.TrimSpace(rule)), ";") {
		if v, ok := strings.CutPrefix(strings.TrimPrefix(part, "RRULE:"), "UNTIL="); ok {
			return v
		}
	}
	return ""
}

// Moved returns rule, one that Parse accepts, for a series moved from zone from to zone
// to at the same local times: an UNTIL given as a UTC time becomes the instant the same
// wall-clock time comes in to, so the series ends on the occurrence it ended on before
// (kept as an instant, a daily 09:00 moved west would lose its last day). A date or a
// local time, read in the series' zone, stays as written.
func Moved(rule string, from, to *time.Location) string {
	raw := untilValue(rule)
	if !strings.HasSuffix(raw, "Z") {
		return rule
	}
	until, err := time.Parse("20060102T150405Z", raw)
	if err != nil {
		return rule
	}
	moved := Resolve(until.In(from), to).UTC().Format("20060102T150405Z")
	i := strings.Index(strings.ToUpper(rule), "UNTIL="+raw) + len("UNTIL=")
	return rule[:i] + moved + rule[i+len(raw):]
}

// untilIn returns the last instant that rule's UNTIL admits when the series runs in loc,
// and zero when the rule has none. A UTC time (…Z) is that instant. RFC 5545 wants one
// when the start has a time of day, but people and calendars also write a date alone,
// meaning the whole of that day, and a local time: a date is read as the end of that day
// in loc, so that "until 31 December" keeps the 31st's occurrences, late or early, in any
// zone; a local time is that wall-clock time in loc.
func untilIn(rule string, utc time.Time, loc *time.Location) time.Time {
	raw := untilValue(rule)
	switch {
	case raw == "" || strings.HasSuffix(raw, "Z"):
		return utc
	case len(raw) == len("20060102"):
		day, err := time.Parse("20060102", raw)
		if err != nil {
			return utc
		}
		return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
	default:
		wall, err := time.Parse("20060102T150405", raw)
		if err != nil {
			return utc
		}
		return resolve(wall, loc)
	}
}

// ByDays reports whether rule, one that Parse accepts, names days alone, as the rule of
// an all-day task must: it repeats at most daily and sets no time of day (BYHOUR,
// BYMINUTE, BYSECOND).
func ByDays(rule string) bool {
	opt, err := parseOption(rule)
	if err != nil {
		return false
	}
	return opt.Freq <= rrule.DAILY && len(opt.Byhour) == 0 && len(opt.Byminute) == 0 && len(opt.Bysecond) == 0
}

// DayRule returns rule, one that Parse accepts, as a series of days in loc reads it (an
// all-day task's, whose days are loc's): an UNTIL given as a local or UTC time becomes
// the day it falls on in loc, a date, which such a series reads as that whole day. The
// calendar feed writes the same day (ForCalendarDays).
func DayRule(rule string, loc *time.Location) string {
	if raw := untilValue(rule); raw == "" || len(raw) == len("20060102") {
		return rule
	}
	opt, err := parseOption(rule)
	if err != nil {
		return rule
	}
	day := untilDay(rule, opt.Until, loc).Format("20060102")
	parts := strings.Split(rule, ";")
	for i, part := range parts {
		name, _, _ := strings.Cut(strings.TrimPrefix(strings.ToUpper(part), "RRULE:"), "=")
		if name == "UNTIL" {
			parts[i] = part[:strings.Index(part, "=")+1] + day
		}
	}
	return strings.Join(parts, ";")
}
