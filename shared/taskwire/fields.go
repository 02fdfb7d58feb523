package taskwire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // functions run in minimal containers; zone rules travel in the binary
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/zone"
	"golang.org/x/text/unicode/norm"
)

// Limits on task fields.
const (
	MaxTitleLength       = 500
	MaxDescriptionLength = 10000
	MaxTags              = 20
	MaxTagLength         = 50
	MaxReminders         = 10
	MaxSteps             = 100 // items of a checklist
	MaxStepLength        = MaxTitleLength
	MaxDurationDays      = 31 // a task that takes longer is a project
)

// TaskFields are a task's editable fields after validation: what a create or a patch
// asks the store to hold.
type TaskFields struct {
	Title       string
	Description string
	Status      Status
	Priority    Priority
	Tags        []string
	Checklist   []Step // in order; never nil
	DueAt       *time.Time
	AllDay      bool   // due on DueAt's day, not at its time: DueAt is the day's last second
	Duration    string // how long it takes, canonical ISO 8601 ("PT30M"); "" for not said
	TimeZone    string // "" until resolved to the user's zone
	Recurrence  string // canonical RRULE, "" for none
	RepeatFrom  RepeatFrom
	Reminders   []ReminderSpec
	// Position is the task's place in the user's order (see Task.Position); no request
	// body sets it: a move does, and "" keeps the task's.
	Position string
}

// ReminderSpec is a reminder as asked for: Before (a canonical ISO 8601 duration) or At.
// ID is the existing reminder's when a patch keeps it, else the zero UUID.
type ReminderSpec struct {
	ID     uuid.UUID
	Before string
	At     *time.Time
}

// FireAt returns when the reminder fires for a task due at due in zone tz (all-day: on
// due's day), or nil when a relative reminder has no due date.
func (r ReminderSpec) FireAt(due *time.Time, tz string, allDay bool) *time.Time {
	if r.At != nil {
		t := r.At.UTC()
		return &t
	}
	if due == nil {
		return nil
	}
	d, err := ParseDuration(r.Before)
	if err != nil {
		return nil
	}
	loc := LoadZone(tz)
	t := d.Before(reminderAnchor(*due, loc, allDay), loc).UTC()
	return &t
}

// NewTask is the body of a request that creates a task.
type NewTask struct {
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Priority    string         `json:"priority"`
	Tags        TagsInput      `json:"tags"`
	Checklist   ChecklistInput `json:"checklist"`
	DueAt       *string        `json:"due_at"`
	DueDate     *string        `json:"due_date"`
	Duration    *string        `json:"duration"`
	TimeZone    string         `json:"time_zone"`
	Recurrence  *string        `json:"recurrence"`
	RepeatFrom  string         `json:"repeat_from"`
	Reminders   RemindersInput `json:"reminders"`
	Completed   *bool          `json:"completed"`
}

// TagsInput is a task's tags as a client writes them; an element that is not a string is
// named by its place, tags[2].
type TagsInput []string

// UnmarshalJSON decodes the tags element by element.
func (t *TagsInput) UnmarshalJSON(b []byte) error {
	return decodeElements(b, "tags", (*[]string)(t))
}

// ChecklistInput is a task's checklist as a client writes it; an error inside an item is
// named by its place, checklist[1].text.
type ChecklistInput []StepInput

// UnmarshalJSON decodes the checklist item by item.
func (c *ChecklistInput) UnmarshalJSON(b []byte) error {
	return decodeElements(b, "checklist", (*[]StepInput)(c))
}

// StepInput is a checklist item as a client writes it: {"text": "Buy milk", "done": false};
// done may be left out.
type StepInput struct {
	Text string `json:"text"`
	Done bool   `json:"done"`
}

// RemindersInput is a task's reminders as a client writes them; an error inside one is
// named by its place, reminders[0].before.
type RemindersInput []ReminderInput

// UnmarshalJSON decodes the reminders element by element.
func (r *RemindersInput) UnmarshalJSON(b []byte) error {
	return decodeElements(b, "reminders", (*[]ReminderInput)(r))
}

// decodeElements decodes the JSON array b into out one element at a time, strictly, so
// that an error names the element: field[i], or field[i].member.
func decodeElements[T any](b []byte, field string, out *[]T) error {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return jsonError(err, field)
	}
	if raws == nil {
		*out = nil // null
		return nil
	}
	list := make([]T, len(raws))
	for i, raw := range raws {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&list[i]); err != nil {
			return jsonError(err, fmt.Sprintf("%s[%d]", field, i))
		}
	}
	*out = list
	return nil
}

