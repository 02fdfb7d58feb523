package quickadd

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// rule is a repeat rule as read, written out as an RRULE by String.
type rule struct {
	freq        string // HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY
	interval    int
	byDay       []time.Weekday
	nths        []int        // with MONTHLY and one day of byDay: its places in the month, -1 the last
	byMonths    []time.Month // ascending; with YEARLY and one day of byMonthDays
	byMonthDays []int        // ascending, the last day (-1) last; with YEARLY one day of byMonths
	setPos      int          // with MONTHLY and byDay: which of those days in the month (BYSETPOS), -1 the last, 0 all
	byHour      []int        // the hours of several times a day ("at 8am and 8pm"), in order, at byMinute
	byMinute    int
	until       string // UNTIL's value: a date ("20260313", the whole day in the zone) or a local time
	count       int    // COUNT: how many occurrences in all, 0 for no such end
}

// withInterval returns a copy of r with another interval.
func (r rule) withInterval(n int) *rule {
	r.interval = n
	return &r
}

var rruleDays = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// String returns the rule as an RRULE.
func (r *rule) String() string {
	s := "FREQ=" + r.freq
	if r.interval > 1 {
		s += ";INTERVAL=" + strconv.Itoa(r.interval)
	}
	if r.until != "" {
		s += ";UNTIL=" + r.until
	}
	if r.count > 0 {
		s += ";COUNT=" + strconv.Itoa(r.count)
	}
	if len(r.byMonths) > 0 {
		months := make([]string, len(r.byMonths))
		for k, m := range r.byMonths {
			months[k] = strconv.Itoa(int(m))
		}
		s += ";BYMONTH=" + strings.Join(months, ",")
	}
	if len(r.byMonthDays) > 0 {
		days := make([]string, len(r.byMonthDays))
		for k, d := range r.byMonthDays {
			days[k] = strconv.Itoa(d)
		}
		s += ";BYMONTHDAY=" + strings.Join(days, ",")
	}
	if len(r.nths) > 0 {
		days := make([]string, len(r.nths))
		for k, nth := range r.nths {
			days[k] = strconv.Itoa(nth) + rruleDays[r.byDay[0]]
		}
		s += ";BYDAY=" + strings.Join(days, ",")
	} else if len(r.byDay) > 0 {
		days := make([]string, len(r.byDay))
		for k, d := range r.byDay {
			days[k] = rruleDays[d]
		}
		s += ";BYDAY=" + strings.Join(days, ",")
	}
	if r.setPos != 0 {
		s += ";BYSETPOS=" + strconv.Itoa(r.setPos)
	}
	if len(r.byHour) > 0 {
		hours := make([]string, len(r.byHour))
		for k, h := range r.byHour {
			hours[k] = strconv.Itoa(h)
		}
		s += ";BYHOUR=" + strings.Join(hours, ",") + ";BYMINUTE=" + strconv.Itoa(r.byMinute)
	}
	return s
}

// times says the rule's times of day (BYHOUR at BYMINUTE): "09:00 and 18:00".
func (r *rule) times() string {
	times := make([]string, len(r.byHour))
	for k, h := range r.byHour {
		times[k] = clock{h: h, m: r.byMinute}.String()
	}
	return andList(times)
}

// describe says the rule in words: "every 2 weeks on Friday".
func (r *rule) describe() string {
	u := freqUnit(r.freq)
	s := "every " + unitNames[u]
	if r.interval > 1 {
		s = "every " + describe(r.interval, u)
	}
	switch {
	case len(r.nths) > 0:
		names := make([]string, len(r.nths))
		for k, nth := range r.nths {
			names[k] = nthNames[nth]
		}
		s += " on the " + andList(names) + " " + r.byDay[0].String()
	case r.setPos != 0:
		s += " on the " + nthNames[r.setPos] + " weekday (Monday to Friday)"
	case slices.Equal(r.byDay, weekdayList):
		s += " on weekdays (Monday to Friday)"
	case len(r.byDay) > 0:
		names := make([]string, len(r.byDay))
		for k, d := range r.byDay {
			names[k] = d.String()
		}
		s += " on " + strings.Join(names, ", ")
	case len(r.byMonths) > 0:
		names := make([]string, len(r.byMonths))
		for k, m := range r.byMonths {
			names[k] = m.String()
		}
		s += " on " + strconv.Itoa(r.byMonthDays[0]) + " " + andList(names)
	case len(r.byMonthDays) > 0:
		names := make([]string, len(r.byMonthDays))
		for k, d := range r.byMonthDays {
			names[k] = ordinalName(d)
			if d == -1 {
				names[k] = "last day"
			}
		}
		s += " on the " + andList(names)
	}
	return s
}

