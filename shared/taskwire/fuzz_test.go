package taskwire_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// checkError fails t unless err is a *taskwire.Error with one of codes, a message, and
// a field whenever the code is EINVALID (a rule always concerns a field).
func checkError(t *testing.T, err error, codes ...string) {
	t.Helper()
	var e *taskwire.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %T %v, want a *taskwire.Error", err, err)
	}
	if !slices.Contains(codes, e.Code) {
		t.Fatalf("got code %q (%v), want one of %v", e.Code, err, codes)
	}
	if strings.TrimSpace(e.Message) == "" {
		t.Fatalf("got an error without a message: %#v", e)
	}
	if e.Code == taskwire.EINVALID && e.Field == "" {
		t.Fatalf("got an invalid error that names no field: %v", err)
	}
}

// checkFields fails t unless f holds only what the rules allow and can be stored and
// shown: JSON can carry its times, its rule is canonical, its reminders are canonical.
func checkFields(t *testing.T, f taskwire.TaskFields) {
	t.Helper()
	n := utf8.RuneCountInString(f.Title)
	if n == 0 || n > taskwire.MaxTitleLength || f.Title != strings.TrimSpace(f.Title) || !utf8.ValidString(f.Title) {
		t.Fatalf("accepted title %q", f.Title)
	}
	if strings.ContainsRune(f.Title+f.Description+strings.Join(f.Tags, ""), 0) {
		t.Fatalf("accepted a NUL, which PostgreSQL's text cannot hold: %#v", f)
	}
	if utf8.RuneCountInString(f.Description) > taskwire.MaxDescriptionLength {
		t.Fatalf("accepted a description of %d characters", utf8.RuneCountInString(f.Description))
	}
	if len(f.Tags) > taskwire.MaxTags {
		t.Fatalf("accepted %d tags", len(f.Tags))
	}
	for _, tag := range f.Tags {
		if tag != taskwire.NormalizeTag(tag) || tag == "" || utf8.RuneCountInString(tag) > taskwire.MaxTagLength {
			t.Fatalf("accepted tag %q", tag)
		}
		if strings.IndexFunc(tag, unicode.IsControl) >= 0 {
			t.Fatalf("accepted tag %q with a control character", tag)
		}
	}
	switch f.Status {
	case taskwire.StatusOpen, taskwire.StatusCompleted:
	default:
		t.Fatalf("accepted status %q", f.Status)
	}
	if _, err := taskwire.ParsePriority("priority", string(f.Priority)); err != nil {
		t.Fatalf("accepted priority %q", f.Priority)
	}
	switch f.RepeatFrom {
	case taskwire.RepeatFromSchedule, taskwire.RepeatFromCompletion:
	default:
		t.Fatalf("accepted repeat_from %q", f.RepeatFrom)
	}
	if f.TimeZone != "" {
		if _, err := taskwire.ValidTimeZone("time_zone", f.TimeZone); err != nil {
			t.Fatalf("accepted time zone %q: %v", f.TimeZone, err)
		}
	}
	if f.Recurrence != "" {
		if f.DueAt == nil {
			t.Fatalf("accepted recurrence %q without due_at", f.Recurrence)
		}
		if again, err := recur.Parse(f.Recurrence); err != nil || again != f.Recurrence {
			t.Fatalf("accepted recurrence %q, which is not canonical: %q, %v", f.Recurrence, again, err)
		}
	}
	if f.Duration != "" {
		d, err := taskwire.ParseDuration(f.Duration)
		if err != nil || d.String() != f.Duration || f.Duration == "PT0S" {
			t.Fatalf("accepted duration %q, which is not canonical or is none: %v", f.Duration, err)
		}
		if f.AllDay && strings.Contains(f.Duration, "T") {
			t.Fatalf("accepted duration %q with a time of day on an all-day task", f.Duration)
		}
	}
	if f.Checklist == nil || len(f.Checklist) > taskwire.MaxSteps {
		t.Fatalf("accepted checklist %#v: want a list of at most %d", f.Checklist, taskwire.MaxSteps)
	}
	for i, step := range f.Checklist {
		if !utf8.ValidString(step.Text) || strings.TrimSpace(step.Text) != step.Text || step.Text == "" ||
			strings.IndexFunc(step.Text, unicode.IsControl) >= 0 || utf8.RuneCountInString(step.Text) > taskwire.MaxStepLength {
			t.Fatalf("accepted checklist[%d] text %q", i, step.Text)
		}
	}
	if len(f.Reminders) > taskwire.MaxReminders {
		t.Fatalf("accepted %d reminders", len(f.Reminders))
	}
	for i, r := range f.Reminders {
		if (r.Before == "") == (r.At == nil) {
			t.Fatalf("accepted reminder %d with both or neither of before and at: %#v", i, r)
		}
		if r.Before != "" {
			d, err := taskwire.ParseDuration(r.Before)
			if err != nil || d.String() != r.Before {
				t.Fatalf("accepted reminder %d before %q, which is not canonical", i, r.Before)
			}
			if f.DueAt == nil {
				t.Fatalf("accepted relative reminder %d without due_at", i)
			}
		}
		if fire := r.FireAt(f.DueAt, f.TimeZone, f.AllDay); fire == nil {
			t.Fatalf("reminder %d of accepted fields never fires: %#v", i, r)
		} else if _, err := json.Marshal(fire); err != nil {
			t.Fatalf("reminder %d fires at %v, which JSON cannot carry: %v", i, fire, err)
		}
	}
	for _, at := range []*time.Time{f.DueAt} {
		if at == nil {
			continue
		}
		if at.Location() != time.UTC || at.Nanosecond()%1000 != 0 {
			t.Fatalf("accepted time %v, want UTC in microseconds", at)
		}
	}
	if _, err := json.Marshal(f); err != nil {
		t.Fatalf("accepted fields that JSON cannot carry: %v", err)
	}
}

