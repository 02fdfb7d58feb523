// Package quickadd reads a task from one line of text as people type it, such as
// "Pay rent every month on the 1st at 9am #home !high remind 1h before": the title,
// priority, tags, due date, repeat rule and reminders, in the user's time zone. A date
// without a time of day makes an all-day task ("pay rent on the 1st"), due on that day
// rather than at a time. It is a pure function of the text, the present and the zone; it
// holds no I/O and does not create tasks (the REST API and the chat tools do, through
// the same path as any other new task).
package quickadd

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// MaxTextLength bounds the line, in characters.
const MaxTextLength = 1000

// Times of day: of a reminder on a day given without one, of the words for parts of the
// day, of "eod", and of what the reminders of an all-day task count back from. A date
// without a time of day has none: the task is due on that day (all-day).
var (
	defaultClock   = clock{h: 9}
	allDayClock    = clock{h: int(taskwire.AllDayReminderTime / time.Hour), m: int(taskwire.AllDayReminderTime % time.Hour / time.Minute)}
	morningClock   = clock{h: 9}
	afternoonClock = clock{h: 15}
	eveningClock   = clock{h: 18}
	nightClock     = clock{h: 20}
	endOfDay       = clock{h: 23, m: 59}
)

// Fragment is a part of the line that was understood.
type Fragment struct {
	Text       string // the words as typed
	Meaning    string // what they were read as, for people
	Start, End int    // Text's byte offsets in the line
}

// Result is what a line says: the task as a client would send it to create it (the body
// of POST /v1/tasks, already valid), and the fragments understood, in the line's order.
type Result struct {
	Task       taskwire.NewTask
	Understood []Fragment
}

// parser holds what has been read of one line so far.
type parser struct {
	text string
	now  time.Time // in loc
	loc  *time.Location
	toks []token
	used []bool
	frag []Fragment

	priority      taskwire.Priority
	tags          []string
	date          *date  // the due date, or the first day of a series
	ahead         bool   // date came after "before": a task due on a day is due the day before
	yearless      bool   // date came after "starting" or "from" without a year: with a rule, it may be this year's, passed
	dateFrag      int    // index in frag of the due date, -1 for none
	part          *clock // the default time of day that a word such as "tonight" gave
	clock         *clock // the time of day given
	clockFrag     int    // index in frag of the time of day that matchTime read, -1 for none
	hours         []int  // with more times of day after it ("at 8am and 8pm"), their hours, in order
	hoursFrom     int    // the words of the more times: hoursFrom to hoursTo-1
	hoursTo       int
	at            *time.Time
	rule          *rule
	ruleFrag      int   // index of the rule's fragment in frag
	adverb        int   // the word of a rule said by one adverb ("weekly"), -1 for none
	forWhen       []int // the words of a due date or time after "for" ("for monday", "for 10am"): forWhen[0] to forWhen[1]-1; nil for none
	untilFrag     int   // index of the rule's until in frag, -1 for none
	completion    []int // the words of "from completion"; empty for Todoist's "every!", which has none; nil for neither
	reminders     []reminder
	atDue         int                // index in frag of "remind me to", which asks for a reminder at the due time; -1 for none
	remindMeTo    bool               // atDue is "remind me" alone, which needs its "to" after the words read next
	length        *taskwire.Duration // how long it takes ("for 30 minutes"); nil for not said
	lengthAt      []int              // the words of length: lengthAt[0] to lengthAt[1]-1
	run           *span              // how long the series runs ("every day for 2 weeks"); nil for not said
	runAt         []int              // the words of run, as lengthAt
	lengthOfClock bool               // length is from the time of day to its end ("2-3pm")
	zone          *time.Location     // the zone named after the time of day ("6pm EST"); nil for none
	refused       error              // what a matcher read and cannot take ("remind me 1 month before"); nil for none
}

