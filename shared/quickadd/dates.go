package quickadd

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// monthDay reads "april 15", "apr 15th", "15 april" or "15th of april" at word j.
func (p *parser) monthDay(j int) (time.Month, int, int) {
	if m, ok := months[p.word(j)]; ok {
		d, ok := ordinal(p.word(j + 1))
		if w, isWord := dayWords[p.word(j+1)]; isWord && p.word(j) != "may" { // "january first"; not "I may first call"
			d, ok = w, true
		}
		if ok && d <= maxDaysIn(m) {
			return m, d, 2
		}
		return 0, 0, 0
	}
	d, ok := ordinal(p.word(j))
	if w, isWord := dayWords[p.word(j)]; isWord && p.word(j+1) == "of" { // "the first of may"
		d, ok = w, true
	}
	if !ok {
		return 0, 0, 0
	}
	k := j + 1
	if p.word(k) == "of" {
		k++
	}
	if m, ok := months[p.word(k)]; ok && d <= maxDaysIn(m) {
		return m, d, k + 1 - j
	}
	return 0, 0, 0
}

// matchDate reads a due date, after an optional "due", "on", "by", "before", "starting",
// "beginning" or "from" (and "starting on", "starting from"): "today", "tonight", "this
// evening", "in the morning" (the next one), "tomorrow", "day after tomorrow", "next
// week", "next week on tuesday", "tuesday next week", "monday after next", "next month",
// "next year", "this weekend", "next weekend", "first day of next month", "friday",
// "next friday", "this friday", "april 15", "15 april 2027", "april 15 next year",
// "june next year", "next june", "by april" (its 1st), "the 15th of april",
// "2026-12-03" (and "2026-12-03T14:00"), "[at] the end of the month", "end of the year",
// and after one of those words "the 15th", each optionally followed by "morning",
// "afternoon", "evening" or "night". A day after "last" or "past" is gone, and no due
// date: "call mom last friday" keeps its title, as "yesterday" does.
func matchDate(p *parser, i int) (int, string) {
	if w := p.word(i - 1); p.date != nil || p.at != nil || w == "except" || w == "last" || w == "past" {
		return 0, ""
	}
	j := i
	if p.word(j) == "due" {
		j++
	}
	plain := false // introduced by a word after which "the 15th", "sun" and "1/2" are no dates
	ahead := false // "before friday": due by the day before, unless a time of day is given
	start := false // "starting dec 1": a series' first day, which may have passed
	switch w := p.word(j); {
	case w == "on", w == "by":
		j++
	case w == "starting", w == "from", w == "beginning" && p.word(j+1) != "of":
		j, start = j+1, true // not "beginning of the month"
		if w != "from" && (p.word(j) == "on" || p.word(j) == "from") {
			j++ // "starting on aug 3", "beginning from monday"
		}
	case w == "before": // "before the end of the month" is by then, not a day earlier
		j, ahead = j+1, !p.endOf(j+1)
	case w == "for": // "slides for monday", not "a recipe for 1/2 cup" or "a hat for sun"
		j, plain = j+1, true
	case w == "at" && (edges[p.word(j+1)] || (p.word(j+1) == "the" && edges[p.word(j+2)])):
		j++ // "at the end of the month", "at the start of next week"; else a time's ("at 5")
	case (w == "over" || w == "at") && p.word(j+1) == "the" && p.word(j+2) == "weekend":
		j++ // "over the weekend", "at the weekend"
	case w == "in" && strings.HasPrefix(p.word(j+1), "mid"):
		j++ // "in mid january"
	case w == "sometime", w == "later" && (p.word(j+1) == "today" || p.word(j+1) == "tonight" || p.word(j+1) == "this"):
		j++ // "sometime next week", "later today": that day, or the period's first
	}
	if start, end, k := p.dateSpan(j); k > 0 && p.length == nil && !ahead {
		// A span of days is the day the task is due and how many it takes.
		length := taskwire.Duration{Days: int(end.utc().Sub(start.utc()).Hours()/24) + 1}
		p.date, p.dateFrag = &start, len(p.frag)
		p.length, p.lengthAt = &length, []int{i, j + k}
		return j + k - i, "on " + start.String() + " to " + end.String() + ", takes " + describeLength(length)
	}
	d, part, c, k := p.dateAfter(j, j > i && !plain)
	if m, ok := months[p.word(j)]; k == 0 && ok {
		switch y, n := p.yearOf(j + 1); {
		case n > 0:
			// "june next year", "june 2027": its 1st, as "in june next year" is; a month
			// alone is no date ("call june"). Not in dateAt: "until june next year" ends
			// a series before June.
			d, k = date{y, m, 1}, 1+n
		case start && p.word(j-1) != "from":
			// "every 6 months starting march": the month's 1st ("from may" may be a name's)
			d, _ = nextDate(dateOf(p.now), m, 1)
			k = 1
		case (p.word(j-1) == "by" || p.word(j-1) == "before") && p.phraseEnds(j+1):
			// "taxes by april": as "in april" is (monthAhead); "before april" the day before
			// it. Where the phrase ends: "by may be" is no date.
			d, k = monthAhead(dateOf(p.now), m), 1
		}
	}
	if k == 0 {
		return 0, ""
	}
	j += k
	if pc, n := p.partOf(j); pc != nil && part == nil { // "on the 15th in the morning"
		part, j = pc, j+n
	} else if p.word(j) == "first" && p.word(j+1) == "thing" && part == nil { // "monday first thing"
		part, j = &morningClock, j+2
	}
	p.date, p.dateFrag, p.ahead = &d, len(p.frag), ahead
	p.yearless = start && namesDay(p.toks[i:j]) && !saysYear(p.toks[i:j])
	if part != nil {
		p.part = part
	}
	meaning := "on " + d.String()
	if ahead {
		meaning = "before " + d.String()
	}
	if c != nil && p.clock == nil {
		p.clock = c
		meaning += " at " + c.String()
	}
	if plain {
		p.forWhen = []int{i, j}
	}
	return j - i, meaning
}