// mustJSON returns v as JSON, for comparing values that hold pointers.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	return string(b)
}

func FuzzDecodeNewTask(f *testing.F) {
	for _, seed := range []string{
		`{"title":"Buy milk"}`,
		`{"title":"  Stand-up ","description":"daily\n","priority":"high","tags":["Work"," work ","x"],` +
			`"due_at":"2026-03-29T09:00:00+02:00","time_zone":"Europe/Berlin","recurrence":"rrule:freq=weekly;byday=mo",` +
			`"repeat_from":"completion","reminders":[{"before":"P1D"},{"at":"2026-03-28T12:00:00-04:00"}],"completed":true}`,
		`{"title":"x","due_at":"9999-12-31T23:00:00-05:00"}`,
		`{"title":"x","reminders":[{"before":"PT15M"}]}`,
		`{"title":"x","due_at":"1970-01-01T00:00:00Z","reminders":[{"before":"P366D"}]}`,
		`{"title":5}`,
		`{"title":"x","tags":"x"}`,
		`{"title":"x","reminders":{}}`,
		`{"title":"x","reminders":[{"before":"PT1M","after":1}]}`,
		`{"title":"x","checklist":[{"text":" Milk "},{"text":"Eggs","done":true}]}`,
		`{"title":"x","checklist":[{"done":true}]}`,
		`{"title":"x","checklist":["milk"]}`,
		`{"title":"x","due_date":"2026-03-01","duration":"P2D"}`,
		`{"title":"x","duration":"PT0S"}`,
		`{"title":"x"} {"title":"y"}`,
		`{"title":"\u0000"}`,
		`{"title":"x","recurrence":null,"due_at":null}`,
		"{\"title\":\"\xff\"}",
		`[]`, `null`, `"x"`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in taskwire.NewTask
		if err := taskwire.DecodeJSON(body, &in); err != nil {
			checkError(t, err, taskwire.EMALFORMED)
			return
		}
		fields, err := in.Fields()
		if err != nil {
			checkError(t, err, taskwire.EMALFORMED, taskwire.EINVALID)
			return
		}
		checkFields(t, fields)
	})
}

// patchBase is the task that FuzzApplyPatch patches.
func patchBase() taskwire.TaskFields {
	due := time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 28, 16, 0, 0, 0, time.UTC)
	return taskwire.TaskFields{
		Title:       "Stand-up",
		Description: "daily",
		Status:      taskwire.StatusOpen,
		Priority:    taskwire.PriorityHigh,
		Tags:        []string{"work", "meetings"},
		DueAt:       &due,
		TimeZone:    "Europe/Berlin",
		Recurrence:  "FREQ=WEEKLY;BYDAY=MO",
		RepeatFrom:  taskwire.RepeatFromSchedule,
		Reminders: []taskwire.ReminderSpec{
			{ID: uuid.MustParse("0190f0c4-0000-7000-8000-000000000001"), Before: "P1D"},
			{ID: uuid.MustParse("0190f0c4-0000-7000-8000-000000000002"), At: &at},
		},
	}
}

