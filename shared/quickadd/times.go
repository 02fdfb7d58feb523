package quickadd

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// matchTime reads a time of day, after an optional "at", "@", "by", "around", "due",
// "before" (a deadline: "before 4pm" is due at 16:00), "after" (not sooner: "after 4pm"
// is due at 16:00 too), "from", "starting" or "for", and one more of "at", "around" or
// "by" ("due by", "at around", "starting at"): "5pm", "5 pm", "9:30", "9:30am", "17:00",
// "noon", "midnight", "eod" and "[the] end of [the] day" (23:59), and a bare hour ("at
// 9") after "at", "@", "by", "around" or "due" ("work from 9 to 5" and "pages from 10"
// are no time); or a time range (see timeRange), also after "between", and in hours
// alone right after a day or right before one ("monday 10-11", "meeting 10-11
// tomorrow"); each with the abbreviation of a zone after it ("6pm EST", see zoneAt).
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
	c, d, k, ok := p.timeRange(j, bare, false, between)
	if !ok && !bare && p.followsDay(i) {
		// Hours alone right after a day ("monday 10-11", "friday from 9 to 5") where the
		// phrase ends there or goes on as an appointment's does ("with Bob"), not as a
		// count's ("friday 1-2 hours of study", "monday 3 to 4 people"), at most 12 hours
		// apart ("score friday 3-1" is none).
		if c, d, k, ok = p.timeRange(j, true, true, between); ok && (!p.hoursEnd(j+k) || d.Hours*60+d.Minutes > 12*60) {
			ok = false
		}
	}
	if !ok && !bare && !p.countsBefore(i) {
		// Hours alone right before a day ("meeting 10-11 tomorrow", "workshop 9 to 5 on
		// monday"), as people say them, 1 to 12, at most 12 hours apart ("score 3-1
		// tomorrow" is none), and not after a word that counts things ("pages 10-12
		// monday", "chapter 3-5 tomorrow").
		if c, d, k, ok = p.timeRange(j, true, true, between); ok &&
			(!p.dateNext(j+k) || !twelveHours(p.toks[j:j+k]) || d.Hours*60+d.Minutes > 12*60) {
			ok = false
		}
	}
	if ok && p.length == nil {
		p.clock, p.clockFrag = &c, len(p.frag)
		p.length, p.lengthAt, p.lengthOfClock = &d, []int{j, j + k}, true
		return j - i + k + p.zoneAt(j+k), "at " + c.String()
	}
	c, k, ok = p.clockAt(j, bare)
	if ok && k == 1 && allDigits(p.word(j)) && amountOf[p.word(j+1)] {
		ok = false // "buy tomatoes at 2 euros": a price, no time
	}
	if w := p.word(j - 1); !ok && j > i && (w == "at" || w == "@") {
		if c, ok = militaryClock(p.word(j)); ok { // "at 0900", "@ 1730"
			k = 1
		}
	}
	if w := p.word(j); !ok && j == i && (p.part != nil || strings.Contains(w, ".") || twelveHours(p.toks[j:j+1])) && p.followsDay(i) {
		// An hour alone right after a part of the day ("tomorrow morning 8", "tonight 9")
		// or, 1 to 12 as said aloud, a day ("call bob monday 9"; "monday 15" may be the
		// 15th), or a time with a point right after a day ("tomorrow 10.30", "every friday
		// 9.15"; alone, "upgrade to 3.30" is none), where the phrase ends or goes on as an
		// appointment's does ("buy tomorrow 3 eggs" is a count).
		if c, k, ok = p.clockAt(j, true); ok && !p.hoursEnd(j+k) {
			ok = false
		}
	}
	if !ok {
		return 0, ""
	}
	p.clock = &c
	p.clockFrag = len(p.frag)
	if part, n := p.partOf(j + k); n == 3 && p.date != nil && p.part == nil {
		// "tomorrow at 8 in the evening": without a date, "in the evening" is one (the
		// next evening), and matchDate reads it
		p.part, k = part, k+n
	}
	k += p.moreTimes(c, j+k)
	k += p.zoneAt(j + k)
	if p.word(i) == "for" && p.forWhen == nil { // "get ready for 10am meeting": see settleNaming
		p.forWhen = []int{i, j + k}
	}
	return j - i + k, "at " + c.String()
}

