package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// SkipOccurrence moves the open occurrence of a repeating task with uuid or number ref
// to the next occurrence of its series, without completing it: the occurrence that
// completing it now would make, in its place (the same task, id and number), so that
// "skip this week's standup" leaves no task marked done that was not. COUNT counts the
// skipped occurrence, as it counts those skipped by completing a task late. The task's
// relative reminders move with it (born fired when their new time has passed, as the next
// occurrence's are); a reminder at a fixed time belonged to the skipped occurrence and
// goes, as the next occurrence would not have it. A non-empty ifMatch must admit the
// task's current ETag, so that a retried request does not skip twice.
//
// A task that does not repeat, a completed one, one whose series has a later occurrence
// already, or one whose series ends with it is ECONFLICT: there is nothing to skip to.
// UndoSkip takes the skip back.
func (s *TaskService) SkipOccurrence(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error) {
	t, err := s.changeIn(ctx, ref, ifMatch, func(tx *userTx, cur *taskwire.Task, b *pgx.Batch) (taskwire.TaskFields, error) {
		return s.skipped(ctx, tx, cur, b)
	})
	if err != nil {
		return nil, fmt.Errorf("skip occurrence: %w", err)
	}
	return t, nil
}

// skipped returns the fields of locked task cur moved to the next occurrence of its
// series, and queues on b the move of its place in the series. Reading that place is a
// round trip, so a skip takes three: the task's lock, its place, and the change with its
// event and the commit.
func (s *TaskService) skipped(ctx context.Context, tx *userTx, cur *taskwire.Task, b *pgx.Batch) (taskwire.TaskFields, error) {
	var none taskwire.TaskFields
	name := fmt.Sprintf("task %d", cur.Number)
	switch {
	case cur.Recurrence == nil || cur.DueAt == nil || cur.SeriesID == nil:
		return none, taskwire.Errorf(taskwire.ECONFLICT, "%s does not repeat: there is no next occurrence to skip to", name)
	case cur.Status != taskwire.StatusOpen:
		return none, taskwire.Errorf(taskwire.ECONFLICT, "%s is completed: reopen it to skip it", name)
	}
	pos, err := tx.seriesPosition(ctx, cur)
	if err != nil {
		return none, fmt.Errorf("series position: %w", translate(err))
	}
	if pos.hasLater {
		return none, taskwire.Errorf(taskwire.ECONFLICT, "the series of %s has a later occurrence already: skip that one", name)
	}

	now := s.now()
	occ, ok, err := nextOccurrence(cur, pos, now, &now) // as completing it now would make the next one
	if err != nil {
		return none, err
	}
	if !ok {
		return none, taskwire.Errorf(taskwire.ECONFLICT, "the series of %s ends with it: complete or delete it instead", name)
	}
	due := occ.At.UTC()
	f := cur.Fields()
	before, err := json.Marshal(skipUndo{Version: cur.Version + 1, SeriesIndex: pos.index, DueAt: *f.DueAt,
		AllDay: f.AllDay, Checklist: f.Checklist, Reminders: f.Reminders})
	if err != nil {
		return none, fmt.Errorf("encode skip: %w", err)
	}
	f.DueAt = &due
	f.Checklist = taskwire.Unchecked(f.Checklist)
	f.Reminders = slices.DeleteFunc(f.Reminders, func(r taskwire.ReminderSpec) bool { return r.Before == "" })
	b.Queue(`UPDATE tasks SET series_index = $3, skipped = $4 WHERE user_id = $1 AND id = $2`, tx.user, cur.ID, occ.Index, before)
	queuePastFired(b, tx.user, f, now)
	return f, nil
}

// queuePastFired queues on b the move of the reminders of f, a skipped occurrence's
// fields, whose new time has passed by now: moved and fired, as a next occurrence's are
// born (insertOccurrence), rather than firing at once about a task just put off. Queued
// ahead of the change, which writes the same times and so keeps them fired.
func queuePastFired(b *pgx.Batch, user string, f taskwire.TaskFields, now time.Time) {
	for _, r := range f.Reminders {
		if at := r.FireAt(f.DueAt, f.TimeZone, f.AllDay); at != nil && !at.After(now) {
			b.Queue(`UPDATE reminders SET fire_at = $3, fired_at = $4 WHERE user_id = $1 AND id = $2`, user, r.ID, *at, now)
		}
	}
}

// skipUndo is what undoes a skip (tasks.skipped, migration 025): the version the skip
// made, and the task's place in its series, due, steps and reminders before it.
type skipUndo struct {
	Version     int64                   `json:"version"`
	SeriesIndex int                     `json:"series_index"`
	DueAt       time.Time               `json:"due_at"`
	AllDay      bool                    `json:"all_day"`
	Checklist   []taskwire.Step         `json:"checklist"`
	Reminders   []taskwire.ReminderSpec `json:"reminders"`
}

// UndoSkip puts the task with uuid or number ref back where SkipOccurrence moved it
// from: its due, its place in its series (which COUNT counts), its steps as they were
// ticked and its reminders, a fixed one included. Only a skip that is the task's latest
// change can be undone: after another change, or for a task never skipped, it is
// ECONFLICT. A non-empty ifMatch must admit the task's current ETag.
func (s *TaskService) UndoSkip(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error) {
	t, err := s.changeIn(ctx, ref, ifMatch, func(tx *userTx, cur *taskwire.Task, b *pgx.Batch) (taskwire.TaskFields, error) {
		var none taskwire.TaskFields
		was, err := tx.readSkipped(ctx, cur)
		if err != nil {
			return none, fmt.Errorf("read skip: %w", translate(err))
		}
		if was == nil || was.Version != cur.Version {
			return none, taskwire.Errorf(taskwire.ECONFLICT, "task %d was not skipped last: there is no skip to undo", cur.Number)
		}
		f := cur.Fields()
		f.DueAt, f.AllDay, f.Checklist, f.Reminders = &was.DueAt, was.AllDay, was.Checklist, was.Reminders
		b.Queue(`UPDATE tasks SET series_index = $3, skipped = NULL WHERE user_id = $1 AND id = $2`, tx.user, cur.ID, was.SeriesIndex)
		return f, nil
	})
	if err != nil {
		return nil, fmt.Errorf("undo skip: %w", err)
	}
	return t, nil
}

// readSkipped reads what the latest skip of locked task cur changed, nil for none, in a
// round trip.
func (tx *userTx) readSkipped(ctx context.Context, cur *taskwire.Task) (*skipUndo, error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT skipped FROM tasks WHERE user_id = $1 AND id = $2`, tx.user, cur.ID)
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, err
	}
	defer br.Close()
	var was *skipUndo
	if err := br.QueryRow().Scan(&was); err != nil {
		return nil, err
	}
	return was, br.Close()
}

// seriesPosition reads where locked task cur stands in its series, in a round trip.
func (tx *userTx) seriesPosition(ctx context.Context, cur *taskwire.Task) (seriesPos, error) {
	var pos seriesPos
	b := &pgx.Batch{}
	b.Queue(seriesPositionSQL, tx.user, cur.ID)
	br, err := tx.send(ctx, b)
	if err != nil {
		return pos, err
	}
	defer br.Close()
	if err := br.QueryRow().Scan(&pos.index, &pos.previous, &pos.hasLater); err != nil {
		return pos, err
	}
	return pos, br.Close()
}
