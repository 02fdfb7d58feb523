package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// handleCompleted runs in two round trips: BEGIN, the scope, the inbox claim, the task's
// lock and its series position as one batch; the next occurrence, its reminders and its
// event with COMMIT.
func (s *RecurrenceService) handleCompleted(ctx context.Context, e event.Event, user string, taskID uuid.UUID) (*taskwire.Task, error) {
	tx, b, err := beginUserTx(taskwire.NewContextWithUser(ctx, user), s.db)
	if err != nil {
		return nil, err
	}
	defer tx.close(ctx)
	b.Queue(claimInboxSQL, recurrenceConsumer, e.Source(), e.ID())
	// The lock orders this handler after any other change of the completed task and any
	// other delivery of its events.
	b.Queue(lockTaskSQL("t.id = $2"), user, taskID)
	b.Queue(seriesPositionSQL, user, taskID)
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, err
	}
	claim, err := br.Exec()
	if err != nil {
		_ = br.Close()
		return nil, fmt.Errorf("inbox: %w", translate(err))
	}
	cur, lockErr := scanTask(br.QueryRow())
	cur, lockErr = foundForUpdate(cur, lockErr, taskID.String())
	var pos seriesPos
	posErr := br.QueryRow().Scan(&pos.index, &pos.previous, &pos.hasLater)
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("load task: %w", translate(err))
	}
	switch {
	case claim.RowsAffected() == 0:
		return nil, nil // handled before
	case taskwire.ErrorCode(lockErr) == taskwire.ENOTFOUND:
		return nil, tx.commit(ctx, &pgx.Batch{}) // deleted since, or not this user's
	case lockErr != nil:
		return nil, fmt.Errorf("load task: %w", lockErr)
	case posErr != nil:
		return nil, fmt.Errorf("series position: %w", posErr)
	case cur.Status != taskwire.StatusCompleted || cur.Recurrence == nil || cur.DueAt == nil || cur.SeriesID == nil:
		return nil, tx.commit(ctx, &pgx.Batch{})
	case pos.hasLater:
		return nil, tx.commit(ctx, &pgx.Batch{}) // the next occurrence exists: this one was reopened and completed again
	}

	now := s.now()
	occ, ok, err := nextOccurrence(cur, pos, now, cur.CompletedAt)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, tx.commit(ctx, &pgx.Batch{}) // the series ended
	}
	return s.insertOccurrence(ctx, tx, cur, occ, now)
}

// nextOccurrence returns the occurrence of recurring task cur's series that follows it,
// cur standing at pos, when it was completed at completedAt (nil: not known), now being
// now: the occurrences that had passed by the completion are skipped, not those that
// passed since (an outage, a replayed dead letter). Its At is the due time, an all-day
// occurrence's the end of its day. ok is false when the series has ended; a rule that
// cannot be evaluated is EINVALID.
func nextOccurrence(cur *taskwire.Task, pos seriesPos, now time.Time, completedAt *time.Time) (occ recur.Occurrence, ok bool, err error) {
	series := recur.Series{
		Rule:           *cur.Recurrence,
		TimeZone:       cur.TimeZone,
		Due:            *cur.DueAt,
		Index:          pos.index,
		FromCompletion: cur.RepeatFrom == taskwire.RepeatFromCompletion,
		Now:            now,
	}
	if completedAt != nil {
		series.CompletedAt, series.Now = *completedAt, *completedAt
	}
	if pos.previous != nil {
		series.Previous = *pos.previous
	}
	allDay := cur.DueDate != nil
	if allDay {
		series = daySeries(series)
	}
	occ, ok, err = recur.Next(series)
	if err != nil {
		return occ, false, taskwire.FieldErrorf(taskwire.EINVALID, "recurrence", "the next occurrence of %q cannot be found: %v", *cur.Recurrence, err)
	}
	if ok && allDay {
		occ.At = taskwire.EndOfDay(occ.At, taskwire.LoadZone(cur.TimeZone))
	}
	return occ, ok, nil
}

