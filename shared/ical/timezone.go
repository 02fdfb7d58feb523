package ical

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// horizonYears is how far past the later of from and the present Timezone follows a
// zone's transitions, and horizonFloor the earliest that walk may stop: a zone's yearly
// rule is written as an RRULE without end only when it holds up to there.
const horizonYears = 30

var horizonFloor = time.Date(2100, time.January, 1, 0, 0, 0, 0, time.UTC)

// epoch is the DTSTART of an observance that stands for a zone period with no known
// start, or one that began before 1970.
var epoch = time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC)

// localLayout formats a wall clock as a DATE-TIME with local time.
const localLayout = "20060102T150405"

// Timezone writes a VTIMEZONE component with TZID loc.String() whose observances give
// loc's UTC offset for every instant from `from` on.
//
// The first observance is the transition that began the zone period in effect at from
// (earlier history is left out); the transitions after it are followed up to 30 years
// past the later of from and the present, and at least to 2100. Transitions that recur
// in consecutive years on the same weekday of the same week of a month (the nth, the
// last, or the one on or after a fixed day), at the same local time and with the same
// offsets and name, are written as one observance with a yearly RRULE, without end when
// the rule still holds at that horizon; the others are written one observance each. A
// zone with no transition after from gets one STANDARD observance of no change. A nil
// loc is UTC.
func (w *Writer) Timezone(loc *time.Location, from time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	from = from.In(loc)
	horizon := from
	if now := time.Now(); now.After(horizon) {
		horizon = now
	}
	horizon = horizon.AddDate(horizonYears, 0, 0)
	if horizon.Before(horizonFloor) {
		horizon = horizonFloor
	}

	w.Line("BEGIN", "VTIMEZONE")
	w.Text("TZID", loc.String())
	start, cur, trs := transitions(from, horizon)
	began := len(trs) > 0 && !trs[0].at.After(from)
	switch {
	case len(trs) == 0 || len(trs) == 1 && began:
		// The zone keeps its offset from from on: one observance, which is all it is.
		w.fixed(start, cur, from, "STANDARD")
	default:
		if !began {
			w.fixed(start, cur, from, kind(cur))
		}
		for _, r := range groupRuns(trs) {
			w.observance(r, horizon)
		}
	}
	w.Line("END", "VTIMEZONE")
}

// state is what a zone says about an instant: the abbreviation, the offset east of UTC in
// seconds, and whether it is daylight saving time.
type state struct {
	name   string
	offset int
	isDST  bool
}

// stateAt returns the zone state at t, in t's location.
func stateAt(t time.Time) state {
	name, offset := t.Zone()
	return state{name: name, offset: offset, isDST: t.IsDST()}
}

// kind returns the observance component for a zone state.
func kind(s state) string {
	if s.isDST {
		return "DAYLIGHT"
	}
	return "STANDARD"
}

// transition is an instant where the zone state changes.
type transition struct {
	at   time.Time // the instant
	from int       // the offset before at
	to   state     // the state from at on
	wall time.Time // at's wall clock in the offset before it, in UTC's location
}

// newTransition returns the transition at at from offset from to state to.
func newTransition(at time.Time, from int, to state) transition {
	return transition{
		at:   at,
		from: from,
		to:   to,
		wall: time.Unix(at.Unix()+int64(from), 0).UTC(),
	}
}

// transitions returns the start of the zone period in effect at from (zero if it has
// none), the zone state then, and the transitions from that start on, up to horizon.
//
// ZoneBounds bounds spans of one zone record, and past a zone's last listed transition Go
// computes its rule a year at a time, so that some bounds (1 January, and 31 December of
// leap years) change nothing: they are skipped. At 31 December of a leap year ZoneBounds
// even ends the period where it began; the walk then goes on from the next UTC year,
// where Go itself starts computing the next year's rule.
func transitions(from, horizon time.Time) (start time.Time, cur state, trs []transition) {
	cur = stateAt(from)
	start, _ = from.ZoneBounds()
	for !start.IsZero() {
		before := start.Add(-time.Second)
		if prev := stateAt(before); prev != cur {
			trs = append(trs, newTransition(start, prev.offset, cur))
			break
		}
		earlier, _ := before.ZoneBounds()
		if !earlier.IsZero() && !earlier.Before(start) {
			// ZoneBounds would not go back (never seen): start stays, and Timezone
			// writes an observance of no change there.
			break
		}
		start = earlier
	}

	t, z := from, cur
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() {
			break
		}
		if !end.After(t) {
			end = time.Date(t.UTC().Year()+1, time.January, 1, 0, 0, 0, 0, time.UTC).In(t.Location())
		}
		if !end.Before(horizon) {
			break
		}
		if next := stateAt(end); next != z {
			trs = append(trs, newTransition(end, z.offset, next))
			z = next
		}
		t = end
	}
	return start, cur, trs
}