// ReminderInput is a reminder as a client writes it: {"before": "PT15M"} or {"at": RFC 3339}.
type ReminderInput struct {
	Before *string `json:"before"`
	At     *string `json:"at"`
}

// Fields validates the request and returns the task's fields. TimeZone stays "" when the
// request gives none, for the store to fill with the user's zone; a local time (see
// parseTaskTime) then has no zone to be read in, and is refused (FieldsIn reads it in the
// user's).
func (in NewTask) Fields() (TaskFields, error) {
	f := TaskFields{Status: StatusOpen, Priority: PriorityNone, RepeatFrom: RepeatFromSchedule, Tags: []string{}, Checklist: []Step{}}
	var err error
	if f.Title, err = validTitle(in.Title); err != nil {
		return f, err
	}
	if f.Description, err = validDescription(in.Description); err != nil {
		return f, err
	}
	if in.Priority != "" {
		if f.Priority, err = ParsePriority("priority", in.Priority); err != nil {
			return f, err
		}
	}
	if f.Tags, err = validTags(in.Tags); err != nil {
		return f, err
	}
	if f.Checklist, err = validChecklist(in.Checklist); err != nil {
		return f, err
	}
	if in.TimeZone != "" {
		if f.TimeZone, err = ValidTimeZone("time_zone", in.TimeZone); err != nil {
			return f, err
		}
	}
	switch {
	case in.DueAt != nil && in.DueDate != nil:
		return f, FieldErrorf(EINVALID, "due_date", "give due_at (a time) or due_date (a day), not both")
	case in.DueAt != nil:
		if f.DueAt, err = parseTaskTime("due_at", *in.DueAt, f.TimeZone); err != nil {
			return f, err
		}
	case in.DueDate != nil:
		if f.DueAt, err = parseDueDate("due_date", *in.DueDate, f.TimeZone); err != nil {
			return f, err
		}
		f.AllDay = true
	}
	if in.Recurrence != nil && *in.Recurrence != "" {
		if f.Recurrence, err = validRecurrence(*in.Recurrence); err != nil {
			return f, err
		}
	}
	if in.Duration != nil && *in.Duration != "" {
		if f.Duration, err = ValidDuration(*in.Duration); err != nil {
			return f, err
		}
	}
	if in.RepeatFrom != "" {
		if f.RepeatFrom, err = validRepeatFrom(in.RepeatFrom); err != nil {
			return f, err
		}
	}
	if f.Reminders, err = validReminders(in.Reminders, nil, f.TimeZone); err != nil {
		return f, err
	}
	if in.Completed != nil && *in.Completed {
		f.Status = StatusCompleted
	}
	if err := f.check(); err != nil {
		return f, err
	}
	return f, f.checkSeries()
}

// patchFields are the fields a merge patch may carry.
var patchFields = map[string]bool{
	"title": true, "description": true, "priority": true, "tags": true, "checklist": true,
	"due_at": true, "due_date": true, "duration": true, "time_zone": true, "recurrence": true,
	"repeat_from": true, "reminders": true, "status": true, "completed": true,
}