// daySeries returns the series of an all-day task as one of days: its times become their
// days in its zone (a completion's time of day orders nothing among days that begin at
// midnight), and the rule runs on those days at midnight in UTC, so that no time
// of day or DST change bears on it; an UNTIL time is the day it falls on there
// (recur.DayRule). A day not yet over is not in the past, and the next occurrence's At is
// its day (see taskwire.EndOfDay for its due_at).
func daySeries(s recur.Series) recur.Series {
	loc := taskwire.LoadZone(s.TimeZone)
	day := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return taskwire.DayOf(t, loc)
	}
	s.Rule, s.TimeZone = recur.DayRule(s.Rule, loc), ""
	s.Due, s.Previous, s.Now, s.CompletedAt = day(s.Due), day(s.Previous), day(s.Now), day(s.CompletedAt)
	return s
}

// seriesPos is where a task stands in its series.
type seriesPos struct {
	index    int        // its 1-based position
	previous *time.Time // the due time of the occurrence before it, if one is left
	hasLater bool       // whether a later occurrence exists
}

// seriesPositionSQL reads a task's seriesPos: $1 the user, $2 the task.
const seriesPositionSQL = `
	SELECT t.series_index,
		(SELECT p.due_at FROM tasks p
			WHERE p.user_id = t.user_id AND p.series_id = t.series_id AND p.series_index < t.series_index
			ORDER BY p.series_index DESC LIMIT 1),
		EXISTS (SELECT FROM tasks n
			WHERE n.user_id = t.user_id AND n.series_id = t.series_id AND n.series_index > t.series_index)
	FROM tasks t WHERE t.user_id = $1 AND t.id = $2`

// insertOccurrence creates occurrence occ of cur's series and commits: cur's title,
// description, priority, tags, checklist (none done), duration, zone, rule and relative
// reminders, due at occ, numbered as the user's next task; with its task.created event.
// It returns nil when the series has a task at that position already.
func (s *RecurrenceService) insertOccurrence(ctx context.Context, tx *userTx, cur *taskwire.Task, occ recur.Occurrence, now time.Time) (*taskwire.Task, error) {
	user := tx.user
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("new id: %w", err)
	}
	due := occ.At.UTC()
	f := taskwire.TaskFields{
		Title:       cur.Title,
		Description: cur.Description,
		Status:      taskwire.StatusOpen,
		Priority:    cur.Priority,
		Tags:        append([]string{}, cur.Tags...),
		Checklist:   taskwire.Unchecked(cur.Checklist),
		DueAt:       &due,
		AllDay:      cur.DueDate != nil,
		TimeZone:    cur.TimeZone,
		Recurrence:  *cur.Recurrence,
		RepeatFrom:  cur.RepeatFrom,
		Position:    cur.Position, // where the user put the series
	}
	if cur.Duration != nil {
		f.Duration = *cur.Duration
	}
	for _, r := range cur.Reminders {
		if r.Before != "" { // an absolute reminder belongs to its occurrence
			f.Reminders = append(f.Reminders, taskwire.ReminderSpec{Before: r.Before})
		}
	}
	series := *cur.SeriesID
	t := &taskwire.Task{ID: id, UserID: user, Status: taskwire.StatusOpen, SeriesID: &series, CreatedAt: now, Version: 1}
	apply(t, f, now)

	// One batch numbers and inserts the occurrence, writes its reminders and its event, and
	// commits; when the series has that occurrence already, it writes only the inbox claim.
	b := &pgx.Batch{}
	inserted, seq, err := queueNewTask(b, user, t, occ.Index, now)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(t.Reminders, func(r taskwire.Reminder) bool { return r.FireAt != nil && !r.FireAt.After(now) }) {
		// A carried-over reminder whose time has passed (a day before an occurrence due
		// tomorrow morning, made this afternoon) is born fired: it would fire at once, a
		// reminder of a task just ticked off. Moving the task's due time arms it again.
		b.Queue(pastFiredSQL, user, now, []uuid.UUID{t.ID})
	}
	if err := tx.commit(ctx, b); err != nil {
		return nil, fmt.Errorf("insert: %w", err)
	}
	if !*inserted {
		return nil, nil
	}
	s.db.outboxWritten(user, *seq)
	return t, nil
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
