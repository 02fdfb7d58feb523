package taskwire

import (
	"time"

	"github.com/google/uuid"
)

// Notification is an in-app notice that a reminder fired.
type Notification struct {
	ID         uuid.UUID  `json:"id"`
	ReminderID uuid.UUID  `json:"reminder_id"`
	TaskID     uuid.UUID  `json:"task_id"`
	Title      string     `json:"title"`
	DueAt      *time.Time `json:"due_at"`
	DueDate    *string    `json:"due_date"` // the day of an all-day task
	RemindAt   time.Time  `json:"remind_at"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at"`
}

// Snoozed is a notification snoozed: read, and its task with the reminder that comes again
// at Until.
type Snoozed struct {
	Notification *Notification `json:"notification"`
	Task         *Task         `json:"task"`
	Until        time.Time     `json:"until"`
}