// reminder is a reminder as read: a duration before the due time, a time of day (on the
// due date, on the day on, or daysBefore days before the due date), or an instant.
type reminder struct {
	before     *taskwire.Duration
	at         *clock
	on         *date
	daysBefore int
	instant    *time.Time
	frag       int // index in frag of the words that gave it
}

// Parse reads text as a new task, with now as the present and loc as the user's zone;
// every date and time it reads is a wall-clock time in loc. Words it does not understand
// stay in the title. Errors are EINVALID about the field "text": no text, more than one
// line, nothing left for a title, or a rule or reminder that needs a date it cannot have.
func Parse(text string, now time.Time, loc *time.Location) (Result, error) {
	if loc == nil {
		loc = time.UTC
	}
	if !utf8.ValidString(text) {
		return Result{}, invalid("text must be valid UTF-8")
	}
	if strings.TrimSpace(text) == "" {
		return Result{}, invalid("text is required: one line such as \"call mom tomorrow 5pm\"")
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLength {
		return Result{}, invalid("text must be at most %d characters, got %d", MaxTextLength, n)
	}
	if line, _, ok := strings.Cut(strings.TrimSpace(text), "\n"); ok || strings.ContainsAny(line, "\r\u2028\u2029") {
		// A task's title holds no line break, and a line each is a task each: the page
		// sends them one by one.
		line, _, _ = strings.Cut(line, "\r")
		return Result{}, invalid("text must be one line, one task: a line break follows %q", strings.TrimSpace(line))
	}
	p := &parser{text: text, now: now.In(loc), loc: loc, priority: taskwire.PriorityNone, clockFrag: -1, dateFrag: -1, untilFrag: -1, atDue: -1, adverb: -1}
	p.toks = tokenize(text)
	p.used = make([]bool, len(p.toks))
	for i := 0; i < len(p.toks); i++ {
		if p.used[i] || p.toks[i].quoted {
			continue
		}
		for _, match := range matchers {
			if n, meaning := match(p, i); n > 0 {
				p.understand(i, n, meaning)
				i += n - 1
				break
			}
		}
	}
	if p.refused != nil {
		return Result{}, p.refused
	}
	if p.zone != nil {
		// "webinar thursday 6pm EST": the day is the user's Thursday, its times New York's
		// clock, and the task runs in that zone.
		p.loc, p.now = p.zone, now.In(p.zone)
	}
	p.settleWindow()
	p.settleHours()
	p.settleEvening()
	p.settleMorning()
	p.settleTonight()
	p.settleRemindMe()
	p.settleClock()
	p.settleNaming()
	if p.rule == nil && p.completion != nil {
		// "after completion" means nothing without a repeat rule: those words are the title's.
		p.unread(p.completion)
	}
	return p.result()
}

// runFor ends the series when its run (p.run) is over, counted on the calendar from the
// day of its first occurrence d: "every day for 7 days" from a Friday runs until the
// Thursday, that whole day; "every monday for 3 months" from 9 March until 8 June. A rule
// with an end of its own gives the words back to the title.
func (p *parser) runFor(d *due) {
	run := *p.run
	p.run = nil
	if p.rule.until != "" || p.rule.count > 0 || d == nil {
		p.unread(p.runAt)
		return
	}
	first := d.day
	if !d.allDay {
		first = dateOf(d.at.In(p.loc))
	}
	last := run.lastDay(first)
	if last.y > 9998 {
		p.unread(p.runAt)
		return
	}
	p.rule.until = last.utc().Format("20060102")
	for k, f := range p.frag {
		if f.Start == p.toks[p.runAt[0]].start {
			p.frag[k].Meaning = "until " + last.String()
		}
	}
}

// unread gives the words words[0] to words[1]-1, read as one fragment, back to the title.
func (p *parser) unread(words []int) {
	i := words[0]
	for k := i; k < words[1]; k++ {
		p.used[k] = false
	}
	for k, f := range p.frag {
		if f.Start == p.toks[i].start {
			p.forget(k)
			break
		}
	}
}

// forget removes the k-th fragment understood, and moves the indexes of those after it.
func (p *parser) forget(k int) {
	p.frag = append(p.frag[:k], p.frag[k+1:]...)
	for _, index := range []*int{&p.clockFrag, &p.dateFrag, &p.ruleFrag, &p.untilFrag, &p.atDue} {
		if *index > k {
			*index--
		}
	}
}

// settleNaming gives back to the title what was read and also names the task, with the
// word of the title right after it: a rule's adverb ("weekly review" repeats weekly and
// is titled "weekly review", not "review"; "daily standup 9am") and a day or time after
// "for" ("prepare slides for thursday meeting" is due on Thursday and keeps its words,
// not "prepare slides meeting"; "get ready for 10am meeting"). What was read stays read,
// its fragment too. Last in its phrase ("call mom weekly", "slides for monday, 9am") it
// says only when.
func (p *parser) settleNaming() {
	if i := p.adverb; i >= 0 && p.titleWordAfter(i) {
		p.used[i] = false
		if p.oneOff() {
			// "daily standup notes tomorrow", "monthly newsletter by friday": the adverb
			// only names the task, which is due once.
			p.forget(p.ruleFrag)
			p.rule = nil
		}
	}
	if w := p.forWhen; w != nil && p.titleWordAfter(w[1]-1) {
		for k := w[0]; k < w[1]; k++ {
			p.used[k] = false
		}
	}
}

// oneOff reports whether the line's date is a deadline or a day of its own, which no
// series starts on: after "by", "due" or "before", or "today", "tonight" or "tomorrow".
// A rule said by an adverb alone (no end, count, times or "from completion" of its own)
// then yields to it.
func (p *parser) oneOff() bool {
	if p.dateFrag < 0 || p.rule == nil || p.rule.until != "" || p.rule.count > 0 || p.run != nil || len(p.rule.byHour) > 0 ||
		p.completion != nil {
		return false
	}
	start := p.frag[p.dateFrag].Start
	for _, t := range p.toks {
		if t.start == start {
			return oneOffWords[t.word]
		}
	}
	return false
}

// oneOffWords begin the dates that oneOff yields to.
var oneOffWords = map[string]bool{"by": true, "due": true, "before": true, "today": true, "tonight": true, "tomorrow": true}

// titleWordAfter reports whether the word after word i, with no comma between, is a word
// of the title: not read, and with a letter or digit (a quoted one too: "daily
// \"standup\"").
func (p *parser) titleWordAfter(i int) bool {
	if i+1 >= len(p.toks) || p.used[i+1] || p.comma(i) {
		return false
	}
	t := p.toks[i+1]
	return strings.ContainsFunc(p.text[t.start:t.end], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// settleClock says in the time of day's fragment the time used, which the words after it
// may have changed: "tonight at 11" is 23:00, not 11:00.
func (p *parser) settleClock() {
	if p.clockFrag >= 0 {
		c, _ := p.timeOfDay()
		p.frag[p.clockFrag].Meaning = "at " + c.String()
		if p.lengthOfClock && p.length != nil {
			p.frag[p.clockFrag].Meaning += ", takes " + describeLength(*p.length)
		}
		if p.rule != nil && len(p.rule.byHour) > 1 {
			p.frag[p.clockFrag].Meaning = "at " + p.rule.times()
		}
		if p.zone != nil {
			p.frag[p.clockFrag].Meaning += " in " + p.zone.String()
		}
	}
}

// understand marks tokens i to i+n-1 as read, with their meaning.
func (p *parser) understand(i, n int, meaning string) {
	for k := i; k < i+n; k++ {
		p.used[k] = true
	}
	start, end := p.toks[i].start, p.toks[i+n-1].end
	p.frag = append(p.frag, Fragment{Text: p.text[start:end], Meaning: meaning, Start: start, End: end})
}

// word returns the i-th word, or "" when there is none or it was read already.
func (p *parser) word(i int) string {
	if i < 0 || i >= len(p.toks) || p.used[i] {
		return ""
	}
	return p.toks[i].word
}

// comma reports whether the i-th word was typed with a comma after it ("day," of "1 day,
// 2 hours").
func (p *parser) comma(i int) bool {
	return i >= 0 && i < len(p.toks) && strings.HasPrefix(p.text[p.toks[i].end:p.toks[i].full], ",")
}

func invalid(format string, args ...any) error {
	return taskwire.FieldErrorf(taskwire.EINVALID, "text", format, args...)
}

// result assembles the task and checks it as POST /v1/tasks would.
func (p *parser) result() (Result, error) {
	d, err := p.due()
	if err != nil {
		return Result{}, err
	}
	if p.rule != nil && p.run == nil && p.length != nil && p.length.Weeks+p.length.Days > 0 {
		// "for 7 days every 8 hours", the rule after its length: how long the series runs,
		// not each task, as when the rule comes first.
		p.run, p.runAt, p.length = &span{n: p.length.Weeks*7 + p.length.Days, u: day}, p.lengthAt, nil
	}
	if p.run != nil {
		p.runFor(d)
	}
	switch {
	case p.length == nil:
	case d != nil && d.allDay && p.length.Hours+p.length.Minutes > 0:
		// An all-day task lasts whole days: "for 2 hours" on a day is the title's.
		p.unread(p.lengthAt)
		p.length = nil
	}
	var words []string
	for i, t := range p.toks {
		if !p.used[i] {
			words = append(words, p.text[t.from:t.full])
		}
	}
	if n := len(words); n > 1 && strings.EqualFold(strings.TrimRight(words[n-1], ",;:"), "and") {
		// "standup every day at 9am and remind me 10 minutes before": the "and" joined
		// what was read, not the title.
		words = words[:n-1]
	}
	// A dash that set the title apart from what was read: "call mom - tomorrow".
	if n := len(words); n > 1 && dashes[words[n-1]] {
		words = words[:n-1]
	}
	if len(words) > 1 && dashes[words[0]] {
		words = words[1:]
	}
	in := taskwire.NewTask{
		Title:      strings.TrimRight(strings.Join(words, " "), ",;:"), // "call mom, tomorrow"
		Priority:   string(p.priority),
		Tags:       append([]string{}, p.tags...),
		TimeZone:   p.loc.String(),
		RepeatFrom: string(taskwire.RepeatFromSchedule),
		Reminders:  []taskwire.ReminderInput{},
	}
	if in.Title == "" {
		return Result{}, invalid("text leaves no title: add words that say what to do")
	}
	if p.length != nil {
		length := p.length.String()
		in.Duration = &length
	}
	switch {
	case d == nil:
	case d.allDay:
		s := d.day.utc().Format(taskwire.DateLayout)
		in.DueDate = &s
	default:
		s := d.at.Format(time.RFC3339)
		in.DueAt = &s
	}
	if p.rule != nil {
		rule, err := recur.Parse(p.rule.String())
		if err != nil {
			return Result{}, fmt.Errorf("quick add rule %q: %w", p.rule, err)
		}
		in.Recurrence = &rule
		if p.completion != nil {
			in.RepeatFrom = string(taskwire.RepeatFromCompletion)
		}
	}
	for _, r := range p.reminders {
		ri, err := p.reminder(r, d)
		if err != nil {
			return Result{}, err
		}
		in.Reminders = append(in.Reminders, ri)
	}
	if p.atDue >= 0 {
		switch {
		case d == nil:
			p.frag[p.atDue].Meaning = "no reminder: the line gives no date or time to remind at"
		case d.allDay:
			p.frag[p.atDue].Meaning = "a reminder at " + allDayClock.String() + " on the day it is due"
		}
		if d != nil {
			atDue := "PT0S"
			in.Reminders = append(in.Reminders, taskwire.ReminderInput{Before: &atDue})
		}
	}
	if _, err := in.Fields(); err != nil {
		if taskwire.ErrorField(err) == "title" {
			return Result{}, invalid("the title %s", strings.TrimPrefix(taskwire.ErrorMessage(err), "title "))
		}
		return Result{}, err
	}
	return Result{Task: in, Understood: p.frag}, nil
}

// dashes are the words that may set a title apart from the words read around it.
var dashes = map[string]bool{"-": true, "–": true, "—": true}

// wall returns the instant of a wall-clock time in the user's zone, resolved as
// recurrences are: a time in a DST gap moves forward by the gap (02:30 becomes 03:30), a
// repeated time is the first of the two.
func (p *parser) wall(d date, c clock) time.Time {
	return recur.Resolve(time.Date(d.y, d.m, d.d, c.h, c.m, 0, 0, time.UTC), p.loc)
}

// next returns the next time the clock shows c: today, or its repeat on a fall-back day
// ("at 1:30am" typed at 01:10 after the clocks went back is 20 minutes away), else
// tomorrow.
func (p *parser) next(c clock) time.Time {
	today := dateOf(p.now)
	t := p.wall(today, c)
	if t.After(p.now) {
		return t
	}
	if again, ok := repeated(t); ok && again.After(p.now) {
		return again
	}
	return p.wall(today.add(1), c)
}

// repeated returns the second instant that shows t's wall-clock time, where a DST overlap
// repeats it (01:30 on a fall-back day), and false where there is none.
func repeated(t time.Time) (time.Time, bool) {
	_, before := t.Zone()
	_, after := t.Add(3 * time.Hour).Zone()
	if after >= before {
		return time.Time{}, false
	}
	again := t.Add(time.Duration(before-after) * time.Second)
	if again.Format("2006-01-02 15:04:05") != t.Format("2006-01-02 15:04:05") {
		return time.Time{}, false
	}
	return again, true
}

// timeOfDay returns the time of day given, else the default of a word such as "tonight",
// else 09:00 (which only a series of hours without one asks for, and does not use);
// explicit says whether one was given.
func (p *parser) timeOfDay() (c clock, explicit bool) {
	switch {
	case p.clock != nil:
		return inPart(*p.clock, p.part), true
	case p.part != nil:
		return *p.part, false
	}
	return defaultClock, false
}

// inPart returns c, given without am or pm, in the half of the day that part of the day
// says: "tonight at 8" is 20:00, "tonight at 12" midnight, not noon, and "tomorrow morning
// at 5" 05:00, not the afternoon an hour from 1 to 6 is read as alone.
func inPart(c clock, part *clock) clock {
	switch {
	case part == nil || c.meridiem:
		return c
	case part.h >= 12 && c.h >= 1 && c.h < 12:
		return clock{h: c.h + 12, m: c.m}
	case part.h >= eveningClock.h && c.h == 12 && c.m == 0:
		return clock{h: endOfDay.h, m: endOfDay.m}
	case c.afternoon && part.h < 12:
		return clock{h: c.h - 12, m: c.m}
	}
	return c
}

// due is when the line's task is due: at a time, or on a day (all-day).
type due struct {
	at     time.Time // the due time; an all-day task's is its day's last second in the zone
	allDay bool
	day    date // the day of an all-day task
}

// allDay reports whether the line makes an all-day task: it gives a date or a repeat rule
// of days, and no time of day, part of the day ("tonight", "friday evening", "every
// morning") or time from now ("in 2 hours"). A rule of hours needs a time.
func (p *parser) allDay() bool {
	return (p.date != nil || p.rule != nil) && p.clock == nil && p.part == nil && p.at == nil &&
		(p.rule == nil || p.rule.freq != "HOURLY")
}

// due returns when the line's task is due, or nil when the line gives no date or time.
func (p *parser) due() (*due, error) {
	p.settleStart()
	if p.allDay() {
		return p.dueDay()
	}
	today := dateOf(p.now)
	var t time.Time
	switch {
	case p.rule != nil:
		c, explicit := p.timeOfDay()
		// The series starts at its first occurrence: "every 2 weeks on friday at 9am" is due
		// this coming Friday, and every other Friday from there.
		r, start := p.rule.withInterval(1), p.next(c)
		notBefore := start
		switch {
		case p.date != nil:
			start = p.wall(*p.date, c)
			notBefore = start
			if start.Before(p.now) {
				// "every 2 weeks starting dec 1" after it: the series runs from then, and
				// is due next at its first occurrence from now.
				r, notBefore = p.rule, p.now
			}
		case p.rule.freq == "HOURLY" && !explicit && p.part == nil:
			// "take pills every 8 hours": from the next whole hour, not 09:00 tomorrow.
			n := p.now.In(p.loc)
			start = time.Date(n.Year(), n.Month(), n.Day(), n.Hour(), 0, 0, 0, p.loc).Add(time.Hour)
			notBefore = start
		case p.rule.freq == "HOURLY":
			// "every 8 hours at 8am" is 08:00, 16:00 and 00:00: from the next of them.
			r, start, notBefore = p.rule, p.wall(today, c), p.now
		case len(p.rule.byHour) > 0:
			// "every day at 8am and 8pm" typed at 10:00: from 20:00 today.
			start, notBefore = p.wall(today, c), p.now
		}
		first, err := p.first(r, p.loc, start, notBefore)
		if err != nil {
			return nil, err
		}
		t = first
		p.frag[p.ruleFrag].Meaning += ", first on " + t.Format("Mon 2 Jan 2006 15:04")
	case p.at != nil:
		t = *p.at
	case p.date != nil:
		c, explicit := p.timeOfDay()
		t = p.wall(*p.date, c)
		if !explicit && *p.date == today && !t.After(p.now) {
			t = p.wall(today, endOfDay) // "tonight" after 20:00: by the end of the day
			if !t.After(p.now) {
				t = t.Add(59 * time.Second) // in the day's last minute: its last second
			}
		}
	case p.clock != nil:
		t = p.next(*p.clock)
	default:
		return nil, nil
	}
	if err := inRange(t, dateOf(t)); err != nil {
		return nil, err
	}
	return &due{at: t}, nil
}

// settleStart makes a series' first day given without a year ("every 2 weeks starting
// dec 1") the nearer of its next and its last: typed on 4 December, the series began on 1
// December, where "starting jan 5" is the coming one.
func (p *parser) settleStart() {
	if p.rule == nil || p.date == nil || !p.yearless {
		return
	}
	today, last := dateOf(p.now), date{p.date.y - 1, p.date.m, p.date.d}
	if !last.valid() || today.utc().Sub(last.utc()) >= p.date.utc().Sub(today.utc()) {
		return
	}
	f := &p.frag[p.dateFrag]
	f.Meaning = strings.Replace(f.Meaning, p.date.String(), last.String(), 1)
	p.date = &last
}

// dueDay returns the day an all-day task is due: the date given, or the first day of its
// series from that date, else from today on (an all-day task due today is not overdue).
// The series runs on days, as an all-day one does, so no time of day or DST change bears
// on its first.
func (p *parser) dueDay() (*due, error) {
	day := dateOf(p.now)
	if p.date != nil {
		day = *p.date
	}
	if p.rule != nil {
		if until, _, timed := strings.Cut(p.rule.until, "T"); timed {
			// An all-day series ends with a day: "until 2026-12-03T14:00" keeps the 3rd.
			p.rule.until = until
			d, _ := time.Parse("20060102", until)
			p.frag[p.untilFrag].Meaning = "until " + dateOf(d).String()
		}
		r, notBefore := p.rule.withInterval(1), day
		if today := dateOf(p.now); before(day, today) {
			r, notBefore = p.rule, today // a series that began before today: its next from today
		}
		first, err := p.first(r, time.UTC, day.utc(), notBefore.utc())
		if err != nil {
			return nil, err
		}
		day = dateOf(first)
		p.frag[p.ruleFrag].Meaning += ", first on " + day.String() + ", all day"
	} else if p.ahead {
		// "before friday": done by the time Friday begins, so due on Thursday; never
		// before today ("before tomorrow" is today).
		if day = day.add(-1); before(day, dateOf(p.now)) {
			day = dateOf(p.now)
		}
		p.frag[p.dateFrag].Meaning += ": on " + day.String() + ", all day"
	} else if p.dateFrag >= 0 {
		p.frag[p.dateFrag].Meaning += ", all day"
	}
	at := taskwire.EndOfDay(day.utc(), p.loc).In(p.loc)
	if err := inRange(at, day); err != nil {
		return nil, err
	}
	return &due{at: at, allDay: true, day: day}, nil
}

// first returns the first occurrence of r in loc from start on, not before notBefore (see
// recur.First), refusing a rule that has none, or too many dates before notBefore to step
// through ("every hour starting 2001-01-01").
func (p *parser) first(r *rule, loc *time.Location, start, notBefore time.Time) (time.Time, error) {
	first, ok, err := recur.First(r.String(), loc, start, notBefore)
	switch {
	case errors.Is(err, recur.ErrTooManySteps):
		return time.Time{}, invalid("the repeat rule %q has too many dates between its start and now: start it later",
			p.frag[p.ruleFrag].Text)
	case err != nil:
		return time.Time{}, fmt.Errorf("quick add first occurrence of %q: %w", p.rule, err)
	case !ok && p.rule.until != "":
		return time.Time{}, invalid("the repeat rule %q ends before its first date", p.frag[p.ruleFrag].Text)
	case !ok:
		return time.Time{}, invalid("the repeat rule %q has no date ahead", p.frag[p.ruleFrag].Text)
	}
	return first, nil
}

// inRange refuses a due time t, on day, outside the years 1970 to 9998 in UTC.
func inRange(t time.Time, day date) error {
	if u := t.UTC(); u.Year() < 1970 || u.Year() > 9998 {
		return invalid("the due date %s is out of range", day.utc().Format(taskwire.DateLayout))
	}
	return nil
}

// anchor returns what a relative reminder of a task due d counts back from: its due
// time, or, for an all-day task, 09:00 on its day (taskwire.AllDayReminderTime).
func (p *parser) anchor(d *due) time.Time {
	if !d.allDay {
		return d.at
	}
	return p.wall(d.day, allDayClock)
}

// reminder returns r as a client would send it for a task due d (nil for none).
func (p *parser) reminder(r reminder, d *due) (taskwire.ReminderInput, error) {
	if r.before != nil {
		if d == nil {
			return taskwire.ReminderInput{}, invalid("a reminder before the due time needs a due date or time, such as \"tomorrow 5pm\"")
		}
		s := r.before.String()
		return taskwire.ReminderInput{Before: &s}, nil
	}
	if r.daysBefore > 0 {
		// "the day before at 6pm": that time on the day so many days before the due date.
		if d == nil {
			return taskwire.ReminderInput{}, invalid("a reminder before the due date needs a due date or time, such as \"tomorrow 5pm\"")
		}
		day := d.day
		if !d.allDay {
			day = dateOf(d.at.In(p.loc))
		}
		r.on = new(day.add(-r.daysBefore))
	}
	if r.instant != nil || (r.on != nil && d == nil) {
		t := r.instant
		if t == nil {
			t = new(p.wall(*r.on, *r.at))
		}
		if d != nil && t.After(d.at) {
			return taskwire.ReminderInput{}, p.afterDue(*t, d)
		}
		return reminderAt(*t)
	}
	if d == nil {
		t := p.wall(dateOf(p.now), *r.at)
		if !t.After(p.now) {
			t = p.wall(dateOf(p.now).add(1), *r.at)
		}
		return reminderAt(t)
	}
	// On the due date, or the day before when that time is later than the due time; or
	// on the day named, as a distance before each occurrence of a recurring task. A
	// recurring all-day task's reminders count back from 09:00 on its day, so a later time
	// falls on the day before; a one-off's fall on its day.
	ref := d.at
	if p.rule != nil {
		ref = p.anchor(d)
	}
	local := ref.In(p.loc)
	day := dateOf(local)
	if r.at.afternoon && r.on == nil {
		// "wake up at 7am remind me at 6:30": an hour read as afternoon that would fall
		// after the due is its morning, when that falls before it on the same day.
		morning := clock{h: r.at.h - 12, m: r.at.m}
		if p.wall(day, *r.at).After(ref) && !p.wall(day, morning).After(ref) {
			r.at = &morning
		}
	}
	if r.at.morning && r.on == nil && !d.allDay {
		// "dinner at 8 remind me at 7": an hour from 7 to 10 read as morning is the
		// evening's when that still falls before the due time on its day.
		evening := clock{h: r.at.h + 12, m: r.at.m}
		if p.wall(day, evening).Before(ref) {
			r.at = &evening
		}
	}
	switch {
	case r.on != nil:
		day = *r.on
	case p.wall(day, *r.at).After(ref):
		day = day.add(-1)
	}
	at := p.wall(day, *r.at)
	switch {
	case at.After(d.at):
		return taskwire.ReminderInput{}, p.afterDue(at, d)
	case at.After(ref):
		return taskwire.ReminderInput{}, invalid("the reminder on %s at %s comes after %s on the task's day, "+
			"which the reminders of a repeating all-day task count back from: give a time before it", day, r.at, allDayClock)
	}
	if p.rule == nil {
		return reminderAt(at)
	}
	// A recurring task's reminder must move with each occurrence: the same wall-clock
	// distance before the due time, as a duration of whole days on the calendar, then
	// hours and minutes.
	floating := func(d date, h, m int) time.Time { return time.Date(d.y, d.m, d.d, h, m, 0, 0, time.UTC) }
	gap := floating(dateOf(local), local.Hour(), local.Minute()).Sub(floating(day, r.at.h, r.at.m))
	const dayLength = 24 * time.Hour
	before := taskwire.Duration{Days: int(gap / dayLength), Hours: int(gap % dayLength / time.Hour), Minutes: int(gap % time.Hour / time.Minute)}
	s := before.String()
	if _, err := taskwire.ParseDuration(s); err != nil {
		return taskwire.ReminderInput{}, invalid("the reminder on %s at %s is too long before the task is due: %v", day, r.at, err)
	}
	return taskwire.ReminderInput{Before: &s}, nil
}

// reminderAt returns a reminder at t, refusing one outside the years 1970 to 9999 in UTC.
func reminderAt(t time.Time) (taskwire.ReminderInput, error) {
	if u := t.UTC(); u.Year() < 1970 || u.Year() > 9999 {
		return taskwire.ReminderInput{}, invalid("the reminder on %s is out of range", dateOf(t))
	}
	s := t.Format(time.RFC3339)
	return taskwire.ReminderInput{At: &s}, nil
}

// afterDue refuses a reminder at t, after the task due d is due: for an all-day task,
// after its day.
func (p *parser) afterDue(t time.Time, d *due) error {
	if d.allDay {
		return invalid("the reminder at %s comes after the task's day, %s", t.In(p.loc).Format("Mon 2 Jan 2006 15:04"), d.day)
	}
	return invalid("the reminder at %s comes after the task is due", t.In(p.loc).Format("Mon 2 Jan 2006 15:04"))
}