// namesDay reports whether words name a day of the year: a month ("dec 1") or a date in
// numbers ("1.12.", "12/1"), not a weekday or a period ("next year").
func namesDay(words []token) bool {
	return slices.ContainsFunc(words, func(t token) bool {
		_, month := months[t.word]
		return month || strings.ContainsAny(t.word, "./")
	})
}

// saysYear reports whether words give a year: four digits ("2026", "1/12/2026"), three
// numbers of a date ("1.12.26"), or "next year".
func saysYear(words []token) bool {
	for _, t := range words {
		if t.word == "year" {
			return true
		}
		digits, numbers := 0, 0
		for k, r := range t.word {
			switch {
			case r >= '0' && r <= '9':
				if digits++; digits == 4 {
					return true
				}
				if k == 0 || t.word[k-1] < '0' || t.word[k-1] > '9' {
					numbers++
				}
			default:
				digits = 0
			}
		}
		if numbers >= 3 {
			return true
		}
	}
	return false
}

// endOf reports whether the words from j on say the end of a period: "[the] end of the
// month", "eow", "eom".
func (p *parser) endOf(j int) bool {
	switch p.word(j) {
	case "end", "eow", "eom":
		return true
	case "the":
		return p.word(j+1) == "end"
	}
	return false
}

// spanWords join the ends of a span of days: "july 1 to july 14".
var spanWords = map[string]bool{"to": true, "through": true, "thru": true, "till": true, "until": true, "-": true, "–": true}

// edges are the words of a period's edge that "at" may come before ("at the end of the
// month").
var edges = map[string]bool{"end": true, "start": true, "beginning": true}

// dateSpan reads a span of days that names its month at word j: "july 1-14", "1-14
// july", "23rd-24th of march", "march 10 to 12", "july 1 to july 14", "june 28 through
// july 3". It returns its first and last day, the first span that starts from today on
// (as "march 1" alone is the next 1 March), and how many words it took; 0 words for none,
// or for a span longer than a task may take (taskwire.MaxDurationDays). Days in digits
// before "of" need a suffix ("5th-7th of june"), so that "chapters 3-5 of march report"
// keeps its title.
func (p *parser) dateSpan(j int) (date, date, int) {
	var m1, m2 time.Month
	var d1, d2, k int
	if m, ok := months[p.word(j)]; ok {
		if a, b, ok := dayPair(p.word(j + 1)); ok { // "july 1-14"
			m1, m2, d1, d2, k = m, m, a, b, 2
		} else if a, ok := ordinal(p.word(j + 1)); ok && spanWords[p.word(j+2)] {
			if mb, ok := months[p.word(j+3)]; ok { // "july 1 to july 14"
				if b, ok := ordinal(p.word(j + 4)); ok {
					m1, m2, d1, d2, k = m, mb, a, b, 5
				}
			} else if b, ok := ordinal(p.word(j + 3)); ok { // "march 10 to 12"
				m1, m2, d1, d2, k = m, m, a, b, 4
			}
		}
	} else if a, b, ok := dayPair(p.word(j)); ok { // "23-24 march", "23rd-24th of march"
		i := j + 1
		if p.word(i) == "of" && !allDigits(strings.ReplaceAll(p.word(j), "-", "")) {
			i++ // not "chapters 3-5 of march report"
		}
		if m, ok := months[p.word(i)]; ok {
			m1, m2, d1, d2, k = m, m, a, b, i+1-j
		}
	}
	if k == 0 {
		return date{}, date{}, 0
	}
	start, ok := nextDate(dateOf(p.now), m1, d1)
	end := date{start.y, m2, d2}
	if m2 < m1 {
		end.y++ // "december 28 to january 3"
	}
	if !ok || !end.valid() || !before(start, end) || end.utc().Sub(start.utc()) >= taskwire.MaxDurationDays*24*time.Hour {
		return date{}, date{}, 0
	}
	return start, end, k
}

// dayPair reads two days of a month in one word: "1-14", "23rd–24th".
func dayPair(w string) (int, int, bool) {
	a, b, ok := cutDash(w)
	x, okA := ordinal(a)
	y, okB := ordinal(b)
	return x, y, ok && okA && okB
}

// dateAfter reads a date at word j as dateAt does. After a word such as "on" or "until"
// (introduced), it also reads "the 15th" and "15th": the next 15th from today on. Without
// such a word, "the 2nd" is left to the title ("read the 2nd chapter"), and "15" after it
// too ("on 15 pages").
func (p *parser) dateAfter(j int, introduced bool) (date, *clock, *clock, int) {
	d, part, c, k := p.dateAt(j, introduced)
	switch w := p.word(j); {
	case k > 0 || !introduced:
	case w == "the":
		if d, k = p.nextMonthDay(j + 1); k > 0 {
			k++
		}
	case !allDigits(w): // "by 25th"
		d, k = p.nextMonthDay(j)
	}
	return d, part, c, k
}

