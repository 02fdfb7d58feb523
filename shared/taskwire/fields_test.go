package taskwire_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A reminder given twice, in any spelling, is kept once: it would fire twice.
func TestNewTask_DuplicateRemindersKeptOnce(t *testing.T) {
	f, err := taskwire.NewTask{Title: "x", DueAt: new("2030-01-01T09:00:00Z"), Reminders: []taskwire.ReminderInput{
		{Before: new("PT1M")}, {Before: new("PT60S")}, {Before: new("PT1H")}, {Before: new("PT60M")},
		{At: new("2030-01-01T08:00:00Z")}, {At: new("2030-01-01T09:00:00+01:00")},
	}}.Fields()
	require.NoError(t, err)
	require.Len(t, f.Reminders, 3)
	assert.Equal(t, "PT1M", f.Reminders[0].Before)
	assert.Equal(t, "PT1H", f.Reminders[1].Before)
	assert.NotNil(t, f.Reminders[2].At)
}

// A tag given many times is one tag, and counts once toward the limit; a tag that shows
// as nothing, or shows as another with something invisible at its edge, is refused or
// is that other (until 2026-12-06 a zero-width space was a tag, and 21 "a"s too many).
func TestNewTask_Tags(t *testing.T) {
	many := make(taskwire.TagsInput, taskwire.MaxTags+5)
	for i := range many {
		many[i] = "a"
	}
	f, err := taskwire.NewTask{Title: "x", Tags: many}.Fields()
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, f.Tags)

	f, err = taskwire.NewTask{Title: "x", Tags: taskwire.TagsInput{"work\u200b", "\ufeffWork", "home"}}.Fields()
	require.NoError(t, err)
	assert.Equal(t, []string{"work", "home"}, f.Tags)

	for _, tag := range []string{"\u200b", " \u2060 ", ""} {
		_, err = taskwire.NewTask{Title: "x", Tags: taskwire.TagsInput{"home", tag}}.Fields()
		require.Error(t, err, "%q", tag)
		assert.Equal(t, "tags[1]", taskwire.ErrorField(err))
	}

	distinct := make(taskwire.TagsInput, taskwire.MaxTags+1)
	for i := range distinct {
		distinct[i] = string(rune('a' + i))
	}
	_, err = taskwire.NewTask{Title: "x", Tags: distinct}.Fields()
	require.Error(t, err)
	assert.Equal(t, "tags", taskwire.ErrorField(err))
}

// A recurrence with no occurrence from the due date on is refused, naming recurrence; a
// series that only begins later, or whose one occurrence is the due date, is not.
func TestNewTask_SeriesThatNeverOccurs(t *testing.T) {
	for _, tt := range []struct {
		rule, due string
		ok        bool
	}{
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "2027-02-28T09:00:00Z", false},
		{"FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "2027-02-28T09:00:00Z", false},
		{"FREQ=DAILY;UNTIL=20200101", "2026-12-02T09:00:00Z", false},
		// The rule library would loop without end on this one, and panic on the next.
		{"FREQ=HOURLY;INTERVAL=24;BYHOUR=1", "2026-12-02T05:00:00Z", false},
		{"FREQ=MONTHLY;BYDAY=0MO,0MO,0MO,0MO,8MO", "2026-12-02T05:00:00Z", false},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2027-02-28T09:00:00Z", true}, // 2028
		{"FREQ=DAILY;COUNT=1", "2026-12-02T09:00:00.5Z", true},
		{"FREQ=WEEKLY;BYDAY=MO;UNTIL=20261207", "2026-12-02T09:00:00+01:00", true},
	} {
		_, err := taskwire.NewTask{Title: "x", DueAt: new(tt.due), TimeZone: "Europe/Berlin", Recurrence: new(tt.rule)}.Fields()
		if tt.ok {
			assert.NoError(t, err, tt.rule)
			continue
		}
		require.Error(t, err, tt.rule)
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err), tt.rule)
		assert.Equal(t, "recurrence", taskwire.ErrorField(err), tt.rule)
	}
}

// A patch that changes the series is checked; one that does not, is not, so that a task
// already off its rule's pattern keeps taking edits.
func TestApplyPatch_SeriesThatNeverOccurs(t *testing.T) {
	cur, err := taskwire.NewTask{Title: "x", DueAt: new("2026-12-07T09:00:00Z"), Recurrence: new("FREQ=WEEKLY;BYDAY=MO;UNTIL=20261214")}.Fields()
	require.NoError(t, err)
	_, err = taskwire.ApplyPatch(cur, []byte(`{"due_at": "2026-12-21T09:00:00Z"}`))
	assert.Equal(t, "recurrence", taskwire.ErrorField(err), "moved past UNTIL: %v", err)
	moved := cur
	moved.DueAt = new(time.Date(2026, 12, 15, 9, 0, 0, 0, time.UTC)) // as a store might hold it
	_, err = taskwire.ApplyPatch(moved, []byte(`{"title": "y"}`))
	assert.NoError(t, err)
}