// ApplyPatch applies a JSON Merge Patch (RFC 7396) to cur and returns the validated result.
// A null clears a field that may be empty; unknown fields and wrong types are EMALFORMED.
func ApplyPatch(cur TaskFields, patch []byte) (TaskFields, error) {
	var doc map[string]json.RawMessage
	if err := DecodeJSON(patch, &doc); err != nil {
		return cur, err
	}
	for _, name := range sortedKeys(doc) {
		if !patchFields[name] {
			return cur, FieldErrorf(EMALFORMED, name, "unknown field %q", name)
		}
	}
	f := cur
	f.Tags = append([]string(nil), cur.Tags...)
	f.Checklist = append([]Step{}, cur.Checklist...)
	f.Reminders = append([]ReminderSpec(nil), cur.Reminders...)
	// The zone comes first: the patch's local times are read in the zone the task has
	// after it.
	if raw, ok := doc["time_zone"]; ok {
		var s string
		if err := decodeField("time_zone", raw, &s); err != nil {
			return cur, err
		}
		var err error
		if f.TimeZone, err = ValidTimeZone("time_zone", s); err != nil {
			return cur, err
		}
	}
	asked := map[string]Status{} // the status that "status" and "completed" each ask for
	set := ""                    // the member, due_at or due_date, that sets the due
	for _, name := range sortedKeys(doc) {
		raw := doc[name]
		isNull := bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
		var err error
		switch name {
		case "title":
			var s string
			if err = decodeField(name, raw, &s); err == nil {
				f.Title, err = validTitle(s)
			}
		case "description":
			var s string
			if err = decodeField(name, raw, &s); err == nil {
				f.Description, err = validDescription(s)
			}
		case "priority":
			var s string
			if isNull {
				f.Priority = PriorityNone
			} else if err = decodeField(name, raw, &s); err == nil {
				f.Priority, err = ParsePriority(name, s)
			}
		case "tags":
			var tags TagsInput
			if err = decodeField(name, raw, &tags); err == nil {
				f.Tags, err = validTags(tags)
			}
		case "checklist":
			var steps ChecklistInput
			if err = decodeField(name, raw, &steps); err == nil {
				f.Checklist, err = validChecklist(steps)
			}
		case "due_at", "due_date":
			var s *string
			if err = decodeField(name, raw, &s); err == nil && s != nil {
				if set != "" {
					return cur, FieldErrorf(EINVALID, "due_date", "give due_at (a time) or due_date (a day), not both")
				}
				set = name
				if name == "due_at" {
					f.DueAt, err = parseTaskTime(name, *s, f.TimeZone)
				} else {
					f.DueAt, err = parseDueDate(name, *s, f.TimeZone)
				}
				f.AllDay = name == "due_date"
			}
		case "duration":
			var s *string
			if err = decodeField(name, raw, &s); err == nil {
				f.Duration = ""
				if s != nil && *s != "" {
					f.Duration, err = ValidDuration(*s)
				}
			}
		case "recurrence":
			var s *string
			if err = decodeField(name, raw, &s); err == nil {
				f.Recurrence = ""
				if s != nil && *s != "" {
					f.Recurrence, err = validRecurrence(*s)
				}
			}
		case "repeat_from":
			var s string
			if isNull {
				f.RepeatFrom = RepeatFromSchedule
			} else if err = decodeField(name, raw, &s); err == nil {
				f.RepeatFrom, err = validRepeatFrom(s)
			}
		case "reminders":
			var rs RemindersInput
			if err = decodeField(name, raw, &rs); err == nil {
				f.Reminders, err = validReminders(rs, cur.Reminders, f.TimeZone)
			}
		case "status":
			var s string
			if err = decodeField(name, raw, &s); err == nil {
				switch Status(s) {
				case StatusOpen, StatusCompleted:
					f.Status = Status(s)
					asked[name] = f.Status
				default:
					err = FieldErrorf(EINVALID, name, "status must be open or completed")
				}
			}
		case "completed":
			var b bool
			if err = decodeField(name, raw, &b); err == nil {
				f.Status = StatusOpen
				if b {
					f.Status = StatusCompleted
				}
				asked[name] = f.Status
			}
		}
		if err != nil {
			return cur, err
		}
	}
	// Fields are applied in no particular order: a patch whose status and completed
	// disagree would otherwise mean either.
	if s, ok := asked["status"]; ok && len(asked) == 2 && asked["completed"] != s {
		return cur, FieldErrorf(EINVALID, "completed", "completed and status disagree; send one of them")
	}
	_, dueAt := doc["due_at"]
	_, dueDate := doc["due_date"]
	due := dueAt || dueDate
	_, rule := doc["recurrence"]
	_, tz := doc["time_zone"]
	switch {
	case due && set == "":
		// Only nulls: the due is cleared, whichever form it had.
		f.DueAt, f.AllDay = nil, false
		field := "due_at"
		if !dueAt {
			field = "due_date"
		}
		if err := clearedDue(f, field, rule, doc["reminders"] != nil); err != nil {
			return cur, err
		}
	case !due && tz && f.AllDay && f.TimeZone != cur.TimeZone:
		// An all-day task keeps its day in its new zone; a timed one keeps its instant.
		day := DayOf(*cur.DueAt, LoadZone(cur.TimeZone))
		end, err := inRange("due_date", EndOfDay(day, LoadZone(f.TimeZone)))
		if err != nil {
			return cur, FieldErrorf(EINVALID, "time_zone", "due_date %s ends after 9999 in UTC in %s", day.Format(DateLayout), f.TimeZone)
		}
		f.DueAt = end
	}
	if err := f.check(); err != nil {
		return cur, err
	}
	if due || rule || tz {
		// Only a change of the series is checked: a task that an edit moved off its
		// rule's pattern keeps taking other edits.
		return f, f.checkSeries()
	}
	return f, nil
}