// phraseEnds reports whether a phrase ends before word k: the line or a comma ends there,
// or word k begins something else quick add reads (a time, a reminder, a repeat rule, a
// tag or a priority).
func (p *parser) phraseEnds(k int) bool {
	switch w := p.word(k); {
	case w == "" || p.comma(k-1):
		return true
	case w == "at" || w == "remind" || w == "every" || w == "and":
		return true
	default:
		return strings.HasPrefix(w, "#") || strings.HasPrefix(w, "!") || strings.HasPrefix(w, "@")
	}
}

// dayBefore reports whether the word before word j, read or not, names a day ("friday",
// "15th", "fifteenth"), a month ("april") or is "of": "this month" or "this year" after
// it says which month or year that is ("the last friday of this month", "in april this
// year"), not a deadline of its own.
func (p *parser) dayBefore(j int) bool {
	if j < 1 || j > len(p.toks) {
		return false
	}
	w := p.toks[j-1].word
	_, weekday := weekdays[w]
	_, day := ordinal(w)
	_, inWords := dayWords[w]
	_, month := months[w]
	return weekday || (day && !allDigits(w)) || inWords || month || w == "of"
}

// nextPart returns the day of the next part of the day that starts at part: today, or
// tomorrow once its time has passed.
func (p *parser) nextPart(part *clock) date {
	if p.now.Hour()*60+p.now.Minute() >= part.h*60+part.m {
		return dateOf(p.now).add(1)
	}
	return dateOf(p.now)
}

