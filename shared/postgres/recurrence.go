package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// recurrenceConsumer names the recurrence function in the inbox.
const recurrenceConsumer = "recurrence"

// RecurrenceService continues recurring series: when an occurrence is completed it
// creates the next one, with the event that announces it.
type RecurrenceService struct {
	db *DB
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewRecurrenceService returns a RecurrenceService on db.
func NewRecurrenceService(db *DB) *RecurrenceService {
	return &RecurrenceService{db: db, Now: time.Now}
}

func (s *RecurrenceService) now() time.Time {
	return s.Now().UTC().Truncate(time.Microsecond)
}

// HandleCompleted handles a task.completed event: when the task is a recurring one that
// is still completed, it creates the series' next occurrence (see recur.Next) and returns
// it. It returns nil when there is nothing to create: the event was handled before, the
// task is gone, no longer completed or no longer recurring, the series already has a
// later occurrence, or it has ended.
//
// The event's user_id decides whose tasks the transaction can see, and the event is
// recorded in the inbox with the new occurrence, so a redelivery changes nothing. Bad
// event data and a rule that cannot be evaluated are EINVALID (for the dead letters);
// any other error is worth a retry.
func (s *RecurrenceService) HandleCompleted(ctx context.Context, e event.Event) (*taskwire.Task, error) {
	if e.Type() != events.TypeTaskCompleted {
		return nil, taskwire.Errorf(taskwire.EINVALID, "event type %q is not %s", e.Type(), events.TypeTaskCompleted)
	}
	data, err := events.ReadTaskData(e)
	if err != nil {
		return nil, err
	}
	t, err := s.handleCompleted(ctx, e, data.UserID, data.Task.ID)
	if err != nil {
		return nil, fmt.Errorf("next occurrence of task %s: %w", data.Task.ID, retryable(err))
	}
	return t, nil
}

func (s *RecurrenceService) handleCompleted(ctx context.Context, e event.Event, user string, taskID uuid.UUID) (*taskwire.Task, error) {
	tx, err := s.db.Pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// The inbox is the system's bookkeeping, not a user's data: the claim is made before
	// the transaction takes the user's scope, so the app role needs no rights on it.
	if first, err := claimInbox(ctx, tx, recurrenceConsumer, e.Source(), e.ID()); err != nil || !first {
		return nil, err
	}
	if _, err := tx.Exec(ctx, scopeSQL, user); err != nil {
		return nil, fmt.Errorf("scope transaction: %w", err)
	}
	// The lock orders this handler after any other change of the completed task and any
	// other delivery of its events.
	cur, err := findForUpdate(ctx, tx, user, taskID.String())
	if taskwire.ErrorCode(err) == taskwire.ENOTFOUND {
		return nil, commit(ctx, tx) // deleted since, or not this user's
	} else if err != nil {
		return nil, fmt.Errorf("load task: %w", err)
	}
	if cur.Status != taskwire.StatusCompleted || cur.Recurrence == nil || cur.DueAt == nil || cur.SeriesID == nil {
		return nil, commit(ctx, tx)
	}
	pos, err := seriesPosition(ctx, tx, user, cur.ID)
	if err != nil {
		return nil, err
	}
	if pos.hasLater {
		return nil, commit(ctx, tx) // the next occurrence exists: this one was reopened and completed again
	}

	now := s.now()
	series := recur.Series{
		Rule:           *cur.Recurrence,
		TimeZone:       cur.TimeZone,
		Due:            *cur.DueAt,
		Index:          pos.index,
		FromCompletion: cur.RepeatFrom == taskwire.RepeatFromCompletion,
		Now:            now,
	}
	if cur.CompletedAt != nil {
		series.CompletedAt = *cur.CompletedAt
	}
	if pos.previous != nil {
		series.Previous = *pos.previous
	}
	occ, ok, err := recur.Next(series)
	if err != nil {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "recurrence", "the next occurrence of %q cannot be found: %v", *cur.Recurrence, err)
	}
	if !ok {
		return nil, commit(ctx, tx) // the series ended
	}

	next, seq, err := insertOccurrence(ctx, tx, user, cur, occ, now)
	if err != nil {
		return nil, err
	}
	if err := commit(ctx, tx); err != nil {
		return nil, err
	}
	if next != nil {
		s.db.outboxWritten(user, seq)
	}
	return next, nil // nil when the series has that occurrence already
}