// checkSeries refuses a recurrence that has no occurrence from the due date on (for an
// all-day task, from its day on, as the series runs: see recur.DayRule): a date
// that never comes (30 February, 31 April), or an UNTIL before the due date. Such a task
// would look recurring, and completing it would end the series at once.
func (f TaskFields) checkSeries() error {
	if f.Recurrence == "" || f.DueAt == nil {
		return nil
	}
	loc := LoadZone(f.TimeZone)
	rule, due := f.Recurrence, f.DueAt.In(loc)
	if f.AllDay {
		// Checked as it runs: on days, an UNTIL time being the day it falls on.
		rule, loc, due = recur.DayRule(rule, loc), time.UTC, DayOf(*f.DueAt, loc)
	}
	_, ok, err := recur.First(rule, loc, due, due.Truncate(time.Second))
	if err != nil && !errors.Is(err, recur.ErrTooManySteps) {
		return FieldErrorf(EINVALID, "recurrence", "recurrence %s cannot be used: %v", f.Recurrence, err)
	}
	if err == nil && !ok {
		return FieldErrorf(EINVALID, "recurrence", "recurrence %s has no occurrence from due_at on: a date that never "+
			"comes, or an end (UNTIL or COUNT) before due_at", f.Recurrence)
	}
	return nil
}

// clearedDue refuses a patch that clears the due (field, due_at or due_date) while what
// hangs on it stays: the task's recurrence (unless the patch changes it too) or a
// reminder relative to the due date (unless the patch sets the reminders). Such a patch
// is wrong in the field it changed, so that is the field named.
func clearedDue(f TaskFields, field string, patchesRule, patchesReminders bool) error {
	if f.Recurrence != "" && !patchesRule {
		return FieldErrorf(EINVALID, field, "%s cannot be cleared while the task repeats (%s): "+
			"clear recurrence in the same patch", field, f.Recurrence)
	}
	if patchesReminders {
		return nil
	}
	for _, r := range f.Reminders {
		if r.Before != "" {
			return FieldErrorf(EINVALID, field, "%s cannot be cleared while a reminder is relative to it "+
				"(before %s): change reminders in the same patch", field, r.Before)
		}
	}
	return nil
}

// check applies the rules that span fields.
func (f TaskFields) check() error {
	if f.Recurrence != "" && f.DueAt == nil {
		return FieldErrorf(EINVALID, "recurrence", "a recurring task needs due_at or due_date: the series starts at its due date")
	}
	if f.Recurrence != "" && f.AllDay && !recur.ByDays(f.Recurrence) {
		return FieldErrorf(EINVALID, "recurrence", "recurrence %s sets times of day, which an all-day task has not: "+
			"give due_at, or a rule of days (no FREQ=HOURLY, BYHOUR, BYMINUTE or BYSECOND)", f.Recurrence)
	}
	if f.AllDay && f.Duration != "" {
		if d, _ := ParseDuration(f.Duration); d.clock() != 0 {
			return FieldErrorf(EINVALID, "duration", "an all-day task lasts whole days, such as P1D or P2D: "+
				"duration %s has a time of day; give due_at for a task at a time", f.Duration)
		}
	}
	for i, r := range f.Reminders {
		if r.Before != "" && f.DueAt == nil {
			return FieldErrorf(EINVALID, fmt.Sprintf("reminders[%d].before", i), "a reminder relative to the due date needs due_at or due_date")
		}
	}
	return nil
}

// decodeField decodes one patch member, refusing null (callers that accept null decode
// into a pointer or check for it first) and naming the field in errors.
func decodeField(name string, raw json.RawMessage, dst any) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		switch dst.(type) {
		case **string, *TagsInput, *RemindersInput, *ChecklistInput:
			return json.Unmarshal(raw, dst)
		case *string:
			if name == "description" {
				*dst.(*string) = ""
				return nil
			}
		}
		return FieldErrorf(EINVALID, name, "%s cannot be null", name)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, name)
	}
	return nil
}