// dateAt reads a date at word j: the date, the time of day a word such as "tonight"
// implies, the time an ISO 8601 date-time gives, and how many words it took. Introduced
// says a word such as "on" comes before, which makes a short day name that is also a word
// ("sun", "sat") a date.
func (p *parser) dateAt(j int, introduced bool) (date, *clock, *clock, int) {
	today := dateOf(p.now)
	// nextWeekday is the next such day after today, or from today on when today counts.
	nextWeekday := func(wd time.Weekday, todayCounts bool) date {
		n := (int(wd) - int(today.weekday()) + 7) % 7
		if n == 0 && !todayCounts {
			n = 7
		}
		return today.add(n)
	}
	// This weekend is its Saturday, or today on its Sunday; next weekend the Saturday
	// after it.
	thisWeekend, nextWeekend := nextWeekday(time.Saturday, true), nextWeekday(time.Saturday, true).add(7)
	if today.weekday() == time.Sunday {
		thisWeekend, nextWeekend = today, nextWeekday(time.Saturday, false)
	}
	// This week, as something to get done in it, is by its Friday, where a working week
	// ends; on its weekend, by its Sunday, the last day it has left.
	thisWeek := nextWeekday(time.Friday, true)
	if wd := today.weekday(); wd == time.Saturday || wd == time.Sunday {
		thisWeek = nextWeekday(time.Sunday, true)
	}
	if d, k := p.nthWeekdayOf(j); k > 0 {
		return d, nil, nil, k
	}
	if m, day, k := p.holidayAt(j); k > 0 && (introduced || p.word(j-1) == "for") {
		// "on christmas eve", "cards by christmas", "presents for christmas"; alone,
		// "christmas tree shopping" is none.
		if d, ok := nextDate(today, m, day); ok {
			return d, nil, nil, k
		}
	}
	w := p.word(j)
	switch w {
	case "today":
		return today, nil, nil, 1
	case "tonight", "tonite":
		return today, &nightClock, nil, 1
	case "tomorrow", "tmrw", "tmr", "tomorow":
		return today.add(1), nil, nil, 1
	case "day":
		if p.word(j+1) == "after" && p.word(j+2) == "tomorrow" {
			return today.add(2), nil, nil, 3
		}
	case "this":
		if part := parts[p.word(j+1)]; part != nil {
			return today, part, nil, 2
		}
		if wd, ok := weekdays[p.word(j+1)]; ok {
			return nextWeekday(wd, true), nil, nil, 2
		}
		if p.word(j+1) == "weekend" {
			return thisWeekend, nil, nil, 2
		}
		if wd, ok := weekdays[p.word(j+2)]; ok && p.word(j+1) == "coming" { // "this coming tuesday": never today
			return nextWeekday(wd, false), nil, nil, 3
		}
		if p.word(j+1) == "coming" && p.word(j+2) == "weekend" {
			return thisWeekend, nil, nil, 3
		}
		if p.word(j+1) == "week" { // "finish the report this week"
			return thisWeek, nil, nil, 2
		}
		if p.word(j+1) == "month" && !p.dayBefore(j) { // "pay the invoice this month": by its last day
			return today.monthEnd(), nil, nil, 2
		}
		if p.word(j+1) == "year" && !p.dayBefore(j) { // "renew the passport this year": by 31 December
			return today.yearEnd(), nil, nil, 2
		}
	case "later":
		// "later this week|month|year": as "this week|month|year" is.
		if w := p.word(j + 2); p.word(j+1) == "this" && (w == "week" || (w == "month" || w == "year") && !p.dayBefore(j)) {
			if d, _, _, n := p.dateAt(j+1, introduced); n == 2 {
				return d, nil, nil, 3
			}
		}
	case "first":
		// "first day of [the] next week|month|year", as "beginning of" says it, and "first
		// day of january": the coming 1 January, or that of the year given.
		if p.word(j+1) == "day" {
			if m, ok := months[p.word(j+3)]; ok && p.word(j+2) == "of" {
				if y, n := p.yearOf(j + 4); n > 0 {
					return date{y, m, 1}, nil, nil, 4 + n
				}
				d, _ := nextDate(today, m, 1)
				return d, nil, nil, 4
			}
			if d, n := p.periodStart(j+2, introduced); n > 0 {
				return d, nil, nil, n + 2
			}
			break
		}
		// "first thing tomorrow": that day's morning; "first thing" alone, where the phrase
		// ends, the next morning, as "in the morning" is.
		if p.word(j+1) != "thing" {
			break
		}
		if d, part, c, k := p.dateAt(j+2, introduced); k > 0 && part == nil && c == nil {
			return d, &morningClock, nil, k + 2
		}
		k := 2
		if p.word(j+2) == "in" && p.word(j+3) == "the" && p.word(j+4) == "morning" {
			k = 5 // "first thing in the morning"
		}
		if p.phraseEnds(j + k) {
			return p.nextPart(&morningClock), &morningClock, nil, k
		}
	case "in":
		// "in the morning": the next one, today's unless its time has passed (typed at
		// night, tomorrow's). Only where the phrase ends: "put it in the evening bag" and
		// "read the news in the morning paper" are titles.
		if part := parts[p.word(j+2)]; part != nil && p.word(j+1) == "the" && p.phraseEnds(j+3) {
			return p.nextPart(part), part, nil, 3
		}
		// "in april", "in april 2027", "in april next year": its 1st, as "next month" is; of
		// the April to come, or of the year given. Where the phrase ends, so that "in may
		// be" is no date.
		// This month's 1st has passed: "in december" typed in December is this month, by
		// its last day, as "this month" is.
		if m, ok := months[p.word(j+1)]; ok {
			// "in april 15": the date, with its "in"; not after a verb whose "in" it is
			// ("check in dec 20 at the hotel" keeps "check in", and "dec 20" is the date).
			if d, c, k := p.calendarDate(j+1, false); k > 0 && !(j > 0 && verbsWithIn[p.toks[j-1].word]) {
				return d, nil, c, k + 1
			}
			if y, n := p.yearOf(j + 2); n > 0 && p.phraseEnds(j+2+n) {
				if y == today.y && m == today.m {
					return today.monthEnd(), nil, nil, 2 + n
				}
				return date{y, m, 1}, nil, nil, 2 + n
			}
			if p.phraseEnds(j + 2) {
				return monthAhead(today, m), nil, nil, 2
			}
		}
	case "next":
		if wd, ok := weekdays[p.word(j+1)]; ok {
			return nextWeekday(wd, false), nil, nil, 2
		}
		// "next march", "next march 3": the 1st (or the day) of the March to come, a year
		// away in March. A month alone only where the phrase ends, so that "next may be"
		// is no date.
		if m, ok := months[p.word(j+1)]; ok {
			day, k := 1, 2
			if dm, dd, n := p.monthDay(j + 1); n > 0 && dm == m {
				day, k = dd, 1+n
			} else if !p.phraseEnds(j + 2) {
				break
			}
			if d := (date{today.y + 1, m, day}); m == today.m && d.valid() {
				return d, nil, nil, k
			}
			if d, ok := nextDate(today, m, day); ok {
				return d, nil, nil, k
			}
		}
		if k := p.businessDays(j + 1); k > 0 { // "next business day": Monday after a Friday
			return weekdaysAfter(today, 1), nil, nil, k + 1
		}
		switch p.word(j + 1) {
		case "week": // its Monday, or the day of it that follows: "next week on tuesday"
			k, on := j+2, p.word(j+2) == "on"
			if on {
				k++
			}
			if wd, ok := p.dayName(k, on); ok {
				return nextWeekday(time.Monday, false).add(daysFromMonday(wd)), nil, nil, k + 1 - j
			}
			return nextWeekday(time.Monday, false), nil, nil, 2
		case "weekend": // the Saturday after this weekend's
			return nextWeekend, nil, nil, 2
		case "month": // its 1st, or "next month on the 15th"
			first, k := today.monthStart(1), j+2
			if p.word(k) == "on" {
				k++
			}
			if p.word(k) == "the" {
				k++
			}
			if nths, wd, kd := p.nthWeekday(k); kd > 0 && len(nths) == 1 && k > j+2 { // "next month on the first monday"
				return nthWeekdayIn(first, nths[0], wd), nil, nil, k + kd - j
			}
			if d, ok := ordinal(p.word(k)); ok && (k > j+2 || !allDigits(p.word(k))) { // "next month on the 15th", "next month 15th"
				// The month is named: its last day when it is shorter (the 31st of April is the 30th).
				return date{first.y, first.m, d}.addMonths(0), nil, nil, k + 1 - j
			}
			return first, nil, nil, 2
		case "year": // 1 January; "next year june 20", "next year in june": that day, or month's 1st, of next year
			k := j + 2
			if p.word(k) == "on" || p.word(k) == "in" {
				k++
			}
			if m, day, n := p.monthDay(k); n > 0 && (date{today.y + 1, m, day}).valid() {
				return date{today.y + 1, m, day}, nil, nil, k + n - j
			}
			if m, ok := months[p.word(k)]; ok && p.phraseEnds(k+1) {
				return date{today.y + 1, m, 1}, nil, nil, k + 1 - j
			}
			return date{today.y + 1, time.January, 1}, nil, nil, 2
		case "quarter": // its first day: 1 January, April, July or October
			return quarterStart(today).monthStart(3), nil, nil, 2
		}
	case "the": // "the 15th of april", "the end of the month", "the day after tomorrow", "the last day of the month"
		if _, ok := weekdays[p.word(j+1)]; (ok || p.word(j+1) == "weekend") && p.word(j+2) == "after" {
			if d, part, c, n := p.dateAt(j+1, introduced); n == 3 { // "the monday after next"
				return d, part, c, n + 1
			}
		}
		if introduced && p.word(j+1) == "weekend" { // "on the weekend", "over the weekend"
			return thisWeekend, nil, nil, 2
		}
		if d, k := p.nthWeekdayOf(j + 1); k > 0 { // "the last friday of the month"
			return d, nil, nil, k + 1
		}
		if _, _, k := p.monthDay(j + 1); k > 0 || edges[p.word(j+1)] || p.word(j+1) == "day" || p.word(j+1) == "last" ||
			(p.word(j+1) == "first" && p.word(j+2) == "day") {
			if d, part, c, n := p.dateAt(j+1, introduced); n > 0 {
				return d, part, c, n + 1
			}
		}
	case "end", "last":
		// "end of month", "end of the year", "end of the quarter": its last day; "end of
		// [the] week": its Friday, the end of a working week (from a weekend, the next
		// one); "end of next week|month|quarter|year".
		// "last day of [the] [next] month|year" is the end of it too; not of a week, whose
		// last day some count as Sunday and some as Friday.
		k := j + 1
		if w == "last" {
			if p.word(k) != "day" || p.word(k+2) == "week" || p.word(k+3) == "week" || p.word(k+4) == "week" {
				break
			}
			k++
		}
		if p.word(k) != "of" {
			break
		}
		if k++; p.word(k) == "the" || p.word(k) == "this" { // "end of this year" is "end of the year"
			k++
		}
		next := 0
		if p.word(k) == "next" {
			next, k = 1, k+1
		}
		switch p.word(k) {
		case "week":
			if next == 1 {
				return nextWeekday(time.Monday, false).add(daysFromMonday(time.Friday)), nil, nil, k + 1 - j
			}
			return nextWeekday(time.Friday, true), nil, nil, k + 1 - j
		case "month":
			return today.monthStart(1 + next).add(-1), nil, nil, k + 1 - j
		case "year":
			return date{today.y + next, time.December, 31}, nil, nil, k + 1 - j
		case "quarter": // 31 March, 30 June, 30 September or 31 December
			return quarterStart(today).monthStart(3 * (1 + next)).add(-1), nil, nil, k + 1 - j
		default:
			// "end of march", "the last day of february": of the month to come, or this
			// one, or of the year given ("end of february 2028").
			if m, ok := months[p.word(k)]; ok && next == 0 {
				y := today.y
				if m < today.m {
					y++
				}
				if given, n := p.yearOf(k + 1); n > 0 {
					y, k = given, k+n
				}
				return date{y, m + 1, 1}.add(-1), nil, nil, k + 1 - j
			}
		}
	case "weekend":
		if p.word(j+1) == "after" && p.word(j+2) == "next" { // the Saturday after next weekend's
			return nextWeekend.add(7), nil, nil, 3
		}
	case "beginning", "start":
		// "beginning|start of [the] next week|month|year": its first day. Not "early" or
		// "late", which say how in "leave early next week".
		if d, n := p.periodStart(j+1, introduced); n > 0 {
			return d, nil, nil, n + 1
		}
	case "mid": // "mid next week": its Wednesday ("mid next month" is midMonth's)
		if p.word(j+1) == "next" && p.word(j+2) == "week" {
			first, _, _, _ := p.dateAt(j+1, introduced)
			return first.add(2), nil, nil, 3
		}
	case "eow": // end of week
		return nextWeekday(time.Friday, true), nil, nil, 1
	case "eom": // end of month
		return today.monthEnd(), nil, nil, 1
	}
	if d, k := p.midMonth(j); k > 0 {
		return d, nil, nil, k
	}
	if wd, ok := p.dayName(j, introduced); ok {
		if p.word(j+1) == "next" && p.word(j+2) == "week" { // "tuesday next week"
			return nextWeekday(time.Monday, false).add(daysFromMonday(wd)), nil, nil, 3
		}
		if p.word(j+1) == "after" && p.word(j+2) == "next" { // "monday after next"
			return nextWeekday(wd, false).add(7), nil, nil, 3
		}
		if d, c, k := p.calendarDate(j+1, false); k > 0 { // "tue 15 dec": the date says which
			return d, nil, c, k + 1
		}
		if d, k := p.theDayOf(j+1, wd); k > 0 { // "monday the 7th", "friday the 13th"
			return d, nil, nil, k + 1
		}
		return nextWeekday(wd, false), nil, nil, 1
	}
	d, c, k := p.calendarDate(j, introduced)
	return d, nil, c, k
}

