package recur

import (
	"errors"
	"fmt"
	"time"

	"github.com/taskwire/taskwire/shared/zone"
	"github.com/teambition/rrule-go"
)

// maxSteps bounds how many occurrences Next walks to catch up with the present: a daily
// series catches up on 270 years, one of minutes on ten weeks.
const maxSteps = 100_000

// The rule library looks for occurrences up to the year lastYear, and a rule that has
// none (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) makes it walk every day until then. Next
// runs the rule a multiple of 400 years ahead, where the Gregorian calendar repeats itself
// day for day (146097 days are 20871 weeks), so that the walk ends horizonYears to
// horizonYears+400 years after the start: a rule with no occurrence in a whole cycle of
// the calendar has none at all. Easter (BYEASTER) follows no such cycle; those rules run
// where they are.
const (
	lastYear     = 9999
	horizonYears = 400
)

// ErrTooManySteps is returned when the next occurrence lies more than maxSteps
// occurrences past the completed one.
var ErrTooManySteps = errors.New("the rule has too many occurrences between the completed one and now")

// Series is one completed occurrence of a recurring task, and what Next needs to find the
// occurrence after it.
type Series struct {
	Rule     string // the RRULE, as Parse accepts it
	TimeZone string // the IANA zone the rule runs in; "" is UTC
	// Due is the completed occurrence's due time; its wall clock in TimeZone is the
	// series' time of day.
	Due time.Time
	// Index is the completed occurrence's 1-based position in the series; COUNT bounds it.
	Index int
	// FromCompletion counts the next occurrence from CompletedAt rather than from Due.
	FromCompletion bool
	CompletedAt    time.Time
	// Now is the present: in schedule mode the next occurrence is the first not before it.
	Now time.Time
	// Previous is the due time of the occurrence before Due, or zero. When Due is a time
	// of day that a DST gap moved forward (02:30 became 03:30), the previous occurrence's
	// time of day is the one the series keeps.
	Previous time.Time
}

// Occurrence is an occurrence of a series: when it is due and its 1-based position.
type Occurrence struct {
	At    time.Time // in the series' zone
	Index int
}