func validTitle(s string) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	n := utf8.RuneCountInString(s)
	if strings.TrimFunc(s, invisible) == "" {
		// Nothing but zero-width characters shows as an empty line in every list.
		return "", FieldErrorf(EINVALID, "title", "title is required")
	}
	if n > MaxTitleLength {
		return "", FieldErrorf(EINVALID, "title", "title must be at most %d characters, got %d", MaxTitleLength, n)
	}
	if hasControl(s, false) {
		return "", FieldErrorf(EINVALID, "title", "title must not contain control characters")
	}
	return s, nil
}

func validDescription(s string) (string, error) {
	s = norm.NFC.String(s)
	if n := utf8.RuneCountInString(s); n > MaxDescriptionLength {
		return "", FieldErrorf(EINVALID, "description", "description must be at most %d characters, got %d", MaxDescriptionLength, n)
	}
	if hasControl(s, true) {
		return "", FieldErrorf(EINVALID, "description", "description must not contain control characters other than newlines and tabs")
	}
	return s, nil
}

func validTags(tags []string) ([]string, error) {
	out := make([]string, 0, min(len(tags), MaxTags))
	seen := make(map[string]bool, cap(out))
	for i, t := range tags {
		t, err := ParseTag(fmt.Sprintf("tags[%d]", i), t)
		if err != nil {
			return nil, err
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
		if len(out) > MaxTags { // a tag given twice counts once
			return nil, FieldErrorf(EINVALID, "tags", "at most %d tags, got %d or more", MaxTags, len(out))
		}
	}
	return out, nil
}

// validChecklist returns the checklist's items with their text trimmed and in Unicode
// normalization form C, as a title's; an empty list (or none) is [].
func validChecklist(in []StepInput) ([]Step, error) {
	if len(in) > MaxSteps {
		return nil, FieldErrorf(EINVALID, "checklist", "at most %d checklist items, got %d", MaxSteps, len(in))
	}
	out := make([]Step, len(in))
	for i, step := range in {
		field := fmt.Sprintf("checklist[%d].text", i)
		text := norm.NFC.String(strings.TrimSpace(step.Text))
		if strings.TrimFunc(text, invisible) == "" {
			return nil, FieldErrorf(EINVALID, field, "%s is required", field)
		}
		if n := utf8.RuneCountInString(text); n > MaxStepLength {
			return nil, FieldErrorf(EINVALID, field, "%s must be at most %d characters, got %d", field, MaxStepLength, n)
		}
		if hasControl(text, false) {
			return nil, FieldErrorf(EINVALID, field, "%s must not contain control characters", field)
		}
		out[i] = Step{Text: text, Done: step.Done}
	}
	return out, nil
}

// ParseTag returns tag t as tasks store it (NormalizeTag), or EINVALID naming field when
// it is empty, longer than MaxTagLength or holds control characters.
func ParseTag(field, t string) (string, error) {
	t = NormalizeTag(t)
	n := utf8.RuneCountInString(t)
	if n == 0 || n > MaxTagLength {
		return "", FieldErrorf(EINVALID, field, "a tag must be 1 to %d characters", MaxTagLength)
	}
	if hasControl(t, false) {
		return "", FieldErrorf(EINVALID, field, "a tag must not contain control characters")
	}
	return t, nil
}

// NormalizeTag returns a tag the way tasks store it: lower-case, in Unicode
// normalization form C, so that "café" typed with an accent or with a combining one is
// one tag, and trimmed of what shows as nothing (white space, a zero-width space), so
// that "work" pasted with one is "work".
func NormalizeTag(t string) string {
	return norm.NFC.String(strings.ToLower(strings.TrimFunc(t, invisible)))
}

func hasControl(s string, allowLayout bool) bool {
	for _, r := range s {
		layout := r == '\n' || r == '\t' || r == '\r' || r == '\u2028' || r == '\u2029'
		if (unicode.IsControl(r) || layout) && !(allowLayout && layout) {
			return true
		}
	}
	return false
}

// invisible reports whether r shows as nothing: white space, or a format character such
// as a zero-width space or joiner.
func invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// ValidTimeZone checks that s names an IANA time zone and returns it.
func ValidTimeZone(field, s string) (string, error) {
	if s == "" || s == "Local" || hostZone(s) {
		return "", FieldErrorf(EINVALID, field, "%s must be an IANA time zone such as Europe/Berlin, got %q", field, s)
	}
	if _, err := zone.Load(s); err != nil {
		return "", FieldErrorf(EINVALID, field, "%s must be an IANA time zone such as Europe/Berlin, got %q", field, s)
	}
	return s, nil
}

// hostZone reports whether name is one that only some hosts' zone databases answer,
// beside the one built into the binary, or a path rather than a name: the host's own
// zone (localtime, posixrules), the database's other trees (right/, posix/), or a name
// spelt as a path (Europe//Berlin, ./Europe/Berlin, ../../etc/passwd). The same task
// read on a minimal container would fall back to UTC.
func hostZone(name string) bool {
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, ".") || path.Clean(name) != name {
		return true
	}
	first, _, _ := strings.Cut(name, "/")
	switch first {
	case "localtime", "posixrules", "right", "posix":
		return true
	}
	return false
}

