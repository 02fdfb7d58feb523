package taskwire

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/recur"
)

// Duration is an ISO 8601 duration of weeks, days, hours, minutes and seconds, as
// reminders use it ("PT15M", "P1D", "P1DT2H"). Days are calendar days in the task's zone.
type Duration struct {
	Weeks, Days, Hours, Minutes, Seconds int
}

// maxDurationDays bounds reminders to a year ahead of the due date.
const maxDurationDays = 366

// ParseDuration reads an ISO 8601 duration without years or months.
func ParseDuration(s string) (Duration, error) {
	var d Duration
	if len(s) < 3 || len(s) > 40 || s[0] != 'P' {
		return d, fmt.Errorf("duration %q must start with P and name a unit", s)
	}
	rest, inTime, seen := s[1:], false, ""
	for rest != "" {
		if rest[0] == 'T' {
			if inTime || len(rest) == 1 {
				return d, fmt.Errorf("duration %q has a misplaced T", s)
			}
			inTime, rest = true, rest[1:]
			continue
		}
		i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return d, fmt.Errorf("duration %q needs a number before each unit", s)
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 100000 {
			return d, fmt.Errorf("duration %q has a number out of range", s)
		}
		unit := rest[i]
		key := string(unit)
		if inTime {
			key = "T" + key
		}
		if strings.Contains(seen, key+",") {
			return d, fmt.Errorf("duration %q repeats a unit", s)
		}
		seen += key + ","
		switch {
		case !inTime && unit == 'W':
			d.Weeks = n
		case !inTime && unit == 'D':
			d.Days = n
		case inTime && unit == 'H':
			d.Hours = n
		case inTime && unit == 'M':
			d.Minutes = n
		case inTime && unit == 'S':
			d.Seconds = n
		case !inTime && (unit == 'Y' || unit == 'M'):
			return d, fmt.Errorf("duration %q counts years or months, whose length varies; use weeks (W) or days (D)", s)
		default:
			return d, fmt.Errorf("duration %q has an unsupported unit %q", s, unit)
		}
		rest = rest[i+1:]
	}
	if seen == "" {
		return d, fmt.Errorf("duration %q names no unit", s)
	}
	// Counted in seconds: 100000 weeks in nanoseconds overflow time.Duration, and the
	// wrapped sum passed the bound.
	secs := int64(d.Weeks*7+d.Days)*86400 + int64(d.Hours)*3600 + int64(d.Minutes)*60 + int64(d.Seconds)
	if secs > maxDurationDays*86400 {
		return d, fmt.Errorf("duration %q is longer than %d days", s, maxDurationDays)
	}
	return d, nil
}

func (d Duration) clock() time.Duration {
	return time.Duration(d.Hours)*time.Hour + time.Duration(d.Minutes)*time.Minute + time.Duration(d.Seconds)*time.Second
}

// Before returns the instant d before t, counting days on the calendar of loc (so that
// "P1D" before 09:00 is 09:00 the day before, across DST changes too). A day that lands
// on a wall-clock time loc skips or repeats resolves as occurrences do (recur.Resolve):
// forward by the gap, or the first of the two.
func (d Duration) Before(t time.Time, loc *time.Location) time.Time {
	return d.shiftDays(t, loc, -1).Add(-d.clock())
}

// After returns the instant d after t, counting days on the calendar of loc as Before
// does: "P1D" after 09:00 is 09:00 the next day.
func (d Duration) After(t time.Time, loc *time.Location) time.Time {
	return d.shiftDays(t, loc, 1).Add(d.clock())
}

// shiftDays moves t by d's weeks and days on the calendar of loc, forward (sign 1) or
// back (-1), keeping its wall-clock time.
func (d Duration) shiftDays(t time.Time, loc *time.Location, sign int) time.Time {
	days := d.Weeks*7 + d.Days
	if days == 0 {
		return t
	}
	w := t.In(loc)
	return recur.Resolve(time.Date(w.Year(), w.Month(), w.Day()+sign*days, w.Hour(), w.Minute(), w.Second(), 0, time.UTC), loc).
		Add(time.Duration(w.Nanosecond()))
}

// String returns the canonical ISO 8601 form: "PT0S" for zero, units in order.
func (d Duration) String() string {
	var b strings.Builder
	b.WriteByte('P')
	if d.Weeks > 0 {
		fmt.Fprintf(&b, "%dW", d.Weeks)
	}
	if d.Days > 0 {
		fmt.Fprintf(&b, "%dD", d.Days)
	}
	if d.Hours > 0 || d.Minutes > 0 || d.Seconds > 0 {
		b.WriteByte('T')
		if d.Hours > 0 {
			fmt.Fprintf(&b, "%dH", d.Hours)
		}
		if d.Minutes > 0 {
			fmt.Fprintf(&b, "%dM", d.Minutes)
		}
		if d.Seconds > 0 {
			fmt.Fprintf(&b, "%dS", d.Seconds)
		}
	}
	if b.Len() == 1 {
		return "PT0S"
	}
	return b.String()
}