// Clearing due_at while the task repeats, or while a reminder counts back from it, is
// refused naming due_at, the field the patch got wrong; clearing what hangs on it in the
// same patch is accepted.
func TestApplyPatch_ClearedDueNamesDueAt(t *testing.T) {
	cur, err := taskwire.NewTask{Title: "x", DueAt: new("2026-12-07T09:00:00Z"), Recurrence: new("FREQ=DAILY"),
		Reminders: []taskwire.ReminderInput{{Before: new("PT10M")}}}.Fields()
	require.NoError(t, err)
	for patch, field := range map[string]string{
		`{"due_at": null}`:                                                        "due_at",
		`{"due_at": null, "recurrence": null}`:                                    "due_at", // the relative reminder stays
		`{"due_at": null, "reminders": []}`:                                       "due_at", // the recurrence stays
		`{"recurrence": null, "reminders": [], "due_at": null}`:                   "",
		`{"due_at": null, "recurrence": "FREQ=WEEKLY", "reminders": []}`:          "recurrence",
		`{"reminders": [{"before": "PT5M"}], "recurrence": null, "due_at": null}`: "reminders[0].before",
	} {
		_, err := taskwire.ApplyPatch(cur, []byte(patch))
		if field == "" {
			assert.NoError(t, err, patch)
			continue
		}
		assert.Equal(t, field, taskwire.ErrorField(err), "%s: %v", patch, err)
	}
}

// A task's times may be local date-times, read in the task's zone with the offset it has
// on that date: 09:00 in New York is 14:00 UTC before the clocks go forward on 8 March
// 2026 and 13:00 UTC on that day, and 02:30 that night, in the gap, is 03:30 EDT.
// Without a zone to read it in, a local time is refused, naming its field.
func TestNewTask_LocalTimesInTheTasksZone(t *testing.T) {
	for local, want := range map[string]string{
		"2026-03-07T09:00:00": "2026-03-07T14:00:00Z",
		"2026-03-08T09:00":    "2026-03-08T13:00:00Z",
		"2026-03-08t02:30:00": "2026-03-08T07:30:00Z", // in the gap: 03:30 EDT
		"2026-11-01T01:30:00": "2026-11-01T05:30:00Z", // repeated: the first, EDT
	} {
		f, err := taskwire.NewTask{Title: "x", DueAt: new(local), TimeZone: "America/New_York",
			Reminders: []taskwire.ReminderInput{{At: new(local)}}}.Fields()
		require.NoError(t, err, local)
		assert.Equal(t, want, f.DueAt.Format(time.RFC3339), local)
		require.Len(t, f.Reminders, 1)
		assert.Equal(t, want, f.Reminders[0].At.Format(time.RFC3339), local)
	}

	in := taskwire.NewTask{Title: "x", DueAt: new("2026-03-07T09:00:00")}
	_, err := in.Fields()
	assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err), "%v", err)
	assert.Equal(t, "due_at", taskwire.ErrorField(err))
	in = taskwire.NewTask{Title: "x", DueAt: new("2026-03-07T10:00:00Z"),
		Reminders: []taskwire.ReminderInput{{Before: new("PT1H")}, {At: new("2026-03-07T09:00")}}}
	_, err = in.Fields()
	assert.Equal(t, "reminders[1].at", taskwire.ErrorField(err), "%v", err)

	_, err = taskwire.NewTask{Title: "x", DueAt: new("2026-03-07 09:00"), TimeZone: "America/New_York"}.Fields()
	assert.Equal(t, "due_at", taskwire.ErrorField(err), "%v", err)
}

// A patch's local times are read in the zone the task has after the patch: its own, or
// the one the same patch sets, whichever member comes first.
func TestApplyPatch_LocalTimesInTheTasksZone(t *testing.T) {
	cur, err := taskwire.NewTask{Title: "x", DueAt: new("2026-12-07T09:00:00Z"), TimeZone: "Europe/Berlin"}.Fields()
	require.NoError(t, err)
	for patch, want := range map[string]string{
		`{"due_at": "2026-12-08T09:00"}`:                                  "2026-12-08T08:00:00Z",
		`{"due_at": "2026-07-08T09:00"}`:                                  "2026-07-08T07:00:00Z", // CEST
		`{"due_at": "2026-12-08T09:00", "time_zone": "Asia/Tokyo"}`:       "2026-12-08T00:00:00Z",
		`{"time_zone": "America/New_York", "due_at": "2026-12-08T09:00"}`: "2026-12-08T14:00:00Z",
	} {
		f, err := taskwire.ApplyPatch(cur, []byte(patch))
		require.NoError(t, err, patch)
		assert.Equal(t, want, f.DueAt.Format(time.RFC3339), patch)
	}
	f, err := taskwire.ApplyPatch(cur, []byte(`{"reminders": [{"at": "2026-12-07T08:45:00"}]}`))
	require.NoError(t, err)
	assert.Equal(t, "2026-12-07T07:45:00Z", f.Reminders[0].At.Format(time.RFC3339))
	_, err = taskwire.ApplyPatch(cur, []byte(`{"due_at": "2026-12-08T09:00", "time_zone": "Mars/Olympus"}`))
	assert.Equal(t, "time_zone", taskwire.ErrorField(err), "%v", err)
}

// RFC 3339 allows a lowercase t and z, and its offsets stop short of 24 hours.
func TestParseInstant(t *testing.T) {
	for in, want := range map[string]string{
		"2026-03-01T09:00:00Z":             "2026-03-01T09:00:00Z",
		"2026-03-01t09:00:00z":             "2026-03-01T09:00:00Z",
		"2026-03-01t09:00:00.5+01:00":      "2026-03-01T08:00:00.5Z",
		"2026-03-01T09:00:00+23:59":        "2026-02-28T09:01:00Z",
		"2026-03-01T09:00:00+24:00":        "",
		"2026-03-01T09:00:00-24:00":        "",
		"2026-03-01T09:00:00":              "",
		"2026-03-01 09:00:00Z":             "",
		"2026-03-01T09:00:00Z[Europe/Ber]": "",
	} {
		got, err := taskwire.ParseInstant(in)
		if want == "" {
			assert.Error(t, err, in)
			continue
		}
		require.NoError(t, err, in)
		assert.Equal(t, want, got.UTC().Format(time.RFC3339Nano), in)
	}
}