// adverbs are repeat rules of one word; "biweekly" is every two weeks, as most people
// who write it mean.
var adverbs = map[string]rule{
	"hourly": {freq: "HOURLY", interval: 1}, "daily": {freq: "DAILY", interval: 1}, "weekly": {freq: "WEEKLY", interval: 1},
	"monthly": {freq: "MONTHLY", interval: 1}, "yearly": {freq: "YEARLY", interval: 1},
	"annually": {freq: "YEARLY", interval: 1}, "biweekly": {freq: "WEEKLY", interval: 2}, "bi-weekly": {freq: "WEEKLY", interval: 2},
	"fortnightly": {freq: "WEEKLY", interval: 2}, "quarterly": {freq: "MONTHLY", interval: 3},
	"semiannually": {freq: "MONTHLY", interval: 6},
}

// spans are the periods a rule names in other units: "every fortnight" is every two
// weeks, "every quarter" every three months.
var spans = map[string]rule{
	"fortnight": {freq: "WEEKLY", interval: 2}, "fortnights": {freq: "WEEKLY", interval: 2},
	"quarter": {freq: "MONTHLY", interval: 3}, "quarters": {freq: "MONTHLY", interval: 3},
}

var unitFreqs = map[unit]string{hour: "HOURLY", day: "DAILY", week: "WEEKLY", month: "MONTHLY", year: "YEARLY"}

// freqUnit returns the unit of a rule's FREQ, the inverse of unitFreqs.
func freqUnit(freq string) unit {
	for u, f := range unitFreqs {
		if f == freq {
			return u
		}
	}
	return 0
}

// nthWords name a weekday's place in its month: "every first monday", "every last friday".
var nthWords = map[string]int{
	"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1,
}

var nthNames = map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}

// nthWeekday reads a weekday's places in its month at word j: "last friday", "2nd
// tuesday", "first and third monday", "2nd & 4th fridays", "first, third and last
// sunday". It returns the places in the order written, the weekday and how many words
// it took, or 0 words when there is none there.
func (p *parser) nthWeekday(j int) ([]int, time.Weekday, int) {
	var nths []int
	k := j
	for {
		nth := nthWords[p.word(k)]
		if nth == 0 || slices.Contains(nths, nth) {
			return nil, 0, 0
		}
		nths = append(nths, nth)
		k++
		if day, ok := weekdayOf(p.word(k)); ok {
			sortLastLast(nths)
			return nths, day, k + 1 - j
		}
		var ok bool
		if k, ok = p.listNext(k); !ok {
			return nil, 0, 0
		}
	}
}

// moreMonthDays reads, after day of the month first, which ended before word k, more
// days joined by "and", "&" or commas: "1st and 15th", "1st, 10th and 20th", "15th and
// the last day". Days in digits alone ("15") count only when digits is set. It returns the
// days ascending, the last day (-1) last, and the word after the last one read.
func (p *parser) moreMonthDays(first, k int, digits bool) ([]int, int) {
	days := []int{first}
	for {
		i, ok := p.listNext(k)
		if !ok {
			break
		}
		if p.word(i) == "the" {
			i++
		}
		if p.word(i) == "last" && p.word(i+1) == "day" {
			days, k = append(days, -1), i+2
			continue
		}
		d, ok := ordinal(p.word(i))
		if !ok || (!digits && allDigits(p.word(i))) {
			break
		}
		days, k = append(days, d), i+1
	}
	sortLastLast(days)
	return slices.Compact(days), k
}