// moreTimes reads "and 8pm" (", 2pm and 8pm") after time of day c at word j: more times
// of day, which a daily or weekly rule repeats at ("take pills every day at 8am and 8pm",
// "at 8am and 8pm daily"; see settleHours). It returns how many words it took. A time
// with a meridiem or a colon is needed ("and 2 hours before" is a reminder's), or an
// hour from 13 to 23 ("at 8 and 20"), at c's minute and an hour not given yet.
func (p *parser) moreTimes(c clock, j int) int {
	hours, n := []int{c.h}, 0
	for {
		k, ok := p.listNext(j + n)
		if !ok {
			break
		}
		more, m, ok := p.clockAt(k, false)
		if w := p.word(k); !ok && len(w) == 2 && w >= "13" && w <= "23" && allDigits(w) {
			// An hour only a 24-hour clock has ("at 8 and 20"), unless it counts ("and 20
			// minutes before").
			if _, _, _, counts := p.duration(k, false); !counts {
				h, _ := strconv.Atoi(w)
				more, m, ok = clock{h: h}, 1, true
			}
		}
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
// at; they replace the hours the rule's words said ("twice a day at 8am and 9pm"), as one
// time does, the first of as many over 12 hours ("twice a day at 9": 09:00 and 21:00; "3
// times a day at 7": 07:00, 13:00 and 19:00). Without a daily or weekly rule,
// or with a part of the day ("every evening at 6 and 9pm"), they are no time of this
// task: their words go back to the title.
func (p *parser) settleHours() {
	if p.rule != nil && len(p.rule.byHour) > 1 && len(p.hours) == 0 && p.clock != nil && p.part != nil {
		// "twice a day at 9", "every morning and evening at 8": as many from that hour
		p.hours = spread(p.clock.h, len(p.rule.byHour))
	}
	if len(p.hours) == 0 {
		return
	}
	if p.rule != nil && (p.rule.freq == "DAILY" || p.rule.freq == "WEEKLY") && (p.part == nil || len(p.rule.byHour) > 0) {
		if len(p.rule.byHour) > 0 { // the rule's words no longer say its times
			f := &p.frag[p.ruleFrag]
			f.Meaning = strings.Replace(f.Meaning, " at "+p.rule.times(), "", 1)
		}
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

// settleWindow makes a time range with an hourly rule the hours the task repeats at each
// day: "every hour from 9 to 5" is at 09:00, 10:00 … 17:00, and "every 2 hours between
// 9am and 5pm" at 09:00, 11:00 … 17:00 (a daily rule with those hours, BYHOUR, at the
// range's minute), not an hourly task that takes 8 hours.
func (p *parser) settleWindow() {
	if p.rule == nil || p.rule.freq != "HOURLY" || !p.lengthOfClock || p.length == nil || len(p.hours) > 0 {
		return
	}
	span := p.length.Hours*60 + p.length.Minutes
	var hours []int
	for m := 0; m <= span; m += 60 * p.rule.interval {
		hours = append(hours, (p.clock.h+m/60)%24)
	}
	slices.Sort(hours)
	p.rule.freq, p.rule.interval, p.rule.byHour, p.rule.byMinute = "DAILY", 1, hours, p.clock.m
	p.frag[p.ruleFrag].Meaning = "repeats " + p.rule.describe()
	p.clock = &clock{h: hours[0], m: p.clock.m, meridiem: true}
	p.length, p.lengthOfClock = nil, false
}

var meridiems = []string{"am", "pm", "a.m", "p.m"}

// clockAt reads a time of day at word j, also with "ish" ("at 8ish", "noonish") and an
// hour in words ("seven pm"); bare allows an hour alone ("9", "seven"), as does "o'clock"
// after it ("5 o'clock"). With bare it also reads "half past 9", "quarter past 10",
// "quarter to 5", "lunch" (noon; "lunchtime" anywhere) and "cob", "eob" or "close of
// business" (17:00). A "sharp" after the time is taken with it.
func (p *parser) clockAt(j int, bare bool) (clock, int, bool) {
	w := p.word(j)
	if base, ish := strings.CutSuffix(w, "ish"); ish && base != "" {
		w = base // "at 8ish", "noonish"; not "invite 10ish people"
	}
	switch w {
	case "noon", "midday", "lunchtime":
		return clock{h: 12, meridiem: true}, 1, true
	case "lunch":
		if bare { // "at lunch", "by lunch"; not "lunch with Sam"
			return clock{h: 12, meridiem: true}, 1, true
		}
	case "midnight", "eod":
		return clock{h: endOfDay.h, m: endOfDay.m, meridiem: true}, 1, true
	case "cob", "eob": // close (end) of business, 17:00: "by COB"; not "corn on the cob"
		if bare {
			return clock{h: closeOfBusiness, meridiem: true}, 1, true
		}
	case "close":
		if bare && p.word(j+1) == "of" && p.word(j+2) == "business" {
			return clock{h: closeOfBusiness, meridiem: true}, 3, true
		}
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
	case "half", "quarter": // "half past 9", "quarter to 5": the hour as "at 9" reads it
		to := p.word(j+1) == "to" && w == "quarter"
		if !bare || (p.word(j+1) != "past" && !to) {
			return clock{}, 0, false
		}
		if c, n, ok := p.clockAt(j+2, true); ok && c.m == 0 {
			switch {
			case to:
				c.h, c.m = (c.h+23)%24, 45
			case w == "half":
				c.m = 30
			default:
				c.m = 15
			}
			return c, n + 2, true
		}
		return clock{}, 0, false
	}
	if n := numberWords[w]; n >= 1 && n <= 12 {
		w = strconv.Itoa(n) // "at seven", "five pm", "half past six"
	}
	k := 1
	w, mer := cutMeridiem(w)
	if mer == "" && slices.Contains(meridiems, p.word(j+1)) {
		k, mer = 2, p.word(j+1)
	}
	if o := p.word(j + k); mer == "" && (o == "o'clock" || o == "o’clock" || o == "oclock") {
		k, bare = k+1, true
	}
	c, ok := clockOf(w, mer, bare)
	if ok && p.word(j+k) == "sharp" {
		k++
	}
	return c, k, ok
}

// amountOf are the words after which a number is an amount, a price or a measure, not
// an hour: "tomatoes at 2 euros", "sell at 5 dollars each", "at 3 percent".
var amountOf = map[string]bool{
	"euro": true, "euros": true, "eur": true, "dollar": true, "dollars": true, "usd": true, "bucks": true,
	"pound": true, "pounds": true, "gbp": true, "quid": true, "cents": true, "each": true, "apiece": true,
	"percent": true, "%": true, "per": true, "kg": true, "km": true, "miles": true,
}

// closeOfBusiness is the hour of "cob", "eob" and "close of business".
const closeOfBusiness = 17

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
// 13:00 and 18:59; "at 7" stays 07:00, as early as people get up (unless that has passed
// today and no day is given: settleTonight). A leading zero ("05:30") or a morning
// ("tomorrow morning at 5") keeps the hour as typed.
const latestAfternoon = 18

// clockOf reads w, the digits of a time of day ("5", "9:30", "3.30" with a meridiem or
// bare), with meridiem mer ("" for none); bare allows an hour alone without a meridiem,
// as after "at".
func clockOf(w, mer string, bare bool) (clock, bool) {
	if colon, ok := hourMark(w); ok && mer == "" {
		// "15h30" and "at 15h", as written in France and much of Europe: a 24-hour time,
		// read as typed ("3h30" is 03:30). Alone, an hour without minutes ("sleep 8h") or
		// before 7 with them ("run 1h30") is how long something takes, not when.
		if !bare && (strings.HasSuffix(w, "h") || colon < "07:") {
			return clock{}, false
		}
		w = colon
	}
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
		return clock{h: h, m: m, morning: h >= 7 && h <= 10 && hs[0] != '0'}, true
	}
	return clock{}, false
}

// militaryClock reads w as four digits of a 24-hour time without a colon, "0900" or
// "1730", as schedules and armies write it: after "at" only, where a year makes no sense
// ("by 2030" is a year's).
func militaryClock(w string) (clock, bool) {
	if len(w) != 4 || !allDigits(w) {
		return clock{}, false
	}
	h, _ := strconv.Atoi(w[:2])
	m, _ := strconv.Atoi(w[2:])
	return clock{h: h, m: m, meridiem: true}, h <= 23 && m <= 59
}

// hourMark reads w as "15h30" or "15h" (the hour, "h", and two digits of minutes or
// none) and returns it as a colon writes it, "15:30" or "15:00", with two digits of hour.
func hourMark(w string) (string, bool) {
	hs, ms, ok := strings.Cut(w, "h")
	if !ok || len(hs) == 0 || len(hs) > 2 || !allDigits(hs) || (ms != "" && (len(ms) != 2 || !allDigits(ms))) {
		return "", false
	}
	if len(hs) == 1 {
		hs = "0" + hs
	}
	return hs + ":" + cmp.Or(ms, "00"), true
}

// hourMarked reports whether w with meridiem mer is a time as hourMark reads it: "@15h"
// is "at 15h", not a tag.
func hourMarked(w, mer string) bool {
	_, ok := hourMark(w)
	return ok && mer == ""
}

// hourMarkedRange reports whether a and b are the start and end of a range of times as
// hourMark reads them ("9h-17h", "14h to 15h30") that starts from 07:00 on: "1h-2h" is
// how long something takes.
func hourMarkedRange(a, b string) bool {
	start, ok := hourMark(a)
	return ok && hourMarked(b, "") && start >= "07:"
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
	if !bare && am == "" && bm == "" && !strings.Contains(a+b, ":") && !hourMarkedRange(a, b) {
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

// settleEvening makes an hour from 7 to 10 given without am or pm ("at 8", "7:30") an
// evening's in a line about the evening, a meal of it or a night out: "dinner with Anna
// friday at 8" is at 20:00, and so are "concert friday at 8" and "drinks with Sam at 8",
// where "at 8" alone stays 08:00. A part of the day says which half it is already
// ("tomorrow morning at 8", "tonight at 8").
func (p *parser) settleEvening() {
	if p.clock == nil || !p.clock.morning || p.part != nil || len(p.hours) > 0 || !p.mentions(eveningWords) {
		return
	}
	p.clock = &clock{h: p.clock.h + 12, m: p.clock.m}
}

// settleMorning makes an hour of 5 or 6 given without am or pm, which reads as the
// afternoon's ("call at 5" is 17:00), the morning's in a line about the morning:
// "breakfast at 6" is 06:00 and "wake up at 6.30" 06:30. A part of the day says which half
// it is already.
func (p *parser) settleMorning() {
	if p.clock == nil || !p.clock.afternoon || p.clock.h-12 < 5 || p.part != nil || p.lengthOfClock || !p.aboutMorning() {
		return
	}
	p.clock = &clock{h: p.clock.h - 12, m: p.clock.m}
}

// aboutMorning reports whether the line is about the morning, a meal of it (breakfast,
// brunch) or waking up, in words that were not read as something else.
func (p *parser) aboutMorning() bool {
	if p.mentions(morningWords) {
		return true
	}
	for k, t := range p.toks {
		if !p.used[k] && t.word == "wake" && p.word(k+1) == "up" {
			return true
		}
	}
	return false
}

// mentions reports whether the line holds one of words that was not read as something
// else.
func (p *parser) mentions(words map[string]bool) bool {
	for k, t := range p.toks {
		if !p.used[k] && words[t.word] {
			return true
		}
	}
	return false
}

// settleTonight makes an hour from 7 to 10 given without am or pm, and without a day, the
// next such hour (nextEvening): "call bob at 7" typed at 11:40 is due at 19:00 today, not
// at 07:00 tomorrow. Of the two readings that is the sooner, so a task meant for tonight
// is never first due tomorrow. So is the reminder of a line due at no time: "remind me at
// 9 to call bob" typed at 10:00 reminds at 21:00.
func (p *parser) settleTonight() {
	if p.date != nil || p.rule != nil || p.at != nil || p.part != nil {
		return
	}
	if p.clock != nil {
		if evening, ok := p.nextEvening(*p.clock); ok && len(p.hours) == 0 {
			p.clock = &evening
		}
		return
	}
	for i, r := range p.reminders {
		if r.at == nil || r.on != nil || r.daysBefore > 0 || r.instant != nil {
			continue
		}
		if evening, ok := p.nextEvening(*r.at); ok {
			p.reminders[i].at = &evening
			f := &p.frag[r.frag]
			f.Meaning = strings.Replace(f.Meaning, "at "+r.at.String(), "at "+evening.String(), 1)
		}
	}
}

// nextEvening returns the evening's hour for c, an hour from 7 to 10 read as morning,
// when that morning hour has passed today and the evening's has not: the next time the
// clock shows it. Typed before 07:00 or after 19:00, "at 7" stays 07:00, the next; and a
// line about the morning keeps its morning ("breakfast at 8", "wake up at 7").
func (p *parser) nextEvening(c clock) (clock, bool) {
	if !c.morning || p.aboutMorning() {
		return c, false
	}
	today := dateOf(p.now)
	evening := clock{h: c.h + 12, m: c.m}
	if p.wall(today, c).After(p.now) || !p.wall(today, evening).After(p.now) {
		return c, false
	}
	return evening, true
}

// morningWords are the words of a line that keep an hour alone in the morning
// (aboutMorning), with "wake up".
var morningWords = map[string]bool{"breakfast": true, "breakfasts": true, "brunch": true}

// eveningWords are the words of a line that make an hour alone evening (settleEvening):
// the evening's meals, what people go out to at night, and "night" itself ("game night
// at 7"). Words that as often mean a morning's are not among them: a party (a child's,
// at 10), a show (to show someone), a bar (the exam), a date.
var eveningWords = map[string]bool{
	"dinner": true, "dinners": true, "supper": true,
	"concert": true, "concerts": true, "gig": true, "opera": true, "ballet": true,
	"theatre": true, "theater": true, "cinema": true, "movie": true, "movies": true,
	"drinks": true, "cocktails": true, "night": true,
}

// hoursEnd reports whether hours alone read as a time (a range or one hour) end before
// word k: the phrase ends there (see phraseEnds), or goes on as an appointment's does,
// "monday 10-11 with Bob", "in room 4", "on zoom", "for the review", "about the budget",
// "every hour from 9 to 5 until friday"; not as a count's, "friday 1-2 hours of study".
func (p *parser) hoursEnd(k int) bool {
	return p.phraseEnds(k) || hoursGoOn[p.word(k)]
}

// hoursGoOn are the words after which hoursEnd lets hours alone be a time.
var hoursGoOn = map[string]bool{"with": true, "in": true, "on": true, "for": true, "about": true, "until": true, "till": true}

// rangeJoins join the start and the end of a time range written in words: "10am to 11am".
var rangeJoins = map[string]bool{"to": true, "till": true, "until": true, "-": true, "–": true}

// dateNext reports whether a date starts at word k, after an optional "on": "tomorrow",
// "on monday", "dec 14" (as clockNext does for a time of day).
func (p *parser) dateNext(k int) bool {
	if p.word(k) == "on" {
		k++
	}
	_, _, _, n := p.dateAt(k, true)
	return n > 0
}

// countsBefore reports whether the word before word i counts things, so that numbers
// after it are theirs and no hours: a plural ("pages", "chapters") or one of countWords.
func (p *parser) countsBefore(i int) bool {
	w := p.word(i - 1)
	return countWords[w] || (len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"))
}

// countWords are words in the singular after which numbers are counted, not hours.
var countWords = map[string]bool{
	"page": true, "p": true, "pp": true, "pg": true, "chapter": true, "ch": true, "no": true, "number": true,
	"exercise": true, "ex": true, "question": true, "problem": true, "step": true, "lesson": true, "unit": true,
	"section": true, "verse": true, "row": true, "line": true, "item": true, "slide": true, "part": true,
	"episode": true, "ep": true, "volume": true, "vol": true, "level": true, "grade": true, "size": true,
	"age": true, "aged": true, "room": true, "version": true, "week": true, "day": true,
}

// twelveHours reports whether the numbers of words are hours as said aloud, 1 to 12.
func twelveHours(words []token) bool {
	for _, t := range words {
		for _, n := range strings.FieldsFunc(t.word, func(r rune) bool { return r < '0' || r > '9' }) {
			if h, err := strconv.Atoi(n); err != nil || h < 1 || h > 12 {
				return false
			}
		}
	}
	return true
}

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
