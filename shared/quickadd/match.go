package quickadd

import (
	"cmp"
	"slices"
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
// date. Tags, priorities and "from completion" are read here; reminders in remind.go,
// lengths and times from now in length.go, repeat rules in rules.go, dates in dates.go
// and times of day in times.go.
var matchers = []matcher{matchTag, matchPriority, matchCompletion, matchReminder, matchLength, matchRepeat, matchUntil,
	matchTimes, matchExcept, matchIn, matchDate, matchTime}

// matchTag reads "#word", or "@word" as Todoist writes its labels: a tag, lower-cased. A
// tag needs a letter, so "#42" and "@ 5pm" stay.
func matchTag(p *parser, i int) (int, string) {
	w := p.word(i)
	if len(w) < 2 || (w[0] != '#' && w[0] != '@') || len(p.tags) >= taskwire.MaxTags {
		return 0, ""
	}
	tag := taskwire.NormalizeTag(w[1:]) // "#cafe\u0301" is the tag café
	if utf8.RuneCountInString(tag) > taskwire.MaxTagLength || !strings.ContainsFunc(tag, unicode.IsLetter) ||
		strings.ContainsFunc(tag, unicode.IsControl) {
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
	"!p1": taskwire.PriorityUrgent, "!p2": taskwire.PriorityHigh, "!p3": taskwire.PriorityMedium, "!p4": taskwire.PriorityLow,
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

// partOf reads at word k a part of the day, "morning", or "in the morning": its time and
// how many words it took, 0 for none.
func (p *parser) partOf(k int) (*clock, int) {
	if part := parts[p.word(k)]; part != nil {
		return part, 1
	}
	if part := parts[p.word(k+2)]; part != nil && p.word(k) == "in" && p.word(k+1) == "the" {
		return part, 3
	}
	return nil, 0
}