// matchRepeat reads a repeat rule: "hourly", "daily", "weekly", "monthly", "yearly",
// "every day", "every 8 hours", "every other week", "every 3 days", "every second day"
// (every 2 days), "every weekday", "every weekend", "every morning", "every monday and
// wednesday", "every april 15", "every last friday [of the month]", "every first monday",
// "every 15th [of the month]", "every last day [of the month]", "[on] weekdays", "[on]
// weekends", "[on] mondays [and thursdays]", "mon wed fri", "biweekly", "fortnightly",
// "quarterly", "semiannually", "every fortnight", "every quarter", "[on] [the] 1st|last
// day|first monday of every month", "every first of the month", "every end|start of the
// month|week|year", "every month end", "every eom|eow", "every last business day", "every
// jan 15 and jul 15", "on the 1st and 15th", "mon/wed/fri", "wednesday nights", "twice a
// day", "3 times a day", with "on friday", "on the 1st", "on the last day" or "on feb 29"
// after a weekly, monthly or yearly one (and "fridays", days in the plural, after a
// weekly one), "on weekdays" after times a day (or times a day after days), and
// "morning", "afternoon", "evening" or "night" last ("every thursday night").
func matchRepeat(p *parser, i int) (int, string) {
	if p.rule != nil || p.at != nil || p.word(i-1) == "except" { // not "every day except fridays"
		return 0, ""
	}
	r, part, n := p.ruleAt(i)
	if n == 0 {
		return 0, ""
	}
	j := i + n
	if p.word(j) == "on" {
		r, j = p.ruleOn(r, j)
	} else if days, n := p.pluralDays(j); n > 0 && r.freq == "WEEKLY" && r.byDay == nil && len(r.byHour) == 0 {
		r.byDay, j = days.byDay, j+n // "biweekly fridays", as "biweekly on fridays"
	}
	if m, ok := months[p.word(j+1)]; ok && p.word(j) == "in" && r.freq == "YEARLY" && r.byMonths == nil {
		// "every year in october", "yearly in march": on its 1st, as "next month" is.
		r.byMonths, r.byMonthDays, j = []time.Month{m}, []int{1}, j+2
	}
	if pc := parts[p.word(j)]; pc != nil && part == nil { // "every thursday night"
		part, j = pc, j+1
	}
	if days, n := p.pluralDays(j); n > 0 && r.freq == "DAILY" && r.interval == 1 && len(r.byHour) > 0 {
		r.freq, r.byDay, j = "WEEKLY", days.byDay, j+n // "twice a day on weekdays"
	}
	if times, n := p.timesADay(j); n > 0 && r.freq == "WEEKLY" && r.interval == 1 && r.byDay != nil && part == nil {
		// "every weekday twice a day"
		r.byHour, part, j = spread(firstDose, times), &clock{h: firstDose, meridiem: true}, j+n
	}
	p.rule = &r
	if part != nil && p.part == nil {
		p.part = part
	}
	p.ruleFrag = len(p.frag)
	if _, ok := adverbs[p.word(i)]; ok && j == i+1 {
		p.adverb = i
	}
	meaning := "repeats " + r.describe()
	if len(r.byHour) > 0 { // "every morning and evening"
		meaning += " at " + r.times()
	}
	if t := p.toks[i]; p.text[t.end:t.full] == "!" && (t.word == "every" || t.word == "each") && p.completion == nil {
		// "every! 3 days", as Todoist writes a rule that counts from completion.
		p.completion = []int{}
		meaning += ", from completion"
	}
	return j - i, meaning
}

// ruleAt reads the head of a repeat rule at word i: the rule, the time of day it implies
// ("every morning"), and how many words it took (0 for none).
func (p *parser) ruleAt(i int) (rule, *clock, int) {
	if r, ok := adverbs[p.word(i)]; ok && !p.ruleAfter(i) {
		return r, nil, 1
	}
	if p.word(i) == "everyday" && p.phraseEnds(i+1) && !p.ruleAfter(i) {
		// "take vitamins everyday", written as one word, where the phrase ends; not
		// "buy everyday shoes".
		return rule{freq: "DAILY", interval: 1}, nil, 1
	}
	if times, n := p.timesADay(i); n > 0 {
		// "take pills twice a day", "3 times a day": spread over the waking day, from
		// 08:00 to 20:00, unless the times are given ("twice a day at 8am and 9pm")
		return rule{freq: "DAILY", interval: 1, byHour: spread(firstDose, times)}, &clock{h: firstDose, meridiem: true}, n
	}
	if r, part, n := p.dayParts(i); n > 0 {
		return r, part, n
	}
	if r, n := p.pluralDays(i); n > 0 {
		return r, nil, n
	}
	if r, n := p.dayOfEveryMonth(i); n > 0 {
		return r, nil, n
	}
	if r, n := p.daysOfTheMonth(i); n > 0 {
		return r, nil, n
	}
	return p.every(i)
}

// firstDose is the hour "N times a day" starts at, its times spread over the 12 hours
// from it (doseSpan): from 08:00 to 20:00.
const firstDose, doseSpan = 8, 12

// spread returns the hours of a number of times a day from hour from on, spread evenly
// over doseSpan hours and in the order of a day: 3 from 8 are 8, 14 and 20; 2 from 20 are
// 8 and 20.
func spread(from, times int) []int {
	hours := make([]int, times)
	for k := range hours {
		hours[k] = (from + k*doseSpan/(times-1)) % 24
	}
	slices.Sort(hours)
	return hours
}

