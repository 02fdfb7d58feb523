package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// MoveTask puts the task with uuid or number ref where m says in the user's own order,
// with a position between its new neighbours' (no other task changes), and writes its
// task.updated event; a non-empty ifMatch must admit its current ETag. A task already
// there is left as it is. A neighbour the user does not have is EINVALID, naming before
// or after. It takes three round trips: the task's lock, its neighbours' positions, and
// the change. When moves into the same place have left no room between the neighbours
// (positions grow about a character every six, up to MaxPositionLen), the tasks around
// take the stretch anew (respace), each with its task.updated event, one round trip more.
func (s *TaskService) MoveTask(ctx context.Context, ref, ifMatch string, m taskwire.Move) (*taskwire.Task, error) {
	var user string
	var respaced []*int64
	t, err := s.changeIn(ctx, ref, ifMatch, func(tx *userTx, cur *taskwire.Task, b *pgx.Batch) (taskwire.TaskFields, error) {
		f := cur.Fields()
		lo, hi, err := tx.neighbours(ctx, cur.ID, m)
		if err != nil || (lo < cur.Position && (hi == "" || cur.Position < hi)) {
			return f, err // there already
		}
		if f.Position, err = taskwire.PositionBetween(lo, hi); err == nil {
			return f, nil
		}
		user = tx.user
		f.Position, respaced, err = tx.respace(ctx, b, cur.ID, lo, hi, s.now())
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("move task: %w", err)
	}
	for _, seq := range respaced {
		s.db.outboxWritten(user, *seq)
	}
	return t, nil
}

// respaceSide is how many tasks on each side of the gap respace takes at first.
const respaceSide = 8

// respace makes room in the user's order between positions lo and hi, where the task
// moved (id moved) goes and no position is left: it gives the tasks on either side (up to
// the first whose position it keeps) positions spread evenly, with the moved task's in
// their midst, at the gap, which it returns. It takes respaceSide tasks on each side, and
// four times as many each round while the new positions would still be long (over half
// MaxPositionLen), up to the whole order; a round is one round trip, which locks the
// tasks. Each task it moves gets its task.updated event, queued on b after the user's
// row is locked; it returns their outbox positions, to be announced after the commit.
func (tx *userTx) respace(ctx context.Context, b *pgx.Batch, moved uuid.UUID, lo, hi string, now time.Time) (string, []*int64, error) {
	for side := respaceSide; ; side *= 4 {
		below, above, outerLo, outerHi, err := tx.around(ctx, moved, lo, hi, side)
		if err != nil {
			return "", nil, fmt.Errorf("respace: %w", err)
		}
		keys, err := taskwire.PositionsBetween(outerLo, outerHi, len(below)+1+len(above))
		if err != nil {
			return "", nil, fmt.Errorf("respace: %w", err)
		}
		if outerLo != "" || outerHi != "" {
			if longest := slices.MaxFunc(keys, func(a, b string) int { return len(a) - len(b) }); len(longest) > taskwire.MaxPositionLen/2 {
				continue
			}
		}
		position := keys[len(below)]
		others := slices.Delete(keys, len(below), len(below)+1)
		b.Queue(lockOutboxSQL, tx.user)
		var seqs []*int64
		for i, cur := range append(below, above...) {
			if cur.Position == others[i] {
				continue
			}
			next := *cur
			f := cur.Fields()
			f.Position = others[i]
			apply(&next, f, now)
			next.Version = cur.Version + 1
			changes := events.Diff(cur, &next)
			b.Queue(`UPDATE tasks SET position = $3, updated_at = $4, version = $5 WHERE user_id = $1 AND id = $2`,
				tx.user, next.ID, next.Position, next.UpdatedAt, next.Version)
			seq, err := queueEvent(b, events.TypeTaskUpdated, tx.user, &next, changes, now)
			if err != nil {
				return "", nil, fmt.Errorf("respace: %w", err)
			}
			seqs = append(seqs, seq)
		}
		return position, seqs, nil
	}
}

// around reads and locks the user's tasks, but for the moved one, on either side of the
// gap between positions lo and hi ("" for none, the top or bottom): up to side at or
// below lo and as many at or above hi, each in the user's order (position, then id), and
// the positions of the next ones past them, "" where there are none.
func (tx *userTx) around(ctx context.Context, moved uuid.UUID, lo, hi string, side int) (below, above []*taskwire.Task, outerLo, outerHi string, err error) {
	const stretch = `SELECT ` + taskColumns + ` FROM tasks t
		WHERE t.user_id = $1 AND t.id <> $2 AND t.position %s $3
		ORDER BY t.position %[2]s, t.id %[2]s LIMIT $4 FOR UPDATE OF t`
	b := &pgx.Batch{}
	if lo != "" {
		b.Queue(fmt.Sprintf(stretch, "<=", "DESC"), tx.user, moved, lo, side+1)
	}
	if hi != "" {
		b.Queue(fmt.Sprintf(stretch, ">=", "ASC"), tx.user, moved, hi, side+1)
	}
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, nil, "", "", err
	}
	defer br.Close()
	read := func() ([]*taskwire.Task, string, error) {
		rows, err := br.Query()
		if err != nil {
			return nil, "", translate(err)
		}
		tasks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*taskwire.Task, error) { return scanTask(row) })
		if err != nil {
			return nil, "", translate(err)
		}
		if len(tasks) > side {
			return tasks[:side], tasks[side].Position, nil
		}
		return tasks, "", nil
	}
	if lo != "" {
		if below, outerLo, err = read(); err != nil {
			return nil, nil, "", "", err
		}
		slices.Reverse(below)
	}
	if hi != "" {
		if above, outerHi, err = read(); err != nil {
			return nil, nil, "", "", err
		}
	}
	return below, above, outerLo, outerHi, br.Close()
}

