// Package events defines Taskwire's CloudEvents: their types, sources and data, and builds
// them. It holds no I/O; the outbox stores what it builds.
package events

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/zone"
)

// Sources of Taskwire's events.
const (
	SourceTasks     = "/taskwire/tasks"
	SourceReminders = "/taskwire/reminders"
)

// Event types of task changes.
const (
	TypeTaskCreated   = "dev.taskwire.task.created.v1"
	TypeTaskUpdated   = "dev.taskwire.task.updated.v1"
	TypeTaskCompleted = "dev.taskwire.task.completed.v1"
	TypeTaskReopened  = "dev.taskwire.task.reopened.v1"
	TypeTaskDeleted   = "dev.taskwire.task.deleted.v1"
)

// TaskData is the data of a task event: the owner, the task as it is after the change
// (as it was, for a deletion), and what changed.
type TaskData struct {
	UserID  string            `json:"user_id"`
	Task    *taskwire.Task    `json:"task"`
	Changes map[string]Change `json:"changes"`
}

// Change is one field's value before and after a change.
type Change struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// ExtensionReminders is the CloudEvents extension attribute that a task event carries,
// with the value RemindersArmed, when the change armed a reminder of an open task (see
// ArmedReminders). The reminders Trigger filters on it, so that the reminders function is
// woken only by the changes it has something to do for.
const (
	ExtensionReminders = "reminders"
	RemindersArmed     = "armed"
	// ExtensionWebhook is the extension attribute a task event carries, with the value
	// WebhookOn, when its user has task webhooks: the notify function delivers it.
	ExtensionWebhook = "webhook"
	WebhookOn        = "on"
)

// ArmedReminders returns the reminders that a task event of type typ may have armed: all
// of them for a new or reopened task; for an update, those new or moved by it, so that
// editing a task whose reminders fired long ago wakes nothing; none for a task that is
// not open, or a completion or deletion (firing checks the task, which cancels them).
func ArmedReminders(typ string, data TaskData) []taskwire.Reminder {
	if data.Task == nil || data.Task.Status != taskwire.StatusOpen {
		return nil
	}
	switch typ {
	case TypeTaskCreated, TypeTaskReopened:
		return data.Task.Reminders
	case TypeTaskUpdated:
	default:
		return nil
	}
	change, ok := data.Changes["reminders"]
	if !ok {
		return nil
	}
	var before []taskwire.Reminder
	if b, err := json.Marshal(change.Old); err == nil {
		_ = json.Unmarshal(b, &before) // unreadable: every reminder counts as armed
	}
	var out []taskwire.Reminder
	for _, r := range data.Task.Reminders {
		moved := true
		for _, o := range before {
			if o.ID == r.ID && sameTime(o.FireAt, r.FireAt) {
				moved = false
				break
			}
		}
		if moved {
			out = append(out, r)
		}
	}
	return out
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// NewTaskEvent returns the CloudEvent that announces a change of type typ to task t.
func NewTaskEvent(typ, userID string, t *taskwire.Task, changes map[string]Change, at time.Time) (event.Event, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return event.Event{}, fmt.Errorf("new event id: %w", err)
	}
	if changes == nil {
		changes = map[string]Change{}
	}
	e := event.New()
	e.SetID(id.String())
	e.SetSource(SourceTasks)
	e.SetType(typ)
	e.SetSubject(t.ID.String())
	e.SetTime(at.UTC())
	data := TaskData{UserID: userID, Task: t, Changes: changes}
	if err := e.SetData(event.ApplicationJSON, data); err != nil {
		return event.Event{}, fmt.Errorf("set event data: %w", err)
	}
	for _, r := range ArmedReminders(typ, data) {
		if r.FireAt != nil {
			e.SetExtension(ExtensionReminders, RemindersArmed)
			break
		}
	}
	if err := e.Validate(); err != nil {
		return event.Event{}, fmt.Errorf("validate event: %w", err)
	}
	return e, nil
}

