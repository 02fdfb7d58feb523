package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// BulkTasks applies bulk's action to every task it names (for a restore, in the trash),
// in one transaction: each task changes as the single request would change it, with the
// same event, or, when any of them cannot, none does. It returns the tasks as they are
// after it (a deleted one as it went into the trash), in the order named, each once
// however often it is named. A task the user does not have is EINVALID naming its place,
// tasks[i]; a patch a task refuses names the field under patch and the task. It takes two
// round trips, the locks and the changes, and one more for each occurrence of a series
// that reopening withdraws the next of.
func (s *TaskService) BulkTasks(ctx context.Context, bulk taskwire.Bulk) ([]*taskwire.Task, error) {
	if bulk.Action == taskwire.BulkRestore {
		tasks, i, err := s.restoreTasks(ctx, bulk.Tasks)
		var e *taskwire.Error
		if i >= 0 && errors.As(err, &e) {
			code := e.Code
			if code == taskwire.ENOTFOUND {
				code = taskwire.EINVALID // named in the body, as a task to change that is none
			}
			return nil, taskwire.FieldErrorf(code, fmt.Sprintf("tasks[%d]", i), "%s", e.Message)
		}
		if err != nil {
			return nil, fmt.Errorf("bulk restore: %w", err)
		}
		return tasks, nil
	}
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer tx.close(ctx)
	// A delete sent again (its answer lost) finds its tasks in the trash: it answers them as
	// they are there, as a restore answers a task that is back already.
	tasks, trashed, err := tx.lockTasks(ctx, b, bulk.Tasks, bulk.Action == taskwire.BulkDelete)
	if err != nil {
		return nil, fmt.Errorf("bulk %s: %w", bulk.Action, err)
	}
	now := s.now()
	b = &pgx.Batch{}
	out := make([]*taskwire.Task, 0, len(tasks))
	var seqs []*int64
	for _, cur := range tasks {
		if bulk.Action == taskwire.BulkDelete {
			if trashed[cur.ID] {
				out = append(out, cur)
				continue
			}
			seq, err := queueDelete(b, tx.user, cur, now)
			if err != nil {
				return nil, fmt.Errorf("bulk delete: %w", err)
			}
			out, seqs = append(out, cur), append(seqs, seq)
			continue
		}
		f, err := bulk.Apply(cur.Fields(), cur.Number)
		if err != nil {
			return nil, err
		}
		next, changed, err := tx.queueChange(ctx, b, cur, f, now)
		if err != nil {
			return nil, fmt.Errorf("bulk %s: %w", bulk.Action, err)
		}
		out, seqs = append(out, next), append(seqs, changed...)
	}
	if b.Len() > 0 {
		if err := tx.commit(ctx, b); err != nil {
			return nil, fmt.Errorf("bulk %s: %w", bulk.Action, err)
		}
	}
	for _, seq := range seqs {
		s.db.outboxWritten(tx.user, *seq)
	}
	return out, nil
}

// lockTasks reads and locks the user's tasks that refs name (uuids or numbers), sent with
// the statements b holds, and returns them in the order of refs, each once; with
// inTrash, also the ones in the trash, as they went there, whose ids it returns in
// trashed. A ref no task of the user's answers to is EINVALID naming its place, tasks[i].
func (tx *userTx) lockTasks(ctx context.Context, b *pgx.Batch, refs []string, inTrash bool) (tasks []*taskwire.Task, trashed map[uuid.UUID]bool, err error) {
	ids, numbers := []uuid.UUID{}, []int64{}
	for _, ref := range refs {
		if id, err := uuid.Parse(ref); err == nil {
			ids = append(ids, id)
		} else if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
			numbers = append(numbers, n)
		}
	}
	// In the order of their ids, as a zone move takes them, so that two such requests wait
	// for each other rather than deadlock.
	b.Queue(`SELECT `+taskColumns+` FROM tasks t
		WHERE t.user_id = $1 AND (t.id = ANY($2) OR t.number = ANY($3))
		ORDER BY t.id FOR UPDATE OF t`, tx.user, ids, numbers)
	if inTrash {
		b.Queue(`SELECT tr.task FROM trash tr
			WHERE tr.user_id = $1 AND (tr.task_id = ANY($2) OR tr.number = ANY($3))`, tx.user, ids, numbers)
	}
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	var locked []*taskwire.Task
	rows, err := br.Query()
	if err == nil {
		locked, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*taskwire.Task, error) { return scanTask(row) })
	}
	trashed = map[uuid.UUID]bool{}
	if inTrash && err == nil {
		var docs [][]byte
		if rows, err = br.Query(); err == nil {
			docs, err = pgx.CollectRows(rows, pgx.RowTo[[]byte])
		}
		for _, doc := range docs {
			t := &taskwire.Task{}
			if err = json.Unmarshal(doc, t); err != nil {
				break
			}
			locked, trashed[t.ID] = append(locked, t), true
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, translate(err)
	}
	byRef := make(map[string]*taskwire.Task, 2*len(locked))
	for _, t := range locked {
		byRef[t.ID.String()], byRef[strconv.FormatInt(t.Number, 10)] = t, t
	}
	out := make([]*taskwire.Task, 0, len(refs))
	seen := make(map[uuid.UUID]bool, len(refs))
	for i, ref := range refs {
		t := byRef[ref]
		if t == nil {
			return nil, nil, taskwire.FieldErrorf(taskwire.EINVALID, fmt.Sprintf("tasks[%d]", i), "you have no task %s", ref)
		}
		if !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	return out, trashed, nil
}
