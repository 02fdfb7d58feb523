package quickadd

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// A matcher tries to read a fragment starting at the i-th word. When it does, it records
// what it read in p and returns how many words it took and what they mean; else 0 and
// p is unchanged. Each reads its kind of fragment once: a second due date, say, is left
// to the title.
type matcher func(p *parser, i int) (int, string)

// matchers are tried at each word in this order; the first that reads a fragment wins.
// matchUntil comes before matchDate, which would read the date of "until friday" as the due
// date.
var matchers = []matcher{matchTag, matchPriority, matchCompletion, matchReminder, matchLength, matchRepeat, matchUntil,
	matchTimes, matchExcept, matchIn, matchDate, matchTime}

// matchTag reads "#word", or "@word" as Todoist writes its labels: a tag, lower-cased. A
// tag needs a letter, so "#42" and "@ 5pm" stay.
func matchTag(p *parser, i int) (int, string) {
	w := p.word(i)
	if len(w) < 2 || (w[0] != '#' && w[0] != '@') || len(p.tags) >= taskwire.MaxTags {
		return 0, ""
	}
	tag := w[1:]
	if utf8.RuneCountInString(tag) > taskwire.MaxTagLength || !strings.ContainsFunc(tag, unicode.IsLetter) ||
		strings.ContainsFunc(tag, unicode.IsControl) || tag != taskwire.NormalizeTag(tag) {
		return 0, ""
	}
	if !slices.Contains(p.tags, tag) {
		p.tags = append(p.tags, tag)
	}
	return 1, "tag " + tag
}

var priorityWords = map[string]taskwire.Priority{
	"!low": taskwire.PriorityLow, "!medium": taskwire.PriorityMedium, "!med": taskwire.PriorityMedium,
	"!high": taskwire.PriorityHigh, "!urgent": taskwire.PriorityUrgent,
	"!1": taskwire.PriorityUrgent, "!2": taskwire.PriorityHigh, "!3": taskwire.PriorityMedium, "!4": taskwire.PriorityLow,
	"p1": taskwire.PriorityUrgent, "p2": taskwire.PriorityHigh, "p3": taskwire.PriorityMedium, "p4": taskwire.PriorityLow,
	// As Apple's Reminders writes them; a single "!" apart is punctuation ("Appelle Marie !").
	"!!": taskwire.PriorityMedium, "!!!": taskwire.PriorityHigh,
}

// matchPriority reads "!high", "!1" to "!4", "p1" to "p4" (1 is urgent, 4 low), and "!!"
// (medium) and "!!!" (high) apart from other words.
func matchPriority(p *parser, i int) (int, string) {
	prio, ok := priorityWords[p.word(i)]
	if !ok || p.priority != taskwire.PriorityNone {
		return 0, ""
	}
	p.priority = prio
	return 1, "priority " + string(prio)
}

var completionWords = map[string]bool{
	"completion": true, "completed": true, "complete": true, "completing": true, "done": true,
	"finishing": true, "finished": true,
}

// matchCompletion reads "from completion", "after completion", "after done": the next
// occurrence counts from when the task was completed.
func matchCompletion(p *parser, i int) (int, string) {
	if w := p.word(i); (w != "from" && w != "after") || !completionWords[p.word(i+1)] || len(p.completion) > 0 {
		return 0, ""
	}
	p.completion = []int{i, i + 2}
	return 2, "repeats from completion, not from the schedule"
}

// matchReminder reads "remind [me] 1h before", "remind me at 8am", "reminder 1 day
// before and 1 hour before", "remind me 1 day and 1 hour before", "remind me the day
// before", "remind me thursday at 6pm", "remind me in 2 hours" (also after "alert" or
// "notify" for "remind"), and "remind me to" opening the line: a reminder at the due
// time, as someone who writes "remind me to call Bob tomorrow at 10" means. A reminder
// that opens the line takes the "to" after it ("remind me at 9 to call Bob").
func matchReminder(p *parser, i int) (int, string) {
	if w := p.word(i); w != "remind" && w != "reminder" && w != "alert" && w != "notify" {
		return 0, ""
	}
	if i == 0 && p.word(0) == "remind" && p.word(1) == "me" && p.word(2) == "to" && p.atDue < 0 {
		p.atDue = len(p.frag)
		return 3, "a reminder at the due time"
	}
	j := i + 1
	if p.word(j) == "me" {
		j++
	}
	var meanings []string
	for len(p.reminders) < taskwire.MaxReminders {
		rs, n, meaning := p.reminderBody(j)
		if n == 0 || len(p.reminders)+len(rs) > taskwire.MaxReminders {
			break
		}
		p.reminders = append(p.reminders, rs...)
		meanings = append(meanings, meaning)
		j += n
		if w := p.word(j); w != "and" && w != "&" {
			break
		}
		if _, n, _ := p.reminderBody(j + 1); n == 0 {
			break
		}
		j++
	}
	if meanings == nil {
		return 0, ""
	}
	if i == 0 && p.word(j) == "to" {
		j++ // "remind me at 9 to call Bob": the title is "call Bob"
	}
	return j - i, "reminder " + strings.Join(meanings, " and ")
}

