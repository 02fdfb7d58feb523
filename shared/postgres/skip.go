package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// SkipOccurrence moves the open occurrence of a repeating task with uuid or number ref
// to the next occurrence of its series, without completing it: the occurrence that
// completing it now would make, in its place (the same task, id and number), so that
// "skip this week's standup" leaves no task marked done that was not. COUNT counts the
// skipped occurrence, as it counts those skipped by completing a task late. The task's
// relative reminders move with it; a reminder at a fixed time belonged to the skipped
// occurrence and goes, as the next occurrence would not have it. A non-empty ifMatch must
// admit the task's current ETag, so that a retried request does not skip twice.
//
// A task that does not repeat, a completed one, one whose series has a later occurrence
// already, or one whose series ends with it is ECONFLICT: there is nothing to skip to.
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
	f.DueAt = &due
	f.Checklist = taskwire.Unchecked(f.Checklist)
	f.Reminders = slices.DeleteFunc(f.Reminders, func(r taskwire.ReminderSpec) bool { return r.Before == "" })
	b.Queue(`UPDATE tasks SET series_index = $3 WHERE user_id = $1 AND id = $2`, tx.user, cur.ID, occ.Index)
	return f, nil
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