// LoadZone returns the location of a zone name already validated, or UTC.
func LoadZone(tz string) *time.Location {
	if loc, err := zone.Load(tz); err == nil && tz != "" {
		return loc
	}
	return time.UTC
}

// ParseInstant reads an RFC 3339 time with its offset as RFC 3339 has it: also with a
// lowercase t or z (its section 5.6 allows them, and Go's parser refuses them), and not
// with an offset of 24 hours or more (which Go's parser takes).
func ParseInstant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	if err != nil {
		return time.Time{}, err
	}
	if _, offset := t.Zone(); offset <= -24*3600 || offset >= 24*3600 {
		return time.Time{}, fmt.Errorf("time %q has an offset of 24 hours or more", s)
	}
	return t, nil
}

// localLayouts are the local date-times a task's times may be written in: RFC 3339
// without the offset, with seconds or without.
var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04"}

// ParseLocalTime reads s as a local date-time, without a UTC offset ("2026-03-01T09:00"),
// and reports whether it is one. Its zone is UTC, to be read as a wall-clock time.
func ParseLocalTime(s string) (time.Time, bool) {
	for _, layout := range localLayouts {
		if wall, err := time.Parse(layout, strings.ToUpper(s)); err == nil {
			return wall, true
		}
	}
	return time.Time{}, false
}

// UserFinder finds the signed-in user of a context, as the user store does.
type UserFinder interface {
	FindMe(ctx context.Context) (*User, error)
}

// UserZone returns the time zone of the signed-in user of ctx.
func UserZone(ctx context.Context, users UserFinder) (string, error) {
	me, err := users.FindMe(ctx)
	if err != nil {
		return "", err
	}
	return me.TimeZone, nil
}

// FieldsIn is Fields for a request of the signed-in user of ctx: local times in a request
// without time_zone are read in the user's zone, which the task then takes (as the store
// would give it). Only such a request reads the user.
func (in NewTask) FieldsIn(ctx context.Context, users UserFinder) (TaskFields, error) {
	if in.TimeZone == "" && in.hasLocalTimes() {
		tz, err := UserZone(ctx, users)
		if err != nil {
			return TaskFields{}, err
		}
		in.TimeZone = tz
	}
	return in.Fields()
}

// hasLocalTimes reports whether the task's due_at or a reminder's at is a local time, or
// the task has a due_date, which Fields reads in the task's zone.
func (in NewTask) hasLocalTimes() bool {
	local := func(s *string) bool {
		if s == nil {
			return false
		}
		_, ok := ParseLocalTime(*s)
		return ok
	}
	return local(in.DueAt) || in.DueDate != nil || slices.ContainsFunc(in.Reminders, func(r ReminderInput) bool { return local(r.At) })
}

// parseTaskTime reads a time of a task (its due_at, a reminder's at): an RFC 3339 instant,
// or a local date-time read in the task's zone tz with the offset that zone has on that
// date, as a calendar reads "09:00 on 5 April in Berlin" (a time in a DST gap moves
// forward by the gap, a repeated one is the first: recur.Resolve). A client need not know
// the zone's offsets: one it guessed from today's would be an hour off after the next
// change. tz "" refuses a local time.
func parseTaskTime(field, s, tz string) (*time.Time, error) {
	if t, err := ParseInstant(s); err == nil {
		return inRange(field, t)
	}
	wall, ok := ParseLocalTime(s)
	if !ok {
		return nil, FieldErrorf(EINVALID, field, "%s must be an RFC 3339 time such as 2026-03-01T09:00:00Z, or a local time such as 2026-03-01T09:00:00 in the task's time_zone, got %q", field, s)
	}
	if tz == "" {
		return nil, FieldErrorf(EINVALID, field, "%s %q has no UTC offset: give one, or the time_zone to read it in", field, s)
	}
	return inRange(field, recur.Resolve(wall, LoadZone(tz)))
}