// timesADay reads "twice a day", "twice daily", "two times a day", "2x per day", "3 times
// a day", "thrice daily", up to four times, at word i: how many times, and how many words
// it took (0 for none).
func (p *parser) timesADay(i int) (times, n int) {
	k := 1
	switch w := p.word(i); {
	case w == "twice" || w == "2x":
		times = 2
	case w == "thrice" || w == "3x":
		times = 3
	case w == "4x":
		times = 4
	case p.word(i+1) == "times":
		times, k = map[string]int{"two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4}[w], 2
	}
	if times == 0 {
		return 0, 0
	}
	switch w := p.word(i + k); {
	case w == "daily":
		return times, k + 1
	case (w == "a" || w == "per") && p.word(i+k+1) == "day":
		return times, k + 2
	}
	return 0, 0
}

// ruleAfter reports whether a rule that says its period ("every friday", "each month on
// the 1st", "the 1st of every month") can be read after word i: an adverb at i is then
// part of the title, as in "weekly report every friday" or "daily standup every weekday
// at 9".
func (p *parser) ruleAfter(i int) bool {
	for j := i + 1; j < len(p.toks); j++ {
		if _, _, n := p.every(j); n > 0 {
			return true
		}
		if _, n := p.dayOfEveryMonth(j); n > 0 {
			return true
		}
	}
	return false
}

// The days of "every weekday" and "every weekend", in a rule's order (Monday first). Rules
// share them and never change them.
var (
	weekdayList = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	weekendList = []time.Weekday{time.Saturday, time.Sunday}
)

// pluralDays reads "weekdays" and "weekends", with an optional "on" before, at word i: in
// the plural they say every one ("standup weekdays at 9am"), where "pick a weekday" does
// not. So does a list of day names ("gym mon wed fri"): no one task falls on three days.
func (p *parser) pluralDays(i int) (rule, int) {
	j := i
	if p.word(j) == "on" {
		j++
	}
	switch w := p.word(j); {
	case w == "weekdays", w == "workdays":
		return rule{freq: "WEEKLY", interval: 1, byDay: weekdayList}, j + 1 - i
	case w == "weekends":
		return rule{freq: "WEEKLY", interval: 1, byDay: weekendList}, j + 1 - i
	default:
		// "mondays", "on tuesdays and thursdays": a plural names every such day; "mon, wed
		// and fri" names several.
		if days, n := p.weekdays(j); n > 0 && (strings.HasSuffix(w, "days") || len(days) > 1) {
			return rule{freq: "WEEKLY", interval: 1, byDay: days}, j + n - i
		}
	}
	return rule{}, 0
}

// dayParts reads "wednesday nights", "[on] tuesday and thursday evenings", "weekday
// mornings" and "weekend mornings" at word i: a part of the day in the plural names it on
// every such day, a weekly rule at that time; and how many words it took.
func (p *parser) dayParts(i int) (rule, *clock, int) {
	j := i
	if p.word(j) == "on" {
		j++
	}
	days, n := p.weekdays(j)
	switch p.word(j) {
	case "weekday":
		days, n = weekdayList, 1
	case "weekend":
		days, n = weekendList, 1
	}
	part := pluralParts[p.word(j+n)]
	if n == 0 || part == nil {
		return rule{}, nil, 0
	}
	return rule{freq: "WEEKLY", interval: 1, byDay: days}, part, j + n + 1 - i
}

// pluralParts are the parts of the day in the plural, which dayParts reads after days.
var pluralParts = map[string]*clock{"mornings": &morningClock, "afternoons": &afternoonClock, "evenings": &eveningClock, "nights": &nightClock}

// dayOfEveryMonth reads "[on] [the] 1st of every month", "the last day of each month",
// "first monday of every month", "the last friday of every other month" at word i: a
// monthly rule on that day, and how many words it took. "The 15th of the month" is not a
// rule: it is read, if at all, as one date.
func (p *parser) dayOfEveryMonth(i int) (rule, int) {
	j := i
	if p.word(j) == "on" {
		j++
	}
	if p.word(j) == "the" {
		j++
	}
	r := rule{freq: "MONTHLY", interval: 1}
	nth := nthWords[p.word(j)]
	nths, day, kd := p.nthWeekday(j)
	d, isOrdinal := ordinal(p.word(j))
	switch {
	case kd > 0: // "the last friday", "the 2nd and 4th tuesday"
		r.byDay, r.nths, j = []time.Weekday{day}, nths, j+kd
	case nth != 0 && p.word(j+1) == "day": // "the last day", "the first day"
		r.byMonthDays, j = []int{nth}, j+2
	case nth != 0 && p.word(j+1) == "of": // "the first of every month"
		r.byMonthDays, j = []int{nth}, j+1
	case isOrdinal: // "the 15th", "the 1st and 15th"
		r.byMonthDays, j = p.moreMonthDays(d, j+1, true)
	default:
		return rule{}, 0
	}
	if w := p.word(j + 1); p.word(j) != "of" || (w != "every" && w != "each") {
		return rule{}, 0
	}
	n, k := p.interval(j + 2)
	if units[p.word(j+2+k)] != month {
		return rule{}, 0
	}
	r.interval = n
	return r, j + 3 + k - i
}

// daysOfTheMonth reads "[on] the 1st and 15th [of the month]", "the 15th and the last
// day", "on the 2nd and 4th tuesday" at word i, where the phrase ends or a time follows:
// several days of the month or places of a weekday, which no one task falls on, so each
// month's (as "gym mon wed fri" is each week's); and how many words it took. One day ("on
// the 15th") is a date, and "read the 1st and 2nd chapter" keeps its title.
func (p *parser) daysOfTheMonth(i int) (rule, int) {
	j := i
	if p.word(j) == "on" {
		j++
	}
	if p.word(j) != "the" {
		return rule{}, 0
	}
	j++
	r := rule{freq: "MONTHLY", interval: 1}
	if nths, day, kd := p.nthWeekday(j); kd > 0 && len(nths) > 1 {
		r.byDay, r.nths, j = []time.Weekday{day}, nths, j+kd
	} else if d, ok := ordinal(p.word(j)); ok {
		r.byMonthDays, j = p.moreMonthDays(d, j+1, true)
	}
	if len(r.nths) < 2 && len(r.byMonthDays) < 2 {
		return rule{}, 0
	}
	if k := p.ofTheMonth(j); k > j || p.phraseEnds(j) || p.clockNext(j) {
		return r, k - i
	}
	return rule{}, 0 // "read the 1st and 2nd chapter"
}

// interval reads "other" (2), "couple [of]" (2) or a count ("3") at word j, after
// "every": the interval and how many words it took; 1 and 0 when there is none.
func (p *parser) interval(j int) (int, int) {
	switch {
	case p.word(j) == "other":
		return 2, 1
	case p.word(j) == "couple" && p.word(j+1) == "of": // "every couple of days"
		return 2, 2
	case p.word(j) == "couple":
		return 2, 1
	}
	if n, ok := count(p.word(j), false); ok {
		return n, 1
	}
	return 1, 0
}

// every reads "every ..." or "each ..." at word i, as ruleAt does.
func (p *parser) every(i int) (rule, *clock, int) {
	if w := p.word(i); w != "every" && w != "each" {
		return rule{}, nil, 0
	}
	r := rule{interval: 1}
	if m, d, km := p.monthDay(i + 1); km > 0 {
		// "every jan 15", "every 15 january", "every 15th of january", and more months
		// on that day: "every jan 15, apr 15 and jul 15", "every 1 jan and 1 jul"
		r.freq, r.byMonthDays = "YEARLY", []int{d}
		var j int
		r.byMonths, j = p.moreMonths(m, d, i+1, i+1+km)
		return r, nil, j - i
	}
	var part *clock
	n, skip := p.interval(i + 1)
	j := i + 1 + skip
	w := p.word(j)
	days, k := p.weekdays(j)
	nth := nthWords[w]
	nths, nthDay, kd := p.nthWeekday(j)
	if n != 1 {
		kd = 0
	}
	od, isOrdinal := ordinal(w)
	next := unitFreqs[units[p.word(j+1)]]
	bd := p.businessDays(j + 1)
	switch u, ok := units[w]; {
	case n == 1 && nth != 0 && bd > 0 && (nth == 1 || nth == -1 || p.ofTheMonth(j+1+bd) > j+1+bd):
		// "every last business day [of the month]", "every first weekday", "every 2nd
		// working day of the month" (another place than the first or the last needs "of
		// the month": "every second weekday" may be every other one)
		r.freq, r.byDay, r.setPos = "MONTHLY", weekdayList, nth
		j = p.ofTheMonth(j + 1 + bd)
	case n == 1 && nth != 0 && p.word(j+1) == "day" && (nth < 0 || p.ofTheMonth(j+2) > j+2):
		// "every last day [of the month]", "every first day of the month"
		r.freq, r.byMonthDays = "MONTHLY", []int{nth}
		j = p.ofTheMonth(j + 2)
	case n == 1 && nth != 0 && p.ofTheMonth(j+1) > j+1: // "every first of the month"
		r.freq, r.byMonthDays = "MONTHLY", []int{nth}
		j = p.ofTheMonth(j + 1)
	case n == 1 && (w == "end" || w == "start" || w == "beginning" || w == "eom" || w == "eow"):
		// "every end of the month", "every start of the week", "every eom"
		er, k := p.periodEdge(j)
		if k == 0 {
			return rule{}, nil, 0
		}
		r, j = er, j+k
	case n == 1 && w == "month" && p.word(j+1) == "end": // "every month end"
		r.freq, r.byMonthDays = "MONTHLY", []int{-1}
		j += 2
	case n == 1 && nth >= 2 && next != "": // "every second day", "every 3rd week"
		r.freq, r.interval = next, nth
		j += 2
	case n == 1 && isOrdinal && !allDigits(w) && kd == 0: // "every 15th [of the month]", "every 1st and 15th"
		r.freq = "MONTHLY"
		r.byMonthDays, j = p.moreMonthDays(od, j+1, false)
		j = p.ofTheMonth(j)
	case kd > 0: // "every last friday [of the month]", "every 2nd and 4th friday"
		r.freq, r.byDay, r.nths = "MONTHLY", []time.Weekday{nthDay}, nths
		j = p.ofTheMonth(j + kd)
	case ok && unitFreqs[u] != "":
		r.freq, r.interval = unitFreqs[u], n
		j++
	case spans[w].freq != "" && n*spans[w].interval <= maxCount && units[p.word(j+1)] != hour:
		// "every fortnight", "every other quarter"; not "every quarter hour"
		r.freq, r.interval = spans[w].freq, n*spans[w].interval
		j++
	case n == 1 && (w == "weekday" || w == "weekdays" || w == "workday" || w == "workdays"):
		r.freq, r.byDay = "WEEKLY", weekdayList
		j++
	case n == 1 && (w == "weekend" || w == "weekends"):
		r.freq, r.byDay = "WEEKLY", weekendList
		j++
	case parts[w] != nil: // "every morning", "every other night"
		r.freq, r.interval, part = "DAILY", n, parts[w]
		j++
		if other := parts[p.word(j+1)]; n == 1 && p.word(j) == "and" && other != nil && other.h != part.h {
			// "every morning and evening": at both times each day
			r.byHour, r.byMinute = []int{min(part.h, other.h), max(part.h, other.h)}, 0
			part = &clock{h: r.byHour[0], meridiem: true}
			j += 2
		}
	case k > 0:
		r.freq, r.interval, r.byDay = "WEEKLY", n, days
		j += k
	default:
		return rule{}, nil, 0
	}
	return r, part, j - i
}

// moreMonths reads, after the day of the year m, day at words first to k-1, more months
// on that day joined by "and", "&" or commas: "jan 15, apr 15 and jul 15", "1 jan and 1
// jul", and after a day written first, months alone: "the 15th of jan, apr and jul". It
// returns the months ascending and the word after the last one read.
func (p *parser) moreMonths(m time.Month, day, first, k int) ([]time.Month, int) {
	ms := []time.Month{m}
	_, monthFirst := months[p.word(first)]
	for {
		i, ok := p.listNext(k)
		if !ok {
			break
		}
		m, d, n := p.monthDay(i)
		if alone, ok := months[p.word(i)]; n == 0 && ok && !monthFirst {
			m, d, n = alone, day, 1
		}
		if n == 0 || d != day || slices.Contains(ms, m) {
			break
		}
		ms, k = append(ms, m), i+n
	}
	slices.Sort(ms)
	return ms, k
}

// periodEdge reads "end of [the] month|week|year", "start|beginning of [the] ..." and
// "eom" or "eow" at word j, after "every": a rule on each first or last day of the period
// (a week ends on Friday, as "end of week" does, and starts on Monday), and how many words
// it took (0 for none).
func (p *parser) periodEdge(j int) (rule, int) {
	w, k, period := p.word(j), j+1, ""
	switch w {
	case "eom":
		w, period = "end", "month"
	case "eow":
		w, period = "end", "week"
	default:
		if p.word(k) != "of" {
			return rule{}, 0
		}
		if k++; p.word(k) == "the" {
			k++
		}
		period, k = p.word(k), k+1
	}
	end := w == "end"
	switch period {
	case "month":
		day := 1
		if end {
			day = -1
		}
		return rule{freq: "MONTHLY", interval: 1, byMonthDays: []int{day}}, k - j
	case "year":
		m, day := time.January, 1
		if end {
			m, day = time.December, 31
		}
		return rule{freq: "YEARLY", interval: 1, byMonths: []time.Month{m}, byMonthDays: []int{day}}, k - j
	case "week":
		day := time.Monday
		if end {
			day = time.Friday
		}
		return rule{freq: "WEEKLY", interval: 1, byDay: []time.Weekday{day}}, k - j
	}
	return rule{}, 0
}

// ofTheMonth returns the word after "of the month", "of every month" or "of each month"
// at word j, or j when there is none there.
func (p *parser) ofTheMonth(j int) int {
	if p.word(j) != "of" {
		return j
	}
	k := j + 1
	if w := p.word(k); w == "the" || w == "every" || w == "each" {
		k++
	}
	if p.word(k) != "month" {
		return j
	}
	return k + 1
}

// ruleOn reads "on friday" (weekly), "on the 1st", "on the last day", "on the 2nd
// tuesday" (monthly) or "on feb 29" (yearly) at word j, "on", after a rule that has no
// such day yet; it returns the rule and the word after what it read.
func (p *parser) ruleOn(r rule, j int) (rule, int) {
	k := j + 1
	switch {
	case r.freq == "WEEKLY" && r.byDay == nil:
		if days, n := p.weekdays(k); n > 0 {
			r.byDay, j = days, k+n
		}
	case r.freq == "MONTHLY" && r.byDay == nil && r.byMonthDays == nil:
		if p.word(k) == "the" {
			k++
		}
		if nths, day, n := p.nthWeekday(k); n > 0 { // "monthly on the 2nd tuesday"
			r.nths, r.byDay, j = nths, []time.Weekday{day}, k+n
		} else if d, ok := ordinal(p.word(k)); ok {
			r.byMonthDays, j = p.moreMonthDays(d, k+1, true)
		} else if p.word(k) == "last" && p.word(k+1) == "day" {
			r.byMonthDays, j = []int{-1}, k+2
		}
	case r.freq == "YEARLY" && r.byMonths == nil:
		if m, d, n := p.monthDay(k); n > 0 { // "yearly on jan 15 [and jul 15]"
			r.byMonthDays = []int{d}
			r.byMonths, j = p.moreMonths(m, d, k, k+n)
		}
	}
	return r, j
}

// matchExcept reads "except wednesdays", "except sat and sun" after a rule of days, daily
// or weekly: the days go from it ("every weekday except friday" is Monday to Thursday,
// "every day except sunday" Monday to Saturday, "every day except weekends" Monday to
// Friday, "every day at 9 but not on sundays"), and "but" right after words read ("every
// day but sunday"). A rule it would leave
// without a day, or one that cannot drop a day (every 2 days, monthly ones), leaves it to
// the title.
func matchExcept(p *parser, i int) (int, string) {
	r := p.rule
	// "but" only right after words read ("every day but sunday", "at 9 but not on
	// sundays"); "except" anywhere after the rule.
	if w := p.word(i); r == nil || (w != "except" && (w != "but" || i == 0 || !p.used[i-1])) {
		return 0, ""
	}
	j := i + 1 // the days, after "not", "on" or "for": "except on sundays", "but not on sunday"
	if p.word(j) == "not" {
		j++
	}
	if w := p.word(j); w == "on" || w == "for" {
		j++
	}
	var days []time.Weekday
	switch {
	case r.freq == "WEEKLY" && len(r.byDay) > 0:
		days = r.byDay
	case r.freq == "DAILY" && r.interval == 1:
		days = slices.Concat(weekdayList, weekendList)
	default:
		return 0, ""
	}
	out, n := p.weekdays(j)
	switch p.word(j) {
	case "weekends", "weekend":
		out, n = weekendList, 1
	case "weekdays", "workdays":
		out, n = weekdayList, 1
	case "the": // "except the weekend"
		if p.word(j+1) == "weekend" {
			out, n = weekendList, 2
		}
	}
	kept := slices.DeleteFunc(slices.Clone(days), func(d time.Weekday) bool { return slices.Contains(out, d) })
	if n == 0 || len(kept) == 0 || len(kept) == len(days) {
		return 0, ""
	}
	r.freq, r.byDay = "WEEKLY", kept
	p.frag[p.ruleFrag].Meaning = "repeats " + r.describe()
	names := make([]string, len(out))
	for k, d := range out {
		names[k] = d.String()
	}
	return j - i + n, p.word(i) + " " + andList(names)
}

// matchUntil reads "until friday", "until april 30" (or "till", or "ending" as Todoist
// writes it; "ending in 6 months" as "for 6 months") after a repeat rule: the series' last
// day, whole in the user's zone (an RRULE UNTIL date, which shared/recur reads so; an ISO
// 8601 date-time is that local time). The series starts as it would without it. Without a
// rule before it, "until" is left to the title.
//
// A month alone ends the series before that month begins: "every sunday until march" ends
// on the last day of February (of the March to come, or of the year given, "until march
// 2028"); "until the end of march" takes March in. So does a year: "until 2030" ends on
// 31 December 2029.
//
// After a rule, "this week|month|year" is how long it runs, to the period's last day:
// "water the plants every 2 days this month" ends on the month's last day ("this week" on
// Sunday), where it would otherwise be a due date and start the series there.
func matchUntil(p *parser, i int) (int, string) {
	if p.rule != nil && p.rule.until == "" && p.rule.count == 0 && p.run == nil && p.word(i) == "this" {
		today := dateOf(p.now)
		var end date
		switch p.word(i + 1) {
		case "week":
			end = today.weekEnd()
		case "month":
			end = today.monthEnd()
		case "year":
			end = today.yearEnd()
		default:
			return 0, ""
		}
		p.rule.until = time.Date(end.y, end.m, end.d, 12, 0, 0, 0, time.UTC).Format("20060102")
		p.untilFrag = len(p.frag)
		return 2, "until " + end.String()
	}
	if w := p.word(i); p.rule == nil || p.rule.until != "" || p.rule.count > 0 || (w != "until" && w != "till" && w != "ending") {
		return 0, ""
	}
	if n, u, k, ok := p.duration(i+2, true); ok && p.word(i+1) == "in" && p.run == nil && u >= day && n <= maxRun {
		// "ending in 6 months", as Todoist writes it: as "for 6 months" (see runFor)
		p.run, p.runAt = &span{n: n, u: u}, []int{i, i + 2 + k}
		return 2 + k, "for " + describe(n, u)
	}
	d, _, c, k := p.dateAfter(i+1, true)
	// A year or a month alone, its n words, ends the series the day before start.
	var start date
	n := 0
	if y, ok := p.year(i + 1); k == 0 && ok && y > 1970 { // 31 December 1969 is no date
		start, n = date{y, time.January, 1}, 1
	} else if m, ok := months[p.word(i+1)]; k == 0 && ok {
		start, n = date{p.now.Year(), m, 1}, 1
		if y, k := p.yearOf(i + 2); k > 0 {
			start.y, n = y, 1+k
		} else if !before(dateOf(p.now), start) {
			start.y++
		}
	}
	if n > 0 {
		d = start.add(-1)
		p.rule.until = d.utc().Format("20060102")
		p.untilFrag = len(p.frag)
		return 1 + n, "until " + d.String()
	}
	if k == 0 {
		return 0, ""
	}
	p.rule.until = time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Format("20060102")
	meaning := "until " + d.String()
	p.untilFrag = len(p.frag)
	if c != nil {
		p.rule.until += "T" + strings.ReplaceAll(c.String(), ":", "") + "00"
		meaning += " " + c.String()
	}
	return k + 1, meaning
}

// matchTimes reads "5 times" (or "five times") after a repeat rule: how many occurrences
// the series has, first included (an RRULE COUNT). A rule that ends already leaves it to
// the title.
func matchTimes(p *parser, i int) (int, string) {
	if p.rule == nil || p.rule.until != "" || p.rule.count > 0 || p.run != nil || p.word(i+1) != "times" {
		return 0, ""
	}
	n, ok := count(p.word(i), false)
	if !ok || n < 1 || n > maxRun {
		return 0, ""
	}
	p.rule.count = n
	return 2, strconv.Itoa(n) + " times in all"
}

// weekdays reads "monday", "mon, wed and fri", "tuesdays & thursdays" or a span,
// "mon-fri" (see dayRange), at word j.
func (p *parser) weekdays(j int) ([]time.Weekday, int) {
	if days := dayRange(p.word(j)); days != nil {
		return days, 1
	}
	if days := dayList(p.word(j)); days != nil {
		return days, 1
	}
	first, ok := weekdayOf(p.word(j))
	if !ok {
		return nil, 0
	}
	days, k := []time.Weekday{first}, 1
	for {
		sep := 0
		if w := p.word(j + k); w == "and" || w == "&" || w == "," {
			sep = 1
		}
		d, ok := weekdayOf(p.word(j + k + sep))
		if !ok {
			break
		}
		if !slices.Contains(days, d) {
			days = append(days, d)
		}
		k += sep + 1
	}
	sortMondayFirst(days)
	return days, k
}

// dayList reads several weekdays in one word, "mon/wed/fri" or "mon,wed,fri": the days,
// Monday first; nil for none.
func dayList(w string) []time.Weekday {
	names := strings.FieldsFunc(w, func(r rune) bool { return r == '/' || r == ',' })
	if len(names) < 2 || len(names) > 7 {
		return nil
	}
	var days []time.Weekday
	for _, name := range names {
		d, ok := weekdayOf(name)
		if !ok || slices.Contains(days, d) {
			return nil
		}
		days = append(days, d)
	}
	sortMondayFirst(days)
	return days
}

// dayRange reads a span of weekdays in one word, "mon-fri", "monday–thursday", "fri-sun":
// the days from the first to the last, on through Sunday, Monday first; nil for none.
func dayRange(w string) []time.Weekday {
	a, b, ok := cutDash(w)
	from, isFrom := weekdayOf(a)
	to, isTo := weekdayOf(b)
	if !ok || !isFrom || !isTo || from == to {
		return nil
	}
	days := []time.Weekday{from}
	for d := from; d != to; {
		d = (d + 1) % 7
		days = append(days, d)
	}
	sortMondayFirst(days)
	return days
}