// periodStart reads "of [the] next week|month|year" at word k ("beginning of next
// month", "the first day of next week"): that period's first day, and how many words it
// took, 0 for none. Not "of the month" alone, whose first day has passed.
func (p *parser) periodStart(k int, introduced bool) (date, int) {
	if p.word(k) != "of" {
		return date{}, 0
	}
	n := k + 1
	if p.word(n) == "the" {
		n++
	}
	if period := p.word(n + 1); p.word(n) != "next" || (period != "week" && period != "month" && period != "year") {
		return date{}, 0
	}
	first, _, _, _ := p.dateAt(n, introduced)
	return first, n + 2 - k
}

// calendarDate reads a date that names its day of the month at word j: "2026-12-24" (with
// a time of day, which it returns), "24.12.2026" and the other dates in digits (see
// numericDate), "dec 24", "24 december" and "december 24, 2027" (a month and day without a
// year are the next such date from today on). It returns how many words it took, 0 for
// none.
func (p *parser) calendarDate(j int, introduced bool) (date, *clock, int) {
	if d, c, ok := isoDate(p.word(j)); ok {
		return d, c, 1
	}
	if d, ok := p.numericDate(j, introduced); ok {
		return d, nil, 1
	}
	m, day, k := p.monthDay(j)
	if k == 0 {
		return date{}, nil, 0
	}
	if y, n := p.yearOf(j + k); n > 0 {
		if d := (date{y, m, day}); d.valid() {
			return d, nil, k + n
		}
		return date{}, nil, 0
	}
	if d, ok := nextDate(dateOf(p.now), m, day); ok {
		return d, nil, k
	}
	return date{}, nil, 0
}