// inRange returns t as stored, or an error when it is outside 1970–9999.
func inRange(field string, t time.Time) (*time.Time, error) {
	// The range holds in UTC, the zone times are kept and written in: 9999-12-31T23:00:00-05:00
	// is in the year 10000 there, which JSON and RFC 3339 cannot carry.
	t = t.UTC().Truncate(time.Microsecond) // what PostgreSQL keeps
	if t.Year() < 1970 || t.Year() > 9999 {
		return nil, FieldErrorf(EINVALID, field, "%s must be between 1970 and 9999 in UTC", field)
	}
	return &t, nil
}

func validRecurrence(s string) (string, error) {
	rule, err := recur.Parse(s)
	if err != nil {
		return "", FieldErrorf(EINVALID, "recurrence", "recurrence must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO: %v", err)
	}
	return rule, nil
}

// ValidDuration returns s, how long a task takes, in canonical form: an ISO 8601 duration
// of weeks, days, hours, minutes and seconds, more than none and at most MaxDurationDays;
// else EINVALID naming duration.
func ValidDuration(s string) (string, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return "", FieldErrorf(EINVALID, "duration", "duration must be an ISO 8601 duration such as PT30M, PT1H30M or P2D: %v", err)
	}
	secs := (d.Weeks*7+d.Days)*86400 + int(d.clock()/time.Second)
	if secs == 0 || secs > MaxDurationDays*86400 {
		return "", FieldErrorf(EINVALID, "duration", "duration must be more than none and at most %d days, got %s", MaxDurationDays, s)
	}
	return d.String(), nil
}

func validRepeatFrom(s string) (RepeatFrom, error) {
	switch RepeatFrom(s) {
	case RepeatFromSchedule, RepeatFromCompletion:
		return RepeatFrom(s), nil
	}
	return "", FieldErrorf(EINVALID, "repeat_from", "repeat_from must be schedule or completion")
}

// validReminders validates reminders, local times read in tz (parseTaskTime); a spec
// equal to one in prev keeps prev's id, and one that fires with an earlier one of in
// (sameReminder) is left out.
func validReminders(in []ReminderInput, prev []ReminderSpec, tz string) ([]ReminderSpec, error) {
	if len(in) > MaxReminders {
		return nil, FieldErrorf(EINVALID, "reminders", "at most %d reminders, got %d", MaxReminders, len(in))
	}
	out := make([]ReminderSpec, 0, len(in))
	used := make(map[uuid.UUID]bool)
	for i, r := range in {
		field := fmt.Sprintf("reminders[%d]", i)
		var spec ReminderSpec
		switch {
		case (r.Before == nil) == (r.At == nil):
			return nil, FieldErrorf(EINVALID, field, "a reminder needs exactly one of before (an ISO 8601 duration such as PT15M) or at (an RFC 3339 time)")
		case r.Before != nil:
			d, err := ParseDuration(*r.Before)
			if err != nil {
				return nil, FieldErrorf(EINVALID, field+".before", "%s.before must be an ISO 8601 duration such as PT15M or P1D: %v", field, err)
			}
			spec.Before = d.String()
		default:
			t, err := parseTaskTime(field+".at", *r.At, tz)
			if err != nil {
				return nil, err
			}
			spec.At = t
		}
		if slices.ContainsFunc(out, func(o ReminderSpec) bool { return sameReminder(o, spec) }) {
			continue // the same reminder twice would fire twice
		}
		for _, p := range prev {
			if !used[p.ID] && p.Before == spec.Before && timesEqual(p.At, spec.At) {
				spec.ID = p.ID
				used[p.ID] = true
				break
			}
		}
		out = append(out, spec)
	}
	return out, nil
}

// sameReminder reports whether a and b always fire at the same time: the same instant,
// or the same calendar days and the same time before the due date (PT1H and PT60M; P1D
// and PT24H differ on the days DST changes).
func sameReminder(a, b ReminderSpec) bool {
	if a.Before == "" || b.Before == "" {
		return a.Before == b.Before && timesEqual(a.At, b.At)
	}
	da, errA := ParseDuration(a.Before)
	db, errB := ParseDuration(b.Before)
	return errA == nil && errB == nil && da.Weeks*7+da.Days == db.Weeks*7+db.Days && da.clock() == db.clock()
}

func timesEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
