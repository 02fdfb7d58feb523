package quickadd

import (
	"strconv"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// duration reads "30m", "1h", "2 days", "an hour", "half an hour" (30 minutes), "a
// fortnight" (2 weeks), "a couple [of] days" (2, where an article may count) at word j:
// its number, unit, and how many words it took. Halves count in the next smaller unit:
// "1.5 hours", "1.5h", "an hour and a half" and "2 and a half hours" are minutes (90,
// 150), "half a day" and "1.5 days" hours (12, 36); a week's half (3.5 days) is none. So
// do hours with minutes, "1h30", "1h 30m", "1 hour 30 minutes", "1 hour and 30 minutes"
// (90), unless a list runs through them ("1 day, 2 hours and 10 minutes").
func (p *parser) duration(j int, article bool) (n int, u unit, k int, ok bool) {
	if h, m, ok := hoursMinutes(p.word(j)); ok { // "1h30", "2hr15m"
		return 60*h + m, minute, 1, true
	}
	n, u, k, ok = p.durationPart(j, article)
	and := 0
	if p.word(j+k) == "and" && !p.comma(j-1) { // not in a list: "1 day, 2 hours and 10 minutes"
		and = 1
	}
	if m, mu, mk, isMinutes := p.durationPart(j+k+and, false); ok && u == hour && isMinutes && mu == minute && m < 60 {
		return 60*n + m, minute, k + and + mk, true // "1 hour 30 minutes", "2 hours and 15 minutes"
	}
	return n, u, k, ok
}

// hoursMinutes reads hours and minutes in one word, "1h30", "1h30m", "2hr15min": the
// hours, the minutes (below 60), and whether w is such a word.
func hoursMinutes(w string) (int, int, bool) {
	d := strings.IndexFunc(w, func(r rune) bool { return r < '0' || r > '9' })
	if d <= 0 || d > 2 {
		return 0, 0, false
	}
	rest := w[d:]
	for _, h := range []string{"hrs", "hr", "h"} {
		if after, ok := strings.CutPrefix(rest, h); ok {
			rest = after
			break
		}
	}
	e := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if e < 0 {
		e = len(rest)
	}
	if rest == w[d:] || e == 0 || e > 2 || (e < len(rest) && units[rest[e:]] != minute) {
		return 0, 0, false
	}
	h, _ := strconv.Atoi(w[:d])
	m, _ := strconv.Atoi(rest[:e])
	return h, m, m < 60
}

// durationPart is duration without hours and minutes together.
func (p *parser) durationPart(j int, article bool) (n int, u unit, k int, ok bool) {
	w := p.word(j)
	if a := p.word(j + 1); w == "half" && (a == "an" || a == "a") {
		if u, ok := units[p.word(j+2)]; ok {
			if n, u, ok := fraction(0, 1, 2, u); ok {
				return n, u, 3, true
			}
		}
		return 0, 0, 0, false
	}
	if article && w == "a" && p.word(j+1) == "couple" { // "a couple [of] days": 2
		k := 2
		if p.word(j+k) == "of" {
			k++
		}
		if u, ok := units[p.word(j+k)]; ok {
			return 2, u, k + 1, true
		}
		return 0, 0, 0, false
	}
	if whole, num, den, d, ok := decimal(w); ok && d < len(w) { // "1h", "1.5h"
		if u, ok := units[w[d:]]; ok {
			return p.andAHalf(whole, num, den, u, j+1, 1)
		}
		return 0, 0, 0, false
	}
	if whole, num, den, d, ok := decimal(w); ok && d == len(w) && num > 0 { // "1.5 hours"
		if u, ok := units[p.word(j+1)]; ok {
			return p.andAHalf(whole, num, den, u, j+2, 2)
		}
		return 0, 0, 0, false
	}
	if n, ok := count(w, article); ok {
		if p.word(j+1) == "and" && p.word(j+2) == "a" && p.word(j+3) == "half" { // "2 and a half hours"
			if u, ok := units[p.word(j+4)]; ok {
				if n, u, ok := fraction(n, 1, 2, u); ok {
					return n, u, 5, true
				}
			}
			return 0, 0, 0, false
		}
		if u, ok := units[p.word(j+1)]; ok {
			return p.andAHalf(n, 0, 1, u, j+2, 2)
		}
		if f := p.word(j + 1); f == "fortnight" || f == "fortnights" {
			return 2 * n, week, 2, true
		}
	}
	return 0, 0, 0, false
}

// andAHalf returns whole and num/den units u, read in k words that end before word
// next, or one half more where "and a half" follows ("an hour and a half"); in the next
// smaller unit when there is a fraction.
func (p *parser) andAHalf(whole, num, den int, u unit, next, k int) (int, unit, int, bool) {
	if num == 0 && p.word(next) == "and" && p.word(next+1) == "a" && p.word(next+2) == "half" {
		num, den, k = 1, 2, k+3
	}
	if num == 0 {
		return whole, u, k, whole >= 1 && whole <= maxCount
	}
	n, u, ok := fraction(whole, num, den, u)
	return n, u, k, ok
}

// fraction returns whole + num/den units u in the next smaller unit (hours for days),
// when that is a whole number of them; a fraction of minutes, months or years is none.
func fraction(whole, num, den int, u unit) (int, unit, bool) {
	per := map[unit]int{hour: 60, day: 24, week: 7}[u]
	if per == 0 || whole > maxCount || (num*per)%den != 0 {
		return 0, 0, false
	}
	return whole*per + num*per/den, u - 1, true
}

// decimal reads the number that w starts with, in digits with at most two decimals
// ("2", "1.5", "0.25"): its whole part, its fraction num/den, and where it ends in w. A
// number without a digit before its point is none.
func decimal(w string) (whole, num, den, end int, ok bool) {
	end = strings.IndexFunc(w, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(w)
	}
	if end == 0 || end > 4 {
		return 0, 0, 0, 0, false
	}
	whole, _ = strconv.Atoi(w[:end])
	den = 1
	if end < len(w) && w[end] == '.' {
		digits := strings.IndexFunc(w[end+1:], func(r rune) bool { return r < '0' || r > '9' })
		if digits < 0 {
			digits = len(w) - end - 1
		}
		if digits == 0 || digits > 2 {
			return 0, 0, 0, 0, false
		}
		num, _ = strconv.Atoi(w[end+1 : end+1+digits])
		den, end = map[int]int{1: 10, 2: 100}[digits], end+1+digits
	}
	return whole, num, den, end, true
}

// matchLength reads "for 30 minutes", "for 1h", "for an hour" and "for 2 days": how long
// the task takes. It counts only where the phrase ends, or a date, a time or one of
// startWords follows ("meeting for 1h tomorrow at 3"), so that "for 2 days in a row"
// stays the title's; and only up to taskwire.MaxDurationDays. ("Buy food for 3 days" is
// read as taking 3 days: the dry run shows it.)
//
// After a repeat rule, "for [the next]" days, weeks, months or years is how long the
// series runs instead ("every monday for 3 months", "every day for the next 2 weeks", see
// runFor), which may be longer than a task may take.
func matchLength(p *parser, i int) (int, string) {
	if p.word(i) != "for" || (p.length != nil && (p.rule == nil || p.run != nil)) {
		return 0, ""
	}
	at := i + 1
	if p.rule != nil && p.run == nil && p.word(at) == "the" && p.word(at+1) == "next" {
		at += 2 // "every day for the next 2 weeks"
	}
	n, u, k, ok := p.duration(at, true)
	if !ok {
		return 0, ""
	}
	next := at + k
	if _, _, _, dk := p.dateAt(next, false); !p.phraseEnds(next) && !startWords[p.word(next)] && dk == 0 {
		if _, _, timed := p.clockAt(next, false); !timed {
			return 0, ""
		}
	}
	if p.rule != nil && p.run == nil && u >= day && n >= 1 && n <= maxRun {
		p.run, p.runAt = &span{n: n, u: u}, []int{i, next}
		return next - i, "for " + describe(n, u)
	}
	if at > i+1 {
		return 0, "" // "for the next 2 hours" is no length
	}
	d, isDuration := durationOf(n, u)
	if p.length != nil || !isDuration {
		return 0, ""
	}
	if _, err := taskwire.ValidDuration(d.String()); err != nil {
		return 0, ""
	}
	p.length = &d
	p.lengthAt = []int{i, next}
	return 1 + k, "takes " + describeLength(d)
}

// startWords may follow a length and begin its date: "for 2 weeks on monday", "every day
// for 2 weeks starting monday".
var startWords = map[string]bool{"on": true, "starting": true, "beginning": true, "from": true}

// maxRun is the most units a series may be said to run for ("for 999 days").
const maxRun = 999

// span is a stretch of calendar time: n days, weeks, months or years.
type span struct {
	n int
	u unit
}

// lastDay returns the last day of the span that starts on first: "for 3 months" from
// 9 March is until 8 June.
func (s span) lastDay(first date) date {
	switch s.u {
	case week:
		return first.add(7*s.n - 1)
	case month:
		return first.addMonths(s.n).add(-1)
	case year:
		return first.addMonths(12 * s.n).add(-1)
	}
	return first.add(s.n - 1)
}

// durationOf returns n units u as a taskwire.Duration, which counts no months or years.
func durationOf(n int, u unit) (taskwire.Duration, bool) {
	switch u {
	case minute:
		return taskwire.Duration{Minutes: n}, true
	case hour:
		return taskwire.Duration{Hours: n}, true
	case day:
		return taskwire.Duration{Days: n}, true
	case week:
		return taskwire.Duration{Weeks: n}, true
	}
	return taskwire.Duration{}, false
}

// describeLength says d for people: "30 minutes", "1 hour", "2 days", and a time range's
// "1 hour 30 minutes".
func describeLength(d taskwire.Duration) string {
	switch {
	case d.Weeks > 0:
		return describe(d.Weeks, week)
	case d.Days > 0:
		return describe(d.Days, day)
	case d.Hours > 0 && d.Minutes > 0:
		return describe(d.Hours, hour) + " " + describe(d.Minutes, minute)
	case d.Hours > 0:
		return describe(d.Hours, hour)
	}
	return describe(d.Minutes, minute)
}

// fromNow returns the minute n minutes or hours (u) from now.
func (p *parser) fromNow(n int, u unit) time.Time {
	step := time.Minute
	if u == hour {
		step = time.Hour
	}
	return p.now.Add(time.Duration(n) * step).Truncate(time.Minute)
}

// matchIn reads "in 2 hours" (a due time from now) and "in 3 days" (a due date), or
// "within 3 days", also written "2 hours from now" and "a week from today", and days or
// longer from another day: "a week from tomorrow", "2 weeks from friday", "10 days from
// dec 1", "3 days after the 15th", or before it, "30 days before dec 31" (the day that
// makes, passed or not); each after an optional "due" ("report due in 3 days").
func matchIn(p *parser, i int) (int, string) {
	if p.at != nil || p.date != nil || p.rule != nil {
		return 0, ""
	}
	k, meaning := p.in(i)
	if k == 0 && p.word(i) == "due" {
		if k, meaning = p.in(i + 1); k > 0 {
			k++
		}
	}
	return k, meaning
}

// in is matchIn without "due": it reads the due time or date at word i.
func (p *parser) in(i int) (int, string) {
	start, fromDay, sign := dateOf(p.now), false, 1
	var n, k int
	var u unit
	var ok bool
	if w := p.word(i); w == "in" || w == "within" {
		// "in 3 business days": weekdays on, Saturdays and Sundays skipped
		if days, ok := count(p.word(i+1), true); ok {
			if m := p.businessDays(i + 2); m > 0 {
				d := weekdaysAfter(start, days)
				p.date, p.dateFrag = &d, len(p.frag)
				return 2 + m, "on " + d.String()
			}
			// "in 2 weekends": the Saturday of the second weekend to come, counting the
			// one that starts tomorrow or later; not "weekends" as a rule's days.
			if w := p.word(i + 2); w == "weekends" || (w == "weekend" && days == 1) {
				d := start.add((int(time.Saturday)-int(start.weekday())+6)%7 + 1 + 7*(days-1))
				p.date, p.dateFrag = &d, len(p.frag)
				return 3, "on " + d.String()
			}
		}
		n, u, k, ok = p.duration(i+1, true)
		k++
	} else if n, u, k, ok = p.duration(i, true); ok && offsetSigns[p.word(i+k)] != 0 {
		sign = offsetSigns[p.word(i+k)]
		switch p.word(i + k + 1) {
		case "now", "today":
			k += 2
		default:
			// "a week from tomorrow", "2 weeks from friday", "10 days from dec 1": from a
			// day (a day's part or time, "tonight", is no such day)
			d, part, c, dk := p.dateAfter(i+k+1, true)
			start, fromDay, ok = d, true, dk > 0 && part == nil && c == nil
			k += 1 + dk
		}
	} else {
		ok = false
	}
	if !ok {
		return 0, ""
	}
	var d date
	switch u {
	case minute, hour:
		if p.clock != nil {
			return 0, ""
		}
		if fromDay {
			return 0, "" // "2 hours from tomorrow": from a day, no time
		}
		t := p.fromNow(n, u)
		p.at = &t
		return k, "due " + t.Format("Mon 2 Jan 2006 15:04")
	case day:
		d = start.add(sign * n)
	case week:
		d = start.add(sign * 7 * n)
	case month:
		d = start.addMonths(sign * n)
	case year:
		d = start.addMonths(sign * 12 * n)
	}
	p.date, p.dateFrag = &d, len(p.frag)
	return k, "on " + d.String()
}

// offsetSigns are the words between a duration and the day it counts from, and the way
// each counts: "a week from friday", "3 days after monday", "30 days before dec 31".
var offsetSigns = map[string]int{"from": 1, "after": 1, "before": -1}

// businessDays reads "business days", "working days", "workdays" or "weekdays" (or one of
// them) at word j, and returns how many words it took, 0 for none.
func (p *parser) businessDays(j int) int {
	switch p.word(j) {
	case "weekday", "weekdays", "workday", "workdays":
		return 1
	case "business", "working":
		if w := p.word(j + 1); w == "day" || w == "days" {
			return 2
		}
	}
	return 0
}

// weekdaysAfter returns the nth weekday (Monday to Friday) after d.
func weekdaysAfter(d date, n int) date {
	for n > 0 {
		if d = d.add(1); d.weekday() != time.Saturday && d.weekday() != time.Sunday {
			n--
		}
	}
	return d
}