func FuzzApplyPatch(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"title":"Renamed","priority":null,"tags":["A","a"]}`,
		`{"description":null,"repeat_from":null,"time_zone":"Asia/Tokyo"}`,
		`{"due_at":null}`,
		`{"due_at":null,"recurrence":null,"reminders":null}`,
		`{"due_at":"2026-04-01T09:00:00+02:00","reminders":[{"before":"P1D"},{"before":"P1D"},{"at":"2026-03-28T16:00:00Z"}]}`,
		`{"recurrence":"freq=daily;count=3"}`,
		`{"status":"completed"}`,
		`{"completed":true}`,
		`{"status":"open","completed":true}`,
		`{"status":"completed","completed":true}`,
		`{"title":null}`,
		`{"title":"a","title":"b"}`,
		`{"reminders":[{}]}`,
		`{"id":"x"}`,
		`{"tags":[1]}`,
		`{"checklist":[{"text":"Mop","done":false}]}`,
		`{"checklist":null}`,
		`{"duration":"PT1H30M"}`,
		`{"due_date":"2026-04-01","duration":"P1D"}`,
		`{"checklist":[{"text":"a","id":1}]}`,
		`{"due_at":"9999-12-31T23:30:00-01:00"}`,
		`null`, `[]`, `{"title":"x"}{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, patch []byte) {
		cur := patchBase()
		before := mustJSON(t, cur)
		got, err := taskwire.ApplyPatch(cur, patch)
		if after := mustJSON(t, cur); after != before {
			t.Fatalf("ApplyPatch changed its input: %s, was %s", after, before)
		}
		if err != nil {
			checkError(t, err, taskwire.EMALFORMED, taskwire.EINVALID)
			return
		}
		checkFields(t, got)

		// A patch means one thing: applying it again to the same task gives the same result,
		// and applying it to its own result changes nothing (RFC 7396 patches are idempotent).
		same, err := taskwire.ApplyPatch(patchBase(), patch)
		if err != nil || mustJSON(t, same) != mustJSON(t, got) {
			t.Fatalf("ApplyPatch(%q) is not deterministic: %s, then %s (%v)", patch, mustJSON(t, got), mustJSON(t, same), err)
		}
		again, err := taskwire.ApplyPatch(got, patch)
		if err != nil || mustJSON(t, again) != mustJSON(t, got) {
			t.Fatalf("ApplyPatch(%q) is not idempotent: %s, then %s (%v)", patch, mustJSON(t, got), mustJSON(t, again), err)
		}
	})
}

// FuzzDecodeBulk: a bulk body is read or refused with a problem naming its field; what
// is read names 1 to MaxBulk tasks, and its change, applied to a task, gives valid fields
// or an error naming its field, and is the same when applied again.
func FuzzDecodeBulk(f *testing.F) {
	for _, seed := range []string{
		`{"tasks":[1,"#2","0190f0c4-0000-7000-8000-000000000001"],"action":"complete"}`,
		`{"tasks":[1],"action":"reopen"}`,
		`{"tasks":[1,1],"action":"delete"}`,
		`{"tasks":[3],"action":"update","patch":{"priority":"low","tags":null},"add_tags":["Home"],"remove_tags":["work"]}`,
		`{"tasks":[3],"action":"update","patch":{"due_at":null}}`,
		`{"tasks":[3,4],"action":"reschedule","date":"2026-03-29"}`,
		`{"tasks":[3],"action":"reschedule","date":"9999-12-31"}`,
		`{"tasks":[3],"action":"reschedule"}`,
		`{"tasks":[3,"#3"],"action":"restore"}`,
		`{"tasks":[3],"action":"update","add_tags":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s"]}`,
		`{"tasks":[],"action":"complete"}`,
		`{"tasks":[0],"action":"complete"}`,
		`{"tasks":[1],"action":"delete","add_tags":["x"]}`,
		`{"tasks":[1],"action":"update","patch":"x"}`,
		`{"tasks":[1],"action":"update","patch":{"id":1}}`,
		`{"tasks":"1","action":"complete"}`,
		`null`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := taskwire.DecodeBulk(body)
		if err != nil {
			checkError(t, err, taskwire.EMALFORMED, taskwire.EINVALID)
			return
		}
		if len(b.Tasks) == 0 || len(b.Tasks) > taskwire.MaxBulk {
			t.Fatalf("read %d tasks from %q", len(b.Tasks), body)
		}
		if b.Action == taskwire.BulkDelete || b.Action == taskwire.BulkRestore {
			return // no fields to change: the store moves the tasks
		}
		base, err := taskwire.ApplyPatch(patchBase(), []byte(`{}`)) // as a stored task's fields are
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Apply(base, 7)
		if err != nil {
			checkError(t, err, taskwire.EMALFORMED, taskwire.EINVALID)
			return
		}
		checkFields(t, got)
		again, err := b.Apply(got, 7)
		if err != nil || mustJSON(t, again) != mustJSON(t, got) {
			t.Fatalf("the bulk change of %q is not the same applied again: %s, then %s (%v)", body, mustJSON(t, got), mustJSON(t, again), err)
		}
	})
}

