package taskwire

import (
	"time"

	"github.com/google/uuid"
)

// Status is whether a task is still to do.
type Status string

// Task statuses.
const (
	StatusOpen      Status = "open"
	StatusCompleted Status = "completed"
)

// RepeatFrom says what the next occurrence of a recurring task counts from.
type RepeatFrom string

// Repeat modes: from the schedule (the rule's next date after the previous due date) or
// from the moment the previous occurrence was completed.
const (
	RepeatFromSchedule   RepeatFrom = "schedule"
	RepeatFromCompletion RepeatFrom = "completion"
)

// Task is one thing to do, owned by one user.
type Task struct {
	ID          uuid.UUID  `json:"id"`
	Number      int64      `json:"number"`
	UserID      string     `json:"-"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Status      Status     `json:"status"`
	Priority    Priority   `json:"priority"`
	Tags        []string   `json:"tags"`
	Checklist   []Step     `json:"checklist"`
	DueAt       *time.Time `json:"due_at"`
	DueDate     *string    `json:"due_date"` // the day of an all-day task; nil for one due at a time
	Duration    *string    `json:"duration"` // how long it takes from its due (ISO 8601, canonical); nil for not said
	TimeZone    string     `json:"time_zone"`
	Recurrence  *string    `json:"recurrence"`
	RepeatFrom  RepeatFrom `json:"repeat_from"`
	SeriesID    *uuid.UUID `json:"series_id"`
	// Position is the task's place in the user's own order (sort=position): tasks sort by
	// it byte by byte, ties by id. A new task's is after every task added before it; a move
	// (POST /v1/tasks/{id}/move) sets it between its new neighbours'.
	Position    string     `json:"position"`
	Reminders   []Reminder `json:"reminders"`
	CompletedAt *time.Time `json:"completed_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Version     int64      `json:"version"`
}

// Step is one item of a task's checklist: what to do, and whether it is done.
type Step struct {
	Text string `json:"text"`
	Done bool   `json:"done"`
}

// Unchecked returns a copy of steps with none done: the checklist of a repeating task's
// next occurrence.
func Unchecked(steps []Step) []Step {
	out := make([]Step, len(steps))
	for i, s := range steps {
		out[i] = Step{Text: s.Text}
	}
	return out
}

// Reminder is a moment to remind the user of a task: a duration before its due date, or
// an absolute time. FireAt is when it fires; nil while a relative reminder has no due date.
type Reminder struct {
	ID     uuid.UUID  `json:"id"`
	Before string     `json:"before,omitempty"`
	At     *time.Time `json:"at,omitempty"`
	FireAt *time.Time `json:"fire_at"`
}

// Fields returns the task's editable fields, the starting point of a patch.
func (t *Task) Fields() TaskFields {
	f := TaskFields{
		Title:       t.Title,
		Description: t.Description,
		Status:      t.Status,
		Priority:    t.Priority,
		Tags:        append([]string(nil), t.Tags...),
		Checklist:   append([]Step{}, t.Checklist...),
		DueAt:       t.DueAt,
		AllDay:      t.DueDate != nil,
		TimeZone:    t.TimeZone,
		RepeatFrom:  t.RepeatFrom,
		Position:    t.Position,
	}
	if t.Duration != nil {
		f.Duration = *t.Duration
	}
	if t.Recurrence != nil {
		f.Recurrence = *t.Recurrence
	}
	for _, r := range t.Reminders {
		f.Reminders = append(f.Reminders, ReminderSpec{ID: r.ID, Before: r.Before, At: r.At})
	}
	return f
}

// User is a person who signed in: the JWT subject and their settings.
type User struct {
	ID            string  `json:"id"`
	TimeZone      string  `json:"time_zone"`
	Email         *string `json:"email"`
	WebhookURL    *string `json:"webhook_url"`
	WebhookSecret *string `json:"webhook_secret"`
	TaskWebhooks  bool    `json:"task_webhooks"` // every change of the user's tasks goes to WebhookURL too
	// DailySummaryAt is the local time of day ("07:30", in TimeZone) at which the user
	// gets the day's open tasks and the overdue ones; nil for none.
	DailySummaryAt *string `json:"daily_summary_at"`
	// DailyGoal is how many tasks a day the user means to complete: a day with as many
	// counts toward a streak (GET /v1/stats).
	DailyGoal int `json:"daily_goal"`
}

// Tag is a tag in use and how many open tasks carry it.
type Tag struct {
	Name      string `json:"name"`
	OpenCount int64  `json:"open_count"`
}

// TaskPage is one page of a task listing and the cursor of the next, if any.
type TaskPage struct {
	Items      []*Task `json:"items"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

// DeletedTask is a task in the trash: as it was when it was deleted.
type DeletedTask struct {
	Task      *Task     `json:"task"`
	DeletedAt time.Time `json:"deleted_at"`
}

// TrashPage is one page of the trash, the latest deletion first.
type TrashPage struct {
	Items      []DeletedTask `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// IdempotencyKey is a client's Idempotency-Key and the hash of the request body it came
// with; the zero value means the request carried none.
type IdempotencyKey struct {
	Key  string
	Hash []byte
}
