package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// moveTasks queues on b what moves the user's open tasks in zone from to zone to with
// their local times kept (taskwire.Task.MovedTo), each with its task.updated event, and
// returns the events' outbox positions, to be announced after the commit. Tasks in other
// zones, which the user put there, stay. The user's row must be locked in tx already,
// as lockOutboxSQL locks it. Reminders moved into the past are marked fired. It takes one
// round trip, which locks the tasks.
func (tx *userTx) moveTasks(ctx context.Context, b *pgx.Batch, from, to string, now time.Time) ([]*int64, error) {
	lock := &pgx.Batch{}
	lock.Queue(`SELECT `+taskColumns+` FROM tasks t
		WHERE t.user_id = $1 AND t.status = 'open' AND t.time_zone = $2
		ORDER BY t.id FOR UPDATE OF t`, tx.user, from)
	br, err := tx.send(ctx, lock)
	if err != nil {
		return nil, err
	}
	var tasks []*taskwire.Task
	rows, err := br.Query()
	if err == nil {
		tasks, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*taskwire.Task, error) { return scanTask(row) })
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("tasks in %s: %w", from, translate(err))
	}
	var past []uuid.UUID
	seqs := make([]*int64, 0, len(tasks))
	for _, cur := range tasks {
		f, ok := cur.MovedTo(to, now)
		if !ok {
			continue
		}
		next := *cur
		apply(&next, f, now)
		changes := events.Diff(cur, &next)
		if len(changes) == 0 {
			continue
		}
		next.Version = cur.Version + 1
		queueTaskUpdate(b, tx.user, &next, changes)
		seq, err := queueEvent(b, events.TypeTaskUpdated, tx.user, &next, changes, now)
		if err != nil {
			return nil, err
		}
		seqs, past = append(seqs, seq), append(past, movedIntoPast(cur, &next, now)...)
	}
	if len(past) > 0 {
		// A reminder the move put in the past (east, the same clock comes sooner) is born
		// fired, as a restored task's is: it would ring at once, late, with the others.
		// One that was due already, moved or not, rings as it would have.
		b.Queue(`UPDATE reminders SET fired_at = $2 WHERE user_id = $1 AND id = ANY($3)`, tx.user, now, past)
	}
	return seqs, nil
}

// movedIntoPast returns the ids of next's reminders that the change from cur made due by
// now, from a time still to come or from none.
func movedIntoPast(cur, next *taskwire.Task, now time.Time) []uuid.UUID {
	var ids []uuid.UUID
	for _, r := range next.Reminders {
		if r.FireAt == nil || r.FireAt.After(now) {
			continue
		}
		i := slices.IndexFunc(cur.Reminders, func(c taskwire.Reminder) bool { return c.ID == r.ID })
		if i < 0 || cur.Reminders[i].FireAt == nil || cur.Reminders[i].FireAt.After(now) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}