// neighbours returns the positions that task id goes between to be where m says, ""
// for none at that end: the neighbour's, and the nearest on its other side but for the
// task's own. Tasks whose position equals the neighbour's (an occurrence beside the one
// completing it made) stay on that side of it. When the neighbour is the task itself,
// it returns "" and "": wherever the task is, it is there already.
func (tx *userTx) neighbours(ctx context.Context, id uuid.UUID, m taskwire.Move) (lo, hi string, err error) {
	b := &pgx.Batch{}
	// up: the other side is above: after the neighbour, or the first task for the top.
	up := m.After != "" || m.To == taskwire.MoveTop
	// nearest reads the nearest position past bound ("" for none, the first or the last)
	// but for the task's own, whose id is the parameter self.
	nearest := func(bound, self string) string {
		// Each status is a range of the position index: the nearest of each, then of both.
		cmp, agg, dir := ">", "min", "ASC"
		if !up {
			cmp, agg, dir = "<", "max", "DESC"
		}
		cond := `user_id = $1 AND id <> ` + self
		if bound != "" {
			cond += ` AND position ` + cmp + ` ` + bound
		}
		one := func(status string) string {
			return `(SELECT position FROM tasks WHERE ` + cond + ` AND status = '` + status + `' ORDER BY position ` + dir + ` LIMIT 1)`
		}
		return `(SELECT ` + agg + `(p) FROM (` + one("open") + ` UNION ALL ` + one("completed") + `) n (p))`
	}
	if m.To != "" {
		b.Queue(`SELECT NULL::uuid, NULL::text, `+nearest("", "$2"), tx.user, id)
	} else {
		cond, arg, err := refClause(m.Neighbour()) // $2
		if err != nil {
			return "", "", err
		}
		b.Queue(`SELECT t.id, t.position, `+nearest("t.position", "$3")+` FROM tasks t WHERE t.user_id = $1 AND `+cond,
			tx.user, arg, id)
	}
	br, err := tx.send(ctx, b)
	if err != nil {
		return "", "", err
	}
	defer br.Close()
	var near pgtype.UUID
	var at, other pgtype.Text
	err = br.QueryRow().Scan(&near, &at, &other)
	if errors.Is(err, pgx.ErrNoRows) {
		field := "before"
		if m.After != "" {
			field = "after"
		}
		return "", "", taskwire.FieldErrorf(taskwire.EINVALID, field, "no task %s to move the task %s", m.Neighbour(), field)
	}
	if err != nil {
		return "", "", translate(err)
	}
	if near.Valid && uuid.UUID(near.Bytes) == id {
		return "", "", nil // beside itself: where it is
	}
	// at is the neighbour's ("" for the top or bottom); other is on the other side.
	lo, hi = at.String, other.String
	if !up {
		lo, hi = other.String, at.String
	}
	return lo, hi, br.Close()
}