// Next returns the occurrence that follows the completed one, and false when the series
// has ended (COUNT or UNTIL reached).
//
// The rule runs on local wall-clock time in the series' zone, as RFC 5545 says, so 09:00
// stays 09:00 across DST (but for a plain hourly rule, which steps elapsed hours:
// everyHours); each local time then becomes an instant: one that a DST gap skips is read
// with the offset before the gap (02:30 becomes 03:30), and one that a DST overlap
// repeats is the first of the two. Dates that do not exist (the 31st of a
// 30-day month, 29 February of a common year) are no occurrences.
//
// From the schedule, the rule starts at Due and the next occurrence is the first after
// Due that is not before Now: occurrences that passed while the task was open are
// skipped, and they count toward COUNT as the members of the series they are; the
// returned Index says how far the series advanced. From the completion, the rule starts
// on the local date of CompletedAt at the series' time of day (an hourly rule: at
// CompletedAt's time of day) and the next occurrence is the first after both that start
// and CompletedAt, other than Due itself; its Index is Index+1.
func Next(s Series) (occ Occurrence, ok bool, err error) {
	defer unusable(&err)
	if s.Index < 1 {
		return Occurrence{}, false, fmt.Errorf("series index must be positive, got %d", s.Index)
	}
	if s.Due.IsZero() {
		return Occurrence{}, false, fmt.Errorf("a recurring task needs a due time")
	}
	loc := time.UTC
	if s.TimeZone != "" {
		var err error
		if loc, err = zone.Load(s.TimeZone); err != nil {
			return Occurrence{}, false, fmt.Errorf("time zone %q: %w", s.TimeZone, err)
		}
	}
	opt, err := parseOption(s.Rule)
	if err != nil {
		return Occurrence{}, false, err
	}
	count, until := opt.Count, untilIn(s.Rule, opt.Until, loc)
	// COUNT and UNTIL are applied here: COUNT counts the whole series, not this run of the
	// rule, and UNTIL is an instant, which floating wall-clock times cannot meet.
	opt.Count, opt.Until = 0, time.Time{}
	if step := elapsedStep(opt); step > 0 {
		return everyHours(s, step, count, until, loc)
	}

	start := wallClock(s.Due, loc)
	if !s.Previous.IsZero() {
		// A due time that a DST gap moved keeps the series' time of day: the previous
		// occurrence's time of day, on Due's date, is Due itself.
		meant := onDate(start, wallClock(s.Previous, loc))
		if !meant.Equal(start) && resolve(meant, loc).Equal(s.Due.Truncate(time.Second)) {
			start = meant
		}
	}
	if s.FromCompletion {
		if s.CompletedAt.IsZero() {
			return Occurrence{}, false, fmt.Errorf("repeating from the completion needs the completion time")
		}
		start = onDate(wallClock(s.CompletedAt, loc), start)
		if opt.Freq == rrule.HOURLY {
			// Every few hours from the completion counts from its time of day, not from
			// the series' time on that date, which may lie hours before it.
			start = wallClock(s.CompletedAt, loc).Truncate(time.Minute)
		}
		if months := calendarStep(opt); months > 0 {
			return afterCompletion(s, start, months, count, until, loc)
		}
	}
	shift := 0
	if len(opt.Byeaster) == 0 && start.Year() < lastYear-horizonYears {
		shift = (lastYear - horizonYears - start.Year()) / 400 * 400
	}
	opt.Dtstart = start.AddDate(shift, 0, 0)
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return Occurrence{}, false, fmt.Errorf("rule cannot be used: %w", err)
	}

	next := r.Iterator()
	for k := 1; k <= maxSteps; {
		wall, ok := next()
		if !ok {
			return Occurrence{}, false, nil // nothing before the horizon
		}
		wall = wall.AddDate(-shift, 0, 0)
		if !wall.After(start) {
			continue // the start itself: the completed occurrence, or the completion's day
		}
		index := s.Index + k
		if s.FromCompletion {
			index = s.Index + 1
		}
		k++
		if count > 0 && index > count {
			return Occurrence{}, false, nil
		}
		at := resolve(wall, loc)
		if !until.IsZero() && at.After(until) {
			return Occurrence{}, false, nil
		}
		if s.FromCompletion {
			// From the completion's date on, the rule may name times before it (09:00
			// when it was done at 18:00) or the occurrence just completed (a Monday task
			// done on the Saturday before): the next one is neither.
			if at.After(s.CompletedAt) && !at.Equal(s.Due.Truncate(time.Second)) {
				return Occurrence{At: at, Index: index}, true, nil
			}
			continue
		}
		if at.After(s.Due) && !at.Before(s.Now) {
			return Occurrence{At: at, Index: index}, true, nil
		}
	}
	return Occurrence{}, false, ErrTooManySteps
}

// elapsedStep returns the hours a plain hourly rule (no BYxxx part) steps, as elapsed
// time, and 0 for any other rule. "Every 8 hours" is a dose's interval: 8 hours on the
// night the clocks change too, where the wall clock's would be 7 or 9.
func elapsedStep(opt *rrule.ROption) time.Duration {
	if opt.Freq != rrule.HOURLY || len(opt.Bymonth) > 0 || len(opt.Bymonthday) > 0 || len(opt.Byweekday) > 0 ||
		len(opt.Byyearday) > 0 || len(opt.Byweekno) > 0 || len(opt.Bysetpos) > 0 || len(opt.Byeaster) > 0 ||
		len(opt.Byhour) > 0 || len(opt.Byminute) > 0 || len(opt.Bysecond) > 0 {
		return 0
	}
	return time.Duration(max(opt.Interval, 1)) * time.Hour
}

