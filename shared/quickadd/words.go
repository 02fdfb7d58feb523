package quickadd

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// token is one whitespace-separated word of the line.
type token struct {
	from       int    // start of the word as typed, brackets and quotes included
	start, end int    // byte span of the word without its punctuation
	full       int    // end of the word as typed, punctuation included
	word       string // the word without its punctuation, lower-case; "" when quoted
	quoted     bool   // typed between double quotes: the title's as typed (see quote)
}

// tokenize splits text at white space. Trailing ",;:.?!", closing brackets and quotes,
// and opening ones before a word are not part of it (so that "tomorrow," "tomorrow:" and
// "(tomorrow)" read as "tomorrow") unless the word is nothing else. "@" before a time with
// am, pm or a colon is a word of its own: "@3pm" is "@ 3pm", where "@home" is a tag and
// "page @2" a title.
func tokenize(text string) []token {
	var toks []token
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += size
		}
		if text[i] == '@' {
			w, mer := cutMeridiem(strings.ToLower(strings.TrimRight(text[i+1:j], ",;:.?!")))
			if _, ok := clockOf(w, mer, false); ok || hourMarked(w, mer) {
				toks = append(toks, token{from: i, start: i, end: i + 1, full: i + 1, word: "@"})
				i++
			}
		}
		end := i + len(strings.TrimRight(text[i:j], ",;:.?!)]\"'”’"))
		if end == i {
			end = j
		}
		start := end - len(strings.TrimLeft(text[i:end], "([\"'“‘"))
		if start == end {
			start = i
		}
		word := strings.ToLower(text[start:end])
		if full, ok := shorthands[word]; ok {
			word = full
		}
		toks = append(toks, token{from: i, start: start, end: end, full: j, word: word})
		i = j
	}
	quote(text, toks)
	return toks
}

// quote marks the words typed between double quotes (straight or curly) as quoted, with
// no word to read: "watch \"Friday Night Lights\" tomorrow" is due tomorrow and keeps the
// show's name, quotes and all, in its title. A quote that opens before a word and closes
// after one (the same or a later) makes a pair; one without its pair ("a 12\" frame")
// quotes nothing.
func quote(text string, toks []token) {
	open := -1
	for k, t := range toks {
		if open < 0 && strings.ContainsAny(text[t.from:t.start], "\"“") {
			open = k
		}
		if open >= 0 && strings.ContainsAny(text[t.end:t.full], "\"”") {
			for q := open; q <= k; q++ {
				toks[q].word, toks[q].quoted = "", true
			}
			open = -1
		}
	}
}

// shorthands are words as people type them in a hurry, read as the word they stand for
// ("call mom 2moro", "next wk"); the title keeps them as typed.
var shorthands = map[string]string{"2moro": "tomorrow", "2morrow": "tomorrow", "nxt": "next", "wk": "week", "wks": "weeks"}

// date is a day on the calendar, without a zone.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date { return date{t.Year(), t.Month(), t.Day()} }

// utc returns the start of d in UTC, whose fields are d's: a day as shared/taskwire and
// shared/recur take one.
func (d date) utc() time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC) }

// monthStart returns the 1st of the month n months after d's.
func (d date) monthStart(n int) date {
	return dateOf(time.Date(d.y, d.m+time.Month(n), 1, 12, 0, 0, 0, time.UTC))
}

// addMonths returns the same day n months later, or the last day of a shorter month: in
// a month from 31 January is 28 February, not 3 March.
func (d date) addMonths(n int) date {
	first := d.monthStart(n)
	last := time.Date(first.y, first.m+1, 0, 12, 0, 0, 0, time.UTC).Day()
	return date{first.y, first.m, min(d.d, last)}
}

// weekEnd returns the Sunday that ends d's week, d itself on a Sunday.
func (d date) weekEnd() date { return d.add((7 - int(d.weekday())) % 7) }

// monthEnd returns the last day of d's month.
func (d date) monthEnd() date { return d.monthStart(1).add(-1) }

// yearEnd returns 31 December of d's year.
func (d date) yearEnd() date { return date{d.y, time.December, 31} }

// add returns the date n days later.
func (d date) add(n int) date {
	return dateOf(time.Date(d.y, d.m, d.d+n, 12, 0, 0, 0, time.UTC))
}

// valid reports whether the date exists (no 31 April, 29 February only in leap years).
func (d date) valid() bool {
	return d.m >= time.January && d.m <= time.December && d.d >= 1 && d.d <= 31 &&
		dateOf(time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC)) == d
}

func (d date) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (d date) String() string {
	return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Format("Mon 2 Jan 2006")
}

// clock is a time of day; meridiem says whether am or pm was given, afternoon whether h
// is an hour from 1 to 6 given without either that was read as pm ("at 5": 17:00), and
// morning whether it is one from 7 to 10 given without either, which a meal of the
// evening makes pm (see settleEvening).
type clock struct {
	h, m      int
	meridiem  bool
	afternoon bool
	morning   bool
}

func (c clock) String() string { return fmt.Sprintf("%02d:%02d", c.h, c.m) }

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "sun": time.Sunday,
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "weds": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
}

