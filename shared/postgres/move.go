package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// MoveTask puts the task with uuid or number ref where m says in the user's own order,
// with a position between its new neighbours' (no other task changes), and writes its
// task.updated event; a non-empty ifMatch must admit its current ETag. A task already
// there is left as it is. A neighbour the user does not have is EINVALID, naming before
// or after. It takes three round trips: the task's lock, its neighbours' positions, and
// the change.
func (s *TaskService) MoveTask(ctx context.Context, ref, ifMatch string, m taskwire.Move) (*taskwire.Task, error) {
	t, err := s.changeIn(ctx, ref, ifMatch, func(tx *userTx, cur *taskwire.Task, _ *pgx.Batch) (taskwire.TaskFields, error) {
		f := cur.Fields()
		lo, hi, err := tx.neighbours(ctx, cur.ID, m)
		if err != nil || (lo < cur.Position && (hi == "" || cur.Position < hi)) {
			return f, err // there already
		}
		if f.Position, err = taskwire.PositionBetween(lo, hi); err != nil {
			return f, taskwire.Errorf(taskwire.ECONFLICT,
				"task %d cannot go there: moves between the same tasks used up the room; move one of them first", cur.Number)
		}
		return f, nil
	})
	if err != nil {
		return nil, fmt.Errorf("move task: %w", err)
	}
	return t, nil
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