// theDayOf reads "the 7th" after the name of weekday wd at word j: the next 7th from
// today on that falls on wd ("friday the 13th" may be months away), and how many words it
// took; 0 for none, or for a day of the month that is no such weekday in the next 28
// months (a 31st falls on each weekday within them).
func (p *parser) theDayOf(j int, wd time.Weekday) (date, int) {
	day, ok := ordinal(p.word(j + 1))
	if p.word(j) != "the" || !ok {
		return date{}, 0
	}
	today := dateOf(p.now)
	for n := range 28 {
		m := today.monthStart(n)
		if d := (date{m.y, m.m, day}); d.valid() && !before(d, today) && d.weekday() == wd {
			return d, 2
		}
	}
	return date{}, 0
}

// nthWeekdayOf reads one weekday's place in a month at word j: "first saturday of the
// month" (this month's, or the next one's once it has passed), "last friday of next
// month" (or "first monday next month"), "2nd tuesday of|in march [2027]" (of the March
// to come); or a business day's, "last business day of the month", "first working day
// of next month". It returns that day and how many words it took, 0 for none.
func (p *parser) nthWeekdayOf(j int) (date, int) {
	nths, wd, k := p.nthWeekday(j)
	in := func(first date) date { return nthWeekdayIn(first, nths[0], wd) }
	if k == 0 {
		if nth := nthWords[p.word(j)]; nth != 0 {
			if k = p.businessDays(j + 1); k > 0 {
				nths, k = []int{nth}, k+1
				in = func(first date) date { return nthBusinessDayIn(first, nth) }
			}
		}
	}
	switch w := p.word(j + k); {
	case k == 0 || len(nths) != 1:
		return date{}, 0
	case w == "of" || w == "in":
		k += j + 1
	case w == "next" && p.word(j+k+1) == "month": // "first monday next month"
		k += j
	default:
		return date{}, 0
	}
	today := dateOf(p.now)
	var firsts []date // the months it may be in, their first days, the soonest first
	switch w := p.word(k); {
	case (w == "the" || w == "this") && p.word(k+1) == "month":
		firsts, k = []date{today.monthStart(0), today.monthStart(1)}, k+2
	case w == "next" && p.word(k+1) == "month":
		firsts, k = []date{today.monthStart(1)}, k+2
	default:
		m, ok := months[w]
		if !ok {
			return date{}, 0
		}
		firsts, k = []date{{today.y, m, 1}, {today.y + 1, m, 1}}, k+1
		if y, n := p.yearOf(k); n > 0 {
			firsts, k = []date{{y, m, 1}}, k+n
		}
	}
	for _, first := range firsts {
		if d := in(first); !before(d, today) {
			return d, k - j
		}
	}
	return date{}, 0
}

// nthWeekdayIn returns the nth weekday wd of the month that starts on first: the first
// to the fourth, or the last (-1).
func nthWeekdayIn(first date, nth int, wd time.Weekday) date {
	if nth < 0 {
		last := first.monthStart(1).add(-1)
		return last.add(-((int(last.weekday()) - int(wd) + 7) % 7))
	}
	return first.add((int(wd)-int(first.weekday())+7)%7 + (nth-1)*7)
}

// nthBusinessDayIn returns the nth day from Monday to Friday of the month that starts on
// first: the first to the fourth, or the last (-1).
func nthBusinessDayIn(first date, nth int) date {
	if nth > 0 {
		return weekdaysAfter(first.add(-1), nth)
	}
	d := first.monthStart(1).add(-1)
	for d.weekday() == time.Saturday || d.weekday() == time.Sunday {
		d = d.add(-1)
	}
	return d
}