// fixed writes an observance of no change (its offset both before and after) for the
// period in effect at from, which began at start (zero if it has no start). It starts at
// the period's start, or at 1970-01-01 when the period began before then or has no
// start; should that be after from, it starts at the period's start, or on 1 January of
// from's year when there is none.
func (w *Writer) fixed(start time.Time, cur state, from time.Time, component string) {
	offset := time.Duration(cur.offset) * time.Second
	wall := epoch
	if !start.IsZero() && !start.Before(epoch.Add(-offset)) {
		wall = start.Add(offset).UTC()
	}
	if wall.Add(-offset).After(from) {
		if !start.IsZero() {
			wall = start.Add(offset).UTC()
		} else {
			wall = time.Date(from.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	w.Line("BEGIN", component)
	w.Line("DTSTART", wall.Format(localLayout))
	w.Line("TZOFFSETFROM", formatOffset(cur.offset))
	w.Line("TZOFFSETTO", formatOffset(cur.offset))
	if cur.name != "" {
		w.Text("TZNAME", cur.name)
	}
	w.Line("END", component)
}

// observance writes the transitions of r as one observance: with a yearly RRULE when there
// are two or more, else with only a DTSTART.
func (w *Writer) observance(r *run, horizon time.Time) {
	first := r.trs[0]
	component := kind(first.to)
	w.Line("BEGIN", component)
	w.Line("DTSTART", first.wall.Format(localLayout))
	if len(r.trs) > 1 {
		w.Line("RRULE", r.rule(horizon))
	}
	w.Line("TZOFFSETFROM", formatOffset(first.from))
	w.Line("TZOFFSETTO", formatOffset(first.to.offset))
	if first.to.name != "" {
		w.Text("TZNAME", first.to.name)
	}
	w.Line("END", component)
}

// formatOffset formats an offset east of UTC in seconds as a UTC-OFFSET: ±hhmm, or ±hhmmss
// when it has seconds.
func formatOffset(sec int) string {
	sign := byte('+')
	if sec < 0 {
		sign, sec = '-', -sec
	}
	b := make([]byte, 0, 7)
	b = append(b, sign)
	b = appendTwo(b, sec/3600)
	b = appendTwo(b, sec/60%60)
	if sec%60 != 0 {
		b = appendTwo(b, sec%60)
	}
	return string(b)
}

// appendTwo appends n's last two decimal digits to b.
func appendTwo(b []byte, n int) []byte {
	return append(b, byte('0'+n/10%10), byte('0'+n%10))
}

// ruleKey is what the transitions of one yearly rule share: their offsets and state, and
// the month, weekday and local time of their wall clock.
type ruleKey struct {
	from    int
	to      state
	month   time.Month
	weekday time.Weekday
	clock   int // seconds since local midnight
}

// keyOf returns the rule key of tr.
func keyOf(tr transition) ruleKey {
	h, m, s := tr.wall.Clock()
	return ruleKey{
		from:    tr.from,
		to:      tr.to,
		month:   tr.wall.Month(),
		weekday: tr.wall.Weekday(),
		clock:   h*3600 + m*60 + s,
	}
}

// run is a series of transitions in consecutive years that one yearly rule gives: the
// same weekday in a 7-day window of the same month that starts on a fixed day, or in the
// month's last 7 days.
//
// A window that starts on day d holds the transition's day of the month, so d lies in
// [day-6, day]; lo and hi are the bounds that all of the run's days leave for d.
type run struct {
	trs     []transition
	lo, hi  int
	allLast bool // every day is in the last 7 days of its month
}

// newRun returns a run of tr alone.
func newRun(tr transition) *run {
	d := tr.wall.Day()
	return &run{trs: []transition{tr}, lo: d - 6, hi: d, allLast: inLastWeek(tr.wall)}
}

// add adds tr to the run and reports whether it belongs there: the year after the last
// and a day that leaves a window, or a day in the last week when all the others are.
func (r *run) add(tr transition) bool {
	if tr.wall.Year() != r.trs[len(r.trs)-1].wall.Year()+1 {
		return false
	}
	d := tr.wall.Day()
	lo, hi := max(r.lo, d-6), min(r.hi, d)
	allLast := r.allLast && inLastWeek(tr.wall)
	month := tr.wall.Month()
	if max(lo, 1) > min(hi, shortest(month)-6) && !allLast {
		return false
	}
	r.trs = append(r.trs, tr)
	r.lo, r.hi, r.allLast = lo, hi, allLast
	return true
}

// groupRuns sorts transitions, in order, into runs; runs come in the order of their first
// transitions.
func groupRuns(trs []transition) []*run {
	var runs []*run
	open := make(map[ruleKey]*run)
	for _, tr := range trs {
		k := keyOf(tr)
		if r, ok := open[k]; ok && r.add(tr) {
			continue
		}
		r := newRun(tr)
		runs = append(runs, r)
		open[k] = r
	}
	return runs
}

// form is where in its month a yearly rule falls.
type form struct {
	nth  int // 1..4: the nth weekday; -1: the last; 0: the weekday on or after day
	day  int
	week time.Weekday
}

// form returns the rule of the run, preferring the forms every client knows: the 1st, 2nd
// or 3rd weekday of the month, then the last, then the 4th, and only then the weekday on
// or after a day of the month (Sunday on or after the 2nd: Chile; Friday on or after the
// 23rd: Israel; Saturday on or after the 24th: Greenland).
func (r *run) form() form {
	month, week := r.trs[0].wall.Month(), r.trs[0].wall.Weekday()
	lo, hi := max(r.lo, 1), min(r.hi, shortest(month)-6)
	for _, d := range []int{1, 8, 15} {
		if lo <= d && d <= hi {
			return form{nth: (d-1)/7 + 1, week: week}
		}
	}
	switch {
	case r.allLast:
		return form{nth: -1, week: week}
	case lo <= 22 && 22 <= hi:
		return form{nth: 4, week: week}
	}
	return form{day: lo, week: week}
}

// date returns the day of the month on which f falls in year.
func (f form) date(year int, month time.Month) int {
	switch {
	case f.nth < 0:
		last := daysIn(year, month)
		lastWeek := time.Date(year, month, last, 0, 0, 0, 0, time.UTC).Weekday()
		return last - (int(lastWeek)-int(f.week)+7)%7
	case f.nth > 0:
		f.day = 7*(f.nth-1) + 1
	}
	firstWeek := time.Date(year, month, f.day, 0, 0, 0, 0, time.UTC).Weekday()
	return f.day + (int(f.week)-int(firstWeek)+7)%7
}

var weekdays = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// rule returns the RRULE of the run. It has no end when the rule's next transition after
// the run's last would come at or after horizon: the zone keeps the rule as far as Timezone
// looks. Otherwise it ends with UNTIL at the instant of the last, in UTC as RFC 5545 asks
// of VTIMEZONE rules.
func (r *run) rule(horizon time.Time) string {
	f := r.form()
	first, last := r.trs[0], r.trs[len(r.trs)-1]
	var b strings.Builder
	b.WriteString("FREQ=YEARLY;BYMONTH=")
	b.WriteString(strconv.Itoa(int(first.wall.Month())))
	b.WriteString(";BYDAY=")
	if f.nth != 0 {
		b.WriteString(strconv.Itoa(f.nth))
	}
	b.WriteString(weekdays[f.week])
	if f.nth == 0 {
		b.WriteString(";BYMONTHDAY=")
		for d := f.day; d < f.day+7; d++ {
			if d > f.day {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
	}

	y, m := last.wall.Year()+1, last.wall.Month()
	h, mi, s := last.wall.Clock()
	nextWall := time.Date(y, m, f.date(y, m), h, mi, s, 0, time.UTC)
	next := nextWall.Add(-time.Duration(last.from) * time.Second)
	if next.Before(horizon) {
		fmt.Fprintf(&b, ";UNTIL=%s", UTCTime(last.at))
	}
	return b.String()
}

// inLastWeek reports whether t's day is in the last 7 days of its month.
func inLastWeek(t time.Time) bool {
	return t.Day() > daysIn(t.Year(), t.Month())-7
}

// daysIn returns the number of days in month of year.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// shortest returns the fewest days month has in any year.
func shortest(month time.Month) int {
	if month == time.February {
		return 28
	}
	return daysIn(2001, month)
}