// daysBeforeAt reads "at 6pm" at word k, after "the day before" or "2 days before": a
// reminder at that time of day on the day so many days before the due date, and how many
// words it took.
func (p *parser) daysBeforeAt(days, k int) (reminder, int, bool) {
	if w := p.word(k); w != "at" && w != "@" {
		return reminder{}, 0, false
	}
	c, n, ok := p.clockAt(k+1, true)
	if !ok {
		return reminder{}, 0, false
	}
	return reminder{at: &c, daysBefore: days}, n + 1, true
}

var beforeWords = map[string]bool{"before": true, "early": true, "earlier": true, "ahead": true, "prior": true}

// reminderBody reads at word j "at 8am", "in 2 hours" (from now), "thursday [at 6pm]",
// "tomorrow at 6pm" (a date, at 09:00 without a time), or "30m before", "the day before",
// "1 day and 1 hour before" (a reminder each): the reminders, how many words they took,
// and what they mean.
func (p *parser) reminderBody(j int) ([]reminder, int, string) {
	switch w := p.word(j); {
	case w == "at" || w == "@":
		if c, n, ok := p.clockAt(j+1, true); ok {
			return []reminder{{at: &c}}, n + 1, "at " + c.String()
		}
		return nil, 0, ""
	case w == "in":
		if n, u, k, ok := p.duration(j+1, true); ok && (u == minute || u == hour) {
			t := p.fromNow(n, u)
			return []reminder{{instant: &t}}, k + 1, "at " + t.In(p.loc).Format("Mon 2 Jan 2006 15:04")
		}
		return nil, 0, ""
	case w == "the" && (p.word(j+1) == "day" || p.word(j+1) == "week") && beforeWords[p.word(j+2)]:
		days := 1
		if p.word(j+1) == "week" {
			days = 7
		}
		if r, n, ok := p.daysBeforeAt(days, j+3); ok {
			return []reminder{r}, n + 3, "the " + p.word(j+1) + " before at " + r.at.String()
		}
		d := taskwire.Duration{Days: days}
		return []reminder{{before: &d}}, 3, "the " + p.word(j+1) + " before"
	}
	if d, _, _, k := p.dateAt(j, true); k > 0 {
		c, n := defaultClock, 0
		if w := p.word(j + k); w == "at" || w == "@" {
			if cc, m, ok := p.clockAt(j+k+1, true); ok {
				c, n = cc, m+1
			}
		} else if cc, m, ok := p.clockAt(j+k, false); ok {
			c, n = cc, m
		}
		return []reminder{{on: &d, at: &c}}, k + n, "on " + d.String() + " at " + c.String()
	}
	// One or more durations, "and" between them, then "before".
	var rs []reminder
	var said []string
	k := j
	for {
		n, u, m, ok := p.duration(k, true)
		d, isDuration := durationOf(n, u)
		if !ok || !isDuration {
			return nil, 0, ""
		}
		if _, err := taskwire.ParseDuration(d.String()); err != nil {
			return nil, 0, "" // longer than reminders may be
		}
		rs, said, k = append(rs, reminder{before: &d}), append(said, describe(n, u)), k+m
		if beforeWords[p.word(k)] {
			if days := d.Days + 7*d.Weeks; len(rs) == 1 && days > 0 && d.Hours == 0 && d.Minutes == 0 {
				if r, n, ok := p.daysBeforeAt(days, k+1); ok { // "2 days before at 9am"
					return []reminder{r}, k + 1 + n - j, said[0] + " before at " + r.at.String()
				}
			}
			return rs, k + 1 - j, strings.Join(said, " and ") + " before"
		}
		switch w := p.word(k); {
		case w == "and" || w == "&" || w == ",":
			k++
		case !p.comma(k - 1): // "1 day, 2 hours": "1 day 2 hours" could be one of 26 hours
			return nil, 0, ""
		}
	}
}

