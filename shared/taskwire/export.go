package taskwire

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// ExportedTask is a task as an export holds it, the API's task object, read back for an
// import. Its fields go through the same rules as a new task's.
type ExportedTask struct {
	ID          uuid.UUID          `json:"id"`
	Number      int64              `json:"number"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Status      Status             `json:"status"`
	Priority    string             `json:"priority"`
	Tags        TagsInput          `json:"tags"`
	Checklist   ChecklistInput     `json:"checklist"`
	DueAt       *string            `json:"due_at"`
	DueDate     *string            `json:"due_date"`
	Duration    *string            `json:"duration"`
	TimeZone    string             `json:"time_zone"`
	Recurrence  *string            `json:"recurrence"`
	RepeatFrom  string             `json:"repeat_from"`
	SeriesID    *uuid.UUID         `json:"series_id"`
	Position    *string            `json:"position"` // absent from exports made before positions
	Reminders   []ExportedReminder `json:"reminders"`
	CompletedAt *time.Time         `json:"completed_at"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
	Version     int64              `json:"version"`
}

// ExportedTasks are the tasks of an export; an error inside one is named by its place,
// tasks[3].title.
type ExportedTasks []ExportedTask

// UnmarshalJSON decodes the tasks one by one.
func (t *ExportedTasks) UnmarshalJSON(b []byte) error {
	return decodeElements(b, "tasks", (*[]ExportedTask)(t))
}

// ExportedReminder is a reminder as an export holds it; fire_at is derived again.
type ExportedReminder struct {
	ID     uuid.UUID `json:"id"`
	Before *string   `json:"before"`
	At     *string   `json:"at"`
	FireAt *string   `json:"fire_at"`
}

// maxImported bounds an imported task's number and version: far beyond any list, and
// far below where the user's task counter would overflow (every later create failing)
// or a JavaScript client would lose digits.
const maxImported = 1_000_000_000_000

// Task validates the exported task as a new task's fields are, and returns it with its
// id, number, status, series and times as exported; field names its place in the
// document ("tasks[3]"), which every error names.
func (e ExportedTask) Task(field string) (*Task, error) {
	in := NewTask{Title: e.Title, Description: e.Description, Priority: e.Priority, Tags: e.Tags,
		Checklist: e.Checklist, DueAt: e.DueAt, Duration: e.Duration, TimeZone: e.TimeZone,
		Recurrence: e.Recurrence, RepeatFrom: e.RepeatFrom}
	if e.TimeZone == "" {
		in.TimeZone = "UTC" // as the API writes every task: with its zone
	}
	if e.DueDate != nil {
		// An all-day task is written with both; its day is what it is due on.
		in.DueAt, in.DueDate = nil, e.DueDate
	}
	for _, r := range e.Reminders {
		in.Reminders = append(in.Reminders, ReminderInput{Before: r.Before, At: r.At})
	}
	f, err := in.Fields()
	if err != nil {
		return nil, within(err, field)
	}
	bad := func(name, format string, args ...any) error {
		return FieldErrorf(EINVALID, field+"."+name, field+"."+format, args...)
	}
	switch {
	case e.ID == uuid.Nil:
		return nil, bad("id", "id must be the task's uuid")
	case e.Number < 1 || e.Number > maxImported:
		return nil, bad("number", "number must be the task's, 1 to %d, got %d", maxImported, e.Number)
	case e.Status != StatusOpen && e.Status != StatusCompleted:
		return nil, bad("status", "status must be open or completed")
	case e.CreatedAt.IsZero():
		return nil, bad("created_at", "created_at must be the time the task was created")
	case e.Version < 1 || e.Version > maxImported:
		return nil, bad("version", "version must be 1 to %d, got %d", maxImported, e.Version)
	case e.Position != nil && *e.Position != "" && !ValidPosition(*e.Position):
		return nil, bad("position", "position must be one Taskwire wrote, got %q", *e.Position)
	}
	t := &Task{ID: e.ID, Number: e.Number, Title: f.Title, Description: f.Description, Status: e.Status,
		Priority: f.Priority, Tags: f.Tags, Checklist: f.Checklist, DueAt: f.DueAt,
		DueDate: DueDate(f.DueAt, f.TimeZone, f.AllDay), Duration: DurationOf(f), TimeZone: f.TimeZone, RepeatFrom: f.RepeatFrom,
		CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC(), Version: e.Version}
	if e.Position != nil {
		t.Position = *e.Position // else the store places it by created_at
	}
	if t.UpdatedAt.Before(t.CreatedAt) {
		t.UpdatedAt = t.CreatedAt
	}
	if f.Recurrence != "" {
		rule := f.Recurrence
		t.Recurrence = &rule
		series := e.ID
		if e.SeriesID != nil && *e.SeriesID != uuid.Nil {
			series = *e.SeriesID
		}
		t.SeriesID = &series
	}
	if t.Status == StatusCompleted {
		done := t.UpdatedAt
		if e.CompletedAt != nil {
			done = e.CompletedAt.UTC()
		}
		t.CompletedAt = &done
	}
	for i, spec := range f.Reminders {
		id := e.Reminders[i].ID
		if id == uuid.Nil {
			return nil, bad(fmt.Sprintf("reminders[%d].id", i), "reminders[%d].id must be the reminder's uuid", i)
		}
		t.Reminders = append(t.Reminders, Reminder{ID: id, Before: spec.Before, At: spec.At, FireAt: spec.FireAt(t.DueAt, t.TimeZone, f.AllDay)})
	}
	return t, nil
}

// within returns err with field, the place of what it is about in a larger document,
// before the field and the message it names.
func within(err error, field string) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	inner := field
	if e.Field != "" {
		inner += "." + e.Field
	}
	return FieldErrorf(e.Code, inner, "%s: %s", field, e.Message)
}

// Rekey gives tasks, read from another account's file, ids of user's own: each task's,
// series' and reminder's id becomes one derived from user and it, the same every time
// (so that the file imported again is found there already), and as ordered in time as
// the id it replaces (its first 48 bits, a UUIDv7's milliseconds, kept). A series stays
// one series, and a task its series' first.
func Rekey(tasks []*Task, user string) {
	for _, t := range tasks {
		t.ID = rekey(t.ID, user)
		if t.SeriesID != nil {
			t.SeriesID = new(rekey(*t.SeriesID, user))
		}
		for i := range t.Reminders {
			t.Reminders[i].ID = rekey(t.Reminders[i].ID, user)
		}
	}
}

// rekey derives user's id for id: its first 48 bits, then bits of SHA-256 of both, with
// the version (7) and variant of a UUIDv7.
func rekey(id uuid.UUID, user string) uuid.UUID {
	h := sha256.New()
	h.Write([]byte(user))
	h.Write([]byte{0})
	h.Write(id[:])
	var out uuid.UUID
	copy(out[:6], id[:6])
	copy(out[6:], h.Sum(nil))
	out[6] = 0x70 | out[6]&0x0f
	out[8] = 0x80 | out[8]&0x3f
	return out
}