// midMonth reads "mid january", "mid-january", "mid month", "mid-month" and "mid next
// month" at word j: the 15th, as Todoist reads "mid January", of the month named (the
// next one from today on), of this month (or the next once it has passed) or of the next.
// It returns the day and how many words it took, 0 for none.
func (p *parser) midMonth(j int) (date, int) {
	w, k := p.word(j), j+1
	rest, ok := strings.CutPrefix(w, "mid-")
	if !ok {
		if w != "mid" {
			return date{}, 0
		}
		rest, k = p.word(k), k+1
	}
	today := dateOf(p.now)
	if m, ok := months[rest]; ok {
		d, ok := nextDate(today, m, 15)
		if !ok {
			return date{}, 0
		}
		return d, k - j
	}
	switch {
	case rest == "month":
		if d := (date{today.y, today.m, 15}); !before(d, today) {
			return d, k - j
		}
		return today.monthStart(1).add(14), k - j
	case rest == "next" && p.word(k) == "month":
		return today.monthStart(1).add(14), k + 1 - j
	}
	return date{}, 0
}

// quarterStart returns the first day of d's quarter of the year.
func quarterStart(d date) date {
	return d.monthStart(-((int(d.m) - 1) % 3))
}

// daysFromMonday counts the days from a week's Monday to its day wd (Sunday is the last).
func daysFromMonday(wd time.Weekday) int {
	return (int(wd) + 6) % 7
}

// dayName reads a day's name at word j. A short one that is also a word ("sun cream",
// "SAT prep", "Dr. Sun") is a day only where one is plainly meant: introduced (after
// "on", "next week" or the like), after a word such as "before" or a time of day ("9am
// sun"), or before a time of day ("sat 10am"), a part of the day ("sun morning") or "next
// week"; and never after an article or a title ("the SAT 8am", "Dr. Sun 3pm").
func (p *parser) dayName(j int, introduced bool) (time.Weekday, bool) {
	w := p.word(j)
	wd, ok := weekdays[w]
	if ok && j > 0 && occasions[p.toks[j-1].word] {
		return 0, false // "Black Friday", "Cyber Monday"
	}
	if !ok || !wordLikeDays[w] || introduced {
		return wd, ok
	}
	var prev string
	if j > 0 {
		prev = p.toks[j-1].word
	}
	switch {
	case nounBefore[prev]:
		return 0, false
	case dayBefore[prev], p.afterClock(j), parts[p.word(j+1)] != nil,
		p.word(j+1) == "next" && p.word(j+2) == "week":
		return wd, true
	}
	_, _, ok = p.clockAt(j+1, false)
	return wd, ok
}

// holidayAt reads at word j a holiday that falls on the same date every year:
// "christmas" or "xmas" (with "day", or "eve" for the 24th), "boxing day", "new year's
// eve" or "nye", "new year's day" or "new year", "valentine's day" and "halloween". It
// returns its month and day and how many words it took, 0 for none.
func (p *parser) holidayAt(j int) (time.Month, int, int) {
	switch w := p.word(j); w {
	case "christmas", "xmas":
		switch p.word(j + 1) {
		case "eve":
			return time.December, 24, 2
		case "day":
			return time.December, 25, 2
		}
		return time.December, 25, 1
	case "boxing":
		if p.word(j+1) == "day" {
			return time.December, 26, 2
		}
	case "nye":
		return time.December, 31, 1
	case "new":
		if y := p.word(j + 1); y == "year" || y == "years" || y == "year's" || y == "year’s" {
			switch p.word(j + 2) {
			case "eve":
				return time.December, 31, 3
			case "day":
				return time.January, 1, 3
			}
			return time.January, 1, 2
		}
	case "valentine's", "valentine’s", "valentines", "valentine":
		if p.word(j+1) == "day" {
			return time.February, 14, 2
		}
		if w != "valentine" {
			return time.February, 14, 1
		}
	case "halloween":
		return time.October, 31, 1
	}
	return 0, 0, 0
}

// nextMonthDay reads a day of the month ("15th", "15") at word j: the next such day from
// today on, skipping months without it, or next month's ("15th of next month"). It
// returns the words taken, 0 when there is no such day. The day ends there (dayEnds):
// "on the fifteenth", "by the 3rd at 5", not "on the first try", "on 3rd street" or "by
// the 3rd week of january".
func (p *parser) nextMonthDay(j int) (date, int) {
	day, ok := ordinal(p.word(j))
	if w, isWord := dayWords[p.word(j)]; isWord {
		day, ok = w, true
	}
	if !ok {
		return date{}, 0
	}
	today := dateOf(p.now)
	k := j + 1
	if p.word(k) == "of" {
		k++
	}
	if p.word(k) == "next" && p.word(k+1) == "month" { // "on the 15th of next month"
		first := today.monthStart(1)
		if d := (date{first.y, first.m, day}); d.valid() {
			return d, k + 2 - j
		}
		return date{}, 0
	}
	if !p.dayEnds(j + 1) {
		return date{}, 0
	}
	for n := 0; n < 12; n++ {
		first := today.monthStart(n)
		if d := (date{first.y, first.m, day}); d.valid() && !before(d, today) {
			return d, 1
		}
	}
	return date{}, 0
}

// dayEnds reports whether a day of the month read alone ends at word k: its phrase ends
// there, or a time, a part of the day or "this month" follows.
func (p *parser) dayEnds(k int) bool {
	_, part := p.partOf(k)
	return p.phraseEnds(k) || p.clockNext(k) || part > 0 || p.word(k) == "this" && p.word(k+1) == "month"
}