// sorts are every listing order.
var sorts = []taskwire.Sort{
	{Field: taskwire.SortCreatedAt}, {Field: taskwire.SortCreatedAt, Desc: true},
	{Field: taskwire.SortDueAt}, {Field: taskwire.SortDueAt, Desc: true},
	{Field: taskwire.SortPriority}, {Field: taskwire.SortPriority, Desc: true},
	{Field: taskwire.SortTitle}, {Field: taskwire.SortTitle, Desc: true},
	{Field: taskwire.SortCompletedAt}, {Field: taskwire.SortCompletedAt, Desc: true},
	{Field: taskwire.SortPosition}, {Field: taskwire.SortPosition, Desc: true},
}

// sameCursor reports whether a and b point at the same place.
func sameCursor(a, b *taskwire.Cursor) bool {
	if a.Sort != b.Sort || a.ID != b.ID {
		return false
	}
	if (a.Time == nil) != (b.Time == nil) || (a.Time != nil && !a.Time.Equal(*b.Time)) {
		return false
	}
	if (a.Int == nil) != (b.Int == nil) || (a.Int != nil && *a.Int != *b.Int) {
		return false
	}
	return (a.Str == nil) == (b.Str == nil) && (a.Str == nil || *a.Str == *b.Str)
}

func FuzzParseCursor(f *testing.F) {
	due := time.Date(2026, 3, 29, 7, 0, 0, 123456000, time.UTC)
	task := &taskwire.Task{
		ID: uuid.MustParse("0190f0c4-0000-7000-8000-000000000001"), Title: "Ünïcode <title> \"quoted\"",
		Priority: taskwire.PriorityUrgent, DueAt: &due, CreatedAt: due.Add(-time.Hour), CompletedAt: &due,
		Position: taskwire.PositionAt(due) + "V",
	}
	for _, s := range sorts {
		f.Add(taskwire.CursorAfter(s, task).Encode())
	}
	undated := *task
	undated.DueAt = nil
	f.Add(taskwire.CursorAfter(taskwire.Sort{Field: taskwire.SortDueAt}, &undated).Encode())
	open := *task
	open.CompletedAt = nil
	f.Add(taskwire.CursorAfter(taskwire.Sort{Field: taskwire.SortCompletedAt, Desc: true}, &open).Encode())
	for _, seed := range []string{"", "garbage", strings.Repeat("A", 1025)} {
		f.Add(seed)
	}
	for _, doc := range []string{
		`{}`, `null`, `{"s":"priority","n":5,"i":"0190f0c4-0000-7000-8000-000000000001"}`,
		`{"s":"title","x":"\ud800","i":"{0190f0c4-0000-7000-8000-000000000001}"}`,
		`{"s":"title","x":"a\u0000b","i":"0190f0c4-0000-7000-8000-000000000001"}`,
		`{"s":"-due_at","t":"2026-03-29T09:00:00.5+02:00","i":"urn:uuid:0190f0c4-0000-7000-8000-000000000001"}`,
		`{"S":"due_at","I":"0190f0c4000070008000000000000001"}`,
		`{"s":"position","x":"a0","i":"0190f0c4-0000-7000-8000-000000000001"}`,
		`{"s":"position","x":"a00","i":"0190f0c4-0000-7000-8000-000000000001"}`,
	} {
		f.Add(base64.RawURLEncoding.EncodeToString([]byte(doc)))
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, order := range sorts {
			c, err := taskwire.ParseCursor(s, order)
			if err != nil {
				checkError(t, err, taskwire.EMALFORMED)
				if field := taskwire.ErrorField(err); field != "cursor" {
					t.Fatalf("ParseCursor(%q, %s): got field %q, want cursor", s, order, field)
				}
				continue
			}
			if c.Sort != order.String() {
				t.Fatalf("ParseCursor(%q, %s) accepted a cursor of sort %q", s, order, c.Sort)
			}
			if c.Str != nil && strings.ContainsRune(*c.Str, 0) {
				t.Fatalf("ParseCursor(%q, %s) accepted a title with NUL, which the database refuses", s, order)
			}
			enc := c.Encode()
			back, err := taskwire.ParseCursor(enc, order)
			if err != nil {
				t.Fatalf("ParseCursor(%q, %s) = %+v, whose encoding %q does not parse: %v", s, order, c, enc, err)
			}
			if !sameCursor(c, back) {
				t.Fatalf("ParseCursor(%q, %s) = %+v, which parses back as %+v", s, order, c, back)
			}
			if again := back.Encode(); again != enc {
				t.Fatalf("cursor %+v encodes as %q, then as %q", c, enc, again)
			}
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, seed := range []string{
		"PT15M", "P1D", "P1DT2H", "P2W", "P1W2D", "PT0S", "P0D", "PT015M", "P366D", "P367D",
		"PT8784H", "P52W2D", "P1M", "PT", "P", "P1DT", "PT1H1H", "P99999999999999999999D",
	} {
		f.Add(seed)
	}
	due := time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := taskwire.ParseDuration(s)
		if err != nil {
			return
		}
		canonical := d.String()
		back, err := taskwire.ParseDuration(canonical)
		if err != nil {
			t.Fatalf("ParseDuration(%q) = %+v, whose String %q does not parse: %v", s, d, canonical, err)
		}
		if back != d {
			t.Fatalf("ParseDuration(%q) = %+v, but its String %q parses as %+v", s, d, canonical, back)
		}
		if back.String() != canonical {
			t.Fatalf("%q is not its own canonical form: %q", canonical, back.String())
		}
		if fire := d.Before(due, berlin); fire.After(due) || due.Sub(fire) > 367*24*time.Hour {
			t.Fatalf("%s before %v is %v", canonical, due, fire)
		}
	})
}

