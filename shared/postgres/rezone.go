package postgres

import (
	"context"
	"fmt"
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
	seqs, moved := make([]*int64, 0, len(tasks)), make([]uuid.UUID, 0, len(tasks))
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
		seqs, moved = append(seqs, seq), append(moved, next.ID)
	}
	if len(moved) > 0 {
		// A reminder the move put in the past (east, the same clock comes sooner) is born
		// fired, as a restored task's is: it would ring at once, late, with the others.
		b.Queue(pastFiredSQL, tx.user, now, moved)
	}
	return seqs, nil
}
