package recur

import (
	"fmt"
	"time"

	"github.com/teambition/rrule-go"
)

// First returns the first occurrence of a new series: rule runs in loc from start, whose
// fields as written (its Location is ignored) are the series' first local date and time of
// day, and the occurrence returned is the first whose instant is not before notBefore. It is false when the rule
// has none (COUNT or UNTIL reached, or no such date before the year 9999). Local times
// resolve as in Next: one in a DST gap moves forward by the gap, a repeated one is the
// first of the two, unless notBefore is the second.
func First(rule string, loc *time.Location, start, notBefore time.Time) (at time.Time, ok bool, err error) {
	defer unusable(&err)
	opt, err := parseOption(rule)
	if err != nil {
		return time.Time{}, false, err
	}
	count, until := opt.Count, untilIn(rule, opt.Until, loc)
	opt.Count, opt.Until = 0, time.Time{}
	wall := floating(start)
	shift := 0
	if len(opt.Byeaster) == 0 && wall.Year() < lastYear-horizonYears {
		shift = (lastYear - horizonYears - wall.Year()) / 400 * 400
	}
	opt.Dtstart = wall.AddDate(shift, 0, 0)
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("rule cannot be used: %w", err)
	}
	next := r.Iterator()
	for k := 1; k <= maxSteps; k++ {
		w, ok := next()
		if !ok || (count > 0 && k > count) {
			return time.Time{}, false, nil
		}
		w = w.AddDate(-shift, 0, 0)
		if w.Year() > lastYear {
			return time.Time{}, false, nil
		}
		at := resolve(w, loc)
		if at.Before(notBefore) && wallClock(notBefore, loc).Equal(w) {
			// A repeated local time (01:30 on a fall-back day) whose second instance is
			// notBefore, the due time as given: that instance is the occurrence.
			at = notBefore.In(loc)
		}
		if !until.IsZero() && at.After(until) {
			return time.Time{}, false, nil
		}
		if !at.Before(notBefore) {
			return at, true, nil
		}
	}
	return time.Time{}, false, ErrTooManySteps
}

// Resolve returns the instant in loc of the wall-clock time wall, whose fields as written
// are read (its Location is ignored), the way Next and First resolve occurrences: a time
// in a DST gap moves forward by the gap, a repeated time is the first of the two.
func Resolve(wall time.Time, loc *time.Location) time.Time {
	return resolve(floating(wall), loc)
}

// floating returns t's fields as written, in UTC.
func floating(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}