// FuzzDecodeMove: a move's body is a move of exactly one kind, with a neighbour a path
// can name, or an error of the request's kind.
func FuzzDecodeMove(f *testing.F) {
	for _, seed := range []string{
		`{"after": 12}`, `{"before": "0190f0c4-0000-7000-8000-000000000001"}`, `{"to": "top"}`, `{"to": "bottom"}`,
		`{"after": "#3"}`, `{"after": 1.5}`, `{"after": -1}`, `{"before": null}`, `{}`, `{"to": "up"}`,
		`{"after": 1, "before": 2}`, `{"after": {}}`, `{"after": 99999999999999999999}`, `[]`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		m, err := taskwire.DecodeMove([]byte(body))
		if err != nil {
			checkError(t, err, taskwire.EMALFORMED, taskwire.EINVALID)
			return
		}
		set := 0
		for _, v := range []string{m.Before, m.After, m.To} {
			if v != "" {
				set++
			}
		}
		if set != 1 {
			t.Fatalf("DecodeMove(%q) = %+v: want exactly one place", body, m)
		}
		if ref := m.Neighbour(); ref != "" {
			if _, err := uuid.Parse(ref); err != nil {
				if n, err := strconv.ParseInt(ref, 10, 64); err != nil || n < 1 || strconv.FormatInt(n, 10) != ref {
					t.Fatalf("DecodeMove(%q) = %+v: %q is neither a number nor a uuid", body, m, ref)
				}
			}
		}
	})
}