// everyHours is Next for a plain hourly rule stepping step in elapsed time: from the
// schedule, the first step after Due not before Now (the steps passed count); from the
// completion, a step after its minute, other than Due itself.
func everyHours(s Series, step time.Duration, count int, until time.Time, loc *time.Location) (Occurrence, bool, error) {
	due := s.Due.Truncate(time.Second)
	at, index := due.Add(step), s.Index+1
	if s.FromCompletion {
		if at = s.CompletedAt.Truncate(time.Minute).Add(step); at.Equal(due) {
			at = at.Add(step)
		}
	} else if s.Now.After(at) {
		k := int64((s.Now.Sub(due) + step - 1) / step) // the steps up to the first not before Now
		if k > maxSteps {
			return Occurrence{}, false, ErrTooManySteps
		}
		at, index = due.Add(time.Duration(k)*step), s.Index+int(k)
	}
	if (count > 0 && index > count) || (!until.IsZero() && at.After(until)) {
		return Occurrence{}, false, nil
	}
	return Occurrence{At: at.In(loc), Index: index}, true, nil
}

// calendarStep returns how many months a rule of whole months or years steps (INTERVAL
// months, or 12×INTERVAL), and 0 for any other rule: one of another frequency, or one
// that names its days, months or times (BYxxx), which the rule's own expansion serves.
func calendarStep(opt *rrule.ROption) int {
	if len(opt.Bymonth) > 0 || len(opt.Bymonthday) > 0 || len(opt.Byweekday) > 0 || len(opt.Byyearday) > 0 ||
		len(opt.Byweekno) > 0 || len(opt.Bysetpos) > 0 || len(opt.Byeaster) > 0 || len(opt.Byhour) > 0 ||
		len(opt.Byminute) > 0 || len(opt.Bysecond) > 0 {
		return 0
	}
	interval := max(opt.Interval, 1)
	switch opt.Freq {
	case rrule.MONTHLY:
		return interval
	case rrule.YEARLY:
		return 12 * interval
	}
	return 0
}

// afterCompletion returns the occurrence months after start, the completion's date at
// the series' time of day: on the same day of the month or, where that month is
// shorter, on its last day. The rule's own expansion would take the completion's day as
// the series' day and skip the months without it, so that a monthly task completed on
// 31 January came back on 31 March; the day someone ticked a task off is no schedule.
func afterCompletion(s Series, start time.Time, months, count int, until time.Time, loc *time.Location) (Occurrence, bool, error) {
	y, m, d := start.Date()
	first := time.Date(y, m+time.Month(months), 1, start.Hour(), start.Minute(), start.Second(), 0, time.UTC)
	wall := first.AddDate(0, 0, min(d, first.AddDate(0, 1, -1).Day())-1)
	index := s.Index + 1
	at := resolve(wall, loc)
	if (count > 0 && index > count) || (!until.IsZero() && at.After(until)) {
		return Occurrence{}, false, nil
	}
	return Occurrence{At: at, Index: index}, true, nil
}

// wallClock returns t's wall-clock time in loc as a floating time: the same fields in UTC,
// which has no DST, so that the rule steps over local days and hours.
func wallClock(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// onDate returns the floating time at date's date and clock's time of day.
func onDate(date, clock time.Time) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d, clock.Hour(), clock.Minute(), clock.Second(), 0, time.UTC)
}

// resolve returns the instant of the floating wall-clock time w in loc, as RFC 5545
// reads local times: one in a DST gap takes the UTC offset before the gap (and so moves
// forward by the gap), one in a DST overlap is the first of the two. time.Date leaves
// both cases unspecified, and does not resolve them the same way in every zone.
func resolve(w time.Time, loc *time.Location) time.Time {
	// The instant lies within 14 hours of w read as UTC; these offsets are the ones in
	// effect before and after any transition near it.
	_, before := w.Add(-26 * time.Hour).In(loc).Zone()
	_, after := w.Add(26 * time.Hour).In(loc).Zone()
	first := w.Add(-time.Duration(before) * time.Second).In(loc)
	if wallClock(first, loc).Equal(w) {
		return first
	}
	if second := w.Add(-time.Duration(after) * time.Second).In(loc); wallClock(second, loc).Equal(w) {
		return second
	}
	return first // in a gap
}
