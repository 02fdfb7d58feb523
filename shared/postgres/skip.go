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
	t, err := s.skip(ctx, ref, ifMatch)
	if err != nil {
		return nil, fmt.Errorf("skip occurrence: %w", err)
	}
	return t, nil
}

// skip takes three round trips: the task's lock, its place in its series, and the
// change with its event and the commit.
func (s *TaskService) skip(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer tx.close(ctx)
	cur, sendErr, err := tx.lockTask(ctx, b, ref)
	if sendErr != nil {
		return nil, sendErr
	}
	if err != nil {
		return nil, translate(err)
	}
	if err := matchETag(cur, ifMatch); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("task %d", cur.Number)
	switch {
	case cur.Recurrence == nil || cur.DueAt == nil || cur.SeriesID == nil:
		return nil, taskwire.Errorf(taskwire.ECONFLICT, "%s does not repeat: there is no next occurrence to skip to", name)
	case cur.Status != taskwire.StatusOpen:
		return nil, taskwire.Errorf(taskwire.ECONFLICT, "%s is completed: reopen it to skip it", name)
	}
	pos, err := tx.seriesPosition(ctx, cur)
	if err != nil {
		return nil, fmt.Errorf("series position: %w", translate(err))
	}
	if pos.hasLater {
		return nil, taskwire.Errorf(taskwire.ECONFLICT, "the series of %s has a later occurrence already: skip that one", name)
	}

	now := s.now()
	occ, ok, err := nextOccurrence(cur, pos, now, &now) // as completing it now would make the next one
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, taskwire.Errorf(taskwire.ECONFLICT, "the series of %s ends with it: complete or delete it instead", name)
	}
	due := occ.At.UTC()
	f := cur.Fields()
	f.DueAt = &due
	f.Reminders = slices.DeleteFunc(f.Reminders, func(r taskwire.ReminderSpec) bool { return r.Before == "" })
	update := &pgx.Batch{}
	update.Queue(`UPDATE tasks SET series_index = $3 WHERE user_id = $1 AND id = $2`, tx.user, cur.ID, occ.Index)
	return s.commitChange(ctx, tx, cur, f, update)
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