// wordLikeDays are the short day names that are also words: "sun cream", "SAT prep",
// "Dr. Sun". They are dates only where a date is plainly meant (see dayName). "wed" is
// not among them: as a word it is rare in a task, as a day common.
var wordLikeDays = map[string]bool{"sun": true, "sat": true}

// dayBefore are words after which a short day name is plainly a day ("before sat").
var dayBefore = map[string]bool{"before": true, "until": true, "till": true}

// occasions are words after which a day's name is an occasion's, which says no date of
// the task: "plan Black Friday sale", "Cyber Monday deals", "Good Friday service".
var occasions = map[string]bool{
	"black": true, "cyber": true, "good": true, "ash": true, "easter": true, "palm": true, "holy": true,
	"maundy": true, "shrove": true, "fat": true, "giving": true,
}

// verbsWithIn are verbs whose "in" is theirs ("check in", "log in"), not a date's.
var verbsWithIn = map[string]bool{
	"check": true, "checking": true, "log": true, "sign": true, "plug": true, "move": true, "moving": true,
	"drop": true, "fill": true, "hand": true, "turn": true, "pencil": true, "clock": true, "cash": true,
	"tuck": true, "break": true,
}

// nounBefore are words after which a short day name is a noun or a name: "the SAT",
// "Dr. Sun".
var nounBefore = map[string]bool{
	"the": true, "a": true, "an": true, "my": true, "dr": true, "mr": true, "mrs": true, "ms": true, "prof": true,
}

// weekdayOf reads a weekday name, also in the plural ("mondays").
func weekdayOf(w string) (time.Weekday, bool) {
	if d, ok := weekdays[w]; ok {
		return d, true
	}
	if strings.HasSuffix(w, "days") {
		d, ok := weekdays[strings.TrimSuffix(w, "s")]
		return d, ok
	}
	return 0, false
}

var months = map[string]time.Month{
	"january": time.January, "jan": time.January, "february": time.February, "feb": time.February,
	"march": time.March, "mar": time.March, "april": time.April, "apr": time.April,
	"may": time.May, "june": time.June, "jun": time.June, "july": time.July, "jul": time.July,
	"august": time.August, "aug": time.August, "september": time.September, "sep": time.September,
	"sept": time.September, "october": time.October, "oct": time.October,
	"november": time.November, "nov": time.November, "december": time.December, "dec": time.December,
}

// maxDaysIn is the most days a month can have (29 for February).
func maxDaysIn(m time.Month) int {
	switch m {
	case time.February:
		return 29
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
	"forty-five": 45, "ninety": 90,
}

// maxCount bounds the numbers of durations and intervals.
const maxCount = 1000

// count reads a positive number of at most maxCount, in digits or as a word; "a" and
// "an" are 1 when article is true ("an hour").
func count(w string, article bool) (int, bool) {
	if article && (w == "a" || w == "an") {
		return 1, true
	}
	if n, ok := numberWords[w]; ok {
		return n, true
	}
	if len(w) == 0 || len(w) > 4 || !allDigits(w) {
		return 0, false
	}
	n, _ := strconv.Atoi(w)
	return n, n >= 1 && n <= maxCount
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// unit is a unit of durations and intervals.
type unit int

const (
	minute unit = iota + 1
	hour
	day
	week
	month
	year
)

var units = map[string]unit{
	"m": minute, "min": minute, "mins": minute, "minute": minute, "minutes": minute,
	"h": hour, "hr": hour, "hrs": hour, "hour": hour, "hours": hour,
	"d": day, "day": day, "days": day,
	"w": week, "wk": week, "wks": week, "week": week, "weeks": week,
	"month": month, "months": month, "mo": month,
	"y": year, "yr": year, "yrs": year, "year": year, "years": year,
}

var unitNames = map[unit]string{minute: "minute", hour: "hour", day: "day", week: "week", month: "month", year: "year"}

// describe says n units in words: "1 hour", "30 minutes".
func describe(n int, u unit) string {
	if n == 1 {
		return "1 " + unitNames[u]
	}
	return strconv.Itoa(n) + " " + unitNames[u] + "s"
}

// ordinal reads a day of the month: "1st", "22nd", "3rd", "15th" or "15".
func ordinal(w string) (int, bool) {
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if strings.HasSuffix(w, suffix) && len(w) > 2 {
			w = strings.TrimSuffix(w, suffix)
			break
		}
	}
	if len(w) > 2 || !allDigits(w) {
		return 0, false
	}
	n, _ := strconv.Atoi(w)
	return n, n >= 1 && n <= 31
}

// dayWords are the days of a month in words, "first" to "thirty-first", which a date may
// name ("january first", "the first of may", "on the fifteenth"); elsewhere "first" and
// "second" are places or counts ("the first monday", "first thing").
var dayWords = func() map[string]int {
	ones := []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"}
	words := map[string]int{"tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
		"fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
		"twentieth": 20, "thirtieth": 30, "thirty-first": 31}
	for k, w := range ones {
		words[w], words["twenty-"+w] = k+1, k+21
	}
	return words
}()

// ordinalName writes a day of the month as people say it: 1st, 2nd, 3rd, 11th, 31st.
func ordinalName(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}