// seriesPos is where a task stands in its series.
type seriesPos struct {
	index    int        // its 1-based position
	previous *time.Time // the due time of the occurrence before it, if one is left
	hasLater bool       // whether a later occurrence exists
}

func seriesPosition(ctx context.Context, tx pgx.Tx, user string, id uuid.UUID) (seriesPos, error) {
	var pos seriesPos
	err := tx.QueryRow(ctx, `
		SELECT t.series_index,
			(SELECT p.due_at FROM tasks p
				WHERE p.user_id = t.user_id AND p.series_id = t.series_id AND p.series_index < t.series_index
				ORDER BY p.series_index DESC LIMIT 1),
			EXISTS (SELECT FROM tasks n
				WHERE n.user_id = t.user_id AND n.series_id = t.series_id AND n.series_index > t.series_index)
		FROM tasks t WHERE t.user_id = $1 AND t.id = $2`, user, id).Scan(&pos.index, &pos.previous, &pos.hasLater)
	if err != nil {
		return pos, fmt.Errorf("series position: %w", err)
	}
	return pos, nil
}

// insertOccurrence creates occurrence occ of cur's series: cur's title, description,
// priority, tags, zone, rule and relative reminders, due at occ, numbered as the user's
// next task; with its task.created event. It returns nil when the series has a task at
// that position already.
func insertOccurrence(ctx context.Context, tx pgx.Tx, user string, cur *taskwire.Task, occ recur.Occurrence, now time.Time) (*taskwire.Task, int64, error) {
	var seq int64
	err := tx.QueryRow(ctx, `
		INSERT INTO users (id, task_seq) VALUES ($1, 1)
		ON CONFLICT (id) DO UPDATE SET task_seq = users.task_seq + 1
		RETURNING task_seq`, user).Scan(&seq)
	if err != nil {
		return nil, 0, fmt.Errorf("number: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, 0, fmt.Errorf("new id: %w", err)
	}
	due := occ.At.UTC()
	f := taskwire.TaskFields{
		Title:       cur.Title,
		Description: cur.Description,
		Status:      taskwire.StatusOpen,
		Priority:    cur.Priority,
		Tags:        append([]string{}, cur.Tags...),
		DueAt:       &due,
		TimeZone:    cur.TimeZone,
		Recurrence:  *cur.Recurrence,
		RepeatFrom:  cur.RepeatFrom,
	}
	for _, r := range cur.Reminders {
		if r.Before != "" { // an absolute reminder belongs to its occurrence
			f.Reminders = append(f.Reminders, taskwire.ReminderSpec{Before: r.Before})
		}
	}
	series := *cur.SeriesID
	t := &taskwire.Task{ID: id, Number: seq, UserID: user, Status: taskwire.StatusOpen, SeriesID: &series, CreatedAt: now, Version: 1}
	apply(t, f, now)

	tag, err := tx.Exec(ctx, `
		INSERT INTO tasks (id, user_id, number, title, description, status, priority, tags, due_at,
			time_zone, recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (series_id, series_index) WHERE series_id IS NOT NULL DO NOTHING`,
		t.ID, user, t.Number, t.Title, t.Description, t.Status, t.Priority.Rank(), t.Tags, t.DueAt,
		t.TimeZone, t.Recurrence, t.RepeatFrom, t.SeriesID, occ.Index, t.CompletedAt, t.CreatedAt, t.UpdatedAt, t.Version)
	if err != nil {
		return nil, 0, fmt.Errorf("insert: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil, 0, nil
	}
	b := &pgx.Batch{}
	queueReminders(b, user, t)
	at, err := queueEvent(b, events.TypeTaskCreated, user, t, nil, now)
	if err != nil {
		return nil, 0, err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, 0, fmt.Errorf("reminders and event: %w", err)
	}
	return t, *at, nil
}

func commit(ctx context.Context, tx pgx.Tx) error {
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

// retryable keeps EINVALID, which sends an event to the dead letters, and makes every
// other failure a plain error, which the broker retries: a conflict with a concurrent
// transaction is worth another try, not a dead letter.
func retryable(err error) error {
	var e *taskwire.Error
	if taskwire.ErrorCode(err) == taskwire.EINVALID || !errors.As(err, &e) {
		return err
	}
	return errors.New(err.Error())
}