// duration reads "30m", "1h", "2 days", "an hour", "half an hour" (30 minutes), "a
// fortnight" (2 weeks), "a couple [of] days" (2, where an article may count) at word j:
// its number, unit, and how many words it took.
func (p *parser) duration(j int, article bool) (n int, u unit, k int, ok bool) {
	w := p.word(j)
	if a := p.word(j + 1); w == "half" && (a == "an" || a == "a") && units[p.word(j+2)] == hour {
		return 30, minute, 3, true
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
	if d := strings.IndexFunc(w, func(r rune) bool { return r < '0' || r > '9' }); d > 0 {
		if u, ok := units[w[d:]]; ok {
			if n, ok := count(w[:d], false); ok {
				return n, u, 1, true
			}
		}
		return 0, 0, 0, false
	}
	if n, ok := count(w, article); ok {
		if u, ok := units[p.word(j+1)]; ok {
			return n, u, 2, true
		}
		if f := p.word(j + 1); f == "fortnight" || f == "fortnights" {
			return 2 * n, week, 2, true
		}
	}
	return 0, 0, 0, false
}

// matchLength reads "for 30 minutes", "for 1h", "for an hour" and "for 2 days": how long
// the task takes. It counts only where the phrase ends, or a date, a time or one of
// startWords follows ("meeting for 1h tomorrow at 3"), so that "for 2 days in a row"
// stays the title's; and only up to taskwire.MaxDurationDays. ("Buy food for 3 days" is
// read as taking 3 days: the dry run shows it.)
//
// After a repeat rule, "for" days, weeks, months or years is how long the series runs
// instead ("every monday for 3 months", see runFor), which may be longer than a task may
// take.
func matchLength(p *parser, i int) (int, string) {
	if p.word(i) != "for" || (p.length != nil && (p.rule == nil || p.run != nil)) {
		return 0, ""
	}
	n, u, k, ok := p.duration(i+1, true)
	if !ok {
		return 0, ""
	}
	next := i + 1 + k
	if _, _, _, dk := p.dateAt(next, false); !p.phraseEnds(next) && !startWords[p.word(next)] && dk == 0 {
		if _, _, timed := p.clockAt(next, false); !timed {
			return 0, ""
		}
	}
	if p.rule != nil && p.run == nil && u >= day && n >= 1 && n <= maxRun {
		p.run, p.runAt = &span{n: n, u: u}, []int{i, next}
		return 1 + k, "for " + describe(n, u)
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
var startWords = map[string]bool{"on": true, "starting": true, "from": true}

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
// "within 3 days", also written "2 hours from now", "a week from today", and "a week
// from tomorrow" (a day later), each after an optional "due" ("report due in 3 days").
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
	today, fromTomorrow := dateOf(p.now), false
	var n, k int
	var u unit
	var ok bool
	if w := p.word(i); w == "in" || w == "within" {
		n, u, k, ok = p.duration(i+1, true)
		k++
	} else if n, u, k, ok = p.duration(i, true); ok && p.word(i+k) == "from" {
		switch p.word(i + k + 1) {
		case "now", "today":
		case "tomorrow":
			today, fromTomorrow = today.add(1), true
		default:
			ok = false
		}
		k += 2
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
		if fromTomorrow {
			return 0, "" // "2 hours from tomorrow"
		}
		t := p.fromNow(n, u)
		p.at = &t
		return k, "due " + t.Format("Mon 2 Jan 2006 15:04")
	case day:
		d = today.add(n)
	case week:
		d = today.add(7 * n)
	case month:
		d = today.addMonths(n)
	case year:
		d = today.addMonths(12 * n)
	}
	p.date, p.dateFrag = &d, len(p.frag)
	return k, "on " + d.String()
}

// rule is a repeat rule as read, written out as an RRULE by String.
type rule struct {
	freq        string // HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY
	interval    int
	byDay       []time.Weekday
	nths        []int // with MONTHLY and one day of byDay: its places in the month, -1 the last
	byMonth     time.Month
	byMonthDays []int // ascending, the last day (-1) last; with YEARLY one day of byMonth
	byHour      []int // the hours of several times a day ("at 8am and 8pm"), in order, at byMinute
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
	if r.byMonth != 0 {
		s += ";BYMONTH=" + strconv.Itoa(int(r.byMonth))
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
	if len(r.byHour) > 0 {
		hours := make([]string, len(r.byHour))
		for k, h := range r.byHour {
			hours[k] = strconv.Itoa(h)
		}
		s += ";BYHOUR=" + strings.Join(hours, ",") + ";BYMINUTE=" + strconv.Itoa(r.byMinute)
	}
	return s
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
	case slices.Equal(r.byDay, weekdayList):
		s += " on weekdays (Monday to Friday)"
	case len(r.byDay) > 0:
		names := make([]string, len(r.byDay))
		for k, d := range r.byDay {
			names[k] = d.String()
		}
		s += " on " + strings.Join(names, ", ")
	case r.byMonth != 0:
		s += " on " + strconv.Itoa(r.byMonthDays[0]) + " " + r.byMonth.String()
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

// listNext returns the word after a list's separator at word k, "and", "&" or a comma
// typed after word k-1, and whether there is one.
func (p *parser) listNext(k int) (int, bool) {
	if w := p.word(k); w == "and" || w == "&" {
		return k + 1, true
	}
	return k, p.comma(k - 1)
}

// sortLastLast sorts places or days in a month ascending, with the last (-1) after them.
func sortLastLast(xs []int) {
	slices.SortFunc(xs, func(a, b int) int { return cmp.Compare(uint(a), uint(b)) })
}

// sortMondayFirst sorts days as a rule lists them, Monday first and Sunday last.
func sortMondayFirst(days []time.Weekday) {
	slices.SortFunc(days, func(a, b time.Weekday) int { return daysFromMonday(a) - daysFromMonday(b) })
}

// cutDash cuts a word at its one dash, a hyphen or an en dash: "2-3pm", "mon–fri".
func cutDash(w string) (string, string, bool) {
	a, b, ok := strings.Cut(strings.ReplaceAll(w, "–", "-"), "-")
	return a, b, ok && !strings.Contains(b, "-")
}

// andList joins words as a list is said: "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

var parts = map[string]*clock{"morning": &morningClock, "afternoon": &afternoonClock, "evening": &eveningClock, "night": &nightClock}

// matchRepeat reads a repeat rule: "hourly", "daily", "weekly", "monthly", "yearly",
// "every day", "every 8 hours", "every other week", "every 3 days", "every second day"
// (every 2 days), "every weekday", "every weekend", "every morning", "every monday and
// wednesday", "every april 15", "every last friday [of the month]", "every first monday",
// "every 15th [of the month]", "every last day [of the month]", "[on] weekdays", "[on]
// weekends", "[on] mondays [and thursdays]", "mon wed fri", "biweekly", "fortnightly",
// "quarterly", "semiannually", "every fortnight", "every quarter", "[on] [the] 1st|last
// day|first monday of every month", with "on friday",
// "on the 1st", "on the last day" or "on feb 29" after a weekly, monthly or yearly one,
// and "morning", "afternoon", "evening" or "night" last ("every thursday night").
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
	}
	if m, ok := months[p.word(j+1)]; ok && p.word(j) == "in" && r.freq == "YEARLY" && r.byMonth == 0 {
		// "every year in october", "yearly in march": on its 1st, as "next month" is.
		r.byMonth, r.byMonthDays, j = m, []int{1}, j+2
	}
	if pc := parts[p.word(j)]; pc != nil && part == nil { // "every thursday night"
		part, j = pc, j+1
	}
	p.rule = &r
	if part != nil && p.part == nil {
		p.part = part
	}
	p.ruleFrag = len(p.frag)
	meaning := "repeats " + r.describe()
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
	if r, n := p.pluralDays(i); n > 0 {
		return r, nil, n
	}
	if r, n := p.dayOfEveryMonth(i); n > 0 {
		return r, nil, n
	}
	return p.every(i)
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

// interval reads "other" (2) or a count ("3") at word j, after "every": the interval and
// how many words it took; 1 and 0 when there is neither.
func (p *parser) interval(j int) (int, int) {
	if p.word(j) == "other" {
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
	var part *clock
	n, skip := p.interval(i + 1)
	j := i + 1 + skip
	w := p.word(j)
	days, k := p.weekdays(j)
	m, d, km := p.monthDay(j)
	nth := nthWords[w]
	nths, nthDay, kd := p.nthWeekday(j)
	if n != 1 {
		kd = 0
	}
	od, isOrdinal := ordinal(w)
	next := unitFreqs[units[p.word(j+1)]]
	switch u, ok := units[w]; {
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
	case n == 1 && parts[w] != nil:
		r.freq, part = "DAILY", parts[w]
		j++
	case k > 0:
		r.freq, r.interval, r.byDay = "WEEKLY", n, days
		j += k
	case km > 0 && n == 1:
		r.freq, r.byMonth, r.byMonthDays = "YEARLY", m, []int{d}
		j += km
	default:
		return rule{}, nil, 0
	}
	return r, part, j - i
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
		return rule{freq: "YEARLY", interval: 1, byMonth: m, byMonthDays: []int{day}}, k - j
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
	case r.freq == "YEARLY" && r.byMonth == 0:
		if m, d, n := p.monthDay(k); n > 0 {
			r.byMonth, r.byMonthDays, j = m, []int{d}, k+n
		}
	}
	return r, j
}

// matchExcept reads "except wednesdays", "except sat and sun" after a rule of days, daily
// or weekly: the days go from it ("every weekday except friday" is Monday to Thursday,
// "every day except sunday" Monday to Saturday). A rule it would leave without a day, or
// one that cannot drop a day (every 2 days, monthly ones), leaves it to the title.
func matchExcept(p *parser, i int) (int, string) {
	r := p.rule
	if r == nil || p.word(i) != "except" {
		return 0, ""
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
	out, n := p.weekdays(i + 1)
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
	return 1 + n, "except " + andList(names)
}

// matchUntil reads "until friday", "until april 30" (or "till", or "ending" as Todoist
// writes it) after a repeat rule: the series' last
// day, whole in the user's zone (an RRULE UNTIL date, which shared/recur reads so; an ISO
// 8601 date-time is that local time). The series starts as it would without it. Without a
// rule before it, "until" is left to the title.
//
// A month alone ends the series before that month begins: "every sunday until march" ends
// on the last day of February (of the March to come, or of the year given, "until march
// 2028"); "until the end of march" takes March in. So does a year: "until 2030" ends on
// 31 December 2029.
func matchUntil(p *parser, i int) (int, string) {
	if w := p.word(i); p.rule == nil || p.rule.until != "" || p.rule.count > 0 || (w != "until" && w != "till" && w != "ending") {
		return 0, ""
	}
	d, _, c, k := p.dateAfter(i+1, true)
	// A year or a month alone, its n words, ends the series the day before start.
	var start date
	n := 0
	if y, ok := p.year(i + 1); k == 0 && ok && y > 1970 { // 31 December 1969 is no date
		start, n = date{y, time.January, 1}, 1
	} else if m, ok := months[p.word(i+1)]; k == 0 && ok {
		start, n = date{p.now.Year(), m, 1}, 1
		if y, ok := p.year(i + 2); ok {
			start.y, n = y, 2
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

// monthDay reads "april 15", "apr 15th", "15 april" or "15th of april" at word j.
func (p *parser) monthDay(j int) (time.Month, int, int) {
	if m, ok := months[p.word(j)]; ok {
		if d, ok := ordinal(p.word(j + 1)); ok && d <= maxDaysIn(m) {
			return m, d, 2
		}
		return 0, 0, 0
	}
	d, ok := ordinal(p.word(j))
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

// matchDate reads a due date, after an optional "due", "on", "by", "before", "starting" or
// "from": "today", "tonight", "this evening", "in the morning" (the next one), "tomorrow",
// "day after tomorrow", "next week", "next week on tuesday", "tuesday next week", "next
// month", "next year", "this weekend", "next weekend", "friday", "next friday", "this
// friday", "april 15", "15 april 2027", "the 15th of april", "2026-12-03" (and
// "2026-12-03T14:00"), "[at] the end of the month", "end of the year", and after one of
// those words "the 15th", each optionally followed by "morning", "afternoon", "evening"
// or "night".
func matchDate(p *parser, i int) (int, string) {
	if p.date != nil || p.at != nil || p.word(i-1) == "except" {
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
	case w == "starting", w == "from":
		j, start = j+1, true
	case w == "before": // "before the end of the month" is by then, not a day earlier
		j, ahead = j+1, !p.endOf(j+1)
	case w == "for": // "slides for monday", not "a recipe for 1/2 cup" or "a hat for sun"
		j, plain = j+1, true
	case w == "at" && (p.word(j+1) == "end" || (p.word(j+1) == "the" && p.word(j+2) == "end")):
		j++ // "at the end of the month"; else "at" is a time's ("at 5")
	case (w == "over" || w == "at") && p.word(j+1) == "the" && p.word(j+2) == "weekend":
		j++ // "over the weekend", "at the weekend"
	}
	if start, end, k := p.dateSpan(j); k > 0 && p.length == nil && !ahead {
		// A span of days is the day the task is due and how many it takes.
		length := taskwire.Duration{Days: int(end.utc().Sub(start.utc()).Hours()/24) + 1}
		p.date, p.dateFrag = &start, len(p.frag)
		p.length, p.lengthAt = &length, []int{i, j + k}
		return j + k - i, "on " + start.String() + " to " + end.String() + ", takes " + describeLength(length)
	}
	d, part, c, k := p.dateAfter(j, j > i && !plain)
	if k == 0 {
		return 0, ""
	}
	j += k
	if pc := parts[p.word(j)]; pc != nil && part == nil {
		part, j = pc, j+1
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

// saysYear reports whether words give a year: four digits ("2026", "1/12/2026"), or
// three numbers of a date ("1.12.26").
func saysYear(words []token) bool {
	for _, t := range words {
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
// (introduced), it also reads "the 15th": the next 15th from today on. Without such a
// word, "the 2nd" is left to the title ("read the 2nd chapter").
func (p *parser) dateAfter(j int, introduced bool) (date, *clock, *clock, int) {
	d, part, c, k := p.dateAt(j, introduced)
	if k == 0 && introduced && p.word(j) == "the" {
		d, k = p.nextMonthDay(j + 1)
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
	// This weekend is its Saturday, or today on its Sunday.
	thisWeekend := nextWeekday(time.Saturday, true)
	if today.weekday() == time.Sunday {
		thisWeekend = today
	}
	if d, k := p.nthWeekdayOf(j); k > 0 {
		return d, nil, nil, k
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
	case "first":
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
	case "next":
		if wd, ok := weekdays[p.word(j+1)]; ok {
			return nextWeekday(wd, false), nil, nil, 2
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
			if today.weekday() == time.Sunday {
				return nextWeekday(time.Saturday, false), nil, nil, 2
			}
			return nextWeekday(time.Saturday, true).add(7), nil, nil, 2
		case "month": // its 1st, or "next month on the 15th"
			first, k := today.monthStart(1), j+2
			if p.word(k) == "on" {
				k++
			}
			if p.word(k) == "the" {
				k++
			}
			if d, ok := ordinal(p.word(k)); ok && k > j+2 {
				// The month is named: its last day when it is shorter (the 31st of April is the 30th).
				return date{first.y, first.m, d}.addMonths(0), nil, nil, k + 1 - j
			}
			return first, nil, nil, 2
		case "year": // 1 January
			return date{today.y + 1, time.January, 1}, nil, nil, 2
		case "quarter": // its first day: 1 January, April, July or October
			return quarterStart(today).monthStart(3), nil, nil, 2
		}
	case "the": // "the 15th of april", "the end of the month", "the day after tomorrow", "the last day of the month"
		if introduced && p.word(j+1) == "weekend" { // "on the weekend", "over the weekend"
			return thisWeekend, nil, nil, 2
		}
		if d, k := p.nthWeekdayOf(j + 1); k > 0 { // "the last friday of the month"
			return d, nil, nil, k + 1
		}
		if _, _, k := p.monthDay(j + 1); k > 0 || p.word(j+1) == "end" || p.word(j+1) == "day" || p.word(j+1) == "last" {
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
		if k++; p.word(k) == "the" {
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
				if given, ok := p.year(k + 1); ok {
					y, k = given, k+1
				}
				return date{y, m + 1, 1}.add(-1), nil, nil, k + 1 - j
			}
		}
	case "eow": // end of week
		return nextWeekday(time.Friday, true), nil, nil, 1
	case "eom": // end of month
		return today.monthStart(1).add(-1), nil, nil, 1
	}
	if wd, ok := p.dayName(j, introduced); ok {
		if p.word(j+1) == "next" && p.word(j+2) == "week" { // "tuesday next week"
			return nextWeekday(time.Monday, false).add(daysFromMonday(wd)), nil, nil, 3
		}
		if d, c, k := p.calendarDate(j+1, true); k > 0 { // "tue 15 dec": the date says which
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
	if y, ok := p.year(j + k); ok {
		if d := (date{y, m, day}); d.valid() {
			return d, nil, k + 1
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
// month", "2nd tuesday of|in march [2027]" (of the March to come). It returns that day
// and how many words it took, 0 for none.
func (p *parser) nthWeekdayOf(j int) (date, int) {
	nths, wd, k := p.nthWeekday(j)
	if w := p.word(j + k); k == 0 || len(nths) != 1 || (w != "of" && w != "in") {
		return date{}, 0
	}
	k += j + 1
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
		if y, ok := p.year(k); ok {
			firsts, k = []date{{y, m, 1}}, k+1
		}
	}
	for _, first := range firsts {
		if d := nthWeekdayIn(first, nths[0], wd); !before(d, today) {
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

// clockNext reports whether a time of day starts at word j: "8pm", "at 8", "@ 20:00".
func (p *parser) clockNext(j int) bool {
	if w := p.word(j); w == "at" || w == "@" {
		_, _, ok := p.clockAt(j+1, true)
		return ok
	}
	_, _, ok := p.clockAt(j, false)
	return ok
}

// afterClock reports whether the time of day read by matchTime ends just before word j.
func (p *parser) afterClock(j int) bool {
	return j > 0 && p.clockFrag >= 0 && p.frag[p.clockFrag].End == p.toks[j-1].end
}

// nextMonthDay reads a day of the month ("15th", "15") after "the" at word j: the next
// such day from today on, skipping months without it. It returns the words taken with
// "the", 0 when there is no such day.
func (p *parser) nextMonthDay(j int) (date, int) {
	day, ok := ordinal(p.word(j))
	if !ok {
		return date{}, 0
	}
	today := dateOf(p.now)
	for n := 0; n < 12; n++ {
		first := today.monthStart(n)
		if d := (date{first.y, first.m, day}); d.valid() && !before(d, today) {
			return d, 2
		}
	}
	return date{}, 0
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
	return nextDate(dateOf(p.now), time.Month(month), day)
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

// matchTime reads a time of day, after an optional "at", "@", "by", "around", "due",
// "before" (a deadline: "before 4pm" is due at 16:00), "after" (not sooner: "after 4pm"
// is due at 16:00 too), "from", "starting" or "for", and one more of "at", "around" or "by" ("due by", "at around",
// "starting at"): "5pm", "5 pm", "9:30", "9:30am", "17:00", "noon", "midnight", "eod" and
// "[the] end of [the] day" (23:59), and a bare hour ("at 9") after "at", "@", "by", "around" or "due" ("work from 9 to 5"
// and "pages from 10" are no time); or a time range (see timeRange), also after "between".
func matchTime(p *parser, i int) (int, string) {
	if p.clock != nil || p.at != nil {
		return 0, ""
	}
	j, bare, between := i, false, false
	switch p.word(j) {
	case "at", "@", "by", "around", "due":
		j, bare = j+1, true
	case "from", "starting", "for", "before", "after":
		j++
	case "between":
		j, between = j+1, true
	}
	if w := p.word(j); j > i && (w == "at" || w == "around" || w == "by") {
		j, bare = j+1, true
	}
	// Hours alone make a range after "at" in one word ("at 10-11"), and right after a day
	// ("monday 10-11", "friday from 9 to 5"), but not "at 5 to 10 people".
	day := p.followsDay(i)
	if c, d, k, ok := p.timeRange(j, bare || day, day && !bare, between); ok && p.length == nil {
		p.clock, p.clockFrag = &c, len(p.frag)
		p.length, p.lengthAt, p.lengthOfClock = &d, []int{j, j + k}, true
		return j - i + k, "at " + c.String()
	}
	c, k, ok := p.clockAt(j, bare)
	if !ok {
		return 0, ""
	}
	p.clock = &c
	p.clockFrag = len(p.frag)
	k += p.moreTimes(c, j+k)
	return j - i + k, "at " + c.String()
}

// moreTimes reads "and 8pm" (", 2pm and 8pm") after time of day c at word j: more times
// of day, which a daily or weekly rule repeats at ("take pills every day at 8am and 8pm",
// "at 8am and 8pm daily"; see settleHours). It returns how many words it took. A time
// with a meridiem or a colon is needed ("and 2 hours before" is a reminder's), at c's
// minute and an hour not given yet.
func (p *parser) moreTimes(c clock, j int) int {
	hours, n := []int{c.h}, 0
	for {
		k, ok := p.listNext(j + n)
		if !ok {
			break
		}
		more, m, ok := p.clockAt(k, false)
		if !ok || more.m != c.m || slices.Contains(hours, more.h) {
			break
		}
		hours, n = append(hours, more.h), k+m-j
	}
	if len(hours) > 1 {
		slices.Sort(hours)
		p.hours, p.hoursFrom, p.hoursTo = hours, j, j+n
	}
	return n
}

// settleHours makes the more times of day that moreTimes read the hours of the rule
// (BYHOUR, at the first time's minute), the earliest the time of day the series starts
// at. Without a daily or weekly rule, or with a part of the day ("every evening at 6 and
// 9pm"), they are no time of this task: their words go back to the title.
func (p *parser) settleHours() {
	if len(p.hours) == 0 {
		return
	}
	if p.rule != nil && (p.rule.freq == "DAILY" || p.rule.freq == "WEEKLY") && p.part == nil {
		p.rule.byHour, p.rule.byMinute = p.hours, p.clock.m
		p.clock = &clock{h: p.hours[0], m: p.clock.m, meridiem: true}
		return
	}
	for k := p.hoursFrom; k < p.hoursTo; k++ {
		p.used[k] = false
	}
	f := &p.frag[p.clockFrag]
	f.End = p.toks[p.hoursFrom-1].end
	f.Text = p.text[f.Start:f.End]
}

var meridiems = []string{"am", "pm", "a.m", "p.m"}

// clockAt reads a time of day at word j; bare allows an hour alone ("9").
func (p *parser) clockAt(j int, bare bool) (clock, int, bool) {
	w := p.word(j)
	switch w {
	case "noon", "midday":
		return clock{h: 12, meridiem: true}, 1, true
	case "midnight", "eod":
		return clock{h: endOfDay.h, m: endOfDay.m, meridiem: true}, 1, true
	case "the": // "the end of the day"
		if c, n, ok := p.clockAt(j+1, false); ok && p.word(j+1) == "end" {
			return c, n + 1, true
		}
	case "end": // "end of [the] day", as "eod" is: 23:59, a time of day
		k := j + 2
		if p.word(k) == "the" {
			k++
		}
		if p.word(j+1) == "of" && p.word(k) == "day" {
			return clock{h: endOfDay.h, m: endOfDay.m, meridiem: true}, k + 1 - j, true
		}
	}
	k := 1
	w, mer := cutMeridiem(w)
	if mer == "" && slices.Contains(meridiems, p.word(j+1)) {
		k, mer = 2, p.word(j+1)
	}
	c, ok := clockOf(w, mer, bare)
	return c, k, ok
}

// cutMeridiem returns w without the meridiem it ends in ("5pm"), and the meridiem.
func cutMeridiem(w string) (string, string) {
	for _, m := range meridiems {
		if strings.HasSuffix(w, m) && len(w) > len(m) {
			return strings.TrimSuffix(w, m), m
		}
	}
	return w, ""
}

// latestAfternoon bounds the hours read as afternoon without am or pm: "at 5" and "3:30"
// are 17:00 and 15:30, since few tasks are due between 01:00 and 06:59 and many between
// 13:00 and 18:59; "at 7" stays 07:00, as early as people get up. A leading zero ("05:30")
// or a morning ("tomorrow morning at 5") keeps the hour as typed.
const latestAfternoon = 18

// clockOf reads w, the digits of a time of day ("5", "9:30", "3.30" with a meridiem or
// bare), with meridiem mer ("" for none); bare allows an hour alone without a meridiem,
// as after "at".
func clockOf(w, mer string, bare bool) (clock, bool) {
	if (mer != "" || bare) && strings.Count(w, ".") == 1 {
		// "3.30pm" and "at 12.30", as written in Britain; not alone ("upgrade to 3.30").
		w = strings.Replace(w, ".", ":", 1)
	}
	hs, ms, colon := strings.Cut(w, ":")
	if len(hs) == 0 || len(hs) > 2 || !allDigits(hs) || (colon && (len(ms) != 2 || !allDigits(ms))) {
		return clock{}, false
	}
	h, _ := strconv.Atoi(hs)
	m, _ := strconv.Atoi(ms)
	switch {
	case m > 59:
		return clock{}, false
	case mer != "":
		if h < 1 || h > 12 {
			return clock{}, false
		}
		h %= 12
		if mer[0] == 'p' {
			h += 12
		}
		return clock{h: h, m: m, meridiem: true}, true
	case (colon || bare) && h >= 1 && h <= latestAfternoon-12 && hs[0] != '0':
		return clock{h: h + 12, m: m, afternoon: true}, true
	case (colon || bare) && h <= 23:
		return clock{h: h, m: m}, true
	}
	return clock{}, false
}

// timeRange reads a time of day with its end at word j: in one word, "2-3pm", "9am-5pm",
// "10:30-11:15", "11-1pm" (11:00 to 13:00: a start without a meridiem takes the end's,
// or the other one when that would not start before the end), "10pm-2am" (past
// midnight), "2-3 pm"; or in words, "10am to 11am", "10:30 - 11:15", "9 till 5pm", and
// after "between", "2 and 3pm". It needs a meridiem or a colon, so that "pages 10-20", "a
// 9-5 job" and "pages from 10 to 20" are no time, unless bare (in one word) or bareWords
// (in words): hours alone then make one ("monday 10-11", "friday from 9 to 5"). It
// returns the start, how long to the end, and how many words it took.
func (p *parser) timeRange(j int, bare, bareWords, between bool) (clock, taskwire.Duration, int, bool) {
	var none taskwire.Duration
	a, b, ok := cutDash(p.word(j))
	k := 1
	if !ok {
		// In words: the start, with its meridiem apart or not, a joining word, the end.
		a, k = p.word(j), 1
		if slices.Contains(meridiems, p.word(j+1)) {
			a, k = a+p.word(j+1), 2
		}
		if join := p.word(j + k); !rangeJoins[join] && (!between || join != "and") {
			return clock{}, none, 0, false
		}
		b, k, bare = p.word(j+k+1), k+2, bareWords
	}
	a, am := cutMeridiem(a)
	b, bm := cutMeridiem(b)
	if bm == "" && slices.Contains(meridiems, p.word(j+k)) {
		k, bm = k+1, p.word(j+k)
	}
	if !bare && am == "" && bm == "" && !strings.Contains(a+b, ":") {
		return clock{}, none, 0, false
	}
	end, ok := clockOf(b, bm, true)
	if !ok {
		return clock{}, none, 0, false
	}
	start, ok := clockOf(a, am, true)
	if am == "" && bm != "" {
		other := "am"
		if bm[0] == 'a' {
			other = "pm"
		}
		if start, ok = clockOf(a, bm, true); ok && start.h*60+start.m >= end.h*60+end.m {
			start, ok = clockOf(a, other, true)
		}
	}
	if !ok {
		return clock{}, none, 0, false
	}
	if start.afternoon && am == "" && bm == "" && end.h >= 1 && end.h < 12 {
		end.h += 12 // "6:30-7:30" begins at 18:30, so it ends at 19:30, not the next morning
	}
	minutes := (end.h*60 + end.m - start.h*60 - start.m + 24*60) % (24 * 60)
	if minutes == 0 {
		return clock{}, none, 0, false
	}
	return start, taskwire.Duration{Hours: minutes / 60, Minutes: minutes % 60}, k, true
}

// rangeJoins join the start and the end of a time range written in words: "10am to 11am".
var rangeJoins = map[string]bool{"to": true, "till": true, "until": true, "-": true, "–": true}

// followsDay reports whether word i comes right after the words of the due date or of
// the repeat rule ("monday 10-11", "every friday from 9 to 5"), where hours alone make a
// time range.
func (p *parser) followsDay(i int) bool {
	if i == 0 {
		return false
	}
	end := p.toks[i-1].end
	return (p.dateFrag >= 0 && p.frag[p.dateFrag].End == end) || (p.rule != nil && p.frag[p.ruleFrag].End == end)
}