// yearOf reads the year of a month or a day at word j: four digits ("april 2027") or
// "next year" ("april 15 next year"). It returns the year and how many words it took, 0
// for none.
func (p *parser) yearOf(j int) (int, int) {
	if y, ok := p.year(j); ok {
		return y, 1
	}
	if p.word(j) == "next" && p.word(j+1) == "year" {
		return dateOf(p.now).y + 1, 2
	}
	return 0, 0
}

// year reads a year from 1970 to 9998 at word j.
func (p *parser) year(j int) (int, bool) {
	w := p.word(j)
	if len(w) != 4 || !allDigits(w) {
		return 0, false
	}
	y, _ := strconv.Atoi(w)
	return y, y >= 1970 && y <= 9998
}

func before(a, b date) bool {
	return a.y < b.y || (a.y == b.y && (a.m < b.m || (a.m == b.m && a.d < b.d)))
}

// isoDate reads "2026-12-03", optionally with a time as the API reads a local time:
// "2026-12-03t14:00" (the word is lower-case).
func isoDate(w string) (date, *clock, bool) {
	inRange := func(t time.Time) bool { return t.Year() >= 1970 && t.Year() <= 9998 }
	if t, err := time.Parse("2006-01-02", w); err == nil && inRange(t) {
		return dateOf(t), nil, true
	}
	if t, ok := taskwire.ParseLocalTime(w); ok && inRange(t) {
		return dateOf(t), &clock{h: t.Hour(), m: t.Minute(), meridiem: true}, true
	}
	return date{}, nil, false
}

// numericDate reads a date in digits at word j: "24.12.2026" and "24.12." day first, as
// dates with dots are written; "12/24/2026", "12/24/26" and "12/24" month first in the
// United States and day first elsewhere ("24/12"), where a number over 12 is the day in
// any zone.
// Without a year, "1/2 cup" and "1.5 kg" are no dates: such a date is read after a word
// such as "on" (introduced), with dots when the closing dot is typed ("24.12."), or with
// a slash next to a time of day ("party 12/31 8pm", "9am 12/24"), and is the next such
// day from today on. A year with dots has four digits, so that a
// version ("10.11.12") is no date.
func (p *parser) numericDate(j int, introduced bool) (date, bool) {
	w, sep := p.word(j), "/"
	if strings.Contains(w, ".") {
		sep = "."
	}
	parts := strings.Split(w, sep)
	if len(parts) < 2 || len(parts) > 3 {
		return date{}, false
	}
	for i, s := range parts {
		if s == "" || !allDigits(s) || (i < 2 && len(s) > 2) {
			return date{}, false
		}
	}
	a, _ := strconv.Atoi(parts[0])
	b, _ := strconv.Atoi(parts[1])
	day, month := a, b
	if sep == "/" && a <= 12 && (b > 12 || monthFirst(p.loc)) {
		day, month = b, a
	}
	if month < 1 || month > 12 {
		return date{}, false
	}
	if len(parts) == 3 {
		y, _ := strconv.Atoi(parts[2])
		switch {
		case len(parts[2]) == 2 && sep == "/":
			y += 2000
		case len(parts[2]) != 4:
			return date{}, false
		}
		d := date{y, time.Month(month), day}
		return d, d.valid() && y >= 1970 && y <= 9998
	}
	tok := p.toks[j]
	closed := sep == "." && strings.HasPrefix(p.text[tok.end:tok.full], ".")
	nextToClock := sep == "/" && (p.afterClock(j) || p.clockNext(j+1))
	if !introduced && !closed && !nextToClock {
		return date{}, false
	}
	if _, isUnit := units[p.word(j+1)]; sep == "." && !closed && isUnit {
		return date{}, false // "1.5 hours before": a number
	}
	return nextDate(dateOf(p.now), time.Month(month), day)
}

// monthAhead returns the day a task "in" or "by" month m is due, seen from today: the 1st
// of the m to come, or this month's last day when m is this month (its 1st has passed).
func monthAhead(today date, m time.Month) date {
	if m == today.m {
		return today.monthEnd()
	}
	d, _ := nextDate(today, m, 1)
	return d
}

// nextDate returns the next day m/d from today on: 29 February waits for a leap year.
func nextDate(today date, m time.Month, d int) (date, bool) {
	for y := today.y; y <= today.y+8; y++ {
		if next := (date{y, m, d}); next.valid() && !before(next, today) {
			return next, true
		}
	}
	return date{}, false
}

// monthFirst reports whether dates with slashes are written month first in loc: in the
// zones of the United States.
func monthFirst(loc *time.Location) bool {
	name := loc.String()
	for _, prefix := range []string{"US/", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return usZones[name]
}

// usZones are the other zones of the United States in the IANA database.
var usZones = map[string]bool{
	"America/New_York": true, "America/Chicago": true, "America/Denver": true, "America/Phoenix": true,
	"America/Los_Angeles": true, "America/Anchorage": true, "America/Adak": true, "America/Boise": true,
	"America/Detroit": true, "America/Juneau": true, "America/Menominee": true, "America/Metlakatla": true,
	"America/Nome": true, "America/Sitka": true, "America/Yakutat": true, "Pacific/Honolulu": true,
}
