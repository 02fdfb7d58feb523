package quickadd

import (
	"strings"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// matchReminder reads "remind [me] 1h before", "remind me at 8am", "reminder 1 day
// before and 1 hour before", "remind me 1 day and 1 hour before", "remind me 30 and 10
// minutes before", "remind me the day before", "remind me [on] thursday at 6pm", "remind
// me in 2 hours" (also after "alert", "alarm", "notify", "ping me", "with a reminder" or
// "with reminders" for "remind"), and "remind me to" opening the line: a reminder at the
// due time, as someone who writes "remind me to call Bob tomorrow at 10" means. A
// reminder that opens the line takes the "to" after it ("remind me at 9 to call Bob").
func matchReminder(p *parser, i int) (int, string) {
	j := i
	if p.word(j) == "with" { // "with a reminder 30m before", "with reminders 1 day and 1 hour before"
		if j++; p.word(j) == "a" || p.word(j) == "an" {
			j++
		}
		if !reminderNouns[p.word(j)] {
			return 0, ""
		}
	} else if w := p.word(j); !remindWords[w] && (w != "ping" || p.word(j+1) != "me") {
		return 0, ""
	}
	if i == 0 && p.word(0) == "remind" && p.word(1) == "me" && p.word(2) == "to" && p.atDue < 0 {
		p.atDue = len(p.frag)
		return 3, "a reminder at the due time"
	}
	if j++; p.word(j) == "me" {
		j++
	}
	if _, n, _ := p.reminderBody(j); n == 0 && i == 0 && j == 2 && p.word(0) == "remind" && p.atDue < 0 {
		// "remind me every day at 9 to take pills": as "remind me to", if the words up to
		// a "to" are all read as the task's (see settleRemindMe)
		p.atDue, p.remindMeTo = len(p.frag), true
		return 2, "a reminder at the due time"
	}
	var meanings []string
	clocked := false // the reminder before was at a time of day: "at 2 and 2:45"
	for len(p.reminders) < taskwire.MaxReminders {
		rs, n, meaning := p.moreReminders(j, clocked)
		if n == 0 || len(p.reminders)+len(rs) > taskwire.MaxReminders {
			break
		}
		for _, r := range rs {
			r.frag = len(p.frag) // the fragment understand appends once this match returns
			p.reminders = append(p.reminders, r)
		}
		meanings = append(meanings, meaning)
		clocked = len(rs) == 1 && rs[0].at != nil && rs[0].on == nil && rs[0].daysBefore == 0
		j += n
		if w := p.word(j); w != "and" && w != "&" {
			break
		}
		if _, n, _ := p.moreReminders(j+1, clocked); n == 0 {
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

// remindWords open a reminder; so does "ping me".
var remindWords = map[string]bool{"remind": true, "reminder": true, "alert": true, "notify": true, "alarm": true}

// reminderNouns open reminders after "with": "with a reminder 30m before", "with
// reminders 1 day and 1 hour before". Alone, a plural is a thing the task is about
// ("check the alarms tomorrow").
var reminderNouns = map[string]bool{
	"reminder": true, "alert": true, "alarm": true,
	"reminders": true, "alerts": true, "alarms": true,
}

// moreReminders reads reminders at word j as reminderBody does; after one at a time of day
// (clocked), also a time alone with am, pm or a colon: "at 2 and 2:45".
func (p *parser) moreReminders(j int, clocked bool) ([]reminder, int, string) {
	rs, n, meaning := p.reminderBody(j)
	if c, m, ok := p.clockAt(j, false); n == 0 && clocked && ok {
		return []reminder{{at: &c}}, m, "at " + c.String()
	}
	return rs, n, meaning
}

// settleRemindMe ends "remind me" that opened the line without a reminder of its own: the
// first word not read after it is "to", which it takes ("remind me every morning to take
// my pills" is "take my pills", reminded when due), or the words go back to the title
// ("remind me about the meeting").
func (p *parser) settleRemindMe() {
	if !p.remindMeTo {
		return
	}
	k := 2
	for k < len(p.toks) && p.used[k] {
		k++
	}
	if k > 2 && p.word(k) == "to" {
		p.used[k] = true
		return
	}
	p.unread([]int{0, 2})
	p.atDue = -1
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

var beforeWords = map[string]bool{"before": true, "early": true, "earlier": true, "ahead": true, "prior": true, "beforehand": true}

// before reads at word k a word that ends a reminder's distance ("before", "ahead", "in
// advance"), and returns how many words it took, 0 for none.
func (p *parser) before(k int) int {
	switch {
	case beforeWords[p.word(k)]:
		return 1
	case p.word(k) == "in" && p.word(k+1) == "advance":
		return 2
	}
	return 0
}

// reminderBody reads at word j "at 8am", "in 2 hours" (from now), "thursday [at 6pm]",
// "tomorrow at 6pm" (a date, at 09:00 without a time or a part of the day: "tonight",
// "thursday evening"), "in the morning", "the morning of", "that morning", "the same day
// at 9am" (on the due date), "on time" (at the due time), or "30m before", "an hour in
// advance", "the day before", "the night before" (at its time), "1 day and 1 hour
// before" (a reminder each): the reminders, how many words they took, and what they
// mean.
func (p *parser) reminderBody(j int) ([]reminder, int, string) {
	if part, n := p.partOf(j); n > 1 { // "in the morning": on the due date
		return []reminder{{at: part}}, n, "at " + part.String()
	}
	switch w := p.word(j); {
	case w == "on" && p.word(j+1) == "time", w == "when" && p.word(j+1) == "due":
		d := taskwire.Duration{}
		return []reminder{{before: &d}}, 2, "at the due time"
	case w == "the" && parts[p.word(j+1)] != nil && beforeWords[p.word(j+2)]:
		// "the night before", "the evening before": that time the day before
		return []reminder{{at: parts[p.word(j+1)], daysBefore: 1}}, 3, "the day before at " + parts[p.word(j+1)].String()
	case w == "the" && parts[p.word(j+1)] != nil && p.word(j+2) == "of", w == "that" && parts[p.word(j+1)] != nil:
		// "the morning of", "that morning": that time on the due date
		part, n := parts[p.word(j+1)], 2
		if w == "the" {
			n = 3
		}
		return []reminder{{at: part}}, n, "at " + part.String()
	case w == "same" && p.word(j+1) == "day", w == "the" && p.word(j+1) == "same" && p.word(j+2) == "day":
		// "[the] same day at 9am": at 9am on the due date
		k := j + 2
		if w == "the" {
			k++
		}
		if at := p.word(k); at == "at" || at == "@" {
			if c, n, ok := p.clockAt(k+1, true); ok {
				return []reminder{{at: &c}}, k + 1 + n - j, "at " + c.String()
			}
		}
		return nil, 0, ""
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
	d, part, _, k := p.dateAt(j, true)
	if p.word(j) == "on" { // "remind me on thursday", "on the 20th"
		if d, part, _, k = p.dateAfter(j+1, true); k > 0 {
			k++
		}
	}
	if k > 0 {
		if part == nil {
			var n int
			part, n = p.partOf(j + k) // "thursday evening", "tomorrow in the morning"
			k += n
		}
		c, n := defaultClock, 0
		if part != nil {
			c = *part
		}
		if w := p.word(j + k); w == "at" || w == "@" {
			if cc, m, ok := p.clockAt(j+k+1, true); ok {
				c, n = inPart(cc, part), m+1 // "tonight at 9"
			}
		} else if cc, m, ok := p.clockAt(j+k, false); ok {
			c, n = inPart(cc, part), m
		}
		return []reminder{{on: &d, at: &c}}, k + n, "on " + d.String() + " at " + c.String()
	}
	// One or more durations, "and" between them, then "before"; numbers alone before one
	// take its unit ("30 and 10 minutes before", "10, 30 and 60 minutes before").
	var rs []reminder
	var said []string
	var counts []int // the numbers alone read since the last duration
	var last taskwire.Duration
	k = j
	for {
		n, u, m, ok := p.duration(k, true)
		if c, isCount := count(p.word(k), false); !ok && isCount {
			if w := p.word(k + 1); w == "and" || w == "&" {
				counts, k = append(counts, c), k+2
				continue
			}
			if p.comma(k) {
				counts, k = append(counts, c), k+1
				continue
			}
		}
		if !ok {
			return nil, 0, ""
		}
		for _, c := range append(counts, n) {
			d, isDuration := durationOf(c, u)
			if !isDuration {
				if p.before(k+m) > 0 { // "1 month before": of no one length, where a reminder's is
					weeks := c * 52 / 12 // a month's, near enough to say
					if u == year {
						weeks = c * 52
					}
					p.refused = invalid("a reminder before the due counts in minutes, hours, days or weeks, and %q is no one length: say \"%d weeks before\"",
						describe(c, u)+" before", weeks)
				}
				return nil, 0, ""
			}
			if _, err := taskwire.ParseDuration(d.String()); err != nil {
				return nil, 0, "" // longer than reminders may be
			}
			rs, said, last = append(rs, reminder{before: &d}), append(said, describe(c, u)), d
		}
		counts, k = nil, k+m
		if b := p.before(k); b > 0 {
			if days := last.Days + 7*last.Weeks; len(rs) == 1 && days > 0 && last.Hours == 0 && last.Minutes == 0 {
				if r, n, ok := p.daysBeforeAt(days, k+b); ok { // "2 days before at 9am"
					return []reminder{r}, k + b + n - j, said[0] + " before at " + r.at.String()
				}
			}
			return rs, k + b - j, strings.Join(said, " and ") + " before"
		}
		switch w := p.word(k); {
		case w == "and" || w == "&" || w == ",":
			k++
		case !p.comma(k - 1): // "1 day, 2 hours": "1 day 2 hours" could be one of 26 hours
			return nil, 0, ""
		}
	}
}