// TaskChangeType returns the event type for a change from before to after: completed or
// reopened when the status changed, updated otherwise.
func TaskChangeType(before, after *taskwire.Task) string {
	switch {
	case before.Status == after.Status:
		return TypeTaskUpdated
	case after.Status == taskwire.StatusCompleted:
		return TypeTaskCompleted
	}
	return TypeTaskReopened
}

// Diff returns the fields whose values differ between before and after, as their JSON
// values; bookkeeping fields (updated_at, version) are left out.
func Diff(before, after *taskwire.Task) map[string]Change {
	a, b := asMap(before), asMap(after)
	out := map[string]Change{}
	for k, nv := range b {
		if k == "updated_at" || k == "version" {
			continue
		}
		if ov := a[k]; !reflect.DeepEqual(ov, nv) {
			out[k] = Change{Old: ov, New: nv}
		}
	}
	return out
}

func asMap(t *taskwire.Task) map[string]any {
	b, _ := json.Marshal(t)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// Event types beyond task changes.
const (
	// TypeReminderDue announces that a reminder is due; subject is the reminder id.
	TypeReminderDue = "dev.taskwire.reminder.due.v1"
	// TypeRemindersTick asks the reminders function to look again before the next ping;
	// it is the reply that keeps the on-time chain going while something is due.
	TypeRemindersTick = "dev.taskwire.reminders.tick.v1"
	// TypePing is the PingSource's schedule tick.
	TypePing = "dev.knative.sources.ping"
	// TypeSummaryDue announces a user's daily summary; subject is its day.
	TypeSummaryDue = "dev.taskwire.summary.due.v1"
)

// MaxSummaryTasks bounds the tasks a daily summary lists; SummaryData counts them all.
const MaxSummaryTasks = 50

// SummaryData is the data of a summary.due event: the user's open tasks due on Date (a
// day in TimeZone, the user's zone) and those overdue before it, as they were when it was
// sent. Tasks holds the first MaxSummaryTasks, the day's first and then the overdue ones,
// each by due time; Total counts them all, and Overdue those overdue.
type SummaryData struct {
	UserID   string        `json:"user_id"`
	Date     string        `json:"date"`
	TimeZone string        `json:"time_zone"`
	Tasks    []SummaryTask `json:"tasks"`
	Total    int           `json:"total"`
	Overdue  int           `json:"overdue"`
}

// SummaryTask is a task as a daily summary lists it.
type SummaryTask struct {
	ID       uuid.UUID         `json:"id"`
	Number   int64             `json:"number"`
	Title    string            `json:"title"`
	Priority taskwire.Priority `json:"priority"`
	DueAt    time.Time         `json:"due_at"`
	DueDate  *string           `json:"due_date,omitempty"` // the day of an all-day task
	TimeZone string            `json:"time_zone"`          // the task's
	Overdue  bool              `json:"overdue"`            // due before the summary's day
}

var summaryNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://taskwire.dev/summaries"))

// SummaryEventID returns the id of the summary.due event of user on day (YYYY-MM-DD):
// one a day, however often it is sent.
func SummaryEventID(user, day string) string {
	return uuid.NewSHA1(summaryNamespace, []byte(user+"\x00"+day)).String()
}

// NewSummaryDue returns the summary.due event of d, sent at at.
func NewSummaryDue(d SummaryData, at time.Time) (event.Event, error) {
	e := event.New()
	e.SetID(SummaryEventID(d.UserID, d.Date))
	e.SetSource(SourceReminders)
	e.SetType(TypeSummaryDue)
	e.SetSubject(d.Date)
	e.SetTime(at.UTC())
	return withData(e, d)
}

// ReadSummaryData decodes and checks the data of a summary.due event; bad data is
// EINVALID, for the dead letters.
func ReadSummaryData(e event.Event) (SummaryData, error) {
	var d SummaryData
	if err := json.Unmarshal(e.Data(), &d); err != nil {
		return d, taskwire.FieldErrorf(taskwire.EINVALID, "data", "summary event data cannot be read: %v", err)
	}
	if d.UserID == "" {
		return d, taskwire.FieldErrorf(taskwire.EINVALID, "data.user_id", "summary event data needs user_id")
	}
	if _, err := time.Parse(taskwire.DateLayout, d.Date); err != nil {
		return d, taskwire.FieldErrorf(taskwire.EINVALID, "data.date", "summary event data needs a date such as 2026-03-01, got %q", d.Date)
	}
	if _, err := zone.Load(d.TimeZone); err != nil || d.TimeZone == "" {
		return d, taskwire.FieldErrorf(taskwire.EINVALID, "data.time_zone", "summary event data needs an IANA time_zone, got %q", d.TimeZone)
	}
	return d, nil
}

// ReminderData is the data of a reminder.due event.
type ReminderData struct {
	UserID string `json:"user_id"`
	TaskID string `json:"task_id"`
	// TaskNumber is the task's number as its user knows it (#12); 0 in events fired
	// before 2026-12-06.
	TaskNumber int64      `json:"task_number,omitempty"`
	Title      string     `json:"title"`
	DueAt      *time.Time `json:"due_at"`
	DueDate    *string    `json:"due_date,omitempty"` // the day of an all-day task
	// Checklist is the task's steps when the reminder fired, ticked or not; none before
	// tasks had checklists.
	Checklist []taskwire.Step `json:"checklist,omitempty"`
	RemindAt  time.Time       `json:"remind_at"`
}

// NewReminderDue returns the reminder.due event id of reminderID, with data d, fired at
// at: its subject is the reminder's id.
func NewReminderDue(id string, reminderID uuid.UUID, d ReminderData, at time.Time) (event.Event, error) {
	e := event.New()
	e.SetID(id)
	e.SetSource(SourceReminders)
	e.SetType(TypeReminderDue)
	e.SetSubject(reminderID.String())
	e.SetTime(at)
	return withData(e, d)
}

// withData returns e with d as its JSON data, checked.
func withData(e event.Event, d any) (event.Event, error) {
	if err := e.SetData(event.ApplicationJSON, d); err != nil {
		return event.Event{}, fmt.Errorf("set event data: %w", err)
	}
	if err := e.Validate(); err != nil {
		return event.Event{}, fmt.Errorf("validate event: %w", err)
	}
	return e, nil
}

// ReadTaskData decodes and checks the data of a task event; bad data is EINVALID, for
// the dead letters.
func ReadTaskData(e event.Event) (TaskData, error) {
	var d TaskData
	if err := json.Unmarshal(e.Data(), &d); err != nil {
		return d, taskwire.FieldErrorf(taskwire.EINVALID, "data", "task event data cannot be read: %v", err)
	}
	if d.UserID == "" || d.Task == nil || d.Task.ID == uuid.Nil {
		return d, taskwire.FieldErrorf(taskwire.EINVALID, "data", "task event data needs user_id and task.id")
	}
	d.Task.UserID = d.UserID
	return d, nil
}

// ChangeEntry is one event of a task read back from the outbox: what happened to a task
// and when, with the task as it was after the change (as it was before, for a deletion),
// or the reminder of it that fired.
type ChangeEntry struct {
	Seq     int64     // the outbox position: rows are numbered in the order they were written
	ID      string    // the CloudEvent id
	Type    string    // the CloudEvent type, one of TypeTask…
	Time    time.Time // when the change happened, in UTC
	TaskID  uuid.UUID
	Deleted bool           // the event deleted the task
	Task    *taskwire.Task // nil in a tombstone of Changes, and for a reminder
	Changes map[string]Change
	// Reminder is set for a reminder.due event, which live streams carry beside the task
	// events: the reminder of task TaskID that fired.
	Reminder *ReminderData
}

// HistoryPage says which page of a task's history to read: at most Limit events after
// outbox position Cursor, oldest first, or, when Newest, at most Limit events before
// Cursor, newest first. A zero Cursor starts at the task's first event (its latest, when
// Newest).
type HistoryPage struct {
	Cursor int64
	Newest bool
	Limit  int
}
